// SPDX-License-Identifier: Apache-2.0
/*
 * test-dicom.c - DICOM store-and-forward against real peers from Debian:
 * DCMTK's echoscu and storescu send ../shared/data/dicom to the server's
 * SCP (calling AE allow-listed for the East clinic); what is stored is
 * the same data set (dcmdump of the original and of what WADO-RS returns
 * agree, meta header aside); QIDO-RS finds it under the resident whose
 * health-card number is its Patient ID; unmatched studies are on the
 * reconciliation list; the same instance twice is kept once, the same
 * SOP instance with other bytes is kept and flagged; a GB18030 Chinese
 * name comes out in UTF-8; several associations at once; STOW-RS ->
 * QIDO-RS -> WADO-RS round trip; and a table of bad input (unknown AE,
 * non-DICOM bytes, a data set that does not match its presentation
 * context, a truncated data set, an abort mid-transfer, an oversized
 * PDU, a flood of idle connections, more associations than allowed,
 * non-DICOM STOW parts, wrong media types), each refused or aborted with
 * its reason logged, nothing indexed, and the server still serving.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <glib.h>
#include <jansson.h>

#include "county-fixture.h"
#include "dicom-raw.h"

#define NAME_UTF8 "Wang^XiaoDong=\xe7\x8e\x8b^\xe5\xb0\x8f\xe4\xb8\x9c="
#define IDEO_UTF8 "\xe7\x8e\x8b^\xe5\xb0\x8f\xe4\xb8\x9c"

static struct fx f;
static char port[8];
static char *tmp; /* scratch files of this test */
static char res_id_number[19];

static char *
shared(const char *name)
{
    return g_build_filename(getenv("TC_SHARED_DATA"), "dicom", name, NULL);
}

/* Resident R's health card is CT_small's Patient ID; the SCP accepts
 * EAST_DR from the East clinic. */
static void
setup(struct fx *fx, struct tc_rec_db *db)
{
    g_autofree char *ini = g_build_filename(fx->dir, "t.ini", NULL);
    g_autofree char *path =
        g_build_filename(fx->data_dir, "telecare.db", NULL);
    g_autofree char *text = g_strdup_printf(
        "[http]\nrate_per_address = 0\nrate_per_account = 0\n"
        "max_body_bytes = 8388608\n"
        "[dicom]\nlisten = 127.0.0.1:0\nae_title = TELECARE\n"
        "peers = EAST_DR:%lld, EAST_CT:%lld\nmax_associations = 4\n"
        "timeout_s = 5\n",
        (long long)fx->clinic, (long long)fx->clinic);
    sqlite3 *raw = NULL;
    g_autofree char *sql = g_strdup_printf(
        "UPDATE residents SET health_card_no = '1CT1' WHERE id = %lld",
        (long long)fx->resident);

    (void)db;
    if (!g_file_set_contents(ini, text, -1, NULL) ||
        sqlite3_open(path, &raw) != SQLITE_OK ||
        sqlite3_exec(raw, sql, NULL, NULL, NULL) != SQLITE_OK) {
        abort();
    }
    sqlite3_close(raw);
    fx_id_number(res_id_number, "19500301", "013");
}

/* Run a command line; its exit status (-1 when it did not run). Output
 * into *out when out is not NULL. */
