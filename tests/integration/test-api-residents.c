// SPDX-License-Identifier: Apache-2.0
/*
 * test-api-residents.c - the directory, residents, carers and the audit
 * trail through the real server, with users made by the real
 * telecare-admin. One server for the whole program: an administrator
 * builds a clinic with two family-doctor teams, a doctor of team A
 * registers two residents and contracts one of them; then each endpoint's
 * happy path, the access rules (a family doctor of another team, the
 * resident, a carer of another resident; each refusal in the resident's
 * audit trail) and a table of bad requests.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "workflow-fixture.h"

static struct fx fx;

/* What the setup made. */
static struct {
    char *admin, *auditor, *wang, *li, *res_a, *carer_a;
    int64_t clinic, team_a, team_b, p_wang, p_li, res_a_id, res_b_id;
    int64_t carer_a_id;
    char id_a[19], id_b[19];
} w;

/* The directory an administrator builds (and a doctor cannot touch). */
static void
test_directory(void)
{
    g_autofree char *body = NULL, *p = NULL;
    json_t *doc, *roles;
    int64_t county, other, role_id;

    county =
        fx_id(fx_expect(&fx, w.admin, 201, "POST", "/api/v1/organizations",
                        "{\"kind\":\"county_hospital\",\"name\":\"County "
                        "Hospital\",\"township\":\"Chengguan\"}"));
    TC_REQUIRE(county > 0);
    body = fx_fmt("{\"kind\":\"township_clinic\",\"name\":\"Dongxiang "
                  "Clinic\",\"township\":\"Dongxiang\"}");
    doc = fx_expect(&fx, w.admin, 201, "POST", "/api/v1/organizations", body);
    TC_REQUIRE(doc);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "kind")),
                    "township_clinic");
    TC_CHECK(json_is_null(json_object_get(doc, "part_of")));
    TC_CHECK(json_is_null(json_object_get(doc, "village")));
    TC_CHECK(g_str_has_suffix(
        json_string_value(json_object_get(doc, "created_at")), "Z"));
    other = fx_id(doc);

    /* Move that clinic under the county hospital. */
    p = fx_fmt("/api/v1/organizations/%lld", (long long)other);
    g_free(body);
    body = fx_fmt("{\"part_of\":%lld}", (long long)county);
    doc = fx_expect(&fx, w.admin, 200, "PATCH", p, body);
    TC_CHECK_EQ(json_integer_value(json_object_get(doc, "part_of")), county);
    json_decref(doc);
    g_free(p);
    p = fx_fmt("/api/v1/organizations?part_of=%lld", (long long)county);
    TC_CHECK_EQ(fx_count(fx_expect(&fx, w.wang, 200, "GET", p, NULL)), 1);
    /* The top level: the setup's clinic and the county hospital. */
    TC_CHECK_EQ(fx_count(fx_expect(&fx, w.wang, 200, "GET",
                                   "/api/v1/organizations", NULL)),
                2);

    /* Practitioners, a role at the clinic, and its removal. */
    g_free(p);
    p = fx_fmt("/api/v1/practitioners/%lld/roles", (long long)w.p_wang);
    g_free(body);
    body = fx_fmt("{\"organization_id\":%lld,\"role\":\"family_doctor\","
                  "\"department\":\"general\"}",
                  (long long)other);
    role_id = fx_id(fx_expect(&fx, w.admin, 201, "POST", p, body));
    TC_CHECK(role_id > 0);
    g_free(p);
    p = fx_fmt("/api/v1/practitioners/%lld", (long long)w.p_wang);
    doc = fx_expect(&fx, w.li, 200, "GET", p, NULL);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "name")),
                    "Dr Wang");
    roles = json_object_get(doc, "roles");
    TC_CHECK_EQ(json_array_size(roles), 1);
    TC_CHECK_STR_EQ(
        json_string_value(json_object_get(json_array_get(roles, 0), "role")),
        "family_doctor");
    json_decref(doc);
    g_free(p);
    p = fx_fmt("/api/v1/organizations/%lld/practitioners?role=family_doctor",
               (long long)other);
    TC_CHECK_EQ(fx_count(fx_expect(&fx, w.li, 200, "GET", p, NULL)), 1);
    g_free(p);
    p = fx_fmt("/api/v1/practitioners/%lld/roles/%lld", (long long)w.p_li,
               (long long)role_id);
    json_decref(fx_expect(&fx, w.admin, 404, "DELETE", p, NULL));
    g_free(p);
    p = fx_fmt("/api/v1/practitioners/%lld/roles/%lld", (long long)w.p_wang,
               (long long)role_id);
    json_decref(fx_expect(&fx, w.admin, 204, "DELETE", p, NULL));

    /* Teams and members. */
    g_free(p);
    p = fx_fmt("/api/v1/teams/%lld", (long long)w.team_a);
    doc = fx_expect(&fx, w.wang, 200, "GET", p, NULL);
    TC_CHECK_EQ(json_array_size(json_object_get(doc, "members")), 1);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(
                        json_array_get(json_object_get(doc, "members"), 0),
                        "practitioner_name")),
                    "Dr Wang");
    json_decref(doc);
    g_free(p);
    p = fx_fmt("/api/v1/organizations/%lld/teams", (long long)w.clinic);
    TC_CHECK_EQ(fx_count(fx_expect(&fx, w.wang, 200, "GET", p, NULL)), 2);
    g_free(p);
    p = fx_fmt("/api/v1/teams/%lld/members/%lld", (long long)w.team_a,
               (long long)w.p_li);
    json_decref(fx_expect(&fx, w.admin, 404, "DELETE", p, NULL));

    /* Only administrators change the directory. */
    json_decref(fx_expect(&fx, w.wang, 403, "POST", "/api/v1/organizations",
                          "{\"kind\":\"rehab_point\",\"name\":\"X\"}"));
    json_decref(fx_expect(&fx, w.wang, 403, "POST", "/api/v1/practitioners",
                          "{\"name\":\"Dr X\"}"));
}

