// SPDX-License-Identifier: Apache-2.0
/*
 * test-api-contracts.c - family-doctor contracts, follow-ups, a team's
 * panel, the statistics and a resident's timeline through the real server.
 * One server for the whole program: an administrator builds a clinic with
 * two teams; Dr Wang (team A) registers residents and walks a contract
 * through its life (offer, sign, follow-ups, renew, terminate; withdraw
 * another offer); Dr Li (team B) is refused; then a table of bad requests.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "workflow-fixture.h"

static struct fx fx;

static struct {
    char *admin, *wang, *li, *res_a;
    int64_t clinic, team_a, team_b, p_wang, p_li, res_a_id, res_b_id;
    int64_t contract, renewed;
} w;

static int64_t
post_id(const char *token, const char *path, const char *body)
{
    return fx_id(fx_expect(&fx, token, 201, "POST", path, body));
}

static const char *
str(json_t *doc, const char *key)
{
    return json_string_value(json_object_get(doc, key));
}

/* The current UTC year's first day, and the next year's. */
static void
years(char this_year[11], char next_year[11])
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    int y = g_date_time_get_year(now);

    snprintf(this_year, 11, "%04u-01-01", (unsigned)y % 10000u);
    snprintf(next_year, 11, "%04u-01-01", (unsigned)(y + 1) % 10000u);
}

static void
test_setup_through_the_api(void)
{
    g_autofree char *body = NULL, *p = NULL;
    char id_a[19], id_b[19];

    w.admin = fx_user(&fx, "root", "admin", NULL, 0);
    TC_REQUIRE(w.admin);
    w.p_wang =
        post_id(w.admin, "/api/v1/practitioners", "{\"name\":\"Dr Wang\"}");
    w.p_li = post_id(w.admin, "/api/v1/practitioners", "{\"name\":\"Dr Li\"}");
    w.wang =
        fx_user(&fx, "drwang", "family_doctor", "--practitioner", w.p_wang);
    w.li = fx_user(&fx, "drli", "family_doctor", "--practitioner", w.p_li);
    TC_REQUIRE(w.wang && w.li);
    w.clinic = post_id(w.admin, "/api/v1/organizations",
                       "{\"kind\":\"township_clinic\",\"name\":\"Qiaotou "
                       "Clinic\",\"township\":\"Qiaotou\"}");
    body = fx_fmt("{\"organization_id\":%lld,\"name\":\"Team A\"}",
                  (long long)w.clinic);
    w.team_a = post_id(w.admin, "/api/v1/teams", body);
    g_free(body);
    body = fx_fmt("{\"organization_id\":%lld,\"name\":\"Team B\"}",
                  (long long)w.clinic);
    w.team_b = post_id(w.admin, "/api/v1/teams", body);
    p = fx_fmt("/api/v1/teams/%lld/members", (long long)w.team_a);
    g_free(body);
    body = fx_fmt("{\"practitioner_id\":%lld,\"role\":\"doctor\"}",
                  (long long)w.p_wang);
    json_decref(fx_expect(&fx, w.admin, 201, "POST", p, body));
    g_free(p);
    p = fx_fmt("/api/v1/teams/%lld/members", (long long)w.team_b);
    g_free(body);
    body = fx_fmt("{\"practitioner_id\":%lld,\"role\":\"doctor\"}",
                  (long long)w.p_li);
    json_decref(fx_expect(&fx, w.admin, 201, "POST", p, body));

    fx_id_number("19400704", 13, id_a);
    fx_id_number("19600220", 24, id_b);
    g_free(body);
    body = fx_fmt("{\"id_number\":\"%s\",\"name\":\"Chen Lao\","
                  "\"township\":\"Qiaotou\",\"village\":\"Nancun\"}",
                  id_a);
    w.res_a_id = post_id(w.wang, "/api/v1/residents", body);
    g_free(body);
    body = fx_fmt("{\"id_number\":\"%s\",\"name\":\"Sun Mei\","
                  "\"township\":\"Qiaotou\"}",
                  id_b);
    w.res_b_id = post_id(w.wang, "/api/v1/residents", body);
    TC_REQUIRE(w.res_a_id > 0 && w.res_b_id > 0);
    w.res_a = fx_user(&fx, "chenlao", "resident", "--resident", w.res_a_id);
    TC_REQUIRE(w.res_a);
}

