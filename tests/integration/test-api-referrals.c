// SPDX-License-Identifier: Apache-2.0
/*
 * test-api-referrals.c - tiered-care referrals through the real server:
 * the family doctor of East clinic refers resident R up to the county's
 * cardiology with an ECG attached; the department's doctor (spec2, its
 * head) sees it incoming and accepts it with an appointment, while a
 * doctor of another hospital is refused it; the team's therapist sees
 * its status through the care rules; the county sends R back down with a
 * discharge summary and a follow-up plan that lands in R's contract's
 * follow-up schedule; the clinic side acknowledges it; the timeline
 * shows the chain; FHIR ServiceRequest and Task mirror it; a second
 * referral is declined (a reason is required); the statistics per
 * township and department count all of it. Then the on-call rota (the
 * head edits it, the family doctor may not), and bad requests: each
 * refused naming the field, nothing half-written.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>
#include <sqlite3.h>

#include "county-fixture.h"

static struct fx f;
static int64_t ecg_id, ecg_other, cardio, city_cardio, up_id, down_id;

#define J(x) ((json_int_t)(x))

static int64_t
ecg_of(struct tc_rec_db *db, int64_t resident)
{
    struct tc_rec_ecg_study_new in = {
        .resident_id = resident,
        .device_id = "ecg-7",
        .leads = "I,II,III",
        .sample_rate_hz = 500,
        .started_at_us = g_get_real_time() - 3600 * 1000000LL,
        .duration_ms = 30000,
        .storage_path = "ecg/7",
    };
    int64_t id = 0;

    if (tc_rec_ecg_study_create(db, &in, &id) != 0) {
        printf("# ecg: %s\n", tc_rec_errmsg(db));
        abort();
    }
    return id;
}

/* Cardiology at the county hospital, headed by spec2; cardiology at the
 * city hospital, where spec works. */
static void
setup(struct fx *fx, struct tc_rec_db *db)
{
    struct tc_rec_department d = {.organization_id = fx->county,
                                  .code = "cardiology",
                                  .name = "Cardiology",
                                  .head_id = fx->pid[FX_SPEC2],
                                  .created_at_us = g_get_real_time()};

    FX_OK(tc_rec_department_create(db, &d, &cardio));
    d.organization_id = fx->city;
    d.head_id = fx->pid[FX_SPEC];
    FX_OK(tc_rec_department_create(db, &d, &city_cardio));
    ecg_id = ecg_of(db, fx->resident);
    ecg_other = ecg_of(db, fx->resident2);
}

static long long
count(const char *sql)
{
    g_autofree char *path = g_build_filename(f.data_dir, "telecare.db", NULL);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static bool
has_id(json_t *items, int64_t id)
{
    size_t i;
    json_t *v;

    json_array_foreach(items, i, v)
    {
        if (json_integer_value(json_object_get(v, "id")) == id) {
            return true;
        }
    }
    return false;
}

static void
test_up_referral_reaches_the_department(void)
{
    fx_call(&f, FX_FAM, "POST", "/api/v1/referrals",
            "{s:s,s:I,s:I,s:s,s:s,s:s,s:[I]}", "direction", "up",
            "resident_id", J(f.resident), "department_id", J(cardio),
            "urgency", "urgent", "reason", "Exertional chest pain", "summary",
            "ST depression V4-V6 on exercise; on aspirin.", "ecg_study_ids",
            J(ecg_id));
    TC_CHECK_EQ(f.status, 201);
    up_id = fx_int(&f, "id");
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "requested");
    TC_CHECK_EQ(fx_int(&f, "clinic_id"), f.clinic);
    TC_CHECK_EQ(fx_int(&f, "team_id"), f.team);
    TC_CHECK_EQ(json_integer_value(json_array_get(
                    json_object_get(f.doc, "ecg_study_ids"), 0)),
                ecg_id);

    /* The department's doctor has it incoming and reads it. */
    TC_CHECK_EQ(fx_call(&f, FX_SPEC2, "GET", "/api/v1/referrals?box=in", NULL),
                200);
    TC_CHECK(has_id(json_object_get(f.doc, "items"), up_id));
    TC_CHECK_EQ(fx_call(&f, FX_SPEC2, "GET",
                        fx_path("/api/v1/referrals/%lld", (long long)up_id),
                        NULL),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "reason"), "Exertional chest pain");
    /* ... but not the rest of the record. */
    TC_CHECK_EQ(
        fx_call(&f, FX_SPEC2, "GET",
                fx_path("/api/v1/residents/%lld", (long long)f.resident),
                NULL),
        403);
    /* A doctor of another hospital's cardiology is no party to it. */
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "GET",
                        fx_path("/api/v1/referrals/%lld", (long long)up_id),
                        NULL),
                403);
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "GET", "/api/v1/referrals?box=in", NULL),
                200);
    TC_CHECK(!has_id(json_object_get(f.doc, "items"), up_id));
    /* The sender has it outgoing. */
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET", "/api/v1/referrals?box=out", NULL),
                200);
    TC_CHECK(has_id(json_object_get(f.doc, "items"), up_id));
}

