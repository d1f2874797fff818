// SPDX-License-Identifier: Apache-2.0
/*
 * api-rehab-live.c - the parts of home rehabilitation that follow a plan
 * over time, under /api/v1:
 *
 *   schedule   a plan's weekly slots (days and local times) and the
 *              sessions generated from them
 *   attendance who was in a live session's call and for how long (from
 *              signaling's join/leave events; media time when media
 *              reports it), and the sets the therapist marks done (pushed
 *              to the session's room as `rehab-set-done`)
 *   outcomes   Barthel totals over time, pain reports, adherence per week
 *              (done / prescribed): data for charts
 *   alerts     the caller's open alerts, a plan's alerts, acknowledging
 *
 * Access: reads follow the resident's record (policy, audited); writes
 * to a plan's schedule and marking sets are for its therapists; alerts
 * are read and acknowledged by their recipients (the plan's therapists
 * and the contract team's members).
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "rehab-int.h"
#include "tc-records.h"

#define PLAN      "rehab_plan"
#define SESSION   "rehab_session"
#define ALERT     "rehab_alert"
#define MAX_WEEKS 260

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

/* Load the plan (path parameter 0), check the policy for `action`, and
 * for writes that the caller is one of its therapists. */
static bool
plan_for(struct tc_srv *srv, struct tc_srv__call *call,
         enum tc_srv__action action, struct tc_rec_rehab_plan **p)
{
    if (!tc_srv__rehab_plan_load(srv, call, p) ||
        !tc_srv__policy_check_record(srv, call, action, (*p)->resident_id,
                                     PLAN, (*p)->id)) {
        return false;
    }
    if (action == TC_SRV__ACT_WRITE && !on_plan(call, *p)) {
        tc_srv__deny(srv, call, TC_REC_AUDIT_UPDATE, PLAN, (*p)->id,
                     (*p)->resident_id,
                     "only a therapist on the plan does this");
        return false;
    }
    return true;
}

/* ---- schedule ---- */

static const char *const mode_codes = "live_guided, self_guided, home_visit";

static json_t *
slots_json(const struct tc_rec_rehab_slot *slots, size_t n)
{
    json_t *items = json_array();

    for (size_t i = 0; i < n; i++) {
        char time[6], off[8];
        int o = abs(slots[i].utc_offset_min);
        g_snprintf(time, sizeof(time), "%02d:%02d",
                   slots[i].minute_of_day / 60, slots[i].minute_of_day % 60);
        g_snprintf(off, sizeof(off), "%c%02d:%02d",
                   slots[i].utc_offset_min < 0 ? '-' : '+', o / 60, o % 60);
        json_array_append_new(
            items,
            json_pack("{s:i,s:s,s:s,s:s,s:o}", "weekday", slots[i].weekday,
                      "time", time, "utc_offset", off, "mode",
                      tc_rec_rehab_session_mode_to_string(slots[i].mode),
                      "therapist_id", tc_srv__id_json(slots[i].therapist_id)));
    }
    return json_pack("{s:o}", "slots", items);
}

static void
answer_slots(struct tc_srv *srv, struct tc_srv__call *call, int64_t plan_id)
{
    struct tc_rec_rehab_slot *slots = NULL;
    size_t n = 0;
    int rc = tc_rec_rehab_plan_slots_get(srv->db, plan_id, &slots, &n);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_ok(call, 200, slots_json(slots, n));
    free(slots);
}

/* "HH:MM" into minutes after midnight; -1 when malformed. */
static int
parse_hhmm(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':' || !g_ascii_isdigit(s[0]) ||
        !g_ascii_isdigit(s[1]) || !g_ascii_isdigit(s[3]) ||
        !g_ascii_isdigit(s[4])) {
        return -1;
    }
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

/* "+08:00" / "-05:30" into minutes; INT32_MIN when malformed. */
static int
parse_offset(const char *s)
{
    int m;

    if (!s || strlen(s) != 6 || (s[0] != '+' && s[0] != '-')) {
        return INT32_MIN;
    }
    m = parse_hhmm(s + 1);
    if (m < 0) {
        return INT32_MIN;
    }
    return s[0] == '-' ? -m : m;
}

static bool
slot_parse(struct tc_srv__call *call, json_t *el, int offset_min,
           struct tc_rec_rehab_slot *out)
{
    static const char *const known[] = {"weekday", "time", "mode",
                                        "therapist_id", NULL};
    const char *time = NULL, *mode = NULL;

