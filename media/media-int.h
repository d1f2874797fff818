/* SPDX-License-Identifier: Apache-2.0 */
/*
 * media-int.h - shared by the files of media/ only.
 *
 *   init.c      GStreamer start-up, element checks
 *   sdp.c       outside SDP: parse, check, the codecs kept (fuzzed)
 *   room.c      a room: its pipeline, bus, participants, public calls
 *   endpoint.c  one webrtcbin: negotiation, ICE, states, forwarding links
 *   delay.c     the delay a forwarded packet spends in the server
 *   link.c      audio only for a subscriber: asked, or on sustained loss
 *   profile.c   the room's low-bandwidth profile: REMB caps, no video
 *
 * Objects and threads. A room, its participants and their endpoints are
 * owned by the room and touched on the room's context only. GStreamer
 * calls endpoint code from its own threads (signals, promises, pad-added);
 * that code reads only fields fixed at creation (room->pipeline,
 * ep->webrtc) and hands everything else to the room's context as a job
 * holding a reference on the endpoint. An endpoint removed from its room
 * is marked `gone`; jobs that find it gone do nothing.
 */
#ifndef TC_MEDIA_INT_H
#define TC_MEDIA_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API /* the WebRTC library of gst-plugins-bad */
/* == srtp-ossl.c, for ecg-srtp.c == */

/* Make libsrtp2 use OpenSSL's AES-ICM-128, AES-GCM-128 and HMAC-SHA1
 * (openssl) or its own build's again, for sessions created from now on.
 * After srtp_init; not while another thread creates sessions. 0 or -EIO
 * (a type failed libsrtp's known-answer tests: nothing to trust then). */
int tc_media__srtp_ossl(bool openssl);
/* Ask for s's libsrtp session from memory (a prefetch; s may be NULL). */
struct tc_media_srtp;
void tc_media__srtp_prefetch(const struct tc_media_srtp *s);

#endif
#include <gst/gst.h>
#include <gst/sdp/sdp.h>

#include "tc-media.h"

GST_DEBUG_CATEGORY_EXTERN(tc_media_debug);
#define GST_CAT_DEFAULT tc_media_debug

#define TC_MEDIA__MAX_SDP    60000
#define TC_MEDIA__MAX_TRACKS 4 /* published m-lines kept per participant */

/* == sdp.c == */

/* One kept m-line of a publisher's offer. */
struct tc_media__offer_track {
    unsigned mline;
    bool video;
    GstCaps *prefs; /* the supported formats of the offer, offer's PTs */
};

struct tc_media__offer {
    GstSDPMessage *sdp;
    struct tc_media__offer_track tracks[TC_MEDIA__MAX_TRACKS];
    unsigned n_tracks;
};

/*
 * Parse and check an SDP of `len` outside bytes (no NUL needed).
 * kind_offer: also keep each sending audio/video m-line's VP8, H.264
 * (packetization-mode 1) or Opus formats in out->tracks. Returns 0, or
 * -EINVAL / -EMSGSIZE / -EPROTONOSUPPORT with a sentence in why.
 */
int tc_media__sdp_check(const char *text, size_t len, bool kind_offer,
                        struct tc_media__offer *out, char *why,
                        size_t why_len);
void tc_media__offer_fini(struct tc_media__offer *o);

/* Whether the ICE candidate line `candidate` (`len` outside bytes, no NUL
 * needed) has an mDNS name (<uuid>.local, RFC 8839/the mDNS ICE draft)
 * as its address: browsers hide their addresses so unless the page may
 * use the camera. */
bool tc_media__candidate_mdns(const char *candidate, size_t len);

/* The caps of the first format of m-line `i` of a negotiated SDP, with
 * media= set, for a feed's transceiver; NULL when it has none. */
GstCaps *tc_media__sdp_track_caps(const GstSDPMessage *sdp, unsigned i);

/* == recorder.c == */

struct tc_media__rec;

/* Record the RTP of `tee` (caps: its track's) into dir/stem.<ext>. NULL
 * when the branch cannot be built. */
struct tc_media__rec *tc_media__rec_start(GstElement *pipeline,
                                          GstElement *tee, const GstCaps *caps,
                                          const char *dir, const char *stem);
/* Stop (EOS, wait, remove) and, when out is not NULL, describe the file
 * (out->path borrowed from r until tc_media__rec_free). NULL ignored. */
void tc_media__rec_stop(struct tc_media__rec *r,
                        struct tc_media_recording *out);
