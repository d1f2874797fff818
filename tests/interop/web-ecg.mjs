// SPDX-License-Identifier: Apache-2.0
// web-ecg.mjs - the web app's ECG study page on the server's own samples,
// in Debian's chromium, against a real server seeded with the demo county:
//  - stored: PTB record s0010_re (15 leads, 1000 Hz, format 16 in two
//    files) imported through POST /api/v1/ecg-studies/import; the reader's
//    study page loads GET /ecg-studies/{id}/waveform (FHIR valueSampledData)
//    and the viewer must hold the source's samples in mV ((adc - baseline)
//    / gain, read here from the .hea and .dat), and draw them where the
//    paper rules put them (25 mm/s and 10 mm/mV at 4 px/mm; then 50 mm/s
//    and 20 mm/mV) - checked on the canvas's pixels; axe finds nothing.
//  - live: telecare-ecg-device streams the same record at twice real time;
//    the page opened 6 s later shows the "live" badge, gets the relay's last
//    10 s at once, holds exactly the source's samples for the frames it
//    shows, and when the device stops shows the stored tracing.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, chromiumOptions, tap } from './server.mjs';
import { axe, shot, login, signedIn, watchErrors } from './web-util.mjs';

const t = tap();
const ecgDir = join(process.env.TC_SHARED_DATA, 'ecg');
const NAME = 's0010_re';

// The record's header and samples: per signal its file, gain, baseline and
// name; mv(s, i) in mV.
function readRecord() {
  const hea = readFileSync(join(ecgDir, `${NAME}.hea`), 'utf8');
  const lines = hea.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  const [, nsig, fs, nsamp] = lines[0].trim().split(/\s+/);
  const sigs = lines.slice(1, 1 + Number(nsig)).map((l) => {
    const f = l.trim().split(/\s+/);
    const gain = Number(/^[\d.]+/.exec(f[2])[0]);
    const b = /\((-?\d+)\)/.exec(f[2]);
    return { file: f[0], gain, baseline: b ? Number(b[1]) : Number(f[4]), name: f[8] };
  });
  const files = {};
  for (const s of sigs) {
    if (!files[s.file]) files[s.file] = { buf: readFileSync(join(ecgDir, s.file)), n: 0 };
    s.col = files[s.file].n++;
  }
  const mv = (s, i) => {
    const g = sigs[s]; const f = files[g.file];
    return (f.buf.readInt16LE(2 * (i * f.n + g.col)) - g.baseline) / g.gain;
  };
  const datRow = (i, l) => files[sigs[l].file].buf.readInt16LE(2 * (i * files[sigs[l].file].n + sigs[l].col));
  return { hea, sigs, fs: Number(fs), nsamp: Number(nsamp), files, mv, datRow };
}

