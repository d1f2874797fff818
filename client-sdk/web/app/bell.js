// SPDX-License-Identifier: Apache-2.0
// bell.js - emergencies on every signed-in practitioner's page, over the
// page's standing signaling connection (live.js; docs/protocol.md
// "Emergency events"): hello only, no room. That connection makes the
// practitioner "online" for the on-call rota; the bell turns
// emergency-ring into the ringing dialog (ring()), and hands every
// emergency-* event to the pages that listen (on(f); the requester's
// status page).
//
// The ringing dialog cannot be missed: role=alertdialog with focus moved
// into it (Tab stays inside), a red banner across the top, a two-tone
// ring made with Web Audio every 1.5 s (no audio file), and the banner and
// the dialog's border flashing once a second (slower than WCAG 2.3.1's
// three flashes; steady under prefers-reduced-motion) for those who cannot
// hear it. Accept answers over HTTP and opens the consultation's call
// page; Decline only silences this browser (the API has no decline: the
// others keep ringing and the tier times out as usual). emergency-taken,
// -timeout and -cancelled close it with a message that stays until closed.
// Thread: the page's.
import { h } from './dom.js';
import { t, code } from './i18n.js';
import { errorText } from './forms.js';

export class Bell {
  constructor({ api, live, user, navigate }) {
    this.api = api;
    this.live = live;
    this.me = user.practitioner_id;
    this.navigate = navigate;
    this.listeners = new Set();
    this.ringing = new Map(); // emergency id -> dialog state
    this.declined = new Set();
    this.offs = [];
  }

  on(f) { this.listeners.add(f); return () => this.listeners.delete(f); }

  // Listens on the page's signaling connection (live.js): its session
  // makes this practitioner online for the rota.
  open() {
    this.offs = [
      this.live.onSession(({ fresh }) => {
        document.body.dataset.bell = 'online';
        if (fresh) this.recover();
      }),
      this.live.onDown(() => { delete document.body.dataset.bell; }),
      this.live.on('emergency-*', (m) => this.event(m)),
    ];
    return this;
  }

  close() {
    for (const off of this.offs) off();
    this.offs = [];
    for (const id of [...this.ringing.keys()]) this.stop(id);
    delete document.body.dataset.bell;
  }

  // A fresh session (a reloaded page): the emergencies still ringing me
  // ring again (GET /emergencies lists them).
  async recover() {
    let items = [];
    try { items = (await this.api.emergencies()).items; } catch (e) { return; }
    for (const e of items) {
      if (e.status === 'ringing' && (e.ringing || []).some((p) => p.id === this.me)) {
        this.ring({ emergency: e.id, resident_id: e.resident_id, department: e.department,
          tier: e.tier, requester: e.requester, reason: e.reason, ring_s: e.ring_remaining_s });
      }
    }
  }

  event(m) {
    for (const f of this.listeners) { try { f(m); } catch (e) { /* a page gone */ } }
    switch (m.type) {
      case 'emergency-ring': this.ring(m); break;
      case 'emergency-taken':
        this.stop(m.emergency, t('emergency.taken', { name: m.by ? m.by.name : '' })); break;
      case 'emergency-timeout': this.stop(m.emergency, t('emergency.timedOut')); break;
      case 'emergency-cancelled': this.stop(m.emergency, t('emergency.cancelled')); break;
      default: break;
    }
  }

