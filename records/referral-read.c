// SPDX-License-Identifier: Apache-2.0
/*
 * referral-read.c - reading referrals: one whole (with its studies, the
 * follow-ups it scheduled and the down-referral that completed it), the
 * lists of a practitioner (incoming, outgoing) and of a resident, and
 * who receives a referral.
 *
 * Thread: the handle's thread. Nothing here writes.
 */
#include <errno.h>
#include <stdlib.h>

#include "records-int.h"

#define REFERRAL_COLUMNS                                                      \
    "r.id, r.direction, r.resident_id, r.from_id, r.department_id,"           \
    " r.clinic_id, r.team_id, r.to_practitioner_id, r.parent_id,"             \
    " r.urgency, r.reason, r.summary, r.status, r.requested_at_us,"           \
    " r.answered_by, r.answered_at_us, r.appointment_at_us,"                  \
    " r.admission_date, r.decline_reason, r.completed_at_us,"                 \
    " (SELECT max(c.id) FROM referrals c WHERE c.parent_id = r.id)"

static void
referral_fini(struct tc_rec_referral *r)
{
    free(r->reason);
    free(r->summary);
    free(r->admission_date);
    free(r->decline_reason);
    free(r->ecg_study_ids);
    free(r->imaging_study_ids);
    free(r->followup_ids);
}

void
tc_rec_referral_free(struct tc_rec_referral *r)
{
    if (r) {
        referral_fini(r);
        free(r);
    }
}

static void
referral_free(void *item)
{
    tc_rec_referral_free(item);
}

static int
referral_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_referral *r = item;
    enum tc_rec_referral_direction dir = 0;
    enum tc_rec_referral_status status = 0;
    enum tc_rec_consultation_priority urgency = 0;
    bool oom = false;

    tc_rec_referral_direction_from_string(
        (const char *)sqlite3_column_text(st, 1), &dir);
    tc_rec_consultation_priority_from_string(
        (const char *)sqlite3_column_text(st, 9), &urgency);
    tc_rec_referral_status_from_string(
        (const char *)sqlite3_column_text(st, 12), &status);
    r->id = sqlite3_column_int64(st, 0);
    r->direction = dir;
    r->resident_id = sqlite3_column_int64(st, 2);
    r->from_id = sqlite3_column_int64(st, 3);
    r->department_id = sqlite3_column_int64(st, 4);
    r->clinic_id = sqlite3_column_int64(st, 5);
    r->team_id = sqlite3_column_int64(st, 6);
    r->to_practitioner_id = sqlite3_column_int64(st, 7);
    r->parent_id = sqlite3_column_int64(st, 8);
    r->urgency = urgency;
    r->reason = tc_rec__col_text(st, 10, &oom);
    r->summary = tc_rec__col_text(st, 11, &oom);
    r->status = status;
    r->requested_at_us = sqlite3_column_int64(st, 13);
    r->answered_by = sqlite3_column_int64(st, 14);
    r->answered_at_us = sqlite3_column_int64(st, 15);
    r->appointment_at_us = sqlite3_column_int64(st, 16);
    r->admission_date = tc_rec__col_text(st, 17, &oom);
    r->decline_reason = tc_rec__col_text(st, 18, &oom);
    r->completed_at_us = sqlite3_column_int64(st, 19);
    r->child_id = sqlite3_column_int64(st, 20);
    return oom ? -ENOMEM : 0;
}

static int
ids_of(struct tc_rec_db *db, const char *sql, int64_t id, int64_t **ids,
       size_t *n)
{
    sqlite3_stmt *st = tc_rec__stmt(db, sql);

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    return tc_rec__ids_collect(db, st, ids, n);
}

