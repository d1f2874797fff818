// SPDX-License-Identifier: Apache-2.0
/*
 * test-api-rehab.c - rehabilitation through the real server: the family
 * doctor writes a plan (goals and exercises in the same request, all or
 * nothing) from the resident's active contract; sessions are scheduled,
 * started and finished by the resident or their carer as a self-report;
 * the therapist on the plan reviews a self-guided session and writes and
 * amends the note; a therapist with no relation, and one on the team but
 * not on the plan, are refused and audited; Barthel assessments and
 * adherence; the plan's lifecycle; and a table of bad requests.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "county-fixture.h"

static struct fx f;
static int64_t plan_id, goal_id, self_id, live_id;

#define J(x) ((json_int_t)(x))

static void
test_plan_is_written_whole_or_not_at_all(void)
{
    char path[64];

    snprintf(path, sizeof(path), "/api/v1/residents/%lld/rehab-plans",
             (long long)f.resident);

    /* An exercise records refuses: the plan and its goal are not kept. */
    TC_CHECK_EQ(
        fx_call(&f, FX_FAM, "POST", path,
                "{s:s,s:s,s:s,s:[I],s:[{s:s}],s:[{s:s,s:i,s:i,s:i}]}", "title",
                "Walking again", "period_start", f.today, "period_end",
                f.in_30_days, "therapist_ids", J(f.pid[FX_THER]), "goals",
                "description", "Walk 100 m with a stick", "exercises", "name",
                "Sit to stand", "sets", 0, "reps", 10, "sessions_per_week", 3),
        422);
    TC_CHECK_STR_EQ(fx_error_field(&f), "sets");
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET", path, NULL), 200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")), 0);

    TC_CHECK_EQ(
        fx_call(&f, FX_FAM, "POST", path,
                "{s:s,s:s,s:s,s:[I],s:[{s:s,s:s}],"
                "s:[{s:s,s:s,s:i,s:i,s:i}]}",
                "title", "Walking again", "period_start", f.today,
                "period_end", f.in_30_days, "therapist_ids", J(f.pid[FX_THER]),
                "goals", "description", "Walk 100 m with a stick", "target",
                "100 m", "exercises", "name", "Sit to stand", "instructions",
                "Slowly", "sets", 3, "reps", 10, "sessions_per_week", 3),
        201);
    plan_id = fx_int(&f, "id");
    TC_REQUIRE(plan_id > 0);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "draft");
    TC_CHECK_EQ(fx_int(&f, "contract_id"), f.contract);
    TC_CHECK_EQ(fx_int(&f, "created_by"), f.pid[FX_FAM]);
    TC_CHECK(g_str_has_suffix(fx_str(&f, "created_at"), "Z"));
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "goals")), 1);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "exercises")), 1);
    goal_id = json_integer_value(json_object_get(
        json_array_get(json_object_get(f.doc, "goals"), 0), "id"));

    /* Another resident, with no relation to this doctor: refused. */
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST",
                        fx_path("/api/v1/residents/%lld/rehab-plans",
                                (long long)f.resident2),
                        "{s:s,s:s,s:s,s:[I]}", "title", "x", "period_start",
                        f.today, "period_end", f.in_30_days, "therapist_ids",
                        J(f.pid[FX_THER])),
                403);
}

static void
test_plan_lifecycle_and_who_reads_it(void)
{
    long long denied = fx_audited(&f, "ther2", "rehab_plan", "denied");
    char path[64];

    snprintf(path, sizeof(path), "/api/v1/rehab-plans/%lld",
             (long long)plan_id);

    TC_CHECK_EQ(
        fx_call(&f, FX_THER, "POST", fx_path("%s/activate", path), NULL), 200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "active");
    TC_CHECK_EQ(fx_int(&f, "status_by"), f.pid[FX_THER]);
    TC_CHECK_EQ(
        fx_call(&f, FX_THER, "POST", fx_path("%s/activate", path), NULL), 409);
    TC_CHECK_STR_CONTAINS(fx_error_message(&f), "not allowed");

    TC_CHECK_EQ(fx_call(&f, FX_THER, "GET", path, NULL), 200);
    TC_CHECK_EQ(fx_call(&f, FX_RES, "GET", path, NULL), 200);
    TC_CHECK_EQ(fx_call(&f, FX_CARER, "GET", path, NULL), 200);
    TC_CHECK_EQ(fx_call(&f, FX_THER2, "GET", path, NULL), 403);
    TC_CHECK_EQ(fx_audited(&f, "ther2", "rehab_plan", "denied"), denied + 1);
    TC_CHECK_EQ(fx_call(&f, FX_RES2, "GET", path, NULL), 403);
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST", fx_path("%s/suspend", path),
                        "{s:s}", "reason", "tired"),
                403); /* a resident does not write the plan */

    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", fx_path("%s/goals", path),
                        "{s:s,s:s}", "description", "Climb five stairs",
                        "due_date", f.in_30_days),
                201);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "goals")), 2);
    TC_CHECK_EQ(
        fx_call(&f, FX_THER, "POST",
                fx_path("%s/goals/%lld/status", path, (long long)goal_id),
                "{s:s}", "status", "achieved"),
        200);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", fx_path("%s/exercises", path),
                        "{s:s,s:i,s:i,s:i}", "name", "Heel raises", "sets", 2,
                        "reps", 15, "sessions_per_week", 5),
                201);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "exercises")), 2);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/therapists", path),
                        "{s:I}", "practitioner_id", J(f.pid[FX_THER])),
                409); /* already on it */
}

