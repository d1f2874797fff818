// SPDX-License-Identifier: Apache-2.0
/*
 * media-peer.c - a synthetic media participant over the C SDK (see
 * media-peer.h).
 *
 * Thread: the test's main thread (the default GMainContext).
 */
#include "media-peer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

/* ---- SDK events -> what the participant was told, and its synth ---- */

static void
copy_or_none(char *dst, size_t len, const char *s)
{
    g_strlcpy(dst, s ? s : "(none)", len);
}

static void
on_reply(struct tc_sdk_client *c, const struct tc_sdk_reply *r, void *d)
{
    struct mpeer *p = d;
    json_t *doc;

    if (r->request != TC_SDK_REQ_JOIN) {
        return;
    }
    doc = json_loads(r->json, 0, NULL);
    copy_or_none(p->join_profile, sizeof(p->join_profile),
                 json_string_value(json_object_get(doc, "media_profile")));
    p->join_kbps =
        (int)json_integer_value(json_object_get(doc, "video_max_kbps"));
    json_decref(doc);
    p->joined = true;
}

static void
on_room(struct tc_sdk_client *c, const struct tc_sdk_room_event *e, void *d)
{
    struct mpeer *p = d;

    if (e->kind == TC_SDK_ROOM_ADMITTED) {
        p->admitted = true;
    }
}

static void
on_error(struct tc_sdk_client *c, const struct tc_sdk_error *e, void *d)
{
    struct mpeer *p = d;

    g_strlcpy(p->error_code, e->code ? e->code : "", sizeof(p->error_code));
    g_strlcpy(p->error_msg, e->message ? e->message : "",
              sizeof(p->error_msg));
}

/* The "feed" of a relayed or media message, NULL for none (borrowed from
 * `doc`). */
static const char *
feed_in(json_t *doc)
{
    const char *f = json_string_value(json_object_get(doc, "feed"));

    return f && f[0] ? f : NULL;
}

static void
note_port(struct mpeer *p, const char *cand)
{
    int port = 0;
    char addr[64];

    /* candidate:<f> <c> UDP <prio> <addr> <port> typ host */
    if (!p->media_port &&
        sscanf(cand, "candidate:%*s %*s %*s %*s %63s %d typ host", addr,
               &port) == 2 &&
        strcmp(addr, "127.0.0.1") == 0) {
        p->media_port = port;
    }
}

static void
on_relay(struct tc_sdk_client *c, const struct tc_sdk_relay *r, void *d)
{
    struct mpeer *p = d;
    json_t *doc;
    const char *feed;

    if (strcmp(r->from, "media") != 0 || !p->s) {
        return;
    }
    doc = json_loads(r->json, 0, NULL);
    feed = feed_in(doc);
    if (r->kind == TC_SDK_RELAY_CANDIDATE) {
        if (!feed) {
            note_port(p, r->candidate);
        }
        synth_on_candidate(p->s, feed, (unsigned)MAX(r->sdp_mline_index, 0),
                           r->candidate);
    } else {
        synth_on_sdp(p->s, feed,
                     r->kind == TC_SDK_RELAY_OFFER ? "offer" : "answer",
                     r->sdp);
    }
    json_decref(doc);
}

/* A track event about `peer` (not this participant when `other`). */
static void
note_track(struct mpeer *p, const char *peer, bool other, bool video, bool up)
{
    p->tracks_up += up;
    if (!other) {
        return;
    }
    if (video) {
        p->video_down += !up;
        p->video_up += up;
    }
    if (!up) {
        p->down_at_us = p->down ? p->down_at_us : g_get_real_time();
        p->down++;
        return;
    }
    for (unsigned i = 0; i < p->n_up; i++) {
        if (strcmp(p->up_peer[i], peer) == 0) {
            return;
        }
    }
    if (p->n_up < G_N_ELEMENTS(p->up_peer)) {
        g_strlcpy(p->up_peer[p->n_up], peer, sizeof(p->up_peer[0]));
        p->up_at_us[p->n_up++] = g_get_real_time();
    }
}

static void
on_media(struct mpeer *p, json_t *doc)
{
    const char *event = json_string_value(json_object_get(doc, "event"));
    const char *peer = json_string_value(json_object_get(doc, "peer"));

    if (g_strcmp0(event, "feed-ended") == 0) {
        p->feed_ended++;
        if (p->s) {
            synth_feed_end(p->s, feed_in(doc));
        }
    } else if (g_strcmp0(event, "error") == 0) {
        p->media_errors++;
    } else if (g_strcmp0(event, "audio-only") == 0) {
        g_snprintf(p->audio_only, sizeof(p->audio_only), "%s %s %s", peer,
                   json_is_true(json_object_get(doc, "on")) ? "on" : "off",
                   json_string_value(json_object_get(doc, "reason")));
    } else if (g_strcmp0(event, "track") == 0) {
        note_track(p, peer ? peer : "",
                   peer && g_strcmp0(peer, tc_sdk_client_peer(p->c)) != 0,
                   g_strcmp0(json_string_value(json_object_get(doc, "track")),
                             "video") == 0,
                   json_is_true(json_object_get(doc, "up")));
    }
}

