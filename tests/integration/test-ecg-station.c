// SPDX-License-Identifier: Apache-2.0
/*
 * test-ecg-station.c - a reading station that watches several live ECG
 * streams on ONE UDP socket, through the real telecare-server, with the
 * relay's UDP GSO on (the default) and off (`[ecg] udp_gso = false`).
 *
 * Three SDK devices (huang.xiaoyan, HK-ECG-01) stream synthetic records
 * of 12, 12 and 3 leads (268, 268 and 88-byte packets, the last packet of
 * each shorter) at 20x real time. The station is a raw signaling client
 * (sun.lihua, the assigned reader) that sends `ecg-subscribe` for each
 * stream with the same `port`, as a station or central monitor does, and
 * reads SRTP with the keys of the answers. Checked: every packet of each
 * stream arrives exactly once, in order, as one datagram that
 * unprotects under that stream's key, with exactly the samples pushed;
 * and /metrics shows whether the relay's sends went out in GSO sends
 * (on: some; off: none). Then the same three streams watched through the
 * C SDK (tc_sdk_ecg_subscribe): one port for all three, every frame once
 * and equal, and some packets read several at a time (UDP_GRO); a second
 * subscription to one of them gets a port of its own and may free itself
 * from its samples callback.
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
#include <jansson.h>
#include <srtp2/srtp.h>

#include "ecg-demo.h"
#include "sig-util.h"
#include "tc-client.h"
#include "tc-media.h"
#include "tc-records.h"
#include "tc-test.h"
#include "ws-raw.h"

#define N_STREAMS 3
#define RATE      500
#define FPP       10
#define N_FRAMES  3004 /* 300 full packets and one of 4 frames */
#define N_PKTS    ((N_FRAMES + FPP - 1) / FPP)
#define LATE      (N_STREAMS - 1) /* the SDK station subscribes to it late */
#define SPEED     20.0

static const unsigned leads_of[N_STREAMS] = {12, 12, 3};

struct dev {
    struct tpeer *peer;
    struct tc_sdk_ecg_stream *stream;
    int16_t *frames;
    bool ready, stopped;
    int ready_err, stop_err;
};

struct got {
    uint32_t ssrc;
    uint16_t first_seq;
    /* libsrtp2 itself, as a station would; initialised by the SDK (the
     * devices' announce comes first: libsrtp2 takes srtp_init once) */
    srtp_t srtp;
    struct tc_media_ecg_format fmt;
    int64_t next, packets;
    bool gap, bad_samples;
};

static struct sig_fixture fx;
static int64_t patient, reader;

static int16_t
sample(unsigned k, int64_t frame, unsigned lead)
{
    return (int16_t)(k * 5003 + frame * 17 + lead * 311 - 12000);
}

static void
on_ready(struct tc_sdk_ecg_stream *s, int error, const char *msg, void *data)
{
    struct dev *d = data;

    d->ready = true;
    d->ready_err = error;
    if (error) {
        printf("# announce refused: %s\n", msg ? msg : "?");
    }
}

static void
on_stopped(struct tc_sdk_ecg_stream *s, int error, const char *json,
           void *data)
{
    struct dev *d = data;

    d->stopped = true;
    d->stop_err = error;
}

static int
ids(void)
{
    return ecg_demo_ids(fx.data_dir, &patient, &reader);
}

