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
 * relationship to the patient cannot watch.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>
#include <sqlite3.h>

#include "ecg-demo.h"
#include "sig-util.h"
#include "tc-client.h"
#include "tc-dicom.h"
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

static struct tc_media_wfdb_record *
source(const char *name)
{
    struct tc_media_wfdb_record *rec = NULL;
    char err[256];

    if (tc_media_wfdb_record_read(ecg_dir, name, &rec, err, sizeof(err)) < 0) {
        printf("# %s: %s\n", name, err);
    }
    return rec;
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
    const char *names[TC_MEDIA_ECG_MAX_LEADS];
    double gains[TC_MEDIA_ECG_MAX_LEADS];
    int bases[TC_MEDIA_ECG_MAX_LEADS], zeros[TC_MEDIA_ECG_MAX_LEADS];
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
    for (unsigned l = 0; l < n_leads; l++) {
        names[l] = h->signals[l].description;
        gains[l] = h->signals[l].gain;
        bases[l] = h->signals[l].baseline;
        zeros[l] = h->signals[l].adc_zero;
    }
    struct tc_sdk_ecg_announce a = {
        .patient = patient,
        .device = "HK-ECG-01",
        .desc = {.n_leads = n_leads,
                 .frames_per_packet = fpp,
                 .leads = names,
                 .sample_rate_hz = (unsigned)h->sample_rate_hz,
                 .gains = gains,
                 .baselines = bases,
                 .adc_zeros = zeros,
                 .adc_resolution_bits = h->signals[0].adc_resolution},
        .profile = profile,
        .reader = reader,
        .speed = speed,
    };
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
check_study_awaits_reading(int64_t id, int64_t n_frames, unsigned rate)
{
    g_autofree char *path = g_build_filename(fx.data_dir, "telecare.db", NULL);
    struct tc_rec_db *db = NULL;
    struct tc_rec_ecg_study *s = NULL;

    TC_REQUIRE(tc_rec_open(path, &db) == 0);
    TC_CHECK_EQ(tc_rec_ecg_study_get(db, id, &s), 0);
    if (s) {
        TC_CHECK_EQ(s->status, TC_REC_ECG_AWAITING_READING);
        TC_CHECK_EQ(s->duration_ms, n_frames * 1000 / rate);
        TC_CHECK_EQ(s->reader_id, reader);
        TC_CHECK_EQ(s->resident_id, patient);
    }
    tc_rec_ecg_study_free(s);
    tc_rec_close(db);
}

static void
test_record_100_format_212_end_to_end(void)
{
    struct tc_media_wfdb_record *src = source("100");
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
        check_study_awaits_reading(study_of(&r), 650000, 360);
    }
    run_fini(&r);
    tc_media_wfdb_record_free(src);
}

