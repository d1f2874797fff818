// SPDX-License-Identifier: Apache-2.0
/*
 * test-ecg.c - remote ECG end to end against the real telecare-server:
 * the PhysioNet records 100 (format 212, 2 leads, 360 Hz, 30 min) and
 * s0010_re (format 16, 15 leads in two files, 1000 Hz) are replayed by an
 * SDK device (huang.xiaoyan, the township doctor) as SRTP streams, faster
 * than real time (record 100 at 200x in spans of 350 frames, the largest
 * that fit a packet, so that a loaded test machine keeps up; s0010_re at
 * 10x in the default 20 ms spans). The assigned ECG reader (sun.lihua)
 * receives each stream twice: over SRTP with her own key and as WebSocket
 * frames. Checked: every archived and every received sample equals the source,
 * the archive's header checksums equal the source header's, the study
 * goes live -> awaiting reading; with 5% of packets dropped by the SDK's
 * test hook exactly the dropped spans are invalid (-32768) in the archive
 * and missing at the subscribers; a packet under a wrong key and a
 * replayed packet are dropped and counted while the stream goes on; a
 * device not assigned to the patient is refused; someone without a
 * relationship to the patient cannot watch; a stream cut short by killing
 * the server awaits reading after the restart, with what its archive
 * holds.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "ecg-demo.h"
#include "sig-util.h"
#include "tc-client.h"
#include "tc-media.h"
#include "tc-records.h"
#include "tc-test.h"

static struct sig_fixture fx;
static char ecg_dir[4096];
static int64_t patient, reader;

struct got {
    int16_t *samples; /* n_frames * n_leads */
    uint8_t *count;   /* per frame: how many times it arrived */
    bool outside;     /* a span outside the record */
};

struct run {
    const struct tc_media_wfdb_record *src;
    unsigned n_leads;
    int16_t *frames;
    int64_t n_frames, pushed;
    struct tc_sdk_ecg_stream *stream;
    int ready_err, stop_err;
    bool ready, stopped;
    json_t *stop_answer;
    struct tc_sdk_ecg_sub *srtp, *ws;
    int srtp_err, ws_err;
    bool srtp_ready, ws_ready;
    struct got got_srtp, got_ws;
    bool (*drop)(uint64_t index, void *data);
    /* a second SRTP subscriber, made after late_after packets were sent */
    uint64_t late_after;
    int64_t late_at; /* frames sent when it subscribed */
    struct tc_sdk_ecg_sub *late;
    bool late_ready;
    uint64_t late_coalesced;
    uint16_t srtp_port, late_port;
    struct got got_late;
};

static void
on_ready(struct tc_sdk_ecg_stream *s, int error, const char *msg, void *data)
{
    struct run *r = data;

    r->ready = true;
    r->ready_err = error;
    if (error) {
        printf("# announce refused: %s\n", msg ? msg : "?");
    }
}

static void
on_stopped(struct tc_sdk_ecg_stream *s, int error, const char *json,
           void *data)
{
    struct run *r = data;

    r->stopped = true;
    r->stop_err = error;
    r->stop_answer = json ? json_loads(json, 0, NULL) : NULL;
}

static void
got_samples(struct run *r, struct got *g, const struct tc_sdk_ecg_samples *x)
{
    if (x->n_leads != r->n_leads || x->first_frame < 0 ||
        x->first_frame + x->frames > r->n_frames) {
        g->outside = true;
        return;
    }
    memcpy(g->samples + x->first_frame * r->n_leads, x->samples,
           (size_t)x->frames * r->n_leads * 2);
    for (unsigned f = 0; f < x->frames; f++) {
        g->count[x->first_frame + f]++;
    }
}

static void
on_srtp_ready(struct tc_sdk_ecg_sub *s, int error, const char *json,
              void *data)
{
    struct run *r = data;

    r->srtp_ready = true;
    r->srtp_err = error;
}

static void
on_ws_ready(struct tc_sdk_ecg_sub *s, int error, const char *json, void *data)
{
    struct run *r = data;

    r->ws_ready = true;
    r->ws_err = error;
}

