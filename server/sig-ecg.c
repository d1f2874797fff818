// SPDX-License-Identifier: Apache-2.0
/*
 * sig-ecg.c - the remote-ECG messages of telecare.v1 (docs/ecg-rtp.md):
 *
 *   ecg-announce     a device (signed in as a practitioner, the resident
 *                    or their carer) describes a stream for a patient:
 *                    checked against the access policy and the device's
 *                    assignments, then an ECG study is created (LIVE) and
 *                    the answer hands out the stream's SSRC, sequence and
 *                    timestamp origin, the relay's UDP port and a fresh
 *                    SRTP master key for the device-to-server direction.
 *   ecg-stop         the announcer ends it: archive finished, study
 *                    awaiting reading.
 *   ecg-subscribe    a reader (or anyone the policy lets read the study)
 *                    receives it: over SRTP at the connection's address and
 *                    the given UDP port with its own fresh key, or as
 *                    binary WebSocket frames on this connection.
 *   ecg-unsubscribe  stops that.
 *
 * Keys travel only inside the authenticated signaling connection, one per
 * stream and direction (each subscriber its own). Every decision is
 * audited; refusals name the rule, never patient data.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "signaling"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>
#include <sodium.h>

#include "ecg-int.h"
#include "tc-records.h"

#define ECG "ecg_study"

/* ---- parsing (pure) ---- */

static enum tc_srv__sig_err
int_member(json_t *doc, const char *name, bool required, int64_t lo,
           int64_t hi, int64_t *out, struct tc_srv__sig_error *err)
{
    json_t *v = json_object_get(doc, name);

    if (!v || json_is_null(v)) {
        return required ? tc_srv__sig_fail(err, TC_SRV__SIG_MISSING_FIELD,
                                           "%s: missing", name)
                        : TC_SRV__SIG_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo ||
        json_integer_value(v) > hi) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "%s: must be an integer in %" G_GINT64_FORMAT
                                "..%" G_GINT64_FORMAT,
                                name, lo, hi);
    }
    *out = json_integer_value(v);
    return TC_SRV__SIG_OK;
}

/* An array of n_leads numbers (integers when `ints`) in lo..hi. */
static enum tc_srv__sig_err
per_lead(json_t *doc, const char *name, bool required, unsigned n_leads,
         bool ints, double lo, double hi, double *out,
         struct tc_srv__sig_error *err)
{
    json_t *v = json_object_get(doc, name), *x;
    size_t i;

    if (!v || json_is_null(v)) {
        return required ? tc_srv__sig_fail(err, TC_SRV__SIG_MISSING_FIELD,
                                           "%s: missing", name)
                        : TC_SRV__SIG_OK;
    }
    if (!json_is_array(v) || json_array_size(v) != n_leads) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "%s: must be an array of one value per lead",
                                name);
    }
    json_array_foreach(v, i, x)
    {
        double d = json_number_value(x);
        if ((ints ? !json_is_integer(x) : !json_is_number(x)) || d < lo ||
            d > hi) {
            return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                    "%s[%zu]: must be %s in %g..%g", name, i,
                                    ints ? "an integer" : "a number", lo, hi);
        }
        out[i] = d;
    }
    return TC_SRV__SIG_OK;
}

static enum tc_srv__sig_err
leads_member(json_t *doc, struct tc_srv__ecg_desc *d,
             struct tc_srv__sig_error *err)
{
    json_t *v = json_object_get(doc, "leads"), *x;
    size_t i;

    if (!v) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_MISSING_FIELD,
                                "leads: missing");
    }
    if (!json_is_array(v) || json_array_size(v) < 1 ||
        json_array_size(v) > TC_MEDIA_ECG_MAX_LEADS) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "leads: must be an array of 1..%d lead names",
                                TC_MEDIA_ECG_MAX_LEADS);
    }
    d->n_leads = (unsigned)json_array_size(v);
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x) ||
            tc_rec_ecg_lead_normalize(json_string_value(x), d->leads[i],
                                      sizeof(d->leads[i])) < 0) {
            return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                    "leads[%zu]: not a known lead name", i);
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(d->leads[j], d->leads[i]) == 0) {
                return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                        "leads[%zu]: the same lead twice", i);
            }
        }
    }
    return TC_SRV__SIG_OK;
}

