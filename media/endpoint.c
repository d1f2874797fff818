// SPDX-License-Identifier: Apache-2.0
/*
 * endpoint.c - one webrtcbin in a room's pipeline: a participant's
 * publishing connection (the participant offers, we answer recvonly) or
 * one of its feeds (we offer sendonly the tracks of another publisher,
 * the participant answers).
 *
 *   publishing:  offer in -> set-remote -> codec prefs, do-nack on the
 *                transceivers -> create-answer -> set-local -> answer out
 *                (the tracks are now known: feeds of them are offered)
 *                first packet of a track: src pad -> tee (track up)
 *   feed:        one request sink pad per track, sendonly, do-nack on
 *                video -> create-offer -> set-local -> offer out (only
 *                now `offered`); answer in -> set-remote. Branch:
 *                publisher's tee -> queue (leaky) -> sink pad, linked as
 *                soon as the offer is out and the tee exists; once the
 *                connection is up the publisher is asked for a keyframe.
 *
 * Why a feed links only after its offer: webrtcbin 1.22 writes into an
 * offer the SSRC of whatever caps it can see at its sink pad (a linked
 * branch answers its caps query with the publisher's). An offer made
 * before the link names no SSRC; one made after names the publisher's,
 * and with do-nack an RTX `ssrc-group:FID` beside it. Chromium takes an
 * audio m-line with two SSRCs as an error ("Failed to add remote stream
 * ssrc: N to {mid: audio0, media_type: audio}": its audio receiver takes
 * one SSRC only), so which of the two offers a subscriber got used to
 * depend on whether the link beat webrtcbin's offer thread (seen at high
 * load; docs/webapp.md). Now every feed offer names no SSRC, and audio
 * has no NACK/RTX (Chromium asks for no audio retransmission anyway).
 *
 * Every connection: max-bundle, trickle ICE (candidates go out as they
 * come; nothing waits for gathering), host candidates on the configured
 * addresses (libnice skips loopback unless it is added to the agent), the
 * configured STUN and TURN servers. A connection whose state becomes
 * "failed" is removed (room.c), and only it.
 *
 * Threads: signals, promise callbacks and pad-added run on GStreamer's
 * threads. They read only ep->ctx, ep->pipeline and ep->webrtc (fixed at
 * creation), build elements (GstBin is thread-safe), and post a job to
 * the room's context holding a reference on the endpoint; the job does
 * nothing when the endpoint is gone by then (media-int.h).
 */
#define GST_USE_UNSTABLE_API /* the WebRTC library of gst-plugins-bad */

#include <errno.h>
#include <nice/agent.h>
#include <string.h>

#include <gst/webrtc/webrtc.h>

#include "media-int.h"

/* ---- references and jobs ---- */

struct tc_media__endpoint *
tc_media__endpoint_ref(struct tc_media__endpoint *ep)
{
    g_atomic_int_inc(&ep->refs);
    return ep;
}

static void
branch_free(gpointer p)
{
    struct tc_media__branch *b = p;

    gst_clear_object(&b->sink);
    gst_clear_object(&b->queue);
    gst_clear_object(&b->tee_pad);
    g_free(b);
}

void
tc_media__endpoint_unref(struct tc_media__endpoint *ep)
{
    if (!ep || !g_atomic_int_dec_and_test(&ep->refs)) {
        return;
    }
    tc_media__offer_fini(&ep->offer);
    g_clear_pointer(&ep->branches, g_ptr_array_unref);
    g_clear_pointer(&ep->tees, g_ptr_array_unref);
    g_clear_pointer(&ep->video_gate, g_atomic_rc_box_release);
    g_clear_pointer(&ep->remb_bps, g_atomic_rc_box_release);
    gst_clear_object(&ep->webrtc);
    gst_clear_object(&ep->pipeline);
    g_main_context_unref(ep->ctx);
    g_free(ep);
}

static void
unref_notify(gpointer data, GClosure *closure)
{
    tc_media__endpoint_unref(data);
}

struct job;
typedef void (*job_fn)(struct tc_media__endpoint *ep, struct job *job);

struct job {
    struct tc_media__endpoint *ep;
    job_fn fn;
    char *text;
    unsigned n;
    GstElement *element;
    GstWebRTCSessionDescription *desc;
};

static gboolean
job_run(gpointer data)
{
    struct job *job = data;

    job->fn(job->ep, job);
    return G_SOURCE_REMOVE;
}

static void
job_free(gpointer data)
{
    struct job *job = data;

    tc_media__endpoint_unref(job->ep);
    g_free(job->text);
    gst_clear_object(&job->element);
    if (job->desc) {
        gst_webrtc_session_description_free(job->desc);
    }
    g_free(job);
}

