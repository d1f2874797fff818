// SPDX-License-Identifier: Apache-2.0
/*
 * api-studies.c - ECG and imaging studies under /api/v1: recording an ECG
 * study and finishing a live one, assigning the reader (ECG) or the
 * radiologist (imaging), each reader's worklist, signing and amending
 * reports (every version kept), reading a study with its report (and,
 * for imaging, its series), and reconciling an imaging study that arrived
 * without a known patient.
 *
 * Access: a study is patient data (policy kind study). The policy lets
 * the reader or radiologist assigned to a study read it and write its
 * report, and the resident's care relationships do the rest. On top of
 * the policy, only an ECG reader signs or amends an ECG report and only a
 * radiologist an imaging report (403, audited); records then checks that
 * the signer is the assigned one.
 *
 * The study lifecycles are records' (tc-records.h: LIVE -> AWAITING_READING
 * -> REPORTED -> AMENDED; RECEIVED -> ASSIGNED -> REPORTED -> AMENDED). A
 * step with no arrow is 409.
 *
 * Worklists hold no report text. Storage paths of recordings and DICOM
 * files stay on the server: answers say only whether a recording is
 * stored.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <stdint.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-records.h"

#define TEXT_MAX   4000 /* impressions, findings */
#define SHORT_MAX  200  /* rhythm, device id, leads */
#define PATH_MAX_  1024
#define REASON_MAX 1000

#define ECG     "ecg_study"
#define IMAGING "imaging_study"

#define HAS_ROLE(who, r) (((who)->roles >> (TC_SRV__ROLE_##r)) & 1u)

/* ---- shared steps ---- */

/* The policy on a study of resident_id assigned to `assignee` (0: none). */
static bool
study_allowed(struct tc_srv *srv, struct tc_srv__call *call,
              enum tc_srv__action action, int64_t resident_id,
              const char *entity_type, int64_t id, int64_t assignee)
{
    int64_t me = call->req.who->practitioner_id;
    struct tc_srv__target t = {
        .action = action,
        .kind = TC_SRV__KIND_STUDY,
        .resident_id = resident_id,
        .entity_type = entity_type,
        .entity_id = id,
        .assigned_reader = me > 0 && assignee == me,
    };

    return tc_srv__policy_check(srv, call, &t);
}

static json_t *
items_doc(json_t *items)
{
    return json_pack("{s:o}", "items", items);
}

/* ---- ECG ---- */

static json_t *
ecg_report_json(const struct tc_rec_ecg_report *r)
{
    return json_pack(
        "{s:i,s:s,s:o,s:o,s:o,s:o,s:o,s:s,s:I,s:o,s:s?}", "version",
        r->version, "rhythm", r->rhythm, "heart_rate_bpm",
        tc_srv__id_json(r->heart_rate_bpm), "pr_ms", tc_srv__id_json(r->pr_ms),
        "qrs_ms", tc_srv__id_json(r->qrs_ms), "qt_ms",
        tc_srv__id_json(r->qt_ms), "qtc_ms", tc_srv__id_json(r->qtc_ms),
        "impression", r->impression, "reader_id", (json_int_t)r->reader_id,
        "signed_at", tc_srv__instant_json(r->signed_at_us), "amend_reason",
        r->amend_reason);
}

/* A study; `whole` adds the latest report. */
static json_t *
ecg_json(const struct tc_rec_ecg_study *s, bool whole)
{
    json_t *doc = json_pack(
        "{s:I,s:I,s:s,s:s,s:i,s:o,s:o,s:b,s:o,s:o,s:s,s:o}", "id",
        (json_int_t)s->id, "resident_id", (json_int_t)s->resident_id,
        "device_id", s->device_id, "leads", s->leads, "sample_rate_hz",
        s->sample_rate_hz, "started_at",
        tc_srv__instant_json(s->started_at_us), "duration_ms",
        tc_srv__id_json(s->duration_ms), "stored", s->storage_path != NULL,
        "organization_id", tc_srv__id_json(s->organization_id), "ordered_by",
        tc_srv__id_json(s->ordered_by), "status",
        tc_rec_ecg_status_to_string(s->status), "reader_id",
        tc_srv__id_json(s->reader_id));

    if (whole) {
        json_object_set_new(doc, "report",
                            s->report ? ecg_report_json(s->report)
                                      : json_null());
    }
    return doc;
}

