// SPDX-License-Identifier: Apache-2.0
/*
 * room.c - a room: one GStreamer pipeline, its participants and their
 * connections (tc-media.h). A participant with media has a publishing
 * endpoint and one feed endpoint per other publisher:
 *
 *   part A: pub(A) --tee(A,video)--+--queue--> feed(B<-A) ...
 *                  --tee(A,audio)--+--queue--> feed(B<-A)
 *   part B: pub(B) --tee(B,...)-------queue--> feed(A<-B)
 *
 * When a publisher's answer is made its tracks are known: every other
 * participant is offered a feed of it, and it is offered a feed of every
 * other negotiated publisher. When a track's first packet arrives its tee
 * is made and the feeds waiting for it are linked. A publisher that
 * leaves or fails takes the feeds of it along (their owners get
 * FEED_ENDED); a feed that fails is only itself removed. The room's
 * owner frees it when the last participant has left, and the pipeline
 * goes with it.
 *
 * Errors on the bus are traced to the endpoint whose webrtcbin holds the
 * failing element, and only that connection ends.
 *
 * Thread: the room's context (media-int.h).
 */
#include <errno.h>
#include <string.h>

#include "media-int.h"

static gint rooms_alive;

unsigned
tc_media_rooms_alive(void)
{
    return (unsigned)g_atomic_int_get(&rooms_alive);
}

static int fail(struct tc_media_room *room, int rc, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static int
fail(struct tc_media_room *room, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_vsnprintf(room->errmsg, sizeof(room->errmsg), fmt, ap);
    va_end(ap);
    return rc;
}

const char *
tc_media_room_errmsg(const struct tc_media_room *room)
{
    return room->errmsg;
}

unsigned
tc_media_room_count(const struct tc_media_room *room)
{
    return room->parts->len;
}

void
tc_media__emit(struct tc_media_room *room, const struct tc_media__endpoint *ep,
               struct tc_media_event *ev)
{
    if (room->quiet) {
        return;
    }
    ev->participant = ep->owner_id;
    ev->feed = ep->feed_id[0] ? ep->feed_id : NULL;
    room->fn(ev, room->data);
}

/* ---- participants ---- */

static struct tc_media__part *
part_find(struct tc_media_room *room, const char *id)
{
    for (guint i = 0; id && i < room->parts->len; i++) {
        struct tc_media__part *p = g_ptr_array_index(room->parts, i);
        if (strcmp(p->id, id) == 0) {
            return p;
        }
    }
    return NULL;
}

static bool
id_valid(const char *id)
{
    size_t n = id ? strlen(id) : 0;

    if (n == 0 || n >= TC_MEDIA_ID_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!g_ascii_isgraph(id[i])) {
            return false;
        }
    }
    return true;
}

/* The feed of `pub` that `owner` receives, or NULL. */
static struct tc_media__endpoint *
feed_find(struct tc_media__part *owner, const char *pub_id)
{
    for (guint i = 0; i < owner->feeds->len; i++) {
        struct tc_media__endpoint *ep = g_ptr_array_index(owner->feeds, i);
        if (strcmp(ep->feed_id, pub_id) == 0) {
            return ep;
        }
    }
    return NULL;
}

static void
feed_remove(struct tc_media__part *owner, struct tc_media__endpoint *ep)
{
    g_ptr_array_remove(owner->feeds, ep);
    tc_media__endpoint_remove(ep);
}

/* Everyone's feeds of `pub` end. */
static void
feeds_of_end(struct tc_media_room *room, struct tc_media__part *pub)
{
    for (guint i = 0; i < room->parts->len; i++) {
        struct tc_media__part *p = g_ptr_array_index(room->parts, i);
        struct tc_media__endpoint *ep = feed_find(p, pub->id);
        struct tc_media_event ev = {.kind = TC_MEDIA_EV_FEED_ENDED};

        if (ep) {
            tc_media__emit(room, ep, &ev);
            feed_remove(p, ep);
        }
    }
}

/* ---- recording ---- */

