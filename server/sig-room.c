// SPDX-License-Identifier: Apache-2.0
/*
 * sig-room.c - rooms: who is in a live activity, in which role, and the
 * messages between them (docs/protocol.md).
 *
 * A room is named "consultation:<id>" or "rehab-session:<id>", made by its
 * first join and freed with its last member. Who may join, and as what,
 * is decided before (signaling.c: the access policy and the record); here
 * a member's state moves only like this:
 *
 *   join (host, participant, observer) -------------------> JOINED
 *   join (patient) --> WAITING --admit (by a host)--------> JOINED
 *                         |                                   |
 *                         +--leave, remove, gone--> (freed) <-+
 *
 * Who hears what:
 *   waiting, peer-left of a waiting patient      the joined hosts
 *   peer-joined, peer-left, reconnecting/resumed every other joined member
 *   chat                                         every joined member
 *   offer, answer, candidate                     the one `to`, if joined
 * Waiting members hear nothing but their own answers, `admitted` and
 * `removed`. An observer (break-glass) hears presence and chat and may
 * only leave.
 *
 * A room has a handful of members, so finding one is a scan of its own
 * members; nothing here scans all rooms or all peers.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "signaling"

#include <string.h>
#include <time.h>

#include <glib.h>
#include <jansson.h>

#include "sig-int.h"

static const char *const role_names[] = {
    [TC_SRV__SIG_HOST] = "host",
    [TC_SRV__SIG_PATIENT] = "patient",
    [TC_SRV__SIG_PARTICIPANT] = "participant",
    [TC_SRV__SIG_OBSERVER] = "observer",
};

const char *
tc_srv__sig_role_name(enum tc_srv__sig_role role)
{
    return role_names[role];
}

struct tc_srv__sig_room *
tc_srv__sig_room_find(struct tc_srv__sig_hub *hub, const char *name)
{
    return g_hash_table_lookup(hub->rooms, name);
}

/* The membership of `peer` in room `name`, or NULL. */
static struct tc_srv__sig_member *
membership(struct tc_srv__sig_peer *peer, const char *name)
{
    for (guint i = 0; i < peer->members->len; i++) {
        struct tc_srv__sig_member *m = g_ptr_array_index(peer->members, i);
        if (strcmp(m->room->name, name) == 0) {
            return m;
        }
    }
    return NULL;
}

/* The member of `room` whose peer id is `id`, or NULL. */
static struct tc_srv__sig_member *
member_by_id(struct tc_srv__sig_room *room, const char *id)
{
    for (guint i = 0; i < room->members->len; i++) {
        struct tc_srv__sig_member *m = g_ptr_array_index(room->members, i);
        if (strcmp(m->peer->id, id) == 0) {
            return m;
        }
    }
    return NULL;
}

static json_t *
peer_json(const struct tc_srv__sig_member *m)
{
    const char *state = m->waiting       ? "waiting"
                        : !m->peer->conn ? "reconnecting"
                                         : "joined";

    return json_pack("{s:s,s:I,s:s,s:s,s:s}", "peer", m->peer->id, "user",
                     (json_int_t)m->peer->who.user_id, "name", m->peer->name,
                     "role", tc_srv__sig_role_name(m->role), "state", state);
}

/* The joined members of `room` other than `except`. */
static json_t *
peers_json(const struct tc_srv__sig_room *room,
           const struct tc_srv__sig_member *except)
{
    json_t *list = json_array();

    for (guint i = 0; i < room->members->len; i++) {
        const struct tc_srv__sig_member *m =
            g_ptr_array_index(room->members, i);
        if (m != except && !m->waiting) {
            json_array_append_new(list, peer_json(m));
        }
    }
    return list;
}

/* Send `doc` to the joined members of `room` but `except` (hosts only
 * when hosts_only). */
static void
broadcast(struct tc_srv__sig_hub *hub, struct tc_srv__sig_room *room,
          const struct tc_srv__sig_member *except, bool hosts_only,
          const json_t *doc)
{
    struct tc_srv__sig_frame *f = NULL;

    for (guint i = 0; i < room->members->len; i++) {
        struct tc_srv__sig_member *m = g_ptr_array_index(room->members, i);
        if (m == except || m->waiting ||
            (hosts_only && m->role != TC_SRV__SIG_HOST)) {
            continue;
        }
        if (!f && !(f = tc_srv__sig_frame_new(doc))) {
            return;
        }
        tc_srv__sig_deliver(hub, m->peer, f);
    }
    tc_srv__sig_frame_unref(f);
}

/* {"type": type, "room": room} with "id" when req_id is set. */
static json_t *
message(const char *type, const struct tc_srv__sig_room *room,
        const char *req_id)
{
    json_t *doc = json_pack("{s:s}", "type", type);

    if (req_id && req_id[0]) {
        json_object_set_new(doc, "id", json_string(req_id));
    }
    if (room) {
        json_object_set_new(doc, "room", json_string(room->name));
    }
    return doc;
}