static void
test_s0010_re_wrong_key_and_replay_are_dropped(void)
{
    struct tc_media_wfdb_record *src = source("s0010_re");
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
        check_study_awaits_reading(study_of(&r), 38400, 1000);
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
    struct tc_media_wfdb_record *src = source("s0010_re");
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

/* ---- HTTP: assignments, import, waveform ---- */

static long
http_as(const char *user, const char *method, const char *path,
        const char *body, json_t **out)
{
    char *token = sig_token(&fx, user);
    struct tc_http_reply reply = {0};
    long status;

    fx.h.bearer = token;
    if (tc_http(&fx.h, method, path, body, body ? strlen(body) : 0,
                body ? "application/json" : NULL, &reply) < 0) {
        reply.status = -1;
    }
    fx.h.bearer = NULL;
    tc_sdk_token_free(token);
    status = reply.status;
    if (out) {
        *out = reply.body ? json_loads(reply.body, 0, NULL) : NULL;
    }
    if (status >= 400) {
        printf("# %s %s -> %ld %s\n", method, path, status,
               reply.body ? reply.body : "");
    }
    tc_http_reply_fini(&reply);
    return status;
}

static void
test_device_assignment_over_http(void)
{
    char path[128];

    g_snprintf(path, sizeof(path),
               "/api/v1/ecg-devices/HOME-77/residents/%" G_GINT64_FORMAT,
               patient);
    TC_CHECK_EQ(http_as("huang.xiaoyan", "PUT", path, NULL, NULL), 200);
    TC_CHECK_EQ(http_as("huang.xiaoyan", "DELETE", path, NULL, NULL), 204);
    TC_CHECK_EQ(http_as("huang.xiaoyan", "DELETE", path, NULL, NULL), 404);
    /* a therapist with no relationship to her may not */
    TC_CHECK_EQ(http_as("lin.jing", "PUT", path, NULL, NULL), 403);
}

/* An import body for record `name` of ecg_dir; `hea` replaces the header
 * text when not NULL, `skip` leaves a signal file out. */
static char *
import_body(const char *name, const char *hea, const char *skip)
{
    g_autofree char *hpath = g_strdup_printf("%s/%s.hea", ecg_dir, name);
    g_autofree char *text = NULL;
    json_t *files = json_object(), *doc;
    const char *exts[] = {".dat", ".xyz"};
    char *out;

    g_file_get_contents(hpath, &text, NULL, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(exts); i++) {
        g_autofree char *f = g_strdup_printf("%s%s", name, exts[i]);
        g_autofree char *p = g_strdup_printf("%s/%s", ecg_dir, f);
        g_autofree char *data = NULL;
        gsize len = 0;
        if ((skip && strcmp(skip, f) == 0) ||
            !g_file_get_contents(p, &data, &len, NULL)) {
            continue;
        }
        g_autofree char *b64 = g_base64_encode((guchar *)data, len);
        json_object_set_new(files, f, json_string(b64));
    }
    doc = json_pack("{s:I,s:s,s:s,s:o,s:b,s:I}", "resident_id",
                    (json_int_t)patient, "device_id", "PTB-ARCHIVE", "header",
                    hea ? hea : text, "files", files, "urgent", 1, "reader_id",
                    (json_int_t)reader);
    out = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return out;
}

static void
test_wfdb_import_worklist_and_fhir_waveform(void)
{
    struct tc_media_wfdb_record *src = source("s0010_re");
    char *body = import_body("s0010_re", NULL, NULL);
    json_t *doc = NULL, *wl = NULL, *obs = NULL, *comp;
    char path[128];
    int64_t id;
    gchar **vals;
    bool same = true;

    TC_REQUIRE(src && body);
    TC_CHECK_EQ(http_as("huang.xiaoyan", "POST", "/api/v1/ecg-studies/import",
                        body, &doc),
                201);
    free(body);
    TC_REQUIRE(doc);
    id = json_integer_value(json_object_get(doc, "id"));
    TC_CHECK_EQ(json_integer_value(json_object_get(doc, "frames")), 38400);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "leads")),
                    "I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6,X,Y,Z");
    json_decref(doc);
    /* the urgent import comes first on the reader's worklist */
    TC_CHECK_EQ(
        http_as("sun.lihua", "GET", "/api/v1/worklists/ecg", NULL, &wl), 200);
    TC_CHECK(wl && json_integer_value(json_object_get(
                       json_array_get(json_object_get(wl, "items"), 0),
                       "id")) == id);
    json_decref(wl);
    /* the waveform: 2 s from 1 s on, one component per lead */
    g_snprintf(path, sizeof(path),
               "/api/v1/ecg-studies/%" G_GINT64_FORMAT
               "/waveform?start_ms=1000&duration_ms=2000",
               id);
    TC_CHECK_EQ(http_as("sun.lihua", "GET", path, NULL, &obs), 200);
    TC_REQUIRE(obs);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(obs, "resourceType")),
                    "Observation");
    TC_CHECK_EQ(json_array_size(json_object_get(obs, "component")), 15);
    comp = json_array_get(json_object_get(obs, "component"), 1);
    TC_CHECK(json_real_value(json_object_get(
                 json_object_get(comp, "valueSampledData"), "period")) == 1.0);
    TC_CHECK(fabs(json_real_value(json_object_get(
                      json_object_get(comp, "valueSampledData"), "factor")) -
                  1.0 / 2000) < 1e-12);
    vals = g_strsplit(json_string_value(json_object_get(
                          json_object_get(comp, "valueSampledData"), "data")),
                      " ", -1);
    TC_CHECK_EQ(g_strv_length(vals), 2000);
    for (int t = 0; vals[t] && t < 2000; t++) {
        if (atoi(vals[t]) != src->samples[(1000 + t) * 15 + 1]) {
            same = false;
        }
    }
    TC_CHECK(same);
    g_strfreev(vals);
    json_decref(obs);
    /* a therapist may not read it */
    TC_CHECK_EQ(http_as("lin.jing", "GET", path, NULL, NULL), 403);
    tc_media_wfdb_record_free(src);
}

