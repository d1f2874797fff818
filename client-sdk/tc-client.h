/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tc-client.h - libtelecare-client: the C SDK for devices and gateways.
 *
 * It signs in over REST (tc_sdk_login) and speaks the signaling protocol
 * `telecare.v1` (docs/protocol.md) over one WebSocket per client object:
 * hello, join and leave rooms, the waiting room (admit, remove), relayed
 * WebRTC negotiation (offer, answer, candidate), chat, and automatic
 * reconnect with resume after a network drop.
 *
 * Only symbols marked TC_SDK_API are exported from the shared library.
 * The SDK never logs on its own: functions return 0 or a negative errno,
 * a client keeps a sentence about its last error (tc_sdk_client_errmsg),
 * and an optional log callback receives what a person debugging the
 * connection would want to see.
 *
 * Threads. A client runs on the GMainContext given at creation (NULL: the
 * thread-default context of the calling thread, see
 * g_main_context_get_thread_default()). Every call on a client, its
 * creation and its freeing included, is made from the thread that runs
 * that context, and every callback is made on that thread, from that
 * context's dispatch. Clients on different contexts (and so different
 * threads) are independent. The calling application runs the context
 * (g_main_loop_run or g_main_context_iteration); nothing happens while it
 * does not. tc_sdk_login() blocks and may be called from any thread.
 *
 * Ownership. Strings and structures passed to a callback are borrowed for
 * the duration of the call; copy what you keep. Strings passed to an SDK
 * function are borrowed for the call unless the function says otherwise.
 *
 * Never call tc_sdk_client_free() on a client from inside one of its own
 * callbacks; defer it (g_idle_source on the same context). Every other
 * call is allowed from a callback.
 */
#ifndef TC_CLIENT_H
#define TC_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TC_SDK_BUILDING)
#define TC_SDK_API __attribute__((visibility("default")))
#else
#define TC_SDK_API
#endif

/* A connection to the signaling server: see "The client" below. */
struct tc_sdk_client;

/* The SDK's version, e.g. "0.1.0". A static string. */
TC_SDK_API const char *tc_sdk_version(void);

/* The signaling subprotocol this SDK speaks ("telecare.v1"). */
TC_SDK_API const char *tc_sdk_protocol(void);

/*
 * Logging. `msg` is one line without a newline, borrowed for the call. The
 * SDK never puts tokens, passwords, chat text or SDP bodies in it.
 */
enum tc_sdk_log_level {
    TC_SDK_LOG_ERROR,
    TC_SDK_LOG_WARNING,
    TC_SDK_LOG_INFO,
    TC_SDK_LOG_DEBUG,
};

typedef void (*tc_sdk_log_fn)(enum tc_sdk_log_level level, const char *msg,
                              void *data);

/*
 * libwebsockets' own log is process-wide. The SDK routes it (errors and
 * warnings only) to this callback, or drops it when none is set (the
 * default), so that lws never writes to stderr on the SDK's behalf.
 * Call before the first client or login; any thread.
 */
TC_SDK_API void tc_sdk_set_lws_log(tc_sdk_log_fn fn, void *data);

/* ---- Sign-in (REST) ---------------------------------------------------- */

/* Options for tc_sdk_login_with(); zero-initialise and set what you need. */
struct tc_sdk_login_opts {
    /* https: a PEM file of the certificate authorities (or the server's
     * self-signed certificate) to trust. NULL: the system's store. */
    const char *ca_file;
    /* Give up after this long; 0 means 15000. */
    int timeout_ms;
    /* Told why a login failed (the server's message or the transport
     * error). May be NULL. */
    tc_sdk_log_fn log;
    void *log_data;
};

