// SPDX-License-Identifier: Apache-2.0
/*
 * api-directory.c - the directory under /api/v1: organizations,
 * practitioners and their roles per organization, family-doctor teams and
 * their members.
 *
 * The directory holds no patient data: every signed-in caller may read
 * it, only administrators change it (the policy's DIRECTORY kind). Each
 * request is still checked and audited by tc_srv__policy_check(), and
 * each write's outcome is audited too. Answers mirror the records
 * structs: snake_case keys, codes as records spells them, instants as
 * RFC 3339 UTC strings.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-records.h"

#define NAME_MAX_LEN  200
#define PLACE_MAX_LEN 100
#define TEXT_MAX_LEN  200

#define ORG_KINDS                                                             \
    "county_hospital, township_clinic, city_hospital, rehab_point"
#define PRACTITIONER_ROLES                                                    \
    "doctor, specialist, township_doctor, family_doctor, therapist, "         \
    "ecg_reader, radiologist, nurse, public_health"
#define MEMBER_ROLES "doctor, nurse, public_health, therapist"

/* The policy check for the directory: reads for everyone, writes for
 * administrators; audited either way. */
static bool
allowed(struct tc_srv *srv, struct tc_srv__call *call,
        enum tc_srv__action action, const char *entity_type, int64_t id)
{
    struct tc_srv__target t = {
        .action = action,
        .kind = TC_SRV__KIND_DIRECTORY,
        .entity_type = entity_type,
        .entity_id = id,
    };

    return tc_srv__policy_check(srv, call, &t);
}

/* ---- JSON ---- */

static json_t *
id_or_null(int64_t id)
{
    return id > 0 ? json_integer(id) : json_null();
}

static json_t *
org_json(const struct tc_rec_organization *o)
{
    return json_pack(
        "{s:I,s:s?,s:s,s:o,s:s?,s:s?,s:o}", "id", (json_int_t)o->id, "kind",
        tc_rec_org_kind_to_string(o->kind), "name", o->name, "part_of",
        id_or_null(o->part_of), "township", o->township, "village", o->village,
        "created_at", tc_srv__json_time(o->created_at_us));
}

static json_t *
role_json(const struct tc_rec_practitioner_role *r)
{
    json_t *doc =
        json_pack("{s:I,s:I,s:I,s:s?,s:s?}", "id", (json_int_t)r->id,
                  "practitioner_id", (json_int_t)r->practitioner_id,
                  "organization_id", (json_int_t)r->organization_id, "role",
                  tc_rec_role_to_string(r->role), "department", r->department);

    if (r->practitioner_name) {
        json_object_set_new(doc, "practitioner_name",
                            json_string(r->practitioner_name));
    }
    return doc;
}

static json_t *
practitioner_json(const struct tc_rec_practitioner *p)
{
    return json_pack("{s:I,s:s,s:s?,s:s?,s:b,s:o}", "id", (json_int_t)p->id,
                     "name", p->name, "phone", p->phone, "qualification",
                     p->qualification, "active", p->active, "created_at",
                     tc_srv__json_time(p->created_at_us));
}

static json_t *
team_json(const struct tc_rec_team *t)
{
    return json_pack("{s:I,s:I,s:s,s:o}", "id", (json_int_t)t->id,
                     "organization_id", (json_int_t)t->organization_id, "name",
                     t->name, "created_at",
                     tc_srv__json_time(t->created_at_us));
}

static json_t *
member_json(const struct tc_rec_team_member *m)
{
    json_t *doc =
        json_pack("{s:I,s:I,s:s?}", "team_id", (json_int_t)m->team_id,
                  "practitioner_id", (json_int_t)m->practitioner_id, "role",
                  tc_rec_member_role_to_string(m->role));

    if (m->practitioner_name) {
        json_object_set_new(doc, "practitioner_name",
                            json_string(m->practitioner_name));
    }
    return doc;
}

static json_t *
items(json_t *array)
{
    return json_pack("{s:o}", "items", array);
}

