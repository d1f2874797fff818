// SPDX-License-Identifier: Apache-2.0
/*
 * stats.c - what the family-doctor office reports, per team and per
 * township, over a range of days (the figures are defined in
 * tc-records.h).
 *
 * Each figure is one aggregate query, written once as a body and bound to
 * one of three scopes: one team, the teams of one township, every
 * township. Every query returns one row per team with the township of
 * the team's clinic; the rows are added up per township here, so the
 * per-township call and the all-townships call are the same queries with
 * a wider WHERE. All of one call's queries run in one read transaction:
 * the figures come from one snapshot.
 *
 * Why it is fast (docs/performance.md: every township of a county of
 * 1,000,000 residents in one call):
 * - the queries drive from the teams (a few hundred rows) and reach each
 *   team's rows by an index range, never a scan of contracts or
 *   follow-ups; rows arrive grouped by team, so nothing is sorted;
 * - headcounts are index-only counts: residents_township_id, and
 *   contracts_team_status for the active contracts of each team;
 * - renewals read one range of contracts_team_end (team_id, period_end,
 *   period_start, status) per team;
 * - follow-ups are counted from followup_tallies (per team, due date and
 *   status; triggers on followups keep it), one range per team: reading
 *   the follow-ups themselves, one index probe per contract, took 2.4 s
 *   for a quarter on the benchmark's county;
 * - rehab adherence reads rehab_plan_rates (the plans that count, with
 *   their team and rate) and rehab_session_tallies (completed sessions
 *   per team and day), both kept by triggers, one range of each per
 *   team: visiting every plan, its contract, its exercises and its
 *   sessions took about 450 ms for a quarter.
 * Nothing here writes.
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define TOWNSHIP_MAX_LEN 100

enum scope { SCOPE_TEAM, SCOPE_TOWNSHIP, SCOPE_ALL };

/*
 * The scope conditions. ?1 is the team id or the township name; the
 * bodies below use ?2 from and ?3 to (dates).
 *
 * The queries drive from the teams (CROSS JOIN fixes the order: SQLite
 * would otherwise scan a whole index of contracts or follow-ups and look
 * each team up) and group by team, so rows arrive already grouped and
 * nothing is sorted; the caller adds the teams of a township up.
 */
#define TEAMS                                                                 \
    " FROM teams t"                                                           \
    " CROSS JOIN organizations o ON o.id = t.organization_id"
#define IN_TEAM     " AND t.id = ?1"
#define IN_TOWNSHIP " AND o.township = ?1"
#define IN_ALL      " AND o.township IS NOT NULL"
#define BY_TEAM     " GROUP BY t.id"

/* Active contracts: one range of contracts_team_status per team. */
#define SQL_CONTRACTED(where)                                                 \
    "SELECT o.township, count(*)" TEAMS                                       \
    " CROSS JOIN contracts c ON c.team_id = t.id AND c.status = 'active'"     \
    " WHERE 1" where BY_TEAM

/* Follow-ups due in the range, and done: one range of followup_tallies
 * (counts per team, due date and status) per team. */
#define SQL_FOLLOWUPS(where)                                                  \
    "SELECT o.township, sum(ft.n) FILTER (WHERE ft.status <> 'cancelled'),"   \
    " sum(ft.n) FILTER (WHERE ft.status = 'done')" TEAMS                      \
    " CROSS JOIN followup_tallies ft ON ft.team_id = t.id"                    \
    " AND ft.due_date BETWEEN ?2 AND ?3 WHERE 1" where BY_TEAM

/* Signed contracts whose period ends in the range, and renewed. */
#define SQL_RENEWALS(where)                                                   \
    "SELECT o.township, count(*),"                                            \
    " count(*) FILTER (WHERE c.status = 'renewed')" TEAMS                     \
    " CROSS JOIN contracts c ON c.team_id = t.id"                             \
    " AND c.period_end BETWEEN ?2 AND ?3"                                     \
    " WHERE c.status IN ('active', 'renewed', 'expired')" where BY_TEAM

/*
 * Rehab adherence, as tc_rec_rehab_plan_adherence() computes it per plan,
 * summed over the plans that count (rehab_plan_rates: active, suspended
 * or completed) whose period meets the range: prescribed = sessions per
 * week (the most of the plan's exercises) times the days of the range
 * inside the plan's period / 7, rounded, per plan; completed = sessions
 * completed, by scheduled day, from rehab_session_tallies (a session's
 * day lies in its plan's period, so every plan with one in the range is
 * a plan whose period meets it). One range of rehab_plan_rates_team and
 * one of rehab_session_tallies per team.
 */
#define SQL_REHAB(where)                                                      \
    "SELECT o.township, sum((r.sessions_per_week"                             \
    " * (CAST(julianday(min(r.period_end, ?3))"                               \
    " - julianday(max(r.period_start, ?2)) AS INTEGER) + 1) * 2 + 7) / 14),"  \
    " (SELECT sum(st.n) FROM rehab_session_tallies st"                        \
    " WHERE st.team_id = t.id AND st.day BETWEEN ?2 AND ?3)" TEAMS            \
    " CROSS JOIN rehab_plan_rates r ON r.team_id = t.id"                      \
    " AND r.period_end >= ?2 WHERE r.period_start <= ?3" where BY_TEAM

