// SPDX-License-Identifier: Apache-2.0
/*
 * recorder.c - recording a published track without transcoding: a branch
 * of the track's tee that depayloads and muxes what arrives into a file
 * of its own (VP8 and Opus: WebM; H.264: Matroska).
 *
 *   room pipeline:  tee --queue (leaky)--> appsink
 *   its own pipeline: appsrc --> rtpvp8depay --> webmmux --> filesink .webm
 *                            --> rtpopusdepay --> opusparse --> webmmux
 *                            --> rtph264depay --> h264parse --> matroskamux
 *
 * The file is written by a pipeline of its own, fed from an appsink in the
 * room's pipeline: whatever goes wrong in muxing (caps a muxer refuses, a
 * full disk) stops that recording only, never the call (an error flowing
 * back through the tee would stop the publisher's connection). Buffers are
 * stamped with their arrival time, from the recording's first buffer on.
 *
 * The file starts at the first frame the muxer is given: for video the
 * first keyframe (the depayloader drops what comes before it, which cannot
 * be decoded), a PLI round trip or more after the first packet. The
 * muxer shifts it to 0 (offset-to-zero), and the duration and start time
 * the records get are those of what reached the muxer, so they are the
 * file's: first frame to the end of the last.
 *
 * Killed mid-call: the muxer writes its clusters as they complete (at most
 * about a second of media each) and filesink writes them out unbuffered,
 * so the file holds everything up to the last second and plays; only the
 * duration and the seek index, written at a clean end, are missing.
 *
 * Stopping: the tee pad is released (nothing more flows in), the appsrc
 * queue gets EOS behind what it still holds, and we wait (at most 5 s) for the
 * recording pipeline's EOS: by then the muxer has rewritten the header with
 * the duration. Then both halves are stopped, and the file's size and SHA-256
 * are taken. The wait and the hash run on the room's context: a one-hour
 * recording (about 450 MB) takes about 2 s to hash on this machine.
 *
 * Thread: the room's context; the appsink callback runs on the queue's
 * thread and only pushes into the appsrc (thread-safe) under `lock`.
 */
#include <errno.h>
#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include "media-int.h"

#define EOS_WAIT (5 * GST_SECOND)
/* Video: ask again for the first keyframe every KEYFRAME_ASK_MS, at most
 * KEYFRAME_ASKS times. */
#define KEYFRAME_ASK_MS 400
#define KEYFRAME_ASKS   10
/* A cluster at least every second, keyframe or not: what a kill -9 can
 * lose. */
#define CLUSTER "max-cluster-duration=1000000000 offset-to-zero=true"

/* The frames a stream holds: the first's time and the end of the last. */
struct span {
    GstClockTime first, end; /* GST_CLOCK_TIME_NONE: no frame yet */
};

#define SPAN_EMPTY ((struct span){GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE})

/* Count `buf` in `s` (a buffer without a time is not counted). */
static void
span_add(struct span *s, const GstBuffer *buf)
{
    GstClockTime pts = GST_BUFFER_PTS(buf), end = pts;

    if (!GST_CLOCK_TIME_IS_VALID(pts)) {
        return;
    }
    if (GST_BUFFER_DURATION_IS_VALID(buf)) {
        end += GST_BUFFER_DURATION(buf);
    }
    if (!GST_CLOCK_TIME_IS_VALID(s->first) || pts < s->first) {
        s->first = pts;
    }
    if (!GST_CLOCK_TIME_IS_VALID(s->end) || end > s->end) {
        s->end = end;
    }
}

static bool
span_empty(const struct span *s)
{
    return !GST_CLOCK_TIME_IS_VALID(s->first);
}

static int64_t
span_us(const struct span *s)
{
    return span_empty(s) ? 0 : (int64_t)((s->end - s->first) / 1000);
}

