// SPDX-License-Identifier: Apache-2.0
/*
 * emergency.c - emergency consultations: raise, ring a tier, accept
 * (first wins), joined, dropped, unanswered, end; every step appended to
 * the emergency's log with its time. Reading and statistics are in
 * emergency-read.c; the ringing itself (timers, signaling) is the
 * server's (server/api-emergency.c).
 *
 *   RINGING --accept--> ACCEPTED --joined--> JOINED --end--> ENDED
 *     |  ^                 |                   |
 *     |  +----dropped------+-------------------+
 *     +--unanswered--> UNANSWERED     ACCEPTED --end--> ENDED
 *     +--end--> CANCELLED
 *
 * `transitions` below is the table; each change is one UPDATE guarded by
 * the status it leaves, so of two accepts the second finds the emergency
 * no longer ringing and is refused (-EPERM, "already taken"), whatever
 * the order in which they were checked.
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define REASON_MAX 2000

static const char *const status_codes[] = {
    [TC_REC_EMERGENCY_RINGING] = "ringing",
    [TC_REC_EMERGENCY_ACCEPTED] = "accepted",
    [TC_REC_EMERGENCY_JOINED] = "joined",
    [TC_REC_EMERGENCY_ENDED] = "ended",
    [TC_REC_EMERGENCY_UNANSWERED] = "unanswered",
    [TC_REC_EMERGENCY_CANCELLED] = "cancelled",
};

const char *
tc_rec_emergency_status_to_string(enum tc_rec_emergency_status s)
{
    return tc_rec__code_name(status_codes, 7, (int)s);
}

enum event { ACCEPT, JOINED, DROPPED, UNANSWERED, END, CANCEL };
static const char *const event_names[] = {"accept",     "joined", "dropped",
                                          "unanswered", "end",    "cancel"};

static const struct {
    enum event event;
    enum tc_rec_emergency_status from, to;
} transitions[] = {
    {ACCEPT, TC_REC_EMERGENCY_RINGING, TC_REC_EMERGENCY_ACCEPTED},
    {JOINED, TC_REC_EMERGENCY_ACCEPTED, TC_REC_EMERGENCY_JOINED},
    {DROPPED, TC_REC_EMERGENCY_ACCEPTED, TC_REC_EMERGENCY_RINGING},
    {DROPPED, TC_REC_EMERGENCY_JOINED, TC_REC_EMERGENCY_RINGING},
    {UNANSWERED, TC_REC_EMERGENCY_RINGING, TC_REC_EMERGENCY_UNANSWERED},
    {END, TC_REC_EMERGENCY_ACCEPTED, TC_REC_EMERGENCY_ENDED},
    {END, TC_REC_EMERGENCY_JOINED, TC_REC_EMERGENCY_ENDED},
    {CANCEL, TC_REC_EMERGENCY_RINGING, TC_REC_EMERGENCY_CANCELLED},
};

/* The status `ev` leads to from `from`, or 0 when it has no arrow. */
static enum tc_rec_emergency_status
step_to(enum event ev, enum tc_rec_emergency_status from)
{
    for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++) {
        if (transitions[i].event == ev && transitions[i].from == from) {
            return transitions[i].to;
        }
    }
    return 0;
}

int
tc_rec__emergency_log(struct tc_rec_db *db, int64_t id, const char *kind,
                      int tier, int64_t practitioner_id, int64_t at_us)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "INSERT INTO emergency_events (emergency_id, seq, at_us, kind,"
            " tier, practitioner_id) SELECT ?1, coalesce(max(seq), 0) + 1,"
            " ?2, ?3, ?4, ?5 FROM emergency_events WHERE emergency_id = ?1");

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, at_us);
    tc_rec__bind_text(st, 3, kind);
    sqlite3_bind_int(st, 4, tier);
    tc_rec__bind_id(st, 5, practitioner_id);
    return tc_rec__step_done(db, st, "emergency log");
}

static int
in_tx(struct tc_rec_db *db, int rc_body_fn(struct tc_rec_db *, void *),
      void *arg)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, rc_body_fn(db, arg));
}

/* ---- raise ---- */

struct raise_args {
    int64_t resident_id, requester_id, department_id, at_us, *id;
    const char *reason;
};

