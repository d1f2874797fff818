// SPDX-License-Identifier: Apache-2.0
// server.mjs - start the real telecare-server for a browser test: a free
// loopback port chosen by the server, a temporary data directory; stop it
// with SIGTERM. Shared by every interop test written in JavaScript.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function startServer(extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), 'tc-interop-'));
  const bin = process.env.TC_SERVER_BIN;
  if (!bin) throw new Error('TC_SERVER_BIN is not set');
  const child = spawn(bin, ['--dev', '--listen', '127.0.0.1:0', '--data-dir',
    join(dir, 'data'), ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start:\n${log}`)), 20000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}:\n${log}`)); });
  });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    log: () => log,
    async stop() {
      const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const code = await exited;
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
    },
    done() { console.log(`1..${n}`); process.exitCode = failed || n === 0 ? 1 : 0; },
  };
}
