// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-careplan.c - CarePlan <-> rehab plan and Goal <-> plan goal (read,
 * create).
 *
 *   CarePlan                                 rehab plan
 *   id                                       id
 *   status  draft | active | on-hold | completed | revoked
 *                                            draft | active | suspended |
 *                                            completed | cancelled
 *   intent = plan; category = <base>/CodeSystem/care-category#rehabilitation
 *   title                                    title
 *   subject (Patient)                        resident_id
 *   supportingInfo[0] (Contract)             contract_id
 *   period.start / .end                      period_start / period_end
 *   created, author (Practitioner)           created_at_us, created_by
 *   contributor[] (Practitioner)             therapist_ids
 *   goal[] (Goal)                            goals
 *   note[0].text                             status_reason
 *   activity[i].detail                       exercise i:
 *     .code.text, .description                 name, instructions
 *     .scheduledTiming.repeat {frequency, period 1, periodUnit wk}
 *                                              sessions_per_week
 *     .extension[<base>/StructureDefinition/exercise-sets].valueInteger
 *     .extension[.../exercise-reps].valueInteger      sets, reps
 *     .extension[.../exercise-video].valueUrl         video_ref
 *     .status   (the plan's: not-started, in-progress, on-hold,
 *               completed, cancelled)
 *
 *   Goal                                     plan goal
 *   id                                       id
 *   lifecycleStatus active | completed       open | achieved, not_achieved
 *   achievementStatus (goal-achievement) in-progress | achieved |
 *               not-achieved                 status
 *   description.text                         description
 *   target[0].measure.text, target[0].dueDate     target, due_date
 *   statusDate                               status_at_us (its date)
 *   subject (Patient)                        the plan's resident
 *   extension[<base>/StructureDefinition/goal-careplan].valueReference
 *                                            the plan (CarePlan)
 *
 * A CarePlan is created draft, or active (then activated by ctx->actor_id,
 * and it needs an activity); its author defaults to ctx->actor_id. Goals
 * are created on their own, naming their plan. Neither is updatable.
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fhir-int.h"

#define CS_CATEGORY    TC_FHIR_CS("care-category")
#define CS_ACHIEVE     "http://terminology.hl7.org/CodeSystem/goal-achievement"
#define EXT_SETS       TC_FHIR_EXT("exercise-sets")
#define EXT_REPS       TC_FHIR_EXT("exercise-reps")
#define EXT_VIDEO      TC_FHIR_EXT("exercise-video")
#define EXT_GOAL_FOR   TC_FHIR_EXT("goal-careplan")
#define MAX_THERAPISTS 16

static const char *const plan_status[] = {
    [TC_REC_REHAB_PLAN_DRAFT] = "draft",
    [TC_REC_REHAB_PLAN_ACTIVE] = "active",
    [TC_REC_REHAB_PLAN_SUSPENDED] = "on-hold",
    [TC_REC_REHAB_PLAN_COMPLETED] = "completed",
    [TC_REC_REHAB_PLAN_CANCELLED] = "revoked",
};

static const char *const activity_status[] = {
    [TC_REC_REHAB_PLAN_DRAFT] = "not-started",
    [TC_REC_REHAB_PLAN_ACTIVE] = "in-progress",
    [TC_REC_REHAB_PLAN_SUSPENDED] = "on-hold",
    [TC_REC_REHAB_PLAN_COMPLETED] = "completed",
    [TC_REC_REHAB_PLAN_CANCELLED] = "cancelled",
};

static const char *const goal_lifecycle[] = {
    [TC_REC_REHAB_GOAL_OPEN] = "active",
    [TC_REC_REHAB_GOAL_ACHIEVED] = "completed",
    [TC_REC_REHAB_GOAL_NOT_ACHIEVED] = "completed",
};

static const char *const goal_achievement[] = {
    [TC_REC_REHAB_GOAL_OPEN] = "in-progress",
    [TC_REC_REHAB_GOAL_ACHIEVED] = "achieved",
    [TC_REC_REHAB_GOAL_NOT_ACHIEVED] = "not-achieved",
};

/* ---- CarePlan: record to JSON ---- */

