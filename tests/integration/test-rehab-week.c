// SPDX-License-Identifier: Apache-2.0
/*
 * test-rehab-week.c - a simulated week of home rehabilitation through the
 * real server, its signaling and GStreamer:
 *
 *   - the therapist adds an exercise to the library and uploads its demo
 *     video (a real WebM made here by gst-launch-1.0), served back with
 *     Range requests; a text file and a file whose checksum lies are
 *     refused, nothing kept;
 *   - a plan built from the library, with a weekly schedule that
 *     generates its sessions once;
 *   - a live-guided session over signaling (SDK clients): waiting room,
 *     admit, the session starts by itself when both are in the call, sets
 *     marked done reach the resident, durations come from the join/leave
 *     events;
 *   - a self-guided session whose recording upload breaks off and is
 *     resumed (chunk offsets, a corrupted chunk refused, a whole-file
 *     checksum at the end), the pain report, the review queue with the
 *     recording streamed by Range, the score;
 *   - a home visit; a second concurrent session refused;
 *   - then adherence per week and alerts exactly as expected: three missed
 *     in a row fires on the third and not on the second, pain +3 fires
 *     and +2 does not, 14 quiet days fire and 13 do not; pushed over
 *     signaling to the therapist and the family doctor who are online,
 *     never twice;
 *   - a table of bad requests.
 *
 * The server runs with [rehab] alert_interval_s = 1 and miss_grace_s =
 * 3600: sessions scheduled more than an hour ago are marked missed by the
 * timer, those within the hour wait for the resident.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "county-fixture.h"
#include "sig-util.h"

#define J(x)    ((json_int_t)(x))
#define HOUR_US (3600LL * 1000000LL)
#define MIN_US  (60LL * 1000000LL)

static struct fx f;
static struct tpeer *ther_peer, *fam_peer;
static int64_t lib_id, plan_a, exercise_a, live_id, self_id, home_id;
static char *video; /* the demo WebM's bytes */
static gsize video_len;
static char ws_url[64];

/* ---- helpers ---- */

static char *
sha_hex(const void *data, size_t len)
{
    return g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);
}

/* A small real WebM (VP8) made by GStreamer, read into memory. */
static bool
make_video(const char *dir, const char *name, int frames, char **out,
           gsize *len)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *cmd = g_strdup_printf(
        "gst-launch-1.0 -q videotestsrc num-buffers=%d ! "
        "video/x-raw,width=160,height=120,framerate=15/1 ! vp8enc "
        "deadline=1 ! webmmux ! filesink location=%s",
        frames, path);
    int status = -1;

    if (!g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL) ||
        status != 0) {
        printf("# gst-launch-1.0 failed (%d)\n", status);
        return false;
    }
    return g_file_get_contents(path, out, len, NULL);
}

/* RFC 3339 UTC of an instant. */
static const char *
at(int64_t at_us)
{
    static char bufs[4][32];
    static int next;
    char *buf = bufs[next++ % 4];
    GDateTime *t = g_date_time_new_from_unix_utc(at_us / 1000000);
    char *s = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");

    g_strlcpy(buf, s, sizeof(bufs[0]));
    g_free(s);
    g_date_time_unref(t);
    return buf;
}

static void
day(char out[11], int offset_days)
{
    fx_date(out, g_get_real_time() + offset_days * FX_DAY_US);
}

/* One raw request with extra headers; the answer in f.status, f.doc and
 * (binary-safe) *body_out when not NULL. */
static long
raw_call(int user, const char *method, const char *path, const void *body,
         size_t len, const char *ctype, const char *const *headers,
         GBytes **body_out)
{
    struct tc_http_reply r;

    json_decref(f.doc);
    f.doc = NULL;
    f.h.bearer = user >= 0 ? f.token[user] : NULL;
    f.h.headers = headers;
    if (tc_http(&f.h, method, path, body, len, ctype, &r) != 0) {
        f.h.headers = NULL;
        tc_http_reply_fini(&r);
        return f.status = -1;
    }
    f.h.headers = NULL;
    f.status = r.status;
    f.doc = json_loadb(r.body, r.body_len, 0, NULL);
    if (body_out) {
        *body_out = g_bytes_new(r.body, r.body_len);
    }
    if (r.status >= 400 && r.status != 416) {
        printf("#   %s %s -> %ld %.*s\n", method, path, r.status,
               (int)MIN(r.body_len, 300), r.body);
    }
    tc_http_reply_fini(&r);
    return f.status;
}

/* PUT one chunk; `sha` NULL: the chunk's own checksum. */
static long
put_chunk(int user, int64_t upload, const char *data, int64_t offset,
          size_t len, const char *sha)
{
    g_autofree char *own = sha_hex(data + offset, len);
    g_autofree char *h_off =
        g_strdup_printf("Upload-Offset: %lld", (long long)offset);
    g_autofree char *h_sha =
        g_strdup_printf("X-Chunk-SHA256: %s", sha ? sha : own);
    const char *headers[] = {h_off, h_sha, NULL};

    return raw_call(
        user, "PUT", fx_path("/api/v1/rehab-uploads/%lld", (long long)upload),
        data + offset, len, "application/octet-stream", headers, NULL);
}

/* Send data[from..] in chunks of `chunk`; the last answer's status. */
static long
put_rest(int user, int64_t upload, const char *data, size_t len, size_t from,
         size_t chunk)
{
    long status = 0;

    for (size_t off = from; off < len; off += chunk) {
        status = put_chunk(user, upload, data, (int64_t)off,
                           MIN(chunk, len - off), NULL);
        if (status != 200) {
            break;
        }
    }
    return status;
}

static int64_t
schedule(int64_t plan, const char *mode, int64_t when_us)
{
    if (strcmp(mode, "self_guided") == 0) {
        fx_call(&f, FX_THER, "POST",
                fx_path("/api/v1/rehab-plans/%lld/sessions", (long long)plan),
                "{s:s,s:s}", "mode", mode, "scheduled_at", at(when_us));
    } else {
        fx_call(&f, FX_THER, "POST",
                fx_path("/api/v1/rehab-plans/%lld/sessions", (long long)plan),
                "{s:s,s:s,s:I}", "mode", mode, "scheduled_at", at(when_us),
                "therapist_id", J(f.pid[FX_THER]));
    }
    if (f.status != 201) {
        printf("# schedule: %ld %s\n", f.status, f.body);
    }
    return f.status == 201 ? fx_int(&f, "id") : 0;
}

