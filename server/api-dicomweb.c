// SPDX-License-Identifier: Apache-2.0
/*
 * api-dicomweb.c - DICOMweb under /dicom-web (PS3.18): QIDO-RS searches
 * of studies, series and instances, WADO-RS retrieval of a study, series
 * or instance (multipart/related; type="application/dicom", the stored
 * Part-10 files byte for byte) and their metadata (application/dicom+json,
 * without bulk data), and STOW-RS (api-stow.c).
 *
 * Access: the API's bearer tokens and access policy. A study is policy
 * kind study of its resident: QIDO returns only the studies the caller
 * may read (each returned one is audited as read; limit and offset count
 * before that filter), WADO checks and audits the study. A study not yet
 * matched to a resident is on the reconciliation list, not here (except
 * through break-glass).
 *
 * QIDO answers from the index (records), not from the files: the
 * attributes are the ones the index keeps (docs/api.md lists them).
 *
 * Thread: main. WADO reads the files on the main thread: studies from
 * township clinics are small (CR, DX, a few CT series); see docs/api.md.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-dicom.h"
#include "tc-records.h"

#define DICOM_JSON "application/dicom+json"
#define IMAGING    "imaging_study"

/* ---- the DICOM JSON model ---- */

static void
put_value(json_t *o, const char *tag, const char *vr, json_t *value)
{
    json_object_set_new(o, tag,
                        json_pack("{s:s,s:[o]}", "vr", vr, "Value", value));
}

static void
put_str(json_t *o, const char *tag, const char *vr, const char *v)
{
    if (v && v[0]) {
        put_value(o, tag, vr, json_string(v));
    }
}

