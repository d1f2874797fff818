// SPDX-License-Identifier: Apache-2.0
// clinician.js - doctor, specialist and township doctor: consultation
// requests in and out, a new request, and one consultation's page (accept,
// decline with a reason, schedule, consent, start, the call, attach ECG and
// imaging studies, write and sign the opinion, amend it).
import { h, clear } from '../dom.js';
import { t, code, fmtTime } from '../i18n.js';
import { field, form, num, errorText } from '../forms.js';
import { patientStudies, studyLabel } from '../studies.js';

const OPEN = ['requested', 'accepted', 'scheduled', 'in_progress'];

function consultTable(items, caption) {
  if (!items.length) return h('p', { class: 'muted' }, t('consult.none'));
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, ['consult.id', 'consult.resident', 'consult.priority', 'consult.status',
      'consult.requestedAt', 'consult.scheduledFor'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, items.map((c) => h('tr', {},
      h('td', {}, h('a', { href: `#/consultations/${c.id}` }, t('consult.open', { id: c.id }))),
      h('td', {}, String(c.resident_id)),
      h('td', {}, h('span', { class: `badge ${c.priority}` }, code('priority', c.priority))),
      h('td', {}, code('consultStatus', c.status)),
      h('td', {}, fmtTime(c.requested_at)),
      h('td', {}, fmtTime(c.scheduled_for)))))));
}

export async function list(ctx) {
  ctx.setTitle(t('consult.title'));
  const showAll = new URLSearchParams(location.hash.split('?')[1] || '').get('state') === 'all';
  const st = showAll ? 'all' : 'open';
  const [inbox, outbox] = await Promise.all([
    ctx.api.consultations({ box: 'in', state: st }),
    ctx.api.consultations({ box: 'out', state: st }),
  ]);
  ctx.main.append(h('h1', {}, t('consult.title')),
    h('p', {}, h('a', { href: showAll ? '#/consultations' : '#/consultations?state=all' },
      showAll ? t('consult.showOpen') : t('consult.showAll'))),
    h('section', { 'aria-labelledby': 'in-h' }, h('h2', { id: 'in-h' }, t('consult.inbox'),
      ` (${inbox.items.length})`), consultTable(inbox.items, t('consult.inbox'))),
    h('section', { 'aria-labelledby': 'out-h' }, h('h2', { id: 'out-h' }, t('consult.outbox'),
      ` (${outbox.items.length})`), consultTable(outbox.items, t('consult.outbox'))));
}

// Residents matching a township and a name, as radio buttons.
export function residentPicker(ctx) {
  const township = field({ name: 'township', label: t('resident.township'), required: true });
  const name = field({ name: 'name', label: t('resident.name') });
  const results = h('fieldset', { class: 'scale', hidden: true }, h('legend', {}, t('consult.pickResident')));
  const status = h('p', { role: 'status' });
  const search = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    status.textContent = '';
    try {
      const r = await ctx.api.residents({ township: township.input.value.trim(), name: name.input.value.trim() });
      clear(results).append(h('legend', {}, t('consult.pickResident')));
      for (const p of r.items) {
        results.append(h('label', {}, h('input', { type: 'radio', name: 'resident_id', value: p.id }),
          `${p.name} · ${code('sex', p.sex)} · ${p.birth_date || ''} · ${p.village || ''}`));
      }
      results.hidden = !r.items.length;
      status.textContent = t('consult.found', { n: r.items.length });
      const first = results.querySelector('input');
      if (first) first.checked = true;
    } catch (err) {
      status.textContent = errorText(err);
    }
  } }, t('consult.searchResident'));
  return {
    el: h('div', {}, h('div', { class: 'row' }, township.wrap, name.wrap), search, status, results),
    value: () => { const c = results.querySelector('input:checked'); return c ? Number(c.value) : undefined; },
  };
}

