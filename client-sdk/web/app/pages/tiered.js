// SPDX-License-Identifier: Apache-2.0
// tiered.js - the on-call rota of a department (read by clinicians and
// administrators; shifts added and removed by administrators and the
// department's head) and the statistics of tiered care as charts: referrals
// per township and per department (up, down, accepted, declined, time to
// accept) and emergencies per department (raised, joined, time to join).
import { h, append } from '../dom.js';
import { t, code, fmtTime } from '../i18n.js';
import { field, form, errorText } from '../forms.js';
import { barChart } from '../components/chart.js';

function hashParam(name) {
  return new URLSearchParams(location.hash.split('?')[1] || '').get(name);
}

export async function rota(ctx) {
  ctx.setTitle(t('oncall.title'));
  const depts = (await ctx.api.departments()).items.filter((d) => d.tier);
  depts.sort((a, b) => a.tier - b.tier || a.name.localeCompare(b.name));
  const chosen = depts.find((d) => String(d.id) === hashParam('department')) || depts.find((d) => d.code === 'cardiology') || depts[0];
  const pick = field({ name: 'department', label: t('emergency.department'), kind: 'select',
    options: depts.map((d) => [d.id, t('emergency.deptLine', { name: d.name, tier: d.tier })]), value: chosen ? chosen.id : '' });
  pick.input.addEventListener('change', () => ctx.navigate(`#/oncall?department=${pick.input.value}`));
  ctx.main.append(h('h1', {}, t('oncall.title')), pick.wrap);
  if (!chosen) return;
  const me = ctx.user.practitioner_id;
  const editor = ctx.hasRole(['admin']) || (me && chosen.head_id === me);
  const shifts = (await ctx.api.oncall(chosen.id)).items;
  const status = h('p', { role: 'status', id: 'oncall-status' });
  ctx.main.append(h('h2', {}, t('oncall.next7', { dept: chosen.name })), status,
    shifts.length ? h('div', { class: 'table-wrap' }, h('table', { id: 'oncall-table' },
      h('caption', { class: 'sr-only' }, t('oncall.next7', { dept: chosen.name })),
      h('thead', {}, h('tr', {}, ['oncall.who', 'oncall.starts', 'oncall.ends', 'oncall.online', editor ? 'oncall.remove' : null]
        .filter(Boolean).map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, shifts.map((s) => h('tr', { dataset: { shift: String(s.id) } },
        h('td', {}, s.practitioner.name), h('td', {}, fmtTime(s.starts_at)), h('td', {}, fmtTime(s.ends_at)),
        h('td', {}, s.online ? t('oncall.isOnline') : t('oncall.isOffline')),
        editor ? h('td', {}, h('button', { type: 'button', class: 'secondary', onclick: async () => {
          try { await ctx.api.removeShift(chosen.id, s.id); ctx.announce(t('oncall.removed')); ctx.rerender(); } catch (e) { status.textContent = errorText(e); }
        } }, t('oncall.removeShift', { name: s.practitioner.name }))) : null))))) : h('p', { class: 'muted' }, t('oncall.none')));
  if (!editor) return;
  let people = [];
  try {
    const roles = (await ctx.api.orgPractitioners(chosen.organization_id)).items.filter((r) => r.department === chosen.code);
    const seen = new Set();
    people = roles.filter((r) => !seen.has(r.practitioner_id) && seen.add(r.practitioner_id));
  } catch (e) { /* typed by number then */ }
  const who = people.length
    ? field({ name: 'practitioner_id', label: t('oncall.who'), kind: 'select', options: people.map((r) => [r.practitioner_id, r.practitioner_name]) })
    : field({ name: 'practitioner_id', label: t('oncall.who'), type: 'number', required: true, attrs: { min: '1' } });
  const starts = field({ name: 'starts_at', label: t('oncall.starts'), type: 'datetime-local', required: true });
  const ends = field({ name: 'ends_at', label: t('oncall.ends'), type: 'datetime-local', required: true });
  const f = form({
    fields: [who, starts, ends], submitLabel: t('oncall.add'),
    onSubmit: async (v) => {
      await ctx.api.addShift(chosen.id, { practitioner_id: Number(v.practitioner_id),
        starts_at: new Date(v.starts_at).toISOString(), ends_at: new Date(v.ends_at).toISOString() });
      ctx.announce(t('oncall.added'));
      ctx.rerender();
    },
  });
  ctx.main.append(h('section', { class: 'card', 'aria-labelledby': 'add-shift-h' }, h('h2', { id: 'add-shift-h' }, t('oncall.add')), f.el));
}

const secs = (v) => (v === null || v === undefined ? '—' : String(Math.round(v)));

export async function stats(ctx) {
  ctx.setTitle(t('tieredStats.title'));
  const year = new Date().getUTCFullYear();
  const from = hashParam('from') || `${year}-01-01`;
  const to = hashParam('to') || new Date().toISOString().slice(0, 10);
  const fromF = field({ name: 'from', label: t('stats.from'), type: 'date', value: from, required: true });
  const toF = field({ name: 'to', label: t('stats.to'), type: 'date', value: to, required: true });
  const f = form({ fields: [fromF, toF], submitLabel: t('stats.show'),
    onSubmit: async (v) => ctx.navigate(`#/stats/tiered?from=${v.from}&to=${v.to}`) });
  ctx.main.append(h('h1', {}, t('tieredStats.title')), f.el);
  const out = h('div', { id: 'tiered-charts' });
  ctx.main.append(out);
  try {
    const ref = await ctx.api.referralStats({ from, to });
    const refRows = (rows, label) => rows.map((r) => ({ label: label(r), ...r }));
    const towns = refRows(ref.townships, (r) => r.township);
    let names = new Map();
    try { names = new Map((await ctx.api.departments()).items.map((d) => [d.id, d.name])); } catch (e) { /* codes then */ }
    const depts = refRows(ref.departments, (r) => names.get(r.department_id) || r.code);
    append(out, [h('h2', {}, t('tieredStats.referrals')),
      h('div', { class: 'cards' },
        barChart({ title: t('tieredStats.byTownship'), names: [t('tieredStats.up'), t('tieredStats.down')], groups: towns.map((r) => ({ label: r.label, a: r.up, b: r.down })) }),
        barChart({ title: t('tieredStats.answersTownship'), names: [t('tieredStats.accepted'), t('tieredStats.declined')], groups: towns.map((r) => ({ label: r.label, a: r.accepted, b: r.declined })) }),
        barChart({ title: t('tieredStats.byDepartment'), names: [t('tieredStats.up'), t('tieredStats.down')], groups: depts.map((r) => ({ label: r.label, a: r.up, b: r.down })) }),
        barChart({ title: t('tieredStats.answersDepartment'), names: [t('tieredStats.accepted'), t('tieredStats.declined')], groups: depts.map((r) => ({ label: r.label, a: r.accepted, b: r.declined })) }),
        barChart({ title: t('tieredStats.acceptTime'), names: [t('tieredStats.avg'), t('tieredStats.max')], fmt: secs, groups: depts.map((r) => ({ label: r.label, a: r.accept_s_avg, b: r.accept_s_max })) }))]);
  } catch (e) { out.append(h('p', { class: 'form-error' }, errorText(e))); }
  try {
    const em = await ctx.api.emergencyStats({ from, to });
    append(out, [h('h2', {}, t('tieredStats.emergencies')),
      em.departments.length ? h('div', { class: 'cards' },
        barChart({ title: t('tieredStats.raisedJoined'), names: [t('tieredStats.raised'), t('tieredStats.joined')], groups: em.departments.map((r) => ({ label: code('specialty', r.department), a: r.raised, b: r.joined })) }),
        barChart({ title: t('tieredStats.joinTime'), names: [t('tieredStats.median'), t('tieredStats.max')], fmt: secs, groups: em.departments.map((r) => ({ label: code('specialty', r.department), a: r.join_s_median, b: r.join_s_max })) }))
        : h('p', { class: 'muted' }, t('tieredStats.noEmergencies'))]);
  } catch (e) { out.append(h('p', { class: 'form-error' }, errorText(e))); }
}
