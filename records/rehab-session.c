// SPDX-License-Identifier: Apache-2.0
/*
 * rehab-session.c - rehabilitation sessions: a live-guided video session,
 * a self-guided one (recorded, reviewed later by a therapist) or a home
 * visit, scheduled under a plan; what the resident reports (pain before
 * and after, difficulty, completion); the therapist's note (amended, never
 * overwritten); and a plan's adherence.
 *
 *   SCHEDULED --start--> IN_PROGRESS --finish--> COMPLETED
 *      |  |
 *      |  +--miss--> MISSED
 *      +--cancel--> CANCELLED
 *
 * Only session_step() changes a status. An event with no arrow out of the
 * current status is refused with -EPERM and changes nothing.
 *
 * Invariants: a session's scheduled date (UTC) lies within its plan's
 * period; sessions are scheduled on draft or active plans and started on
 * active ones only; a live-guided session or home visit names a therapist
 * of the plan; scores are in range (pain 0..10, difficulty 1..5,
 * completion 0..100, review 1..5: checked here and by the schema); only a
 * completed self-guided session is reviewed, once.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define MAX_REASON 1000
#define MAX_REF    1000

static const char *const status_codes[] = {
    [TC_REC_REHAB_SESSION_SCHEDULED] = "scheduled",
    [TC_REC_REHAB_SESSION_IN_PROGRESS] = "in_progress",
    [TC_REC_REHAB_SESSION_COMPLETED] = "completed",
    [TC_REC_REHAB_SESSION_MISSED] = "missed",
    [TC_REC_REHAB_SESSION_CANCELLED] = "cancelled",
};
#define N_STATUS (int)(sizeof(status_codes) / sizeof(status_codes[0]))

static const char *const mode_codes[] = {
    [TC_REC_REHAB_LIVE_GUIDED] = "live_guided",
    [TC_REC_REHAB_SELF_GUIDED] = "self_guided",
    [TC_REC_REHAB_HOME_VISIT] = "home_visit",
};
#define N_MODE (int)(sizeof(mode_codes) / sizeof(mode_codes[0]))

static const char *const attendance_codes[] = {
    [TC_REC_REHAB_ATTENDANCE_ALONE] = "alone",
    [TC_REC_REHAB_ATTENDANCE_WITH_CARER] = "with_carer",
};
#define N_ATTENDANCE                                                          \
    (int)(sizeof(attendance_codes) / sizeof(attendance_codes[0]))

const char *
tc_rec_rehab_session_status_to_string(enum tc_rec_rehab_session_status s)
{
    return tc_rec__code_name(status_codes, N_STATUS, (int)s);
}

int
tc_rec_rehab_session_status_from_string(const char *s,
                                        enum tc_rec_rehab_session_status *out)
{
    int i;
    int rc = tc_rec__code_parse(status_codes, N_STATUS, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_rehab_session_status)i;
    }
    return rc;
}

const char *
tc_rec_rehab_session_mode_to_string(enum tc_rec_rehab_session_mode m)
{
    return tc_rec__code_name(mode_codes, N_MODE, (int)m);
}

int
tc_rec_rehab_session_mode_from_string(const char *s,
                                      enum tc_rec_rehab_session_mode *out)
{
    int i;
    int rc = tc_rec__code_parse(mode_codes, N_MODE, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_rehab_session_mode)i;
    }
    return rc;
}

/* ---- the lifecycle ---- */

enum session_event { START, FINISH, MISS, CANCEL };

static const char *const event_names[] = {
    [START] = "start",
    [FINISH] = "finish",
    [MISS] = "miss",
    [CANCEL] = "cancel",
};

static const struct {
    enum tc_rec_rehab_session_status from;
    enum session_event event;
    enum tc_rec_rehab_session_status to;
} transitions[] = {
    {TC_REC_REHAB_SESSION_SCHEDULED, START, TC_REC_REHAB_SESSION_IN_PROGRESS},
    {TC_REC_REHAB_SESSION_SCHEDULED, MISS, TC_REC_REHAB_SESSION_MISSED},
    {TC_REC_REHAB_SESSION_SCHEDULED, CANCEL, TC_REC_REHAB_SESSION_CANCELLED},
    {TC_REC_REHAB_SESSION_IN_PROGRESS, FINISH, TC_REC_REHAB_SESSION_COMPLETED},
};