static int
announce(struct dev *d, unsigned k)
{
    const char *names[] = {"I",  "II", "III", "aVR", "aVL", "aVF",
                           "V1", "V2", "V3",  "V4",  "V5",  "V6"};
    double gains[12];
    int bases[12] = {0}, zeros[12] = {0};
    struct tc_sdk_ecg_stream_callbacks cb = {on_ready, on_stopped};

    for (int l = 0; l < 12; l++) {
        gains[l] = 200;
    }
    struct tc_sdk_ecg_announce a = {
        .patient = patient,
        .device = "HK-ECG-01",
        .desc = {.n_leads = leads_of[k],
                 .frames_per_packet = FPP,
                 .leads = names,
                 .sample_rate_hz = RATE,
                 .gains = gains,
                 .baselines = bases,
                 .adc_zeros = zeros,
                 .adc_resolution_bits = 16},
        .reader = reader,
        .speed = SPEED,
    };
    d->frames = g_new(int16_t, (gsize)N_FRAMES * leads_of[k]);
    for (int64_t t = 0; t < N_FRAMES; t++) {
        for (unsigned l = 0; l < leads_of[k]; l++) {
            d->frames[t * leads_of[k] + l] = sample(k, t, l);
        }
    }
    d->peer = tpeer_new(&fx, "huang.xiaoyan", 0);
    if (!d->peer ||
        tc_sdk_ecg_stream_announce(d->peer->c, &a, &cb, d, &d->stream) < 0) {
        return -1;
    }
    for (int waited = 0; !d->ready && waited < 5000; waited += 10) {
        sig_spin(10);
    }
    return d->ready && d->ready_err == 0 ? 0 : -1;
}

/* ecg-subscribe over SRTP to `port`; the answer's SSRC, key and format. */
static int
subscribe(struct ws_raw *w, const char *stream, uint16_t port, unsigned k,
          struct got *g)
{
    g_autofree char *id = g_strdup_printf("sub-%u", k);
    g_autofree char *text = g_strdup_printf(
        "{\"type\":\"ecg-subscribe\",\"id\":\"%s\",\"stream\":\"%s\","
        "\"transport\":\"srtp\",\"port\":%u}",
        id, stream, port);
    const char *prof;
    srtp_policy_t policy;
    g_autofree guchar *key = NULL;
    const char *key_b64;
    gsize key_len = 0;
    json_t *ok;
    int rc = -1;

    if (ws_raw_send_text(w, text) < 0 ||
        !(ok = ws_raw_expect(w, "ok", id, 5000))) {
        return -1;
    }
    g->ssrc = (uint32_t)json_integer_value(json_object_get(ok, "ssrc"));
    g->first_seq =
        (uint16_t)json_integer_value(json_object_get(ok, "first_seq"));
    g->fmt = (struct tc_media_ecg_format){
        .n_leads = leads_of[k],
        .sample_rate_hz = RATE,
        .frames_per_packet = FPP,
        .payload_type =
            (uint8_t)json_integer_value(json_object_get(ok, "payload_type")),
        .ssrc = g->ssrc,
        .first_seq = g->first_seq,
        .first_timestamp = (uint32_t)json_integer_value(
            json_object_get(ok, "first_timestamp")),
    };
    key_b64 = json_string_value(json_object_get(ok, "key"));
    key = g_base64_decode(key_b64 ? key_b64 : "", &key_len);
    prof = json_string_value(json_object_get(ok, "profile"));
    memset(&policy, 0, sizeof(policy));
    if (g_strcmp0(prof, "AEAD_AES_128_GCM") == 0 && key_len == 28) {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else if (g_strcmp0(prof, "AES_CM_128_HMAC_SHA1_80") == 0 &&
               key_len == 30) {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    } else {
        json_decref(ok);
        return -1;
    }
    policy.ssrc.type = ssrc_specific;
    policy.ssrc.value = g->ssrc;
    policy.key = key;
    policy.window_size = 128;
    if (srtp_create(&g->srtp, &policy) == srtp_err_status_ok) {
        rc = 0;
    }
    json_decref(ok);
    return rc;
}

static int junk;

/* Read the station's socket: each datagram one packet of a stream. */
static void
drain(int fd, struct got *got)
{
    uint8_t buf[TC_MEDIA_ECG_MAX_PACKET + 1];
    ssize_t n;

    while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
        uint32_t ssrc = n < 12 ? 0
                               : (uint32_t)buf[8] << 24 | buf[9] << 16 |
                                     buf[10] << 8 | buf[11];
        struct tc_media_ecg_packet p;
        int len = (int)n;
        struct got *g = NULL;
        int64_t index;
        unsigned k;

        for (k = 0; k < N_STREAMS; k++) {
            if (got[k].srtp && got[k].ssrc == ssrc) {
                g = &got[k];
                break;
            }
        }
        if (!g || srtp_unprotect(g->srtp, buf, &len) != srtp_err_status_ok ||
            tc_media_ecg_rtp_parse(&g->fmt, buf, (size_t)len, &p) < 0) {
            junk++;
            continue;
        }
        index = (uint16_t)(p.seq - g->first_seq);
        if (index != g->next ||
            p.frames != (index == N_PKTS - 1 ? N_FRAMES % FPP : FPP)) {
            g->gap = true;
        }
        for (unsigned f = 0; f < p.frames; f++) {
            for (unsigned l = 0; l < leads_of[k]; l++) {
                size_t at = 2 * ((size_t)f * leads_of[k] + l);
                int16_t v = (int16_t)(p.payload[at] << 8 | p.payload[at + 1]);
                if (v != sample(k, index * FPP + f, l)) {
                    g->bad_samples = true;
                }
            }
        }
        g->next = index + 1;
        g->packets++;
    }
}

