// SPDX-License-Identifier: Apache-2.0
/*
 * test-media-profile.c - low-bandwidth mode through the real server, with
 * synthetic participants (synth.c) in consultation 1 of the demo county
 * (zhou.ming hosts, huang.xiaoyan takes part):
 *
 *   - the join answer tells the configured default profile (low here,
 *     with its video cap), and the server's RTCP to each publisher
 *     carries a REMB of that cap; back to normal, a REMB that lifts it;
 *   - a participant may not set the profile (forbidden), a bad value is
 *     refused naming `profile`, one without `profile` too;
 *   - the host sets `audio`: everyone gets the media-profile event, no
 *     video is forwarded to anyone (the server enforces it whatever the
 *     publishers send) while audio goes on; `normal` brings video back;
 *   - the profile is kept with the consultation: a later join is told it;
 *   - over HTTP (GET/PUT /api/v1/consultations/1/media-profile) the host
 *     reads and sets it, the live room is told at once, a participant may
 *     read but not set it, a bad value is a 422 naming `profile`;
 *   - a participant whose downlink loses 40 % of its packets is switched
 *     to audio only and the other side is told (audio-only, reason loss);
 *     when the loss stops its video comes back after the hold (3 rounds
 *     of 2 s here) and the other side is told again (reason recovered).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "media-peer.h"
#include "sig-util.h"
#include "synth.h"
#include "tc-client.h"
#include "tc-media.h"
#include "tc-test.h"

#define ROOM "consultation:1"

static struct sig_fixture fx;

/* Sign in, join ROOM and publish audio and video. */
static struct mpeer *
mpeer_start(const char *user)
{
    struct synth_opts so = {.audio = true, .video = true};
    struct mpeer *p = mpeer_new(&fx, user, ROOM);

    if (p && p->joined) {
        mpeer_publish(p, &so);
    }
    return p;
}

static void
set_profile(struct mpeer *p, const char *profile)
{
    json_t *doc = json_pack("{s:s,s:s,s:s}", "type", "media-profile", "room",
                            ROOM, "id", "mp");

    if (profile) {
        json_object_set_new(doc, "profile", json_string(profile));
    }
    p->error_code[0] = '\0';
    mpeer_send_doc(p, doc);
    sig_spin(400);
}

/* Video packets from `who` arriving at `p` over `ms`. */
static uint64_t
video_in(struct mpeer *p, struct mpeer *who, int ms)
{
    return mpeer_feed_over(p, who, ms).video_packets;
}

/* Audio packets (RTP but not video) from `who` arriving at `p`. */
static uint64_t
audio_in(struct mpeer *p, struct mpeer *who, int ms)
{
    struct synth_feed_stats d = mpeer_feed_over(p, who, ms);

    return d.rtp_packets - d.video_packets;
}

/* An HTTP call as `user`: the status, the body in *body (caller frees). */
static long
http(const char *user, const char *method, const char *json, char **body)
{
    char *token = sig_token(&fx, user);
    struct tc_http_reply r = {0};
    long status = -1;

    fx.h.bearer = token;
    if (tc_http(&fx.h, method, "/api/v1/consultations/1/media-profile", json,
                json ? strlen(json) : 0, json ? "application/json" : NULL,
                &r) == 0) {
        status = r.status;
        if (body) {
            *body = g_strdup(r.body ? r.body : "");
        }
    }
    fx.h.bearer = NULL;
    tc_http_reply_fini(&r);
    tc_sdk_token_free(token);
    return status;
}

/* Whether video from `who` reaches `p` again within timeout_ms (more than
 * 10 packets in some 500 ms). */
static bool
video_flows(struct mpeer *p, struct mpeer *who, int timeout_ms)
{
    for (int t = 0; t < timeout_ms; t += 500) {
        if (video_in(p, who, 500) > 10) {
            return true;
        }
    }
    return false;
}

