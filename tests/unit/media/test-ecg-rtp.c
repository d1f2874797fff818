// SPDX-License-Identifier: Apache-2.0
/*
 * test-ecg-rtp.c - the ECG RTP payload (docs/ecg-rtp.md): packets written
 * and parsed back, every refusal the parser names, and placing packets in
 * their stream across wrap-around, reordering and timestamp jumps.
 */
#include <errno.h>
#include <string.h>

#include "tc-media.h"
#include "tc-test.h"

static const struct tc_media_ecg_format fmt12 = {
    .n_leads = 12,
    .sample_rate_hz = 500,
    .frames_per_packet = 10,
    .payload_type = 96,
    .ssrc = 0x1234abcd,
    .first_seq = 65530,
    .first_timestamp = 0xfffffff0u,
};

static int16_t samples[10 * 12];

static void
fill(int seed)
{
    for (int i = 0; i < 120; i++) {
        samples[i] = (int16_t)(i * 257 - 15000 + seed);
    }
    samples[3] = TC_MEDIA_ECG_INVALID;
    samples[4] = 32767;
}

static void
test_written_packet_parses_back(void)
{
    uint8_t buf[TC_MEDIA_ECG_MAX_PACKET];
    struct tc_media_ecg_packet p;
    int len;

    fill(1);
    len = tc_media_ecg_rtp_write(&fmt12, 7, false, samples, 10, buf,
                                 sizeof(buf));
    TC_REQUIRE(len == 12 + 240);
    TC_REQUIRE(tc_media_ecg_rtp_parse(&fmt12, buf, (size_t)len, &p) == 0);
    TC_CHECK_EQ(p.seq, (uint16_t)(65530 + 7));
    TC_CHECK_EQ(p.timestamp, (uint32_t)(0xfffffff0u + 70));
    TC_CHECK(!p.marker);
    TC_CHECK_EQ(p.frames, 10);
    for (int i = 0; i < 120; i++) {
        int16_t v = (int16_t)(p.payload[2 * i] << 8 | p.payload[2 * i + 1]);
        TC_CHECK_EQ(v, samples[i]);
    }
}

static void
test_short_packet_needs_the_marker(void)
{
    uint8_t buf[TC_MEDIA_ECG_MAX_PACKET];
    struct tc_media_ecg_packet p;
    int len;

    fill(2);
    len =
        tc_media_ecg_rtp_write(&fmt12, 0, true, samples, 3, buf, sizeof(buf));
    TC_REQUIRE(len == 12 + 72);
    TC_CHECK_EQ(tc_media_ecg_rtp_parse(&fmt12, buf, (size_t)len, &p), 0);
    TC_CHECK(p.marker);
    TC_CHECK_EQ(p.frames, 3);
    buf[1] &= 0x7f;
    TC_CHECK_EQ(tc_media_ecg_rtp_parse(&fmt12, buf, (size_t)len, &p),
                -EMSGSIZE);
}

static void
test_refusals(void)
{
    uint8_t buf[TC_MEDIA_ECG_MAX_PACKET], bad[TC_MEDIA_ECG_MAX_PACKET];
    struct tc_media_ecg_packet p = {.seq = 4242};
    int len;

    fill(3);
    len = tc_media_ecg_rtp_write(&fmt12, 1, false, samples, 10, buf,
                                 sizeof(buf));
    TC_REQUIRE(len > 0);
    TC_CHECK_EQ(tc_media_ecg_rtp_parse(&fmt12, buf, 11, &p), -EPROTO);
    memcpy(bad, buf, (size_t)len);
    bad[0] = 0x40; /* version 1 */
    TC_CHECK_EQ(tc_media_ecg_rtp_parse(&fmt12, bad, (size_t)len, &p), -EPROTO);
    memcpy(bad, buf, (size_t)len);
    bad[1] = 97; /* another payload type */
    TC_CHECK_EQ(tc_media_ecg_rtp_parse(&fmt12, bad, (size_t)len, &p), -EPROTO);
    memcpy(bad, buf, (size_t)len);
    bad[11] ^= 1; /* another SSRC */
    TC_CHECK_EQ(tc_media_ecg_rtp_parse(&fmt12, bad, (size_t)len, &p), -EPROTO);
    /* a lead-count mismatch: one sample short, or a frame of 11 leads */
    TC_CHECK_EQ(tc_media_ecg_rtp_parse(&fmt12, buf, (size_t)len - 2, &p),
                -EMSGSIZE);
    TC_CHECK_EQ(tc_media_ecg_rtp_parse(&fmt12, buf, (size_t)len - 24, &p),
                -EMSGSIZE);
    /* over the span: eleven frames */
    memcpy(bad, buf, (size_t)len);
    memset(bad + len, 0, 24);
    TC_CHECK_EQ(tc_media_ecg_rtp_parse(&fmt12, bad, (size_t)len + 24, &p),
                -EMSGSIZE);
    /* no samples at all */
    TC_CHECK_EQ(tc_media_ecg_rtp_parse(&fmt12, buf, 12, &p), -EMSGSIZE);
    /* padding longer than the packet; an extension past the end */
    memcpy(bad, buf, (size_t)len);
    bad[0] |= 0x20;
    bad[len - 1] = 255;
    TC_CHECK_EQ(tc_media_ecg_rtp_parse(&fmt12, bad, (size_t)len, &p), -EPROTO);
    memcpy(bad, buf, (size_t)len);
    bad[0] |= 0x10;
    bad[14] = 0xff;
    TC_CHECK_EQ(tc_media_ecg_rtp_parse(&fmt12, bad, (size_t)len, &p), -EPROTO);
    TC_CHECK_EQ(p.seq, 4242); /* untouched by every refusal */
    TC_CHECK_EQ(tc_media_ecg_rtp_write(&fmt12, 0, false, samples, 11, buf,
                                       sizeof(buf)),
                -EMSGSIZE);
    TC_CHECK_EQ(
        tc_media_ecg_rtp_write(&fmt12, 0, false, samples, 10, buf, 100),
        -EMSGSIZE);
}

