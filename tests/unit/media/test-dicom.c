// SPDX-License-Identifier: Apache-2.0
/*
 * test-dicom.c - media's DICOM C API on real files: the index attributes
 * of CT, MR and a 12-lead ECG from ../shared/data/dicom; Chinese names in
 * GB18030 and ISO_IR 192 (files made here with DCMTK's dump2dcm) come out
 * as the same UTF-8; a truncated file and a non-DICOM file are refused;
 * the DICOM JSON model leaves out pixel data; content-addressed storage
 * keeps the same bytes once; the SCP's intake parses a data set handed
 * over in pieces of any size as the whole file reads, and refuses one cut
 * short; and the SCP receives what the SCU sends (both ours, over
 * loopback) into a stored file named by the SHA-256 of its bytes, with
 * nothing left in its temporary directory, refusing an AE not on its
 * allow-list.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>

#include "tc-dicom.h"
#include "tc-test.h"

#define NAME_UTF8 "Wang^XiaoDong=\xe7\x8e\x8b^\xe5\xb0\x8f\xe4\xb8\x9c="

static char *tmp;

static char *
shared(const char *name)
{
    const char *dir = getenv("TC_SHARED_DATA");

    return g_build_filename(dir ? dir : "../shared/data", "dicom", name, NULL);
}

/* The value of `tag` ("0020,000d") in `path` as DCMTK's dcmdump prints
 * it (the text between the brackets), or NULL: the expectation comes
 * from DCMTK's own tool, not from the code under test. */
static char *
dcmdump_value(const char *path, const char *tag)
{
    g_autofree char *cmd =
        g_strdup_printf("dcmdump -q -Un +P %s %s", tag, path);
    g_autofree char *out = NULL;
    const char *open, *close;
    int status = -1;

    if (!g_spawn_command_line_sync(cmd, &out, NULL, &status, NULL) ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        !(open = strchr(out, '[')) || !(close = strchr(open, ']'))) {
        printf("# %s: no %s\n", cmd, tag);
        return NULL;
    }
    return g_strndup(open + 1, (gsize)(close - open - 1));
}

/* Each attribute the index keeps, as dcmdump reads it from the file. */
static void
check_as_dcmdump(const char *path, const struct tc_media_dicom_info *in)
{
    static const struct {
        const char *tag;
        size_t offset;
    } attrs[] = {
        {"0020,000d", offsetof(struct tc_media_dicom_info, study_uid)},
        {"0020,000e", offsetof(struct tc_media_dicom_info, series_uid)},
        {"0008,0018", offsetof(struct tc_media_dicom_info, sop_instance_uid)},
        {"0008,0016", offsetof(struct tc_media_dicom_info, sop_class_uid)},
        {"0008,0060", offsetof(struct tc_media_dicom_info, modality)},
        {"0010,0020", offsetof(struct tc_media_dicom_info, patient_id)},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(attrs); i++) {
        g_autofree char *want = dcmdump_value(path, attrs[i].tag);
        const char *got = (const char *)in + attrs[i].offset;
        if (!want || strcmp(got, want) != 0) {
            TC_FAIL_("%s (%s): \"%s\", dcmdump says \"%s\"", path,
                     attrs[i].tag, got, want ? want : "(nothing)");
        }
    }
}

static void
test_ct_mr_ecg_attributes(void)
{
    struct tc_media_dicom_info in;
    g_autofree char *ct = shared("CT_small.dcm");
    g_autofree char *mr = shared("MR_small.dcm");
    g_autofree char *ecg = shared("waveform_ecg.dcm");
    char *err = NULL;

    TC_REQUIRE(tc_media_dicom_info_read(ct, &in, &err) == 0);
    TC_CHECK_STR_EQ(in.modality, "CT");
    TC_CHECK_STR_EQ(in.sop_class_uid, "1.2.840.10008.5.1.4.1.1.2");
    TC_CHECK_STR_EQ(in.transfer_syntax_uid, "1.2.840.10008.1.2.1");
    check_as_dcmdump(ct, &in);
    TC_REQUIRE(tc_media_dicom_info_read(mr, &in, &err) == 0);
    TC_CHECK_STR_EQ(in.modality, "MR");
    TC_CHECK_STR_EQ(in.sop_class_uid, "1.2.840.10008.5.1.4.1.1.4");
    check_as_dcmdump(mr, &in);
    TC_REQUIRE(tc_media_dicom_info_read(ecg, &in, &err) == 0);
    TC_CHECK_STR_EQ(in.sop_class_uid, "1.2.840.10008.5.1.4.1.1.9.1.1");
    TC_CHECK_STR_EQ(in.modality, "ECG");
    check_as_dcmdump(ecg, &in);
}

