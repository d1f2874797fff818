// SPDX-License-Identifier: Apache-2.0
/*
 * test-stats.c - the family-doctor office's figures per team and per
 * township, on a small county built through the API whose every figure
 * is worked out by hand below.
 *
 * Townships: Qiaotou (clinic A: teams A1, A2), Xiashan (clinic B: team
 * B1), Zhuyuan (residents, no clinic); clinic N names no township (team
 * N1). Follow-up schedules are followup.c's: a basic contract from
 * 2025-01-01 has visits due 03-31, 06-30, 09-30, 12-31.
 *
 *   resident (township)  contract                          outcomes
 *   r0  (Qiaotou)  A1 basic 2025-01-01, active        03-31 done, 06-30 missed
 *   r1  (Qiaotou)  A1 basic+rehab 2025-02-01, active  rehab 02-28, 03-31
 *                  (visits 04-30.., rehab monthly)    done, 04-30 missed;
 *                                                     visit 04-30 done
 *   r2  (Qiaotou)  A2 2024-04-01..2025-03-31 renewed  (its 2025-03-31 visit
 *                  -> A2 2025-04-01.., active         stays due)
 *   r3  (Qiaotou)  A2 2024-05-01..2025-04-30 expired  (due ones missed)
 *   r4  (Qiaotou)  A1 offered only
 *   r5  (Qiaotou)  A1 2025-01-01, terminated 05-15    03-31 done; rest
 *                                                     cancelled
 *   r11 (Qiaotou)  B1 2025-01-01, active              03-31 done
 *   r6  (Xiashan)  B1 2025-01-01, active              03-31, 06-30 done
 *   r7  (Xiashan)  B1 basic+elderly 2025-01-01        (9 follow-ups)
 *   r8, r9 (Xiashan) none;  r10 (Zhuyuan) N1 2025-01-01, 03-31 done
 *
 * r1's plan 2025-03-01..03-28, three sessions a week (prescribed 12),
 * sessions 03-03, 03-05 completed, 03-10 missed, 03-17 completed, 03-20
 * cancelled; a draft plan in April prescribes nothing.
 */
#include <errno.h>

#include "core-fixture.h"

#define YEAR_FROM "2025-01-01"
#define YEAR_TO   "2025-12-31"

struct county {
    struct tc_rec_db *db;
    int64_t a1, a2, b1, n1;
    int64_t d_a1, d_a2, d_b1, d_n1, therapist;
    int64_t r[12];
    int64_t plan, draft;
};

static int64_t
clinic(struct tc_rec_db *db, const char *name, const char *township)
{
    struct tc_rec_organization org = {
        .kind = TC_REC_ORG_TOWNSHIP_CLINIC,
        .name = (char *)name,
        .township = (char *)township,
        .created_at_us = fx_us("2024-06-01"),
    };
    int64_t id = 0;

    if (tc_rec_organization_create(db, &org, &id) != 0) {
        printf("# clinic: %s\n", tc_rec_errmsg(db));
        abort();
    }
    return id;
}

static int64_t
resident_in(struct tc_rec_db *db, int i, const char *township)
{
    struct tc_rec_resident r = {
        .id_number = (char *)fx_id(i),
        .name = "Resident",
        .township = (char *)township,
        .created_at_us = fx_us("2024-06-01"),
    };
    char birth[11];
    int64_t id = 0;

    if (tc_rec_resident_id_decode(fx_id(i), birth, &r.sex) != 0) {
        abort();
    }
    r.birth_date = birth;
    if (tc_rec_resident_create(db, &r, &id) != 0) {
        printf("# resident: %s\n", tc_rec_errmsg(db));
        abort();
    }
    return id;
}

static int64_t
team_with_doctor(struct county *c, int64_t clinic_id, const char *name,
                 int64_t *doctor)
{
    int64_t team = fx_team(c->db, clinic_id, name);

    *doctor = fx_practitioner(c->db, "Dr Family");
    if (tc_rec_team_member_add(c->db, team, *doctor, TC_REC_MEMBER_DOCTOR) !=
        0) {
        abort();
    }
    return team;
}

