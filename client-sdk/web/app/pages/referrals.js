// SPDX-License-Identifier: Apache-2.0
// referrals.js - tiered referrals (docs/api.md "Referrals"): the boxes
// (incoming, outgoing, the family-doctor team's), an up-referral to a
// department or one of its doctors with the patient's ECG and imaging
// studies, one referral's page (accept with an appointment or an admission
// date, decline with a reason, cancel, the down-referral with the
// discharge summary and a follow-up plan), and the chain on the resident's
// page.
import { h, clear } from '../dom.js';
import { t, code, fmtTime, fmtDate } from '../i18n.js';
import { field, form } from '../forms.js';
import { patientStudies, studyLabel } from '../studies.js';
import { residentPicker } from './clinician.js';

const BOXES = ['in', 'out', 'team'];
const PLAN_KINDS = ['post_discharge_visit', 'ecg_recheck', 'visit', 'chronic_followup', 'rehab_followup'];

function hashParam(name) {
  return new URLSearchParams(location.hash.split('?')[1] || '').get(name);
}

export function referralTable(items, caption, id) {
  if (!items.length) return h('p', { class: 'muted' }, t('consult.none'));
  return h('div', { class: 'table-wrap' }, h('table', { id },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, ['referral.id', 'referral.direction', 'consult.resident', 'referral.department',
      'referral.urgency', 'consult.status', 'consult.requestedAt'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, items.map((r) => h('tr', { dataset: { referral: String(r.id) } },
      h('td', {}, h('a', { href: `#/referrals/${r.id}` }, t('referral.open', { id: r.id }))),
      h('td', {}, code('referralDirection', r.direction)),
      h('td', {}, String(r.resident_id)),
      h('td', {}, r.department ? r.department.name : '—'),
      h('td', {}, h('span', { class: `badge ${r.urgency}` }, code('priority', r.urgency))),
      h('td', { class: 'referral-status' }, code('referralStatus', r.status)),
      h('td', {}, fmtTime(r.requested_at)))))));
}

export async function boxes(ctx) {
  ctx.setTitle(t('referral.title'));
  const box = BOXES.includes(hashParam('box')) ? hashParam('box') : 'in';
  let items = [];
  let refused = null;
  try { items = (await ctx.api.referrals({ box })).items; } catch (e) { if (e.status !== 403) throw e; refused = e; }
  ctx.main.append(h('h1', {}, t('referral.title')),
    h('nav', { 'aria-label': t('referral.boxes'), class: 'actions' }, BOXES.map((b) => h('a', {
      class: `button${b === box ? '' : ' secondary'}`, href: `#/referrals?box=${b}`, 'aria-current': b === box ? 'page' : null,
    }, t(`referral.box.${b}`)))),
    h('p', {}, h('a', { href: '#/referrals/new' }, t('referral.new'))),
    h('section', { 'aria-labelledby': 'box-h' }, h('h2', { id: 'box-h' }, t(`referral.box.${box}`), ` (${items.length})`),
      refused ? h('p', {}, t('referral.noBox')) : referralTable(items, t(`referral.box.${box}`), 'referral-list')));
}

// The departments one may refer to (hospital departments, tier 1 first).
async function departments(ctx) {
  const items = (await ctx.api.departments()).items.filter((d) => d.tier);
  items.sort((a, b) => a.tier - b.tier || a.name.localeCompare(b.name));
  return items;
}

