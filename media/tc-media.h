/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tc-media.h - real-time media for telecare: WebRTC rooms, recording, ECG
 * relay, DICOM store-and-forward. It knows nothing of SQL or HTTP and
 * reports what happens through callbacks. GStreamer types never appear
 * here.
 *
 * Thread: tc_media_init() is called once, from the main thread, before any
 * other tc_media_ call.
 */
#ifndef TC_MEDIA_H
#define TC_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Initialise GStreamer and check that every element the media pipelines
 * need is installed. Returns 0, or -ENOENT with a malloc'd sentence naming
 * the missing element (and its Debian package) in *errmsg, which the caller
 * frees with free(). Calling it again after success does nothing.
 */
int tc_media_init(char **errmsg);

/* The GStreamer version in use, e.g. "GStreamer 1.22.0". Static string. */
const char *tc_media_version(void);

/* ---- Rooms: WebRTC forwarding (SFU) ------------------------------------
 *
 * A room is one GStreamer pipeline. Each participant publishes through one
 * WebRTC connection with the server (the participant offers, the server
 * answers) and receives each other publisher through one more connection
 * per publisher, a "feed" (the server offers, the participant answers).
 * Every connection is negotiated once (a new offer on the publishing
 * connection replaces it), so no renegotiation is ever needed. RTP (VP8,
 * H.264, Opus) is forwarded as it came, never decoded: publisher webrtcbin
 * -> tee -> queue -> the subscribers' webrtcbins. A subscriber's PLI/FIR
 * travels back up that path to the publisher, and a new feed asks the
 * publisher for a keyframe as soon as it is connected.
 *
 * Ids: a participant is named by the caller's string id (1..31 bytes),
 * a feed by its publisher's id.
 *
 * Thread: every tc_media_room_ call is made from the thread that runs the
 * room's GMainContext, and every event is delivered there (GStreamer's own
 * threads hand their work to it).
 */

struct tc_media_room;

#define TC_MEDIA_ID_MAX 32 /* bytes of a participant id, NUL included */

/* Network configuration of the server's WebRTC endpoints. The strings are
 * copied by tc_media_room_new. */
struct tc_media_config {
    /* Host addresses to gather candidates on, NULL-terminated; NULL or
     * empty: every interface but loopback (libnice's default). Loopback
     * works only when listed here ("127.0.0.1"). */
    const char *const *ice_addresses;
    const char *stun_server; /* "stun://host:port" or NULL */
    const char *turn_server; /* "turn://user:pass@host:port" or NULL */
    /* Jitter-buffer latency of the receiving side, ms: how long a gap is
     * waited for (NACK) before packets behind it move on. 0: 100. */
    unsigned latency_ms;
};

enum tc_media_event_kind {
    /* Send this SDP to the participant: an answer on its publishing
     * connection (feed NULL), or an offer for a feed. */
    TC_MEDIA_EV_SDP,
    /* Send this local ICE candidate to the participant. */
    TC_MEDIA_EV_CANDIDATE,
    /* A connection's state changed: `state` is one of "new", "checking",
     * "connecting", "connected", "disconnected", "failed", "closed". */
    TC_MEDIA_EV_STATE,
    /* A published track started flowing into the server (`up`), or its
     * publisher left (`up` false). `track` is "audio" or "video". */
    TC_MEDIA_EV_TRACK,
    /* A feed of the participant ended (its publisher left or failed):
     * the participant should close that connection. */
    TC_MEDIA_EV_FEED_ENDED,
    /* A connection failed and was dropped; `error` says why. Other
     * connections and participants go on. */
    TC_MEDIA_EV_ERROR,
    /* A recording of the participant's `track` is complete. */
    TC_MEDIA_EV_RECORDING,
};

/* A finished recording file (tc_media_room_record). */
struct tc_media_recording {
    const char *path;      /* dir/<participant>-<track>-<time>.webm|.mkv */
    int64_t started_at_us; /* real time of its first byte */
    int64_t duration_us;   /* of what the file holds */
    uint64_t bytes;
    char sha256[65]; /* hex */
};