    if (!json_is_object(el)) {
        tc_srv__resp_error_field(&call->resp, 400, "slots",
                                 "slots: each must be an object");
        return false;
    }
    if (!tc_srv__json_only(call, el, known) ||
        !tc_srv__json_int32(call, el, "weekday", true, &out->weekday) ||
        !tc_srv__json_string(call, el, "time", true, 5, &time) ||
        !tc_srv__json_string(call, el, "mode", true, 16, &mode) ||
        !tc_srv__json_int(call, el, "therapist_id", false, 1, INT64_MAX,
                          &out->therapist_id)) {
        return false;
    }
    out->minute_of_day = parse_hhmm(time);
    if (out->minute_of_day < 0) {
        tc_srv__resp_error_field(&call->resp, 422, "time",
                                 "time: must be HH:MM (00:00..23:59)");
        return false;
    }
    if (tc_rec_rehab_session_mode_from_string(mode, &out->mode) < 0) {
        return tc_srv__bad_code(call, "mode", mode_codes);
    }
    out->utc_offset_min = offset_min;
    return true;
}

static void
schedule_put(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"slots", "utc_offset", NULL};
    struct tc_rec_rehab_plan *p = NULL;
    struct tc_rec_rehab_slot *slots = NULL;
    const char *offset_text = NULL; /* default: China, +08:00 */
    json_t *body = NULL, *arr, *el;
    int offset;
    size_t i, n = 0;

    if (!plan_for(srv, call, TC_SRV__ACT_WRITE, &p) ||
        !tc_srv__call_body(call, known, &body) ||
        !tc_srv__json_string(call, body, "utc_offset", false, 6,
                             &offset_text)) {
        goto out;
    }
    offset = parse_offset(offset_text ? offset_text : "+08:00");
    arr = json_object_get(body, "slots");
    if (offset == INT32_MIN) {
        tc_srv__resp_error_field(&call->resp, 422, "utc_offset",
                                 "utc_offset: must be +HH:MM or -HH:MM");
        goto out;
    }
    if (!json_is_array(arr) || json_array_size(arr) > 64) {
        tc_srv__resp_error_field(&call->resp, 400, "slots",
                                 "slots: required, an array of at most 64");
        goto out;
    }
    slots = g_new0(struct tc_rec_rehab_slot, json_array_size(arr) + 1);
    json_array_foreach(arr, i, el)
    {
        char prefix[24];
        g_snprintf(prefix, sizeof(prefix), "slots[%zu].", i);
        if (!slot_parse(call, el, offset, &slots[n++])) {
            tc_srv__resp_error_prefix(call, prefix);
            goto out;
        }
    }
    if (tc_srv__audit_outcome(
            srv, call, tc_rec_rehab_plan_slots_set(srv->db, p->id, slots, n),
            TC_REC_AUDIT_UPDATE, PLAN, p->id, p->resident_id)) {
        answer_slots(srv, call, p->id);
    }
out:
    g_free(slots);
    json_decref(body);
    tc_rec_rehab_plan_free(p);
}

static void
schedule_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_plan *p = NULL;

    if (plan_for(srv, call, TC_SRV__ACT_READ, &p)) {
        answer_slots(srv, call, p->id);
    }
    tc_rec_rehab_plan_free(p);
}

static void
schedule_generate(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"from", "to", NULL};
    struct tc_rec_rehab_plan *p = NULL;
    const char *from = NULL, *to = NULL;
    char today[11];
    json_t *body = NULL;
    int created = 0;

    tc_srv__today(today);
    if (plan_for(srv, call, TC_SRV__ACT_WRITE, &p) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_date(call, body, "from", false, &from) &&
        tc_srv__json_date(call, body, "to", false, &to) &&
        tc_srv__audit_outcome(srv, call,
                              tc_rec_rehab_plan_sessions_generate(
                                  srv->db, p->id, from ? from : today,
                                  to ? to : p->period_end, &created),
                              TC_REC_AUDIT_CREATE, SESSION, 0,
                              p->resident_id)) {
        tc_srv__resp_ok(call, 200,
                        json_pack("{s:I,s:i}", "plan_id", (json_int_t)p->id,
                                  "created", created));
    }
    json_decref(body);
    tc_rec_rehab_plan_free(p);
}

/* ---- attendance and sets ---- */

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

static json_t *
sets_json(struct tc_srv *srv, int64_t session_id)
{
    int done = 0, prescribed = 0;

    tc_rec_rehab_set_count(srv->db, session_id, &done, &prescribed);
    return json_pack("{s:i,s:i}", "done", done, "prescribed", prescribed);
}