static void
test_offer_sign_followups_renew_terminate(void)
{
    g_autofree char *body = NULL, *p = NULL;
    char this_year[11], next_year[11];
    json_t *doc, *items, *first;
    int64_t followup;

    years(this_year, next_year);
    body = fx_fmt("{\"resident_id\":%lld,\"team_id\":%lld,"
                  "\"packages\":[\"basic\",\"elderly_care\"],"
                  "\"period_start\":\"%s\"}",
                  (long long)w.res_a_id, (long long)w.team_a, this_year);
    doc = fx_expect(&fx, w.wang, 201, "POST", "/api/v1/contracts", body);
    TC_REQUIRE(doc);
    TC_CHECK_STR_EQ(str(doc, "status"), "offered");
    TC_CHECK_EQ(json_array_size(json_object_get(doc, "packages")), 2);
    TC_CHECK_EQ(json_integer_value(json_object_get(doc, "offered_by")),
                w.p_wang);
    TC_CHECK(json_is_null(json_object_get(doc, "signed_at")));
    TC_CHECK(g_str_has_suffix(str(doc, "period_end"), "-12-31"));
    w.contract = fx_id(doc);

    /* The other team cannot sign it, nor read it. */
    p = fx_fmt("/api/v1/contracts/%lld/sign", (long long)w.contract);
    json_decref(
        fx_expect(&fx, w.li, 403, "POST", p, "{\"method\":\"in_person\"}"));
    doc = fx_expect(&fx, w.wang, 200, "POST", p, "{\"method\":\"in_person\"}");
    TC_CHECK_STR_EQ(str(doc, "status"), "active");
    TC_CHECK_STR_EQ(str(doc, "sign_method"), "in_person");
    TC_CHECK_EQ(json_integer_value(json_object_get(doc, "signed_by")),
                w.p_wang);
    json_decref(doc);
    /* Signed already. */
    json_decref(
        fx_expect(&fx, w.wang, 409, "POST", p, "{\"method\":\"online\"}"));

    /* The resident sees their contract. */
    g_free(p);
    p = fx_fmt("/api/v1/contracts/%lld", (long long)w.contract);
    json_decref(fx_expect(&fx, w.res_a, 200, "GET", p, NULL));
    json_decref(fx_expect(&fx, w.li, 403, "GET", p, NULL));

    /* Follow-ups were scheduled; lists carry no notes. */
    g_free(p);
    p = fx_fmt("/api/v1/contracts/%lld/followups", (long long)w.contract);
    doc = fx_expect(&fx, w.wang, 200, "GET", p, NULL);
    items = json_object_get(doc, "items");
    TC_REQUIRE(json_array_size(items) > 0);
    first = json_array_get(items, 0);
    TC_CHECK_STR_EQ(str(first, "status"), "due");
    TC_CHECK(json_object_get(first, "note") == NULL);
    followup = json_integer_value(json_object_get(first, "id"));
    json_decref(doc);

    g_free(p);
    p = fx_fmt("/api/v1/followups/%lld/record", (long long)followup);
    json_decref(
        fx_expect(&fx, w.res_a, 403, "POST", p, "{\"status\":\"done\"}"));
    doc = fx_expect(&fx, w.wang, 200, "POST", p,
                    "{\"status\":\"done\",\"note\":\"BP 130/85\"}");
    TC_CHECK_STR_EQ(str(doc, "status"), "done");
    TC_CHECK_EQ(json_integer_value(json_object_get(doc, "recorded_by")),
                w.p_wang);
    json_decref(doc);
    json_decref(
        fx_expect(&fx, w.wang, 409, "POST", p, "{\"status\":\"missed\"}"));
    g_free(p);
    p = fx_fmt("/api/v1/followups/%lld", (long long)followup);
    doc = fx_expect(&fx, w.res_a, 200, "GET", p, NULL);
    TC_CHECK_STR_EQ(str(doc, "note"), "BP 130/85");
    json_decref(doc);

    /* Renew: a new active contract continues this one. */
    g_free(p);
    p = fx_fmt("/api/v1/contracts/%lld/renew", (long long)w.contract);
    doc = fx_expect(&fx, w.wang, 201, "POST", p, "{\"method\":\"online\"}");
    TC_REQUIRE(doc);
    TC_CHECK_STR_EQ(str(doc, "status"), "active");
    TC_CHECK_STR_EQ(str(doc, "period_start"), next_year);
    TC_CHECK_EQ(json_integer_value(json_object_get(doc, "previous_id")),
                w.contract);
    w.renewed = fx_id(doc);
    g_free(p);
    p = fx_fmt("/api/v1/contracts/%lld", (long long)w.contract);
    doc = fx_expect(&fx, w.wang, 200, "GET", p, NULL);
    TC_CHECK_STR_EQ(str(doc, "status"), "renewed");
    json_decref(doc);

    /* Terminate the renewed one; a reason is required. */
    g_free(p);
    p = fx_fmt("/api/v1/contracts/%lld/terminate", (long long)w.renewed);
    json_decref(fx_expect(&fx, w.wang, 400, "POST", p, "{}"));
    doc = fx_expect(&fx, w.wang, 200, "POST", p,
                    "{\"reason\":\"moved to the city\"}");
    TC_CHECK_STR_EQ(str(doc, "status"), "terminated");
    TC_CHECK_STR_EQ(str(doc, "end_reason"), "moved to the city");
    json_decref(doc);
    json_decref(
        fx_expect(&fx, w.wang, 409, "POST", p, "{\"reason\":\"again\"}"));

    /* The resident's contracts, newest first, without free text. */
    g_free(p);
    p = fx_fmt("/api/v1/residents/%lld/contracts", (long long)w.res_a_id);
    doc = fx_expect(&fx, w.res_a, 200, "GET", p, NULL);
    items = json_object_get(doc, "items");
    TC_CHECK_EQ(json_array_size(items), 2);
    TC_CHECK_EQ(
        json_integer_value(json_object_get(json_array_get(items, 0), "id")),
        w.renewed);
    TC_CHECK(json_object_get(json_array_get(items, 0), "end_reason") == NULL);
    json_decref(doc);
}