/* Offer and (unless offer_only) sign; aborts on failure. */
static int64_t
contract(struct county *c, int r, int64_t team, int64_t doctor,
         unsigned packages, const char *start, bool offer_only)
{
    struct tc_rec_contract_offer o = {
        .resident_id = c->r[r],
        .team_id = team,
        .packages = packages,
        .period_start = start,
        .offered_by = doctor,
        .offered_at_us = fx_us(start),
    };
    struct tc_rec_contract_signature sig = {
        .signed_by = doctor,
        .signed_at_us = fx_us(start),
        .method = TC_REC_SIGN_IN_PERSON,
    };
    int64_t id = 0;

    if (tc_rec_contract_offer(c->db, &o, &id) != 0 ||
        (!offer_only && tc_rec_contract_sign(c->db, id, &sig) != 0)) {
        printf("# contract: %s\n", tc_rec_errmsg(c->db));
        abort();
    }
    return id;
}

/* Record the outcome of the follow-up of `contract` due on `due` (of
 * `kind`). */
static void
outcome(struct county *c, int64_t contract_id, const char *kind,
        const char *due, enum tc_rec_followup_status status, int64_t by)
{
    struct tc_rec_followup_list *list = NULL;
    struct tc_rec_followup_outcome o = {
        .status = status,
        .by = by,
        .at_us = fx_us(due),
    };
    int found = 0;

    if (tc_rec_followup_list_for_contract(c->db, contract_id, &list) != 0) {
        abort();
    }
    for (size_t i = 0; i < list->count; i++) {
        if (strcmp(list->items[i].due_date, due) == 0 &&
            strcmp(list->items[i].kind, kind) == 0) {
            found += tc_rec_followup_record(c->db, list->items[i].id, &o) == 0;
        }
    }
    tc_rec_followup_list_free(list);
    if (found != 1) {
        printf("# outcome %s %s: %s\n", kind, due, tc_rec_errmsg(c->db));
        abort();
    }
}

static int64_t
plan(struct county *c, int64_t contract_id, const char *start, const char *end,
     int per_week)
{
    struct tc_rec_rehab_plan_new in = {
        .resident_id = c->r[1],
        .contract_id = contract_id,
        .title = "Walking",
        .period_start = start,
        .period_end = end,
        .therapist_ids = &c->therapist,
        .n_therapists = 1,
        .created_by = c->therapist,
        .created_at_us = fx_us("2025-02-20"),
    };
    struct tc_rec_rehab_exercise_new ex = {
        .name = "Sit to stand",
        .sets = 3,
        .reps = 10,
        .sessions_per_week = per_week,
    };
    int64_t id = 0, ex_id;

    if (tc_rec_rehab_plan_create(c->db, &in, &id) != 0 ||
        tc_rec_rehab_exercise_add(c->db, id, &ex, &ex_id) != 0) {
        printf("# plan: %s\n", tc_rec_errmsg(c->db));
        abort();
    }
    return id;
}

/* One session of `plan_id` on `day`: 'c' completed, 'm' missed, 'x'
 * cancelled. */
static void
session(struct county *c, int64_t plan_id, const char *day, char what)
{
    struct tc_rec_rehab_session_new in = {
        .plan_id = plan_id,
        .mode = TC_REC_REHAB_SELF_GUIDED,
        .scheduled_at_us = fx_us(day),
    };
    struct tc_rec_rehab_session_result res = {
        .ended_at_us = fx_us(day) + 1800000000LL,
        .attendance = TC_REC_REHAB_ATTENDANCE_ALONE,
        .completion_pct = 100,
        .pain_after = -1,
        .difficulty = -1,
    };
    int64_t id = 0;
    int rc = tc_rec_rehab_session_schedule(c->db, &in, &id);

    if (rc == 0 && what == 'c') {
        rc = tc_rec_rehab_session_start(c->db, id, fx_us(day), -1);
        rc = rc ? rc : tc_rec_rehab_session_finish(c->db, id, &res);
    } else if (rc == 0 && what == 'm') {
        rc = tc_rec_rehab_session_miss(c->db, id, fx_us(day));
    } else if (rc == 0) {
        rc = tc_rec_rehab_session_cancel(c->db, id, fx_us(day), "unwell");
    }
    if (rc != 0) {
        printf("# session %s: %s\n", day, tc_rec_errmsg(c->db));
        abort();
    }
}

