// SPDX-License-Identifier: Apache-2.0
/*
 * worker.c - CPU-bound jobs (password hashing) off the main loop.
 *
 * A job is two functions on one piece of data: work() runs on a worker
 * thread of a small GThreadPool and must touch nothing shared (no SQLite,
 * no lws, no struct tc_srv); done() then runs on the main thread, where
 * it may. The hand-back is an idle source attached to the main context
 * rather than g_main_context_invoke(): invoke runs the function at once on
 * the calling thread whenever that thread can acquire the context (as it
 * can while the loop is not running, e.g. during stop), and done() must
 * never run on a worker.
 *
 *   submit (main) --> queued --> work() (worker) --> done() (main)
 *
 * Stopping waits for every submitted job and runs its done(), so no job is
 * lost and nothing leaks; done() must cope with a server that is
 * stopping (a call whose client is gone only frees, see http.c).
 *
 * Thread: main, except work().
 */
#define G_LOG_DOMAIN "server"

#include <errno.h>

#include <glib.h>

#include "server-int.h"

#define MAX_WORKERS 4 /* Argon2id takes 64 MiB each */

struct job {
    struct tc_srv *srv;
    tc_srv__work_fn work;
    tc_srv__work_fn done;
    void *data;
};

static gboolean
job_done(gpointer user)
{
    struct job *job = user;

    job->srv->jobs_pending--;
    job->done(job->data);
    g_free(job);
    return G_SOURCE_REMOVE;
}

/* Worker thread: compute, then hand back to the main context. */
static void
job_run(gpointer data, gpointer pool_user)
{
    struct job *job = data;
    GSource *idle = g_idle_source_new();

    job->work(job->data);
    g_source_set_callback(idle, job_done, job, NULL);
    g_source_attach(idle, g_main_loop_get_context(job->srv->loop));
    g_source_unref(idle);
}

int
tc_srv__workers_start(struct tc_srv *srv, char **errmsg)
{
    GError *err = NULL;
    /* Leave a core to the main loop: hashing must not slow it down. */
    int n = (int)g_get_num_processors() - 1;

    n = n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : n;
    srv->workers = g_thread_pool_new(job_run, NULL, n, FALSE, &err);
    if (!srv->workers) {
        *errmsg = g_strdup_printf("worker threads: %s", err->message);
        g_error_free(err);
        return -EAGAIN;
    }
    return 0;
}

void
tc_srv__work_submit(struct tc_srv *srv, tc_srv__work_fn work,
                    tc_srv__work_fn done, void *data)
{
    struct job *job = g_new0(struct job, 1);

    *job = (struct job){srv, work, done, data};
    srv->jobs_pending++;
    /* Cannot fail for a non-exclusive pool. */
    g_thread_pool_push(srv->workers, job, NULL);
}

int
tc_srv__work_queued(struct tc_srv *srv)
{
    return srv->jobs_pending;
}

void
tc_srv__workers_stop(struct tc_srv *srv)
{
    if (!srv->workers) {
        return;
    }
    g_thread_pool_free(srv->workers, FALSE, TRUE); /* waits for all */
    srv->workers = NULL;
    while (srv->jobs_pending > 0) { /* their done() idles are attached */
        g_main_context_iteration(g_main_loop_get_context(srv->loop), TRUE);
    }
}
