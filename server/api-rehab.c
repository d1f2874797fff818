// SPDX-License-Identifier: Apache-2.0
/*
 * api-rehab.c - rehabilitation plans under /api/v1: made from the
 * resident's active contract with the disability_rehab package, their
 * therapists, goals and exercises and their lifecycle; adherence; Barthel
 * assessments (the outcome measure plans are judged by). Sessions are in
 * api-rehab-session.c.
 *
 * Every handler follows one order:
 *
 *   path id --> load the entity (404) --> access policy on its resident
 *   (403, audited) --> body (400 names the field) --> domain role check
 *   (403, audited) --> records call(s) (422/404/409) --> audit the
 *   outcome --> answer with the entity as it is now
 *
 * A request that makes several records calls (a plan with its goals and
 * exercises) makes them in one transaction: all or nothing, and the
 * whole body is read before anything is written. Who acts is the caller;
 * the time is the server's clock. Lists carry no free text (reasons, goal
 * descriptions, notes); single reads do.
 *
 * The plan lifecycle is records' (tc-records.h):
 *
 *   DRAFT --activate--> ACTIVE <--suspend/resume--> SUSPENDED
 *     |                   +--complete--> COMPLETED
 *     +--cancel (draft, active, suspended)--> CANCELLED
 *
 * a transition with no arrow is records' -EPERM, answered 409.
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

#define TITLE_MAX     200
#define TEXT_MAX      4000 /* goal descriptions, notes, instructions */
#define REASON_MAX    1000
#define REF_MAX       500
#define MAX_THERAPIST 20
#define MAX_ITEMS     50 /* goals or exercises in one create */

#define PLAN    "rehab_plan"
#define BARTHEL "barthel"

bool
tc_srv__rehab_plan_load(struct tc_srv *srv, struct tc_srv__call *call,
                        struct tc_rec_rehab_plan **out)
{
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "plan id", &id)) {
        return false;
    }
    rc = tc_rec_rehab_plan_get(srv->db, id, out);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    return true;
}

/* ---- answers ---- */

static json_t *
goal_json(const struct tc_rec_rehab_goal *g)
{
    return json_pack("{s:I,s:s,s:s?,s:s?,s:s,s:o}", "id", (json_int_t)g->id,
                     "description", g->description, "target", g->target,
                     "due_date", g->due_date, "status",
                     tc_rec_rehab_goal_status_to_string(g->status),
                     "status_at", tc_srv__instant_json(g->status_at_us));
}

static json_t *
exercise_json(const struct tc_rec_rehab_exercise *e)
{
    return json_pack(
        "{s:I,s:s,s:s?,s:s?,s:i,s:i,s:i,s:o}", "id", (json_int_t)e->id, "name",
        e->name, "instructions", e->instructions, "video_ref", e->video_ref,
        "sets", e->sets, "reps", e->reps, "sessions_per_week",
        e->sessions_per_week, "library_id", tc_srv__id_json(e->library_id));
}

/* A plan; `whole` adds the free text (status reason, goals, exercises),
 * which lists leave out. */
static json_t *
plan_json(const struct tc_rec_rehab_plan *p, bool whole)
{
    json_t *therapists = json_array();
    json_t *doc, *goals, *exercises;

    for (size_t i = 0; i < p->n_therapists; i++) {
        json_array_append_new(therapists, json_integer(p->therapist_ids[i]));
    }
    doc = json_pack(
        "{s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:o}", "id",
        (json_int_t)p->id, "resident_id", (json_int_t)p->resident_id,
        "contract_id", (json_int_t)p->contract_id, "title", p->title,
        "period_start", p->period_start, "period_end", p->period_end, "status",
        tc_rec_rehab_plan_status_to_string(p->status), "created_by",
        (json_int_t)p->created_by, "created_at",
        tc_srv__instant_json(p->created_at_us), "status_by",
        tc_srv__id_json(p->status_by), "status_at",
        tc_srv__instant_json(p->status_at_us), "therapist_ids", therapists);
    if (!whole) {
        json_object_set_new(doc, "n_goals",
                            json_integer((json_int_t)p->n_goals));
        json_object_set_new(doc, "n_exercises",
                            json_integer((json_int_t)p->n_exercises));
        return doc;
    }
    goals = json_array();
    exercises = json_array();
    for (size_t i = 0; i < p->n_goals; i++) {
        json_array_append_new(goals, goal_json(&p->goals[i]));
    }
    for (size_t i = 0; i < p->n_exercises; i++) {
        json_array_append_new(exercises, exercise_json(&p->exercises[i]));
    }
    json_object_set_new(doc, "status_reason",
                        tc_srv__string_json(p->status_reason));
    json_object_set_new(doc, "goals", goals);
    json_object_set_new(doc, "exercises", exercises);
    return doc;
}