/* Write a dump file whose text values are in `charset` and run
 * dump2dcm on it. */
static char *
make_named(const char *charset, const char *term, const char *uid)
{
    g_autofree char *name =
        g_convert(NAME_UTF8, -1, charset, "UTF-8", NULL, NULL, NULL);
    g_autofree char *dump = g_build_filename(tmp, "named.dump", NULL);
    char *out = g_strdup_printf("%s/named-%s.dcm", tmp, charset);
    g_autofree char *text =
        g_strdup_printf("(0002,0010) UI =LittleEndianExplicit\n"
                        "(0008,0005) CS [%s]\n"
                        "(0008,0016) UI =SecondaryCaptureImageStorage\n"
                        "(0008,0018) UI [%s.3]\n"
                        "(0008,0020) DA [20260301]\n"
                        "(0008,0060) CS [OT]\n"
                        "(0010,0010) PN [%s]\n"
                        "(0010,0020) LO [110101195003010134]\n"
                        "(0020,000d) UI [%s.1]\n"
                        "(0020,000e) UI [%s.2]\n",
                        term, uid, name, uid, uid);
    g_autofree char *cmd =
        g_strdup_printf("dump2dcm --write-file %s %s", dump, out);
    int status = -1;

    if (!name || !g_file_set_contents(dump, text, -1, NULL) ||
        !g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL) ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("# dump2dcm failed for %s\n", charset);
        abort();
    }
    return out;
}

static void
test_chinese_names_decode_to_utf8(void)
{
    g_autofree char *gb = make_named("GB18030", "GB18030", "1.2.3.4.1");
    g_autofree char *u8 = make_named("UTF-8", "ISO_IR 192", "1.2.3.4.2");
    struct tc_media_dicom_info in;
    char *err = NULL, *json = NULL;
    json_t *doc;

    TC_REQUIRE(tc_media_dicom_info_read(gb, &in, &err) == 0);
    TC_CHECK_STR_EQ(in.patient_name, NAME_UTF8);
    TC_CHECK_STR_EQ(in.patient_id, "110101195003010134");
    TC_REQUIRE(tc_media_dicom_info_read(u8, &in, &err) == 0);
    TC_CHECK_STR_EQ(in.patient_name, NAME_UTF8);

    /* The JSON model carries the UTF-8 name too. */
    TC_REQUIRE(tc_media_dicom_json(gb, &json, &err) == 0);
    doc = json_loads(json, 0, NULL);
    TC_REQUIRE(doc != NULL);
    TC_CHECK_STR_EQ(
        json_string_value(json_object_get(
            json_array_get(
                json_object_get(json_object_get(doc, "00100010"), "Value"), 0),
            "Alphabetic")),
        "Wang^XiaoDong");
    TC_CHECK_STR_EQ(
        json_string_value(json_object_get(
            json_array_get(
                json_object_get(json_object_get(doc, "00100010"), "Value"), 0),
            "Ideographic")),
        "\xe7\x8e\x8b^\xe5\xb0\x8f\xe4\xb8\x9c");
    json_decref(doc);
    free(json);
}

static void
test_truncated_and_foreign_files_are_refused(void)
{
    g_autofree char *ct = shared("CT_small.dcm");
    g_autofree char *cut = g_build_filename(tmp, "cut.dcm", NULL);
    g_autofree char *txt = g_build_filename(tmp, "not.dcm", NULL);
    struct tc_media_dicom_info in;
    char *bytes = NULL, *err = NULL;
    gsize len = 0;

    TC_REQUIRE(g_file_get_contents(ct, &bytes, &len, NULL));
    TC_REQUIRE(g_file_set_contents(cut, bytes, (gssize)(len - 1000), NULL));
    TC_REQUIRE(g_file_set_contents(txt, "hello, not DICOM", -1, NULL));
    g_free(bytes);
    TC_CHECK_EQ(tc_media_dicom_info_read(cut, &in, &err), -EPROTO);
    TC_CHECK(err && strstr(err, "not a complete DICOM"));
    free(err);
    err = NULL;
    TC_CHECK_EQ(tc_media_dicom_info_read(txt, &in, &err), -EPROTO);
    free(err);
    err = NULL;
    TC_CHECK_EQ(tc_media_dicom_info_read("/nonexistent.dcm", &in, &err),
                -ENOENT);
    free(err);
}

