// SPDX-License-Identifier: Apache-2.0
/*
 * test-rehab-session.c - rehabilitation sessions: the plan period, the
 * lifecycle with every refused transition, value ranges, reviews, notes
 * and adherence.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "clinical-fixture.h"

#define T0 us_at("2026-03-02", 9)

static int64_t
session_at(struct fixture *f, int64_t plan, int64_t at_us,
           enum tc_rec_rehab_session_mode mode)
{
    struct tc_rec_rehab_session_new in = {plan, mode, at_us, f->therapist};
    int64_t id = 0;

    if (tc_rec_rehab_session_schedule(f->db, &in, &id) != 0) {
        printf("# session_at: %s\n", tc_rec_errmsg(f->db));
        abort();
    }
    return id;
}

static struct tc_rec_rehab_session_result
result_ok(int64_t ended_at_us)
{
    struct tc_rec_rehab_session_result r = {
        .ended_at_us = ended_at_us,
        .attendance = TC_REC_REHAB_ATTENDANCE_WITH_CARER,
        .completion_pct = 80,
        .pain_after = 2,
        .difficulty = 3,
        .recording_ref = "recordings/s1.webm",
    };
    return r;
}

static int64_t
session_in(struct fixture *f, int64_t plan,
           enum tc_rec_rehab_session_status status)
{
    int64_t id = session_at(f, plan, T0, TC_REC_REHAB_LIVE_GUIDED);
    struct tc_rec_rehab_session_result r = result_ok(T0 + 1800000000LL);

    switch (status) {
    case TC_REC_REHAB_SESSION_IN_PROGRESS:
        tc_rec_rehab_session_start(f->db, id, T0, 4);
        break;
    case TC_REC_REHAB_SESSION_COMPLETED:
        tc_rec_rehab_session_start(f->db, id, T0, 4);
        tc_rec_rehab_session_finish(f->db, id, &r);
        break;
    case TC_REC_REHAB_SESSION_MISSED:
        tc_rec_rehab_session_miss(f->db, id, T0);
        break;
    case TC_REC_REHAB_SESSION_CANCELLED:
        tc_rec_rehab_session_cancel(f->db, id, T0, "therapist ill");
        break;
    default:
        break;
    }
    return id;
}

static void
test_session_outside_plan_period_is_refused(void)
{
    struct fixture f;
    struct tc_rec_rehab_session_new in;
    int64_t plan, id = 0;
    char *before, expect[160];

    fixture_open(&f, "session-period.db");
    plan = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE);
    before = fixture_dump(&f);
    in = (struct tc_rec_rehab_session_new){
        plan, TC_REC_REHAB_LIVE_GUIDED, us_at("2026-09-01", 10), f.therapist};
    TC_CHECK_EQ(tc_rec_rehab_session_schedule(f.db, &in, &id), -EINVAL);
    snprintf(expect, sizeof(expect),
             "session: scheduled 2026-09-01 is outside plan %lld's period "
             "2026-03-01..2026-08-31",
             (long long)plan);
    TC_CHECK_STR_EQ(tc_rec_errmsg(f.db), expect);
    in.scheduled_at_us = us_at("2026-02-28", 23);
    TC_CHECK_EQ(tc_rec_rehab_session_schedule(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "outside plan");
    TC_CHECK_EQ(id, 0);
    TC_CHECK_UNCHANGED(&f, before);
    /* The first and the last day of the period are inside. */
    in.scheduled_at_us = us_at("2026-03-01", 0);
    TC_CHECK_EQ(tc_rec_rehab_session_schedule(f.db, &in, &id), 0);
    in.scheduled_at_us = us_at("2026-08-31", 23);
    TC_CHECK_EQ(tc_rec_rehab_session_schedule(f.db, &in, &id), 0);
    fixture_close(&f);
}

