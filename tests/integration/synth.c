// SPDX-License-Identifier: Apache-2.0
/*
 * synth.c - the synthetic participant of synth.h: one pipeline holding
 * the publishing webrtcbin (test sources, VP8 and Opus encoders) and one
 * webrtcbin per feed (depayloaders, decoders, counting sinks).
 *
 * Feeds are kept until synth_free (an ended feed's webrtcbin is stopped
 * and removed at once), so GStreamer callbacks may hold a plain pointer
 * to them; synth_free stops the pipeline and runs the context dry before
 * freeing, so no job is left pointing at freed memory.
 *
 * Thread: the default GMainContext's (synth.h).
 */
#define GST_USE_UNSTABLE_API
#include "synth.h"

#include <nice/agent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

struct feed {
    struct synth *s;
    char id[32];
    GstElement *webrtc; /* NULL once ended */
    gint connected;
    gint64 video_frames, audio_buffers, rtp_packets, rtp_bytes;
    gint width, height, peak; /* peak: 0..32767 */
    /* Video sequence numbers (the video pad's streaming thread writes,
     * synth_feed reads): extended first and highest, packets. */
    gint64 vseq_first, vseq_high, vpackets;
};

struct synth_clip {
    GPtrArray *frames; /* GstBuffer *, PTS from 0 */
    GstClockTime duration;
    uint64_t bytes;
};

struct synth {
    struct synth_opts o;
    struct synth_ops ops;
    void *data;
    GstElement *pipeline;
    GstElement *pub;
    gint published;
    gint loss_pct;   /* of packets arriving on feeds (atomic) */
    gint remb_bps;   /* the last REMB received (atomic) */
    gint remb_count; /* REMBs received (atomic) */
    gint key_asks;   /* keyframe requests at the encoder (atomic) */
    gint key_ignore; /* of those, how many more to drop (atomic) */
    bool remb_hooked;
    guint clip_next;               /* the clip's next frame (appsrc thread) */
    GstClockTime clip_base;        /* added to its PTS: loops so far */
    GPtrArray *feeds;              /* struct feed * (owned) */
    GstWebRTCDataChannel *channel; /* to the server */
    GMutex lock;
    char *last_data; /* protected by lock */
    unsigned n_data; /* protected by lock */
};

/* ---- the main context ---- */

struct job {
    struct synth *s;
    struct feed *feed; /* NULL: publishing */
    char *type;        /* "answer", "offer" or NULL: a candidate */
    char *text;
    unsigned mline;
};

static gboolean
job_run(gpointer p)
{
    struct job *j = p;
    const char *feed = j->feed ? j->feed->id : NULL;

    if (j->feed && !j->feed->webrtc) {
        return G_SOURCE_REMOVE; /* ended meanwhile */
    }
    if (j->type) {
        j->s->ops.sdp(j->s->data, feed, j->type, j->text);
    } else {
        j->s->ops.candidate(j->s->data, feed, j->mline, j->text);
    }
    return G_SOURCE_REMOVE;
}

static void
job_free(gpointer p)
{
    struct job *j = p;

    g_free(j->type);
    g_free(j->text);
    g_free(j);
}

static void
post(struct synth *s, struct feed *feed, const char *type, char *text,
     unsigned mline)
{
    struct job *j = g_new0(struct job, 1);

    j->s = s;
    j->feed = feed;
    j->type = g_strdup(type);
    j->text = text;
    j->mline = mline;
    g_main_context_invoke_full(NULL, G_PRIORITY_DEFAULT, job_run, j, job_free);
}

/* ---- webrtcbin set-up shared by both sides ---- */

struct ctx {
    struct synth *s;
    struct feed *feed;
};

static void
on_candidate(GstElement *w, guint mline, const char *cand, gpointer p)
{
    struct ctx *c = p;

    post(c->s, c->feed, NULL, g_strdup(cand), mline);
}

