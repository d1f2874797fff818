// SPDX-License-Identifier: Apache-2.0
/*
 * api-emergency.c - emergency consultations: a township doctor raises one
 * for a resident and a department; the server rings, at once, every
 * specialist of that department's specialty who is on call now and
 * online (a signaling event to each of their connections); the first to
 * accept gets the consultation and its room, the others see it taken;
 * when nobody accepts within [emergency] ring_timeout_s (default 120 s),
 * the next tier is rung (tier 1: the county hospital; tier 2: the partner
 * city hospitals). Routes under /api/v1:
 *
 *   POST /emergencies                 raise {resident_id, department_id,
 *                                     reason}
 *   GET  /emergencies?state=open      those ringing the caller, or raised
 *                                     by them, still open
 *   GET  /emergencies/{id}            state, who is being rung, the log
 *   POST /emergencies/{id}/accept     a rung specialist: first wins (409
 *                                     for the others)
 *   POST /emergencies/{id}/end        the requester or the specialist
 *   GET  /stats/emergencies?from=&to= raised -> joined, per department
 *
 * The ringing, per emergency (records keep the state, emergency.c):
 *
 *   ring(tier): on call now (rota) and online (signaling)?
 *     some  -> log rung, push emergency-ring to each, arm the timer
 *     none  -> log no_one_on_call, ring(tier + 1); past the last tier:
 *              UNANSWERED (emergency-unanswered to the requester)
 *   timer  -> log timeout, emergency-timeout to those rung, ring(tier+1)
 *   accept -> disarm, emergency-accepted (requester), emergency-taken
 *             (the others rung)
 *   the specialist enters the room -> JOINED; leaves it before the end,
 *             or does not enter it within ring_timeout_s of accepting
 *             -> dropped: ring(the same tier) again
 *
 * The requester gets emergency-status after every ring with who is rung
 * and until when. Timers are GLib timeouts on the main loop, one per
 * ringing emergency (srv->emergency_timers); their deadline is in the
 * record, so a restarted server re-arms them (tc_srv__emergency_start),
 * firing at once those whose deadline passed while it was down.
 *
 * Access: raising is a write to the resident's record (the township
 * doctor of their township, their team, a consultation participant).
 * The emergency is then read and answered by its requester and by those
 * rung for it (policy kind consultation, "asked to answer"), as a
 * consultation request is.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "emergency"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-records.h"

#define EMERGENCY  "emergency"
#define REASON_MAX 2000

static const enum tc_rec_org_kind tier_kinds[TC_REC_EMERGENCY_TIERS + 1] = {
    [1] = TC_REC_ORG_COUNTY_HOSPITAL,
    [2] = TC_REC_ORG_CITY_HOSPITAL,
};

static void ring(struct tc_srv *srv, int64_t id, int tier);

/* ---- people and messages ---- */

static json_t *
person_json(struct tc_srv *srv, int64_t id)
{
    struct tc_rec_practitioner *p = NULL;
    json_t *doc;

    if (id <= 0) {
        return json_null();
    }
    if (tc_rec_practitioner_get(srv->db, id, &p) < 0) {
        return json_pack("{s:I,s:n}", "id", (json_int_t)id, "name");
    }
    doc = json_pack("{s:I,s:s}", "id", (json_int_t)id, "name", p->name);
    tc_rec_practitioner_free(p);
    return doc;
}

/* Those rung at the current tier since the last (re)ring started, i.e.
 * the `rung` entries after the last `dropped`, `timeout` or escalation. */
static json_t *
ringing_json(struct tc_srv *srv, const struct tc_rec_emergency *e)
{
    json_t *list = json_array();
    size_t from = 0;

    for (size_t i = 0; i < e->n_events; i++) {
        const char *k = e->events[i].kind;
        if (strcmp(k, "dropped") == 0 || strcmp(k, "timeout") == 0 ||
            strcmp(k, "escalated") == 0) {
            from = i + 1;
        }
    }
    for (size_t i = from; i < e->n_events; i++) {
        if (strcmp(e->events[i].kind, "rung") == 0 &&
            e->events[i].tier == e->tier) {
            json_t *p = person_json(srv, e->events[i].practitioner_id);
            json_object_set_new(p, "rung_at",
                                tc_srv__instant_json(e->events[i].at_us));
            json_array_append_new(list, p);
        }
    }
    return list;
}

