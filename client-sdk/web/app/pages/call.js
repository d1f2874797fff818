// SPDX-License-Identifier: Apache-2.0
// call.js - the call page of a consultation or a live-guided rehab session:
// video tiles, mute, camera, audio only, screen share, the participants,
// the waiting room (a host admits), chat with a transcript that stays
// visible, the recording consent, a network indicator, leave.
//
// Wired: the room over the signaling protocol (call-room.js: presence,
// waiting room, admit, chat, resume after a drop), the consultation's REST
// join and leave, the local camera and microphone and their controls,
// screen share, the network indicator (signaling round trip).
// Not wired: sending and receiving media. That is the browser media SDK's
// (/js/telecare.js, another branch); the page loads it when it is served
// and hands it the room's relay (docs/webapp.md). Until then the page says
// plainly that the others cannot see or hear you.
import { h, clear, append } from '../dom.js';
import { t, code, fmtTime } from '../i18n.js';
import { transcript } from './resident.js';
import { CallRoom } from '../call-room.js';
import { setsPanel } from './therapist.js';

async function loadSdk() {
  try { return await import('/js/telecare.js'); } catch (e) { return null; }
}

export async function page(ctx, kindOrId, maybeId) {
  const kind = maybeId ? kindOrId : 'consultation';
  const id = maybeId || kindOrId;
  const consult = kind === 'consultation' ? await ctx.api.consultation(id) : null;
  ctx.setTitle(t(`call.title.${kind}`, { id }));
  const status = h('p', { role: 'status', id: 'call-status' }, t('call.connecting'));
  const media = h('p', { id: 'call-media', class: 'muted' });
  const net = h('p', { role: 'status', id: 'call-net' }, t('call.netUnknown'));
  const local = h('video', { autoplay: true, muted: true, playsinline: true, 'aria-label': t('call.you') });
  const tiles = h('div', { class: 'tiles', 'aria-label': t('call.tiles'), role: 'group' },
    h('figure', { class: 'tile' }, local, h('figcaption', {}, t('call.you'))));
  const tr = transcript();
  const people = h('ul', { id: 'call-peers' });
  const waitingBox = h('section', { 'aria-labelledby': 'wait-h', hidden: true }, h('h2', { id: 'wait-h' }, t('call.waitingRoom')), h('ul', { id: 'call-waiting' }));
  const recording = consult && consult.consents.some((x) => x.kind === 'recording' && !x.withdrawn_at);
  let stream = null; let screen = null; let joinedRest = false; let timer = 0;
  const toggle = (kindOf, btn, onKey, offKey) => {
    if (!stream) return;
    const tracks = kindOf === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks();
    const on = !tracks.every((x) => x.enabled);
    tracks.forEach((x) => { x.enabled = on; });
    btn.setAttribute('aria-pressed', String(!on));
    btn.textContent = t(on ? onKey : offKey);
  };
  const mute = h('button', { type: 'button', 'aria-pressed': 'false', onclick: () => toggle('audio', mute, 'call.mute', 'call.unmute') }, t('call.mute'));
  const cam = h('button', { type: 'button', 'aria-pressed': 'false', onclick: () => toggle('video', cam, 'call.cameraOff', 'call.cameraOn') }, t('call.cameraOff'));
  const audioOnly = h('button', { type: 'button', class: 'secondary', onclick: () => {
    if (!stream) return;
    stream.getVideoTracks().forEach((x) => { x.stop(); stream.removeTrack(x); });
    cam.disabled = true; audioOnly.disabled = true;
    media.textContent = t('call.audioOnlyOn');
  } }, t('call.audioOnly'));
  const share = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    try {
      screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
      tiles.append(h('figure', { class: 'tile' }, h('video', { autoplay: true, muted: true, srcObject: screen, 'aria-label': t('call.screen') }), h('figcaption', {}, t('call.screen'))));
    } catch (e) { media.textContent = t('call.shareFailed'); }
  } }, t('call.share'));
  const back = kind === 'consultation' ? `#/consultations/${id}` : `#/sessions/${id}`;
  const room = new CallRoom({ token: ctx.api.token, room: `${kind}:${id}` });
  const leave = h('button', { type: 'button', class: 'danger', id: 'call-leave', onclick: async () => {
    await room.close();
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
  ctx.main.append(h('h1', {}, t(`call.title.${kind}`, { id })),
    consult ? (recording ? h('p', { class: 'rec', role: 'status' }, t('call.recording')) : h('p', {}, t('call.notRecording'))) : null,
    status, media, net, tiles,
    h('div', { class: 'actions', role: 'group', 'aria-label': t('call.controls') }, mute, cam, audioOnly, share, leave),
    waitingBox,
    h('section', { 'aria-labelledby': 'people-h' }, h('h2', { id: 'people-h' }, t('call.participants')), people),
    tr.el, chat);
  if (kind === 'rehab-session') {
    // The exercises' sets: the therapist marks them done, everyone in the
    // room sees the count (rehab-set-done).
    try { ctx.main.append(await setsPanel(ctx, id, room)); } catch (e) { /* the session is not readable: no panel */ }
  }

  // The network indicator: the signaling round trip, now and every 10 s.
  const check = async () => {
    if (room.state !== 'joined' && room.state !== 'waiting') return;
    let ms;
    try { ms = await room.ping(); } catch (e) { net.textContent = t('call.netPoor', { rtt: '>5000' }); return; }
    net.dataset.rtt = String(Math.round(ms));
    net.textContent = t(ms < 300 ? 'call.netGood' : ms < 800 ? 'call.netFair' : 'call.netPoor', { rtt: Math.round(ms) });
  };
  room.on('state', (s) => {
    status.textContent = t(`call.state.${s}`);
    if (s === 'joined' || s === 'waiting') check();
  });
  room.on('error', (e) => { status.textContent = t('call.refused', { message: e.message || e.code }); });
  room.on('peers', (peers) => {
    append(clear(people), [h('li', {}, `${t('call.you')} (${code('roomRole', room.role)})`),
      [...peers.values()].map((p) => h('li', {}, `${p.name || p.peer} (${code('roomRole', p.role)})`,
        p.state === 'reconnecting' ? ` — ${t('call.peerReconnecting')}` : ''))]);
  });
  room.on('waiting', (list) => {
    waitingBox.hidden = !list.length;
    append(clear(waitingBox.querySelector('ul')), list.map((p) => h('li', {}, `${p.name || p.peer} `,
      room.role === 'host' ? h('button', { type: 'button', onclick: async () => {
        try { await room.admit(p.peer); } catch (e) { status.textContent = t('call.refused', { message: e.message || e.code }); }
      } }, t('call.admit', { name: p.name || p.peer })) : null)));
  });
  room.on('chat', (m) => tr.add(m.mine ? t('call.you') : (m.name || m.from), `${m.text} (${fmtTime(m.at)})`));
  ctx.onLeave(() => {
    clearInterval(timer);
    room.close();
    [stream, screen].forEach((s) => s && s.getTracks().forEach((x) => x.stop()));
  });
  room.open();
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    local.srcObject = stream;
  } catch (e) { media.textContent = t('precall.noAccess'); }
  if (consult && consult.status === 'in_progress') {
    try { await ctx.api.consultationStep(id, 'join'); joinedRest = true; } catch (e) { joinedRest = e.status === 409; }
  }
  const sdk = await loadSdk();
  if (!sdk) media.textContent = t('call.noSdk');
  check();
  timer = setInterval(check, 10000);
}