static enum tc_srv__sig_err
desc_members(json_t *doc, struct tc_srv__ecg_desc *d,
             struct tc_srv__sig_error *err)
{
    double vals[TC_MEDIA_ECG_MAX_LEADS];
    int64_t rate = 0, fpp = 0, bits = 16;
    enum tc_srv__sig_err rc;

    rc = leads_member(doc, d, err);
    if (rc == TC_SRV__SIG_OK) {
        rc = int_member(doc, "sample_rate_hz", true, 50, 20000, &rate, err);
    }
    if (rc == TC_SRV__SIG_OK) {
        fpp = (rate * 20 + 999) / 1000; /* 20 ms, rounded up */
        rc = int_member(doc, "frames_per_packet", false, 1, 20000, &fpp, err);
    }
    if (rc == TC_SRV__SIG_OK &&
        (uint64_t)fpp * d->n_leads * 2 > TC_MEDIA_ECG_MAX_PAYLOAD) {
        rc = tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                              "frames_per_packet: a packet would carry over "
                              "%d bytes of samples",
                              TC_MEDIA_ECG_MAX_PAYLOAD);
    }
    if (rc == TC_SRV__SIG_OK) {
        rc = per_lead(doc, "gains", true, d->n_leads, false, 1e-3, 1e7, vals,
                      err);
        for (unsigned i = 0; rc == TC_SRV__SIG_OK && i < d->n_leads; i++) {
            d->gains[i] = vals[i];
        }
    }
    if (rc == TC_SRV__SIG_OK) {
        memset(vals, 0, sizeof(vals));
        rc = per_lead(doc, "baselines", false, d->n_leads, true, -32768, 32767,
                      vals, err);
        for (unsigned i = 0; rc == TC_SRV__SIG_OK && i < d->n_leads; i++) {
            d->baselines[i] = (int)vals[i];
        }
    }
    if (rc == TC_SRV__SIG_OK) {
        memset(vals, 0, sizeof(vals));
        rc = per_lead(doc, "adc_zeros", false, d->n_leads, true, -32768, 32767,
                      vals, err);
        for (unsigned i = 0; rc == TC_SRV__SIG_OK && i < d->n_leads; i++) {
            d->adc_zeros[i] = (int)vals[i];
        }
    }
    if (rc == TC_SRV__SIG_OK) {
        rc = int_member(doc, "adc_resolution_bits", false, 8, 16, &bits, err);
    }
    d->sample_rate_hz = (unsigned)rate;
    d->frames_per_packet = (unsigned)fpp;
    d->adc_resolution = (unsigned)bits;
    return rc;
}

enum tc_srv__sig_err
tc_srv__ecg_announce_parse(json_t *doc, struct tc_srv__ecg_announce *out,
                           struct tc_srv__sig_error *err)
{
    struct tc_srv__ecg_announce a = {.profile =
                                         TC_MEDIA_SRTP_AEAD_AES_128_GCM};
    json_t *v;
    const char *s;
    enum tc_srv__sig_err rc;

    rc = int_member(doc, "patient", true, 1, INT64_MAX, &a.patient, err);
    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    v = json_object_get(doc, "device");
    s = json_is_string(v) ? json_string_value(v) : NULL;
    if (!v) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_MISSING_FIELD,
                                "device: missing");
    }
    if (!s || json_string_length(v) < 1 ||
        json_string_length(v) > TC_SRV__ECG_DEVICE_MAX ||
        strlen(s) != json_string_length(v)) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "device: must be a string of 1..%d bytes",
                                TC_SRV__ECG_DEVICE_MAX);
    }
    g_strlcpy(a.device, s, sizeof(a.device));
    rc = desc_members(doc, &a.desc, err);
    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    v = json_object_get(doc, "profile");
    if (v &&
        (!json_is_string(v) || tc_media_srtp_profile_from_name(
                                   json_string_value(v), &a.profile) < 0)) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "profile: must be AES_CM_128_HMAC_SHA1_80 or "
                                "AEAD_AES_128_GCM");
    }
    v = json_object_get(doc, "urgent");
    if (v && !json_is_boolean(v)) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "urgent: must be true or false");
    }
    a.urgent = json_is_true(v);
    rc = int_member(doc, "consultation", false, 1, INT64_MAX, &a.consultation,
                    err);
    if (rc == TC_SRV__SIG_OK) {
        rc = int_member(doc, "reader", false, 1, INT64_MAX, &a.reader, err);
    }
    if (rc == TC_SRV__SIG_OK) {
        *out = a;
    }
    return rc;
}