export async function create(ctx) {
  ctx.setTitle(t('consult.newTitle'));
  const orgs = [];
  for (const top of (await ctx.api.organizations()).items) {
    orgs.push(top);
    for (const sub of (await ctx.api.organizations(top.id)).items) orgs.push(sub);
  }
  const picker = residentPicker(ctx);
  const org = field({ name: 'requested_org_id', label: t('consult.toOrg'), kind: 'select',
    options: [['', t('consult.chooseOrg')], ...orgs.filter((o) => o.kind !== 'township_clinic' && o.kind !== 'rehab_point')
      .map((o) => [o.id, `${o.name} (${code('orgKind', o.kind)})`])] });
  const spec = field({ name: 'requested_specialist_id', label: t('consult.toSpecialist'), type: 'number', hint: t('consult.toSpecialistHint'), attrs: { min: '1' } });
  const reason = field({ name: 'reason', label: t('consult.reason'), kind: 'textarea', required: true });
  const prio = field({ name: 'priority', label: t('consult.priority'), kind: 'select',
    options: ['routine', 'urgent', 'emergency'].map((p) => [p, code('priority', p)]) });
  const f = form({
    fields: [org, spec, reason, prio],
    submitLabel: t('consult.send'),
    onSubmit: async (v) => {
      const residentId = picker.value();
      if (!residentId) throw { status: 422, field: 'resident_id', message: t('consult.pickResident') };
      const body = { resident_id: residentId, reason: v.reason, priority: v.priority };
      if (v.requested_org_id) body.requested_org_id = Number(v.requested_org_id);
      if (v.requested_specialist_id) body.requested_specialist_id = num(v.requested_specialist_id);
      const c = await ctx.api.requestConsultation(body);
      ctx.announce(t('consult.sent'));
      ctx.navigate(`#/consultations/${c.id}`);
    },
  });
  f.el.prepend(h('h2', {}, t('consult.patient')), picker.el, h('h2', {}, t('consult.request')));
  ctx.main.append(h('h1', {}, t('consult.newTitle')), f.el);
}

function stepForm(ctx, c, { step, fields, label, body, danger = false }) {
  const f = form({
    fields, submitLabel: label,
    onSubmit: async (v) => {
      await ctx.api.consultationStep(c.id, step, body ? body(v) : {});
      ctx.announce(t('consult.done', { step: label }));
      ctx.rerender();
    },
  });
  if (danger) f.button.classList.add('danger');
  return h('section', { class: 'card' }, h('h3', {}, label), f.el);
}