static void
test_accept_needs_a_date_and_the_receiver(void)
{
    const char *accept =
        fx_path("/api/v1/referrals/%lld/accept", (long long)up_id);

    TC_CHECK_EQ(fx_call(&f, FX_SPEC2, "POST", accept, "{}"), 422);
    TC_CHECK_STR_EQ(fx_error_field(&f), "appointment_at");
    /* The sender cannot accept their own referral. */
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", accept, "{s:s}", "admission_date",
                        f.in_30_days),
                409);
    TC_CHECK_EQ(fx_call(&f, FX_SPEC2, "POST", accept, "{s:s}",
                        "appointment_at", "2030-01-02T08:30:00+08:00"),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "accepted");
    TC_CHECK_STR_EQ(fx_str(&f, "appointment_at"), "2030-01-02T00:30:00Z");
    TC_CHECK_EQ(fx_int(&f, "answered_by"), f.pid[FX_SPEC2]);
    /* Answered once. */
    TC_CHECK_EQ(fx_call(&f, FX_SPEC2, "POST", accept, "{s:s}",
                        "admission_date", f.in_30_days),
                409);
    /* Both ends and the resident's team see the status. */
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET",
                        fx_path("/api/v1/referrals/%lld", (long long)up_id),
                        NULL),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "accepted");
    TC_CHECK_EQ(fx_call(&f, FX_THER3, "GET",
                        fx_path("/api/v1/referrals/%lld", (long long)up_id),
                        NULL),
                200);
    TC_CHECK_EQ(fx_call(&f, FX_THER2, "GET",
                        fx_path("/api/v1/referrals/%lld", (long long)up_id),
                        NULL),
                403);
    /* The team's view: the referrals of its residents. */
    TC_CHECK_EQ(
        fx_call(&f, FX_THER3, "GET", "/api/v1/referrals?box=team", NULL), 200);
    TC_CHECK(has_id(json_object_get(f.doc, "items"), up_id));
    TC_CHECK_EQ(
        fx_call(&f, FX_THER2, "GET", "/api/v1/referrals?box=team", NULL), 200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")), 0);
}

static void
test_down_referral_schedules_follow_ups(void)
{
    const char *followups =
        fx_path("/api/v1/contracts/%lld/followups", (long long)f.contract);
    size_t before, i;
    json_t *v;
    int found = 0;

    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET", followups, NULL), 200);
    before = json_array_size(json_object_get(f.doc, "items"));
    /* Only the receiving department sends it back down. */
    TC_CHECK_EQ(fx_call(&f, FX_THER2, "POST", "/api/v1/referrals",
                        "{s:s,s:I,s:I,s:s,s:s,s:s}", "direction", "down",
                        "resident_id", J(f.resident), "parent_id", J(up_id),
                        "urgency", "routine", "reason", "x", "summary", "y"),
                403);
    fx_call(&f, FX_SPEC2, "POST", "/api/v1/referrals",
            "{s:s,s:I,s:I,s:s,s:s,s:s,s:[{s:s,s:s},{s:s,s:s}]}", "direction",
            "down", "resident_id", J(f.resident), "parent_id", J(up_id),
            "urgency", "routine", "reason", "Discharged after PCI", "summary",
            "Stent LAD; dual antiplatelet 12 months.", "follow_up_plan",
            "kind", "post_discharge_visit", "due_date", f.in_30_days, "kind",
            "ecg_recheck", "due_date", f.in_30_days);
    TC_CHECK_EQ(f.status, 201);
    down_id = fx_int(&f, "id");
    TC_CHECK_STR_EQ(fx_str(&f, "direction"), "down");
    TC_CHECK_EQ(fx_int(&f, "clinic_id"), f.clinic);
    TC_CHECK_EQ(fx_int(&f, "team_id"), f.team);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "followup_ids")), 2);

    /* The plan is in the contract's follow-up schedule. */
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET", followups, NULL), 200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")), before + 2);
    json_array_foreach(json_object_get(f.doc, "items"), i, v)
    {
        const char *kind = json_string_value(json_object_get(v, "kind"));
        found += g_strcmp0(kind, "post_discharge_visit") == 0 ||
                 g_strcmp0(kind, "ecg_recheck") == 0;
    }
    TC_CHECK_EQ(found, 2);

    /* The up-referral is completed by it. */
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET",
                        fx_path("/api/v1/referrals/%lld", (long long)up_id),
                        NULL),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "completed");
    TC_CHECK_EQ(fx_int(&f, "down_referral_id"), down_id);

    /* The family doctor has it incoming and acknowledges it. */
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET", "/api/v1/referrals?box=in", NULL),
                200);
    TC_CHECK(has_id(json_object_get(f.doc, "items"), down_id));
    TC_CHECK_EQ(
        fx_call(&f, FX_FAM, "POST",
                fx_path("/api/v1/referrals/%lld/accept", (long long)down_id),
                "{}"),
        200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "accepted");
    /* A second down-referral of a completed up-referral is refused. */
    TC_CHECK_EQ(fx_call(&f, FX_SPEC2, "POST", "/api/v1/referrals",
                        "{s:s,s:I,s:I,s:s,s:s,s:s}", "direction", "down",
                        "resident_id", J(f.resident), "parent_id", J(up_id),
                        "urgency", "routine", "reason", "x", "summary", "y"),
                409);
    TC_CHECK_STR_EQ(fx_error_field(&f), "parent_id");
}

