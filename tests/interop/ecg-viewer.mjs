// SPDX-License-Identifier: Apache-2.0
// ecg-viewer.mjs - a browser viewer of a live ECG (docs/ecg-rtp.md,
// "Browser viewers"): headless Debian Chromium signs in as the demo's ECG
// reader, subscribes to a stream over the signaling WebSocket and reads
// the binary sample frames with a DataView, while telecare-ecg-device
// replays PhysioNet's s0010_re (12 leads, 1000 Hz) at four times real time.
// Every frame of the record must arrive exactly once (the late start is
// covered by the 10 s history) and equal the source file's samples.
import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, chromiumOptions, tap } from './server.mjs';

const LEADS = 12;
const t = tap();
const t0 = Date.now();
const stage = (what) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
const dir = mkdtempSync(join(tmpdir(), 'tc-ecg-viewer-'));
const data = join(dir, 'data');
const accounts = join(dir, 'accounts');
const record = join(process.env.TC_SHARED_DATA, 'ecg', 's0010_re');

function password(user) {
  const line = readFileSync(accounts, 'utf8').split('\n')
    .find((l) => l.startsWith(user + ' '));
  return line.trim().split(/\s+/)[1];
}

async function login(url, user) {
  const r = await fetch(url + '/api/v1/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password: password(user) }),
  });
  return (await r.json()).token;
}

const seed = spawnSync(process.env.TC_ADMIN_BIN,
  ['--data-dir', data, 'seed-demo', '--accounts-file', accounts]);
t.check(seed.status === 0, 'the demo county is seeded', String(seed.stderr));
stage('seeded');
const server = await startServer(['--data-dir', data]);
stage('server up');
const browser = await chromium.launch(chromiumOptions);
let device;
try {
  // The demo's stored study 1: its patient (the device HK-ECG-01 is
  // assigned to her) and its reader.
  const readerToken = await login(server.url, 'sun.lihua');
  const study = await (await fetch(server.url + '/api/v1/ecg-studies/1',
    { headers: { Authorization: 'Bearer ' + readerToken } })).json();
  const page = await browser.newPage();
  await page.goto(server.url + '/');
  writeFileSync(join(dir, 'pw'), password('huang.xiaoyan'));
  device = spawn(process.env.TC_ECG_DEVICE_BIN, ['--server', server.url,
    '--user', 'huang.xiaoyan', '--password-file', join(dir, 'pw'),
    '--record', record, '--patient', String(study.resident_id),
    '--device', 'HK-ECG-01', '--reader', String(study.reader_id),
    '--leads', String(LEADS), '--speed', '4'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let devErr = '';
  const stream = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no stream: ' + devErr)), 20000);
    device.stderr.on('data', (c) => {
      devErr += c;
      const m = /streaming (ecg:\d+)/.exec(devErr);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
  });
  const deviceDone = new Promise((resolve) => device.on('exit', resolve));
  stage('streaming');

  const got = await page.evaluate(async ({ token, stream }) => {
    const ws = new WebSocket(location.origin.replace('http', 'ws') + '/ws', 'telecare.v1');
    ws.binaryType = 'arraybuffer';
    const frames = []; // [first, F, n, samples...]
    let answer = null;
    await new Promise((resolve, reject) => {
      setTimeout(() => reject(new Error('timeout')), 90000);
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', id: '1', token }));
      ws.onmessage = (ev) => {
        if (typeof ev.data !== 'string') {
          const v = new DataView(ev.data);
          const n = v.getUint16(2), first = Number(v.getBigUint64(8)), F = v.getUint32(16);
          if (v.getUint8(0) !== 1 || ev.data.byteLength !== 20 + 2 * n * F) {
            reject(new Error('malformed frame'));
          }
          const s = new Array(n * F);
          for (let i = 0; i < n * F; i++) s[i] = v.getInt16(20 + 2 * i);
          frames.push([first, F, n, s]);
          return;
        }
        const m = JSON.parse(ev.data);
        if (m.type === 'welcome') {
          ws.send(JSON.stringify({ type: 'ecg-subscribe', id: '2', stream, transport: 'websocket' }));
        } else if (m.type === 'ok' && m.id === '2') {
          answer = m;
        } else if (m.type === 'error') {
          reject(new Error(m.message));
        } else if (m.type === 'ecg-ended') {
          resolve();
        }
      };
    });
    ws.close();
    return { answer, frames };
  }, { token: readerToken, stream });
  stage('stream ended');
  const code = await deviceDone;
  t.check(code === 0, 'the device replayed the record and stopped', devErr);
  t.check(got.answer && got.answer.description.leads.length === LEADS
    && got.answer.description.sample_rate_hz === 1000,
  'the subscription answer describes 12 leads at 1000 Hz', JSON.stringify(got.answer));

  // The source: format 16, little-endian, 15 signals per frame in .dat
  // order; the stream carries the first 12.
  const dat = readFileSync(record + '.dat');
  const nFrames = dat.length / (2 * LEADS);
  const total = 38400;
  const seen = new Uint8Array(total);
  let wrong = 0; let outside = 0;
  for (const [first, F, n, s] of got.frames) {
    for (let f = 0; f < F; f++) {
      const frame = first + f;
      if (n !== LEADS || frame >= total) { outside++; continue; }
      seen[frame]++;
      for (let l = 0; l < LEADS; l++) {
        if (s[f * LEADS + l] !== dat.readInt16LE(2 * (frame * LEADS + l))) wrong++;
      }
    }
  }
  t.check(nFrames === total, 'the .dat holds 38,400 frames of 12 signals', nFrames);
  t.check(outside === 0, 'no frame outside the record', outside);
  t.check(seen.every((c) => c === 1), 'every frame arrived exactly once',
    `missing ${seen.filter((c) => c === 0).length}, doubled ${seen.filter((c) => c > 1).length}`);
  t.check(wrong === 0, 'every sample equals the source', `${wrong} differ`);
} catch (e) {
  t.check(false, 'ECG viewer session', e.stack);
} finally {
  if (device && device.exitCode === null) device.kill('SIGTERM');
  await browser.close();
  stage('browser closed');
  const code = await server.stop();
  stage('server stopped');
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${server.log()}`);
  rmSync(dir, { recursive: true, force: true });
  t.done();
}