/* Post `job` (filled but for ep and fn) to the room's context. */
static void
job_post(struct tc_media__endpoint *ep, job_fn fn, struct job *job)
{
    job->ep = tc_media__endpoint_ref(ep);
    job->fn = fn;
    g_main_context_invoke_full(ep->ctx, G_PRIORITY_DEFAULT, job_run, job,
                               job_free);
}

static struct job *
job_new(void)
{
    return g_new0(struct job, 1);
}

/* ---- failures ---- */

static void
on_failed_job(struct tc_media__endpoint *ep, struct job *job)
{
    if (!ep->gone) {
        tc_media__endpoint_failed(ep, job->text);
    }
}

/* From any thread: the connection cannot go on. */
static void
fail_async(struct tc_media__endpoint *ep, const char *why)
{
    struct job *job = job_new();

    job->text = g_strdup(why);
    job_post(ep, on_failed_job, job);
}

/* A promise's error, or NULL (transfer full). */
static char *
promise_error(GstPromise *promise)
{
    const GstStructure *reply;
    GError *err = NULL;
    char *msg;

    if (gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED) {
        return g_strdup("negotiation interrupted");
    }
    reply = gst_promise_get_reply(promise);
    if (reply && gst_structure_has_field(reply, "error")) {
        gst_structure_get(reply, "error", G_TYPE_ERROR, &err, NULL);
        msg = g_strdup(err ? err->message : "negotiation failed");
        g_clear_error(&err);
        return msg;
    }
    return NULL;
}

/* ---- events of webrtcbin ---- */

static void
on_candidate_job(struct tc_media__endpoint *ep, struct job *job)
{
    struct tc_media_event ev = {.kind = TC_MEDIA_EV_CANDIDATE};

    if (ep->gone) {
        return;
    }
    ev.candidate = job->text;
    ev.mline = job->n;
    tc_media__emit(ep->room, ep, &ev);
}

static void
on_ice_candidate(GstElement *webrtc, guint mline, const char *candidate,
                 gpointer data)
{
    struct job *job = job_new();

    job->text = g_strdup(candidate);
    job->n = mline;
    job_post(data, on_candidate_job, job);
}

static const char *const conn_states[] = {
    [GST_WEBRTC_PEER_CONNECTION_STATE_NEW] = "new",
    [GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTING] = "connecting",
    [GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED] = "connected",
    [GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED] = "disconnected",
    [GST_WEBRTC_PEER_CONNECTION_STATE_FAILED] = "failed",
    [GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED] = "closed",
};

void
tc_media__ask_keyframe(GstElement *queue)
{
    g_autoptr(GstPad) qsink = gst_element_get_static_pad(queue, "sink");

    gst_pad_push_event(
        qsink, gst_event_new_custom(
                   GST_EVENT_CUSTOM_UPSTREAM,
                   gst_structure_new("GstForceKeyUnit", "running-time",
                                     GST_TYPE_CLOCK_TIME, GST_CLOCK_TIME_NONE,
                                     "all-headers", G_TYPE_BOOLEAN, TRUE,
                                     "count", G_TYPE_UINT, 0, NULL)));
}

/* Ask the publisher of every linked video branch for a keyframe. */
void
tc_media__endpoint_ask_keyframe(struct tc_media__endpoint *ep)
{
    for (guint i = 0; i < ep->branches->len; i++) {
        struct tc_media__branch *b = g_ptr_array_index(ep->branches, i);

        if (!b->tee_pad || !ep->feed->tracks[b->track].video) {
            continue;
        }
        tc_media__ask_keyframe(b->queue);
        GST_DEBUG("feed %s of %s: keyframe asked", ep->feed_id, ep->owner_id);
    }
}

static gboolean
on_keyframe_timer(gpointer data)
{
    struct tc_media__endpoint *ep = data;

    if (!ep->gone) {
        tc_media__endpoint_ask_keyframe(ep);
    }
    return G_SOURCE_REMOVE;
}

/* A feed just connected: ask now, and twice more in case the request or
 * the keyframe was lost (publishers may send keyframes only on request). */
static void
ask_keyframes(struct tc_media__endpoint *ep)
{
    static const guint later_ms[] = {300, 1000};

    tc_media__endpoint_ask_keyframe(ep);
    for (size_t i = 0; i < G_N_ELEMENTS(later_ms); i++) {
        GSource *t = g_timeout_source_new(later_ms[i]);

        g_source_set_callback(t, on_keyframe_timer, tc_media__endpoint_ref(ep),
                              (GDestroyNotify)tc_media__endpoint_unref);
        g_source_attach(t, ep->ctx);
        g_source_unref(t);
    }
}

