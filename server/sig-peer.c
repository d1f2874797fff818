// SPDX-License-Identifier: Apache-2.0
/*
 * sig-peer.c - peers: what a signaling client is across its connections.
 *
 * A peer is made by a `hello` and named by a random id ("p" and 12 hex
 * digits) that stays the same in every room for the whole session. Its
 * life:
 *
 *            hello                 drop (no close frame,
 *   (none) --------> ATTACHED ---- heartbeat timeout) ----> AWAY
 *                     |   ^                                  |  |
 *      normal close,  |   +------ hello with resume ---------+  |
 *      server close   |           (peer-resumed, missed        |
 *                     v            messages in order)          | grace_s
 *                   (freed: peer-left "left"/"closed")         v
 *                                               (freed: peer-left "timeout")
 *
 * A resume from another connection while still ATTACHED (the old one not
 * yet seen dead) moves the peer; the old connection is closed with 4010.
 *
 * Resume tokens are 32 random bytes (base64url), single-use: only the
 * SHA-256 of the current one is kept, as the key of hub->resume, and a
 * resume replaces it. Looking a token up by its hash leaks nothing by its
 * timing: the hash of a guess says nothing about the stored one.
 *
 * While AWAY, messages for the peer wait in its missed queue, at most
 * 256 frames or 1 MiB; past that the oldest are dropped and counted.
 * Frames are shared, so queueing costs a pointer, not a copy.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "signaling"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>
#include <sodium.h>

#include "sig-int.h"

#define BEARER "Bearer "

static void
hex(const unsigned char *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

static void
room_free(gpointer data)
{
    struct tc_srv__sig_room *room = data;

    g_ptr_array_unref(room->members);
    g_free(room);
}

static void
missed_clear(struct tc_srv__sig_peer *peer)
{
    struct tc_srv__sig_frame *f;

    while ((f = g_queue_pop_head(&peer->missed))) {
        tc_srv__sig_frame_unref(f);
    }
    peer->missed_bytes = 0;
    peer->missed_dropped = 0;
}

static void
peer_free(gpointer data)
{
    struct tc_srv__sig_peer *peer = data;

    if (peer->grace_timer) {
        g_source_remove(peer->grace_timer);
    }
    missed_clear(peer);
    g_ptr_array_unref(peer->members);
    sodium_memzero(peer->resume_key, sizeof(peer->resume_key));
    g_free(peer->name);
    g_free(peer);
}

struct tc_srv__sig_hub *
tc_srv__sig_hub_new(const struct tc_srv__sig_ops *ops, void *ctx,
                    int heartbeat_s, int grace_s)
{
    struct tc_srv__sig_hub *hub = g_new0(struct tc_srv__sig_hub, 1);

    hub->ops = ops;
    hub->ctx = ctx;
    hub->heartbeat_s = heartbeat_s;
    hub->grace_s = grace_s;
    hub->peers =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, peer_free);
    hub->resume = g_hash_table_new(g_str_hash, g_str_equal);
    hub->rooms =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, room_free);
    return hub;
}

void
tc_srv__sig_hub_free(struct tc_srv__sig_hub *hub)
{
    if (!hub) {
        return;
    }
    g_hash_table_unref(hub->resume);
    g_hash_table_unref(hub->rooms); /* frees the members too */
    g_hash_table_unref(hub->peers);
    g_free(hub);
}

struct tc_srv__sig_peer *
tc_srv__sig_peer_find(struct tc_srv__sig_hub *hub, const char *id)
{
    return g_hash_table_lookup(hub->peers, id);
}

/* A new resume token for peer (text into token); forgets the old one. */
static void
new_resume_token(struct tc_srv__sig_hub *hub, struct tc_srv__sig_peer *peer,
                 char token[TC_SRV__TOKEN_TEXT_LEN + 1])
{
    unsigned char hash[TC_SRV__TOKEN_HASH_LEN];

    if (peer->resume_key[0]) {
        g_hash_table_remove(hub->resume, peer->resume_key);
    }
    tc_srv__token_new(token, hash);
    hex(hash, sizeof(hash), peer->resume_key);
    g_hash_table_insert(hub->resume, peer->resume_key, peer);
}