static void
on_srtp_samples(struct tc_sdk_ecg_sub *s, const struct tc_sdk_ecg_samples *x,
                void *data)
{
    struct run *r = data;

    got_samples(r, &r->got_srtp, x);
}

static void
on_late_ready(struct tc_sdk_ecg_sub *s, int error, const char *json,
              void *data)
{
    struct run *r = data;

    r->late_ready = error == 0;
}

static void
on_late_samples(struct tc_sdk_ecg_sub *s, const struct tc_sdk_ecg_samples *x,
                void *data)
{
    struct run *r = data;

    got_samples(r, &r->got_late, x);
}

static void
on_ws_samples(struct tc_sdk_ecg_sub *s, const struct tc_sdk_ecg_samples *x,
              void *data)
{
    struct run *r = data;

    got_samples(r, &r->got_ws, x);
}

static bool
wait_for(bool *flag, int timeout_ms)
{
    for (int waited = 0; !*flag && waited < timeout_ms; waited += 10) {
        sig_spin(10);
    }
    return *flag;
}

/* Keep a minute queued in the SDK until everything is pushed; then stop. */
static void
top_up(struct run *r, const struct tc_media_wfdb_record *src)
{
    int64_t minute = (int64_t)src->header.sample_rate_hz * 60;
    int64_t n = MIN(minute, r->n_frames - r->pushed);

    if (r->pushed == r->n_frames ||
        (int64_t)tc_sdk_ecg_stream_queued(r->stream) >= minute) {
        return;
    }
    tc_sdk_ecg_stream_push(r->stream, r->frames + r->pushed * r->n_leads,
                           (size_t)n);
    r->pushed += n;
    if (r->pushed == r->n_frames) {
        tc_sdk_ecg_stream_stop(r->stream);
    }
}

/* The late subscriber, once r->late_after packets are out. */
static void
late_subscribe(struct run *r, struct tpeer *rd, unsigned fpp)
{
    static const struct tc_sdk_ecg_sub_callbacks cb = {on_late_ready,
                                                       on_late_samples, NULL};

    if (r->late || r->late_after == 0 ||
        tc_sdk_ecg_stream_sent(r->stream) < r->late_after) {
        return;
    }
    r->got_late.samples = g_new0(int16_t, (gsize)r->n_frames * r->n_leads);
    r->got_late.count = g_new0(uint8_t, (gsize)r->n_frames);
    r->late_at = (int64_t)tc_sdk_ecg_stream_sent(r->stream) * fpp;
    if (tc_sdk_ecg_subscribe(rd->c, tc_sdk_ecg_stream_name(r->stream), false,
                             &cb, r, &r->late) < 0) {
        printf("# late subscription failed\n");
    }
}

/* The description of src's first n_leads signals, for an announce. */
struct leads {
    const char *names[TC_MEDIA_ECG_MAX_LEADS];
    double gains[TC_MEDIA_ECG_MAX_LEADS];
    int bases[TC_MEDIA_ECG_MAX_LEADS], zeros[TC_MEDIA_ECG_MAX_LEADS];
};

/* An announce of src's first n_leads signals from HK-ECG-01 for the
 * patient, to the reader, at `speed` (its arrays in *l). */
static struct tc_sdk_ecg_announce
announce_of(const struct tc_media_wfdb_record *src, unsigned n_leads,
            unsigned fpp, double speed, struct leads *l)
{
    const struct tc_media_wfdb_header *h = &src->header;

    for (unsigned i = 0; i < n_leads; i++) {
        l->names[i] = h->signals[i].description;
        l->gains[i] = h->signals[i].gain;
        l->bases[i] = h->signals[i].baseline;
        l->zeros[i] = h->signals[i].adc_zero;
    }
    return (struct tc_sdk_ecg_announce){
        .patient = patient,
        .device = "HK-ECG-01",
        .desc = {.n_leads = n_leads,
                 .frames_per_packet = fpp,
                 .leads = l->names,
                 .sample_rate_hz = (unsigned)h->sample_rate_hz,
                 .gains = l->gains,
                 .baselines = l->bases,
                 .adc_zeros = l->zeros,
                 .adc_resolution_bits = h->signals[0].adc_resolution},
        .reader = reader,
        .speed = speed,
    };
}