static int64_t
plan_new(int start_offset_days, bool from_library)
{
    char start[11];

    day(start, start_offset_days);
    if (from_library) {
        fx_call(&f, FX_FAM, "POST",
                fx_path("/api/v1/residents/%lld/rehab-plans",
                        (long long)f.resident),
                "{s:s,s:s,s:s,s:[I],s:[{s:I,s:i}]}", "title", "Stand again",
                "period_start", start, "period_end", f.in_30_days,
                "therapist_ids", J(f.pid[FX_THER]), "exercises", "library_id",
                J(lib_id), "sessions_per_week", 3);
    } else {
        fx_call(&f, FX_FAM, "POST",
                fx_path("/api/v1/residents/%lld/rehab-plans",
                        (long long)f.resident),
                "{s:s,s:s,s:s,s:[I],s:[{s:s,s:i,s:i,s:i}]}", "title",
                "Walk again", "period_start", start, "period_end",
                f.in_30_days, "therapist_ids", J(f.pid[FX_THER]), "exercises",
                "name", "Heel raises", "sets", 2, "reps", 10,
                "sessions_per_week", 3);
    }
    if (f.status != 201) {
        printf("# plan: %ld %s\n", f.status, f.body);
        return 0;
    }
    int64_t id = fx_int(&f, "id");
    if (from_library) {
        exercise_a = json_integer_value(json_object_get(
            json_array_get(json_object_get(f.doc, "exercises"), 0), "id"));
    }
    fx_call(&f, FX_FAM, "POST",
            fx_path("/api/v1/rehab-plans/%lld/activate", (long long)id), NULL);
    return f.status == 200 ? id : 0;
}

static const char *
session_status(int64_t id)
{
    static char status[16];

    fx_call(&f, FX_THER, "GET",
            fx_path("/api/v1/rehab-sessions/%lld", (long long)id), NULL);
    g_strlcpy(status, fx_str(&f, "status") ? fx_str(&f, "status") : "?",
              sizeof(status));
    return status;
}

/* Wait (the alert timer runs every second) until session `id` is
 * `status`; false after 6 s. */
static bool
wait_status(int64_t id, const char *status)
{
    for (int i = 0; i < 60; i++) {
        if (strcmp(session_status(id), status) == 0) {
            return true;
        }
        sig_spin(100);
    }
    return false;
}

/* How many alerts of `kind` plan `plan` has. */
static int
alerts_of(int64_t plan, const char *kind, json_t **first)
{
    json_t *items, *a;
    size_t i;
    int n = 0;

    fx_call(&f, FX_THER, "GET",
            fx_path("/api/v1/rehab-plans/%lld/alerts", (long long)plan), NULL);
    items = json_object_get(f.doc, "items");
    json_array_foreach(items, i, a)
    {
        if (g_strcmp0(json_string_value(json_object_get(a, "kind")), kind) ==
            0) {
            if (n++ == 0 && first) {
                *first = json_incref(a);
            }
        }
    }
    return n;
}

/* Wait for a pushed rehab-alert of `kind` on `plan` (consumed). */
static json_t *
wait_push(struct tpeer *p, const char *kind, int64_t plan, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
        for (GList *l = p->events.head; l; l = l->next) {
            json_t *ev = l->data;
            json_t *alert = json_object_get(ev, "alert");
            if (g_strcmp0(json_string_value(json_object_get(ev, "type")),
                          "rehab-alert") == 0 &&
                g_strcmp0(json_string_value(json_object_get(alert, "kind")),
                          kind) == 0 &&
                json_integer_value(json_object_get(alert, "plan_id")) ==
                    plan) {
                g_queue_delete_link(&p->events, l);
                return ev;
            }
        }
        sig_spin(50);
    }
    return NULL;
}

/* ---- the week ---- */

static void
test_library_exercise_with_a_demo_video(void)
{
    char sha[65];
    g_autofree char *own_sha = NULL;
    GBytes *got = NULL;
    int64_t upload;

    TC_REQUIRE(make_video(f.dir, "demo.webm", 30, &video, &video_len));
    TC_REQUIRE(video_len > 2000);

    /* a resident does not write the library */
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST", "/api/v1/rehab-library",
                        "{s:s,s:s,s:s,s:i,s:i}", "name", "x",
                        "instructions_zh", "x", "instructions_en", "x",
                        "default_sets", 1, "default_reps", 1),
                403);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST", "/api/v1/rehab-library",
                        "{s:s,s:s,s:s,s:i,s:i,s:[{s:s,s:s},{s:s,s:s}]}",
                        "name", "Sit to stand", "instructions_zh",
                        "从椅子上站起来，再慢慢坐下。", "instructions_en",
                        "Stand up from the chair, sit down slowly.",
                        "default_sets", 3, "default_reps", 8, "precautions",
                        "category", "physical", "text", "Use the armrests.",
                        "category", "visual", "text",
                        "A carer stands beside."),
                201);
    lib_id = fx_int(&f, "id");
    TC_REQUIRE(lib_id > 0);
    TC_CHECK_EQ(fx_int(&f, "created_by"), f.pid[FX_THER]);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "precautions")), 2);
    TC_CHECK(json_is_null(json_object_get(f.doc, "video")));

    /* only the author uploads its video */
    own_sha = sha_hex(video, video_len);
    g_strlcpy(sha, own_sha, sizeof(sha));
    TC_CHECK_EQ(
        fx_call(&f, FX_THER2, "POST",
                fx_path("/api/v1/rehab-library/%lld/video", (long long)lib_id),
                "{s:I,s:s}", "size", J(video_len), "sha256", sha),
        403);
    TC_CHECK_EQ(
        fx_call(&f, FX_THER, "POST",
                fx_path("/api/v1/rehab-library/%lld/video", (long long)lib_id),
                "{s:I,s:s}", "size", J(video_len), "sha256", sha),
        201);
    upload = fx_int(&f, "id");
    TC_CHECK_EQ(fx_int(&f, "offset"), 0);
    TC_CHECK_EQ(put_rest(FX_THER, upload, video, video_len, 0, 16384), 200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "complete");
    TC_CHECK_STR_EQ(fx_str(&f, "mime"), "video/webm");
    TC_CHECK(fx_int(&f, "duration_ms") >= 1900); /* 30 frames at 15/s */

    /* served whole, and by range, to anyone (a <video> has no token) */
    const char *range[] = {"Range: bytes=100-1099", NULL};
    TC_CHECK_EQ(raw_call(-1, "GET",
                         fx_path("/api/v1/rehab-library/%lld/video",
                                 (long long)lib_id),
                         NULL, 0, NULL, range, &got),
                206);
    TC_CHECK_EQ(g_bytes_get_size(got), 1000);
    TC_CHECK(memcmp(g_bytes_get_data(got, NULL), video + 100, 1000) == 0);
    g_bytes_unref(got);
    TC_CHECK_EQ(raw_call(-1, "GET",
                         fx_path("/api/v1/rehab-library/%lld/video",
                                 (long long)lib_id),
                         NULL, 0, NULL, NULL, &got),
                200);
    TC_CHECK_EQ(g_bytes_get_size(got), video_len);
    TC_CHECK(memcmp(g_bytes_get_data(got, NULL), video, video_len) == 0);
    g_bytes_unref(got);
    const char *past[] = {"Range: bytes=99999999-", NULL};
    TC_CHECK_EQ(raw_call(-1, "GET",
                         fx_path("/api/v1/rehab-library/%lld/video",
                                 (long long)lib_id),
                         NULL, 0, NULL, past, NULL),
                416);

    TC_CHECK_EQ(
        fx_call(&f, FX_RES, "GET",
                fx_path("/api/v1/rehab-library/%lld", (long long)lib_id),
                NULL),
        200);
    TC_CHECK_EQ(json_integer_value(
                    json_object_get(json_object_get(f.doc, "video"), "size")),
                (json_int_t)video_len);
    TC_CHECK_EQ(fx_call(&f, FX_RES, "GET", "/api/v1/rehab-library", NULL),
                200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")), 1);
}

