// SPDX-License-Identifier: Apache-2.0
/*
 * client.c - the client object: its connection state machine, reconnect
 * with resume, heartbeats, request ids and the rooms it is in.
 *
 *   IDLE --start--> CONNECTING --handshake--> HELLO --welcome/resumed--> READY
 *                     ^    |                    |                         |
 *                     |    +-------+------------+----------+--------------+
 *                     |            | drop (1006, 1001, 4008, 4029, ...)
 *                     |            v
 *                     +--timer-- RECONNECTING         any --fatal close-->
 * CLOSED stop(): close 1000 --> IDLE (the session ends; rooms are forgotten)
 *
 * Fatal closes (no retry): 4401 not authenticated, 4403 forbidden, 4010
 * replaced by another connection, 4400 protocol error, 4009 too large, or
 * any close when the options say no_reconnect. Transition table: see
 * on_closed_table[] below.
 *
 * Reconnect waits reconnect_min_ms, doubling per failed attempt (an
 * attempt fails when it does not reach READY) up to reconnect_max_ms,
 * with up to 25% random jitter so that a county's devices do not all
 * return in the same second after an outage. The hello after a drop
 * carries the resume token while the server's grace period
 * (resume_grace_s from welcome) can still be running; the server answers
 * `resumed` (and replays what we missed) or `error bad-state` then a new
 * `welcome`, after which the rooms we were in are joined again.
 *
 * Heartbeat: the server pings at the WebSocket level (lws answers); on
 * top, when nothing has arrived for heartbeat_s, the client sends an
 * application ping (id "hb", its pong is swallowed), and after
 * 2 * heartbeat_s + 5 s of silence it treats the connection as dead and
 * drops it. A hello unanswered for 15 s is a drop too. The 1 s tick that
 * checks this belongs to the loop (ws.c), not to each client.
 *
 * Thread: the client's context thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "client-int.h"

#define HELLO_ID     "hello"
#define HEARTBEAT_ID "hb"

void
tc_sdk__log_clean(char *line)
{
    const gchar *end;

    for (char *p = line; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            *p = ' ';
        }
    }
    if (!g_utf8_validate(line, -1, &end)) {
        *(char *)end = '\0';
    }
}

void
tc_sdk__log(struct tc_sdk_client *c, enum tc_sdk_log_level level,
            const char *fmt, ...)
{
    char line[320];
    va_list ap;

    if (!c->log) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    tc_sdk__log_clean(line);
    c->log(level, line, c->log_data);
}

int
tc_sdk__fail(struct tc_sdk_client *c, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
    va_end(ap);
    tc_sdk__log(c, TC_SDK_LOG_DEBUG, "%s", c->errmsg);
    return rc;
}

static const char *const state_names[] = {
    [TC_SDK_STATE_IDLE] = "idle",
    [TC_SDK_STATE_CONNECTING] = "connecting",
    [TC_SDK_STATE_HELLO] = "hello",
    [TC_SDK_STATE_READY] = "ready",
    [TC_SDK_STATE_RECONNECTING] = "reconnecting",
    [TC_SDK_STATE_CLOSED] = "closed",
};

void
tc_sdk__set_state(struct tc_sdk_client *c, enum tc_sdk_state state)
{
    if (c->state == state) {
        return;
    }
    tc_sdk__log(c, TC_SDK_LOG_DEBUG, "state %s -> %s", state_names[c->state],
                state_names[state]);
    c->state = state;
    if (c->cb.state) {
        c->cb.state(c, state, c->data);
    }
}

/* ---- lifetime ---------------------------------------------------------- */

static void
pending_free_cb(gpointer p)
{
    tc_sdk__pending_free(p);
}

int
tc_sdk_client_new(const struct tc_sdk_client_opts *opts,
                  const struct tc_sdk_callbacks *cb, void *data,
                  struct tc_sdk_client **out)
{
    struct tc_sdk_client *c;
    GMainContext *ctx;
    int rc;