static json_t *
items_json(const struct tc_rec_barthel_items *it)
{
    return json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}", "feeding",
                     it->feeding, "bathing", it->bathing, "grooming",
                     it->grooming, "dressing", it->dressing, "bowels",
                     it->bowels, "bladder", it->bladder, "toilet_use",
                     it->toilet_use, "transfers", it->transfers, "mobility",
                     it->mobility, "stairs", it->stairs);
}

static json_t *
barthel_json(const struct tc_rec_barthel *b, bool whole)
{
    json_t *doc = json_pack(
        "{s:I,s:I,s:o,s:I,s:o,s:o,s:i,s:s}", "id", (json_int_t)b->id,
        "resident_id", (json_int_t)b->resident_id, "plan_id",
        tc_srv__id_json(b->plan_id), "assessor_id", (json_int_t)b->assessor_id,
        "assessed_at", tc_srv__instant_json(b->assessed_at_us), "items",
        items_json(&b->items), "total", b->total, "band",
        tc_rec_barthel_band_to_string(b->band));

    if (whole) {
        json_object_set_new(doc, "note", tc_srv__string_json(b->note));
    }
    return doc;
}

/* Answer with plan `id` as it is now. */
static void
answer_plan(struct tc_srv *srv, struct tc_srv__call *call, int status,
            int64_t id)
{
    struct tc_rec_rehab_plan *p = NULL;
    int rc = tc_rec_rehab_plan_get(srv->db, id, &p);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_ok(call, status, plan_json(p, true));
    tc_rec_rehab_plan_free(p);
}

/* ---- plans ---- */

/* therapist_ids: 1..MAX_THERAPIST positive ids into ids[]. */
static bool
json_ids(struct tc_srv__call *call, json_t *body, const char *field,
         int64_t *ids, size_t *n)
{
    json_t *arr = json_object_get(body, field), *v;
    g_autofree char *msg = NULL;
    size_t i;

    if (!json_is_array(arr) || json_array_size(arr) == 0 ||
        json_array_size(arr) > MAX_THERAPIST) {
        msg = g_strdup_printf("%s: must be an array of 1..%d practitioner ids",
                              field, MAX_THERAPIST);
        tc_srv__resp_error_field(&call->resp, 400, field, msg);
        return false;
    }
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) <= 0) {
            msg = g_strdup_printf("%s[%zu]: must be a positive integer id",
                                  field, i);
            tc_srv__resp_error_field(&call->resp, 400, field, msg);
            return false;
        }
        ids[i] = json_integer_value(v);
    }
    *n = json_array_size(arr);
    return true;
}

static bool
goal_parse(struct tc_srv__call *call, json_t *obj,
           struct tc_rec_rehab_goal_new *g)
{
    static const char *const known[] = {"description", "target", "due_date",
                                        NULL};

    return tc_srv__json_only(call, obj, known) &&
           tc_srv__json_string(call, obj, "description", true, TEXT_MAX,
                               &g->description) &&
           tc_srv__json_string(call, obj, "target", false, TEXT_MAX,
                               &g->target) &&
           tc_srv__json_date(call, obj, "due_date", false, &g->due_date);
}

static bool
exercise_parse(struct tc_srv__call *call, json_t *obj,
               struct tc_rec_rehab_exercise_new *e)
{
    static const char *const known[] = {
        "name", "instructions", "video_ref",         "sets",
        "reps", "library_id",   "sessions_per_week", NULL};
    bool own; /* not from the library: name, sets and reps required */