/*
 * Stream `src` (its first n_leads signals) at `speed` from huang.xiaoyan
 * to the server, watched by sun.lihua over SRTP and WebSocket. The test
 * hooks run after `sent_before_tests` packets.
 */
static int
stream_record(struct run *r, const struct tc_media_wfdb_record *src,
              unsigned n_leads, unsigned fpp, double speed,
              const char *profile, bool wrong_key_and_replay)
{
    const struct tc_media_wfdb_header *h = &src->header;
    struct leads leads;
    struct tpeer *dev = tpeer_new(&fx, "huang.xiaoyan", 0);
    struct tpeer *rd = tpeer_new(&fx, "sun.lihua", 0);
    struct tc_sdk_ecg_stream_callbacks scb = {on_ready, on_stopped};
    struct tc_sdk_ecg_sub_callbacks srtp_cb = {on_srtp_ready, on_srtp_samples,
                                               NULL};
    struct tc_sdk_ecg_sub_callbacks ws_cb = {on_ws_ready, on_ws_samples, NULL};
    bool hooks_armed = false;
    int rc = -1;

    r->src = src;
    r->n_leads = n_leads;
    r->n_frames = src->n_frames;
    r->frames = g_new(int16_t, (gsize)r->n_frames * n_leads);
    r->got_srtp.samples = g_new0(int16_t, (gsize)r->n_frames * n_leads);
    r->got_srtp.count = g_new0(uint8_t, (gsize)r->n_frames);
    r->got_ws.samples = g_new0(int16_t, (gsize)r->n_frames * n_leads);
    r->got_ws.count = g_new0(uint8_t, (gsize)r->n_frames);
    for (int64_t t = 0; t < r->n_frames; t++) {
        for (unsigned l = 0; l < n_leads; l++) {
            r->frames[t * n_leads + l] = src->samples[t * h->n_signals + l];
        }
    }
    struct tc_sdk_ecg_announce a =
        announce_of(src, n_leads, fpp, speed, &leads);

    a.profile = profile;
    if (!dev || !rd ||
        tc_sdk_ecg_stream_announce(dev->c, &a, &scb, r, &r->stream) < 0 ||
        !wait_for(&r->ready, 5000) || r->ready_err) {
        goto out;
    }
    tc_sdk_ecg_stream_test_drop(r->stream, r->drop, r);
    if (tc_sdk_ecg_subscribe(rd->c, tc_sdk_ecg_stream_name(r->stream), false,
                             &srtp_cb, r, &r->srtp) < 0 ||
        tc_sdk_ecg_subscribe(rd->c, tc_sdk_ecg_stream_name(r->stream), true,
                             &ws_cb, r, &r->ws) < 0 ||
        !wait_for(&r->srtp_ready, 5000) || !wait_for(&r->ws_ready, 5000) ||
        r->srtp_err || r->ws_err) {
        printf("# subscriptions failed\n");
        goto out;
    }
    for (int waited = 0; !r->stopped && waited < 90000; waited += 5) {
        top_up(r, src);
        late_subscribe(r, rd, fpp);
        if (wrong_key_and_replay && !hooks_armed &&
            tc_sdk_ecg_stream_sent(r->stream) >= 20) {
            uint64_t sent = tc_sdk_ecg_stream_sent(r->stream);
            tc_sdk_ecg_stream_test(r->stream, TC_SDK_ECG_TEST_WRONG_KEY);
            /* the hook fires with the next packet: arming the replay
             * before that (a slow machine) would replace it */
            for (int w = 0; w < 1000; w++) {
                if (tc_sdk_ecg_stream_sent(r->stream) != sent) {
                    break;
                }
                sig_spin(5);
            }
            tc_sdk_ecg_stream_test(r->stream, TC_SDK_ECG_TEST_REPLAY);
            hooks_armed = true;
        }
        sig_spin(5);
    }
    sig_spin(300); /* the last packets to the subscribers */
    rc = r->stopped && r->stop_err == 0 ? 0 : -1;
out:
    if (r->late) {
        r->late_coalesced = tc_sdk_ecg_sub_coalesced(r->late);
        r->late_port = tc_sdk_ecg_sub_port(r->late);
        r->srtp_port = tc_sdk_ecg_sub_port(r->srtp);
    }
    tc_sdk_ecg_sub_free(r->srtp);
    tc_sdk_ecg_sub_free(r->ws);
    tc_sdk_ecg_sub_free(r->late);
    r->srtp = r->ws = r->late = NULL;
    tc_sdk_ecg_stream_free(r->stream);
    r->stream = NULL;
    if (dev) {
        tpeer_free(dev);
    }
    if (rd) {
        tpeer_free(rd);
    }
    return rc;
}

