// SPDX-License-Identifier: Apache-2.0
/*
 * referral.c - tiered-care referrals: create (up or down), accept,
 * decline, cancel. Reading is in referral-read.c, statistics in
 * referral-stats.c.
 *
 *   REQUESTED --accept--> ACCEPTED --its down-referral--> COMPLETED
 *      |--decline (reason)--> DECLINED
 *      +--cancel (sender)--> CANCELLED
 *
 * Only `transitions` below allows a status change; every change is one
 * UPDATE guarded by the status it leaves ("... WHERE status = ?"), so a
 * second answer to the same referral changes nothing and is -EPERM.
 *
 * A down-referral's follow-up plan is written into the follow-up schedule
 * of the resident's active contract (followups rows of package basic, the
 * plan's kinds and dates) and linked to the referral, all in the
 * referral's transaction: nothing is half-written.
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define REASON_MAX  2000
#define SUMMARY_MAX 8000

static const char *const direction_codes[] = {
    [TC_REC_REFERRAL_UP] = "up",
    [TC_REC_REFERRAL_DOWN] = "down",
};
static const char *const status_codes[] = {
    [TC_REC_REFERRAL_REQUESTED] = "requested",
    [TC_REC_REFERRAL_ACCEPTED] = "accepted",
    [TC_REC_REFERRAL_DECLINED] = "declined",
    [TC_REC_REFERRAL_COMPLETED] = "completed",
    [TC_REC_REFERRAL_CANCELLED] = "cancelled",
};
static const char *const urgency_codes[] = {
    [TC_REC_CONSULTATION_ROUTINE] = "routine",
    [TC_REC_CONSULTATION_URGENT] = "urgent",
    [TC_REC_CONSULTATION_EMERGENCY] = "emergency",
};

const char *
tc_rec_referral_direction_to_string(enum tc_rec_referral_direction d)
{
    return tc_rec__code_name(direction_codes, 3, (int)d);
}

int
tc_rec_referral_direction_from_string(const char *s,
                                      enum tc_rec_referral_direction *out)
{
    int i;
    int rc = tc_rec__code_parse(direction_codes, 3, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_referral_direction)i;
    }
    return rc;
}

const char *
tc_rec_referral_status_to_string(enum tc_rec_referral_status s)
{
    return tc_rec__code_name(status_codes, 6, (int)s);
}

int
tc_rec_referral_status_from_string(const char *s,
                                   enum tc_rec_referral_status *out)
{
    int i;
    int rc = tc_rec__code_parse(status_codes, 6, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_referral_status)i;
    }
    return rc;
}

/* ---- creating ---- */

/* The township clinic of an up-referral: the one named (the sender must
 * hold a role there), or the only one where the sender holds a role. */
static int
sender_clinic(struct tc_rec_db *db, const struct tc_rec_referral_new *in,
              int64_t *clinic)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT DISTINCT r.organization_id FROM practitioner_roles r"
            " JOIN organizations o ON o.id = r.organization_id"
            " WHERE r.practitioner_id = ?1 AND o.kind = 'township_clinic'"
            " AND (?2 = 0 OR o.id = ?2)");
    int64_t *ids = NULL;
    size_t n = 0;
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, in->from_id);
    sqlite3_bind_int64(st, 2, in->clinic_id);
    rc = tc_rec__ids_collect(db, st, &ids, &n);
    if (rc < 0) {
        return rc;
    }
    if (n == 1) {
        *clinic = ids[0];
    } else if (n == 0) {
        rc = tc_rec__fail(db, -EINVAL,
                          in->clinic_id
                              ? "clinic_id: not a township clinic where the "
                                "sender works"
                              : "clinic_id: the sender works at no township "
                                "clinic; name one");
    } else {
        rc = tc_rec__fail(db, -EINVAL,
                          "clinic_id: required: the sender works at several "
                          "township clinics");
    }
    free(ids);
    return rc;
}

