// SPDX-License-Identifier: Apache-2.0
// ecg-live.js - a live ECG study in the browser, over the page's signaling
// connection (live.js): `ecg-subscribe` with transport "websocket" for the
// stream ecg:<study id>, and the binary sample frames of docs/ecg-rtp.md
// section 5 decoded (client-sdk/js/ecg.js) and handed to the viewer's
// appendLive. A late viewer first gets the relay's last 10 s. `ecg-ended`
// (the device stopped) calls onEnded. After a dropped connection the
// subscription is made again with every new session (the history comes
// again and fills what the drop lost; the viewer skips the frames it
// holds); close() unsubscribes.
import { decodeFrame, frameToChunk } from '/js/ecg.js';

export class EcgLive {
  constructor({ live, study, viewer, onEnded, onError }) {
    Object.assign(this, { live, study: Number(study), viewer, onEnded, onError });
    this.stream = `ecg:${study}`;
    this.closed = false;
    this.desc = null;
    this.firstFrame = null; // the first frame index received (tests)
    this.offs = [];
  }

  open() {
    this.offs = [
      this.live.onSession(() => this.subscribe()),
      this.live.onBinary((data) => {
        const f = decodeFrame(data);
        if (!f || f.study !== this.study || !this.desc || f.n !== this.desc.leads.length) return;
        if (this.firstFrame === null) this.firstFrame = f.first;
        this.viewer.appendLive(frameToChunk(f, this.desc));
      }),
      this.live.on('ecg-ended', (m) => {
        if (m.stream !== this.stream) return;
        this.close(false);
        if (this.onEnded) this.onEnded();
      }),
    ];
    return this;
  }

  async subscribe() {
    if (this.closed) return;
    try {
      const ok = await this.live.request({ type: 'ecg-subscribe', stream: this.stream, transport: 'websocket' });
      this.desc = ok.description;
    } catch (err) {
      if (err.code === 'closed') return; /* the next session subscribes */
      this.close(false);
      if (this.onError) this.onError(err.reply || { message: err.message });
    }
  }

  close(unsubscribe = true) {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.offs) off();
    this.offs = [];
    if (unsubscribe) this.live.send({ type: 'ecg-unsubscribe', stream: this.stream });
  }
}