static void
record_start(struct tc_media__part *part, struct tc_media__track *t)
{
    struct tc_media_room *room = part->room;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *when = g_date_time_format(now, "%Y%m%dT%H%M%S");
    g_autofree char *stem = g_strdup_printf("%s-%s-%s-%06d", part->id,
                                            t->video ? "video" : "audio", when,
                                            g_date_time_get_microsecond(now));

    struct tc_media_recording started = {0};
    struct tc_media_event ev = {.kind = TC_MEDIA_EV_RECORDING_STARTED};

    if (!room->record_dir || !t->tee || t->rec) {
        return;
    }
    t->rec = tc_media__rec_start(room->pipeline, t->tee, t->caps,
                                 room->record_dir, stem);
    if (t->rec && part->pub) {
        tc_media__rec_describe(t->rec, &started);
        ev.track = t->video ? "video" : "audio";
        ev.recording = &started;
        tc_media__emit(room, part->pub, &ev);
    }
}

static void
record_stop(struct tc_media__part *part, struct tc_media__track *t)
{
    struct tc_media_recording out = {0};
    struct tc_media_event ev = {.kind = TC_MEDIA_EV_RECORDING};

    if (!t->rec) {
        return;
    }
    tc_media__rec_stop(t->rec, &out);
    if (out.path && part->pub) {
        ev.track = t->video ? "video" : "audio";
        ev.recording = &out;
        tc_media__emit(part->room, part->pub, &ev);
    }
    tc_media__rec_free(t->rec);
    t->rec = NULL;
}

int
tc_media_room_record(struct tc_media_room *room, const char *dir)
{
    if (room->record_dir) {
        return fail(room, -EALREADY, "already recording");
    }
    room->record_dir = g_strdup(dir);
    for (guint i = 0; i < room->parts->len; i++) {
        struct tc_media__part *p = g_ptr_array_index(room->parts, i);

        for (unsigned k = 0; k < p->n_tracks; k++) {
            record_start(p, &p->tracks[k]);
        }
    }
    return 0;
}

/* The real time of monotonic instant `mono_us` (0: now). */
static int64_t
real_time_of(gint64 mono_us)
{
    gint64 now = g_get_monotonic_time();

    return g_get_real_time() -
           (mono_us > 0 && mono_us < now ? now - mono_us : 0);
}

/* `part` stops publishing: feeds of it, its connection, its tees. */
static void
part_unpublish(struct tc_media__part *part, bool tell)
{
    struct tc_media_room *room = part->room;

    feeds_of_end(room, part);
    for (unsigned i = 0; i < part->n_tracks; i++) {
        record_stop(part, &part->tracks[i]);
    }
    for (unsigned i = 0; i < part->n_tracks; i++) {
        struct tc_media__track *t = &part->tracks[i];

        if (t->tee && tell && part->pub) {
            struct tc_media_event ev = {.kind = TC_MEDIA_EV_TRACK};
            ev.track = t->video ? "video" : "audio";
            ev.up = false;
            ev.at_us = real_time_of(
                t->paused ? 0
                          : (gint64)g_atomic_pointer_get(&t->last_buffer_us));
            tc_media__emit(room, part->pub, &ev);
        }
    }
    if (part->pub) {
        tc_media__endpoint_remove(part->pub);
        part->pub = NULL;
    }
    for (unsigned i = 0; i < part->n_tracks; i++) {
        part->tracks[i].tee = NULL; /* the endpoint's, gone with it */
        gst_clear_caps(&part->tracks[i].caps);
    }
    part->n_tracks = 0;
    part->negotiated = false;
}

static void
part_free(struct tc_media__part *part, bool tell)
{
    part_unpublish(part, tell);
    while (part->feeds->len > 0) {
        feed_remove(part, g_ptr_array_index(part->feeds, 0));
    }
    g_ptr_array_unref(part->feeds);
    g_free(part);
}

/* A feed of `pub` for `owner`, offered; `refusals`: offers of it that
 * `owner` refused before. */
static void
feed_offer(struct tc_media__part *owner, struct tc_media__part *pub,
           unsigned refusals)
{
    struct tc_media__endpoint *ep;

    if (feed_find(owner, pub->id) || pub->n_tracks == 0) {
        return;
    }
    ep = tc_media__endpoint_new(owner->room, owner, pub);
    if (!ep) {
        GST_ERROR("room %s: no webrtcbin for a feed", owner->room->name);
        return;
    }
    ep->refusals = refusals;
    g_ptr_array_add(owner->feeds, ep);
    if (tc_media__endpoint_offer_feed(ep) < 0) {
        tc_media__endpoint_failed(ep, "cannot set up the feed's tracks");
    }
}