static int
check_studies(struct tc_rec_db *db, const struct tc_rec_referral_new *in)
{
    static const char sql_ecg[] =
        "SELECT 1 FROM ecg_studies WHERE id = ?1 AND resident_id = ?2";
    static const char sql_img[] =
        "SELECT 1 FROM imaging_studies WHERE id = ?1 AND resident_id = ?2";
    bool found = false;
    int rc = 0;

    if (in->n_ecg_studies > TC_REC_REFERRAL_STUDIES_MAX ||
        in->n_imaging_studies > TC_REC_REFERRAL_STUDIES_MAX) {
        return tc_rec__fail(db, -EINVAL, "%s: at most %d studies",
                            in->n_ecg_studies > TC_REC_REFERRAL_STUDIES_MAX
                                ? "ecg_study_ids"
                                : "imaging_study_ids",
                            TC_REC_REFERRAL_STUDIES_MAX);
    }
    for (size_t i = 0; rc == 0 && i < in->n_ecg_studies; i++) {
        rc = tc_rec__exists2(db, sql_ecg, in->ecg_study_ids[i],
                             in->resident_id, "ecg study", &found);
        if (rc == 0 && !found) {
            rc = tc_rec__fail(db, -EINVAL,
                              "ecg_study_ids[%zu]: no ECG study %lld of this "
                              "resident",
                              i, (long long)in->ecg_study_ids[i]);
        }
    }
    for (size_t i = 0; rc == 0 && i < in->n_imaging_studies; i++) {
        rc = tc_rec__exists2(db, sql_img, in->imaging_study_ids[i],
                             in->resident_id, "imaging study", &found);
        if (rc == 0 && !found) {
            rc = tc_rec__fail(db, -EINVAL,
                              "imaging_study_ids[%zu]: no imaging study %lld "
                              "of this resident",
                              i, (long long)in->imaging_study_ids[i]);
        }
    }
    return rc;
}

static int
check_common(struct tc_rec_db *db, const struct tc_rec_referral_new *in)
{
    int rc = 0;

    if (!tc_rec_referral_direction_to_string(in->direction)) {
        return tc_rec__fail(db, -EINVAL, "direction: must be up or down");
    }
    if (!tc_rec__code_name(urgency_codes, 4, (int)in->urgency)) {
        return tc_rec__fail(db, -EINVAL,
                            "urgency: must be routine, urgent or emergency");
    }
    if (in->at_us <= 0) {
        return tc_rec__fail(db, -EINVAL, "at_us: required");
    }
    rc = tc_rec__prose_check(db, "reason", in->reason, REASON_MAX, true);
    if (rc == 0) {
        rc = tc_rec__prose_check(db, "summary", in->summary, SUMMARY_MAX,
                                 in->direction == TC_REC_REFERRAL_DOWN);
    }
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM residents WHERE id = ?",
                              in->resident_id, "resident_id", "resident");
    }
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              in->from_id, "from_id", "practitioner");
    }
    return rc == 0 ? check_studies(db, in) : rc;
}

/* The row to write, as resolved from the request. */
struct row {
    int64_t department_id, clinic_id, team_id, contract_id;
};

static int
resolve_up(struct tc_rec_db *db, const struct tc_rec_referral_new *in,
           struct row *w)
{
    struct tc_rec_department *d = NULL;
    bool member = false;
    int rc;

    if (in->parent_id) {
        return tc_rec__fail(db, -EINVAL,
                            "parent_id: only a down-referral has one");
    }
    if (in->n_plan) {
        return tc_rec__fail(db, -EINVAL,
                            "follow_up_plan: only a down-referral has one");
    }
    if (!in->department_id) {
        return tc_rec__fail(db, -EINVAL, "department_id: required");
    }
    rc = tc_rec_department_get(db, in->department_id, &d);
    if (rc < 0) {
        return rc;
    }
    if (d->org_kind != TC_REC_ORG_COUNTY_HOSPITAL &&
        d->org_kind != TC_REC_ORG_CITY_HOSPITAL) {
        rc = tc_rec__fail(db, -EINVAL,
                          "department_id: not a department of a county or "
                          "city hospital");
    }
    tc_rec_department_free(d);
    if (rc == 0 && in->to_practitioner_id) {
        rc = tc_rec_department_has_member(db, in->department_id,
                                          in->to_practitioner_id, &member);
        if (rc == 0 && !member) {
            rc = tc_rec__fail(db, -EINVAL,
                              "to_practitioner_id: does not work in the "
                              "department");
        }
    }
    if (rc == 0) {
        rc = sender_clinic(db, in, &w->clinic_id);
    }
    w->department_id = in->department_id;
    if (rc == 0 &&
        tc_rec_resident_contract_team(db, in->resident_id, &w->contract_id,
                                      &w->team_id) < 0) {
        tc_rec__ok(db); /* no active contract: no team */
        w->contract_id = w->team_id = 0;
    }
    return rc;
}