  ring(m) {
    const id = m.emergency;
    if (this.ringing.has(id) || this.declined.has(id)) return;
    const before = document.activeElement;
    const titleId = `ring-h-${id}`;
    const descId = `ring-d-${id}`;
    const who = h('span', { class: 'ring-patient' }, t('emergency.patientNo', { id: m.resident_id }));
    const status = h('p', { role: 'status', class: 'ring-status' });
    const accept = h('button', { type: 'button', class: 'ok', onclick: () => this.accept(id, status) }, t('emergency.accept'));
    const decline = h('button', { type: 'button', class: 'secondary', onclick: () => this.decline(id) }, t('emergency.decline'));
    const dialog = h('div', {
      class: 'ring-dialog flash', role: 'alertdialog', 'aria-modal': 'true', tabindex: '-1',
      'aria-labelledby': titleId, 'aria-describedby': descId, dataset: { emergency: String(id) },
    },
    h('h2', { id: titleId }, t('emergency.ringTitle', { dept: code('specialty', m.department) })),
    h('div', { id: descId },
      h('p', {}, t('emergency.ringFrom', { name: m.requester ? m.requester.name : '—', tier: m.tier })), h('p', {}, who),
      m.reason ? h('p', {}, t('emergency.reasonIs', { reason: m.reason })) : null),
    status,
    h('div', { class: 'actions' }, accept, decline));
    // Tab and Shift+Tab stay inside; Escape does not dismiss (Decline does).
    dialog.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Tab') return;
      const items = [accept, decline].filter((b) => !b.disabled);
      const i = items.indexOf(document.activeElement);
      ev.preventDefault();
      items[(i + (ev.shiftKey ? items.length - 1 : 1) + items.length) % items.length].focus();
    });
    const layer = h('div', { class: 'ring-layer' }, dialog);
    document.body.append(layer);
    this.banner();
    const state = { layer, dialog, before, sound: null, accept, decline };
    this.ringing.set(id, state);
    state.sound = ringSound(dialog);
    dialog.focus();
    // The patient by number only: the record opens to the specialist with
    // the consultation, once accepted (a read now would be refused).
  }

  // The banner, and the page behind the dialogs made inert while any rings.
  banner() {
    let el = document.getElementById('ring-banner');
    const on = Boolean(document.querySelector('.ring-layer'));
    for (const sel of ['.topbar', '#main', '#skip-link']) {
      const x = document.querySelector(sel);
      if (x) x.inert = on;
    }
    if (!on) {
      if (el) el.remove();
      return;
    }
    if (!el) {
      el = h('div', { id: 'ring-banner', class: 'ring-banner flash', role: 'status' });
      document.body.prepend(el);
    }
    el.textContent = t('emergency.banner', { n: document.querySelectorAll('.ring-layer').length });
  }

  async accept(id, status) {
    const st = this.ringing.get(id);
    if (!st) return;
    st.accept.disabled = true;
    status.textContent = t('emergency.accepting');
    try {
      const e = await this.api.acceptEmergency(id);
      this.stop(id);
      this.navigate(`#/call/consultation/${e.consultation_id}`);
    } catch (err) {
      if (err.status === 409) this.stop(id, t('emergency.tooLate'));
      else { st.accept.disabled = false; status.textContent = errorText(err); }
    }
  }

  decline(id) {
    this.declined.add(id);
    this.stop(id, t('emergency.declined'));
  }

  // Stop ringing; with a message, a notice says why (until closed).
  stop(id, message) {
    const st = this.ringing.get(id);
    if (!st) return;
    this.ringing.delete(id);
    if (st.sound) st.sound.stop();
    st.layer.remove();
    this.banner();
    if (message) notice(message);
    else if (st.before && st.before.isConnected) st.before.focus();
  }
}

// A message after a ring ended, kept visible until its Close button.
function notice(message) {
  let box = document.getElementById('ring-notices');
  if (!box) {
    box = h('div', { id: 'ring-notices', class: 'ring-notices', role: 'status', 'aria-live': 'assertive' });
    document.body.prepend(box);
  }
  const close = h('button', { type: 'button', class: 'secondary', onclick: () => {
    item.remove();
    if (!box.childElementCount) box.remove();
  } }, t('emergency.close'));
  const item = h('p', { class: 'ring-notice' }, message, ' ', close);
  box.append(item);
  close.focus();
}

// The ring: two tones (880 Hz then 660 Hz, 0.25 s each) every 1.5 s,
// synthesised with Web Audio. The dialog's data-sound says whether the
// browser let it play ("on"), or not ("blocked": no user gesture yet; the
// first key or click resumes it); data-rings counts the rings scheduled.
function ringSound(dialog) {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) { dialog.dataset.sound = 'none'; return null; }
  const ac = new Ctx();
  let n = 0;
  const beep = () => {
    const at = ac.currentTime + 0.02;
    for (const [freq, start] of [[880, 0], [660, 0.3]]) {
      const osc = ac.createOscillator();
      const gain = ac.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0, at + start);
      gain.gain.linearRampToValueAtTime(0.4, at + start + 0.02);
      gain.gain.setValueAtTime(0.4, at + start + 0.23);
      gain.gain.linearRampToValueAtTime(0, at + start + 0.25);
      osc.connect(gain).connect(ac.destination);
      osc.start(at + start);
      osc.stop(at + start + 0.26);
    }
    n += 1;
    dialog.dataset.rings = String(n);
    dialog.dataset.sound = ac.state === 'running' ? 'on' : 'blocked';
  };
  const wake = () => { ac.resume().then(() => { dialog.dataset.sound = ac.state === 'running' ? 'on' : 'blocked'; }); };
  document.addEventListener('keydown', wake, true);
  document.addEventListener('pointerdown', wake, true);
  ac.resume().catch(() => {}).finally(beep);
  const timer = setInterval(beep, 1500);
  return {
    stop() {
      clearInterval(timer);
      document.removeEventListener('keydown', wake, true);
      document.removeEventListener('pointerdown', wake, true);
      ac.close();
    },
  };
}
