// SPDX-License-Identifier: Apache-2.0
/*
 * api-referrals.c - tiered-care referrals under /api/v1, and the hospital
 * departments they go to:
 *
 *   GET  /departments?organization_id=&code=     the directory (any caller)
 *   POST /departments, PATCH /departments/{id}   administrators
 *   POST /referrals                              up or down
 *   GET  /referrals?box=in|out|team | ?resident_id=   newest first
 *   GET  /referrals/{id}
 *   POST /referrals/{id}/accept|decline|cancel
 *   GET  /stats/referrals?from=&to=              per township, department
 *
 * Access (policy kind referral): an up-referral is written under the
 * resident's own care rules (the township doctor of their township, their
 * family-doctor team). Afterwards the sender and the receiving side (the
 * department's doctors or the named one; for a down-referral the team
 * and the clinic) read and answer it, and the resident's family-doctor
 * team sees it through the care rules. A down-referral is written by a
 * doctor of the department: of its up-referral's receiving side, or of
 * the department named. Neither opens the rest of the record.
 *
 * The lifecycle and every field rule are records' (referral.c); this
 * file reads the body (400 naming the field), asks the policy, and maps
 * records' answers (422 naming the field, 404, 409 for a step with no
 * arrow).
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-records.h"

#define TEXT_MAX   8000
#define REASON_MAX 2000
#define REFERRAL   "referral"
#define LIST_MAX   TC_REC_REFERRAL_PAGE_MAX
#define URGENCIES  "routine, urgent or emergency"

/* ---- departments ---- */

static json_t *
department_json(const struct tc_rec_department *d)
{
    return json_pack(
        "{s:I,s:I,s:s,s:s,s:s,s:o,s:i}", "id", (json_int_t)d->id,
        "organization_id", (json_int_t)d->organization_id, "organization_kind",
        tc_rec_org_kind_to_string(d->org_kind), "code", d->code, "name",
        d->name, "head_id", tc_srv__id_json(d->head_id), "tier",
        d->org_kind == TC_REC_ORG_COUNTY_HOSPITAL ? 1
        : d->org_kind == TC_REC_ORG_CITY_HOSPITAL ? 2
                                                  : 0);
}

static bool
directory_allowed(struct tc_srv *srv, struct tc_srv__call *call,
                  enum tc_srv__action action, int64_t id)
{
    struct tc_srv__target t = {
        .action = action,
        .kind = TC_SRV__KIND_DIRECTORY,
        .entity_type = "department",
        .entity_id = id,
    };

    return tc_srv__policy_check(srv, call, &t);
}

static void
department_answer(struct tc_srv *srv, struct tc_srv__call *call, int64_t id,
                  int status)
{
    struct tc_rec_department *d = NULL;
    int rc = tc_rec_department_get(srv->db, id, &d);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_ok(call, status, department_json(d));
    tc_rec_department_free(d);
}

static void
department_list(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_department_list *list = NULL;
    char code[48] = "";
    long org;
    json_t *items;
    int rc;

    if (!directory_allowed(srv, call, TC_SRV__ACT_READ, 0) ||
        !tc_srv__query_int(call, "organization_id", 0, 1, INT32_MAX, &org)) {
        return;
    }
    tc_srv__query_get(&call->req, "code", code, sizeof(code));
    rc = tc_rec_department_list(srv->db, org, code[0] ? code : NULL, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    items = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(items, department_json(&list->items[i]));
    }
    tc_rec_department_list_free(list);
    tc_srv__resp_ok(call, 200, json_pack("{s:o}", "items", items));
}

static void
department_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    int64_t id;

    if (tc_srv__param_id(call, 0, "department id", &id) &&
        directory_allowed(srv, call, TC_SRV__ACT_READ, id)) {
        department_answer(srv, call, id, 200);
    }
}

static void
department_post(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"organization_id", "code", "name",
                                        "head_id", NULL};
    struct tc_rec_department d = {.created_at_us = g_get_real_time()};
    const char *code = NULL, *name = NULL;
    json_t *body = NULL;
    int64_t id = 0;

    if (directory_allowed(srv, call, TC_SRV__ACT_WRITE, 0) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_int(call, body, "organization_id", true, 1, INT64_MAX,
                         &d.organization_id) &&
        tc_srv__json_string(call, body, "code", true, 64, &code) &&
        tc_srv__json_string(call, body, "name", true, 400, &name) &&
        tc_srv__json_int(call, body, "head_id", false, 1, INT64_MAX,
                         &d.head_id)) {
        d.code = (char *)code;
        d.name = (char *)name;
        if (tc_srv__audit_outcome(srv, call,
                                  tc_rec_department_create(srv->db, &d, &id),
                                  TC_REC_AUDIT_CREATE, "department", id, 0)) {
            department_answer(srv, call, id, 201);
        }
    }
    json_decref(body);
}