static int run(char **out, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static int
run(char **out, const char *fmt, ...)
{
    g_autofree char *cmd = NULL, *o = NULL, *e = NULL;
    int status = -1;
    va_list ap;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (!g_spawn_command_line_sync(cmd, &o, &e, &status, NULL)) {
        return -1;
    }
    if (out) {
        *out = g_strconcat(o, e, NULL);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The data set of a file as dcmdump prints it, without the meta header
 * and without Data Set Trailing Padding (FFFC,FFFC), which storescu
 * drops when it sends and which carries nothing (PS3.10 7.2). */
static char *
dataset_dump(const char *path)
{
    char *out = NULL;
    GString *s = g_string_new(NULL);
    g_auto(GStrv) lines = NULL;

    if (run(&out, "dcmdump -q +L %s", path) != 0) {
        g_free(out);
        return g_string_free(s, FALSE);
    }
    lines = g_strsplit(out, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        if (!g_str_has_prefix(lines[i], "(0002,") &&
            !g_str_has_prefix(lines[i], "(fffc,fffc)") &&
            !g_str_has_prefix(lines[i], "#")) {
            g_string_append(s, lines[i]);
            g_string_append_c(s, '\n');
        }
    }
    g_free(out);
    return g_string_free(s, FALSE);
}

static int
storescu(const char *aet, const char *files)
{
    return run(NULL, "storescu -aet %s -aec TELECARE 127.0.0.1 %s %s", aet,
               port, files);
}

static size_t
stored_files(void)
{
    g_autofree char *out = NULL;
    g_autofree char *dir = g_build_filename(f.data_dir, "dicom", NULL);

    run(&out, "find %s -name *.dcm", dir);
    return out ? g_strv_length(g_strsplit(out, "\n", -1)) - 1 : 0;
}

/* First value of `tag` in DICOM JSON object o. */
static const char *
dv(json_t *o, const char *tag)
{
    return json_string_value(
        json_array_get(json_object_get(json_object_get(o, tag), "Value"), 0));
}

/* GET as `user` with a raw reply (WADO bodies are binary). */
static long
get_raw(int user, const char *path, struct tc_http_reply *r)
{
    f.h.bearer = f.token[user];
    if (tc_http(&f.h, "GET", path, NULL, 0, NULL, r) != 0) {
        return -1;
    }
    return r->status;
}

/* The first part of a multipart WADO answer, into a file. */
static char *
first_part_to_file(const struct tc_http_reply *r, const char *name)
{
    const char *hdr_end = memmem(r->body, r->body_len, "\r\n\r\n", 4);
    const char *end;
    char *path = g_build_filename(tmp, name, NULL);

    if (!hdr_end) {
        return path;
    }
    hdr_end += 4;
    end = memmem(hdr_end, r->body_len - (size_t)(hdr_end - r->body),
                 "\r\n--telecare-", 13);
    if (end) {
        g_file_set_contents(path, hdr_end, end - hdr_end, NULL);
    }
    return path;
}

static void
test_echo_and_unknown_calling_ae(void)
{
    TC_CHECK_EQ(
        run(NULL, "echoscu -aet EAST_DR -aec TELECARE 127.0.0.1 %s", port), 0);
    TC_CHECK(run(NULL, "echoscu -aet STRANGER -aec TELECARE 127.0.0.1 %s",
                 port) != 0);
    TC_CHECK(run(NULL, "echoscu -aet EAST_DR -aec NOTUS 127.0.0.1 %s", port) !=
             0);
    tc_harness_drain_log(&f.h);
    TC_CHECK(strstr(f.h.log, "\"STRANGER\" refused") != NULL);
}

static char ct_study_uid[65];

static void
test_storescu_files_are_stored_and_found(void)
{
    g_autofree char *ct = shared("CT_small.dcm");
    g_autofree char *mr = shared("MR_small.dcm");
    g_autofree char *ecg = shared("waveform_ecg.dcm");
    g_autofree char *files = g_strdup_printf("%s %s %s", ct, mr, ecg);
    g_autofree char *orig = dataset_dump(ct), *got = NULL, *wado = NULL;
    struct tc_http_reply r = {0};
    json_t *study, *items;

    TC_REQUIRE(storescu("EAST_DR", files) == 0);
    TC_CHECK_EQ(stored_files(), 3);

    /* The family doctor of resident R finds the CT by Patient ID. */
    TC_REQUIRE(fx_call(&f, FX_FAM, "GET", "/dicom-web/studies?PatientID=1CT1",
                       NULL) == 200);
    TC_REQUIRE(json_array_size(f.doc) == 1);
    study = json_array_get(f.doc, 0);
    TC_CHECK_STR_EQ(dv(study, "00100020"), "1CT1");
    TC_CHECK_STR_EQ(dv(study, "00080061"), "CT");
    g_strlcpy(ct_study_uid, dv(study, "0020000D"), sizeof(ct_study_uid));
    /* MR and ECG matched nobody: not visible to the family doctor. */
    TC_REQUIRE(fx_call(&f, FX_FAM, "GET", "/dicom-web/studies", NULL) == 200);
    TC_CHECK_EQ(json_array_size(f.doc), 1);

    /* WADO-RS returns the same data set. */
    TC_REQUIRE(get_raw(FX_FAM, fx_path("/dicom-web/studies/%s", ct_study_uid),
                       &r) == 200);
    TC_CHECK(strstr(r.content_type, "multipart/related") != NULL);
    wado = first_part_to_file(&r, "wado-ct.dcm");
    got = dataset_dump(wado);
    TC_CHECK(orig[0] != '\0');
    TC_CHECK(strcmp(got, orig) == 0);
    if (strcmp(got, orig) != 0) {
        size_t i = 0;
        while (got[i] && got[i] == orig[i]) {
            i++;
        }
        printf("# differ at %zu: got '%.80s' want '%.80s'\n", i, got + i,
               orig + i);
    }
    tc_http_reply_fini(&r);

    /* Metadata: DICOM JSON without pixel data. */
    TC_REQUIRE(fx_call(&f, FX_FAM, "GET",
                       fx_path("/dicom-web/studies/%s/metadata", ct_study_uid),
                       NULL) == 200);
    TC_REQUIRE(json_array_size(f.doc) == 1);
    TC_CHECK_STR_EQ(dv(json_array_get(f.doc, 0), "00080060"), "CT");
    TC_CHECK(json_object_get(json_array_get(f.doc, 0), "7FE00010") == NULL);

    /* Series and instances. */
    TC_REQUIRE(fx_call(&f, FX_FAM, "GET",
                       fx_path("/dicom-web/studies/%s/series", ct_study_uid),
                       NULL) == 200);
    TC_REQUIRE(json_array_size(f.doc) == 1);
    TC_CHECK_STR_EQ(dv(json_array_get(f.doc, 0), "00080060"), "CT");

    /* The arrival is on the resident's audit trail (committed with the
     * index batch), as the sending AE. */
    TC_REQUIRE(fx_call(&f, FX_RES, "GET",
                       fx_path("/api/v1/residents/%lld/audit?limit=200",
                               (long long)f.resident),
                       NULL) == 200);
    {
        json_t *ev, *evs = json_object_get(f.doc, "items");
        size_t i, stores = 0;
        json_array_foreach(evs, i, ev)
        {
            const char *actor =
                json_string_value(json_object_get(ev, "actor"));
            const char *purpose =
                json_string_value(json_object_get(ev, "purpose"));
            stores += actor && purpose &&
                      strcmp(actor, "dicom:EAST_DR") == 0 &&
                      strcmp(purpose, "imaging store") == 0;
        }
        TC_CHECK_EQ(stores, 1);
    }

    /* The unmatched ones wait on the reconciliation list. */
    TC_REQUIRE(fx_call(&f, FX_RAD, "GET", "/api/v1/imaging/reconciliation",
                       NULL) == 200);
    items = json_object_get(f.doc, "items");
    TC_CHECK_EQ(json_array_size(items), 2);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(json_array_get(items, 0),
                                                      "patient_dicom_id")),
                    "4MR1");
    TC_CHECK_EQ(
        fx_call(&f, FX_FAM, "GET", "/api/v1/imaging/reconciliation", NULL),
        403);
}

static void
test_same_instance_once_changed_bytes_flagged(void)
{
    g_autofree char *ct = shared("CT_small.dcm");
    g_autofree char *changed = g_build_filename(tmp, "ct-changed.dcm", NULL);
    g_autofree char *bytes = NULL;
    gsize len = 0;
    int64_t id;

    TC_REQUIRE(storescu("EAST_DR", ct) == 0);
    TC_CHECK_EQ(stored_files(), 3);
    TC_REQUIRE(g_file_get_contents(ct, &bytes, &len, NULL));
    TC_REQUIRE(g_file_set_contents(changed, bytes, (gssize)len, NULL));
    TC_REQUIRE(
        run(NULL, "dcmodify -nb -i \"(0008,103E)=changed\" %s", changed) == 0);
    TC_REQUIRE(storescu("EAST_DR", changed) == 0);
    TC_CHECK_EQ(stored_files(), 4);

    TC_REQUIRE(fx_call(&f, FX_FAM, "GET",
                       fx_path("/dicom-web/studies?StudyInstanceUID=%s",
                               ct_study_uid),
                       NULL) == 200);
    TC_REQUIRE(json_array_size(f.doc) == 1);
    TC_CHECK_EQ(json_integer_value(json_array_get(
                    json_object_get(
                        json_object_get(json_array_get(f.doc, 0), "00201208"),
                        "Value"),
                    0)),
                1);
    /* One conflict flagged, with the second file kept. */
    {
        g_autofree char *path =
            g_build_filename(f.data_dir, "telecare.db", NULL);
        sqlite3 *raw = NULL;
        sqlite3_stmt *st = NULL;
        id = 0;
        if (sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL) ==
                SQLITE_OK &&
            sqlite3_prepare_v2(raw,
                               "SELECT count(*) FROM "
                               "imaging_instance_conflicts",
                               -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW) {
            id = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
        sqlite3_close(raw);
        TC_CHECK_EQ(id, 1);
    }
}

static void
test_several_associations_at_once(void)
{
    g_autofree char *mr = shared("MR_small.dcm");
    GPid pids[3];
    int ok = 0;

    for (int i = 0; i < 3; i++) {
        g_autofree char *copy = g_strdup_printf("%s/mr-%d.dcm", tmp, i);
        g_autofree char *bytes = NULL;
        gsize len = 0;
        char *argv[] = {"storescu",  "-aet", "EAST_CT", "-aec", "TELECARE",
                        "127.0.0.1", port,   copy,      NULL};
        g_file_get_contents(mr, &bytes, &len, NULL);
        g_file_set_contents(copy, bytes, (gssize)len, NULL);
        TC_REQUIRE(run(NULL, "dcmodify -nb -gin -gst -gse %s", copy) == 0);
        TC_REQUIRE(g_spawn_async(
            NULL, argv, NULL,
            G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
            NULL, NULL, &pids[i], NULL));
    }
    for (int i = 0; i < 3; i++) {
        int status = -1;
        waitpid(pids[i], &status, 0);
        ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    TC_CHECK_EQ(ok, 3);
    TC_CHECK_EQ(stored_files(), 7);
}

static void
test_chinese_name_in_gb18030(void)
{
    g_autofree char *name =
        g_convert(NAME_UTF8, -1, "GB18030", "UTF-8", NULL, NULL, NULL);
    g_autofree char *dump = g_build_filename(tmp, "gb.dump", NULL);
    g_autofree char *dcm = g_build_filename(tmp, "gb.dcm", NULL);
    g_autofree char *text =
        g_strdup_printf("(0002,0010) UI =LittleEndianExplicit\n"
                        "(0008,0005) CS [GB18030]\n"
                        "(0008,0016) UI =SecondaryCaptureImageStorage\n"
                        "(0008,0018) UI [1.2.826.0.1.3680043.2.1143.77.3]\n"
                        "(0008,0020) DA [20260301]\n"
                        "(0008,0060) CS [OT]\n"
                        "(0010,0010) PN [%s]\n"
                        "(0010,0020) LO [%s]\n"
                        "(0020,000d) UI [1.2.826.0.1.3680043.2.1143.77.1]\n"
                        "(0020,000e) UI [1.2.826.0.1.3680043.2.1143.77.2]\n",
                        name, res_id_number);
    json_t *pn;

    TC_REQUIRE(name != NULL);
    TC_REQUIRE(g_file_set_contents(dump, text, -1, NULL));
    TC_REQUIRE(run(NULL, "dump2dcm --write-file %s %s", dump, dcm) == 0);
    TC_REQUIRE(storescu("EAST_DR", dcm) == 0);
    TC_REQUIRE(
        fx_call(&f, FX_FAM, "GET",
                fx_path("/dicom-web/studies?PatientID=%s", res_id_number),
                NULL) == 200);
    TC_REQUIRE(json_array_size(f.doc) == 1);
    pn = json_array_get(
        json_object_get(json_object_get(json_array_get(f.doc, 0), "00100010"),
                        "Value"),
        0);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(pn, "Alphabetic")),
                    "Wang^XiaoDong");
    TC_CHECK_STR_EQ(json_string_value(json_object_get(pn, "Ideographic")),
                    IDEO_UTF8);
}

/* ---- STOW-RS ---- */

static long
stow(int user, const char *ctype, const char *body, size_t len)
{
    struct tc_http_reply r = {0};

    json_decref(f.doc);
    f.doc = NULL;
    f.h.bearer = user >= 0 ? f.token[user] : NULL;
    if (tc_http(&f.h, "POST", "/dicom-web/studies", body, len, ctype, &r) !=
        0) {
        return -1;
    }
    f.status = r.status;
    f.doc = json_loadb(r.body, r.body_len, 0, NULL);
    tc_http_reply_fini(&r);
    return f.status;
}

#define STOW_CT "multipart/related; type=\"application/dicom\"; boundary=XyZ"

static GString *
multipart_of(const char *const *parts, const gsize *lens, size_t n)
{
    GString *b = g_string_new(NULL);

    for (size_t i = 0; i < n; i++) {
        g_string_append(b, "--XyZ\r\nContent-Type: application/dicom\r\n\r\n");
        g_string_append_len(b, parts[i], (gssize)lens[i]);
        g_string_append(b, "\r\n");
    }
    g_string_append(b, "--XyZ--\r\n");
    return b;
}

static void
test_stow_qido_wado_round_trip(void)
{
    g_autofree char *mr = shared("MR_small.dcm");
    g_autofree char *copy = g_build_filename(tmp, "stow-mr.dcm", NULL);
    g_autofree char *bytes = NULL, *study_uid = NULL, *sop = NULL;
    g_autofree char *orig = NULL, *got = NULL, *wado = NULL;
    struct tc_http_reply r = {0};
    const char *parts[1];
    gsize len = 0;
    GString *body;
    json_t *ref;

    TC_REQUIRE(g_file_get_contents(mr, &bytes, &len, NULL));
    TC_REQUIRE(g_file_set_contents(copy, bytes, (gssize)len, NULL));
    g_clear_pointer(&bytes, g_free);
    TC_REQUIRE(run(NULL,
                   "dcmodify -nb -gin -gst -gse -m \"(0010,0020)=%s\" %s",
                   res_id_number, copy) == 0);
    TC_REQUIRE(g_file_get_contents(copy, &bytes, &len, NULL));
    parts[0] = bytes;
    body = multipart_of(parts, &len, 1);
    TC_CHECK_EQ(stow(FX_FAM, STOW_CT, body->str, body->len), 200);
    g_string_free(body, TRUE);
    ref = json_array_get(
        json_object_get(json_object_get(f.doc, "00081199"), "Value"), 0);
    TC_REQUIRE(ref != NULL);
    TC_CHECK(strstr(dv(ref, "00081190"), "/dicom-web/studies/") != NULL);
    sop = g_strdup(dv(ref, "00081155"));

    TC_REQUIRE(fx_call(&f, FX_FAM, "GET",
                       fx_path("/dicom-web/studies?PatientID=%s"
                               "&ModalitiesInStudy=MR",
                               res_id_number),
                       NULL) == 200);
    TC_REQUIRE(json_array_size(f.doc) == 1);
    study_uid = g_strdup(dv(json_array_get(f.doc, 0), "0020000D"));
    TC_REQUIRE(fx_call(&f, FX_FAM, "GET",
                       fx_path("/dicom-web/studies/%s/series", study_uid),
                       NULL) == 200);
    TC_REQUIRE(json_array_size(f.doc) == 1);
    {
        g_autofree char *series =
            g_strdup(dv(json_array_get(f.doc, 0), "0020000E"));
        TC_REQUIRE(fx_call(&f, FX_FAM, "GET",
                           fx_path("/dicom-web/studies/%s/series/%s/"
                                   "instances",
                                   study_uid, series),
                           NULL) == 200);
        TC_REQUIRE(json_array_size(f.doc) == 1);
        TC_CHECK_STR_EQ(dv(json_array_get(f.doc, 0), "00080018"), sop);
        TC_REQUIRE(get_raw(FX_FAM,
                           fx_path("/dicom-web/studies/%s/series/%s/"
                                   "instances/%s",
                                   study_uid, series, sop),
                           &r) == 200);
    }
    wado = first_part_to_file(&r, "wado-mr.dcm");
    {
        g_autofree char *back = NULL;
        gsize back_len = 0;
        TC_REQUIRE(g_file_get_contents(wado, &back, &back_len, NULL));
        TC_CHECK_EQ(back_len, len);
        TC_CHECK(back_len == len && memcmp(back, bytes, len) == 0);
    }
    tc_http_reply_fini(&r);
    /* StudyDate ranges: the MR is of 2004; a range after it finds none. */
    TC_REQUIRE(fx_call(&f, FX_FAM, "GET",
                       fx_path("/dicom-web/studies?PatientID=%s"
                               "&StudyDate=20250101-",
                               res_id_number),
                       NULL) == 200);
    TC_CHECK_EQ(json_array_size(f.doc), 1); /* the GB18030 one, 2026 */
}

static void
test_stow_bad_input(void)
{
    g_autofree char *ct = shared("CT_small.dcm");
    g_autofree char *bytes = NULL;
    const char *parts[2];
    gsize lens[2], len = 0;
    GString *body;
    json_t *failed;
    size_t before = stored_files();

    TC_REQUIRE(g_file_get_contents(ct, &bytes, &len, NULL));
    body = multipart_of((const char *[]){"not dicom"}, (gsize[]){9}, 1);
    TC_CHECK_EQ(stow(FX_FAM, "application/dicom", body->str, body->len), 415);
    TC_CHECK_EQ(stow(FX_FAM, "multipart/related; type=\"application/dicom\"",
                     body->str, body->len),
                400);
    TC_CHECK_EQ(stow(-1, STOW_CT, body->str, body->len), 401);
    TC_CHECK_EQ(stow(FX_RES, STOW_CT, body->str, body->len), 403);
    /* A non-DICOM part and a truncated one: both failed, none stored. */
    g_string_free(body, TRUE);
    parts[0] = "not dicom";
    lens[0] = 9;
    parts[1] = bytes;
    lens[1] = len / 2;
    body = multipart_of(parts, lens, 2);
    TC_CHECK_EQ(stow(FX_FAM, STOW_CT, body->str, body->len), 409);
    failed = json_object_get(json_object_get(f.doc, "00081198"), "Value");
    TC_CHECK_EQ(json_array_size(failed), 2);
    TC_CHECK_EQ(json_integer_value(json_array_get(
                    json_object_get(
                        json_object_get(json_array_get(failed, 0), "00081197"),
                        "Value"),
                    0)),
                0xC000);
    g_string_free(body, TRUE);
    /* The multipart close missing. */
    TC_CHECK_EQ(stow(FX_FAM, STOW_CT, "--XyZ\r\n\r\nabc", 12), 400);
    TC_CHECK_STR_CONTAINS(json_string_value(json_object_get(
                              json_object_get(f.doc, "error"), "message")),
                          "not closed");
    TC_CHECK_EQ(stored_files(), before);
    /* Still serving. */
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET", "/dicom-web/studies", NULL), 200);
}

/* The index id of the study with Patient ID pid and modality mod. */
static int64_t
study_id_of(const char *pid, const char *mod)
{
    g_autofree char *path = g_build_filename(f.data_dir, "telecare.db", NULL);
    sqlite3 *raw = NULL;
    sqlite3_stmt *st = NULL;
    int64_t id = 0;

    if (sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(raw,
                           "SELECT id FROM imaging_studies WHERE"
                           " patient_dicom_id = ? AND modality = ?",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_bind_text(st, 1, pid, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_bind_text(st, 2, mod, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(raw);
    return id;
}

/* The township clinic's doctor asks for readings (the GB18030 study is
 * urgent), the radiologist's worklist puts it first, the signed report
 * comes back to the requester, in the API and in FHIR. */
static void
test_reading_requested_reported_and_returned(void)
{
    int64_t ct = study_id_of("1CT1", "CT"),
            sc = study_id_of(res_id_number, "OT");
    json_t *items, *report;

    TC_REQUIRE(ct > 0 && sc > 0);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST",
                        fx_path("/api/v1/imaging-studies/%lld/"
                                "reading-request",
                                (long long)ct),
                        "{s:b}", "urgent", 0),
                201);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST",
                        fx_path("/api/v1/imaging-studies/%lld/"
                                "reading-request",
                                (long long)sc),
                        "{s:b,s:s}", "urgent", 1, "reason", "fall, hip pain"),
                201);
    TC_CHECK(json_is_true(json_object_get(f.doc, "urgent")));
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST",
                        fx_path("/api/v1/imaging-studies/%lld/"
                                "reading-request",
                                (long long)sc),
                        "{s:b}", "urgent", 1),
                409);
    TC_CHECK_EQ(fx_call(&f, FX_RES2, "POST",
                        fx_path("/api/v1/imaging-studies/%lld/"
                                "reading-request",
                                (long long)ct),
                        "{s:b}", "urgent", 1),
                403);
    for (int i = 0; i < 2; i++) {
        TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST",
                            fx_path("/api/v1/imaging-studies/%lld/assign",
                                    (long long)(i ? sc : ct)),
                            "{s:I}", "radiologist_id",
                            (json_int_t)f.pid[FX_RAD]),
                    200);
    }
    TC_REQUIRE(fx_call(&f, FX_RAD, "GET", "/api/v1/worklists/imaging", NULL) ==
               200);
    items = json_object_get(f.doc, "items");
    TC_REQUIRE(json_array_size(items) == 2);
    TC_CHECK_EQ(
        json_integer_value(json_object_get(json_array_get(items, 0), "id")),
        sc);
    TC_CHECK(
        json_is_true(json_object_get(json_array_get(items, 0), "urgent")));
    TC_CHECK_EQ(
        fx_call(&f, FX_RAD, "POST",
                fx_path("/api/v1/imaging-studies/%lld/report", (long long)sc),
                "{s:s,s:s}", "findings", "No fracture line seen.",
                "impression", "No fracture."),
        201);

    TC_REQUIRE(fx_call(&f, FX_FAM, "GET", "/api/v1/imaging/requested", NULL) ==
               200);
    items = json_object_get(f.doc, "items");
    TC_REQUIRE(json_array_size(items) == 2);
    report = json_object_get(json_array_get(items, 0), "report");
    TC_CHECK_STR_EQ(json_string_value(json_object_get(report, "impression")),
                    "No fracture.");
    TC_CHECK(
        json_is_null(json_object_get(json_array_get(items, 1), "report")));

    TC_REQUIRE(
        fx_call(&f, FX_FAM, "GET",
                fx_path("/fhir/DiagnosticReport/imaging-%lld", (long long)sc),
                NULL) == 200);
    TC_CHECK_STR_EQ(fx_str(&f, "conclusion"), "No fracture.");
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "final");
    TC_REQUIRE(fx_call(&f, FX_FAM, "GET",
                       fx_path("/fhir/ImagingStudy/%lld", (long long)sc),
                       NULL) == 200);
    TC_CHECK(json_object_get(f.doc, "referrer") != NULL);
}