struct tc_media__rec {
    GstElement *room_pipeline;
    GstElement *queue, *sink; /* in the room's pipeline */
    GstPad *tee_pad;
    GstElement *pipeline; /* the recording's own */
    GstElement *src;
    char *path;
    int64_t started_at_us; /* real time */
    int64_t started_mono_us;
    GMutex lock;
    GstClockTime base_pts; /* protected by lock: the first's arrival */
    struct span mux;       /* protected by lock: what the muxer was given */
    bool keyframed;        /* protected by lock: the muxer had a keyframe */
    bool caps_set;         /* protected by lock */
    GSource *ask_timer;    /* video: asking for the first keyframe */
    unsigned asks;
};

/* Times from the recording's first buffer on. */
static void
rebase(GstClockTime *t, GstClockTime *base)
{
    if (!GST_CLOCK_TIME_IS_VALID(*t)) {
        return;
    }
    if (!GST_CLOCK_TIME_IS_VALID(*base)) {
        *base = *t;
    }
    *t = *t > *base ? *t - *base : 0;
}

static GstFlowReturn
on_sample(GstAppSink *sink, gpointer data)
{
    struct tc_media__rec *r = data;
    GstSample *sample = gst_app_sink_pull_sample(sink);
    GstBuffer *buf;

    if (!sample) {
        return GST_FLOW_OK;
    }
    buf = gst_buffer_copy(gst_sample_get_buffer(sample));
    g_mutex_lock(&r->lock);
    if (!r->caps_set) {
        gst_app_src_set_caps(GST_APP_SRC(r->src), gst_sample_get_caps(sample));
        r->caps_set = true;
    }
    /* Arrival times: the jitter buffer's first timestamps can lie ahead of
     * the ones that follow, which would fold the start of the recording. */
    GST_BUFFER_PTS(buf) = (GstClockTime)(g_get_monotonic_time() * 1000);
    GST_BUFFER_DTS(buf) = GST_CLOCK_TIME_NONE;
    rebase(&GST_BUFFER_PTS(buf), &r->base_pts);
    g_mutex_unlock(&r->lock);
    gst_app_src_push_buffer(GST_APP_SRC(r->src), buf);
    gst_sample_unref(sample);
    return GST_FLOW_OK; /* never an error back into the call */
}

/* A buffer going into the muxer: what the file will hold. */
static GstPadProbeReturn
on_mux_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct tc_media__rec *r = data;
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);

    g_mutex_lock(&r->lock);
    span_add(&r->mux, buf);
    if (!GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT)) {
        r->keyframed = true;
    }
    g_mutex_unlock(&r->lock);
    return GST_PAD_PROBE_OK;
}

/* Watch every input of the muxer (one: a file per track). */
static void
probe_mux(struct tc_media__rec *r)
{
    g_autoptr(GstElement) mux =
        gst_bin_get_by_name(GST_BIN(r->pipeline), "mux");
    g_autoptr(GstIterator) it = gst_element_iterate_sink_pads(mux);
    GValue v = G_VALUE_INIT;

    while (gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
        gst_pad_add_probe(g_value_get_object(&v), GST_PAD_PROBE_TYPE_BUFFER,
                          on_mux_buffer, r, NULL);
        g_value_reset(&v);
    }
    g_value_unset(&v);
}

/* The room's half drained its queue: end the file's stream. */
static void
on_sink_eos(GstAppSink *sink, gpointer data)
{
    struct tc_media__rec *r = data;

    gst_app_src_end_of_stream(GST_APP_SRC(r->src));
}

static const char *
chain_for(const GstCaps *caps, const char **ext)
{
    const char *enc = gst_structure_get_string(gst_caps_get_structure(caps, 0),
                                               "encoding-name");

    *ext = "webm";
    if (enc && g_ascii_strcasecmp(enc, "VP8") == 0) {
        return "rtpvp8depay ! webmmux name=mux " CLUSTER;
    }
    if (enc && g_ascii_strcasecmp(enc, "OPUS") == 0) {
        return "rtpopusdepay ! opusparse ! webmmux name=mux " CLUSTER;
    }
    *ext = "mkv";
    return "rtph264depay ! h264parse ! matroskamux name=mux " CLUSTER;
}