static void
test_sessions_and_the_residents_self_report(void)
{
    GDateTime *now = g_date_time_new_now_utc();
    GDateTime *soon = g_date_time_add_hours(now, 1);
    g_autofree char *at = g_date_time_format(soon, "%Y-%m-%dT%H:%M:%SZ");
    char plan[64], self[64], live[64];

    g_date_time_unref(soon);
    g_date_time_unref(now);
    snprintf(plan, sizeof(plan), "/api/v1/rehab-plans/%lld/sessions",
             (long long)plan_id);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", plan, "{s:s,s:s}", "mode",
                        "self_guided", "scheduled_at", at),
                201);
    self_id = fx_int(&f, "id");
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "scheduled");
    TC_CHECK_STR_EQ(fx_str(&f, "scheduled_at"), at);
    TC_CHECK(json_is_null(json_object_get(f.doc, "pain_before")));
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", plan, "{s:s,s:s,s:I}", "mode",
                        "live_guided", "scheduled_at", at, "therapist_id",
                        J(f.pid[FX_THER])),
                201);
    live_id = fx_int(&f, "id");
    snprintf(self, sizeof(self), "/api/v1/rehab-sessions/%lld",
             (long long)self_id);
    snprintf(live, sizeof(live), "/api/v1/rehab-sessions/%lld",
             (long long)live_id);

    /* The resident does a self-guided session at home. */
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST", fx_path("%s/start", self), "{s:i}",
                        "pain_before", 3),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "in_progress");
    TC_CHECK_EQ(fx_int(&f, "pain_before"), 3);
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST", fx_path("%s/finish", self),
                        "{s:i,s:i,s:i}", "completion_pct", 80, "pain_after",
                        11, "difficulty", 3),
                422);
    TC_CHECK_STR_EQ(fx_error_field(&f), "pain_after");
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST", fx_path("%s/finish", self),
                        "{s:i,s:i,s:i,s:s}", "completion_pct", 80,
                        "pain_after", 2, "difficulty", 3, "recording_ref",
                        "rec-1"),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "completed");
    TC_CHECK_STR_EQ(fx_str(&f, "attendance"), "alone");
    TC_CHECK_EQ(fx_int(&f, "pain_after"), 2);
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST", fx_path("%s/finish", self),
                        "{s:i}", "completion_pct", 80),
                409);
    TC_CHECK_EQ(fx_call(&f, FX_RES2, "GET", self, NULL), 403);
    TC_CHECK_EQ(fx_call(&f, FX_RES2, "POST", fx_path("%s/start", live), NULL),
                403);
}

static void
test_carer_reports_others_are_missed_or_called_off(void)
{
    GDateTime *now = g_date_time_new_now_utc();
    GDateTime *soon = g_date_time_add_hours(now, 1);
    g_autofree char *at = g_date_time_format(soon, "%Y-%m-%dT%H:%M:%SZ");
    char plan[64], live[64];

    g_date_time_unref(soon);
    g_date_time_unref(now);
    snprintf(plan, sizeof(plan), "/api/v1/rehab-plans/%lld/sessions",
             (long long)plan_id);
    snprintf(live, sizeof(live), "/api/v1/rehab-sessions/%lld",
             (long long)live_id);
    /* The carer helps with the live session. */
    TC_CHECK_EQ(fx_call(&f, FX_CARER, "POST", fx_path("%s/start", live), NULL),
                200);
    TC_CHECK_EQ(fx_call(&f, FX_CARER, "POST", fx_path("%s/finish", live),
                        "{s:i,s:i}", "completion_pct", 100, "difficulty", 2),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "attendance"), "with_carer");
    TC_CHECK(json_is_null(json_object_get(f.doc, "pain_after")));

    /* A third one is called off, a fourth missed. */
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", plan, "{s:s,s:s}", "mode",
                        "home_visit", "scheduled_at", at),
                422); /* a home visit names its therapist */
    TC_CHECK_STR_EQ(fx_error_field(&f), "therapist_id");
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", plan, "{s:s,s:s}", "mode",
                        "self_guided", "scheduled_at", at),
                201);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/cancel",
                                (long long)fx_int(&f, "id")),
                        "{s:s}", "reason", "resident in hospital"),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "cancelled");
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", plan, "{s:s,s:s}", "mode",
                        "self_guided", "scheduled_at", at),
                201);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/miss",
                                (long long)fx_int(&f, "id")),
                        NULL),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "missed");
}