static void
on_state_job(struct tc_media__endpoint *ep, struct job *job)
{
    struct tc_media_event ev = {.kind = TC_MEDIA_EV_STATE};

    if (ep->gone || job->n >= G_N_ELEMENTS(conn_states)) {
        return;
    }
    ev.state = conn_states[job->n];
    GST_INFO("connection of %s (feed %s): %s", ep->owner_id,
             ep->feed_id[0] ? ep->feed_id : "-", ev.state);
    tc_media__emit(ep->room, ep, &ev);
    if (job->n == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
        ep->connected = true;
        if (ep->feed) {
            ask_keyframes(ep);
        }
    } else if (job->n == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
        tc_media__endpoint_failed(ep, "ICE or DTLS failed");
    }
}

static void
on_connection_state(GObject *webrtc, GParamSpec *pspec, gpointer data)
{
    GstWebRTCPeerConnectionState state;
    struct job *job = job_new();

    g_object_get(webrtc, "connection-state", &state, NULL);
    job->n = (unsigned)state;
    job_post(data, on_state_job, job);
}

/* ---- publishing: forwarding starts at a track's first packet ---- */

/* Streaming thread: a track is flowing (room.c watches for pauses). */
static GstPadProbeReturn
on_tee_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct tc_media__track *t = data;

    g_atomic_pointer_set(&t->last_buffer_us, g_get_monotonic_time());
    return GST_PAD_PROBE_OK;
}

static void
tee_drop(GstElement *pipeline, GstElement *tee)
{
    gst_element_set_state(tee, GST_STATE_NULL);
    gst_bin_remove(GST_BIN(pipeline), tee);
}

static void
on_track_job(struct tc_media__endpoint *ep, struct job *job)
{
    struct tc_media__part *part = ep->owner;

    if (ep->gone) {
        tee_drop(ep->pipeline, job->element); /* removed meanwhile */
        return;
    }
    /* The endpoint keeps every tee, also of a stream nobody forwards: an
     * unlinked webrtcbin pad would stop the whole connection. */
    g_ptr_array_add(ep->tees, gst_object_ref(job->element));
    tc_media__profile_hook(ep); /* its RTP session exists now */
    for (unsigned i = 0; i < part->n_tracks; i++) {
        struct tc_media__track *t = &part->tracks[i];
        g_autoptr(GstPad) tsink = NULL;
        int pt = -1;

        gst_structure_get_int(gst_caps_get_structure(t->caps, 0), "payload",
                              &pt);
        if (!t->tee && (unsigned)pt == job->n &&
            strcmp(job->text, t->video ? "video" : "audio") == 0) {
            part->tracks[i].tee = job->element;
            g_atomic_pointer_set(&t->last_buffer_us, g_get_monotonic_time());
            tsink = gst_element_get_static_pad(job->element, "sink");
            gst_pad_add_probe(tsink, GST_PAD_PROBE_TYPE_BUFFER, on_tee_buffer,
                              t, NULL);
            tc_media__track_up(part, i);
            return;
        }
    }
    GST_INFO("%s: a stream of payload type %u is not forwarded", ep->owner_id,
             job->n);
}

/* Streaming thread: RTP of a new SSRC came out of the webrtcbin. Its
 * caps say what it is: with bundling, webrtcbin 1.22 may name the wrong
 * transceiver on a pad when audio arrives before video. */
static void
on_pad_added(GstElement *webrtc, GstPad *pad, gpointer data)
{
    struct tc_media__endpoint *ep = data;
    g_autoptr(GstCaps) caps = NULL;
    g_autoptr(GstPad) sink = NULL;
    const GstStructure *s = NULL;
    const char *media = NULL;
    int pt = -1;
    struct job *job;
    GstElement *tee;

    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) {
        return;
    }
    caps = gst_pad_get_current_caps(pad);
    if (caps && gst_caps_get_size(caps) > 0) {
        s = gst_caps_get_structure(caps, 0);
        media = gst_structure_get_string(s, "media");
        gst_structure_get_int(s, "payload", &pt);
    }
    tee = gst_element_factory_make("tee", NULL);
    if (!tee) {
        fail_async(ep, "no tee element");
        return;
    }
    g_object_set(tee, "allow-not-linked", TRUE, NULL);
    gst_bin_add(GST_BIN(ep->pipeline), tee);
    gst_element_sync_state_with_parent(tee);
    sink = gst_element_get_static_pad(tee, "sink");
    if (gst_pad_link(pad, sink) != GST_PAD_LINK_OK) {
        GST_WARNING("cannot link a stream of %s to its tee", ep->owner_id);
    }
    job = job_new();
    job->element = gst_object_ref(tee);
    job->text = g_strdup(media ? media : "");
    job->n = (unsigned)pt;
    job_post(ep, on_track_job, job);
}