struct remb_arg {
    struct mpeer *p;
    unsigned bps;
};

static bool
remb_seen(void *a)
{
    struct remb_arg *r = a;

    return synth_remb_bps(r->p->s) == r->bps;
}

static bool
receives_video(void *a)
{
    struct mpeer **pair = a;

    return synth_feed(pair[0]->s, tc_sdk_client_peer(pair[1]->c))
               .video_frames > 10;
}

static void
test_profiles_are_told_kept_and_enforced(void)
{
    struct mpeer *zhou = mpeer_start("zhou.ming");
    struct mpeer *huang = mpeer_start("huang.xiaoyan");
    struct mpeer *pair[2] = {huang, zhou};
    struct remb_arg remb = {zhou, 200000};
    struct mpeer *again;

    TC_REQUIRE(zhou && zhou->s && huang && huang->s);
    /* The configured default, told in the join answer. */
    TC_CHECK_STR_EQ(zhou->join_profile, "low");
    TC_CHECK_EQ(zhou->join_kbps, 200);
    TC_CHECK(mpeer_spin_until(receives_video, pair, 30000));
    /* The server's RTCP to the publisher carries the cap as REMB. */
    TC_CHECK(mpeer_spin_until(remb_seen, &remb, 15000));
    printf("# REMB at the publisher: %u bit/s\n", synth_remb_bps(zhou->s));

    /* Refusals, naming the rule; nothing changes. */
    set_profile(huang, "audio");
    TC_CHECK_STR_EQ(huang->error_code, "forbidden");
    set_profile(zhou, "tiny");
    TC_CHECK_STR_EQ(zhou->error_code, "bad-field");
    TC_CHECK_STR_CONTAINS(zhou->error_msg, "profile");
    set_profile(zhou, NULL);
    TC_CHECK_STR_EQ(zhou->error_code, "missing-field");
    TC_CHECK_EQ(huang->profile_events, 0);
    TC_CHECK(video_flows(huang, zhou, 8000));

    /* audio: told to everyone; no video forwarded, audio goes on. The
     * synthetic publishers keep sending video: the server drops it. */
    set_profile(zhou, "audio");
    TC_CHECK_STR_EQ(zhou->error_code, "");
    TC_CHECK_STR_EQ(huang->profile, "audio");
    TC_CHECK_STR_EQ(zhou->profile, "audio");
    sig_spin(1000); /* what the leaky queues held drains */
    TC_CHECK_EQ(video_in(huang, zhou, 1000), 0);
    TC_CHECK_EQ(video_in(zhou, huang, 1000), 0);
    TC_CHECK(audio_in(huang, zhou, 1000) > 10);

    /* normal: video again; no REMB cap any more. */
    set_profile(zhou, "normal");
    TC_CHECK_STR_EQ(huang->profile, "normal");
    TC_CHECK(video_flows(huang, zhou, 10000));
    TC_CHECK(video_flows(zhou, huang, 10000));
    printf("# last audio-only events: %s / %s\n", huang->audio_only,
           zhou->audio_only);
    /* Back to normal: the cap is lifted (browsers keep the last REMB as
     * their ceiling, so one far above any call's bitrate follows). */
    remb.bps = 20 * 1000 * 1000;
    TC_CHECK(mpeer_spin_until(remb_seen, &remb, 10000));

    /* Over HTTP: read, set (the live room is told), refusals. */
    {
        g_autofree char *got = NULL, *bad = NULL, *put = NULL;

        TC_CHECK_EQ(http("huang.xiaoyan", "GET", NULL, &got), 200);
        TC_CHECK_STR_CONTAINS(got, "\"profile\":\"normal\"");
        TC_CHECK_STR_CONTAINS(got, "\"source\":\"consultation\"");
        TC_CHECK_EQ(
            http("huang.xiaoyan", "PUT", "{\"profile\":\"low\"}", NULL), 403);
        TC_CHECK_EQ(http("zhou.ming", "PUT", "{\"profile\":\"tiny\"}", &bad),
                    422);
        TC_CHECK_STR_CONTAINS(bad, "profile");
        TC_CHECK_STR_EQ(huang->profile, "normal");
        TC_CHECK_EQ(http("zhou.ming", "PUT", "{\"profile\":\"audio\"}", &put),
                    200);
        TC_CHECK_STR_CONTAINS(put, "\"profile\":\"audio\"");
        sig_spin(1000);
        TC_CHECK_STR_EQ(huang->profile, "audio");
        TC_CHECK_EQ(video_in(huang, zhou, 1000), 0);
    }

    /* Kept with the consultation: a later join is told it. */
    set_profile(zhou, "audio");
    mpeer_free(huang);
    again = mpeer_start("huang.xiaoyan");
    TC_REQUIRE(again);
    TC_CHECK_STR_EQ(again->join_profile, "audio");
    set_profile(zhou, "normal");
    mpeer_free(again);
    mpeer_free(zhou);
}

