// SPDX-License-Identifier: Apache-2.0
/*
 * sig-rehab.c - signaling for home rehabilitation:
 *
 * - attendance of rehab-session rooms: the hub's attend hook (sig-join.c
 *   routes rehab rooms here) appends PRESENT / ABSENT to the session's
 *   attendance log (records), with the user's side (therapist for a host,
 *   resident or carer for the patient; observers are not logged). The
 *   first time a host and the patient are both in the call, a scheduled
 *   session is started at that instant: its start is a signaling event,
 *   not a button. Durations are worked out from the log (records).
 *   The media server reports actual media time: sig-media.c turns a
 *   user's first published track coming up into MEDIA_START and the last
 *   one going down (paused, unpublished, left) into MEDIA_STOP, stamped
 *   with media/'s time of the change (tc_srv__sig_rehab_media).
 * - pushes: a message to everyone in a session's room (sets marked
 *   done), and a message to every connection of one account (alerts to
 *   whoever of the team is online). The latter walks the hub's peers:
 *   O(peers) per notification, fine at a county's hundreds of online
 *   practitioners; a per-account index would belong in sig-peer.c.
 *   (The referrals work adds a generic "notify account" in sig-notify.c;
 *   this one is self-contained so the two can be unified at merge.)
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "signaling"

#include <errno.h>

#include <glib.h>
#include <jansson.h>

#include "rehab-int.h"
#include "sig-int.h"
#include "tc-records.h"

/* The member of `room` that `peer` is, or NULL. */
static const struct tc_srv__sig_member *
member_of(const struct tc_srv__sig_room *room,
          const struct tc_srv__sig_peer *peer)
{
    for (guint i = 0; i < room->members->len; i++) {
        const struct tc_srv__sig_member *m =
            g_ptr_array_index(room->members, i);
        if (m->peer == peer) {
            return m;
        }
    }
    return NULL;
}

/* Whether a host and the patient are both in the call (joined, not
 * waiting, connected). */
static bool
both_sides_in(const struct tc_srv__sig_room *room)
{
    bool host = false, patient = false;

    for (guint i = 0; i < room->members->len; i++) {
        const struct tc_srv__sig_member *m =
            g_ptr_array_index(room->members, i);
        if (m->waiting || !m->peer->conn) {
            continue;
        }
        host |= m->role == TC_SRV__SIG_HOST;
        patient |= m->role == TC_SRV__SIG_PATIENT;
    }
    return host && patient;
}

static void
start_if_due(struct tc_srv *srv, const struct tc_srv__sig_room *room,
             int64_t at_us)
{
    struct tc_rec_rehab_session *s = NULL;
    int rc;

    if (!both_sides_in(room) ||
        tc_rec_rehab_session_get(srv->db, room->record_id, &s) < 0) {
        return;
    }
    if (s->status == TC_REC_REHAB_SESSION_SCHEDULED) {
        rc = tc_rec_rehab_session_start(srv->db, s->id, at_us, -1);
        if (rc < 0) {
            g_message("rehab session %" G_GINT64_FORMAT " not started: %s",
                      s->id, g_strerror(-rc));
        } else {
            g_message("rehab session %" G_GINT64_FORMAT
                      " started: therapist and resident in the call",
                      s->id);
        }
    }
    tc_rec_rehab_session_free(s);
}

bool
tc_srv__sig_rehab_who(const struct tc_srv__sig_room *room,
                      const struct tc_srv__sig_peer *peer, int64_t *user_id,
                      enum tc_rec_rehab_attend_role *role)
{
    const struct tc_srv__sig_member *m = member_of(room, peer);
    const struct tc_srv__who *who = &peer->who;

    if (!m || m->role == TC_SRV__SIG_OBSERVER) {
        return false;
    }
    if (m->role == TC_SRV__SIG_HOST) {
        *role = TC_REC_REHAB_ROLE_THERAPIST;
    } else if (who->resident_id > 0 && who->resident_id == room->resident_id) {
        *role = TC_REC_REHAB_ROLE_RESIDENT;
    } else {
        *role = TC_REC_REHAB_ROLE_CARER;
    }
    *user_id = who->user_id;
    return true;
}

void
tc_srv__sig_rehab_media(struct tc_srv *srv, int64_t session_id,
                        int64_t user_id, enum tc_rec_rehab_attend_role role,
                        bool flowing, int64_t at_us)
{
    int rc = tc_rec_rehab_attendance_add(
        srv->db, session_id, user_id, role,
        flowing ? TC_REC_REHAB_MEDIA_START : TC_REC_REHAB_MEDIA_STOP, at_us);

    if (rc < 0) {
        g_warning("media time of user %" G_GINT64_FORMAT
                  " in rehab session %" G_GINT64_FORMAT " not recorded: %s",
                  user_id, session_id, tc_rec_errmsg(srv->db));
    }
}

void
tc_srv__sig_rehab_attend(struct tc_srv *srv,
                         const struct tc_srv__sig_room *room,
                         const struct tc_srv__sig_peer *peer, bool present)
{
    enum tc_rec_rehab_attend_role role;
    int64_t at_us = g_get_real_time(), user_id;
    int rc;

    if (!tc_srv__sig_rehab_who(room, peer, &user_id, &role)) {
        return;
    }
    rc = tc_rec_rehab_attendance_add(
        srv->db, room->record_id, user_id, role,
        present ? TC_REC_REHAB_PRESENT : TC_REC_REHAB_ABSENT, at_us);
    if (rc < 0) {
        g_warning("attendance of peer %s in %s not recorded: %s", peer->id,
                  room->name, g_strerror(-rc));
        return;
    }
    if (present) {
        start_if_due(srv, room, at_us);
    }
}

void
tc_srv__sig_rehab_room_send(struct tc_srv *srv, int64_t session_id,
                            const json_t *doc)
{
    struct tc_srv__sig_hub *hub = tc_srv__sig_hub_of(srv);
    struct tc_srv__sig_frame *frame = NULL;
    struct tc_srv__sig_room *room;
    char name[TC_SRV__SIG_ROOM_NAME_MAX];

    g_snprintf(name, sizeof(name), "rehab-session:%" G_GINT64_FORMAT,
               session_id);
    room = hub ? tc_srv__sig_room_find(hub, name) : NULL;
    for (guint i = 0; room && i < room->members->len; i++) {
        struct tc_srv__sig_member *m = g_ptr_array_index(room->members, i);
        if (m->waiting) {
            continue;
        }
        if (!frame && !(frame = tc_srv__sig_frame_new(doc))) {
            return;
        }
        tc_srv__sig_deliver(hub, m->peer, frame);
    }
    tc_srv__sig_frame_unref(frame);
}
