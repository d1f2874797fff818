// SPDX-License-Identifier: Apache-2.0
/*
 * test-ecg-relay.c - the ECG relay over real UDP on loopback: a device
 * socket sends s0010_re as SRTP; the archive, an SRTP subscriber with its
 * own key and the packet callback all get exactly the source's samples;
 * a late subscriber gets the history first; a wrong key, a replay, a
 * lead-count mismatch, a timestamp jump and an unknown SSRC are each
 * dropped and counted while the stream goes on; subscribers leaving in
 * any order leave the others their packets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "ecg-test-util.h"
#include "tc-media.h"
#include "tc-test.h"

#define FPP   20
#define LEADS 15

static char data_dir[4096];
static char tmp_dir[] = "/tmp/tc-test-relay-XXXXXX";
static struct tc_media_wfdb_record *src;

static const struct tc_media_ecg_format fmt = {
    .n_leads = LEADS,
    .sample_rate_hz = 1000,
    .frames_per_packet = FPP,
    .payload_type = 100,
    .ssrc = 0x5eed0001,
    .first_seq = 65000,
    .first_timestamp = 123456,
};

struct receiver {
    int fd;
    struct tc_media_srtp *srtp;
    int64_t first_index;
    int64_t packets;
    bool mismatch;
};

static bool
payload_equals_source(int64_t index, const uint8_t *payload, unsigned frames)
{
    for (unsigned f = 0; f < frames; f++) {
        for (unsigned l = 0; l < LEADS; l++) {
            size_t k = (size_t)f * LEADS + l;
            int16_t v = (int16_t)(payload[2 * k] << 8 | payload[2 * k + 1]);
            if (v != src->samples[(index * FPP + f) * LEADS + l]) {
                return false;
            }
        }
    }
    return true;
}

/* Drain a receiver: unprotect, parse, compare with the source. */
static void
drain(struct receiver *rx)
{
    uint8_t buf[TC_MEDIA_ECG_MAX_PACKET];
    struct tc_media_ecg_packet p;
    ssize_t n;

    while ((n = recv(rx->fd, buf, sizeof(buf), 0)) > 0) {
        size_t len = (size_t)n;
        int64_t index;
        if (tc_media_srtp_unprotect(rx->srtp, buf, &len) < 0 ||
            tc_media_ecg_rtp_parse(&fmt, buf, len, &p) < 0) {
            rx->mismatch = true;
            continue;
        }
        index = (uint16_t)(p.seq - fmt.first_seq);
        if (rx->packets == 0) {
            rx->first_index = index;
        }
        if (index != rx->first_index + rx->packets ||
            !payload_equals_source(index, p.payload, p.frames)) {
            rx->mismatch = true;
        }
        rx->packets++;
    }
}

static void
drain_all(struct receiver *rx, int n)
{
    for (int r = 0; r < n; r++) {
        drain(&rx[r]);
    }
}

struct cb_count {
    int64_t packets;
    bool mismatch;
};

static void
on_packet(void *data, int64_t index, const uint8_t *payload, unsigned frames)
{
    struct cb_count *c = data;

    if (index != c->packets ||
        !payload_equals_source(index, payload, frames)) {
        c->mismatch = true;
    }
    c->packets++;
}

static void
on_history(void *data, int64_t index, const uint8_t *payload, unsigned frames)
{
    int64_t *n = data;

    (void)payload;
    (void)frames;
    (*n)++;
    (void)index;
}

static size_t
device_packet(struct tc_media_srtp *tx, int64_t k, uint8_t *buf)
{
    int64_t left = src->n_frames - k * FPP;
    unsigned frames = left < FPP ? (unsigned)left : FPP;
    int n = tc_media_ecg_rtp_write(&fmt, (uint64_t)k, frames < FPP,
                                   src->samples + k * FPP * LEADS, frames, buf,
                                   TC_MEDIA_ECG_MAX_PACKET);
    size_t len = (size_t)n;

    tc_media_srtp_protect(tx, buf, &len);
    return len;
}

