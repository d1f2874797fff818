// SPDX-License-Identifier: Apache-2.0
/*
 * delay.c - how long a forwarded RTP packet spends inside the server:
 * from leaving SRTP decryption on the publisher's connection to entering
 * SRTP encryption on a subscriber's. It is the delay the SFU adds
 * (jitter buffer, tee, the feed's leaky queue, the sending RTP session),
 * without the network, the kernel's socket queues or the SRTP work itself.
 *
 *   publisher webrtcbin: nicesrc -> dtlssrtpdec[srtpdec] -(in)-> rtpbin
 *        -> tee -> queue -> feed webrtcbin: rtpbin -(out)-> srtpenc -> ...
 *
 * Each room's pipeline is watched for srtpdec and srtpenc elements as
 * webrtcbin makes them (deep-element-added). A buffer probe on every
 * srtpdec's rtp_src pad notes the arrival time of each RTP packet under
 * (SSRC, sequence number) in the room's table, an open-addressed array of
 * DELAY_SLOTS slots (a later packet takes an older one's slot: at most a
 * lost sample). A probe on every srtpenc rtp_sink pad looks the packet up
 * and adds (now - arrival) to the process-wide histogram, once per
 * subscriber. Retransmissions (RTX, another SSRC) and RTCP never match.
 *
 * The histogram has TC_MEDIA_DELAY_BUCKETS buckets two per octave from
 * 16 us; the server exports it in /metrics
 * (telecare_media_forward_delay_seconds).
 *
 * Threads: the probes run on GStreamer's streaming threads; the table is
 * protected by its mutex, the histogram is atomics. The table is
 * reference-counted: the room and every probe hold one.
 */
#include <string.h>

#include "media-int.h"

#define DELAY_SLOTS    8192 /* ~30 s of 4 publishers' video */
#define FIRST_BOUND_US 16

struct slot {
    uint64_t key; /* 1 << 48 | ssrc << 16 | seq; 0: empty */
    int64_t at_us;
};

struct tc_media__delay {
    GMutex lock;
    struct slot slots[DELAY_SLOTS]; /* protected by lock */
};

/* Process-wide, atomics. */
static guint64 hist[TC_MEDIA_DELAY_BUCKETS + 1]; /* the last: over */
static guint64 hist_sum_us;

int64_t
tc_media_delay_bound_us(unsigned i)
{
    /* 16 us * 2^(i/2): 16, 22, 32, 45, 64, ... */
    static const double sqrt2 = 1.4142135623730951;
    double b = FIRST_BOUND_US * (double)(1ull << (i / 2));

    return (int64_t)(i % 2 ? b * sqrt2 : b);
}

void
tc_media_delay_read(struct tc_media_delay_hist *out)
{
    memset(out, 0, sizeof(*out));
    for (unsigned i = 0; i <= TC_MEDIA_DELAY_BUCKETS; i++) {
        uint64_t n = (uint64_t)g_atomic_pointer_get(&hist[i]);

        if (i < TC_MEDIA_DELAY_BUCKETS) {
            out->buckets[i] = n;
        } else {
            out->over = n;
        }
        out->count += n;
    }
    out->sum_us = (uint64_t)g_atomic_pointer_get(&hist_sum_us);
}

static void
hist_add(int64_t us)
{
    unsigned i = 0;

    if (us < 0) {
        us = 0;
    }
    while (i < TC_MEDIA_DELAY_BUCKETS && us > tc_media_delay_bound_us(i)) {
        i++;
    }
    g_atomic_pointer_add(&hist[i], 1);
    g_atomic_pointer_add(&hist_sum_us, (gssize)us);
}

/* The (SSRC, seq) key of an RTP packet, 0 for RTCP or what is not RTP. */
static uint64_t
rtp_key(GstBuffer *buf)
{
    uint8_t h[12];

    if (gst_buffer_extract(buf, 0, h, sizeof(h)) != sizeof(h) ||
        (h[0] >> 6) != 2 || (h[1] >= 192 && h[1] <= 223)) {
        return 0;
    }
    return 1ull << 48 | (uint64_t)h[8] << 40 | (uint64_t)h[9] << 32 |
           (uint64_t)h[10] << 24 | (uint64_t)h[11] << 16 |
           (uint64_t)h[2] << 8 | h[3];
}

static struct slot *
slot_of(struct tc_media__delay *d, uint64_t key)
{
    return &d->slots[(key * 0x9E3779B97F4A7C15ull) >> 51];
}

typedef void (*key_fn)(struct tc_media__delay *d, uint64_t key, int64_t now);

static void
note_in(struct tc_media__delay *d, uint64_t key, int64_t now)
{
    struct slot *s;

    g_mutex_lock(&d->lock);
    s = slot_of(d, key);
    s->key = key;
    s->at_us = now;
    g_mutex_unlock(&d->lock);
}

