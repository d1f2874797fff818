// SPDX-License-Identifier: Apache-2.0
/*
 * test-sdk-ecg.c - the SDK's ECG subscriber on what the server and the
 * network send (client-sdk/ecg.c): answers to ecg-subscribe, packets on
 * the shared SRTP socket (through tc_sdk__ecg_rx, the socket read's
 * seam) and binary WebSocket frames. A client that never connects: a
 * `welcome` handed to it makes it READY.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <srtp2/srtp.h>

#include "client-int.h"
#include "tc-test.h"

/* AEAD_AES_128_GCM: 28 bytes 0x00..0x1b */
#define KEY_GCM "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw=="

struct got {
    int ready_calls, error;
    int samples_calls;
    unsigned frames;
};

static void
on_ready(struct tc_sdk_ecg_sub *s, int error, const char *json, void *data)
{
    struct got *g = data;

    g->ready_calls++;
    g->error = error;
}

static void
on_samples(struct tc_sdk_ecg_sub *s, const struct tc_sdk_ecg_samples *x,
           void *data)
{
    struct got *g = data;

    g->samples_calls++;
    g->frames += x->frames;
}

static const struct tc_sdk_ecg_sub_callbacks sub_cb = {
    .ready = on_ready,
    .samples = on_samples,
};

static void
message(struct tc_sdk_client *c, const char *text)
{
    tc_sdk__on_message(c, text, strlen(text));
}

static struct tc_sdk_client *
ready_client(GMainContext *ctx)
{
    struct tc_sdk_client_opts o = {
        .url = "ws://127.0.0.1:9/ws", .token = "t", .context = ctx};
    struct tc_sdk_client *c = NULL;

    if (tc_sdk_client_new(&o, NULL, NULL, &c) < 0) {
        return NULL;
    }
    message(c, "{\"type\":\"welcome\",\"peer\":\"p1\"}");
    return c;
}

/* The answer to ecg-subscribe `id` with a usable GCM key. */
static char *
answer_ok(int id, uint32_t ssrc)
{
    return g_strdup_printf(
        "{\"type\":\"ok\",\"id\":\"ecg-%d\",\"subscription\":%d,\"ssrc\":%u,"
        "\"first_seq\":1,\"first_timestamp\":0,\"payload_type\":96,"
        "\"profile\":\"AEAD_AES_128_GCM\",\"key\":\"" KEY_GCM "\","
        "\"description\":{\"leads\":[\"I\",\"II\"],\"frames_per_packet\":10}}",
        id, id, ssrc);
}

/* libsrtp initialised by another part of the process first (GStreamer's
 * srtp elements, the application): a second srtp_init() fails with
 * Debian's build, yet the SDK's subscription must still get its session. */
static void
test_srtp_already_initialised(void)
{
    g_autoptr(GMainContext) ctx = g_main_context_new();
    struct tc_sdk_client *c;
    struct tc_sdk_ecg_sub *s = NULL;
    struct got g = {0};
    g_autofree char *ok = answer_ok(1, 0x1234);

    TC_REQUIRE(srtp_init() == srtp_err_status_ok);
    c = ready_client(ctx);
    TC_REQUIRE(c);
    TC_REQUIRE(tc_sdk_ecg_subscribe(c, "ecg:1", false, &sub_cb, &g, &s) == 0);
    message(c, ok);
    TC_CHECK_EQ(g.ready_calls, 1);
    TC_CHECK_EQ(g.error, 0);
    tc_sdk_ecg_sub_free(s);
    tc_sdk_client_free(c);
}

/* Packets that came before the only waiting subscription's answer are
 * held for it; an answer it cannot use (a key of the wrong length) ends
 * the wait, and what was held for it goes too. */
static void
test_early_dropped_after_unusable_answer(void)
{
    g_autoptr(GMainContext) ctx = g_main_context_new();
    struct tc_sdk_client *c = ready_client(ctx);
    struct tc_sdk_ecg_sub *s = NULL;
    struct got g = {0};
    uint8_t pkt[64] = {0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0x12, 0x34};

    TC_REQUIRE(c);
    TC_REQUIRE(tc_sdk_ecg_subscribe(c, "ecg:1", false, &sub_cb, &g, &s) == 0);
    tc_sdk__ecg_rx(c, NULL, pkt, sizeof(pkt), 0);
    TC_CHECK_EQ(tc_sdk__ecg_early_bytes(c), 2 + sizeof(pkt));
    message(c, "{\"type\":\"ok\",\"id\":\"ecg-1\",\"ssrc\":4660,"
               "\"profile\":\"AEAD_AES_128_GCM\",\"key\":\"AAEC\","
               "\"description\":{\"leads\":[\"I\"],"
               "\"frames_per_packet\":10}}");
    TC_CHECK_EQ(g.ready_calls, 1);
    TC_CHECK_EQ(g.error, -EPROTO);
    TC_CHECK_EQ(tc_sdk__ecg_early_bytes(c), 0);
    tc_sdk_ecg_sub_free(s);
    tc_sdk_client_free(c);
}

