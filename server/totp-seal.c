// SPDX-License-Identifier: Apache-2.0
/*
 * totp-seal.c - TOTP secrets sealed in the database under a key kept
 * beside it, not in it.
 *
 * A secret in the users table is stored as TC_REC_TOTP_SEALED_PREFIX and
 * the base64 of a random 24-byte nonce followed by libsodium's
 * crypto_secretbox (XSalsa20-Poly1305) of the base32 text, under the
 * 32-byte key in <data_dir>/totp.key (mode 0600). A copy of the database
 * alone (a backup, a dump, a file sent for support) then holds no secret
 * from which codes can be computed; whoever has the key file as well
 * does.
 *
 * The key file is made, from libsodium's random source, by the first of
 * the server's start and telecare-admin user-totp to need it, and never
 * while sealed secrets exist: a new key could open none of them, so a
 * missing or damaged key with sealed secrets stops start with the reason
 * instead. At every start the secrets still in the clear (written before
 * sealing existed, or by hand) are sealed; a secret is read in the clear
 * only for as long as one login's check.
 *
 * Thread: the main loop's; telecare-admin's.
 */
#define G_LOG_DOMAIN "auth"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <sodium.h>

#include "server-int.h"
#include "tc-records.h"

#define KEY_FILE  "totp.key"
#define NONCE     crypto_secretbox_NONCEBYTES
#define MAC       crypto_secretbox_MACBYTES
#define PLAIN_MAX 128 /* records' longest base32 secret */

G_STATIC_ASSERT(TC_SRV__TOTP_KEY_LEN == crypto_secretbox_KEYBYTES);

static bool
is_sealed(const char *stored)
{
    return strncmp(stored, TC_REC_TOTP_SEALED_PREFIX,
                   strlen(TC_REC_TOTP_SEALED_PREFIX)) == 0;
}

char *
tc_srv__totp_seal(const unsigned char *key, const char *secret)
{
    size_t n = strlen(secret);
    unsigned char box[NONCE + MAC + PLAIN_MAX];
    g_autofree char *b64 = NULL;

    if (n == 0 || n > PLAIN_MAX) {
        return NULL;
    }
    randombytes_buf(box, NONCE);
    crypto_secretbox_easy(box + NONCE, (const unsigned char *)secret, n, box,
                          key);
    b64 = g_base64_encode(box, NONCE + MAC + n);
    sodium_memzero(box, sizeof(box));
    return g_strconcat(TC_REC_TOTP_SEALED_PREFIX, b64, NULL);
}

int
tc_srv__totp_open(const unsigned char *key, const char *stored, char **out)
{
    g_autofree unsigned char *box = NULL;
    char plain[PLAIN_MAX + 1];
    gsize len = 0;

    if (!is_sealed(stored)) {
        *out = g_strdup(stored); /* in the clear: sealed at the next start */
        return 0;
    }
    box = g_base64_decode(stored + strlen(TC_REC_TOTP_SEALED_PREFIX), &len);
    if (!box || len <= NONCE + MAC || len - NONCE - MAC > PLAIN_MAX ||
        crypto_secretbox_open_easy((unsigned char *)plain, box + NONCE,
                                   len - NONCE, box, key) != 0) {
        return -EBADMSG;
    }
    plain[len - NONCE - MAC] = '\0';
    *out = g_strdup(plain);
    sodium_memzero(plain, sizeof(plain));
    return 0;
}

static int
key_read(const char *path, unsigned char *key, char **why)
{
    struct stat st;
    ssize_t got;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0) {
        return -errno;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        st.st_size != crypto_secretbox_KEYBYTES) {
        close(fd);
        *why = g_strdup_printf("%s: must be a file of exactly %d bytes", path,
                               crypto_secretbox_KEYBYTES);
        return -EINVAL;
    }
    got = read(fd, key, crypto_secretbox_KEYBYTES);
    close(fd);
    if (got != crypto_secretbox_KEYBYTES) {
        *why = g_strdup_printf("%s: cannot be read", path);
        return -EIO;
    }
    if (st.st_mode & 077) {
        g_warning("%s: readable by others than its owner (chmod 600 it)",
                  path);
    }
    return 0;
}

static int
key_make(const char *path, unsigned char *key, char **why)
{
    int fd =
        open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    bool ok;

    if (fd < 0) {
        int rc = -errno;
        *why =
            g_strdup_printf("%s: cannot be made: %s", path, g_strerror(-rc));
        return rc;
    }
    randombytes_buf(key, crypto_secretbox_KEYBYTES);
    ok = write(fd, key, crypto_secretbox_KEYBYTES) ==
             crypto_secretbox_KEYBYTES &&
         fsync(fd) == 0;
    close(fd);
    if (!ok) {
        unlink(path);
        *why = g_strdup_printf("%s: cannot be written", path);
        return -EIO;
    }
    g_message("made %s, the key of the TOTP secrets: back it up apart from "
              "the database",
              path);
    return 0;
}

int
tc_srv__totp_key_load(const char *data_dir, struct tc_rec_db *db,
                      unsigned char *key, char **made, char **why)
{
    g_autofree char *path = g_build_filename(data_dir, KEY_FILE, NULL);
    struct tc_rec_totp_secret_list *list = NULL;
    int sealed = 0, rc;

    if (made) {
        *made = NULL;
    }
    rc = key_read(path, key, why);
    if (rc != -ENOENT) {
        if (rc < 0 && !*why) {
            *why = g_strdup_printf("%s: %s", path, g_strerror(-rc));
        }
        return rc;
    }
    rc = tc_rec_user_totp_secrets(db, &list);
    if (rc < 0) {
        *why = g_strdup_printf("TOTP secrets: %s", tc_rec_errmsg(db));
        return rc;
    }
    for (size_t i = 0; i < list->count; i++) {
        sealed += is_sealed(list->items[i].secret);
    }
    tc_rec_totp_secret_list_free(list);
    if (sealed > 0) {
        *why = g_strdup_printf("%s is missing but %d account(s) hold TOTP "
                               "secrets sealed under it: restore it from "
                               "its backup (or remove those secrets with "
                               "telecare-admin user-totp USER --remove)",
                               path, sealed);
        return -ENOKEY;
    }
    rc = key_make(path, key, why);
    if (rc == 0 && made) {
        *made = g_steal_pointer(&path);
    }
    return rc;
}

int
tc_srv__totp_seal_clear(struct tc_rec_db *db, const unsigned char *key,
                        int *sealed_out)
{
    struct tc_rec_totp_secret_list *list = NULL;
    int rc = tc_rec_user_totp_secrets(db, &list);

    *sealed_out = 0;
    for (size_t i = 0; list && i < list->count; i++) {
        const struct tc_rec_totp_secret *t = &list->items[i];
        g_autofree char *sealed = NULL;
        int rc2;

        if (is_sealed(t->secret)) {
            continue;
        }
        sealed = tc_srv__totp_seal(key, t->secret);
        /* -ENOENT: changed since the list was read; sealed next start */
        rc2 = sealed ? tc_rec_user_totp_reseal(db, t->id, t->secret, sealed)
                     : -EINVAL;
        if (rc2 == 0) {
            (*sealed_out)++;
        } else if (rc2 != -ENOENT && rc == 0) {
            rc = rc2; /* the first error; the others are still sealed */
        }
    }
    tc_rec_totp_secret_list_free(list);
    return rc;
}
