// SPDX-License-Identifier: Apache-2.0
/*
 * test-contract.c - family-doctor contracts: every transition of the
 * lifecycle and every refused one (with proof that a refusal wrote
 * nothing), the follow-up schedule and its outcomes, and the access
 * helpers. The panel has its own program (test-panel.c).
 */
#include <errno.h>

#include "core-fixture.h"

static long long
followups_with_status(const char *status)
{
    char sql[128];

    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM followups WHERE status = '%s'", status);
    return fx_count(sql);
}

/* ---- Offer ---- */

static void
test_offer_defaults_to_one_year_and_reads_back(void)
{
    struct fx_world w;
    struct tc_rec_contract *c = NULL;
    int64_t id;

    fx_world_init(&w);
    id = fx_offer(&w, 0, w.team1, BASIC | REHAB, "2025-03-01");
    TC_REQUIRE(tc_rec_contract_get(w.db, id, &c) == 0);
    TC_CHECK_EQ(c->status, TC_REC_CONTRACT_OFFERED);
    TC_CHECK_STR_EQ(c->period_start, "2025-03-01");
    TC_CHECK_STR_EQ(c->period_end, "2026-02-28");
    TC_CHECK_EQ(c->packages, BASIC | REHAB);
    TC_CHECK_EQ(c->resident_id, w.residents[0]);
    TC_CHECK_EQ(c->team_id, w.team1);
    TC_CHECK_EQ(c->offered_by, w.doctor);
    TC_CHECK_EQ(c->signed_by, 0);
    TC_CHECK_EQ(c->previous_id, 0);
    TC_CHECK(c->end_reason == NULL);
    /* An offer generates no follow-ups: only an active contract has. */
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM followups"), 0);
    tc_rec_contract_free(c);
    tc_rec_close(w.db);
}

