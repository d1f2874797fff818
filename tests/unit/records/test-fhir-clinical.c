// SPDX-License-Identifier: Apache-2.0
/*
 * test-fhir-clinical.c - the clinical resources: CarePlan and Goal (round
 * trips), Observation for a Barthel index (round trip, refusals) and ECG
 * measurements, and the read-only mappings built from records written
 * through the C API: Encounter (session, consultation), ServiceRequest,
 * Task, Consent, DiagnosticReport (ECG, imaging) and ImagingStudy.
 */
#include "test-fhir-fixture.h"

#define EXT(x) "https://telecare.example.org/fhir/StructureDefinition/" x
#define CS(x)  "https://telecare.example.org/fhir/CodeSystem/" x

static const struct tc_rec_fhir_ctx *
ctx_as(struct fixture *f)
{
    static struct tc_rec_fhir_ctx ctx;

    ctx = (struct tc_rec_fhir_ctx){.now_us = NOW_US, .actor_id = f->therapist};
    return &ctx;
}

static char *
plan_text(struct fixture *f, const char *status, const char *end)
{
    char *s;

    if (asprintf(
            &s,
            "{\"resourceType\": \"CarePlan\", \"status\": \"%s\", "
            "\"intent\": \"plan\", \"title\": \"Walking again\", "
            "\"subject\": {\"reference\": \"Patient/%lld\"}, "
            "\"period\": {\"start\": \"2026-03-01\", \"end\": \"%s\"}, "
            "\"contributor\": [{\"reference\": \"Practitioner/%lld\"}], "
            "\"supportingInfo\": [{\"reference\": \"Contract/%lld\"}], "
            "\"activity\": [{\"detail\": {\"code\": {\"text\": \"Sit to "
            "stand\"}, \"description\": \"Slowly\", \"scheduledTiming\": "
            "{"
            "\"repeat\": {\"frequency\": 3, \"period\": 1, "
            "\"periodUnit\": "
            "\"wk\"}}, \"extension\": [{\"url\": \"" EXT(
                "exercise-sets") "\", \"valueInteger\": 3}, {\"url\": "
                                 "\"" EXT(
                                     "exercise-reps") "\", "
                                                      "\"valueIntege"
                                                      "r\": 10}, "
                                                      "{\"url\": "
                                                      "\"" EXT(
                                                          "exer"
                                                          "cise"
                                                          "-vid"
                                                          "eo") "\", "
                                                                "\"valueUrl\":"
                                                                " \"media/"
                                                                "sit.mp4\"}]}}"
                                                                "]}",
            status, (long long)f->resident, end, (long long)f->therapist,
            (long long)f->contract) < 0) {
        abort();
    }
    return s;
}

static int
create_as(struct fixture *f, const char *text, json_t **out, int64_t *id)
{
    json_t *in = jparse(text), *res = NULL;
    int rc = tc_rec_fhir_create(f->db, NULL, in, ctx_as(f), &res);

    json_decref(in);
    if (rc == 0 && id) {
        const char *s = json_string_value(json_object_get(res, "id"));
        while (*s && (*s < '0' || *s > '9')) {
            s++;
        }
        *id = strtoll(s, NULL, 10);
    }
    if (out) {
        *out = res;
    } else {
        json_decref(res);
    }
    return rc;
}

