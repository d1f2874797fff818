// SPDX-License-Identifier: Apache-2.0
/*
 * api-contracts.c - family-doctor contracts, their follow-ups, and a
 * team's panel, under /api/v1.
 *
 *   OFFERED --sign--> ACTIVE --renew--> RENEWED (the next period is ACTIVE)
 *      |                 |
 *      +--withdraw--+    +--terminate--> TERMINATED
 *                   v    +--period ends--> EXPIRED
 *               WITHDRAWN
 *
 * records owns the state machine (contract.c): a transition it refuses is
 * -EPERM, answered 409. Who may act: the policy, with the fact "a member
 * of the contract's team" (so a team can offer a contract to a resident it
 * does not serve yet, and read back its own offers), besides the usual
 * care relationships with the resident. The acting practitioner is the
 * caller (offered_by, signed_by, recorded_by); the instant is now.
 *
 * Periods that have ended are swept to EXPIRED (tc_srv__contracts_sweep)
 * before a panel or statistics are computed, with today's real UTC date,
 * never a date from the request.
 *
 * List answers leave out free text (termination reasons, follow-up notes);
 * reading one contract or follow-up gives it.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-records.h"

#define REASON_MAX_LEN 500
#define NOTE_MAX_LEN   2000
#define PANEL_DEFAULT  20

#define PACKAGES                                                              \
    "basic, disability_rehab, elderly_care, chronic_disease, maternal_child"
#define SIGN_METHODS "in_person, online"

/* ---- JSON ---- */

static json_t *
id_or_null(int64_t id)
{
    return id > 0 ? json_integer(id) : json_null();
}

static json_t *
packages_json(unsigned packages)
{
    json_t *array = json_array();

    for (int p = 0; p < TC_REC_PACKAGE_COUNT; p++) {
        if (packages & TC_REC_PACKAGE_BIT(p)) {
            json_array_append_new(array,
                                  json_string(tc_rec_package_to_string(p)));
        }
    }
    return array;
}

/* with_text: include end_reason (free text), for a single contract. */
static json_t *
contract_json(const struct tc_rec_contract *c, bool with_text)
{
    json_t *doc = json_pack(
        "{s:I,s:I,s:I,s:s?,s:o,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:s?,s:o}", "id",
        (json_int_t)c->id, "resident_id", (json_int_t)c->resident_id,
        "team_id", (json_int_t)c->team_id, "status",
        tc_rec_contract_status_to_string(c->status), "packages",
        packages_json(c->packages), "period_start", c->period_start,
        "period_end", c->period_end, "previous_id", id_or_null(c->previous_id),
        "offered_by", id_or_null(c->offered_by), "offered_at",
        tc_srv__json_time(c->offered_at_us), "signed_by",
        id_or_null(c->signed_by), "signed_at",
        tc_srv__json_time(c->signed_at_us), "sign_method",
        c->sign_method ? tc_rec_sign_method_to_string(c->sign_method) : NULL,
        "ended_at", tc_srv__json_time(c->ended_at_us));

    if (with_text) {
        json_object_set_new(doc, "end_reason",
                            c->end_reason ? json_string(c->end_reason)
                                          : json_null());
    }
    return doc;
}

/* with_text: include the note (free text), for a single follow-up. */
static json_t *
followup_json(const struct tc_rec_followup *f, bool with_text)
{
    json_t *doc = json_pack(
        "{s:I,s:I,s:s?,s:s,s:s,s:s?,s:o,s:o}", "id", (json_int_t)f->id,
        "contract_id", (json_int_t)f->contract_id, "package",
        tc_rec_package_to_string(f->package), "kind", f->kind, "due_date",
        f->due_date, "status", tc_rec_followup_status_to_string(f->status),
        "recorded_by", id_or_null(f->recorded_by), "recorded_at",
        tc_srv__json_time(f->recorded_at_us));

    if (with_text) {
        json_object_set_new(doc, "note",
                            f->note ? json_string(f->note) : json_null());
    }
    return doc;
}

