// SPDX-License-Identifier: Apache-2.0
// web-rehab.mjs - the home-rehabilitation pages (issue 10) in Debian's
// chromium against the demo county (王秀英's plan, therapist lin.jing,
// family doctor chen.jianping):
//   - the therapist adds an exercise of their own to the library with a
//     demo video (a real WebM made by GStreamer here) and puts it in the
//     plan from the library; sets the week and generates its sessions;
//   - the resident, with the keyboard alone: consents to recording (the
//     carer withdraws it later on the same page), presses
//     the one Start button, follows each exercise (the library's demo video
//     plays) while chromium's fake camera is recorded by MediaRecorder; the
//     upload's second chunk is cut off on the wire and the upload resumes
//     from the server's offset; then pain and the picture scale;
//   - the therapist gets the pain rise as a live toast, plays the recording
//     through its ticket URL, scores and notes it, sees the outcome charts,
//     acknowledges the alert; a live session: admitting the resident, a set
//     marked done reaches the resident's page; the family doctor sees the
//     outcomes and alerts. axe-core: no violation of any impact.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, chromiumOptions, tap } from './server.mjs';
import { axe, shot, watchErrors, login, signedIn } from './web-util.mjs';

const t = tap();
const server = await startServer([], { seed: true });
const browser = await chromium.launch(chromiumOptions);
const tmp = mkdtempSync(join(tmpdir(), 'tc-webrehab-'));

async function apiAs(user) {
  const r = await fetch(`${server.url}/api/v1/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password: server.accounts[user] }) });
  const { token } = await r.json();
  return async (method, path, body) => {
    const a = await fetch(`${server.url}/api/v1${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined });
    const type = a.headers.get('content-type') || '';
    return { status: a.status, doc: type.includes('json') ? await a.json() : await a.arrayBuffer() };
  };
}

async function tabTo(page, selector) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return true;
  }
  return false;
}

