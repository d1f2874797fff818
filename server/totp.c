// SPDX-License-Identifier: Apache-2.0
/*
 * totp.c - time-based one-time passwords (RFC 6238) on HOTP (RFC 4226),
 * and the base32 (RFC 4648) their secrets are written in.
 *
 * A code is HOTP(secret, floor(unix time / 30)): HMAC over the 8-byte
 * big-endian step, dynamic truncation, modulo 10^digits. Logins use
 * HMAC-SHA1 and 6 digits (what authenticator apps speak) and accept the
 * step before and after the current one, for clocks a little apart.
 * HMAC comes from GLib's GHmac (libsodium has no HMAC-SHA1); SHA-256 and
 * SHA-512 are there for the RFC's test vectors.
 *
 * Thread: any; pure functions but for tc_srv__totp_secret_new (random).
 */
#define G_LOG_DOMAIN "auth"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <sodium.h>

#include "server-int.h"

#define STEP_S      30
#define SECRET_LEN  20 /* bytes: RFC 4226's recommended 160 bits */
#define KEY_MAX_LEN 80 /* decoded secrets (base32 128 characters) */

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

char *
tc_srv__base32_encode(const unsigned char *data, size_t len)
{
    GString *out = g_string_sized_new(len * 8 / 5 + 2);
    unsigned buffer = 0;
    int bits = 0;

    for (size_t i = 0; i < len; i++) {
        buffer = (buffer << 8) | data[i];
        bits += 8;
        while (bits >= 5) {
            g_string_append_c(out, b32_alphabet[(buffer >> (bits - 5)) & 31]);
            bits -= 5;
        }
    }
    if (bits > 0) {
        g_string_append_c(out, b32_alphabet[(buffer << (5 - bits)) & 31]);
    }
    return g_string_free(out, FALSE);
}

int
tc_srv__base32_decode(const char *text, unsigned char *out, size_t cap,
                      size_t *len_out)
{
    unsigned buffer = 0;
    size_t n = 0;
    int bits = 0;

    for (const char *p = text; *p && *p != '='; p++) {
        const char *at = strchr(b32_alphabet, g_ascii_toupper(*p));
        if (!at) {
            return -EINVAL;
        }
        buffer = (buffer << 5) | (unsigned)(at - b32_alphabet);
        bits += 5;
        if (bits >= 8) {
            if (n == cap) {
                return -EMSGSIZE;
            }
            out[n++] = (unsigned char)(buffer >> (bits - 8));
            bits -= 8;
        }
    }
    *len_out = n;
    return 0;
}

static const GChecksumType checksums[] = {
    [TC_SRV__TOTP_SHA1] = G_CHECKSUM_SHA1,
    [TC_SRV__TOTP_SHA256] = G_CHECKSUM_SHA256,
    [TC_SRV__TOTP_SHA512] = G_CHECKSUM_SHA512,
};

uint32_t
tc_srv__hotp(const unsigned char *key, size_t key_len,
             enum tc_srv__totp_alg alg, uint64_t counter, int digits)
{
    unsigned char msg[8], mac[64];
    gsize mac_len = sizeof(mac);
    GHmac *hmac = g_hmac_new(checksums[alg], key, key_len);
    uint32_t bin, mod = 1;
    unsigned offset;

    for (int i = 7; i >= 0; i--) {
        msg[i] = (unsigned char)(counter & 0xff);
        counter >>= 8;
    }
    g_hmac_update(hmac, msg, sizeof(msg));
    g_hmac_get_digest(hmac, mac, &mac_len);
    g_hmac_unref(hmac);
    offset = mac[mac_len - 1] & 0x0f;
    bin = ((uint32_t)(mac[offset] & 0x7f) << 24) |
          ((uint32_t)mac[offset + 1] << 16) |
          ((uint32_t)mac[offset + 2] << 8) | (uint32_t)mac[offset + 3];
    sodium_memzero(mac, sizeof(mac));
    for (int i = 0; i < digits; i++) {
        mod *= 10;
    }
    return bin % mod;
}

int64_t
tc_srv__totp_step(int64_t unix_s)
{
    return unix_s / STEP_S;
}

int
tc_srv__totp_check(const char *secret_b32, const char *code, int64_t unix_s,
                   int64_t *step_out)
{
    unsigned char key[KEY_MAX_LEN];
    size_t key_len = 0;
    int64_t now_step = tc_srv__totp_step(unix_s), matched = 0;
    int rc;

    if (strlen(code) != TC_SRV__TOTP_DIGITS) {
        return -EACCES;
    }
    for (const char *p = code; *p; p++) {
        if (!g_ascii_isdigit(*p)) {
            return -EACCES;
        }
    }
    rc = tc_srv__base32_decode(secret_b32, key, sizeof(key), &key_len);
    if (rc < 0 || key_len == 0) {
        return -EINVAL;
    }
    /* Check every candidate, in constant time, whichever matches. */
    for (int64_t step = now_step - 1; step <= now_step + 1; step++) {
        char want[TC_SRV__TOTP_DIGITS + 1];
        snprintf(want, sizeof(want), "%0*u", TC_SRV__TOTP_DIGITS,
                 tc_srv__hotp(key, key_len, TC_SRV__TOTP_SHA1, (uint64_t)step,
                              TC_SRV__TOTP_DIGITS));
        if (sodium_memcmp(want, code, TC_SRV__TOTP_DIGITS) == 0) {
            matched = step;
        }
    }
    sodium_memzero(key, sizeof(key));
    if (!matched) {
        return -EACCES;
    }
    *step_out = matched;
    return 0;
}

char *
tc_srv__totp_secret_new(void)
{
    unsigned char secret[SECRET_LEN];
    char *text;

    randombytes_buf(secret, sizeof(secret));
    text = tc_srv__base32_encode(secret, sizeof(secret));
    sodium_memzero(secret, sizeof(secret));
    return text;
}