static void
department_patch(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"head_id", NULL};
    json_t *body = NULL;
    int64_t id, head = 0;

    if (tc_srv__param_id(call, 0, "department id", &id) &&
        directory_allowed(srv, call, TC_SRV__ACT_WRITE, id) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_int(call, body, "head_id", true, 0, INT64_MAX, &head) &&
        tc_srv__audit_outcome(srv, call,
                              tc_rec_department_set_head(srv->db, id, head),
                              TC_REC_AUDIT_UPDATE, "department", id, 0)) {
        department_answer(srv, call, id, 200);
    }
    json_decref(body);
}

/* ---- access ---- */

/* Whether the caller sends or receives `r`. */
static int
party_of(struct tc_srv *srv, const struct tc_srv__call *call,
         const struct tc_rec_referral *r, bool *out)
{
    int64_t me = call->req.who->practitioner_id;

    *out = false;
    if (me <= 0) {
        return 0;
    }
    if (r->from_id == me) {
        *out = true;
        return 0;
    }
    return tc_rec_referral_is_receiver(srv->db, r, me, out);
}

static int
target_of(struct tc_srv *srv, const struct tc_srv__call *call,
          const struct tc_rec_referral *r, enum tc_srv__action action,
          struct tc_srv__target *t)
{
    *t = (struct tc_srv__target){
        .action = action,
        .kind = TC_SRV__KIND_REFERRAL,
        .resident_id = r->resident_id,
        .entity_type = REFERRAL,
        .entity_id = r->id,
    };
    return party_of(srv, call, r, &t->referral_party);
}

static bool
open_as(struct tc_srv *srv, struct tc_srv__call *call, int64_t id,
        enum tc_srv__action action, struct tc_rec_referral **out)
{
    struct tc_srv__target t;
    int rc = tc_rec_referral_get(srv->db, id, out);

    if (rc == 0) {
        rc = target_of(srv, call, *out, action, &t);
    }
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    return tc_srv__policy_check(srv, call, &t);
}

static bool
open_path(struct tc_srv *srv, struct tc_srv__call *call,
          enum tc_srv__action action, struct tc_rec_referral **out)
{
    int64_t id;

    return tc_srv__param_id(call, 0, "referral id", &id) &&
           open_as(srv, call, id, action, out);
}

/* ---- answers ---- */

static json_t *
ids_json(const int64_t *ids, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, json_integer(ids[i]));
    }
    return a;
}

/* The referral; `whole` adds the free text and the lists. */
static json_t *
referral_json(struct tc_srv *srv, const struct tc_rec_referral *r, bool whole)
{
    struct tc_rec_department *d = NULL;
    json_t *doc = json_pack(
        "{s:I,s:s,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:s,s:s,s:o,s:o,s:o,s:o,s:o,"
        "s:o,s:o}",
        "id", (json_int_t)r->id, "direction",
        tc_rec_referral_direction_to_string(r->direction), "resident_id",
        (json_int_t)r->resident_id, "from_id", (json_int_t)r->from_id,
        "department_id", (json_int_t)r->department_id, "clinic_id",
        (json_int_t)r->clinic_id, "team_id", tc_srv__id_json(r->team_id),
        "to_practitioner_id", tc_srv__id_json(r->to_practitioner_id),
        "parent_id", tc_srv__id_json(r->parent_id), "urgency",
        tc_rec_consultation_priority_to_string(r->urgency), "status",
        tc_rec_referral_status_to_string(r->status), "requested_at",
        tc_srv__instant_json(r->requested_at_us), "answered_by",
        tc_srv__id_json(r->answered_by), "answered_at",
        tc_srv__instant_json(r->answered_at_us), "appointment_at",
        tc_srv__instant_json(r->appointment_at_us), "admission_date",
        tc_srv__string_json(r->admission_date), "completed_at",
        tc_srv__instant_json(r->completed_at_us), "down_referral_id",
        tc_srv__id_json(r->child_id));

    if (tc_rec_department_get(srv->db, r->department_id, &d) == 0) {
        json_object_set_new(doc, "department", department_json(d));
        tc_rec_department_free(d);
    }
    if (!whole) {
        return doc;
    }
    json_object_set_new(doc, "reason", json_string(r->reason));
    json_object_set_new(doc, "summary", tc_srv__string_json(r->summary));
    json_object_set_new(doc, "decline_reason",
                        tc_srv__string_json(r->decline_reason));
    json_object_set_new(doc, "ecg_study_ids",
                        ids_json(r->ecg_study_ids, r->n_ecg_studies));
    json_object_set_new(doc, "imaging_study_ids",
                        ids_json(r->imaging_study_ids, r->n_imaging_studies));
    json_object_set_new(doc, "followup_ids",
                        ids_json(r->followup_ids, r->n_followups));
    return doc;
}