static void
test_register_read_update_and_search(void)
{
    g_autofree char *body = NULL, *p = NULL;
    char *text = NULL;
    json_t *doc, *items;

    /* Read back what the setup registered: sex and birth date came from
     * the ID number. */
    p = fx_fmt("/api/v1/residents/%lld", (long long)w.res_a_id);
    doc = fx_expect(&fx, w.wang, 200, "GET", p, NULL);
    TC_REQUIRE(doc);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "id_number")),
                    w.id_a);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "sex")), "female");
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "birth_date")),
                    "1948-03-15");
    TC_CHECK_STR_EQ(
        json_string_value(json_object_get(doc, "disability_category")),
        "physical");
    TC_CHECK_EQ(json_integer_value(json_object_get(doc, "disability_grade")),
                2);
    json_decref(doc);

    /* Update some demographics; the rest stays. */
    doc = fx_expect(&fx, w.wang, 200, "PATCH", p,
                    "{\"phone\":\"13800138000\",\"village\":\"Dongcun\"}");
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "phone")),
                    "13800138000");
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "name")),
                    "Zhang Guilan");
    json_decref(doc);
    doc = fx_expect(&fx, w.wang, 200, "PATCH", p, "{\"phone\":null}");
    TC_CHECK(json_is_null(json_object_get(doc, "phone")));
    json_decref(doc);

    /* Search: only the readable ones (B is not contracted to anyone). */
    doc = fx_expect(&fx, w.wang, 200, "GET",
                    "/api/v1/residents?township=Qiaotou", NULL);
    items = json_object_get(doc, "items");
    TC_CHECK_EQ(json_array_size(items), 1);
    TC_CHECK_EQ(
        json_integer_value(json_object_get(json_array_get(items, 0), "id")),
        w.res_a_id);
    TC_CHECK(json_is_null(json_object_get(doc, "next_after")));
    json_decref(doc);
    TC_CHECK_EQ(fx_count(fx_expect(&fx, w.wang, 200, "GET",
                                   "/api/v1/residents?township=Qiaotou"
                                   "&village=Dongcun&name=Guilan",
                                   NULL)),
                1);
    TC_CHECK_EQ(fx_count(fx_expect(&fx, w.wang, 200, "GET",
                                   "/api/v1/residents?township=Qiaotou"
                                   "&name=Nobody",
                                   NULL)),
                0);
    g_free(body);
    body = fx_fmt("/api/v1/residents?id_number=%s", w.id_a);
    TC_CHECK_EQ(fx_count(fx_expect(&fx, w.wang, 200, "GET", body, NULL)), 1);
    /* The other team's doctor finds nothing, and is not told why. */
    TC_CHECK_EQ(fx_count(fx_expect(&fx, w.li, 200, "GET", body, NULL)), 0);
    g_free(body);
    body = fx_fmt("/api/v1/residents?id_number=%s", w.id_b);
    TC_CHECK_EQ(fx_count(fx_expect(&fx, w.wang, 200, "GET", body, NULL)), 0);
    TC_CHECK_EQ(fx_req(&fx, w.li, "GET", "/api/v1/residents?township=Qiaotou",
                       NULL, NULL, &text),
                200);
    TC_CHECK(strstr(text, "Zhang") == NULL);
    g_free(text);

    /* The ID number never changes. */
    doc = fx_expect(&fx, w.wang, 409, "PATCH", p,
                    "{\"id_number\":\"11010519491231002X\"}");
    TC_CHECK_STR_CONTAINS(json_string_value(json_object_get(
                              json_object_get(doc, "error"), "field")),
                          "id_number");
    json_decref(doc);
}

