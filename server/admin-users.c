// SPDX-License-Identifier: Apache-2.0
/*
 * admin-users.c - telecare-admin subcommands for login accounts:
 *
 *   user-add USERNAME ROLES [--practitioner ID | --resident ID |
 *                            --carer ID]
 *   user-passwd USERNAME        user-roles USERNAME ROLES
 *   user-disable USERNAME       user-enable USERNAME
 *   user-totp USERNAME [--remove]
 *   user-list
 *
 * ROLES is a comma-separated list (doctor,ecg_reader). A new password is
 * read from standard input (its first line) when that is not a terminal;
 * otherwise, or when the line is empty, one is generated and printed once.
 * Passwords are hashed here, blocking (about 0.1 s): this is a command
 * line, not the server's loop. Setting a password or disabling an account
 * revokes the account's sessions; setting a password also clears a lock.
 * Every change writes an audit event (actor "telecare-admin:<unix
 * user>", entity "user"), never with a password or secret in it.
 *
 * Thread: the program's only thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <sodium.h>

#include "server-int.h"
#include "tc-records.h"

static int
fail(struct tc_rec_db *db, const char *what)
{
    fprintf(stderr, "telecare-admin: %s: %s\n", what, tc_rec_errmsg(db));
    return 1;
}

static void
audit(struct tc_rec_db *db, enum tc_rec_audit_action action, int64_t user_id,
      const char *detail)
{
    tc_srv__admin_audit(db, action, "user", user_id, 0, NULL, detail);
}

/* The user named `username`, or NULL after printing why. */
static struct tc_rec_user *
find_user(struct tc_rec_db *db, const char *username)
{
    struct tc_rec_user *u = NULL;

    if (tc_rec_user_get_by_username(db, username, &u) < 0) {
        fprintf(stderr, "telecare-admin: user '%s': %s\n", username,
                tc_rec_errmsg(db));
        return NULL;
    }
    return u;
}

static int
parse_roles(const char *list, unsigned *roles)
{
    g_autofree char *bad = NULL;

    if (tc_srv__roles_parse(list, true, roles, &bad) < 0) {
        fprintf(stderr,
                "telecare-admin: roles: '%s' is not a role (admin, auditor, "
                "doctor, specialist, township_doctor, family_doctor, "
                "therapist, ecg_reader, radiologist, resident, carer)\n",
                bad);
        return -EINVAL;
    }
    return 0;
}

/*
 * A new password: stdin's first line when stdin is not a terminal and the
 * line is not empty; else a generated one (*generated set). *out: wipe
 * with tc_srv__password_wipe.
 */
static int
read_password(char **out, bool *generated)
{
    char buf[TC_SRV__PASSWORD_MAX + 2] = "";
    size_t len = 0;

    if (!isatty(STDIN_FILENO) && fgets(buf, sizeof(buf), stdin)) {
        len = strcspn(buf, "\r\n");
        if (len > TC_SRV__PASSWORD_MAX) {
            fprintf(stderr,
                    "telecare-admin: password: longer than %d "
                    "bytes\n",
                    TC_SRV__PASSWORD_MAX);
            sodium_memzero(buf, sizeof(buf));
            return -EINVAL;
        }
        buf[len] = '\0';
    }
    if (len == 0) {
        *out = tc_srv__password_generate();
        *generated = true;
        return 0;
    }
    if (len < TC_SRV__PASSWORD_MIN) {
        fprintf(stderr, "telecare-admin: password: at least %d characters\n",
                TC_SRV__PASSWORD_MIN);
        sodium_memzero(buf, sizeof(buf));
        return -EINVAL;
    }
    *out = g_strdup(buf);
    sodium_memzero(buf, sizeof(buf));
    return 0;
}

/* A new password's hash (g_free), or NULL after printing why. A
 * generated password is kept in *generated (wipe it) for printing once
 * the change is made. */
