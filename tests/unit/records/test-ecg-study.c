// SPDX-License-Identifier: Apache-2.0
/*
 * test-ecg-study.c - ECG studies: creation checks, the lifecycle with every
 * refused transition, report ranges, the reader rule and the worklist.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "clinical-fixture.h"
#include "tc-test.h"

#define T0 us_at("2026-03-02", 9)

static const struct tc_rec_ecg_report_in sinus = {
    .rhythm = "sinus rhythm",
    .heart_rate_bpm = 72,
    .pr_ms = 160,
    .qrs_ms = 90,
    .qt_ms = 380,
    .qtc_ms = 415,
    .impression = "Normal ECG.",
};

static struct tc_rec_ecg_study_new
study_new(struct fixture *f, bool live)
{
    struct tc_rec_ecg_study_new in = {
        .resident_id = f->resident,
        .device_id = "ecg-0042",
        .leads = "I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6",
        .sample_rate_hz = 500,
        .started_at_us = T0,
        .live = live,
        .duration_ms = live ? 0 : 10000,
        .storage_path = live ? NULL : "ecg/2026/03/02/s1",
        .organization_id = f->clinic,
        .ordered_by = f->doctor,
    };
    return in;
}

static int64_t
study_in(struct fixture *f, enum tc_rec_ecg_status s)
{
    struct tc_rec_ecg_study_new in = study_new(f, s == TC_REC_ECG_LIVE);
    int64_t id = 0;

    if (tc_rec_ecg_study_create(f->db, &in, &id) != 0) {
        printf("# study_in: %s\n", tc_rec_errmsg(f->db));
        abort();
    }
    if (s == TC_REC_ECG_REPORTED || s == TC_REC_ECG_AMENDED) {
        tc_rec_ecg_report_sign(f->db, id, &sinus, f->reader, T0);
    }
    if (s == TC_REC_ECG_AMENDED) {
        tc_rec_ecg_report_amend(f->db, id, &sinus, f->reader, T0, "typo");
    }
    return id;
}

static void
test_study_creation_checks_its_fields(void)
{
    struct fixture f;
    struct tc_rec_ecg_study_new in;
    int64_t id = 0;
    char *before;

    fixture_open(&f, "ecg-create.db");
    before = fixture_dump(&f);
    in = study_new(&f, false);
    in.leads = "I,II,V7X";
    TC_CHECK_EQ(tc_rec_ecg_study_create(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "leads: \"V7X\"");
    in.leads = "I,II,I";
    TC_CHECK_EQ(tc_rec_ecg_study_create(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "I twice");
    in = study_new(&f, false);
    in.sample_rate_hz = 10;
    TC_CHECK_EQ(tc_rec_ecg_study_create(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "sample_rate_hz");
    in = study_new(&f, false);
    in.duration_ms = 0;
    TC_CHECK_EQ(tc_rec_ecg_study_create(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "duration_ms");
    in = study_new(&f, true);
    in.storage_path = "ecg/x";
    TC_CHECK_EQ(tc_rec_ecg_study_create(f.db, &in, &id), -EINVAL);
    in = study_new(&f, false);
    in.resident_id = 999;
    TC_CHECK_EQ(tc_rec_ecg_study_create(f.db, &in, &id), -ENOENT);
    TC_CHECK_EQ(id, 0);
    TC_CHECK_UNCHANGED(&f, before);
    fixture_close(&f);
}

static void
test_live_study_is_finished_read_and_amended(void)
{
    struct fixture f;
    struct tc_rec_ecg_study *s = NULL;
    struct tc_rec_ecg_report_in corrected = sinus;
    int64_t id;

    int64_t *live = NULL;
    size_t n_live = 0;

    fixture_open(&f, "ecg-life.db");
    id = study_in(&f, TC_REC_ECG_LIVE);
    TC_CHECK_EQ(tc_rec_ecg_study_live_ids(f.db, &live, &n_live), 0);
    TC_CHECK(n_live == 1 && live[0] == id);
    free(live);
    TC_CHECK_EQ(tc_rec_ecg_study_finish(f.db, id, 30000, "ecg/live/1"), 0);
    TC_CHECK_EQ(tc_rec_ecg_study_live_ids(f.db, &live, &n_live), 0);
    TC_CHECK_EQ(n_live, 0);
    free(live);
    TC_REQUIRE(tc_rec_ecg_study_get(f.db, id, &s) == 0);
    TC_CHECK_EQ(s->status, TC_REC_ECG_AWAITING_READING);
    TC_CHECK_EQ(s->duration_ms, 30000);
    TC_CHECK_STR_EQ(s->storage_path, "ecg/live/1");
    TC_CHECK(s->report == NULL);
    tc_rec_ecg_study_free(s);
    TC_CHECK_EQ(tc_rec_ecg_report_sign(f.db, id, &sinus, f.reader, T0 + 5), 0);
    corrected.qtc_ms = 480;
    corrected.impression = "Prolonged QTc.";
    TC_CHECK_EQ(tc_rec_ecg_report_amend(f.db, id, &corrected, f.specialist,
                                        T0 + 9, "QTc re-measured"),
                0);
    TC_REQUIRE(tc_rec_ecg_study_get(f.db, id, &s) == 0);
    TC_CHECK_EQ(s->status, TC_REC_ECG_AMENDED);
    TC_CHECK_EQ(s->reader_id, f.reader); /* signing assigned it */
    TC_REQUIRE(s->report);
    TC_CHECK_EQ(s->report->version, 2);
    TC_CHECK_EQ(s->report->qtc_ms, 480);
    TC_CHECK_EQ(s->report->reader_id, f.specialist);
    TC_CHECK_STR_EQ(s->report->amend_reason, "QTc re-measured");
    tc_rec_ecg_study_free(s);
    fixture_close(&f);
}

