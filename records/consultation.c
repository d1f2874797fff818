// SPDX-License-Identifier: Apache-2.0
/*
 * consultation.c - remote consultations: a practitioner asks an
 * organization or a specialist for an opinion about a resident; the
 * request is accepted or declined, scheduled, held as a video call with
 * several participants, and closed with a signed opinion.
 *
 *   REQUESTED --accept--> ACCEPTED --schedule--> SCHEDULED --start-->
 *      |                     |                   |  ^  |
 *      +--decline--> DECLINED|                   +--+  |  (reschedule)
 *      |                     +------start--------------+  (no appointment:
 *      |                                               v   emergencies)
 *      |                                          IN_PROGRESS --complete-->
 *      +--cancel (from REQUESTED, ACCEPTED, SCHEDULED)--> CANCELLED
 *                                                       COMPLETED (opinion)
 *
 * Only consultation_step() changes a status. An event with no arrow out of
 * the current status is refused with -EPERM and changes nothing.
 *
 * Invariants: the requester is the first participant; whoever accepts is
 * the requested specialist or holds a role at the requested organization,
 * and becomes a participant; a call starts only with the patient's consent
 * to teleconsultation; the opinion's author is a practitioner participant,
 * and the opinion is versioned (amendment.c), never overwritten.
 *
 * Participants, the attendance log, consents and attached studies are in
 * consultation-party.c; reading in consultation-read.c.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdlib.h>

#include "records-int.h"

#define MAX_REASON  4000
#define MAX_OPINION 50000

static const char *const status_codes[] = {
    [TC_REC_CONSULTATION_REQUESTED] = "requested",
    [TC_REC_CONSULTATION_ACCEPTED] = "accepted",
    [TC_REC_CONSULTATION_DECLINED] = "declined",
    [TC_REC_CONSULTATION_SCHEDULED] = "scheduled",
    [TC_REC_CONSULTATION_IN_PROGRESS] = "in_progress",
    [TC_REC_CONSULTATION_COMPLETED] = "completed",
    [TC_REC_CONSULTATION_CANCELLED] = "cancelled",
};
#define N_STATUS (int)(sizeof(status_codes) / sizeof(status_codes[0]))

static const char *const priority_codes[] = {
    [TC_REC_CONSULTATION_ROUTINE] = "routine",
    [TC_REC_CONSULTATION_URGENT] = "urgent",
    [TC_REC_CONSULTATION_EMERGENCY] = "emergency",
};
#define N_PRIORITY (int)(sizeof(priority_codes) / sizeof(priority_codes[0]))

const char *
tc_rec_consultation_status_to_string(enum tc_rec_consultation_status s)
{
    return tc_rec__code_name(status_codes, N_STATUS, (int)s);
}

int
tc_rec_consultation_status_from_string(const char *s,
                                       enum tc_rec_consultation_status *out)
{
    int i;
    int rc = tc_rec__code_parse(status_codes, N_STATUS, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_consultation_status)i;
    }
    return rc;
}

const char *
tc_rec_consultation_priority_to_string(enum tc_rec_consultation_priority p)
{
    return tc_rec__code_name(priority_codes, N_PRIORITY, (int)p);
}

int
tc_rec_consultation_priority_from_string(
    const char *s, enum tc_rec_consultation_priority *out)
{
    int i;
    int rc = tc_rec__code_parse(priority_codes, N_PRIORITY, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_consultation_priority)i;
    }
    return rc;
}

/* ---- the lifecycle ---- */

enum consult_event { ACCEPT, DECLINE, SCHEDULE, START, COMPLETE, CANCEL };

static const char *const event_names[] = {
    [ACCEPT] = "accept", [DECLINE] = "decline",   [SCHEDULE] = "schedule",
    [START] = "start",   [COMPLETE] = "complete", [CANCEL] = "cancel",
};

