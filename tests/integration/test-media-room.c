// SPDX-License-Identifier: Apache-2.0
/*
 * test-media-room.c - media/ rooms in-process, without the server: the
 * room's events are wired straight to synthetic participants (synth.c)
 * over loopback ICE. Two publishers each decode the other's video and
 * audio, and a data channel message of one reaches the other; a third
 * joining late decodes video within 2 s although the
 * publishers send keyframes only when asked (PLI forwarded); a publisher
 * that leaves ends the others' feeds of it; offers with bad SDP or only
 * unsupported codecs are refused with a sentence and change nothing; an
 * emptied room frees its pipeline; a subscriber whose downlink loses 30 %
 * of its packets gets audio only and video back when the loss stops, and
 * a participant may ask for audio only. Recordings: the files play and
 * last as long as the records say; one started mid-call asks the
 * publisher for a keyframe until one comes.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "synth.h"
#include "tc-media.h"
#include "tc-test.h"

struct who {
    char id[8];
    struct synth *s;
    struct tc_media_room *room;
    unsigned ended; /* FEED_ENDED events */
    unsigned errors;
};

static struct who *whos[4];

static struct who *
who_find(const char *id)
{
    for (int i = 0; i < 4; i++) {
        if (whos[i] && strcmp(whos[i]->id, id) == 0) {
            return whos[i];
        }
    }
    return NULL;
}

static void
on_event(const struct tc_media_event *ev, void *data)
{
    struct who *w = who_find(ev->participant);

    if (!w) {
        return;
    }
    switch (ev->kind) {
    case TC_MEDIA_EV_SDP:
        synth_on_sdp(w->s, ev->feed, ev->sdp_type, ev->sdp);
        break;
    case TC_MEDIA_EV_CANDIDATE:
        synth_on_candidate(w->s, ev->feed, ev->mline, ev->candidate);
        break;
    case TC_MEDIA_EV_FEED_ENDED:
        w->ended++;
        synth_feed_end(w->s, ev->feed);
        break;
    case TC_MEDIA_EV_ERROR:
        printf("# media error for %s (feed %s): %s\n", ev->participant,
               ev->feed ? ev->feed : "-", ev->error);
        w->errors++;
        break;
    default:
        break;
    }
}

static void
syn_sdp(void *data, const char *feed, const char *type, const char *sdp)
{
    struct who *w = data;
    int rc = feed
                 ? tc_media_room_answer(w->room, w->id, feed, sdp, strlen(sdp))
                 : tc_media_room_offer(w->room, w->id, sdp, strlen(sdp));

    if (rc < 0) {
        printf("# %s: %s refused: %s\n", w->id, type,
               tc_media_room_errmsg(w->room));
    }
}

static void
syn_cand(void *data, const char *feed, unsigned mline, const char *cand)
{
    struct who *w = data;

    tc_media_room_candidate(w->room, w->id, feed, mline, cand);
}

static const struct synth_ops ops = {syn_sdp, syn_cand};

static struct who *
who_new(int slot, const char *id, struct tc_media_room *room)
{
    struct who *w = g_new0(struct who, 1);
    struct synth_opts o = {
        .audio = true, .video = true, .keyframes_on_request = true};

    g_strlcpy(w->id, id, sizeof(w->id));
    w->room = room;
    w->s = synth_new(&o, &ops, w);
    whos[slot] = w;
    synth_publish(w->s);
    return w;
}

static void
who_free(int slot)
{
    struct who *w = whos[slot];

    if (!w) {
        return;
    }
    tc_media_room_leave(w->room, w->id);
    synth_free(w->s);
    g_free(w);
    whos[slot] = NULL;
}

static void
spin(int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(2000);
    }
}

/* Spin until feed `feed` of `w` decoded `frames` video frames, at most
 * timeout_ms; returns the milliseconds it took, or -1. */
static long
wait_frames(struct who *w, const char *feed, uint64_t frames, int timeout_ms)
{
    gint64 start = g_get_monotonic_time();

    while (g_get_monotonic_time() - start < timeout_ms * 1000) {
        if (synth_feed(w->s, feed).video_frames >= frames) {
            return (long)((g_get_monotonic_time() - start) / 1000);
        }
        g_main_context_iteration(NULL, FALSE);
        g_usleep(2000);
    }
    return -1;
}

static const char *const loopback[] = {"127.0.0.1", NULL};

