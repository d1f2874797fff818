// SPDX-License-Identifier: Apache-2.0
// web-elder.mjs - the resident's "elder mode" in Debian's chromium against
// the demo county: sign in and do today's session with the keyboard alone
// (Tab, arrows, Enter), the self-report reaching the records; base text at
// least 18 px; every visible control at least 60 x 60 px; no horizontal
// scrolling at 200% (the app's largest text, and a window half as wide as
// browser zoom 200% gives); axe-core clean on each page; the carer's page.
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions, tap } from './server.mjs';
import { axe, shot, watchErrors } from './web-util.mjs';

const t = tap();
const server = await startServer([], { seed: true });
const browser = await chromium.launch(chromiumOptions);

async function apiAs(user) {
  const r = await fetch(`${server.url}/api/v1/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password: server.accounts[user] }) });
  const { token } = await r.json();
  return async (method, path, body) => {
    const a = await fetch(`${server.url}/api/v1${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined });
    return { status: a.status, doc: await a.json() };
  };
}

// Press Tab until the focused element matches `selector` (at most 60 times).
async function tabTo(page, selector) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return true;
  }
  return false;
}

// Visible interactive elements smaller than 60 x 60 CSS px (a radio or
// checkbox counts by its label, which is the target).
const smallTargets = (page) => page.evaluate(() => {
  const out = [];
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')) {
    if (el.matches('input[type=radio], input[type=checkbox]')) continue;
    if (el.id === 'main' || el.classList.contains('skip') || el.matches('[tabindex="-1"]')) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if (r.width < 59.5 || r.height < 59.5) out.push(`${el.tagName}#${el.id || ''}.${el.className} ${Math.round(r.width)}x${Math.round(r.height)} "${(el.textContent || '').trim().slice(0, 20)}"`);
  }
  for (const el of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
    const r = el.closest('label').getBoundingClientRect();
    if (r.width < 59.5 || r.height < 59.5) out.push(`label of ${el.name} ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return out;
});

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

async function elderChecks(page, name) {
  const v = await axe(page, { all: true });
  t.check(v.length === 0, `axe: no violation at all on ${name}`, v.join('\n'));
  const small = await smallTargets(page);
  t.check(small.length === 0, `every control is at least 60 px on ${name}`, small.join('\n'));
  t.check(await overflow(page) <= 0, `no horizontal scrolling on ${name}`);
  await shot(page, `elder-${name}`);
}

try {
  // A self-guided session for today on 王秀英's plan, set by her therapist.
  const therapist = await apiAs('lin.jing');
  const plan = (await (await apiAs('wang.xiuying'))('GET', '/residents/1/rehab-plans')).doc.items[0];
  const made = await therapist('POST', `/rehab-plans/${plan.id}/sessions`,
    { mode: 'self_guided', scheduled_at: new Date(Date.now() + 60000).toISOString().replace(/\.\d+Z$/, 'Z') });
  t.check(made.status === 201, 'the therapist scheduled a session for today', JSON.stringify(made.doc));

  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}/#/login`);
  await page.getByLabel('用户名').waitFor();
  // keyboard only from here to the end of the session
  t.check(await tabTo(page, 'input[name=username]'), 'Tab reaches the user name');
  await page.keyboard.type('wang.xiuying');
  await page.keyboard.press('Tab');
  await page.keyboard.type(server.accounts['wang.xiuying']);
  await page.keyboard.press('Enter');
  await page.locator('#today-session').waitFor();
  const base = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  t.check(base >= 18, 'elder mode: base text at least 18 px', String(base));
  t.check(await page.evaluate(() => document.body.classList.contains('elder')), 'a resident gets elder mode');
  await elderChecks(page, 'today');
  t.check(await tabTo(page, '#today-session'), 'Tab reaches the large button for today\'s session');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: '开始之前' }).waitFor();
  await elderChecks(page, 'session-start');
  t.check(await tabTo(page, 'input[name=pain_before]'), 'Tab reaches the pain scale');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight'); // 0 -> 3
  t.check(await tabTo(page, 'button[type=submit]'), 'Tab reaches Start');
  await page.keyboard.press('Enter');
  // the self-guided flow: each exercise in turn (no recording consent on
  // file: nothing recorded), then the report
  await page.locator('#exercise h2').waitFor();
  await elderChecks(page, 'session-exercise');
  t.check(await tabTo(page, '#next-exercise'), 'Tab reaches "next exercise"');
  await page.keyboard.press('Enter');
  t.check(await tabTo(page, '#exercises-done'), 'Tab reaches "I have done the exercises"');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: '做完以后' }).waitFor();
  await elderChecks(page, 'session-report');
  t.check(await page.getByRole('log').isVisible(), 'the message and caption area is visible');
  t.check(await tabTo(page, 'input[name=completion_pct]'), 'Tab reaches "how much"');
  await page.keyboard.press('ArrowRight'); // 100 -> 75
  t.check(await tabTo(page, 'input[name=pain_after]'), 'Tab reaches pain after');
  await page.keyboard.press('ArrowRight'); await page.keyboard.press('ArrowRight'); // 0 -> 2
  t.check(await tabTo(page, 'input[name=difficulty]'), 'Tab reaches difficulty');
  await page.keyboard.press('ArrowRight'); await page.keyboard.press('ArrowRight'); // 1 -> 3
  t.check(await tabTo(page, 'button[type=submit]'), 'Tab reaches "I have finished"');
  await page.keyboard.press('Enter');
  await page.locator('#session-status', { hasText: '已完成' }).waitFor();
  const sid = Number(/#\/sessions\/(\d+)/.exec(page.url())[1]);
  const s = (await therapist('GET', `/rehab-sessions/${sid}`)).doc;
  t.check(s.status === 'completed' && s.pain_before === 3 && s.completion_pct === 75 && s.pain_after === 2
    && s.difficulty === 3 && s.attendance === 'alone', 'the keyboard-only self-report reached the records', JSON.stringify(s));
  await elderChecks(page, 'session-done');

  // 200%: the app's largest text, then a window half as wide (= zoom 200%)
  await page.goto(`${server.url}/#/today`);
  await page.getByRole('button', { name: '特大字' }).click();
  const root = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  t.check(root >= 36, 'the largest text doubles the base size', String(root));
  t.check(await overflow(page) <= 0, 'largest text: no horizontal scrolling');
  await shot(page, 'elder-today-200pct-text');
  await page.getByRole('button', { name: '标准字' }).click();
  await page.setViewportSize({ width: 640, height: 900 });
  for (const hash of ['#/today', `#/sessions/${sid}`, '#/precall']) {
    await page.goto(`${server.url}/${hash}`);
    await page.locator('main h1').waitFor();
    t.check(await overflow(page) <= 0, `zoom 200% (640 px wide): no horizontal scrolling on ${hash}`);
  }
  await shot(page, 'elder-precall-zoom200');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${server.url}/#/today`);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Hello, 王秀英' }).waitFor();
  await elderChecks(page, 'today-en');
  t.check(errors.length === 0, 'no script errors (resident)', errors.join('\n'));
  await context.close();

  // the carer
  const c2 = await browser.newContext({ locale: 'zh-CN' });
  const p2 = await c2.newPage();
  await p2.goto(`${server.url}/#/login`);
  await p2.getByLabel('用户名').fill('li.mei');
  await p2.getByLabel('密码').fill(server.accounts['li.mei']);
  await p2.getByRole('button', { name: '登录' }).click();
  await p2.getByRole('heading', { name: '您正在照护：王秀英' }).waitFor();
  t.check(true, 'the carer\'s page names the resident they care for');
  await elderChecks(p2, 'carer-today');
  await c2.close();
} catch (e) {
  t.check(false, 'browser session', e.stack);
} finally {
  await browser.close();
  const code = await server.stop();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${server.log()}`);
  t.done();
}