static void
test_carers(void)
{
    g_autofree char *p =
        fx_fmt("/api/v1/residents/%lld/carers", (long long)w.res_a_id);
    json_t *doc = fx_expect(&fx, w.carer_a, 200, "GET", p, NULL);
    json_t *first = json_array_get(json_object_get(doc, "items"), 0);

    TC_CHECK_EQ(json_array_size(json_object_get(doc, "items")), 1);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(first, "relationship")),
                    "daughter");
    TC_CHECK_EQ(json_integer_value(json_object_get(first, "id")),
                w.carer_a_id);
    json_decref(doc);
    /* Linking the same carer twice is a conflict. */
    g_autofree char *body =
        fx_fmt("{\"carer_id\":%lld,\"relationship\":\"son\"}",
               (long long)w.carer_a_id);
    json_decref(fx_expect(&fx, w.wang, 409, "POST", p, body));
    /* A carer may read, not write. */
    json_decref(fx_expect(&fx, w.carer_a, 403, "POST", p,
                          "{\"name\":\"X\",\"relationship\":\"son\"}"));
}

/* How many events of the audit answer have these values. */
static int
count_events(json_t *doc, const char *actor, const char *outcome,
             const char *entity_type)
{
    size_t i;
    json_t *e;
    int n = 0;

    json_array_foreach(json_object_get(doc, "items"), i, e)
    {
        n += g_strcmp0(json_string_value(json_object_get(e, "actor")),
                       actor) == 0 &&
             g_strcmp0(json_string_value(json_object_get(e, "outcome")),
                       outcome) == 0 &&
             g_strcmp0(json_string_value(json_object_get(e, "entity_type")),
                       entity_type) == 0;
    }
    return n;
}

static bool
has_event(json_t *doc, const char *actor, const char *outcome,
          const char *entity_type)
{
    return count_events(doc, actor, outcome, entity_type) > 0;
}

/* Refusals of a resident's record in its trail, per actor (the auditor
 * reads it: limit 200 holds the whole trail of this test's residents). */
struct refusals {
    int li, res_a, carer_a, admin;
};

static struct refusals
refusals_in(const char *trail)
{
    json_t *doc = fx_expect(&fx, w.auditor, 200, "GET", trail, NULL);
    struct refusals r = {
        .li = count_events(doc, "drli", "denied", "resident"),
        .res_a = count_events(doc, "reswa", "denied", "resident"),
        .carer_a = count_events(doc, "carera", "denied", "resident"),
        .admin = count_events(doc, "root", "denied", "resident"),
    };

    TC_CHECK(json_array_size(json_object_get(doc, "items")) < 200);
    json_decref(doc);
    return r;
}