/* Borrowed for the callback. */
struct tc_media_event {
    enum tc_media_event_kind kind;
    const char *participant; /* whose connection */
    const char *feed;        /* the feed's publisher id, NULL: publishing */
    const char *sdp_type;    /* SDP: "offer" or "answer" */
    const char *sdp;         /* SDP */
    const char *candidate;   /* CANDIDATE: "candidate:..." */
    unsigned mline;          /* CANDIDATE */
    const char *state;       /* STATE */
    const char *track;       /* TRACK */
    bool up;                 /* TRACK */
    const char *error;       /* ERROR */
    const struct tc_media_recording *recording; /* RECORDING (track set) */
};

typedef void (*tc_media_event_fn)(const struct tc_media_event *ev, void *data);

/*
 * A room named `name` (for logs) with its pipeline running, delivering
 * events to `fn` on `ctx` (NULL: the thread-default context). On success
 * *out owns the room (tc_media_room_free). Errors: -ENOMEM, -EIO (the
 * pipeline would not start).
 */
int tc_media_room_new(const char *name, const struct tc_media_config *cfg,
                      GMainContext *ctx, tc_media_event_fn fn, void *data,
                      struct tc_media_room **out);

/* Stop the pipeline and free everything, without events. NULL ignored. */
void tc_media_room_free(struct tc_media_room *room);

/*
 * Participant `id` offers to publish (`sdp`, `len` bytes of outside
 * text). The participant joins the room's media if new; an earlier
 * publishing connection of it is replaced (with the feeds others had of
 * it). The answer arrives as an SDP event; feeds of the other publishers
 * are offered to it, and feeds of it to the others once its media flows.
 * Errors (the room's errmsg names the rule; nothing changes): -EINVAL
 * (bad id, not SDP, no m-line), -EMSGSIZE (over 60,000 bytes),
 * -EPROTONOSUPPORT (no VP8, H.264 or Opus offered in any m-line).
 */
int tc_media_room_offer(struct tc_media_room *room, const char *id,
                        const char *sdp, size_t len);

/* The participant's answer to the offer of feed `feed`. Errors: -ENOENT
 * (no such participant or feed), -EINVAL, -EMSGSIZE, -EALREADY (already
 * answered). */
int tc_media_room_answer(struct tc_media_room *room, const char *id,
                         const char *feed, const char *sdp, size_t len);

/* A remote ICE candidate for a connection (feed NULL: publishing); an
 * empty candidate means the end of them. Errors: -ENOENT, -EINVAL. */
int tc_media_room_candidate(struct tc_media_room *room, const char *id,
                            const char *feed, unsigned mline,
                            const char *candidate);

/* Participant `id` leaves: its connections end, and the others' feeds of
 * it end (FEED_ENDED events). Unknown ids are ignored. */
void tc_media_room_leave(struct tc_media_room *room, const char *id);

/*
 * Record every published track of the room, now and later, into files in
 * `dir` (which exists), each written without transcoding: WebM for VP8
 * and Opus, Matroska for H.264, one file per track. A recording ends when
 * its publisher stops publishing or leaves (a RECORDING event follows) or
 * the room is freed. Errors: -EALREADY (recording already).
 */
int tc_media_room_record(struct tc_media_room *room, const char *dir);

/* Participants with media in the room. */
unsigned tc_media_room_count(const struct tc_media_room *room);

/* The reason for the last failed call (borrowed until the next call). */
const char *tc_media_room_errmsg(const struct tc_media_room *room);

/* Counters of one connection, as its webrtcbin reports them. */
struct tc_media_stats {
    const char *participant;
    const char *feed;  /* NULL: publishing (in), else a feed (out) */
    const char *track; /* "audio" or "video" */
    uint64_t packets;
    uint64_t bytes;
    int64_t packets_lost; /* reported by the far end for a feed */
    double jitter_s;
    double rtt_s;         /* 0 when not known yet */
    uint64_t bitrate_bps; /* since the previous collection */
};

typedef void (*tc_media_stats_fn)(const struct tc_media_stats *st, void *data);

/*
 * Ask every connection of the room for its statistics; each answer comes
 * to `fn` (once per connection and track) from `ctx` later. `fn` must
 * stay callable while the room lives.
 */
void tc_media_room_stats(struct tc_media_room *room, tc_media_stats_fn fn,
                         void *data);

/* Rooms whose pipeline exists in this process (a leak check for tests). */
unsigned tc_media_rooms_alive(void);

#ifdef __cplusplus
}
#endif

#endif
