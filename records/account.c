// SPDX-License-Identifier: Apache-2.0
/*
 * account.c - login accounts: who may log in, as which person, with which
 * roles, and with which password hash and TOTP secret.
 *
 * Invariants: a username is 3..64 characters of [a-z0-9._-] and unique
 * without regard to case; a password hash is an Argon2id string (so a
 * plain password can never be stored by mistake); a user has at least one
 * role, and every role has the person link it needs: resident needs
 * resident_id, carer needs carer_id, the clinical roles need
 * practitioner_id. Records never hashes: the server hands it the string.
 * Logins (failures, locks, TOTP replay) are in account-login.c.
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define HASH_MAX_LEN        256
#define HASH_PREFIX         "$argon2id$"
#define TOTP_MIN_LEN        16
#define TOTP_MAX_LEN        128
#define TOTP_SEALED_MAX_LEN 256
#define ROLES_ALL           (((1u << (TC_REC_USER_ROLE_MAX + 1)) - 1) & ~1u)

static const char *const role_codes[] = {
    [TC_REC_USER_ADMIN] = "admin",
    [TC_REC_USER_AUDITOR] = "auditor",
    [TC_REC_USER_DOCTOR] = "doctor",
    [TC_REC_USER_SPECIALIST] = "specialist",
    [TC_REC_USER_TOWNSHIP_DOCTOR] = "township_doctor",
    [TC_REC_USER_FAMILY_DOCTOR] = "family_doctor",
    [TC_REC_USER_THERAPIST] = "therapist",
    [TC_REC_USER_ECG_READER] = "ecg_reader",
    [TC_REC_USER_RADIOLOGIST] = "radiologist",
    [TC_REC_USER_RESIDENT] = "resident",
    [TC_REC_USER_CARER] = "carer",
};
#define N_ROLES (int)(sizeof(role_codes) / sizeof(role_codes[0]))

const char *
tc_rec_user_role_to_string(enum tc_rec_user_role role)
{
    return tc_rec__code_name(role_codes, N_ROLES, (int)role);
}

int
tc_rec_user_role_from_string(const char *s, enum tc_rec_user_role *out)
{
    int i;
    int rc = tc_rec__code_parse(role_codes, N_ROLES, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_user_role)i;
    }
    return rc;
}

/* ---- validation ---- */

static int
username_check(struct tc_rec_db *db, const char *username)
{
    size_t len = username ? strlen(username) : 0;

    if (!username) {
        return tc_rec__fail(db, -EINVAL, "username: required");
    }
    if (len < TC_REC_USERNAME_MIN || len > TC_REC_USERNAME_MAX) {
        return tc_rec__fail(db, -EINVAL, "username: must be %d..%d characters",
                            TC_REC_USERNAME_MIN, TC_REC_USERNAME_MAX);
    }
    for (size_t i = 0; i < len; i++) {
        char c = username[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-')) {
            return tc_rec__fail(db, -EINVAL,
                                "username: only a-z, 0-9, '.', '_' and '-' "
                                "are allowed");
        }
    }
    return 0;
}

static int
hash_check(struct tc_rec_db *db, const char *hash)
{
    int rc = tc_rec__text_check(db, "password_hash", hash, HASH_MAX_LEN, true);

    if (rc == 0 && strncmp(hash, HASH_PREFIX, strlen(HASH_PREFIX)) != 0) {
        rc = tc_rec__fail(db, -EINVAL,
                          "password_hash: must be an Argon2id hash string "
                          "(" HASH_PREFIX "...)");
    }
    return rc;
}

/* A sealed secret (the server's, totp-seal.c): the prefix, then base64. */
static int
sealed_check(struct tc_rec_db *db, const char *secret, size_t len)
{
    size_t prefix = strlen(TC_REC_TOTP_SEALED_PREFIX);

    if (len <= prefix || len > TOTP_SEALED_MAX_LEN) {
        return tc_rec__fail(db, -EINVAL,
                            "totp_secret: a sealed secret must be %zu..%d "
                            "characters",
                            prefix + 1, TOTP_SEALED_MAX_LEN);
    }
    for (size_t i = prefix; i < len; i++) {
        char c = secret[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=')) {
            return tc_rec__fail(db, -EINVAL,
                                "totp_secret: a sealed secret is base64 "
                                "after its prefix");
        }
    }
    return 0;
}

