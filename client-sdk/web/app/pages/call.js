// SPDX-License-Identifier: Apache-2.0
// call.js - the call page of a consultation or a live-guided rehab session:
// video tiles, mute, camera, audio only, low bandwidth, screen share, the
// participants, the waiting room (a host admits), chat with a transcript
// that stays visible, the recording consent, a network indicator, leave.
//
// The room (presence, waiting room, admit, chat, resume after a drop) is
// call-room.js; the media is the browser SDK's Call (/js/telecare.js),
// sharing the room's WebSocket (one signaling connection per page): once
// in the room the page publishes its camera and microphone through the
// server and shows each other participant's feed as a tile with a video,
// an audio element and their name. Mute and camera off act on the sent
// tracks; audio only and low bandwidth are the SDK's setAudioOnly and
// setLowBandwidth. The others learn our mute and camera state over the
// SDK's data channel ({"type":"media-state",...}). The network indicator
// reads the SDK's stats every 2 s: round trip to the server, packets lost,
// kbit/s received. Screen share is the SDK's shareScreen (the screen goes
// out instead of the camera on the same connection); media-state's
// `screen` tells the others, whose tile then says so. After a dropped
// signaling connection the room says whether the session (and so the
// media on the server) survived; the SDK keeps or restarts its
// connections, or the page publishes again in the new session.
// The room's media profile (normal, low, audio) shows in #call-profile;
// a host changes it for everyone with #call-profile-select (the SDK's
// setRoomProfile). When the server switches a participant to audio only
// because its link loses too much, everyone reads it in #call-link
// ("对方网络差，已切换为语音"), and again when its video comes back.
import { h, clear, append } from '../dom.js';
import { t, code, fmtTime } from '../i18n.js';
import { transcript } from './resident.js';
import { CallRoom } from '../call-room.js';
import { setsPanel } from './therapist.js';
import { fallbackPanel } from '../rehab-fallback.js';

async function loadSdk() {
  try { return await import('/js/telecare.js'); } catch (e) { return null; }
}

const STATS_MS = 2000;