/*
 * Sign in: POST <server_url>/api/v1/login with username, password and,
 * when not NULL, a TOTP code. `server_url` is "http://host:port" or
 * "https://host[:port]" (a trailing path is ignored). On success *token
 * owns the bearer token (free it with tc_sdk_token_free); a token may be
 * used by many connections at once until it expires.
 *
 * Blocks the calling thread for the request (Argon2id makes a login take
 * about 0.1 s on the server), on a private libwebsockets context: call it
 * from any thread, but not from inside a busy main loop you care about.
 *
 * Errors: -EINVAL (bad URL or argument), -EACCES (wrong credentials, or a
 * TOTP code is needed), -EBUSY (account locked or too many attempts: wait
 * and retry), -ECONNREFUSED, -ETIMEDOUT, -EPROTO (not a telecare answer),
 * -ENOMEM. On failure *token is untouched.
 */
TC_SDK_API int tc_sdk_login(const char *server_url, const char *username,
                            const char *password, const char *totp,
                            char **token);

/* As tc_sdk_login, with options (`opts` may be NULL). */
TC_SDK_API int tc_sdk_login_with(const char *server_url,
                                 const struct tc_sdk_login_opts *opts,
                                 const char *username, const char *password,
                                 const char *totp, char **token);

/* Wipe and free a token from tc_sdk_login. NULL is ignored. */
TC_SDK_API void tc_sdk_token_free(char *token);

/* ---- Events -------------------------------------------------------------
 *
 * Every event structure below is borrowed for the callback. `json` is the
 * whole message as received, for members this SDK version does not name.
 */

/* A peer in a room, as the server describes it in presence lists. */
struct tc_sdk_peer {
    const char *peer;  /* the peer id, e.g. "p9f2c1" */
    int64_t user;      /* the account id, 0 when not given */
    const char *name;  /* display name, or NULL */
    const char *role;  /* "host", "patient", "participant", "observer" */
    const char *state; /* "joined", "waiting", "reconnecting" */
};

/* `welcome`: a new session. Rooms joined before (when a resume was
 * refused) are joined again automatically; see tc_sdk_client_join. */
struct tc_sdk_welcome {
    const char *peer;
    int64_t user_id;
    const char *username;
    const char *const *roles; /* NULL-terminated */
    int heartbeat_s;
    int resume_grace_s;
    bool after_failed_resume; /* the server refused our resume token */
    const char *json;
};

/* `resumed`: the session survived a drop; `missed` queued messages follow
 * (each through its own callback), `dropped` were lost past the queue. */
struct tc_sdk_resumed {
    const char *peer;
    const char *const *rooms; /* NULL-terminated */
    int missed;
    int dropped;
    const char *json;
};

/* Which request an answer belongs to. */
enum tc_sdk_request {
    TC_SDK_REQ_OTHER, /* an id the SDK did not send, or untracked */
    TC_SDK_REQ_HELLO,
    TC_SDK_REQ_JOIN,
    TC_SDK_REQ_LEAVE,
    TC_SDK_REQ_ADMIT,
    TC_SDK_REQ_REMOVE,
    TC_SDK_REQ_CHAT,
    TC_SDK_REQ_RELAY,
    TC_SDK_REQ_PING,
};

/* `ok`: the answer to a request. For a join: room, role, state
 * ("joined" or "waiting") and the peers already there. */
struct tc_sdk_reply {
    enum tc_sdk_request request;
    const char *id;
    const char *room; /* the request's room, or NULL */
    const char *role;
    const char *state;
    const struct tc_sdk_peer *peers;
    size_t n_peers;
    const char *json;
};

/* `error`: a refused request or a protocol complaint. `code` is one of
 * docs/protocol.md's error codes ("forbidden", "not-in-room", ...). */
struct tc_sdk_error {
    enum tc_sdk_request request; /* TC_SDK_REQ_OTHER when no id matched */
    const char *id;              /* NULL when the server gave none */
    const char *room;            /* the request's room, or NULL */
    const char *code;
    const char *message;
    const char *json;
};

/* Presence in a room. */
enum tc_sdk_peer_event_kind {
    TC_SDK_PEER_JOINED,       /* peer-joined: `peer` is full */
    TC_SDK_PEER_LEFT,         /* peer-left: `reason` left/timeout/... */
    TC_SDK_PEER_RECONNECTING, /* peer-reconnecting */
    TC_SDK_PEER_RESUMED,      /* peer-resumed */
    TC_SDK_PEER_WAITING,      /* waiting: a patient waits to be admitted */
};

