// SPDX-License-Identifier: Apache-2.0
// resident.js - residents and carers ("elder mode", body.elder): today's
// page with one large button for today's rehabilitation session, the plan's
// exercises and the next sessions; a session's page to start it and report
// how it went (pain 0-10, difficulty 1-5, how much was done). Large text
// (and a text-size control up to 200%), 60 px targets, no time limits, and a
// transcript area that keeps every message visible.
import { h, clear, append } from '../dom.js';
import { t, code, fmtTime, getLang } from '../i18n.js';
import { form, errorText } from '../forms.js';

const SIZES = [100, 150, 200];

function applySize(pct) {
  document.documentElement.style.fontSize = pct === 100 ? '' : `${pct * 1.125}%`;
}

// The text size chosen in elder mode applies there only (a clinician
// signing in on the same browser gets the standard size).
export function applySavedTextSize(elder) {
  applySize(elder ? Number(localStorage.getItem('telecare.textSize') || 100) : 100);
}

function sizeControl() {
  const cur = Number(localStorage.getItem('telecare.textSize') || 100);
  return h('div', { class: 'actions', role: 'group', 'aria-label': t('elder.textSize') },
    SIZES.map((p) => h('button', { type: 'button', class: p === cur ? '' : 'secondary', 'aria-pressed': String(p === cur),
      onclick: (e) => { localStorage.setItem('telecare.textSize', String(p)); applySize(p);
        for (const b of e.target.parentNode.children) { const on = b === e.target; b.className = on ? '' : 'secondary'; b.setAttribute('aria-pressed', String(on)); } } },
    t(`elder.size${p}`))));
}

// The resident this account acts for: the resident's own, or for a carer
// the first resident the server lets them read (FHIR Patient search answers
// only those).
async function whose(ctx) {
  if (ctx.user.resident_id) return ctx.api.resident(ctx.user.resident_id);
  const pats = await ctx.api.fhirSearch('Patient', { _count: 10 });
  if (!pats.length) return null;
  return ctx.api.resident(Number(pats[0].id));
}

const sameDay = (iso) => new Date(iso).toDateString() === new Date().toDateString();

async function sessionsOf(ctx, residentId) {
  const plans = (await ctx.api.rehabPlans(residentId)).items.filter((p) => p.status === 'active');
  const out = [];
  for (const p of plans) {
    for (const s of (await ctx.api.rehabSessions(p.id)).items) out.push({ ...s, plan: p });
  }
  out.sort((a, b) => a.scheduled_at.localeCompare(b.scheduled_at));
  return { plans, sessions: out };
}

export async function today(ctx) {
  ctx.setTitle(t('elder.title'));
  const r = await whose(ctx);
  if (!r) { ctx.main.append(h('h1', {}, t('elder.title')), h('p', {}, t('elder.noResident'))); return; }
  const { plans, sessions } = await sessionsOf(ctx, r.id);
  const open = sessions.filter((s) => s.status === 'scheduled' || s.status === 'in_progress');
  const todays = open.find((s) => s.status === 'in_progress') || open.find((s) => sameDay(s.scheduled_at));
  const next = open.find((s) => !sameDay(s.scheduled_at) && new Date(s.scheduled_at) > new Date());
  ctx.main.append(h('h1', {}, ctx.user.carer_id ? t('elder.helloCarer', { name: r.name }) : t('elder.hello', { name: r.name })), sizeControl());
  if (todays) {
    ctx.main.append(h('a', { class: 'button big-button', id: 'today-session', href: `#/sessions/${todays.id}` },
      todays.status === 'in_progress' ? t('elder.continueToday') : t('elder.startToday')),
    h('p', {}, t('elder.todayAt', { at: fmtTime(todays.scheduled_at), mode: code('sessionMode', todays.mode) })));
  } else {
    ctx.main.append(h('p', { class: 'card', id: 'no-session-today' }, t('elder.noSessionToday'),
      next ? ` ${t('elder.nextAt', { at: fmtTime(next.scheduled_at) })}` : ''));
  }
  for (const p of plans) {
    const full = await ctx.api.rehabPlan(p.id);
    ctx.main.append(h('section', { 'aria-labelledby': `plan-${p.id}` }, h('h2', { id: `plan-${p.id}` }, full.title),
      h('ul', { class: 'cards' }, full.exercises.map((x) => h('li', { class: 'card' }, h('h3', {}, x.name),
        x.instructions ? h('p', {}, x.instructions) : null,
        h('p', {}, t('elder.setsReps', { sets: x.sets, reps: x.reps, per: x.sessions_per_week })))))));
  }
  if (open.length) {
    ctx.main.append(h('h2', {}, t('elder.upcoming')), h('ul', {}, open.map((s) => h('li', {},
      h('a', { href: `#/sessions/${s.id}` }, `${fmtTime(s.scheduled_at)} · ${code('sessionMode', s.mode)}`)))));
  }
  ctx.main.append(h('p', { class: 'actions' }, h('a', { class: 'button secondary', href: '#/precall' }, t('nav.precall')),
    plans.length ? h('a', { class: 'button secondary', id: 'consent-link', href: '#/consent' }, t('rehab.consentLink')) : null));
}

