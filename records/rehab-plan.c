// SPDX-License-Identifier: Apache-2.0
/*
 * rehab-plan.c - rehabilitation plans: the therapists, goals and exercises
 * prescribed to a resident under a family-doctor contract, and the plan's
 * lifecycle.
 *
 *   DRAFT --activate--> ACTIVE --complete--> COMPLETED
 *     |                 |    ^
 *     |           suspend    resume
 *     |                 v    |
 *     |               SUSPENDED
 *     +--cancel (from DRAFT, ACTIVE or SUSPENDED)--> CANCELLED
 *
 * Only plan_step() changes a status. An event with no arrow out of the
 * current status is refused with -EPERM and changes nothing.
 *
 * Invariants: a plan belongs to the contract that was its resident's
 * ACTIVE contract, including the 'disability_rehab' package, when it was
 * created (and still is when it is activated); its period lies within the
 * contract's; it has at least one therapist; activation needs at least
 * one exercise. Goals and exercises can be added while the plan is open
 * (draft, active, suspended) so therapists can adjust it; a completed or
 * cancelled plan is frozen.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define MAX_TITLE        200
#define MAX_REASON       1000
#define MAX_DESCRIPTION  1000
#define MAX_INSTRUCTIONS 4000
#define MAX_REF          1000

static const char *const status_codes[] = {
    [TC_REC_REHAB_PLAN_DRAFT] = "draft",
    [TC_REC_REHAB_PLAN_ACTIVE] = "active",
    [TC_REC_REHAB_PLAN_SUSPENDED] = "suspended",
    [TC_REC_REHAB_PLAN_COMPLETED] = "completed",
    [TC_REC_REHAB_PLAN_CANCELLED] = "cancelled",
};
#define N_STATUS (int)(sizeof(status_codes) / sizeof(status_codes[0]))

static const char *const goal_codes[] = {
    [TC_REC_REHAB_GOAL_OPEN] = "open",
    [TC_REC_REHAB_GOAL_ACHIEVED] = "achieved",
    [TC_REC_REHAB_GOAL_NOT_ACHIEVED] = "not_achieved",
};
#define N_GOAL (int)(sizeof(goal_codes) / sizeof(goal_codes[0]))

const char *
tc_rec_rehab_plan_status_to_string(enum tc_rec_rehab_plan_status s)
{
    return tc_rec__code_name(status_codes, N_STATUS, (int)s);
}

int
tc_rec_rehab_plan_status_from_string(const char *s,
                                     enum tc_rec_rehab_plan_status *out)
{
    int i;
    int rc = tc_rec__code_parse(status_codes, N_STATUS, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_rehab_plan_status)i;
    }
    return rc;
}

const char *
tc_rec_rehab_goal_status_to_string(enum tc_rec_rehab_goal_status s)
{
    return tc_rec__code_name(goal_codes, N_GOAL, (int)s);
}

int
tc_rec_rehab_goal_status_from_string(const char *s,
                                     enum tc_rec_rehab_goal_status *out)
{
    int i;
    int rc = tc_rec__code_parse(goal_codes, N_GOAL, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_rehab_goal_status)i;
    }
    return rc;
}

/* ---- the lifecycle ---- */

enum plan_event { ACTIVATE, SUSPEND, RESUME, COMPLETE, CANCEL };

static const char *const event_names[] = {
    [ACTIVATE] = "activate", [SUSPEND] = "suspend", [RESUME] = "resume",
    [COMPLETE] = "complete", [CANCEL] = "cancel",
};

static const struct {
    enum tc_rec_rehab_plan_status from;
    enum plan_event event;
    enum tc_rec_rehab_plan_status to;
} transitions[] = {
    {TC_REC_REHAB_PLAN_DRAFT, ACTIVATE, TC_REC_REHAB_PLAN_ACTIVE},
    {TC_REC_REHAB_PLAN_DRAFT, CANCEL, TC_REC_REHAB_PLAN_CANCELLED},
    {TC_REC_REHAB_PLAN_ACTIVE, SUSPEND, TC_REC_REHAB_PLAN_SUSPENDED},
    {TC_REC_REHAB_PLAN_ACTIVE, COMPLETE, TC_REC_REHAB_PLAN_COMPLETED},
    {TC_REC_REHAB_PLAN_ACTIVE, CANCEL, TC_REC_REHAB_PLAN_CANCELLED},
    {TC_REC_REHAB_PLAN_SUSPENDED, RESUME, TC_REC_REHAB_PLAN_ACTIVE},
    {TC_REC_REHAB_PLAN_SUSPENDED, CANCEL, TC_REC_REHAB_PLAN_CANCELLED},
};

