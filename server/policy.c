// SPDX-License-Identifier: Apache-2.0
/*
 * policy.c - who may do what to whose record. One pure function,
 * tc_srv__policy_decide(), holds every rule; tc_srv__policy_check()
 * gathers the facts it needs from the records, asks it, and writes the
 * audit event for the decision. Every endpoint that touches patient data
 * calls tc_srv__policy_check() before reading or writing anything.
 *
 * The rules (DESIGN.md, docs/security.md):
 *
 *   resident (own record)       read, self-report, export
 *   carer acting for resident   read, self-report, export
 *   family doctor / nurse / ... read, write, export when a member of the
 *                               team holding the resident's active contract;
 *                               read, write a contract of their own team
 *                               (an offer before it is signed)
 *   township / family doctor,   register a new resident
 *   admin
 *   therapist                   read, write when on an open plan of theirs
 *   doctor / specialist /       read, write while participating in an open
 *   township doctor             consultation about the resident
 *   township doctor             read, write for residents of the township
 *                               whose clinic they work at
 *   ECG reader / radiologist    a study assigned to them (read, write its
 *                               report); not the rest of the record
 *   doctor / specialist /       a consultation requested of them (or of
 *   township doctor             their organization) while it awaits an
 *                               answer, and one whose opinion they signed
 *                               (read it, amend the opinion); not the rest
 *                               of the record
 *   host, participant, patient  join the live room of a consultation or
 *   (or their carer)            rehab session (signaling.c: who is which
 *                               comes from the record); any clinician or
 *                               admin may break glass to join as observer
 *   doctor / specialist /       a referral they sent or receive (the
 *   township / family doctor    department they work in, the team they are
 *                               on, the clinic they work at): read it,
 *                               answer it; the resident's own care rules
 *                               (the family-doctor team) apply besides
 *   any clinician or admin      read a department's on-call rota
 *   admin, department head      edit a department's on-call rota
 *   auditor                     audit trails; no clinical content
 *   admin                       directory and accounts; no clinical content
 *   any clinician or admin      break-glass read with a stated reason,
 *                               audited as such and logged loudly
 *
 * Anything else is refused, and the refusal is audited.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "policy"

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "server-int.h"
#include "tc-records.h"

#define HAS(who, role) (((who)->roles >> (TC_SRV__ROLE_##role)) & 1u)

static const char *const action_names[] = {
    [TC_SRV__ACT_READ] = "read",
    [TC_SRV__ACT_WRITE] = "write",
    [TC_SRV__ACT_SELF_REPORT] = "self-report",
    [TC_SRV__ACT_EXPORT] = "export",
};

const char *
tc_srv__action_name(enum tc_srv__action action)
{
    return action_names[action];
}

static bool
is_clinician(const struct tc_srv__who *who)
{
    return HAS(who, DOCTOR) || HAS(who, SPECIALIST) ||
           HAS(who, TOWNSHIP_DOCTOR) || HAS(who, FAMILY_DOCTOR) ||
           HAS(who, THERAPIST) || HAS(who, ECG_READER) ||
           HAS(who, RADIOLOGIST);
}

static struct tc_srv__decision
allow(const char *rule)
{
    return (struct tc_srv__decision){.allow = true, .rule = rule};
}

static struct tc_srv__decision
deny(const char *rule)
{
    return (struct tc_srv__decision){.allow = false, .rule = rule};
}

/* A resident's record: demographics, contracts, plans, sessions,
 * consultations, studies. */
static struct tc_srv__decision
decide_record(const struct tc_srv__who *who, enum tc_srv__action action,
              const struct tc_srv__facts *f)
{
    /* Care relationships allow reading and writing the record; only the
     * family-doctor team may also export it. */
    bool care = action == TC_SRV__ACT_READ || action == TC_SRV__ACT_WRITE;

    if (f->registering) {
        return action == TC_SRV__ACT_WRITE &&
                       (HAS(who, TOWNSHIP_DOCTOR) || HAS(who, FAMILY_DOCTOR) ||
                        HAS(who, ADMIN))
                   ? allow("registering a new resident")
                   : deny("only township doctors, family doctors and "
                          "administrators register residents");
    }
    if (f->own && action != TC_SRV__ACT_WRITE) {
        return allow("own record");
    }
    if (f->carer && action != TC_SRV__ACT_WRITE) {
        return allow("carer acting for the resident");
    }
    if ((care || action == TC_SRV__ACT_EXPORT) && f->rel.team &&
        (HAS(who, FAMILY_DOCTOR) || HAS(who, THERAPIST) || HAS(who, DOCTOR) ||
         HAS(who, TOWNSHIP_DOCTOR))) {
        return allow("member of the resident's family-doctor team");
    }
    if (care && f->team_member &&
        (HAS(who, FAMILY_DOCTOR) || HAS(who, DOCTOR) ||
         HAS(who, TOWNSHIP_DOCTOR))) {
        return allow("member of the contract's team");
    }
    if (care && f->rel.therapist && HAS(who, THERAPIST)) {
        return allow("therapist on the resident's rehab plan");
    }
    if (care && f->rel.consultation &&
        (HAS(who, DOCTOR) || HAS(who, SPECIALIST) ||
         HAS(who, TOWNSHIP_DOCTOR))) {
        return allow("participant of an open consultation");
    }
    if (care && f->rel.township && HAS(who, TOWNSHIP_DOCTOR)) {
        return allow("doctor at the resident's township clinic");
    }
    if (action == TC_SRV__ACT_READ && f->reason &&
        (is_clinician(who) || HAS(who, ADMIN))) {
        return (struct tc_srv__decision){
            .allow = true, .break_glass = true, .rule = "break-glass"};
    }
    return deny("no care relationship with this resident");
}