static void
run_fini(struct run *r)
{
    g_free(r->frames);
    g_free(r->got_srtp.samples);
    g_free(r->got_srtp.count);
    g_free(r->got_ws.samples);
    g_free(r->got_ws.count);
    g_free(r->got_late.samples);
    g_free(r->got_late.count);
    json_decref(r->stop_answer);
}

static int64_t
stat_of(const struct run *r, const char *name)
{
    return json_integer_value(
        json_object_get(json_object_get(r->stop_answer, "stats"), name));
}

static int64_t
study_of(const struct run *r)
{
    const char *s =
        json_string_value(json_object_get(r->stop_answer, "stream"));
    return s ? g_ascii_strtoll(s + 4, NULL, 10) : 0;
}

static struct tc_media_wfdb_record *
archive_of(const struct run *r)
{
    g_autofree char *dir = g_build_filename(fx.data_dir, "ecg", NULL);
    g_autofree char *name =
        g_strdup_printf("ecg-%" G_GINT64_FORMAT, study_of(r));
    struct tc_media_wfdb_record *rec = NULL;
    char err[256];

    if (tc_media_wfdb_record_read(dir, name, &rec, err, sizeof(err)) < 0) {
        printf("# archive %s: %s\n", name, err);
    }
    return rec;
}

/* Whether frame t of the run was lost (its packet dropped). */
static bool
frame_lost(struct run *r, int64_t t, unsigned fpp)
{
    return r->drop && r->drop((uint64_t)(t / fpp), r);
}

/* Every frame: the archive, SRTP and WebSocket copies vs the source. */
static void
check_everything(struct run *r, unsigned fpp, bool checksums)
{
    struct tc_media_wfdb_record *arc = archive_of(r);
    unsigned n = r->n_leads;
    int64_t bad_arc = 0, bad_srtp = 0, bad_ws = 0, lost = 0;

    TC_REQUIRE(arc);
    TC_CHECK_EQ(arc->header.n_signals, n);
    TC_CHECK_EQ(arc->n_frames, r->n_frames);
    TC_REQUIRE(arc->n_frames == r->n_frames);
    for (int64_t t = 0; t < r->n_frames; t++) {
        bool gone = frame_lost(r, t, fpp);
        const int16_t *want = r->frames + t * n;
        lost += gone;
        for (unsigned l = 0; l < n; l++) {
            int16_t a = arc->samples[t * n + l];
            if (a != (gone ? TC_MEDIA_ECG_INVALID : want[l])) {
                bad_arc++;
            }
        }
        if (r->got_srtp.count[t] != (gone ? 0 : 1) ||
            (!gone && memcmp(r->got_srtp.samples + t * n, want, n * 2))) {
            bad_srtp++;
        }
        if (r->got_ws.count[t] != (gone ? 0 : 1) ||
            (!gone && memcmp(r->got_ws.samples + t * n, want, n * 2))) {
            bad_ws++;
        }
    }
    TC_CHECK_EQ(bad_arc, 0);
    TC_CHECK_EQ(bad_srtp, 0);
    TC_CHECK_EQ(bad_ws, 0);
    TC_CHECK(!r->got_srtp.outside && !r->got_ws.outside);
    TC_CHECK_EQ(stat_of(r, "lost_frames"), lost);
    for (unsigned l = 0; checksums && l < n; l++) {
        TC_CHECK_EQ(arc->header.signals[l].checksum,
                    r->src->header.signals[l].checksum);
        TC_CHECK(arc->header.signals[l].gain ==
                 r->src->header.signals[l].gain);
        TC_CHECK_EQ(arc->header.signals[l].baseline,
                    r->src->header.signals[l].baseline);
    }
    /* the announce's name of each lead reaches the archive, in the
     * standard spelling (s0010_re's "avr" is "aVR", "vx" is "X": the
     * spellings test-records-ecg-device checks) */
    for (unsigned l = 0; l < n; l++) {
        char want[32] = "";
        tc_rec_ecg_lead_normalize(r->src->header.signals[l].description, want,
                                  sizeof(want));
        if (strcmp(arc->header.signals[l].description, want) != 0) {
            TC_FAIL_("lead %u archived as \"%s\", sent as \"%s\" (\"%s\")", l,
                     arc->header.signals[l].description,
                     r->src->header.signals[l].description, want);
        }
        TC_CHECK_EQ(arc->header.signals[l].adc_zero,
                    r->src->header.signals[l].adc_zero);
        TC_CHECK_EQ(arc->header.signals[l].adc_resolution,
                    r->src->header.signals[l].adc_resolution);
    }
    tc_media_wfdb_record_free(arc);
}