static void
test_only_a_therapist_on_the_plan_reviews(void)
{
    char base[64];
    long long ther2 = fx_audited(&f, "ther2", "rehab_session", "denied");
    long long ther3 = fx_audited(&f, "ther3", "rehab_session", "denied");

    snprintf(base, sizeof(base), "/api/v1/rehab-sessions/%lld",
             (long long)self_id);
    TC_CHECK_EQ(fx_call(&f, FX_THER2, "POST", fx_path("%s/review", base),
                        "{s:i}", "score", 4),
                403);
    TC_CHECK_EQ(fx_audited(&f, "ther2", "rehab_session", "denied"), ther2 + 1);
    /* On the resident's team (the policy lets them write), not on the
     * plan: the review is still refused, and audited. */
    TC_CHECK_EQ(fx_call(&f, FX_THER3, "POST", fx_path("%s/review", base),
                        "{s:i}", "score", 4),
                403);
    TC_CHECK_STR_CONTAINS(fx_error_message(&f), "therapist on the");
    TC_CHECK_EQ(fx_audited(&f, "ther3", "rehab_session", "denied"), ther3 + 1);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", fx_path("%s/review", base),
                        "{s:i}", "score", 4),
                200);
    TC_CHECK_EQ(fx_int(&f, "review_score"), 4);
    TC_CHECK_EQ(fx_int(&f, "reviewed_by"), f.pid[FX_THER]);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", fx_path("%s/review", base),
                        "{s:i}", "score", 5),
                409);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/review",
                                (long long)live_id),
                        "{s:i}", "score", 5),
                409); /* only self-guided sessions are reviewed */
}

static void
test_the_note_is_amended_never_overwritten(void)
{
    char base[64];
    json_t *items;

    snprintf(base, sizeof(base), "/api/v1/rehab-sessions/%lld",
             (long long)self_id);
    TC_CHECK_EQ(fx_call(&f, FX_THER3, "POST", fx_path("%s/note", base),
                        "{s:s}", "text", "x"),
                403);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", fx_path("%s/note", base), "{s:s}",
                        "text", "Good form; knee pain eased."),
                201);
    TC_CHECK_EQ(fx_int(&f, "note_version"), 1);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", fx_path("%s/note", base), "{s:s}",
                        "text", "again"),
                409);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", fx_path("%s/note/amend", base),
                        "{s:s}", "text", "Good form."),
                400);
    TC_CHECK_STR_EQ(fx_error_field(&f), "reason");
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", fx_path("%s/note/amend", base),
                        "{s:s,s:s}", "text",
                        "Good form; right knee pain eased.", "reason",
                        "which knee"),
                200);
    TC_CHECK_EQ(fx_int(&f, "note_version"), 2);
    TC_CHECK_STR_EQ(fx_str(&f, "note"), "Good form; right knee pain eased.");
    TC_CHECK_EQ(
        fx_call(&f, FX_RES, "GET", fx_path("%s/note/versions", base), NULL),
        200);
    items = json_object_get(f.doc, "items");
    TC_REQUIRE(json_array_size(items) == 2);
    TC_CHECK_STR_EQ(
        json_string_value(json_object_get(json_array_get(items, 0), "text")),
        "Good form; knee pain eased.");
    TC_CHECK_STR_EQ(json_string_value(json_object_get(json_array_get(items, 1),
                                                      "amend_reason")),
                    "which knee");

    /* Lists carry no free text. */
    TC_CHECK_EQ(fx_call(&f, FX_THER, "GET",
                        fx_path("/api/v1/rehab-plans/%lld/sessions",
                                (long long)plan_id),
                        NULL),
                200);
    items = json_object_get(f.doc, "items");
    TC_CHECK_EQ(json_array_size(items), 4);
    for (size_t i = 0; i < json_array_size(items); i++) {
        TC_CHECK(!json_object_get(json_array_get(items, i), "note"));
        TC_CHECK(!json_object_get(json_array_get(items, i), "status_reason"));
    }
}

