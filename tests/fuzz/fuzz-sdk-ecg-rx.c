// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-sdk-ecg-rx.c - libtelecare-client's ECG subscriber receive path
 * (client-sdk/ecg.c): datagrams from any source on its SRTP sockets (the
 * UDP_GRO cut at the segment size, the SSRC demultiplexing on the shared
 * socket, the packets held before a subscription's keys arrive, SRTP
 * unprotect, the RTP parse), the server's answers to ecg-subscribe, and
 * the binary WebSocket frames of a WebSocket subscription.
 *
 * Every input gets a fresh READY client (a `welcome`) with four
 * subscriptions: S0 ecg:1 and S1 ecg:2 on the shared socket, S2 a second
 * ecg:1 on a socket of its own, S3 ecg:3 over WebSocket (ids ecg-1..4).
 * Then records of one op byte, a two-byte big-endian length and that many
 * bytes (the last record takes what is left); op % 7:
 *   0  raw buffer: b0 bit 0 = S2's own socket, else the shared one;
 *      b1-b2 the UDP_GRO segment size (0: one datagram); the rest is
 *      what the read returned
 *   1  SRTP run: b0 % 3 the subscription whose key protects; b1-b2 the
 *      RTP packet length L (12..1400); b3 1..127 flips byte b3 - 1 of
 *      each protected packet, b3 >= 128 cuts b3 - 127 bytes off the
 *      last; the rest is the clear packets, L bytes each
 *      (the last may be shorter), their SSRC set to the subscription's.
 *      Each is protected with media/ecg-srtp.c and the buffer arrives as
 *      one GRO read of equal segments on that subscription's socket
 *   2  the answer to subscription b0 % 4: b1 % 4 = ok, error, ok with a
 *      key of the wrong length, ok with an unknown profile; b2 leads
 *      (1 + b2 % 16), b3 frames per packet, b4 payload type
 *   3  the rest as a text message from the server (a hand-made answer)
 *   4  a binary WebSocket fragment: b0 bit 0 final, the rest repeated
 *      (1 + b1) times
 *   5  free subscription b0 % 4 (b0 bit 2: from its next samples
 *      callback instead)
 *   6  ecg-ended for stream b0 % 4
 *
 * Invariants (abort() on violation), besides no crash, leak or sanitizer
 * report: samples go only to a live, ready subscription, name its
 * stream, hold whole frames of its n_leads (at most frames_per_packet
 * over SRTP) and are the clear payload of a packet that authenticates
 * with its key (a packet this harness protected, or one an independent
 * fresh SRTP session of media/ecg-srtp.c accepts); over WebSocket they are
 * the message's payload and the message is at most 256 KiB. Of the
 * packets a read routes to a ready subscription (the SSRC's first ready
 * shared subscription, or every packet on its own socket) each is either
 * delivered or counted by tc_sdk_ecg_sub_refused, never both. Packets
 * held for unanswered subscriptions match a model of docs/architecture.md's
 * rule (byte for byte in count, never past TC_SDK__ECG_EARLY_MAX, none
 * once no shared subscription waits), and the ones of a subscription's
 * SSRC are routed to it when its answer arrives.
 *
 * media/ecg-srtp.c puts OpenSSL's ciphers under libsrtp process-wide, so
 * here the SDK's sessions run on them too.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "client-int.h"
#include "tc-media.h"

#define N_SUBS     4
#define MAX_CHUNKS 256 /* packets one read may be cut into here */
#define WS_MAX     (256 * 1024)
#define MAX_HELD   4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant does not hold: say which, then abort (libFuzzer keeps the
 * input). */
G_NORETURN static void
broken(int line)
{
    fprintf(stderr, "%s:%d: invariant broken\n", __FILE__, line);
    abort();
}

struct sub {
    struct tc_sdk_ecg_sub *s;
    const char *stream;
    bool shared, ws;
    bool answered, ready, freed, free_in_cb;
    uint32_t ssrc;
    unsigned n_leads, fpp;
    enum tc_media_srtp_profile profile;
    uint8_t key[TC_MEDIA_SRTP_MAX_KEY];
    struct tc_media_srtp *tx; /* protects op 1's packets */
    GPtrArray *clear;         /* GBytes: payloads that authenticate */
    uint64_t delivered;
    /* its answer routed it the held packets of its SSRC: check after */
    bool check_held;
    uint64_t held_before, held_routed;
};

