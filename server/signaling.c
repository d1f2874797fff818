// SPDX-License-Identifier: Apache-2.0
/*
 * signaling.c - the WebSocket protocol "telecare.v1" on /ws
 * (docs/protocol.md): connections, the hello step, send queues, limits,
 * heartbeats and closes; dispatch of each message, and chat (kept with
 * the consultation record). Rooms and peers are sig-room.c's and
 * sig-peer.c's, joins and attendance sig-join.c's; this file is their
 * lws side.
 *
 * A connection's life:
 *
 *   handshake (path /ws, subprotocol telecare.v1; refused while stopping)
 *      |
 *   OPEN --hello ok--> PEER ATTACHED --close 1000/1001--> peer leaves
 *    |  \                  |   \------server close (4008, 4009, 4029,
 *    |   bad token,        |          4400, 4403)---> peer leaves "closed"
 *    |   10 s without      +--drop, 2 missed pings--> peer AWAY (resume)
 *    |   hello: 4401       +--resumed elsewhere: 4010, the peer moves on
 *    +--binary: 4400, over 65,536 bytes: 4009 (at any time)
 *
 * Sending: a frame is written at once when nothing waits for this
 * connection and lws holds no unsent rest; otherwise it waits in the
 * connection's bounded queue (256 frames or 1 MiB), written from
 * LWS_CALLBACK_SERVER_WRITEABLE, up to WRITE_BURST at a time while the
 * socket takes them. A full
 * queue means the client does not keep up: its queue is dropped, it is
 * closed with 4008 and its peer leaves its rooms at once (from an idle
 * callback, never inside a broadcast), so its room-mates never wait for
 * it. Frames are shared between recipients: server frames are not masked
 * and no extension is negotiated, so lws_write() only writes the frame
 * header into the headroom before the text, and keeps any unsent rest in
 * its own buffer.
 *
 * Receiving: fragments are gathered up to 65,536 bytes (the declared
 * frame length is checked first, so an oversize frame is refused before
 * it arrives); one whole message is parsed (sig-proto.c), rate-limited
 * (token bucket: 50/s, bursts of 100; close 4029 once refusals outnumber
 * accepted messages by 200: each refusal counts one up, each accepted
 * message one down, so the tokens a flooder regains over time do not
 * reset the count)
 * and handled. Reading pauses while the connection's own queue is half
 * full (lws_rx_flow_control), so a client's own answers never overflow
 * it. An open WebSocket counts as a request in flight, so a
 * stopping server closes each with 1001 and waits for them (run.c).
 *
 * Heartbeats: every connection is pinged once per heartbeat_s; one that
 * has not answered the last two is treated as a drop (its peer may
 * resume). The connections sit on a wheel of up to 2,000 slots of at
 * least 10 ms each (a random slot, so the pings of 10,000 connections
 * spread evenly over the period); a timer pings the connections of the
 * next slot. Each tick touches only the ~1/2,000 of the connections that
 * are due (5 of 10,000 every 10 ms at the default 20 s), and a ping is
 * written at once when nothing waits for the socket: neither a walk over
 * every connection nor a burst of pings stalls the relay (with 100 ms
 * slots and pings written from the writable callback, the ~50 pings of a
 * slot and their pongs held the relay up for a few ms ten times a
 * second: most of its p99 at 20,000 msgs/s, docs/performance.md). lws 4.1's
 * vhost idle policy (retry_and_idle_policy) would also apply to HTTP
 * connections and sends a single ping before hanging up, so it is not used.
 *
 * Logs carry peer ids, room names, sizes and codes; never SDP, chat text,
 * names or tokens.
 *
 * Thread: main (lws on the GLib loop).
 */
#define G_LOG_DOMAIN "signaling"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>
#include <libwebsockets.h>

#include "server-int.h"
#include "sig-int.h"
#include "tc-loopstat.h"
#include "tc-records.h"
#include "tc-wsclose.h"

G_STATIC_ASSERT(LWS_PRE <= TC_SRV__SIG_PRE);

#define CLOSE_GRACE_S 5  /* for a close frame to get out before the drop */
#define WRITE_BURST   32 /* frames per writable callback, at most */
#define MISSED_PINGS  2
#define HB_TICK_MS    10   /* the shortest slot of the heartbeat wheel */
#define HB_MAX_SLOTS  2000 /* so a long heartbeat_s gets longer slots */

/* A client's own requests must not fill its queue: reading from it pauses
 * at half the queue and resumes at a quarter, so only what others send it
 * (relays, chat, presence) can overflow a slow reader's queue. */
