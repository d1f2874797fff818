// SPDX-License-Identifier: Apache-2.0
// web-rehab-lowbw.mjs - a live-guided rehab session on a poor link (issue
// 10), in Debian's chromium with fake camera and microphone against the
// demo county (王秀英's plan 1, therapist 林静), media through the server:
//   - the therapist's library exercise with a real demo video (a WebM made
//     by GStreamer here) is the plan's current exercise once the sets of
//     the ones before it are marked done;
//   - the resident, with the keyboard alone, switches to audio only: the
//     demo video plays on her page (currentTime advancing, served by the
//     server), the server stops receiving her video (it tells the
//     therapist's page her video track went down, and the therapist's
//     tile of her decodes no more frames), the therapist's page says she
//     is on audio only with the demo of which exercise; Enter again brings
//     her video back on both sides;
//   - automatic: the call page's network indicator reports Poor (the test
//     dispatches the same `net-level` event the indicator sends from the
//     SDK's stats, every 0.5 s, so the real Good readings of the loopback
//     link in between never make three in a row) -> audio only with the
//     demo, held while the link stays poor; three Good readings bring
//     video back by themselves;
//   - the therapist asks for audio only from his page, and for video again;
//   - axe-core on both pages: no violation of any impact;
//   - chromium's MediaRecorder VP8 WebM passes the server's video check.
import { chromium } from 'playwright-core';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, chromiumOptions, tap } from './server.mjs';
import { axe, shot, login, watchErrors } from './web-util.mjs';

