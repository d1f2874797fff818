/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-records.h - shared by the records benchmark's two files: the
 * county generator (bench-records.c) and the measurements
 * (bench-measure.c).
 */
#ifndef TC_BENCH_RECORDS_H
#define TC_BENCH_RECORDS_H

#include <stdint.h>

#include "tc-records.h"

#define TODAY        "2026-06-30"
#define SAMPLES      1000
#define WARMUP       100
#define STAT_SAMPLES 20

/* Seconds on the monotonic clock. */
double now_s(void);

/* The benchmark's pseudo-random sequence (xorshift, fixed seed). */
uint64_t rnd(void);

/* Print what failed (with db's error text when db is set) and exit 1. */
void die(struct tc_rec_db *db, const char *what, int rc);

#define MUST(db, call)                                                        \
    do {                                                                      \
        int must_rc_ = (call);                                                \
        if (must_rc_ != 0) {                                                  \
            die((db), #call, must_rc_);                                       \
        }                                                                     \
    } while (0)

/* Time the panel, the timeline and the statistics on the county at
 * `path` and print p50/p99 of each. */
void bench_measure(const char *path);

#endif
