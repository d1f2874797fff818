// SPDX-License-Identifier: Apache-2.0
/*
 * test-ecg-gso.c - the ECG relay's sends with UDP GSO on and off, over
 * real UDP on loopback: one raw subscriber socket takes four streams of
 * three packet lengths (a reading station), a second takes two of them,
 * a late one takes a stream's history (runs of 64 to one address). Each
 * socket must get every packet of each of its streams exactly once, in
 * order, as one datagram each (a wrongly cut or merged GSO send does not
 * unprotect, a dropped segment leaves a gap), the short last packet of
 * each stream included; the per-stream counts must be exact. With GSO on
 * the relay must have sent runs as GSO sends, with it off none. When the
 * kernel refuses GSO (SO_NO_CHECK on the relay's socket: EINVAL) the
 * relay sends the same packets one by one and, since GSO never worked,
 * turns it off; refused after it worked, it sends that batch again one
 * by one and keeps GSO.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "ecg-test-util.h"
#include "media-int.h"
#include "tc-media.h"
#include "tc-test.h"

#define N_STREAMS 4
#define FPP       10
#define N_PKTS    120 /* per stream; the last one short */
#define LAST_FPP  4
#define PROFILE   TC_MEDIA_SRTP_AEAD_AES_128_GCM

/* 268, 268, 88 and 328 bytes a packet (12 + samples + 16 of tag) */
static const unsigned leads_of[N_STREAMS] = {12, 12, 3, 15};

struct rx_stream {
    struct tc_media_srtp *srtp; /* NULL: not subscribed here */
    int64_t next, packets;
    bool gap, bad_samples;
};

struct rx_sock {
    int fd;
    struct sockaddr_in addr;
    struct rx_stream s[N_STREAMS];
    int64_t junk; /* no stream's, or not one SRTP packet */
};

struct dev {
    struct tc_media_ecg_format fmt;
    struct tc_media_srtp *srtp;
    struct tc_media_ecg_stream *stream;
};

static struct sockaddr_in relay_addr;

static void
key_for(uint8_t *key, unsigned stream, unsigned who)
{
    for (int i = 0; i < TC_MEDIA_SRTP_MAX_KEY; i++) {
        key[i] = (uint8_t)(stream * 31 + who * 101 + (unsigned)i * 7);
    }
}

static int16_t
sample(unsigned stream, int64_t frame, unsigned lead)
{
    return (int16_t)(stream * 4099 + frame * 31 + lead * 7 - 16000);
}

static unsigned
frames_of(int64_t index)
{
    return index == N_PKTS - 1 ? LAST_FPP : FPP;
}

static void
drain(struct rx_sock *rx)
{
    uint8_t buf[TC_MEDIA_ECG_MAX_PACKET + 1];
    struct tc_media_ecg_packet p;
    ssize_t n;

    while ((n = recv(rx->fd, buf, sizeof(buf), 0)) > 0) {
        uint32_t ssrc =
            (uint32_t)buf[8] << 24 | buf[9] << 16 | buf[10] << 8 | buf[11];
        unsigned k = ssrc - 0x7e570000u;
        size_t len = (size_t)n;
        struct rx_stream *s;
        int64_t index;

        if (n < 12 || k >= N_STREAMS || !rx->s[k].srtp) {
            rx->junk++;
            continue;
        }
        s = &rx->s[k];
        struct tc_media_ecg_format fmt = {
            .n_leads = leads_of[k],
            .sample_rate_hz = 500,
            .frames_per_packet = FPP,
            .payload_type = 96,
            .ssrc = ssrc,
        };
        if (tc_media_srtp_unprotect(s->srtp, buf, &len) < 0 ||
            tc_media_ecg_rtp_parse(&fmt, buf, len, &p) < 0) {
            rx->junk++;
            continue;
        }
        index = p.seq; /* first_seq 0 */
        if (s->packets == 0) {
            s->next = index;
        }
        if (index != s->next || p.frames != frames_of(index)) {
            s->gap = true;
        }
        for (unsigned f = 0; f < p.frames; f++) {
            for (unsigned l = 0; l < leads_of[k]; l++) {
                size_t at = 2 * ((size_t)f * leads_of[k] + l);
                int16_t v = (int16_t)(p.payload[at] << 8 | p.payload[at + 1]);
                if (v != sample(k, index * FPP + f, l)) {
                    s->bad_samples = true;
                }
            }
        }
        s->next = index + 1;
        s->packets++;
    }
}