/* Each user's time present and time their own media flowed. */
static json_t *
people_json(const struct tc_rec_rehab_presence *a)
{
    json_t *people = json_array();

    for (size_t i = 0; i < a->n_people; i++) {
        const struct tc_rec_rehab_person *p = &a->people[i];
        json_array_append_new(
            people,
            json_pack("{s:I,s:s,s:I,s:I}", "user_id", (json_int_t)p->user_id,
                      "role", tc_rec_rehab_attend_role_to_string(p->role),
                      "present_ms", (json_int_t)(p->present_us / 1000),
                      "media_ms", (json_int_t)(p->media_us / 1000)));
    }
    return people;
}

static void
attendance_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_session *s = NULL;
    struct tc_rec_rehab_presence *a = NULL;
    json_t *events;
    int rc;

    if (!session_load(srv, call, &s) ||
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_READ,
                                     s->resident_id, SESSION, s->id)) {
        goto out;
    }
    rc = tc_rec_rehab_attendance_get(srv->db, s->id, g_get_real_time(), &a);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        goto out;
    }
    events = json_array();
    for (size_t i = 0; i < a->n_entries; i++) {
        const struct tc_rec_rehab_attend_entry *e = &a->entries[i];
        json_array_append_new(
            events,
            json_pack("{s:I,s:s,s:s,s:o}", "user_id", (json_int_t)e->user_id,
                      "role", tc_rec_rehab_attend_role_to_string(e->role),
                      "event", tc_rec_rehab_attend_event_to_string(e->event),
                      "at", tc_srv__instant_json(e->at_us)));
    }
    tc_srv__resp_ok(
        call, 200,
        json_pack("{s:I,s:s,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o}",
                  "session_id", (json_int_t)s->id, "status",
                  tc_rec_rehab_session_status_to_string(s->status),
                  "therapist_s", (json_int_t)(a->therapist_us / 1000000),
                  "resident_s", (json_int_t)(a->resident_us / 1000000),
                  "together_s", (json_int_t)(a->together_us / 1000000),
                  "media_s", (json_int_t)(a->media_us / 1000000), "first_at",
                  tc_srv__instant_json(a->first_at_us), "last_at",
                  tc_srv__instant_json(a->last_at_us), "sets",
                  sets_json(srv, s->id), "events", events, "participants",
                  people_json(a)));
out:
    tc_rec_rehab_attendance_free(a);
    tc_rec_rehab_session_free(s);
}

static void
set_mark(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"exercise_id", "set", NULL};
    struct tc_rec_rehab_session *s = NULL;
    struct tc_rec_rehab_plan *p = NULL;
    json_t *body = NULL, *push, *sets;
    int64_t exercise_id = 0;
    int set_no = 0, rc;
    char room[48];

    if (!session_load(srv, call, &s) ||
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_WRITE,
                                     s->resident_id, SESSION, s->id)) {
        goto out;
    }
    rc = tc_rec_rehab_plan_get(srv->db, s->plan_id, &p);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        goto out;
    }
    if (!on_plan(call, p)) {
        tc_srv__deny(srv, call, TC_REC_AUDIT_UPDATE, SESSION, s->id,
                     s->resident_id,
                     "only a therapist on the session's plan marks sets");
        goto out;
    }
    if (!tc_srv__call_body(call, known, &body) ||
        !tc_srv__json_int(call, body, "exercise_id", true, 1, INT64_MAX,
                          &exercise_id) ||
        !tc_srv__json_int32(call, body, "set", true, &set_no) ||
        !tc_srv__audit_outcome(
            srv, call,
            tc_rec_rehab_set_mark(srv->db, s->id, exercise_id, set_no,
                                  call->req.who->practitioner_id,
                                  g_get_real_time()),
            TC_REC_AUDIT_UPDATE, SESSION, s->id, s->resident_id)) {
        goto out;
    }
    sets = sets_json(srv, s->id);
    g_snprintf(room, sizeof(room), "rehab-session:%" G_GINT64_FORMAT, s->id);
    push =
        json_pack("{s:s,s:s,s:I,s:I,s:i,s:O}", "type", "rehab-set-done",
                  "room", room, "session_id", (json_int_t)s->id, "exercise_id",
                  (json_int_t)exercise_id, "set", set_no, "sets", sets);
    tc_srv__sig_rehab_room_send(srv, s->id, push);
    json_decref(push);
    tc_srv__resp_ok(call, 201,
                    json_pack("{s:I,s:I,s:i,s:o}", "session_id",
                              (json_int_t)s->id, "exercise_id",
                              (json_int_t)exercise_id, "set", set_no, "sets",
                              sets));