// Consent to being recorded in a plan's sessions: given or withdrawn here,
// by the resident or the carer acting for them, at any time.
export async function consent(ctx) {
  ctx.setTitle(t('rehab.consentTitle'));
  const r = await whose(ctx);
  ctx.main.append(h('h1', {}, t('rehab.consentTitle')), h('p', {}, t('rehab.consentExplain')));
  if (!r) return;
  const plans = (await ctx.api.rehabPlans(r.id)).items.filter((p) => p.status === 'active' || p.status === 'draft');
  for (const p0 of plans) {
    const p = await ctx.api.rehabPlan(p0.id);
    const state = h('p', { role: 'status', id: `consent-state-${p.id}` },
      t(p.recording_consent ? 'rehab.consentOn' : 'rehab.consentOff'));
    const err = h('p', { class: 'form-error', role: 'alert' });
    const act = async (give) => {
      err.textContent = '';
      try {
        if (give) await ctx.api.giveRecordingConsent(p.id); else await ctx.api.withdrawRecordingConsent(p.id);
      } catch (e) {
        if (!(give ? e.status === 409 : e.status === 404)) { err.textContent = errorText(e); return; }
      }
      ctx.announce(t(give ? 'rehab.consentOn' : 'rehab.consentOff'));
      ctx.rerender();
    };
    ctx.main.append(h('section', { class: 'card', 'aria-labelledby': `consent-h-${p.id}` },
      h('h2', { id: `consent-h-${p.id}` }, p.title), state, err,
      h('div', { class: 'actions' }, p.recording_consent
        ? h('button', { type: 'button', class: 'secondary big-button', id: `consent-withdraw-${p.id}`, onclick: () => act(false) }, t('rehab.consentWithdraw'))
        : h('button', { type: 'button', class: 'big-button', id: `consent-give-${p.id}`, onclick: () => act(true) }, t('rehab.consentGive')))));
  }
  ctx.main.append(h('a', { class: 'button big-button secondary', href: '#/today' }, t('elder.backToday')));
}

function scale(name, legend, values, labelOf, pictureOf = null) {
  return h('fieldset', { class: pictureOf ? 'scale pictures' : 'scale' }, h('legend', {}, legend),
    values.map((v) => h('label', {}, h('input', { type: 'radio', name, value: String(v) }), pictureOf ? pictureOf(v) : null, labelOf(v))));
}

// The picture scale of difficulty: a face from smiling (1) to
// grimacing (5), beside the words (the picture is decoration for screen
// readers; the label says it).
const SVGNS = 'http://www.w3.org/2000/svg';
function face(level) {
  const svg = document.createElementNS(SVGNS, 'svg');
  const curve = [8, 4, 0, -4, -8][level - 1];
  const parts = [['circle', { cx: 20, cy: 20, r: 18, class: 'face' }], ['circle', { cx: 13, cy: 15, r: 2.5 }],
    ['circle', { cx: 27, cy: 15, r: 2.5 }], ['path', { d: `M 11 ${27 - curve / 2} Q 20 ${27 + curve} 29 ${27 - curve / 2}`, class: 'mouth' }]];
  svg.setAttribute('viewBox', '0 0 40 40'); svg.setAttribute('aria-hidden', 'true'); svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', `face-${level}`);
  for (const [tag, attrs] of parts) {
    const el = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    svg.append(el);
  }
  return svg;
}
const picked = (el, name) => { const c = el.querySelector(`input[name="${name}"]:checked`); return c ? Number(c.value) : undefined; };

// The transcript: every caption or chat line stays visible (role=log).
export function transcript() {
  const log = h('div', { class: 'transcript', role: 'log', 'aria-live': 'polite', tabindex: '0', 'aria-label': t('elder.transcript') },
    h('p', { class: 'muted' }, t('elder.transcriptEmpty')));
  return {
    el: h('section', { 'aria-labelledby': 'tr-h' }, h('h2', { id: 'tr-h' }, t('elder.transcript')), log),
    add(who, text) {
      const empty = log.querySelector('.muted');
      if (empty) empty.remove();
      log.append(h('p', {}, h('strong', {}, `${who}: `), text));
      log.scrollTop = log.scrollHeight;
    },
  };
}

