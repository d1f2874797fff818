// SPDX-License-Identifier: Apache-2.0
/*
 * test-ecg-import.c - remote ECG over HTTP against the real
 * telecare-server (test-ecg.c streams; this file does the rest): a
 * device assigned to a resident and unassigned; WFDB records imported
 * (s0010_re, format 16 in two files) into the reading worklist and read
 * back as a FHIR waveform; malformed imports refused naming the problem,
 * and one for an unknown reader leaving nothing behind; the demo DICOM
 * 12-lead waveform imported sample for sample as DCMTK reads it, bad
 * DICOM refused, and the resident and time taken from the object.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>
#include <sqlite3.h>

#include "ecg-demo.h"
#include "sig-util.h"
#include "tc-client.h"
#include "tc-dicom.h"
#include "tc-media.h"
#include "tc-records.h"
#include "tc-test.h"

static struct sig_fixture fx;
static char ecg_dir[4096];
static int64_t patient, reader;

static long
http_as(const char *user, const char *method, const char *path,
        const char *body, json_t **out)
{
    char *token = sig_token(&fx, user);
    struct tc_http_reply reply = {0};
    long status;

    fx.h.bearer = token;
    if (tc_http(&fx.h, method, path, body, body ? strlen(body) : 0,
                body ? "application/json" : NULL, &reply) < 0) {
        reply.status = -1;
    }
    fx.h.bearer = NULL;
    tc_sdk_token_free(token);
    status = reply.status;
    if (out) {
        *out = reply.body ? json_loads(reply.body, 0, NULL) : NULL;
    }
    if (status >= 400) {
        printf("# %s %s -> %ld %s\n", method, path, status,
               reply.body ? reply.body : "");
    }
    tc_http_reply_fini(&reply);
    return status;
}

static void
test_device_assignment_over_http(void)
{
    char path[128];

    g_snprintf(path, sizeof(path),
               "/api/v1/ecg-devices/HOME-77/residents/%" G_GINT64_FORMAT,
               patient);
    TC_CHECK_EQ(http_as("huang.xiaoyan", "PUT", path, NULL, NULL), 200);
    TC_CHECK_EQ(http_as("huang.xiaoyan", "DELETE", path, NULL, NULL), 204);
    TC_CHECK_EQ(http_as("huang.xiaoyan", "DELETE", path, NULL, NULL), 404);
    /* a therapist with no relationship to her may not */
    TC_CHECK_EQ(http_as("lin.jing", "PUT", path, NULL, NULL), 403);
}

/* An import body for record `name` of ecg_dir; `hea` replaces the header
 * text when not NULL, `skip` leaves a signal file out. */
static char *
import_body(const char *name, const char *hea, const char *skip)
{
    g_autofree char *hpath = g_strdup_printf("%s/%s.hea", ecg_dir, name);
    g_autofree char *text = NULL;
    json_t *files = json_object(), *doc;
    const char *exts[] = {".dat", ".xyz"};
    char *out;

    g_file_get_contents(hpath, &text, NULL, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(exts); i++) {
        g_autofree char *f = g_strdup_printf("%s%s", name, exts[i]);
        g_autofree char *p = g_strdup_printf("%s/%s", ecg_dir, f);
        g_autofree char *data = NULL;
        gsize len = 0;
        if ((skip && strcmp(skip, f) == 0) ||
            !g_file_get_contents(p, &data, &len, NULL)) {
            continue;
        }
        g_autofree char *b64 = g_base64_encode((guchar *)data, len);
        json_object_set_new(files, f, json_string(b64));
    }
    doc = json_pack("{s:I,s:s,s:s,s:o,s:b,s:I}", "resident_id",
                    (json_int_t)patient, "device_id", "PTB-ARCHIVE", "header",
                    hea ? hea : text, "files", files, "urgent", 1, "reader_id",
                    (json_int_t)reader);
    out = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return out;
}