    if (!opts || !opts->url || !opts->token || !*opts->token || !out) {
        return -EINVAL;
    }
    c = calloc(1, sizeof(*c));
    if (!c) {
        return -ENOMEM;
    }
    if (tc_sdk__url_parse(opts->url, "ws", &c->url) < 0) {
        free(c);
        return -EINVAL;
    }
    c->token = g_strdup(opts->token);
    c->ca_file = g_strdup(opts->ca_file);
    c->reconnect_min_ms =
        opts->reconnect_min_ms > 0 ? opts->reconnect_min_ms : 250;
    c->reconnect_max_ms =
        opts->reconnect_max_ms > 0 ? opts->reconnect_max_ms : 30000;
    c->no_reconnect = opts->no_reconnect;
    c->max_queue_bytes =
        opts->max_queue_bytes > 0 ? opts->max_queue_bytes : 1024 * 1024;
    if (cb) {
        c->cb = *cb;
    }
    c->data = data;
    c->next_wait_ms = -1;
    c->heartbeat_s = 20;
    c->resume_grace_s = 30;
    g_queue_init(&c->queue);
    c->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       pending_free_cb);
    c->rooms = g_ptr_array_new_with_free_func(g_free);
    ctx = opts->context ? opts->context : g_main_context_get_thread_default();
    if (!ctx) {
        ctx = g_main_context_default();
    }
    rc = tc_sdk__loop_ref(c, ctx, opts->coalesce_us);
    if (rc < 0) {
        tc_sdk_client_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

static void
cancel_reconnect(struct tc_sdk_client *c)
{
    if (c->reconnect_source) {
        g_source_destroy(c->reconnect_source);
        g_source_unref(c->reconnect_source);
        c->reconnect_source = NULL;
    }
}

static void
forget_session(struct tc_sdk_client *c)
{
    g_free(c->peer);
    c->peer = NULL;
    if (c->resume_token) {
        memset(c->resume_token, 0, strlen(c->resume_token));
        g_free(c->resume_token);
        c->resume_token = NULL;
    }
    c->dropped_at_us = 0;
    g_hash_table_remove_all(c->pending);
    g_ptr_array_set_size(c->rooms, 0);
}

void
tc_sdk_client_free(struct tc_sdk_client *c)
{
    if (!c) {
        return;
    }
    if (c->loop) {
        cancel_reconnect(c);
        tc_sdk__ws_abandon(c);
        tc_sdk__loop_unref(c);
    }
    tc_sdk__ws_queue_clear(c);
    forget_session(c);
    if (c->pending) {
        g_hash_table_destroy(c->pending);
    }
    if (c->rooms) {
        g_ptr_array_free(c->rooms, TRUE);
    }
    tc_sdk__url_fini(&c->url);
    if (c->token) {
        memset(c->token, 0, strlen(c->token));
        g_free(c->token);
    }
    g_free(c->ca_file);
    free(c->rx);
    tc_sdk__ecg_free_all(c);
    free(c);
}

void
tc_sdk_client_set_log(struct tc_sdk_client *c, tc_sdk_log_fn fn, void *data)
{
    c->log = fn;
    c->log_data = data;
}

const char *
tc_sdk_client_errmsg(const struct tc_sdk_client *c)
{
    return c->errmsg;
}

enum tc_sdk_state
tc_sdk_client_state(const struct tc_sdk_client *c)
{
    return c->state;
}

const char *
tc_sdk_client_peer(const struct tc_sdk_client *c)
{
    return c->peer;
}

size_t
tc_sdk_client_queued_bytes(const struct tc_sdk_client *c)
{
    return c->queued_bytes;
}

/* ---- connecting, closing, reconnecting --------------------------------- */

static void
connect_now(struct tc_sdk_client *c)
{
    tc_sdk__set_state(c, TC_SDK_STATE_CONNECTING);
    tc_sdk__log(c, TC_SDK_LOG_INFO, "connecting to %s:%d%s%s", c->url.host,
                c->url.port, c->url.path, c->url.tls ? " (tls)" : "");
    tc_sdk__ws_connect(c);
}

int
tc_sdk_client_start(struct tc_sdk_client *c)
{
    if (c->state != TC_SDK_STATE_IDLE && c->state != TC_SDK_STATE_CLOSED) {
        return tc_sdk__fail(c, -EALREADY, "already started");
    }
    c->failures = 0;
    c->stopping = false;
    c->close_sent = false;
    connect_now(c);
    return 0;
}

void
tc_sdk_client_stop(struct tc_sdk_client *c)
{
    cancel_reconnect(c);
    if (c->wsi) {
        c->stopping = true;
        tc_sdk__ws_close(c);
        return;
    }
    forget_session(c);
    tc_sdk__ws_queue_clear(c);
    tc_sdk__set_state(c, TC_SDK_STATE_IDLE);
}

int
tc_sdk_client_drop(struct tc_sdk_client *c, int reconnect_after_ms)
{
    int rc;

    if (c->state != TC_SDK_STATE_READY && c->state != TC_SDK_STATE_HELLO) {
        return tc_sdk__fail(c, -ENOTCONN, "not connected");
    }
    rc = tc_sdk__ws_shutdown(c);
    if (rc < 0) {
        return tc_sdk__fail(c, rc, "not connected");
    }
    c->next_wait_ms = reconnect_after_ms < 0 ? 0 : reconnect_after_ms;
    return 0;
}

static gboolean
on_reconnect_timer(gpointer data)
{
    struct tc_sdk_client *c = data;

    g_source_unref(c->reconnect_source);
    c->reconnect_source = NULL;
    connect_now(c);
    return G_SOURCE_REMOVE;
}

static int
backoff_ms(const struct tc_sdk_client *c)
{
    int64_t ms = c->reconnect_min_ms;

    for (int i = 1; i < c->failures && ms < c->reconnect_max_ms; i++) {
        ms *= 2;
    }
    ms = MIN(ms, c->reconnect_max_ms);
    return (int)(ms + g_random_int_range(0, (gint32)(ms / 4 + 1)));
}

/* What a close means, by code. */
struct close_rule {
    int code;
    bool fatal;
    const char *what;
};

static const struct close_rule on_closed_table[] = {
    {1000, false, "closed normally by the server"},
    {1001, false, "server going away"},
    {1006, false, "connection lost"},
    {4008, false, "too slow (send queue full at the server)"},
    {4029, false, "flood"},
    {4009, true, "message too large"},
    {4400, true, "protocol error"},
    {4401, true, "not authenticated"},
    {4403, true, "forbidden (account disabled)"},
    {4010, true, "replaced by another connection"},
};

static const struct close_rule *
close_rule(int code)
{
    static const struct close_rule other = {0, false, "closed"};

    for (size_t i = 0; i < G_N_ELEMENTS(on_closed_table); i++) {
        if (on_closed_table[i].code == code) {
            return &on_closed_table[i];
        }
    }
    return &other;
}

void
tc_sdk__on_closed(struct tc_sdk_client *c, int code, const char *reason)
{
    const struct close_rule *rule = close_rule(code);
    struct tc_sdk_close ev = {.code = code, .reason = reason ? reason : ""};
    bool was_ready = c->state == TC_SDK_STATE_READY;
    int wait_ms;

    if (c->state != TC_SDK_STATE_CONNECTING &&
        c->state != TC_SDK_STATE_HELLO && c->state != TC_SDK_STATE_READY) {
        return;
    }
    c->wsi = NULL;
    tc_sdk__log(c, code == 1000 ? TC_SDK_LOG_INFO : TC_SDK_LOG_WARNING,
                "connection closed: %d (%s)", code, rule->what);
    if (c->stopping) {
        /* our own close: lws reports no code for it */
        ev.code = code == 1006 ? 1000 : code;
        c->stopping = false;
        forget_session(c);
        tc_sdk__ws_queue_clear(c);
        tc_sdk__set_state(c, TC_SDK_STATE_IDLE);
    } else if (rule->fatal || c->no_reconnect) {
        tc_sdk__ws_queue_clear(c);
        tc_sdk__set_state(c, TC_SDK_STATE_CLOSED);
    } else {
        if (c->peer && c->dropped_at_us == 0) {
            c->dropped_at_us = g_get_monotonic_time();
        }
        c->failures = was_ready ? 1 : c->failures + 1;
        wait_ms = c->next_wait_ms >= 0 ? c->next_wait_ms : backoff_ms(c);
        c->next_wait_ms = -1;
        c->reconnect_source = g_timeout_source_new((guint)wait_ms);
        g_source_set_callback(c->reconnect_source, on_reconnect_timer, c,
                              NULL);
        g_source_attach(c->reconnect_source, tc_sdk__loop_context(c));
        ev.reconnecting = true;
        tc_sdk__log(c, TC_SDK_LOG_INFO, "reconnecting in %d ms", wait_ms);
        tc_sdk__set_state(c, TC_SDK_STATE_RECONNECTING);
    }
    if (c->cb.closed) {
        c->cb.closed(c, &ev, c->data);
    }
}

void
tc_sdk__on_open(struct tc_sdk_client *c)
{
    int64_t now = g_get_monotonic_time();
    bool resume =
        c->resume_token && c->dropped_at_us &&
        now - c->dropped_at_us < (int64_t)c->resume_grace_s * G_USEC_PER_SEC;
    json_t *hello = tc_sdk__proto_hello(HELLO_ID, c->token,
                                        resume ? c->resume_token : NULL);
    char *text = json_dumps(hello, JSON_COMPACT);

    json_decref(hello);
    c->connected_at_us = now;
    c->last_rx_us = now;
    c->resuming = resume;
    c->resume_refused = false;
    tc_sdk__set_state(c, TC_SDK_STATE_HELLO);
    if (!text || tc_sdk__ws_hello(c, text, strlen(text)) < 0) {
        tc_sdk__ws_shutdown(c);
    }
    free(text);
}

void
tc_sdk__on_message(struct tc_sdk_client *c, const char *text, size_t len)
{
    c->last_rx_us = g_get_monotonic_time();
    if (c->cb.frame && c->cb.frame(c, text, len, c->data)) {
        return;
    }
    tc_sdk__proto_dispatch(c, text, len);
}

void
tc_sdk__set_heartbeat(struct tc_sdk_client *c, int heartbeat_s,
                      int resume_grace_s)
{
    if (heartbeat_s > 0) {
        c->heartbeat_s = heartbeat_s;
    }
    if (resume_grace_s > 0) {
        c->resume_grace_s = resume_grace_s;
    }
}

static void
rejoin(struct tc_sdk_client *c)
{
    g_autoptr(GPtrArray) rooms = c->rooms;
    char id[32];

    c->rooms = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < rooms->len; i++) {
        snprintf(id, sizeof(id), "rejoin-%u", i + 1);
        tc_sdk_client_join(c, rooms->pdata[i], id);
    }
}

