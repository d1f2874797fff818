// SPDX-License-Identifier: Apache-2.0
/*
 * test-audit.c - the audit trail: append, list a resident's events newest
 * first page by page, refuse incomplete or oversized events, and prove
 * that not even raw SQL can change or delete an event.
 */
#include <errno.h>

#include "core-fixture.h"

static struct tc_rec_audit_event
read_event(int64_t resident_id, int64_t at_us)
{
    return (struct tc_rec_audit_event){
        .at_us = at_us,
        .actor = "practitioner:7",
        .actor_role = "family_doctor",
        .action = TC_REC_AUDIT_READ,
        .entity_type = "Patient",
        .entity_id = resident_id,
        .resident_id = resident_id,
        .client_addr = "192.0.2.10",
        .purpose = "treatment",
        .outcome = TC_REC_AUDIT_SUCCESS,
    };
}

static void
test_append_and_list_newest_first_by_page(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_audit_event ev;
    struct tc_rec_audit_event_list *list = NULL;
    int64_t ids[5] = {0}, other = 0;

    for (int i = 0; i < 5; i++) {
        ev = read_event(11, fx_us("2025-03-01") + i);
        TC_CHECK_EQ(tc_rec_audit_append(db, &ev, &ids[i]), 0);
    }
    ev = read_event(12, fx_us("2025-03-01"));
    ev.action = TC_REC_AUDIT_UPDATE;
    ev.outcome = TC_REC_AUDIT_DENIED;
    ev.detail = "not on the resident's team";
    TC_CHECK_EQ(tc_rec_audit_append(db, &ev, &other), 0);
    /* An event about no resident (a login) is kept but in no list. */
    ev = read_event(0, fx_us("2025-03-01"));
    ev.entity_type = "Session";
    ev.action = TC_REC_AUDIT_EXECUTE;
    TC_CHECK_EQ(tc_rec_audit_append(db, &ev, NULL), 0);

    TC_REQUIRE(tc_rec_audit_list_for_resident(db, 11, 0, 2, &list) == 0);
    TC_REQUIRE(list->count == 2);
    TC_CHECK_EQ(list->items[0].id, ids[4]);
    TC_CHECK_EQ(list->items[1].id, ids[3]);
    TC_CHECK_STR_EQ(list->items[0].actor, "practitioner:7");
    TC_CHECK_STR_EQ(list->items[0].actor_role, "family_doctor");
    TC_CHECK_EQ(list->items[0].action, TC_REC_AUDIT_READ);
    TC_CHECK_STR_EQ(list->items[0].entity_type, "Patient");
    TC_CHECK_EQ(list->items[0].entity_id, 11);
    TC_CHECK_STR_EQ(list->items[0].client_addr, "192.0.2.10");
    TC_CHECK_STR_EQ(list->items[0].purpose, "treatment");
    TC_CHECK_EQ(list->items[0].outcome, TC_REC_AUDIT_SUCCESS);
    TC_CHECK_EQ(list->items[0].at_us, fx_us("2025-03-01") + 4);
    TC_CHECK(list->items[0].detail == NULL);
    tc_rec_audit_event_list_free(list);
    TC_REQUIRE(tc_rec_audit_list_for_resident(db, 11, ids[3], 10, &list) == 0);
    TC_REQUIRE(list->count == 3);
    TC_CHECK_EQ(list->items[0].id, ids[2]);
    TC_CHECK_EQ(list->items[2].id, ids[0]);
    tc_rec_audit_event_list_free(list);
    TC_REQUIRE(tc_rec_audit_list_for_resident(db, 12, 0, 10, &list) == 0);
    TC_REQUIRE(list->count == 1);
    TC_CHECK_EQ(list->items[0].outcome, TC_REC_AUDIT_DENIED);
    TC_CHECK_STR_EQ(list->items[0].detail, "not on the resident's team");
    tc_rec_audit_event_list_free(list);
    TC_CHECK_EQ(tc_rec_audit_list_for_resident(db, 11, 0, 0, &list), -EINVAL);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM audit_events"), 7);
    /* stored as the codes the schema and docs/api.md name, not only
     * read back through the same table that wrote them */
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM audit_events"
                         " WHERE action = 'read' AND outcome = 'success'"),
                5);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM audit_events"
                         " WHERE action = 'update' AND outcome = 'denied'"),
                1);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM audit_events"
                         " WHERE action = 'execute' AND resident_id IS NULL"),
                1);
    tc_rec_close(db);
}

