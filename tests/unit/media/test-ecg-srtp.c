// SPDX-License-Identifier: Apache-2.0
/*
 * test-ecg-srtp.c - SRTP for ECG streams with both profiles: a protected
 * packet unprotects to the same bytes; a wrong key, an altered byte and a
 * replay are each refused with their own code. All of it under both
 * implementations of the ciphers (OpenSSL's, the default, and the libsrtp2
 * build's own, NSS on Debian), and the two give the same bytes.
 */
#include <errno.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "tc-media.h"
#include "tc-test.h"

static const struct tc_media_ecg_format fmt = {
    .n_leads = 12,
    .sample_rate_hz = 500,
    .frames_per_packet = 10,
    .payload_type = 96,
    .ssrc = 0xcafe0001,
    .first_seq = 100,
    .first_timestamp = 5000,
};

static void
key_of(uint8_t *key, uint8_t seed)
{
    for (int i = 0; i < TC_MEDIA_SRTP_MAX_KEY; i++) {
        key[i] = (uint8_t)(seed * 31 + i * 7);
    }
}

static void
run_profile(enum tc_media_srtp_profile prof)
{
    uint8_t key[TC_MEDIA_SRTP_MAX_KEY], wrong[TC_MEDIA_SRTP_MAX_KEY];
    uint8_t clear[TC_MEDIA_ECG_MAX_PACKET], pkt[TC_MEDIA_ECG_MAX_PACKET];
    uint8_t copy[TC_MEDIA_ECG_MAX_PACKET];
    struct tc_media_srtp *tx = NULL, *rx = NULL, *rx_wrong = NULL;
    int16_t samples[120];
    size_t len, clen;
    int n;

    key_of(key, 1);
    key_of(wrong, 2);
    TC_REQUIRE(tc_media_srtp_new(prof, key, fmt.ssrc, &tx) == 0);
    TC_REQUIRE(tc_media_srtp_new(prof, key, fmt.ssrc, &rx) == 0);
    TC_REQUIRE(tc_media_srtp_new(prof, wrong, fmt.ssrc, &rx_wrong) == 0);
    for (int i = 0; i < 120; i++) {
        samples[i] = (int16_t)(i * 300 - 9000);
    }
    for (uint64_t k = 0; k < 5; k++) {
        n = tc_media_ecg_rtp_write(&fmt, k, false, samples, 10, clear,
                                   sizeof(clear));
        TC_REQUIRE(n > 0);
        memcpy(pkt, clear, (size_t)n);
        len = (size_t)n;
        TC_REQUIRE(tc_media_srtp_protect(tx, pkt, &len) == 0);
        TC_CHECK_EQ(len,
                    (size_t)n +
                        (prof == TC_MEDIA_SRTP_AEAD_AES_128_GCM ? 16 : 10));
        TC_CHECK(memcmp(pkt + 12, clear + 12, 16) != 0); /* encrypted */
        /* the wrong key */
        memcpy(copy, pkt, len);
        clen = len;
        TC_CHECK_EQ(tc_media_srtp_unprotect(rx_wrong, copy, &clen), -EACCES);
        /* one altered payload byte */
        memcpy(copy, pkt, len);
        clen = len;
        copy[40] ^= 0x01;
        TC_CHECK_EQ(tc_media_srtp_unprotect(rx, copy, &clen), -EACCES);
        /* the real one, then its replay */
        memcpy(copy, pkt, len);
        clen = len;
        TC_CHECK_EQ(tc_media_srtp_unprotect(rx, copy, &clen), 0);
        TC_CHECK_EQ(clen, (size_t)n);
        TC_CHECK(memcmp(copy, clear, (size_t)n) == 0);
        memcpy(copy, pkt, len);
        clen = len;
        TC_CHECK_EQ(tc_media_srtp_unprotect(rx, copy, &clen), -EALREADY);
    }
    clen = 5;
    TC_CHECK_EQ(tc_media_srtp_unprotect(rx, copy, &clen), -EPROTO);
    tc_media_srtp_free(tx);
    tc_media_srtp_free(rx);
    tc_media_srtp_free(rx_wrong);
}

static void
test_aes_cm_128_hmac_sha1_80(void)
{
    run_profile(TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80);
    TC_REQUIRE(tc_media_srtp_set_crypto(TC_MEDIA_SRTP_CRYPTO_LIBSRTP) == 0);
    run_profile(TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80);
    TC_REQUIRE(tc_media_srtp_set_crypto(TC_MEDIA_SRTP_CRYPTO_OPENSSL) == 0);
}

static void
test_aead_aes_128_gcm(void)
{
    run_profile(TC_MEDIA_SRTP_AEAD_AES_128_GCM);
    TC_REQUIRE(tc_media_srtp_set_crypto(TC_MEDIA_SRTP_CRYPTO_LIBSRTP) == 0);
    run_profile(TC_MEDIA_SRTP_AEAD_AES_128_GCM);
    TC_REQUIRE(tc_media_srtp_set_crypto(TC_MEDIA_SRTP_CRYPTO_OPENSSL) == 0);
}

