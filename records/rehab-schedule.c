// SPDX-License-Identifier: Apache-2.0
/*
 * rehab-schedule.c - a plan's weekly schedule (days and times) and the
 * sessions generated from it.
 *
 * A slot is a weekday and a local time with its UTC offset (a county
 * keeps one offset; slots carry it so an instant is never guessed). The
 * generator walks the local days of a range, clipped to the plan's
 * period, and schedules one session per slot occurrence through
 * tc_rec_rehab_session_schedule(), so every rule of a session (inside
 * the period, a therapist of the plan) holds. An occurrence that already
 * has a session that is not cancelled is skipped: generating twice
 * schedules nothing new.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define MAX_SLOTS 64
#define DAY_US    (86400LL * 1000000LL)
#define MIN_US    (60LL * 1000000LL)

static const char *const mode_codes[] = {
    [TC_REC_REHAB_LIVE_GUIDED] = "live_guided",
    [TC_REC_REHAB_SELF_GUIDED] = "self_guided",
    [TC_REC_REHAB_HOME_VISIT] = "home_visit",
};
#define N_MODE (int)(sizeof(mode_codes) / sizeof(mode_codes[0]))

static int
plan_open(struct tc_rec_db *db, int64_t plan_id, char *start, char *end)
{
    sqlite3_stmt *st = tc_rec__stmt(db, "SELECT status, period_start,"
                                        " period_end FROM rehab_plans"
                                        " WHERE id = ?");
    int rc;
    bool open;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, plan_id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? tc_rec__fail(db, -ENOENT, "plan: no plan %lld",
                                  (long long)plan_id)
                   : tc_rec__fail_sql(db, rc, "plan");
    }
    open = strcmp((const char *)sqlite3_column_text(st, 0), "draft") == 0 ||
           strcmp((const char *)sqlite3_column_text(st, 0), "active") == 0;
    if (start) {
        memcpy(start, sqlite3_column_text(st, 1), 10);
        start[10] = '\0';
        memcpy(end, sqlite3_column_text(st, 2), 10);
        end[10] = '\0';
    }
    sqlite3_reset(st);
    if (!open) {
        return tc_rec__fail(db, -EPERM,
                            "schedule: plan %lld is not draft or active",
                            (long long)plan_id);
    }
    return 0;
}

static int
check_slot(struct tc_rec_db *db, int64_t plan_id,
           const struct tc_rec_rehab_slot *s, size_t i)
{
    bool on_plan = false;
    int rc;

    if (s->weekday < 1 || s->weekday > 7) {
        return tc_rec__fail(db, -EINVAL, "slots[%zu].weekday: must be 1..7",
                            i);
    }
    if (s->minute_of_day < 0 || s->minute_of_day > 1439) {
        return tc_rec__fail(db, -EINVAL,
                            "slots[%zu].time: must be a time"
                            " of day",
                            i);
    }
    if (s->utc_offset_min < -720 || s->utc_offset_min > 840) {
        return tc_rec__fail(
            db, -EINVAL, "slots[%zu].utc_offset: must be -12:00..+14:00", i);
    }
    if (!tc_rec__code_name(mode_codes, N_MODE, (int)s->mode)) {
        return tc_rec__fail(db, -EINVAL, "slots[%zu].mode: unknown", i);
    }
    if (s->therapist_id == 0 && s->mode == TC_REC_REHAB_SELF_GUIDED) {
        return 0;
    }
    rc = tc_rec__exists2(db,
                         "SELECT 1 FROM rehab_plan_therapists WHERE"
                         " plan_id = ?1 AND practitioner_id = ?2",
                         plan_id, s->therapist_id, "therapist", &on_plan);
    if (rc == 0 && !on_plan) {
        rc = tc_rec__fail(db, -EINVAL,
                          "slots[%zu].therapist_id: must be a therapist on "
                          "the plan",
                          i);
    }
    return rc;
}

static int
replace_slots(struct tc_rec_db *db, int64_t plan_id,
              const struct tc_rec_rehab_slot *slots, size_t n)
{
    sqlite3_stmt *st;
    int rc = plan_open(db, plan_id, NULL, NULL);

    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = check_slot(db, plan_id, &slots[i], i);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "DELETE FROM rehab_plan_slots WHERE plan_id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, plan_id);
    rc = tc_rec__step_done(db, st, "schedule");
    st = tc_rec__stmt(db, "INSERT INTO rehab_plan_slots (plan_id, weekday,"
                          " minute_of_day, utc_offset_min, mode,"
                          " therapist_id) VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        sqlite3_bind_int64(st, 1, plan_id);
        sqlite3_bind_int(st, 2, slots[i].weekday);
        sqlite3_bind_int(st, 3, slots[i].minute_of_day);
        sqlite3_bind_int(st, 4, slots[i].utc_offset_min);
        tc_rec__bind_text(st, 5, mode_codes[slots[i].mode]);
        tc_rec__bind_id(st, 6, slots[i].therapist_id);
        rc = tc_rec__step_done(db, st, "schedule");
        if (rc == -EINVAL || rc == -EEXIST) {
            rc = tc_rec__fail(
                db, -EINVAL, "slots[%zu]: the same weekday and time twice", i);
        }
    }
    return rc;
}

int
tc_rec_rehab_plan_slots_set(struct tc_rec_db *db, int64_t plan_id,
                            const struct tc_rec_rehab_slot *slots, size_t n)
{
    int rc;

    tc_rec__ok(db);
    if (n > MAX_SLOTS) {
        return tc_rec__fail(db, -EINVAL, "slots: at most %d", MAX_SLOTS);
    }
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, replace_slots(db, plan_id, slots, n));
}

int
tc_rec_rehab_plan_slots_get(struct tc_rec_db *db, int64_t plan_id,
                            struct tc_rec_rehab_slot **out, size_t *n_out)
{
    struct tc_rec_rehab_slot *slots = NULL;
    size_t n = 0;
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT weekday, minute_of_day, utc_offset_min,"
                          " mode, therapist_id FROM rehab_plan_slots"
                          " WHERE plan_id = ? ORDER BY weekday,"
                          " minute_of_day");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, plan_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct tc_rec_rehab_slot *grown =
            realloc(slots, (n + 1) * sizeof(*slots));
        if (!grown) {
            free(slots);
            sqlite3_reset(st);
            return tc_rec__fail(db, -ENOMEM, "out of memory");
        }
        slots = grown;
        slots[n].weekday = sqlite3_column_int(st, 0);
        slots[n].minute_of_day = sqlite3_column_int(st, 1);
        slots[n].utc_offset_min = sqlite3_column_int(st, 2);
        slots[n].mode = (enum tc_rec_rehab_session_mode)tc_rec__code_find(
            mode_codes, N_MODE, (const char *)sqlite3_column_text(st, 3));
        slots[n].therapist_id = sqlite3_column_int64(st, 4);
        n++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(slots);
        return tc_rec__fail_sql(db, rc, "schedule");
    }
    *out = slots;
    *n_out = n;
    return 0;
}

/* ISO weekday (1 Monday .. 7 Sunday) of a day number (1970-01-01 was a
 * Thursday). */
