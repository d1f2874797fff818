// SPDX-License-Identifier: Apache-2.0
/*
 * bench-measure.c - the records benchmark's measurements: p50/p99 of a
 * team's panel (a random team, a random page of 50), one resident's
 * timeline (any contracted resident, and rehab residents alone), and every
 * township's statistics (a quarter and a year), after a warm-up. Prints
 * figures, asserts nothing about time. The county comes from
 * bench-records.c (or an existing TC_BENCH_DB).
 *
 * Single-threaded.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "bench-records.h"
#include "tc-records.h"

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void
report(const char *what, double *ms, int n)
{
    qsort(ms, (size_t)n, sizeof(*ms), cmp_double);
    printf("latency %-42s n=%4d  p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms\n",
           what, n, ms[n / 2], ms[(int)ceil(n * 0.99) - 1], ms[n - 1]);
    fflush(stdout);
}

/* Rows of `sql` (one integer) over a raw read connection. */
static int64_t
raw_int(sqlite3 *raw, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;

    if (sqlite3_prepare_v2(raw, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return v;
}

struct pick {
    int64_t *team_ids, *team_active; /* active contracts per team */
    int64_t n_teams;
    int64_t *residents, n_residents; /* with a contract */
    int64_t *rehab, n_rehab;         /* with a rehab plan */
};

static int64_t *
raw_ids(sqlite3 *raw, const char *sql, int64_t *n, int64_t **second)
{
    sqlite3_stmt *st;
    int64_t *ids = NULL, cap = 0;

    *n = 0;
    if (sqlite3_prepare_v2(raw, sql, -1, &st, NULL) != SQLITE_OK) {
        die(NULL, sql, -EIO);
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 1024;
            ids = realloc(ids, (size_t)cap * sizeof(*ids));
            if (second) {
                *second = realloc(*second, (size_t)cap * sizeof(**second));
            }
            if (!ids || (second && !*second)) {
                die(NULL, "realloc", -ENOMEM);
            }
        }
        ids[*n] = sqlite3_column_int64(st, 0);
        if (second) {
            (*second)[*n] = sqlite3_column_int64(st, 1);
        }
        (*n)++;
    }
    sqlite3_finalize(st);
    return ids;
}

static void
pick_load(const char *path, struct pick *pk)
{
    sqlite3 *raw;

    if (sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        die(NULL, "open read-only", -EIO);
    }
    pk->team_active = NULL;
    pk->team_ids = raw_ids(raw,
                           "SELECT team_id, count(*) FROM contracts"
                           " WHERE status = 'active' GROUP BY team_id",
                           &pk->n_teams, &pk->team_active);
    pk->residents = raw_ids(raw,
                            "SELECT DISTINCT resident_id FROM contracts"
                            " ORDER BY 1",
                            &pk->n_residents, NULL);
    pk->rehab = raw_ids(raw, "SELECT resident_id FROM rehab_plans ORDER BY 1",
                        &pk->n_rehab, NULL);
    printf("county: %" PRId64 " residents, %" PRId64 " contracts (%" PRId64
           " active), %" PRId64 " follow-ups, %" PRId64 " plans, %" PRId64
           " sessions, %" PRId64 " audit events\n",
           raw_int(raw, "SELECT count(*) FROM residents"),
           raw_int(raw, "SELECT count(*) FROM contracts"),
           raw_int(raw, "SELECT count(*) FROM contracts"
                        " WHERE status = 'active'"),
           raw_int(raw, "SELECT count(*) FROM followups"),
           raw_int(raw, "SELECT count(*) FROM rehab_plans"),
           raw_int(raw, "SELECT count(*) FROM rehab_sessions"),
           raw_int(raw, "SELECT count(*) FROM audit_events"));
    sqlite3_close(raw);
}

static double
panel_once(struct tc_rec_db *db, const struct pick *pk)
{
    int64_t t = (int64_t)(rnd() % (uint64_t)pk->n_teams);
    int64_t pages = (pk->team_active[t] + 49) / 50;
    int offset = (int)(rnd() % (uint64_t)(pages > 0 ? pages : 1)) * 50;
    struct tc_rec_panel_page *page = NULL;
    double t0 = now_s();

    MUST(db, tc_rec_panel_list(db, pk->team_ids[t], TODAY, offset, 50, &page));
    t0 = now_s() - t0;
    tc_rec_panel_page_free(page);
    return t0 * 1e3;
}

static double
timeline_once(struct tc_rec_db *db, const int64_t *ids, int64_t n)
{
    int64_t rid = ids[rnd() % (uint64_t)n];
    struct tc_rec_timeline_page *page = NULL;
    double t0 = now_s();

    MUST(db, tc_rec_timeline_list(db, rid, NULL, 50, &page));
    t0 = now_s() - t0;
    if (page->count == 0) {
        die(db, "timeline of a resident with a contract is empty", -ENOENT);
    }
    tc_rec_timeline_page_free(page);
    return t0 * 1e3;
}

static double
stats_once(struct tc_rec_db *db, const char *from, const char *to, bool print)
{
    struct tc_rec_township_stats_list *list = NULL;
    double t0 = now_s();

    MUST(db, tc_rec_stats_townships(db, from, to, &list));
    t0 = now_s() - t0;
    for (size_t k = 0; print && k < list->count && k < 3; k++) {
        const struct tc_rec_stats *s = &list->items[k].stats;
        printf("  %s %s..%s: registered %" PRId64 ", contracted %" PRId64
               " (%.1f%%), follow-ups %" PRId64 "/%" PRId64
               ", renewed %" PRId64 "/%" PRId64 ", rehab %" PRId64 "/%" PRId64
               " (%.1f%%)\n",
               list->items[k].township, from, to, s->registered, s->contracted,
               100 * s->signing_rate, s->followups_done, s->followups_due,
               s->contracts_renewed, s->contracts_ended, s->rehab_completed,
               s->rehab_prescribed, 100 * s->rehab_adherence);
    }
    tc_rec_township_stats_list_free(list);
    return t0 * 1e3;
}

static void
measure(struct tc_rec_db *db, const struct pick *pk)
{
    static double ms[SAMPLES];

    for (int k = 0; k < WARMUP; k++) {
        panel_once(db, pk);
    }
    for (int k = 0; k < SAMPLES; k++) {
        ms[k] = panel_once(db, pk);
    }
    report("panel (random team, random page of 50)", ms, SAMPLES);
    for (int k = 0; k < WARMUP; k++) {
        timeline_once(db, pk->residents, pk->n_residents);
    }
    for (int k = 0; k < SAMPLES; k++) {
        ms[k] = timeline_once(db, pk->residents, pk->n_residents);
    }
    report("timeline (contracted resident, 50 newest)", ms, SAMPLES);
    for (int k = 0; k < SAMPLES && pk->n_rehab > 0; k++) {
        ms[k] = timeline_once(db, pk->rehab, pk->n_rehab);
    }
    if (pk->n_rehab > 0) {
        report("timeline (rehab resident, 50 newest)", ms, SAMPLES);
    }
    stats_once(db, "2026-04-01", "2026-06-30", true);
    for (int k = 0; k < STAT_SAMPLES; k++) {
        ms[k] = stats_once(db, "2026-04-01", "2026-06-30", false);
    }
    report("township statistics, all, one quarter", ms, STAT_SAMPLES);
    stats_once(db, "2025-07-01", "2026-06-30", true);
    for (int k = 0; k < STAT_SAMPLES; k++) {
        ms[k] = stats_once(db, "2025-07-01", "2026-06-30", false);
    }
    report("township statistics, all, one year", ms, STAT_SAMPLES);
}

void
bench_measure(const char *path)
{
    struct tc_rec_db *db = NULL;
    struct pick pk = {0};

    pick_load(path, &pk);
    MUST(NULL, tc_rec_open(path, &db));
    measure(db, &pk);
    tc_rec_close(db);
    free(pk.team_ids);
    free(pk.team_active);
    free(pk.residents);
    free(pk.rehab);
}