/*
 * The same key and packets through both implementations: byte for byte
 * the same SRTP, and each unprotects the other's. The sequence numbers
 * wrap (rollover counter 1 from the seventh packet on), the lengths vary
 * (1 to 10 frames, the short ones marked).
 */
static void
agree(enum tc_media_srtp_profile prof)
{
    struct tc_media_ecg_format f = fmt;
    uint8_t key[TC_MEDIA_SRTP_MAX_KEY];
    uint8_t wrong[TC_MEDIA_SRTP_MAX_KEY];
    struct tc_media_srtp *tx[2] = {0}, *rx[2] = {0}, *rx_wrong[2] = {0};
    int16_t samples[120];

    f.first_seq = 65530;
    key_of(key, 4);
    key_of(wrong, 5);
    for (int i = 0; i < 2; i++) {
        TC_REQUIRE(
            tc_media_srtp_set_crypto(i ? TC_MEDIA_SRTP_CRYPTO_LIBSRTP
                                       : TC_MEDIA_SRTP_CRYPTO_OPENSSL) == 0);
        TC_REQUIRE(tc_media_srtp_new(prof, key, f.ssrc, &tx[i]) == 0);
        TC_REQUIRE(tc_media_srtp_new(prof, key, f.ssrc, &rx[i]) == 0);
        TC_REQUIRE(tc_media_srtp_new(prof, wrong, f.ssrc, &rx_wrong[i]) == 0);
    }
    TC_REQUIRE(tc_media_srtp_set_crypto(TC_MEDIA_SRTP_CRYPTO_OPENSSL) == 0);
    for (uint64_t k = 0; k < 40; k++) {
        uint8_t clear[TC_MEDIA_ECG_MAX_PACKET],
            pkt[2][TC_MEDIA_ECG_MAX_PACKET];
        unsigned frames = (unsigned)(k % 10) + 1;
        size_t len[2];
        int n;

        for (int i = 0; i < 120; i++) {
            samples[i] = (int16_t)(k * 1000 + (uint64_t)i * 77);
        }
        n = tc_media_ecg_rtp_write(&f, k, frames < 10, samples, frames, clear,
                                   sizeof(clear));
        TC_REQUIRE(n > 0);
        for (int i = 0; i < 2; i++) {
            memcpy(pkt[i], clear, (size_t)n);
            len[i] = (size_t)n;
            TC_REQUIRE(tc_media_srtp_protect(tx[i], pkt[i], &len[i]) == 0);
        }
        TC_CHECK_EQ(len[0], len[1]);
        TC_CHECK(memcmp(pkt[0], pkt[1], len[0]) == 0);
        /* OpenSSL's packet into libsrtp's receiver and the other way;
         * under the wrong key neither authenticates */
        for (int i = 0; i < 2; i++) {
            uint8_t copy[TC_MEDIA_ECG_MAX_PACKET];
            size_t clen = len[i];

            memcpy(copy, pkt[i], len[i]);
            TC_CHECK_EQ(tc_media_srtp_unprotect(rx_wrong[1 - i], copy, &clen),
                        -EACCES);
            TC_CHECK_EQ(tc_media_srtp_unprotect(rx[1 - i], pkt[i], &len[i]),
                        0);
            TC_CHECK_EQ(len[i], (size_t)n);
            TC_CHECK(memcmp(pkt[i], clear, (size_t)n) == 0);
        }
    }
    for (int i = 0; i < 2; i++) {
        tc_media_srtp_free(tx[i]);
        tc_media_srtp_free(rx[i]);
        tc_media_srtp_free(rx_wrong[i]);
    }
}

static void
test_implementations_agree(void)
{
    agree(TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80);
    agree(TC_MEDIA_SRTP_AEAD_AES_128_GCM);
}

/*
 * The ciphers are libsrtp's for the whole process: GStreamer's WebRTC
 * SRTP in the server uses them too once the relay has set them up, and
 * WebRTC speaks SRTCP. SRTCP through libsrtp directly, under both
 * implementations: the same bytes, each unprotects the other's.
 */
static srtp_t
rtcp_session(bool gcm, enum tc_media_srtp_crypto impl, const uint8_t *key)
{
    srtp_policy_t policy;
    srtp_t session = NULL;

    if (tc_media_srtp_set_crypto(impl) != 0) {
        return NULL;
    }
    memset(&policy, 0, sizeof(policy));
    if (gcm) {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    }
    policy.ssrc.type = ssrc_specific;
    policy.ssrc.value = 0x01020304;
    policy.key = (uint8_t *)key;
    policy.window_size = 128;
    return srtp_create(&session, &policy) == srtp_err_status_ok ? session
                                                                : NULL;
}