static json_t *
panel_row_json(const struct tc_rec_panel_row *r)
{
    return json_pack("{s:I,s:I,s:s,s:s?,s:s,s:s?,s:s?,s:s?,s:s?,s:b,s:i}",
                     "contract_id", (json_int_t)r->contract_id, "resident_id",
                     (json_int_t)r->resident_id, "name", r->name, "sex",
                     tc_rec_sex_to_string(r->sex), "birth_date", r->birth_date,
                     "village", r->village, "phone", r->phone, "next_due_date",
                     r->next_due_date, "next_kind", r->next_kind, "overdue",
                     r->overdue, "n_overdue", r->n_overdue);
}

/* ---- reading bodies ---- */

/* "packages": an array of package codes, as a bit set; absent leaves *out.
 */
static bool
packages_read(struct tc_srv__call *call, json_t *body, unsigned *out)
{
    json_t *v = json_object_get(body, "packages"), *item;
    unsigned set = 0;
    size_t i;

    if (!v || json_is_null(v)) {
        return true;
    }
    if (!json_is_array(v) || json_array_size(v) == 0) {
        tc_srv__resp_error_field(&call->resp, 400, "packages",
                                 "packages: must be a non-empty array of "
                                 "package codes");
        return false;
    }
    json_array_foreach(v, i, item)
    {
        enum tc_rec_package p;
        if (!json_is_string(item) ||
            tc_rec_package_from_string(json_string_value(item), &p) < 0) {
            return tc_srv__bad_code(call, "packages", PACKAGES);
        }
        set |= TC_REC_PACKAGE_BIT(p);
    }
    *out = set;
    return true;
}

static bool
method_read(struct tc_srv__call *call, json_t *body,
            enum tc_rec_sign_method *out)
{
    const char *code;

    if (!tc_srv__json_string(call, body, "method", true, 32, &code)) {
        return false;
    }
    if (tc_rec_sign_method_from_string(code, out) < 0) {
        return tc_srv__bad_code(call, "method", SIGN_METHODS);
    }
    return true;
}

/* ---- policy ---- */

/* Whether the caller is a member of team_id (false for a non-practitioner
 * or an unknown team). */
static int
on_team(struct tc_srv *srv, struct tc_srv__call *call, int64_t team_id,
        bool *out)
{
    *out = false;
    if (call->req.who->practitioner_id <= 0) {
        return 0;
    }
    return tc_rec_team_has_member(srv->db, team_id,
                                  call->req.who->practitioner_id, out);
}

/* Check the caller may `action` contract c (audited). */
static bool
contract_allowed(struct tc_srv *srv, struct tc_srv__call *call,
                 enum tc_srv__action action, const struct tc_rec_contract *c,
                 const char *entity_type, int64_t entity_id)
{
    struct tc_srv__target t = {
        .action = action,
        .kind = TC_SRV__KIND_RECORD,
        .resident_id = c->resident_id,
        .entity_type = entity_type,
        .entity_id = entity_id,
    };
    int rc = on_team(srv, call, c->team_id, &t.team_member);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    return tc_srv__policy_check(srv, call, &t);
}

/*
 * The contract named by path parameter 0, when the caller may `action`
 * it; else NULL after filling the answer (400, 404, 403).
 */
static struct tc_rec_contract *
contract_for(struct tc_srv *srv, struct tc_srv__call *call,
             enum tc_srv__action action)
{
    struct tc_rec_contract *c = NULL;
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "contract id", &id)) {
        return NULL;
    }
    rc = tc_rec_contract_get(srv->db, id, &c);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return NULL;
    }
    if (!contract_allowed(srv, call, action, c, "contract", id)) {
        tc_rec_contract_free(c);
        return NULL;
    }
    return c;
}

