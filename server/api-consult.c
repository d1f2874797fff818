// SPDX-License-Identifier: Apache-2.0
/*
 * api-consult.c - remote consultations under /api/v1: request, accept or
 * decline (with a reason), schedule, start, complete with a signed
 * opinion, amend the opinion (every version kept), cancel; participants
 * added, and each party joining and leaving the call; the patient's
 * consent given and withdrawn; ECG and imaging studies attached; one
 * consultation read whole; the caller's incoming and outgoing ones.
 *
 * Access (policy kind consultation): the consultation's patient's care
 * relationships as for any record - participants only while it is open;
 * besides, a doctor or specialist asked to answer a request (named, or
 * holding a role at the requested organization) may read and answer it
 * while it awaits an answer, and the author of the signed opinion may
 * read the consultation and amend the opinion after it closed. Neither
 * opens the rest of the patient's record.
 *
 * The lifecycle is records' (tc-records.h):
 *
 *   REQUESTED -accept-> ACCEPTED -schedule-> SCHEDULED -start-> IN_PROGRESS
 *      |  +-decline-> DECLINED      +-------start------------^     |
 *      +-cancel (requested, accepted, scheduled)-> CANCELLED    complete
 *                                                                  v
 *                                                              COMPLETED
 *
 * A step with no arrow is 409; records also checks who may take it (the
 * requested side accepts, a participant starts and signs).
 *
 * A practitioner acts as themself; the patient or a carer acting for them
 * join, leave and withdraw recording consent as a self-report.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-records.h"

#define TEXT_MAX   4000 /* reasons for asking, opinions */
#define REASON_MAX 1000
#define LIST_MAX   TC_REC_CONSULTATION_PAGE_MAX

#define CONSULTATION "consultation"

static const char *const party_codes[] = {
    [TC_REC_PARTY_PRACTITIONER] = "practitioner",
    [TC_REC_PARTY_RESIDENT] = "resident",
    [TC_REC_PARTY_CARER] = "carer",
};

static const char *const consent_codes[] = {
    [TC_REC_CONSENT_TELECONSULTATION] = "teleconsultation",
    [TC_REC_CONSENT_RECORDING] = "recording",
};

/* The index of `code` in codes[1..n], or 0. */
static int
code_index(const char *const *codes, int n, const char *code)
{
    for (int i = 1; i <= n; i++) {
        if (code && strcmp(codes[i], code) == 0) {
            return i;
        }
    }
    return 0;
}

/* ---- access ---- */

/* Whether practitioner `me` is asked to answer `c`: it awaits an answer
 * and names them, or an organization where they hold a role. */
static int
requested_of(struct tc_srv *srv, const struct tc_rec_consultation *c,
             int64_t me, bool *out)
{
    struct tc_rec_practitioner_role_list *roles = NULL;
    int rc;

    *out = false;
    if (me <= 0 || c->status != TC_REC_CONSULTATION_REQUESTED) {
        return 0;
    }
    if (c->requested_specialist_id) {
        *out = c->requested_specialist_id == me;
        return 0;
    }
    rc = tc_rec_practitioner_role_list_for_practitioner(srv->db, me, &roles);
    if (rc < 0) {
        return rc;
    }
    for (size_t i = 0; i < roles->count; i++) {
        *out = *out || roles->items[i].organization_id == c->requested_org_id;
    }
    tc_rec_practitioner_role_list_free(roles);
    return 0;
}

static int
target_of(struct tc_srv *srv, const struct tc_srv__call *call,
          const struct tc_rec_consultation *c, enum tc_srv__action action,
          struct tc_srv__target *t)
{
    int64_t me = call->req.who->practitioner_id;

    *t = (struct tc_srv__target){
        .action = action,
        .kind = TC_SRV__KIND_CONSULTATION,
        .resident_id = c->resident_id,
        .entity_type = CONSULTATION,
        .entity_id = c->id,
        .opinion_author = me > 0 && c->opinion_author_id == me,
    };
    return requested_of(srv, c, me, &t->requested_of);
}