export async function page(ctx, kindOrId, maybeId) {
  const kind = maybeId ? kindOrId : 'consultation';
  const id = maybeId || kindOrId;
  const consult = kind === 'consultation' ? await ctx.api.consultation(id) : null;
  ctx.setTitle(t(`call.title.${kind}`, { id }));
  const status = h('p', { role: 'status', id: 'call-status' }, t('call.connecting'));
  const media = h('p', { id: 'call-media', role: 'status', class: 'muted' });
  const net = h('p', { role: 'status', id: 'call-net' }, t('call.netUnknown'));
  const profileNow = h('p', { role: 'status', id: 'call-profile' });
  const linkNote = h('p', { role: 'status', id: 'call-link' });
  const profileSelect = h('select', { id: 'call-profile-select', disabled: true },
    ['normal', 'low', 'audio'].map((p) => h('option', { value: p }, t(`call.profile.${p}`, { kbps: 150 }))));
  const profileBox = h('div', { class: 'row', hidden: true }, h('label', { for: 'call-profile-select' }, t('call.profile')), profileSelect);
  const local = h('video', { autoplay: true, muted: true, playsinline: true, 'aria-label': t('call.you') });
  const tiles = h('div', { class: 'tiles', id: 'call-tiles', 'aria-label': t('call.tiles'), role: 'group' },
    h('figure', { class: 'tile' }, local, h('figcaption', {}, t('call.you'))));
  const tr = transcript();
  const people = h('ul', { id: 'call-peers' });
  const waitingBox = h('section', { 'aria-labelledby': 'wait-h', hidden: true }, h('h2', { id: 'wait-h' }, t('call.waitingRoom')), h('ul', { id: 'call-waiting' }));
  // Recorded when the record's recording consent stands as the call
  // starts (server/sig-media.c): a consultation's consents, a rehab
  // session's plan.
  let recording = consult && consult.consents.some((x) => x.kind === 'recording' && !x.withdrawn_at);
  if (kind === 'rehab') {
    try {
      const s = await ctx.api.rehabSession(id);
      recording = Boolean((await ctx.api.rehabPlan(s.plan_id)).recording_consent);
    } catch (e) { recording = false; /* not this user's to read: said as not recorded */ }
  }
  let stream = null; let screen = null; let joinedRest = false; let timer = 0; let statsTimer = 0;
  let fallback = null;
  let call = null; let published = false; let stateDirty = false; let mediaRtt = null; let prev = null;
  const room = new CallRoom({ token: ctx.api.token, room: `${kind}:${id}` });
  const mine = { audio: true, video: true, audioOnly: false, screen: false };

  // Tell the others our mute, camera and screen state over the data
  // channel (again on the next stats tick while the channel is not open
  // yet). video: whether any picture is sent (the screen counts).
  const sendState = () => {
    const video = !mine.audioOnly && (mine.video || mine.screen);
    stateDirty = !(call && call.sendData(JSON.stringify({ type: 'media-state', audio: mine.audio, video, screen: mine.screen && !mine.audioOnly })));
  };

  // ---- remote tiles: peer -> { fig, video, audio, caption, audioOn, videoOn }
  const remote = new Map();
  const nameOf = (peer) => { const p = room.peers.get(peer); return p ? (p.name || p.peer) : peer; };
  const caption = (r, peer) => {
    const notes = [];
    if (r.screenOn) notes.push(t('call.peerScreen'));
    if (r.audioOn === false) notes.push(t('call.peerMuted'));
    if (r.videoOn === false) notes.push(t('call.peerCameraOff'));
    r.caption.textContent = notes.length ? `${nameOf(peer)} — ${notes.join(' · ')}` : nameOf(peer);
    r.video.setAttribute('aria-label', t(r.screenOn ? 'call.screenOf' : 'call.videoOf', { name: nameOf(peer) }));
    r.fig.dataset.screen = String(Boolean(r.screenOn));
  };
  const tileOf = (peer) => {
    let r = remote.get(peer);
    if (r) return r;
    const video = h('video', { autoplay: true, muted: true, playsinline: true });
    const audio = h('audio', { autoplay: true });
    const cap = h('figcaption', {});
    r = { fig: h('figure', { class: 'tile', dataset: { peer } }, video, audio, cap), video, audio, caption: cap, audioOn: null, videoOn: null, screenOn: false };
    remote.set(peer, r);
    caption(r, peer);
    tiles.append(r.fig);
    return r;
  };
  const dropTile = (peer) => {
    const r = remote.get(peer);
    if (!r) return;
    r.fig.remove();
    remote.delete(peer);
  };

  const setMuted = (kindOf, muted) => {
    if (call) call.mute(kindOf, muted);
    else if (stream) (kindOf === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks()).forEach((x) => { x.enabled = !muted; });
    mine[kindOf] = !muted;
    sendState();
  };
  const mute = h('button', { type: 'button', id: 'call-mute', 'aria-pressed': 'false', onclick: () => {
    setMuted('audio', mine.audio);
    mute.setAttribute('aria-pressed', String(!mine.audio));
    mute.textContent = t(mine.audio ? 'call.mute' : 'call.unmute');
  } }, t('call.mute'));
  const cam = h('button', { type: 'button', id: 'call-camera', 'aria-pressed': 'false', onclick: () => {
    setMuted('video', mine.video);
    cam.setAttribute('aria-pressed', String(!mine.video));
    cam.textContent = t(mine.video ? 'call.cameraOff' : 'call.cameraOn');
  } }, t('call.cameraOff'));
  const audioOnly = h('button', { type: 'button', id: 'call-audio-only', class: 'secondary', 'aria-pressed': 'false', onclick: async () => {
    mine.audioOnly = !mine.audioOnly;
    audioOnly.setAttribute('aria-pressed', String(mine.audioOnly));
    cam.disabled = mine.audioOnly;
    if (call) await call.setAudioOnly(mine.audioOnly);
    else if (stream) stream.getVideoTracks().forEach((x) => { x.enabled = !mine.audioOnly && mine.video; });
    media.textContent = mine.audioOnly ? t('call.audioOnlyOn') : '';
    sendState();
  } }, t('call.audioOnly'));
  const lowBw = h('button', { type: 'button', id: 'call-low-bw', class: 'secondary', 'aria-pressed': 'false', disabled: true, onclick: async () => {
    const on = lowBw.getAttribute('aria-pressed') !== 'true';
    lowBw.setAttribute('aria-pressed', String(on));
    try { await call.setLowBandwidth(on); media.textContent = on ? t('call.lowBandwidthOn') : ''; } catch (e) { media.textContent = t('call.mediaError', { message: e.message }); }
  } }, t('call.lowBandwidth'));
  // Screen share: the screen goes to the others instead of the camera
  // (call.shareScreen) and shows here in a tile of its own; it ends with
  // the button or with the browser's own "stop sharing" (the track ends).
  let screenTile = null;
  const stopShare = async () => {
    if (!screen) return;
    const s = screen;
    screen = null;
    mine.screen = false;
    if (call) await call.shareScreen(null).catch(() => {});
    s.getTracks().forEach((x) => x.stop());
    if (screenTile) screenTile.remove();
    screenTile = null;
    share.setAttribute('aria-pressed', 'false');
    share.textContent = t('call.share');
    media.textContent = t('call.shareStopped');
    sendState();
  };
  const share = h('button', { type: 'button', id: 'call-share', class: 'secondary', 'aria-pressed': 'false', onclick: async () => {
    if (screen) { await stopShare(); return; }
    let s;
    try {
      s = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } catch (e) { media.textContent = t('call.shareFailed'); return; }
    screen = s;
    const track = s.getVideoTracks()[0];
    track.addEventListener('ended', () => { if (screen === s) stopShare(); });
    screenTile = h('figure', { class: 'tile', id: 'call-screen' }, h('video', { autoplay: true, muted: true, playsinline: true, srcObject: s, 'aria-label': t('call.screen') }), h('figcaption', {}, t('call.screen')));
    tiles.append(screenTile);
    share.setAttribute('aria-pressed', 'true');
    share.textContent = t('call.shareStop');
    mine.screen = true;
    if (call && published) {
      try { await call.shareScreen(track); } catch (e) { media.textContent = t('call.mediaError', { message: e.message || String(e) }); }
    }
    if (screen === s) media.textContent = t(published ? 'call.sharing' : 'call.sharingLocal');
    sendState();
  } }, t('call.share'));
  const back = kind === 'consultation' ? `#/consultations/${id}` : `#/sessions/${id}`;
  const stopAll = async () => {
    clearInterval(timer); clearInterval(statsTimer);
    if (call) { const c = call; call = null; await c.leave().catch(() => {}); }
    await room.close();
    [stream, screen].forEach((s) => s && s.getTracks().forEach((x) => x.stop()));
  };
  const leave = h('button', { type: 'button', class: 'danger', id: 'call-leave', onclick: async () => {
    await stopAll();
    if (joinedRest) { try { await ctx.api.consultationStep(id, 'leave'); } catch (e) { /* closed meanwhile */ } }
    ctx.navigate(ctx.hasRole(['resident', 'carer']) && kind === 'rehab-session' ? '#/today' : back);
  } }, t('call.leave'));
  const chatIn = h('input', { id: 'chat-in', type: 'text', autocomplete: 'off', maxlength: '1000' });
  const chatErr = h('p', { class: 'field-error', id: 'chat-err' });
  const chat = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    const text = chatIn.value.trim();
    if (!text) return;
    chatErr.textContent = '';
    try { await room.chat(text); chatIn.value = ''; } catch (err) { chatErr.textContent = t('call.chatFailed'); }
  } }, h('label', { for: 'chat-in' }, t('call.chat')), h('div', { class: 'row' }, chatIn, h('button', { type: 'submit' }, t('call.send'))), chatErr);
  // The studies attached to the consultation, for the practitioners: each
  // opens in a window of its own (rel=opener, so that it shares this tab's
  // sign-in) and the call goes on here.
  const studies = consult && !ctx.hasRole(['resident', 'carer'])
    ? h('section', { 'aria-labelledby': 'studies-h', id: 'call-studies' }, h('h2', { id: 'studies-h' }, t('call.studies')),
      consult.ecg_study_ids.length + consult.imaging_study_ids.length
        ? h('ul', {}, consult.ecg_study_ids.map((e) => h('li', {}, h('a', { href: `#/ecg/${e}`, target: '_blank', rel: 'opener' }, t('call.newWindow', { label: t('ecg.openStudy', { id: e }) })))),
          consult.imaging_study_ids.map((e) => h('li', {}, h('a', { href: `#/imaging/${e}`, target: '_blank', rel: 'opener' }, t('call.newWindow', { label: t('image.openStudy', { id: e }) })))))
        : h('p', { class: 'muted' }, t('call.noStudies', { id })))
    : null;
  ctx.main.append(h('h1', {}, t(`call.title.${kind}`, { id })),
    recording ? h('p', { class: 'rec', role: 'status' }, t('call.recording')) : h('p', { id: 'call-rec' }, t('call.notRecording')),
    status, media, net, profileNow, linkNote, profileBox, tiles,
    h('div', { class: 'actions', role: 'group', 'aria-label': t('call.controls') }, mute, cam, audioOnly, lowBw, share, leave),
    waitingBox,
    h('section', { 'aria-labelledby': 'people-h' }, h('h2', { id: 'people-h' }, t('call.participants')), people),
    studies, tr.el, chat);
  if (kind === 'rehab-session') {
    // The exercises' sets: the therapist marks them done, everyone in the
    // room sees the count (rehab-set-done).
    try { ctx.main.append(await setsPanel(ctx, id, room)); } catch (e) { /* the session is not readable: no panel */ }
    // Low bandwidth: audio only with the demo video played locally.
    try { fallback = await fallbackPanel(ctx, { sessionId: id, room, net }); ctx.main.append(fallback.el); } catch (e) { fallback = null; }
  }

  // The network indicator. Before media flows: the signaling round trip
  // (every 10 s). With media: the SDK's stats (every 2 s): the round trip
  // of the publishing connection, the share of packets lost and kbit/s
  // received over all feeds since the last reading.
  const showNet = (rtt, loss, kbps) => {
    net.dataset.rtt = String(Math.round(rtt));
    const level = loss === null
      ? (rtt < 300 ? 'Good' : rtt < 800 ? 'Fair' : 'Poor')
      : (rtt < 300 && loss < 2 ? 'Good' : rtt < 800 && loss < 8 ? 'Fair' : 'Poor');
    net.dispatchEvent(new CustomEvent('net-level', { detail: level }));
    if (loss === null) { net.textContent = t(`call.net${level}`, { rtt: Math.round(rtt) }); return; }
    net.dataset.loss = loss.toFixed(1);
    net.dataset.kbps = String(Math.round(kbps));
    net.textContent = t(`call.netMedia${level}`, { rtt: Math.round(rtt), loss: loss.toFixed(1), kbps: Math.round(kbps) });
  };
  const check = async () => {
    if (room.state !== 'joined' && room.state !== 'waiting') return;
    if (mediaRtt !== null) return;
    let ms;
    try { ms = await room.ping(); } catch (e) { net.textContent = t('call.netPoor', { rtt: '>5000' }); return; }
    if (mediaRtt === null) showNet(ms, null, 0);
  };
  const readStats = async () => {
    if (!call) return;
    if (stateDirty) sendState();
    let s;
    try { s = await call.stats(); } catch (e) { return; }
    const now = performance.now();
    let lost = 0; let got = 0; let bytes = 0;
    for (const [peer, f] of Object.entries(s.feeds)) {
      const r = remote.get(peer);
      if (r && f.video) Object.assign(r.fig.dataset, { frames: String(f.video.framesDecoded), width: String(f.video.frameWidth), height: String(f.video.frameHeight) });
      if (r && f.audio) r.fig.dataset.audioLevel = String(f.audio.audioLevel);
      for (const m of [f.video, f.audio]) {
        if (!m) continue;
        lost += m.packetsLost; got += m.packetsReceived; bytes += m.bytesReceived;
      }
    }
    if (s.publish && s.publish.rtt !== null) mediaRtt = s.publish.rtt * 1000;
    if (mediaRtt === null) return;
    if (prev && got >= prev.got) {
      const dl = Math.max(0, lost - prev.lost); const dg = got - prev.got;
      const loss = dl + dg ? (100 * dl) / (dl + dg) : 0;
      showNet(mediaRtt, loss, ((bytes - prev.bytes) * 8) / (now - prev.at));
    }
    prev = { lost, got, bytes, at: now };
  };

  // Media: publish once we are in the room (after admission for a patient).
  const startMedia = async () => {
    if (!call || published || room.state !== 'joined' || !stream) return;
    published = true;
    try {
      // A screen shared before we were in the room goes out at once.
      if (screen) await call.shareScreen(screen.getVideoTracks()[0]);
      await call.publish({ stream });
      lowBw.disabled = false;
      if (mine.audioOnly) await call.setAudioOnly(true);
      if (screen) media.textContent = t('call.sharing');
      sendState();
    } catch (e) {
      published = false;
      media.textContent = t('call.mediaError', { message: e.message || String(e) });
    }
  };
  room.on('state', (s) => {
    status.textContent = t(`call.state.${s}`);
    profileBox.hidden = room.role !== 'host';
    if (s === 'joined' || s === 'waiting') check();
    if (s === 'joined') startMedia();
  });
  // Back after a drop. The session resumed: our media on the server
  // survived, the SDK keeps it (or restarts what did not come back). A new
  // session: the server's side of our media is gone; close ours and
  // publish again once in the room (the state event that follows).
  room.on('session', ({ kept }) => {
    if (!call) return;
    mediaRtt = null; prev = null;
    if (!kept) published = false;
    call.resumeMedia({ kept }).catch(() => {});
  });
  room.on('error', (e) => { status.textContent = t('call.refused', { message: e.message || e.code }); });
  // A relay the server refused. not-found and bad-state name a connection
  // the server no longer has (a candidate sent across a drop, a feed that
  // ended): nothing for the user; the SDK publishes afresh if needed.
  room.on('relay-error', (e) => {
    if (e.code !== 'not-found' && e.code !== 'bad-state') media.textContent = t('call.mediaError', { message: e.message || e.code });
  });
  room.on('peers', (peers) => {
    append(clear(people), [h('li', {}, `${t('call.you')} (${code('roomRole', room.role)})`),
      [...peers.values()].map((p) => h('li', {}, `${p.name || p.peer} (${code('roomRole', p.role)})`,
        p.state === 'reconnecting' ? ` — ${t('call.peerReconnecting')}` : ''))]);
    for (const [peer, r] of remote) {
      if (!peers.has(peer)) dropTile(peer); else caption(r, peer);
    }
  });
  room.on('waiting', (list) => {
    waitingBox.hidden = !list.length;
    append(clear(waitingBox.querySelector('ul')), list.map((p) => h('li', {}, `${p.name || p.peer} `,
      room.role === 'host' ? h('button', { type: 'button', onclick: async () => {
        try { await room.admit(p.peer); } catch (e) { status.textContent = t('call.refused', { message: e.message || e.code }); }
      } }, t('call.admit', { name: p.name || p.peer })) : null)));
  });
  room.on('chat', (m) => tr.add(m.mine ? t('call.you') : (m.name || m.from), `${m.text} (${fmtTime(m.at)})`));
  ctx.onLeave(() => { stopAll(); });

  // The SDK first, so that it sees the server's feed offers from the join on.
  const sdk = await loadSdk();
  if (sdk) {
    call = new sdk.Call({ room: room.room, signaling: room.signaling() });
    if (fallback) fallback.attach(call);
    call.on('stream', ({ peer, stream: s }) => {
      const r = tileOf(peer);
      if (r.video.srcObject !== s) { r.video.srcObject = s; r.audio.srcObject = s; }
      sendState(); // a newcomer learns our state
    });
    call.on('feed-ended', ({ peer }) => dropTile(peer));
    call.on('track', ({ peer, track, up }) => {
      const r = remote.get(peer);
      if (r && track === 'video') { r.videoOn = up; caption(r, peer); }
    });
    call.on('data', ({ peer, text }) => {
      let m;
      try { m = JSON.parse(text); } catch (e) { return; }
      if (!m || m.type !== 'media-state') return;
      const r = tileOf(peer);
      const screenOn = m.screen === true;
      if (screenOn !== r.screenOn && screenOn) ctx.announce(t('call.peerSharing', { name: nameOf(peer) }));
      r.audioOn = m.audio !== false;
      r.videoOn = m.video !== false;
      r.screenOn = screenOn;
      caption(r, peer);
    });
    call.on('state', ({ feed, state }) => {
      if (state === 'failed') media.textContent = t(feed ? 'call.feedFailed' : 'call.iceFailed', { name: feed ? nameOf(feed) : '' });
      else if (state === 'connected' && !feed && media.dataset.error !== 'device') media.textContent = mine.audioOnly ? t('call.audioOnlyOn') : '';
    });
    // A feed offer this browser refused is offered again by itself (the
    // SDK's feed-error): nothing to tell unless the server gives up.
    call.on('media-error', (e) => { if (!e.refused) media.textContent = t('call.mediaError', { message: e.message || '' }); });
    call.on('media-profile', ({ room: roomProfile, effective, videoMaxKbps }) => {
      profileNow.dataset.profile = effective;
      profileNow.dataset.room = roomProfile;
      profileNow.textContent = t(`call.profileNow.${effective}`, { kbps: videoMaxKbps });
      profileSelect.value = roomProfile;
      for (const o of profileSelect.options) if (o.value === 'low') o.textContent = t('call.profile.low', { kbps: videoMaxKbps });
    });
    profileSelect.disabled = false;
    profileSelect.addEventListener('change', async () => {
      try { await call.setRoomProfile(profileSelect.value); } catch (e) {
        media.textContent = t('call.profileFailed', { message: e.message || e.code || '' });
        profileSelect.value = call.roomProfile;
      }
    });
    // The server's automatic audio only (loss) and its end: told to everyone.
    call.on('audio-only', ({ peer, on, reason }) => {
      if (reason !== 'loss' && reason !== 'recovered') return;
      const self = peer === call.peer;
      linkNote.dataset.peer = peer;
      linkNote.dataset.on = String(on);
      linkNote.textContent = self ? t(on ? 'call.selfAudioOnly' : 'call.selfVideoBack')
        : t(on ? 'call.peerAudioOnly' : 'call.peerVideoBack', { name: nameOf(peer) });
    });
  } else media.textContent = t('call.noSdk');
  room.open();
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    local.srcObject = stream;
  } catch (e) {
    media.dataset.error = 'device';
    media.textContent = t(e && e.name === 'NotAllowedError' ? 'call.noPermission' : 'call.noDevice');
  }
  startMedia();
  if (consult && consult.status === 'in_progress') {
    try { await ctx.api.consultationStep(id, 'join'); joinedRest = true; } catch (e) { joinedRest = e.status === 409; }
  }
  check();
  timer = setInterval(check, 10000);
  statsTimer = setInterval(readStats, STATS_MS);
}
