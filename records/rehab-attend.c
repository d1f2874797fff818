// SPDX-License-Identifier: Apache-2.0
/*
 * rehab-attend.c - who was in a live-guided session's call and for how
 * long, and the sets the therapist marked done.
 *
 * The attendance log is append-only: signaling writes PRESENT when a
 * user enters the call (joins as therapist, is admitted, resumes) and
 * ABSENT when they leave it (leave, removal, a dropped connection); the
 * media server may later write MEDIA_START and MEDIA_STOP when a user's
 * media starts or stops flowing. Durations are never typed in: they are
 * worked out here from the log, per role, with the time a therapist and
 * the resident's side were both present ("together"), by one sweep over
 * the events in time order.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define MAX_USERS 64 /* distinct users a summary tracks per session */

static const char *const role_codes[] = {
    [TC_REC_REHAB_ROLE_THERAPIST] = "therapist",
    [TC_REC_REHAB_ROLE_RESIDENT] = "resident",
    [TC_REC_REHAB_ROLE_CARER] = "carer",
};
#define N_ROLE (int)(sizeof(role_codes) / sizeof(role_codes[0]))

static const char *const event_codes[] = {
    [TC_REC_REHAB_PRESENT] = "present",
    [TC_REC_REHAB_ABSENT] = "absent",
    [TC_REC_REHAB_MEDIA_START] = "media_start",
    [TC_REC_REHAB_MEDIA_STOP] = "media_stop",
};
#define N_EVENT (int)(sizeof(event_codes) / sizeof(event_codes[0]))

const char *
tc_rec_rehab_attend_role_to_string(enum tc_rec_rehab_attend_role r)
{
    return tc_rec__code_name(role_codes, N_ROLE, (int)r);
}

const char *
tc_rec_rehab_attend_event_to_string(enum tc_rec_rehab_attend_event e)
{
    return tc_rec__code_name(event_codes, N_EVENT, (int)e);
}

static int
session_mode_status(struct tc_rec_db *db, int64_t id, char mode[16],
                    char status[16], int64_t *ended_at_us)
{
    sqlite3_stmt *st = tc_rec__stmt(db, "SELECT mode, status,"
                                        " coalesce(ended_at_us, 0)"
                                        " FROM rehab_sessions WHERE id = ?");
    int rc;

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
    snprintf(mode, 16, "%s", sqlite3_column_text(st, 0));
    snprintf(status, 16, "%s", sqlite3_column_text(st, 1));
    *ended_at_us = sqlite3_column_int64(st, 2);
    sqlite3_reset(st);
    return 0;
}

int
tc_rec_rehab_attendance_add(struct tc_rec_db *db, int64_t session_id,
                            int64_t user_id,
                            enum tc_rec_rehab_attend_role role,
                            enum tc_rec_rehab_attend_event event,
                            int64_t at_us)
{
    char mode[16], status[16];
    int64_t ended;
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    if (!tc_rec_rehab_attend_role_to_string(role)) {
        return tc_rec__fail(db, -EINVAL, "role: unknown");
    }
    if (!tc_rec_rehab_attend_event_to_string(event)) {
        return tc_rec__fail(db, -EINVAL, "event: unknown");
    }
    if (at_us <= 0) {
        return tc_rec__fail(db, -EINVAL, "at_us: required");
    }
    rc = session_mode_status(db, session_id, mode, status, &ended);
    if (rc == 0 && strcmp(mode, "live_guided") != 0) {
        rc = tc_rec__fail(db, -EPERM,
                          "attendance: session %lld is not live-guided",
                          (long long)session_id);
    }
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM users WHERE id = ?", user_id,
                              "user_id", "user");
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO rehab_attendance (session_id,"
                          " user_id, role, event, at_us)"
                          " VALUES (?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, session_id);
    sqlite3_bind_int64(st, 2, user_id);
    tc_rec__bind_text(st, 3, role_codes[role]);
    tc_rec__bind_text(st, 4, event_codes[event]);
    sqlite3_bind_int64(st, 5, at_us);
    return tc_rec__step_done(db, st, "attendance");
}