static json_t *
activity_json(const struct tc_rec_rehab_exercise *e,
              enum tc_rec_rehab_plan_status status)
{
    json_t *d = json_pack(
        "{s:{s:s},s:s,s:{s:{s:i,s:i,s:s}},s:[o,o]}", "code", "text", e->name,
        "status", TC_FHIR_MAP(activity_status, status), "scheduledTiming",
        "repeat", "frequency", e->sessions_per_week, "period", 1, "periodUnit",
        "wk", "extension",
        tc_rec__fhir_ext_new(EXT_SETS, "valueInteger", json_integer(e->sets)),
        tc_rec__fhir_ext_new(EXT_REPS, "valueInteger", json_integer(e->reps)));
    bool ok = d && tc_rec__fhir_put_str(d, "description", e->instructions);

    if (d && e->video_ref) {
        ok &=
            tc_rec__fhir_push(d, "extension",
                              tc_rec__fhir_ext_new(EXT_VIDEO, "valueUrl",
                                                   json_string(e->video_ref)));
    }
    return ok ? json_pack("{s:o}", "detail", d) : (json_decref(d), NULL);
}

static json_t *
plan_json(const struct tc_rec_rehab_plan *pl)
{
    json_t *res = tc_rec__fhir_resource_new("CarePlan", "", pl->id);
    bool ok = res != NULL;

    ok &= tc_rec__fhir_put_str(res, "status",
                               TC_FHIR_MAP(plan_status, pl->status));
    ok &= tc_rec__fhir_put_str(res, "intent", "plan");
    ok &= tc_rec__fhir_push(
        res, "category",
        tc_rec__fhir_cc_new(CS_CATEGORY, "rehabilitation", NULL));
    ok &= tc_rec__fhir_put_str(res, "title", pl->title);
    ok &= tc_rec__fhir_put_ref(res, "subject", "Patient", pl->resident_id);
    ok &= tc_rec__fhir_put(res, "period",
                           json_pack("{s:s,s:s}", "start", pl->period_start,
                                     "end", pl->period_end));
    ok &= tc_rec__fhir_put_instant(res, "created", pl->created_at_us);
    ok &= tc_rec__fhir_put_ref(res, "author", "Practitioner", pl->created_by);
    for (size_t i = 0; i < pl->n_therapists; i++) {
        ok &= tc_rec__fhir_push(
            res, "contributor",
            tc_rec__fhir_ref_new("Practitioner", "", pl->therapist_ids[i]));
    }
    ok &= tc_rec__fhir_push(
        res, "supportingInfo",
        tc_rec__fhir_ref_new("Contract", "", pl->contract_id));
    for (size_t i = 0; i < pl->n_goals; i++) {
        ok &= tc_rec__fhir_push(
            res, "goal", tc_rec__fhir_ref_new("Goal", "", pl->goals[i].id));
    }
    for (size_t i = 0; i < pl->n_exercises; i++) {
        ok &= tc_rec__fhir_push(res, "activity",
                                activity_json(&pl->exercises[i], pl->status));
    }
    if (pl->status_reason) {
        ok &= tc_rec__fhir_push(res, "note",
                                json_pack("{s:s}", "text", pl->status_reason));
    }
    return ok ? res : (json_decref(res), NULL);
}

static int
plan_read(struct tc_rec_db *db, const char *id, json_t **out)
{
    struct tc_rec_rehab_plan *pl = NULL;
    int64_t pid;
    int rc = tc_rec__fhir_id(db, "CarePlan", id, "", &pid);

    rc = rc ? rc : tc_rec_rehab_plan_get(db, pid, &pl);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__fhir_done(db, plan_json(pl), true, out);
    tc_rec_rehab_plan_free(pl);
    return rc;
}

/* ---- CarePlan: JSON to record ---- */

/* An integer extension of detail (required). */
static int
int_ext(struct tc_rec__fhir_in *in, const json_t *d, const char *p,
        const char *url, const char *field, int *out)
{
    const json_t *e;
    char ep[TC_FHIR_PATH], vp[TC_FHIR_PATH];
    int64_t v = 0;
    int i = 0;
    int rc = tc_rec__fhir_ext(in->db, d, p, url, &e, &i);

    tc_rec__fhir_path(ep, p, "extension", e ? i : -1);
    if (rc == 0 && !e) {
        return tc_rec__fhir_fail(in->db, -EINVAL, ep, "needs %s", url);
    }
    rc = rc ? rc
            : tc_rec__fhir_int(in->db, e, ep, "valueInteger", true, 0, 100000,
                               &v);
    tc_rec__fhir_path(vp, ep, "valueInteger", -1);
    tc_rec__fhir_origin(in, field, vp);
    *out = (int)v;
    return rc;
}

