// SPDX-License-Identifier: Apache-2.0
// i18n.js - every string the app shows comes from a message catalogue
// (../i18n/<lang>.js, flat "area.key" -> text with {name} placeholders).
// zh-CN is the default; the choice is kept in localStorage. A missing key
// shows the key itself (tests/interop/web-i18n.mjs keeps the catalogues
// complete).
import zh from '../i18n/zh-CN.js';
import en from '../i18n/en.js';

export const LANGS = { 'zh-CN': zh, en };
let lang = localStorage.getItem('telecare.lang') in LANGS
  ? localStorage.getItem('telecare.lang') : 'zh-CN';

export function getLang() { return lang; }
export function setLang(l) {
  if (!(l in LANGS)) return;
  lang = l;
  localStorage.setItem('telecare.lang', l);
  document.documentElement.lang = l;
}

export function t(key, vars) {
  const s = LANGS[lang][key] ?? key;
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

// A code the server sends (status, priority, role, ...): "code.<kind>.<v>",
// falling back to the code itself.
export function code(kind, value) {
  if (value === null || value === undefined) return '—';
  const key = `code.${kind}.${value}`;
  return LANGS[lang][key] ?? String(value);
}

export function fmtDate(d) {
  if (!d) return '—';
  return new Date(d.length === 10 ? `${d}T00:00:00` : d).toLocaleDateString(lang);
}
export function fmtTime(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
}
export function fmtPct(x) {
  return x === null || x === undefined ? '—' : `${Math.round(x * 1000) / 10}%`;
}
