// SPDX-License-Identifier: Apache-2.0
// image-viewer.js - the instances of one DICOM series on canvas: scroll
// through them (slider, mouse wheel, PageUp/PageDown), window/level (fields,
// presets, or drag with the mouse: sideways the width, up and down the
// centre), zoom (buttons, Ctrl+wheel).
//
// Pixel data comes through DICOMweb: QIDO-RS lists the series' instances
// (GET {base}/studies/{study}/series/{series}/instances, application/
// dicom+json) and WADO-RS retrieves each one as Part-10 in a multipart/
// related answer, asking for Explicit VR Little Endian; dicom-parser (npm,
// vendored by the build into /vendor/dicom-parser/) reads it. Monochrome
// images of 8 or 16 bits are drawn; anything else says why it is not.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { multipartParts } from './multipart.js';

export { multipartParts };

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const UNCOMPRESSED = [EXPLICIT_LE, '1.2.840.10008.1.2', '1.2.840.10008.1.2.2'];

let parserLoad = null;
function dicomParserLib() {
  if (globalThis.dicomParser) return Promise.resolve(globalThis.dicomParser);
  if (!parserLoad) {
    parserLoad = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/vendor/dicom-parser/dicomParser.min.js';
      s.onload = () => resolve(globalThis.dicomParser);
      s.onerror = () => reject(new Error('dicom-parser is not served (/vendor)'));
      document.head.append(s);
    });
  }
  return parserLoad;
}

// A decoded frame {rows, cols, pixels: Float32Array (modality values),
// center, width, invert} or throws with the reason.
export async function decode(bytes) {
  const dp = await dicomParserLib();
  const ds = dp.parseDicom(bytes);
  const ts = ds.string('x00020010');
  if (ts && !UNCOMPRESSED.includes(ts)) throw new Error(t('image.compressed', { ts }));
  const photometric = (ds.string('x00280004') || '').trim();
  if (!photometric.startsWith('MONOCHROME')) throw new Error(t('image.notMono', { p: photometric }));
  const rows = ds.uint16('x00280010'); const cols = ds.uint16('x00280011');
  const bits = ds.uint16('x00280100'); const signed = ds.uint16('x00280103') === 1;
  const el = ds.elements.x7fe00010;
  if (!el || !rows || !cols) throw new Error(t('image.noPixels'));
  const n = rows * cols;
  const buf = bytes.buffer.slice(bytes.byteOffset + el.dataOffset, bytes.byteOffset + el.dataOffset + el.length);
  let raw;
  if (bits === 16) raw = signed ? new Int16Array(buf, 0, n) : new Uint16Array(buf, 0, n);
  else if (bits === 8) raw = signed ? new Int8Array(buf, 0, n) : new Uint8Array(buf, 0, n);
  else throw new Error(t('image.bits', { bits }));
  const slope = ds.floatString('x00281053') ?? 1; const intercept = ds.floatString('x00281052') ?? 0;
  const pixels = new Float32Array(n);
  let lo = Infinity; let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = raw[i] * slope + intercept;
    pixels[i] = v; if (v < lo) lo = v; if (v > hi) hi = v;
  }
  const center = ds.floatString('x00281050') ?? (lo + hi) / 2;
  const width = ds.floatString('x00281051') ?? Math.max(1, hi - lo);
  return { rows, cols, pixels, center, width, min: lo, max: hi, invert: photometric === 'MONOCHROME1',
    number: ds.intString('x00200013') ?? 0, modality: ds.string('x00080060') || '' };
}

export class ImageViewer {
  constructor(container, { fetchFn = (u, i) => fetch(u, i), headers = {} } = {}) {
    this.fetchFn = fetchFn; this.headers = headers;
    this.frames = []; this.index = 0; this.zoom = 1; this.center = 40; this.width = 400;
    this.canvas = h('canvas', { tabindex: '0', role: 'img', 'aria-label': t('image.canvasLabel') });
    this.status = h('p', { role: 'status', 'aria-live': 'polite' });
    const num = (name, label) => {
      const id = `iv-${name}-${Math.random().toString(36).slice(2, 7)}`;
      const input = h('input', { id, type: 'number', name, onchange: (e) => { this[name] = Number(e.target.value); this.draw(); } });
      return [h('div', {}, h('label', { for: id }, label), input), input];
    };
    const [cWrap, cIn] = num('center', t('image.center'));
    const [wWrap, wIn] = num('width', t('image.width'));
    this.cIn = cIn; this.wIn = wIn;
    const sliderId = `iv-s-${Math.random().toString(36).slice(2, 7)}`;
    this.slider = h('input', { id: sliderId, type: 'range', min: '1', max: '1', value: '1', oninput: (e) => this.show(Number(e.target.value) - 1) });
    this.el = h('div', { class: 'image-viewer' },
      h('div', { class: 'viewer-controls' },
        h('div', {}, h('label', { for: sliderId }, t('image.instance')), this.slider),
        cWrap, wWrap,
        h('button', { type: 'button', class: 'secondary', onclick: () => this.preset(40, 400) }, t('image.presetSoft')),
        h('button', { type: 'button', class: 'secondary', onclick: () => this.preset(-600, 1500) }, t('image.presetLung')),
        h('button', { type: 'button', class: 'secondary', onclick: () => this.preset(300, 1500) }, t('image.presetBone')),
        h('button', { type: 'button', class: 'secondary', 'aria-label': t('image.zoomIn'), onclick: () => this.setZoom(this.zoom * 1.25) }, '+'),
        h('button', { type: 'button', class: 'secondary', 'aria-label': t('image.zoomOut'), onclick: () => this.setZoom(this.zoom / 1.25) }, '−')),
      h('div', { class: 'image-canvas-wrap' }, this.canvas), this.status);
    container.append(this.el);
    this.canvas.addEventListener('wheel', (e) => {
      e.preventDefault();
      if (e.ctrlKey) this.setZoom(this.zoom * (e.deltaY < 0 ? 1.1 : 1 / 1.1));
      else this.show(this.index + (e.deltaY > 0 ? 1 : -1));
    }, { passive: false });
    this.canvas.addEventListener('pointerdown', (e) => {
      const start = { x: e.clientX, y: e.clientY, c: this.center, w: this.width };
      const move = (m) => { this.width = Math.max(1, start.w + (m.clientX - start.x) * 4); this.center = start.c + (m.clientY - start.y) * 2; this.draw(); };
      const up = () => { window.removeEventListener('pointermove', move); window.removeEventListener('pointerup', up); };
      window.addEventListener('pointermove', move); window.addEventListener('pointerup', up);
    });
    this.canvas.addEventListener('keydown', (e) => {
      const k = { PageDown: 1, ArrowDown: 1, PageUp: -1, ArrowUp: -1 }[e.key];
      if (k) { e.preventDefault(); this.show(this.index + k); }
    });
  }

