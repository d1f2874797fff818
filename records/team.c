// SPDX-License-Identifier: Apache-2.0
/*
 * team.c - family-doctor teams and their members (FHIR CareTeam).
 *
 * Invariants: a team belongs to a township clinic (checked here, since the
 * schema cannot see the organization's kind); a practitioner is a member
 * of a team at most once, with one member role (the primary key).
 * The access rule "is P on the team of R's active contract" lives with the
 * contracts (tc_rec_resident_team_has_member, contract.c).
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define NAME_MAX_LEN 100

static const char *const member_codes[] = {
    [TC_REC_MEMBER_DOCTOR] = "doctor",
    [TC_REC_MEMBER_NURSE] = "nurse",
    [TC_REC_MEMBER_PUBLIC_HEALTH] = "public_health",
    [TC_REC_MEMBER_THERAPIST] = "therapist",
};
#define N_MEMBER_ROLES (int)(sizeof(member_codes) / sizeof(member_codes[0]))

const char *
tc_rec_member_role_to_string(enum tc_rec_member_role role)
{
    return tc_rec__code_name(member_codes, N_MEMBER_ROLES, (int)role);
}

int
tc_rec_member_role_from_string(const char *s, enum tc_rec_member_role *out)
{
    int i;
    int rc = tc_rec__code_parse(member_codes, N_MEMBER_ROLES, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_member_role)i;
    }
    return rc;
}

static const char sql_team_exists[] = "SELECT 1 FROM teams WHERE id = ?";
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

/* The organization must exist and be a township clinic. */
static int
check_clinic(struct tc_rec_db *db, int64_t org_id)
{
    sqlite3_stmt *st =
        tc_rec__stmt(db, "SELECT kind FROM organizations WHERE id = ?");
    bool clinic;
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, org_id);
    rc = sqlite3_step(st);
    clinic =
        rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0),
                                   "township_clinic") == 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        return tc_rec__fail(db, -ENOENT,
                            "organization_id: no organization "
                            "%lld",
                            (long long)org_id);
    }
    if (rc != SQLITE_ROW) {
        return tc_rec__fail_sql(db, rc, "organization_id");
    }
    if (!clinic) {
        return tc_rec__fail(db, -EINVAL,
                            "organization_id: a team belongs to a township "
                            "clinic, organization %lld is not one",
                            (long long)org_id);
    }
    return 0;
}

static int
insert_team(struct tc_rec_db *db, const struct tc_rec_team *team,
            int64_t *id_out)
{
    sqlite3_stmt *st;
    int rc = tc_rec__text_check(db, "name", team->name, NAME_MAX_LEN, true);

    if (rc == 0 && team->created_at_us <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "created_at_us: required");
    }
    if (rc == 0) {
        rc = check_clinic(db, team->organization_id);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO teams (organization_id, name,"
                          " created_at_us) VALUES (?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, team->organization_id);
    tc_rec__bind_text(st, 2, team->name);
    sqlite3_bind_int64(st, 3, team->created_at_us);
    rc = tc_rec__step_done(db, st, "team");
    if (rc == 0) {
        *id_out = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

int
tc_rec_team_create(struct tc_rec_db *db, const struct tc_rec_team *team,
                   int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, insert_team(db, team, &id));
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

void
tc_rec_team_free(struct tc_rec_team *team)
{
    if (team) {
        free(team->name);
        free(team);
    }
}

static int
team_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_team *team = item;
    bool oom = false;

    team->id = sqlite3_column_int64(st, 0);
    team->organization_id = sqlite3_column_int64(st, 1);
    team->name = tc_rec__col_text(st, 2, &oom);
    team->created_at_us = sqlite3_column_int64(st, 3);
    return oom ? -ENOMEM : 0;
}

static void
team_free(void *item)
{
    tc_rec_team_free(item);
}

int
tc_rec_team_get(struct tc_rec_db *db, int64_t id, struct tc_rec_team **out)
{
    sqlite3_stmt *st;
    void *team = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT id, organization_id, name, created_at_us"
                          " FROM teams WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_team), team_row, team_free,
                       &team);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "no team %lld", (long long)id);
    }
    if (rc == 0) {
        *out = team;
    }
    return rc;
}

void
tc_rec_team_list_free(struct tc_rec_team_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].name);
    }
    free(list->items);
    free(list);
}