/* The status of plan `id` (-ENOENT naming the plan). */
static int
plan_status(struct tc_rec_db *db, int64_t id,
            enum tc_rec_rehab_plan_status *out)
{
    sqlite3_stmt *st =
        tc_rec__stmt(db, "SELECT status FROM rehab_plans WHERE id = ?");
    int rc, i;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? tc_rec__fail(db, -ENOENT, "plan: no rehab plan %lld",
                                  (long long)id)
                   : tc_rec__fail_sql(db, rc, "plan");
    }
    i = tc_rec__code_find(status_codes, N_STATUS,
                          (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    if (i < 0) {
        return tc_rec__fail(db, -EBADMSG, "plan %lld: unknown status",
                            (long long)id);
    }
    *out = (enum tc_rec_rehab_plan_status)i;
    return 0;
}

/*
 * The contract rules: `contract_id` is `resident_id`'s ACTIVE contract,
 * with the disability_rehab package, and (when period_start is not NULL)
 * its period holds start..end.
 */
static int
check_contract(struct tc_rec_db *db, int64_t contract_id, int64_t resident_id,
               const char *start, const char *end)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT resident_id, status, period_start, period_end,"
            " EXISTS (SELECT 1 FROM contract_packages WHERE contract_id = ?1"
            " AND package = 'disability_rehab') FROM contracts WHERE id = ?1");
    char status[16] = "", c_start[11] = "", c_end[11] = "";
    int64_t owner;
    int has_rehab, rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, contract_id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? tc_rec__fail(db, -ENOENT, "contract_id: no contract %lld",
                                  (long long)contract_id)
                   : tc_rec__fail_sql(db, rc, "contract");
    }
    owner = sqlite3_column_int64(st, 0);
    snprintf(status, sizeof(status), "%s", sqlite3_column_text(st, 1));
    snprintf(c_start, sizeof(c_start), "%s", sqlite3_column_text(st, 2));
    snprintf(c_end, sizeof(c_end), "%s", sqlite3_column_text(st, 3));
    has_rehab = sqlite3_column_int(st, 4);
    sqlite3_reset(st);
    if (owner != resident_id) {
        return tc_rec__fail(db, -EINVAL,
                            "contract_id: contract %lld belongs to another "
                            "resident",
                            (long long)contract_id);
    }
    if (strcmp(status, "active") != 0) {
        return tc_rec__fail(db, -EPERM,
                            "contract_id: contract %lld is %s, not active",
                            (long long)contract_id, status);
    }
    if (!has_rehab) {
        return tc_rec__fail(db, -EPERM,
                            "contract_id: contract %lld does not include the "
                            "disability_rehab package",
                            (long long)contract_id);
    }
    if (start && (strcmp(start, c_start) < 0 || strcmp(end, c_end) > 0)) {
        return tc_rec__fail(db, -EINVAL,
                            "period: %s..%s is outside contract %lld's "
                            "period %s..%s",
                            start, end, (long long)contract_id, c_start,
                            c_end);
    }
    return 0;
}

/* Conditions of an event beyond the table: activation needs an exercise
 * and a contract still active; suspend and cancel need a reason. */
static int
event_preconditions(struct tc_rec_db *db, int64_t id, enum plan_event ev,
                    const char *reason)
{
    sqlite3_stmt *st;
    int64_t contract = 0, resident = 0;
    int n_exercises = 0, rc;

    if (ev == SUSPEND || ev == CANCEL) {
        return tc_rec__prose_check(db, "reason", reason, MAX_REASON, true);
    }
    if (ev != ACTIVATE) {
        return 0;
    }
    st = tc_rec__stmt(db, "SELECT contract_id, resident_id, (SELECT count(*)"
                          " FROM rehab_exercises WHERE plan_id = ?1)"
                          " FROM rehab_plans WHERE id = ?1");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        contract = sqlite3_column_int64(st, 0);
        resident = sqlite3_column_int64(st, 1);
        n_exercises = sqlite3_column_int(st, 2);
    }
    sqlite3_reset(st);
    if (n_exercises == 0) {
        return tc_rec__fail(db, -EPERM, "activate: plan %lld has no exercises",
                            (long long)id);
    }
    return check_contract(db, contract, resident, NULL, NULL);
}