static void
on_message(struct tc_sdk_client *c, const char *type, const char *json,
           void *d)
{
    struct mpeer *p = d;
    json_t *doc = json_loads(json, 0, NULL);

    if (strcmp(type, "media-profile") == 0) {
        copy_or_none(p->profile, sizeof(p->profile),
                     json_string_value(json_object_get(doc, "media_profile")));
        p->profile_events++;
    } else if (strcmp(type, "media") == 0) {
        on_media(p, doc);
    }
    json_decref(doc);
}

static const struct tc_sdk_callbacks callbacks = {
    .reply = on_reply,
    .room = on_room,
    .error = on_error,
    .relay = on_relay,
    .message = on_message,
};

/* ---- the synth -> signaling ---- */

void
mpeer_send_doc(struct mpeer *p, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);

    tc_sdk_client_send_json(p->c, text);
    free(text);
    json_decref(doc);
}

static void
syn_sdp(void *d, const char *feed, const char *type, const char *sdp)
{
    struct mpeer *p = d;
    json_t *doc = json_pack("{s:s,s:s,s:s,s:s}", "type", type, "room", p->room,
                            "to", "media", "sdp", sdp);

    if (feed) {
        json_object_set_new(doc, "feed", json_string(feed));
    }
    mpeer_send_doc(p, doc);
}

static void
syn_cand(void *d, const char *feed, unsigned mline, const char *cand)
{
    struct mpeer *p = d;
    json_t *doc = json_pack("{s:s,s:s,s:s,s:s,s:i}", "type", "candidate",
                            "room", p->room, "to", "media", "candidate", cand,
                            "sdpMLineIndex", (int)mline);

    if (feed) {
        json_object_set_new(doc, "feed", json_string(feed));
    }
    mpeer_send_doc(p, doc);
}

static const struct synth_ops syn_ops = {syn_sdp, syn_cand};

/* ---- life ---- */

bool
mpeer_spin_until(bool (*done)(void *), void *arg, int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

    while (g_get_monotonic_time() < end) {
        if (done(arg)) {
            return true;
        }
        g_main_context_iteration(NULL, FALSE);
        g_usleep(2000);
    }
    return done(arg);
}

struct synth_feed_stats
mpeer_feed_over(struct mpeer *p, struct mpeer *who, int ms)
{
    const char *feed = tc_sdk_client_peer(who->c);
    struct synth_feed_stats a = synth_feed(p->s, feed);
    struct synth_feed_stats b;

    sig_spin(ms);
    b = synth_feed(p->s, feed);
    b.video_frames -= a.video_frames;
    b.audio_buffers -= a.audio_buffers;
    b.rtp_packets -= a.rtp_packets;
    b.rtp_bytes -= a.rtp_bytes;
    b.video_packets -= a.video_packets;
    b.video_expected -= a.video_expected;
    return b;
}

static bool
is_ready(void *arg)
{
    return tc_sdk_client_state(((struct mpeer *)arg)->c) == TC_SDK_STATE_READY;
}

static bool
is_joined(void *arg)
{
    return ((struct mpeer *)arg)->joined;
}

static bool
is_admitted(void *arg)
{
    return ((struct mpeer *)arg)->admitted;
}

struct mpeer *
mpeer_new(struct sig_fixture *fx, const char *user, const char *room)
{
    struct mpeer *p = g_new0(struct mpeer, 1);
    char *token = sig_token(fx, user);
    struct tc_sdk_client_opts o = {.url = fx->ws_url, .token = token};

    g_strlcpy(p->room, room, sizeof(p->room));
    if (!token || tc_sdk_client_new(&o, &callbacks, p, &p->c) < 0) {
        tc_sdk_token_free(token);
        g_free(p);
        return NULL;
    }
    tc_sdk_token_free(token);
    tc_sdk_client_start(p->c);
    if (!mpeer_spin_until(is_ready, p, 5000) ||
        tc_sdk_client_join(p->c, room, NULL) < 0 ||
        !mpeer_spin_until(is_joined, p, 5000)) {
        printf("# %s could not join %s\n", user, room);
    }
    return p;
}

void
mpeer_publish(struct mpeer *p, const struct synth_opts *so)
{
    p->s = synth_new(so, &syn_ops, p);
    synth_publish(p->s);
}

bool
mpeer_admit(struct mpeer *host, struct mpeer *p)
{
    return tc_sdk_client_admit(host->c, p->room, tc_sdk_client_peer(p->c),
                               NULL) == 0 &&
           mpeer_spin_until(is_admitted, p, 5000);
}

void
mpeer_free(struct mpeer *p)
{
    if (!p) {
        return;
    }
    if (tc_sdk_client_state(p->c) == TC_SDK_STATE_READY) {
        tc_sdk_client_leave(p->c, p->room, NULL);
        sig_spin(100);
        tc_sdk_client_stop(p->c);
        sig_spin(100);
    }
    synth_free(p->s);
    tc_sdk_client_free(p->c);
    g_free(p);
}