static void
test_careplan_and_goal_round_trip(void)
{
    struct fixture f;
    struct tc_rec_rehab_plan *pl = NULL;
    char *text, goal[1024];
    json_t *res = NULL, *g = NULL;
    int64_t id = 0, gid = 0;

    fixture_open(&f, "careplan.db");
    text = plan_text(&f, "active", "2026-06-30");
    TC_REQUIRE(create_as(&f, text, &res, &id) == 0);
    TC_CHECK(reads_back(f.db, res));
    TC_CHECK_STR_EQ(jstr(res, "status"), "active");
    snprintf(goal, sizeof(goal), "Practitioner/%lld", (long long)f.therapist);
    TC_CHECK_STR_EQ(jstr(res, "author.reference"), goal);
    TC_CHECK_STR_EQ(jstr(res, "activity[0].detail.code.text"), "Sit to stand");
    TC_CHECK_STR_EQ(jstr(res, "activity[0].detail.status"), "in-progress");
    TC_CHECK_EQ(jint(res, "activity[0].detail.scheduledTiming.repeat."
                          "frequency"),
                3);
    snprintf(goal, sizeof(goal),
             "{\"resourceType\": \"Goal\", \"lifecycleStatus\": \"active\", "
             "\"description\": {\"text\": \"Climb stairs\"}, \"subject\": "
             "{\"reference\": \"Patient/%lld\"}, \"target\": [{\"measure\": "
             "{\"text\": \"10 steps unaided\"}, \"dueDate\": "
             "\"2026-05-31\"}], \"extension\": [{\"url\": \"" EXT(
                 "goal-careplan") "\", \"valueReference\": {\"reference\": "
                                  "\"CarePlan/%lld\"}}]}",
             (long long)f.resident, (long long)id);
    TC_REQUIRE(create_as(&f, goal, &g, &gid) == 0);
    TC_CHECK(reads_back(f.db, g));
    TC_CHECK_STR_EQ(jstr(g, "achievementStatus.coding[0].code"),
                    "in-progress");
    TC_CHECK_STR_EQ(jstr(g, "target[0].dueDate"), "2026-05-31");
    TC_REQUIRE(tc_rec_rehab_plan_get(f.db, id, &pl) == 0);
    TC_CHECK_EQ(pl->status, TC_REC_REHAB_PLAN_ACTIVE);
    TC_CHECK_EQ(pl->n_exercises, 1);
    TC_CHECK_EQ(pl->exercises[0].reps, 10);
    TC_CHECK_STR_EQ(pl->exercises[0].video_ref, "media/sit.mp4");
    TC_CHECK_EQ(pl->n_goals, 1);
    TC_CHECK_STR_EQ(pl->goals[0].target, "10 steps unaided");
    tc_rec_rehab_plan_free(pl);
    json_decref(res);
    json_decref(g);
    free(text);
    fixture_close(&f);
}

static void
test_careplan_refusals(void)
{
    struct fixture f;
    char *outside, *done, *before;
    json_t *in;

    fixture_open(&f, "careplan-refusals.db");
    outside = plan_text(&f, "draft", "2027-06-30");
    done = plan_text(&f, "completed", "2026-06-30");
    before = fixture_dump(&f);
    in = jparse(outside);
    TC_CHECK_EQ(tc_rec_fhir_create(f.db, NULL, in, ctx_as(&f), NULL), -EINVAL);
    TC_CHECK_STR_EQ(tc_rec_fhir_errpath(f.db), "CarePlan.period");
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "outside contract");
    json_decref(in);
    in = jparse(done);
    TC_CHECK_EQ(tc_rec_fhir_create(f.db, NULL, in, ctx_as(&f), NULL), -EPERM);
    TC_CHECK_STR_EQ(tc_rec_fhir_errpath(f.db), "CarePlan.status");
    json_decref(in);
    TC_CHECK_UNCHANGED(&f, before);
    free(outside);
    free(done);
    fixture_close(&f);
}

/* A Barthel Observation; items[] below with transfers replaced, all ten
 * items unless without_stairs, and extra members `more`. */
static char *
barthel_text(struct fixture *f, int transfers, bool without_stairs,
             const char *more)
{
    const char *items[] = {"feeding",  "bathing", "grooming",   "dressing",
                           "bowels",   "bladder", "toilet_use", "transfers",
                           "mobility", "stairs"};
    const int scores[] = {10, 5, 5, 10, 10, 10, 10, 0, 15, 5};
    char comps[2048] = "";
    char *s;

    for (int i = 0; i < (without_stairs ? 9 : 10); i++) {
        size_t n = strlen(comps);
        snprintf(comps + n, sizeof(comps) - n,
                 "%s{\"code\": {\"coding\": [{\"system\": \"" CS(
                     "barthel") "\", \"code\": \"%s\"}]}, \"valueInteger\": "
                                "%d}",
                 i ? ", " : "", items[i], i == 7 ? transfers : scores[i]);
    }
    if (asprintf(
            &s,
            "{\"resourceType\": \"Observation\", \"status\": \"final\", "
            "\"code\": {\"coding\": [{\"system\": \"" CS(
                "barthel") "\", \"code\": \"total\"}]}, \"subject\": "
                           "{\"reference\": "
                           "\"Patient/%lld\"}, \"effectiveDateTime\": "
                           "\"2026-03-01T09:30:00Z\", \"performer\": "
                           "[{\"reference\": "
                           "\"Practitioner/%lld\"}], \"component\": [%s]%s%s}",
            (long long)f->resident, (long long)f->therapist, comps,
            more[0] ? ", " : "", more) < 0) {
        abort();
    }
    return s;
}

