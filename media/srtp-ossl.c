// SPDX-License-Identifier: Apache-2.0
/*
 * srtp-ossl.c - OpenSSL's AES and HMAC under libsrtp2, through libsrtp's
 * own extension point (srtp_replace_cipher_type, srtp_replace_auth_type).
 *
 * Why: Debian builds libsrtp2 on NSS, and there every packet's cipher
 * call is a PKCS#11 round trip (PK11_Encrypt: open a softoken session,
 * find the key object by handle, encrypt, close the session). The
 * softoken keeps sessions and key objects in hash tables of at most 1,024
 * buckets, so with thousands of streams each lookup walks a chain of
 * cache misses: unprotect + 2 x protect of one ECG packet costs 3 us with
 * one stream and 37 us with 2,000 (docs/performance.md, issue 7). Here
 * each libsrtp cipher holds one EVP context with its key schedule, and a
 * packet costs the same whatever the number of streams.
 *
 * Only the primitives are replaced; SRTP itself (key derivation, packet
 * index and rollover, replay window, packet layout) stays libsrtp's. The
 * three types replaced are the ones the ECG profiles use: AES-ICM-128
 * (AES_CM_128_HMAC_SHA1_80 and every session's key derivation), AES-GCM-128
 * (AEAD_AES_128_GCM) and HMAC-SHA1. libsrtp runs its own known-answer tests
 * for each type, and ours, before it accepts a replacement.
 *
 * Every function follows the contract of libsrtp's own OpenSSL build
 * (aes_icm_ossl.c, aes_gcm_ossl.c, hmac_ossl.c): the same calls in the
 * same order give the same bytes. The per-packet calls allocate nothing.
 */
#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/auth.h>
#include <srtp2/cipher.h>
#include <srtp2/srtp.h>

#include "media-int.h"

/* libsrtp's own implementations, exported by libsrtp2.so though its
 * installed headers do not declare them: put back to measure or compare
 * them (tc_media_srtp_set_crypto). */
extern const srtp_cipher_type_t srtp_aes_icm_128;
extern const srtp_cipher_type_t srtp_aes_gcm_128;
extern const srtp_auth_type_t srtp_hmac;

static const srtp_cipher_type_t tc_srtp_ossl_icm_128;
static const srtp_cipher_type_t tc_srtp_ossl_gcm_128;
static const srtp_auth_type_t tc_srtp_ossl_hmac;

#define GCM_IV_LEN  12
#define GCM_TAG_MAX 16
#define ICM_KEY_LEN SRTP_AES_ICM_128_KEY_LEN_WSALT /* 16 + 14 salt */
#define GCM_KEY_LEN SRTP_AES_GCM_128_KEY_LEN_WSALT /* 16 + 12 salt */

/* ---- AES-ICM-128 (counter mode, RFC 3711 4.1.1) ---- */

struct icm {
    EVP_CIPHER_CTX *ctx;
    uint8_t salt[16]; /* 14 bytes of salt, then 0, 0 */
};

static srtp_err_status_t
icm_dealloc(srtp_cipher_t *c)
{
    struct icm *s = c->state;

    if (s) {
        EVP_CIPHER_CTX_free(s->ctx);
        OPENSSL_cleanse(s, sizeof(*s));
        free(s);
    }
    free(c);
    return srtp_err_status_ok;
}

static srtp_err_status_t
icm_alloc(srtp_cipher_t **out, int key_len, int tag_len)
{
    srtp_cipher_t *c;
    struct icm *s;

    (void)tag_len;
    if (key_len != ICM_KEY_LEN) {
        return srtp_err_status_bad_param;
    }
    c = calloc(1, sizeof(*c));
    s = calloc(1, sizeof(*s));
    if (c) {
        c->state = s;
    }
    if (!c || !s || !(s->ctx = EVP_CIPHER_CTX_new())) {
        if (c) {
            icm_dealloc(c);
        } else {
            free(s);
        }
        return srtp_err_status_alloc_fail;
    }
    c->type = &tc_srtp_ossl_icm_128;
    c->algorithm = SRTP_AES_ICM_128;
    c->key_len = key_len;
    *out = c;
    return srtp_err_status_ok;
}