/* ---- the participant's data channel (publishing connection) ---- */

#define DATA_MAX 16384 /* bytes of one message */

static void
on_data_job(struct tc_media__endpoint *ep, struct job *job)
{
    if (!ep->gone) {
        tc_media__data(ep, job->text);
    }
}

/* webrtcbin's SCTP thread: a message from the participant. */
static void
on_channel_message(GObject *channel, const char *text, gpointer data)
{
    struct job *job;

    if (!text || strlen(text) > DATA_MAX) {
        return; /* too large: dropped (documented limit) */
    }
    job = job_new();
    job->text = g_strdup(text);
    job_post(data, on_data_job, job);
}

static void
on_channel_job(struct tc_media__endpoint *ep, struct job *job)
{
    if (ep->gone || ep->channel) {
        return;
    }
    ep->channel = G_OBJECT(gst_object_ref(job->element));
    g_signal_connect_data(ep->channel, "on-message-string",
                          G_CALLBACK(on_channel_message),
                          tc_media__endpoint_ref(ep), unref_notify, 0);
}

static void
on_data_channel(GstElement *webrtc, GstWebRTCDataChannel *channel,
                gpointer data)
{
    struct job *job = job_new();

    /* A GstObject, not an element: held in the job's element slot. */
    job->element = (GstElement *)gst_object_ref(channel);
    job_post(data, on_channel_job, job);
}

void
tc_media__endpoint_send_data(struct tc_media__endpoint *ep, const char *text)
{
    GstWebRTCDataChannelState state = GST_WEBRTC_DATA_CHANNEL_STATE_CLOSED;

    if (!ep->channel) {
        return;
    }
    g_object_get(ep->channel, "ready-state", &state, NULL);
    if (state == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN) {
        gst_webrtc_data_channel_send_string(
            GST_WEBRTC_DATA_CHANNEL(ep->channel), text);
    }
}

/* The description webrtcbin made (`field`: "offer" or "answer") set as
 * ours, and `fn` posted with it to the room's context; `none`: the error
 * when no description came. Runs on webrtcbin's thread. */
static void
take_local(GstPromise *promise, struct tc_media__endpoint *ep,
           const char *field, const char *none, job_fn fn)
{
    g_autofree char *err = promise_error(promise);
    GstWebRTCSessionDescription *desc = NULL;
    struct job *job;

    if (!err) {
        gst_structure_get(gst_promise_get_reply(promise), field,
                          GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
    }
    gst_promise_unref(promise);
    if (!desc) {
        fail_async(ep, err ? err : none);
        return;
    }
    g_signal_emit_by_name(ep->webrtc, "set-local-description", desc, NULL);
    job = job_new();
    job->desc = desc;
    job_post(ep, fn, job);
}

/* ---- publishing: offer in, answer out ---- */

static void
on_answer_set_job(struct tc_media__endpoint *ep, struct job *job)
{
    struct tc_media__part *part = ep->owner;
    struct tc_media_event ev = {.kind = TC_MEDIA_EV_SDP};
    g_autofree char *text = NULL;

    if (ep->gone) {
        return;
    }
    part->n_tracks = 0;
    for (unsigned i = 0; i < ep->offer.n_tracks; i++) {
        struct tc_media__track *t = &part->tracks[part->n_tracks];

        t->caps = tc_media__sdp_track_caps(job->desc->sdp,
                                           ep->offer.tracks[i].mline);
        if (!t->caps) {
            continue;
        }
        t->mline = ep->offer.tracks[i].mline;
        t->video = ep->offer.tracks[i].video;
        GST_DEBUG("%s publishes %s on m-line %u", ep->owner_id,
                  t->video ? "video" : "audio", t->mline);
        part->n_tracks++;
    }
    tc_media__offer_fini(&ep->offer);
    text = gst_sdp_message_as_text(job->desc->sdp);
    ev.sdp_type = "answer";
    ev.sdp = text;
    tc_media__emit(ep->room, ep, &ev);
    part->negotiated = true;
    tc_media__part_negotiated(part);
}

static void
on_answer_created(GstPromise *promise, gpointer data)
{
    take_local(promise, data, "answer", "no answer could be made",
               on_answer_set_job);
}

/* One receiving transceiver per kept track, made before the offer is set
 * so that webrtcbin's answer uses them: only the kept formats (the
 * offer's payload types), and NACK (webrtcbin 1.22's default answer has
 * none). */
static void
add_receivers(struct tc_media__endpoint *ep)
{
    for (unsigned k = 0; k < ep->offer.n_tracks; k++) {
        GstWebRTCRTPTransceiver *t = NULL;

        g_signal_emit_by_name(ep->webrtc, "add-transceiver",
                              GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY,
                              ep->offer.tracks[k].prefs, &t);
        if (t) {
            g_object_set(t, "do-nack", TRUE, NULL);
            gst_object_unref(t);
        }
    }
}

static void
on_offer_set_job(struct tc_media__endpoint *ep, struct job *job)
{
    GstPromise *promise;

    if (ep->gone) {
        return;
    }
    if (job->text) {
        tc_media__endpoint_failed(ep, job->text);
        return;
    }
    promise = gst_promise_new_with_change_func(
        on_answer_created, tc_media__endpoint_ref(ep),
        (GDestroyNotify)tc_media__endpoint_unref);
    g_signal_emit_by_name(ep->webrtc, "create-answer", NULL, promise);
}

/* Shared by both directions: the remote description is set (or not). */
static void
on_remote_set(GstPromise *promise, gpointer data)
{
    struct job *job = job_new();

    job->text = promise_error(promise);
    gst_promise_unref(promise);
    job_post(data, on_offer_set_job, job);
}

void
tc_media__endpoint_take_offer(struct tc_media__endpoint *ep,
                              struct tc_media__offer *offer)
{
    GstWebRTCSessionDescription *desc;
    GstPromise *promise;

    ep->offer = *offer;
    memset(offer, 0, sizeof(*offer));
    desc = gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER,
                                              ep->offer.sdp);
    ep->offer.sdp = NULL; /* the description owns it */
    add_receivers(ep);
    promise = gst_promise_new_with_change_func(
        on_remote_set, tc_media__endpoint_ref(ep),
        (GDestroyNotify)tc_media__endpoint_unref);
    g_signal_emit_by_name(ep->webrtc, "set-remote-description", desc, promise);
    gst_webrtc_session_description_free(desc);
}