static void
test_timeline_shows_the_chain(void)
{
    int referral = 0, answers = 0;
    size_t i;
    json_t *v;

    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET",
                        fx_path("/api/v1/residents/%lld/timeline?limit=200",
                                (long long)f.resident),
                        NULL),
                200);
    json_array_foreach(json_object_get(f.doc, "items"), i, v)
    {
        const char *kind = json_string_value(json_object_get(v, "kind"));
        const char *summary = json_string_value(json_object_get(v, "summary"));
        if (g_strcmp0(kind, "referral") == 0) {
            referral++;
            TC_CHECK(g_str_has_prefix(summary, "up cardiology, urgent") ||
                     g_str_has_prefix(summary, "down cardiology, routine"));
        }
        answers += g_strcmp0(kind, "referral_answer") == 0;
    }
    TC_CHECK_EQ(referral, 2);
    TC_CHECK_EQ(answers, 2);
}

static void
test_fhir_service_request_and_task(void)
{
    json_t *info;

    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET",
                        fx_path("/fhir/ServiceRequest/referral-%lld",
                                (long long)up_id),
                        NULL),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "resourceType"), "ServiceRequest");
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "completed");
    TC_CHECK_STR_EQ(fx_str(&f, "priority"), "urgent");
    info = json_array_get(json_object_get(f.doc, "supportingInfo"), 0);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(info, "reference")),
                    fx_path("DiagnosticReport/ecg-%lld", (long long)ecg_id));
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET",
                        fx_path("/fhir/ServiceRequest/referral-%lld",
                                (long long)down_id),
                        NULL),
                200);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(
                        json_array_get(json_object_get(f.doc, "basedOn"), 0),
                        "reference")),
                    fx_path("ServiceRequest/referral-%lld", (long long)up_id));
    TC_CHECK_EQ(
        fx_call(&f, FX_FAM, "GET",
                fx_path("/fhir/Task/referral-%lld", (long long)down_id), NULL),
        200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "accepted");
    /* Search finds the referrals beside the consultations. */
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET",
                        fx_path("/fhir/ServiceRequest?patient=%lld",
                                (long long)f.resident),
                        NULL),
                200);
    TC_CHECK_EQ(json_integer_value(json_object_get(f.doc, "total")), 2);
}

static void
test_decline_needs_a_reason(void)
{
    const char *decline;
    int64_t id;

    fx_call(&f, FX_FAM, "POST", "/api/v1/referrals", "{s:s,s:I,s:I,s:s,s:s}",
            "direction", "up", "resident_id", J(f.resident), "department_id",
            J(cardio), "urgency", "routine", "reason", "Murmur");
    TC_CHECK_EQ(f.status, 201);
    id = fx_int(&f, "id");
    decline = fx_path("/api/v1/referrals/%lld/decline", (long long)id);
    TC_CHECK_EQ(fx_call(&f, FX_SPEC2, "POST", decline, "{}"), 400);
    TC_CHECK_STR_EQ(fx_error_field(&f), "reason");
    TC_CHECK_EQ(fx_call(&f, FX_SPEC2, "POST", decline, "{s:s}", "reason",
                        "Echo at the township clinic first"),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "declined");
    TC_CHECK_STR_EQ(fx_str(&f, "decline_reason"),
                    "Echo at the township clinic first");
}