void tc_media__rec_free(struct tc_media__rec *r);
/* Its file's path and the real time it started (borrowed from r). */
void tc_media__rec_describe(const struct tc_media__rec *r,
                            struct tc_media_recording *out);

/* == delay.c == */

struct tc_media__delay;

/* Time every RTP packet from SRTP decryption to SRTP encryption in
 * `pipeline` (tc_media_delay_read). The room keeps the returned
 * reference. */
struct tc_media__delay *tc_media__delay_watch(GstElement *pipeline);
void tc_media__delay_unref(struct tc_media__delay *d);

/* == link.c (room's context) == */

struct tc_media__endpoint;

/* A feed's cumulative packets sent and reported lost for a track. */
void tc_media__link_row(struct tc_media__endpoint *ep, bool video,
                        uint64_t sent, int64_t lost);
/* Judge the round that ends now, for every participant; start the next. */
void tc_media__link_round(struct tc_media_room *room);

struct tc_media__part;

/* Open or close the video of every feed of `p` to match its state (the
 * room's profile included); an AUDIO_ONLY event when it changed. */
void tc_media__link_apply(struct tc_media__part *p, const char *reason);

/* == profile.c (room's context) == */

/* Add the room's REMB cap to the RTCP the publishing endpoint `ep` sends,
 * once its RTP session exists (called again until it does). */
void tc_media__profile_hook(struct tc_media__endpoint *ep);

/* == endpoint.c == */

struct tc_media__part;

/* A published track: the tee its RTP is forwarded from. */
struct tc_media__track {
    bool video;
    unsigned mline;
    GstCaps *caps;             /* negotiated (our answer's first format) */
    GstElement *tee;           /* NULL until its first packet arrived (borrowed
                                  from the publishing endpoint's tees) */
    struct tc_media__rec *rec; /* while recording */
    gint64 last_buffer_us;     /* atomic: set by a probe on the tee */
    bool paused;               /* no packet for a while (told as down) */
};

struct tc_media__endpoint {
    gint refs;
    bool gone; /* removed from the room (room's context) */
    struct tc_media_room *room;
    struct tc_media__part *owner; /* the participant at the far end */
    struct tc_media__part *feed;  /* a feed: whose media; NULL: publishing */
    char owner_id[TC_MEDIA_ID_MAX];
    char feed_id[TC_MEDIA_ID_MAX];
    GMainContext *ctx;            /* the room's (a reference) */
    GstElement *pipeline;         /* the room's (a reference) */
    GstElement *webrtc;           /* fixed from creation until gone */
    struct tc_media__offer offer; /* publishing: until answered */
    GObject *channel;    /* publishing: the participant's data channel */
    GPtrArray *branches; /* a feed: struct tc_media__branch * */
    GPtrArray *tees;     /* publishing: a tee per stream (GstElement *) */
    bool offered;        /* a feed: its offer is out (links after it) */
    bool answered;       /* a feed: its answer arrived */
    unsigned refusals;   /* a feed: offers of it the owner refused before */
    bool connected;      /* connection-state reached connected */
    bool restarting;     /* publishing: an ICE restart being answered */
    unsigned restarts;   /* publishing: ICE restarts answered */
    int64_t stats_at_us; /* previous stats, for bitrates */
    uint64_t stats_bytes[TC_MEDIA__MAX_TRACKS];
    uint64_t link_sent[2]; /* a feed: [audio, video] at the last stats */
    int64_t link_lost[2];
    /* A feed: non-zero drops its video (link.c). An atomic in an rc box
     * that the gate's pad probe shares. */
    gint *video_gate;
    /* Publishing: the room's REMB cap in bit/s, 0: none (profile.c). An
     * atomic in an rc box that the RTCP signal handler shares. */
    gint *remb_bps;
    bool remb_hooked; /* its RTP session's on-sending-rtcp is connected */
};

/* A feed's link from a publisher's tee to its webrtcbin sink pad. */
struct tc_media__branch {
    unsigned track; /* index in the publisher's tracks */
    GstPad *sink;   /* the webrtcbin's request pad */
    GstElement *queue;
    GstPad *tee_pad; /* NULL until linked */
};

#define TC_MEDIA__LINK_WINDOW 3 /* rounds of statistics judged together */