    if (!tc_srv__json_only(call, obj, known) ||
        !tc_srv__json_int(call, obj, "library_id", false, 1, INT64_MAX,
                          &e->library_id)) {
        return false;
    }
    own = e->library_id == 0;
    return tc_srv__json_string(call, obj, "name", own, TITLE_MAX, &e->name) &&
           tc_srv__json_string(call, obj, "instructions", false, TEXT_MAX,
                               &e->instructions) &&
           tc_srv__json_string(call, obj, "video_ref", false, REF_MAX,
                               &e->video_ref) &&
           tc_srv__json_int32(call, obj, "sets", own, &e->sets) &&
           tc_srv__json_int32(call, obj, "reps", own, &e->reps) &&
           tc_srv__json_int32(call, obj, "sessions_per_week", true,
                              &e->sessions_per_week);
}

/* The goals and exercises of a create body, read whole before anything
 * is written; borrowed from the body. */
struct plan_items {
    struct tc_rec_rehab_goal_new goals[MAX_ITEMS];
    size_t n_goals;
    struct tc_rec_rehab_exercise_new exercises[MAX_ITEMS];
    size_t n_exercises;
};

/* Member `field` of body: absent, or an array of at most MAX_ITEMS
 * objects; *arr is NULL when absent. */
static bool
items_array(struct tc_srv__call *call, json_t *body, const char *field,
            json_t **arr)
{
    json_t *v = json_object_get(body, field), *item;
    g_autofree char *msg = NULL;
    size_t i;
    bool ok = !v || json_is_null(v) ||
              (json_is_array(v) && json_array_size(v) <= MAX_ITEMS);

    json_array_foreach(v, i, item)
    {
        ok = ok && json_is_object(item);
    }
    if (!ok) {
        msg = g_strdup_printf("%s: must be an array of at most %d objects",
                              field, MAX_ITEMS);
        tc_srv__resp_error_field(&call->resp, 400, field, msg);
        return false;
    }
    *arr = json_is_array(v) ? v : NULL;
    return true;
}

static bool
plan_items_parse(struct tc_srv__call *call, json_t *body,
                 struct plan_items *out)
{
    json_t *goals = NULL, *exercises = NULL, *v;
    char prefix[32];
    size_t i;

    if (!items_array(call, body, "goals", &goals) ||
        !items_array(call, body, "exercises", &exercises)) {
        return false;
    }
    json_array_foreach(goals, i, v)
    {
        if (!goal_parse(call, v, &out->goals[i])) {
            g_snprintf(prefix, sizeof(prefix), "goals[%zu].", i);
            tc_srv__resp_error_prefix(call, prefix);
            return false;
        }
    }
    out->n_goals = json_array_size(goals);
    json_array_foreach(exercises, i, v)
    {
        if (!exercise_parse(call, v, &out->exercises[i])) {
            g_snprintf(prefix, sizeof(prefix), "exercises[%zu].", i);
            tc_srv__resp_error_prefix(call, prefix);
            return false;
        }
    }
    out->n_exercises = json_array_size(exercises);
    return true;
}

/* Add them to plan `id` (inside the caller's transaction). */
static int
plan_items_add(struct tc_srv *srv, int64_t id, const struct plan_items *in)
{
    int64_t item_id = 0; /* not needed: the answer is the whole plan */
    int rc = 0;

    for (size_t i = 0; i < in->n_goals && rc == 0; i++) {
        rc = tc_rec_rehab_goal_add(srv->db, id, &in->goals[i], &item_id);
    }
    for (size_t i = 0; i < in->n_exercises && rc == 0; i++) {
        rc = tc_rec_rehab_exercise_add(srv->db, id, &in->exercises[i],
                                       &item_id);
    }
    return rc;
}

