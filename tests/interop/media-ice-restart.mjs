// SPDX-License-Identifier: Apache-2.0
// media-ice-restart.mjs - an ICE restart after a network change, with
// Debian's chromium and the real server inside a network namespace this
// test creates (unshare; only its own loopback is up, so the firewall rule
// below touches nothing outside it). Two pages in a call; then the
// publishing page's network path goes away: an nftables rule drops every
// UDP packet from and to the local port its publishing connection uses
// (TCP carries only the signaling, so ICE-TCP is no way round it),
// for good (as when a laptop moves from the clinic's Wi-Fi to a mobile
// link). The other page's picture of it stops. The SDK sees the connection
// go 'disconnected' and restarts ICE on the same RTCPeerConnection
// (createOffer({iceRestart: true}), sent with iceRestart: true); the
// server's webrtcbin answers on its side of the same connection; new
// candidates on new ports get through, and the other page decodes the
// publisher again - with the same publishing connection (no re-publish),
// a new local port, the restart counted by the SDK, logged by the server
// and counted in /metrics. Then the whole network goes down (all UDP
// dropped) until the SDK starts another restart, and comes back: that
// restart completes and the picture returns, on the same connection.
import { spawnSync, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tap } from './server.mjs';

// Outside the namespace: run this file again inside a new one.
if (!process.env.TC_NETNS_INNER) {
  const self = fileURLToPath(import.meta.url);
  const env = { ...process.env, TC_NETNS_INNER: '1' };
  const ns = process.getuid() === 0 ? ['--net'] : ['--user', '--map-root-user', '--net'];
  const r = spawnSync('unshare', [...ns, '--', process.execPath, self], { stdio: 'inherit', env });
  // A SKIP only when the prerequisite is missing (no unshare to run); the
  // test inside killed by a signal (a crash, the OOM killer) is a failure.
  if (r.error?.code === 'ENOENT') {
    console.log(`1..0 # SKIP no network namespace could be made (${r.error.message})`);
    process.exit(0);
  }
  if (r.error || r.status === null) {
    console.log(`Bail out! the test in its network namespace did not finish (${r.error?.message || r.signal})`);
    process.exit(1);
  }
  process.exit(r.status);
}

const { mediaSetup, decodes, sleep } = await import('./media-net-util.mjs');
const t = tap();
execFileSync('ip', ['link', 'set', 'lo', 'up']);
const nft = (...args) => execFileSync('nft', args, { encoding: 'utf8' });
nft('add', 'table', 'inet', 'tcnet');
nft('add', 'chain', 'inet', 'tcnet', 'out', '{ type filter hook output priority 0 ; }');

const env = await mediaSetup({ name: 'media-ice-restart' });
// A UDP-only network: TCP only for the server's HTTP and WebSocket, so
// that media cannot move to ICE-TCP candidates when the UDP path goes.
nft('add', 'rule', 'inet', 'tcnet', 'out', 'tcp', 'dport', String(env.server.port), 'accept');
nft('add', 'rule', 'inet', 'tcnet', 'out', 'tcp', 'sport', String(env.server.port), 'accept');
nft('add', 'rule', 'inet', 'tcnet', 'out', 'meta', 'l4proto', 'tcp', 'drop');

