// SPDX-License-Identifier: Apache-2.0
/*
 * test-timeline.c - one resident's timeline: every kind of event, newest
 * first in a total order, with dates for the events known by day only,
 * summaries without free text, and paging by cursor that visits every
 * event once.
 */
#include <errno.h>

#include "core-fixture.h"

#define DAY_US (86400LL * 1000000LL)

/* Midnight UTC of a date. */
static int64_t
midnight(const char *date)
{
    return fx_us(date) - 12LL * 3600 * 1000000;
}

static struct tc_rec_timeline_page *
list_all(struct tc_rec_db *db, int64_t resident)
{
    struct tc_rec_timeline_page *page = NULL;

    if (tc_rec_timeline_list(db, resident, NULL, TC_REC_TIMELINE_PAGE_MAX,
                             &page) != 0) {
        printf("# timeline: %s\n", tc_rec_errmsg(db));
        abort();
    }
    return page;
}

#define CHECK_ENTRY(e, k, id, at, st, dt)                                     \
    do {                                                                      \
        TC_CHECK_EQ((e).kind, k);                                             \
        TC_CHECK_EQ((e).entity_id, id);                                       \
        TC_CHECK_EQ((e).at_us, at);                                           \
        TC_CHECK_STR_EQ((e).status, st);                                      \
        TC_CHECK_STR_EQ((e).date, dt);                                        \
    } while (0)

/* A basic contract: offer and signature at the same instant (signed
 * sorts first: a higher kind), one visit done early, three due on their
 * days; after termination the cancelled ones leave the timeline. */
static void
test_contract_and_followups_newest_first(void)
{
    struct fx_world w;
    struct tc_rec_timeline_page *p;
    struct tc_rec_followup_list *fl = NULL;
    struct tc_rec_followup_outcome done = {
        .status = TC_REC_FOLLOWUP_DONE,
        .at_us = fx_us("2025-03-30"),
    };
    int64_t c;

    fx_world_init(&w);
    c = fx_active(&w, 1, BASIC, "2025-01-01");
    done.by = w.doctor;
    TC_REQUIRE(tc_rec_followup_list_for_contract(w.db, c, &fl) == 0);
    TC_REQUIRE(fl->count == 4);
    TC_REQUIRE(tc_rec_followup_record(w.db, fl->items[0].id, &done) == 0);
    p = list_all(w.db, w.residents[1]);
    TC_REQUIRE(p->count == 6);
    CHECK_ENTRY(p->items[0], TC_REC_TIMELINE_FOLLOWUP, fl->items[3].id,
                midnight("2025-12-31"), "due", "2025-12-31");
    CHECK_ENTRY(p->items[1], TC_REC_TIMELINE_FOLLOWUP, fl->items[2].id,
                midnight("2025-09-30"), "due", "2025-09-30");
    CHECK_ENTRY(p->items[2], TC_REC_TIMELINE_FOLLOWUP, fl->items[1].id,
                midnight("2025-06-30"), "due", "2025-06-30");
    CHECK_ENTRY(p->items[3], TC_REC_TIMELINE_FOLLOWUP, fl->items[0].id,
                fx_us("2025-03-30"), "done", "");
    TC_CHECK_STR_EQ(p->items[3].summary, "visit (basic) due 2025-03-31");
    CHECK_ENTRY(p->items[4], TC_REC_TIMELINE_CONTRACT_SIGNED, c,
                fx_us("2025-01-01"), "active", "");
    TC_CHECK_STR_EQ(p->items[4].summary, "in_person, 2025-01-01..2025-12-31");
    CHECK_ENTRY(p->items[5], TC_REC_TIMELINE_CONTRACT_OFFERED, c,
                fx_us("2025-01-01"), "active", "");
    TC_CHECK_STR_CONTAINS(p->items[5].summary,
                          "2025-01-01..2025-12-31, basic");
    TC_CHECK(!p->more);
    tc_rec_timeline_page_free(p);

    TC_REQUIRE(tc_rec_contract_terminate(w.db, c, fx_us("2025-05-01"),
                                         "moved to the city") == 0);
    p = list_all(w.db, w.residents[1]);
    TC_REQUIRE(p->count == 4);
    CHECK_ENTRY(p->items[0], TC_REC_TIMELINE_CONTRACT_ENDED, c,
                fx_us("2025-05-01"), "terminated", "");
    TC_CHECK(!strstr(p->items[0].summary, "moved"));
    TC_CHECK_EQ(p->items[1].kind, TC_REC_TIMELINE_FOLLOWUP);
    TC_CHECK_EQ(p->items[2].kind, TC_REC_TIMELINE_CONTRACT_SIGNED);
    TC_CHECK_EQ(p->items[3].kind, TC_REC_TIMELINE_CONTRACT_OFFERED);
    tc_rec_timeline_page_free(p);
    tc_rec_followup_list_free(fl);
    tc_rec_close(w.db);
}