#define RX_PAUSE_MSGS   (TC_SRV__SIG_QUEUE_MSGS / 2)
#define RX_PAUSE_BYTES  (TC_SRV__SIG_QUEUE_BYTES / 2)
#define RX_RESUME_MSGS  (TC_SRV__SIG_QUEUE_MSGS / 4)
#define RX_RESUME_BYTES (TC_SRV__SIG_QUEUE_BYTES / 4)

struct sig_conn {
    struct lws *wsi;
    struct tc_srv *srv;
    struct tc_srv__sig_peer *peer; /* NULL before hello */
    GList link;                    /* in sig->conns */
    GList hb_link;                 /* in sig->wheel[hb_slot] */
    unsigned hb_slot;
    char addr[64];
    GQueue out; /* struct tc_srv__sig_frame * */
    size_t out_bytes;
    GByteArray *rx; /* a message arriving in fragments */
    double tokens;  /* rate limit bucket */
    int64_t tokens_at_us;
    unsigned refused; /* refusals less accepted messages since then */
    unsigned pings_unanswered;
    bool ping_due;
    bool dead;      /* missed its pings: drop it (its peer may resume) */
    bool rx_paused; /* reading stopped until the queue drains */
    bool released;  /* no longer counted in srv->in_flight */
    guint release_idle;
    guint hello_timer;
    guint detach_idle;
    int close_code;  /* a server close under way, 0: none */
    bool close_sent; /* its close frame is out */
    const char *close_reason;
    int peer_close; /* the code of the client's close frame */
};

struct sig_pss {
    struct sig_conn *conn;
};

struct tc_srv__sig {
    struct tc_srv *srv;
    struct tc_srv__sig_hub *hub;
    GQueue conns;  /* every open connection, by sig_conn.link */
    GQueue *wheel; /* n_slots slots of connections, by sig_conn.hb_link */
    unsigned n_slots;
    unsigned slot_ms; /* each slot's time */
    /* telecare_ws_messages_total by type, the last "invalid": counted for
     * every message, so not looked up by name each time */
    int64_t *received[TC_SRV__SIG_N_TYPES + 1];
    unsigned slot;      /* the next slot due */
    int64_t slot_at_us; /* when it is due (monotonic) */
    guint heartbeat_timer;
};

static struct tc_srv *
srv_of(struct lws *wsi)
{
    return lws_context_user(lws_get_context(wsi));
}

/* ---- metrics ---- */

static void
count_error(struct tc_srv *srv, enum tc_srv__sig_err code)
{
    tc_srv__metrics_count(srv->metrics, "telecare_ws_errors_total",
                          "Signaling error answers, by code.", "code",
                          tc_srv__sig_err_name(code));
}

static const char *
close_label(int code, bool by_server)
{
    switch (code) {
    case 0:
        return "dropped";
    case TC_SRV__SIG_CLOSE_NORMAL:
        return "normal";
    case TC_SRV__SIG_CLOSE_GOING:
        return by_server ? "shutdown" : "going-away";
    case TC_SRV__SIG_CLOSE_TOO_SLOW:
        return "too-slow";
    case TC_SRV__SIG_CLOSE_TOO_LARGE:
        return "too-large";
    case TC_SRV__SIG_CLOSE_REPLACED:
        return "replaced";
    case TC_SRV__SIG_CLOSE_FLOOD:
        return "flood";
    case TC_SRV__SIG_CLOSE_PROTOCOL:
        return "protocol-error";
    case TC_SRV__SIG_CLOSE_NOT_AUTH:
        return "not-authenticated";
    case TC_SRV__SIG_CLOSE_FORBIDDEN:
        return "forbidden";
    default:
        return "client-other";
    }
}

/* ---- sending and closing ---- */

static void
queue_clear(struct sig_conn *conn)
{
    struct tc_srv__sig_frame *f;

    while ((f = g_queue_pop_head(&conn->out))) {
        tc_srv__sig_frame_unref(f);
    }
    conn->out_bytes = 0;
}

/* Close after the queue is written (at most CLOSE_GRACE_S from now). */
static void
conn_close(struct sig_conn *conn, int code, const char *reason)
{
    if (conn->close_code) {
        return;
    }
    conn->close_code = code;
    conn->close_reason = reason;
    lws_callback_on_writable(conn->wsi);
    lws_set_timeout(conn->wsi, PENDING_TIMEOUT_USER_OK, CLOSE_GRACE_S);
}

static gboolean
detach_now(gpointer data)
{
    struct sig_conn *conn = data;
    struct tc_srv__sig_peer *peer = conn->peer;

    conn->detach_idle = 0;
    if (peer) {
        conn->peer = NULL;
        tc_srv__sig_peer_gone(conn->srv->sig->hub, peer,
                              TC_SRV__SIG_GONE_CLOSED);
    }
    return G_SOURCE_REMOVE;
}

/* The client cannot keep up: drop what waits, close 4008, and let its
 * room-mates see it leave now (outside any broadcast in progress). */