static void
test_offer_without_basic_package_is_refused(void)
{
    struct fx_world w;
    struct tc_rec_contract_offer o = {0};
    int64_t id = -1;
    char *before, *after;

    fx_world_init(&w);
    o = (struct tc_rec_contract_offer){
        .resident_id = w.residents[0],
        .team_id = w.team1,
        .packages = REHAB,
        .period_start = "2025-01-01",
        .offered_at_us = fx_us("2025-01-01"),
    };
    before = fx_dump();
    TC_CHECK_EQ(tc_rec_contract_offer(w.db, &o, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "packages: must include basic");
    o.packages = BASIC | (1u << 20);
    TC_CHECK_EQ(tc_rec_contract_offer(w.db, &o, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "packages: unknown");
    TC_CHECK_EQ(id, -1);
    after = fx_dump();
    TC_CHECK_STR_EQ(before, after);
    free(before);
    free(after);
    tc_rec_close(w.db);
}

static void
test_offer_with_bad_period_or_references_is_refused(void)
{
    struct fx_world w;
    struct tc_rec_contract_offer o;
    int64_t id = -1;

    fx_world_init(&w);
    o = (struct tc_rec_contract_offer){
        .resident_id = w.residents[0],
        .team_id = w.team1,
        .packages = BASIC,
        .period_start = "2025-02-30",
        .offered_at_us = fx_us("2025-01-01"),
    };
    TC_CHECK_EQ(tc_rec_contract_offer(w.db, &o, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "period_start");
    o.period_start = "2025-06-01";
    o.period_end = "2025-06-01";
    TC_CHECK_EQ(tc_rec_contract_offer(w.db, &o, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db),
                          "period_end: must be after period_start");
    o.period_end = "2031-01-01";
    TC_CHECK_EQ(tc_rec_contract_offer(w.db, &o, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "at most 5 years");
    o.period_end = NULL;
    o.resident_id = 999;
    TC_CHECK_EQ(tc_rec_contract_offer(w.db, &o, &id), -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "resident_id");
    o.resident_id = w.residents[0];
    o.team_id = 999;
    TC_CHECK_EQ(tc_rec_contract_offer(w.db, &o, &id), -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "team_id");
    TC_CHECK_EQ(id, -1);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM contracts"), 0);
    tc_rec_close(w.db);
}

/* ---- Sign ---- */

static void
test_sign_activates_and_generates_quarterly_visits(void)
{
    static const char *const due[] = {"2025-03-31", "2025-06-30", "2025-09-30",
                                      "2025-12-31"};
    struct fx_world w;
    struct tc_rec_contract *c = NULL;
    struct tc_rec_followup_list *list = NULL;
    int64_t id;

    fx_world_init(&w);
    id = fx_offer(&w, 0, w.team1, BASIC, "2025-01-01");
    TC_CHECK_EQ(fx_sign(&w, id, w.doctor, "2025-01-05"), 0);
    TC_REQUIRE(tc_rec_contract_get(w.db, id, &c) == 0);
    TC_CHECK_EQ(c->status, TC_REC_CONTRACT_ACTIVE);
    TC_CHECK_EQ(c->signed_by, w.doctor);
    TC_CHECK_EQ(c->signed_at_us, fx_us("2025-01-05"));
    TC_CHECK_EQ(c->sign_method, TC_REC_SIGN_IN_PERSON);
    tc_rec_contract_free(c);

    TC_REQUIRE(tc_rec_followup_list_for_contract(w.db, id, &list) == 0);
    TC_REQUIRE(list->count == 4);
    for (size_t i = 0; i < 4; i++) {
        TC_CHECK_STR_EQ(list->items[i].due_date, due[i]);
        TC_CHECK_STR_EQ(list->items[i].kind, "visit");
        TC_CHECK_EQ(list->items[i].package, TC_REC_PACKAGE_BASIC);
        TC_CHECK_EQ(list->items[i].status, TC_REC_FOLLOWUP_DUE);
    }
    tc_rec_followup_list_free(list);
    tc_rec_close(w.db);
}

static void
test_followup_counts_follow_each_package(void)
{
    struct fx_world w;
    struct tc_rec_followup_list *list = NULL;
    int64_t id;
    int rehab = 0, check = 0, elderly = 0, chronic = 0, maternal = 0;

    fx_world_init(&w);
    id = fx_active(&w, 0, BASIC | REHAB | ELDERLY | CHRONIC | MATERNAL,
                   "2025-01-31");
    TC_REQUIRE(tc_rec_followup_list_for_contract(w.db, id, &list) == 0);
    /* 4 visits + 12 rehab + 1 check + 4 elderly + 4 chronic + 6 maternal */
    TC_CHECK_EQ(list->count, 31);
    for (size_t i = 0; i < list->count; i++) {
        const struct tc_rec_followup *f = &list->items[i];
        rehab += strcmp(f->kind, "rehab_followup") == 0;
        check += strcmp(f->kind, "health_check") == 0;
        elderly += strcmp(f->kind, "elderly_visit") == 0;
        chronic += strcmp(f->kind, "chronic_followup") == 0;
        maternal += strcmp(f->kind, "maternal_child_visit") == 0;
        /* Every follow-up is due inside the period. */
        TC_CHECK(strcmp(f->due_date, "2025-01-31") >= 0);
        TC_CHECK(strcmp(f->due_date, "2026-01-30") <= 0);
    }
    TC_CHECK_EQ(rehab, 12);
    TC_CHECK_EQ(check, 1);
    TC_CHECK_EQ(elderly, 4);
    TC_CHECK_EQ(chronic, 4);
    TC_CHECK_EQ(maternal, 6);
    /* Monthly windows from Jan 31 end the day before the (clamped) same
     * day of the next month; the annual check is due on the last day. */
    TC_CHECK_STR_EQ(list->items[0].due_date, "2025-02-27");
    TC_CHECK_STR_EQ(list->items[0].kind, "rehab_followup");
    TC_CHECK_STR_EQ(list->items[list->count - 1].due_date, "2026-01-30");
    tc_rec_followup_list_free(list);
    tc_rec_close(w.db);
}

static void
test_sign_by_non_member_is_refused(void)
{
    struct fx_world w;
    int64_t id;
    char *before, *after;

    fx_world_init(&w);
    id = fx_offer(&w, 0, w.team1, BASIC, "2025-01-01");
    before = fx_dump();
    TC_CHECK_EQ(fx_sign(&w, id, w.outsider, "2025-01-02"), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "signed_by");
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "not a member of team");
    /* A member of another team may not sign either. */
    TC_CHECK_EQ(fx_sign(&w, id, w.nurse2, "2025-01-02"), -EINVAL);
    after = fx_dump();
    TC_CHECK_STR_EQ(before, after);
    TC_CHECK_EQ(fx_status_of(&w, id), TC_REC_CONTRACT_OFFERED);
    free(before);
    free(after);
    tc_rec_close(w.db);
}

static void
test_sign_expired_offer_is_refused(void)
{
    struct fx_world w;
    int64_t id;
    char *before, *after;

    fx_world_init(&w);
    id = fx_offer(&w, 0, w.team1, BASIC, "2025-01-01");
    before = fx_dump();
    TC_CHECK_EQ(fx_sign(&w, id, w.doctor, "2026-01-01"), -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "offer expired");
    after = fx_dump();
    TC_CHECK_STR_EQ(before, after);
    /* The last day of the period is still in time. */
    TC_CHECK_EQ(fx_sign(&w, id, w.doctor, "2025-12-31"), 0);
    free(before);
    free(after);
    tc_rec_close(w.db);
}

static void
test_sign_twice_is_refused(void)
{
    struct fx_world w;
    int64_t id;
    char *before, *after;

    fx_world_init(&w);
    id = fx_active(&w, 0, BASIC, "2025-01-01");
    before = fx_dump();
    TC_CHECK_EQ(fx_sign(&w, id, w.doctor, "2025-01-03"), -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db),
                          "sign: not allowed from status active");
    after = fx_dump();
    TC_CHECK_STR_EQ(before, after);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM followups"), 4);
    free(before);
    free(after);
    tc_rec_close(w.db);
}

static void
test_second_active_contract_is_refused(void)
{
    struct fx_world w;
    int64_t first, second;
    char *before, *after;

    fx_world_init(&w);
    first = fx_active(&w, 0, BASIC, "2025-01-01");
    second = fx_offer(&w, 0, w.team2, BASIC, "2025-02-01");
    before = fx_dump();
    TC_CHECK_EQ(fx_sign(&w, second, w.nurse2, "2025-02-01"), -EEXIST);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db),
                          "resident already has an active contract");
    after = fx_dump();
    TC_CHECK_STR_EQ(before, after);
    TC_CHECK_EQ(fx_status_of(&w, first), TC_REC_CONTRACT_ACTIVE);
    TC_CHECK_EQ(fx_status_of(&w, second), TC_REC_CONTRACT_OFFERED);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM contracts"
                         " WHERE status = 'active'"),
                1);
    free(before);
    free(after);
    tc_rec_close(w.db);
}

