// SPDX-License-Identifier: Apache-2.0
/*
 * test-consultation.c - consultations: the request, the lifecycle with
 * every refused transition, who may accept, consent, participants and
 * their attendance log, attached studies and the access-policy query.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "clinical-fixture.h"
#include "tc-test.h"

#define T0  us_at("2026-03-02", 9)
#define MIN 60000000LL

static int64_t
request(struct fixture *f)
{
    struct tc_rec_consultation_new in = {
        .requester_id = f->doctor,
        .requested_org_id = f->city,
        .resident_id = f->resident,
        .reason = "Palpitations; ECG shows pauses.",
        .priority = TC_REC_CONSULTATION_URGENT,
        .requested_at_us = T0,
    };
    int64_t id = 0;

    if (tc_rec_consultation_request(f->db, &in, &id) != 0) {
        printf("# request: %s\n", tc_rec_errmsg(f->db));
        abort();
    }
    return id;
}

/* A consultation in status `s`, the way clinicians get there. */
static int64_t
consultation_in(struct fixture *f, enum tc_rec_consultation_status s)
{
    int64_t id = request(f);

    if (s == TC_REC_CONSULTATION_DECLINED) {
        tc_rec_consultation_decline(f->db, id, f->specialist, T0, "no slot");
    }
    if (s == TC_REC_CONSULTATION_CANCELLED) {
        tc_rec_consultation_cancel(f->db, id, f->doctor, T0, "resolved");
    }
    if (s >= TC_REC_CONSULTATION_ACCEPTED &&
        s != TC_REC_CONSULTATION_DECLINED &&
        s != TC_REC_CONSULTATION_CANCELLED) {
        tc_rec_consultation_accept(f->db, id, f->specialist, T0);
        tc_rec_consultation_consent_give(f->db, id,
                                         TC_REC_CONSENT_TELECONSULTATION, 0,
                                         f->doctor, T0, NULL);
    }
    if (s >= TC_REC_CONSULTATION_SCHEDULED &&
        s != TC_REC_CONSULTATION_CANCELLED) {
        tc_rec_consultation_schedule(f->db, id, f->specialist, T0,
                                     T0 + 60 * MIN);
    }
    if (s >= TC_REC_CONSULTATION_IN_PROGRESS &&
        s != TC_REC_CONSULTATION_CANCELLED) {
        tc_rec_consultation_start(f->db, id, f->specialist, T0 + 60 * MIN);
    }
    if (s == TC_REC_CONSULTATION_COMPLETED) {
        tc_rec_consultation_complete(f->db, id, f->specialist, T0 + 90 * MIN,
                                     "Sick sinus syndrome likely.");
    }
    return id;
}