static void
test_barthel_observation_round_trip(void)
{
    struct fixture f;
    struct tc_rec_barthel *b = NULL;
    char *text;
    json_t *res = NULL;
    int64_t id = 0;

    fixture_open(&f, "barthel.db");
    text = barthel_text(&f, 10, false, "\"valueInteger\": 90");
    TC_REQUIRE(fhir_create_text(f.db, "Observation", text, &res, &id) == 0);
    TC_CHECK(reads_back(f.db, res));
    TC_CHECK_EQ(jint(res, "valueInteger"), 90);
    TC_CHECK_STR_EQ(jstr(res, "interpretation[0].coding[0].code"), "moderate");
    TC_CHECK_STR_EQ(jstr(res, "component[7].code.coding[0].code"),
                    "transfers");
    TC_CHECK_EQ(jint(res, "component[7].valueInteger"), 10);
    TC_REQUIRE(tc_rec_barthel_get(f.db, id, &b) == 0);
    TC_CHECK_EQ(b->items.transfers, 10);
    TC_CHECK_EQ(b->assessor_id, f.therapist);
    TC_CHECK_EQ(b->total, 90);
    tc_rec_barthel_free(b);
    json_decref(res);
    free(text);
    fixture_close(&f);
}

static void
test_barthel_refusals(void)
{
    struct fixture f;
    char *bad_score, *bad_total, *missing;

    fixture_open(&f, "barthel-refusals.db");
    bad_score = barthel_text(&f, 7, false, "");
    bad_total = barthel_text(&f, 10, false, "\"valueInteger\": 100");
    missing = barthel_text(&f, 10, true, "");
    TC_CHECK_REFUSED(&f, "Observation", bad_score, -EINVAL,
                     "Observation.component[7].valueInteger",
                     "not an allowed score");
    TC_CHECK_REFUSED(&f, "Observation", bad_total, -EINVAL,
                     "Observation.valueInteger", "sum of the items");
    TC_CHECK_REFUSED(&f, "Observation", missing, -EINVAL,
                     "Observation.component", "stairs is missing");
    free(bad_score);
    free(bad_total);
    free(missing);
    fixture_close(&f);
}

static void
test_session_reads_as_encounter(void)
{
    struct fixture f;
    struct tc_rec_rehab_session_new sn = {0};
    struct tc_rec_rehab_session_result result = {0};
    char *text, sid[40];
    json_t *res = NULL;
    int64_t plan = 0, session = 0;

    fixture_open(&f, "session.db");
    text = plan_text(&f, "active", "2026-06-30");
    TC_REQUIRE(create_as(&f, text, NULL, &plan) == 0);
    sn = (struct tc_rec_rehab_session_new){plan, TC_REC_REHAB_LIVE_GUIDED,
                                           NOW_US + 3600000000LL, f.therapist};
    TC_REQUIRE(tc_rec_rehab_session_schedule(f.db, &sn, &session) == 0);
    TC_REQUIRE(tc_rec_rehab_session_start(f.db, session, NOW_US + 3600000000LL,
                                          3) == 0);
    result = (struct tc_rec_rehab_session_result){
        NOW_US + 5400000000LL,
        TC_REC_REHAB_ATTENDANCE_WITH_CARER,
        80,
        2,
        3,
        NULL};
    TC_REQUIRE(tc_rec_rehab_session_finish(f.db, session, &result) == 0);
    snprintf(sid, sizeof(sid), "session-%lld", (long long)session);
    TC_REQUIRE(tc_rec_fhir_read(f.db, "Encounter", sid, &res) == 0);
    TC_CHECK_STR_EQ(jstr(res, "status"), "finished");
    TC_CHECK_STR_EQ(jstr(res, "class.code"), "VR");
    TC_CHECK_STR_EQ(jstr(res, "type[0].coding[0].code"), "live_guided");
    TC_CHECK_STR_EQ(jstr(res, "period.start"), "2026-03-01T09:00:00Z");
    TC_CHECK_STR_EQ(jstr(res, "period.end"), "2026-03-01T09:30:00Z");
    TC_CHECK_EQ(jint(res, "extension[2].extension[0].valueInteger"), 80);
    TC_CHECK_STR_EQ(jstr(res, "extension[2].extension[4].valueCode"),
                    "with_carer");
    json_decref(res);
    TC_CHECK_EQ(tc_rec_fhir_read(f.db, "Encounter", "session-999", &res),
                -ENOENT);
    free(text);
    fixture_close(&f);
}