/* The real header of s0010_re with `from` replaced by `to` once. */
static char *
header_with(const char *from, const char *to)
{
    g_autofree char *p = g_strdup_printf("%s/s0010_re.hea", ecg_dir);
    g_autofree char *text = NULL;
    const char *at;
    GString *out;

    if (!g_file_get_contents(p, &text, NULL, NULL) ||
        !(at = strstr(text, from))) {
        return NULL;
    }
    out = g_string_new_len(text, at - text);
    g_string_append(out, to);
    g_string_append(out, at + strlen(from));
    return g_string_free(out, FALSE);
}

static void
test_malformed_imports_are_refused_naming_the_problem(void)
{
    static const struct {
        const char *from, *to, *skip;
        long status;
        const char *says;
    } cases[] = {
        {"s0010_re.dat 16 2000 16 0 -489", "s0010_re.dat 80 2000 16 0 -489",
         NULL, 415, "line 2: format 80 is not read"},
        {"s0010_re 15 1000", "s0010_re 16 1000", NULL, 400,
         "15 signal lines, the record line says 16"},
        {"x", "x", "s0010_re.xyz", 400,
         "s0010_re.xyz (named by the header) is missing"},
        {"-8337 0 i", "-8336 0 i", NULL, 400,
         "signal 1 (i): checksum -8337, the header says -8336"},
        {"1000 38400", "1000 38401", NULL, 400,
         "holds 38400 frames, the header says 38401"},
        {"-8337 0 i", "-8337 0 pleth", NULL, 400,
         "signal 1 is not an ECG lead"},
        {"2000 16 0 -458", "2000x 16 0 -458", NULL, 400, "line 3: gain"},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *hea = header_with(cases[i].from, cases[i].to);
        char *body = import_body("s0010_re", hea, cases[i].skip);
        json_t *doc = NULL;
        TC_REQUIRE(hea);
        TC_CHECK_EQ(http_as("huang.xiaoyan", "POST",
                            "/api/v1/ecg-studies/import", body, &doc),
                    cases[i].status);
        TC_CHECK_STR_CONTAINS(json_string_value(json_object_get(
                                  json_object_get(doc, "error"), "message")),
                              cases[i].says);
        json_decref(doc);
        free(body);
    }
}

/* Rows of ecg_studies and files under data_dir/ecg now. */
static void
ecg_counts(long *studies, long *files)
{
    g_autofree char *path = g_build_filename(fx.data_dir, "telecare.db", NULL);
    g_autofree char *dir = g_build_filename(fx.data_dir, "ecg", NULL);
    GDir *d = g_dir_open(dir, 0, NULL);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    *studies = *files = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM ecg_studies", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        *studies = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    for (*files = 0; d && g_dir_read_name(d);) {
        (*files)++;
    }
    if (d) {
        g_dir_close(d);
    }
}

/* A reader records refuses (no such practitioner) after the archive was
 * written: 404, and neither a study nor a file is left (the study was
 * once created and left behind; found by fuzz-api-body). */
static void
test_import_for_an_unknown_reader_leaves_nothing(void)
{
    char *body = import_body("s0010_re", NULL, NULL);
    json_t *doc = json_loads(body, 0, NULL), *err = NULL;
    char *text;
    long studies, files, studies2, files2;

    TC_REQUIRE(doc);
    json_object_set_new(doc, "reader_id", json_integer(999999));
    text = json_dumps(doc, JSON_COMPACT);
    ecg_counts(&studies, &files);
    TC_REQUIRE(studies >= 0 && files >= 0);
    TC_CHECK_EQ(http_as("huang.xiaoyan", "POST", "/api/v1/ecg-studies/import",
                        text, &err),
                404);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(
                        json_object_get(err, "error"), "field")),
                    "reader_id");
    ecg_counts(&studies2, &files2);
    TC_CHECK_EQ(studies2, studies);
    TC_CHECK_EQ(files2, files);
    json_decref(err);
    json_decref(doc);
    free(text);
    free(body);
}

/* ---- DICOM waveform import ---- */

static char dicom_path[4096];

/* POST `len` bytes as application/dicom with `query`. */
static long
dicom_post(const char *query, const void *data, size_t len, json_t **out)
{
    char *token = sig_token(&fx, "huang.xiaoyan");
    g_autofree char *path =
        g_strdup_printf("/api/v1/ecg-studies/import?%s", query);
    struct tc_http_reply reply = {0};
    long status;

    fx.h.bearer = token;
    if (tc_http(&fx.h, "POST", path, data, len, "application/dicom", &reply) <
        0) {
        reply.status = -1;
    }
    fx.h.bearer = NULL;
    tc_sdk_token_free(token);
    status = reply.status;
    *out = reply.body ? json_loads(reply.body, 0, NULL) : NULL;
    if (status >= 400) {
        printf("# -> %ld %s\n", status, reply.body ? reply.body : "");
    }
    tc_http_reply_fini(&reply);
    return status;
}