static char *
new_password_hash(char **generated)
{
    char *password = NULL, *hash = NULL;
    g_autofree char *err = NULL;
    bool made = false;

    if (tc_srv__crypto_init(&err) < 0) {
        fprintf(stderr, "telecare-admin: %s\n", err);
        return NULL;
    }
    if (read_password(&password, &made) < 0) {
        return NULL;
    }
    if (tc_srv__password_hash(password, &hash) < 0) {
        fprintf(stderr, "telecare-admin: password: cannot hash it\n");
    }
    if (hash && made) {
        *generated = password;
    } else {
        tc_srv__password_wipe(password);
    }
    return hash;
}

/* --practitioner/--resident/--carer ID into u; -EINVAL after a message. */
static int
parse_link(struct tc_rec_user *u, int argc, char **argv)
{
    for (int i = 0; i < argc; i += 2) {
        char *end = NULL;
        long long id = i + 1 < argc ? strtoll(argv[i + 1], &end, 10) : 0;
        if (i + 1 >= argc || *end || id <= 0) {
            fprintf(stderr, "telecare-admin: %s: needs a positive id\n",
                    argv[i]);
            return -EINVAL;
        }
        if (strcmp(argv[i], "--practitioner") == 0) {
            u->practitioner_id = id;
        } else if (strcmp(argv[i], "--resident") == 0) {
            u->resident_id = id;
        } else if (strcmp(argv[i], "--carer") == 0) {
            u->carer_id = id;
        } else {
            fprintf(stderr, "telecare-admin: unknown option '%s'\n", argv[i]);
            return -EINVAL;
        }
    }
    return 0;
}

static int
cmd_user_add(struct tc_rec_db *db, int argc, char **argv)
{
    struct tc_rec_user u = {.created_at_us = g_get_real_time()};
    g_autofree char *hash = NULL, *detail = NULL;
    char *generated = NULL;
    int64_t id = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: telecare-admin user-add USERNAME ROLES "
                        "[--practitioner ID | --resident ID | --carer ID]\n");
        return 2;
    }
    if (parse_roles(argv[1], &u.roles) < 0 ||
        parse_link(&u, argc - 2, argv + 2) < 0) {
        return 2;
    }
    u.username = argv[0];
    hash = new_password_hash(&generated);
    if (!hash) {
        return 1;
    }
    u.password_hash = hash;
    if (tc_rec_user_create(db, &u, &id) < 0) {
        tc_srv__password_wipe(generated);
        return fail(db, "user-add");
    }
    detail = g_strdup_printf("user-add roles=%s", argv[1]);
    audit(db, TC_REC_AUDIT_CREATE, id, detail);
    printf("user %s created (id %lld)\n", argv[0], (long long)id);
    if (generated) {
        printf("password: %s\n", generated);
    }
    tc_srv__password_wipe(generated);
    return 0;
}

/* Replace the password and log the account out everywhere, at once. */
static int
set_password(struct tc_rec_db *db, const struct tc_rec_user *u,
             const char *hash)
{
    int rc = tc_rec_tx_begin(db);

    if (rc == 0) {
        rc = tc_rec_user_set_password_hash(db, u->id, hash);
        if (rc == 0) {
            rc = tc_rec_user_login_succeeded(db, u->id); /* unlock */
        }
        if (rc == 0) {
            rc = tc_rec_session_revoke_all_for_user(db, u->id,
                                                    g_get_real_time(), NULL);
        }
        rc = rc == 0 ? tc_rec_tx_commit(db) : (tc_rec_tx_rollback(db), rc);
    }
    return rc;
}

static int
cmd_user_passwd(struct tc_rec_db *db, int argc, char **argv)
{
    g_autofree char *hash = NULL;
    char *generated = NULL;
    struct tc_rec_user *u;
    int rc;

    if (argc != 1) {
        fprintf(stderr, "usage: telecare-admin user-passwd USERNAME\n");
        return 2;
    }
    u = find_user(db, argv[0]);
    if (!u) {
        return 1;
    }
    hash = new_password_hash(&generated);
    rc = hash ? set_password(db, u, hash) : -EINVAL;
    if (rc == 0) {
        audit(db, TC_REC_AUDIT_UPDATE, u->id, "user-passwd");
        printf("password of %s set; its sessions are revoked\n", argv[0]);
        if (generated) {
            printf("password: %s\n", generated);
        }
    } else if (hash) {
        fail(db, "user-passwd");
    }
    tc_srv__password_wipe(generated);
    tc_rec_user_free(u);
    return rc == 0 ? 0 : 1;
}

