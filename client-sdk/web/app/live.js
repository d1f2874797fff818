// SPDX-License-Identifier: Apache-2.0
// live.js - the page's one standing signaling connection (telecare.v1,
// docs/protocol.md) for everything that listens without a call: the
// emergency bell (bell.js), rehab alerts (alerts-live.js) and live ECG
// viewers (ecg-live.js). One connection per signed-in page instead of one
// per feature: one hello, one heartbeat, one reconnect, and the server
// counts the practitioner online once.
//
//   const live = new Live({ token }).open();
//   live.on('rehab-alert', (m) => ...);        // a type, or 'emergency-*'
//   live.onBinary((data) => ...);               // ECG sample frames
//   live.onSession(({ fresh }) => ...);         // after welcome / resumed
//   live.onDown(() => ...);                     // the connection dropped
//   await live.request({ type: 'ecg-subscribe', ... });  // its ok, or throws
//
// A dropped connection is opened again once /healthz answers (a refused
// WebSocket would only fill the console while the server is down), with a
// growing pause, resuming the session with its resume token so room
// membership and subscriptions survive and missed events arrive in order;
// a refused resume (the grace period passed) starts a fresh session
// (onSession with fresh: true: listeners subscribe again). 4401/4403 (the
// token is no longer valid) end it for good.
// Thread: the page's.

const RETRY_MS = [500, 1000, 2000, 4000, 8000, 15000];
const HELLO_ID = 'live-hello';

export class Live {
  constructor({ token }) {
    this.token = token;
    this.handlers = new Set(); // [match, f]
    this.binary = new Set();
    this.sessions = new Set();
    this.downs = new Set();
    this.pending = new Map(); // request id -> { resolve, reject }
    this.seq = 0;
    this.tries = 0;
    this.resume = null;
    this.closing = false;
    this.ready = false;
  }

  open() {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const ws = new WebSocket(url, 'telecare.v1');
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      const hello = { type: 'hello', id: HELLO_ID, token: this.token };
      if (this.resume) hello.resume = this.resume;
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') {
        for (const f of this.binary) guard(f, ev.data);
        return;
      }
      let m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      this.message(m);
    };
    ws.onclose = (ev) => {
      const was = this.ready;
      this.ready = false;
      for (const [, p] of this.pending) p.reject(Object.assign(new Error('connection closed'), { code: 'closed' }));
      this.pending.clear();
      if (was) for (const f of this.downs) guard(f);
      if (this.closing || ev.code === 4401 || ev.code === 4403) return;
      this.reopen();
    };
    return this;
  }

  message(m) {
    if ((m.type === 'welcome' || m.type === 'resumed') && m.id === HELLO_ID) {
      this.tries = 0;
      this.resume = m.resume_token || null;
      this.ready = true;
      const fresh = m.type === 'welcome';
      for (const f of this.sessions) guard(f, { fresh });
      return;
    }
    if (m.type === 'error' && m.id === HELLO_ID) {
      // the resume was refused (grace over): the server starts a fresh
      // session with `welcome` next (docs/protocol.md, hello)
      this.resume = null;
      return;
    }
    if ((m.type === 'ok' || m.type === 'error') && this.pending.has(m.id)) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.type === 'ok') p.resolve(m);
      else p.reject(Object.assign(new Error(m.message || m.code), { code: m.code, reply: m }));
      return;
    }
    for (const [match, f] of this.handlers) {
      if (matches(match, m.type)) guard(f, m);
    }
  }

  reopen() {
    const wait = RETRY_MS[Math.min(this.tries, RETRY_MS.length - 1)];
    this.tries += 1;
    this.retry = setTimeout(async () => {
      if (this.closing) return;
      try {
        const r = await fetch('/healthz', { cache: 'no-store' });
        if (!r.ok) throw new Error(String(r.status));
      } catch (e) { this.reopen(); return; }
      this.open();
    }, wait);
  }

  // Events of type `match` ('rehab-alert'; 'emergency-*' for a prefix).
  on(match, f) { const e = [match, f]; this.handlers.add(e); return () => this.handlers.delete(e); }

  onBinary(f) { this.binary.add(f); return () => this.binary.delete(f); }

  // f({ fresh }) after every welcome (fresh) or resume; at once when a
  // session is already up (fresh: true: the caller has not subscribed).
  onSession(f) {
    this.sessions.add(f);
    if (this.ready) queueMicrotask(() => { if (this.sessions.has(f) && this.ready) guard(f, { fresh: true }); });
    return () => this.sessions.delete(f);
  }

  onDown(f) { this.downs.add(f); return () => this.downs.delete(f); }

  send(msg) {
    if (!this.ready || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  // msg with a fresh id; resolves with the server's ok, rejects with its
  // error (err.code, err.reply) or when the connection drops first.
  request(msg) {
    const id = `live-${++this.seq}`;
    return new Promise((resolve, reject) => {
      if (!this.ready || this.ws.readyState !== WebSocket.OPEN) { reject(Object.assign(new Error('not connected'), { code: 'closed' })); return; }
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ ...msg, id }));
    });
  }

  close() {
    this.closing = true;
    clearTimeout(this.retry);
    if (this.ws) this.ws.close(1000);
  }
}

function matches(match, type) {
  if (typeof type !== 'string') return false;
  return match.endsWith('*') ? type.startsWith(match.slice(0, -1)) : type === match;
}

function guard(f, arg) {
  try { f(arg); } catch (e) { /* one listener's fault is not the others' */ console.error(e); }
}