struct tc_sdk_peer_event {
    enum tc_sdk_peer_event_kind kind;
    const char *room;
    const struct tc_sdk_peer *peer; /* only `peer->peer` for LEFT,
                                       RECONNECTING and RESUMED */
    const char *reason;             /* LEFT only, else NULL */
    const char *json;
};

/* This client's own place in a room changed. */
enum tc_sdk_room_event_kind {
    TC_SDK_ROOM_ADMITTED, /* out of the waiting room: `peers` are there */
    TC_SDK_ROOM_REMOVED,  /* a host removed us: `reason` */
};

struct tc_sdk_room_event {
    enum tc_sdk_room_event_kind kind;
    const char *room;
    const char *reason;
    const struct tc_sdk_peer *peers;
    size_t n_peers;
    const char *json;
};

/* Relayed WebRTC negotiation from another peer (or "media"). */
enum tc_sdk_relay_kind {
    TC_SDK_RELAY_OFFER,
    TC_SDK_RELAY_ANSWER,
    TC_SDK_RELAY_CANDIDATE,
};

struct tc_sdk_relay {
    enum tc_sdk_relay_kind kind;
    const char *room;
    const char *from;
    const char *sdp;       /* offer, answer */
    const char *candidate; /* candidate ("" = end of candidates) */
    const char *sdp_mid;   /* candidate, or NULL */
    int sdp_mline_index;   /* candidate, or -1 */
    const char *json;
};

/* A chat message in a room (our own come back too). */
struct tc_sdk_chat {
    const char *room;
    const char *from;
    int64_t user;
    const char *text;
    const char *at; /* RFC 3339 */
    int64_t seq;
    const char *json;
};

/* Where the connection is. */
enum tc_sdk_state {
    TC_SDK_STATE_IDLE,         /* not started, or stopped */
    TC_SDK_STATE_CONNECTING,   /* TCP/TLS/WebSocket handshake */
    TC_SDK_STATE_HELLO,        /* hello sent, awaiting welcome/resumed */
    TC_SDK_STATE_READY,        /* session up: requests may be sent */
    TC_SDK_STATE_RECONNECTING, /* dropped; waiting out the backoff */
    TC_SDK_STATE_CLOSED,       /* ended for good (see the close event) */
};

/* The connection closed. `code` is the WebSocket close code the server
 * sent (4008, 4401, ...), or 1006 when the connection just dropped.
 * `reconnecting` says whether the SDK will try again by itself. */
struct tc_sdk_close {
    int code;
    const char *reason;
    bool reconnecting;
};

/*
 * The callbacks; any may be NULL. `data` is the pointer given to
 * tc_sdk_client_new. Messages of a type the SDK does not know (and
 * `pong`) go to `message` with their type.
 */
struct tc_sdk_callbacks {
    void (*state)(struct tc_sdk_client *c, enum tc_sdk_state state,
                  void *data);
    void (*welcome)(struct tc_sdk_client *c, const struct tc_sdk_welcome *w,
                    void *data);
    void (*resumed)(struct tc_sdk_client *c, const struct tc_sdk_resumed *r,
                    void *data);
    void (*reply)(struct tc_sdk_client *c, const struct tc_sdk_reply *r,
                  void *data);
    void (*error)(struct tc_sdk_client *c, const struct tc_sdk_error *e,
                  void *data);
    void (*peer)(struct tc_sdk_client *c, const struct tc_sdk_peer_event *e,
                 void *data);
    void (*room)(struct tc_sdk_client *c, const struct tc_sdk_room_event *e,
                 void *data);
    void (*relay)(struct tc_sdk_client *c, const struct tc_sdk_relay *r,
                  void *data);
    void (*chat)(struct tc_sdk_client *c, const struct tc_sdk_chat *m,
                 void *data);
    void (*closed)(struct tc_sdk_client *c, const struct tc_sdk_close *e,
                   void *data);
    void (*message)(struct tc_sdk_client *c, const char *type,
                    const char *json, void *data);
    /* A first look at each message from the server as received (`len`
     * bytes of JSON, not NUL-terminated), before the SDK parses it: return
     * true to take it (the SDK neither parses it nor calls anything else
     * for it), false to leave it to the SDK. For tools that need a few
     * bytes of a frequent message and not its parse (telecare-loadgen
     * reads the send time out of relayed candidates); take only messages
     * you recognise, never the SDK's own (welcome, resumed, ok, error,
     * pong). Most clients leave it NULL. */
    bool (*frame)(struct tc_sdk_client *c, const char *text, size_t len,
                  void *data);
};

