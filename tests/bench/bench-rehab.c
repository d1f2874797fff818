// SPDX-License-Identifier: Apache-2.0
/*
 * bench-rehab.c - what the rehab alert sweep costs the main loop: a
 * county of N active plans (2,000 at scale 1; TC_BENCH_SCALE scales it),
 * each with ten sessions over the last weeks, some missed, some with pain
 * reports; then, five rounds each, the median time of
 *   - marking overdue sessions missed (nothing left to mark: the steady
 *     state of a sweep),
 *   - evaluating every active plan when nothing new is due (steady state),
 * and once, the first evaluation that raises the county's alerts. The
 * per-plan figure is the one to compare with [rehab] alert_interval_s.
 * Prints figures; asserts nothing about time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clinical-fixture.h"

#define ROUNDS  5
#define DAY_US  (86400LL * 1000000LL)
#define HOUR_US (3600LL * 1000000LL)

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return v[n / 2];
}

#define MUST(call)                                                            \
    do {                                                                      \
        if ((call) != 0) {                                                    \
            printf("# %s: %s\n", #call, tc_rec_errmsg(f.db));                 \
            exit(1);                                                          \
        }                                                                     \
    } while (0)

static struct fixture f;

/* A resident with an active contract and a plan 2026-03-01.. with ten
 * sessions every other day: three done with pain 2 -> 3, the rest missed.
 * Even plans' last session done is 2 days before NOW, odd plans' 16 days
 * (quiet: the no_session rule's candidates). */
#define NOW us_at("2026-04-10", 12)

static int64_t
county_plan(int i, int64_t resident, int64_t contract)
{
    struct tc_rec_rehab_plan_new in = plan_new(&f, &f.therapist);
    struct tc_rec_rehab_exercise_new ex = sit_to_stand();
    int64_t id, ex_id, s, last = NOW - (i % 2 ? 16 : 2) * DAY_US;

    in.resident_id = resident;
    in.contract_id = contract;
    MUST(tc_rec_rehab_plan_create(f.db, &in, &id));
    MUST(tc_rec_rehab_exercise_add(f.db, id, &ex, &ex_id));
    MUST(tc_rec_rehab_plan_activate(f.db, id, f.therapist, PLAN_T0));
    for (int k = 9; k >= 0; k--) {
        int64_t at = last - 2 * k * DAY_US;
        struct tc_rec_rehab_session_new sn = {
            .plan_id = id,
            .mode = TC_REC_REHAB_SELF_GUIDED,
            .scheduled_at_us = at,
        };
        MUST(tc_rec_rehab_session_schedule(f.db, &sn, &s));
        if (k % 4 == 0) {
            struct tc_rec_rehab_session_result r = {
                .ended_at_us = at + HOUR_US,
                .attendance = TC_REC_REHAB_ATTENDANCE_ALONE,
                .completion_pct = 100,
                .pain_after = 3,
                .difficulty = 2,
            };
            MUST(tc_rec_rehab_session_start(f.db, s, at, 2));
            MUST(tc_rec_rehab_session_finish(f.db, s, &r));
        }
    }
    return id;
}

/* Evaluate every plan of ids; the alerts raised. */
static int
evaluate_all(const int64_t *ids, size_t n, int64_t now)
{
    int raised = 0;

    for (size_t i = 0; i < n; i++) {
        struct tc_rec_rehab_alert_list *l = NULL;
        MUST(tc_rec_rehab_alerts_evaluate(f.db, ids[i], now, &l));
        raised += (int)l->count;
        tc_rec_rehab_alert_list_free(l);
    }
    return raised;
}

int
main(void)
{
    const char *scale_env = getenv("TC_BENCH_SCALE");
    double scale = scale_env ? atof(scale_env) : 1.0;
    int n = (int)(2000 * (scale > 0 ? scale : 1.0));
    int64_t *plans = NULL, *quiet = NULL, *touched = NULL;
    int64_t *residents, *contracts;
    size_t n_plans = 0, n_quiet = 0, n_touched = 0;
    double t0, sweep[ROUNDS], full[ROUNDS], first;
    int raised;

    if (n < 10) {
        n = 10;
    }
    if (fixture_main_begin() < 0) {
        return 1;
    }
    fixture_open(&f, "bench-rehab.db");
    t0 = now_s();
    residents = calloc((size_t)n, sizeof(*residents));
    contracts = calloc((size_t)n, sizeof(*contracts));
    raw_exec(&f, "BEGIN");
    for (int i = 0; i < n; i++) {
        char idn[19];
        snprintf(idn, sizeof(idn), "1101051950%08d", i % 100000000);
        residents[i] = fixture_resident(&f, idn);
        contracts[i] = fixture_contract(&f, residents[i], "active",
                                        "\"basic\",\"disability_rehab\"");
    }
    raw_exec(&f, "COMMIT");
    MUST(tc_rec_tx_begin(f.db));
    for (int i = 0; i < n; i++) {
        county_plan(i, residents[i], contracts[i]);
    }
    MUST(tc_rec_tx_commit(f.db));
    free(residents);
    free(contracts);
    printf("# %d active plans, %d sessions, made in %.1f s\n", n, n * 10,
           now_s() - t0);

    /* The first sweep marks what is overdue and raises the county's
     * alerts. */
    MUST(tc_rec_rehab_sessions_miss_overdue(f.db, NOW, 2 * HOUR_US, &touched,
                                            &n_touched));
    free(touched);
    MUST(tc_rec_rehab_plans_active(f.db, &plans, &n_plans));
    t0 = now_s();
    raised = evaluate_all(plans, n_plans, NOW);
    first = now_s() - t0;

    /* Then, with nothing new due: the server's sweep (overdue sessions,
     * the quiet plans, evaluate those) against evaluating every plan. */
    for (int r = 0; r < ROUNDS; r++) {
        t0 = now_s();
        MUST(tc_rec_rehab_sessions_miss_overdue(f.db, NOW, 2 * HOUR_US,
                                                &touched, &n_touched));
        MUST(tc_rec_rehab_plans_quiet(f.db, NOW, &quiet, &n_quiet));
        if (evaluate_all(touched, n_touched, NOW) +
                evaluate_all(quiet, n_quiet, NOW) !=
            0) {
            printf("# a sweep raised again\n");
            return 1;
        }
        sweep[r] = now_s() - t0;
        free(touched);
        free(quiet);
        t0 = now_s();
        if (evaluate_all(plans, n_plans, NOW) != 0) {
            printf("# an evaluation raised again\n");
            return 1;
        }
        full[r] = now_s() - t0;
    }
    free(plans);
    printf("first evaluation of %zu plans (raises %d alerts): %.1f ms, "
           "%.1f us/plan\n",
           n_plans, raised, first * 1e3, first * 1e6 / (double)n_plans);
    printf("steady, median of %d rounds: sweep (%zu quiet plans) %.1f ms; "
           "every plan %.1f ms (%.1f us/plan); ratio %.2f\n",
           ROUNDS, n_quiet, median(sweep, ROUNDS) * 1e3,
           median(full, ROUNDS) * 1e3,
           median(full, ROUNDS) * 1e6 / (double)n_plans,
           median(sweep, ROUNDS) / median(full, ROUNDS));
    fixture_close(&f);
    (void)tc_test_failed_now; /* the fixture's header brings tc-test.h */
    return fixture_main_end() == 0 ? 0 : 1;
}
