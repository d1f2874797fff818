// SPDX-License-Identifier: Apache-2.0
/*
 * test-amendment.c - clinical text is never overwritten: after two
 * amendments of a session note, a consultation opinion, an ECG report and
 * an imaging report, all three versions are there with their authors,
 * times and reasons; and the schema itself refuses to change or delete a
 * stored version, or to skip a version number.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "clinical-fixture.h"
#include "tc-test.h"

#define T0  us_at("2026-03-02", 9)
#define MIN 60000000LL

/* A completed live session of a fresh active plan. */
static int64_t
completed_session(struct fixture *f)
{
    struct tc_rec_rehab_plan_new plan = {
        .resident_id = f->resident,
        .contract_id = f->contract,
        .title = "Balance",
        .period_start = "2026-03-01",
        .period_end = "2026-05-31",
        .therapist_ids = &f->therapist,
        .n_therapists = 1,
        .created_by = f->therapist,
        .created_at_us = T0,
    };
    struct tc_rec_rehab_exercise_new ex = {
        "Tandem stance", NULL, NULL, 2, 5, 2, 0};
    struct tc_rec_rehab_session_new sn = {0, TC_REC_REHAB_LIVE_GUIDED, T0,
                                          f->therapist};
    struct tc_rec_rehab_session_result r = {
        T0 + 30 * MIN, TC_REC_REHAB_ATTENDANCE_ALONE, 100, 1, 2, NULL};
    int64_t plan_id = 0, ex_id, id = 0;

    if (tc_rec_rehab_plan_create(f->db, &plan, &plan_id) != 0 ||
        tc_rec_rehab_exercise_add(f->db, plan_id, &ex, &ex_id) != 0 ||
        tc_rec_rehab_plan_activate(f->db, plan_id, f->therapist, T0) != 0) {
        printf("# plan: %s\n", tc_rec_errmsg(f->db));
        abort();
    }
    sn.plan_id = plan_id;
    if (tc_rec_rehab_session_schedule(f->db, &sn, &id) != 0 ||
        tc_rec_rehab_session_start(f->db, id, T0, 3) != 0 ||
        tc_rec_rehab_session_finish(f->db, id, &r) != 0) {
        printf("# session: %s\n", tc_rec_errmsg(f->db));
        abort();
    }
    return id;
}

static void
check_text_versions(struct fixture *f, enum tc_rec_text_kind kind,
                    int64_t owner, const char *const texts[3],
                    const int64_t authors[3])
{
    struct tc_rec_text_version_list *v = NULL;

    TC_REQUIRE(tc_rec_text_versions(f->db, kind, owner, &v) == 0);
    TC_REQUIRE(v->count == 3);
    for (int i = 0; i < 3; i++) {
        TC_CHECK_EQ(v->items[i].version, i + 1);
        TC_CHECK_STR_EQ(v->items[i].text, texts[i]);
        TC_CHECK_EQ(v->items[i].author_id, authors[i]);
        TC_CHECK_EQ(v->items[i].at_us, T0 + i * MIN);
    }
    TC_CHECK(v->items[0].amend_reason == NULL);
    TC_CHECK_STR_EQ(v->items[1].amend_reason, "first correction");
    TC_CHECK_STR_EQ(v->items[2].amend_reason, "second correction");
    tc_rec_text_version_list_free(v);
}