static void
plan_create(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {
        "title", "period_start", "period_end", "therapist_ids",
        "goals", "exercises",    NULL};
    struct tc_rec_rehab_plan_new in = {0};
    struct plan_items *items = g_new0(struct plan_items, 1);
    int64_t resident_id, by, ids[MAX_THERAPIST], id = 0;
    json_t *body = NULL;
    int rc;

    if (!tc_srv__param_id(call, 0, "resident id", &resident_id) ||
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_WRITE, resident_id,
                                     PLAN, 0) ||
        !tc_srv__who_practitioner(call, "write a rehab plan", &by) ||
        !tc_srv__call_body(call, known, &body) ||
        !tc_srv__json_string(call, body, "title", true, TITLE_MAX,
                             &in.title) ||
        !tc_srv__json_date(call, body, "period_start", true,
                           &in.period_start) ||
        !tc_srv__json_date(call, body, "period_end", true, &in.period_end) ||
        !json_ids(call, body, "therapist_ids", ids, &in.n_therapists) ||
        !plan_items_parse(call, body, items)) {
        goto out;
    }
    rc = tc_rec_resident_contract_team(srv->db, resident_id, &in.contract_id,
                                       NULL);
    if (rc == -ENOENT) {
        tc_srv__resp_error_field(&call->resp, 409, "contract",
                                 "contract: the resident has no active "
                                 "contract");
        goto out;
    }
    in.resident_id = resident_id;
    in.therapist_ids = ids;
    in.created_by = by;
    in.created_at_us = g_get_real_time();
    rc = rc < 0 ? rc : tc_rec_tx_begin(srv->db);
    if (rc == 0) {
        rc = tc_rec_rehab_plan_create(srv->db, &in, &id);
        rc = rc < 0 ? rc : plan_items_add(srv, id, items);
        if (rc < 0) {
            tc_rec_tx_rollback(srv->db); /* keeps the error text */
        } else {
            rc = tc_rec_tx_commit(srv->db);
        }
    }
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_CREATE, PLAN, id,
                              resident_id)) {
        answer_plan(srv, call, 201, id);
    }
out:
    json_decref(body);
    g_free(items);
}

static void
plan_list(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_plan_list *list = NULL;
    int64_t resident_id;
    json_t *items;
    int rc;

    if (!tc_srv__param_id(call, 0, "resident id", &resident_id) ||
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_READ, resident_id,
                                     PLAN, 0)) {
        return;
    }
    rc = tc_rec_rehab_plan_list(srv->db, resident_id, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    items = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(items, plan_json(&list->items[i], false));
    }
    tc_rec_rehab_plan_list_free(list);
    tc_srv__resp_ok(call, 200, json_pack("{s:o}", "items", items));
}

static void
plan_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_plan *p = NULL;

    if (tc_srv__rehab_plan_load(srv, call, &p) &&
        tc_srv__policy_check_record(srv, call, TC_SRV__ACT_READ,
                                    p->resident_id, PLAN, p->id)) {
        json_t *doc = plan_json(p, true);
        bool consent = false;
        /* Whether the resident's recording consent stands (the web app
         * records a self-guided session only then). */
        if (tc_rec_rehab_recording_consent(srv->db, p->id, &consent) < 0) {
            consent = false;
        }
        json_object_set_new(doc, "recording_consent", json_boolean(consent));
        tc_srv__resp_ok(call, 200, doc);
    }
    tc_rec_rehab_plan_free(p);
}

enum plan_step { ACTIVATE, SUSPEND, RESUME, COMPLETE, CANCEL };

static int
plan_step_run(struct tc_rec_db *db, enum plan_step step, int64_t id,
              int64_t by, int64_t at_us, const char *reason)
{
    switch (step) {
    case ACTIVATE:
        return tc_rec_rehab_plan_activate(db, id, by, at_us);
    case SUSPEND:
        return tc_rec_rehab_plan_suspend(db, id, by, at_us, reason);
    case RESUME:
        return tc_rec_rehab_plan_resume(db, id, by, at_us);
    case COMPLETE:
        return tc_rec_rehab_plan_complete(db, id, by, at_us);
    case CANCEL:
        return tc_rec_rehab_plan_cancel(db, id, by, at_us, reason);
    }
    return -EINVAL;
}

/* POST /rehab-plans/{id}/<step>: suspend and cancel take {reason}. */
static void
plan_step(struct tc_srv *srv, struct tc_srv__call *call, enum plan_step step)
{
    static const char *const with_reason[] = {"reason", NULL};
    static const char *const none[] = {NULL};
    bool needs_reason = step == SUSPEND || step == CANCEL;
    struct tc_rec_rehab_plan *p = NULL;
    const char *reason = NULL;
    json_t *body = NULL;
    int64_t by;
    int rc;

    if (!tc_srv__rehab_plan_load(srv, call, &p) ||
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_WRITE,
                                     p->resident_id, PLAN, p->id) ||
        !tc_srv__who_practitioner(call, "change a rehab plan", &by) ||
        !tc_srv__call_body(call, needs_reason ? with_reason : none, &body) ||
        !tc_srv__json_string(call, body, "reason", needs_reason, REASON_MAX,
                             &reason)) {
        goto out;
    }
    rc = plan_step_run(srv->db, step, p->id, by, g_get_real_time(), reason);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_UPDATE, PLAN, p->id,
                              p->resident_id)) {
        answer_plan(srv, call, 200, p->id);
    }