/* An expiry has no instant: the contract ends on the day after its
 * period, and the follow-ups still due become missed on their days. */
static void
test_expired_contract_ends_on_a_day(void)
{
    struct fx_world w;
    struct tc_rec_timeline_page *p;
    int64_t c;
    int n = 0;

    fx_world_init(&w);
    c = fx_active(&w, 2, BASIC, "2025-01-01");
    TC_REQUIRE(tc_rec_contract_expire_due(w.db, "2026-01-05", &n) == 0);
    p = list_all(w.db, w.residents[2]);
    TC_REQUIRE(p->count == 7);
    CHECK_ENTRY(p->items[0], TC_REC_TIMELINE_CONTRACT_ENDED, c,
                midnight("2026-01-01"), "expired", "2026-01-01");
    CHECK_ENTRY(p->items[1], TC_REC_TIMELINE_FOLLOWUP, p->items[1].entity_id,
                midnight("2025-12-31"), "missed", "2025-12-31");
    tc_rec_timeline_page_free(p);
    tc_rec_close(w.db);
}

/* ---- every kind ---- */

struct clinical {
    int64_t plan, session, barthel, consultation, ecg, imaging;
};

static void
rehab_events(struct fx_world *w, int64_t contract, int64_t therapist,
             struct clinical *k)
{
    struct tc_rec_rehab_plan_new in = {
        .resident_id = w->residents[0],
        .contract_id = contract,
        .title = "SECRET-TITLE",
        .period_start = "2025-03-01",
        .period_end = "2025-05-31",
        .therapist_ids = &therapist,
        .n_therapists = 1,
        .created_by = therapist,
        .created_at_us = fx_us("2025-02-20"),
    };
    struct tc_rec_rehab_exercise_new ex = {
        .name = "Sit to stand", .sets = 1, .reps = 5, .sessions_per_week = 2};
    struct tc_rec_rehab_session_new sn = {
        .mode = TC_REC_REHAB_LIVE_GUIDED,
        .scheduled_at_us = fx_us("2025-03-03"),
        .therapist_id = therapist,
    };
    struct tc_rec_rehab_session_result res = {
        .ended_at_us = fx_us("2025-03-03") + 1000,
        .attendance = TC_REC_REHAB_ATTENDANCE_WITH_CARER,
        .completion_pct = 80,
        .pain_after = -1,
        .difficulty = -1,
    };
    struct tc_rec_barthel_new b = {
        .resident_id = w->residents[0],
        .assessor_id = therapist,
        .assessed_at_us = fx_us("2025-03-04"),
        .items = {10, 5, 5, 10, 10, 10, 10, 10, 10, 0},
        .note = "SECRET-NOTE",
    };
    int64_t ex_id;

    TC_REQUIRE(tc_rec_rehab_plan_create(w->db, &in, &k->plan) == 0);
    TC_REQUIRE(tc_rec_rehab_exercise_add(w->db, k->plan, &ex, &ex_id) == 0);
    TC_REQUIRE(tc_rec_rehab_plan_activate(w->db, k->plan, therapist,
                                          fx_us("2025-02-21")) == 0);
    sn.plan_id = k->plan;
    TC_REQUIRE(tc_rec_rehab_session_schedule(w->db, &sn, &k->session) == 0);
    TC_REQUIRE(tc_rec_rehab_session_start(w->db, k->session,
                                          fx_us("2025-03-03"), 2) == 0);
    TC_REQUIRE(tc_rec_rehab_session_finish(w->db, k->session, &res) == 0);
    TC_REQUIRE(tc_rec_rehab_session_note_write(w->db, k->session, therapist,
                                               fx_us("2025-03-03"),
                                               "SECRET-NOTE") == 0);
    b.plan_id = k->plan;
    TC_REQUIRE(tc_rec_barthel_record(w->db, &b, &k->barthel) == 0);
}