static srtp_err_status_t
icm_init(void *state, const uint8_t *key)
{
    struct icm *s = state;

    memset(s->salt, 0, sizeof(s->salt));
    memcpy(s->salt, key + SRTP_AES_128_KEY_LEN, SRTP_SALT_LEN);
    if (!EVP_CIPHER_CTX_reset(s->ctx) ||
        !EVP_EncryptInit_ex(s->ctx, EVP_aes_128_ctr(), NULL, key, NULL)) {
        return srtp_err_status_init_fail;
    }
    return srtp_err_status_ok;
}

/* The counter is the salt XOR the 16-byte iv libsrtp gives (SSRC and
 * packet index already in place). */
static srtp_err_status_t
icm_set_iv(void *state, uint8_t *iv, srtp_cipher_direction_t dir)
{
    struct icm *s = state;
    uint8_t counter[16];

    (void)dir;
    for (int i = 0; i < 16; i++) {
        counter[i] = (uint8_t)(iv[i] ^ s->salt[i]);
    }
    if (!EVP_EncryptInit_ex(s->ctx, NULL, NULL, NULL, counter)) {
        return srtp_err_status_cipher_fail;
    }
    return srtp_err_status_ok;
}

static srtp_err_status_t
icm_encrypt(void *state, uint8_t *buf, unsigned *len)
{
    struct icm *s = state;
    int out = 0;

    if (*len > INT32_MAX ||
        !EVP_EncryptUpdate(s->ctx, buf, &out, buf, (int)*len) ||
        (unsigned)out != *len) {
        return srtp_err_status_cipher_fail;
    }
    return srtp_err_status_ok;
}

/* RFC 3711 B.2: the keystream for session key 2B7E...4F3C, salt F0..FD,
 * packet index 0. Encrypting zeros gives the keystream. */
static const uint8_t icm_tc0_key[ICM_KEY_LEN] = {
    0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7,
    0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c, 0xf0, 0xf1, 0xf2, 0xf3,
    0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd};
static uint8_t icm_tc0_iv[16];
static const uint8_t icm_tc0_plain[32];
static const uint8_t icm_tc0_cipher[32] = {
    0xe0, 0x3e, 0xad, 0x09, 0x35, 0xc9, 0x5e, 0x80, 0xe1, 0x66, 0xb1,
    0x6d, 0xd9, 0x2b, 0x4e, 0xb4, 0xd2, 0x35, 0x13, 0x16, 0x2b, 0x02,
    0xd0, 0xf7, 0x2a, 0x43, 0xa2, 0xfe, 0x4a, 0x5f, 0x97, 0xab};
static const srtp_cipher_test_case_t icm_tc0 = {
    .key_length_octets = ICM_KEY_LEN,
    .key = icm_tc0_key,
    .idx = icm_tc0_iv,
    .plaintext_length_octets = sizeof(icm_tc0_plain),
    .plaintext = icm_tc0_plain,
    .ciphertext_length_octets = sizeof(icm_tc0_cipher),
    .ciphertext = icm_tc0_cipher,
};

static const srtp_cipher_type_t tc_srtp_ossl_icm_128 = {
    .alloc = icm_alloc,
    .dealloc = icm_dealloc,
    .init = icm_init,
    .encrypt = icm_encrypt,
    .decrypt = icm_encrypt,
    .set_iv = icm_set_iv,
    .description = "AES-128 counter mode using OpenSSL (telecare)",
    .test_data = &icm_tc0,
    .id = SRTP_AES_ICM_128,
};

/* ---- AES-GCM-128 (RFC 7714) ---- */

struct gcm {
    EVP_CIPHER_CTX *ctx;
    int tag_len;
    srtp_cipher_direction_t dir;
};

static srtp_err_status_t
gcm_dealloc(srtp_cipher_t *c)
{
    struct gcm *s = c->state;

    if (s) {
        EVP_CIPHER_CTX_free(s->ctx);
        OPENSSL_cleanse(s, sizeof(*s));
        free(s);
    }
    free(c);
    return srtp_err_status_ok;
}

static srtp_err_status_t
gcm_alloc(srtp_cipher_t **out, int key_len, int tag_len)
{
    srtp_cipher_t *c;
    struct gcm *s;

    if (key_len != GCM_KEY_LEN || (tag_len != 16 && tag_len != 8)) {
        return srtp_err_status_bad_param;
    }
    c = calloc(1, sizeof(*c));
    s = calloc(1, sizeof(*s));
    if (c) {
        c->state = s;
    }
    if (!c || !s || !(s->ctx = EVP_CIPHER_CTX_new())) {
        if (c) {
            gcm_dealloc(c);
        } else {
            free(s);
        }
        return srtp_err_status_alloc_fail;
    }
    s->tag_len = tag_len;
    c->type = &tc_srtp_ossl_gcm_128;
    c->algorithm = SRTP_AES_GCM_128;
    c->key_len = key_len;
    *out = c;
    return srtp_err_status_ok;
}