static void
rehab(struct county *c, int64_t c1)
{
    c->therapist = fx_practitioner(c->db, "Therapist");
    c->plan = plan(c, c1, "2025-03-01", "2025-03-28", 3);
    if (tc_rec_rehab_plan_activate(c->db, c->plan, c->therapist,
                                   fx_us("2025-02-28")) != 0) {
        abort();
    }
    session(c, c->plan, "2025-03-03", 'c');
    session(c, c->plan, "2025-03-05", 'c');
    session(c, c->plan, "2025-03-10", 'm');
    session(c, c->plan, "2025-03-17", 'c');
    session(c, c->plan, "2025-03-20", 'x');
    c->draft = plan(c, c1, "2025-04-01", "2025-04-28", 5); /* stays a draft */
}

static void
township_a(struct county *c, int64_t clinic_a)
{
    struct tc_rec_contract_renewal renewal = {0};
    int64_t c0, c1, c2, c5, renewed;

    c->a1 = team_with_doctor(c, clinic_a, "A1", &c->d_a1);
    c->a2 = team_with_doctor(c, clinic_a, "A2", &c->d_a2);
    c0 = contract(c, 0, c->a1, c->d_a1, BASIC, "2025-01-01", false);
    outcome(c, c0, "visit", "2025-03-31", TC_REC_FOLLOWUP_DONE, c->d_a1);
    outcome(c, c0, "visit", "2025-06-30", TC_REC_FOLLOWUP_MISSED, c->d_a1);
    c1 = contract(c, 1, c->a1, c->d_a1, BASIC | REHAB, "2025-02-01", false);
    outcome(c, c1, "rehab_followup", "2025-02-28", TC_REC_FOLLOWUP_DONE,
            c->d_a1);
    outcome(c, c1, "rehab_followup", "2025-03-31", TC_REC_FOLLOWUP_DONE,
            c->d_a1);
    outcome(c, c1, "rehab_followup", "2025-04-30", TC_REC_FOLLOWUP_MISSED,
            c->d_a1);
    outcome(c, c1, "visit", "2025-04-30", TC_REC_FOLLOWUP_DONE, c->d_a1);
    rehab(c, c1);
    c2 = contract(c, 2, c->a2, c->d_a2, BASIC, "2024-04-01", false);
    renewal.sig.signed_by = c->d_a2;
    renewal.sig.signed_at_us = fx_us("2025-03-20");
    renewal.sig.method = TC_REC_SIGN_IN_PERSON;
    if (tc_rec_contract_renew(c->db, c2, &renewal, &renewed) != 0) {
        abort();
    }
    contract(c, 3, c->a2, c->d_a2, BASIC, "2024-05-01", false);
    contract(c, 4, c->a1, c->d_a1, BASIC, "2025-01-01", true);
    c5 = contract(c, 5, c->a1, c->d_a1, BASIC, "2025-01-01", false);
    outcome(c, c5, "visit", "2025-03-31", TC_REC_FOLLOWUP_DONE, c->d_a1);
    if (tc_rec_contract_terminate(c->db, c5, fx_us("2025-05-15"), "moved") !=
        0) {
        abort();
    }
}