static bool
allowed(struct tc_srv *srv, struct tc_srv__call *call,
        const struct tc_rec_consultation *c, enum tc_srv__action action)
{
    struct tc_srv__target t;
    int rc = target_of(srv, call, c, action, &t);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    return tc_srv__policy_check(srv, call, &t);
}

/* Practitioners write; the patient and their carers self-report. */
static enum tc_srv__action
party_action(const struct tc_srv__call *call)
{
    return call->req.who->practitioner_id > 0 ? TC_SRV__ACT_WRITE
                                              : TC_SRV__ACT_SELF_REPORT;
}

/* Load the consultation in the path and check the policy for `action`. */
static bool
open_as(struct tc_srv *srv, struct tc_srv__call *call,
        enum tc_srv__action action, struct tc_rec_consultation **out)
{
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "consultation id", &id)) {
        return false;
    }
    rc = tc_rec_consultation_get(srv->db, id, out);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    return allowed(srv, call, *out, action);
}

/* ---- answers ---- */

/* Add the participants, attendance log and consents of `c` to doc. */
static void
parties_json(const struct tc_rec_consultation *c, json_t *doc)
{
    json_t *parties, *attendance, *consents;

    parties = json_array();
    for (size_t i = 0; i < c->n_participants; i++) {
        const struct tc_rec_consultation_participant *p = &c->participants[i];
        json_array_append_new(
            parties, json_pack("{s:I,s:s,s:I,s:o}", "id", (json_int_t)p->id,
                               "kind", party_codes[p->kind], "party_id",
                               (json_int_t)p->party_id, "added_at",
                               tc_srv__instant_json(p->added_at_us)));
    }
    attendance = json_array();
    for (size_t i = 0; i < c->n_attendance; i++) {
        const struct tc_rec_consultation_attendance *a = &c->attendance[i];
        json_array_append_new(
            attendance,
            json_pack("{s:I,s:o,s:o}", "participant_id",
                      (json_int_t)a->participant_id, "joined_at",
                      tc_srv__instant_json(a->joined_at_us), "left_at",
                      tc_srv__instant_json(a->left_at_us)));
    }
    consents = json_array();
    for (size_t i = 0; i < c->n_consents; i++) {
        const struct tc_rec_consultation_consent *k = &c->consents[i];
        json_array_append_new(
            consents,
            json_pack("{s:I,s:s,s:o,s:I,s:o,s:o}", "id", (json_int_t)k->id,
                      "kind", consent_codes[k->kind], "carer_id",
                      tc_srv__id_json(k->carer_id), "recorded_by",
                      (json_int_t)k->recorded_by, "given_at",
                      tc_srv__instant_json(k->given_at_us), "withdrawn_at",
                      tc_srv__instant_json(k->withdrawn_at_us)));
    }
    json_object_set_new(doc, "participants", parties);
    json_object_set_new(doc, "attendance", attendance);
    json_object_set_new(doc, "consents", consents);
}

/* The consultation's own fields; `whole` adds the free text (reasons,
 * opinion) and the parties, consents and studies, which lists leave
 * out. */