static void
too_slow(struct sig_conn *conn)
{
    g_message("peer %s (%s): send queue full (%u frames, %zu bytes); "
              "closing",
              conn->peer ? conn->peer->id : "-", conn->addr, conn->out.length,
              conn->out_bytes);
    queue_clear(conn);
    conn_close(conn, TC_SRV__SIG_CLOSE_TOO_SLOW, "too slow");
    if (conn->peer && !conn->detach_idle) {
        conn->detach_idle = g_idle_add(detach_now, conn);
    }
}

/* The hub's send: queue one frame (borrowed) on a connection. */
static void
conn_send(void *ctx, void *c, struct tc_srv__sig_frame *frame)
{
    struct sig_conn *conn = c;

    if (conn->close_code) {
        return; /* closing: nothing more goes out */
    }
    if (conn->out.length == 0 && !lws_partial_buffered(conn->wsi)) {
        /* Nothing waits and the socket took everything so far: write now
         * rather than after a round of the loop (two epoll changes and a
         * wake-up per frame). lws keeps what the socket does not take and
         * writes it at the next POLLOUT; later frames then queue here. */
        if (lws_write(conn->wsi, frame->bytes + TC_SRV__SIG_PRE, frame->len,
                      frame->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) < 0) {
            conn->dead = true; /* broken: dropped at the next writable */
            lws_callback_on_writable(conn->wsi);
        }
        return;
    }
    if (conn->out.length >= TC_SRV__SIG_QUEUE_MSGS ||
        conn->out_bytes + frame->len > TC_SRV__SIG_QUEUE_BYTES) {
        too_slow(conn);
        return;
    }
    g_queue_push_tail(&conn->out, tc_srv__sig_frame_ref(frame));
    conn->out_bytes += frame->len;
    if (!conn->rx_paused && (conn->out.length >= RX_PAUSE_MSGS ||
                             conn->out_bytes >= RX_PAUSE_BYTES)) {
        conn->rx_paused = true; /* read no more until the answers are out */
        lws_rx_flow_control(conn->wsi, 0);
    }
    lws_callback_on_writable(conn->wsi);
}

static void
send_doc(struct sig_conn *conn, const json_t *doc)
{
    struct tc_srv__sig_frame *f = tc_srv__sig_frame_new(doc);

    if (f) {
        conn_send(NULL, conn, f);
        tc_srv__sig_frame_unref(f);
    }
}

static void
send_error(struct sig_conn *conn, const struct tc_srv__sig_error *err)
{
    struct tc_srv__sig_frame *f = tc_srv__sig_error_frame(err);

    count_error(conn->srv, err->code);
    if (f) {
        conn_send(NULL, conn, f);
        tc_srv__sig_frame_unref(f);
    }
}

/* Stop counting a closing connection as in flight. */
static gboolean
release_later(gpointer data)
{
    struct sig_conn *conn = data;

    conn->release_idle = 0;
    if (!conn->released) {
        conn->released = true;
        tc_srv__request_done(conn->srv);
    }
    return G_SOURCE_REMOVE;
}

static int
write_ping(struct sig_conn *conn)
{
    /* lws passes a pong up only when it has a payload. */
    unsigned char frame[LWS_PRE + 2] = {[LWS_PRE] = 't', [LWS_PRE + 1] = 'c'};

    return lws_write(conn->wsi, frame + LWS_PRE, 2, LWS_WRITE_PING);
}