enum tc_srv__sig_err
tc_srv__ecg_stream_parse(json_t *doc, int64_t *study_id,
                         struct tc_srv__sig_error *err)
{
    json_t *v = json_object_get(doc, "stream");
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    char *end;
    gint64 id;

    if (!v) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_MISSING_FIELD,
                                "stream: missing");
    }
    if (!s || strncmp(s, "ecg:", 4) != 0 || !g_ascii_isdigit(s[4])) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "stream: must be ecg:<study id>");
    }
    id = g_ascii_strtoll(s + 4, &end, 10);
    if (*end || id <= 0 || id > G_MAXINT32) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "stream: must be ecg:<study id>");
    }
    *study_id = id;
    return TC_SRV__SIG_OK;
}

json_t *
tc_srv__ecg_desc_json(const struct tc_srv__ecg_desc *d)
{
    json_t *leads = json_array(), *gains = json_array(), *bases = json_array(),
           *zeros = json_array();

    for (unsigned i = 0; i < d->n_leads; i++) {
        json_array_append_new(leads, json_string(d->leads[i]));
        json_array_append_new(gains, json_real(d->gains[i]));
        json_array_append_new(bases, json_integer(d->baselines[i]));
        json_array_append_new(zeros, json_integer(d->adc_zeros[i]));
    }
    return json_pack("{s:o,s:i,s:i,s:o,s:o,s:o,s:i}", "leads", leads,
                     "sample_rate_hz", (int)d->sample_rate_hz,
                     "frames_per_packet", (int)d->frames_per_packet, "gains",
                     gains, "baselines", bases, "adc_zeros", zeros,
                     "adc_resolution_bits", (int)d->adc_resolution);
}

/* ---- handlers ---- */

static json_t *
ok_doc(const struct tc_srv__sig_msg *msg, const char *stream)
{
    json_t *doc = json_pack("{s:s,s:s}", "type", "ok", "stream", stream);

    if (msg->id[0]) {
        json_object_set_new(doc, "id", json_string(msg->id));
    }
    return doc;
}

static void
stream_name(int64_t study_id, char *out, size_t len)
{
    g_snprintf(out, len, "ecg:%" G_GINT64_FORMAT, study_id);
}

static json_t *
key_json(const uint8_t *key, enum tc_media_srtp_profile p)
{
    g_autofree char *b64 = g_base64_encode(key, tc_media_srtp_key_len(p));

    return json_string(b64);
}

/* The format members every party needs. */
static void
format_members(json_t *doc, const struct tc_srv__ecg_live *live)
{
    json_object_set_new(doc, "ssrc", json_integer(live->fmt.ssrc));
    json_object_set_new(doc, "payload_type",
                        json_integer(live->fmt.payload_type));
    json_object_set_new(doc, "first_seq", json_integer(live->fmt.first_seq));
    json_object_set_new(doc, "first_timestamp",
                        json_integer(live->fmt.first_timestamp));
    json_object_set_new(doc, "description",
                        tc_srv__ecg_desc_json(&live->desc));
}

