// SPDX-License-Identifier: Apache-2.0
/*
 * consultation-read.c - reading a consultation whole (participants,
 * attendance log, consents, attached studies, the latest opinion), a
 * practitioner's incoming and outgoing consultations, and the
 * access-policy question "does this practitioner take part in an open
 * consultation about this resident?".
 *
 * Split from consultation.c and consultation-party.c (which write);
 * nothing here writes.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdlib.h>

#include "records-int.h"

static int
read_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_consultation *c = item;
    enum tc_rec_consultation_status s = TC_REC_CONSULTATION_REQUESTED;
    enum tc_rec_consultation_priority p = TC_REC_CONSULTATION_ROUTINE;
    bool oom = false;

    c->id = sqlite3_column_int64(st, 0);
    c->requester_id = sqlite3_column_int64(st, 1);
    c->requested_org_id = sqlite3_column_int64(st, 2);
    c->requested_specialist_id = sqlite3_column_int64(st, 3);
    c->resident_id = sqlite3_column_int64(st, 4);
    c->reason = tc_rec__col_text(st, 5, &oom);
    tc_rec_consultation_priority_from_string(
        (const char *)sqlite3_column_text(st, 6), &p);
    c->priority = p;
    c->requested_at_us = sqlite3_column_int64(st, 7);
    tc_rec_consultation_status_from_string(
        (const char *)sqlite3_column_text(st, 8), &s);
    c->status = s;
    c->status_by = sqlite3_column_int64(st, 9);
    c->status_at_us = sqlite3_column_int64(st, 10);
    c->status_reason = tc_rec__col_text(st, 11, &oom);
    c->accepted_by = sqlite3_column_int64(st, 12);
    c->scheduled_for_us = sqlite3_column_int64(st, 13);
    c->started_at_us = sqlite3_column_int64(st, 14);
    c->ended_at_us = sqlite3_column_int64(st, 15);
    return oom ? -ENOMEM : 0;
}

static int
read_participant(sqlite3_stmt *st, void *item)
{
    struct tc_rec_consultation_participant *p = item;

    p->id = sqlite3_column_int64(st, 0);
    p->kind = (enum tc_rec_party_kind)sqlite3_column_int(st, 1);
    p->party_id = sqlite3_column_int64(st, 2);
    p->added_at_us = sqlite3_column_int64(st, 3);
    return 0;
}

static int
read_attendance(sqlite3_stmt *st, void *item)
{
    struct tc_rec_consultation_attendance *a = item;

    a->participant_id = sqlite3_column_int64(st, 0);
    a->joined_at_us = sqlite3_column_int64(st, 1);
    a->left_at_us = sqlite3_column_int64(st, 2);
    return 0;
}

static int
read_consent(sqlite3_stmt *st, void *item)
{
    struct tc_rec_consultation_consent *c = item;

    c->id = sqlite3_column_int64(st, 0);
    c->kind = (enum tc_rec_consent_kind)sqlite3_column_int(st, 1);
    c->carer_id = sqlite3_column_int64(st, 2);
    c->recorded_by = sqlite3_column_int64(st, 3);
    c->given_at_us = sqlite3_column_int64(st, 4);
    c->withdrawn_at_us = sqlite3_column_int64(st, 5);
    return 0;
}

void
tc_rec_consultation_free(struct tc_rec_consultation *c)
{
    if (!c) {
        return;
    }
    free(c->reason);
    free(c->status_reason);
    free(c->participants);
    free(c->attendance);
    free(c->consents);
    free(c->ecg_study_ids);
    free(c->imaging_study_ids);
    free(c->opinion);
    free(c);
}

static void
item_free(void *item)
{
    tc_rec_consultation_free(item);
}

/* Collect the rows of one-parameter `sql` (bound to the consultation). */
static int
collect_for(struct tc_rec_db *db, const char *sql, int64_t id,
            size_t elem_size, int (*row)(sqlite3_stmt *, void *), void **items,
            size_t *count)
{
    sqlite3_stmt *st = tc_rec__stmt(db, sql);

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    return tc_rec__collect(db, st, elem_size, row, items, count);
}

static int
ids_for(struct tc_rec_db *db, const char *sql, int64_t id, int64_t **ids,
        size_t *n)
{
    sqlite3_stmt *st = tc_rec__stmt(db, sql);

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    return tc_rec__ids_collect(db, st, ids, n);
}

static int
read_parties(struct tc_rec_db *db, struct tc_rec_consultation *c)
{
    void *p = NULL, *a = NULL, *k = NULL;
    int rc;

    rc = collect_for(
        db,
        "SELECT id, CASE WHEN practitioner_id IS NOT NULL THEN 1"
        " WHEN resident_id IS NOT NULL THEN 2 ELSE 3 END,"
        " coalesce(practitioner_id, resident_id, carer_id), added_at_us"
        " FROM consultation_participants WHERE consultation_id = ?"
        " ORDER BY id",
        c->id, sizeof(*c->participants), read_participant, &p,
        &c->n_participants);
    c->participants = p;
    if (rc == 0) {
        rc = collect_for(
            db,
            "SELECT a.participant_id, a.joined_at_us, a.left_at_us"
            " FROM consultation_attendance a JOIN consultation_participants p"
            " ON p.id = a.participant_id WHERE p.consultation_id = ?"
            " ORDER BY a.joined_at_us, a.id",
            c->id, sizeof(*c->attendance), read_attendance, &a,
            &c->n_attendance);
        c->attendance = a;
    }
    if (rc == 0) {
        rc = collect_for(
            db,
            "SELECT id, CASE kind WHEN 'teleconsultation' THEN 1 ELSE 2 END,"
            " carer_id, recorded_by, given_at_us, withdrawn_at_us"
            " FROM consultation_consents WHERE consultation_id = ?"
            " ORDER BY id",
            c->id, sizeof(*c->consents), read_consent, &k, &c->n_consents);
        c->consents = k;
    }
    return rc;
}

