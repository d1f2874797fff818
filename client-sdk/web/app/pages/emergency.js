// SPDX-License-Identifier: Apache-2.0
// emergency.js - the requester's side of an emergency consultation: raise
// one (patient, department, reason; who is on call and online shown
// first), then follow it live: who is being rung and for how long (from
// the emergency-status events the bell hands over), who accepted, and into
// the call page as soon as the specialist joins the room. The ringing
// dialog on the specialists' side is bell.js.
import { h, clear, append } from '../dom.js';
import { t, code, fmtTime } from '../i18n.js';
import { field, form } from '../forms.js';
import { residentPicker } from './clinician.js';

const OPEN = ['ringing', 'accepted', 'joined'];

function hashParam(name) {
  return new URLSearchParams(location.hash.split('?')[1] || '').get(name);
}

// The hospitals' departments one may ask (tier 1 first, by name).
async function departmentOptions(ctx) {
  const items = (await ctx.api.departments()).items.filter((d) => d.tier);
  items.sort((a, b) => a.tier - b.tier || a.name.localeCompare(b.name));
  return items;
}

export async function raise(ctx) {
  ctx.setTitle(t('emergency.newTitle'));
  const rid = Number(hashParam('resident')) || 0;
  let fixed = null;
  if (rid) fixed = await ctx.api.resident(rid);
  const picker = fixed ? null : residentPicker(ctx);
  const depts = await departmentOptions(ctx);
  const dept = field({ name: 'department_id', label: t('emergency.department'), kind: 'select', required: true,
    options: [['', t('emergency.chooseDepartment')], ...depts.map((d) => [d.id, t('emergency.deptLine', { name: d.name, tier: d.tier })])],
    value: (depts.find((d) => d.code === 'cardiology') || {}).id });
  const reason = field({ name: 'reason', label: t('emergency.reason'), kind: 'textarea', required: true });
  const onCall = h('p', { role: 'status', id: 'oncall-now' });
  const showOnCall = async () => {
    const d = depts.find((x) => String(x.id) === dept.input.value);
    if (!d) { onCall.textContent = ''; return; }
    try {
      const now = await ctx.api.oncallNow(d.code);
      const online = now.tiers.flatMap((tr) => tr.on_call.filter((p) => p.online).map((p) => `${p.name} (${t('emergency.tierN', { tier: tr.tier })})`));
      onCall.textContent = online.length ? t('emergency.onlineNow', { names: online.join('、') }) : t('emergency.nobodyOnline');
    } catch (e) { onCall.textContent = ''; }
  };
  dept.input.addEventListener('change', showOnCall);
  const f = form({
    fields: [dept, reason], extra: [onCall],
    submitLabel: t('emergency.raise'),
    onSubmit: async (v) => {
      const residentId = fixed ? fixed.id : picker.value();
      if (!residentId) throw { status: 422, field: 'resident_id', message: t('consult.pickResident') };
      const e = await ctx.api.raiseEmergency({ resident_id: residentId, department_id: Number(v.department_id), reason: v.reason });
      ctx.announce(t('emergency.raised'));
      ctx.navigate(`#/emergencies/${e.id}`);
    },
  });
  f.button.classList.add('danger', 'big');
  f.el.prepend(h('h2', {}, t('consult.patient')),
    fixed ? h('p', { id: 'emergency-patient' }, `${fixed.name} · ${code('sex', fixed.sex)} · ${fixed.birth_date || ''}`) : picker.el,
    h('h2', {}, t('emergency.request')));
  ctx.main.append(h('h1', {}, t('emergency.newTitle')), f.el);
  // Open emergencies of mine (raised, or accepted) to go back to.
  try {
    const mine = (await ctx.api.emergencies()).items;
    if (mine.length) {
      ctx.main.append(h('h2', {}, t('emergency.open')), h('ul', {}, mine.map((e) => h('li', {},
        h('a', { href: `#/emergencies/${e.id}` }, t('emergency.line', { id: e.id, dept: code('specialty', e.department) })), ' · ', code('emergencyStatus', e.status)))));
    }
  } catch (e) { /* not a practitioner's list */ }
  showOnCall();
}