static void
test_unknown_contract_is_not_found(void)
{
    struct fx_world w;
    struct tc_rec_contract *c = NULL;

    fx_world_init(&w);
    TC_CHECK_EQ(tc_rec_contract_get(w.db, 42, &c), -ENOENT);
    TC_CHECK(c == NULL);
    TC_CHECK_EQ(fx_sign(&w, 42, w.doctor, "2025-01-01"), -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "no contract 42");
    TC_CHECK_EQ(tc_rec_contract_terminate(w.db, 42, 1, "moved"), -ENOENT);
    TC_CHECK_EQ(tc_rec_contract_get_active(w.db, w.residents[0], &c), -ENOENT);
    tc_rec_close(w.db);
}

/* ---- Withdraw ---- */

static void
test_withdraw_offer(void)
{
    struct fx_world w;
    struct tc_rec_contract *c = NULL;
    int64_t id;

    fx_world_init(&w);
    id = fx_offer(&w, 0, w.team1, BASIC, "2025-01-01");
    TC_CHECK_EQ(tc_rec_contract_withdraw(w.db, id, fx_us("2025-01-10"),
                                         "resident declined"),
                0);
    TC_REQUIRE(tc_rec_contract_get(w.db, id, &c) == 0);
    TC_CHECK_EQ(c->status, TC_REC_CONTRACT_WITHDRAWN);
    TC_CHECK_EQ(c->ended_at_us, fx_us("2025-01-10"));
    TC_CHECK_STR_EQ(c->end_reason, "resident declined");
    tc_rec_contract_free(c);
    /* Withdrawn is final: no sign, no second withdraw. */
    TC_CHECK_EQ(fx_sign(&w, id, w.doctor, "2025-01-11"), -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db),
                          "sign: not allowed from status withdrawn");
    TC_CHECK_EQ(tc_rec_contract_withdraw(w.db, id, fx_us("2025-01-12"), NULL),
                -EPERM);
    tc_rec_close(w.db);
}