out:
    json_decref(body);
    tc_rec_rehab_plan_free(p);
}

static void
plan_activate(struct tc_srv *srv, struct tc_srv__call *call)
{
    plan_step(srv, call, ACTIVATE);
}

static void
plan_suspend(struct tc_srv *srv, struct tc_srv__call *call)
{
    plan_step(srv, call, SUSPEND);
}

static void
plan_resume(struct tc_srv *srv, struct tc_srv__call *call)
{
    plan_step(srv, call, RESUME);
}

static void
plan_complete(struct tc_srv *srv, struct tc_srv__call *call)
{
    plan_step(srv, call, COMPLETE);
}

static void
plan_cancel(struct tc_srv *srv, struct tc_srv__call *call)
{
    plan_step(srv, call, CANCEL);
}

static void
therapist_add(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"practitioner_id", NULL};
    struct tc_rec_rehab_plan *p = NULL;
    json_t *body = NULL;
    int64_t pid = 0;

    if (tc_srv__rehab_plan_load(srv, call, &p) &&
        tc_srv__policy_check_record(srv, call, TC_SRV__ACT_WRITE,
                                    p->resident_id, PLAN, p->id) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_int(call, body, "practitioner_id", true, 1, INT64_MAX,
                         &pid) &&
        tc_srv__audit_outcome(
            srv, call, tc_rec_rehab_plan_therapist_add(srv->db, p->id, pid),
            TC_REC_AUDIT_UPDATE, PLAN, p->id, p->resident_id)) {
        answer_plan(srv, call, 200, p->id);
    }
    json_decref(body);
    tc_rec_rehab_plan_free(p);
}

static void
therapist_remove(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_plan *p = NULL;
    int64_t pid;

    if (tc_srv__param_id(call, 1, "practitioner id", &pid) &&
        tc_srv__rehab_plan_load(srv, call, &p) &&
        tc_srv__policy_check_record(srv, call, TC_SRV__ACT_WRITE,
                                    p->resident_id, PLAN, p->id) &&
        tc_srv__audit_outcome(
            srv, call, tc_rec_rehab_plan_therapist_remove(srv->db, p->id, pid),
            TC_REC_AUDIT_UPDATE, PLAN, p->id, p->resident_id)) {
        answer_plan(srv, call, 200, p->id);
    }
    tc_rec_rehab_plan_free(p);
}

static void
goal_add(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_goal_new g = {0};
    struct tc_rec_rehab_plan *p = NULL;
    json_t *body = NULL;
    int64_t item_id = 0;

    if (tc_srv__rehab_plan_load(srv, call, &p) &&
        tc_srv__policy_check_record(srv, call, TC_SRV__ACT_WRITE,
                                    p->resident_id, PLAN, p->id) &&
        tc_srv__call_json(call, &body) == 0 && goal_parse(call, body, &g) &&
        tc_srv__audit_outcome(
            srv, call, tc_rec_rehab_goal_add(srv->db, p->id, &g, &item_id),
            TC_REC_AUDIT_UPDATE, PLAN, p->id, p->resident_id)) {
        answer_plan(srv, call, 201, p->id);
    }
    json_decref(body);
    tc_rec_rehab_plan_free(p);
}

static void
goal_status(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"status", NULL};
    enum tc_rec_rehab_goal_status status;
    struct tc_rec_rehab_plan *p = NULL;
    const char *code = NULL;
    json_t *body = NULL;
    int64_t goal_id;
    bool mine = false;

    if (!tc_srv__param_id(call, 1, "goal id", &goal_id) ||
        !tc_srv__rehab_plan_load(srv, call, &p) ||
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_WRITE,
                                     p->resident_id, PLAN, p->id) ||
        !tc_srv__call_body(call, known, &body) ||
        !tc_srv__json_string(call, body, "status", true, 32, &code)) {
        goto out;
    }
    if (tc_rec_rehab_goal_status_from_string(code, &status) < 0) {
        tc_srv__resp_error_field(&call->resp, 400, "status",
                                 "status: must be open, achieved or "
                                 "not_achieved");
        goto out;
    }
    for (size_t i = 0; i < p->n_goals; i++) {
        mine = mine || p->goals[i].id == goal_id;
    }
    if (!mine) {
        tc_srv__resp_error_field(&call->resp, 404, "goal",
                                 "goal: no such goal on this plan");
        goto out;
    }
    if (tc_srv__audit_outcome(srv, call,
                              tc_rec_rehab_goal_set_status(
                                  srv->db, goal_id, status, g_get_real_time()),
                              TC_REC_AUDIT_UPDATE, PLAN, p->id,
                              p->resident_id)) {
        answer_plan(srv, call, 200, p->id);
    }