static void
test_relay_archives_forwards_and_counts_refusals(void)
{
    uint8_t dev_key[30], sub_key[30], late_key[30], wrong_key[30];
    struct tc_media_srtp *tx = NULL, *tx_wrong = NULL;
    struct tc_media_ecg_relay *relay = NULL;
    struct tc_media_ecg_stream *s = NULL;
    struct tc_media_ecg_stream_stats st;
    struct receiver rx = {0}, late = {0};
    struct sockaddr_in relay_addr, dev_addr, rx_addr, late_addr;
    struct tc_media_wfdb_record *back = NULL;
    struct cb_count cb = {0};
    const char *names[LEADS];
    double gains[LEADS];
    int bases[LEADS];
    int64_t n_pkts = (src->n_frames + FPP - 1) / FPP, hist = 0;
    uint8_t buf[TC_MEDIA_ECG_MAX_PACKET], keep[TC_MEDIA_ECG_MAX_PACKET];
    size_t keep_len = 0;
    char err[200];
    int dev, sub_id = 0, late_id = 0;

    for (int i = 0; i < 30; i++) {
        dev_key[i] = (uint8_t)(i + 1);
        sub_key[i] = (uint8_t)(i * 3 + 2);
        late_key[i] = (uint8_t)(i * 5 + 7);
        wrong_key[i] = (uint8_t)(i + 2);
    }
    for (unsigned l = 0; l < LEADS; l++) {
        names[l] = src->header.signals[l].description;
        gains[l] = src->header.signals[l].gain;
        bases[l] = src->header.signals[l].baseline;
    }
    struct tc_media_ecg_stream_params p = {
        .format = fmt,
        .profile = TC_MEDIA_SRTP_AEAD_AES_128_GCM,
        .key = dev_key,
        .history_ms = 2000,
        .archive = {.dir = tmp_dir,
                    .name = "relayed",
                    .reorder_packets = 8,
                    .lead_names = names,
                    .gains = gains,
                    .baselines = bases,
                    .adc_resolution = 16,
                    .started_at_us = 1795000000000000},
        .packet = on_packet,
        .data = &cb,
    };
    TC_REQUIRE(tc_media_ecg_relay_new("127.0.0.1", 0, &relay) == 0);
    TC_REQUIRE(tc_media_ecg_relay_stream_add(relay, &p, &s) == 0);
    TC_CHECK_EQ(tc_media_ecg_relay_stream_add(relay, &p, &s), -EEXIST);
    memset(&relay_addr, 0, sizeof(relay_addr));
    relay_addr.sin_family = AF_INET;
    relay_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    relay_addr.sin_port = htons(tc_media_ecg_relay_port(relay));
    dev = ecg_test_udp_socket(&dev_addr, 0);
    rx.fd = ecg_test_udp_socket(&rx_addr, 0);
    late.fd = ecg_test_udp_socket(&late_addr, 0);
    tc_media_srtp_new(TC_MEDIA_SRTP_AEAD_AES_128_GCM, dev_key, fmt.ssrc, &tx);
    tc_media_srtp_new(TC_MEDIA_SRTP_AEAD_AES_128_GCM, wrong_key, fmt.ssrc,
                      &tx_wrong);
    tc_media_srtp_new(TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, sub_key, fmt.ssrc,
                      &rx.srtp);
    tc_media_srtp_new(TC_MEDIA_SRTP_AEAD_AES_128_GCM, late_key, fmt.ssrc,
                      &late.srtp);
    TC_REQUIRE(tc_media_ecg_stream_subscribe(
                   s, TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, sub_key, &rx_addr,
                   sizeof(rx_addr), &sub_id) == 0);
    for (int64_t k = 0; k < n_pkts; k++) {
        size_t len = device_packet(tx, k, buf);
        sendto(dev, buf, len, 0, (struct sockaddr *)&relay_addr,
               sizeof(relay_addr));
        if (k == 10) {
            memcpy(keep, buf, len); /* for the replay */
            keep_len = len;
        }
        if (k == 600) {
            /* the late subscriber: gets 2 s of history first */
            ecg_test_spin(20);
            TC_CHECK_EQ(tc_media_ecg_stream_subscribe(
                            s, TC_MEDIA_SRTP_AEAD_AES_128_GCM, late_key,
                            &late_addr, sizeof(late_addr), &late_id),
                        0);
            tc_media_ecg_stream_history(s, on_history, &hist);
        }
        if (k % 32 == 0) {
            ecg_test_spin(2);
            drain(&rx);
            drain(&late);
        }
    }
    /* the refusals */
    sendto(dev, keep, keep_len, 0, (struct sockaddr *)&relay_addr,
           sizeof(relay_addr)); /* replay */
    {
        int n = tc_media_ecg_rtp_write(&fmt, (uint64_t)n_pkts + 5, false,
                                       src->samples, FPP, buf, sizeof(buf));
        size_t len = (size_t)n;
        tc_media_srtp_protect(tx_wrong, buf, &len); /* wrong key */
        sendto(dev, buf, len, 0, (struct sockaddr *)&relay_addr,
               sizeof(relay_addr));
        len = (size_t)n - 2; /* one sample short: lead-count mismatch */
        tc_media_ecg_rtp_write(&fmt, (uint64_t)n_pkts + 6, false, src->samples,
                               FPP, buf, sizeof(buf));
        tc_media_srtp_protect(tx, buf, &len);
        sendto(dev, buf, len, 0, (struct sockaddr *)&relay_addr,
               sizeof(relay_addr));
        tc_media_ecg_rtp_write(&fmt, (uint64_t)n_pkts + 7, false, src->samples,
                               FPP, buf, sizeof(buf));
        buf[7] ^= 0x40; /* timestamp jump */
        len = (size_t)n;
        tc_media_srtp_protect(tx, buf, &len);
        sendto(dev, buf, len, 0, (struct sockaddr *)&relay_addr,
               sizeof(relay_addr));
        buf[8] ^= 0xff; /* unknown SSRC */
        sendto(dev, buf, len, 0, (struct sockaddr *)&relay_addr,
               sizeof(relay_addr));
    }
    ecg_test_spin(100);
    drain(&rx);
    drain(&late);
    tc_media_ecg_stream_stats(s, &st);
    TC_CHECK_EQ(st.received, n_pkts + 4);
    TC_CHECK_EQ(st.accepted, n_pkts);
    TC_CHECK_EQ(st.replayed, 1);
    TC_CHECK_EQ(st.auth_failed, 1);
    TC_CHECK_EQ(st.bad_payload, 1);
    TC_CHECK_EQ(st.bad_timing, 1);
    TC_CHECK_EQ(tc_media_ecg_relay_unknown(relay), 1);
    TC_CHECK_EQ(cb.packets, n_pkts);
    TC_CHECK(!cb.mismatch);
    TC_CHECK_EQ(rx.packets, n_pkts);
    TC_CHECK_EQ(rx.first_index, 0);
    TC_CHECK(!rx.mismatch);
    /* 2 s of history at 20 ms a packet when it subscribed after 600 */
    TC_CHECK_EQ(hist, 100);
    TC_CHECK_EQ(late.first_index, 601 - 100);
    TC_CHECK_EQ(late.packets, n_pkts - late.first_index);
    TC_CHECK(!late.mismatch);
    TC_CHECK_EQ(st.sent, rx.packets + late.packets);
    TC_CHECK_EQ(tc_media_ecg_stream_unsubscribe(s, late_id), 0);
    TC_CHECK_EQ(tc_media_ecg_stream_unsubscribe(s, late_id), -ENOENT);
    TC_CHECK_EQ(tc_media_ecg_stream_finish(s, src->n_frames), 0);
    tc_media_ecg_relay_free(relay);
    TC_REQUIRE(tc_media_wfdb_record_read(tmp_dir, "relayed", &back, err,
                                         sizeof(err)) == 0);
    TC_CHECK_EQ(back->n_frames, src->n_frames);
    TC_CHECK(memcmp(back->samples, src->samples,
                    (size_t)src->n_frames * LEADS * 2) == 0);
    for (unsigned l = 0; l < LEADS; l++) {
        TC_CHECK_EQ(back->header.signals[l].checksum,
                    src->header.signals[l].checksum);
    }
    tc_media_wfdb_record_free(back);
    tc_media_srtp_free(tx);
    tc_media_srtp_free(tx_wrong);
    tc_media_srtp_free(rx.srtp);
    tc_media_srtp_free(late.srtp);
    close(dev);
    close(rx.fd);
    close(late.fd);
}

