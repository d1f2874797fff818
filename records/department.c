// SPDX-License-Identifier: Apache-2.0
/*
 * department.c - hospital departments in the directory: a specialty code
 * unique within its organization, a name and an optional head. Who works
 * in a department follows from the practitioner roles (a role at its
 * organization whose department is its code) and from its head.
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define CODE_MAX     40
#define NAME_MAX_LEN 200

static const char *const org_kinds[] = {
    [TC_REC_ORG_COUNTY_HOSPITAL] = "county_hospital",
    [TC_REC_ORG_TOWNSHIP_CLINIC] = "township_clinic",
    [TC_REC_ORG_CITY_HOSPITAL] = "city_hospital",
    [TC_REC_ORG_REHAB_POINT] = "rehab_point",
};

int
tc_rec__department_code_check(struct tc_rec_db *db, const char *field,
                              const char *code)
{
    size_t len = code ? strlen(code) : 0;

    if (len == 0 || len > CODE_MAX ||
        strspn(code, "abcdefghijklmnopqrstuvwxyz_") != len) {
        return tc_rec__fail(db, -EINVAL,
                            "%s: must be 1..%d characters of a-z and _", field,
                            CODE_MAX);
    }
    return 0;
}

static int
check(struct tc_rec_db *db, const struct tc_rec_department *d)
{
    int rc = tc_rec__department_code_check(db, "code", d->code);

    if (rc == 0) {
        rc = tc_rec__text_check(db, "name", d->name, NAME_MAX_LEN, true);
    }
    if (rc == 0 && d->created_at_us <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "created_at_us: required");
    }
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM organizations WHERE id = ?",
                              d->organization_id, "organization_id",
                              "organization");
    }
    if (rc == 0 && d->head_id) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              d->head_id, "head_id", "practitioner");
    }
    return rc;
}

static int
insert(struct tc_rec_db *db, const struct tc_rec_department *d, int64_t *id)
{
    sqlite3_stmt *st;
    int rc = check(db, d);

    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO departments (organization_id, code,"
                          " name, head_id, created_at_us)"
                          " VALUES (?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, d->organization_id);
    tc_rec__bind_text(st, 2, d->code);
    tc_rec__bind_text(st, 3, d->name);
    tc_rec__bind_id(st, 4, d->head_id);
    sqlite3_bind_int64(st, 5, d->created_at_us);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT) {
        return tc_rec__fail(db, -EEXIST,
                            "code: the organization has this department");
    }
    if (rc != SQLITE_DONE) {
        return tc_rec__fail_sql(db, rc, "department");
    }
    *id = sqlite3_last_insert_rowid(db->conn);
    return 0;
}

int
tc_rec_department_create(struct tc_rec_db *db,
                         const struct tc_rec_department *d, int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, insert(db, d, &id));
    if (rc == 0 && id_out) {
        *id_out = id;
    }
    return rc;
}

#define DEPT_COLUMNS                                                          \
    "d.id, d.organization_id, d.code, d.name, d.head_id, o.kind,"             \
    " d.created_at_us"

static int
dept_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_department *d = item;
    bool oom = false;
    int kind = 0;

    d->id = sqlite3_column_int64(st, 0);
    d->organization_id = sqlite3_column_int64(st, 1);
    d->code = tc_rec__col_text(st, 2, &oom);
    d->name = tc_rec__col_text(st, 3, &oom);
    d->head_id = sqlite3_column_int64(st, 4);
    tc_rec__code_parse(org_kinds, 5, (const char *)sqlite3_column_text(st, 5),
                       &kind);
    d->org_kind = (enum tc_rec_org_kind)kind;
    d->created_at_us = sqlite3_column_int64(st, 6);
    return oom ? -ENOMEM : 0;
}

static void
dept_fini(struct tc_rec_department *d)
{
    free(d->code);
    free(d->name);
}

void
tc_rec_department_free(struct tc_rec_department *d)
{
    if (d) {
        dept_fini(d);
        free(d);
    }
}

static void
dept_free(void *item)
{
    tc_rec_department_free(item);
}

int
tc_rec_department_get(struct tc_rec_db *db, int64_t id,
                      struct tc_rec_department **out)
{
    sqlite3_stmt *st;
    void *d = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT " DEPT_COLUMNS " FROM departments d"
                          " JOIN organizations o ON o.id = d.organization_id"
                          " WHERE d.id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_department), dept_row,
                       dept_free, &d);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "department_id: no department %lld",
                            (long long)id);
    }
    if (rc == 0) {
        *out = d;
    }
    return rc;
}

int
tc_rec_department_set_head(struct tc_rec_db *db, int64_t id, int64_t head_id)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__need_row(db, "SELECT 1 FROM departments WHERE id = ?", id,
                          "department_id", "department");
    if (rc == 0 && head_id) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              head_id, "head_id", "practitioner");
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "UPDATE departments SET head_id = ? WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_id(st, 1, head_id);
    sqlite3_bind_int64(st, 2, id);
    return tc_rec__step_done(db, st, "department");
}

void
tc_rec_department_list_free(struct tc_rec_department_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        dept_fini(&list->items[i]);
    }
    free(list->items);
    free(list);
}

int
tc_rec_department_list(struct tc_rec_db *db, int64_t organization_id,
                       const char *code, struct tc_rec_department_list **out)
{
    struct tc_rec_department_list *list;
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT " DEPT_COLUMNS " FROM departments d"
                          " JOIN organizations o ON o.id = d.organization_id"
                          " WHERE (?1 = 0 OR d.organization_id = ?1)"
                          " AND (?2 IS NULL OR d.code = ?2)"
                          " ORDER BY d.organization_id, d.code");
    list = calloc(1, sizeof(*list));
    if (!st || !list) {
        free(list);
        return st ? tc_rec__fail(db, -ENOMEM, "out of memory") : -EIO;
    }
    sqlite3_bind_int64(st, 1, organization_id);
    tc_rec__bind_text(st, 2, code);
    rc = tc_rec__collect(db, st, sizeof(*list->items), dept_row, &items,
                         &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_department_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

int
tc_rec_department_has_member(struct tc_rec_db *db, int64_t department_id,
                             int64_t practitioner_id, bool *out)
{
    tc_rec__ok(db);
    return tc_rec__exists2(
        db,
        "SELECT 1 FROM departments d WHERE d.id = ?1 AND (d.head_id = ?2"
        " OR EXISTS (SELECT 1 FROM practitioner_roles r"
        " WHERE r.practitioner_id = ?2 AND r.organization_id ="
        " d.organization_id AND r.department = d.code))",
        department_id, practitioner_id, "department member", out);
}
