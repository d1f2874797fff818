// SPDX-License-Identifier: Apache-2.0
// web-call.mjs - the call page over the real signaling server (telecare.v1)
// in Debian's chromium with fake camera and microphone: the seeded
// consultation's host and its requester see each other and chat; a
// resident joins her live-guided rehab session from the elder page, waits
// in the waiting room until her therapist admits her, and reads the
// therapist's message in the transcript. axe-core on the call pages.
// Media through the server's media endpoint (the page on /js/telecare.js):
// each side's tile of the other decodes 640x480 video (framesDecoded rising,
// from the SDK's stats the page writes on the tile) and hears audio
// (audioLevel > 0); mute and camera off show on the other side's tile;
// audio only stops the video the other side decodes; the network indicator
// shows round trip, loss and bitrate; the admitted resident sees her
// therapist's video.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, chromiumOptions, tap } from './server.mjs';
import { axe, shot, login, watchErrors } from './web-util.mjs';

const t = tap();
// Loopback only: the media endpoint gathers ICE candidates on 127.0.0.1.
const conf = mkdtempSync(join(tmpdir(), 'tc-web-call-'));
// No automatic audio only: on a loaded machine the feeds' leaky queues drop
// enough to trigger it (integration-media-room tests it with induced loss).
writeFileSync(join(conf, 'server.ini'), '[media]\nice_addresses = 127.0.0.1\naudio_only_loss_pct = 100\n');
const server = await startServer(['--config', join(conf, 'server.ini')], { seed: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The tile of `name` on `page`: the stats the page last wrote on it
// (data-frames, -width, -height, -audio-level) and its caption.
async function tile(page, name) {
  return page.evaluate((n) => {
    const fig = [...document.querySelectorAll('#call-tiles figure[data-peer]')]
      .find((f) => f.querySelector('figcaption').textContent.startsWith(n));
    if (!fig) return null;
    const d = fig.dataset;
    const v = fig.querySelector('video'); const a = fig.querySelector('audio');
    return { frames: Number(d.frames || 0), width: Number(d.width || 0), height: Number(d.height || 0),
      audioLevel: Number(d.audioLevel || 0), caption: fig.querySelector('figcaption').textContent,
      videoWidth: v.videoWidth, label: v.getAttribute('aria-label'),
      audioTracks: a.srcObject ? a.srcObject.getAudioTracks().length : 0 };
  }, name);
}

async function until(page, name, ok, ms) {
  const end = Date.now() + ms;
  let last = null;
  while (Date.now() < end) {
    last = await tile(page, name);
    if (last && ok(last)) return { ok: true, last };
    await sleep(200);
  }
  return { ok: false, last };
}
const browser = await chromium.launch(chromiumOptions);

async function open(user) {
  const context = await browser.newContext({ locale: 'zh-CN', permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await login(page, server.url, user, server.accounts[user]);
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
  await page.locator('main h1').waitFor();
  return { context, page, errors };
}

async function checkAxe(page, name) {
  const v = await axe(page, { all: true });
  t.check(v.length === 0, `axe: no violation on ${name}`, v.join('\n'));
  await shot(page, name);
}

try {
  // ---- consultation 1: host (the accepting cardiologist) and requester ----
  const zhou = await open('zhou.ming');
  const huang = await open('huang.xiaoyan');
  await zhou.page.goto(`${server.url}/#/call/consultation/1`);
  await zhou.page.locator('#call-status', { hasText: '您已进入通话。' }).waitFor();
  await huang.page.goto(`${server.url}/#/consultations/1`);
  await huang.page.getByRole('link', { name: '进入通话' }).click();
  await huang.page.locator('#call-status', { hasText: '您已进入通话。' }).waitFor();
  await zhou.page.locator('#call-peers li', { hasText: '黄晓燕' }).waitFor();
  await huang.page.locator('#call-peers li', { hasText: '周明' }).waitFor();
  t.check(await zhou.page.locator('#call-peers li', { hasText: '主持人' }).count() === 1,
    'the host and the participant see each other with their roles');
  await huang.page.getByRole('textbox', { name: '消息' }).fill('请看一下这份心电图');
  await huang.page.getByRole('button', { name: '发送' }).click();
  await zhou.page.getByRole('log').getByText('请看一下这份心电图', { exact: false }).waitFor();
  t.check((await zhou.page.getByRole('log').textContent()).includes('黄晓燕'), 'a chat message reaches the other side with the sender\'s name');
  t.check((await huang.page.locator('#chat-in').inputValue()) === '', 'a sent message leaves the box');
  t.check((await zhou.page.locator('#call-media').textContent()) !== '本服务器暂不提供视频连接：其他人无法看到或听到您。',
    'the server serves the media SDK (/js/telecare.js), so the page does not say it is missing');

  // ---- media both ways through the server ----
  const sides = [[zhou, huang, '周明', '黄晓燕'], [huang, zhou, '黄晓燕', '周明']];
  for (const [a, , aName, bName] of sides) {
    const r = await until(a.page, bName, (x) => x.frames > 10 && x.audioLevel > 0, 30000);
    t.check(r.ok, `${aName} decodes ${bName}'s video and hears audio`, JSON.stringify(r.last));
    t.check(r.last?.width === 640 && r.last?.height === 480 && r.last?.videoWidth === 640,
      `${aName} sees ${bName} at 640x480`, JSON.stringify(r.last));
    t.check(r.last?.audioTracks === 1 && r.last?.label === `${bName} 的视频`,
      `${aName}'s tile of ${bName} has an audio element and a labelled video`, JSON.stringify(r.last));
    // Rising: more frames within 10 s (the page reads stats every 2 s; on
    // a loaded 2-core machine the decoder may stall for a second or two).
    const before = r.last?.frames || 0;
    const more = await until(a.page, bName, (x) => x.frames > before + 10, 10000);
    t.check(more.ok, `${aName}'s framesDecoded of ${bName} keeps rising`, `${before} -> ${more.last?.frames}`);
  }
  await zhou.page.locator('#call-net[data-loss]').waitFor({ timeout: 10000 });
  const netText = await zhou.page.locator('#call-net').textContent();
  t.check(Number(await zhou.page.locator('#call-net').getAttribute('data-rtt')) < 1000
    && /往返 \d+ 毫秒，丢包 [\d.]+%，接收 \d+ kbit\/s/.test(netText)
    && Number(await zhou.page.locator('#call-net').getAttribute('data-kbps')) > 50,
    'the network indicator shows the media round trip, packet loss and bitrate', netText);

  // Mute and camera off show on the other side.
  await huang.page.getByRole('button', { name: '静音', exact: true }).click();
  let r = await until(zhou.page, '黄晓燕', (x) => x.caption.includes('麦克风已关闭'), 5000);
  t.check(r.ok, 'muting shows on the other side', JSON.stringify(r.last));
  await huang.page.getByRole('button', { name: '取消静音' }).click();
  r = await until(zhou.page, '黄晓燕', (x) => !x.caption.includes('麦克风已关闭'), 5000);
  t.check(r.ok, 'unmuting shows on the other side', JSON.stringify(r.last));
  await huang.page.getByRole('button', { name: '关闭摄像头' }).click();
  r = await until(zhou.page, '黄晓燕', (x) => x.caption.includes('摄像头已关闭'), 5000);
  t.check(r.ok, 'camera off shows on the other side', JSON.stringify(r.last));
  await huang.page.getByRole('button', { name: '打开摄像头' }).click();
  r = await until(zhou.page, '黄晓燕', (x) => !x.caption.includes('摄像头已关闭'), 5000);
  t.check(r.ok, 'camera on again shows on the other side', JSON.stringify(r.last));

  // Audio only stops the video itself: the other side's frames stop.
  await huang.page.getByRole('button', { name: '仅语音' }).click();
  await sleep(3500);
  const f1 = (await tile(zhou.page, '黄晓燕'))?.frames;
  await sleep(2500);
  const f2 = (await tile(zhou.page, '黄晓燕'))?.frames;
  t.check(f1 === f2 && f1 > 0, 'audio only: the other side decodes no more video', `${f1} -> ${f2}`);
  await huang.page.getByRole('button', { name: '仅语音' }).click();
  r = await until(zhou.page, '黄晓燕', (x) => x.frames > f2 + 10, 10000);
  t.check(r.ok, 'video again after audio only', `${f2} -> ${JSON.stringify(r.last)}`);
  await huang.page.getByRole('button', { name: '低带宽' }).click();
  const lowOn = await huang.page.locator('#call-media', { hasText: '150 kbit/s' })
    .waitFor({ timeout: 5000 }).then(() => true, () => false);
  t.check(lowOn && await huang.page.getByRole('button', { name: '低带宽' }).getAttribute('aria-pressed') === 'true',
    'low bandwidth is on', await huang.page.locator('#call-media').textContent());
  await checkAxe(zhou.page, 'call-consultation-host');
  await huang.page.getByRole('button', { name: '离开' }).click();
  await zhou.page.locator('#call-peers li', { hasText: '黄晓燕' }).waitFor({ state: 'detached' });
  t.check(true, 'leaving removes the participant from the other side\'s list');
  for (const s of [zhou, huang]) {
    t.check(s.errors.length === 0, 'no script errors (consultation call)', s.errors.join('\n'));
    await s.context.close();
  }

  // ---- rehab session: waiting room, admit, message to the resident ----
  const therapist = await open('lin.jing');
  const resident = await open('wang.xiuying');
  const sid = await therapist.page.evaluate(async () => {
    const r = await fetch('/api/v1/rehab-plans/1/sessions', { headers: { Authorization: `Bearer ${sessionStorage.getItem('telecare.token')}` } });
    return (await r.json()).items.find((s) => s.mode === 'live_guided' && s.status === 'scheduled').id;
  });
  await therapist.page.goto(`${server.url}/#/plans/1`);
  await therapist.page.getByRole('link', { name: `打开视频训练 #${sid}` }).click();
  await therapist.page.locator('#call-status', { hasText: '您已进入通话。' }).waitFor();
  await resident.page.goto(`${server.url}/#/sessions/${sid}`);
  await resident.page.locator('#join-video').click();
  await resident.page.locator('#call-status', { hasText: '请稍候' }).waitFor();
  t.check(true, 'the resident waits in the waiting room');
  await checkAxe(resident.page, 'call-resident-waiting');
  await therapist.page.getByRole('button', { name: '让 王秀英 进入' }).click();
  await resident.page.locator('#call-status', { hasText: '您已进入通话。' }).waitFor();
  await therapist.page.locator('#call-peers li', { hasText: '王秀英' }).waitFor();
  t.check(true, 'the therapist admits her and she is in the call');
  await therapist.page.getByRole('textbox', { name: '消息' }).fill('请慢慢抬起左腿，保持五秒。');
  await therapist.page.keyboard.press('Enter');
  await resident.page.getByRole('log').getByText('请慢慢抬起左腿，保持五秒。', { exact: false }).waitFor();
  t.check(await resident.page.getByRole('log').isVisible(), 'the therapist\'s message stays visible in the resident\'s transcript');
  const rr = await until(resident.page, '林静', (x) => x.frames > 10, 30000);
  t.check(rr.ok, 'the admitted resident decodes her therapist\'s video', JSON.stringify(rr.last));
  await checkAxe(resident.page, 'call-resident-joined');
  await checkAxe(therapist.page, 'call-therapist-host');
  for (const s of [therapist, resident]) {
    t.check(s.errors.length === 0, 'no script errors (rehab call)', s.errors.join('\n'));
    await s.context.close();
  }
} catch (e) {
  t.check(false, 'browser session', e.stack);
} finally {
  await browser.close();
  const code = await server.stop();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${server.log()}`);
  rmSync(conf, { recursive: true, force: true });
  t.done();
}
