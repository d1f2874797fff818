// SPDX-License-Identifier: Apache-2.0
// therapist.js - therapists (and, for outcomes and alerts, the family
// doctors of the resident's team): the plans they are on (FHIR CarePlan
// search answers only what the caller may read); one plan's goals,
// exercises, weekly schedule, sessions, adherence, outcomes charts and
// alerts, with the plan editor for a therapist on it (goals, exercises from
// the library with sets and reps, the week's days and times, generating the
// sessions); the exercise library (their own exercises with Chinese and
// English instructions and a demo video); the review queue (the recording
// played through a ticket URL, a score and a note); the alerts list.
import { h, clear, append } from '../dom.js';
import { t, code, fmtDate, fmtTime, fmtPct } from '../i18n.js';
import { field, form, num, errorText } from '../forms.js';
import { barChart } from '../components/chart.js';
import { residentPicker } from './clinician.js';

export async function plans(ctx) {
  ctx.setTitle(t('plans.title'));
  const found = await ctx.api.fhirSearch('CarePlan', { _count: 100 });
  ctx.main.append(h('h1', {}, t('plans.title')),
    h('p', {}, h('a', { class: 'button', href: '#/plans/new', id: 'new-plan' }, t('rehab.newPlan'))));
  if (!found.length) { ctx.main.append(h('p', { class: 'muted' }, t('plans.none'))); return; }
  ctx.main.append(h('ul', {}, found.map((p) => h('li', {},
    h('a', { href: `#/plans/${p.id}` }, p.title || t('plans.plan', { id: p.id })), ' · ', code('planStatus', p.status === 'revoked' ? 'cancelled' : p.status)))));
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const MODES = ['self_guided', 'live_guided', 'home_visit'];
const dash = (v) => (v === null || v === undefined ? '—' : String(v));

// Outcomes as charts with their numbers in tables: Barthel index over
// time, pain before and after each session, adherence per week.
export function outcomeCharts(o) {
  return h('section', { 'aria-labelledby': 'outcomes-h', id: 'outcomes' }, h('h2', { id: 'outcomes-h' }, t('rehab.outcomes')),
    h('div', { class: 'charts' },
      o.barthel.length
        ? barChart({ title: t('rehab.barthelChart'), names: [t('rehab.barthel')], max: 100,
          groups: o.barthel.map((b) => ({ label: fmtDate(b.at), a: b.total })) })
        : h('p', { class: 'muted' }, t('rehab.noBarthel')),
      o.pain.length
        ? barChart({ title: t('rehab.painChart'), names: [t('rehab.painBefore'), t('rehab.painAfter')], max: 10, fmt: dash,
          groups: o.pain.map((p) => ({ label: fmtDate(p.at), a: p.pain_before, b: p.pain_after ?? null })) })
        : h('p', { class: 'muted' }, t('rehab.noPain')),
      barChart({ title: t('rehab.adherenceChart'), names: [t('rehab.done'), t('rehab.prescribed')],
        groups: o.adherence.map((w) => ({ label: fmtDate(w.week_start), a: w.done, b: w.prescribed })) })));
}

// An alert as one line, with "acknowledge" for an open one.
function alertItem(ctx, a, after) {
  const err = h('span', { class: 'field-error', role: 'alert' });
  return h('li', { class: 'card', id: `alert-${a.id}` },
    h('strong', {}, t(`rehab.alert.${a.kind}`, { value: a.value })), ' · ', fmtTime(a.raised_at), ' · ',
    h('a', { href: `#/plans/${a.plan_id}` }, t('plans.plan', { id: a.plan_id })), ' ',
    a.acknowledged_at ? h('span', {}, t('rehab.acknowledgedAt', { at: fmtTime(a.acknowledged_at) }))
      : h('button', { type: 'button', onclick: async () => {
        err.textContent = '';
        try { await ctx.api.acknowledgeAlert(a.id); ctx.announce(t('rehab.acknowledged')); after(); } catch (e) { err.textContent = errorText(e); }
      } }, t('rehab.acknowledge')), err);
}

export async function alerts(ctx) {
  ctx.setTitle(t('rehab.alertsTitle'));
  const list = (await ctx.api.rehabAlerts(false)).items;
  ctx.main.append(h('h1', {}, t('rehab.alertsTitle')));
  if (!list.length) { ctx.main.append(h('p', { class: 'muted', id: 'no-alerts' }, t('rehab.noAlerts'))); return; }
  const open = list.filter((a) => !a.acknowledged_at);
  ctx.main.append(h('p', { role: 'status' }, t('rehab.openAlerts', { n: open.length })),
    h('ul', { class: 'cards', id: 'alerts' }, list.map((a) => alertItem(ctx, a, ctx.rerender))));
}

// A new plan (draft) for a resident with an active contract that has the
// rehabilitation package: title, period, a first goal; the caller is its
// therapist. Exercises and the week are added on the plan's page.
export async function newPlan(ctx) {
  ctx.setTitle(t('rehab.newPlan'));
  const picker = residentPicker(ctx);
  const today = new Date().toISOString().slice(0, 10);
  const later = new Date(Date.now() + 56 * 86400000).toISOString().slice(0, 10);
  const title = field({ name: 'title', label: t('rehab.planTitle'), required: true });
  const from = field({ name: 'period_start', label: t('rehab.periodStart'), type: 'date', value: today, required: true });
  const to = field({ name: 'period_end', label: t('rehab.periodEnd'), type: 'date', value: later, required: true });
  const goal = field({ name: 'goals', label: t('rehab.goal') });
  const f = form({ fields: [title, from, to, goal], submitLabel: t('rehab.createPlan'),
    onSubmit: async (v) => {
      const residentId = picker.value();
      if (!residentId) throw { status: 422, field: 'resident_id', message: t('consult.pickResident') };
      const body = { title: v.title, period_start: v.period_start, period_end: v.period_end,
        therapist_ids: [ctx.user.practitioner_id] };
      if (v.goals.trim()) body.goals = [{ description: v.goals.trim() }];
      const p = await ctx.api.createRehabPlan(residentId, body);
      ctx.announce(t('rehab.planCreated'));
      ctx.navigate(`#/plans/${p.id}`);
    } });
  f.el.prepend(h('h2', {}, t('consult.patient')), picker.el, h('h2', {}, t('rehab.planDetails')));
  ctx.main.append(h('h1', {}, t('rehab.newPlan')), f.el);
}

export async function plan(ctx, id) {
  const p = await ctx.api.rehabPlan(id);
  const mine = ctx.hasRole(['therapist']) && p.therapist_ids.includes(ctx.user.practitioner_id);
  const open = p.status === 'draft' || p.status === 'active';
  ctx.setTitle(p.title);
  const kv = (k, v) => [h('dt', {}, t(k)), h('dd', {}, v ?? '—')];
  ctx.main.append(h('h1', {}, p.title), h('dl', { class: 'kv' },
    kv('consult.resident', h('a', { href: `#/residents/${p.resident_id}` }, String(p.resident_id))),
    kv('consult.status', code('planStatus', p.status)),
    kv('contract.period', `${fmtDate(p.period_start)} – ${fmtDate(p.period_end)}`)));
  if (mine && p.status === 'draft') {
    ctx.main.append(h('div', { class: 'actions' }, h('button', { type: 'button', id: 'plan-activate', onclick: async () => {
      try { await ctx.api.rehabPlanStep(id, 'activate'); ctx.announce(code('planStatus', 'active')); ctx.rerender(); } catch (e) { ctx.announce(errorText(e)); }
    } }, t('rehab.activate'))));
  }
  ctx.main.append(h('h2', {}, t('plans.goals')), h('ul', {}, p.goals.map((g) => h('li', {}, `${g.description} · ${code('goalStatus', g.status)}`))));
  if (mine && open) {
    const desc = field({ name: 'description', label: t('rehab.goal'), required: true });
    const target = field({ name: 'target', label: t('rehab.goalTarget') });
    ctx.main.append(form({ fields: [desc, target], submitLabel: t('rehab.addGoal'), label: t('rehab.addGoal'),
      onSubmit: async (v) => { await ctx.api.addRehabGoal(id, { description: v.description, target: v.target || undefined }); ctx.rerender(); } }).el);
  }
  ctx.main.append(h('h2', {}, t('plans.exercises')), h('ul', { id: 'plan-exercises' }, p.exercises.map((x) => h('li', {},
    `${x.name} · ${t('elder.setsReps', { sets: x.sets, reps: x.reps, per: x.sessions_per_week })}`))));
  if (mine && open) ctx.main.append(await exerciseForm(ctx, id));
  const [sessions, adh, sched, outcomes, planAlerts] = await Promise.all([ctx.api.rehabSessions(id), ctx.api.rehabAdherence(id),
    ctx.api.rehabSchedule(id), ctx.api.rehabOutcomes(id), ctx.api.planAlerts(id)]);
  ctx.main.append(h('h2', {}, t('rehab.schedule')), h('ul', { id: 'schedule' }, sched.slots.map((sl) => h('li', {},
    `${t(`rehab.weekday${sl.weekday}`)} ${sl.time} · ${code('sessionMode', sl.mode)}`))));
  if (mine && open) ctx.main.append(scheduleEditor(ctx, p, sched.slots));
  ctx.main.append(h('h2', {}, t('plans.adherence')),
    h('p', {}, t('plans.adherenceLine', { rate: fmtPct(adh.rate), done: adh.completed, n: adh.prescribed, missed: adh.missed })));
  ctx.main.append(outcomeCharts(outcomes));
  ctx.main.append(h('h2', {}, t('rehab.alertsTitle')), planAlerts.items.length
    ? h('ul', { class: 'cards' }, planAlerts.items.map((a) => alertItem(ctx, a, ctx.rerender)))
    : h('p', { class: 'muted' }, t('rehab.noAlerts')));
  ctx.main.append(h('h2', {}, t('plans.sessions')), h('ul', { id: 'sessions' }, sessions.items.map((s) => h('li', {},
    `${fmtTime(s.scheduled_at)} · ${code('sessionMode', s.mode)} · ${code('sessionStatus', s.status)} `,
    s.review_score ? `· ${t('rehab.scored', { score: s.review_score })} ` : '',
    s.mode === 'live_guided' && (s.status === 'scheduled' || s.status === 'in_progress')
      ? h('a', { href: `#/call/rehab-session/${s.id}` }, t('plans.joinCall', { id: s.id })) : null))));
}

// Add an exercise from the library: its default sets and reps unless
// changed, how many times a week.
async function exerciseForm(ctx, planId) {
  const lib = (await ctx.api.rehabLibrary()).items;
  if (!lib.length) return h('p', {}, h('a', { href: '#/library' }, t('rehab.libraryEmpty')));
  const pick = field({ name: 'library_id', label: t('rehab.fromLibrary'), kind: 'select', required: true,
    options: lib.map((x) => [x.id, `${x.name} (${t('rehab.defaults', { sets: x.default_sets, reps: x.default_reps })})`]) });
  const sets = field({ name: 'sets', label: t('rehab.sets'), type: 'number', attrs: { min: 1, max: 20 } });
  const reps = field({ name: 'reps', label: t('rehab.reps'), type: 'number', attrs: { min: 1, max: 200 } });
  const per = field({ name: 'sessions_per_week', label: t('rehab.perWeek'), type: 'number', value: '3', required: true, attrs: { min: 1, max: 14 } });
  return form({ fields: [pick, sets, reps, per], submitLabel: t('rehab.addExercise'), label: t('rehab.addExercise'),
    onSubmit: async (v) => {
      await ctx.api.addRehabExercise(planId, { library_id: Number(v.library_id),
        sets: num(v.sets), reps: num(v.reps), sessions_per_week: Number(v.sessions_per_week) });
      ctx.announce(t('rehab.exerciseAdded'));
      ctx.rerender();
    } }).el;
}

// The week: rows of day, time and mode; saving replaces the week; then
// "generate" makes the sessions of the plan's period from it.
function scheduleEditor(ctx, p, slots) {
  const rows = h('div', { id: 'slots' });
  const addRow = (sl = { weekday: 1, time: '09:30', mode: 'self_guided' }) => {
    const n = rows.children.length + 1;
    const row = h('fieldset', { class: 'slot row' }, h('legend', {}, t('rehab.slot', { n })),
      field({ name: `slots.${n - 1}.weekday`, label: t('rehab.weekday'), kind: 'select', value: sl.weekday,
        options: WEEKDAYS.map((d) => [d, t(`rehab.weekday${d}`)]) }).wrap,
      field({ name: `slots.${n - 1}.time`, label: t('rehab.time'), type: 'time', value: sl.time }).wrap,
      field({ name: `slots.${n - 1}.mode`, label: t('rehab.mode'), kind: 'select', value: sl.mode,
        options: MODES.map((m) => [m, code('sessionMode', m)]) }).wrap,
      h('button', { type: 'button', class: 'secondary', onclick: () => row.remove() }, t('rehab.removeSlot')));
    rows.append(row);
  };
  slots.forEach(addRow);
  const err = h('div', { class: 'form-error', role: 'alert' });
  const save = async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    const body = { slots: [...rows.children].map((row) => {
      const [wd, tm, md] = row.querySelectorAll('select, input');
      const sl = { weekday: Number(wd.value), time: tm.value, mode: md.value };
      if (md.value !== 'self_guided') sl.therapist_id = ctx.user.practitioner_id;
      return sl;
    }) };
    try {
      await ctx.api.setRehabSchedule(p.id, body);
      const g = await ctx.api.generateSessions(p.id);
      ctx.announce(t('rehab.generated', { n: g.created }));
      ctx.rerender();
    } catch (e) { err.textContent = errorText(e); err.setAttribute('tabindex', '-1'); err.focus(); }
  };
  return h('form', { 'aria-label': t('rehab.scheduleEdit'), onsubmit: save }, rows,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => addRow() }, t('rehab.addSlot')),
      h('button', { type: 'submit', id: 'schedule-save' }, t('rehab.saveGenerate'))), err);
}