/* Policy and audit; false with err filled when refused. */
static bool
decide(struct tc_srv *srv, struct tc_srv__sig_peer *peer,
       const char *client_addr, enum tc_srv__action action,
       enum tc_rec_audit_action audit_action, int64_t resident_id,
       int64_t study_id, bool assigned_reader, const char *purpose,
       struct tc_srv__sig_error *err)
{
    struct tc_srv__call call = {
        .req = {.who = &peer->who, .client_addr = client_addr}};
    struct tc_srv__target t = {
        .action = action,
        .kind = TC_SRV__KIND_STUDY,
        .resident_id = resident_id,
        .entity_type = ECG,
        .entity_id = study_id,
        .assigned_reader = assigned_reader,
    };
    struct tc_srv__decision d = {0};
    int rc = tc_srv__policy_peek(srv, &call, &t, &d);

    if (rc == -ENOENT) {
        tc_srv__sig_fail(err, TC_SRV__SIG_NOT_FOUND, "patient: not found");
        return false;
    }
    if (rc < 0) {
        tc_srv__sig_fail(err, TC_SRV__SIG_INTERNAL, "records unavailable");
        return false;
    }
    tc_srv__audit(srv, &call, audit_action, ECG, study_id, resident_id,
                  d.allow ? TC_REC_AUDIT_SUCCESS : TC_REC_AUDIT_DENIED,
                  purpose, d.rule);
    if (!d.allow) {
        tc_srv__sig_fail(err, TC_SRV__SIG_FORBIDDEN,
                         "not allowed to %s this patient's ECG",
                         action == TC_SRV__ACT_READ ? "read" : "record");
    }
    return d.allow;
}

/* The resident, a carer acting for them, or the policy's write rule. */
static bool
may_record(struct tc_srv *srv, struct tc_srv__sig_peer *peer,
           const char *client_addr, int64_t patient,
           struct tc_srv__sig_error *err)
{
    const struct tc_srv__who *who = &peer->who;
    bool carer = false;

    if (who->carer_id > 0 &&
        tc_rec_carer_acts_for(srv->db, who->carer_id, patient, &carer) < 0) {
        tc_srv__sig_fail(err, TC_SRV__SIG_INTERNAL, "records unavailable");
        return false;
    }
    if ((who->resident_id > 0 && who->resident_id == patient) || carer) {
        return true; /* a home device; the device check still follows */
    }
    return decide(srv, peer, client_addr, TC_SRV__ACT_WRITE,
                  TC_REC_AUDIT_CREATE, patient, 0, false, "record a live ECG",
                  err);
}

static enum tc_srv__sig_err
create_study(struct tc_srv *srv, struct tc_srv__sig_peer *peer,
             const char *client_addr, const struct tc_srv__ecg_announce *a,
             int64_t now_us, int64_t *id, struct tc_srv__sig_error *err)
{
    struct tc_srv__call call = {
        .req = {.who = &peer->who, .client_addr = client_addr}};
    char leads[TC_MEDIA_ECG_MAX_LEADS * TC_SRV__ECG_LEAD_MAX] = "";
    struct tc_rec_ecg_study_new in = {
        .resident_id = a->patient,
        .device_id = a->device,
        .leads = leads,
        .sample_rate_hz = (int)a->desc.sample_rate_hz,
        .started_at_us = now_us,
        .live = true,
        .ordered_by = peer->who.practitioner_id,
        .urgent = a->urgent,
    };
    int rc;

    for (unsigned i = 0; i < a->desc.n_leads; i++) {
        if (i) {
            g_strlcat(leads, ",", sizeof(leads));
        }
        g_strlcat(leads, a->desc.leads[i], sizeof(leads));
    }
    rc = tc_rec_ecg_study_create(srv->db, &in, id);
    if (rc == 0 && a->consultation) {
        rc = tc_rec_consultation_attach_ecg(srv->db, a->consultation, *id);
    }
    if (rc == 0 && a->reader) {
        rc = tc_rec_ecg_study_assign(srv->db, *id, a->reader);
    }
    tc_srv__audit(
        srv, &call, TC_REC_AUDIT_CREATE, ECG, rc == 0 ? *id : 0, a->patient,
        rc == 0 ? TC_REC_AUDIT_SUCCESS : TC_REC_AUDIT_FAILURE, "live ECG",
        rc == 0 ? "live stream" : tc_rec_errmsg(srv->db));
    if (rc < 0) {
        return tc_srv__sig_fail(
            err, rc == -ENOENT ? TC_SRV__SIG_NOT_FOUND : TC_SRV__SIG_BAD_FIELD,
            "%s", tc_rec_errmsg(srv->db));
    }
    return TC_SRV__SIG_OK;
}