static void
test_wfdb_import_worklist_and_fhir_waveform(void)
{
    struct tc_media_wfdb_record *src = ecg_demo_record(ecg_dir, "s0010_re");
    char *body = import_body("s0010_re", NULL, NULL);
    json_t *doc = NULL, *wl = NULL, *obs = NULL, *comp;
    char path[128];
    int64_t id;
    gchar **vals;
    bool same = true;

    TC_REQUIRE(src && body);
    TC_CHECK_EQ(http_as("huang.xiaoyan", "POST", "/api/v1/ecg-studies/import",
                        body, &doc),
                201);
    free(body);
    TC_REQUIRE(doc);
    id = json_integer_value(json_object_get(doc, "id"));
    TC_CHECK_EQ(json_integer_value(json_object_get(doc, "frames")), 38400);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "leads")),
                    "I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6,X,Y,Z");
    json_decref(doc);
    /* the urgent import comes first on the reader's worklist */
    TC_CHECK_EQ(
        http_as("sun.lihua", "GET", "/api/v1/worklists/ecg", NULL, &wl), 200);
    TC_CHECK(wl && json_integer_value(json_object_get(
                       json_array_get(json_object_get(wl, "items"), 0),
                       "id")) == id);
    json_decref(wl);
    /* the waveform: 2 s from 1 s on, one component per lead */
    g_snprintf(path, sizeof(path),
               "/api/v1/ecg-studies/%" G_GINT64_FORMAT
               "/waveform?start_ms=1000&duration_ms=2000",
               id);
    TC_CHECK_EQ(http_as("sun.lihua", "GET", path, NULL, &obs), 200);
    TC_REQUIRE(obs);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(obs, "resourceType")),
                    "Observation");
    TC_CHECK_EQ(json_array_size(json_object_get(obs, "component")), 15);
    comp = json_array_get(json_object_get(obs, "component"), 1);
    TC_CHECK(json_real_value(json_object_get(
                 json_object_get(comp, "valueSampledData"), "period")) == 1.0);
    TC_CHECK(fabs(json_real_value(json_object_get(
                      json_object_get(comp, "valueSampledData"), "factor")) -
                  1.0 / 2000) < 1e-12);
    vals = g_strsplit(json_string_value(json_object_get(
                          json_object_get(comp, "valueSampledData"), "data")),
                      " ", -1);
    TC_CHECK_EQ(g_strv_length(vals), 2000);
    for (int t = 0; vals[t] && t < 2000; t++) {
        if (atoi(vals[t]) != src->samples[(1000 + t) * 15 + 1]) {
            same = false;
        }
    }
    TC_CHECK(same);
    g_strfreev(vals);
    json_decref(obs);
    /* a therapist may not read it */
    TC_CHECK_EQ(http_as("lin.jing", "GET", path, NULL, NULL), 403);
    tc_media_wfdb_record_free(src);
}

/* The real header of s0010_re with `from` replaced by `to` once. */
static char *
header_with(const char *from, const char *to)
{
    g_autofree char *p = g_strdup_printf("%s/s0010_re.hea", ecg_dir);
    g_autofree char *text = NULL;
    const char *at;
    GString *out;

    if (!g_file_get_contents(p, &text, NULL, NULL) ||
        !(at = strstr(text, from))) {
        return NULL;
    }
    out = g_string_new_len(text, at - text);
    g_string_append(out, to);
    g_string_append(out, at + strlen(from));
    return g_string_free(out, FALSE);
}

static void
test_malformed_imports_are_refused_naming_the_problem(void)
{
    static const struct {
        const char *from, *to, *skip;
        long status;
        const char *says;
    } cases[] = {
        {"s0010_re.dat 16 2000 16 0 -489", "s0010_re.dat 80 2000 16 0 -489",
         NULL, 415, "line 2: format 80 is not read"},
        {"s0010_re 15 1000", "s0010_re 16 1000", NULL, 400,
         "15 signal lines, the record line says 16"},
        {"x", "x", "s0010_re.xyz", 400,
         "s0010_re.xyz (named by the header) is missing"},
        {"-8337 0 i", "-8336 0 i", NULL, 400,
         "signal 1 (i): checksum -8337, the header says -8336"},
        {"1000 38400", "1000 38401", NULL, 400,
         "holds 38400 frames, the header says 38401"},
        {"-8337 0 i", "-8337 0 pleth", NULL, 400,
         "signal 1 is not an ECG lead"},
        {"2000 16 0 -458", "2000x 16 0 -458", NULL, 400, "line 3: gain"},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *hea = header_with(cases[i].from, cases[i].to);
        char *body = import_body("s0010_re", hea, cases[i].skip);
        json_t *doc = NULL;
        TC_REQUIRE(hea);
        TC_CHECK_EQ(http_as("huang.xiaoyan", "POST",
                            "/api/v1/ecg-studies/import", body, &doc),
                    cases[i].status);
        TC_CHECK_STR_CONTAINS(json_string_value(json_object_get(
                                  json_object_get(doc, "error"), "message")),
                              cases[i].says);
        json_decref(doc);
        free(body);
    }
}

