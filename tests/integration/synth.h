/* SPDX-License-Identifier: Apache-2.0 */
/*
 * synth.h - a synthetic WebRTC participant for tests and benchmarks that
 * need no browser: it publishes videotestsrc -> vp8enc (and audiotestsrc
 * -> opusenc) through its own webrtcbin to the server's media endpoint,
 * and answers each feed the server offers with a webrtcbin that depays
 * and decodes what arrives (or, with count_only, only counts RTP).
 *
 * It knows nothing of signaling: what it must send goes out through
 * `struct synth_ops`, what arrives comes in through synth_on_*.
 *
 * Thread: the thread running the default GMainContext (webrtcbin's
 * threads hand their work to it); the counters are atomics.
 */
#ifndef TC_SYNTH_H
#define TC_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct synth;

/*
 * A VP8 640x480 30 fps clip encoded once (videotestsrc -> vp8enc, a
 * keyframe every 2 s) and kept in memory, for benchmarks: publishers that
 * replay it, paced by the clock, cost no encoding. Shared read-only by
 * every synth that uses it; freed after them.
 */
struct synth_clip;

struct synth_clip *synth_clip_new(unsigned bitrate_kbps, unsigned seconds);
void synth_clip_free(struct synth_clip *c);
/* The clip's average bitrate in bits per second. */
double synth_clip_bps(const struct synth_clip *c);

struct synth_ops {
    /* feed NULL: the publishing connection. */
    void (*sdp)(void *data, const char *feed, const char *type,
                const char *sdp);
    void (*candidate)(void *data, const char *feed, unsigned mline,
                      const char *candidate);
};

struct synth_opts {
    bool audio;                /* publish Opus */
    bool video;                /* publish VP8 640x480 */
    unsigned bitrate_kbps;     /* VP8 target, 0: 600 */
    bool keyframes_on_request; /* no periodic keyframes: only on PLI */
    bool count_only;           /* feeds: count RTP, do not decode */
    /* Publish this clip in a loop instead of encoding video live (video
     * must be set too; bitrate and keyframes are the clip's). */
    const struct synth_clip *clip;
};

struct synth *synth_new(const struct synth_opts *opts,
                        const struct synth_ops *ops, void *data);
void synth_free(struct synth *s);

/* Make the publishing offer (sent through ops->sdp). */
int synth_publish(struct synth *s);

/* Signaling from the media endpoint (feed NULL: publishing). */
void synth_on_sdp(struct synth *s, const char *feed, const char *type,
                  const char *sdp);
void synth_on_candidate(struct synth *s, const char *feed, unsigned mline,
                        const char *candidate);
void synth_feed_end(struct synth *s, const char *feed);

struct synth_feed_stats {
    bool exists;
    bool connected;
    uint64_t video_frames; /* decoded */
    int width, height;     /* of the last decoded frame */
    uint64_t audio_buffers;
    double audio_peak; /* 0..1, the loudest decoded sample so far */
    uint64_t rtp_packets;
    uint64_t rtp_bytes;
    /* Video RTP: packets received and the span of their (extended)
     * sequence numbers, highest - first + 1; their difference is lost. */
    uint64_t video_packets;
    uint64_t video_expected;
};

/* What arrived on feed `feed` so far. */
struct synth_feed_stats synth_feed(struct synth *s, const char *feed);

/* Stop (false) or resume sending video: audio-only on a weak link. */
void synth_set_video(struct synth *s, bool on);

/* Stop (false) or resume sending audio: with video off, no media. */
void synth_set_audio(struct synth *s, bool on);

/* Drop the next `n` keyframe requests (PLI, FIR) before they reach the
 * video encoder: a publisher that does not answer them. */
void synth_ignore_keyframe_requests(struct synth *s, unsigned n);
/* Keyframe requests that reached the encoder so far, dropped or not. */
unsigned synth_keyframe_requests(struct synth *s);

/* Send `text` on the data channel to the server; false while it is not
 * open. */
bool synth_send_data(struct synth *s, const char *text);

/* Messages received on the data channel so far, the last one in `last`. */
unsigned synth_data(struct synth *s, char *last, size_t len);

/* Drop `pct` % of the packets arriving on every feed, before SRTP
 * decryption (a lossy downlink: the feeds' receiver reports show it). */
void synth_set_loss(struct synth *s, unsigned pct);

/* The bitrate of the last REMB (receiver-estimated maximum bitrate,
 * RTCP PSFB FMT 15) the server sent on the publishing connection, bit/s;
 * 0 before any. */
unsigned synth_remb_bps(struct synth *s);
/* REMBs received so far. */
unsigned synth_remb_count(struct synth *s);

/* Feeds currently open. */
unsigned synth_feeds(struct synth *s);

/* Whether the publishing connection is connected. */
bool synth_published(struct synth *s);

#endif