/* The recording's own pipeline: appsrc -> depay -> mux -> file. */
static bool
file_pipeline(struct tc_media__rec *r, const char *chain)
{
    g_autofree char *desc = g_strdup_printf(
        "appsrc name=src is-live=true format=time max-bytes=32000000 "
        "leaky-type=downstream ! %s ! filesink name=file sync=false "
        "async=false buffer-mode=unbuffered",
        chain);
    g_autoptr(GError) err = NULL;
    g_autoptr(GstElement) file = NULL;

    r->pipeline = gst_parse_launch(desc, &err);
    if (!r->pipeline) {
        GST_ERROR("recorder: %s", err ? err->message : "no pipeline");
        return false;
    }
    gst_object_ref_sink(r->pipeline);
    r->src = gst_bin_get_by_name(GST_BIN(r->pipeline), "src");
    file = gst_bin_get_by_name(GST_BIN(r->pipeline), "file");
    g_object_set(file, "location", r->path, NULL);
    probe_mux(r);
    return gst_element_set_state(r->pipeline, GST_STATE_PLAYING) !=
           GST_STATE_CHANGE_FAILURE;
}

/* Until the file has its first keyframe, ask again: a request can go
 * unanswered (a publisher may ignore one that comes soon after its last
 * keyframe, and RTCP may be lost). */
static gboolean
on_keyframe_due(gpointer data)
{
    struct tc_media__rec *r = data;
    bool keyframed;

    g_mutex_lock(&r->lock);
    keyframed = r->keyframed;
    g_mutex_unlock(&r->lock);
    if (keyframed || ++r->asks > KEYFRAME_ASKS) {
        r->ask_timer = NULL;
        return G_SOURCE_REMOVE;
    }
    tc_media__ask_keyframe(r->queue);
    return G_SOURCE_CONTINUE;
}

/* The room's half: tee -> leaky queue -> appsink. */
static bool
room_branch(struct tc_media__rec *r, GstElement *tee)
{
    GstAppSinkCallbacks cb = {.eos = on_sink_eos, .new_sample = on_sample};
    g_autoptr(GstPad) qsink = NULL;

    r->queue = gst_element_factory_make("queue", NULL);
    r->sink = gst_element_factory_make("appsink", NULL);
    if (!r->queue || !r->sink) {
        return false;
    }
    gst_object_ref_sink(r->queue);
    gst_object_ref_sink(r->sink);
    /* Ten seconds of slack for a starved recording thread: the call never
     * waits for it, and the file loses nothing short of that. */
    g_object_set(r->queue, "leaky", 2, "max-size-buffers", 0, "max-size-bytes",
                 0, "max-size-time", (guint64)10 * GST_SECOND, NULL);
    g_object_set(r->sink, "sync", FALSE, "async", FALSE, NULL);
    gst_app_sink_set_callbacks(GST_APP_SINK(r->sink), &cb, r, NULL);
    gst_bin_add_many(GST_BIN(r->room_pipeline), r->queue, r->sink, NULL);
    if (!gst_element_link(r->queue, r->sink)) {
        return false;
    }
    gst_element_sync_state_with_parent(r->sink);
    gst_element_sync_state_with_parent(r->queue);
    qsink = gst_element_get_static_pad(r->queue, "sink");
    r->tee_pad = gst_element_request_pad_simple(tee, "src_%u");
    if (!r->tee_pad || gst_pad_link(r->tee_pad, qsink) != GST_PAD_LINK_OK) {
        return false;
    }
    /* Start the file on a keyframe: ask the publisher for one. */
    tc_media__ask_keyframe(r->queue);
    return true;
}