static void
test_withdraw_active_contract_is_refused(void)
{
    struct fx_world w;
    int64_t id;
    char *before, *after;

    fx_world_init(&w);
    id = fx_active(&w, 0, BASIC, "2025-01-01");
    before = fx_dump();
    TC_CHECK_EQ(tc_rec_contract_withdraw(w.db, id, fx_us("2025-02-01"), NULL),
                -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db),
                          "withdraw: not allowed from status active");
    after = fx_dump();
    TC_CHECK_STR_EQ(before, after);
    free(before);
    free(after);
    tc_rec_close(w.db);
}

/* ---- Terminate ---- */

static void
test_terminate_cancels_remaining_followups(void)
{
    struct fx_world w;
    struct tc_rec_followup_list *list = NULL;
    struct tc_rec_followup_outcome done = {0};
    struct tc_rec_contract *c = NULL;
    int64_t id;

    fx_world_init(&w);
    id = fx_active(&w, 0, BASIC, "2025-01-01");
    TC_REQUIRE(tc_rec_followup_list_for_contract(w.db, id, &list) == 0);
    done = (struct tc_rec_followup_outcome){
        .status = TC_REC_FOLLOWUP_DONE,
        .by = w.doctor,
        .at_us = fx_us("2025-03-20"),
    };
    TC_CHECK_EQ(tc_rec_followup_record(w.db, list->items[0].id, &done), 0);
    TC_CHECK_EQ(tc_rec_contract_terminate(w.db, id, fx_us("2025-04-02"),
                                          "moved to the city"),
                0);
    TC_REQUIRE(tc_rec_contract_get(w.db, id, &c) == 0);
    TC_CHECK_EQ(c->status, TC_REC_CONTRACT_TERMINATED);
    TC_CHECK_STR_EQ(c->end_reason, "moved to the city");
    TC_CHECK_EQ(c->ended_at_us, fx_us("2025-04-02"));
    tc_rec_contract_free(c);
    /* The one done stays done; the three still due are cancelled. */
    TC_CHECK_EQ(followups_with_status("done"), 1);
    TC_CHECK_EQ(followups_with_status("cancelled"), 3);
    TC_CHECK_EQ(followups_with_status("due"), 0);
    tc_rec_followup_list_free(list);
    tc_rec_close(w.db);
}

static void
test_terminate_terminated_contract_is_refused(void)
{
    struct fx_world w;
    int64_t id;
    char *before, *after;

    fx_world_init(&w);
    id = fx_active(&w, 0, BASIC, "2025-01-01");
    TC_CHECK_EQ(
        tc_rec_contract_terminate(w.db, id, fx_us("2025-02-01"), "deceased"),
        0);
    before = fx_dump();
    TC_CHECK_EQ(
        tc_rec_contract_terminate(w.db, id, fx_us("2025-02-02"), "again"),
        -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db),
                          "terminate: not allowed from status terminated");
    after = fx_dump();
    TC_CHECK_STR_EQ(before, after);
    free(before);
    free(after);
    tc_rec_close(w.db);
}

static void
test_terminate_needs_a_reason_and_an_active_contract(void)
{
    struct fx_world w;
    int64_t active_id, offered_id;
    char *before, *after;

    fx_world_init(&w);
    active_id = fx_active(&w, 0, BASIC, "2025-01-01");
    offered_id = fx_offer(&w, 1, w.team1, BASIC, "2025-01-01");
    before = fx_dump();
    TC_CHECK_EQ(
        tc_rec_contract_terminate(w.db, active_id, fx_us("2025-02-01"), NULL),
        -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "reason: required");
    TC_CHECK_EQ(
        tc_rec_contract_terminate(w.db, active_id, fx_us("2025-02-01"), ""),
        -EINVAL);
    TC_CHECK_EQ(
        tc_rec_contract_terminate(w.db, offered_id, fx_us("2025-02-01"), "no"),
        -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db),
                          "terminate: not allowed from status offered");
    after = fx_dump();
    TC_CHECK_STR_EQ(before, after);
    free(before);
    free(after);
    tc_rec_close(w.db);
}

