// SPDX-License-Identifier: Apache-2.0
/*
 * organization.c - organizations: the county hospital, township clinics,
 * partner city hospitals and rehab service points, in a part-of hierarchy.
 *
 * Invariants: kind is one of the codes below; part_of names an existing
 * organization and the hierarchy has no cycle (a new organization has no
 * children, so only tc_rec_organization_set_part_of() needs to check).
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdlib.h>

#include "records-int.h"

#define NAME_MAX_LEN  200
#define PLACE_MAX_LEN 100

static const char *const kind_codes[] = {
    [TC_REC_ORG_COUNTY_HOSPITAL] = "county_hospital",
    [TC_REC_ORG_TOWNSHIP_CLINIC] = "township_clinic",
    [TC_REC_ORG_CITY_HOSPITAL] = "city_hospital",
    [TC_REC_ORG_REHAB_POINT] = "rehab_point",
};
#define N_KINDS (int)(sizeof(kind_codes) / sizeof(kind_codes[0]))

const char *
tc_rec_org_kind_to_string(enum tc_rec_org_kind kind)
{
    return tc_rec__code_name(kind_codes, N_KINDS, (int)kind);
}

int
tc_rec_org_kind_from_string(const char *s, enum tc_rec_org_kind *out)
{
    int i;
    int rc = tc_rec__code_parse(kind_codes, N_KINDS, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_org_kind)i;
    }
    return rc;
}

static const char sql_exists[] = "SELECT 1 FROM organizations WHERE id = ?";

static int
check_exists(struct tc_rec_db *db, const char *field, int64_t id)
{
    bool found = false;
    int rc = tc_rec__exists(db, sql_exists, id, &found);

    if (rc == 0 && !found) {
        rc = tc_rec__fail(db, -ENOENT, "%s: no organization %lld", field,
                          (long long)id);
    }
    return rc;
}

static int
validate(struct tc_rec_db *db, const struct tc_rec_organization *org)
{
    int rc;

    if (!tc_rec_org_kind_to_string(org->kind)) {
        return tc_rec__fail(db, -EINVAL, "kind: unknown organization kind");
    }
    rc = tc_rec__text_check(db, "name", org->name, NAME_MAX_LEN, true);
    if (rc == 0) {
        rc = tc_rec__text_check(db, "township", org->township, PLACE_MAX_LEN,
                                false);
    }
    if (rc == 0) {
        rc = tc_rec__text_check(db, "village", org->village, PLACE_MAX_LEN,
                                false);
    }
    if (rc == 0 && org->created_at_us <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "created_at_us: required");
    }
    if (rc == 0 && org->part_of != 0) {
        rc = check_exists(db, "part_of", org->part_of);
    }
    return rc;
}

static int
insert(struct tc_rec_db *db, const struct tc_rec_organization *org,
       int64_t *id_out)
{
    sqlite3_stmt *st;
    int rc = validate(db, org);

    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO organizations (kind, name, part_of,"
                          " township, village, created_at_us)"
                          " VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, kind_codes[org->kind]);
    tc_rec__bind_text(st, 2, org->name);
    tc_rec__bind_id(st, 3, org->part_of);
    tc_rec__bind_text(st, 4, org->township);
    tc_rec__bind_text(st, 5, org->village);
    sqlite3_bind_int64(st, 6, org->created_at_us);
    rc = tc_rec__step_done(db, st, "organization");
    if (rc == 0) {
        *id_out = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

int
tc_rec_organization_create(struct tc_rec_db *db,
                           const struct tc_rec_organization *org,
                           int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, insert(db, org, &id));
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

static void
org_fini(struct tc_rec_organization *org)
{
    free(org->name);
    free(org->township);
    free(org->village);
}

void
tc_rec_organization_free(struct tc_rec_organization *org)
{
    if (org) {
        org_fini(org);
        free(org);
    }
}

void
tc_rec_organization_list_free(struct tc_rec_organization_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        org_fini(&list->items[i]);
    }
    free(list->items);
    free(list);
}

#define ORG_COLUMNS "id, kind, name, part_of, township, village, created_at_us"

static int
org_from_row(sqlite3_stmt *st, struct tc_rec_organization *org)
{
    bool oom = false;
    enum tc_rec_org_kind kind = 0;

    tc_rec_org_kind_from_string((const char *)sqlite3_column_text(st, 1),
                                &kind);
    org->id = sqlite3_column_int64(st, 0);
    org->kind = kind;
    org->name = tc_rec__col_text(st, 2, &oom);
    org->part_of = sqlite3_column_int64(st, 3);
    org->township = tc_rec__col_text(st, 4, &oom);
    org->village = tc_rec__col_text(st, 5, &oom);
    org->created_at_us = sqlite3_column_int64(st, 6);
    return oom ? -ENOMEM : 0;
}

static int
org_row(sqlite3_stmt *st, void *item)
{
    return org_from_row(st, item);
}

static void
org_free(void *item)
{
    tc_rec_organization_free(item);
}

int
tc_rec_organization_get(struct tc_rec_db *db, int64_t id,
                        struct tc_rec_organization **out)
{
    sqlite3_stmt *st;
    void *org = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT " ORG_COLUMNS
                          " FROM organizations WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_organization), org_row,
                       org_free, &org);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "no organization %lld", (long long)id);
    }
    if (rc == 0) {
        *out = org;
    }
    return rc;
}

/* Whether `ancestor` is `id` or one of the organizations above it. */
static int
is_ancestor_or_self(struct tc_rec_db *db, int64_t ancestor, int64_t id,
                    bool *out)
{
    return tc_rec__exists2(
        db,
        "WITH RECURSIVE up(id) AS (SELECT ?1 UNION"
        " SELECT o.part_of FROM organizations o JOIN up ON o.id = up.id"
        " WHERE o.part_of IS NOT NULL)"
        " SELECT 1 FROM up WHERE id = ?2",
        id, ancestor, "part_of", out);
}

