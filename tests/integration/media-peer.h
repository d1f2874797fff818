/* SPDX-License-Identifier: Apache-2.0 */
/*
 * media-peer.h - a synthetic media participant for the integration tests
 * that run calls through the real telecare-server (test-media.c,
 * test-media-profile.c, test-rehab-media.c): a libtelecare-client
 * connection signed in through the signaling fixture (sig-util.h) and
 * joined to a room, and a synth (synth.h: videotestsrc -> VP8, Opus ->
 * webrtcbin) that publishes to the server's media endpoint and receives
 * the others' feeds through it.
 *
 * The SDK's relayed offers, answers and candidates from "media" go to the
 * synth, the synth's go back to the room; feed-ended ends the synth's
 * feed. What the participant was told is kept in the struct for the
 * tests to read: the join answer's profile, media-profile events, media
 * events (track, audio-only, feed-ended, error) and the last error.
 *
 * Thread: the test's main thread; clients run on the default
 * GMainContext, which mpeer_spin_until() and sig_spin() iterate.
 */
#ifndef TC_MEDIA_PEER_H
#define TC_MEDIA_PEER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "sig-util.h"
#include "synth.h"
#include "tc-client.h"

struct mpeer {
    struct tc_sdk_client *c;
    struct synth *s; /* NULL until mpeer_publish */
    char room[64];
    bool joined, admitted;
    /* the join answer's media_profile ("(none)" if absent), video cap */
    char join_profile[16];
    int join_kbps;
    /* the last media-profile event's profile, and how many came */
    char profile[16];
    unsigned profile_events;
    /* media events */
    unsigned feed_ended, media_errors;
    unsigned tracks_up;            /* every track-up event, own included */
    unsigned video_down, video_up; /* track events about others' video */
    unsigned down;                 /* track-down events about others */
    int64_t down_at_us;            /* when the first of them came */
    char up_peer[8][32];           /* the first track-up of each other peer */
    int64_t up_at_us[8];
    unsigned n_up;
    char audio_only[96]; /* the last audio-only event: "peer on reason" */
    /* the last error event */
    char error_code[32];
    char error_msg[200];
    int media_port; /* a loopback host candidate port of the server, or 0 */
};

/* Sign in as `user` and join `room` (a patient then waits to be
 * admitted). NULL if the client cannot be made; a participant that could
 * not join is returned with `joined` false. */
struct mpeer *mpeer_new(struct sig_fixture *fx, const char *user,
                        const char *room);

/* Start publishing (audio and video as `so` says) to the room's media. */
void mpeer_publish(struct mpeer *p, const struct synth_opts *so);

/* The host admits `p`, waiting in the room: whether it was, in 5 s. */
bool mpeer_admit(struct mpeer *host, struct mpeer *p);

/* Leave, stop and free (NULL: nothing). */
void mpeer_free(struct mpeer *p);

/* Send `doc` (a message to the server; the reference is taken). */
void mpeer_send_doc(struct mpeer *p, json_t *doc);

/* What `p` received of `who`'s feed while the default context ran for
 * `ms`: the counters' gains (frames, buffers, packets, bytes); the rest
 * as at the end. */
struct synth_feed_stats mpeer_feed_over(struct mpeer *p, struct mpeer *who,
                                        int ms);

/* Iterate the default context until done(arg) or timeout_ms. */
bool mpeer_spin_until(bool (*done)(void *), void *arg, int timeout_ms);

#endif