static void
test_json_has_no_pixel_data(void)
{
    g_autofree char *ct = shared("CT_small.dcm");
    char *json = NULL, *err = NULL;
    json_t *doc;

    TC_REQUIRE(tc_media_dicom_json(ct, &json, &err) == 0);
    doc = json_loads(json, 0, NULL);
    TC_REQUIRE(doc != NULL);
    TC_CHECK(json_object_get(doc, "7FE00010") == NULL);
    TC_CHECK_STR_EQ(
        json_string_value(json_array_get(
            json_object_get(json_object_get(doc, "00080060"), "Value"), 0)),
        "CT");
    TC_CHECK_STR_EQ(json_string_value(json_object_get(
                        json_object_get(doc, "00080060"), "vr")),
                    "CS");
    json_decref(doc);
    free(json);
}

static char *
copy_of(const char *src, const char *name)
{
    char *dst = g_build_filename(tmp, name, NULL);
    char *bytes = NULL;
    gsize len = 0;

    if (!g_file_get_contents(src, &bytes, &len, NULL) ||
        !g_file_set_contents(dst, bytes, (gssize)len, NULL)) {
        abort();
    }
    g_free(bytes);
    return dst;
}

static void
test_store_is_content_addressed(void)
{
    g_autofree char *ct = shared("CT_small.dcm");
    g_autofree char *dir = g_build_filename(tmp, "dicom", NULL);
    g_autofree char *a = copy_of(ct, "a.part");
    g_autofree char *b = copy_of(ct, "b.part");
    g_autofree char *full = NULL;
    char sha1[65], sha2[65], *rel1 = NULL, *rel2 = NULL, *err = NULL;
    bool existed = true;

    TC_REQUIRE(
        tc_media_dicom_store(dir, a, true, sha1, &rel1, &existed, &err) == 0);
    TC_CHECK(!existed);
    TC_CHECK(!g_file_test(a, G_FILE_TEST_EXISTS));
    TC_CHECK(g_str_has_prefix(rel1, "dicom/"));
    TC_CHECK(strstr(rel1, sha1) != NULL);
    TC_REQUIRE(
        tc_media_dicom_store(dir, b, false, sha2, &rel2, &existed, &err) == 0);
    TC_CHECK(existed);
    TC_CHECK_STR_EQ(sha1, sha2);
    TC_CHECK_STR_EQ(rel1, rel2);
    TC_CHECK(!g_file_test(b, G_FILE_TEST_EXISTS));
    full = g_build_filename(tmp, rel1, NULL);
    TC_CHECK(g_file_test(full, G_FILE_TEST_IS_REGULAR));
    free(rel1);
    free(rel2);
}

static void
test_ecg_waveform_channels(void)
{
    g_autofree char *ecg = shared("waveform_ecg.dcm");
    g_autofree char *ct = shared("CT_small.dcm");
    struct tc_media_dicom_waveform *w = NULL;
    char *err = NULL;
    long long sum = 0;

    TC_REQUIRE(tc_media_dicom_waveform_read(ecg, 0, &w, &err) == 0);
    TC_CHECK_EQ(w->n_channels, 12);
    TC_CHECK_EQ(w->n_samples, 10000);
    TC_CHECK(w->sample_rate_hz == 1000.0);
    TC_CHECK_STR_EQ(w->labels[0], "Lead I (Einthoven)");
    TC_CHECK_STR_EQ(w->labels[1], "Lead II");
    TC_CHECK_STR_EQ(w->units[0], "uV");
    TC_CHECK(w->sensitivity[0] == 1.25);
    for (uint32_t i = 0; i < w->n_samples * 12u; i++) {
        sum += w->samples[i] != 0;
    }
    TC_CHECK(sum > 1000); /* real signal, not zeros */
    tc_media_dicom_waveform_free(w);

    w = NULL;
    TC_REQUIRE(tc_media_dicom_waveform_read(ecg, 1, &w, &err) == 0);
    TC_CHECK_EQ(w->n_samples, 1200); /* the median beats */
    tc_media_dicom_waveform_free(w);
    TC_CHECK_EQ(tc_media_dicom_waveform_read(ecg, 2, &w, &err), -ENOENT);
    free(err);
    err = NULL;
    TC_CHECK_EQ(tc_media_dicom_waveform_read(ct, 0, &w, &err), -EPROTO);
    free(err);
}

/* The data set of a Part-10 file: what follows the meta header, whose
 * group length is the value at offset 140 (after the preamble, "DICM"
 * and the group length element's tag, VR and length). */