static int
ecg_event(struct fixture *f, int64_t id, int ev)
{
    switch (ev) {
    case 0:
        return tc_rec_ecg_study_finish(f->db, id, 1000, "ecg/x");
    case 1:
        return tc_rec_ecg_report_sign(f->db, id, &sinus, f->reader, T0);
    default:
        return tc_rec_ecg_report_amend(f->db, id, &sinus, f->reader, T0,
                                       "why");
    }
}

static void
test_study_refuses_every_transition_without_an_arrow(void)
{
    /* allowed[status][event]: finish, report, amend */
    static const bool allowed[5][3] = {
        [TC_REC_ECG_LIVE] = {1, 0, 0},
        [TC_REC_ECG_AWAITING_READING] = {0, 1, 0},
        [TC_REC_ECG_REPORTED] = {0, 0, 1},
        [TC_REC_ECG_AMENDED] = {0, 0, 1},
    };
    static const char *const events[] = {"finish", "report", "amend"};
    struct fixture f;
    int refused = 0;

    fixture_open(&f, "ecg-refused.db");
    for (int s = TC_REC_ECG_LIVE; s <= TC_REC_ECG_AMENDED; s++) {
        for (int ev = 0; ev < 3; ev++) {
            int64_t id = study_in(&f, (enum tc_rec_ecg_status)s);
            char *before = fixture_dump(&f);
            int rc = ecg_event(&f, id, ev);
            if (allowed[s][ev]) {
                free(before);
                TC_CHECK_EQ(rc, 0);
                continue;
            }
            refused++;
            TC_CHECK_EQ(rc, -EPERM);
            TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), events[ev]);
            TC_CHECK_STR_CONTAINS(
                tc_rec_errmsg(f.db),
                tc_rec_ecg_status_to_string((enum tc_rec_ecg_status)s));
            TC_CHECK_UNCHANGED(&f, before);
        }
    }
    TC_CHECK_EQ(refused, 8);
    /* Assignment is over once the study is reported. */
    {
        int64_t id = study_in(&f, TC_REC_ECG_REPORTED);
        TC_CHECK_EQ(tc_rec_ecg_study_assign(f.db, id, f.reader), -EPERM);
    }
    fixture_close(&f);
}