/* A text file, and a file whose declared checksum is not its own, are
 * refused at the end; nothing becomes the exercise's video. */
static void
test_non_video_and_lying_checksum_are_refused(void)
{
    static const char text[] = "this is not a video, only some words. "
                               "this is not a video, only some words.";
    g_autofree char *sha = sha_hex(text, sizeof(text) - 1);
    g_autofree char *other = sha_hex("something else", 14);
    int64_t lib2, upload;

    TC_REQUIRE(fx_call(&f, FX_THER, "POST", "/api/v1/rehab-library",
                       "{s:s,s:s,s:s,s:i,s:i}", "name", "Heel raises",
                       "instructions_zh", "踮脚。", "instructions_en",
                       "Rise onto the toes.", "default_sets", 2,
                       "default_reps", 12) == 201);
    lib2 = fx_int(&f, "id");

    TC_CHECK_EQ(
        fx_call(&f, FX_THER, "POST",
                fx_path("/api/v1/rehab-library/%lld/video", (long long)lib2),
                "{s:I,s:s}", "size", J(sizeof(text) - 1), "sha256", sha),
        201);
    upload = fx_int(&f, "id");
    TC_CHECK_EQ(put_rest(FX_THER, upload, text, sizeof(text) - 1, 0, 40), 422);
    TC_CHECK_STR_EQ(fx_error_field(&f), "file");
    TC_CHECK_STR_CONTAINS(fx_error_message(&f), "video:");

    /* the checksum of the whole file is checked before anything else */
    TC_CHECK_EQ(
        fx_call(&f, FX_THER, "POST",
                fx_path("/api/v1/rehab-library/%lld/video", (long long)lib2),
                "{s:I,s:s}", "size", J(video_len), "sha256", other),
        201);
    upload = fx_int(&f, "id");
    TC_CHECK_EQ(put_rest(FX_THER, upload, video, video_len, 0, 65536), 422);
    TC_CHECK_STR_CONTAINS(fx_error_message(&f), "sha256");
    TC_CHECK_EQ(
        raw_call(FX_THER, "GET",
                 fx_path("/api/v1/rehab-uploads/%lld", (long long)upload),
                 NULL, 0, NULL, NULL, NULL),
        200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "rejected");
    TC_CHECK_EQ(
        raw_call(-1, "GET",
                 fx_path("/api/v1/rehab-library/%lld/video", (long long)lib2),
                 NULL, 0, NULL, NULL, NULL),
        404);
}

static void
test_plan_from_the_library_with_a_schedule(void)
{
    json_t *ex;
    char today[11], in_6[11];
    int first;

    plan_a = plan_new(-13, true);
    TC_REQUIRE(plan_a > 0);
    fx_call(&f, FX_THER, "GET",
            fx_path("/api/v1/rehab-plans/%lld", (long long)plan_a), NULL);
    ex = json_array_get(json_object_get(f.doc, "exercises"), 0);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(ex, "name")),
                    "Sit to stand");
    TC_CHECK_EQ(json_integer_value(json_object_get(ex, "sets")), 3);
    TC_CHECK_EQ(json_integer_value(json_object_get(ex, "reps")), 8);
    TC_CHECK_EQ(json_integer_value(json_object_get(ex, "library_id")), lib_id);

    /* Monday and Thursday 09:30, Saturday 15:00 (China time); generating
     * over the next seven days schedules exactly three, and again none */
    TC_CHECK_EQ(
        fx_call(
            &f, FX_THER, "PUT",
            fx_path("/api/v1/rehab-plans/%lld/schedule", (long long)plan_a),
            "{s:s,s:[{s:i,s:s,s:s,s:I},{s:i,s:s,s:s},{s:i,s:s,s:s,s:I}]}",
            "utc_offset", "+08:00", "slots", "weekday", 1, "time", "09:30",
            "mode", "live_guided", "therapist_id", J(f.pid[FX_THER]),
            "weekday", 4, "time", "09:30", "mode", "self_guided", "weekday", 6,
            "time", "15:00", "mode", "home_visit", "therapist_id",
            J(f.pid[FX_THER])),
        200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "slots")), 3);
    day(today, 1);
    day(in_6, 7);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-plans/%lld/schedule/generate",
                                (long long)plan_a),
                        "{s:s,s:s}", "from", today, "to", in_6),
                200);
    first = (int)fx_int(&f, "created");
    TC_CHECK_EQ(first, 3);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-plans/%lld/schedule/generate",
                                (long long)plan_a),
                        "{s:s,s:s}", "from", today, "to", in_6),
                200);
    TC_CHECK_EQ(fx_int(&f, "created"), 0);
}