/* What a subscriber's link did in the last rounds (link.c). */
struct tc_media__link {
    uint64_t sent[2]; /* this round: [audio, video] packets its feeds sent */
    uint64_t lost[2]; /* of them, reported lost */
    uint64_t win_sent[TC_MEDIA__LINK_WINDOW][2]; /* the last rounds */
    uint64_t win_lost[TC_MEDIA__LINK_WINDOW][2];
    unsigned round; /* rounds so far */
    unsigned since; /* rounds since the last change of state */
    bool auto_off;  /* audio only because of loss */
    bool asked;     /* audio only because it asked */
    bool video_off; /* its feeds' video is dropped now */
};

struct tc_media__part {
    struct tc_media_room *room;
    struct tc_media__link link;
    char id[TC_MEDIA_ID_MAX];
    struct tc_media__endpoint *pub; /* NULL until it offers */
    struct tc_media__track tracks[TC_MEDIA__MAX_TRACKS];
    unsigned n_tracks;
    bool negotiated;  /* its publishing answer is set: tracks known */
    GPtrArray *feeds; /* struct tc_media__endpoint *, what it receives */
};

struct tc_media_room {
    char name[64];
    GMainContext *ctx;
    GstElement *pipeline;
    GSource *bus_source;
    GPtrArray *parts; /* struct tc_media__part * */
    struct tc_media_config cfg;
    char **ice_addresses;
    tc_media_event_fn fn;
    void *data;
    char errmsg[256];
    bool quiet;           /* being freed: no more events */
    char *record_dir;     /* NULL: not recording */
    GSource *pause_timer; /* watches tracks that stop and resume */
    struct tc_media__delay *delay;
    enum tc_media_profile profile; /* profile.c */
    unsigned low_max_kbps;
};

/* A new webrtcbin endpoint in the room's pipeline, owned by the room
 * (one reference). feed NULL: `owner`'s publishing connection. */
struct tc_media__endpoint *tc_media__endpoint_new(struct tc_media_room *room,
                                                  struct tc_media__part *owner,
                                                  struct tc_media__part *feed);
/* Mark gone, stop and remove its elements, drop the room's reference. */
void tc_media__endpoint_remove(struct tc_media__endpoint *ep);
struct tc_media__endpoint *
tc_media__endpoint_ref(struct tc_media__endpoint *ep);
void tc_media__endpoint_unref(struct tc_media__endpoint *ep);

/* Publishing: take the checked offer (consumed) and answer it. */
void tc_media__endpoint_take_offer(struct tc_media__endpoint *ep,
                                   struct tc_media__offer *offer);
/* Publishing: a re-offer restarting ICE (checked; consumed), answered on
 * the same webrtcbin. */
void tc_media__endpoint_restart(struct tc_media__endpoint *ep,
                                GstSDPMessage *sdp);
/* NULL when `sdp` may restart ICE on `ep` (the same m-lines, new ICE
 * credentials), else why not. */
const char *tc_media__endpoint_restart_check(struct tc_media__endpoint *ep,
                                             const GstSDPMessage *sdp);
/* A feed: transceivers for the publisher's tracks, then an offer. */
int tc_media__endpoint_offer_feed(struct tc_media__endpoint *ep);
/* A feed: the participant's answer (a parsed SDP, consumed). */
void tc_media__endpoint_take_answer(struct tc_media__endpoint *ep,
                                    GstSDPMessage *sdp);
/* Ask the feed's publisher for a keyframe (its linked video branches). */
void tc_media__endpoint_ask_keyframe(struct tc_media__endpoint *ep);
/* Ask for a keyframe upstream of `queue` (a branch of a publisher's tee):
 * the event goes up through the tee into the publisher's RTP session,
 * which sends a PLI (or FIR) to the publisher. Any thread. */
void tc_media__ask_keyframe(GstElement *queue);
/* Link a feed's branches whose publisher tee exists now (nothing before
 * its offer is out). */
void tc_media__endpoint_link(struct tc_media__endpoint *ep);
void tc_media__endpoint_candidate(struct tc_media__endpoint *ep,
                                  unsigned mline, const char *candidate);
void tc_media__endpoint_stats(struct tc_media__endpoint *ep,
                              tc_media_stats_fn fn, void *data);

/* == room.c, for endpoint.c (room's context) == */

void tc_media__emit(struct tc_media_room *room,
                    const struct tc_media__endpoint *ep,
                    struct tc_media_event *ev);
/* The publisher's media is negotiated: offer feeds of it to the others. */
void tc_media__part_negotiated(struct tc_media__part *part);
/* A track's first packet made its tee: link the feeds waiting for it. */
void tc_media__track_up(struct tc_media__part *part, unsigned track);
/* A message on `ep`'s data channel: to every other participant's. */
void tc_media__data(struct tc_media__endpoint *ep, const char *text);
/* Send `text` on `ep`'s data channel when it is open. */
void tc_media__endpoint_send_data(struct tc_media__endpoint *ep,
                                  const char *text);