static int
raise_body(struct tc_rec_db *db, void *arg)
{
    struct raise_args *a = arg;
    struct tc_rec_department *d = NULL;
    sqlite3_stmt *st;
    int tier = 0;
    int rc = tc_rec__prose_check(db, "reason", a->reason, REASON_MAX, true);

    if (rc == 0 && a->at_us <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "at_us: required");
    }
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM residents WHERE id = ?",
                              a->resident_id, "resident_id", "resident");
    }
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              a->requester_id, "requester_id", "practitioner");
    }
    if (rc == 0) {
        rc = tc_rec_department_get(db, a->department_id, &d);
    }
    if (rc == 0) {
        tier = d->org_kind == TC_REC_ORG_COUNTY_HOSPITAL ? 1
               : d->org_kind == TC_REC_ORG_CITY_HOSPITAL ? 2
                                                         : 0;
        if (!tier) {
            rc = tc_rec__fail(db, -EINVAL,
                              "department_id: not a department of a county "
                              "or city hospital");
        }
    }
    tc_rec_department_free(d);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO emergencies (resident_id,"
                          " requester_id, department_id, reason, status,"
                          " tier, raised_at_us)"
                          " VALUES (?, ?, ?, ?, 'ringing', ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, a->resident_id);
    sqlite3_bind_int64(st, 2, a->requester_id);
    sqlite3_bind_int64(st, 3, a->department_id);
    tc_rec__bind_text(st, 4, a->reason);
    sqlite3_bind_int(st, 5, tier);
    sqlite3_bind_int64(st, 6, a->at_us);
    rc = tc_rec__step_done(db, st, "emergency");
    if (rc == 0) {
        *a->id = sqlite3_last_insert_rowid(db->conn);
        rc = tc_rec__emergency_log(db, *a->id, "raised", tier, a->requester_id,
                                   a->at_us);
    }
    return rc;
}

int
tc_rec_emergency_raise(struct tc_rec_db *db, int64_t resident_id,
                       int64_t requester_id, int64_t department_id,
                       const char *reason, int64_t at_us, int64_t *id_out)
{
    int64_t id = 0;
    struct raise_args a = {resident_id, requester_id, department_id,
                           at_us,       &id,          reason};
    int rc = in_tx(db, raise_body, &a);

    if (rc == 0 && id_out) {
        *id_out = id;
    }
    return rc;
}

/* ---- the steps ---- */

/* Load `id` and check that `ev` has an arrow out of its status. */
static int
load_for(struct tc_rec_db *db, int64_t id, enum event ev,
         struct tc_rec_emergency **out)
{
    int rc = tc_rec_emergency_get(db, id, out);

    if (rc == 0 && !step_to(ev, (*out)->status)) {
        rc = tc_rec__fail(db, -EPERM,
                          (*out)->status == TC_REC_EMERGENCY_ACCEPTED ||
                                  (*out)->status == TC_REC_EMERGENCY_JOINED
                              ? "%s: already taken (status %s)"
                              : "%s: not allowed from status %s",
                          event_names[ev], status_codes[(*out)->status]);
        tc_rec_emergency_free(*out);
        *out = NULL;
    }
    return rc;
}

/* Move from `from` to what `ev` leads to, setting the columns the step
 * owns; 0 rows changed (someone was first) is -EPERM. */
static int
move(struct tc_rec_db *db, int64_t id, enum event ev,
     enum tc_rec_emergency_status from, int64_t by, int64_t at_us)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db,
        "UPDATE emergencies SET status = ?3,"
        " accepted_by = CASE ?4 WHEN 0 THEN ?5 WHEN 2 THEN NULL"
        "  ELSE accepted_by END,"
        " accepted_at_us = CASE ?4 WHEN 0 THEN ?6 ELSE accepted_at_us END,"
        " joined_at_us = CASE ?4 WHEN 1 THEN coalesce(joined_at_us, ?6)"
        "  ELSE joined_at_us END,"
        " ended_at_us = CASE WHEN ?4 IN (3, 4, 5) THEN ?6"
        "  ELSE ended_at_us END,"
        " ring_deadline_us = CASE WHEN ?3 = 'ringing' THEN ring_deadline_us"
        "  ELSE NULL END"
        " WHERE id = ?1 AND status = ?2");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    tc_rec__bind_text(st, 2, status_codes[from]);
    tc_rec__bind_text(st, 3, status_codes[step_to(ev, from)]);
    sqlite3_bind_int(st, 4, (int)ev);
    tc_rec__bind_id(st, 5, by);
    sqlite3_bind_int64(st, 6, at_us);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        return tc_rec__fail_sql(db, rc, "emergency");
    }
    if (sqlite3_changes(db->conn) != 1) {
        return tc_rec__fail(db, -EPERM, "%s: already taken", event_names[ev]);
    }
    return 0;
}

