// SPDX-License-Identifier: Apache-2.0
/*
 * rehab-alert.c - alerts on an active rehab plan for its therapists and
 * its contract's family-doctor team:
 *
 *   missed_in_a_row  the latest resolved sessions (completed or missed,
 *                    by scheduled time, cancelled ones left out) end in
 *                    3 or more missed ones;
 *   pain_up          a pain report (a session's pain before, then after)
 *                    3 or more points above the report before it;
 *   no_session       no completed session for 14 days or more, counted
 *                    from the last completed session's start (else the
 *                    plan's first day, 00:00 UTC).
 *
 * Idempotence: each alert has a trigger that names what raised it (the
 * first session of a missed run, the session whose pain rose, the day a
 * quiet stretch began), and (plan, kind, trigger) is UNIQUE: evaluating
 * again, on a timer or after every write, raises nothing twice, and a
 * longer run or stretch stays one alert. Only the alerts an evaluation
 * inserted are returned, for pushing to whoever is online.
 *
 * Overdue sessions: a scheduled session of an active plan whose time has
 * passed by more than a grace period is marked missed through the
 * session lifecycle (tc_rec_rehab_session_miss), by the server's timer.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define DAY_US (86400LL * 1000000LL)

static const char *const kind_codes[] = {
    [TC_REC_REHAB_ALERT_MISSED_IN_A_ROW] = "missed_in_a_row",
    [TC_REC_REHAB_ALERT_PAIN_UP] = "pain_up",
    [TC_REC_REHAB_ALERT_NO_SESSION] = "no_session",
};
#define N_KIND (int)(sizeof(kind_codes) / sizeof(kind_codes[0]))

const char *
tc_rec_rehab_alert_kind_to_string(enum tc_rec_rehab_alert_kind k)
{
    return tc_rec__code_name(kind_codes, N_KIND, (int)k);
}

#define ALERT_COLUMNS                                                         \
    "SELECT id, plan_id, resident_id, kind, coalesce(session_id, 0), value,"  \
    " raised_at_us, coalesce(acknowledged_by, 0),"                            \
    " coalesce(acknowledged_at_us, 0) FROM rehab_alerts"

static int
alert_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_rehab_alert *a = item;

    a->id = sqlite3_column_int64(st, 0);
    a->plan_id = sqlite3_column_int64(st, 1);
    a->resident_id = sqlite3_column_int64(st, 2);
    a->kind = (enum tc_rec_rehab_alert_kind)tc_rec__code_find(
        kind_codes, N_KIND, (const char *)sqlite3_column_text(st, 3));
    a->session_id = sqlite3_column_int64(st, 4);
    a->value = sqlite3_column_int(st, 5);
    a->raised_at_us = sqlite3_column_int64(st, 6);
    a->acknowledged_by = sqlite3_column_int64(st, 7);
    a->acknowledged_at_us = sqlite3_column_int64(st, 8);
    return 0;
}

void
tc_rec_rehab_alert_list_free(struct tc_rec_rehab_alert_list *list)
{
    if (list) {
        free(list->items);
        free(list);
    }
}

static int
list_new(struct tc_rec_db *db, struct tc_rec_rehab_alert_list **out)
{
    *out = calloc(1, sizeof(**out));
    return *out ? 0 : tc_rec__fail(db, -ENOMEM, "out of memory");
}

/* What an evaluation is working on. */
struct eval {
    struct tc_rec_db *db;
    int64_t plan_id;
    int64_t resident_id;
    int64_t now_us;
    struct tc_rec_rehab_alert_list *raised; /* NULL: not wanted */
};