/* Answer `ok` for a request with an id (none is needed without one). */
static void
answer_ok(struct tc_srv__sig_hub *hub, struct tc_srv__sig_peer *peer,
          const char *req_id)
{
    json_t *doc;

    if (!req_id[0]) {
        return;
    }
    doc = message("ok", NULL, req_id);
    tc_srv__sig_answer(hub, peer, doc);
    json_decref(doc);
}

static void
attend(struct tc_srv__sig_hub *hub, const struct tc_srv__sig_member *m,
       bool present)
{
    if (hub->ops->attend) {
        hub->ops->attend(hub->ctx, m->room, m->peer, present);
    }
}

static struct tc_srv__sig_room *
room_get(struct tc_srv__sig_hub *hub, const struct tc_srv__sig_msg *msg,
         int64_t resident_id)
{
    struct tc_srv__sig_room *room = tc_srv__sig_room_find(hub, msg->room);

    if (room) {
        return room;
    }
    room = g_new0(struct tc_srv__sig_room, 1);
    g_strlcpy(room->name, msg->room, sizeof(room->name));
    room->kind = msg->kind;
    room->record_id = msg->record_id;
    room->resident_id = resident_id;
    room->members = g_ptr_array_new_with_free_func(g_free);
    g_hash_table_insert(hub->rooms, room->name, room);
    if (hub->ops->opened) {
        hub->ops->opened(hub->ctx, room);
    }
    g_debug("room %s opened", room->name);
    return room;
}

/* Tell a host about one waiting patient. */
static void
tell_waiting(struct tc_srv__sig_hub *hub, struct tc_srv__sig_member *host,
             const struct tc_srv__sig_member *patient)
{
    json_t *doc = message("waiting", patient->room, NULL);

    json_object_set_new(doc, "peer", peer_json(patient));
    tc_srv__sig_answer(hub, host->peer, doc);
    json_decref(doc);
}

enum tc_srv__sig_err
tc_srv__sig_room_join(struct tc_srv__sig_hub *hub,
                      struct tc_srv__sig_peer *peer,
                      const struct tc_srv__sig_msg *msg, int64_t resident_id,
                      enum tc_srv__sig_role role,
                      struct tc_srv__sig_error *err)
{
    struct tc_srv__sig_member *m;
    struct tc_srv__sig_room *room;
    json_t *doc;

    if (membership(peer, msg->room)) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_STATE,
                                "already in room %s", msg->room);
    }
    room = room_get(hub, msg, resident_id);
    m = g_new0(struct tc_srv__sig_member, 1);
    m->peer = peer;
    m->room = room;
    m->role = role;
    m->waiting = role == TC_SRV__SIG_PATIENT;
    g_ptr_array_add(room->members, m);
    g_ptr_array_add(peer->members, m);

    doc = message("ok", room, msg->id);
    json_object_set_new(doc, "role", json_string(role_names[role]));
    json_object_set_new(doc, "state",
                        json_string(m->waiting ? "waiting" : "joined"));
    json_object_set_new(doc, "peers",
                        m->waiting ? json_array() : peers_json(room, m));
    tc_srv__sig_profile_members(room, doc);
    tc_srv__sig_answer(hub, peer, doc);
    json_decref(doc);

    doc = message(m->waiting ? "waiting" : "peer-joined", room, NULL);
    json_object_set_new(doc, "peer", peer_json(m));
    broadcast(hub, room, m, m->waiting, doc);
    json_decref(doc);
    if (role == TC_SRV__SIG_HOST) {
        for (guint i = 0; i < room->members->len; i++) {
            struct tc_srv__sig_member *w = g_ptr_array_index(room->members, i);
            if (w->waiting) {
                tell_waiting(hub, m, w);
            }
        }
    }
    if (!m->waiting) {
        attend(hub, m, true);
    }
    g_message("peer %s joined %s as %s (%s, %u members)", peer->id, room->name,
              role_names[role], m->waiting ? "waiting" : "joined",
              room->members->len);
    return TC_SRV__SIG_OK;
}

void
tc_srv__sig_member_leave(struct tc_srv__sig_hub *hub,
                         struct tc_srv__sig_member *member, const char *reason)
{
    struct tc_srv__sig_room *room = member->room;
    struct tc_srv__sig_peer *peer = member->peer;
    json_t *doc;

