// SPDX-License-Identifier: Apache-2.0
// browser-smoke.mjs - headless Chromium (Debian's) loads the web root from
// the real server and reads /healthz from the page, over loopback.
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions, tap } from './server.mjs';

const t = tap();
const server = await startServer();
const browser = await chromium.launch(chromiumOptions);
try {
  const page = await browser.newPage();
  const resp = await page.goto(server.url + '/');
  t.check(resp.status() === 200, 'the web root is served');
  t.check((await page.title()).includes('telecare'), 'the page has its title');
  const health = await page.evaluate(async () => {
    const r = await fetch('/healthz');
    return { status: r.status, body: await r.json() };
  });
  t.check(health.status === 200 && health.body.status === 'ok'
    && health.body.database === 'ok', 'the page reads /healthz', JSON.stringify(health));
  const missing = await page.goto(server.url + '/no-such-page.html');
  t.check(missing.status() === 404, 'a missing file is 404');
} catch (e) {
  t.check(false, 'browser session', e.stack);
} finally {
  await browser.close();
  const code = await server.stop();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${server.log()}`);
  t.done();
}
