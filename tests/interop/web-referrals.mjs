// SPDX-License-Identifier: Apache-2.0
// web-referrals.mjs - tiered referrals, the on-call rota and the tiered
// statistics in Debian's chromium against the real server and the demo
// county. 黄晓燕 (township doctor) refers 张桂兰 up to the county's
// cardiology, naming 李强, with her ECG; 李强 must give a date to accept
// (the error lands on its field), accepts with an appointment, and sends
// her back down with a discharge summary and a follow-up plan; both ends
// and her family doctor (马玉梅's team box) see the statuses; the chain and
// the timeline are on her page. A second referral is declined with a
// reason. 周明 (head of cardiology) adds and removes a shift; 李强 only
// reads the rota. The administrator's statistics charts carry the API's
// numbers. axe-core on every page.
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions, tap } from './server.mjs';
import { axe, shot, login, watchErrors } from './web-util.mjs';

const t = tap();
const server = await startServer([], { seed: true });
const browser = await chromium.launch(chromiumOptions);
const sessions = [];

async function open(user) {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await login(page, server.url, user, server.accounts[user]);
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
  await page.locator('main h1').waitFor();
  const s = { user, context, page, errors };
  sessions.push(s);
  return s;
}

async function checkAxe(page, name) {
  const v = await axe(page, { all: true });
  t.check(v.length === 0, `axe: no violation on ${name}`, v.join('\n'));
  await shot(page, name);
}

const apiGet = (page, path) => page.evaluate(async (p) => {
  const r = await fetch(`/api/v1${p}`, { headers: { Authorization: `Bearer ${sessionStorage.getItem('telecare.token')}` } });
  return r.json();
}, path);

