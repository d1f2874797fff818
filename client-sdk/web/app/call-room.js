// SPDX-License-Identifier: Apache-2.0
// call-room.js - the call page's side of the signaling protocol telecare.v1
// (docs/protocol.md): hello, join, leave, presence, the waiting room (admit),
// chat and ping, with resume after a dropped connection. The media SDK
// (/js/telecare.js, Call) shares this connection through signaling():
// the page opens one WebSocket per call, not two (docs/webapp.md); this
// module itself sends and receives no media.
//
//   idle --open--> connecting --welcome--> joined | waiting --admitted--> joined
//                      ^                          |
//                      +---- dropped (resume) ----+      removed / closed
//
// Events (on(type, f)): state(state), peers(Map), waiting(list),
// session({kept}) after a drop, before the state (kept: the server resumed
// the session with this room, so its media survived; not kept: a new
// session, joined afresh, whose media must be published again),
// chat({from, name, text, at, seq}), error({code, message}) (hello or join
// refused), relay-error({code, message}) (an error the server sent without
// an id: one of the media SDK's relays was refused), relay(msg),
// set-done(rehab-set-done message), rehab-alert(alert),
// and 'msg:<type>' for every server message that is not an answer.
// Thread: the page's.

const RETRY_MS = [500, 1000, 2000, 4000, 8000];

export class CallRoom {
  constructor({ token, room, url = null, reason = null }) {
    this.token = token;
    this.room = room;
    this.reason = reason;
    this.url = url || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    this.handlers = {};
    this.peers = new Map(); // peer -> {peer, user, name, role, state}
    this.waiting = new Map();
    this.pending = new Map(); // id -> {resolve, reject}
    this.seq = 0;
    this.state = 'idle';
    this.resume = null;
    this.tries = 0;
    this.closing = false;
  }

  on(type, f) { (this.handlers[type] ||= []).push(f); return this; }
  emit(type, arg) { for (const f of this.handlers[type] || []) f(arg); }
  setState(s) { this.state = s; this.emit('state', s); }

  open() {
    this.setState(this.resume ? 'reconnecting' : 'connecting');
    const ws = new WebSocket(this.url, 'telecare.v1');
    this.ws = ws;
    ws.onopen = () => {
      this.tries = 0;
      const hello = { type: 'hello', token: this.token };
      if (this.resume) hello.resume = this.resume;
      // An expired resume token: error bad-state, then a fresh welcome
      // (handled in onMessage).
      this.request(hello).then((m) => this.onHello(m), (e) => { if (e.code !== 'bad-state') this.emit('error', e); });
    };
    ws.onmessage = (ev) => this.onMessage(JSON.parse(ev.data));
    ws.onclose = (ev) => {
      for (const p of this.pending.values()) p.reject({ code: 'closed', message: `closed ${ev.code}` });
      this.pending.clear();
      if (this.closing || ev.code === 4401 || ev.code === 4403 || this.state === 'removed') {
        if (this.state !== 'removed') this.setState('closed');
        return;
      }
      this.setState('reconnecting');
      const wait = RETRY_MS[Math.min(this.tries, RETRY_MS.length - 1)];
      this.tries += 1;
      this.retryTimer = setTimeout(() => this.open(), wait);
    };
    return this;
  }

  async onHello(m) {
    this.resume = m.resume_token;
    this.me = m.peer;
    if (m.type === 'resumed' && (m.rooms || []).includes(this.room)) {
      this.emit('session', { kept: true });
      this.setState(this.joinedAs === 'waiting' ? 'waiting' : 'joined');
      return;
    }
    if (this.joinedAs) this.emit('session', { kept: false });
    const join = { type: 'join', room: this.room };
    if (this.reason) join.reason = this.reason;
    try {
      const ok = await this.request(join);
      this.role = ok.role;
      this.peers = new Map((ok.peers || []).map((p) => [p.peer, p]));
      this.joinedAs = ok.state;
      // The room's media profile, to the media SDK as a media-profile
      // message (docs/protocol.md).
      if (ok.media_profile) this.emit('msg:media-profile', { type: 'media-profile', room: this.room, media_profile: ok.media_profile, video_max_kbps: ok.video_max_kbps });
      this.emit('peers', this.peers);
      this.setState(ok.state === 'waiting' ? 'waiting' : 'joined');
    } catch (e) {
      if (e.code === 'closed') return; // dropped meanwhile: the reconnect joins
      this.emit('error', e);
      this.setState('refused');
    }
  }