static void
test_withdraw_and_expired_offers(void)
{
    g_autofree char *body = NULL, *p = NULL;
    char this_year[11], next_year[11];
    json_t *doc;
    int64_t offer;

    years(this_year, next_year);
    body = fx_fmt("{\"resident_id\":%lld,\"team_id\":%lld,"
                  "\"period_start\":\"%s\"}",
                  (long long)w.res_b_id, (long long)w.team_a, this_year);
    offer = post_id(w.wang, "/api/v1/contracts", body);
    p = fx_fmt("/api/v1/contracts/%lld/withdraw", (long long)offer);
    doc = fx_expect(&fx, w.wang, 200, "POST", p, "{}");
    TC_CHECK_STR_EQ(str(doc, "status"), "withdrawn");
    json_decref(doc);
    g_free(p);
    p = fx_fmt("/api/v1/contracts/%lld/sign", (long long)offer);
    json_decref(
        fx_expect(&fx, w.wang, 409, "POST", p, "{\"method\":\"in_person\"}"));

    /* An offer whose period has ended cannot be signed. */
    g_free(body);
    body = fx_fmt("{\"resident_id\":%lld,\"team_id\":%lld,"
                  "\"period_start\":\"2020-01-01\"}",
                  (long long)w.res_b_id, (long long)w.team_a);
    offer = post_id(w.wang, "/api/v1/contracts", body);
    g_free(p);
    p = fx_fmt("/api/v1/contracts/%lld/sign", (long long)offer);
    doc = fx_expect(&fx, w.wang, 409, "POST", p, "{\"method\":\"in_person\"}");
    TC_CHECK(doc != NULL);
    json_decref(doc);

    /* An offer from a team the caller is not on. */
    g_free(body);
    body = fx_fmt("{\"resident_id\":%lld,\"team_id\":%lld,"
                  "\"period_start\":\"%s\"}",
                  (long long)w.res_b_id, (long long)w.team_b, this_year);
    json_decref(
        fx_expect(&fx, w.wang, 403, "POST", "/api/v1/contracts", body));
}

