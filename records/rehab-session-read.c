// SPDX-License-Identifier: Apache-2.0
/*
 * rehab-session-read.c - reading rehabilitation sessions (one, or a plan's)
 * with the latest version of their therapist note, and a plan's adherence.
 *
 * Split from rehab-session.c (which writes sessions and owns their
 * lifecycle); nothing here writes.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

/* The session row with its resident and its latest note. */
#define SELECT_SESSION                                                        \
    "SELECT s.id, s.plan_id, p.resident_id, s.mode, s.therapist_id,"          \
    " s.scheduled_at_us, s.status, s.status_at_us, s.status_reason,"          \
    " s.started_at_us, s.ended_at_us, s.attendance, s.completion_pct,"        \
    " s.pain_before, s.pain_after, s.difficulty, s.recording_ref,"            \
    " s.review_score, s.reviewed_by, s.reviewed_at_us, n.text, n.version"     \
    " FROM rehab_sessions s JOIN rehab_plans p ON p.id = s.plan_id"           \
    " LEFT JOIN session_notes n ON n.session_id = s.id AND n.version ="       \
    " (SELECT max(version) FROM session_notes WHERE session_id = s.id)"

static int
int_or(sqlite3_stmt *st, int col, int none)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL
               ? none
               : sqlite3_column_int(st, col);
}

static int
read_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_rehab_session *s = item;
    enum tc_rec_rehab_session_status status = TC_REC_REHAB_SESSION_SCHEDULED;
    enum tc_rec_rehab_session_mode mode = TC_REC_REHAB_SELF_GUIDED;
    const char *att = (const char *)sqlite3_column_text(st, 11);
    bool oom = false;

    s->id = sqlite3_column_int64(st, 0);
    s->plan_id = sqlite3_column_int64(st, 1);
    s->resident_id = sqlite3_column_int64(st, 2);
    tc_rec_rehab_session_mode_from_string(
        (const char *)sqlite3_column_text(st, 3), &mode);
    s->mode = mode;
    s->therapist_id = sqlite3_column_int64(st, 4);
    s->scheduled_at_us = sqlite3_column_int64(st, 5);
    tc_rec_rehab_session_status_from_string(
        (const char *)sqlite3_column_text(st, 6), &status);
    s->status = status;
    s->status_at_us = sqlite3_column_int64(st, 7);
    s->status_reason = tc_rec__col_text(st, 8, &oom);
    s->started_at_us = sqlite3_column_int64(st, 9);
    s->ended_at_us = sqlite3_column_int64(st, 10);
    s->attendance = !att ? 0
                    : strcmp(att, "with_carer") == 0
                        ? TC_REC_REHAB_ATTENDANCE_WITH_CARER
                        : TC_REC_REHAB_ATTENDANCE_ALONE;
    s->completion_pct = int_or(st, 12, -1);
    s->pain_before = int_or(st, 13, -1);
    s->pain_after = int_or(st, 14, -1);
    s->difficulty = int_or(st, 15, -1);
    s->recording_ref = tc_rec__col_text(st, 16, &oom);
    s->review_score = int_or(st, 17, 0);
    s->reviewed_by = sqlite3_column_int64(st, 18);
    s->reviewed_at_us = sqlite3_column_int64(st, 19);
    s->note = tc_rec__col_text(st, 20, &oom);
    s->note_version = int_or(st, 21, 0);
    return oom ? -ENOMEM : 0;
}

static void
session_fini(struct tc_rec_rehab_session *s)
{
    free(s->status_reason);
    free(s->recording_ref);
    free(s->note);
}

void
tc_rec_rehab_session_free(struct tc_rec_rehab_session *session)
{
    if (!session) {
        return;
    }
    session_fini(session);
    free(session);
}

static void
item_free(void *item)
{
    tc_rec_rehab_session_free(item);
}

int
tc_rec_rehab_session_get(struct tc_rec_db *db, int64_t session_id,
                         struct tc_rec_rehab_session **out)
{
    sqlite3_stmt *st;
    void *item = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, SELECT_SESSION " WHERE s.id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, session_id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_rehab_session), read_row,
                       item_free, &item);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "session: no session %lld",
                            (long long)session_id);
    }
    if (rc == 0) {
        *out = item;
    }
    return rc;
}