/* A connection failed: tell, and remove it (and what depends on it). */
void tc_media__endpoint_failed(struct tc_media__endpoint *ep, const char *why);

/* == ecg-tx.c, for ecg-relay.c: the relay's send batch == */

#define TC_MEDIA__ECG_TX_BATCH     64
#define TC_MEDIA__ECG_TX_GSO_MAX   64    /* UDP_MAX_SEGMENTS, older kernels */
#define TC_MEDIA__ECG_TX_GSO_BYTES 60000 /* under IP's 64 KiB with headers */

/* A subscriber's address, with a key that makes comparing two cheap. */
struct tc_media__ecg_dest {
    struct sockaddr_storage addr;
    socklen_t addr_len;
    uint64_t key;
};

/* The caller's storage (in the relay); see ecg-tx.c. */
struct tc_media__ecg_tx {
    int fd;
    bool gso_possible; /* the kernel knows UDP_SEGMENT */
    bool gso;          /* runs to one destination as one GSO send */
    bool gso_worked;   /* a GSO send has gone through */
    unsigned n;        /* packets queued */
    struct tc_media_ecg_relay_tx_stats stats;
    /* per queued packet, in queue order */
    uint16_t len[TC_MEDIA__ECG_TX_BATCH];
    const struct tc_media__ecg_dest *dest[TC_MEDIA__ECG_TX_BATCH];
    struct tc_media_ecg_stream_stats *st[TC_MEDIA__ECG_TX_BATCH];
    /* built by a flush: queue positions in send order, and messages */
    uint8_t order[TC_MEDIA__ECG_TX_BATCH];
    uint8_t msg_first[TC_MEDIA__ECG_TX_BATCH]; /* into order */
    uint8_t msg_n[TC_MEDIA__ECG_TX_BATCH];
    struct iovec iov[TC_MEDIA__ECG_TX_BATCH]; /* by send order */
    struct mmsghdr msgs[TC_MEDIA__ECG_TX_BATCH];
    union {
        char buf[CMSG_SPACE(sizeof(uint16_t))];
        size_t align; /* a cmsghdr's */
    } ctl[TC_MEDIA__ECG_TX_BATCH];
    uint8_t buf[TC_MEDIA__ECG_TX_BATCH][TC_MEDIA_ECG_MAX_PACKET];
};

/* Empty, sending on fd; GSO on when the kernel has it. */
void tc_media__ecg_tx_init(struct tc_media__ecg_tx *tx, int fd);
/* 0, or -EOPNOTSUPP (on, but the kernel has no UDP GSO: stays off). */
int tc_media__ecg_tx_set_gso(struct tc_media__ecg_tx *tx, bool on);
/* Fill d from a struct sockaddr of addr_len (<= its size) bytes. */
void tc_media__ecg_tx_dest_init(struct tc_media__ecg_dest *d, const void *addr,
                                size_t addr_len);
/* The buffer for the next packet (flushing a full batch first); it is
 * queued only by tc_media__ecg_tx_commit. */
uint8_t *tc_media__ecg_tx_next(struct tc_media__ecg_tx *tx);
/* Queue the packet of `len` bytes written into the buffer _next gave, to
 * `dest`, counted in `st`. dest and st are borrowed until the flush. */
void tc_media__ecg_tx_commit(struct tc_media__ecg_tx *tx, size_t len,
                             const struct tc_media__ecg_dest *dest,
                             struct tc_media_ecg_stream_stats *st);
/* Send what is queued; every packet counts as sent or send_failed. */
void tc_media__ecg_tx_flush(struct tc_media__ecg_tx *tx);
/* The relay's socket (tests: to make the kernel refuse GSO). */
int tc_media__ecg_relay_fd(const struct tc_media_ecg_relay *relay);

/* == srtp-ossl.c, for ecg-srtp.c == */

/* Make libsrtp2 use OpenSSL's AES-ICM-128, AES-GCM-128 and HMAC-SHA1
 * (openssl) or its own build's again, for sessions created from now on.
 * After srtp_init; not while another thread creates sessions. 0 or -EIO
 * (a type failed libsrtp's known-answer tests: nothing to trust then). */
int tc_media__srtp_ossl(bool openssl);

#endif
