// SPDX-License-Identifier: Apache-2.0
// media-resume.mjs - the browser SDK (client-sdk/js/telecare.js) with its
// own signaling connection, in Debian's headless chromium, through the real
// server's media endpoint, when that connection drops: a short drop resumes
// the session and keeps the media as it was (no new publishing connection,
// the other side's feed of it goes on decoding); a drop longer than the
// server's resume grace starts a new session, and the SDK re-joins,
// publishes again and subscribes again by itself, so that both sides decode
// each other again. The call page's own handling (a shared connection) is
// in web-call.mjs.
import { chromium } from 'playwright-core';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumOptions, tap } from './server.mjs';
import { mediaServer } from './media-net-util.mjs';

const ROOM = 'consultation:1';
const GRACE_S = 3;
const t = tap();

const { dir, passwords, server } = await mediaServer({ name: 'media-resume',
  ini: '[media]\nice_addresses = 127.0.0.1\n'
    + `[signaling]\nresume_grace_s = ${GRACE_S}\n` });
const browser = await chromium.launch(chromiumOptions);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function open(user, opts = {}) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url + '/');
  await page.waitForFunction(() => typeof window.start === 'function', null, { timeout: 5000 });
  const peer = await page.evaluate(([u, p, r, o]) => window.start(u, p, r, o),
    [user, passwords[user], ROOM, opts]);
  await page.evaluate(() => {
    window.resumes = [];
    window.call.on('media-resumed', (e) => window.resumes.push(e));
  });
  return { page, peer, user, errors };
}

// who's feed of the peer `of` (a peer id): its video stats, or null.
const video = (who, of) => who.page.evaluate(async (p) => (await window.call.stats()).feeds[p]?.video || null, of);

// Wait until who decodes `of` (framesDecoded past 10), then until it rises
// by 10 more: [ok, detail].
async function decodes(who, of, ms = 30000) {
  const end = Date.now() + ms;
  let v = null;
  while (Date.now() < end && !(v && v.framesDecoded > 10)) { await sleep(200); v = await video(who, of); }
  const f0 = v?.framesDecoded || 0;
  while (Date.now() < end + 10000 && !(v && v.framesDecoded > f0 + 10)) { await sleep(200); v = await video(who, of); }
  return [Boolean(v && v.framesDecoded > f0 + 10 && f0 > 10), `${f0} -> ${JSON.stringify(v)}`];
}

async function resumes(who, n, ms) {
  const end = Date.now() + ms;
  let got = [];
  while (Date.now() < end && got.length < n) { await sleep(200); got = await who.page.evaluate(() => window.resumes); }
  return got;
}

try {
  const host = await open('zhou.ming', { host: true });
  const other = await open('huang.xiaoyan');
  for (const [a, b] of [[host, other], [other, host]]) {
    const [ok, detail] = await decodes(a, b.peer);
    t.check(ok, `${a.user} decodes ${b.user} before any drop`, detail);
  }

  // A short drop (code 4000: not a normal close): the session resumes.
  const f0 = (await video(host, other.peer))?.framesDecoded || 0;
  await other.page.evaluate(() => window.call.sig.ws.close(4000, 'dropped by the test'));
  let got = await resumes(other, 1, 15000);
  t.check(got.length === 1 && got[0].kept === true && got[0].restarted === false,
    'a short drop resumes the session and keeps the connections', JSON.stringify(got));
  t.check(await other.page.evaluate(() => window.call.peer) === other.peer, 'the same peer after the resume');
  const [ok1, d1] = await decodes(host, other.peer, 15000);
  const f1 = (await video(host, other.peer))?.framesDecoded || 0;
  t.check(ok1 && f1 > f0, 'the other side goes on decoding the same feed (never reset)', `${f0} .. ${d1}`);

  // A drop past the grace: the server ends the peer and its media; the
  // SDK comes back in a new session, joins and publishes again.
  // New connections are refused (playwright's routeWebSocket closes them,
  // code 4000) until the grace is over.
  let refuse = true;
  await other.page.routeWebSocket(/\/ws$/, (ws) => {
    if (refuse) ws.close({ code: 4000, reason: 'refused by the test' });
    else ws.connectToServer();
  });
  await other.page.evaluate(() => window.call.sig.ws.close(4000, 'dropped by the test'));
  const end = Date.now() + (GRACE_S + 15) * 1000;
  while (Date.now() < end && await video(host, other.peer)) await sleep(200);
  t.check(await video(host, other.peer) === null, 'past the grace the server ends the feed of the dropped peer');
  refuse = false;
  got = await resumes(other, 2, 40000);
  t.check(got.length === 2 && got[1].kept === false, 'the next connection is a new session', JSON.stringify(got));
  const peer2 = await other.page.evaluate(() => window.call.peer);
  t.check(peer2 && peer2 !== other.peer, 'with a new peer id', `${other.peer} -> ${peer2}`);
  const [ok2, d2] = await decodes(host, peer2);
  t.check(ok2, `${host.user} decodes ${other.user} again (published afresh)`, d2);
  const [ok3, d3] = await decodes(other, host.peer);
  t.check(ok3, `${other.user} decodes ${host.user} again (subscribed afresh)`, d3);
  for (const who of [host, other]) {
    t.check(who.errors.length === 0, `no script errors on ${who.user}'s page`, who.errors.join('\n'));
  }
  for (const who of [host, other]) await who.page.evaluate(() => window.call.leave());
} catch (e) {
  t.check(false, 'browser session', e.stack);
} finally {
  await browser.close();
  const code = await server.stop();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${server.log()}`);
  rmSync(dir, { recursive: true, force: true });
  t.done();
}