/* ---- organizations ---- */

static void
org_answer(struct tc_srv *srv, struct tc_srv__call *call, int64_t id,
           int status)
{
    struct tc_rec_organization *org = NULL;
    int rc = tc_rec_organization_get(srv->db, id, &org);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_ok(call, status, org_json(org));
    tc_rec_organization_free(org);
}

static void
org_post(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"kind",     "name",    "part_of",
                                        "township", "village", NULL};
    struct tc_rec_organization org = {.created_at_us = g_get_real_time()};
    const char *kind, *name, *township, *village;
    json_t *body = NULL;
    int64_t id = 0;
    int rc;

    if (!allowed(srv, call, TC_SRV__ACT_WRITE, "organization", 0) ||
        tc_srv__call_json(call, &body) < 0) {
        return;
    }
    if (!tc_srv__json_only(call, body, known) ||
        !tc_srv__json_string(call, body, "kind", true, 32, &kind) ||
        !tc_srv__json_string(call, body, "name", true, NAME_MAX_LEN, &name) ||
        !tc_srv__json_int(call, body, "part_of", false, 1, INT64_MAX,
                          &org.part_of) ||
        !tc_srv__json_string(call, body, "township", false, PLACE_MAX_LEN,
                             &township) ||
        !tc_srv__json_string(call, body, "village", false, PLACE_MAX_LEN,
                             &village)) {
        goto out;
    }
    if (tc_rec_org_kind_from_string(kind, &org.kind) < 0) {
        tc_srv__bad_code(call, "kind", ORG_KINDS);
        goto out;
    }
    org.name = (char *)name;
    org.township = (char *)township;
    org.village = (char *)village;
    rc = tc_rec_organization_create(srv->db, &org, &id);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_CREATE,
                              "organization", id, 0)) {
        g_info("organization %" G_GINT64_FORMAT " created", id);
        org_answer(srv, call, id, 201);
    }
out:
    json_decref(body);
}

static void
org_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    int64_t id;

    if (!tc_srv__param_id(call, 0, "organization id", &id) ||
        !allowed(srv, call, TC_SRV__ACT_READ, "organization", id)) {
        return;
    }
    org_answer(srv, call, id, 200);
}

/* GET /organizations?part_of=ID: the children of ID, or the top level. */
static void
org_list(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_organization_list *list = NULL;
    json_t *array;
    long part_of;
    int rc;

    if (!tc_srv__query_int(call, "part_of", 0, 0, G_MAXLONG, &part_of) ||
        !allowed(srv, call, TC_SRV__ACT_READ, "organization", 0)) {
        return;
    }
    rc = tc_rec_organization_list_children(srv->db, part_of, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    array = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(array, org_json(&list->items[i]));
    }
    tc_rec_organization_list_free(list);
    tc_srv__resp_ok(call, 200, items(array));
}

/* PATCH /organizations/{id} {"part_of": ID or null}: move it. */
static void
org_patch(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"part_of", NULL};
    json_t *body = NULL, *v;
    int64_t id, part_of = 0;
    int rc;

    if (!tc_srv__param_id(call, 0, "organization id", &id) ||
        !allowed(srv, call, TC_SRV__ACT_WRITE, "organization", id) ||
        tc_srv__call_json(call, &body) < 0) {
        return;
    }
    v = json_object_get(body, "part_of");
    if (!tc_srv__json_only(call, body, known) ||
        !tc_srv__json_int(call, body, "part_of", false, 1, INT64_MAX,
                          &part_of)) {
        goto out;
    }
    if (!v) {
        tc_srv__resp_error_field(&call->resp, 400, "part_of",
                                 "part_of: required (an id, or null)");
        goto out;
    }
    rc = tc_rec_organization_set_part_of(srv->db, id, part_of);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_UPDATE,
                              "organization", id, 0)) {
        org_answer(srv, call, id, 200);
    }
out:
    json_decref(body);
}