/*
 * The late subscriber: the history (up to the last 10 s before it
 * subscribed) and everything after, once each and equal to the source;
 * the history came as GSO runs read with UDP_GRO.
 */
static void
check_late(struct run *r, unsigned rate)
{
    int64_t first = -1, bad = 0;

    TC_REQUIRE(r->late_ready);
    for (int64_t t = 0; t < r->n_frames; t++) {
        if (first < 0 && r->got_late.count[t]) {
            first = t;
        }
        if (first >= 0 &&
            (r->got_late.count[t] != 1 ||
             memcmp(r->got_late.samples + t * r->n_leads,
                    r->frames + t * r->n_leads, r->n_leads * 2))) {
            bad++;
        }
    }
    printf("# late subscriber at frame %" G_GINT64_FORMAT
           ": from frame %" G_GINT64_FORMAT ", %" G_GUINT64_FORMAT
           " packets coalesced\n",
           r->late_at, first, r->late_coalesced);
    TC_CHECK(first >= 0 && first < r->late_at);
    TC_CHECK(first >= r->late_at - 11 * (int64_t)rate);
    TC_CHECK_EQ(bad, 0);
    TC_CHECK(!r->got_late.outside);
    TC_CHECK(r->late_coalesced > 0);
    /* the client's second subscription to the stream: a port of its own */
    TC_CHECK(r->srtp_port != 0 && r->late_port != 0);
    TC_CHECK(r->late_port != r->srtp_port);
}

static void
test_record_100_format_212_end_to_end(void)
{
    struct tc_media_wfdb_record *src = ecg_demo_record(ecg_dir, "100");
    struct run r = {0};

    TC_REQUIRE(src);
    r.late_after = 200;
    TC_CHECK_EQ(
        stream_record(&r, src, 2, 350, 200, "AES_CM_128_HMAC_SHA1_80", false),
        0);
    /* the stop's answer carries the stream and its counts: without it
     * nothing below could be checked */
    TC_CHECK(r.stop_answer != NULL);
    if (r.stop_answer) {
        TC_CHECK_EQ(stat_of(&r, "frames"), 650000);
        TC_CHECK_EQ(stat_of(&r, "auth_failed"), 0);
        check_everything(&r, 350, true);
        check_late(&r, 360);
        ecg_demo_check_awaiting(fx.data_dir, study_of(&r), 650000, 360, reader,
                                patient);
    }
    run_fini(&r);
    tc_media_wfdb_record_free(src);
}

static void
test_s0010_re_wrong_key_and_replay_are_dropped(void)
{
    struct tc_media_wfdb_record *src = ecg_demo_record(ecg_dir, "s0010_re");
    struct run r = {0};

    TC_REQUIRE(src);
    TC_CHECK_EQ(stream_record(&r, src, 15, 0, 10, "AEAD_AES_128_GCM", true),
                0);
    /* the stop's answer carries the stream and its counts: without it
     * nothing below could be checked */
    TC_CHECK(r.stop_answer != NULL);
    if (r.stop_answer) {
        TC_CHECK_EQ(stat_of(&r, "frames"), 38400);
        TC_CHECK_EQ(stat_of(&r, "accepted"), 38400 / 20);
        TC_CHECK_EQ(stat_of(&r, "auth_failed"), 1);
        TC_CHECK_EQ(stat_of(&r, "replayed"), 1);
        check_everything(&r, 20, true);
        ecg_demo_check_awaiting(fx.data_dir, study_of(&r), 38400, 1000, reader,
                                patient);
    }
    run_fini(&r);
    tc_media_wfdb_record_free(src);
}