static void
test_barthel_and_adherence(void)
{
    char barthel[64];
    json_t *item;

    snprintf(barthel, sizeof(barthel), "/api/v1/residents/%lld/barthel",
             (long long)f.resident);
    TC_CHECK_EQ(
        fx_call(&f, FX_THER, "POST", barthel,
                "{s:I,s:{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i},s:s}",
                "plan_id", J(plan_id), "items", "feeding", 10, "bathing", 0,
                "grooming", 5, "dressing", 5, "bowels", 10, "bladder", 10,
                "toilet_use", 5, "transfers", 10, "mobility", 10, "stairs", 0,
                "note", "uses a frame"),
        201);
    TC_CHECK_EQ(fx_int(&f, "total"), 65);
    TC_CHECK_STR_EQ(fx_str(&f, "band"), "moderate");
    TC_CHECK_EQ(fx_int(&f, "assessor_id"), f.pid[FX_THER]);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", barthel,
                        "{s:{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}}",
                        "items", "feeding", 10, "bathing", 0, "grooming", 5,
                        "dressing", 5, "bowels", 10, "bladder", 10,
                        "toilet_use", 5, "transfers", 7, "mobility", 10,
                        "stairs", 0),
                422);
    TC_CHECK_STR_EQ(fx_error_field(&f), "items.transfers");
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", barthel, "{s:{s:i,s:i}}", "items",
                        "feeding", 10, "bathing", 0),
                400);
    TC_CHECK_STR_EQ(fx_error_field(&f), "items.grooming");
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST", barthel, "{s:{s:i}}", "items",
                        "feeding", 10),
                403);
    TC_CHECK_EQ(fx_call(&f, FX_CARER, "GET", barthel, NULL), 200);
    TC_REQUIRE(json_array_size(json_object_get(f.doc, "items")) == 1);
    item = json_array_get(json_object_get(f.doc, "items"), 0);
    TC_CHECK_EQ(json_integer_value(json_object_get(item, "total")), 65);
    TC_CHECK(!json_object_get(item, "note"));

    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET",
                        fx_path("/api/v1/rehab-plans/%lld/adherence",
                                (long long)plan_id),
                        NULL),
                200);
    TC_CHECK(fx_int(&f, "prescribed") > 0);
    TC_CHECK_EQ(fx_int(&f, "completed"), 2);
    TC_CHECK_EQ(fx_int(&f, "missed"), 1);
    TC_CHECK_EQ(fx_int(&f, "cancelled"), 1);
}

static void
test_plan_suspends_resumes_completes(void)
{
    char path[64];
    json_t *item;

    snprintf(path, sizeof(path), "/api/v1/rehab-plans/%lld",
             (long long)plan_id);
    TC_CHECK_EQ(
        fx_call(&f, FX_THER, "POST", fx_path("%s/suspend", path), NULL), 400);
    TC_CHECK_STR_EQ(fx_error_field(&f), "reason");
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", fx_path("%s/suspend", path),
                        "{s:s}", "reason", "fever"),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "suspended");
    TC_CHECK_STR_EQ(fx_str(&f, "status_reason"), "fever");
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", fx_path("%s/resume", path), NULL),
                200);
    TC_CHECK_EQ(
        fx_call(&f, FX_THER, "POST", fx_path("%s/complete", path), NULL), 200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "completed");
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/cancel", path),
                        "{s:s}", "reason", "late"),
                409);
    /* The plan is closed: its therapist is no longer related. */
    TC_CHECK_EQ(fx_call(&f, FX_THER, "GET", path, NULL), 403);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET",
                        fx_path("/api/v1/residents/%lld/rehab-plans",
                                (long long)f.resident),
                        NULL),
                200);
    item = json_array_get(json_object_get(f.doc, "items"), 0);
    TC_CHECK_EQ(json_integer_value(json_object_get(item, "n_goals")), 2);
    TC_CHECK(!json_object_get(item, "goals"));
    TC_CHECK(!json_object_get(item, "status_reason"));
}

