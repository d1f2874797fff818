// SPDX-License-Identifier: Apache-2.0
/*
 * api-imaging.c - the imaging workflow around DICOM store-and-forward,
 * under /api/v1 (the reading itself, assign/report/amend and the
 * worklist, is in api-studies.c):
 *
 *   GET  /api/v1/imaging/reconciliation     studies no resident matched
 *   POST /api/v1/imaging-studies/{id}/reading-request   {urgent, reason}
 *   GET  /api/v1/imaging/requested          my requests, with their
 *                                           status and signed report
 *   GET  /api/v1/imaging-studies/{id}/forwards   per-instance forwarding
 *
 * Access: the reconciliation list shows whom a study is about (the DICOM
 * name and Patient ID) before it belongs to anyone, so only radiologists
 * and township doctors see it, each row audited as a read. A reading
 * request writes to the resident's record (policy, write). The requested
 * list is the requester's own; each row is still checked by the policy.
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

#define HAS_ROLE(who, r) (((who)->roles >> (TC_SRV__ROLE_##r)) & 1u)
#define IMAGING          "imaging_study"
#define REASON_MAX       2000

static json_t *
study_json(const struct tc_rec_imaging_study *s, bool with_report)
{
    json_t *o = json_pack(
        "{s:I,s:o,s:s,s:s?,s:s?,s:s?,s:s?,s:o,s:o,s:s,s:o,s:i,s:i,s:b,s:o,"
        "s:i}",
        "id", (json_int_t)s->id, "resident_id",
        tc_srv__id_json(s->resident_id), "study_uid", s->study_uid,
        "modalities", s->modalities, "description", s->description,
        "study_date", s->study_date, "accession", s->accession,
        "sending_org_id", tc_srv__id_json(s->sending_org_id), "received_at",
        tc_srv__instant_json(s->received_at_us), "status",
        tc_rec_imaging_status_to_string(s->status), "radiologist_id",
        tc_srv__id_json(s->radiologist_id), "n_series", s->n_series,
        "n_instances", s->n_instances, "urgent", s->urgent, "requested_by",
        tc_srv__id_json(s->requested_by), "n_conflicts", s->n_conflicts);

    if (with_report && s->report) {
        json_object_set_new(
            o, "report",
            json_pack("{s:i,s:s,s:s,s:I,s:o}", "version", s->report->version,
                      "findings", s->report->findings, "impression",
                      s->report->impression, "radiologist_id",
                      (json_int_t)s->report->radiologist_id, "signed_at",
                      tc_srv__instant_json(s->report->signed_at_us)));
    } else if (with_report) {
        json_object_set_new(o, "report", json_null());
    }
    return o;
}

static void
reconciliation(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_imaging_study_list *list = NULL;
    long limit = 100;
    json_t *items;
    int rc;

    if (!HAS_ROLE(call->req.who, RADIOLOGIST) &&
        !HAS_ROLE(call->req.who, TOWNSHIP_DOCTOR)) {
        tc_srv__deny(srv, call, TC_REC_AUDIT_READ, IMAGING, 0, 0,
                     "the reconciliation list is for radiologists and "
                     "township doctors");
        return;
    }
    if (!tc_srv__query_int(call, "limit", 100, 1, 1000, &limit)) {
        return;
    }
    rc = tc_rec_imaging_unmatched(srv->db, (int)limit, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    items = json_array();
    for (size_t i = 0; i < list->count; i++) {
        const struct tc_rec_imaging_study *s = &list->items[i];
        json_t *o = study_json(s, false);
        json_object_set_new(o, "patient_dicom_id",
                            tc_srv__string_json(s->patient_dicom_id));
        json_object_set_new(o, "patient_name",
                            tc_srv__string_json(s->patient_name));
        json_object_set_new(o, "patient_birth_date",
                            tc_srv__string_json(s->patient_birth_date));
        tc_srv__audit(srv, call, TC_REC_AUDIT_READ, IMAGING, s->id, 0,
                      TC_REC_AUDIT_SUCCESS, "reconciliation", NULL);
        json_array_append_new(items, o);
    }
    tc_rec_imaging_study_list_free(list);
    tc_srv__resp_ok(call, 200, json_pack("{s:o}", "items", items));
}

static bool
study_load(struct tc_srv *srv, struct tc_srv__call *call,
           enum tc_srv__action action, struct tc_rec_imaging_study **out)
{
    int64_t id, me = call->req.who->practitioner_id;
    struct tc_srv__target t = {
        .action = action, .kind = TC_SRV__KIND_STUDY, .entity_type = IMAGING};
    int rc;

    if (!tc_srv__param_id(call, 0, "study id", &id)) {
        return false;
    }
    rc = tc_rec_imaging_study_get(srv->db, id, out);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    t.resident_id = (*out)->resident_id;
    t.entity_id = id;
    t.assigned_reader = me > 0 && (*out)->radiologist_id == me;
    return tc_srv__policy_check(srv, call, &t);
}

static void
reading_request(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"urgent", "reason", NULL};
    struct tc_rec_imaging_study *s = NULL;
    const char *reason = NULL;
    json_t *body = NULL;
    bool urgent = false;
    int64_t me = 0;

    if (!tc_srv__who_practitioner(call, "request a reading", &me) ||
        !tc_srv__call_body(call, known, &body) ||
        !tc_srv__json_bool(call, body, "urgent", &urgent) ||
        !tc_srv__json_string(call, body, "reason", false, REASON_MAX,
                             &reason)) {
        goto out;
    }
    if (!study_load(srv, call, TC_SRV__ACT_WRITE, &s)) {
        goto out;
    }
    if (s->resident_id == 0) {
        tc_srv__resp_error_field(&call->resp, 409, "resident_id",
                                 "resident_id: the study is not matched to a "
                                 "resident yet (reconcile it first)");
        goto out;
    }
    if (tc_srv__audit_outcome(
            srv, call,
            tc_rec_imaging_reading_request(srv->db, s->id, me, urgent, reason,
                                           g_get_real_time()),
            TC_REC_AUDIT_UPDATE, IMAGING, s->id, s->resident_id)) {
        tc_rec_imaging_study_free(s);
        s = NULL;
        if (tc_rec_imaging_study_get(
                srv->db,
                (int64_t)g_ascii_strtoll(call->req.params[0], NULL, 10),
                &s) == 0) {
            tc_srv__resp_ok(call, 201, study_json(s, true));
        }
    }
out:
    json_decref(body);
    tc_rec_imaging_study_free(s);
}

static void
requested(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_imaging_study_list *list = NULL;
    int64_t me = 0;
    json_t *items;
    int rc;

    if (!tc_srv__who_practitioner(call, "list reading requests", &me)) {
        return;
    }
    rc = tc_rec_imaging_requested_by(srv->db, me, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    items = json_array();
    for (size_t i = 0; i < list->count; i++) {
        const struct tc_rec_imaging_study *s = &list->items[i];
        struct tc_rec_imaging_study *whole = NULL;
        if (!tc_srv__policy_check_record(srv, call, TC_SRV__ACT_READ,
                                         s->resident_id, IMAGING, s->id)) {
            json_decref(items);
            tc_rec_imaging_study_list_free(list);
            return;
        }
        /* The list rows carry no report; the answer does. */
        if (tc_rec_imaging_study_get(srv->db, s->id, &whole) == 0) {
            json_array_append_new(items, study_json(whole, true));
            tc_rec_imaging_study_free(whole);
        }
    }
    tc_rec_imaging_study_list_free(list);
    tc_srv__resp_ok(call, 200, json_pack("{s:o}", "items", items));
}