static struct {
    struct tc_sdk_client *c;
    struct sub subs[N_SUBS];
    GArray *held; /* struct held: the model of the SDK's early buffer */
    size_t held_bytes;
    bool model_lost; /* a free from a callback: routing not modelled */
    GByteArray *ws;  /* the WebSocket message so far (capped) */
    size_t ws_len;   /* its whole length */
    bool ws_final;   /* inside the final fragment's call */
} h;

struct held {
    uint32_t ssrc;
    size_t n;
};

static const char *const stream_names[N_SUBS] = {"ecg:1", "ecg:2", "ecg:1",
                                                 "ecg:3"};
static const uint32_t ssrcs[N_SUBS] = {0x11111111, 0x22222222, 0x11111111,
                                       0x33333333};

static uint32_t
rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static uint64_t seen(const struct sub *x);

static struct sub *
sub_of(struct tc_sdk_ecg_sub *s)
{
    for (int i = 0; i < N_SUBS; i++) {
        if (h.subs[i].s == s && !h.subs[i].freed) {
            return &h.subs[i];
        }
    }
    broken(__LINE__); /* a callback for a subscription freed or unknown */
}

/* Whether `be` (n bytes) lies inside a payload that authenticated. */
static bool
authentic(const struct sub *x, const uint8_t *be, size_t n)
{
    for (guint i = 0; i < x->clear->len; i++) {
        gsize len;
        const uint8_t *p = g_bytes_get_data(x->clear->pdata[i], &len);
        if (n <= len && memmem(p, len, be, n)) {
            return true;
        }
    }
    return false;
}

static void
on_samples(struct tc_sdk_ecg_sub *s, const struct tc_sdk_ecg_samples *d,
           void *data)
{
    struct sub *x = sub_of(s);
    size_t n = (size_t)d->frames * d->n_leads;
    uint8_t *be;

    if (!x->ready || !d->samples || d->frames < 1 ||
        d->n_leads != x->n_leads || strcmp(d->stream, x->stream) != 0 ||
        (!x->ws && d->frames > x->fpp)) {
        broken(__LINE__);
    }
    be = g_malloc(2 * n);
    for (size_t i = 0; i < n; i++) {
        be[2 * i] = (uint8_t)((uint16_t)d->samples[i] >> 8);
        be[2 * i + 1] = (uint8_t)d->samples[i];
    }
    if (x->ws) {
        /* the final fragment's message, header and all, in the cap */
        if (!h.ws_final || h.ws_len > WS_MAX || h.ws->len != h.ws_len ||
            h.ws_len != 20 + 2 * n || memcmp(h.ws->data + 20, be, 2 * n)) {
            broken(__LINE__);
        }
    } else if (!authentic(x, be, 2 * n)) {
        broken(__LINE__);
    }
    g_free(be);
    x->delivered++;
    if (x->free_in_cb) {
        x->freed = true;
        h.model_lost = true;
        tc_sdk_ecg_sub_free(s);
    }
}

static bool
shared_waits(void)
{
    for (int i = 0; i < N_SUBS; i++) {
        struct sub *x = &h.subs[i];
        if (x->shared && !x->freed && !x->answered) {
            return true;
        }
    }
    return false;
}

static void
drop_unwanted(void)
{
    if (!shared_waits()) {
        g_array_set_size(h.held, 0);
        h.held_bytes = 0;
    }
}

static void
learn_answer(struct sub *x, const char *json)
{
    json_t *msg = json_loads(json, 0, NULL);
    json_t *d = json_object_get(msg, "description");
    const char *key = json_string_value(json_object_get(msg, "key"));
    const char *prof = json_string_value(json_object_get(msg, "profile"));
    guchar *raw = NULL;
    gsize len = 0;

    x->ssrc = (uint32_t)json_integer_value(json_object_get(msg, "ssrc"));
    x->n_leads = (unsigned)json_array_size(json_object_get(d, "leads"));
    x->fpp =
        (unsigned)json_integer_value(json_object_get(d, "frames_per_packet"));
    if (!x->ws) {
        if (!key || !prof ||
            tc_media_srtp_profile_from_name(prof, &x->profile) < 0) {
            broken(__LINE__); /* ready without a usable key */
        }
        raw = g_base64_decode(key, &len);
        if (len != tc_media_srtp_key_len(x->profile)) {
            broken(__LINE__);
        }
        memcpy(x->key, raw, len);
        g_free(raw);
        tc_media_srtp_free(x->tx);
        x->tx = NULL;
    }
    json_decref(msg);
}