static int
entry_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_rehab_attend_entry *e = item;

    e->user_id = sqlite3_column_int64(st, 0);
    e->role = (enum tc_rec_rehab_attend_role)tc_rec__code_find(
        role_codes, N_ROLE, (const char *)sqlite3_column_text(st, 1));
    e->event = (enum tc_rec_rehab_attend_event)tc_rec__code_find(
        event_codes, N_EVENT, (const char *)sqlite3_column_text(st, 2));
    e->at_us = sqlite3_column_int64(st, 3);
    return 0;
}

/* Per-user state during the sweep, with the user's totals. */
struct who_state {
    int64_t user_id;
    enum tc_rec_rehab_attend_role role;
    bool present;
    bool media;
    int64_t present_us, media_us;
};

static struct who_state *
state_of(struct who_state *users, size_t *n, int64_t user_id,
         enum tc_rec_rehab_attend_role role)
{
    for (size_t i = 0; i < *n; i++) {
        if (users[i].user_id == user_id) {
            return &users[i];
        }
    }
    if (*n == MAX_USERS) {
        return NULL;
    }
    users[*n] = (struct who_state){.user_id = user_id, .role = role};
    return &users[(*n)++];
}

/* Counts of who is present (and whose media flows) right now. */
struct tally {
    int therapists, patient_side, media;
};

static void
add_span(struct tc_rec_rehab_presence *a, const struct tally *t,
         struct who_state *users, size_t n_users, int64_t span)
{
    if (span <= 0) {
        return;
    }
    for (size_t i = 0; i < n_users; i++) {
        users[i].present_us += users[i].present ? span : 0;
        users[i].media_us += users[i].media ? span : 0;
    }
    a->therapist_us += t->therapists > 0 ? span : 0;
    a->resident_us += t->patient_side > 0 ? span : 0;
    a->together_us += t->therapists > 0 && t->patient_side > 0 ? span : 0;
    a->media_us += t->media > 0 ? span : 0;
}

static void
apply(struct who_state *w, const struct tc_rec_rehab_attend_entry *e,
      struct tally *t)
{
    bool present = w->present, media = w->media;
    int side;

    if (e->event == TC_REC_REHAB_PRESENT || e->event == TC_REC_REHAB_ABSENT) {
        present = e->event == TC_REC_REHAB_PRESENT;
    } else {
        media = e->event == TC_REC_REHAB_MEDIA_START;
    }
    side = present - w->present;
    if (w->role == TC_REC_REHAB_ROLE_THERAPIST) {
        t->therapists += side;
    } else {
        t->patient_side += side;
    }
    t->media += media - w->media;
    w->present = present;
    w->media = media;
}

/* Each user's totals into a->people (malloc'd). */
static int
people_keep(struct tc_rec_rehab_presence *a, const struct who_state *users,
            size_t n_users)
{
    if (n_users == 0) {
        return 0;
    }
    a->people = calloc(n_users, sizeof(*a->people));
    if (!a->people) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < n_users; i++) {
        a->people[i] = (struct tc_rec_rehab_person){
            .user_id = users[i].user_id,
            .role = users[i].role,
            .present_us = users[i].present_us,
            .media_us = users[i].media_us,
        };
    }
    a->n_people = n_users;
    return 0;
}

/* The sweep: each span between two events counts for what was true
 * during it; what is still open at the end runs until `until`. */
static int
summarise(struct tc_rec_rehab_presence *a, int64_t until)
{
    struct who_state users[MAX_USERS];
    struct tally t = {0};
    size_t n_users = 0;
    int64_t prev = 0;

    for (size_t i = 0; i < a->n_entries; i++) {
        const struct tc_rec_rehab_attend_entry *e = &a->entries[i];
        struct who_state *w = state_of(users, &n_users, e->user_id, e->role);
        if (!w) {
            continue;
        }
        if (prev) {
            add_span(a, &t, users, n_users, e->at_us - prev);
        }
        if (e->event == TC_REC_REHAB_PRESENT && !a->first_at_us) {
            a->first_at_us = e->at_us;
        }
        apply(w, e, &t);
        prev = e->at_us;
        a->last_at_us = e->at_us;
    }
    if (prev && until > prev) {
        add_span(a, &t, users, n_users, until - prev);
    }
    return people_keep(a, users, n_users);
}

void
tc_rec_rehab_attendance_free(struct tc_rec_rehab_presence *a)
{
    if (a) {
        free(a->people);
        free(a->entries);
        free(a);
    }
}