static void
on_state(GObject *w, GParamSpec *ps, gpointer p)
{
    struct ctx *c = p;
    GstWebRTCPeerConnectionState st;

    g_object_get(w, "connection-state", &st, NULL);
    if (c->feed) {
        g_atomic_int_set(&c->feed->connected,
                         st == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED);
    } else {
        g_atomic_int_set(&c->s->published,
                         st == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED);
    }
}

static void
loopback(GstElement *webrtc)
{
    GObject *ice = NULL;
    NiceAgent *agent = NULL;
    NiceAddress a;

    g_object_get(webrtc, "ice-agent", &ice, NULL);
    g_object_get(ice, "agent", &agent, NULL);
    nice_address_init(&a);
    nice_address_set_from_string(&a, "127.0.0.1");
    nice_agent_add_local_address(agent, &a);
    g_object_unref(agent);
    g_object_unref(ice);
}

static void
ctx_free(gpointer p, GClosure *closure)
{
    g_free(p);
}

static void
wire(GstElement *webrtc, struct synth *s, struct feed *feed)
{
    struct ctx *c = g_new0(struct ctx, 1);

    c->s = s;
    c->feed = feed;
    g_object_set(webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE,
                 NULL);
    loopback(webrtc);
    g_signal_connect_data(webrtc, "on-ice-candidate", G_CALLBACK(on_candidate),
                          c, ctx_free, 0);
    g_signal_connect(webrtc, "notify::connection-state", G_CALLBACK(on_state),
                     c);
}

static GstWebRTCSessionDescription *
desc_parse(GstWebRTCSDPType type, const char *text)
{
    GstSDPMessage *sdp = NULL;

    gst_sdp_message_new(&sdp);
    if (gst_sdp_message_parse_buffer((const guint8 *)text, (guint)strlen(text),
                                     sdp) != GST_SDP_OK) {
        gst_sdp_message_free(sdp);
        return NULL;
    }
    return gst_webrtc_session_description_new(type, sdp);
}

/* ---- a pre-encoded clip ---- */

struct synth_clip *
synth_clip_new(unsigned bitrate_kbps, unsigned seconds)
{
    struct synth_clip *c = g_new0(struct synth_clip, 1);
    g_autofree char *desc = g_strdup_printf(
        "videotestsrc num-buffers=%u pattern=smpte horizontal-speed=4 ! "
        "video/x-raw,width=640,height=480,framerate=30/1 ! "
        "vp8enc deadline=1 cpu-used=4 end-usage=cbr target-bitrate=%u "
        "keyframe-max-dist=60 ! appsink name=out sync=false",
        seconds * 30, bitrate_kbps * 1000);
    GError *err = NULL;
    GstElement *p = gst_parse_launch(desc, &err);
    GstElement *sink;
    GstSample *sample;

    c->frames =
        g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
    if (!p || err) {
        printf("# synth clip: %s\n", err ? err->message : "no pipeline");
        g_clear_error(&err);
        gst_clear_object(&p);
        synth_clip_free(c);
        return NULL;
    }
    sink = gst_bin_get_by_name(GST_BIN(p), "out");
    gst_element_set_state(p, GST_STATE_PLAYING);
    while ((sample = gst_app_sink_pull_sample(GST_APP_SINK(sink)))) {
        GstBuffer *b = gst_sample_get_buffer(sample);

        c->bytes += gst_buffer_get_size(b);
        g_ptr_array_add(c->frames, gst_buffer_ref(b));
        gst_sample_unref(sample);
    }
    gst_element_set_state(p, GST_STATE_NULL);
    gst_object_unref(sink);
    gst_object_unref(p);
    c->duration = (GstClockTime)c->frames->len * GST_SECOND / 30;
    if (c->frames->len == 0) {
        synth_clip_free(c);
        return NULL;
    }
    return c;
}

void
synth_clip_free(struct synth_clip *c)
{
    if (c) {
        g_ptr_array_unref(c->frames);
        g_free(c);
    }
}

double
synth_clip_bps(const struct synth_clip *c)
{
    return (double)c->bytes * 8 * GST_SECOND / (double)c->duration;
}