static void
county_init(struct county *c)
{
    int64_t c6, c11, c10;
    int n = 0;

    memset(c, 0, sizeof(*c));
    c->db = fx_open();
    for (int i = 0; i < 12; i++) {
        c->r[i] = resident_in(c->db, i,
                              i <= 5 || i == 11 ? "Qiaotou"
                              : i <= 9          ? "Xiashan"
                                                : "Zhuyuan");
    }
    township_a(c, clinic(c->db, "Qiaotou Clinic", "Qiaotou"));
    c->b1 = team_with_doctor(c, clinic(c->db, "Xiashan Clinic", "Xiashan"),
                             "B1", &c->d_b1);
    c->n1 = team_with_doctor(c, clinic(c->db, "Mobile Clinic", NULL), "N1",
                             &c->d_n1);
    c11 = contract(c, 11, c->b1, c->d_b1, BASIC, "2025-01-01", false);
    outcome(c, c11, "visit", "2025-03-31", TC_REC_FOLLOWUP_DONE, c->d_b1);
    c6 = contract(c, 6, c->b1, c->d_b1, BASIC, "2025-01-01", false);
    outcome(c, c6, "visit", "2025-03-31", TC_REC_FOLLOWUP_DONE, c->d_b1);
    outcome(c, c6, "visit", "2025-06-30", TC_REC_FOLLOWUP_DONE, c->d_b1);
    contract(c, 7, c->b1, c->d_b1, BASIC | ELDERLY, "2025-01-01", false);
    c10 = contract(c, 10, c->n1, c->d_n1, BASIC, "2025-01-01", false);
    outcome(c, c10, "visit", "2025-03-31", TC_REC_FOLLOWUP_DONE, c->d_n1);
    /* r3's contract (ended 2025-04-30) is the only one to expire. */
    if (tc_rec_contract_expire_due(c->db, "2025-05-10", &n) != 0 || n != 1) {
        printf("# expire: %d %s\n", n, tc_rec_errmsg(c->db));
        abort();
    }
}

/* Check every figure of `s` against the expected values, in order:
 * registered, contracted, followups due/done, contracts ended/renewed,
 * rehab prescribed/completed. */
#define CHECK_STATS(s, reg, con, fdue, fdone, ended, renewed, presc, compl )  \
    do {                                                                      \
        TC_CHECK_EQ((s).registered, reg);                                     \
        TC_CHECK_EQ((s).contracted, con);                                     \
        TC_CHECK_EQ((s).followups_due, fdue);                                 \
        TC_CHECK_EQ((s).followups_done, fdone);                               \
        TC_CHECK_EQ((s).contracts_ended, ended);                              \
        TC_CHECK_EQ((s).contracts_renewed, renewed);                          \
        TC_CHECK_EQ((s).rehab_prescribed, presc);                             \
        TC_CHECK_EQ((s).rehab_completed, compl );                             \
        TC_CHECK((s).signing_rate == ((reg) ? (double)(con) / (reg) : 0.0));  \
        TC_CHECK((s).renewal_rate ==                                          \
                 ((ended) ? (double)(renewed) / (ended) : 0.0));              \
        TC_CHECK((s).rehab_adherence ==                                       \
                 ((presc) ? (double)(compl ) / (presc) : 0.0));               \
    } while (0)

/* ---- per team ---- */

static void
test_team_figures_over_a_year(void)
{
    struct county c;
    struct tc_rec_stats s;

    county_init(&c);
    /* A1: r0 4 due 1 done; r1 visits 04-30, 07-31, 10-31 and rehab
     * 02-28..12-31 (11): 14 due, 3 done; r5 only its done 03-31 (the
     * rest cancelled); r4 offered has none. Ended: r0 (period ends
     * 2025-12-31, not renewed). Rehab: 12 prescribed, 3 completed. */
    TC_REQUIRE(tc_rec_stats_team(c.db, c.a1, YEAR_FROM, YEAR_TO, &s) == 0);
    CHECK_STATS(s, 7, 2, 19, 5, 1, 0, 12, 3);
    /* A2: r2's renewed contract's 2025-03-31 visit still due, its new
     * contract 06-30, 09-30, 12-31; r3's 01-31 and 04-30 missed at
     * expiry. Ended in 2025: r2's renewed and r3's expired. */
    TC_REQUIRE(tc_rec_stats_team(c.db, c.a2, YEAR_FROM, YEAR_TO, &s) == 0);
    CHECK_STATS(s, 7, 1, 6, 0, 2, 1, 0, 0);
    /* B1 serves r11 of Qiaotou too; its registered are Xiashan's. r7 has
     * 4 visits, 1 health check and 4 elderly visits. */
    TC_REQUIRE(tc_rec_stats_team(c.db, c.b1, YEAR_FROM, YEAR_TO, &s) == 0);
    CHECK_STATS(s, 4, 3, 17, 3, 3, 0, 0, 0);
    /* N1's clinic names no township: no registered, the rest counts. */
    TC_REQUIRE(tc_rec_stats_team(c.db, c.n1, YEAR_FROM, YEAR_TO, &s) == 0);
    CHECK_STATS(s, 0, 1, 4, 1, 1, 0, 0, 0);
    tc_rec_close(c.db);
}