static int
resolve_parent(struct tc_rec_db *db, const struct tc_rec_referral_new *in,
               struct row *w)
{
    struct tc_rec_referral *p = NULL;
    int rc = tc_rec_referral_get(db, in->parent_id, &p);

    if (rc == -ENOENT) {
        rc = tc_rec__fail(db, -ENOENT, "parent_id: no referral %lld",
                          (long long)in->parent_id);
    }
    if (rc < 0) {
        return rc;
    }
    if (p->direction != TC_REC_REFERRAL_UP ||
        p->resident_id != in->resident_id) {
        rc = tc_rec__fail(db, -EINVAL,
                          "parent_id: not an up-referral of this resident");
    } else if (p->status != TC_REC_REFERRAL_ACCEPTED) {
        rc = tc_rec__fail(db, -EPERM,
                          "parent_id: the up-referral is %s, not accepted",
                          status_codes[p->status]);
    } else if (in->department_id && in->department_id != p->department_id) {
        rc = tc_rec__fail(db, -EINVAL,
                          "department_id: not the up-referral's department");
    }
    w->department_id = p->department_id;
    w->clinic_id = in->clinic_id ? in->clinic_id : p->clinic_id;
    tc_rec_referral_free(p);
    return rc;
}

static int down_receivers(struct tc_rec_db *db,
                          const struct tc_rec_referral_new *in, struct row *w);

static int
resolve_down(struct tc_rec_db *db, const struct tc_rec_referral_new *in,
             struct row *w)
{
    bool member = false;
    int rc = 0;

    if (in->to_practitioner_id) {
        return tc_rec__fail(db, -EINVAL,
                            "to_practitioner_id: a down-referral goes to "
                            "the clinic and the family-doctor team");
    }
    if (in->parent_id) {
        rc = resolve_parent(db, in, w);
    } else if (!in->department_id) {
        rc = tc_rec__fail(db, -EINVAL,
                          "department_id: required without parent_id");
    } else {
        w->department_id = in->department_id;
        w->clinic_id = in->clinic_id;
        rc =
            tc_rec__need_row(db, "SELECT 1 FROM departments WHERE id = ?",
                             in->department_id, "department_id", "department");
    }
    if (rc == 0) {
        rc = tc_rec_department_has_member(db, w->department_id, in->from_id,
                                          &member);
    }
    if (rc == 0 && !member) {
        rc = tc_rec__fail(db, -EINVAL,
                          "from_id: does not work in the department");
    }
    return rc == 0 ? down_receivers(db, in, w) : rc;
}

/* The receiving end of a down-referral: the resident's family-doctor
 * team (of the active contract, which the plan needs) and the township
 * clinic (named, the up-referral's, or the team's). */
static int
down_receivers(struct tc_rec_db *db, const struct tc_rec_referral_new *in,
               struct row *w)
{
    int rc = 0;

    if (tc_rec_resident_contract_team(db, in->resident_id, &w->contract_id,
                                      &w->team_id) < 0) {
        tc_rec__ok(db);
        w->contract_id = w->team_id = 0;
        if (in->n_plan) {
            return tc_rec__fail(db, -EINVAL,
                                "follow_up_plan: the resident has no active "
                                "family-doctor contract to schedule it in");
        }
    }
    if (!w->clinic_id && w->team_id) {
        struct tc_rec_team *t = NULL;
        rc = tc_rec_team_get(db, w->team_id, &t);
        w->clinic_id = rc == 0 ? t->organization_id : 0;
        tc_rec_team_free(t);
    }
    if (rc == 0 && !w->clinic_id) {
        rc = tc_rec__fail(db, -EINVAL, "clinic_id: required");
    }
    if (rc == 0) {
        bool clinic = false;
        rc = tc_rec__exists(db,
                            "SELECT 1 FROM organizations WHERE id = ?"
                            " AND kind = 'township_clinic'",
                            w->clinic_id, &clinic);
        if (rc == 0 && !clinic) {
            rc = tc_rec__fail(db, -EINVAL, "clinic_id: not a township clinic");
        }
    }
    return rc;
}

