// SPDX-License-Identifier: Apache-2.0
// ecg-viewer.js - an ECG on canvas, drawn to the paper standard: 1 mm
// squares with a heavier line every 5 mm, 25 mm/s and 10 mm/mV by default
// (speed 12.5/25/50 mm/s, gain 5/10/20 mm/mV), a 1 mV calibration pulse at
// the start of each row.
//
// Layouts: '12' - the standard 3 x 4 (I II III | aVR aVL aVF | V1 V2 V3 |
// V4 V5 V6, 2.5 s each at 25 mm/s) and a rhythm strip of lead II for the
// whole width below; 'rhythm' - one lead per row for the whole record.
//
// Calipers: click (or Enter on the focused canvas) sets the first mark,
// again the second; the readout gives the interval in ms, the rate it
// implies (60000 / interval) and the amplitude difference in mV. Arrow
// keys move the cursor by 1 mm (Shift: 5 mm), Escape clears.
//
// Data: setRecord({sampleRateHz, leads: [{name, mv: Float32Array}]}) for a
// stored record; appendLive(chunk) (same shape, new samples only) for a live
// stream, drawn as a sweep over the last ten seconds. A live chunk may carry
// `first`, the stream's index of its first frame: a gap before it is held
// as invalid samples (NaN, not drawn), frames already held are skipped, and
// liveNext is the index the next frame would have. NaN anywhere is a gap
// in the trace. The element's `viewer` property is the object (for tests:
// the samples it holds are record.leads[].mv). Lead names are
// matched case-insensitively (avr = aVR). Screen units: MM_PX CSS pixels per
// millimetre (4), so 25 mm/s is 100 px/s at 100% zoom; screens are not
// calibrated, the grid is what a reader measures against.
import { h } from '../dom.js';
import { t } from '../i18n.js';

export const MM_PX = 4;
const ORDER_12 = [['I', 'II', 'III'], ['aVR', 'aVL', 'aVF'], ['V1', 'V2', 'V3'], ['V4', 'V5', 'V6']];
const ROW_MM = 30;
const LIVE_SECONDS = 10;

function norm(name) { return String(name).toLowerCase(); }

export class EcgViewer {
  constructor(container, { label = '' } = {}) {
    this.speed = 25; // mm/s
    this.gain = 10; // mm/mV
    this.layout = '12';
    this.record = null;
    this.marks = [];
    this.cursor = null; // {x, y} in canvas px
    this.canvas = h('canvas', { tabindex: '0', role: 'img', 'aria-label': label || t('ecg.canvasLabel') });
    this.readout = h('p', { role: 'status', class: 'caliper-readout', 'aria-live': 'polite' }, t('ecg.caliperHelp'));
    this.empty = h('p', { class: 'muted' });
    const sel = (name, label, values, cur, fmt) => {
      const id = `ecg-${name}-${Math.random().toString(36).slice(2, 7)}`;
      const s = h('select', { id, name, onchange: (e) => { this[name] = name === 'layout' ? e.target.value : Number(e.target.value); this.draw(); } },
        values.map((v) => h('option', { value: v, selected: v === cur }, fmt(v))));
      return h('div', {}, h('label', { for: id }, label), s);
    };
    this.el = h('div', { class: 'ecg-viewer' },
      h('div', { class: 'viewer-controls' },
        sel('speed', t('ecg.speed'), [12.5, 25, 50], 25, (v) => `${v} mm/s`),
        sel('gain', t('ecg.gain'), [5, 10, 20], 10, (v) => `${v} mm/mV`),
        sel('layout', t('ecg.layout'), ['12', 'rhythm'], '12', (v) => t(`ecg.layout.${v}`)),
        h('button', { type: 'button', class: 'secondary', onclick: () => this.clearMarks() }, t('ecg.clearCalipers'))),
      this.empty,
      h('div', { class: 'ecg-canvas-wrap' }, this.canvas), this.readout);
    this.el.viewer = this;
    container.append(this.el);
    this.canvas.addEventListener('click', (e) => {
      const r = this.canvas.getBoundingClientRect();
      this.cursor = { x: e.clientX - r.left, y: e.clientY - r.top };
      this.mark();
    });
    this.canvas.addEventListener('keydown', (e) => this.key(e));
    this.draw();
  }

  setRecord(rec) {
    this.record = { sampleRateHz: rec.sampleRateHz, leads: rec.leads.map((l) => ({ name: l.name, mv: Float32Array.from(l.mv) })) };
    this.live = false;
    this.draw();
  }