static void
station_watches_three_streams(bool gso)
{
    struct dev devs[N_STREAMS] = {0};
    struct got got[N_STREAMS] = {0};
    struct ws_raw w = {0};
    struct sockaddr_in addr = {.sin_family = AF_INET};
    socklen_t addr_len = sizeof(addr);
    g_autofree char *token = NULL;
    json_t *welcome;
    int fd, buf = 8 << 20;
    double segs, datagrams;
    bool all_stopped = false;

    TC_REQUIRE(
        sig_fixture_start(&fx, gso ? NULL : "[ecg]\nudp_gso = false\n") == 0);
    TC_REQUIRE(ids() == 0);
    junk = 0;
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    TC_REQUIRE(bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0);
    getsockname(fd, (struct sockaddr *)&addr, &addr_len);
    token = sig_token(&fx, "sun.lihua");
    TC_REQUIRE(token);
    TC_REQUIRE(ws_raw_open(&w, fx.h.port, "telecare.v1", 0) == 0);
    welcome = ws_raw_hello(&w, token);
    TC_REQUIRE(welcome);
    json_decref(welcome);
    for (unsigned k = 0; k < N_STREAMS; k++) {
        TC_REQUIRE(announce(&devs[k], k) == 0);
        TC_REQUIRE(subscribe(&w, tc_sdk_ecg_stream_name(devs[k].stream),
                             ntohs(addr.sin_port), k, &got[k]) == 0);
    }
    /* all three at once: the relay reads their packets in the same
     * batches, and the station's come out as runs to one address */
    for (unsigned k = 0; k < N_STREAMS; k++) {
        tc_sdk_ecg_stream_push(devs[k].stream, devs[k].frames, N_FRAMES);
        tc_sdk_ecg_stream_stop(devs[k].stream);
    }
    for (int waited = 0; !all_stopped && waited < 30000; waited += 5) {
        sig_spin(5);
        drain(fd, got);
        all_stopped = true;
        for (unsigned k = 0; k < N_STREAMS; k++) {
            all_stopped = all_stopped && devs[k].stopped;
        }
    }
    for (int i = 0; i < 60; i++) { /* the last packets; /metrics (1 s) */
        sig_spin(25);
        drain(fd, got);
    }
    TC_CHECK(all_stopped);
    for (unsigned k = 0; k < N_STREAMS; k++) {
        TC_CHECK_EQ(devs[k].stop_err, 0);
        TC_CHECK_EQ(got[k].packets, N_PKTS);
        TC_CHECK_EQ(got[k].next, N_PKTS);
        TC_CHECK(!got[k].gap);
        TC_CHECK(!got[k].bad_samples);
    }
    TC_CHECK_EQ(junk, 0);
    datagrams = sig_metric(&fx, "telecare_ecg_relay_datagrams");
    segs = sig_metric(&fx, "telecare_ecg_relay_gso_segments");
    printf("# GSO %s: %.0f packets sent, %.0f of them in GSO sends\n",
           gso ? "on" : "off", datagrams, segs);
    TC_CHECK(datagrams == N_STREAMS * N_PKTS);
    TC_CHECK(sig_metric(&fx, "telecare_ecg_relay_gso") == (gso ? 1 : 0));
    if (gso) {
        TC_CHECK(segs > 0);
    } else {
        TC_CHECK(segs == 0);
    }
    for (unsigned k = 0; k < N_STREAMS; k++) {
        tc_sdk_ecg_stream_free(devs[k].stream);
        if (devs[k].peer) {
            tpeer_free(devs[k].peer);
        }
        g_free(devs[k].frames);
        if (got[k].srtp) {
            srtp_dealloc(got[k].srtp);
        }
    }
    ws_raw_fini(&w);
    close(fd);
    sig_fixture_fini(&fx);
}

