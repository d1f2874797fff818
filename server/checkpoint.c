// SPDX-License-Identifier: Apache-2.0
/*
 * checkpoint.c - the write-ahead log's checkpoints, off the main loop.
 *
 * SQLite copies the WAL back into the database file inside whichever
 * commit finds the log past 1000 pages, on that thread, with a disk flush:
 * on the main loop that stalls every request for tens of milliseconds now
 * and then. So this thread, with a handle of its own on the same file,
 * runs a PASSIVE checkpoint every CHECKPOINT_MS, which never blocks the
 * main connection, and the main handle's own threshold is raised to
 * MAIN_FALLBACK_PAGES. Under sustained writes a PASSIVE checkpoint from
 * another connection never reaches the end of a log that keeps growing,
 * so the log could not start over and would grow without bound (seen:
 * 140 MB in 12 s of load); past the fallback the writer checkpoints
 * itself, completely, and the log restarts.
 *
 * This is the one place SQLite is used off the main thread; the thread
 * touches only its own handle, and only to checkpoint.
 *
 * Thread: its own; start and stop from main.
 */
#define G_LOG_DOMAIN "checkpoint"

#include <glib.h>

#include "server-int.h"
#include "tc-records.h"

#define CHECKPOINT_MS 250
/* The main handle still checkpoints by itself past this many log pages
 * (32 MiB of 4 KiB pages): under sustained writes the thread's PASSIVE
 * checkpoints never catch up with the end of the log, and only a
 * checkpoint by the writer itself lets the log start over. */
#define MAIN_FALLBACK_PAGES 8192

struct tc_srv__checkpointer {
    GThread *thread;
    GMutex lock;
    GCond wake;
    bool stop;            /* protected by lock */
    struct tc_rec_db *db; /* the thread's own handle */
};

static gpointer
run(gpointer data)
{
    struct tc_srv__checkpointer *cp = data;
    bool warned = false;

    g_mutex_lock(&cp->lock);
    while (!cp->stop) {
        gint64 until =
            g_get_monotonic_time() + CHECKPOINT_MS * G_TIME_SPAN_MILLISECOND;
        g_cond_wait_until(&cp->wake, &cp->lock, until);
        if (cp->stop) {
            break;
        }
        g_mutex_unlock(&cp->lock);
        if (tc_rec_checkpoint(cp->db, NULL, NULL) < 0 && !warned) {
            g_warning("checkpoint: %s", tc_rec_errmsg(cp->db));
            warned = true; /* once: it is retried every period */
        }
        g_mutex_lock(&cp->lock);
    }
    g_mutex_unlock(&cp->lock);
    return NULL;
}

struct tc_srv__checkpointer *
tc_srv__checkpointer_start(struct tc_rec_db *main_db, const char *path)
{
    struct tc_srv__checkpointer *cp = g_new0(struct tc_srv__checkpointer, 1);

    if (tc_rec_open(path, &cp->db) < 0) {
        g_warning("checkpoint: cannot open a second handle; SQLite keeps "
                  "checkpointing inside commits");
        g_free(cp);
        return NULL;
    }
    g_mutex_init(&cp->lock);
    g_cond_init(&cp->wake);
    tc_rec_set_autocheckpoint(main_db, MAIN_FALLBACK_PAGES);
    cp->thread = g_thread_new("tc-checkpoint", run, cp);
    return cp;
}

void
tc_srv__checkpointer_stop(struct tc_srv__checkpointer *cp)
{
    if (!cp) {
        return;
    }
    g_mutex_lock(&cp->lock);
    cp->stop = true;
    g_cond_signal(&cp->wake);
    g_mutex_unlock(&cp->lock);
    g_thread_join(cp->thread);
    tc_rec_close(cp->db);
    g_mutex_clear(&cp->lock);
    g_cond_clear(&cp->wake);
    g_free(cp);
}