/* Rows of ecg_studies and files under data_dir/ecg now. */
static void
ecg_counts(long *studies, long *files)
{
    g_autofree char *path = g_build_filename(fx.data_dir, "telecare.db", NULL);
    g_autofree char *dir = g_build_filename(fx.data_dir, "ecg", NULL);
    GDir *d = g_dir_open(dir, 0, NULL);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    *studies = *files = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM ecg_studies", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        *studies = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    for (*files = 0; d && g_dir_read_name(d);) {
        (*files)++;
    }
    if (d) {
        g_dir_close(d);
    }
}

/* A reader records refuses (no such practitioner) after the archive was
 * written: 404, and neither a study nor a file is left (the study was
 * once created and left behind; found by fuzz-api-body). */
static void
test_import_for_an_unknown_reader_leaves_nothing(void)
{
    char *body = import_body("s0010_re", NULL, NULL);
    json_t *doc = json_loads(body, 0, NULL), *err = NULL;
    char *text;
    long studies, files, studies2, files2;

    TC_REQUIRE(doc);
    json_object_set_new(doc, "reader_id", json_integer(999999));
    text = json_dumps(doc, JSON_COMPACT);
    ecg_counts(&studies, &files);
    TC_REQUIRE(studies >= 0 && files >= 0);
    TC_CHECK_EQ(http_as("huang.xiaoyan", "POST", "/api/v1/ecg-studies/import",
                        text, &err),
                404);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(
                        json_object_get(err, "error"), "field")),
                    "reader_id");
    ecg_counts(&studies2, &files2);
    TC_CHECK_EQ(studies2, studies);
    TC_CHECK_EQ(files2, files);
    json_decref(err);
    json_decref(doc);
    free(text);
    free(body);
}

/* ---- DICOM waveform import ---- */

static char dicom_path[4096];

/* POST `len` bytes as application/dicom with `query`. */
static long
dicom_post(const char *query, const void *data, size_t len, json_t **out)
{
    char *token = sig_token(&fx, "huang.xiaoyan");
    g_autofree char *path =
        g_strdup_printf("/api/v1/ecg-studies/import?%s", query);
    struct tc_http_reply reply = {0};
    long status;

    fx.h.bearer = token;
    if (tc_http(&fx.h, "POST", path, data, len, "application/dicom", &reply) <
        0) {
        reply.status = -1;
    }
    fx.h.bearer = NULL;
    tc_sdk_token_free(token);
    status = reply.status;
    *out = reply.body ? json_loads(reply.body, 0, NULL) : NULL;
    if (status >= 400) {
        printf("# -> %ld %s\n", status, reply.body ? reply.body : "");
    }
    tc_http_reply_fini(&reply);
    return status;
}

static int
archive_files(void)
{
    g_autofree char *dir = g_build_filename(fx.data_dir, "ecg", NULL);
    GDir *d = g_dir_open(dir, 0, NULL);
    int n = 0;

    while (d && g_dir_read_name(d)) {
        n++;
    }
    if (d) {
        g_dir_close(d);
    }
    return n;
}

