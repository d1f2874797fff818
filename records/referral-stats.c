// SPDX-License-Identifier: Apache-2.0
/*
 * referral-stats.c - referral figures per township (of the township
 * clinic at the lower end) and per county department, over the
 * referrals requested in a range of days: up, down, accepted, declined,
 * and the seconds from request to acceptance.
 *
 * One grouped statement per breakdown over the referrals' (clinic,
 * requested) and (department, requested) indexes; a county makes
 * thousands of referrals a year, so each is a short range scan.
 *
 * Thread: the handle's thread. Nothing here writes.
 */
#include <errno.h>
#include <stdlib.h>

#include "records-int.h"

/* ?1, ?2: the range [from 00:00, to + 1 day 00:00) in microseconds. */
#define TALLY_COLUMNS                                                         \
    " sum(r.direction = 'up'), sum(r.direction = 'down'),"                    \
    " sum(r.status IN ('accepted', 'completed')"                              \
    "  AND r.answered_at_us IS NOT NULL),"                                    \
    " sum(r.status = 'declined'),"                                            \
    " coalesce(avg(CASE WHEN r.status IN ('accepted', 'completed')"           \
    "  AND r.answered_at_us IS NOT NULL THEN"                                 \
    "  (r.answered_at_us - r.requested_at_us) / 1e6 END), 0),"                \
    " coalesce(max(CASE WHEN r.status IN ('accepted', 'completed')"           \
    "  AND r.answered_at_us IS NOT NULL THEN"                                 \
    "  (r.answered_at_us - r.requested_at_us) / 1e6 END), 0)"

static const char sql_townships[] =
    "SELECT o.township," TALLY_COLUMNS
    " FROM referrals r JOIN organizations o ON o.id = r.clinic_id"
    " WHERE r.requested_at_us >= ?1 AND r.requested_at_us < ?2"
    " AND o.township IS NOT NULL"
    " GROUP BY o.township ORDER BY o.township";

static const char sql_departments[] =
    "SELECT r.department_id, d.code, d.organization_id," TALLY_COLUMNS
    " FROM referrals r JOIN departments d ON d.id = r.department_id"
    " WHERE r.requested_at_us >= ?1 AND r.requested_at_us < ?2"
    " GROUP BY r.department_id ORDER BY r.department_id";

static void
tally_counts(sqlite3_stmt *st, int col, struct tc_rec_referral_tally *t)
{
    t->up = sqlite3_column_int64(st, col);
    t->down = sqlite3_column_int64(st, col + 1);
    t->accepted = sqlite3_column_int64(st, col + 2);
    t->declined = sqlite3_column_int64(st, col + 3);
    t->accept_s_avg = sqlite3_column_double(st, col + 4);
    t->accept_s_max = sqlite3_column_double(st, col + 5);
}

static int
township_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_referral_tally *t = item;
    bool oom = false;

    t->township = tc_rec__col_text(st, 0, &oom);
    tally_counts(st, 1, t);
    return oom ? -ENOMEM : 0;
}

static int
department_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_referral_tally *t = item;
    bool oom = false;

    t->department_id = sqlite3_column_int64(st, 0);
    t->code = tc_rec__col_text(st, 1, &oom);
    t->organization_id = sqlite3_column_int64(st, 2);
    tally_counts(st, 3, t);
    return oom ? -ENOMEM : 0;
}

void
tc_rec_referral_stats_free(struct tc_rec_referral_stats *s)
{
    if (!s) {
        return;
    }
    for (size_t i = 0; i < s->n_townships; i++) {
        free(s->townships[i].township);
    }
    for (size_t i = 0; i < s->n_departments; i++) {
        free(s->departments[i].code);
    }
    free(s->townships);
    free(s->departments);
    free(s);
}

/* [from 00:00 UTC, to + 1 day 00:00 UTC) in microseconds. */
int
tc_rec__range_us(struct tc_rec_db *db, const char *from, const char *to,
                 int64_t *from_us, int64_t *to_us)
{
    if (!from || !tc_rec__date_valid(from)) {
        return tc_rec__fail(db, -EINVAL, "from: must be a date YYYY-MM-DD");
    }
    if (!to || !tc_rec__date_valid(to)) {
        return tc_rec__fail(db, -EINVAL, "to: must be a date YYYY-MM-DD");
    }
    if (tc_rec__date_days(to) < tc_rec__date_days(from)) {
        return tc_rec__fail(db, -EINVAL, "to: before from");
    }
    *from_us = tc_rec__date_days(from) * 86400LL * 1000000LL;
    *to_us = (tc_rec__date_days(to) + 1) * 86400LL * 1000000LL;
    return 0;
}

static int
run(struct tc_rec_db *db, const char *sql, int64_t from_us, int64_t to_us,
    int (*row)(sqlite3_stmt *, void *), struct tc_rec_referral_tally **items,
    size_t *n)
{
    sqlite3_stmt *st = tc_rec__stmt(db, sql);
    void *got = NULL;
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, from_us);
    sqlite3_bind_int64(st, 2, to_us);
    rc = tc_rec__collect(db, st, sizeof(**items), row, &got, n);
    *items = got;
    return rc;
}

int
tc_rec_referral_stats_get(struct tc_rec_db *db, const char *from,
                          const char *to, struct tc_rec_referral_stats **out)
{
    struct tc_rec_referral_stats *s;
    int64_t from_us, to_us;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__range_us(db, from, to, &from_us, &to_us);
    if (rc < 0) {
        return rc;
    }
    s = calloc(1, sizeof(*s));
    if (!s) {
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    rc = run(db, sql_townships, from_us, to_us, township_row, &s->townships,
             &s->n_townships);
    if (rc == 0) {
        rc = run(db, sql_departments, from_us, to_us, department_row,
                 &s->departments, &s->n_departments);
    }
    if (rc < 0) {
        tc_rec_referral_stats_free(s);
        return rc;
    }
    *out = s;
    return 0;
}