/* appsrc's thread: the clip's next frame, stamped to play on in a loop. */
static void
on_need_data(GstAppSrc *src, guint length, gpointer p)
{
    struct synth *s = p;
    const struct synth_clip *c = s->o.clip;
    GstBuffer *b = gst_buffer_copy(g_ptr_array_index(c->frames, s->clip_next));

    GST_BUFFER_PTS(b) = s->clip_base + s->clip_next * GST_SECOND / 30;
    GST_BUFFER_DTS(b) = GST_BUFFER_PTS(b);
    GST_BUFFER_DURATION(b) = GST_SECOND / 30;
    if (++s->clip_next == c->frames->len) {
        s->clip_next = 0;
        s->clip_base += c->duration;
    }
    gst_app_src_push_buffer(src, b);
}

/* ---- publishing ---- */

static void
on_offer(GstPromise *promise, gpointer p)
{
    struct synth *s = p;
    GstWebRTCSessionDescription *offer = NULL;
    const GstStructure *r;

    gst_promise_wait(promise);
    r = gst_promise_get_reply(promise);
    if (r) {
        gst_structure_get(r, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                          &offer, NULL);
    }
    gst_promise_unref(promise);
    if (!offer) {
        printf("# synth: no offer\n");
        return;
    }
    g_signal_emit_by_name(s->pub, "set-local-description", offer, NULL);
    post(s, NULL, "offer", gst_sdp_message_as_text(offer->sdp), 0);
    gst_webrtc_session_description_free(offer);
}

static char *
publisher_desc(const struct synth_opts *o)
{
    GString *d = g_string_new("webrtcbin name=pub latency=100 ");

    if (o->video && o->clip) {
        g_string_append(d, "appsrc name=vsrc is-live=true format=time "
                           "caps=video/x-vp8,width=640,height=480,"
                           "framerate=30/1 ! clocksync ! "
                           "valve name=vvalve ! rtpvp8pay pt=96 mtu=1200 ! "
                           "application/x-rtp,media=video,encoding-name=VP8,"
                           "payload=96,clock-rate=90000,"
                           "rtcp-fb-nack-pli=(boolean)true,"
                           "rtcp-fb-nack=(boolean)true ! pub. ");
    } else if (o->video) {
        g_string_append_printf(
            d,
            "videotestsrc is-live=true pattern=ball ! "
            "video/x-raw,width=640,height=480,framerate=30/1 ! "
            "vp8enc name=venc deadline=1 cpu-used=8 target-bitrate=%u "
            "keyframe-max-dist=%u ! valve name=vvalve ! "
            "rtpvp8pay pt=96 mtu=1200 ! "
            "application/x-rtp,media=video,encoding-name=VP8,payload=96,"
            "clock-rate=90000,rtcp-fb-nack-pli=(boolean)true,"
            "rtcp-fb-nack=(boolean)true ! pub. ",
            (o->bitrate_kbps ? o->bitrate_kbps : 600) * 1000,
            o->keyframes_on_request ? 100000 : 60);
    }
    if (o->audio) {
        g_string_append(d, "audiotestsrc is-live=true wave=sine freq=440 "
                           "volume=0.3 ! audioconvert ! audioresample ! "
                           "opusenc ! valve name=avalve ! "
                           "rtpopuspay pt=111 ! "
                           "application/x-rtp,media=audio,encoding-name=OPUS,"
                           "payload=111,clock-rate=48000 ! pub. ");
    }
    return g_string_free(d, FALSE);
}

static void
on_data(GObject *channel, const char *text, gpointer p)
{
    struct synth *s = p;

    g_mutex_lock(&s->lock);
    g_free(s->last_data);
    s->last_data = g_strdup(text);
    s->n_data++;
    g_mutex_unlock(&s->lock);
}

bool
synth_send_data(struct synth *s, const char *text)
{
    GstWebRTCDataChannelState st = GST_WEBRTC_DATA_CHANNEL_STATE_CLOSED;

    if (s->channel) {
        g_object_get(s->channel, "ready-state", &st, NULL);
    }
    if (st != GST_WEBRTC_DATA_CHANNEL_STATE_OPEN) {
        return false;
    }
    gst_webrtc_data_channel_send_string(s->channel, text);
    return true;
}

