// SPDX-License-Identifier: Apache-2.0
/*
 * endpoint-stats.c - a webrtcbin's statistics, per track: webrtcbin's
 * get-stats answer (on its thread) is reduced to a row per inbound or
 * outbound RTP stream, and the rows go to the caller on the room's
 * context with the bitrate since the previous round (endpoint.c's
 * threading rules: the request holds a reference on the endpoint, and
 * nothing is reported once the endpoint is gone).
 */
#define GST_USE_UNSTABLE_API /* the WebRTC library of gst-plugins-bad */

#include <string.h>

#include <gst/webrtc/webrtc.h>

#include "media-int.h"

struct stats_req {
    struct tc_media__endpoint *ep;
    tc_media_stats_fn fn;
    void *data;
    GArray *rows; /* struct stats_row */
};

struct stats_row {
    bool video;
    uint64_t packets, bytes;
    int64_t lost;
    double jitter_s, rtt_s;
};

/* The kind of the stream whose codec stats `codec_id` names. */
static bool
codec_is_video(const GstStructure *all, const char *codec_id)
{
    GstStructure *codec = NULL;
    const char *mime;
    bool video = false;

    if (codec_id &&
        gst_structure_get(all, codec_id, GST_TYPE_STRUCTURE, &codec, NULL)) {
        mime = gst_structure_get_string(codec, "mime-type");
        video = mime && g_str_has_prefix(mime, "video/");
        gst_structure_free(codec);
    }
    return video;
}

struct stats_walk {
    const GstStructure *all;
    bool inbound; /* publishing: what we receive */
    GArray *rows;
};

static void
remote_fill(const GstStructure *all, const char *local_id,
            struct stats_row *row)
{
    for (int i = 0; i < gst_structure_n_fields(all); i++) {
        const char *name = gst_structure_nth_field_name(all, (guint)i);
        const GValue *v = gst_structure_get_value(all, name);
        const GstStructure *s;
        GstWebRTCStatsType type;

        if (!GST_VALUE_HOLDS_STRUCTURE(v)) {
            continue;
        }
        s = gst_value_get_structure(v);
        if (!gst_structure_get(s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type,
                               NULL) ||
            type != GST_WEBRTC_STATS_REMOTE_INBOUND_RTP ||
            g_strcmp0(gst_structure_get_string(s, "local-id"), local_id)) {
            continue;
        }
        gst_structure_get_int64(s, "packets-lost", &row->lost);
        gst_structure_get_double(s, "jitter", &row->jitter_s);
        gst_structure_get_double(s, "round-trip-time", &row->rtt_s);
    }
}

static gboolean
stats_field(GQuark field, const GValue *value, gpointer data)
{
    struct stats_walk *w = data;
    const GstStructure *s;
    GstWebRTCStatsType type;
    struct stats_row row = {0};

    if (!GST_VALUE_HOLDS_STRUCTURE(value)) {
        return TRUE;
    }
    s = gst_value_get_structure(value);
    if (!gst_structure_get(s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type,
                           NULL)) {
        return TRUE;
    }
    row.video =
        codec_is_video(w->all, gst_structure_get_string(s, "codec-id"));
    if (w->inbound && type == GST_WEBRTC_STATS_INBOUND_RTP) {
        gst_structure_get_uint64(s, "packets-received", &row.packets);
        gst_structure_get_uint64(s, "bytes-received", &row.bytes);
        gst_structure_get_int64(s, "packets-lost", &row.lost);
        gst_structure_get_double(s, "jitter", &row.jitter_s);
    } else if (!w->inbound && type == GST_WEBRTC_STATS_OUTBOUND_RTP) {
        const GstStructure *src = NULL;
        int rate = 0;

        /* webrtcbin 1.22 names the first transceiver's codec (and kind)
         * on every outbound stream of a bundle; the clock rate of the
         * RTP source tells video (90 kHz) from audio. */
        if (gst_structure_get(s, "gst-rtpsource-stats", GST_TYPE_STRUCTURE,
                              &src, NULL)) {
            if (gst_structure_get_int(src, "clock-rate", &rate) && rate > 0) {
                row.video = rate == 90000;
            }
            gst_structure_free((GstStructure *)src);
        }
        gst_structure_get_uint64(s, "packets-sent", &row.packets);
        gst_structure_get_uint64(s, "bytes-sent", &row.bytes);
        remote_fill(w->all, g_quark_to_string(field), &row);
    } else {
        return TRUE;
    }
    g_array_append_val(w->rows, row);
    return TRUE;
}

static void stats_req_free(gpointer data);

/* On the room's context: the rows to the caller, bitrates from the
 * previous round. */
static gboolean
on_stats_rows(gpointer data)
{
    struct stats_req *req = data;
    struct tc_media__endpoint *ep = req->ep;
    int64_t now = g_get_monotonic_time();
    double dt = ep->stats_at_us ? (double)(now - ep->stats_at_us) / 1e6 : 0;

    if (!ep->gone) {
        for (guint i = 0; i < req->rows->len; i++) {
            struct stats_row *r =
                &g_array_index(req->rows, struct stats_row, i);
            struct tc_media_stats st = {0};
            unsigned slot = r->video ? 1 : 0;

            st.participant = ep->owner_id;
            st.feed = ep->feed_id[0] ? ep->feed_id : NULL;
            st.track = r->video ? "video" : "audio";
            st.packets = r->packets;
            st.bytes = r->bytes;
            st.packets_lost = r->lost;
            st.jitter_s = r->jitter_s;
            st.rtt_s = r->rtt_s;
            if (dt > 0 && r->bytes >= ep->stats_bytes[slot]) {
                st.bitrate_bps =
                    (uint64_t)((double)(r->bytes - ep->stats_bytes[slot]) * 8 /
                               dt);
            }
            ep->stats_bytes[slot] = r->bytes;
            tc_media__link_row(ep, r->video, r->packets, r->lost);
            req->fn(&st, req->data);
        }
        ep->stats_at_us = now;
    }
    return G_SOURCE_REMOVE;
}

static void
on_stats(GstPromise *promise, gpointer data)
{
    struct stats_req *req = data;
    const GstStructure *all = NULL;

    req->rows = g_array_new(FALSE, TRUE, sizeof(struct stats_row));
    if (gst_promise_wait(promise) == GST_PROMISE_RESULT_REPLIED) {
        all = gst_promise_get_reply(promise);
    }
    if (all) {
        struct stats_walk w = {all, req->ep->feed == NULL, req->rows};
        gst_structure_foreach(all, stats_field, &w);
    }
    gst_promise_unref(promise);
    g_main_context_invoke_full(req->ep->ctx, G_PRIORITY_DEFAULT, on_stats_rows,
                               req, stats_req_free);
}

static void
stats_req_free(gpointer data)
{
    struct stats_req *req = data;

    if (req->rows) {
        g_array_unref(req->rows);
    }
    tc_media__endpoint_unref(req->ep);
    g_free(req);
}

void
tc_media__endpoint_stats(struct tc_media__endpoint *ep, tc_media_stats_fn fn,
                         void *data)
{
    struct stats_req *req = g_new0(struct stats_req, 1);

    req->ep = tc_media__endpoint_ref(ep);
    req->fn = fn;
    req->data = data;
    g_signal_emit_by_name(
        ep->webrtc, "get-stats", NULL,
        gst_promise_new_with_change_func(on_stats, req, NULL));
}