/* What a step needs to know about a session and its plan. */
struct session_facts {
    enum tc_rec_rehab_session_status status;
    enum tc_rec_rehab_session_mode mode;
    int64_t plan_id;
    char plan_status[16];
    int64_t started_at_us;
    bool reviewed;
};

static int
session_facts(struct tc_rec_db *db, int64_t id, struct session_facts *f)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT s.status, s.mode, s.plan_id, p.status, s.started_at_us,"
            " s.review_score IS NOT NULL FROM rehab_sessions s"
            " JOIN rehab_plans p ON p.id = s.plan_id WHERE s.id = ?");
    int rc, st_i, mode_i;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? tc_rec__fail(db, -ENOENT, "session: no session %lld",
                                  (long long)id)
                   : tc_rec__fail_sql(db, rc, "session");
    }
    st_i = tc_rec__code_find(status_codes, N_STATUS,
                             (const char *)sqlite3_column_text(st, 0));
    mode_i = tc_rec__code_find(mode_codes, N_MODE,
                               (const char *)sqlite3_column_text(st, 1));
    f->plan_id = sqlite3_column_int64(st, 2);
    snprintf(f->plan_status, sizeof(f->plan_status), "%s",
             sqlite3_column_text(st, 3));
    f->started_at_us = sqlite3_column_int64(st, 4);
    f->reviewed = sqlite3_column_int(st, 5);
    sqlite3_reset(st);
    if (st_i < 0 || mode_i < 0) {
        return tc_rec__fail(db, -EBADMSG, "session %lld: unknown code",
                            (long long)id);
    }
    f->status = (enum tc_rec_rehab_session_status)st_i;
    f->mode = (enum tc_rec_rehab_session_mode)mode_i;
    return 0;
}

static int
session_step(struct tc_rec_db *db, int64_t id, enum session_event ev,
             int64_t at_us, const char *reason)
{
    struct session_facts f;
    sqlite3_stmt *st;
    size_t i, n = sizeof(transitions) / sizeof(transitions[0]);
    int rc;

    rc = session_facts(db, id, &f);
    if (rc < 0) {
        return rc;
    }
    for (i = 0; i < n; i++) {
        if (transitions[i].from == f.status && transitions[i].event == ev) {
            break;
        }
    }
    if (i == n) {
        return tc_rec__fail(db, -EPERM, "%s: not allowed from status %s",
                            event_names[ev], status_codes[f.status]);
    }
    if (ev == START && strcmp(f.plan_status, "active") != 0) {
        return tc_rec__fail(db, -EPERM, "start: plan %lld is %s, not active",
                            (long long)f.plan_id, f.plan_status);
    }
    if (ev == FINISH && at_us < f.started_at_us) {
        return tc_rec__fail(db, -EINVAL,
                            "ended_at_us: before the session "
                            "started");
    }
    st = tc_rec__stmt(db, "UPDATE rehab_sessions SET status = ?,"
                          " status_at_us = ?, status_reason = ? WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, status_codes[transitions[i].to]);
    sqlite3_bind_int64(st, 2, at_us);
    tc_rec__bind_text(st, 3, reason);
    sqlite3_bind_int64(st, 4, id);
    return tc_rec__step_done(db, st, "session");
}

static int
check_score(struct tc_rec_db *db, const char *field, int v, int lo, int hi,
            bool optional)
{
    if ((optional && v == -1) || (v >= lo && v <= hi)) {
        return 0;
    }
    return tc_rec__fail(db, -EINVAL, "%s: must be %d..%d%s", field, lo, hi,
                        optional ? " (or -1: not reported)" : "");
}

/* -EEXIST when another session of the same resident is in progress: a
 * resident does one session at a time. */
static int
check_no_other_running(struct tc_rec_db *db, int64_t id)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT o.id FROM rehab_sessions s"
            " JOIN rehab_plans p ON p.id = s.plan_id"
            " JOIN rehab_plans q ON q.resident_id = p.resident_id"
            " JOIN rehab_sessions o ON o.plan_id = q.id"
            " WHERE s.id = ? AND o.status = 'in_progress' AND o.id != s.id"
            " LIMIT 1");
    int64_t other = 0;
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        other = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return tc_rec__fail_sql(db, rc, "session");
    }
    if (other) {
        return tc_rec__fail(db, -EEXIST,
                            "start: the resident's session %lld is in "
                            "progress (one session at a time)",
                            (long long)other);
    }
    return 0;
}

