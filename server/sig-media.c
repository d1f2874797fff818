// SPDX-License-Identifier: Apache-2.0
/*
 * sig-media.c - the server's media endpoint "media" in signaling rooms
 * (docs/protocol.md, "media"): the glue between the signaling hub and
 * media/'s rooms. GStreamer never shows here; media/ reports through its
 * plain C events.
 *
 *   client -> "media"   offer (publish; with iceRestart: an ICE restart of
 *                       the publishing connection), answer + feed,
 *                       candidate [+ feed], feed-error + feed (its offer
 *                       could not be applied: offered again, bounded)
 *   "media" -> client   answer, offer + feed, candidate [+ feed],
 *                       {"type":"media","event":...} (state, track,
 *                       feed-ended, error)
 *
 * A signaling room gets a media room (one GStreamer pipeline) with its
 * first offer; a member leaving the signaling room leaves the media room,
 * and the media room is freed with its last participant. Statistics of
 * every connection are collected every [media] stats_interval_s (5 s)
 * into /metrics gauges.
 *
 * A room is recorded when its record's recording consent stands when its
 * pipeline starts (a consultation's, or a rehab session's plan's); each
 * finished file goes to that record. In a rehab-session room each
 * participant's media time goes to the session's attendance log: the
 * first of its tracks up is MEDIA_START, the last one down MEDIA_STOP
 * (struct flow; sig-rehab.c writes them).
 *
 * Logs name rooms, peer ids and error sentences, never SDP.
 *
 * Thread: main (media/ delivers its events on the main context).
 */
#define G_LOG_DOMAIN "media"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "rehab-int.h"
#include "server-int.h"
#include "sig-int.h"
#include "tc-media.h"
#include "tc-records.h"

struct media_room {
    struct tc_srv__media *m;
    char name[TC_SRV__SIG_ROOM_NAME_MAX];
    enum tc_srv__sig_room_kind kind;
    int64_t record_id;
    struct tc_media_room *room;
    char *record_rel;  /* recordings/<room>/<start>, when recording */
    GHashTable *flows; /* rehab rooms: peer id -> struct flow (owned) */
};

/* A participant of a rehab-session room whose media is reported to the
 * attendance log: who it is (taken when its media started, so a stop
 * after it left signaling is still theirs) and which tracks flow. */
struct flow {
    int64_t user_id;
    enum tc_rec_rehab_attend_role role;
    unsigned tracks_up; /* bit 0 audio, bit 1 video */
};

/* Sums of the last statistics round, for the /metrics gauges. */
struct media_sums {
    int64_t connections, in_packets, in_bytes, out_packets, out_bytes,
        out_lost, bitrate_bps;
};

struct tc_srv__media {
    struct tc_srv *srv;
    struct tc_srv__sig_hub *hub;
    GHashTable *rooms; /* name -> struct media_room * (owned) */
    guint stats_timer;
    struct media_sums shown, next;
};

/* ---- to the participants ---- */

static void
deliver(struct media_room *mr, const char *peer_id, json_t *doc)
{
    struct tc_srv__sig_peer *peer = tc_srv__sig_peer_find(mr->m->hub, peer_id);
    struct tc_srv__sig_frame *f;

    if (peer && (f = tc_srv__sig_frame_new(doc))) {
        tc_srv__sig_deliver(mr->m->hub, peer, f);
        tc_srv__sig_frame_unref(f);
    }
    json_decref(doc);
}

/* Every joined member of the signaling room. */
static void
broadcast(struct media_room *mr, json_t *doc)
{
    struct tc_srv__sig_room *room =
        tc_srv__sig_room_find(mr->m->hub, mr->name);
    struct tc_srv__sig_frame *f = tc_srv__sig_frame_new(doc);

    for (guint i = 0; room && f && i < room->members->len; i++) {
        struct tc_srv__sig_member *mem = g_ptr_array_index(room->members, i);

        if (!mem->waiting) {
            tc_srv__sig_deliver(mr->m->hub, mem->peer, f);
        }
    }
    if (f) {
        tc_srv__sig_frame_unref(f);
    }
    json_decref(doc);
}

