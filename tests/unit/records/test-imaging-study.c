// SPDX-License-Identifier: Apache-2.0
/*
 * test-imaging-study.c - the DICOM index (studies, series, instances,
 * counts, retries and conflicts), reconciliation, the reporting lifecycle
 * with every refused transition, and the worklist.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "clinical-fixture.h"
#include "tc-test.h"

#define T0 us_at("2026-03-02", 9)
#define SHA_A                                                                 \
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define SHA_B                                                                 \
    "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"

static const struct tc_rec_imaging_report_in chest = {
    .findings = "Lungs clear.\nHeart size normal.",
    .impression = "No acute disease.",
};

/* Instance `n` of series `series` of study `study` (numbers give UIDs). */
static struct tc_rec_imaging_instance_in
instance(struct fixture *f, int study, int series, int n)
{
    static char uids[3][64];
    struct tc_rec_imaging_instance_in in = {0};

    snprintf(uids[0], sizeof(uids[0]), "1.2.826.0.1.3680043.9.%d", study);
    snprintf(uids[1], sizeof(uids[1]), "1.2.826.0.1.3680043.9.%d.%d", study,
             series);
    snprintf(uids[2], sizeof(uids[2]), "1.2.826.0.1.3680043.9.%d.%d.%d", study,
             series, n);
    in.study_uid = uids[0];
    in.accession = "ACC1";
    in.study_description = "Chest X-ray";
    in.study_date = "2026-03-02";
    in.resident_id = f->resident;
    in.sending_org_id = f->clinic;
    in.series_uid = uids[1];
    in.modality = "DX";
    in.series_number = series;
    in.series_description = "PA";
    in.sop_instance_uid = uids[2];
    in.sop_class_uid = "1.2.840.10008.5.1.4.1.1.1.1";
    in.storage_path = "dicom/9f/86/9f86d0";
    in.sha256 = SHA_A;
    in.size_bytes = 524288;
    in.received_at_us = T0;
    return in;
}

/* A study of one instance in status `s`. */
static int64_t
study_in(struct fixture *f, int n, enum tc_rec_imaging_status s)
{
    struct tc_rec_imaging_instance_in in = instance(f, n, 1, 1);
    int64_t id = 0;

    if (tc_rec_imaging_instance_store(f->db, &in, &id) != 0) {
        printf("# study_in: %s\n", tc_rec_errmsg(f->db));
        abort();
    }
    if (s >= TC_REC_IMAGING_ASSIGNED) {
        tc_rec_imaging_study_assign(f->db, id, f->radiologist, T0);
    }
    if (s >= TC_REC_IMAGING_REPORTED) {
        tc_rec_imaging_report_sign(f->db, id, &chest, f->radiologist, T0);
    }
    if (s == TC_REC_IMAGING_AMENDED) {
        tc_rec_imaging_report_amend(f->db, id, &chest, f->radiologist, T0,
                                    "side marker");
    }
    return id;
}

static void
test_instances_build_the_study_series_index_with_counts(void)
{
    struct fixture f;
    struct tc_rec_imaging_instance_in in;
    struct tc_rec_imaging_study *s = NULL;
    struct tc_rec_imaging_instance_list *list = NULL;
    int64_t id = 0, again = 0;

    fixture_open(&f, "imaging-index.db");
    for (int series = 1; series <= 2; series++) {
        for (int n = 1; n <= 3; n++) {
            in = instance(&f, 7, series, n);
            TC_CHECK_EQ(tc_rec_imaging_instance_store(f.db, &in, &again), 0);
            if (!id) {
                id = again;
            }
            TC_CHECK_EQ(again, id);
        }
    }
    TC_REQUIRE(tc_rec_imaging_study_get(f.db, id, &s) == 0);
    TC_CHECK_EQ(s->status, TC_REC_IMAGING_RECEIVED);
    TC_CHECK_EQ(s->n_series, 2);
    TC_CHECK_EQ(s->n_instances, 6);
    TC_CHECK_STR_EQ(s->study_uid, "1.2.826.0.1.3680043.9.7");
    TC_CHECK_STR_EQ(s->modality, "DX");
    TC_REQUIRE(s->series);
    TC_CHECK_EQ(s->series[1].number, 2);
    TC_CHECK_EQ(s->series[1].n_instances, 3);
    TC_REQUIRE(tc_rec_imaging_instance_list(f.db, s->series[0].id, &list) ==
               0);
    TC_CHECK_EQ(list->count, 3);
    TC_CHECK_STR_EQ(list->items[0].sha256, SHA_A);
    TC_CHECK_EQ(list->items[0].size_bytes, 524288);
    tc_rec_imaging_instance_list_free(list);
    tc_rec_imaging_study_free(s);
    TC_CHECK_EQ(
        tc_rec_imaging_study_find(f.db, "1.2.826.0.1.3680043.9.7", &again), 0);
    TC_CHECK_EQ(again, id);
    TC_CHECK_EQ(tc_rec_imaging_study_find(f.db, "1.2.3", &again), -ENOENT);
    fixture_close(&f);
}