const smallTargets = (page) => page.evaluate(() => {
  const out = [];
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')) {
    if (el.matches('input[type=radio], input[type=checkbox]')) continue;
    if (el.id === 'main' || el.classList.contains('skip') || el.matches('[tabindex="-1"]')) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if (r.width < 59.5 || r.height < 59.5) out.push(`${el.tagName}#${el.id || ''} ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  for (const el of document.querySelectorAll('input[type=radio]')) {
    const r = el.closest('label').getBoundingClientRect();
    if (r.width < 59.5 || r.height < 59.5) out.push(`label of ${el.name} ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return out;
});

async function axeClean(page, name) {
  const v = await axe(page, { all: true });
  t.check(v.length === 0, `axe: no violation at all on ${name}`, v.join('\n'));
  await shot(page, `rehab-${name}`);
}

async function elder(page, name) {
  await axeClean(page, name);
  const small = await smallTargets(page);
  t.check(small.length === 0, `elder mode: every control at least 60 px on ${name}`, small.join('\n'));
  const base = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  t.check(base >= 18, `elder mode: text at least 18 px on ${name}`, String(base));
}

try {
  const therapist = await apiAs('lin.jing');
  const residentApi = await apiAs('wang.xiuying');
  const plan = (await residentApi('GET', '/residents/1/rehab-plans')).doc.items[0];
  // A real demo video: 1 s of VP8 in WebM from GStreamer.
  const demo = join(tmp, 'demo.webm');
  execFileSync('gst-launch-1.0', ['-q', 'videotestsrc', 'num-buffers=25', '!', 'video/x-raw,width=320,height=240,framerate=25/1',
    '!', 'vp8enc', '!', 'webmmux', '!', 'filesink', `location=${demo}`]);
  const demoBytes = readFileSync(demo);

  // ---- the therapist: library, plan, schedule ----
  const tc = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const tp = await tc.newPage();
  const terrors = watchErrors(tp);
  await login(tp, server.url, 'lin.jing', server.accounts['lin.jing']);
  await signedIn(tp);
  // a new plan for 王秀英 (a draft on her contract)
  await tp.locator('#new-plan').click();
  await tp.getByLabel('乡镇').fill('城关镇');
  await tp.getByLabel('姓名').fill('王秀英');
  await tp.getByRole('button', { name: '查找患者' }).click();
  await tp.getByRole('radio', { name: /王秀英/ }).check();
  await tp.getByLabel('标题').fill('上肢功能 Upper limb');
  await tp.getByLabel('目标').fill('自己穿衣 Dress alone');
  await axeClean(tp, 'new-plan');
  await tp.getByRole('button', { name: '创建计划' }).click();
  await tp.locator('#plan-activate').waitFor();
  const newId = Number(/#\/plans\/(\d+)/.exec(tp.url())[1]);
  const np = (await therapist('GET', `/rehab-plans/${newId}`)).doc;
  t.check(np.status === 'draft' && np.resident_id === 1 && np.title === '上肢功能 Upper limb' && np.goals[0].description === '自己穿衣 Dress alone'
    && np.therapist_ids.length === 1, 'the therapist created a draft plan for the resident', JSON.stringify(np));
  await tp.goto(`${server.url}/#/library`);
  await tp.getByRole('heading', { name: '训练动作库', level: 1 }).waitFor();
  await tp.getByLabel('名称').fill('靠墙下蹲 Wall squat');
  await tp.getByLabel('中文说明').fill('背靠墙，慢慢下蹲再站起。');
  await tp.getByLabel('英文说明').fill('Back against the wall, bend the knees slowly, stand up.');
  await tp.getByLabel('组数').fill('2');
  await tp.getByLabel('每组次数').fill('6');
  await tp.getByLabel(/示范视频/).setInputFiles(demo);
  await tp.getByRole('button', { name: '加入动作库' }).click();
  await tp.locator('#library video').first().waitFor();
  const lib = (await therapist('GET', '/rehab-library')).doc.items.find((x) => x.name === '靠墙下蹲 Wall squat');
  t.check(lib && lib.video && lib.video.size === demoBytes.length, 'the exercise and its demo video reached the library', JSON.stringify(lib));
  const served = await fetch(`${server.url}${lib.video.url}`);
  t.check(Buffer.compare(Buffer.from(await served.arrayBuffer()), demoBytes) === 0, 'the library serves the demo video byte for byte');
  await axeClean(tp, 'library');

  await tp.goto(`${server.url}/#/plans/${plan.id}`);
  await tp.getByLabel('从动作库选择').selectOption(String(lib.id));
  await tp.getByLabel('每周次数').fill('3');
  await tp.getByRole('button', { name: '添加训练' }).click();
  await tp.locator('#plan-exercises li', { hasText: '靠墙下蹲' }).waitFor();
  const full = (await therapist('GET', `/rehab-plans/${plan.id}`)).doc;
  const added = full.exercises.find((x) => x.library_id === lib.id);
  t.check(added && added.sets === 2 && added.reps === 6 && added.sessions_per_week === 3,
    'the plan has the library exercise with its default sets and reps', JSON.stringify(full.exercises));
  // the week: one self-guided slot three days on (not today), then generate
  const day = ((new Date().getDay() + 3 + 6) % 7) + 1; // 1 Monday .. 7 Sunday
  await tp.getByRole('button', { name: '添加时间' }).click();
  await tp.locator('#slots select').first().selectOption(String(day));
  await tp.locator('#slots input[type=time]').first().fill('10:00');
  await tp.getByRole('button', { name: '保存时间表并生成训练' }).click();
  await tp.locator('#schedule li').first().waitFor();
  const sched = (await therapist('GET', `/rehab-plans/${plan.id}/schedule`)).doc;
  const sessionsAfter = (await therapist('GET', `/rehab-plans/${plan.id}/sessions`)).doc.items;
  t.check(sched.slots.length === 1 && sched.slots[0].weekday === day && sched.slots[0].time === '10:00'
    && sessionsAfter.filter((s) => s.mode === 'self_guided' && s.status === 'scheduled').length >= 1,
  'the week was saved and its sessions generated', JSON.stringify(sched));
  await axeClean(tp, 'plan-editor');

  // a self-guided session for today (as web-elder does); the therapist
  // waits on the alerts page with the live listener connected
  const made = await therapist('POST', `/rehab-plans/${plan.id}/sessions`,
    { mode: 'self_guided', scheduled_at: new Date(Date.now() + 60000).toISOString().replace(/\.\d+Z$/, 'Z') });
  t.check(made.status === 201, 'a self-guided session today', JSON.stringify(made.doc));
  const sid = made.doc.id;
  await tp.goto(`${server.url}/#/rehab-alerts`);
  await tp.locator('main h1').waitFor();
  await tp.waitForFunction(() => window.telecareAlerts && window.telecareAlerts.ready);

  // ---- the resident, keyboard only ----
  // The resident's camera: chromium's fake device fed with GStreamer's
  // "snow" (noise compresses badly, so the recording spans several chunks).
  const snow = join(tmp, 'snow.y4m');
  execFileSync('gst-launch-1.0', ['-q', 'videotestsrc', 'pattern=snow', 'num-buffers=25', '!',
    'video/x-raw,width=320,height=240,framerate=25/1,format=I420', '!', 'y4menc', '!', 'filesink', `location=${snow}`]);
  const camBrowser = await chromium.launch({ ...chromiumOptions, args: [...chromiumOptions.args, `--use-file-for-fake-video-capture=${snow}`] });
  const rc = await camBrowser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const rp = await rc.newPage();
  const rerrors = watchErrors(rp);
  const puts = [];
  let cut = false;
  await rp.route('**/api/v1/rehab-uploads/*', async (route) => {
    const req = route.request();
    if (req.method() !== 'PUT') return route.continue();
    puts.push(Number(req.headers()['upload-offset']));
    // the second chunk is lost on the wire: the connection drops
    if (puts.length === 2 && !cut) { cut = true; return route.abort('connectionreset'); }
    return route.continue();
  });
  await rp.goto(`${server.url}/#/login`);
  await rp.getByLabel('用户名').waitFor();
  t.check(await tabTo(rp, 'input[name=username]'), 'Tab reaches the user name');
  await rp.keyboard.type('wang.xiuying');
  await rp.keyboard.press('Tab');
  await rp.keyboard.type(server.accounts['wang.xiuying']);
  await rp.keyboard.press('Enter');
  await rp.locator('#today-session').waitFor();
  t.check(await rp.locator('main a.big-button, main button.big-button').count() === 1, 'today\'s page has one large Start button');
  t.check(await tabTo(rp, '#consent-link'), 'Tab reaches the recording consent page');
  await rp.keyboard.press('Enter');
  await rp.locator(`#consent-give-${plan.id}`).waitFor();
  await elder(rp, 'consent');
  t.check(await tabTo(rp, `#consent-give-${plan.id}`), 'Tab reaches "I agree to be recorded"');
  await rp.keyboard.press('Enter');
  await rp.locator(`#consent-withdraw-${plan.id}`).waitFor();
  t.check((await residentApi('GET', `/rehab-plans/${plan.id}`)).doc.recording_consent === true, 'the consent is on file');
  t.check(await tabTo(rp, 'main a.big-button[href="#/today"]'), 'Tab reaches "back to today"');
  await rp.keyboard.press('Enter');
  await rp.locator('#today-session').waitFor();
  t.check(await tabTo(rp, '#today-session'), 'Tab reaches Start');
  await rp.keyboard.press('Enter');
  await rp.getByRole('heading', { name: '开始之前' }).waitFor();
  t.check(await tabTo(rp, 'input[name=pain_before]'), 'Tab reaches the pain scale');
  await rp.keyboard.press('ArrowRight'); // 0 -> 1
  t.check(await tabTo(rp, 'button[type=submit]'), 'Tab reaches Start (after pain)');
  await rp.keyboard.press('Enter');
  await rp.locator('#exercise h2').waitFor();
  await rp.locator('#rec-state.rec').waitFor();
  t.check(true, 'the camera is recorded (consent on file)');
  await elder(rp, 'guided-first');
  const n = full.exercises.length;
  for (let i = 0; i < n; i++) {
    const heading = await rp.locator('#exercise h2').textContent();
    t.check(heading.includes(`第 ${i + 1} 个，共 ${n} 个`), `exercise ${i + 1} of ${n} is shown`, heading);
    if (heading.includes('靠墙下蹲')) {
      const v = rp.locator('#demo-video');
      t.check(await v.getAttribute('src') === lib.video.url, 'the library exercise shows its demo video');
      await rp.waitForFunction(() => document.getElementById('demo-video').readyState >= 1);
      t.check(await v.evaluate((el) => el.videoWidth) === 320, 'chromium loaded the demo video from the server');
      t.check((await rp.locator('#exercise .instructions').textContent()).includes('背靠墙'), 'the Chinese instructions are shown');
      await elder(rp, 'guided-demo');
    }
    await rp.waitForTimeout(1500); // exercising in front of the camera
    t.check(await tabTo(rp, i === n - 1 ? '#exercises-done' : '#next-exercise'), `Tab reaches the next step after exercise ${i + 1}`);
    await rp.keyboard.press('Enter');
  }
  await rp.getByRole('heading', { name: '做完以后' }).waitFor({ timeout: 120000 });
  t.check(await rp.locator('#upload-note').textContent() === '录像已上传。', 'the recording was uploaded',
    await rp.locator('#upload-note').textContent());
  t.check(cut && puts.length >= 3 && puts[2] === puts[1], 'the second chunk was cut off and sent again from the server\'s offset', JSON.stringify(puts));
  await elder(rp, 'report');
  t.check(await tabTo(rp, 'input[name=completion_pct]'), 'Tab reaches "how much"');
  t.check(await tabTo(rp, 'input[name=pain_after]'), 'Tab reaches pain after');
  for (let i = 0; i < 5; i++) await rp.keyboard.press('ArrowRight'); // 0 -> 5
  t.check(await tabTo(rp, 'input[name=difficulty]'), 'Tab reaches the picture scale');
  t.check(await rp.locator('.scale.pictures svg').count() === 5, 'the difficulty scale has a face per level');
  await rp.keyboard.press('ArrowRight'); await rp.keyboard.press('ArrowRight'); await rp.keyboard.press('ArrowRight'); // 1 -> 4
  t.check(await tabTo(rp, 'button[type=submit]'), 'Tab reaches "I have finished"');
  await rp.keyboard.press('Enter');
  await rp.locator('#session-status', { hasText: '已完成' }).waitFor();
  const s = (await therapist('GET', `/rehab-sessions/${sid}`)).doc;
  t.check(s.status === 'completed' && s.pain_before === 1 && s.pain_after === 5 && s.difficulty === 4 && s.completion_pct === 100,
    'the keyboard-only report reached the records', JSON.stringify(s));
  const rec = await therapist('GET', `/rehab-sessions/${sid}/recording`);
  t.check(rec.status === 200 && rec.doc.byteLength > 256 * 1024, 'the whole recording is on the server (more than one chunk)', `${rec.status} ${rec.doc.byteLength}`);
  t.check(rerrors.length === 0, 'no script errors (resident)', rerrors.join('\n'));

  // ---- the therapist: the live alert, the review, outcomes ----
  await tp.locator('.toast', { hasText: '疼痛上升 4 分' }).waitFor();
  t.check(true, 'the pain rise arrived as a live toast');
  await axeClean(tp, 'alert-toast');
  await tp.goto(`${server.url}/#/reviews`);
  await tp.locator(`#review-${sid}`).waitFor();
  await tp.locator(`#play-${sid}`).click();
  const video = tp.locator(`#recording-${sid}`);
  await video.waitFor();
  t.check(/\/api\/v1\/rehab-recordings\//.test(await video.getAttribute('src')), 'the recording plays from a ticket URL');
  await tp.waitForFunction((id) => document.getElementById(`recording-${id}`).readyState >= 1, sid);
  t.check(await video.evaluate((el) => el.videoWidth) > 0, 'chromium decodes the uploaded recording');
  await axeClean(tp, 'reviews');
  await tp.locator(`#review-${sid}`).getByLabel('4 很好').check();
  await tp.locator(`#review-${sid}`).getByLabel('给居民的评语').fill('动作标准，继续保持。');
  await tp.locator(`#review-${sid}`).getByRole('button', { name: '保存审核' }).click();
  await tp.locator(`#review-${sid}`).waitFor({ state: 'detached' });
  const reviewed = (await therapist('GET', `/rehab-sessions/${sid}`)).doc;
  t.check(reviewed.review_score === 4 && reviewed.note === '动作标准，继续保持。', 'the score and the note are on the session', JSON.stringify(reviewed));

  const barthel = await therapist('POST', '/residents/1/barthel', { plan_id: plan.id, items: { feeding: 10, bathing: 0, grooming: 5,
    dressing: 5, bowels: 10, bladder: 10, toilet_use: 5, transfers: 10, mobility: 10, stairs: 0 } });
  t.check(barthel.status === 201, 'a Barthel assessment', JSON.stringify(barthel.doc));
  await tp.goto(`${server.url}/#/plans/${plan.id}`);
  await tp.locator('#outcomes figure').first().waitFor();
  const tables = await tp.locator('#outcomes table').allTextContents();
  t.check(tables.length === 3, 'three outcome charts (Barthel, pain, adherence)', tables.join('\n'));
  t.check(tables[0].includes(String(barthel.doc.total)), 'the Barthel chart has the assessment\'s total', tables[0]);
  const rows = await tp.locator('#outcomes table').evaluateAll((ts) => ts.map((tb) => [...tb.querySelectorAll('tbody tr')]
    .map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent))));
  t.check(rows[1].some((r) => r[1] === '1' && r[2] === '5'), 'the pain chart has this session\'s 1 → 5', JSON.stringify(rows[1]));
  const out = (await therapist('GET', `/rehab-plans/${plan.id}/outcomes`)).doc;
  t.check(rows[2].length === out.adherence.length && rows[2].every((r, i) => r[1] === String(out.adherence[i].done)
    && r[2] === String(out.adherence[i].prescribed)), 'the adherence chart has the API\'s figures week by week', JSON.stringify(rows[2]));
  t.check(out.adherence.some((w) => w.done >= 1), 'this week counts the completed session', JSON.stringify(out.adherence));
  await axeClean(tp, 'outcomes');
  await tp.goto(`${server.url}/#/rehab-alerts`);
  const alertLi = tp.locator('#alerts li', { hasText: '疼痛上升 4 分' });
  await alertLi.getByRole('button', { name: '确认已知' }).click();
  await tp.locator('#alerts li', { hasText: '已于' }).waitFor();
  const alerts = (await therapist('GET', '/rehab-alerts')).doc.items;
  t.check(alerts.some((a) => a.kind === 'pain_up' && a.session_id === sid && a.acknowledged_at), 'the alert is acknowledged', JSON.stringify(alerts));
  await axeClean(tp, 'alerts');

  // ---- a live session: the therapist marks a set, the resident sees it ----
  const live = sessionsAfter.find((x) => x.mode === 'live_guided' && x.status === 'scheduled');
  await tp.goto(`${server.url}/#/call/rehab-session/${live.id}`);
  await tp.locator('#call-status', { hasText: '您已进入通话。' }).waitFor();
  await rp.goto(`${server.url}/#/call/rehab-session/${live.id}`);
  await tp.getByRole('button', { name: /^让 .+ 进入$/ }).click();
  for (let i = 0; i < 50; i++) {
    if ((await therapist('GET', `/rehab-sessions/${live.id}`)).doc.status === 'in_progress') break;
    await tp.waitForTimeout(200);
  }
  await tp.locator('#sets-panel button').first().click();
  await rp.locator('#sets-count', { hasText: /^已完成 1 \// }).waitFor();
  t.check(true, 'a set marked done by the therapist reaches the resident\'s call page');
  const att = (await therapist('GET', `/rehab-sessions/${live.id}/attendance`)).doc;
  t.check(att.sets.done === 1, 'the set is recorded', JSON.stringify(att.sets));
  await axeClean(tp, 'call-sets');
  t.check(terrors.length === 0, 'no script errors (therapist)', terrors.join('\n'));
  await rc.close();
  await camBrowser.close();
  await tc.close();

  // ---- the carer withdraws the recording consent for 王秀英 ----
  const cc = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const cp = await cc.newPage();
  await login(cp, server.url, 'li.mei', server.accounts['li.mei']);
  await signedIn(cp);
  await cp.goto(`${server.url}/#/consent`);
  await cp.locator(`#consent-withdraw-${plan.id}`).click();
  await cp.locator(`#consent-give-${plan.id}`).waitFor();
  t.check((await therapist('GET', `/rehab-plans/${plan.id}`)).doc.recording_consent === false, 'the carer withdrew the consent on the page');
  await elder(cp, 'carer-consent');
  await cc.close();

  // ---- the family doctor: the same outcomes and alerts ----
  const fc = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const fp = await fc.newPage();
  await login(fp, server.url, 'chen.jianping', server.accounts['chen.jianping']);
  await signedIn(fp);
  await fp.goto(`${server.url}/#/rehab-alerts`);
  await fp.locator('#alerts li', { hasText: '疼痛上升 4 分' }).waitFor();
  t.check(true, 'the family doctor sees the team\'s alert');
  await axeClean(fp, 'family-alerts');
  await fp.goto(`${server.url}/#/plans/${plan.id}`);
  await fp.locator('#outcomes figure').first().waitFor();
  t.check(await fp.locator('#outcomes table').count() === 3 && await fp.locator('#schedule-save').count() === 0,
    'the family doctor sees the outcome charts, not the editor');
  await axeClean(fp, 'family-outcomes');
  await fc.close();
} catch (e) {
  t.check(false, 'browser session', e.stack);
} finally {
  await browser.close();
  rmSync(tmp, { recursive: true, force: true });
  const code = await server.stop();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${server.log()}`);
  t.done();
}