static void
test_consultation_reads_as_request_task_encounter_consent(void)
{
    struct fixture f;
    struct tc_rec_consultation_new cn = {0};
    json_t *res = NULL;
    char id[40];
    int64_t c = 0, consent = 0;

    fixture_open(&f, "consultation.db");
    cn = (struct tc_rec_consultation_new){
        .requester_id = f.doctor,
        .requested_specialist_id = f.specialist,
        .resident_id = f.resident,
        .reason = "Palpitations",
        .priority = TC_REC_CONSULTATION_URGENT,
        .requested_at_us = NOW_US};
    TC_REQUIRE(tc_rec_consultation_request(f.db, &cn, &c) == 0);
    TC_REQUIRE(tc_rec_consultation_accept(f.db, c, f.specialist, NOW_US + 1) ==
               0);
    TC_REQUIRE(tc_rec_consultation_consent_give(
                   f.db, c, TC_REC_CONSENT_RECORDING, f.carer, f.doctor,
                   NOW_US + 2, &consent) == 0);
    snprintf(id, sizeof(id), "%lld", (long long)c);
    TC_REQUIRE(tc_rec_fhir_read(f.db, "ServiceRequest", id, &res) == 0);
    TC_CHECK_STR_EQ(jstr(res, "status"), "active");
    TC_CHECK_STR_EQ(jstr(res, "priority"), "urgent");
    TC_CHECK_STR_EQ(jstr(res, "reasonCode[0].text"), "Palpitations");
    json_decref(res);
    TC_REQUIRE(tc_rec_fhir_read(f.db, "Task", id, &res) == 0);
    TC_CHECK_STR_EQ(jstr(res, "status"), "accepted");
    snprintf(id, sizeof(id), "Practitioner/%lld", (long long)f.specialist);
    TC_CHECK_STR_EQ(jstr(res, "owner.reference"), id);
    json_decref(res);
    snprintf(id, sizeof(id), "consultation-%lld", (long long)c);
    TC_REQUIRE(tc_rec_fhir_read(f.db, "Encounter", id, &res) == 0);
    TC_CHECK_STR_EQ(jstr(res, "status"), "planned");
    TC_CHECK_STR_EQ(jstr(res, "priority.coding[0].code"), "UR");
    json_decref(res);
    snprintf(id, sizeof(id), "%lld", (long long)consent);
    TC_REQUIRE(tc_rec_fhir_read(f.db, "Consent", id, &res) == 0);
    TC_CHECK_STR_EQ(jstr(res, "status"), "active");
    TC_CHECK_STR_EQ(jstr(res, "category[1].coding[0].code"), "recording");
    snprintf(id, sizeof(id), "carer %lld", (long long)f.carer);
    TC_CHECK_STR_EQ(jstr(res, "performer[0].display"), id);
    snprintf(id, sizeof(id), "%lld", (long long)consent);
    json_decref(res);
    TC_REQUIRE(tc_rec_consultation_consent_withdraw(
                   f.db, c, TC_REC_CONSENT_RECORDING, NOW_US + 3) == 0);
    TC_REQUIRE(tc_rec_fhir_read(f.db, "Consent", id, &res) == 0);
    TC_CHECK_STR_EQ(jstr(res, "status"), "inactive");
    json_decref(res);
    fixture_close(&f);
}

