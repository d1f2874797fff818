// SPDX-License-Identifier: Apache-2.0
/*
 * ecg-device.c - the device side of ECG streaming in libtelecare-client
 * (docs/ecg-rtp.md): announce, packetize, pace, SRTP over UDP, stop.
 *
 *   ANNOUNCING --ok--> SENDING --stop(), queue empty--> STOPPING --ok--> DONE
 *        |                                                 |
 *        +--error--> FAILED                                +--error--> FAILED
 *
 * Pushed samples wait in a queue (at most 10 minutes' worth). A timer on
 * the client's context (every 5 ms) sends each packet whose time has come:
 * packet k is due k * frames_per_packet / (rate * speed) seconds after the
 * first. When stopped, the rest goes out with a short, marked last packet,
 * then ecg-stop with the frame count.
 *
 * The SDK knows only the protocol documents: the RTP payload is written
 * here, and libsrtp2 is used directly.
 *
 * Thread: the client's context, like every SDK object.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>
#include <srtp2/srtp.h>

#include "ecg-int.h"
#include "tc-be.h"

#define TICK_MS      5
#define MAX_QUEUE_S  600
#define MAX_PER_TICK 256 /* packets per tick, even far behind */

enum stream_state { ANNOUNCING, SENDING, STOPPING, DONE, FAILED };

struct tc_sdk_ecg_stream {
    struct tc_sdk_client *c;
    struct tc_sdk_ecg_stream_callbacks cb;
    void *data;
    enum stream_state state;
    bool stop_asked;
    char name[STREAM_NAME_MAX];
    unsigned n_leads, rate, fpp;
    double speed;
    char profile[32];
    /* from the server */
    uint32_t ssrc, first_ts;
    uint16_t first_seq;
    uint8_t pt;
    srtp_t srtp;
    int fd;
    /* the queue of frames not yet sent */
    GArray *queue; /* int16_t */
    size_t queue_head;
    uint64_t next_index, sent;
    int64_t total_frames;
    int64_t t0_us;
    GSource *timer;
    /* test hooks */
    bool (*drop)(uint64_t index, void *data);
    void *drop_data;
    enum tc_sdk_ecg_test_action action;
    uint8_t last[MAX_PACKET];
    size_t last_len;
};

static json_t *
desc_json(const struct tc_sdk_ecg_desc *d, unsigned fpp)
{
    json_t *leads = json_array(), *gains = json_array(), *bases = json_array(),
           *zeros = json_array();

    for (unsigned i = 0; i < d->n_leads; i++) {
        json_array_append_new(leads, json_string(d->leads[i]));
        json_array_append_new(gains, json_real(d->gains[i]));
        json_array_append_new(
            bases, json_integer(d->baselines ? d->baselines[i] : 0));
        json_array_append_new(
            zeros, json_integer(d->adc_zeros ? d->adc_zeros[i] : 0));
    }
    return json_pack(
        "{s:s,s:o,s:i,s:i,s:o,s:o,s:o,s:i}", "type", "ecg-announce", "leads",
        leads, "sample_rate_hz", (int)d->sample_rate_hz, "frames_per_packet",
        (int)fpp, "gains", gains, "baselines", bases, "adc_zeros", zeros,
        "adc_resolution_bits",
        (int)(d->adc_resolution_bits ? d->adc_resolution_bits : 16));
}

static bool
desc_valid(const struct tc_sdk_ecg_desc *d, unsigned fpp)
{
    if (d->n_leads < 1 || d->n_leads > MAX_LEADS || !d->leads || !d->gains ||
        d->sample_rate_hz < 50 || d->sample_rate_hz > 20000 || fpp < 1 ||
        fpp * d->n_leads * 2 > MAX_PAYLOAD) {
        return false;
    }
    for (unsigned i = 0; i < d->n_leads; i++) {
        if (!d->leads[i] || !*d->leads[i] ||
            strlen(d->leads[i]) >= LEAD_NAME_MAX) {
            return false;
        }
    }
    return true;
}