int
tc_rec_team_list_for_organization(struct tc_rec_db *db,
                                  int64_t organization_id,
                                  struct tc_rec_team_list **out)
{
    struct tc_rec_team_list *list;
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    tc_rec__ok(db);
    rc = check_exists(db, sql_org_exists, "organization_id", "organization",
                      organization_id);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "SELECT id, organization_id, name, created_at_us"
                          " FROM teams WHERE organization_id = ?"
                          " ORDER BY name, id");
    list = calloc(1, sizeof(*list));
    if (!st || !list) {
        free(list);
        return st ? tc_rec__fail(db, -ENOMEM, "out of memory") : -EIO;
    }
    sqlite3_bind_int64(st, 1, organization_id);
    rc = tc_rec__collect(db, st, sizeof(*list->items), team_row, &items,
                         &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_team_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

static int
insert_member(struct tc_rec_db *db, int64_t team_id, int64_t practitioner_id,
              enum tc_rec_member_role role)
{
    sqlite3_stmt *st;
    int rc;

    if (!tc_rec_member_role_to_string(role)) {
        return tc_rec__fail(db, -EINVAL, "member_role: unknown role");
    }
    rc = check_exists(db, sql_team_exists, "team_id", "team", team_id);
    if (rc == 0) {
        rc = check_exists(db, "SELECT 1 FROM practitioners WHERE id = ?",
                          "practitioner_id", "practitioner", practitioner_id);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO team_members (team_id,"
                          " practitioner_id, member_role) VALUES (?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, team_id);
    sqlite3_bind_int64(st, 2, practitioner_id);
    tc_rec__bind_text(st, 3, member_codes[role]);
    rc = tc_rec__step_done(db, st, "member");
    if (rc == -EEXIST) {
        rc = tc_rec__fail(db, rc,
                          "practitioner_id: %lld already is a member of "
                          "team %lld",
                          (long long)practitioner_id, (long long)team_id);
    }
    return rc;
}

int
tc_rec_team_member_add(struct tc_rec_db *db, int64_t team_id,
                       int64_t practitioner_id, enum tc_rec_member_role role)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db,
                          insert_member(db, team_id, practitioner_id, role));
}

static int
delete_member(struct tc_rec_db *db, int64_t team_id, int64_t practitioner_id)
{
    sqlite3_stmt *st = tc_rec__stmt(db, "DELETE FROM team_members"
                                        " WHERE team_id = ?"
                                        " AND practitioner_id = ?");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, team_id);
    sqlite3_bind_int64(st, 2, practitioner_id);
    rc = tc_rec__step_done(db, st, "member");
    if (rc == 0 && sqlite3_changes(db->conn) == 0) {
        rc = tc_rec__fail(db, -ENOENT,
                          "practitioner_id: %lld is not a member of team "
                          "%lld",
                          (long long)practitioner_id, (long long)team_id);
    }
    return rc;
}

int
tc_rec_team_member_remove(struct tc_rec_db *db, int64_t team_id,
                          int64_t practitioner_id)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, delete_member(db, team_id, practitioner_id));
}

void
tc_rec_team_member_list_free(struct tc_rec_team_member_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].practitioner_name);
    }
    free(list->items);
    free(list);
}

static int
member_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_team_member *m = item;
    enum tc_rec_member_role role = 0;
    bool oom = false;

    tc_rec_member_role_from_string((const char *)sqlite3_column_text(st, 2),
                                   &role);
    m->team_id = sqlite3_column_int64(st, 0);
    m->practitioner_id = sqlite3_column_int64(st, 1);
    m->role = role;
    m->practitioner_name = tc_rec__col_text(st, 3, &oom);
    return oom ? -ENOMEM : 0;
}

int
tc_rec_team_member_list_for_team(struct tc_rec_db *db, int64_t team_id,
                                 struct tc_rec_team_member_list **out)
{
    struct tc_rec_team_member_list *list;
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    tc_rec__ok(db);
    rc = check_exists(db, sql_team_exists, "team_id", "team", team_id);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "SELECT m.team_id, m.practitioner_id,"
                          " m.member_role, p.name FROM team_members m"
                          " JOIN practitioners p ON p.id = m.practitioner_id"
                          " WHERE m.team_id = ?"
                          " ORDER BY m.member_role, p.name, p.id");
    list = calloc(1, sizeof(*list));
    if (!st || !list) {
        free(list);
        return st ? tc_rec__fail(db, -ENOMEM, "out of memory") : -EIO;
    }
    sqlite3_bind_int64(st, 1, team_id);
    rc = tc_rec__collect(db, st, sizeof(*list->items), member_row, &items,
                         &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_team_member_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

int
tc_rec_team_has_member(struct tc_rec_db *db, int64_t team_id,
                       int64_t practitioner_id, bool *out)
{
    tc_rec__ok(db);
    return tc_rec__exists2(db,
                           "SELECT 1 FROM team_members WHERE team_id = ?"
                           " AND practitioner_id = ?",
                           team_id, practitioner_id, "team member", out);
}