/* The key is 16 bytes of key, then the salt, which libsrtp folds into the
 * iv itself: only the key is used here. */
static srtp_err_status_t
gcm_init(void *state, const uint8_t *key)
{
    struct gcm *s = state;

    s->dir = srtp_direction_any;
    if (!EVP_CIPHER_CTX_reset(s->ctx) ||
        !EVP_CipherInit_ex(s->ctx, EVP_aes_128_gcm(), NULL, key, NULL, 1)) {
        return srtp_err_status_init_fail;
    }
    return srtp_err_status_ok;
}

static srtp_err_status_t
gcm_set_iv(void *state, uint8_t *iv, srtp_cipher_direction_t dir)
{
    struct gcm *s = state;

    if (dir != srtp_direction_encrypt && dir != srtp_direction_decrypt) {
        return srtp_err_status_bad_param;
    }
    s->dir = dir;
    /* the key schedule is kept; a 12-byte iv is GCM's default length */
    if (!EVP_CipherInit_ex(s->ctx, NULL, NULL, NULL, iv,
                           dir == srtp_direction_encrypt)) {
        return srtp_err_status_init_fail;
    }
    return srtp_err_status_ok;
}

static srtp_err_status_t
gcm_set_aad(void *state, const uint8_t *aad, uint32_t len)
{
    struct gcm *s = state;
    int out = 0;

    if (len > INT32_MAX ||
        !EVP_CipherUpdate(s->ctx, NULL, &out, aad, (int)len)) {
        return srtp_err_status_algo_fail;
    }
    return srtp_err_status_ok;
}

static srtp_err_status_t
gcm_encrypt(void *state, uint8_t *buf, unsigned *len)
{
    struct gcm *s = state;
    int out = 0;

    if (s->dir != srtp_direction_encrypt || *len > INT32_MAX ||
        !EVP_EncryptUpdate(s->ctx, buf, &out, buf, (int)*len) ||
        (unsigned)out != *len) {
        return srtp_err_status_cipher_fail;
    }
    return srtp_err_status_ok;
}

/* After encrypt: finish and hand out the tag (libsrtp appends it). */
static srtp_err_status_t
gcm_get_tag(void *state, uint8_t *buf, uint32_t *len)
{
    struct gcm *s = state;
    uint8_t none[16];
    int out = 0;

    if (!EVP_EncryptFinal_ex(s->ctx, none, &out) ||
        !EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_GCM_GET_TAG, s->tag_len, buf)) {
        return srtp_err_status_algo_fail;
    }
    *len = (uint32_t)s->tag_len;
    return srtp_err_status_ok;
}

/* buf holds ciphertext then tag; *len becomes the plaintext length. A tag
 * that does not verify is an authentication failure. */
static srtp_err_status_t
gcm_decrypt(void *state, uint8_t *buf, unsigned *len)
{
    struct gcm *s = state;
    uint8_t tag[GCM_TAG_MAX], none[16];
    int out = 0, n;

    if (s->dir != srtp_direction_decrypt) {
        return srtp_err_status_cipher_fail;
    }
    if (*len < (unsigned)s->tag_len || *len > INT32_MAX) {
        return srtp_err_status_bad_param;
    }
    n = (int)*len - s->tag_len;
    memcpy(tag, buf + n, (size_t)s->tag_len);
    if (!EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_GCM_SET_TAG, s->tag_len, tag) ||
        !EVP_DecryptUpdate(s->ctx, buf, &out, buf, n) || out != n) {
        return srtp_err_status_cipher_fail;
    }
    if (EVP_DecryptFinal_ex(s->ctx, none, &out) <= 0) {
        return srtp_err_status_auth_fail;
    }
    *len = (unsigned)n;
    return srtp_err_status_ok;
}

/* The GCM specification's test case 4 (AES-128, 12-byte iv, 20 bytes of
 * AAD, 60 bytes of plaintext), key followed by libsrtp's 12-byte salt. */
