// SPDX-License-Identifier: Apache-2.0
// api.js - the telecare HTTP API (/api/v1, docs/api.md) for browsers: an ES
// module with no dependencies.
//
// One Api object per signed-in session. Every call answers the decoded
// JSON (or null for 204) or throws an ApiError:
//   status   the HTTP status (0: the server could not be reached)
//   message  the server's text (it names the field and the rule)
//   field    the field the server blamed, when it named one
//   retryAfter  seconds, from Retry-After (423, 429)
//
// Reads (GET) that fail to reach the server are retried by themselves with
// a growing pause (1 s, 2 s, 4 s ... up to 15 s) until they get through;
// meanwhile onConnection('reconnecting') is called, and
// onConnection('online') once one gets through again. Writes are never
// retried by the client (a retried POST could act twice): they throw with
// status 0 and the page keeps what the user typed; the client then probes
// /healthz until the server answers. A 401 on a signed-in
// call calls onUnauthorized() (the token expired or was revoked).

export class ApiError extends Error {
  constructor(status, message, field = null, retryAfter = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.field = field;
    this.retryAfter = retryAfter;
  }
}

const MAX_BACKOFF_MS = 15000;

// Lower-case hex SHA-256 of bytes (Web Crypto: a secure context, which
// https and http://127.0.0.1 are).
export async function sha256Hex(bytes) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export class Api {
  // base: the server's origin ('' for the page's own); token: a bearer
  // token from login(), or null.
  constructor({ base = '', token = null, onUnauthorized = null,
    onConnection = null } = {}) {
    this.base = base;
    this.token = token;
    this.onUnauthorized = onUnauthorized;
    this.onConnection = onConnection;
    this.offline = false;
  }

  // While offline, /healthz is probed every 2 s, so the page learns that
  // the server is back even when nothing else is asking.
  setConnection(offline) {
    if (offline === this.offline) return;
    this.offline = offline;
    if (this.onConnection) this.onConnection(offline ? 'reconnecting' : 'online');
    if (offline && typeof setTimeout === 'function') {
      const probe = async () => {
        if (!this.offline) return;
        try {
          await fetch(`${this.base}/healthz`, { cache: 'no-store' });
          this.setConnection(false);
        } catch (e) {
          setTimeout(probe, 2000);
        }
      };
      setTimeout(probe, 2000);
    }
  }

  async request(method, path, body, { headers = {}, retry = method === 'GET' } = {}) {
    const init = { method, headers: { Accept: 'application/json', ...headers } };
    if (this.token) init.headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let wait = 1000;
    for (;;) {
      let resp;
      try {
        resp = await fetch(this.base + path, init);
      } catch (e) {
        this.setConnection(true);
        if (!retry) throw new ApiError(0, 'network unreachable');
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, MAX_BACKOFF_MS);
        continue;
      }
      this.setConnection(false);
      return this.answer(resp);
    }
  }

  async answer(resp) {
    if (resp.status === 204) return null;
    let doc = null;
    const type = resp.headers.get('content-type') || '';
    if (type.includes('json')) {
      try { doc = await resp.json(); } catch (e) { doc = null; }
    }
    if (resp.ok) return doc;
    const err = (doc && doc.error) || {};
    const ra = resp.headers.get('retry-after');
    const e = new ApiError(resp.status, err.message || resp.statusText,
      err.field || null, ra ? Number(ra) : null);
    if (resp.status === 401 && this.token && this.onUnauthorized) {
      this.onUnauthorized(e);
    }
    throw e;
  }

  get(path, params) { return this.request('GET', `/api/v1${path}${query(params)}`); }
  post(path, body = {}) { return this.request('POST', `/api/v1${path}`, body); }
  patch(path, body) { return this.request('PATCH', `/api/v1${path}`, body); }
  del(path) { return this.request('DELETE', `/api/v1${path}`); }

  // ---- sign-in ----
  // Answers {token, token_type, expires_at, user}; keeps the token. A 401
  // with field 'totp' means: ask for the code and call again with it.
  async login(username, password, totp) {
    const body = { username, password };
    if (totp) body.totp = totp;
    const doc = await this.request('POST', '/api/v1/login', body);
    this.token = doc.token;
    return doc;
  }
  async logout() {
    try { await this.post('/logout'); } finally { this.token = null; }
  }
  me() { return this.get('/me'); }
  health() { return this.request('GET', '/healthz'); }

  // ---- directory ----
  organizations(partOf) { return this.get('/organizations', { part_of: partOf }); }
  organization(id) { return this.get(`/organizations/${id}`); }
  orgPractitioners(id, role) { return this.get(`/organizations/${id}/practitioners`, { role }); }
  orgTeams(id) { return this.get(`/organizations/${id}/teams`); }
  practitioner(id) { return this.get(`/practitioners/${id}`); }
  team(id) { return this.get(`/teams/${id}`); }

  // ---- residents ----
  residents(params) { return this.get('/residents', params); }
  resident(id) { return this.get(`/residents/${id}`); }
  carers(id) { return this.get(`/residents/${id}/carers`); }
  timeline(id, params) { return this.get(`/residents/${id}/timeline`, params); }

  // ---- contracts and follow-ups ----
  contracts(residentId) { return this.get(`/residents/${residentId}/contracts`); }
  contract(id) { return this.get(`/contracts/${id}`); }
  offerContract(body) { return this.post('/contracts', body); }
  signContract(id, method) { return this.post(`/contracts/${id}/sign`, { method }); }
  renewContract(id, body) { return this.post(`/contracts/${id}/renew`, body); }
  terminateContract(id, reason) { return this.post(`/contracts/${id}/terminate`, { reason }); }
  withdrawContract(id, reason) {
    return this.post(`/contracts/${id}/withdraw`, reason ? { reason } : {});
  }
  followups(contractId) { return this.get(`/contracts/${contractId}/followups`); }
  recordFollowup(id, status, note) {
    const body = { status };
    if (note) body.note = note;
    return this.post(`/followups/${id}/record`, body);
  }
  panel(teamId, params) { return this.get(`/teams/${teamId}/panel`, params); }

  // ---- statistics ----
  teamStats(teamId, params) { return this.get(`/stats/teams/${teamId}`, params); }
  townshipStats(params) { return this.get('/stats/townships', params); }

  // ---- consultations ----
  consultations(params) { return this.get('/consultations', params); }
  consultation(id) { return this.get(`/consultations/${id}`); }
  requestConsultation(body) { return this.post('/consultations', body); }
  consultationStep(id, step, body = {}) { return this.post(`/consultations/${id}/${step}`, body); }
  opinionVersions(id) { return this.get(`/consultations/${id}/opinion/versions`); }
  attachEcg(id, ecgStudyId) {
    return this.post(`/consultations/${id}/ecg-studies`, { ecg_study_id: ecgStudyId });
  }
  attachImaging(id, imagingStudyId) {
    return this.post(`/consultations/${id}/imaging-studies`, { imaging_study_id: imagingStudyId });
  }

  // ---- ECG ----
  ecgWorklist() { return this.get('/worklists/ecg'); }
  ecgStudy(id) { return this.get(`/ecg-studies/${id}`); }
  signEcgReport(id, body) { return this.post(`/ecg-studies/${id}/report`, body); }
  amendEcgReport(id, body) { return this.post(`/ecg-studies/${id}/report/amend`, body); }
  ecgReportVersions(id) { return this.get(`/ecg-studies/${id}/report/versions`); }
  // The stored samples as a FHIR R4 Observation (valueSampledData per
  // lead); startMs 0 and durationMs 10000 (at most 60000) by default.
  ecgWaveform(id, { startMs, durationMs } = {}) {
    return this.get(`/ecg-studies/${id}/waveform`, { start_ms: startMs, duration_ms: durationMs });
  }

  // ---- imaging ----
  imagingWorklist() { return this.get('/worklists/imaging'); }
  imagingStudy(id) { return this.get(`/imaging-studies/${id}`); }
  signImagingReport(id, body) { return this.post(`/imaging-studies/${id}/report`, body); }
  amendImagingReport(id, body) { return this.post(`/imaging-studies/${id}/report/amend`, body); }
  imagingReportVersions(id) { return this.get(`/imaging-studies/${id}/report/versions`); }

  // ---- rehabilitation ----
  rehabPlans(residentId) { return this.get(`/residents/${residentId}/rehab-plans`); }
  rehabPlan(id) { return this.get(`/rehab-plans/${id}`); }
  rehabSessions(planId) { return this.get(`/rehab-plans/${planId}/sessions`); }
  rehabAdherence(planId, params) { return this.get(`/rehab-plans/${planId}/adherence`, params); }
  startSession(id, body = {}) { return this.post(`/rehab-sessions/${id}/start`, body); }
  finishSession(id, body) { return this.post(`/rehab-sessions/${id}/finish`, body); }
  rehabSession(id) { return this.get(`/rehab-sessions/${id}`); }
  createRehabPlan(residentId, body) { return this.post(`/residents/${residentId}/rehab-plans`, body); }
  rehabPlanStep(id, step, body = {}) { return this.post(`/rehab-plans/${id}/${step}`, body); }
  addRehabExercise(planId, body) { return this.post(`/rehab-plans/${planId}/exercises`, body); }
  addRehabGoal(planId, body) { return this.post(`/rehab-plans/${planId}/goals`, body); }
  // the exercise library
  rehabLibrary() { return this.get('/rehab-library'); }
  rehabExercise(id) { return this.get(`/rehab-library/${id}`); }
  addLibraryExercise(body) { return this.post('/rehab-library', body); }
  libraryVideoUpload(id, size, sha256) { return this.post(`/rehab-library/${id}/video`, { size, sha256 }); }
  // the weekly schedule and the sessions it generates
  rehabSchedule(planId) { return this.get(`/rehab-plans/${planId}/schedule`); }
  setRehabSchedule(planId, body) { return this.request('PUT', `/api/v1/rehab-plans/${planId}/schedule`, body); }
  generateSessions(planId, body = {}) { return this.post(`/rehab-plans/${planId}/schedule/generate`, body); }
  // live sessions
  rehabAttendance(id) { return this.get(`/rehab-sessions/${id}/attendance`); }
  markSetDone(id, exerciseId, set) { return this.post(`/rehab-sessions/${id}/sets`, { exercise_id: exerciseId, set }); }
  // recording consent, recordings, reviews
  giveRecordingConsent(planId) { return this.post(`/rehab-plans/${planId}/recording-consent`); }
  withdrawRecordingConsent(planId) { return this.del(`/rehab-plans/${planId}/recording-consent`); }
  recordingUpload(sessionId, size, sha256) { return this.post(`/rehab-sessions/${sessionId}/recording`, { size, sha256 }); }
  rehabUpload(id) { return this.get(`/rehab-uploads/${id}`); }
  recordingTicket(sessionId) { return this.post(`/rehab-sessions/${sessionId}/recording/ticket`); }
  rehabReviews() { return this.get('/rehab-reviews'); }
  reviewSession(id, score) { return this.post(`/rehab-sessions/${id}/review`, { score }); }
  noteSession(id, text) { return this.post(`/rehab-sessions/${id}/note`, { text }); }
  // outcomes and alerts
  rehabOutcomes(planId) { return this.get(`/rehab-plans/${planId}/outcomes`); }
  planAlerts(planId) { return this.get(`/rehab-plans/${planId}/alerts`); }
  rehabAlerts(open) { return this.get('/rehab-alerts', open ? { open: 'true' } : {}); }
  acknowledgeAlert(id) { return this.post(`/rehab-alerts/${id}/acknowledge`); }

  // One chunk of an upload: PUT /rehab-uploads/{id} at `offset` with the
  // chunk's SHA-256. Answers the upload; throws ApiError (status 0 when the
  // connection dropped).
  async putChunk(id, offset, bytes, sha256) {
    const headers = { 'Content-Type': 'application/octet-stream', 'Upload-Offset': String(offset),
      'X-Chunk-SHA256': sha256 };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let resp;
    try {
      resp = await fetch(`${this.base}/api/v1/rehab-uploads/${id}`, { method: 'PUT', headers, body: bytes });
    } catch (e) {
      this.setConnection(true);
      throw new ApiError(0, 'network unreachable');
    }
    this.setConnection(false);
    return this.answer(resp);
  }

  // Send a whole Blob to an upload made by create(size, sha256) (the
  // recording or a library video) in chunks of `chunk` bytes. A dropped
  // connection or a refused offset does not start over: the client asks
  // the server how much it has (GET /rehab-uploads/{id}) and goes on from
  // there, pausing 1 s, 2 s ... 15 s between attempts, for as long as it
  // takes (no time limit; `signal` aborts). A chunk the server found
  // corrupted (422 x-chunk-sha256) is sent again. onProgress(offset, size).
  async uploadResumable(blob, create, { chunk = 256 * 1024, onProgress = null, signal = null } = {}) {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const sha = await sha256Hex(bytes);
    let up = await create(bytes.length, sha);
    let offset = up.offset || 0;
    let wait = 1000;
    while (up.status !== 'complete') {
      if (signal && signal.aborted) throw new ApiError(0, 'aborted');
      const part = bytes.subarray(offset, Math.min(offset + chunk, bytes.length));
      try {
        up = await this.putChunk(up.id, offset, part, await sha256Hex(part));
        offset = up.offset;
        wait = 1000;
        if (onProgress) onProgress(offset, bytes.length);
      } catch (e) {
        if (e.status !== 0 && e.status !== 409 && !(e.status === 422 && e.field === 'x-chunk-sha256')) throw e;
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, MAX_BACKOFF_MS);
        up = await this.rehabUpload(up.id); // where the server is: resume there
        if (up.status === 'rejected') throw new ApiError(422, up.status_reason || 'rejected', 'file');
        offset = up.offset;
      }
    }
    return up;
  }

  // ---- tiered care: departments, referrals, on-call rota, emergencies ----
  departments(params) { return this.get('/departments', params); }
  department(id) { return this.get(`/departments/${id}`); }
  referrals(params) { return this.get('/referrals', params); }
  referral(id) { return this.get(`/referrals/${id}`); }
  createReferral(body) { return this.post('/referrals', body); }
  acceptReferral(id, body = {}) { return this.post(`/referrals/${id}/accept`, body); }
  declineReferral(id, reason) { return this.post(`/referrals/${id}/decline`, { reason }); }
  cancelReferral(id) { return this.post(`/referrals/${id}/cancel`); }
  referralStats(params) { return this.get('/stats/referrals', params); }
  oncall(departmentId, params) { return this.get(`/departments/${departmentId}/oncall`, params); }
  addShift(departmentId, body) { return this.post(`/departments/${departmentId}/oncall`, body); }
  removeShift(departmentId, shiftId) { return this.del(`/departments/${departmentId}/oncall/${shiftId}`); }
  oncallNow(codeName) { return this.get('/oncall/now', { code: codeName }); }
  emergencies() { return this.get('/emergencies'); }
  emergency(id) { return this.get(`/emergencies/${id}`); }
  raiseEmergency(body) { return this.post('/emergencies', body); }
  acceptEmergency(id) { return this.post(`/emergencies/${id}/accept`); }
  endEmergency(id) { return this.post(`/emergencies/${id}/end`); }
  emergencyStats(params) { return this.get('/stats/emergencies', params); }

  // ---- FHIR search (for lists /api/v1 has no endpoint for) ----
  async fhirSearch(type, params) {
    const doc = await this.request('GET', `/fhir/${type}${query(params)}`, undefined,
      { headers: { Accept: 'application/fhir+json' } });
    return (doc.entry || []).map((e) => e.resource);
  }
}