static int
parse_timing(struct tc_rec__fhir_in *in, const json_t *d, const char *p,
             int *spw)
{
    static const char *const units[] = {"wk"};
    const json_t *timing, *rep;
    char tp[TC_FHIR_PATH], rp[TC_FHIR_PATH];
    int64_t freq = 0, period = 1;
    int unit = 0;
    int rc = tc_rec__fhir_get(in->db, d, p, "scheduledTiming", JSON_OBJECT,
                              true, &timing);

    tc_rec__fhir_path(tp, p, "scheduledTiming", -1);
    rc = rc ? rc
            : tc_rec__fhir_get(in->db, timing, tp, "repeat", JSON_OBJECT, true,
                               &rep);
    tc_rec__fhir_path(rp, tp, "repeat", -1);
    rc = rc ? rc
            : tc_rec__fhir_int(in->db, rep, rp, "frequency", true, 0, 1000,
                               &freq);
    rc =
        rc ? rc
           : tc_rec__fhir_int(in->db, rep, rp, "period", false, 1, 1, &period);
    rc = rc ? rc
            : tc_rec__fhir_code(in->db, rep, rp, "periodUnit", true, units, 1,
                                &unit);
    tc_rec__fhir_path(tp, rp, "frequency", -1);
    tc_rec__fhir_origin(in, "sessions_per_week", tp);
    *spw = (int)freq;
    return rc;
}

/* activity[i]: one exercise, added to plan_id. */
static int
add_activity(struct tc_rec__fhir_in *in, const json_t *act, int i,
             int64_t plan_id)
{
    struct tc_rec_rehab_exercise_new ex = {0};
    const json_t *d, *code, *video;
    int64_t ex_id = 0;
    char p[TC_FHIR_PATH], dp[TC_FHIR_PATH], cp[TC_FHIR_PATH];
    int vi = 0;
    int rc;

    tc_rec__fhir_path(p, "CarePlan", "activity", i);
    rc = tc_rec__fhir_get(in->db, act, p, "detail", JSON_OBJECT, true, &d);
    tc_rec__fhir_path(dp, p, "detail", -1);
    rc =
        rc ? rc
           : tc_rec__fhir_get(in->db, d, dp, "code", JSON_OBJECT, true, &code);
    tc_rec__fhir_path(cp, dp, "code", -1);
    rc = rc ? rc : tc_rec__fhir_str(in->db, code, cp, "text", true, &ex.name);
    rc = rc ? rc
            : tc_rec__fhir_str(in->db, d, dp, "description", false,
                               &ex.instructions);
    rc = rc ? rc : parse_timing(in, d, dp, &ex.sessions_per_week);
    rc = rc ? rc : int_ext(in, d, dp, EXT_SETS, "sets", &ex.sets);
    rc = rc ? rc : int_ext(in, d, dp, EXT_REPS, "reps", &ex.reps);
    rc = rc ? rc : tc_rec__fhir_ext(in->db, d, dp, EXT_VIDEO, &video, &vi);
    if (rc == 0 && video) {
        tc_rec__fhir_path(cp, dp, "extension", vi);
        rc = tc_rec__fhir_str(in->db, video, cp, "valueUrl", true,
                              &ex.video_ref);
        tc_rec__fhir_origin(in, "video_ref", cp);
    }
    tc_rec__fhir_path(cp, dp, "code", -1);
    tc_rec__fhir_origin(in, "name", cp);
    tc_rec__fhir_path(cp, dp, "description", -1);
    tc_rec__fhir_origin(in, "instructions", cp);
    return rc ? rc
              : tc_rec__fhir_api(in, tc_rec_rehab_exercise_add(in->db, plan_id,
                                                               &ex, &ex_id));
}

