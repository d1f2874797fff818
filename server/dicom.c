// SPDX-License-Identifier: Apache-2.0
/*
 * dicom.c - DICOM store-and-forward on the server's side: the SCP's
 * callbacks, the content-addressed store under data_dir/dicom, and the
 * one indexing step that C-STORE and STOW-RS share.
 *
 *   association thread (media)          main thread
 *   --------------------------          -----------
 *   instance received whole (parsed,
 *   hashed and written as it arrived),
 *   checked, its index attributes read
 *   -> linked into place as
 *      dicom/<aa>/<sha256>.dcm
 *   -> a line in dicom/journal.log
 *   -> queue it, C-STORE-RSP "success"
 *               ...index_batch_ms (5)...  drain: one transaction for
 *                                           everything queued: patient
 *                                           match, index (or flag a
 *                                           conflict), forwarding queue,
 *                                           audit; commit; truncate the
 *                                           journal when all of it is in
 *
 * "Success" means stored and journaled, not yet indexed: the peer does
 * not wait for the main thread (two thread switches per instance) nor
 * for one SQLite transaction per instance. Nothing is lost by a crash in
 * between: the journal line is written after the file has its final
 * name and before the answer, and the journal is truncated only after
 * the transactions that indexed all of its lines committed; at start-up
 * every line left is indexed again (the same bytes twice are one
 * instance) before the SCP listens. With [database] synchronous = full
 * the file, its directory and the journal are fsync'd before the
 * answer; with normal, a killed process loses nothing, a power cut may
 * lose the last seconds (as SQLite's own NORMAL).
 *
 * The index is read through the HTTP API on the main thread, which
 * drains the queue before each request (tc_srv__dicom_flush): what a
 * peer was told "stored" before a request arrived is in that request's
 * answer.
 *
 * What the index refuses although the peer was told "stored" (a records
 * rule that needs the database: the study belongs to another resident,
 * the series to another study) stays in the store, is logged and listed
 * in dicom/refused.log for an operator. The checks that need no database
 * (UIDs, dates, lengths, control characters) are made on the association
 * thread, before the answer, and refuse there as before.
 *
 * STOW-RS indexes at once on the main thread (tc_srv__dicom_index), as
 * it answers from there anyway.
 *
 * Logs name AE titles, sizes, ids and rules, never patient data.
 *
 * Thread: main, except the callbacks marked otherwise.
 */
#define G_LOG_DOMAIN "dicom"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "dicom-journal.h"
#include "server-int.h"
#include "tc-dicom.h"

/* Drain the queue [dicom] index_batch_ms after its first instance, or at
 * once when it holds DRAIN_BATCH: one transaction for all of them. */
#define DRAIN_BATCH 128

/* The journal is compacted (rewritten with its pending entries only)
 * once it is this large and a commit finds entries still pending:
 * about 2,500 entries of ~100 bytes. */
#define JOURNAL_COMPACT_BYTES (256 * 1024)

struct tc_srv__dicom {
    struct tc_srv *srv;
    char *dir, *tmp_dir, *journal_path, *refused_path;
    GArray *peers, *dests, *routes; /* read-only once started */
    struct tc_media_dicom_scp *scp;
    struct tc_srv__forwarder *fwd;
    GMutex lock;
    GPtrArray *queue; /* of struct pending; protected by lock */
    guint drain;      /* the drain source's id, 0: none; under lock */
    gint queued;      /* atomic: queue->len, read without the lock */
    bool batching;    /* in index_batch(): kick the forwarder after it */
    struct tc_srv__dicom_journal *journal; /* under lock */
};

/* An instance stored and journaled, not indexed yet. */
struct pending {
    struct tc_media_dicom_info info;
    char sha256[65];
    char *rel_path; /* relative to the data directory */
    char *source;   /* calling AE title */
    int64_t org_id, size_bytes, received_at_us;
};

const char *
tc_srv__dicom_dir(struct tc_srv *srv)
{
    return srv->dicom ? srv->dicom->dir : NULL;
}

const char *
tc_srv__dicom_tmp_dir(struct tc_srv *srv)
{
    return srv->dicom ? srv->dicom->tmp_dir : NULL;
}

