// SPDX-License-Identifier: Apache-2.0
/*
 * test-rehab-plan.c - rehabilitation plans: the contract rules, the
 * lifecycle with every refused transition, goal and exercise ranges,
 * therapists and the access-policy query.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "clinical-fixture.h"

#define T0 us_at("2026-03-02", 9)

static void
test_plan_needs_the_residents_active_contract_with_rehab(void)
{
    struct fixture f;
    struct tc_rec_rehab_plan_new in;
    int64_t id = 0;
    char *before;

    fixture_open(&f, "plan-contract.db");
    in = plan_new(&f, &f.therapist);
    before = fixture_dump(&f);

    in.contract_id = f.contract_basic; /* another resident's contract */
    TC_CHECK_EQ(tc_rec_rehab_plan_create(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "another resident");

    in.resident_id = f.resident_basic; /* no disability_rehab package */
    TC_CHECK_EQ(tc_rec_rehab_plan_create(f.db, &in, &id), -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "disability_rehab");

    in.resident_id = f.resident_offered; /* offered, not active */
    in.contract_id = f.contract_offered;
    TC_CHECK_EQ(tc_rec_rehab_plan_create(f.db, &in, &id), -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "is offered, not active");

    in = plan_new(&f, &f.therapist);
    in.period_end = "2027-02-28";
    TC_CHECK_EQ(tc_rec_rehab_plan_create(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "outside contract");

    in = plan_new(&f, &f.therapist);
    in.contract_id = 999;
    TC_CHECK_EQ(tc_rec_rehab_plan_create(f.db, &in, &id), -ENOENT);
    in = plan_new(&f, &f.therapist);
    in.n_therapists = 0;
    TC_CHECK_EQ(tc_rec_rehab_plan_create(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "therapist_ids");
    in = plan_new(&f, (const int64_t[]){f.therapist, 999});
    in.n_therapists = 2; /* the second therapist does not exist */
    TC_CHECK_EQ(tc_rec_rehab_plan_create(f.db, &in, &id), -ENOENT);
    in = plan_new(&f, &f.therapist);
    in.period_start = "2026-02-30";
    TC_CHECK_EQ(tc_rec_rehab_plan_create(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "period_start");
    TC_CHECK_EQ(id, 0);
    TC_CHECK_UNCHANGED(&f, before);
    fixture_close(&f);
}

static void
test_plan_is_created_and_read_back_whole(void)
{
    struct fixture f;
    struct tc_rec_rehab_plan_new in;
    struct tc_rec_rehab_goal_new goal = {"Walk to the village shop",
                                         "200 m with a stick", "2026-06-30"};
    struct tc_rec_rehab_plan *p = NULL;
    struct tc_rec_rehab_exercise_new ex_sts = sit_to_stand();
    int64_t id = 0, goal_id = 0, ex_id = 0;

    fixture_open(&f, "plan-read.db");
    in = plan_new(&f, (const int64_t[]){f.therapist, f.therapist2});
    in.n_therapists = 2;
    TC_CHECK_EQ(tc_rec_rehab_plan_create(f.db, &in, &id), 0);
    TC_CHECK_EQ(tc_rec_rehab_goal_add(f.db, id, &goal, &goal_id), 0);
    TC_CHECK_EQ(tc_rec_rehab_exercise_add(f.db, id, &ex_sts, &ex_id), 0);
    TC_CHECK_EQ(tc_rec_rehab_goal_set_status(
                    f.db, goal_id, TC_REC_REHAB_GOAL_ACHIEVED, T0 + 1),
                0);
    TC_REQUIRE(tc_rec_rehab_plan_get(f.db, id, &p) == 0);
    TC_CHECK_EQ(p->status, TC_REC_REHAB_PLAN_DRAFT);
    TC_CHECK_EQ(p->contract_id, f.contract);
    TC_CHECK_STR_EQ(p->period_start, "2026-03-01");
    TC_CHECK_EQ(p->n_therapists, 2);
    TC_REQUIRE(p->n_goals == 1 && p->n_exercises == 1);
    TC_CHECK_STR_EQ(p->goals[0].target, "200 m with a stick");
    TC_CHECK_EQ(p->goals[0].status, TC_REC_REHAB_GOAL_ACHIEVED);
    TC_CHECK_EQ(p->goals[0].status_at_us, T0 + 1);
    TC_CHECK_STR_EQ(p->exercises[0].video_ref, "videos/sit-to-stand.webm");
    TC_CHECK_EQ(p->exercises[0].sessions_per_week, 3);
    tc_rec_rehab_plan_free(p);
    fixture_close(&f);
}

static void
test_plan_lifecycle_follows_its_arrows(void)
{
    struct fixture f;
    struct tc_rec_rehab_plan *p = NULL;
    int64_t id;

    fixture_open(&f, "plan-life.db");
    id = plan_in(&f, TC_REC_REHAB_PLAN_DRAFT);
    TC_CHECK_EQ(tc_rec_rehab_plan_activate(f.db, id, f.therapist, T0), 0);
    TC_CHECK_EQ(tc_rec_rehab_plan_suspend(f.db, id, f.therapist, T0 + 1,
                                          "admitted to hospital"),
                0);
    TC_REQUIRE(tc_rec_rehab_plan_get(f.db, id, &p) == 0);
    TC_CHECK_EQ(p->status, TC_REC_REHAB_PLAN_SUSPENDED);
    TC_CHECK_STR_EQ(p->status_reason, "admitted to hospital");
    tc_rec_rehab_plan_free(p);
    TC_CHECK_EQ(tc_rec_rehab_plan_resume(f.db, id, f.therapist, T0 + 2), 0);
    TC_CHECK_EQ(tc_rec_rehab_plan_complete(f.db, id, f.therapist, T0 + 3), 0);
    TC_REQUIRE(tc_rec_rehab_plan_get(f.db, id, &p) == 0);
    TC_CHECK_EQ(p->status, TC_REC_REHAB_PLAN_COMPLETED);
    TC_CHECK_EQ(p->status_at_us, T0 + 3);
    TC_CHECK_EQ(p->status_by, f.therapist);
    tc_rec_rehab_plan_free(p);
    fixture_close(&f);
}

/* Call event `ev` (0..4: activate, suspend, resume, complete, cancel). */
static int
plan_event(struct fixture *f, int64_t id, int ev)
{
    switch (ev) {
    case 0:
        return tc_rec_rehab_plan_activate(f->db, id, f->therapist, T0);
    case 1:
        return tc_rec_rehab_plan_suspend(f->db, id, f->therapist, T0, "why");
    case 2:
        return tc_rec_rehab_plan_resume(f->db, id, f->therapist, T0);
    case 3:
        return tc_rec_rehab_plan_complete(f->db, id, f->therapist, T0);
    default:
        return tc_rec_rehab_plan_cancel(f->db, id, f->therapist, T0, "why");
    }
}

static void
test_plan_refuses_every_transition_without_an_arrow(void)
{
    /* allowed[status][event]: activate, suspend, resume, complete, cancel */
    static const bool allowed[6][5] = {
        [TC_REC_REHAB_PLAN_DRAFT] = {1, 0, 0, 0, 1},
        [TC_REC_REHAB_PLAN_ACTIVE] = {0, 1, 0, 1, 1},
        [TC_REC_REHAB_PLAN_SUSPENDED] = {0, 0, 1, 0, 1},
        [TC_REC_REHAB_PLAN_COMPLETED] = {0, 0, 0, 0, 0},
        [TC_REC_REHAB_PLAN_CANCELLED] = {0, 0, 0, 0, 0},
    };
    static const char *const events[] = {"activate", "suspend", "resume",
                                         "complete", "cancel"};
    struct fixture f;
    int refused = 0;

    fixture_open(&f, "plan-refused.db");
    for (int s = TC_REC_REHAB_PLAN_DRAFT; s <= TC_REC_REHAB_PLAN_CANCELLED;
         s++) {
        for (int ev = 0; ev < 5; ev++) {
            int64_t id = plan_in(&f, (enum tc_rec_rehab_plan_status)s);
            char *before = fixture_dump(&f);
            int rc = plan_event(&f, id, ev);
            if (allowed[s][ev]) {
                free(before);
                TC_CHECK_EQ(rc, 0);
                continue;
            }
            refused++;
            TC_CHECK_EQ(rc, -EPERM);
            TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), events[ev]);
            TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db),
                                  tc_rec_rehab_plan_status_to_string(
                                      (enum tc_rec_rehab_plan_status)s));
            TC_CHECK_UNCHANGED(&f, before);
        }
    }
    TC_CHECK_EQ(refused, 18);
    fixture_close(&f);
}