static const struct {
    enum tc_rec_consultation_status from;
    enum consult_event event;
    enum tc_rec_consultation_status to;
} transitions[] = {
    {TC_REC_CONSULTATION_REQUESTED, ACCEPT, TC_REC_CONSULTATION_ACCEPTED},
    {TC_REC_CONSULTATION_REQUESTED, DECLINE, TC_REC_CONSULTATION_DECLINED},
    {TC_REC_CONSULTATION_REQUESTED, CANCEL, TC_REC_CONSULTATION_CANCELLED},
    {TC_REC_CONSULTATION_ACCEPTED, SCHEDULE, TC_REC_CONSULTATION_SCHEDULED},
    {TC_REC_CONSULTATION_ACCEPTED, START, TC_REC_CONSULTATION_IN_PROGRESS},
    {TC_REC_CONSULTATION_ACCEPTED, CANCEL, TC_REC_CONSULTATION_CANCELLED},
    {TC_REC_CONSULTATION_SCHEDULED, SCHEDULE, TC_REC_CONSULTATION_SCHEDULED},
    {TC_REC_CONSULTATION_SCHEDULED, START, TC_REC_CONSULTATION_IN_PROGRESS},
    {TC_REC_CONSULTATION_SCHEDULED, CANCEL, TC_REC_CONSULTATION_CANCELLED},
    {TC_REC_CONSULTATION_IN_PROGRESS, COMPLETE, TC_REC_CONSULTATION_COMPLETED},
};

/* What the preconditions of an event need to know. */
struct consult_facts {
    enum tc_rec_consultation_status status;
    int64_t org_id;
    int64_t specialist_id;
};

static int
consult_facts(struct tc_rec_db *db, int64_t id, struct consult_facts *f)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT status, requested_org_id, requested_specialist_id"
            " FROM consultations WHERE id = ?");
    int rc, i;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? tc_rec__fail(db, -ENOENT,
                                                "consultation: no "
                                                "consultation %lld",
                                                (long long)id)
                                 : tc_rec__fail_sql(db, rc, "consultation");
    }
    i = tc_rec__code_find(status_codes, N_STATUS,
                          (const char *)sqlite3_column_text(st, 0));
    f->org_id = sqlite3_column_int64(st, 1);
    f->specialist_id = sqlite3_column_int64(st, 2);
    sqlite3_reset(st);
    if (i < 0) {
        return tc_rec__fail(db, -EBADMSG, "consultation %lld: unknown status",
                            (long long)id);
    }
    f->status = (enum tc_rec_consultation_status)i;
    return 0;
}

/* Whether practitioner `who` takes part in consultation `id`. */
static int
is_participant(struct tc_rec_db *db, int64_t id, int64_t who, bool *out)
{
    return tc_rec__exists2(
        db,
        "SELECT 1 FROM consultation_participants"
        " WHERE consultation_id = ? AND practitioner_id = ?",
        id, who, "participant", out);
}

static int
add_practitioner(struct tc_rec_db *db, int64_t id, int64_t who, int64_t at_us)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "INSERT INTO consultation_participants (consultation_id,"
            " practitioner_id, added_at_us) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING");

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, who);
    sqlite3_bind_int64(st, 3, at_us);
    return tc_rec__step_done(db, st, "participant");
}

static int
may_accept(struct tc_rec_db *db, const struct consult_facts *f, int64_t by)
{
    bool member = false;
    int rc;

    if (f->specialist_id) {
        return f->specialist_id == by
                   ? 0
                   : tc_rec__fail(db, -EPERM,
                                  "accept: only the requested specialist "
                                  "(%lld) accepts",
                                  (long long)f->specialist_id);
    }
    rc = tc_rec__exists2(db,
                         "SELECT 1 FROM practitioner_roles"
                         " WHERE practitioner_id = ? AND organization_id = ?",
                         by, f->org_id, "role", &member);
    if (rc == 0 && !member) {
        rc = tc_rec__fail(db, -EPERM,
                          "accept: practitioner %lld has no role at "
                          "the requested organization %lld",
                          (long long)by, (long long)f->org_id);
    }
    return rc;
}

static int
has_teleconsultation_consent(struct tc_rec_db *db, int64_t id)
{
    bool found = false;
    int rc = tc_rec__exists(db,
                            "SELECT 1 FROM consultation_consents"
                            " WHERE consultation_id = ?"
                            " AND kind = 'teleconsultation'",
                            id, &found);

    if (rc == 0 && !found) {
        rc = tc_rec__fail(db, -EPERM,
                          "start: the patient's consent to "
                          "teleconsultation is not recorded");
    }
    return rc;
}

/* Rules of an event beyond the table (the table was checked). */
static int
event_preconditions(struct tc_rec_db *db, int64_t id,
                    const struct consult_facts *f, enum consult_event ev,
                    int64_t by)
{
    bool member = false;
    int rc;

    if (ev == ACCEPT) {
        return may_accept(db, f, by);
    }
    if (ev != START && ev != COMPLETE) {
        return 0;
    }
    rc = is_participant(db, id, by, &member);
    if (rc == 0 && !member) {
        return tc_rec__fail(db, -EPERM,
                            "%s: practitioner %lld is not a participant",
                            event_names[ev], (long long)by);
    }
    return rc == 0 && ev == START ? has_teleconsultation_consent(db, id) : rc;
}