static json_t *
consultation_json(const struct tc_rec_consultation *c, bool whole)
{
    json_t *doc = json_pack(
        "{s:I,s:I,s:o,s:o,s:I,s:s,s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:i}", "id",
        (json_int_t)c->id, "requester_id", (json_int_t)c->requester_id,
        "requested_org_id", tc_srv__id_json(c->requested_org_id),
        "requested_specialist_id", tc_srv__id_json(c->requested_specialist_id),
        "resident_id", (json_int_t)c->resident_id, "priority",
        tc_rec_consultation_priority_to_string(c->priority), "requested_at",
        tc_srv__instant_json(c->requested_at_us), "status",
        tc_rec_consultation_status_to_string(c->status), "status_by",
        tc_srv__id_json(c->status_by), "status_at",
        tc_srv__instant_json(c->status_at_us), "accepted_by",
        tc_srv__id_json(c->accepted_by), "scheduled_for",
        tc_srv__instant_json(c->scheduled_for_us), "started_at",
        tc_srv__instant_json(c->started_at_us), "ended_at",
        tc_srv__instant_json(c->ended_at_us), "opinion_version",
        c->opinion_version);
    json_t *ecg, *imaging;

    if (!whole) {
        return doc;
    }
    parties_json(c, doc);
    ecg = json_array();
    for (size_t i = 0; i < c->n_ecg_studies; i++) {
        json_array_append_new(ecg, json_integer(c->ecg_study_ids[i]));
    }
    imaging = json_array();
    for (size_t i = 0; i < c->n_imaging_studies; i++) {
        json_array_append_new(imaging, json_integer(c->imaging_study_ids[i]));
    }
    json_object_set_new(doc, "reason", json_string(c->reason));
    json_object_set_new(doc, "status_reason",
                        tc_srv__string_json(c->status_reason));
    json_object_set_new(doc, "ecg_study_ids", ecg);
    json_object_set_new(doc, "imaging_study_ids", imaging);
    json_object_set_new(doc, "opinion", tc_srv__string_json(c->opinion));
    json_object_set_new(doc, "opinion_author_id",
                        tc_srv__id_json(c->opinion_author_id));
    json_object_set_new(doc, "opinion_signed_at",
                        tc_srv__instant_json(c->opinion_signed_at_us));
    return doc;
}

static void
answer(struct tc_srv *srv, struct tc_srv__call *call, int status, int64_t id)
{
    struct tc_rec_consultation *c = NULL;
    int rc = tc_rec_consultation_get(srv->db, id, &c);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_ok(call, status, consultation_json(c, true));
    tc_rec_consultation_free(c);
}

/* Audit a write's outcome and, when it succeeded, answer with the
 * consultation as it is now. */
static void
finish(struct tc_srv *srv, struct tc_srv__call *call,
       const struct tc_rec_consultation *c, int rc, int status)
{
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_UPDATE, CONSULTATION,
                              c->id, c->resident_id)) {
        answer(srv, call, status, c->id);
    }
}

/* ---- request, list, read ---- */

static void
consult_request(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {
        "resident_id", "requested_org_id", "requested_specialist_id",
        "reason",      "priority",         NULL};
    struct tc_rec_consultation_new in = {0};
    struct tc_srv__target t = {
        .action = TC_SRV__ACT_WRITE,
        .kind = TC_SRV__KIND_RECORD,
        .entity_type = CONSULTATION,
    };
    const char *priority = NULL;
    json_t *body = NULL;
    int64_t id = 0;

    if (!tc_srv__call_body(call, known, &body)) {
        return;
    }
    if (!tc_srv__json_int(call, body, "resident_id", true, 1, INT64_MAX,
                          &in.resident_id)) {
        goto out;
    }
    t.resident_id = in.resident_id;
    if (!tc_srv__policy_check(srv, call, &t) ||
        !tc_srv__who_practitioner(call, "request a consultation",
                                  &in.requester_id) ||
        !tc_srv__json_int(call, body, "requested_org_id", false, 1, INT64_MAX,
                          &in.requested_org_id) ||
        !tc_srv__json_int(call, body, "requested_specialist_id", false, 1,
                          INT64_MAX, &in.requested_specialist_id) ||
        !tc_srv__json_string(call, body, "reason", true, TEXT_MAX,
                             &in.reason) ||
        !tc_srv__json_string(call, body, "priority", true, 32, &priority)) {
        goto out;
    }
    if (tc_rec_consultation_priority_from_string(priority, &in.priority) < 0) {
        tc_srv__resp_error_field(&call->resp, 400, "priority",
                                 "priority: must be routine, urgent or "
                                 "emergency");
        goto out;
    }
    if (!in.requested_org_id && !in.requested_specialist_id) {
        tc_srv__resp_error_field(&call->resp, 400, "requested_org_id",
                                 "requested_org_id: name the organization "
                                 "asked, the specialist "
                                 "(requested_specialist_id), or both");
        goto out;
    }
    in.requested_at_us = g_get_real_time();
    if (tc_srv__audit_outcome(
            srv, call, tc_rec_consultation_request(srv->db, &in, &id),
            TC_REC_AUDIT_CREATE, CONSULTATION, id, in.resident_id)) {
        answer(srv, call, 201, id);
    }
out:
    json_decref(body);
}