static int
check_plan(struct tc_rec_db *db, const struct tc_rec_referral_new *in,
           int64_t contract_id)
{
    struct tc_rec_contract *c = NULL;
    int rc = 0;

    if (in->n_plan > TC_REC_REFERRAL_PLAN_MAX) {
        return tc_rec__fail(db, -EINVAL, "follow_up_plan: at most %d items",
                            TC_REC_REFERRAL_PLAN_MAX);
    }
    if (in->n_plan == 0) {
        return 0;
    }
    rc = tc_rec_contract_get(db, contract_id, &c);
    for (size_t i = 0; rc == 0 && i < in->n_plan; i++) {
        const struct tc_rec_followup_plan_item *it = &in->plan[i];
        char field[48];
        snprintf(field, sizeof(field), "follow_up_plan[%zu].kind", i);
        rc = tc_rec__department_code_check(db, field, it->kind);
        if (rc == 0 && (!it->due_date || !tc_rec__date_valid(it->due_date))) {
            rc = tc_rec__fail(db, -EINVAL,
                              "follow_up_plan[%zu].due_date: must be a date "
                              "YYYY-MM-DD",
                              i);
        }
        if (rc == 0 && (strcmp(it->due_date, c->period_start) < 0 ||
                        strcmp(it->due_date, c->period_end) > 0)) {
            rc = tc_rec__fail(db, -EINVAL,
                              "follow_up_plan[%zu].due_date: must fall in the "
                              "contract's period %s..%s",
                              i, c->period_start, c->period_end);
        }
    }
    tc_rec_contract_free(c);
    return rc;
}

static int
write_studies(struct tc_rec_db *db, int64_t id,
              const struct tc_rec_referral_new *in)
{
    sqlite3_stmt *st = tc_rec__stmt(db, "INSERT OR IGNORE INTO"
                                        " referral_studies (referral_id,"
                                        " kind, study_id) VALUES (?, ?, ?)");
    int rc = 0;

    if (!st) {
        return -EIO;
    }
    for (size_t i = 0;
         rc == 0 && i < in->n_ecg_studies + in->n_imaging_studies; i++) {
        bool ecg = i < in->n_ecg_studies;
        sqlite3_bind_int64(st, 1, id);
        tc_rec__bind_text(st, 2, ecg ? "ecg" : "imaging");
        sqlite3_bind_int64(st, 3,
                           ecg ? in->ecg_study_ids[i]
                               : in->imaging_study_ids[i - in->n_ecg_studies]);
        rc = tc_rec__step_done(db, st, "referral study");
    }
    return rc;
}

static int
write_plan(struct tc_rec_db *db, int64_t id,
           const struct tc_rec_referral_new *in, int64_t contract_id)
{
    sqlite3_stmt *ins = tc_rec__stmt(db, "INSERT INTO followups (contract_id,"
                                         " package, kind, due_date)"
                                         " VALUES (?, 'basic', ?, ?)");
    sqlite3_stmt *link = tc_rec__stmt(db, "INSERT INTO referral_followups"
                                          " (referral_id, followup_id)"
                                          " VALUES (?, ?)");
    int rc = 0;

    if (!ins || !link) {
        return -EIO;
    }
    for (size_t i = 0; rc == 0 && i < in->n_plan; i++) {
        sqlite3_bind_int64(ins, 1, contract_id);
        tc_rec__bind_text(ins, 2, in->plan[i].kind);
        tc_rec__bind_text(ins, 3, in->plan[i].due_date);
        rc = tc_rec__step_done(db, ins, "follow-up");
        if (rc == 0) {
            sqlite3_bind_int64(link, 1, id);
            sqlite3_bind_int64(link, 2, sqlite3_last_insert_rowid(db->conn));
            rc = tc_rec__step_done(db, link, "referral follow-up");
        }
    }
    return rc;
}