static int
plan_step(struct tc_rec_db *db, int64_t id, enum plan_event ev, int64_t by,
          int64_t at_us, const char *reason)
{
    enum tc_rec_rehab_plan_status from = TC_REC_REHAB_PLAN_DRAFT;
    sqlite3_stmt *st;
    size_t i;
    int rc;

    rc = plan_status(db, id, &from);
    if (rc < 0) {
        return rc;
    }
    for (i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++) {
        if (transitions[i].from == from && transitions[i].event == ev) {
            break;
        }
    }
    if (i == sizeof(transitions) / sizeof(transitions[0])) {
        return tc_rec__fail(db, -EPERM, "%s: not allowed from status %s",
                            event_names[ev], status_codes[from]);
    }
    rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?", by,
                          "by", "practitioner");
    if (rc == 0) {
        rc = event_preconditions(db, id, ev, reason);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "UPDATE rehab_plans SET status = ?, status_by = ?,"
                          " status_at_us = ?, status_reason = ? WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, status_codes[transitions[i].to]);
    sqlite3_bind_int64(st, 2, by);
    sqlite3_bind_int64(st, 3, at_us);
    tc_rec__bind_text(st, 4, reason);
    sqlite3_bind_int64(st, 5, id);
    return tc_rec__step_done(db, st, "plan");
}

static int
step_call(struct tc_rec_db *db, int64_t id, enum plan_event ev, int64_t by,
          int64_t at_us, const char *reason)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, plan_step(db, id, ev, by, at_us, reason));
}

int
tc_rec_rehab_plan_activate(struct tc_rec_db *db, int64_t plan_id, int64_t by,
                           int64_t at_us)
{
    return step_call(db, plan_id, ACTIVATE, by, at_us, NULL);
}

int
tc_rec_rehab_plan_suspend(struct tc_rec_db *db, int64_t plan_id, int64_t by,
                          int64_t at_us, const char *reason)
{
    return step_call(db, plan_id, SUSPEND, by, at_us, reason);
}

int
tc_rec_rehab_plan_resume(struct tc_rec_db *db, int64_t plan_id, int64_t by,
                         int64_t at_us)
{
    return step_call(db, plan_id, RESUME, by, at_us, NULL);
}

int
tc_rec_rehab_plan_complete(struct tc_rec_db *db, int64_t plan_id, int64_t by,
                           int64_t at_us)
{
    return step_call(db, plan_id, COMPLETE, by, at_us, NULL);
}

int
tc_rec_rehab_plan_cancel(struct tc_rec_db *db, int64_t plan_id, int64_t by,
                         int64_t at_us, const char *reason)
{
    return step_call(db, plan_id, CANCEL, by, at_us, reason);
}

/* ---- creating and editing ---- */

static int
check_new(struct tc_rec_db *db, const struct tc_rec_rehab_plan_new *in)
{
    int rc;

    rc = tc_rec__need_row(db, "SELECT 1 FROM residents WHERE id = ?",
                          in->resident_id, "resident_id", "resident");
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              in->created_by, "created_by", "practitioner");
    }
    if (rc == 0) {
        rc = tc_rec__prose_check(db, "title", in->title, MAX_TITLE, true);
    }
    if (rc < 0) {
        return rc;
    }
    if (!tc_rec__date_valid(in->period_start)) {
        return tc_rec__fail(db, -EINVAL,
                            "period_start: not a YYYY-MM-DD "
                            "date");
    }
    if (!tc_rec__date_valid(in->period_end) ||
        strcmp(in->period_end, in->period_start) < 0) {
        return tc_rec__fail(db, -EINVAL,
                            "period_end: must be a date on or "
                            "after period_start");
    }
    if (in->created_at_us <= 0) {
        return tc_rec__fail(db, -EINVAL, "created_at_us: required");
    }
    if (in->n_therapists == 0 || !in->therapist_ids) {
        return tc_rec__fail(db, -EINVAL,
                            "therapist_ids: at least one "
                            "therapist is required");
    }
    return check_contract(db, in->contract_id, in->resident_id,
                          in->period_start, in->period_end);
}