static int
iso_weekday(int64_t days)
{
    int64_t r = (days + 3) % 7;

    return (int)(r < 0 ? r + 7 : r) + 1;
}

static int
schedule_one(struct tc_rec_db *db, int64_t plan_id,
             const struct tc_rec_rehab_slot *s, int64_t at_us, int *created)
{
    struct tc_rec_rehab_session_new in = {
        .plan_id = plan_id,
        .mode = s->mode,
        .scheduled_at_us = at_us,
        .therapist_id = s->therapist_id,
    };
    bool exists = false;
    int64_t id;
    int rc = tc_rec__exists2(db,
                             "SELECT 1 FROM rehab_sessions WHERE plan_id = ?1"
                             " AND scheduled_at_us = ?2 AND status !="
                             " 'cancelled'",
                             plan_id, at_us, "session", &exists);

    if (rc < 0 || exists) {
        return rc;
    }
    rc = tc_rec_rehab_session_schedule(db, &in, &id);
    if (rc == 0) {
        (*created)++;
    }
    return rc;
}

static int
generate(struct tc_rec_db *db, int64_t plan_id, const char *from,
         const char *to, int *created)
{
    struct tc_rec_rehab_slot *slots = NULL;
    char start[11], end[11], utc_day[11];
    size_t n = 0;
    int64_t first, last;
    int rc = plan_open(db, plan_id, start, end);

    if (rc == 0) {
        rc = tc_rec_rehab_plan_slots_get(db, plan_id, &slots, &n);
    }
    if (rc < 0) {
        return rc;
    }
    first = tc_rec__date_days(strcmp(from, start) > 0 ? from : start);
    last = tc_rec__date_days(strcmp(to, end) < 0 ? to : end);
    for (int64_t d = first; d <= last && rc == 0; d++) {
        for (size_t i = 0; i < n && rc == 0; i++) {
            int64_t at_us;
            if (slots[i].weekday != iso_weekday(d)) {
                continue;
            }
            at_us = d * DAY_US + slots[i].minute_of_day * MIN_US -
                    slots[i].utc_offset_min * MIN_US;
            /* Sessions fall inside the period by their UTC date: a slot
             * early on the first local day may fall the day before. */
            tc_rec__date_of_us(at_us, utc_day);
            if (strcmp(utc_day, start) < 0 || strcmp(utc_day, end) > 0) {
                continue;
            }
            rc = schedule_one(db, plan_id, &slots[i], at_us, created);
        }
    }
    free(slots);
    return rc;
}

int
tc_rec_rehab_plan_sessions_generate(struct tc_rec_db *db, int64_t plan_id,
                                    const char *from, const char *to,
                                    int *n_created)
{
    int created = 0;
    int rc;

    tc_rec__ok(db);
    if (!from || !tc_rec__date_valid(from)) {
        return tc_rec__fail(db, -EINVAL, "from: must be YYYY-MM-DD");
    }
    if (!to || !tc_rec__date_valid(to) || strcmp(to, from) < 0) {
        return tc_rec__fail(db, -EINVAL,
                            "to: must be YYYY-MM-DD, not before from");
    }
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, generate(db, plan_id, from, to, &created));
    if (rc == 0) {
        *n_created = created;
    }
    return rc;
}