static void
feed_open(struct tc_media__part *owner, struct tc_media__part *pub)
{
    feed_offer(owner, pub, 0);
}

void
tc_media__part_negotiated(struct tc_media__part *part)
{
    struct tc_media_room *room = part->room;

    for (guint i = 0; i < room->parts->len; i++) {
        struct tc_media__part *other = g_ptr_array_index(room->parts, i);

        if (other == part) {
            continue;
        }
        feed_open(other, part);
        if (other->negotiated) {
            feed_open(part, other);
        }
    }
}

void
tc_media__track_up(struct tc_media__part *part, unsigned track)
{
    struct tc_media_room *room = part->room;
    struct tc_media_event ev = {.kind = TC_MEDIA_EV_TRACK};

    ev.track = part->tracks[track].video ? "video" : "audio";
    ev.up = true;
    ev.at_us = real_time_of(0);
    tc_media__emit(room, part->pub, &ev);
    record_start(part, &part->tracks[track]);
    for (guint i = 0; i < room->parts->len; i++) {
        struct tc_media__part *other = g_ptr_array_index(room->parts, i);
        struct tc_media__endpoint *ep = feed_find(other, part->id);

        if (ep) {
            tc_media__endpoint_link(ep);
        }
    }
}

void
tc_media__endpoint_failed(struct tc_media__endpoint *ep, const char *why)
{
    struct tc_media_event ev = {.kind = TC_MEDIA_EV_ERROR};
    struct tc_media__part *owner = ep->owner;

    if (ep->gone) {
        return;
    }
    GST_WARNING("room %s: connection of %s (feed %s) failed: %s",
                ep->room->name, ep->owner_id,
                ep->feed_id[0] ? ep->feed_id : "-", why);
    ev.error = why;
    tc_media__emit(ep->room, ep, &ev);
    if (ep->feed) {
        feed_remove(owner, ep);
    } else {
        part_unpublish(owner, true);
    }
}

/* ---- tracks that pause and resume ---- */

#define PAUSED_AFTER_US (1500 * 1000)
#define PAUSE_CHECK_MS  500

/* A publisher that stops sending a track (audio-only on a weak link, a
 * camera turned off) is told to the room as the track going down, and
 * coming back as up again; a video track that resumes gets a keyframe
 * asked for every feed of it, so the others decode at once. */
static void
track_pause_check(struct tc_media__part *part, struct tc_media__track *t,
                  gint64 now)
{
    gint64 last = (gint64)g_atomic_pointer_get(&t->last_buffer_us);
    bool paused = now - last > PAUSED_AFTER_US;
    struct tc_media_event ev = {.kind = TC_MEDIA_EV_TRACK};
    struct tc_media_room *room = part->room;

    if (!t->tee || paused == t->paused || !part->pub) {
        return;
    }
    t->paused = paused;
    ev.track = t->video ? "video" : "audio";
    ev.up = !paused;
    ev.at_us = real_time_of(paused ? last : 0);
    tc_media__emit(room, part->pub, &ev);
    if (paused || !t->video) {
        return;
    }
    for (guint i = 0; i < room->parts->len; i++) {
        struct tc_media__part *p = g_ptr_array_index(room->parts, i);
        struct tc_media__endpoint *ep = feed_find(p, part->id);

        if (ep && ep->connected) {
            tc_media__endpoint_ask_keyframe(ep);
        }
    }
}

static gboolean
on_pause_timer(gpointer data)
{
    struct tc_media_room *room = data;
    gint64 now = g_get_monotonic_time();

    for (guint i = 0; i < room->parts->len; i++) {
        struct tc_media__part *p = g_ptr_array_index(room->parts, i);

        for (unsigned k = 0; k < p->n_tracks; k++) {
            track_pause_check(p, &p->tracks[k], now);
        }
    }
    return G_SOURCE_CONTINUE;
}

/* ---- data channels ---- */