static json_t *
from_media(const char *type, struct media_room *mr, const char *feed)
{
    json_t *doc = json_pack("{s:s,s:s,s:s}", "type", type, "room", mr->name,
                            "from", "media");

    if (feed) {
        json_object_set_new(doc, "feed", json_string(feed));
    }
    return doc;
}

static json_t *
media_event(struct media_room *mr, const char *event, const char *feed)
{
    json_t *doc = json_pack("{s:s,s:s,s:s}", "type", "media", "room", mr->name,
                            "event", event);

    if (feed) {
        json_object_set_new(doc, "feed", json_string(feed));
    }
    return doc;
}

static void
count_event(struct media_room *mr, const char *event)
{
    tc_srv__metrics_count(mr->m->srv->metrics, "telecare_media_events_total",
                          "Media events, by kind.", "event", event);
}

/* The row of a recording of participant `pid`, without what only its
 * end tells (duration, size, SHA-256). */
static struct tc_rec_recording
recording_row(struct media_room *mr, const char *pid, const char *track,
              const struct tc_media_recording *f, const char *rel)
{
    struct tc_srv__sig_peer *peer = tc_srv__sig_peer_find(mr->m->hub, pid);
    bool rehab = mr->kind == TC_SRV__SIG_ROOM_REHAB_SESSION;

    return (struct tc_rec_recording){
        .consultation_id = rehab ? 0 : mr->record_id,
        .rehab_session_id = rehab ? mr->record_id : 0,
        .user_id = peer ? peer->who.user_id : 0,
        .track = (char *)track,
        .path = (char *)rel,
        .media_type = (char *)tc_srv__recording_media_type(
            f->path, strcmp(track, "video") == 0),
        .started_at_us = f->started_at_us,
    };
}

/* A recording started: its mark, in case the server stops before it
 * ends (recording-recover.c). */
static void
recording_started(struct media_room *mr, const struct tc_media_event *ev)
{
    g_autofree char *base = g_path_get_basename(ev->recording->path);
    g_autofree char *rel = g_build_filename(mr->record_rel, base, NULL);
    struct tc_rec_recording r =
        recording_row(mr, ev->participant, ev->track, ev->recording, rel);

    tc_srv__recording_pending(ev->recording->path, &r);
}

/* A finished recording goes to the consultation's or the rehab
 * session's record. */
static void
recording_done(struct media_room *mr, const struct tc_media_event *ev)
{
    struct tc_srv *srv = mr->m->srv;
    const struct tc_media_recording *f = ev->recording;
    g_autofree char *base = g_path_get_basename(f->path);
    g_autofree char *rel = g_build_filename(mr->record_rel, base, NULL);
    struct tc_rec_recording r =
        recording_row(mr, ev->participant, ev->track, f, rel);
    int64_t id = 0;
    int rc;

    if (!r.user_id) {
        /* left signaling before the recording ended: whose it was when
         * it started */
        r.user_id = tc_srv__recording_marked_user(f->path);
    }
    r.duration_ms = f->duration_us / 1000;
    r.size_bytes = (int64_t)f->bytes;
    g_strlcpy(r.sha256, f->sha256, sizeof(r.sha256));
    rc = r.rehab_session_id ? tc_rec_rehab_live_recording_add(srv->db, &r, &id)
                            : tc_rec_recording_add(srv->db, &r, &id);
    if (rc < 0) {
        /* the mark stays: the next start tries again */
        g_warning("room %s: recording of peer %s not recorded: %s", mr->name,
                  ev->participant, tc_rec_errmsg(srv->db));
        return;
    }
    tc_srv__recording_recorded(f->path);
    count_event(mr, "recording");
    g_message("room %s: recording %lld of peer %s (%s, %lld ms, %llu bytes)",
              mr->name, (long long)id, ev->participant, ev->track,
              (long long)r.duration_ms, (unsigned long long)f->bytes);
}