  // Live: keep the last LIVE_SECONDS of each lead; redraw at most once a
  // frame.
  appendLive(chunk) {
    const cap = Math.round(chunk.sampleRateHz * LIVE_SECONDS);
    if (!this.record || !this.live) {
      this.record = { sampleRateHz: chunk.sampleRateHz, leads: chunk.leads.map((l) => ({ name: l.name, mv: new Float32Array(0) })) };
      this.live = true;
      this.liveNext = chunk.first ?? null;
    }
    const len = Math.max(0, ...chunk.leads.map((l) => l.mv.length));
    let skip = 0; let gap = 0;
    if (chunk.first !== undefined && this.liveNext !== null) {
      if (chunk.first < this.liveNext) skip = Math.min(len, this.liveNext - chunk.first);
      else gap = Math.min(cap, chunk.first - this.liveNext);
    }
    if (skip >= len) return;
    if (chunk.first !== undefined) this.liveNext = chunk.first + len;
    for (const l of chunk.leads) {
      const cur = this.record.leads.find((x) => norm(x.name) === norm(l.name));
      if (!cur) continue;
      const add = (ArrayBuffer.isView(l.mv) ? l.mv : Float32Array.from(l.mv)).subarray(skip);
      const joined = new Float32Array(Math.min(cap, cur.mv.length + gap + add.length));
      const all = new Float32Array(cur.mv.length + gap + add.length);
      all.set(cur.mv); all.fill(NaN, cur.mv.length, cur.mv.length + gap); all.set(add, cur.mv.length + gap);
      joined.set(all.subarray(all.length - joined.length));
      cur.mv = joined;
    }
    if (!this.pending) {
      this.pending = true;
      requestAnimationFrame(() => { this.pending = false; this.draw(); });
    }
  }

  lead(name) {
    return this.record && this.record.leads.find((l) => norm(l.name) === norm(name));
  }

  seconds() {
    if (!this.record) return 10;
    return Math.max(...this.record.leads.map((l) => l.mv.length)) / this.record.sampleRateHz;
  }

  // Rows to draw: [{label, parts: [{name, t0, t1}]}]
  rows() {
    const dur = Math.min(this.seconds(), this.layout === '12' ? 10 : 60);
    if (this.layout === '12' && this.record && ORDER_12.flat().every((n) => this.lead(n))) {
      const q = dur / 4;
      const rows = [0, 1, 2].map((r) => ({ parts: ORDER_12.map((col, c) => ({ name: col[r], t0: c * q, t1: (c + 1) * q })) }));
      rows.push({ parts: [{ name: 'II', t0: 0, t1: dur }] });
      return { rows, dur };
    }
    const leads = this.record ? this.record.leads : [];
    return { rows: leads.map((l) => ({ parts: [{ name: l.name, t0: 0, t1: dur }] })), dur };
  }