/* The held packets of x's SSRC, routed to x by its answer. */
static uint64_t
take_held(struct sub *x)
{
    uint64_t routed = 0;
    guint keep = 0;
    bool wanted = shared_waits();

    for (guint i = 0; i < h.held->len; i++) {
        struct held e = g_array_index(h.held, struct held, i);
        if (e.ssrc == x->ssrc) {
            routed++;
            h.held_bytes -= 2 + e.n;
        } else if (wanted) {
            g_array_index(h.held, struct held, keep++) = e;
        } else {
            h.held_bytes -= 2 + e.n;
        }
    }
    g_array_set_size(h.held, keep);
    return routed;
}

static void
on_ready(struct tc_sdk_ecg_sub *s, int error, const char *json, void *data)
{
    struct sub *x = sub_of(s);

    if (x->answered || error > 0 || (error == 0 && !json)) {
        broken(__LINE__);
    }
    x->answered = true;
    x->ready = error == 0;
    if (x->ready) {
        learn_answer(x, json);
        if (x->n_leads < 1 || x->n_leads > 16 || x->fpp < 1) {
            broken(__LINE__);
        }
    }
    if (x->ready && x->shared) {
        x->check_held = true;
        x->held_before = seen(x);
        x->held_routed = take_held(x);
    }
}

static void
on_ended(struct tc_sdk_ecg_sub *s, void *data)
{
    sub_of(s);
}

static void
on_log(enum tc_sdk_log_level level, const char *msg, void *data)
{
    if (!msg || !g_utf8_validate(msg, -1, NULL) || strchr(msg, '\n')) {
        broken(__LINE__);
    }
}

/* A text message from the server; then the answered subscriptions got
 * the held packets of their SSRC, each delivered or refused. */
static void
dispatch(const char *text)
{
    char *copy = g_strdup(text);

    tc_sdk__on_message(h.c, copy, strlen(copy));
    g_free(copy);
    for (int i = 0; i < N_SUBS; i++) {
        struct sub *x = &h.subs[i];
        if (x->check_held && !h.model_lost && !x->freed &&
            seen(x) - x->held_before != x->held_routed) {
            broken(__LINE__);
        }
        x->check_held = false;
    }
}

static uint64_t
seen(const struct sub *x)
{
    return x->delivered + tc_sdk_ecg_sub_refused(x->s);
}

static void
check_early(void)
{
    size_t now = tc_sdk__ecg_early_bytes(h.c);

    drop_unwanted();
    if (now > TC_SDK__ECG_EARLY_MAX || (!shared_waits() && now != 0) ||
        (!h.model_lost && now != h.held_bytes)) {
        broken(__LINE__);
    }
}

/* Whether an independent session with x's key accepts the packet: then
 * its clear payload may be delivered. */
static void
oracle(struct sub *x, const uint8_t *p, size_t n)
{
    uint8_t buf[TC_MEDIA_ECG_MAX_PACKET];
    struct tc_media_srtp *rx;

    if (n < 12 || n > sizeof(buf) || rd32(p + 8) != x->ssrc ||
        tc_media_srtp_new(x->profile, x->key, x->ssrc, &rx) < 0) {
        return;
    }
    memcpy(buf, p, n);
    if (tc_media_srtp_unprotect(rx, buf, &n) == 0) {
        g_ptr_array_add(x->clear, g_bytes_new(buf, n));
    }
    tc_media_srtp_free(rx);
}

/* The subscription a packet on the shared socket is routed to, or -1. */
static int
route_shared(const uint8_t *p, size_t n)
{
    for (int i = 0; i < N_SUBS; i++) {
        struct sub *x = &h.subs[i];
        if (n >= 12 && x->shared && !x->freed && x->ready &&
            x->ssrc == rd32(p + 8)) {
            return i;
        }
    }
    return -1;
}

static void
hold(const uint8_t *p, size_t n)
{
    struct held e = {n >= 12 ? rd32(p + 8) : 0, n};

    if (n >= 12 && shared_waits() && n <= G_MAXUINT16 &&
        h.held_bytes + 2 + n <= TC_SDK__ECG_EARLY_MAX) {
        g_array_append_val(h.held, e);
        h.held_bytes += 2 + n;
    }
}

