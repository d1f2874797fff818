// SPDX-License-Identifier: Apache-2.0
// family.js - family doctors: the team's panel of contracted residents by
// their next due follow-up (overdue first marked), a resident's record, a
// contract's page with its actions (sign, renew, terminate, withdraw) and
// follow-ups (record done or missed), a new offer, and the statistics as
// charts (signing rate, follow-ups done vs due, renewal rate, rehab
// adherence).
import { h } from '../dom.js';
import { t, code, fmtDate, fmtTime, fmtPct } from '../i18n.js';
import { field, form, num } from '../forms.js';
import { barChart } from '../components/chart.js';
import { patientStudies, studyList } from '../studies.js';
import { residentChain } from './referrals.js';

const PACKAGES = ['basic', 'disability_rehab', 'elderly_care', 'chronic_disease', 'maternal_child'];

// The teams the signed-in practitioner belongs to: their roles'
// organizations' teams that list them as a member. Kept for the tab.
export async function myTeams(ctx) {
  const cached = sessionStorage.getItem('telecare.teams');
  if (cached) return JSON.parse(cached);
  const me = ctx.user.practitioner_id;
  const p = await ctx.api.practitioner(me);
  const teams = [];
  for (const orgId of new Set(p.roles.map((r) => r.organization_id))) {
    for (const tm of (await ctx.api.orgTeams(orgId)).items) {
      const full = await ctx.api.team(tm.id);
      if (full.members.some((m) => m.practitioner_id === me)) teams.push({ id: tm.id, name: tm.name });
    }
  }
  sessionStorage.setItem('telecare.teams', JSON.stringify(teams));
  return teams;
}

