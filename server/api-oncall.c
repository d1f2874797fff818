// SPDX-License-Identifier: Apache-2.0
/*
 * api-oncall.c - the on-call rota under /api/v1:
 *
 *   GET    /departments/{id}/oncall?from=&to=    shifts (staff)
 *   POST   /departments/{id}/oncall              add a shift
 *   DELETE /departments/{id}/oncall/{shift_id}   remove one
 *   GET    /oncall/now?code=cardiology           who is on call now, per
 *                                                tier, and who is online
 *
 * Access (policy kind rota): any clinician or administrator reads it; an
 * administrator or the department's head (departments.head_id) edits it.
 * The rota names no patient.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <stdint.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-records.h"

#define SHIFT   "oncall_shift"
#define WEEK_US (7LL * 86400LL * G_USEC_PER_SEC)

/* The department in the path, and the rota policy for `action`. */
static bool
rota_open(struct tc_srv *srv, struct tc_srv__call *call,
          enum tc_srv__action action, struct tc_rec_department **out)
{
    struct tc_srv__target t = {
        .action = action,
        .kind = TC_SRV__KIND_ROTA,
        .entity_type = "department",
    };
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "department id", &id)) {
        return false;
    }
    rc = tc_rec_department_get(srv->db, id, out);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    t.entity_id = id;
    t.department_head = (*out)->head_id > 0 &&
                        (*out)->head_id == call->req.who->practitioner_id;
    return tc_srv__policy_check(srv, call, &t);
}

static json_t *
practitioner_json(struct tc_srv *srv, int64_t id)
{
    struct tc_rec_practitioner *p = NULL;
    json_t *doc;

    if (tc_rec_practitioner_get(srv->db, id, &p) < 0) {
        return json_pack("{s:I,s:n}", "id", (json_int_t)id, "name");
    }
    doc = json_pack("{s:I,s:s}", "id", (json_int_t)id, "name", p->name);
    tc_rec_practitioner_free(p);
    return doc;
}

static json_t *
shift_json(struct tc_srv *srv, const struct tc_rec_oncall_shift *s)
{
    return json_pack("{s:I,s:I,s:o,s:o,s:o,s:b}", "id", (json_int_t)s->id,
                     "department_id", (json_int_t)s->department_id,
                     "practitioner",
                     practitioner_json(srv, s->practitioner_id), "starts_at",
                     tc_srv__instant_json(s->starts_at_us), "ends_at",
                     tc_srv__instant_json(s->ends_at_us), "online",
                     tc_srv__sig_online(srv, s->practitioner_id));
}

static void
rota_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_department *d = NULL;
    struct tc_rec_oncall_list *list = NULL;
    int64_t now = g_get_real_time(), from = now, to = now + WEEK_US;
    json_t *items, *q;
    char buf[64];
    int rc;

    if (!rota_open(srv, call, TC_SRV__ACT_READ, &d)) {
        goto out;
    }
    /* ?from= and ?to= are instants (RFC 3339), read like body members. */
    q = json_object();
    if (tc_srv__query_get(&call->req, "from", buf, sizeof(buf))) {
        json_object_set_new(q, "from", json_string(buf));
    }
    if (tc_srv__query_get(&call->req, "to", buf, sizeof(buf))) {
        json_object_set_new(q, "to", json_string(buf));
    }
    if (!tc_srv__json_instant(call, q, "from", false, &from) ||
        !tc_srv__json_instant(call, q, "to", false, &to)) {
        json_decref(q);
        goto out;
    }
    json_decref(q);
    rc = tc_rec_oncall_list(srv->db, d->id, from, to, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        goto out;
    }
    items = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(items, shift_json(srv, &list->items[i]));
    }
    tc_rec_oncall_list_free(list);
    tc_srv__resp_ok(call, 200,
                    json_pack("{s:I,s:o}", "department_id", (json_int_t)d->id,
                              "items", items));
out:
    tc_rec_department_free(d);
}