void
tc_media__data(struct tc_media__endpoint *ep, const char *text)
{
    struct tc_media_room *room = ep->room;
    g_autofree char *msg = g_strdup_printf("from:%s\n%s", ep->owner_id, text);

    for (guint i = 0; i < room->parts->len; i++) {
        struct tc_media__part *p = g_ptr_array_index(room->parts, i);

        if (p != ep->owner && p->pub) {
            tc_media__endpoint_send_data(p->pub, msg);
        }
    }
}

/* ---- the bus ---- */

static struct tc_media__endpoint *
endpoint_holding(struct tc_media_room *room, GstObject *src)
{
    for (guint i = 0; i < room->parts->len; i++) {
        struct tc_media__part *p = g_ptr_array_index(room->parts, i);

        if (p->pub &&
            gst_object_has_as_ancestor(src, GST_OBJECT(p->pub->webrtc))) {
            return p->pub;
        }
        for (guint k = 0; k < p->feeds->len; k++) {
            struct tc_media__endpoint *ep = g_ptr_array_index(p->feeds, k);
            if (gst_object_has_as_ancestor(src, GST_OBJECT(ep->webrtc))) {
                return ep;
            }
            for (guint b = 0; b < ep->branches->len; b++) {
                struct tc_media__branch *br =
                    g_ptr_array_index(ep->branches, b);
                if (br->queue && src == GST_OBJECT(br->queue)) {
                    return ep;
                }
            }
        }
    }
    return NULL;
}

static gboolean
on_bus(GstBus *bus, GstMessage *msg, gpointer data)
{
    struct tc_media_room *room = data;
    g_autoptr(GError) err = NULL;
    struct tc_media__endpoint *ep;

    if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ERROR) {
        return G_SOURCE_CONTINUE;
    }
    gst_message_parse_error(msg, &err, NULL);
    ep = endpoint_holding(room, GST_MESSAGE_SRC(msg));
    if (ep) {
        tc_media__endpoint_failed(ep, err->message);
    } else {
        GST_WARNING("room %s: error from %s: %s", room->name,
                    GST_MESSAGE_SRC_NAME(msg), err->message);
    }
    return G_SOURCE_CONTINUE;
}

/* ---- public calls ---- */

int
tc_media_room_new(const char *name, const struct tc_media_config *cfg,
                  GMainContext *ctx, tc_media_event_fn fn, void *data,
                  struct tc_media_room **out)
{
    struct tc_media_room *room = g_new0(struct tc_media_room, 1);
    g_autoptr(GstBus) bus = NULL;