static int
totp_check(struct tc_rec_db *db, const char *secret)
{
    size_t len;

    if (!secret) {
        return 0;
    }
    len = strlen(secret);
    if (strncmp(secret, TC_REC_TOTP_SEALED_PREFIX,
                strlen(TC_REC_TOTP_SEALED_PREFIX)) == 0) {
        return sealed_check(db, secret, len);
    }
    if (len < TOTP_MIN_LEN || len > TOTP_MAX_LEN) {
        return tc_rec__fail(db, -EINVAL,
                            "totp_secret: must be %d..%d base32 characters",
                            TOTP_MIN_LEN, TOTP_MAX_LEN);
    }
    for (size_t i = 0; i < len; i++) {
        char c = secret[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'))) {
            return tc_rec__fail(db, -EINVAL,
                                "totp_secret: only base32 characters "
                                "(A-Z, 2-7) are allowed");
        }
    }
    return 0;
}

/* The person link a role needs: 'p'ractitioner, 'r'esident, 'c'arer or
 * nothing. */
static char
role_needs(int role)
{
    switch (role) {
    case TC_REC_USER_ADMIN:
    case TC_REC_USER_AUDITOR:
        return 0;
    case TC_REC_USER_RESIDENT:
        return 'r';
    case TC_REC_USER_CARER:
        return 'c';
    default:
        return 'p';
    }
}

static int
roles_check(struct tc_rec_db *db, unsigned roles, int64_t practitioner_id,
            int64_t resident_id, int64_t carer_id)
{
    if (roles == 0) {
        return tc_rec__fail(db, -EINVAL, "roles: at least one role");
    }
    if (roles & ~ROLES_ALL) {
        return tc_rec__fail(db, -EINVAL, "roles: unknown role bit");
    }
    for (int r = 1; r < N_ROLES; r++) {
        char need = role_needs(r);
        if (!(roles & TC_REC_USER_ROLE_BIT(r))) {
            continue;
        }
        if (need == 'p' && practitioner_id <= 0) {
            return tc_rec__fail(db, -EINVAL,
                                "roles: %s needs a practitioner_id",
                                role_codes[r]);
        }
        if (need == 'r' && resident_id <= 0) {
            return tc_rec__fail(db, -EINVAL, "roles: %s needs a resident_id",
                                role_codes[r]);
        }
        if (need == 'c' && carer_id <= 0) {
            return tc_rec__fail(db, -EINVAL, "roles: %s needs a carer_id",
                                role_codes[r]);
        }
    }
    return 0;
}

static int
links_check(struct tc_rec_db *db, const struct tc_rec_user *u)
{
    static const struct {
        const char *sql, *field, *noun;
    } links[] = {
        {"SELECT 1 FROM practitioners WHERE id = ?", "practitioner_id",
         "practitioner"},
        {"SELECT 1 FROM residents WHERE id = ?", "resident_id", "resident"},
        {"SELECT 1 FROM carers WHERE id = ?", "carer_id", "carer"},
    };
    int64_t ids[] = {u->practitioner_id, u->resident_id, u->carer_id};
    int n = 0, rc;

    for (size_t i = 0; i < 3; i++) {
        if (ids[i] < 0) {
            return tc_rec__fail(db, -EINVAL, "%s: must be > 0 or 0 for none",
                                links[i].field);
        }
        n += ids[i] > 0;
    }
    if (n > 1) {
        return tc_rec__fail(db, -EINVAL,
                            "practitioner_id, resident_id, carer_id: a user "
                            "stands for at most one person");
    }
    for (size_t i = 0; i < 3; i++) {
        if (ids[i] > 0) {
            rc = tc_rec__need_row(db, links[i].sql, ids[i], links[i].field,
                                  links[i].noun);
            if (rc < 0) {
                return rc;
            }
        }
    }
    return 0;
}

