// SPDX-License-Identifier: Apache-2.0
/*
 * api-rehab-session.c - rehabilitation sessions under /api/v1: scheduled
 * on a plan, started and finished (with what the resident reports: pain
 * before and after, difficulty, completion, who was there), missed or
 * called off; the review of a self-guided session and the therapist's
 * note with its versions.
 *
 *   SCHEDULED --start--> IN_PROGRESS --finish--> COMPLETED
 *      |  +--miss--> MISSED
 *      +--cancel--> CANCELLED
 *
 * The lifecycle is records' (tc-records.h); a step with no arrow (finishing
 * twice) is records' -EPERM, answered 409. Ranges (pain 0..10, difficulty
 * 1..5) are records' rules too: 422 naming the field.
 *
 * Handlers follow api-rehab.c's order: load (404), access policy on the
 * session's resident (403, audited), body (400), domain role check (403,
 * audited), records call (422/404/409), audit of the outcome, answer.
 * The resident, or a carer acting for them, starts and finishes a session
 * as a self-report (policy action self-report); practitioners write. Only
 * a therapist on the session's plan reviews it or writes its note. Lists
 * carry no free text (cancel reasons, notes).
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "rehab-int.h"
#include "server-int.h"
#include "tc-records.h"

#define TEXT_MAX   4000 /* notes */
#define REASON_MAX 1000
#define REF_MAX    500

#define SESSION "rehab_session"

static const char *const attendance_codes[] = {
    [TC_REC_REHAB_ATTENDANCE_ALONE] = "alone",
    [TC_REC_REHAB_ATTENDANCE_WITH_CARER] = "with_carer",
};

static bool
session_load(struct tc_srv *srv, struct tc_srv__call *call,
             struct tc_rec_rehab_session **out)
{
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "session id", &id)) {
        return false;
    }
    rc = tc_rec_rehab_session_get(srv->db, id, out);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    return true;
}

/* Whether the caller is a therapist on `plan`. */
static bool
on_plan(const struct tc_srv__call *call, const struct tc_rec_rehab_plan *plan)
{
    const struct tc_srv__who *who = call->req.who;

    if (!(who->roles & (1u << TC_SRV__ROLE_THERAPIST))) {
        return false;
    }
    for (size_t i = 0; i < plan->n_therapists; i++) {
        if (plan->therapist_ids[i] == who->practitioner_id) {
            return true;
        }
    }
    return false;
}

/* -1 (not reported) as null. */
static json_t *
score_json(int v)
{
    return v >= 0 ? json_integer(v) : json_null();
}

json_t *
tc_srv__rehab_session_json(const struct tc_rec_rehab_session *s, bool whole)
{
    json_t *doc = json_pack(
        "{s:I,s:I,s:I,s:s,s:o,s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,"
        "s:s?,s:o,s:o,s:o}",
        "id", (json_int_t)s->id, "plan_id", (json_int_t)s->plan_id,
        "resident_id", (json_int_t)s->resident_id, "mode",
        tc_rec_rehab_session_mode_to_string(s->mode), "therapist_id",
        tc_srv__id_json(s->therapist_id), "scheduled_at",
        tc_srv__instant_json(s->scheduled_at_us), "status",
        tc_rec_rehab_session_status_to_string(s->status), "status_at",
        tc_srv__instant_json(s->status_at_us), "started_at",
        tc_srv__instant_json(s->started_at_us), "ended_at",
        tc_srv__instant_json(s->ended_at_us), "attendance",
        tc_srv__string_json(s->attendance > 0 && s->attendance <= 2
                                ? attendance_codes[s->attendance]
                                : NULL),
        "completion_pct", score_json(s->completion_pct), "pain_before",
        score_json(s->pain_before), "pain_after", score_json(s->pain_after),
        "difficulty", score_json(s->difficulty), "review_score",
        s->review_score > 0 ? json_integer(s->review_score) : json_null(),
        "recording_ref", s->recording_ref, "reviewed_by",
        tc_srv__id_json(s->reviewed_by), "reviewed_at",
        tc_srv__instant_json(s->reviewed_at_us), "note_version",
        tc_srv__id_json(s->note_version));

    if (whole) {
        json_object_set_new(doc, "status_reason",
                            tc_srv__string_json(s->status_reason));
        json_object_set_new(doc, "note", tc_srv__string_json(s->note));
    }
    return doc;
}