/*
 * GET /consultations?box=in|out&state=open|all&before=ID&limit=N: the
 * caller's consultations, newest first. Rows the policy would refuse
 * (a closed one the caller no longer takes part in) are left out; each
 * row shown is audited as a read.
 */
static void
consult_list(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_consultation_list *list = NULL;
    enum tc_rec_consultation_box box;
    char box_text[64] = "in", state[64] = "open";
    json_t *items;
    long before, limit;
    int64_t me;
    int rc;

    if (!tc_srv__who_practitioner(call, "list consultations", &me) ||
        !tc_srv__query_int(call, "before", 0, 1, INT32_MAX, &before) ||
        !tc_srv__query_int(call, "limit", 50, 1, LIST_MAX, &limit)) {
        return;
    }
    tc_srv__query_get(&call->req, "box", box_text, sizeof(box_text));
    tc_srv__query_get(&call->req, "state", state, sizeof(state));
    if (strcmp(box_text, "in") != 0 && strcmp(box_text, "out") != 0) {
        tc_srv__resp_error_field(&call->resp, 400, "box",
                                 "box: must be in or out");
        return;
    }
    if (strcmp(state, "open") != 0 && strcmp(state, "all") != 0) {
        tc_srv__resp_error_field(&call->resp, 400, "state",
                                 "state: must be open or all");
        return;
    }
    box = box_text[0] == 'i' ? TC_REC_CONSULTATION_INCOMING
                             : TC_REC_CONSULTATION_OUTGOING;
    rc = tc_rec_consultation_list_for_practitioner(
        srv->db, me, box, state[0] == 'o', before, (int)limit, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    items = json_array();
    for (size_t i = 0; i < list->count && rc == 0; i++) {
        const struct tc_rec_consultation *c = &list->items[i];
        struct tc_srv__decision d;
        struct tc_srv__target t;
        rc = target_of(srv, call, c, TC_SRV__ACT_READ, &t);
        rc = rc < 0 ? rc : tc_srv__policy_peek(srv, call, &t, &d);
        if (rc == 0 && d.allow) {
            tc_srv__audit(srv, call, TC_REC_AUDIT_READ, CONSULTATION, c->id,
                          c->resident_id, TC_REC_AUDIT_SUCCESS, NULL, d.rule);
            json_array_append_new(items, consultation_json(c, false));
        }
    }
    tc_rec_consultation_list_free(list);
    if (rc < 0) {
        json_decref(items);
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_ok(call, 200, json_pack("{s:o}", "items", items));
}

static void
consult_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_consultation *c = NULL;

    if (open_as(srv, call, TC_SRV__ACT_READ, &c)) {
        tc_srv__resp_ok(call, 200, consultation_json(c, true));
    }
    tc_rec_consultation_free(c);
}

/* ---- the lifecycle ---- */

enum step { ACCEPT, DECLINE, SCHEDULE, START, COMPLETE, CANCEL };

/* What each step's body holds besides nothing. */
static const struct {
    const char *field; /* NULL: no body */
    bool instant;
    size_t max_len;
} step_body[] = {
    [ACCEPT] = {NULL, false, 0},
    [DECLINE] = {"reason", false, REASON_MAX},
    [SCHEDULE] = {"scheduled_for", true, 0},
    [START] = {NULL, false, 0},
    [COMPLETE] = {"opinion", false, TEXT_MAX},
    [CANCEL] = {"reason", false, REASON_MAX},
};

static int
step_run(struct tc_rec_db *db, enum step step, int64_t id, int64_t by,
         int64_t now, const char *text, int64_t when)
{
    switch (step) {
    case ACCEPT:
        return tc_rec_consultation_accept(db, id, by, now);
    case DECLINE:
        return tc_rec_consultation_decline(db, id, by, now, text);
    case SCHEDULE:
        return tc_rec_consultation_schedule(db, id, by, now, when);
    case START:
        return tc_rec_consultation_start(db, id, by, now);
    case COMPLETE:
        return tc_rec_consultation_complete(db, id, by, now, text);
    case CANCEL:
        return tc_rec_consultation_cancel(db, id, by, now, text);
    }
    return -EINVAL;
}

static void
step(struct tc_srv *srv, struct tc_srv__call *call, enum step s)
{
    const char *field = step_body[s].field;
    const char *const known[] = {field, NULL};
    struct tc_rec_consultation *c = NULL;
    const char *text = NULL;
    json_t *body = NULL;
    int64_t by, when = 0;

    if (!open_as(srv, call, TC_SRV__ACT_WRITE, &c) ||
        !tc_srv__who_practitioner(call, "change a consultation", &by) ||
        !tc_srv__call_body(call, known, &body)) {
        goto out;
    }
    if (field && (step_body[s].instant
                      ? !tc_srv__json_instant(call, body, field, true, &when)
                      : !tc_srv__json_string(call, body, field, true,
                                             step_body[s].max_len, &text))) {
        goto out;
    }
    finish(srv, call, c,
           step_run(srv->db, s, c->id, by, g_get_real_time(), text, when),
           200);
out:
    json_decref(body);
    tc_rec_consultation_free(c);
}

static void
consult_accept(struct tc_srv *srv, struct tc_srv__call *call)
{
    step(srv, call, ACCEPT);
}

static void
consult_decline(struct tc_srv *srv, struct tc_srv__call *call)
{
    step(srv, call, DECLINE);
}

static void
consult_schedule(struct tc_srv *srv, struct tc_srv__call *call)
{
    step(srv, call, SCHEDULE);
}

static void
consult_start(struct tc_srv *srv, struct tc_srv__call *call)
{
    step(srv, call, START);
}

static void
consult_complete(struct tc_srv *srv, struct tc_srv__call *call)
{
    step(srv, call, COMPLETE);
}

static void
consult_cancel(struct tc_srv *srv, struct tc_srv__call *call)
{
    step(srv, call, CANCEL);
}

static void
opinion_amend(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"text", "reason", NULL};
    struct tc_rec_consultation *c = NULL;
    const char *text = NULL, *reason = NULL;
    json_t *body = NULL;
    int64_t by;

    if (open_as(srv, call, TC_SRV__ACT_WRITE, &c) &&
        tc_srv__who_practitioner(call, "amend an opinion", &by) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_string(call, body, "text", true, TEXT_MAX, &text) &&
        tc_srv__json_string(call, body, "reason", true, REASON_MAX, &reason)) {
        finish(srv, call, c,
               tc_rec_consultation_opinion_amend(
                   srv->db, c->id, by, g_get_real_time(), text, reason),
               200);
    }
    json_decref(body);
    tc_rec_consultation_free(c);
}

