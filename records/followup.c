// SPDX-License-Identifier: Apache-2.0
/*
 * followup.c - the follow-up schedule of a family-doctor contract and the
 * outcome of each follow-up.
 *
 *   DUE --done--> DONE
 *    |--missed--> MISSED
 *    +--contract terminated--> CANCELLED
 *
 * A follow-up leaves DUE once and never changes again: record() and
 * tc_rec__followups_close() only ever update rows that are 'due'.
 *
 * The schedule is generated when a contract becomes ACTIVE, from its
 * packages over its period, by `schedule` below (after the national basic
 * public health service norms, simplified). Each item repeats every
 * `months` months: the period is cut into windows of that length from
 * period_start, and the k-th follow-up is due by the last day of its
 * window, period_start + k * months - 1 day. Only whole windows inside the
 * period are scheduled, so a one-year contract gets 12 / months of each.
 *
 *   package           kind                  every   a year
 *   basic             visit                 3 mo    4  (family-doctor visit)
 *   chronic_disease   chronic_followup      3 mo    4  (hypertension and
 *                                                       diabetes follow-up)
 *   elderly_care      health_check          12 mo   1  (annual examination)
 *   elderly_care      elderly_visit         3 mo    4
 *   disability_rehab  rehab_followup        1 mo    12
 *   maternal_child    maternal_child_visit  2 mo    6  (antenatal, postnatal
 *                                                       and child checks)
 *
 * The followups_next_due_* triggers (schema-core.c) keep each contract's
 * earliest due date for the panel (panel.c).
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define NOTE_MAX_LEN 2000

static const struct schedule_item {
    enum tc_rec_package package;
    const char *kind;
    int months;
} schedule[] = {
    {TC_REC_PACKAGE_BASIC, "visit", 3},
    {TC_REC_PACKAGE_CHRONIC_DISEASE, "chronic_followup", 3},
    {TC_REC_PACKAGE_ELDERLY_CARE, "health_check", 12},
    {TC_REC_PACKAGE_ELDERLY_CARE, "elderly_visit", 3},
    {TC_REC_PACKAGE_DISABILITY_REHAB, "rehab_followup", 1},
    {TC_REC_PACKAGE_MATERNAL_CHILD, "maternal_child_visit", 2},
};

static const char *const status_codes[] = {
    [TC_REC_FOLLOWUP_DUE] = "due",
    [TC_REC_FOLLOWUP_DONE] = "done",
    [TC_REC_FOLLOWUP_MISSED] = "missed",
    [TC_REC_FOLLOWUP_CANCELLED] = "cancelled",
};
#define N_STATUSES (int)(sizeof(status_codes) / sizeof(status_codes[0]))

const char *
tc_rec_followup_status_to_string(enum tc_rec_followup_status status)
{
    return tc_rec__code_name(status_codes, N_STATUSES, (int)status);
}

int
tc_rec_followup_status_from_string(const char *s,
                                   enum tc_rec_followup_status *out)
{
    int i;
    int rc = tc_rec__code_parse(status_codes, N_STATUSES, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_followup_status)i;
    }
    return rc;
}

/* ---- Generation and closing (called by contract.c) ---- */

static int
insert_one(struct tc_rec_db *db, int64_t contract_id,
           const struct schedule_item *item, const char *due)
{
    sqlite3_stmt *st = tc_rec__stmt(db, "INSERT INTO followups (contract_id,"
                                        " package, kind, due_date)"
                                        " VALUES (?, ?, ?, ?)");

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, contract_id);
    tc_rec__bind_text(st, 2, tc_rec_package_to_string(item->package));
    tc_rec__bind_text(st, 3, item->kind);
    tc_rec__bind_text(st, 4, due);
    return tc_rec__step_done(db, st, "follow-up");
}

int
tc_rec__followups_generate(struct tc_rec_db *db, int64_t contract_id,
                           unsigned packages, const char *start,
                           const char *end)
{
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < sizeof(schedule) / sizeof(schedule[0]);
         i++) {
        if (!(packages & TC_REC_PACKAGE_BIT(schedule[i].package))) {
            continue;
        }
        for (int k = 1; rc == 0; k++) {
            char due[11];
            tc_rec__date_add_months(start, k * schedule[i].months, due);
            tc_rec__date_add_days(due, -1, due);
            if (strcmp(due, end) > 0) {
                break;
            }
            rc = insert_one(db, contract_id, &schedule[i], due);
        }
    }
    return rc;
}

int
tc_rec__followups_close(struct tc_rec_db *db, int64_t contract_id,
                        enum tc_rec_followup_status to, const char *note)
{
    sqlite3_stmt *st = tc_rec__stmt(db, "UPDATE followups SET status = ?,"
                                        " note = ? WHERE contract_id = ?"
                                        " AND status = 'due'");

    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, status_codes[to]);
    tc_rec__bind_text(st, 2, note);
    sqlite3_bind_int64(st, 3, contract_id);
    return tc_rec__step_done(db, st, "follow-ups");
}

/* ---- Reading ---- */

static void
followup_fini(struct tc_rec_followup *f)
{
    free(f->kind);
    free(f->due_date);
    free(f->note);
}

