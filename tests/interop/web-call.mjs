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
// Screen share through the server: the other side's tile decodes the
// sharer's screen (a tab capture of the sharer's own page: its size, and
// its light pixels where the fake camera is green) and says "screen";
// stopping, and the track ending as with the browser's own "stop sharing",
// bring the camera back. Signaling cut from under the call page (routed
// through playwright, so the page itself is untouched): a short cut
// resumes the session and keeps the media (the same tiles go on
// decoding); a cut longer than the resume grace, and the server restarted,
// start new sessions, and both sides decode each other again.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, chromiumOptions, tap } from './server.mjs';
import { axe, shot, login, watchErrors } from './web-util.mjs';

const t = tap();
// Loopback only: the media endpoint gathers ICE candidates on 127.0.0.1.
// A short resume grace, so that a cut can outlast it in a few seconds.
const GRACE_S = 6;
const conf = mkdtempSync(join(tmpdir(), 'tc-web-call-'));
// No automatic audio only: on a loaded machine the feeds' leaky queues drop
// enough to trigger it (integration-media-room tests it with induced loss).
writeFileSync(join(conf, 'server.ini'),
  `[media]\nice_addresses = 127.0.0.1\naudio_only_loss_pct = 100\n[signaling]\nresume_grace_s = ${GRACE_S}\n`);
const server = await startServer(['--config', join(conf, 'server.ini')], { seed: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let r; // the last wait's answer
// How long frames may take to go on rising. On a loaded machine (2 cores
// shared with the other tests) chromium's encoder drops to a few frames a
// second; a stopped stream still fails.
const RISE_MS = 20000;

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
      // What the video element itself played, apart from the SDK's stats
      // the page writes on the tile (a failure says which stopped).
      played: v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : null,
      time: Math.round(v.currentTime * 10) / 10,
      audioTracks: a.srcObject ? a.srcObject.getAudioTracks().length : 0 };
  }, name);
}

async function until(page, name, ok, ms) {
  const end = Date.now() + ms;
  let last = null;
  const trail = []; // frames seen, once a second: how a failure got there
  let next = 0;
  while (Date.now() < end) {
    last = await tile(page, name);
    if (last && ok(last)) return { ok: true, last, trail };
    if (Date.now() >= next) { trail.push(last ? [last.frames, last.played] : null); next = Date.now() + 1000; }
    await sleep(200);
  }
  return { ok: false, last, trail };
}