/* GET /organizations/{id}/practitioners?role=CODE */
static void
org_practitioners(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_practitioner_role_list *list = NULL;
    enum tc_rec_role role = 0;
    char code[32];
    json_t *array;
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "organization id", &id)) {
        return;
    }
    if (tc_srv__query_get(&call->req, "role", code, sizeof(code)) &&
        tc_rec_role_from_string(code, &role) < 0) {
        tc_srv__bad_code(call, "role", PRACTITIONER_ROLES);
        return;
    }
    if (!allowed(srv, call, TC_SRV__ACT_READ, "organization", id)) {
        return;
    }
    rc = tc_rec_practitioner_role_list_for_organization(srv->db, id, role,
                                                        &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    array = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(array, role_json(&list->items[i]));
    }
    tc_rec_practitioner_role_list_free(list);
    tc_srv__resp_ok(call, 200, items(array));
}

/* GET /organizations/{id}/teams */
static void
org_teams(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_team_list *list = NULL;
    json_t *array;
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "organization id", &id) ||
        !allowed(srv, call, TC_SRV__ACT_READ, "organization", id)) {
        return;
    }
    rc = tc_rec_team_list_for_organization(srv->db, id, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    array = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(array, team_json(&list->items[i]));
    }
    tc_rec_team_list_free(list);
    tc_srv__resp_ok(call, 200, items(array));
}

/* ---- practitioners ---- */

/* The practitioner with their roles. */
static void
practitioner_answer(struct tc_srv *srv, struct tc_srv__call *call, int64_t id,
                    int status)
{
    struct tc_rec_practitioner *p = NULL;
    struct tc_rec_practitioner_role_list *roles = NULL;
    json_t *doc, *array;
    int rc = tc_rec_practitioner_get(srv->db, id, &p);

    if (rc == 0) {
        rc = tc_rec_practitioner_role_list_for_practitioner(srv->db, id,
                                                            &roles);
    }
    if (rc < 0) {
        tc_rec_practitioner_free(p);
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    doc = practitioner_json(p);
    array = json_array();
    for (size_t i = 0; i < roles->count; i++) {
        json_array_append_new(array, role_json(&roles->items[i]));
    }
    json_object_set_new(doc, "roles", array);
    tc_rec_practitioner_role_list_free(roles);
    tc_rec_practitioner_free(p);
    tc_srv__resp_ok(call, status, doc);
}

static void
practitioner_post(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"name", "phone", "qualification",
                                        NULL};
    struct tc_rec_practitioner p = {.created_at_us = g_get_real_time()};
    const char *name, *phone, *qualification;
    json_t *body = NULL;
    int64_t id = 0;
    int rc;

    if (!allowed(srv, call, TC_SRV__ACT_WRITE, "practitioner", 0) ||
        tc_srv__call_json(call, &body) < 0) {
        return;
    }
    if (!tc_srv__json_only(call, body, known) ||
        !tc_srv__json_string(call, body, "name", true, NAME_MAX_LEN, &name) ||
        !tc_srv__json_string(call, body, "phone", false, 32, &phone) ||
        !tc_srv__json_string(call, body, "qualification", false, TEXT_MAX_LEN,
                             &qualification)) {
        goto out;
    }
    p.name = (char *)name;
    p.phone = (char *)phone;
    p.qualification = (char *)qualification;
    rc = tc_rec_practitioner_create(srv->db, &p, &id);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_CREATE,
                              "practitioner", id, 0)) {
        g_info("practitioner %" G_GINT64_FORMAT " created", id);
        practitioner_answer(srv, call, id, 201);
    }
out:
    json_decref(body);
}

static void
practitioner_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    int64_t id;

    if (!tc_srv__param_id(call, 0, "practitioner id", &id) ||
        !allowed(srv, call, TC_SRV__ACT_READ, "practitioner", id)) {
        return;
    }
    practitioner_answer(srv, call, id, 200);
}