static const char *
dataset_of(const char *file, size_t len, size_t *ds_len)
{
    guint32 gl;

    if (len < 144 || memcmp(file + 128, "DICM", 4) != 0) {
        abort();
    }
    memcpy(&gl, file + 140, 4);
    gl = GUINT32_FROM_LE(gl);
    *ds_len = len - 144 - gl;
    return file + 144 + gl;
}

static void
test_intake_parses_in_any_pieces(void)
{
    g_autofree char *ct = shared("CT_small.dcm");
    g_autofree char *bytes = NULL;
    struct tc_media_dicom_info whole, part;
    const size_t chunks[] = {1, 2, 7, 1000, 16372, 1 << 20};
    const char *ds;
    size_t len = 0, ds_len = 0;
    char *err = NULL;

    TC_REQUIRE(tc_media_dicom_info_read(ct, &whole, &err) == 0);
    TC_REQUIRE(g_file_get_contents(ct, &bytes, &len, NULL));
    ds = dataset_of(bytes, len, &ds_len);
    for (size_t i = 0; i < G_N_ELEMENTS(chunks); i++) {
        memset(&part, 0, sizeof(part));
        TC_CHECK_EQ(tc_media_dicom_intake_parse(whole.transfer_syntax_uid, ds,
                                                ds_len, chunks[i], &part,
                                                &err),
                    0);
        TC_CHECK_STR_EQ(part.sop_instance_uid, whole.sop_instance_uid);
        TC_CHECK_STR_EQ(part.study_uid, whole.study_uid);
        TC_CHECK_STR_EQ(part.patient_name, whole.patient_name);
        TC_CHECK_STR_EQ(part.transfer_syntax_uid, whole.transfer_syntax_uid);
        TC_CHECK_EQ(part.instance_number, whole.instance_number);
    }
    /* Cut short inside the pixel data, or inside an element's header:
     * refused, whatever the pieces. */
    for (size_t cut = 100; cut <= 1000; cut += 899) {
        TC_CHECK_EQ(tc_media_dicom_intake_parse(whole.transfer_syntax_uid, ds,
                                                ds_len - cut, 16372, &part,
                                                &err),
                    -EPROTO);
        TC_CHECK(err && strstr(err, "not a complete DICOM data set"));
        free(err);
        err = NULL;
    }
    TC_CHECK_EQ(tc_media_dicom_intake_parse(whole.transfer_syntax_uid, ds, 3,
                                            1, &part, &err),
                -EPROTO);
    free(err);
    err = NULL;
    TC_CHECK_EQ(
        tc_media_dicom_intake_parse("1.2.3", ds, ds_len, 1, &part, &err),
        -EINVAL);
    free(err);
}

/* ---- SCP and SCU over loopback ---- */

struct rx {
    GMutex lock;
    int n;
    char sop[65];
    char ae[17];
    char sha[65];
    char *rel; /* where on_store stored it, under tmp */
};

static uint16_t
on_store(const struct tc_media_dicom_received *r, void *user)
{
    struct rx *rx = user;
    g_autofree char *dir = g_build_filename(tmp, "scp-store", NULL);
    char *err = NULL;
    bool existed = true;
    int rc;

    g_mutex_lock(&rx->lock);
    rx->n++;
    g_strlcpy(rx->sop, r->info->sop_instance_uid, sizeof(rx->sop));
    g_strlcpy(rx->ae, r->calling_ae, sizeof(rx->ae));
    g_strlcpy(rx->sha, r->sha256, sizeof(rx->sha));
    free(rx->rel);
    rx->rel = NULL;
    rc =
        tc_media_dicom_store_received(dir, r, false, &rx->rel, &existed, &err);
    free(err);
    g_mutex_unlock(&rx->lock);
    return rc == 0 && !existed ? TC_MEDIA_DICOM_STATUS_SUCCESS
                               : TC_MEDIA_DICOM_STATUS_OUT_OF_RES;
}

static bool
on_accept(const char *ae, void *user)
{
    (void)user;
    return strcmp(ae, "EAST_DR") == 0;
}