    if (!member->waiting && peer->conn) {
        attend(hub, member, false); /* a dropped peer's ended at the drop */
    }
    if (hub->ops->left) {
        hub->ops->left(hub->ctx, hub, room, peer);
    }
    g_ptr_array_remove(peer->members, member);
    doc = message("peer-left", room, NULL);
    json_object_set_new(doc, "peer", json_string(peer->id));
    json_object_set_new(doc, "reason", json_string(reason));
    broadcast(hub, room, member, member->waiting, doc);
    json_decref(doc);
    g_message("peer %s left %s (%s)", peer->id, room->name, reason);
    g_ptr_array_remove(room->members, member); /* frees it */
    if (room->members->len == 0) {
        g_debug("room %s closed", room->name);
        g_hash_table_remove(hub->rooms, room->name);
    }
}

/* The caller's membership in msg->room, joined and allowed to act. */
static enum tc_srv__sig_err
acting_member(struct tc_srv__sig_peer *peer, const struct tc_srv__sig_msg *msg,
              bool host_only, struct tc_srv__sig_member **out,
              struct tc_srv__sig_error *err)
{
    struct tc_srv__sig_member *m = membership(peer, msg->room);

    if (!m) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_NOT_IN_ROOM, "not in room %s",
                                msg->room);
    }
    if (m->waiting) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_STATE,
                                "waiting to be admitted to %s", msg->room);
    }
    if (m->role == TC_SRV__SIG_OBSERVER) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_FORBIDDEN,
                                "an observer sends nothing but leave");
    }
    if (host_only && m->role != TC_SRV__SIG_HOST) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_FORBIDDEN,
                                "only a host of %s may %s", msg->room,
                                tc_srv__sig_type_name(msg->type));
    }
    *out = m;
    return TC_SRV__SIG_OK;
}

enum tc_srv__sig_err
tc_srv__sig_room_leave(struct tc_srv__sig_hub *hub,
                       struct tc_srv__sig_peer *peer,
                       const struct tc_srv__sig_msg *msg,
                       struct tc_srv__sig_error *err)
{
    struct tc_srv__sig_member *m = membership(peer, msg->room);
    json_t *doc;

    if (!m) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_NOT_IN_ROOM, "not in room %s",
                                msg->room);
    }
    if (msg->id[0]) {
        doc = message("ok", m->room, msg->id);
        tc_srv__sig_answer(hub, peer, doc);
        json_decref(doc);
    }
    tc_srv__sig_member_leave(hub, m, "left");
    return TC_SRV__SIG_OK;
}

enum tc_srv__sig_err
tc_srv__sig_room_admit(struct tc_srv__sig_hub *hub,
                       struct tc_srv__sig_peer *peer,
                       const struct tc_srv__sig_msg *msg,
                       struct tc_srv__sig_error *err)
{
    struct tc_srv__sig_member *host, *target;
    enum tc_srv__sig_err rc = acting_member(peer, msg, true, &host, err);
    json_t *doc;

    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    target = member_by_id(host->room, msg->peer);
    if (!target) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_NOT_FOUND,
                                "no peer %s in room %s", msg->peer, msg->room);
    }
    if (!target->waiting) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_STATE,
                                "peer %s is not waiting", msg->peer);
    }
    target->waiting = false;
    answer_ok(hub, peer, msg->id);
    doc = message("admitted", host->room, NULL);
    json_object_set_new(doc, "peers", peers_json(host->room, target));
    tc_srv__sig_profile_members(host->room, doc);
    tc_srv__sig_answer(hub, target->peer, doc);
    json_decref(doc);
    doc = message("peer-joined", host->room, NULL);
    json_object_set_new(doc, "peer", peer_json(target));
    broadcast(hub, host->room, target, false, doc);
    json_decref(doc);
    if (target->peer->conn) {
        attend(hub, target, true);
    }
    g_message("peer %s admitted %s to %s", peer->id, target->peer->id,
              host->room->name);
    return TC_SRV__SIG_OK;
}

enum tc_srv__sig_err
tc_srv__sig_room_remove(struct tc_srv__sig_hub *hub,
                        struct tc_srv__sig_peer *peer,
                        const struct tc_srv__sig_msg *msg,
                        struct tc_srv__sig_error *err)
{
    struct tc_srv__sig_member *host, *target;
    enum tc_srv__sig_err rc = acting_member(peer, msg, true, &host, err);
    json_t *doc;

    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    target = member_by_id(host->room, msg->peer);
    if (!target) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_NOT_FOUND,
                                "no peer %s in room %s", msg->peer, msg->room);
    }
    if (target == host) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "peer: a host leaves, not removes, itself");
    }
    answer_ok(hub, peer, msg->id);
    doc = message("removed", host->room, NULL);
    if (msg->reason) {
        json_object_set_new(doc, "reason", json_string(msg->reason));
    }
    tc_srv__sig_answer(hub, target->peer, doc);
    json_decref(doc);
    tc_srv__sig_member_leave(hub, target, "removed");
    return TC_SRV__SIG_OK;
}

