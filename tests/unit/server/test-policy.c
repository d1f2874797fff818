// SPDX-License-Identifier: Apache-2.0
/*
 * test-policy.c - the access policy, rule by rule: each role with and
 * without each care relationship, each action. The decision function is
 * pure, so every case is a table row.
 */
#include <stdio.h>

#include "server-int.h"
#include "tc-test.h"

#define ROLE(r) (1u << TC_SRV__ROLE_##r)

enum rel {
    NONE = 0,
    OWN = 1,
    CARER = 2,
    TEAM = 4,
    THERAPIST = 8,
    CONSULT = 16,
    TOWNSHIP = 32,
    READER = 64,
    REASON = 128,
    ASKED = 256,
    AUTHOR = 512,
    MEMBER = 1024,
    REGISTER = 2048,
    HOST = 4096,      /* hosts the live room */
    PARTY = 8192,     /* a practitioner participant of the room */
    REFERRAL = 16384, /* sends or receives the referral */
    HEAD = 32768,     /* heads the department of the rota */
};

struct row {
    const char *what;
    unsigned roles;
    unsigned rel;
    enum tc_srv__action action;
    enum tc_srv__kind kind;
    bool allow;
    bool break_glass;
};

#define R     TC_SRV__ACT_READ
#define W     TC_SRV__ACT_WRITE
#define S     TC_SRV__ACT_SELF_REPORT
#define X     TC_SRV__ACT_EXPORT
#define REC   TC_SRV__KIND_RECORD
#define STUDY TC_SRV__KIND_STUDY
#define AUDIT TC_SRV__KIND_AUDIT
#define DIR   TC_SRV__KIND_DIRECTORY
#define STATS TC_SRV__KIND_STATS
#define CONS  TC_SRV__KIND_CONSULTATION
#define ROOM  TC_SRV__KIND_ROOM
#define REF   TC_SRV__KIND_REFERRAL
#define ROTA  TC_SRV__KIND_ROTA