static void
answer(struct tc_srv *srv, struct tc_srv__call *call, int status, int64_t id)
{
    struct tc_rec_referral *r = NULL;
    int rc = tc_rec_referral_get(srv->db, id, &r);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_ok(call, status, referral_json(srv, r, true));
    tc_rec_referral_free(r);
}

/* ---- creating ---- */

/* An array member of positive ids, at most `max`; absent is empty.
 * *ids is g_new'd (g_free). */
static bool
ids_read(struct tc_srv__call *call, json_t *body, const char *field,
         size_t max, int64_t **ids, size_t *n)
{
    json_t *a = json_object_get(body, field), *v;
    size_t i;

    *ids = NULL;
    *n = 0;
    if (!a || json_is_null(a)) {
        return true;
    }
    if (!json_is_array(a) || json_array_size(a) > max) {
        g_autofree char *m = g_strdup_printf(
            "%s: must be an array of at most %zu ids", field, max);
        tc_srv__resp_error_field(&call->resp, 400, field, m);
        return false;
    }
    *ids = g_new0(int64_t, json_array_size(a) + 1);
    json_array_foreach(a, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            g_autofree char *f = g_strdup_printf("%s[%zu]", field, i);
            g_autofree char *m = g_strdup_printf("%s: must be an id", f);
            tc_srv__resp_error_field(&call->resp, 400, f, m);
            g_free(*ids);
            *ids = NULL;
            return false;
        }
        (*ids)[(*n)++] = json_integer_value(v);
    }
    return true;
}

/* follow_up_plan: [{kind, due_date}]; the strings are borrowed from
 * body; *plan is g_new'd. */
static bool
plan_read(struct tc_srv__call *call, json_t *body,
          struct tc_rec_followup_plan_item **plan, size_t *n)
{
    static const char *const known[] = {"kind", "due_date", NULL};
    json_t *a = json_object_get(body, "follow_up_plan"), *v;
    size_t i;

    *plan = NULL;
    *n = 0;
    if (!a || json_is_null(a)) {
        return true;
    }
    if (!json_is_array(a) || json_array_size(a) > TC_REC_REFERRAL_PLAN_MAX) {
        tc_srv__resp_error_field(&call->resp, 400, "follow_up_plan",
                                 "follow_up_plan: must be an array of at "
                                 "most 24 {kind, due_date}");
        return false;
    }
    *plan = g_new0(struct tc_rec_followup_plan_item, json_array_size(a) + 1);
    json_array_foreach(a, i, v)
    {
        struct tc_rec_followup_plan_item *it = &(*plan)[i];
        g_autofree char *prefix = g_strdup_printf("follow_up_plan[%zu].", i);
        if (!json_is_object(v)) {
            g_autofree char *f = g_strdup_printf("follow_up_plan[%zu]", i);
            g_autofree char *m = g_strdup_printf("%s: must be an object", f);
            tc_srv__resp_error_field(&call->resp, 400, f, m);
            goto fail;
        }
        if (!tc_srv__json_only(call, v, known) ||
            !tc_srv__json_string(call, v, "kind", true, 64, &it->kind) ||
            !tc_srv__json_date(call, v, "due_date", true, &it->due_date)) {
            tc_srv__resp_error_prefix(call, prefix);
            goto fail;
        }
        (*n)++;
    }
    return true;
fail:
    g_free(*plan);
    *plan = NULL;
    return false;
}

/* The policy check before writing a new referral: an up-referral under
 * the resident's care rules; a down-referral by a receiver of its parent
 * or a doctor of the department named. */