/* ---- Expire ---- */

static void
test_expire_due_sweeps_only_ended_periods(void)
{
    struct fx_world w;
    int64_t ended, running, offered;
    int n = -1;

    fx_world_init(&w);
    ended = fx_active(&w, 0, BASIC, "2024-01-01"); /* ends 2024-12-31 */
    running = fx_active(&w, 1, BASIC, "2024-06-01");
    offered = fx_offer(&w, 2, w.team1, BASIC, "2024-01-01");
    TC_CHECK_EQ(tc_rec_contract_expire_due(w.db, "2024-12-31", &n), 0);
    TC_CHECK_EQ(n, 0); /* the last day of a period is inside it */
    TC_CHECK_EQ(tc_rec_contract_expire_due(w.db, "2025-01-01", &n), 0);
    TC_CHECK_EQ(n, 1);
    TC_CHECK_EQ(fx_status_of(&w, ended), TC_REC_CONTRACT_EXPIRED);
    TC_CHECK_EQ(fx_status_of(&w, running), TC_REC_CONTRACT_ACTIVE);
    TC_CHECK_EQ(fx_status_of(&w, offered), TC_REC_CONTRACT_OFFERED);
    /* The expired contract's follow-ups still due were missed. */
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM followups f JOIN contracts c"
                         " ON c.id = f.contract_id WHERE c.status ="
                         " 'expired' AND f.status = 'missed'"),
                4);
    TC_CHECK_EQ(tc_rec_contract_expire_due(w.db, "2025-01-01", &n), 0);
    TC_CHECK_EQ(n, 0);
    /* Expired is final. */
    TC_CHECK_EQ(
        tc_rec_contract_terminate(w.db, ended, fx_us("2025-01-02"), "late"),
        -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "from status expired");
    TC_CHECK_EQ(tc_rec_contract_expire_due(w.db, "2025-13-01", &n), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "today");
    tc_rec_close(w.db);
}

/* ---- Renew ---- */

static void
test_renew_starts_the_next_period_linked_to_the_previous(void)
{
    struct fx_world w;
    struct tc_rec_contract_renewal r = {0};
    struct tc_rec_contract *next = NULL, *old = NULL;
    struct tc_rec_contract_list *history = NULL;
    struct tc_rec_followup_list *list = NULL;
    int64_t id, new_id = 0;

    fx_world_init(&w);
    id = fx_active(&w, 0, BASIC, "2025-01-01");
    r.packages = BASIC | REHAB;
    r.sig = (struct tc_rec_contract_signature){
        .signed_by = w.doctor,
        .signed_at_us = fx_us("2025-12-15"),
        .method = TC_REC_SIGN_ONLINE,
    };
    TC_CHECK_EQ(tc_rec_contract_renew(w.db, id, &r, &new_id), 0);
    TC_REQUIRE(new_id > 0 && new_id != id);
    TC_REQUIRE(tc_rec_contract_get(w.db, id, &old) == 0);
    TC_CHECK_EQ(old->status, TC_REC_CONTRACT_RENEWED);
    TC_REQUIRE(tc_rec_contract_get_active(w.db, w.residents[0], &next) == 0);
    TC_CHECK_EQ(next->id, new_id);
    TC_CHECK_EQ(next->previous_id, id);
    TC_CHECK_EQ(next->team_id, w.team1);
    TC_CHECK_EQ(next->packages, BASIC | REHAB);
    TC_CHECK_STR_EQ(next->period_start, "2026-01-01");
    TC_CHECK_STR_EQ(next->period_end, "2026-12-31");
    TC_CHECK_EQ(next->sign_method, TC_REC_SIGN_ONLINE);
    TC_REQUIRE(tc_rec_followup_list_for_contract(w.db, new_id, &list) == 0);
    TC_CHECK_EQ(list->count, 16); /* 4 visits + 12 rehab follow-ups */
    TC_REQUIRE(tc_rec_contract_list_for_resident(w.db, w.residents[0],
                                                 &history) == 0);
    TC_REQUIRE(history->count == 2);
    TC_CHECK_EQ(history->items[0].id, new_id); /* newest period first */
    TC_CHECK_EQ(history->items[1].id, id);
    tc_rec_contract_list_free(history);
    tc_rec_followup_list_free(list);
    tc_rec_contract_free(next);
    tc_rec_contract_free(old);
    tc_rec_close(w.db);
}

