// SPDX-License-Identifier: Apache-2.0
/*
 * loopstat.c - loop iteration times of a GLib main context (tc-loopstat.h).
 *
 * The context's poll function is wrapped: entering poll ends an
 * iteration (busy time = now - when the last poll returned), leaving it
 * starts the next. The figures are kept under a mutex so another thread
 * may take them; the notes of the running iteration are the loop
 * thread's alone.
 *
 * Thread: the measured context's thread; tc_loopstat_take() any.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "tc-loopstat.h"

struct tc_loopstat {
    GMainContext *ctx;
    GPollFunc orig;
    int64_t poll_end_us;     /* when the last poll returned; 0 before */
    int64_t poll_end_cpu_us; /* the thread's CPU time then */
    const char *note;        /* the largest note of this iteration */
    int64_t note_us;
    GMutex lock;
    struct tc_loopstat_report r; /* protected by lock */
};

static __thread struct tc_loopstat *self;

static int
bucket_of(int64_t us)
{
    int b = 0;

    while (us > 1 && b < TC_LOOPSTAT_BUCKETS - 1) {
        us >>= 1;
        b++;
    }
    return b;
}

static int64_t
thread_cpu_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
iteration_end(struct tc_loopstat *ls, int64_t now, int64_t cpu)
{
    int64_t busy = now - ls->poll_end_us;

    g_mutex_lock(&ls->lock);
    ls->r.iterations++;
    ls->r.busy_hist[bucket_of(busy)]++;
    ls->r.busy_total_us += busy;
    ls->r.busy_cpu_us += cpu;
    if (busy > ls->r.longest_us) {
        ls->r.longest_us = busy;
        ls->r.longest_cpu_us = cpu;
        ls->r.longest_at_us = now;
        g_strlcpy(ls->r.longest_what, ls->note ? ls->note : "",
                  sizeof(ls->r.longest_what));
        ls->r.longest_what_us = ls->note_us;
    }
    g_mutex_unlock(&ls->lock);
}

static gint
poll_func(GPollFD *fds, guint nfds, gint timeout)
{
    struct tc_loopstat *ls = self;
    int64_t t0, t1;
    gint rc;

    if (!ls) {
        return g_poll(fds, nfds, timeout);
    }
    t0 = g_get_monotonic_time();
    if (ls->poll_end_us) {
        iteration_end(ls, t0, thread_cpu_us() - ls->poll_end_cpu_us);
    }
    rc = ls->orig(fds, nfds, timeout);
    t1 = g_get_monotonic_time();
    ls->poll_end_cpu_us = thread_cpu_us();
    g_mutex_lock(&ls->lock);
    ls->r.poll_total_us += t1 - t0;
    g_mutex_unlock(&ls->lock);
    ls->poll_end_us = t1;
    ls->note = NULL;
    ls->note_us = 0;
    return rc;
}

bool
tc_loopstat_wanted(void)
{
    const char *v = getenv("TC_LOOP_STATS");

    return v && *v && strcmp(v, "0") != 0;
}

struct tc_loopstat *
tc_loopstat_new(GMainContext *ctx)
{
    struct tc_loopstat *ls;

    if (self) {
        return NULL;
    }
    ls = g_new0(struct tc_loopstat, 1);
    ls->ctx = g_main_context_ref(ctx ? ctx : g_main_context_default());
    g_mutex_init(&ls->lock);
    ls->orig = g_main_context_get_poll_func(ls->ctx);
    self = ls;
    g_main_context_set_poll_func(ls->ctx, poll_func);
    return ls;
}

void
tc_loopstat_free(struct tc_loopstat *ls)
{
    if (!ls) {
        return;
    }
    g_main_context_set_poll_func(ls->ctx, ls->orig);
    if (self == ls) {
        self = NULL;
    }
    g_main_context_unref(ls->ctx);
    g_mutex_clear(&ls->lock);
    g_free(ls);
}

void
tc_loopstat_take(struct tc_loopstat *ls, struct tc_loopstat_report *out)
{
    g_mutex_lock(&ls->lock);
    *out = ls->r;
    memset(&ls->r, 0, sizeof(ls->r));
    g_mutex_unlock(&ls->lock);
}

int64_t
tc_loopstat_quantile(const struct tc_loopstat_report *r, double q)
{
    uint64_t want = (uint64_t)(q * (double)r->iterations), seen = 0;

    for (int b = 0; b < TC_LOOPSTAT_BUCKETS; b++) {
        seen += r->busy_hist[b];
        if (seen > want) {
            return (int64_t)2 << b;
        }
    }
    return r->longest_us;
}

void
tc_loopstat_format(const struct tc_loopstat_report *r, char *buf, size_t size)
{
    snprintf(buf, size,
             "%" G_GUINT64_FORMAT " iterations, busy %.1f%% (asleep %.1f s)"
             ", busy per iteration p50 <%" G_GINT64_FORMAT
             " us p99 <%" G_GINT64_FORMAT " us p999 <%" G_GINT64_FORMAT
             " us, on cpu %.0f%%; max %" G_GINT64_FORMAT
             " us (%" G_GINT64_FORMAT " us on cpu; %s %" G_GINT64_FORMAT
             " us)",
             r->iterations,
             r->busy_total_us + r->poll_total_us > 0
                 ? 100.0 * (double)r->busy_total_us /
                       (double)(r->busy_total_us + r->poll_total_us)
                 : 0.0,
             (double)r->poll_total_us / 1e6, tc_loopstat_quantile(r, 0.5),
             tc_loopstat_quantile(r, 0.99), tc_loopstat_quantile(r, 0.999),
             r->busy_total_us > 0
                 ? 100.0 * (double)r->busy_cpu_us / (double)r->busy_total_us
                 : 0.0,
             r->longest_us, r->longest_cpu_us,
             r->longest_what[0] ? r->longest_what : "-", r->longest_what_us);
}

int64_t
tc_loopstat_now(void)
{
    return self ? thread_cpu_us() : 0;
}

void
tc_loopstat_note(const char *what, int64_t us)
{
    struct tc_loopstat *ls = self;

    if (ls && us > ls->note_us) {
        ls->note = what;
        ls->note_us = us;
    }
}
