// SPDX-License-Identifier: Apache-2.0
// media-call.mjs - real headless Chromium (Debian's) in a consultation
// through the real server's media endpoint, with client-sdk/js/telecare.js:
// two pages (the host and a participant of consultation 1) each decode the
// other's video (framesDecoded rising, 640x480) and audio (audioLevel > 0);
// the city specialist, added to the consultation and joining late, decodes
// video within 2 s of his feed of the host connecting (4 s of his join).
// The consultation has recording consent: after the call every track's
// recording is listed, streams back over HTTP with Range, and
// gst-discoverer-1.0 finds its stream and the duration the records hold,
// within 1 s of that participant's time in the call (from the server
// announcing the track up to the leave; a video file, which starts at its
// first keyframe, may be 1.5 s short).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumOptions, tap } from './server.mjs';
import { mediaServer, apiAs, untilFeed } from './media-net-util.mjs';

const ROOM = 'consultation:1';
const t = tap();

// The demo county (users, consultation 1) and a web root holding the SDK
// and the test page.
const { dir, passwords, server } = await mediaServer({ name: 'media-call',
  ini: '[media]\nice_addresses = 127.0.0.1\n'
    // Decoding is checked on a loaded machine, where the feeds' leaky queues
    // drop: no automatic audio only (integration-media-room tests it).
    + 'audio_only_loss_pct = 100\n' });
const browser = await chromium.launch(chromiumOptions);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function open(user, opts = {}) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('requestfailed', (r) => problems.push(`${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.url()} ${r.status()}`); });
  await page.goto(server.url + '/');
  await page.waitForFunction(() => typeof window.start === 'function', null, { timeout: 5000 })
    .catch(() => { throw new Error(`the page did not load: ${problems.join('; ')}`); });
  const peer = await page.evaluate(([u, p, r, o]) => window.start(u, p, r, o),
    [user, passwords[user], ROOM, opts]);
  return { page, peer, user };
}

/* Leave; the participant's time in the call per track: from the server
 * announcing the track up (its first packet arrived) to the leave being
 * sent, and how long the leave took to be answered. The server stops the
 * recording somewhere in that round trip and answers once it has written
 * it out (waiting for the muxers' end, hashing the files), which on a
 * loaded machine took a second (a CI run: recording 4.54 s, call 5.57 s
 * when measured to the answer). */
async function leave(who) {
  inCall[who.user] = await who.page.evaluate(async () => {
    const now = performance.now();
    await window.call.leave();
    const out = {};
    for (const [track, at] of Object.entries(window.trackUpAt)) out[track] = (now - at) / 1000;
    out.answered = (performance.now() - now) / 1000;
    return out;
  });
}

const api = (...args) => apiAs(server, passwords, ...args);

const inCall = {}; // user -> { audio, video: seconds in the call; answered: the leave's round trip }