void
tc_sdk__session(struct tc_sdk_client *c, const char *peer,
                const char *resume_token, bool fresh)
{
    if (peer) {
        g_free(c->peer);
        c->peer = g_strdup(peer);
    }
    if (resume_token) {
        g_free(c->resume_token);
        c->resume_token = g_strdup(resume_token);
    }
    c->dropped_at_us = 0;
    c->failures = 0;
    tc_sdk__set_state(c, TC_SDK_STATE_READY);
    if (fresh) {
        /* A new session: what was queued for the old one is stale. */
        tc_sdk__ws_queue_clear(c);
        g_hash_table_remove_all(c->pending);
        rejoin(c);
    }
    tc_sdk__ws_flush(c);
}

void
tc_sdk__tick(struct tc_sdk_client *c, int64_t now_us)
{
    int64_t idle = now_us - c->last_rx_us;
    int64_t hb = (int64_t)c->heartbeat_s * G_USEC_PER_SEC;

    if (c->state == TC_SDK_STATE_HELLO &&
        idle > TC_SDK__HELLO_WAIT_S * G_USEC_PER_SEC) {
        tc_sdk__log(c, TC_SDK_LOG_WARNING, "no answer to hello; dropping");
        tc_sdk__ws_shutdown(c);
        return;
    }
    if (c->state != TC_SDK_STATE_READY || hb <= 0) {
        return;
    }
    if (idle > 2 * hb + 5 * G_USEC_PER_SEC) {
        tc_sdk__log(c, TC_SDK_LOG_WARNING,
                    "nothing heard for %" G_GINT64_FORMAT " s; dropping",
                    idle / G_USEC_PER_SEC);
        tc_sdk__ws_shutdown(c);
    } else if (idle >= hb && now_us - c->last_ping_us >= hb) {
        c->last_ping_us = now_us;
        tc_sdk__send_take(
            c, json_pack("{s:s,s:s}", "type", "ping", "id", HEARTBEAT_ID));
    }
}