static void
test_incomplete_or_oversized_events_are_refused(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_audit_event ev = read_event(11, fx_us("2025-03-01"));
    char detail[2002];
    int64_t id = -1;

    ev.actor = NULL;
    TC_CHECK_EQ(tc_rec_audit_append(db, &ev, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "actor: required");
    ev = read_event(11, fx_us("2025-03-01"));
    ev.entity_type = NULL;
    TC_CHECK_EQ(tc_rec_audit_append(db, &ev, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "entity_type: required");
    ev = read_event(11, 0);
    TC_CHECK_EQ(tc_rec_audit_append(db, &ev, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "at_us");
    ev = read_event(11, fx_us("2025-03-01"));
    ev.action = 0;
    TC_CHECK_EQ(tc_rec_audit_append(db, &ev, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "action: unknown");
    ev = read_event(11, fx_us("2025-03-01"));
    ev.outcome = 17;
    TC_CHECK_EQ(tc_rec_audit_append(db, &ev, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "outcome: unknown");
    ev = read_event(11, fx_us("2025-03-01"));
    memset(detail, 'a', sizeof(detail) - 1);
    detail[sizeof(detail) - 1] = '\0';
    ev.detail = detail;
    TC_CHECK_EQ(tc_rec_audit_append(db, &ev, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "detail: longer than 2000");
    TC_CHECK_EQ(id, -1);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM audit_events"), 0);
    tc_rec_close(db);
}

static void
test_raw_update_and_delete_are_refused_by_the_schema(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_audit_event ev = read_event(11, fx_us("2025-03-01"));
    sqlite3 *raw;
    char *err = NULL, *before, *after;
    int64_t id = 0;

    TC_REQUIRE(tc_rec_audit_append(db, &ev, &id) == 0);
    before = fx_dump();
    TC_REQUIRE(sqlite3_open(fx_path, &raw) == SQLITE_OK);
    TC_CHECK_EQ(sqlite3_exec(raw,
                             "UPDATE audit_events SET outcome = 'denied'"
                             " WHERE id = 1",
                             NULL, NULL, &err),
                SQLITE_CONSTRAINT);
    TC_CHECK_STR_CONTAINS(err, "append-only");
    sqlite3_free(err);
    err = NULL;
    TC_CHECK_EQ(
        sqlite3_exec(raw, "DELETE FROM audit_events", NULL, NULL, &err),
        SQLITE_CONSTRAINT);
    TC_CHECK_STR_CONTAINS(err, "append-only");
    sqlite3_free(err);
    sqlite3_close(raw);
    after = fx_dump();
    TC_CHECK_STR_EQ(before, after);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM audit_events"
                         " WHERE outcome = 'success'"),
                1);
    free(before);
    free(after);
    tc_rec_close(db);
}

static void
test_codes_round_trip(void)
{
    enum tc_rec_audit_action a = 0;
    enum tc_rec_audit_outcome o = 0;

    for (int i = TC_REC_AUDIT_CREATE; i <= TC_REC_AUDIT_EXECUTE; i++) {
        TC_CHECK_EQ(tc_rec_audit_action_from_string(
                        tc_rec_audit_action_to_string(i), &a),
                    0);
        TC_CHECK_EQ(a, i);
    }
    for (int i = TC_REC_AUDIT_SUCCESS; i <= TC_REC_AUDIT_FAILURE; i++) {
        TC_CHECK_EQ(tc_rec_audit_outcome_from_string(
                        tc_rec_audit_outcome_to_string(i), &o),
                    0);
        TC_CHECK_EQ(o, i);
    }
    TC_CHECK_EQ(tc_rec_audit_action_from_string("export", &a), -EINVAL);
    TC_CHECK_EQ(tc_rec_audit_outcome_from_string("ok", &o), -EINVAL);
}

int
main(void)
{
    if (fx_init() < 0) {
        return 1;
    }
    TC_RUN(test_append_and_list_newest_first_by_page);
    TC_RUN(test_incomplete_or_oversized_events_are_refused);
    TC_RUN(test_raw_update_and_delete_are_refused_by_the_schema);
    TC_RUN(test_codes_round_trip);
    return fx_done();
}
