// SPDX-License-Identifier: Apache-2.0
// media-net-util.mjs - what the media network tests (media-h264.mjs,
// media-mdns.mjs, media-turn.mjs, media-ice-restart.mjs) share: the demo
// county in a temporary data directory, a web root with the SDK and
// media-page.html, the real server started with a [media] section of the
// test's choosing (mediaServer, also used by media-call, media-profile,
// media-resume, media-feed and media-remb), Debian's chromium with the
// given flags, and helpers to open a participant's page and poll its
// stats.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, chromiumOptions } from './server.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/*
 * The demo county seeded in a new temporary directory (`tc-NAME-*`), a web
 * root there with the SDK (client-sdk/js) and media-page.html, and the
 * real server started on it with `[server] web_root` and `ini` (the rest
 * of its configuration, e.g. a [media] section). Answers {dir, dataDir,
 * web, passwords (username -> password), server}; the caller removes dir.
 */
export async function mediaServer({ name, ini = '' }) {
  const src = process.env.TC_SOURCE_ROOT;
  const dir = mkdtempSync(join(tmpdir(), `tc-${name}-`));
  const dataDir = join(dir, 'data');
  execFileSync(process.env.TC_ADMIN_BIN, ['--data-dir', dataDir, 'seed-demo',
    '--accounts-file', join(dir, 'accounts')], { stdio: 'ignore' });
  const passwords = Object.fromEntries(readFileSync(join(dir, 'accounts'), 'utf8')
    .split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/)));
  const web = join(dir, 'web');
  execFileSync('mkdir', ['-p', web]);
  symlinkSync(join(src, 'client-sdk', 'js'), join(web, 'js'));
  symlinkSync(join(src, 'tests', 'interop', 'media-page.html'), join(web, 'index.html'));
  symlinkSync(join(src, 'tests', 'interop', 'media-page.js'), join(web, 'media-page.js'));
  writeFileSync(join(dir, 'server.ini'), `[server]\nweb_root = ${web}\n${ini}`);
  const server = await startServer(['--config', join(dir, 'server.ini'), '--data-dir', dataDir]);
  return { dir, dataDir, web, passwords, server };
}

/* A participant's page on `server` in `browser`, signed in as `user`,
 * joined to `room` and publishing (opts: media-page.js): {page, peer,
 * user, problems (the page's errors)}. */
export async function openPage(browser, server, passwords, user, room, opts = {}) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await page.goto(server.url + '/');
  await page.waitForFunction(() => typeof window.start === 'function', null, { timeout: 5000 })
    .catch(() => { throw new Error(`the page did not load: ${problems.join('; ')}`); });
  const peer = await page.evaluate(([u, p, r, o]) => window.start(u, p, r, o),
    [user, passwords[user], room, opts]);
  return { page, peer, user, problems };
}

/* who's SDK stats of its feed of `of`, or null. */
export const feedStats = async (who, of) =>
  (await who.page.evaluate(() => window.call.stats())).feeds[of.peer] || null;

/* Poll every stepMs until ok(feed stats) holds for who's feed of `of`:
 * {ok, last}. */
export async function untilFeed(who, of, ok, timeoutMs, stepMs = 200) {
  const end = Date.now() + timeoutMs;
  let last = null;
  while (Date.now() < end) {
    last = await feedStats(who, of);
    if (last && ok(last)) return { ok: true, last };
    await sleep(stepMs);
  }
  return { ok: false, last };
}

/* What who's feed of `of` gained over ms: video kbit/s and frames
 * decoded, the frame width at the end, audio packets received. */
export async function feedOver(who, of, ms) {
  const a = await feedStats(who, of);
  const t0 = Date.now();
  await sleep(ms);
  const b = await feedStats(who, of);
  const s = (Date.now() - t0) / 1000;
  return {
    kbps: Math.round(((b?.video?.bytesReceived || 0) - (a?.video?.bytesReceived || 0)) * 8 / s / 1000),
    frames: (b?.video?.framesDecoded || 0) - (a?.video?.framesDecoded || 0),
    width: b?.video?.frameWidth || 0,
    audio: (b?.audio?.packetsReceived || 0) - (a?.audio?.packetsReceived || 0),
  };
}

/* A bearer-token API call as `user` (signs in each time): {status, body}
 * for JSON, {status, headers, bytes} otherwise. */
export async function apiAs(server, passwords, user, method, path, body, headers = {}) {
  const login = await fetch(`${server.url}/api/v1/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password: passwords[user] }),
  });
  const { token } = await login.json();
  const r = await fetch(server.url + path, {
    method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!(r.headers.get('content-type') || '').includes('json')) {
    return { status: r.status, headers: r.headers, bytes: Buffer.from(await r.arrayBuffer()) };
  }
  return { status: r.status, body: await r.json().catch(() => null) };
}

/*
 * name: for the temporary directory; media: lines of the server's [media]
 * section; args: chromium's flags (default: chromiumOptions.args); room:
 * default 'consultation:1'.
 */
export async function mediaSetup({ name, media = 'ice_addresses = 127.0.0.1\n',
  args = chromiumOptions.args, room = 'consultation:1' }) {
  // No automatic audio only: decoding is checked on a loaded machine.
  const { dir, passwords, server } = await mediaServer({ name,
    ini: `[media]\n${media}audio_only_loss_pct = 100\n` });
  const browser = await chromium.launch({ ...chromiumOptions, args });

  const others = [];
  /* Another chromium with other flags, closed with the rest. */
  async function launch(moreArgs) {
    const b = await chromium.launch({ ...chromiumOptions, args: moreArgs });
    others.push(b);
    return b;
  }

  /* A participant's page, joined and publishing (opts: media-page.js),
   * in `inBrowser` (default: the first chromium). */
  const open = (user, opts = {}, inBrowser = browser) =>
    openPage(inBrowser, server, passwords, user, room, opts);

  const stats = (who) => who.page.evaluate(() => window.call.stats());

  const until = (who, of, ok, timeoutMs) => untilFeed(who, of, ok, timeoutMs, 100);

  const api = (...args) => apiAs(server, passwords, ...args);

  /* Close the browser, stop the server: its exit status. */
  async function close() {
    for (const b of [browser, ...others]) await b.close().catch(() => {});
    if (process.env.TC_DUMP_LOG) writeFileSync(process.env.TC_DUMP_LOG, server.log());
    const code = await server.stop();
    rmSync(dir, { recursive: true, force: true });
    return code;
  }

  return { dir, server, browser, passwords, launch, open, stats, until, api, close };
}

/* Wait for `who` to decode `of`'s video, past 10 frames and still rising:
 * {ok, detail}. */
export async function decodes(env, who, of, timeoutMs = 20000) {
  const r = await env.until(who, of, (s) => s.video && s.video.framesDecoded > 10, timeoutMs);
  if (!r.ok) return { ok: false, detail: JSON.stringify(r.last), last: r.last };
  const before = r.last.video.framesDecoded;
  const more = await env.until(who, of, (s) => s.video.framesDecoded > before + 5, 10000);
  return { ok: more.ok, detail: JSON.stringify(more.last), last: more.last };
}
