// SPDX-License-Identifier: Apache-2.0
/*
 * api-stow.c - STOW-RS: POST /dicom-web/studies with a
 * multipart/related; type="application/dicom" body of Part-10 instances.
 *
 *   main: role and media type checks, split the body (multipart.c),
 *         copy the parts, defer the answer
 *   worker: each part to a temporary file, read with DCMTK (complete,
 *           parses, has its UIDs), then into the content-addressed store
 *   main: index each stored part as the C-STORE path does (dicom.c),
 *         answer the PS3.18 store response: ReferencedSOPSequence for
 *         what was stored, FailedSOPSequence (with a FailureReason) for
 *         the rest; 200 all stored, 202 some, 409 none
 *
 * Who may store: township doctors, family doctors, doctors, specialists
 * and radiologists (the people who send studies for reading); the study
 * then belongs to the resident its Patient ID matches, or waits on the
 * reconciliation list. Each stored instance is audited as a create.
 *
 * Thread: main, except stow_work() (a worker: files only).
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-dicom.h"

#define HAS_ROLE(who, r) (((who)->roles >> (TC_SRV__ROLE_##r)) & 1u)

#define REASON_CANNOT_UNDERSTAND 0xC000
#define REASON_OUT_OF_RESOURCES  0xA700
#define REASON_NOT_DICOM_PART    0xA900

struct stow_part {
    GBytes *bytes;
    char content_type[128];
    /* filled by the worker */
    int reason; /* 0 when stored */
    struct tc_media_dicom_info info;
    char sha256[65];
    char *rel_path;
};

struct stow {
    struct tc_srv *srv;
    struct tc_srv__call *call;
    char *tmp_dir, *dicom_dir;
    char *base;   /* ".../dicom-web", for RetrieveURLs */
    bool durable; /* fsync each file ([database] synchronous = full) */
    struct stow_part *parts;
    size_t n;
};

static void
stow_free(struct stow *j)
{
    for (size_t i = 0; i < j->n; i++) {
        g_bytes_unref(j->parts[i].bytes);
        free(j->parts[i].rel_path);
    }
    g_free(j->parts);
    g_free(j->tmp_dir);
    g_free(j->dicom_dir);
    g_free(j->base);
    g_free(j);
}

/* Worker: one part into the store. */
static void
store_part(struct stow *j, struct stow_part *p)
{
    g_autofree char *path = g_build_filename(j->tmp_dir, "stow-XXXXXX", NULL);
    gsize len = 0;
    const char *data = g_bytes_get_data(p->bytes, &len);
    char *err = NULL;
    bool existed = false;
    int fd;

    if (p->content_type[0] &&
        !g_str_has_prefix(p->content_type, "application/dicom")) {
        p->reason = REASON_NOT_DICOM_PART;
        return;
    }
    fd = g_mkstemp(path);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
        p->reason = REASON_OUT_OF_RESOURCES;
        if (fd >= 0) {
            close(fd);
            g_unlink(path);
        }
        return;
    }
    close(fd);
    if (tc_media_dicom_info_read(path, &p->info, &err) < 0 ||
        tc_media_dicom_store(j->dicom_dir, path, j->durable, p->sha256,
                             &p->rel_path, &existed, &err) < 0) {
        p->reason = REASON_CANNOT_UNDERSTAND;
        g_message("STOW-RS: part refused: %s", err);
        free(err);
        g_unlink(path);
    }
}

static void
stow_work(void *data)
{
    struct stow *j = data;

    for (size_t i = 0; i < j->n; i++) {
        store_part(j, &j->parts[i]);
    }
}

static json_t *
ref_item(const struct stow_part *p, const char *base, int reason)
{
    json_t *o = json_object();

    json_object_set_new(
        o, "00081150",
        json_pack("{s:s,s:[s]}", "vr", "UI", "Value", p->info.sop_class_uid));
    json_object_set_new(o, "00081155",
                        json_pack("{s:s,s:[s]}", "vr", "UI", "Value",
                                  p->info.sop_instance_uid));
    if (reason) {
        json_object_set_new(
            o, "00081197",
            json_pack("{s:s,s:[i]}", "vr", "US", "Value", reason));
    } else {
        g_autofree char *url = g_strdup_printf(
            "%s/studies/%s/series/%s/instances/%s", base, p->info.study_uid,
            p->info.series_uid, p->info.sop_instance_uid);
        json_object_set_new(
            o, "00081190", json_pack("{s:s,s:[s]}", "vr", "UR", "Value", url));
    }
    return o;
}