static void
test_plan_activation_needs_an_exercise_and_reasons_are_required(void)
{
    struct fixture f;
    struct tc_rec_rehab_plan_new in;
    int64_t id = 0;
    char *before;

    fixture_open(&f, "plan-activate.db");
    in = plan_new(&f, &f.therapist);
    TC_REQUIRE(tc_rec_rehab_plan_create(f.db, &in, &id) == 0);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_rehab_plan_activate(f.db, id, f.therapist, T0), -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "no exercises");
    TC_CHECK_EQ(tc_rec_rehab_plan_cancel(f.db, id, f.therapist, T0, NULL),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "reason");
    TC_CHECK_EQ(tc_rec_rehab_plan_activate(f.db, 999, f.therapist, T0),
                -ENOENT);
    TC_CHECK_UNCHANGED(&f, before);
    fixture_close(&f);
}

static void
test_exercise_and_goal_values_out_of_range_are_refused(void)
{
    struct fixture f;
    struct tc_rec_rehab_exercise_new ex;
    struct tc_rec_rehab_goal_new goal = {"Climb stairs", NULL, "2026-12-01"};
    struct tc_rec_rehab_exercise_new ex_sts = sit_to_stand();
    int64_t id, out = 0;
    char *before;

    fixture_open(&f, "plan-ranges.db");
    id = plan_in(&f, TC_REC_REHAB_PLAN_DRAFT);
    before = fixture_dump(&f);
    ex = sit_to_stand();
    ex.sets = 0;
    TC_CHECK_EQ(tc_rec_rehab_exercise_add(f.db, id, &ex, &out), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "sets: must be 1..20");
    ex = sit_to_stand();
    ex.reps = 201;
    TC_CHECK_EQ(tc_rec_rehab_exercise_add(f.db, id, &ex, &out), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "reps");
    ex = sit_to_stand();
    ex.sessions_per_week = 15;
    TC_CHECK_EQ(tc_rec_rehab_exercise_add(f.db, id, &ex, &out), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "sessions_per_week");
    ex = sit_to_stand();
    ex.name = "";
    TC_CHECK_EQ(tc_rec_rehab_exercise_add(f.db, id, &ex, &out), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "name");
    /* The plan ends 2026-08-31. */
    TC_CHECK_EQ(tc_rec_rehab_goal_add(f.db, id, &goal, &out), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "due_date");
    TC_CHECK_EQ(tc_rec_rehab_goal_set_status(f.db, 999,
                                             TC_REC_REHAB_GOAL_ACHIEVED, T0),
                -ENOENT);
    TC_CHECK_EQ(out, 0);
    TC_CHECK_UNCHANGED(&f, before);

    /* A completed plan is frozen. */
    id = plan_in(&f, TC_REC_REHAB_PLAN_COMPLETED);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_rehab_exercise_add(f.db, id, &ex_sts, &out), -EPERM);
    TC_CHECK_EQ(tc_rec_rehab_plan_therapist_add(f.db, id, f.therapist2),
                -EPERM);
    TC_CHECK_UNCHANGED(&f, before);
    fixture_close(&f);
}