static void
test_a_resent_instance_is_a_no_op_and_a_changed_one_a_conflict(void)
{
    struct fixture f;
    struct tc_rec_imaging_instance_in in;
    int64_t id = 0, again = 0;
    char *before;

    fixture_open(&f, "imaging-resend.db");
    in = instance(&f, 1, 1, 1);
    TC_CHECK_EQ(tc_rec_imaging_instance_store(f.db, &in, &id), 0);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_imaging_instance_store(f.db, &in, &again), 0);
    TC_CHECK_EQ(again, id);
    in.sha256 = SHA_B;
    TC_CHECK_EQ(tc_rec_imaging_instance_store(f.db, &in, &again), -EEXIST);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "sop_instance_uid");
    /* The same series UID under another study. */
    in = instance(&f, 1, 1, 2);
    in.study_uid = "1.2.826.0.1.3680043.9.99";
    TC_CHECK_EQ(tc_rec_imaging_instance_store(f.db, &in, &again), -EEXIST);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "series_uid");
    /* The same study claimed for another resident. */
    in = instance(&f, 1, 1, 3);
    in.resident_id = f.resident_basic;
    TC_CHECK_EQ(tc_rec_imaging_instance_store(f.db, &in, &again), -EEXIST);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "another resident");
    TC_CHECK_UNCHANGED(&f, before);
    fixture_close(&f);
}

static void
test_malformed_instances_are_refused_naming_the_field(void)
{
    static const struct {
        int field;
        const char *value;
        const char *name;
    } cases[] = {
        {0, "1.2.abc", "study_uid"},
        {0, "1.02.3", "study_uid"},
        {0, "1..2", "study_uid"},
        {1, "1.2.", "series_uid"},
        {2, "", "sop_instance_uid"},
        {3,
         "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21.22.23.24."
         "25.26",
         "sop_class_uid"},
        {4, "ct", "modality"},
        {5, "ABCDEF", "sha256"},
        {6, NULL, "storage_path"},
        {7, "2026-13-01", "study_date"},
    };
    struct fixture f;
    int64_t id = 0;
    char *before;

    fixture_open(&f, "imaging-bad.db");
    before = fixture_dump(&f);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_rec_imaging_instance_in in = instance(&f, 1, 1, 1);
        const char **fields[] = {&in.study_uid,        &in.series_uid,
                                 &in.sop_instance_uid, &in.sop_class_uid,
                                 &in.modality,         &in.sha256,
                                 &in.storage_path,     &in.study_date};
        *fields[cases[i].field] = cases[i].value;
        TC_CHECK_EQ(tc_rec_imaging_instance_store(f.db, &in, &id), -EINVAL);
        TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), cases[i].name);
    }
    TC_CHECK_EQ(id, 0);
    TC_CHECK_UNCHANGED(&f, before);
    fixture_close(&f);
}

static void
test_unmatched_study_is_reconciled_before_assignment(void)
{
    struct fixture f;
    struct tc_rec_imaging_instance_in in;
    struct tc_rec_imaging_study_list *w = NULL;
    int64_t id = 0;
    char *before;

    fixture_open(&f, "imaging-match.db");
    in = instance(&f, 3, 1, 1);
    in.resident_id = 0;
    TC_CHECK_EQ(tc_rec_imaging_instance_store(f.db, &in, &id), 0);
    TC_REQUIRE(tc_rec_imaging_worklist(f.db, f.radiologist, true, &w) == 0);
    TC_CHECK_EQ(w->count, 0); /* unmatched studies are not read yet */
    tc_rec_imaging_study_list_free(w);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_imaging_study_assign(f.db, id, f.radiologist, T0),
                -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "reconcile");
    TC_CHECK_UNCHANGED(&f, before);
    TC_CHECK_EQ(tc_rec_imaging_study_match(f.db, id, f.resident), 0);
    TC_CHECK_EQ(tc_rec_imaging_study_match(f.db, id, f.resident_basic),
                -EEXIST);
    TC_REQUIRE(tc_rec_imaging_worklist(f.db, f.radiologist, true, &w) == 0);
    TC_CHECK_EQ(w->count, 1);
    tc_rec_imaging_study_list_free(w);
    TC_CHECK_EQ(tc_rec_imaging_study_assign(f.db, id, f.radiologist, T0), 0);
    TC_REQUIRE(tc_rec_imaging_worklist(f.db, f.radiologist, false, &w) == 0);
    TC_REQUIRE(w->count == 1);
    TC_CHECK_EQ(w->items[0].id, id);
    TC_CHECK_EQ(w->items[0].n_instances, 1);
    tc_rec_imaging_study_list_free(w);
    TC_REQUIRE(tc_rec_imaging_worklist(f.db, f.reader, false, &w) == 0);
    TC_CHECK_EQ(w->count, 0);
    tc_rec_imaging_study_list_free(w);
    fixture_close(&f);
}