/* Insert one alert unless its trigger raised one before. */
static int
raise_alert(struct eval *ev, enum tc_rec_rehab_alert_kind kind,
            const char *trigger, int64_t session_id, int value)
{
    struct tc_rec_db *db = ev->db;
    sqlite3_stmt *st = tc_rec__stmt(
        db, "INSERT INTO rehab_alerts (plan_id, resident_id, kind,"
            " trigger_key, session_id, value, raised_at_us)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, ev->plan_id);
    sqlite3_bind_int64(st, 2, ev->resident_id);
    tc_rec__bind_text(st, 3, kind_codes[kind]);
    tc_rec__bind_text(st, 4, trigger);
    tc_rec__bind_id(st, 5, session_id);
    sqlite3_bind_int(st, 6, value);
    sqlite3_bind_int64(st, 7, ev->now_us);
    rc = tc_rec__step_done(db, st, "alert");
    if (rc < 0 || sqlite3_changes(db->conn) == 0 || !ev->raised) {
        return rc;
    }
    st = tc_rec__stmt(db, ALERT_COLUMNS " WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, sqlite3_last_insert_rowid(db->conn));
    return tc_rec__collect(db, st, sizeof(*ev->raised->items), alert_row,
                           (void **)&ev->raised->items, &ev->raised->count);
}

static int
eval_missed(struct eval *ev)
{
    sqlite3_stmt *st = tc_rec__stmt(
        ev->db, "SELECT id, status FROM rehab_sessions WHERE plan_id = ?"
                " AND status IN ('completed', 'missed')"
                " ORDER BY scheduled_at_us DESC, id DESC");
    int64_t first = 0;
    int run = 0, rc;
    char trigger[40];

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, ev->plan_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
           strcmp((const char *)sqlite3_column_text(st, 1), "missed") == 0) {
        first = sqlite3_column_int64(st, 0);
        run++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return tc_rec__fail_sql(ev->db, rc, "sessions");
    }
    if (run < TC_REC_REHAB_ALERT_MISSED_RUN) {
        return 0;
    }
    snprintf(trigger, sizeof(trigger), "run:%lld", (long long)first);
    return raise_alert(ev, TC_REC_REHAB_ALERT_MISSED_IN_A_ROW, trigger, first,
                       run);
}

static int
eval_pain(struct eval *ev)
{
    sqlite3_stmt *st = tc_rec__stmt(
        ev->db, "SELECT id, pain_before, pain_after FROM rehab_sessions"
                " WHERE plan_id = ? AND (pain_before IS NOT NULL OR"
                " pain_after IS NOT NULL) ORDER BY scheduled_at_us, id");
    struct {
        int64_t id;
        int delta;
    } rises[64];
    size_t n_rises = 0;
    int prev = -1, rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, ev->plan_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int delta = 0;
        for (int col = 1; col <= 2; col++) {
            if (sqlite3_column_type(st, col) == SQLITE_NULL) {
                continue;
            }
            int v = sqlite3_column_int(st, col);
            if (prev >= 0 && v - prev > delta) {
                delta = v - prev;
            }
            prev = v;
        }
        if (delta >= TC_REC_REHAB_ALERT_PAIN_DELTA &&
            n_rises < sizeof(rises) / sizeof(rises[0])) {
            rises[n_rises].id = sqlite3_column_int64(st, 0);
            rises[n_rises++].delta = delta;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        return tc_rec__fail_sql(ev->db, rc, "sessions");
    }
    rc = 0;
    for (size_t i = 0; i < n_rises && rc == 0; i++) {
        char trigger[40];
        snprintf(trigger, sizeof(trigger), "session:%lld",
                 (long long)rises[i].id);
        rc = raise_alert(ev, TC_REC_REHAB_ALERT_PAIN_UP, trigger, rises[i].id,
                         rises[i].delta);
    }
    return rc;
}

static int
eval_quiet(struct eval *ev, const char *period_start)
{
    sqlite3_stmt *st = tc_rec__stmt(
        ev->db, "SELECT max(coalesce(started_at_us, scheduled_at_us))"
                " FROM rehab_sessions WHERE plan_id = ? AND"
                " status = 'completed'");
    int64_t since, days;
    char trigger[40], day[11];
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, ev->plan_id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return tc_rec__fail_sql(ev->db, rc, "sessions");
    }
    since = sqlite3_column_type(st, 0) == SQLITE_NULL
                ? tc_rec__date_days(period_start) * DAY_US
                : sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    days = (ev->now_us - since) / DAY_US;
    if (days < TC_REC_REHAB_ALERT_QUIET_DAYS) {
        return 0;
    }
    tc_rec__date_of_us(since, day);
    snprintf(trigger, sizeof(trigger), "since:%s", day);
    return raise_alert(ev, TC_REC_REHAB_ALERT_NO_SESSION, trigger, 0,
                       (int)days);
}

static int
evaluate(struct eval *ev)
{
    sqlite3_stmt *st = tc_rec__stmt(ev->db, "SELECT status, resident_id,"
                                            " period_start FROM rehab_plans"
                                            " WHERE id = ?");
    char period_start[11];
    bool active;
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, ev->plan_id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? tc_rec__fail(ev->db, -ENOENT, "plan: no plan %lld",
                                  (long long)ev->plan_id)
                   : tc_rec__fail_sql(ev->db, rc, "plan");
    }
    active = strcmp((const char *)sqlite3_column_text(st, 0), "active") == 0;
    ev->resident_id = sqlite3_column_int64(st, 1);
    snprintf(period_start, sizeof(period_start), "%s",
             sqlite3_column_text(st, 2));
    sqlite3_reset(st);
    if (!active) {
        return 0;
    }
    rc = eval_missed(ev);
    if (rc == 0) {
        rc = eval_pain(ev);
    }
    if (rc == 0) {
        rc = eval_quiet(ev, period_start);
    }
    return rc;
}