static void
test_live_session_attendance_comes_from_signaling(void)
{
    g_autofree char *room = NULL;
    struct tpeer *res;
    json_t *ok, *ev;

    live_id = schedule(plan_a, "live_guided", g_get_real_time() - MIN_US);
    TC_REQUIRE(live_id > 0);
    room = g_strdup_printf("rehab-session:%lld", (long long)live_id);
    res = tpeer_new_token(ws_url, "res", f.token[FX_RES], 0);
    TC_REQUIRE(res);

    ok = tpeer_join(ther_peer, room);
    TC_REQUIRE(ok);
    json_decref(ok);
    ok = tpeer_join(res, room);
    TC_REQUIRE(ok);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(ok, "state")),
                    "waiting");
    json_decref(ok);
    /* waiting is not attending: the session has not started */
    TC_CHECK_STR_EQ(session_status(live_id), "scheduled");
    ev = tpeer_wait(ther_peer, "waiting", NULL, NULL, 3000);
    TC_CHECK(ev);
    json_decref(ev);
    TC_CHECK_EQ(tc_sdk_client_admit(ther_peer->c, room, tpeer_id(res), "a1"),
                0);
    ev = tpeer_wait(res, "admitted", "room", room, 3000);
    TC_REQUIRE(ev);
    json_decref(ev);
    /* both in the call: started by signaling, not typed in */
    TC_CHECK_STR_EQ(session_status(live_id), "in_progress");

    /* the therapist marks sets; the resident sees each; twice is refused */
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/sets",
                                (long long)live_id),
                        "{s:I,s:i}", "exercise_id", J(exercise_a), "set", 1),
                201);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/sets",
                                (long long)live_id),
                        "{s:I,s:i}", "exercise_id", J(exercise_a), "set", 1),
                409);
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/sets",
                                (long long)live_id),
                        "{s:I,s:i}", "exercise_id", J(exercise_a), "set", 2),
                403);
    ev = tpeer_wait(res, "rehab-set-done", "room", room, 3000);
    TC_REQUIRE(ev);
    TC_CHECK_EQ(json_integer_value(json_object_get(ev, "set")), 1);
    TC_CHECK_EQ(json_integer_value(json_object_get(json_object_get(ev, "sets"),
                                                   "prescribed")),
                3);
    json_decref(ev);

    sig_spin(1300); /* time in the call together */
    TC_CHECK_EQ(tc_sdk_client_leave(res->c, room, "l1"), 0);
    ev = tpeer_wait(ther_peer, "peer-left", NULL, NULL, 3000);
    TC_CHECK(ev);
    json_decref(ev);
    tpeer_free(res);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/finish",
                                (long long)live_id),
                        "{s:i,s:s,s:i}", "completion_pct", 33, "attendance",
                        "alone", "pain_after", 2),
                200);
    TC_CHECK_EQ(tc_sdk_client_leave(ther_peer->c, room, "l2"), 0);
    sig_spin(200);

    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET",
                        fx_path("/api/v1/rehab-sessions/%lld/attendance",
                                (long long)live_id),
                        NULL),
                200);
    /* therapist present, resident present, resident absent, therapist
     * absent (after the finish: its interval ends with the session) */
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "events")), 4);
    TC_CHECK(fx_int(&f, "together_s") >= 1);
    TC_CHECK(fx_int(&f, "together_s") <= 10);
    TC_CHECK(fx_int(&f, "therapist_s") >= fx_int(&f, "together_s"));
    TC_CHECK_EQ(fx_int(&f, "media_s"), 0); /* media has not reported */
    TC_CHECK_EQ(json_integer_value(
                    json_object_get(json_object_get(f.doc, "sets"), "done")),
                1);
}

static void
test_self_guided_upload_breaks_off_and_resumes(void)
{
    g_autofree char *sha = sha_hex(video, video_len);
    g_autofree char *bad = sha_hex("x", 1);
    int64_t upload, s2;
    size_t half = video_len / 2;

    self_id = schedule(plan_a, "self_guided", g_get_real_time() - 30 * MIN_US);
    s2 = schedule(plan_a, "self_guided", g_get_real_time() - 20 * MIN_US);
    TC_REQUIRE(self_id > 0 && s2 > 0);

    /* recorded only with consent: the resident gives it, not the
     * therapist */
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-plans/%lld/recording-consent",
                                (long long)plan_a),
                        NULL),
                403);
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST",
                        fx_path("/api/v1/rehab-plans/%lld/recording-consent",
                                (long long)plan_a),
                        NULL),
                201);
    TC_CHECK_EQ(fx_call(&f, FX_CARER, "POST",
                        fx_path("/api/v1/rehab-plans/%lld/recording-consent",
                                (long long)plan_a),
                        NULL),
                409);
    /* the plan says so (the web app records only then) */
    TC_CHECK_EQ(fx_call(&f, FX_RES, "GET",
                        fx_path("/api/v1/rehab-plans/%lld", (long long)plan_a),
                        NULL),
                200);
    TC_CHECK(json_is_true(json_object_get(f.doc, "recording_consent")));

    /* no recording before the session starts */
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/recording",
                                (long long)self_id),
                        "{s:I,s:s}", "size", J(video_len), "sha256", sha),
                409);
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/start",
                                (long long)self_id),
                        "{s:i}", "pain_before", 2),
                200);
    /* one session at a time */
    TC_CHECK_EQ(
        fx_call(&f, FX_RES, "POST",
                fx_path("/api/v1/rehab-sessions/%lld/start", (long long)s2),
                "{s:i}", "pain_before", 2),
        409);
    TC_CHECK_STR_CONTAINS(fx_error_message(&f), "one session at a time");

    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/recording",
                                (long long)self_id),
                        "{s:I,s:s}", "size", J(video_len), "sha256", sha),
                201);
    upload = fx_int(&f, "id");

    /* the first half arrives in two chunks, then the link breaks */
    TC_CHECK_EQ(put_chunk(FX_RES, upload, video, 0, half / 2, NULL), 200);
    TC_CHECK_EQ(put_chunk(FX_RES, upload, video, (int64_t)(half / 2),
                          half - half / 2, NULL),
                200);
    TC_CHECK_EQ(fx_int(&f, "offset"), (int64_t)half);
    /* a chunk corrupted in flight: refused, nothing counted */
    TC_CHECK_EQ(put_chunk(FX_RES, upload, video, (int64_t)half, 1000, bad),
                422);
    TC_CHECK_STR_EQ(fx_error_field(&f), "x-chunk-sha256");
    /* a chunk sent twice (the answer was lost): refused with the offset */
    TC_CHECK_EQ(put_chunk(FX_RES, upload, video, 0, half / 2, NULL), 409);
    TC_CHECK_EQ(fx_int(&f, "offset"), (int64_t)half);
    /* someone else cannot push into it */
    TC_CHECK_EQ(put_chunk(FX_CARER, upload, video, (int64_t)half, 100, NULL),
                403);

    /* the app restarts knowing only the file: the same upload comes back */
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/recording",
                                (long long)self_id),
                        "{s:I,s:s}", "size", J(video_len), "sha256", sha),
                200);
    TC_CHECK_EQ(fx_int(&f, "id"), upload);
    TC_CHECK_EQ(fx_int(&f, "offset"), (int64_t)half);
    TC_CHECK_EQ(put_rest(FX_RES, upload, video, video_len, half, 7000), 200);
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "complete");
    TC_CHECK_EQ(fx_int(&f, "offset"), (int64_t)video_len);

    /* then the pain report with the picture scale */
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/finish",
                                (long long)self_id),
                        "{s:i,s:i,s:i}", "completion_pct", 100, "pain_after",
                        3, "difficulty", 2),
                200);
    TC_CHECK_STR_EQ(fx_str(&f, "recording_ref"),
                    fx_path("upload:%lld", (long long)upload));
    /* a recording once is enough */
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/recording",
                                (long long)self_id),
                        "{s:I,s:s}", "size", J(video_len), "sha256", sha),
                409);

    /* S2: pain 3 -> 5 is +2: no alert */
    TC_CHECK_EQ(
        fx_call(&f, FX_RES, "POST",
                fx_path("/api/v1/rehab-sessions/%lld/start", (long long)s2),
                "{s:i}", "pain_before", 3),
        200);
    TC_CHECK_EQ(
        fx_call(&f, FX_RES, "POST",
                fx_path("/api/v1/rehab-sessions/%lld/finish", (long long)s2),
                "{s:i,s:i,s:i}", "completion_pct", 90, "pain_after", 5,
                "difficulty", 3),
        200);
    TC_CHECK_EQ(alerts_of(plan_a, "pain_up", NULL), 0);
}