  // Refused at once while the connection is not open (dropped, or
  // closing under a cut): nothing is sent into a dead socket.
  request(msg) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
      return Promise.reject({ code: 'closed', message: 'not connected' });
    }
    this.seq += 1;
    const id = String(this.seq);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ ...msg, id }));
    });
  }

  onMessage(m) {
    if (m.id && this.pending.has(m.id)) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.type === 'error') p.reject(m); else p.resolve(m);
      return;
    }
    this.emit(`msg:${m.type}`, m);
    switch (m.type) {
      case 'welcome': this.resume = null; this.onHello(m); break;
      case 'waiting': this.waiting.set(m.peer.peer, m.peer); this.emit('waiting', [...this.waiting.values()]); break;
      case 'admitted':
        this.peers = new Map((m.peers || []).map((p) => [p.peer, p]));
        this.joinedAs = 'joined';
        this.emit('peers', this.peers); this.setState('joined'); break;
      case 'peer-joined':
        this.waiting.delete(m.peer.peer); this.emit('waiting', [...this.waiting.values()]);
        this.peers.set(m.peer.peer, m.peer); this.emit('peers', this.peers); break;
      case 'peer-left':
        this.peers.delete(m.peer); this.waiting.delete(m.peer);
        this.emit('waiting', [...this.waiting.values()]); this.emit('peers', this.peers); break;
      case 'peer-reconnecting': case 'peer-resumed': {
        const p = this.peers.get(m.peer);
        if (p) { p.state = m.type === 'peer-reconnecting' ? 'reconnecting' : 'joined'; this.emit('peers', this.peers); }
        break;
      }
      case 'removed': this.setState('removed'); this.closing = true; this.ws.close(1000); break;
      case 'chat': {
        const who = m.from === this.me ? null : this.peers.get(m.from);
        this.emit('chat', { ...m, mine: m.from === this.me, name: who ? who.name : null });
        break;
      }
      case 'offer': case 'answer': case 'candidate': this.emit('relay', m); break;
      case 'rehab-set-done': if (m.room === this.room) this.emit('set-done', m); break;
      case 'rehab-alert': this.emit('rehab-alert', m.alert); break;
      case 'error': this.emit('relay-error', m); break;
      default: break;
    }
  }

  // The connection as the media SDK's Call takes it (its `signaling`
  // option): every server message by type, send, request, our peer id.
  signaling() {
    const room = this;
    return {
      on(type, f) { room.on(`msg:${type}`, f); },
      send(msg) {
        if (!room.ws || room.ws.readyState !== WebSocket.OPEN) return false;
        room.ws.send(JSON.stringify(msg));
        return true;
      },
      request(msg) { return room.request(msg); },
      get peer() { return room.me; },
      // Down: the media SDK leaves an ICE restart to the resume.
      get connected() { return Boolean(room.ws && room.ws.readyState === WebSocket.OPEN); },
    };
  }

  admit(peer) { return this.request({ type: 'admit', room: this.room, peer }); }
  chat(text) { return this.request({ type: 'chat', room: this.room, text }); }

  // Round trip of the application-level ping, in ms; rejects after 5 s.
  async ping() {
    const t0 = performance.now();
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) throw new Error('not connected');
    await new Promise((resolve, reject) => {
      const f = (ev) => {
        if (JSON.parse(ev.data).type !== 'pong') return;
        ws.removeEventListener('message', f); clearTimeout(timer); resolve();
      };
      const timer = setTimeout(() => { ws.removeEventListener('message', f); reject(new Error('no pong')); }, 5000);
      ws.addEventListener('message', f);
      ws.send(JSON.stringify({ type: 'ping' }));
    });
    return performance.now() - t0;
  }

  async close() {
    this.closing = true;
    clearTimeout(this.retryTimer);
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      try { await Promise.race([this.request({ type: 'leave', room: this.room }), new Promise((r) => setTimeout(r, 1000))]); } catch (e) { /* closing anyway */ }
      this.ws.close(1000);
    }
  }
}
