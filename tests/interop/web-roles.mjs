// SPDX-License-Identifier: Apache-2.0
// web-roles.mjs - each role's main flow clicked through in Debian's chromium
// against a real server holding the demo county: a doctor signs in with the
// TOTP step; a township doctor requests a consultation that a specialist
// accepts, starts and completes with a signed opinion; an ECG reader signs
// and amends a report (a rule broken shows next to its field, the typed
// values kept); a radiologist signs and amends the demo CT's report; a family doctor offers and signs a contract and sees the
// statistics as charts; a radiologist's and a therapist's home pages; the
// language switch. axe-core finds no violation on each
// page; screenshots go to the build directory.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions, tap, totpCode } from './server.mjs';
import { axe, shot, login, signedIn, watchErrors } from './web-util.mjs';

const t = tap();
const server = await startServer([], { seed: true, totp: ['zhou.ming'] });
const browser = await chromium.launch(chromiumOptions);
const pw = (u) => server.accounts[u];

async function session(user, { totp = null, onLogin = null } = {}) {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  const errors = watchErrors(page);
  if (onLogin) {
    await page.goto(`${server.url}/#/login`);
    await page.getByLabel('用户名').waitFor();
    await onLogin(page, 'login');
  }
  await login(page, server.url, user, pw(user));
  if (totp) {
    await page.getByLabel('六位验证码').waitFor();
    if (onLogin) await onLogin(page, 'login-totp');
    await page.getByLabel('六位验证码').fill(totpCode(totp));
    await page.getByRole('button', { name: '验证' }).click();
  }
  await signedIn(page);
  return { context, page, errors };
}

// The page's own API client, for asserting on the real records.
const apiGet = (page, path) => page.evaluate(async (p) => {
  const r = await fetch(`/api/v1${p}`, { headers: { Authorization: `Bearer ${sessionStorage.getItem('telecare.token')}` } });
  return r.json();
}, path);

async function checkAxe(page, name) {
  const v = await axe(page, { all: true });
  t.check(v.length === 0, `axe: no violation on ${name}`, v.join('\n'));
  await shot(page, name);
}

