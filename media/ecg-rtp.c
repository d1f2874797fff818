// SPDX-License-Identifier: Apache-2.0
/*
 * ecg-rtp.c - the ECG RTP payload (docs/ecg-rtp.md): parse and write
 * packets, and place a packet in its stream from its sequence number and
 * timestamp.
 *
 * A packet carries frames_per_packet frames (one int16 sample per lead,
 * big-endian, leads interleaved); only a stream's last packet, marked,
 * may carry fewer. Because the span is fixed, a packet's timestamp is
 * known from its sequence number: a packet whose timestamp disagrees is
 * refused, which catches jumps and forged or corrupted headers before
 * they reach an archive.
 *
 * Pure functions on caller memory: no allocation, no thread of their own.
 * These run on the relay's per-packet path and parse bytes from the
 * network (fuzzed: tests/fuzz/fuzz-ecg-rtp.c).
 */
#include <errno.h>

#include "tc-be.h"
#include "tc-media.h"

int
tc_media_ecg_format_check(const struct tc_media_ecg_format *fmt)
{
    if (fmt->n_leads < 1 || fmt->n_leads > TC_MEDIA_ECG_MAX_LEADS ||
        fmt->sample_rate_hz < 50 || fmt->sample_rate_hz > 20000 ||
        fmt->frames_per_packet < 1 ||
        fmt->frames_per_packet * fmt->n_leads * 2 > TC_MEDIA_ECG_MAX_PAYLOAD ||
        fmt->payload_type < 96 || fmt->payload_type > 127) {
        return -EINVAL;
    }
    return 0;
}

int
tc_media_ecg_rtp_parse(const struct tc_media_ecg_format *fmt,
                       const uint8_t *pkt, size_t len,
                       struct tc_media_ecg_packet *out)
{
    size_t off = TC_MEDIA_ECG_RTP_HEADER, end = len, frame_len;
    unsigned frames;

    if (len < TC_MEDIA_ECG_RTP_HEADER || (pkt[0] >> 6) != 2 ||
        (pkt[1] & 0x7f) != fmt->payload_type ||
        tc_be_rd32(pkt + 8) != fmt->ssrc) {
        return -EPROTO;
    }
    off += 4u * (pkt[0] & 0x0f); /* CSRCs */
    if (pkt[0] & 0x10) {         /* header extension */
        if (off + 4 > len) {
            return -EPROTO;
        }
        off += 4 + 4u * tc_be_rd16(pkt + off + 2);
    }
    if (pkt[0] & 0x20) { /* padding: the last byte counts it */
        if (len == 0 || pkt[len - 1] == 0 || pkt[len - 1] > len) {
            return -EPROTO;
        }
        end = len - pkt[len - 1];
    }
    if (off > end) {
        return -EPROTO;
    }
    frame_len = 2u * fmt->n_leads;
    if (end == off || (end - off) % frame_len != 0 ||
        (end - off) / frame_len > fmt->frames_per_packet) {
        return -EMSGSIZE;
    }
    frames = (unsigned)((end - off) / frame_len);
    if (frames < fmt->frames_per_packet && !(pkt[1] & 0x80)) {
        return -EMSGSIZE;
    }
    out->seq = tc_be_rd16(pkt + 2);
    out->timestamp = tc_be_rd32(pkt + 4);
    out->marker = pkt[1] & 0x80;
    out->frames = frames;
    out->payload = pkt + off;
    return 0;
}

int
tc_media_ecg_rtp_write(const struct tc_media_ecg_format *fmt, uint64_t index,
                       bool marker, const int16_t *samples, unsigned frames,
                       uint8_t *buf, size_t cap)
{
    size_t n = (size_t)frames * fmt->n_leads;
    size_t len = TC_MEDIA_ECG_RTP_HEADER + 2 * n;

    if (frames == 0 || frames > fmt->frames_per_packet || len > cap) {
        return -EMSGSIZE;
    }
    buf[0] = 0x80;
    buf[1] = (uint8_t)(fmt->payload_type | (marker ? 0x80 : 0));
    tc_be_wr16(buf + 2, (uint16_t)(fmt->first_seq + index));
    tc_be_wr32(buf + 4, (uint32_t)(fmt->first_timestamp +
                                   index * fmt->frames_per_packet));
    tc_be_wr32(buf + 8, fmt->ssrc);
    for (size_t i = 0; i < n; i++) {
        tc_be_wr16(buf + TC_MEDIA_ECG_RTP_HEADER + 2 * i,
                   (uint16_t)samples[i]);
    }
    return (int)len;
}

void
tc_media_ecg_seq_init(struct tc_media_ecg_seq *s,
                      const struct tc_media_ecg_format *fmt)
{
    s->fmt = *fmt;
    s->highest = -1;
}

int
tc_media_ecg_seq_index(struct tc_media_ecg_seq *s, uint16_t seq,
                       uint32_t timestamp, int64_t *index)
{
    uint16_t ref_seq = (uint16_t)(s->fmt.first_seq + s->highest);
    int64_t idx = s->highest + (int16_t)(uint16_t)(seq - ref_seq);
    uint32_t want;

    if (idx < 0) { /* before the stream's first packet */
        return -ERANGE;
    }
    want = (uint32_t)(s->fmt.first_timestamp +
                      (uint64_t)idx * s->fmt.frames_per_packet);
    if (timestamp != want) {
        return -EPROTO;
    }
    if (idx > s->highest) {
        s->highest = idx;
    }
    *index = idx;
    return 0;
}
