// SPDX-License-Identifier: Apache-2.0
// web-call.mjs - the call page over the real signaling server (telecare.v1)
// in Debian's chromium with fake camera and microphone: the seeded
// consultation's host and its requester see each other and chat; a
// resident joins her live-guided rehab session from the elder page, waits
// in the waiting room until her therapist admits her, and reads the
// therapist's message in the transcript. axe-core on the call pages.
// Media between the browsers is the media SDK's (not on this branch): the
// page says so, and this test checks that it does.
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
  return { context, page, errors };
}

async function checkAxe(page, name) {
  const v = await axe(page, { all: true });
  t.check(v.length === 0, `axe: no violation on ${name}`, v.join('\n'));
  await shot(page, name);
}

try {
  // ---- consultation 1: host (the accepting cardiologist) and requester ----
  const zhou = await open('zhou.ming');
  const huang = await open('huang.xiaoyan');
  await zhou.page.goto(`${server.url}/#/call/consultation/1`);
  await zhou.page.locator('#call-status', { hasText: '您已进入通话。' }).waitFor();
  await huang.page.goto(`${server.url}/#/consultations/1`);
  await huang.page.getByRole('link', { name: '进入通话' }).click();
  await huang.page.locator('#call-status', { hasText: '您已进入通话。' }).waitFor();
  await zhou.page.locator('#call-peers li', { hasText: '黄晓燕' }).waitFor();
  await huang.page.locator('#call-peers li', { hasText: '周明' }).waitFor();
  t.check(await zhou.page.locator('#call-peers li', { hasText: '主持人' }).count() === 1,
    'the host and the participant see each other with their roles');
  await huang.page.getByRole('textbox', { name: '消息' }).fill('请看一下这份心电图');
  await huang.page.getByRole('button', { name: '发送' }).click();
  await zhou.page.getByRole('log').getByText('请看一下这份心电图', { exact: false }).waitFor();
  t.check((await zhou.page.getByRole('log').textContent()).includes('黄晓燕'), 'a chat message reaches the other side with the sender\'s name');
  t.check((await huang.page.locator('#chat-in').inputValue()) === '', 'a sent message leaves the box');
  t.check((await zhou.page.locator('#call-media').textContent()) !== '本服务器暂不提供视频连接：其他人无法看到或听到您。',
    'the server serves the media SDK (/js/telecare.js), so the page does not say it is missing');
  await zhou.page.locator('#call-net[data-rtt]').waitFor();
  t.check(Number(await zhou.page.locator('#call-net').getAttribute('data-rtt')) < 1000, 'the network indicator shows the signaling round trip');
  await checkAxe(zhou.page, 'call-consultation-host');
  await huang.page.getByRole('button', { name: '离开' }).click();
  await zhou.page.locator('#call-peers li', { hasText: '黄晓燕' }).waitFor({ state: 'detached' });
  t.check(true, 'leaving removes the participant from the other side\'s list');
  for (const s of [zhou, huang]) {
    t.check(s.errors.length === 0, 'no script errors (consultation call)', s.errors.join('\n'));
    await s.context.close();
  }

  // ---- rehab session: waiting room, admit, message to the resident ----
  const therapist = await open('lin.jing');
  const resident = await open('wang.xiuying');
  const sid = await therapist.page.evaluate(async () => {
    const r = await fetch('/api/v1/rehab-plans/1/sessions', { headers: { Authorization: `Bearer ${sessionStorage.getItem('telecare.token')}` } });
    return (await r.json()).items.find((s) => s.mode === 'live_guided' && s.status === 'scheduled').id;
  });
  await therapist.page.goto(`${server.url}/#/plans/1`);
  await therapist.page.getByRole('link', { name: `打开视频训练 #${sid}` }).click();
  await therapist.page.locator('#call-status', { hasText: '您已进入通话。' }).waitFor();
  await resident.page.goto(`${server.url}/#/sessions/${sid}`);
  await resident.page.locator('#join-video').click();
  await resident.page.locator('#call-status', { hasText: '请稍候' }).waitFor();
  t.check(true, 'the resident waits in the waiting room');
  await checkAxe(resident.page, 'call-resident-waiting');
  await therapist.page.getByRole('button', { name: '让 王秀英 进入' }).click();
  await resident.page.locator('#call-status', { hasText: '您已进入通话。' }).waitFor();
  await therapist.page.locator('#call-peers li', { hasText: '王秀英' }).waitFor();
  t.check(true, 'the therapist admits her and she is in the call');
  await therapist.page.getByRole('textbox', { name: '消息' }).fill('请慢慢抬起左腿，保持五秒。');
  await therapist.page.keyboard.press('Enter');
  await resident.page.getByRole('log').getByText('请慢慢抬起左腿，保持五秒。', { exact: false }).waitFor();
  t.check(await resident.page.getByRole('log').isVisible(), 'the therapist\'s message stays visible in the resident\'s transcript');
  await checkAxe(resident.page, 'call-resident-joined');
  await checkAxe(therapist.page, 'call-therapist-host');
  for (const s of [therapist, resident]) {
    t.check(s.errors.length === 0, 'no script errors (rehab call)', s.errors.join('\n'));
    await s.context.close();
  }
} catch (e) {
  t.check(false, 'browser session', e.stack);
} finally {
  await browser.close();
  const code = await server.stop();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${server.log()}`);
  t.done();
}