void
tc_srv__sig_answer(struct tc_srv__sig_hub *hub, struct tc_srv__sig_peer *peer,
                   const json_t *doc)
{
    struct tc_srv__sig_frame *f = tc_srv__sig_frame_new(doc);

    if (f) {
        tc_srv__sig_deliver(hub, peer, f);
        tc_srv__sig_frame_unref(f);
    }
}

void
tc_srv__sig_deliver(struct tc_srv__sig_hub *hub, struct tc_srv__sig_peer *peer,
                    struct tc_srv__sig_frame *frame)
{
    if (peer->conn) {
        hub->ops->send(hub->ctx, peer->conn, frame);
        return;
    }
    g_queue_push_tail(&peer->missed, tc_srv__sig_frame_ref(frame));
    peer->missed_bytes += frame->len;
    while (peer->missed.length > TC_SRV__SIG_QUEUE_MSGS ||
           peer->missed_bytes > TC_SRV__SIG_QUEUE_BYTES) {
        struct tc_srv__sig_frame *old = g_queue_pop_head(&peer->missed);
        peer->missed_bytes -= old->len;
        peer->missed_dropped++;
        tc_srv__sig_frame_unref(old);
    }
}

static json_t *
roles_json(unsigned roles)
{
    json_t *list = json_array();

    for (int r = 0; r < TC_SRV__N_ROLES; r++) {
        if ((roles >> r) & 1u) {
            json_array_append_new(
                list, json_string(tc_srv__role_name((enum tc_srv__role)r)));
        }
    }
    return list;
}

int
tc_srv__sig_peer_new(struct tc_srv__sig_hub *hub,
                     const struct tc_srv__who *who, const char *name,
                     void *conn, const char *req_id,
                     struct tc_srv__sig_peer **out)
{
    struct tc_srv__sig_peer *peer = g_new0(struct tc_srv__sig_peer, 1);
    char token[TC_SRV__TOKEN_TEXT_LEN + 1];
    unsigned char rnd[6];
    json_t *doc;

    do {
        randombytes_buf(rnd, sizeof(rnd));
        peer->id[0] = 'p';
        hex(rnd, sizeof(rnd), peer->id + 1);
    } while (g_hash_table_contains(hub->peers, peer->id));
    peer->hub = hub;
    peer->who = *who;
    peer->name = g_strdup(name ? name : who->username);
    peer->conn = conn;
    peer->members = g_ptr_array_new();
    g_queue_init(&peer->missed);
    g_hash_table_insert(hub->peers, peer->id, peer);
    new_resume_token(hub, peer, token);

    doc = json_pack("{s:s}", "type", "welcome");
    if (req_id && req_id[0]) {
        json_object_set_new(doc, "id", json_string(req_id));
    }
    json_object_set_new(doc, "peer", json_string(peer->id));
    json_object_set_new(doc, "resume_token", json_string(token));
    json_object_set_new(doc, "heartbeat_s", json_integer(hub->heartbeat_s));
    json_object_set_new(doc, "resume_grace_s", json_integer(hub->grace_s));
    json_object_set_new(
        doc, "user",
        json_pack("{s:I,s:s,s:o}", "id", (json_int_t)who->user_id, "username",
                  who->username, "roles", roles_json(who->roles)));
    tc_srv__sig_answer(hub, peer, doc);
    json_decref(doc);
    sodium_memzero(token, sizeof(token));
    *out = peer;
    return 0;
}

/* The peer whose current resume token is `token`, or NULL. */
static struct tc_srv__sig_peer *
peer_by_token(struct tc_srv__sig_hub *hub, const char *token)
{
    char auth[sizeof(BEARER) + TC_SRV__SIG_MAX_TOKEN + 1];
    unsigned char hash[TC_SRV__TOKEN_HASH_LEN];
    char key[2 * TC_SRV__TOKEN_HASH_LEN + 1];

    if (strlen(token) > TC_SRV__SIG_MAX_TOKEN) {
        return NULL;
    }
    g_snprintf(auth, sizeof(auth), "%s%s", BEARER, token);
    if (tc_srv__token_hash(auth, hash) < 0) {
        return NULL;
    }
    hex(hash, sizeof(hash), key);
    return g_hash_table_lookup(hub->resume, key);
}