static bool
create_allowed(struct tc_srv *srv, struct tc_srv__call *call,
               const struct tc_rec_referral_new *in)
{
    struct tc_srv__target t = {
        .action = TC_SRV__ACT_WRITE,
        .kind = TC_SRV__KIND_REFERRAL,
        .resident_id = in->resident_id,
        .entity_type = REFERRAL,
    };
    struct tc_rec_referral *parent = NULL;
    int rc = 0;

    if (in->direction == TC_REC_REFERRAL_UP) {
        t.kind = TC_SRV__KIND_RECORD;
    } else if (in->parent_id) {
        rc = tc_rec_referral_get(srv->db, in->parent_id, &parent);
        if (rc == 0) {
            t.entity_id = parent->id;
            rc = tc_rec_referral_is_receiver(srv->db, parent, in->from_id,
                                             &t.referral_party);
        }
        tc_rec_referral_free(parent);
    } else if (in->department_id) {
        rc = tc_rec_department_has_member(srv->db, in->department_id,
                                          in->from_id, &t.referral_party);
    }
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    return tc_srv__policy_check(srv, call, &t);
}

static bool
create_read(struct tc_srv__call *call, json_t *body,
            struct tc_rec_referral_new *in, int64_t **ecg, int64_t **img,
            struct tc_rec_followup_plan_item **plan)
{
    const char *direction = NULL, *urgency = NULL;

    if (!tc_srv__json_string(call, body, "direction", true, 8, &direction) ||
        !tc_srv__json_int(call, body, "resident_id", true, 1, INT64_MAX,
                          &in->resident_id) ||
        !tc_srv__json_int(call, body, "department_id", false, 1, INT64_MAX,
                          &in->department_id) ||
        !tc_srv__json_int(call, body, "clinic_id", false, 1, INT64_MAX,
                          &in->clinic_id) ||
        !tc_srv__json_int(call, body, "to_practitioner_id", false, 1,
                          INT64_MAX, &in->to_practitioner_id) ||
        !tc_srv__json_int(call, body, "parent_id", false, 1, INT64_MAX,
                          &in->parent_id) ||
        !tc_srv__json_int(call, body, "emergency_id", false, 1, INT64_MAX,
                          &in->emergency_id) ||
        !tc_srv__json_string(call, body, "urgency", true, 16, &urgency) ||
        !tc_srv__json_string(call, body, "reason", true, REASON_MAX,
                             &in->reason) ||
        !tc_srv__json_string(call, body, "summary", false, TEXT_MAX,
                             &in->summary) ||
        !ids_read(call, body, "ecg_study_ids", TC_REC_REFERRAL_STUDIES_MAX,
                  ecg, &in->n_ecg_studies) ||
        !ids_read(call, body, "imaging_study_ids", TC_REC_REFERRAL_STUDIES_MAX,
                  img, &in->n_imaging_studies) ||
        !plan_read(call, body, plan, &in->n_plan)) {
        return false;
    }
    if (tc_rec_referral_direction_from_string(direction, &in->direction) < 0) {
        return tc_srv__bad_code(call, "direction", "up or down");
    }
    if (tc_rec_consultation_priority_from_string(urgency, &in->urgency) < 0) {
        return tc_srv__bad_code(call, "urgency", URGENCIES);
    }
    in->ecg_study_ids = *ecg;
    in->imaging_study_ids = *img;
    in->plan = *plan;
    return true;
}

static void
referral_post(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"direction",
                                        "resident_id",
                                        "department_id",
                                        "clinic_id",
                                        "to_practitioner_id",
                                        "parent_id",
                                        "urgency",
                                        "reason",
                                        "summary",
                                        "ecg_study_ids",
                                        "imaging_study_ids",
                                        "follow_up_plan",
                                        "emergency_id",
                                        NULL};
    struct tc_rec_referral_new in = {0};
    g_autofree int64_t *ecg = NULL, *img = NULL;
    g_autofree struct tc_rec_followup_plan_item *plan = NULL;
    json_t *body = NULL;
    int64_t id = 0;

    if (!tc_srv__who_practitioner(call, "send a referral", &in.from_id) ||
        !tc_srv__call_body(call, known, &body) ||
        !create_read(call, body, &in, &ecg, &img, &plan) ||
        !create_allowed(srv, call, &in)) {
        goto out;
    }
    in.at_us = g_get_real_time();
    if (tc_srv__audit_outcome(
            srv, call, tc_rec_referral_create(srv->db, &in, &id),
            TC_REC_AUDIT_CREATE, REFERRAL, id, in.resident_id)) {
        g_info("referral %" G_GINT64_FORMAT " (%s) sent", id,
               tc_rec_referral_direction_to_string(in.direction));
        answer(srv, call, 201, id);
    }