static void
answer_session(struct tc_srv *srv, struct tc_srv__call *call, int status,
               int64_t id)
{
    struct tc_rec_rehab_session *s = NULL;
    int rc = tc_rec_rehab_session_get(srv->db, id, &s);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_ok(call, status, tc_srv__rehab_session_json(s, true));
    tc_rec_rehab_session_free(s);
}

/* ---- sessions ---- */

static void
session_schedule(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"mode", "scheduled_at", "therapist_id",
                                        NULL};
    struct tc_rec_rehab_session_new in = {0};
    struct tc_rec_rehab_plan *p = NULL;
    const char *mode = NULL;
    json_t *body = NULL;
    int64_t id = 0;

    if (!tc_srv__rehab_plan_load(srv, call, &p) ||
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_WRITE,
                                     p->resident_id, SESSION, 0) ||
        !tc_srv__call_body(call, known, &body) ||
        !tc_srv__json_string(call, body, "mode", true, 32, &mode) ||
        !tc_srv__json_instant(call, body, "scheduled_at", true,
                              &in.scheduled_at_us) ||
        !tc_srv__json_int(call, body, "therapist_id", false, 1, INT64_MAX,
                          &in.therapist_id)) {
        goto out;
    }
    if (tc_rec_rehab_session_mode_from_string(mode, &in.mode) < 0) {
        tc_srv__resp_error_field(&call->resp, 400, "mode",
                                 "mode: must be live_guided, self_guided or "
                                 "home_visit");
        goto out;
    }
    in.plan_id = p->id;
    if (tc_srv__audit_outcome(
            srv, call, tc_rec_rehab_session_schedule(srv->db, &in, &id),
            TC_REC_AUDIT_CREATE, SESSION, id, p->resident_id)) {
        answer_session(srv, call, 201, id);
    }
out:
    json_decref(body);
    tc_rec_rehab_plan_free(p);
}

static void
session_list(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_session_list *list = NULL;
    struct tc_rec_rehab_plan *p = NULL;
    json_t *items;
    int rc;

    if (!tc_srv__rehab_plan_load(srv, call, &p) ||
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_READ,
                                     p->resident_id, SESSION, 0)) {
        goto out;
    }
    rc = tc_rec_rehab_session_list(srv->db, p->id, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        goto out;
    }
    items = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(
            items, tc_srv__rehab_session_json(&list->items[i], false));
    }
    tc_rec_rehab_session_list_free(list);
    tc_srv__resp_ok(call, 200, json_pack("{s:o}", "items", items));
out:
    tc_rec_rehab_plan_free(p);
}

static void
session_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_session *s = NULL;

    if (session_load(srv, call, &s) &&
        tc_srv__policy_check_record(srv, call, TC_SRV__ACT_READ,
                                    s->resident_id, SESSION, s->id)) {
        tc_srv__resp_ok(call, 200, tc_srv__rehab_session_json(s, true));
    }
    tc_rec_rehab_session_free(s);
}

/* Practitioners write; the resident and their carers self-report. */
static enum tc_srv__action
report_action(const struct tc_srv__call *call)
{
    return call->req.who->practitioner_id > 0 ? TC_SRV__ACT_WRITE
                                              : TC_SRV__ACT_SELF_REPORT;
}

static void
session_start(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"pain_before", NULL};
    struct tc_rec_rehab_session *s = NULL;
    json_t *body = NULL;
    int pain = -1;

    if (session_load(srv, call, &s) &&
        tc_srv__policy_check_record(srv, call, report_action(call),
                                    s->resident_id, SESSION, s->id) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_int32(call, body, "pain_before", false, &pain) &&
        tc_srv__audit_outcome(srv, call,
                              tc_rec_rehab_session_start(
                                  srv->db, s->id, g_get_real_time(), pain),
                              TC_REC_AUDIT_UPDATE, SESSION, s->id,
                              s->resident_id)) {
        answer_session(srv, call, 200, s->id);
    }
    json_decref(body);
    tc_rec_rehab_session_free(s);
}

/* The attendance field, or the caller's default: a carer was there when
 * a carer reports; a resident reporting was alone unless they say so.
 * Practitioners must say. */
static bool
attendance_parse(struct tc_srv__call *call, json_t *body,
                 enum tc_rec_rehab_attendance *out)
{
    const struct tc_srv__who *who = call->req.who;
    const char *code = NULL;

