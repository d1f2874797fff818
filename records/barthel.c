// SPDX-License-Identifier: Apache-2.0
/*
 * barthel.c - Barthel index outcome assessments.
 *
 * The Barthel index scores ten activities of daily living; each item
 * allows only its standard scores, the total (0..100) is their sum and the
 * dependency band follows the total (0-20 total, 21-60 severe, 61-90
 * moderate, 91-99 slight, 100 independent). Callers pass the items only:
 * the library computes total and band (tc_rec_barthel_score, pure), and
 * the schema checks them again on insert, so a stored assessment is
 * always self-consistent.
 *
 * An assessment belongs to a resident, optionally to one of the
 * resident's rehab plans, and names its assessor. Assessments are
 * observations: they are added, never changed.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "records-int.h"

#define MAX_NOTE 4000

struct item_rule {
    const char *name;
    size_t offset;
    int max; /* allowed scores: 0, 5, ..., max */
};

static const struct item_rule items_rules[] = {
    {"feeding", offsetof(struct tc_rec_barthel_items, feeding), 10},
    {"bathing", offsetof(struct tc_rec_barthel_items, bathing), 5},
    {"grooming", offsetof(struct tc_rec_barthel_items, grooming), 5},
    {"dressing", offsetof(struct tc_rec_barthel_items, dressing), 10},
    {"bowels", offsetof(struct tc_rec_barthel_items, bowels), 10},
    {"bladder", offsetof(struct tc_rec_barthel_items, bladder), 10},
    {"toilet_use", offsetof(struct tc_rec_barthel_items, toilet_use), 10},
    {"transfers", offsetof(struct tc_rec_barthel_items, transfers), 15},
    {"mobility", offsetof(struct tc_rec_barthel_items, mobility), 15},
    {"stairs", offsetof(struct tc_rec_barthel_items, stairs), 10},
};

#define N_ITEMS (sizeof(items_rules) / sizeof(items_rules[0]))

static const char *const band_codes[] = {
    [TC_REC_BARTHEL_TOTAL] = "total",
    [TC_REC_BARTHEL_SEVERE] = "severe",
    [TC_REC_BARTHEL_MODERATE] = "moderate",
    [TC_REC_BARTHEL_SLIGHT] = "slight",
    [TC_REC_BARTHEL_INDEPENDENT] = "independent",
};

#define N_BANDS (int)(sizeof(band_codes) / sizeof(band_codes[0]))

const char *
tc_rec_barthel_band_to_string(enum tc_rec_barthel_band b)
{
    return tc_rec__code_name(band_codes, N_BANDS, (int)b);
}

static enum tc_rec_barthel_band
band_of(int total)
{
    if (total <= 20) {
        return TC_REC_BARTHEL_TOTAL;
    }
    if (total <= 60) {
        return TC_REC_BARTHEL_SEVERE;
    }
    if (total <= 90) {
        return TC_REC_BARTHEL_MODERATE;
    }
    if (total <= 99) {
        return TC_REC_BARTHEL_SLIGHT;
    }
    return TC_REC_BARTHEL_INDEPENDENT;
}

static void
explain(char *why, size_t why_len, const struct item_rule *r, int score)
{
    int n;

    if (!why || why_len == 0) {
        return;
    }
    n = snprintf(why, why_len, "barthel.%s: %d is not an allowed score (",
                 r->name, score);
    for (int s = 0; s <= r->max && n >= 0 && (size_t)n < why_len; s += 5) {
        n += snprintf(why + n, why_len - (size_t)n, "%s%d", s ? ", " : "", s);
    }
    if (n >= 0 && (size_t)n < why_len) {
        snprintf(why + n, why_len - (size_t)n, ")");
    }
}

