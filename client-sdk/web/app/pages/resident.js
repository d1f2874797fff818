// SPDX-License-Identifier: Apache-2.0
// resident.js - residents and carers ("elder mode", body.elder): today's
// page with one large button for today's rehabilitation session, the plan's
// exercises and the next sessions; a session's page to start it and report
// how it went (pain 0-10, difficulty 1-5, how much was done). Large text
// (and a text-size control up to 200%), 60 px targets, no time limits, and a
// transcript area that keeps every message visible.
import { h } from '../dom.js';
import { t, code, fmtTime } from '../i18n.js';
import { form } from '../forms.js';

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
  ctx.main.append(h('p', {}, h('a', { class: 'button secondary', href: '#/precall' }, t('nav.precall'))));
}

function scale(name, legend, values, labelOf) {
  return h('fieldset', { class: 'scale' }, h('legend', {}, legend),
    values.map((v) => h('label', {}, h('input', { type: 'radio', name, value: String(v) }), labelOf(v))));
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
  const s = await ctx.api.request('GET', `/api/v1/rehab-sessions/${id}`);
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
  } else if (s.status === 'in_progress') {
    const done = scale('completion_pct', t('elder.howMuch'), [100, 75, 50, 25, 0], (v) => t(`elder.done${v}`));
    const pain = scale('pain_after', t('elder.painAfter'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (v) => String(v));
    const diff = scale('difficulty', t('elder.difficulty'), [1, 2, 3, 4, 5], (v) => t(`elder.difficulty${v}`));
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
    ctx.main.append(h('h2', {}, t('elder.afterExercise')), f.el, tr.el);
  } else {
    ctx.main.append(h('p', { class: 'card', role: 'status' }, t('elder.sessionClosed', { status: code('sessionStatus', s.status) })),
      h('a', { class: 'button big-button', href: '#/today' }, t('elder.backToday')));
  }
}
