/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client-int.h - shared by libtelecare-client's own files; never
 * installed.
 *
 *   client.c  the client object: options, state machine, reconnect and
 *             resume, heartbeat, request ids, rooms, the public calls
 *   ws.c      libwebsockets: one lws context per GMainContext (shared by
 *             the clients on it), connect, receive, the send queue
 *   proto.c   telecare.v1 messages: building them, parsing them into
 *             the typed events of tc-client.h, dispatch
 *   login.c   POST /api/v1/login over lws's HTTP client
 *   url.c     ws/wss/http/https URLs
 *   version.c the version and the subprotocol name
 *
 * Thread: everything here runs on the client's GMainContext thread, except
 * the loop registry in ws.c (a mutex) and login.c (any thread).
 */
#ifndef TC_CLIENT_INT_H
#define TC_CLIENT_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <jansson.h>

#include "tc-client.h"

#define TC_SDK__MAX_FRAME    65536        /* docs/protocol.md */
#define TC_SDK__MAX_RX       (256 * 1024) /* one incoming message */
#define TC_SDK__MAX_SDP      60000
#define TC_SDK__MAX_CHAT     4000
#define TC_SDK__MAX_ID       64
#define TC_SDK__MAX_PENDING  4096 /* tracked request ids */
#define TC_SDK__MAX_QUEUE_N  4096 /* outgoing messages */
#define TC_SDK__HELLO_WAIT_S 15   /* no welcome by then: drop */

/* A parsed URL. */
struct tc_sdk__url {
    bool tls;
    char *host; /* no brackets */
    int port;
    char *path; /* starts with '/' */
};

/* Parse `url`; `schemes` is "ws" (ws/wss) or "http" (http/https). */
int tc_sdk__url_parse(const char *url, const char *schemes,
                      struct tc_sdk__url *out);
void tc_sdk__url_fini(struct tc_sdk__url *u);

/* One outgoing text frame, LWS_PRE bytes of headroom before `text`. */
struct tc_sdk__frame {
    size_t len;
    unsigned char buf[]; /* LWS_PRE + len */
};

struct tc_sdk__loop; /* ws.c */
struct tc_sdk__ecg;  /* ecg.c */

/* What a tracked request id was for. */
struct tc_sdk__pending {
    enum tc_sdk_request kind;
    char *room;
};

struct tc_sdk_client {
    /* options, fixed at new */
    struct tc_sdk__url url;
    char *token;
    char *ca_file;
    int reconnect_min_ms;
    int reconnect_max_ms;
    bool no_reconnect;
    size_t max_queue_bytes;
    struct tc_sdk_callbacks cb;
    void *data;
    tc_sdk_log_fn log;
    void *log_data;
    char errmsg[256];

    /* the loop this client runs on; clients of a loop form a list */
    struct tc_sdk__loop *loop;
    struct tc_sdk_client *loop_prev, *loop_next;

    /* the connection */
    struct lws *wsi;
    enum tc_sdk_state state;
    bool stopping;             /* stop(): close 1000 at the next writable */
    bool close_sent;           /* our close frame is out */
    int next_wait_ms;          /* the next reconnect wait; -1: backoff */
    GSource *reconnect_source; /* a timeout on the client's context */
    int failures;              /* consecutive failed attempts */
    int close_code;            /* from the server's close frame */
    char close_reason[124];
    int64_t connected_at_us;
    int64_t last_rx_us;
    int64_t last_ping_us;

    /* the session */
    char *peer;
    char *resume_token;
    int heartbeat_s;
    int resume_grace_s;
    int64_t dropped_at_us; /* 0 while connected */
    bool resuming;         /* hello carried a resume token */
    bool resume_refused;   /* ... and the server said bad-state */

    /* outgoing: hello first, then frames not yet written */
    struct tc_sdk__frame *hello;
    GQueue queue;
    size_t queued_bytes;

    /* incoming: the message being reassembled */
    char *rx;
    size_t rx_len;
    size_t rx_cap;
    bool rx_too_big;

    /* requests and rooms */
    GHashTable *pending; /* id -> struct tc_sdk__pending */
    unsigned next_id;
    GPtrArray *rooms; /* joined or waiting, char * */

    struct tc_sdk__ecg *ecg; /* ecg.c: ECG requests and subscribers */
};

/* ---- client.c ---- */
/* Make a log line one line of valid UTF-8 in place: control characters
 * (a server's string may hold a newline) become spaces, and a character
 * a bounded snprintf cut in half at the end goes. */
void tc_sdk__log_clean(char *line);
void tc_sdk__log(struct tc_sdk_client *c, enum tc_sdk_log_level level,
                 const char *fmt, ...) G_GNUC_PRINTF(3, 4);
