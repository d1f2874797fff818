// SPDX-License-Identifier: Apache-2.0
/*
 * rehab-library.c - the exercise library: exercises a therapist picks for
 * a plan, each with its instructions in Chinese and English, default sets
 * and reps, precautions per disability category and (once uploaded and
 * verified, rehab-upload.c) a demo video. Built-in exercises have no
 * author; therapists add their own. Library exercises are never changed
 * or deleted: a plan exercise that follows one keeps meaning the same.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define MAX_NAME         200
#define MAX_INSTRUCTIONS 4000
#define MAX_PRECAUTION   2000
#define N_CATEGORIES     8 /* enum tc_rec_disability, NONE included */

static int
check_library(struct tc_rec_db *db, const struct tc_rec_rehab_library_new *in)
{
    bool seen[N_CATEGORIES] = {false};
    int rc;

    rc = tc_rec__text_check(db, "name", in->name, MAX_NAME, true);
    if (rc == 0) {
        rc = tc_rec__prose_check(db, "instructions_zh", in->instructions_zh,
                                 MAX_INSTRUCTIONS, true);
    }
    if (rc == 0) {
        rc = tc_rec__prose_check(db, "instructions_en", in->instructions_en,
                                 MAX_INSTRUCTIONS, true);
    }
    if (rc < 0) {
        return rc;
    }
    if (in->default_sets < 1 || in->default_sets > 20) {
        return tc_rec__fail(db, -EINVAL, "default_sets: must be 1..20");
    }
    if (in->default_reps < 1 || in->default_reps > 200) {
        return tc_rec__fail(db, -EINVAL, "default_reps: must be 1..200");
    }
    for (size_t i = 0; i < in->n_precautions; i++) {
        const struct tc_rec_rehab_precaution_new *p = &in->precautions[i];
        if (!tc_rec_disability_to_string(p->category) ||
            p->category == TC_REC_DISABILITY_NONE) {
            return tc_rec__fail(db, -EINVAL,
                                "precautions[%zu].category: must be a "
                                "disability category",
                                i);
        }
        if (seen[p->category]) {
            return tc_rec__fail(db, -EINVAL,
                                "precautions[%zu].category: %s given twice", i,
                                tc_rec_disability_to_string(p->category));
        }
        seen[p->category] = true;
        if (!p->text || strlen(p->text) == 0 ||
            strlen(p->text) > MAX_PRECAUTION) {
            return tc_rec__fail(db, -EINVAL,
                                "precautions[%zu].text: must be 1..%d bytes",
                                i, MAX_PRECAUTION);
        }
    }
    if (in->created_at_us <= 0) {
        return tc_rec__fail(db, -EINVAL, "created_at_us: required");
    }
    return 0;
}