static void
test_session_lifecycle_records_what_the_resident_reports(void)
{
    struct fixture f;
    struct tc_rec_rehab_session *s = NULL;
    struct tc_rec_rehab_session_result r;
    int64_t plan, id;

    fixture_open(&f, "session-life.db");
    plan = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE);
    id = session_at(&f, plan, T0, TC_REC_REHAB_LIVE_GUIDED);
    TC_CHECK_EQ(tc_rec_rehab_session_start(f.db, id, T0 + 60000000, 5), 0);
    r = result_ok(T0 + 1860000000LL);
    TC_CHECK_EQ(tc_rec_rehab_session_finish(f.db, id, &r), 0);
    TC_REQUIRE(tc_rec_rehab_session_get(f.db, id, &s) == 0);
    TC_CHECK_EQ(s->status, TC_REC_REHAB_SESSION_COMPLETED);
    TC_CHECK_EQ(s->resident_id, f.resident);
    TC_CHECK_EQ(s->mode, TC_REC_REHAB_LIVE_GUIDED);
    TC_CHECK_EQ(s->started_at_us, T0 + 60000000);
    TC_CHECK_EQ(s->ended_at_us, T0 + 1860000000LL);
    TC_CHECK_EQ(s->attendance, TC_REC_REHAB_ATTENDANCE_WITH_CARER);
    TC_CHECK_EQ(s->completion_pct, 80);
    TC_CHECK_EQ(s->pain_before, 5);
    TC_CHECK_EQ(s->pain_after, 2);
    TC_CHECK_EQ(s->difficulty, 3);
    TC_CHECK_STR_EQ(s->recording_ref, "recordings/s1.webm");
    TC_CHECK(s->note == NULL);
    tc_rec_rehab_session_free(s);

    /* Not reported (-1) is stored as such. */
    id = session_at(&f, plan, T0, TC_REC_REHAB_HOME_VISIT);
    TC_CHECK_EQ(tc_rec_rehab_session_start(f.db, id, T0, -1), 0);
    r.pain_after = -1;
    r.difficulty = -1;
    TC_CHECK_EQ(tc_rec_rehab_session_finish(f.db, id, &r), 0);
    TC_REQUIRE(tc_rec_rehab_session_get(f.db, id, &s) == 0);
    TC_CHECK_EQ(s->pain_before, -1);
    TC_CHECK_EQ(s->pain_after, -1);
    TC_CHECK_EQ(s->difficulty, -1);
    tc_rec_rehab_session_free(s);
    fixture_close(&f);
}

static int
session_event(struct fixture *f, int64_t id, int ev)
{
    struct tc_rec_rehab_session_result r = result_ok(T0 + 1800000000LL);

    switch (ev) {
    case 0:
        return tc_rec_rehab_session_start(f->db, id, T0, 3);
    case 1:
        return tc_rec_rehab_session_finish(f->db, id, &r);
    case 2:
        return tc_rec_rehab_session_miss(f->db, id, T0);
    default:
        return tc_rec_rehab_session_cancel(f->db, id, T0, "rain");
    }
}

/* Finish a session the loop below left running: a resident does one
 * session at a time, so the next start needs none in progress. */
static void
settle(struct fixture *f, int64_t id)
{
    struct tc_rec_rehab_session_result r = result_ok(T0 + 1800000000LL);

    tc_rec_rehab_session_finish(f->db, id, &r);
}

static void
test_second_concurrent_session_is_refused(void)
{
    struct fixture f;
    int64_t plan, a, b;
    char *before;

    fixture_open(&f, "session-concurrent.db");
    plan = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE);
    a = session_in(&f, plan, TC_REC_REHAB_SESSION_IN_PROGRESS);
    b = session_in(&f, plan, TC_REC_REHAB_SESSION_SCHEDULED);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_rehab_session_start(f.db, b, T0, 2), -EEXIST);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "one session at a time");
    TC_CHECK_UNCHANGED(&f, before);
    settle(&f, a);
    TC_CHECK_EQ(tc_rec_rehab_session_start(f.db, b, T0, 2), 0);
    fixture_close(&f);
}

static void
test_session_refuses_every_transition_without_an_arrow(void)
{
    /* allowed[status][event]: start, finish, miss, cancel */
    static const bool allowed[6][4] = {
        [TC_REC_REHAB_SESSION_SCHEDULED] = {1, 0, 1, 1},
        [TC_REC_REHAB_SESSION_IN_PROGRESS] = {0, 1, 0, 0},
    };
    static const char *const events[] = {"start", "finish", "miss", "cancel"};
    struct fixture f;
    int64_t plan;
    int refused = 0;

    fixture_open(&f, "session-refused.db");
    plan = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE);
    for (int s = TC_REC_REHAB_SESSION_SCHEDULED;
         s <= TC_REC_REHAB_SESSION_CANCELLED; s++) {
        for (int ev = 0; ev < 4; ev++) {
            int64_t id =
                session_in(&f, plan, (enum tc_rec_rehab_session_status)s);
            char *before = fixture_dump(&f);
            int rc = session_event(&f, id, ev);
            if (allowed[s][ev]) {
                free(before);
                TC_CHECK_EQ(rc, 0);
                settle(&f, id);
                continue;
            }
            refused++;
            TC_CHECK_EQ(rc, -EPERM);
            TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), events[ev]);
            TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db),
                                  tc_rec_rehab_session_status_to_string(
                                      (enum tc_rec_rehab_session_status)s));
            TC_CHECK_UNCHANGED(&f, before);
            settle(&f, id);
        }
    }
    TC_CHECK_EQ(refused, 16);
    fixture_close(&f);
}

