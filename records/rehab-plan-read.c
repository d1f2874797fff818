// SPDX-License-Identifier: Apache-2.0
/*
 * rehab-plan-read.c - reading rehabilitation plans: one plan with its
 * therapists, goals and exercises, and the plans of a resident.
 *
 * Split from rehab-plan.c (which writes plans and owns their lifecycle)
 * to keep both files small; nothing here writes.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "records-int.h"

static void
plan_fini(struct tc_rec_rehab_plan *p)
{
    free(p->title);
    free(p->status_reason);
    free(p->therapist_ids);
    for (size_t i = 0; i < p->n_goals; i++) {
        free(p->goals[i].description);
        free(p->goals[i].target);
        free(p->goals[i].due_date);
    }
    free(p->goals);
    for (size_t i = 0; i < p->n_exercises; i++) {
        free(p->exercises[i].name);
        free(p->exercises[i].instructions);
        free(p->exercises[i].video_ref);
    }
    free(p->exercises);
}

void
tc_rec_rehab_plan_free(struct tc_rec_rehab_plan *plan)
{
    if (!plan) {
        return;
    }
    plan_fini(plan);
    free(plan);
}

void
tc_rec_rehab_plan_list_free(struct tc_rec_rehab_plan_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        plan_fini(&list->items[i]);
    }
    free(list->items);
    free(list);
}

static int
read_goals(struct tc_rec_db *db, struct tc_rec_rehab_plan *p)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT id, description, target, due_date, status, status_at_us,"
            " count(*) OVER () FROM rehab_goals WHERE plan_id = ?"
            " ORDER BY id");
    bool oom = false;
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, p->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !oom) {
        struct tc_rec_rehab_goal *g;
        enum tc_rec_rehab_goal_status s = TC_REC_REHAB_GOAL_OPEN;
        if (!p->goals) {
            p->goals = calloc((size_t)sqlite3_column_int(st, 6), sizeof(*g));
            oom = !p->goals;
            if (oom) {
                break;
            }
        }
        g = &p->goals[p->n_goals++];
        g->id = sqlite3_column_int64(st, 0);
        g->description = tc_rec__col_text(st, 1, &oom);
        g->target = tc_rec__col_text(st, 2, &oom);
        g->due_date = tc_rec__col_text(st, 3, &oom);
        tc_rec_rehab_goal_status_from_string(
            (const char *)sqlite3_column_text(st, 4), &s);
        g->status = s;
        g->status_at_us = sqlite3_column_int64(st, 5);
    }
    sqlite3_reset(st);
    if (oom) {
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    return rc == SQLITE_DONE ? 0 : tc_rec__fail_sql(db, rc, "goals");
}

static int
read_exercises(struct tc_rec_db *db, struct tc_rec_rehab_plan *p)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT id, name, instructions, video_ref, sets, reps,"
            " sessions_per_week, count(*) OVER (), library_id"
            " FROM rehab_exercises"
            " WHERE plan_id = ? ORDER BY id");
    bool oom = false;
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, p->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !oom) {
        struct tc_rec_rehab_exercise *e;
        if (!p->exercises) {
            p->exercises =
                calloc((size_t)sqlite3_column_int(st, 7), sizeof(*e));
            oom = !p->exercises;
            if (oom) {
                break;
            }
        }
        e = &p->exercises[p->n_exercises++];
        e->id = sqlite3_column_int64(st, 0);
        e->name = tc_rec__col_text(st, 1, &oom);
        e->instructions = tc_rec__col_text(st, 2, &oom);
        e->video_ref = tc_rec__col_text(st, 3, &oom);
        e->sets = sqlite3_column_int(st, 4);
        e->reps = sqlite3_column_int(st, 5);
        e->sessions_per_week = sqlite3_column_int(st, 6);
        e->library_id = sqlite3_column_int64(st, 8);
    }
    sqlite3_reset(st);
    if (oom) {
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    return rc == SQLITE_DONE ? 0 : tc_rec__fail_sql(db, rc, "exercises");
}

static int
read_row(struct tc_rec_db *db, int64_t id, struct tc_rec_rehab_plan *p)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT resident_id, contract_id, title, period_start,"
            " period_end, status, created_by, created_at_us, status_by,"
            " status_at_us, status_reason FROM rehab_plans WHERE id = ?");
    enum tc_rec_rehab_plan_status s = TC_REC_REHAB_PLAN_DRAFT;
    bool oom = false;
    int rc;

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
    p->id = id;
    p->resident_id = sqlite3_column_int64(st, 0);
    p->contract_id = sqlite3_column_int64(st, 1);
    p->title = tc_rec__col_text(st, 2, &oom);
    snprintf(p->period_start, sizeof(p->period_start), "%s",
             sqlite3_column_text(st, 3));
    snprintf(p->period_end, sizeof(p->period_end), "%s",
             sqlite3_column_text(st, 4));
    tc_rec_rehab_plan_status_from_string(
        (const char *)sqlite3_column_text(st, 5), &s);
    p->status = s;
    p->created_by = sqlite3_column_int64(st, 6);
    p->created_at_us = sqlite3_column_int64(st, 7);
    p->status_by = sqlite3_column_int64(st, 8);
    p->status_at_us = sqlite3_column_int64(st, 9);
    p->status_reason = tc_rec__col_text(st, 10, &oom);
    sqlite3_reset(st);
    return oom ? tc_rec__fail(db, -ENOMEM, "out of memory") : 0;
}

/* Fill caller storage `p` (zeroed) with plan `id`; on failure `p` may be
 * half-filled and needs plan_fini(). */