/* The acting practitioner; false after a 403 when the caller is none. */
static bool
acting_practitioner(struct tc_srv__call *call, int64_t *out)
{
    if (call->req.who->practitioner_id <= 0) {
        tc_srv__resp_error(&call->resp, 403,
                           "only a practitioner can do this");
        return false;
    }
    *out = call->req.who->practitioner_id;
    return true;
}

static void
contract_answer(struct tc_srv *srv, struct tc_srv__call *call, int64_t id,
                int status)
{
    struct tc_rec_contract *c = NULL;
    int rc = tc_rec_contract_get(srv->db, id, &c);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_ok(call, status, contract_json(c, true));
    tc_rec_contract_free(c);
}

/* ---- contracts ---- */

/* POST /contracts {resident_id, team_id, packages?, period_start,
 * period_end?}: an offer from the caller's team. */
static void
contract_offer(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"resident_id", "team_id",
                                        "packages",    "period_start",
                                        "period_end",  NULL};
    struct tc_rec_contract_offer offer = {
        .packages = TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_BASIC),
        .offered_at_us = g_get_real_time(),
    };
    struct tc_srv__target t = {
        .action = TC_SRV__ACT_WRITE,
        .kind = TC_SRV__KIND_RECORD,
        .entity_type = "contract",
    };
    json_t *body = NULL;
    int64_t id = 0;
    int rc;

    if (tc_srv__call_json(call, &body) < 0) {
        return;
    }
    if (!tc_srv__json_only(call, body, known) ||
        !tc_srv__json_int(call, body, "resident_id", true, 1, INT64_MAX,
                          &offer.resident_id) ||
        !tc_srv__json_int(call, body, "team_id", true, 1, INT64_MAX,
                          &offer.team_id) ||
        !packages_read(call, body, &offer.packages) ||
        !tc_srv__json_date(call, body, "period_start", true,
                           &offer.period_start) ||
        !tc_srv__json_date(call, body, "period_end", false,
                           &offer.period_end)) {
        goto out;
    }
    t.resident_id = offer.resident_id;
    rc = on_team(srv, call, offer.team_id, &t.team_member);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        goto out;
    }
    if (!tc_srv__policy_check(srv, call, &t)) {
        goto out;
    }
    offer.offered_by = call->req.who->practitioner_id;
    rc = tc_rec_contract_offer(srv->db, &offer, &id);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_CREATE, "contract",
                              id, offer.resident_id)) {
        g_info("contract %" G_GINT64_FORMAT " offered", id);
        contract_answer(srv, call, id, 201);
    }
out:
    json_decref(body);
}

static void
contract_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_contract *c = contract_for(srv, call, TC_SRV__ACT_READ);

    if (c) {
        tc_srv__resp_ok(call, 200, contract_json(c, true));
        tc_rec_contract_free(c);
    }
}

/* POST /contracts/{id}/sign {method}: the caller signs for the team. */
static void
contract_sign(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"method", NULL};
    struct tc_rec_contract_signature sig = {.signed_at_us = g_get_real_time()};
    struct tc_rec_contract *c = contract_for(srv, call, TC_SRV__ACT_WRITE);
    json_t *body = NULL;
    int rc;

    if (!c || tc_srv__call_json(call, &body) < 0) {
        goto out;
    }
    if (!tc_srv__json_only(call, body, known) ||
        !method_read(call, body, &sig.method) ||
        !acting_practitioner(call, &sig.signed_by)) {
        goto out;
    }
    rc = tc_rec_contract_sign(srv->db, c->id, &sig);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_EXECUTE, "contract",
                              c->id, c->resident_id)) {
        g_info("contract %" G_GINT64_FORMAT " signed", c->id);
        contract_answer(srv, call, c->id, 200);
    }
out:
    json_decref(body);
    tc_rec_contract_free(c);
}

/* POST /contracts/{id}/renew {method, packages?, period_end?}: 201 with
 * the new contract. */