/* Whether the room's record has a standing recording consent: the
 * consultation's, or the rehab session's plan's (given by the resident
 * or a carer). */
static bool
consented(struct tc_srv *srv, const struct media_room *mr)
{
    struct tc_rec_rehab_session *s = NULL;
    bool allowed = false;

    if (mr->kind == TC_SRV__SIG_ROOM_CONSULTATION) {
        return tc_rec_consultation_recording_allowed(srv->db, mr->record_id,
                                                     &allowed) == 0 &&
               allowed;
    }
    if (tc_rec_rehab_session_get(srv->db, mr->record_id, &s) == 0 &&
        tc_rec_rehab_recording_consent(srv->db, s->plan_id, &allowed) < 0) {
        allowed = false;
    }
    tc_rec_rehab_session_free(s);
    return allowed;
}

/* Record the room's media when its record has recording consent. */
static void
record_if_consented(struct media_room *mr)
{
    struct tc_srv *srv = mr->m->srv;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *when = g_date_time_format(now, "%Y%m%dT%H%M%SZ");
    g_autofree char *dir = NULL;

    if (!consented(srv, mr)) {
        return;
    }
    mr->record_rel = g_strdup_printf("recordings/%s-%lld/%s",
                                     mr->kind == TC_SRV__SIG_ROOM_CONSULTATION
                                         ? "consultation"
                                         : "rehab-session",
                                     (long long)mr->record_id, when);
    dir = g_build_filename(srv->cfg->data_dir, mr->record_rel, NULL);
    if (g_mkdir_with_parents(dir, 0750) < 0 ||
        tc_media_room_record(mr->room, dir) < 0) {
        g_warning("room %s: cannot record into %s", mr->name, mr->record_rel);
        g_clear_pointer(&mr->record_rel, g_free);
        return;
    }
    g_message("room %s: recording (consent given)", mr->name);
}

/* ---- actual media time of rehab sessions ---- */

/* A track of `peer_id` went up or down: the participant's media starts
 * with its first track up and stops with its last one down. */
static void
flow_track(struct media_room *mr, const char *peer_id, const char *track,
           bool up, int64_t at_us)
{
    struct flow *f = g_hash_table_lookup(mr->flows, peer_id);
    unsigned bit = strcmp(track, "video") == 0 ? 2u : 1u, was;

    if (!f && up) {
        struct tc_srv__sig_room *room =
            tc_srv__sig_room_find(mr->m->hub, mr->name);
        struct tc_srv__sig_peer *peer =
            tc_srv__sig_peer_find(mr->m->hub, peer_id);
        struct flow who = {0};

        if (!room || !peer ||
            !tc_srv__sig_rehab_who(room, peer, &who.user_id, &who.role)) {
            return;
        }
        f = g_memdup2(&who, sizeof(who));
        g_hash_table_insert(mr->flows, g_strdup(peer_id), f);
    }
    if (!f) {
        return;
    }
    was = f->tracks_up;
    f->tracks_up = up ? was | bit : was & ~bit;
    if ((was == 0) != (f->tracks_up == 0)) {
        tc_srv__sig_rehab_media(mr->m->srv, mr->record_id, f->user_id, f->role,
                                f->tracks_up != 0,
                                at_us > 0 ? at_us : g_get_real_time());
    }
}

/* The room's pipeline goes away: whatever still flows stops now. */
static void
flows_stop_all(struct media_room *mr)
{
    GHashTableIter it;
    gpointer v;

    if (!mr->flows) {
        return;
    }
    g_hash_table_iter_init(&it, mr->flows);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        struct flow *f = v;

        if (f->tracks_up) {
            f->tracks_up = 0;
            tc_srv__sig_rehab_media(mr->m->srv, mr->record_id, f->user_id,
                                    f->role, false, g_get_real_time());
        }
    }
}

