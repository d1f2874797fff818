// SPDX-License-Identifier: Apache-2.0
// rehab-fallback.js - low bandwidth in a live-guided rehab session (issue
// 10): when the resident's link is poor the call falls back to audio only
// and the current exercise's demo video (served by the server, no token
// needed) plays locally on the resident's page instead of the therapist's
// camera being the only guide; video comes back when the link improves.
//
//   resident's page                         therapist's page
//   net-level events (#call-net, from the   state line: who is on audio
//   SDK's stats every 2 s): 2 Poor in a     only, why, which demo plays;
//   row -> audio only (auto); 3 Good in a   a button asking the resident
//   row -> video again (only when auto)     to switch (either way)
//   a button: audio only by choice
//   (sticky until pressed again)
//
// Audio only is the SDK's setAudioOnly (the video sender's track is
// replaced by none: no video leaves the browser, the server tells the
// room the track went down). The state goes to the others over the SDK's
// data channel: {"type":"rehab-fallback","on","reason","exercise"}; the
// therapist's request is {"type":"rehab-fallback-ask","on"}. The current
// exercise is the first whose sets are not all marked done (the room's
// rehab-set-done messages move it on).
import { h } from './dom.js';
import { t, getLang } from './i18n.js';

const POOR_READINGS = 2; // Poor readings in a row before falling back
const GOOD_READINGS = 3; // Good readings in a row before video again
const RETRY_MS = 1000; // a state message waiting for the data channel

// The demo video URL of a plan exercise (its library exercise's), or null.
async function demoOf(ctx, x) {
  if (!x.library_id) return { url: null, instructions: x.instructions || '' };
  try {
    const lib = await ctx.api.rehabExercise(x.library_id);
    return { url: lib.video ? lib.video.url : null,
      instructions: (getLang() === 'en' ? lib.instructions_en : lib.instructions_zh) || x.instructions || '' };
  } catch (e) { return { url: null, instructions: x.instructions || '' }; }
}

// The panel for session `sessionId` in call room `room`; `net` is the call
// page's network indicator. Returns { el, attach(call) }: attach once the
// SDK's Call exists.
export async function fallbackPanel(ctx, { sessionId, room, net }) {
  const s = await ctx.api.rehabSession(sessionId);
  const plan = await ctx.api.rehabPlan(s.plan_id);
  const patient = ctx.hasRole(['resident', 'carer']);
  const xs = plan.exercises || [];
  const marked = new Map(); // exercise id -> sets marked done here
  let current = 0;
  let call = null;
  let on = false; let reason = null; let poor = 0; let good = 0;
  let pending = null; // a message the data channel could not take yet
  let remoteOn = false;

  const stateLine = h('p', { role: 'status', id: 'rehab-fallback-state' });
  const video = h('video', { id: 'rehab-demo', muted: true, loop: true, playsinline: true, preload: 'auto', hidden: true });
  const note = h('p', { id: 'rehab-demo-note', class: 'muted', hidden: true });
  const toggle = h('button', { type: 'button', id: 'rehab-fallback', class: 'secondary', 'aria-pressed': 'false' },
    t(patient ? 'rehab.fallbackOn' : 'rehab.fallbackAskOn'));
  const box = h('section', { 'aria-labelledby': 'fallback-h', id: 'rehab-fallback-panel' },
    h('h2', { id: 'fallback-h' }, t('rehab.fallbackTitle')), stateLine, toggle, note, video);

  const nameOf = (peer) => { const p = room.peers.get(peer); return p ? (p.name || p.peer) : peer; };
  const exercise = () => xs[current] || null;

  const send = (msg) => {
    pending = msg;
    const flush = () => {
      if (!pending || !box.isConnected) return;
      if (call && call.sendData(JSON.stringify(pending))) { pending = null; return; }
      setTimeout(flush, RETRY_MS);
    };
    flush();
  };
  const tell = () => send({ type: 'rehab-fallback', on, reason, exercise: exercise() ? exercise().name : null });

  const showDemo = async () => {
    const x = exercise();
    if (!on || !x) {
      video.pause();
      video.hidden = true; note.hidden = true;
      return;
    }
    const d = await demoOf(ctx, x);
    if (!on) return; // switched back meanwhile
    note.hidden = false;
    if (!d.url) {
      video.hidden = true; video.pause();
      note.textContent = t('rehab.fallbackNoDemo', { name: x.name, instructions: d.instructions });
      return;
    }
    note.textContent = t('rehab.demoVideo', { name: x.name });
    video.setAttribute('aria-label', t('rehab.demoVideo', { name: x.name }));
    if (video.getAttribute('src') !== d.url) video.src = d.url;
    video.hidden = false;
    video.play().catch(() => { /* shown with its first frame; the resident may press play */ });
  };

  const apply = async (next, why) => {
    if (next === on) return;
    on = next; reason = next ? why : null; poor = 0; good = 0;
    if (call) await call.setAudioOnly(on).catch(() => {});
    toggle.setAttribute('aria-pressed', String(on));
    toggle.textContent = t(on ? 'rehab.fallbackOff' : 'rehab.fallbackOn');
    stateLine.textContent = on ? t(`rehab.fallbackStateOn.${why}`, { name: exercise() ? exercise().name : '' }) : t('rehab.fallbackStateOff');
    ctx.announce(stateLine.textContent);
    await showDemo();
    tell();
  };

  // The resident's link, as the call page's indicator reads it.
  const onLevel = (level) => {
    if (level === 'Poor') { poor += 1; good = 0; } else if (level === 'Good') { good += 1; poor = 0; } else { poor = 0; good = 0; }
    if (!on && poor >= POOR_READINGS) apply(true, 'auto');
    else if (on && reason === 'auto' && good >= GOOD_READINGS) apply(false, 'auto');
  };

  const showRemote = (peer, m) => {
    remoteOn = !!m.on;
    toggle.setAttribute('aria-pressed', String(remoteOn));
    toggle.textContent = t(remoteOn ? 'rehab.fallbackAskOff' : 'rehab.fallbackAskOn');
    stateLine.dataset.peer = peer;
    stateLine.dataset.on = String(remoteOn);
    stateLine.textContent = remoteOn
      ? t('rehab.fallbackPeerOn', { who: nameOf(peer), why: t(`rehab.fallbackWhy.${m.reason}`), name: m.exercise || '' })
      : t('rehab.fallbackPeerOff', { who: nameOf(peer) });
  };

  if (patient) {
    toggle.addEventListener('click', () => apply(!on, 'choice'));
    net.addEventListener('net-level', (e) => onLevel(e.detail));
  } else {
    toggle.addEventListener('click', () => send({ type: 'rehab-fallback-ask', on: !remoteOn }));
  }
  // The therapist moves through the exercises by marking their sets.
  room.on('set-done', (m) => {
    marked.set(m.exercise_id, (marked.get(m.exercise_id) || 0) + 1);
    const before = current;
    while (current < xs.length - 1 && (marked.get(xs[current].id) || 0) >= xs[current].sets) current += 1;
    if (current !== before && on) { showDemo(); tell(); }
  });

  return {
    el: box,
    attach(c) {
      call = c;
      c.on('data', ({ peer, text }) => {
        let m;
        try { m = JSON.parse(text); } catch (e) { return; }
        if (!m) return;
        if (m.type === 'rehab-fallback' && !patient) showRemote(peer, m);
        else if (m.type === 'rehab-fallback-ask' && patient) apply(!!m.on, 'therapist');
      });
      // a newcomer learns where we are
      c.on('stream', () => { if (patient && on) tell(); });
    },
  };
}
