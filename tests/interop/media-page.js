// SPDX-License-Identifier: Apache-2.0
// media-page.js - the script of media-page.html (a module: the server's
// Content-Security-Policy allows no inline script).
import { login, Call } from '/js/telecare.js';

/* A camera and microphone that need no getUserMedia (so no media
 * permission, which makes chromium hide its addresses behind mDNS names):
 * a moving canvas and a tone. */
function syntheticStream() {
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 480;
  const g = canvas.getContext('2d');
  let x = 0;
  setInterval(() => {
    g.fillStyle = '#246';
    g.fillRect(0, 0, 640, 480);
    g.fillStyle = '#fc0';
    g.fillRect(x, 200, 80, 80);
    x = (x + 8) % 560;
  }, 33);
  const stream = canvas.captureStream(30);
  const audio = new AudioContext();
  const tone = audio.createOscillator();
  const out = audio.createMediaStreamDestination();
  tone.connect(out);
  tone.start();
  stream.addTrack(out.stream.getAudioTracks()[0]);
  return stream;
}

/* Record every remote offer (the server's feed offers: the page never
 * receives any other) and refuse the first `refuse` of them. */
function watchFeedOffers(refuse) {
  window.feedOffers = window.feedOffers || [];
  window.refuseFeedOffers = refuse;
  if (window.feedOffersWatched) return;
  window.feedOffersWatched = true;
  const apply = RTCPeerConnection.prototype.setRemoteDescription;
  RTCPeerConnection.prototype.setRemoteDescription = async function (desc) {
    if (desc?.type !== 'offer') return apply.call(this, desc);
    const seen = { sdp: desc.sdp, ok: false, error: null };
    window.feedOffers.push(seen);
    try {
      if (window.refuseFeedOffers > 0) {
        window.refuseFeedOffers -= 1;
        throw new Error('refused on purpose by the test page');
      }
      await apply.call(this, desc);
      seen.ok = true;
    } catch (e) {
      seen.error = e.message;
      throw e;
    }
  };
}

/*
 * opts: host (admits the waiting), codec (preferred video codec, 'H264'),
 * iceServers and iceTransportPolicy (for the RTCPeerConnections),
 * synthetic (publish syntheticStream(), not the fake camera),
 * publish (false: join only), ignoreProfile (a publisher that does not
 * cap itself: the server's REMB is then all that holds it down),
 * refuseFeedOffers (this many of the server's feed offers fail to apply
 * on purpose, as a browser that refuses them would: media-feed.mjs).
 * window.feedOffers: every feed offer the page tried to apply, with
 * whether the browser took it.
 */
window.start = async (user, password, room, {
  host = false, codec, iceServers = [], iceTransportPolicy, synthetic = false, publish = true,
  ignoreProfile = false, refuseFeedOffers = 0,
} = {}) => {
  watchFeedOffers(refuseFeedOffers);
  const token = await login(user, password);
  const call = new Call({ token, room, iceServers, iceTransportPolicy });
  window.call = call;
  window.localCandidates = [];
  call.on('local-candidate', (c) => window.localCandidates.push(c));
  // The server's candidates, as its media endpoint trickles them.
  window.remoteCandidates = [];
  call.sig.on('candidate', (m) => {
    if (m.from === 'media' && m.candidate) window.remoteCandidates.push({ feed: m.feed || null, candidate: m.candidate });
  });
  window.iceRestarts = [];
  call.on('ice-restart', (e) => window.iceRestarts.push(e));
  // The room's media profile as the SDK saw it (media-profile.mjs).
  window.profiles = [];
  window.audioOnly = [];
  call.on('media-profile', (p) => window.profiles.push(p));
  call.on('audio-only', (e) => window.audioOnly.push(e));
  // A publisher that never caps its own video (an older page, another
  // client): the SDK still follows and reports the room's profile
  // (media-profile events) but sets no maxBitrate, scale or frame rate.
  if (ignoreProfile) call.bandwidthCap = () => null;
  window.mediaErrors = [];
  window.firstFrameAt = {};
  // When each feed's own connection (ours to the server, for that
  // publisher) came up: from there on the first frame is the server's
  // keyframe requests and forwarding.
  window.feedConnectedAt = {};
  call.on('state', (e) => {
    if (e.feed && !e.server && e.state === 'connected' && !window.feedConnectedAt[e.feed]) {
      window.feedConnectedAt[e.feed] = performance.now();
    }
  });
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
  window.feedErrors = [];
  call.on('media-error', (e) => { if (e.feed) window.feedErrors.push({ feed: e.feed, message: e.message, refused: Boolean(e.refused) }); });
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
  if (publish) await call.publish({ codec, stream: synthetic ? syntheticStream() : undefined });
  return call.peer;
};