/* ---- publishing: an ICE restart on the same connection ---- */

/* The ICE username fragment of an SDP: its first m-line's (bundled), else
 * the session's. */
static const char *
sdp_ufrag(const GstSDPMessage *sdp)
{
    const char *u = NULL;

    if (gst_sdp_message_medias_len(sdp) > 0) {
        u = gst_sdp_media_get_attribute_val(gst_sdp_message_get_media(sdp, 0),
                                            "ice-ufrag");
    }
    return u ? u : gst_sdp_message_get_attribute_val(sdp, "ice-ufrag");
}

const char *
tc_media__endpoint_restart_check(struct tc_media__endpoint *ep,
                                 const GstSDPMessage *sdp)
{
    GstWebRTCSessionDescription *cur = NULL;
    const char *why = NULL;
    guint n = gst_sdp_message_medias_len(sdp);

    g_object_get(ep->webrtc, "current-remote-description", &cur, NULL);
    if (!cur) {
        return "the publishing connection is not negotiated yet";
    }
    if (gst_sdp_message_medias_len(cur->sdp) != n) {
        why = "sdp: an ICE restart keeps the connection's m-lines";
    }
    for (guint i = 0; !why && i < n; i++) {
        if (g_strcmp0(
                gst_sdp_media_get_media(gst_sdp_message_get_media(sdp, i)),
                gst_sdp_media_get_media(
                    gst_sdp_message_get_media(cur->sdp, i)))) {
            why = "sdp: an ICE restart keeps the connection's m-lines";
        }
    }
    if (!why && !g_strcmp0(sdp_ufrag(cur->sdp), sdp_ufrag(sdp))) {
        why = "sdp: an ICE restart needs new ICE credentials (ice-ufrag)";
    }
    gst_webrtc_session_description_free(cur);
    return why;
}

static void
on_restart_answer_job(struct tc_media__endpoint *ep, struct job *job)
{
    struct tc_media_event ev = {.kind = TC_MEDIA_EV_SDP};
    g_autofree char *text = NULL;

    if (ep->gone) {
        return;
    }
    ep->restarting = false;
    ep->restarts++;
    GST_INFO("%s: ICE restart %u answered", ep->owner_id, ep->restarts);
    text = gst_sdp_message_as_text(job->desc->sdp);
    ev.sdp_type = "answer";
    ev.sdp = text;
    tc_media__emit(ep->room, ep, &ev);
}

static void
on_restart_answer_created(GstPromise *promise, gpointer data)
{
    take_local(promise, data, "answer", "no answer to the ICE restart",
               on_restart_answer_job);
}