static void
test_two_publishers_decode_each_other_and_a_late_third_gets_a_keyframe(void)
{
    struct tc_media_config cfg = {.ice_addresses = loopback};
    struct tc_media_room *room = NULL;
    struct who *a, *b, *c;
    struct synth_feed_stats st;
    uint64_t before;
    long ms;

    TC_REQUIRE(tc_media_room_new("test", &cfg, NULL, on_event, NULL, &room) ==
               0);
    TC_CHECK_EQ(tc_media_rooms_alive(), 1);
    a = who_new(0, "pa", room);
    b = who_new(1, "pb", room);
    TC_CHECK(wait_frames(a, "pb", 30, 20000) >= 0);
    TC_CHECK(wait_frames(b, "pa", 30, 20000) >= 0);
    st = synth_feed(a->s, "pb");
    TC_CHECK_EQ(st.width, 640);
    TC_CHECK_EQ(st.height, 480);
    TC_CHECK(st.audio_buffers > 10);
    TC_CHECK(st.audio_peak > 0.1);
    st = synth_feed(b->s, "pa");
    TC_CHECK(st.audio_peak > 0.1);
    /* Frames keep coming: forwarding goes on, and each forwarded packet
     * is timed through the server (media/delay.c). */
    {
        struct tc_media_delay_hist h0, h1;
        uint64_t rtp0 = synth_feed(b->s, "pa").rtp_packets +
                        synth_feed(a->s, "pb").rtp_packets;
        uint64_t rtp;

        tc_media_delay_read(&h0);
        before = synth_feed(b->s, "pa").video_frames;
        spin(1000);
        TC_CHECK(synth_feed(b->s, "pa").video_frames > before + 5);
        tc_media_delay_read(&h1);
        rtp = synth_feed(b->s, "pa").rtp_packets +
              synth_feed(a->s, "pb").rtp_packets - rtp0;
        /* About one sample per packet forwarded (the windows differ by
         * the packets in flight). */
        TC_CHECK(h1.count - h0.count > rtp / 2);
        TC_CHECK(h1.count - h0.count < rtp * 2);
        TC_CHECK(h1.sum_us > h0.sum_us);
        printf("# forwarding delay: %" G_GUINT64_FORMAT " packets, mean %.0f "
               "us\n",
               h1.count - h0.count,
               (double)(h1.sum_us - h0.sum_us) /
                   (double)(h1.count - h0.count + 1));
    }

    /* Each participant's data channel: a message reaches the others. */
    {
        gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
        char last[256] = "";

        while (g_get_monotonic_time() < end &&
               !synth_send_data(a->s, "hello from pa")) {
            spin(50);
        }
        while (g_get_monotonic_time() < end &&
               synth_data(b->s, last, sizeof(last)) == 0) {
            spin(50);
        }
        TC_CHECK_STR_EQ(last, "from:pa\nhello from pa");
        TC_CHECK_EQ(synth_data(a->s, last, sizeof(last)), 0); /* not back */
    }

    /* The third joins late: no periodic keyframes, so decoding within 2 s
     * of its feed connecting shows the keyframe request went through. */
    c = who_new(2, "pc", room);
    ms = wait_frames(c, "pa", 1, 8000);
    TC_CHECK(ms >= 0);
    printf("# late joiner's first frame of pa after %ld ms\n", ms);
    TC_CHECK(wait_frames(c, "pb", 1, 10000) >= 0);
    TC_CHECK(wait_frames(a, "pc", 1, 10000) >= 0);
    TC_CHECK_EQ(tc_media_room_count(room), 3);

    /* A publisher leaves: the others' feeds of it end, the rest goes on. */
    who_free(0);
    spin(300);
    TC_CHECK_EQ(b->ended, 1);
    TC_CHECK_EQ(c->ended, 1);
    before = synth_feed(c->s, "pb").video_frames;
    spin(1000);
    TC_CHECK(synth_feed(c->s, "pb").video_frames > before + 5);
    TC_CHECK_EQ(b->errors + c->errors, 0);

    who_free(1);
    who_free(2);
    TC_CHECK_EQ(tc_media_room_count(room), 0);
    tc_media_room_free(room);
    TC_CHECK_EQ(tc_media_rooms_alive(), 0);
}

struct rec_seen {
    unsigned n;
    char paths[8][512];
    int64_t duration_us[8];
};

static struct rec_seen recs;