static void
forwards(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_imaging_forward_list *l = NULL;
    struct tc_rec_imaging_study *s = NULL;
    json_t *items;
    int rc;

    if (!study_load(srv, call, TC_SRV__ACT_READ, &s)) {
        tc_rec_imaging_study_free(s);
        return;
    }
    rc = tc_rec_imaging_forward_list(srv->db, s->id, &l);
    tc_rec_imaging_study_free(s);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    items = json_array();
    for (size_t i = 0; i < l->count; i++) {
        const struct tc_rec_imaging_forward *f = &l->items[i];
        json_array_append_new(
            items,
            json_pack("{s:s,s:s,s:s,s:i,s:o,s:o,s:o,s:s?}", "sop_instance_uid",
                      f->sop_instance_uid, "destination", f->destination,
                      "status", f->status, "attempts", f->attempts,
                      "queued_at", tc_srv__instant_json(f->queued_at_us),
                      "next_attempt_at",
                      tc_srv__instant_json(f->next_attempt_at_us), "sent_at",
                      tc_srv__instant_json(f->sent_at_us), "last_error",
                      f->last_error));
    }
    tc_rec_imaging_forward_list_free(l);
    tc_srv__resp_ok(call, 200, json_pack("{s:o}", "items", items));
}

const struct tc_srv__route tc_srv__routes_imaging[] = {
    {"GET", "/api/v1/imaging/reconciliation", reconciliation, 0},
    {"GET", "/api/v1/imaging/requested", requested, 0},
    {"POST", "/api/v1/imaging-studies/{id}/reading-request", reading_request,
     0},
    {"GET", "/api/v1/imaging-studies/{id}/forwards", forwards, 0},
    {NULL, NULL, NULL, 0},
};
