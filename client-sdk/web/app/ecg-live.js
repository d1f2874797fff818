// SPDX-License-Identifier: Apache-2.0
// ecg-live.js - a live ECG study in the browser: its own signaling
// connection (telecare.v1), `ecg-subscribe` with transport "websocket" for
// the stream ecg:<study id>, and the binary sample frames of
// docs/ecg-rtp.md section 5 decoded (client-sdk/js/ecg.js) and handed to
// the viewer's appendLive. A late viewer first gets the relay's last 10 s.
// `ecg-ended` (the device stopped) calls onEnded; a dropped connection is
// opened again with a growing pause (the history comes again; the viewer
// skips the frames it holds).
import { decodeFrame, frameToChunk } from '/js/ecg.js';

const RETRY_MS = [1000, 2000, 4000, 8000, 15000];

export class EcgLive {
  constructor({ token, study, viewer, onEnded, onError }) {
    Object.assign(this, { token, study, viewer, onEnded, onError });
    this.stream = `ecg:${study}`;
    this.tries = 0;
    this.closed = false;
    this.desc = null;
    this.firstFrame = null; // the first frame index received (tests)
  }

  open() {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`, 'telecare.v1');
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', id: '1', token: this.token }));
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') {
        const f = decodeFrame(ev.data);
        if (!f || !this.desc || f.n !== this.desc.leads.length) return;
        if (this.firstFrame === null) this.firstFrame = f.first;
        this.viewer.appendLive(frameToChunk(f, this.desc));
        return;
      }
      let m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m.type === 'welcome') {
        ws.send(JSON.stringify({ type: 'ecg-subscribe', id: '2', stream: this.stream, transport: 'websocket' }));
      } else if (m.type === 'ok' && m.id === '2') {
        this.tries = 0;
        this.desc = m.description;
      } else if (m.type === 'error' && m.id === '2') {
        this.closed = true;
        ws.close(1000);
        if (this.onError) this.onError(m);
      } else if (m.type === 'ecg-ended' && m.stream === this.stream) {
        this.close();
        if (this.onEnded) this.onEnded();
      }
    };
    ws.onclose = (ev) => {
      if (this.closed || ev.code === 4401) return;
      const wait = RETRY_MS[Math.min(this.tries, RETRY_MS.length - 1)];
      this.tries += 1;
      this.timer = setTimeout(() => this.open(), wait);
    };
    return this;
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000);
  }
}