/* ---- requests ---------------------------------------------------------- */

void
tc_sdk__pending_free(struct tc_sdk__pending *p)
{
    if (p) {
        g_free(p->room);
        g_free(p);
    }
}

struct tc_sdk__pending *
tc_sdk__pending_take(struct tc_sdk_client *c, const char *id)
{
    gpointer key, value;

    if (!id || !g_hash_table_steal_extended(c->pending, id, &key, &value)) {
        return NULL;
    }
    g_free(key);
    return value;
}

void
tc_sdk__room_add(struct tc_sdk_client *c, const char *room)
{
    for (guint i = 0; i < c->rooms->len; i++) {
        if (strcmp(c->rooms->pdata[i], room) == 0) {
            return;
        }
    }
    g_ptr_array_add(c->rooms, g_strdup(room));
}

void
tc_sdk__room_del(struct tc_sdk_client *c, const char *room)
{
    for (guint i = 0; i < c->rooms->len; i++) {
        if (strcmp(c->rooms->pdata[i], room) == 0) {
            g_ptr_array_remove_index(c->rooms, i);
            return;
        }
    }
}

int
tc_sdk__send_take(struct tc_sdk_client *c, json_t *msg)
{
    char buf[2048];
    char *text;
    size_t len;
    int rc;

    if (!msg) {
        return -ENOMEM;
    }
    /* nearly every message fits the stack buffer: one pass, no malloc */
    len = json_dumpb(msg, buf, sizeof(buf), JSON_COMPACT);
    if (len > sizeof(buf) && len <= TC_SDK__MAX_FRAME) {
        text = malloc(len);
        if (text && json_dumpb(msg, text, len, JSON_COMPACT) != len) {
            free(text);
            text = NULL;
        }
    } else {
        text = NULL;
    }
    json_decref(msg);
    if (len == 0) {
        return -ENOMEM;
    }
    if (len > TC_SDK__MAX_FRAME) {
        return tc_sdk__fail(c, -EINVAL, "message of %zu bytes is over %d", len,
                            TC_SDK__MAX_FRAME);
    }
    if (len > sizeof(buf) && !text) {
        return -ENOMEM;
    }
    rc = tc_sdk__ws_queue(c, text ? text : buf, len);
    free(text);
    return rc;
}