static void
test_csrc_extension_and_padding_are_skipped(void)
{
    uint8_t buf[TC_MEDIA_ECG_MAX_PACKET], pkt[TC_MEDIA_ECG_MAX_PACKET];
    struct tc_media_ecg_packet p;
    size_t n = 0;
    int len;

    fill(4);
    len = tc_media_ecg_rtp_write(&fmt12, 2, false, samples, 10, buf,
                                 sizeof(buf));
    TC_REQUIRE(len > 0);
    memcpy(pkt, buf, 12);
    pkt[0] = 0x80 | 0x20 | 0x10 | 1; /* padding, extension, one CSRC */
    n = 12;
    memset(pkt + n, 0xaa, 4); /* CSRC */
    n += 4;
    pkt[n++] = 0xbe;
    pkt[n++] = 0xde;
    pkt[n++] = 0;
    pkt[n++] = 1; /* one word of extension */
    memset(pkt + n, 0x55, 4);
    n += 4;
    memcpy(pkt + n, buf + 12, (size_t)len - 12);
    n += (size_t)len - 12;
    pkt[n++] = 0;
    pkt[n++] = 0;
    pkt[n++] = 3; /* three bytes of padding */
    TC_REQUIRE(tc_media_ecg_rtp_parse(&fmt12, pkt, n, &p) == 0);
    TC_CHECK_EQ(p.frames, 10);
    TC_CHECK(memcmp(p.payload, buf + 12, (size_t)len - 12) == 0);
}

static void
test_seq_places_packets_across_wrap_and_reorder(void)
{
    struct tc_media_ecg_seq s;
    int64_t idx = -7;
    uint32_t ts0 = fmt12.first_timestamp;

    tc_media_ecg_seq_init(&s, &fmt12);
    /* first packet lost: packet 1 arrives first */
    TC_CHECK_EQ(tc_media_ecg_seq_index(&s, 65531, ts0 + 10, &idx), 0);
    TC_CHECK_EQ(idx, 1);
    TC_CHECK_EQ(tc_media_ecg_seq_index(&s, 65530, ts0, &idx), 0);
    TC_CHECK_EQ(idx, 0);
    /* across the 16-bit wrap: seq 2 is packet 8 */
    TC_CHECK_EQ(tc_media_ecg_seq_index(&s, 2, ts0 + 80, &idx), 0);
    TC_CHECK_EQ(idx, 8);
    TC_CHECK_EQ(tc_media_ecg_seq_index(&s, 65535, ts0 + 50, &idx), 0);
    TC_CHECK_EQ(idx, 5);
    /* a timestamp that jumps is refused, the index stays */
    idx = -7;
    TC_CHECK_EQ(tc_media_ecg_seq_index(&s, 3, ts0 + 95, &idx), -EPROTO);
    TC_CHECK_EQ(tc_media_ecg_seq_index(&s, 3, ts0 + 90 + 100000, &idx),
                -EPROTO);
    TC_CHECK_EQ(idx, -7);
    /* before the first packet */
    TC_CHECK_EQ(tc_media_ecg_seq_index(&s, 65529, ts0 - 10, &idx), -ERANGE);
    /* far ahead after a long gap, timestamps agreeing */
    TC_CHECK_EQ(tc_media_ecg_seq_index(&s, (uint16_t)(65530 + 20000),
                                       ts0 + 200000, &idx),
                0);
    TC_CHECK_EQ(idx, 20000);
}

static void
test_format_check(void)
{
    struct tc_media_ecg_format f = fmt12;

    TC_CHECK_EQ(tc_media_ecg_format_check(&f), 0);
    f.n_leads = 17;
    TC_CHECK_EQ(tc_media_ecg_format_check(&f), -EINVAL);
    f = fmt12;
    f.frames_per_packet = 59; /* 12 * 2 * 59 = 1416 > 1400 */
    TC_CHECK_EQ(tc_media_ecg_format_check(&f), -EINVAL);
    f = fmt12;
    f.payload_type = 0;
    TC_CHECK_EQ(tc_media_ecg_format_check(&f), -EINVAL);
}

int
main(void)
{
    TC_RUN(test_written_packet_parses_back);
    TC_RUN(test_short_packet_needs_the_marker);
    TC_RUN(test_refusals);
    TC_RUN(test_csrc_extension_and_padding_are_skipped);
    TC_RUN(test_seq_places_packets_across_wrap_and_reorder);
    TC_RUN(test_format_check);
    return tc_done();
}