static int
record_start(struct tc_rec_db *db, int64_t id, int64_t at_us, int pain_before)
{
    sqlite3_stmt *st;
    int rc = session_step(db, id, START, at_us, NULL);

    if (rc == 0) {
        rc = check_no_other_running(db, id);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "UPDATE rehab_sessions SET started_at_us = ?,"
                          " pain_before = ? WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, at_us);
    if (pain_before >= 0) {
        sqlite3_bind_int(st, 2, pain_before);
    }
    sqlite3_bind_int64(st, 3, id);
    return tc_rec__step_done(db, st, "session");
}

int
tc_rec_rehab_session_start(struct tc_rec_db *db, int64_t session_id,
                           int64_t started_at_us, int pain_before)
{
    int rc;

    tc_rec__ok(db);
    rc = check_score(db, "pain_before", pain_before, 0, 10, true);
    if (rc == 0 && started_at_us <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "started_at_us: required");
    }
    if (rc == 0) {
        rc = tc_rec__tx_begin(db);
    }
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(
        db, record_start(db, session_id, started_at_us, pain_before));
}

static int
check_result(struct tc_rec_db *db, const struct tc_rec_rehab_session_result *r)
{
    int rc;

    if (r->attendance != TC_REC_REHAB_ATTENDANCE_ALONE &&
        r->attendance != TC_REC_REHAB_ATTENDANCE_WITH_CARER) {
        return tc_rec__fail(db, -EINVAL,
                            "attendance: must be alone or "
                            "with_carer");
    }
    rc = check_score(db, "completion_pct", r->completion_pct, 0, 100, false);
    if (rc == 0) {
        rc = check_score(db, "pain_after", r->pain_after, 0, 10, true);
    }
    if (rc == 0) {
        rc = check_score(db, "difficulty", r->difficulty, 1, 5, true);
    }
    if (rc == 0) {
        rc = tc_rec__text_check(db, "recording_ref", r->recording_ref, MAX_REF,
                                false);
    }
    return rc;
}

static int
record_finish(struct tc_rec_db *db, int64_t id,
              const struct tc_rec_rehab_session_result *r)
{
    sqlite3_stmt *st;
    int rc = session_step(db, id, FINISH, r->ended_at_us, NULL);

    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(
        db, "UPDATE rehab_sessions SET ended_at_us = ?,"
            " attendance = ?, completion_pct = ?,"
            " pain_after = ?, difficulty = ?,"
            " recording_ref = coalesce(?, recording_ref) WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, r->ended_at_us);
    tc_rec__bind_text(st, 2, attendance_codes[r->attendance]);
    sqlite3_bind_int(st, 3, r->completion_pct);
    if (r->pain_after >= 0) {
        sqlite3_bind_int(st, 4, r->pain_after);
    }
    if (r->difficulty >= 0) {
        sqlite3_bind_int(st, 5, r->difficulty);
    }
    tc_rec__bind_text(st, 6, r->recording_ref);
    sqlite3_bind_int64(st, 7, id);
    return tc_rec__step_done(db, st, "session");
}

int
tc_rec_rehab_session_finish(struct tc_rec_db *db, int64_t session_id,
                            const struct tc_rec_rehab_session_result *result)
{
    int rc;

    tc_rec__ok(db);
    rc = check_result(db, result);
    if (rc == 0) {
        rc = tc_rec__tx_begin(db);
    }
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, record_finish(db, session_id, result));
}