static void
on_event(const struct tc_media_event *ev, void *data)
{
    struct media_room *mr = data;
    json_t *doc;

    switch (ev->kind) {
    case TC_MEDIA_EV_SDP:
        doc = from_media(ev->sdp_type, mr, ev->feed);
        json_object_set_new(doc, "sdp", json_string(ev->sdp));
        deliver(mr, ev->participant, doc);
        return;
    case TC_MEDIA_EV_CANDIDATE:
        doc = from_media("candidate", mr, ev->feed);
        json_object_set_new(doc, "candidate", json_string(ev->candidate));
        json_object_set_new(doc, "sdpMLineIndex", json_integer(ev->mline));
        deliver(mr, ev->participant, doc);
        return;
    case TC_MEDIA_EV_STATE:
        doc = media_event(mr, "state", ev->feed);
        json_object_set_new(doc, "state", json_string(ev->state));
        deliver(mr, ev->participant, doc);
        if (strcmp(ev->state, "connected") == 0 ||
            strcmp(ev->state, "failed") == 0) {
            count_event(mr, ev->state[0] == 'c' ? "connected" : "failed");
        }
        return;
    case TC_MEDIA_EV_TRACK:
        doc = media_event(mr, "track", NULL);
        json_object_set_new(doc, "peer", json_string(ev->participant));
        json_object_set_new(doc, "track", json_string(ev->track));
        json_object_set_new(doc, "up", json_boolean(ev->up));
        broadcast(mr, doc);
        count_event(mr, ev->up ? "track-up" : "track-down");
        if (mr->flows) {
            flow_track(mr, ev->participant, ev->track, ev->up, ev->at_us);
        }
        return;
    case TC_MEDIA_EV_FEED_ENDED:
        deliver(mr, ev->participant, media_event(mr, "feed-ended", ev->feed));
        return;
    case TC_MEDIA_EV_RECORDING:
        recording_done(mr, ev);
        return;
    case TC_MEDIA_EV_RECORDING_STARTED:
        recording_started(mr, ev);
        return;
    case TC_MEDIA_EV_AUDIO_ONLY:
        /* The subscriber and the publishers whose video it no longer
         * gets (or gets again) all see it. */
        g_message("room %s: peer %s receives %s (%s)", mr->name,
                  ev->participant, ev->up ? "audio only" : "video again",
                  ev->reason);
        doc = media_event(mr, "audio-only", NULL);
        json_object_set_new(doc, "peer", json_string(ev->participant));
        json_object_set_new(doc, "on", json_boolean(ev->up));
        json_object_set_new(doc, "reason", json_string(ev->reason));
        broadcast(mr, doc);
        count_event(mr, ev->up ? "audio-only" : "video-again");
        return;
    case TC_MEDIA_EV_ERROR:
        g_message("room %s: media of peer %s (feed %s) failed: %s", mr->name,
                  ev->participant, ev->feed ? ev->feed : "-", ev->error);
        doc = media_event(mr, "error", ev->feed);
        json_object_set_new(doc, "message", json_string(ev->error));
        deliver(mr, ev->participant, doc);
        count_event(mr, "error");
        return;
    }
}

/* ---- statistics ---- */

static void
on_stats(const struct tc_media_stats *st, void *data)
{
    struct media_sums *n = &((struct tc_srv__media *)data)->next;

    n->connections++;
    if (!st->feed) {
        n->in_packets += (int64_t)st->packets;
        n->in_bytes += (int64_t)st->bytes;
    } else {
        n->out_packets += (int64_t)st->packets;
        n->out_bytes += (int64_t)st->bytes;
        n->out_lost += st->packets_lost > 0 ? st->packets_lost : 0;
        n->bitrate_bps += (int64_t)st->bitrate_bps;
    }
}

/* Move gauge `name` from the last shown value to the new one. */
static void
gauge_show(struct tc_srv__media *m, const char *name, const char *help,
           int64_t *shown, int64_t now)
{
    tc_srv__metrics_gauge_add(m->srv->metrics, name, help, now - *shown);
    *shown = now;
}

