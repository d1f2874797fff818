// SPDX-License-Identifier: Apache-2.0
/*
 * test-totp.c - one-time codes: the RFC 6238 Appendix B test vectors for
 * SHA-1, SHA-256 and SHA-512 (8 digits), the 6-digit login check with
 * its one-step window either side, and base32 (RFC 4648 section 10).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "server-int.h"
#include "tc-test.h"

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

int
main(void)
{
    TC_RUN(test_rfc6238_vectors);
    TC_RUN(test_login_check_accepts_one_step_either_side);
    TC_RUN(test_base32_rfc4648_vectors);
    TC_RUN(test_new_secrets_are_160_bit_and_differ);
    return tc_done();
}
