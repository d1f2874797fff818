// SPDX-License-Identifier: Apache-2.0
// therapist.js - therapists: the plans they are on (FHIR CarePlan search
// answers only what the caller may read) and one plan's exercises,
// sessions and adherence. Writing plans is the rehab issue's pages.
import { h } from '../dom.js';
import { t, code, fmtDate, fmtTime, fmtPct } from '../i18n.js';

export async function plans(ctx) {
  ctx.setTitle(t('plans.title'));
  const found = await ctx.api.fhirSearch('CarePlan', { _count: 100 });
  ctx.main.append(h('h1', {}, t('plans.title')));
  if (!found.length) { ctx.main.append(h('p', { class: 'muted' }, t('plans.none'))); return; }
  ctx.main.append(h('ul', {}, found.map((p) => h('li', {},
    h('a', { href: `#/plans/${p.id}` }, p.title || t('plans.plan', { id: p.id })), ' · ', code('planStatus', p.status === 'revoked' ? 'cancelled' : p.status)))));
}

export async function plan(ctx, id) {
  const p = await ctx.api.rehabPlan(id);
  ctx.setTitle(p.title);
  const kv = (k, v) => [h('dt', {}, t(k)), h('dd', {}, v ?? '—')];
  ctx.main.append(h('h1', {}, p.title), h('dl', { class: 'kv' },
    kv('consult.resident', h('a', { href: `#/residents/${p.resident_id}` }, String(p.resident_id))),
    kv('consult.status', code('planStatus', p.status)),
    kv('contract.period', `${fmtDate(p.period_start)} – ${fmtDate(p.period_end)}`)));
  ctx.main.append(h('h2', {}, t('plans.goals')), h('ul', {}, p.goals.map((g) => h('li', {}, `${g.description} · ${code('goalStatus', g.status)}`))));
  ctx.main.append(h('h2', {}, t('plans.exercises')), h('ul', {}, p.exercises.map((x) => h('li', {},
    `${x.name} · ${t('elder.setsReps', { sets: x.sets, reps: x.reps, per: x.sessions_per_week })}`))));
  const [sessions, adh] = await Promise.all([ctx.api.rehabSessions(id), ctx.api.rehabAdherence(id)]);
  ctx.main.append(h('h2', {}, t('plans.adherence')),
    h('p', {}, t('plans.adherenceLine', { rate: fmtPct(adh.rate), done: adh.completed, n: adh.prescribed, missed: adh.missed })));
  ctx.main.append(h('h2', {}, t('plans.sessions')), h('ul', {}, sessions.items.map((s) => h('li', {},
    `${fmtTime(s.scheduled_at)} · ${code('sessionMode', s.mode)} · ${code('sessionStatus', s.status)} `,
    s.mode === 'live_guided' && (s.status === 'scheduled' || s.status === 'in_progress')
      ? h('a', { href: `#/call/rehab-session/${s.id}` }, t('plans.joinCall', { id: s.id })) : null))));
}