int
tc_rec_rehab_session_miss(struct tc_rec_db *db, int64_t session_id,
                          int64_t at_us)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, session_step(db, session_id, MISS, at_us, NULL));
}

int
tc_rec_rehab_session_cancel(struct tc_rec_db *db, int64_t session_id,
                            int64_t at_us, const char *reason)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__prose_check(db, "reason", reason, MAX_REASON, true);
    if (rc == 0) {
        rc = tc_rec__tx_begin(db);
    }
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db,
                          session_step(db, session_id, CANCEL, at_us, reason));
}

/* ---- scheduling ---- */

/* -EINVAL/-ENOENT unless practitioner `who` is a therapist on the plan. */
static int
need_therapist(struct tc_rec_db *db, int64_t plan_id, int64_t who,
               const char *field)
{
    bool found = false;
    int rc = tc_rec__exists2(db,
                             "SELECT 1 FROM rehab_plan_therapists"
                             " WHERE plan_id = ? AND practitioner_id = ?",
                             plan_id, who, "therapist", &found);

    if (rc < 0) {
        return rc;
    }
    if (!found) {
        return tc_rec__fail(db, -EINVAL,
                            "%s: practitioner %lld is not a therapist on "
                            "plan %lld",
                            field, (long long)who, (long long)plan_id);
    }
    return 0;
}

static int
check_plan_for(struct tc_rec_db *db, const struct tc_rec_rehab_session_new *in)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT status, period_start, period_end FROM rehab_plans"
            " WHERE id = ?");
    char status[16] = "", start[11] = "", end[11] = "", day[11];
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, in->plan_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(status, sizeof(status), "%s", sqlite3_column_text(st, 0));
        snprintf(start, sizeof(start), "%s", sqlite3_column_text(st, 1));
        snprintf(end, sizeof(end), "%s", sqlite3_column_text(st, 2));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        return tc_rec__fail(db, -ENOENT, "plan_id: no rehab plan %lld",
                            (long long)in->plan_id);
    }
    if (strcmp(status, "draft") != 0 && strcmp(status, "active") != 0) {
        return tc_rec__fail(db, -EPERM, "session: plan %lld is %s",
                            (long long)in->plan_id, status);
    }
    tc_rec__date_of_us(in->scheduled_at_us, day);
    if (strcmp(day, start) < 0 || strcmp(day, end) > 0) {
        return tc_rec__fail(db, -EINVAL,
                            "session: scheduled %s is outside plan %lld's "
                            "period %s..%s",
                            day, (long long)in->plan_id, start, end);
    }
    return 0;
}

static int
check_new(struct tc_rec_db *db, const struct tc_rec_rehab_session_new *in)
{
    int rc;

    if (!tc_rec_rehab_session_mode_to_string(in->mode)) {
        return tc_rec__fail(db, -EINVAL, "mode: unknown mode %d",
                            (int)in->mode);
    }
    if (in->scheduled_at_us <= 0) {
        return tc_rec__fail(db, -EINVAL, "scheduled_at_us: required");
    }
    rc = check_plan_for(db, in);
    if (rc < 0) {
        return rc;
    }
    if (in->therapist_id != 0) {
        return need_therapist(db, in->plan_id, in->therapist_id,
                              "therapist_id");
    }
    if (in->mode != TC_REC_REHAB_SELF_GUIDED) {
        return tc_rec__fail(db, -EINVAL,
                            "therapist_id: a %s session needs a therapist",
                            mode_codes[in->mode]);
    }
    return 0;
}