static void
test_dicom_waveform_import_equals_dcmtk(void)
{
    struct tc_media_dicom_waveform *w = NULL;
    struct tc_media_wfdb_record *rec = NULL;
    g_autofree char *data = NULL, *query = NULL, *name = NULL;
    g_autofree char *dir = g_build_filename(fx.data_dir, "ecg", NULL);
    char *why = NULL, err[256];
    gsize len = 0;
    json_t *doc = NULL;
    int64_t id;
    bool same = true;
    static const char *const leads[] = {"I",  "II", "III", "aVR", "aVL", "aVF",
                                        "V1", "V2", "V3",  "V4",  "V5",  "V6"};

    TC_REQUIRE(g_file_get_contents(dicom_path, &data, &len, NULL));
    TC_REQUIRE(tc_media_dicom_waveform_read(dicom_path, 0, &w, &why) == 0);
    TC_CHECK_EQ(w->n_channels, 12);
    TC_CHECK_EQ(w->n_samples, 10000);
    query = g_strdup_printf(
        "resident_id=%" G_GINT64_FORMAT
        "&device_id=EL250&urgent=true&reader_id=%" G_GINT64_FORMAT,
        patient, reader);
    TC_CHECK_EQ(dicom_post(query, data, len, &doc), 201);
    TC_REQUIRE(doc);
    id = json_integer_value(json_object_get(doc, "id"));
    TC_CHECK_EQ(json_integer_value(json_object_get(doc, "frames")), 10000);
    TC_CHECK_EQ(json_integer_value(json_object_get(doc, "duration_ms")),
                10000);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "leads")),
                    "I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6");
    json_decref(doc);
    ecg_demo_check_awaiting(fx.data_dir, id, 10000, 1000, reader, patient);
    /* the archive read back with media's WFDB reader (checksums checked) */
    {
        g_autofree char *path =
            g_build_filename(fx.data_dir, "telecare.db", NULL);
        struct tc_rec_db *db = NULL;
        struct tc_rec_ecg_study *s = NULL;
        TC_REQUIRE(tc_rec_open(path, &db) == 0 &&
                   tc_rec_ecg_study_get(db, id, &s) == 0);
        name = g_path_get_basename(s->storage_path);
        tc_rec_ecg_study_free(s);
        tc_rec_close(db);
    }
    TC_REQUIRE(tc_media_wfdb_record_read(dir, name, &rec, err, sizeof(err)) ==
               0);
    TC_CHECK_EQ(rec->header.n_signals, 12);
    TC_CHECK_EQ(rec->n_frames, 10000);
    TC_CHECK(rec->header.sample_rate_hz == 1000);
    for (int c = 0; c < 12; c++) {
        /* 1.25 uV per ADC unit: 800 adu/mV */
        TC_CHECK(fabs(rec->header.signals[c].gain - 800) < 1e-9);
        TC_CHECK_EQ(rec->header.signals[c].baseline, 0);
        TC_CHECK_STR_EQ(rec->header.signals[c].description, leads[c]);
    }
    for (size_t i = 0; i < (size_t)10000 * 12; i++) {
        if (rec->samples[i] != w->samples[i]) {
            same = false;
        }
    }
    TC_CHECK(same);
    tc_media_wfdb_record_free(rec);
    tc_media_dicom_waveform_free(w);
    free(why);
}

/* `data` with every `from` (n bytes) replaced by `to` of the same
 * length; NULL when there is none. */
static char *
patched(const char *data, gsize len, const char *from, const char *to,
        size_t n)
{
    char *out = g_memdup2(data, len);
    char *at = out;
    bool found = false;

    while ((at = memmem(at, len - (size_t)(at - out), from, n))) {
        memcpy(at, to, n);
        at += n;
        found = true;
    }
    if (!found) {
        g_free(out);
        return NULL;
    }
    return out;
}