out:
    json_decref(body);
    tc_rec_rehab_plan_free(p);
    tc_rec_rehab_session_free(s);
}

/* ---- outcomes ---- */

static json_t *
barthel_series(struct tc_srv *srv, int64_t resident_id)
{
    struct tc_rec_barthel_list *list = NULL;
    json_t *items = json_array();

    if (tc_rec_barthel_list(srv->db, resident_id, &list) < 0) {
        return items;
    }
    for (size_t i = 0; i < list->count; i++) {
        const struct tc_rec_barthel *b = &list->items[i];
        json_array_append_new(
            items,
            json_pack("{s:I,s:o,s:i,s:s,s:o}", "id", (json_int_t)b->id, "at",
                      tc_srv__instant_json(b->assessed_at_us), "total",
                      b->total, "band", tc_rec_barthel_band_to_string(b->band),
                      "plan_id", tc_srv__id_json(b->plan_id)));
    }
    tc_rec_barthel_list_free(list);
    return items;
}

static json_t *
pain_series(struct tc_srv *srv, int64_t plan_id)
{
    struct tc_rec_rehab_session_list *list = NULL;
    json_t *items = json_array();

    if (tc_rec_rehab_session_list(srv->db, plan_id, &list) < 0) {
        return items;
    }
    for (size_t i = 0; i < list->count; i++) {
        const struct tc_rec_rehab_session *s = &list->items[i];
        if (s->pain_before < 0 && s->pain_after < 0 && s->difficulty < 0) {
            continue;
        }
        json_array_append_new(
            items,
            json_pack(
                "{s:I,s:o,s:s,s:o,s:o,s:o}", "session_id", (json_int_t)s->id,
                "at",
                tc_srv__instant_json(s->started_at_us ? s->started_at_us
                                                      : s->scheduled_at_us),
                "mode", tc_rec_rehab_session_mode_to_string(s->mode),
                "pain_before",
                s->pain_before >= 0 ? json_integer(s->pain_before)
                                    : json_null(),
                "pain_after",
                s->pain_after >= 0 ? json_integer(s->pain_after) : json_null(),
                "difficulty",
                s->difficulty >= 0 ? json_integer(s->difficulty)
                                   : json_null()));
    }
    tc_rec_rehab_session_list_free(list);
    return items;
}

/* Adherence per week of the plan (weeks start on its first day), up to
 * today or its last day. */
static json_t *
weekly_adherence(struct tc_srv *srv, const struct tc_rec_rehab_plan *p)
{
    json_t *items = json_array();
    GDate start, end, today_d, week_end;
    char today[11], from[11], to[11];

    tc_srv__today(today);
    g_date_clear(&start, 1);
    g_date_clear(&end, 1);
    g_date_clear(&today_d, 1);
    g_date_set_parse(&start, p->period_start);
    g_date_set_parse(&end, p->period_end);
    g_date_set_parse(&today_d, today);
    if (!g_date_valid(&start) || !g_date_valid(&end) ||
        !g_date_valid(&today_d)) {
        return items;
    }
    if (g_date_compare(&today_d, &end) < 0) {
        end = today_d;
    }
    for (int w = 0; w < MAX_WEEKS && g_date_compare(&start, &end) <= 0; w++) {
        struct tc_rec_rehab_adherence a = {0};
        week_end = start;
        g_date_add_days(&week_end, 6);
        g_date_strftime(from, sizeof(from), "%Y-%m-%d", &start);
        g_date_strftime(to, sizeof(to), "%Y-%m-%d", &week_end);
        if (tc_rec_rehab_plan_adherence(srv->db, p->id, from, to, &a) == 0) {
            json_array_append_new(
                items,
                json_pack("{s:s,s:s,s:i,s:i,s:i,s:o}", "week_start", from,
                          "week_end", to, "prescribed", a.prescribed, "done",
                          a.completed, "missed", a.missed, "rate",
                          a.prescribed > 0
                              ? json_real((double)a.completed / a.prescribed)
                              : json_null()));
        }
        g_date_add_days(&start, 7);
    }
    return items;
}

static void
outcomes_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_plan *p = NULL;

    if (plan_for(srv, call, TC_SRV__ACT_READ, &p)) {
        tc_srv__resp_ok(call, 200,
                        json_pack("{s:I,s:I,s:o,s:o,s:o}", "plan_id",
                                  (json_int_t)p->id, "resident_id",
                                  (json_int_t)p->resident_id, "barthel",
                                  barthel_series(srv, p->resident_id), "pain",
                                  pain_series(srv, p->id), "adherence",
                                  weekly_adherence(srv, p)));
    }
    tc_rec_rehab_plan_free(p);
}

