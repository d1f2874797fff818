// SPDX-License-Identifier: Apache-2.0
/*
 * practitioner.c - practitioners and their roles per organization
 * (FHIR Practitioner and PractitionerRole).
 *
 * Invariants: a role names an existing practitioner and organization, its
 * code is one of role_codes, and a practitioner holds a given role at a
 * given organization at most once (a unique key in the schema).
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdlib.h>

#include "records-int.h"

#define NAME_MAX_LEN  100
#define PHONE_MAX_LEN 32
#define QUAL_MAX_LEN  200
#define DEPT_MAX_LEN  100

static const char *const role_codes[] = {
    [TC_REC_ROLE_DOCTOR] = "doctor",
    [TC_REC_ROLE_SPECIALIST] = "specialist",
    [TC_REC_ROLE_TOWNSHIP_DOCTOR] = "township_doctor",
    [TC_REC_ROLE_FAMILY_DOCTOR] = "family_doctor",
    [TC_REC_ROLE_THERAPIST] = "therapist",
    [TC_REC_ROLE_ECG_READER] = "ecg_reader",
    [TC_REC_ROLE_RADIOLOGIST] = "radiologist",
    [TC_REC_ROLE_NURSE] = "nurse",
    [TC_REC_ROLE_PUBLIC_HEALTH] = "public_health",
};
#define N_ROLES (int)(sizeof(role_codes) / sizeof(role_codes[0]))

const char *
tc_rec_role_to_string(enum tc_rec_role role)
{
    return tc_rec__code_name(role_codes, N_ROLES, (int)role);
}

int
tc_rec_role_from_string(const char *s, enum tc_rec_role *out)
{
    int i;
    int rc = tc_rec__code_parse(role_codes, N_ROLES, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_role)i;
    }
    return rc;
}

static const char sql_practitioner_exists[] =
    "SELECT 1 FROM practitioners WHERE id = ?";
static const char sql_org_exists[] =
    "SELECT 1 FROM organizations WHERE id = ?";

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
insert_practitioner(struct tc_rec_db *db, const struct tc_rec_practitioner *p,
                    int64_t *id_out)
{
    sqlite3_stmt *st;
    int rc = tc_rec__text_check(db, "name", p->name, NAME_MAX_LEN, true);

    if (rc == 0) {
        rc = tc_rec__text_check(db, "phone", p->phone, PHONE_MAX_LEN, false);
    }
    if (rc == 0) {
        rc = tc_rec__text_check(db, "qualification", p->qualification,
                                QUAL_MAX_LEN, false);
    }
    if (rc == 0 && p->created_at_us <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "created_at_us: required");
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO practitioners (name, phone,"
                          " qualification, active, created_at_us)"
                          " VALUES (?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, p->name);
    tc_rec__bind_text(st, 2, p->phone);
    tc_rec__bind_text(st, 3, p->qualification);
    sqlite3_bind_int(st, 4, 1); /* a new practitioner is active */
    sqlite3_bind_int64(st, 5, p->created_at_us);
    rc = tc_rec__step_done(db, st, "practitioner");
    if (rc == 0) {
        *id_out = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

int
tc_rec_practitioner_create(struct tc_rec_db *db,
                           const struct tc_rec_practitioner *p,
                           int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, insert_practitioner(db, p, &id));
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

void
tc_rec_practitioner_free(struct tc_rec_practitioner *p)
{
    if (p) {
        free(p->name);
        free(p->phone);
        free(p->qualification);
        free(p);
    }
}

static int
practitioner_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_practitioner *p = item;
    bool oom = false;

    p->id = sqlite3_column_int64(st, 0);
    p->name = tc_rec__col_text(st, 1, &oom);
    p->phone = tc_rec__col_text(st, 2, &oom);
    p->qualification = tc_rec__col_text(st, 3, &oom);
    p->active = sqlite3_column_int(st, 4) != 0;
    p->created_at_us = sqlite3_column_int64(st, 5);
    return oom ? -ENOMEM : 0;
}

static void
practitioner_free(void *item)
{
    tc_rec_practitioner_free(item);
}

int
tc_rec_practitioner_get(struct tc_rec_db *db, int64_t id,
                        struct tc_rec_practitioner **out)
{
    sqlite3_stmt *st;
    void *p = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT id, name, phone, qualification, active,"
                          " created_at_us FROM practitioners WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_practitioner),
                       practitioner_row, practitioner_free, &p);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "no practitioner %lld", (long long)id);
    }
    if (rc == 0) {
        *out = p;
    }
    return rc;
}