static void
on_restart_set_job(struct tc_media__endpoint *ep, struct job *job)
{
    if (ep->gone) {
        return;
    }
    if (job->text) {
        tc_media__endpoint_failed(ep, job->text);
        return;
    }
    g_signal_emit_by_name(ep->webrtc, "create-answer", NULL,
                          gst_promise_new_with_change_func(
                              on_restart_answer_created,
                              tc_media__endpoint_ref(ep),
                              (GDestroyNotify)tc_media__endpoint_unref));
}

static void
on_restart_remote_set(GstPromise *promise, gpointer data)
{
    struct job *job = job_new();

    job->text = promise_error(promise);
    gst_promise_unref(promise);
    job_post(data, on_restart_set_job, job);
}

/* webrtcbin 1.22 passes the re-offer's new credentials to libnice but
 * never restarts it: libnice keeps its selected pair (a controlled agent
 * moves only to a nominated pair of higher priority), so what we send
 * (RTCP feedback: the keyframe requests; the data channel) would still
 * go to the browser's old, unreachable address. Restart the agent's
 * streams (RFC 8445 9: checks and remote candidates start afresh; the
 * old pair serves until a new one is nominated); webrtcbin then sets the
 * remote credentials from the offer and, from our answer, the local ones
 * again (the answer keeps them, which Chromium accepts). */
static void
ice_restart(GstElement *webrtc)
{
    g_autoptr(GObject) ice = NULL;
    NiceAgent *agent = NULL;

    g_object_get(webrtc, "ice-agent", &ice, NULL);
    if (ice) {
        g_object_get(ice, "agent", &agent, NULL);
    }
    if (agent && !nice_agent_restart(agent)) {
        GST_WARNING("libnice refused to restart");
    }
    g_clear_object(&agent);
}

void
tc_media__endpoint_restart(struct tc_media__endpoint *ep, GstSDPMessage *sdp)
{
    GstWebRTCSessionDescription *desc =
        gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, sdp);

    ep->restarting = true;
    ice_restart(ep->webrtc);
    g_signal_emit_by_name(ep->webrtc, "set-remote-description", desc,
                          gst_promise_new_with_change_func(
                              on_restart_remote_set,
                              tc_media__endpoint_ref(ep),
                              (GDestroyNotify)tc_media__endpoint_unref));
    gst_webrtc_session_description_free(desc);
}

/* ---- feeds: offer out, answer in ---- */

static void
on_feed_offer_job(struct tc_media__endpoint *ep, struct job *job)
{
    struct tc_media_event ev = {.kind = TC_MEDIA_EV_SDP};
    g_autofree char *text = NULL;

    if (ep->gone) {
        return;
    }
    text = gst_sdp_message_as_text(job->desc->sdp);
    ev.sdp_type = "offer";
    ev.sdp = text;
    tc_media__emit(ep->room, ep, &ev);
    ep->offered = true;
    tc_media__endpoint_link(ep); /* the branches whose tee exists */
}

static void
on_offer_created(GstPromise *promise, gpointer data)
{
    take_local(promise, data, "offer", "no offer could be made",
               on_feed_offer_job);
}

int
tc_media__endpoint_offer_feed(struct tc_media__endpoint *ep)
{
    struct tc_media__part *pub = ep->feed;
    GstPadTemplate *templ = gst_element_class_get_pad_template(
        GST_ELEMENT_GET_CLASS(ep->webrtc), "sink_%u");
    GstPromise *promise;

    for (unsigned i = 0; i < pub->n_tracks; i++) {
        struct tc_media__branch *b = g_new0(struct tc_media__branch, 1);
        g_autoptr(GstWebRTCRTPTransceiver) trans = NULL;

        b->track = i;
        b->sink = gst_element_request_pad(ep->webrtc, templ, NULL,
                                          pub->tracks[i].caps);
        g_ptr_array_add(ep->branches, b);
        if (!b->sink) {
            return -EIO;
        }
        g_object_get(b->sink, "transceiver", &trans, NULL);
        if (!trans) {
            return -EIO;
        }
        g_object_set(trans, "direction",
                     GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                     "codec-preferences", pub->tracks[i].caps, "do-nack",
                     (gboolean)pub->tracks[i].video, NULL);
    }
    promise = gst_promise_new_with_change_func(
        on_offer_created, tc_media__endpoint_ref(ep),
        (GDestroyNotify)tc_media__endpoint_unref);
    g_signal_emit_by_name(ep->webrtc, "create-offer", NULL, promise);
    return 0; /* linked once the offer is out (on_feed_offer_job) */
}

static void
on_answer_set(GstPromise *promise, gpointer data)
{
    g_autofree char *err = promise_error(promise);

    gst_promise_unref(promise);
    if (err) {
        fail_async(data, err);
    }
}

