// SPDX-License-Identifier: Apache-2.0
/*
 * test-panel.c - a family-doctor team's panel: residents with an active
 * contract with the team, ordered by their next due follow-up (those with
 * nothing due last), paged, kept apart per team, and served by one index
 * range (its query plan).
 */
#include <errno.h>

#include "core-fixture.h"
#include "records-int.h" /* tc_rec__sql_panel, for its plan */

/* ---- Panel ---- */

static void
test_panel_orders_by_next_due_followup(void)
{
    struct fx_world w;
    struct tc_rec_panel_page *page = NULL;
    struct tc_rec_followup_list *list = NULL;
    struct tc_rec_followup_outcome done = {0};
    int64_t c0, c1, c2, c3;

    fx_world_init(&w);
    c0 = fx_active(&w, 0, BASIC, "2025-03-01");         /* next 2025-05-31 */
    c1 = fx_active(&w, 1, BASIC, "2025-01-01");         /* next 2025-03-31 */
    c2 = fx_active(&w, 2, BASIC | REHAB, "2025-02-01"); /* next 2025-02-28 */
    c3 = fx_active(&w, 3, BASIC, "2025-01-01");         /* ties with c1 */
    fx_offer(&w, 4, w.team1, BASIC, "2025-01-01");      /* not on the panel */
    TC_REQUIRE(tc_rec_panel_list(w.db, w.team1, "2025-04-01", 0, 50, &page) ==
               0);
    TC_REQUIRE(page->count == 4);
    TC_CHECK_EQ(page->rows[0].contract_id, c2);
    TC_CHECK_STR_EQ(page->rows[0].next_due_date, "2025-02-28");
    TC_CHECK_STR_EQ(page->rows[0].next_kind, "rehab_followup");
    TC_CHECK(page->rows[0].overdue);
    TC_CHECK_EQ(page->rows[0].n_overdue, 2); /* Feb rehab, Mar rehab */
    TC_CHECK_EQ(page->rows[1].contract_id, c1);
    TC_CHECK_EQ(page->rows[2].contract_id, c3);
    TC_CHECK_EQ(page->rows[3].contract_id, c0);
    TC_CHECK_STR_EQ(page->rows[3].next_due_date, "2025-05-31");
    TC_CHECK(!page->rows[3].overdue);
    TC_CHECK_EQ(page->rows[3].resident_id, w.residents[0]);
    TC_CHECK_STR_EQ(page->rows[3].name, "Resident");
    TC_CHECK_STR_EQ(page->rows[3].village, "Dongcun");
    tc_rec_panel_page_free(page);

    /* Doing c1's first visit moves it behind c3 and c0. */
    TC_REQUIRE(tc_rec_followup_list_for_contract(w.db, c1, &list) == 0);
    done = (struct tc_rec_followup_outcome){
        .status = TC_REC_FOLLOWUP_DONE,
        .by = w.doctor,
        .at_us = fx_us("2025-03-30"),
    };
    TC_CHECK_EQ(tc_rec_followup_record(w.db, list->items[0].id, &done), 0);
    tc_rec_followup_list_free(list);
    TC_REQUIRE(tc_rec_panel_list(w.db, w.team1, "2025-04-01", 0, 50, &page) ==
               0);
    TC_REQUIRE(page->count == 4);
    TC_CHECK_EQ(page->rows[1].contract_id, c3);
    TC_CHECK_EQ(page->rows[2].contract_id, c0);
    TC_CHECK_EQ(page->rows[3].contract_id, c1);
    TC_CHECK_STR_EQ(page->rows[3].next_due_date, "2025-06-30");
    tc_rec_panel_page_free(page);

    /* A terminated contract leaves the panel. */
    TC_CHECK_EQ(
        tc_rec_contract_terminate(w.db, c2, fx_us("2025-04-02"), "moved"), 0);
    TC_REQUIRE(tc_rec_panel_list(w.db, w.team1, "2025-04-01", 0, 50, &page) ==
               0);
    TC_CHECK_EQ(page->count, 3);
    TC_CHECK_EQ(page->rows[0].contract_id, c3);
    tc_rec_panel_page_free(page);
    tc_rec_close(w.db);
}

static void
test_panel_puts_residents_with_nothing_due_last(void)
{
    struct fx_world w;
    struct tc_rec_panel_page *page = NULL;
    struct tc_rec_followup_list *list = NULL;
    struct tc_rec_followup_outcome done = {0};
    int64_t all_done, other;

    fx_world_init(&w);
    all_done = fx_active(&w, 0, BASIC, "2025-01-01");
    other = fx_active(&w, 1, BASIC, "2025-06-01");
    TC_REQUIRE(tc_rec_followup_list_for_contract(w.db, all_done, &list) == 0);
    done = (struct tc_rec_followup_outcome){
        .status = TC_REC_FOLLOWUP_DONE,
        .by = w.doctor,
        .at_us = fx_us("2025-03-01"),
    };
    for (size_t i = 0; i < list->count; i++) {
        TC_CHECK_EQ(tc_rec_followup_record(w.db, list->items[i].id, &done), 0);
    }
    tc_rec_followup_list_free(list);
    TC_REQUIRE(tc_rec_panel_list(w.db, w.team1, "2025-03-01", 0, 50, &page) ==
               0);
    TC_REQUIRE(page->count == 2);
    TC_CHECK_EQ(page->rows[0].contract_id, other);
    TC_CHECK_EQ(page->rows[1].contract_id, all_done);
    TC_CHECK(page->rows[1].next_due_date == NULL);
    TC_CHECK(page->rows[1].next_kind == NULL);
    TC_CHECK(!page->rows[1].overdue);
    tc_rec_panel_page_free(page);
    tc_rec_close(w.db);
}