    if (!tc_srv__json_string(call, body, "attendance",
                             who->practitioner_id > 0, 32, &code)) {
        return false;
    }
    if (!code) {
        *out = who->carer_id > 0 ? TC_REC_REHAB_ATTENDANCE_WITH_CARER
                                 : TC_REC_REHAB_ATTENDANCE_ALONE;
        return true;
    }
    for (int a = 1; a <= 2; a++) {
        if (strcmp(code, attendance_codes[a]) == 0) {
            *out = (enum tc_rec_rehab_attendance)a;
            return true;
        }
    }
    tc_srv__resp_error_field(&call->resp, 400, "attendance",
                             "attendance: must be alone or with_carer");
    return false;
}

static void
session_finish(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"attendance",    "completion_pct",
                                        "pain_after",    "difficulty",
                                        "recording_ref", NULL};
    struct tc_rec_rehab_session_result r = {.pain_after = -1,
                                            .difficulty = -1};
    struct tc_rec_rehab_session *s = NULL;
    json_t *body = NULL;

    if (session_load(srv, call, &s) &&
        tc_srv__policy_check_record(srv, call, report_action(call),
                                    s->resident_id, SESSION, s->id) &&
        tc_srv__call_body(call, known, &body) &&
        attendance_parse(call, body, &r.attendance) &&
        tc_srv__json_int32(call, body, "completion_pct", true,
                           &r.completion_pct) &&
        tc_srv__json_int32(call, body, "pain_after", false, &r.pain_after) &&
        tc_srv__json_int32(call, body, "difficulty", false, &r.difficulty) &&
        tc_srv__json_string(call, body, "recording_ref", false, REF_MAX,
                            &r.recording_ref)) {
        r.ended_at_us = g_get_real_time();
        if (tc_srv__audit_outcome(
                srv, call, tc_rec_rehab_session_finish(srv->db, s->id, &r),
                TC_REC_AUDIT_UPDATE, SESSION, s->id, s->resident_id)) {
            answer_session(srv, call, 200, s->id);
            tc_srv__rehab_alerts_after_write(srv, s->plan_id);
        }
    }
    json_decref(body);
    tc_rec_rehab_session_free(s);
}

static void
session_miss(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const none[] = {NULL};
    struct tc_rec_rehab_session *s = NULL;
    json_t *body = NULL;

    if (session_load(srv, call, &s) &&
        tc_srv__policy_check_record(srv, call, TC_SRV__ACT_WRITE,
                                    s->resident_id, SESSION, s->id) &&
        tc_srv__call_body(call, none, &body) &&
        tc_srv__audit_outcome(
            srv, call,
            tc_rec_rehab_session_miss(srv->db, s->id, g_get_real_time()),
            TC_REC_AUDIT_UPDATE, SESSION, s->id, s->resident_id)) {
        answer_session(srv, call, 200, s->id);
        tc_srv__rehab_alerts_after_write(srv, s->plan_id);
    }
    json_decref(body);
    tc_rec_rehab_session_free(s);
}

static void
session_cancel(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"reason", NULL};
    struct tc_rec_rehab_session *s = NULL;
    const char *reason = NULL;
    json_t *body = NULL;

    if (session_load(srv, call, &s) &&
        tc_srv__policy_check_record(srv, call, TC_SRV__ACT_WRITE,
                                    s->resident_id, SESSION, s->id) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_string(call, body, "reason", true, REASON_MAX, &reason) &&
        tc_srv__audit_outcome(srv, call,
                              tc_rec_rehab_session_cancel(
                                  srv->db, s->id, g_get_real_time(), reason),
                              TC_REC_AUDIT_UPDATE, SESSION, s->id,
                              s->resident_id)) {
        answer_session(srv, call, 200, s->id);
        /* a cancelled session leaves the run of misses around it */
        tc_srv__rehab_alerts_after_write(srv, s->plan_id);
    }
    json_decref(body);
    tc_rec_rehab_session_free(s);
}

/*
 * The steps a therapist of the session's plan takes: load the session and
 * its plan, check the policy (write), then that the caller is a therapist
 * on the plan (else 403, audited). On success *s and *p are set.
 */
static bool
as_plan_therapist(struct tc_srv *srv, struct tc_srv__call *call,
                  struct tc_rec_rehab_session **s,
                  struct tc_rec_rehab_plan **p)
{
    int rc;

    if (!session_load(srv, call, s) ||
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_WRITE,
                                     (*s)->resident_id, SESSION, (*s)->id)) {
        return false;
    }
    rc = tc_rec_rehab_plan_get(srv->db, (*s)->plan_id, p);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    if (!on_plan(call, *p)) {
        tc_srv__deny(srv, call, TC_REC_AUDIT_UPDATE, SESSION, (*s)->id,
                     (*s)->resident_id,
                     "only a therapist on the session's plan does this");
        return false;
    }
    return true;
}