static void
test_session_note_keeps_every_version(void)
{
    static const char *const texts[3] = {
        "Good effort.", "Good effort; knee pain at the end.",
        "Good effort; left knee pain at the end. Ice advised."};
    struct fixture f;
    struct tc_rec_rehab_session *s = NULL;
    int64_t id, authors[3];
    char *before;

    fixture_open(&f, "amend-note.db");
    authors[0] = f.therapist;
    authors[1] = f.therapist;
    authors[2] = f.therapist2;
    id = completed_session(&f);
    TC_CHECK_EQ(tc_rec_rehab_session_note_amend(f.db, id, f.therapist, T0,
                                                texts[0], "why"),
                -ENOENT);
    TC_CHECK_EQ(
        tc_rec_rehab_session_note_write(f.db, id, authors[0], T0, texts[0]),
        0);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_rehab_session_note_write(f.db, id, authors[0], T0,
                                                "overwrite?"),
                -EEXIST);
    TC_CHECK_EQ(tc_rec_rehab_session_note_amend(f.db, id, authors[1], T0 + MIN,
                                                texts[1], NULL),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "reason");
    TC_CHECK_EQ(tc_rec_rehab_session_note_amend(f.db, id, 999, T0 + MIN,
                                                texts[1], "x"),
                -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "author_id");
    TC_CHECK_UNCHANGED(&f, before);
    TC_CHECK_EQ(tc_rec_rehab_session_note_amend(f.db, id, authors[1], T0 + MIN,
                                                texts[1], "first correction"),
                0);
    TC_CHECK_EQ(tc_rec_rehab_session_note_amend(f.db, id, authors[2],
                                                T0 + 2 * MIN, texts[2],
                                                "second correction"),
                0);
    check_text_versions(&f, TC_REC_TEXT_SESSION_NOTE, id, texts, authors);
    TC_REQUIRE(tc_rec_rehab_session_get(f.db, id, &s) == 0);
    TC_CHECK_STR_EQ(s->note, texts[2]);
    TC_CHECK_EQ(s->note_version, 3);
    tc_rec_rehab_session_free(s);
    fixture_close(&f);
}

static void
test_consultation_opinion_keeps_every_version(void)
{
    static const char *const texts[3] = {"Start a beta blocker.",
                                         "Start bisoprolol 2.5 mg.",
                                         "Start bisoprolol 1.25 mg daily."};
    struct tc_rec_consultation_new in = {0};
    struct fixture f;
    struct tc_rec_consultation *c = NULL;
    int64_t id = 0, authors[3];

    fixture_open(&f, "amend-opinion.db");
    authors[0] = authors[1] = authors[2] = f.specialist;
    in.requester_id = f.doctor;
    in.requested_specialist_id = f.specialist;
    in.resident_id = f.resident;
    in.reason = "Tachycardia";
    in.priority = TC_REC_CONSULTATION_ROUTINE;
    in.requested_at_us = T0 - 60 * MIN;
    TC_REQUIRE(tc_rec_consultation_request(f.db, &in, &id) == 0);
    TC_CHECK_EQ(tc_rec_consultation_accept(f.db, id, f.specialist, T0), 0);
    TC_CHECK_EQ(
        tc_rec_consultation_consent_give(
            f.db, id, TC_REC_CONSENT_TELECONSULTATION, 0, f.doctor, T0, NULL),
        0);
    TC_CHECK_EQ(tc_rec_consultation_start(f.db, id, f.specialist, T0), 0);
    TC_CHECK_EQ(tc_rec_consultation_opinion_amend(f.db, id, f.specialist, T0,
                                                  "early", "x"),
                -EPERM);
    TC_CHECK_EQ(
        tc_rec_consultation_complete(f.db, id, authors[0], T0, texts[0]), 0);
    TC_CHECK_EQ(tc_rec_consultation_opinion_amend(f.db, id, authors[1],
                                                  T0 + MIN, texts[1],
                                                  "first correction"),
                0);
    TC_CHECK_EQ(tc_rec_consultation_opinion_amend(f.db, id, authors[2],
                                                  T0 + 2 * MIN, texts[2],
                                                  "second correction"),
                0);
    check_text_versions(&f, TC_REC_TEXT_CONSULTATION_OPINION, id, texts,
                        authors);
    TC_REQUIRE(tc_rec_consultation_get(f.db, id, &c) == 0);
    TC_CHECK_STR_EQ(c->opinion, texts[2]);
    TC_CHECK_EQ(c->opinion_version, 3);
    tc_rec_consultation_free(c);
    fixture_close(&f);
}

