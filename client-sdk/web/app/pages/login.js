// SPDX-License-Identifier: Apache-2.0
// login.js - sign in: username and password, then (when the server answers
// 401 with field "totp") a second step asking for the six-digit code. The
// password stays in memory only until the second step is answered.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { field, form } from '../forms.js';

export function page(ctx, expired) {
  ctx.setTitle(t('login.title'));
  const user = field({ name: 'username', label: t('login.username'), required: true, attrs: { autocomplete: 'username' } });
  const pass = field({ name: 'password', label: t('login.password'), type: 'password', required: true, attrs: { autocomplete: 'current-password' } });
  const box = h('div');
  const f = form({
    fields: [user, pass],
    submitLabel: t('login.submit'),
    label: t('login.title'),
    onSubmit: async (v) => {
      try {
        ctx.signedIn(await ctx.api.login(v.username, v.password));
      } catch (err) {
        if (err.status === 401 && err.field === 'totp') {
          box.replaceChildren(totpStep(ctx, v.username, v.password));
          box.querySelector('input').focus();
          return;
        }
        throw err;
      }
    },
  });
  box.append(f.el);
  ctx.main.append(h('h1', {}, t('login.title')),
    expired ? h('p', { role: 'status' }, t('login.expired')) : null, box);
}

function totpStep(ctx, username, password) {
  const code = field({
    name: 'totp', label: t('login.totp'), required: true, hint: t('login.totpHint'),
    attrs: { inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: '8' },
  });
  const f = form({
    fields: [code],
    submitLabel: t('login.verify'),
    label: t('login.totpTitle'),
    onSubmit: async (v) => ctx.signedIn(await ctx.api.login(username, password, v.totp.trim())),
  });
  return h('section', { 'aria-labelledby': 'totp-h' }, h('h2', { id: 'totp-h' }, t('login.totpTitle')), f.el);
}
