// SPDX-License-Identifier: Apache-2.0
// alerts-live.js - rehab alerts as they are raised, for a signed-in
// therapist or family doctor, over the page's signaling connection
// (live.js; docs/protocol.md): the server pushes `rehab-alert` to every
// connection of each account that receives the plan's alerts (a resumed
// connection gets those it missed). Each alert becomes a toast (a polite
// live region) that stays until closed: no time limit.
import { h } from './dom.js';
import { t, fmtTime } from './i18n.js';

export class AlertListener {
  constructor({ live, onAlert }) {
    this.live = live;
    this.onAlert = onAlert;
    this.seen = new Set();
    this.offs = [];
  }

  open() {
    this.offs = [
      this.live.onSession(() => { this.ready = true; }),
      this.live.onDown(() => { this.ready = false; }),
      this.live.on('rehab-alert', (m) => {
        if (m.alert && !this.seen.has(m.alert.id)) {
          this.seen.add(m.alert.id);
          this.onAlert(m.alert);
        }
      }),
    ];
    return this;
  }

  close() {
    for (const off of this.offs) off();
    this.offs = [];
    this.ready = false;
  }
}

// The toast of one alert: what happened, when, a link to the plan and a
// close button.
export function toast(alert) {
  const box = document.getElementById('toasts');
  const el = h('div', { class: 'toast', dataset: { alert: String(alert.id) } },
    h('strong', {}, t('rehab.newAlert')), ' ', t(`rehab.alert.${alert.kind}`, { value: alert.value }), ' · ', fmtTime(alert.raised_at), ' ',
    h('a', { href: `#/plans/${alert.plan_id}` }, t('plans.plan', { id: alert.plan_id })),
    h('button', { type: 'button', class: 'secondary', onclick: () => el.remove() }, t('rehab.closeToast')));
  box.append(el);
}