  draw() {
    const { rows, dur } = this.rows();
    const pxPerS = this.speed * MM_PX;
    const calPx = 0.2 * 25 * MM_PX + 8;
    const width = Math.ceil(calPx + dur * pxPerS) + 2;
    const rowPx = ROW_MM * MM_PX;
    const height = Math.max(1, rows.length) * rowPx;
    const dpr = window.devicePixelRatio || 1;
    const c = this.canvas;
    c.width = Math.round(width * dpr); c.height = Math.round(height * dpr);
    c.style.width = `${width}px`; c.style.height = `${height}px`;
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.fillStyle = '#fff8f6'; g.fillRect(0, 0, width, height);
    for (let x = 0, i = 0; x <= width; x += MM_PX, i++) {
      g.strokeStyle = i % 5 ? '#f5c6c0' : '#e0786b'; g.lineWidth = i % 5 ? 0.5 : 1;
      g.beginPath(); g.moveTo(x + 0.5, 0); g.lineTo(x + 0.5, height); g.stroke();
    }
    for (let y = 0, i = 0; y <= height; y += MM_PX, i++) {
      g.strokeStyle = i % 5 ? '#f5c6c0' : '#e0786b'; g.lineWidth = i % 5 ? 0.5 : 1;
      g.beginPath(); g.moveTo(0, y + 0.5); g.lineTo(width, y + 0.5); g.stroke();
    }
    this.empty.textContent = this.record ? '' : t('ecg.noSamples');
    this.geometry = { rows, pxPerS, calPx, rowPx };
    g.strokeStyle = '#000'; g.fillStyle = '#000'; g.lineWidth = 1.2; g.font = '12px sans-serif';
    rows.forEach((row, r) => {
      const base = r * rowPx + rowPx * 0.6;
      const cal = this.gain * MM_PX; // 1 mV
      g.beginPath(); g.moveTo(0, base); g.lineTo(4, base); g.lineTo(4, base - cal);
      g.lineTo(4 + 0.2 * 25 * MM_PX, base - cal); g.lineTo(4 + 0.2 * 25 * MM_PX, base); g.lineTo(calPx, base); g.stroke();
      for (const p of row.parts) {
        const lead = this.lead(p.name);
        const x0 = calPx + p.t0 * pxPerS;
        g.fillText(this.layout === '12' ? p.name : (lead ? lead.name : p.name), x0 + 3, r * rowPx + 14);
        if (!lead) continue;
        const fs = this.record.sampleRateHz;
        const i0 = Math.floor(p.t0 * fs); const i1 = Math.min(lead.mv.length, Math.floor(p.t1 * fs));
        const step = Math.max(1, Math.floor(fs / (pxPerS * 2)));
        g.beginPath();
        let pen = false;
        for (let i = i0; i < i1; i += step) {
          const x = calPx + (i / fs) * pxPerS;
          const v = lead.mv[i];
          if (Number.isNaN(v)) { pen = false; continue; }
          const y = base - v * this.gain * MM_PX;
          if (!pen) g.moveTo(x, y); else g.lineTo(x, y);
          pen = true;
        }
        g.stroke();
      }
    });
    this.drawMarks(g, height);
  }

  // canvas px -> {ms, mv, row} (mv relative to the row's baseline)
  at(pt) {
    const { pxPerS, calPx, rowPx } = this.geometry;
    const row = Math.floor(pt.y / rowPx);
    const base = row * rowPx + rowPx * 0.6;
    return { ms: ((pt.x - calPx) / pxPerS) * 1000, mv: (base - pt.y) / (this.gain * MM_PX), row };
  }

  drawMarks(g, height) {
    g.strokeStyle = '#0b5cad'; g.lineWidth = 1.5;
    for (const m of this.marks) { g.beginPath(); g.moveTo(m.x, 0); g.lineTo(m.x, height); g.stroke(); }
    if (this.cursor && this.focused) {
      g.strokeStyle = '#d35400'; g.beginPath(); g.moveTo(this.cursor.x, 0); g.lineTo(this.cursor.x, height); g.stroke();
    }
  }

  mark() {
    if (this.marks.length >= 2) this.marks = [];
    this.marks.push({ ...this.cursor });
    this.draw();
    this.readout.textContent = this.reading();
  }

  // The calipers' reading; also answered for tests.
  reading() {
    if (this.marks.length < 2) return t('ecg.caliperOne');
    const a = this.at(this.marks[0]); const b = this.at(this.marks[1]);
    const ms = Math.abs(b.ms - a.ms);
    const mv = Math.abs(b.mv - a.mv);
    return t('ecg.caliperReading', { ms: Math.round(ms), bpm: ms > 0 ? Math.round(60000 / ms) : '—', mv: mv.toFixed(2) });
  }

  interval() {
    if (this.marks.length < 2) return null;
    return Math.abs(this.at(this.marks[1]).ms - this.at(this.marks[0]).ms);
  }

  clearMarks() { this.marks = []; this.readout.textContent = t('ecg.caliperHelp'); this.draw(); }

  key(e) {
    const stepPx = (e.shiftKey ? 5 : 1) * MM_PX;
    if (!this.cursor) this.cursor = { x: this.geometry.calPx, y: this.geometry.rowPx * 0.6 };
    this.focused = true;
    if (e.key === 'ArrowRight') this.cursor.x += stepPx;
    else if (e.key === 'ArrowLeft') this.cursor.x = Math.max(0, this.cursor.x - stepPx);
    else if (e.key === 'ArrowDown') this.cursor.y += stepPx;
    else if (e.key === 'ArrowUp') this.cursor.y = Math.max(0, this.cursor.y - stepPx);
    else if (e.key === 'Enter' || e.key === ' ') { this.mark(); e.preventDefault(); return; }
    else if (e.key === 'Escape') { this.clearMarks(); return; }
    else return;
    e.preventDefault();
    this.draw();
    this.readout.textContent = t('ecg.cursorAt', { ms: Math.round(this.at(this.cursor).ms) });
  }
}