/* One read of `n` bytes in segments of `seg` on S2's socket (own) or the
 * shared one, modelled then handed to the SDK. */
static void
feed(bool own, uint8_t *buf, size_t n, size_t seg)
{
    uint64_t routed[N_SUBS] = {0}, before[N_SUBS];
    size_t step = seg == 0 || seg > n ? n : seg;

    if (n == 0 || (n + step - 1) / step > MAX_CHUNKS ||
        (own && h.subs[2].freed)) {
        return;
    }
    for (size_t off = 0; off < n; off += step) {
        size_t len = MIN(step, n - off);
        int to = own ? 2 : route_shared(buf + off, len);
        for (int i = 0; i < 3; i++) {
            if (!h.subs[i].freed && (h.subs[i].answered || i != 2)) {
                oracle(&h.subs[i], buf + off, len);
            }
        }
        if (to >= 0 && h.subs[to].ready) {
            routed[to]++;
        } else if (!own) {
            hold(buf + off, len);
        }
    }
    for (int i = 0; i < N_SUBS; i++) {
        before[i] = h.subs[i].freed ? 0 : seen(&h.subs[i]);
    }
    tc_sdk__ecg_rx(h.c, own ? h.subs[2].s : NULL, buf, n, seg);
    for (int i = 0; i < N_SUBS; i++) {
        if (!h.model_lost && !h.subs[i].freed &&
            seen(&h.subs[i]) - before[i] != routed[i]) {
            broken(__LINE__);
        }
    }
}

static void
op_raw(const uint8_t *p, size_t n)
{
    uint8_t *buf;

    if (n < 3) {
        return;
    }
    buf = g_memdup2(p + 3, n - 3); /* exact size: ASan sees overreads */
    feed(p[0] & 1, buf, n - 3, (size_t)(p[1] << 8 | p[2]));
    g_free(buf);
}

static void
op_srtp(const uint8_t *p, size_t n)
{
    struct sub *x = &h.subs[n ? p[0] % 3 : 0];
    size_t len = n >= 3 ? (size_t)(p[1] << 8 | p[2]) : 0;
    size_t out_n = 0, seg = 0;
    uint8_t *out;

    if (n < 4 || len < 12 || len > TC_MEDIA_ECG_MAX_PAYLOAD || x->freed ||
        (!x->tx && tc_media_srtp_new(x->profile, x->key, x->ssrc, &x->tx))) {
        return;
    }
    out = g_malloc((n / len + 1) * TC_MEDIA_ECG_MAX_PACKET);
    for (size_t off = 4; off + 12 <= n && (off - 4) / len < MAX_CHUNKS;
         off += len) {
        uint8_t pkt[TC_MEDIA_ECG_MAX_PACKET];
        size_t k = MIN(len, n - off);

        memcpy(pkt, p + off, k);
        pkt[8] = (uint8_t)(x->ssrc >> 24);
        pkt[9] = (uint8_t)(x->ssrc >> 16);
        pkt[10] = (uint8_t)(x->ssrc >> 8);
        pkt[11] = (uint8_t)x->ssrc;
        if (tc_media_srtp_protect(x->tx, pkt, &k) < 0) {
            continue;
        }
        if (p[3] > 0 && p[3] < 128) {
            pkt[(p[3] - 1u) % k] ^= 0x01;
        } else if (p[3] == 0 || off + len < n) {
            g_ptr_array_add(x->clear, g_bytes_new(p + off, MIN(len, n - off)));
        }
        seg = seg ? seg : k;
        if (k > seg || (out_n % seg) != 0) {
            break; /* a GRO run: equal segments, the last maybe shorter */
        }
        memcpy(out + out_n, pkt, k);
        out_n += k;
    }
    if (p[3] >= 128 && out_n > 0) {
        out_n -= MIN(out_n % seg ? out_n % seg : seg, p[3] - 127u);
    }
    feed(x == &h.subs[2], out, out_n, seg);
    g_free(out);
}