static int
on_writeable(struct sig_conn *conn)
{
    struct tc_srv__sig_frame *f;
    int n;

    if (conn->dead) {
        return -1; /* no close frame: a drop */
    }
    if (conn->ping_due && !conn->close_code) {
        conn->ping_due = false;
        if (write_ping(conn) < 0) {
            return -1;
        }
        lws_callback_on_writable(conn->wsi);
        return 0;
    }
    f = g_queue_pop_head(&conn->out);
    if (!f) {
        if (conn->close_code && !conn->close_sent) {
            /* our own close frame (common/tc-wsclose.h); the client's
             * answer, or CLOSE_GRACE_S, ends the connection */
            conn->close_sent = true;
            if (conn->srv->stopping && !conn->release_idle) {
                /* a stopping server need not wait for the answer */
                conn->release_idle =
                    g_idle_add_full(G_PRIORITY_LOW, release_later, conn, NULL);
            }
            return tc_ws_write_close(conn->wsi, conn->close_code,
                                     conn->close_reason, CLOSE_GRACE_S);
        }
        return 0;
    }
    for (int burst = 0;; burst++) {
        conn->out_bytes -= f->len;
        n = lws_write(conn->wsi, f->bytes + TC_SRV__SIG_PRE, f->len,
                      f->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
        tc_srv__sig_frame_unref(f);
        if (n < 0) {
            return -1; /* the connection is broken: a drop */
        }
        /* more while the socket takes them: a round of the loop per
         * frame would cost more than the frame */
        if (burst + 1 >= WRITE_BURST || conn->out.length == 0 ||
            lws_send_pipe_choked(conn->wsi)) {
            break;
        }
        f = g_queue_pop_head(&conn->out);
    }
    if (conn->rx_paused && conn->out.length <= RX_RESUME_MSGS &&
        conn->out_bytes <= RX_RESUME_BYTES) {
        conn->rx_paused = false;
        lws_rx_flow_control(conn->wsi, 1);
    }
    if (conn->out.length > 0 || conn->close_code) {
        lws_callback_on_writable(conn->wsi);
    }
    return 0;
}

/* ---- rate limit: a token bucket per connection ---- */

static bool
rate_take(struct sig_conn *conn)
{
    int64_t now = g_get_monotonic_time();

    conn->tokens +=
        (double)(now - conn->tokens_at_us) / 1e6 * TC_SRV__SIG_RATE_PER_S;
    if (conn->tokens > TC_SRV__SIG_RATE_BURST) {
        conn->tokens = TC_SRV__SIG_RATE_BURST;
    }
    conn->tokens_at_us = now;
    if (conn->tokens < 1.0) {
        return false;
    }
    conn->tokens -= 1.0;
    return true;
}

/* ---- hello ---- */

/* The display name of a user's person (never logged), or NULL. */
static char *
display_name(struct tc_srv *srv, const struct tc_srv__who *who)
{
    char *name = NULL;

    if (who->practitioner_id > 0) {
        struct tc_rec_practitioner *p = NULL;
        if (tc_rec_practitioner_get(srv->db, who->practitioner_id, &p) == 0) {
            name = g_strdup(p->name);
        }
        tc_rec_practitioner_free(p);
    } else if (who->resident_id > 0) {
        struct tc_rec_resident *r = NULL;
        if (tc_rec_resident_get(srv->db, who->resident_id, &r) == 0) {
            name = g_strdup(r->name);
        }
        tc_rec_resident_free(r);
    } else if (who->carer_id > 0) {
        struct tc_rec_carer *c = NULL;
        if (tc_rec_carer_get(srv->db, who->carer_id, &c) == 0) {
            name = g_strdup(c->name);
        }
        tc_rec_carer_free(c);
    }
    return name;
}

static void
on_hello(struct sig_conn *conn, const struct tc_srv__sig_msg *msg)
{
    struct tc_srv__sig_hub *hub = conn->srv->sig->hub;
    struct tc_srv__sig_error err = {0};
    struct tc_srv__who who;
    const char *why = NULL;
    g_autofree char *auth = NULL, *name = NULL;
    void *replaced = NULL;

    g_strlcpy(err.id, msg->id, sizeof(err.id));
    if (conn->peer) {
        tc_srv__sig_fail(&err, TC_SRV__SIG_BAD_STATE,
                         "hello: this connection said hello already");
        send_error(conn, &err);
        return;
    }
    auth = g_strconcat("Bearer ", msg->token, NULL);
    if (tc_srv__auth_resolve(conn->srv, auth, conn->addr, &who, &why) < 0) {
        tc_srv__sig_fail(&err, TC_SRV__SIG_NOT_AUTHENTICATED, "%s", why);
        send_error(conn, &err);
        conn_close(conn, TC_SRV__SIG_CLOSE_NOT_AUTH, "not authenticated");
        return;
    }
    if (conn->hello_timer) {
        g_source_remove(conn->hello_timer);
        conn->hello_timer = 0;
    }
    if (msg->resume &&
        tc_srv__sig_peer_resume(hub, msg->resume, who.user_id, conn, msg->id,
                                &conn->peer, &replaced) == 0) {
        g_message("peer %s resumed (user %" G_GINT64_FORMAT ", %s)",
                  conn->peer->id, who.user_id, conn->addr);
        if (replaced) {
            struct sig_conn *old = replaced;
            old->peer = NULL;
            conn_close(old, TC_SRV__SIG_CLOSE_REPLACED, "replaced");
        }
        return;
    }
    if (msg->resume) {
        tc_srv__sig_fail(&err, TC_SRV__SIG_BAD_STATE,
                         "resume: unknown or expired resume token; a new "
                         "session starts");
        send_error(conn, &err);
    }
    name = display_name(conn->srv, &who);
    tc_srv__sig_peer_new(hub, &who, name, conn, msg->id, &conn->peer);
    g_message("peer %s: user %" G_GINT64_FORMAT " connected from %s",
              conn->peer->id, who.user_id, conn->addr);
}

/* ---- join (sig-join.c decides) ---- */

static enum tc_srv__sig_err
on_join(struct sig_conn *conn, const struct tc_srv__sig_msg *msg,
        struct tc_srv__sig_error *err)
{
    if (tc_srv__sig_account_disabled(conn->srv, conn->peer)) {
        g_message("peer %s: account disabled; closing", conn->peer->id);
        conn_close(conn, TC_SRV__SIG_CLOSE_FORBIDDEN, "account disabled");
        return tc_srv__sig_fail(err, TC_SRV__SIG_FORBIDDEN,
                                "account disabled");
    }
    return tc_srv__sig_join(conn->srv, conn->srv->sig->hub, conn->peer,
                            conn->addr, msg, err);
}

/* ---- chat ---- */

static enum tc_srv__sig_err
on_chat(struct sig_conn *conn, const struct tc_srv__sig_msg *msg,
        struct tc_srv__sig_error *err)
{
    struct tc_srv__sig_hub *hub = conn->srv->sig->hub;
    struct tc_srv__sig_room *room;
    int64_t at_us = g_get_real_time(), seq;
    enum tc_srv__sig_err rc =
        tc_srv__sig_room_chat_check(hub, conn->peer, msg, &room, err);
    int irc;

    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    if (room->kind == TC_SRV__SIG_ROOM_CONSULTATION) {
        irc = tc_rec_consultation_chat_append(conn->srv->db, room->record_id,
                                              conn->peer->who.user_id, at_us,
                                              msg->text, &seq);
        if (irc == -EINVAL) { /* the error names the field and byte */
            return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD, "%s",
                                    tc_rec_errmsg(conn->srv->db));
        }
        if (irc < 0) {
            g_warning("chat in %s: cannot keep it: %s", room->name,
                      g_strerror(-irc));
            return tc_srv__sig_fail(err, TC_SRV__SIG_INTERNAL,
                                    "chat: cannot be kept now");
        }
    } else {
        seq = ++room->chat_seq;
    }
    tc_srv__sig_room_chat(hub, room, conn->peer, msg, seq, at_us);
    return TC_SRV__SIG_OK;
}

