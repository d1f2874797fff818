// SPDX-License-Identifier: Apache-2.0
// main.js - the app shell: session, language, navigation per role, the hash
// router, the "reconnecting" banner. Pages are modules under pages/; each
// exports functions (ctx, ...params) that fill ctx.main.
//
// The bearer token lives in sessionStorage (this tab only; gone when the
// tab closes). Residents and carers get elder mode (body.elder).
import { Api } from '/js/api.js';
import { h, clear, append } from './dom.js';
import { t, getLang, setLang, LANGS } from './i18n.js';
import { errorText } from './forms.js';
import * as login from './pages/login.js';
import * as clinician from './pages/clinician.js';
import * as reader from './pages/reader.js';
import * as family from './pages/family.js';
import * as resident from './pages/resident.js';
import * as therapist from './pages/therapist.js';
import * as precall from './pages/precall.js';
import * as call from './pages/call.js';
import * as emergency from './pages/emergency.js';
import * as referrals from './pages/referrals.js';
import * as tiered from './pages/tiered.js';
import { Bell } from './bell.js';
import { Live } from './live.js';
import { AlertListener, toast } from './alerts-live.js';

const CLINICIAN = ['doctor', 'specialist', 'township_doctor'];
const REFERRERS = [...CLINICIAN, 'family_doctor'];

const NAV = [
  { roles: CLINICIAN, href: '#/consultations', key: 'nav.consultations' },
  { roles: CLINICIAN, href: '#/consultations/new', key: 'nav.newConsultation' },
  { roles: REFERRERS, href: '#/referrals', key: 'nav.referrals' },
  { roles: [...CLINICIAN, 'admin'], href: '#/oncall', key: 'nav.oncall' },
  { roles: CLINICIAN, href: '#/stats/tiered', key: 'nav.tieredStats' },
  { roles: ['ecg_reader'], href: '#/worklist/ecg', key: 'nav.ecgWorklist' },
  { roles: ['radiologist'], href: '#/worklist/imaging', key: 'nav.imagingWorklist' },
  { roles: ['family_doctor'], href: '#/panel', key: 'nav.panel' },
  { roles: ['family_doctor', 'admin', 'auditor'], href: '#/stats', key: 'nav.stats' },
  { roles: ['therapist'], href: '#/plans', key: 'nav.plans' },
  { roles: ['therapist'], href: '#/reviews', key: 'nav.reviews' },
  { roles: ['therapist'], href: '#/library', key: 'nav.library' },
  { roles: ['therapist', 'family_doctor'], href: '#/rehab-alerts', key: 'nav.rehabAlerts' },
  { roles: ['resident', 'carer'], href: '#/today', key: 'nav.today' },
  { roles: [...CLINICIAN, 'therapist', 'resident', 'carer'], href: '#/precall', key: 'nav.precall' },
];