static void
test_team_figures_follow_the_range(void)
{
    struct county c;
    struct tc_rec_stats s;

    county_init(&c);
    /* Q2, A1: r0 06-30 missed; r1 visit 04-30 done, rehab 04-30 missed,
     * 05-31, 06-30; r5's 06-30 was cancelled. The March plan is out. */
    TC_REQUIRE(tc_rec_stats_team(c.db, c.a1, "2025-04-01", "2025-06-30", &s) ==
               0);
    CHECK_STATS(s, 7, 2, 5, 1, 0, 0, 0, 0);
    /* Q2, A2: r2's 06-30 and r3's 04-30; r3's contract ended 04-30. */
    TC_REQUIRE(tc_rec_stats_team(c.db, c.a2, "2025-04-01", "2025-06-30", &s) ==
               0);
    CHECK_STATS(s, 7, 1, 2, 0, 1, 0, 0, 0);
    tc_rec_close(c.db);
}

/* The adherence figure is the plan's own tc_rec_rehab_plan_adherence(),
 * clipped to the range: 03-15..03-28 is 14 days of three a week (6), and
 * one session completed in it (03-17). */
static void
test_rehab_adherence_agrees_with_the_plan(void)
{
    struct county c;
    struct tc_rec_rehab_adherence a;
    struct tc_rec_stats s;

    county_init(&c);
    TC_REQUIRE(tc_rec_rehab_plan_adherence(c.db, c.plan, "2025-03-15",
                                           "2025-03-31", &a) == 0);
    TC_REQUIRE(tc_rec_stats_team(c.db, c.a1, "2025-03-15", "2025-03-31", &s) ==
               0);
    TC_CHECK_EQ(s.rehab_prescribed, 6);
    TC_CHECK_EQ(s.rehab_completed, 1);
    TC_CHECK_EQ(s.rehab_prescribed, a.prescribed);
    TC_CHECK_EQ(s.rehab_completed, a.completed);
    TC_CHECK(s.rehab_adherence == 1.0 / 6);
    tc_rec_close(c.db);
}

/* A plan counts while active, suspended or completed: its prescription
 * follows the exercises added to it, and cancelling it takes its
 * prescribed and completed sessions out of every figure. */
static void
test_rehab_figures_follow_the_plan(void)
{
    struct county c;
    struct tc_rec_township_stats_list *list = NULL;
    struct tc_rec_rehab_exercise_new ex = {
        .name = "Stairs",
        .sets = 2,
        .reps = 5,
        .sessions_per_week = 5,
    };
    struct tc_rec_rehab_adherence a;
    struct tc_rec_stats s;
    int64_t ex_id = 0;

    county_init(&c);
    /* 03-01..03-28 at five a week: (5 * 28 * 2 + 7) / 14 = 20. */
    TC_REQUIRE(tc_rec_rehab_exercise_add(c.db, c.plan, &ex, &ex_id) == 0);
    TC_REQUIRE(tc_rec_rehab_plan_adherence(c.db, c.plan, YEAR_FROM, YEAR_TO,
                                           &a) == 0);
    TC_CHECK_EQ(a.prescribed, 20);
    TC_REQUIRE(tc_rec_stats_team(c.db, c.a1, YEAR_FROM, YEAR_TO, &s) == 0);
    CHECK_STATS(s, 7, 2, 19, 5, 1, 0, 20, 3);
    TC_REQUIRE(tc_rec_rehab_plan_suspend(c.db, c.plan, c.therapist,
                                         fx_us("2025-03-21"), "unwell") == 0);
    TC_REQUIRE(
        tc_rec_stats_township(c.db, "Qiaotou", YEAR_FROM, YEAR_TO, &s) == 0);
    CHECK_STATS(s, 7, 3, 25, 5, 3, 1, 20, 3);
    TC_REQUIRE(tc_rec_rehab_plan_cancel(c.db, c.plan, c.therapist,
                                        fx_us("2025-03-22"), "moved") == 0);
    TC_REQUIRE(tc_rec_stats_team(c.db, c.a1, YEAR_FROM, YEAR_TO, &s) == 0);
    CHECK_STATS(s, 7, 2, 19, 5, 1, 0, 0, 0);
    TC_REQUIRE(tc_rec_stats_townships(c.db, YEAR_FROM, YEAR_TO, &list) == 0);
    TC_REQUIRE(list->count == 3);
    CHECK_STATS(list->items[0].stats, 7, 3, 25, 5, 3, 1, 0, 0);
    tc_rec_township_stats_list_free(list);
    tc_rec_close(c.db);
}