static const uint8_t gcm_tc0_key[GCM_KEY_LEN] = {
    0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a,
    0x8f, 0x94, 0x67, 0x30, 0x83, 0x08, 0x01, 0x02, 0x03, 0x04,
    0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c};
static uint8_t gcm_tc0_iv[GCM_IV_LEN] = {0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce,
                                         0xdb, 0xad, 0xde, 0xca, 0xf8, 0x88};
static const uint8_t gcm_tc0_plain[60] = {
    0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5, 0xa5, 0x59, 0x09, 0xc5,
    0xaf, 0xf5, 0x26, 0x9a, 0x86, 0xa7, 0xa9, 0x53, 0x15, 0x34, 0xf7, 0xda,
    0x2e, 0x4c, 0x30, 0x3d, 0x8a, 0x31, 0x8a, 0x72, 0x1c, 0x3c, 0x0c, 0x95,
    0x95, 0x68, 0x09, 0x53, 0x2f, 0xcf, 0x0e, 0x24, 0x49, 0xa6, 0xb5, 0x25,
    0xb1, 0x6a, 0xed, 0xf5, 0xaa, 0x0d, 0xe6, 0x57, 0xba, 0x63, 0x7b, 0x39};
static const uint8_t gcm_tc0_aad[20] = {
    0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xfe, 0xed,
    0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xab, 0xad, 0xda, 0xd2};
static const uint8_t gcm_tc0_cipher[76] = {
    0x42, 0x83, 0x1e, 0xc2, 0x21, 0x77, 0x74, 0x24, 0x4b, 0x72, 0x21, 0xb7,
    0x84, 0xd0, 0xd4, 0x9c, 0xe3, 0xaa, 0x21, 0x2f, 0x2c, 0x02, 0xa4, 0xe0,
    0x35, 0xc1, 0x7e, 0x23, 0x29, 0xac, 0xa1, 0x2e, 0x21, 0xd5, 0x14, 0xb2,
    0x54, 0x66, 0x93, 0x1c, 0x7d, 0x8f, 0x6a, 0x5a, 0xac, 0x84, 0xaa, 0x05,
    0x1b, 0xa3, 0x0b, 0x39, 0x6a, 0x0a, 0xac, 0x97, 0x3d, 0x58, 0xe0, 0x91,
    /* tag */
    0x5b, 0xc9, 0x4f, 0xbc, 0x32, 0x21, 0xa5, 0xdb, 0x94, 0xfa, 0xe9, 0x5a,
    0xe7, 0x12, 0x1a, 0x47};
static const srtp_cipher_test_case_t gcm_tc0 = {
    .key_length_octets = GCM_KEY_LEN,
    .key = gcm_tc0_key,
    .idx = gcm_tc0_iv,
    .plaintext_length_octets = sizeof(gcm_tc0_plain),
    .plaintext = gcm_tc0_plain,
    .ciphertext_length_octets = sizeof(gcm_tc0_cipher),
    .ciphertext = gcm_tc0_cipher,
    .aad_length_octets = sizeof(gcm_tc0_aad),
    .aad = gcm_tc0_aad,
    .tag_length_octets = 16,
};

static const srtp_cipher_type_t tc_srtp_ossl_gcm_128 = {
    .alloc = gcm_alloc,
    .dealloc = gcm_dealloc,
    .init = gcm_init,
    .set_aad = gcm_set_aad,
    .encrypt = gcm_encrypt,
    .decrypt = gcm_decrypt,
    .set_iv = gcm_set_iv,
    .get_tag = gcm_get_tag,
    .description = "AES-128 GCM using OpenSSL (telecare)",
    .test_data = &gcm_tc0,
    .id = SRTP_AES_GCM_128,
};

/* ---- HMAC-SHA1 (RFC 2104), tag truncated by libsrtp's out_len ---- */

struct hmac {
    EVP_MAC_CTX *ctx;
};

static EVP_MAC *hmac_mac; /* fetched once (tc_media__srtp_ossl) */

static srtp_err_status_t
hmac_dealloc(srtp_auth_t *a)
{
    struct hmac *s = a->state;

    if (s) {
        EVP_MAC_CTX_free(s->ctx);
        free(s);
    }
    free(a);
    return srtp_err_status_ok;
}