static void
test_bad_requests(void)
{
    static const struct fx_bad rows[] = {
        {"malformed JSON", FX_FAM, "POST",
         "/api/v1/residents/{id}/rehab-plans", "{\"title\":", 400, NULL},
        {"not an object", FX_FAM, "POST", "/api/v1/residents/{id}/rehab-plans",
         "[1]", 400, NULL},
        {"wrong type", FX_FAM, "POST", "/api/v1/residents/{id}/rehab-plans",
         "{\"title\":5}", 400, "title"},
        {"missing field", FX_FAM, "POST", "/api/v1/residents/{id}/rehab-plans",
         "{\"period_start\":\"2026-01-01\"}", 400, "title"},
        {"unknown field", FX_FAM, "POST", "/api/v1/residents/{id}/rehab-plans",
         "{\"title\":\"x\",\"colour\":\"red\"}", 400, "colour"},
        {"bad date", FX_FAM, "POST", "/api/v1/residents/{id}/rehab-plans",
         "{\"title\":\"x\",\"period_start\":\"2026-02-30\"}", 400,
         "period_start"},
        {"no therapists", FX_FAM, "POST", "/api/v1/residents/{id}/rehab-plans",
         "{\"title\":\"x\",\"period_start\":\"2026-01-01\","
         "\"period_end\":\"2026-02-01\",\"therapist_ids\":[]}",
         400, "therapist_ids"},
        {"bad goal", FX_FAM, "POST", "/api/v1/residents/{id}/rehab-plans",
         "{\"title\":\"x\",\"period_start\":\"2026-01-01\","
         "\"period_end\":\"2026-02-01\",\"therapist_ids\":[1],"
         "\"goals\":[{\"description\":7}]}",
         400, "goals[0].description"},
        {"bad resident id", FX_FAM, "GET", "/api/v1/residents/abc/rehab-plans",
         NULL, 400, "resident id"},
        {"zero id", FX_FAM, "GET", "/api/v1/rehab-plans/0", NULL, 400,
         "plan id"},
        {"no such plan", FX_FAM, "GET", "/api/v1/rehab-plans/999999", NULL,
         404, NULL},
        {"no such resident", FX_FAM, "GET", "/api/v1/residents/999999/barthel",
         NULL, 404, NULL},
        {"no such session", FX_FAM, "POST",
         "/api/v1/rehab-sessions/999999/start", NULL, 404, NULL},
        {"bad instant", FX_FAM, "POST", "/api/v1/rehab-plans/1/sessions",
         "{\"mode\":\"self_guided\",\"scheduled_at\":\"tomorrow\"}", 400,
         "scheduled_at"},
        {"instant without zone", FX_FAM, "POST",
         "/api/v1/rehab-plans/1/sessions",
         "{\"mode\":\"self_guided\",\"scheduled_at\":\"2026-01-01T10:00:00\"}",
         400, "scheduled_at"},
        {"unknown mode", FX_FAM, "POST", "/api/v1/rehab-plans/1/sessions",
         "{\"mode\":\"yoga\",\"scheduled_at\":\"2026-01-01T10:00:00Z\"}", 400,
         "mode"},
        {"score as text", FX_RES, "POST", "/api/v1/rehab-sessions/1/start",
         "{\"pain_before\":\"3\"}", 400, "pain_before"},
        {"unknown attendance", FX_RES, "POST",
         "/api/v1/rehab-sessions/1/finish",
         "{\"attendance\":\"crowd\",\"completion_pct\":5}", 400, "attendance"},
        {"no token", -1, "GET", "/api/v1/rehab-plans/1", NULL, 401, NULL},
        {"wrong method", FX_FAM, "PUT", "/api/v1/rehab-plans/1", NULL, 405,
         NULL},
    };

    fx_bad_requests(&f, rows, G_N_ELEMENTS(rows), f.resident);
    /* Wrong content type. */
    TC_CHECK_EQ(fx_send(&f, FX_FAM, "POST",
                        fx_path("/api/v1/residents/%lld/rehab-plans",
                                (long long)f.resident),
                        "title=x", "application/x-www-form-urlencoded"),
                415);
}

int
main(void)
{
    if (fx_open(&f, NULL) != 0) {
        printf("Bail out! fixture\n");
        return 1;
    }
    TC_RUN(test_plan_is_written_whole_or_not_at_all);
    TC_RUN(test_plan_lifecycle_and_who_reads_it);
    TC_RUN(test_sessions_and_the_residents_self_report);
    TC_RUN(test_carer_reports_others_are_missed_or_called_off);
    TC_RUN(test_only_a_therapist_on_the_plan_reviews);
    TC_RUN(test_the_note_is_amended_never_overwritten);
    TC_RUN(test_barthel_and_adherence);
    TC_RUN(test_plan_suspends_resumes_completes);
    TC_RUN(test_bad_requests);
    fx_close(&f);
    return tc_done();
}