/* Joining a live room (READ: seeing and hearing it). */
static struct tc_srv__decision
decide_room(const struct tc_srv__who *who, enum tc_srv__action action,
            const struct tc_srv__facts *f)
{
    if (action != TC_SRV__ACT_READ) {
        return deny("a room is joined, not written");
    }
    if (f->room_host && is_clinician(who)) {
        return allow("host of the room");
    }
    if (f->room_participant && is_clinician(who)) {
        return allow("participant of the consultation");
    }
    if (f->own) {
        return allow("the room's patient");
    }
    if (f->carer) {
        return allow("carer acting for the room's patient");
    }
    if (f->reason && (is_clinician(who) || HAS(who, ADMIN))) {
        return (struct tc_srv__decision){
            .allow = true, .break_glass = true, .rule = "break-glass"};
    }
    return deny("not a participant of the room");
}

struct tc_srv__decision
tc_srv__policy_decide(const struct tc_srv__who *who,
                      enum tc_srv__action action, enum tc_srv__kind kind,
                      const struct tc_srv__facts *f)
{
    switch (kind) {
    case TC_SRV__KIND_RECORD:
        return decide_record(who, action, f);
    case TC_SRV__KIND_STUDY:
        if (f->assigned_reader &&
            (HAS(who, ECG_READER) || HAS(who, RADIOLOGIST)) &&
            action != TC_SRV__ACT_EXPORT) {
            return allow("reader assigned to the study");
        }
        return decide_record(who, action, f);
    case TC_SRV__KIND_CONSULTATION:
        if ((f->requested_of || f->opinion_author) &&
            (HAS(who, DOCTOR) || HAS(who, SPECIALIST) ||
             HAS(who, TOWNSHIP_DOCTOR)) &&
            (action == TC_SRV__ACT_READ || action == TC_SRV__ACT_WRITE)) {
            return allow(f->requested_of
                             ? "asked to answer the consultation"
                             : "author of the consultation's opinion");
        }
        return decide_record(who, action, f);
    case TC_SRV__KIND_ROOM:
        return decide_room(who, action, f);
    case TC_SRV__KIND_REFERRAL:
        if (f->referral_party &&
            (HAS(who, DOCTOR) || HAS(who, SPECIALIST) ||
             HAS(who, TOWNSHIP_DOCTOR) || HAS(who, FAMILY_DOCTOR)) &&
            (action == TC_SRV__ACT_READ || action == TC_SRV__ACT_WRITE)) {
            return allow("party to the referral");
        }
        return decide_record(who, action, f);
    case TC_SRV__KIND_ROTA:
        if (action == TC_SRV__ACT_READ) {
            return is_clinician(who) || HAS(who, ADMIN)
                       ? allow("on-call rota")
                       : deny("the on-call rota is for staff");
        }
        if (HAS(who, ADMIN)) {
            return allow("administrator");
        }
        if (f->department_head && is_clinician(who)) {
            return allow("head of the department");
        }
        return deny("only administrators and the department's head edit "
                    "its on-call rota");
    case TC_SRV__KIND_AUDIT:
        if (action != TC_SRV__ACT_READ) {
            return deny("the audit trail is append-only");
        }
        if (HAS(who, AUDITOR)) {
            return allow("auditor");
        }
        if (f->own || f->carer) {
            return allow("own audit trail");
        }
        return deny("only auditors and the resident read an audit trail");
    case TC_SRV__KIND_DIRECTORY:
        if (action == TC_SRV__ACT_READ) {
            return allow("directory");
        }
        return HAS(who, ADMIN) ? allow("administrator")
                               : deny("only administrators change the "
                                      "directory");
    case TC_SRV__KIND_STATS:
        if (HAS(who, ADMIN) || HAS(who, AUDITOR) || is_clinician(who)) {
            return allow("aggregate statistics");
        }
        return deny("statistics are for staff");
    }
    return deny("unknown resource");
}

/*
 * The care-relationship facts a caller's roles can use (decide_record's
 * rules): asking only for those saves a query each. A fact not asked for
 * stays false, which no rule of the caller's roles reads.
 */
