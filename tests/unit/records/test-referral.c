// SPDX-License-Identifier: Apache-2.0
/*
 * test-referral.c - tiered care in records: department codes, the
 * referral lifecycle (one answer, by the receiving side, with a date or a
 * reason), a down-referral whose plan is refused writing nothing, the
 * on-call rota's "now", and emergencies: rung at a tier, the first accept
 * wins, the log's times make the statistics.
 */
#include "core-fixture.h"

struct tiered {
    struct fx_world w;
    int64_t county, clinic, city, cardio, city_cardio;
    int64_t township_doc, cardio1, cardio2, city_doc, contract;
};

static void
role(struct tc_rec_db *db, int64_t who, int64_t org, enum tc_rec_role r,
     const char *dept)
{
    struct tc_rec_practitioner_role pr = {.practitioner_id = who,
                                          .organization_id = org,
                                          .role = r,
                                          .department = (char *)dept};
    int64_t id;

    if (tc_rec_practitioner_role_add(db, &pr, &id) != 0) {
        printf("# role: %s\n", tc_rec_errmsg(db));
        abort();
    }
}

static int64_t
dept(struct tc_rec_db *db, int64_t org, const char *code)
{
    struct tc_rec_department d = {.organization_id = org,
                                  .code = (char *)code,
                                  .name = "Dept",
                                  .created_at_us = fx_us("2024-06-01")};
    int64_t id = 0;

    if (tc_rec_department_create(db, &d, &id) != 0) {
        printf("# dept: %s\n", tc_rec_errmsg(db));
        abort();
    }
    return id;
}

static void
tiered_init(struct tiered *t)
{
    struct tc_rec_db *db;
    struct tc_rec_organization_list *top = NULL;

    fx_world_init(&t->w);
    db = t->w.db;
    /* fx_world made the county (1) and its clinic (2). */
    if (tc_rec_organization_list_children(db, 0, &top) != 0) {
        abort();
    }
    t->county = top->items[0].id;
    tc_rec_organization_list_free(top);
    t->clinic = t->county + 1;
    t->city = fx_org(db, TC_REC_ORG_CITY_HOSPITAL, "City Hospital", 0);
    t->cardio = dept(db, t->county, "cardiology");
    t->city_cardio = dept(db, t->city, "cardiology");
    t->township_doc = t->w.doctor; /* on team 1 */
    role(db, t->township_doc, t->clinic, TC_REC_ROLE_TOWNSHIP_DOCTOR,
         "general");
    t->cardio1 = fx_practitioner(db, "Dr Heart");
    t->cardio2 = fx_practitioner(db, "Dr Beat");
    t->city_doc = fx_practitioner(db, "Dr City");
    role(db, t->cardio1, t->county, TC_REC_ROLE_DOCTOR, "cardiology");
    role(db, t->cardio2, t->county, TC_REC_ROLE_DOCTOR, "cardiology");
    role(db, t->city_doc, t->city, TC_REC_ROLE_SPECIALIST, "cardiology");
    t->contract = fx_active(&t->w, 0, BASIC, "2024-07-01");
}