static void
note_out(struct tc_media__delay *d, uint64_t key, int64_t now)
{
    struct slot *s;
    int64_t at = -1;

    g_mutex_lock(&d->lock);
    s = slot_of(d, key);
    if (s->key == key) {
        at = s->at_us;
    }
    g_mutex_unlock(&d->lock);
    if (at >= 0) {
        hist_add(now - at);
    }
}

static void
each_key(struct tc_media__delay *d, GstPadProbeInfo *info, key_fn fn)
{
    int64_t now = g_get_monotonic_time();

    if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
        uint64_t key = rtp_key(GST_PAD_PROBE_INFO_BUFFER(info));
        if (key) {
            fn(d, key, now);
        }
    } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
        GstBufferList *l = GST_PAD_PROBE_INFO_BUFFER_LIST(info);

        for (guint i = 0; i < gst_buffer_list_length(l); i++) {
            uint64_t key = rtp_key(gst_buffer_list_get(l, i));
            if (key) {
                fn(d, key, now);
            }
        }
    }
}

static GstPadProbeReturn
on_in(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    each_key(data, info, note_in);
    return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_out(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    each_key(data, info, note_out);
    return GST_PAD_PROBE_OK;
}

static void
delay_fini(gpointer p)
{
    g_mutex_clear(&((struct tc_media__delay *)p)->lock);
}

static void
delay_release(gpointer p)
{
    g_atomic_rc_box_release_full(p, delay_fini);
}

static void
probe(GstPad *pad, GstPadProbeCallback fn, struct tc_media__delay *d)
{
    gst_pad_add_probe(
        pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, fn,
        g_atomic_rc_box_acquire(d), delay_release);
}

/* Any thread: srtpenc made a pad (its sink pads are requested). */
static void
on_enc_pad(GstElement *enc, GstPad *pad, gpointer data)
{
    if (GST_PAD_IS_SINK(pad) && g_str_has_prefix(GST_PAD_NAME(pad), "rtp_")) {
        probe(pad, on_out, data);
    }
}

static void
closure_release(gpointer data, GClosure *closure)
{
    delay_release(data);
}

/* Any thread: probe `el` when it is an SRTP element not probed yet. */
static void
watch_one(GstElement *el, struct tc_media__delay *d)
{
    GstElementFactory *f = gst_element_get_factory(el);
    const char *name = f ? GST_OBJECT_NAME(f) : "";
    bool dec = strcmp(name, "srtpdec") == 0;

    static GMutex mark_lock; /* an element may be seen on two threads */
    bool seen;

    if (!dec && strcmp(name, "srtpenc") != 0) {
        return;
    }
    g_mutex_lock(&mark_lock);
    seen = g_object_get_data(G_OBJECT(el), "tc-delay") != NULL;
    g_object_set_data(G_OBJECT(el), "tc-delay", GINT_TO_POINTER(1));
    g_mutex_unlock(&mark_lock);
    if (seen) {
        return;
    }
    if (dec) {
        g_autoptr(GstPad) src = gst_element_get_static_pad(el, "rtp_src");
        if (src) {
            probe(src, on_in, d);
        }
    } else {
        GstIterator *it = gst_element_iterate_sink_pads(el);
        GValue v = G_VALUE_INIT;

        g_signal_connect_data(el, "pad-added", G_CALLBACK(on_enc_pad),
                              g_atomic_rc_box_acquire(d), closure_release, 0);
        while (gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
            on_enc_pad(el, g_value_get_object(&v), d);
            g_value_reset(&v);
        }
        g_value_unset(&v);
        gst_iterator_free(it);
    }
}

/* Any thread: an element was added somewhere in the room's pipeline; a
 * bin may bring children it made before it was added. */
static void
on_element(GstBin *pipeline, GstBin *bin, GstElement *el, gpointer data)
{
    watch_one(el, data);
    if (GST_IS_BIN(el)) {
        GstIterator *it = gst_bin_iterate_recurse(GST_BIN(el));
        GValue v = G_VALUE_INIT;

        while (gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
            watch_one(g_value_get_object(&v), data);
            g_value_reset(&v);
        }
        g_value_unset(&v);
        gst_iterator_free(it);
    }
}

struct tc_media__delay *
tc_media__delay_watch(GstElement *pipeline)
{
    struct tc_media__delay *d = g_atomic_rc_box_new0(struct tc_media__delay);

    g_mutex_init(&d->lock);
    g_signal_connect_data(pipeline, "deep-element-added",
                          G_CALLBACK(on_element), g_atomic_rc_box_acquire(d),
                          closure_release, 0);
    return d;
}

void
tc_media__delay_unref(struct tc_media__delay *d)
{
    if (d) {
        delay_release(d);
    }
}