static int
raw_associated(void)
{
    int fd = dr_connect(atoi(port));

    if (fd >= 0 && dr_associate(fd, "EAST_DR", "TELECARE", DR_CT) != 2) {
        close(fd);
        return -1;
    }
    return fd;
}

#define UID_BASE "1.2.826.0.1.3680043.2.1143.88"

static bool
log_has(const char *needle)
{
    tc_harness_drain_log(&f.h);
    return f.h.log && strstr(f.h.log, needle) != NULL;
}

static void
test_bad_association_input_table(void)
{
    size_t before = stored_files();
    GByteArray *cmd, *ds;
    int fd, fds[40], held[5], accepted = 0, rejected = 0;
    uint8_t huge[6] = {0x04, 0, 0x00, 0xff, 0xff, 0xff};
    gint64 t0;

    /* Not DICOM at all. */
    fd = dr_connect(atoi(port));
    TC_REQUIRE(fd >= 0);
    TC_CHECK(dr_write(fd, "GET / HTTP/1.1\r\n\r\n", 18));
    TC_CHECK(dr_read_pdu(fd, NULL) != 2);
    close(fd);

    /* A CT presentation context carrying an MR data set. */
    fd = raw_associated();
    TC_REQUIRE(fd >= 0);
    cmd = dr_store_command(DR_CT, UID_BASE ".1.3");
    ds = dr_dataset(DR_MR, UID_BASE ".1.3", UID_BASE ".1");
    TC_CHECK(dr_pdata(fd, 3, cmd->data, cmd->len));
    TC_CHECK(dr_pdata(fd, 2, ds->data, ds->len));
    TC_CHECK_EQ(dr_store_status(fd), 0xA900);
    g_byte_array_free(ds, TRUE);
    g_byte_array_free(cmd, TRUE);
    close(fd);

    /* A data set whose last element is cut short (by an even count: an
     * odd fragment DCMTK refuses before the data set is read). */
    fd = raw_associated();
    TC_REQUIRE(fd >= 0);
    cmd = dr_store_command(DR_CT, UID_BASE ".2.3");
    ds = dr_dataset(DR_CT, UID_BASE ".2.3", UID_BASE ".2");
    TC_CHECK(dr_pdata(fd, 3, cmd->data, cmd->len));
    TC_CHECK(dr_pdata(fd, 2, ds->data, ds->len - 6));
    TC_CHECK_EQ(dr_store_status(fd), 0xC000);
    g_byte_array_free(ds, TRUE);
    g_byte_array_free(cmd, TRUE);
    close(fd);

    /* Half a data set, then the peer is gone. */
    fd = raw_associated();
    TC_REQUIRE(fd >= 0);
    cmd = dr_store_command(DR_CT, UID_BASE ".3.3");
    ds = dr_dataset(DR_CT, UID_BASE ".3.3", UID_BASE ".3");
    TC_CHECK(dr_pdata(fd, 3, cmd->data, cmd->len));
    TC_CHECK(dr_pdata(fd, 0, ds->data, ds->len / 2));
    close(fd);
    g_byte_array_free(ds, TRUE);
    g_byte_array_free(cmd, TRUE);

    /* A P-DATA PDU of 16 MiB announced against a 16 KiB maximum. */
    fd = raw_associated();
    TC_REQUIRE(fd >= 0);
    TC_CHECK(dr_write(fd, huge, sizeof(huge)));
    TC_CHECK(dr_write(fd, "0123456789abcdef", 16));
    TC_CHECK(dr_read_pdu(fd, NULL) != 4); /* aborted or closed */
    close(fd);

    /* A flood of idle connections does not hold up a real peer. */
    for (int i = 0; i < 40; i++) {
        fds[i] = dr_connect(atoi(port));
    }
    t0 = g_get_monotonic_time();
    TC_CHECK_EQ(
        run(NULL, "echoscu -aet EAST_DR -aec TELECARE 127.0.0.1 %s", port), 0);
    TC_CHECK(g_get_monotonic_time() - t0 < 3 * G_USEC_PER_SEC);
    for (int i = 0; i < 40; i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }

    /* Five associations at once against a limit of four. */
    for (int i = 0; i < 5; i++) {
        held[i] = dr_connect(atoi(port));
        int type = held[i] >= 0
                       ? dr_associate(held[i], "EAST_DR", "TELECARE", DR_CT)
                       : -1;
        accepted += type == 2;
        rejected += type == 3;
    }
    TC_CHECK_EQ(accepted, 4);
    TC_CHECK_EQ(rejected, 1);
    for (int i = 0; i < 5; i++) {
        close(held[i]);
    }
    g_usleep(300000);

    TC_CHECK_EQ(stored_files(), before);
    TC_CHECK(log_has("differs from the command's"));
    TC_CHECK(log_has("not a complete DICOM Part-10 file"));
    /* The C-STORE cut short: refused by the SCP's intake itself. */
    TC_CHECK(log_has("not a complete DICOM data set"));
    TC_CHECK(log_has("not received whole"));
    TC_CHECK(log_has("(the limit)"));
    TC_CHECK(log_has("Illegal PDU Length"));
    TC_CHECK_EQ(
        run(NULL, "echoscu -aet EAST_DR -aec TELECARE 127.0.0.1 %s", port), 0);
    {
        g_autofree char *ct = shared("CT_small.dcm");
        TC_CHECK_EQ(storescu("EAST_DR", ct), 0);
    }
}