unsigned
synth_data(struct synth *s, char *last, size_t len)
{
    unsigned n;

    g_mutex_lock(&s->lock);
    n = s->n_data;
    g_strlcpy(last, s->last_data ? s->last_data : "", len);
    g_mutex_unlock(&s->lock);
    return n;
}

int
synth_publish(struct synth *s)
{
    GArray *all = NULL;

    g_signal_emit_by_name(s->pub, "create-data-channel", "telecare", NULL,
                          &s->channel);
    if (s->channel) {
        g_signal_connect(s->channel, "on-message-string", G_CALLBACK(on_data),
                         s);
    }
    g_signal_emit_by_name(s->pub, "get-transceivers", &all);
    for (guint i = 0; all && i < all->len; i++) {
        g_object_set(g_array_index(all, GObject *, i), "direction",
                     GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, "do-nack",
                     TRUE, NULL);
    }
    if (all) {
        g_array_unref(all);
    }
    g_signal_emit_by_name(s->pub, "create-offer", NULL,
                          gst_promise_new_with_change_func(on_offer, s, NULL));
    return 0;
}

/* ---- feeds ---- */

static GstPadProbeReturn
on_video_frame(GstPad *pad, GstPadProbeInfo *info, gpointer p)
{
    struct feed *f = p;
    GstCaps *caps = gst_pad_get_current_caps(pad);

    if (caps) {
        GstStructure *st = gst_caps_get_structure(caps, 0);
        int w = 0, h = 0;

        gst_structure_get_int(st, "width", &w);
        gst_structure_get_int(st, "height", &h);
        g_atomic_int_set(&f->width, w);
        g_atomic_int_set(&f->height, h);
        gst_caps_unref(caps);
    }
    g_atomic_pointer_add(&f->video_frames, 1);
    return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_audio(GstPad *pad, GstPadProbeInfo *info, gpointer p)
{
    struct feed *f = p;
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
    GstMapInfo map;
    int peak = 0;

    if (gst_buffer_map(buf, &map, GST_MAP_READ)) {
        const gint16 *v = (const gint16 *)map.data;

        for (gsize i = 0; i < map.size / 2; i++) {
            int a = abs(v[i]);
            peak = a > peak ? a : peak;
        }
        gst_buffer_unmap(buf, &map);
    }
    if (peak > g_atomic_int_get(&f->peak)) {
        g_atomic_int_set(&f->peak, peak);
    }
    g_atomic_pointer_add(&f->audio_buffers, 1);
    return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_rtp(GstPad *pad, GstPadProbeInfo *info, gpointer p)
{
    struct feed *f = p;

    g_atomic_pointer_add(&f->rtp_packets, 1);
    g_atomic_pointer_add(&f->rtp_bytes,
                         gst_buffer_get_size(GST_PAD_PROBE_INFO_BUFFER(info)));
    return GST_PAD_PROBE_OK;
}

/* Streaming thread of a video pad: sequence numbers, for loss. */
static GstPadProbeReturn
on_video_rtp(GstPad *pad, GstPadProbeInfo *info, gpointer p)
{
    struct feed *f = p;
    uint8_t h[4];
    gint64 seq, high, ext;

    if (gst_buffer_extract(GST_PAD_PROBE_INFO_BUFFER(info), 0, h, 4) != 4) {
        return GST_PAD_PROBE_OK;
    }
    seq = h[2] << 8 | h[3];
    high = (gint64)g_atomic_pointer_get(&f->vseq_high);
    if (g_atomic_pointer_get(&f->vpackets) == 0) {
        ext = seq + 65536 * 16; /* room to go back */
        g_atomic_pointer_set(&f->vseq_first, ext);
    } else {
        /* The extended number nearest the highest so far. */
        ext = (high & ~(gint64)0xffff) | seq;
        if (ext < high - 32768) {
            ext += 65536;
        } else if (ext > high + 32768) {
            ext -= 65536;
        }
        if (ext < (gint64)g_atomic_pointer_get(&f->vseq_first)) {
            g_atomic_pointer_set(&f->vseq_first, ext);
        }
    }
    if (ext > high) {
        g_atomic_pointer_set(&f->vseq_high, ext);
    }
    g_atomic_pointer_add(&f->vpackets, 1);
    return GST_PAD_PROBE_OK;
}

/* Streaming thread: decode (or count) what a feed brings. */
static void
on_feed_pad(GstElement *webrtc, GstPad *pad, gpointer p)
{
    struct feed *f = p;
    GstCaps *caps = gst_pad_get_current_caps(pad);
    const char *enc = NULL;
    const char *chain;
    GstElement *bin;
    GstPad *sink;
    GError *err = NULL;

    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) {
        return;
    }
    if (caps) {
        enc = gst_structure_get_string(gst_caps_get_structure(caps, 0),
                                       "encoding-name");
    }
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_rtp, f, NULL);
    if (enc && g_ascii_strcasecmp(enc, "OPUS") != 0) {
        gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_video_rtp, f,
                          NULL);
    }
    if (f->s->o.count_only || !enc) {
        chain = "fakesink name=out sync=false async=false";
    } else if (g_ascii_strcasecmp(enc, "VP8") == 0) {
        chain = "rtpvp8depay ! vp8dec ! fakesink name=out sync=false "
                "async=false";
    } else if (g_ascii_strcasecmp(enc, "OPUS") == 0) {
        chain = "rtpopusdepay ! opusdec ! audio/x-raw,format=S16LE ! "
                "fakesink name=out sync=false async=false";
    } else {
        chain = "rtph264depay ! decodebin ! fakesink name=out sync=false "
                "async=false";
    }
    bin = gst_parse_bin_from_description(chain, TRUE, &err);
    if (!bin) {
        printf("# synth: %s\n", err->message);
        g_clear_error(&err);
        gst_clear_caps(&caps);
        return;
    }
    if (!f->s->o.count_only && enc) {
        GstElement *out = gst_bin_get_by_name(GST_BIN(bin), "out");
        GstPad *in = gst_element_get_static_pad(out, "sink");
        bool video = g_ascii_strcasecmp(enc, "OPUS") != 0;

        gst_pad_add_probe(in, GST_PAD_PROBE_TYPE_BUFFER,
                          video ? on_video_frame : on_audio, f, NULL);
        gst_object_unref(in);
        gst_object_unref(out);
    }
    gst_bin_add(GST_BIN(f->s->pipeline), bin);
    gst_element_sync_state_with_parent(bin);
    sink = gst_element_get_static_pad(bin, "sink");
    gst_pad_link(pad, sink);
    gst_object_unref(sink);
    gst_clear_caps(&caps);
}