  preset(c, w) { this.center = c; this.width = w; this.draw(); }
  setZoom(z) { this.zoom = Math.min(8, Math.max(0.25, z)); this.draw(); }

  // QIDO-RS then WADO-RS for each instance, in instance-number order.
  async loadSeries({ base = '/dicom-web', studyUid, seriesUid }) {
    this.status.textContent = t('image.loading');
    const series = `${base}/studies/${encodeURIComponent(studyUid)}/series/${encodeURIComponent(seriesUid)}`;
    const q = await this.fetchFn(`${series}/instances`, { headers: { ...this.headers, Accept: 'application/dicom+json' } });
    if (!q.ok) throw new Error(t('image.qidoFailed', { status: q.status }));
    const list = (await q.json()).map((o) => ({
      uid: o['00080018'] && o['00080018'].Value[0],
      number: o['00200013'] && o['00200013'].Value ? Number(o['00200013'].Value[0]) : 0,
    })).filter((x) => x.uid).sort((a, b) => a.number - b.number);
    const buffers = [];
    for (const inst of list) {
      const r = await this.fetchFn(`${series}/instances/${encodeURIComponent(inst.uid)}`, {
        headers: { ...this.headers, Accept: `multipart/related; type="application/dicom"; transfer-syntax=${EXPLICIT_LE}` } });
      if (!r.ok) throw new Error(t('image.wadoFailed', { status: r.status }));
      const body = new Uint8Array(await r.arrayBuffer());
      buffers.push(...multipartParts(r.headers.get('content-type'), body));
    }
    return this.loadParts(buffers);
  }

  async loadParts(buffers) {
    this.frames = [];
    for (const b of buffers) {
      try { this.frames.push(await decode(b)); } catch (e) { this.status.textContent = e.message; }
    }
    if (!this.frames.length) { this.status.textContent = this.status.textContent || t('image.none'); return 0; }
    this.frames.sort((a, b) => a.number - b.number);
    this.slider.max = String(this.frames.length);
    this.center = this.frames[0].center; this.width = this.frames[0].width;
    this.show(0);
    return this.frames.length;
  }

  show(i) {
    if (!this.frames.length) return;
    this.index = Math.min(this.frames.length - 1, Math.max(0, i));
    this.slider.value = String(this.index + 1);
    this.draw();
  }

  draw() {
    const f = this.frames[this.index];
    if (!f) return;
    this.cIn.value = String(Math.round(this.center)); this.wIn.value = String(Math.round(this.width));
    const img = new ImageData(f.cols, f.rows);
    const lo = this.center - this.width / 2;
    for (let i = 0; i < f.pixels.length; i++) {
      let v = Math.round(((f.pixels[i] - lo) / this.width) * 255);
      v = v < 0 ? 0 : v > 255 ? 255 : v;
      if (f.invert) v = 255 - v;
      img.data[i * 4] = v; img.data[i * 4 + 1] = v; img.data[i * 4 + 2] = v; img.data[i * 4 + 3] = 255;
    }
    const off = new OffscreenCanvas(f.cols, f.rows);
    off.getContext('2d').putImageData(img, 0, 0);
    const base = Math.max(1, Math.floor(512 / Math.max(f.cols, f.rows)));
    const w = Math.round(f.cols * base * this.zoom); const hgt = Math.round(f.rows * base * this.zoom);
    this.canvas.width = w; this.canvas.height = hgt;
    const g = this.canvas.getContext('2d');
    g.imageSmoothingEnabled = false;
    g.drawImage(off, 0, 0, w, hgt);
    this.status.textContent = t('image.position', { i: this.index + 1, n: this.frames.length, c: Math.round(this.center), w: Math.round(this.width), z: Math.round(this.zoom * 100) });
  }

  // The drawn pixel at (x, y) of the canvas (grey 0..255), for tests.
  pixelAt(x, y) { return this.canvas.getContext('2d').getImageData(x, y, 1, 1).data[0]; }
}
