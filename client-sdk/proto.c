// SPDX-License-Identifier: Apache-2.0
/*
 * proto.c - telecare.v1 messages (docs/protocol.md) as the SDK sees them:
 * each server message is parsed once with jansson, turned into one of the
 * typed events of tc-client.h and handed to its callback. Messages the SDK
 * cannot read (not JSON, no type) are reported through the log and
 * otherwise ignored; a type it does not know goes to the `message`
 * callback, so that a newer server never breaks an older client.
 *
 * Answers (`ok`, `error`) are matched to the request that carried their id
 * (client.c keeps the table); the SDK's own requests (hello, heartbeat
 * ping, rejoins) are handled here before the application hears of them.
 *
 * Thread: the client's context thread.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "client-int.h"

#define MAX_LIST 64 /* peers, rooms and roles read from one message */

static const char *
str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static int64_t
num(json_t *obj, const char *key, int64_t dflt)
{
    json_t *v = json_object_get(obj, key);

    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static void
peer_from(json_t *obj, struct tc_sdk_peer *p)
{
    memset(p, 0, sizeof(*p));
    if (json_is_string(obj)) {
        p->peer = json_string_value(obj);
        return;
    }
    p->peer = str(obj, "peer");
    p->user = num(obj, "user", 0);
    p->name = str(obj, "name");
    p->role = str(obj, "role");
    p->state = str(obj, "state");
}

/* Up to MAX_LIST peers of an array into `out`; the count. */
static size_t
peers_from(json_t *arr, struct tc_sdk_peer *out)
{
    size_t n = 0, i;
    json_t *v;

    json_array_foreach(arr, i, v)
    {
        if (n == MAX_LIST) {
            break;
        }
        peer_from(v, &out[n]);
        if (out[n].peer) {
            n++;
        }
    }
    return n;
}

/* Up to MAX_LIST strings of an array, NULL-terminated. */
static void
strings_from(json_t *arr, const char **out)
{
    size_t n = 0, i;
    json_t *v;

    json_array_foreach(arr, i, v)
    {
        if (n == MAX_LIST) {
            break;
        }
        if (json_is_string(v)) {
            out[n++] = json_string_value(v);
        }
    }
    out[n] = NULL;
}

json_t *
tc_sdk__proto_hello(const char *id, const char *token, const char *resume)
{
    json_t *msg =
        json_pack("{s:s,s:s,s:s}", "type", "hello", "id", id, "token", token);

    if (msg && resume) {
        json_object_set_new(msg, "resume", json_string(resume));
    }
    return msg;
}

static const char *const request_names[] = {
    [TC_SDK_REQ_OTHER] = "other", [TC_SDK_REQ_HELLO] = "hello",
    [TC_SDK_REQ_JOIN] = "join",   [TC_SDK_REQ_LEAVE] = "leave",
    [TC_SDK_REQ_ADMIT] = "admit", [TC_SDK_REQ_REMOVE] = "remove",
    [TC_SDK_REQ_CHAT] = "chat",   [TC_SDK_REQ_RELAY] = "relay",
    [TC_SDK_REQ_PING] = "ping",
};

const char *
tc_sdk__request_name(enum tc_sdk_request kind)
{
    return request_names[kind];
}

/* ---- session ----------------------------------------------------------- */

static void
on_welcome(struct tc_sdk_client *c, json_t *msg, const char *json)
{
    const char *roles[MAX_LIST + 1];
    json_t *user = json_object_get(msg, "user");
    struct tc_sdk_welcome w = {
        .peer = str(msg, "peer"),
        .user_id = num(user, "id", 0),
        .username = str(user, "username"),
        .roles = roles,
        .heartbeat_s = (int)num(msg, "heartbeat_s", 20),
        .resume_grace_s = (int)num(msg, "resume_grace_s", 30),
        .after_failed_resume = c->resuming,
        .json = json,
    };

    strings_from(json_object_get(user, "roles"), roles);
    if (!w.peer) {
        tc_sdk__log(c, TC_SDK_LOG_WARNING, "welcome without a peer");
        return;
    }
    tc_sdk__log(c, TC_SDK_LOG_INFO, "welcome: peer %s%s", w.peer,
                c->resuming ? " (resume refused: new session)" : "");
    tc_sdk__set_heartbeat(c, w.heartbeat_s, w.resume_grace_s);
    c->resuming = false;
    tc_sdk__session(c, w.peer, str(msg, "resume_token"), true);
    if (c->cb.welcome) {
        c->cb.welcome(c, &w, c->data);
    }
}

static void
on_resumed(struct tc_sdk_client *c, json_t *msg, const char *json)
{
    const char *rooms[MAX_LIST + 1];
    const char *peer = str(msg, "peer");
    struct tc_sdk_resumed r = {
        .rooms = rooms,
        .missed = (int)num(msg, "missed", 0),
        .dropped = (int)num(msg, "dropped", 0),
        .json = json,
    };

    if (!peer && !c->peer) {
        tc_sdk__log(c, TC_SDK_LOG_WARNING, "resumed without a peer");
        return;
    }
    strings_from(json_object_get(msg, "rooms"), rooms);
    c->resuming = false;
    /* without a peer: the session resumed is the one we had */
    tc_sdk__session(c, peer, str(msg, "resume_token"), false);
    r.peer = c->peer;
    tc_sdk__log(c, TC_SDK_LOG_INFO, "resumed: peer %s, %d missed, %d dropped",
                r.peer, r.missed, r.dropped);
    if (c->cb.resumed) {
        c->cb.resumed(c, &r, c->data);
    }
}

/* ---- answers ----------------------------------------------------------- */

static void
on_ok(struct tc_sdk_client *c, json_t *msg, const char *json)
{
    struct tc_sdk_peer peers[MAX_LIST];
    const char *id = str(msg, "id");
    struct tc_sdk__pending *p;
    struct tc_sdk_reply r = {.id = id, .json = json};

    if (id && strcmp(id, "hb") == 0) {
        return;
    }
    if (tc_sdk__ecg_answer(c, id, msg, json, true)) {
        return;
    }
    p = tc_sdk__pending_take(c, id);
    r.request = p ? p->kind : TC_SDK_REQ_OTHER;
    r.room = str(msg, "room");
    if (!r.room && p) {
        r.room = p->room;
    }
    r.role = str(msg, "role");
    r.state = str(msg, "state");
    r.n_peers = peers_from(json_object_get(msg, "peers"), peers);
    r.peers = peers;
    if (r.request == TC_SDK_REQ_JOIN && r.room) {
        tc_sdk__room_add(c, r.room);
    }
    if (c->cb.reply) {
        c->cb.reply(c, &r, c->data);
    }
    tc_sdk__pending_free(p);
}

static void
on_error(struct tc_sdk_client *c, json_t *msg, const char *json)
{
    const char *id = str(msg, "id");
    struct tc_sdk__pending *p;
    struct tc_sdk_error e;

    if (tc_sdk__ecg_answer(c, id, msg, json, false)) {
        return;
    }
    p = tc_sdk__pending_take(c, id);
    e = (struct tc_sdk_error){
        .request = p ? p->kind : TC_SDK_REQ_OTHER,
        .id = id,
        .room = p ? p->room : str(msg, "room"),
        .code = str(msg, "code"),
        .message = str(msg, "message"),
        .json = json,
    };

    if (!e.code) {
        e.code = "internal";
    }
    if (id && strcmp(id, "hello") == 0) {
        e.request = TC_SDK_REQ_HELLO;
        if (strcmp(e.code, "bad-state") == 0) {
            c->resume_refused = true;
        }
    }
    tc_sdk__log(c, TC_SDK_LOG_INFO, "error %s to %s%s%s", e.code,
                tc_sdk__request_name(e.request), e.room ? " in " : "",
                e.room ? e.room : "");
    if (c->cb.error) {
        c->cb.error(c, &e, c->data);
    }
    tc_sdk__pending_free(p);
}

/* ---- events ------------------------------------------------------------ */

static const struct {
    const char *type;
    enum tc_sdk_peer_event_kind kind;
} peer_types[] = {
    {"peer-joined", TC_SDK_PEER_JOINED},
    {"peer-left", TC_SDK_PEER_LEFT},
    {"peer-reconnecting", TC_SDK_PEER_RECONNECTING},
    {"peer-resumed", TC_SDK_PEER_RESUMED},
    {"waiting", TC_SDK_PEER_WAITING},
};

static bool
on_peer(struct tc_sdk_client *c, const char *type, json_t *msg,
        const char *json)
{
    struct tc_sdk_peer peer;
    struct tc_sdk_peer_event e = {.peer = &peer, .json = json};
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(peer_types); i++) {
        if (strcmp(type, peer_types[i].type) == 0) {
            break;
        }
    }
    if (i == G_N_ELEMENTS(peer_types)) {
        return false;
    }
    e.kind = peer_types[i].kind;
    e.room = str(msg, "room");
    peer_from(json_object_get(msg, "peer"), &peer);
    if (e.kind == TC_SDK_PEER_LEFT) {
        e.reason = str(msg, "reason");
    }
    if (!e.room || !peer.peer) {
        tc_sdk__log(c, TC_SDK_LOG_WARNING, "%s without room or peer", type);
        return true;
    }
    if (c->cb.peer) {
        c->cb.peer(c, &e, c->data);
    }
    return true;
}