/*
 * Move consultation `id` along `ev`, by practitioner `by` at `at_us`.
 * `reason` (decline, cancel) and `when` (schedule: the appointment) are
 * recorded with the status.
 */
static int
consultation_step(struct tc_rec_db *db, int64_t id, enum consult_event ev,
                  int64_t by, int64_t at_us, const char *reason, int64_t when)
{
    struct consult_facts f;
    sqlite3_stmt *st;
    size_t i, n = sizeof(transitions) / sizeof(transitions[0]);
    int rc = consult_facts(db, id, &f);

    if (rc < 0) {
        return rc;
    }
    for (i = 0; i < n; i++) {
        if (transitions[i].from == f.status && transitions[i].event == ev) {
            break;
        }
    }
    if (i == n) {
        return tc_rec__fail(db, -EPERM, "%s: not allowed from status %s",
                            event_names[ev], status_codes[f.status]);
    }
    rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?", by,
                          "by", "practitioner");
    if (rc == 0) {
        rc = event_preconditions(db, id, &f, ev, by);
    }
    if (rc == 0 && ev == ACCEPT) {
        rc = add_practitioner(db, id, by, at_us);
    }
    st = rc == 0
             ? tc_rec__stmt(db, "UPDATE consultations SET status = ?1,"
                                " status_by = ?2, status_at_us = ?3,"
                                " status_reason = ?4,"
                                " accepted_by = coalesce(?5, accepted_by),"
                                " scheduled_for_us = coalesce(?6,"
                                " scheduled_for_us),"
                                " started_at_us = coalesce(?7, started_at_us),"
                                " ended_at_us = coalesce(?8, ended_at_us)"
                                " WHERE id = ?9")
             : NULL;
    if (!st) {
        return rc < 0 ? rc : -EIO;
    }
    tc_rec__bind_text(st, 1, status_codes[transitions[i].to]);
    sqlite3_bind_int64(st, 2, by);
    sqlite3_bind_int64(st, 3, at_us);
    tc_rec__bind_text(st, 4, reason);
    tc_rec__bind_id(st, 5, ev == ACCEPT ? by : 0);
    tc_rec__bind_id(st, 6, ev == SCHEDULE ? when : 0);
    tc_rec__bind_id(st, 7, ev == START ? at_us : 0);
    tc_rec__bind_id(st, 8, ev == COMPLETE || ev == CANCEL ? at_us : 0);
    sqlite3_bind_int64(st, 9, id);
    return tc_rec__step_done(db, st, "consultation");
}

static int
step_call(struct tc_rec_db *db, int64_t id, enum consult_event ev, int64_t by,
          int64_t at_us, const char *reason, int64_t when)
{
    int rc;

    if (ev == DECLINE || ev == CANCEL) {
        rc = tc_rec__prose_check(db, "reason", reason, MAX_REASON, true);
        if (rc < 0) {
            return rc;
        }
    }
    if (ev == SCHEDULE && when <= 0) {
        return tc_rec__fail(db, -EINVAL, "scheduled_for_us: required");
    }
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(
        db, consultation_step(db, id, ev, by, at_us, reason, when));
}

int
tc_rec_consultation_accept(struct tc_rec_db *db, int64_t id, int64_t by,
                           int64_t at_us)
{
    tc_rec__ok(db);
    return step_call(db, id, ACCEPT, by, at_us, NULL, 0);
}

int
tc_rec_consultation_decline(struct tc_rec_db *db, int64_t id, int64_t by,
                            int64_t at_us, const char *reason)
{
    tc_rec__ok(db);
    return step_call(db, id, DECLINE, by, at_us, reason, 0);
}

int
tc_rec_consultation_schedule(struct tc_rec_db *db, int64_t id, int64_t by,
                             int64_t at_us, int64_t scheduled_for_us)
{
    tc_rec__ok(db);
    return step_call(db, id, SCHEDULE, by, at_us, NULL, scheduled_for_us);
}

int
tc_rec_consultation_start(struct tc_rec_db *db, int64_t id, int64_t by,
                          int64_t at_us)
{
    tc_rec__ok(db);
    return step_call(db, id, START, by, at_us, NULL, 0);
}

