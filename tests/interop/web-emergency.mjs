// SPDX-License-Identifier: Apache-2.0
// web-emergency.mjs - emergency consultations in Debian's chromium against
// the real server and the demo county: the township doctor (黄晓燕) raises
// one for 张桂兰 with the big red button; two on-call county cardiologists
// are online (李强, 王芳; 周明 is on call but not signed in, so not rung).
// Both get the ringing dialog (alertdialog, focus inside it and kept there,
// the banner, the Web Audio ring running, the flash); the requester's page
// shows the two being rung and the countdown from the server. 李强 accepts
// by keyboard and lands in the call page; 王芳's dialog closes with "taken
// by 李强"; the requester is taken into the call page when 李强 joins. A
// second emergency from the resident page: 王芳 declines (only her browser
// stops), then the requester cancels and 李强's dialog closes saying so.
// axe-core on the raise form, the status page and the ringing dialog.
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions, tap } from './server.mjs';
import { axe, shot, login, watchErrors } from './web-util.mjs';

const t = tap();
const server = await startServer([], { seed: true });
const browser = await chromium.launch(chromiumOptions);

async function open(user) {
  const context = await browser.newContext({ locale: 'zh-CN', permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await login(page, server.url, user, server.accounts[user]);
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
  await page.locator('main h1').waitFor();
  await page.waitForFunction(() => document.body.dataset.bell === 'online');
  return { context, page, errors };
}

async function checkAxe(page, name) {
  const v = await axe(page, { all: true });
  t.check(v.length === 0, `axe: no violation on ${name}`, v.join('\n'));
  await shot(page, name);
}

const focusInDialog = (page) => page.evaluate(() => {
  const d = document.querySelector('[role=alertdialog]');
  return Boolean(d && d.contains(document.activeElement));
});

try {
  const huang = await open('huang.xiaoyan');
  const li = await open('li.qiang');
  const wang = await open('wang.fang');

  // ---- raise: the big red button, the patient, who is on call ----
  await huang.page.locator('#emergency-button').click();
  await huang.page.getByRole('heading', { name: '发起紧急会诊', level: 1 }).waitFor();
  await huang.page.getByLabel('乡镇').fill('河口乡');
  await huang.page.getByLabel('姓名').fill('张桂兰');
  await huang.page.getByRole('button', { name: '查找患者' }).click();
  await huang.page.getByRole('radio', { name: /张桂兰/ }).check();
  await huang.page.locator('#oncall-now', { hasText: '李强' }).waitFor();
  const onCall = await huang.page.locator('#oncall-now').textContent();
  t.check(onCall.includes('王芳') && !onCall.includes('周明'),
    'the form lists who is on call and online now (周明 is on call but not signed in)', onCall);
  // A missing reason is refused next to its field; nothing is rung.
  await huang.page.getByRole('button', { name: '立即呼叫值班专家' }).click();
  t.check(await huang.page.getByLabel('原因').getAttribute('aria-invalid') === 'true', 'a missing reason is marked on its field');
  t.check(await li.page.locator('[role=alertdialog]').count() === 0, 'nothing rings before the form is valid');
  await huang.page.getByLabel('原因').fill('胸痛 40 分钟，心电图 ST 段抬高');
  await checkAxe(huang.page, 'emergency-raise');
  await huang.page.getByRole('button', { name: '立即呼叫值班专家' }).click();
  await huang.page.waitForFunction(() => /^#\/emergencies\/\d+$/.test(location.hash));
  const eid = Number(/(\d+)$/.exec(await huang.page.evaluate(() => location.hash))[1]);

  // ---- the requester sees who is rung and for how long ----
  await huang.page.locator('#emergency-ringing li').nth(1).waitFor();
  const rung = await huang.page.locator('#emergency-ringing li strong').allTextContents();
  t.check(rung.length === 2 && rung.includes('李强') && rung.includes('王芳'), 'the requester sees the two specialists being rung', rung.join(','));
  const left0 = Number(await huang.page.locator('#emergency-remaining').getAttribute('data-seconds'));
  t.check(left0 > 100 && left0 <= 120, 'the countdown starts from the server\'s ring_remaining_s', left0);
  await huang.page.waitForFunction((s) => Number(document.getElementById('emergency-remaining').dataset.seconds) < s, left0);
  t.check(true, 'the countdown runs');
  t.check((await huang.page.locator('#emergency-status').textContent()) === '呼叫中', 'status "ringing"');
  await checkAxe(huang.page, 'emergency-status');

  // ---- both specialists ring: dialog, focus, banner, sound, flash ----
  for (const [who, s] of [['李强', li], ['王芳', wang]]) {
    const dlg = s.page.getByRole('alertdialog');
    await dlg.waitFor();
    t.check((await dlg.textContent()).includes('紧急会诊：心血管'), `${who}: the dialog names the department`);
    const text = await dlg.textContent();
    t.check(text.includes('黄晓燕') && text.includes('胸痛 40 分钟') && /患者 #\d+/.test(text),
      `${who}: the dialog names the requester, the reason and the patient's number`, text);
    t.check(await focusInDialog(s.page), `${who}: focus is moved into the dialog`);
    t.check(await s.page.locator('#ring-banner').isVisible(), `${who}: a banner across the top`);
    await s.page.waitForFunction(() => Number(document.querySelector('[role=alertdialog]').dataset.rings) >= 2);
    t.check(await dlg.getAttribute('data-sound') === 'on', `${who}: the Web Audio ring plays and repeats`);
    const anim = await s.page.evaluate(() => getComputedStyle(document.getElementById('ring-banner')).animationName);
    t.check(anim === 'ring-flash', `${who}: the banner flashes (visual alternative to the sound)`, anim);
  }
  // Tab stays inside the dialog.
  for (let i = 0; i < 3; i++) await wang.page.keyboard.press('Tab');
  t.check(await focusInDialog(wang.page), 'Tab keeps focus inside the ringing dialog');
  t.check(await wang.page.evaluate(() => document.getElementById('main').inert && document.querySelector('.topbar').inert),
    'the page behind the dialog is inert while it rings');
  await checkAxe(li.page, 'emergency-ringing');

  // ---- 李强 accepts by keyboard: into the call; 王芳 told; requester follows ----
  await li.page.keyboard.press('Tab');
  t.check(await li.page.evaluate(() => document.activeElement.textContent) === '接听并进入', 'Tab reaches Accept');
  await li.page.keyboard.press('Enter');
  await li.page.waitForFunction(() => /^#\/call\/consultation\/\d+$/.test(location.hash));
  const cid = Number(/(\d+)$/.exec(await li.page.evaluate(() => location.hash))[1]);
  t.check(await li.page.locator('[role=alertdialog]').count() === 0 && await li.page.locator('#ring-banner').count() === 0,
    'accepting stops the ringing and opens the call page');
  t.check(await li.page.evaluate(() => !document.getElementById('main').inert), 'the page is usable again');
  await wang.page.locator('#ring-notices', { hasText: '李强 已先接听此紧急会诊。' }).waitFor();
  t.check(await wang.page.locator('[role=alertdialog]').count() === 0, 'the other specialist\'s dialog closes with who took it');
  await huang.page.waitForFunction((c) => location.hash === `#/call/consultation/${c}`, cid);
  t.check(true, 'the requester is taken into the call page when the specialist joins');
  await huang.page.locator('#call-status', { hasText: '您已进入通话。' }).waitFor();
  await huang.page.locator('#call-peers li', { hasText: '李强' }).waitFor();
  await li.page.locator('#call-peers li', { hasText: '黄晓燕' }).waitFor();
  t.check(true, 'requester and specialist are in the same room');
  const e = await huang.page.evaluate(async (id) => {
    const r = await fetch(`/api/v1/emergencies/${id}`, { headers: { Authorization: `Bearer ${sessionStorage.getItem('telecare.token')}` } });
    return r.json();
  }, eid);
  t.check(e.status === 'joined' && e.accepted_by.name === '李强' && e.consultation_id === cid,
    'the server has it joined, accepted by 李强, with that consultation', JSON.stringify({ s: e.status, c: e.consultation_id }));
  await huang.page.goto(`${server.url}/#/emergencies/${eid}`);
  await huang.page.locator('#emergency-by', { hasText: '李强' }).waitFor();
  await huang.page.getByRole('button', { name: '结束紧急会诊' }).click();
  await huang.page.locator('#emergency-status', { hasText: '已结束' }).waitFor();
  t.check(true, 'the requester ends it');

  // ---- from the resident page: one declines, the requester cancels ----
  const rid = e.resident_id;
  await huang.page.goto(`${server.url}/#/residents/${rid}`);
  await huang.page.locator('#resident-emergency').click();
  await huang.page.locator('#emergency-patient', { hasText: '张桂兰' }).waitFor();
  await huang.page.getByLabel('原因').fill('突发晕厥');
  await huang.page.getByRole('button', { name: '立即呼叫值班专家' }).click();
  await huang.page.locator('#emergency-ringing li').first().waitFor();
  await wang.page.getByRole('alertdialog').waitFor();
  await li.page.getByRole('alertdialog').waitFor();
  await wang.page.getByRole('button', { name: '拒绝' }).click();
  await wang.page.locator('#ring-notices', { hasText: '您已拒绝' }).waitFor();
  t.check(await li.page.getByRole('alertdialog').isVisible(), 'declining silences only that browser');
  await huang.page.getByRole('button', { name: '取消紧急会诊' }).click();
  await huang.page.locator('#emergency-status', { hasText: '已取消' }).waitFor();
  await li.page.locator('#ring-notices', { hasText: '发起人已取消此紧急会诊。' }).waitFor();
  t.check(await li.page.locator('[role=alertdialog]').count() === 0, 'a cancelled emergency closes the dialog with a message');

  // ---- the emergency statistics carry the API's numbers ----
  const day = new Date().toISOString().slice(0, 10);
  const st = await huang.page.evaluate(async (d) => {
    const r = await fetch(`/api/v1/stats/emergencies?from=${d}&to=${d}`, { headers: { Authorization: `Bearer ${sessionStorage.getItem('telecare.token')}` } });
    return r.json();
  }, day);
  await huang.page.goto(`${server.url}/#/stats/tiered?from=${day}&to=${day}`);
  const row = huang.page.locator('#tiered-charts figure', { hasText: '各科室发起与接通' }).locator('tbody tr', { hasText: '心血管' });
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  const card = st.departments.find((d) => d.department === 'cardiology');
  t.check(card && card.raised === 2 && card.joined === 1 && cells[0] === '2' && cells[1] === '1',
    'the emergency chart shows 2 raised, 1 joined for cardiology, as the API', `${cells} ${JSON.stringify(st)}`);
  await checkAxe(huang.page, 'emergency-stats');

  for (const [n, s] of [['huang', huang], ['li', li], ['wang', wang]]) {
    t.check(s.errors.length === 0, `no script errors (${n})`, s.errors.join('\n'));
    await s.context.close();
  }
} catch (err) {
  t.check(false, 'emergency flow', err.stack);
} finally {
  await browser.close();
  const code = await server.stop();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${server.log().slice(-3000)}`);
  t.done();
}
