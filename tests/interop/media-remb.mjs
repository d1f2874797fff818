// SPDX-License-Identifier: Apache-2.0
// media-remb.mjs - the server's REMB cap (media/profile.c) on a real
// Chromium publisher that does NOT cap itself (media-page.js
// ignoreProfile: its SDK sets no maxBitrate, scale or frame rate), through
// the real server. Two runs, each with a server of its own:
//
//   REMB on (the default): the room goes `low` (low_max_kbps 150); the
//     other page's inbound video bitrate from the host must fall under the
//     cap plus a margin within LOW_WITHIN_MS and stay there; back to
//     `normal` it must rise again (the server's 20 Mbit/s REMB lifts the
//     cap);
//   REMB off ([media] low_remb = false, the control): the same steps, and
//     the bitrate must stay above the cap - so the first run's drop is the
//     REMB's doing, not the page's or the machine's.
//
// Bitrates are from getStats bytesReceived at the receiving page over
// WINDOW_MS windows (RTP payload and headers, like media-profile.mjs).
// The host's own view (availableOutgoingBitrate, targetBitrate, the
// rtcp-fb the server's answer negotiated) is printed as TAP comments.
import { chromium } from 'playwright-core';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumOptions, tap } from './server.mjs';
import { mediaServer, openPage, feedOver, untilFeed } from './media-net-util.mjs';

const ROOM = 'consultation:1';
const CAP_KBPS = 150;
const MARGIN = 1.35; // RTP headers, the estimate's overshoot
const LOW_WITHIN_MS = 20000; // how long Chromium may take to come down
const BACK_WITHIN_MS = 25000; // and to ramp up again after normal
const WINDOW_MS = 2000;
const STEADY_MS = 5000;
const BASELINE_KBPS = 250; // well over the cap + margin (202): a drop to show
const t = tap();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* A seeded data directory and a server whose [media] has `extra`. */
async function serverWith(extra) {
  return mediaServer({ name: 'media-remb',
    ini: '[media]\nice_addresses = 127.0.0.1\n'
      + `audio_only_loss_pct = 100\nlow_max_kbps = ${CAP_KBPS}\n${extra}` });
}

const open = (browser, env, user, opts = {}) =>
  openPage(browser, env.server, env.passwords, user, ROOM, opts);
const until = untilFeed;

const measure = (who, of, ms = WINDOW_MS) => feedOver(who, of, ms);

/* The publisher's own view: its congestion controller's estimate, the
 * encoder's target, and what the server's answer negotiated. */
const sendSide = (who) => who.page.evaluate(async () => {
  const pc = window.call.pub;
  const out = { availableKbps: null, targetKbps: null, width: null, limitation: null };
  (await pc.getStats()).forEach((r) => {
    if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded'
        && typeof r.availableOutgoingBitrate === 'number') {
      out.availableKbps = Math.round(r.availableOutgoingBitrate / 1000);
    }
    if (r.type === 'outbound-rtp' && r.kind === 'video') {
      out.targetKbps = Math.round((r.targetBitrate || 0) / 1000);
      out.width = r.frameWidth || 0;
      out.limitation = r.qualityLimitationReason || null;
    }
  });
  return out;
});

const answerFeedback = (who) => who.page.evaluate(() => {
  const sdp = window.call.pub.remoteDescription?.sdp || '';
  const video = sdp.split('m=video')[1]?.split('m=')[0] || '';
  const fb = new Set(video.split('\r\n').filter((l) => l.startsWith('a=rtcp-fb:'))
    .map((l) => l.split(' ').slice(1).join(' ')));
  return { rtcpFb: [...fb], twccExtension: /transport-wide-cc/.test(video) };
});

const sawProfile = (who, p) => who.page.waitForFunction((x) => window.profiles.some((e) => e.room === x),
  p, { timeout: 5000 }).then(() => true, () => false);

const setProfile = (who, p) => who.page.evaluate((x) => window.call.setRoomProfile(x)
  .then((ok) => ok.type, (e) => `${e.code}: ${e.message}`), p);

/* Windows of WINDOW_MS until ok(window) or timeoutMs: the windows seen,
 * and how long it took (null: never). */
async function windowsUntil(host, other, ok, timeoutMs) {
  const t0 = Date.now();
  const seen = [];
  while (Date.now() - t0 < timeoutMs) {
    const w = await measure(other, host);
    const s = await sendSide(host);
    seen.push(`${w.kbps}(${s.availableKbps})`);
    if (ok(w)) return { ms: Date.now() - t0, seen, last: w };
  }
  return { ms: null, seen, last: null };
}

/* One run: a server with the REMB on or off, two pages, normal -> low ->
 * normal. Returns the figures. */