// ---- the exercise library ----

export async function library(ctx) {
  ctx.setTitle(t('rehab.libraryTitle'));
  const lib = (await ctx.api.rehabLibrary()).items;
  ctx.main.append(h('h1', {}, t('rehab.libraryTitle')),
    lib.length ? h('ul', { class: 'cards', id: 'library' }, lib.map((x) => h('li', { class: 'card' }, h('h2', {}, x.name),
      h('p', {}, t('rehab.defaults', { sets: x.default_sets, reps: x.default_reps })),
      x.video ? h('video', { class: 'demo', controls: true, preload: 'none', src: x.video.url, 'aria-label': t('rehab.demoVideo', { name: x.name }) })
        : h('p', { class: 'muted' }, t('rehab.noDemo')))))
      : h('p', { class: 'muted' }, t('rehab.libraryNone')));
  if (!ctx.hasRole(['therapist', 'admin'])) return;
  const name = field({ name: 'name', label: t('rehab.exName'), required: true });
  const zh = field({ name: 'instructions_zh', label: t('rehab.instructionsZh'), kind: 'textarea', required: true, attrs: { lang: 'zh-CN' } });
  const en = field({ name: 'instructions_en', label: t('rehab.instructionsEn'), kind: 'textarea', required: true, attrs: { lang: 'en' } });
  const sets = field({ name: 'default_sets', label: t('rehab.sets'), type: 'number', value: '3', required: true, attrs: { min: 1, max: 20 } });
  const reps = field({ name: 'default_reps', label: t('rehab.reps'), type: 'number', value: '10', required: true, attrs: { min: 1, max: 200 } });
  const video = field({ name: 'video', label: t('rehab.demoFile'), type: 'file', hint: t('rehab.demoFileHint'), attrs: { accept: 'video/webm,video/mp4' } });
  const progress = h('p', { role: 'status', id: 'library-progress' });
  const f = form({ fields: [name, zh, en, sets, reps, video], extra: [progress], submitLabel: t('rehab.addToLibrary'), label: t('rehab.addOwn'),
    onSubmit: async (v) => {
      // A failed video upload after the exercise was made does not make it
      // again: the next submit sends only the video.
      let ex = f.made;
      if (!ex) {
        ex = await ctx.api.addLibraryExercise({ name: v.name, instructions_zh: v.instructions_zh, instructions_en: v.instructions_en,
          default_sets: Number(v.default_sets), default_reps: Number(v.default_reps) });
        f.made = ex;
      }
      const file = video.input.files[0];
      if (file) {
        try {
          await ctx.api.uploadResumable(file, (size, sha) => ctx.api.libraryVideoUpload(ex.id, size, sha), {
            onProgress: (off, size) => { progress.textContent = t('rehab.uploading', { pct: Math.round((100 * off) / size) }); } });
        } catch (e) { throw Object.assign(e, { field: 'video' }); }
      }
      ctx.announce(t('rehab.libraryAdded', { name: ex.name }));
      ctx.rerender();
    } });
  ctx.main.append(h('h2', {}, t('rehab.addOwn')), f.el);
}