static void
study_events(struct fx_world *w, int64_t county, int64_t reader,
             struct clinical *k)
{
    struct tc_rec_consultation_new cn = {
        .requester_id = w->doctor,
        .requested_org_id = county,
        .resident_id = w->residents[0],
        .reason = "SECRET-REASON",
        .priority = TC_REC_CONSULTATION_URGENT,
        .requested_at_us = fx_us("2025-03-05"),
    };
    struct tc_rec_ecg_study_new en = {
        .resident_id = w->residents[0],
        .device_id = "ecg-7",
        .leads = "I,II,III",
        .sample_rate_hz = 500,
        .started_at_us = fx_us("2025-03-06"),
        .duration_ms = 10000,
        .storage_path = "ecg/1",
    };
    struct tc_rec_ecg_report_in er = {.rhythm = "SECRET-RHYTHM",
                                      .heart_rate_bpm = 72,
                                      .impression = "SECRET-IMPRESSION"};
    struct tc_rec_imaging_instance_in in = {
        .study_uid = "1.2.3.1",
        .resident_id = w->residents[0],
        .series_uid = "1.2.3.2",
        .modality = "CT",
        .series_number = 1,
        .sop_instance_uid = "1.2.3.3",
        .sop_class_uid = "1.2.840.10008.5.1.4.1.1.2",
        .storage_path = "dicom/1",
        .sha256 = "0123456789abcdef0123456789abcdef"
                  "0123456789abcdef0123456789abcdef",
        .size_bytes = 100,
        .received_at_us = fx_us("2025-03-08"),
    };
    struct tc_rec_imaging_report_in ir = {.findings = "SECRET-FINDINGS",
                                          .impression = "SECRET-IMPRESSION"};

    TC_REQUIRE(tc_rec_consultation_request(w->db, &cn, &k->consultation) == 0);
    TC_REQUIRE(tc_rec_ecg_study_create(w->db, &en, &k->ecg) == 0);
    TC_REQUIRE(tc_rec_ecg_report_sign(w->db, k->ecg, &er, reader,
                                      fx_us("2025-03-07")) == 0);
    TC_REQUIRE(tc_rec_ecg_report_amend(w->db, k->ecg, &er, reader,
                                       fx_us("2025-03-09"),
                                       "SECRET-REASON") == 0);
    TC_REQUIRE(tc_rec_imaging_instance_store(w->db, &in, &k->imaging) == 0);
    TC_REQUIRE(tc_rec_imaging_study_assign(w->db, k->imaging, reader,
                                           fx_us("2025-03-08")) == 0);
    TC_REQUIRE(tc_rec_imaging_report_sign(w->db, k->imaging, &ir, reader,
                                          fx_us("2025-03-10")) == 0);
}

/* The entry of `kind` in p, or NULL. */
static const struct tc_rec_timeline_entry *
find_kind(const struct tc_rec_timeline_page *p, enum tc_rec_timeline_kind kind,
          int nth)
{
    for (size_t i = 0; i < p->count; i++) {
        if (p->items[i].kind == kind && nth-- == 0) {
            return &p->items[i];
        }
    }
    return NULL;
}

