// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-sdk-proto.c - libtelecare-client reading what the server sends as
 * text: every WebSocket text message (client.c's on_message: the `frame`
 * callback, then proto.c's parse into typed events, the answers to the
 * SDK's own and ECG requests included) and the login answer (login.c).
 *
 * Input: records of one op byte, a two-byte big-endian length and that
 * many bytes (the last record takes what is left):
 *   op % 4 == 0  a text message from the server, handed over as ws.c
 *                does: a NUL-terminated copy, through tc_sdk__on_message
 *   op % 4 == 1  a request from the application, so that answers find
 *                tracked ids: the first byte picks join, leave, admit,
 *                remove, chat, ping, offer, ecg-subscribe (SRTP or
 *                WebSocket) or ecg-announce; the rest is its room or id
 *   op % 4 == 2  the login answer: two bytes of HTTP status, then the
 *                body
 *   op % 4 == 3  from now on the `frame` callback takes the messages
 *                whose first byte is the record's first byte (0: none)
 * Every input gets a fresh client (READY only after a `welcome` in the
 * input) on a GMainContext of its own that is never run.
 *
 * Invariants (abort() on violation): every callback has the members its
 * type documents in tc-client.h (tc_sdk_welcome, _resumed, _reply,
 * _error, _peer_event, _room_event, _relay, _chat) non-NULL where the
 * header does not say "or NULL"; every string is NUL-terminated, valid
 * UTF-8 and, for `json`, the message being handled; lists hold at most
 * 64 entries, NULL-terminated; a message that is not a JSON object with
 * a string `type`, or one the `frame` callback took, reaches no other
 * callback; log lines are one valid UTF-8 line. The login answer is 0
 * with a non-empty token exactly when the status is 200 and the body has
 * one, else a documented error with *token untouched.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "client-int.h"

/* ECG objects one input may make (each may own a socket) */
#define MAX_ECG 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant does not hold: say which, then abort (libFuzzer keeps the
 * input). */
G_NORETURN static void
broken(int line)
{
    fprintf(stderr, "%s:%d: invariant broken\n", __FILE__, line);
    abort();
}

static struct {
    const char *text; /* the message being handled, or NULL */
    size_t len;
    int calls; /* callbacks made for it */
    int frame_byte;
    struct tc_sdk_ecg_sub *subs[MAX_ECG];
    struct tc_sdk_ecg_stream *streams[MAX_ECG];
    int n_subs, n_streams;
} h;

static void
check_str(const char *s)
{
    if (s && !g_utf8_validate(s, -1, NULL)) {
        broken(__LINE__);
    }
}

static void
need_str(const char *s)
{
    if (!s) {
        broken(__LINE__);
    }
    check_str(s);
}

/* A callback for the message being handled: `json` is that message. */
static void
called(const char *json)
{
    if (!h.text || json != h.text || strlen(json) != h.len) {
        broken(__LINE__);
    }
    check_str(json);
    h.calls++;
}

static void
check_list(const char *const *list)
{
    int n = 0;

    if (!list) {
        broken(__LINE__);
    }
    for (; list[n]; n++) {
        need_str(list[n]);
    }
    if (n > 64) {
        broken(__LINE__);
    }
}

static void
check_peers(const struct tc_sdk_peer *p, size_t n)
{
    if (n > 64 || (n && !p)) {
        broken(__LINE__);
    }
    for (size_t i = 0; i < n; i++) {
        need_str(p[i].peer);
        check_str(p[i].name);
        check_str(p[i].role);
        check_str(p[i].state);
    }
}

static void
on_welcome(struct tc_sdk_client *c, const struct tc_sdk_welcome *w, void *data)
{
    called(w->json);
    need_str(w->peer);
    check_str(w->username);
    check_list(w->roles);
    if (tc_sdk_client_state(c) != TC_SDK_STATE_READY) {
        broken(__LINE__);
    }
}

static void
on_resumed(struct tc_sdk_client *c, const struct tc_sdk_resumed *r, void *data)
{
    called(r->json);
    need_str(r->peer);
    check_list(r->rooms);
}

static void
on_reply(struct tc_sdk_client *c, const struct tc_sdk_reply *r, void *data)
{
    called(r->json);
    check_str(r->id);
    check_str(r->room);
    check_str(r->role);
    check_str(r->state);
    check_peers(r->peers, r->n_peers);
    if (r->request > TC_SDK_REQ_PING) {
        broken(__LINE__);
    }
}

static void
on_error(struct tc_sdk_client *c, const struct tc_sdk_error *e, void *data)
{
    called(e->json);
    check_str(e->id);
    check_str(e->room);
    need_str(e->code);
    check_str(e->message);
    if (e->request > TC_SDK_REQ_PING) {
        broken(__LINE__);
    }
}