/* ---- The client -------------------------------------------------------- */

/* Options for tc_sdk_client_new(); zero-initialise and set what you need.
 * The strings are copied. */
struct tc_sdk_client_opts {
    /* "ws://127.0.0.1:8080/ws" (development) or "wss://host/ws". */
    const char *url;
    /* The bearer token from tc_sdk_login. */
    const char *token;
    /* wss: a PEM file of CAs to trust; NULL: the system's store. */
    const char *ca_file;
    /* The context to run on; NULL: the caller's thread-default context. */
    GMainContext *context;
    /* Reconnect backoff: the first wait, doubled per failed attempt (with
     * up to 25% random jitter) up to the maximum. 0 means 250 / 30000. */
    int reconnect_min_ms;
    int reconnect_max_ms;
    /* Do not reconnect after a drop: report the close and stop. */
    bool no_reconnect;
    /* Outgoing queue ceiling: a send past it fails with -ENOBUFS.
     * 0 means 1 MiB. */
    size_t max_queue_bytes;
    /* Serve the context's connections in batches: after events were
     * served, wait up to this many microseconds (1..999,999) for more
     * before serving again, instead of one wake-up per message. For a
     * process with thousands of busy connections (telecare-loadgen);
     * 0 (the default): every event at once. Set by the first client made
     * on a context; later clients share its setting. */
    int coalesce_us;
};

/*
 * Make a client (it does not connect yet: see tc_sdk_client_start).
 * `cb` is copied; `data` is passed to every callback and kept, not owned.
 * On success *out owns the client (tc_sdk_client_free).
 * Errors: -EINVAL (no url or token, or a url that is not ws:// or wss://),
 * -ENOMEM, -EIO (libwebsockets could not start on the context).
 */
TC_SDK_API int tc_sdk_client_new(const struct tc_sdk_client_opts *opts,
                                 const struct tc_sdk_callbacks *cb, void *data,
                                 struct tc_sdk_client **out);

/* Close the connection at once (no callbacks) and free the client.
 * NULL is ignored. Not from inside the client's own callbacks. */
TC_SDK_API void tc_sdk_client_free(struct tc_sdk_client *c);

/* Send the SDK's log lines for this client to `fn` (NULL: none). */
TC_SDK_API void tc_sdk_client_set_log(struct tc_sdk_client *c,
                                      tc_sdk_log_fn fn, void *data);

/* The sentence about the last failed call, or "" (borrowed until the
 * next call on the client). */
TC_SDK_API const char *tc_sdk_client_errmsg(const struct tc_sdk_client *c);

/*
 * Start connecting: the handshake, then `hello`; `welcome` arrives through
 * its callback. Returns 0, or -EALREADY when started and not stopped.
 * Connection failures are reported through the `closed` callback (and
 * retried, unless no_reconnect), never by this function.
 */
TC_SDK_API int tc_sdk_client_start(struct tc_sdk_client *c);

/*
 * Leave the session: close normally (code 1000), so peers see `peer-left`
 * at once and no resume is possible. The `closed` callback follows from
 * the context; the client may be started again afterwards.
 */
TC_SDK_API void tc_sdk_client_stop(struct tc_sdk_client *c);

/* The connection state. */
TC_SDK_API enum tc_sdk_state
tc_sdk_client_state(const struct tc_sdk_client *c);

/* This session's peer id (from welcome), or NULL before the first welcome.
 * Borrowed until the next welcome. */
TC_SDK_API const char *tc_sdk_client_peer(const struct tc_sdk_client *c);