/* 5% of packets, spread by a hash of the index (never consecutive runs
 * longer than chance makes them). */
static bool
drop_5_percent(uint64_t index, void *data)
{
    return g_int64_hash(&(gint64){(gint64)(index * 2654435761u)}) % 20 == 7;
}

static void
test_s0010_re_with_5_percent_loss(void)
{
    struct tc_media_wfdb_record *src = ecg_demo_record(ecg_dir, "s0010_re");
    struct run r = {.drop = drop_5_percent};
    int64_t dropped = 0;

    TC_REQUIRE(src);
    for (uint64_t k = 0; k < 38400 / 20; k++) {
        dropped += drop_5_percent(k, NULL);
    }
    printf("# dropping %" G_GINT64_FORMAT " of %d packets\n", dropped,
           38400 / 20);
    TC_CHECK(dropped > 50 && dropped < 150);
    TC_CHECK_EQ(stream_record(&r, src, 12, 0, 10, NULL, false), 0);
    /* the stop's answer carries the stream and its counts: without it
     * nothing below could be checked */
    TC_CHECK(r.stop_answer != NULL);
    if (r.stop_answer) {
        TC_CHECK_EQ(stat_of(&r, "accepted"), 38400 / 20 - dropped);
        TC_CHECK_EQ(stat_of(&r, "lost_frames"), dropped * 20);
        check_everything(&r, 20, false);
    }
    run_fini(&r);
    tc_media_wfdb_record_free(src);
}

static void
test_unassigned_device_and_stranger_are_refused(void)
{
    struct tpeer *dev = tpeer_new(&fx, "huang.xiaoyan", 0);
    struct tpeer *ther = tpeer_new(&fx, "lin.jing", 0);
    struct tc_sdk_ecg_stream_callbacks scb = {on_ready, on_stopped};
    struct tc_sdk_ecg_sub_callbacks cb = {on_srtp_ready, NULL, NULL};
    const char *leads[] = {"I"};
    double gains[] = {200};
    struct run r = {0}, ok = {0};
    struct tc_sdk_ecg_announce a = {
        .patient = patient,
        .device = "NOT-ASSIGNED-7",
        .desc = {.n_leads = 1,
                 .leads = leads,
                 .sample_rate_hz = 500,
                 .gains = gains},
        .speed = 1,
    };

    TC_REQUIRE(dev && ther);
    TC_REQUIRE(tc_sdk_ecg_stream_announce(dev->c, &a, &scb, &r, &r.stream) ==
               0);
    TC_CHECK(wait_for(&r.ready, 5000));
    TC_CHECK_EQ(r.ready_err, -EPERM);
    tc_sdk_ecg_stream_free(r.stream);
    /* the assigned device works; a therapist of no plan of hers cannot
     * watch it */
    a.device = "HK-ECG-01";
    TC_REQUIRE(tc_sdk_ecg_stream_announce(dev->c, &a, &scb, &ok, &ok.stream) ==
               0);
    TC_CHECK(wait_for(&ok.ready, 5000));
    TC_CHECK_EQ(ok.ready_err, 0);
    if (ok.ready_err == 0) {
        TC_REQUIRE(tc_sdk_ecg_subscribe(ther->c,
                                        tc_sdk_ecg_stream_name(ok.stream),
                                        false, &cb, &r, &r.srtp) == 0);
        TC_CHECK(wait_for(&r.srtp_ready, 5000));
        TC_CHECK_EQ(r.srtp_err, -EPERM);
        tc_sdk_ecg_sub_free(r.srtp);
        tc_sdk_ecg_stream_stop(ok.stream);
        TC_CHECK(wait_for(&ok.stopped, 5000));
    }
    tc_sdk_ecg_stream_free(ok.stream);
    json_decref(ok.stop_answer);
    TC_CHECK(sig_audit_count(&fx, "huang.xiaoyan", "denied") >= 1);
    tpeer_free(dev);
    tpeer_free(ther);
}