static char *
room_of(const struct tc_rec_emergency *e)
{
    return e->consultation_id
               ? g_strdup_printf("consultation:%" G_GINT64_FORMAT,
                                 e->consultation_id)
               : NULL;
}

/* The emergency as the API and the requester's status events show it;
 * `whole` adds the reason and the log. */
static json_t *
emergency_json(struct tc_srv *srv, const struct tc_rec_emergency *e,
               bool whole)
{
    g_autofree char *room = room_of(e);
    int64_t now = g_get_real_time();
    json_t *doc = json_pack(
        "{s:I,s:I,s:o,s:I,s:s,s:s,s:i,s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:o,"
        "s:o}",
        "id", (json_int_t)e->id, "resident_id", (json_int_t)e->resident_id,
        "requester", person_json(srv, e->requester_id), "department_id",
        (json_int_t)e->department_id, "department", e->code, "status",
        tc_rec_emergency_status_to_string(e->status), "tier", e->tier,
        "raised_at", tc_srv__instant_json(e->raised_at_us), "ring_until",
        tc_srv__instant_json(
            e->status == TC_REC_EMERGENCY_RINGING ? e->ring_deadline_us : 0),
        "ring_remaining_s",
        (json_int_t)(e->status == TC_REC_EMERGENCY_RINGING &&
                             e->ring_deadline_us > now
                         ? (e->ring_deadline_us - now + 999999) / 1000000
                         : 0),
        "ringing",
        e->status == TC_REC_EMERGENCY_RINGING ? ringing_json(srv, e)
                                              : json_array(),
        "accepted_by", person_json(srv, e->accepted_by), "accepted_at",
        tc_srv__instant_json(e->accepted_at_us), "joined_at",
        tc_srv__instant_json(e->joined_at_us), "ended_at",
        tc_srv__instant_json(e->ended_at_us), "consultation_id",
        tc_srv__id_json(e->consultation_id), "room",
        tc_srv__string_json(room));

    json_object_set_new(doc, "referral_id", tc_srv__id_json(e->referral_id));
    if (whole) {
        json_t *log = json_array();
        for (size_t i = 0; i < e->n_events; i++) {
            const struct tc_rec_emergency_event *v = &e->events[i];
            json_array_append_new(
                log, json_pack("{s:s,s:o,s:I,s:i,s:o}", "kind", v->kind, "at",
                               tc_srv__instant_json(v->at_us), "at_us",
                               (json_int_t)v->at_us, "tier", v->tier,
                               "practitioner_id",
                               tc_srv__id_json(v->practitioner_id)));
        }
        json_object_set_new(doc, "reason", json_string(e->reason));
        json_object_set_new(doc, "log", log);
    }
    return doc;
}

/* Push {"type": type, "emergency": id, ...extra (taken)} to the
 * practitioners to[0..n): serialised once, one pass over the peers. */
static void
push_many(struct tc_srv *srv, const int64_t *to, size_t n, const char *type,
          int64_t id, json_t *extra)
{
    json_t *doc =
        json_pack("{s:s,s:I}", "type", type, "emergency", (json_int_t)id);

    if (extra) {
        json_object_update(doc, extra);
        json_decref(extra);
    }
    tc_srv__sig_notify_many(srv, to, n, doc);
    json_decref(doc);
    for (size_t i = 0; i < n; i++) {
        tc_srv__metrics_count(srv->metrics, "telecare_emergency_events_total",
                              "Emergency consultation events pushed.", "type",
                              type);
    }
}

static void
push(struct tc_srv *srv, int64_t to, const char *type, int64_t id,
     json_t *extra)
{
    push_many(srv, &to, 1, type, id, extra);
}

/* The requester's view after every change: emergency-status. */
static void
status_push(struct tc_srv *srv, const struct tc_rec_emergency *e)
{
    json_t *doc = emergency_json(srv, e, false);

    json_object_set_new(doc, "type", json_string("emergency-status"));
    json_object_set_new(doc, "emergency", json_integer(e->id));
    tc_srv__sig_notify(srv, e->requester_id, doc);
    json_decref(doc);
}

