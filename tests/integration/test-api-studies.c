// SPDX-License-Identifier: Apache-2.0
/*
 * test-api-studies.c - ECG and imaging studies through the real server:
 * the family doctor records a live ECG, finishes it and assigns a reader;
 * another reader is refused (audited), the assigned one reads it from
 * their worklist, signs the report and amends it (versions kept); only
 * ECG readers sign ECG reports. An imaging study that arrived unmatched
 * is reconciled to the resident, assigned, read with its series, reported
 * and amended by its radiologist. A table of bad requests.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "county-fixture.h"

static struct fx f;
static int64_t imaging_id;
static char ecg[64], img[64];

#define J(x) ((json_int_t)(x))

/* A CT study that arrived over DICOM without a known patient. */
static void
setup(struct fx *fx, struct tc_rec_db *db)
{
    struct tc_rec_imaging_instance_in in = {
        .study_uid = "1.2.826.0.1.3680043.2.1125.1",
        .accession = "A-17",
        .study_description = "CT chest",
        .study_date = "2026-03-01",
        .series_uid = "1.2.826.0.1.3680043.2.1125.1.1",
        .modality = "CT",
        .series_number = 1,
        .series_description = "Axial",
        .sop_instance_uid = "1.2.826.0.1.3680043.2.1125.1.1.1",
        .sop_class_uid = "1.2.840.10008.5.1.4.1.1.2",
        .storage_path = "dicom/ab/abcdef",
        .sha256 = "0123456789abcdef0123456789abcdef"
                  "0123456789abcdef0123456789abcdef",
        .size_bytes = 524288,
        .received_at_us = g_get_real_time(),
    };

    (void)fx;
    if (tc_rec_imaging_instance_store(db, &in, &imaging_id) != 0) {
        printf("# imaging: %s\n", tc_rec_errmsg(db));
        abort();
    }
}

static void
test_ecg_recorded_finished_assigned(void)
{
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", "/api/v1/ecg-studies",
                        "{s:I,s:s,s:s,s:i,s:b}", "resident_id", J(f.resident),
                        "device_id", "ecg-7", "leads", "I,II,III,V1",
                        "sample_rate_hz", 500, "live", 1),
                201);
    TC_REQUIRE(fx_int(&f, "id") > 0);
    snprintf(ecg, sizeof(ecg), "/api/v1/ecg-studies/%lld",
             (long long)fx_int(&f, "id"));
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "live");
    TC_CHECK_EQ(fx_int(&f, "ordered_by"), f.pid[FX_FAM]);
    TC_CHECK(json_is_false(json_object_get(f.doc, "stored")));
    TC_CHECK(json_is_null(json_object_get(f.doc, "report")));
    TC_CHECK(!json_object_get(f.doc, "storage_path"));

    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/finish", ecg),
                        "{s:i,s:s}", "duration_ms", 60000, "storage_path",
                        "ecg/7"),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "awaiting_reading");
    TC_CHECK(json_is_true(json_object_get(f.doc, "stored")));
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/finish", ecg),
                        "{s:i,s:s}", "duration_ms", 60000, "storage_path",
                        "ecg/7"),
                409);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/assign", ecg), "{s:I}",
                        "reader_id", J(f.pid[FX_READER])),
                200);
    TC_CHECK_EQ(fx_int(&f, "reader_id"), f.pid[FX_READER]);
    TC_CHECK_EQ(fx_call(&f, FX_RES2, "POST", "/api/v1/ecg-studies",
                        "{s:I,s:s,s:s,s:i,s:b}", "resident_id", J(f.resident),
                        "device_id", "ecg-7", "leads", "I", "sample_rate_hz",
                        500, "live", 1),
                403);
}