static void
test_renew_keeps_packages_when_none_given(void)
{
    struct fx_world w;
    struct tc_rec_contract_renewal r = {0};
    struct tc_rec_contract *next = NULL;
    int64_t id, new_id = 0;

    fx_world_init(&w);
    id = fx_active(&w, 0, BASIC | ELDERLY, "2025-01-01");
    r.period_end = "2026-06-30";
    r.sig = (struct tc_rec_contract_signature){
        .signed_by = w.doctor,
        .signed_at_us = fx_us("2025-12-20"),
        .method = TC_REC_SIGN_IN_PERSON,
    };
    TC_CHECK_EQ(tc_rec_contract_renew(w.db, id, &r, &new_id), 0);
    TC_REQUIRE(tc_rec_contract_get(w.db, new_id, &next) == 0);
    TC_CHECK_EQ(next->packages, BASIC | ELDERLY);
    TC_CHECK_STR_EQ(next->period_end, "2026-06-30");
    tc_rec_contract_free(next);
    tc_rec_close(w.db);
}

static void
test_renew_non_active_contract_is_refused(void)
{
    struct fx_world w;
    struct tc_rec_contract_renewal r = {0};
    int64_t offered, renewed, terminated, new_id = -1, next = 0;
    char *before, *after;

    fx_world_init(&w);
    r.sig = (struct tc_rec_contract_signature){
        .signed_by = w.doctor,
        .signed_at_us = fx_us("2025-12-15"),
        .method = TC_REC_SIGN_IN_PERSON,
    };
    offered = fx_offer(&w, 0, w.team1, BASIC, "2025-01-01");
    renewed = fx_active(&w, 1, BASIC, "2025-01-01");
    TC_REQUIRE(tc_rec_contract_renew(w.db, renewed, &r, &next) == 0);
    terminated = fx_active(&w, 2, BASIC, "2025-01-01");
    tc_rec_contract_terminate(w.db, terminated, fx_us("2025-03-01"), "moved");
    before = fx_dump();
    TC_CHECK_EQ(tc_rec_contract_renew(w.db, offered, &r, &new_id), -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db),
                          "renew: not allowed from status offered");
    TC_CHECK_EQ(tc_rec_contract_renew(w.db, renewed, &r, &new_id), -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "from status renewed");
    TC_CHECK_EQ(tc_rec_contract_renew(w.db, terminated, &r, &new_id), -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "from status terminated");
    after = fx_dump();
    TC_CHECK_STR_EQ(before, after);
    TC_CHECK_EQ(new_id, -1);
    free(before);
    free(after);
    tc_rec_close(w.db);
}

