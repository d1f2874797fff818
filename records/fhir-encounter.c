// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-encounter.c - Encounter <- rehab session ("session-<id>") and
 * consultation ("consultation-<id>"). Read only: sessions and
 * consultations move through the workflow API.
 *
 *   Encounter (session-<id>)             rehab session
 *   status  planned | in-progress | finished | cancelled | cancelled
 *                                        scheduled | in_progress |
 *                                        completed | missed | cancelled
 *   class (v3-ActCode) VR (virtual) | HH (home health)
 *                                        live_guided, self_guided |
 *                                        home_visit
 *   type[0] (<base>/CodeSystem/session-mode)      mode
 *   subject (Patient)                    resident_id
 *   participant[0].individual            therapist_id
 *   period.start / .end                  started_at_us / ended_at_us
 *   extension[<base>/StructureDefinition/encounter-careplan]  plan_id
 *   extension[.../encounter-scheduled].valueDateTime     scheduled_at_us
 *   extension[.../rehab-session-result].extension[]: completion,
 *     painBefore, painAfter, difficulty, reviewScore (valueInteger),
 *     attendance (valueCode alone | with_carer)   what was reported
 *
 *   Encounter (consultation-<id>)        consultation
 *   status  planned (requested, accepted, scheduled) | in-progress |
 *           finished (completed) | cancelled (declined, cancelled)
 *   class VR; type[0] <base>/CodeSystem/encounter-type#teleconsultation
 *   priority (v3-ActPriority) R | UR | EM   routine | urgent | emergency
 *   subject, basedOn[0] = ServiceRequest/<id>, reasonCode[0].text
 *   participant[] (Practitioner)         practitioner participants
 *   period.start / .end                  started_at_us / ended_at_us
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <string.h>

#include "fhir-int.h"

#define CS_ACTCODE  "http://terminology.hl7.org/CodeSystem/v3-ActCode"
#define CS_PRIORITY "http://terminology.hl7.org/CodeSystem/v3-ActPriority"
#define CS_MODE     TC_FHIR_CS("session-mode")
#define CS_ENC_TYPE TC_FHIR_CS("encounter-type")
#define EXT_PLAN    TC_FHIR_EXT("encounter-careplan")
#define EXT_SCHED   TC_FHIR_EXT("encounter-scheduled")
#define EXT_RESULT  TC_FHIR_EXT("rehab-session-result")

static const char *const session_status[] = {
    [TC_REC_REHAB_SESSION_SCHEDULED] = "planned",
    [TC_REC_REHAB_SESSION_IN_PROGRESS] = "in-progress",
    [TC_REC_REHAB_SESSION_COMPLETED] = "finished",
    [TC_REC_REHAB_SESSION_MISSED] = "cancelled",
    [TC_REC_REHAB_SESSION_CANCELLED] = "cancelled",
};

static const char *const consult_status[] = {
    [TC_REC_CONSULTATION_REQUESTED] = "planned",
    [TC_REC_CONSULTATION_ACCEPTED] = "planned",
    [TC_REC_CONSULTATION_DECLINED] = "cancelled",
    [TC_REC_CONSULTATION_SCHEDULED] = "planned",
    [TC_REC_CONSULTATION_IN_PROGRESS] = "in-progress",
    [TC_REC_CONSULTATION_COMPLETED] = "finished",
    [TC_REC_CONSULTATION_CANCELLED] = "cancelled",
};

static const char *const priority_codes[] = {
    [TC_REC_CONSULTATION_ROUTINE] = "R",
    [TC_REC_CONSULTATION_URGENT] = "UR",
    [TC_REC_CONSULTATION_EMERGENCY] = "EM",
};

static bool
put_period(json_t *res, int64_t start_us, int64_t end_us)
{
    json_t *period;
    bool ok;

    if (start_us <= 0) {
        return true;
    }
    period = json_object();
    ok = period && tc_rec__fhir_put_instant(period, "start", start_us);
    ok &= !period || tc_rec__fhir_put_instant(period, "end", end_us);
    return tc_rec__fhir_put(res, "period", period) && ok;
}

/* The reported values, as sub-extensions (absent ones left out). */
static json_t *
result_json(const struct tc_rec_rehab_session *s)
{
    const struct {
        const char *url;
        int v;
    } parts[] = {{"completion", s->completion_pct},
                 {"painBefore", s->pain_before},
                 {"painAfter", s->pain_after},
                 {"difficulty", s->difficulty},
                 {"reviewScore", s->review_score ? s->review_score : -1}};
    json_t *ext = json_pack("{s:s,s:[]}", "url", EXT_RESULT, "extension");
    bool ok = ext != NULL;

    for (size_t i = 0; ext && i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (parts[i].v >= 0) {
            ok &= tc_rec__fhir_push(
                ext, "extension",
                tc_rec__fhir_ext_new(parts[i].url, "valueInteger",
                                     json_integer(parts[i].v)));
        }
    }
    if (ext && s->attendance) {
        ok &= tc_rec__fhir_push(
            ext, "extension",
            tc_rec__fhir_ext_new(
                "attendance", "valueCode",
                json_string(s->attendance == TC_REC_REHAB_ATTENDANCE_ALONE
                                ? "alone"
                                : "with_carer")));
    }
    return ok ? ext : (json_decref(ext), NULL);
}