export async function session(ctx, id) {
  const s = await ctx.api.rehabSession(id);
  const plan = await ctx.api.rehabPlan(s.plan_id);
  ctx.setTitle(t('elder.sessionTitle'));
  ctx.main.append(h('h1', {}, t('elder.sessionTitle')),
    h('p', {}, `${fmtTime(s.scheduled_at)} · ${code('sessionMode', s.mode)} · `, h('strong', { id: 'session-status' }, code('sessionStatus', s.status))));
  ctx.main.append(h('ol', { class: 'cards' }, plan.exercises.map((x) => h('li', { class: 'card' }, h('h2', {}, x.name),
    x.instructions ? h('p', {}, x.instructions) : null, h('p', {}, t('elder.setsReps', { sets: x.sets, reps: x.reps, per: x.sessions_per_week }))))));
  if (s.mode === 'live_guided' && (s.status === 'scheduled' || s.status === 'in_progress')) {
    ctx.main.append(h('a', { class: 'button big-button', id: 'join-video', href: `#/call/rehab-session/${s.id}` }, t('elder.joinVideo')));
  }
  if (s.status === 'scheduled') {
    const pain = scale('pain_before', t('elder.painBefore'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (v) => String(v));
    const f = form({ fields: [], extra: [pain], submitLabel: t('elder.start'),
      onSubmit: async () => {
        const p = picked(pain, 'pain_before');
        await ctx.api.startSession(id, p === undefined ? {} : { pain_before: p });
        ctx.announce(t('elder.started'));
        ctx.rerender();
      } });
    f.button.classList.add('big-button');
    ctx.main.append(h('h2', {}, t('elder.beforeStart')), f.el);
  } else if (s.status === 'in_progress' && s.mode === 'self_guided' && !ctx.exercisesDone) {
    await guided(ctx, s, plan);
  } else if (s.status === 'in_progress') {
    const done = scale('completion_pct', t('elder.howMuch'), [100, 75, 50, 25, 0], (v) => t(`elder.done${v}`));
    const pain = scale('pain_after', t('elder.painAfter'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (v) => String(v));
    const diff = scale('difficulty', t('elder.difficulty'), [1, 2, 3, 4, 5], (v) => t(`elder.difficulty${v}`), face);
    const f = form({ fields: [], extra: [done, pain, diff], submitLabel: t('elder.finish'),
      onSubmit: async () => {
        const body = { completion_pct: picked(done, 'completion_pct') ?? 100 };
        const pa = picked(pain, 'pain_after'); const d = picked(diff, 'difficulty');
        if (pa !== undefined) body.pain_after = pa;
        if (d !== undefined) body.difficulty = d;
        await ctx.api.finishSession(id, body);
        ctx.announce(t('elder.finished'));
        ctx.rerender();
      } });
    f.button.classList.add('big-button');
    const tr = transcript();
    const head = h('h2', { id: 'report-h', tabindex: '-1' }, t('elder.afterExercise'));
    ctx.main.append(ctx.uploadNote ? h('p', { class: 'card', id: 'upload-note' }, ctx.uploadNote) : null, head, f.el, tr.el);
    if (ctx.exercisesDone) head.focus();
  } else {
    ctx.main.append(h('p', { class: 'card', role: 'status' }, t('elder.sessionClosed', { status: code('sessionStatus', s.status) })),
      h('a', { class: 'button big-button', href: '#/today' }, t('elder.backToday')));
  }
}

// ---- the self-guided session ----

// The demo video of a plan exercise: its library exercise's (served by the
// server, no token needed), or none.
async function demoOf(ctx, x) {
  if (!x.library_id) return { video: null, instructions: x.instructions };
  try {
    const lib = await ctx.api.rehabExercise(x.library_id);
    return { video: lib.video ? lib.video.url : null,
      instructions: (getLang() === 'en' ? lib.instructions_en : lib.instructions_zh) || x.instructions };
  } catch (e) { return { video: null, instructions: x.instructions }; }
}

// Camera recording with MediaRecorder (WebM) while the resident follows
// the exercises; null when the browser, the camera or the consent is not
// there.
async function startRecorder() {
  if (!window.MediaRecorder || !navigator.mediaDevices) return null;
  let stream;
  try { stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false }); } catch (e) { return null; }
  // H.264 in WebM first: the server checks each upload with GStreamer
  // (1.22), which refuses Chromium's VP8/VP9 WebM ("cannot handle streams
  // without an initial alpha buffer"); VP8 where H.264 is not offered.
  const type = ['video/webm;codecs=h264', 'video/webm;codecs=vp8', 'video/webm'].find((m) => MediaRecorder.isTypeSupported(m));
  const rec = new MediaRecorder(stream, type ? { mimeType: type, videoBitsPerSecond: 1000000 } : {});
  const parts = [];
  rec.ondataavailable = (e) => { if (e.data && e.data.size) parts.push(e.data); };
  rec.start(1000);
  return {
    stream,
    stop: () => new Promise((resolve) => {
      rec.onstop = () => { stream.getTracks().forEach((x) => x.stop()); resolve(new Blob(parts, { type: rec.mimeType || 'video/webm' })); };
      rec.stop();
    }),
    cancel: () => { try { rec.stop(); } catch (e) { /* stopped */ } stream.getTracks().forEach((x) => x.stop()); },
  };
}