/* ---- indexing (main thread) ---- */

/* DICOM DA "YYYYMMDD" as "YYYY-MM-DD" into out[11]; NULL if not a date
 * of the calendar from 1850 (what records accepts): an impossible date
 * in a header is left out rather than refusing the image. */
static const char *
iso_date(const char *da, char out[11])
{
    int y, m, d;

    if (strlen(da) != 8 || strspn(da, "0123456789") != 8) {
        return NULL;
    }
    y = (da[0] - '0') * 1000 + (da[1] - '0') * 100 + (da[2] - '0') * 10 +
        (da[3] - '0');
    m = (da[4] - '0') * 10 + (da[5] - '0');
    d = (da[6] - '0') * 10 + (da[7] - '0');
    if (y < 1850 ||
        !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y)) {
        return NULL;
    }
    g_snprintf(out, 11, "%.4s-%.2s-%.2s", da, da + 4, da + 6);
    return out;
}

static const char *
nonempty(const char *s)
{
    return s && s[0] ? s : NULL;
}

/* A modality code records accepts (2..16 capitals or digits), else OT. */
static const char *
modality_of(const char *m)
{
    size_t n = strlen(m);

    if (n < 2 || n > 16 ||
        strspn(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != n) {
        return "OT";
    }
    return m;
}

/* Queue the instance for every route whose source matches. */
static void
queue_forwards(struct tc_srv__dicom *d, const struct tc_srv__dicom_arrival *a,
               const char *sop_uid)
{
    char org[32];
    int queued = 0;

    g_snprintf(org, sizeof(org), "org:%lld", (long long)a->org_id);
    for (guint i = 0; d->routes && i < d->routes->len; i++) {
        const struct tc_srv__dicom_route *r =
            &g_array_index(d->routes, struct tc_srv__dicom_route, i);
        if (strcmp(r->source, "*") != 0 && strcmp(r->source, a->source) != 0 &&
            strcmp(r->source, org) != 0) {
            continue;
        }
        if (tc_rec_imaging_forward_queue(d->srv->db, sop_uid, r->dest,
                                         g_get_real_time()) < 0) {
            g_warning("dicom: queueing for %s failed: %s", r->dest,
                      tc_rec_errmsg(d->srv->db));
            continue;
        }
        queued++;
    }
    if (queued && !d->batching) {
        tc_srv__forwarder_kick(d->fwd);
    }
}

static void
audit_arrival(struct tc_srv *srv, const struct tc_srv__who *who, int64_t study,
              int64_t resident, bool ok, const char *why)
{
    struct tc_srv__call call = {0};

    call.req.who = who;
    call.req.client_addr = "dicom";
    tc_srv__audit(srv, &call, TC_REC_AUDIT_CREATE, "imaging_study", study,
                  resident, ok ? TC_REC_AUDIT_SUCCESS : TC_REC_AUDIT_FAILURE,
                  "imaging store", why);
}

enum tc_srv__dicom_outcome
tc_srv__dicom_index(struct tc_srv *srv, const struct tc_srv__who *who,
                    const struct tc_srv__dicom_arrival *a, int64_t *study_out,
                    const char **why)
{
    const struct tc_media_dicom_info *x = a->info;
    char study_date[11], birth[11];
    struct tc_rec_imaging_instance_in in = {
        .study_uid = x->study_uid,
        .accession = nonempty(x->accession),
        .study_description = nonempty(x->study_description),
        .study_date = iso_date(x->study_date, study_date),
        .sending_org_id = a->org_id,
        .series_uid = x->series_uid,
        .modality = modality_of(x->modality),
        .series_number = x->series_number,
        .series_description = nonempty(x->series_description),
        .sop_instance_uid = x->sop_instance_uid,
        .sop_class_uid = x->sop_class_uid,
        .storage_path = a->rel_path,
        .sha256 = a->sha256,
        .size_bytes = a->size_bytes,
        .received_at_us =
            a->received_at_us > 0 ? a->received_at_us : g_get_real_time(),
    };
    struct tc_rec_imaging_dicom_in dx = {
        .patient_dicom_id = nonempty(x->patient_id),
        .patient_name = nonempty(x->patient_name),
        .patient_birth_date = iso_date(x->patient_birth_date, birth),
        .patient_sex = nonempty(x->patient_sex),
        .study_time = nonempty(x->study_time),
        .transfer_syntax = x->transfer_syntax_uid,
        .instance_number = x->instance_number > 0 ? x->instance_number : 0,
        .source = a->source,
    };
    enum tc_srv__dicom_outcome out = TC_SRV__DICOM_STORED;
    int64_t study = 0, resident = 0;
    int rc;

    if (dx.patient_dicom_id &&
        tc_rec_imaging_patient_match(srv->db, dx.patient_dicom_id,
                                     &resident) == 0) {
        in.resident_id = resident;
    }
    rc = tc_rec_imaging_instance_store_dicom(srv->db, &in, &dx, &study);
    if (rc == -EEXIST &&
        tc_rec_imaging_conflict_add(srv->db, &in, a->source) == 0) {
        out = TC_SRV__DICOM_CONFLICT;
        rc = tc_rec_imaging_study_find(srv->db, in.study_uid, &study);
    }
    if (rc < 0) {
        *why = tc_rec_errmsg(srv->db);
        g_warning("dicom: instance from %s not indexed: %s", a->source, *why);
        audit_arrival(srv, who, 0, resident, false, *why);
        *study_out = 0;
        return TC_SRV__DICOM_REFUSED;
    }
    if (out == TC_SRV__DICOM_CONFLICT) {
        g_warning("dicom: study %lld: an instance from %s came again with "
                  "other bytes (kept, flagged)",
                  (long long)study, a->source);
    } else if (srv->dicom) {
        queue_forwards(srv->dicom, a, x->sop_instance_uid);
    }
    audit_arrival(srv, who, study, resident, true, NULL);
    *study_out = study;
    return out;
}

/* ---- the SCP's callbacks ---- */

static int64_t
peer_org(struct tc_srv__dicom *d, const char *ae)
{
    for (guint i = 0; i < d->peers->len; i++) {
        const struct tc_srv__dicom_peer *p =
            &g_array_index(d->peers, struct tc_srv__dicom_peer, i);
        if (strcmp(p->ae, ae) == 0) {
            return p->org_id;
        }
    }
    return 0;
}

/* Any thread: the peers table does not change once started. */
static bool
on_accept(const char *calling_ae, void *user)
{
    return peer_org(user, calling_ae) > 0;
}

/* Any thread. */
static void
on_log(bool warning, const char *msg, void *user)
{
    (void)user;
    if (warning) {
        g_warning("%s", msg);
    } else {
        g_message("%s", msg);
    }
}

/* The records rules that need no database, checked before the answer
 * (tc_rec_imaging_instance_store_dicom() checks them again): NULL, or
 * the rule broken. */
static const char *
refusal_without_db(const struct tc_media_dicom_info *x)
{
    static const struct {
        const char *field;
        size_t offset, max;
    } texts[] = {
        {"Patient ID", offsetof(struct tc_media_dicom_info, patient_id), 256},
        {"Patient's Name", offsetof(struct tc_media_dicom_info, patient_name),
         800},
        {"Accession Number", offsetof(struct tc_media_dicom_info, accession),
         64},
        {"Study Description",
         offsetof(struct tc_media_dicom_info, study_description), 1024},
        {"Series Description",
         offsetof(struct tc_media_dicom_info, series_description), 1024},
        {"Patient's Sex", offsetof(struct tc_media_dicom_info, patient_sex),
         16},
        {"Study Time", offsetof(struct tc_media_dicom_info, study_time), 16},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        const char *v = (const char *)x + texts[i].offset;
        size_t n = strlen(v);
        if (n > texts[i].max) {
            return texts[i].field;
        }
        for (size_t j = 0; j < n; j++) {
            if ((unsigned char)v[j] < 0x20 || v[j] == 0x7f) {
                return texts[i].field;
            }
        }
    }
    return NULL;
}

static void
pending_free(gpointer data)
{
    struct pending *p = data;

    g_free(p->rel_path);
    g_free(p->source);
    g_free(p);
}

/* ---- the journal: dicom/journal.log ----
 *
 * One line per instance answered "stored":
 *   <sha256> <sending org id> <received at, µs> <calling AE in hex>\n
 * appended (O_APPEND, one write) before the answer, under d->lock, in
 * the order the instances are queued: its pending entries are exactly
 * the queue. After each commit it is truncated when the queue is empty,
 * or rewritten with the queue's lines once it has grown past
 * JOURNAL_COMPACT_BYTES (dicom-journal.c: bounded under a stream that
 * never pauses). A start-up indexes every line left; a line indexed
 * already is the same instance again (accepted once). One file, no file
 * per instance: creating and deleting an inode per instance cost more
 * than all of SQLite in the ingest profile. */

static void
append_hex(GString *s, const char *text)
{
    for (const char *c = text; *c; c++) {
        g_string_append_printf(s, "%02x", (unsigned char)*c);
    }
}

/* Open (create) the journal for appending. */
static int
journal_open(struct tc_srv__dicom *d, GPtrArray *created, char **errmsg)
{
    if (!g_file_test(d->journal_path, G_FILE_TEST_EXISTS)) {
        g_ptr_array_add(created, g_strdup(d->journal_path));
    }
    return tc_srv__dicom_journal_open(d->journal_path, d->srv->cfg->sync_full,
                                      JOURNAL_COMPACT_BYTES, &d->journal,
                                      errmsg);
}

/* p's journal line (without '\n'). */
static char *
journal_line(const struct pending *p)
{
    GString *line = g_string_new(NULL);

    g_string_printf(line, "%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " ",
                    p->sha256, p->org_id, p->received_at_us);
    append_hex(line, p->source);
    return g_string_free(line, FALSE);
}

/* Under d->lock: the line for p. */
static int
journal_append(struct tc_srv__dicom *d, const struct pending *p)
{
    g_autofree char *line = journal_line(p);

    return d->journal ? tc_srv__dicom_journal_append(d->journal, line) : -EIO;
}

/* Under d->lock, after a commit: the queue holds every entry not
 * committed; the journal keeps just those when it is due. */
static void
journal_indexed(struct tc_srv__dicom *d)
{
    g_autoptr(GPtrArray) lines = NULL;
    int rc;

    if (!d->journal || !tc_srv__dicom_journal_due(d->journal, d->queue->len)) {
        return;
    }
    lines = g_ptr_array_new_full(d->queue->len, g_free);
    for (guint i = 0; i < d->queue->len; i++) {
        g_ptr_array_add(lines, journal_line(g_ptr_array_index(d->queue, i)));
    }
    rc = tc_srv__dicom_journal_keep(d->journal, lines);
    if (rc < 0) {
        g_warning("dicom: journal: %s", g_strerror(-rc));
    }
}

/* A line the index refused although its peer was told "stored": kept
 * in dicom/refused.log for an operator (the file stays in the store). */
static void
refused_append(struct tc_srv__dicom *d, const char *sha, const char *source,
               const char *why)
{
    g_autoptr(GString) line = g_string_new(sha);
    FILE *f = fopen(d->refused_path, "ae");

    g_string_append_c(line, ' ');
    append_hex(line, source ? source : "");
    g_string_append_printf(line, " %s\n", why);
    if (!f || fputs(line->str, f) < 0 || fclose(f) != 0) {
        g_warning("dicom: %s: %s", d->refused_path, g_strerror(errno));
    }
}

/* ---- the queue and its drain (main thread) ---- */

/* Index a batch in one transaction; then, when the journal holds
 * nothing else, truncate it. What the index refuses goes to
 * refused.log. When the transaction cannot commit, the batch is queued
 * again (its journal lines stay). */
static void
index_batch(struct tc_srv__dicom *d, GPtrArray *batch)
{
    struct tc_srv *srv = d->srv;
    g_autofree char **why = g_new0(char *, batch->len);
    bool tx = tc_rec_tx_begin(srv->db) == 0;
    guint refused = 0;

    d->batching = true;
    for (guint i = 0; i < batch->len; i++) {
        struct pending *p = g_ptr_array_index(batch, i);
        struct tc_srv__who who = {0};
        struct tc_srv__dicom_arrival a = {
            .info = &p->info,
            .sha256 = p->sha256,
            .rel_path = p->rel_path,
            .size_bytes = p->size_bytes,
            .source = p->source,
            .org_id = p->org_id,
            .received_at_us = p->received_at_us,
        };
        const char *w = NULL;
        int64_t study = 0;

        g_snprintf(who.username, sizeof(who.username), "dicom:%s", p->source);
        if (tc_srv__dicom_index(srv, &who, &a, &study, &w) ==
            TC_SRV__DICOM_REFUSED) {
            why[i] = g_strdup(w ? w : "refused");
            refused++;
        }
    }
    d->batching = false;
    /* The batch's audit events go into its own transaction (savepoints
     * nest) rather than into a second one a millisecond later; only when
     * no HTTP answer waits for the audit queue, as an answer must not be
     * released before the commit that follows. */
    if (tx && (!srv->audit_waiters || srv->audit_waiters->len == 0)) {
        tc_srv__audit_flush(srv);
    }
    if (!tx || tc_rec_tx_commit(srv->db) < 0) {
        g_warning("dicom: %u instances not indexed yet (kept in the journal, "
                  "retried): %s",
                  batch->len, tc_rec_errmsg(srv->db));
        if (tx) {
            tc_rec_tx_rollback(srv->db);
        }
        for (guint i = 0; i < batch->len; i++) {
            g_free(why[i]);
        }
        g_mutex_lock(&d->lock);
        for (guint i = 0; i < batch->len; i++) {
            g_ptr_array_add(d->queue, g_ptr_array_index(batch, i));
        }
        g_atomic_int_set(&d->queued, (gint)d->queue->len);
        g_ptr_array_set_free_func(batch, NULL);
        g_mutex_unlock(&d->lock);
        return;
    }
    for (guint i = 0; refused && i < batch->len; i++) {
        struct pending *p = g_ptr_array_index(batch, i);
        if (why[i]) {
            g_warning("dicom: an instance from %s answered \"stored\" was "
                      "not indexed (%s): kept in the store, listed in %s",
                      p->source, why[i], d->refused_path);
            refused_append(d, p->sha256, p->source, why[i]);
            g_free(why[i]);
        }
    }
    tc_srv__forwarder_kick(d->fwd); /* once, after the commit */
    g_mutex_lock(&d->lock);
    journal_indexed(d);
    g_mutex_unlock(&d->lock);
}

static gboolean drain_cb(gpointer data);

/* Main thread: index everything queued now. */
static void
drain(struct tc_srv__dicom *d)
{
    GPtrArray *batch;

    g_mutex_lock(&d->lock);
    batch = d->queue;
    d->queue = g_ptr_array_new_with_free_func(pending_free);
    g_atomic_int_set(&d->queued, 0);
    if (d->drain) {
        g_source_remove(d->drain);
        d->drain = 0;
    }
    g_mutex_unlock(&d->lock);
    if (batch->len > 0) {
        index_batch(d, batch);
    }
    g_ptr_array_unref(batch);
    g_mutex_lock(&d->lock);
    if (d->queue->len > 0 && !d->drain) {
        /* A commit failed: try again in a second. */
        d->drain = g_timeout_add(1000, drain_cb, d);
    }
    g_mutex_unlock(&d->lock);
}

static gboolean
drain_cb(gpointer data)
{
    struct tc_srv__dicom *d = data;

    g_mutex_lock(&d->lock);
    if (d->drain == g_source_get_id(g_main_current_source())) {
        d->drain = 0; /* this source ends: drain() must not remove it */
    }
    g_mutex_unlock(&d->lock);
    drain(d);
    return G_SOURCE_REMOVE;
}

/* Any thread: journal p and queue it; the main thread drains within
 * index_batch_ms. */
static int
enqueue(struct tc_srv__dicom *d, struct pending *p)
{
    GSource *src = NULL;
    int rc;

    g_mutex_lock(&d->lock);
    rc = journal_append(d, p);
    if (rc < 0) {
        g_mutex_unlock(&d->lock);
        return rc;
    }
    g_ptr_array_add(d->queue, p);
    g_atomic_int_set(&d->queued, (gint)d->queue->len);
    if (!d->drain || d->queue->len == DRAIN_BATCH) {
        if (d->drain) {
            g_source_remove(d->drain); /* now rather than in DRAIN_MS */
        }
        src = d->queue->len >= DRAIN_BATCH
                  ? g_idle_source_new()
                  : g_timeout_source_new(
                        (guint)d->srv->cfg->dicom.index_batch_ms);
        g_source_set_priority(src, G_PRIORITY_DEFAULT);
        g_source_set_callback(src, drain_cb, d, NULL);
        d->drain = g_source_attach(src, NULL);
        g_source_unref(src);
    }
    g_mutex_unlock(&d->lock);
    return 0;
}

void
tc_srv__dicom_flush(struct tc_srv *srv)
{
    if (srv->dicom && g_atomic_int_get(&srv->dicom->queued) > 0) {
        drain(srv->dicom);
    }
}

/* Association thread: store the file, journal it, queue it, answer. */
static uint16_t
on_store(const struct tc_media_dicom_received *r, void *user)
{
    struct tc_srv__dicom *d = user;
    struct pending *p;
    char *rel = NULL, *err = NULL;
    const char *bad = refusal_without_db(r->info);
    bool existed = false;
    int rc;

    if (bad) {
        g_warning("dicom: C-STORE from AE \"%s\" refused: %s: too long or "
                  "a control character",
                  r->calling_ae, bad);
        return TC_MEDIA_DICOM_STATUS_CANNOT_UNDERSTAND;
    }
    p = g_new0(struct pending, 1);
    p->info = *r->info;
    p->source = g_strdup(r->calling_ae);
    p->org_id = peer_org(d, r->calling_ae);
    p->size_bytes = (int64_t)r->size_bytes;
    p->received_at_us = g_get_real_time();
    g_strlcpy(p->sha256, r->sha256, sizeof(p->sha256));
    if (tc_media_dicom_store_received(d->dir, r, d->srv->cfg->sync_full, &rel,
                                      &existed, &err) < 0) {
        g_warning("dicom: instance from %s not stored: %s", r->calling_ae,
                  err);
        free(err);
        pending_free(p);
        return TC_MEDIA_DICOM_STATUS_OUT_OF_RES;
    }
    p->rel_path = g_strdup(rel);
    free(rel);
    rc = enqueue(d, p);
    if (rc < 0) {
        /* Stored but not journaled: the peer is told to try again, and
         * its retry finds the same file. */
        g_warning("dicom: instance from %s not journaled: %s", r->calling_ae,
                  g_strerror(-rc));
        pending_free(p);
        return TC_MEDIA_DICOM_STATUS_OUT_OF_RES;
    }
    return TC_MEDIA_DICOM_STATUS_SUCCESS;
}

/* ---- start and stop ---- */

static int
parse_tables(struct tc_srv__dicom *d, const struct tc_srv_dicom_config *c,
             char **errmsg)
{
    g_autoptr(GString) why = g_string_new(NULL);

    if (tc_srv__dicom_peers_parse(c->peers, &d->peers, why) < 0 ||
        tc_srv__dicom_dests_parse(c->destinations, &d->dests, why) < 0 ||
        tc_srv__dicom_routes_parse(c->routes, &d->routes, why) < 0) {
        *errmsg = g_strdup_printf("config: [dicom]: %s", why->str);
        return -EINVAL;
    }
    for (guint i = 0; i < d->peers->len; i++) {
        const struct tc_srv__dicom_peer *p =
            &g_array_index(d->peers, struct tc_srv__dicom_peer, i);
        struct tc_rec_organization *org = NULL;
        if (tc_rec_organization_get(d->srv->db, p->org_id, &org) < 0) {
            *errmsg = g_strdup_printf("config: [dicom] peers: AE %s: no "
                                      "organization %lld",
                                      p->ae, (long long)p->org_id);
            return -EINVAL;
        }
        tc_rec_organization_free(org);
    }
    for (guint i = 0; i < d->routes->len; i++) {
        const struct tc_srv__dicom_route *r =
            &g_array_index(d->routes, struct tc_srv__dicom_route, i);
        bool known = false;
        for (guint j = 0; j < d->dests->len; j++) {
            known =
                known ||
                strcmp(
                    g_array_index(d->dests, struct tc_srv__dicom_dest, j).name,
                    r->dest) == 0;
        }
        if (!known) {
            *errmsg = g_strdup_printf("config: [dicom] routes: destination "
                                      "'%s' is not in [dicom] destinations",
                                      r->dest);
            return -EINVAL;
        }
    }
    return 0;
}

static int
start_scp(struct tc_srv__dicom *d, const struct tc_srv_dicom_config *c,
          char **errmsg)
{
    struct tc_media_dicom_scp_config sc = {
        .ae_title = c->ae_title,
        .host = c->listen_host,
        .port = c->listen_port,
        .max_associations = c->max_associations,
        .max_pdu_len = (uint32_t)c->max_pdu_bytes,
        .timeout_s = c->timeout_s,
        .tmp_dir = d->tmp_dir,
        .accept = on_accept,
        .store = on_store,
        .log = on_log,
        .user = d,
    };
    char *err = NULL;
    int port = 0, rc;

    rc = tc_media_dicom_scp_start(&sc, &d->scp, &port, &err);
    if (rc < 0) {
        *errmsg = g_strdup(err);
        free(err);
        return rc;
    }
    g_message("dicom SCP listening on %s:%d (AE %s, %u calling AE titles "
              "allowed)",
              c->listen_host, port, c->ae_title, d->peers->len);
    return 0;
}

/* A journal line left by a stop before it was indexed: the pending
 * instance it stands for, read again from its stored file; NULL (logged,
 * and listed in refused.log) when that is not possible. */
static struct pending *
recover_one(struct tc_srv__dicom *d, const char *line)
{
    g_autofree char *file = NULL, *sub = NULL, *fname = NULL;
    g_autofree char *base = g_path_get_basename(d->dir);
    g_autoptr(GString) source = g_string_new(NULL);
    struct pending *p = g_new0(struct pending, 1);
    char sha[65] = "", hex[40] = "";
    const char *why = NULL;
    char *err = NULL;
    size_t n;
    GStatBuf sb;

    if (sscanf(line, "%64s %" SCNd64 " %" SCNd64 " %39s", sha, &p->org_id,
               &p->received_at_us, hex) != 4 ||
        strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64 ||
        (n = strlen(hex)) % 2 != 0 || strspn(hex, "0123456789abcdef") != n) {
        g_warning("dicom: journal: a line that is not an entry, skipped");
        pending_free(p);
        return NULL;
    }
    for (size_t i = 0; i < n; i += 2) {
        g_string_append_c(source, (char)((g_ascii_xdigit_value(hex[i]) << 4) |
                                         g_ascii_xdigit_value(hex[i + 1])));
    }
    memcpy(p->sha256, sha, 65);
    sub = g_strndup(sha, 2);
    fname = g_strconcat(sha, ".dcm", NULL);
    file = g_build_filename(d->dir, sub, fname, NULL);
    if (g_stat(file, &sb) < 0) {
        why = "its stored file is missing";
    } else if (tc_media_dicom_info_read(file, &p->info, &err) < 0) {
        why = err;
    }
    if (why) {
        g_warning("dicom: journal: an instance from %s not indexed: %s",
                  source->str, why);
        refused_append(d, sha, source->str, why);
        free(err);
        pending_free(p);
        return NULL;
    }
    p->size_bytes = (int64_t)sb.st_size;
    p->rel_path = g_strdup_printf("%s/%s/%s", base, sub, fname);
    p->source = g_string_free(g_steal_pointer(&source), FALSE);
    return p;
}

/* Start-up, before the SCP listens: index what was answered "stored"
 * but not indexed when the server stopped (killed, crashed). */
static void
recover(struct tc_srv__dicom *d)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    guint n = 0;

    if (!g_file_get_contents(d->journal_path, &text, NULL, NULL)) {
        return;
    }
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        struct pending *p = lines[i][0] ? recover_one(d, lines[i]) : NULL;
        if (p) {
            g_ptr_array_add(d->queue, p);
            n++;
        }
    }
    if (n == 0) {
        g_mutex_lock(&d->lock);
        journal_indexed(d);
        g_mutex_unlock(&d->lock);
        return;
    }
    g_message("dicom: indexing %u instances from the journal (answered "
              "before the last stop, not indexed then)",
              n);
    g_atomic_int_set(&d->queued, (gint)n);
    drain(d);
}