int
tc_rec_barthel_score(const struct tc_rec_barthel_items *items, int *total_out,
                     enum tc_rec_barthel_band *band_out, char *why,
                     size_t why_len)
{
    int total = 0;

    for (size_t i = 0; i < N_ITEMS; i++) {
        const struct item_rule *r = &items_rules[i];
        int score = *(const int *)((const char *)items + r->offset);
        if (score < 0 || score > r->max || score % 5 != 0) {
            explain(why, why_len, r, score);
            return -EINVAL;
        }
        total += score;
    }
    if (total_out) {
        *total_out = total;
    }
    if (band_out) {
        *band_out = band_of(total);
    }
    return 0;
}

static int
check_new(struct tc_rec_db *db, const struct tc_rec_barthel_new *in)
{
    int rc;

    rc = tc_rec__need_row(db, "SELECT 1 FROM residents WHERE id = ?",
                          in->resident_id, "resident_id", "resident");
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              in->assessor_id, "assessor_id", "practitioner");
    }
    if (rc == 0 && in->assessed_at_us <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "assessed_at_us: required");
    }
    if (rc == 0) {
        rc = tc_rec__prose_check(db, "note", in->note, MAX_NOTE, false);
    }
    if (rc < 0 || in->plan_id == 0) {
        return rc;
    }
    rc = tc_rec__need_row(db, "SELECT 1 FROM rehab_plans WHERE id = ?",
                          in->plan_id, "plan_id", "rehab plan");
    if (rc == 0) {
        bool same = false;
        sqlite3_stmt *st =
            tc_rec__stmt(db, "SELECT resident_id = ?2 FROM rehab_plans"
                             " WHERE id = ?1");
        if (!st) {
            return -EIO;
        }
        sqlite3_bind_int64(st, 1, in->plan_id);
        sqlite3_bind_int64(st, 2, in->resident_id);
        same = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
        sqlite3_reset(st);
        if (!same) {
            rc = tc_rec__fail(
                db, -EINVAL, "plan_id: plan %lld is not resident %lld's",
                (long long)in->plan_id, (long long)in->resident_id);
        }
    }
    return rc;
}