static void
session_review(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"score", NULL};
    struct tc_rec_rehab_session *s = NULL;
    struct tc_rec_rehab_plan *p = NULL;
    json_t *body = NULL;
    int score = 0;

    if (as_plan_therapist(srv, call, &s, &p) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_int32(call, body, "score", true, &score) &&
        tc_srv__audit_outcome(
            srv, call,
            tc_rec_rehab_session_review(srv->db, s->id,
                                        call->req.who->practitioner_id, score,
                                        g_get_real_time()),
            TC_REC_AUDIT_UPDATE, SESSION, s->id, s->resident_id)) {
        answer_session(srv, call, 200, s->id);
    }
    json_decref(body);
    tc_rec_rehab_plan_free(p);
    tc_rec_rehab_session_free(s);
}

/* POST .../note {text} writes version 1; POST .../note/amend {text,
 * reason} adds a version. */
static void
note_put(struct tc_srv *srv, struct tc_srv__call *call, bool amend)
{
    static const char *const write_known[] = {"text", NULL};
    static const char *const amend_known[] = {"text", "reason", NULL};
    struct tc_rec_rehab_session *s = NULL;
    struct tc_rec_rehab_plan *p = NULL;
    const char *text = NULL, *reason = NULL;
    json_t *body = NULL;
    int64_t now = g_get_real_time(), by;
    int rc;

    if (!as_plan_therapist(srv, call, &s, &p) ||
        !tc_srv__call_body(call, amend ? amend_known : write_known, &body) ||
        !tc_srv__json_string(call, body, "text", true, TEXT_MAX, &text) ||
        !tc_srv__json_string(call, body, "reason", amend, REASON_MAX,
                             &reason)) {
        goto out;
    }
    by = call->req.who->practitioner_id;
    rc = amend
             ? tc_rec_rehab_session_note_amend(srv->db, s->id, by, now, text,
                                               reason)
             : tc_rec_rehab_session_note_write(srv->db, s->id, by, now, text);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_UPDATE, SESSION,
                              s->id, s->resident_id)) {
        answer_session(srv, call, amend ? 200 : 201, s->id);
    }
out:
    json_decref(body);
    tc_rec_rehab_plan_free(p);
    tc_rec_rehab_session_free(s);
}

static void
note_write(struct tc_srv *srv, struct tc_srv__call *call)
{
    note_put(srv, call, false);
}

static void
note_amend(struct tc_srv *srv, struct tc_srv__call *call)
{
    note_put(srv, call, true);
}

static void
note_versions(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_text_version_list *list = NULL;
    struct tc_rec_rehab_session *s = NULL;
    int rc;

    if (!session_load(srv, call, &s) ||
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_READ,
                                     s->resident_id, SESSION, s->id)) {
        goto out;
    }
    rc = tc_rec_text_versions(srv->db, TC_REC_TEXT_SESSION_NOTE, s->id, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        goto out;
    }
    tc_srv__resp_ok(call, 200, tc_srv__text_versions_doc(list));
    tc_rec_text_version_list_free(list);
out:
    tc_rec_rehab_session_free(s);
}

const struct tc_srv__route tc_srv__routes_rehab_sessions[] = {
    {"POST", "/api/v1/rehab-plans/{id}/sessions", session_schedule, 0},
    {"GET", "/api/v1/rehab-plans/{id}/sessions", session_list, 0},
    {"GET", "/api/v1/rehab-sessions/{id}", session_get, 0},
    {"POST", "/api/v1/rehab-sessions/{id}/start", session_start, 0},
    {"POST", "/api/v1/rehab-sessions/{id}/finish", session_finish, 0},
    {"POST", "/api/v1/rehab-sessions/{id}/miss", session_miss, 0},
    {"POST", "/api/v1/rehab-sessions/{id}/cancel", session_cancel, 0},
    {"POST", "/api/v1/rehab-sessions/{id}/review", session_review, 0},
    {"POST", "/api/v1/rehab-sessions/{id}/note", note_write, 0},
    {"POST", "/api/v1/rehab-sessions/{id}/note/amend", note_amend, 0},
    {"GET", "/api/v1/rehab-sessions/{id}/note/versions", note_versions, 0},
    {NULL, NULL, NULL, 0},
};