/* The ids rung at the current tier (see ringing_json), into a GArray. */
static GArray *
rung_ids(const struct tc_rec_emergency *e)
{
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
    size_t from = 0;

    for (size_t i = 0; i < e->n_events; i++) {
        const char *k = e->events[i].kind;
        if (strcmp(k, "dropped") == 0 || strcmp(k, "timeout") == 0 ||
            strcmp(k, "escalated") == 0) {
            from = i + 1;
        }
    }
    for (size_t i = from; i < e->n_events; i++) {
        if (strcmp(e->events[i].kind, "rung") == 0 &&
            e->events[i].tier == e->tier) {
            g_array_append_val(ids, e->events[i].practitioner_id);
        }
    }
    return ids;
}

/* ---- timers ---- */

struct timer_ctx {
    struct tc_srv *srv;
    int64_t id;
};

static void
disarm(struct tc_srv *srv, int64_t id)
{
    if (srv->emergency_timers) {
        g_hash_table_remove(srv->emergency_timers, &id);
    }
}

/* The accepting specialist is gone: left the room before the end
 * ("left"), or did not enter it within ring_timeout_s of accepting
 * ("not-joined"). Both sides are told, and the tier is rung again. */
static void
replace(struct tc_srv *srv, const struct tc_rec_emergency *e, const char *why)
{
    json_t *ev;

    if (tc_rec_emergency_dropped(srv->db, e->id, e->accepted_by,
                                 g_get_real_time()) < 0) {
        g_warning("emergency %" G_GINT64_FORMAT ": %s", e->id,
                  tc_rec_errmsg(srv->db));
        return;
    }
    ev = json_pack("{s:o,s:s}", "by", person_json(srv, e->accepted_by),
                   "reason", why);
    push(srv, e->requester_id, "emergency-dropped", e->id, json_deep_copy(ev));
    push(srv, e->accepted_by, "emergency-dropped", e->id, ev);
    g_message("emergency %" G_GINT64_FORMAT ": specialist %s; ringing again",
              e->id, why);
    ring(srv, e->id, e->tier);
}

static gboolean
on_deadline(gpointer data)
{
    struct timer_ctx *t = data;
    struct tc_srv *srv = t->srv;
    struct tc_rec_emergency *e = NULL;
    int64_t id = t->id, now = g_get_real_time();
    GArray *rung;
    int tier;

    gpointer key = NULL, source = NULL;

    /* The source ends by returning G_SOURCE_REMOVE: take it out of the
     * table without removing it again. */
    if (g_hash_table_steal_extended(srv->emergency_timers, &id, &key,
                                    &source)) {
        g_free(key);
        g_free(source);
    }
    if (tc_rec_emergency_get(srv->db, id, &e) == 0 &&
        e->status == TC_REC_EMERGENCY_ACCEPTED) {
        replace(srv, e, "not-joined");
    }
    if (!e || e->status != TC_REC_EMERGENCY_RINGING) {
        tc_rec_emergency_free(e);
        return G_SOURCE_REMOVE;
    }
    rung = rung_ids(e);
    tier = e->tier;
    if (tc_rec_emergency_note(srv->db, id, "timeout", 0, now) < 0) {
        g_warning("emergency %" G_GINT64_FORMAT ": %s", id,
                  tc_rec_errmsg(srv->db));
    }
    push_many(srv, (int64_t *)rung->data, rung->len, "emergency-timeout", id,
              json_pack("{s:i}", "tier", tier));
    g_array_free(rung, TRUE);
    tc_rec_emergency_free(e);
    g_message("emergency %" G_GINT64_FORMAT ": nobody answered at tier %d", id,
              tier);
    ring(srv, id, tier + 1);
    return G_SOURCE_REMOVE;
}

static void
timer_free(gpointer data)
{
    guint *source = data;

    g_source_remove(*source);
    g_free(source);
}

static void
arm(struct tc_srv *srv, int64_t id, int64_t deadline_us)
{
    struct timer_ctx *t = g_new0(struct timer_ctx, 1);
    int64_t wait_us = deadline_us - g_get_real_time();
    int64_t *key = g_new(int64_t, 1);
    guint *source = g_new(guint, 1);

    t->srv = srv;
    t->id = id;
    *key = id;
    *source = g_timeout_add_full(
        G_PRIORITY_DEFAULT, wait_us > 0 ? (guint)((wait_us + 999) / 1000) : 0,
        on_deadline, t, g_free);
    g_hash_table_replace(srv->emergency_timers, key, source);
}