static int
archive_files(void)
{
    g_autofree char *dir = g_build_filename(fx.data_dir, "ecg", NULL);
    GDir *d = g_dir_open(dir, 0, NULL);
    int n = 0;

    while (d && g_dir_read_name(d)) {
        n++;
    }
    if (d) {
        g_dir_close(d);
    }
    return n;
}

static void
test_dicom_waveform_import_equals_dcmtk(void)
{
    struct tc_media_dicom_waveform *w = NULL;
    struct tc_media_wfdb_record *rec = NULL;
    g_autofree char *data = NULL, *query = NULL, *name = NULL;
    g_autofree char *dir = g_build_filename(fx.data_dir, "ecg", NULL);
    char *why = NULL, err[256];
    gsize len = 0;
    json_t *doc = NULL;
    int64_t id;
    bool same = true;
    static const char *const leads[] = {"I",  "II", "III", "aVR", "aVL", "aVF",
                                        "V1", "V2", "V3",  "V4",  "V5",  "V6"};

    TC_REQUIRE(g_file_get_contents(dicom_path, &data, &len, NULL));
    TC_REQUIRE(tc_media_dicom_waveform_read(dicom_path, 0, &w, &why) == 0);
    TC_CHECK_EQ(w->n_channels, 12);
    TC_CHECK_EQ(w->n_samples, 10000);
    query = g_strdup_printf(
        "resident_id=%" G_GINT64_FORMAT
        "&device_id=EL250&urgent=true&reader_id=%" G_GINT64_FORMAT,
        patient, reader);
    TC_CHECK_EQ(dicom_post(query, data, len, &doc), 201);
    TC_REQUIRE(doc);
    id = json_integer_value(json_object_get(doc, "id"));
    TC_CHECK_EQ(json_integer_value(json_object_get(doc, "frames")), 10000);
    TC_CHECK_EQ(json_integer_value(json_object_get(doc, "duration_ms")),
                10000);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "leads")),
                    "I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6");
    json_decref(doc);
    check_study_awaits_reading(id, 10000, 1000);
    /* the archive read back with media's WFDB reader (checksums checked) */
    {
        g_autofree char *path =
            g_build_filename(fx.data_dir, "telecare.db", NULL);
        struct tc_rec_db *db = NULL;
        struct tc_rec_ecg_study *s = NULL;
        TC_REQUIRE(tc_rec_open(path, &db) == 0 &&
                   tc_rec_ecg_study_get(db, id, &s) == 0);
        name = g_path_get_basename(s->storage_path);
        tc_rec_ecg_study_free(s);
        tc_rec_close(db);
    }
    TC_REQUIRE(tc_media_wfdb_record_read(dir, name, &rec, err, sizeof(err)) ==
               0);
    TC_CHECK_EQ(rec->header.n_signals, 12);
    TC_CHECK_EQ(rec->n_frames, 10000);
    TC_CHECK(rec->header.sample_rate_hz == 1000);
    for (int c = 0; c < 12; c++) {
        /* 1.25 uV per ADC unit: 800 adu/mV */
        TC_CHECK(fabs(rec->header.signals[c].gain - 800) < 1e-9);
        TC_CHECK_EQ(rec->header.signals[c].baseline, 0);
        TC_CHECK_STR_EQ(rec->header.signals[c].description, leads[c]);
    }
    for (size_t i = 0; i < (size_t)10000 * 12; i++) {
        if (rec->samples[i] != w->samples[i]) {
            same = false;
        }
    }
    TC_CHECK(same);
    tc_media_wfdb_record_free(rec);
    tc_media_dicom_waveform_free(w);
    free(why);
}

/* `data` with every `from` (n bytes) replaced by `to` of the same
 * length; NULL when there is none. */
static char *
patched(const char *data, gsize len, const char *from, const char *to,
        size_t n)
{
    char *out = g_memdup2(data, len);
    char *at = out;
    bool found = false;

    while ((at = memmem(at, len - (size_t)(at - out), from, n))) {
        memcpy(at, to, n);
        at += n;
        found = true;
    }
    if (!found) {
        g_free(out);
        return NULL;
    }
    return out;
}