static enum tc_srv__sig_err
on_announce(struct tc_srv *srv, struct tc_srv__sig_peer *peer,
            const char *client_addr, const struct tc_srv__sig_msg *msg,
            struct tc_srv__sig_error *err)
{
    struct tc_srv__ecg_announce a;
    struct tc_srv__ecg_live *live = NULL;
    uint8_t key[TC_MEDIA_SRTP_MAX_KEY];
    int64_t now_us = g_get_real_time(), id = 0;
    char stream[32];
    bool assigned = false;
    enum tc_srv__sig_err rc;
    json_t *doc;

    rc = tc_srv__ecg_announce_parse(msg->doc, &a, err);
    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    if (!may_record(srv, peer, client_addr, a.patient, err)) {
        return err->code;
    }
    if (tc_rec_ecg_device_assigned(srv->db, a.device, a.patient, &assigned) <
        0) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_INTERNAL,
                                "records unavailable");
    }
    if (!assigned) {
        struct tc_srv__call call = {
            .req = {.who = &peer->who, .client_addr = client_addr}};
        tc_srv__audit(srv, &call, TC_REC_AUDIT_CREATE, ECG, 0, a.patient,
                      TC_REC_AUDIT_DENIED, "live ECG",
                      "device not assigned to the patient");
        g_message("peer %s: ECG stream refused: device not assigned",
                  peer->id);
        return tc_srv__sig_fail(err, TC_SRV__SIG_FORBIDDEN,
                                "device: not assigned to this patient");
    }
    rc = create_study(srv, peer, client_addr, &a, now_us, &id, err);
    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    if (tc_srv__ecg_live_open(srv, id, a.patient, peer->who.user_id, &a.desc,
                              a.profile, now_us, key, &live) < 0) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_INTERNAL,
                                "the ECG relay could not take the stream");
    }
    stream_name(id, stream, sizeof(stream));
    doc = ok_doc(msg, stream);
    json_object_set_new(doc, "study", json_integer(id));
    format_members(doc, live);
    json_object_set_new(doc, "profile",
                        json_string(tc_media_srtp_profile_name(a.profile)));
    json_object_set_new(doc, "key", key_json(key, a.profile));
    json_object_set_new(doc, "port", json_integer(tc_srv__ecg_port(srv)));
    tc_srv__sig_answer(tc_srv__sig_hub_of(srv), peer, doc);
    json_decref(doc);
    sodium_memzero(key, sizeof(key));
    return TC_SRV__SIG_OK;
}

static enum tc_srv__sig_err
find_live(struct tc_srv *srv, const struct tc_srv__sig_msg *msg,
          struct tc_srv__ecg_live **out, struct tc_srv__sig_error *err)
{
    int64_t id = 0;
    enum tc_srv__sig_err rc = tc_srv__ecg_stream_parse(msg->doc, &id, err);

    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    *out = tc_srv__ecg_live_find(srv, id);
    if (!*out) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_NOT_FOUND,
                                "stream: no live ECG stream %" G_GINT64_FORMAT,
                                id);
    }
    return TC_SRV__SIG_OK;
}