/* ---- one message ---- */

static enum tc_srv__sig_err
dispatch(struct sig_conn *conn, struct tc_srv__sig_msg *msg,
         struct tc_srv__sig_error *err)
{
    struct tc_srv__sig_hub *hub = conn->srv->sig->hub;
    json_t *doc;

    switch (msg->type) {
    case TC_SRV__SIG_HELLO:
        on_hello(conn, msg);
        return TC_SRV__SIG_OK;
    case TC_SRV__SIG_PING:
        doc = json_pack("{s:s}", "type", "pong");
        if (msg->id[0]) {
            json_object_set_new(doc, "id", json_string(msg->id));
        }
        send_doc(conn, doc);
        json_decref(doc);
        return TC_SRV__SIG_OK;
    case TC_SRV__SIG_JOIN:
        return on_join(conn, msg, err);
    case TC_SRV__SIG_LEAVE:
        return tc_srv__sig_room_leave(hub, conn->peer, msg, err);
    case TC_SRV__SIG_ADMIT:
        return tc_srv__sig_room_admit(hub, conn->peer, msg, err);
    case TC_SRV__SIG_REMOVE:
        return tc_srv__sig_room_remove(hub, conn->peer, msg, err);
    case TC_SRV__SIG_OFFER:
    case TC_SRV__SIG_ANSWER:
    case TC_SRV__SIG_CANDIDATE:
    case TC_SRV__SIG_MEDIA_MODE:
    case TC_SRV__SIG_FEED_ERROR:
        return tc_srv__sig_room_relay(hub, conn->peer, msg, err);
    case TC_SRV__SIG_CHAT:
        return on_chat(conn, msg, err);
    case TC_SRV__SIG_MEDIA_PROFILE:
        return tc_srv__sig_profile_set(conn->srv, hub, conn->peer, msg, err);
    case TC_SRV__SIG_ECG_ANNOUNCE:
    case TC_SRV__SIG_ECG_STOP:
    case TC_SRV__SIG_ECG_SUBSCRIBE:
    case TC_SRV__SIG_ECG_UNSUBSCRIBE:
        return tc_srv__sig_ecg(conn->srv, conn->peer, conn->addr, msg, err);
    case TC_SRV__SIG_N_TYPES:
        break;
    }
    return tc_srv__sig_fail(err, TC_SRV__SIG_INTERNAL, "unhandled type");
}

/* Close now from a receive callback (the queue is not written). */
static int
refuse(struct sig_conn *conn, int code, const char *reason)
{
    g_message("peer %s (%s): %s; closing %d",
              conn->peer ? conn->peer->id : "-", conn->addr, reason, code);
    conn->close_code = code;
    conn->close_reason = reason;
    lws_close_reason(conn->wsi, (enum lws_close_status)code,
                     (unsigned char *)reason, strlen(reason));
    return -1;
}