static int
cmd_user_roles(struct tc_rec_db *db, int argc, char **argv)
{
    g_autofree char *detail = NULL;
    struct tc_rec_user *u;
    unsigned roles = 0;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: telecare-admin user-roles USERNAME ROLES\n");
        return 2;
    }
    if (parse_roles(argv[1], &roles) < 0) {
        return 2;
    }
    u = find_user(db, argv[0]);
    if (!u) {
        return 1;
    }
    rc = tc_rec_user_set_roles(db, u->id, roles);
    if (rc == 0) {
        detail = g_strdup_printf("user-roles roles=%s", argv[1]);
        audit(db, TC_REC_AUDIT_UPDATE, u->id, detail);
        printf("roles of %s set to %s\n", argv[0], argv[1]);
    }
    tc_rec_user_free(u);
    return rc == 0 ? 0 : fail(db, "user-roles");
}

static int
set_disabled(struct tc_rec_db *db, int argc, char **argv, bool disabled)
{
    const char *name = disabled ? "user-disable" : "user-enable";
    struct tc_rec_user *u;
    int rc;

    if (argc != 1) {
        fprintf(stderr, "usage: telecare-admin %s USERNAME\n", name);
        return 2;
    }
    u = find_user(db, argv[0]);
    if (!u) {
        return 1;
    }
    rc = tc_rec_tx_begin(db);
    if (rc == 0) {
        rc = tc_rec_user_set_disabled(db, u->id, disabled);
        if (rc == 0 && disabled) {
            rc = tc_rec_session_revoke_all_for_user(db, u->id,
                                                    g_get_real_time(), NULL);
        }
        rc = rc == 0 ? tc_rec_tx_commit(db) : (tc_rec_tx_rollback(db), rc);
    }
    if (rc == 0) {
        audit(db, TC_REC_AUDIT_UPDATE, u->id, name);
        printf("%s %s\n", argv[0], disabled ? "disabled" : "enabled");
    }
    tc_rec_user_free(u);
    return rc == 0 ? 0 : fail(db, name);
}

static int
cmd_user_disable(struct tc_rec_db *db, int argc, char **argv)
{
    return set_disabled(db, argc, argv, true);
}

static int
cmd_user_enable(struct tc_rec_db *db, int argc, char **argv)
{
    return set_disabled(db, argc, argv, false);
}

static int
cmd_user_totp(struct tc_rec_db *db, int argc, char **argv)
{
    bool remove = argc == 2 && strcmp(argv[1], "--remove") == 0;
    g_autofree char *secret = NULL, *sealed = NULL, *uri_name = NULL;
    unsigned char key[TC_SRV__TOTP_KEY_LEN];
    g_autofree char *err = NULL;
    struct tc_rec_user *u;
    int rc;

    if (argc != 1 && !remove) {
        fprintf(stderr, "usage: telecare-admin user-totp USERNAME "
                        "[--remove]\n");
        return 2;
    }
    if (tc_srv__crypto_init(&err) < 0) {
        fprintf(stderr, "telecare-admin: %s\n", err);
        return 1;
    }
    u = find_user(db, argv[0]);
    if (!u) {
        return 1;
    }
    if (!remove) {
        secret = tc_srv__totp_secret_new();
        rc =
            tc_srv__totp_key_load(tc_srv__admin_data_dir, db, key, NULL, &err);
        sealed = rc == 0 ? tc_srv__totp_seal(key, secret) : NULL;
        sodium_memzero(key, sizeof(key));
        if (!sealed) {
            fprintf(stderr, "telecare-admin: %s\n",
                    err ? err : "cannot seal the secret");
            tc_rec_user_free(u);
            return 1;
        }
    }
    rc = tc_rec_user_set_totp_secret(db, u->id, sealed);
    if (rc == 0) {
        audit(db, TC_REC_AUDIT_UPDATE, u->id,
              remove ? "user-totp removed" : "user-totp enrolled");
    }
    if (rc == 0 && remove) {
        printf("TOTP removed from %s\n", u->username);
    } else if (rc == 0) {
        uri_name = g_uri_escape_string(u->username, NULL, FALSE);
        printf("secret: %s\n", secret);
        printf("uri: otpauth://totp/telecare:%s?secret=%s&issuer=telecare"
               "&algorithm=SHA1&digits=%d&period=30\n",
               uri_name, secret, TC_SRV__TOTP_DIGITS);
    }
    tc_rec_user_free(u);
    return rc == 0 ? 0 : fail(db, "user-totp");
}