static void
on_feed_answer(GstPromise *promise, gpointer p)
{
    struct feed *f = p;
    GstWebRTCSessionDescription *answer = NULL;
    const GstStructure *r;

    gst_promise_wait(promise);
    r = gst_promise_get_reply(promise);
    if (r) {
        gst_structure_get(r, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                          &answer, NULL);
    }
    gst_promise_unref(promise);
    if (!answer) {
        printf("# synth: feed %s: no answer\n", f->id);
        return;
    }
    g_signal_emit_by_name(f->webrtc, "set-local-description", answer, NULL);
    post(f->s, f, "answer", gst_sdp_message_as_text(answer->sdp), 0);
    gst_webrtc_session_description_free(answer);
}

static void
on_feed_offer_set(GstPromise *promise, gpointer p)
{
    struct feed *f = p;

    gst_promise_unref(promise);
    g_signal_emit_by_name(
        f->webrtc, "create-answer", NULL,
        gst_promise_new_with_change_func(on_feed_answer, f, NULL));
}

/* Streaming thread: a lossy downlink. */
static GstPadProbeReturn
on_arrival(GstPad *pad, GstPadProbeInfo *info, gpointer p)
{
    struct synth *s = p;

    return g_random_int_range(0, 100) < g_atomic_int_get(&s->loss_pct)
               ? GST_PAD_PROBE_DROP
               : GST_PAD_PROBE_OK;
}