static void
check_clinical_entries(const struct tc_rec_timeline_page *p,
                       const struct clinical *k)
{
    const struct tc_rec_timeline_entry *e;

    TC_REQUIRE((e = find_kind(p, TC_REC_TIMELINE_REHAB_PLAN, 0)));
    CHECK_ENTRY(*e, TC_REC_TIMELINE_REHAB_PLAN, k->plan, fx_us("2025-02-20"),
                "active", "");
    TC_CHECK_STR_EQ(e->summary, "2025-03-01..2025-05-31");
    TC_REQUIRE((e = find_kind(p, TC_REC_TIMELINE_REHAB_SESSION, 0)));
    CHECK_ENTRY(*e, TC_REC_TIMELINE_REHAB_SESSION, k->session,
                fx_us("2025-03-03"), "completed", "");
    TC_CHECK_STR_EQ(e->summary, "live_guided, 80% completed");
    TC_REQUIRE((e = find_kind(p, TC_REC_TIMELINE_BARTHEL, 0)));
    CHECK_ENTRY(*e, TC_REC_TIMELINE_BARTHEL, k->barthel, fx_us("2025-03-04"),
                "moderate", "");
    TC_CHECK_STR_EQ(e->summary, "Barthel 80");
    TC_REQUIRE((e = find_kind(p, TC_REC_TIMELINE_CONSULTATION, 0)));
    CHECK_ENTRY(*e, TC_REC_TIMELINE_CONSULTATION, k->consultation,
                fx_us("2025-03-05"), "requested", "");
    TC_CHECK_STR_EQ(e->summary, "urgent");
    TC_REQUIRE((e = find_kind(p, TC_REC_TIMELINE_ECG_STUDY, 0)));
    CHECK_ENTRY(*e, TC_REC_TIMELINE_ECG_STUDY, k->ecg, fx_us("2025-03-06"),
                "amended", "");
    TC_CHECK_STR_EQ(e->summary, "3 leads, 500 Hz");
    /* Two report versions, the amendment first (newer). */
    TC_REQUIRE((e = find_kind(p, TC_REC_TIMELINE_ECG_REPORT, 0)));
    CHECK_ENTRY(*e, TC_REC_TIMELINE_ECG_REPORT, k->ecg, fx_us("2025-03-09"),
                "amended", "");
    TC_CHECK_STR_EQ(e->summary, "report v2, 72 bpm");
    TC_REQUIRE((e = find_kind(p, TC_REC_TIMELINE_ECG_REPORT, 1)));
    CHECK_ENTRY(*e, TC_REC_TIMELINE_ECG_REPORT, k->ecg, fx_us("2025-03-07"),
                "signed", "");
    TC_REQUIRE((e = find_kind(p, TC_REC_TIMELINE_IMAGING_STUDY, 0)));
    CHECK_ENTRY(*e, TC_REC_TIMELINE_IMAGING_STUDY, k->imaging,
                fx_us("2025-03-08"), "reported", "");
    TC_CHECK_STR_EQ(e->summary, "CT");
    TC_REQUIRE((e = find_kind(p, TC_REC_TIMELINE_IMAGING_REPORT, 0)));
    CHECK_ENTRY(*e, TC_REC_TIMELINE_IMAGING_REPORT, k->imaging,
                fx_us("2025-03-10"), "signed", "");
}

static void
test_every_kind_without_free_text(void)
{
    struct fx_world w;
    struct clinical k;
    struct tc_rec_timeline_page *p;
    int64_t county, contract, therapist, reader;

    fx_world_init(&w);
    county = fx_org(w.db, TC_REC_ORG_COUNTY_HOSPITAL, "County", 0);
    therapist = fx_practitioner(w.db, "Therapist");
    reader = fx_practitioner(w.db, "Reader");
    contract = fx_active(&w, 0, BASIC | REHAB, "2025-01-01");
    rehab_events(&w, contract, therapist, &k);
    study_events(&w, county, reader, &k);
    p = list_all(w.db, w.residents[0]);
    /* 2 contract events, 16 follow-ups, 9 clinical events. */
    TC_CHECK_EQ(p->count, 2 + 16 + 9);
    check_clinical_entries(p, &k);
    for (size_t i = 0; i < p->count; i++) {
        const struct tc_rec_timeline_entry *e = &p->items[i];
        TC_CHECK(!strstr(e->summary, "SECRET"));
        TC_CHECK(tc_rec_timeline_kind_to_string(e->kind) != NULL);
        if (i > 0) {
            const struct tc_rec_timeline_entry *prev = &p->items[i - 1];
            TC_CHECK(prev->at_us > e->at_us ||
                     (prev->at_us == e->at_us && prev->kind > e->kind) ||
                     (prev->at_us == e->at_us && prev->kind == e->kind &&
                      prev->entity_id > e->entity_id));
        }
    }
    tc_rec_timeline_page_free(p);
    /* Another resident's timeline holds none of it. */
    p = list_all(w.db, w.residents[5]);
    TC_CHECK_EQ(p->count, 0);
    TC_CHECK(!p->more);
    tc_rec_timeline_page_free(p);
    tc_rec_close(w.db);
}