static void
test_ecg_report_keeps_every_version(void)
{
    struct fixture f;
    struct tc_rec_ecg_study_new in = {0};
    struct tc_rec_ecg_report_in r = {"sinus rhythm", 70, 160, 90, 380, 410,
                                     "Normal."};
    struct tc_rec_ecg_report_list *v = NULL;
    int64_t id = 0;

    fixture_open(&f, "amend-ecg.db");
    in.resident_id = f.resident;
    in.device_id = "ecg-9";
    in.leads = "I,II,III";
    in.sample_rate_hz = 500;
    in.started_at_us = T0;
    in.duration_ms = 10000;
    in.storage_path = "ecg/9";
    TC_REQUIRE(tc_rec_ecg_study_create(f.db, &in, &id) == 0);
    TC_CHECK_EQ(tc_rec_ecg_report_sign(f.db, id, &r, f.reader, T0), 0);
    r.qtc_ms = 470;
    r.impression = "Borderline QTc.";
    TC_CHECK_EQ(tc_rec_ecg_report_amend(f.db, id, &r, f.reader, T0 + MIN,
                                        "first correction"),
                0);
    r.qtc_ms = 500;
    r.impression = "Prolonged QTc.";
    TC_CHECK_EQ(tc_rec_ecg_report_amend(f.db, id, &r, f.specialist,
                                        T0 + 2 * MIN, "second correction"),
                0);
    TC_REQUIRE(tc_rec_ecg_report_versions(f.db, id, &v) == 0);
    TC_REQUIRE(v->count == 3);
    TC_CHECK_EQ(v->items[0].qtc_ms, 410);
    TC_CHECK_EQ(v->items[1].qtc_ms, 470);
    TC_CHECK_EQ(v->items[2].qtc_ms, 500);
    TC_CHECK_STR_EQ(v->items[0].impression, "Normal.");
    TC_CHECK_EQ(v->items[0].reader_id, f.reader);
    TC_CHECK_EQ(v->items[2].reader_id, f.specialist);
    TC_CHECK_EQ(v->items[1].signed_at_us, T0 + MIN);
    TC_CHECK(v->items[0].amend_reason == NULL);
    TC_CHECK_STR_EQ(v->items[2].amend_reason, "second correction");
    tc_rec_ecg_report_list_free(v);
    fixture_close(&f);
}

static void
test_imaging_report_keeps_every_version(void)
{
    struct fixture f;
    struct tc_rec_imaging_instance_in in = {0};
    struct tc_rec_imaging_report_in r = {"No fracture.", "Normal."};
    struct tc_rec_imaging_report_list *v = NULL;
    int64_t id = 0;

    fixture_open(&f, "amend-imaging.db");
    in.study_uid = "1.2.3.4";
    in.resident_id = f.resident;
    in.series_uid = "1.2.3.4.1";
    in.modality = "CR";
    in.series_number = 1;
    in.sop_instance_uid = "1.2.3.4.1.1";
    in.sop_class_uid = "1.2.840.10008.5.1.4.1.1.1";
    in.storage_path = "dicom/a";
    in.sha256 =
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    in.size_bytes = 10;
    in.received_at_us = T0;
    TC_REQUIRE(tc_rec_imaging_instance_store(f.db, &in, &id) == 0);
    TC_CHECK_EQ(tc_rec_imaging_report_versions(f.db, id, &v), -ENOENT);
    TC_CHECK_EQ(tc_rec_imaging_study_assign(f.db, id, f.radiologist, T0), 0);
    TC_CHECK_EQ(tc_rec_imaging_report_sign(f.db, id, &r, f.radiologist, T0),
                0);
    r.findings = "Hairline fracture of the distal radius.";
    TC_CHECK_EQ(tc_rec_imaging_report_amend(f.db, id, &r, f.radiologist,
                                            T0 + MIN, "first correction"),
                0);
    r.impression = "Distal radius fracture.";
    TC_CHECK_EQ(tc_rec_imaging_report_amend(f.db, id, &r, f.radiologist,
                                            T0 + 2 * MIN, "second correction"),
                0);
    TC_REQUIRE(tc_rec_imaging_report_versions(f.db, id, &v) == 0);
    TC_REQUIRE(v->count == 3);
    TC_CHECK_STR_EQ(v->items[0].findings, "No fracture.");
    TC_CHECK_STR_EQ(v->items[1].findings,
                    "Hairline fracture of the distal radius.");
    TC_CHECK_STR_EQ(v->items[1].impression, "Normal.");
    TC_CHECK_STR_EQ(v->items[2].impression, "Distal radius fracture.");
    TC_CHECK_EQ(v->items[2].signed_at_us, T0 + 2 * MIN);
    TC_CHECK_EQ(v->items[2].radiologist_id, f.radiologist);
    TC_CHECK_STR_EQ(v->items[1].amend_reason, "first correction");
    tc_rec_imaging_report_list_free(v);
    fixture_close(&f);
}