static int
parse_therapists(struct tc_rec__fhir_in *in, const json_t *res,
                 int64_t ids[MAX_THERAPISTS], size_t *n)
{
    const json_t *list, *r;
    char p[TC_FHIR_PATH];
    size_t i;
    int rc = tc_rec__fhir_array(in->db, res, "CarePlan", "contributor", true,
                                &list);

    if (rc == 0 && json_array_size(list) > MAX_THERAPISTS) {
        return tc_rec__fhir_fail(in->db, -EINVAL, "CarePlan.contributor",
                                 "at most %d therapists", MAX_THERAPISTS);
    }
    json_array_foreach(list, i, r)
    {
        tc_rec__fhir_path(p, "CarePlan", "contributor", (int)i);
        rc =
            rc ? rc
               : tc_rec__fhir_ref_value(in->db, r, p, "Practitioner", &ids[i]);
    }
    *n = json_array_size(list);
    tc_rec__fhir_origin(in, "therapist_ids", "CarePlan.contributor");
    tc_rec__fhir_origin(in, "practitioner_id", "CarePlan.contributor");
    return rc;
}

static int
parse_plan(struct tc_rec__fhir_in *in, const json_t *res,
           struct tc_rec_rehab_plan_new *pn, int64_t ids[MAX_THERAPISTS],
           int *status)
{
    static const char *const keys[] = {
        "status",         "intent",   "category", "title",
        "subject",        "period",   "author",   "contributor",
        "supportingInfo", "activity", "created",  NULL};
    static const char *const intents[] = {"plan"};
    const json_t *period, *info;
    int intent = 0;
    int rc = tc_rec__fhir_only(in->db, res, "CarePlan", keys);

    rc = rc ? rc
            : tc_rec__fhir_code(in->db, res, "CarePlan", "status", true,
                                plan_status, TC_FHIR_N(plan_status), status);
    if (rc == 0 && *status != TC_REC_REHAB_PLAN_DRAFT &&
        *status != TC_REC_REHAB_PLAN_ACTIVE) {
        return tc_rec__fhir_fail(in->db, -EPERM, "CarePlan.status",
                                 "a new plan is draft or active");
    }
    rc = rc ? rc
            : tc_rec__fhir_code(in->db, res, "CarePlan", "intent", true,
                                intents, 1, &intent);
    rc = rc ? rc
            : tc_rec__fhir_str(in->db, res, "CarePlan", "title", true,
                               &pn->title);
    rc = rc ? rc
            : tc_rec__fhir_ref(in->db, res, "CarePlan", "subject", "Patient",
                               true, &pn->resident_id);
    rc = rc ? rc
            : tc_rec__fhir_get(in->db, res, "CarePlan", "period", JSON_OBJECT,
                               true, &period);
    rc = rc ? rc
            : tc_rec__fhir_date(in->db, period, "CarePlan.period", "start",
                                true, &pn->period_start);
    rc = rc ? rc
            : tc_rec__fhir_date(in->db, period, "CarePlan.period", "end", true,
                                &pn->period_end);
    pn->created_by = in->ctx->actor_id;
    rc = rc ? rc
            : tc_rec__fhir_ref(in->db, res, "CarePlan", "author",
                               "Practitioner", false, &pn->created_by);
    rc = rc ? rc
            : tc_rec__fhir_array(in->db, res, "CarePlan", "supportingInfo",
                                 true, &info);
    rc = rc ? rc
            : tc_rec__fhir_ref_value(in->db, json_array_get(info, 0),
                                     "CarePlan.supportingInfo[0]", "Contract",
                                     &pn->contract_id);
    rc = rc ? rc : parse_therapists(in, res, ids, &pn->n_therapists);
    pn->therapist_ids = ids;
    pn->created_at_us = in->ctx->now_us;
    tc_rec__fhir_origin(in, "resident_id", "CarePlan.subject");
    tc_rec__fhir_origin(in, "contract_id", "CarePlan.supportingInfo[0]");
    tc_rec__fhir_origin(in, "contract", "CarePlan.supportingInfo[0]");
    tc_rec__fhir_origin(in, "title", "CarePlan.title");
    tc_rec__fhir_origin(in, "period_start", "CarePlan.period.start");
    tc_rec__fhir_origin(in, "period_end", "CarePlan.period.end");
    tc_rec__fhir_origin(in, "period", "CarePlan.period");
    tc_rec__fhir_origin(in, "created_by", "CarePlan.author");
    return rc;
}

