// SPDX-License-Identifier: Apache-2.0
// web-reconnect.mjs - the server goes away under a family doctor's page:
// a submit fails with a plain message in her language and what she typed
// stays; the page shows "reconnecting" and, once the server is back on the
// same port, says so by itself; the same submit then goes through. A page
// asked for while the server is away loads by itself when it is back. A
// session revoked elsewhere returns to the login page with a note.
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions, tap } from './server.mjs';
import { login, shot, watchErrors } from './web-util.mjs';

const t = tap();
const server = await startServer([], { seed: true });
const browser = await chromium.launch(chromiumOptions);
try {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await login(page, server.url, 'chen.jianping', server.accounts['chen.jianping']);
  await page.locator('#panel-1').waitFor();
  await page.getByRole('link', { name: '签约 #2' }).click();
  const form = page.locator('td form').first();
  await form.waitFor();
  const note = '血压 150/95，建议复查。';
  await form.getByLabel('备注').fill(note);
  await server.down();
  await form.getByRole('button', { name: '保存' }).click();
  await form.locator('.form-error', { hasText: '无法连接服务器' }).waitFor();
  t.check(await form.getByLabel('备注').inputValue() === note, 'a failed submit keeps what was typed');
  await page.locator('#connection', { hasText: '正在重新连接' }).waitFor();
  t.check(true, 'the page shows "reconnecting"');
  await shot(page, 'reconnecting');
  await server.up();
  await page.locator('#connection', { hasText: '已重新连接' }).waitFor({ timeout: 15000 });
  t.check(true, 'the page notices by itself that the server is back');
  await form.getByRole('button', { name: '保存' }).click();
  await page.getByRole('status').filter({ hasText: '随访已登记。' }).waitFor();
  const recorded = await page.evaluate(async () => {
    const h = { Authorization: `Bearer ${sessionStorage.getItem('telecare.token')}` };
    const list = await (await fetch('/api/v1/contracts/2/followups', { headers: h })).json();
    const done = list.items.filter((f) => f.status === 'done');
    return done.length ? (await (await fetch(`/api/v1/followups/${done[0].id}`, { headers: h })).json()).note : null;
  });
  t.check(recorded === note, 'the same submit goes through once the server is back', String(recorded));

  await server.down();
  await page.getByRole('link', { name: '我的签约居民' }).click();
  await page.locator('#connection', { hasText: '正在重新连接' }).waitFor();
  await server.up();
  await page.locator('#panel-1').waitFor({ timeout: 20000 });
  t.check(true, 'a page asked for while the server was away loads by itself');
  // the session revoked elsewhere: the next call answers 401
  await page.evaluate(() => fetch('/api/v1/logout', { method: 'POST',
    headers: { Authorization: `Bearer ${sessionStorage.getItem('telecare.token')}` } }));
  await page.getByRole('link', { name: '统计' }).click();
  await page.getByText('登录已过期，请重新登录。').waitFor();
  t.check(await page.getByLabel('用户名').isVisible() && await page.evaluate(() => sessionStorage.length === 0),
    'a revoked session returns to the login page with a note and forgets the token');
  t.check(errors.length === 0, 'no script errors', errors.join('\n'));
  await context.close();
} catch (e) {
  t.check(false, 'browser session', e.stack);
} finally {
  await browser.close();
  const code = await server.stop();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${server.log()}`);
  t.done();
}