static unsigned
facts_for_roles(const struct tc_srv__who *who)
{
    unsigned wanted = 0;

    if (HAS(who, FAMILY_DOCTOR) || HAS(who, THERAPIST) || HAS(who, DOCTOR) ||
        HAS(who, TOWNSHIP_DOCTOR)) {
        wanted |= TC_REC_FACT_TEAM;
    }
    if (HAS(who, THERAPIST)) {
        wanted |= TC_REC_FACT_THERAPIST;
    }
    if (HAS(who, DOCTOR) || HAS(who, SPECIALIST) ||
        HAS(who, TOWNSHIP_DOCTOR)) {
        wanted |= TC_REC_FACT_CONSULTATION;
    }
    if (HAS(who, TOWNSHIP_DOCTOR)) {
        wanted |= TC_REC_FACT_TOWNSHIP;
    }
    return wanted;
}

/* Relationship facts between the caller and a resident. */
static int
gather(struct tc_srv *srv, const struct tc_srv__who *who, int64_t resident_id,
       struct tc_srv__facts *f)
{
    int rc;

    f->own = who->resident_id > 0 && who->resident_id == resident_id;
    if (who->carer_id > 0) {
        rc = tc_rec_carer_acts_for(srv->db, who->carer_id, resident_id,
                                   &f->carer);
        if (rc < 0) {
            return rc;
        }
    }
    return tc_rec_access_facts_get(srv->db, who->practitioner_id, resident_id,
                                   facts_for_roles(who), &f->rel);
}

static enum tc_rec_audit_action
audit_action(enum tc_srv__action action)
{
    return action == TC_SRV__ACT_READ     ? TC_REC_AUDIT_READ
           : action == TC_SRV__ACT_EXPORT ? TC_REC_AUDIT_EXECUTE
                                          : TC_REC_AUDIT_UPDATE;
}

/* The facts a request states itself (the rest come from gather()). */
static struct tc_srv__facts
facts_of(const struct tc_srv__target *t)
{
    return (struct tc_srv__facts){
        .assigned_reader = t->assigned_reader,
        .requested_of = t->requested_of,
        .opinion_author = t->opinion_author,
        .team_member = t->team_member,
        .referral_party = t->referral_party,
        .department_head = t->department_head,
        .registering = t->registering && t->kind == TC_SRV__KIND_RECORD &&
                       t->resident_id == 0,
    };
}

int
tc_srv__policy_peek(struct tc_srv *srv, struct tc_srv__call *call,
                    const struct tc_srv__target *t,
                    struct tc_srv__decision *out)
{
    struct tc_srv__facts f = facts_of(t);
    int rc = 0;

    if (t->resident_id > 0) {
        rc = gather(srv, call->req.who, t->resident_id, &f);
    }
    if (rc < 0) {
        return rc;
    }
    *out = tc_srv__policy_decide(call->req.who, t->action, t->kind, &f);
    return 0;
}

bool
tc_srv__policy_check(struct tc_srv *srv, struct tc_srv__call *call,
                     const struct tc_srv__target *t)
{
    const struct tc_srv__who *who = call->req.who;
    struct tc_srv__facts f = facts_of(t);
    struct tc_srv__decision d;
    char reason[256] = "";
    int rc = 0;

    if (tc_srv__call_header(call, "x-access-reason", reason, sizeof(reason)) >
        0) {
        f.reason = reason;
    }
    if (t->resident_id > 0) {
        rc = gather(srv, who, t->resident_id, &f);
    }
    if (rc == -ENOENT) {
        tc_srv__resp_error(&call->resp, 404, "resident: not found");
        return false;
    }
    if (rc < 0) {
        tc_srv__resp_error(&call->resp, 500, "records unavailable");
        return false;
    }
    d = tc_srv__policy_decide(who, t->action, t->kind, &f);
    tc_srv__audit(srv, call, audit_action(t->action), t->entity_type,
                  t->entity_id, t->resident_id,
                  d.allow ? TC_REC_AUDIT_SUCCESS : TC_REC_AUDIT_DENIED,
                  d.break_glass ? reason : t->purpose, d.rule);
    if (d.break_glass) {
        g_warning("BREAK-GLASS: user %" G_GINT64_FORMAT
                  " opened %s %" G_GINT64_FORMAT
                  " of resident %" G_GINT64_FORMAT " outside the care rules",
                  who->user_id, t->entity_type, t->entity_id, t->resident_id);
    }
    if (!d.allow) {
        tc_srv__resp_error(&call->resp, 403, d.rule);
    }
    return d.allow;
}

bool
tc_srv__policy_check_record(struct tc_srv *srv, struct tc_srv__call *call,
                            enum tc_srv__action action, int64_t resident_id,
                            const char *entity_type, int64_t entity_id)
{
    struct tc_srv__target t = {
        .action = action,
        .kind = TC_SRV__KIND_RECORD,
        .resident_id = resident_id,
        .entity_type = entity_type,
        .entity_id = entity_id,
    };

    return tc_srv__policy_check(srv, call, &t);
}