/* One signed version of each kind of clinical text. */
static void
sign_one_of_each(struct fixture *f)
{
    struct tc_rec_ecg_study_new e = {f->resident, "d", "I", 500, T0,   false,
                                     1000,        "p", 0,   0,   false};
    struct tc_rec_ecg_report_in r = {"sinus rhythm", 60, 0, 0, 0, 0, "ok"};
    struct tc_rec_imaging_instance_in in = {
        "1.9",
        NULL,
        NULL,
        NULL,
        f->resident,
        0,
        "1.9.1",
        "CT",
        1,
        NULL,
        "1.9.1.1",
        "1.2.840.10008.5.1.4.1.1.2",
        "p",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        1,
        T0};
    struct tc_rec_imaging_report_in ir = {"f", "i"};
    struct tc_rec_consultation_new c = {
        f->doctor,   0,   f->specialist,
        f->resident, "r", TC_REC_CONSULTATION_URGENT,
        T0};
    int64_t sid = completed_session(f), eid = 0, iid = 0, cid = 0;

    if (tc_rec_rehab_session_note_write(f->db, sid, f->therapist, T0,
                                        "note") != 0 ||
        tc_rec_ecg_study_create(f->db, &e, &eid) != 0 ||
        tc_rec_ecg_report_sign(f->db, eid, &r, f->reader, T0) != 0 ||
        tc_rec_imaging_instance_store(f->db, &in, &iid) != 0 ||
        tc_rec_imaging_study_assign(f->db, iid, f->radiologist, T0) != 0 ||
        tc_rec_imaging_report_sign(f->db, iid, &ir, f->radiologist, T0) != 0 ||
        tc_rec_consultation_request(f->db, &c, &cid) != 0 ||
        tc_rec_consultation_accept(f->db, cid, f->specialist, T0) != 0 ||
        tc_rec_consultation_consent_give(f->db, cid,
                                         TC_REC_CONSENT_TELECONSULTATION, 0,
                                         f->doctor, T0, NULL) != 0 ||
        tc_rec_consultation_start(f->db, cid, f->specialist, T0) != 0 ||
        tc_rec_consultation_complete(f->db, cid, f->specialist, T0,
                                     "opinion") != 0) {
        printf("# sign_one_of_each: %s\n", tc_rec_errmsg(f->db));
        abort();
    }
}

static void
test_schema_refuses_to_change_delete_or_skip_versions(void)
{
    static const char *const refused[] = {
        "UPDATE session_notes SET text = 'rewritten'",
        "DELETE FROM session_notes",
        "UPDATE consultation_opinions SET author_id = 1",
        "DELETE FROM consultation_opinions",
        "UPDATE ecg_reports SET qtc_ms = 400",
        "DELETE FROM ecg_reports",
        "UPDATE imaging_reports SET impression = 'x'",
        "DELETE FROM imaging_reports",
        /* version 3 before version 2 */
        "INSERT INTO session_notes (session_id, version, text, author_id,"
        " at_us, amend_reason) VALUES (1, 3, 'skip', 2, 1, 'r')",
        /* an amendment without its reason */
        "INSERT INTO session_notes (session_id, version, text, author_id,"
        " at_us) VALUES (1, 2, 'no reason', 2, 1)",
    };
    struct fixture f;
    char *before;

    fixture_open(&f, "amend-schema.db");
    sign_one_of_each(&f);
    before = fixture_dump(&f);
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        int rc = sqlite3_exec(f.raw, refused[i], NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_CONSTRAINT) {
            TC_FAIL_("not refused (%d): %s", rc, refused[i]);
        }
        if (i < 8) {
            TC_CHECK_STR_CONTAINS(sqlite3_errmsg(f.raw), "append-only");
        } else if (i == 8) {
            TC_CHECK_STR_CONTAINS(sqlite3_errmsg(f.raw), "without gaps");
        }
    }
    TC_CHECK_UNCHANGED(&f, before);
    fixture_close(&f);
}

int
main(void)
{
    if (fixture_main_begin() < 0) {
        return 1;
    }
    TC_RUN(test_session_note_keeps_every_version);
    TC_RUN(test_consultation_opinion_keeps_every_version);
    TC_RUN(test_ecg_report_keeps_every_version);
    TC_RUN(test_imaging_report_keeps_every_version);
    TC_RUN(test_schema_refuses_to_change_delete_or_skip_versions);
    return fixture_main_end();
}