function localInput(daysAhead, hour) {
  const d = new Date(Date.now() + daysAhead * 86400000);
  d.setHours(hour, 0, 0, 0);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(hour)}:00`;
}

try {
  const huang = await open('huang.xiaoyan');
  const li = await open('li.qiang');

  // ---- up-referral: department, named doctor, summary, the ECG ----
  await huang.page.getByRole('link', { name: '转诊', exact: true }).click();
  await huang.page.getByRole('link', { name: '新建上转' }).click();
  await huang.page.getByRole('heading', { name: '向上转诊', level: 1 }).waitFor();
  await huang.page.getByLabel('乡镇').fill('河口乡');
  await huang.page.getByLabel('姓名').fill('张桂兰');
  await huang.page.getByRole('button', { name: '查找患者' }).click();
  await huang.page.getByRole('radio', { name: /张桂兰/ }).check();
  await huang.page.locator('#referral-studies input[name=ecg_study]').first().waitFor();
  await huang.page.locator('select[name=department_id]').selectOption({ label: '心内科（第 1 级）' });
  await huang.page.locator('select[name=to_practitioner_id] option', { hasText: '李强' }).waitFor({ state: 'attached' });
  await huang.page.getByLabel('指定医生').selectOption({ label: '李强' });
  await huang.page.getByLabel('紧急程度').selectOption('urgent');
  await huang.page.getByLabel('转诊原因').fill('活动后胸痛加重，需冠脉评估');
  await huang.page.getByLabel('病情摘要').fill('ST 段压低 V4-V6，已服阿司匹林');
  await huang.page.locator('#referral-studies input[name=ecg_study]').first().check();
  await checkAxe(huang.page, 'referral-new');
  await huang.page.getByRole('button', { name: '发送转诊' }).click();
  await huang.page.waitForFunction(() => /^#\/referrals\/\d+$/.test(location.hash));
  const upId = Number(/(\d+)$/.exec(await huang.page.evaluate(() => location.hash))[1]);
  t.check(await huang.page.locator('#referral-status').textContent() === '待答复', 'the new up-referral is requested');
  const up = await apiGet(huang.page, `/referrals/${upId}`);
  t.check(up.to_practitioner_id && up.ecg_study_ids.length === 1 && up.urgency === 'urgent' && up.department.code === 'cardiology',
    'the server has the named doctor, the urgency, the department and the ECG', JSON.stringify(up));
  t.check(await huang.page.getByRole('link', { name: `心电图 #${up.ecg_study_ids[0]}` }).count() === 1 || await huang.page.locator(`a[href="#/ecg/${up.ecg_study_ids[0]}"]`).count() === 1,
    'the attached ECG is linked from the referral');
  await checkAxe(huang.page, 'referral-detail-requested');

  // ---- 李强: incoming box, accept needs a date, then accepts ----
  await li.page.getByRole('link', { name: '转诊', exact: true }).click();
  await li.page.locator(`#referral-list tr[data-referral="${upId}"]`).waitFor();
  t.check(true, 'the named doctor finds it in the incoming box');
  await checkAxe(li.page, 'referral-inbox');
  await li.page.getByRole('link', { name: `转诊 #${upId}` }).click();
  await li.page.locator('#referral-status').waitFor();
  await li.page.getByRole('button', { name: '接收', exact: true }).click();
  await li.page.locator('[aria-invalid=true]').waitFor();
  const invalid = await li.page.locator('[aria-invalid=true]').getAttribute('name');
  t.check(invalid === 'appointment_at', 'accepting without a date: the server\'s error is on the appointment field', invalid);
  const when = localInput(3, 9);
  await li.page.getByLabel('门诊预约时间').fill(when);
  await li.page.getByRole('button', { name: '接收', exact: true }).click();
  await li.page.locator('#referral-status', { hasText: '已接收' }).waitFor();
  t.check(await li.page.locator('#referral-appointment').isVisible(), 'accepted with its appointment');
  await huang.page.reload();
  await huang.page.locator('#referral-status', { hasText: '已接收' }).waitFor();
  t.check(await huang.page.locator('#referral-appointment').isVisible(), 'the sender sees it accepted with the appointment');

  // ---- down-referral: discharge summary and a follow-up plan ----
  await li.page.locator('#down-referral').waitFor();
  await checkAxe(li.page, 'referral-detail-accepted');
  await li.page.getByLabel('出院小结').fill('冠脉造影未见明显狭窄；继续阿司匹林，两周后复诊');
  await li.page.getByLabel('随访 1', { exact: true }).selectOption('post_discharge_visit');
  await li.page.getByLabel('随访 1 日期').fill(new Date(Date.now() + 14 * 86400000).toISOString().slice(0, 10));
  await li.page.getByRole('button', { name: '下转回基层' }).click();
  await li.page.waitForFunction((u) => /^#\/referrals\/\d+$/.test(location.hash) && location.hash !== `#/referrals/${u}`, upId);
  const downId = Number(/(\d+)$/.exec(await li.page.evaluate(() => location.hash))[1]);
  await li.page.locator('#referral-summary', { hasText: '冠脉造影' }).waitFor();
  const down = await apiGet(li.page, `/referrals/${downId}`);
  const upAfter = await apiGet(li.page, `/referrals/${upId}`);
  t.check(down.direction === 'down' && down.parent_id === upId && down.followup_ids.length === 1 && upAfter.status === 'completed',
    'the down-referral closes the up-referral and adds the follow-up', JSON.stringify({ d: down.followup_ids, s: upAfter.status }));

  // ---- the family doctor's team box; the chain on the resident's page ----
  const ma = await open('ma.yumei');
  await ma.page.goto(`${server.url}/#/referrals?box=team`);
  await ma.page.locator(`#referral-list tr[data-referral="${downId}"]`).waitFor();
  t.check((await ma.page.locator(`#referral-list tr[data-referral="${upId}"] .referral-status`).textContent()) === '已完成',
    'the family doctor sees both, the up-referral completed');
  await checkAxe(ma.page, 'referral-team-box');
  await huang.page.goto(`${server.url}/#/residents/${up.resident_id}`);
  await huang.page.locator(`#referral-chain li[data-referral="${upId}"] li[data-referral="${downId}"]`).waitFor();
  t.check(true, 'the resident\'s page shows the chain (the down-referral under its up-referral)');
  const kinds = await huang.page.locator('#timeline li').evaluateAll((els) => els.map((e) => e.dataset.kind));
  t.check(kinds.includes('referral') && kinds.includes('referral_answer'), 'the timeline lists the referral and its answer', kinds.join(','));
  await checkAxe(huang.page, 'resident-referrals');

  // ---- decline with a reason ----
  const second = await huang.page.evaluate(async (rid) => {
    const r = await fetch('/api/v1/referrals', { method: 'POST', headers: { Authorization: `Bearer ${sessionStorage.getItem('telecare.token')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ direction: 'up', resident_id: rid, department_id: (await (await fetch('/api/v1/departments?code=cardiology', { headers: { Authorization: `Bearer ${sessionStorage.getItem('telecare.token')}` } })).json()).items.find((d) => d.tier === 1).id, urgency: 'routine', reason: '复查' }) });
    return r.json();
  }, up.resident_id);
  await li.page.goto(`${server.url}/#/referrals/${second.id}`);
  await li.page.getByLabel('拒绝原因').fill('可在乡镇卫生院复查心电图');
  await li.page.getByRole('button', { name: '拒绝', exact: true }).click();
  await li.page.locator('#referral-status', { hasText: '已拒绝' }).waitFor();
  await huang.page.goto(`${server.url}/#/referrals?box=out`);
  t.check((await huang.page.locator(`#referral-list tr[data-referral="${second.id}"] .referral-status`).textContent()) === '已拒绝',
    'the sender\'s outgoing box shows it declined');

  // ---- the on-call rota: the head edits, a doctor reads ----
  const zhou = await open('zhou.ming');
  await zhou.page.getByRole('link', { name: '值班表' }).click();
  await zhou.page.locator('#oncall-table').waitFor();
  const before = await zhou.page.locator('#oncall-table tbody tr').count();
  const names = await zhou.page.locator('#oncall-table tbody td:first-child').allTextContents();
  t.check(['周明', '李强', '王芳'].every((n) => names.includes(n)), 'the county cardiology rota lists its three doctors', names.join(','));
  t.check((await zhou.page.locator('#oncall-table tbody tr', { hasText: '李强' }).textContent()).includes('在线'), 'a signed-in doctor shows online');
  await checkAxe(zhou.page, 'oncall-head');
  await zhou.page.getByLabel('医生').selectOption({ label: '李强' });
  await zhou.page.getByLabel('开始').fill(localInput(2, 8));
  await zhou.page.getByLabel('结束').fill(localInput(2, 20));
  await zhou.page.getByRole('button', { name: '添加班次' }).click();
  await zhou.page.waitForFunction((n) => document.querySelectorAll('#oncall-table tbody tr').length === n + 1, before);
  t.check(true, 'the head adds a shift');
  // the page re-rendered after the add: wait for its last part (the form)
  // so nothing moves under the next click
  await zhou.page.locator('#add-shift-h').waitFor();
  const rows = await zhou.page.locator('#oncall-table tbody tr[data-shift]').evaluateAll((els) => els.map((e) => Number(e.dataset.shift)));
  const added = Math.max(...rows);
  await zhou.page.locator(`#oncall-table tr[data-shift="${added}"] button`).click();
  await zhou.page.waitForFunction((n) => document.querySelectorAll('#oncall-table tbody tr').length === n, before, { timeout: 20000 })
    .catch(async (e) => {
      const why = await zhou.page.evaluate(() => ({
        status: document.querySelector('#oncall-status')?.textContent,
        rows: [...document.querySelectorAll('#oncall-table tbody tr')].map((r) => r.dataset.shift),
        main: document.querySelector('#main')?.innerText.slice(0, 400),
      }));
      throw new Error(`removing shift ${added} of ${rows}: ${JSON.stringify(why)}\n${e.message}`);
    });
  t.check(true, 'and removes it');
  await li.page.goto(`${server.url}/#/oncall`);
  await li.page.locator('#oncall-table').waitFor();
  t.check(await li.page.getByRole('button', { name: '添加班次' }).count() === 0 && await li.page.locator('#oncall-table button').count() === 0,
    'a doctor who is not the head reads the rota only');

  // ---- statistics: the charts carry the API's numbers ----
  const admin = await open('admin');
  await admin.page.getByRole('link', { name: '转诊与紧急会诊统计' }).click();
  await admin.page.locator('#tiered-charts table').first().waitFor();
  const year = new Date().getUTCFullYear();
  const stats = await apiGet(admin.page, `/stats/referrals?from=${year}-01-01&to=${new Date().toISOString().slice(0, 10)}`);
  const town = stats.townships.find((r) => r.up > 0);
  const cell = await admin.page.locator('#tiered-charts figure').first().locator('tbody tr', { hasText: town.township }).locator('td').allTextContents();
  t.check(cell[0] === String(town.up) && cell[1] === String(town.down), 'the township chart shows the API\'s up and down counts', `${cell} vs ${town.up}/${town.down}`);
  const dep = stats.departments.find((r) => r.code === 'cardiology' && r.accepted > 0);
  const dcell = await admin.page.locator('#tiered-charts figure').nth(3).locator('tbody tr', { hasText: '心内科' }).locator('td').allTextContents();
  t.check(dep && dcell[0] === String(dep.accepted) && dcell[1] === String(dep.declined), 'the department chart shows accepted and declined', `${dcell} vs ${JSON.stringify(dep)}`);
  await checkAxe(admin.page, 'tiered-stats');

  for (const s of sessions) t.check(s.errors.length === 0, `no script errors (${s.user})`, s.errors.join('\n'));
} catch (err) {
  t.check(false, 'referral flow', err.stack);
} finally {
  for (const s of sessions) await s.context.close();
  await browser.close();
  const code = await server.stop();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${server.log().slice(-3000)}`);
  t.done();
}