static bool
id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;

    return !id || (n >= 1 && n <= TC_SDK__MAX_ID);
}

/* Queue `msg` (consumed) as a request of `kind`, tracking its id. */
static int
request(struct tc_sdk_client *c, enum tc_sdk_request kind, const char *room,
        const char *id, bool auto_id, json_t *msg)
{
    char auto_buf[24];
    int rc;

    if (!msg) {
        return -ENOMEM;
    }
    if (c->state != TC_SDK_STATE_READY) {
        json_decref(msg);
        return tc_sdk__fail(c, -ENOTCONN, "no session (state %s)",
                            state_names[c->state]);
    }
    if (!id_ok(id)) {
        json_decref(msg);
        return tc_sdk__fail(c, -EINVAL, "id must be 1..64 bytes");
    }
    if (!id && auto_id) {
        snprintf(auto_buf, sizeof(auto_buf), "c%u", ++c->next_id);
        id = auto_buf;
    }
    if (id) {
        json_object_set_new(msg, "id", json_string(id));
        if (g_hash_table_size(c->pending) < TC_SDK__MAX_PENDING) {
            struct tc_sdk__pending *p = g_new0(struct tc_sdk__pending, 1);
            p->kind = kind;
            p->room = g_strdup(room);
            g_hash_table_replace(c->pending, g_strdup(id), p);
        }
    }
    rc = tc_sdk__send_take(c, msg);
    if (rc < 0 && id) {
        g_hash_table_remove(c->pending, id);
    }
    return rc;
}

static int
need(struct tc_sdk_client *c, const char *what, const char *value, size_t max)
{
    if (!value || !*value) {
        return tc_sdk__fail(c, -EINVAL, "%s is required", what);
    }
    if (strlen(value) > max) {
        return tc_sdk__fail(c, -EINVAL, "%s is over %zu bytes", what, max);
    }
    return 0;
}

int
tc_sdk_client_join(struct tc_sdk_client *c, const char *room, const char *id)
{
    if (need(c, "room", room, 128) < 0) {
        return -EINVAL;
    }
    return request(c, TC_SDK_REQ_JOIN, room, id, true,
                   json_pack("{s:s,s:s}", "type", "join", "room", room));
}

int
tc_sdk_client_leave(struct tc_sdk_client *c, const char *room, const char *id)
{
    if (need(c, "room", room, 128) < 0) {
        return -EINVAL;
    }
    tc_sdk__room_del(c, room);
    return request(c, TC_SDK_REQ_LEAVE, room, id, true,
                   json_pack("{s:s,s:s}", "type", "leave", "room", room));
}

int
tc_sdk_client_admit(struct tc_sdk_client *c, const char *room,
                    const char *peer, const char *id)
{
    if (need(c, "room", room, 128) < 0 || need(c, "peer", peer, 64) < 0) {
        return -EINVAL;
    }
    return request(c, TC_SDK_REQ_ADMIT, room, id, true,
                   json_pack("{s:s,s:s,s:s}", "type", "admit", "room", room,
                             "peer", peer));
}