// ---- the review queue ----

export async function reviews(ctx) {
  ctx.setTitle(t('rehab.reviewsTitle'));
  const queue = (await ctx.api.rehabReviews()).items;
  ctx.main.append(h('h1', {}, t('rehab.reviewsTitle')));
  if (!queue.length) { ctx.main.append(h('p', { class: 'muted', id: 'reviews-none' }, t('rehab.reviewsNone'))); return; }
  ctx.main.append(h('ul', { class: 'cards', id: 'reviews' }, queue.map((s) => reviewItem(ctx, s))));
}

function reviewItem(ctx, s) {
  const player = h('div', { class: 'player' });
  const play = h('button', { type: 'button', class: 'secondary', id: `play-${s.id}`, onclick: async () => {
    try {
      // A ticket URL: the <video> fetches it (with Range) and no token.
      const tk = await ctx.api.recordingTicket(s.id);
      append(clear(player), [h('video', { controls: true, src: tk.url, id: `recording-${s.id}`, 'aria-label': t('rehab.recordingOf', { id: s.id }) })]);
      player.querySelector('video').focus();
    } catch (e) { append(clear(player), [h('p', { class: 'form-error', role: 'alert' }, errorText(e))]); }
  } }, t('rehab.play'));
  const score = h('fieldset', { class: 'scale' }, h('legend', {}, t('rehab.score')),
    [1, 2, 3, 4, 5].map((v) => h('label', {}, h('input', { type: 'radio', name: `score-${s.id}`, value: String(v) }), t(`rehab.score${v}`))));
  const note = field({ name: 'text', label: t('rehab.note'), kind: 'textarea' });
  const f = form({ fields: [note], extra: [score], submitLabel: t('rehab.saveReview'), label: t('rehab.reviewOf', { id: s.id }),
    onSubmit: async (v) => {
      const c = score.querySelector('input:checked');
      if (!c) throw { status: 422, field: null, message: t('rehab.pickScore') };
      if (!f.scored) { await ctx.api.reviewSession(s.id, Number(c.value)); f.scored = true; }
      if (v.text.trim()) await ctx.api.noteSession(s.id, v.text.trim());
      ctx.announce(t('rehab.reviewed'));
      ctx.rerender();
    } });
  return h('li', { class: 'card', id: `review-${s.id}` },
    h('h2', {}, t('rehab.reviewOf', { id: s.id })),
    h('p', {}, `${fmtTime(s.ended_at || s.scheduled_at)} · ${t('rehab.selfReport', { done: s.completion_pct, before: dash(s.pain_before), after: dash(s.pain_after), diff: dash(s.difficulty) })}`),
    h('p', {}, h('a', { href: `#/plans/${s.plan_id}` }, t('plans.plan', { id: s.plan_id }))),
    s.recording_url ? [play, player] : h('p', { class: 'muted' }, t('rehab.noRecording')), f.el);
}

