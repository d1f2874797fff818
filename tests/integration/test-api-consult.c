// SPDX-License-Identifier: Apache-2.0
/*
 * test-api-consult.c - consultations through the real server: the family
 * doctor asks the city hospital; a specialist there sees it in the
 * incoming list and may read it before answering, but not the rest of the
 * patient's record; accept, consent, schedule, participants, start, the
 * patient joining and leaving, a carer withdrawing recording consent, an
 * ECG study attached, the signed opinion and its amendment; after the
 * close a specialist who took part is refused the patient (and the
 * consultation unless they wrote the opinion); decline and cancel with a
 * reason; a table of bad requests.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "county-fixture.h"

static struct fx f;
static int64_t ecg_id, cons_id;
static char cons[64], barthel[64];

#define J(x) ((json_int_t)(x))

/* An ECG study of the resident, stored before the server starts. */
static void
setup(struct fx *fx, struct tc_rec_db *db)
{
    struct tc_rec_ecg_study_new in = {
        .resident_id = fx->resident,
        .device_id = "ecg-3",
        .leads = "I,II,III",
        .sample_rate_hz = 500,
        .started_at_us = g_get_real_time() - 3600 * 1000000LL,
        .duration_ms = 30000,
        .storage_path = "ecg/3",
    };

    if (tc_rec_ecg_study_create(db, &in, &ecg_id) != 0) {
        printf("# ecg: %s\n", tc_rec_errmsg(db));
        abort();
    }
}

static int64_t
request(int user, const char *target_key, int64_t target)
{
    fx_call(&f, user, "POST", "/api/v1/consultations", "{s:I,s:I,s:s,s:s}",
            "resident_id", J(f.resident), target_key, J(target), "reason",
            "Palpitations; pauses on the ECG.", "priority", "urgent");
    return f.status == 201 ? fx_int(&f, "id") : 0;
}

static void
test_request_and_the_asked_specialist(void)
{
    long long denied = fx_audited(&f, "spec2", "consultation", "denied");
    json_t *items;

    cons_id = request(FX_FAM, "requested_org_id", f.city);
    TC_REQUIRE(cons_id > 0);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "requested");
    TC_CHECK_STR_EQ(fx_str(&f, "priority"), "urgent");
    TC_CHECK_EQ(fx_int(&f, "requester_id"), f.pid[FX_FAM]);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "participants")), 1);
    snprintf(cons, sizeof(cons), "/api/v1/consultations/%lld",
             (long long)cons_id);
    snprintf(barthel, sizeof(barthel), "/api/v1/residents/%lld/barthel",
             (long long)f.resident);

    /* The city specialist sees it coming in, with no free text. */
    TC_CHECK_EQ(
        fx_call(&f, FX_SPEC, "GET", "/api/v1/consultations?box=in", NULL),
        200);
    items = json_object_get(f.doc, "items");
    TC_REQUIRE(json_array_size(items) == 1);
    TC_CHECK_EQ(
        json_integer_value(json_object_get(json_array_get(items, 0), "id")),
        cons_id);
    TC_CHECK(!json_object_get(json_array_get(items, 0), "reason"));
    TC_CHECK_EQ(
        fx_call(&f, FX_SPEC2, "GET", "/api/v1/consultations?box=in", NULL),
        200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")), 0);
    TC_CHECK_EQ(
        fx_call(&f, FX_FAM, "GET", "/api/v1/consultations?box=out", NULL),
        200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")), 1);

    /* Asked: the request is readable, the patient's record is not. */
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "GET", cons, NULL), 200);
    TC_CHECK_STR_EQ(fx_str(&f, "reason"), "Palpitations; pauses on the ECG.");
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "GET", barthel, NULL), 403);
    TC_CHECK_EQ(fx_call(&f, FX_SPEC2, "GET", cons, NULL), 403);
    TC_CHECK_EQ(fx_audited(&f, "spec2", "consultation", "denied"), denied + 1);
    TC_CHECK_EQ(
        fx_call(&f, FX_SPEC2, "POST", fx_path("%s/accept", cons), NULL), 403);
}

