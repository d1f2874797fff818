// SPDX-License-Identifier: Apache-2.0
/*
 * test-imaging-dicom.c - migration 6: a DICOM Patient ID matches a
 * resident by ID number or health-card number (never a guess); the DICOM
 * header's patient, study time and modalities are kept in the index; an
 * instance received again with other bytes is flagged, once; the
 * reconciliation list; QIDO-RS searches by patient, date range, modality,
 * limit and offset; reading requests put urgent studies first on the
 * worklist and come back to the requester.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "clinical-fixture.h"
#include "tc-test.h"

#define T0 us_at("2026-03-02", 9)
#define SHA_A                                                                 \
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define SHA_B                                                                 \
    "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"
#define NAME "Wang^XiaoDong=\xe7\x8e\x8b^\xe5\xb0\x8f\xe4\xb8\x9c="

/* Study `n` (one instance) of modality `mod` on `date`, resident 0. */
static int64_t
store(struct fixture *f, int n, const char *mod, const char *date,
      const char *patient, int64_t at_us)
{
    char study[40], series[48], sop[56];
    struct tc_rec_imaging_instance_in in = {0};
    struct tc_rec_imaging_dicom_in d = {0};
    int64_t id = 0;

    snprintf(study, sizeof(study), "1.2.826.0.1.3680043.9.%d", n);
    snprintf(series, sizeof(series), "%s.1", study);
    snprintf(sop, sizeof(sop), "%s.1.1", study);
    in.study_uid = study;
    in.study_date = date;
    in.series_uid = series;
    in.modality = mod;
    in.series_number = 1;
    in.sop_instance_uid = sop;
    in.sop_class_uid = "1.2.840.10008.5.1.4.1.1.2";
    in.storage_path = "dicom/9f/9f86.dcm";
    in.sha256 = SHA_A;
    in.size_bytes = 39206;
    in.received_at_us = at_us;
    d.patient_dicom_id = patient;
    d.patient_name = NAME;
    d.patient_birth_date = "1950-03-01";
    d.patient_sex = "M";
    d.study_time = "083000";
    d.transfer_syntax = "1.2.840.10008.1.2.1";
    d.instance_number = 1;
    d.source = "EAST_DR";
    if (tc_rec_imaging_instance_store_dicom(f->db, &in, &d, &id) != 0) {
        printf("# store: %s\n", tc_rec_errmsg(f->db));
        abort();
    }
    return id;
}

static void
test_patient_id_matches_id_number_or_health_card(void)
{
    struct fixture f;
    int64_t r = 0;

    fixture_open(&f, "match.db");
    raw_exec(&f, "UPDATE residents SET health_card_no = 'HC-77' WHERE "
                 "id_number = '110105194912310029'");
    TC_CHECK_EQ(tc_rec_imaging_patient_match(f.db, "11010519491231002X", &r),
                0);
    TC_CHECK_EQ(r, f.resident);
    TC_CHECK_EQ(tc_rec_imaging_patient_match(f.db, "HC-77", &r), 0);
    TC_CHECK_EQ(r, f.resident_basic);
    r = 0;
    TC_CHECK_EQ(tc_rec_imaging_patient_match(f.db, "PAT-0001", &r), -ENOENT);
    TC_CHECK_EQ(tc_rec_imaging_patient_match(f.db, "", &r), -ENOENT);
    TC_CHECK_EQ(r, 0);
    /* One resident's ID number is another's card number: no guess. */
    raw_exec(&f, "UPDATE residents SET health_card_no = '11010519491231002X'"
                 " WHERE id_number = '110105194912310037'");
    TC_CHECK_EQ(tc_rec_imaging_patient_match(f.db, "11010519491231002X", &r),
                -ENOENT);
    fixture_close(&f);
}

static void
test_header_patient_and_modalities_are_indexed(void)
{
    struct fixture f;
    struct tc_rec_imaging_study *s = NULL;
    struct tc_rec_imaging_instance_list *l = NULL;
    int64_t id;

    fixture_open(&f, "header.db");
    id = store(&f, 1, "CT", "2026-03-01", "PAT-1", T0);
    TC_REQUIRE(tc_rec_imaging_study_get(f.db, id, &s) == 0);
    TC_CHECK_STR_EQ(s->patient_name, NAME);
    TC_CHECK_STR_EQ(s->patient_dicom_id, "PAT-1");
    TC_CHECK_STR_EQ(s->patient_birth_date, "1950-03-01");
    TC_CHECK_STR_EQ(s->study_time, "083000");
    TC_CHECK_STR_EQ(s->modalities, "CT");
    TC_CHECK_EQ(s->resident_id, 0);
    TC_REQUIRE(tc_rec_imaging_instance_list(f.db, s->series[0].id, &l) == 0);
    TC_REQUIRE(l->count == 1);
    TC_CHECK_STR_EQ(l->items[0].transfer_syntax, "1.2.840.10008.1.2.1");
    TC_CHECK_EQ(l->items[0].instance_number, 1);
    tc_rec_imaging_instance_list_free(l);
    tc_rec_imaging_study_free(s);
    fixture_close(&f);
}