static void
test_report_values_out_of_range_are_refused_naming_the_field(void)
{
    static const struct {
        int field; /* 0 hr, 1 pr, 2 qrs, 3 qt, 4 qtc */
        int value;
        const char *name;
    } cases[] = {
        {0, 400, "heart_rate_bpm"}, {1, 20, "pr_ms"},    {2, 500, "qrs_ms"},
        {3, 2000, "qt_ms"},         {4, 5000, "qtc_ms"}, {4, -1, "qtc_ms"},
    };
    struct fixture f;
    int64_t id;
    char *before;

    fixture_open(&f, "ecg-ranges.db");
    id = study_in(&f, TC_REC_ECG_AWAITING_READING);
    before = fixture_dump(&f);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_rec_ecg_report_in r = sinus;
        int *fields[] = {&r.heart_rate_bpm, &r.pr_ms, &r.qrs_ms, &r.qt_ms,
                         &r.qtc_ms};
        *fields[cases[i].field] = cases[i].value;
        TC_CHECK_EQ(tc_rec_ecg_report_sign(f.db, id, &r, f.reader, T0),
                    -EINVAL);
        TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), cases[i].name);
    }
    {
        struct tc_rec_ecg_report_in r = sinus;
        r.impression = NULL;
        TC_CHECK_EQ(tc_rec_ecg_report_sign(f.db, id, &r, f.reader, T0),
                    -EINVAL);
        TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "impression");
    }
    TC_CHECK_UNCHANGED(&f, before);
    /* 0 means not measured: atrial fibrillation has no PR interval. */
    {
        struct tc_rec_ecg_report_in af = sinus;
        af.rhythm = "atrial fibrillation";
        af.pr_ms = 0;
        TC_CHECK_EQ(tc_rec_ecg_report_sign(f.db, id, &af, f.reader, T0), 0);
    }
    fixture_close(&f);
}

static void
test_only_the_assigned_reader_signs_and_the_worklist_follows(void)
{
    struct fixture f;
    struct tc_rec_ecg_study_list *w = NULL;
    int64_t mine, other, open_one, live;
    char *before;

    fixture_open(&f, "ecg-worklist.db");
    mine = study_in(&f, TC_REC_ECG_AWAITING_READING);
    other = study_in(&f, TC_REC_ECG_AWAITING_READING);
    open_one = study_in(&f, TC_REC_ECG_AWAITING_READING);
    live = study_in(&f, TC_REC_ECG_LIVE);
    TC_CHECK_EQ(tc_rec_ecg_study_assign(f.db, mine, f.reader), 0);
    TC_CHECK_EQ(tc_rec_ecg_study_assign(f.db, other, f.specialist), 0);
    TC_CHECK_EQ(tc_rec_ecg_study_assign(f.db, live, f.reader), 0);
    TC_CHECK_EQ(tc_rec_ecg_study_assign(f.db, mine, 999), -ENOENT);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_ecg_report_sign(f.db, other, &sinus, f.reader, T0),
                -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "assigned to reader");
    TC_CHECK_UNCHANGED(&f, before);

    TC_REQUIRE(tc_rec_ecg_worklist(f.db, f.reader, false, &w) == 0);
    TC_REQUIRE(w->count == 1);
    TC_CHECK_EQ(w->items[0].id, mine);
    tc_rec_ecg_study_list_free(w);
    TC_REQUIRE(tc_rec_ecg_worklist(f.db, f.reader, true, &w) == 0);
    TC_REQUIRE(w->count == 2);
    TC_CHECK_EQ(w->items[0].id, mine);
    TC_CHECK_EQ(w->items[1].id, open_one);
    tc_rec_ecg_study_list_free(w);
    TC_CHECK_EQ(tc_rec_ecg_report_sign(f.db, mine, &sinus, f.reader, T0), 0);
    TC_REQUIRE(tc_rec_ecg_worklist(f.db, f.reader, false, &w) == 0);
    TC_CHECK_EQ(w->count, 0);
    tc_rec_ecg_study_list_free(w);
    fixture_close(&f);
}

int
main(void)
{
    if (fixture_main_begin() < 0) {
        return 1;
    }
    TC_RUN(test_study_creation_checks_its_fields);
    TC_RUN(test_live_study_is_finished_read_and_amended);
    TC_RUN(test_study_refuses_every_transition_without_an_arrow);
    TC_RUN(test_report_values_out_of_range_are_refused_naming_the_field);
    TC_RUN(test_only_the_assigned_reader_signs_and_the_worklist_follows);
    return fixture_main_end();
}