struct tc_media__rec *
tc_media__rec_start(GstElement *pipeline, GstElement *tee, const GstCaps *caps,
                    const char *dir, const char *stem)
{
    struct tc_media__rec *r = g_new0(struct tc_media__rec, 1);
    const char *ext;
    const char *chain = chain_for(caps, &ext);

    g_mutex_init(&r->lock);
    r->base_pts = GST_CLOCK_TIME_NONE;
    r->mux = SPAN_EMPTY;
    r->room_pipeline = gst_object_ref(pipeline);
    r->path = g_strdup_printf("%s/%s.%s", dir, stem, ext);
    r->started_at_us = g_get_real_time();
    r->started_mono_us = g_get_monotonic_time();
    if (!file_pipeline(r, chain) || !room_branch(r, tee)) {
        GST_ERROR("recorder: cannot record into %s", r->path);
        tc_media__rec_stop(r, NULL);
        tc_media__rec_free(r);
        return NULL;
    }
    if (g_strcmp0(
            gst_structure_get_string(gst_caps_get_structure(caps, 0), "media"),
            "video") == 0) {
        r->ask_timer = g_timeout_source_new(KEYFRAME_ASK_MS);
        g_source_set_callback(r->ask_timer, on_keyframe_due, r, NULL);
        g_source_attach(r->ask_timer, g_main_context_get_thread_default());
        g_source_unref(r->ask_timer); /* the context holds it */
    }
    GST_INFO("recording into %s", r->path);
    return r;
}

/* Size and SHA-256 (hex) of the file at `path`. */
static int
file_digest(const char *path, uint64_t *size, char sha256[65])
{
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_autoptr(GMappedFile) map = g_mapped_file_new(path, FALSE, NULL);

    if (!map) {
        return -EIO;
    }
    g_checksum_update(sum, (const guchar *)g_mapped_file_get_contents(map),
                      (gssize)g_mapped_file_get_length(map));
    *size = g_mapped_file_get_length(map);
    g_strlcpy(sha256, g_checksum_get_string(sum), 65);
    return 0;
}

/* End the stream (what the room's queue still holds goes first) and
 * wait for the file to be written out. */
static bool
finish_file(struct tc_media__rec *r)
{
    g_autoptr(GstBus) bus = gst_element_get_bus(r->pipeline);
    g_autoptr(GstPad) qsink = gst_element_get_static_pad(r->queue, "sink");
    GstMessage *msg;
    bool ok;

    gst_pad_send_event(qsink, gst_event_new_eos());
    msg = gst_bus_timed_pop_filtered(bus, EOS_WAIT,
                                     GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    ok = msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
    if (!ok) {
        GST_WARNING("recorder %s: %s", r->path,
                    msg ? "failed while writing" : "no end within 5 s");
    }
    gst_clear_message(&msg);
    return ok;
}

/* The real time of the file's first frame, and how long the file runs:
 * from its first frame to the end of its last. A file that got no frame
 * starts when the recording did and lasts 0. */
static void
file_times(struct tc_media__rec *r, int64_t *started_at_us,
           int64_t *duration_us)
{
    *started_at_us = r->started_at_us;
    *duration_us = 0;
    g_mutex_lock(&r->lock);
    if (!span_empty(&r->mux) && GST_CLOCK_TIME_IS_VALID(r->base_pts)) {
        /* base_pts: the first packet's arrival, monotonic */
        *started_at_us += (int64_t)(r->base_pts / 1000) - r->started_mono_us +
                          (int64_t)(r->mux.first / 1000);
        *duration_us = span_us(&r->mux);
        GST_INFO("recorded %s: %" G_GINT64_FORMAT
                 " ms, from %" G_GUINT64_FORMAT
                 " ms after its first packet (%u keyframe requests)",
                 r->path, *duration_us / 1000, r->mux.first / GST_MSECOND,
                 r->asks + 1);
    }
    g_mutex_unlock(&r->lock);
}

void
tc_media__rec_stop(struct tc_media__rec *r, struct tc_media_recording *out)
{
    bool written = false;

    if (!r) {
        return;
    }
    if (r->ask_timer) {
        g_source_destroy(r->ask_timer);
        r->ask_timer = NULL;
    }
    if (r->tee_pad) {
        GstElement *tee = gst_pad_get_parent_element(r->tee_pad);

        if (tee) {
            gst_element_release_request_pad(tee, r->tee_pad);
            gst_object_unref(tee);
        }
    }
    if (r->pipeline) {
        written = r->src && r->queue && r->tee_pad && finish_file(r);
        gst_element_set_state(r->pipeline, GST_STATE_NULL);
    }
    if (r->queue) {
        gst_element_set_state(r->queue, GST_STATE_NULL);
        gst_element_set_state(r->sink, GST_STATE_NULL);
        gst_bin_remove_many(GST_BIN(r->room_pipeline), r->queue, r->sink,
                            NULL);
    }
    if (out && written) {
        memset(out, 0, sizeof(*out));
        out->path = r->path;
        file_times(r, &out->started_at_us, &out->duration_us);
        if (file_digest(r->path, &out->bytes, out->sha256) < 0) {
            out->path = NULL;
        }
    }
    gst_clear_object(&r->tee_pad);
    gst_clear_object(&r->queue);
    gst_clear_object(&r->sink);
    gst_clear_object(&r->src);
    gst_clear_object(&r->pipeline);
    gst_clear_object(&r->room_pipeline);
    g_mutex_clear(&r->lock);
    /* r->path is still needed by out: freed by tc_media__rec_free. */
}

void
tc_media__rec_describe(const struct tc_media__rec *r,
                       struct tc_media_recording *out)
{
    memset(out, 0, sizeof(*out));
    out->path = r->path;
    out->started_at_us = r->started_at_us;
}

/* ---- measuring a file ---- */

struct measure {
    GMutex lock;
    struct span span; /* protected by lock */
};

static GstPadProbeReturn
on_measured_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct measure *m = data;

    g_mutex_lock(&m->lock);
    span_add(&m->span, GST_PAD_PROBE_INFO_BUFFER(info));
    g_mutex_unlock(&m->lock);
    return GST_PAD_PROBE_OK;
}