int
tc_rec_rehab_alerts_evaluate(struct tc_rec_db *db, int64_t plan_id,
                             int64_t now_us,
                             struct tc_rec_rehab_alert_list **raised)
{
    struct eval ev = {.db = db, .plan_id = plan_id, .now_us = now_us};
    int rc;

    tc_rec__ok(db);
    if (raised && list_new(db, &ev.raised) < 0) {
        return -ENOMEM;
    }
    rc = tc_rec__tx_begin(db);
    if (rc == 0) {
        rc = tc_rec__tx_end(db, evaluate(&ev));
    }
    if (rc < 0) {
        tc_rec_rehab_alert_list_free(ev.raised);
        return rc;
    }
    if (raised) {
        *raised = ev.raised;
    }
    return 0;
}

static int
miss_overdue(struct tc_rec_db *db, int64_t now_us, int64_t grace_us,
             int64_t **plan_ids, size_t *n_plans)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT s.id, s.plan_id FROM rehab_sessions s JOIN rehab_plans p"
            " ON p.id = s.plan_id WHERE s.status = 'scheduled' AND"
            " s.scheduled_at_us < ? AND p.status = 'active'"
            " ORDER BY s.plan_id, s.scheduled_at_us");
    int64_t(*found)[2] = NULL;
    size_t n = 0;
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, now_us - grace_us);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t(*grown)[2] = realloc(found, (n + 1) * sizeof(*found));
        if (!grown) {
            free(found);
            sqlite3_reset(st);
            return tc_rec__fail(db, -ENOMEM, "out of memory");
        }
        found = grown;
        found[n][0] = sqlite3_column_int64(st, 0);
        found[n++][1] = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(found);
        return tc_rec__fail_sql(db, rc, "sessions");
    }
    *n_plans = 0;
    *plan_ids = n ? malloc(n * sizeof(**plan_ids)) : NULL;
    if (n && !*plan_ids) {
        free(found);
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = tc_rec_rehab_session_miss(db, found[i][0], now_us);
        if (rc == 0 &&
            (*n_plans == 0 || (*plan_ids)[*n_plans - 1] != found[i][1])) {
            (*plan_ids)[(*n_plans)++] = found[i][1];
        }
    }
    free(found);
    if (rc < 0) {
        free(*plan_ids);
        *plan_ids = NULL;
    }
    return rc;
}

int
tc_rec_rehab_sessions_miss_overdue(struct tc_rec_db *db, int64_t now_us,
                                   int64_t grace_us, int64_t **plan_ids,
                                   size_t *n_plans)
{
    int64_t *ids = NULL;
    size_t n = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, miss_overdue(db, now_us, grace_us, &ids, &n));
    if (rc < 0) {
        free(ids);
        return rc;
    }
    *plan_ids = ids;
    *n_plans = n;
    return 0;
}

int
tc_rec_rehab_plans_quiet(struct tc_rec_db *db, int64_t now_us,
                         int64_t **ids_out, size_t *n_out)
{
    /* The same "since" and trigger as eval_quiet(): the last completed
     * session's start (else its scheduled time), else the plan's first
     * day; a stretch whose alert is raised already is left out, so a
     * steady sweep evaluates nothing. */
    sqlite3_stmt *st = tc_rec__stmt(
        db, "WITH q AS (SELECT p.id, coalesce((SELECT"
            " max(coalesce(s.started_at_us, s.scheduled_at_us)) FROM"
            " rehab_sessions s WHERE s.plan_id = p.id AND"
            " s.status = 'completed'), unixepoch(p.period_start) * 1000000)"
            " AS since FROM rehab_plans p WHERE p.status = 'active')"
            " SELECT q.id FROM q WHERE q.since <= ? AND NOT EXISTS (SELECT 1"
            " FROM rehab_alerts a WHERE a.plan_id = q.id AND"
            " a.kind = 'no_session' AND a.trigger_key = 'since:' ||"
            " date(q.since / 1000000, 'unixepoch')) ORDER BY q.id");

    tc_rec__ok(db);
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, now_us - TC_REC_REHAB_ALERT_QUIET_DAYS * DAY_US);
    return tc_rec__ids_collect(db, st, ids_out, n_out);
}

int
tc_rec_rehab_plans_active(struct tc_rec_db *db, int64_t **ids_out,
                          size_t *n_out)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT id FROM rehab_plans WHERE status = 'active' ORDER BY id");

    tc_rec__ok(db);
    if (!st) {
        return -EIO;
    }
    return tc_rec__ids_collect(db, st, ids_out, n_out);
}

