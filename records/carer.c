// SPDX-License-Identifier: Apache-2.0
/*
 * carer.c - carers: people who may act for a resident (a spouse, a
 * daughter, a neighbour paid by the village), and the link between them.
 *
 * Invariants: a link names an existing carer and resident, at most once,
 * with a relationship text; acting for a resident needs a link.
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdlib.h>

#include "records-int.h"

#define NAME_MAX_LEN     100
#define PHONE_MAX_LEN    32
#define RELATION_MAX_LEN 50

static int
check_exists(struct tc_rec_db *db, const char *sql, const char *field,
             const char *noun, int64_t id)
{
    bool found = false;
    int rc = tc_rec__exists(db, sql, id, &found);

    if (rc == 0 && !found) {
        rc = tc_rec__fail(db, -ENOENT, "%s: no %s %lld", field, noun,
                          (long long)id);
    }
    return rc;
}

static int
insert(struct tc_rec_db *db, const struct tc_rec_carer *c, int64_t *id_out)
{
    sqlite3_stmt *st;
    int rc = tc_rec__text_check(db, "name", c->name, NAME_MAX_LEN, true);

    if (rc == 0) {
        rc = tc_rec__text_check(db, "phone", c->phone, PHONE_MAX_LEN, false);
    }
    if (rc == 0 && c->created_at_us <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "created_at_us: required");
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO carers (name, phone, created_at_us)"
                          " VALUES (?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, c->name);
    tc_rec__bind_text(st, 2, c->phone);
    sqlite3_bind_int64(st, 3, c->created_at_us);
    rc = tc_rec__step_done(db, st, "carer");
    if (rc == 0) {
        *id_out = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

int
tc_rec_carer_create(struct tc_rec_db *db, const struct tc_rec_carer *c,
                    int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, insert(db, c, &id));
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

static void
carer_fini(struct tc_rec_carer *c)
{
    free(c->name);
    free(c->phone);
    free(c->relationship);
}

void
tc_rec_carer_free(struct tc_rec_carer *c)
{
    if (c) {
        carer_fini(c);
        free(c);
    }
}

void
tc_rec_carer_list_free(struct tc_rec_carer_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        carer_fini(&list->items[i]);
    }
    free(list->items);
    free(list);
}

static int
carer_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_carer *c = item;
    bool oom = false;

    c->id = sqlite3_column_int64(st, 0);
    c->name = tc_rec__col_text(st, 1, &oom);
    c->phone = tc_rec__col_text(st, 2, &oom);
    c->created_at_us = sqlite3_column_int64(st, 3);
    c->relationship = tc_rec__col_text(st, 4, &oom);
    return oom ? -ENOMEM : 0;
}

static void
carer_free(void *item)
{
    tc_rec_carer_free(item);
}

int
tc_rec_carer_get(struct tc_rec_db *db, int64_t id, struct tc_rec_carer **out)
{
    sqlite3_stmt *st;
    void *c = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT id, name, phone, created_at_us, NULL"
                          " FROM carers WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_carer), carer_row,
                       carer_free, &c);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "no carer %lld", (long long)id);
    }
    if (rc == 0) {
        *out = c;
    }
    return rc;
}

static int
link_carer(struct tc_rec_db *db, int64_t carer_id, int64_t resident_id,
           const char *relationship)
{
    sqlite3_stmt *st;
    int rc = tc_rec__text_check(db, "relationship", relationship,
                                RELATION_MAX_LEN, true);

    if (rc == 0) {
        rc = check_exists(db, "SELECT 1 FROM carers WHERE id = ?", "carer_id",
                          "carer", carer_id);
    }
    if (rc == 0) {
        rc = check_exists(db, "SELECT 1 FROM residents WHERE id = ?",
                          "resident_id", "resident", resident_id);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO resident_carers (resident_id,"
                          " carer_id, relationship) VALUES (?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, resident_id);
    sqlite3_bind_int64(st, 2, carer_id);
    tc_rec__bind_text(st, 3, relationship);
    rc = tc_rec__step_done(db, st, "carer link");
    if (rc == -EEXIST) {
        rc = tc_rec__fail(db, rc,
                          "carer_id: %lld already acts for "
                          "resident %lld",
                          (long long)carer_id, (long long)resident_id);
    }
    return rc;
}

int
tc_rec_carer_link(struct tc_rec_db *db, int64_t carer_id, int64_t resident_id,
                  const char *relationship)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db,
                          link_carer(db, carer_id, resident_id, relationship));
}

static int
unlink_carer(struct tc_rec_db *db, int64_t carer_id, int64_t resident_id)
{
    sqlite3_stmt *st = tc_rec__stmt(db, "DELETE FROM resident_carers"
                                        " WHERE resident_id = ?"
                                        " AND carer_id = ?");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, resident_id);
    sqlite3_bind_int64(st, 2, carer_id);
    rc = tc_rec__step_done(db, st, "carer link");
    if (rc == 0 && sqlite3_changes(db->conn) == 0) {
        rc = tc_rec__fail(db, -ENOENT,
                          "carer_id: %lld does not act for resident %lld",
                          (long long)carer_id, (long long)resident_id);
    }
    return rc;
}

int
tc_rec_carer_unlink(struct tc_rec_db *db, int64_t carer_id,
                    int64_t resident_id)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, unlink_carer(db, carer_id, resident_id));
}

int
tc_rec_carer_list_for_resident(struct tc_rec_db *db, int64_t resident_id,
                               struct tc_rec_carer_list **out)
{
    struct tc_rec_carer_list *list;
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    tc_rec__ok(db);
    rc = check_exists(db, "SELECT 1 FROM residents WHERE id = ?",
                      "resident_id", "resident", resident_id);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "SELECT c.id, c.name, c.phone, c.created_at_us,"
                          " rc.relationship FROM resident_carers rc"
                          " JOIN carers c ON c.id = rc.carer_id"
                          " WHERE rc.resident_id = ? ORDER BY c.name, c.id");
    list = calloc(1, sizeof(*list));
    if (!st || !list) {
        free(list);
        return st ? tc_rec__fail(db, -ENOMEM, "out of memory") : -EIO;
    }
    sqlite3_bind_int64(st, 1, resident_id);
    rc = tc_rec__collect(db, st, sizeof(*list->items), carer_row, &items,
                         &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_carer_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

int
tc_rec_carer_acts_for(struct tc_rec_db *db, int64_t carer_id,
                      int64_t resident_id, bool *out)
{
    tc_rec__ok(db);
    return tc_rec__exists2(db,
                           "SELECT 1 FROM resident_carers"
                           " WHERE resident_id = ? AND carer_id = ?",
                           resident_id, carer_id, "carer", out);
}