const t = tap();
const tmp = mkdtempSync(join(tmpdir(), 'tc-web-lowbw-'));
writeFileSync(join(tmp, 'server.ini'), '[media]\nice_addresses = 127.0.0.1\n');
const server = await startServer(['--config', join(tmp, 'server.ini')], { seed: true });
const browser = await chromium.launch(chromiumOptions);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function apiAs(user) {
  const r = await fetch(`${server.url}/api/v1/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password: server.accounts[user] }) });
  const { token } = await r.json();
  return async (method, path, body, headers = {}) => {
    const raw = body instanceof Buffer;
    const a = await fetch(`${server.url}/api/v1${path}`, { method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': raw ? 'application/octet-stream' : 'application/json', ...headers },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body) });
    const type = a.headers.get('content-type') || '';
    return { status: a.status, doc: type.includes('json') ? await a.json() : null };
  };
}

async function open(user) {
  const context = await browser.newContext({ locale: 'zh-CN', permissions: ['camera', 'microphone'], viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await login(page, server.url, user, server.accounts[user]);
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
  await page.locator('main h1').waitFor();
  return { context, page, errors };
}

async function tabTo(page, selector) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return true;
  }
  return false;
}

// The therapist's tile of `name`: frames decoded (the page writes the SDK's
// stats on it every 2 s) and its caption.
async function tile(page, name) {
  return page.evaluate((n) => {
    const fig = [...document.querySelectorAll('#call-tiles figure[data-peer]')]
      .find((f) => f.querySelector('figcaption').textContent.startsWith(n));
    return fig ? { frames: Number(fig.dataset.frames || 0), caption: fig.querySelector('figcaption').textContent } : null;
  }, name);
}

async function until(fn, ok, ms) {
  const end = Date.now() + ms;
  let last = null;
  while (Date.now() < end) {
    last = await fn();
    if (last && ok(last)) return { ok: true, last };
    await sleep(200);
  }
  return { ok: false, last };
}

// The resident's demo video: playing, and where it is.
const demoState = (page) => page.evaluate(() => {
  const v = document.getElementById('rehab-demo');
  return { hidden: v.hidden, paused: v.paused, time: v.currentTime, src: v.getAttribute('src'), width: v.videoWidth,
    frames: v.getVideoPlaybackQuality().totalVideoFrames };
});

async function checkAxe(page, name) {
  const v = await axe(page, { all: true });
  t.check(v.length === 0, `axe: no violation on ${name}`, v.join('\n'));
  await shot(page, name);
}

// The resident's video stops reaching the therapist, then comes back.
async function videoStops(ther, label) {
  const down = await until(() => tile(ther.page, '王秀英'), (x) => x.caption.includes('摄像头已关闭'), 8000);
  t.check(down.ok, `${label}: the server tells the therapist her video track went down`, JSON.stringify(down.last));
  await sleep(2500);
  const f1 = (await tile(ther.page, '王秀英'))?.frames;
  await sleep(2500);
  const f2 = (await tile(ther.page, '王秀英'))?.frames;
  t.check(f1 === f2 && f1 > 0, `${label}: the therapist decodes no more of her video`, `${f1} -> ${f2}`);
  return f2;
}

async function videoBack(ther, frames, label) {
  const r = await until(() => tile(ther.page, '王秀英'), (x) => x.frames > frames + 10 && !x.caption.includes('摄像头已关闭'), 25000);
  t.check(r.ok, `${label}: her video reaches the therapist again`, `${frames} -> ${JSON.stringify(r.last)}`);
}

async function demoPlays(res, label, url) {
  const a = await until(() => demoState(res.page), (x) => !x.hidden && !x.paused && x.time > 0, 8000);
  await sleep(1000);
  const b = await demoState(res.page);
  // The 3 s demo loops: currentTime moves (forward, or round to the
  // start), and the frames shown only grow.
  t.check(a.ok && b.time !== a.last.time && b.frames > a.last.frames && !b.paused && b.src === url && b.width === 320,
    `${label}: the demo video plays on her page (currentTime ${a.last?.time?.toFixed(2)} -> ${b.time.toFixed(2)}, frames ${a.last?.frames} -> ${b.frames})`,
    JSON.stringify([a.last, b]));
}

try {
  const therapist = await apiAs('lin.jing');
  // ---- a library exercise with a real demo video, last in plan 1 ----
  const demo = join(tmp, 'demo.webm');
  execFileSync('gst-launch-1.0', ['-q', 'videotestsrc', 'num-buffers=75', '!', 'video/x-raw,width=320,height=240,framerate=25/1',
    '!', 'vp8enc', 'deadline=1', '!', 'webmmux', '!', 'filesink', `location=${demo}`]);
  const bytes = readFileSync(demo);
  const lib = await therapist('POST', '/rehab-library', { name: '坐站转移 Sit to stand', instructions_zh: '从椅子上慢慢站起再坐下。',
    instructions_en: 'Stand up slowly from the chair and sit down.', default_sets: 1, default_reps: 5 });
  const up = await therapist('POST', `/rehab-library/${lib.doc.id}/video`, { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  const put = await therapist('PUT', `/rehab-uploads/${up.doc.id}`, bytes,
    { 'Upload-Offset': '0', 'X-Chunk-SHA256': createHash('sha256').update(bytes).digest('hex') });
  t.check(lib.status === 201 && up.status === 201 && put.status === 200 && put.doc.status === 'complete',
    'a library exercise with its demo video', JSON.stringify([lib.doc, put.doc]));
  const added = await therapist('POST', '/rehab-plans/1/exercises', { library_id: lib.doc.id, sessions_per_week: 2 });
  t.check(added.status === 201, 'the exercise is in plan 1', JSON.stringify(added.doc));
  const exercises = added.doc.exercises;
  const demoUrl = (await therapist('GET', `/rehab-library/${lib.doc.id}`)).doc.video.url;
  const sid = (await therapist('GET', '/rehab-plans/1/sessions')).doc.items
    .find((s) => s.mode === 'live_guided' && s.status === 'scheduled').id;

  const ther = await open('lin.jing');
  const res = await open('wang.xiuying');

  // ---- chromium's own VP8 WebM (MediaRecorder, fake camera) passes the
  // server's video check (GStreamer's alpha decoders demoted, media/init.c)
  const vp8 = Buffer.from(await ther.page.evaluate(async () => {
    const cam = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: false });
    const rec = new MediaRecorder(cam, { mimeType: 'video/webm;codecs=vp8' });
    const parts = [];
    rec.ondataavailable = (e) => parts.push(e.data);
    const stopped = new Promise((r) => { rec.onstop = r; });
    rec.start(250);
    await new Promise((r) => setTimeout(r, 1500));
    rec.stop(); await stopped;
    cam.getTracks().forEach((x) => x.stop());
    return Array.from(new Uint8Array(await new Blob(parts).arrayBuffer()));
  }));
  const lib2 = await therapist('POST', '/rehab-library', { name: '抬腿 Leg raise', instructions_zh: '坐着慢慢抬起一条腿。',
    instructions_en: 'Sitting, raise one leg slowly.', default_sets: 1, default_reps: 5 });
  const sha = createHash('sha256').update(vp8).digest('hex');
  const up2 = await therapist('POST', `/rehab-library/${lib2.doc.id}/video`, { size: vp8.length, sha256: sha });
  const put2 = await therapist('PUT', `/rehab-uploads/${up2.doc.id}`, vp8, { 'Upload-Offset': '0', 'X-Chunk-SHA256': sha });
  t.check(put2.status === 200 && put2.doc.status === 'complete' && put2.doc.mime === 'video/webm',
    `chromium's VP8 WebM (${vp8.length} bytes) is accepted as a video`, JSON.stringify(put2.doc));

  // ---- the call: the therapist admits her, video both ways ----
  await ther.page.goto(`${server.url}/#/call/rehab-session/${sid}`);
  await ther.page.locator('#call-status', { hasText: '您已进入通话。' }).waitFor();
  await res.page.goto(`${server.url}/#/call/rehab-session/${sid}`);
  await ther.page.getByRole('button', { name: '让 王秀英 进入' }).click();
  await res.page.locator('#call-status', { hasText: '您已进入通话。' }).waitFor();
  await res.page.locator('#rehab-fallback').waitFor();
  let r = await until(() => tile(ther.page, '王秀英'), (x) => x.frames > 10, 60000);
  t.check(r.ok, 'the therapist decodes her video', JSON.stringify(r.last));

  // the therapist moves on to the library exercise: every set before it done
  let n = 0;
  for (const x of exercises.slice(0, -1)) {
    for (let set = 1; set <= x.sets; set++) {
      const m = await therapist('POST', `/rehab-sessions/${sid}/sets`, { exercise_id: x.id, set });
      n += m.status === 201;
    }
  }
  await res.page.locator('#sets-count', { hasText: new RegExp(`^已完成 ${n} /`) }).waitFor();
  t.check(n > 0, `the therapist marked the ${n} sets before the library exercise`);

  // ---- her choice, keyboard only ----
  t.check(await tabTo(res.page, '#rehab-fallback'), 'Tab reaches "audio only, demo video here"');
  await res.page.keyboard.press('Enter');
  await res.page.locator('#rehab-fallback[aria-pressed="true"]').waitFor();
  await demoPlays(res, 'her choice', demoUrl);
  t.check((await res.page.locator('#rehab-fallback-state').textContent()).includes('坐站转移'),
    'her page says which exercise\'s demo plays', await res.page.locator('#rehab-fallback-state').textContent());
  const st = await ther.page.locator('#rehab-fallback-state[data-on="true"]').waitFor({ timeout: 20000 }).then(() => true, () => false);
  const stText = await ther.page.locator('#rehab-fallback-state').textContent();
  t.check(st && stText.includes('王秀英') && stText.includes('本人选择') && stText.includes('坐站转移'),
    'the therapist sees she is on audio only, by her choice, with the demo of the current exercise', stText);
  let frames = await videoStops(ther, 'her choice');
  await checkAxe(res.page, 'rehab-lowbw-resident');
  await checkAxe(ther.page, 'rehab-lowbw-therapist');
  t.check(await res.page.evaluate(() => document.activeElement.id) === 'rehab-fallback', 'the focus stays on the button');
  await res.page.keyboard.press('Enter');
  await res.page.locator('#rehab-fallback[aria-pressed="false"]').waitFor();
  t.check((await demoState(res.page)).hidden && (await demoState(res.page)).paused, 'video again: the demo is put away');
  await videoBack(ther, frames, 'her choice off');
  await ther.page.locator('#rehab-fallback-state[data-on="false"]').waitFor({ timeout: 20000 });
  t.check((await ther.page.locator('#rehab-fallback-state').textContent()).includes('已恢复视频'), 'the therapist sees her video is back');

  // ---- automatic: the link stays poor (a Poor reading every 0.5 s, in
  // between the real ones of the loopback link), then is good again ----
  await res.page.evaluate(() => {
    const net = document.getElementById('call-net');
    const poor = () => net.dispatchEvent(new CustomEvent('net-level', { detail: 'Poor' }));
    poor(); poor();
    window.tcPoorLink = setInterval(poor, 500);
  });
  await res.page.locator('#rehab-fallback[aria-pressed="true"]').waitFor({ timeout: 5000 });
  await demoPlays(res, 'poor link', demoUrl);
  t.check((await res.page.locator('#rehab-fallback-state').textContent()).includes('网络较差'), 'her page says the connection is poor');
  await ther.page.locator('#rehab-fallback-state[data-on="true"]', { hasText: '网络较差' }).waitFor({ timeout: 20000 });
  t.check(true, 'the therapist sees the fallback was the poor connection');
  r = await until(() => tile(ther.page, '王秀英'), (x) => x.caption.includes('摄像头已关闭'), 8000);
  t.check(r.ok, 'poor link: the server tells the therapist her video track went down', JSON.stringify(r.last));
  frames = r.last?.frames || 0;
  t.check(await res.page.locator('#rehab-fallback').getAttribute('aria-pressed') === 'true', 'still audio only while the link is poor');
  // the link is good again: three Good readings in a row
  await res.page.evaluate(() => {
    clearInterval(window.tcPoorLink);
    const net = document.getElementById('call-net');
    for (let i = 0; i < 3; i++) net.dispatchEvent(new CustomEvent('net-level', { detail: 'Good' }));
  });
  const back = await res.page.locator('#rehab-fallback[aria-pressed="false"]').waitFor({ timeout: 5000 }).then(() => true, () => false);
  t.check(back && (await demoState(res.page)).hidden, 'good readings again: video comes back by itself, the demo is put away');
  await videoBack(ther, frames, 'link recovered');

  // ---- the therapist asks ----
  t.check(await tabTo(ther.page, '#rehab-fallback'), 'Tab reaches the therapist\'s "switch the resident to audio only"');
  await ther.page.keyboard.press('Enter');
  await res.page.locator('#rehab-fallback[aria-pressed="true"]').waitFor({ timeout: 8000 });
  t.check((await res.page.locator('#rehab-fallback-state').textContent()).includes('康复师'), 'she is on audio only as the therapist asked');
  await ther.page.locator('#rehab-fallback[aria-pressed="true"]').waitFor({ timeout: 8000 });
  await ther.page.keyboard.press('Enter');
  await res.page.locator('#rehab-fallback[aria-pressed="false"]').waitFor({ timeout: 8000 });
  t.check(true, 'and video again when he asks');

  for (const s of [ther, res]) {
    t.check(s.errors.length === 0, 'no script errors', s.errors.join('\n'));
    await s.context.close();
  }
} catch (e) {
  t.check(false, 'browser session', e.stack);
} finally {
  await browser.close();
  rmSync(tmp, { recursive: true, force: true });
  const code = await server.stop();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${server.log()}`);
  t.done();
}