/* One whole text message. Returns -1 to close the connection now. */
static int
on_message(struct sig_conn *conn, const char *data, size_t len)
{
    struct tc_srv__sig_msg msg = {0};
    struct tc_srv__sig_error err = {0};
    enum tc_srv__sig_err rc = tc_srv__sig_parse(data, len, &msg, &err);

    (*conn->srv->sig
          ->received[rc == TC_SRV__SIG_OK ? msg.type : TC_SRV__SIG_N_TYPES])++;
    /* The hello that opens a session is not counted: the limit is the
     * session's. */
    bool opening =
        !conn->peer && rc == TC_SRV__SIG_OK && msg.type == TC_SRV__SIG_HELLO;

    if (!opening && !rate_take(conn)) {
        tc_srv__sig_msg_fini(&msg);
        tc_srv__sig_fail(&err, TC_SRV__SIG_RATE_LIMITED,
                         "more than %d messages per second",
                         TC_SRV__SIG_RATE_PER_S);
        send_error(conn, &err);
        if (++conn->refused >= TC_SRV__SIG_FLOOD_REFUSALS) {
            g_message("peer %s (%s): flood; closing",
                      conn->peer ? conn->peer->id : "-", conn->addr);
            conn_close(conn, TC_SRV__SIG_CLOSE_FLOOD, "flood");
        }
        return 0;
    }
    if (conn->refused > 0) {
        conn->refused--;
    }
    if (rc == TC_SRV__SIG_OK && !conn->peer && msg.type != TC_SRV__SIG_HELLO) {
        rc = tc_srv__sig_fail(&err, TC_SRV__SIG_NOT_AUTHENTICATED,
                              "hello first");
        conn_close(conn, TC_SRV__SIG_CLOSE_NOT_AUTH, "hello first");
    }
    if (rc == TC_SRV__SIG_OK) {
        g_strlcpy(err.id, msg.id, sizeof(err.id));
        rc = dispatch(conn, &msg, &err);
    }
    if (rc != TC_SRV__SIG_OK) {
        send_error(conn, &err);
    }
    tc_srv__sig_msg_fini(&msg);
    return 0;
}

static int
on_receive(struct sig_conn *conn, const void *in, size_t len)
{
    size_t have = conn->rx ? conn->rx->len : 0;
    size_t declared = have + len + lws_remaining_packet_payload(conn->wsi);
    int rc;

    if (conn->close_code) {
        return 0; /* closing: ignore the rest */
    }
    if (lws_frame_is_binary(conn->wsi)) {
        return refuse(conn, TC_SRV__SIG_CLOSE_PROTOCOL, "binary frame");
    }
    if (declared > TC_SRV__SIG_MAX_FRAME) {
        count_error(conn->srv, TC_SRV__SIG_TOO_LARGE);
        return refuse(conn, TC_SRV__SIG_CLOSE_TOO_LARGE, "too-large");
    }
    if (!conn->rx && lws_is_final_fragment(conn->wsi)) {
        return on_message(conn, in, len); /* the usual case: no copy */
    }
    if (!conn->rx) {
        conn->rx = g_byte_array_sized_new((guint)declared);
    }
    g_byte_array_append(conn->rx, in, (guint)len);
    if (!lws_is_final_fragment(conn->wsi)) {
        return 0;
    }
    rc = on_message(conn, (const char *)conn->rx->data, conn->rx->len);
    g_byte_array_unref(conn->rx);
    conn->rx = NULL;
    return rc;
}

/* ---- connection life ---- */

static gboolean
hello_late(gpointer data)
{
    struct sig_conn *conn = data;

    conn->hello_timer = 0;
    if (!conn->peer) {
        g_message("connection from %s: no hello within %d s; closing",
                  conn->addr, TC_SRV__SIG_HELLO_S);
        conn_close(conn, TC_SRV__SIG_CLOSE_NOT_AUTH, "hello expected");
    }
    return G_SOURCE_REMOVE;
}

/* Ping a connection now: written at once when nothing waits for the
 * socket (no writable round, no epoll change), else after what waits. */
static void
ping(struct sig_conn *conn)
{
    if (conn->out.length > 0 || lws_partial_buffered(conn->wsi)) {
        conn->ping_due = true;
        lws_callback_on_writable(conn->wsi);
    } else if (write_ping(conn) < 0) {
        conn->dead = true; /* broken: dropped at the next writable */
        lws_callback_on_writable(conn->wsi);
    }
}