static void
opinion_versions(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_text_version_list *list = NULL;
    struct tc_rec_consultation *c = NULL;
    int rc;

    if (!open_as(srv, call, TC_SRV__ACT_READ, &c)) {
        goto out;
    }
    rc = tc_rec_text_versions(srv->db, TC_REC_TEXT_CONSULTATION_OPINION, c->id,
                              &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        goto out;
    }
    tc_srv__resp_ok(call, 200, tc_srv__text_versions_doc(list));
    tc_rec_text_version_list_free(list);
out:
    tc_rec_consultation_free(c);
}

/* ---- parties ---- */

static void
participant_add(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"kind", "party_id", NULL};
    struct tc_rec_consultation *c = NULL;
    const char *kind = NULL;
    json_t *body = NULL;
    int64_t party = 0;
    int k;

    if (!open_as(srv, call, TC_SRV__ACT_WRITE, &c) ||
        !tc_srv__call_body(call, known, &body) ||
        !tc_srv__json_string(call, body, "kind", true, 32, &kind) ||
        !tc_srv__json_int(call, body, "party_id", true, 1, INT64_MAX,
                          &party)) {
        goto out;
    }
    k = code_index(party_codes, 3, kind);
    if (!k) {
        tc_srv__resp_error_field(&call->resp, 400, "kind",
                                 "kind: must be practitioner, resident or "
                                 "carer");
        goto out;
    }
    finish(srv, call, c,
           tc_rec_consultation_participant_add(srv->db, c->id,
                                               (enum tc_rec_party_kind)k,
                                               party, g_get_real_time(), NULL),
           201);