static void
op_answer(const uint8_t *p, size_t n)
{
    static const char *const profiles[] = {"AEAD_AES_128_GCM",
                                           "AES_CM_128_HMAC_SHA1_80"};
    int i = n ? p[0] % N_SUBS : 0;
    unsigned variant = n > 1 ? p[1] % 4 : 0;
    struct sub *x = &h.subs[i];
    size_t key_len = tc_media_srtp_key_len(x->profile);
    g_autofree char *key = NULL, *leads = NULL, *text = NULL;
    GString *l = g_string_new("[");

    for (unsigned k = 0; k < 1u + (n > 2 ? p[2] % 16 : 0); k++) {
        g_string_append_printf(l, "%s\"L%u\"", k ? "," : "", k);
    }
    g_string_append(l, "]");
    leads = g_string_free(l, FALSE);
    key = g_base64_encode(x->key, variant == 2 ? key_len - 1 : key_len);
    if (variant == 1) {
        text = g_strdup_printf("{\"type\":\"error\",\"id\":\"ecg-%d\","
                               "\"code\":\"not-found\",\"message\":\"no\"}",
                               i + 1);
    } else {
        text = g_strdup_printf(
            "{\"type\":\"ok\",\"id\":\"ecg-%d\",\"stream\":\"%s\","
            "\"subscription\":%d,\"ssrc\":%u,\"first_seq\":7,"
            "\"first_timestamp\":1000,\"payload_type\":%u,\"profile\":"
            "\"%s\",\"key\":\"%s\",\"description\":{\"leads\":%s,"
            "\"sample_rate_hz\":500,\"frames_per_packet\":%u}}",
            i + 1, x->stream, i + 1, x->ssrc, n > 4 ? p[4] % 128 : 96,
            variant == 3 ? "NULL_CIPHER"
                         : profiles[x->profile ==
                                    TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80],
            key, leads, n > 3 ? p[3] : 10);
    }
    dispatch(text);
}

static void
op_ws(const uint8_t *p, size_t n)
{
    bool final = n && (p[0] & 1);
    unsigned times = 1u + (n > 1 ? p[1] : 0);
    size_t len = n > 2 ? n - 2 : 0;
    GByteArray *frag = g_byte_array_sized_new((guint)(len * times));

    for (unsigned t = 0; t < times; t++) {
        g_byte_array_append(frag, p + 2, (guint)len);
    }
    h.ws_len += frag->len;
    if (h.ws->len + frag->len <= WS_MAX + 1) {
        g_byte_array_append(h.ws, frag->data, frag->len);
    }
    h.ws_final = final;
    tc_sdk__ecg_binary(h.c, frag->data, frag->len, final);
    h.ws_final = false;
    if (final) {
        g_byte_array_set_size(h.ws, 0);
        h.ws_len = 0;
    }
    g_byte_array_unref(frag);
}

static void
op_free(const uint8_t *p, size_t n)
{
    struct sub *x = &h.subs[n ? p[0] % N_SUBS : 0];

    if (x->freed) {
        return;
    }
    if (n && (p[0] & 4)) {
        x->free_in_cb = true;
        return;
    }
    x->freed = true;
    tc_sdk_ecg_sub_free(x->s);
    drop_unwanted();
}

static void
op_ended(const uint8_t *p, size_t n)
{
    g_autofree char *text =
        g_strdup_printf("{\"type\":\"ecg-ended\",\"stream\":\"%s\"}",
                        stream_names[n ? p[0] % N_SUBS : 0]);

    dispatch(text);
}

/* libsrtp is initialised once per process, here by media/ecg-srtp.c (it
 * puts OpenSSL's ciphers under it) before the SDK's first session, as in
 * an application where GStreamer or another library got there first: the
 * SDK's sessions must work all the same. Checked once, on the client that
 * keeps the context's loop alive between inputs. */
static void
first_ready(struct tc_sdk_ecg_sub *s, int error, const char *json, void *data)
{
    *(int *)data = error;
}