async function apiLogin(url, user, password) {
  const r = await fetch(`${url}/api/v1/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password }),
  });
  return (await r.json()).token;
}

const tmp = mkdtempSync(join(tmpdir(), 'tc-web-ecg-'));
const cfg = join(tmp, 'server.ini');
writeFileSync(cfg, '[http]\nmax_body_bytes = 8388608\n');
const server = await startServer(['--config', cfg], { seed: true });
const browser = await chromium.launch(chromiumOptions);
const rec = readRecord();
let device;
try {
  const pw = server.accounts;
  const readerTok = await apiLogin(server.url, 'sun.lihua', pw['sun.lihua']);
  const demo = await (await fetch(`${server.url}/api/v1/ecg-studies/1`, { headers: { Authorization: `Bearer ${readerTok}` } })).json();
  const importerTok = await apiLogin(server.url, 'huang.xiaoyan', pw['huang.xiaoyan']);
  const files = {};
  for (const f of Object.keys(rec.files)) files[f] = rec.files[f].buf.toString('base64');
  const imp = await fetch(`${server.url}/api/v1/ecg-studies/import`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${importerTok}` },
    body: JSON.stringify({ resident_id: demo.resident_id, device_id: 'PTB-ARCHIVE', header: rec.hea, files, reader_id: demo.reader_id }),
  });
  const study = await imp.json();
  t.check(imp.status === 201 && study.frames === 38400, `s0010_re imported (${rec.sigs.length} leads)`, JSON.stringify(study));

  // ---- stored ----
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await login(page, server.url, 'sun.lihua', pw['sun.lihua']);
  await signedIn(page);
  await page.goto(`${server.url}/#/ecg/${study.id}`);
  await page.waitForFunction(() => {
    const el = document.querySelector('.ecg-viewer');
    return el && el.viewer.record && el.viewer.record.leads.length > 0;
  }, null, { timeout: 20000 });
  const held = await page.evaluate(() => {
    const v = document.querySelector('.ecg-viewer').viewer;
    return {
      fs: v.record.sampleRateHz, names: v.record.leads.map((l) => l.name),
      leads: v.record.leads.map((l) => Array.from(l.mv)), speed: v.speed, gain: v.gain,
      note: document.getElementById('ecg-wave-note').textContent,
    };
  });
  t.check(held.fs === 1000, 'the viewer draws at the record\'s 1000 Hz (period 1 ms)', held.fs);
  t.check(held.names.join(',') === 'I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6,X,Y,Z'
    || held.names.map((n) => n.toLowerCase()).join(',') === rec.sigs.map((s) => s.name.toLowerCase()).join(','),
  'the viewer holds every lead of the record, in order', held.names.join(','));
  t.check(held.leads.every((l) => l.length === 10000), 'the first 10 s (10,000 samples a lead) are held', held.leads.map((l) => l.length).join(','));
  let worst = 0; let compared = 0;
  for (let s = 0; s < rec.sigs.length; s++) {
    for (let i = 0; i < 10000; i++) {
      worst = Math.max(worst, Math.abs(held.leads[s][i] - rec.mv(s, i)));
      compared++;
    }
  }
  t.check(compared === 150000 && worst < 1e-5, 'every held sample equals the .dat/.xyz value in mV (factor, origin applied)', `worst ${worst}`);
  t.check(held.speed === 25 && held.gain === 10, 'the paper defaults are 25 mm/s and 10 mm/mV', `${held.speed} ${held.gain}`);

  // Where the 12-lead part must draw: lead ORDER[c][r] in row r from
  // c x 2.5 s; x = calibration + t x speed x 4 px/mm, y = row baseline -
  // mV x gain x 4 px/mm. Probed where the trace is flat (the samples of
  // +-10 ms within 0.03 mV) and at least 0.3 mV from zero, so a wrong gain
  // or speed misses by 6 px or more: the pixel there must be dark (every
  // channel under 150; the grid is pink, r >= 224; the calipers blue).
  const ORDER = [['i', 'ii', 'iii'], ['avr', 'avl', 'avf'], ['v1', 'v2', 'v3'], ['v4', 'v5', 'v6']];
  const pts = [];
  ORDER.forEach((col, c) => col.forEach((name, r) => {
    const l = rec.sigs.findIndex((x) => x.name.toLowerCase() === name);
    let got = 0;
    for (let i = c * 2500 + 20; i < (c + 1) * 2500 - 20 && got < 3; i += 10) {
      const v = rec.mv(l, i);
      if (Math.abs(v) < 0.3 || Math.abs(v) > 1.2) continue;
      let flat = true;
      for (let k = i - 10; k <= i + 10; k++) if (Math.abs(rec.mv(l, k) - v) > 0.03) flat = false;
      if (flat) { pts.push([r, i, v]); got++; i += 200; }
    }
  }));
  t.check(pts.length >= 12, `${pts.length} flat points of the 12 leads to probe`, JSON.stringify(pts));
  const probe = async (speed, gain, shift = 1) => page.evaluate(({ speed, gain, pts, shift }) => {
    const v = document.querySelector('.ecg-viewer').viewer;
    v.speed = speed; v.gain = gain; v.draw();
    const { calPx, rowPx } = v.geometry;
    const dpr = window.devicePixelRatio || 1;
    const g = v.canvas.getContext('2d');
    const dark = (x, y) => {
      const d = g.getImageData(Math.round(x * dpr) - 1, Math.round(y * dpr) - 1, 3, 3).data;
      for (let k = 0; k < d.length; k += 4) if (d[k] < 150 && d[k + 1] < 150 && d[k + 2] < 150) return true;
      return false;
    };
    const at = pts.map(([r, i, mv]) => dark(calPx + (i / 1000) * speed * 4, r * rowPx + rowPx * 0.6 - mv * gain * 4 * shift));
    // the 1 mV calibration pulse's top: gain x 4 px above the baseline
    const base = rowPx * 1.6; // row 2 (row 1 clips a 20 mm pulse)
    const cal = dark(14, base - gain * 4) && !dark(14, base - gain * 4 - 6);
    return { at, cal };
  }, { speed, gain, pts, shift });
  for (const [speed, gain] of [[25, 10], [50, 20], [12.5, 5], [25, 10]]) {
    const p = await probe(speed, gain);
    t.check(p.at.every(Boolean) && p.cal,
      `${speed} mm/s, ${gain} mm/mV: the 12 leads are drawn where the paper puts their samples, and the 1 mV pulse is ${gain} mm high`,
      JSON.stringify(p));
  }
  const off = await probe(25, 10, 2);
  t.check(off.at.filter(Boolean).length <= pts.length / 4, 'the probe can fail: at twice the amplitude the pixels are mostly blank', JSON.stringify(off.at));
  const v1 = await axe(page, { all: true });
  t.check(v1.length === 0, 'axe: the stored ECG study page has no violation', v1.join('\n'));
  await shot(page, 'ecg-study-stored');

  // ---- live ----
  const pwFile = join(tmp, 'pw');
  writeFileSync(pwFile, pw['huang.xiaoyan']);
  device = spawn(process.env.TC_ECG_DEVICE_BIN, ['--server', server.url, '--user', 'huang.xiaoyan',
    '--password-file', pwFile, '--record', join(ecgDir, NAME), '--patient', String(demo.resident_id),
    '--device', 'HK-ECG-01', '--reader', String(demo.reader_id), '--leads', '12', '--speed', '2'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let devErr = '';
  const stream = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no stream: ${devErr}`)), 20000);
    device.stderr.on('data', (c) => {
      devErr += c;
      const m = /streaming ecg:(\d+)/.exec(devErr);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
  });
  const deviceDone = new Promise((resolve) => device.on('exit', resolve));
  await new Promise((r) => setTimeout(r, 6000)); // 12 s of the record sent
  await page.goto(`${server.url}/#/ecg/${stream}`);
  await page.locator('#ecg-live .badge.live').waitFor({ timeout: 10000 });
  t.check(true, 'a live study shows the "live" badge');
  const late = await page.evaluate(async () => {
    const box = document.querySelector('.ecg-viewer').closest('section');
    const t0 = performance.now();
    for (;;) {
      const v = box.querySelector('.ecg-viewer').viewer;
      if (v.live && v.record && v.record.leads[0].mv.length >= 9500) {
        return {
          ms: performance.now() - t0, first: box.ecgLive.firstFrame, next: v.liveNext,
          leads: v.record.leads.map((l) => Array.from(l.mv)), names: v.record.leads.map((l) => l.name),
        };
      }
      if (performance.now() - t0 > 15000) return { ms: -1, first: box.ecgLive && box.ecgLive.firstFrame };
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  t.check(late.ms >= 0 && late.ms < 4000 && late.first > 0,
    'the late viewer gets the last 10 s at once (it started after frame 0)', `${late.ms} ms, first frame ${late.first}`);
  if (late.leads) {
    let bad = 0; let gaps = 0;
    const n = late.leads[0].length;
    for (let l = 0; l < 12; l++) {
      for (let k = 0; k < n; k++) {
        const frame = late.next - n + k;
        const x = late.leads[l][k];
        if (Number.isNaN(x)) { gaps++; continue; }
        if (Math.abs(x - rec.mv(l, frame)) > 1e-5) bad++;
      }
    }
    t.check(bad === 0 && gaps === 0 && late.names.length === 12,
      `the live viewer holds frames ${late.next - n}..${late.next - 1} of all 12 leads, each equal to the source`, `${bad} differ, ${gaps} gaps`);
  }
  const v2 = await axe(page, { all: true });
  t.check(v2.length === 0, 'axe: the live ECG study page has no violation', v2.join('\n'));
  await shot(page, 'ecg-study-live');
  const code = await deviceDone;
  t.check(code === 0, 'the device replayed the record and stopped', devErr);
  await page.waitForFunction(() => {
    const v = document.querySelector('.ecg-viewer').viewer;
    return !document.querySelector('#ecg-live .badge') && v.record && !v.live;
  }, null, { timeout: 15000 });
  const after = await page.evaluate(() => Array.from(document.querySelector('.ecg-viewer').viewer.lead('V6').mv));
  let diff = 0;
  for (let i = 0; i < after.length; i++) if (Math.abs(after[i] - rec.mv(11, i)) > 1e-5) diff++;
  t.check(after.length === 10000 && diff === 0, 'once the device stops, the page shows the stored record (V6 equals the source)', `${after.length} samples, ${diff} differ`);
  t.check(errors.length === 0, 'no error in the page', errors.join('\n'));
} catch (e) {
  t.check(false, 'web ECG session', e.stack);
} finally {
  if (device && device.exitCode === null) device.kill('SIGTERM');
  await browser.close();
  const code = await server.stop();
  t.check(code === 0, 'the server stops with status 0', `status ${code}`);
  rmSync(tmp, { recursive: true, force: true });
  t.done();
}