export async function create(ctx) {
  ctx.setTitle(t('referral.newTitle'));
  const rid = Number(hashParam('resident')) || 0;
  const fixed = rid ? await ctx.api.resident(rid) : null;
  const picker = fixed ? null : residentPicker(ctx, (v) => loadStudies(v));
  const depts = await departments(ctx);
  const dept = field({ name: 'department_id', label: t('referral.department'), kind: 'select', required: true,
    options: [['', t('emergency.chooseDepartment')], ...depts.map((d) => [d.id, t('emergency.deptLine', { name: d.name, tier: d.tier })])] });
  const doctor = field({ name: 'to_practitioner_id', label: t('referral.toDoctor'), kind: 'select', options: [['', t('referral.anyDoctor')]] });
  const urgency = field({ name: 'urgency', label: t('referral.urgency'), kind: 'select',
    options: ['routine', 'urgent', 'emergency'].map((p) => [p, code('priority', p)]) });
  const reason = field({ name: 'reason', label: t('referral.reason'), kind: 'textarea', required: true });
  const summary = field({ name: 'summary', label: t('referral.summary'), kind: 'textarea', hint: t('referral.summaryHint') });
  const studyBox = h('fieldset', { class: 'scale', id: 'referral-studies' }, h('legend', {}, t('referral.studies')), h('p', { class: 'muted' }, t('referral.pickPatientFirst')));
  async function loadStudies(residentId) {
    let list = [];
    try { list = await patientStudies(ctx.api, residentId); } catch (e) { /* none readable */ }
    clear(studyBox).append(h('legend', {}, t('referral.studies')));
    if (!list.length) studyBox.append(h('p', { class: 'muted' }, t('studies.none')));
    for (const s of list) {
      studyBox.append(h('label', {}, h('input', { type: 'checkbox', name: `${s.kind}_study`, value: String(s.id) }), studyLabel(s)));
    }
  }
  if (fixed) loadStudies(fixed.id);
  dept.input.addEventListener('change', async () => {
    const d = depts.find((x) => String(x.id) === dept.input.value);
    clear(doctor.input).append(h('option', { value: '' }, t('referral.anyDoctor')));
    if (!d) return;
    try {
      const roles = (await ctx.api.orgPractitioners(d.organization_id)).items.filter((r) => r.department === d.code);
      const seen = new Set();
      for (const r of roles) {
        if (seen.has(r.practitioner_id)) continue;
        seen.add(r.practitioner_id);
        doctor.input.append(h('option', { value: String(r.practitioner_id) }, r.practitioner_name));
      }
    } catch (e) { /* the department then */ }
  });
  const f = form({
    fields: [dept, doctor, urgency, reason, summary], extra: [studyBox],
    submitLabel: t('referral.send'),
    onSubmit: async (v) => {
      const residentId = fixed ? fixed.id : picker.value();
      if (!residentId) throw { status: 422, field: 'resident_id', message: t('consult.pickResident') };
      const body = { direction: 'up', resident_id: residentId, department_id: Number(v.department_id), urgency: v.urgency, reason: v.reason };
      if (v.to_practitioner_id) body.to_practitioner_id = Number(v.to_practitioner_id);
      if (v.summary.trim()) body.summary = v.summary;
      const ids = (kind) => [...studyBox.querySelectorAll(`input[name=${kind}_study]:checked`)].map((i) => Number(i.value));
      if (ids('ecg').length) body.ecg_study_ids = ids('ecg');
      if (ids('imaging').length) body.imaging_study_ids = ids('imaging');
      const r = await ctx.api.createReferral(body);
      ctx.announce(t('referral.sent'));
      ctx.navigate(`#/referrals/${r.id}`);
    },
  });
  f.el.prepend(h('h2', {}, t('consult.patient')),
    fixed ? h('p', { id: 'referral-patient' }, `${fixed.name} · ${code('sex', fixed.sex)} · ${fixed.birth_date || ''}`) : picker.el,
    h('h2', {}, t('referral.request')));
  ctx.main.append(h('h1', {}, t('referral.newTitle')), f.el);
}

function actionCard(ctx, label, fields, run, danger = false) {
  const f = form({ fields, submitLabel: label, onSubmit: async (v) => { await run(v); ctx.announce(label); ctx.rerender(); } });
  if (danger) f.button.classList.add('danger');
  return h('section', { class: 'card' }, h('h3', {}, label), f.el);
}

async function practitionerName(ctx, id) {
  if (!id) return '—';
  try { return (await ctx.api.practitioner(id)).name; } catch (e) { return `#${id}`; }
}