static bool
ecg_load(struct tc_srv *srv, struct tc_srv__call *call,
         struct tc_rec_ecg_study **out)
{
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "study id", &id)) {
        return false;
    }
    rc = tc_rec_ecg_study_get(srv->db, id, out);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    return true;
}

/* Load the study in the path and check the policy for `action`. */
static bool
ecg_open(struct tc_srv *srv, struct tc_srv__call *call,
         enum tc_srv__action action, struct tc_rec_ecg_study **out)
{
    return ecg_load(srv, call, out) &&
           study_allowed(srv, call, action, (*out)->resident_id, ECG,
                         (*out)->id, (*out)->reader_id);
}

static void
ecg_answer(struct tc_srv *srv, struct tc_srv__call *call, int status,
           int64_t id)
{
    struct tc_rec_ecg_study *s = NULL;
    int rc = tc_rec_ecg_study_get(srv->db, id, &s);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_ok(call, status, ecg_json(s, true));
    tc_rec_ecg_study_free(s);
}

static void
ecg_create(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {
        "resident_id",     "device_id", "leads",       "sample_rate_hz",
        "started_at",      "live",      "duration_ms", "storage_path",
        "organization_id", NULL};
    struct tc_rec_ecg_study_new in = {0};
    json_t *body = NULL;
    int64_t id = 0;

    if (!tc_srv__call_body(call, known, &body)) {
        return;
    }
    in.started_at_us = g_get_real_time();
    if (tc_srv__json_int(call, body, "resident_id", true, 1, INT64_MAX,
                         &in.resident_id) &&
        study_allowed(srv, call, TC_SRV__ACT_WRITE, in.resident_id, ECG, 0,
                      0) &&
        tc_srv__who_practitioner(call, "record an ECG study",
                                 &in.ordered_by) &&
        tc_srv__json_string(call, body, "device_id", true, SHORT_MAX,
                            &in.device_id) &&
        tc_srv__json_string(call, body, "leads", true, SHORT_MAX, &in.leads) &&
        tc_srv__json_int32(call, body, "sample_rate_hz", true,
                           &in.sample_rate_hz) &&
        tc_srv__json_instant(call, body, "started_at", false,
                             &in.started_at_us) &&
        tc_srv__json_bool(call, body, "live", &in.live) &&
        tc_srv__json_int(call, body, "duration_ms", false, 0, INT64_MAX,
                         &in.duration_ms) &&
        tc_srv__json_string(call, body, "storage_path", false, PATH_MAX_,
                            &in.storage_path) &&
        tc_srv__json_int(call, body, "organization_id", false, 1, INT64_MAX,
                         &in.organization_id)) {
        if (tc_srv__audit_outcome(
                srv, call, tc_rec_ecg_study_create(srv->db, &in, &id),
                TC_REC_AUDIT_CREATE, ECG, id, in.resident_id)) {
            ecg_answer(srv, call, 201, id);
        }
    }
    json_decref(body);
}

static void
ecg_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_ecg_study *s = NULL;

    if (ecg_open(srv, call, TC_SRV__ACT_READ, &s)) {
        tc_srv__resp_ok(call, 200, ecg_json(s, true));
    }
    tc_rec_ecg_study_free(s);
}

static void
ecg_finish(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"duration_ms", "storage_path", NULL};
    struct tc_rec_ecg_study *s = NULL;
    const char *path = NULL;
    json_t *body = NULL;
    int64_t duration = 0;

    if (ecg_open(srv, call, TC_SRV__ACT_WRITE, &s) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_int(call, body, "duration_ms", true, 1, INT64_MAX,
                         &duration) &&
        tc_srv__json_string(call, body, "storage_path", true, PATH_MAX_,
                            &path) &&
        tc_srv__audit_outcome(
            srv, call, tc_rec_ecg_study_finish(srv->db, s->id, duration, path),
            TC_REC_AUDIT_UPDATE, ECG, s->id, s->resident_id)) {
        ecg_answer(srv, call, 200, s->id);
    }
    json_decref(body);
    tc_rec_ecg_study_free(s);
}