static void
test_access_follows_relationships_and_refusals_are_audited(void)
{
    g_autofree char *a =
        fx_fmt("/api/v1/residents/%lld", (long long)w.res_a_id);
    g_autofree char *b =
        fx_fmt("/api/v1/residents/%lld", (long long)w.res_b_id);
    g_autofree char *audit_a = fx_fmt("/api/v1/residents/%lld/audit?limit=200",
                                      (long long)w.res_a_id);
    g_autofree char *audit_b = fx_fmt("/api/v1/residents/%lld/audit?limit=200",
                                      (long long)w.res_b_id);
    struct refusals a0 = refusals_in(audit_a), b0 = refusals_in(audit_b);
    struct refusals a1, b1;
    json_t *doc;

    /* A family doctor of another team. */
    doc = fx_expect(&fx, w.li, 403, "GET", a, NULL);
    TC_CHECK_STR_CONTAINS(json_string_value(json_object_get(
                              json_object_get(doc, "error"), "message")),
                          "no care relationship");
    json_decref(doc);
    /* The resident, and their carer; not the other resident. */
    json_decref(fx_expect(&fx, w.res_a, 200, "GET", a, NULL));
    json_decref(fx_expect(&fx, w.res_a, 403, "GET", b, NULL));
    json_decref(fx_expect(&fx, w.carer_a, 200, "GET", a, NULL));
    json_decref(fx_expect(&fx, w.carer_a, 403, "GET", b, NULL));
    /* Break-glass is the only way for an administrator. */
    json_decref(fx_expect(&fx, w.admin, 403, "GET", a, NULL));

    /* Each refusal is one new denied event in its resident's trail
     * (counted, so that an older refusal cannot stand in for it). */
    a1 = refusals_in(audit_a);
    b1 = refusals_in(audit_b);
    TC_CHECK_EQ(a1.li - a0.li, 1);
    TC_CHECK_EQ(a1.admin - a0.admin, 1);
    TC_CHECK_EQ(b1.res_a - b0.res_a, 1);
    TC_CHECK_EQ(b1.carer_a - b0.carer_a, 1);
    TC_CHECK_EQ(a1.res_a - a0.res_a, 0); /* her own record: allowed */
    TC_CHECK_EQ(a1.carer_a - a0.carer_a, 0);

    /* The auditor sees the reads in A's trail. */
    doc = fx_expect(&fx, w.auditor, 200, "GET", audit_a, NULL);
    TC_REQUIRE(doc);
    TC_CHECK(has_event(doc, "reswa", "success", "resident"));
    TC_CHECK(has_event(doc, "drwang", "success", "contract"));
    TC_CHECK(g_str_has_suffix(
        json_string_value(json_object_get(
            json_array_get(json_object_get(doc, "items"), 0), "at")),
        "Z"));
    json_decref(doc);

    /* The resident reads their own trail; clinicians do not. */
    g_free(audit_a);
    audit_a =
        fx_fmt("/api/v1/residents/%lld/audit?limit=2", (long long)w.res_a_id);
    doc = fx_expect(&fx, w.res_a, 200, "GET", audit_a, NULL);
    TC_CHECK_EQ(json_array_size(json_object_get(doc, "items")), 2);
    TC_CHECK(json_is_integer(json_object_get(doc, "next_before")));
    json_decref(doc);
    json_decref(fx_expect(&fx, w.wang, 403, "GET", audit_a, NULL));
    json_decref(fx_expect(&fx, w.res_a, 403, "GET", audit_b, NULL));
}