/* ---- alerts ---- */

static json_t *
alerts_json(const struct tc_rec_rehab_alert_list *list)
{
    json_t *items = json_array();

    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(items,
                              tc_srv__rehab_alert_json(&list->items[i]));
    }
    return json_pack("{s:o}", "items", items);
}

static void
alerts_mine(struct tc_srv *srv, struct tc_srv__call *call)
{
    const struct tc_srv__who *who = call->req.who;
    struct tc_rec_rehab_alert_list *list = NULL;
    char open[8] = "false";
    int rc;

    if (who->practitioner_id <= 0) {
        tc_srv__deny(srv, call, TC_REC_AUDIT_READ, ALERT, 0, 0,
                     "alerts go to practitioners");
        return;
    }
    tc_srv__query_get(&call->req, "open", open, sizeof(open));
    if (strcmp(open, "true") != 0 && strcmp(open, "false") != 0) {
        tc_srv__resp_error_field(&call->resp, 400, "open",
                                 "open: must be true or false");
        return;
    }
    rc = tc_rec_rehab_alert_list_for(srv->db, who->practitioner_id,
                                     strcmp(open, "true") == 0, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        tc_srv__audit(srv, call, TC_REC_AUDIT_READ, ALERT, list->items[i].id,
                      list->items[i].resident_id, TC_REC_AUDIT_SUCCESS,
                      "alert list", NULL);
    }
    tc_srv__resp_ok(call, 200, alerts_json(list));
    tc_rec_rehab_alert_list_free(list);
}

static void
alerts_of_plan(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_plan *p = NULL;
    struct tc_rec_rehab_alert_list *list = NULL;
    int rc;

    if (plan_for(srv, call, TC_SRV__ACT_READ, &p)) {
        rc = tc_rec_rehab_alert_list_plan(srv->db, p->id, &list);
        if (rc < 0) {
            tc_srv__resp_records_error(srv, call, rc);
        } else {
            tc_srv__resp_ok(call, 200, alerts_json(list));
        }
    }
    tc_rec_rehab_alert_list_free(list);
    tc_rec_rehab_plan_free(p);
}

static void
alert_ack(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const none[] = {NULL};
    const struct tc_srv__who *who = call->req.who;
    struct tc_rec_rehab_alert a;
    json_t *body = NULL;
    bool recipient = false;
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "alert id", &id) ||
        !tc_srv__call_body(call, none, &body)) {
        goto out;
    }
    rc = tc_rec_rehab_alert_get(srv->db, id, &a);
    if (rc == 0 && who->practitioner_id > 0) {
        rc = tc_rec_rehab_alert_is_recipient(srv->db, a.plan_id,
                                             who->practitioner_id, &recipient);
    }
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        goto out;
    }
    if (!recipient) {
        tc_srv__deny(srv, call, TC_REC_AUDIT_UPDATE, ALERT, id, a.resident_id,
                     "only the plan's therapists and team acknowledge");
        goto out;
    }
    if (tc_srv__audit_outcome(
            srv, call,
            tc_rec_rehab_alert_acknowledge(srv->db, id, who->practitioner_id,
                                           g_get_real_time()),
            TC_REC_AUDIT_UPDATE, ALERT, id, a.resident_id) &&
        tc_rec_rehab_alert_get(srv->db, id, &a) == 0) {
        tc_srv__resp_ok(call, 200, tc_srv__rehab_alert_json(&a));
    }
out:
    json_decref(body);
}

const struct tc_srv__route tc_srv__routes_rehab_live[] = {
    {"PUT", "/api/v1/rehab-plans/{id}/schedule", schedule_put, 0},
    {"GET", "/api/v1/rehab-plans/{id}/schedule", schedule_get, 0},
    {"POST", "/api/v1/rehab-plans/{id}/schedule/generate", schedule_generate,
     0},
    {"GET", "/api/v1/rehab-plans/{id}/outcomes", outcomes_get, 0},
    {"GET", "/api/v1/rehab-plans/{id}/alerts", alerts_of_plan, 0},
    {"GET", "/api/v1/rehab-sessions/{id}/attendance", attendance_get, 0},
    {"POST", "/api/v1/rehab-sessions/{id}/sets", set_mark, 0},
    {"GET", "/api/v1/rehab-alerts", alerts_mine, 0},
    {"POST", "/api/v1/rehab-alerts/{id}/acknowledge", alert_ack, 0},
    {NULL, NULL, NULL, 0},
};