static void
send_packet(int fd, struct dev *d, unsigned k, int64_t index)
{
    int16_t samples[FPP * TC_MEDIA_ECG_MAX_LEADS];
    uint8_t buf[TC_MEDIA_ECG_MAX_PACKET];
    unsigned frames = frames_of(index);
    size_t len;
    int n;

    for (unsigned f = 0; f < frames; f++) {
        for (unsigned l = 0; l < leads_of[k]; l++) {
            samples[f * leads_of[k] + l] = sample(k, index * FPP + f, l);
        }
    }
    n = tc_media_ecg_rtp_write(&d->fmt, (uint64_t)index, frames < FPP, samples,
                               frames, buf, sizeof(buf));
    TC_REQUIRE(n > 0);
    len = (size_t)n;
    TC_REQUIRE(tc_media_srtp_protect(d->srtp, buf, &len) == 0);
    sendto(fd, buf, len, 0, (struct sockaddr *)&relay_addr,
           sizeof(relay_addr));
}

/* Packets [from, to) of streams [first, last], interleaved, in bursts of
 * 16 per stream (so that the relay reads full batches); the receivers
 * read as they go. */
static void
send_bursts(int fd, struct dev *devs, unsigned first, unsigned last,
            int64_t from, int64_t to, struct rx_sock *rx, int n_rx)
{
    for (int64_t i = from; i < to; i++) {
        for (unsigned k = first; k <= last; k++) {
            send_packet(fd, &devs[k], k, i);
        }
        if (i % 16 == 15 || i == to - 1) {
            ecg_test_spin(3);
            for (int r = 0; r < n_rx; r++) {
                drain(&rx[r]);
            }
        }
    }
    ecg_test_spin(30);
    for (int r = 0; r < n_rx; r++) {
        drain(&rx[r]);
    }
}

static void
subscribe(struct dev *d, unsigned k, struct rx_sock *rx, unsigned who)
{
    uint8_t key[TC_MEDIA_SRTP_MAX_KEY];
    int id;

    key_for(key, k, who);
    TC_REQUIRE(tc_media_srtp_new(PROFILE, key, d->fmt.ssrc, &rx->s[k].srtp) ==
               0);
    TC_REQUIRE(tc_media_ecg_stream_subscribe(d->stream, PROFILE, key,
                                             &rx->addr, sizeof(rx->addr),
                                             &id) == 0);
}

/* Every packet [from, N_PKTS) of stream k, once, in order, exact. */
static void
check_got_all(const struct rx_sock *rx, unsigned k, int64_t from)
{
    const struct rx_stream *s = &rx->s[k];

    TC_CHECK_EQ(s->packets, N_PKTS - from);
    TC_CHECK_EQ(s->next, N_PKTS);
    TC_CHECK(!s->gap);
    TC_CHECK(!s->bad_samples);
}

static void
devs_open(struct tc_media_ecg_relay *relay, struct dev *devs)
{
    for (unsigned k = 0; k < N_STREAMS; k++) {
        uint8_t key[TC_MEDIA_SRTP_MAX_KEY];
        struct dev *d = &devs[k];

        d->fmt = (struct tc_media_ecg_format){
            .n_leads = leads_of[k],
            .sample_rate_hz = 500,
            .frames_per_packet = FPP,
            .payload_type = 96,
            .ssrc = 0x7e570000u + k,
        };
        key_for(key, k, 0);
        struct tc_media_ecg_stream_params p = {
            .format = d->fmt,
            .profile = PROFILE,
            .key = key,
        };
        TC_REQUIRE(tc_media_srtp_new(PROFILE, key, d->fmt.ssrc, &d->srtp) ==
                   0);
        TC_REQUIRE(tc_media_ecg_relay_stream_add(relay, &p, &d->stream) == 0);
    }
}

static void
devs_close(struct dev *devs)
{
    for (unsigned k = 0; k < N_STREAMS; k++) {
        tc_media_srtp_free(devs[k].srtp);
    }
}

static void
rx_close(struct rx_sock *rx)
{
    for (unsigned k = 0; k < N_STREAMS; k++) {
        tc_media_srtp_free(rx->s[k].srtp);
    }
    close(rx->fd);
}