static void
test_bad_requests(void)
{
    struct {
        const char *method, *path, *body;
        long status;
        const char *message;
    } cases[] = {
        {"POST", "/api/v1/residents", "{\"name\":", 400, "invalid JSON"},
        {"POST", "/api/v1/residents", "[1]", 400, "must be a JSON object"},
        {"POST", "/api/v1/residents", "{}", 400, "id_number: required"},
        {"POST", "/api/v1/residents",
         "{\"id_number\":\"110105194912310021\",\"name\":\"A\","
         "\"township\":\"Qiaotou\"}",
         422, "id_number: "},
        {"POST", "/api/v1/residents",
         "{\"id_number\":\"11010519491231002X\",\"name\":7,"
         "\"township\":\"Qiaotou\"}",
         400, "name: must be a string"},
        {"POST", "/api/v1/residents",
         "{\"id_number\":\"11010519491231002X\",\"name\":\"A\","
         "\"township\":\"Qiaotou\",\"blood\":\"A+\"}",
         400, "blood: unknown field"},
        {"POST", "/api/v1/residents",
         "{\"id_number\":\"11010519491231002X\",\"name\":\"A\","
         "\"township\":\"Qiaotou\",\"sex\":\"other\"}",
         422, "sex: must be one of"},
        {"POST", "/api/v1/residents",
         "{\"id_number\":\"11010519491231002X\",\"name\":\"A\","
         "\"township\":\"Qiaotou\",\"birth_date\":\"1949-02-30\"}",
         400, "birth_date: must be a date"},
        {"POST", "/api/v1/residents",
         "{\"id_number\":\"11010519491231002X\",\"name\":\"A\","
         "\"township\":\"Qiaotou\",\"disability_grade\":9}",
         400, "disability_grade: must be in 0..4"},
        {"GET", "/api/v1/residents/abc", NULL, 400,
         "resident id: must be a positive integer id"},
        {"GET", "/api/v1/residents/0", NULL, 400,
         "resident id: must be a positive integer id"},
        {"GET", "/api/v1/residents/99999", NULL, 404, "not found"},
        {"GET", "/api/v1/residents/99999/audit", NULL, 404, "not found"},
        {"PATCH", "/api/v1/residents/99999", "{}", 404, "not found"},
        {"GET", "/api/v1/residents", NULL, 400, "exactly one of township"},
        {"GET", "/api/v1/residents?township=Q&limit=500", NULL, 400,
         "limit: must be an integer in 1..200"},
        {"GET", "/api/v1/residents?id_number=1&name=x", NULL, 400,
         "name: only with township"},
        {"POST", "/api/v1/organizations", "{\"kind\":\"spa\",\"name\":\"X\"}",
         422, "kind: must be one of"},
        {"POST", "/api/v1/organizations",
         "{\"kind\":\"rehab_point\",\"name\":\"X\",\"part_of\":99999}", 404,
         "part_of"},
        {"POST", "/api/v1/teams", "{\"organization_id\":\"1\",\"name\":\"T\"}",
         400, "organization_id: must be an integer"},
        {"GET", "/api/v1/teams/99999", NULL, 404, "no team 99999"},
        {"GET", "/api/v1/organizations?part_of=x", NULL, 400,
         "part_of: must be an integer"},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        /* Admin for directory writes; Dr Wang for the rest. */
        const char *who =
            g_str_has_prefix(cases[i].path, "/api/v1/org") ||
                    g_str_has_prefix(cases[i].path, "/api/v1/teams")
                ? w.admin
                : w.wang;
        char *text = NULL;
        long got = fx_req(&fx, who, cases[i].method, cases[i].path,
                          cases[i].body, NULL, &text);

        if (got != cases[i].status || !strstr(text, cases[i].message)) {
            TC_FAIL_("%s %s %s: want %ld \"%s\", got %ld %s", cases[i].method,
                     cases[i].path, cases[i].body ? cases[i].body : "",
                     cases[i].status, cases[i].message, got, text);
        }
        g_free(text);
    }
    /* Without a token. */
    TC_CHECK_EQ(
        fx_req(&fx, NULL, "GET", "/api/v1/residents/1", NULL, NULL, NULL),
        401);
    /* Registering the same ID number twice. */
    {
        g_autofree char *body = fx_fmt(
            "{\"id_number\":\"%s\",\"name\":\"Again\",\"township\":\"Q\"}",
            w.id_a);
        json_decref(
            fx_expect(&fx, w.wang, 409, "POST", "/api/v1/residents", body));
    }
}

/* ---- setup ---- */

static int64_t
post_id(const char *token, const char *path_text, const char *body)
{
    return fx_id(fx_expect(&fx, token, 201, "POST", path_text, body));
}