static int
plan_create(struct tc_rec__fhir_in *in, const json_t *res,
            char id_out[TC_REC_FHIR_ID_MAX + 1])
{
    struct tc_rec_rehab_plan_new pn = {0};
    int64_t ids[MAX_THERAPISTS], id = 0;
    const json_t *acts = NULL, *a;
    int status = 0;
    size_t i;
    int rc = parse_plan(in, res, &pn, ids, &status);

    rc = rc ? rc
            : tc_rec__fhir_array(in->db, res, "CarePlan", "activity", false,
                                 &acts);
    rc = rc ? rc
            : tc_rec__fhir_api(in, tc_rec_rehab_plan_create(in->db, &pn, &id));
    json_array_foreach(acts, i, a)
    {
        rc = rc ? rc : add_activity(in, a, (int)i, id);
    }
    if (rc == 0 && status == TC_REC_REHAB_PLAN_ACTIVE) {
        tc_rec__fhir_origin(in, "activate", "CarePlan.status");
        rc = tc_rec__fhir_api(in, tc_rec_rehab_plan_activate(in->db, id,
                                                             in->ctx->actor_id,
                                                             in->ctx->now_us));
    }
    if (rc == 0) {
        snprintf(id_out, TC_REC_FHIR_ID_MAX + 1, "%lld", (long long)id);
    }
    return rc;
}

const struct tc_rec__fhir_type tc_rec__fhir_careplan = {
    .name = "CarePlan",
    .read = plan_read,
    .create = plan_create,
};

/* ---- Goal ---- */

static json_t *
goal_json(const struct tc_rec_rehab_plan *pl,
          const struct tc_rec_rehab_goal *g)
{
    json_t *res = tc_rec__fhir_resource_new("Goal", "", g->id);
    json_t *target = json_object();
    char date[11];
    bool ok = res && target;

    ok &= tc_rec__fhir_push(
        res, "extension",
        tc_rec__fhir_ext_new(EXT_GOAL_FOR, "valueReference",
                             tc_rec__fhir_ref_new("CarePlan", "", pl->id)));
    ok &= tc_rec__fhir_put_str(res, "lifecycleStatus",
                               TC_FHIR_MAP(goal_lifecycle, g->status));
    ok &= tc_rec__fhir_put(
        res, "achievementStatus",
        tc_rec__fhir_cc_new(CS_ACHIEVE,
                            TC_FHIR_MAP(goal_achievement, g->status), NULL));
    ok &= tc_rec__fhir_put(res, "description",
                           json_pack("{s:s}", "text", g->description));
    ok &= tc_rec__fhir_put_ref(res, "subject", "Patient", pl->resident_id);
    if (target && g->target) {
        ok &= tc_rec__fhir_put(target, "measure",
                               json_pack("{s:s}", "text", g->target));
    }
    ok &= !target || tc_rec__fhir_put_str(target, "dueDate", g->due_date);
    if (json_object_size(target) > 0) {
        ok &= tc_rec__fhir_push(res, "target", json_incref(target));
    }
    json_decref(target);
    if (g->status_at_us > 0) {
        tc_rec__date_of_us(g->status_at_us, date);
        ok &= tc_rec__fhir_put_str(res, "statusDate", date);
    }
    return ok ? res : (json_decref(res), NULL);
}

static int
goal_read(struct tc_rec_db *db, const char *id, json_t **out)
{
    struct tc_rec_rehab_plan *pl = NULL;
    int64_t gid, pid = 0;
    int rc = tc_rec__fhir_id(db, "Goal", id, "", &gid);

    rc = rc ? rc
            : tc_rec__fhir_lookup(
                  db, "SELECT plan_id FROM rehab_goals WHERE id = ?", gid,
                  &pid);
    if (rc == -ENOENT && !db->errmsg[0]) {
        return tc_rec__fhir_fail(db, rc, "", "no Goal %s", id);
    }
    rc = rc ? rc : tc_rec_rehab_plan_get(db, pid, &pl);
    for (size_t i = 0; rc == 0 && i < pl->n_goals; i++) {
        if (pl->goals[i].id == gid) {
            rc =
                tc_rec__fhir_done(db, goal_json(pl, &pl->goals[i]), true, out);
            tc_rec_rehab_plan_free(pl);
            return rc;
        }
    }
    tc_rec_rehab_plan_free(pl);
    return rc < 0 ? rc : tc_rec__fhir_fail(db, -ENOENT, "", "no Goal");
}

