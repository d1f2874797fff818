// SPDX-License-Identifier: Apache-2.0
// media-mdns.mjs - browser mDNS candidates do not break a call: a second
// Debian chromium runs WITHOUT the flag that turns off its mDNS obfuscation
// (WebRtcHideLocalIpsWithMdns) and without the fake media UI (which grants
// camera permission), and its page publishes a canvas and a tone (no
// getUserMedia, so no media permission: chromium then hides every host
// address behind a <uuid>.local name). Its candidates are all .local; the
// server skips them (media/sdp.c, tc_media__candidate_mdns: webrtcbin would
// otherwise hand the name to the system resolver, which has no mDNS and
// would ask the unicast DNS server) and the call connects through the
// peer-reflexive candidates the browser's checks create on the server: the
// other page decodes the hidden page's video, and the hidden page decodes
// the other's (its feed answers carry .local candidates too).
import { tap, chromiumOptions } from './server.mjs';
import { mediaSetup, decodes } from './media-net-util.mjs';

const t = tap();
// What webrtcbin's libnice glue does with remote candidates, and media/'s
// own debug lines, into the server's log.
process.env.GST_DEBUG = 'webrtcnice:6,telecare-media:5';
const args = chromiumOptions.args.filter((a) => !/WebRtcHideLocalIpsWithMdns|fake-ui|fake-device/.test(a));
const env = await mediaSetup({ name: 'media-mdns' });

try {
  const mdnsBrowser = await env.launch(args);
  const hidden = await env.open('zhou.ming', { host: true, synthetic: true }, mdnsBrowser);
  const other = await env.open('huang.xiaoyan');

  const d = await decodes(env, other, hidden, 30000);
  t.check(d.ok, "the other page decodes the mDNS page's video", d.detail);
  const back = await decodes(env, hidden, other, 30000);
  t.check(back.ok, 'the mDNS page decodes the other page', back.detail);

  const mine = await hidden.page.evaluate(() => window.localCandidates.map((c) => c.candidate));
  const hosts = mine.filter((c) => / typ host/.test(c));
  t.check(hosts.length > 0 && hosts.every((c) => /^candidate:\S+ \d+ \S+ \d+ [0-9a-f-]+\.local /i.test(c)),
    'every host candidate of the mDNS page is a .local name', JSON.stringify(mine));
  t.check(mine.some((c) => / typ host/.test(c) && !/ tcp /i.test(c) && !/ tcptype /.test(c)),
    'among them UDP ones (sent to the server)', JSON.stringify(mine));
  const pub = (await hidden.page.evaluate(() => window.call.stats())).publish;
  t.check(pub?.state === 'connected', "the mDNS page's publishing connection is connected", JSON.stringify(pub));
  const errors = await hidden.page.evaluate(() => window.mediaErrors);
  t.check(errors.length === 0, 'no media errors', JSON.stringify(errors));

  const log = env.server.log();
  const skipped = (log.match(/an mDNS candidate skipped/g) || []).length;
  console.log(`# the server skipped ${skipped} mDNS candidates`);
  t.check(skipped > 0, 'the server skipped the .local candidates', log.slice(-2000));
  t.check(!/Resolving host \S+\.local/.test(log), 'and never asked a resolver for a .local name',
    (/.*Resolving host.*/.exec(log) || [''])[0]);
} catch (e) {
  t.check(false, 'browser session', e.stack);
} finally {
  const log = env.server.log();
  const code = await env.close();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${log.slice(-3000)}`);
  t.done();
}