static int
insert_therapist(struct tc_rec_db *db, int64_t plan_id, int64_t who)
{
    sqlite3_stmt *st;
    int rc;

    rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?", who,
                          "therapist_ids", "practitioner");
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO rehab_plan_therapists (plan_id,"
                          " practitioner_id) VALUES (?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, plan_id);
    sqlite3_bind_int64(st, 2, who);
    rc = tc_rec__step_done(db, st, "therapist");
    if (rc == -EEXIST) {
        rc = tc_rec__fail(db, -EEXIST,
                          "therapist_ids: practitioner %lld is already a "
                          "therapist on plan %lld",
                          (long long)who, (long long)plan_id);
    }
    return rc;
}

static int
insert_plan(struct tc_rec_db *db, const struct tc_rec_rehab_plan_new *in,
            int64_t *id_out)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "INSERT INTO rehab_plans (resident_id, contract_id, title,"
            " period_start, period_end, status, created_by, created_at_us,"
            " status_at_us) VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?)");
    int64_t id;
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, in->resident_id);
    sqlite3_bind_int64(st, 2, in->contract_id);
    tc_rec__bind_text(st, 3, in->title);
    tc_rec__bind_text(st, 4, in->period_start);
    tc_rec__bind_text(st, 5, in->period_end);
    sqlite3_bind_int64(st, 6, in->created_by);
    sqlite3_bind_int64(st, 7, in->created_at_us);
    sqlite3_bind_int64(st, 8, in->created_at_us);
    rc = tc_rec__step_done(db, st, "plan");
    if (rc < 0) {
        return rc;
    }
    id = sqlite3_last_insert_rowid(db->conn);
    for (size_t i = 0; i < in->n_therapists && rc == 0; i++) {
        rc = insert_therapist(db, id, in->therapist_ids[i]);
    }
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

int
tc_rec_rehab_plan_create(struct tc_rec_db *db,
                         const struct tc_rec_rehab_plan_new *in,
                         int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = check_new(db, in);
    if (rc == 0) {
        rc = insert_plan(db, in, &id);
    }
    rc = tc_rec__tx_end(db, rc);
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

/* -EPERM unless the plan is open (draft, active, suspended). */
static int
plan_open(struct tc_rec_db *db, int64_t plan_id, const char *what)
{
    enum tc_rec_rehab_plan_status s = TC_REC_REHAB_PLAN_DRAFT;
    int rc = plan_status(db, plan_id, &s);

    if (rc == 0 && (s == TC_REC_REHAB_PLAN_COMPLETED ||
                    s == TC_REC_REHAB_PLAN_CANCELLED)) {
        rc = tc_rec__fail(db, -EPERM, "%s: plan %lld is %s", what,
                          (long long)plan_id, status_codes[s]);
    }
    return rc;
}

int
tc_rec_rehab_plan_therapist_add(struct tc_rec_db *db, int64_t plan_id,
                                int64_t practitioner_id)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = plan_open(db, plan_id, "therapist");
    if (rc == 0) {
        rc = insert_therapist(db, plan_id, practitioner_id);
    }
    return tc_rec__tx_end(db, rc);
}

static int
remove_therapist(struct tc_rec_db *db, int64_t plan_id, int64_t who)
{
    sqlite3_stmt *st =
        tc_rec__stmt(db, "SELECT count(*), sum(practitioner_id = ?2)"
                         " FROM rehab_plan_therapists WHERE plan_id = ?1");
    int n, mine, rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, plan_id);
    sqlite3_bind_int64(st, 2, who);
    rc = sqlite3_step(st);
    n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    mine = rc == SQLITE_ROW ? sqlite3_column_int(st, 1) : 0;
    sqlite3_reset(st);
    if (!mine) {
        return tc_rec__fail(db, -ENOENT,
                            "therapist: practitioner %lld is not on plan "
                            "%lld",
                            (long long)who, (long long)plan_id);
    }
    if (n == 1) {
        return tc_rec__fail(db, -EPERM,
                            "therapist: a plan keeps at least "
                            "one therapist");
    }
    st = tc_rec__stmt(db, "DELETE FROM rehab_plan_therapists"
                          " WHERE plan_id = ? AND practitioner_id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, plan_id);
    sqlite3_bind_int64(st, 2, who);
    return tc_rec__step_done(db, st, "therapist");
}