void
tc_rec_rehab_session_list_free(struct tc_rec_rehab_session_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        session_fini(&list->items[i]);
    }
    free(list->items);
    free(list);
}

int
tc_rec_rehab_session_list(struct tc_rec_db *db, int64_t plan_id,
                          struct tc_rec_rehab_session_list **out)
{
    struct tc_rec_rehab_session_list *list;
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__need_row(db, "SELECT 1 FROM rehab_plans WHERE id = ?",
                          plan_id, "plan_id", "rehab plan");
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, SELECT_SESSION " WHERE s.plan_id = ?"
                                         " ORDER BY s.scheduled_at_us, s.id");
    list = calloc(1, sizeof(*list));
    if (!st || !list) {
        free(list);
        return st ? tc_rec__fail(db, -ENOMEM, "out of memory") : -EIO;
    }
    sqlite3_bind_int64(st, 1, plan_id);
    rc = tc_rec__collect(db, st, sizeof(struct tc_rec_rehab_session), read_row,
                         &items, &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_rehab_session_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

/* The plan's period and sessions per week (0 without exercises). */
static int
plan_rate(struct tc_rec_db *db, int64_t plan_id, char *start, char *end,
          int *per_week)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT period_start, period_end, (SELECT coalesce("
            "max(sessions_per_week), 0) FROM rehab_exercises"
            " WHERE plan_id = ?1) FROM rehab_plans WHERE id = ?1");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, plan_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(start, 11, "%s", sqlite3_column_text(st, 0));
        snprintf(end, 11, "%s", sqlite3_column_text(st, 1));
        *per_week = sqlite3_column_int(st, 2);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        return rc == SQLITE_DONE
                   ? tc_rec__fail(db, -ENOENT, "plan_id: no rehab plan %lld",
                                  (long long)plan_id)
                   : tc_rec__fail_sql(db, rc, "plan");
    }
    return 0;
}

static int
count_sessions(struct tc_rec_db *db, int64_t plan_id, const char *lo,
               const char *hi, struct tc_rec_rehab_adherence *a)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT count(*) FILTER (WHERE status = 'completed'),"
            " count(*) FILTER (WHERE status = 'missed'),"
            " count(*) FILTER (WHERE status = 'cancelled'),"
            " count(*) FILTER (WHERE status IN ('scheduled', 'in_progress'))"
            " FROM rehab_sessions WHERE plan_id = ? AND"
            " date(scheduled_at_us / 1000000, 'unixepoch') BETWEEN ? AND ?");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, plan_id);
    tc_rec__bind_text(st, 2, lo);
    tc_rec__bind_text(st, 3, hi);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        a->completed = sqlite3_column_int(st, 0);
        a->missed = sqlite3_column_int(st, 1);
        a->cancelled = sqlite3_column_int(st, 2);
        a->pending = sqlite3_column_int(st, 3);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : tc_rec__fail_sql(db, rc, "adherence");
}

int
tc_rec_rehab_plan_adherence(struct tc_rec_db *db, int64_t plan_id,
                            const char *from, const char *to,
                            struct tc_rec_rehab_adherence *out)
{
    struct tc_rec_rehab_adherence a = {0};
    char start[11] = "", end[11] = "";
    const char *lo, *hi;
    int per_week = 0, rc;
    int64_t days;

    tc_rec__ok(db);
    if (!tc_rec__date_valid(from)) {
        return tc_rec__fail(db, -EINVAL, "from: not a YYYY-MM-DD date");
    }
    if (!tc_rec__date_valid(to) || strcmp(to, from) < 0) {
        return tc_rec__fail(db, -EINVAL,
                            "to: must be a date on or after "
                            "from");
    }
    rc = plan_rate(db, plan_id, start, end, &per_week);
    if (rc < 0) {
        return rc;
    }
    lo = strcmp(from, start) > 0 ? from : start;
    hi = strcmp(to, end) < 0 ? to : end;
    if (strcmp(lo, hi) <= 0) {
        days = tc_rec__date_days(hi) - tc_rec__date_days(lo) + 1;
        a.prescribed = (int)((per_week * days * 2 + 7) / 14);
        rc = count_sessions(db, plan_id, lo, hi, &a);
    }
    if (rc == 0) {
        *out = a;
    }
    return rc;
}