static void
test_srtcp_implementations_agree(void)
{
    uint8_t key[TC_MEDIA_SRTP_MAX_KEY];

    key_of(key, 6);
    for (int gcm = 0; gcm < 2; gcm++) {
        srtp_t tx[2], rx[2];

        for (int i = 0; i < 2; i++) {
            enum tc_media_srtp_crypto impl = i ? TC_MEDIA_SRTP_CRYPTO_LIBSRTP
                                               : TC_MEDIA_SRTP_CRYPTO_OPENSSL;
            tx[i] = rtcp_session(gcm, impl, key);
            rx[i] = rtcp_session(gcm, impl, key);
            TC_REQUIRE(tx[i] && rx[i]);
        }
        TC_REQUIRE(tc_media_srtp_set_crypto(TC_MEDIA_SRTP_CRYPTO_OPENSSL) ==
                   0);
        for (int k = 0; k < 5; k++) {
            /* a sender report: V=2, PT 200, 6 words after the first */
            uint8_t clear[28] = {0x80, 200, 0, 6, 1, 2, 3, 4};
            uint8_t pkt[2][28 + SRTP_MAX_TRAILER_LEN];
            int len[2];

            for (int b = 8; b < 28; b++) {
                clear[b] = (uint8_t)(k * 17 + b);
            }
            for (int i = 0; i < 2; i++) {
                memcpy(pkt[i], clear, sizeof(clear));
                len[i] = (int)sizeof(clear);
                TC_REQUIRE(srtp_protect_rtcp(tx[i], pkt[i], &len[i]) ==
                           srtp_err_status_ok);
            }
            TC_CHECK_EQ(len[0], len[1]);
            TC_CHECK(memcmp(pkt[0], pkt[1], (size_t)len[0]) == 0);
            for (int i = 0; i < 2; i++) {
                TC_CHECK_EQ(srtp_unprotect_rtcp(rx[1 - i], pkt[i], &len[i]),
                            srtp_err_status_ok);
                TC_CHECK_EQ(len[i], (int)sizeof(clear));
                TC_CHECK(memcmp(pkt[i], clear, sizeof(clear)) == 0);
            }
        }
        for (int i = 0; i < 2; i++) {
            srtp_dealloc(tx[i]);
            srtp_dealloc(rx[i]);
        }
    }
}

/* The largest packet the format allows (1400 bytes of samples) is
 * protected and unprotected in a TC_MEDIA_ECG_MAX_PACKET buffer. */
static void
test_largest_packet(void)
{
    static const struct tc_media_ecg_format big = {
        .n_leads = 2,
        .sample_rate_hz = 360,
        .frames_per_packet = 350,
        .payload_type = 96,
        .ssrc = 9,
    };
    uint8_t key[TC_MEDIA_SRTP_MAX_KEY], buf[TC_MEDIA_ECG_MAX_PACKET];
    struct tc_media_srtp *tx = NULL, *rx = NULL;
    static int16_t samples[700];
    size_t len;
    int n;

    key_of(key, 3);
    TC_REQUIRE(tc_media_srtp_new(TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, key, 9,
                                 &tx) == 0);
    TC_REQUIRE(tc_media_srtp_new(TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, key, 9,
                                 &rx) == 0);
    n = tc_media_ecg_rtp_write(&big, 0, false, samples, 350, buf, sizeof(buf));
    TC_REQUIRE(n == 12 + 1400);
    len = (size_t)n;
    TC_CHECK_EQ(tc_media_srtp_protect(tx, buf, &len), 0);
    TC_CHECK_EQ(tc_media_srtp_unprotect(rx, buf, &len), 0);
    TC_CHECK_EQ(len, (size_t)n);
    tc_media_srtp_free(tx);
    tc_media_srtp_free(rx);
}

static void
test_profile_names(void)
{
    enum tc_media_srtp_profile p = 0;

    TC_CHECK_EQ(tc_media_srtp_profile_from_name("AEAD_AES_128_GCM", &p), 0);
    TC_CHECK_EQ(p, TC_MEDIA_SRTP_AEAD_AES_128_GCM);
    TC_CHECK_EQ(tc_media_srtp_key_len(p), 28);
    TC_CHECK_EQ(tc_media_srtp_profile_from_name("NULL_NULL", &p), -EINVAL);
    TC_CHECK_EQ(tc_media_srtp_key_len(TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80),
                30);
}

int
main(void)
{
    TC_RUN(test_aes_cm_128_hmac_sha1_80);
    TC_RUN(test_aead_aes_128_gcm);
    TC_RUN(test_implementations_agree);
    TC_RUN(test_srtcp_implementations_agree);
    TC_RUN(test_largest_packet);
    TC_RUN(test_profile_names);
    return tc_done();
}
