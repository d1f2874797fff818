// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-request.c - ServiceRequest and Task <- consultation request (read
 * only: consultations move through the workflow API). The ServiceRequest
 * is what was asked; the Task is the request's progress. Both share the
 * consultation's id.
 *
 *   ServiceRequest                        consultation
 *   status  active (requested, accepted, scheduled, in progress) |
 *           completed | revoked (declined, cancelled)
 *   intent = order
 *   priority routine | urgent | stat      routine | urgent | emergency
 *   code <base>/CodeSystem/service#teleconsultation
 *   subject, requester (Practitioner)     resident_id, requester_id
 *   performer[0] (Organization), [1] (Practitioner)
 *                                         requested_org_id, _specialist_id
 *   reasonCode[0].text                    reason
 *   authoredOn                            requested_at_us
 *   occurrenceDateTime                    scheduled_for_us
 *   supportingInfo[]                      attached studies:
 *       DiagnosticReport/ecg-<id>, ImagingStudy/<id>
 *
 *   Task                                  consultation
 *   status  requested | accepted | rejected (declined) | accepted
 *           (scheduled) | in-progress | completed | cancelled
 *   intent = order; priority as above; focus = ServiceRequest/<id>
 *   for, requester, authoredOn            resident, requester, requested
 *   owner (Practitioner)                  accepted_by
 *   lastModified, statusReason.text       status_at_us, status_reason
 *   executionPeriod                       started_at_us / ended_at_us
 *   output[0] {type.text "opinion", valueString}   the latest opinion
 *
 * Ids "referral-<id>" are referrals (fhir-referral.c).
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <string.h>

#include "fhir-int.h"

#define CS_SERVICE TC_FHIR_CS("service")

static const char *const request_status[] = {
    [TC_REC_CONSULTATION_REQUESTED] = "active",
    [TC_REC_CONSULTATION_ACCEPTED] = "active",
    [TC_REC_CONSULTATION_DECLINED] = "revoked",
    [TC_REC_CONSULTATION_SCHEDULED] = "active",
    [TC_REC_CONSULTATION_IN_PROGRESS] = "active",
    [TC_REC_CONSULTATION_COMPLETED] = "completed",
    [TC_REC_CONSULTATION_CANCELLED] = "revoked",
};

static const char *const task_status[] = {
    [TC_REC_CONSULTATION_REQUESTED] = "requested",
    [TC_REC_CONSULTATION_ACCEPTED] = "accepted",
    [TC_REC_CONSULTATION_DECLINED] = "rejected",
    [TC_REC_CONSULTATION_SCHEDULED] = "accepted",
    [TC_REC_CONSULTATION_IN_PROGRESS] = "in-progress",
    [TC_REC_CONSULTATION_COMPLETED] = "completed",
    [TC_REC_CONSULTATION_CANCELLED] = "cancelled",
};

static const char *const priority_codes[] = {
    [TC_REC_CONSULTATION_ROUTINE] = "routine",
    [TC_REC_CONSULTATION_URGENT] = "urgent",
    [TC_REC_CONSULTATION_EMERGENCY] = "stat",
};

static int
consultation_load(struct tc_rec_db *db, const char *type, const char *id,
                  struct tc_rec_consultation **c)
{
    int64_t cid;
    int rc = tc_rec__fhir_id(db, type, id, "", &cid);

    return rc ? rc : tc_rec_consultation_get(db, cid, c);
}

static bool
put_supporting(json_t *res, const struct tc_rec_consultation *c)
{
    bool ok = true;

    for (size_t i = 0; i < c->n_ecg_studies; i++) {
        ok &=
            tc_rec__fhir_push(res, "supportingInfo",
                              tc_rec__fhir_ref_new("DiagnosticReport", "ecg-",
                                                   c->ecg_study_ids[i]));
    }
    for (size_t i = 0; i < c->n_imaging_studies; i++) {
        ok &= tc_rec__fhir_push(
            res, "supportingInfo",
            tc_rec__fhir_ref_new("ImagingStudy", "", c->imaging_study_ids[i]));
    }
    return ok;
}