int
tc_sdk_client_remove(struct tc_sdk_client *c, const char *room,
                     const char *peer, const char *reason, const char *id)
{
    json_t *msg;

    if (need(c, "room", room, 128) < 0 || need(c, "peer", peer, 64) < 0) {
        return -EINVAL;
    }
    msg = json_pack("{s:s,s:s,s:s}", "type", "remove", "room", room, "peer",
                    peer);
    if (msg && reason) {
        json_object_set_new(msg, "reason", json_string(reason));
    }
    return request(c, TC_SDK_REQ_REMOVE, room, id, true, msg);
}

static int
send_sdp(struct tc_sdk_client *c, const char *type, const char *room,
         const char *to, const char *sdp, const char *id)
{
    if (need(c, "room", room, 128) < 0 || need(c, "to", to, 64) < 0 ||
        need(c, "sdp", sdp, TC_SDK__MAX_SDP) < 0) {
        return -EINVAL;
    }
    return request(c, TC_SDK_REQ_RELAY, room, id, false,
                   json_pack("{s:s,s:s,s:s,s:s}", "type", type, "room", room,
                             "to", to, "sdp", sdp));
}

int
tc_sdk_client_send_offer(struct tc_sdk_client *c, const char *room,
                         const char *to, const char *sdp, const char *id)
{
    return send_sdp(c, "offer", room, to, sdp, id);
}

int
tc_sdk_client_send_answer(struct tc_sdk_client *c, const char *room,
                          const char *to, const char *sdp, const char *id)
{
    return send_sdp(c, "answer", room, to, sdp, id);
}

int
tc_sdk_client_send_candidate(struct tc_sdk_client *c, const char *room,
                             const char *to, const char *candidate,
                             const char *sdp_mid, int sdp_mline_index,
                             const char *id)
{
    json_t *msg;

    if (need(c, "room", room, 128) < 0 || need(c, "to", to, 64) < 0) {
        return -EINVAL;
    }
    if (!candidate || strlen(candidate) > 4096) {
        return tc_sdk__fail(c, -EINVAL, "candidate is required (<= 4096)");
    }
    msg = json_pack("{s:s,s:s,s:s,s:s}", "type", "candidate", "room", room,
                    "to", to, "candidate", candidate);
    if (msg && sdp_mid) {
        json_object_set_new(msg, "sdpMid", json_string(sdp_mid));
    }
    if (msg && sdp_mline_index >= 0) {
        json_object_set_new(msg, "sdpMLineIndex",
                            json_integer(sdp_mline_index));
    }
    return request(c, TC_SDK_REQ_RELAY, room, id, false, msg);
}

int
tc_sdk_client_send_chat(struct tc_sdk_client *c, const char *room,
                        const char *text, const char *id)
{
    if (need(c, "room", room, 128) < 0 ||
        need(c, "text", text, TC_SDK__MAX_CHAT) < 0) {
        return -EINVAL;
    }
    return request(c, TC_SDK_REQ_CHAT, room, id, true,
                   json_pack("{s:s,s:s,s:s}", "type", "chat", "room", room,
                             "text", text));
}

int
tc_sdk_client_send_ping(struct tc_sdk_client *c, const char *id)
{
    return request(c, TC_SDK_REQ_PING, NULL, id, false,
                   json_pack("{s:s}", "type", "ping"));
}

int
tc_sdk_client_send_json(struct tc_sdk_client *c, const char *json)
{
    json_t *msg = json ? json_loads(json, JSON_REJECT_DUPLICATES, NULL) : NULL;
    int rc;

    if (!json_is_object(msg)) {
        json_decref(msg);
        return tc_sdk__fail(c, -EINVAL, "not a JSON object");
    }
    json_decref(msg);
    if (c->state != TC_SDK_STATE_READY) {
        return tc_sdk__fail(c, -ENOTCONN, "no session (state %s)",
                            state_names[c->state]);
    }
    if (strlen(json) > TC_SDK__MAX_FRAME) {
        return tc_sdk__fail(c, -EINVAL, "message over %d bytes",
                            TC_SDK__MAX_FRAME);
    }
    rc = tc_sdk__ws_queue(c, json, strlen(json));
    return rc;
}