/* ---- writes ---- */

static int
roles_write(struct tc_rec_db *db, int64_t id, unsigned roles)
{
    sqlite3_stmt *st = tc_rec__stmt(db, "DELETE FROM user_roles"
                                        " WHERE user_id = ?");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__step_done(db, st, "roles");
    for (int r = 1; rc == 0 && r < N_ROLES; r++) {
        if (!(roles & TC_REC_USER_ROLE_BIT(r))) {
            continue;
        }
        st = tc_rec__stmt(db, "INSERT INTO user_roles (user_id, role)"
                              " VALUES (?, ?)");
        if (!st) {
            return -EIO;
        }
        sqlite3_bind_int64(st, 1, id);
        tc_rec__bind_text(st, 2, role_codes[r]);
        rc = tc_rec__step_done(db, st, "roles");
    }
    return rc;
}

static int
insert(struct tc_rec_db *db, const struct tc_rec_user *u, int64_t *id_out)
{
    sqlite3_stmt *st;
    int rc = username_check(db, u->username);

    if (rc == 0) {
        rc = hash_check(db, u->password_hash);
    }
    if (rc == 0 && u->created_at_us <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "created_at_us: required");
    }
    if (rc == 0) {
        rc = links_check(db, u);
    }
    if (rc == 0) {
        rc = roles_check(db, u->roles, u->practitioner_id, u->resident_id,
                         u->carer_id);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO users (username, password_hash,"
                          " practitioner_id, resident_id, carer_id,"
                          " created_at_us) VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, u->username);
    tc_rec__bind_text(st, 2, u->password_hash);
    tc_rec__bind_id(st, 3, u->practitioner_id);
    tc_rec__bind_id(st, 4, u->resident_id);
    tc_rec__bind_id(st, 5, u->carer_id);
    sqlite3_bind_int64(st, 6, u->created_at_us);
    rc = tc_rec__step_done(db, st, "user");
    if (rc == -EEXIST) {
        return tc_rec__fail(db, rc, "username: '%s' is taken", u->username);
    }
    if (rc == 0) {
        *id_out = sqlite3_last_insert_rowid(db->conn);
        rc = roles_write(db, *id_out, u->roles);
    }
    return rc;
}

int
tc_rec_user_create(struct tc_rec_db *db, const struct tc_rec_user *u,
                   int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, insert(db, u, &id));
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

/* ---- reads ---- */

#define USER_COLUMNS                                                          \
    "SELECT id, username, password_hash, practitioner_id, resident_id,"       \
    " carer_id, disabled, failed_logins, locked_until_us, totp_secret,"       \
    " totp_last_step, created_at_us, (SELECT group_concat(role, ',')"         \
    " FROM user_roles WHERE user_id = users.id) FROM users"

static void
user_fini(struct tc_rec_user *u)
{
    free(u->username);
    free(u->password_hash);
    free(u->totp_secret);
}

void
tc_rec_user_free(struct tc_rec_user *u)
{
    if (u) {
        user_fini(u);
        free(u);
    }
}

void
tc_rec_user_list_free(struct tc_rec_user_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        user_fini(&list->items[i]);
    }
    free(list->items);
    free(list);
}

/* The role bits of a comma-separated list of role codes. */
static unsigned
roles_parse(const char *text)
{
    unsigned roles = 0;

    while (text && *text) {
        size_t len = strcspn(text, ",");
        for (int r = 1; r < N_ROLES; r++) {
            if (strlen(role_codes[r]) == len &&
                strncmp(role_codes[r], text, len) == 0) {
                roles |= TC_REC_USER_ROLE_BIT(r);
            }
        }
        text += len + (text[len] == ',');
    }
    return roles;
}

