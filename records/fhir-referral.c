// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-referral.c - ServiceRequest and Task <- referral (read only:
 * referrals move through the workflow API). Ids are "referral-<id>",
 * beside the consultations' plain ids; fhir-request.c hands such ids
 * here.
 *
 *   ServiceRequest                        referral
 *   status  active (requested, accepted) | completed | revoked
 *           (declined, cancelled)
 *   intent = order
 *   priority routine | urgent | stat      urgency
 *   category <base>/CodeSystem/referral#up | #down   direction
 *   code <base>/CodeSystem/service#referral
 *   subject, requester (Practitioner)     resident_id, from_id
 *   performer[] Organization (the department's hospital, or the
 *           township clinic of a down-referral), CareTeam (its team),
 *           Practitioner (a named doctor)
 *   performerType.text                    the department's code
 *   basedOn ServiceRequest/referral-<parent>   parent_id
 *   reasonCode[0].text, note[0].text      reason, summary
 *   authoredOn, occurrenceDateTime        requested_at_us, appointment
 *   supportingInfo[]                      DiagnosticReport/ecg-<id>,
 *                                         ImagingStudy/<id>
 *
 *   Task                                  referral
 *   status  requested | accepted | rejected | completed | cancelled
 *   focus = ServiceRequest/referral-<id>; for, requester, authoredOn
 *   owner (Practitioner)                  answered_by
 *   lastModified                          the latest of its times
 *   statusReason.text                     decline_reason
 *   restriction.period.start              appointment or admission date
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <string.h>

#include "fhir-int.h"

#define PREFIX      "referral-"
#define CS_SERVICE  TC_FHIR_CS("service")
#define CS_REFERRAL TC_FHIR_CS("referral")

static const char *const request_status[] = {
    [TC_REC_REFERRAL_REQUESTED] = "active",
    [TC_REC_REFERRAL_ACCEPTED] = "active",
    [TC_REC_REFERRAL_DECLINED] = "revoked",
    [TC_REC_REFERRAL_COMPLETED] = "completed",
    [TC_REC_REFERRAL_CANCELLED] = "revoked",
};
static const char *const task_status[] = {
    [TC_REC_REFERRAL_REQUESTED] = "requested",
    [TC_REC_REFERRAL_ACCEPTED] = "accepted",
    [TC_REC_REFERRAL_DECLINED] = "rejected",
    [TC_REC_REFERRAL_COMPLETED] = "completed",
    [TC_REC_REFERRAL_CANCELLED] = "cancelled",
};
static const char *const priority_codes[] = {
    [TC_REC_CONSULTATION_ROUTINE] = "routine",
    [TC_REC_CONSULTATION_URGENT] = "urgent",
    [TC_REC_CONSULTATION_EMERGENCY] = "stat",
};

static bool
put_performers(json_t *res, const struct tc_rec_referral *r,
               const struct tc_rec_department *d)
{
    bool ok = true;

    ok &= tc_rec__fhir_push(
        res, "performer",
        tc_rec__fhir_ref_new("Organization", "",
                             r->direction == TC_REC_REFERRAL_UP
                                 ? d->organization_id
                                 : r->clinic_id));
    if (r->team_id && r->direction == TC_REC_REFERRAL_DOWN) {
        ok &= tc_rec__fhir_push(
            res, "performer",
            tc_rec__fhir_ref_new("CareTeam", "", r->team_id));
    }
    if (r->to_practitioner_id) {
        ok &= tc_rec__fhir_push(
            res, "performer",
            tc_rec__fhir_ref_new("Practitioner", "", r->to_practitioner_id));
    }
    ok &= tc_rec__fhir_put(res, "performerType",
                           json_pack("{s:s}", "text", d->code));
    return ok;
}