int
tc_rec_rehab_plan_therapist_remove(struct tc_rec_db *db, int64_t plan_id,
                                   int64_t practitioner_id)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = plan_open(db, plan_id, "therapist");
    if (rc == 0) {
        rc = remove_therapist(db, plan_id, practitioner_id);
    }
    return tc_rec__tx_end(db, rc);
}

/* ---- goals and exercises ---- */

static int
check_goal(struct tc_rec_db *db, int64_t plan_id,
           const struct tc_rec_rehab_goal_new *in)
{
    sqlite3_stmt *st;
    bool inside = false;
    int rc;

    rc = tc_rec__prose_check(db, "description", in->description,
                             MAX_DESCRIPTION, true);
    if (rc == 0) {
        rc = tc_rec__prose_check(db, "target", in->target, MAX_DESCRIPTION,
                                 false);
    }
    if (rc < 0 || !in->due_date) {
        return rc;
    }
    if (!tc_rec__date_valid(in->due_date)) {
        return tc_rec__fail(db, -EINVAL, "due_date: not a YYYY-MM-DD date");
    }
    st = tc_rec__stmt(db, "SELECT ?2 BETWEEN period_start AND period_end"
                          " FROM rehab_plans WHERE id = ?1");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, plan_id);
    tc_rec__bind_text(st, 2, in->due_date);
    inside = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (!inside) {
        return tc_rec__fail(db, -EINVAL,
                            "due_date: %s is outside plan %lld's period",
                            in->due_date, (long long)plan_id);
    }
    return 0;
}

