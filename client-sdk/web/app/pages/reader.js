// SPDX-License-Identifier: Apache-2.0
// reader.js - ECG readers and radiologists: worklists, a study's page with
// its viewer, the report form (sign), amendment with a reason, and the
// report's versions.
//
// Wired: worklists, study metadata, sign, amend, versions (/api/v1); the
// ECG samples: a stored study's first 10 s from GET /ecg-studies/{id}/
// waveform (FHIR valueSampledData), a live one over signaling
// (ecg-subscribe, ecg-live.js) with a "live" badge, then the stored record
// once the device stops. Imaging pixels come through DICOMweb (the viewer
// asks /dicom-web and says so when it is not there).
import { h } from '../dom.js';
import { t, code, fmtTime, fmtDate } from '../i18n.js';
import { field, form, num } from '../forms.js';
import { EcgViewer } from '../components/ecg-viewer.js';
import { ImageViewer } from '../components/image-viewer.js';
import { EcgLive } from '../ecg-live.js';
import { fromObservation } from '/js/ecg.js';

function table(caption, cols, rows) {
  if (!rows.length) return h('p', { class: 'muted' }, t('worklist.empty'));
  return h('div', { class: 'table-wrap' }, h('table', {}, h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
}

export async function ecgWorklist(ctx) {
  ctx.setTitle(t('worklist.ecgTitle'));
  const { items } = await ctx.api.ecgWorklist();
  ctx.main.append(h('h1', {}, t('worklist.ecgTitle')),
    h('p', {}, t('worklist.count', { n: items.length })),
    table(t('worklist.ecgTitle'), [t('ecg.study'), t('consult.resident'), t('ecg.leads'), t('ecg.startedAt'), t('consult.status')],
      items.map((s) => [h('a', { href: `#/ecg/${s.id}` }, t('ecg.openStudy', { id: s.id })), String(s.resident_id),
        s.leads, fmtTime(s.started_at), code('studyStatus', s.status)])));
}

function versionsList(versions, render) {
  return h('ol', { class: 'versions' }, versions.map((v) => h('li', {}, render(v))));
}

const ECG_FIELDS = [
  ['rhythm', 'input', null], ['heart_rate_bpm', 'number', [15, 350]], ['pr_ms', 'number', [50, 600]],
  ['qrs_ms', 'number', [30, 300]], ['qt_ms', 'number', [150, 800]], ['qtc_ms', 'number', [200, 800]],
];

function ecgReportForm(ctx, s, amend) {
  const r = s.report || {};
  const fields = ECG_FIELDS.map(([name, type, range]) => field({
    name, label: t(`ecg.${name}`), type: type === 'number' ? 'number' : 'text', required: name === 'rhythm',
    value: r[name] ?? '', attrs: range ? { min: String(range[0]), max: String(range[1]), step: '1' } : {},
  }));
  fields.push(field({ name: 'impression', label: t('ecg.impression'), kind: 'textarea', required: true, value: r.impression ?? '' }));
  if (amend) fields.push(field({ name: 'reason', label: t('report.amendReason'), required: true }));
  const f = form({
    fields, submitLabel: amend ? t('report.amend') : t('report.sign'),
    onSubmit: async (v) => {
      const body = { rhythm: v.rhythm, impression: v.impression };
      for (const [name, type] of ECG_FIELDS) if (type === 'number' && v[name] !== '') body[name] = num(v[name]);
      if (amend) body.reason = v.reason;
      await (amend ? ctx.api.amendEcgReport(s.id, body) : ctx.api.signEcgReport(s.id, body));
      ctx.announce(amend ? t('report.amended') : t('report.signed'));
      ctx.rerender();
    },
  });
  f.el.querySelector('.field[data-field="rhythm"]').after(h('div', { class: 'row' }, fields.slice(1, 6).map((x) => x.wrap)));
  return f.el;
}

export async function ecgStudy(ctx, id) {
  const s = await ctx.api.ecgStudy(id);
  ctx.setTitle(t('ecg.studyTitle', { id }));
  const kv = (k, v) => [h('dt', {}, t(k)), h('dd', {}, v)];
  ctx.main.append(h('h1', {}, t('ecg.studyTitle', { id })),
    h('dl', { class: 'kv' }, kv('consult.resident', String(s.resident_id)), kv('ecg.leads', s.leads),
      kv('ecg.rate', `${s.sample_rate_hz} Hz`), kv('ecg.startedAt', fmtTime(s.started_at)),
      kv('ecg.duration', s.duration_ms ? `${(s.duration_ms / 1000).toFixed(1)} s` : '—'),
      kv('consult.status', h('strong', { id: 'study-status' }, code('studyStatus', s.status)))));
  const viewerBox = h('section', { 'aria-labelledby': 'wave-h' }, h('h2', { id: 'wave-h' }, t('ecg.waveform')));
  ctx.main.append(viewerBox);
  const liveNote = h('p', { id: 'ecg-live', role: 'status' });
  viewerBox.append(liveNote);
  const viewer = new EcgViewer(viewerBox, { label: t('ecg.canvasLabelStudy', { id }) });
  ctx.ecgViewer = viewer;
  const waveNote = h('p', { class: 'muted', id: 'ecg-wave-note' });
  viewerBox.append(waveNote);
  const loadStored = async () => {
    try {
      const rec = fromObservation(await ctx.api.ecgWaveform(id, { durationMs: 10000 }));
      if (rec) { viewer.setRecord(rec); waveNote.textContent = t('ecg.storedShown', { s: viewer.seconds().toFixed(1) }); }
      else waveNote.textContent = t('ecg.noSamples');
    } catch (err) {
      waveNote.textContent = err.status === 404 ? t('ecg.noStored') : t('ecg.waveError');
    }
  };
  if (s.status === 'live') {
    liveNote.append(h('span', { class: 'badge live' }, t('ecg.liveBadge')), ' ', t('ecg.liveHelp'));
    const live = new EcgLive({
      live: ctx.live(), study: id, viewer,
      onEnded: () => { liveNote.textContent = t('ecg.liveEnded'); loadStored(); },
      onError: (m) => { liveNote.textContent = t('ecg.liveError', { msg: m.message || '' }); },
    }).open();
    viewerBox.ecgLive = live;
    ctx.onLeave(() => live.close());
  } else {
    await loadStored();
  }
  if (s.report) {
    const r = s.report;
    ctx.main.append(h('section', { 'aria-labelledby': 'rep-h' }, h('h2', { id: 'rep-h' }, t('report.current', { v: r.version })),
      h('dl', { class: 'kv', id: 'report' }, kv('ecg.rhythm', r.rhythm), kv('ecg.heart_rate_bpm', r.heart_rate_bpm ?? '—'),
        kv('ecg.pr_ms', r.pr_ms ?? '—'), kv('ecg.qrs_ms', r.qrs_ms ?? '—'), kv('ecg.qt_ms', r.qt_ms ?? '—'),
        kv('ecg.qtc_ms', r.qtc_ms ?? '—'), kv('ecg.impression', r.impression), kv('report.signedAt', fmtTime(r.signed_at)))));
    const versions = await ctx.api.ecgReportVersions(id);
    ctx.main.append(h('h3', {}, t('report.versions')), versionsList(versions.items,
      (v) => `v${v.version} · ${fmtTime(v.signed_at)} · ${v.impression}${v.amend_reason ? ` · ${t('report.amendReason')}: ${v.amend_reason}` : ''}`));
  }
  if (ctx.hasRole(['ecg_reader'])) {
    if (s.status === 'awaiting_reading') ctx.main.append(h('h2', {}, t('report.write')), ecgReportForm(ctx, s, false));
    if (s.status === 'reported' || s.status === 'amended') ctx.main.append(h('h2', {}, t('report.amend')), ecgReportForm(ctx, s, true));
  }
}

export async function imagingWorklist(ctx) {
  ctx.setTitle(t('worklist.imagingTitle'));
  const { items } = await ctx.api.imagingWorklist();
  ctx.main.append(h('h1', {}, t('worklist.imagingTitle')),
    h('p', {}, t('worklist.count', { n: items.length })),
    table(t('worklist.imagingTitle'), [t('image.study'), t('consult.resident'), t('image.modality'), t('image.description'), t('image.studyDate'), t('consult.status')],
      items.map((s) => [h('a', { href: `#/imaging/${s.id}` }, t('image.openStudy', { id: s.id })), String(s.resident_id ?? '—'),
        s.modality || '—', s.description || '—', fmtDate(s.study_date), code('studyStatus', s.status)])));
}

function imagingReportForm(ctx, s, amend) {
  const r = s.report || {};
  const fields = [
    field({ name: 'findings', label: t('image.findings'), kind: 'textarea', required: true, value: r.findings ?? '' }),
    field({ name: 'impression', label: t('image.impression'), kind: 'textarea', required: true, value: r.impression ?? '' }),
  ];
  if (amend) fields.push(field({ name: 'reason', label: t('report.amendReason'), required: true }));
  return form({
    fields, submitLabel: amend ? t('report.amend') : t('report.sign'),
    onSubmit: async (v) => {
      await (amend ? ctx.api.amendImagingReport(s.id, v) : ctx.api.signImagingReport(s.id, { findings: v.findings, impression: v.impression }));
      ctx.announce(amend ? t('report.amended') : t('report.signed'));
      ctx.rerender();
    },
  }).el;
}

export async function imagingStudy(ctx, id) {
  const s = await ctx.api.imagingStudy(id);
  ctx.setTitle(t('image.studyTitle', { id }));
  const kv = (k, v) => [h('dt', {}, t(k)), h('dd', {}, v)];
  ctx.main.append(h('h1', {}, t('image.studyTitle', { id })),
    h('dl', { class: 'kv' }, kv('consult.resident', String(s.resident_id ?? '—')), kv('image.modality', s.modality || '—'),
      kv('image.description', s.description || '—'), kv('image.studyDate', fmtDate(s.study_date)),
      kv('consult.status', h('strong', {}, code('studyStatus', s.status)))));
  const box = h('section', { 'aria-labelledby': 'img-h' }, h('h2', { id: 'img-h' }, t('image.series')));
  ctx.main.append(box);
  const list = h('ul', {}, (s.series || []).map((se) => h('li', {}, h('button', { type: 'button', class: 'secondary', onclick: async () => {
    try { await viewer.loadSeries({ studyUid: s.study_uid, seriesUid: se.series_uid }); } catch (e) { viewer.status.textContent = e.message; }
  } }, t('image.seriesButton', { n: se.number ?? '', m: se.modality || '', d: se.description || '', k: se.n_instances })))));
  box.append(list);
  const viewer = new ImageViewer(box, { headers: { Authorization: `Bearer ${ctx.api.token}` } });
  if (s.report) {
    ctx.main.append(h('h2', {}, t('report.current', { v: s.report.version })),
      h('dl', { class: 'kv' }, kv('image.findings', s.report.findings), kv('image.impression', s.report.impression)));
  }
  if (ctx.hasRole(['radiologist'])) {
    if (s.status === 'assigned') ctx.main.append(h('h2', {}, t('report.write')), imagingReportForm(ctx, s, false));
    if (s.status === 'reported' || s.status === 'amended') ctx.main.append(h('h2', {}, t('report.amend')), imagingReportForm(ctx, s, true));
  }
}