static void
answer_resumed(struct tc_srv__sig_hub *hub, struct tc_srv__sig_peer *peer,
               const char *req_id, const char *token)
{
    json_t *doc = json_pack("{s:s}", "type", "resumed");
    json_t *rooms = json_array();

    if (req_id && req_id[0]) {
        json_object_set_new(doc, "id", json_string(req_id));
    }
    for (guint i = 0; i < peer->members->len; i++) {
        struct tc_srv__sig_member *m = g_ptr_array_index(peer->members, i);
        json_array_append_new(rooms, json_string(m->room->name));
    }
    json_object_set_new(doc, "peer", json_string(peer->id));
    json_object_set_new(doc, "resume_token", json_string(token));
    json_object_set_new(doc, "rooms", rooms);
    json_object_set_new(doc, "missed", json_integer(peer->missed.length));
    if (peer->missed_dropped > 0) {
        json_object_set_new(doc, "dropped",
                            json_integer(peer->missed_dropped));
    }
    tc_srv__sig_answer(hub, peer, doc);
    json_decref(doc);
}

int
tc_srv__sig_peer_resume(struct tc_srv__sig_hub *hub, const char *token,
                        int64_t user_id, void *conn, const char *req_id,
                        struct tc_srv__sig_peer **out, void **replaced)
{
    struct tc_srv__sig_peer *peer = peer_by_token(hub, token);
    char fresh[TC_SRV__TOKEN_TEXT_LEN + 1];
    struct tc_srv__sig_frame *f;
    bool was_away;

    if (!peer || peer->who.user_id != user_id) {
        return -ENOENT;
    }
    was_away = peer->conn == NULL;
    *replaced = peer->conn;
    if (peer->grace_timer) {
        g_source_remove(peer->grace_timer);
        peer->grace_timer = 0;
    }
    peer->conn = conn;
    new_resume_token(hub, peer, fresh);
    answer_resumed(hub, peer, req_id, fresh);
    sodium_memzero(fresh, sizeof(fresh));
    while ((f = g_queue_pop_head(&peer->missed))) {
        hub->ops->send(hub->ctx, conn, f);
        tc_srv__sig_frame_unref(f);
    }
    missed_clear(peer);
    if (was_away) {
        tc_srv__sig_rooms_presence(hub, peer, "peer-resumed", true);
    }
    *out = peer;
    return 0;
}

static void
peer_destroy(struct tc_srv__sig_hub *hub, struct tc_srv__sig_peer *peer,
             const char *reason)
{
    while (peer->members->len > 0) {
        tc_srv__sig_member_leave(
            hub, g_ptr_array_index(peer->members, peer->members->len - 1),
            reason);
    }
    if (peer->resume_key[0]) {
        g_hash_table_remove(hub->resume, peer->resume_key);
    }
    g_hash_table_remove(hub->peers, peer->id); /* frees it */
}

static gboolean
grace_over(gpointer data)
{
    struct tc_srv__sig_peer *peer = data;

    peer->grace_timer = 0;
    g_message("peer %s did not resume within %d s", peer->id,
              peer->hub->grace_s);
    tc_srv__sig_peer_expire(peer->hub, peer);
    return G_SOURCE_REMOVE;
}

void
tc_srv__sig_peer_gone(struct tc_srv__sig_hub *hub,
                      struct tc_srv__sig_peer *peer, enum tc_srv__sig_gone how)
{
    switch (how) {
    case TC_SRV__SIG_GONE_LEFT:
        peer_destroy(hub, peer, "left");
        return;
    case TC_SRV__SIG_GONE_CLOSED:
        peer_destroy(hub, peer, "closed");
        return;
    case TC_SRV__SIG_GONE_DROPPED:
        /* Attendance ends now (the record shows the gap); room-mates
         * see "reconnecting", and messages for the peer wait. */
        tc_srv__sig_rooms_presence(hub, peer, "peer-reconnecting", false);
        peer->conn = NULL;
        if (peer->grace_timer) {
            g_source_remove(peer->grace_timer);
        }
        peer->grace_timer =
            g_timeout_add_seconds((guint)hub->grace_s, grace_over, peer);
        return;
    }
}

void
tc_srv__sig_peer_expire(struct tc_srv__sig_hub *hub,
                        struct tc_srv__sig_peer *peer)
{
    if (peer->grace_timer) {
        g_source_remove(peer->grace_timer);
        peer->grace_timer = 0;
    }
    peer_destroy(hub, peer, "timeout");
}
