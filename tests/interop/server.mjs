// SPDX-License-Identifier: Apache-2.0
// server.mjs - start the real telecare-server for a browser test: a free
// loopback port chosen by the server, a temporary data directory; stop it
// with SIGTERM. Shared by every interop test written in JavaScript.
import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// seed: fill the data directory with the demo county first (telecare-admin
// seed-demo); the answer's accounts then maps each demo username to its
// generated password. totp: usernames to enrol in TOTP; their secrets
// (base32) are in the answer's totpSecrets.
export async function startServer(extraArgs = [], { seed = false, totp = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tc-interop-'));
  const bin = process.env.TC_SERVER_BIN;
  if (!bin) throw new Error('TC_SERVER_BIN is not set');
  const accounts = {};
  const totpSecrets = {};
  if (seed) {
    const admin = process.env.TC_ADMIN_BIN;
    if (!admin) throw new Error('TC_ADMIN_BIN is not set');
    const file = join(dir, 'accounts.txt');
    execFileSync(admin, ['--data-dir', join(dir, 'data'), 'seed-demo', '--accounts-file', file],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [user, password] = line.trim().split(/\s+/);
      if (user && password) accounts[user] = password;
    }
    for (const user of totp) {
      const out = execFileSync(admin, ['--data-dir', join(dir, 'data'), 'user-totp', user], { encoding: 'utf8' });
      totpSecrets[user] = /secret: (\S+)/.exec(out)[1];
    }
  }
  let log = '';
  let child;
  const launch = async (listenPort) => {
    child = spawn(bin, ['--dev', '--listen', `127.0.0.1:${listenPort}`, '--data-dir',
      join(dir, 'data'), ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
    let mine = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start:\n${log}`)), 20000);
      child.stderr.on('data', (chunk) => {
        log += chunk;
        mine += chunk;
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(mine);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      });
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}:\n${log}`)); });
    });
  };
  const halt = async () => {
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    return exited;
  };
  const port = await launch(0);
  return {
    port,
    dataDir: join(dir, 'data'),
    accounts,
    totpSecrets,
    url: `http://127.0.0.1:${port}`,
    log: () => log,
    // Stop the server but keep its data (down), and start it again on the
    // same port (up): a lost connection, for the tests of recovery.
    down: halt,
    async up() { await launch(port); },
    async stop() {
      const code = await halt();
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

// Debian's chromium, never a downloaded browser (../shared/notes).
export const chromiumOptions = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
    '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--allow-loopback-in-peer-connection'],
};

// Minimal TAP for meson.
export function tap() {
  let n = 0; let failed = 0;
  return {
    check(ok, name, detail) {
      n += 1;
      if (!ok) failed += 1;
      console.log(`${ok ? 'ok' : 'not ok'} ${n} - ${name}`);
      if (!ok && detail) console.log(`# ${String(detail).replace(/\n/g, '\n# ')}`);
      // meson's --print-errorlogs shows a failed test's stderr only: the
      // failure and its detail go there too, for CI's log.
      if (!ok) console.error(`not ok ${n} - ${name}${detail ? `\n${String(detail).slice(0, 4000)}` : ''}`);
    },
    done() { console.log(`1..${n}`); process.exitCode = failed || n === 0 ? 1 : 0; },
  };
}

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a base32 secret, for the login
// step tests; the server's own check is server/totp.c.
export function totpCode(base32, atMs = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of base32.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  }
  const key = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 30000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const off = mac[mac.length - 1] & 0xf;
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1000000;
  return String(n).padStart(6, '0');
}
