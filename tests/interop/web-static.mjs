// SPDX-License-Identifier: Apache-2.0
// web-static.mjs - the web app's files as the real server sends them: each
// with its type (ES modules as text/javascript), the CSP, an ETag and
// revalidation (304 when unchanged); the SDK under /js and the vendored npm
// library under /vendor; a path climbing out of the web root (raw, or
// percent-encoded) never answers a file from outside it; a file of a type
// the server does not know is refused. Raw HTTP from node, so no client
// normalizes the paths first.
import http from 'node:http';
import { startServer, tap } from './server.mjs';

const t = tap();
const server = await startServer();

function get(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

try {
  const types = {
    '/': 'text/html', '/app/main.js': 'text/javascript', '/js/api.js': 'text/javascript',
    '/app.css': 'text/css', '/i18n/zh-CN.js': 'text/javascript',
    '/vendor/dicom-parser/dicomParser.min.js': 'text/javascript', '/vendor/dicom-parser/LICENSE.txt': 'text/plain',
  };
  for (const [path, type] of Object.entries(types)) {
    const r = await get(path);
    t.check(r.status === 200 && (r.headers['content-type'] || '').startsWith(type), `${path} is ${type}`, `${r.status} ${r.headers['content-type']}`);
  }
  const root = await get('/');
  t.check((root.headers['content-security-policy'] || '').includes("script-src 'self'"), 'the app is sent with its CSP');
  const cc = root.headers['cache-control'] || '';
  t.check(cc.includes('must-revalidate') && /max-age=[01]\b/.test(cc) && root.headers.etag, 'files carry an ETag and must be revalidated', cc);
  const again = await get('/app/main.js', { 'If-None-Match': (await get('/app/main.js')).headers.etag });
  t.check(again.status === 304, 'an unchanged file answers 304 to its ETag');
  const passwd = ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/app/..%2f..%2f..%2f..%2fetc/passwd',
    '/js/../../meson.build', '/%2e%2e%2f%2e%2e%2fmeson.build', '/app/%2e%2e/%2e%2e/%2e%2e/client-sdk/build-web.py'];
  for (const p of passwd) {
    const r = await get(p);
    t.check(!r.body.includes('root:x:') && !r.body.includes('project(') && !r.body.includes('build-web.py - assemble')
      && r.status !== 200, `no file outside the web root through ${p}`, `${r.status} ${r.body.slice(0, 80)}`);
  }
  const dotdot = await get('/app/pages/../main.js');
  t.check(dotdot.status === 200 && dotdot.body.includes('the app shell'), 'a ".." that stays inside the root resolves inside it');
  const missing = await get('/app/nothing.js');
  t.check(missing.status === 404, 'a missing file is 404');
} catch (e) {
  t.check(false, 'requests', e.stack);
} finally {
  const code = await server.stop();
  t.check(code === 0, 'the server stops with status 0', `status ${code}\n${server.log()}`);
  t.done();
}