    g_strlcpy(room->name, name, sizeof(room->name));
    room->ctx =
        ctx ? g_main_context_ref(ctx) : g_main_context_ref_thread_default();
    room->fn = fn;
    room->data = data;
    room->parts = g_ptr_array_new();
    room->ice_addresses = g_strdupv((char **)cfg->ice_addresses);
    room->cfg.stun_server = g_strdup(cfg->stun_server);
    room->cfg.turn_server = g_strdup(cfg->turn_server);
    room->cfg.latency_ms = cfg->latency_ms ? cfg->latency_ms : 100;
    room->cfg.audio_only_loss_pct =
        cfg->audio_only_loss_pct ? cfg->audio_only_loss_pct : 10;
    room->cfg.remb_off = cfg->remb_off;
    room->low_max_kbps = 150;
    room->pipeline = gst_object_ref_sink(gst_pipeline_new(NULL));
    room->delay = tc_media__delay_watch(room->pipeline);
    bus = gst_pipeline_get_bus(GST_PIPELINE(room->pipeline));
    room->bus_source = gst_bus_create_watch(bus);
    g_source_set_callback(room->bus_source, G_SOURCE_FUNC(on_bus), room, NULL);
    g_source_attach(room->bus_source, room->ctx);
    room->pause_timer = g_timeout_source_new(PAUSE_CHECK_MS);
    g_source_set_callback(room->pause_timer, on_pause_timer, room, NULL);
    g_source_attach(room->pause_timer, room->ctx);
    g_atomic_int_inc(&rooms_alive);
    if (gst_element_set_state(room->pipeline, GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_FAILURE) {
        tc_media_room_free(room);
        return -EIO;
    }
    GST_INFO("room %s: pipeline up", room->name);
    *out = room;
    return 0;
}

void
tc_media_room_free(struct tc_media_room *room)
{
    if (!room) {
        return;
    }
    room->quiet = true;
    while (room->parts->len > 0) {
        struct tc_media__part *p = g_ptr_array_steal_index(room->parts, 0);
        part_free(p, false);
    }
    g_ptr_array_unref(room->parts);
    g_source_destroy(room->pause_timer);
    g_source_unref(room->pause_timer);
    gst_element_set_state(room->pipeline, GST_STATE_NULL);
    g_source_destroy(room->bus_source);
    g_source_unref(room->bus_source);
    gst_object_unref(room->pipeline);
    tc_media__delay_unref(room->delay);
    g_main_context_unref(room->ctx);
    g_strfreev(room->ice_addresses);
    g_free((char *)room->cfg.stun_server);
    g_free((char *)room->cfg.turn_server);
    g_free(room->record_dir);
    GST_INFO("room %s: pipeline gone", room->name);
    g_free(room);
    g_atomic_int_add(&rooms_alive, -1);
}

/* A participant's id and offer checked, the offer parsed into `offer`
 * (tc_media__offer_fini); a negative errno with the room's message. */
static int
offer_read(struct tc_media_room *room, const char *id, const char *sdp,
           size_t len, struct tc_media__offer *offer)
{
    if (!id_valid(id)) {
        return fail(room, -EINVAL, "participant id: 1..%d printable bytes",
                    TC_MEDIA_ID_MAX - 1);
    }
    return tc_media__sdp_check(sdp, len, true, offer, room->errmsg,
                               sizeof(room->errmsg));
}

int
tc_media_room_offer(struct tc_media_room *room, const char *id,
                    const char *sdp, size_t len)
{
    struct tc_media__offer offer = {0};
    struct tc_media__part *part;
    struct tc_media__endpoint *ep;
    int rc;

    rc = offer_read(room, id, sdp, len, &offer);
    if (rc < 0) {
        return rc;
    }
    part = part_find(room, id);
    if (!part) {
        part = g_new0(struct tc_media__part, 1);
        part->room = room;
        g_strlcpy(part->id, id, sizeof(part->id));
        part->feeds = g_ptr_array_new();
        g_ptr_array_add(room->parts, part);
        tc_media__link_apply(part, "profile"); /* an AUDIO room */
    } else {
        part_unpublish(part, true); /* a new offer replaces the old one */
    }
    ep = tc_media__endpoint_new(room, part, NULL);
    if (!ep) {
        tc_media__offer_fini(&offer);
        return fail(room, -EIO, "no webrtcbin could be made");
    }
    part->pub = ep;
    tc_media__endpoint_take_offer(ep, &offer);
    /* A newcomer receives the others at once, without waiting for its own
     * answer: its first frames come sooner. */
    for (guint i = 0; i < room->parts->len; i++) {
        struct tc_media__part *other = g_ptr_array_index(room->parts, i);

        if (other != part && other->negotiated) {
            feed_open(part, other);
        }
    }
    return 0;
}

int
tc_media_room_restart(struct tc_media_room *room, const char *id,
                      const char *sdp, size_t len)
{
    struct tc_media__offer offer = {0};
    struct tc_media__part *part;
    const char *why;
    int rc;

    rc = offer_read(room, id, sdp, len, &offer);
    if (rc < 0) {
        return rc;
    }
    part = part_find(room, id);
    if (!part || !part->pub || !part->negotiated) {
        rc = fail(room, -ENOENT,
                  "iceRestart: no negotiated publishing connection to "
                  "restart; publish with an offer without it");
    } else if (part->pub->restarting) {
        rc = fail(room, -EBUSY,
                  "iceRestart: the previous restart is not answered yet");
    } else if ((why =
                    tc_media__endpoint_restart_check(part->pub, offer.sdp))) {
        rc = fail(room, -EINVAL, "%s", why);
    } else {
        tc_media__endpoint_restart(part->pub, g_steal_pointer(&offer.sdp));
    }
    tc_media__offer_fini(&offer);
    return rc;
}

static struct tc_media__endpoint *
endpoint_find(struct tc_media_room *room, const char *id, const char *feed)
{
    struct tc_media__part *part = part_find(room, id);

    if (!part) {
        fail(room, -ENOENT, "participant %s has no media in the room", id);
        return NULL;
    }
    if (!feed) {
        if (!part->pub) {
            fail(room, -ENOENT, "no publishing connection");
        }
        return part->pub;
    }
    if (!feed_find(part, feed)) {
        fail(room, -ENOENT, "feed: no feed %s for this participant", feed);
        return NULL;
    }
    return feed_find(part, feed);
}

int
tc_media_room_answer(struct tc_media_room *room, const char *id,
                     const char *feed, const char *sdp, size_t len)
{
    struct tc_media__endpoint *ep = endpoint_find(room, id, feed);
    struct tc_media__offer answer = {0};
    int rc;

    if (!ep || !feed) {
        return feed ? -ENOENT : fail(room, -EINVAL, "feed: missing");
    }
    if (ep->answered) {
        return fail(room, -EALREADY, "feed %s: already answered", feed);
    }
    rc = tc_media__sdp_check(sdp, len, false, &answer, room->errmsg,
                             sizeof(room->errmsg));
    if (rc < 0) {
        return rc;
    }
    tc_media__endpoint_take_answer(ep, g_steal_pointer(&answer.sdp));
    return 0;
}

int
tc_media_room_feed_refused(struct tc_media_room *room, const char *id,
                           const char *feed, bool *gave_up)
{
    struct tc_media__endpoint *ep = endpoint_find(room, id, feed);
    struct tc_media__part *owner, *pub;
    unsigned refusals;

    if (!ep || !feed) {
        return feed ? -ENOENT : fail(room, -EINVAL, "feed: missing");
    }
    if (ep->answered) {
        return fail(room, -EALREADY, "feed %s: already answered", feed);
    }
    if (!ep->offered) {
        return fail(room, -EBUSY, "feed %s: its offer is not out yet", feed);
    }
    owner = ep->owner;
    pub = ep->feed;
    refusals = ep->refusals + 1;
    *gave_up = refusals > TC_MEDIA_FEED_REOFFERS;
    if (*gave_up) {
        tc_media__endpoint_failed(ep, "the participant refused every offer "
                                      "of this feed; given up");
        return 0;
    }
    GST_INFO("room %s: %s refused the offer of feed %s (%u): offered again",
             room->name, id, feed, refusals);
    feed_remove(owner, ep);
    feed_offer(owner, pub, refusals);
    return 0;
}

int
tc_media_room_candidate(struct tc_media_room *room, const char *id,
                        const char *feed, unsigned mline,
                        const char *candidate)
{
    struct tc_media__endpoint *ep = endpoint_find(room, id, feed);
    size_t n = candidate ? strlen(candidate) : 0;

    if (!ep) {
        return -ENOENT;
    }
    if (!candidate || n > 4096 ||
        (n > 0 && strncmp(candidate, "candidate:", 10) != 0)) {
        return fail(room, -EINVAL,
                    "candidate: must start \"candidate:\" (at most 4096 "
                    "bytes)");
    }
    if (mline >= 64) {
        return fail(room, -EINVAL, "sdpMLineIndex: over 63");
    }
    tc_media__endpoint_candidate(ep, mline, candidate);
    return 0;
}

void
tc_media_room_leave(struct tc_media_room *room, const char *id)
{
    struct tc_media__part *part = part_find(room, id);

    if (!part) {
        return;
    }
    g_ptr_array_remove(room->parts, part);
    part_free(part, true);
    GST_INFO("room %s: %s left, %u with media", room->name, id,
             room->parts->len);
}

void
tc_media_room_stats(struct tc_media_room *room, tc_media_stats_fn fn,
                    void *data)
{
    tc_media__link_round(room);
    for (guint i = 0; i < room->parts->len; i++) {
        struct tc_media__part *p = g_ptr_array_index(room->parts, i);

        if (p->pub) {
            tc_media__endpoint_stats(p->pub, fn, data);
        }
        for (guint k = 0; k < p->feeds->len; k++) {
            tc_media__endpoint_stats(g_ptr_array_index(p->feeds, k), fn, data);
        }
    }
}