static void
test_panel_pages_and_keeps_teams_apart(void)
{
    static const char *const starts[] = {
        "2025-01-10", "2025-01-03", "2025-01-07", "2025-01-01", "2025-01-09",
        "2025-01-05", "2025-01-02", "2025-01-08", "2025-01-04", "2025-01-06"};
    struct fx_world w;
    struct tc_rec_panel_page *page = NULL;
    char prev[11] = "0000-00-00";
    size_t seen = 0;
    int64_t other_team;

    fx_world_init(&w);
    for (int i = 0; i < 10; i++) {
        fx_active(&w, i, BASIC, starts[i]);
    }
    other_team = fx_offer(&w, 10, w.team2, BASIC, "2025-01-01");
    TC_CHECK_EQ(fx_sign(&w, other_team, w.nurse2, "2025-01-01"), 0);
    for (int offset = 0; offset < 12; offset += 3) {
        TC_REQUIRE(tc_rec_panel_list(w.db, w.team1, "2025-01-01", offset, 3,
                                     &page) == 0);
        TC_CHECK_EQ(page->count, offset < 9 ? 3 : 1);
        for (size_t i = 0; i < page->count; i++) {
            TC_CHECK(strcmp(page->rows[i].next_due_date, prev) > 0);
            memcpy(prev, page->rows[i].next_due_date, 11);
            TC_CHECK(page->rows[i].contract_id != other_team);
        }
        seen += page->count;
        tc_rec_panel_page_free(page);
    }
    TC_CHECK_EQ(seen, 10);
    TC_CHECK_STR_EQ(prev, "2025-04-09");
    TC_CHECK_EQ(tc_rec_panel_list(w.db, w.team1, "2025-01-01", 0, 51, &page),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(w.db), "limit");
    TC_CHECK_EQ(tc_rec_panel_list(w.db, w.team1, "2025-01-01", -1, 5, &page),
                -EINVAL);
    TC_CHECK_EQ(tc_rec_panel_list(w.db, w.team1, "yesterday", 0, 5, &page),
                -EINVAL);
    TC_CHECK_EQ(tc_rec_panel_list(w.db, 999, "2025-01-01", 0, 5, &page),
                -ENOENT);
    tc_rec_close(w.db);
}

/* The panel must be one range of the contracts_panel index, read from
 * the index alone (the rows an OFFSET skips touch nothing else): no scan
 * of the team's contracts and no sort but the page's own rows (the
 * benchmark's p99 depends on it). */
static void
test_panel_query_plan_reads_one_index_range(void)
{
    struct fx_world w;
    sqlite3 *raw;
    sqlite3_stmt *st;
    char sql[2048];
    char *plan = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&plan, &len);

    fx_world_init(&w);
    TC_REQUIRE(sqlite3_open(fx_path, &raw) == SQLITE_OK);
    snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", tc_rec__sql_panel);
    TC_REQUIRE(sqlite3_prepare_v2(raw, sql, -1, &st, NULL) == SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        printf("# plan: %s\n", sqlite3_column_text(st, 3));
        fprintf(f, "%s\n", sqlite3_column_text(st, 3));
    }
    fclose(f);
    sqlite3_finalize(st);
    sqlite3_close(raw);
    TC_CHECK_STR_CONTAINS(plan, "SEARCH contracts USING COVERING INDEX "
                                "contracts_panel");
    TC_CHECK_STR_CONTAINS(plan, "SEARCH r USING INTEGER PRIMARY KEY");
    TC_CHECK_STR_CONTAINS(plan, "USING COVERING INDEX followups_contract_due");
    /* The only scan is of the page (the subquery c, at most `limit`
     * rows), the only sort that of the page's rows. */
    TC_CHECK(strstr(plan, "SCAN") == strstr(plan, "SCAN c\n"));
    TC_CHECK(!strstr(strstr(plan, "SCAN") + 1, "SCAN"));
    TC_CHECK(strstr(plan, "TEMP B-TREE") ==
             strstr(plan, "USE TEMP B-TREE FOR ORDER BY") + 4);
    TC_CHECK(!strstr(strstr(plan, "TEMP B-TREE") + 1, "TEMP B-TREE"));
    free(plan);
    tc_rec_close(w.db);
}

int
main(void)
{
    if (fx_init() < 0) {
        return 1;
    }
    TC_RUN(test_panel_orders_by_next_due_followup);
    TC_RUN(test_panel_puts_residents_with_nothing_due_last);
    TC_RUN(test_panel_pages_and_keeps_teams_apart);
    TC_RUN(test_panel_query_plan_reads_one_index_range);
    return fx_done();
}
