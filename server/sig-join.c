// SPDX-License-Identifier: Apache-2.0
/*
 * sig-join.c - the records side of a room: who may join it and as what,
 * and the attendance it leaves in the record.
 *
 * A join reads the record (consultation, or rehab session and its plan),
 * turns it into facts about the caller (hosts the room, another
 * practitioner participant, the patient, a carer acting for them), asks
 * the access policy (KIND_ROOM) and audits the answer; then checks that
 * the record has a live call now (a consultation accepted, scheduled or
 * in progress; a live-guided session scheduled or in progress). The role
 * follows the facts in the policy's order: host, participant, patient;
 * a break-glass join is an observer.
 *
 *   record missing     -> not-found
 *   policy refuses     -> forbidden (audited as denied)
 *   no live call       -> bad-state (audited as allowed: access was)
 *
 * Attendance: a consultation's attendance log gets a join when a member
 * enters the call (joins, is admitted, resumes) and a leave when it
 * leaves it (leaves, is removed, drops); the records accept these only
 * while the consultation is in progress and only for its participants,
 * so a patient or carer is added as a participant on their first join.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "signaling"

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "rehab-int.h"
#include "server-int.h"
#include "sig-int.h"
#include "tc-records.h"

struct room_facts {
    int64_t resident_id;
    bool host;        /* consultation: accepting doctor or named
                         specialist; rehab: a therapist of the session */
    bool participant; /* another practitioner participant */
    bool open;        /* the record is in a state that has a call */
    const char *status;
};

static enum tc_srv__sig_err
consultation_facts(struct tc_srv *srv, const struct tc_srv__who *who,
                   int64_t id, struct room_facts *rf,
                   struct tc_srv__sig_error *err)
{
    struct tc_rec_consultation *c = NULL;
    int64_t pid = who->practitioner_id;
    int rc = tc_rec_consultation_get(srv->db, id, &c);

    if (rc == -ENOENT) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_NOT_FOUND,
                                "no consultation %" G_GINT64_FORMAT, id);
    }
    if (rc < 0) {
        g_warning("consultation %" G_GINT64_FORMAT ": %s", id,
                  g_strerror(-rc));
        return tc_srv__sig_fail(err, TC_SRV__SIG_INTERNAL,
                                "records unavailable");
    }
    rf->resident_id = c->resident_id;
    rf->host = pid > 0 &&
               (c->accepted_by == pid || c->requested_specialist_id == pid);
    for (size_t i = 0; i < c->n_participants && pid > 0; i++) {
        rf->participant |=
            c->participants[i].kind == TC_REC_PARTY_PRACTITIONER &&
            c->participants[i].party_id == pid;
    }
    rf->open = c->status == TC_REC_CONSULTATION_ACCEPTED ||
               c->status == TC_REC_CONSULTATION_SCHEDULED ||
               c->status == TC_REC_CONSULTATION_IN_PROGRESS;
    rf->status = tc_rec_consultation_status_to_string(c->status);
    tc_rec_consultation_free(c);
    return TC_SRV__SIG_OK;
}

static enum tc_srv__sig_err
rehab_facts(struct tc_srv *srv, const struct tc_srv__who *who, int64_t id,
            struct room_facts *rf, struct tc_srv__sig_error *err)
{
    struct tc_rec_rehab_session *s = NULL;
    struct tc_rec_rehab_plan *plan = NULL;
    int64_t pid = who->practitioner_id;
    int rc = tc_rec_rehab_session_get(srv->db, id, &s);

    if (rc == 0) {
        rc = tc_rec_rehab_plan_get(srv->db, s->plan_id, &plan);
    }
    if (rc == -ENOENT) {
        tc_rec_rehab_session_free(s);
        return tc_srv__sig_fail(err, TC_SRV__SIG_NOT_FOUND,
                                "no rehab session %" G_GINT64_FORMAT, id);
    }
    if (rc < 0) {
        tc_rec_rehab_session_free(s);
        g_warning("rehab session %" G_GINT64_FORMAT ": %s", id,
                  g_strerror(-rc));
        return tc_srv__sig_fail(err, TC_SRV__SIG_INTERNAL,
                                "records unavailable");
    }
    rf->resident_id = s->resident_id;
    rf->host = pid > 0 && s->therapist_id == pid;
    for (size_t i = 0; i < plan->n_therapists && pid > 0; i++) {
        rf->host |= plan->therapist_ids[i] == pid;
    }
    rf->open = s->mode == TC_REC_REHAB_LIVE_GUIDED &&
               (s->status == TC_REC_REHAB_SESSION_SCHEDULED ||
                s->status == TC_REC_REHAB_SESSION_IN_PROGRESS);
    rf->status = s->mode != TC_REC_REHAB_LIVE_GUIDED
                     ? tc_rec_rehab_session_mode_to_string(s->mode)
                     : tc_rec_rehab_session_status_to_string(s->status);
    tc_rec_rehab_plan_free(plan);
    tc_rec_rehab_session_free(s);
    return TC_SRV__SIG_OK;
}

/* Decide and audit a join; on success *role is the room role. */
static enum tc_srv__sig_err
join_decide(struct tc_srv *srv, const struct tc_srv__sig_peer *peer,
            const char *client_addr, const struct tc_srv__sig_msg *msg,
            const struct room_facts *rf, enum tc_srv__sig_role *role,
            struct tc_srv__sig_error *err)
{
    const struct tc_srv__who *who = &peer->who;
    const char *entity = msg->kind == TC_SRV__SIG_ROOM_CONSULTATION
                             ? "consultation"
                             : "rehab_session";
    struct tc_srv__facts f = {
        .own = who->resident_id > 0 && who->resident_id == rf->resident_id,
        .room_host = rf->host,
        .room_participant = rf->participant,
        .reason = msg->reason,
    };
    /* tc_srv__audit() reads only the caller and the address. */
    struct tc_srv__call call = {
        .req = {.who = who, .client_addr = client_addr}};
    struct tc_srv__decision d;