/* ---- ringing ---- */

/* The on-call practitioners of the emergency's specialty at `tier` who
 * are online now, leaving out the requester. */
static GArray *
reachable(struct tc_srv *srv, const struct tc_rec_emergency *e, int tier,
          size_t *on_call)
{
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
    int64_t *all = NULL;
    size_t n = 0;

    *on_call = 0;
    if (tc_rec_oncall_now(srv->db, e->code, tier_kinds[tier],
                          g_get_real_time(), &all, &n) < 0) {
        g_warning("emergency %" G_GINT64_FORMAT ": rota: %s", e->id,
                  tc_rec_errmsg(srv->db));
        return ids;
    }
    for (size_t i = 0; i < n; i++) {
        if (all[i] != e->requester_id) {
            g_array_append_val(ids, all[i]);
        }
    }
    free(all);
    *on_call = ids->len;
    g_array_set_size(ids, (guint)tc_srv__sig_online_filter(
                              srv, (int64_t *)ids->data, ids->len));
    return ids;
}

/* Ring the first tier from `tier` on that has someone reachable; past the
 * last one the emergency is unanswered. */
static void
ring(struct tc_srv *srv, int64_t id, int tier)
{
    struct tc_rec_emergency *e = NULL;
    int64_t now = g_get_real_time(),
            deadline = now + srv->cfg->emergency_ring_s * G_USEC_PER_SEC;
    int rc = tc_rec_emergency_get(srv->db, id, &e);

    for (; rc == 0 && tier <= TC_REC_EMERGENCY_TIERS; tier++) {
        size_t on_call = 0;
        GArray *ids = reachable(srv, e, tier, &on_call);
        rc = tc_rec_emergency_ring(srv->db, id, tier, (int64_t *)ids->data,
                                   ids->len, now, deadline);
        if (rc == 0 && ids->len > 0) {
            json_t *ev = json_pack(
                "{s:I,s:s,s:i,s:o,s:s,s:o,s:I}", "resident_id",
                (json_int_t)e->resident_id, "department", e->code, "tier",
                tier, "requester", person_json(srv, e->requester_id), "reason",
                e->reason, "ring_until", tc_srv__instant_json(deadline),
                "ring_s", (json_int_t)srv->cfg->emergency_ring_s);
            push_many(srv, (int64_t *)ids->data, ids->len, "emergency-ring",
                      id, ev);
            arm(srv, id, deadline);
            g_message("emergency %" G_GINT64_FORMAT
                      ": ringing %u at tier %d (%zu on call)",
                      id, ids->len, tier, on_call);
            g_array_free(ids, TRUE);
            break;
        }
        g_message("emergency %" G_GINT64_FORMAT
                  ": nobody reachable at tier %d (%zu on call)",
                  id, tier, on_call);
        g_array_free(ids, TRUE);
    }
    if (rc == 0 && tier > TC_REC_EMERGENCY_TIERS) {
        rc = tc_rec_emergency_unanswered(srv->db, id, now);
        if (rc == 0) {
            push(srv, e->requester_id, "emergency-unanswered", id, NULL);
        }
    }
    if (rc < 0) {
        g_warning("emergency %" G_GINT64_FORMAT ": %s", id,
                  tc_rec_errmsg(srv->db));
    }
    tc_rec_emergency_free(e);
    e = NULL;
    if (tc_rec_emergency_get(srv->db, id, &e) == 0) {
        status_push(srv, e);
    }
    tc_rec_emergency_free(e);
}

/* ---- start, stop, attendance ---- */