static int
insert_goal(struct tc_rec_db *db, int64_t plan_id,
            const struct tc_rec_rehab_goal_new *in, int64_t *id_out)
{
    sqlite3_stmt *st =
        tc_rec__stmt(db, "INSERT INTO rehab_goals (plan_id, description,"
                         " target, due_date) VALUES (?, ?, ?, ?)");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, plan_id);
    tc_rec__bind_text(st, 2, in->description);
    tc_rec__bind_text(st, 3, in->target);
    tc_rec__bind_text(st, 4, in->due_date);
    rc = tc_rec__step_done(db, st, "goal");
    if (rc == 0) {
        *id_out = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

int
tc_rec_rehab_goal_add(struct tc_rec_db *db, int64_t plan_id,
                      const struct tc_rec_rehab_goal_new *in, int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = plan_open(db, plan_id, "goal");
    if (rc == 0) {
        rc = check_goal(db, plan_id, in);
    }
    if (rc == 0) {
        rc = insert_goal(db, plan_id, in, &id);
    }
    rc = tc_rec__tx_end(db, rc);
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

static int
update_goal(struct tc_rec_db *db, int64_t goal_id,
            enum tc_rec_rehab_goal_status status, int64_t at_us)
{
    sqlite3_stmt *st;
    int64_t plan_id = 0;
    int rc;

    st = tc_rec__stmt(db, "SELECT plan_id FROM rehab_goals WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, goal_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        plan_id = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (plan_id == 0) {
        return tc_rec__fail(db, -ENOENT, "goal: no goal %lld",
                            (long long)goal_id);
    }
    rc = plan_open(db, plan_id, "goal");
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "UPDATE rehab_goals SET status = ?,"
                          " status_at_us = ? WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, goal_codes[status]);
    if (status != TC_REC_REHAB_GOAL_OPEN) {
        sqlite3_bind_int64(st, 2, at_us);
    }
    sqlite3_bind_int64(st, 3, goal_id);
    return tc_rec__step_done(db, st, "goal");
}

int
tc_rec_rehab_goal_set_status(struct tc_rec_db *db, int64_t goal_id,
                             enum tc_rec_rehab_goal_status status,
                             int64_t at_us)
{
    int rc;

    tc_rec__ok(db);
    if (!tc_rec_rehab_goal_status_to_string(status)) {
        return tc_rec__fail(db, -EINVAL, "status: unknown goal status %d",
                            (int)status);
    }
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, update_goal(db, goal_id, status, at_us));
}

static int
check_exercise(struct tc_rec_db *db,
               const struct tc_rec_rehab_exercise_new *in)
{
    bool from_library = in->library_id > 0;
    int rc;

    /* An exercise from the library takes its name, instructions and
     * default sets and reps from there unless given (0: the default). */
    rc = tc_rec__prose_check(db, "name", in->name, MAX_TITLE, !from_library);
    if (rc == 0) {
        rc = tc_rec__prose_check(db, "instructions", in->instructions,
                                 MAX_INSTRUCTIONS, false);
    }
    if (rc == 0) {
        rc =
            tc_rec__text_check(db, "video_ref", in->video_ref, MAX_REF, false);
    }
    if (rc < 0) {
        return rc;
    }
    if ((in->sets < 1 || in->sets > 20) && !(from_library && in->sets == 0)) {
        return tc_rec__fail(db, -EINVAL, "sets: must be 1..20");
    }
    if ((in->reps < 1 || in->reps > 200) && !(from_library && in->reps == 0)) {
        return tc_rec__fail(db, -EINVAL, "reps: must be 1..200");
    }
    if (in->sessions_per_week < 1 || in->sessions_per_week > 14) {
        return tc_rec__fail(db, -EINVAL, "sessions_per_week: must be 1..14");
    }
    if (in->library_id < 0) {
        return tc_rec__fail(db, -EINVAL, "library_id: must be an id");
    }
    if (from_library) {
        return tc_rec__need_row(db, "SELECT 1 FROM rehab_library WHERE id = ?",
                                in->library_id, "library_id",
                                "library exercise");
    }
    return 0;
}

static int
insert_exercise(struct tc_rec_db *db, int64_t plan_id,
                const struct tc_rec_rehab_exercise_new *in, int64_t *id_out)
{
    /* Without a library exercise the LEFT JOIN finds nothing and every
     * value is the caller's. */
    sqlite3_stmt *st = tc_rec__stmt(
        db, "INSERT INTO rehab_exercises (plan_id, name, instructions,"
            " video_ref, sets, reps, sessions_per_week, library_id)"
            " SELECT ?1, coalesce(?2, l.name), coalesce(?3,"
            " l.instructions_zh), ?4, CASE WHEN ?5 > 0 THEN ?5 ELSE"
            " l.default_sets END, CASE WHEN ?6 > 0 THEN ?6 ELSE"
            " l.default_reps END, ?7, ?8 FROM (SELECT 1)"
            " LEFT JOIN rehab_library l ON l.id = ?8");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, plan_id);
    tc_rec__bind_text(st, 2, in->name);
    tc_rec__bind_text(st, 3, in->instructions);
    tc_rec__bind_text(st, 4, in->video_ref);
    sqlite3_bind_int(st, 5, in->sets);
    sqlite3_bind_int(st, 6, in->reps);
    sqlite3_bind_int(st, 7, in->sessions_per_week);
    tc_rec__bind_id(st, 8, in->library_id);
    rc = tc_rec__step_done(db, st, "exercise");
    if (rc == 0) {
        *id_out = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

int
tc_rec_rehab_exercise_add(struct tc_rec_db *db, int64_t plan_id,
                          const struct tc_rec_rehab_exercise_new *in,
                          int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = plan_open(db, plan_id, "exercise");
    if (rc == 0) {
        rc = check_exercise(db, in);
    }
    if (rc == 0) {
        rc = insert_exercise(db, plan_id, in, &id);
    }
    rc = tc_rec__tx_end(db, rc);
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

/* ---- access policy ---- */

int
tc_rec_rehab_is_therapist_of(struct tc_rec_db *db, int64_t practitioner_id,
                             int64_t resident_id, bool *out)
{
    tc_rec__ok(db);
    return tc_rec__exists2(db,
                           "SELECT 1 FROM rehab_plan_therapists t"
                           " JOIN rehab_plans p ON p.id = t.plan_id"
                           " WHERE t.practitioner_id = ? AND p.resident_id = ?"
                           " AND p.status IN ('draft', 'active', 'suspended')",
                           practitioner_id, resident_id, "therapist", out);
}