static int
imaging_event(struct fixture *f, int64_t id, int ev)
{
    switch (ev) {
    case 0:
        return tc_rec_imaging_study_assign(f->db, id, f->radiologist, T0);
    case 1:
        return tc_rec_imaging_report_sign(f->db, id, &chest, f->radiologist,
                                          T0);
    default:
        return tc_rec_imaging_report_amend(f->db, id, &chest, f->radiologist,
                                           T0, "why");
    }
}

static void
test_study_refuses_every_transition_without_an_arrow(void)
{
    /* allowed[status][event]: assign, report, amend */
    static const bool allowed[5][3] = {
        [TC_REC_IMAGING_RECEIVED] = {1, 0, 0},
        [TC_REC_IMAGING_ASSIGNED] = {1, 1, 0},
        [TC_REC_IMAGING_REPORTED] = {0, 0, 1},
        [TC_REC_IMAGING_AMENDED] = {0, 0, 1},
    };
    static const char *const events[] = {"assign", "report", "amend"};
    struct fixture f;
    int refused = 0, n = 10;

    fixture_open(&f, "imaging-refused.db");
    for (int s = TC_REC_IMAGING_RECEIVED; s <= TC_REC_IMAGING_AMENDED; s++) {
        for (int ev = 0; ev < 3; ev++) {
            int64_t id = study_in(&f, n++, (enum tc_rec_imaging_status)s);
            char *before = fixture_dump(&f);
            int rc = imaging_event(&f, id, ev);
            if (allowed[s][ev]) {
                free(before);
                TC_CHECK_EQ(rc, 0);
                continue;
            }
            refused++;
            TC_CHECK_EQ(rc, -EPERM);
            TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), events[ev]);
            TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db),
                                  tc_rec_imaging_status_to_string(
                                      (enum tc_rec_imaging_status)s));
            TC_CHECK_UNCHANGED(&f, before);
        }
    }
    TC_CHECK_EQ(refused, 7);
    fixture_close(&f);
}

static void
test_only_the_assigned_radiologist_signs(void)
{
    struct fixture f;
    struct tc_rec_imaging_study *s = NULL;
    struct tc_rec_imaging_report_in empty = {"", "x"};
    int64_t id;
    char *before;

    fixture_open(&f, "imaging-sign.db");
    id = study_in(&f, 5, TC_REC_IMAGING_ASSIGNED);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_imaging_report_sign(f.db, id, &chest, f.specialist, T0),
                -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "assigned to radiologist");
    TC_CHECK_EQ(
        tc_rec_imaging_report_sign(f.db, id, &empty, f.radiologist, T0),
        -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "findings");
    TC_CHECK_UNCHANGED(&f, before);
    TC_CHECK_EQ(
        tc_rec_imaging_report_sign(f.db, id, &chest, f.radiologist, T0 + 7),
        0);
    TC_REQUIRE(tc_rec_imaging_study_get(f.db, id, &s) == 0);
    TC_CHECK_EQ(s->status, TC_REC_IMAGING_REPORTED);
    TC_REQUIRE(s->report);
    TC_CHECK_EQ(s->report->version, 1);
    TC_CHECK_STR_EQ(s->report->findings, chest.findings);
    TC_CHECK_EQ(s->report->signed_at_us, T0 + 7);
    TC_CHECK(s->report->amend_reason == NULL);
    tc_rec_imaging_study_free(s);
    fixture_close(&f);
}

int
main(void)
{
    if (fixture_main_begin() < 0) {
        return 1;
    }
    TC_RUN(test_instances_build_the_study_series_index_with_counts);
    TC_RUN(test_a_resent_instance_is_a_no_op_and_a_changed_one_a_conflict);
    TC_RUN(test_malformed_instances_are_refused_naming_the_field);
    TC_RUN(test_unmatched_study_is_reconciled_before_assignment);
    TC_RUN(test_study_refuses_every_transition_without_an_arrow);
    TC_RUN(test_only_the_assigned_radiologist_signs);
    return fixture_main_end();
}