static srtp_err_status_t
hmac_alloc(srtp_auth_t **out, int key_len, int out_len)
{
    srtp_auth_t *a;
    struct hmac *s;

    if (key_len < 0 || out_len < 1 || out_len > 20 || !hmac_mac) {
        return srtp_err_status_bad_param;
    }
    a = calloc(1, sizeof(*a));
    s = calloc(1, sizeof(*s));
    if (a) {
        a->state = s;
    }
    if (!a || !s || !(s->ctx = EVP_MAC_CTX_new(hmac_mac))) {
        if (a) {
            hmac_dealloc(a);
        } else {
            free(s);
        }
        return srtp_err_status_alloc_fail;
    }
    a->type = &tc_srtp_ossl_hmac;
    a->out_len = out_len;
    a->key_len = key_len;
    a->prefix_len = 0;
    *out = a;
    return srtp_err_status_ok;
}

static srtp_err_status_t
hmac_init(void *state, const uint8_t *key, int key_len)
{
    struct hmac *s = state;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA1", 0),
        OSSL_PARAM_construct_end(),
    };

    if (!EVP_MAC_init(s->ctx, key, (size_t)key_len, params)) {
        return srtp_err_status_init_fail;
    }
    return srtp_err_status_ok;
}

/* A new message under the same key. */
static srtp_err_status_t
hmac_start(void *state)
{
    struct hmac *s = state;

    return EVP_MAC_init(s->ctx, NULL, 0, NULL) ? srtp_err_status_ok
                                               : srtp_err_status_auth_fail;
}

static srtp_err_status_t
hmac_update(void *state, const uint8_t *buf, int len)
{
    struct hmac *s = state;

    return len >= 0 && EVP_MAC_update(s->ctx, buf, (size_t)len)
               ? srtp_err_status_ok
               : srtp_err_status_auth_fail;
}

static srtp_err_status_t
hmac_compute(void *state, const uint8_t *buf, int len, int tag_len,
             uint8_t *tag)
{
    struct hmac *s = state;
    uint8_t full[20];
    size_t n = 0;

    if (tag_len < 1 || tag_len > 20 || len < 0 ||
        !EVP_MAC_update(s->ctx, buf, (size_t)len) ||
        !EVP_MAC_final(s->ctx, full, &n, sizeof(full)) || n != 20) {
        return srtp_err_status_auth_fail;
    }
    memcpy(tag, full, (size_t)tag_len);
    OPENSSL_cleanse(full, sizeof(full));
    return srtp_err_status_ok;
}

/* RFC 2202 test case 1: key 20 x 0x0b, "Hi There". */
static const uint8_t hmac_tc0_key[20] = {
    0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
    0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b};
static const uint8_t hmac_tc0_data[8] = {'H', 'i', ' ', 'T',
                                         'h', 'e', 'r', 'e'};
static const uint8_t hmac_tc0_tag[20] = {
    0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
    0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00};
static const srtp_auth_test_case_t hmac_tc0 = {
    .key_length_octets = sizeof(hmac_tc0_key),
    .key = hmac_tc0_key,
    .data_length_octets = sizeof(hmac_tc0_data),
    .data = hmac_tc0_data,
    .tag_length_octets = sizeof(hmac_tc0_tag),
    .tag = hmac_tc0_tag,
};

static const srtp_auth_type_t tc_srtp_ossl_hmac = {
    .alloc = hmac_alloc,
    .dealloc = hmac_dealloc,
    .init = hmac_init,
    .compute = hmac_compute,
    .update = hmac_update,
    .start = hmac_start,
    .description = "HMAC-SHA1 using OpenSSL (telecare)",
    .test_data = &hmac_tc0,
    .id = SRTP_HMAC_SHA1,
};

/* ---- registration ---- */

int
tc_media__srtp_ossl(bool openssl)
{
    if (openssl && !hmac_mac &&
        !(hmac_mac = EVP_MAC_fetch(NULL, "HMAC", NULL))) {
        return -EIO;
    }
    if (srtp_replace_cipher_type(openssl ? &tc_srtp_ossl_icm_128
                                         : &srtp_aes_icm_128,
                                 SRTP_AES_ICM_128) != srtp_err_status_ok ||
        srtp_replace_cipher_type(openssl ? &tc_srtp_ossl_gcm_128
                                         : &srtp_aes_gcm_128,
                                 SRTP_AES_GCM_128) != srtp_err_status_ok ||
        srtp_replace_auth_type(openssl ? &tc_srtp_ossl_hmac : &srtp_hmac,
                               SRTP_HMAC_SHA1) != srtp_err_status_ok) {
        return -EIO;
    }
    return 0;
}