static int
user_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_user *u = item;
    bool oom = false;

    u->id = sqlite3_column_int64(st, 0);
    u->username = tc_rec__col_text(st, 1, &oom);
    u->password_hash = tc_rec__col_text(st, 2, &oom);
    u->practitioner_id = sqlite3_column_int64(st, 3);
    u->resident_id = sqlite3_column_int64(st, 4);
    u->carer_id = sqlite3_column_int64(st, 5);
    u->disabled = sqlite3_column_int(st, 6) != 0;
    u->failed_logins = sqlite3_column_int(st, 7);
    u->locked_until_us = sqlite3_column_int64(st, 8);
    u->totp_secret = tc_rec__col_text(st, 9, &oom);
    u->totp_last_step = sqlite3_column_int64(st, 10);
    u->created_at_us = sqlite3_column_int64(st, 11);
    u->roles = roles_parse((const char *)sqlite3_column_text(st, 12));
    return oom ? -ENOMEM : 0;
}

static void
user_free(void *item)
{
    tc_rec_user_free(item);
}

int
tc_rec_user_get(struct tc_rec_db *db, int64_t id, struct tc_rec_user **out)
{
    sqlite3_stmt *st;
    void *u = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, USER_COLUMNS " WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_user), user_row, user_free,
                       &u);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "no user %lld", (long long)id);
    }
    if (rc == 0) {
        *out = u;
    }
    return rc;
}

int
tc_rec_user_get_by_username(struct tc_rec_db *db, const char *username,
                            struct tc_rec_user **out)
{
    sqlite3_stmt *st;
    void *u = NULL;
    int rc;

    tc_rec__ok(db);
    if (!username) {
        return tc_rec__fail(db, -EINVAL, "username: required");
    }
    st = tc_rec__stmt(db, USER_COLUMNS " WHERE username = ?");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, username);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_user), user_row, user_free,
                       &u);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "no such user");
    }
    if (rc == 0) {
        *out = u;
    }
    return rc;
}

int
tc_rec_user_list(struct tc_rec_db *db, int64_t after_id, int limit,
                 struct tc_rec_user_list **out)
{
    struct tc_rec_user_list *list;
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    if (limit < 1 || limit > TC_REC_USER_PAGE_MAX) {
        return tc_rec__fail(db, -EINVAL, "limit: must be 1..%d",
                            TC_REC_USER_PAGE_MAX);
    }
    st = tc_rec__stmt(db, USER_COLUMNS " WHERE id > ? ORDER BY id LIMIT ?");
    if (!st) {
        return -EIO;
    }
    list = calloc(1, sizeof(*list));
    if (!list) {
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    sqlite3_bind_int64(st, 1, after_id);
    sqlite3_bind_int(st, 2, limit);
    rc = tc_rec__collect(db, st, sizeof(struct tc_rec_user), user_row,
                         (void **)&list->items, &list->count);
    if (rc < 0) {
        tc_rec_user_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

/* ---- changes ---- */

/* Run the one-row UPDATE `sql` (bound by bind) in its own transaction;
 * -ENOENT "no user" when no row changed. */
int
tc_rec__user_update(struct tc_rec_db *db, int64_t id, const char *sql,
                    int (*bind)(sqlite3_stmt *st, const void *arg),
                    const void *arg)
{
    sqlite3_stmt *st;
    int rc;

    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, sql);
    rc = st ? bind(st, arg) : -EIO;
    if (rc == 0) {
        sqlite3_bind_int64(st, 1, id);
        rc = tc_rec__step_done(db, st, "user");
    }
    if (rc == 0 && sqlite3_changes(db->conn) == 0) {
        rc = tc_rec__fail(db, -ENOENT, "no user %lld", (long long)id);
    }
    return tc_rec__tx_end(db, rc);
}

static int
bind_text2(sqlite3_stmt *st, const void *arg)
{
    return tc_rec__bind_text(st, 2, arg);
}

int
tc_rec_user_set_password_hash(struct tc_rec_db *db, int64_t id,
                              const char *password_hash)
{
    int rc;

    tc_rec__ok(db);
    rc = hash_check(db, password_hash);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__user_update(db, id,
                               "UPDATE users SET password_hash = ?2"
                               " WHERE id = ?1",
                               bind_text2, password_hash);
}

int
tc_rec_user_set_totp_secret(struct tc_rec_db *db, int64_t id,
                            const char *totp_secret)
{
    int rc;

    tc_rec__ok(db);
    rc = totp_check(db, totp_secret);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__user_update(db, id,
                               "UPDATE users SET totp_secret = ?2,"
                               " totp_last_step = 0 WHERE id = ?1",
                               bind_text2, totp_secret);
}

struct reseal {
    const char *old, *sealed;
};

static int
bind_reseal(sqlite3_stmt *st, const void *arg)
{
    const struct reseal *r = arg;
    int rc = sqlite3_bind_text(st, 2, r->old, -1, SQLITE_STATIC);

    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_text(st, 3, r->sealed, -1, SQLITE_STATIC);
    }
    return tc_rec__errno(rc);
}

int
tc_rec_user_totp_reseal(struct tc_rec_db *db, int64_t id, const char *old,
                        const char *sealed)
{
    struct reseal r = {old, sealed};
    int rc;

    tc_rec__ok(db);
    if (!old || !sealed) {
        return tc_rec__fail(db, -EINVAL, "totp_secret: required");
    }
    rc = totp_check(db, sealed);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__user_update(db, id,
                               "UPDATE users SET totp_secret = ?3"
                               " WHERE id = ?1 AND totp_secret = ?2",
                               bind_reseal, &r);
}

static int
totp_secret_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_totp_secret *t = item;
    bool oom = false;