/* Headers are readable only before the call is deferred. */
static char *
base_url(struct tc_srv *srv, struct tc_srv__call *call)
{
    char host[256] = "";

    if (tc_srv__call_header(call, "host", host, sizeof(host)) <= 0) {
        g_snprintf(host, sizeof(host), "%s:%d", srv->cfg->listen_host,
                   srv->port);
    }
    return g_strdup_printf("%s://%s/dicom-web",
                           srv->cfg->tls ? "https" : "http", host);
}

/* Main thread: index what the worker stored, answer. */
static void
stow_done(void *data)
{
    struct stow *j = data;
    json_t *ok = json_array(), *failed = json_array(), *doc = json_object();
    const char *base = j->base;
    size_t n_ok = 0;

    for (size_t i = 0; i < j->n; i++) {
        struct stow_part *p = &j->parts[i];
        struct tc_srv__dicom_arrival a = {
            .info = &p->info,
            .sha256 = p->sha256,
            .rel_path = p->rel_path,
            .size_bytes = (int64_t)g_bytes_get_size(p->bytes),
            .source = "STOW-RS",
        };
        const char *why = NULL;
        int64_t study = 0;

        if (p->reason == 0 &&
            tc_srv__dicom_index(j->srv, j->call->req.who, &a, &study, &why) ==
                TC_SRV__DICOM_REFUSED) {
            p->reason = REASON_CANNOT_UNDERSTAND;
        }
        if (p->reason) {
            json_array_append_new(failed, ref_item(p, base, p->reason));
        } else {
            json_array_append_new(ok, ref_item(p, base, 0));
            n_ok++;
        }
    }
    json_object_set_new(doc, "00081199",
                        json_pack("{s:s,s:o}", "vr", "SQ", "Value", ok));
    json_object_set_new(doc, "00081198",
                        json_pack("{s:s,s:o}", "vr", "SQ", "Value", failed));
    tc_srv__resp_doc(&j->call->resp,
                     n_ok == j->n ? 200
                     : n_ok       ? 202
                                  : 409,
                     "application/dicom+json", doc);
    json_decref(doc);
    tc_srv__call_resume(j->call);
    stow_free(j);
}

static bool
may_store(const struct tc_srv__who *who)
{
    return HAS_ROLE(who, TOWNSHIP_DOCTOR) || HAS_ROLE(who, FAMILY_DOCTOR) ||
           HAS_ROLE(who, DOCTOR) || HAS_ROLE(who, SPECIALIST) ||
           HAS_ROLE(who, RADIOLOGIST);
}

/* multipart/related with type application/dicom (quoted or not). */
static bool
stow_media_type(const char *ct)
{
    g_autofree char *lower = g_ascii_strdown(ct, -1);

    return g_str_has_prefix(lower, "multipart/related") &&
           (strstr(lower, "type=\"application/dicom\"") ||
            strstr(lower, "type=application/dicom"));
}

void
tc_srv__stow(struct tc_srv *srv, struct tc_srv__call *call)
{
    char ct[512] = "";
    const char *why = NULL;
    GArray *parts = NULL;
    struct stow *j;

    if (!may_store(call->req.who)) {
        tc_srv__deny(srv, call, TC_REC_AUDIT_CREATE, "imaging_study", 0, 0,
                     "only doctors and radiologists store studies");
        return;
    }
    if (tc_srv__call_header(call, "content-type", ct, sizeof(ct)) <= 0 ||
        !stow_media_type(ct)) {
        tc_srv__resp_error_field(&call->resp, 415, "Content-Type",
                                 "Content-Type: multipart/related; "
                                 "type=\"application/dicom\" is required");
        return;
    }
    if (tc_srv__multipart_parse(ct, call->req.body, call->req.body_len, &parts,
                                &why) < 0) {
        tc_srv__resp_error_field(&call->resp, 400, "body", why);
        return;
    }
    if (parts->len == 0) {
        g_array_free(parts, TRUE);
        tc_srv__resp_error_field(&call->resp, 400, "body",
                                 "body: no instance in the request");
        return;
    }
    j = g_new0(struct stow, 1);
    j->srv = srv;
    j->tmp_dir = g_strdup(tc_srv__dicom_tmp_dir(srv));
    j->dicom_dir = g_strdup(tc_srv__dicom_dir(srv));
    j->base = base_url(srv, call);
    j->durable = srv->cfg->sync_full;
    j->n = parts->len;
    j->parts = g_new0(struct stow_part, j->n);
    for (size_t i = 0; i < j->n; i++) {
        const struct tc_srv__part *p =
            &g_array_index(parts, struct tc_srv__part, i);
        j->parts[i].bytes = g_bytes_new(p->data, p->len);
        g_strlcpy(j->parts[i].content_type, p->content_type,
                  sizeof(j->parts[i].content_type));
    }
    g_array_free(parts, TRUE);
    j->call = tc_srv__call_defer(call);
    tc_srv__work_submit(srv, stow_work, stow_done, j);
}