void
tc_media__endpoint_take_answer(struct tc_media__endpoint *ep,
                               GstSDPMessage *sdp)
{
    GstWebRTCSessionDescription *desc =
        gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
    GstPromise *promise = gst_promise_new_with_change_func(
        on_answer_set, tc_media__endpoint_ref(ep),
        (GDestroyNotify)tc_media__endpoint_unref);

    ep->answered = true;
    g_signal_emit_by_name(ep->webrtc, "set-remote-description", desc, promise);
    gst_webrtc_session_description_free(desc);
}

/* Streaming thread: a feed's video while its owner gets audio only. */
static GstPadProbeReturn
on_video_gate(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    return g_atomic_int_get((gint *)data) ? GST_PAD_PROBE_DROP
                                          : GST_PAD_PROBE_OK;
}

static void
gate_release(gpointer data)
{
    g_atomic_rc_box_release(data);
}

static bool
branch_link(struct tc_media__endpoint *ep, struct tc_media__branch *b)
{
    GstElement *tee = ep->feed->tracks[b->track].tee;
    g_autoptr(GstPad) qsink = NULL, qsrc = NULL;

    b->queue = gst_element_factory_make("queue", NULL);
    if (!b->queue) {
        return false;
    }
    gst_object_ref_sink(b->queue);
    /* A subscriber that cannot keep up loses its own oldest packets; the
     * publisher and the other subscribers never wait for it. */
    g_object_set(b->queue, "leaky", 2, "max-size-buffers", 0, "max-size-bytes",
                 0, "max-size-time", (guint64)500 * GST_MSECOND, NULL);
    gst_bin_add(GST_BIN(ep->pipeline), b->queue);
    qsink = gst_element_get_static_pad(b->queue, "sink");
    qsrc = gst_element_get_static_pad(b->queue, "src");
    if (ep->feed->tracks[b->track].video) {
        gst_pad_add_probe(
            qsink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
            on_video_gate, g_atomic_rc_box_acquire(ep->video_gate),
            gate_release);
    }
    if (gst_pad_link(qsrc, b->sink) != GST_PAD_LINK_OK) {
        GST_WARNING("%s: feed %s: the track's caps do not fit its "
                    "transceiver",
                    ep->owner_id, ep->feed_id);
        return false;
    }
    gst_element_sync_state_with_parent(b->queue);
    b->tee_pad = gst_element_request_pad_simple(tee, "src_%u");
    return b->tee_pad && gst_pad_link(b->tee_pad, qsink) == GST_PAD_LINK_OK;
}

void
tc_media__endpoint_link(struct tc_media__endpoint *ep)
{
    bool linked = false;

    if (!ep->offered) {
        return; /* not before the offer: see the top of this file */
    }
    for (guint i = 0; i < ep->branches->len; i++) {
        struct tc_media__branch *b = g_ptr_array_index(ep->branches, i);

        if (b->queue || !ep->feed->tracks[b->track].tee) {
            continue;
        }
        if (!branch_link(ep, b)) {
            tc_media__endpoint_failed(ep, "cannot link a forwarded track");
            return;
        }
        linked = true;
    }
    if (linked && ep->connected) {
        tc_media__endpoint_ask_keyframe(ep);
    }
}

/* ---- candidates, creation, removal ---- */

void
tc_media__endpoint_candidate(struct tc_media__endpoint *ep, unsigned mline,
                             const char *candidate)
{
    /* An mDNS name (<uuid>.local) is not handed to webrtcbin: its libnice
     * glue would ask the system resolver, which has no mDNS here and would
     * send the name to the unicast DNS server, and nothing could reach it
     * anyway. The browser's connectivity checks to our own candidates
     * arrive from its real address, which becomes a peer-reflexive
     * candidate: the call connects through it. */
    if (tc_media__candidate_mdns(candidate, strlen(candidate))) {
        GST_DEBUG("%s (feed %s): an mDNS candidate skipped", ep->owner_id,
                  ep->feed_id[0] ? ep->feed_id : "-");
        return;
    }
    if (candidate[0]) {
        g_signal_emit_by_name(ep->webrtc, "add-ice-candidate", mline,
                              candidate);
    }
}

static void
add_host_addresses(GstElement *webrtc, char **addresses)
{
    g_autoptr(GObject) ice = NULL;
    NiceAgent *agent = NULL;

    if (!addresses || !addresses[0]) {
        return;
    }
    g_object_get(webrtc, "ice-agent", &ice, NULL);
    if (ice) {
        g_object_get(ice, "agent", &agent, NULL);
    }
    for (unsigned i = 0; agent && addresses[i]; i++) {
        NiceAddress addr;

        nice_address_init(&addr);
        if (nice_address_set_from_string(&addr, addresses[i])) {
            nice_agent_add_local_address(agent, &addr);
        }
    }
    g_clear_object(&agent);
}