    t->id = sqlite3_column_int64(st, 0);
    t->secret = tc_rec__col_text(st, 1, &oom);
    return oom ? -ENOMEM : 0;
}

void
tc_rec_totp_secret_list_free(struct tc_rec_totp_secret_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        char *t = list->items[i].secret;
        if (t) {
            explicit_bzero(t, strlen(t));
            free(t);
        }
    }
    free(list->items);
    free(list);
}

int
tc_rec_user_totp_secrets(struct tc_rec_db *db,
                         struct tc_rec_totp_secret_list **out)
{
    struct tc_rec_totp_secret_list *list;
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT id, totp_secret FROM users"
                          " WHERE totp_secret IS NOT NULL ORDER BY id");
    if (!st) {
        return -EIO;
    }
    list = calloc(1, sizeof(*list));
    if (!list) {
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    rc = tc_rec__collect(db, st, sizeof(struct tc_rec_totp_secret),
                         totp_secret_row, (void **)&list->items, &list->count);
    if (rc < 0) {
        tc_rec_totp_secret_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

static int
bind_bool2(sqlite3_stmt *st, const void *arg)
{
    return tc_rec__errno(sqlite3_bind_int(st, 2, *(const bool *)arg));
}

int
tc_rec_user_set_disabled(struct tc_rec_db *db, int64_t id, bool disabled)
{
    tc_rec__ok(db);
    return tc_rec__user_update(db, id,
                               "UPDATE users SET disabled = ?2 WHERE id = ?1",
                               bind_bool2, &disabled);
}

static int
set_roles(struct tc_rec_db *db, int64_t id, unsigned roles)
{
    struct tc_rec_user *u = NULL;
    int rc = tc_rec_user_get(db, id, &u);

    if (rc == 0) {
        rc = roles_check(db, roles, u->practitioner_id, u->resident_id,
                         u->carer_id);
    }
    if (rc == 0) {
        rc = roles_write(db, id, roles);
    }
    tc_rec_user_free(u);
    return rc;
}

int
tc_rec_user_set_roles(struct tc_rec_db *db, int64_t id, unsigned roles)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, set_roles(db, id, roles));
}