/* Send packets [from, to) of the source and let the relay pass them on. */
static void
send_range(int dev, struct tc_media_srtp *tx,
           const struct sockaddr_in *relay_addr, int64_t from, int64_t to)
{
    uint8_t buf[TC_MEDIA_ECG_MAX_PACKET];

    for (int64_t k = from; k < to; k++) {
        size_t len = device_packet(tx, k, buf);
        sendto(dev, buf, len, 0, (const struct sockaddr *)relay_addr,
               sizeof(*relay_addr));
        if (k % 16 == 15) {
            ecg_test_spin(2);
        }
    }
    ecg_test_spin(50);
}

/* Subscribers come and go in any order: each one still gets exactly the
 * packets sent while it was subscribed, under its own key, and the 64
 * places are reused. */
static void
test_relay_subscribers_come_and_go(void)
{
    uint8_t dev_key[30], keys[3][30], more_key[30];
    struct tc_media_srtp *tx = NULL;
    struct tc_media_ecg_relay *relay = NULL;
    struct tc_media_ecg_stream *s = NULL;
    struct receiver rx[3] = {0};
    struct sockaddr_in relay_addr, dev_addr, addr[3], spare_addr;
    int dev, spare, ids[3], more[64], n_more = 0, id;

    for (int i = 0; i < 30; i++) {
        dev_key[i] = (uint8_t)(i + 9);
        more_key[i] = (uint8_t)(i * 11);
        for (int r = 0; r < 3; r++) {
            keys[r][i] = (uint8_t)(i * (r + 2) + r);
        }
    }
    struct tc_media_ecg_stream_params p = {
        .format = fmt,
        .profile = TC_MEDIA_SRTP_AEAD_AES_128_GCM,
        .key = dev_key,
        .history_ms = 100,
    };
    TC_REQUIRE(tc_media_ecg_relay_new("127.0.0.1", 0, &relay) == 0);
    TC_REQUIRE(tc_media_ecg_relay_stream_add(relay, &p, &s) == 0);
    memset(&relay_addr, 0, sizeof(relay_addr));
    relay_addr.sin_family = AF_INET;
    relay_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    relay_addr.sin_port = htons(tc_media_ecg_relay_port(relay));
    dev = ecg_test_udp_socket(&dev_addr, 0);
    spare = ecg_test_udp_socket(&spare_addr, 0);
    tc_media_srtp_new(TC_MEDIA_SRTP_AEAD_AES_128_GCM, dev_key, fmt.ssrc, &tx);
    for (int r = 0; r < 3; r++) {
        rx[r].fd = ecg_test_udp_socket(&addr[r], 0);
        tc_media_srtp_new(TC_MEDIA_SRTP_AEAD_AES_128_GCM, keys[r], fmt.ssrc,
                          &rx[r].srtp);
        TC_REQUIRE(tc_media_ecg_stream_subscribe(
                       s, TC_MEDIA_SRTP_AEAD_AES_128_GCM, keys[r], &addr[r],
                       sizeof(addr[r]), &ids[r]) == 0);
    }
    /* the receivers read as they go, as a subscriber does (150 unread
     * 628-byte packets fill a default socket buffer: on loopback a GSO
     * segment takes 1,460 bytes of it, a plain datagram 1,280) */
    send_range(dev, tx, &relay_addr, 0, 50);
    drain_all(rx, 3);
    /* the first one leaves: the last takes its place */
    TC_CHECK_EQ(tc_media_ecg_stream_unsubscribe(s, ids[0]), 0);
    send_range(dev, tx, &relay_addr, 50, 100);
    drain_all(rx, 3);
    TC_CHECK_EQ(tc_media_ecg_stream_unsubscribe(s, ids[2]), 0);
    TC_CHECK_EQ(tc_media_ecg_stream_unsubscribe(s, ids[2]), -ENOENT);
    send_range(dev, tx, &relay_addr, 100, 150);
    for (int r = 0; r < 3; r++) {
        drain(&rx[r]);
        TC_CHECK_EQ(rx[r].first_index, 0);
        TC_CHECK(!rx[r].mismatch);
    }
    TC_CHECK_EQ(rx[0].packets, 50);
    TC_CHECK_EQ(rx[1].packets, 150);
    TC_CHECK_EQ(rx[2].packets, 100);
    /* 64 places: one taken by rx[1], 63 more, then none */
    for (n_more = 0; n_more < 63; n_more++) {
        if (tc_media_ecg_stream_subscribe(
                s, TC_MEDIA_SRTP_AEAD_AES_128_GCM, more_key, &spare_addr,
                sizeof(spare_addr), &more[n_more]) != 0) {
            break;
        }
    }
    TC_CHECK_EQ(n_more, 63);
    TC_CHECK_EQ(tc_media_ecg_stream_subscribe(
                    s, TC_MEDIA_SRTP_AEAD_AES_128_GCM, more_key, &spare_addr,
                    sizeof(spare_addr), &id),
                -ENOSPC);
    TC_CHECK_EQ(tc_media_ecg_stream_unsubscribe(s, more[10]), 0);
    TC_CHECK_EQ(tc_media_ecg_stream_subscribe(
                    s, TC_MEDIA_SRTP_AEAD_AES_128_GCM, more_key, &spare_addr,
                    sizeof(spare_addr), &id),
                0);
    tc_media_ecg_relay_free(relay);
    tc_media_srtp_free(tx);
    for (int r = 0; r < 3; r++) {
        tc_media_srtp_free(rx[r].srtp);
        close(rx[r].fd);
    }
    close(dev);
    close(spare);
}