// [pattern, handler, roles allowed (null: any signed-in user)]
const ROUTES = [
  [/^#\/consultations$/, clinician.list, CLINICIAN],
  [/^#\/consultations\/new$/, clinician.create, CLINICIAN],
  [/^#\/consultations\/(\d+)$/, clinician.detail, CLINICIAN],
  [/^#\/worklist\/ecg$/, reader.ecgWorklist, ['ecg_reader']],
  [/^#\/ecg\/(\d+)$/, reader.ecgStudy, null],
  [/^#\/worklist\/imaging$/, reader.imagingWorklist, ['radiologist']],
  [/^#\/imaging\/(\d+)$/, reader.imagingStudy, null],
  [/^#\/panel$/, family.panel, ['family_doctor']],
  [/^#\/residents\/(\d+)$/, family.resident, null],
  [/^#\/contracts\/new$/, family.newContract, ['family_doctor', 'doctor', 'township_doctor']],
  [/^#\/contracts\/(\d+)$/, family.contract, null],
  [/^#\/stats$/, family.stats, ['family_doctor', 'admin', 'auditor']],
  [/^#\/plans$/, therapist.plans, ['therapist']],
  [/^#\/plans\/new$/, therapist.newPlan, ['therapist']],
  [/^#\/plans\/(\d+)$/, therapist.plan, null],
  [/^#\/reviews$/, therapist.reviews, ['therapist']],
  [/^#\/library$/, therapist.library, null],
  [/^#\/rehab-alerts$/, therapist.alerts, ['therapist', 'family_doctor']],
  [/^#\/today$/, resident.today, ['resident', 'carer']],
  [/^#\/consent$/, resident.consent, ['resident', 'carer']],
  [/^#\/sessions\/(\d+)$/, resident.session, ['resident', 'carer']],
  [/^#\/referrals$/, referrals.boxes, REFERRERS],
  [/^#\/referrals\/new$/, referrals.create, REFERRERS],
  [/^#\/referrals\/(\d+)$/, referrals.detail, REFERRERS],
  [/^#\/oncall$/, tiered.rota, [...CLINICIAN, 'admin']],
  [/^#\/stats\/tiered$/, tiered.stats, [...CLINICIAN, 'family_doctor', 'admin', 'auditor']],
  [/^#\/emergencies\/new$/, emergency.raise, CLINICIAN],
  [/^#\/emergencies\/(\d+)$/, emergency.detail, CLINICIAN],
  [/^#\/precall$/, precall.page, null],
  [/^#\/call\/(\d+)$/, call.page, null],
  [/^#\/call\/(consultation|rehab-session)\/(\d+)$/, call.page, null],
];

const HOME = [
  [['resident', 'carer'], '#/today'],
  [CLINICIAN, '#/consultations'],
  [['ecg_reader'], '#/worklist/ecg'],
  [['radiologist'], '#/worklist/imaging'],
  [['family_doctor'], '#/panel'],
  [['therapist'], '#/plans'],
  [['admin', 'auditor'], '#/stats'],
];

const state = { user: JSON.parse(sessionStorage.getItem('telecare.user') || 'null'), cleanup: null, bell: null, live: null };

// The page's one standing signaling connection (live.js): the bell and
// rehab alerts of practitioners, and live ECG for whoever opens one
// (`needed`); opened when signed in, closed on sign-out.
function ensureLive(needed = false) {
  const want = Boolean(state.user && api.token && (state.user.practitioner_id || needed || state.live));
  if (want && !state.live) {
    state.live = new Live({ token: api.token }).open();
    window.telecareLive = state.live; /* for the tests */
  } else if (!want && state.live) {
    state.live.close();
    state.live = null;
  }
  return state.live;
}

// Every signed-in practitioner keeps a signaling connection open: it rings
// them for emergencies and tells a requester how theirs goes (bell.js).
function ensureBell() {
  const live = ensureLive();
  if (live && state.user.practitioner_id && !state.bell) {
    state.bell = new Bell({ api, live, user: state.user, navigate: (href) => { location.hash = href; } }).open();
  } else if ((!live || !state.user.practitioner_id) && state.bell) {
    state.bell.close();
    state.bell = null;
  }
}

function banner(status) {
  const el = document.getElementById('connection');
  if (status === 'reconnecting') {
    el.textContent = t('app.reconnecting');
    el.hidden = false;
  } else {
    el.textContent = t('app.online');
    setTimeout(() => { if (!api.offline) el.hidden = true; }, 2000);
  }
}

export const api = new Api({
  token: sessionStorage.getItem('telecare.token'),
  onUnauthorized: () => signOut(true),
  onConnection: banner,
});

// Live rehab alerts for the accounts that receive them (alerts-live.js).
let alertListener = null;
function listenForAlerts() {
  const wanted = state.user && api.token && hasRole(['therapist', 'family_doctor']) && ensureLive();
  if (wanted && !alertListener) {
    alertListener = new AlertListener({ live: state.live, onAlert: (a) => { toast(a); } }).open();
    window.telecareAlerts = alertListener; /* for the tests: ready once welcomed */
  } else if (!wanted && alertListener) {
    alertListener.close();
    alertListener = null;
  }
}

function hasRole(roles) {
  return !roles || (state.user && state.user.roles.some((r) => roles.includes(r)));
}

export function signedIn(doc) {
  state.user = doc.user;
  sessionStorage.setItem('telecare.token', doc.token);
  sessionStorage.setItem('telecare.user', JSON.stringify(doc.user));
  location.hash = homeOf(doc.user); /* hashchange renders */
}

async function signOut(expired = false) {
  if (!expired) { try { await api.logout(); } catch (e) { /* gone anyway */ } }
  api.token = null;
  state.user = null;
  sessionStorage.clear(); /* token, user, cached teams */
  const target = expired ? '#/login?expired' : '#/login';
  if (location.hash === target) render(); else location.hash = target;
}

function homeOf(user) {
  for (const [roles, href] of HOME) if (user.roles.some((r) => roles.includes(r))) return href;
  return '#/precall';
}

function announce(text) {
  const a = document.getElementById('announcer');
  a.textContent = '';
  setTimeout(() => { a.textContent = text; }, 50);
}

function renderChrome() {
  const elder = hasRole(['resident', 'carer']) && state.user;
  document.body.classList.toggle('elder', Boolean(elder));
  resident.applySavedTextSize(Boolean(elder));
  document.getElementById('skip-link').textContent = t('app.skip');
  document.getElementById('brand').textContent = t('app.name');
  const nav = clear(document.getElementById('nav'));
  nav.setAttribute('aria-label', t('nav.label'));
  if (state.user) {
    for (const item of NAV) {
      if (!hasRole(item.roles)) continue;
      nav.append(h('a', { href: item.href, 'aria-current': location.hash === item.href ? 'page' : null }, t(item.key)));
    }
  }
  const tools = clear(document.getElementById('tools'));
  const other = getLang() === 'zh-CN' ? 'en' : 'zh-CN';
  tools.append(h('button', {
    type: 'button', class: 'secondary', lang: other, id: 'lang-switch',
    'aria-label': LANGS[other]['app.switchLanguageLabel'],
    onclick: () => { setLang(other); render(); },
  }, LANGS[other]['app.languageName']));
  if (state.user && hasRole(['township_doctor'])) {
    tools.append(h('a', { class: 'button danger emergency-button', href: '#/emergencies/new', id: 'emergency-button' }, t('emergency.bigButton')));
  }
  if (state.user) {
    tools.append(h('span', {}, t('app.signedInAs', { name: state.user.username })),
      h('button', { type: 'button', class: 'secondary', onclick: () => signOut() }, t('app.signOut')));
  }
}

async function render() {
  document.documentElement.lang = getLang();
  if (state.cleanup) { try { state.cleanup(); } catch (e) { /* page gone */ } state.cleanup = null; }
  const hash = location.hash || '#/';
  renderChrome();
  ensureBell();
  listenForAlerts();
  // Each render fills its own box: a render overtaken by a newer one (the
  // user clicked on while it awaited the server) fills a detached box.
  const main = document.createElement('div');
  clear(document.getElementById('main')).append(main);
  // Pages append conditionals and lists: skip null/false, flatten arrays
  // (the DOM's own append would print "null").
  main.append = (...children) => append(main, children);
  const ctx = {
    api, main, user: state.user, hasRole, announce, signedIn, bell: state.bell, live: () => ensureLive(true),
    navigate: (href) => { location.hash = href; },
    setTitle: (text) => { document.title = `${text} · ${t('app.name')}`; },
    onLeave: (f) => { state.cleanup = f; },
    rerender: render,
  };
  if (!state.user || !api.token) {
    if (!hash.startsWith('#/login')) { location.hash = '#/login'; return; }
    return login.page(ctx, hash.includes('expired'));
  }
  if (hash === '#/' || hash.startsWith('#/login')) { location.hash = homeOf(state.user); return; }
  for (const [re, handler, roles] of ROUTES) {
    const m = re.exec(hash.split('?')[0]);
    if (!m) continue;
    if (!hasRole(roles)) break;
    try {
      await handler(ctx, ...m.slice(1));
    } catch (err) {
      showError(ctx, err);
    }
    return;
  }
  ctx.setTitle(t('app.notFound'));
  main.append(h('h1', {}, t('app.notFound')), h('p', {}, h('a', { href: homeOf(state.user) }, t('app.home'))));
}

// A page that could not load: the reason in the user's language.
export function showError(ctx, err) {
  ctx.main.append(h('div', { class: 'form-error', role: 'alert' }, errorText(err)));
}

window.addEventListener('hashchange', () => {
  render().then(() => {
    const main = document.getElementById('main');
    const h1 = main.querySelector('h1');
    if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus(); }
  });
});
render();