int tc_sdk__fail(struct tc_sdk_client *c, int rc, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
void tc_sdk__set_state(struct tc_sdk_client *c, enum tc_sdk_state state);
void tc_sdk__on_open(struct tc_sdk_client *c);
void tc_sdk__on_closed(struct tc_sdk_client *c, int code, const char *reason);
void tc_sdk__on_message(struct tc_sdk_client *c, const char *text, size_t len);
void tc_sdk__tick(struct tc_sdk_client *c, int64_t now_us);
/* Serialise and queue `msg` (consumed). */
int tc_sdk__send_take(struct tc_sdk_client *c, json_t *msg);
/* The request an id was for; removes it. NULL when untracked. */
struct tc_sdk__pending *tc_sdk__pending_take(struct tc_sdk_client *c,
                                             const char *id);
void tc_sdk__pending_free(struct tc_sdk__pending *p);
void tc_sdk__room_add(struct tc_sdk_client *c, const char *room);
void tc_sdk__room_del(struct tc_sdk_client *c, const char *room);
/* The session started: a welcome or resumed. */
void tc_sdk__session(struct tc_sdk_client *c, const char *peer,
                     const char *resume_token, bool fresh);
void tc_sdk__set_heartbeat(struct tc_sdk_client *c, int heartbeat_s,
                           int resume_grace_s);

/* ---- ws.c ---- */
/* Attach c to the loop of ctx, made on first use (coalesce_us > 0: that
 * loop serves its connections in batches, tc-uvglib.h). */
int tc_sdk__loop_ref(struct tc_sdk_client *c, GMainContext *ctx,
                     int coalesce_us);
void tc_sdk__loop_unref(struct tc_sdk_client *c);
GMainContext *tc_sdk__loop_context(const struct tc_sdk_client *c);
int tc_sdk__ws_connect(struct tc_sdk_client *c);
/* Forget the connection without callbacks (free). */
void tc_sdk__ws_abandon(struct tc_sdk_client *c);
int tc_sdk__ws_queue(struct tc_sdk_client *c, const char *text, size_t len);
/* Set the frame that goes before any other on this connection. */
int tc_sdk__ws_hello(struct tc_sdk_client *c, const char *text, size_t len);
void tc_sdk__ws_flush(struct tc_sdk_client *c);
void tc_sdk__ws_queue_clear(struct tc_sdk_client *c);
/* Ask for the normal close (1000) at the next writable. */
void tc_sdk__ws_close(struct tc_sdk_client *c);
/* Shut the socket down under lws: a drop, not a close. */
int tc_sdk__ws_shutdown(struct tc_sdk_client *c);
void tc_sdk__lws_log_setup(void);

/* ---- ecg.c ---- */
/* An ok or error answering one of ecg.c's requests: handled (true). */
bool tc_sdk__ecg_answer(struct tc_sdk_client *c, const char *id, json_t *msg,
                        const char *json, bool ok);
/* ecg-ended */
void tc_sdk__ecg_event(struct tc_sdk_client *c, json_t *msg);
/* A fragment of a binary WebSocket message (ECG samples). */
void tc_sdk__ecg_binary(struct tc_sdk_client *c, const void *in, size_t len,
                        bool final);
void tc_sdk__ecg_free_all(struct tc_sdk_client *c);
/* Packets on the shared SRTP socket held for subscriptions whose answer
 * (with the keys) is not in yet: at most this many bytes. */
#define TC_SDK__ECG_EARLY_MAX (1024 * 1024)
/* What one read of a subscriber socket returned: `n` bytes of UDP_GRO
 * segments of `seg` bytes (0: one datagram), on the subscription's own
 * socket (s) or the client's shared one (s NULL), handled as a read of
 * the socket is. The seam tests/fuzz/fuzz-sdk-ecg-rx.c drives. */
void tc_sdk__ecg_rx(struct tc_sdk_client *c, struct tc_sdk_ecg_sub *s,
                    uint8_t *buf, size_t n, size_t seg);
/* Bytes held for unanswered subscriptions now (<= TC_SDK__ECG_EARLY_MAX). */
size_t tc_sdk__ecg_early_bytes(const struct tc_sdk_client *c);

/* ---- login.c ---- */
/* The login answer: HTTP `status` and its `body` (NUL-terminated); on
 * success *token owns the token. `why` gets a sentence for the log. */
int tc_sdk__login_answer(int status, const char *body, char **token, char *why,
                         size_t why_size);

/* ---- proto.c ---- */
/* Parse one message and call the matching callback. */
void tc_sdk__proto_dispatch(struct tc_sdk_client *c, const char *text,
                            size_t len);
json_t *tc_sdk__proto_hello(const char *id, const char *token,
                            const char *resume);
const char *tc_sdk__request_name(enum tc_sdk_request kind);

#endif