/* Publish the sums of the previous round (its answers have arrived by
 * now), then ask for the next. */
static gboolean
on_stats_timer(gpointer data)
{
    struct tc_srv__media *m = data;
    struct media_sums n = m->next;
    GHashTableIter it;
    gpointer v;

    gauge_show(m, "telecare_media_stream_stats",
               "Media track statistics reported in the last round.",
               &m->shown.connections, n.connections);
    gauge_show(m, "telecare_media_in_packets",
               "RTP packets received from publishers (current connections).",
               &m->shown.in_packets, n.in_packets);
    gauge_show(m, "telecare_media_in_bytes",
               "RTP bytes received from publishers (current connections).",
               &m->shown.in_bytes, n.in_bytes);
    gauge_show(m, "telecare_media_out_packets",
               "RTP packets forwarded to subscribers (current connections).",
               &m->shown.out_packets, n.out_packets);
    gauge_show(m, "telecare_media_out_bytes",
               "RTP bytes forwarded to subscribers (current connections).",
               &m->shown.out_bytes, n.out_bytes);
    gauge_show(m, "telecare_media_out_lost_packets",
               "Forwarded packets the subscribers report lost.",
               &m->shown.out_lost, n.out_lost);
    gauge_show(m, "telecare_media_out_bitrate_bps",
               "Forwarded bitrate over the last round, bits per second.",
               &m->shown.bitrate_bps, n.bitrate_bps);
    memset(&m->next, 0, sizeof(m->next));
    g_hash_table_iter_init(&it, m->rooms);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        tc_media_room_stats(((struct media_room *)v)->room, on_stats, m);
    }
    return G_SOURCE_CONTINUE;
}

/* ---- rooms ---- */

static void
media_room_free(gpointer p)
{
    struct media_room *mr = p;

    tc_media_room_free(mr->room);
    flows_stop_all(mr);
    g_clear_pointer(&mr->flows, g_hash_table_destroy);
    g_free(mr->record_rel);
    tc_srv__metrics_gauge_add(mr->m->srv->metrics, "telecare_media_rooms",
                              "Rooms with a media pipeline.", -1);
    g_free(mr);
}

static struct tc_srv__media *
media_get(struct tc_srv *srv, struct tc_srv__sig_hub *hub)
{
    struct tc_srv__media *m = srv->media;

    if (m) {
        return m;
    }
    m = g_new0(struct tc_srv__media, 1);
    m->srv = srv;
    m->hub = hub;
    m->rooms =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, media_room_free);
    m->stats_timer = g_timeout_add_seconds(
        (guint)srv->cfg->media_stats_interval_s, on_stats_timer, m);
    tc_srv__metrics_gauge_add(srv->metrics, "telecare_media_rooms",
                              "Rooms with a media pipeline.", 0);
    srv->media = m;
    return m;
}

void
tc_srv__media_free(struct tc_srv__media *m)
{
    if (!m) {
        return;
    }
    g_source_remove(m->stats_timer);
    g_hash_table_destroy(m->rooms);
    g_free(m);
}

/* The signaling room's profile (sig-profile.c) to its media room. */
static void
apply_profile(struct media_room *mr, const struct tc_srv__sig_room *room)
{
    enum tc_media_profile p = TC_MEDIA_PROFILE_NORMAL;

    if (strcmp(room->media_profile, "low") == 0) {
        p = TC_MEDIA_PROFILE_LOW;
    } else if (strcmp(room->media_profile, "audio") == 0) {
        p = TC_MEDIA_PROFILE_AUDIO;
    }
    if (tc_media_room_profile(
            mr->room, p, (unsigned)mr->m->srv->cfg->media_low_max_kbps) < 0) {
        g_warning("room %s: profile not applied: %s", mr->name,
                  tc_media_room_errmsg(mr->room));
    }
}