static void
test_request_is_checked_and_the_requester_takes_part(void)
{
    struct fixture f;
    struct tc_rec_consultation_new in = {0};
    struct tc_rec_consultation *c = NULL;
    int64_t id = 0;
    char *before;

    fixture_open(&f, "consult-request.db");
    in.requester_id = f.doctor;
    in.resident_id = f.resident;
    in.reason = "Second opinion";
    in.priority = TC_REC_CONSULTATION_ROUTINE;
    in.requested_at_us = T0;
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_consultation_request(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "requested");
    in.requested_specialist_id = f.specialist;
    in.priority = 9;
    TC_CHECK_EQ(tc_rec_consultation_request(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "priority");
    in.priority = TC_REC_CONSULTATION_EMERGENCY;
    in.reason = "";
    TC_CHECK_EQ(tc_rec_consultation_request(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "reason");
    in.reason = "Chest pain";
    in.resident_id = 999;
    TC_CHECK_EQ(tc_rec_consultation_request(f.db, &in, &id), -ENOENT);
    TC_CHECK_EQ(id, 0);
    TC_CHECK_UNCHANGED(&f, before);
    in.resident_id = f.resident;
    TC_CHECK_EQ(tc_rec_consultation_request(f.db, &in, &id), 0);
    TC_REQUIRE(tc_rec_consultation_get(f.db, id, &c) == 0);
    TC_CHECK_EQ(c->status, TC_REC_CONSULTATION_REQUESTED);
    TC_CHECK_EQ(c->priority, TC_REC_CONSULTATION_EMERGENCY);
    TC_REQUIRE(c->n_participants == 1);
    TC_CHECK_EQ(c->participants[0].kind, TC_REC_PARTY_PRACTITIONER);
    TC_CHECK_EQ(c->participants[0].party_id, f.doctor);
    TC_CHECK(c->opinion == NULL);
    tc_rec_consultation_free(c);
    fixture_close(&f);
}

static void
test_consultation_runs_from_request_to_signed_opinion(void)
{
    struct fixture f;
    struct tc_rec_consultation *c = NULL;
    int64_t id;

    fixture_open(&f, "consult-life.db");
    id = consultation_in(&f, TC_REC_CONSULTATION_COMPLETED);
    TC_REQUIRE(tc_rec_consultation_get(f.db, id, &c) == 0);
    TC_CHECK_EQ(c->status, TC_REC_CONSULTATION_COMPLETED);
    TC_CHECK_EQ(c->accepted_by, f.specialist);
    TC_CHECK_EQ(c->scheduled_for_us, T0 + 60 * MIN);
    TC_CHECK_EQ(c->started_at_us, T0 + 60 * MIN);
    TC_CHECK_EQ(c->ended_at_us, T0 + 90 * MIN);
    TC_CHECK_EQ(c->n_participants, 2);
    TC_CHECK_STR_EQ(c->opinion, "Sick sinus syndrome likely.");
    TC_CHECK_EQ(c->opinion_version, 1);
    TC_CHECK_EQ(c->opinion_author_id, f.specialist);
    TC_CHECK_EQ(c->opinion_signed_at_us, T0 + 90 * MIN);
    tc_rec_consultation_free(c);

    /* An emergency goes from accepted straight to the call. */
    id = consultation_in(&f, TC_REC_CONSULTATION_ACCEPTED);
    TC_CHECK_EQ(tc_rec_consultation_start(f.db, id, f.specialist, T0), 0);
    /* A scheduled one can be moved. */
    id = consultation_in(&f, TC_REC_CONSULTATION_SCHEDULED);
    TC_CHECK_EQ(tc_rec_consultation_schedule(f.db, id, f.specialist, T0,
                                             T0 + 120 * MIN),
                0);
    TC_REQUIRE(tc_rec_consultation_get(f.db, id, &c) == 0);
    TC_CHECK_EQ(c->scheduled_for_us, T0 + 120 * MIN);
    tc_rec_consultation_free(c);
    fixture_close(&f);
}

static int
consult_event(struct fixture *f, int64_t id, int ev)
{
    switch (ev) {
    case 0:
        return tc_rec_consultation_accept(f->db, id, f->specialist, T0);
    case 1:
        return tc_rec_consultation_decline(f->db, id, f->specialist, T0,
                                           "busy");
    case 2:
        return tc_rec_consultation_schedule(f->db, id, f->specialist, T0,
                                            T0 + MIN);
    case 3:
        return tc_rec_consultation_start(f->db, id, f->specialist, T0);
    case 4:
        return tc_rec_consultation_complete(f->db, id, f->specialist, T0,
                                            "Opinion.");
    default:
        return tc_rec_consultation_cancel(f->db, id, f->doctor, T0, "gone");
    }
}

static void
test_consultation_refuses_every_transition_without_an_arrow(void)
{
    /* allowed[status][event]: accept, decline, schedule, start, complete,
     * cancel */
    static const bool allowed[8][6] = {
        [TC_REC_CONSULTATION_REQUESTED] = {1, 1, 0, 0, 0, 1},
        [TC_REC_CONSULTATION_ACCEPTED] = {0, 0, 1, 1, 0, 1},
        [TC_REC_CONSULTATION_SCHEDULED] = {0, 0, 1, 1, 0, 1},
        [TC_REC_CONSULTATION_IN_PROGRESS] = {0, 0, 0, 0, 1, 0},
    };
    static const char *const events[] = {"accept", "decline",  "schedule",
                                         "start",  "complete", "cancel"};
    struct fixture f;
    int refused = 0;

    fixture_open(&f, "consult-refused.db");
    for (int s = TC_REC_CONSULTATION_REQUESTED;
         s <= TC_REC_CONSULTATION_CANCELLED; s++) {
        for (int ev = 0; ev < 6; ev++) {
            int64_t id =
                consultation_in(&f, (enum tc_rec_consultation_status)s);
            char *before = fixture_dump(&f);
            int rc = consult_event(&f, id, ev);
            if (allowed[s][ev]) {
                free(before);
                TC_CHECK_EQ(rc, 0);
                continue;
            }
            refused++;
            TC_CHECK_EQ(rc, -EPERM);
            TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), events[ev]);
            TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db),
                                  tc_rec_consultation_status_to_string(
                                      (enum tc_rec_consultation_status)s));
            TC_CHECK_UNCHANGED(&f, before);
        }
    }
    TC_CHECK_EQ(refused, 32);
    fixture_close(&f);
}

