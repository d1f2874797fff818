// SPDX-License-Identifier: Apache-2.0
// bench-web.mjs - what the web app costs to load, in Debian's chromium
// against a real server holding the demo county (not a test: prints
// figures, asserts nothing about time). For each of three roles, seven
// rounds of: a cold load of the login page (requests, bytes), sign-in to the
// role's home page with its data shown, then a reload with a warm cache
// (requests, how many were 304, time). Once on loopback, once with the
// network throttled to a township link (1 Mbit/s down, 512 kbit/s up,
// 150 ms latency, chromium's own emulation). Each round is run twice,
// interleaved: as served, and with index.html's modulepreload links taken
// out (a Playwright route), to show what they buy. Medians, and the median
// of the per-round ratios.
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions } from '../interop/server.mjs';

const ROLES = [
  ['wang.xiuying', '#today-session, #no-session-today'],
  ['chen.jianping', '#panel-1'],
  ['sun.lihua', 'main tbody tr'],
];
const ROUNDS = 7;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const server = await startServer([], { seed: true });
const browser = await chromium.launch(chromiumOptions);

async function round(user, ready, throttle, preload) {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  if (!preload) {
    // the same page without its modulepreload links, for the comparison
    await page.route(/\/(#.*)?$/, async (route) => {
      const resp = await route.fetch();
      const body = (await resp.text()).replace(/<link rel="modulepreload"[^>]*>\n?/g, '');
      await route.fulfill({ response: resp, body });
    });
  }
  if (throttle) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150,
      downloadThroughput: 1e6 / 8, uploadThroughput: 512e3 / 8 });
  }
  let n = 0; let bytes = 0; let not304 = 0;
  page.on('requestfinished', async (req) => {
    n += 1;
    try {
      const r = await req.response();
      if (r && r.status() !== 304) not304 += 1;
      const s = await req.sizes();
      bytes += s.responseBodySize + s.responseHeadersSize;
    } catch (e) { /* the page closed meanwhile */ }
  });
  let t0 = performance.now();
  await page.goto(`${server.url}/#/login`);
  await page.getByLabel('用户名').waitFor();
  const cold = { ms: performance.now() - t0, n, bytes };
  await page.getByLabel('用户名').fill(user);
  await page.getByLabel('密码').fill(server.accounts[user]);
  t0 = performance.now();
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator(ready).first().waitFor();
  const login = performance.now() - t0;
  await page.waitForTimeout(200);
  n = 0; bytes = 0; not304 = 0;
  t0 = performance.now();
  await page.reload();
  await page.locator(ready).first().waitFor();
  const warm = { ms: performance.now() - t0, n, bytes, fresh: not304 };
  await context.close();
  return { cold, login, warm };
}

try {
  for (const throttle of [false, true]) {
    console.log(`# ${throttle ? 'township link: 1 Mbit/s down, 512 kbit/s up, 150 ms' : 'loopback'}`);
    console.log('role            cold-ms  cold-req  cold-KiB  login-ms  warm-ms  warm-req  warm-not-304  warm-KiB'
      + '  | no preload: cold-ms warm-ms | ratio cold warm');
    for (const [user, ready] of ROLES) {
      const runs = []; const bare = [];
      // interleaved, so both variants see the same machine load
      for (let i = 0; i < ROUNDS; i++) {
        runs.push(await round(user, ready, throttle, true));
        bare.push(await round(user, ready, throttle, false));
      }
      const m = (f) => median(runs.map(f));
      const b = (f) => median(bare.map(f));
      const ratio = (f) => median(runs.map((r, i) => f(r) / f(bare[i])));
      console.log(`${user.padEnd(15)} ${m((r) => r.cold.ms).toFixed(0).padStart(7)} ${String(m((r) => r.cold.n)).padStart(9)}`
        + ` ${(m((r) => r.cold.bytes) / 1024).toFixed(1).padStart(9)} ${m((r) => r.login).toFixed(0).padStart(9)}`
        + ` ${m((r) => r.warm.ms).toFixed(0).padStart(8)} ${String(m((r) => r.warm.n)).padStart(9)}`
        + ` ${String(m((r) => r.warm.fresh)).padStart(13)} ${(m((r) => r.warm.bytes) / 1024).toFixed(1).padStart(9)}`
        + `  | ${b((r) => r.cold.ms).toFixed(0).padStart(18)} ${b((r) => r.warm.ms).toFixed(0).padStart(7)}`
        + ` | ${ratio((r) => r.cold.ms).toFixed(2).padStart(10)} ${ratio((r) => r.warm.ms).toFixed(2).padStart(4)}`);
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