/*
 * Simulate a network drop, for tests and demonstrations: shut the socket
 * down without a WebSocket close (the server keeps the session for its
 * grace period), then reconnect and resume after `reconnect_after_ms`.
 * Returns 0, or -ENOTCONN when there is no connection.
 */
TC_SDK_API int tc_sdk_client_drop(struct tc_sdk_client *c,
                                  int reconnect_after_ms);

/*
 * Requests. Each may carry an `id` (1..64 bytes) that the answer echoes;
 * NULL lets the SDK choose one ("c1", "c2", ...). The answer arrives
 * through `reply` or `error` with the request kind and room.
 *
 * All return 0 when the message is queued, or: -ENOTCONN (no session: not
 * READY), -EINVAL (a missing or oversize argument: room, peer, sdp over
 * 60,000 bytes, chat text over 4,000 bytes, id over 64 bytes), -ENOBUFS
 * (the outgoing queue is full), -ENOMEM. Nothing is sent on failure.
 *
 * The SDK remembers the rooms this client joined (answered `ok`, joined or
 * waiting) and, if the server refuses a resume, joins them again after the
 * new `welcome` (with ids "rejoin-1", ...).
 */
TC_SDK_API int tc_sdk_client_join(struct tc_sdk_client *c, const char *room,
                                  const char *id);
TC_SDK_API int tc_sdk_client_leave(struct tc_sdk_client *c, const char *room,
                                   const char *id);

/* Host only: let a waiting peer in, or remove a peer (reason may be
 * NULL). */
TC_SDK_API int tc_sdk_client_admit(struct tc_sdk_client *c, const char *room,
                                   const char *peer, const char *id);
TC_SDK_API int tc_sdk_client_remove(struct tc_sdk_client *c, const char *room,
                                    const char *peer, const char *reason,
                                    const char *id);

/* Relayed negotiation to peer `to` in `room` ("media" for the server's
 * media endpoint). These carry no id unless given one. */
TC_SDK_API int tc_sdk_client_send_offer(struct tc_sdk_client *c,
                                        const char *room, const char *to,
                                        const char *sdp, const char *id);
TC_SDK_API int tc_sdk_client_send_answer(struct tc_sdk_client *c,
                                         const char *room, const char *to,
                                         const char *sdp, const char *id);
/* An empty `candidate` means end of candidates; `sdp_mid` may be NULL and
 * `sdp_mline_index` < 0 to leave them out. */
TC_SDK_API int tc_sdk_client_send_candidate(struct tc_sdk_client *c,
                                            const char *room, const char *to,
                                            const char *candidate,
                                            const char *sdp_mid,
                                            int sdp_mline_index,
                                            const char *id);

/* Chat to everyone in `room` (1..4,000 bytes of UTF-8). */
TC_SDK_API int tc_sdk_client_send_chat(struct tc_sdk_client *c,
                                       const char *room, const char *text,
                                       const char *id);

/* An application-level ping; the `pong` goes to the `message` callback. */
TC_SDK_API int tc_sdk_client_send_ping(struct tc_sdk_client *c,
                                       const char *id);

/*
 * Send `json` (one JSON object, at most 65,536 bytes) as it is, for
 * message types newer than this SDK. Errors as above, and -EINVAL when it
 * does not parse as an object.
 */
TC_SDK_API int tc_sdk_client_send_json(struct tc_sdk_client *c,
                                       const char *json);

/* Bytes waiting in the outgoing queue. */
TC_SDK_API size_t tc_sdk_client_queued_bytes(const struct tc_sdk_client *c);

/* ---- ECG streaming (docs/ecg-rtp.md) -------------------------------------
 *
 * A device announces a stream for a patient over the client's signaling
 * session; the server answers with the stream's RTP parameters and a fresh
 * SRTP key (the device's alone). The SDK then packetizes what the
 * application pushes, in any chunk size, into fixed spans, paces the
 * packets at the recording's rate (or N times faster) and sends them as
 * SRTP over UDP to the server's relay. A subscriber receives a stream
 * over SRTP with its own key (or as WebSocket frames on the signaling
 * connection) and gets the samples back, with their position in the
 * stream. Everything runs on the client's context; callbacks too.
 *
 * Samples are ADC units, int16, frames of one sample per lead in the
 * announced lead order; -32768 means "no valid sample".
 */