export async function detail(ctx, id) {
  const eid = Number(id);
  let e = await ctx.api.emergency(eid);
  ctx.setTitle(t('emergency.title', { id: eid }));
  let who = String(e.resident_id);
  try { who = (await ctx.api.resident(e.resident_id)).name; } catch (err) { /* number then */ }
  const statusEl = h('strong', { id: 'emergency-status' });
  const tierEl = h('dd', {});
  const byEl = h('dd', { id: 'emergency-by' });
  const ringList = h('ul', { id: 'emergency-ringing' });
  const remaining = h('p', { id: 'emergency-remaining', class: 'big-number' });
  const live = h('p', { role: 'status', id: 'emergency-live' });
  const actions = h('div', { class: 'actions' });
  let deadline = 0;
  const kv = (k, v) => [h('dt', {}, t(k)), v instanceof Node && v.tagName === 'DD' ? v : h('dd', {}, v)];
  const tick = () => {
    if (e.status !== 'ringing' || !deadline) { remaining.textContent = ''; return; }
    const s = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    remaining.textContent = t('emergency.remaining', { s });
    remaining.dataset.seconds = String(s);
    for (const li of ringList.querySelectorAll('[data-rung]')) {
      li.querySelector('.ago').textContent = t('emergency.ringingFor', { s: Math.max(0, Math.round((Date.now() - Number(li.dataset.rung)) / 1000)) });
    }
  };
  const draw = () => {
    statusEl.textContent = code('emergencyStatus', e.status);
    statusEl.dataset.status = e.status;
    tierEl.textContent = t('emergency.tierN', { tier: e.tier });
    byEl.textContent = e.accepted_by ? `${e.accepted_by.name || '—'} (${fmtTime(e.accepted_at)})` : '—';
    append(clear(ringList), e.status === 'ringing' ? (e.ringing || []).map((p) => h('li', { dataset: { rung: String(Date.parse(p.rung_at)), practitioner: String(p.id) } },
      h('strong', {}, p.name), ' · ', h('span', { class: 'ago' }))) : []);
    if (e.status === 'ringing' && e.ring_remaining_s !== undefined && e.ring_remaining_s !== null) deadline = Date.now() + e.ring_remaining_s * 1000;
    clear(actions);
    if (e.consultation_id && (e.status === 'accepted' || e.status === 'joined')) {
      actions.append(h('a', { class: 'button', id: 'emergency-join', href: `#/call/consultation/${e.consultation_id}` }, t('emergency.joinCall')));
    }
    if (OPEN.includes(e.status)) {
      actions.append(h('button', { type: 'button', class: 'danger', onclick: async (ev) => {
        ev.target.disabled = true;
        try { e = await ctx.api.endEmergency(eid); draw(); live.textContent = t(e.status === 'cancelled' ? 'emergency.youCancelled' : 'emergency.youEnded'); } catch (err) {
          ev.target.disabled = false; live.textContent = err.message;
        }
      } }, t(e.status === 'ringing' ? 'emergency.cancel' : 'emergency.end')));
    }
    tick();
  };
  ctx.main.append(h('h1', {}, t('emergency.title', { id: eid })),
    h('dl', { class: 'kv' },
      kv('consult.resident', h('a', { href: `#/residents/${e.resident_id}` }, who)),
      kv('emergency.department', code('specialty', e.department)),
      kv('consult.status', statusEl),
      kv('emergency.tier', tierEl),
      kv('emergency.raisedAt', fmtTime(e.raised_at)),
      kv('emergency.reason', e.reason || '—'),
      kv('emergency.acceptedByCol', byEl)),
    live,
    h('section', { 'aria-labelledby': 'ringing-h' }, h('h2', { id: 'ringing-h' }, t('emergency.ringingNow')), remaining, ringList),
    actions);
  draw();
  const timer = setInterval(tick, 1000);
  const off = ctx.bell ? ctx.bell.on((m) => {
    if (m.emergency !== eid) return;
    switch (m.type) {
      case 'emergency-status': {
        const { type, emergency, ...rest } = m;
        e = { ...e, ...rest, id: eid };
        live.textContent = t('emergency.ringingPeople', { n: (e.ringing || []).length, tier: e.tier });
        break;
      }
      case 'emergency-accepted':
        e = { ...e, status: 'accepted', accepted_by: m.by, accepted_at: new Date().toISOString(), consultation_id: m.consultation_id, room: m.room };
        live.textContent = t('emergency.acceptedBy', { name: m.by.name });
        break;
      case 'emergency-joined':
        e = { ...e, status: 'joined' };
        live.textContent = t('emergency.joined', { name: m.by.name });
        ctx.navigate(`#/call/consultation/${e.consultation_id}`);
        return;
      case 'emergency-dropped':
        live.textContent = t(m.reason === 'left' ? 'emergency.droppedLeft' : 'emergency.droppedNotJoined', { name: m.by.name });
        e = { ...e, status: 'ringing', accepted_by: null, consultation_id: null };
        break;
      case 'emergency-unanswered':
        e = { ...e, status: 'unanswered' }; live.textContent = t('emergency.unanswered'); break;
      case 'emergency-ended':
        e = { ...e, status: 'ended' }; live.textContent = t('emergency.ended'); break;
      default: return;
    }
    draw();
  }) : null;
  ctx.onLeave(() => { clearInterval(timer); if (off) off(); });
  if (e.status === 'unanswered') live.textContent = t('emergency.unanswered');
}