static void
ecg_assign(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"reader_id", NULL};
    struct tc_rec_ecg_study *s = NULL;
    json_t *body = NULL;
    int64_t reader = 0;

    if (ecg_open(srv, call, TC_SRV__ACT_WRITE, &s) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_int(call, body, "reader_id", true, 1, INT64_MAX,
                         &reader) &&
        tc_srv__audit_outcome(
            srv, call, tc_rec_ecg_study_assign(srv->db, s->id, reader),
            TC_REC_AUDIT_UPDATE, ECG, s->id, s->resident_id)) {
        ecg_answer(srv, call, 200, s->id);
    }
    json_decref(body);
    tc_rec_ecg_study_free(s);
}

static bool
ecg_report_parse(struct tc_srv__call *call, json_t *body,
                 struct tc_rec_ecg_report_in *in)
{
    static const char *const measures[] = {"heart_rate_bpm", "pr_ms", "qrs_ms",
                                           "qt_ms", "qtc_ms"};
    int *slots[] = {&in->heart_rate_bpm, &in->pr_ms, &in->qrs_ms, &in->qt_ms,
                    &in->qtc_ms};

    if (!tc_srv__json_string(call, body, "rhythm", true, SHORT_MAX,
                             &in->rhythm) ||
        !tc_srv__json_string(call, body, "impression", true, TEXT_MAX,
                             &in->impression)) {
        return false;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(measures); i++) {
        /* Plausible ranges are records' rule (422). */
        if (!tc_srv__json_int32(call, body, measures[i], false, slots[i])) {
            return false;
        }
    }
    return true;
}

/* POST .../report signs version 1; POST .../report/amend adds one. Only
 * ECG readers sign ECG reports. */
static void
ecg_report_put(struct tc_srv *srv, struct tc_srv__call *call, bool amend)
{
    static const char *const sign_known[] = {
        "rhythm", "heart_rate_bpm", "pr_ms",      "qrs_ms",
        "qt_ms",  "qtc_ms",         "impression", NULL};
    static const char *const amend_known[] = {
        "rhythm", "heart_rate_bpm", "pr_ms",  "qrs_ms", "qt_ms",
        "qtc_ms", "impression",     "reason", NULL};
    struct tc_rec_ecg_report_in in = {0};
    struct tc_rec_ecg_study *s = NULL;
    const char *reason = NULL;
    json_t *body = NULL;
    int64_t me = call->req.who->practitioner_id, now = g_get_real_time();
    int rc;

    if (!ecg_open(srv, call, TC_SRV__ACT_WRITE, &s)) {
        goto out;
    }
    if (!HAS_ROLE(call->req.who, ECG_READER) || me <= 0) {
        tc_srv__deny(srv, call, TC_REC_AUDIT_UPDATE, ECG, s->id,
                     s->resident_id, "only an ECG reader signs ECG reports");
        goto out;
    }
    if (!tc_srv__call_body(call, amend ? amend_known : sign_known, &body) ||
        !ecg_report_parse(call, body, &in) ||
        !tc_srv__json_string(call, body, "reason", amend, REASON_MAX,
                             &reason)) {
        goto out;
    }
    rc = amend ? tc_rec_ecg_report_amend(srv->db, s->id, &in, me, now, reason)
               : tc_rec_ecg_report_sign(srv->db, s->id, &in, me, now);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_UPDATE, ECG, s->id,
                              s->resident_id)) {
        ecg_answer(srv, call, amend ? 200 : 201, s->id);
    }
out:
    json_decref(body);
    tc_rec_ecg_study_free(s);
}

static void
ecg_report_sign(struct tc_srv *srv, struct tc_srv__call *call)
{
    ecg_report_put(srv, call, false);
}

static void
ecg_report_amend(struct tc_srv *srv, struct tc_srv__call *call)
{
    ecg_report_put(srv, call, true);
}

static void
ecg_report_versions(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_ecg_report_list *list = NULL;
    struct tc_rec_ecg_study *s = NULL;
    json_t *items;
    int rc;

    if (!ecg_open(srv, call, TC_SRV__ACT_READ, &s)) {
        goto out;
    }
    rc = tc_rec_ecg_report_versions(srv->db, s->id, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        goto out;
    }
    items = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(items, ecg_report_json(&list->items[i]));
    }
    tc_rec_ecg_report_list_free(list);
    tc_srv__resp_ok(call, 200, items_doc(items));
