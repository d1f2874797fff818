// SPDX-License-Identifier: Apache-2.0
/*
 * telecare.js - the browser SDK for telecare calls (ES module).
 *
 *   import { login, Call } from '/js/telecare.js';
 *   const token = await login('zhou.ming', password);
 *   const call = new Call({ token, room: 'consultation:12' });
 *   call.on('stream', ({ peer, stream }) => video.srcObject = stream);
 *   await call.join();               // joins, waits if in the waiting room
 *   await call.publish();            // camera and microphone
 *   await call.publish({ codec: 'H264' });   // H.264 video instead of VP8
 *   call.mute('audio', true); await call.setAudioOnly(true);
 *   await call.setLowBandwidth(true);   // 150 kbps, half size
 *   await call.setLowBandwidth(true, { audioOnly: true });
 *   await call.setRoomProfile('low');   // a host: the whole room (below)
 *   await call.setOwnProfile('audio');  // just us, whatever the room's
 *   const [screen] = (await navigator.mediaDevices.getDisplayMedia({ video: true })).getVideoTracks();
 *   await call.shareScreen(screen);  // the others get the screen instead of the camera
 *   await call.shareScreen(null);    // the camera again
 *   await call.stats(); await call.leave();
 *
 * Media goes through the server (docs/protocol.md, "media"): one
 * RTCPeerConnection publishes (we offer to "media", the server answers),
 * and one per other publisher receives its feed (the server offers with
 * `feed`, we answer). Every connection uses max-bundle and trickle ICE.
 * A network change (the publishing connection goes 'disconnected' or
 * 'failed', or the page comes back 'online') restarts ICE on the same
 * connection (createOffer({iceRestart: true}), sent with iceRestart: true;
 * the server answers on its side of that connection); if that does not
 * reconnect within 15 s we publish afresh on a new connection (the server
 * replaces the old one; others' feeds of us are offered again).
 * publish({codec: 'H264'}) sends H.264 instead of VP8.
 *
 * Screen share replaces the camera's track on the publishing connection's
 * video sender (RTCRtpSender.replaceTrack): no renegotiation, the server
 * goes on forwarding the same stream without decoding it, and the others
 * decode the new picture size from its next keyframe (webrtcbin 1.22
 * cannot remove transceivers, so adding a second video m-line for the
 * screen is what we avoid). Telling the others that it is a screen is the
 * page's business (the web app sends it on the data channel).
 *
 * After a dropped signaling connection (resumeMedia): a resumed session
 * keeps its media on the server, so we keep our connections, send what
 * could not be sent meanwhile, and publish afresh only if they do not
 * come back; a new session has lost its media, so we close everything and
 * publish again once back in the room (docs/protocol.md, "Reconnect").
 *
 * Events (call.on): 'stream' {peer, stream}, 'feed-ended' {peer},
 * 'data' {peer, text} (the data channel), 'screen' {on} (sharing started
 * or ended, also when the browser's own "stop sharing" ended the track),
 * 'media-resumed' {kept, restarted} (after resumeMedia),
 * 'ice-restart' {count, done} (an ICE restart started / reconnected),
 * 'local-candidate' {feed, candidate} (each of our ICE candidates),
 * 'peer-joined', 'peer-left', 'waiting' (for hosts), 'admitted',
 * 'track' {peer, track, up}, 'state' {feed, state}, 'media-error'
 * {feed, message} (with refused: true and the offer's sdp when this
 * browser could not apply a feed's offer: the server is told with
 * feed-error and offers it again), 'audio-only' {peer, on, reason}
 * (the server stopped
 * or resumed forwarding video to `peer`: its link loses too much, or it
 * recovered, or it asked, or the room's profile is audio;
 * docs/protocol.md), 'media-profile' {room, own, effective, by,
 * videoMaxKbps} (the room's or our own profile changed), 'chat', 'close'.
 *
 * Media profiles (docs/protocol.md, "media-profile"): the room has one
 * (normal, low, audio), told in the join answer and by a media-profile
 * event whenever a host changes it; each participant may also choose a
 * lower one for itself (setOwnProfile). The stricter of the two is what
 * we send: low caps our video sender (RTCRtpSender.setParameters:
 * maxBitrate = the room's video_max_kbps, scaleResolutionDownBy 2,
 * maxFramerate 15), audio stops sending video (replaceTrack(null)), as
 * setLowBandwidth and setAudioOnly do, whichever of them asks more.
 */
