// SPDX-License-Identifier: Apache-2.0
/*
 * signaling.js - the browser side of the signaling protocol `telecare.v1`
 * (docs/protocol.md): one WebSocket, hello, requests answered by `ok` or
 * `error` (matched by id), events by type, an application ping, and
 * reconnect with resume after a drop.
 *
 *   const sig = new Signaling({ url: 'wss://host/ws', token });
 *   sig.on('peer-joined', (msg) => ...);
 *   await sig.connect();                    // -> the welcome message
 *   const ok = await sig.request({ type: 'join', room: 'consultation:12' });
 *
 * Events: every server message by its `type` ('offer', 'media', ...), and
 * 'close' ({ code, reason, reconnecting }), 'resumed', 'welcome'.
 * Never logs tokens, SDP or chat text.
 */

const PROTOCOL = 'telecare.v1';
const PING_MS = 15000;

export class SignalingError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

export class Signaling {
  /* url: ws(s)://host/ws; token: the bearer token from POST /api/v1/login. */
  constructor({ url, token, reconnect = true }) {
    this.url = url;
    this.token = token;
    this.reconnect = reconnect;
    this.peer = null;
    this.resumeToken = null;
    this.ws = null;
    this.nextId = 1;
    this.pending = new Map(); // id -> { resolve, reject }
    this.listeners = new Map(); // type -> Set(fn)
    this.stopped = false;
    this.backoffMs = 250;
  }

  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
    return () => this.listeners.get(type).delete(fn);
  }

  emit(type, msg) {
    for (const fn of this.listeners.get(type) || []) {
      try { fn(msg); } catch (e) { console.error('telecare: listener', type, e); }
    }
  }

  /* Open the socket and say hello (or resume); resolves with welcome. */
  connect() {
    this.stopped = false;
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(this.url, PROTOCOL);
      } catch (e) {
        // A URL the browser refuses outright (a blocked port): no close
        // event will come, so keep trying from here.
        reject(new SignalingError('closed', e.message));
        if (this.reconnect && !this.stopped && this.peer) this.scheduleReconnect();
        return;
      }
      this.ws = ws;
      let settled = false;
      ws.onopen = () => {
        const hello = { type: 'hello', id: 'hello', token: this.token };
        if (this.resumeToken) hello.resume = this.resumeToken;
        ws.send(JSON.stringify(hello));
      };
      ws.onmessage = (ev) => {
        let msg;
        try { msg = JSON.parse(ev.data); } catch { return; }
        if ((msg.type === 'welcome' || msg.type === 'resumed') && !settled) {
          settled = true;
          this.peer = msg.peer;
          this.resumeToken = msg.resume_token;
          this.backoffMs = 250;
          this.startPing();
          resolve(msg);
        }
        this.dispatch(msg);
      };
      ws.onclose = (ev) => {
        this.stopPing();
        const reconnecting = this.reconnect && !this.stopped
          && ev.code !== 1000 && ev.code !== 4401 && ev.code !== 4403
          && ev.code !== 4010;
        for (const p of this.pending.values()) {
          p.reject(new SignalingError('closed', `connection closed (${ev.code})`));
        }
        this.pending.clear();
        this.emit('close', { code: ev.code, reason: ev.reason, reconnecting });
        if (!settled) {
          settled = true;
          reject(new SignalingError('closed', `connection closed (${ev.code})`));
        }
        if (reconnecting) this.scheduleReconnect();
      };
    });
  }

  scheduleReconnect() {
    const wait = this.backoffMs * (1 + Math.random() / 4);
    this.backoffMs = Math.min(this.backoffMs * 2, 30000);
    setTimeout(() => {
      if (!this.stopped) this.connect().catch(() => {});
    }, wait);
  }

  dispatch(msg) {
    if ((msg.type === 'ok' || msg.type === 'error') && msg.id
        && this.pending.has(msg.id)) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.type === 'ok') p.resolve(msg);
      else p.reject(new SignalingError(msg.code, msg.message));
      return;
    }
    this.emit(msg.type, msg);
  }

  startPing() {
    this.stopPing();
    this.pingTimer = setInterval(() => this.send({ type: 'ping' }), PING_MS);
  }

  stopPing() {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  /* Send without waiting for an answer; false when not connected. */
  send(msg) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /* Send with an id; resolves with `ok`, rejects with SignalingError. */
  request(msg) {
    const id = `j${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (!this.send({ ...msg, id })) {
        this.pending.delete(id);
        reject(new SignalingError('closed', 'not connected'));
      }
    });
  }

  /* Leave for good: close 1000 (room-mates see peer-left at once). */
  close() {
    this.stopped = true;
    this.stopPing();
    if (this.ws) this.ws.close(1000, 'bye');
  }
}