out:
    tc_rec_ecg_study_free(s);
}

/* GET /worklists/ecg: the studies awaiting the caller's reading. Each row
 * is checked (and audited) as a read of that study. */
static void
ecg_worklist(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_ecg_study_list *list = NULL;
    int64_t me = call->req.who->practitioner_id;
    json_t *items;
    int rc;

    if (!HAS_ROLE(call->req.who, ECG_READER) || me <= 0) {
        tc_srv__resp_error(&call->resp, 403,
                           "the ECG worklist is for ECG readers");
        return;
    }
    rc = tc_rec_ecg_worklist(srv->db, me, false, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    items = json_array();
    for (size_t i = 0; i < list->count; i++) {
        const struct tc_rec_ecg_study *s = &list->items[i];
        if (!study_allowed(srv, call, TC_SRV__ACT_READ, s->resident_id, ECG,
                           s->id, s->reader_id)) {
            json_decref(items);
            tc_rec_ecg_study_list_free(list);
            return;
        }
        json_array_append_new(items, ecg_json(s, false));
    }
    tc_rec_ecg_study_list_free(list);
    tc_srv__resp_ok(call, 200, items_doc(items));
}

/* ---- imaging ---- */

static json_t *
imaging_report_json(const struct tc_rec_imaging_report *r)
{
    return json_pack("{s:i,s:s,s:s,s:I,s:o,s:s?}", "version", r->version,
                     "findings", r->findings, "impression", r->impression,
                     "radiologist_id", (json_int_t)r->radiologist_id,
                     "signed_at", tc_srv__instant_json(r->signed_at_us),
                     "amend_reason", r->amend_reason);
}

/* A study; `whole` adds its series and latest report. */
static json_t *
imaging_json(const struct tc_rec_imaging_study *s, bool whole)
{
    json_t *doc = json_pack(
        "{s:I,s:o,s:s,s:s?,s:s?,s:s?,s:s?,s:o,s:o,s:s,s:o,s:i,s:i}", "id",
        (json_int_t)s->id, "resident_id", tc_srv__id_json(s->resident_id),
        "study_uid", s->study_uid, "accession", s->accession, "modality",
        s->modality, "description", s->description, "study_date",
        s->study_date, "sending_org_id", tc_srv__id_json(s->sending_org_id),
        "received_at", tc_srv__instant_json(s->received_at_us), "status",
        tc_rec_imaging_status_to_string(s->status), "radiologist_id",
        tc_srv__id_json(s->radiologist_id), "n_series", s->n_series,
        "n_instances", s->n_instances);
    json_t *series;

    /* DICOM store-and-forward (migration 10): the reading request and
     * what the index knows. */
    json_object_set_new(doc, "urgent", json_boolean(s->urgent));
    json_object_set_new(doc, "requested_by", tc_srv__id_json(s->requested_by));
    json_object_set_new(doc, "modalities", tc_srv__string_json(s->modalities));
    json_object_set_new(doc, "n_conflicts", json_integer(s->n_conflicts));

    if (!whole) {
        return doc;
    }
    series = json_array();
    for (int i = 0; s->series && i < s->n_series; i++) {
        const struct tc_rec_imaging_series *x = &s->series[i];
        json_array_append_new(
            series,
            json_pack(
                "{s:I,s:s,s:s,s:o,s:s?,s:i}", "id", (json_int_t)x->id,
                "series_uid", x->series_uid, "modality", x->modality, "number",
                x->number >= 0 ? json_integer(x->number) : json_null(),
                "description", x->description, "n_instances", x->n_instances));
    }
    json_object_set_new(doc, "series", series);
    json_object_set_new(doc, "report",
                        s->report ? imaging_report_json(s->report)
                                  : json_null());
    return doc;
}

static bool
imaging_load(struct tc_srv *srv, struct tc_srv__call *call,
             struct tc_rec_imaging_study **out)
{
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "study id", &id)) {
        return false;
    }
    rc = tc_rec_imaging_study_get(srv->db, id, out);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    return true;
}

/* Load and check. An unmatched study belongs to no resident yet: the
 * policy then allows only break-glass reads. */