/* The heartbeat of one connection that is due. */
static void
heartbeat_conn(struct sig_conn *conn)
{
    if (conn->close_code || conn->dead) {
        return;
    }
    if (conn->pings_unanswered >= MISSED_PINGS) {
        g_message("peer %s (%s): %d pings unanswered; dropping",
                  conn->peer ? conn->peer->id : "-", conn->addr, MISSED_PINGS);
        conn->dead = true; /* dropped at the next writable */
        lws_callback_on_writable(conn->wsi);
        lws_set_timeout(conn->wsi, PENDING_TIMEOUT_USER_OK, 1);
        return;
    }
    conn->pings_unanswered++;
    ping(conn);
}

/* Every slot_ms: the slots that came due (more than one when the loop
 * ran late; never more than a whole turn). A connection stays in its
 * slot: its next turn is one period later. */
static gboolean
heartbeat(gpointer data)
{
    struct tc_srv__sig *sig = data;
    int64_t now = g_get_monotonic_time();
    int64_t t0 = tc_loopstat_now();

    for (unsigned n = 0; now >= sig->slot_at_us && n < sig->n_slots; n++) {
        for (GList *l = sig->wheel[sig->slot].head; l; l = l->next) {
            heartbeat_conn(l->data);
        }
        sig->slot = (sig->slot + 1) % sig->n_slots;
        sig->slot_at_us += sig->slot_ms * 1000;
    }
    if (now >= sig->slot_at_us) {
        sig->slot_at_us = now + sig->slot_ms * 1000; /* a whole turn late */
    }
    if (t0) {
        tc_loopstat_note("heartbeat", tc_loopstat_now() - t0);
    }
    return G_SOURCE_CONTINUE;
}

/* The first heartbeat between half a period and a period from now. */
static void
heartbeat_add(struct tc_srv__sig *sig, struct sig_conn *conn)
{
    unsigned half = sig->n_slots / 2;
    unsigned ahead = half + (unsigned)g_random_int_range(
                                0, (gint32)MAX(1, sig->n_slots - half));

    conn->hb_link.data = conn;
    conn->hb_slot = (sig->slot + ahead) % sig->n_slots;
    g_queue_push_tail_link(&sig->wheel[conn->hb_slot], &conn->hb_link);
}

static int
on_established(struct lws *wsi, struct sig_pss *pss)
{
    struct tc_srv *srv = srv_of(wsi);
    struct sig_conn *conn = g_new0(struct sig_conn, 1);

    conn->wsi = wsi;
    conn->srv = srv;
    conn->link.data = conn;
    conn->tokens = TC_SRV__SIG_RATE_BURST;
    conn->tokens_at_us = g_get_monotonic_time();
    g_queue_init(&conn->out);
    lws_get_peer_simple(wsi, conn->addr, sizeof(conn->addr));
    conn->hello_timer =
        g_timeout_add_seconds(TC_SRV__SIG_HELLO_S, hello_late, conn);
    g_queue_push_tail_link(&srv->sig->conns, &conn->link);
    heartbeat_add(srv->sig, conn);
    pss->conn = conn;
    srv->in_flight++; /* a stopping server waits for it (run.c) */
    tc_srv__metrics_gauge_add(srv->metrics, "telecare_ws_connections",
                              "Open signaling WebSocket connections.", 1);
    if (srv->stopping) {
        conn_close(conn, TC_SRV__SIG_CLOSE_GOING, "server stopping");
    }
    return 0;
}

static void
on_closed(struct sig_pss *pss)
{
    struct sig_conn *conn = pss->conn;
    struct tc_srv *srv;
    bool by_server;
    int code;

    if (!conn) {
        return;
    }
    srv = conn->srv;
    by_server = conn->close_code != 0;
    code = by_server ? conn->close_code : conn->peer_close;
    if (conn->peer) {
        enum tc_srv__sig_gone how =
            by_server
                ? (code == TC_SRV__SIG_CLOSE_GOING ? TC_SRV__SIG_GONE_LEFT
                                                   : TC_SRV__SIG_GONE_CLOSED)
            : (code == TC_SRV__SIG_CLOSE_NORMAL ||
               code == TC_SRV__SIG_CLOSE_GOING)
                ? TC_SRV__SIG_GONE_LEFT
                : TC_SRV__SIG_GONE_DROPPED;
        g_message("peer %s: connection closed (%s)", conn->peer->id,
                  close_label(code, by_server));
        tc_srv__sig_peer_gone(srv->sig->hub, conn->peer, how);
        conn->peer = NULL;
    }
    tc_srv__metrics_count(srv->metrics, "telecare_ws_closed_total",
                          "Signaling connections closed, by reason.", "reason",
                          close_label(code, by_server));
    tc_srv__metrics_gauge_add(srv->metrics, "telecare_ws_connections",
                              "Open signaling WebSocket connections.", -1);
    if (conn->hello_timer) {
        g_source_remove(conn->hello_timer);
    }
    if (conn->detach_idle) {
        g_source_remove(conn->detach_idle);
    }
    if (conn->release_idle) {
        g_source_remove(conn->release_idle);
    }
    queue_clear(conn);
    if (conn->rx) {
        g_byte_array_unref(conn->rx);
    }
    g_queue_unlink(&srv->sig->conns, &conn->link);
    g_queue_unlink(&srv->sig->wheel[conn->hb_slot], &conn->hb_link);
    pss->conn = NULL;
    if (!conn->released) {
        tc_srv__request_done(srv);
    }
    g_free(conn);
}