static void
test_panel_lists_the_team_residents(void)
{
    g_autofree char *body = NULL, *p = NULL;
    char this_year[11], next_year[11];
    json_t *doc, *row;
    int64_t c;

    /* A fresh active contract for A (the earlier one was terminated). */
    years(this_year, next_year);
    body = fx_fmt("{\"resident_id\":%lld,\"team_id\":%lld,"
                  "\"packages\":[\"basic\",\"disability_rehab\"],"
                  "\"period_start\":\"%s\"}",
                  (long long)w.res_a_id, (long long)w.team_a, this_year);
    c = post_id(w.wang, "/api/v1/contracts", body);
    p = fx_fmt("/api/v1/contracts/%lld/sign", (long long)c);
    json_decref(
        fx_expect(&fx, w.wang, 200, "POST", p, "{\"method\":\"online\"}"));

    g_free(p);
    p = fx_fmt("/api/v1/teams/%lld/panel?today=%s&limit=10",
               (long long)w.team_a, this_year);
    doc = fx_expect(&fx, w.wang, 200, "GET", p, NULL);
    TC_REQUIRE(doc);
    TC_CHECK_EQ(json_array_size(json_object_get(doc, "items")), 1);
    row = json_array_get(json_object_get(doc, "items"), 0);
    TC_CHECK_EQ(json_integer_value(json_object_get(row, "resident_id")),
                w.res_a_id);
    TC_CHECK_EQ(json_integer_value(json_object_get(row, "contract_id")), c);
    TC_CHECK_STR_EQ(str(row, "name"), "Chen Lao");
    TC_CHECK(json_is_string(json_object_get(row, "next_due_date")));
    TC_CHECK(json_is_false(json_object_get(row, "overdue")));
    TC_CHECK_STR_EQ(str(doc, "today"), this_year);
    json_decref(doc);
    /* Past the end of the panel. */
    g_free(p);
    p = fx_fmt("/api/v1/teams/%lld/panel?offset=5", (long long)w.team_a);
    TC_CHECK_EQ(fx_count(fx_expect(&fx, w.wang, 200, "GET", p, NULL)), 0);
    /* Not a member of the team. */
    json_decref(fx_expect(&fx, w.li, 403, "GET", p, NULL));
    g_free(p);
    p = fx_fmt("/api/v1/teams/%lld/panel", (long long)w.team_b);
    TC_CHECK_EQ(fx_count(fx_expect(&fx, w.li, 200, "GET", p, NULL)), 0);
}

static void
test_statistics(void)
{
    g_autofree char *p = NULL;
    char this_year[11], next_year[11];
    json_t *doc, *row;

    years(this_year, next_year);
    doc = fx_expect(&fx, w.wang, 200, "GET", "/api/v1/stats/townships", NULL);
    TC_REQUIRE(doc);
    TC_CHECK_STR_EQ(str(doc, "from"), this_year);
    row = json_array_get(json_object_get(doc, "items"), 0);
    TC_CHECK_STR_EQ(str(row, "township"), "Qiaotou");
    TC_CHECK_EQ(json_integer_value(json_object_get(row, "registered")), 2);
    TC_CHECK_EQ(json_integer_value(json_object_get(row, "contracted")), 1);
    TC_CHECK(json_real_value(json_object_get(row, "signing_rate")) == 0.5);
    json_decref(doc);

    p = fx_fmt("/api/v1/stats/teams/%lld?from=%s&to=%s", (long long)w.team_a,
               this_year, this_year);
    doc = fx_expect(&fx, w.li, 200, "GET", p, NULL);
    TC_CHECK_EQ(json_integer_value(json_object_get(doc, "team_id")), w.team_a);
    TC_CHECK_EQ(json_integer_value(json_object_get(doc, "contracted")), 1);
    TC_CHECK(json_is_real(json_object_get(doc, "rehab_adherence")));
    json_decref(doc);
    /* Residents read no statistics. */
    json_decref(fx_expect(&fx, w.res_a, 403, "GET", p, NULL));
}