static void
test_bad_dicom_imports_are_refused_naming_the_problem(void)
{
    g_autofree char *data = NULL, *query = NULL;
    gsize len = 0;
    /* NumberOfWaveformChannels 12 as (003a,0005) US 2 bytes LE, explicit
     * VR: tag, "US", length 2, value */
    static const char ch12[] = "\x3a\x00\x05\x00US\x02\x00\x0c\x00";
    static const char ch17[] = "\x3a\x00\x05\x00US\x02\x00\x11\x00";
    /* NumberOfWaveformSamples (003a,0010) UL 10000, then 5000 */
    static const char n10000[] = "\x3a\x00\x10\x00UL\x04\x00"
                                 "\x10\x27\x00\x00";
    static const char n5000[] = "\x3a\x00\x10\x00UL\x04\x00"
                                "\x88\x13\x00\x00";
    static const char sf1000[] = "\x3a\x00\x1a\x00"
                                 "DS\x04\x00"
                                 "1000";
    static const char sf9999k[] = "\x3a\x00\x1a\x00"
                                  "DS\x04\x00"
                                  "9e99";
    static const char ecgclass[] = "1.2.840.10008.5.1.4.1.1.9.1.1";
    static const char ctclass[] = "1.2.840.10008.5.1.4.1.1.9.1.3";
    struct {
        const char *what;
        char *body;
        size_t len;
        long status;
        const char *says;
    } cases[8];
    g_autofree char *dicom_dir = g_path_get_dirname(dicom_path);
    g_autofree char *ct_path =
        g_build_filename(dicom_dir, "CT_small.dcm", NULL);
    g_autofree char *ct = NULL;
    gsize ct_len = 0;
    int before = archive_files();

    TC_REQUIRE(g_file_get_contents(dicom_path, &data, &len, NULL));
    query = g_strdup_printf("resident_id=%" G_GINT64_FORMAT "&device_id=X",
                            patient);
    cases[0] = (typeof(cases[0])){"not DICOM", g_strdup("12 leads, honest"),
                                  16, 400, "not a DICOM Part-10 object"};
    cases[1] = (typeof(cases[0])){"truncated", g_memdup2(data, len / 2),
                                  len / 2, 400, "body:"};
    cases[2] = (typeof(cases[0])){
        "17 channels, data too short",
        patched(data, len, ch12, ch17, sizeof(ch12) - 1), len, 400,
        "body: waveform: Waveform Data is shorter than channels x samples"};
    cases[3] = (typeof(cases[0])){
        "absurd rate", patched(data, len, sf1000, sf9999k, sizeof(sf1000) - 1),
        len, 400, "Sampling Frequency must be a whole 50..20000 Hz"};
    cases[4] = (typeof(cases[0])){
        "not a waveform",
        patched(data, len, ecgclass, ctclass, sizeof(ecgclass) - 1), len, 415,
        "is not a 12-lead or general ECG waveform"};
    cases[5] = (typeof(cases[0])){
        "17 channels of 5000 samples",
        patched(cases[2].body, len, n10000, n5000, sizeof(n10000) - 1), len,
        400, "body: 17 channels, at most 16 leads are imported"};
    g_file_get_contents(ct_path, &ct, &ct_len, NULL);
    cases[6] =
        (typeof(cases[0])){"a CT image", g_steal_pointer(&ct), ct_len, 415,
                           "SOP class 1.2.840.10008.5.1.4.1.1.2 "
                           "is not"};
    /* Acquisition DateTime (0008,002a) DT with a 13th month */
    cases[7] = (typeof(cases[0])){"acquired in month 13",
                                  patched(data, len,
                                          "\x08\x00\x2a\x00"
                                          "DT\x0e\x00"
                                          "201301",
                                          "\x08\x00\x2a\x00"
                                          "DT\x0e\x00"
                                          "201313",
                                          14),
                                  len, 400, "body: Acquisition DateTime"};
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        json_t *doc = NULL;
        printf("# %s\n", cases[i].what);
        TC_REQUIRE(cases[i].body);
        TC_CHECK_EQ(dicom_post(query, cases[i].body, cases[i].len, &doc),
                    cases[i].status);
        TC_CHECK_STR_CONTAINS(json_string_value(json_object_get(
                                  json_object_get(doc, "error"), "message")),
                              cases[i].says);
        json_decref(doc);
        g_free(cases[i].body);
    }
    /* no resident: refused before the body is read */
    {
        json_t *doc = NULL;
        TC_CHECK_EQ(dicom_post("device_id=X", data, len, &doc), 400);
        json_decref(doc);
    }
    TC_CHECK_EQ(archive_files(), before);
}