static void
test_review_queue_streams_the_recording(void)
{
    GBytes *got = NULL;
    json_t *items, *first;
    const char *range[] = {"Range: bytes=0-", NULL};
    g_autofree char *url = NULL, *forged = NULL;

    TC_CHECK_EQ(fx_call(&f, FX_THER, "GET", "/api/v1/rehab-reviews", NULL),
                200);
    items = json_object_get(f.doc, "items");
    TC_REQUIRE(json_array_size(items) == 2); /* self_id and s2 */
    first = json_array_get(items, 0);
    TC_CHECK_EQ(json_integer_value(json_object_get(first, "id")), self_id);
    TC_CHECK_STR_EQ(
        json_string_value(json_object_get(first, "recording_url")),
        fx_path("/api/v1/rehab-sessions/%lld/recording", (long long)self_id));
    TC_CHECK(json_is_null(
        json_object_get(json_array_get(items, 1), "recording_url")));
    TC_CHECK_EQ(fx_call(&f, FX_THER2, "GET", "/api/v1/rehab-reviews", NULL),
                200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")), 0);

    TC_CHECK_EQ(raw_call(FX_THER, "GET",
                         fx_path("/api/v1/rehab-sessions/%lld/recording",
                                 (long long)self_id),
                         NULL, 0, NULL, range, &got),
                206);
    TC_CHECK_EQ(g_bytes_get_size(got), video_len);
    TC_CHECK(memcmp(g_bytes_get_data(got, NULL), video, video_len) == 0);
    g_bytes_unref(got);
    TC_CHECK_EQ(raw_call(FX_THER2, "GET",
                         fx_path("/api/v1/rehab-sessions/%lld/recording",
                                 (long long)self_id),
                         NULL, 0, NULL, range, NULL),
                403);

    /* a <video src> sends no token: a ticket URL plays instead */
    TC_CHECK_EQ(fx_call(&f, FX_THER2, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/recording/ticket",
                                (long long)self_id),
                        NULL),
                403);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/recording/ticket",
                                (long long)self_id),
                        NULL),
                200);
    url = g_strdup(fx_str(&f, "url"));
    TC_REQUIRE(url && g_str_has_prefix(url, "/api/v1/rehab-recordings/"));
    const char *tail[] = {"Range: bytes=-1000", NULL};
    TC_CHECK_EQ(raw_call(-1, "GET", url, NULL, 0, NULL, tail, &got), 206);
    TC_CHECK_EQ(g_bytes_get_size(got), 1000);
    TC_CHECK(memcmp(g_bytes_get_data(got, NULL), video + video_len - 1000,
                    1000) == 0);
    g_bytes_unref(got);
    forged = g_strdup(url);
    forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == '0' ? '1' : '0';
    TC_CHECK_EQ(raw_call(-1, "GET", forged, NULL, 0, NULL, NULL, NULL), 403);
    TC_CHECK_EQ(raw_call(-1, "GET", "/api/v1/rehab-recordings/1.2.3.x", NULL,
                         0, NULL, NULL, NULL),
                403);
    TC_CHECK(fx_audited(&f, "ther", "rehab_session", "success") > 0);

    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/review",
                                (long long)self_id),
                        "{s:i}", "score", 6),
                422);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/review",
                                (long long)self_id),
                        "{s:i}", "score", 4),
                200);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/note",
                                (long long)self_id),
                        "{s:s}", "text", "Good depth; slow the descent."),
                201);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "GET", "/api/v1/rehab-reviews", NULL),
                200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")), 1);
}