async function run(remb) {
  const name = remb ? 'REMB on' : 'REMB off';
  const env = await serverWith(remb ? '' : 'low_remb = false\n');
  const browser = await chromium.launch(chromiumOptions);
  const limit = CAP_KBPS * MARGIN;
  const out = { remb };
  try {
    const host = await open(browser, env, 'zhou.ming', { host: true, ignoreProfile: true });
    const other = await open(browser, env, 'huang.xiaoyan');
    const full = await until(other, host, (s) => s.video?.frameWidth === 640, 20000);
    t.check(full.ok, `${name}: the other page decodes the host at 640x480`, JSON.stringify(full.last?.video));
    console.log(`# ${name}: the server's answer: ${JSON.stringify(await answerFeedback(host))}`);

    // normal: an uncapped publisher sends well over the cap, or the run
    // shows nothing. (Chromium starts its estimate at 300 kbit/s and,
    // with no transport-wide feedback from the server, raises it slowly.)
    const normal = await windowsUntil(host, other, (w) => w.kbps > BASELINE_KBPS, 30000);
    out.normalKbps = normal.last?.kbps ?? null;
    console.log(`# ${name}: normal: windows ${normal.seen.join(' ')} kbit/s (estimate)`);
    t.check(normal.ms !== null, `${name}: under normal the host sends over ${BASELINE_KBPS} kbit/s`,
      normal.seen.join(' '));

    t.check(await setProfile(host, 'low') === 'ok', `${name}: the host sets the room to low`);
    t.check(await sawProfile(host, 'low'), `${name}: the host's page is told (and ignores it)`);
    // How soon the host's estimate takes the REMB (polled every 100 ms).
    if (remb) {
      const t0 = Date.now();
      while (Date.now() - t0 < LOW_WITHIN_MS && out.estimateMs === undefined) {
        const s = await sendSide(host);
        if (s.availableKbps !== null && s.availableKbps <= CAP_KBPS) out.estimateMs = Date.now() - t0;
        else await sleep(100);
      }
      console.log(`# REMB on: the host's estimate at the cap after ${out.estimateMs ?? `>${LOW_WITHIN_MS}`} ms`);
    }
    // With the REMB: the first window under the cap + margin, then a
    // steady one. Without (the control): every window of LOW_WITHIN_MS,
    // then the same steady one, which must stay over it (a single 2 s
    // window of an encoder on a loaded machine may dip; 5 s do not).
    const low = await windowsUntil(host, other,
      (w) => remb && w.kbps > 0 && w.kbps <= limit, LOW_WITHIN_MS);
    console.log(`# ${name}: low: windows ${low.seen.join(' ')} kbit/s (estimate)`);
    const steady = await measure(other, host, STEADY_MS);
    const side = await sendSide(host);
    out.lowMs = low.ms;
    out.lowKbps = steady.kbps;
    out.lowEstimateKbps = side.availableKbps;
    console.log(`# ${name}: low after ${low.ms ?? `>${LOW_WITHIN_MS}`} ms: ${JSON.stringify(steady)}, ` +
      `the host: ${JSON.stringify(side)}`);
    if (remb) {
      t.check(low.ms !== null, `REMB on: the host's video falls under ${CAP_KBPS} kbit/s + margin within ${LOW_WITHIN_MS / 1000} s`,
        low.seen.join(' '));
      t.check(steady.kbps > 0 && steady.kbps <= limit, `REMB on: and stays there (${STEADY_MS / 1000} s)`, JSON.stringify(steady));
      t.check(side.availableKbps !== null && side.availableKbps <= CAP_KBPS,
        "REMB on: the host's own estimate (availableOutgoingBitrate) is at most the cap", JSON.stringify(side));
      t.check(steady.frames > 5, 'REMB on: video still decodes under the cap', JSON.stringify(steady));
    } else {
      t.check(steady.kbps > limit,
        `REMB off: the host's video stays over ${CAP_KBPS} kbit/s + margin (the control)`,
        `${low.seen.join(' ')}; then ${JSON.stringify(steady)}`);
      t.check(side.availableKbps > CAP_KBPS, "REMB off: the host's own estimate stays over the cap",
        JSON.stringify(side));
      return out;
    }

    // normal again: the 20 Mbit/s REMB lifts the cap, the estimate ramps.
    t.check(await setProfile(host, 'normal') === 'ok', 'REMB on: the host sets the room back to normal');
    const back = await windowsUntil(host, other,
      (w) => w.kbps > limit && w.kbps > steady.kbps * 1.3, BACK_WITHIN_MS);
    out.backMs = back.ms;
    out.backKbps = back.last?.kbps ?? null;
    console.log(`# REMB on: normal again: windows ${back.seen.join(' ')} kbit/s (estimate)`);
    t.check(back.ms !== null, `REMB on: the bitrate rises over the cap again within ${BACK_WITHIN_MS / 1000} s`,
      back.seen.join(' '));
  } finally {
    await browser.close();
    if (process.env.TC_DUMP_LOG) writeFileSync(`${process.env.TC_DUMP_LOG}.${remb ? 'on' : 'off'}`, env.server.log());
    const code = await env.server.stop();
    t.check(code === 0, `${name}: the server stops with status 0`, `status ${code}\n${env.server.log().slice(-3000)}`);
    rmSync(env.dir, { recursive: true, force: true });
  }
  return out;
}

try {
  const on = await run(true);
  const off = await run(false);
  console.log(`# figures: ${JSON.stringify({ capKbps: CAP_KBPS, on, off })}`);
} catch (e) {
  t.check(false, 'browser session', e.stack);
} finally {
  t.done();
}