void
tc_rec_followup_free(struct tc_rec_followup *f)
{
    if (f) {
        followup_fini(f);
        free(f);
    }
}

void
tc_rec_followup_list_free(struct tc_rec_followup_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        followup_fini(&list->items[i]);
    }
    free(list->items);
    free(list);
}

#define FOLLOWUP_COLUMNS                                                      \
    "id, contract_id, package, kind, due_date, status, done_by,"              \
    " done_at_us, note"

static int
followup_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_followup *f = item;
    enum tc_rec_followup_status status = 0;
    enum tc_rec_package package = 0;
    bool oom = false;

    tc_rec_package_from_string((const char *)sqlite3_column_text(st, 2),
                               &package);
    tc_rec_followup_status_from_string(
        (const char *)sqlite3_column_text(st, 5), &status);
    f->id = sqlite3_column_int64(st, 0);
    f->contract_id = sqlite3_column_int64(st, 1);
    f->package = package;
    f->kind = tc_rec__col_text(st, 3, &oom);
    f->due_date = tc_rec__col_text(st, 4, &oom);
    f->status = status;
    f->recorded_by = sqlite3_column_int64(st, 6);
    f->recorded_at_us = sqlite3_column_int64(st, 7);
    f->note = tc_rec__col_text(st, 8, &oom);
    return oom ? -ENOMEM : 0;
}

static void
followup_free(void *item)
{
    tc_rec_followup_free(item);
}

int
tc_rec_followup_get(struct tc_rec_db *db, int64_t id,
                    struct tc_rec_followup **out)
{
    sqlite3_stmt *st;
    void *f = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT " FOLLOWUP_COLUMNS
                          " FROM followups WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_followup), followup_row,
                       followup_free, &f);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "no follow-up %lld", (long long)id);
    }
    if (rc == 0) {
        *out = f;
    }
    return rc;
}

int
tc_rec_followup_list_for_contract(struct tc_rec_db *db, int64_t contract_id,
                                  struct tc_rec_followup_list **out)
{
    struct tc_rec_followup_list *list;
    sqlite3_stmt *st;
    void *items = NULL;
    bool found = false;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__exists(db, "SELECT 1 FROM contracts WHERE id = ?",
                        contract_id, &found);
    if (rc == 0 && !found) {
        rc = tc_rec__fail(db, -ENOENT, "no contract %lld",
                          (long long)contract_id);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "SELECT " FOLLOWUP_COLUMNS " FROM followups"
                          " WHERE contract_id = ?"
                          " ORDER BY due_date, package, id");
    list = calloc(1, sizeof(*list));
    if (!st || !list) {
        free(list);
        return st ? tc_rec__fail(db, -ENOMEM, "out of memory") : -EIO;
    }
    sqlite3_bind_int64(st, 1, contract_id);
    rc = tc_rec__collect(db, st, sizeof(*list->items), followup_row, &items,
                         &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_followup_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

/* ---- Outcomes ---- */

static int
check_outcome(struct tc_rec_db *db, const struct tc_rec_followup_outcome *o)
{
    bool found = false;
    int rc;

    if (o->status != TC_REC_FOLLOWUP_DONE &&
        o->status != TC_REC_FOLLOWUP_MISSED) {
        return tc_rec__fail(db, -EINVAL, "status: must be done or missed");
    }
    if (o->at_us <= 0) {
        return tc_rec__fail(db, -EINVAL, "at_us: required");
    }
    rc = tc_rec__text_check(db, "note", o->note, NOTE_MAX_LEN, false);
    if (rc == 0) {
        rc = tc_rec__exists(db, "SELECT 1 FROM practitioners WHERE id = ?",
                            o->by, &found);
    }
    if (rc == 0 && !found) {
        rc = tc_rec__fail(db, -ENOENT, "by: no practitioner %lld",
                          (long long)o->by);
    }
    return rc;
}

static int
record(struct tc_rec_db *db, int64_t id,
       const struct tc_rec_followup_outcome *o)
{
    struct tc_rec_followup *f = NULL;
    sqlite3_stmt *st;
    int rc = check_outcome(db, o);

    if (rc == 0) {
        rc = tc_rec_followup_get(db, id, &f);
    }
    if (rc == 0 && f->status != TC_REC_FOLLOWUP_DUE) {
        rc = tc_rec__fail(db, -EPERM, "%s: not allowed from status %s",
                          status_codes[o->status], status_codes[f->status]);
    }
    tc_rec_followup_free(f);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "UPDATE followups SET status = ?, done_by = ?,"
                          " done_at_us = ?, note = ?"
                          " WHERE id = ? AND status = 'due'");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, status_codes[o->status]);
    sqlite3_bind_int64(st, 2, o->by);
    sqlite3_bind_int64(st, 3, o->at_us);
    tc_rec__bind_text(st, 4, o->note);
    sqlite3_bind_int64(st, 5, id);
    return tc_rec__step_done(db, st, "follow-up");
}

int
tc_rec_followup_record(struct tc_rec_db *db, int64_t id,
                       const struct tc_rec_followup_outcome *outcome)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, record(db, id, outcome));
}