/* Run `pipeline` to its end (EOS, or an error: a file cut short may end
 * in a broken cluster) within timeout_s; false on the timeout. */
static bool
run_to_end(GstElement *pipeline, int timeout_s)
{
    g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
    GstMessage *msg;

    if (gst_element_set_state(pipeline, GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_FAILURE) {
        return true; /* nothing read: the caller says so */
    }
    msg = gst_bus_timed_pop_filtered(bus, (GstClockTime)timeout_s * GST_SECOND,
                                     GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    if (!msg) {
        return false;
    }
    gst_message_unref(msg);
    return true;
}

int
tc_media_recording_read(const char *path, int timeout_s,
                        struct tc_media_recording *out, char **why)
{
    struct measure m = {.span = SPAN_EMPTY};
    g_autoptr(GError) err = NULL;
    g_autoptr(GstElement) pipeline = gst_parse_launch(
        "filesrc name=src ! matroskademux name=d d. ! fakesink name=sink "
        "sync=false async=false",
        &err);
    g_autoptr(GstElement) src = NULL, sink = NULL;
    g_autoptr(GstPad) pad = NULL;
    bool ended;

    *why = NULL;
    memset(out, 0, sizeof(*out));
    out->path = path;
    if (!pipeline) {
        *why = g_strdup_printf("cannot demux: %s", err ? err->message : "?");
        return -EPROTO;
    }
    gst_object_ref_sink(pipeline);
    src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
    sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    g_object_set(src, "location", path, NULL);
    pad = gst_element_get_static_pad(sink, "sink");
    g_mutex_init(&m.lock);
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_measured_buffer, &m,
                      NULL);
    ended = run_to_end(pipeline, timeout_s);
    g_mutex_clear(&m.lock);
    if (!ended) {
        *why = g_strdup_printf("not read within %d s", timeout_s);
        return -ETIMEDOUT;
    }
    if (span_empty(&m.span)) {
        *why = g_strdup("no frame could be read");
        return -EPROTO;
    }
    out->duration_us = span_us(&m.span);
    if (file_digest(path, &out->bytes, out->sha256) < 0) {
        *why = g_strdup("cannot map it");
        return -EIO;
    }
    return 0;
}

void
tc_media__rec_free(struct tc_media__rec *r)
{
    if (r) {
        g_free(r->path);
        g_free(r);
    }
}