static struct media_room *
room_get(struct tc_srv__media *m, const struct tc_srv__sig_room *room,
         struct tc_srv__sig_error *err)
{
    const struct tc_srv_config *cfg = m->srv->cfg;
    struct media_room *mr = g_hash_table_lookup(m->rooms, room->name);
    g_auto(GStrv) addresses = NULL;
    struct tc_media_config mc = {0};

    if (mr) {
        return mr;
    }
    if (cfg->media_ice_addresses) {
        addresses = g_strsplit(cfg->media_ice_addresses, ",", -1);
    }
    mc.ice_addresses = (const char *const *)addresses;
    mc.stun_server = cfg->media_stun_server;
    mc.turn_server = cfg->media_turn_server;
    mc.latency_ms = (unsigned)cfg->media_latency_ms;
    mc.audio_only_loss_pct = (unsigned)cfg->media_audio_only_loss_pct;
    mc.remb_off = !cfg->media_low_remb;
    mr = g_new0(struct media_room, 1);
    mr->m = m;
    g_strlcpy(mr->name, room->name, sizeof(mr->name));
    mr->kind = room->kind;
    mr->record_id = room->record_id;
    if (tc_media_room_new(room->name, &mc, NULL, on_event, mr, &mr->room) <
        0) {
        g_free(mr);
        tc_srv__sig_fail(err, TC_SRV__SIG_INTERNAL,
                         "the media pipeline could not start");
        return NULL;
    }
    if (mr->kind == TC_SRV__SIG_ROOM_REHAB_SESSION) {
        mr->flows =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    }
    g_hash_table_insert(m->rooms, mr->name, mr);
    tc_srv__metrics_gauge_add(m->srv->metrics, "telecare_media_rooms",
                              "Rooms with a media pipeline.", 1);
    g_message("room %s: media pipeline up", room->name);
    record_if_consented(mr);
    apply_profile(mr, room);
    return mr;
}

void
tc_srv__sig_media_profile(struct tc_srv *srv,
                          const struct tc_srv__sig_room *room)
{
    struct media_room *mr =
        srv->media ? g_hash_table_lookup(srv->media->rooms, room->name) : NULL;

    if (mr) {
        apply_profile(mr, room);
    }
}

/* media/'s error -> a signaling error naming the field or rule. */
static enum tc_srv__sig_err
media_fail(struct media_room *mr, int rc, struct tc_srv__sig_error *err)
{
    enum tc_srv__sig_err code = TC_SRV__SIG_BAD_FIELD;

    switch (rc) {
    case -ENOENT:
        code = TC_SRV__SIG_NOT_FOUND;
        break;
    case -EALREADY:
    case -EBUSY:
        code = TC_SRV__SIG_BAD_STATE;
        break;
    case -EMSGSIZE:
        code = TC_SRV__SIG_TOO_LARGE;
        break;
    case -EIO:
    case -ENOMEM:
        code = TC_SRV__SIG_INTERNAL;
        break;
    default:
        break;
    }
    count_event(mr, "refused");
    return tc_srv__sig_fail(err, code, "%s", tc_media_room_errmsg(mr->room));
}

/* The optional "feed" member: a peer id. */
static enum tc_srv__sig_err
feed_member(json_t *doc, const char **out, struct tc_srv__sig_error *err)
{
    json_t *v = json_object_get(doc, "feed");

    *out = NULL;
    if (!v || json_is_null(v)) {
        return TC_SRV__SIG_OK;
    }
    if (!json_is_string(v) || json_string_length(v) == 0 ||
        json_string_length(v) >= TC_MEDIA_ID_MAX) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "feed: must be a peer id");
    }
    *out = json_string_value(v);
    return TC_SRV__SIG_OK;
}

/* The member could not apply the offer of `feed` (feed-error): offered
 * again, a bounded number of times (tc_media_room_feed_refused). The
 * browser's message is not logged (it may quote the SDP). */
