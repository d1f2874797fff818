// SPDX-License-Identifier: Apache-2.0
/*
 * oncall.c - the on-call rota: shifts of a practitioner on call for a
 * department over [starts_at_us, ends_at_us), and who is on call now for
 * a specialty at the county hospital (tier 1) or at the partner city
 * hospitals (tier 2).
 *
 * Invariant: a shift's practitioner works in its department when the
 * shift is added (department.c's rule).
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdlib.h>

#include "records-int.h"

static int
add(struct tc_rec_db *db, const struct tc_rec_oncall_shift *s, int64_t *id)
{
    bool member = false;
    sqlite3_stmt *st;
    int rc = tc_rec__need_row(db, "SELECT 1 FROM departments WHERE id = ?",
                              s->department_id, "department_id", "department");

    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              s->practitioner_id, "practitioner_id",
                              "practitioner");
    }
    if (rc == 0) {
        rc = tc_rec_department_has_member(db, s->department_id,
                                          s->practitioner_id, &member);
    }
    if (rc == 0 && !member) {
        rc = tc_rec__fail(db, -EINVAL,
                          "practitioner_id: does not work in the department");
    }
    if (rc == 0 &&
        (s->starts_at_us <= 0 || s->ends_at_us <= s->starts_at_us)) {
        rc = tc_rec__fail(db, -EINVAL, "ends_at: must be after starts_at");
    }
    if (rc == 0 && s->created_at_us <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "created_at_us: required");
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO oncall_shifts (department_id,"
                          " practitioner_id, starts_at_us, ends_at_us,"
                          " created_at_us) VALUES (?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, s->department_id);
    sqlite3_bind_int64(st, 2, s->practitioner_id);
    sqlite3_bind_int64(st, 3, s->starts_at_us);
    sqlite3_bind_int64(st, 4, s->ends_at_us);
    sqlite3_bind_int64(st, 5, s->created_at_us);
    rc = tc_rec__step_done(db, st, "on-call shift");
    if (rc == 0) {
        *id = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

int
tc_rec_oncall_add(struct tc_rec_db *db, const struct tc_rec_oncall_shift *s,
                  int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, add(db, s, &id));
    if (rc == 0 && id_out) {
        *id_out = id;
    }
    return rc;
}

#define SHIFT_COLUMNS                                                         \
    "id, department_id, practitioner_id, starts_at_us, ends_at_us,"           \
    " created_at_us"

static int
shift_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_oncall_shift *s = item;

    s->id = sqlite3_column_int64(st, 0);
    s->department_id = sqlite3_column_int64(st, 1);
    s->practitioner_id = sqlite3_column_int64(st, 2);
    s->starts_at_us = sqlite3_column_int64(st, 3);
    s->ends_at_us = sqlite3_column_int64(st, 4);
    s->created_at_us = sqlite3_column_int64(st, 5);
    return 0;
}

int
tc_rec_oncall_get(struct tc_rec_db *db, int64_t id,
                  struct tc_rec_oncall_shift *out)
{
    sqlite3_stmt *st;
    void *s = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT " SHIFT_COLUMNS
                          " FROM oncall_shifts WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_oncall_shift), shift_row,
                       free, &s);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "no on-call shift %lld", (long long)id);
    }
    if (rc == 0) {
        *out = *(struct tc_rec_oncall_shift *)s;
        free(s);
    }
    return rc;
}

int
tc_rec_oncall_remove(struct tc_rec_db *db, int64_t id)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__need_row(db, "SELECT 1 FROM oncall_shifts WHERE id = ?", id,
                          "shift_id", "on-call shift");
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "DELETE FROM oncall_shifts WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    return tc_rec__step_done(db, st, "on-call shift");
}

void
tc_rec_oncall_list_free(struct tc_rec_oncall_list *list)
{
    if (list) {
        free(list->items);
        free(list);
    }
}

int
tc_rec_oncall_list(struct tc_rec_db *db, int64_t department_id,
                   int64_t from_us, int64_t to_us,
                   struct tc_rec_oncall_list **out)
{
    struct tc_rec_oncall_list *list;
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    tc_rec__ok(db);
    if (to_us <= from_us) {
        return tc_rec__fail(db, -EINVAL, "to: must be after from");
    }
    st = tc_rec__stmt(db, "SELECT " SHIFT_COLUMNS " FROM oncall_shifts"
                          " WHERE (?1 = 0 OR department_id = ?1)"
                          " AND ends_at_us > ?2 AND starts_at_us < ?3"
                          " ORDER BY starts_at_us, id LIMIT 1000");
    list = calloc(1, sizeof(*list));
    if (!st || !list) {
        free(list);
        return st ? tc_rec__fail(db, -ENOMEM, "out of memory") : -EIO;
    }
    sqlite3_bind_int64(st, 1, department_id);
    sqlite3_bind_int64(st, 2, from_us);
    sqlite3_bind_int64(st, 3, to_us);
    rc = tc_rec__collect(db, st, sizeof(*list->items), shift_row, &items,
                         &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_oncall_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

int
tc_rec_oncall_now(struct tc_rec_db *db, const char *code,
                  enum tc_rec_org_kind kind, int64_t at_us, int64_t **ids_out,
                  size_t *n_out)
{
    sqlite3_stmt *st;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT DISTINCT s.practitioner_id"
                          " FROM departments d"
                          " JOIN organizations o ON o.id = d.organization_id"
                          " JOIN oncall_shifts s ON s.department_id = d.id"
                          " JOIN practitioners p ON p.id = s.practitioner_id"
                          " WHERE d.code = ?1 AND o.kind = ?2"
                          " AND s.starts_at_us <= ?3 AND s.ends_at_us > ?3"
                          " AND p.active ORDER BY s.practitioner_id");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, code);
    tc_rec__bind_text(st, 2, tc_rec_org_kind_to_string(kind));
    sqlite3_bind_int64(st, 3, at_us);
    return tc_rec__ids_collect(db, st, ids_out, n_out);
}