static void
test_home_visit_and_pain_alert(void)
{
    int64_t s3;
    json_t *ev, *alert = NULL;

    home_id = schedule(plan_a, "home_visit", g_get_real_time() - 40 * MIN_US);
    TC_REQUIRE(home_id > 0);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/start",
                                (long long)home_id),
                        "{s:i}", "pain_before", 4),
                200);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/finish",
                                (long long)home_id),
                        "{s:i,s:s}", "completion_pct", 100, "attendance",
                        "with_carer"),
                200);

    /* S3: pain 5 before, 8 after: +3 raises one alert at once */
    s3 = schedule(plan_a, "self_guided", g_get_real_time() - 10 * MIN_US);
    TC_REQUIRE(s3 > 0);
    TC_CHECK_EQ(
        fx_call(&f, FX_RES, "POST",
                fx_path("/api/v1/rehab-sessions/%lld/start", (long long)s3),
                "{s:i}", "pain_before", 5),
        200);
    TC_CHECK_EQ(
        fx_call(&f, FX_RES, "POST",
                fx_path("/api/v1/rehab-sessions/%lld/finish", (long long)s3),
                "{s:i,s:i,s:i}", "completion_pct", 60, "pain_after", 8,
                "difficulty", 5),
        200);
    TC_CHECK_EQ(alerts_of(plan_a, "pain_up", &alert), 1);
    TC_CHECK_EQ(json_integer_value(json_object_get(alert, "session_id")), s3);
    TC_CHECK_EQ(json_integer_value(json_object_get(alert, "value")), 3);
    json_decref(alert);
    ev = wait_push(ther_peer, "pain_up", plan_a, 3000);
    TC_CHECK(ev);
    json_decref(ev);
    ev = wait_push(fam_peer, "pain_up", plan_a, 3000);
    TC_CHECK(ev);
    json_decref(ev);
    sig_spin(1500); /* sweeps evaluate again: still one */
    TC_CHECK_EQ(alerts_of(plan_a, "pain_up", NULL), 1);
    TC_CHECK(wait_push(ther_peer, "pain_up", plan_a, 200) == NULL);
}

static void
test_three_missed_in_a_row_fires_on_the_third(void)
{
    int64_t plan_b = plan_new(-20, false), b1, b2, b3;
    int64_t now = g_get_real_time();
    json_t *alert = NULL, *ev;

    TC_REQUIRE(plan_b > 0);
    b1 = schedule(plan_b, "self_guided", now - 5 * FX_DAY_US);
    b2 = schedule(plan_b, "self_guided", now - 4 * FX_DAY_US);
    TC_REQUIRE(b1 > 0 && b2 > 0);
    TC_CHECK(wait_status(b1, "missed"));
    TC_CHECK(wait_status(b2, "missed"));
    sig_spin(1200); /* at least one more sweep after both */
    TC_CHECK_EQ(alerts_of(plan_b, "missed_in_a_row", NULL), 0);
    TC_CHECK(wait_push(ther_peer, "missed_in_a_row", plan_b, 100) == NULL);

    b3 = schedule(plan_b, "self_guided", now - 3 * FX_DAY_US);
    TC_CHECK(wait_status(b3, "missed"));
    ev = wait_push(ther_peer, "missed_in_a_row", plan_b, 3000);
    TC_CHECK(ev);
    json_decref(ev);
    ev = wait_push(fam_peer, "missed_in_a_row", plan_b, 3000);
    TC_CHECK(ev);
    json_decref(ev);
    TC_CHECK_EQ(alerts_of(plan_b, "missed_in_a_row", &alert), 1);
    TC_CHECK_EQ(json_integer_value(json_object_get(alert, "session_id")), b1);
    TC_CHECK_EQ(json_integer_value(json_object_get(alert, "value")), 3);
    json_decref(alert);
    /* 20 days with nothing completed: that fires too, once */
    TC_CHECK_EQ(alerts_of(plan_b, "no_session", &alert), 1);
    TC_CHECK_EQ(json_integer_value(json_object_get(alert, "value")), 20);
    json_decref(alert);
    sig_spin(1500);
    TC_CHECK_EQ(alerts_of(plan_b, "missed_in_a_row", NULL), 1);
    TC_CHECK_EQ(alerts_of(plan_b, "no_session", NULL), 1);
}

static void
test_quiet_fortnight_fires_on_day_fourteen_not_thirteen(void)
{
    int64_t plan_c = plan_new(-13, false), plan_d = plan_new(-14, false);
    json_t *ev;

    TC_REQUIRE(plan_c > 0 && plan_d > 0);
    ev = wait_push(ther_peer, "no_session", plan_d, 4000);
    TC_CHECK(ev);
    json_decref(ev);
    TC_CHECK_EQ(alerts_of(plan_d, "no_session", NULL), 1);
    TC_CHECK_EQ(alerts_of(plan_c, "no_session", NULL), 0);
    /* plan A, 13 days old too, has completed sessions: nothing */
    TC_CHECK_EQ(alerts_of(plan_a, "no_session", NULL), 0);
    TC_CHECK_EQ(alerts_of(plan_a, "missed_in_a_row", NULL), 0);
}