static void
test_only_the_requested_side_accepts_and_start_needs_consent(void)
{
    struct fixture f;
    int64_t id;
    char *before;

    fixture_open(&f, "consult-accept.db");
    id = request(&f);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_consultation_accept(f.db, id, f.radiologist, T0),
                -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "no role at the requested");
    TC_CHECK_EQ(tc_rec_consultation_decline(f.db, id, f.specialist, T0, NULL),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "reason");
    TC_CHECK_UNCHANGED(&f, before);
    TC_CHECK_EQ(tc_rec_consultation_accept(f.db, id, f.specialist, T0), 0);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_consultation_start(f.db, id, f.specialist, T0), -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "consent to teleconsultation");
    TC_CHECK_EQ(tc_rec_consultation_start(f.db, id, f.radiologist, T0),
                -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "not a participant");
    TC_CHECK_EQ(tc_rec_consultation_schedule(f.db, id, f.specialist, T0, 0),
                -EINVAL);
    TC_CHECK_UNCHANGED(&f, before);
    TC_CHECK_EQ(tc_rec_consultation_consent_give(
                    f.db, id, TC_REC_CONSENT_TELECONSULTATION, f.carer,
                    f.doctor, T0, NULL),
                0);
    TC_CHECK_EQ(tc_rec_consultation_start(f.db, id, f.specialist, T0), 0);
    fixture_close(&f);
}