static void
test_department_codes(void)
{
    struct tiered t;
    struct tc_rec_department d = {
        .code = "Cardio", .name = "C", .created_at_us = 1};
    bool member = false;
    int64_t id;

    tiered_init(&t);
    d.organization_id = t.county;
    TC_CHECK_EQ(tc_rec_department_create(t.w.db, &d, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(t.w.db), "code:");
    d.code = "cardiology";
    TC_CHECK_EQ(tc_rec_department_create(t.w.db, &d, &id), -EEXIST);
    TC_CHECK_EQ(
        tc_rec_department_has_member(t.w.db, t.cardio, t.cardio1, &member), 0);
    TC_CHECK(member);
    TC_CHECK_EQ(
        tc_rec_department_has_member(t.w.db, t.cardio, t.city_doc, &member),
        0);
    TC_CHECK(!member);
    tc_rec_close(t.w.db);
}

static int64_t
up(struct tiered *t)
{
    struct tc_rec_referral_new in = {
        .direction = TC_REC_REFERRAL_UP,
        .resident_id = t->w.residents[0],
        .from_id = t->township_doc,
        .department_id = t->cardio,
        .urgency = TC_REC_CONSULTATION_URGENT,
        .reason = "Chest pain",
        .at_us = fx_us("2024-08-01"),
    };
    int64_t id = 0;

    TC_CHECK_EQ(tc_rec_referral_create(t->w.db, &in, &id), 0);
    return id;
}

static void
test_one_answer_by_the_receiving_side(void)
{
    struct tiered t;
    struct tc_rec_db *db;
    struct tc_rec_referral *r = NULL;
    int64_t id, at = fx_us("2024-08-02");

    tiered_init(&t);
    db = t.w.db;
    id = up(&t);
    TC_CHECK_EQ(tc_rec_referral_accept(db, id, t.cardio1, at, 0, NULL),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "appointment_at:");
    TC_CHECK_EQ(
        tc_rec_referral_accept(db, id, t.city_doc, at, 0, "2024-08-09"),
        -EPERM);
    TC_CHECK_EQ(tc_rec_referral_decline(db, id, t.cardio1, at, NULL), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "reason:");
    TC_CHECK_EQ(tc_rec_referral_cancel(db, id, t.cardio1, at), -EPERM);
    TC_CHECK_EQ(tc_rec_referral_accept(db, id, t.cardio2, at, 0, "2024-08-09"),
                0);
    TC_CHECK_EQ(tc_rec_referral_decline(db, id, t.cardio1, at, "full"),
                -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "from status accepted");
    TC_CHECK_EQ(tc_rec_referral_get(db, id, &r), 0);
    TC_CHECK_EQ(r->answered_by, t.cardio2);
    TC_CHECK_STR_EQ(r->admission_date, "2024-08-09");
    TC_CHECK_EQ(r->clinic_id, t.clinic);
    tc_rec_referral_free(r);
    tc_rec_close(db);
}

static void
test_a_refused_plan_writes_nothing(void)
{
    struct tiered t;
    struct tc_rec_followup_plan_item plan[] = {
        {"visit_after", "2024-09-01"},
        {"visit_after", "2099-01-01"},
    };
    struct tc_rec_referral_new down = {
        .direction = TC_REC_REFERRAL_DOWN,
        .urgency = TC_REC_CONSULTATION_ROUTINE,
        .reason = "Discharged",
        .summary = "Stent",
        .plan = plan,
        .n_plan = 2,
        .at_us = fx_us("2024-08-10"),
    };
    long long followups, referrals;
    int64_t id, down_id = 0;

    tiered_init(&t);
    id = up(&t);
    down.resident_id = t.w.residents[0];
    down.from_id = t.cardio1;
    down.parent_id = id;
    /* Not accepted yet. */
    TC_CHECK_EQ(tc_rec_referral_create(t.w.db, &down, &down_id), -EPERM);
    TC_CHECK_EQ(tc_rec_referral_accept(t.w.db, id, t.cardio1,
                                       fx_us("2024-08-02"), 1, NULL),
                0);
    followups = fx_count("SELECT count(*) FROM followups");
    referrals = fx_count("SELECT count(*) FROM referrals");
    TC_CHECK_EQ(tc_rec_referral_create(t.w.db, &down, &down_id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(t.w.db),
                          "follow_up_plan[1].due_date:");
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM followups"), followups);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM referrals"), referrals);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM referrals WHERE status ="
                         " 'accepted'"),
                1);
    plan[1].due_date = "2024-10-01";
    TC_CHECK_EQ(tc_rec_referral_create(t.w.db, &down, &down_id), 0);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM followups"), followups + 2);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM referrals WHERE status ="
                         " 'completed'"),
                1);
    tc_rec_close(t.w.db);
}

static void
test_on_call_now(void)
{
    struct tiered t;
    struct tc_rec_oncall_shift s = {
        .starts_at_us = 1000, .ends_at_us = 2000, .created_at_us = 1};
    int64_t *ids = NULL, id;
    size_t n = 0;

    tiered_init(&t);
    s.department_id = t.cardio;
    s.practitioner_id = t.cardio1;
    TC_CHECK_EQ(tc_rec_oncall_add(t.w.db, &s, &id), 0);
    s.practitioner_id = t.city_doc; /* not of the county's cardiology */
    TC_CHECK_EQ(tc_rec_oncall_add(t.w.db, &s, &id), -EINVAL);
    s.department_id = t.city_cardio;
    TC_CHECK_EQ(tc_rec_oncall_add(t.w.db, &s, &id), 0);
    TC_CHECK_EQ(tc_rec_oncall_now(t.w.db, "cardiology",
                                  TC_REC_ORG_COUNTY_HOSPITAL, 1500, &ids, &n),
                0);
    TC_CHECK_EQ(n, 1);
    TC_CHECK_EQ(n ? ids[0] : 0, t.cardio1);
    free(ids);
    /* The end is exclusive. */
    TC_CHECK_EQ(tc_rec_oncall_now(t.w.db, "cardiology",
                                  TC_REC_ORG_COUNTY_HOSPITAL, 2000, &ids, &n),
                0);
    TC_CHECK_EQ(n, 0);
    free(ids);
    tc_rec_close(t.w.db);
}