static void
contract_renew(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"method", "packages", "period_end",
                                        NULL};
    struct tc_rec_contract_renewal renewal = {.sig.signed_at_us =
                                                  g_get_real_time()};
    struct tc_rec_contract *c = contract_for(srv, call, TC_SRV__ACT_WRITE);
    json_t *body = NULL;
    int64_t new_id = 0;
    int rc;

    if (!c || tc_srv__call_json(call, &body) < 0) {
        goto out;
    }
    if (!tc_srv__json_only(call, body, known) ||
        !method_read(call, body, &renewal.sig.method) ||
        !packages_read(call, body, &renewal.packages) ||
        !tc_srv__json_date(call, body, "period_end", false,
                           &renewal.period_end) ||
        !acting_practitioner(call, &renewal.sig.signed_by)) {
        goto out;
    }
    rc = tc_rec_contract_renew(srv->db, c->id, &renewal, &new_id);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_EXECUTE, "contract",
                              c->id, c->resident_id)) {
        g_info("contract %" G_GINT64_FORMAT " renewed as %" G_GINT64_FORMAT,
               c->id, new_id);
        contract_answer(srv, call, new_id, 201);
    }
out:
    json_decref(body);
    tc_rec_contract_free(c);
}

/* POST /contracts/{id}/terminate {reason} and /withdraw {reason?}. */
static void
contract_end(struct tc_srv *srv, struct tc_srv__call *call, bool terminate)
{
    static const char *const known[] = {"reason", NULL};
    struct tc_rec_contract *c = contract_for(srv, call, TC_SRV__ACT_WRITE);
    json_t *body = NULL;
    const char *reason;
    int64_t now = g_get_real_time();
    int rc;

    if (!c || tc_srv__call_json(call, &body) < 0) {
        goto out;
    }
    if (!tc_srv__json_only(call, body, known) ||
        !tc_srv__json_string(call, body, "reason", terminate, REASON_MAX_LEN,
                             &reason)) {
        goto out;
    }
    rc = terminate ? tc_rec_contract_terminate(srv->db, c->id, now, reason)
                   : tc_rec_contract_withdraw(srv->db, c->id, now, reason);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_EXECUTE, "contract",
                              c->id, c->resident_id)) {
        g_info("contract %" G_GINT64_FORMAT " %s", c->id,
               terminate ? "terminated" : "withdrawn");
        contract_answer(srv, call, c->id, 200);
    }
out:
    json_decref(body);
    tc_rec_contract_free(c);
}

static void
contract_terminate(struct tc_srv *srv, struct tc_srv__call *call)
{
    contract_end(srv, call, true);
}

static void
contract_withdraw(struct tc_srv *srv, struct tc_srv__call *call)
{
    contract_end(srv, call, false);
}

/* GET /residents/{id}/contracts: newest period first. */
static void
contract_list(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_contract_list *list = NULL;
    struct tc_srv__target t = {
        .action = TC_SRV__ACT_READ,
        .kind = TC_SRV__KIND_RECORD,
        .entity_type = "contract",
    };
    json_t *array;
    int rc;

    if (!tc_srv__param_id(call, 0, "resident id", &t.resident_id) ||
        !tc_srv__policy_check(srv, call, &t)) {
        return;
    }
    rc = tc_rec_contract_list_for_resident(srv->db, t.resident_id, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    array = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(array, contract_json(&list->items[i], false));
    }
    tc_rec_contract_list_free(list);
    tc_srv__resp_ok(call, 200, json_pack("{s:o}", "items", array));
}

/* ---- follow-ups ---- */

/* GET /contracts/{id}/followups: by due date, without notes. */
static void
followup_list(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_contract *c = contract_for(srv, call, TC_SRV__ACT_READ);
    struct tc_rec_followup_list *list = NULL;
    json_t *array;
    int rc;

    if (!c) {
        return;
    }
    rc = tc_rec_followup_list_for_contract(srv->db, c->id, &list);
    tc_rec_contract_free(c);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    array = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(array, followup_json(&list->items[i], false));
    }
    tc_rec_followup_list_free(list);
    tc_srv__resp_ok(call, 200, json_pack("{s:o}", "items", array));
}

