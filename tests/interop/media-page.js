// SPDX-License-Identifier: Apache-2.0
// media-page.js - the script of media-page.html (a module: the server's
// Content-Security-Policy allows no inline script).
import { login, Call } from '/js/telecare.js';

window.start = async (user, password, room, { host = false, ignoreProfile = false } = {}) => {
  const token = await login(user, password);
  const call = new Call({ token, room });
  window.call = call;
  // The room's media profile as the SDK saw it (media-profile.mjs);
  // ignoreProfile: a publisher that does not cap itself (the server's
  // REMB is then all that holds it down).
  window.profiles = [];
  window.audioOnly = [];
  call.on('media-profile', (p) => window.profiles.push(p));
  call.on('audio-only', (e) => window.audioOnly.push(e));
  if (ignoreProfile) call.applyProfile = async () => {};
  window.mediaErrors = [];
  window.firstFrameAt = {};
  window.dataReceived = [];
  call.on('data', (d) => window.dataReceived.push(d));
  // When the server announced each of our tracks up (its first packet
  // reached the server), for the recordings' durations.
  window.trackUpAt = {};
  call.on('track', (e) => {
    if (e.up && e.peer === call.peer && !window.trackUpAt[e.track]) {
      window.trackUpAt[e.track] = performance.now();
    }
  });
  call.on('media-error', (e) => window.mediaErrors.push(e.message));
  call.on('stream', ({ peer, stream }) => {
    let v = document.getElementById(`v-${peer}`);
    if (!v) {
      v = document.createElement('video');
      v.id = `v-${peer}`;
      v.autoplay = true;
      v.playsInline = true;
      document.getElementById('videos').append(v);
    }
    v.srcObject = stream;
    // The first video frame painted, for the late-joiner check.
    if (!window.firstFrameAt[peer]) {
      v.requestVideoFrameCallback(() => { window.firstFrameAt[peer] = performance.now(); });
    }
  });
  if (host) call.on('waiting', (m) => call.admit(m.peer.peer));
  await call.join();
  window.joinedAt = performance.now();
  await call.publish();
  return call.peer;
};