static void
test_first_accept_wins_and_the_log_times_it(void)
{
    struct tiered t;
    struct tc_rec_emergency *e = NULL;
    struct tc_rec_emergency_stats *s = NULL;
    struct tc_rec_db *db;
    int64_t rung[] = {0, 0}, id, cid = 0, t0 = fx_us("2024-08-01");

    tiered_init(&t);
    db = t.w.db;
    rung[0] = t.cardio1;
    rung[1] = t.cardio2;
    TC_CHECK_EQ(tc_rec_emergency_raise(db, t.w.residents[0], t.township_doc,
                                       t.cardio, "STEMI", t0, &id),
                0);
    TC_CHECK_EQ(
        tc_rec_emergency_ring(db, id, 1, rung, 2, t0 + 1000, t0 + 120000000),
        0);
    TC_CHECK_EQ(tc_rec_emergency_accept(db, id, t.city_doc, t0 + 2000, &cid),
                -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "rung");
    TC_CHECK_EQ(
        tc_rec_emergency_accept(db, id, t.cardio2, t0 + 40000000, &cid), 0);
    TC_CHECK(cid > 0);
    TC_CHECK_EQ(
        tc_rec_emergency_accept(db, id, t.cardio1, t0 + 40000001, NULL),
        -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "already taken");
    TC_CHECK_EQ(tc_rec_emergency_joined(db, id, t.cardio1, t0 + 50000000),
                -EPERM);
    TC_CHECK_EQ(tc_rec_emergency_joined(db, id, t.cardio2, t0 + 50000000), 0);
    TC_CHECK_EQ(tc_rec_emergency_end(db, id, t.township_doc, t0 + 90000000),
                0);
    TC_CHECK_EQ(tc_rec_emergency_get(db, id, &e), 0);
    TC_CHECK_EQ(e->status, TC_REC_EMERGENCY_ENDED);
    TC_CHECK_EQ(e->n_events, 6); /* raised, rung x2, accepted, joined, ended */
    TC_CHECK_EQ(e->consultation_id, cid);
    tc_rec_emergency_free(e);
    /* The escalation rule: never back down a tier. */
    TC_CHECK_EQ(tc_rec_emergency_raise(db, t.w.residents[0], t.township_doc,
                                       t.city_cardio, "STEMI", t0, &id),
                0);
    TC_CHECK_EQ(tc_rec_emergency_ring(db, id, 1, rung, 2, t0, t0 + 1),
                -EINVAL);
    TC_CHECK_EQ(tc_rec_emergency_ring(db, id, 2, NULL, 0, t0, 0), 0);
    TC_CHECK_EQ(tc_rec_emergency_unanswered(db, id, t0 + 5), 0);
    TC_CHECK_EQ(tc_rec_emergency_stats_get(db, "2024-08-01", "2024-08-01", &s),
                0);
    TC_CHECK_EQ(s->count, 1);
    if (s->count == 1) {
        TC_CHECK_STR_EQ(s->items[0].code, "cardiology");
        TC_CHECK_EQ(s->items[0].raised, 2);
        TC_CHECK_EQ(s->items[0].joined, 1);
        TC_CHECK_EQ(s->items[0].unanswered, 1);
        TC_CHECK(s->items[0].join_s_median == 50.0);
    }
    tc_rec_emergency_stats_free(s);
    tc_rec_close(db);
}

int
main(void)
{
    if (fx_init() != 0) {
        return 1;
    }
    TC_RUN(test_department_codes);
    TC_RUN(test_one_answer_by_the_receiving_side);
    TC_RUN(test_a_refused_plan_writes_nothing);
    TC_RUN(test_on_call_now);
    TC_RUN(test_first_accept_wins_and_the_log_times_it);
    return fx_done();
}
