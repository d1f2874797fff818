/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-ecg-bare.h - the cost of bare libsrtp on bench-ecg's packets
 * (srtp_unprotect + 2 x srtp_protect, as many sessions as the relay
 * holds), which the relay's cost per packet is compared with.
 */
#ifndef TC_BENCH_ECG_BARE_H
#define TC_BENCH_ECG_BARE_H

#include <stdint.h>

#include "tc-media.h"

/* The bench's streams: 12 leads x 500 Hz, 10 frames a packet. */
#define LEADS 12
#define RATE  500
#define FPP   10
#define PPS   (RATE / FPP)

/* This thread's CPU time, ns. */
int64_t bench_thread_cpu_ns(void);

/* The key of stream `stream`: dir 0 the device's, 1 and 2 the two
 * subscribers'. */
void bench_key_for(uint8_t *key, uint32_t stream, uint8_t dir);

/* ns a packet for unprotect + 2 x protect over n streams, per_stream
 * packets each, under `impl`'s ciphers; `after` is set again at the end
 * (tc_media_srtp_set_crypto). */
double bench_bare_crypto_ns(unsigned n, unsigned per_stream,
                            enum tc_media_srtp_profile prof,
                            enum tc_media_srtp_crypto impl,
                            enum tc_media_srtp_crypto after);

/* "openssl" or "libsrtp". */
const char *bench_impl_name(enum tc_media_srtp_crypto c);

/* Prints bare libsrtp against the number of streams, both ciphers and
 * both profiles; `after` as above. */
void bench_crypto_table(enum tc_media_srtp_crypto after);

#endif