static void
on_peer(struct tc_sdk_client *c, const struct tc_sdk_peer_event *e, void *data)
{
    called(e->json);
    need_str(e->room);
    if (!e->peer) {
        broken(__LINE__);
    }
    check_peers(e->peer, 1);
    check_str(e->reason);
    if (e->kind != TC_SDK_PEER_LEFT && e->reason) {
        broken(__LINE__);
    }
}

static void
on_room(struct tc_sdk_client *c, const struct tc_sdk_room_event *e, void *data)
{
    called(e->json);
    need_str(e->room);
    check_str(e->reason);
    check_peers(e->peers, e->n_peers);
}

static void
on_relay(struct tc_sdk_client *c, const struct tc_sdk_relay *r, void *data)
{
    called(r->json);
    need_str(r->room);
    need_str(r->from);
    check_str(r->sdp_mid);
    if (r->kind == TC_SDK_RELAY_CANDIDATE) {
        need_str(r->candidate);
        check_str(r->sdp);
    } else {
        need_str(r->sdp);
        check_str(r->candidate);
    }
}

static void
on_chat(struct tc_sdk_client *c, const struct tc_sdk_chat *m, void *data)
{
    called(m->json);
    need_str(m->room);
    need_str(m->from);
    need_str(m->text);
    need_str(m->at);
}

static void
on_message(struct tc_sdk_client *c, const char *type, const char *json,
           void *data)
{
    called(json);
    need_str(type);
}

static bool
on_frame(struct tc_sdk_client *c, const char *text, size_t len, void *data)
{
    if (text != h.text || len != h.len) {
        broken(__LINE__);
    }
    return h.frame_byte && len > 0 && (uint8_t)text[0] == h.frame_byte;
}

static void
on_log(enum tc_sdk_log_level level, const char *msg, void *data)
{
    if (!msg || !g_utf8_validate(msg, -1, NULL) || strchr(msg, '\n') ||
        strchr(msg, '\r')) {
        broken(__LINE__);
    }
}

static void
on_sub_ready(struct tc_sdk_ecg_sub *s, int error, const char *json, void *data)
{
    h.calls++;
    check_str(json);
    if (error > 0 || (error == 0 && json != h.text)) {
        broken(__LINE__);
    }
}

static void
on_stream_ready(struct tc_sdk_ecg_stream *s, int error, const char *msg,
                void *data)
{
    h.calls++;
    check_str(msg);
    if (error > 0 ||
        (error == 0 && (!msg || strcmp(msg, tc_sdk_ecg_stream_name(s)) != 0 ||
                        strncmp(msg, "ecg:", 4) != 0))) {
        broken(__LINE__);
    }
}

static void
on_stream_stopped(struct tc_sdk_ecg_stream *s, int error, const char *json,
                  void *data)
{
    h.calls++;
    check_str(json);
}

static void
on_ended(struct tc_sdk_ecg_sub *s, void *data)
{
    h.calls++;
}

/* Whether the SDK can read `text` at all: a JSON object with a string
 * `type`, as docs/protocol.md frames every message. */
static bool
readable(const char *text, size_t len)
{
    json_t *msg = json_loadb(text, len, 0, NULL);
    bool ok =
        json_is_object(msg) && json_is_string(json_object_get(msg, "type"));

    json_decref(msg);
    return ok;
}

static void
message(struct tc_sdk_client *c, const uint8_t *p, size_t n)
{
    char *text = malloc(n + 1); /* exact size: ASan sees overreads */
    bool taken;

    memcpy(text, p, n);
    text[n] = '\0';
    h.text = text;
    h.len = n;
    h.calls = 0;
    taken = h.frame_byte && n > 0 && p[0] == h.frame_byte;
    tc_sdk__on_message(c, text, n);
    if (h.calls > 0 && (taken || !readable(text, n))) {
        broken(__LINE__);
    }
    h.text = NULL;
    free(text);
}

static void
ecg_request(struct tc_sdk_client *c, unsigned kind)
{
    static const struct tc_sdk_ecg_sub_callbacks sub_cb = {
        .ready = on_sub_ready, .ended = on_ended};
    static const struct tc_sdk_ecg_stream_callbacks stream_cb = {
        .ready = on_stream_ready, .stopped = on_stream_stopped};
    static const char *const leads[] = {"I", "II"};
    static const double gains[] = {200, 200};
    struct tc_sdk_ecg_announce a = {
        .patient = 1,
        .device = "dev-1",
        .desc = {.n_leads = 2,
                 .leads = leads,
                 .sample_rate_hz = 500,
                 .gains = gains},
    };

    if (kind == 9 && h.n_streams < MAX_ECG) {
        tc_sdk_ecg_stream_announce(c, &a, &stream_cb, NULL,
                                   &h.streams[h.n_streams]);
        h.n_streams += h.streams[h.n_streams] != NULL;
    } else if (kind != 9 && h.n_subs < MAX_ECG) {
        tc_sdk_ecg_subscribe(c, h.n_subs % 2 ? "ecg:2" : "ecg:1", kind == 8,
                             &sub_cb, NULL, &h.subs[h.n_subs]);
        h.n_subs += h.subs[h.n_subs] != NULL;
    }
}