int
tc_sdk_ecg_stream_announce(struct tc_sdk_client *c,
                           const struct tc_sdk_ecg_announce *a,
                           const struct tc_sdk_ecg_stream_callbacks *cb,
                           void *data, struct tc_sdk_ecg_stream **out)
{
    const struct tc_sdk_ecg_desc *d = &a->desc;
    unsigned fpp = d->frames_per_packet
                       ? d->frames_per_packet
                       : (d->sample_rate_hz * 20 + 999) / 1000;
    struct tc_sdk_ecg_stream *s;
    json_t *msg;
    int rc;

    if (!desc_valid(d, fpp) || a->patient <= 0 || !a->device || a->speed < 0) {
        return tc_sdk__fail(c, -EINVAL,
                            "ECG stream: description out of "
                            "range");
    }
    msg = desc_json(d, fpp);
    json_object_set_new(msg, "patient", json_integer(a->patient));
    json_object_set_new(msg, "device", json_string(a->device));
    json_object_set_new(
        msg, "profile",
        json_string(a->profile ? a->profile : "AEAD_AES_128_GCM"));
    if (a->urgent) {
        json_object_set_new(msg, "urgent", json_true());
    }
    if (a->reader > 0) {
        json_object_set_new(msg, "reader", json_integer(a->reader));
    }
    if (a->consultation > 0) {
        json_object_set_new(msg, "consultation",
                            json_integer(a->consultation));
    }
    s = g_new0(struct tc_sdk_ecg_stream, 1);
    s->c = c;
    if (cb) {
        s->cb = *cb;
    }
    s->data = data;
    s->fd = -1;
    s->n_leads = d->n_leads;
    s->rate = d->sample_rate_hz;
    s->fpp = fpp;
    s->speed = a->speed > 0 ? a->speed : 1;
    s->total_frames = -1;
    s->queue = g_array_new(FALSE, FALSE, sizeof(int16_t));
    rc = tc_sdk__ecg_request(c, msg, s, NULL);
    if (rc < 0) {
        g_array_unref(s->queue);
        g_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

static size_t
queued_frames(const struct tc_sdk_ecg_stream *s)
{
    return (s->queue->len - s->queue_head) / s->n_leads;
}

int
tc_sdk_ecg_stream_push(struct tc_sdk_ecg_stream *s, const int16_t *samples,
                       size_t frames)
{
    if (s->stop_asked || s->state == FAILED || s->state == DONE) {
        return -EPIPE;
    }
    if (queued_frames(s) + frames > (size_t)s->rate * MAX_QUEUE_S) {
        return -ENOBUFS;
    }
    if (s->queue_head > 0 && s->queue_head * 2 > s->queue->len) {
        g_array_remove_range(s->queue, 0, (guint)s->queue_head);
        s->queue_head = 0;
    }
    g_array_append_vals(s->queue, samples, (guint)(frames * s->n_leads));
    return 0;
}

/* Packet next_index with `frames` frames from the queue, in the clear. */
static size_t
write_clear(const struct tc_sdk_ecg_stream *s, unsigned frames, uint8_t *buf)
{
    const int16_t *x = &g_array_index(s->queue, int16_t, (guint)s->queue_head);
    size_t n = (size_t)frames * s->n_leads;

    buf[0] = 0x80;
    buf[1] = (uint8_t)(s->pt | (frames < s->fpp ? 0x80 : 0));
    tc_be_wr16(buf + 2, (uint16_t)(s->first_seq + s->next_index));
    tc_be_wr32(buf + 4, (uint32_t)(s->first_ts + s->next_index * s->fpp));
    tc_be_wr32(buf + 8, s->ssrc);
    for (size_t i = 0; i < n; i++) {
        tc_be_wr16(buf + 12 + 2 * i, (uint16_t)x[i]);
    }
    return 12 + 2 * n;
}

/* The test hook: this packet protected with a key nobody was given. */
static void
send_wrong_key(struct tc_sdk_ecg_stream *s, unsigned frames)
{
    uint8_t buf[MAX_PACKET], key[28];
    g_autofree char *b64 = NULL;
    srtp_t bad = NULL;
    int len = (int)write_clear(s, frames, buf);

    for (int i = 0; i < 28; i++) {
        key[i] = (uint8_t)(0xa5 ^ i);
    }
    b64 = g_base64_encode(key, sizeof(key));
    if (tc_sdk__ecg_srtp_session("AEAD_AES_128_GCM", b64, s->ssrc, &bad) < 0) {
        return;
    }
    if (srtp_protect(bad, buf, &len) == srtp_err_status_ok) {
        (void)!send(s->fd, buf, (size_t)len, 0);
    }
    srtp_dealloc(bad);
}

/* Send one packet of `frames` frames; false when the socket is full. */
static bool
send_one(struct tc_sdk_ecg_stream *s, unsigned frames)
{
    uint8_t buf[MAX_PACKET];
    int len;

    if (s->action == TC_SDK_ECG_TEST_WRONG_KEY) {
        s->action = 0;
        send_wrong_key(s, frames);
    }
    len = (int)write_clear(s, frames, buf);
    if (srtp_protect(s->srtp, buf, &len) != srtp_err_status_ok) {
        return false;
    }
    if (!s->drop || !s->drop(s->next_index, s->drop_data)) {
        if (send(s->fd, buf, (size_t)len, 0) < 0 && errno == EAGAIN) {
            /* the socket is full: this packet is lost to SRTP's index
             * (protect advanced it), so it counts as sent and dropped */
        } else {
            s->sent++;
        }
        memcpy(s->last, buf, (size_t)len);
        s->last_len = (size_t)len;
    }
    if (s->action == TC_SDK_ECG_TEST_REPLAY && s->last_len) {
        (void)!send(s->fd, s->last, s->last_len, 0);
        s->action = 0;
    }
    s->queue_head += (size_t)frames * s->n_leads;
    s->next_index++;
    return true;
}

static void
finish_stop(struct tc_sdk_ecg_stream *s)
{
    json_t *msg = json_pack("{s:s,s:s,s:I}", "type", "ecg-stop", "stream",
                            s->name, "frames", (json_int_t)s->total_frames);

    s->state = STOPPING;
    if (tc_sdk__ecg_request(s->c, msg, s, NULL) < 0) {
        s->state = FAILED;
        if (s->cb.stopped) {
            s->cb.stopped(s, -ENOTCONN, NULL, s->data);
        }
    }
}

static gboolean
on_tick(gpointer data)
{
    struct tc_sdk_ecg_stream *s = data;
    int64_t now = g_get_monotonic_time();
    uint64_t due;
    unsigned n = 0;

    if (s->state != SENDING) {
        return G_SOURCE_CONTINUE;
    }
    if (!s->t0_us) {
        s->t0_us = now;
    }
    due = (uint64_t)((double)(now - s->t0_us) / 1e6 * s->rate * s->speed /
                     s->fpp) +
          1;
    while (s->next_index < due && n < MAX_PER_TICK &&
           queued_frames(s) >= s->fpp) {
        if (!send_one(s, s->fpp)) {
            return G_SOURCE_CONTINUE;
        }
        n++;
    }
    if (s->stop_asked && queued_frames(s) < s->fpp && s->next_index < due) {
        if (queued_frames(s) > 0 && !send_one(s, (unsigned)queued_frames(s))) {
            return G_SOURCE_CONTINUE;
        }
        finish_stop(s);
    }
    return G_SOURCE_CONTINUE;
}

int
tc_sdk_ecg_stream_stop(struct tc_sdk_ecg_stream *s)
{
    if (s->stop_asked || s->state == FAILED || s->state == DONE) {
        return -EALREADY;
    }
    s->stop_asked = true;
    /* every frame ever pushed: sent ones plus the queue */
    s->total_frames = (int64_t)(s->next_index * s->fpp + queued_frames(s));
    return 0;
}

static void
stream_ready(struct tc_sdk_ecg_stream *s, json_t *msg)
{
    const char *name = json_string_value(json_object_get(msg, "stream"));
    int port = (int)json_integer_value(json_object_get(msg, "port"));
    int rc;

    s->ssrc = (uint32_t)json_integer_value(json_object_get(msg, "ssrc"));
    s->first_seq =
        (uint16_t)json_integer_value(json_object_get(msg, "first_seq"));
    s->first_ts =
        (uint32_t)json_integer_value(json_object_get(msg, "first_timestamp"));
    s->pt = (uint8_t)json_integer_value(json_object_get(msg, "payload_type"));
    rc = tc_sdk__ecg_stream_name_ok(name) && port > 0 && port <= 65535
             ? 0
             : -EPROTO;
    if (rc == 0) {
        g_strlcpy(s->name, name, sizeof(s->name));
        rc = tc_sdk__ecg_srtp_session(
            json_string_value(json_object_get(msg, "profile")),
            json_string_value(json_object_get(msg, "key")), s->ssrc, &s->srtp);
    }
    if (rc == 0) {
        s->fd = tc_sdk__ecg_udp_socket(s->c->url.host, port, true, NULL);
        rc = s->fd < 0 ? s->fd : 0;
    }
    if (rc < 0) {
        s->state = FAILED;
        if (s->cb.ready) {
            s->cb.ready(s, rc, "the server's answer was not usable", s->data);
        }
        return;
    }
    s->state = SENDING;
    s->timer = g_timeout_source_new(TICK_MS);
    g_source_set_callback(s->timer, on_tick, s, NULL);
    g_source_attach(s->timer, tc_sdk__loop_context(s->c));
    if (s->cb.ready) {
        s->cb.ready(s, 0, s->name, s->data);
    }
}

const char *
tc_sdk_ecg_stream_name(const struct tc_sdk_ecg_stream *s)
{
    return s->name[0] ? s->name : NULL;
}

size_t
tc_sdk_ecg_stream_queued(const struct tc_sdk_ecg_stream *s)
{
    return queued_frames(s);
}

uint64_t
tc_sdk_ecg_stream_sent(const struct tc_sdk_ecg_stream *s)
{
    return s->sent;
}

void
tc_sdk_ecg_stream_test_drop(struct tc_sdk_ecg_stream *s,
                            bool (*drop)(uint64_t index, void *data),
                            void *data)
{
    s->drop = drop;
    s->drop_data = data;
}

int
tc_sdk_ecg_stream_test(struct tc_sdk_ecg_stream *s,
                       enum tc_sdk_ecg_test_action action)
{
    if (action != TC_SDK_ECG_TEST_WRONG_KEY &&
        action != TC_SDK_ECG_TEST_REPLAY) {
        return -EINVAL;
    }
    s->action = action;
    return 0;
}

void
tc_sdk_ecg_stream_free(struct tc_sdk_ecg_stream *s)
{
    if (!s) {
        return;
    }
    tc_sdk__ecg_forget_requests(s->c, s);
    tc_sdk__ecg_drop_source(s->timer);
    if (s->srtp) {
        srtp_dealloc(s->srtp);
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    g_array_unref(s->queue);
    g_free(s);
}

/* The answer to the stream's announcement or stop; anything else it is
 * not waiting for. */
void
tc_sdk__ecg_stream_answer(struct tc_sdk_ecg_stream *st, json_t *msg,
                          const char *json, bool ok)
{
    const char *why = json_string_value(json_object_get(msg, "message"));

    if (st->state == ANNOUNCING) {
        if (ok) {
            stream_ready(st, msg);
        } else {
            st->state = FAILED;
            if (st->cb.ready) {
                st->cb.ready(st, -EPERM, why, st->data);
            }
        }
    } else if (st->state == STOPPING) {
        st->state = ok ? DONE : FAILED;
        if (st->cb.stopped) {
            st->cb.stopped(st, ok ? 0 : -EPERM, json, st->data);
        }
    }
}