static void
test_outcomes_and_the_alert_list(void)
{
    json_t *weeks, *w, *pain, *a;
    size_t i;
    int open_before;

    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/residents/%lld/barthel",
                                (long long)f.resident),
                        "{s:I,s:{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}}",
                        "plan_id", J(plan_a), "items", "feeding", 5, "bathing",
                        0, "grooming", 0, "dressing", 5, "bowels", 10,
                        "bladder", 10, "toilet_use", 5, "transfers", 5,
                        "mobility", 5, "stairs", 0),
                201);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/residents/%lld/barthel",
                                (long long)f.resident),
                        "{s:I,s:{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}}",
                        "plan_id", J(plan_a), "items", "feeding", 10,
                        "bathing", 0, "grooming", 5, "dressing", 5, "bowels",
                        10, "bladder", 10, "toilet_use", 10, "transfers", 10,
                        "mobility", 10, "stairs", 0),
                201);

    TC_CHECK_EQ(fx_call(&f, FX_FAM, "GET",
                        fx_path("/api/v1/rehab-plans/%lld/outcomes",
                                (long long)plan_a),
                        NULL),
                200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "barthel")), 2);
    TC_CHECK_EQ(
        json_integer_value(json_object_get(
            json_array_get(json_object_get(f.doc, "barthel"), 0), "total")),
        45);
    TC_CHECK_EQ(
        json_integer_value(json_object_get(
            json_array_get(json_object_get(f.doc, "barthel"), 1), "total")),
        70);
    pain = json_object_get(f.doc, "pain");
    TC_CHECK_EQ(json_array_size(pain), 5); /* live, home, S1, S2, S3 */
    /* two weeks so far: the plan began 13 days ago; 3 prescribed a week;
     * this week: live, S1, S2, the home visit and S3 completed */
    weeks = json_object_get(f.doc, "adherence");
    TC_REQUIRE(json_array_size(weeks) == 2);
    w = json_array_get(weeks, 0);
    TC_CHECK_EQ(json_integer_value(json_object_get(w, "prescribed")), 3);
    TC_CHECK_EQ(json_integer_value(json_object_get(w, "done")), 0);
    w = json_array_get(weeks, 1);
    TC_CHECK_EQ(json_integer_value(json_object_get(w, "prescribed")), 3);
    TC_CHECK_EQ(json_integer_value(json_object_get(w, "done")), 5);

    /* the family doctor's list: pain (A), missed and quiet (B), quiet
     * (D); a therapist with no relation sees none */
    TC_CHECK_EQ(
        fx_call(&f, FX_FAM, "GET", "/api/v1/rehab-alerts?open=true", NULL),
        200);
    open_before = (int)json_array_size(json_object_get(f.doc, "items"));
    TC_CHECK_EQ(open_before, 4);
    a = json_array_get(json_object_get(f.doc, "items"), 0);
    int64_t alert_id = json_integer_value(json_object_get(a, "id"));
    TC_CHECK_EQ(fx_call(&f, FX_THER2, "GET", "/api/v1/rehab-alerts", NULL),
                200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")), 0);
    TC_CHECK_EQ(fx_call(&f, FX_THER2, "POST",
                        fx_path("/api/v1/rehab-alerts/%lld/acknowledge",
                                (long long)alert_id),
                        NULL),
                403);
    TC_CHECK_EQ(fx_call(&f, FX_FAM, "POST",
                        fx_path("/api/v1/rehab-alerts/%lld/acknowledge",
                                (long long)alert_id),
                        NULL),
                200);
    TC_CHECK_EQ(fx_int(&f, "acknowledged_by"), f.pid[FX_FAM]);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-alerts/%lld/acknowledge",
                                (long long)alert_id),
                        NULL),
                409);
    TC_CHECK_EQ(
        fx_call(&f, FX_THER, "GET", "/api/v1/rehab-alerts?open=true", NULL),
        200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "items")),
                (size_t)open_before - 1);
    json_array_foreach(json_object_get(f.doc, "items"), i, a)
    {
        TC_CHECK(json_integer_value(json_object_get(a, "id")) != alert_id);
    }
}