/*
 * The server is killed while record 100 streams in real time: at the next
 * start its study, still LIVE, is finished with what its archive holds
 * (valid up to the last sync, at most about 2 s before the kill) and
 * awaits reading by its reader; the archive's samples are the source's.
 */
static void
test_a_stream_cut_by_a_kill_awaits_reading_after_the_restart(void)
{
    struct tc_media_wfdb_record *src = ecg_demo_record(ecg_dir, "100");
    struct tpeer *dev = tpeer_new(&fx, "huang.xiaoyan", 0);
    struct tc_sdk_ecg_stream_callbacks scb = {on_ready, on_stopped};
    struct run r = {0};
    struct leads leads;
    struct tc_sdk_ecg_announce a;
    int64_t study = 0, frames = 0;
    struct tc_media_wfdb_record *arc = NULL;
    int16_t *first;

    TC_REQUIRE(src && dev);
    first = g_new(int16_t, (gsize)360 * 10 * 2);
    for (int t = 0; t < 360 * 10; t++) { /* its first 10 s, 2 leads */
        first[t * 2] = src->samples[t * src->header.n_signals];
        first[t * 2 + 1] = src->samples[t * src->header.n_signals + 1];
    }
    a = announce_of(src, 2, 0, 1, &leads); /* 20 ms packets, real time */
    TC_REQUIRE(tc_sdk_ecg_stream_announce(dev->c, &a, &scb, &r, &r.stream) ==
               0);
    TC_REQUIRE(wait_for(&r.ready, 5000) && !r.ready_err);
    study = g_ascii_strtoll(tc_sdk_ecg_stream_name(r.stream) + 4, NULL, 10);
    tc_sdk_ecg_stream_push(r.stream, first, 360 * 10);
    sig_spin(4500); /* 4.5 s sent in real time: two archive syncs */
    TC_REQUIRE(sig_fixture_restart(&fx, SIGKILL) == 0);
    tc_sdk_ecg_stream_free(r.stream);
    tpeer_free(dev);

    {
        g_autofree char *dir = g_build_filename(fx.data_dir, "ecg", NULL);
        g_autofree char *name = g_strdup_printf("ecg-%lld", (long long)study);
        char err[256] = "";

        TC_REQUIRE(
            tc_media_wfdb_record_read(dir, name, &arc, err, sizeof(err)) == 0);
    }
    frames = arc->n_frames;
    printf("# study %lld: %lld frames archived before the kill (4.5 s sent)\n",
           (long long)study, (long long)frames);
    TC_CHECK(frames >= 360 && frames <= 360 * 5);
    TC_CHECK_EQ(memcmp(arc->samples, first, (size_t)frames * 2 * 2), 0);
    ecg_demo_check_awaiting(fx.data_dir, study, frames, 360, reader, patient);
    tc_media_wfdb_record_free(arc);
    tc_media_wfdb_record_free(src);
    g_free(first);
}

static int
ids(void)
{
    return ecg_demo_ids(fx.data_dir, &patient, &reader);
}

int
main(void)
{
    const char *shared = getenv("TC_SHARED_DATA");

    snprintf(ecg_dir, sizeof(ecg_dir), "%s/ecg",
             shared ? shared : "../shared/data");
    if (sig_fixture_start(&fx, NULL) < 0 || ids() < 0) {
        printf("Bail out! fixture\n");
        return 1;
    }
    TC_RUN(test_record_100_format_212_end_to_end);
    TC_RUN(test_s0010_re_wrong_key_and_replay_are_dropped);
    TC_RUN(test_s0010_re_with_5_percent_loss);
    TC_RUN(test_unassigned_device_and_stranger_are_refused);
    TC_RUN(test_a_stream_cut_by_a_kill_awaits_reading_after_the_restart);
    sig_fixture_fini(&fx);
    return tc_done();
}
