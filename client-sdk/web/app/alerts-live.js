// SPDX-License-Identifier: Apache-2.0
// alerts-live.js - rehab alerts as they are raised: one signaling
// connection (telecare.v1, docs/protocol.md) for a signed-in therapist or
// family doctor, joined to no room; the server pushes `rehab-alert` to
// every connection of each account that receives the plan's alerts. Each
// alert becomes a toast (a polite live region) that stays until closed:
// no time limit. Reconnects with a growing pause after a drop.
import { h } from './dom.js';
import { t, fmtTime } from './i18n.js';

const RETRY_MS = [1000, 2000, 4000, 8000, 15000];

export class AlertListener {
  constructor({ token, onAlert }) {
    this.token = token;
    this.onAlert = onAlert;
    this.tries = 0;
    this.closed = false;
    this.seen = new Set();
  }

  open() {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`, 'telecare.v1');
    this.ws = ws;
    ws.onopen = () => { this.tries = 0; ws.send(JSON.stringify({ type: 'hello', id: '1', token: this.token })); };
    ws.onmessage = (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m.type === 'welcome') this.ready = true;
      if (m.type === 'rehab-alert' && m.alert && !this.seen.has(m.alert.id)) {
        this.seen.add(m.alert.id);
        this.onAlert(m.alert);
      }
    };
    ws.onclose = (ev) => {
      this.ready = false;
      if (this.closed || ev.code === 4401) return;
      const wait = RETRY_MS[Math.min(this.tries, RETRY_MS.length - 1)];
      this.tries += 1;
      this.timer = setTimeout(() => this.open(), wait);
    };
    return this;
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000);
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