/* ---- paging ---- */

static void
test_paging_visits_every_event_once(void)
{
    struct fx_world w;
    struct tc_rec_timeline_page *all, *page = NULL;
    struct tc_rec_timeline_cursor cur = {0};
    size_t seen = 0;
    bool first = true, more = true;

    fx_world_init(&w);
    /* Offer and signature share an instant, so a page boundary falls
     * between two events with the same at_us. */
    fx_active(&w, 0, BASIC | REHAB | ELDERLY, "2025-01-01");
    all = list_all(w.db, w.residents[0]);
    TC_REQUIRE(all->count == 2 + 4 + 12 + 5);
    while (more) {
        TC_REQUIRE(tc_rec_timeline_list(w.db, w.residents[0],
                                        first ? NULL : &cur, 3, &page) == 0);
        for (size_t i = 0; i < page->count; i++, seen++) {
            TC_REQUIRE(seen < all->count);
            TC_CHECK_EQ(page->items[i].kind, all->items[seen].kind);
            TC_CHECK_EQ(page->items[i].entity_id, all->items[seen].entity_id);
        }
        more = page->more;
        TC_CHECK(page->count == 3 || !more);
        cur = page->next;
        first = false;
        tc_rec_timeline_page_free(page);
    }
    TC_CHECK_EQ(seen, all->count);
    tc_rec_timeline_page_free(all);

    /* A cursor that is only a time: everything strictly before it. */
    cur = (struct tc_rec_timeline_cursor){.at_us = fx_us("2025-01-01")};
    TC_REQUIRE(tc_rec_timeline_list(w.db, w.residents[0], &cur, 50, &page) ==
               0);
    TC_CHECK_EQ(page->count, 0);
    tc_rec_timeline_page_free(page);
    cur.at_us = midnight("2025-03-31") + 1;
    TC_REQUIRE(tc_rec_timeline_list(w.db, w.residents[0], &cur, 50, &page) ==
               0);
    /* Offer, signature, rehab 01-31, 02-28, 03-31, visit and elderly
     * visit 03-31. */
    TC_CHECK_EQ(page->count, 7);
    tc_rec_timeline_page_free(page);
    tc_rec_close(w.db);
}

static void
test_bad_arguments_are_refused(void)
{
    struct fx_world w;
    struct tc_rec_timeline_page *page = (void *)&w;

    fx_world_init(&w);
    TC_CHECK_EQ(tc_rec_timeline_list(w.db, 999, NULL, 10, &page), -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "resident_id");
    TC_CHECK_EQ(tc_rec_timeline_list(w.db, w.residents[0], NULL, 0, &page),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "limit");
    TC_CHECK_EQ(tc_rec_timeline_list(w.db, w.residents[0], NULL,
                                     TC_REC_TIMELINE_PAGE_MAX + 1, &page),
                -EINVAL);
    TC_CHECK(page == (void *)&w);
    tc_rec_close(w.db);
}

static void
test_kind_codes_round_trip(void)
{
    for (int k = TC_REC_TIMELINE_CONTRACT_OFFERED;
         k <= TC_REC_TIMELINE_IMAGING_REPORT; k++) {
        enum tc_rec_timeline_kind back = 0;
        const char *s = tc_rec_timeline_kind_to_string(k);
        TC_REQUIRE(s != NULL);
        TC_CHECK_EQ(tc_rec_timeline_kind_from_string(s, &back), 0);
        TC_CHECK_EQ(back, k);
    }
    TC_CHECK(tc_rec_timeline_kind_to_string(0) == NULL);
    TC_CHECK(tc_rec_timeline_kind_to_string(99) == NULL);
    TC_CHECK_EQ(tc_rec_timeline_kind_from_string("visit", NULL), -EINVAL);
}

int
main(void)
{
    if (fx_init() < 0) {
        return 1;
    }
    TC_RUN(test_contract_and_followups_newest_first);
    TC_RUN(test_expired_contract_ends_on_a_day);
    TC_RUN(test_every_kind_without_free_text);
    TC_RUN(test_paging_visits_every_event_once);
    TC_RUN(test_bad_arguments_are_refused);
    TC_RUN(test_kind_codes_round_trip);
    return fx_done();
}
