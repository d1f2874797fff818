// SPDX-License-Identifier: Apache-2.0
// web-multipart.mjs - the image viewer's multipart/related splitter
// (client-sdk/web/app/components/multipart.js), the one parser of outside
// bytes in the web app that is not a library: a WADO-RS answer carrying the
// two real DICOM files splits back into exactly those bytes; then 20,000
// deterministic mutations of it (byte flips, truncations, repeated and
// stray delimiters, odd Content-Types) replayed on every run: the splitter
// never throws anything but its "no boundary" Error, never loops, and every
// part it answers lies inside the body. (A libFuzzer target is for C; this
// is the same discipline for the browser code.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tap } from './server.mjs';

const t = tap();
const src = process.env.TC_SOURCE_ROOT || join(import.meta.dirname, '..', '..');
const { multipartParts } = await import(join(src, 'client-sdk', 'web', 'app', 'components', 'multipart.js'));
const data = process.env.TC_SHARED_DATA;
const files = ['CT_small.dcm', 'MR_small.dcm'].map((f) => readFileSync(join(data, 'dicom', f)));

const boundary = 'tc.7f3a';
const type = `multipart/related; type="application/dicom"; boundary="${boundary}"`;
const body = Buffer.concat([
  Buffer.from('preamble\r\n'),
  ...files.flatMap((f) => [Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\nContent-Length: ${f.length}\r\n\r\n`), f, Buffer.from('\r\n')]),
  Buffer.from(`--${boundary}--\r\n`),
]);
const parts = multipartParts(type, new Uint8Array(body));
t.check(parts.length === 2 && parts.every((p, i) => Buffer.compare(Buffer.from(p), files[i]) === 0),
  'a WADO-RS answer splits into the two DICOM files, byte for byte');
t.check(multipartParts(`multipart/related; boundary=${boundary}`, new Uint8Array(body)).length === 2, 'an unquoted boundary works');
let threw = null;
try { multipartParts('application/dicom', new Uint8Array(body)); } catch (e) { threw = e; }
t.check(threw instanceof Error && /boundary/.test(threw.message), 'an answer without a boundary is an Error naming it');

// xorshift32: the same mutations on every run
let seed = 0x9e3779b9;
const rnd = (n) => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed % n; };
const delim = Buffer.from(`--${boundary}`);
const types = [type, `multipart/related; boundary=`, 'multipart/related; boundary="', `multipart/related; boundary=${'x'.repeat(200)}`,
  'multipart/related; boundary=--', 'boundary=a', ''];
let bad = 0; let runs = 0; let totalParts = 0;
const t0 = Date.now();
for (let i = 0; i < 20000; i++) {
  let b = Buffer.from(body.subarray(0, 2000 + rnd(body.length - 2000)));
  const kind = rnd(5);
  if (kind === 0) for (let k = 0; k < 1 + rnd(20); k++) b[rnd(b.length)] = rnd(256);
  if (kind === 1) b = Buffer.concat([b, delim, b.subarray(rnd(b.length))]);
  if (kind === 2) b = Buffer.concat([delim, Buffer.from('\r\n\r\n'), delim, Buffer.from('--')]);
  if (kind === 3) { const at = rnd(b.length); b = Buffer.concat([b.subarray(0, at), Buffer.from('\r\n\r\n'), delim, b.subarray(at)]); }
  if (kind === 4) b = b.subarray(0, rnd(200));
  const ct = types[rnd(types.length)];
  const u8 = new Uint8Array(b.buffer, b.byteOffset, b.length);
  runs += 1;
  try {
    const ps = multipartParts(ct, u8);
    for (const p of ps) {
      totalParts += 1;
      if (p.buffer !== u8.buffer || p.byteOffset < u8.byteOffset || p.byteOffset + p.length > u8.byteOffset + u8.length) bad += 1;
    }
  } catch (e) {
    if (!(e instanceof Error) || !/boundary/.test(e.message)) { bad += 1; console.log(`# ${e}`); }
  }
}
t.check(bad === 0 && runs === 20000, `20,000 mutated answers: no stray exception, every part inside its body (${totalParts} parts, ${Date.now() - t0} ms)`);
t.done();