import { Signaling, SignalingError } from './signaling.js';

// Messages for the media endpoint that could not be sent while the
// signaling connection was down, kept for a resumed session.
const OUTBOX_MAX = 256;
// After a resumed session: how long our connections get to come back
// (ICE consent, queued candidates) before we publish afresh.
const RESUME_SETTLE_MS = 5000;
// After an ICE restart: how long the publishing connection gets to be
// connected again before we publish afresh on a new connection.
const ICE_RESTART_SETTLE_MS = 15000;
// Media profiles from the least to the most restrictive.
const PROFILES = ['normal', 'low', 'audio'];
const LOW_DEFAULT_KBPS = 150;

export { Signaling, SignalingError };

/* POST /api/v1/login; resolves with the bearer token. */
export async function login(username, password, { server = '', totp } = {}) {
  const body = { username, password };
  if (totp) body.totp = totp;
  const r = await fetch(`${server}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const doc = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(doc.message || `login failed (${r.status})`);
  return doc.token;
}

function wsUrl(server) {
  const base = server || location.origin;
  return base.replace(/^http/, 'ws') + '/ws';
}

export class Call {
  /*
   * token: bearer token; room: 'consultation:<id>' or 'rehab-session:<id>';
   * server: 'https://host' (default: this page's origin); iceServers: as
   * for RTCPeerConnection (STUN/TURN for NATed clinics);
   * iceTransportPolicy: 'relay' to use TURN only (default 'all').
   * signaling: an already connected and joined connection to share
   * instead of opening one (the web app's call page): an object with
   * on(type, fn), send(msg), request(msg) -> Promise, `peer` and
   * optionally `connected` (false while it is down), whose
   * on() delivers every server message by its type. With it, skip join()
   * and call publish() once in the room; leave() then closes only the
   * media, and the owner of the connection leaves the room.
   */
  constructor({ token, room, server = '', iceServers = [], iceTransportPolicy = 'all',
    signaling = null }) {
    this.room = room;
    this.iceServers = iceServers;
    this.iceTransportPolicy = iceTransportPolicy;
    this.videoCodec = null; // preferred video codec ('H264', 'VP8') or null
    this.iceRestarts = 0; // ICE restarts of the publishing connection
    this.restarting = null; // { pc, timer } while one is in flight
    this.ownSig = !signaling;
    this.sig = signaling || new Signaling({ url: wsUrl(server), token });
    this.listeners = new Map();
    this.pub = null; // publishing RTCPeerConnection
    this.feeds = new Map(); // peer -> { pc, stream }
    this.local = null; // MediaStream
    this.screen = null; // MediaStreamTrack sent instead of the camera's
    this.outbox = []; // media messages not sent (connection down)
    this.inRoom = false; // joined by join() (own connection only)
    this.audioOnly = false;
    this.lowBandwidth = null;
    this.roomProfile = 'normal'; // the room's (join answer, media-profile)
    this.ownProfile = 'normal'; // our own choice (setOwnProfile)
    this.videoMaxKbps = LOW_DEFAULT_KBPS;
    this.profileBy = null;
    this.bind();
    this.onOnline = () => this.restartIce().catch(() => {});
    if (typeof window !== 'undefined') window.addEventListener('online', this.onOnline);
  }

  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
  }

  emit(type, detail) {
    for (const fn of this.listeners.get(type) || []) fn(detail);
  }

  get peer() { return this.sig.peer; }

  bind() {
    const relay = (type) => this.sig.on(type, (m) => {
      if (m.from === 'media' && m.room === this.room) this.onMedia(type, m);
    });
    relay('offer'); relay('answer'); relay('candidate');
    this.sig.on('media', (m) => { if (m.room === this.room) this.onMediaEvent(m); });
    for (const t of ['peer-joined', 'peer-left', 'waiting', 'admitted', 'removed', 'chat']) {
      this.sig.on(t, (m) => this.emit(t, m));
    }
    this.sig.on('admitted', (m) => this.admittedWaiter?.(m));
    this.sig.on('admitted', (m) => { if (m.room === this.room) this.onRoomProfile(m); });
    this.sig.on('media-profile', (m) => { if (m.room === this.room) this.onRoomProfile(m); });
    this.sig.on('close', (m) => this.emit('close', m));
    // Our own connection came back (a shared one's owner calls
    // resumeMedia itself): resumed with our room, or a new session.
    this.sig.on('resumed', (m) => {
      if (this.ownSig && this.inRoom) this.sessionBack((m.rooms || []).includes(this.room));
    });
    this.sig.on('welcome', () => { if (this.ownSig && this.inRoom) this.sessionBack(false); });
  }

  async sessionBack(kept) {
    await this.resumeMedia({ kept });
    if (kept) return;
    try {
      await this.enterRoom();
      if (this.local) await this.offer();
    } catch (e) {
      this.emit('media-error', { feed: null, message: e.message || String(e) });
    }
  }

  /* Connect and join; resolves with the join answer once in the call
   * (after admission for a patient in the waiting room). */
  async join() {
    await this.sig.connect();
    const ok = await this.enterRoom();
    this.inRoom = true;
    return ok;
  }

  async enterRoom() {
    const ok = await this.sig.request({ type: 'join', room: this.room });
    this.onRoomProfile(ok);
    if (ok.state === 'waiting') {
      this.emit('waiting-room', ok);
      await new Promise((resolve) => { this.admittedWaiter = resolve; });
    }
    return ok;
  }

  /* Host: let a waiting peer in. */
  admit(peer) {
    return this.sig.request({ type: 'admit', room: this.room, peer });
  }

  chat(text) {
    return this.sig.request({ type: 'chat', room: this.room, text });
  }

  newPc() {
    return new RTCPeerConnection({
      bundlePolicy: 'max-bundle', iceServers: this.iceServers,
      iceTransportPolicy: this.iceTransportPolicy,
    });
  }

  sendToMedia(type, extra) {
    const msg = { type, room: this.room, to: 'media', ...extra };
    if (this.sig.send(msg)) return;
    if (this.outbox.length >= OUTBOX_MAX) this.outbox.shift();
    this.outbox.push(msg);
  }

  trickle(pc, feed) {
    pc.onicecandidate = (ev) => {
      const c = ev.candidate;
      const msg = c
        ? { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex }
        : { candidate: '' };
      if (feed) msg.feed = feed;
      if (c && !c.candidate) return;
      if (c) this.emit('local-candidate', { feed: feed || null, candidate: c.candidate });
      this.sendToMedia('candidate', msg);
    };
  }

  /* Publish camera and microphone (or the given stream). codec: the video
   * codec to send, 'H264' or 'VP8' (default: the browser's first, VP8 in
   * Chromium); the server forwards either without decoding. */
  async publish({ audio = true, video = { width: 640, height: 480 }, stream, codec } = {}) {
    this.videoCodec = codec || null;
    this.local = stream || await navigator.mediaDevices.getUserMedia({ audio, video });
    await this.offer();
    return this.local;
  }

  /* What we send as video: the screen while sharing, else the camera. */
  videoTrack() {
    return this.screen || this.local?.getVideoTracks()[0] || null;
  }

  async offer() {
    this.endRestart();
    if (this.pub) this.pub.close();
    this.outbox = this.outbox.filter((m) => m.feed); // the old connection's
    const pc = this.newPc();
    this.pub = pc;
    const tracks = this.local.getAudioTracks();
    if (this.videoTrack()) tracks.push(this.videoTrack());
    for (const track of tracks) {
      const tr = pc.addTransceiver(track, { direction: 'sendonly', streams: [this.local] });
      if (track.kind === 'video' && this.videoCodec) this.preferCodec(tr, this.videoCodec);
    }
    // Our data channel to the server: what we send reaches every other
    // participant as "from:<peer>\n<text>" (at most 16 KiB a message).
    this.dc = pc.createDataChannel('telecare');
    this.dc.onmessage = (ev) => {
      const text = String(ev.data);
      const nl = text.indexOf('\n');
      if (text.startsWith('from:') && nl > 0) {
        this.emit('data', { peer: text.slice(5, nl), text: text.slice(nl + 1) });
      }
    };
    if (this.audioOnly || this.effectiveProfile() === 'audio') this.applyAudioOnly();
    this.trickle(pc, null);
    pc.onconnectionstatechange = () => {
      this.emit('state', { feed: null, state: pc.connectionState });
      this.watchPublishing(pc);
    };
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    this.sendToMedia('offer', { sdp: offer.sdp });
    if (this.bandwidthCap()) await this.applyBandwidth().catch(() => {});
  }

  /*
   * Send `codec` ('H264', 'VP8') on the video transceiver `tr`: its
   * formats first (H.264: packetization-mode 1, the only one the server
   * forwards; constrained baseline first, what every receiver decodes),
   * the others after them so that the answer can still fall back.
   */
  preferCodec(tr, codec) {
    const all = RTCRtpSender.getCapabilities('video')?.codecs || [];
    const mime = `video/${codec}`.toLowerCase();
    const rank = (c) => {
      if (c.mimeType.toLowerCase() !== mime) return 9;
      const f = c.sdpFmtpLine || '';
      if (mime === 'video/h264' && !/packetization-mode=1/.test(f)) return 8;
      if (mime === 'video/h264' && /profile-level-id=42e0/.test(f)) return 0;
      return 1;
    };
    const sorted = all.map((c, i) => [rank(c), i, c]).sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .map(([, , c]) => c);
    if (sorted.length && rank(sorted[0]) < 8) tr.setCodecPreferences(sorted);
  }

  /* Whether the signaling connection is up now (a shared one may say so
   * with `connected`; one that does not is taken as up). */
  sigUp() {
    if ('connected' in this.sig) return Boolean(this.sig.connected);
    if (this.sig instanceof Signaling) return this.sig.ws?.readyState === WebSocket.OPEN;
    return true;
  }

  endRestart() {
    if (this.restarting) clearTimeout(this.restarting.timer);
    this.restarting = null;
  }

  /*
   * The publishing connection lost its path (a network change: another
   * interface, a new address, a link that dropped): restart ICE on the
   * same connection (new credentials and candidates; the DTLS and the
   * streams stay). The server's webrtcbin answers the restart on its side
   * of the same connection (docs/protocol.md, "ICE restart").
   */
  watchPublishing(pc) {
    if (pc !== this.pub) return;
    const state = pc.connectionState;
    if (state === 'connected' && this.restarting?.pc === pc) {
      clearTimeout(this.restarting.timer);
      this.restarting = null;
      this.emit('ice-restart', { count: this.iceRestarts, done: true });
    } else if ((state === 'disconnected' || state === 'failed') && !this.restarting) {
      this.restartIce().catch((e) => this.emit('media-error', { feed: null, message: e.message || String(e) }));
    }
  }

  async onMedia(type, m) {
    if (!m.feed) {
      if (!this.pub) return;
      if (type === 'answer') await this.pub.setRemoteDescription({ type: 'answer', sdp: m.sdp });
      else if (type === 'candidate' && m.candidate) {
        await this.pub.addIceCandidate({ candidate: m.candidate, sdpMLineIndex: m.sdpMLineIndex ?? 0 })
          .catch(() => {});
      }
      return;
    }
    if (type === 'offer') await this.onFeedOffer(m.feed, m.sdp);
    else if (type === 'candidate' && m.candidate) {
      const f = this.feeds.get(m.feed);
      if (f) {
        await f.pc.addIceCandidate({ candidate: m.candidate, sdpMLineIndex: m.sdpMLineIndex ?? 0 })
          .catch(() => {});
      }
    }
  }

  async onFeedOffer(peer, sdp) {
    this.endFeed(peer);
    const pc = this.newPc();
    const stream = new MediaStream();
    this.feeds.set(peer, { pc, stream });
    this.trickle(pc, peer);
    pc.ontrack = (ev) => {
      stream.addTrack(ev.track);
      this.emit('stream', { peer, stream });
    };
    pc.onconnectionstatechange = () => this.emit('state', { feed: peer, state: pc.connectionState });
    let answer;
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
    } catch (e) {
      // A newer offer of this feed replaced (closed) this connection.
      if (this.feeds.get(peer)?.pc === pc) this.feedRefused(peer, pc, sdp, e);
      return;
    }
    this.sendToMedia('answer', { sdp: answer.sdp, feed: peer });
  }

  /*
   * The browser could not apply the server's offer of `peer`'s feed:
   * drop that connection and tell the server (feed-error), which offers
   * the feed again on a new one, a few times (docs/protocol.md). The
   * 'media-error' event carries the refused offer's SDP, for diagnosis
   * only (it is never sent anywhere).
   */
  feedRefused(peer, pc, sdp, e) {
    const message = String(e?.message || e).slice(0, 1000);
    console.error(`telecare: the offer of feed ${peer} was refused: ${message}`);
    pc.close();
    this.feeds.delete(peer);
    this.outbox = this.outbox.filter((m) => m.feed !== peer);
    this.emit('media-error', { feed: peer, message, sdp, refused: true });
    this.sendToMedia('feed-error', { feed: peer, message });
  }

  endFeed(peer) {
    const f = this.feeds.get(peer);
    if (!f) return;
    f.pc.close();
    this.feeds.delete(peer);
    this.outbox = this.outbox.filter((m) => m.feed !== peer);
    this.emit('feed-ended', { peer });
  }

  onMediaEvent(m) {
    switch (m.event) {
      case 'feed-ended': this.endFeed(m.feed); break;
      case 'track': this.emit('track', { peer: m.peer, track: m.track, up: m.up }); break;
      case 'state': this.emit('state', { feed: m.feed ?? null, state: m.state, server: true }); break;
      case 'error': this.emit('media-error', { feed: m.feed ?? null, message: m.message }); break;
      case 'audio-only': this.emit('audio-only', { peer: m.peer, on: m.on, reason: m.reason }); break;
      default: this.emit(`media-${m.event}`, m);
    }
  }

  /* Mute or unmute our `kind` ('audio' or 'video'): the track sends
   * silence or black, the connection stays. */
  mute(kind, muted) {
    for (const t of this.local?.getTracks() || []) {
      if (t.kind === kind) t.enabled = !muted;
    }
  }

  /* The publishing connection's video sender, or null (no video m-line). */
  videoSender() {
    const tr = this.pub?.getTransceivers()
      .find((x) => x.sender.track?.kind === 'video' || x.receiver.track?.kind === 'video');
    return tr ? tr.sender : null;
  }

  applyAudioOnly() {
    const sender = this.videoSender();
    const off = this.audioOnly || this.effectiveProfile() === 'audio';
    if (sender) return sender.replaceTrack(off ? null : this.videoTrack());
    return Promise.resolve();
  }

  /* The stricter of the room's profile and our own. */
  effectiveProfile() {
    const r = PROFILES.indexOf(this.roomProfile); const o = PROFILES.indexOf(this.ownProfile);
    return PROFILES[Math.max(r, o, 0)];
  }

  /* A join answer, admitted or media-profile message: the room's profile
   * (messages without one change nothing). */
  onRoomProfile(m) {
    if (!m || !PROFILES.includes(m.media_profile)) return;
    this.roomProfile = m.media_profile;
    if (m.video_max_kbps > 0) this.videoMaxKbps = m.video_max_kbps;
    this.profileBy = m.by || null;
    this.applyProfile().catch((e) => this.emit('media-error', { feed: null, message: e.message || String(e) }));
  }

  async applyProfile() {
    if (this.pub) {
      await this.applyAudioOnly();
      await this.applyBandwidth();
    }
    this.emit('media-profile', {
      room: this.roomProfile, own: this.ownProfile, effective: this.effectiveProfile(),
      by: this.profileBy, videoMaxKbps: this.videoMaxKbps,
    });
  }

  /* A host: set the room's profile for everyone ('normal', 'low',
   * 'audio'); resolves with the server's ok (the media-profile event that
   * every member gets, us too, applies it). */
  setRoomProfile(profile) {
    return this.sig.request({ type: 'media-profile', room: this.room, profile });
  }

  /* Our own profile: we send at most this, even when the room's allows
   * more ('normal' follows the room again). */
  async setOwnProfile(profile) {
    if (!PROFILES.includes(profile)) throw new Error(`profile: must be one of ${PROFILES.join(', ')}`);
    this.ownProfile = profile;
    await this.applyProfile();
  }

  /*
   * Send `track` (a screen from getDisplayMedia) instead of the camera's
   * video; null sends the camera again. The same sender and connection
   * go on (replaceTrack); published without any video m-line (no camera),
   * we publish afresh with the screen. When the track ends (the browser's
   * own "stop sharing"), the camera comes back by itself and 'screen'
   * {on: false} is emitted. The track is the caller's: we never stop it.
   */
  async shareScreen(track) {
    if (this.screen && this.onScreenEnded) this.screen.removeEventListener('ended', this.onScreenEnded);
    this.screen = track || null;
    this.onScreenEnded = null;
    if (track) {
      // Keep a screen's resolution (text stays legible) rather than its
      // frame rate when the encoder must choose.
      if (!track.contentHint) track.contentHint = 'detail';
      this.onScreenEnded = () => { if (this.screen === track) this.shareScreen(null).catch(() => {}); };
      track.addEventListener('ended', this.onScreenEnded);
    }
    if (this.pub) {
      if (this.videoSender()) await this.applyAudioOnly();
      else if (track && this.local) await this.offer();
    }
    this.emit('screen', { on: Boolean(track) });
  }

  /* Stop (or resume) sending video: for a weak link. */
  async setAudioOnly(on) {
    this.audioOnly = on;
    if (this.pub) await this.applyAudioOnly();
  }

  /* Ask the server to stop (true) or resume forwarding the others' video
   * to us: audio only on a weak downlink. An 'audio-only' event confirms.
   * (The server also does it by itself when our link loses too much.) */
  receiveAudioOnly(on) {
    this.sendToMedia('media-mode', { audioOnly: !!on });
  }

  /* Send `text` to every other participant over the data channel; false
   * while it is not open. */
  sendData(text) {
    if (!this.dc || this.dc.readyState !== 'open') return false;
    this.dc.send(text);
    return true;
  }

  /*
   * Low-bandwidth mode for a rural link: cap our video at `maxBitrate`
   * bits/s and scale it down by `scaleDown` (default 150 kbps, half size),
   * or pass { audioOnly: true } to stop video altogether. The others see
   * our video track go down (a `track` event) when it stops, and up when
   * it comes back. setLowBandwidth(false) restores the full quality.
   */
  async setLowBandwidth(on, { maxBitrate = 150000, scaleDown = 2, audioOnly = false } = {}) {
    this.lowBandwidth = on ? { maxBitrate, scaleDown } : null;
    await this.setAudioOnly(on && audioOnly);
    if (this.pub) await this.applyBandwidth();
  }

  /* The cap on our video: setLowBandwidth's and the profile's, the
   * stricter of each; null: none. */
  bandwidthCap() {
    let cap = this.lowBandwidth ? { ...this.lowBandwidth } : null;
    if (this.effectiveProfile() !== 'normal') {
      const p = { maxBitrate: this.videoMaxKbps * 1000, scaleDown: 2, maxFramerate: 15 };
      cap = cap ? {
        maxBitrate: Math.min(cap.maxBitrate, p.maxBitrate),
        scaleDown: Math.max(cap.scaleDown, p.scaleDown),
        maxFramerate: p.maxFramerate,
      } : p;
    }
    return cap;
  }

  async applyBandwidth() {
    const cap = this.bandwidthCap();
    const sender = this.videoSender();
    if (!sender) return;
    const p = sender.getParameters();
    if (!p.encodings || !p.encodings.length) p.encodings = [{}];
    for (const e of p.encodings) {
      if (cap) {
        e.maxBitrate = cap.maxBitrate;
        e.scaleResolutionDownBy = cap.scaleDown;
        if (cap.maxFramerate) e.maxFramerate = cap.maxFramerate; else delete e.maxFramerate;
      } else {
        delete e.maxBitrate;
        delete e.maxFramerate;
        e.scaleResolutionDownBy = 1;
      }
    }
    await sender.setParameters(p);
  }

  /*
   * Restart ICE on the publishing connection: an offer with new ICE
   * credentials (iceRestart), answered by the server on the same
   * connection. Not connected again within ICE_RESTART_SETTLE_MS (also
   * when the server refused it), or no connection that could restart:
   * publish afresh on a new connection.
   * Emits 'ice-restart' {count} when it starts and {count, done: true}
   * once connected again. Only while the signaling connection is up
   * (otherwise resumeMedia deals with it once it is back).
   */
  async restartIce() {
    const pc = this.pub;
    // Signaling down too: resumeMedia takes over once it is back.
    if (!this.local || this.restarting || !this.sigUp()) return;
    if (!pc || pc.signalingState !== 'stable' || !pc.remoteDescription) {
      await this.offer();
      return;
    }
    this.iceRestarts += 1;
    const timer = setTimeout(() => {
      if (this.restarting?.pc !== pc || this.pub !== pc) return;
      this.restarting = null;
      if (this.sigUp()) this.offer().catch(() => {});
    }, ICE_RESTART_SETTLE_MS);
    this.restarting = { pc, timer };
    this.emit('ice-restart', { count: this.iceRestarts, done: false });
    const offer = await pc.createOffer({ iceRestart: true });
    if (this.pub !== pc) return;
    await pc.setLocalDescription(offer);
    // Refused (the server lost this connection meanwhile), or not sent
    // (signaling went down): the timer above publishes afresh if this
    // connection is still ours by then; a new session's resumeMedia
    // replaces it first.
    await this.sig.request({ type: 'offer', room: this.room, to: 'media', sdp: offer.sdp, iceRestart: true })
      .catch(() => {});
  }

  /*
   * Call after the signaling connection came back from a drop.
   * kept: the session was resumed with our room (the server's side of
   * our connections survived): send what could not be sent meanwhile,
   * give the connections RESUME_SETTLE_MS to be connected, and publish
   * afresh if the publishing one is not or a feed failed (the server then
   * offers again every feed it lost). Not kept: a new session, whose
   * server side has none of our connections: close them all (each feed
   * emits 'feed-ended'); the local tracks and the screen stay for the
   * next publish(), which the owner of a shared connection calls once
   * back in the room (with our own connection we re-join and publish).
   * Emits 'media-resumed' {kept, restarted}.
   */
  async resumeMedia({ kept }) {
    const gen = (this.resumeGen = (this.resumeGen || 0) + 1);
    if (!kept) {
      this.outbox = [];
      for (const peer of [...this.feeds.keys()]) this.endFeed(peer);
      if (this.pub) this.pub.close();
      this.pub = null;
      this.dc = null;
      this.emit('media-resumed', { kept: false, restarted: false });
      return;
    }
    const queued = this.outbox;
    this.outbox = [];
    for (const m of queued) this.sig.send(m);
    const healthy = () => this.pub?.connectionState === 'connected'
      && ![...this.feeds.values()].some((f) => f.pc.connectionState === 'failed');
    const end = Date.now() + RESUME_SETTLE_MS;
    while (this.pub && !healthy() && Date.now() < end && gen === this.resumeGen) {
      await new Promise((r) => setTimeout(r, 250));
    }
    if (gen !== this.resumeGen) return;
    const restarted = Boolean(this.local) && !healthy();
    if (restarted) await this.offer();
    this.emit('media-resumed', { kept: true, restarted });
  }

  /* A summary of what we receive from each feed and send. */
  async stats() {
    const out = { feeds: {}, publish: null };
    for (const [peer, { pc }] of this.feeds) {
      const s = { state: pc.connectionState, video: null, audio: null };
      const report = await pc.getStats();
      report.forEach((r) => {
        if (r.type !== 'inbound-rtp') return;
        if (r.kind === 'video') {
          s.video = {
            codec: (r.codecId && report.get(r.codecId)?.mimeType) || null,
            framesDecoded: r.framesDecoded || 0, frameWidth: r.frameWidth || 0,
            frameHeight: r.frameHeight || 0, packetsLost: r.packetsLost || 0,
            packetsReceived: r.packetsReceived || 0, bytesReceived: r.bytesReceived || 0,
          };
        } else if (r.kind === 'audio') {
          s.audio = {
            audioLevel: r.audioLevel || 0, packetsReceived: r.packetsReceived || 0,
            packetsLost: r.packetsLost || 0, totalSamplesReceived: r.totalSamplesReceived || 0,
            bytesReceived: r.bytesReceived || 0,
          };
        }
      });
      out.feeds[peer] = s;
    }
    if (this.pub) {
      // rtt: seconds, the selected ICE pair's current round trip to the
      // server (null until measured).
      const s = {
        state: this.pub.connectionState, bytesSent: 0, rtt: null,
        iceRestarts: this.iceRestarts, localCandidate: null, codec: null, encoder: null,
      };
      const report = await this.pub.getStats();
      report.forEach((r) => {
        if (r.type === 'outbound-rtp') s.bytesSent += r.bytesSent || 0;
        if (r.type === 'outbound-rtp' && r.kind === 'video' && r.codecId) {
          s.codec = report.get(r.codecId)?.mimeType || null;
          s.encoder = r.encoderImplementation || null; // e.g. 'OpenH264'
        }
        if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded'
            && typeof r.currentRoundTripTime === 'number') s.rtt = r.currentRoundTripTime;
        if (r.type === 'transport' && r.selectedCandidatePairId) {
          // localCandidate: the selected pair's own end (candidateType
          // 'host', 'srflx', 'prflx' or 'relay', address, port).
          const pair = report.get(r.selectedCandidatePairId);
          const c = pair && report.get(pair.localCandidateId);
          if (c) {
            s.localCandidate = {
              candidateType: c.candidateType, address: c.address, port: c.port,
              protocol: c.protocol, relayProtocol: c.relayProtocol || null,
            };
          }
        }
      });
      out.publish = s;
    }
    return out;
  }

  /* Leave the room and close every connection (with a shared signaling
   * connection: close the media only). */
  async leave() {
    if (typeof window !== 'undefined') window.removeEventListener('online', this.onOnline);
    this.endRestart();
    if (this.ownSig) await this.sig.request({ type: 'leave', room: this.room }).catch(() => {});
    for (const peer of [...this.feeds.keys()]) this.endFeed(peer);
    if (this.pub) this.pub.close();
    this.pub = null;
    for (const t of this.local?.getTracks() || []) t.stop();
    if (this.ownSig) this.sig.close();
  }
}