/* Activating the April draft makes it count; a session completed in it
 * counts on the day it was scheduled for, and still counts once the plan
 * is completed. */
static void
test_rehab_figures_count_an_activated_plan(void)
{
    struct county c;
    struct tc_rec_rehab_adherence a;
    struct tc_rec_stats s;

    county_init(&c);
    TC_REQUIRE(tc_rec_rehab_plan_activate(c.db, c.draft, c.therapist,
                                          fx_us("2025-03-31")) == 0);
    /* 12 for March and (5 * 28 * 2 + 7) / 14 = 20 for April. */
    TC_REQUIRE(tc_rec_stats_team(c.db, c.a1, YEAR_FROM, YEAR_TO, &s) == 0);
    CHECK_STATS(s, 7, 2, 19, 5, 1, 0, 32, 3);
    session(&c, c.draft, "2025-04-02", 'c');
    session(&c, c.draft, "2025-04-03", 'm');
    TC_REQUIRE(tc_rec_rehab_plan_complete(c.db, c.draft, c.therapist,
                                          fx_us("2025-04-28")) == 0);
    TC_REQUIRE(tc_rec_stats_team(c.db, c.a1, YEAR_FROM, YEAR_TO, &s) == 0);
    CHECK_STATS(s, 7, 2, 19, 5, 1, 0, 32, 4);
    /* One day of five a week: (5 * 2 + 7) / 14 = 1. */
    TC_REQUIRE(tc_rec_stats_team(c.db, c.a1, "2025-04-01", "2025-04-01", &s) ==
               0);
    TC_CHECK_EQ(s.rehab_prescribed, 1);
    TC_CHECK_EQ(s.rehab_completed, 0);
    TC_REQUIRE(tc_rec_rehab_plan_adherence(c.db, c.draft, "2025-04-02",
                                           "2025-04-02", &a) == 0);
    TC_REQUIRE(tc_rec_stats_team(c.db, c.a1, "2025-04-02", "2025-04-02", &s) ==
               0);
    TC_CHECK_EQ(s.rehab_prescribed, 1);
    TC_CHECK_EQ(s.rehab_completed, 1);
    TC_CHECK_EQ(s.rehab_prescribed, a.prescribed);
    TC_CHECK_EQ(s.rehab_completed, a.completed);
    tc_rec_close(c.db);
}

/* ---- per township ---- */

static void
test_township_sums_its_teams(void)
{
    struct county c;
    struct tc_rec_stats s;

    county_init(&c);
    TC_REQUIRE(
        tc_rec_stats_township(c.db, "Qiaotou", YEAR_FROM, YEAR_TO, &s) == 0);
    CHECK_STATS(s, 7, 3, 25, 5, 3, 1, 12, 3);
    TC_REQUIRE(
        tc_rec_stats_township(c.db, "Xiashan", YEAR_FROM, YEAR_TO, &s) == 0);
    CHECK_STATS(s, 4, 3, 17, 3, 3, 0, 0, 0);
    TC_REQUIRE(
        tc_rec_stats_township(c.db, "Zhuyuan", YEAR_FROM, YEAR_TO, &s) == 0);
    CHECK_STATS(s, 1, 0, 0, 0, 0, 0, 0, 0);
    TC_REQUIRE(
        tc_rec_stats_township(c.db, "Nowhere", YEAR_FROM, YEAR_TO, &s) == 0);
    CHECK_STATS(s, 0, 0, 0, 0, 0, 0, 0, 0);
    tc_rec_close(c.db);
}