static void
srtp_shared(struct tc_sdk_client *c)
{
    static const char welcome[] = "{\"type\":\"welcome\",\"peer\":\"p0\"}";
    static const char ok[] =
        "{\"type\":\"ok\",\"id\":\"ecg-1\",\"ssrc\":1,\"profile\":"
        "\"AEAD_AES_128_GCM\",\"key\":"
        "\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==\",\"description\":"
        "{\"leads\":[\"I\"],\"frames_per_packet\":1}}";
    static const struct tc_sdk_ecg_sub_callbacks cb = {.ready = first_ready};
    static const uint8_t key[TC_MEDIA_SRTP_MAX_KEY];
    struct tc_sdk_ecg_sub *s = NULL;
    struct tc_media_srtp *m;
    int error = 1;

    if (tc_media_srtp_new(TC_MEDIA_SRTP_AEAD_AES_128_GCM, key, 1, &m) < 0) {
        broken(__LINE__);
    }
    tc_media_srtp_free(m);

    tc_sdk__on_message(c, welcome, strlen(welcome));
    if (tc_sdk_ecg_subscribe(c, "ecg:1", false, &cb, &error, &s) < 0) {
        broken(__LINE__);
    }
    tc_sdk__on_message(c, ok, strlen(ok));
    if (error != 0) {
        broken(__LINE__);
    }
    tc_sdk_ecg_sub_free(s);
}

static GMainContext *
context(void)
{
    static GMainContext *ctx;
    static struct tc_sdk_client *anchor;
    struct tc_sdk_client_opts o = {.url = "ws://127.0.0.1:9/ws", .token = "t"};

    if (!ctx) {
        ctx = g_main_context_new();
        o.context = ctx;
        if (tc_sdk_client_new(&o, NULL, NULL, &anchor) < 0) {
            broken(__LINE__);
        }
        srtp_shared(anchor);
    }
    return ctx;
}

static void
setup(void)
{
    static const struct tc_sdk_ecg_sub_callbacks cb = {
        .ready = on_ready, .samples = on_samples, .ended = on_ended};
    struct tc_sdk_client_opts o = {
        .url = "ws://127.0.0.1:9/ws", .token = "t", .context = context()};

    memset(&h, 0, sizeof(h));
    if (tc_sdk_client_new(&o, NULL, NULL, &h.c) < 0) {
        broken(__LINE__);
    }
    tc_sdk_client_set_log(h.c, on_log, NULL);
    dispatch("{\"type\":\"welcome\",\"peer\":\"p1\"}");
    for (int i = 0; i < N_SUBS; i++) {
        struct sub *x = &h.subs[i];
        x->stream = stream_names[i];
        x->ws = i == 3;
        x->ssrc = ssrcs[i];
        x->profile = i == 1 ? TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80
                            : TC_MEDIA_SRTP_AEAD_AES_128_GCM;
        for (int k = 0; k < TC_MEDIA_SRTP_MAX_KEY; k++) {
            x->key[k] = (uint8_t)(0x10 * i + k);
        }
        x->clear =
            g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
        if (tc_sdk_ecg_subscribe(h.c, x->stream, x->ws, &cb, NULL, &x->s) <
            0) {
            broken(__LINE__);
        }
    }
    h.subs[0].shared = h.subs[1].shared = true;
    if (tc_sdk_ecg_sub_port(h.subs[0].s) != tc_sdk_ecg_sub_port(h.subs[1].s) ||
        tc_sdk_ecg_sub_port(h.subs[2].s) == tc_sdk_ecg_sub_port(h.subs[0].s) ||
        tc_sdk_ecg_sub_port(h.subs[3].s) != 0) {
        broken(__LINE__);
    }
    h.held = g_array_new(FALSE, FALSE, sizeof(struct held));
    h.ws = g_byte_array_new();
}

static void
teardown(void)
{
    for (int i = 0; i < N_SUBS; i++) {
        if (!h.subs[i].freed) {
            tc_sdk_ecg_sub_free(h.subs[i].s);
        }
        tc_media_srtp_free(h.subs[i].tx);
        g_ptr_array_unref(h.subs[i].clear);
    }
    tc_sdk_client_free(h.c);
    g_array_unref(h.held);
    g_byte_array_unref(h.ws);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static void (*const ops[])(const uint8_t *, size_t) = {
        op_raw, op_srtp, op_answer, 0, op_ws, op_free, op_ended,
    };

    setup();
    while (size > 0) {
        uint8_t op = data[0] % G_N_ELEMENTS(ops);
        size_t n = size >= 3 ? (size_t)(data[1] << 8 | data[2]) : 0;
        const uint8_t *p = data + MIN(size, 3);

        size -= MIN(size, 3);
        n = MIN(n, size);
        if (op == 3) {
            g_autofree char *text = g_strndup((const char *)p, n);
            dispatch(text);
        } else {
            ops[op](p, n);
        }
        check_early();
        data = p + n;
        size -= n;
    }
    teardown();
    return 0;
}