static void
test_bad_dicom_imports_are_refused_naming_the_problem(void)
{
    g_autofree char *data = NULL, *query = NULL;
    gsize len = 0;
    /* NumberOfWaveformChannels 12 as (003a,0005) US 2 bytes LE, explicit
     * VR: tag, "US", length 2, value */
    static const char ch12[] = "\x3a\x00\x05\x00US\x02\x00\x0c\x00";
    static const char ch17[] = "\x3a\x00\x05\x00US\x02\x00\x11\x00";
    /* NumberOfWaveformSamples (003a,0010) UL 10000, then 5000 */
    static const char n10000[] = "\x3a\x00\x10\x00UL\x04\x00"
                                 "\x10\x27\x00\x00";
    static const char n5000[] = "\x3a\x00\x10\x00UL\x04\x00"
                                "\x88\x13\x00\x00";
    static const char sf1000[] = "\x3a\x00\x1a\x00"
                                 "DS\x04\x00"
                                 "1000";
    static const char sf9999k[] = "\x3a\x00\x1a\x00"
                                  "DS\x04\x00"
                                  "9e99";
    static const char ecgclass[] = "1.2.840.10008.5.1.4.1.1.9.1.1";
    static const char ctclass[] = "1.2.840.10008.5.1.4.1.1.9.1.3";
    struct {
        const char *what;
        char *body;
        size_t len;
        long status;
        const char *says;
    } cases[8];
    g_autofree char *dicom_dir = g_path_get_dirname(dicom_path);
    g_autofree char *ct_path =
        g_build_filename(dicom_dir, "CT_small.dcm", NULL);
    g_autofree char *ct = NULL;
    gsize ct_len = 0;
    int before = archive_files();

    TC_REQUIRE(g_file_get_contents(dicom_path, &data, &len, NULL));
    query = g_strdup_printf("resident_id=%" G_GINT64_FORMAT "&device_id=X",
                            patient);
    cases[0] = (typeof(cases[0])){"not DICOM", g_strdup("12 leads, honest"),
                                  16, 400, "not a DICOM Part-10 object"};
    cases[1] = (typeof(cases[0])){"truncated", g_memdup2(data, len / 2),
                                  len / 2, 400, "body:"};
    cases[2] = (typeof(cases[0])){
        "17 channels, data too short",
        patched(data, len, ch12, ch17, sizeof(ch12) - 1), len, 400,
        "body: waveform: Waveform Data is shorter than channels x samples"};
    cases[3] = (typeof(cases[0])){
        "absurd rate", patched(data, len, sf1000, sf9999k, sizeof(sf1000) - 1),
        len, 400, "Sampling Frequency must be a whole 50..20000 Hz"};
    cases[4] = (typeof(cases[0])){
        "not a waveform",
        patched(data, len, ecgclass, ctclass, sizeof(ecgclass) - 1), len, 415,
        "is not a 12-lead or general ECG waveform"};
    cases[5] = (typeof(cases[0])){
        "17 channels of 5000 samples",
        patched(cases[2].body, len, n10000, n5000, sizeof(n10000) - 1), len,
        400, "body: 17 channels, at most 16 leads are imported"};
    g_file_get_contents(ct_path, &ct, &ct_len, NULL);
    cases[6] =
        (typeof(cases[0])){"a CT image", g_steal_pointer(&ct), ct_len, 415,
                           "SOP class 1.2.840.10008.5.1.4.1.1.2 "
                           "is not"};
    /* Acquisition DateTime (0008,002a) DT with a 13th month */
    cases[7] = (typeof(cases[0])){"acquired in month 13",
                                  patched(data, len,
                                          "\x08\x00\x2a\x00"
                                          "DT\x0e\x00"
                                          "201301",
                                          "\x08\x00\x2a\x00"
                                          "DT\x0e\x00"
                                          "201313",
                                          14),
                                  len, 400, "body: Acquisition DateTime"};
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        json_t *doc = NULL;
        printf("# %s\n", cases[i].what);
        TC_REQUIRE(cases[i].body);
        TC_CHECK_EQ(dicom_post(query, cases[i].body, cases[i].len, &doc),
                    cases[i].status);
        TC_CHECK_STR_CONTAINS(json_string_value(json_object_get(
                                  json_object_get(doc, "error"), "message")),
                              cases[i].says);
        json_decref(doc);
        g_free(cases[i].body);
    }
    /* no resident: refused before the body is read */
    {
        json_t *doc = NULL;
        TC_CHECK_EQ(dicom_post("device_id=X", data, len, &doc), 400);
        json_decref(doc);
    }
    TC_CHECK_EQ(archive_files(), before);
}

/* Resident `id`'s health-card number becomes `card` (through records,
 * beside the running server). */