static void
request(struct tc_sdk_client *c, const uint8_t *p, size_t n)
{
    char arg[101];
    unsigned kind = n ? p[0] % 10 : 0;
    size_t len = n > 1 ? MIN(n - 1, sizeof(arg) - 1) : 0;
    const char *a = arg;

    memcpy(arg, p + 1, len);
    arg[len] = '\0';
    switch (kind) {
    case 0:
        tc_sdk_client_join(c, a, NULL);
        break;
    case 1:
        tc_sdk_client_leave(c, a, "l1");
        break;
    case 2:
        tc_sdk_client_admit(c, "r", a, NULL);
        break;
    case 3:
        tc_sdk_client_remove(c, "r", a, NULL, NULL);
        break;
    case 4:
        tc_sdk_client_send_chat(c, "r", a, NULL);
        break;
    case 5:
        tc_sdk_client_send_ping(c, len ? a : NULL);
        break;
    case 6:
        tc_sdk_client_send_offer(c, "r", "p2", "v=0", len ? a : NULL);
        break;
    default:
        ecg_request(c, kind);
        break;
    }
}

static void
login(const uint8_t *p, size_t n)
{
    char sentinel[] = "untouched", *token = sentinel, why[160];
    int status = n >= 2 ? p[0] << 8 | p[1] : 0;
    size_t off = MIN(n, 2);
    char *body = malloc(n + 1);
    json_t *doc;
    const char *want;
    int rc;

    n -= off;
    memcpy(body, p + off, n);
    body[n] = '\0';
    doc = json_loads(body, 0, NULL);
    want = json_string_value(json_object_get(doc, "token"));
    rc = tc_sdk__login_answer(status, body, &token, why, sizeof(why));
    if (rc == 0) {
        if (status != 200 || !want || !*want || token == sentinel ||
            strcmp(token, want) != 0) {
            broken(__LINE__);
        }
        tc_sdk_token_free(token);
    } else if (token != sentinel ||
               (rc != -EACCES && rc != -EBUSY && rc != -EPROTO) ||
               (status == 200 && want && *want)) {
        broken(__LINE__);
    }
    if (!memchr(why, '\0', sizeof(why)) || !g_utf8_validate(why, -1, NULL) ||
        strchr(why, '\n')) {
        broken(__LINE__);
    }
    json_decref(doc);
    free(body);
}

/* A client that keeps the context's libwebsockets loop alive between
 * inputs (each input's own client would otherwise make one). */
static GMainContext *
context(void)
{
    static GMainContext *ctx;
    static struct tc_sdk_client *anchor;
    struct tc_sdk_client_opts o = {.url = "ws://127.0.0.1:9/ws", .token = "t"};

    if (!ctx) {
        ctx = g_main_context_new();
        o.context = ctx;
        if (tc_sdk_client_new(&o, NULL, NULL, &anchor) < 0) {
            broken(__LINE__);
        }
    }
    return ctx;
}

static void
free_all(struct tc_sdk_client *c)
{
    for (int i = 0; i < h.n_subs; i++) {
        tc_sdk_ecg_sub_free(h.subs[i]);
    }
    for (int i = 0; i < h.n_streams; i++) {
        tc_sdk_ecg_stream_free(h.streams[i]);
    }
    tc_sdk_client_free(c);
    memset(&h, 0, sizeof(h));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct tc_sdk_callbacks cb = {
        .welcome = on_welcome,
        .resumed = on_resumed,
        .reply = on_reply,
        .error = on_error,
        .peer = on_peer,
        .room = on_room,
        .relay = on_relay,
        .chat = on_chat,
        .message = on_message,
        .frame = on_frame,
    };
    struct tc_sdk_client_opts o = {
        .url = "ws://127.0.0.1:9/ws", .token = "t", .context = context()};
    struct tc_sdk_client *c;

    if (tc_sdk_client_new(&o, &cb, NULL, &c) < 0) {
        broken(__LINE__);
    }
    tc_sdk_client_set_log(c, on_log, NULL);
    while (size > 0) {
        uint8_t op = data[0];
        size_t n = size >= 3 ? (size_t)(data[1] << 8 | data[2]) : 0;
        const uint8_t *p = data + MIN(size, 3);

        size -= MIN(size, 3);
        n = MIN(n, size);
        if (op % 4 == 0) {
            message(c, p, n);
        } else if (op % 4 == 1) {
            request(c, p, n);
        } else if (op % 4 == 2) {
            login(p, n);
        } else {
            h.frame_byte = n ? p[0] : 0;
        }
        data = p + n;
        size -= n;
    }
    free_all(c);
    return 0;
}