static void
test_changed_bytes_are_flagged_once(void)
{
    struct fixture f;
    struct tc_rec_imaging_instance_in in = {0};
    struct tc_rec_imaging_study *s = NULL;
    int64_t id;

    fixture_open(&f, "conflict.db");
    id = store(&f, 2, "CT", "2026-03-01", "PAT-1", T0);
    in.sop_instance_uid = "1.2.826.0.1.3680043.9.2.1.1";
    in.storage_path = "dicom/60/6030.dcm";
    in.sha256 = SHA_B;
    in.size_bytes = 40000;
    in.received_at_us = T0 + 1;
    TC_CHECK_EQ(tc_rec_imaging_conflict_add(f.db, &in, "EAST_DR"), 0);
    TC_CHECK_EQ(tc_rec_imaging_conflict_add(f.db, &in, "EAST_DR"), 0);
    TC_REQUIRE(tc_rec_imaging_study_get(f.db, id, &s) == 0);
    TC_CHECK_EQ(s->n_conflicts, 1);
    TC_CHECK_EQ(s->n_instances, 1);
    tc_rec_imaging_study_free(s);
    in.sop_instance_uid = "1.2.3.4";
    TC_CHECK_EQ(tc_rec_imaging_conflict_add(f.db, &in, NULL), -ENOENT);
    fixture_close(&f);
}

static void
test_qido_filters_and_pages(void)
{
    struct fixture f;
    struct tc_rec_imaging_study_list *l = NULL;
    struct tc_rec_imaging_query q = {.limit = 10};

    fixture_open(&f, "qido.db");
    store(&f, 3, "CT", "2026-03-01", "PAT-1", T0);
    store(&f, 4, "MR", "2026-03-05", "PAT-1", T0 + 1);
    store(&f, 5, "CT", "2026-04-01", "PAT-2", T0 + 2);

    TC_REQUIRE(tc_rec_imaging_query(f.db, &q, &l) == 0);
    TC_CHECK_EQ(l->count, 3);
    TC_CHECK_STR_EQ(l->items[0].study_uid, "1.2.826.0.1.3680043.9.5");
    tc_rec_imaging_study_list_free(l);

    q.patient_dicom_id = "PAT-1";
    TC_REQUIRE(tc_rec_imaging_query(f.db, &q, &l) == 0);
    TC_CHECK_EQ(l->count, 2);
    tc_rec_imaging_study_list_free(l);

    q.date_from = "2026-03-02";
    q.date_to = "2026-03-31";
    TC_REQUIRE(tc_rec_imaging_query(f.db, &q, &l) == 0);
    TC_REQUIRE(l->count == 1);
    TC_CHECK_STR_EQ(l->items[0].modalities, "MR");
    tc_rec_imaging_study_list_free(l);

    q = (struct tc_rec_imaging_query){.modality = "CT", .limit = 1};
    TC_REQUIRE(tc_rec_imaging_query(f.db, &q, &l) == 0);
    TC_REQUIRE(l->count == 1);
    TC_CHECK_STR_EQ(l->items[0].study_uid, "1.2.826.0.1.3680043.9.5");
    tc_rec_imaging_study_list_free(l);
    q.offset = 1;
    TC_REQUIRE(tc_rec_imaging_query(f.db, &q, &l) == 0);
    TC_REQUIRE(l->count == 1);
    TC_CHECK_STR_EQ(l->items[0].study_uid, "1.2.826.0.1.3680043.9.3");
    tc_rec_imaging_study_list_free(l);

    q.limit = 0;
    TC_CHECK_EQ(tc_rec_imaging_query(f.db, &q, &l), -EINVAL);
    q = (struct tc_rec_imaging_query){.date_from = "2026-13-01", .limit = 1};
    TC_CHECK_EQ(tc_rec_imaging_query(f.db, &q, &l), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "StudyDate");
    fixture_close(&f);
}

static void
test_reconciliation_list_and_match(void)
{
    struct fixture f;
    struct tc_rec_imaging_study_list *l = NULL;
    int64_t a, b;

    fixture_open(&f, "recon.db");
    a = store(&f, 6, "CT", "2026-03-01", "PAT-1", T0);
    b = store(&f, 7, "DX", "2026-03-01", "PAT-2", T0 + 1);
    TC_REQUIRE(tc_rec_imaging_unmatched(f.db, 10, &l) == 0);
    TC_REQUIRE(l->count == 2);
    TC_CHECK_EQ(l->items[0].id, a);
    tc_rec_imaging_study_list_free(l);
    TC_CHECK_EQ(tc_rec_imaging_study_match(f.db, a, f.resident), 0);
    TC_REQUIRE(tc_rec_imaging_unmatched(f.db, 10, &l) == 0);
    TC_REQUIRE(l->count == 1);
    TC_CHECK_EQ(l->items[0].id, b);
    tc_rec_imaging_study_list_free(l);
    fixture_close(&f);
}

