// SPDX-License-Identifier: Apache-2.0
/*
 * dicom-forward.c - the forwarding queue's worker: sends what
 * imaging_forwards holds as pending to its destination with C-STORE and
 * records each answer.
 *
 *   main thread: tick (every 500 ms, or kicked) -> due rows of one
 *     destination (at most BATCH) -> job to the sender thread
 *   sender thread: one association, one C-STORE per file (media)
 *   main thread: each row sent, or retried later with backoff
 *     (2^attempts s, at most [dicom] retry_max_s) and the error
 *
 * One job is in flight at a time, so a destination that is down costs
 * one connection attempt per tick at most. The queue is the table: after
 * a restart the first tick finds what was pending. Nothing is lost: a row
 * leaves PENDING only when its destination answered a success status.
 *
 * Thread: main, except send_job() (the sender thread), which touches no
 * server state but its job.
 */
#define G_LOG_DOMAIN "dicom"

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "server-int.h"
#include "tc-dicom.h"

#define TICK_MS 500
#define BATCH   32

struct tc_srv__forwarder {
    struct tc_srv *srv;
    GArray *dests; /* borrowed: struct tc_srv__dicom_dest */
    GThreadPool *sender;
    guint tick;
    bool busy; /* a job is in flight */
};

struct job {
    struct tc_srv__forwarder *fw;
    struct tc_srv__dicom_dest dest;
    struct tc_rec_imaging_forward_list *rows;
    char **paths;
    uint16_t *status;
    int rc;
    char *err;
};

static void
job_free(struct job *j)
{
    tc_rec_imaging_forward_list_free(j->rows);
    g_strfreev(j->paths);
    g_free(j->status);
    free(j->err);
    g_free(j);
}

static const struct tc_srv__dicom_dest *
dest_find(struct tc_srv__forwarder *fw, const char *name)
{
    for (guint i = 0; i < fw->dests->len; i++) {
        const struct tc_srv__dicom_dest *d =
            &g_array_index(fw->dests, struct tc_srv__dicom_dest, i);
        if (strcmp(d->name, name) == 0) {
            return d;
        }
    }
    return NULL;
}

static int64_t
backoff_us(struct tc_srv *srv, int attempts)
{
    int64_t s = (int64_t)1 << (attempts < 20 ? attempts : 20);

    if (s > srv->cfg->dicom.retry_max_s) {
        s = srv->cfg->dicom.retry_max_s;
    }
    return s * G_USEC_PER_SEC;
}

static void dispatch(struct tc_srv__forwarder *fw);

/* Main thread: record each row's result. */
static gboolean
job_done(gpointer data)
{
    struct job *j = data;
    struct tc_srv__forwarder *fw = j->fw;
    struct tc_srv *srv = fw->srv;
    int64_t now = g_get_real_time();
    size_t sent = 0;

    for (size_t i = 0; i < j->rows->count; i++) {
        const struct tc_rec_imaging_forward *r = &j->rows->items[i];
        int rc;
        if (j->rc == 0 && tc_media_dicom_status_stored(j->status[i])) {
            rc = tc_rec_imaging_forward_sent(srv->db, r->instance_id,
                                             r->destination, now);
            sent++;
        } else {
            g_autofree char *why =
                j->rc < 0
                    ? g_strdup(j->err ? j->err : "send failed")
                    : g_strdup_printf("C-STORE status 0x%04x", j->status[i]);
            rc = tc_rec_imaging_forward_retry(
                srv->db, r->instance_id, r->destination,
                now + backoff_us(srv, r->attempts), why);
        }
        if (rc < 0) {
            g_warning("dicom forward: %s", tc_rec_errmsg(srv->db));
        }
    }
    if (sent < j->rows->count) {
        g_warning("dicom forward to %s: %zu of %zu sent (%s)", j->dest.name,
                  sent, j->rows->count, j->rc < 0 ? j->err : "refused");
    } else {
        g_message("dicom forward to %s: %zu sent", j->dest.name, sent);
    }
    fw->busy = false;
    job_free(j);
    if (sent > 0) {
        dispatch(fw); /* more may be due: no need to wait for the tick */
    }
    return G_SOURCE_REMOVE;
}

/* Sender thread. */
static void
send_job(gpointer data, gpointer user)
{
    struct job *j = data;

    (void)user;
    j->rc = tc_media_dicom_send(
        j->fw->srv->cfg->dicom.ae_title, j->dest.ae, j->dest.host,
        j->dest.port, j->fw->srv->cfg->dicom.timeout_s,
        (const char *const *)j->paths, j->rows->count, j->status, &j->err);
    g_main_context_invoke(NULL, job_done, j);
}

/* Main thread: take the due rows of the first due destination. */
static void
dispatch(struct tc_srv__forwarder *fw)
{
    struct tc_rec_imaging_forward_list *due = NULL;
    const struct tc_srv__dicom_dest *dest;
    struct job *j;
    size_t n = 0;

    if (fw->busy || tc_rec_imaging_forward_due(fw->srv->db, g_get_real_time(),
                                               BATCH, &due) < 0) {
        return;
    }
    if (due->count == 0) {
        tc_rec_imaging_forward_list_free(due);
        return;
    }
    dest = dest_find(fw, due->items[0].destination);
    j = g_new0(struct job, 1);
    j->fw = fw;
    j->rows = due;
    j->paths = g_new0(char *, due->count + 1);
    j->status = g_new0(uint16_t, due->count);
    /* Keep only the rows of the first row's destination. */
    for (size_t i = 0; i < due->count; i++) {
        struct tc_rec_imaging_forward *r = &due->items[i];
        if (strcmp(r->destination, due->items[0].destination) != 0) {
            free(r->sop_instance_uid);
            free(r->storage_path);
            free(r->destination);
            free(r->status);
            free(r->last_error);
            continue;
        }
        due->items[n] = *r;
        j->paths[n] =
            g_build_filename(fw->srv->cfg->data_dir, r->storage_path, NULL);
        n++;
    }
    due->count = n;
    if (!dest) {
        /* A destination removed from the configuration: keep the rows
         * pending, try again later. */
        j->rc = -ENOENT;
        j->err = strdup("destination not configured");
        fw->busy = true;
        job_done(j);
        return;
    }
    j->dest = *dest;
    fw->busy = true;
    g_thread_pool_push(fw->sender, j, NULL);
}

static gboolean
on_tick(gpointer data)
{
    dispatch(data);
    return G_SOURCE_CONTINUE;
}

struct tc_srv__forwarder *
tc_srv__forwarder_start(struct tc_srv *srv, GArray *dests)
{
    struct tc_srv__forwarder *fw;

    if (!dests || dests->len == 0) {
        return NULL;
    }
    fw = g_new0(struct tc_srv__forwarder, 1);
    fw->srv = srv;
    fw->dests = dests;
    fw->sender = g_thread_pool_new(send_job, NULL, 1, FALSE, NULL);
    fw->tick = g_timeout_add(TICK_MS, on_tick, fw);
    return fw;
}

void
tc_srv__forwarder_kick(struct tc_srv__forwarder *fw)
{
    if (fw) {
        dispatch(fw);
    }
}

void
tc_srv__forwarder_stop(struct tc_srv__forwarder *fw)
{
    if (!fw) {
        return;
    }
    g_source_remove(fw->tick);
    /* Let the job in flight finish and record its result. */
    while (fw->busy) {
        g_main_context_iteration(NULL, TRUE);
    }
    g_thread_pool_free(fw->sender, FALSE, TRUE);
    g_free(fw);
}