async function metric(name) {
  const text = await (await fetch(`${env.server.url}/metrics`)).text();
  const m = new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

const frames = async (who, of) => (await env.stats(who)).feeds[of.peer]?.video?.framesDecoded || 0;

try {
  const pub = await env.open('zhou.ming', { host: true });
  const sub = await env.open('huang.xiaoyan');
  const d = await decodes(env, sub, pub, 30000);
  t.check(d.ok, "the other page decodes the publisher's video", d.detail);
  await pub.page.evaluate(() => { window.pcAtStart = window.call.pub; });
  const before = (await env.stats(pub)).publish;
  const port = before?.localCandidate?.port;
  t.check(before?.state === 'connected' && port > 0, 'the publishing connection is up on a local port',
    JSON.stringify(before));
  const restartsBefore = await metric('telecare_media_events_total{event="ice-restart"}');

  // Restarts the server refuses, naming the rule; the call goes on.
  const refused = await pub.page.evaluate(async () => {
    const { call } = window;
    const sdp = call.pub.localDescription.sdp;
    const send = (body) => call.sig.request({ type: 'offer', room: call.room, to: 'media', iceRestart: true, ...body })
      .then(() => 'accepted', (e) => `${e.code}: ${e.message}`);
    return {
      sameUfrag: await send({ sdp }),
      fewerLines: await send({ sdp: sdp.slice(0, sdp.lastIndexOf('m=')) }),
      notSdp: await send({ sdp: 'not sdp' }),
    };
  });
  t.check(/^bad-field: .*ice-ufrag/.test(refused.sameUfrag), 'a restart without new ICE credentials is refused', refused.sameUfrag);
  t.check(/^bad-field: .*m-lines/.test(refused.fewerLines), "one with other m-lines than the connection's too", refused.fewerLines);
  t.check(/^bad-field: /.test(refused.notSdp), 'and one that is not SDP', refused.notSdp);
  const still = await decodes(env, sub, pub, 10000);
  t.check(still.ok, 'the call goes on', still.detail);

  // The network path goes away: that port's UDP, both ways, for good.
  nft('add', 'rule', 'inet', 'tcnet', 'out', 'udp', 'sport', String(port), 'drop');
  nft('add', 'rule', 'inet', 'tcnet', 'out', 'udp', 'dport', String(port), 'drop');
  const cutAt = Date.now();
  await sleep(1000);
  const f0 = await frames(sub, pub);
  await sleep(1500);
  const f1 = await frames(sub, pub);
  t.check(f1 - f0 <= 2, "the other page's picture of the publisher stops", `${f0} -> ${f1}`);

  // The SDK restarts ICE; the picture comes back.
  const back = await env.until(sub, pub, (s) => (s.video?.framesDecoded || 0) > f1 + 20, 30000);
  const seconds = ((Date.now() - cutAt) / 1000).toFixed(1);
  console.log(`# decoding again ${seconds} s after the cut`);
  t.check(back.ok, 'the other page decodes the publisher again', JSON.stringify(back.last));
  const after = await pub.page.evaluate(async () => ({
    restarts: window.iceRestarts,
    samePc: window.call.pub === window.pcAtStart,
    publish: (await window.call.stats()).publish,
  }));
  t.check(after.restarts.some((e) => e.done) && after.publish.iceRestarts >= 1,
    'by an ICE restart of the SDK, reconnected', JSON.stringify(after.restarts));
  t.check(after.samePc, 'on the same publishing connection (not published afresh)');
  t.check(after.publish.state === 'connected' && after.publish.localCandidate?.port !== port,
    'now on another local port', JSON.stringify(after.publish));
  const log = env.server.log();
  t.check(new RegExp(`peer ${pub.peer} restarts ICE`).test(log), 'the server logged the restart',
    log.slice(-1500));
  const restartsAfter = await metric('telecare_media_events_total{event="ice-restart"}');
  t.check(restartsAfter > restartsBefore, '/metrics counts it', `${restartsBefore} -> ${restartsAfter}`);
  const errors = await pub.page.evaluate(() => window.mediaErrors);
  t.check(errors.length === 0, 'no media errors', JSON.stringify(errors));
  // The publisher still receives the other page (its feed was not cut).
  const recv = await decodes(env, pub, sub, 10000);
  t.check(recv.ok, 'the publisher still decodes the other page', recv.detail);

  // Then the whole network goes down (all UDP) until the SDK has noticed
  // and started a restart, stays down 2 s more, and comes back: the
  // restart, made while nothing got through, completes once it is back.
  const restartsMid = after.restarts.length;
  nft('add', 'table', 'inet', 'tcdown');
  nft('add', 'chain', 'inet', 'tcdown', 'out', '{ type filter hook output priority 0 ; }');
  nft('add', 'rule', 'inet', 'tcdown', 'out', 'meta', 'l4proto', 'udp', 'drop');
  const downAt = Date.now();
  let started = false;
  while (!started && Date.now() - downAt < 20000) {
    await sleep(200);
    started = (await pub.page.evaluate(() => window.iceRestarts.length)) > restartsMid;
  }
  t.check(started, 'network down: the SDK starts another ICE restart',
    `${((Date.now() - downAt) / 1000).toFixed(1)} s`);
  await sleep(2000);
  const g0 = await frames(sub, pub);
  nft('delete', 'table', 'inet', 'tcdown');
  const upAt = Date.now();
  const again = await env.until(sub, pub, (s) => (s.video?.framesDecoded || 0) > g0 + 20, 25000);
  console.log(`# network down ${((upAt - downAt) / 1000).toFixed(1)} s; decoding again ${((Date.now() - upAt) / 1000).toFixed(1)} s after it came back`);
  t.check(again.ok, 'network back: the other page decodes the publisher again', JSON.stringify(again.last));
  const end = await pub.page.evaluate(() => ({
    restarts: window.iceRestarts, samePc: window.call.pub === window.pcAtStart,
  }));
  t.check(end.restarts.filter((e) => e.done).length >= 2 && end.samePc,
    'that restart completed too, still on the same connection', JSON.stringify(end));
} catch (e) {
  t.check(false, 'browser session', e.stack);
} finally {
  const log = env.server.log();
  const code = await env.close();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${log.slice(-3000)}`);
  t.done();
}