out:
    json_decref(body);
}

/* ---- reading ---- */

static void
referral_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_referral *r = NULL;

    if (open_path(srv, call, TC_SRV__ACT_READ, &r)) {
        tc_srv__resp_ok(call, 200, referral_json(srv, r, true));
    }
    tc_rec_referral_free(r);
}

/* Answer the rows of `list` the caller may read (all of them when the
 * resident's record was checked already), each audited. */
static void
rows_answer(struct tc_srv *srv, struct tc_srv__call *call,
            const struct tc_rec_referral_list *list, bool checked)
{
    json_t *items = json_array();
    int rc = 0;

    for (size_t i = 0; i < list->count && rc == 0; i++) {
        const struct tc_rec_referral *r = &list->items[i];
        struct tc_srv__decision d = {.allow = true, .rule = "resident"};
        struct tc_srv__target t;
        if (!checked) {
            rc = target_of(srv, call, r, TC_SRV__ACT_READ, &t);
            rc = rc < 0 ? rc : tc_srv__policy_peek(srv, call, &t, &d);
        }
        if (rc == 0 && d.allow) {
            tc_srv__audit(srv, call, TC_REC_AUDIT_READ, REFERRAL, r->id,
                          r->resident_id, TC_REC_AUDIT_SUCCESS, NULL, d.rule);
            json_array_append_new(items, referral_json(srv, r, false));
        }
    }
    if (rc < 0) {
        json_decref(items);
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_ok(call, 200, json_pack("{s:o}", "items", items));
}

/*
 * GET /referrals?box=in|out|team or ?resident_id=N, &before=ID&limit=N:
 * incoming, outgoing, those of the residents of the caller's family-
 * doctor teams. Rows the policy would refuse are left out; each row
 * shown is audited.
 */
static void
referral_list(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_referral_list *list = NULL;
    enum tc_rec_referral_box box = TC_REC_REFERRAL_INCOMING;
    char box_text[16] = "in";
    long before, limit, resident;
    int64_t who = call->req.who->practitioner_id;
    int rc;

    if (!tc_srv__query_int(call, "before", 0, 1, INT32_MAX, &before) ||
        !tc_srv__query_int(call, "limit", 50, 1, LIST_MAX, &limit) ||
        !tc_srv__query_int(call, "resident_id", 0, 1, INT32_MAX, &resident)) {
        return;
    }
    tc_srv__query_get(&call->req, "box", box_text, sizeof(box_text));
    if (resident) {
        box = TC_REC_REFERRAL_OF_RESIDENT;
        who = resident;
    } else if (strcmp(box_text, "in") != 0 && strcmp(box_text, "out") != 0 &&
               strcmp(box_text, "team") != 0) {
        tc_srv__resp_error_field(&call->resp, 400, "box",
                                 "box: must be in, out or team (or give "
                                 "resident_id)");
        return;
    } else if (!tc_srv__who_practitioner(call, "list referrals", &who)) {
        return;
    } else if (box_text[0] == 'o') {
        box = TC_REC_REFERRAL_OUTGOING;
    } else if (box_text[0] == 't') {
        box = TC_REC_REFERRAL_OF_TEAMS;
    }
    if (resident && !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_READ,
                                                 resident, REFERRAL, 0)) {
        return;
    }
    rc = tc_rec_referral_list(srv->db, box, who, before, (int)limit, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    rows_answer(srv, call, list, resident != 0);
    tc_rec_referral_list_free(list);
}

/* ---- answering ---- */

static void
finish(struct tc_srv *srv, struct tc_srv__call *call,
       const struct tc_rec_referral *r, int rc)
{
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_UPDATE, REFERRAL,
                              r->id, r->resident_id)) {
        answer(srv, call, 200, r->id);
    }
}

static void
referral_accept(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"appointment_at", "admission_date",
                                        NULL};
    struct tc_rec_referral *r = NULL;
    const char *admission = NULL;
    int64_t by, appointment = 0;
    json_t *body = NULL;

    if (open_path(srv, call, TC_SRV__ACT_WRITE, &r) &&
        tc_srv__who_practitioner(call, "accept a referral", &by) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_instant(call, body, "appointment_at", false,
                             &appointment) &&
        tc_srv__json_date(call, body, "admission_date", false, &admission)) {
        finish(srv, call, r,
               tc_rec_referral_accept(srv->db, r->id, by, g_get_real_time(),
                                      appointment, admission));
    }
    json_decref(body);
    tc_rec_referral_free(r);
}