struct tc_sdk_ecg_stream;
struct tc_sdk_ecg_sub;

/* What a stream carries. Arrays hold n_leads values; strings are copied. */
struct tc_sdk_ecg_desc {
    unsigned n_leads;             /* 1..16 */
    const char *const *leads;     /* "I", "II", "V1", "MLII", "vx", ... */
    unsigned sample_rate_hz;      /* 50..20000 */
    unsigned frames_per_packet;   /* 0: 20 ms worth, rounded up */
    const double *gains;          /* ADC units per mV */
    const int *baselines;         /* NULL: 0 */
    const int *adc_zeros;         /* NULL: 0 */
    unsigned adc_resolution_bits; /* 0: 16 */
};

struct tc_sdk_ecg_announce {
    int64_t patient;    /* the resident id */
    const char *device; /* the device id (must be assigned to them) */
    struct tc_sdk_ecg_desc desc;
    const char *profile;  /* NULL: "AEAD_AES_128_GCM"; or
                             "AES_CM_128_HMAC_SHA1_80" */
    bool urgent;          /* a reading request to put first */
    int64_t consultation; /* attach to this consultation; 0: none */
    int64_t reader;       /* the practitioner asked to read it; 0: none */
    double speed;         /* pacing: 1 real time, N: N times faster */
};

struct tc_sdk_ecg_stream_callbacks {
    /* The announcement's answer: error 0 and the stream's name
     * ("ecg:<study id>"), or a negative errno and the server's message.
     * After an error only tc_sdk_ecg_stream_free is useful. */
    void (*ready)(struct tc_sdk_ecg_stream *s, int error, const char *msg,
                  void *data);
    /* After tc_sdk_ecg_stream_stop: every pushed sample was sent and the
     * server closed the stream (error 0; `json` is its answer, with
     * "stats"), or refused (error < 0). */
    void (*stopped)(struct tc_sdk_ecg_stream *s, int error, const char *json,
                    void *data);
};

/*
 * Announce a stream (ecg-announce). *out is a new stream object, owned by
 * the caller (tc_sdk_ecg_stream_free); `ready` follows. Errors: -EINVAL
 * (a description out of range), -ENOTCONN, -ENOMEM.
 */
TC_SDK_API int
tc_sdk_ecg_stream_announce(struct tc_sdk_client *c,
                           const struct tc_sdk_ecg_announce *a,
                           const struct tc_sdk_ecg_stream_callbacks *cb,
                           void *data, struct tc_sdk_ecg_stream **out);
/*
 * Queue `frames` frames (frames * n_leads samples, copied). Allowed from
 * the announcement on; sending starts when the stream is ready. At most
 * 10 minutes of samples wait: past that -ENOBUFS. -EPIPE after stop.
 */
TC_SDK_API int tc_sdk_ecg_stream_push(struct tc_sdk_ecg_stream *s,
                                      const int16_t *samples, size_t frames);
/* No more samples: send what is queued (the last packet may be short),
 * then ecg-stop with the total; `stopped` follows. */
TC_SDK_API int tc_sdk_ecg_stream_stop(struct tc_sdk_ecg_stream *s);
/* "ecg:<study id>" once ready, else NULL. */
TC_SDK_API const char *
tc_sdk_ecg_stream_name(const struct tc_sdk_ecg_stream *s);
/* Frames pushed and not yet sent. */
TC_SDK_API size_t tc_sdk_ecg_stream_queued(const struct tc_sdk_ecg_stream *s);
/* Packets sent so far (not counting those a test hook dropped). */
TC_SDK_API uint64_t tc_sdk_ecg_stream_sent(const struct tc_sdk_ecg_stream *s);
/* Forget the stream (without stopping it at the server). NULL ignored. */
TC_SDK_API void tc_sdk_ecg_stream_free(struct tc_sdk_ecg_stream *s);

