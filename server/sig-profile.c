// SPDX-License-Identifier: Apache-2.0
/*
 * sig-profile.c - a room's low-bandwidth media profile over signaling
 * (docs/protocol.md, "media-profile"):
 *
 *   normal  as the publishers' browsers choose;
 *   low     video capped at [media] low_max_kbps, half size, 15 fps;
 *   audio   no video.
 *
 * A room opens with its record's profile (a consultation's or rehab
 * session's, records/media-profile.c), or [media] default_profile when
 * none was chosen; join answers tell it. A host of the room changes it in
 * the call with `media-profile`: it is kept with the record (so the next
 * call starts with it), applied to the room's media (sig-media.c ->
 * tc_media_room_profile: REMB caps for low, no video forwarded for
 * audio), and every joined member gets a `media-profile` event; the
 * clients cap what they send (the JS SDK: RTCRtpSender.setParameters).
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "signaling"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "sig-int.h"
#include "tc-records.h"

static enum tc_rec_media_profile_owner
owner_of(const struct tc_srv__sig_room *room)
{
    return room->kind == TC_SRV__SIG_ROOM_CONSULTATION
               ? TC_REC_MEDIA_PROFILE_CONSULTATION
               : TC_REC_MEDIA_PROFILE_REHAB_SESSION;
}

void
tc_srv__sig_profile_opened(void *ctx, struct tc_srv__sig_room *room)
{
    struct tc_srv *srv = ctx;
    struct tc_rec_media_profile_row row = {0};
    const char *name;

    if (tc_rec_media_profile_get(srv->db, owner_of(room), room->record_id,
                                 &row) < 0) {
        row.profile =
            (enum tc_rec_media_profile)srv->cfg->media_default_profile;
    }
    name = tc_rec_media_profile_to_string(row.profile);
    g_strlcpy(room->media_profile, name ? name : "normal",
              sizeof(room->media_profile));
    room->video_max_kbps = srv->cfg->media_low_max_kbps;
}

void
tc_srv__sig_profile_members(const struct tc_srv__sig_room *room, json_t *doc)
{
    if (!room->media_profile[0]) {
        return;
    }
    json_object_set_new(doc, "media_profile",
                        json_string(room->media_profile));
    if (strcmp(room->media_profile, "low") == 0) {
        json_object_set_new(doc, "video_max_kbps",
                            json_integer(room->video_max_kbps));
    }
}

/* The caller's membership of msg->room as a host in the call. */
static enum tc_srv__sig_err
host_of(struct tc_srv__sig_peer *peer, const struct tc_srv__sig_msg *msg,
        struct tc_srv__sig_member **out, struct tc_srv__sig_error *err)
{
    for (guint i = 0; i < peer->members->len; i++) {
        struct tc_srv__sig_member *m = g_ptr_array_index(peer->members, i);

        if (strcmp(m->room->name, msg->room) != 0) {
            continue;
        }
        if (m->waiting || m->role != TC_SRV__SIG_HOST) {
            return tc_srv__sig_fail(err, TC_SRV__SIG_FORBIDDEN,
                                    "only a host of %s may set its media "
                                    "profile",
                                    msg->room);
        }
        *out = m;
        return TC_SRV__SIG_OK;
    }
    return tc_srv__sig_fail(err, TC_SRV__SIG_NOT_IN_ROOM, "not in room %s",
                            msg->room);
}

/* Send `doc` to every joined (not waiting) member of `room`. */
static void
tell_room(struct tc_srv__sig_hub *hub, struct tc_srv__sig_room *room,
          const json_t *doc)
{
    struct tc_srv__sig_frame *f = tc_srv__sig_frame_new(doc);

    for (guint i = 0; f && i < room->members->len; i++) {
        struct tc_srv__sig_member *m = g_ptr_array_index(room->members, i);

        if (!m->waiting) {
            tc_srv__sig_deliver(hub, m->peer, f);
        }
    }
    tc_srv__sig_frame_unref(f);
}

/* `room` has profile `name` now: its media, every joined member. */
static void
room_changed(struct tc_srv *srv, struct tc_srv__sig_hub *hub,
             struct tc_srv__sig_room *room, const char *name, const char *by)
{
    json_t *doc;

    g_strlcpy(room->media_profile, name, sizeof(room->media_profile));
    room->video_max_kbps = srv->cfg->media_low_max_kbps;
    tc_srv__sig_media_profile(srv, room);
    doc = json_pack("{s:s,s:s}", "type", "media-profile", "room", room->name);
    if (by) {
        json_object_set_new(doc, "by", json_string(by));
    }
    tc_srv__sig_profile_members(room, doc);
    tell_room(hub, room, doc);
    json_decref(doc);
}

void
tc_srv__sig_profile_changed(struct tc_srv *srv,
                            enum tc_srv__sig_room_kind kind, int64_t record_id,
                            const char *name)
{
    struct tc_srv__sig_hub *hub = tc_srv__sig_hub_of(srv);
    char room_name[TC_SRV__SIG_ROOM_NAME_MAX];
    struct tc_srv__sig_room *room;

    g_snprintf(room_name, sizeof(room_name), "%s:%" G_GINT64_FORMAT,
               kind == TC_SRV__SIG_ROOM_CONSULTATION ? "consultation"
                                                     : "rehab-session",
               record_id);
    room = hub ? tc_srv__sig_room_find(hub, room_name) : NULL;
    if (room) {
        room_changed(srv, hub, room, name, NULL);
    }
}

enum tc_srv__sig_err
tc_srv__sig_profile_set(struct tc_srv *srv, struct tc_srv__sig_hub *hub,
                        struct tc_srv__sig_peer *peer,
                        const struct tc_srv__sig_msg *msg,
                        struct tc_srv__sig_error *err)
{
    struct tc_srv__sig_member *m = NULL;
    enum tc_rec_media_profile p;
    enum tc_srv__sig_err rc = host_of(peer, msg, &m, err);
    json_t *doc;

    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    if (tc_rec_media_profile_from_string(msg->profile, &p) < 0) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "profile: must be normal, low or audio");
    }
    if (tc_rec_media_profile_set(srv->db, owner_of(m->room),
                                 m->room->record_id, p, peer->who.user_id,
                                 g_get_real_time()) < 0) {
        g_warning("room %s: media profile not kept: %s", m->room->name,
                  tc_rec_errmsg(srv->db));
        return tc_srv__sig_fail(err, TC_SRV__SIG_INTERNAL,
                                "the media profile cannot be kept now");
    }
    if (msg->id[0]) {
        doc = json_pack("{s:s,s:s,s:s}", "type", "ok", "id", msg->id, "room",
                        m->room->name);
        tc_srv__sig_answer(hub, peer, doc);
        json_decref(doc);
    }
    room_changed(srv, hub, m->room, msg->profile, peer->id);
    tc_srv__metrics_count(srv->metrics, "telecare_media_profile_changes_total",
                          "Room media profiles set by hosts, by profile.",
                          "profile", msg->profile);
    g_message("room %s: media profile %s (peer %s)", m->room->name,
              msg->profile, peer->id);
    return TC_SRV__SIG_OK;
}