static void
test_scp_receives_what_the_scu_sends(void)
{
    struct rx rx = {0};
    struct tc_media_dicom_scp_config cfg = {
        .ae_title = "TELECARE",
        .host = "127.0.0.1",
        .port = 0,
        .max_associations = 4,
        .max_pdu_len = 65536,
        .timeout_s = 5,
        .tmp_dir = tmp,
        .accept = on_accept,
        .store = on_store,
        .user = &rx,
    };
    struct tc_media_dicom_scp *scp = NULL;
    struct tc_media_dicom_info in;
    g_autofree char *ct = shared("CT_small.dcm");
    const char *paths[] = {ct};
    uint16_t status[1];
    char *err = NULL;
    int port = 0;

    g_mutex_init(&rx.lock);
    TC_REQUIRE(tc_media_dicom_info_read(ct, &in, &err) == 0);
    TC_REQUIRE(tc_media_dicom_scp_start(&cfg, &scp, &port, &err) == 0);
    TC_CHECK(port > 0);
    TC_CHECK_EQ(tc_media_dicom_send("EAST_DR", "TELECARE", "127.0.0.1", port,
                                    5, paths, 1, status, &err),
                0);
    TC_CHECK_EQ(status[0], 0);
    TC_CHECK_EQ(rx.n, 1);
    TC_CHECK_STR_EQ(rx.sop, in.sop_instance_uid);
    TC_CHECK_STR_EQ(rx.ae, "EAST_DR");
    /* Stored whole under the SHA-256 of its bytes; it reads as the file
     * sent; nothing left where it was received. */
    TC_CHECK(rx.rel != NULL);
    if (rx.rel) {
        g_autofree char *stored = g_build_filename(tmp, rx.rel, NULL);
        g_autofree char *bytes = NULL;
        g_autofree char *sum = NULL;
        g_autoptr(GDir) rxdir = NULL;
        struct tc_media_dicom_info out;
        const char *name;
        gsize len = 0;
        int left = 0;

        TC_CHECK(strstr(rx.rel, rx.sha) != NULL);
        TC_REQUIRE(g_file_get_contents(stored, &bytes, &len, NULL));
        sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
                                          (const guchar *)bytes, len);
        TC_CHECK_STR_EQ(sum, rx.sha);
        TC_REQUIRE(tc_media_dicom_info_read(stored, &out, &err) == 0);
        TC_CHECK_STR_EQ(out.sop_instance_uid, in.sop_instance_uid);
        TC_CHECK_STR_EQ(out.series_uid, in.series_uid);
        TC_CHECK_STR_EQ(out.patient_name, in.patient_name);
        TC_CHECK_STR_EQ(out.transfer_syntax_uid, in.transfer_syntax_uid);
        rxdir = g_dir_open(tmp, 0, NULL);
        while (rxdir && (name = g_dir_read_name(rxdir))) {
            left += g_str_has_suffix(name, ".part");
        }
        TC_CHECK_EQ(left, 0);
    }
    /* The same bytes again: the store says it has them. */
    TC_CHECK_EQ(tc_media_dicom_send("EAST_DR", "TELECARE", "127.0.0.1", port,
                                    5, paths, 1, status, &err),
                0);
    TC_CHECK_EQ(status[0], TC_MEDIA_DICOM_STATUS_OUT_OF_RES);
    TC_CHECK_EQ(rx.n, 2);

    /* An AE not on the list is refused at association: nothing stored. */
    TC_CHECK_EQ(tc_media_dicom_send("STRANGER", "TELECARE", "127.0.0.1", port,
                                    5, paths, 1, status, &err),
                -EPROTO);
    TC_CHECK(err && strstr(err, "TELECARE@127.0.0.1"));
    free(err);
    err = NULL;
    TC_CHECK_EQ(rx.n, 2);
    /* The wrong called AE title likewise. */
    TC_CHECK_EQ(tc_media_dicom_send("EAST_DR", "OTHER", "127.0.0.1", port, 5,
                                    paths, 1, status, &err),
                -EPROTO);
    free(err);
    tc_media_dicom_scp_stop(scp);
    free(rx.rel);
    g_mutex_clear(&rx.lock);
}

int
main(void)
{
    tmp = g_dir_make_tmp("tc-dicom-XXXXXX", NULL);
    TC_RUN(test_ct_mr_ecg_attributes);
    TC_RUN(test_chinese_names_decode_to_utf8);
    TC_RUN(test_truncated_and_foreign_files_are_refused);
    TC_RUN(test_json_has_no_pixel_data);
    TC_RUN(test_store_is_content_addressed);
    TC_RUN(test_ecg_waveform_channels);
    TC_RUN(test_intake_parses_in_any_pieces);
    TC_RUN(test_scp_receives_what_the_scu_sends);
    g_autofree char *cmd = g_strdup_printf("rm -rf %s", tmp);
    (void)system(cmd);
    g_free(tmp);
    return tc_done();
}
