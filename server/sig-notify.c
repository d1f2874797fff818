// SPDX-License-Identifier: Apache-2.0
/*
 * sig-notify.c - events addressed to a person rather than to a room:
 * "who is online" (a practitioner with a signaling connection attached
 * now) and "push this event to every connection of this practitioner".
 * The emergency consultations (api-emergency.c) ring specialists with
 * them; anything else that must reach a person wherever they are signed
 * in can use them too.
 *
 * A practitioner may be signed in on several devices: each has its own
 * peer, and each attached one gets the event (a peer that dropped and
 * waits in its grace period queues it with its missed messages, like any
 * other message addressed to it, and gets it on resume).
 *
 * Cost: one pass over the hub's peers per call, whatever the number of
 * people addressed (the many-people calls look each peer's practitioner
 * up in a small hash set), and one serialisation of the event, shared by
 * every recipient's queue. A county has a few thousand signed-in clients
 * at most, so a pass is microseconds; an index by practitioner would be
 * the change if that ever stops being true.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "signaling"

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "sig-int.h"

bool
tc_srv__sig_online(struct tc_srv *srv, int64_t practitioner_id)
{
    struct tc_srv__sig_hub *hub = tc_srv__sig_hub_of(srv);
    GHashTableIter it;
    gpointer value;

    if (!hub || practitioner_id <= 0) {
        return false;
    }
    g_hash_table_iter_init(&it, hub->peers);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        const struct tc_srv__sig_peer *peer = value;
        if (peer->who.practitioner_id == practitioner_id && peer->conn) {
            return true;
        }
    }
    return false;
}

/* Deliver `doc` (serialised once, when a first peer matches) to every
 * peer whose practitioner id (or, with by_user, user id) is `id`. */
static int
notify_where(struct tc_srv *srv, bool by_user, int64_t id, const json_t *doc)
{
    struct tc_srv__sig_hub *hub = tc_srv__sig_hub_of(srv);
    struct tc_srv__sig_frame *frame = NULL;
    GHashTableIter it;
    gpointer value;
    int n = 0;

    if (!hub || id <= 0) {
        return 0;
    }
    g_hash_table_iter_init(&it, hub->peers);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct tc_srv__sig_peer *peer = value;
        if ((by_user ? peer->who.user_id : peer->who.practitioner_id) != id) {
            continue;
        }
        if (!frame && !(frame = tc_srv__sig_frame_new(doc))) {
            return n;
        }
        tc_srv__sig_deliver(hub, peer, frame);
        n++;
    }
    tc_srv__sig_frame_unref(frame);
    return n;
}

int
tc_srv__sig_notify(struct tc_srv *srv, int64_t practitioner_id,
                   const json_t *doc)
{
    return notify_where(srv, false, practitioner_id, doc);
}

int
tc_srv__sig_notify_user(struct tc_srv *srv, int64_t user_id, const json_t *doc)
{
    return notify_where(srv, true, user_id, doc);
}

/* The set of ids[0..n) (pointers into ids: they outlive the set). */
static GHashTable *
id_set(const int64_t *ids, size_t n)
{
    GHashTable *set = g_hash_table_new(g_int64_hash, g_int64_equal);

    for (size_t i = 0; i < n; i++) {
        g_hash_table_add(set, (gpointer)&ids[i]);
    }
    return set;
}

size_t
tc_srv__sig_online_filter(struct tc_srv *srv, int64_t *ids, size_t n)
{
    struct tc_srv__sig_hub *hub = tc_srv__sig_hub_of(srv);
    GHashTable *set, *online;
    GHashTableIter it;
    gpointer value;
    size_t kept = 0;

    if (!hub || n == 0) {
        return 0;
    }
    set = id_set(ids, n);
    online = g_hash_table_new(g_int64_hash, g_int64_equal);
    g_hash_table_iter_init(&it, hub->peers);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct tc_srv__sig_peer *peer = value;
        gpointer id = g_hash_table_lookup(set, &peer->who.practitioner_id);
        if (id && peer->conn) {
            g_hash_table_add(online, id);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (g_hash_table_contains(online, &ids[i])) {
            ids[kept++] = ids[i];
        }
    }
    g_hash_table_destroy(online);
    g_hash_table_destroy(set);
    return kept;
}

int
tc_srv__sig_notify_many(struct tc_srv *srv, const int64_t *ids, size_t n,
                        const json_t *doc)
{
    struct tc_srv__sig_hub *hub = tc_srv__sig_hub_of(srv);
    struct tc_srv__sig_frame *frame;
    GHashTable *set;
    GHashTableIter it;
    gpointer value;
    int sent = 0;

    if (!hub || n == 0 || !(frame = tc_srv__sig_frame_new(doc))) {
        return 0;
    }
    set = id_set(ids, n);
    g_hash_table_iter_init(&it, hub->peers);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct tc_srv__sig_peer *peer = value;
        if (g_hash_table_contains(set, &peer->who.practitioner_id)) {
            tc_srv__sig_deliver(hub, peer, frame);
            sent++;
        }
    }
    g_hash_table_destroy(set);
    tc_srv__sig_frame_unref(frame);
    return sent;
}