static void
test_timeline_pages_newest_first(void)
{
    g_autofree char *p = NULL, *next = NULL;
    json_t *doc, *items, *e;
    size_t i, seen = 0;
    bool signed_seen = false;

    p = fx_fmt("/api/v1/residents/%lld/timeline?limit=200",
               (long long)w.res_a_id);
    doc = fx_expect(&fx, w.res_a, 200, "GET", p, NULL);
    TC_REQUIRE(doc);
    items = json_object_get(doc, "items");
    TC_CHECK(json_array_size(items) >= 4);
    json_array_foreach(items, i, e)
    {
        signed_seen =
            signed_seen || g_strcmp0(str(e, "kind"), "contract_signed") == 0;
    }
    TC_CHECK(signed_seen);
    seen = json_array_size(items);
    json_decref(doc);

    /* Page through one at a time: the same number of events. */
    g_free(p);
    p = fx_fmt("/api/v1/residents/%lld/timeline?limit=1",
               (long long)w.res_a_id);
    for (size_t n = 0;; n++) {
        doc = fx_expect(&fx, w.wang, 200, "GET", p, NULL);
        TC_REQUIRE(doc);
        TC_CHECK_EQ(json_array_size(json_object_get(doc, "items")), 1);
        if (!json_is_string(json_object_get(doc, "next_before"))) {
            TC_CHECK_EQ(n + 1, seen);
            json_decref(doc);
            break;
        }
        g_free(p);
        p = fx_fmt("/api/v1/residents/%lld/timeline?limit=1&before=%s",
                   (long long)w.res_a_id, str(doc, "next_before"));
        json_decref(doc);
        TC_REQUIRE(n < 100);
    }
    g_free(p);
    p = fx_fmt("/api/v1/residents/%lld/timeline", (long long)w.res_a_id);
    json_decref(fx_expect(&fx, w.li, 403, "GET", p, NULL));
}

