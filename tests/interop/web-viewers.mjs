// SPDX-License-Identifier: Apache-2.0
// web-viewers.mjs - the viewer components in Debian's chromium, loaded from
// the real server, on real recordings (../shared/data):
//  - ECG viewer: the first 10 s of PTB record s0010_re (12 leads, 1000 Hz,
//    WFDB format 16, read and checksum-verified here); the paper geometry at
//    25 and 50 mm/s, and calipers across two R peaks of the rhythm strip
//    giving the RR interval found in the samples. The component alone: the
//    test hands it the samples (the study page on the server's own stored
//    and live samples is web-ecg.mjs).
//  - image viewer: CT_small.dcm and MR_small.dcm answered as a DICOMweb
//    series (QIDO-RS JSON and WADO-RS multipart/related) by a Playwright
//    route, because /dicom-web is not on this branch: the drawn grey of a
//    pixel against its value windowed here with dicom-parser, window/level,
//    zoom, scrolling.
//  - pre-call check with chromium's fake camera and microphone.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startServer, chromiumOptions, tap } from './server.mjs';
import { axe, shot, login, watchErrors } from './web-util.mjs';

const require = createRequire(import.meta.url);
const dicomParser = require('dicom-parser');
const t = tap();
const data = process.env.TC_SHARED_DATA;

// WFDB format 16 (s0010_re.dat): interleaved little-endian int16.
function readWfdb16(record, seconds) {
  const hea = readFileSync(join(data, 'ecg', `${record}.hea`), 'utf8').split('\n');
  const [, nsig, fs, nsamp] = hea[0].trim().split(/\s+/).map((x, i) => (i ? Number(x) : x));
  const sigs = hea.slice(1, 1 + nsig).map((l) => {
    const f = l.trim().split(/\s+/);
    return { file: f[0], gain: Number(f[2]), baseline: Number(f[4]), checksum: Number(f[6]), name: f[8] };
  });
  const onFile = sigs.filter((s) => s.file === `${record}.dat`);
  const buf = readFileSync(join(data, 'ecg', `${record}.dat`));
  const n = onFile.length;
  const sums = new Array(n).fill(0);
  const want = Math.min(nsamp, seconds * fs);
  const leads = onFile.map((s) => ({ name: s.name, mv: new Array(want) }));
  for (let i = 0; i < nsamp; i++) {
    for (let j = 0; j < n; j++) {
      const v = buf.readInt16LE((i * n + j) * 2);
      sums[j] += v;
      if (i < want) leads[j].mv[i] = (v - onFile[j].baseline) / onFile[j].gain;
    }
  }
  const ok = onFile.every((s, j) => ((sums[j] << 16) >> 16) === s.checksum);
  return { sampleRateHz: fs, leads, checksumsOk: ok };
}