static void
test_only_the_assigned_reader_reads_and_signs(void)
{
    long long denied2 = fx_audited(&f, "reader2", "ecg_study", "denied");
    long long denied_fam = fx_audited(&f, "fam", "ecg_study", "denied");
    json_t *items, *report;

    TC_CHECK_EQ(fx_call(&f, FX_READER2, "GET", ecg, NULL), 403);
    TC_CHECK_EQ(fx_audited(&f, "reader2", "ecg_study", "denied"), denied2 + 1);
    TC_CHECK_EQ(fx_call(&f, FX_READER, "GET", ecg, NULL), 200);
    TC_CHECK_EQ(fx_call(&f, FX_RES, "GET", ecg, NULL), 200);

    TC_CHECK_EQ(fx_call(&f, FX_READER, "GET", "/api/v1/worklists/ecg", NULL),
                200);
    items = json_object_get(f.doc, "items");
    TC_REQUIRE(json_array_size(items) == 1);
    TC_CHECK(!json_object_get(json_array_get(items, 0), "report"));
    TC_CHECK_EQ(fx_call(&f, FX_READER2, "GET", "/api/v1/worklists/ecg", NULL),
                200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")), 0);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET", "/api/v1/worklists/ecg", NULL),
                403);

    /* The family doctor may read the study, not sign its report. */
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/report", ecg),
                        "{s:s,s:s}", "rhythm", "sinus", "impression", "ok"),
                403);
    TC_CHECK_EQ(fx_audited(&f, "fam", "ecg_study", "denied"), denied_fam + 1);
    TC_CHECK_EQ(fx_call(&f, FX_READER2, "POST", fx_path("%s/report", ecg),
                        "{s:s,s:s}", "rhythm", "sinus", "impression", "ok"),
                403);
    TC_CHECK_EQ(fx_call(&f, FX_READER, "POST", fx_path("%s/report", ecg),
                        "{s:s,s:i,s:s}", "rhythm", "sinus", "heart_rate_bpm",
                        400, "impression", "ok"),
                422);
    TC_CHECK_STR_EQ(fx_error_field(&f), "heart_rate_bpm");
    TC_CHECK_EQ(fx_call(&f, FX_READER, "POST", fx_path("%s/report", ecg),
                        "{s:s,s:i,s:i,s:i,s:s}", "rhythm", "sinus bradycardia",
                        "heart_rate_bpm", 48, "pr_ms", 180, "qrs_ms", 90,
                        "impression",
                        "Sinus bradycardia with pauses up to 2.4 s."),
                201);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "reported");
    report = json_object_get(f.doc, "report");
    TC_CHECK_EQ(json_integer_value(json_object_get(report, "version")), 1);
    TC_CHECK_EQ(json_integer_value(json_object_get(report, "reader_id")),
                f.pid[FX_READER]);
    TC_CHECK(json_is_null(json_object_get(report, "qt_ms")));
    TC_CHECK_EQ(fx_call(&f, FX_READER, "POST", fx_path("%s/report", ecg),
                        "{s:s,s:s}", "rhythm", "sinus", "impression", "ok"),
                409);
}

static void
test_ecg_report_is_amended_with_versions(void)
{
    json_t *items;

    TC_CHECK_EQ(fx_call(&f, FX_READER, "POST", fx_path("%s/report/amend", ecg),
                        "{s:s,s:s}", "rhythm", "sinus", "impression", "ok"),
                400);
    TC_CHECK_STR_EQ(fx_error_field(&f), "reason");
    TC_CHECK_EQ(fx_call(&f, FX_READER, "POST", fx_path("%s/report/amend", ecg),
                        "{s:s,s:i,s:s,s:s}", "rhythm", "sinus bradycardia",
                        "heart_rate_bpm", 46, "impression",
                        "Sinus bradycardia with pauses up to 2.6 s.", "reason",
                        "remeasured"),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "amended");
    TC_CHECK_EQ(
        fx_call(&f, FX_FAM, "GET", fx_path("%s/report/versions", ecg), NULL),
        200);
    items = json_object_get(f.doc, "items");
    TC_REQUIRE(json_array_size(items) == 2);
    TC_CHECK_EQ(json_integer_value(json_object_get(json_array_get(items, 0),
                                                   "heart_rate_bpm")),
                48);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(json_array_get(items, 1),
                                                      "amend_reason")),
                    "remeasured");
}