static int
set_health_card(int64_t id, const char *card)
{
    g_autofree char *path = g_build_filename(fx.data_dir, "telecare.db", NULL);
    struct tc_rec_db *db = NULL;
    struct tc_rec_resident *r = NULL;
    int rc = tc_rec_open(path, &db);

    if (rc == 0) {
        rc = tc_rec_resident_get(db, id, &r);
    }
    if (rc == 0) {
        g_free(r->health_card_no);
        r->health_card_no = g_strdup(card);
        rc = tc_rec_resident_update(db, r);
    }
    tc_rec_resident_free(r);
    tc_rec_close(db);
    return rc;
}

static void
test_dicom_import_takes_resident_and_time_from_the_object(void)
{
    g_autofree char *data = NULL, *query = NULL;
    g_autofree char *path = g_build_filename(fx.data_dir, "telecare.db", NULL);
    gsize len = 0;
    json_t *doc = NULL;
    int64_t id = 0, other = patient == 1 ? 2 : 1;
    int before;
    /* waveform_ecg.dcm: Patient ID 642341, Acquisition DateTime
     * 20130125105919 without an offset: the server's local time */
    GDateTime *t = g_date_time_new_local(2013, 1, 25, 10, 59, 19);
    int64_t expected = g_date_time_to_unix(t) * G_USEC_PER_SEC;

    g_date_time_unref(t);
    TC_REQUIRE(g_file_get_contents(dicom_path, &data, &len, NULL));
    /* the object's Patient ID is the resident's health-card number */
    TC_REQUIRE(set_health_card(patient, "642341") == 0);
    TC_CHECK_EQ(dicom_post("device_id=EL250", data, len, &doc), 201);
    id = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    {
        struct tc_rec_db *db = NULL;
        struct tc_rec_ecg_study *st = NULL;
        TC_REQUIRE(tc_rec_open(path, &db) == 0 &&
                   tc_rec_ecg_study_get(db, id, &st) == 0);
        TC_CHECK_EQ(st->resident_id, patient);
        TC_CHECK_EQ(st->started_at_us, expected);
        tc_rec_ecg_study_free(st);
        tc_rec_close(db);
    }
    /* the same ID given explicitly agrees */
    query = g_strdup_printf("resident_id=%" G_GINT64_FORMAT "&device_id=EL250",
                            patient);
    TC_CHECK_EQ(dicom_post(query, data, len, &doc), 201);
    json_decref(doc);
    /* another resident's ID: refused, nothing archived */
    before = archive_files();
    g_free(query);
    query = g_strdup_printf("resident_id=%" G_GINT64_FORMAT "&device_id=EL250",
                            other);
    TC_CHECK_EQ(dicom_post(query, data, len, &doc), 409);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(
                        json_object_get(doc, "error"), "field")),
                    "resident_id");
    json_decref(doc);
    TC_CHECK_EQ(archive_files(), before);
    TC_CHECK_EQ(set_health_card(patient, NULL), 0);
}

static int
ids(void)
{
    return ecg_demo_ids(fx.data_dir, &patient, &reader);
}

int
main(void)
{
    const char *shared = getenv("TC_SHARED_DATA");

    snprintf(ecg_dir, sizeof(ecg_dir), "%s/ecg",
             shared ? shared : "../shared/data");
    snprintf(dicom_path, sizeof(dicom_path), "%s/dicom/waveform_ecg.dcm",
             shared ? shared : "../shared/data");
    /* imports of s0010_re are 1.5 MB of base64 */
    if (sig_fixture_start(&fx, "[http]\nmax_body_bytes = 8388608\n") < 0 ||
        ids() < 0) {
        printf("Bail out! fixture\n");
        return 1;
    }
    TC_RUN(test_device_assignment_over_http);
    TC_RUN(test_wfdb_import_worklist_and_fhir_waveform);
    TC_RUN(test_malformed_imports_are_refused_naming_the_problem);
    TC_RUN(test_import_for_an_unknown_reader_leaves_nothing);
    TC_RUN(test_dicom_waveform_import_equals_dcmtk);
    TC_RUN(test_bad_dicom_imports_are_refused_naming_the_problem);
    TC_RUN(test_dicom_import_takes_resident_and_time_from_the_object);
    sig_fixture_fini(&fx);
    return tc_done();
}