static json_t *
session_json(const struct tc_rec_rehab_session *s)
{
    json_t *res = tc_rec__fhir_resource_new("Encounter", "session-", s->id);
    bool ok = res != NULL;

    ok &= tc_rec__fhir_push(
        res, "extension",
        tc_rec__fhir_ext_new(
            EXT_PLAN, "valueReference",
            tc_rec__fhir_ref_new("CarePlan", "", s->plan_id)));
    ok &= tc_rec__fhir_push(
        res, "extension",
        tc_rec__fhir_ext_new(EXT_SCHED, "valueDateTime",
                             tc_rec__fhir_instant_new(s->scheduled_at_us)));
    if (s->status == TC_REC_REHAB_SESSION_COMPLETED) {
        ok &= tc_rec__fhir_push(res, "extension", result_json(s));
    }
    ok &= tc_rec__fhir_put_str(res, "status",
                               TC_FHIR_MAP(session_status, s->status));
    ok &= tc_rec__fhir_put(
        res, "class",
        json_pack("{s:s,s:s}", "system", CS_ACTCODE, "code",
                  s->mode == TC_REC_REHAB_HOME_VISIT ? "HH" : "VR"));
    ok &= tc_rec__fhir_push(
        res, "type",
        tc_rec__fhir_cc_new(
            CS_MODE, tc_rec_rehab_session_mode_to_string(s->mode), NULL));
    ok &= tc_rec__fhir_put_ref(res, "subject", "Patient", s->resident_id);
    if (s->therapist_id) {
        ok &= tc_rec__fhir_push(
            res, "participant",
            json_pack(
                "{s:o}", "individual",
                tc_rec__fhir_ref_new("Practitioner", "", s->therapist_id)));
    }
    ok &= put_period(res, s->started_at_us, s->ended_at_us);
    return ok ? res : (json_decref(res), NULL);
}

static json_t *
consultation_json(const struct tc_rec_consultation *c)
{
    json_t *res =
        tc_rec__fhir_resource_new("Encounter", "consultation-", c->id);
    bool ok = res != NULL;

    ok &= tc_rec__fhir_put_str(res, "status",
                               TC_FHIR_MAP(consult_status, c->status));
    ok &= tc_rec__fhir_put(
        res, "class",
        json_pack("{s:s,s:s}", "system", CS_ACTCODE, "code", "VR"));
    ok &= tc_rec__fhir_push(
        res, "type",
        tc_rec__fhir_cc_new(CS_ENC_TYPE, "teleconsultation", NULL));
    ok &= tc_rec__fhir_put(
        res, "priority",
        tc_rec__fhir_cc_new(CS_PRIORITY,
                            TC_FHIR_MAP(priority_codes, c->priority), NULL));
    ok &= tc_rec__fhir_put_ref(res, "subject", "Patient", c->resident_id);
    ok &= tc_rec__fhir_push(res, "basedOn",
                            tc_rec__fhir_ref_new("ServiceRequest", "", c->id));
    for (size_t i = 0; i < c->n_participants; i++) {
        if (c->participants[i].kind != TC_REC_PARTY_PRACTITIONER) {
            continue;
        }
        ok &= tc_rec__fhir_push(
            res, "participant",
            json_pack("{s:o}", "individual",
                      tc_rec__fhir_ref_new("Practitioner", "",
                                           c->participants[i].party_id)));
    }
    ok &= put_period(res, c->started_at_us, c->ended_at_us);
    ok &= tc_rec__fhir_push(res, "reasonCode",
                            json_pack("{s:s}", "text", c->reason));
    return ok ? res : (json_decref(res), NULL);
}

static int
encounter_read(struct tc_rec_db *db, const char *id, json_t **out)
{
    struct tc_rec_rehab_session *s = NULL;
    struct tc_rec_consultation *c = NULL;
    int64_t rid;
    int rc;

    if (strncmp(id, "session-", 8) == 0) {
        rc = tc_rec__fhir_id(db, "Encounter", id, "session-", &rid);
        rc = rc ? rc : tc_rec_rehab_session_get(db, rid, &s);
        rc = rc ? rc : tc_rec__fhir_done(db, session_json(s), true, out);
        tc_rec_rehab_session_free(s);
        return rc;
    }
    rc = tc_rec__fhir_id(db, "Encounter", id, "consultation-", &rid);
    rc = rc ? rc : tc_rec_consultation_get(db, rid, &c);
    rc = rc ? rc : tc_rec__fhir_done(db, consultation_json(c), true, out);
    tc_rec_consultation_free(c);
    return rc;
}

const struct tc_rec__fhir_type tc_rec__fhir_encounter = {
    .name = "Encounter",
    .read = encounter_read,
};