static void
on_event_rec(const struct tc_media_event *ev, void *data)
{
    if (ev->kind == TC_MEDIA_EV_RECORDING && recs.n < 8) {
        g_strlcpy(recs.paths[recs.n], ev->recording->path, 512);
        recs.duration_us[recs.n] = ev->recording->duration_us;
        recs.n++;
    }
    on_event(ev, data);
}

/* gst-discoverer-1.0's duration of `path` in seconds, -1 when none. */
static double
discovered_s(const char *path)
{
    g_autofree char *out = NULL;
    const char *argv[] = {"gst-discoverer-1.0", path, NULL};
    int h, m;
    double sec;
    const char *d;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
                      NULL, &out, NULL, NULL, NULL) ||
        !(d = strstr(out, "Duration: ")) ||
        sscanf(d, "Duration: %d:%d:%lf", &h, &m, &sec) != 3) {
        return -1;
    }
    return h * 3600 + m * 60 + sec;
}

static void
test_recording_writes_playable_files_as_long_as_the_call(void)
{
    struct tc_media_config cfg = {.ice_addresses = loopback};
    struct tc_media_room *room = NULL;
    g_autofree char *dir = g_dir_make_tmp("tc-rec-XXXXXX", NULL);
    struct who *b;
    gint64 t0;
    double call_s;

    TC_REQUIRE(dir);
    TC_REQUIRE(
        tc_media_room_new("rec", &cfg, NULL, on_event_rec, NULL, &room) == 0);
    TC_CHECK_EQ(tc_media_room_record(room, dir), 0);
    TC_CHECK_EQ(tc_media_room_record(room, dir), -EALREADY);
    who_new(0, "ra", room);
    b = who_new(1, "rb", room);
    TC_CHECK(wait_frames(b, "ra", 10, 20000) >= 0);
    t0 = g_get_monotonic_time();
    spin(3000);
    /* Forwarding went on while recording. */
    TC_CHECK(synth_feed(b->s, "ra").video_frames > 60);
    who_free(0);
    call_s = (double)(g_get_monotonic_time() - t0) / 1e6 + 0.0;
    TC_CHECK_EQ(recs.n, 2); /* ra's audio and video */
    for (unsigned i = 0; i < recs.n; i++) {
        double d = discovered_s(recs.paths[i]);
        printf("# %s: %.2f s (recorder says %.2f s, forwarded for %.2f s "
               "after the first frames)\n",
               strrchr(recs.paths[i], '/') + 1, d,
               (double)recs.duration_us[i] / 1e6, call_s);
        TC_CHECK(d > 0);
        /* the recorder's duration is the file's: first frame to last */
        TC_CHECK(fabs(d - (double)recs.duration_us[i] / 1e6) <= 0.05);
    }
    who_free(1);
    tc_media_room_free(room);
    TC_CHECK_EQ(recs.n, 4);
    for (unsigned i = 0; i < recs.n; i++) {
        g_unlink(recs.paths[i]);
    }
    g_rmdir(dir);
}

/* A recording that starts while the call runs has no keyframe to begin
 * with: the recorder asks for one and, while none comes, asks again. Here
 * the publisher (keyframes only on request) ignores the first two asks. */
static void
test_a_recording_started_mid_call_asks_until_it_gets_a_keyframe(void)
{
    struct tc_media_config cfg = {.ice_addresses = loopback};
    struct tc_media_room *room = NULL;
    g_autofree char *dir = g_dir_make_tmp("tc-rec-XXXXXX", NULL);
    struct who *a, *b;
    unsigned asks;
    bool found = false;

    TC_REQUIRE(dir);
    memset(&recs, 0, sizeof(recs));
    TC_REQUIRE(
        tc_media_room_new("rec2", &cfg, NULL, on_event_rec, NULL, &room) == 0);
    a = who_new(0, "ka", room);
    b = who_new(1, "kb", room);
    TC_CHECK(wait_frames(b, "ka", 10, 20000) >= 0);
    /* past the feed's own keyframe requests (at 0, 0.3 and 1 s) */
    spin(1500);
    asks = synth_keyframe_requests(a->s);
    synth_ignore_keyframe_requests(a->s, 2);
    TC_CHECK_EQ(tc_media_room_record(room, dir), 0);
    spin(4000);
    asks = synth_keyframe_requests(a->s) - asks;
    who_free(0);
    printf("# %u keyframe requests reached the publisher\n", asks);
    TC_CHECK(asks >= 3);
    for (unsigned i = 0; i < recs.n; i++) {
        const char *name = strrchr(recs.paths[i], '/') + 1;

        if (g_str_has_prefix(name, "ka-video")) {
            double d = discovered_s(recs.paths[i]);

            found = true;
            printf("# %s: %.2f s (recorder says %.2f s)\n", name, d,
                   (double)recs.duration_us[i] / 1e6);
            /* an ask after the two ignored was answered: 2.46 and 2.56 s
             * of the 4 in the first runs (the server's RTCP spaces out
             * its PLIs); none at all without the asking again */
            TC_CHECK(d >= 1.0);
            TC_CHECK(fabs(d - (double)recs.duration_us[i] / 1e6) <= 0.05);
        }
    }
    TC_CHECK(found);
    who_free(1);
    tc_media_room_free(room);
    for (unsigned i = 0; i < recs.n; i++) {
        g_unlink(recs.paths[i]);
    }
    g_rmdir(dir);
}