static json_t *
request_json(const struct tc_rec_consultation *c)
{
    json_t *res = tc_rec__fhir_resource_new("ServiceRequest", "", c->id);
    bool ok = res != NULL;

    ok &= tc_rec__fhir_put_str(res, "status",
                               TC_FHIR_MAP(request_status, c->status));
    ok &= tc_rec__fhir_put_str(res, "intent", "order");
    ok &= tc_rec__fhir_put_str(res, "priority",
                               TC_FHIR_MAP(priority_codes, c->priority));
    ok &= tc_rec__fhir_put(
        res, "code",
        tc_rec__fhir_cc_new(CS_SERVICE, "teleconsultation", NULL));
    ok &= tc_rec__fhir_put_ref(res, "subject", "Patient", c->resident_id);
    ok &= tc_rec__fhir_put_instant(res, "occurrenceDateTime",
                                   c->scheduled_for_us);
    ok &= tc_rec__fhir_put_instant(res, "authoredOn", c->requested_at_us);
    ok &= tc_rec__fhir_put_ref(res, "requester", "Practitioner",
                               c->requester_id);
    if (c->requested_org_id) {
        ok &= tc_rec__fhir_push(
            res, "performer",
            tc_rec__fhir_ref_new("Organization", "", c->requested_org_id));
    }
    if (c->requested_specialist_id) {
        ok &= tc_rec__fhir_push(
            res, "performer",
            tc_rec__fhir_ref_new("Practitioner", "",
                                 c->requested_specialist_id));
    }
    ok &= tc_rec__fhir_push(res, "reasonCode",
                            json_pack("{s:s}", "text", c->reason));
    ok &= put_supporting(res, c);
    return ok ? res : (json_decref(res), NULL);
}

static json_t *
task_json(const struct tc_rec_consultation *c)
{
    json_t *res = tc_rec__fhir_resource_new("Task", "", c->id);
    bool ok = res != NULL;

    ok &= tc_rec__fhir_put_str(res, "status",
                               TC_FHIR_MAP(task_status, c->status));
    ok &= tc_rec__fhir_put_str(res, "intent", "order");
    ok &= tc_rec__fhir_put_str(res, "priority",
                               TC_FHIR_MAP(priority_codes, c->priority));
    ok &= tc_rec__fhir_put_ref(res, "focus", "ServiceRequest", c->id);
    ok &= tc_rec__fhir_put_ref(res, "for", "Patient", c->resident_id);
    ok &= tc_rec__fhir_put_instant(res, "authoredOn", c->requested_at_us);
    ok &= tc_rec__fhir_put_instant(res, "lastModified",
                                   c->status_at_us ? c->status_at_us
                                                   : c->requested_at_us);
    ok &= tc_rec__fhir_put_ref(res, "requester", "Practitioner",
                               c->requester_id);
    ok &= tc_rec__fhir_put_ref(res, "owner", "Practitioner", c->accepted_by);
    if (c->status_reason) {
        ok &= tc_rec__fhir_put(res, "statusReason",
                               json_pack("{s:s}", "text", c->status_reason));
    }
    if (c->started_at_us) {
        json_t *period = json_object();
        ok &= period &&
              tc_rec__fhir_put_instant(period, "start", c->started_at_us);
        ok &=
            !period || tc_rec__fhir_put_instant(period, "end", c->ended_at_us);
        ok &= tc_rec__fhir_put(res, "executionPeriod", period);
    }
    if (c->opinion) {
        ok &=
            tc_rec__fhir_push(res, "output",
                              json_pack("{s:{s:s},s:s}", "type", "text",
                                        "opinion", "valueString", c->opinion));
    }
    return ok ? res : (json_decref(res), NULL);
}

static int
request_read(struct tc_rec_db *db, const char *id, json_t **out)
{
    struct tc_rec_consultation *c = NULL;
    int rc;

    if (strncmp(id, "referral-", 9) == 0) {
        return tc_rec__fhir_referral_read(db, "ServiceRequest", id, out);
    }
    rc = consultation_load(db, "ServiceRequest", id, &c);

    rc = rc ? rc : tc_rec__fhir_done(db, request_json(c), true, out);
    tc_rec_consultation_free(c);
    return rc;
}

static int
task_read(struct tc_rec_db *db, const char *id, json_t **out)
{
    struct tc_rec_consultation *c = NULL;
    int rc;

    if (strncmp(id, "referral-", 9) == 0) {
        return tc_rec__fhir_referral_read(db, "Task", id, out);
    }
    rc = consultation_load(db, "Task", id, &c);

    rc = rc ? rc : tc_rec__fhir_done(db, task_json(c), true, out);
    tc_rec_consultation_free(c);
    return rc;
}

const struct tc_rec__fhir_type tc_rec__fhir_service_request = {
    .name = "ServiceRequest",
    .read = request_read,
};

const struct tc_rec__fhir_type tc_rec__fhir_task = {
    .name = "Task",
    .read = task_read,
};