static int
parse_target(struct tc_rec__fhir_in *in, const json_t *res,
             struct tc_rec_rehab_goal_new *gn)
{
    const char *p = "Goal.target[0]";
    const json_t *targets, *t, *measure = NULL;
    int rc =
        tc_rec__fhir_array(in->db, res, "Goal", "target", false, &targets);

    if (rc < 0 || !targets) {
        return rc;
    }
    t = json_array_get(targets, 0);
    if (json_array_size(targets) > 1 || !json_is_object(t)) {
        return tc_rec__fhir_fail(in->db, -EINVAL, "Goal.target",
                                 "one target object only");
    }
    rc = tc_rec__fhir_only(in->db, t, p,
                           (const char *const[]){"measure", "dueDate", NULL});
    rc = rc ? rc
            : tc_rec__fhir_get(in->db, t, p, "measure", JSON_OBJECT, false,
                               &measure);
    if (rc == 0 && measure) {
        rc = tc_rec__fhir_str(in->db, measure, "Goal.target[0].measure",
                              "text", true, &gn->target);
    }
    rc = rc ? rc
            : tc_rec__fhir_date(in->db, t, p, "dueDate", false, &gn->due_date);
    tc_rec__fhir_origin(in, "target", "Goal.target[0].measure.text");
    tc_rec__fhir_origin(in, "due_date", "Goal.target[0].dueDate");
    return rc;
}

static int
goal_create(struct tc_rec__fhir_in *in, const json_t *res,
            char id_out[TC_REC_FHIR_ID_MAX + 1])
{
    static const char *const keys[] = {"lifecycleStatus", "description",
                                       "subject",         "target",
                                       "extension",       NULL};
    static const char *const open[] = {"proposed", "planned", "accepted",
                                       "active"};
    struct tc_rec_rehab_goal_new gn = {0};
    const json_t *desc, *ext;
    char ep[TC_FHIR_PATH] = "Goal.extension";
    int64_t plan = 0, subject = 0, id = 0;
    int life = 0, ei = 0;
    int rc = tc_rec__fhir_only(in->db, res, "Goal", keys);

    rc = rc ? rc
            : tc_rec__fhir_code(in->db, res, "Goal", "lifecycleStatus", true,
                                open, TC_FHIR_N(open), &life);
    rc = rc ? rc
            : tc_rec__fhir_get(in->db, res, "Goal", "description", JSON_OBJECT,
                               true, &desc);
    rc = rc ? rc
            : tc_rec__fhir_str(in->db, desc, "Goal.description", "text", true,
                               &gn.description);
    rc = rc ? rc
            : tc_rec__fhir_ref(in->db, res, "Goal", "subject", "Patient",
                               false, &subject);
    rc = rc ? rc
            : tc_rec__fhir_ext(in->db, res, "Goal", EXT_GOAL_FOR, &ext, &ei);
    if (rc == 0 && !ext) {
        rc = tc_rec__fhir_fail(in->db, -EINVAL, ep, "needs %s (the plan)",
                               EXT_GOAL_FOR);
    }
    tc_rec__fhir_path(ep, "Goal", "extension", ei);
    rc = rc ? rc
            : tc_rec__fhir_ref(in->db, ext, ep, "valueReference", "CarePlan",
                               true, &plan);
    rc = rc ? rc : parse_target(in, res, &gn);
    tc_rec__fhir_origin(in, "description", "Goal.description.text");
    tc_rec__fhir_origin(in, "plan", ep);
    rc = rc ? rc
            : tc_rec__fhir_api(in,
                               tc_rec_rehab_goal_add(in->db, plan, &gn, &id));
    if (rc == 0 && subject) {
        /* The subject, when given, is the plan's resident. */
        int64_t resident = 0;
        rc = tc_rec__fhir_lookup(in->db,
                                 "SELECT resident_id FROM rehab_plans "
                                 "WHERE id = ?",
                                 plan, &resident);
        if (rc == 0 && resident != subject) {
            rc = tc_rec__fhir_fail(in->db, -EINVAL, "Goal.subject",
                                   "must be the plan's patient");
        }
    }
    if (rc == 0) {
        snprintf(id_out, TC_REC_FHIR_ID_MAX + 1, "%lld", (long long)id);
    }
    return rc;
}

const struct tc_rec__fhir_type tc_rec__fhir_goal = {
    .name = "Goal",
    .read = goal_read,
    .create = goal_create,
};