static enum tc_srv__sig_err
on_stop(struct tc_srv *srv, struct tc_srv__sig_peer *peer,
        const struct tc_srv__sig_msg *msg, struct tc_srv__sig_error *err)
{
    struct tc_srv__ecg_live *live = NULL;
    struct tc_media_ecg_stream_stats st;
    int64_t frames = -1, study;
    char stream[32];
    enum tc_srv__sig_err rc = find_live(srv, msg, &live, err);
    json_t *doc;

    if (rc == TC_SRV__SIG_OK) {
        rc = int_member(msg->doc, "frames", false, 0, INT64_MAX / 2, &frames,
                        err);
    }
    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    if (live->owner_user != peer->who.user_id) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_FORBIDDEN,
                                "stream: only its announcer ends it");
    }
    study = live->study_id;
    if (tc_srv__ecg_live_close(live, frames, &st) < 0) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_INTERNAL,
                                "the archive could not be finished");
    }
    stream_name(study, stream, sizeof(stream));
    doc = ok_doc(msg, stream);
    json_object_set_new(
        doc, "stats",
        json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "frames",
                  (json_int_t)st.frames, "lost_frames",
                  (json_int_t)st.lost_frames, "received",
                  (json_int_t)st.received, "accepted", (json_int_t)st.accepted,
                  "auth_failed", (json_int_t)st.auth_failed, "replayed",
                  (json_int_t)st.replayed, "bad_payload",
                  (json_int_t)st.bad_payload, "bad_timing",
                  (json_int_t)st.bad_timing, "late", (json_int_t)st.late));
    tc_srv__sig_answer(tc_srv__sig_hub_of(srv), peer, doc);
    json_decref(doc);
    return TC_SRV__SIG_OK;
}

/* The subscriber's UDP address: its connection's IP, the given port. */
static bool
peer_address(const char *client_addr, int64_t port,
             struct sockaddr_storage *ss, size_t *len)
{
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

    memset(ss, 0, sizeof(*ss));
    if (g_str_has_prefix(client_addr, "::ffff:") &&
        strchr(client_addr + 7, '.')) {
        client_addr += 7; /* an IPv4 client on a dual-stack listener */
    }
    if (inet_pton(AF_INET, client_addr, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        *len = sizeof(*in);
        return true;
    }
    if (inet_pton(AF_INET6, client_addr, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *len = sizeof(*in6);
        return true;
    }
    return false;
}

static enum tc_srv__sig_err
subscribe_srtp(struct tc_srv__ecg_live *live, const char *client_addr,
               const struct tc_srv__sig_msg *msg, json_t *doc,
               struct tc_srv__sig_error *err)
{
    enum tc_media_srtp_profile prof = TC_MEDIA_SRTP_AEAD_AES_128_GCM;
    uint8_t key[TC_MEDIA_SRTP_MAX_KEY];
    struct sockaddr_storage ss;
    json_t *v = json_object_get(msg->doc, "profile");
    int64_t port = 0;
    size_t len = 0;
    int sub = 0;
    enum tc_srv__sig_err rc =
        int_member(msg->doc, "port", true, 1, 65535, &port, err);

    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    if (v && (!json_is_string(v) || tc_media_srtp_profile_from_name(
                                        json_string_value(v), &prof) < 0)) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "profile: must be AES_CM_128_HMAC_SHA1_80 or "
                                "AEAD_AES_128_GCM");
    }
    if (!peer_address(client_addr, port, &ss, &len)) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_INTERNAL,
                                "the connection's address is unknown");
    }
    randombytes_buf(key, sizeof(key));
    if (tc_media_ecg_stream_subscribe(live->stream, prof, key, &ss, len,
                                      &sub) < 0) {
        sodium_memzero(key, sizeof(key));
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_STATE,
                                "stream: no room for another subscriber");
    }
    json_object_set_new(doc, "subscription", json_integer(sub));
    json_object_set_new(doc, "profile",
                        json_string(tc_media_srtp_profile_name(prof)));
    json_object_set_new(doc, "key", key_json(key, prof));
    json_object_set_new(doc, "port",
                        json_integer(tc_srv__ecg_port(live->srv)));
    sodium_memzero(key, sizeof(key));
    return TC_SRV__SIG_OK;
}

