// SPDX-License-Identifier: Apache-2.0
/*
 * bench-ecg-bare.c - bench-ecg's bare crypto figure (bench-ecg-bare.h):
 * libsrtp alone on the packets the relay sees, no sockets.
 *
 * Thread: bench-ecg's main thread.
 */
#include "bench-ecg-bare.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

int64_t
bench_thread_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
bench_key_for(uint8_t *key, uint32_t stream, uint8_t dir)
{
    for (int i = 0; i < TC_MEDIA_SRTP_MAX_KEY; i++) {
        key[i] = (uint8_t)(stream * 7 + i * 13 + dir * 101);
    }
}

/*
 * Bare libsrtp on the same packets as the relay sees them: n streams,
 * each with its device session and two subscriber sessions (as many
 * libsrtp sessions as the relay holds), packets taken round-robin across
 * the streams; per packet srtp_unprotect + 2 x srtp_protect. One thread
 * (the caller puts it on the relay's core), no sockets. The packets are
 * made and protected by the devices' sessions BARE_BATCH at a time,
 * untimed, and each batch is timed while it is in the cache, as a packet
 * the relay has just read is (made all at once, 40,000 packets of
 * 1.6 KiB came from memory in the timed loop, which made the bare figure
 * larger).
 */
#define BARE_BATCH 64

/* Packets i0 .. i0 + nb - 1 (packet i: stream i % n's packet i / n),
 * protected by the devices' sessions tx. */
static void
bare_make(struct tc_media_srtp **tx, unsigned n, size_t i0, size_t nb,
          uint8_t (*pkts)[TC_MEDIA_ECG_MAX_PACKET], size_t *lens)
{
    static int16_t samples[FPP * LEADS];

    for (size_t j = 0; j < nb; j++) {
        size_t i = i0 + j;
        unsigned s = (unsigned)(i % n);
        struct tc_media_ecg_format fmt = {
            .n_leads = LEADS,
            .sample_rate_hz = RATE,
            .frames_per_packet = FPP,
            .payload_type = 96,
            .ssrc = 0x10000u + s,
        };
        int len = tc_media_ecg_rtp_write(&fmt, i / n, false, samples, FPP,
                                         pkts[j], TC_MEDIA_ECG_MAX_PACKET);
        lens[j] = (size_t)len;
        tc_media_srtp_protect(tx[s], pkts[j], &lens[j]);
    }
}

double
bench_bare_crypto_ns(unsigned n, unsigned per_stream,
                     enum tc_media_srtp_profile prof,
                     enum tc_media_srtp_crypto impl,
                     enum tc_media_srtp_crypto after)
{
    struct tc_media_srtp **tx = g_new0(struct tc_media_srtp *, n);
    struct tc_media_srtp **rx = g_new0(struct tc_media_srtp *, n);
    struct tc_media_srtp **out = g_new0(struct tc_media_srtp *, 2 * n);
    uint8_t key[TC_MEDIA_SRTP_MAX_KEY], copy[TC_MEDIA_ECG_MAX_PACKET];
    static uint8_t pkts[BARE_BATCH][TC_MEDIA_ECG_MAX_PACKET];
    size_t lens[BARE_BATCH];
    size_t total = (size_t)n * per_stream;
    int64_t timed = 0;

    tc_media_srtp_set_crypto(impl);
    for (unsigned s = 0; s < n; s++) {
        uint32_t ssrc = 0x10000u + s;
        bench_key_for(key, s, 0);
        tc_media_srtp_new(prof, key, ssrc, &tx[s]);
        tc_media_srtp_new(prof, key, ssrc, &rx[s]);
        for (int k = 0; k < 2; k++) {
            bench_key_for(key, s, (uint8_t)(1 + k));
            tc_media_srtp_new(prof, key, ssrc, &out[2 * s + (unsigned)k]);
        }
    }
    /* packet i is stream i % n's packet i / n; the first packet of each
     * stream untimed: first use of a key */
    for (size_t i0 = 0; i0 < total; i0 += BARE_BATCH) {
        size_t nb = MIN((size_t)BARE_BATCH, total - i0);
        int64_t c0;

        bare_make(tx, n, i0, nb, pkts, lens);
        c0 = bench_thread_cpu_ns();
        for (size_t j = 0; j < nb; j++) {
            size_t i = i0 + j;
            unsigned s = (unsigned)(i % n);
            size_t len = lens[j];

            if (i == n) { /* the first round ends: time from here */
                timed = 0;
                c0 = bench_thread_cpu_ns();
            }
            tc_media_srtp_unprotect(rx[s], pkts[j], &len);
            for (unsigned k = 0; k < 2; k++) {
                size_t l2 = len;
                memcpy(copy, pkts[j], len);
                tc_media_srtp_protect(out[2 * s + k], copy, &l2);
            }
        }
        timed += bench_thread_cpu_ns() - c0;
    }
    tc_media_srtp_set_crypto(after);
    for (unsigned s = 0; s < n; s++) {
        tc_media_srtp_free(tx[s]);
        tc_media_srtp_free(rx[s]);
        tc_media_srtp_free(out[2 * s]);
        tc_media_srtp_free(out[2 * s + 1]);
    }
    g_free(tx);
    g_free(rx);
    g_free(out);
    return (double)timed / (double)(total - n);
}

const char *
bench_impl_name(enum tc_media_srtp_crypto c)
{
    return c == TC_MEDIA_SRTP_CRYPTO_OPENSSL ? "openssl" : "libsrtp";
}

/* Bare libsrtp (unprotect + 2 x protect a packet) against the number of
 * streams, both implementations, both profiles: what crypto alone allows
 * a core (1 s / (cost x 50 packets/s) streams). */
void
bench_crypto_table(enum tc_media_srtp_crypto after)
{
    static const unsigned ns[] = {1, 100, 1000, 2000};
    static const enum tc_media_srtp_profile profs[] = {
        TC_MEDIA_SRTP_AEAD_AES_128_GCM, TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80};

    printf("\nbare libsrtp, unprotect + 2 x protect per packet, us "
           "(streams/core the crypto alone allows):\n");
    printf("%-24s %-8s", "profile", "ciphers");
    for (size_t i = 0; i < G_N_ELEMENTS(ns); i++) {
        printf(" %7u str", ns[i]);
    }
    printf("\n");
    for (size_t p = 0; p < G_N_ELEMENTS(profs); p++) {
        for (int c = 0; c < 2; c++) {
            enum tc_media_srtp_crypto impl = c ? TC_MEDIA_SRTP_CRYPTO_LIBSRTP
                                               : TC_MEDIA_SRTP_CRYPTO_OPENSSL;
            printf("%-24s %-8s", tc_media_srtp_profile_name(profs[p]),
                   bench_impl_name(impl));
            for (size_t i = 0; i < G_N_ELEMENTS(ns); i++) {
                double ns_pk = bench_bare_crypto_ns(
                    ns[i], MAX(4u, 20000 / ns[i]), profs[p], impl, after);
                printf(" %5.1f (%5.0f)", ns_pk / 1000, 1e9 / (ns_pk * PPS));
                fflush(stdout);
            }
            printf("\n");
        }
    }
}