out:
    json_decref(body);
    tc_rec_consultation_free(c);
}

/* The caller as a party: a practitioner, the patient, or a carer. */
static bool
caller_party(struct tc_srv__call *call, enum tc_rec_party_kind *kind,
             int64_t *id)
{
    const struct tc_srv__who *who = call->req.who;

    if (who->practitioner_id > 0) {
        *kind = TC_REC_PARTY_PRACTITIONER;
        *id = who->practitioner_id;
    } else if (who->resident_id > 0) {
        *kind = TC_REC_PARTY_RESIDENT;
        *id = who->resident_id;
    } else if (who->carer_id > 0) {
        *kind = TC_REC_PARTY_CARER;
        *id = who->carer_id;
    } else {
        tc_srv__resp_error(&call->resp, 403,
                           "only a practitioner, the patient or a carer "
                           "takes part in a consultation");
        return false;
    }
    return true;
}

/* POST .../join and .../leave: the caller joins or leaves the call. */
static void
presence(struct tc_srv *srv, struct tc_srv__call *call, bool join)
{
    static const char *const none[] = {NULL};
    struct tc_rec_consultation *c = NULL;
    enum tc_rec_party_kind kind;
    json_t *body = NULL;
    int64_t party, now = g_get_real_time();

    if (caller_party(call, &kind, &party) &&
        open_as(srv, call, party_action(call), &c) &&
        tc_srv__call_body(call, none, &body)) {
        finish(
            srv, call, c,
            join ? tc_rec_consultation_join(srv->db, c->id, kind, party, now)
                 : tc_rec_consultation_leave(srv->db, c->id, kind, party, now),
            200);
    }
    json_decref(body);
    tc_rec_consultation_free(c);
}

static void
consult_join(struct tc_srv *srv, struct tc_srv__call *call)
{
    presence(srv, call, true);
}

static void
consult_leave(struct tc_srv *srv, struct tc_srv__call *call)
{
    presence(srv, call, false);
}

/* ---- consent ---- */

static bool
consent_kind(struct tc_srv__call *call, json_t *body,
             enum tc_rec_consent_kind *out)
{
    const char *code = NULL;
    int k;

    if (!tc_srv__json_string(call, body, "kind", true, 32, &code)) {
        return false;
    }
    k = code_index(consent_codes, 2, code);
    if (!k) {
        tc_srv__resp_error_field(&call->resp, 400, "kind",
                                 "kind: must be teleconsultation or "
                                 "recording");
        return false;
    }
    *out = (enum tc_rec_consent_kind)k;
    return true;
}

/* POST .../consents {kind, carer_id?}: recorded by the calling
 * practitioner; given by the patient, or by the carer named. */