static int
list_query(struct tc_rec_db *db, sqlite3_stmt *st,
           struct tc_rec_rehab_alert_list **out)
{
    struct tc_rec_rehab_alert_list *list;
    int rc = list_new(db, &list);

    if (rc < 0) {
        sqlite3_reset(st);
        return rc;
    }
    rc = tc_rec__collect(db, st, sizeof(*list->items), alert_row,
                         (void **)&list->items, &list->count);
    if (rc < 0) {
        tc_rec_rehab_alert_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

int
tc_rec_rehab_alert_list_plan(struct tc_rec_db *db, int64_t plan_id,
                             struct tc_rec_rehab_alert_list **out)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, ALERT_COLUMNS " WHERE plan_id = ? ORDER BY raised_at_us DESC,"
                          " id DESC");

    tc_rec__ok(db);
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, plan_id);
    return list_query(db, st, out);
}

/* The plans whose alerts a practitioner receives. */
#define RECIPIENT_PLANS                                                       \
    "SELECT plan_id FROM rehab_plan_therapists WHERE practitioner_id = ?1"    \
    " UNION SELECT p.id FROM team_members m JOIN contracts c ON"              \
    " c.team_id = m.team_id JOIN rehab_plans p ON p.contract_id = c.id"       \
    " WHERE m.practitioner_id = ?1"

int
tc_rec_rehab_alert_list_for(struct tc_rec_db *db, int64_t practitioner_id,
                            bool open_only,
                            struct tc_rec_rehab_alert_list **out)
{
    sqlite3_stmt *st = tc_rec__stmt(db, ALERT_COLUMNS
                                    " WHERE plan_id IN (" RECIPIENT_PLANS ")"
                                    " AND (?2 = 0 OR acknowledged_by IS NULL)"
                                    " ORDER BY raised_at_us DESC, id DESC");

    tc_rec__ok(db);
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, practitioner_id);
    sqlite3_bind_int(st, 2, open_only);
    return list_query(db, st, out);
}

int
tc_rec_rehab_alert_get(struct tc_rec_db *db, int64_t id,
                       struct tc_rec_rehab_alert *out)
{
    sqlite3_stmt *st = tc_rec__stmt(db, ALERT_COLUMNS " WHERE id = ?");
    struct tc_rec_rehab_alert a;
    int rc;

    tc_rec__ok(db);
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? tc_rec__fail(db, -ENOENT, "alert: no alert %lld",
                                  (long long)id)
                   : tc_rec__fail_sql(db, rc, "alert");
    }
    alert_row(st, &a);
    sqlite3_reset(st);
    *out = a;
    return 0;
}

static int
acknowledge(struct tc_rec_db *db, int64_t id, int64_t by, int64_t at_us)
{
    struct tc_rec_rehab_alert a;
    sqlite3_stmt *st;
    int rc = tc_rec_rehab_alert_get(db, id, &a);

    if (rc < 0) {
        return rc;
    }
    if (a.acknowledged_by) {
        return tc_rec__fail(db, -EEXIST, "alert: acknowledged already");
    }
    st = tc_rec__stmt(db, "UPDATE rehab_alerts SET acknowledged_by = ?,"
                          " acknowledged_at_us = ? WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, by);
    sqlite3_bind_int64(st, 2, at_us);
    sqlite3_bind_int64(st, 3, id);
    return tc_rec__step_done(db, st, "alert");
}

int
tc_rec_rehab_alert_acknowledge(struct tc_rec_db *db, int64_t id, int64_t by,
                               int64_t at_us)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, acknowledge(db, id, by, at_us));
}

int
tc_rec_rehab_alert_is_recipient(struct tc_rec_db *db, int64_t plan_id,
                                int64_t practitioner_id, bool *out)
{
    tc_rec__ok(db);
    return tc_rec__exists2(db,
                           "SELECT 1 FROM (" RECIPIENT_PLANS ")"
                           " WHERE plan_id = ?2",
                           practitioner_id, plan_id, "alert recipients", out);
}

int
tc_rec_rehab_alert_recipients(struct tc_rec_db *db, int64_t plan_id,
                              int64_t **user_ids, size_t *n_out)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT u.id FROM users u WHERE u.disabled = 0 AND"
            " u.practitioner_id IN (SELECT practitioner_id FROM"
            " rehab_plan_therapists WHERE plan_id = ?1 UNION"
            " SELECT m.practitioner_id FROM rehab_plans p JOIN contracts c"
            " ON c.id = p.contract_id JOIN team_members m ON"
            " m.team_id = c.team_id WHERE p.id = ?1) ORDER BY u.id");

    tc_rec__ok(db);
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, plan_id);
    return tc_rec__ids_collect(db, st, user_ids, n_out);
}