int
tc_rec_rehab_attendance_get(struct tc_rec_db *db, int64_t session_id,
                            int64_t now_us, struct tc_rec_rehab_presence **out)
{
    struct tc_rec_rehab_presence *a;
    char mode[16], status[16];
    int64_t ended = 0;
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    rc = session_mode_status(db, session_id, mode, status, &ended);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "SELECT user_id, role, event, at_us FROM"
                          " rehab_attendance WHERE session_id = ?"
                          " ORDER BY at_us, id");
    if (!st) {
        return -EIO;
    }
    a = calloc(1, sizeof(*a));
    if (!a) {
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    sqlite3_bind_int64(st, 1, session_id);
    rc = tc_rec__collect(db, st, sizeof(*a->entries), entry_row,
                         (void **)&a->entries, &a->n_entries);
    if (rc < 0) {
        tc_rec_rehab_attendance_free(a);
        return rc;
    }
    /* A finished session's open intervals end with it; a running one's
     * run until now. */
    if (summarise(a, ended > 0 ? ended : now_us) < 0) {
        tc_rec_rehab_attendance_free(a);
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    *out = a;
    return 0;
}

/* ---- sets marked done ---- */

static int
mark(struct tc_rec_db *db, int64_t session_id, int64_t exercise_id, int set_no,
     int64_t by, int64_t at_us)
{
    sqlite3_stmt *st =
        tc_rec__stmt(db, "SELECT s.status, e.sets FROM rehab_sessions s"
                         " LEFT JOIN rehab_exercises e ON e.id = ?2 AND"
                         " e.plan_id = s.plan_id WHERE s.id = ?1");
    int rc, sets;
    char status[16];

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, session_id);
    sqlite3_bind_int64(st, 2, exercise_id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? tc_rec__fail(db, -ENOENT, "session: no session %lld",
                                  (long long)session_id)
                   : tc_rec__fail_sql(db, rc, "session");
    }
    snprintf(status, sizeof(status), "%s", sqlite3_column_text(st, 0));
    sets = sqlite3_column_type(st, 1) == SQLITE_NULL
               ? -1
               : sqlite3_column_int(st, 1);
    sqlite3_reset(st);
    if (sets < 0) {
        return tc_rec__fail(db, -EINVAL,
                            "exercise_id: not an exercise of the session's "
                            "plan");
    }
    if (set_no < 1 || set_no > sets) {
        return tc_rec__fail(db, -EINVAL, "set: must be 1..%d", sets);
    }
    if (strcmp(status, "in_progress") != 0) {
        return tc_rec__fail(db, -EPERM,
                            "set: the session is %s, not in progress", status);
    }
    st = tc_rec__stmt(db, "INSERT INTO rehab_set_marks (session_id,"
                          " exercise_id, set_no, marked_by, at_us)"
                          " VALUES (?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, session_id);
    sqlite3_bind_int64(st, 2, exercise_id);
    sqlite3_bind_int(st, 3, set_no);
    sqlite3_bind_int64(st, 4, by);
    sqlite3_bind_int64(st, 5, at_us);
    rc = tc_rec__step_done(db, st, "set");
    if (rc == -EEXIST) {
        rc = tc_rec__fail(db, -EEXIST, "set: set %d is marked done already",
                          set_no);
    }
    return rc;
}

int
tc_rec_rehab_set_mark(struct tc_rec_db *db, int64_t session_id,
                      int64_t exercise_id, int set_no, int64_t by,
                      int64_t at_us)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(
        db, mark(db, session_id, exercise_id, set_no, by, at_us));
}

int
tc_rec_rehab_set_count(struct tc_rec_db *db, int64_t session_id, int *done,
                       int *prescribed)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT (SELECT count(*) FROM rehab_set_marks WHERE"
            " session_id = s.id), (SELECT coalesce(sum(sets), 0) FROM"
            " rehab_exercises WHERE plan_id = s.plan_id)"
            " FROM rehab_sessions s WHERE s.id = ?");
    int rc;

    tc_rec__ok(db);
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, session_id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? tc_rec__fail(db, -ENOENT, "session: no session %lld",
                                  (long long)session_id)
                   : tc_rec__fail_sql(db, rc, "session");
    }
    *done = sqlite3_column_int(st, 0);
    *prescribed = sqlite3_column_int(st, 1);
    sqlite3_reset(st);
    return 0;
}
