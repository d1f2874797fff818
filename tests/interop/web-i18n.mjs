// SPDX-License-Identifier: Apache-2.0
// web-i18n.mjs - the message catalogues are complete: zh-CN and en have the
// same keys, no empty text, the same {placeholders} per key, and every key
// the app's sources name literally (t('...'), nav keys, table headers)
// exists. Keys built at run time (code.<kind>.<value>, error.status.<n>,
// elder.size<n>, ...) are listed in the catalogues themselves.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tap } from './server.mjs';

const t = tap();
const src = join(process.env.TC_SOURCE_ROOT || join(import.meta.dirname, '..', '..'), 'client-sdk', 'web');
const zh = (await import(join(src, 'i18n', 'zh-CN.js'))).default;
const en = (await import(join(src, 'i18n', 'en.js'))).default;

const kz = Object.keys(zh); const ke = Object.keys(en);
t.check(kz.length > 300 && kz.length === ke.length && kz.every((k) => k in en), 'zh-CN and en have the same keys',
  `${kz.filter((k) => !(k in en)).join(' ')} | ${ke.filter((k) => !(k in zh)).join(' ')}`);
const empty = kz.filter((k) => !zh[k] || !en[k]);
t.check(empty.length === 0, 'no empty message', empty.join(' '));
const ph = (s) => (s.match(/\{\w+\}/g) || []).sort().join();
const diff = kz.filter((k) => k in en && ph(zh[k]) !== ph(en[k]));
t.check(diff.length === 0, 'each message has the same placeholders in both languages', diff.join(' '));

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.js') && !p.includes(`${join('web', 'i18n')}`) ? [p] : [];
  });
}
const used = new Set();
for (const f of files(join(src, 'app'))) {
  const text = readFileSync(f, 'utf8');
  for (const m of text.matchAll(/\bt\('([a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
  for (const m of text.matchAll(/key: '([a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
  for (const m of text.matchAll(/'((?:consult|resident|panel|followup|contract|ecg|report|image)\.[a-zA-Z_]+)'/g)) used.add(m[1]);
}
const missing = [...used].filter((k) => !(k in zh));
t.check(used.size > 200 && missing.length === 0, `every key the sources name exists (${used.size})`, missing.join(' '));
t.done();
