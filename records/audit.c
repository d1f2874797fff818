// SPDX-License-Identifier: Apache-2.0
/*
 * audit.c - the audit trail: who did what to which record, when, from
 * where, why, and with what outcome.
 *
 * Invariant: append-only. This file only ever INSERTs and SELECTs, and
 * the schema's triggers refuse UPDATE and DELETE of audit_events from any
 * code path (schema-core.c). Every text has a hard ceiling: an event that
 * would exceed one is refused, never truncated.
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdlib.h>

#include "records-int.h"

#define ACTOR_MAX_LEN   200
#define ROLE_MAX_LEN    50
#define ENTITY_MAX_LEN  50
#define ADDR_MAX_LEN    64
#define PURPOSE_MAX_LEN 200
#define DETAIL_MAX_LEN  2000

static const char *const action_codes[] = {
    [TC_REC_AUDIT_CREATE] = "create",   [TC_REC_AUDIT_READ] = "read",
    [TC_REC_AUDIT_UPDATE] = "update",   [TC_REC_AUDIT_DELETE] = "delete",
    [TC_REC_AUDIT_EXECUTE] = "execute",
};
#define N_ACTIONS (int)(sizeof(action_codes) / sizeof(action_codes[0]))

static const char *const outcome_codes[] = {
    [TC_REC_AUDIT_SUCCESS] = "success",
    [TC_REC_AUDIT_DENIED] = "denied",
    [TC_REC_AUDIT_FAILURE] = "failure",
};
#define N_OUTCOMES (int)(sizeof(outcome_codes) / sizeof(outcome_codes[0]))

const char *
tc_rec_audit_action_to_string(enum tc_rec_audit_action action)
{
    return tc_rec__code_name(action_codes, N_ACTIONS, (int)action);
}

int
tc_rec_audit_action_from_string(const char *s, enum tc_rec_audit_action *out)
{
    int i;
    int rc = tc_rec__code_parse(action_codes, N_ACTIONS, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_audit_action)i;
    }
    return rc;
}

const char *
tc_rec_audit_outcome_to_string(enum tc_rec_audit_outcome o)
{
    return tc_rec__code_name(outcome_codes, N_OUTCOMES, (int)o);
}

int
tc_rec_audit_outcome_from_string(const char *s, enum tc_rec_audit_outcome *out)
{
    int i;
    int rc = tc_rec__code_parse(outcome_codes, N_OUTCOMES, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_audit_outcome)i;
    }
    return rc;
}

static int
validate(struct tc_rec_db *db, const struct tc_rec_audit_event *ev)
{
    int rc = 0;

    if (ev->at_us <= 0) {
        return tc_rec__fail(db, -EINVAL, "at_us: required");
    }
    if (!tc_rec_audit_action_to_string(ev->action)) {
        return tc_rec__fail(db, -EINVAL, "action: unknown action");
    }
    if (!tc_rec_audit_outcome_to_string(ev->outcome)) {
        return tc_rec__fail(db, -EINVAL, "outcome: unknown outcome");
    }
    rc = tc_rec__text_check(db, "actor", ev->actor, ACTOR_MAX_LEN, true);
    if (rc == 0) {
        rc = tc_rec__text_check(db, "actor_role", ev->actor_role, ROLE_MAX_LEN,
                                false);
    }
    if (rc == 0) {
        rc = tc_rec__text_check(db, "entity_type", ev->entity_type,
                                ENTITY_MAX_LEN, true);
    }
    if (rc == 0) {
        rc = tc_rec__text_check(db, "client_addr", ev->client_addr,
                                ADDR_MAX_LEN, false);
    }
    if (rc == 0) {
        rc = tc_rec__text_check(db, "purpose", ev->purpose, PURPOSE_MAX_LEN,
                                false);
    }
    if (rc == 0) {
        rc = tc_rec__text_check(db, "detail", ev->detail, DETAIL_MAX_LEN,
                                false);
    }
    return rc;
}

static int
append(struct tc_rec_db *db, const struct tc_rec_audit_event *ev,
       int64_t *id_out)
{
    sqlite3_stmt *st;
    int rc = validate(db, ev);

    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO audit_events (at_us, actor,"
                          " actor_role, action, entity_type, entity_id,"
                          " resident_id, client_addr, purpose, outcome,"
                          " detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, ev->at_us);
    tc_rec__bind_text(st, 2, ev->actor);
    tc_rec__bind_text(st, 3, ev->actor_role);
    tc_rec__bind_text(st, 4, action_codes[ev->action]);
    tc_rec__bind_text(st, 5, ev->entity_type);
    tc_rec__bind_id(st, 6, ev->entity_id);
    tc_rec__bind_id(st, 7, ev->resident_id);
    tc_rec__bind_text(st, 8, ev->client_addr);
    tc_rec__bind_text(st, 9, ev->purpose);
    tc_rec__bind_text(st, 10, outcome_codes[ev->outcome]);
    tc_rec__bind_text(st, 11, ev->detail);
    rc = tc_rec__step_done(db, st, "audit");
    if (rc == 0) {
        *id_out = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

int
tc_rec_audit_append(struct tc_rec_db *db, const struct tc_rec_audit_event *ev,
                    int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, append(db, ev, &id));
    if (rc == 0 && id_out) {
        *id_out = id;
    }
    return rc;
}

static void
event_fini(struct tc_rec_audit_event *ev)
{
    free(ev->actor);
    free(ev->actor_role);
    free(ev->entity_type);
    free(ev->client_addr);
    free(ev->purpose);
    free(ev->detail);
}

void
tc_rec_audit_event_list_free(struct tc_rec_audit_event_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        event_fini(&list->items[i]);
    }
    free(list->items);
    free(list);
}

static int
event_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_audit_event *ev = item;
    enum tc_rec_audit_action action = 0;
    enum tc_rec_audit_outcome outcome = 0;
    bool oom = false;

    tc_rec_audit_action_from_string((const char *)sqlite3_column_text(st, 4),
                                    &action);
    tc_rec_audit_outcome_from_string((const char *)sqlite3_column_text(st, 10),
                                     &outcome);
    ev->id = sqlite3_column_int64(st, 0);
    ev->at_us = sqlite3_column_int64(st, 1);
    ev->actor = tc_rec__col_text(st, 2, &oom);
    ev->actor_role = tc_rec__col_text(st, 3, &oom);
    ev->action = action;
    ev->entity_type = tc_rec__col_text(st, 5, &oom);
    ev->entity_id = sqlite3_column_int64(st, 6);
    ev->resident_id = sqlite3_column_int64(st, 7);
    ev->client_addr = tc_rec__col_text(st, 8, &oom);
    ev->purpose = tc_rec__col_text(st, 9, &oom);
    ev->outcome = outcome;
    ev->detail = tc_rec__col_text(st, 11, &oom);
    return oom ? -ENOMEM : 0;
}

int
tc_rec_audit_list_for_resident(struct tc_rec_db *db, int64_t resident_id,
                               int64_t before_id, int limit,
                               struct tc_rec_audit_event_list **out)
{
    struct tc_rec_audit_event_list *list;
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    tc_rec__ok(db);
    if (limit < 1 || limit > TC_REC_AUDIT_PAGE_MAX) {
        return tc_rec__fail(db, -EINVAL, "limit: must be 1 to %d",
                            TC_REC_AUDIT_PAGE_MAX);
    }
    st = tc_rec__stmt(db, "SELECT id, at_us, actor, actor_role, action,"
                          " entity_type, entity_id, resident_id,"
                          " client_addr, purpose, outcome, detail"
                          " FROM audit_events WHERE resident_id = ?1"
                          " AND id < ?2 ORDER BY id DESC LIMIT ?3");
    list = calloc(1, sizeof(*list));
    if (!st || !list) {
        free(list);
        return st ? tc_rec__fail(db, -ENOMEM, "out of memory") : -EIO;
    }
    sqlite3_bind_int64(st, 1, resident_id);
    sqlite3_bind_int64(st, 2, before_id > 0 ? before_id : INT64_MAX);
    sqlite3_bind_int(st, 3, limit);
    rc = tc_rec__collect(db, st, sizeof(*list->items), event_row, &items,
                         &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_audit_event_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}