/* A YYYY-MM-DD date from the index as DICOM DA. */
static void
put_date(json_t *o, const char *tag, const char *iso)
{
    char da[9];

    if (iso && strlen(iso) == 10) {
        g_snprintf(da, sizeof(da), "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
        put_str(o, tag, "DA", da);
    }
}

static void
put_int(json_t *o, const char *tag, const char *vr, long long n)
{
    put_value(o, tag, vr, json_integer(n));
}

/* A backslash-separated multi-value. */
static void
put_multi(json_t *o, const char *tag, const char *vr, const char *v)
{
    g_auto(GStrv) parts = NULL;
    json_t *arr;

    if (!v || !v[0]) {
        return;
    }
    parts = g_strsplit(v, "\\", -1);
    arr = json_array();
    for (size_t i = 0; parts[i]; i++) {
        json_array_append_new(arr, json_string(parts[i]));
    }
    json_object_set_new(o, tag,
                        json_pack("{s:s,s:o}", "vr", vr, "Value", arr));
}

/* PN: "alphabetic=ideographic=phonetic" as the JSON model's groups. */
static void
put_pn(json_t *o, const char *tag, const char *v)
{
    static const char *const groups[] = {"Alphabetic", "Ideographic",
                                         "Phonetic"};
    g_auto(GStrv) parts = NULL;
    json_t *pn;

    if (!v || !v[0]) {
        return;
    }
    parts = g_strsplit(v, "=", 3);
    pn = json_object();
    for (size_t i = 0; parts[i] && i < 3; i++) {
        if (parts[i][0]) {
            json_object_set_new(pn, groups[i], json_string(parts[i]));
        }
    }
    put_value(o, tag, "PN", pn);
}

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

static json_t *
study_json(const struct tc_rec_imaging_study *s, const char *base)
{
    json_t *o = json_object();
    g_autofree char *url =
        g_strdup_printf("%s/studies/%s", base, s->study_uid);

    put_str(o, "0020000D", "UI", s->study_uid);
    put_date(o, "00080020", s->study_date);
    put_str(o, "00080030", "TM", s->study_time);
    put_str(o, "00080050", "SH", s->accession);
    put_multi(o, "00080061", "CS", s->modalities);
    put_str(o, "00081030", "LO", s->description);
    put_pn(o, "00100010", s->patient_name);
    put_str(o, "00100020", "LO", s->patient_dicom_id);
    put_date(o, "00100030", s->patient_birth_date);
    put_str(o, "00100040", "CS", s->patient_sex);
    put_int(o, "00201206", "IS", s->n_series);
    put_int(o, "00201208", "IS", s->n_instances);
    put_str(o, "00081190", "UR", url);
    return o;
}

/* ---- QIDO-RS ---- */

/* Query keys QIDO accepts here; others are refused (400) rather than
 * silently not matched. */
static const char *const qido_keys[] = {"PatientID",
                                        "00100020",
                                        "StudyDate",
                                        "00080020",
                                        "ModalitiesInStudy",
                                        "00080061",
                                        "StudyInstanceUID",
                                        "0020000D",
                                        "limit",
                                        "offset",
                                        "includefield",
                                        "fuzzymatching",
                                        NULL};

static bool
qido_keys_known(struct tc_srv__call *call)
{
    g_auto(GStrv) pairs = g_strsplit(call->req.query, "&", -1);

    for (size_t i = 0; pairs[i]; i++) {
        g_autofree char *key = g_strndup(pairs[i], strcspn(pairs[i], "="));
        if (!key[0] || g_strv_contains(qido_keys, key)) {
            continue;
        }
        tc_srv__resp_error_field(&call->resp, 400, key,
                                 "query: not a search key this server "
                                 "supports (PatientID, StudyDate, "
                                 "ModalitiesInStudy, StudyInstanceUID, "
                                 "limit, offset)");
        return false;
    }
    return true;
}

static bool
query_either(struct tc_srv__call *call, const char *name, const char *tag,
             char *buf, size_t len)
{
    return tc_srv__query_get(&call->req, name, buf, len) ||
           tc_srv__query_get(&call->req, tag, buf, len);
}

/* "YYYYMMDD" into out[11] as YYYY-MM-DD; false unless a real date. */
static bool
da_to_iso(const char *da, size_t n, char out[11])
{
    GDate d;

    if (n != 8 || strspn(da, "0123456789") < 8) {
        return false;
    }
    g_snprintf(out, 11, "%.4s-%.2s-%.2s", da, da + 4, da + 6);
    g_date_clear(&d, 1);
    g_date_set_parse(&d, out);
    return g_date_valid(&d) && atoi(da + 6) == (int)g_date_get_day(&d);
}

/* StudyDate: DATE, DATE-, -DATE or DATE-DATE (DICOM range matching). */
static bool
study_date_range(struct tc_srv__call *call, char from[11], char to[11],
                 struct tc_rec_imaging_query *q)
{
    char v[32];
    const char *dash;

    if (!query_either(call, "StudyDate", "00080020", v, sizeof(v))) {
        return true;
    }
    dash = strchr(v, '-');
    if (!dash) {
        if (!da_to_iso(v, strlen(v), from)) {
            goto bad;
        }
        q->date_from = q->date_to = from;
        return true;
    }
    if ((dash > v && !da_to_iso(v, (size_t)(dash - v), from)) ||
        (dash[1] && !da_to_iso(dash + 1, strlen(dash + 1), to)) ||
        (dash == v && !dash[1])) {
        goto bad;
    }
    q->date_from = dash > v ? from : NULL;
    q->date_to = dash[1] ? to : NULL;
    return true;
bad:
    tc_srv__resp_error_field(&call->resp, 400, "StudyDate",
                             "StudyDate: YYYYMMDD, or a range YYYYMMDD-"
                             "YYYYMMDD (either end may be left open)");
    return false;
}

/* Whether the caller may read study s (no audit: for filtering). */
static bool
may_read(struct tc_srv *srv, struct tc_srv__call *call,
         const struct tc_rec_imaging_study *s)
{
    int64_t me = call->req.who->practitioner_id;
    struct tc_srv__target t = {
        .action = TC_SRV__ACT_READ,
        .kind = TC_SRV__KIND_STUDY,
        .resident_id = s->resident_id,
        .entity_type = IMAGING,
        .entity_id = s->id,
        .assigned_reader = me > 0 && s->radiologist_id == me,
    };
    struct tc_srv__decision d;

    return s->resident_id > 0 && tc_srv__policy_peek(srv, call, &t, &d) == 0 &&
           d.allow;
}

static void
qido_studies(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_imaging_query q = {0};
    struct tc_rec_imaging_study_list *list = NULL;
    char pid[256], mod[17], uid[65], from[11], to[11];
    g_autofree char *base = NULL;
    long limit = 100, offset = 0;
    json_t *arr;
    int rc;

    if (!qido_keys_known(call) || !study_date_range(call, from, to, &q) ||
        !tc_srv__query_int(call, "limit", 100, 1, 1000, &limit) ||
        !tc_srv__query_int(call, "offset", 0, 0, 1000000, &offset)) {
        return;
    }
    if (query_either(call, "PatientID", "00100020", pid, sizeof(pid))) {
        q.patient_dicom_id = pid;
    }
    if (query_either(call, "ModalitiesInStudy", "00080061", mod,
                     sizeof(mod))) {
        q.modality = mod;
    }
    if (query_either(call, "StudyInstanceUID", "0020000D", uid, sizeof(uid))) {
        q.study_uid = uid;
    }
    q.limit = (int)limit;
    q.offset = (int)offset;
    rc = tc_rec_imaging_query(srv->db, &q, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    base = base_url(srv, call);
    arr = json_array();
    for (size_t i = 0; i < list->count; i++) {
        const struct tc_rec_imaging_study *s = &list->items[i];
        if (!may_read(srv, call, s)) {
            continue;
        }
        tc_srv__audit(srv, call, TC_REC_AUDIT_READ, IMAGING, s->id,
                      s->resident_id, TC_REC_AUDIT_SUCCESS, "QIDO-RS", NULL);
        json_array_append_new(arr, study_json(s, base));
    }
    tc_rec_imaging_study_list_free(list);
    tc_srv__resp_doc(&call->resp, 200, DICOM_JSON, arr);
    json_decref(arr);
}

/* The study named by path parameter 0, checked and audited for reading. */
static bool
study_open(struct tc_srv *srv, struct tc_srv__call *call,
           struct tc_rec_imaging_study **out)
{
    int64_t id = 0, me = call->req.who->practitioner_id;
    int rc = tc_rec_imaging_study_find(srv->db, call->req.params[0], &id);
    struct tc_srv__target t = {
        .action = TC_SRV__ACT_READ,
        .kind = TC_SRV__KIND_STUDY,
        .entity_type = IMAGING,
        .entity_id = id,
    };

    if (rc == 0) {
        rc = tc_rec_imaging_study_get(srv->db, id, out);
    }
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    t.resident_id = (*out)->resident_id;
    t.assigned_reader = me > 0 && (*out)->radiologist_id == me;
    return tc_srv__policy_check(srv, call, &t);
}

static void
qido_series(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_imaging_study *s = NULL;
    json_t *arr;

    if (!study_open(srv, call, &s)) {
        tc_rec_imaging_study_free(s);
        return;
    }
    arr = json_array();
    for (int i = 0; i < s->n_series; i++) {
        const struct tc_rec_imaging_series *x = &s->series[i];
        json_t *o = json_object();
        put_str(o, "0020000D", "UI", s->study_uid);
        put_str(o, "0020000E", "UI", x->series_uid);
        put_str(o, "00080060", "CS", x->modality);
        if (x->number >= 0) {
            put_int(o, "00200011", "IS", x->number);
        }
        put_str(o, "0008103E", "LO", x->description);
        put_int(o, "00201209", "IS", x->n_instances);
        json_array_append_new(arr, o);
    }
    tc_rec_imaging_study_free(s);
    tc_srv__resp_doc(&call->resp, 200, DICOM_JSON, arr);
    json_decref(arr);
}

/* The instances of series path parameter 1 of the open study. */
static bool
series_instances(struct tc_srv *srv, struct tc_srv__call *call,
                 const struct tc_rec_imaging_study *s,
                 struct tc_rec_imaging_instance_list **out)
{
    int64_t series = 0;
    int rc = tc_rec_imaging_series_find(srv->db, s->id, call->req.params[1],
                                        &series);

    if (rc == 0) {
        rc = tc_rec_imaging_instance_list(srv->db, series, out);
    }
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    return true;
}

static void
qido_instances(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_imaging_instance_list *l = NULL;
    struct tc_rec_imaging_study *s = NULL;
    json_t *arr;

    if (!study_open(srv, call, &s) || !series_instances(srv, call, s, &l)) {
        tc_rec_imaging_study_free(s);
        return;
    }
    arr = json_array();
    for (size_t i = 0; i < l->count; i++) {
        const struct tc_rec_imaging_instance *x = &l->items[i];
        json_t *o = json_object();
        put_str(o, "0020000D", "UI", s->study_uid);
        put_str(o, "0020000E", "UI", call->req.params[1]);
        put_str(o, "00080016", "UI", x->sop_class_uid);
        put_str(o, "00080018", "UI", x->sop_instance_uid);
        if (x->instance_number > 0) {
            put_int(o, "00200013", "IS", x->instance_number);
        }
        put_str(o, "00083002", "UI", x->transfer_syntax);
        json_array_append_new(arr, o);
    }
    tc_rec_imaging_instance_list_free(l);
    tc_rec_imaging_study_free(s);
    tc_srv__resp_doc(&call->resp, 200, DICOM_JSON, arr);
    json_decref(arr);
}

/* ---- WADO-RS ---- */

/* The storage paths of the instances asked for: the whole study, one
 * series (params[1]) or one instance (params[2]). */
static GPtrArray *
paths_of(struct tc_srv *srv, struct tc_srv__call *call,
         const struct tc_rec_imaging_study *s)
{
    GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
    int n = call->req.n_params;

    for (int i = 0; i < s->n_series; i++) {
        struct tc_rec_imaging_instance_list *l = NULL;
        if (n >= 2 && strcmp(s->series[i].series_uid, call->req.params[1])) {
            continue;
        }
        if (tc_rec_imaging_instance_list(srv->db, s->series[i].id, &l) < 0) {
            continue;
        }
        for (size_t k = 0; k < l->count; k++) {
            if (n >= 3 &&
                strcmp(l->items[k].sop_instance_uid, call->req.params[2])) {
                continue;
            }
            g_ptr_array_add(paths,
                            g_build_filename(srv->cfg->data_dir,
                                             l->items[k].storage_path, NULL));
        }
        tc_rec_imaging_instance_list_free(l);
    }
    return paths;
}

static bool
wado_open(struct tc_srv *srv, struct tc_srv__call *call,
          struct tc_rec_imaging_study **s, GPtrArray **paths)
{
    if (!study_open(srv, call, s)) {
        return false;
    }
    *paths = paths_of(srv, call, *s);
    if ((*paths)->len == 0) {
        tc_srv__resp_error(&call->resp, 404,
                           call->req.n_params >= 3
                               ? "no such instance in the series"
                               : "no such series in the study");
        return false;
    }
    return true;
}

/* Boundaries to choose from: the first one no part contains. */
static const char *const boundaries[] = {
    "telecare-4f2c9a1e8b7d4c3a9e6f0b2d1c5a7e93",
    "telecare-b81e3d6c0a9f47e2b5d8c1a6f3e90d47",
    "telecare-2d9b7e4a1c6f83d5a0e7b4c9f1d2a8e6",
};
static const char *const multipart_types[] = {
    "multipart/related; type=\"application/dicom\"; "
    "boundary=telecare-4f2c9a1e8b7d4c3a9e6f0b2d1c5a7e93",
    "multipart/related; type=\"application/dicom\"; "
    "boundary=telecare-b81e3d6c0a9f47e2b5d8c1a6f3e90d47",
    "multipart/related; type=\"application/dicom\"; "
    "boundary=telecare-2d9b7e4a1c6f83d5a0e7b4c9f1d2a8e6",
};

static void
wado(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_imaging_study *s = NULL;
    GPtrArray *paths = NULL, *files = g_ptr_array_new_with_free_func(
                                 (GDestroyNotify)g_bytes_unref);
    size_t b = 0;

    if (!wado_open(srv, call, &s, &paths)) {
        goto out;
    }
    for (guint i = 0; i < paths->len; i++) {
        g_autoptr(GError) err = NULL;
        char *data = NULL;
        gsize len = 0;
        if (!g_file_get_contents(paths->pdata[i], &data, &len, &err)) {
            g_warning("WADO: a stored file of study %lld is unreadable: %s",
                      (long long)s->id, err->message);
            tc_srv__resp_error(&call->resp, 500,
                               "a stored file is "
                               "unreadable");
            goto out;
        }
        g_ptr_array_add(files, g_bytes_new_take(data, len));
        while (b < G_N_ELEMENTS(boundaries) &&
               memmem(data, len, boundaries[b], strlen(boundaries[b]))) {
            b++;
        }
    }
    if (b == G_N_ELEMENTS(boundaries)) {
        tc_srv__resp_error(&call->resp, 500, "no multipart boundary fits");
        goto out;
    }
    call->resp.status = 200;
    call->resp.content_type = multipart_types[b];
    for (guint i = 0; i < files->len; i++) {
        gsize len = 0;
        const char *data = g_bytes_get_data(files->pdata[i], &len);
        g_string_append_printf(call->resp.body,
                               "--%s\r\nContent-Type: application/dicom\r\n"
                               "Content-Length: %zu\r\n\r\n",
                               boundaries[b], len);
        g_string_append_len(call->resp.body, data, (gssize)len);
        g_string_append(call->resp.body, "\r\n");
    }
    g_string_append_printf(call->resp.body, "--%s--\r\n", boundaries[b]);
out:
    if (paths) {
        g_ptr_array_free(paths, TRUE);
    }
    g_ptr_array_free(files, TRUE);
    tc_rec_imaging_study_free(s);
}

static void
wado_metadata(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_imaging_study *s = NULL;
    GPtrArray *paths = NULL;
    GString *out = g_string_new("[");

    if (!wado_open(srv, call, &s, &paths)) {
        goto done;
    }
    for (guint i = 0; i < paths->len; i++) {
        char *json = NULL, *err = NULL;
        if (tc_media_dicom_json(paths->pdata[i], &json, &err) < 0) {
            g_warning("WADO metadata of study %lld: %s", (long long)s->id,
                      err);
            free(err);
            tc_srv__resp_error(&call->resp, 500,
                               "a stored file is "
                               "unreadable");
            goto done;
        }
        g_string_append(out, i ? "," : "");
        g_string_append(out, json);
        free(json);
    }
    g_string_append(out, "]");
    call->resp.status = 200;
    call->resp.content_type = DICOM_JSON;
    g_string_append_len(call->resp.body, out->str, (gssize)out->len);
done:
    if (paths) {
        g_ptr_array_free(paths, TRUE);
    }
    g_string_free(out, TRUE);
    tc_rec_imaging_study_free(s);
}

const struct tc_srv__route tc_srv__routes_dicomweb[] = {
    {"POST", "/dicom-web/studies", tc_srv__stow, 0},
    {"GET", "/dicom-web/studies", qido_studies, 0},
    {"GET", "/dicom-web/studies/{study}", wado, 0},
    {"GET", "/dicom-web/studies/{study}/metadata", wado_metadata, 0},
    {"GET", "/dicom-web/studies/{study}/series", qido_series, 0},
    {"GET", "/dicom-web/studies/{study}/series/{series}", wado, 0},
    {"GET", "/dicom-web/studies/{study}/series/{series}/metadata",
     wado_metadata, 0},
    {"GET", "/dicom-web/studies/{study}/series/{series}/instances",
     qido_instances, 0},
    {"GET", "/dicom-web/studies/{study}/series/{series}/instances/{sop}", wado,
     0},
    {"GET",
     "/dicom-web/studies/{study}/series/{series}/instances/{sop}/metadata",
     wado_metadata, 0},
    {NULL, NULL, NULL, 0},
};
