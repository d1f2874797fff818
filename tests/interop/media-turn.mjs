// SPDX-License-Identifier: Apache-2.0
// media-turn.mjs - a call through a TURN relay: Debian's coturn, started
// here on loopback ports with a temporary configuration (long-term
// credentials, as docs/operations.md sets it up), is the [media]
// turn_server of the server and the only way out of one chromium page
// (iceTransportPolicy 'relay', the TURN server in iceServers). That page's
// publishing connection runs over a relay candidate, the other page
// decodes its video, and it decodes the other's; the server gathers relay
// candidates of its own from coturn; wrong credentials get no relay
// candidate at all (so the relay is coturn's, authenticated).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { tap } from './server.mjs';
import { mediaSetup, decodes, sleep } from './media-net-util.mjs';

const t = tap();
const USER = 'telecare';
const SECRET = 'turn-test-secret';

/* A port free for both UDP and TCP on 127.0.0.1 (TURN listens on both). */
async function freePort() {
  for (;;) {
    const udp = createSocket('udp4');
    const port = await new Promise((resolve) => udp.bind(0, '127.0.0.1', () => resolve(udp.address().port)));
    const tcp = createServer();
    const ok = await new Promise((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    if (ok) { await new Promise((r) => tcp.close(r)); return port; }
  }
}

/* coturn on 127.0.0.1:port, relaying from 127.0.0.1 (loopback peers are
 * refused unless allowed: the server is on loopback here). */
async function startTurn(dir, port) {
  const relayBase = 50000 + Math.floor(Math.random() * 100) * 100;
  const conf = join(dir, 'turnserver.conf');
  const log = join(dir, 'turn.log');
  writeFileSync(conf, [
    `listening-ip=127.0.0.1`, `listening-port=${port}`, `relay-ip=127.0.0.1`,
    `min-port=${relayBase}`, `max-port=${relayBase + 99}`,
    'fingerprint', 'lt-cred-mech', `user=${USER}:${SECRET}`, 'realm=telecare.test',
    'no-tls', 'no-dtls', 'no-cli', 'allow-loopback-peers', 'no-multicast-peers',
    `userdb=${join(dir, 'turndb')}`, `pidfile=${join(dir, 'turn.pid')}`,
    `log-file=${log}`, 'simple-log', 'verbose', '',
  ].join('\n'));
  const child = spawn('turnserver', ['-c', conf, '--no-stdout-log'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  // Ready when it listens on UDP: a STUN binding request is answered.
  const sock = createSocket('udp4');
  const req = Buffer.alloc(20);
  req.writeUInt16BE(0x0001, 0); req.writeUInt32BE(0x2112a442, 4);
  for (let i = 8; i < 20; i++) req[i] = i;
  const answered = new Promise((resolve) => sock.on('message', () => resolve(true)));
  let ready = false;
  for (let i = 0; i < 50 && !ready; i++) {
    sock.send(req, port, '127.0.0.1');
    ready = await Promise.race([answered, sleep(100).then(() => false)]);
  }
  sock.close();
  return {
    ready,
    log: () => (existsSync(log) ? readFileSync(log, 'utf8') : ''),
    async stop() { child.kill('SIGTERM'); return exited; },
  };
}

const turnDir = mkdtempSync(join(tmpdir(), 'tc-turn-'));
const port = await freePort();
const turn = await startTurn(turnDir, port);
t.check(turn.ready, `coturn answers on 127.0.0.1:${port}`, turn.log().slice(-2000));
const env = await mediaSetup({
  name: 'media-turn',
  media: `ice_addresses = 127.0.0.1\nturn_server = turn://${USER}:${SECRET}@127.0.0.1:${port}\n`,
});
const iceServers = [{ urls: [`turn:127.0.0.1:${port}?transport=udp`], username: USER, credential: SECRET }];

try {
  // Wrong credentials: no relay candidate (coturn refuses the allocation).
  const probe = await env.browser.newPage();
  await probe.goto(env.server.url + '/');
  const bad = await probe.evaluate(async (servers) => {
    const pc = new RTCPeerConnection({ iceServers: servers, iceTransportPolicy: 'relay' });
    const found = [];
    pc.onicecandidate = (e) => { if (e.candidate?.candidate) found.push(e.candidate.candidate); };
    pc.createDataChannel('x');
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((r) => setTimeout(r, 3000));
    pc.close();
    return found;
  }, [{ ...iceServers[0], credential: 'wrong' }]);
  t.check(bad.length === 0, 'wrong TURN credentials: no relay candidate', JSON.stringify(bad));
  await probe.close();

  const host = await env.open('zhou.ming', { host: true, iceServers, iceTransportPolicy: 'relay' });
  const other = await env.open('huang.xiaoyan');

  const d = await decodes(env, other, host, 30000);
  t.check(d.ok, "the other page decodes the relayed page's video", d.detail);
  const back = await decodes(env, host, other, 30000);
  t.check(back.ok, 'the relayed page decodes the other page through the relay', back.detail);

  const pub = (await env.stats(host)).publish;
  t.check(pub?.localCandidate?.candidateType === 'relay',
    "the relayed page's publishing connection runs over a relay candidate", JSON.stringify(pub));
  const mine = await host.page.evaluate(() => window.localCandidates.map((c) => c.candidate));
  t.check(mine.length > 0 && mine.every((c) => / typ relay /.test(c)),
    'it offered relay candidates only', JSON.stringify(mine));
  const theirs = await host.page.evaluate(() => window.remoteCandidates.map((c) => c.candidate));
  t.check(theirs.some((c) => / typ relay /.test(c)),
    'the server gathered relay candidates from its turn_server', JSON.stringify(theirs));
  const log = turn.log();
  t.check(/ALLOCATE/i.test(log) && /success/i.test(log), "coturn's log shows allocations", log.slice(-2000));
} catch (e) {
  t.check(false, 'browser session', e.stack);
} finally {
  const log = env.server.log();
  const code = await env.close();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${log.slice(-3000)}`);
  const tcode = await turn.stop();
  t.check(tcode === 0 || tcode === null, 'coturn stops', String(tcode));
  rmSync(turnDir, { recursive: true, force: true });
  t.done();
}