static void
test_bad_offers_are_refused_with_a_reason(void)
{
    struct tc_media_config cfg = {.ice_addresses = loopback};
    struct tc_media_room *room = NULL;
    const char *h264_pm0 =
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
        "a=fingerprint:sha-256 AA:BB\r\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 100\r\nc=IN IP4 0.0.0.0\r\n"
        "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
        "a=sendrecv\r\na=mid:0\r\na=rtpmap:100 VP9/90000\r\n";
    const char *no_dtls =
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
        "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
        "a=rtpmap:111 opus/48000/2\r\n";
    char big[70000];

    TC_REQUIRE(tc_media_room_new("bad", &cfg, NULL, on_event, NULL, &room) ==
               0);
    TC_CHECK_EQ(tc_media_room_offer(room, "px", "hello", 5), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_media_room_errmsg(room), "must start v=");
    TC_CHECK_EQ(tc_media_room_offer(room, "px", h264_pm0, strlen(h264_pm0)),
                -EPROTONOSUPPORT);
    TC_CHECK_STR_CONTAINS(tc_media_room_errmsg(room), "offers none of VP8");
    TC_CHECK_EQ(tc_media_room_offer(room, "px", no_dtls, strlen(no_dtls)),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_media_room_errmsg(room), "no DTLS fingerprint");
    memset(big, 'a', sizeof(big));
    memcpy(big, "v=0\r\n", 5);
    TC_CHECK_EQ(tc_media_room_offer(room, "px", big, sizeof(big)), -EMSGSIZE);
    TC_CHECK_EQ(tc_media_room_offer(room, "", no_dtls, 10), -EINVAL);
    TC_CHECK_EQ(tc_media_room_answer(room, "px", "py", no_dtls, 10), -ENOENT);
    TC_CHECK_EQ(tc_media_room_count(room), 0);
    tc_media_room_free(room);
}

/* ---- low-bandwidth mode: audio only for a subscriber ---- */

struct switch_seen {
    char who[8];
    bool on;
    char reason[16];
    unsigned n;
};

static struct switch_seen switches;

static void
on_event_switch(const struct tc_media_event *ev, void *data)
{
    if (ev->kind == TC_MEDIA_EV_AUDIO_ONLY) {
        g_strlcpy(switches.who, ev->participant, sizeof(switches.who));
        switches.on = ev->up;
        g_strlcpy(switches.reason, ev->reason, sizeof(switches.reason));
        switches.n++;
        printf("# %s: %s (%s)\n", ev->participant,
               ev->up ? "audio only" : "video again", ev->reason);
    }
    on_event(ev, data);
}

static void
no_stats(const struct tc_media_stats *st, void *data)
{
    if (getenv("TC_DEBUG_STATS") && st->feed) {
        printf("# stats %s<-%s %s sent %llu lost %lld\n", st->participant,
               st->feed, st->track, (unsigned long long)st->packets,
               (long long)st->packets_lost);
    }
}

/* Run statistics rounds every `round_ms` until `n` switches were seen,
 * at most timeout_ms; returns the milliseconds it took, or -1. */
static long
wait_switches(struct tc_media_room *room, unsigned n, int round_ms,
              int timeout_ms)
{
    gint64 start = g_get_monotonic_time();

    while (g_get_monotonic_time() - start < (gint64)timeout_ms * 1000) {
        tc_media_room_stats(room, no_stats, NULL);
        spin(round_ms);
        if (switches.n >= n) {
            return (long)((g_get_monotonic_time() - start) / 1000);
        }
    }
    return -1;
}