/* Residents per township (the team's: its clinic's). */
#define SQL_REGISTERED_TEAM                                                   \
    "SELECT o.township, (SELECT count(*) FROM residents r"                    \
    " WHERE r.township = o.township)" TEAMS " WHERE 1" IN_TEAM
#define SQL_REGISTERED_TOWNSHIP                                               \
    "SELECT ?1, count(*) FROM residents WHERE township = ?1"
#define SQL_REGISTERED_ALL                                                    \
    "SELECT township, count(*) FROM residents GROUP BY township"

enum figure {
    FIG_REGISTERED,
    FIG_CONTRACTED,
    FIG_FOLLOWUPS,
    FIG_RENEWALS,
    FIG_REHAB,
    N_FIGURES
};

static const char *const queries[N_FIGURES][3] = {
    [FIG_REGISTERED] = {SQL_REGISTERED_TEAM, SQL_REGISTERED_TOWNSHIP,
                        SQL_REGISTERED_ALL},
    [FIG_CONTRACTED] = {SQL_CONTRACTED(IN_TEAM), SQL_CONTRACTED(IN_TOWNSHIP),
                        SQL_CONTRACTED(IN_ALL)},
    [FIG_FOLLOWUPS] = {SQL_FOLLOWUPS(IN_TEAM), SQL_FOLLOWUPS(IN_TOWNSHIP),
                       SQL_FOLLOWUPS(IN_ALL)},
    [FIG_RENEWALS] = {SQL_RENEWALS(IN_TEAM), SQL_RENEWALS(IN_TOWNSHIP),
                      SQL_RENEWALS(IN_ALL)},
    [FIG_REHAB] = {SQL_REHAB(IN_TEAM), SQL_REHAB(IN_TOWNSHIP),
                   SQL_REHAB(IN_ALL)},
};

/* The range of a call, checked. */
struct range {
    const char *from, *to;
};

static int
range_check(struct tc_rec_db *db, const char *from, const char *to,
            struct range *r)
{
    if (!tc_rec__date_valid(from)) {
        return tc_rec__fail(db, -EINVAL, "from: not a YYYY-MM-DD date");
    }
    if (!tc_rec__date_valid(to) || strcmp(to, from) < 0) {
        return tc_rec__fail(db, -EINVAL,
                            "to: must be a YYYY-MM-DD date on or after from");
    }
    r->from = from;
    r->to = to;
    return 0;
}

/* Where one township's figures are collected while rows arrive. */
struct acc {
    struct tc_rec_township_stats *items;
    size_t count, cap;
};

static struct tc_rec_stats *
acc_get(struct acc *a, const char *township)
{
    struct tc_rec_township_stats *grown;

    for (size_t i = 0; i < a->count; i++) {
        if (strcmp(a->items[i].township, township) == 0) {
            return &a->items[i].stats;
        }
    }
    if (a->count == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 32;
        grown = realloc(a->items, a->cap * sizeof(*grown));
        if (!grown) {
            return NULL;
        }
        a->items = grown;
    }
    memset(&a->items[a->count], 0, sizeof(a->items[a->count]));
    a->items[a->count].township = strdup(township);
    if (!a->items[a->count].township) {
        return NULL;
    }
    return &a->items[a->count++].stats;
}

static void
acc_add(struct tc_rec_stats *s, enum figure fig, sqlite3_stmt *st)
{
    int64_t a = sqlite3_column_int64(st, 1);
    int64_t b = sqlite3_column_count(st) > 2 ? sqlite3_column_int64(st, 2) : 0;

    switch (fig) {
    case FIG_REGISTERED:
        s->registered += a;
        break;
    case FIG_CONTRACTED:
        s->contracted += a;
        break;
    case FIG_FOLLOWUPS:
        s->followups_due += a;
        s->followups_done += b;
        break;
    case FIG_RENEWALS:
        s->contracts_ended += a;
        s->contracts_renewed += b;
        break;
    case FIG_REHAB:
        s->rehab_prescribed += a;
        s->rehab_completed += b;
        break;
    case N_FIGURES:
        break;
    }
}

/* Run one figure's query in `scope` for `key` (team id or township) and
 * add its rows to the township accumulator. */
static int
run_figure(struct tc_rec_db *db, enum figure fig, enum scope scope,
           int64_t team_id, const char *township, const struct range *r,
           struct acc *a)
{
    sqlite3_stmt *st = tc_rec__stmt(db, queries[fig][scope]);
    int rc;