out:
    json_decref(body);
    tc_rec_rehab_plan_free(p);
}

static void
exercise_add(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_exercise_new e = {0};
    struct tc_rec_rehab_plan *p = NULL;
    json_t *body = NULL;
    int64_t item_id = 0;

    if (tc_srv__rehab_plan_load(srv, call, &p) &&
        tc_srv__policy_check_record(srv, call, TC_SRV__ACT_WRITE,
                                    p->resident_id, PLAN, p->id) &&
        tc_srv__call_json(call, &body) == 0 &&
        exercise_parse(call, body, &e) &&
        tc_srv__audit_outcome(
            srv, call, tc_rec_rehab_exercise_add(srv->db, p->id, &e, &item_id),
            TC_REC_AUDIT_UPDATE, PLAN, p->id, p->resident_id)) {
        answer_plan(srv, call, 201, p->id);
    }
    json_decref(body);
    tc_rec_rehab_plan_free(p);
}

static void
adherence_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_adherence a;
    struct tc_rec_rehab_plan *p = NULL;
    char from[11], to[11];
    int rc;

    if (!tc_srv__rehab_plan_load(srv, call, &p) ||
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_READ,
                                     p->resident_id, PLAN, p->id) ||
        !tc_srv__query_date(call, "from", p->period_start, from) ||
        !tc_srv__query_date(call, "to", p->period_end, to)) {
        goto out;
    }
    rc = tc_rec_rehab_plan_adherence(srv->db, p->id, from, to, &a);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        goto out;
    }
    tc_srv__resp_ok(
        call, 200,
        json_pack("{s:I,s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:f}", "plan_id",
                  (json_int_t)p->id, "from", from, "to", to, "prescribed",
                  a.prescribed, "completed", a.completed, "missed", a.missed,
                  "cancelled", a.cancelled, "pending", a.pending, "rate",
                  a.prescribed > 0 ? (double)a.completed / a.prescribed
                                   : 0.0));
out:
    tc_rec_rehab_plan_free(p);
}

/* ---- Barthel ---- */

static bool
barthel_items_parse(struct tc_srv__call *call, json_t *body,
                    struct tc_rec_barthel_items *it)
{
    static const char *const names[] = {
        "feeding",    "bathing",   "grooming", "dressing", "bowels", "bladder",
        "toilet_use", "transfers", "mobility", "stairs",   NULL};
    int *slots[] = {&it->feeding,    &it->bathing,   &it->grooming,
                    &it->dressing,   &it->bowels,    &it->bladder,
                    &it->toilet_use, &it->transfers, &it->mobility,
                    &it->stairs};
    json_t *items = json_object_get(body, "items");

    if (!json_is_object(items)) {
        tc_srv__resp_error_field(&call->resp, 400, "items",
                                 "items: required, an object of the ten "
                                 "Barthel item scores");
        return false;
    }
    if (!tc_srv__json_only(call, items, names)) {
        tc_srv__resp_error_prefix(call, "items.");
        return false;
    }
    for (size_t i = 0; names[i]; i++) {
        if (!tc_srv__json_int32(call, items, names[i], true, slots[i])) {
            tc_srv__resp_error_prefix(call, "items.");
            return false;
        }
    }
    return true;
}

/* Score the items here first so a refused score names the body's field
 * ("items.transfers"); records scores them again when storing. */