static void
test_all_townships_in_one_call(void)
{
    struct county c;
    struct tc_rec_township_stats_list *list = NULL;
    struct tc_rec_stats one;

    county_init(&c);
    TC_REQUIRE(tc_rec_stats_townships(c.db, YEAR_FROM, YEAR_TO, &list) == 0);
    TC_REQUIRE(list->count == 3);
    TC_CHECK_STR_EQ(list->items[0].township, "Qiaotou");
    CHECK_STATS(list->items[0].stats, 7, 3, 25, 5, 3, 1, 12, 3);
    TC_CHECK_STR_EQ(list->items[1].township, "Xiashan");
    CHECK_STATS(list->items[1].stats, 4, 3, 17, 3, 3, 0, 0, 0);
    TC_CHECK_STR_EQ(list->items[2].township, "Zhuyuan");
    CHECK_STATS(list->items[2].stats, 1, 0, 0, 0, 0, 0, 0, 0);
    TC_CHECK(list->items[0].stats.signing_rate == 3.0 / 7);
    tc_rec_township_stats_list_free(list);
    /* The same figures as one township at a time, for another range. */
    TC_REQUIRE(
        tc_rec_stats_townships(c.db, "2025-04-01", "2025-06-30", &list) == 0);
    TC_REQUIRE(list->count == 3);
    TC_REQUIRE(tc_rec_stats_township(c.db, "Qiaotou", "2025-04-01",
                                     "2025-06-30", &one) == 0);
    TC_CHECK(memcmp(&one, &list->items[0].stats, sizeof(one)) == 0);
    CHECK_STATS(one, 7, 3, 7, 1, 1, 0, 0, 0);
    tc_rec_township_stats_list_free(list);
    tc_rec_close(c.db);
}

static void
test_an_empty_county_has_no_townships(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_township_stats_list *list = NULL;

    TC_REQUIRE(tc_rec_stats_townships(db, YEAR_FROM, YEAR_TO, &list) == 0);
    TC_CHECK_EQ(list->count, 0);
    tc_rec_township_stats_list_free(list);
    tc_rec_close(db);
}

/* ---- refusals ---- */

static void
test_bad_arguments_are_refused_and_change_nothing(void)
{
    struct county c;
    struct tc_rec_township_stats_list *list = (void *)&c;
    struct tc_rec_stats s, before;

    county_init(&c);
    memset(&s, 0x5a, sizeof(s));
    before = s;
    TC_CHECK_EQ(tc_rec_stats_team(c.db, 999, YEAR_FROM, YEAR_TO, &s), -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(c.db), "team_id");
    TC_CHECK_EQ(tc_rec_stats_team(c.db, c.a1, "2025-13-01", YEAR_TO, &s),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(c.db), "from");
    TC_CHECK_EQ(tc_rec_stats_team(c.db, c.a1, YEAR_TO, YEAR_FROM, &s),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(c.db), "to: must be");
    TC_CHECK_EQ(tc_rec_stats_township(c.db, NULL, YEAR_FROM, YEAR_TO, &s),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(c.db), "township");
    TC_CHECK_EQ(tc_rec_stats_township(c.db, "Qiaotou", NULL, YEAR_TO, &s),
                -EINVAL);
    TC_CHECK(memcmp(&s, &before, sizeof(s)) == 0);
    TC_CHECK_EQ(tc_rec_stats_townships(c.db, YEAR_FROM, "soon", &list),
                -EINVAL);
    TC_CHECK(list == (void *)&c);
    tc_rec_close(c.db);
}

int
main(void)
{
    if (fx_init() < 0) {
        return 1;
    }
    TC_RUN(test_team_figures_over_a_year);
    TC_RUN(test_team_figures_follow_the_range);
    TC_RUN(test_rehab_adherence_agrees_with_the_plan);
    TC_RUN(test_rehab_figures_follow_the_plan);
    TC_RUN(test_rehab_figures_count_an_activated_plan);
    TC_RUN(test_township_sums_its_teams);
    TC_RUN(test_all_townships_in_one_call);
    TC_RUN(test_an_empty_county_has_no_townships);
    TC_RUN(test_bad_arguments_are_refused_and_change_nothing);
    return fx_done();
}