static const struct row rows[] = {
    /* residents and carers */
    {"resident reads own record", ROLE(RESIDENT), OWN, R, REC, true, false},
    {"resident self-reports", ROLE(RESIDENT), OWN, S, REC, true, false},
    {"resident exports own record", ROLE(RESIDENT), OWN, X, REC, true, false},
    {"resident cannot write clinical data", ROLE(RESIDENT), OWN, W, REC, false,
     false},
    {"resident reads another resident", ROLE(RESIDENT), NONE, R, REC, false,
     false},
    {"carer reads the resident they act for", ROLE(CARER), CARER, R, REC, true,
     false},
    {"carer of A reads resident B", ROLE(CARER), NONE, R, REC, false, false},
    {"carer cannot break glass", ROLE(CARER), REASON, R, REC, false, false},
    {"carer cannot write clinical data", ROLE(CARER), CARER, W, REC, false,
     false},
    /* family doctors */
    {"family doctor reads contracted resident", ROLE(FAMILY_DOCTOR), TEAM, R,
     REC, true, false},
    {"family doctor writes contracted resident", ROLE(FAMILY_DOCTOR), TEAM, W,
     REC, true, false},
    {"family doctor exports contracted resident", ROLE(FAMILY_DOCTOR), TEAM, X,
     REC, true, false},
    {"family doctor reads uncontracted resident", ROLE(FAMILY_DOCTOR), NONE, R,
     REC, false, false},
    {"family doctor of another township", ROLE(FAMILY_DOCTOR), TOWNSHIP, R,
     REC, false, false},
    {"family doctor cannot self-report", ROLE(FAMILY_DOCTOR), TEAM, S, REC,
     false, false},
    {"family doctor offers a contract for their team", ROLE(FAMILY_DOCTOR),
     MEMBER, W, REC, true, false},
    {"family doctor reads their team's contract", ROLE(FAMILY_DOCTOR), MEMBER,
     R, REC, true, false},
    {"team membership does not export", ROLE(FAMILY_DOCTOR), MEMBER, X, REC,
     false, false},
    {"a resident on no team of the contract", ROLE(RESIDENT), MEMBER, W, REC,
     false, false},
    /* registering a new resident */
    {"family doctor registers a resident", ROLE(FAMILY_DOCTOR), REGISTER, W,
     REC, true, false},
    {"township doctor registers a resident", ROLE(TOWNSHIP_DOCTOR), REGISTER,
     W, REC, true, false},
    {"admin registers a resident", ROLE(ADMIN), REGISTER, W, REC, true, false},
    {"therapist cannot register a resident", ROLE(THERAPIST), REGISTER, W, REC,
     false, false},
    {"registering is not reading", ROLE(ADMIN), REGISTER | REASON, R, REC,
     false, false},
    /* therapists */
    {"therapist on the plan reads", ROLE(THERAPIST), THERAPIST, R, REC, true,
     false},
    {"therapist on the plan writes", ROLE(THERAPIST), THERAPIST, W, REC, true,
     false},
    {"therapist on the plan cannot export", ROLE(THERAPIST), THERAPIST, X, REC,
     false, false},
    {"therapist not on a plan", ROLE(THERAPIST), NONE, R, REC, false, false},
    /* consultations */
    {"specialist in an open consultation reads", ROLE(SPECIALIST), CONSULT, R,
     REC, true, false},
    {"specialist after the consultation closed", ROLE(SPECIALIST), NONE, R,
     REC, false, false},
    {"doctor in an open consultation writes", ROLE(DOCTOR), CONSULT, W, REC,
     true, false},
    {"consultation does not make a therapist a participant", ROLE(THERAPIST),
     CONSULT, R, REC, false, false},
    {"consultation participant cannot export", ROLE(SPECIALIST), CONSULT, X,
     REC, false, false},
    /* township doctors */
    {"township doctor reads a resident of their township",
     ROLE(TOWNSHIP_DOCTOR), TOWNSHIP, R, REC, true, false},
    {"township doctor of another township", ROLE(TOWNSHIP_DOCTOR), NONE, R,
     REC, false, false},
    {"township doctor cannot export a resident of their township",
     ROLE(TOWNSHIP_DOCTOR), TOWNSHIP, X, REC, false, false},
    {"a specialist holding a role at the clinic is not a township doctor",
     ROLE(SPECIALIST), TOWNSHIP, R, REC, false, false},
    /* readers */
    {"ECG reader reads an assigned study", ROLE(ECG_READER), READER, R, STUDY,
     true, false},
    {"ECG reader signs an assigned study's report", ROLE(ECG_READER), READER,
     W, STUDY, true, false},
    {"ECG reader cannot export an assigned study", ROLE(ECG_READER), READER, X,
     STUDY, false, false},
    {"ECG reader reads an unassigned study", ROLE(ECG_READER), NONE, R, STUDY,
     false, false},
    {"ECG reader reads the rest of the record", ROLE(ECG_READER), READER, R,
     REC, false, false},
    {"radiologist reads an assigned study", ROLE(RADIOLOGIST), READER, R,
     STUDY, true, false},
    {"family doctor reads a study of a contracted resident",
     ROLE(FAMILY_DOCTOR), TEAM, R, STUDY, true, false},
    /* break-glass */
    {"clinician breaks glass with a reason", ROLE(DOCTOR), REASON, R, REC,
     true, true},
    {"break-glass does not allow writing", ROLE(DOCTOR), REASON, W, REC, false,
     false},
    {"break-glass does not allow export", ROLE(DOCTOR), REASON, X, REC, false,
     false},
    {"admin reads clinical content only with a reason", ROLE(ADMIN), NONE, R,
     REC, false, false},
    {"admin with a recorded reason", ROLE(ADMIN), REASON, R, REC, true, true},
    {"auditor reads no clinical content", ROLE(AUDITOR), NONE, R, REC, false,
     false},
    /* audit trails */
    {"auditor reads an audit trail", ROLE(AUDITOR), NONE, R, AUDIT, true,
     false},
    {"resident reads own audit trail", ROLE(RESIDENT), OWN, R, AUDIT, true,
     false},
    {"carer reads the resident's audit trail", ROLE(CARER), CARER, R, AUDIT,
     true, false},
    {"family doctor reads an audit trail", ROLE(FAMILY_DOCTOR), TEAM, R, AUDIT,
     false, false},
    {"nobody writes an audit trail", ROLE(AUDITOR), NONE, W, AUDIT, false,
     false},
    /* consultations */
    {"specialist asked to answer reads the request", ROLE(SPECIALIST), ASKED,
     R, CONS, true, false},
    {"specialist asked to answer accepts", ROLE(SPECIALIST), ASKED, W, CONS,
     true, false},
    {"being asked gives no access to the record", ROLE(SPECIALIST), ASKED, R,
     REC, false, false},
    {"opinion author amends after the close", ROLE(SPECIALIST), AUTHOR, W,
     CONS, true, false},
    {"opinion author cannot export", ROLE(SPECIALIST), AUTHOR, X, CONS, false,
     false},
    {"specialist after the consultation closed", ROLE(SPECIALIST), NONE, R,
     CONS, false, false},
    {"participant of the open consultation reads it", ROLE(SPECIALIST),
     CONSULT, R, CONS, true, false},
    {"therapist asked is not a consultant", ROLE(THERAPIST), ASKED, R, CONS,
     false, false},
    {"resident reads own consultation", ROLE(RESIDENT), OWN, R, CONS, true,
     false},
    /* live rooms (signaling join) */
    {"doctor hosting the room joins", ROLE(DOCTOR), HOST, R, ROOM, true,
     false},
    {"therapist of the session hosts it", ROLE(THERAPIST), HOST, R, ROOM, true,
     false},
    {"practitioner participant joins", ROLE(TOWNSHIP_DOCTOR), PARTY, R, ROOM,
     true, false},
    {"resident joins their own room", ROLE(RESIDENT), OWN, R, ROOM, true,
     false},
    {"carer joins for the resident", ROLE(CARER), CARER, R, ROOM, true, false},
    {"family doctor of the team is not in the room", ROLE(FAMILY_DOCTOR), TEAM,
     R, ROOM, false, false},
    {"unrelated doctor is refused", ROLE(DOCTOR), NONE, R, ROOM, false, false},
    {"clinician breaks glass as observer", ROLE(SPECIALIST), REASON, R, ROOM,
     true, true},
    {"resident cannot break glass into a room", ROLE(RESIDENT), REASON, R,
     ROOM, false, false},
    {"host facts without a clinical role", ROLE(ADMIN), HOST, R, ROOM, false,
     false},
    {"participant facts without a clinical role", ROLE(ADMIN), PARTY, R, ROOM,
     false, false},
    {"a room is not written", ROLE(DOCTOR), HOST, W, ROOM, false, false},
    /* directory and statistics */
    {"anyone reads the directory", ROLE(RESIDENT), NONE, R, DIR, true, false},
    {"admin changes the directory", ROLE(ADMIN), NONE, W, DIR, true, false},
    {"doctor changes the directory", ROLE(DOCTOR), NONE, W, DIR, false, false},
    {"family doctor reads statistics", ROLE(FAMILY_DOCTOR), NONE, R, STATS,
     true, false},
    {"resident reads statistics", ROLE(RESIDENT), OWN, R, STATS, false, false},
    /* referrals */
    {"receiving doctor reads a referral", ROLE(DOCTOR), REFERRAL, R, REF, true,
     false},
    {"receiving specialist answers it", ROLE(SPECIALIST), REFERRAL, W, REF,
     true, false},
    {"sending family doctor reads it", ROLE(FAMILY_DOCTOR), REFERRAL, R, REF,
     true, false},
    {"a party does not export it", ROLE(DOCTOR), REFERRAL, X, REF, false,
     false},
    {"the team sees it by the care rules", ROLE(FAMILY_DOCTOR), TEAM, R, REF,
     true, false},
    {"an unrelated doctor is refused", ROLE(DOCTOR), NONE, R, REF, false,
     false},
    {"party facts without a clinical role", ROLE(ADMIN), REFERRAL, R, REF,
     false, false},
    {"a therapist party is not a referrer", ROLE(THERAPIST), REFERRAL, R, REF,
     false, false},
    {"resident reads own referral", ROLE(RESIDENT), OWN, R, REF, true, false},
    /* on-call rota */
    {"a clinician reads the rota", ROLE(TOWNSHIP_DOCTOR), NONE, R, ROTA, true,
     false},
    {"a resident does not", ROLE(RESIDENT), NONE, R, ROTA, false, false},
    {"admin edits the rota", ROLE(ADMIN), NONE, W, ROTA, true, false},
    {"the department head edits it", ROLE(DOCTOR), HEAD, W, ROTA, true, false},
    {"another doctor does not", ROLE(DOCTOR), NONE, W, ROTA, false, false},
    {"head facts without a clinical role", ROLE(AUDITOR), HEAD, W, ROTA, false,
     false},
};