static enum tc_srv__sig_err
feed_refused(struct media_room *mr, const struct tc_srv__sig_peer *peer,
             const char *feed, struct tc_srv__sig_error *err)
{
    bool gave_up = false;
    int rc = tc_media_room_feed_refused(mr->room, peer->id, feed, &gave_up);

    if (rc < 0) {
        return media_fail(mr, rc, err);
    }
    g_message("room %s: peer %s could not apply the offer of feed %s; %s",
              mr->name, peer->id, feed,
              gave_up ? "given up" : "offered again");
    count_event(mr, gave_up ? "feed-given-up" : "feed-reoffered");
    return TC_SRV__SIG_OK;
}

enum tc_srv__sig_err
tc_srv__sig_media(void *ctx, struct tc_srv__sig_hub *hub,
                  struct tc_srv__sig_room *room, struct tc_srv__sig_peer *peer,
                  struct tc_srv__sig_msg *msg, struct tc_srv__sig_error *err)
{
    struct tc_srv__media *m = media_get(ctx, hub);
    struct media_room *mr = g_hash_table_lookup(m->rooms, room->name);
    const char *feed = NULL, *sdp;
    json_t *doc = msg->doc;
    int rc;

    if (feed_member(doc, &feed, err) != TC_SRV__SIG_OK) {
        return err->code;
    }
    if (msg->type == TC_SRV__SIG_OFFER && feed) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "feed: an offer to media publishes; feeds "
                                "are offered by the server");
    }
    if (msg->type == TC_SRV__SIG_OFFER && !mr) {
        mr = room_get(m, room, err);
        if (!mr) {
            return err->code;
        }
    }
    if (!mr) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_STATE,
                                "no media in %s yet: offer first", room->name);
    }
    if (msg->type == TC_SRV__SIG_FEED_ERROR) {
        return feed_refused(mr, peer, msg->feed, err);
    }
    if (msg->type == TC_SRV__SIG_MEDIA_MODE) {
        rc = tc_media_room_audio_only(
            mr->room, peer->id,
            json_is_true(json_object_get(doc, "audioOnly")));
        return rc < 0 ? media_fail(mr, rc, err) : TC_SRV__SIG_OK;
    }
    sdp = json_string_value(json_object_get(doc, "sdp"));
    switch (msg->type) {
    case TC_SRV__SIG_OFFER:
        if (!json_is_true(json_object_get(doc, "iceRestart"))) {
            rc = tc_media_room_offer(mr->room, peer->id, sdp, strlen(sdp));
            break;
        }
        rc = tc_media_room_restart(mr->room, peer->id, sdp, strlen(sdp));
        if (rc == 0) {
            g_message("room %s: peer %s restarts ICE", mr->name, peer->id);
            count_event(mr, "ice-restart");
        }
        break;
    case TC_SRV__SIG_ANSWER:
        if (!feed) {
            return tc_srv__sig_fail(err, TC_SRV__SIG_MISSING_FIELD,
                                    "feed: an answer to media names its "
                                    "feed");
        }
        rc = tc_media_room_answer(mr->room, peer->id, feed, sdp, strlen(sdp));
        break;
    default: {
        json_int_t index =
            json_integer_value(json_object_get(doc, "sdpMLineIndex"));
        rc = tc_media_room_candidate(
            mr->room, peer->id, feed, (unsigned)(index > 0 ? index : 0),
            json_string_value(json_object_get(doc, "candidate")));
        break;
    }
    }
    return rc < 0 ? media_fail(mr, rc, err) : TC_SRV__SIG_OK;
}

void
tc_srv__sig_media_left(void *ctx, struct tc_srv__sig_hub *hub,
                       const struct tc_srv__sig_room *room,
                       const struct tc_srv__sig_peer *peer)
{
    struct tc_srv *srv = ctx;
    struct media_room *mr =
        srv->media ? g_hash_table_lookup(srv->media->rooms, room->name) : NULL;

    if (!mr) {
        return;
    }
    tc_media_room_leave(mr->room, peer->id);
    if (tc_media_room_count(mr->room) == 0) {
        g_message("room %s: media pipeline down", room->name);
        g_hash_table_remove(srv->media->rooms, room->name);
    }
}