function discover(file) {
  const out = execFileSync('gst-discoverer-1.0', [file], { encoding: 'utf8', timeout: 20000 });
  const m = /Duration: (\d+):(\d+):([\d.]+)/.exec(out);
  const seconds = m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : -1;
  return { seconds, video: /video(\s*#\d+)?: ?VP8|video\/x-vp8|VP8/i.test(out),
    audio: /Opus|audio\/x-opus/i.test(out), text: out };
}

const stats = (who) => who.page.evaluate(() => window.call.stats());

const until = (who, of, ok, timeoutMs) => untilFeed(who, of, ok, timeoutMs, 100);

const decoding = (s) => s.video && s.video.framesDecoded > 10;

try {
  const consent = await api('zhou.ming', 'POST', '/api/v1/consultations/1/consents', { kind: 'recording' });
  t.check(consent.status === 201 || consent.status === 200, 'recording consent is given', JSON.stringify(consent.body));
  const host = await open('zhou.ming', { host: true });
  const other = await open('huang.xiaoyan');
  for (const [a, b] of [[host, other], [other, host]]) {
    const r = await until(a, b, (s) => decoding(s) && s.audio && s.audio.audioLevel > 0, 30000);
    t.check(r.ok, `${a.user} decodes ${b.user}'s video and audio`, JSON.stringify(r.last));
    // chromium's encoder may start below the camera's size while its
    // bandwidth estimate ramps up: the full size within 20 s (its
    // loss-based estimate starts at 300 kbit/s, where it sends 480x360,
    // and may hold there 10 s: docs/performance.md, "REMB cap on Chromium")
    const full = await until(a, b, (s) => s.video?.frameWidth === 640 && s.video?.frameHeight === 480, 20000);
    t.check(full.ok, `${a.user} sees ${b.user} at 640x480`, JSON.stringify(full.last?.video));
    // Rising, polled for up to 10 s: on a loaded machine a single read
    // one second later can catch a decoder that stalled for a moment.
    const before = r.last?.video?.framesDecoded || 0;
    let after = before;
    for (let i = 0; i < 20 && after <= before; i++) {
      await sleep(500);
      after = (await stats(a)).feeds[b.peer]?.video?.framesDecoded || 0;
    }
    t.check(after > before, `${a.user}'s framesDecoded keeps rising`, `${before} -> ${after}`);
  }

  // The data channel: the host's message reaches the other page.
  let sent = false;
  for (let i = 0; i < 50 && !sent; i++) {
    sent = await host.page.evaluate(() => window.call.sendData('hello over the data channel'));
    if (!sent) await sleep(100);
  }
  let got = [];
  for (let i = 0; i < 50 && !got.length; i++) {
    got = await other.page.evaluate(() => window.dataReceived);
    if (!got.length) await sleep(100);
  }
  t.check(got.length === 1 && got[0].peer === host.peer && got[0].text === 'hello over the data channel',
    "a data channel message reaches the other participant", JSON.stringify(got));

  // The city specialist is added to the consultation and joins late.
  const me = await api('zheng.haitao', 'GET', '/api/v1/me');
  const added = await api('zhou.ming', 'POST', '/api/v1/consultations/1/participants',
    { kind: 'practitioner', party_id: me.body.practitioner_id });
  t.check(added.status === 201, 'the host adds the specialist', JSON.stringify(added));
  const patient = await open('zheng.haitao');
  const joinedAt = await patient.page.evaluate(() => window.joinedAt);
  const r = await until(patient, host, (s) => s.video && s.video.framesDecoded > 0, 5000);
  // The connection's "connected" can come a little after the first frame
  // (60 ms after it once): wait for both.
  let first, connected;
  for (let i = 0; i < 50 && !(first > 0 && connected > 0); i++) {
    if (i) await sleep(100);
    [first, connected] = await patient.page.evaluate(
      (p) => [window.firstFrameAt[p], window.feedConnectedAt[p]], host.peer);
  }
  const ms = Math.round(first - joinedAt);
  const fromConnected = Math.round(first - connected);
  console.log(`# the late joiner painted the host's first frame ${ms} ms after its join, ${fromConnected} ms after the feed connected`);
  // The keyframe part (the server asks the publisher when the feed
  // connects, again 300 ms and 1 s later, and forwards the newcomer's own
  // PLI: either alone brings it) within 2 s of the feed connecting, and
  // the whole within 4 s of the join. With an ASAN server and three
  // browsers on two cores the set-up before it (the newcomer's own
  // publication negotiated, then one feed per publisher: offer, answer,
  // ICE, DTLS) took 1.5-2.3 s here, so the 2 s from the join is held by
  // integration-media and integration-media-room with GStreamer peers.
  t.check(r.ok && first > 0 && connected > 0 && fromConnected <= 2000 && ms <= 4000,
    'a late joiner decodes video within 2 s of its feed connecting (4 s of its join)',
    `${ms} ms after the join, ${fromConnected} ms after the feed connected ${JSON.stringify(r.last)}`);
  const h = await until(host, patient, decoding, 10000);
  t.check(h.ok, "the host decodes the late joiner's video", JSON.stringify(h.last));
  const errors = await host.page.evaluate(() => window.mediaErrors);
  t.check(errors.length === 0, 'no media errors', JSON.stringify(errors));

  // Leaving ends the others' feeds of the leaver.
  await leave(other);
  await sleep(500);
  const after = await stats(host);
  t.check(!after.feeds[other.peer], "a leaver's feed ends for the others", JSON.stringify(Object.keys(after.feeds)));
  await leave(host);
  await leave(patient);
  await sleep(1500);

  // The recordings: listed, streamed with Range, playable, as long as the call.
  const ids = {};
  for (const u of ['zhou.ming', 'huang.xiaoyan', 'zheng.haitao']) {
    ids[(await api(u, 'GET', '/api/v1/me')).body.id] = u;
  }
  const list = await api('huang.xiaoyan', 'GET', '/api/v1/consultations/1/recordings');
  const items = list.body?.items || [];
  t.check(list.status === 200 && items.length === 6, 'six recordings (audio and video of three)',
    JSON.stringify(list.body));
  const range = items[0] && await api('zhou.ming', 'GET', items[0].media_url, null, { Range: 'bytes=0-99' });
  t.check(range?.status === 206 && range.bytes.length === 100
    && range.headers.get('content-range') === `bytes 0-99/${items[0].size_bytes}`,
    'a Range request gets 206 with those bytes', range && `${range.status} ${range.headers.get('content-range')}`);
  for (const it of items) {
    const got = await api('zhou.ming', 'GET', it.media_url, null, { Range: 'bytes=0-' });
    const file = join(dir, `rec-${it.id}.${it.media_type.includes('matroska') ? 'mkv' : 'webm'}`);
    writeFileSync(file, got.bytes);
    const sha = createHash('sha256').update(got.bytes).digest('hex');
    const d = discover(file);
    const user = ids[it.user_id];
    const call = inCall[user]?.[it.track] ?? -1;
    console.log(`# recording ${it.id} ${user} ${it.track}: ${d.seconds.toFixed(2)} s (in call ${call.toFixed(2)} s, the leave answered in ${inCall[user]?.answered?.toFixed(2)} s, record says ${it.duration_ms} ms, ${it.size_bytes} bytes)`);
    t.check(got.bytes.length === it.size_bytes && sha === it.sha256,
      `recording ${it.id}: the bytes served are the recorded size and SHA-256`);
    t.check(it.track === 'video' ? d.video : d.audio, `recording ${it.id}: gst-discoverer finds its ${it.track} stream`, d.text);
    // The records hold the file's own duration: its first frame to its last.
    t.check(Math.abs(d.seconds * 1000 - it.duration_ms) <= 50,
      `recording ${it.id}: the records' duration is the file's (50 ms)`,
      `${d.seconds} s in the file, ${it.duration_ms} ms recorded`);
    // Within 1 s of the call, which ended between the leave's sending and
    // its answer (the page also hears "up" a little after the server: on a
    // loaded machine 0.6 s after, so a recording may run that much longer).
    // A video file may be 1.5 s short: its first packets come after the
    // audio's, and it starts at the first keyframe, a round trip or more
    // after them (0-0.6 s short of the call in session 11's runs; 1.1 s
    // once in session 10, a late joiner's on a loaded machine).
    const answered = inCall[user]?.answered ?? 0;
    const short = it.track === 'video' ? 1.5 : 1.0;
    t.check(d.seconds >= call - short && d.seconds <= call + answered + 1.0,
      `recording ${it.id}: duration within 1 s of the call's (video: 1.5 s short)`,
      `${d.seconds} vs ${call} (+ ${answered} for the leave's answer; record says ${it.duration_ms} ms)`);
  }
  const outsider = await api('chen.jianping', 'GET', '/api/v1/consultations/1/recordings');
  t.check(outsider.status === 403, 'someone outside the consultation may not list them', String(outsider.status));
} catch (e) {
  t.check(false, 'browser session', e.stack);
} finally {
  await browser.close();
  if (process.env.TC_DUMP_LOG) writeFileSync(process.env.TC_DUMP_LOG, server.log());
  const code = await server.stop();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${server.log().slice(-3000)}`);
  rmSync(dir, { recursive: true, force: true });
  t.done();
}