/* A start refused for its [dicom] settings: exit 2 with the rule named,
 * no data directory left behind. */
static void
test_bad_dicom_config_refuses_start(void)
{
    g_autofree char *ini = g_build_filename(tmp, "bad.ini", NULL);
    g_autofree char *data = g_build_filename(tmp, "never", NULL);
    const char *args[] = {"--dev", "--listen", "127.0.0.1:0", "--data-dir",
                          data,    "--config", ini,           NULL};
    static const char *const cases[][2] = {
        {"[dicom]\nlisten = 127.0.0.1:0\npeers = EAST_DR:999\n",
         "no organization 999"},
        {"[dicom]\nroutes = *>PACS\n", "'PACS' is not in [dicom] "
                                       "destinations"},
        {"[dicom]\npeers = EAST DR:1\n", "AE_TITLE:ORGANIZATION_ID"},
        {"[dicom]\ndestinations = PACS=X@host:104\n", "IP address"},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *err = NULL;
        int status = -1;
        TC_REQUIRE(g_file_set_contents(ini, cases[i][0], -1, NULL));
        TC_CHECK_EQ(tc_harness_run_to_exit(args, 20000, &status, &err), 0);
        TC_CHECK_EQ(status, 2);
        TC_CHECK(err && strstr(err, cases[i][1]) != NULL);
        if (!err || !strstr(err, cases[i][1])) {
            printf("# case %zu: %s\n", i, err ? err : "(no output)");
        }
        TC_CHECK(!g_file_test(data, G_FILE_TEST_EXISTS));
    }
}

