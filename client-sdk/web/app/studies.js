// SPDX-License-Identifier: Apache-2.0
// studies.js - a patient's ECG and imaging studies with their reports, from
// FHIR DiagnosticReport search (/api/v1 lists no studies per patient; the
// search answers only what the caller may read). Ids "ecg-N" and
// "imaging-N" name the /api/v1 studies N.
import { h } from './dom.js';
import { t, code, fmtTime, fmtDate } from './i18n.js';

export async function patientStudies(api, residentId) {
  const reports = await api.fhirSearch('DiagnosticReport', { patient: residentId, _count: 100 });
  return reports.map((r) => {
    const m = /^(ecg|imaging)-(\d+)$/.exec(r.id || '');
    if (!m) return null;
    return { kind: m[1], id: Number(m[2]), status: r.status, at: r.effectiveDateTime || null, text: (r.code && r.code.text) || '' };
  }).filter(Boolean);
}

export function studyLabel(s) {
  return `${t(s.kind === 'ecg' ? 'ecg.openStudy' : 'image.openStudy', { id: s.id })} · ${s.at ? (s.at.length > 10 ? fmtTime(s.at) : fmtDate(s.at)) : '—'} · ${code('reportStatus', s.status)}`;
}

export function studyList(list) {
  if (!list.length) return h('p', { class: 'muted' }, t('studies.none'));
  return h('ul', { id: 'studies' }, list.map((s) => h('li', {},
    h('a', { href: `#/${s.kind === 'ecg' ? 'ecg' : 'imaging'}/${s.id}` }, studyLabel(s)))));
}