static void
print_user(const struct tc_rec_user *u, int64_t now_us)
{
    GString *roles = g_string_new(NULL);

    for (int r = 1; r <= TC_REC_USER_ROLE_MAX; r++) {
        if (u->roles & TC_REC_USER_ROLE_BIT(r)) {
            g_string_append_printf(roles, "%s%s", roles->len ? "," : "",
                                   tc_rec_user_role_to_string(r));
        }
    }
    printf("%lld\t%s\t%s\t", (long long)u->id, u->username, roles->str);
    if (u->practitioner_id) {
        printf("practitioner %lld", (long long)u->practitioner_id);
    } else if (u->resident_id) {
        printf("resident %lld", (long long)u->resident_id);
    } else if (u->carer_id) {
        printf("carer %lld", (long long)u->carer_id);
    } else {
        printf("-");
    }
    printf("\t%s%s%s\n", u->disabled ? "disabled" : "enabled",
           u->locked_until_us > now_us ? ",locked" : "",
           u->totp_secret ? ",totp" : "");
    g_string_free(roles, TRUE);
}

static int
cmd_user_list(struct tc_rec_db *db, int argc, char **argv)
{
    int64_t after = 0, now = g_get_real_time();

    if (argc != 0) {
        fprintf(stderr, "usage: telecare-admin user-list\n");
        return 2;
    }
    printf("id\tusername\troles\tperson\tstate\n");
    for (;;) {
        struct tc_rec_user_list *list = NULL;
        if (tc_rec_user_list(db, after, TC_REC_USER_PAGE_MAX, &list) < 0) {
            return fail(db, "user-list");
        }
        for (size_t i = 0; i < list->count; i++) {
            print_user(&list->items[i], now);
            after = list->items[i].id;
        }
        if (list->count < TC_REC_USER_PAGE_MAX) {
            tc_rec_user_list_free(list);
            return 0;
        }
        tc_rec_user_list_free(list);
    }
}

const struct tc_srv__admin_cmd tc_srv__admin_cmds_users[] = {
    {"user-add",
     "USERNAME ROLES [--practitioner ID | --resident ID | --carer ID]",
     "create a login (password: stdin's first line, or generated and "
     "printed)",
     cmd_user_add},
    {"user-passwd", "USERNAME",
     "set a new password (stdin or generated), unlock, revoke sessions",
     cmd_user_passwd},
    {"user-roles", "USERNAME ROLES",
     "replace a user's roles (comma-separated)", cmd_user_roles},
    {"user-disable", "USERNAME", "refuse a user's logins and sessions",
     cmd_user_disable},
    {"user-enable", "USERNAME", "allow a disabled user again",
     cmd_user_enable},
    {"user-totp", "USERNAME [--remove]",
     "enrol a TOTP second factor: prints the secret and an otpauth:// URI",
     cmd_user_totp},
    {"user-list", "", "list users: id, name, roles, person, state",
     cmd_user_list},
    {NULL, NULL, NULL, NULL},
};
