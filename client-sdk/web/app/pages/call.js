// SPDX-License-Identifier: Apache-2.0
// call.js - a consultation's call page: video tiles, mute, camera, screen
// share, audio only, chat with a transcript that stays visible, the
// participants, recording consent, a network indicator, and leave.
//
// Wired: the consultation (REST join/leave, participants, consents), the
// local camera and microphone and their controls, screen share, chat
// transcript for this side, the network check against this server.
// Not wired: the room itself. Media and signaling come from the browser SDK
// (/js/telecare.js, another branch's); when it is served this page loads it
// and hands it the room (docs/webapp.md says what it expects); until then it
// says plainly that the others cannot be seen or heard.
import { h } from '../dom.js';
import { t, code } from '../i18n.js';
import { transcript } from './resident.js';
import { measureNetwork } from './precall.js';

async function loadSdk() {
  try { return await import('/js/telecare.js'); } catch (e) { return null; }
}

export async function page(ctx, id) {
  const c = await ctx.api.consultation(id);
  ctx.setTitle(t('call.title', { id }));
  const status = h('p', { role: 'status', id: 'call-status' });
  const net = h('p', { role: 'status', id: 'call-net' }, t('call.netUnknown'));
  const local = h('video', { autoplay: true, muted: true, playsinline: true, 'aria-label': t('call.you') });
  const tiles = h('div', { class: 'tiles', 'aria-label': t('call.tiles'), role: 'group' },
    h('figure', { class: 'tile' }, local, h('figcaption', {}, t('call.you'))));
  const tr = transcript();
  const recording = c.consents.some((x) => x.kind === 'recording' && !x.withdrawn_at);
  let stream = null; let screen = null; let joined = false; let timer = 0;
  const toggle = (kind, btn, onKey, offKey) => {
    if (!stream) return;
    const tracks = kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks();
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
    status.textContent = t('call.audioOnlyOn');
  } }, t('call.audioOnly'));
  const share = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    try {
      screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
      tiles.append(h('figure', { class: 'tile' }, h('video', { autoplay: true, muted: true, srcObject: screen, 'aria-label': t('call.screen') }), h('figcaption', {}, t('call.screen'))));
    } catch (e) { status.textContent = t('call.shareFailed'); }
  } }, t('call.share'));
  const leave = h('button', { type: 'button', class: 'danger', onclick: async () => {
    if (joined) { try { await ctx.api.consultationStep(id, 'leave'); } catch (e) { /* shown below */ } }
    ctx.navigate(`#/consultations/${id}`);
  } }, t('call.leave'));
  const chatIn = h('input', { id: 'chat-in', type: 'text', autocomplete: 'off' });
  const chat = h('form', { onsubmit: (e) => { e.preventDefault(); if (chatIn.value.trim()) { tr.add(t('call.you'), chatIn.value.trim()); chatIn.value = ''; } } },
    h('label', { for: 'chat-in' }, t('call.chat')), h('div', { class: 'row' }, chatIn, h('button', { type: 'submit' }, t('call.send'))));
  ctx.main.append(h('h1', {}, t('call.title', { id })),
    recording ? h('p', { class: 'rec', role: 'status' }, t('call.recording')) : h('p', {}, t('call.notRecording')),
    status, net, tiles,
    h('div', { class: 'actions', role: 'group', 'aria-label': t('call.controls') }, mute, cam, audioOnly, share, leave),
    h('section', { 'aria-labelledby': 'people-h' }, h('h2', { id: 'people-h' }, t('call.participants')),
      h('ul', {}, c.participants.map((p) => h('li', {}, `${code('participant', p.kind)} #${p.party_id}`)))),
    tr.el, chat);
  ctx.onLeave(() => { clearInterval(timer); [stream, screen].forEach((s) => s && s.getTracks().forEach((x) => x.stop())); });
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    local.srcObject = stream;
  } catch (e) { status.textContent = t('precall.noAccess'); }
  try {
    if (c.status === 'in_progress') { await ctx.api.consultationStep(id, 'join'); joined = true; }
  } catch (e) { if (e.status !== 409) status.textContent = e.message; else joined = true; }
  const sdk = await loadSdk();
  if (!sdk) status.textContent = t('call.noSdk');
  const check = async () => {
    const m = await measureNetwork();
    net.textContent = t(m.rttMs < 300 ? 'call.netGood' : m.rttMs < 800 ? 'call.netFair' : 'call.netPoor', { rtt: Math.round(m.rttMs) });
  };
  check();
  timer = setInterval(check, 15000);
}