    if (who->carer_id > 0 &&
        tc_rec_carer_acts_for(srv->db, who->carer_id, rf->resident_id,
                              &f.carer) < 0) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_INTERNAL,
                                "records unavailable");
    }
    d = tc_srv__policy_decide(who, TC_SRV__ACT_READ, TC_SRV__KIND_ROOM, &f);
    tc_srv__audit(srv, &call, TC_REC_AUDIT_READ, entity, msg->record_id,
                  rf->resident_id,
                  d.allow ? TC_REC_AUDIT_SUCCESS : TC_REC_AUDIT_DENIED,
                  d.break_glass ? msg->reason : "join the live room", d.rule);
    if (!d.allow) {
        g_message("peer %s: join %s refused: %s", peer->id, msg->room, d.rule);
        return tc_srv__sig_fail(err, TC_SRV__SIG_FORBIDDEN,
                                "not a participant of %s %" G_GINT64_FORMAT,
                                msg->kind == TC_SRV__SIG_ROOM_CONSULTATION
                                    ? "consultation"
                                    : "rehab session",
                                msg->record_id);
    }
    if (d.break_glass) {
        g_warning("BREAK-GLASS: user %" G_GINT64_FORMAT
                  " joined %s as an observer outside the care rules",
                  who->user_id, msg->room);
    }
    *role = rf->host && !d.break_glass             ? TC_SRV__SIG_HOST
            : rf->participant && !d.break_glass    ? TC_SRV__SIG_PARTICIPANT
            : (f.own || f.carer) && !d.break_glass ? TC_SRV__SIG_PATIENT
                                                   : TC_SRV__SIG_OBSERVER;
    return TC_SRV__SIG_OK;
}

bool
tc_srv__sig_account_disabled(struct tc_srv *srv,
                             const struct tc_srv__sig_peer *peer)
{
    struct tc_rec_user *u = NULL;
    bool disabled;

    if (tc_rec_user_get(srv->db, peer->who.user_id, &u) < 0) {
        return false; /* an unreadable record is not a refusal */
    }
    disabled = u->disabled;
    tc_rec_user_free(u);
    return disabled;
}

enum tc_srv__sig_err
tc_srv__sig_join(struct tc_srv *srv, struct tc_srv__sig_hub *hub,
                 struct tc_srv__sig_peer *peer, const char *client_addr,
                 const struct tc_srv__sig_msg *msg,
                 struct tc_srv__sig_error *err)
{
    struct room_facts rf = {0};
    enum tc_srv__sig_role role;
    enum tc_srv__sig_err rc;

    rc = msg->kind == TC_SRV__SIG_ROOM_CONSULTATION
             ? consultation_facts(srv, &peer->who, msg->record_id, &rf, err)
             : rehab_facts(srv, &peer->who, msg->record_id, &rf, err);
    if (rc == TC_SRV__SIG_OK) {
        rc = join_decide(srv, peer, client_addr, msg, &rf, &role, err);
    }
    if (rc == TC_SRV__SIG_OK && !rf.open) {
        rc =
            tc_srv__sig_fail(err, TC_SRV__SIG_BAD_STATE,
                             "%s has no live call (%s)", msg->room, rf.status);
    }
    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    return tc_srv__sig_room_join(hub, peer, msg, rf.resident_id, role, err);
}

static void
consultation_attend(struct tc_srv *srv, const struct tc_srv__sig_room *room,
                    const struct tc_srv__sig_peer *peer, bool present)
{
    const struct tc_srv__who *who = &peer->who;
    enum tc_rec_party_kind kind = TC_REC_PARTY_PRACTITIONER;
    int64_t party = who->practitioner_id, at_us = g_get_real_time();
    int rc;

    if (who->resident_id > 0 && who->resident_id == room->resident_id) {
        kind = TC_REC_PARTY_RESIDENT;
        party = who->resident_id;
    } else if (who->carer_id > 0) {
        kind = TC_REC_PARTY_CARER;
        party = who->carer_id;
    }
    if (party <= 0) {
        return;
    }
    if (!present) {
        rc = tc_rec_consultation_leave(srv->db, room->record_id, kind, party,
                                       at_us);
    } else {
        rc = tc_rec_consultation_join(srv->db, room->record_id, kind, party,
                                      at_us);
        if (rc == -ENOENT && kind != TC_REC_PARTY_PRACTITIONER &&
            tc_rec_consultation_participant_add(srv->db, room->record_id, kind,
                                                party, at_us, NULL) == 0) {
            rc = tc_rec_consultation_join(srv->db, room->record_id, kind,
                                          party, at_us);
        }
    }
    if (rc < 0) {
        /* Attendance is logged only while the consultation is in
         * progress, and only for its participants (not observers). */
        g_debug("attendance of peer %s in %s not recorded: %s", peer->id,
                room->name, g_strerror(-rc));
    }
}

/* Consultation rooms log attendance with the consultation; rehab-session
 * rooms in the session's attendance log (sig-rehab.c). */
void
tc_srv__sig_attend(void *ctx, const struct tc_srv__sig_room *room,
                   const struct tc_srv__sig_peer *peer, bool present)
{
    if (room->kind == TC_SRV__SIG_ROOM_CONSULTATION) {
        consultation_attend(ctx, room, peer, present);
        tc_srv__emergency_attend(ctx, room->record_id,
                                 peer->who.practitioner_id, present);
    } else if (room->kind == TC_SRV__SIG_ROOM_REHAB_SESSION) {
        tc_srv__sig_rehab_attend(ctx, room, peer, present);
    }
}