static void
test_refused_renewal_rolls_back_whole(void)
{
    struct fx_world w;
    struct tc_rec_contract_renewal r = {0};
    int64_t id, new_id = -1;
    char *before, *after;

    fx_world_init(&w);
    id = fx_active(&w, 0, BASIC, "2025-01-01");
    before = fx_dump();
    /* By an outsider, or without basic: refused before any write. */
    r.sig = (struct tc_rec_contract_signature){
        .signed_by = w.outsider,
        .signed_at_us = fx_us("2025-12-15"),
        .method = TC_REC_SIGN_IN_PERSON,
    };
    TC_CHECK_EQ(tc_rec_contract_renew(w.db, id, &r, &new_id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "signed_by");
    r.sig.signed_by = w.doctor;
    r.packages = REHAB;
    TC_CHECK_EQ(tc_rec_contract_renew(w.db, id, &r, &new_id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "must include basic");
    /* A bad period end is found after the old contract already left
     * ACTIVE inside the transaction: the whole renewal rolls back. */
    r.packages = 0;
    r.period_end = "2025-06-30";
    TC_CHECK_EQ(tc_rec_contract_renew(w.db, id, &r, &new_id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "period_end");
    after = fx_dump();
    TC_CHECK_STR_EQ(before, after);
    TC_CHECK_EQ(fx_status_of(&w, id), TC_REC_CONTRACT_ACTIVE);
    TC_CHECK_EQ(new_id, -1);
    free(before);
    free(after);
    tc_rec_close(w.db);
}

/* ---- Follow-up outcomes ---- */

static void
test_followup_outcomes_only_from_due(void)
{
    struct fx_world w;
    struct tc_rec_followup_list *list = NULL;
    struct tc_rec_followup *f = NULL;
    struct tc_rec_followup_outcome o = {0};
    int64_t id;
    char *before, *after;

    fx_world_init(&w);
    id = fx_active(&w, 0, BASIC, "2025-01-01");
    TC_REQUIRE(tc_rec_followup_list_for_contract(w.db, id, &list) == 0);
    o = (struct tc_rec_followup_outcome){
        .status = TC_REC_FOLLOWUP_DONE,
        .by = w.doctor,
        .at_us = fx_us("2025-03-02"),
        .note = "BP 135/85, no complaints",
    };
    TC_CHECK_EQ(tc_rec_followup_record(w.db, list->items[0].id, &o), 0);
    TC_REQUIRE(tc_rec_followup_get(w.db, list->items[0].id, &f) == 0);
    TC_CHECK_EQ(f->status, TC_REC_FOLLOWUP_DONE);
    TC_CHECK_EQ(f->recorded_by, w.doctor);
    TC_CHECK_EQ(f->recorded_at_us, fx_us("2025-03-02"));
    TC_CHECK_STR_EQ(f->note, "BP 135/85, no complaints");
    tc_rec_followup_free(f);

    o.status = TC_REC_FOLLOWUP_MISSED;
    o.note = "not at home";
    TC_CHECK_EQ(tc_rec_followup_record(w.db, list->items[1].id, &o), 0);

    before = fx_dump();
    TC_CHECK_EQ(tc_rec_followup_record(w.db, list->items[0].id, &o), -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db),
                          "missed: not allowed from status done");
    o.status = TC_REC_FOLLOWUP_DONE;
    TC_CHECK_EQ(tc_rec_followup_record(w.db, list->items[1].id, &o), -EPERM);
    o.status = TC_REC_FOLLOWUP_CANCELLED;
    TC_CHECK_EQ(tc_rec_followup_record(w.db, list->items[2].id, &o), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "status: must be done or");
    o.status = TC_REC_FOLLOWUP_DONE;
    o.by = 999;
    TC_CHECK_EQ(tc_rec_followup_record(w.db, list->items[2].id, &o), -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "by: no practitioner");
    TC_CHECK_EQ(tc_rec_followup_record(w.db, 9999, &o), -ENOENT);
    after = fx_dump();
    TC_CHECK_STR_EQ(before, after);
    free(before);
    free(after);
    tc_rec_followup_list_free(list);
    tc_rec_close(w.db);
}

/* ---- Access helpers ---- */

static void
test_access_follows_the_active_contract_team(void)
{
    struct fx_world w;
    int64_t id, contract = 0, team = 0;
    bool yes = true;

    fx_world_init(&w);
    TC_CHECK_EQ(
        tc_rec_resident_contract_team(w.db, w.residents[0], &contract, &team),
        -ENOENT);
    TC_CHECK_EQ(
        tc_rec_resident_team_has_member(w.db, w.residents[0], w.doctor, &yes),
        0);
    TC_CHECK(!yes);
    id = fx_active(&w, 0, BASIC, "2025-01-01");
    TC_CHECK_EQ(
        tc_rec_resident_contract_team(w.db, w.residents[0], &contract, &team),
        0);
    TC_CHECK_EQ(contract, id);
    TC_CHECK_EQ(team, w.team1);
    TC_CHECK_EQ(
        tc_rec_resident_team_has_member(w.db, w.residents[0], w.doctor, &yes),
        0);
    TC_CHECK(yes);
    TC_CHECK_EQ(
        tc_rec_resident_team_has_member(w.db, w.residents[0], w.nurse2, &yes),
        0);
    TC_CHECK(!yes);
    /* Once the contract ends the team loses access. */
    tc_rec_contract_terminate(w.db, id, fx_us("2025-02-01"), "moved");
    TC_CHECK_EQ(
        tc_rec_resident_team_has_member(w.db, w.residents[0], w.doctor, &yes),
        0);
    TC_CHECK(!yes);
    tc_rec_close(w.db);
}

static void
test_codes_round_trip(void)
{
    enum tc_rec_contract_status s = 0;
    enum tc_rec_package p = 0;
    enum tc_rec_sign_method m = 0;
    enum tc_rec_followup_status fs = 0;

    for (int i = TC_REC_CONTRACT_OFFERED; i <= TC_REC_CONTRACT_WITHDRAWN;
         i++) {
        TC_CHECK_EQ(tc_rec_contract_status_from_string(
                        tc_rec_contract_status_to_string(i), &s),
                    0);
        TC_CHECK_EQ(s, i);
    }
    for (int i = 0; i < TC_REC_PACKAGE_COUNT; i++) {
        TC_CHECK_EQ(
            tc_rec_package_from_string(tc_rec_package_to_string(i), &p), 0);
        TC_CHECK_EQ(p, i);
    }
    TC_CHECK_EQ(tc_rec_sign_method_from_string("online", &m), 0);
    TC_CHECK_EQ(m, TC_REC_SIGN_ONLINE);
    TC_CHECK_EQ(tc_rec_followup_status_from_string("cancelled", &fs), 0);
    TC_CHECK_EQ(fs, TC_REC_FOLLOWUP_CANCELLED);
    TC_CHECK_EQ(tc_rec_contract_status_from_string("signed", &s), -EINVAL);
    TC_CHECK_EQ(tc_rec_package_from_string("dental", &p), -EINVAL);
    TC_CHECK_EQ(tc_rec_sign_method_from_string(NULL, &m), -EINVAL);
    TC_CHECK(tc_rec_contract_status_to_string(0) == NULL);
    TC_CHECK(tc_rec_package_to_string(TC_REC_PACKAGE_COUNT) == NULL);
}

int
main(void)
{
    if (fx_init() < 0) {
        return 1;
    }
    TC_RUN(test_offer_defaults_to_one_year_and_reads_back);
    TC_RUN(test_offer_without_basic_package_is_refused);
    TC_RUN(test_offer_with_bad_period_or_references_is_refused);
    TC_RUN(test_sign_activates_and_generates_quarterly_visits);
    TC_RUN(test_followup_counts_follow_each_package);
    TC_RUN(test_sign_by_non_member_is_refused);
    TC_RUN(test_sign_expired_offer_is_refused);
    TC_RUN(test_sign_twice_is_refused);
    TC_RUN(test_second_active_contract_is_refused);
    TC_RUN(test_unknown_contract_is_not_found);
    TC_RUN(test_withdraw_offer);
    TC_RUN(test_withdraw_active_contract_is_refused);
    TC_RUN(test_terminate_cancels_remaining_followups);
    TC_RUN(test_terminate_terminated_contract_is_refused);
    TC_RUN(test_terminate_needs_a_reason_and_an_active_contract);
    TC_RUN(test_expire_due_sweeps_only_ended_periods);
    TC_RUN(test_renew_starts_the_next_period_linked_to_the_previous);
    TC_RUN(test_renew_keeps_packages_when_none_given);
    TC_RUN(test_renew_non_active_contract_is_refused);
    TC_RUN(test_refused_renewal_rolls_back_whole);
    TC_RUN(test_followup_outcomes_only_from_due);
    TC_RUN(test_access_follows_the_active_contract_team);
    TC_RUN(test_codes_round_trip);
    return fx_done();
}