export async function detail(ctx, id) {
  const c = await ctx.api.consultation(id);
  ctx.setTitle(t('consult.detailTitle', { id }));
  let who = String(c.resident_id);
  try {
    const r = await ctx.api.resident(c.resident_id);
    who = h('a', { href: `#/residents/${r.id}` }, `${r.name} (${code('sex', r.sex)}, ${r.birth_date || ''})`);
  } catch (e) { /* not readable */ }
  let studies = [];
  if (OPEN.includes(c.status)) {
    try { studies = await patientStudies(ctx.api, c.resident_id); } catch (e) { /* choose by number instead */ }
  }
  const kv = (k, v) => [h('dt', {}, t(k)), h('dd', {}, v)];
  ctx.main.append(h('h1', {}, t('consult.detailTitle', { id })),
    h('dl', { class: 'kv' },
      kv('consult.resident', who),
      kv('consult.status', h('strong', { id: 'consult-status' }, code('consultStatus', c.status))),
      kv('consult.priority', code('priority', c.priority)),
      kv('consult.reason', c.reason),
      kv('consult.requestedAt', fmtTime(c.requested_at)),
      kv('consult.scheduledFor', fmtTime(c.scheduled_for)),
      c.status_reason ? kv('consult.statusReason', c.status_reason) : null,
      kv('consult.consents', c.consents.filter((x) => !x.withdrawn_at).map((x) => code('consent', x.kind)).join(', ') || '—'),
      kv('consult.participants', String(c.participants.length)),
      kv('consult.ecgStudies', c.ecg_study_ids.length ? c.ecg_study_ids.map((e) => [h('a', { href: `#/ecg/${e}` }, t('ecg.openStudy', { id: e })), ' ']) : '—'),
      kv('consult.imagingStudies', c.imaging_study_ids.length ? c.imaging_study_ids.map((e) => [h('a', { href: `#/imaging/${e}` }, t('image.openStudy', { id: e })), ' ']) : '—')));
  if (c.opinion) {
    ctx.main.append(h('section', { 'aria-labelledby': 'op-h' }, h('h2', { id: 'op-h' }, t('consult.opinion')),
      h('p', { id: 'opinion-text' }, c.opinion),
      h('p', { class: 'muted' }, t('consult.signedBy', { who: c.opinion_author_id, at: fmtTime(c.opinion_signed_at), v: c.opinion_version }))));
  }
  const actions = h('div', { class: 'cards' });
  const s = c.status;
  if (s === 'requested') {
    actions.append(stepForm(ctx, c, { step: 'accept', fields: [], label: t('consult.accept') }),
      stepForm(ctx, c, { step: 'decline', label: t('consult.decline'), danger: true,
        fields: [field({ name: 'reason', label: t('consult.declineReason'), kind: 'textarea', required: true })],
        body: (v) => ({ reason: v.reason }) }));
  }
  if (s === 'accepted' || s === 'scheduled') {
    actions.append(stepForm(ctx, c, { step: 'schedule', label: t('consult.schedule'),
      fields: [field({ name: 'scheduled_for', label: t('consult.when'), type: 'datetime-local', required: true })],
      body: (v) => ({ scheduled_for: new Date(v.scheduled_for).toISOString() }) }));
    actions.append(stepForm(ctx, c, { step: 'consents', label: t('consult.recordConsent'),
      fields: [field({ name: 'kind', label: t('consult.consentKind'), kind: 'select',
        options: ['teleconsultation', 'recording'].map((k) => [k, code('consent', k)]) })],
      body: (v) => ({ kind: v.kind }) }));
    actions.append(stepForm(ctx, c, { step: 'start', fields: [], label: t('consult.start') }));
  }
  if (['accepted', 'scheduled', 'in_progress'].includes(s)) {
    actions.append(h('section', { class: 'card' }, h('h3', {}, t('consult.call')),
      h('a', { class: 'button', href: `#/call/consultation/${c.id}` }, t('consult.joinCall'))));
  }
  if (s === 'in_progress') {
    actions.append(stepForm(ctx, c, { step: 'complete', label: t('consult.signOpinion'),
      fields: [field({ name: 'opinion', label: t('consult.opinion'), kind: 'textarea', required: true, hint: t('consult.signHint') })],
      body: (v) => ({ opinion: v.opinion }) }));
  }
  if (OPEN.includes(s)) {
    // The patient's studies not attached yet to choose from, else a number.
    const pick = (kind, name, attached) => {
      const open = studies.filter((x) => x.kind === kind && !attached.includes(x.id));
      return open.length
        ? field({ name, label: t('consult.study'), kind: 'select', options: open.map((x) => [x.id, studyLabel(x)]) })
        : field({ name, label: t('consult.studyId'), type: 'number', required: true, attrs: { min: '1' } });
    };
    actions.append(stepForm(ctx, c, { step: 'ecg-studies', label: t('consult.attachEcg'),
      fields: [pick('ecg', 'ecg_study_id', c.ecg_study_ids)],
      body: (v) => ({ ecg_study_id: num(v.ecg_study_id) }) }));
    actions.append(stepForm(ctx, c, { step: 'imaging-studies', label: t('consult.attachImaging'),
      fields: [pick('imaging', 'imaging_study_id', c.imaging_study_ids)],
      body: (v) => ({ imaging_study_id: num(v.imaging_study_id) }) }));
    actions.append(stepForm(ctx, c, { step: 'cancel', label: t('consult.cancel'), danger: true,
      fields: [field({ name: 'reason', label: t('consult.cancelReason'), kind: 'textarea', required: true })],
      body: (v) => ({ reason: v.reason }) }));
  }
  if (s === 'completed') {
    actions.append(stepForm(ctx, c, { step: 'opinion/amend', label: t('consult.amend'),
      fields: [field({ name: 'text', label: t('consult.opinion'), kind: 'textarea', required: true, value: c.opinion }),
        field({ name: 'reason', label: t('consult.amendReason'), required: true })],
      body: (v) => ({ text: v.text, reason: v.reason }) }));
  }
  if (actions.childElementCount) {
    ctx.main.append(h('h2', {}, t('consult.actions')), actions);
  }
}
