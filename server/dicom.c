// SPDX-License-Identifier: Apache-2.0
/*
 * dicom.c - DICOM store-and-forward on the server's side: the SCP's
 * callbacks, the content-addressed store under data_dir/dicom, and the
 * one indexing step that C-STORE and STOW-RS share.
 *
 *   association thread (media)          main thread
 *   --------------------------          -----------
 *   instance received whole, checked
 *   -> hash, fsync, rename into
 *      dicom/<aa>/<sha256>.dcm
 *   -> hand over, wait  ------------->  tc_srv__dicom_index():
 *                                         patient match, index (or flag
 *                                         a conflict), forwarding queue,
 *                                         audit
 *   <- C-STORE-RSP with the status <--  status
 *
 * The main loop never blocks on the network or on file I/O of an
 * instance: it only indexes. An association thread waits for the main
 * thread, so an answer "stored" means indexed. What the main thread
 * refuses stays on disk unindexed (content-addressed: a later retry finds
 * the same file) and the peer gets a failure status.
 *
 * Logs name AE titles, sizes, ids and rules, never patient data.
 *
 * Thread: main, except the callbacks marked otherwise.
 */
#define G_LOG_DOMAIN "dicom"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "server-int.h"
#include "tc-dicom.h"

struct tc_srv__dicom {
    struct tc_srv *srv;
    char *dir, *tmp_dir;
    GArray *peers, *dests, *routes; /* read-only once started */
    struct tc_media_dicom_scp *scp;
    struct tc_srv__forwarder *fwd;
};

/* One instance handed from an association thread to the main thread. */
struct handover {
    struct tc_srv__dicom *d;
    const struct tc_srv__dicom_arrival *a;
    GMutex lock;
    GCond cond;
    bool done;       /* protected by lock */
    uint16_t status; /* protected by lock */
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

/* DICOM DA "YYYYMMDD" as "YYYY-MM-DD" into out[11]; NULL if not one. */
static const char *
iso_date(const char *da, char out[11])
{
    if (strlen(da) != 8 || strspn(da, "0123456789") != 8) {
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
    if (queued) {
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
        .received_at_us = g_get_real_time(),
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

static gboolean
index_on_main(gpointer data)
{
    struct handover *h = data;
    struct tc_srv__who who = {0};
    const char *why = NULL;
    int64_t study = 0;
    enum tc_srv__dicom_outcome o;

    g_snprintf(who.username, sizeof(who.username), "dicom:%s", h->a->source);
    o = tc_srv__dicom_index(h->d->srv, &who, h->a, &study, &why);
    g_mutex_lock(&h->lock);
    h->status = o == TC_SRV__DICOM_REFUSED
                    ? TC_MEDIA_DICOM_STATUS_CANNOT_UNDERSTAND
                    : TC_MEDIA_DICOM_STATUS_SUCCESS;
    h->done = true;
    g_cond_signal(&h->cond);
    g_mutex_unlock(&h->lock);
    return G_SOURCE_REMOVE;
}

/* Association thread: store the file, then wait for the main thread. */
static uint16_t
on_store(const struct tc_media_dicom_received *r, void *user)
{
    struct tc_srv__dicom *d = user;
    char sha[65], *rel = NULL, *err = NULL;
    bool existed = false;
    struct tc_srv__dicom_arrival a = {
        .info = r->info,
        .sha256 = sha,
        .size_bytes = (int64_t)r->size_bytes,
        .source = r->calling_ae,
        .org_id = peer_org(d, r->calling_ae),
    };
    struct handover h = {.d = d, .a = &a};
    uint16_t status;

    if (tc_media_dicom_store(d->dir, r->tmp_path, d->srv->cfg->sync_full, sha,
                             &rel, &existed, &err) < 0) {
        g_warning("dicom: instance from %s not stored: %s", r->calling_ae,
                  err);
        free(err);
        return TC_MEDIA_DICOM_STATUS_OUT_OF_RES;
    }
    a.rel_path = rel;
    g_mutex_init(&h.lock);
    g_cond_init(&h.cond);
    g_main_context_invoke(NULL, index_on_main, &h);
    g_mutex_lock(&h.lock);
    while (!h.done) {
        g_cond_wait(&h.cond, &h.lock);
    }
    status = h.status;
    g_mutex_unlock(&h.lock);
    g_cond_clear(&h.cond);
    g_mutex_clear(&h.lock);
    free(rel);
    return status;
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
    srv->dicom = d;
    rc = make_dir(d->dir, created, errmsg);
    if (rc == 0) {
        rc = make_dir(d->tmp_dir, created, errmsg);
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
    return c->listen_host ? start_scp(d, c, errmsg) : 0;
}

struct stopper {
    struct tc_media_dicom_scp *scp;
    gint done; /* atomic */
};

static gpointer
stop_scp(gpointer data)
{
    struct stopper *s = data;

    tc_media_dicom_scp_stop(s->scp);
    g_atomic_int_set(&s->done, 1);
    g_main_context_wakeup(NULL);
    return NULL;
}

void
tc_srv__dicom_stop(struct tc_srv *srv)
{
    struct tc_srv__dicom *d = srv->dicom;

    if (!d) {
        return;
    }
    if (d->scp) {
        /* Associations still running wait for the main thread to index
         * what they received: keep it turning until they are done. */
        struct stopper s = {.scp = d->scp};
        GThread *t = g_thread_new("dicom-stop", stop_scp, &s);
        while (!g_atomic_int_get(&s.done)) {
            g_main_context_iteration(NULL, TRUE);
        }
        g_thread_join(t);
    }
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
    g_free(d->dir);
    g_free(d->tmp_dir);
    g_free(d);
    srv->dicom = NULL;
}