// One exercise after another: the demo video and the instructions, the
// camera recording (with consent), then the upload, then the report. No
// step has a time limit; "next" moves on when the resident chooses.
async function guided(ctx, s, plan) {
  const xs = plan.exercises;
  const demos = await Promise.all(xs.map((x) => demoOf(ctx, x)));
  const recState = h('p', { role: 'status', id: 'rec-state' });
  const box = h('section', { 'aria-labelledby': 'ex-h', id: 'exercise' });
  ctx.main.append(recState, box);
  let recorder = null;
  if (plan.recording_consent) {
    recorder = await startRecorder();
    recState.textContent = t(recorder ? 'rehab.recording' : 'rehab.noCamera');
    if (recorder) recState.classList.add('rec');
  } else {
    recState.append(t('rehab.notRecording'), ' ', h('a', { href: '#/consent' }, t('rehab.consentLink')));
  }
  ctx.onLeave(() => { if (recorder) recorder.cancel(); });
  const show = (i) => {
    const x = xs[i];
    const d = demos[i];
    const last = i === xs.length - 1;
    append(clear(box), [
      h('h2', { id: 'ex-h', tabindex: '-1' }, t('rehab.exerciseOf', { i: i + 1, n: xs.length, name: x.name })),
      d.video ? h('video', { class: 'demo', controls: true, preload: 'metadata', src: d.video, id: 'demo-video',
        'aria-label': t('rehab.demoVideo', { name: x.name }) }) : h('p', { class: 'muted' }, t('rehab.noDemo')),
      d.instructions ? h('p', { class: 'instructions' }, d.instructions) : null,
      h('p', {}, t('elder.setsReps', { sets: x.sets, reps: x.reps, per: x.sessions_per_week })),
      h('div', { class: 'actions' },
        i > 0 ? h('button', { type: 'button', class: 'secondary big-button', onclick: () => show(i - 1) }, t('rehab.previous')) : null,
        h('button', { type: 'button', class: 'big-button', id: last ? 'exercises-done' : 'next-exercise',
          onclick: () => (last ? done() : show(i + 1)) }, t(last ? 'rehab.allDone' : 'rehab.next'))),
    ]);
    box.querySelector('h2').focus();
  };
  const report = () => { ctx.exercisesDone = true; ctx.main.textContent = ''; return session(ctx, s.id); };
  const done = async () => {
    if (!recorder) { await report(); return; }
    const blob = await recorder.stop();
    recorder = null;
    const progress = h('progress', { max: '100', value: '0', id: 'upload-progress', 'aria-labelledby': 'up-h' });
    const msg = h('p', { role: 'status', id: 'upload-state' }, t('rehab.uploading', { pct: 0 }));
    const err = h('p', { class: 'form-error', role: 'alert' });
    append(clear(box), [h('h2', { id: 'up-h', tabindex: '-1' }, t('rehab.uploadTitle')), progress, msg, err]);
    box.querySelector('h2').focus();
    try {
      await ctx.api.uploadResumable(blob, (size, sha) => ctx.api.recordingUpload(s.id, size, sha), {
        onProgress: (off, size) => {
          const pct = Math.round((100 * off) / size);
          progress.value = pct;
          msg.textContent = ctx.api.offline ? t('rehab.uploadResuming') : t('rehab.uploading', { pct });
        },
      });
      ctx.uploadNote = t('rehab.uploaded');
    } catch (e) {
      // The recording could not be kept (refused, or the consent gone):
      // the report still goes in.
      ctx.uploadNote = `${t('rehab.uploadFailed')} ${errorText(e)}`;
    }
    ctx.announce(ctx.uploadNote);
    await report();
  };
  show(0);
}