static int
set_part_of(struct tc_rec_db *db, int64_t id, int64_t part_of)
{
    sqlite3_stmt *st;
    bool cycle = false;
    int rc = check_exists(db, "id", id);

    if (rc == 0 && part_of != 0) {
        rc = check_exists(db, "part_of", part_of);
    }
    /* Moving id under part_of makes a cycle iff id is part_of or above
     * it already. */
    if (rc == 0 && part_of != 0) {
        rc = is_ancestor_or_self(db, id, part_of, &cycle);
    }
    if (rc == 0 && cycle) {
        rc = tc_rec__fail(db, -EINVAL,
                          "part_of: organization %lld is part of %lld, "
                          "this would make a cycle",
                          (long long)part_of, (long long)id);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "UPDATE organizations SET part_of = ?"
                          " WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_id(st, 1, part_of);
    sqlite3_bind_int64(st, 2, id);
    return tc_rec__step_done(db, st, "part_of");
}

int
tc_rec_organization_set_part_of(struct tc_rec_db *db, int64_t id,
                                int64_t part_of)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, set_part_of(db, id, part_of));
}

static int
collect(struct tc_rec_db *db, sqlite3_stmt *st,
        struct tc_rec_organization_list **out)
{
    struct tc_rec_organization_list *list = calloc(1, sizeof(*list));
    void *items = NULL;
    int rc;

    if (!list) {
        sqlite3_reset(st);
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    rc = tc_rec__collect(db, st, sizeof(*list->items), org_row, &items,
                         &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_organization_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

int
tc_rec_organization_list_children(struct tc_rec_db *db, int64_t part_of,
                                  struct tc_rec_organization_list **out)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    if (part_of != 0) {
        rc = check_exists(db, "part_of", part_of);
        if (rc < 0) {
            return rc;
        }
        st = tc_rec__stmt(db, "SELECT " ORG_COLUMNS " FROM organizations"
                              " WHERE part_of = ? ORDER BY name, id");
        if (st) {
            sqlite3_bind_int64(st, 1, part_of);
        }
    } else {
        st = tc_rec__stmt(db, "SELECT " ORG_COLUMNS " FROM organizations"
                              " WHERE part_of IS NULL ORDER BY name, id");
    }
    return st ? collect(db, st, out) : -EIO;
}