static void
test_therapists_can_change_but_one_always_remains(void)
{
    struct fixture f;
    int64_t id;
    char *before;

    fixture_open(&f, "plan-therapists.db");
    id = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_rehab_plan_therapist_remove(f.db, id, f.therapist),
                -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "at least one therapist");
    TC_CHECK_EQ(tc_rec_rehab_plan_therapist_add(f.db, id, f.therapist),
                -EEXIST);
    TC_CHECK_EQ(tc_rec_rehab_plan_therapist_remove(f.db, id, f.therapist2),
                -ENOENT);
    TC_CHECK_UNCHANGED(&f, before);
    TC_CHECK_EQ(tc_rec_rehab_plan_therapist_add(f.db, id, f.therapist2), 0);
    TC_CHECK_EQ(tc_rec_rehab_plan_therapist_remove(f.db, id, f.therapist), 0);
    fixture_close(&f);
}

static void
test_therapist_query_follows_open_plans(void)
{
    struct fixture f;
    struct tc_rec_rehab_plan_list *list = NULL;
    bool is = false;
    int64_t id;

    fixture_open(&f, "plan-query.db");
    TC_CHECK_EQ(
        tc_rec_rehab_is_therapist_of(f.db, f.therapist, f.resident, &is), 0);
    TC_CHECK(!is);
    id = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE);
    TC_CHECK_EQ(
        tc_rec_rehab_is_therapist_of(f.db, f.therapist, f.resident, &is), 0);
    TC_CHECK(is);
    TC_CHECK_EQ(
        tc_rec_rehab_is_therapist_of(f.db, f.therapist2, f.resident, &is), 0);
    TC_CHECK(!is);
    TC_CHECK_EQ(
        tc_rec_rehab_is_therapist_of(f.db, f.therapist, f.resident_basic, &is),
        0);
    TC_CHECK(!is);
    TC_CHECK_EQ(tc_rec_rehab_plan_complete(f.db, id, f.therapist, T0), 0);
    TC_CHECK_EQ(
        tc_rec_rehab_is_therapist_of(f.db, f.therapist, f.resident, &is), 0);
    TC_CHECK(!is);
    plan_in(&f, TC_REC_REHAB_PLAN_DRAFT);
    TC_REQUIRE(tc_rec_rehab_plan_list(f.db, f.resident, &list) == 0);
    TC_CHECK_EQ(list->count, 2);
    TC_CHECK_EQ(list->items[0].n_exercises, 1);
    tc_rec_rehab_plan_list_free(list);
    TC_CHECK_EQ(tc_rec_rehab_plan_list(f.db, 999, &list), -ENOENT);
    fixture_close(&f);
}

int
main(void)
{
    if (fixture_main_begin() < 0) {
        return 1;
    }
    TC_RUN(test_plan_needs_the_residents_active_contract_with_rehab);
    TC_RUN(test_plan_is_created_and_read_back_whole);
    TC_RUN(test_plan_lifecycle_follows_its_arrows);
    TC_RUN(test_plan_refuses_every_transition_without_an_arrow);
    TC_RUN(test_plan_activation_needs_an_exercise_and_reasons_are_required);
    TC_RUN(test_exercise_and_goal_values_out_of_range_are_refused);
    TC_RUN(test_therapists_can_change_but_one_always_remains);
    TC_RUN(test_therapist_query_follows_open_plans);
    return fixture_main_end();
}