static void
test_session_values_out_of_range_are_refused_naming_the_field(void)
{
    struct fixture f;
    struct tc_rec_rehab_session_result r;
    int64_t plan, id, running;
    char *before;

    fixture_open(&f, "session-ranges.db");
    plan = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE);
    id = session_in(&f, plan, TC_REC_REHAB_SESSION_SCHEDULED);
    running = session_in(&f, plan, TC_REC_REHAB_SESSION_IN_PROGRESS);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_rehab_session_start(f.db, id, T0, 11), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "pain_before: must be 0..10");
    TC_CHECK_EQ(tc_rec_rehab_session_start(f.db, id, T0, -2), -EINVAL);
    r = result_ok(T0 + 1);
    r.completion_pct = 101;
    TC_CHECK_EQ(tc_rec_rehab_session_finish(f.db, running, &r), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "completion_pct");
    r = result_ok(T0 + 1);
    r.pain_after = 11;
    TC_CHECK_EQ(tc_rec_rehab_session_finish(f.db, running, &r), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "pain_after");
    r = result_ok(T0 + 1);
    r.difficulty = 0;
    TC_CHECK_EQ(tc_rec_rehab_session_finish(f.db, running, &r), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "difficulty: must be 1..5");
    r = result_ok(T0 + 1);
    r.difficulty = 6;
    TC_CHECK_EQ(tc_rec_rehab_session_finish(f.db, running, &r), -EINVAL);
    r = result_ok(T0 + 1);
    r.attendance = 0;
    TC_CHECK_EQ(tc_rec_rehab_session_finish(f.db, running, &r), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "attendance");
    r = result_ok(T0 - 1); /* ends before it started */
    TC_CHECK_EQ(tc_rec_rehab_session_finish(f.db, running, &r), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "ended_at_us");
    TC_CHECK_UNCHANGED(&f, before);
    fixture_close(&f);
}

static void
test_sessions_need_an_open_plan_and_a_therapist_of_it(void)
{
    struct fixture f;
    struct tc_rec_rehab_session_new in;
    int64_t plan, id = 0, sid;
    char *before;

    fixture_open(&f, "session-plan.db");
    plan = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE);
    sid = session_in(&f, plan, TC_REC_REHAB_SESSION_SCHEDULED);
    TC_CHECK_EQ(tc_rec_rehab_plan_suspend(f.db, plan, f.therapist, T0, "flu"),
                0);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_rehab_session_start(f.db, sid, T0, 1), -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "suspended, not active");
    in = (struct tc_rec_rehab_session_new){plan, TC_REC_REHAB_LIVE_GUIDED, T0,
                                           f.therapist};
    TC_CHECK_EQ(tc_rec_rehab_session_schedule(f.db, &in, &id), -EPERM);
    TC_CHECK_UNCHANGED(&f, before);

    plan = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE);
    before = fixture_dump(&f);
    in = (struct tc_rec_rehab_session_new){plan, TC_REC_REHAB_LIVE_GUIDED, T0,
                                           0};
    TC_CHECK_EQ(tc_rec_rehab_session_schedule(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "needs a therapist");
    in.therapist_id = f.therapist2; /* not on this plan */
    TC_CHECK_EQ(tc_rec_rehab_session_schedule(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "not a therapist on plan");
    in.mode = 0;
    TC_CHECK_EQ(tc_rec_rehab_session_schedule(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "mode");
    TC_CHECK_UNCHANGED(&f, before);
    in = (struct tc_rec_rehab_session_new){plan, TC_REC_REHAB_SELF_GUIDED, T0,
                                           0};
    TC_CHECK_EQ(tc_rec_rehab_session_schedule(f.db, &in, &id), 0);
    fixture_close(&f);
}

static void
test_self_guided_session_is_reviewed_once_by_a_therapist(void)
{
    struct fixture f;
    struct tc_rec_rehab_session *s = NULL;
    struct tc_rec_rehab_session_result r = result_ok(T0 + 1000);
    int64_t plan, self, live;
    char *before;

    fixture_open(&f, "session-review.db");
    plan = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE);
    self = session_at(&f, plan, T0, TC_REC_REHAB_SELF_GUIDED);
    live = session_in(&f, plan, TC_REC_REHAB_SESSION_COMPLETED);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_rehab_session_review(f.db, self, f.therapist, 4, T0),
                -EPERM); /* not completed yet */
    TC_CHECK_EQ(tc_rec_rehab_session_review(f.db, live, f.therapist, 4, T0),
                -EPERM); /* not self-guided */
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "self-guided");
    TC_CHECK_UNCHANGED(&f, before);
    TC_CHECK_EQ(tc_rec_rehab_session_start(f.db, self, T0, 2), 0);
    TC_CHECK_EQ(tc_rec_rehab_session_finish(f.db, self, &r), 0);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_rehab_session_review(f.db, self, f.therapist, 6, T0),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "score");
    TC_CHECK_EQ(tc_rec_rehab_session_review(f.db, self, f.therapist2, 4, T0),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "reviewer_id");
    TC_CHECK_UNCHANGED(&f, before);
    TC_CHECK_EQ(tc_rec_rehab_session_review(f.db, self, f.therapist, 4, T0),
                0);
    TC_CHECK_EQ(tc_rec_rehab_session_review(f.db, self, f.therapist, 5, T0),
                -EEXIST);
    TC_REQUIRE(tc_rec_rehab_session_get(f.db, self, &s) == 0);
    TC_CHECK_EQ(s->review_score, 4);
    TC_CHECK_EQ(s->reviewed_by, f.therapist);
    tc_rec_rehab_session_free(s);
    fixture_close(&f);
}