int
tc_rec_consultation_cancel(struct tc_rec_db *db, int64_t id, int64_t by,
                           int64_t at_us, const char *reason)
{
    tc_rec__ok(db);
    return step_call(db, id, CANCEL, by, at_us, reason, 0);
}

int
tc_rec_consultation_complete(struct tc_rec_db *db, int64_t id,
                             int64_t author_id, int64_t at_us,
                             const char *opinion)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__prose_check(db, "opinion", opinion, MAX_OPINION, true);
    if (rc == 0) {
        rc = tc_rec__tx_begin(db);
    }
    if (rc < 0) {
        return rc;
    }
    rc = consultation_step(db, id, COMPLETE, author_id, at_us, NULL, 0);
    if (rc == 0) {
        rc = tc_rec__text_version_add(db, TC_REC_TEXT_CONSULTATION_OPINION, id,
                                      opinion, author_id, at_us, NULL, NULL);
    }
    return tc_rec__tx_end(db, rc);
}

int
tc_rec_consultation_opinion_amend(struct tc_rec_db *db, int64_t id,
                                  int64_t author_id, int64_t at_us,
                                  const char *text, const char *reason)
{
    struct consult_facts f;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = consult_facts(db, id, &f);
    if (rc == 0 && f.status != TC_REC_CONSULTATION_COMPLETED) {
        rc = tc_rec__fail(db, -EPERM,
                          "amend: consultation %lld is %s; only "
                          "a signed opinion is amended",
                          (long long)id, status_codes[f.status]);
    }
    if (rc == 0 && !reason) {
        rc = tc_rec__fail(db, -EINVAL, "reason: required");
    }
    if (rc == 0) {
        rc = tc_rec__text_version_add(db, TC_REC_TEXT_CONSULTATION_OPINION, id,
                                      text, author_id, at_us, reason, NULL);
    }
    return tc_rec__tx_end(db, rc);
}

/* ---- the request ---- */

static int
check_request(struct tc_rec_db *db, const struct tc_rec_consultation_new *in)
{
    int rc =
        tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                         in->requester_id, "requester_id", "practitioner");

    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM residents WHERE id = ?",
                              in->resident_id, "resident_id", "resident");
    }
    if (rc == 0 && !in->requested_org_id && !in->requested_specialist_id) {
        rc = tc_rec__fail(db, -EINVAL,
                          "requested_org_id: name the requested "
                          "organization or specialist");
    }
    if (rc == 0 && in->requested_org_id) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM organizations WHERE id = ?",
                              in->requested_org_id, "requested_org_id",
                              "organization");
    }
    if (rc == 0 && in->requested_specialist_id) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              in->requested_specialist_id,
                              "requested_specialist_id", "practitioner");
    }
    if (rc == 0 && !tc_rec_consultation_priority_to_string(in->priority)) {
        rc = tc_rec__fail(db, -EINVAL, "priority: unknown priority %d",
                          (int)in->priority);
    }
    if (rc == 0 && in->requested_at_us <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "requested_at_us: required");
    }
    return rc == 0 ? tc_rec__prose_check(db, "reason", in->reason, MAX_REASON,
                                         true)
                   : rc;
}

static int
insert_request(struct tc_rec_db *db, const struct tc_rec_consultation_new *in,
               int64_t *id_out)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "INSERT INTO consultations (requester_id, requested_org_id,"
            " requested_specialist_id, resident_id, reason, priority,"
            " requested_at_us, status, status_by, status_at_us)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'requested', ?1, ?7)");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, in->requester_id);
    tc_rec__bind_id(st, 2, in->requested_org_id);
    tc_rec__bind_id(st, 3, in->requested_specialist_id);
    sqlite3_bind_int64(st, 4, in->resident_id);
    tc_rec__bind_text(st, 5, in->reason);
    tc_rec__bind_text(st, 6, priority_codes[in->priority]);
    sqlite3_bind_int64(st, 7, in->requested_at_us);
    rc = tc_rec__step_done(db, st, "consultation");
    if (rc == 0) {
        *id_out = sqlite3_last_insert_rowid(db->conn);
        rc = add_practitioner(db, *id_out, in->requester_id,
                              in->requested_at_us);
    }
    return rc;
}

int
tc_rec_consultation_request(struct tc_rec_db *db,
                            const struct tc_rec_consultation_new *in,
                            int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = check_request(db, in);
    if (rc == 0) {
        rc = insert_request(db, in, &id);
    }
    rc = tc_rec__tx_end(db, rc);
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}