/* POST /practitioners/{id}/roles {organization_id, role, department?} */
static void
role_post(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"organization_id", "role",
                                        "department", NULL};
    struct tc_rec_practitioner_role r = {0};
    const char *role, *department;
    json_t *body = NULL;
    int64_t role_id = 0;
    int rc;

    if (!tc_srv__param_id(call, 0, "practitioner id", &r.practitioner_id) ||
        !allowed(srv, call, TC_SRV__ACT_WRITE, "practitioner",
                 r.practitioner_id) ||
        tc_srv__call_json(call, &body) < 0) {
        return;
    }
    if (!tc_srv__json_only(call, body, known) ||
        !tc_srv__json_int(call, body, "organization_id", true, 1, INT64_MAX,
                          &r.organization_id) ||
        !tc_srv__json_string(call, body, "role", true, 32, &role) ||
        !tc_srv__json_string(call, body, "department", false, TEXT_MAX_LEN,
                             &department)) {
        goto out;
    }
    if (tc_rec_role_from_string(role, &r.role) < 0) {
        tc_srv__bad_code(call, "role", PRACTITIONER_ROLES);
        goto out;
    }
    r.department = (char *)department;
    rc = tc_rec_practitioner_role_add(srv->db, &r, &role_id);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_CREATE,
                              "practitioner_role", role_id, 0)) {
        r.id = role_id;
        tc_srv__resp_ok(call, 201, role_json(&r));
    }
out:
    json_decref(body);
}

/* DELETE /practitioners/{id}/roles/{role_id} */
static void
role_delete(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_practitioner_role_list *roles = NULL;
    int64_t pid, role_id;
    bool theirs = false;
    int rc;

    if (!tc_srv__param_id(call, 0, "practitioner id", &pid) ||
        !tc_srv__param_id(call, 1, "role id", &role_id) ||
        !allowed(srv, call, TC_SRV__ACT_WRITE, "practitioner_role", role_id)) {
        return;
    }
    rc = tc_rec_practitioner_role_list_for_practitioner(srv->db, pid, &roles);
    for (size_t i = 0; rc == 0 && i < roles->count; i++) {
        theirs = theirs || roles->items[i].id == role_id;
    }
    tc_rec_practitioner_role_list_free(roles);
    if (rc == 0 && !theirs) {
        tc_srv__resp_error_field(&call->resp, 404, "role id",
                                 "role id: not a role of this practitioner");
        return;
    }
    if (rc == 0) {
        rc = tc_rec_practitioner_role_remove(srv->db, role_id);
    }
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_DELETE,
                              "practitioner_role", role_id, 0)) {
        tc_srv__resp_no_content(call);
    }
}

/* ---- teams ---- */

/* The team with its members. */
static void
team_answer(struct tc_srv *srv, struct tc_srv__call *call, int64_t id,
            int status)
{
    struct tc_rec_team *team = NULL;
    struct tc_rec_team_member_list *members = NULL;
    json_t *doc, *array;
    int rc = tc_rec_team_get(srv->db, id, &team);

    if (rc == 0) {
        rc = tc_rec_team_member_list_for_team(srv->db, id, &members);
    }
    if (rc < 0) {
        tc_rec_team_free(team);
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    doc = team_json(team);
    array = json_array();
    for (size_t i = 0; i < members->count; i++) {
        json_array_append_new(array, member_json(&members->items[i]));
    }
    json_object_set_new(doc, "members", array);
    tc_rec_team_member_list_free(members);
    tc_rec_team_free(team);
    tc_srv__resp_ok(call, status, doc);
}

static void
team_post(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"organization_id", "name", NULL};
    struct tc_rec_team team = {.created_at_us = g_get_real_time()};
    const char *name;
    json_t *body = NULL;
    int64_t id = 0;
    int rc;

    if (!allowed(srv, call, TC_SRV__ACT_WRITE, "team", 0) ||
        tc_srv__call_json(call, &body) < 0) {
        return;
    }
    if (!tc_srv__json_only(call, body, known) ||
        !tc_srv__json_int(call, body, "organization_id", true, 1, INT64_MAX,
                          &team.organization_id) ||
        !tc_srv__json_string(call, body, "name", true, NAME_MAX_LEN, &name)) {
        goto out;
    }
    team.name = (char *)name;
    rc = tc_rec_team_create(srv->db, &team, &id);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_CREATE, "team", id,
                              0)) {
        g_info("team %" G_GINT64_FORMAT " created", id);
        team_answer(srv, call, id, 201);
    }