static bool
switched(void *a)
{
    struct mpeer **w = a; /* who sees it, whose link, "on reason" */
    char want[96];

    g_snprintf(want, sizeof(want), "%s %s", tc_sdk_client_peer(w[1]->c),
               (const char *)w[2]);
    return strcmp(w[0]->audio_only, want) == 0;
}

static void
test_a_lossy_link_goes_audio_only_and_back_and_the_other_side_sees_it(void)
{
    struct mpeer *zhou = mpeer_start("zhou.ming");
    struct mpeer *huang = mpeer_start("huang.xiaoyan");
    struct mpeer *pair[2] = {huang, zhou};
    void *on[3], *off[3];
    gint64 t0;

    TC_REQUIRE(zhou && zhou->s && huang && huang->s);
    TC_CHECK(mpeer_spin_until(receives_video, pair, 30000));
    on[0] = zhou, on[1] = huang, on[2] = "on loss";
    off[0] = zhou, off[1] = huang, off[2] = "off recovered";

    /* huang's downlink loses 40 %: zhou is told huang gets audio only. */
    synth_set_loss(huang->s, 40);
    t0 = g_get_monotonic_time();
    TC_CHECK(mpeer_spin_until(switched, on, 20000));
    printf("# audio only after %lld ms of 40 %% loss\n",
           (long long)(g_get_monotonic_time() - t0) / 1000);
    sig_spin(1000); /* what the leaky queues and jitter buffer held */
    TC_CHECK_EQ(video_in(huang, zhou, 1500), 0);
    TC_CHECK(audio_in(huang, zhou, 2000) > 5); /* audio goes on */

    /* The link recovers: after the hold, video again, told to zhou. */
    synth_set_loss(huang->s, 0);
    t0 = g_get_monotonic_time();
    TC_CHECK(mpeer_spin_until(switched, off, 25000));
    printf("# video again after %lld ms without loss\n",
           (long long)(g_get_monotonic_time() - t0) / 1000);
    TC_CHECK(video_flows(huang, zhou, 8000));
    mpeer_free(huang);
    mpeer_free(zhou);
}

int
main(void)
{
    const char *config = "[media]\nice_addresses = 127.0.0.1\n"
                         "default_profile = low\nlow_max_kbps = 200\n"
                         "stats_interval_s = 2\n"
                         /* a loaded machine loses some by itself */
                         "audio_only_loss_pct = 20\n";
    char *err = NULL;

    if (tc_media_init(&err) < 0 || sig_fixture_start(&fx, config) < 0) {
        printf("Bail out! %s\n", err ? err : "the server did not start");
        return 1;
    }
    TC_RUN(test_profiles_are_told_kept_and_enforced);
    TC_RUN(
        test_a_lossy_link_goes_audio_only_and_back_and_the_other_side_sees_it);
    sig_fixture_fini(&fx);
    tc_media_warm_wait();
    return tc_done();
}