int
tc_rec_referral_get(struct tc_rec_db *db, int64_t id,
                    struct tc_rec_referral **out)
{
    struct tc_rec_referral *r;
    sqlite3_stmt *st;
    void *item = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT " REFERRAL_COLUMNS
                          " FROM referrals r WHERE r.id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_referral), referral_row,
                       referral_free, &item);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "no referral %lld", (long long)id);
    }
    if (rc < 0) {
        return rc;
    }
    r = item;
    rc = ids_of(db,
                "SELECT study_id FROM referral_studies WHERE referral_id = ?"
                " AND kind = 'ecg' ORDER BY study_id",
                id, &r->ecg_study_ids, &r->n_ecg_studies);
    if (rc == 0) {
        rc = ids_of(db,
                    "SELECT study_id FROM referral_studies WHERE"
                    " referral_id = ? AND kind = 'imaging' ORDER BY study_id",
                    id, &r->imaging_study_ids, &r->n_imaging_studies);
    }
    if (rc == 0) {
        rc = ids_of(db,
                    "SELECT followup_id FROM referral_followups WHERE"
                    " referral_id = ? ORDER BY followup_id",
                    id, &r->followup_ids, &r->n_followups);
    }
    if (rc < 0) {
        tc_rec_referral_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int
tc_rec_referral_is_receiver(struct tc_rec_db *db,
                            const struct tc_rec_referral *r,
                            int64_t practitioner_id, bool *out)
{
    tc_rec__ok(db);
    *out = false;
    if (practitioner_id <= 0) {
        return 0;
    }
    if (r->direction == TC_REC_REFERRAL_UP) {
        if (r->to_practitioner_id == practitioner_id) {
            *out = true;
            return 0;
        }
        return tc_rec_department_has_member(db, r->department_id,
                                            practitioner_id, out);
    }
    if (r->team_id) {
        int rc = tc_rec_team_has_member(db, r->team_id, practitioner_id, out);
        if (rc < 0 || *out) {
            return rc;
        }
    }
    return tc_rec__exists2(db,
                           "SELECT 1 FROM practitioner_roles WHERE"
                           " organization_id = ?1 AND practitioner_id = ?2",
                           r->clinic_id, practitioner_id, "clinic role", out);
}

void
tc_rec_referral_list_free(struct tc_rec_referral_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        referral_fini(&list->items[i]);
    }
    free(list->items);
    free(list);
}

/* Incoming: up-referrals naming the practitioner or asking a department
 * they work in; down-referrals to a team they are on or a clinic where
 * they hold a role. */
static const char sql_incoming[] =
    "SELECT " REFERRAL_COLUMNS " FROM referrals r WHERE r.id < ?2 AND ("
    " (r.direction = 'up' AND (r.to_practitioner_id = ?1 OR EXISTS"
    "  (SELECT 1 FROM departments d WHERE d.id = r.department_id AND"
    "   (d.head_id = ?1 OR EXISTS (SELECT 1 FROM practitioner_roles pr"
    "    WHERE pr.practitioner_id = ?1 AND pr.organization_id ="
    "    d.organization_id AND pr.department = d.code)))))"
    " OR (r.direction = 'down' AND (EXISTS (SELECT 1 FROM team_members m"
    "  WHERE m.team_id = r.team_id AND m.practitioner_id = ?1) OR EXISTS"
    "  (SELECT 1 FROM practitioner_roles pr WHERE pr.practitioner_id = ?1"
    "   AND pr.organization_id = r.clinic_id))))"
    " ORDER BY r.id DESC LIMIT ?3";

int
tc_rec_referral_list(struct tc_rec_db *db, enum tc_rec_referral_box box,
                     int64_t who, int64_t before_id, int limit,
                     struct tc_rec_referral_list **out)
{
    struct tc_rec_referral_list *list;
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    tc_rec__ok(db);
    if (limit < 1 || limit > TC_REC_REFERRAL_PAGE_MAX) {
        return tc_rec__fail(db, -EINVAL, "limit: must be 1..%d",
                            TC_REC_REFERRAL_PAGE_MAX);
    }
    switch (box) {
    case TC_REC_REFERRAL_INCOMING:
        st = tc_rec__stmt(db, sql_incoming);
        break;
    case TC_REC_REFERRAL_OUTGOING:
        st = tc_rec__stmt(db, "SELECT " REFERRAL_COLUMNS " FROM referrals r"
                              " WHERE r.from_id = ?1 AND r.id < ?2"
                              " ORDER BY r.id DESC LIMIT ?3");
        break;
    case TC_REC_REFERRAL_OF_TEAMS:
        st = tc_rec__stmt(db, "SELECT " REFERRAL_COLUMNS " FROM referrals r"
                              " WHERE r.team_id IN (SELECT team_id FROM"
                              " team_members WHERE practitioner_id = ?1)"
                              " AND r.id < ?2 ORDER BY r.id DESC LIMIT ?3");
        break;
    case TC_REC_REFERRAL_OF_RESIDENT:
        st = tc_rec__stmt(db, "SELECT " REFERRAL_COLUMNS " FROM referrals r"
                              " WHERE r.resident_id = ?1 AND r.id < ?2"
                              " ORDER BY r.id DESC LIMIT ?3");
        break;
    default:
        return tc_rec__fail(db, -EINVAL,
                            "box: must be in, out, team or resident");
    }
    list = calloc(1, sizeof(*list));
    if (!st || !list) {
        free(list);
        return st ? tc_rec__fail(db, -ENOMEM, "out of memory") : -EIO;
    }
    sqlite3_bind_int64(st, 1, who);
    sqlite3_bind_int64(st, 2, before_id > 0 ? before_id : INT64_MAX);
    sqlite3_bind_int(st, 3, limit);
    rc = tc_rec__collect(db, st, sizeof(*list->items), referral_row, &items,
                         &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_referral_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}