static void
test_bad_requests(void)
{
    const struct fx_bad rows[] = {
        {"library: sets 0", FX_THER, "POST", "/api/v1/rehab-library",
         "{\"name\":\"x\",\"instructions_zh\":\"x\",\"instructions_en\":\"x\","
         "\"default_sets\":0,\"default_reps\":5}",
         422, "default_sets"},
        {"library: unknown category", FX_THER, "POST", "/api/v1/rehab-library",
         "{\"name\":\"x\",\"instructions_zh\":\"x\",\"instructions_en\":\"x\","
         "\"default_sets\":1,\"default_reps\":5,\"precautions\":[{"
         "\"category\":\"alien\",\"text\":\"t\"}]}",
         422, "precautions[0].category"},
        {"schedule: weekday 8", FX_THER, "PUT",
         "/api/v1/rehab-plans/{id}/schedule",
         "{\"slots\":[{\"weekday\":8,\"time\":\"09:00\",\"mode\":"
         "\"self_guided\"}]}",
         422, "slots[0].weekday"},
        {"schedule: 25 o'clock", FX_THER, "PUT",
         "/api/v1/rehab-plans/{id}/schedule",
         "{\"slots\":[{\"weekday\":1,\"time\":\"25:00\",\"mode\":"
         "\"self_guided\"}]}",
         422, "slots[0].time"},
        {"schedule: twice the same slot", FX_THER, "PUT",
         "/api/v1/rehab-plans/{id}/schedule",
         "{\"slots\":[{\"weekday\":1,\"time\":\"09:00\",\"mode\":"
         "\"self_guided\"},{\"weekday\":1,\"time\":\"09:00\",\"mode\":"
         "\"self_guided\"}]}",
         422, "slots[1]"},
        {"schedule: by the resident", FX_RES, "PUT",
         "/api/v1/rehab-plans/{id}/schedule", "{\"slots\":[]}", 403, NULL},
        {"session outside the plan period", FX_THER, "POST",
         "/api/v1/rehab-plans/{id}/sessions",
         "{\"mode\":\"self_guided\",\"scheduled_at\":"
         "\"2099-01-01T09:00:00Z\"}",
         422, NULL},
        {"alerts: open=maybe", FX_THER, "GET",
         "/api/v1/rehab-alerts?open=maybe", NULL, 400, "open"},
    };
    g_autofree char *sha = sha_hex(video, video_len);
    g_autofree char *big = NULL;

    fx_bad_requests(&f, rows, G_N_ELEMENTS(rows), plan_a);
    /* the week's schedule is as it was */
    TC_CHECK_EQ(fx_call(&f, FX_THER, "GET",
                        fx_path("/api/v1/rehab-plans/%lld/schedule",
                                (long long)plan_a),
                        NULL),
                200);
    TC_CHECK_EQ(json_array_size(json_object_get(f.doc, "slots")), 3);

    const struct fx_bad session_rows[] = {
        {"recording of a live session", FX_RES, "POST",
         "/api/v1/rehab-sessions/{id}/recording",
         "{\"size\":10,\"sha256\":"
         "\"0000000000000000000000000000000000000000000000000000000000000000\""
         "}",
         409, NULL},
        {"recording: size 0", FX_RES, "POST",
         "/api/v1/rehab-sessions/{id}/recording",
         "{\"size\":0,\"sha256\":\"ab\"}", 400, "size"},
        {"recording: over the size limit", FX_RES, "POST",
         "/api/v1/rehab-sessions/{id}/recording",
         "{\"size\":99999999999,\"sha256\":\"ab\"}", 400, "size"},
    };
    fx_bad_requests(&f, session_rows, G_N_ELEMENTS(session_rows), live_id);
    /* sets: of a finished session, out of range, of another plan */
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/sets",
                                (long long)live_id),
                        "{s:I,s:i}", "exercise_id", J(exercise_a), "set", 2),
                409);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/sets",
                                (long long)live_id),
                        "{s:I,s:i}", "exercise_id", J(exercise_a), "set", 99),
                422);
    TC_CHECK_STR_EQ(fx_error_field(&f), "set");
    TC_CHECK_EQ(fx_call(&f, FX_THER, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/sets",
                                (long long)live_id),
                        "{s:I,s:i}", "exercise_id", J(exercise_a + 1000),
                        "set", 1),
                422);
    TC_CHECK_STR_EQ(fx_error_field(&f), "exercise_id");

    /* a malformed sha256 on a self-guided session in progress */
    int64_t s4 = schedule(plan_a, "self_guided", g_get_real_time() - MIN_US);
    TC_REQUIRE(s4 > 0);
    TC_CHECK_EQ(
        fx_call(&f, FX_RES, "POST",
                fx_path("/api/v1/rehab-sessions/%lld/start", (long long)s4),
                NULL),
        200);
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/recording",
                                (long long)s4),
                        "{s:I,s:s}", "size", J(video_len), "sha256",
                        "ZZ not hex"),
                422);
    TC_CHECK_STR_EQ(fx_error_field(&f), "sha256");
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/recording",
                                (long long)s4),
                        "{s:I,s:s}", "size", J(video_len), "sha256", sha),
                201);
    int64_t up = fx_int(&f, "id");
    /* chunk headers missing, a wrong content type, past the size */
    TC_CHECK_EQ(raw_call(FX_RES, "PUT",
                         fx_path("/api/v1/rehab-uploads/%lld", (long long)up),
                         video, 100, "application/octet-stream", NULL, NULL),
                400);
    TC_CHECK_STR_EQ(fx_error_field(&f), "upload-offset");
    TC_CHECK_EQ(raw_call(FX_RES, "PUT",
                         fx_path("/api/v1/rehab-uploads/%lld", (long long)up),
                         video, 100, "text/plain", NULL, NULL),
                415);
    big = g_malloc0(video_len + 10);
    memcpy(big, video, video_len);
    TC_CHECK_EQ(put_chunk(FX_RES, up, big, 0, video_len + 10, NULL), 422);
    TC_CHECK_EQ(raw_call(FX_RES, "GET",
                         fx_path("/api/v1/rehab-uploads/%lld", (long long)up),
                         NULL, 0, NULL, NULL, NULL),
                200);
    TC_CHECK_EQ(fx_int(&f, "offset"), 0); /* nothing was counted */
    TC_CHECK_STR_EQ(fx_str(&f, "status"), "open");

    /* consent withdrawn: no new recording */
    TC_CHECK_EQ(fx_call(&f, FX_CARER, "DELETE",
                        fx_path("/api/v1/rehab-plans/%lld/recording-consent",
                                (long long)plan_a),
                        NULL),
                200);
    TC_CHECK_EQ(fx_call(&f, FX_CARER, "DELETE",
                        fx_path("/api/v1/rehab-plans/%lld/recording-consent",
                                (long long)plan_a),
                        NULL),
                404);
    TC_CHECK_EQ(fx_call(&f, FX_THER, "GET",
                        fx_path("/api/v1/rehab-plans/%lld", (long long)plan_a),
                        NULL),
                200);
    TC_CHECK(json_is_false(json_object_get(f.doc, "recording_consent")));
    int64_t s5 = schedule(plan_a, "self_guided", g_get_real_time() - MIN_US);
    TC_REQUIRE(s5 > 0);
    TC_CHECK_EQ(
        fx_call(&f, FX_RES, "POST",
                fx_path("/api/v1/rehab-sessions/%lld/start", (long long)s5),
                NULL),
        409); /* s4 is still in progress: one at a time */
    TC_CHECK_EQ(
        fx_call(&f, FX_RES, "POST",
                fx_path("/api/v1/rehab-sessions/%lld/finish", (long long)s4),
                "{s:i}", "completion_pct", 10),
        200);
    TC_CHECK_EQ(
        fx_call(&f, FX_RES, "POST",
                fx_path("/api/v1/rehab-sessions/%lld/start", (long long)s5),
                NULL),
        200);
    TC_CHECK_EQ(fx_call(&f, FX_RES, "POST",
                        fx_path("/api/v1/rehab-sessions/%lld/recording",
                                (long long)s5),
                        "{s:I,s:s}", "size", J(video_len), "sha256", sha),
                409);
    TC_CHECK_STR_CONTAINS(fx_error_message(&f), "consent");
    /* an upload opened under consent goes on */
    TC_CHECK_EQ(put_chunk(FX_RES, up, video, 0, 100, NULL), 200);
    TC_CHECK_EQ(fx_int(&f, "offset"), 100);
}

static void
test_server_still_serves(void)
{
    TC_CHECK_EQ(fx_call(&f, -1, "GET", "/healthz", NULL), 200);
}

int
main(void)
{
    fx_ini_extra = "[http]\nrate_per_address = 0\nrate_per_account = 0\n"
                   "[rehab]\nalert_interval_s = 1\nmiss_grace_s = 3600\n"
                   "max_video_bytes = 50000000\n";
    if (fx_open(&f, NULL) != 0) {
        printf("Bail out! fixture\n");
        return 1;
    }
    snprintf(ws_url, sizeof(ws_url), "ws://127.0.0.1:%d/ws", f.h.port);
    ther_peer = tpeer_new_token(ws_url, "ther", f.token[FX_THER], 0);
    fam_peer = tpeer_new_token(ws_url, "fam", f.token[FX_FAM], 0);
    if (!ther_peer || !fam_peer) {
        printf("Bail out! signaling\n");
        return 1;
    }
    TC_RUN(test_library_exercise_with_a_demo_video);
    TC_RUN(test_non_video_and_lying_checksum_are_refused);
    TC_RUN(test_plan_from_the_library_with_a_schedule);
    TC_RUN(test_live_session_attendance_comes_from_signaling);
    TC_RUN(test_self_guided_upload_breaks_off_and_resumes);
    TC_RUN(test_review_queue_streams_the_recording);
    TC_RUN(test_home_visit_and_pain_alert);
    TC_RUN(test_three_missed_in_a_row_fires_on_the_third);
    TC_RUN(test_quiet_fortnight_fires_on_day_fourteen_not_thirteen);
    TC_RUN(test_outcomes_and_the_alert_list);
    TC_RUN(test_bad_requests);
    TC_RUN(test_server_still_serves);
    tpeer_free(ther_peer);
    tpeer_free(fam_peer);
    g_free(video);
    fx_close(&f);
    return tc_done();
}
