// SPDX-License-Identifier: Apache-2.0
/*
 * password.c - password hashes: Argon2id through libsodium's
 * crypto_pwhash_str_alg at the INTERACTIVE limits (64 MiB, 2 passes:
 * about 0.1 s on one core), and new random passwords for the admin tool.
 *
 * Hashing and verifying are slow on purpose, so the server never runs
 * them on the main loop: it submits them to the worker pool (worker.c)
 * and answers from the job's done(). The blocking forms are for
 * telecare-admin and for those jobs.
 *
 * A plain password is never logged, never stored, and wiped
 * (sodium_memzero) from every buffer this file owns once used.
 *
 * Thread: any; needs sodium_init() (tc_srv__crypto_init) first.
 */
#define G_LOG_DOMAIN "auth"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <sodium.h>

#include "server-int.h"

/* Verified against when the username is unknown, so an unknown user
 * costs the same time as a wrong password. Made with the same limits;
 * its password is not a valid one for anybody. */
static const char dummy_hash[] =
    "$argon2id$v=19$m=65536,t=2,p=1$aOZED8MkJ3AHU6CEl+EcmA$"
    "2WzqkY2hDgKa8dc+BccNTqX6icGDhNSun+DuGC5wDgc";

int
tc_srv__crypto_init(char **errmsg)
{
    if (sodium_init() < 0) {
        *errmsg = g_strdup("libsodium: sodium_init() failed (no usable "
                           "random source?)");
        return -EIO;
    }
    return 0;
}

int
tc_srv__password_hash(const char *password, char **out)
{
    char hash[crypto_pwhash_STRBYTES];
    size_t len = strlen(password);

    if (len == 0 || len > TC_SRV__PASSWORD_MAX) {
        return -EINVAL;
    }
    if (crypto_pwhash_str_alg(hash, password, len,
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return -ENOMEM; /* the only documented failure */
    }
    *out = g_strdup(hash);
    return 0;
}

int
tc_srv__password_verify(const char *hash, const char *password)
{
    size_t len = strlen(password);

    if (!hash) {
        hash = dummy_hash;
    }
    if (len > TC_SRV__PASSWORD_MAX) {
        return -EACCES;
    }
    return crypto_pwhash_str_verify(hash, password, len) == 0 ? 0 : -EACCES;
}

char *
tc_srv__password_generate(void)
{
    /* No look-alikes (0/O, 1/l/I): read aloud or copied by hand. */
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz"
                                   "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    char *out = g_malloc(TC_SRV__PASSWORD_GENERATED + 1);

    for (int i = 0; i < TC_SRV__PASSWORD_GENERATED; i++) {
        out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    }
    out[TC_SRV__PASSWORD_GENERATED] = '\0';
    return out;
}

void
tc_srv__password_wipe(char *password)
{
    if (password) {
        sodium_memzero(password, strlen(password));
        g_free(password);
    }
}