static void
rota_post(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"practitioner_id", "starts_at",
                                        "ends_at", NULL};
    struct tc_rec_oncall_shift s = {.created_at_us = g_get_real_time()};
    struct tc_rec_department *d = NULL;
    json_t *body = NULL;
    int64_t id = 0;
    int rc;

    if (rota_open(srv, call, TC_SRV__ACT_WRITE, &d) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_int(call, body, "practitioner_id", true, 1, INT64_MAX,
                         &s.practitioner_id) &&
        tc_srv__json_instant(call, body, "starts_at", true, &s.starts_at_us) &&
        tc_srv__json_instant(call, body, "ends_at", true, &s.ends_at_us)) {
        s.department_id = d->id;
        rc = tc_rec_oncall_add(srv->db, &s, &id);
        if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_CREATE, SHIFT,
                                  id, 0)) {
            s.id = id;
            tc_srv__resp_ok(call, 201, shift_json(srv, &s));
        }
    }
    json_decref(body);
    tc_rec_department_free(d);
}

static void
rota_delete(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_department *d = NULL;
    struct tc_rec_oncall_shift s;
    int64_t shift;
    int rc;

    if (rota_open(srv, call, TC_SRV__ACT_WRITE, &d) &&
        tc_srv__param_id(call, 1, "shift id", &shift)) {
        rc = tc_rec_oncall_get(srv->db, shift, &s);
        if (rc == 0 && s.department_id != d->id) {
            tc_srv__resp_error(&call->resp, 404,
                               "shift_id: not a shift of this department");
        } else if (rc == 0) {
            rc = tc_rec_oncall_remove(srv->db, shift);
            if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_DELETE,
                                      SHIFT, shift, 0)) {
                tc_srv__resp_no_content(call);
            }
        } else {
            tc_srv__resp_records_error(srv, call, rc);
        }
    }
    tc_rec_department_free(d);
}

/* GET /oncall/now?code=: tier 1 (county hospital) and tier 2 (city
 * hospitals), each with who is on call now and whether they are online. */
static void
rota_now(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const enum tc_rec_org_kind tiers[] = {TC_REC_ORG_COUNTY_HOSPITAL,
                                                 TC_REC_ORG_CITY_HOSPITAL};
    struct tc_srv__target t = {
        .action = TC_SRV__ACT_READ,
        .kind = TC_SRV__KIND_ROTA,
        .entity_type = "oncall",
    };
    json_t *out;
    char code[48];
    int64_t now = g_get_real_time();

    if (!tc_srv__policy_check(srv, call, &t)) {
        return;
    }
    if (!tc_srv__query_get(&call->req, "code", code, sizeof(code)) ||
        !code[0]) {
        tc_srv__resp_error_field(&call->resp, 400, "code",
                                 "code: required (a department code such "
                                 "as cardiology)");
        return;
    }
    out = json_array();
    for (size_t i = 0; i < G_N_ELEMENTS(tiers); i++) {
        int64_t *ids = NULL;
        size_t n = 0;
        json_t *people = json_array();
        int rc = tc_rec_oncall_now(srv->db, code, tiers[i], now, &ids, &n);
        if (rc < 0) {
            json_decref(people);
            json_decref(out);
            tc_srv__resp_records_error(srv, call, rc);
            return;
        }
        for (size_t k = 0; k < n; k++) {
            json_t *p = practitioner_json(srv, ids[k]);
            json_object_set_new(p, "online",
                                json_boolean(tc_srv__sig_online(srv, ids[k])));
            json_array_append_new(people, p);
        }
        free(ids);
        json_array_append_new(
            out,
            json_pack("{s:i,s:s,s:o}", "tier", (int)i + 1, "organization_kind",
                      tc_rec_org_kind_to_string(tiers[i]), "on_call", people));
    }
    tc_srv__resp_ok(call, 200,
                    json_pack("{s:s,s:o}", "code", code, "tiers", out));
}

const struct tc_srv__route tc_srv__routes_oncall[] = {
    {"GET", "/api/v1/departments/{id}/oncall", rota_get, 0},
    {"POST", "/api/v1/departments/{id}/oncall", rota_post, 0},
    {"DELETE", "/api/v1/departments/{id}/oncall/{shift_id}", rota_delete, 0},
    {"GET", "/api/v1/oncall/now", rota_now, 0},
    {NULL, NULL, NULL, 0},
};
