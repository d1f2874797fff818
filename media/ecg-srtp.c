// SPDX-License-Identifier: Apache-2.0
/*
 * ecg-srtp.c - SRTP for ECG streams: a thin, errno-returning face on
 * libsrtp2 for the two profiles the ECG relay speaks
 * (AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM), one session per stream and
 * direction, replay protection always on.
 *
 * libsrtp's status codes are mapped here, once. srtp_init() is process
 * wide and run once (pthread_once). A session is used by one thread at a
 * time; protect and unprotect work in place and allocate nothing.
 *
 * The ciphers under libsrtp are OpenSSL's (srtp-ossl.c): with Debian's
 * NSS build, unprotect + 2 x protect of an ECG packet costs 3 us with one
 * stream and 20-37 us with 2,000, with OpenSSL's about 1-3 us
 * (docs/performance.md, issue 7). If libsrtp refuses them (its known-answer
 * tests failed) no session is made at all. tc_media_srtp_set_crypto puts
 * libsrtp's own back, for comparison.
 *
 * Only RTP is protected here (the relay carries no RTCP), so a session's
 * RTCP policy is null: no SRTCP keys are derived or kept. With NSS each
 * kept key is a softoken object and every lookup walks them.
 */
#include <errno.h>
#include <nss.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "media-int.h"

struct tc_media_srtp {
    srtp_t session;
    uint8_t key[TC_MEDIA_SRTP_MAX_KEY];
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_status = -EIO;

/*
 * Debian builds libsrtp2 on NSS, and each of its ciphers opens an NSS
 * context with NSS_INIT_OPTIMIZESPACE. When that is the first NSS
 * initialisation of the process, NSS's soft token sizes its session and
 * object hash tables for few objects (32 buckets), and every packet's
 * PK11 lookup then walks chains that grow with the number of streams:
 * measured here, the bare unprotect + 2 x protect went from 6 us at 100
 * streams to 59 us at 1,000. Initialising NSS once first, without that
 * flag, gives the soft token its large tables; libsrtp's later contexts
 * share that initialisation. The context is kept for the process.
 */
static void
init_srtp(void)
{
    if (!NSS_IsInitialized()) {
        (void)NSS_InitContext("", "", "", "", NULL,
                              NSS_INIT_READONLY | NSS_INIT_NOCERTDB |
                                  NSS_INIT_NOMODDB | NSS_INIT_FORCEOPEN |
                                  NSS_INIT_NOROOTINIT);
    }
    if (srtp_init() == srtp_err_status_ok) {
        init_status = tc_media__srtp_ossl(true);
    }
}

int
tc_media_srtp_set_crypto(enum tc_media_srtp_crypto crypto)
{
    pthread_once(&init_once, init_srtp);
    if (init_status < 0) {
        return init_status;
    }
    return tc_media__srtp_ossl(crypto == TC_MEDIA_SRTP_CRYPTO_OPENSSL);
}

const char *
tc_media_srtp_profile_name(enum tc_media_srtp_profile p)
{
    switch (p) {
    case TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80:
        return "AES_CM_128_HMAC_SHA1_80";
    case TC_MEDIA_SRTP_AEAD_AES_128_GCM:
        return "AEAD_AES_128_GCM";
    }
    return NULL;
}

int
tc_media_srtp_profile_from_name(const char *name,
                                enum tc_media_srtp_profile *out)
{
    for (int p = TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80;
         p <= TC_MEDIA_SRTP_AEAD_AES_128_GCM; p++) {
        if (name && strcmp(name, tc_media_srtp_profile_name(p)) == 0) {
            *out = (enum tc_media_srtp_profile)p;
            return 0;
        }
    }
    return -EINVAL;
}

size_t
tc_media_srtp_key_len(enum tc_media_srtp_profile p)
{
    return p == TC_MEDIA_SRTP_AEAD_AES_128_GCM ? 28 : 30;
}

void
tc_media_srtp_free(struct tc_media_srtp *s)
{
    if (!s) {
        return;
    }
    if (s->session) {
        srtp_dealloc(s->session);
    }
    explicit_bzero(s->key, sizeof(s->key));
    free(s);
}

int
tc_media_srtp_new(enum tc_media_srtp_profile profile, const uint8_t *key,
                  uint32_t ssrc, struct tc_media_srtp **out)
{
    struct tc_media_srtp *s;
    srtp_policy_t policy;

    if (!tc_media_srtp_profile_name(profile) || !key) {
        return -EINVAL;
    }
    pthread_once(&init_once, init_srtp);
    if (init_status < 0) {
        return -EIO;
    }
    s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    memcpy(s->key, key, tc_media_srtp_key_len(profile));
    memset(&policy, 0, sizeof(policy));
    if (profile == TC_MEDIA_SRTP_AEAD_AES_128_GCM) {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    } else {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    }
    srtp_crypto_policy_set_null_cipher_hmac_null(&policy.rtcp);
    policy.ssrc.type = ssrc_specific;
    policy.ssrc.value = ssrc;
    policy.key = s->key;
    policy.window_size = 128;
    policy.allow_repeat_tx = 0;
    if (srtp_create(&s->session, &policy) != srtp_err_status_ok) {
        s->session = NULL;
        tc_media_srtp_free(s);
        return -EIO;
    }
    *out = s;
    return 0;
}

void
tc_media__srtp_prefetch(const struct tc_media_srtp *s)
{
    if (s) {
        __builtin_prefetch(s->session);
    }
}

int
tc_media_srtp_protect(struct tc_media_srtp *s, uint8_t *buf, size_t *len)
{
    int n = (int)*len;

    if (*len + SRTP_MAX_TRAILER_LEN > TC_MEDIA_ECG_MAX_PACKET ||
        srtp_protect(s->session, buf, &n) != srtp_err_status_ok) {
        return -EIO;
    }
    *len = (size_t)n;
    return 0;
}

int
tc_media_srtp_unprotect(struct tc_media_srtp *s, uint8_t *buf, size_t *len)
{
    int n = (int)*len;

    if (*len < 12 || *len > TC_MEDIA_ECG_MAX_PACKET) {
        return -EPROTO;
    }
    switch (srtp_unprotect(s->session, buf, &n)) {
    case srtp_err_status_ok:
        *len = (size_t)n;
        return 0;
    case srtp_err_status_auth_fail:
        return -EACCES;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
        return -EALREADY;
    default:
        return -EPROTO;
    }
}