void
tc_srv__emergency_start(struct tc_srv *srv)
{
    int64_t *ids = NULL;
    size_t n = 0;

    srv->emergency_timers =
        g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, timer_free);
    if (tc_rec_emergency_open_ids(srv->db, &ids, &n) < 0) {
        g_warning("emergencies: %s", tc_rec_errmsg(srv->db));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct tc_rec_emergency *e = NULL;
        if (tc_rec_emergency_get(srv->db, ids[i], &e) == 0 &&
            e->status == TC_REC_EMERGENCY_RINGING) {
            /* No deadline: the server stopped before anyone was rung. */
            arm(srv, e->id,
                e->ring_deadline_us ? e->ring_deadline_us : g_get_real_time());
            g_message("emergency %" G_GINT64_FORMAT
                      ": ringing resumed at tier %d",
                      e->id, e->tier);
        } else if (e && e->status == TC_REC_EMERGENCY_ACCEPTED) {
            /* Accepted, not joined yet: the join deadline again. */
            arm(srv, e->id,
                e->accepted_at_us +
                    srv->cfg->emergency_ring_s * G_USEC_PER_SEC);
        }
        tc_rec_emergency_free(e);
    }
    free(ids);
}

void
tc_srv__emergency_stop(struct tc_srv *srv)
{
    if (srv->emergency_timers) {
        g_hash_table_destroy(srv->emergency_timers);
        srv->emergency_timers = NULL;
    }
}

void
tc_srv__emergency_attend(struct tc_srv *srv, int64_t consultation_id,
                         int64_t practitioner_id, bool present)
{
    struct tc_rec_emergency *e = NULL;
    int64_t id = 0, now = g_get_real_time();

    if (practitioner_id <= 0 ||
        tc_rec_emergency_by_consultation(srv->db, consultation_id, &id) < 0 ||
        tc_rec_emergency_get(srv->db, id, &e) < 0) {
        return;
    }
    if (e->accepted_by != practitioner_id) {
        tc_rec_emergency_free(e);
        return;
    }
    if (present && e->status == TC_REC_EMERGENCY_ACCEPTED &&
        tc_rec_emergency_joined(srv->db, id, practitioner_id, now) == 0) {
        disarm(srv, id);
        push(srv, e->requester_id, "emergency-joined", id,
             json_pack("{s:o}", "by", person_json(srv, practitioner_id)));
        g_message("emergency %" G_GINT64_FORMAT ": specialist joined after "
                  "%" G_GINT64_FORMAT " ms",
                  id, (now - e->raised_at_us) / 1000);
    } else if (!present && (e->status == TC_REC_EMERGENCY_ACCEPTED ||
                            e->status == TC_REC_EMERGENCY_JOINED)) {
        disarm(srv, id);
        replace(srv, e, "left");
    }
    tc_rec_emergency_free(e);
}

/* ---- access ---- */

/* Whether the caller was rung at the current tier, or accepted it. */
static bool
asked(const struct tc_rec_emergency *e, int64_t me)
{
    GArray *rung = rung_ids(e);
    bool found = me > 0 && e->accepted_by == me;

    for (guint i = 0; i < rung->len && !found; i++) {
        found = g_array_index(rung, int64_t, i) == me;
    }
    g_array_free(rung, TRUE);
    return found;
}

static bool
open_as(struct tc_srv *srv, struct tc_srv__call *call,
        enum tc_srv__action action, struct tc_rec_emergency **out)
{
    int64_t id, me = call->req.who->practitioner_id;
    struct tc_srv__target t = {
        .action = action,
        .kind = TC_SRV__KIND_CONSULTATION,
        .entity_type = EMERGENCY,
    };
    int rc;

    if (!tc_srv__param_id(call, 0, "emergency id", &id)) {
        return false;
    }
    rc = tc_rec_emergency_get(srv->db, id, out);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    t.resident_id = (*out)->resident_id;
    t.entity_id = id;
    t.requested_of = asked(*out, me) || (me > 0 && (*out)->requester_id == me);
    return tc_srv__policy_check(srv, call, &t);
}

/* ---- handlers ---- */

static void
emergency_answer(struct tc_srv *srv, struct tc_srv__call *call, int status,
                 int64_t id)
{
    struct tc_rec_emergency *e = NULL;
    int rc = tc_rec_emergency_get(srv->db, id, &e);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_ok(call, status, emergency_json(srv, e, true));
    tc_rec_emergency_free(e);
}