static void
relay_open(struct tc_media_ecg_relay **relay)
{
    TC_REQUIRE(tc_media_ecg_relay_new("127.0.0.1", 0, relay) == 0);
    memset(&relay_addr, 0, sizeof(relay_addr));
    relay_addr.sin_family = AF_INET;
    relay_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    relay_addr.sin_port = htons(tc_media_ecg_relay_port(*relay));
}

/*
 * Station (all four streams), monitor (streams 0 and 2), late (stream 1,
 * from packet 100 on: 100 packets of history, then live).
 */
static void
station_monitor_late(bool gso)
{
    struct tc_media_ecg_relay *relay = NULL;
    struct tc_media_ecg_relay_tx_stats tx;
    struct dev devs[N_STREAMS] = {0};
    struct rx_sock rx[3] = {0}; /* station, monitor, late */
    struct sockaddr_in dev_addr;
    int dev;
    uint64_t want_sent = 0;

    relay_open(&relay);
    TC_CHECK_EQ(tc_media_ecg_relay_set_gso(relay, gso), 0);
    devs_open(relay, devs);
    dev = ecg_test_udp_socket(&dev_addr, 4 << 20);
    for (int r = 0; r < 3; r++) {
        rx[r].fd = ecg_test_udp_socket(&rx[r].addr, 4 << 20);
    }
    for (unsigned k = 0; k < N_STREAMS; k++) {
        subscribe(&devs[k], k, &rx[0], 1);
    }
    subscribe(&devs[0], 0, &rx[1], 2);
    subscribe(&devs[2], 2, &rx[1], 2);
    /* streams 0 and 1 alone (one length: long runs), then all four
     * (three lengths interleaved: a run ends at a longer packet and
     * takes a shorter one last) */
    send_bursts(dev, devs, 0, 1, 0, 48, rx, 2);
    for (unsigned k = 2; k < N_STREAMS; k++) { /* catch up to 48 */
        send_bursts(dev, devs, k, k, 0, 48, rx, 2);
    }
    send_bursts(dev, devs, 0, N_STREAMS - 1, 48, 100, rx, 2);
    /* the late one: 100 packets of history, in batches of 64 */
    subscribe(&devs[1], 1, &rx[2], 3);
    ecg_test_spin(30);
    drain(&rx[2]);
    send_bursts(dev, devs, 0, N_STREAMS - 1, 100, N_PKTS, rx, 3);

    for (unsigned k = 0; k < N_STREAMS; k++) {
        struct tc_media_ecg_stream_stats st;
        uint64_t subs = 1 + (k == 0 || k == 2) + (k == 1);
        check_got_all(&rx[0], k, 0);
        tc_media_ecg_stream_stats(devs[k].stream, &st);
        TC_CHECK_EQ(st.accepted, N_PKTS);
        TC_CHECK_EQ(st.sent, subs * N_PKTS);
        TC_CHECK_EQ(st.send_failed, 0);
        want_sent += subs * N_PKTS;
    }
    check_got_all(&rx[1], 0, 0);
    check_got_all(&rx[1], 2, 0);
    check_got_all(&rx[2], 1, 0);
    TC_CHECK_EQ(rx[1].s[1].packets + rx[1].s[3].packets, 0);
    for (int r = 0; r < 3; r++) {
        TC_CHECK_EQ(rx[r].junk, 0);
    }
    tc_media_ecg_relay_tx_stats(relay, &tx);
    TC_CHECK_EQ(tx.datagrams, want_sent);
    TC_CHECK_EQ(tx.gso, gso);
    TC_CHECK_EQ(tx.gso_refused, 0);
    if (gso) {
        /* runs went out whole: far fewer sends than packets */
        TC_CHECK(tx.gso_sends > 0);
        TC_CHECK(tx.gso_segments > want_sent / 2);
        TC_CHECK(tx.gso_segments > 2 * tx.gso_sends);
    } else {
        TC_CHECK_EQ(tx.gso_sends, 0);
        TC_CHECK_EQ(tx.gso_segments, 0);
    }
    printf("# gso %s: %llu packets in %llu sendmmsg calls, %llu of them in "
           "%llu GSO sends\n",
           gso ? "on" : "off", (unsigned long long)tx.datagrams,
           (unsigned long long)tx.send_calls,
           (unsigned long long)tx.gso_segments,
           (unsigned long long)tx.gso_sends);
    tc_media_ecg_relay_free(relay);
    devs_close(devs);
    for (int r = 0; r < 3; r++) {
        rx_close(&rx[r]);
    }
    close(dev);
}