static void
test_adherence_counts_completed_against_prescribed(void)
{
    struct fixture f;
    struct tc_rec_rehab_adherence a;
    struct tc_rec_rehab_session_list *list = NULL;
    struct tc_rec_rehab_session_result r;
    int64_t plan, id;
    static const char *const days[] = {"2026-03-02", "2026-03-04",
                                       "2026-03-06", "2026-03-09",
                                       "2026-03-11", "2026-03-13"};

    fixture_open(&f, "adherence.db");
    plan = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE); /* 3 sessions a week */
    for (int i = 0; i < 6; i++) {
        id = session_at(&f, plan, us_at(days[i], 9), TC_REC_REHAB_SELF_GUIDED);
        if (i < 4) {
            r = result_ok(us_at(days[i], 10));
            tc_rec_rehab_session_start(f.db, id, us_at(days[i], 9), 2);
            tc_rec_rehab_session_finish(f.db, id, &r);
        } else if (i == 4) {
            tc_rec_rehab_session_miss(f.db, id, us_at(days[i], 12));
        }
    }
    /* Two weeks: 6 prescribed, 4 done, 1 missed, 1 still scheduled. */
    TC_CHECK_EQ(tc_rec_rehab_plan_adherence(f.db, plan, "2026-03-02",
                                            "2026-03-15", &a),
                0);
    TC_CHECK_EQ(a.prescribed, 6);
    TC_CHECK_EQ(a.completed, 4);
    TC_CHECK_EQ(a.missed, 1);
    TC_CHECK_EQ(a.pending, 1);
    TC_CHECK_EQ(a.cancelled, 0);
    /* The range is clipped to the plan's period (starts 2026-03-01). */
    TC_CHECK_EQ(tc_rec_rehab_plan_adherence(f.db, plan, "2026-01-01",
                                            "2026-03-07", &a),
                0);
    TC_CHECK_EQ(a.prescribed, 3);
    TC_CHECK_EQ(a.completed, 3);
    TC_CHECK_EQ(tc_rec_rehab_plan_adherence(f.db, plan, "2026-03-15",
                                            "2026-03-01", &a),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "to:");
    TC_REQUIRE(tc_rec_rehab_session_list(f.db, plan, &list) == 0);
    TC_CHECK_EQ(list->count, 6);
    TC_CHECK_EQ(list->items[0].scheduled_at_us, us_at("2026-03-02", 9));
    tc_rec_rehab_session_list_free(list);
    fixture_close(&f);
}

int
main(void)
{
    if (fixture_main_begin() < 0) {
        return 1;
    }
    TC_RUN(test_session_outside_plan_period_is_refused);
    TC_RUN(test_session_lifecycle_records_what_the_resident_reports);
    TC_RUN(test_session_refuses_every_transition_without_an_arrow);
    TC_RUN(test_second_concurrent_session_is_refused);
    TC_RUN(test_session_values_out_of_range_are_refused_naming_the_field);
    TC_RUN(test_sessions_need_an_open_plan_and_a_therapist_of_it);
    TC_RUN(test_self_guided_session_is_reviewed_once_by_a_therapist);
    TC_RUN(test_adherence_counts_completed_against_prescribed);
    return fixture_main_end();
}
