/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sig-int.h - shared by the signaling files of server/ (docs/protocol.md):
 *
 *   signaling.c  the lws protocol "telecare.v1": connections, hello,
 *                send queues, limits, closes; joins (policy, records)
 *   sig-proto.c  one client message -> a typed struct (pure, fuzzed)
 *   sig-peer.c   peers that outlive a connection: resume tokens, the
 *                grace period, the missed-message queue
 *   sig-room.c   rooms, roles, the waiting room, relay, chat, presence
 *   sig-join.c   who may join a room and as what (records, policy,
 *                audit); attendance written to the records
 *
 * sig-proto, sig-peer and sig-room know nothing of lws or SQLite: they
 * hand finished frames and attendance changes to struct tc_srv__sig_ops,
 * so their unit tests run without a network or a database.
 *
 * Thread: main (everything here).
 */
#ifndef TC_SIG_INT_H
#define TC_SIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"

/* Limits of docs/protocol.md. */
#define TC_SRV__SIG_MAX_FRAME      65536 /* bytes of one client message */
#define TC_SRV__SIG_MAX_SDP        60000
#define TC_SRV__SIG_MAX_CHAT       4000
#define TC_SRV__SIG_MAX_ID         64 /* bytes of a request id */
#define TC_SRV__SIG_MAX_TOKEN      256
#define TC_SRV__SIG_MAX_REASON     500
#define TC_SRV__SIG_MAX_CANDIDATE  4096
#define TC_SRV__SIG_MAX_MID        64
#define TC_SRV__SIG_MAX_FEED_ERROR 1000 /* feed-error's message */
#define TC_SRV__SIG_QUEUE_MSGS     256  /* send and missed queues */
#define TC_SRV__SIG_QUEUE_BYTES    (1024 * 1024)
#define TC_SRV__SIG_HELLO_S        10
#define TC_SRV__SIG_RATE_PER_S     50
#define TC_SRV__SIG_RATE_BURST     100
#define TC_SRV__SIG_FLOOD_REFUSALS 200
#define TC_SRV__SIG_PEER_ID_MAX    16
#define TC_SRV__SIG_ROOM_NAME_MAX  48
#define TC_SRV__SIG_PRE            16 /* headroom before a frame (LWS_PRE) */

/* Close codes. */
#define TC_SRV__SIG_CLOSE_NORMAL    1000
#define TC_SRV__SIG_CLOSE_GOING     1001
#define TC_SRV__SIG_CLOSE_TOO_SLOW  4008
#define TC_SRV__SIG_CLOSE_TOO_LARGE 4009
#define TC_SRV__SIG_CLOSE_REPLACED  4010
#define TC_SRV__SIG_CLOSE_FLOOD     4029
#define TC_SRV__SIG_CLOSE_PROTOCOL  4400
#define TC_SRV__SIG_CLOSE_NOT_AUTH  4401
#define TC_SRV__SIG_CLOSE_FORBIDDEN 4403

/* Error codes of `error` answers, in docs/protocol.md's order. */
enum tc_srv__sig_err {
    TC_SRV__SIG_OK = 0,
    TC_SRV__SIG_BAD_JSON,
    TC_SRV__SIG_UNKNOWN_TYPE,
    TC_SRV__SIG_MISSING_FIELD,
    TC_SRV__SIG_BAD_FIELD,
    TC_SRV__SIG_NOT_AUTHENTICATED,
    TC_SRV__SIG_FORBIDDEN,
    TC_SRV__SIG_NOT_FOUND,
    TC_SRV__SIG_NOT_IN_ROOM,
    TC_SRV__SIG_BAD_STATE,
    TC_SRV__SIG_RATE_LIMITED,
    TC_SRV__SIG_TOO_LARGE,
    TC_SRV__SIG_INTERNAL,
    TC_SRV__SIG_N_ERRS
};

/* "bad-json", ...; NULL outside the enum. */
const char *tc_srv__sig_err_name(enum tc_srv__sig_err code);