/* Only "/ws", and nothing new once stopping. */
static int
filter(struct lws *wsi)
{
    char uri[16] = "";

    if (srv_of(wsi)->stopping) {
        return -1;
    }
    if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) >= (int)sizeof(uri) ||
        lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) < 0 ||
        strcmp(uri, "/ws") != 0) {
        return -1;
    }
    return 0;
}

int
tc_srv__sig_callback(struct lws *wsi, enum lws_callback_reasons reason,
                     void *user, void *in, size_t len)
{
    struct sig_pss *pss = user;

    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return filter(wsi);
    case LWS_CALLBACK_ESTABLISHED:
        return on_established(wsi, pss);
    case LWS_CALLBACK_RECEIVE:
        return pss->conn ? on_receive(pss->conn, in, len) : -1;
    case LWS_CALLBACK_RECEIVE_PONG:
        if (pss->conn) {
            pss->conn->pings_unanswered = 0;
        }
        break;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return pss->conn ? on_writeable(pss->conn) : -1;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (pss->conn && pss->conn->close_sent) {
            return -1; /* the answer to our close frame: done */
        }
        if (pss->conn && len >= 2) {
            const unsigned char *p = in;
            pss->conn->peer_close = p[0] << 8 | p[1];
        } else if (pss->conn) {
            pss->conn->peer_close = TC_SRV__SIG_CLOSE_NORMAL;
        }
        break;
    case LWS_CALLBACK_CLOSED:
        on_closed(pss);
        break;
    default:
        break;
    }
    return 0;
}

static const struct tc_srv__sig_ops ops = {
    .send = conn_send,
    .attend = tc_srv__sig_attend,
    .media = tc_srv__sig_media,
    .left = tc_srv__sig_media_left,
    .opened = tc_srv__sig_profile_opened,
};

/* ---- the whole ---- */

struct tc_srv__sig_hub *
tc_srv__sig_hub_of(struct tc_srv *srv)
{
    return srv->sig ? srv->sig->hub : NULL;
}

struct tc_srv__sig *
tc_srv__sig_new(struct tc_srv *srv)
{
    struct tc_srv__sig *sig = g_new0(struct tc_srv__sig, 1);

    sig->srv = srv;
    sig->hub = tc_srv__sig_hub_new(&ops, srv, srv->cfg->heartbeat_s,
                                   srv->cfg->resume_grace_s);
    g_queue_init(&sig->conns);
    sig->slot_ms =
        (unsigned)MAX(HB_TICK_MS, srv->cfg->heartbeat_s * 1000 / HB_MAX_SLOTS);
    sig->n_slots =
        (unsigned)MAX(1, srv->cfg->heartbeat_s * 1000 / sig->slot_ms);
    sig->wheel = g_new0(GQueue, sig->n_slots);
    sig->slot_at_us = g_get_monotonic_time() + sig->slot_ms * 1000;
    sig->heartbeat_timer = g_timeout_add(sig->slot_ms, heartbeat, sig);
    for (int t = 0; t <= TC_SRV__SIG_N_TYPES; t++) {
        sig->received[t] = tc_srv__metrics_counter(
            srv->metrics, "telecare_ws_messages_total",
            "Signaling messages received, by type.", "type",
            t < TC_SRV__SIG_N_TYPES ? tc_srv__sig_type_name(t) : "invalid");
    }
    tc_srv__metrics_gauge_add(srv->metrics, "telecare_ws_connections",
                              "Open signaling WebSocket connections.", 0);
    return sig;
}

void
tc_srv__sig_stop(struct tc_srv *srv)
{
    for (GList *l = srv->sig->conns.head; l; l = l->next) {
        conn_close(l->data, TC_SRV__SIG_CLOSE_GOING, "server stopping");
    }
}

void
tc_srv__sig_free(struct tc_srv__sig *sig)
{
    if (!sig) {
        return;
    }
    g_source_remove(sig->heartbeat_timer);
    tc_srv__sig_hub_free(sig->hub);
    g_free(sig->wheel);
    g_free(sig);
}