static void
test_urgent_requests_lead_the_worklist_and_come_back(void)
{
    struct fixture f;
    struct tc_rec_imaging_study_list *l = NULL;
    int64_t routine, urgent;

    fixture_open(&f, "reading.db");
    routine = store(&f, 8, "DX", "2026-03-01", "PAT-1", T0);
    urgent = store(&f, 9, "CT", "2026-03-01", "PAT-1", T0 + 5);
    TC_REQUIRE(tc_rec_imaging_study_match(f.db, routine, f.resident) == 0);
    TC_REQUIRE(tc_rec_imaging_study_match(f.db, urgent, f.resident) == 0);
    TC_CHECK_EQ(tc_rec_imaging_reading_request(f.db, routine, f.doctor, false,
                                               NULL, T0 + 6),
                0);
    TC_CHECK_EQ(tc_rec_imaging_reading_request(f.db, urgent, f.doctor, true,
                                               "suspected fracture", T0 + 7),
                0);
    TC_CHECK_EQ(tc_rec_imaging_reading_request(f.db, urgent, f.doctor, true,
                                               NULL, T0 + 8),
                -EEXIST);
    TC_CHECK_EQ(
        tc_rec_imaging_reading_request(f.db, 9999, f.doctor, true, NULL, 1),
        -ENOENT);
    TC_REQUIRE(tc_rec_imaging_study_assign(f.db, routine, f.radiologist, T0) ==
               0);
    TC_REQUIRE(tc_rec_imaging_study_assign(f.db, urgent, f.radiologist, T0) ==
               0);
    TC_REQUIRE(tc_rec_imaging_worklist(f.db, f.radiologist, false, &l) == 0);
    TC_REQUIRE(l->count == 2);
    TC_CHECK_EQ(l->items[0].id, urgent);
    TC_CHECK(l->items[0].urgent);
    TC_CHECK_EQ(l->items[1].id, routine);
    tc_rec_imaging_study_list_free(l);
    TC_REQUIRE(tc_rec_imaging_requested_by(f.db, f.doctor, &l) == 0);
    TC_REQUIRE(l->count == 2);
    TC_CHECK_EQ(l->items[0].requested_by, f.doctor);
    tc_rec_imaging_study_list_free(l);
    fixture_close(&f);
}

static void
test_fhir_imaging_study_carries_the_dicom_patient(void)
{
    struct fixture f;
    json_t *res = NULL, *subject;
    char id[24];
    int64_t sid;

    fixture_open(&f, "fhir.db");
    sid = store(&f, 10, "CT", "2026-03-01", "PAT-9", T0);
    snprintf(id, sizeof(id), "%lld", (long long)sid);
    TC_REQUIRE(tc_rec_fhir_read(f.db, "ImagingStudy", id, &res) == 0);
    subject = json_object_get(res, "subject");
    TC_CHECK_STR_EQ(json_string_value(json_object_get(subject, "display")),
                    "\xe7\x8e\x8b\xe5\xb0\x8f\xe4\xb8\x9c");
    TC_CHECK_STR_EQ(json_string_value(json_object_get(
                        json_object_get(subject, "identifier"), "value")),
                    "PAT-9");
    TC_CHECK_STR_EQ(
        json_string_value(json_object_get(
            json_array_get(json_object_get(res, "modality"), 0), "code")),
        "CT");
    TC_CHECK_EQ(json_integer_value(json_object_get(
                    json_array_get(
                        json_object_get(
                            json_array_get(json_object_get(res, "series"), 0),
                            "instance"),
                        0),
                    "number")),
                1);
    json_decref(res);
    TC_REQUIRE(tc_rec_imaging_study_match(f.db, sid, f.resident) == 0);
    TC_REQUIRE(tc_rec_imaging_reading_request(f.db, sid, f.doctor, true, NULL,
                                              T0) == 0);
    TC_REQUIRE(tc_rec_fhir_read(f.db, "ImagingStudy", id, &res) == 0);
    TC_CHECK(json_object_get(json_object_get(res, "subject"), "reference") !=
             NULL);
    TC_CHECK(json_object_get(res, "referrer") != NULL);
    json_decref(res);
    fixture_close(&f);
}

int
main(void)
{
    if (fixture_main_begin() < 0) {
        return 1;
    }
    TC_RUN(test_patient_id_matches_id_number_or_health_card);
    TC_RUN(test_header_patient_and_modalities_are_indexed);
    TC_RUN(test_changed_bytes_are_flagged_once);
    TC_RUN(test_qido_filters_and_pages);
    TC_RUN(test_reconciliation_list_and_match);
    TC_RUN(test_urgent_requests_lead_the_worklist_and_come_back);
    TC_RUN(test_fhir_imaging_study_carries_the_dicom_patient);
    return fixture_main_end();
}