static void
test_accepted_consented_scheduled_started(void)
{
    GDateTime *now = g_date_time_new_now_utc();
    GDateTime *later = g_date_time_add_hours(now, 2);
    g_autofree char *at = g_date_time_format(later, "%Y-%m-%dT%H:%M:%SZ");

    g_date_time_unref(later);
    g_date_time_unref(now);
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "POST", fx_path("%s/accept", cons), NULL),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "accepted");
    TC_CHECK_EQ(fx_int(&f, "accepted_by"), f.pid[FX_SPEC]);
    /* Taking part in an open consultation opens the patient's record. */
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "GET", barthel, NULL), 200);

    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "POST", fx_path("%s/start", cons), NULL),
                409); /* no consent yet */
    TC_CHECK_STR_CONTAINS(fx_error_message(&f), "consent");
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/consents", cons),
                        "{s:s}", "kind", "teleconsultation"),
                201);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/consents", cons),
                        "{s:s,s:I}", "kind", "recording", "carer_id",
                        J(f.carer)),
                201);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "consents")), 2);
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "POST", fx_path("%s/schedule", cons),
                        "{s:s}", "scheduled_for", at),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "scheduled");
    TC_CHECK_STR_EQ(fx_str(&f, "scheduled_for"), at);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/participants", cons),
                        "{s:s,s:I}", "kind", "resident", "party_id",
                        J(f.resident)),
                201);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/participants", cons),
                        "{s:s,s:I}", "kind", "practitioner", "party_id",
                        J(f.pid[FX_SPEC2])),
                201);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/participants", cons),
                        "{s:s,s:I}", "kind", "resident", "party_id",
                        J(f.resident2)),
                422); /* only the patient */
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "POST", fx_path("%s/start", cons), NULL),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "in_progress");
}

static void
test_in_the_call_to_a_signed_opinion(void)
{
    json_t *c;

    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST", fx_path("%s/join", cons), NULL),
                200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "attendance")), 1);
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST", fx_path("%s/join", cons), NULL),
                409);
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST", fx_path("%s/leave", cons), NULL),
                200);
    TC_CHECK_EQ(fx_call(&f, FX_RES2, "POST", fx_path("%s/join", cons), NULL),
                403);
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "POST", fx_path("%s/join", cons), NULL),
                200);
    TC_CHECK_EQ(fx_call(&f, FX_CARER, "POST",
                        fx_path("%s/consents/withdraw", cons), "{s:s}", "kind",
                        "recording"),
                200);
    c = json_array_get(json_object_get(f.doc, "consents"), 1);
    TC_CHECK(json_is_string(json_object_get(c, "withdrawn_at")));
    TC_CHECK_EQ(fx_call(&f, FX_CARER, "POST",
                        fx_path("%s/consents/withdraw", cons), "{s:s}", "kind",
                        "teleconsultation"),
                409);

    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/ecg-studies", cons),
                        "{s:I}", "ecg_study_id", J(ecg_id)),
                201);
    TC_CHECK_EQ(json_integer_value(json_array_get(
                    json_object_get(f.doc, "ecg_study_ids"), 0)),
                ecg_id);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/ecg-studies", cons),
                        "{s:I}", "ecg_study_id", J(ecg_id)),
                409);

    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "POST", fx_path("%s/complete", cons),
                        "{s:s}", "opinion", "Sick sinus syndrome likely."),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "completed");
    TC_CHECK_EQ(fx_int(&f, "opinion_version"), 1);
    TC_CHECK_EQ(fx_int(&f, "opinion_author_id"), f.pid[FX_SPEC]);
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "POST", fx_path("%s/complete", cons),
                        "{s:s}", "opinion", "again"),
                409);
}

static void
test_after_the_close(void)
{
    long long denied = fx_audited(&f, "spec", "barthel", "denied");
    json_t *items;

    /* The specialist took part; the consultation is closed: the patient's
     * record is refused, and the refusal audited. */
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "GET", barthel, NULL), 403);
    TC_CHECK_EQ(fx_audited(&f, "spec", "barthel", "denied"), denied + 1);
    TC_CHECK_EQ(fx_call(&f, FX_SPEC2, "GET", cons, NULL), 403);
    /* Its author still reads the consultation and amends the opinion. */
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "GET", cons, NULL), 200);
    TC_CHECK_STR_EQ(fx_str(&f, "opinion"), "Sick sinus syndrome likely.");
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "POST", fx_path("%s/opinion/amend", cons),
                        "{s:s}", "text", "x"),
                400);
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "POST", fx_path("%s/opinion/amend", cons),
                        "{s:s,s:s}", "text",
                        "Sick sinus syndrome; Holter advised.", "reason",
                        "Holter"),
                200);
    TC_CHECK_EQ(fx_int(&f, "opinion_version"), 2);
    TC_CHECK_EQ(
        fx_call(&f, FX_FAM, "GET", fx_path("%s/opinion/versions", cons), NULL),
        200);
    items = json_object_get(f.doc, "items");
    TC_REQUIRE(json_array_size(items) == 2);
    TC_CHECK_STR_EQ(
        json_string_value(json_object_get(json_array_get(items, 0), "text")),
        "Sick sinus syndrome likely.");
    TC_CHECK_EQ(fx_call(&f, FX_RES, "GET", cons, NULL), 200);

    TC_CHECK_EQ(
        fx_call(&f, FX_SPEC, "GET", "/api/v1/consultations?box=in", NULL),
        200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")), 0);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET",
                        "/api/v1/consultations?box=out&state=all", NULL),
                200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")), 1);
}