static void
test_every_rule(void)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *row = &rows[i];
        struct tc_srv__who who = {.user_id = 1, .roles = row->roles};
        struct tc_srv__facts f = {
            .own = row->rel & OWN,
            .carer = row->rel & CARER,
            .assigned_reader = row->rel & READER,
            .requested_of = row->rel & ASKED,
            .opinion_author = row->rel & AUTHOR,
            .team_member = row->rel & MEMBER,
            .registering = row->rel & REGISTER,
            .room_host = row->rel & HOST,
            .room_participant = row->rel & PARTY,
            .referral_party = row->rel & REFERRAL,
            .department_head = row->rel & HEAD,
            .rel = {.team = row->rel & TEAM,
                    .therapist = row->rel & THERAPIST,
                    .consultation = row->rel & CONSULT,
                    .township = row->rel & TOWNSHIP},
            .reason = row->rel & REASON ? "patient unconscious" : NULL,
        };
        struct tc_srv__decision d =
            tc_srv__policy_decide(&who, row->action, row->kind, &f);

        if (d.allow != row->allow || d.break_glass != row->break_glass) {
            printf("# %s: allow %d (want %d), break-glass %d, rule %s\n",
                   row->what, d.allow, row->allow, d.break_glass, d.rule);
        }
        TC_CHECK_EQ(d.allow, row->allow);
        TC_CHECK_EQ(d.break_glass, row->break_glass);
        TC_CHECK(d.rule && d.rule[0]);
    }
}

static void
test_a_refusal_says_why(void)
{
    struct tc_srv__who who = {.user_id = 1, .roles = ROLE(FAMILY_DOCTOR)};
    struct tc_srv__facts f = {0};
    struct tc_srv__decision d = tc_srv__policy_decide(&who, R, REC, &f);

    TC_CHECK(!d.allow);
    TC_CHECK_STR_CONTAINS(d.rule, "no care relationship");
}

int
main(void)
{
    TC_RUN(test_every_rule);
    TC_RUN(test_a_refusal_says_why);
    return tc_done();
}