/* A's packet callback removes stream B. */
struct remover {
    struct tc_media_ecg_stream *victim;
    int64_t packets;
};

static void
remove_other(void *data, int64_t index, const uint8_t *payload,
             unsigned frames)
{
    struct remover *rm = data;

    (void)index;
    (void)payload;
    (void)frames;
    rm->packets++;
    if (rm->victim) {
        tc_media_ecg_stream_remove(rm->victim);
        rm->victim = NULL;
    }
}

/* A stream removed by a callback while its packets wait in the same
 * receive batch: they are not handled under the freed stream (the relay
 * looks up its batch's streams before handling any packet) but counted
 * as of an unknown stream. */
static void
test_relay_stream_removed_within_a_batch(void)
{
    uint8_t key[30], buf[2][TC_MEDIA_ECG_MAX_PACKET];
    struct tc_media_ecg_format fmt_b = fmt;
    struct tc_media_srtp *tx_a = NULL, *tx_b = NULL;
    struct tc_media_ecg_relay *relay = NULL;
    struct tc_media_ecg_stream *a = NULL, *b = NULL;
    struct remover rm = {0};
    struct sockaddr_in relay_addr, dev_addr;
    int dev;
    size_t len[2];

    for (int i = 0; i < 30; i++) {
        key[i] = (uint8_t)(i * 7 + 1);
    }
    fmt_b.ssrc = fmt.ssrc + 1;
    struct tc_media_ecg_stream_params pa = {
        .format = fmt,
        .profile = TC_MEDIA_SRTP_AEAD_AES_128_GCM,
        .key = key,
        .packet = remove_other,
        .data = &rm,
    };
    struct tc_media_ecg_stream_params pb = pa;
    pb.format = fmt_b;
    pb.packet = NULL;
    pb.data = NULL;
    TC_REQUIRE(tc_media_ecg_relay_new("127.0.0.1", 0, &relay) == 0);
    TC_REQUIRE(tc_media_ecg_relay_stream_add(relay, &pa, &a) == 0);
    TC_REQUIRE(tc_media_ecg_relay_stream_add(relay, &pb, &b) == 0);
    rm.victim = b;
    memset(&relay_addr, 0, sizeof(relay_addr));
    relay_addr.sin_family = AF_INET;
    relay_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    relay_addr.sin_port = htons(tc_media_ecg_relay_port(relay));
    dev = ecg_test_udp_socket(&dev_addr, 0);
    tc_media_srtp_new(TC_MEDIA_SRTP_AEAD_AES_128_GCM, key, fmt.ssrc, &tx_a);
    tc_media_srtp_new(TC_MEDIA_SRTP_AEAD_AES_128_GCM, key, fmt_b.ssrc, &tx_b);
    len[0] = device_packet(tx_a, 0, buf[0]);
    len[1] = (size_t)tc_media_ecg_rtp_write(
        &fmt_b, 0, false, src->samples, FPP, buf[1], TC_MEDIA_ECG_MAX_PACKET);
    tc_media_srtp_protect(tx_b, buf[1], &len[1]);
    /* both queued before the relay reads: one batch */
    for (int k = 0; k < 2; k++) {
        sendto(dev, buf[k], len[k], 0, (const struct sockaddr *)&relay_addr,
               sizeof(relay_addr));
    }
    ecg_test_spin(50);
    TC_CHECK_EQ(rm.packets, 1);
    TC_CHECK(rm.victim == NULL);
    TC_CHECK_EQ(tc_media_ecg_relay_unknown(relay), 1);
    tc_media_ecg_relay_free(relay);
    tc_media_srtp_free(tx_a);
    tc_media_srtp_free(tx_b);
    close(dev);
}

int
main(void)
{
    const char *shared = getenv("TC_SHARED_DATA");
    char err[200], cmd[4200];

    snprintf(data_dir, sizeof(data_dir), "%s/ecg",
             shared ? shared : "../shared/data");
    if (!mkdtemp(tmp_dir) ||
        tc_media_wfdb_record_read(data_dir, "s0010_re", &src, err,
                                  sizeof(err)) != 0) {
        printf("Bail out! %s\n", err);
        return 1;
    }
    TC_RUN(test_relay_archives_forwards_and_counts_refusals);
    TC_RUN(test_relay_subscribers_come_and_go);
    TC_RUN(test_relay_stream_removed_within_a_batch);
    tc_media_wfdb_record_free(src);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp_dir);
    if (system(cmd) != 0) {
        printf("# could not remove %s\n", tmp_dir);
    }
    return tc_done();
}