static void
referral_decline(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"reason", NULL};
    struct tc_rec_referral *r = NULL;
    const char *reason = NULL;
    json_t *body = NULL;
    int64_t by;

    if (open_path(srv, call, TC_SRV__ACT_WRITE, &r) &&
        tc_srv__who_practitioner(call, "decline a referral", &by) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_string(call, body, "reason", true, REASON_MAX, &reason)) {
        finish(srv, call, r,
               tc_rec_referral_decline(srv->db, r->id, by, g_get_real_time(),
                                       reason));
    }
    json_decref(body);
    tc_rec_referral_free(r);
}

static void
referral_cancel(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const none[] = {NULL};
    struct tc_rec_referral *r = NULL;
    json_t *body = NULL;
    int64_t by;

    if (open_path(srv, call, TC_SRV__ACT_WRITE, &r) &&
        tc_srv__who_practitioner(call, "cancel a referral", &by) &&
        tc_srv__call_body(call, none, &body)) {
        finish(srv, call, r,
               tc_rec_referral_cancel(srv->db, r->id, by, g_get_real_time()));
    }
    json_decref(body);
    tc_rec_referral_free(r);
}

/* ---- statistics ---- */

static json_t *
tally_json(const struct tc_rec_referral_tally *t)
{
    json_t *doc =
        json_pack("{s:I,s:I,s:I,s:I,s:f,s:f}", "up", (json_int_t)t->up, "down",
                  (json_int_t)t->down, "accepted", (json_int_t)t->accepted,
                  "declined", (json_int_t)t->declined, "accept_s_avg",
                  t->accept_s_avg, "accept_s_max", t->accept_s_max);

    if (t->township) {
        json_object_set_new(doc, "township", json_string(t->township));
    } else {
        json_object_set_new(doc, "department_id",
                            json_integer(t->department_id));
        json_object_set_new(doc, "code", json_string(t->code));
        json_object_set_new(doc, "organization_id",
                            json_integer(t->organization_id));
    }
    return doc;
}

static void
referral_stats(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_srv__target t = {
        .action = TC_SRV__ACT_READ,
        .kind = TC_SRV__KIND_STATS,
        .entity_type = "referral_stats",
    };
    struct tc_rec_referral_stats *s = NULL;
    char today[11], from[11], to[11], year_start[11];
    json_t *towns, *depts;
    int rc;

    tc_srv__today(today);
    g_snprintf(year_start, sizeof(year_start), "%.4s-01-01", today);
    if (!tc_srv__policy_check(srv, call, &t) ||
        !tc_srv__query_date(call, "from", year_start, from) ||
        !tc_srv__query_date(call, "to", today, to)) {
        return;
    }
    rc = tc_rec_referral_stats_get(srv->db, from, to, &s);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    towns = json_array();
    depts = json_array();
    for (size_t i = 0; i < s->n_townships; i++) {
        json_array_append_new(towns, tally_json(&s->townships[i]));
    }
    for (size_t i = 0; i < s->n_departments; i++) {
        json_array_append_new(depts, tally_json(&s->departments[i]));
    }
    tc_rec_referral_stats_free(s);
    tc_srv__resp_ok(call, 200,
                    json_pack("{s:s,s:s,s:o,s:o}", "from", from, "to", to,
                              "townships", towns, "departments", depts));
}

const struct tc_srv__route tc_srv__routes_referrals[] = {
    {"GET", "/api/v1/departments", department_list, 0},
    {"POST", "/api/v1/departments", department_post, 0},
    {"GET", "/api/v1/departments/{id}", department_get, 0},
    {"PATCH", "/api/v1/departments/{id}", department_patch, 0},
    {"POST", "/api/v1/referrals", referral_post, 0},
    {"GET", "/api/v1/referrals", referral_list, 0},
    {"GET", "/api/v1/referrals/{id}", referral_get, 0},
    {"POST", "/api/v1/referrals/{id}/accept", referral_accept, 0},
    {"POST", "/api/v1/referrals/{id}/decline", referral_decline, 0},
    {"POST", "/api/v1/referrals/{id}/cancel", referral_cancel, 0},
    {"GET", "/api/v1/stats/referrals", referral_stats, 0},
    {NULL, NULL, NULL, 0},
};