static int
insert(struct tc_rec_db *db, const struct tc_rec_referral_new *in,
       const struct row *w, int64_t *id)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "INSERT INTO referrals (direction, resident_id, from_id,"
            " department_id, clinic_id, team_id, to_practitioner_id,"
            " parent_id, urgency, reason, summary, requested_at_us)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    int rc;

    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, direction_codes[in->direction]);
    sqlite3_bind_int64(st, 2, in->resident_id);
    sqlite3_bind_int64(st, 3, in->from_id);
    sqlite3_bind_int64(st, 4, w->department_id);
    sqlite3_bind_int64(st, 5, w->clinic_id);
    tc_rec__bind_id(st, 6, w->team_id);
    tc_rec__bind_id(st, 7, in->to_practitioner_id);
    tc_rec__bind_id(st, 8, in->parent_id);
    tc_rec__bind_text(st, 9, urgency_codes[in->urgency]);
    tc_rec__bind_text(st, 10, in->reason);
    tc_rec__bind_text(st, 11, in->summary);
    sqlite3_bind_int64(st, 12, in->at_us);
    rc = tc_rec__step_done(db, st, "referral");
    if (rc == 0) {
        *id = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

static int
complete_parent(struct tc_rec_db *db, int64_t parent_id, int64_t at_us)
{
    sqlite3_stmt *st = tc_rec__stmt(db, "UPDATE referrals SET status ="
                                        " 'completed', completed_at_us = ?"
                                        " WHERE id = ? AND status ="
                                        " 'accepted'");

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, at_us);
    sqlite3_bind_int64(st, 2, parent_id);
    return tc_rec__step_done(db, st, "referral");
}

/* The emergency after which the patient is transferred links to the
 * referral. */
static int
link_emergency(struct tc_rec_db *db, const struct tc_rec_referral_new *in,
               int64_t id)
{
    static const char sql[] =
        "SELECT 1 FROM emergencies WHERE id = ?1 AND resident_id = ?2";
    sqlite3_stmt *st;
    bool found = false;
    int rc;

    if (in->direction != TC_REC_REFERRAL_UP) {
        return tc_rec__fail(db, -EINVAL,
                            "emergency_id: only an up-referral follows an "
                            "emergency");
    }
    rc = tc_rec__exists2(db, sql, in->emergency_id, in->resident_id,
                         "emergency", &found);
    if (rc == 0 && !found) {
        rc = tc_rec__fail(db, -EINVAL,
                          "emergency_id: no emergency %lld of this resident",
                          (long long)in->emergency_id);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db,
                      "UPDATE emergencies SET referral_id = ? WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, in->emergency_id);
    return tc_rec__step_done(db, st, "emergency");
}

static int
create(struct tc_rec_db *db, const struct tc_rec_referral_new *in, int64_t *id)
{
    struct row w = {0};
    int rc = check_common(db, in);

    if (rc == 0) {
        rc = in->direction == TC_REC_REFERRAL_UP ? resolve_up(db, in, &w)
                                                 : resolve_down(db, in, &w);
    }
    if (rc == 0) {
        rc = check_plan(db, in, w.contract_id);
    }
    if (rc == 0) {
        rc = insert(db, in, &w, id);
    }
    if (rc == 0) {
        rc = write_studies(db, *id, in);
    }
    if (rc == 0) {
        rc = write_plan(db, *id, in, w.contract_id);
    }
    if (rc == 0 && in->parent_id) {
        rc = complete_parent(db, in->parent_id, in->at_us);
    }
    if (rc == 0 && in->emergency_id) {
        rc = link_emergency(db, in, *id);
    }
    return rc;
}

int
tc_rec_referral_create(struct tc_rec_db *db,
                       const struct tc_rec_referral_new *in, int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, create(db, in, &id));
    if (rc == 0 && id_out) {
        *id_out = id;
    }
    return rc;
}

/* ---- answering ---- */

enum event { ACCEPT, DECLINE, CANCEL };
static const char *const event_names[] = {"accept", "decline", "cancel"};

/* transitions[event] = the status it leads to from REQUESTED (the only
 * status any of them leaves). */
static const enum tc_rec_referral_status transitions[] = {
    [ACCEPT] = TC_REC_REFERRAL_ACCEPTED,
    [DECLINE] = TC_REC_REFERRAL_DECLINED,
    [CANCEL] = TC_REC_REFERRAL_CANCELLED,
};

