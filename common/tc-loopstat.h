// SPDX-License-Identifier: Apache-2.0
/*
 * tc-loopstat.h - how long a GLib main loop's iterations take, for finding
 * stalls (docs/performance.md, "Signaling (issue 5)").
 *
 * An iteration's busy time is from the moment its poll returns to the
 * moment the next poll is entered: everything the loop dispatched in
 * between (every ready source, lws callbacks included), during which
 * nothing else on that loop can run. A message that arrives then waits.
 * The statistics are a histogram of busy times (power-of-two buckets in
 * microseconds), the total time asleep in poll, and the longest iteration
 * with what ran in it (and how much of it the thread was on a core):
 * code that may run long says so with
 * tc_loopstat_note(), and the longest iteration keeps its largest note.
 *
 * Off unless asked for (the environment variable TC_LOOP_STATS, read by
 * the program that calls tc_loopstat_new()): then the context's poll
 * function is wrapped (g_main_context_set_poll_func) and each iteration
 * costs four clock reads (two of the thread's CPU time, which tell work
 * from waiting for a core) and a lock. When off, tc_loopstat_note() is a
 * thread-local NULL check.
 *
 * Thread: a loopstat is fed by the thread that runs its context (it is
 * found through a thread-local pointer, since a GPollFunc has no user
 * data; one loopstat per thread); tc_loopstat_take() may be called from
 * any thread.
 */
#ifndef TC_LOOPSTAT_H
#define TC_LOOPSTAT_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#define TC_LOOPSTAT_BUCKETS 24 /* [2^i, 2^(i+1)) us; the last is open */

struct tc_loopstat;

struct tc_loopstat_report {
    uint64_t iterations;
    uint64_t busy_hist[TC_LOOPSTAT_BUCKETS]; /* busy time of iterations */
    int64_t busy_total_us;
    int64_t poll_total_us;  /* asleep in poll */
    int64_t busy_cpu_us;    /* the thread's CPU time while busy */
    int64_t longest_us;     /* the longest iteration's busy time */
    int64_t longest_cpu_us; /* the thread's CPU time in it: the rest of
                             * its busy time the thread waited to run */
    int64_t longest_at_us;  /* its end, monotonic */
    char longest_what[48];  /* its largest note, "" when none */
    int64_t longest_what_us;
};

/* Whether TC_LOOP_STATS is set (non-empty, not "0"). */
bool tc_loopstat_wanted(void);

/*
 * Measure the loop iterations of `ctx` (NULL: the global default
 * context), which the calling thread runs. Returns NULL when the calling
 * thread measures a context already. Free with tc_loopstat_free() on the
 * same thread, after the loop stopped.
 */
struct tc_loopstat *tc_loopstat_new(GMainContext *ctx);
void tc_loopstat_free(struct tc_loopstat *ls);

/* Copy what was measured since the last take into *out and start again. */
void tc_loopstat_take(struct tc_loopstat *ls, struct tc_loopstat_report *out);

/* The busy time under which a fraction `q` of iterations fall (the upper
 * edge of its bucket), in microseconds. */
int64_t tc_loopstat_quantile(const struct tc_loopstat_report *r, double q);

/* One line: iterations, busy p50/p99/max and what ran in the longest. */
void tc_loopstat_format(const struct tc_loopstat_report *r, char *buf,
                        size_t size);

/* The calling thread's CPU time (us) when its loop is measured, else 0:
 * for timing a piece of work with tc_loopstat_note(). CPU time, not
 * wall time: on a shared machine the wall time of a piece of work says
 * more about the other programs than about the work. */
int64_t tc_loopstat_now(void);

/* `what` (a static string) ran for `us` microseconds of CPU time in this
 * iteration of this thread's measured loop; nothing when not measured. */
void tc_loopstat_note(const char *what, int64_t us);

#endif