static void
test_recording_consent_can_be_withdrawn(void)
{
    struct fixture f;
    struct tc_rec_consultation *c = NULL;
    bool allowed = true;
    int64_t id, cid = 0;
    char *before;

    fixture_open(&f, "consult-consent.db");
    id = consultation_in(&f, TC_REC_CONSULTATION_IN_PROGRESS);
    TC_CHECK_EQ(tc_rec_consultation_recording_allowed(f.db, id, &allowed), 0);
    TC_CHECK(!allowed);
    before = fixture_dump(&f);
    TC_CHECK_EQ(
        tc_rec_consultation_consent_give(f.db, id, TC_REC_CONSENT_RECORDING,
                                         f.stranger_carer, f.doctor, T0, &cid),
        -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "does not act for");
    TC_CHECK_EQ(tc_rec_consultation_consent_withdraw(
                    f.db, id, TC_REC_CONSENT_RECORDING, T0),
                -ENOENT);
    TC_CHECK_EQ(tc_rec_consultation_consent_withdraw(
                    f.db, id, TC_REC_CONSENT_TELECONSULTATION, T0),
                -EPERM);
    TC_CHECK_UNCHANGED(&f, before);
    TC_CHECK_EQ(tc_rec_consultation_consent_give(f.db, id,
                                                 TC_REC_CONSENT_RECORDING, 0,
                                                 f.doctor, T0 + MIN, &cid),
                0);
    TC_CHECK_EQ(tc_rec_consultation_recording_allowed(f.db, id, &allowed), 0);
    TC_CHECK(allowed);
    TC_CHECK_EQ(tc_rec_consultation_consent_withdraw(
                    f.db, id, TC_REC_CONSENT_RECORDING, T0 + 5 * MIN),
                0);
    TC_CHECK_EQ(tc_rec_consultation_recording_allowed(f.db, id, &allowed), 0);
    TC_CHECK(!allowed);
    TC_REQUIRE(tc_rec_consultation_get(f.db, id, &c) == 0);
    TC_REQUIRE(c->n_consents == 2);
    TC_CHECK_EQ(c->consents[1].id, cid);
    TC_CHECK_EQ(c->consents[1].kind, TC_REC_CONSENT_RECORDING);
    TC_CHECK_EQ(c->consents[1].given_at_us, T0 + MIN);
    TC_CHECK_EQ(c->consents[1].withdrawn_at_us, T0 + 5 * MIN);
    tc_rec_consultation_free(c);
    fixture_close(&f);
}

static void
test_only_the_patient_and_their_carers_take_part(void)
{
    struct fixture f;
    int64_t id;
    char *before;

    fixture_open(&f, "consult-parties.db");
    id = consultation_in(&f, TC_REC_CONSULTATION_SCHEDULED);
    TC_CHECK_EQ(tc_rec_consultation_participant_add(
                    f.db, id, TC_REC_PARTY_RESIDENT, f.resident, T0, NULL),
                0);
    TC_CHECK_EQ(tc_rec_consultation_participant_add(
                    f.db, id, TC_REC_PARTY_CARER, f.carer, T0, NULL),
                0);
    before = fixture_dump(&f);
    TC_CHECK_EQ(
        tc_rec_consultation_participant_add(f.db, id, TC_REC_PARTY_RESIDENT,
                                            f.resident_basic, T0, NULL),
        -EINVAL);
    TC_CHECK_EQ(tc_rec_consultation_participant_add(
                    f.db, id, TC_REC_PARTY_CARER, f.stranger_carer, T0, NULL),
                -EINVAL);
    TC_CHECK_EQ(tc_rec_consultation_participant_add(
                    f.db, id, TC_REC_PARTY_PRACTITIONER, f.doctor, T0, NULL),
                -EEXIST);
    TC_CHECK_EQ(tc_rec_consultation_join(f.db, id, TC_REC_PARTY_RESIDENT,
                                         f.resident, T0),
                -EPERM); /* not in progress yet */
    TC_CHECK_UNCHANGED(&f, before);
    fixture_close(&f);
}