static int
insert_library(struct tc_rec_db *db, const struct tc_rec_rehab_library_new *in,
               int64_t *id_out)
{
    sqlite3_stmt *st;
    int64_t id;
    int rc;

    if (in->created_by > 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              in->created_by, "created_by", "practitioner");
        if (rc < 0) {
            return rc;
        }
    }
    st = tc_rec__stmt(
        db, "INSERT INTO rehab_library (name, instructions_zh,"
            " instructions_en, default_sets, default_reps,"
            " created_by, created_at_us) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, in->name);
    tc_rec__bind_text(st, 2, in->instructions_zh);
    tc_rec__bind_text(st, 3, in->instructions_en);
    sqlite3_bind_int(st, 4, in->default_sets);
    sqlite3_bind_int(st, 5, in->default_reps);
    tc_rec__bind_id(st, 6, in->created_by);
    sqlite3_bind_int64(st, 7, in->created_at_us);
    rc = tc_rec__step_done(db, st, "library exercise");
    if (rc < 0) {
        return rc;
    }
    id = sqlite3_last_insert_rowid(db->conn);
    st = tc_rec__stmt(db, "INSERT INTO rehab_library_precautions"
                          " (exercise_id, category, text) VALUES (?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    for (size_t i = 0; i < in->n_precautions && rc == 0; i++) {
        sqlite3_bind_int64(st, 1, id);
        tc_rec__bind_text(
            st, 2, tc_rec_disability_to_string(in->precautions[i].category));
        tc_rec__bind_text(st, 3, in->precautions[i].text);
        rc = tc_rec__step_done(db, st, "precaution");
    }
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

int
tc_rec_rehab_library_add(struct tc_rec_db *db,
                         const struct tc_rec_rehab_library_new *in,
                         int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = check_library(db, in);
    if (rc == 0) {
        rc = tc_rec__tx_begin(db);
    }
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, insert_library(db, in, &id));
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

#define ITEM_COLUMNS                                                          \
    "SELECT l.id, l.name, l.instructions_zh, l.instructions_en,"              \
    " l.default_sets, l.default_reps, l.created_by, l.created_at_us,"         \
    " l.video_upload_id FROM rehab_library l"

static int
item_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_rehab_library_item *it = item;
    bool oom = false;

    it->id = sqlite3_column_int64(st, 0);
    it->name = tc_rec__col_text(st, 1, &oom);
    it->instructions_zh = tc_rec__col_text(st, 2, &oom);
    it->instructions_en = tc_rec__col_text(st, 3, &oom);
    it->default_sets = sqlite3_column_int(st, 4);
    it->default_reps = sqlite3_column_int(st, 5);
    it->created_by = sqlite3_column_int64(st, 6);
    it->created_at_us = sqlite3_column_int64(st, 7);
    it->video_upload_id = sqlite3_column_int64(st, 8);
    return oom ? -ENOMEM : 0;
}

static void
item_fini(struct tc_rec_rehab_library_item *it)
{
    free(it->name);
    free(it->instructions_zh);
    free(it->instructions_en);
    for (size_t i = 0; i < it->n_precautions; i++) {
        free(it->precautions[i].text);
    }
    free(it->precautions);
}

void
tc_rec_rehab_library_item_free(struct tc_rec_rehab_library_item *item)
{
    if (item) {
        item_fini(item);
        free(item);
    }
}

static void
item_free_cb(void *item)
{
    tc_rec_rehab_library_item_free(item);
}

static int
precaution_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_rehab_precaution *p = item;
    bool oom = false;
    enum tc_rec_disability c = TC_REC_DISABILITY_NONE;

    tc_rec_disability_from_string((const char *)sqlite3_column_text(st, 0),
                                  &c);
    p->category = c;
    p->text = tc_rec__col_text(st, 1, &oom);
    return oom ? -ENOMEM : 0;
}

int
tc_rec_rehab_library_get(struct tc_rec_db *db, int64_t id,
                         struct tc_rec_rehab_library_item **out)
{
    struct tc_rec_rehab_library_item *it = NULL;
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, ITEM_COLUMNS " WHERE l.id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__fetch(db, st, sizeof(*it), item_row, item_free_cb,
                       (void **)&it);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "library exercise: no exercise %lld",
                            (long long)id);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "SELECT category, text FROM"
                          " rehab_library_precautions WHERE exercise_id = ?"
                          " ORDER BY category");
    if (!st) {
        tc_rec_rehab_library_item_free(it);
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__collect(db, st, sizeof(*it->precautions), precaution_row,
                         (void **)&it->precautions, &it->n_precautions);
    if (rc < 0) {
        tc_rec_rehab_library_item_free(it);
        return rc;
    }
    *out = it;
    return 0;
}

void
tc_rec_rehab_library_list_free(struct tc_rec_rehab_library_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        item_fini(&list->items[i]);
    }
    free(list->items);
    free(list);
}

int
tc_rec_rehab_library_list(struct tc_rec_db *db,
                          struct tc_rec_rehab_library_list **out)
{
    struct tc_rec_rehab_library_list *list;
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, ITEM_COLUMNS " ORDER BY l.name, l.id");
    if (!st) {
        return -EIO;
    }
    list = calloc(1, sizeof(*list));
    if (!list) {
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    rc = tc_rec__collect(db, st, sizeof(*list->items), item_row,
                         (void **)&list->items, &list->count);
    if (rc < 0) {
        tc_rec_rehab_library_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}