// The picture a tile decodes, drawn on a canvas: its size and mean colour
// (the fake camera's picture is green, the call page light).
async function picture(page, name) {
  return page.evaluate((n) => {
    const fig = [...document.querySelectorAll('#call-tiles figure[data-peer]')]
      .find((f) => f.querySelector('figcaption').textContent.startsWith(n));
    const v = fig && fig.querySelector('video');
    if (!v || !v.videoWidth) return null;
    const c = document.createElement('canvas');
    c.width = v.videoWidth; c.height = v.videoHeight;
    const g = c.getContext('2d');
    g.drawImage(v, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const sum = [0, 0, 0]; let n2 = 0;
    for (let i = 0; i < d.length; i += 4 * 97) { sum[0] += d[i]; sum[1] += d[i + 1]; sum[2] += d[i + 2]; n2++; }
    return { w: c.width, h: c.height, r: sum[0] / n2, g: sum[1] / n2, b: sum[2] / n2 };
  }, name);
}

// Chromium's fake devices, with getDisplayMedia answering a capture of the
// asking tab ("display-media-type=browser"; without it the fake device
// answers the camera's own pattern as an 800x450 "screen").
const browser = await chromium.launch({ ...chromiumOptions,
  args: chromiumOptions.args.map((a) => (a === '--use-fake-device-for-media-stream'
    ? '--use-fake-device-for-media-stream=display-media-type=browser' : a)) });

// Every signaling WebSocket of a page goes through playwright
// (routeWebSocket), so that the test can cut it like a network would:
// cut() closes the call page's connection on both sides (code 4000, not a
// normal close: the server keeps the peer for the resume grace), block
// refuses new connections until unblock().
async function wsCutter(page) {
  const live = new Set();
  const byToken = new Map(); // resume token -> the route that received it
  let blocked = false;
  let loseType = null; let lost = 0;
  const sessions = []; // welcome / resumed answers on the call page's connections
  await page.routeWebSocket(/\/ws$/, (ws) => {
    if (blocked) { ws.close({ code: 4000, reason: 'cut by the test' }); return; }
    const server = ws.connectToServer();
    const r = { ws, server, room: null, closed: false };
    live.add(r);
    // The call page's connection is the one that joined the room, or that
    // resumed (hello with the resume token) a connection that had.
    // Once cut, what either side still sends is dropped: playwright's
    // server side is a WebSocket in the page, and sending on it after
    // its close would be the page's console error, not the app's.
    ws.onMessage((m) => {
      if (r.closed) return;
      let j = null;
      try { j = JSON.parse(m); } catch (e) { /* not JSON */ }
      if (j?.type === 'join') r.room = j.room;
      if (j?.type === 'hello' && j.resume) r.room = byToken.get(j.resume)?.room ?? null;
      if (j && j.type === loseType && j.to === 'media') {
        // Lost in flight: the page sent it, the connection dies under it.
        loseType = null; lost += 1;
        live.delete(r); r.closed = true;
        server.close({ code: 4000, reason: 'cut by the test' });
        ws.close({ code: 4000, reason: 'cut by the test' });
        return;
      }
      server.send(m);
    });
    server.onMessage((m) => {
      if (r.closed) return;
      try {
        const j = JSON.parse(m);
        if (j.resume_token) byToken.set(j.resume_token, r);
        if ((j.type === 'welcome' || j.type === 'resumed') && r.room) sessions.push(j.type);
      } catch (e) { /* binary */ }
      ws.send(m);
    });
    // Only codes a close frame may carry are passed on (not 1005/1006).
    const pass = (code) => (code === 1000 || code === 1001 || (code >= 3000 && code < 5000) ? code : 4000);
    ws.onClose((code, reason) => { live.delete(r); r.closed = true; server.close({ code: pass(code), reason }); });
    server.onClose((code, reason) => { live.delete(r); r.closed = true; ws.close({ code: pass(code), reason }); });
  });
  return {
    cut(room) {
      for (const r of [...live]) {
        if (r.room !== room) continue;
        live.delete(r); r.closed = true;
        r.server.close({ code: 4000, reason: 'cut by the test' });
        r.ws.close({ code: 4000, reason: 'cut by the test' });
      }
    },
    block() { blocked = true; },
    unblock() { blocked = false; },
    // The next message of `type` to the media endpoint is lost with the
    // connection that carried it.
    loseNext(type) { loseType = type; },
    get lost() { return lost; },
    sessions,
  };
}

async function open(user) {
  const context = await browser.newContext({ locale: 'zh-CN', permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const cutter = await wsCutter(page);
  await login(page, server.url, user, server.accounts[user]);
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
  await page.locator('main h1').waitFor();
  return { context, page, errors, cutter };
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
  // The patient's ECG attached to the consultation (as on its page), so
  // the call page lists it.
  const ecgId = await zhou.page.evaluate(async () => {
    const hd = { Authorization: `Bearer ${sessionStorage.getItem('telecare.token')}`, 'Content-Type': 'application/json' };
    const c = await (await fetch('/api/v1/consultations/1', { headers: hd })).json();
    const b = await (await fetch(`/fhir/DiagnosticReport?patient=${c.resident_id}`, { headers: hd })).json();
    const ids = (b.entry || []).map((e) => e.resource.id).filter((x) => x.startsWith('ecg-')).map((x) => Number(x.slice(4)));
    if (!ids.length) return null;
    const r = await fetch('/api/v1/consultations/1/ecg-studies', { method: 'POST', headers: hd, body: JSON.stringify({ ecg_study_id: ids[0] }) });
    return r.status === 201 || r.status === 409 ? ids[0] : null;
  });
  t.check(ecgId !== null, 'the patient has an ECG study to attach to the consultation', String(ecgId));
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
    // Chromium's encoder may send less while its CPU and bandwidth
    // estimates ramp up (480x360 seen on a loaded machine): the full size
    // within RISE_MS of decoding.
    const full = r.ok ? await until(a.page, bName, (x) => x.width === 640 && x.height === 480 && x.videoWidth === 640, RISE_MS) : r;
    t.check(full.ok, `${aName} sees ${bName} at 640x480`, JSON.stringify(full.last));
    t.check(r.last?.audioTracks === 1 && r.last?.label === `${bName} 的视频`,
      `${aName}'s tile of ${bName} has an audio element and a labelled video`, JSON.stringify(r.last));
    // Rising: more frames within 10 s (the page reads stats every 2 s; on
    // a loaded 2-core machine the decoder may stall for a second or two).
    const before = r.last?.frames || 0;
    const more = await until(a.page, bName, (x) => x.frames > before + 10, RISE_MS);
    t.check(more.ok, `${aName}'s framesDecoded of ${bName} keeps rising`, `${before} -> ${more.last?.frames}`);
  }
  await zhou.page.locator('#call-net[data-loss]').waitFor({ timeout: 10000 });
  const netText = await zhou.page.locator('#call-net').textContent();
  t.check(Number(await zhou.page.locator('#call-net').getAttribute('data-rtt')) < 1000
    && /往返 \d+ 毫秒，丢包 [\d.]+%，接收 \d+ kbit\/s/.test(netText)
    && Number(await zhou.page.locator('#call-net').getAttribute('data-kbps')) > 50,
    'the network indicator shows the media round trip, packet loss and bitrate', netText);

  // The consultation's studies open in a window of their own, signed in,
  // while the call goes on.
  const [popup] = await Promise.all([zhou.context.waitForEvent('page'),
    zhou.page.getByRole('link', { name: `心电 #${ecgId}（在新窗口打开，通话继续）` }).click()]);
  await popup.locator('main h1', { hasText: `心电检查 #${ecgId}` }).waitFor({ timeout: 15000 });
  t.check(true, 'an attached ECG opens, signed in, in a new window from the call page');
  const zb = (await tile(zhou.page, '黄晓燕'))?.frames || 0;
  r = await until(zhou.page, '黄晓燕', (x) => x.frames > zb + 5, RISE_MS);
  t.check(r.ok && (await zhou.page.locator('#call-status').textContent()) === '您已进入通话。',
    'the call goes on meanwhile', JSON.stringify(r.last));
  await popup.close();

  // Mute and camera off show on the other side.
  await huang.page.getByRole('button', { name: '静音', exact: true }).click();
  r = await until(zhou.page, '黄晓燕', (x) => x.caption.includes('麦克风已关闭'), 5000);
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
  r = await until(zhou.page, '黄晓燕', (x) => x.frames > f2 + 10, RISE_MS);
  t.check(r.ok, 'video again after audio only', `${f2} -> ${JSON.stringify(r.last)}`);

  // ---- screen share: 周明 shares, 黄晓燕 decodes it through the server ----
  await until(huang.page, '周明', (x) => x.width === 640 && x.height === 480, RISE_MS);
  const cam0 = await picture(huang.page, '周明');
  t.check(cam0 && cam0.w === 640 && cam0.g > cam0.r + 60,
    'before sharing, 黄晓燕 decodes 周明\'s camera (640x480, green)', JSON.stringify(cam0));
  await zhou.page.getByRole('button', { name: '共享屏幕' }).click();
  await zhou.page.locator('#call-media', { hasText: '正在共享屏幕' }).waitFor({ timeout: 10000 });
  const scr = await zhou.page.evaluate(() => {
    const tr = document.querySelector('#call-screen video').srcObject.getVideoTracks()[0];
    const st = tr.getSettings();
    return { w: st.width, h: st.height, surface: st.displaySurface };
  });
  t.check(scr.w > 640 && scr.surface === 'browser', 'the screen is a tab capture larger than the camera', JSON.stringify(scr));
  t.check(await zhou.page.locator('#call-share').getAttribute('aria-pressed') === 'true'
    && (await zhou.page.locator('#call-share').textContent()) === '停止共享',
    'the share button is pressed and says "stop sharing"');
  // The decoded size: the video element's (at once), or the stats' (read
  // every 2 s, late on a loaded machine).
  r = await until(huang.page, '周明', (x) => (x.videoWidth === scr.w || (x.width === scr.w && x.height === scr.h))
    && x.caption.includes('正在共享屏幕'), 30000);
  t.check(r.ok && r.last.label === '周明 共享的屏幕',
    '黄晓燕\'s tile of 周明 decodes the screen at its size and says it is a screen', `${JSON.stringify(scr)} ${JSON.stringify(r.last)}`);
  const sf = r.last?.frames || 0;
  // A tab capture makes frames as the page repaints: slower than a camera
  // on a loaded machine, so a smaller rise over a longer time.
  r = await until(huang.page, '周明', (x) => x.frames > sf + 5 && x.width === scr.w, 20000);
  t.check(r.ok, 'the shared screen\'s framesDecoded keeps rising', `${sf} -> ${JSON.stringify(r.last)}`);
  const pic = await picture(huang.page, '周明');
  t.check(pic && pic.w === scr.w && pic.r > 150 && pic.b > 150,
    'the decoded picture is 周明\'s page (light), not his camera (green)', JSON.stringify(pic));
  await shot(huang.page, 'call-screen-received');
  await zhou.page.getByRole('button', { name: '停止共享' }).click();
  r = await until(huang.page, '周明', (x) => x.width === 640 && x.height === 480 && !x.caption.includes('屏幕'), 20000);
  t.check(r.ok && r.last.label === '周明 的视频', 'stopping brings 周明\'s camera back on the other side', JSON.stringify(r.last));
  t.check(await zhou.page.locator('#call-screen').count() === 0
    && await zhou.page.locator('#call-share').getAttribute('aria-pressed') === 'false',
    'the sharer\'s own screen tile goes and the button is released');
  // The browser's own "stop sharing" ends the track: the camera comes back.
  await zhou.page.getByRole('button', { name: '共享屏幕' }).click();
  r = await until(huang.page, '周明', (x) => x.width === scr.w && x.caption.includes('正在共享屏幕'), 20000);
  t.check(r.ok, 'sharing again reaches the other side', JSON.stringify(r.last));
  await zhou.page.evaluate(() => {
    document.querySelector('#call-screen video').srcObject.getVideoTracks()[0].dispatchEvent(new Event('ended'));
  });
  r = await until(huang.page, '周明', (x) => x.width === 640 && !x.caption.includes('屏幕'), 20000);
  t.check(r.ok && await zhou.page.locator('#call-screen').count() === 0,
    'a screen track that ends brings the camera back', JSON.stringify(r.last));

  // ---- signaling cut from under the call (media must come back) ----
  const room1 = 'consultation:1';
  const peerOf = (page, name) => page.evaluate((n) => {
    const fig = [...document.querySelectorAll('#call-tiles figure[data-peer]')]
      .find((f) => f.querySelector('figcaption').textContent.startsWith(n));
    return fig ? fig.dataset.peer : null;
  }, name);
  const markTiles = (page) => page.evaluate(() => {
    document.querySelectorAll('#call-tiles figure[data-peer]').forEach((f) => { f.dataset.before = 'cut'; });
  });
  const marked = (page, name) => page.evaluate((n) => {
    const fig = [...document.querySelectorAll('#call-tiles figure[data-peer]')]
      .find((f) => f.querySelector('figcaption').textContent.startsWith(n));
    return Boolean(fig && fig.dataset.before === 'cut');
  }, name);
  // Both sides decode each other: frames past `min` and rising.
  const bothDecode = async (what) => {
    for (const [a, , aName, bName] of sides) {
      let q = await until(a.page, bName, (x) => x.frames > 10 && x.width === 640, 30000);
      const f0 = q.last?.frames || 0;
      if (q.ok) q = await until(a.page, bName, (x) => x.frames > f0 + 10, RISE_MS);
      t.check(q.ok, `${what}: ${aName} decodes ${bName}'s video again (framesDecoded rising)`, `${f0} -> ${JSON.stringify(q.last)}`);
    }
  };

  // A short cut: the session resumes, the media on the server survived
  // and is kept (the same tiles, their frames never reset).
  await markTiles(zhou.page);
  await markTiles(huang.page);
  const zf0 = (await tile(zhou.page, '黄晓燕'))?.frames || 0;
  const hPeer = await peerOf(zhou.page, '黄晓燕');
  huang.cutter.cut(room1);
  await huang.page.locator('#call-status', { hasText: '正在重新连接' }).waitFor({ timeout: 5000 });
  await huang.page.locator('#call-status', { hasText: '您已进入通话。' }).waitFor({ timeout: 15000 });
  r = await until(zhou.page, '黄晓燕', (x) => x.frames > zf0 + 10, RISE_MS);
  const kept = { decoding: r.ok, zhouTile: await marked(zhou.page, '黄晓燕'), huangTile: await marked(huang.page, '周明'),
    samePeer: await peerOf(zhou.page, '黄晓燕') === hPeer, sessions: huang.cutter.sessions.join() };
  t.check(kept.decoding && kept.zhouTile && kept.huangTile && kept.samePeer && kept.sessions === 'resumed',
    'a short cut resumes the session and keeps the media: the same tiles go on decoding',
    `${zf0} -> ${JSON.stringify(r.last)} ${JSON.stringify(kept)} ${JSON.stringify(r.trail)}`);
  r = await until(huang.page, '周明', (x) => x.frames > 10, 5000);
  const hf0 = r.last?.frames || 0;
  r = await until(huang.page, '周明', (x) => x.frames > hf0 + 10, RISE_MS);
  t.check(r.ok, 'after the short cut 黄晓燕 goes on decoding 周明', `${hf0} -> ${JSON.stringify(r.last)} ${JSON.stringify(r.trail)}`);

  // A cut longer than the resume grace: the server ends 黄晓燕's peer and
  // her media; she comes back as a new session and publishes again.
  huang.cutter.block();
  huang.cutter.cut(room1);
  await zhou.page.locator('#call-peers li', { hasText: '黄晓燕' }).waitFor({ state: 'detached', timeout: (GRACE_S + 10) * 1000 });
  t.check(await tile(zhou.page, '黄晓燕') === null, 'past the grace the other side drops her tile');
  huang.cutter.unblock();
  await huang.page.locator('#call-status', { hasText: '您已进入通话。' }).waitFor({ timeout: 20000 });
  await bothDecode('after a cut past the grace');
  t.check(await peerOf(zhou.page, '黄晓燕') !== hPeer, 'she came back as a new peer (a new session)');

  // The server restarted: every session and the media pipeline are gone.
  await server.down();
  await zhou.page.locator('#call-status', { hasText: '正在重新连接' }).waitFor({ timeout: 10000 });
  await server.up();
  for (const s of [zhou, huang]) await s.page.locator('#call-status', { hasText: '您已进入通话。' }).waitFor({ timeout: 30000 });
  await bothDecode('after the server restarted');
  await huang.page.getByRole('button', { name: '低带宽' }).click();
  const lowOn = await huang.page.locator('#call-media', { hasText: '150 kbit/s' })
    .waitFor({ timeout: 5000 }).then(() => true, () => false);
  t.check(lowOn && await huang.page.getByRole('button', { name: '低带宽' }).getAttribute('aria-pressed') === 'true',
    'low bandwidth is on', await huang.page.locator('#call-media').textContent());
  await checkAxe(zhou.page, 'call-consultation-host');
  // She is in his list before she leaves, so that her entry going is the
  // leave's doing (waiting for an entry that was never there passes at once).
  const listedBefore = await zhou.page.locator('#call-peers li', { hasText: '黄晓燕' }).count();
  t.check(listedBefore === 1, 'she is in the other side\'s list before she leaves', `entries: ${listedBefore}`);
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
  // Her first publishing offer is lost with the connection at the moment
  // she sends it: the session resumes, her connection never comes up, so
  // the SDK publishes afresh.
  resident.cutter.loseNext('offer');
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
  const tr2 = await until(therapist.page, '王秀英', (x) => x.frames > 10, 30000);
  t.check(resident.cutter.lost === 1 && tr2.ok && resident.cutter.sessions.join() === 'resumed',
    'her offer lost at a drop: the resumed session publishes afresh and her therapist decodes her', `lost ${resident.cutter.lost}, sessions ${resident.cutter.sessions}, ${JSON.stringify(tr2.last)} ${JSON.stringify(tr2.trail)}`);
  t.check(!(await resident.page.locator('#call-media').textContent()).includes('问题'),
    'stale relays refused across the drop say nothing to her', await resident.page.locator('#call-media').textContent());
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
