// SPDX-License-Identifier: Apache-2.0
// chart.js - grouped bar charts as SVG, each with its numbers in a table
// beside it (screen readers read the table; the SVG is aria-hidden).
import { h } from '../dom.js';

const NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

// groups: [{label, a, b}] with a, b numbers (b optional); names: [nameA,
// nameB]; fmt: value -> text. max: the axis top (default the largest value).
export function barChart({ title, groups, names, fmt = String, max }) {
  const top = max ?? Math.max(1, ...groups.flatMap((g) => [g.a, g.b ?? 0]));
  const W = 600; const H = 260; const left = 10; const bottom = 40; const gw = (W - left) / Math.max(1, groups.length);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, 'aria-hidden': 'true', focusable: 'false' });
  svg.append(s('line', { x1: left, y1: H - bottom, x2: W, y2: H - bottom, stroke: '#4a4a4a' }));
  groups.forEach((g, i) => {
    const two = g.b !== undefined && g.b !== null;
    const bw = two ? gw * 0.35 : gw * 0.6;
    const x0 = left + i * gw + gw * 0.15;
    const bar = (v, x, cls) => {
      const hgt = ((v ?? 0) / top) * (H - bottom - 30);
      svg.append(s('rect', { x, y: H - bottom - hgt, width: bw, height: hgt, class: cls }));
      svg.append(s('text', { x: x + bw / 2, y: H - bottom - hgt - 6, 'text-anchor': 'middle' }, fmt(v)));
    };
    bar(g.a, x0, 'bar-a');
    if (two) bar(g.b, x0 + bw + 4, 'bar-b');
    svg.append(s('text', { x: left + i * gw + gw / 2, y: H - bottom + 22, 'text-anchor': 'middle' }, g.label));
  });
  const table = h('table', { class: 'chart-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, title), names.filter(Boolean).map((n) => h('th', { scope: 'col' }, n)))),
    h('tbody', {}, groups.map((g) => h('tr', {}, h('th', { scope: 'row' }, g.label), h('td', {}, fmt(g.a)),
      g.b !== undefined && g.b !== null ? h('td', {}, fmt(g.b)) : null))));
  return h('figure', { class: 'chart card' }, h('figcaption', {}, title),
    h('div', { class: 'legend', 'aria-hidden': 'true' }, names.filter(Boolean).map((n, i) => h('span', {}, h('span', { class: `swatch ${i ? 'b' : 'a'}` }), n))),
    svg, h('div', { class: 'table-wrap' }, table));
}