static void
watch_nicesrc(GstElement *el, struct synth *s)
{
    GstElementFactory *f = gst_element_get_factory(el);
    GstPad *src;

    if (!f || strcmp(GST_OBJECT_NAME(f), "nicesrc") != 0 ||
        g_object_get_data(G_OBJECT(el), "synth-loss")) {
        return;
    }
    g_object_set_data(G_OBJECT(el), "synth-loss", s);
    src = gst_element_get_static_pad(el, "src");
    gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER, on_arrival, s, NULL);
    gst_object_unref(src);
}

/* An element was added inside a feed's webrtcbin (maybe a bin that
 * already holds the nicesrc). */
static void
on_feed_element(GstBin *top, GstBin *bin, GstElement *el, gpointer p)
{
    watch_nicesrc(el, p);
    if (GST_IS_BIN(el)) {
        GstIterator *it = gst_bin_iterate_recurse(GST_BIN(el));
        GValue v = G_VALUE_INIT;

        while (gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
            watch_nicesrc(g_value_get_object(&v), p);
            g_value_reset(&v);
        }
        g_value_unset(&v);
        gst_iterator_free(it);
    }
}

void
synth_set_loss(struct synth *s, unsigned pct)
{
    g_atomic_int_set(&s->loss_pct, (gint)pct);
}

static struct feed *
feed_find(struct synth *s, const char *id)
{
    for (guint i = 0; id && i < s->feeds->len; i++) {
        struct feed *f = g_ptr_array_index(s->feeds, i);
        if (f->webrtc && strcmp(f->id, id) == 0) {
            return f;
        }
    }
    return NULL;
}

static void
feed_offer(struct synth *s, const char *id, const char *sdp)
{
    struct feed *f = g_new0(struct feed, 1);
    GstWebRTCSessionDescription *offer =
        desc_parse(GST_WEBRTC_SDP_TYPE_OFFER, sdp);

    synth_feed_end(s, id); /* a new offer replaces an old feed */
    f->s = s;
    g_strlcpy(f->id, id, sizeof(f->id));
    g_ptr_array_add(s->feeds, f);
    if (!offer) {
        return;
    }
    f->webrtc = gst_element_factory_make("webrtcbin", NULL);
    g_object_set(f->webrtc, "latency", 100, NULL);
    wire(f->webrtc, s, f);
    g_signal_connect(f->webrtc, "pad-added", G_CALLBACK(on_feed_pad), f);
    g_signal_connect(f->webrtc, "deep-element-added",
                     G_CALLBACK(on_feed_element), s);
    gst_bin_add(GST_BIN(s->pipeline), f->webrtc);
    gst_element_sync_state_with_parent(f->webrtc);
    g_signal_emit_by_name(
        f->webrtc, "set-remote-description", offer,
        gst_promise_new_with_change_func(on_feed_offer_set, f, NULL));
    gst_webrtc_session_description_free(offer);
}

/* ---- the API ---- */