/* A refusal: its code, the request id to echo ("" when none was read),
 * and a sentence for people naming the field or rule (never a value). */
struct tc_srv__sig_error {
    enum tc_srv__sig_err code;
    char id[TC_SRV__SIG_MAX_ID + 1];
    char message[160];
};

/* Fill err (keeping its id) and return code. */
enum tc_srv__sig_err tc_srv__sig_fail(struct tc_srv__sig_error *err,
                                      enum tc_srv__sig_err code,
                                      const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* == sig-proto.c: one client message == */

enum tc_srv__sig_type {
    TC_SRV__SIG_HELLO = 0,
    TC_SRV__SIG_JOIN,
    TC_SRV__SIG_LEAVE,
    TC_SRV__SIG_ADMIT,
    TC_SRV__SIG_REMOVE,
    TC_SRV__SIG_OFFER,
    TC_SRV__SIG_ANSWER,
    TC_SRV__SIG_CANDIDATE,
    TC_SRV__SIG_CHAT,
    TC_SRV__SIG_PING,
    /* remote ECG (sig-ecg.c, docs/ecg-rtp.md) */
    TC_SRV__SIG_ECG_ANNOUNCE,
    TC_SRV__SIG_ECG_STOP,
    TC_SRV__SIG_ECG_SUBSCRIBE,
    TC_SRV__SIG_ECG_UNSUBSCRIBE,
    /* audio only for the sender, to the media endpoint (sig-media.c) */
    TC_SRV__SIG_MEDIA_MODE,
    /* the room's low-bandwidth profile, from a host (sig-profile.c) */
    TC_SRV__SIG_MEDIA_PROFILE,
    /* the sender could not apply a feed's offer, to media (sig-media.c) */
    TC_SRV__SIG_FEED_ERROR,
    TC_SRV__SIG_N_TYPES
};

/* "hello", ...; NULL outside the enum. */
const char *tc_srv__sig_type_name(enum tc_srv__sig_type type);

enum tc_srv__sig_room_kind {
    TC_SRV__SIG_ROOM_CONSULTATION = 1,
    TC_SRV__SIG_ROOM_REHAB_SESSION,
};

/*
 * A valid client message. The strings are borrowed from `doc`, which the
 * message owns; free with tc_srv__sig_msg_fini().
 */
struct tc_srv__sig_msg {
    enum tc_srv__sig_type type;
    char id[TC_SRV__SIG_MAX_ID + 1]; /* "" when absent */
    json_t *doc;                     /* the whole object */
    const char *token;               /* hello */
    const char *resume;              /* hello, optional */
    const char *room;                /* join .. chat */
    enum tc_srv__sig_room_kind kind; /* of room */
    int64_t record_id;               /* of room */
    const char *peer;                /* admit, remove */
    const char *reason;              /* join (break-glass), remove */
    const char *to;                  /* offer, answer, candidate */
    const char *text;                /* chat */
    const char *profile;             /* media-profile */
    const char *feed;                /* feed-error */
    const char *raw;                 /* the frame's text, while handled */
    size_t raw_len;
};

/*
 * Parse and validate one text frame of `len` bytes. Returns
 * TC_SRV__SIG_OK with *out filled, or an error code with *err filled (its
 * id is the request's when one could be read); *out is then untouched.
 * Pure: no I/O, no globals.
 */
enum tc_srv__sig_err tc_srv__sig_parse(const char *data, size_t len,
                                       struct tc_srv__sig_msg *out,
                                       struct tc_srv__sig_error *err);

void tc_srv__sig_msg_fini(struct tc_srv__sig_msg *msg);

/* Parse "consultation:12" / "rehab-session:7"; -EINVAL otherwise. */
int tc_srv__sig_room_name_parse(const char *name,
                                enum tc_srv__sig_room_kind *kind,
                                int64_t *record_id);

/* == frames: serialised server messages, shared by their recipients == */

struct tc_srv__sig_frame {
    unsigned refs;
    bool binary;           /* a binary frame (ECG samples), else text */
    size_t len;            /* of the text, without headroom or NUL */
    unsigned char bytes[]; /* TC_SRV__SIG_PRE bytes, text, NUL */
};

/* Serialise `doc` (borrowed). NULL when it cannot be serialised. */
struct tc_srv__sig_frame *tc_srv__sig_frame_new(const json_t *doc);
struct tc_srv__sig_frame *
tc_srv__sig_frame_ref(struct tc_srv__sig_frame *frame);
void tc_srv__sig_frame_unref(struct tc_srv__sig_frame *frame);

/*
 * The relayed copy of a message whose text `raw` (`len` bytes) the parser
 * accepted: its top-level members but "id", "to" and "from", in their
 * order and as written, then "from": `from` (a peer id: letters and
 * digits). The same object as removing those from the parsed tree, adding
 * "from" and serialising it, without serialising: the relay's one copy.
 * NULL when a top-level key is written with an escape (the caller then
 * serialises the tree) or the text is not the object the parser accepted.
 */
struct tc_srv__sig_frame *
tc_srv__sig_frame_relayed(const char *raw, size_t len, const char *from);

static inline const char *
tc_srv__sig_frame_text(const struct tc_srv__sig_frame *frame)
{
    return (const char *)frame->bytes + TC_SRV__SIG_PRE;
}

/* The error answer for err: {"type":"error","id":..,"code":..,"message":..}.
 */
struct tc_srv__sig_frame *
tc_srv__sig_error_frame(const struct tc_srv__sig_error *err);

/* == the hub: peers and rooms (sig-peer.c, sig-room.c) == */

struct tc_srv__sig_hub;
struct tc_srv__sig_peer;
struct tc_srv__sig_room;

/* What the hub needs from its owner (signaling.c, or a unit test). */
struct tc_srv__sig_ops {
    /* Queue `frame` (borrowed: take a reference to keep it) on the
     * connection `conn` a peer is attached to. */
    void (*send)(void *ctx, void *conn, struct tc_srv__sig_frame *frame);
    /* `peer` entered (present) or left the call of `room`: admitted or
     * joined as non-patient, resumed; left, removed, dropped. */
    void (*attend)(void *ctx, const struct tc_srv__sig_room *room,
                   const struct tc_srv__sig_peer *peer, bool present);
    /* offer, answer, candidate from `peer` (joined in `room`) to "media".
     * Answers nothing; returns OK or an error with err filled. NULL: no
     * media endpoint (`not-found`). */
    enum tc_srv__sig_err (*media)(void *ctx, struct tc_srv__sig_hub *hub,
                                  struct tc_srv__sig_room *room,
                                  struct tc_srv__sig_peer *peer,
                                  struct tc_srv__sig_msg *msg,
                                  struct tc_srv__sig_error *err);
    /* `room` was just made (its first join): fill its media_profile.
     * NULL: rooms have none. */
    void (*opened)(void *ctx, struct tc_srv__sig_room *room);
    /* `peer` left `room` for good (before its membership is freed). */
    void (*left)(void *ctx, struct tc_srv__sig_hub *hub,
                 const struct tc_srv__sig_room *room,
                 const struct tc_srv__sig_peer *peer);
};

enum tc_srv__sig_role {
    TC_SRV__SIG_HOST = 0,
    TC_SRV__SIG_PATIENT,
    TC_SRV__SIG_PARTICIPANT,
    TC_SRV__SIG_OBSERVER,
};

/* "host", "patient", "participant", "observer". */
const char *tc_srv__sig_role_name(enum tc_srv__sig_role role);

/* How a connection ended, for its peer. */
enum tc_srv__sig_gone {
    TC_SRV__SIG_GONE_LEFT,    /* closed normally (1000, 1001) */
    TC_SRV__SIG_GONE_CLOSED,  /* closed by the server: slow, flood, ... */
    TC_SRV__SIG_GONE_DROPPED, /* no close: keep the peer for resume */
};

struct tc_srv__sig_member {
    struct tc_srv__sig_peer *peer;
    struct tc_srv__sig_room *room;
    enum tc_srv__sig_role role;
    bool waiting; /* a patient not admitted yet */
};

struct tc_srv__sig_room {
    char name[TC_SRV__SIG_ROOM_NAME_MAX];
    enum tc_srv__sig_room_kind kind;
    int64_t record_id;
    int64_t resident_id;
    GPtrArray *members; /* struct tc_srv__sig_member *, in join order */
    int64_t chat_seq;   /* the last seq of a room whose chat is not kept */
    /* "normal", "low", "audio" (sig-profile.c), "" when not known: told
     * in join answers. */
    char media_profile[8];
    int video_max_kbps; /* the video cap of "low", told with it */
};

struct tc_srv__sig_peer {
    struct tc_srv__sig_hub *hub;
    char id[TC_SRV__SIG_PEER_ID_MAX];
    struct tc_srv__who who;
    char *name; /* display name (never logged) */
    void *conn; /* the attached connection; NULL while away */
    char resume_key[2 * TC_SRV__TOKEN_HASH_LEN + 1]; /* hex SHA-256 */
    GPtrArray *members; /* struct tc_srv__sig_member *, rooms it is in */
    GQueue missed;      /* struct tc_srv__sig_frame *, while away */
    size_t missed_bytes;
    unsigned missed_dropped;
    guint grace_timer; /* while away */
};

struct tc_srv__sig_hub {
    const struct tc_srv__sig_ops *ops;
    void *ctx;
    int heartbeat_s;
    int grace_s;
    GHashTable *peers;  /* id -> struct tc_srv__sig_peer * (owned) */
    GHashTable *resume; /* resume_key -> struct tc_srv__sig_peer * */
    GHashTable *rooms;  /* name -> struct tc_srv__sig_room * (owned) */
};

/* A hub; grace_s is how long a dropped peer waits for its resume. */
struct tc_srv__sig_hub *tc_srv__sig_hub_new(const struct tc_srv__sig_ops *ops,
                                            void *ctx, int heartbeat_s,
                                            int grace_s);
/* Free every peer (quietly) and room. NULL is ignored. */
void tc_srv__sig_hub_free(struct tc_srv__sig_hub *hub);

/* == sig-peer.c == */

/*
 * A new peer for `who` attached to `conn`; answers `welcome` (echoing
 * req_id) on conn. *out is borrowed from the hub. Errors: -ENOMEM.
 */
int tc_srv__sig_peer_new(struct tc_srv__sig_hub *hub,
                         const struct tc_srv__who *who, const char *name,
                         void *conn, const char *req_id,
                         struct tc_srv__sig_peer **out);

/*
 * Re-attach the peer whose current resume token is `token` to `conn`,
 * when it belongs to `user_id`: answers `resumed` (new token, rooms,
 * missed), delivers the missed messages in order, tells room-mates
 * `peer-resumed`. When the peer was still attached elsewhere, *replaced
 * is that connection (the caller closes it with 4010), else NULL.
 * Errors: -ENOENT (unknown, used or expired token, or another user's);
 * nothing is sent then.
 */
int tc_srv__sig_peer_resume(struct tc_srv__sig_hub *hub, const char *token,
                            int64_t user_id, void *conn, const char *req_id,
                            struct tc_srv__sig_peer **out, void **replaced);

/* The connection of `peer` ended `how`. LEFT and CLOSED free the peer;
 * DROPPED keeps it for grace_s seconds (tc_srv__sig_peer_expire). */
void tc_srv__sig_peer_gone(struct tc_srv__sig_hub *hub,
                           struct tc_srv__sig_peer *peer,
                           enum tc_srv__sig_gone how);

/* The grace period of a dropped peer is over: it leaves every room
 * (`peer-left`, reason timeout) and is freed. */
void tc_srv__sig_peer_expire(struct tc_srv__sig_hub *hub,
                             struct tc_srv__sig_peer *peer);

/* Send `frame` to `peer`: on its connection, or into its missed queue
 * while it is away (the oldest dropped past 256 messages or 1 MiB). */
void tc_srv__sig_deliver(struct tc_srv__sig_hub *hub,
                         struct tc_srv__sig_peer *peer,
                         struct tc_srv__sig_frame *frame);

/* Send `doc` (borrowed) to the peer's connection: for answers. */
void tc_srv__sig_answer(struct tc_srv__sig_hub *hub,
                        struct tc_srv__sig_peer *peer, const json_t *doc);

struct tc_srv__sig_peer *tc_srv__sig_peer_find(struct tc_srv__sig_hub *hub,
                                               const char *id);

/* == sig-room.c == */

/*
 * `peer` joins room msg->room (created on first join) as `role`. A
 * patient waits (hosts get `waiting`); others are joined at once (room-
 * mates get `peer-joined`). Answers `ok` (echoing msg->id) itself; on an
 * error only fills err. Errors: BAD_STATE (already in the room).
 */
enum tc_srv__sig_err tc_srv__sig_room_join(struct tc_srv__sig_hub *hub,
                                           struct tc_srv__sig_peer *peer,
                                           const struct tc_srv__sig_msg *msg,
                                           int64_t resident_id,
                                           enum tc_srv__sig_role role,
                                           struct tc_srv__sig_error *err);

/* The requests of a joined member; each answers `ok` itself when msg has
 * an id, and on an error only fills err. */
enum tc_srv__sig_err tc_srv__sig_room_leave(struct tc_srv__sig_hub *hub,
                                            struct tc_srv__sig_peer *peer,
                                            const struct tc_srv__sig_msg *msg,
                                            struct tc_srv__sig_error *err);
enum tc_srv__sig_err tc_srv__sig_room_admit(struct tc_srv__sig_hub *hub,
                                            struct tc_srv__sig_peer *peer,
                                            const struct tc_srv__sig_msg *msg,
                                            struct tc_srv__sig_error *err);
enum tc_srv__sig_err tc_srv__sig_room_remove(struct tc_srv__sig_hub *hub,
                                             struct tc_srv__sig_peer *peer,
                                             const struct tc_srv__sig_msg *msg,
                                             struct tc_srv__sig_error *err);
/* offer, answer, candidate: msg->doc is changed ("to" -> "from"). */
enum tc_srv__sig_err tc_srv__sig_room_relay(struct tc_srv__sig_hub *hub,
                                            struct tc_srv__sig_peer *peer,
                                            struct tc_srv__sig_msg *msg,
                                            struct tc_srv__sig_error *err);

/* Whether `peer` may chat in msg->room (joined, not waiting, not an
 * observer); *out is the room. */
enum tc_srv__sig_err tc_srv__sig_room_chat_check(
    struct tc_srv__sig_hub *hub, struct tc_srv__sig_peer *peer,
    const struct tc_srv__sig_msg *msg, struct tc_srv__sig_room **out,
    struct tc_srv__sig_error *err);

/* Send one chat line (seq and time decided by the caller) to everyone
 * joined in `room`, the sender too, after answering `ok`. */
void tc_srv__sig_room_chat(struct tc_srv__sig_hub *hub,
                           struct tc_srv__sig_room *room,
                           struct tc_srv__sig_peer *peer,
                           const struct tc_srv__sig_msg *msg, int64_t seq,
                           int64_t at_us);

/* `member` leaves its room; room-mates get `peer-left` with `reason`.
 * Frees the member, and the room when it was the last. */
void tc_srv__sig_member_leave(struct tc_srv__sig_hub *hub,
                              struct tc_srv__sig_member *member,
                              const char *reason);

/* Tell the room-mates of every room of `peer` `type` ("peer-reconnecting",
 * "peer-resumed"), and record attendance (`present`). */
void tc_srv__sig_rooms_presence(struct tc_srv__sig_hub *hub,
                                struct tc_srv__sig_peer *peer,
                                const char *type, bool present);

/* The room `name`, or NULL. */
struct tc_srv__sig_room *tc_srv__sig_room_find(struct tc_srv__sig_hub *hub,
                                               const char *name);

/* == sig-join.c: the records side of rooms == */

/* Whether the peer's account was disabled since its hello. */
bool tc_srv__sig_account_disabled(struct tc_srv *srv,
                                  const struct tc_srv__sig_peer *peer);

/* Join msg->room: the record's facts, the access policy (audited), the
 * record's state, then tc_srv__sig_room_join() in the role that follows.
 * Errors: NOT_FOUND, FORBIDDEN, BAD_STATE, INTERNAL, and the room's. */
enum tc_srv__sig_err tc_srv__sig_join(struct tc_srv *srv,
                                      struct tc_srv__sig_hub *hub,
                                      struct tc_srv__sig_peer *peer,
                                      const char *client_addr,
                                      const struct tc_srv__sig_msg *msg,
                                      struct tc_srv__sig_error *err);

/* The hub of the running server's signaling (signaling.c), or NULL. */
struct tc_srv__sig_hub *tc_srv__sig_hub_of(struct tc_srv *srv);

/* == sig-ecg.c: remote ECG messages (docs/ecg-rtp.md) == */

/* ecg-announce, ecg-stop, ecg-subscribe, ecg-unsubscribe from `peer`,
 * whose connection comes from client_addr (an IP address). Answers `ok`
 * itself; on an error only fills err. */
enum tc_srv__sig_err tc_srv__sig_ecg(struct tc_srv *srv,
                                     struct tc_srv__sig_peer *peer,
                                     const char *client_addr,
                                     const struct tc_srv__sig_msg *msg,
                                     struct tc_srv__sig_error *err);
/* == sig-media.c: the media endpoint "media" (ctx is the struct tc_srv) == */

enum tc_srv__sig_err tc_srv__sig_media(void *ctx, struct tc_srv__sig_hub *hub,
                                       struct tc_srv__sig_room *room,
                                       struct tc_srv__sig_peer *peer,
                                       struct tc_srv__sig_msg *msg,
                                       struct tc_srv__sig_error *err);
void tc_srv__sig_media_left(void *ctx, struct tc_srv__sig_hub *hub,
                            const struct tc_srv__sig_room *room,
                            const struct tc_srv__sig_peer *peer);

/* == sig-profile.c: the room's low-bandwidth profile == */

/* The hub's opened (ctx is the struct tc_srv): the record's profile, or
 * the configured default. */
void tc_srv__sig_profile_opened(void *ctx, struct tc_srv__sig_room *room);
/* media-profile from `peer`: a host of msg->room sets its profile (kept
 * with the record, applied to the media, told to every member). Answers
 * `ok` itself; on an error only fills err. */
enum tc_srv__sig_err tc_srv__sig_profile_set(struct tc_srv *srv,
                                             struct tc_srv__sig_hub *hub,
                                             struct tc_srv__sig_peer *peer,
                                             const struct tc_srv__sig_msg *msg,
                                             struct tc_srv__sig_error *err);
/* The record's profile was set outside the call (HTTP): its live room,
 * if any, takes it and its members are told (media-profile without
 * "by"). */
void tc_srv__sig_profile_changed(struct tc_srv *srv,
                                 enum tc_srv__sig_room_kind kind,
                                 int64_t record_id, const char *name);
/* Apply `room`'s profile to its media room, when it has one
 * (sig-media.c). */
void tc_srv__sig_media_profile(struct tc_srv *srv,
                               const struct tc_srv__sig_room *room);
/* The JSON members telling a room's profile: "media_profile" and, for
 * low, "video_max_kbps", added to `doc` (sig-room.c's join answers). */
void tc_srv__sig_profile_members(const struct tc_srv__sig_room *room,
                                 json_t *doc);

/* The hub's attend (ctx is the struct tc_srv): the attendance log. */
void tc_srv__sig_attend(void *ctx, const struct tc_srv__sig_room *room,
                        const struct tc_srv__sig_peer *peer, bool present);

#endif
