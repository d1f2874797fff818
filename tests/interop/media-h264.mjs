// SPDX-License-Identifier: Apache-2.0
// media-h264.mjs - H.264 through the server without decoding: Debian's
// headless chromium publishes H.264 (client-sdk/js/telecare.js,
// publish({codec: 'H264'}): codec preferences on the video transceiver;
// Chromium's own software encoder), the other page decodes it as H.264 at
// 640x480 with framesDecoded rising, and the consultation's recording of
// that video is Matroska that gst-discoverer-1.0 reports as H.264 with
// about the call's duration. The other participant publishes VP8 in the
// same room: both codecs are forwarded side by side.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tap } from './server.mjs';
import { mediaSetup, decodes, sleep } from './media-net-util.mjs';

const t = tap();
const env = await mediaSetup({ name: 'media-h264' });

try {
  const consent = await env.api('zhou.ming', 'POST', '/api/v1/consultations/1/consents', { kind: 'recording' });
  t.check(consent.status === 201 || consent.status === 200, 'recording consent is given', JSON.stringify(consent.body));
  const host = await env.open('zhou.ming', { host: true, codec: 'H264' });
  const other = await env.open('huang.xiaoyan');

  const pub = (await env.stats(host)).publish;
  let sent = pub?.codec;
  for (let i = 0; i < 50 && !sent; i++) {
    await sleep(100);
    sent = (await env.stats(host)).publish?.codec;
  }
  t.check(sent === 'video/H264', 'the host sends H.264', String(sent));
  console.log(`# chromium's encoder: ${(await env.stats(host)).publish?.encoder}`);

  const d = await decodes(env, other, host, 30000);
  t.check(d.ok, "the other page decodes the host's video", d.detail);
  t.check(d.last?.video?.codec === 'video/H264', 'it receives H.264, forwarded as is', JSON.stringify(d.last?.video));
  const full = await env.until(other, host, (s) => s.video?.frameWidth === 640 && s.video?.frameHeight === 480, 10000);
  t.check(full.ok, 'at 640x480', JSON.stringify(full.last?.video));
  const v = await decodes(env, host, other, 30000);
  t.check(v.ok && v.last?.video?.codec === 'video/VP8', "the host decodes the other's VP8 beside it", v.detail);

  const errors = await host.page.evaluate(() => window.mediaErrors);
  t.check(errors.length === 0, 'no media errors', JSON.stringify(errors));
  await sleep(1000);
  // From the server announcing the host's video up to the leave being sent,
  // and the leave's round trip: the server stops the recording in it and
  // answers once the file is written out.
  const [seconds, answered] = await host.page.evaluate(async () => {
    const now = performance.now();
    await window.call.leave();
    return [(now - window.trackUpAt.video) / 1000, (performance.now() - now) / 1000];
  });
  await other.page.evaluate(() => window.call.leave());
  await sleep(1500);

  // The host's video recording: Matroska, H.264.
  const me = await env.api('zhou.ming', 'GET', '/api/v1/me');
  const list = await env.api('zhou.ming', 'GET', '/api/v1/consultations/1/recordings');
  const items = list.body?.items || [];
  const rec = items.find((it) => it.user_id === me.body.id && it.track === 'video');
  t.check(rec && /matroska/.test(rec.media_type), "the host's video is recorded as Matroska", JSON.stringify(items));
  if (rec) {
    const got = await env.api('zhou.ming', 'GET', rec.media_url);
    const file = join(env.dir, 'host-video.mkv');
    writeFileSync(file, got.bytes);
    const out = execFileSync('gst-discoverer-1.0', [file], { encoding: 'utf8', timeout: 20000 });
    const m = /Duration: (\d+):(\d+):([\d.]+)/.exec(out);
    const dur = m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : -1;
    console.log(`# host video recording: ${rec.size_bytes} bytes, ${dur.toFixed(2)} s (in call ${seconds.toFixed(2)} s)`);
    t.check(/H\.264|video\/x-h264/.test(out) && /Matroska|video\/x-matroska/.test(out),
      'gst-discoverer reports H.264 in Matroska', out);
    t.check(Math.abs(dur * 1000 - rec.duration_ms) <= 50, "the records' duration is the file's (50 ms)",
      `${dur} s in the file, ${rec.duration_ms} ms recorded`);
    // the call ended between the leave's sending and its answer
    t.check(dur >= seconds - 1 && dur <= seconds + answered + 1, 'its duration within 1 s of the call',
      `${dur} s vs ${seconds} s (+ ${answered} s for the leave's answer)`);
  }
} catch (e) {
  t.check(false, 'browser session', e.stack);
} finally {
  const log = env.server.log();
  const code = await env.close();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${log.slice(-3000)}`);
  t.done();
}
