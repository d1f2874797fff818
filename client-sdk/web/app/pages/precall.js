// SPDX-License-Identifier: Apache-2.0
// precall.js - before a call: camera (a live preview and its resolution),
// microphone (a level meter), speaker (a test tone and "did you hear it?"),
// network (round trips and a download to this server), each with a plain
// verdict and advice. Nothing is recorded or sent anywhere else.
import { h } from '../dom.js';
import { t } from '../i18n.js';

function verdict(el, good, text) {
  el.className = good ? 'status-good' : 'status-bad';
  el.textContent = text;
}

// Network: five round trips to /healthz and one 256 KiB-ish download of the
// app's own files; answers {rttMs (median), kbps}.
export async function measureNetwork(base = '') {
  const rtts = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await fetch(`${base}/healthz`, { cache: 'no-store' });
    rtts.push(performance.now() - t0);
  }
  rtts.sort((a, b) => a - b);
  const t0 = performance.now();
  let bytes = 0;
  for (const f of ['/vendor/dicom-parser/dicomParser.min.js', '/app/main.js', '/app.css']) {
    bytes += (await (await fetch(`${base}${f}`, { cache: 'no-store' })).arrayBuffer()).byteLength;
  }
  const s = (performance.now() - t0) / 1000;
  return { rttMs: rtts[2], kbps: Math.round((bytes * 8) / 1000 / Math.max(s, 0.001)) };
}

export async function page(ctx) {
  ctx.setTitle(t('precall.title'));
  const camState = h('p', { id: 'cam-state', role: 'status' }, t('precall.waiting'));
  const micState = h('p', { id: 'mic-state', role: 'status' }, t('precall.waiting'));
  const spkState = h('p', { id: 'spk-state', role: 'status' }, t('precall.speakerAsk'));
  const netState = h('p', { id: 'net-state', role: 'status' }, t('precall.waiting'));
  const video = h('video', { autoplay: true, muted: true, playsinline: true, 'aria-label': t('precall.preview') });
  const meter = h('meter', { id: 'mic-meter', min: '0', max: '1', value: '0', 'aria-label': t('precall.micLevel') });
  let stream = null; let audioCtx = null; let raf = 0; let peak = 0;
  ctx.onLeave(() => { cancelAnimationFrame(raf); if (stream) stream.getTracks().forEach((tr) => tr.stop()); if (audioCtx) audioCtx.close(); });
  const start = async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    } catch (e) {
      verdict(camState, false, t('precall.noAccess'));
      verdict(micState, false, t('precall.noAccess'));
      return;
    }
    video.srcObject = stream;
    video.onloadedmetadata = () => {
      const ok = video.videoWidth >= 320;
      verdict(camState, ok, t(ok ? 'precall.camGood' : 'precall.camPoor', { w: video.videoWidth, h: video.videoHeight }));
    };
    audioCtx = new AudioContext();
    const an = audioCtx.createAnalyser();
    an.fftSize = 1024;
    audioCtx.createMediaStreamSource(stream).connect(an);
    const buf = new Float32Array(an.fftSize);
    const t0 = performance.now();
    const tick = () => {
      an.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const v of buf) sum += v * v;
      const rms = Math.sqrt(sum / buf.length);
      peak = Math.max(peak, rms);
      meter.value = Math.min(1, rms * 4);
      if (performance.now() - t0 > 3000 && micState.dataset.done !== '1') {
        micState.dataset.done = '1';
        verdict(micState, peak > 0.01, t(peak > 0.01 ? 'precall.micGood' : 'precall.micSilent'));
      }
      raf = requestAnimationFrame(tick);
    };
    tick();
  };
  const tone = () => {
    const ac = audioCtx || new AudioContext();
    const o = ac.createOscillator(); const g = ac.createGain();
    g.gain.value = 0.2; o.frequency.value = 660; o.connect(g).connect(ac.destination);
    o.start(); o.stop(ac.currentTime + 1);
    spkState.textContent = t('precall.speakerPlayed');
  };
  const net = async () => {
    netState.textContent = t('precall.measuring');
    const m = await measureNetwork();
    netState.dataset.rtt = String(Math.round(m.rttMs)); netState.dataset.kbps = String(m.kbps);
    const good = m.rttMs < 300 && m.kbps > 1500;
    const fair = m.rttMs < 800 && m.kbps > 500;
    verdict(netState, fair, t(good ? 'precall.netGood' : fair ? 'precall.netFair' : 'precall.netPoor', { rtt: Math.round(m.rttMs), kbps: m.kbps }));
  };
  ctx.main.append(h('h1', {}, t('precall.title')), h('p', {}, t('precall.intro')),
    h('ol', { class: 'check-list cards' },
      h('li', { class: 'card' }, h('h2', {}, t('precall.camera')), video, camState),
      h('li', { class: 'card' }, h('h2', {}, t('precall.microphone')), h('p', {}, t('precall.micSay')), meter, micState),
      h('li', { class: 'card' }, h('h2', {}, t('precall.speaker')),
        h('button', { type: 'button', id: 'tone', onclick: tone }, t('precall.playTone')), spkState,
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'secondary', onclick: () => verdict(spkState, true, t('precall.speakerGood')) }, t('precall.heard')),
          h('button', { type: 'button', class: 'secondary', onclick: () => verdict(spkState, false, t('precall.speakerBad')) }, t('precall.notHeard')))),
      h('li', { class: 'card' }, h('h2', {}, t('precall.network')), netState,
        h('button', { type: 'button', class: 'secondary', onclick: net }, t('precall.again')))));
  start();
  net();
}