static const json_t *
find(json_t *items, const char *key, const char *value)
{
    size_t i;
    json_t *v;

    json_array_foreach(items, i, v)
    {
        if (g_strcmp0(json_string_value(json_object_get(v, key)), value) ==
            0) {
            return v;
        }
    }
    return NULL;
}

static void
test_statistics_per_township_and_department(void)
{
    const json_t *east, *dept;

    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET",
                        fx_path("/api/v1/stats/referrals?from=%s&to=%s",
                                f.today, f.today),
                        NULL),
                200);
    east = find(json_object_get(f.doc, "townships"), "township", "East");
    dept = find(json_object_get(f.doc, "departments"), "code", "cardiology");
    TC_CHECK(east != NULL && dept != NULL);
    if (!east || !dept) {
        return;
    }
    TC_CHECK_EQ(json_integer_value(json_object_get(east, "up")), 2);
    TC_CHECK_EQ(json_integer_value(json_object_get(east, "down")), 1);
    TC_CHECK_EQ(json_integer_value(json_object_get(east, "accepted")), 2);
    TC_CHECK_EQ(json_integer_value(json_object_get(east, "declined")), 1);
    TC_CHECK_EQ(json_integer_value(json_object_get(dept, "department_id")),
                cardio);
    TC_CHECK_EQ(json_integer_value(json_object_get(dept, "up")), 2);
    TC_CHECK_EQ(json_integer_value(json_object_get(dept, "down")), 1);
    TC_CHECK(json_real_value(json_object_get(dept, "accept_s_avg")) > 0);
    TC_CHECK(json_real_value(json_object_get(dept, "accept_s_max")) >=
             json_real_value(json_object_get(dept, "accept_s_avg")));
    /* A range without referrals counts none. */
    TC_CHECK_EQ(
        fx_call(&f, FX_FAM, "GET",
                "/api/v1/stats/referrals?from=2020-01-01&to=2020-12-31", NULL),
        200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "townships")), 0);
    /* A resident gets no statistics. */
    TC_CHECK_EQ(fx_call(&f, FX_RES, "GET", "/api/v1/stats/referrals", NULL),
                403);
}

static void
test_oncall_rota_edited_by_the_head(void)
{
    const char *rota =
        fx_path("/api/v1/departments/%lld/oncall", (long long)cardio);
    int64_t shift;

    fx_call(&f, FX_SPEC2, "POST", rota, "{s:I,s:s,s:s}", "practitioner_id",
            J(f.pid[FX_SPEC2]), "starts_at", "2030-01-01T00:00:00Z", "ends_at",
            "2030-01-02T00:00:00Z");
    TC_CHECK_EQ(f.status, 201);
    shift = fx_int(&f, "id");
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", rota, "{s:I,s:s,s:s}",
                        "practitioner_id", J(f.pid[FX_SPEC2]), "starts_at",
                        "2030-01-01T00:00:00Z", "ends_at",
                        "2030-01-02T00:00:00Z"),
                403);
    TC_CHECK_EQ(fx_call(&f, FX_SPEC2, "POST", rota, "{s:I,s:s,s:s}",
                        "practitioner_id", J(f.pid[FX_THER]), "starts_at",
                        "2030-01-01T00:00:00Z", "ends_at",
                        "2030-01-02T00:00:00Z"),
                422);
    TC_CHECK_STR_EQ(fx_error_field(&f), "practitioner_id");
    TC_CHECK_EQ(fx_call(&f, FX_SPEC2, "POST", rota, "{s:I,s:s,s:s}",
                        "practitioner_id", J(f.pid[FX_SPEC2]), "starts_at",
                        "2030-01-02T00:00:00Z", "ends_at",
                        "2030-01-01T00:00:00Z"),
                422);
    TC_CHECK_STR_EQ(fx_error_field(&f), "ends_at");
    TC_CHECK_EQ(
        fx_call(&f, FX_FAM, "GET",
                fx_path("%s?from=2030-01-01T12:00:00Z&to=2030-01-03T00:"
                        "00:00Z",
                        rota),
                NULL),
        200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")), 1);
    TC_CHECK_EQ(fx_call(&f, FX_RES, "GET", rota, NULL), 403);
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "DELETE",
                        fx_path("%s/%lld", rota, (long long)shift), NULL),
                403);
    TC_CHECK_EQ(fx_call(&f, FX_SPEC2, "DELETE",
                        fx_path("%s/%lld", rota, (long long)shift), NULL),
                204);
}