static void
test_ecg_reads_as_report_and_observation(void)
{
    struct fixture f;
    struct tc_rec_ecg_study_new en = {0};
    struct tc_rec_ecg_report_in rin = {"Sinus rhythm", 72, 160, 90, 380, 410,
                                       "Normal ECG"};
    json_t *res = NULL;
    char id[40];
    int64_t study = 0;

    fixture_open(&f, "ecg.db");
    en = (struct tc_rec_ecg_study_new){.resident_id = f.resident,
                                       .device_id = "ECG-12",
                                       .leads = "I,II,III",
                                       .sample_rate_hz = 500,
                                       .started_at_us = NOW_US,
                                       .duration_ms = 10000,
                                       .storage_path = "ecg/1",
                                       .organization_id = f.clinic};
    TC_REQUIRE(tc_rec_ecg_study_create(f.db, &en, &study) == 0);
    snprintf(id, sizeof(id), "ecg-%lld", (long long)study);
    TC_CHECK_EQ(tc_rec_fhir_read(f.db, "Observation", id, &res), -ENOENT);
    TC_REQUIRE(tc_rec_fhir_read(f.db, "DiagnosticReport", id, &res) == 0);
    TC_CHECK_STR_EQ(jstr(res, "status"), "registered");
    json_decref(res);
    TC_REQUIRE(tc_rec_ecg_report_sign(f.db, study, &rin, f.reader,
                                      NOW_US + 60000000) == 0);
    TC_REQUIRE(tc_rec_fhir_read(f.db, "DiagnosticReport", id, &res) == 0);
    TC_CHECK_STR_EQ(jstr(res, "status"), "final");
    TC_CHECK_STR_EQ(jstr(res, "conclusion"), "Normal ECG");
    TC_CHECK_STR_EQ(jstr(res, "category[0].coding[0].code"), "EC");
    json_decref(res);
    TC_REQUIRE(tc_rec_fhir_read(f.db, "Observation", id, &res) == 0);
    TC_CHECK_STR_EQ(jstr(res, "component[0].code.coding[0].code"), "8867-4");
    TC_CHECK_EQ(jint(res, "component[0].valueQuantity.value"), 72);
    TC_CHECK_EQ(jint(res, "component[4].valueQuantity.value"), 410);
    json_decref(res);
    fixture_close(&f);
}

static void
test_imaging_reads_as_study_and_report(void)
{
    struct fixture f;
    struct tc_rec_imaging_instance_in in = {
        .study_uid = "1.2.840.1",
        .accession = "ACC-1",
        .study_description = "Chest",
        .study_date = "2026-03-01",
        .series_uid = "1.2.840.1.1",
        .modality = "CR",
        .series_number = 1,
        .series_description = "PA",
        .sop_instance_uid = "1.2.840.1.1.1",
        .sop_class_uid = "1.2.840.10008.5.1.4.1.1.1",
        .storage_path = "dicom/ab",
        .sha256 =
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        .size_bytes = 1024,
        .received_at_us = NOW_US};
    struct tc_rec_imaging_report_in rep = {"No consolidation.", "Normal"};
    json_t *res = NULL;
    char id[40];
    int64_t study = 0;

    fixture_open(&f, "imaging.db");
    in.resident_id = f.resident;
    TC_REQUIRE(tc_rec_imaging_instance_store(f.db, &in, &study) == 0);
    snprintf(id, sizeof(id), "%lld", (long long)study);
    TC_REQUIRE(tc_rec_fhir_read(f.db, "ImagingStudy", id, &res) == 0);
    TC_CHECK_STR_EQ(jstr(res, "identifier[0].value"), "urn:oid:1.2.840.1");
    TC_CHECK_STR_EQ(jstr(res, "series[0].uid"), "1.2.840.1.1");
    TC_CHECK_STR_EQ(jstr(res, "series[0].instance[0].uid"), "1.2.840.1.1.1");
    TC_CHECK_EQ(jint(res, "numberOfInstances"), 1);
    json_decref(res);
    TC_REQUIRE(
        tc_rec_imaging_study_assign(f.db, study, f.radiologist, NOW_US) == 0);
    TC_REQUIRE(tc_rec_imaging_report_sign(f.db, study, &rep, f.radiologist,
                                          NOW_US + 1000000) == 0);
    snprintf(id, sizeof(id), "imaging-%lld", (long long)study);
    TC_REQUIRE(tc_rec_fhir_read(f.db, "DiagnosticReport", id, &res) == 0);
    TC_CHECK_STR_EQ(jstr(res, "status"), "final");
    TC_CHECK_STR_EQ(jstr(res, "conclusion"), "Normal");
    TC_CHECK_STR_EQ(jstr(res, "presentedForm[0].data"),
                    "Tm8gY29uc29saWRhdGlvbi4=");
    json_decref(res);
    fixture_close(&f);
}

int
main(void)
{
    if (fixture_main_begin() < 0) {
        return 1;
    }
    TC_RUN(test_careplan_and_goal_round_trip);
    TC_RUN(test_careplan_refusals);
    TC_RUN(test_barthel_observation_round_trip);
    TC_RUN(test_barthel_refusals);
    TC_RUN(test_session_reads_as_encounter);
    TC_RUN(test_consultation_reads_as_request_task_encounter_consent);
    TC_RUN(test_ecg_reads_as_report_and_observation);
    TC_RUN(test_imaging_reads_as_study_and_report);
    return fixture_main_end();
}