static void
emergency_post(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"resident_id", "department_id",
                                        "reason", NULL};
    struct tc_srv__target t = {
        .action = TC_SRV__ACT_WRITE,
        .kind = TC_SRV__KIND_RECORD,
        .entity_type = EMERGENCY,
    };
    int64_t resident = 0, department = 0, me, id = 0;
    const char *reason = NULL;
    json_t *body = NULL;
    int rc;

    if (!tc_srv__who_practitioner(call, "raise an emergency", &me) ||
        !tc_srv__call_body(call, known, &body) ||
        !tc_srv__json_int(call, body, "resident_id", true, 1, INT64_MAX,
                          &resident) ||
        !tc_srv__json_int(call, body, "department_id", true, 1, INT64_MAX,
                          &department) ||
        !tc_srv__json_string(call, body, "reason", true, REASON_MAX,
                             &reason)) {
        goto out;
    }
    t.resident_id = resident;
    if (!tc_srv__policy_check(srv, call, &t)) {
        goto out;
    }
    rc = tc_rec_emergency_raise(srv->db, resident, me, department, reason,
                                g_get_real_time(), &id);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_CREATE, EMERGENCY,
                              id, resident)) {
        struct tc_rec_emergency *e = NULL;
        g_message("emergency %" G_GINT64_FORMAT " raised", id);
        if (tc_rec_emergency_get(srv->db, id, &e) == 0) {
            ring(srv, id, e->tier);
        }
        tc_rec_emergency_free(e);
        emergency_answer(srv, call, 201, id);
    }
out:
    json_decref(body);
}

static void
emergency_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_emergency *e = NULL;

    if (open_as(srv, call, TC_SRV__ACT_READ, &e)) {
        tc_srv__resp_ok(call, 200, emergency_json(srv, e, true));
    }
    tc_rec_emergency_free(e);
}

/* GET /emergencies?state=open: the open ones ringing the caller, raised
 * by them or accepted by them (a reloaded page rings again). */
static void
emergency_list(struct tc_srv *srv, struct tc_srv__call *call)
{
    int64_t *ids = NULL, me;
    size_t n = 0;
    json_t *items;
    int rc;

    if (!tc_srv__who_practitioner(call, "list emergencies", &me)) {
        return;
    }
    rc = tc_rec_emergency_open_ids(srv->db, &ids, &n);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        struct tc_rec_emergency *e = NULL;
        if (tc_rec_emergency_get(srv->db, ids[i], &e) == 0 &&
            (e->requester_id == me ||
             (e->status == TC_REC_EMERGENCY_RINGING && asked(e, me)) ||
             e->accepted_by == me)) {
            tc_srv__audit(srv, call, TC_REC_AUDIT_READ, EMERGENCY, e->id,
                          e->resident_id, TC_REC_AUDIT_SUCCESS, NULL,
                          "asked to answer the emergency");
            json_array_append_new(items, emergency_json(srv, e, true));
        }
        tc_rec_emergency_free(e);
    }
    free(ids);
    tc_srv__resp_ok(call, 200, json_pack("{s:o}", "items", items));
}

static void
emergency_accept(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const none[] = {NULL};
    struct tc_rec_emergency *e = NULL, *now_e = NULL;
    json_t *body = NULL;
    int64_t me, cid = 0, id;
    GArray *rung = NULL;
    int rc;

    if (!open_as(srv, call, TC_SRV__ACT_WRITE, &e) ||
        !tc_srv__who_practitioner(call, "accept an emergency", &me) ||
        !tc_srv__call_body(call, none, &body)) {
        goto out;
    }
    id = e->id;
    rung = rung_ids(e);
    rc = tc_rec_emergency_accept(srv->db, id, me, g_get_real_time(), &cid);
    if (!tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_UPDATE, EMERGENCY,
                               id, e->resident_id)) {
        goto out;
    }
    disarm(srv, id);
    /* The specialist has ring_timeout_s to enter the room. */
    arm(srv, id,
        g_get_real_time() + srv->cfg->emergency_ring_s * G_USEC_PER_SEC);
    g_message("emergency %" G_GINT64_FORMAT " accepted", id);
    if (tc_rec_emergency_get(srv->db, id, &now_e) == 0) {
        g_autofree char *room = room_of(now_e);
        push(srv, e->requester_id, "emergency-accepted", id,
             json_pack("{s:o,s:I,s:s}", "by", person_json(srv, me),
                       "consultation_id", (json_int_t)cid, "room", room));
        GArray *others = g_array_new(FALSE, FALSE, sizeof(int64_t));
        for (guint i = 0; i < rung->len; i++) {
            int64_t other = g_array_index(rung, int64_t, i);
            if (other != me) {
                tc_rec_emergency_note(srv->db, id, "taken", other,
                                      g_get_real_time());
                g_array_append_val(others, other);
            }
        }
        push_many(srv, (int64_t *)others->data, others->len, "emergency-taken",
                  id, json_pack("{s:o}", "by", person_json(srv, me)));
        g_array_free(others, TRUE);
    }
    tc_rec_emergency_free(now_e);
    emergency_answer(srv, call, 200, id);