static int
plan_load(struct tc_rec_db *db, int64_t id, struct tc_rec_rehab_plan *p)
{
    sqlite3_stmt *st;
    int rc;

    rc = read_row(db, id, p);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "SELECT practitioner_id FROM rehab_plan_therapists"
                          " WHERE plan_id = ? ORDER BY practitioner_id");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__ids_collect(db, st, &p->therapist_ids, &p->n_therapists);
    if (rc == 0) {
        rc = read_goals(db, p);
    }
    if (rc == 0) {
        rc = read_exercises(db, p);
    }
    return rc;
}

int
tc_rec_rehab_plan_get(struct tc_rec_db *db, int64_t plan_id,
                      struct tc_rec_rehab_plan **out)
{
    struct tc_rec_rehab_plan *p;
    int rc;

    tc_rec__ok(db);
    p = calloc(1, sizeof(*p));
    if (!p) {
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    rc = plan_load(db, plan_id, p);
    if (rc < 0) {
        tc_rec_rehab_plan_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int
tc_rec_rehab_plan_list(struct tc_rec_db *db, int64_t resident_id,
                       struct tc_rec_rehab_plan_list **out)
{
    struct tc_rec_rehab_plan_list *list;
    sqlite3_stmt *st;
    int64_t *ids = NULL;
    size_t n = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__need_row(db, "SELECT 1 FROM residents WHERE id = ?",
                          resident_id, "resident_id", "resident");
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "SELECT id FROM rehab_plans WHERE resident_id = ?"
                          " ORDER BY period_start DESC, id DESC");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, resident_id);
    rc = tc_rec__ids_collect(db, st, &ids, &n);
    if (rc < 0) {
        return rc;
    }
    list = calloc(1, sizeof(*list));
    if (list && n > 0) {
        list->items = calloc(n, sizeof(*list->items));
    }
    if (!list || (n > 0 && !list->items)) {
        free(ids);
        tc_rec_rehab_plan_list_free(list);
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        list->count++;
        rc = plan_load(db, ids[i], &list->items[i]);
    }
    free(ids);
    if (rc < 0) {
        tc_rec_rehab_plan_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}