static void
find_port(void)
{
    const char *p;

    for (int i = 0; i < 50; i++) {
        tc_harness_drain_log(&f.h);
        p = f.h.log ? strstr(f.h.log, "dicom SCP listening on 127.0.0.1:")
                    : NULL;
        if (p) {
            p += strlen("dicom SCP listening on 127.0.0.1:");
            g_strlcpy(port, p, MIN(sizeof(port), strspn(p, "0123456789") + 1));
            return;
        }
        g_usleep(100000);
    }
}

int
main(void)
{
    if (fx_open(&f, setup) != 0) {
        printf("Bail out! fixture\n");
        return 1;
    }
    tmp = g_build_filename(f.dir, "scratch", NULL);
    g_mkdir_with_parents(tmp, 0700);
    find_port();
    if (!port[0]) {
        printf("Bail out! no DICOM port in the log\n");
        return 1;
    }
    TC_RUN(test_echo_and_unknown_calling_ae);
    TC_RUN(test_storescu_files_are_stored_and_found);
    TC_RUN(test_same_instance_once_changed_bytes_flagged);
    TC_RUN(test_several_associations_at_once);
    TC_RUN(test_chinese_name_in_gb18030);
    TC_RUN(test_stow_qido_wado_round_trip);
    TC_RUN(test_stow_bad_input);
    TC_RUN(test_bad_association_input_table);
    TC_RUN(test_reading_requested_reported_and_returned);
    TC_RUN(test_bad_dicom_config_refuses_start);
    fx_close(&f);
    g_free(tmp);
    return tc_done();
}