struct answer {
    int64_t by, at_us, appointment_at_us;
    const char *admission_date, *reason;
};

static int
check_answer(struct tc_rec_db *db, enum event ev,
             const struct tc_rec_referral *r, const struct answer *a)
{
    bool receiver = false;
    int rc = 0;

    if (a->at_us <= 0) {
        return tc_rec__fail(db, -EINVAL, "at_us: required");
    }
    if (r->status != TC_REC_REFERRAL_REQUESTED) {
        return tc_rec__fail(db, -EPERM, "%s: not allowed from status %s",
                            event_names[ev], status_codes[r->status]);
    }
    if (ev == CANCEL) {
        return a->by == r->from_id
                   ? 0
                   : tc_rec__fail(db, -EPERM,
                                  "cancel: only the sender cancels");
    }
    rc = tc_rec_referral_is_receiver(db, r, a->by, &receiver);
    if (rc == 0 && !receiver) {
        rc = tc_rec__fail(db, -EPERM, "%s: only the receiving side answers",
                          event_names[ev]);
    }
    if (rc == 0 && ev == DECLINE) {
        rc = tc_rec__prose_check(db, "reason", a->reason, REASON_MAX, true);
    }
    if (rc == 0 && ev == ACCEPT && a->admission_date &&
        !tc_rec__date_valid(a->admission_date)) {
        rc = tc_rec__fail(db, -EINVAL,
                          "admission_date: must be a date YYYY-MM-DD");
    }
    if (rc == 0 && ev == ACCEPT && r->direction == TC_REC_REFERRAL_UP &&
        a->appointment_at_us <= 0 && !a->admission_date) {
        rc = tc_rec__fail(db, -EINVAL,
                          "appointment_at: an up-referral is accepted with "
                          "an appointment or an admission_date");
    }
    return rc;
}

static int
answer(struct tc_rec_db *db, enum event ev, int64_t id, const struct answer *a)
{
    struct tc_rec_referral *r = NULL;
    sqlite3_stmt *st;
    int rc = tc_rec_referral_get(db, id, &r);

    if (rc == 0) {
        rc = check_answer(db, ev, r, a);
    }
    tc_rec_referral_free(r);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "UPDATE referrals SET status = ?1,"
                          " answered_by = CASE WHEN ?1 = 'cancelled' THEN NULL"
                          " ELSE ?2 END,"
                          " answered_at_us = ?3, appointment_at_us = ?4,"
                          " admission_date = ?5, decline_reason = ?6"
                          " WHERE id = ?7 AND status = 'requested'");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, status_codes[transitions[ev]]);
    sqlite3_bind_int64(st, 2, a->by);
    sqlite3_bind_int64(st, 3, a->at_us);
    if (a->appointment_at_us > 0) {
        sqlite3_bind_int64(st, 4, a->appointment_at_us);
    }
    tc_rec__bind_text(st, 5, a->admission_date);
    tc_rec__bind_text(st, 6, ev == DECLINE ? a->reason : NULL);
    sqlite3_bind_int64(st, 7, id);
    return tc_rec__step_done(db, st, "referral");
}

static int
answer_tx(struct tc_rec_db *db, enum event ev, int64_t id,
          const struct answer *a)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, answer(db, ev, id, a));
}

int
tc_rec_referral_accept(struct tc_rec_db *db, int64_t id, int64_t by,
                       int64_t at_us, int64_t appointment_at_us,
                       const char *admission_date)
{
    struct answer a = {.by = by,
                       .at_us = at_us,
                       .appointment_at_us = appointment_at_us,
                       .admission_date = admission_date};

    return answer_tx(db, ACCEPT, id, &a);
}

int
tc_rec_referral_decline(struct tc_rec_db *db, int64_t id, int64_t by,
                        int64_t at_us, const char *reason)
{
    struct answer a = {.by = by, .at_us = at_us, .reason = reason};

    return answer_tx(db, DECLINE, id, &a);
}

int
tc_rec_referral_cancel(struct tc_rec_db *db, int64_t id, int64_t by,
                       int64_t at_us)
{
    struct answer a = {.by = by, .at_us = at_us};

    return answer_tx(db, CANCEL, id, &a);
}
