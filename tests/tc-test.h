/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tc-test.h - the one test helper: TAP output for meson's `protocol: 'tap'`.
 *
 * A test program is a list of functions, each run by TC_RUN(fn), which
 * prints one "ok"/"not ok" line per function. Checks inside a function
 * print a diagnostic ("# ...") on failure and mark the function failed;
 * they do not abort, so one run shows every broken check. tc_done() prints
 * the plan and returns the exit status for main().
 *
 * Header-only on purpose: each test program is one translation unit.
 * Single-threaded: checks are made from the test's main thread only.
 */
#ifndef TC_TEST_H
#define TC_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int tc_test_count;
static int tc_test_failed_total;
static bool tc_test_failed_now;

#define TC_FAIL_(...)                                                         \
    do {                                                                      \
        printf("# %s:%d: ", __FILE__, __LINE__);                              \
        printf(__VA_ARGS__);                                                  \
        printf("\n");                                                         \
        /* meson's --print-errorlogs shows stderr only: for CI's log */       \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                       \
        fprintf(stderr, __VA_ARGS__);                                         \
        fprintf(stderr, "\n");                                                \
        tc_test_failed_now = true;                                            \
    } while (0)

#define TC_CHECK(cond)                                                        \
    do {                                                                      \
        if (!(cond)) {                                                        \
            TC_FAIL_("check failed: %s", #cond);                              \
        }                                                                     \
    } while (0)

#define TC_CHECK_EQ(a, b)                                                     \
    do {                                                                      \
        intmax_t tc_a_ = (intmax_t)(a), tc_b_ = (intmax_t)(b);                \
        if (tc_a_ != tc_b_) {                                                 \
            TC_FAIL_("%s == %s: %jd != %jd", #a, #b, tc_a_, tc_b_);           \
        }                                                                     \
    } while (0)

#define TC_CHECK_STR_EQ(a, b)                                                 \
    do {                                                                      \
        const char *tc_a_ = (a), *tc_b_ = (b);                                \
        if (!tc_a_ || !tc_b_ || strcmp(tc_a_, tc_b_) != 0) {                  \
            TC_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b,                    \
                     tc_a_ ? tc_a_ : "(null)", tc_b_ ? tc_b_ : "(null)");     \
        }                                                                     \
    } while (0)

#define TC_CHECK_STR_CONTAINS(hay, needle)                                    \
    do {                                                                      \
        const char *tc_h_ = (hay), *tc_n_ = (needle);                         \
        if (!tc_h_ || !strstr(tc_h_, tc_n_)) {                                \
            TC_FAIL_("%s contains \"%s\": got \"%s\"", #hay, tc_n_,           \
                     tc_h_ ? tc_h_ : "(null)");                               \
        }                                                                     \
    } while (0)

/* Stop the current test function (after a failed check it cannot go on). */
#define TC_REQUIRE(cond)                                                      \
    do {                                                                      \
        if (!(cond)) {                                                        \
            TC_FAIL_("required: %s", #cond);                                  \
            return;                                                           \
        }                                                                     \
    } while (0)

#define TC_RUN(fn)                                                            \
    do {                                                                      \
        tc_test_failed_now = false;                                           \
        fflush(stdout);                                                       \
        fn();                                                                 \
        tc_test_count++;                                                      \
        if (tc_test_failed_now) {                                             \
            tc_test_failed_total++;                                           \
        }                                                                     \
        printf("%s %d - %s\n", tc_test_failed_now ? "not ok" : "ok",          \
               tc_test_count, #fn);                                           \
        fflush(stdout);                                                       \
    } while (0)

static inline int
tc_done(void)
{
    printf("1..%d\n", tc_test_count);
    return tc_test_failed_total == 0 && tc_test_count > 0 ? 0 : 1;
}

#endif