const server = await startServer([], { seed: true });
const browser = await chromium.launch(chromiumOptions);
try {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const errors = watchErrors(page);

  // ---- ECG viewer ----
  const rec = readWfdb16('s0010_re', 10);
  t.check(rec.checksumsOk && rec.leads.length === 12, 's0010_re read: 12 leads, every checksum matches');
  await page.goto(`${server.url}/#/login`);
  await page.getByLabel('用户名').waitFor();
  const geo = await page.evaluate(async (r) => {
    const { EcgViewer } = await import('/app/components/ecg-viewer.js');
    const box = document.createElement('section');
    box.setAttribute('aria-label', 'ECG fixture');
    document.querySelector('main').append(box);
    window.viewer = new EcgViewer(box, { label: 'fixture' });
    window.viewer.setRecord(r);
    const w25 = window.viewer.canvas.getBoundingClientRect().width;
    const rows = window.viewer.geometry.rows.length;
    window.viewer.speed = 50; window.viewer.draw();
    const w50 = window.viewer.canvas.getBoundingClientRect().width;
    window.viewer.speed = 25; window.viewer.draw();
    return { w25, w50, rows, calPx: window.viewer.geometry.calPx };
  }, rec);
  // 10 s at 25 mm/s = 250 mm = 1000 px at 4 px/mm, plus the calibration pulse
  t.check(Math.abs(geo.w25 - geo.calPx - 1000) <= 3, '25 mm/s: 10 s are 250 mm wide', JSON.stringify(geo));
  t.check(Math.abs(geo.w50 - geo.calPx - 2000) <= 3, '50 mm/s doubles the width', JSON.stringify(geo));
  t.check(geo.rows === 4, '12-lead layout: three rows of four leads and a rhythm strip');
  // R peaks of lead II in the samples: the two largest maxima 0.4 s apart or more in 1..4 s
  const ii = rec.leads.find((l) => l.name === 'ii').mv;
  const peakIn = (a, b) => { let k = a; for (let i = a; i < b; i++) if (ii[i] > ii[k]) k = i; return k; };
  const r1 = peakIn(1000, 2200);
  let r2 = peakIn(r1 + 400, r1 + 1600);
  const rr = r2 - r1; // ms at 1000 Hz
  const strip = await page.evaluate(() => window.viewer.geometry);
  await page.locator('canvas').scrollIntoViewIfNeeded();
  const box = await page.locator('canvas').boundingBox();
  const y = box.y + 3 * strip.rowPx + strip.rowPx * 0.6;
  await page.mouse.click(box.x + strip.calPx + (r1 / 1000) * 100, y);
  await page.mouse.click(box.x + strip.calPx + (r2 / 1000) * 100, y);
  const measured = await page.evaluate(() => window.viewer.interval());
  const readout = await page.locator('.caliper-readout').textContent();
  t.check(Math.abs(measured - rr) <= 10 && readout.includes(`${Math.round(60000 / measured)}`),
    `calipers across two R peaks give the RR interval (${rr} ms in the samples)`, `${measured} ms; ${readout}`);
  await page.evaluate(() => { window.viewer.gain = 20; window.viewer.draw(); });
  const calTop = await page.evaluate(() => {
    const g = window.viewer.canvas.getContext('2d');
    const d = window.devicePixelRatio || 1;
    const base = window.viewer.geometry.rowPx * 0.6;
    return [g.getImageData(10 * d, (base - 80) * d, 1, 1).data[0], g.getImageData(10 * d, (base - 40) * d, 1, 1).data[0]];
  });
  t.check(calTop[0] < 100, '20 mm/mV: the 1 mV calibration pulse is 80 px (20 mm) tall', JSON.stringify(calTop));
  await page.evaluate(() => { window.viewer.gain = 10; window.viewer.draw(); });
  await shot(page, 'ecg-viewer-s0010_re');
  // live: twelve one-second chunks; the sweep keeps the last ten seconds
  const live = readWfdb16('s0010_re', 12);
  const kept = await page.evaluate(async (r) => {
    const { EcgViewer } = await import('/app/components/ecg-viewer.js');
    const box = document.createElement('section');
    box.setAttribute('aria-label', 'live ECG fixture');
    document.querySelector('main').append(box);
    const v = new EcgViewer(box, { label: 'live fixture' });
    for (let s = 0; s < 12; s++) {
      v.appendLive({ sampleRateHz: r.sampleRateHz, leads: r.leads.map((l) => ({ name: l.name, mv: l.mv.slice(s * 1000, (s + 1) * 1000) })) });
    }
    await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
    const ii = v.lead('II').mv;
    return { n: ii.length, first: ii[0], last: ii[ii.length - 1], width: v.canvas.getBoundingClientRect().width };
  }, live);
  const liveII = live.leads.find((l) => l.name === 'ii').mv;
  t.check(kept.n === 10000 && Math.abs(kept.first - liveII[2000]) < 1e-6 && Math.abs(kept.last - liveII[11999]) < 1e-6,
    'live: after 12 s the viewer holds the last 10 s', JSON.stringify(kept));
  // axe itself: a button without a name must be reported
  await page.evaluate(() => { const b = document.createElement('button'); b.id = 'axe-probe'; document.querySelector('main').append(b); });
  const probe = await axe(page, { all: true });
  t.check(probe.some((v) => v.startsWith('button-name')), 'axe reports a deliberate violation (a button without a name)', probe.join('\n'));
  await page.evaluate(() => document.getElementById('axe-probe').remove());
  const v1 = await axe(page, { all: true });
  t.check(v1.length === 0, 'axe: the ECG viewer has no violation', v1.join('\n'));

  // ---- image viewer over a DICOMweb fixture ----
  const files = ['CT_small.dcm', 'MR_small.dcm'].map((f) => readFileSync(join(data, 'dicom', f)));
  const sets = files.map((b) => dicomParser.parseDicom(new Uint8Array(b)));
  const uids = sets.map((s) => s.string('x00080018'));
  await page.route('**/dicom-web/**', (route) => {
    const url = route.request().url();
    if (url.endsWith('/instances')) {
      return route.fulfill({ status: 200, contentType: 'application/dicom+json',
        body: JSON.stringify(uids.map((u, i) => ({ '00080018': { vr: 'UI', Value: [u] }, '00200013': { vr: 'IS', Value: [i + 1] } }))) });
    }
    const i = uids.findIndex((u) => url.endsWith(`/instances/${encodeURIComponent(u)}`));
    if (i < 0) return route.fulfill({ status: 404, body: '' });
    const b = 'tc-boundary';
    const body = Buffer.concat([Buffer.from(`--${b}\r\nContent-Type: application/dicom\r\n\r\n`), files[i], Buffer.from(`\r\n--${b}--\r\n`)]);
    return route.fulfill({ status: 200, headers: { 'content-type': `multipart/related; type="application/dicom"; boundary=${b}` }, body });
  });
  const n = await page.evaluate(async () => {
    const { ImageViewer } = await import('/app/components/image-viewer.js');
    const box = document.createElement('section');
    box.setAttribute('aria-label', 'image fixture');
    document.querySelector('main').append(box);
    window.iv = new ImageViewer(box);
    return window.iv.loadSeries({ studyUid: '1.2.3', seriesUid: '1.2.3.4' });
  });
  t.check(n === 2, 'the viewer loaded both instances through QIDO-RS and WADO-RS');
  // expected grey of CT pixel (64, 40) with the file's own window
  const ct = sets[0];
  const el = ct.elements.x7fe00010;
  const raw = new Int16Array(files[0].buffer.slice(files[0].byteOffset + el.dataOffset, files[0].byteOffset + el.dataOffset + el.length));
  const cols = ct.uint16('x00280011');
  const val = raw[40 * cols + 64] * (ct.floatString('x00281053') ?? 1) + (ct.floatString('x00281052') ?? 0);
  const st = await page.evaluate(() => ({ c: window.iv.center, w: window.iv.width, scale: window.iv.canvas.width / window.iv.frames[0].cols }));
  const grey = (c, w) => Math.max(0, Math.min(255, Math.round(((val - (c - w / 2)) / w) * 255)));
  const drawn = await page.evaluate(([x, y]) => window.iv.pixelAt(x, y), [64 * st.scale + 1, 40 * st.scale + 1]);
  t.check(Math.abs(drawn - grey(st.c, st.w)) <= 1, 'a CT pixel is drawn with the file\'s window', `${drawn} vs ${grey(st.c, st.w)} (value ${val})`);
  await page.getByLabel('窗宽').fill('100');
  await page.getByLabel('窗宽').dispatchEvent('change');
  const drawn2 = await page.evaluate(([x, y]) => window.iv.pixelAt(x, y), [64 * st.scale + 1, 40 * st.scale + 1]);
  t.check(Math.abs(drawn2 - grey(st.c, 100)) <= 1, 'window width 100 redraws that pixel as windowed', `${drawn2} vs ${grey(st.c, 100)}`);
  const w0 = await page.evaluate(() => window.iv.canvas.width);
  await page.getByRole('button', { name: '放大' }).click();
  t.check(await page.evaluate(() => window.iv.canvas.width) === Math.round(w0 * 1.25), 'zoom in enlarges the image by a quarter');
  await page.locator('.image-viewer canvas').focus();
  await page.keyboard.press('PageDown');
  t.check((await page.locator('.image-viewer [role=status]').textContent()).startsWith('第 2 / 2 幅'), 'Page Down shows the next instance');
  await shot(page, 'image-viewer-fixture');
  const v2 = await axe(page, { all: true });
  t.check(v2.length === 0, 'axe: the image viewer has no violation', v2.join('\n'));
  t.check(errors.length === 0, 'no script errors (viewers)', errors.join('\n'));
  await context.close();

  // ---- pre-call check with fake devices ----
  const c3 = await browser.newContext({ locale: 'zh-CN', permissions: ['camera', 'microphone'] });
  const p3 = await c3.newPage();
  const e3 = watchErrors(p3);
  await login(p3, server.url, 'huang.xiaoyan', server.accounts['huang.xiaoyan']);
  await p3.getByRole('link', { name: '检查摄像头和声音' }).click();
  await p3.locator('#cam-state.status-good').waitFor({ timeout: 15000 });
  await p3.locator('#mic-state.status-good').waitFor({ timeout: 15000 });
  await p3.locator('#net-state[data-rtt]').waitFor({ timeout: 15000 });
  const rtt = Number(await p3.locator('#net-state').getAttribute('data-rtt'));
  t.check(rtt >= 0 && rtt < 1000, 'camera, microphone (fake devices) and network are checked', `rtt ${rtt}`);
  await p3.getByRole('button', { name: '播放测试声音' }).click();
  await p3.getByRole('button', { name: '听到了' }).click();
  t.check((await p3.locator('#spk-state').textContent()) === '扬声器正常。', 'the speaker check takes the user\'s answer');
  const v3 = await axe(p3, { all: true });
  t.check(v3.length === 0, 'axe: the pre-call page has no violation', v3.join('\n'));
  await shot(p3, 'precall');
  t.check(e3.length === 0, 'no script errors (pre-call)', e3.join('\n'));
  await c3.close();
} catch (e) {
  t.check(false, 'browser session', e.stack);
} finally {
  await browser.close();
  const code = await server.stop();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${server.log()}`);
  t.done();
}