/* The follow-up named by path parameter 0, when the caller may `action`
 * its contract's resident; else NULL after filling the answer. */
static struct tc_rec_followup *
followup_for(struct tc_srv *srv, struct tc_srv__call *call,
             enum tc_srv__action action, int64_t *resident_id)
{
    struct tc_rec_followup *f = NULL;
    struct tc_rec_contract *c = NULL;
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "followup id", &id)) {
        return NULL;
    }
    rc = tc_rec_followup_get(srv->db, id, &f);
    if (rc == 0) {
        rc = tc_rec_contract_get(srv->db, f->contract_id, &c);
    }
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        tc_rec_followup_free(f);
        return NULL;
    }
    if (!contract_allowed(srv, call, action, c, "followup", id)) {
        tc_rec_followup_free(f);
        f = NULL;
    } else {
        *resident_id = c->resident_id;
    }
    tc_rec_contract_free(c);
    return f;
}

static void
followup_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    int64_t resident_id;
    struct tc_rec_followup *f =
        followup_for(srv, call, TC_SRV__ACT_READ, &resident_id);

    if (f) {
        tc_srv__resp_ok(call, 200, followup_json(f, true));
        tc_rec_followup_free(f);
    }
}

/* POST /followups/{id}/record {status: done|missed, note?} */
static void
followup_record(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"status", "note", NULL};
    struct tc_rec_followup_outcome outcome = {.at_us = g_get_real_time()};
    int64_t resident_id = 0;
    struct tc_rec_followup *f =
        followup_for(srv, call, TC_SRV__ACT_WRITE, &resident_id);
    struct tc_rec_followup *done = NULL;
    const char *status;
    json_t *body = NULL;
    int rc;

    if (!f || tc_srv__call_json(call, &body) < 0) {
        goto out;
    }
    if (!tc_srv__json_only(call, body, known) ||
        !tc_srv__json_string(call, body, "status", true, 16, &status) ||
        !tc_srv__json_string(call, body, "note", false, NOTE_MAX_LEN,
                             &outcome.note)) {
        goto out;
    }
    if (tc_rec_followup_status_from_string(status, &outcome.status) < 0 ||
        (outcome.status != TC_REC_FOLLOWUP_DONE &&
         outcome.status != TC_REC_FOLLOWUP_MISSED)) {
        tc_srv__bad_code(call, "status", "done, missed");
        goto out;
    }
    if (!acting_practitioner(call, &outcome.by)) {
        goto out;
    }
    rc = tc_rec_followup_record(srv->db, f->id, &outcome);
    if (rc == 0) {
        rc = tc_rec_followup_get(srv->db, f->id, &done);
    }
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_UPDATE, "followup",
                              f->id, resident_id)) {
        tc_srv__resp_ok(call, 200, followup_json(done, true));
    }
out:
    tc_rec_followup_free(done);
    tc_rec_followup_free(f);
    json_decref(body);
}

/* ---- a team's panel ---- */

void
tc_srv__contracts_sweep(struct tc_srv *srv, struct tc_srv__call *call)
{
    char today[11], detail[64];
    int n = 0;

    tc_srv__today(today);
    if (tc_rec_contract_expire_due(srv->db, today, &n) < 0) {
        g_warning("expiring contracts: %s", tc_rec_errmsg(srv->db));
        return;
    }
    if (n > 0) {
        g_snprintf(detail, sizeof(detail),
                   "%d contract(s) past their period expired", n);
        tc_srv__audit(srv, call, TC_REC_AUDIT_EXECUTE, "contract", 0, 0,
                      TC_REC_AUDIT_SUCCESS, "expire due", detail);
    }
}