    if (!st) {
        return -EIO;
    }
    if (scope == SCOPE_TEAM) {
        sqlite3_bind_int64(st, 1, team_id);
    } else if (scope == SCOPE_TOWNSHIP) {
        tc_rec__bind_text(st, 1, township);
    }
    if (fig != FIG_REGISTERED) {
        tc_rec__bind_text(st, 2, r->from);
        tc_rec__bind_text(st, 3, r->to);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        /* A team's figures do not depend on its clinic naming a
         * township: they all go to one entry. */
        const char *name = scope == SCOPE_TEAM
                               ? ""
                               : (const char *)sqlite3_column_text(st, 0);
        struct tc_rec_stats *s;
        if (!name) {
            continue; /* a team of a clinic that names no township */
        }
        s = acc_get(a, name);
        if (!s) {
            sqlite3_reset(st);
            return tc_rec__fail(db, -ENOMEM, "out of memory");
        }
        acc_add(s, fig, st);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : tc_rec__fail_sql(db, rc, "statistics");
}

static double
ratio(int64_t num, int64_t den)
{
    return den > 0 ? (double)num / (double)den : 0.0;
}

static void
rates(struct tc_rec_stats *s)
{
    s->signing_rate = ratio(s->contracted, s->registered);
    s->renewal_rate = ratio(s->contracts_renewed, s->contracts_ended);
    s->rehab_adherence = ratio(s->rehab_completed, s->rehab_prescribed);
}

static void
acc_fini(struct acc *a)
{
    for (size_t i = 0; i < a->count; i++) {
        free(a->items[i].township);
    }
    free(a->items);
}

/* Every figure in one scope, in one read transaction (one snapshot). */
static int
collect(struct tc_rec_db *db, enum scope scope, int64_t team_id,
        const char *township, const struct range *r, struct acc *a)
{
    int rc = tc_rec__tx_begin(db);

    for (int fig = 0; rc == 0 && fig < N_FIGURES; fig++) {
        rc = run_figure(db, (enum figure)fig, scope, team_id, township, r, a);
    }
    if (rc < 0) {
        tc_rec__tx_rollback(db);
        return rc;
    }
    return tc_rec__tx_commit(db);
}

/* The one township of a single-scope call (zeros when no row came). */
static void
single_result(const struct acc *a, struct tc_rec_stats *out)
{
    struct tc_rec_stats s = {0};

    if (a->count > 0) {
        s = a->items[0].stats;
    }
    rates(&s);
    *out = s;
}

int
tc_rec_stats_team(struct tc_rec_db *db, int64_t team_id, const char *from,
                  const char *to, struct tc_rec_stats *out)
{
    struct acc a = {0};
    struct range r = {0};
    bool found = false;
    int rc;

    tc_rec__ok(db);
    rc = range_check(db, from, to, &r);
    if (rc == 0) {
        rc = tc_rec__exists(db, "SELECT 1 FROM teams WHERE id = ?", team_id,
                            &found);
    }
    if (rc == 0 && !found) {
        rc = tc_rec__fail(db, -ENOENT, "team_id: no team %lld",
                          (long long)team_id);
    }
    if (rc == 0) {
        rc = collect(db, SCOPE_TEAM, team_id, NULL, &r, &a);
    }
    if (rc == 0) {
        single_result(&a, out);
    }
    acc_fini(&a);
    return rc;
}

int
tc_rec_stats_township(struct tc_rec_db *db, const char *township,
                      const char *from, const char *to,
                      struct tc_rec_stats *out)
{
    struct acc a = {0};
    struct range r = {0};
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__text_check(db, "township", township, TOWNSHIP_MAX_LEN, true);
    if (rc == 0) {
        rc = range_check(db, from, to, &r);
    }
    if (rc == 0) {
        rc = collect(db, SCOPE_TOWNSHIP, 0, township, &r, &a);
    }
    if (rc == 0) {
        single_result(&a, out);
    }
    acc_fini(&a);
    return rc;
}

void
tc_rec_township_stats_list_free(struct tc_rec_township_stats_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].township);
    }
    free(list->items);
    free(list);
}

static int
by_township(const void *x, const void *y)
{
    const struct tc_rec_township_stats *a = x, *b = y;

    return strcmp(a->township, b->township);
}

int
tc_rec_stats_townships(struct tc_rec_db *db, const char *from, const char *to,
                       struct tc_rec_township_stats_list **out)
{
    struct tc_rec_township_stats_list *list;
    struct acc a = {0};
    struct range r = {0};
    int rc;

    tc_rec__ok(db);
    rc = range_check(db, from, to, &r);
    if (rc < 0) {
        return rc;
    }
    list = calloc(1, sizeof(*list));
    if (!list) {
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    rc = collect(db, SCOPE_ALL, 0, NULL, &r, &a);
    if (rc < 0) {
        acc_fini(&a);
        free(list);
        return rc;
    }
    for (size_t i = 0; i < a.count; i++) {
        rates(&a.items[i].stats);
    }
    if (a.count > 0) {
        qsort(a.items, a.count, sizeof(*a.items), by_township);
    }
    list->items = a.items;
    list->count = a.count;
    *out = list;
    return 0;
}