static void
test_decline_and_cancel_need_a_reason(void)
{
    int64_t id = request(FX_FAM, "requested_specialist_id", f.pid[FX_SPEC]);
    char path[64];

    TC_REQUIRE(id > 0);
    snprintf(path, sizeof(path), "/api/v1/consultations/%lld", (long long)id);
    TC_CHECK_EQ(fx_call(&f, FX_SPEC2, "POST", fx_path("%s/decline", path),
                        "{s:s}", "reason", "no"),
                403);
    TC_CHECK_EQ(
        fx_call(&f, FX_SPEC, "POST", fx_path("%s/decline", path), NULL), 400);
    TC_CHECK_STR_EQ(fx_error_field(&f), "reason");
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "POST", fx_path("%s/decline", path),
                        "{s:s}", "reason",
                        "Outside my field; ask cardiology."),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "declined");
    TC_CHECK_STR_EQ(fx_str(&f, "status_reason"),
                    "Outside my field; ask cardiology.");
    TC_CHECK_EQ(fx_call(&f, FX_SPEC, "POST", fx_path("%s/accept", path), NULL),
                403); /* declined: no longer awaiting their answer */

    id = request(FX_FAM, "requested_org_id", f.city);
    snprintf(path, sizeof(path), "/api/v1/consultations/%lld", (long long)id);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/cancel", path),
                        "{s:s}", "reason", "resolved"),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "cancelled");
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/cancel", path),
                        "{s:s}", "reason", "resolved"),
                409);
}

static void
test_bad_requests(void)
{
    static const struct fx_bad rows[] = {
        {"malformed JSON", FX_FAM, "POST", "/api/v1/consultations", "{", 400,
         NULL},
        {"resident id as text", FX_FAM, "POST", "/api/v1/consultations",
         "{\"resident_id\":\"{id}\"}", 400, "resident_id"},
        {"unknown field", FX_FAM, "POST", "/api/v1/consultations",
         "{\"resident_id\":{id},\"urgency\":1}", 400, "urgency"},
        {"missing reason", FX_FAM, "POST", "/api/v1/consultations",
         "{\"resident_id\":{id},\"requested_org_id\":1,"
         "\"priority\":\"urgent\"}",
         400, "reason"},
        {"unknown priority", FX_FAM, "POST", "/api/v1/consultations",
         "{\"resident_id\":{id},\"requested_org_id\":1,\"reason\":\"x\","
         "\"priority\":\"asap\"}",
         400, "priority"},
        {"nobody asked", FX_FAM, "POST", "/api/v1/consultations",
         "{\"resident_id\":{id},\"reason\":\"x\",\"priority\":\"routine\"}",
         400, "requested_org_id"},
        {"no such organization", FX_FAM, "POST", "/api/v1/consultations",
         "{\"resident_id\":{id},\"requested_org_id\":999999,\"reason\":\"x\","
         "\"priority\":\"routine\"}",
         404, NULL},
        {"no such resident", FX_FAM, "POST", "/api/v1/consultations",
         "{\"resident_id\":999999,\"requested_org_id\":1,\"reason\":\"x\","
         "\"priority\":\"routine\"}",
         404, NULL},
        {"bad id", FX_FAM, "GET", "/api/v1/consultations/x1", NULL, 400,
         "consultation id"},
        {"no such consultation", FX_FAM, "GET", "/api/v1/consultations/999999",
         NULL, 404, NULL},
        {"bad instant", FX_FAM, "POST", "/api/v1/consultations/1/schedule",
         "{\"scheduled_for\":1700000000}", 400, "scheduled_for"},
        {"unknown party kind", FX_FAM, "POST",
         "/api/v1/consultations/1/participants",
         "{\"kind\":\"robot\",\"party_id\":1}", 400, "kind"},
        {"unknown consent kind", FX_FAM, "POST",
         "/api/v1/consultations/1/consents", "{\"kind\":\"photos\"}", 400,
         "kind"},
        {"body on accept", FX_SPEC, "POST", "/api/v1/consultations/1/accept",
         "{\"note\":\"x\"}", 400, "note"},
        {"unknown box", FX_FAM, "GET", "/api/v1/consultations?box=sideways",
         NULL, 400, "box"},
        {"limit too big", FX_FAM, "GET", "/api/v1/consultations?limit=5000",
         NULL, 400, "limit"},
        {"a resident lists", FX_RES, "GET", "/api/v1/consultations", NULL, 403,
         NULL},
    };

    fx_bad_requests(&f, rows, G_N_ELEMENTS(rows), f.resident);
}

int
main(void)
{
    if (fx_open(&f, setup) != 0) {
        printf("Bail out! fixture\n");
        return 1;
    }
    TC_RUN(test_request_and_the_asked_specialist);
    TC_RUN(test_accepted_consented_scheduled_started);
    TC_RUN(test_in_the_call_to_a_signed_opinion);
    TC_RUN(test_after_the_close);
    TC_RUN(test_decline_and_cancel_need_a_reason);
    TC_RUN(test_bad_requests);
    fx_close(&f);
    return tc_done();
}