void
synth_on_sdp(struct synth *s, const char *feed, const char *type,
             const char *sdp)
{
    if (!feed && strcmp(type, "answer") == 0) {
        GstWebRTCSessionDescription *d =
            desc_parse(GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
        if (d) {
            g_signal_emit_by_name(s->pub, "set-remote-description", d, NULL);
            gst_webrtc_session_description_free(d);
        }
    } else if (feed && strcmp(type, "offer") == 0) {
        feed_offer(s, feed, sdp);
    }
}

void
synth_on_candidate(struct synth *s, const char *feed, unsigned mline,
                   const char *candidate)
{
    GstElement *w = feed ? NULL : s->pub;
    struct feed *f = feed_find(s, feed);

    if (f) {
        w = f->webrtc;
    }
    if (w && candidate && candidate[0]) {
        g_signal_emit_by_name(w, "add-ice-candidate", mline, candidate);
    }
}

void
synth_feed_end(struct synth *s, const char *feed)
{
    struct feed *f = feed_find(s, feed);

    if (!f) {
        return;
    }
    gst_element_set_state(f->webrtc, GST_STATE_NULL);
    gst_bin_remove(GST_BIN(s->pipeline), f->webrtc);
    f->webrtc = NULL;
    g_atomic_int_set(&f->connected, 0);
}

struct synth_feed_stats
synth_feed(struct synth *s, const char *feed)
{
    struct synth_feed_stats st = {0};
    struct feed *f = NULL;

    for (guint i = 0; i < s->feeds->len; i++) {
        struct feed *x = g_ptr_array_index(s->feeds, i);
        if (strcmp(x->id, feed) == 0) {
            f = x; /* the latest of that id */
        }
    }
    if (!f) {
        return st;
    }
    st.exists = f->webrtc != NULL;
    st.connected = g_atomic_int_get(&f->connected);
    st.video_frames = (uint64_t)g_atomic_pointer_get(&f->video_frames);
    st.width = g_atomic_int_get(&f->width);
    st.height = g_atomic_int_get(&f->height);
    st.audio_buffers = (uint64_t)g_atomic_pointer_get(&f->audio_buffers);
    st.audio_peak = g_atomic_int_get(&f->peak) / 32767.0;
    st.rtp_packets = (uint64_t)g_atomic_pointer_get(&f->rtp_packets);
    st.rtp_bytes = (uint64_t)g_atomic_pointer_get(&f->rtp_bytes);
    st.video_packets = (uint64_t)g_atomic_pointer_get(&f->vpackets);
    if (st.video_packets > 0) {
        st.video_expected =
            (uint64_t)((gint64)g_atomic_pointer_get(&f->vseq_high) -
                       (gint64)g_atomic_pointer_get(&f->vseq_first) + 1);
    }
    return st;
}

void
synth_set_video(struct synth *s, bool on)
{
    GstElement *v = gst_bin_get_by_name(GST_BIN(s->pipeline), "vvalve");

    if (v) {
        g_object_set(v, "drop", !on, NULL);
        gst_object_unref(v);
    }
}

/* Streaming thread: an upstream event at the encoder's output. */
static GstPadProbeReturn
on_encoder_event(GstPad *pad, GstPadProbeInfo *info, gpointer p)
{
    struct synth *s = p;
    const GstStructure *st =
        gst_event_get_structure(GST_PAD_PROBE_INFO_EVENT(info));

    if (!st || !gst_structure_has_name(st, "GstForceKeyUnit")) {
        return GST_PAD_PROBE_OK;
    }
    g_atomic_int_inc(&s->key_asks);
    for (;;) {
        gint left = g_atomic_int_get(&s->key_ignore);

        if (left <= 0) {
            return GST_PAD_PROBE_OK;
        }
        if (g_atomic_int_compare_and_exchange(&s->key_ignore, left,
                                              left - 1)) {
            return GST_PAD_PROBE_DROP;
        }
    }
}

void
synth_ignore_keyframe_requests(struct synth *s, unsigned n)
{
    g_atomic_int_set(&s->key_ignore, (gint)n);
}

unsigned
synth_keyframe_requests(struct synth *s)
{
    return (unsigned)g_atomic_int_get(&s->key_asks);
}

void
synth_set_audio(struct synth *s, bool on)
{
    GstElement *a = gst_bin_get_by_name(GST_BIN(s->pipeline), "avalve");

    if (a) {
        g_object_set(a, "drop", !on, NULL);
        gst_object_unref(a);
    }
}

/* RTP session thread: feedback from the server; keeps a REMB's bitrate. */
static void
on_feedback(GObject *session, guint type, guint fbtype, guint sender,
            guint media, GstBuffer *fci, gpointer p)
{
    struct synth *s = p;
    guint8 b[8];

    if (type != 206 || fbtype != 15 || !fci ||
        gst_buffer_extract(fci, 0, b, 8) != 8 || memcmp(b, "REMB", 4) != 0) {
        return;
    }
    g_atomic_int_inc(&s->remb_count);
    g_atomic_int_set(
        &s->remb_bps,
        (gint)((((guint)(b[5] & 3) << 16) | (guint)b[6] << 8 | b[7])
               << (b[5] >> 2)));
}

unsigned
synth_remb_bps(struct synth *s)
{
    GstElement *rtpbin;
    GObject *session = NULL;

    if (!s->remb_hooked &&
        (rtpbin = gst_bin_get_by_name(GST_BIN(s->pub), "rtpbin"))) {
        g_signal_emit_by_name(rtpbin, "get-internal-session", 0u, &session);
        if (session) {
            g_signal_connect(session, "on-feedback-rtcp",
                             G_CALLBACK(on_feedback), s);
            s->remb_hooked = true;
            g_object_unref(session);
        }
        gst_object_unref(rtpbin);
    }
    return (unsigned)g_atomic_int_get(&s->remb_bps);
}

unsigned
synth_remb_count(struct synth *s)
{
    synth_remb_bps(s); /* hooks the session when it exists */
    return (unsigned)g_atomic_int_get(&s->remb_count);
}

unsigned
synth_feeds(struct synth *s)
{
    unsigned n = 0;

    for (guint i = 0; i < s->feeds->len; i++) {
        n += ((struct feed *)g_ptr_array_index(s->feeds, i))->webrtc != NULL;
    }
    return n;
}

bool
synth_published(struct synth *s)
{
    return g_atomic_int_get(&s->published);
}

/* Count (and maybe drop) the keyframe requests reaching the encoder. */
static void
hook_encoder(struct synth *s)
{
    GstElement *enc = gst_bin_get_by_name(GST_BIN(s->pipeline), "venc");
    GstPad *src;

    if (!enc) {
        return; /* no live video */
    }
    src = gst_element_get_static_pad(enc, "src");
    gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, on_encoder_event,
                      s, NULL);
    gst_object_unref(src);
    gst_object_unref(enc);
}