/* The panel's rows the caller may read, each audited as a read. */
static json_t *
panel_rows(struct tc_srv *srv, struct tc_srv__call *call,
           const struct tc_rec_panel_page *page)
{
    json_t *array = json_array();

    for (size_t i = 0; i < page->count; i++) {
        const struct tc_rec_panel_row *r = &page->rows[i];
        struct tc_srv__target t = {
            .action = TC_SRV__ACT_READ,
            .kind = TC_SRV__KIND_RECORD,
            .resident_id = r->resident_id,
            .entity_type = "resident",
            .entity_id = r->resident_id,
        };
        struct tc_srv__decision d;
        int rc = tc_srv__policy_peek(srv, call, &t, &d);

        if (rc < 0) {
            json_decref(array);
            tc_srv__resp_records_error(srv, call, rc);
            return NULL;
        }
        if (d.allow) {
            tc_srv__audit(srv, call, TC_REC_AUDIT_READ, "resident",
                          r->resident_id, r->resident_id, TC_REC_AUDIT_SUCCESS,
                          "panel", d.rule);
            json_array_append_new(array, panel_row_json(r));
        }
    }
    return array;
}

/* GET /teams/{id}/panel?today=&offset=&limit=: for the team's members. */
static void
panel_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_panel_page *page = NULL;
    struct tc_rec_team *team = NULL;
    char real_today[11], today[11];
    long offset, limit;
    bool member = false;
    json_t *rows;
    int64_t id;
    int rc;

    tc_srv__today(real_today);
    if (!tc_srv__param_id(call, 0, "team id", &id) ||
        !tc_srv__query_date(call, "today", real_today, today) ||
        !tc_srv__query_int(call, "offset", 0, 0, G_MAXINT, &offset) ||
        !tc_srv__query_int(call, "limit", PANEL_DEFAULT, 1,
                           TC_REC_PANEL_PAGE_MAX, &limit)) {
        return;
    }
    rc = tc_rec_team_get(srv->db, id, &team);
    tc_rec_team_free(team);
    if (rc == 0) {
        rc = on_team(srv, call, id, &member);
    }
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    if (!member) {
        tc_srv__audit(srv, call, TC_REC_AUDIT_READ, "panel", id, 0,
                      TC_REC_AUDIT_DENIED, NULL,
                      "only the team's members read its panel");
        tc_srv__resp_error(&call->resp, 403,
                           "only the team's members read its panel");
        return;
    }
    tc_srv__contracts_sweep(srv, call);
    rc = tc_rec_panel_list(srv->db, id, today, (int)offset, (int)limit, &page);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    rows = panel_rows(srv, call, page);
    tc_rec_panel_page_free(page);
    if (rows) {
        tc_srv__resp_ok(call, 200,
                        json_pack("{s:I,s:s,s:i,s:i,s:o}", "team_id",
                                  (json_int_t)id, "today", today, "offset",
                                  (int)offset, "limit", (int)limit, "items",
                                  rows));
    }
}

const struct tc_srv__route tc_srv__routes_contracts[] = {
    {"POST", "/api/v1/contracts", contract_offer, 0},
    {"GET", "/api/v1/contracts/{id}", contract_get, 0},
    {"POST", "/api/v1/contracts/{id}/sign", contract_sign, 0},
    {"POST", "/api/v1/contracts/{id}/renew", contract_renew, 0},
    {"POST", "/api/v1/contracts/{id}/terminate", contract_terminate, 0},
    {"POST", "/api/v1/contracts/{id}/withdraw", contract_withdraw, 0},
    {"GET", "/api/v1/contracts/{id}/followups", followup_list, 0},
    {"GET", "/api/v1/residents/{id}/contracts", contract_list, 0},
    {"GET", "/api/v1/followups/{id}", followup_get, 0},
    {"POST", "/api/v1/followups/{id}/record", followup_record, 0},
    {"GET", "/api/v1/teams/{id}/panel", panel_get, 0},
    {NULL, NULL, NULL, 0},
};
