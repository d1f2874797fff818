// SPDX-License-Identifier: Apache-2.0
// web-util.mjs - shared by the web app's browser tests: sign in through the
// login page, run axe-core (npm, read from node_modules and evaluated in the
// page; never served by the app), save screenshots under the build
// directory, and collect the page's console errors.
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export function artifacts() {
  const dir = process.env.TC_ARTIFACTS || join(process.cwd(), 'artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function shot(page, name) {
  await page.screenshot({ path: join(artifacts(), `${name}.png`), fullPage: true });
}

// axe-core's violations (WCAG 2.x A/AA and best-practice rules): the
// serious and critical ones, or with all = true every one of any impact.
export async function axe(page, { all = false } = {}) {
  if (!await page.evaluate(() => Boolean(window.axe))) await page.evaluate(axeSource);
  const res = await page.evaluate(async () => window.axe.run(document, {
    resultTypes: ['violations'],
  }));
  return res.violations.filter((v) => all || v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // A non-2xx answer the app handled (a 401 asking for the TOTP code, a 422
  // shown next to its field) is logged by chromium as a failed load, and a
  // WebSocket that cannot connect while the server is down (web-reconnect
  // stops it on purpose; the app retries) as a failed connection: network
  // logs, not errors of the page's own.
  const network = (text) => text.startsWith('Failed to load resource') ||
    /^WebSocket connection to '[^']*' failed/.test(text);
  page.on('console', (m) => {
    if (m.type() === 'error' && !network(m.text())) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

export async function login(page, url, user, password) {
  await page.goto(`${url}/#/login`);
  await page.getByLabel(/用户名|User name/).fill(user);
  await page.getByLabel(/^(密码|Password)/).fill(password);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
}

// After login(): wait until the app has left the login page (signed in).
export async function signedIn(page) {
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
  await page.locator('main h1').waitFor();
}