// ---- during a live session (the call page): mark sets done ----

// A panel for the call page of a live-guided session: each exercise's sets
// as buttons; the count follows the room's rehab-set-done messages.
export async function setsPanel(ctx, sessionId, room) {
  const s = await ctx.api.rehabSession(sessionId);
  const p = await ctx.api.rehabPlan(s.plan_id);
  const mine = ctx.hasRole(['therapist']) && p.therapist_ids.includes(ctx.user.practitioner_id);
  const count = h('p', { role: 'status', id: 'sets-count' });
  const err = h('p', { class: 'form-error', role: 'alert' });
  const box = h('section', { 'aria-labelledby': 'sets-h', id: 'sets-panel' }, h('h2', { id: 'sets-h' }, t('rehab.setsTitle')), count, err);
  const buttons = new Map();
  const setCount = (sets) => { count.textContent = t('rehab.setsCount', { done: sets.done, n: sets.prescribed }); };
  const markDone = (exId, set) => {
    const b = buttons.get(`${exId}:${set}`);
    if (b) { b.disabled = true; b.setAttribute('aria-pressed', 'true'); b.textContent = t('rehab.setDone', { n: set }); }
  };
  for (const x of p.exercises) {
    box.append(h('h3', {}, x.name), h('div', { class: 'actions', role: 'group', 'aria-label': x.name },
      Array.from({ length: x.sets }, (_, i) => {
        const b = h('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false', disabled: !mine,
          onclick: async () => {
            err.textContent = '';
            try { const r = await ctx.api.markSetDone(sessionId, x.id, i + 1); markDone(x.id, i + 1); setCount(r.sets); } catch (e) { err.textContent = errorText(e); }
          } }, t('rehab.markSet', { n: i + 1 }));
        buttons.set(`${x.id}:${i + 1}`, b);
        return b;
      })));
  }
  try { setCount((await ctx.api.rehabAttendance(sessionId)).sets); } catch (e) { /* shown as the room's messages come */ }
  room.on('set-done', (m) => { markDone(m.exercise_id, m.set); setCount(m.sets); ctx.announce(t('rehab.setDoneAnnounce', { n: m.set })); });
  return box;
}