static void
test_station_monitor_and_late_subscriber_with_gso(void)
{
    station_monitor_late(true);
}

static void
test_station_monitor_and_late_subscriber_without_gso(void)
{
    station_monitor_late(false);
}

/* The kernel refuses GSO on a socket with SO_NO_CHECK (EINVAL). */
static void
refuse_gso(struct tc_media_ecg_relay *relay)
{
    int one = 1;

    TC_REQUIRE(setsockopt(tc_media__ecg_relay_fd(relay), SOL_SOCKET,
                          SO_NO_CHECK, &one, sizeof(one)) == 0);
}

/* Streams 0 and 1 to one subscriber socket, as a station takes them. */
struct two {
    struct tc_media_ecg_relay *relay;
    struct dev devs[N_STREAMS];
    struct rx_sock rx;
    struct sockaddr_in dev_addr;
    int dev;
};

static void
two_open(struct two *t)
{
    memset(t, 0, sizeof(*t));
    relay_open(&t->relay);
    devs_open(t->relay, t->devs);
    t->dev = ecg_test_udp_socket(&t->dev_addr, 4 << 20);
    t->rx.fd = ecg_test_udp_socket(&t->rx.addr, 4 << 20);
    subscribe(&t->devs[0], 0, &t->rx, 1);
    subscribe(&t->devs[1], 1, &t->rx, 1);
}

/* Both streams arrived whole, nothing else; the relay's send figures. */
static void
two_check(struct two *t, struct tc_media_ecg_relay_tx_stats *tx)
{
    check_got_all(&t->rx, 0, 0);
    check_got_all(&t->rx, 1, 0);
    TC_CHECK_EQ(t->rx.junk, 0);
    tc_media_ecg_relay_tx_stats(t->relay, tx);
    TC_CHECK_EQ(tx->datagrams, 2 * N_PKTS);
}

static void
two_close(struct two *t)
{
    tc_media_ecg_relay_free(t->relay);
    devs_close(t->devs);
    rx_close(&t->rx);
    close(t->dev);
}

static void
test_kernel_refusing_gso_first_turns_it_off(void)
{
    struct tc_media_ecg_relay_tx_stats tx;
    struct two t;

    two_open(&t);
    refuse_gso(t.relay);
    send_bursts(t.dev, t.devs, 0, 1, 0, N_PKTS, &t.rx, 1);
    two_check(&t, &tx);
    TC_CHECK_EQ(tx.gso, false);
    TC_CHECK_EQ(tx.gso_refused, 1);
    TC_CHECK_EQ(tx.gso_sends, 0);
    two_close(&t);
}

static void
test_kernel_refusing_gso_later_resends_the_batch(void)
{
    struct tc_media_ecg_relay_tx_stats tx;
    struct tc_media_ecg_stream_stats st;
    struct two t;
    uint64_t gso_before;

    two_open(&t);
    send_bursts(t.dev, t.devs, 0, 1, 0, 60, &t.rx, 1);
    tc_media_ecg_relay_tx_stats(t.relay, &tx);
    gso_before = tx.gso_sends;
    TC_CHECK(gso_before > 0);
    refuse_gso(t.relay);
    send_bursts(t.dev, t.devs, 0, 1, 60, N_PKTS, &t.rx, 1);
    two_check(&t, &tx);
    TC_CHECK_EQ(tx.gso, true);
    TC_CHECK(tx.gso_refused > 0);
    TC_CHECK_EQ(tx.gso_sends, gso_before);
    tc_media_ecg_stream_stats(t.devs[0].stream, &st);
    TC_CHECK_EQ(st.sent, N_PKTS);
    TC_CHECK_EQ(st.send_failed, 0);
    two_close(&t);
}

int
main(void)
{
    TC_RUN(test_station_monitor_and_late_subscriber_with_gso);
    TC_RUN(test_station_monitor_and_late_subscriber_without_gso);
    TC_RUN(test_kernel_refusing_gso_first_turns_it_off);
    TC_RUN(test_kernel_refusing_gso_later_resends_the_batch);
    return tc_done();
}