static enum tc_srv__sig_err
on_subscribe(struct tc_srv *srv, struct tc_srv__sig_peer *peer,
             const char *client_addr, const struct tc_srv__sig_msg *msg,
             struct tc_srv__sig_error *err)
{
    struct tc_srv__ecg_live *live = NULL;
    struct tc_rec_ecg_study *study = NULL;
    json_t *v = json_object_get(msg->doc, "transport"), *doc;
    const char *transport = json_is_string(v) ? json_string_value(v) : NULL;
    bool ws, mine;
    char stream[32];
    enum tc_srv__sig_err rc = find_live(srv, msg, &live, err);

    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    if (!transport || (strcmp(transport, "srtp") != 0 &&
                       strcmp(transport, "websocket") != 0)) {
        return tc_srv__sig_fail(
            err, v ? TC_SRV__SIG_BAD_FIELD : TC_SRV__SIG_MISSING_FIELD,
            "transport: must be srtp or websocket");
    }
    ws = strcmp(transport, "websocket") == 0;
    if (tc_rec_ecg_study_get(srv->db, live->study_id, &study) < 0) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_INTERNAL,
                                "records unavailable");
    }
    mine = peer->who.practitioner_id > 0 &&
           study->reader_id == peer->who.practitioner_id;
    tc_rec_ecg_study_free(study);
    if (!decide(srv, peer, client_addr, TC_SRV__ACT_READ, TC_REC_AUDIT_READ,
                live->resident_id, live->study_id, mine, "watch a live ECG",
                err)) {
        return err->code;
    }
    stream_name(live->study_id, stream, sizeof(stream));
    doc = ok_doc(msg, stream);
    json_object_set_new(doc, "study", json_integer(live->study_id));
    json_object_set_new(doc, "transport", json_string(transport));
    format_members(doc, live);
    if (!ws) {
        rc = subscribe_srtp(live, client_addr, msg, doc, err);
        if (rc != TC_SRV__SIG_OK) {
            json_decref(doc);
            return rc;
        }
    }
    tc_srv__sig_answer(tc_srv__sig_hub_of(srv), peer, doc);
    json_decref(doc);
    if (ws) {
        tc_srv__ecg_live_view(live, peer->id); /* history, then live */
    }
    return TC_SRV__SIG_OK;
}

static enum tc_srv__sig_err
on_unsubscribe(struct tc_srv *srv, struct tc_srv__sig_peer *peer,
               const struct tc_srv__sig_msg *msg,
               struct tc_srv__sig_error *err)
{
    struct tc_srv__ecg_live *live = NULL;
    int64_t sub = 0;
    int rc;
    char stream[32];
    enum tc_srv__sig_err e = find_live(srv, msg, &live, err);
    json_t *doc;

    if (e == TC_SRV__SIG_OK) {
        e = int_member(msg->doc, "subscription", false, 1, G_MAXINT, &sub,
                       err);
    }
    if (e != TC_SRV__SIG_OK) {
        return e;
    }
    /* An SRTP subscription is named by its id, a WebSocket view by the
     * peer; a subscription id is only known to whoever got it. */
    rc = sub ? tc_media_ecg_stream_unsubscribe(live->stream, (int)sub)
             : tc_srv__ecg_live_unview(live, peer->id);
    if (rc < 0) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_NOT_FOUND,
                                "subscription: not subscribed");
    }
    if (msg->id[0]) {
        stream_name(live->study_id, stream, sizeof(stream));
        doc = ok_doc(msg, stream);
        tc_srv__sig_answer(tc_srv__sig_hub_of(srv), peer, doc);
        json_decref(doc);
    }
    return TC_SRV__SIG_OK;
}

enum tc_srv__sig_err
tc_srv__sig_ecg(struct tc_srv *srv, struct tc_srv__sig_peer *peer,
                const char *client_addr, const struct tc_srv__sig_msg *msg,
                struct tc_srv__sig_error *err)
{
    if (!srv->ecg) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_STATE,
                                "the ECG relay is not running");
    }
    switch (msg->type) {
    case TC_SRV__SIG_ECG_ANNOUNCE:
        return on_announce(srv, peer, client_addr, msg, err);
    case TC_SRV__SIG_ECG_STOP:
        return on_stop(srv, peer, msg, err);
    case TC_SRV__SIG_ECG_SUBSCRIBE:
        return on_subscribe(srv, peer, client_addr, msg, err);
    case TC_SRV__SIG_ECG_UNSUBSCRIBE:
        return on_unsubscribe(srv, peer, msg, err);
    default:
        return tc_srv__sig_fail(err, TC_SRV__SIG_INTERNAL, "unhandled type");
    }
}