static bool
imaging_open(struct tc_srv *srv, struct tc_srv__call *call,
             enum tc_srv__action action, struct tc_rec_imaging_study **out)
{
    return imaging_load(srv, call, out) &&
           study_allowed(srv, call, action, (*out)->resident_id, IMAGING,
                         (*out)->id, (*out)->radiologist_id);
}

static void
imaging_answer(struct tc_srv *srv, struct tc_srv__call *call, int status,
               int64_t id)
{
    struct tc_rec_imaging_study *s = NULL;
    int rc = tc_rec_imaging_study_get(srv->db, id, &s);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_ok(call, status, imaging_json(s, true));
    tc_rec_imaging_study_free(s);
}

static void
imaging_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_imaging_study *s = NULL;

    if (imaging_open(srv, call, TC_SRV__ACT_READ, &s)) {
        tc_srv__resp_ok(call, 200, imaging_json(s, true));
    }
    tc_rec_imaging_study_free(s);
}

/* POST .../match {resident_id}: reconciliation writes to the record of
 * the resident named, so the policy is checked on that resident. */
static void
imaging_match(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"resident_id", NULL};
    struct tc_rec_imaging_study *s = NULL;
    json_t *body = NULL;
    int64_t resident = 0;

    if (imaging_load(srv, call, &s) && tc_srv__call_body(call, known, &body) &&
        tc_srv__json_int(call, body, "resident_id", true, 1, INT64_MAX,
                         &resident) &&
        study_allowed(srv, call, TC_SRV__ACT_WRITE, resident, IMAGING, s->id,
                      0) &&
        tc_srv__audit_outcome(
            srv, call, tc_rec_imaging_study_match(srv->db, s->id, resident),
            TC_REC_AUDIT_UPDATE, IMAGING, s->id, resident)) {
        imaging_answer(srv, call, 200, s->id);
    }
    json_decref(body);
    tc_rec_imaging_study_free(s);
}

static void
imaging_assign(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"radiologist_id", NULL};
    struct tc_rec_imaging_study *s = NULL;
    json_t *body = NULL;
    int64_t radiologist = 0;

    if (!imaging_load(srv, call, &s)) {
        goto out;
    }
    if (s->resident_id == 0) {
        tc_srv__resp_error_field(&call->resp, 409, "resident_id",
                                 "resident_id: the study is not matched to a "
                                 "resident yet (match it first)");
        goto out;
    }
    if (study_allowed(srv, call, TC_SRV__ACT_WRITE, s->resident_id, IMAGING,
                      s->id, s->radiologist_id) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_int(call, body, "radiologist_id", true, 1, INT64_MAX,
                         &radiologist) &&
        tc_srv__audit_outcome(
            srv, call,
            tc_rec_imaging_study_assign(srv->db, s->id, radiologist,
                                        g_get_real_time()),
            TC_REC_AUDIT_UPDATE, IMAGING, s->id, s->resident_id)) {
        imaging_answer(srv, call, 200, s->id);
    }
out:
    json_decref(body);
    tc_rec_imaging_study_free(s);
}

/* POST .../report signs version 1; POST .../report/amend adds one. Only
 * radiologists sign imaging reports. */
static void
imaging_report_put(struct tc_srv *srv, struct tc_srv__call *call, bool amend)
{
    static const char *const sign_known[] = {"findings", "impression", NULL};
    static const char *const amend_known[] = {"findings", "impression",
                                              "reason", NULL};
    struct tc_rec_imaging_report_in in = {0};
    struct tc_rec_imaging_study *s = NULL;
    const char *reason = NULL;
    json_t *body = NULL;
    int64_t me = call->req.who->practitioner_id, now = g_get_real_time();
    int rc;

    if (!imaging_open(srv, call, TC_SRV__ACT_WRITE, &s)) {
        goto out;
    }
    if (!HAS_ROLE(call->req.who, RADIOLOGIST) || me <= 0) {
        tc_srv__deny(srv, call, TC_REC_AUDIT_UPDATE, IMAGING, s->id,
                     s->resident_id,
                     "only a radiologist signs imaging reports");
        goto out;
    }
    if (!tc_srv__call_body(call, amend ? amend_known : sign_known, &body) ||
        !tc_srv__json_string(call, body, "findings", true, TEXT_MAX,
                             &in.findings) ||
        !tc_srv__json_string(call, body, "impression", true, TEXT_MAX,
                             &in.impression) ||
        !tc_srv__json_string(call, body, "reason", amend, REASON_MAX,
                             &reason)) {
        goto out;
    }
    rc = amend ? tc_rec_imaging_report_amend(srv->db, s->id, &in, me, now,
                                             reason)
               : tc_rec_imaging_report_sign(srv->db, s->id, &in, me, now);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_UPDATE, IMAGING,
                              s->id, s->resident_id)) {
        imaging_answer(srv, call, amend ? 200 : 201, s->id);
    }