static void
test_imaging_reconciled_assigned_reported(void)
{
    json_t *series;

    snprintf(img, sizeof(img), "/api/v1/imaging-studies/%lld",
             (long long)imaging_id);
    /* Unmatched: nobody's record yet. */
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET", img, NULL), 403);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/assign", img), "{s:I}",
                        "radiologist_id", J(f.pid[FX_RAD])),
                409);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/match", img), "{s:I}",
                        "resident_id", J(f.resident2)),
                403); /* not a resident of this doctor's */
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/match", img), "{s:I}",
                        "resident_id", J(f.resident)),
                200);
    TC_CHECK_EQ(fx_int(&f, "resident_id"), f.resident);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/match", img), "{s:I}",
                        "resident_id", J(f.resident)),
                409);

    TC_CHECK_EQ(fx_call(&f, FX_RAD, "GET", img, NULL), 403);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/assign", img), "{s:I}",
                        "radiologist_id", J(f.pid[FX_RAD])),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "assigned");
    TC_CHECK_EQ(fx_call(&f, FX_RAD2, "GET", img, NULL), 403);
    TC_CHECK_EQ(fx_call(&f, FX_RAD, "GET", img, NULL), 200);
    TC_CHECK_STR_EQ(fx_str(&f, "modality"), "CT");
    TC_CHECK_EQ(fx_int(&f, "n_instances"), 1);
    series = json_object_get(f.doc, "series");
    TC_REQUIRE(json_array_size(series) == 1);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(
                        json_array_get(series, 0), "series_uid")),
                    "1.2.826.0.1.3680043.2.1125.1.1");
    TC_CHECK_EQ(fx_call(&f, FX_RAD, "GET", "/api/v1/worklists/imaging", NULL),
                200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")), 1);
    TC_CHECK_EQ(fx_call(&f, FX_RAD2, "GET", "/api/v1/worklists/imaging", NULL),
                200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")), 0);

    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST", fx_path("%s/report", img),
                        "{s:s,s:s}", "findings", "x", "impression", "y"),
                403);
    TC_CHECK_EQ(fx_call(&f, FX_RAD, "POST", fx_path("%s/report", img),
                        "{s:s,s:s}", "findings", "No focal consolidation.",
                        "impression", "Normal chest CT."),
                201);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "reported");
    TC_CHECK_EQ(fx_call(&f, FX_RAD, "POST", fx_path("%s/report/amend", img),
                        "{s:s,s:s,s:s}", "findings",
                        "No focal consolidation. 4 mm nodule, right lower "
                        "lobe.",
                        "impression", "Small nodule; follow up in 12 months.",
                        "reason", "nodule missed"),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "amended");
    TC_CHECK_EQ(
        fx_call(&f, FX_RES, "GET", fx_path("%s/report/versions", img), NULL),
        200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")), 2);
}

static void
test_bad_requests(void)
{
    static const struct fx_bad rows[] = {
        {"malformed JSON", FX_FAM, "POST", "/api/v1/ecg-studies", "{]", 400,
         NULL},
        {"missing device", FX_FAM, "POST", "/api/v1/ecg-studies",
         "{\"resident_id\":{id},\"leads\":\"I\",\"sample_rate_hz\":500}", 400,
         "device_id"},
        {"rate as text", FX_FAM, "POST", "/api/v1/ecg-studies",
         "{\"resident_id\":{id},\"device_id\":\"d\",\"leads\":\"I\","
         "\"sample_rate_hz\":\"fast\"}",
         400, "sample_rate_hz"},
        {"live as text", FX_FAM, "POST", "/api/v1/ecg-studies",
         "{\"resident_id\":{id},\"device_id\":\"d\",\"leads\":\"I\","
         "\"sample_rate_hz\":500,\"live\":\"yes\"}",
         400, "live"},
        {"unknown lead", FX_FAM, "POST", "/api/v1/ecg-studies",
         "{\"resident_id\":{id},\"device_id\":\"d\",\"leads\":\"I,XYZ\","
         "\"sample_rate_hz\":500,\"live\":true}",
         422, "leads"},
        {"unknown field", FX_FAM, "POST", "/api/v1/ecg-studies",
         "{\"resident_id\":{id},\"patient\":\"x\"}", 400, "patient"},
        {"bad study id", FX_FAM, "GET", "/api/v1/ecg-studies/-1", NULL, 400,
         "study id"},
        {"no such ECG study", FX_FAM, "GET", "/api/v1/ecg-studies/999999",
         NULL, 404, NULL},
        {"no such imaging study", FX_FAM, "GET",
         "/api/v1/imaging-studies/999999", NULL, 404, NULL},
        {"reader id as text", FX_FAM, "POST", "/api/v1/ecg-studies/1/assign",
         "{\"reader_id\":\"7\"}", 400, "reader_id"},
        {"no such reader", FX_FAM, "POST", "/api/v1/ecg-studies/1/assign",
         "{\"reader_id\":999999}", 409, NULL}, /* reported: no reassigning */
        {"match to nobody", FX_FAM, "POST", "/api/v1/imaging-studies/1/match",
         "{\"resident_id\":999999}", 404, NULL},
        {"findings missing", FX_RAD, "POST",
         "/api/v1/imaging-studies/1/report", "{\"impression\":\"y\"}", 400,
         "findings"},
    };

    fx_bad_requests(&f, rows, G_N_ELEMENTS(rows), f.resident);
}

int
main(void)
{
    if (fx_open(&f, setup) != 0) {
        printf("Bail out! fixture\n");
        return 1;
    }
    TC_RUN(test_ecg_recorded_finished_assigned);
    TC_RUN(test_only_the_assigned_reader_reads_and_signs);
    TC_RUN(test_ecg_report_is_amended_with_versions);
    TC_RUN(test_imaging_reconciled_assigned_reported);
    TC_RUN(test_bad_requests);
    fx_close(&f);
    return tc_done();
}