static void
setup_people(void)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *body = NULL, *p = NULL;
    int64_t contract;

    body = fx_fmt("{\"organization_id\":%lld,\"name\":\"Team A\"}",
                  (long long)w.clinic);
    w.team_a = post_id(w.admin, "/api/v1/teams", body);
    g_free(body);
    body = fx_fmt("{\"organization_id\":%lld,\"name\":\"Team B\"}",
                  (long long)w.clinic);
    w.team_b = post_id(w.admin, "/api/v1/teams", body);
    g_free(p);
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

    fx_id_number("19480315", 12, w.id_a); /* even: female */
    fx_id_number("19520101", 31, w.id_b);
    g_free(body);
    body = fx_fmt("{\"id_number\":\"%s\",\"name\":\"Zhang Guilan\","
                  "\"township\":\"Qiaotou\",\"village\":\"Xicun\","
                  "\"disability_cert_no\":\"D-1\","
                  "\"disability_category\":\"physical\","
                  "\"disability_grade\":2}",
                  w.id_a);
    w.res_a_id = post_id(w.wang, "/api/v1/residents", body);
    g_free(body);
    body = fx_fmt("{\"id_number\":\"%s\",\"name\":\"Zhao Ming\","
                  "\"sex\":\"male\",\"birth_date\":\"1952-01-01\","
                  "\"township\":\"Qiaotou\"}",
                  w.id_b);
    w.res_b_id = post_id(w.wang, "/api/v1/residents", body);
    TC_REQUIRE(w.res_a_id > 0 && w.res_b_id > 0);

    g_free(body);
    body = fx_fmt("{\"resident_id\":%lld,\"team_id\":%lld,"
                  "\"packages\":[\"basic\",\"disability_rehab\"],"
                  "\"period_start\":\"%d-01-01\"}",
                  (long long)w.res_a_id, (long long)w.team_a,
                  g_date_time_get_year(now));
    contract = post_id(w.wang, "/api/v1/contracts", body);
    TC_REQUIRE(contract > 0);
    g_free(p);
    p = fx_fmt("/api/v1/contracts/%lld/sign", (long long)contract);
    json_decref(
        fx_expect(&fx, w.wang, 200, "POST", p, "{\"method\":\"in_person\"}"));

    g_free(p);
    p = fx_fmt("/api/v1/residents/%lld/carers", (long long)w.res_a_id);
    w.carer_a_id = post_id(w.wang, p,
                           "{\"name\":\"Li Hua\",\"phone\":\"13700001111\","
                           "\"relationship\":\"daughter\"}");
    TC_REQUIRE(w.carer_a_id > 0);
    w.res_a = fx_user(&fx, "reswa", "resident", "--resident", w.res_a_id);
    w.carer_a = fx_user(&fx, "carera", "carer", "--carer", w.carer_a_id);
    TC_REQUIRE(w.res_a && w.carer_a);
}

/* Logins, the clinic, its two teams, two residents registered by Dr
 * Wang, A contracted to his team, A's carer; all through the API. */
static void
test_setup_through_the_api(void)
{
    w.admin = fx_user(&fx, "root", "admin", NULL, 0);
    w.auditor = fx_user(&fx, "audra", "auditor", NULL, 0);
    TC_REQUIRE(w.admin && w.auditor);
    w.p_wang = post_id(w.admin, "/api/v1/practitioners",
                       "{\"name\":\"Dr Wang\",\"phone\":\"13900001111\","
                       "\"qualification\":\"general practice\"}");
    w.p_li = post_id(w.admin, "/api/v1/practitioners", "{\"name\":\"Dr Li\"}");
    w.wang =
        fx_user(&fx, "drwang", "family_doctor", "--practitioner", w.p_wang);
    w.li = fx_user(&fx, "drli", "family_doctor", "--practitioner", w.p_li);
    TC_REQUIRE(w.wang && w.li);
    w.clinic = post_id(w.admin, "/api/v1/organizations",
                       "{\"kind\":\"township_clinic\",\"name\":\"Qiaotou "
                       "Clinic\",\"township\":\"Qiaotou\"}");
    TC_REQUIRE(w.clinic > 0);
    setup_people();
}

static void
test_server_stops_cleanly_and_logged_no_patient_data(void)
{
    const char *secrets[] = {"Zhang Guilan", "Zhao Ming", "Li Hua",
                             w.id_a,         w.id_b,      NULL};

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
    TC_RUN(test_directory);
    TC_RUN(test_register_read_update_and_search);
    TC_RUN(test_carers);
    TC_RUN(test_access_follows_relationships_and_refusals_are_audited);
    TC_RUN(test_bad_requests);
    TC_RUN(test_server_stops_cleanly_and_logged_no_patient_data);
    fx_stop(&fx);
    g_free(w.admin);
    g_free(w.auditor);
    g_free(w.wang);
    g_free(w.li);
    g_free(w.res_a);
    g_free(w.carer_a);
    return tc_done();
}