static int
insert(struct tc_rec_db *db, const struct tc_rec_barthel_new *in, int total,
       enum tc_rec_barthel_band band, int64_t *id_out)
{
    const struct tc_rec_barthel_items *it = &in->items;
    sqlite3_stmt *st = tc_rec__stmt(
        db, "INSERT INTO barthel_assessments (resident_id, plan_id,"
            " assessor_id, assessed_at_us, feeding, bathing, grooming,"
            " dressing, bowels, bladder, toilet_use, transfers, mobility,"
            " stairs, total, band, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?, ?, ?, ?, ?)");
    const int scores[] = {
        it->feeding, it->bathing,    it->grooming,  it->dressing, it->bowels,
        it->bladder, it->toilet_use, it->transfers, it->mobility, it->stairs};
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, in->resident_id);
    tc_rec__bind_id(st, 2, in->plan_id);
    sqlite3_bind_int64(st, 3, in->assessor_id);
    sqlite3_bind_int64(st, 4, in->assessed_at_us);
    for (int i = 0; i < 10; i++) {
        sqlite3_bind_int(st, 5 + i, scores[i]);
    }
    sqlite3_bind_int(st, 15, total);
    tc_rec__bind_text(st, 16, band_codes[band]);
    tc_rec__bind_text(st, 17, in->note);
    rc = tc_rec__step_done(db, st, "barthel");
    if (rc == 0) {
        *id_out = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

int
tc_rec_barthel_record(struct tc_rec_db *db,
                      const struct tc_rec_barthel_new *in, int64_t *id_out)
{
    enum tc_rec_barthel_band band;
    int64_t id = 0;
    int total, rc;

    tc_rec__ok(db);
    if (tc_rec_barthel_score(&in->items, &total, &band, db->errmsg,
                             sizeof(db->errmsg)) < 0) {
        return -EINVAL;
    }
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = check_new(db, in);
    if (rc == 0) {
        rc = insert(db, in, total, band, &id);
    }
    rc = tc_rec__tx_end(db, rc);
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

#define SELECT_ASSESSMENT                                                     \
    "SELECT id, resident_id, plan_id, assessor_id, assessed_at_us, feeding,"  \
    " bathing, grooming, dressing, bowels, bladder, toilet_use, transfers,"   \
    " mobility, stairs, total, band, note FROM barthel_assessments"

static int
read_row(sqlite3_stmt *st, struct tc_rec_barthel *b)
{
    int *scores[] = {&b->items.feeding,    &b->items.bathing,
                     &b->items.grooming,   &b->items.dressing,
                     &b->items.bowels,     &b->items.bladder,
                     &b->items.toilet_use, &b->items.transfers,
                     &b->items.mobility,   &b->items.stairs};
    bool oom = false;

    b->id = sqlite3_column_int64(st, 0);
    b->resident_id = sqlite3_column_int64(st, 1);
    b->plan_id = sqlite3_column_int64(st, 2);
    b->assessor_id = sqlite3_column_int64(st, 3);
    b->assessed_at_us = sqlite3_column_int64(st, 4);
    for (int i = 0; i < 10; i++) {
        *scores[i] = sqlite3_column_int(st, 5 + i);
    }
    b->total = sqlite3_column_int(st, 15);
    b->band = band_of(b->total);
    b->note = tc_rec__col_text(st, 17, &oom);
    return oom ? -ENOMEM : 0;
}

void
tc_rec_barthel_free(struct tc_rec_barthel *b)
{
    if (!b) {
        return;
    }
    free(b->note);
    free(b);
}

int
tc_rec_barthel_get(struct tc_rec_db *db, int64_t id,
                   struct tc_rec_barthel **out)
{
    struct tc_rec_barthel *b;
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, SELECT_ASSESSMENT " WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? tc_rec__fail(db, -ENOENT, "barthel: no assessment %lld",
                                  (long long)id)
                   : tc_rec__fail_sql(db, rc, "barthel");
    }
    b = calloc(1, sizeof(*b));
    rc = b ? read_row(st, b) : -ENOMEM;
    sqlite3_reset(st);
    if (rc < 0) {
        tc_rec_barthel_free(b);
        return tc_rec__fail(db, rc, "out of memory");
    }
    *out = b;
    return 0;
}

void
tc_rec_barthel_list_free(struct tc_rec_barthel_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].note);
    }
    free(list->items);
    free(list);
}

static int
collect(struct tc_rec_db *db, sqlite3_stmt *st,
        struct tc_rec_barthel_list *list)
{
    struct tc_rec_barthel *grown;
    size_t cap = 0;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (list->count == cap) {
            cap = cap ? cap * 2 : 8;
            grown = realloc(list->items, cap * sizeof(*grown));
            if (!grown) {
                return tc_rec__fail(db, -ENOMEM, "out of memory");
            }
            list->items = grown;
        }
        rc = read_row(st, &list->items[list->count++]);
        if (rc < 0) {
            return tc_rec__fail(db, rc, "out of memory");
        }
    }
    return rc == SQLITE_DONE ? 0 : tc_rec__fail_sql(db, rc, "barthel");
}

int
tc_rec_barthel_list(struct tc_rec_db *db, int64_t resident_id,
                    struct tc_rec_barthel_list **out)
{
    struct tc_rec_barthel_list *list;
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__need_row(db, "SELECT 1 FROM residents WHERE id = ?",
                          resident_id, "resident_id", "resident");
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, SELECT_ASSESSMENT " WHERE resident_id = ?"
                                            " ORDER BY assessed_at_us, id");
    if (!st) {
        return -EIO;
    }
    list = calloc(1, sizeof(*list));
    if (!list) {
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    sqlite3_bind_int64(st, 1, resident_id);
    rc = collect(db, st, list);
    sqlite3_reset(st);
    if (rc < 0) {
        tc_rec_barthel_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}