static void
on_room(struct tc_sdk_client *c, enum tc_sdk_room_event_kind kind, json_t *msg,
        const char *json)
{
    struct tc_sdk_peer peers[MAX_LIST];
    struct tc_sdk_room_event e = {
        .kind = kind,
        .room = str(msg, "room"),
        .reason = str(msg, "reason"),
        .peers = peers,
        .json = json,
    };

    if (!e.room) {
        tc_sdk__log(c, TC_SDK_LOG_WARNING, "room event without a room");
        return;
    }
    e.n_peers = peers_from(json_object_get(msg, "peers"), peers);
    if (kind == TC_SDK_ROOM_REMOVED) {
        tc_sdk__room_del(c, e.room);
    }
    if (c->cb.room) {
        c->cb.room(c, &e, c->data);
    }
}

static void
on_relay(struct tc_sdk_client *c, enum tc_sdk_relay_kind kind, json_t *msg,
         const char *json)
{
    struct tc_sdk_relay r = {
        .kind = kind,
        .room = str(msg, "room"),
        .from = str(msg, "from"),
        .sdp = str(msg, "sdp"),
        .candidate = str(msg, "candidate"),
        .sdp_mid = str(msg, "sdpMid"),
        .sdp_mline_index = (int)num(msg, "sdpMLineIndex", -1),
        .json = json,
    };

    if (!r.room || !r.from ||
        (kind == TC_SDK_RELAY_CANDIDATE ? !r.candidate : !r.sdp)) {
        tc_sdk__log(c, TC_SDK_LOG_WARNING, "relay without room, from or body");
        return;
    }
    if (c->cb.relay) {
        c->cb.relay(c, &r, c->data);
    }
}