struct ring_args {
    int64_t id, at_us, deadline_us;
    int tier;
    const int64_t *ids;
    size_t n;
};

static int
ring_body(struct tc_rec_db *db, void *arg)
{
    struct ring_args *a = arg;
    struct tc_rec_emergency *e = NULL;
    sqlite3_stmt *st;
    int rc = tc_rec_emergency_get(db, a->id, &e);

    if (rc == 0 && e->status != TC_REC_EMERGENCY_RINGING) {
        rc = tc_rec__fail(db, -EPERM, "ring: not allowed from status %s",
                          status_codes[e->status]);
    }
    if (rc == 0 && (a->tier < e->tier || a->tier > TC_REC_EMERGENCY_TIERS)) {
        rc = tc_rec__fail(db, -EINVAL, "tier: must be %d..%d", e->tier,
                          TC_REC_EMERGENCY_TIERS);
    }
    if (rc == 0 && a->tier > e->tier) {
        rc = tc_rec__emergency_log(db, a->id, "escalated", a->tier, 0,
                                   a->at_us);
    }
    tc_rec_emergency_free(e);
    for (size_t i = 0; rc == 0 && i < a->n; i++) {
        rc = tc_rec__emergency_log(db, a->id, "rung", a->tier, a->ids[i],
                                   a->at_us);
    }
    if (rc == 0 && a->n == 0) {
        rc = tc_rec__emergency_log(db, a->id, "no_one_on_call", a->tier, 0,
                                   a->at_us);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "UPDATE emergencies SET tier = ?,"
                          " ring_deadline_us = ? WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int(st, 1, a->tier);
    if (a->n > 0) {
        sqlite3_bind_int64(st, 2, a->deadline_us);
    }
    sqlite3_bind_int64(st, 3, a->id);
    return tc_rec__step_done(db, st, "emergency");
}

int
tc_rec_emergency_ring(struct tc_rec_db *db, int64_t id, int tier,
                      const int64_t *practitioner_ids, size_t n, int64_t at_us,
                      int64_t deadline_us)
{
    struct ring_args a = {id, at_us, deadline_us, tier, practitioner_ids, n};

    return in_tx(db, ring_body, &a);
}

struct note_args {
    int64_t id, by, at_us;
    const char *kind;
};

static int
note_body(struct tc_rec_db *db, void *arg)
{
    struct note_args *a = arg;
    struct tc_rec_emergency *e = NULL;
    int rc;

    if (strcmp(a->kind, "timeout") != 0 && strcmp(a->kind, "taken") != 0) {
        return tc_rec__fail(db, -EINVAL, "kind: must be timeout or taken");
    }
    rc = tc_rec_emergency_get(db, a->id, &e);
    if (rc == 0) {
        rc = tc_rec__emergency_log(db, a->id, a->kind, e->tier, a->by,
                                   a->at_us);
    }
    tc_rec_emergency_free(e);
    return rc;
}

int
tc_rec_emergency_note(struct tc_rec_db *db, int64_t id, const char *kind,
                      int64_t practitioner_id, int64_t at_us)
{
    struct note_args a = {id, practitioner_id, at_us, kind};

    return in_tx(db, note_body, &a);
}

struct step_args {
    int64_t id, by, at_us, *consultation_id;
    enum event ev;
};

/* The consultation of an accepted emergency: made on the first accept
 * (requested of the specialist, who accepts it); a later specialist
 * (after a drop) joins it as a participant. */
static int
consultation_for(struct tc_rec_db *db, const struct tc_rec_emergency *e,
                 int64_t by, int64_t at_us, int64_t *cid)
{
    struct tc_rec_consultation_new in = {
        .requester_id = e->requester_id,
        .requested_specialist_id = by,
        .resident_id = e->resident_id,
        .reason = e->reason,
        .priority = TC_REC_CONSULTATION_EMERGENCY,
        .requested_at_us = e->raised_at_us,
    };
    sqlite3_stmt *st;
    int rc;

    if (e->consultation_id) {
        *cid = e->consultation_id;
        rc = tc_rec_consultation_participant_add(db, e->consultation_id,
                                                 TC_REC_PARTY_PRACTITIONER, by,
                                                 at_us, NULL);
        return rc == -EEXIST ? (tc_rec__ok(db), 0) : rc;
    }
    rc = tc_rec_consultation_request(db, &in, cid);
    if (rc == 0) {
        rc = tc_rec_consultation_accept(db, *cid, by, at_us);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(
        db, "UPDATE emergencies SET consultation_id = ? WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, *cid);
    sqlite3_bind_int64(st, 2, e->id);
    return tc_rec__step_done(db, st, "emergency");
}

static int
accept_checks(struct tc_rec_db *db, const struct tc_rec_emergency *e,
              int64_t by)
{
    bool rung = false;
    int rc = 0;

    for (size_t i = 0; i < e->n_events; i++) {
        rung |= strcmp(e->events[i].kind, "rung") == 0 &&
                e->events[i].tier == e->tier &&
                e->events[i].practitioner_id == by;
    }
    if (!rung) {
        rc = tc_rec__fail(db, -EPERM,
                          "accept: only a specialist rung for this "
                          "emergency accepts it");
    }
    return rc;
}

static int
step_body(struct tc_rec_db *db, void *arg)
{
    struct step_args *a = arg;
    struct tc_rec_emergency *e = NULL;
    enum event ev = a->ev;
    int64_t cid = 0;
    int rc;

    if (a->at_us <= 0) {
        return tc_rec__fail(db, -EINVAL, "at_us: required");
    }
    rc = tc_rec_emergency_get(db, a->id, &e);
    if (rc == 0 && ev == END && e->status == TC_REC_EMERGENCY_RINGING) {
        ev = CANCEL;
    }
    tc_rec_emergency_free(e);
    e = NULL;
    rc = rc ? rc : load_for(db, a->id, ev, &e);
    if (rc < 0) {
        return rc;
    }
    if (ev == ACCEPT) {
        rc = accept_checks(db, e, a->by);
    } else if ((ev == JOINED || ev == DROPPED) && e->accepted_by != a->by) {
        rc = tc_rec__fail(db, -EPERM, "%s: not the accepting specialist",
                          event_names[ev]);
    } else if ((ev == END || ev == CANCEL) && a->by != e->requester_id &&
               a->by != e->accepted_by) {
        rc = tc_rec__fail(db, -EPERM,
                          "end: only the requester or the specialist ends "
                          "it");
    }
    if (rc == 0) {
        rc = move(db, a->id, ev, e->status, a->by, a->at_us);
    }
    if (rc == 0 && ev == ACCEPT) {
        rc = consultation_for(db, e, a->by, a->at_us, &cid);
    }
    if (rc == 0) {
        static const char *const logged[] = {
            [ACCEPT] = "accepted", [JOINED] = "joined",
            [DROPPED] = "dropped", [UNANSWERED] = "unanswered",
            [END] = "ended",       [CANCEL] = "cancelled"};
        rc = tc_rec__emergency_log(db, a->id, logged[ev], e->tier,
                                   ev == UNANSWERED ? 0 : a->by, a->at_us);
    }
    if (rc == 0 && a->consultation_id) {
        *a->consultation_id = cid;
    }
    tc_rec_emergency_free(e);
    return rc;
}

static int
step(struct tc_rec_db *db, enum event ev, int64_t id, int64_t by,
     int64_t at_us, int64_t *cid)
{
    struct step_args a = {id, by, at_us, cid, ev};

    return in_tx(db, step_body, &a);
}

int
tc_rec_emergency_accept(struct tc_rec_db *db, int64_t id, int64_t by,
                        int64_t at_us, int64_t *consultation_id_out)
{
    int64_t cid = 0;
    int rc = step(db, ACCEPT, id, by, at_us, &cid);

    if (rc == 0 && consultation_id_out) {
        *consultation_id_out = cid;
    }
    return rc;
}

int
tc_rec_emergency_joined(struct tc_rec_db *db, int64_t id, int64_t by,
                        int64_t at_us)
{
    return step(db, JOINED, id, by, at_us, NULL);
}

int
tc_rec_emergency_dropped(struct tc_rec_db *db, int64_t id, int64_t by,
                         int64_t at_us)
{
    return step(db, DROPPED, id, by, at_us, NULL);
}

int
tc_rec_emergency_unanswered(struct tc_rec_db *db, int64_t id, int64_t at_us)
{
    return step(db, UNANSWERED, id, 0, at_us, NULL);
}

int
tc_rec_emergency_end(struct tc_rec_db *db, int64_t id, int64_t by,
                     int64_t at_us)
{
    return step(db, END, id, by, at_us, NULL);
}