struct synth *
synth_new(const struct synth_opts *opts, const struct synth_ops *ops,
          void *data)
{
    struct synth *s = g_new0(struct synth, 1);
    g_autofree char *desc = publisher_desc(opts);
    GError *err = NULL;

    s->o = *opts;
    s->ops = *ops;
    s->data = data;
    s->feeds = g_ptr_array_new_with_free_func(g_free);
    g_mutex_init(&s->lock);
    s->pipeline = gst_parse_launch(desc, &err);
    if (!s->pipeline) {
        printf("# synth: %s\n", err->message);
        g_clear_error(&err);
        synth_free(s);
        return NULL;
    }
    s->pub = gst_bin_get_by_name(GST_BIN(s->pipeline), "pub");
    wire(s->pub, s, NULL);
    hook_encoder(s);
    if (opts->video && opts->clip) {
        GstElement *src = gst_bin_get_by_name(GST_BIN(s->pipeline), "vsrc");
        GstAppSrcCallbacks cb = {.need_data = on_need_data};

        gst_app_src_set_callbacks(GST_APP_SRC(src), &cb, s, NULL);
        gst_object_unref(src);
    }
    gst_element_set_state(s->pipeline, GST_STATE_PLAYING);
    return s;
}

void
synth_free(struct synth *s)
{
    if (!s) {
        return;
    }
    if (s->pipeline) {
        gst_element_set_state(s->pipeline, GST_STATE_NULL);
        while (g_main_context_iteration(NULL, FALSE)) {
        }
        gst_object_unref(s->pipeline);
    }
    gst_clear_object(&s->pub);
    if (s->channel) {
        g_signal_handlers_disconnect_by_data(s->channel, s);
        gst_clear_object(&s->channel);
    }
    g_free(s->last_data);
    g_mutex_clear(&s->lock);
    g_ptr_array_unref(s->feeds);
    g_free(s);
}