static void
test_station_on_one_socket_with_gso(void)
{
    station_watches_three_streams(true);
}

static void
test_station_on_one_socket_without_gso(void)
{
    station_watches_three_streams(false);
}

/* ---- the same, watched through the SDK ---- */

struct sdk_got {
    unsigned k;
    struct tc_sdk_ecg_sub *sub;
    bool ready;
    int err;
    uint8_t *count; /* per frame */
    bool bad_samples;
};

static void
on_sdk_ready(struct tc_sdk_ecg_sub *s, int error, const char *json, void *data)
{
    struct sdk_got *g = data;

    g->ready = true;
    g->err = error;
}

static void
on_sdk_samples(struct tc_sdk_ecg_sub *s, const struct tc_sdk_ecg_samples *x,
               void *data)
{
    struct sdk_got *g = data;

    if (x->n_leads != leads_of[g->k] || x->first_frame < 0 ||
        x->first_frame + x->frames > N_FRAMES) {
        g->bad_samples = true;
        return;
    }
    for (unsigned f = 0; f < x->frames; f++) {
        int64_t t = x->first_frame + f;
        g->count[t]++;
        for (unsigned l = 0; l < x->n_leads; l++) {
            if (x->samples[f * x->n_leads + l] != sample(g->k, t, l)) {
                g->bad_samples = true;
            }
        }
    }
}

/* A second subscription to stream 0 (a socket of its own) that frees
 * itself from its first samples callback. */
struct quitter {
    struct tc_sdk_ecg_sub *sub;
    bool ready;
    int calls;
};

static void
on_quitter_ready(struct tc_sdk_ecg_sub *s, int error, const char *json,
                 void *data)
{
    struct quitter *q = data;

    q->ready = error == 0;
}

static void
on_quitter_samples(struct tc_sdk_ecg_sub *s,
                   const struct tc_sdk_ecg_samples *x, void *data)
{
    struct quitter *q = data;

    q->calls++;
    tc_sdk_ecg_sub_free(s);
    q->sub = NULL;
}