static bool
barthel_items_check(struct tc_srv__call *call,
                    const struct tc_rec_barthel_items *it)
{
    enum tc_rec_barthel_band band;
    g_autofree char *field = NULL, *msg = NULL;
    const char *rest;
    char why[160];
    int total;

    if (tc_rec_barthel_score(it, &total, &band, why, sizeof(why)) == 0) {
        return true;
    }
    /* why: "barthel.transfers: 7 is not an allowed score (0, 5, 10, 15)" */
    rest = g_str_has_prefix(why, "barthel.") ? why + strlen("barthel.") : why;
    field = g_strdup_printf("items.%.*s", (int)strcspn(rest, ":"), rest);
    msg = g_strdup_printf("items.%s", rest);
    tc_srv__resp_error_field(&call->resp, 422, field, msg);
    return false;
}

static void
barthel_record(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"plan_id", "assessed_at", "items",
                                        "note", NULL};
    struct tc_rec_barthel_new in = {0};
    struct tc_rec_barthel *b = NULL;
    json_t *body = NULL;
    int64_t id = 0;

    if (!tc_srv__param_id(call, 0, "resident id", &in.resident_id) ||
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_WRITE,
                                     in.resident_id, BARTHEL, 0) ||
        !tc_srv__who_practitioner(call, "assess a resident",
                                  &in.assessor_id) ||
        !tc_srv__call_body(call, known, &body)) {
        return;
    }
    in.assessed_at_us = g_get_real_time();
    if (tc_srv__json_int(call, body, "plan_id", false, 1, INT64_MAX,
                         &in.plan_id) &&
        tc_srv__json_instant(call, body, "assessed_at", false,
                             &in.assessed_at_us) &&
        barthel_items_parse(call, body, &in.items) &&
        tc_srv__json_string(call, body, "note", false, TEXT_MAX, &in.note) &&
        barthel_items_check(call, &in.items) &&
        tc_srv__audit_outcome(
            srv, call, tc_rec_barthel_record(srv->db, &in, &id),
            TC_REC_AUDIT_CREATE, BARTHEL, id, in.resident_id)) {
        int rc = tc_rec_barthel_get(srv->db, id, &b);
        if (rc < 0) {
            tc_srv__resp_records_error(srv, call, rc);
        } else {
            tc_srv__resp_ok(call, 201, barthel_json(b, true));
        }
    }
    tc_rec_barthel_free(b);
    json_decref(body);
}

static void
barthel_list(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_barthel_list *list = NULL;
    int64_t resident_id;
    json_t *items;
    int rc;

    if (!tc_srv__param_id(call, 0, "resident id", &resident_id) ||
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_READ, resident_id,
                                     BARTHEL, 0)) {
        return;
    }
    rc = tc_rec_barthel_list(srv->db, resident_id, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    items = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(items, barthel_json(&list->items[i], false));
    }
    tc_rec_barthel_list_free(list);
    tc_srv__resp_ok(call, 200, json_pack("{s:o}", "items", items));
}

const struct tc_srv__route tc_srv__routes_rehab[] = {
    {"POST", "/api/v1/residents/{id}/rehab-plans", plan_create, 0},
    {"GET", "/api/v1/residents/{id}/rehab-plans", plan_list, 0},
    {"POST", "/api/v1/residents/{id}/barthel", barthel_record, 0},
    {"GET", "/api/v1/residents/{id}/barthel", barthel_list, 0},
    {"GET", "/api/v1/rehab-plans/{id}", plan_get, 0},
    {"POST", "/api/v1/rehab-plans/{id}/activate", plan_activate, 0},
    {"POST", "/api/v1/rehab-plans/{id}/suspend", plan_suspend, 0},
    {"POST", "/api/v1/rehab-plans/{id}/resume", plan_resume, 0},
    {"POST", "/api/v1/rehab-plans/{id}/complete", plan_complete, 0},
    {"POST", "/api/v1/rehab-plans/{id}/cancel", plan_cancel, 0},
    {"POST", "/api/v1/rehab-plans/{id}/therapists", therapist_add, 0},
    {"DELETE", "/api/v1/rehab-plans/{id}/therapists/{pid}", therapist_remove,
     0},
    {"POST", "/api/v1/rehab-plans/{id}/goals", goal_add, 0},
    {"POST", "/api/v1/rehab-plans/{id}/goals/{gid}/status", goal_status, 0},
    {"POST", "/api/v1/rehab-plans/{id}/exercises", exercise_add, 0},
    {"GET", "/api/v1/rehab-plans/{id}/adherence", adherence_get, 0},
    {NULL, NULL, NULL, 0},
};
