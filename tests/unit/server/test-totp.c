// SPDX-License-Identifier: Apache-2.0
/*
 * test-totp.c - one-time codes: the RFC 6238 Appendix B test vectors for
 * SHA-1, SHA-256 and SHA-512 (8 digits), the 6-digit login check with
 * its one-step window either side, and base32 (RFC 4648 section 10);
 * secrets sealed under the data directory's totp.key (totp-seal.c), on a
 * real records file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "server-int.h"
#include "tc-records.h"
#include "tc-test.h"

#define SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
#define HASH                                                                  \
    "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"

/* The RFC's seeds: "1234567890" repeated to the hash's size. */
static const char seed_sha1[] = "12345678901234567890";
static const char seed_sha256[] = "12345678901234567890123456789012";
static const char seed_sha512[] = "12345678901234567890123456789012"
                                  "34567890123456789012345678901234";

static const struct {
    int64_t unix_s;
    const char *sha1, *sha256, *sha512;
} rfc6238[] = {
    {59, "94287082", "46119246", "90693936"},
    {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"},
    {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"},
    {20000000000, "65353130", "77737706", "47863826"},
};

static void
code8(const char *seed, enum tc_srv__totp_alg alg, int64_t unix_s, char *out)
{
    snprintf(out, 9, "%08u",
             tc_srv__hotp((const unsigned char *)seed, strlen(seed), alg,
                          (uint64_t)tc_srv__totp_step(unix_s), 8));
}

static void
test_rfc6238_vectors(void)
{
    char got[9];

    for (size_t i = 0; i < G_N_ELEMENTS(rfc6238); i++) {
        code8(seed_sha1, TC_SRV__TOTP_SHA1, rfc6238[i].unix_s, got);
        TC_CHECK_STR_EQ(got, rfc6238[i].sha1);
        code8(seed_sha256, TC_SRV__TOTP_SHA256, rfc6238[i].unix_s, got);
        TC_CHECK_STR_EQ(got, rfc6238[i].sha256);
        code8(seed_sha512, TC_SRV__TOTP_SHA512, rfc6238[i].unix_s, got);
        TC_CHECK_STR_EQ(got, rfc6238[i].sha512);
    }
}

/* The 6-digit code of the RFC's SHA-1 seed: the last six digits. */
static void
test_login_check_accepts_one_step_either_side(void)
{
    char *secret = tc_srv__base32_encode((const unsigned char *)seed_sha1,
                                         strlen(seed_sha1));
    int64_t step = 0;

    /* 1111111109 is step 37037036; its code is 081804. */
    TC_CHECK_EQ(tc_srv__totp_check(secret, "081804", 1111111109, &step), 0);
    TC_CHECK_EQ(step, 37037036);
    TC_CHECK_EQ(tc_srv__totp_check(secret, "081804", 1111111109 + 30, &step),
                0);
    TC_CHECK_EQ(step, 37037036);
    step = 0;
    TC_CHECK_EQ(tc_srv__totp_check(secret, "081804", 1111111109 - 30, &step),
                0);
    TC_CHECK_EQ(step, 37037036);
    /* two steps away, on either side: refused */
    step = 7;
    TC_CHECK_EQ(tc_srv__totp_check(secret, "081804", 1111111109 + 60, &step),
                -EACCES);
    TC_CHECK_EQ(step, 7); /* untouched on failure */
    TC_CHECK_EQ(tc_srv__totp_check(secret, "081804", 1111111109 - 60, &step),
                -EACCES);
    TC_CHECK_EQ(step, 7);
    TC_CHECK_EQ(tc_srv__totp_check(secret, "081805", 1111111109, &step),
                -EACCES);
    TC_CHECK_EQ(tc_srv__totp_check(secret, "81804", 1111111109, &step),
                -EACCES);
    TC_CHECK_EQ(tc_srv__totp_check(secret, "08180a", 1111111109, &step),
                -EACCES);
    TC_CHECK_EQ(tc_srv__totp_check(secret, "0818041", 1111111109, &step),
                -EACCES);
    TC_CHECK_EQ(tc_srv__totp_check("not base32!", "081804", 1111111109, &step),
                -EINVAL);
    g_free(secret);
}

static void
test_base32_rfc4648_vectors(void)
{
    static const struct {
        const char *plain, *b32;
    } v[] = {
        {"f", "MY"},         {"fo", "MZXQ"},        {"foo", "MZXW6"},
        {"foob", "MZXW6YQ"}, {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI"},
    };
    unsigned char buf[16];
    size_t len = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
        char *enc = tc_srv__base32_encode((const unsigned char *)v[i].plain,
                                          strlen(v[i].plain));
        TC_CHECK_STR_EQ(enc, v[i].b32);
        g_free(enc);
        TC_CHECK_EQ(tc_srv__base32_decode(v[i].b32, buf, sizeof(buf), &len),
                    0);
        TC_CHECK_EQ(len, strlen(v[i].plain));
        TC_CHECK(memcmp(buf, v[i].plain, len) == 0);
    }
    /* Padding and lower case are accepted on input. */
    TC_CHECK_EQ(
        tc_srv__base32_decode("mzxw6ytboi======", buf, sizeof(buf), &len), 0);
    TC_CHECK_EQ(len, 6);
    TC_CHECK_EQ(tc_srv__base32_decode("MZ1W", buf, sizeof(buf), &len),
                -EINVAL);
    TC_CHECK_EQ(tc_srv__base32_decode("MZXW6YTBOI", buf, 3, &len), -EMSGSIZE);
}

static void
test_new_secrets_are_160_bit_and_differ(void)
{
    char *a, *b;
    char *err = NULL;

    TC_REQUIRE(tc_srv__crypto_init(&err) == 0);
    a = tc_srv__totp_secret_new();
    b = tc_srv__totp_secret_new();
    TC_CHECK_EQ(strlen(a), 32);
    TC_CHECK(strcmp(a, b) != 0);
    TC_CHECK(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == 32);
    g_free(a);
    g_free(b);
}

static void
test_a_sealed_secret_opens_only_under_its_key_unaltered(void)
{
    unsigned char key[TC_SRV__TOTP_KEY_LEN], other[TC_SRV__TOTP_KEY_LEN];
    g_autofree char *a = NULL, *b = NULL;
    char *out = NULL;
    size_t k;

    randombytes_buf(key, sizeof(key));
    randombytes_buf(other, sizeof(other));
    a = tc_srv__totp_seal(key, SECRET);
    b = tc_srv__totp_seal(key, SECRET);
    TC_REQUIRE(a && b);
    TC_CHECK(g_str_has_prefix(a, TC_REC_TOTP_SEALED_PREFIX));
    TC_CHECK(strstr(a, SECRET) == NULL);
    TC_CHECK(strcmp(a, b) != 0); /* a fresh nonce each time */
    TC_REQUIRE(tc_srv__totp_open(key, a, &out) == 0);
    TC_CHECK_STR_EQ(out, SECRET);
    tc_srv__password_wipe(out);
    TC_CHECK_EQ(tc_srv__totp_open(other, a, &out), -EBADMSG);
    /* one character of the box changed */
    k = strlen(TC_REC_TOTP_SEALED_PREFIX) + 10;
    a[k] = a[k] == 'A' ? 'B' : 'A';
    TC_CHECK_EQ(tc_srv__totp_open(key, a, &out), -EBADMSG);
    TC_CHECK_EQ(tc_srv__totp_open(key, TC_REC_TOTP_SEALED_PREFIX "AAAA", &out),
                -EBADMSG);
    /* one still in the clear is given back as it is */
    TC_REQUIRE(tc_srv__totp_open(key, SECRET, &out) == 0);
    TC_CHECK_STR_EQ(out, SECRET);
    tc_srv__password_wipe(out);
    TC_CHECK(tc_srv__totp_seal(key, "") == NULL);
}

static struct tc_rec_db *
open_db(const char *dir, int64_t *id)
{
    g_autofree char *path = g_build_filename(dir, "telecare.db", NULL);
    struct tc_rec_user u = {.username = "frank",
                            .password_hash = HASH,
                            .roles = TC_REC_USER_ROLE_BIT(TC_REC_USER_ADMIN),
                            .created_at_us = 1};
    struct tc_rec_db *db = NULL;

    if (tc_rec_open(path, &db) != 0 || tc_rec_user_create(db, &u, id) != 0) {
        printf("Bail out! cannot make %s\n", path);
        exit(1);
    }
    return db;
}

static void
test_the_key_is_made_once_and_never_over_sealed_secrets(void)
{
    g_autofree char *dir = g_dir_make_tmp("totp-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "totp.key", NULL);
    unsigned char key[TC_SRV__TOTP_KEY_LEN], again[TC_SRV__TOTP_KEY_LEN];
    g_autofree char *sealed = NULL;
    char *why = NULL, *made = NULL;
    struct stat st;
    int64_t id;
    struct tc_rec_db *db = open_db(dir, &id);

    /* none yet: made (and said so), 32 bytes, the owner's alone */
    TC_REQUIRE(tc_srv__totp_key_load(dir, db, key, &made, &why) == 0);
    TC_CHECK(made && strcmp(made, path) == 0);
    g_clear_pointer(&made, g_free);
    TC_REQUIRE(stat(path, &st) == 0);
    TC_CHECK_EQ(st.st_size, TC_SRV__TOTP_KEY_LEN);
    TC_CHECK_EQ(st.st_mode & 0777, 0600);
    TC_REQUIRE(tc_srv__totp_key_load(dir, db, again, &made, &why) == 0);
    TC_CHECK(made == NULL); /* read, not made */
    TC_CHECK(memcmp(key, again, sizeof(key)) == 0);

    /* a secret sealed under it, then the key lost: not made again */
    sealed = tc_srv__totp_seal(key, SECRET);
    TC_REQUIRE(tc_rec_user_set_totp_secret(db, id, sealed) == 0);
    TC_REQUIRE(g_unlink(path) == 0);
    TC_CHECK_EQ(tc_srv__totp_key_load(dir, db, again, NULL, &why), -ENOKEY);
    TC_CHECK_STR_CONTAINS(why, "1 account(s) hold TOTP secrets sealed");
    g_clear_pointer(&why, g_free);
    TC_CHECK(!g_file_test(path, G_FILE_TEST_EXISTS));

    /* a damaged key file is refused, saying what it must be */
    TC_REQUIRE(g_file_set_contents(path, "short", -1, NULL));
    TC_CHECK_EQ(tc_srv__totp_key_load(dir, db, again, NULL, &why), -EINVAL);
    TC_CHECK_STR_CONTAINS(why, "exactly 32 bytes");
    g_clear_pointer(&why, g_free);
    tc_rec_close(db);
    g_unlink(path);
    g_autofree char *dbp = g_build_filename(dir, "telecare.db", NULL);
    g_unlink(dbp);
    g_rmdir(dir);
}

static void
test_secrets_in_the_clear_are_sealed_keeping_the_replay_step(void)
{
    g_autofree char *dir = g_dir_make_tmp("totp-XXXXXX", NULL);
    unsigned char key[TC_SRV__TOTP_KEY_LEN];
    struct tc_rec_user *u = NULL;
    char *why = NULL, *out = NULL;
    int64_t id;
    int sealed = -1;
    struct tc_rec_db *db = open_db(dir, &id);

    TC_REQUIRE(tc_rec_user_set_totp_secret(db, id, SECRET) == 0);
    TC_REQUIRE(tc_rec_user_totp_step_use(db, id, 1234) == 0);
    TC_REQUIRE(tc_srv__totp_key_load(dir, db, key, NULL, &why) == 0);
    TC_REQUIRE(tc_srv__totp_seal_clear(db, key, &sealed) == 0);
    TC_CHECK_EQ(sealed, 1);
    TC_REQUIRE(tc_rec_user_get(db, id, &u) == 0);
    TC_CHECK(g_str_has_prefix(u->totp_secret, TC_REC_TOTP_SEALED_PREFIX));
    TC_CHECK(strstr(u->totp_secret, SECRET) == NULL);
    TC_CHECK_EQ(u->totp_last_step, 1234); /* a used code stays used */
    TC_REQUIRE(tc_srv__totp_open(key, u->totp_secret, &out) == 0);
    TC_CHECK_STR_EQ(out, SECRET);
    tc_srv__password_wipe(out);
    tc_rec_user_free(u);
    /* nothing left in the clear: nothing done */
    TC_REQUIRE(tc_srv__totp_seal_clear(db, key, &sealed) == 0);
    TC_CHECK_EQ(sealed, 0);
    /* resealing only replaces the secret it was read as */
    TC_CHECK_EQ(tc_rec_user_totp_reseal(db, id, SECRET,
                                        TC_REC_TOTP_SEALED_PREFIX "QUJD"),
                -ENOENT);
    TC_CHECK_EQ(tc_rec_user_totp_reseal(db, id, SECRET, "sealed1:no spaces"),
                -EINVAL);
    tc_rec_close(db);
    g_autofree char *kp = g_build_filename(dir, "totp.key", NULL);
    g_autofree char *dbp = g_build_filename(dir, "telecare.db", NULL);
    g_unlink(kp);
    g_unlink(dbp);
    g_rmdir(dir);
}

int
main(void)
{
    TC_RUN(test_rfc6238_vectors);
    TC_RUN(test_login_check_accepts_one_step_either_side);
    TC_RUN(test_base32_rfc4648_vectors);
    TC_RUN(test_new_secrets_are_160_bit_and_differ);
    if (sodium_init() < 0) {
        return 1;
    }
    TC_RUN(test_a_sealed_secret_opens_only_under_its_key_unaltered);
    TC_RUN(test_the_key_is_made_once_and_never_over_sealed_secrets);
    TC_RUN(test_secrets_in_the_clear_are_sealed_keeping_the_replay_step);
    return tc_done();
}
