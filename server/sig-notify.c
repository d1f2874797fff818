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
 * Cost: one pass over the hub's peers per call. A county has at most a
 * few thousand signed-in clients and an emergency rings a handful of
 * people, so a pass is microseconds; an index by practitioner would be
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

int
tc_srv__sig_notify(struct tc_srv *srv, int64_t practitioner_id,
                   const json_t *doc)
{
    struct tc_srv__sig_hub *hub = tc_srv__sig_hub_of(srv);
    struct tc_srv__sig_frame *frame;
    GHashTableIter it;
    gpointer value;
    int n = 0;

    if (!hub || practitioner_id <= 0) {
        return 0;
    }
    frame = tc_srv__sig_frame_new(doc);
    if (!frame) {
        return 0;
    }
    g_hash_table_iter_init(&it, hub->peers);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct tc_srv__sig_peer *peer = value;
        if (peer->who.practitioner_id == practitioner_id) {
            tc_srv__sig_deliver(hub, peer, frame);
            n++;
        }
    }
    tc_srv__sig_frame_unref(frame);
    return n;
}