static int
insert_role(struct tc_rec_db *db, const struct tc_rec_practitioner_role *r,
            int64_t *id_out)
{
    sqlite3_stmt *st;
    int rc;

    if (!tc_rec_role_to_string(r->role)) {
        return tc_rec__fail(db, -EINVAL, "role: unknown role");
    }
    rc = tc_rec__text_check(db, "department", r->department, DEPT_MAX_LEN,
                            false);
    if (rc == 0) {
        rc = check_exists(db, sql_practitioner_exists, "practitioner_id",
                          "practitioner", r->practitioner_id);
    }
    if (rc == 0) {
        rc = check_exists(db, sql_org_exists, "organization_id",
                          "organization", r->organization_id);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO practitioner_roles (practitioner_id,"
                          " organization_id, role, department)"
                          " VALUES (?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, r->practitioner_id);
    sqlite3_bind_int64(st, 2, r->organization_id);
    tc_rec__bind_text(st, 3, role_codes[r->role]);
    tc_rec__bind_text(st, 4, r->department);
    rc = tc_rec__step_done(db, st, "role");
    if (rc == -EEXIST) {
        return tc_rec__fail(db, rc,
                            "role: practitioner %lld already is %s at "
                            "organization %lld",
                            (long long)r->practitioner_id, role_codes[r->role],
                            (long long)r->organization_id);
    }
    if (rc == 0) {
        *id_out = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

int
tc_rec_practitioner_role_add(struct tc_rec_db *db,
                             const struct tc_rec_practitioner_role *r,
                             int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, insert_role(db, r, &id));
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

static int
delete_role(struct tc_rec_db *db, int64_t role_id)
{
    sqlite3_stmt *st =
        tc_rec__stmt(db, "DELETE FROM practitioner_roles WHERE id = ?");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, role_id);
    rc = tc_rec__step_done(db, st, "role");
    if (rc == 0 && sqlite3_changes(db->conn) == 0) {
        rc = tc_rec__fail(db, -ENOENT, "no role %lld", (long long)role_id);
    }
    return rc;
}

int
tc_rec_practitioner_role_remove(struct tc_rec_db *db, int64_t role_id)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, delete_role(db, role_id));
}

static void
role_fini(struct tc_rec_practitioner_role *r)
{
    free(r->department);
    free(r->practitioner_name);
}

void
tc_rec_practitioner_role_list_free(struct tc_rec_practitioner_role_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        role_fini(&list->items[i]);
    }
    free(list->items);
    free(list);
}

static int
role_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_practitioner_role *r = item;
    enum tc_rec_role role = 0;
    bool oom = false;

    tc_rec_role_from_string((const char *)sqlite3_column_text(st, 3), &role);
    r->id = sqlite3_column_int64(st, 0);
    r->practitioner_id = sqlite3_column_int64(st, 1);
    r->organization_id = sqlite3_column_int64(st, 2);
    r->role = role;
    r->department = tc_rec__col_text(st, 4, &oom);
    r->practitioner_name = tc_rec__col_text(st, 5, &oom);
    return oom ? -ENOMEM : 0;
}

static int
collect_roles(struct tc_rec_db *db, sqlite3_stmt *st,
              struct tc_rec_practitioner_role_list **out)
{
    struct tc_rec_practitioner_role_list *list = calloc(1, sizeof(*list));
    void *items = NULL;
    int rc;

    if (!list) {
        sqlite3_reset(st);
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    rc = tc_rec__collect(db, st, sizeof(*list->items), role_row, &items,
                         &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_practitioner_role_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

#define ROLE_SELECT                                                           \
    "SELECT r.id, r.practitioner_id, r.organization_id, r.role,"              \
    " r.department, p.name FROM practitioner_roles r"                         \
    " JOIN practitioners p ON p.id = r.practitioner_id"

int
tc_rec_practitioner_role_list_for_organization(
    struct tc_rec_db *db, int64_t organization_id, enum tc_rec_role role,
    struct tc_rec_practitioner_role_list **out)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    if (role != 0 && !tc_rec_role_to_string(role)) {
        return tc_rec__fail(db, -EINVAL, "role: unknown role");
    }
    rc = check_exists(db, sql_org_exists, "organization_id", "organization",
                      organization_id);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, ROLE_SELECT " WHERE r.organization_id = ?1"
                                      " AND (?2 IS NULL OR r.role = ?2)"
                                      " ORDER BY p.name, r.id");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, organization_id);
    tc_rec__bind_text(st, 2, role ? role_codes[role] : NULL);
    return collect_roles(db, st, out);
}

int
tc_rec_practitioner_role_list_for_practitioner(
    struct tc_rec_db *db, int64_t practitioner_id,
    struct tc_rec_practitioner_role_list **out)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    rc = check_exists(db, sql_practitioner_exists, "practitioner_id",
                      "practitioner", practitioner_id);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, ROLE_SELECT " WHERE r.practitioner_id = ?"
                                      " ORDER BY r.organization_id, r.role");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, practitioner_id);
    return collect_roles(db, st, out);
}