out:
    if (rung) {
        g_array_free(rung, TRUE);
    }
    json_decref(body);
    tc_rec_emergency_free(e);
}

static void
emergency_end(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const none[] = {NULL};
    struct tc_rec_emergency *e = NULL;
    json_t *body = NULL;
    GArray *rung = NULL;
    int64_t me;
    int rc;

    if (!open_as(srv, call, TC_SRV__ACT_WRITE, &e) ||
        !tc_srv__who_practitioner(call, "end an emergency", &me) ||
        !tc_srv__call_body(call, none, &body)) {
        goto out;
    }
    rung = e->status == TC_REC_EMERGENCY_RINGING
               ? rung_ids(e)
               : g_array_new(FALSE, FALSE, sizeof(int64_t));
    rc = tc_rec_emergency_end(srv->db, e->id, me, g_get_real_time());
    if (!tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_UPDATE, EMERGENCY,
                               e->id, e->resident_id)) {
        goto out;
    }
    disarm(srv, e->id);
    push_many(srv, (int64_t *)rung->data, rung->len, "emergency-cancelled",
              e->id, NULL);
    push(srv, e->requester_id, "emergency-ended", e->id, NULL);
    if (e->accepted_by) {
        push(srv, e->accepted_by, "emergency-ended", e->id, NULL);
    }
    emergency_answer(srv, call, 200, e->id);
out:
    if (rung) {
        g_array_free(rung, TRUE);
    }
    json_decref(body);
    tc_rec_emergency_free(e);
}

static void
emergency_stats(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_srv__target t = {
        .action = TC_SRV__ACT_READ,
        .kind = TC_SRV__KIND_STATS,
        .entity_type = "emergency_stats",
    };
    struct tc_rec_emergency_stats *s = NULL;
    char today[11], from[11], to[11], year_start[11];
    json_t *items;
    int rc;

    tc_srv__today(today);
    g_snprintf(year_start, sizeof(year_start), "%.4s-01-01", today);
    if (!tc_srv__policy_check(srv, call, &t) ||
        !tc_srv__query_date(call, "from", year_start, from) ||
        !tc_srv__query_date(call, "to", today, to)) {
        return;
    }
    rc = tc_rec_emergency_stats_get(srv->db, from, to, &s);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    items = json_array();
    for (size_t i = 0; i < s->count; i++) {
        const struct tc_rec_emergency_tally *k = &s->items[i];
        json_array_append_new(
            items, json_pack("{s:s,s:I,s:I,s:I,s:f,s:f,s:f}", "department",
                             k->code, "raised", (json_int_t)k->raised,
                             "joined", (json_int_t)k->joined, "unanswered",
                             (json_int_t)k->unanswered, "join_s_avg",
                             k->join_s_avg, "join_s_median", k->join_s_median,
                             "join_s_max", k->join_s_max));
    }
    tc_rec_emergency_stats_free(s);
    tc_srv__resp_ok(call, 200,
                    json_pack("{s:s,s:s,s:o}", "from", from, "to", to,
                              "departments", items));
}

const struct tc_srv__route tc_srv__routes_emergency[] = {
    {"POST", "/api/v1/emergencies", emergency_post, 0},
    {"GET", "/api/v1/emergencies", emergency_list, 0},
    {"GET", "/api/v1/emergencies/{id}", emergency_get, 0},
    {"POST", "/api/v1/emergencies/{id}/accept", emergency_accept, 0},
    {"POST", "/api/v1/emergencies/{id}/end", emergency_end, 0},
    {"GET", "/api/v1/stats/emergencies", emergency_stats, 0},
    {NULL, NULL, NULL, 0},
};