static int
read_details(struct tc_rec_db *db, struct tc_rec_consultation *c)
{
    struct tc_rec_text_version v;
    int rc = read_parties(db, c);

    if (rc == 0) {
        rc = ids_for(db,
                     "SELECT ecg_study_id FROM consultation_ecg_studies"
                     " WHERE consultation_id = ? ORDER BY ecg_study_id",
                     c->id, &c->ecg_study_ids, &c->n_ecg_studies);
    }
    if (rc == 0) {
        rc = ids_for(db,
                     "SELECT imaging_study_id FROM"
                     " consultation_imaging_studies WHERE consultation_id = ?"
                     " ORDER BY imaging_study_id",
                     c->id, &c->imaging_study_ids, &c->n_imaging_studies);
    }
    if (rc == 0) {
        rc = tc_rec__text_version_latest(db, TC_REC_TEXT_CONSULTATION_OPINION,
                                         c->id, &v);
        if (rc == 0) {
            c->opinion = v.text;
            c->opinion_version = v.version;
            c->opinion_author_id = v.author_id;
            c->opinion_signed_at_us = v.at_us;
            free(v.amend_reason);
        }
    }
    return rc == -ENOENT ? 0 : rc;
}

int
tc_rec_consultation_get(struct tc_rec_db *db, int64_t id,
                        struct tc_rec_consultation **out)
{
    sqlite3_stmt *st;
    void *item = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(
        db, "SELECT id, requester_id, requested_org_id,"
            " requested_specialist_id, resident_id, reason, priority,"
            " requested_at_us, status, status_by, status_at_us,"
            " status_reason, accepted_by, scheduled_for_us, started_at_us,"
            " ended_at_us FROM consultations WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_consultation), read_row,
                       item_free, &item);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "consultation: no consultation %lld",
                            (long long)id);
    }
    if (rc == 0) {
        rc = read_details(db, item);
    }
    if (rc < 0) {
        tc_rec_consultation_free(item);
        return rc;
    }
    *out = item;
    return 0;
}

int
tc_rec_consultation_is_participant(struct tc_rec_db *db,
                                   int64_t practitioner_id,
                                   int64_t resident_id, bool *out)
{
    tc_rec__ok(db);
    return tc_rec__exists2(db,
                           "SELECT 1 FROM consultation_participants p"
                           " JOIN consultations c ON c.id = p.consultation_id"
                           " WHERE p.practitioner_id = ? AND c.resident_id = ?"
                           " AND c.status IN ('requested', 'accepted',"
                           " 'scheduled', 'in_progress')",
                           practitioner_id, resident_id, "participant", out);
}

void
tc_rec_consultation_list_free(struct tc_rec_consultation_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].reason);
        free(list->items[i].status_reason);
    }
    free(list->items);
    free(list);
}

int
tc_rec_consultation_list_for_practitioner(
    struct tc_rec_db *db, int64_t practitioner_id,
    enum tc_rec_consultation_box box, bool open_only, int64_t before_id,
    int limit, struct tc_rec_consultation_list **out)
{
    static const char incoming[] =
        "SELECT id, requester_id, requested_org_id,"
        " requested_specialist_id, resident_id, reason, priority,"
        " requested_at_us, status, status_by, status_at_us,"
        " status_reason, accepted_by, scheduled_for_us, started_at_us,"
        " ended_at_us FROM consultations"
        " WHERE (requested_specialist_id = ?1 OR requested_org_id IN"
        " (SELECT organization_id FROM practitioner_roles"
        " WHERE practitioner_id = ?1))"
        " AND (?2 = 0 OR status IN ('requested', 'accepted', 'scheduled',"
        " 'in_progress')) AND (?3 = 0 OR id < ?3)"
        " ORDER BY id DESC LIMIT ?4";
    static const char outgoing[] =
        "SELECT id, requester_id, requested_org_id,"
        " requested_specialist_id, resident_id, reason, priority,"
        " requested_at_us, status, status_by, status_at_us,"
        " status_reason, accepted_by, scheduled_for_us, started_at_us,"
        " ended_at_us FROM consultations WHERE requester_id = ?1"
        " AND (?2 = 0 OR status IN ('requested', 'accepted', 'scheduled',"
        " 'in_progress')) AND (?3 = 0 OR id < ?3)"
        " ORDER BY id DESC LIMIT ?4";
    struct tc_rec_consultation_list *list;
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    tc_rec__ok(db);
    if (box != TC_REC_CONSULTATION_INCOMING &&
        box != TC_REC_CONSULTATION_OUTGOING) {
        return tc_rec__fail(db, -EINVAL, "box: unknown box %d", (int)box);
    }
    if (limit < 1 || limit > TC_REC_CONSULTATION_PAGE_MAX) {
        return tc_rec__fail(db, -EINVAL, "limit: must be 1..%d",
                            TC_REC_CONSULTATION_PAGE_MAX);
    }
    if (before_id < 0) {
        return tc_rec__fail(db, -EINVAL, "before_id: must be >= 0");
    }
    list = calloc(1, sizeof(*list));
    if (!list) {
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    st = tc_rec__stmt(db, box == TC_REC_CONSULTATION_INCOMING ? incoming
                                                              : outgoing);
    if (!st) {
        free(list);
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, practitioner_id);
    sqlite3_bind_int(st, 2, open_only ? 1 : 0);
    sqlite3_bind_int64(st, 3, before_id);
    sqlite3_bind_int(st, 4, limit);
    rc = tc_rec__collect(db, st, sizeof(struct tc_rec_consultation), read_row,
                         &items, &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_consultation_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}