static void
test_bad_requests(void)
{
    struct {
        const char *method, *path, *body;
        long status;
        const char *message;
    } cases[] = {
        {"POST", "/api/v1/contracts", "{\"resident_id\":1", 400,
         "invalid JSON"},
        {"POST", "/api/v1/contracts", "{}", 400, "resident_id: required"},
        {"POST", "/api/v1/contracts",
         "{\"resident_id\":\"1\",\"team_id\":1,\"period_start\":"
         "\"2026-01-01\"}",
         400, "resident_id: must be an integer"},
        {"POST", "/api/v1/contracts",
         "{\"resident_id\":1,\"team_id\":1,\"period_start\":\"2026-01-01\","
         "\"price\":3}",
         400, "price: unknown field"},
        {"POST", "/api/v1/contracts",
         "{\"resident_id\":1,\"team_id\":1,\"period_start\":\"01/01/2026\"}",
         400, "period_start: must be a date"},
        {"POST", "/api/v1/contracts",
         "{\"resident_id\":1,\"team_id\":1,\"period_start\":\"2026-01-01\","
         "\"packages\":[\"spa\"]}",
         422, "packages: must be one of"},
        {"POST", "/api/v1/contracts",
         "{\"resident_id\":1,\"team_id\":1,\"period_start\":\"2026-01-01\","
         "\"packages\":\"basic\"}",
         400, "packages: must be a non-empty array"},
        {"POST", "/api/v1/contracts",
         "{\"resident_id\":99999,\"team_id\":1,\"period_start\":"
         "\"2026-01-01\"}",
         404, "not found"},
        {"GET", "/api/v1/contracts/abc", NULL, 400,
         "contract id: must be a positive integer id"},
        {"GET", "/api/v1/contracts/0", NULL, 400, "contract id"},
        {"GET", "/api/v1/contracts/99999", NULL, 404, "contract"},
        {"POST", "/api/v1/contracts/99999/sign", "{\"method\":\"online\"}",
         404, "contract"},
        {"GET", "/api/v1/followups/99999", NULL, 404, "follow"},
        {"GET", "/api/v1/teams/99999/panel", NULL, 404, "team"},
        {"GET", "/api/v1/teams/1/panel?today=2026-13-01", NULL, 400,
         "today: must be a date"},
        {"GET", "/api/v1/teams/1/panel?limit=51", NULL, 400,
         "limit: must be an integer in 1..50"},
        {"GET", "/api/v1/stats/townships?from=2026-02-01&to=2026-01-01", NULL,
         400, "to: must not be before from"},
        {"GET", "/api/v1/stats/teams/99999", NULL, 404, "team"},
        {"GET", "/api/v1/residents/1/timeline?before=yesterday", NULL, 400,
         "before: must be a next_before value"},
        {"DELETE", "/api/v1/contracts/1", NULL, 405, "method not allowed"},
    };
    g_autofree char *sign = NULL, *bad_method = NULL, *unknown = NULL;
    g_autofree char *rec = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *text = NULL;
        long got = fx_req(&fx, w.wang, cases[i].method, cases[i].path,
                          cases[i].body, NULL, &text);

        if (got != cases[i].status || !strstr(text, cases[i].message)) {
            TC_FAIL_("%s %s %s: want %ld \"%s\", got %ld %s", cases[i].method,
                     cases[i].path, cases[i].body ? cases[i].body : "",
                     cases[i].status, cases[i].message, got, text);
        }
        g_free(text);
    }
    /* On a real contract: a missing, an unknown method, an unknown
     * field; and a follow-up outcome that is not done or missed. */
    sign = fx_fmt("/api/v1/contracts/%lld/sign", (long long)w.contract);
    json_decref(fx_expect(&fx, w.wang, 400, "POST", sign, "{}"));
    json_decref(
        fx_expect(&fx, w.wang, 422, "POST", sign, "{\"method\":\"fax\"}"));
    json_decref(fx_expect(&fx, w.wang, 400, "POST", sign,
                          "{\"method\":\"online\",\"by\":1}"));
    rec = fx_fmt("/api/v1/contracts/%lld/followups", (long long)w.contract);
    {
        json_t *doc = fx_expect(&fx, w.wang, 200, "GET", rec, NULL);
        int64_t fid = json_integer_value(json_object_get(
            json_array_get(json_object_get(doc, "items"), 1), "id"));
        g_autofree char *p =
            fx_fmt("/api/v1/followups/%lld/record", (long long)fid);
        json_decref(doc);
        json_decref(
            fx_expect(&fx, w.wang, 422, "POST", p, "{\"status\":\"due\"}"));
    }
}

static void
test_server_stops_cleanly_and_logged_no_patient_data(void)
{
    const char *secrets[] = {"Chen Lao", "Sun Mei", "BP 130/85",
                             "moved to the city", NULL};

    fx_check_clean_stop(&fx, secrets);
}

int
main(void)
{
    if (fx_start(&fx) != 0) {
        printf("Bail out! the server did not start\n");
        return 1;
    }
    TC_RUN(test_setup_through_the_api);
    TC_RUN(test_offer_sign_followups_renew_terminate);
    TC_RUN(test_withdraw_and_expired_offers);
    TC_RUN(test_panel_lists_the_team_residents);
    TC_RUN(test_statistics);
    TC_RUN(test_timeline_pages_newest_first);
    TC_RUN(test_bad_requests);
    TC_RUN(test_server_stops_cleanly_and_logged_no_patient_data);
    fx_stop(&fx);
    g_free(w.admin);
    g_free(w.wang);
    g_free(w.li);
    g_free(w.res_a);
    return tc_done();
}