/*
 * Test hooks. `drop` is asked for every packet index and true means the
 * packet is never sent (loss). `action` makes the next packet go out
 * protected with a wrong key (TC_SDK_ECG_TEST_WRONG_KEY) or a second copy
 * of the last packet sent (TC_SDK_ECG_TEST_REPLAY).
 */
enum tc_sdk_ecg_test_action {
    TC_SDK_ECG_TEST_WRONG_KEY = 1,
    TC_SDK_ECG_TEST_REPLAY,
};
TC_SDK_API void tc_sdk_ecg_stream_test_drop(struct tc_sdk_ecg_stream *s,
                                            bool (*drop)(uint64_t index,
                                                         void *data),
                                            void *data);
TC_SDK_API int tc_sdk_ecg_stream_test(struct tc_sdk_ecg_stream *s,
                                      enum tc_sdk_ecg_test_action action);
/* While on, an answer to ecg-subscribe is handled only after what waits
 * on the client's shared SRTP socket was read: as when the relay's
 * packets (a late subscriber's history) overtake the answer with the
 * keys. Packets no answered subscription takes are held (up to 1 MiB)
 * for the ones still waiting, on or off. */
TC_SDK_API void tc_sdk_ecg_test_udp_first(struct tc_sdk_client *c, bool on);

/* Samples received by a subscriber: frame `first_frame` (0 = the stream's
 * first) on, `frames` frames of n_leads samples, borrowed for the call.
 * Spans may come out of order; a lost span never comes. */
struct tc_sdk_ecg_samples {
    const char *stream;
    int64_t first_frame;
    unsigned frames;
    unsigned n_leads;
    const int16_t *samples;
};

struct tc_sdk_ecg_sub_callbacks {
    /* The subscription's answer: error 0 and `json` (the stream's
     * description), or a negative errno and the server's message. */
    void (*ready)(struct tc_sdk_ecg_sub *s, int error, const char *json,
                  void *data);
    /* Samples in the order they arrive; may free `s` (nothing more then
     * comes to it). */
    void (*samples)(struct tc_sdk_ecg_sub *s,
                    const struct tc_sdk_ecg_samples *x, void *data);
    /* The stream ended (its device stopped). */
    void (*ended)(struct tc_sdk_ecg_sub *s, void *data);
};

/*
 * Subscribe to `stream` ("ecg:<study id>"): over SRTP on a UDP socket of
 * the SDK's, one for all the client's subscriptions, told apart by SSRC
 * (`websocket` false; the last 10 s come first), or as binary
 * frames on the signaling connection. Errors: -EINVAL, -ENOTCONN, -EIO
 * (no UDP socket), -ENOMEM.
 */
TC_SDK_API int tc_sdk_ecg_subscribe(struct tc_sdk_client *c,
                                    const char *stream, bool websocket,
                                    const struct tc_sdk_ecg_sub_callbacks *cb,
                                    void *data, struct tc_sdk_ecg_sub **out);
/* Packets refused by the subscriber (authentication, replay, format). */
TC_SDK_API uint64_t tc_sdk_ecg_sub_refused(const struct tc_sdk_ecg_sub *s);
/* Packets that arrived several to a read (the relay sent them as one UDP
 * GSO run, the socket reads with UDP_GRO: a late subscriber's history, a
 * backlog); 0 where the kernel has no UDP_GRO (before Linux 5.0). */
TC_SDK_API uint64_t tc_sdk_ecg_sub_coalesced(const struct tc_sdk_ecg_sub *s);
/* The local UDP port where the subscription's SRTP arrives: one port
 * shared by the client's SRTP subscriptions (so the relay can send their
 * packets together), a port of its own for a second subscription to the
 * same stream; 0 over WebSocket. */
TC_SDK_API uint16_t tc_sdk_ecg_sub_port(const struct tc_sdk_ecg_sub *s);
/* Unsubscribe (when still connected) and free. NULL is ignored. */
TC_SDK_API void tc_sdk_ecg_sub_free(struct tc_sdk_ecg_sub *s);

#ifdef __cplusplus
}
#endif

#endif