static void
test_sdk_station_on_one_port(void)
{
    static const struct tc_sdk_ecg_sub_callbacks qcb = {
        on_quitter_ready, on_quitter_samples, NULL};
    struct quitter quit = {0};
    static const struct tc_sdk_ecg_sub_callbacks cb = {on_sdk_ready,
                                                       on_sdk_samples, NULL};
    struct dev devs[N_STREAMS] = {0};
    struct sdk_got got[N_STREAMS] = {0};
    struct tpeer *station;
    bool done = false;
    uint64_t coalesced = 0;

    TC_REQUIRE(sig_fixture_start(&fx, NULL) == 0);
    TC_REQUIRE(ids() == 0);
    station = tpeer_new(&fx, "sun.lihua", 0);
    TC_REQUIRE(station);
    for (unsigned k = 0; k < N_STREAMS; k++) {
        got[k].k = k;
        got[k].count = g_new0(uint8_t, N_FRAMES);
        TC_REQUIRE(announce(&devs[k], k) == 0);
        if (k == LATE) {
            /* half of it sent before the station subscribes: its history
             * reaches the shared port as the relay subscribes it, before
             * the answer with the keys */
            tc_sdk_ecg_stream_push(devs[k].stream, devs[k].frames,
                                   N_FRAMES / 2);
            for (int waited = 0;
                 tc_sdk_ecg_stream_sent(devs[k].stream) < N_FRAMES / 2 / FPP &&
                 waited < 10000;
                 waited += 5) {
                sig_spin(5);
            }
        }
        /* for it, the history overtakes the answer: read first */
        tc_sdk_ecg_test_udp_first(station->c, k == LATE);
        TC_REQUIRE(tc_sdk_ecg_subscribe(
                       station->c, tc_sdk_ecg_stream_name(devs[k].stream),
                       false, &cb, &got[k], &got[k].sub) == 0);
        for (int waited = 0; !got[k].ready && waited < 5000; waited += 10) {
            sig_spin(10);
        }
        TC_REQUIRE(got[k].ready && got[k].err == 0);
    }
    tc_sdk_ecg_test_udp_first(station->c, false);
    TC_REQUIRE(tc_sdk_ecg_subscribe(station->c,
                                    tc_sdk_ecg_stream_name(devs[0].stream),
                                    false, &qcb, &quit, &quit.sub) == 0);
    for (int waited = 0; !quit.ready && waited < 5000; waited += 10) {
        sig_spin(10);
    }
    TC_REQUIRE(quit.ready);
    TC_CHECK(tc_sdk_ecg_sub_port(quit.sub) != tc_sdk_ecg_sub_port(got[0].sub));
    for (unsigned k = 0; k < N_STREAMS; k++) {
        int64_t from = k == LATE ? N_FRAMES / 2 : 0;
        tc_sdk_ecg_stream_push(devs[k].stream,
                               devs[k].frames + from * leads_of[k],
                               (size_t)(N_FRAMES - from));
        tc_sdk_ecg_stream_stop(devs[k].stream);
    }
    for (int waited = 0; !done && waited < 30000; waited += 5) {
        sig_spin(5);
        done = true;
        for (unsigned k = 0; k < N_STREAMS; k++) {
            done = done && devs[k].stopped && got[k].count[N_FRAMES - 1];
        }
    }
    sig_spin(300); /* anything that would arrive twice */
    TC_CHECK(done);
    for (unsigned k = 0; k < N_STREAMS; k++) {
        int64_t wrong = 0;
        for (int64_t t = 0; t < N_FRAMES; t++) {
            wrong += got[k].count[t] != 1;
        }
        TC_CHECK_EQ(wrong, 0);
        TC_CHECK(!got[k].bad_samples);
        TC_CHECK_EQ(tc_sdk_ecg_sub_refused(got[k].sub), 0);
        TC_CHECK(tc_sdk_ecg_sub_port(got[k].sub) != 0);
        TC_CHECK_EQ(tc_sdk_ecg_sub_port(got[k].sub),
                    tc_sdk_ecg_sub_port(got[0].sub));
        coalesced += tc_sdk_ecg_sub_coalesced(got[k].sub);
    }
    printf("# SDK station: port %u for all, %" G_GUINT64_FORMAT
           " packets read several at a time\n",
           tc_sdk_ecg_sub_port(got[0].sub), coalesced);
    TC_CHECK(coalesced > 0);
    TC_CHECK_EQ(quit.calls, 1); /* nothing after it freed itself */
    TC_CHECK(quit.sub == NULL);
    for (unsigned k = 0; k < N_STREAMS; k++) {
        tc_sdk_ecg_sub_free(got[k].sub);
        g_free(got[k].count);
        tc_sdk_ecg_stream_free(devs[k].stream);
        if (devs[k].peer) {
            tpeer_free(devs[k].peer);
        }
        g_free(devs[k].frames);
    }
    tpeer_free(station);
    sig_fixture_fini(&fx);
}

int
main(void)
{
    TC_RUN(test_station_on_one_socket_with_gso);
    TC_RUN(test_station_on_one_socket_without_gso);
    TC_RUN(test_sdk_station_on_one_port);
    return tc_done();
}