int
tc_rec_rehab_session_schedule(struct tc_rec_db *db,
                              const struct tc_rec_rehab_session_new *in,
                              int64_t *id_out)
{
    sqlite3_stmt *st;
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = check_new(db, in);
    st = rc == 0 ? tc_rec__stmt(db, "INSERT INTO rehab_sessions (plan_id,"
                                    " mode, therapist_id, scheduled_at_us,"
                                    " status) VALUES (?, ?, ?, ?,"
                                    " 'scheduled')")
                 : NULL;
    if (st) {
        sqlite3_bind_int64(st, 1, in->plan_id);
        tc_rec__bind_text(st, 2, mode_codes[in->mode]);
        tc_rec__bind_id(st, 3, in->therapist_id);
        sqlite3_bind_int64(st, 4, in->scheduled_at_us);
        rc = tc_rec__step_done(db, st, "session");
    } else if (rc == 0) {
        rc = -EIO;
    }
    if (rc == 0) {
        id = sqlite3_last_insert_rowid(db->conn);
    }
    rc = tc_rec__tx_end(db, rc);
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

/* ---- review and notes ---- */

static int
record_review(struct tc_rec_db *db, int64_t id, int64_t reviewer, int score,
              int64_t at_us)
{
    struct session_facts f;
    sqlite3_stmt *st;
    int rc = session_facts(db, id, &f);

    if (rc < 0) {
        return rc;
    }
    if (f.mode != TC_REC_REHAB_SELF_GUIDED ||
        f.status != TC_REC_REHAB_SESSION_COMPLETED) {
        return tc_rec__fail(db, -EPERM,
                            "review: only a completed "
                            "self-guided session is reviewed");
    }
    if (f.reviewed) {
        return tc_rec__fail(db, -EEXIST,
                            "review: session %lld was reviewed "
                            "already",
                            (long long)id);
    }
    rc = need_therapist(db, f.plan_id, reviewer, "reviewer_id");
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "UPDATE rehab_sessions SET review_score = ?,"
                          " reviewed_by = ?, reviewed_at_us = ? WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int(st, 1, score);
    sqlite3_bind_int64(st, 2, reviewer);
    sqlite3_bind_int64(st, 3, at_us);
    sqlite3_bind_int64(st, 4, id);
    return tc_rec__step_done(db, st, "review");
}

int
tc_rec_rehab_session_review(struct tc_rec_db *db, int64_t session_id,
                            int64_t reviewer_id, int score, int64_t at_us)
{
    int rc;

    tc_rec__ok(db);
    rc = check_score(db, "score", score, 1, 5, false);
    if (rc == 0) {
        rc = tc_rec__tx_begin(db);
    }
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(
        db, record_review(db, session_id, reviewer_id, score, at_us));
}

/* Write version 1 (amend false) or the next version of a session note. */
static int
write_note(struct tc_rec_db *db, int64_t id, int64_t author, int64_t at_us,
           const char *text, const char *reason, bool amend)
{
    struct tc_rec_text_version latest;
    struct session_facts f;
    int rc = session_facts(db, id, &f);

    if (rc < 0) {
        return rc;
    }
    rc =
        tc_rec__text_version_latest(db, TC_REC_TEXT_SESSION_NOTE, id, &latest);
    if (rc == 0) {
        free(latest.text);
        free(latest.amend_reason);
        if (!amend) {
            return tc_rec__fail(db, -EEXIST,
                                "note: session %lld has a note; amend it",
                                (long long)id);
        }
    } else if (rc != -ENOENT) {
        return rc;
    } else if (amend) {
        return tc_rec__fail(db, -ENOENT, "note: session %lld has no note",
                            (long long)id);
    }
    return tc_rec__text_version_add(db, TC_REC_TEXT_SESSION_NOTE, id, text,
                                    author, at_us, amend ? reason : NULL,
                                    NULL);
}

int
tc_rec_rehab_session_note_write(struct tc_rec_db *db, int64_t session_id,
                                int64_t author_id, int64_t at_us,
                                const char *text)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(
        db, write_note(db, session_id, author_id, at_us, text, NULL, false));
}

int
tc_rec_rehab_session_note_amend(struct tc_rec_db *db, int64_t session_id,
                                int64_t author_id, int64_t at_us,
                                const char *text, const char *reason)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(
        db, write_note(db, session_id, author_id, at_us, text, reason, true));
}