static json_t *
request_json(const struct tc_rec_referral *r,
             const struct tc_rec_department *d)
{
    json_t *res = tc_rec__fhir_resource_new("ServiceRequest", PREFIX, r->id);
    bool ok = res != NULL;

    ok &= tc_rec__fhir_put_str(res, "status",
                               TC_FHIR_MAP(request_status, r->status));
    ok &= tc_rec__fhir_put_str(res, "intent", "order");
    ok &= tc_rec__fhir_put_str(res, "priority",
                               TC_FHIR_MAP(priority_codes, r->urgency));
    ok &= tc_rec__fhir_push(
        res, "category",
        tc_rec__fhir_cc_new(CS_REFERRAL,
                            tc_rec_referral_direction_to_string(r->direction),
                            NULL));
    ok &= tc_rec__fhir_put(res, "code",
                           tc_rec__fhir_cc_new(CS_SERVICE, "referral", NULL));
    ok &= tc_rec__fhir_put_ref(res, "subject", "Patient", r->resident_id);
    ok &= tc_rec__fhir_put_instant(res, "authoredOn", r->requested_at_us);
    ok &= tc_rec__fhir_put_instant(res, "occurrenceDateTime",
                                   r->appointment_at_us);
    ok &= tc_rec__fhir_put_ref(res, "requester", "Practitioner", r->from_id);
    if (r->parent_id) {
        ok &= tc_rec__fhir_push(
            res, "basedOn",
            tc_rec__fhir_ref_new("ServiceRequest", PREFIX, r->parent_id));
    }
    ok &= put_performers(res, r, d);
    ok &= tc_rec__fhir_push(res, "reasonCode",
                            json_pack("{s:s}", "text", r->reason));
    if (r->summary) {
        ok &= tc_rec__fhir_push(res, "note",
                                json_pack("{s:s}", "text", r->summary));
    }
    for (size_t i = 0; i < r->n_ecg_studies; i++) {
        ok &=
            tc_rec__fhir_push(res, "supportingInfo",
                              tc_rec__fhir_ref_new("DiagnosticReport", "ecg-",
                                                   r->ecg_study_ids[i]));
    }
    for (size_t i = 0; i < r->n_imaging_studies; i++) {
        ok &= tc_rec__fhir_push(
            res, "supportingInfo",
            tc_rec__fhir_ref_new("ImagingStudy", "", r->imaging_study_ids[i]));
    }
    return ok ? res : (json_decref(res), NULL);
}

static json_t *
task_json(const struct tc_rec_referral *r)
{
    json_t *res = tc_rec__fhir_resource_new("Task", PREFIX, r->id);
    int64_t last = r->requested_at_us;
    bool ok = res != NULL;

    last = r->answered_at_us > last ? r->answered_at_us : last;
    last = r->completed_at_us > last ? r->completed_at_us : last;
    ok &= tc_rec__fhir_put_str(res, "status",
                               TC_FHIR_MAP(task_status, r->status));
    ok &= tc_rec__fhir_put_str(res, "intent", "order");
    ok &= tc_rec__fhir_put_str(res, "priority",
                               TC_FHIR_MAP(priority_codes, r->urgency));
    ok &= tc_rec__fhir_put(
        res, "focus", tc_rec__fhir_ref_new("ServiceRequest", PREFIX, r->id));
    ok &= tc_rec__fhir_put_ref(res, "for", "Patient", r->resident_id);
    ok &= tc_rec__fhir_put_instant(res, "authoredOn", r->requested_at_us);
    ok &= tc_rec__fhir_put_instant(res, "lastModified", last);
    ok &= tc_rec__fhir_put_ref(res, "requester", "Practitioner", r->from_id);
    ok &= tc_rec__fhir_put_ref(res, "owner", "Practitioner", r->answered_by);
    if (r->decline_reason) {
        ok &= tc_rec__fhir_put(res, "statusReason",
                               json_pack("{s:s}", "text", r->decline_reason));
    }
    if (r->appointment_at_us || r->admission_date) {
        json_t *start = r->appointment_at_us
                            ? tc_rec__fhir_instant_new(r->appointment_at_us)
                            : json_string(r->admission_date);
        ok &=
            tc_rec__fhir_put(res, "restriction",
                             json_pack("{s:{s:o}}", "period", "start", start));
    }
    return ok ? res : (json_decref(res), NULL);
}

int
tc_rec__fhir_referral_read(struct tc_rec_db *db, const char *type,
                           const char *id, json_t **out)
{
    struct tc_rec_department *d = NULL;
    struct tc_rec_referral *r = NULL;
    int64_t rid;
    int rc = tc_rec__fhir_id(db, type, id, PREFIX, &rid);

    rc = rc ? rc : tc_rec_referral_get(db, rid, &r);
    rc = rc ? rc : tc_rec_department_get(db, r->department_id, &d);
    if (rc == 0) {
        rc = tc_rec__fhir_done(
            db, strcmp(type, "Task") == 0 ? task_json(r) : request_json(r, d),
            true, out);
    }
    tc_rec_department_free(d);
    tc_rec_referral_free(r);
    return rc;
}
