// SPDX-License-Identifier: Apache-2.0
// ecg.js - the two ways a browser gets ECG samples (docs/ecg-rtp.md,
// docs/api.md "Remote ECG"), turned into what the web app's viewer draws:
// {sampleRateHz, leads: [{name, mv: Float32Array}]}. No dependencies.
//
//   fromObservation(obs)   a stored waveform: the FHIR R4 Observation of
//                          GET /ecg-studies/{id}/waveform, one component
//                          per lead with valueSampledData; mV = data x
//                          factor + origin, period in ms per sample, "E"
//                          (an invalid sample) becomes NaN (a gap).
//   decodeFrame(buf)       one binary WebSocket frame of a live stream
//                          (section 5): {study, first, n, frames, samples:
//                          Int16Array} or null when it is not one.
//   frameToChunk(f, desc)  that frame in mV with the stream's description
//                          (the ecg-subscribe answer): mV = (x - baseline)
//                          / gain, -32768 (no valid sample) becomes NaN.

export const ECG_INVALID = -32768;

export function fromObservation(obs) {
  const comps = (obs && obs.component) || [];
  let period = null;
  const leads = [];
  for (const c of comps) {
    const sd = c.valueSampledData;
    if (!sd || typeof sd.data !== 'string') continue;
    const name = (c.code && (c.code.text || (c.code.coding && c.code.coding[0] && c.code.coding[0].display))) || `#${leads.length + 1}`;
    const factor = Number(sd.factor ?? 1);
    const origin = Number((sd.origin && sd.origin.value) ?? 0);
    if (period === null) period = Number(sd.period);
    const parts = sd.data.trim() ? sd.data.trim().split(/\s+/) : [];
    const mv = new Float32Array(parts.length);
    for (let i = 0; i < parts.length; i++) mv[i] = parts[i] === 'E' ? NaN : Number(parts[i]) * factor + origin;
    leads.push({ name, mv });
  }
  if (!leads.length || !(period > 0)) return null;
  return { sampleRateHz: 1000 / period, leads };
}

export function decodeFrame(buf) {
  if (!(buf instanceof ArrayBuffer) || buf.byteLength < 20) return null;
  const v = new DataView(buf);
  if (v.getUint8(0) !== 1 || v.getUint8(1) !== 1) return null;
  const n = v.getUint16(2);
  const study = v.getUint32(4);
  const first = Number(v.getBigUint64(8));
  const frames = v.getUint32(16);
  if (n === 0 || buf.byteLength !== 20 + 2 * n * frames) return null;
  const samples = new Int16Array(n * frames);
  for (let i = 0; i < samples.length; i++) samples[i] = v.getInt16(20 + 2 * i);
  return { study, first, n, frames, samples };
}

export function frameToChunk(f, desc) {
  const names = desc.leads;
  const leads = names.map((name, l) => {
    const gain = Number(desc.gains[l]) || 200;
    const base = Number((desc.baselines && desc.baselines[l]) || 0);
    const mv = new Float32Array(f.frames);
    for (let k = 0; k < f.frames; k++) {
      const x = f.samples[k * f.n + l];
      mv[k] = x === ECG_INVALID ? NaN : (x - base) / gain;
    }
    return { name, mv };
  });
  return { sampleRateHz: desc.sample_rate_hz, first: f.first, leads };
}