/* Leftovers of receptions cut short by a crash are never indexed. */
static void
clear_tmp(const char *tmp_dir)
{
    g_autoptr(GDir) dir = g_dir_open(tmp_dir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(tmp_dir, name, NULL);
        g_unlink(path);
    }
}

/* mkdir, remembering it in `created` when it is new. */
static int
make_dir(const char *path, GPtrArray *created, char **errmsg)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        return 0;
    }
    if (g_mkdir(path, 0750) < 0) {
        *errmsg = g_strdup_printf("dicom: %s: %s", path, g_strerror(errno));
        return -EIO;
    }
    g_ptr_array_add(created, g_strdup(path));
    return 0;
}

int
tc_srv__dicom_start(struct tc_srv *srv, GPtrArray *created, char **errmsg)
{
    const struct tc_srv_dicom_config *c = &srv->cfg->dicom;
    struct tc_srv__dicom *d = g_new0(struct tc_srv__dicom, 1);
    int rc;

    d->srv = srv;
    d->dir = g_build_filename(srv->cfg->data_dir, "dicom", NULL);
    d->tmp_dir = g_build_filename(d->dir, "tmp", NULL);
    d->journal_path = g_build_filename(d->dir, "journal.log", NULL);
    d->refused_path = g_build_filename(d->dir, "refused.log", NULL);
    g_mutex_init(&d->lock);
    d->queue = g_ptr_array_new_with_free_func(pending_free);
    srv->dicom = d;
    rc = make_dir(d->dir, created, errmsg);
    if (rc == 0) {
        rc = make_dir(d->tmp_dir, created, errmsg);
    }
    /* The 256 directories of the store, made once here rather than by
     * the first instance of each (a mkdir in the C-STORE path). */
    for (int i = 0; rc == 0 && i < 256; i++) {
        char sub[3];
        g_autofree char *path = NULL;
        g_snprintf(sub, sizeof(sub), "%02x", i);
        path = g_build_filename(d->dir, sub, NULL);
        rc = make_dir(path, created, errmsg);
    }
    if (rc < 0) {
        return rc;
    }
    clear_tmp(d->tmp_dir);
    rc = parse_tables(d, c, errmsg);
    if (rc < 0) {
        return rc;
    }
    d->fwd = tc_srv__forwarder_start(srv, d->dests);
    rc = journal_open(d, created, errmsg);
    if (rc < 0) {
        return rc;
    }
    recover(d);
    return c->listen_host ? start_scp(d, c, errmsg) : 0;
}

void
tc_srv__dicom_stop(struct tc_srv *srv)
{
    struct tc_srv__dicom *d = srv->dicom;

    if (!d) {
        return;
    }
    /* Association threads never wait for the main thread: stop them,
     * then index what they queued. */
    tc_media_dicom_scp_stop(d->scp);
    drain(d);
    g_mutex_lock(&d->lock);
    if (d->drain) {
        /* A commit failed: the journal keeps those for the next start. */
        g_source_remove(d->drain);
        d->drain = 0;
    }
    g_mutex_unlock(&d->lock);
    tc_srv__forwarder_stop(d->fwd);
    if (d->peers) {
        g_array_free(d->peers, TRUE);
    }
    if (d->dests) {
        g_array_free(d->dests, TRUE);
    }
    if (d->routes) {
        g_array_free(d->routes, TRUE);
    }
    g_ptr_array_unref(d->queue);
    g_mutex_clear(&d->lock);
    g_free(d->dir);
    g_free(d->tmp_dir);
    tc_srv__dicom_journal_close(d->journal);
    g_free(d->journal_path);
    g_free(d->refused_path);
    g_free(d);
    srv->dicom = NULL;
}