static void
test_bad_requests_write_nothing(void)
{
    long long referrals = count("SELECT count(*) FROM referrals");
    long long followups = count("SELECT count(*) FROM followups");
    char up[320], plan[512], other[320];
    const struct fx_bad rows[] = {
        {"unknown department", FX_FAM, "POST", "/api/v1/referrals",
         "{\"direction\":\"up\",\"resident_id\":{id},\"department_id\":999,"
         "\"urgency\":\"routine\",\"reason\":\"x\"}",
         404, "department_id"},
        {"no department", FX_FAM, "POST", "/api/v1/referrals",
         "{\"direction\":\"up\",\"resident_id\":{id},"
         "\"urgency\":\"routine\",\"reason\":\"x\"}",
         422, "department_id"},
        {"bad direction", FX_FAM, "POST", "/api/v1/referrals",
         "{\"direction\":\"sideways\",\"resident_id\":{id},"
         "\"urgency\":\"routine\",\"reason\":\"x\"}",
         422, "direction"},
        {"bad urgency", FX_FAM, "POST", "/api/v1/referrals", up, 422,
         "urgency"},
        {"another resident's study", FX_FAM, "POST", "/api/v1/referrals",
         other, 422, "ecg_study_ids[0]"},
        {"bad plan date", FX_SPEC2, "POST", "/api/v1/referrals", plan, 422,
         "follow_up_plan[1].due_date"},
        {"unknown member", FX_FAM, "POST", "/api/v1/referrals",
         "{\"direction\":\"up\",\"colour\":\"red\"}", 400, "colour"},
        {"study ids not ids", FX_FAM, "POST", "/api/v1/referrals",
         "{\"direction\":\"up\",\"resident_id\":{id},\"urgency\":\"routine\","
         "\"reason\":\"x\",\"ecg_study_ids\":[\"a\"]}",
         400, "ecg_study_ids[0]"},
        {"a resident refers", FX_RES, "POST", "/api/v1/referrals",
         "{\"direction\":\"up\",\"resident_id\":{id},\"department_id\":1,"
         "\"urgency\":\"routine\",\"reason\":\"x\"}",
         403, NULL},
        {"no such referral", FX_FAM, "GET", "/api/v1/referrals/999999", NULL,
         404, NULL},
        {"unknown box", FX_FAM, "GET", "/api/v1/referrals?box=up", NULL, 400,
         "box"},
        {"department by a doctor", FX_SPEC2, "POST", "/api/v1/departments",
         "{\"organization_id\":1,\"code\":\"neurology\",\"name\":\"N\"}", 403,
         NULL},
    };

    g_snprintf(up, sizeof(up),
               "{\"direction\":\"up\",\"resident_id\":{id},"
               "\"department_id\":%lld,\"urgency\":\"soon\",\"reason\":\"x\"}",
               (long long)cardio);
    g_snprintf(other, sizeof(other),
               "{\"direction\":\"up\",\"resident_id\":{id},"
               "\"department_id\":%lld,\"urgency\":\"routine\","
               "\"reason\":\"x\",\"ecg_study_ids\":[%lld]}",
               (long long)cardio, (long long)ecg_other);
    /* A down-referral whose second plan item falls outside the contract:
     * neither the referral nor the first follow-up may be written. */
    g_snprintf(plan, sizeof(plan),
               "{\"direction\":\"down\",\"resident_id\":{id},"
               "\"department_id\":%lld,\"urgency\":\"routine\","
               "\"reason\":\"x\",\"summary\":\"y\",\"follow_up_plan\":["
               "{\"kind\":\"visit_after\",\"due_date\":\"%s\"},"
               "{\"kind\":\"visit_after\",\"due_date\":\"2099-01-01\"}]}",
               (long long)cardio, f.in_30_days);
    fx_bad_requests(&f, rows, G_N_ELEMENTS(rows), f.resident);
    TC_CHECK_EQ(count("SELECT count(*) FROM referrals"), referrals);
    TC_CHECK_EQ(count("SELECT count(*) FROM followups"), followups);
}

int
main(void)
{
    if (fx_open(&f, setup) != 0) {
        printf("Bail out! fixture\n");
        return 1;
    }
    TC_RUN(test_up_referral_reaches_the_department);
    TC_RUN(test_accept_needs_a_date_and_the_receiver);
    TC_RUN(test_down_referral_schedules_follow_ups);
    TC_RUN(test_timeline_shows_the_chain);
    TC_RUN(test_fhir_service_request_and_task);
    TC_RUN(test_decline_needs_a_reason);
    TC_RUN(test_statistics_per_township_and_department);
    TC_RUN(test_oncall_rota_edited_by_the_head);
    TC_RUN(test_bad_requests_write_nothing);
    fx_close(&f);
    return tc_done();
}
