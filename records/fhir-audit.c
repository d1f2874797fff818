// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-audit.c - AuditEvent <- audit event (read only: the trail is
 * written by the server as it acts, never by a FHIR client).
 *
 *   AuditEvent                                audit event
 *   id                                        id
 *   type = audit-event-type#rest              (every event is an API act)
 *   action  C | R | U | D | E                 action create | read |
 *                                             update | delete | execute
 *   recorded                                  at_us
 *   outcome 0 | 4 | 8                         outcome success | denied
 *                                             (minor failure) | failure
 *                                             (serious failure)
 *   outcomeDesc                               detail
 *   purposeOfEvent[0].text                    purpose
 *   agent[0].who.identifier.value             actor (a user name)
 *   agent[0].role[0].text                     actor_role
 *   agent[0].requestor = true
 *   agent[0].network.address, type 2 (IP)     client_addr
 *   source.observer.display = "telecare"
 *   entity[0].what.identifier
 *       (<base>/sid/record) "<type>/<id>"     entity_type, entity_id
 *   entity[1].what = Patient/<id>, role object-role#1 (Patient)
 *                                             resident_id
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fhir-int.h"

#define CS_AUDIT_TYPE  "http://terminology.hl7.org/CodeSystem/audit-event-type"
#define CS_OBJECT_ROLE "http://terminology.hl7.org/CodeSystem/object-role"
#define SID_RECORD     TC_FHIR_SID("record")

/* Columns of the audit row. */
enum {
    C_ID,
    C_AT,
    C_ACTOR,
    C_ROLE,
    C_ACTION,
    C_TYPE,
    C_EID,
    C_RID,
    C_ADDR,
    C_PURPOSE,
    C_OUTCOME,
    C_DETAIL
};

static const char *
col(sqlite3_stmt *st, int c)
{
    return (const char *)sqlite3_column_text(st, c);
}

static const char *
action_code(const char *action)
{
    static const char *const from[] = {"create", "read", "update", "delete",
                                       "execute"};
    static const char *const to[] = {"C", "R", "U", "D", "E"};
    int i = tc_rec__code_find(from, TC_FHIR_N(from), action);

    return i < 0 ? "E" : to[i];
}

static const char *
outcome_code(const char *outcome)
{
    if (strcmp(outcome, "success") == 0) {
        return "0";
    }
    return strcmp(outcome, "denied") == 0 ? "4" : "8";
}

static json_t *
agent_json(sqlite3_stmt *st)
{
    json_t *agent = json_pack("{s:{s:{s:s}},s:b}", "who", "identifier",
                              "value", col(st, C_ACTOR), "requestor", 1);
    bool ok = agent != NULL;

    if (agent && col(st, C_ROLE)) {
        ok &= tc_rec__fhir_put(agent, "role",
                               json_pack("[{s:s}]", "text", col(st, C_ROLE)));
    }
    if (agent && col(st, C_ADDR)) {
        ok &= tc_rec__fhir_put(
            agent, "network",
            json_pack("{s:s,s:s}", "address", col(st, C_ADDR), "type", "2"));
    }
    return ok ? agent : (json_decref(agent), NULL);
}

static json_t *
entity_json(sqlite3_stmt *st)
{
    char what[128];

    if (sqlite3_column_type(st, C_EID) == SQLITE_NULL) {
        snprintf(what, sizeof(what), "%s", col(st, C_TYPE));
    } else {
        snprintf(what, sizeof(what), "%s/%" PRId64, col(st, C_TYPE),
                 (int64_t)sqlite3_column_int64(st, C_EID));
    }
    return json_pack("{s:{s:{s:s,s:s}}}", "what", "identifier", "system",
                     SID_RECORD, "value", what);
}

static json_t *
audit_json(sqlite3_stmt *st)
{
    json_t *res = tc_rec__fhir_resource_new("AuditEvent", "",
                                            sqlite3_column_int64(st, C_ID));
    bool ok = res != NULL;

    ok &= tc_rec__fhir_put(
        res, "type",
        json_pack("{s:s,s:s}", "system", CS_AUDIT_TYPE, "code", "rest"));
    ok &= tc_rec__fhir_put_str(res, "action", action_code(col(st, C_ACTION)));
    ok &= tc_rec__fhir_put_instant(res, "recorded",
                                   sqlite3_column_int64(st, C_AT));
    ok &=
        tc_rec__fhir_put_str(res, "outcome", outcome_code(col(st, C_OUTCOME)));
    ok &= tc_rec__fhir_put_str(res, "outcomeDesc", col(st, C_DETAIL));
    if (col(st, C_PURPOSE)) {
        ok &=
            tc_rec__fhir_push(res, "purposeOfEvent",
                              json_pack("{s:s}", "text", col(st, C_PURPOSE)));
    }
    ok &= tc_rec__fhir_push(res, "agent", agent_json(st));
    ok &= tc_rec__fhir_put(
        res, "source",
        json_pack("{s:{s:s}}", "observer", "display", "telecare"));
    ok &= tc_rec__fhir_push(res, "entity", entity_json(st));
    if (sqlite3_column_type(st, C_RID) != SQLITE_NULL) {
        ok &= tc_rec__fhir_push(
            res, "entity",
            json_pack("{s:o,s:{s:s,s:s,s:s}}", "what",
                      tc_rec__fhir_ref_new("Patient", "",
                                           sqlite3_column_int64(st, C_RID)),
                      "role", "system", CS_OBJECT_ROLE, "code", "1", "display",
                      "Patient"));
    }
    return ok ? res : (json_decref(res), NULL);
}

static int
audit_read(struct tc_rec_db *db, const char *id, json_t **out)
{
    sqlite3_stmt *st;
    json_t *res;
    int64_t aid;
    int rc = tc_rec__fhir_id(db, "AuditEvent", id, "", &aid);

    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "SELECT id, at_us, actor, actor_role, action,"
                          " entity_type, entity_id, resident_id,"
                          " client_addr, purpose, outcome, detail"
                          " FROM audit_events WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, aid);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? tc_rec__fhir_fail(db, -ENOENT, "", "no AuditEvent %s", id)
                   : tc_rec__fail_sql(db, rc, "audit");
    }
    res = audit_json(st);
    sqlite3_reset(st);
    return tc_rec__fhir_done(db, res, true, out);
}

const struct tc_rec__fhir_type tc_rec__fhir_audit_event = {
    .name = "AuditEvent",
    .read = audit_read,
};