export async function detail(ctx, id) {
  const r = await ctx.api.referral(id);
  ctx.setTitle(t('referral.detailTitle', { id }));
  let who = String(r.resident_id);
  try { who = (await ctx.api.resident(r.resident_id)).name; } catch (e) { /* number */ }
  const [from, to, answered] = await Promise.all([practitionerName(ctx, r.from_id),
    r.to_practitioner_id ? practitionerName(ctx, r.to_practitioner_id) : null, practitionerName(ctx, r.answered_by)]);
  const kv = (k, v) => [h('dt', {}, t(k)), h('dd', {}, v ?? '—')];
  const link = (rid) => (rid ? h('a', { href: `#/referrals/${rid}` }, t('referral.open', { id: rid })) : '—');
  ctx.main.append(h('h1', {}, t('referral.detailTitle', { id })),
    h('dl', { class: 'kv' },
      kv('referral.direction', code('referralDirection', r.direction)),
      kv('consult.resident', h('a', { href: `#/residents/${r.resident_id}` }, who)),
      kv('consult.status', h('strong', { id: 'referral-status', dataset: { status: r.status } }, code('referralStatus', r.status))),
      kv('referral.from', from),
      kv('referral.department', r.department ? r.department.name : '—'),
      to ? kv('referral.toDoctor', to) : null,
      kv('referral.urgency', code('priority', r.urgency)),
      kv('consult.requestedAt', fmtTime(r.requested_at)),
      kv('referral.reason', r.reason),
      r.summary ? kv(r.direction === 'down' ? 'referral.discharge' : 'referral.summary', h('span', { id: 'referral-summary' }, r.summary)) : null,
      r.answered_at ? kv('referral.answeredBy', `${answered} · ${fmtTime(r.answered_at)}`) : null,
      r.appointment_at ? kv('referral.appointment', h('span', { id: 'referral-appointment' }, fmtTime(r.appointment_at))) : null,
      r.admission_date ? kv('referral.admission', h('span', { id: 'referral-appointment' }, fmtDate(r.admission_date))) : null,
      r.decline_reason ? kv('referral.declineReason', r.decline_reason) : null,
      r.parent_id ? kv('referral.parent', link(r.parent_id)) : null,
      r.down_referral_id ? kv('referral.downReferral', link(r.down_referral_id)) : null,
      kv('consult.ecgStudies', (r.ecg_study_ids || []).length ? r.ecg_study_ids.map((e) => [h('a', { href: `#/ecg/${e}` }, t('ecg.openStudy', { id: e })), ' ']) : '—'),
      kv('consult.imagingStudies', (r.imaging_study_ids || []).length ? r.imaging_study_ids.map((e) => [h('a', { href: `#/imaging/${e}` }, t('image.openStudy', { id: e })), ' ']) : '—'),
      (r.followup_ids || []).length ? kv('referral.followups', t('referral.followupCount', { n: r.followup_ids.length })) : null));
  const me = ctx.user.practitioner_id;
  const actions = h('div', { class: 'cards' });
  if (r.status === 'requested' && r.from_id !== me) {
    const fields = r.direction === 'up'
      ? [field({ name: 'appointment_at', label: t('referral.appointment'), type: 'datetime-local', hint: t('referral.appointmentHint') }),
        field({ name: 'admission_date', label: t('referral.admission'), type: 'date' })]
      : [];
    actions.append(actionCard(ctx, t('referral.accept'), fields, (v) => {
      const body = {};
      if (v.appointment_at) body.appointment_at = new Date(v.appointment_at).toISOString();
      if (v.admission_date) body.admission_date = v.admission_date;
      return ctx.api.acceptReferral(r.id, body);
    }));
    actions.append(actionCard(ctx, t('referral.decline'),
      [field({ name: 'reason', label: t('referral.declineReason'), kind: 'textarea', required: true })],
      (v) => ctx.api.declineReferral(r.id, v.reason), true));
  }
  if (r.status === 'requested' && r.from_id === me) {
    actions.append(actionCard(ctx, t('referral.cancel'), [], () => ctx.api.cancelReferral(r.id), true));
  }
  if (r.direction === 'up' && r.status === 'accepted' && r.from_id !== me) {
    const rows = [0, 1, 2].map((i) => [
      field({ name: `follow_up_plan[${i}].kind`, label: t('referral.planKind', { n: i + 1 }), kind: 'select',
        options: [['', t('referral.planNone')], ...PLAN_KINDS.map((k) => [k, code('followupKind', k)])] }),
      field({ name: `follow_up_plan[${i}].due_date`, label: t('referral.planDue', { n: i + 1 }), type: 'date' })]).flat();
    const summary = field({ name: 'summary', label: t('referral.discharge'), kind: 'textarea', required: true });
    const reason = field({ name: 'reason', label: t('referral.reason'), required: true, value: t('referral.dischargedReason') });
    const card = actionCard(ctx, t('referral.sendDown'), [summary, reason, ...rows], async (v) => {
      const plan = [0, 1, 2].map((i) => ({ kind: v[`follow_up_plan[${i}].kind`], due_date: v[`follow_up_plan[${i}].due_date`] }))
        .filter((p) => p.kind || p.due_date);
      const body = { direction: 'down', resident_id: r.resident_id, parent_id: r.id, urgency: 'routine', reason: v.reason, summary: v.summary };
      if (plan.length) body.follow_up_plan = plan;
      const d = await ctx.api.createReferral(body);
      ctx.navigate(`#/referrals/${d.id}`);
    });
    card.id = 'down-referral';
    actions.append(card);
  }
  if (actions.childElementCount) ctx.main.append(h('h2', {}, t('consult.actions')), actions);
}

// The resident page's section: every referral of the resident as chains
// (an up-referral, then the down-referral that closed it), with statuses.
export async function residentChain(ctx, residentId) {
  const items = (await ctx.api.referrals({ resident_id: residentId })).items;
  const byId = new Map(items.map((r) => [r.id, r]));
  const roots = items.filter((r) => !r.parent_id || !byId.has(r.parent_id));
  const line = (r) => [h('a', { href: `#/referrals/${r.id}` }, t('referral.open', { id: r.id })), ' · ',
    code('referralDirection', r.direction), ' · ', r.department ? r.department.name : '—', ' · ',
    h('span', { class: 'referral-status' }, code('referralStatus', r.status)), ' · ', fmtTime(r.requested_at)];
  return h('section', { 'aria-labelledby': 'ref-h' }, h('h2', { id: 'ref-h' }, t('referral.chain')),
    roots.length ? h('ol', { id: 'referral-chain' }, roots.map((r) => {
      const kids = items.filter((x) => x.parent_id === r.id);
      return h('li', { dataset: { referral: String(r.id) } }, line(r),
        kids.length ? h('ol', {}, kids.map((k) => h('li', { dataset: { referral: String(k.id) } }, line(k)))) : null);
    })) : h('p', { class: 'muted' }, t('consult.none')),
    ctx.hasRole(['township_doctor', 'family_doctor', 'doctor'])
      ? h('p', {}, h('a', { class: 'button secondary', href: `#/referrals/new?resident=${residentId}` }, t('referral.new'))) : null);
}