static void
consent_give(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"kind", "carer_id", NULL};
    struct tc_rec_consultation *c = NULL;
    enum tc_rec_consent_kind kind;
    json_t *body = NULL;
    int64_t by, carer = 0;

    if (open_as(srv, call, TC_SRV__ACT_WRITE, &c) &&
        tc_srv__who_practitioner(call, "record consent", &by) &&
        tc_srv__call_body(call, known, &body) &&
        consent_kind(call, body, &kind) &&
        tc_srv__json_int(call, body, "carer_id", false, 1, INT64_MAX,
                         &carer)) {
        finish(srv, call, c,
               tc_rec_consultation_consent_give(srv->db, c->id, kind, carer,
                                                by, g_get_real_time(), NULL),
               201);
    }
    json_decref(body);
    tc_rec_consultation_free(c);
}

/* POST .../consents/withdraw {kind}: the patient, their carer or a
 * practitioner withdraws it (only recording consent can be). */
static void
consent_withdraw(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"kind", NULL};
    struct tc_rec_consultation *c = NULL;
    enum tc_rec_consent_kind kind;
    json_t *body = NULL;

    if (open_as(srv, call, party_action(call), &c) &&
        tc_srv__call_body(call, known, &body) &&
        consent_kind(call, body, &kind)) {
        finish(srv, call, c,
               tc_rec_consultation_consent_withdraw(srv->db, c->id, kind,
                                                    g_get_real_time()),
               200);
    }
    json_decref(body);
    tc_rec_consultation_free(c);
}

/* ---- studies ---- */

static void
attach(struct tc_srv *srv, struct tc_srv__call *call, bool ecg)
{
    const char *field = ecg ? "ecg_study_id" : "imaging_study_id";
    const char *const known[] = {field, NULL};
    struct tc_rec_consultation *c = NULL;
    json_t *body = NULL;
    int64_t study = 0;

    if (open_as(srv, call, TC_SRV__ACT_WRITE, &c) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_int(call, body, field, true, 1, INT64_MAX, &study)) {
        finish(srv, call, c,
               ecg ? tc_rec_consultation_attach_ecg(srv->db, c->id, study)
                   : tc_rec_consultation_attach_imaging(srv->db, c->id, study),
               201);
    }
    json_decref(body);
    tc_rec_consultation_free(c);
}

static void
attach_ecg(struct tc_srv *srv, struct tc_srv__call *call)
{
    attach(srv, call, true);
}

static void
attach_imaging(struct tc_srv *srv, struct tc_srv__call *call)
{
    attach(srv, call, false);
}

const struct tc_srv__route tc_srv__routes_consult[] = {
    {"POST", "/api/v1/consultations", consult_request, 0},
    {"GET", "/api/v1/consultations", consult_list, 0},
    {"GET", "/api/v1/consultations/{id}", consult_get, 0},
    {"POST", "/api/v1/consultations/{id}/accept", consult_accept, 0},
    {"POST", "/api/v1/consultations/{id}/decline", consult_decline, 0},
    {"POST", "/api/v1/consultations/{id}/schedule", consult_schedule, 0},
    {"POST", "/api/v1/consultations/{id}/start", consult_start, 0},
    {"POST", "/api/v1/consultations/{id}/complete", consult_complete, 0},
    {"POST", "/api/v1/consultations/{id}/cancel", consult_cancel, 0},
    {"POST", "/api/v1/consultations/{id}/opinion/amend", opinion_amend, 0},
    {"GET", "/api/v1/consultations/{id}/opinion/versions", opinion_versions,
     0},
    {"POST", "/api/v1/consultations/{id}/participants", participant_add, 0},
    {"POST", "/api/v1/consultations/{id}/join", consult_join, 0},
    {"POST", "/api/v1/consultations/{id}/leave", consult_leave, 0},
    {"POST", "/api/v1/consultations/{id}/consents", consent_give, 0},
    {"POST", "/api/v1/consultations/{id}/consents/withdraw", consent_withdraw,
     0},
    {"POST", "/api/v1/consultations/{id}/ecg-studies", attach_ecg, 0},
    {"POST", "/api/v1/consultations/{id}/imaging-studies", attach_imaging, 0},
    {NULL, NULL, NULL, 0},
};