/* One ECG frame (docs/ecg-rtp.md): study 3, 2 leads, 5 frames. */
static size_t
ws_frame(uint8_t *p)
{
    static const uint8_t head[20] = {1, 1, 0, 2, 0, 0, 0, 3, 0, 0,
                                     0, 0, 0, 0, 0, 0, 0, 0, 0, 5};

    memcpy(p, head, sizeof(head));
    memset(p + 20, 0x11, 2 * 2 * 5);
    return 20 + 2 * 2 * 5;
}

/* A binary message over 256 KiB is dropped whole: its last fragment, a
 * well-formed frame on its own, is not taken for a message. A frame
 * that says it holds no frames is not delivered either. */
static void
test_ws_oversize_dropped_whole(void)
{
    g_autoptr(GMainContext) ctx = g_main_context_new();
    struct tc_sdk_client *c = ready_client(ctx);
    struct tc_sdk_ecg_sub *s = NULL;
    struct got g = {0};
    g_autofree uint8_t *big = g_malloc0(200 * 1024);
    uint8_t frame[64];
    size_t n = ws_frame(frame);

    TC_REQUIRE(c);
    TC_REQUIRE(tc_sdk_ecg_subscribe(c, "ecg:3", true, &sub_cb, &g, &s) == 0);
    message(c, "{\"type\":\"ok\",\"id\":\"ecg-1\",\"description\":"
               "{\"leads\":[\"I\",\"II\"],\"frames_per_packet\":10}}");
    TC_REQUIRE(g.error == 0 && g.ready_calls == 1);
    tc_sdk__ecg_binary(c, frame, n, true);
    TC_CHECK_EQ(g.samples_calls, 1); /* a frame alone is taken */
    tc_sdk__ecg_binary(c, big, 200 * 1024, false);
    tc_sdk__ecg_binary(c, big, 200 * 1024, false); /* past 256 KiB */
    tc_sdk__ecg_binary(c, frame, n, true);
    TC_CHECK_EQ(g.samples_calls, 1);
    tc_sdk__ecg_binary(c, frame, n, true); /* the next message is read */
    TC_CHECK_EQ(g.samples_calls, 2);
    TC_CHECK_EQ(g.frames, 10);
    frame[19] = 0; /* a frame of no frames: nothing to deliver */
    tc_sdk__ecg_binary(c, frame, 20, true);
    TC_CHECK_EQ(g.samples_calls, 2);
    tc_sdk_ecg_sub_free(s);
    tc_sdk_client_free(c);
}

static void
on_stream_ready(struct tc_sdk_ecg_stream *s, int error, const char *msg,
                void *data)
{
    struct got *g = data;

    g->ready_calls++;
    g->error = error;
}

/* The announcement's answer names the stream "ecg:<study id>" (what
 * tc_sdk_ecg_stream_name returns, and the ready callback's `msg`); an
 * answer with another name or no usable port is refused, not cut to fit. */
static void
test_stream_answer_name(void)
{
    static const char *const leads[] = {"I"};
    static const double gains[] = {200};
    static const char *const answers[] = {
        "\"stream\":\"ecg:12\",\"port\":9",
        "\"stream\":\"bogus\",\"port\":9",
        "\"stream\":\"ecg:12345678901234567890123456789\",\"port\":9",
        "\"stream\":\"ecg:\\u00e9\",\"port\":9",
        "\"stream\":\"ecg:12\",\"port\":70000",
    };
    struct tc_sdk_ecg_stream_callbacks scb = {.ready = on_stream_ready};
    struct tc_sdk_ecg_announce a = {
        .patient = 1,
        .device = "d1",
        .desc = {.n_leads = 1,
                 .leads = leads,
                 .sample_rate_hz = 500,
                 .gains = gains},
    };
    g_autoptr(GMainContext) ctx = g_main_context_new();
    struct tc_sdk_client *c = ready_client(ctx);

    TC_REQUIRE(c);
    for (size_t i = 0; i < G_N_ELEMENTS(answers); i++) {
        struct tc_sdk_ecg_stream *st = NULL;
        struct got g = {0};
        g_autofree char *ok = NULL;

        TC_REQUIRE(tc_sdk_ecg_stream_announce(c, &a, &scb, &g, &st) == 0);
        ok = g_strdup_printf(
            "{\"type\":\"ok\",\"id\":\"ecg-%zu\",%s,\"ssrc\":1,"
            "\"profile\":\"AEAD_AES_128_GCM\",\"key\":\"" KEY_GCM "\"}",
            i + 1, answers[i]);
        message(c, ok);
        TC_CHECK_EQ(g.ready_calls, 1);
        TC_CHECK_EQ(g.error, i == 0 ? 0 : -EPROTO);
        if (i == 0) {
            TC_CHECK_STR_EQ(tc_sdk_ecg_stream_name(st), "ecg:12");
        } else {
            TC_CHECK(tc_sdk_ecg_stream_name(st) == NULL);
        }
        tc_sdk_ecg_stream_free(st);
    }
    tc_sdk_client_free(c);
}

int
main(void)
{
    TC_RUN(test_srtp_already_initialised);
    TC_RUN(test_early_dropped_after_unusable_answer);
    TC_RUN(test_ws_oversize_dropped_whole);
    TC_RUN(test_stream_answer_name);
    return tc_done();
}