export async function panel(ctx) {
  ctx.setTitle(t('panel.title'));
  const teams = await myTeams(ctx);
  ctx.main.append(h('h1', {}, t('panel.title')),
    h('p', {}, h('a', { class: 'button', href: '#/contracts/new' }, t('contract.offerNew'))));
  if (!teams.length) { ctx.main.append(h('p', {}, t('panel.noTeam'))); return; }
  const offset = Number(new URLSearchParams(location.hash.split('?')[1] || '').get('offset') || 0);
  for (const team of teams) {
    const p = await ctx.api.panel(team.id, { offset, limit: 20 });
    const rows = p.items.map((r) => h('tr', {},
      h('td', {}, h('a', { href: `#/residents/${r.resident_id}` }, r.name)),
      h('td', {}, code('sex', r.sex)), h('td', {}, fmtDate(r.birth_date)), h('td', {}, r.village || '—'),
      h('td', {}, fmtDate(r.next_due_date)), h('td', {}, code('followupKind', r.next_kind)),
      h('td', {}, r.overdue ? h('span', { class: 'badge overdue' }, t('panel.overdue', { n: r.n_overdue })) : h('span', { class: 'badge ok' }, t('panel.onTime'))),
      h('td', {}, h('a', { href: `#/contracts/${r.contract_id}` }, t('panel.contract', { id: r.contract_id })))));
    ctx.main.append(h('section', { 'aria-labelledby': `team-${team.id}` },
      h('h2', { id: `team-${team.id}` }, team.name),
      h('p', {}, t('panel.summary', { n: p.items.length, o: p.items.filter((r) => r.overdue).length })),
      p.items.length ? h('div', { class: 'table-wrap' }, h('table', { id: `panel-${team.id}` },
        h('caption', { class: 'sr-only' }, team.name),
        h('thead', {}, h('tr', {}, ['resident.name', 'resident.sex', 'resident.birthDate', 'resident.village', 'panel.nextDue',
          'panel.nextKind', 'panel.state', 'panel.contractCol'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, rows))) : h('p', { class: 'muted' }, t('panel.empty')),
      h('div', { class: 'actions' },
        offset > 0 ? h('a', { class: 'button secondary', href: `#/panel?offset=${Math.max(0, offset - 20)}` }, t('app.previous')) : null,
        p.items.length === 20 ? h('a', { class: 'button secondary', href: `#/panel?offset=${offset + 20}` }, t('app.next')) : null)));
  }
}

export async function resident(ctx, id) {
  const r = await ctx.api.resident(id);
  ctx.setTitle(r.name);
  const kv = (k, v) => [h('dt', {}, t(k)), h('dd', {}, v ?? '—')];
  ctx.main.append(h('h1', {}, r.name),
    h('dl', { class: 'kv' }, kv('resident.sex', code('sex', r.sex)), kv('resident.birthDate', fmtDate(r.birth_date)),
      kv('resident.township', r.township), kv('resident.village', r.village), kv('resident.phone', r.phone),
      kv('resident.disability', r.disability_category ? `${code('disability', r.disability_category)} · ${t('resident.grade', { g: r.disability_grade })}` : '—')));
  if (ctx.hasRole(['township_doctor', 'family_doctor'])) {
    ctx.main.append(h('p', {}, h('a', { class: 'button danger big', id: 'resident-emergency', href: `#/emergencies/new?resident=${r.id}` }, t('emergency.bigButton'))));
  }
  // Each section shows what this caller may read; a refusal hides it.
  try {
    const contracts = (await ctx.api.contracts(id)).items;
    ctx.main.append(h('h2', {}, t('contract.list')), h('ul', {}, contracts.map((c) => h('li', {},
      h('a', { href: `#/contracts/${c.id}` }, t('contract.line', { id: c.id, from: fmtDate(c.period_start), to: fmtDate(c.period_end) })),
      ' · ', code('contractStatus', c.status), ' · ', c.packages.map((p) => code('package', p)).join('、')))));
  } catch (e) { if (e.status !== 403) throw e; }
  try {
    const studies = await patientStudies(ctx.api, id);
    ctx.main.append(h('h2', {}, t('studies.title')), studyList(studies));
  } catch (e) { if (e.status !== 403) throw e; }
  try {
    ctx.main.append(await residentChain(ctx, id));
  } catch (e) { if (e.status !== 403) throw e; }
  try {
    const tl = (await ctx.api.timeline(id, { limit: 30 })).items;
    ctx.main.append(h('h2', {}, t('timeline.title')), tl.length ? h('ol', { id: 'timeline' }, tl.map((ev) => h('li', { dataset: { kind: ev.kind } },
      `${ev.date ? fmtDate(ev.date) : fmtTime(ev.at)} · ${code('timelineKind', ev.kind)} · ${ev.summary || ''}`,
      ev.kind === 'referral' || ev.kind === 'referral_answer' ? [' · ', h('a', { href: `#/referrals/${ev.entity_id}` }, t('referral.open', { id: ev.entity_id }))] : null))) : h('p', { class: 'muted' }, t('consult.none')));
  } catch (e) { if (e.status !== 403) throw e; }
  try {
    const plans = (await ctx.api.rehabPlans(id)).items;
    if (plans.length) {
      ctx.main.append(h('h2', {}, t('plans.title')), h('ul', {}, plans.map((p) => h('li', {},
        h('a', { href: `#/plans/${p.id}` }, p.title), ' · ', code('planStatus', p.status)))));
    }
  } catch (e) { /* not readable for this role */ }
}

export async function newContract(ctx) {
  ctx.setTitle(t('contract.offerNew'));
  const teams = await myTeams(ctx);
  const rid = field({ name: 'resident_id', label: t('contract.residentId'), type: 'number', required: true, hint: t('contract.residentIdHint'), attrs: { min: '1' } });
  const team = field({ name: 'team_id', label: t('contract.team'), kind: 'select', options: teams.map((x) => [x.id, x.name]) });
  const start = field({ name: 'period_start', label: t('contract.periodStart'), type: 'date', required: true, value: new Date().toISOString().slice(0, 10) });
  const pk = h('fieldset', { class: 'scale' }, h('legend', {}, t('contract.packages')),
    PACKAGES.map((p) => h('label', {}, h('input', { type: 'checkbox', name: 'packages', value: p, checked: p === 'basic', disabled: p === 'basic' }), code('package', p))));
  const f = form({
    fields: [rid, team, start], extra: [pk], submitLabel: t('contract.offer'),
    onSubmit: async (v) => {
      const packages = [...pk.querySelectorAll('input:checked')].map((i) => i.value);
      const c = await ctx.api.offerContract({ resident_id: num(v.resident_id), team_id: Number(v.team_id), period_start: v.period_start, packages });
      ctx.announce(t('contract.offered'));
      ctx.navigate(`#/contracts/${c.id}`);
    },
  });
  ctx.main.append(h('h1', {}, t('contract.offerNew')), f.el);
}

function action(ctx, label, fields, run, danger) {
  const f = form({ fields, submitLabel: label, onSubmit: async (v) => { await run(v); ctx.announce(label); ctx.rerender(); } });
  if (danger) f.button.classList.add('danger');
  return h('section', { class: 'card' }, h('h3', {}, label), f.el);
}

const methodField = () => field({ name: 'method', label: t('contract.method'), kind: 'select',
  options: ['in_person', 'online'].map((m) => [m, code('signMethod', m)]) });

export async function contract(ctx, id) {
  const c = await ctx.api.contract(id);
  ctx.setTitle(t('contract.title', { id }));
  const kv = (k, v) => [h('dt', {}, t(k)), h('dd', {}, v ?? '—')];
  ctx.main.append(h('h1', {}, t('contract.title', { id })),
    h('dl', { class: 'kv' },
      kv('consult.resident', h('a', { href: `#/residents/${c.resident_id}` }, t('contract.residentLink', { id: c.resident_id }))),
      kv('consult.status', h('strong', { id: 'contract-status' }, code('contractStatus', c.status))),
      kv('contract.packages', c.packages.map((p) => code('package', p)).join('、')),
      kv('contract.period', `${fmtDate(c.period_start)} – ${fmtDate(c.period_end)}`),
      kv('contract.signedAt', c.signed_at ? `${fmtTime(c.signed_at)} · ${code('signMethod', c.sign_method)}` : '—'),
      c.end_reason ? kv('contract.endReason', c.end_reason) : null));
  const acts = h('div', { class: 'cards' });
  if (c.status === 'offered') {
    acts.append(action(ctx, t('contract.sign'), [methodField()], (v) => ctx.api.signContract(id, v.method)),
      action(ctx, t('contract.withdraw'), [field({ name: 'reason', label: t('contract.reason') })], (v) => ctx.api.withdrawContract(id, v.reason), true));
  }
  if (c.status === 'active') {
    acts.append(action(ctx, t('contract.renew'), [methodField()], async (v) => {
      const n = await ctx.api.renewContract(id, { method: v.method });
      ctx.navigate(`#/contracts/${n.id}`);
    }), action(ctx, t('contract.terminate'), [field({ name: 'reason', label: t('contract.reason'), kind: 'textarea', required: true })],
      (v) => ctx.api.terminateContract(id, v.reason), true));
  }
  if (acts.childElementCount) ctx.main.append(h('h2', {}, t('consult.actions')), acts);
  if (c.status === 'offered' || c.status === 'withdrawn') return;
  const fu = (await ctx.api.followups(id)).items;
  const today = new Date().toISOString().slice(0, 10);
  ctx.main.append(h('h2', {}, t('followup.title')), fu.length ? h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', { class: 'sr-only' }, t('followup.title')),
    h('thead', {}, h('tr', {}, ['followup.due', 'followup.kind', 'contract.packages', 'consult.status', 'followup.record'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, fu.map((x) => h('tr', {},
      h('td', {}, fmtDate(x.due_date), x.status === 'due' && x.due_date < today ? h('span', { class: 'badge overdue' }, ` ${t('followup.overdue')}`) : null),
      h('td', {}, code('followupKind', x.kind)), h('td', {}, code('package', x.package)),
      h('td', {}, code('followupStatus', x.status)),
      h('td', {}, x.status === 'due' ? recordForm(ctx, x) : '—')))))) : h('p', { class: 'muted' }, t('followup.none')));
}

function recordForm(ctx, x) {
  const status = field({ name: 'status', label: t('followup.outcome'), kind: 'select', options: ['done', 'missed'].map((s) => [s, code('followupStatus', s)]) });
  const note = field({ name: 'note', label: t('followup.note') });
  return form({ fields: [status, note], submitLabel: t('followup.save'),
    onSubmit: async (v) => { await ctx.api.recordFollowup(x.id, v.status, v.note); ctx.announce(t('followup.saved')); ctx.rerender(); } }).el;
}

export async function stats(ctx) {
  ctx.setTitle(t('stats.title'));
  const year = new Date().getUTCFullYear();
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const from = params.get('from') || `${year}-01-01`;
  const to = params.get('to') || new Date().toISOString().slice(0, 10);
  const fromF = field({ name: 'from', label: t('stats.from'), type: 'date', value: from, required: true });
  const toF = field({ name: 'to', label: t('stats.to'), type: 'date', value: to, required: true });
  const f = form({ fields: [fromF, toF], submitLabel: t('stats.show'), onSubmit: async (v) => ctx.navigate(`#/stats?from=${v.from}&to=${v.to}`) });
  ctx.main.append(h('h1', {}, t('stats.title')), h('p', {}, h('a', { href: '#/stats/tiered' }, t('tieredStats.title'))), f.el);
  let rows = [];
  if (ctx.hasRole(['family_doctor'])) {
    for (const team of await myTeams(ctx)) rows.push({ label: team.name, ...(await ctx.api.teamStats(team.id, { from, to })) });
  } else {
    rows = (await ctx.api.townshipStats({ from, to })).items.map((r) => ({ label: r.township, ...r }));
  }
  if (!rows.length) { ctx.main.append(h('p', {}, t('stats.none'))); return; }
  const pct = (x) => fmtPct(x);
  ctx.main.append(h('div', { class: 'cards charts', id: 'charts' },
    barChart({ title: t('stats.signingRate'), names: [t('stats.signingRate')], groups: rows.map((r) => ({ label: r.label, a: r.signing_rate })), fmt: pct, max: 1 }),
    barChart({ title: t('stats.followups'), names: [t('stats.done'), t('stats.due')], groups: rows.map((r) => ({ label: r.label, a: r.followups_done, b: r.followups_due })) }),
    barChart({ title: t('stats.renewalRate'), names: [t('stats.renewalRate')], groups: rows.map((r) => ({ label: r.label, a: r.renewal_rate })), fmt: pct, max: 1 }),
    barChart({ title: t('stats.adherence'), names: [t('stats.adherence')], groups: rows.map((r) => ({ label: r.label, a: r.rehab_adherence })), fmt: pct, max: 1 })));
}
