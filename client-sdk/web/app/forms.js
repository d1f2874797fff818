// SPDX-License-Identifier: Apache-2.0
// forms.js - labelled fields and forms that show the server's errors next
// to the field it named, in the user's language, and never clear what was
// typed when a submit fails (nor impose any time limit).
import { h, uid } from './dom.js';
import { t } from './i18n.js';

// A server or network error for people: the status explained in the
// user's language, then the server's own words (it names the rule).
export function errorText(err) {
  if (!err || err.status === undefined) return t('error.unexpected');
  const general = t(`error.status.${err.status}`) === `error.status.${err.status}`
    ? t('error.unexpected') : t(`error.status.${err.status}`);
  return err.message && err.status !== 0 ? `${general} (${err.message})` : general;
}

// One labelled control. kind: 'input' (default), 'select', 'textarea'.
// options for select: [[value, text], ...].
export function field({ name, label, kind = 'input', type = 'text', required = false,
  options = [], value = '', hint = null, attrs = {} }) {
  const id = uid(name.replace(/\W/g, '-'));
  const errId = `${id}-err`;
  const hintId = hint ? `${id}-hint` : null;
  let input;
  const common = { id, name, required, 'aria-describedby': [hintId, errId].filter(Boolean).join(' '), ...attrs };
  if (kind === 'select') {
    input = h('select', common, options.map(([v, text]) => h('option', { value: v, selected: String(v) === String(value) }, text)));
  } else if (kind === 'textarea') {
    input = h('textarea', common);
    input.value = value ?? '';
  } else {
    input = h('input', { type, ...common });
    if (value !== null && value !== undefined) input.value = value;
  }
  const error = h('p', { class: 'field-error', id: errId, 'aria-live': 'polite' });
  const wrap = h('div', { class: 'field', dataset: { field: name } },
    h('label', { for: id }, label, required ? h('span', { 'aria-hidden': 'true' }, ' *') : null),
    hint ? h('p', { class: 'muted', id: hintId }, hint) : null,
    input, error);
  return { name, wrap, input, error };
}

// A form: fields (from field()), a submit button; onSubmit(values, form)
// may throw an ApiError, which is shown next to its field (or above the
// button) and the values stay. Answers {el, fields, setError, reset}.
export function form({ fields, submitLabel, onSubmit, extra = [], label = null }) {
  const formError = h('div', { class: 'form-error', role: 'alert' });
  const button = h('button', { type: 'submit' }, submitLabel);
  const el = h('form', { novalidate: true, 'aria-label': label },
    fields.map((f) => f.wrap), extra, formError, h('div', { class: 'actions' }, button));
  const clearErrors = () => {
    formError.textContent = '';
    for (const f of fields) { f.error.textContent = ''; f.input.removeAttribute('aria-invalid'); }
  };
  const setError = (err) => {
    const text = errorText(err);
    const name = err && err.field ? err.field : null;
    const f = name && fields.find((x) => x.name === name || name.startsWith(`${x.name}.`) || x.name.startsWith(`${name}.`));
    if (f) {
      f.error.textContent = text;
      f.input.setAttribute('aria-invalid', 'true');
      f.input.focus();
    } else {
      formError.textContent = text;
      formError.setAttribute('tabindex', '-1');
      formError.focus();
    }
  };
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors();
    for (const f of fields) {
      if (f.input.required && !String(f.input.value).trim()) {
        setError({ status: 422, field: f.name, message: '' });
        f.error.textContent = t('error.required');
        return;
      }
    }
    const values = {};
    for (const f of fields) values[f.name] = f.input.value;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      await onSubmit(values, el);
    } catch (err) {
      setError(err);
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  });
  return { el, fields, setError, button };
}

// An optional number: '' -> undefined, else Number.
export function num(v) { return v === '' || v === undefined ? undefined : Number(v); }
