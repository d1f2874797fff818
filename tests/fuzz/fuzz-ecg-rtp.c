// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-ecg-rtp.c - the ECG RTP payload parser and the stream placement on
 * arbitrary packets. The first byte picks a lead count (1..16) and the
 * second a span; the rest is the packet. It must never crash or read out
 * of bounds; an accepted packet's payload lies inside the packet and holds
 * whole frames; a refusal leaves the output untouched.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tc-media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tc_media_ecg_format fmt = {
        .sample_rate_hz = 500,
        .payload_type = 96,
        .ssrc = 0x01020304,
        .first_seq = 65000,
        .first_timestamp = 1000,
    };
    struct tc_media_ecg_packet p, before;
    struct tc_media_ecg_seq seq;
    uint8_t *pkt;
    int64_t index;
    int rc;

    if (size < 2) {
        return 0;
    }
    fmt.n_leads = 1u + data[0] % TC_MEDIA_ECG_MAX_LEADS;
    fmt.frames_per_packet = 1u + data[1] % 43; /* 16 * 2 * 43 <= 1400 */
    if (tc_media_ecg_format_check(&fmt) != 0) {
        abort();
    }
    size -= 2;
    pkt = malloc(size ? size : 1); /* exact size: ASan sees overreads */
    if (!pkt) {
        return 0;
    }
    memcpy(pkt, data + 2, size);
    memset(&p, 0x5a, sizeof(p));
    before = p;
    rc = tc_media_ecg_rtp_parse(&fmt, pkt, size, &p);
    if (rc == 0) {
        size_t bytes = (size_t)p.frames * fmt.n_leads * 2;
        if (p.frames < 1 || p.frames > fmt.frames_per_packet ||
            p.payload < pkt || p.payload + bytes > pkt + size ||
            (p.frames < fmt.frames_per_packet && !p.marker)) {
            abort();
        }
        tc_media_ecg_seq_init(&seq, &fmt);
        rc = tc_media_ecg_seq_index(&seq, p.seq, p.timestamp, &index);
        if (rc == 0 && (index < 0 || index > 0x7fff)) {
            abort();
        }
        if (rc != 0 && rc != -ERANGE && rc != -EPROTO) {
            abort();
        }
    } else if ((rc != -EPROTO && rc != -EMSGSIZE) ||
               memcmp(&p, &before, sizeof(p)) != 0) {
        abort();
    }
    free(pkt);
    return 0;
}