/* Video packets of `feed` arriving at `w` in `ms`. */
static uint64_t
video_in(struct who *w, const char *feed, int ms)
{
    uint64_t before = synth_feed(w->s, feed).video_packets;

    spin(ms);
    return synth_feed(w->s, feed).video_packets - before;
}

static void
test_a_lossy_subscriber_gets_audio_only_and_video_back_when_it_recovers(void)
{
    struct tc_media_config cfg = {.ice_addresses = loopback,
                                  .audio_only_loss_pct = 10};
    struct tc_media_room *room = NULL;
    struct who *a, *b;
    uint64_t audio0;
    long ms;

    TC_REQUIRE(tc_media_room_new("lowbw", &cfg, NULL, on_event_switch, NULL,
                                 &room) == 0);
    a = who_new(0, "la", room);
    b = who_new(1, "lb", room);
    TC_CHECK(wait_frames(b, "la", 10, 20000) >= 0);
    TC_CHECK(wait_frames(a, "lb", 10, 20000) >= 0);
    /* A healthy link: rounds go by without a switch. */
    TC_CHECK_EQ(wait_switches(room, 1, 1000, 5000), -1);

    /* lb's downlink loses 30 %: its receiver reports say so, and it gets
     * audio only; la, on a good link, keeps lb's video. */
    synth_set_loss(b->s, 30);
    ms = wait_switches(room, 1, 1000, 40000);
    TC_CHECK(ms >= 0);
    printf("# audio only after %ld ms of 30 %% loss\n", ms);
    TC_CHECK_STR_EQ(switches.who, "lb");
    TC_CHECK(switches.on);
    TC_CHECK_STR_EQ(switches.reason, "loss");
    spin(500);
    audio0 = synth_feed(b->s, "la").rtp_packets -
             synth_feed(b->s, "la").video_packets;
    TC_CHECK_EQ(video_in(b, "la", 1500), 0);
    TC_CHECK(synth_feed(b->s, "la").rtp_packets -
                 synth_feed(b->s, "la").video_packets >
             audio0 + 20); /* audio goes on */
    TC_CHECK(video_in(a, "lb", 1000) > 20);

    /* The link recovers: video again, decoded (a keyframe was asked). */
    synth_set_loss(b->s, 0);
    ms = wait_switches(room, 2, 1000, 40000);
    TC_CHECK(ms >= 0);
    printf("# video again after %ld ms without loss\n", ms);
    TC_CHECK(!switches.on);
    TC_CHECK_STR_EQ(switches.reason, "recovered");
    TC_CHECK(wait_frames(b, "la", synth_feed(b->s, "la").video_frames + 10,
                         5000) >= 0);

    /* A participant's own choice: audio only until it asks for video. */
    TC_CHECK_EQ(tc_media_room_audio_only(room, "la", true), 0);
    TC_CHECK_EQ(switches.n, 3);
    TC_CHECK_STR_EQ(switches.reason, "asked");
    spin(300);
    TC_CHECK_EQ(video_in(a, "lb", 1000), 0);
    TC_CHECK_EQ(tc_media_room_audio_only(room, "la", false), 0);
    TC_CHECK(!switches.on);
    TC_CHECK(video_in(a, "lb", 1000) > 20);
    TC_CHECK_EQ(tc_media_room_audio_only(room, "nobody", true), -ENOENT);
    TC_CHECK_EQ(a->errors + b->errors, 0);

    who_free(0);
    who_free(1);
    tc_media_room_free(room);
    TC_CHECK_EQ(tc_media_rooms_alive(), 0);
}

int
main(void)
{
    char *err = NULL;

    if (tc_media_init(&err) < 0) {
        printf("Bail out! %s\n", err);
        return 1;
    }
    TC_RUN(test_bad_offers_are_refused_with_a_reason);
    TC_RUN(
        test_two_publishers_decode_each_other_and_a_late_third_gets_a_keyframe);
    TC_RUN(test_recording_writes_playable_files_as_long_as_the_call);
    TC_RUN(test_a_recording_started_mid_call_asks_until_it_gets_a_keyframe);
    TC_RUN(
        test_a_lossy_subscriber_gets_audio_only_and_video_back_when_it_recovers);
    tc_media_warm_wait();
    return tc_done();
}