/* Resident `id`'s health-card number becomes `card` (through records,
 * beside the running server). */
static int
set_health_card(int64_t id, const char *card)
{
    g_autofree char *path = g_build_filename(fx.data_dir, "telecare.db", NULL);
    struct tc_rec_db *db = NULL;
    struct tc_rec_resident *r = NULL;
    int rc = tc_rec_open(path, &db);

    if (rc == 0) {
        rc = tc_rec_resident_get(db, id, &r);
    }
    if (rc == 0) {
        g_free(r->health_card_no);
        r->health_card_no = g_strdup(card);
        rc = tc_rec_resident_update(db, r);
    }
    tc_rec_resident_free(r);
    tc_rec_close(db);
    return rc;
}

static void
test_dicom_import_takes_resident_and_time_from_the_object(void)
{
    g_autofree char *data = NULL, *query = NULL;
    g_autofree char *path = g_build_filename(fx.data_dir, "telecare.db", NULL);
    gsize len = 0;
    json_t *doc = NULL;
    int64_t id = 0, other = patient == 1 ? 2 : 1;
    int before;
    /* waveform_ecg.dcm: Patient ID 642341, Acquisition DateTime
     * 20130125105919 without an offset: the server's local time */
    GDateTime *t = g_date_time_new_local(2013, 1, 25, 10, 59, 19);
    int64_t expected = g_date_time_to_unix(t) * G_USEC_PER_SEC;

    g_date_time_unref(t);
    TC_REQUIRE(g_file_get_contents(dicom_path, &data, &len, NULL));
    /* the object's Patient ID is the resident's health-card number */
    TC_REQUIRE(set_health_card(patient, "642341") == 0);
    TC_CHECK_EQ(dicom_post("device_id=EL250", data, len, &doc), 201);
    id = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    {
        struct tc_rec_db *db = NULL;
        struct tc_rec_ecg_study *st = NULL;
        TC_REQUIRE(tc_rec_open(path, &db) == 0 &&
                   tc_rec_ecg_study_get(db, id, &st) == 0);
        TC_CHECK_EQ(st->resident_id, patient);
        TC_CHECK_EQ(st->started_at_us, expected);
        tc_rec_ecg_study_free(st);
        tc_rec_close(db);
    }
    /* the same ID given explicitly agrees */
    query = g_strdup_printf("resident_id=%" G_GINT64_FORMAT "&device_id=EL250",
                            patient);
    TC_CHECK_EQ(dicom_post(query, data, len, &doc), 201);
    json_decref(doc);
    /* another resident's ID: refused, nothing archived */
    before = archive_files();
    g_free(query);
    query = g_strdup_printf("resident_id=%" G_GINT64_FORMAT "&device_id=EL250",
                            other);
    TC_CHECK_EQ(dicom_post(query, data, len, &doc), 409);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(
                        json_object_get(doc, "error"), "field")),
                    "resident_id");
    json_decref(doc);
    TC_CHECK_EQ(archive_files(), before);
    TC_CHECK_EQ(set_health_card(patient, NULL), 0);
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
    snprintf(dicom_path, sizeof(dicom_path), "%s/dicom/waveform_ecg.dcm",
             shared ? shared : "../shared/data");
    /* imports of s0010_re are 1.5 MB of base64 */
    if (sig_fixture_start(&fx, "[http]\nmax_body_bytes = 8388608\n") < 0 ||
        ids() < 0) {
        printf("Bail out! fixture\n");
        return 1;
    }
    TC_RUN(test_record_100_format_212_end_to_end);
    TC_RUN(test_s0010_re_wrong_key_and_replay_are_dropped);
    TC_RUN(test_s0010_re_with_5_percent_loss);
    TC_RUN(test_unassigned_device_and_stranger_are_refused);
    TC_RUN(test_device_assignment_over_http);
    TC_RUN(test_wfdb_import_worklist_and_fhir_waveform);
    TC_RUN(test_malformed_imports_are_refused_naming_the_problem);
    TC_RUN(test_import_for_an_unknown_reader_leaves_nothing);
    TC_RUN(test_dicom_waveform_import_equals_dcmtk);
    TC_RUN(test_bad_dicom_imports_are_refused_naming_the_problem);
    TC_RUN(test_dicom_import_takes_resident_and_time_from_the_object);
    sig_fixture_fini(&fx);
    return tc_done();
}