enum tc_srv__sig_err
tc_srv__sig_room_relay(struct tc_srv__sig_hub *hub,
                       struct tc_srv__sig_peer *peer,
                       struct tc_srv__sig_msg *msg,
                       struct tc_srv__sig_error *err)
{
    struct tc_srv__sig_member *from, *to;
    struct tc_srv__sig_frame *f;
    enum tc_srv__sig_err rc = acting_member(peer, msg, false, &from, err);

    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    if (strcmp(msg->to, "media") == 0) {
        if (!hub->ops->media) {
            return tc_srv__sig_fail(err, TC_SRV__SIG_NOT_FOUND,
                                    "to: the media endpoint is not "
                                    "available");
        }
        rc = hub->ops->media(hub->ctx, hub, from->room, peer, msg, err);
        if (rc == TC_SRV__SIG_OK) {
            answer_ok(hub, peer, msg->id);
        }
        return rc;
    }
    to = member_by_id(from->room, msg->to);
    if (!to || to == from) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_NOT_FOUND,
                                "to: no other peer %s in room %s", msg->to,
                                msg->room);
    }
    if (to->waiting) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_STATE,
                                "to: peer %s is waiting to be admitted",
                                msg->to);
    }
    /* Relayed unchanged but for "to", which becomes "from"; the sender's
     * request id is its own, not the recipient's. Spliced from the text
     * received (one copy); serialised from the tree only when a key there
     * is written with an escape. msg->to points into the member being
     * deleted, so it is not used after this. */
    f = msg->raw ? tc_srv__sig_frame_relayed(msg->raw, msg->raw_len, peer->id)
                 : NULL;
    if (!f) {
        json_object_del(msg->doc, "id");
        json_object_set_new(msg->doc, "from", json_string(peer->id));
        json_object_del(msg->doc, "to");
        f = tc_srv__sig_frame_new(msg->doc);
    }
    msg->to = NULL;
    if (!f) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_INTERNAL,
                                "cannot serialise the message");
    }
    tc_srv__sig_deliver(hub, to->peer, f);
    tc_srv__sig_frame_unref(f);
    answer_ok(hub, peer, msg->id);
    return TC_SRV__SIG_OK;
}

enum tc_srv__sig_err
tc_srv__sig_room_chat_check(struct tc_srv__sig_hub *hub,
                            struct tc_srv__sig_peer *peer,
                            const struct tc_srv__sig_msg *msg,
                            struct tc_srv__sig_room **out,
                            struct tc_srv__sig_error *err)
{
    struct tc_srv__sig_member *m;
    enum tc_srv__sig_err rc = acting_member(peer, msg, false, &m, err);

    if (rc == TC_SRV__SIG_OK) {
        *out = m->room;
    }
    return rc;
}

/* "2026-11-29T09:30:00.123Z" */
static json_t *
instant_ms(int64_t at_us)
{
    time_t s = (time_t)(at_us / G_USEC_PER_SEC);
    struct tm tm;
    char text[40];

    gmtime_r(&s, &tm);
    g_snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
               tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
               tm.tm_min, tm.tm_sec, (int)((at_us % G_USEC_PER_SEC) / 1000));
    return json_string(text);
}

void
tc_srv__sig_room_chat(struct tc_srv__sig_hub *hub,
                      struct tc_srv__sig_room *room,
                      struct tc_srv__sig_peer *peer,
                      const struct tc_srv__sig_msg *msg, int64_t seq,
                      int64_t at_us)
{
    json_t *doc;

    if (msg->id[0]) {
        doc = message("ok", room, msg->id);
        json_object_set_new(doc, "seq", json_integer(seq));
        tc_srv__sig_answer(hub, peer, doc);
        json_decref(doc);
    }
    doc = message("chat", room, NULL);
    json_object_set_new(doc, "from", json_string(peer->id));
    json_object_set_new(doc, "user", json_integer(peer->who.user_id));
    json_object_set_new(doc, "text", json_string(msg->text));
    json_object_set_new(doc, "at", instant_ms(at_us));
    json_object_set_new(doc, "seq", json_integer(seq));
    broadcast(hub, room, NULL, false, doc);
    json_decref(doc);
}

void
tc_srv__sig_rooms_presence(struct tc_srv__sig_hub *hub,
                           struct tc_srv__sig_peer *peer, const char *type,
                           bool present)
{
    for (guint i = 0; i < peer->members->len; i++) {
        struct tc_srv__sig_member *m = g_ptr_array_index(peer->members, i);
        json_t *doc = message(type, m->room, NULL);

        json_object_set_new(doc, "peer", json_string(peer->id));
        broadcast(hub, m->room, m, m->waiting, doc);
        json_decref(doc);
        if (!m->waiting) {
            attend(hub, m, present);
        }
    }
}