static void
test_participants_join_and_leave_many_times(void)
{
    struct fixture f;
    struct tc_rec_consultation *c = NULL;
    int64_t id, pid = 0;
    char *before;

    fixture_open(&f, "consult-attendance.db");
    id = consultation_in(&f, TC_REC_CONSULTATION_IN_PROGRESS);
    TC_CHECK_EQ(tc_rec_consultation_participant_add(
                    f.db, id, TC_REC_PARTY_RESIDENT, f.resident, T0, &pid),
                0);
    TC_CHECK_EQ(tc_rec_consultation_participant_add(
                    f.db, id, TC_REC_PARTY_CARER, f.carer, T0, NULL),
                0);
    TC_CHECK_EQ(tc_rec_consultation_join(f.db, id, TC_REC_PARTY_RESIDENT,
                                         f.resident, T0 + MIN),
                0);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_consultation_join(f.db, id, TC_REC_PARTY_RESIDENT,
                                         f.resident, T0 + MIN),
                -EEXIST);
    TC_CHECK_EQ(tc_rec_consultation_leave(f.db, id, TC_REC_PARTY_CARER,
                                          f.carer, T0 + MIN),
                -EPERM);
    TC_CHECK_EQ(tc_rec_consultation_join(f.db, id, TC_REC_PARTY_PRACTITIONER,
                                         f.radiologist, T0),
                -ENOENT);
    TC_CHECK_UNCHANGED(&f, before);
    /* The connection drops and the resident comes back. */
    TC_CHECK_EQ(tc_rec_consultation_leave(f.db, id, TC_REC_PARTY_RESIDENT,
                                          f.resident, T0 + 3 * MIN),
                0);
    TC_CHECK_EQ(tc_rec_consultation_join(f.db, id, TC_REC_PARTY_RESIDENT,
                                         f.resident, T0 + 4 * MIN),
                0);
    TC_CHECK_EQ(tc_rec_consultation_join(f.db, id, TC_REC_PARTY_PRACTITIONER,
                                         f.specialist, T0 + 2 * MIN),
                0);
    TC_REQUIRE(tc_rec_consultation_get(f.db, id, &c) == 0);
    TC_CHECK_EQ(c->n_participants, 4);
    TC_REQUIRE(c->n_attendance == 3);
    TC_CHECK_EQ(c->attendance[0].participant_id, pid);
    TC_CHECK_EQ(c->attendance[0].joined_at_us, T0 + MIN);
    TC_CHECK_EQ(c->attendance[0].left_at_us, T0 + 3 * MIN);
    TC_CHECK_EQ(c->attendance[1].joined_at_us, T0 + 2 * MIN);
    TC_CHECK_EQ(c->attendance[2].participant_id, pid);
    TC_CHECK_EQ(c->attendance[2].left_at_us, 0);
    tc_rec_consultation_free(c);
    fixture_close(&f);
}

static void
test_studies_of_the_patient_are_attached(void)
{
    struct fixture f;
    struct tc_rec_ecg_study_new ecg = {0};
    struct tc_rec_consultation *c = NULL;
    int64_t id, mine = 0, theirs = 0;
    char *before;

    fixture_open(&f, "consult-attach.db");
    id = consultation_in(&f, TC_REC_CONSULTATION_ACCEPTED);
    ecg.resident_id = f.resident;
    ecg.device_id = "ecg-1";
    ecg.leads = "I,II";
    ecg.sample_rate_hz = 250;
    ecg.started_at_us = T0;
    ecg.live = true;
    TC_REQUIRE(tc_rec_ecg_study_create(f.db, &ecg, &mine) == 0);
    ecg.resident_id = f.resident_basic;
    TC_REQUIRE(tc_rec_ecg_study_create(f.db, &ecg, &theirs) == 0);
    TC_CHECK_EQ(tc_rec_consultation_attach_ecg(f.db, id, mine), 0);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_consultation_attach_ecg(f.db, id, mine), -EEXIST);
    TC_CHECK_EQ(tc_rec_consultation_attach_ecg(f.db, id, theirs), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "patient");
    TC_CHECK_EQ(tc_rec_consultation_attach_imaging(f.db, id, 77), -ENOENT);
    TC_CHECK_UNCHANGED(&f, before);
    TC_REQUIRE(tc_rec_consultation_get(f.db, id, &c) == 0);
    TC_REQUIRE(c->n_ecg_studies == 1);
    TC_CHECK_EQ(c->ecg_study_ids[0], mine);
    TC_CHECK_EQ(c->n_imaging_studies, 0);
    tc_rec_consultation_free(c);
    fixture_close(&f);
}