try {
  // ---- doctor: password, then the TOTP step ----
  {
    const { context, page, errors } = await session('zhou.ming', { totp: server.totpSecrets['zhou.ming'], onLogin: checkAxe });
    await page.getByRole('heading', { name: '会诊', level: 1 }).waitFor();
    t.check(page.url().endsWith('#/consultations'), 'the doctor lands on the consultations after the TOTP step');
    const inbox = await apiGet(page, '/consultations?box=in');
    const rows = await page.locator('section:has(h2#in-h) tbody tr').count();
    t.check(inbox.items.length === 1 && rows === inbox.items.length, 'the inbox shows the seeded consultation', `${rows} rows, api ${inbox.items.length}`);
    await checkAxe(page, 'doctor-consultations');
    await page.getByRole('link', { name: `会诊 #${inbox.items[0].id}` }).click();
    await page.getByRole('heading', { name: `会诊 #${inbox.items[0].id}` }).waitFor();
    t.check((await page.locator('#consult-status').textContent()) === '已预约', 'the seeded consultation reads as scheduled');
    await checkAxe(page, 'doctor-consultation');
    t.check(errors.length === 0, 'no script errors (doctor)', errors.join('\n'));
    await context.close();
  }

  // ---- township doctor requests, specialist accepts and completes ----
  let consultId;
  {
    const { context, page, errors } = await session('huang.xiaoyan');
    await page.getByRole('link', { name: '申请会诊' }).click();
    await page.getByRole('heading', { name: '申请会诊', level: 1 }).waitFor();
    await page.getByLabel('乡镇').fill('河口乡');
    await page.getByLabel('姓名').fill('张桂兰');
    await page.getByRole('button', { name: '查找患者' }).click();
    await page.getByRole('radio', { name: /张桂兰/ }).check();
    await page.getByLabel('申请机构').selectOption({ label: '江州市第一人民医院 (市医院)' });
    await page.getByLabel('会诊原因和问题').fill('心悸两周，动态心电图提示窦性停搏，请神经内科会诊头晕原因。');
    await page.getByLabel('紧急程度').selectOption('urgent');
    await checkAxe(page, 'township-new-consultation');
    await page.getByRole('button', { name: '发送申请' }).click();
    await page.locator('#consult-status').waitFor();
    consultId = Number(/#\/consultations\/(\d+)/.exec(page.url())[1]);
    const c = await apiGet(page, `/consultations/${consultId}`);
    t.check(c.status === 'requested' && c.priority === 'urgent' && c.reason.startsWith('心悸两周'),
      'the request is recorded as sent', JSON.stringify(c));
    t.check(errors.length === 0, 'no script errors (township doctor)', errors.join('\n'));
    await context.close();
  }
  {
    const { context, page, errors } = await session('zheng.haitao');
    await page.getByRole('link', { name: `会诊 #${consultId}` }).click();
    await page.getByRole('button', { name: '接受' }).click();
    await page.locator('#consult-status', { hasText: '已接受' }).waitFor();
    await page.getByLabel('日期和时间').fill('2030-03-03T14:00');
    await page.getByRole('button', { name: '预约时间' }).click();
    await page.locator('#consult-status', { hasText: '已预约' }).waitFor();
    const ecgPick = page.locator('section.card', { hasText: '添加心电检查' }).getByLabel('检查');
    t.check((await ecgPick.locator('option').allTextContents()).some((o) => o.startsWith('心电 #1 · ')),
      'the patient\'s ECG study is offered to attach');
    await ecgPick.selectOption('1');
    await page.getByRole('button', { name: '添加心电检查' }).click();
    await page.locator('dd').getByRole('link', { name: '心电 #1' }).waitFor();
    await page.getByLabel('同意类型').selectOption('teleconsultation');
    await page.getByRole('button', { name: '记录知情同意' }).click();
    await page.locator('dd', { hasText: '远程会诊' }).waitFor();
    await page.getByRole('button', { name: '开始会诊' }).click();
    await page.locator('#consult-status', { hasText: '进行中' }).waitFor();
    await checkAxe(page, 'specialist-consultation-in-progress');
    const opinion = '考虑病态窦房结综合征所致头晕，建议心内科评估起搏器植入。';
    await page.getByLabel('会诊意见').fill(opinion);
    await page.getByRole('button', { name: '签署意见并结束会诊' }).click();
    await page.locator('#consult-status', { hasText: '已完成' }).waitFor();
    t.check((await page.locator('#opinion-text').textContent()) === opinion, 'the signed opinion is shown');
    const c = await apiGet(page, `/consultations/${consultId}`);
    t.check(c.status === 'completed' && c.opinion === opinion && c.opinion_version === 1
      && c.ecg_study_ids.includes(1) && c.scheduled_for === new Date('2030-03-03T14:00').toISOString().replace(/\.000Z$/, 'Z'),
      'the specialist scheduled it, attached the ECG and completed it with the signed opinion', JSON.stringify(c));
    await checkAxe(page, 'specialist-consultation-completed');
    t.check(errors.length === 0, 'no script errors (specialist)', errors.join('\n'));
    await context.close();
  }

  // ---- ECG reader: worklist, a rule broken, sign, amend ----
  {
    const { context, page, errors } = await session('sun.lihua');
    await page.getByRole('heading', { name: '心电工作列表' }).waitFor();
    const wl = await apiGet(page, '/worklists/ecg');
    t.check(wl.items.length === 1 && await page.locator('tbody tr').count() === 1, 'the worklist shows the study awaiting reading');
    await checkAxe(page, 'reader-ecg-worklist');
    await page.getByRole('link', { name: `心电 #${wl.items[0].id}` }).click();
    await page.getByLabel('心律').fill('窦性心动过缓');
    await page.getByLabel('心率（次/分）').fill('400');
    await page.getByLabel('诊断意见').fill('窦性心动过缓，偶见停搏。');
    await page.getByRole('button', { name: '签署报告' }).click();
    const err = page.locator('.field[data-field="heart_rate_bpm"] .field-error');
    await err.filter({ hasText: /./ }).waitFor();
    t.check((await page.getByLabel('诊断意见').inputValue()) === '窦性心动过缓，偶见停搏。'
      && (await page.getByLabel('心率（次/分）').getAttribute('aria-invalid')) === 'true',
      'a heart rate out of range is shown next to its field and nothing typed is lost', await err.textContent());
    await checkAxe(page, 'reader-ecg-error');
    await page.getByLabel('心率（次/分）').fill('48');
    await page.getByRole('button', { name: '签署报告' }).click();
    await page.locator('#study-status', { hasText: '已报告' }).waitFor();
    await page.getByLabel('修订原因').fill('重新测量');
    await page.getByLabel('心率（次/分）').fill('46');
    await page.getByRole('button', { name: '修订报告' }).click();
    await page.locator('#study-status', { hasText: '已修订' }).waitFor();
    const s = await apiGet(page, `/ecg-studies/${wl.items[0].id}`);
    const v = await apiGet(page, `/ecg-studies/${wl.items[0].id}/report/versions`);
    t.check(s.status === 'amended' && s.report.heart_rate_bpm === 46 && v.items.length === 2
      && v.items[0].heart_rate_bpm === 48 && v.items[1].amend_reason === '重新测量',
      'the reader signed, then amended, keeping version 1', JSON.stringify(v));
    await checkAxe(page, 'reader-ecg-reported');
    t.check(errors.length === 0, 'no script errors (ECG reader)', errors.join('\n'));
    await context.close();
  }

  // ---- the township doctor gets the reports back ----
  {
    const { context, page, errors } = await session('huang.xiaoyan');
    await page.goto(`${server.url}/#/consultations/${consultId}`);
    await page.getByRole('link', { name: /张桂兰/ }).click();
    await page.locator('#studies').waitFor();
    const items = await page.locator('#studies li').allTextContents();
    t.check(items.some((x) => x.startsWith('心电 #1') && x.endsWith('已修订')) && items.some((x) => x.startsWith('影像 #1')),
      'the township doctor sees the patient\'s studies with the ECG report amended', items.join(' | '));
    await page.getByRole('link', { name: /^心电 #1/ }).click();
    await page.locator('#report').waitFor();
    t.check((await page.locator('#report').textContent()).includes('窦性心动过缓'), 'and reads the signed ECG report');
    await checkAxe(page, 'township-ecg-report');
    t.check(errors.length === 0, 'no script errors (township doctor, reports)', errors.join('\n'));
    await context.close();
  }

  // ---- family doctor: panel, offer and sign, statistics ----
  {
    const { context, page, errors } = await session('chen.jianping');
    await page.getByRole('heading', { name: '我的签约居民', level: 1 }).waitFor();
    const panel = await apiGet(page, '/teams/1/panel');
    const names = await page.locator('#panel-1 tbody tr td:first-child').allTextContents();
    t.check(names.join() === panel.items.map((r) => r.name).join() && names.length === 2,
      'the panel lists the team\'s contracted residents in the server\'s order', names.join());
    const overdue = await page.locator('#panel-1 .badge.overdue').count();
    t.check(overdue === panel.items.filter((r) => r.overdue).length && overdue > 0, 'overdue follow-ups are marked');
    await checkAxe(page, 'family-panel');
    await page.getByRole('link', { name: '发起签约' }).click();
    await page.getByLabel('居民编号').fill('5');
    await page.getByRole('checkbox', { name: '慢性病包' }).check();
    await page.getByRole('button', { name: '发起', exact: true }).click();
    await page.locator('#contract-status', { hasText: '待签约' }).waitFor();
    await checkAxe(page, 'family-contract-offered');
    await page.getByLabel('签约方式').selectOption('in_person');
    await page.getByRole('button', { name: '签约', exact: true }).click();
    await page.locator('#contract-status', { hasText: '履约中' }).waitFor();
    const cid = Number(/#\/contracts\/(\d+)/.exec(page.url())[1]);
    const c = await apiGet(page, `/contracts/${cid}`);
    t.check(c.status === 'active' && c.resident_id === 5 && c.sign_method === 'in_person'
      && c.packages.includes('chronic_disease'), 'the family doctor offered and signed a contract', JSON.stringify(c));
    const fu = await page.locator('tbody tr').count();
    t.check(fu > 0, 'signing generated follow-ups, shown on the contract', String(fu));
    await checkAxe(page, 'family-contract-active');
    await page.getByRole('button', { name: '续约一年' }).click();
    await page.waitForURL((u) => !u.hash.endsWith(`/contracts/${cid}`));
    await page.locator('#contract-status', { hasText: '履约中' }).waitFor();
    const renewed = Number(/#\/contracts\/(\d+)/.exec(page.url())[1]);
    await page.getByLabel('原因').fill('迁居外县');
    await page.getByRole('button', { name: '解约' }).click();
    await page.locator('#contract-status', { hasText: '已解约' }).waitFor();
    const [old, next] = [await apiGet(page, `/contracts/${cid}`), await apiGet(page, `/contracts/${renewed}`)];
    t.check(old.status === 'renewed' && next.previous_id === cid && next.status === 'terminated' && next.end_reason === '迁居外县',
      'renew, then terminate with a reason', JSON.stringify([old.status, next]));
    await page.getByRole('link', { name: '统计' }).click();
    await page.locator('#charts figure').first().waitFor();
    const figs = await page.locator('#charts figure figcaption').allTextContents();
    t.check(figs.join() === '签约率,随访完成数与应随访数,续约率,康复依从率', 'four charts: signing, follow-ups, renewal, adherence', figs.join());
    const st = await apiGet(page, '/stats/teams/1');
    const shown = await page.locator('#charts figure').first().locator('tbody td').first().textContent();
    t.check(shown === `${Math.round(st.signing_rate * 1000) / 10}%`, 'the signing rate chart shows the server\'s figure', `${shown} vs ${st.signing_rate}`);
    await checkAxe(page, 'family-stats');
    // the language switch
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('link', { name: 'My residents' }).waitFor();
    t.check(await page.evaluate(() => document.documentElement.lang) === 'en'
      && (await page.locator('#charts figure figcaption').first().textContent()) === 'Signing rate',
      'switching to English changes every string and the page language');
    await checkAxe(page, 'family-stats-en');
    t.check(errors.length === 0, 'no script errors (family doctor)', errors.join('\n'));
    await context.close();
  }

  // ---- radiologist, therapist ----
  {
    const { context, page, errors } = await session('wu.gang');
    await page.getByRole('heading', { name: '影像工作列表' }).waitFor();
    const wl = await apiGet(page, '/worklists/imaging');
    t.check(wl.items.length === 1 && await page.locator('tbody tr').count() === 1, 'the radiologist\'s worklist shows the CT awaiting a report');
    await checkAxe(page, 'radiologist-worklist');
    await page.getByRole('link', { name: `影像 #${wl.items[0].id}` }).click();
    // The demo indexes 河口乡's CT without its file; the clinic's file
    // (CT_small.dcm, whose UIDs and SHA-256 the index holds) arrives now.
    mkdirSync(join(server.dataDir, 'dicom'), { recursive: true });
    copyFileSync(join(process.env.TC_SHARED_DATA, 'dicom', 'CT_small.dcm'),
      join(server.dataDir, 'dicom', 'demo-zhang-guilan-ct'));
    await page.getByRole('button', { name: /序列 1 CT Axial/ }).click();
    await page.locator('.image-viewer [role=status]', { hasText: '第 1 / 1 幅' }).waitFor();
    t.check(true, 'the radiologist sees the CT through DICOMweb (QIDO-RS, WADO-RS)');
    await page.getByLabel('影像所见').fill('右下肺见 4 毫米结节，余肺野清晰。');
    await page.getByLabel('诊断意见').fill('右下肺小结节，建议 12 个月复查。');
    await page.getByRole('button', { name: '签署报告' }).click();
    await page.getByRole('heading', { name: '报告（第 1 版）' }).waitFor();
    await checkAxe(page, 'radiologist-reported');
    await page.getByLabel('诊断意见').fill('右下肺小结节（4 mm），建议 6 个月复查。');
    await page.getByLabel('修订原因').fill('随访间隔按指南修正');
    await page.getByRole('button', { name: '修订报告' }).click();
    await page.getByRole('heading', { name: '报告（第 2 版）' }).waitFor();
    const v = await apiGet(page, `/imaging-studies/${wl.items[0].id}/report/versions`);
    t.check(v.items.length === 2 && v.items[0].impression.includes('12 个月') && v.items[1].amend_reason === '随访间隔按指南修正',
      'the radiologist signed and amended the report, version 1 kept', JSON.stringify(v));
    t.check(errors.length === 0, 'no script errors (radiologist)', errors.join('\n'));
    await context.close();
  }
  {
    const { context, page, errors } = await session('lin.jing');
    await page.getByRole('heading', { name: '康复计划', level: 1 }).waitFor();
    await page.getByRole('link', { name: /下肢功能康复/ }).click();
    await page.getByRole('heading', { name: '依从情况' }).waitFor();
    t.check(await page.getByText('坐位抬腿 Seated leg raise').isVisible(), 'the therapist sees the plan\'s exercises');
    await checkAxe(page, 'therapist-plan');
    t.check(errors.length === 0, 'no script errors (therapist)', errors.join('\n'));
    await context.close();
  }
} catch (e) {
  t.check(false, 'browser session', e.stack);
} finally {
  await browser.close();
  const code = await server.stop();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${server.log()}`);
  t.done();
}