struct tc_media__endpoint *
tc_media__endpoint_new(struct tc_media_room *room,
                       struct tc_media__part *owner,
                       struct tc_media__part *feed)
{
    struct tc_media__endpoint *ep = g_new0(struct tc_media__endpoint, 1);
    GstElement *webrtc = gst_element_factory_make("webrtcbin", NULL);

    ep->refs = 1;
    ep->room = room;
    ep->owner = owner;
    ep->feed = feed;
    ep->ctx = g_main_context_ref(room->ctx);
    ep->pipeline = gst_object_ref(room->pipeline);
    ep->branches = g_ptr_array_new_with_free_func(branch_free);
    ep->tees = g_ptr_array_new_with_free_func(gst_object_unref);
    g_strlcpy(ep->owner_id, owner->id, sizeof(ep->owner_id));
    if (feed) {
        g_strlcpy(ep->feed_id, feed->id, sizeof(ep->feed_id));
        ep->video_gate = g_atomic_rc_box_new0(gint);
        *ep->video_gate = owner->link.video_off;
    } else {
        ep->remb_bps = g_atomic_rc_box_new0(gint);
        *ep->remb_bps =
            room->profile == TC_MEDIA_PROFILE_LOW && !room->cfg.remb_off
                ? (gint)room->low_max_kbps * 1000
                : 0;
    }
    if (!webrtc) {
        tc_media__endpoint_unref(ep);
        return NULL;
    }
    ep->webrtc = gst_object_ref_sink(webrtc);
    g_object_set(webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE,
                 "latency", room->cfg.latency_ms, NULL);
    if (room->cfg.stun_server) {
        g_object_set(webrtc, "stun-server", room->cfg.stun_server, NULL);
    }
    if (room->cfg.turn_server) {
        g_object_set(webrtc, "turn-server", room->cfg.turn_server, NULL);
    }
    add_host_addresses(webrtc, room->ice_addresses);
    g_signal_connect_data(webrtc, "on-ice-candidate",
                          G_CALLBACK(on_ice_candidate),
                          tc_media__endpoint_ref(ep), unref_notify, 0);
    g_signal_connect_data(webrtc, "notify::connection-state",
                          G_CALLBACK(on_connection_state),
                          tc_media__endpoint_ref(ep), unref_notify, 0);
    if (!feed) {
        g_signal_connect_data(webrtc, "pad-added", G_CALLBACK(on_pad_added),
                              tc_media__endpoint_ref(ep), unref_notify, 0);
        g_signal_connect_data(webrtc, "on-data-channel",
                              G_CALLBACK(on_data_channel),
                              tc_media__endpoint_ref(ep), unref_notify, 0);
    }
    gst_bin_add(GST_BIN(room->pipeline), webrtc);
    gst_element_sync_state_with_parent(webrtc);
    return ep;
}

void
tc_media__endpoint_remove(struct tc_media__endpoint *ep)
{
    if (ep->gone) {
        return;
    }
    ep->gone = true;
    /* The tee pads first, so that no publisher pushes into a queue that
     * is shutting down. */
    for (guint i = 0; i < ep->branches->len; i++) {
        struct tc_media__branch *b = g_ptr_array_index(ep->branches, i);

        if (b->tee_pad) {
            GstElement *tee = gst_pad_get_parent_element(b->tee_pad);

            if (tee) {
                gst_element_release_request_pad(tee, b->tee_pad);
                gst_object_unref(tee);
            }
        }
    }
    /* Stopping the webrtcbin joins its threads: no callback of it runs
     * after this. */
    gst_element_set_state(ep->webrtc, GST_STATE_NULL);
    g_signal_handlers_disconnect_by_data(ep->webrtc, ep);
    if (ep->channel) {
        g_signal_handlers_disconnect_by_data(ep->channel, ep);
        g_clear_object(&ep->channel);
    }
    for (guint i = 0; i < ep->branches->len; i++) {
        struct tc_media__branch *b = g_ptr_array_index(ep->branches, i);

        if (b->queue) {
            gst_element_set_state(b->queue, GST_STATE_NULL);
            gst_bin_remove(GST_BIN(ep->pipeline), b->queue);
        }
    }
    gst_bin_remove(GST_BIN(ep->pipeline), ep->webrtc);
    for (guint i = 0; i < ep->tees->len; i++) {
        tee_drop(ep->pipeline, g_ptr_array_index(ep->tees, i));
    }
    g_ptr_array_set_size(ep->tees, 0);
    tc_media__endpoint_unref(ep);
}