static void
on_chat(struct tc_sdk_client *c, json_t *msg, const char *json)
{
    struct tc_sdk_chat m = {
        .room = str(msg, "room"),
        .from = str(msg, "from"),
        .user = num(msg, "user", 0),
        .text = str(msg, "text"),
        .at = str(msg, "at"),
        .seq = num(msg, "seq", 0),
        .json = json,
    };

    if (!m.room || !m.from || !m.text || !m.at) {
        tc_sdk__log(c, TC_SDK_LOG_WARNING,
                    "chat without room, from, text or at");
        return;
    }
    if (c->cb.chat) {
        c->cb.chat(c, &m, c->data);
    }
}

void
tc_sdk__proto_dispatch(struct tc_sdk_client *c, const char *text, size_t len)
{
    json_error_t jerr;
    /* JSON text holds no NUL byte; jansson would read past one, and the
     * callbacks' `json` (a C string) would end there */
    json_t *msg =
        memchr(text, '\0', len) ? NULL : json_loadb(text, len, 0, &jerr);
    const char *type = str(msg, "type");

    if (!json_is_object(msg) || !type) {
        tc_sdk__log(c, TC_SDK_LOG_WARNING,
                    "unreadable message of %zu bytes from the server", len);
        json_decref(msg);
        return;
    }
    if (strcmp(type, "welcome") == 0) {
        on_welcome(c, msg, text);
    } else if (strcmp(type, "resumed") == 0) {
        on_resumed(c, msg, text);
    } else if (strcmp(type, "ok") == 0) {
        on_ok(c, msg, text);
    } else if (strcmp(type, "error") == 0) {
        on_error(c, msg, text);
    } else if (strcmp(type, "admitted") == 0) {
        on_room(c, TC_SDK_ROOM_ADMITTED, msg, text);
    } else if (strcmp(type, "removed") == 0) {
        on_room(c, TC_SDK_ROOM_REMOVED, msg, text);
    } else if (strcmp(type, "offer") == 0) {
        on_relay(c, TC_SDK_RELAY_OFFER, msg, text);
    } else if (strcmp(type, "answer") == 0) {
        on_relay(c, TC_SDK_RELAY_ANSWER, msg, text);
    } else if (strcmp(type, "candidate") == 0) {
        on_relay(c, TC_SDK_RELAY_CANDIDATE, msg, text);
    } else if (strcmp(type, "chat") == 0) {
        on_chat(c, msg, text);
    } else if (strcmp(type, "ecg-ended") == 0) {
        tc_sdk__ecg_event(c, msg);
        if (c->cb.message) {
            c->cb.message(c, type, text, c->data);
        }
    } else if (strcmp(type, "pong") == 0 &&
               g_strcmp0(str(msg, "id"), "hb") == 0) {
        /* our heartbeat */
    } else if (strcmp(type, "pong") == 0) {
        tc_sdk__pending_free(tc_sdk__pending_take(c, str(msg, "id")));
        if (c->cb.message) {
            c->cb.message(c, type, text, c->data);
        }
    } else if (!on_peer(c, type, msg, text) && c->cb.message) {
        c->cb.message(c, type, text, c->data);
    }
    json_decref(msg);
}