out:
    json_decref(body);
}

static void
team_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    int64_t id;

    if (!tc_srv__param_id(call, 0, "team id", &id) ||
        !allowed(srv, call, TC_SRV__ACT_READ, "team", id)) {
        return;
    }
    team_answer(srv, call, id, 200);
}

/* POST /teams/{id}/members {practitioner_id, role} */
static void
member_post(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"practitioner_id", "role", NULL};
    struct tc_rec_team_member m = {0};
    const char *role;
    json_t *body = NULL;
    int rc;

    if (!tc_srv__param_id(call, 0, "team id", &m.team_id) ||
        !allowed(srv, call, TC_SRV__ACT_WRITE, "team", m.team_id) ||
        tc_srv__call_json(call, &body) < 0) {
        return;
    }
    if (!tc_srv__json_only(call, body, known) ||
        !tc_srv__json_int(call, body, "practitioner_id", true, 1, INT64_MAX,
                          &m.practitioner_id) ||
        !tc_srv__json_string(call, body, "role", true, 32, &role)) {
        goto out;
    }
    if (tc_rec_member_role_from_string(role, &m.role) < 0) {
        tc_srv__bad_code(call, "role", MEMBER_ROLES);
        goto out;
    }
    rc = tc_rec_team_member_add(srv->db, m.team_id, m.practitioner_id, m.role);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_CREATE,
                              "team_member", m.team_id, 0)) {
        tc_srv__resp_ok(call, 201, member_json(&m));
    }
out:
    json_decref(body);
}

/* DELETE /teams/{id}/members/{practitioner_id} */
static void
member_delete(struct tc_srv *srv, struct tc_srv__call *call)
{
    int64_t team_id, pid;
    int rc;

    if (!tc_srv__param_id(call, 0, "team id", &team_id) ||
        !tc_srv__param_id(call, 1, "practitioner id", &pid) ||
        !allowed(srv, call, TC_SRV__ACT_WRITE, "team", team_id)) {
        return;
    }
    rc = tc_rec_team_member_remove(srv->db, team_id, pid);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_DELETE,
                              "team_member", team_id, 0)) {
        tc_srv__resp_no_content(call);
    }
}

const struct tc_srv__route tc_srv__routes_directory[] = {
    {"POST", "/api/v1/organizations", org_post, 0},
    {"GET", "/api/v1/organizations", org_list, 0},
    {"GET", "/api/v1/organizations/{id}", org_get, 0},
    {"PATCH", "/api/v1/organizations/{id}", org_patch, 0},
    {"GET", "/api/v1/organizations/{id}/practitioners", org_practitioners, 0},
    {"GET", "/api/v1/organizations/{id}/teams", org_teams, 0},
    {"POST", "/api/v1/practitioners", practitioner_post, 0},
    {"GET", "/api/v1/practitioners/{id}", practitioner_get, 0},
    {"POST", "/api/v1/practitioners/{id}/roles", role_post, 0},
    {"DELETE", "/api/v1/practitioners/{id}/roles/{role_id}", role_delete, 0},
    {"POST", "/api/v1/teams", team_post, 0},
    {"GET", "/api/v1/teams/{id}", team_get, 0},
    {"POST", "/api/v1/teams/{id}/members", member_post, 0},
    {"DELETE", "/api/v1/teams/{id}/members/{practitioner_id}", member_delete,
     0},
    {NULL, NULL, NULL, 0},
};