static void
test_participant_query_follows_open_consultations(void)
{
    struct fixture f;
    bool is = false;
    int64_t id;

    fixture_open(&f, "consult-policy.db");
    id = consultation_in(&f, TC_REC_CONSULTATION_IN_PROGRESS);
    TC_CHECK_EQ(tc_rec_consultation_is_participant(f.db, f.specialist,
                                                   f.resident, &is),
                0);
    TC_CHECK(is);
    TC_CHECK_EQ(tc_rec_consultation_is_participant(f.db, f.radiologist,
                                                   f.resident, &is),
                0);
    TC_CHECK(!is);
    TC_CHECK_EQ(tc_rec_consultation_is_participant(f.db, f.specialist,
                                                   f.resident_basic, &is),
                0);
    TC_CHECK(!is);
    TC_CHECK_EQ(
        tc_rec_consultation_complete(f.db, id, f.specialist, T0, "Done."), 0);
    TC_CHECK_EQ(tc_rec_consultation_is_participant(f.db, f.specialist,
                                                   f.resident, &is),
                0);
    TC_CHECK(!is);
    fixture_close(&f);
}

static void
test_a_practitioner_lists_incoming_and_outgoing(void)
{
    struct fixture f;
    struct tc_rec_consultation_list *l = NULL;
    int64_t open_id, done_id;

    fixture_open(&f, "consult-list.db");
    done_id = consultation_in(&f, TC_REC_CONSULTATION_COMPLETED);
    open_id = consultation_in(&f, TC_REC_CONSULTATION_REQUESTED);
    /* The specialist holds a role at the requested city hospital. */
    TC_REQUIRE(tc_rec_consultation_list_for_practitioner(
                   f.db, f.specialist, TC_REC_CONSULTATION_INCOMING, false, 0,
                   10, &l) == 0);
    TC_REQUIRE(l->count == 2);
    TC_CHECK_EQ(l->items[0].id, open_id); /* newest first */
    TC_CHECK_EQ(l->items[1].id, done_id);
    TC_CHECK_EQ(l->items[0].n_participants, 0);
    tc_rec_consultation_list_free(l);
    TC_REQUIRE(tc_rec_consultation_list_for_practitioner(
                   f.db, f.specialist, TC_REC_CONSULTATION_INCOMING, true, 0,
                   10, &l) == 0);
    TC_CHECK_EQ(l->count, 1);
    tc_rec_consultation_list_free(l);
    TC_REQUIRE(tc_rec_consultation_list_for_practitioner(
                   f.db, f.doctor, TC_REC_CONSULTATION_OUTGOING, false,
                   open_id, 10, &l) == 0);
    TC_REQUIRE(l->count == 1);
    TC_CHECK_EQ(l->items[0].id, done_id);
    tc_rec_consultation_list_free(l);
    TC_REQUIRE(tc_rec_consultation_list_for_practitioner(
                   f.db, f.doctor, TC_REC_CONSULTATION_INCOMING, false, 0, 10,
                   &l) == 0);
    TC_CHECK_EQ(l->count, 0);
    tc_rec_consultation_list_free(l);
    l = NULL;
    TC_CHECK_EQ(
        tc_rec_consultation_list_for_practitioner(
            f.db, f.doctor, TC_REC_CONSULTATION_OUTGOING, false, 0, 0, &l),
        -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "limit");
    TC_CHECK(l == NULL);
    fixture_close(&f);
}

int
main(void)
{
    if (fixture_main_begin() < 0) {
        return 1;
    }
    TC_RUN(test_request_is_checked_and_the_requester_takes_part);
    TC_RUN(test_consultation_runs_from_request_to_signed_opinion);
    TC_RUN(test_consultation_refuses_every_transition_without_an_arrow);
    TC_RUN(test_only_the_requested_side_accepts_and_start_needs_consent);
    TC_RUN(test_recording_consent_can_be_withdrawn);
    TC_RUN(test_only_the_patient_and_their_carers_take_part);
    TC_RUN(test_participants_join_and_leave_many_times);
    TC_RUN(test_studies_of_the_patient_are_attached);
    TC_RUN(test_participant_query_follows_open_consultations);
    TC_RUN(test_a_practitioner_lists_incoming_and_outgoing);
    return fixture_main_end();
}