out:
    json_decref(body);
    tc_rec_imaging_study_free(s);
}

static void
imaging_report_sign(struct tc_srv *srv, struct tc_srv__call *call)
{
    imaging_report_put(srv, call, false);
}

static void
imaging_report_amend(struct tc_srv *srv, struct tc_srv__call *call)
{
    imaging_report_put(srv, call, true);
}

static void
imaging_report_versions(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_imaging_report_list *list = NULL;
    struct tc_rec_imaging_study *s = NULL;
    json_t *items;
    int rc;

    if (!imaging_open(srv, call, TC_SRV__ACT_READ, &s)) {
        goto out;
    }
    rc = tc_rec_imaging_report_versions(srv->db, s->id, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        goto out;
    }
    items = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(items, imaging_report_json(&list->items[i]));
    }
    tc_rec_imaging_report_list_free(list);
    tc_srv__resp_ok(call, 200, items_doc(items));
out:
    tc_rec_imaging_study_free(s);
}

static void
imaging_worklist(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_imaging_study_list *list = NULL;
    int64_t me = call->req.who->practitioner_id;
    json_t *items;
    int rc;

    if (!HAS_ROLE(call->req.who, RADIOLOGIST) || me <= 0) {
        tc_srv__resp_error(&call->resp, 403,
                           "the imaging worklist is for radiologists");
        return;
    }
    rc = tc_rec_imaging_worklist(srv->db, me, false, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    items = json_array();
    for (size_t i = 0; i < list->count; i++) {
        const struct tc_rec_imaging_study *s = &list->items[i];
        if (!study_allowed(srv, call, TC_SRV__ACT_READ, s->resident_id,
                           IMAGING, s->id, s->radiologist_id)) {
            json_decref(items);
            tc_rec_imaging_study_list_free(list);
            return;
        }
        json_array_append_new(items, imaging_json(s, false));
    }
    tc_rec_imaging_study_list_free(list);
    tc_srv__resp_ok(call, 200, items_doc(items));
}

const struct tc_srv__route tc_srv__routes_studies[] = {
    {"POST", "/api/v1/ecg-studies", ecg_create, 0},
    {"GET", "/api/v1/ecg-studies/{id}", ecg_get, 0},
    {"POST", "/api/v1/ecg-studies/{id}/finish", ecg_finish, 0},
    {"POST", "/api/v1/ecg-studies/{id}/assign", ecg_assign, 0},
    {"POST", "/api/v1/ecg-studies/{id}/report", ecg_report_sign, 0},
    {"POST", "/api/v1/ecg-studies/{id}/report/amend", ecg_report_amend, 0},
    {"GET", "/api/v1/ecg-studies/{id}/report/versions", ecg_report_versions,
     0},
    {"GET", "/api/v1/worklists/ecg", ecg_worklist, 0},
    {"GET", "/api/v1/imaging-studies/{id}", imaging_get, 0},
    {"POST", "/api/v1/imaging-studies/{id}/match", imaging_match, 0},
    {"POST", "/api/v1/imaging-studies/{id}/assign", imaging_assign, 0},
    {"POST", "/api/v1/imaging-studies/{id}/report", imaging_report_sign, 0},
    {"POST", "/api/v1/imaging-studies/{id}/report/amend", imaging_report_amend,
     0},
    {"GET", "/api/v1/imaging-studies/{id}/report/versions",
     imaging_report_versions, 0},
    {"GET", "/api/v1/worklists/imaging", imaging_worklist, 0},
    {NULL, NULL, NULL, 0},
};
