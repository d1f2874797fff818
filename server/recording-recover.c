// SPDX-License-Identifier: Apache-2.0
/*
 * recording-recover.c - call recordings that a crash cut short still reach
 * the records.
 *
 * When a track's recording starts, sig-media.c writes a marker beside its
 * file, `<file>.pending.json`: whose media it is (user), of which
 * consultation or rehab session, which track, and when it started. When
 * the recording ends normally its row is written and the marker removed.
 * A server killed mid-call leaves the file (which plays: the muxer writes
 * a cluster at least every second) and its marker. At the next start,
 * before anything is served, every marker under <data_dir>/recordings is
 * taken up: the file is measured by demuxing it whole (its header has no
 * duration) and hashed (tc_media_recording_read), and written to the records
 * like any other recording; then the marker goes. A marker whose row already
 * exists (the crash came between the two) is only removed; one whose file is
 * gone is removed with a warning; one that cannot be taken up (an unreadable
 * file, a database error) stays for the next start, with a warning.
 *
 * Thread: the main loop's (at start, before serving).
 */
#include <errno.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-media.h"
#include "tc-records.h"

#define PENDING_SUFFIX    ".pending.json"
#define MEASURE_TIMEOUT_S 120

const char *
tc_srv__recording_media_type(const char *path, bool video)
{
    if (g_str_has_suffix(path, ".mkv")) {
        return "video/x-matroska";
    }
    return video ? "video/webm" : "audio/webm";
}

static char *
marker_path(const char *file)
{
    return g_strconcat(file, PENDING_SUFFIX, NULL);
}

void
tc_srv__recording_pending(const char *file, const struct tc_rec_recording *r)
{
    g_autofree char *marker = marker_path(file);
    json_t *doc = json_pack("{s:I,s:I,s:I,s:s,s:I}", "consultation_id",
                            (json_int_t)r->consultation_id, "rehab_session_id",
                            (json_int_t)r->rehab_session_id, "user_id",
                            (json_int_t)r->user_id, "track", r->track,
                            "started_at_us", (json_int_t)r->started_at_us);

    g_autofree char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

    /* whole or not at all (a temporary file renamed) */
    if (!text || !g_file_set_contents(marker, text, -1, NULL)) {
        g_warning("recordings: cannot write %s: a crash before the call "
                  "ends would leave this file out of the records",
                  marker);
    }
    json_decref(doc);
}

void
tc_srv__recording_recorded(const char *file)
{
    g_autofree char *marker = marker_path(file);

    if (g_unlink(marker) < 0 && errno != ENOENT) {
        g_warning("recordings: cannot remove %s: %s", marker,
                  g_strerror(errno));
    }
}

/* The row a marker and its file make; false (with a warning) when the
 * marker does not say what it must. */
static bool
row_of(json_t *doc, const char *marker, struct tc_rec_recording *r)
{
    json_int_t cid = 0, sid = 0, uid = 0, at = 0;
    const char *track = NULL;

    if (!doc ||
        json_unpack(doc, "{s?I,s?I,s:I,s:s,s:I}", "consultation_id", &cid,
                    "rehab_session_id", &sid, "user_id", &uid, "track", &track,
                    "started_at_us", &at) < 0 ||
        (cid > 0) == (sid > 0) ||
        (strcmp(track, "audio") != 0 && strcmp(track, "video") != 0)) {
        g_warning("recordings: %s is not a recording marker; left alone",
                  marker);
        return false;
    }
    r->consultation_id = cid;
    r->rehab_session_id = sid;
    r->user_id = uid;
    r->track = (char *)track;
    r->started_at_us = at;
    return true;
}

int64_t
tc_srv__recording_marked_user(const char *file)
{
    g_autofree char *marker = marker_path(file);
    json_t *doc = json_load_file(marker, 0, NULL);
    struct tc_rec_recording r = {0};
    int64_t uid = doc && row_of(doc, marker, &r) ? r.user_id : 0;

    json_decref(doc);
    return uid;
}

/* Take up one marker (absolute path; `rel`: its file's path in the data
 * directory); true when it can go. */
static bool
recover_one(struct tc_srv *srv, const char *marker, const char *rel)
{
    g_autofree char *file =
        g_strndup(marker, strlen(marker) - strlen(PENDING_SUFFIX));
    json_t *doc = json_load_file(marker, 0, NULL);
    struct tc_rec_recording r = {.path = (char *)rel};
    struct tc_media_recording f;
    g_autofree char *why = NULL;
    int64_t id = 0;
    bool done = false;
    int rc;

    if (!row_of(doc, marker, &r)) {
        goto out;
    }
    if (!g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
        g_warning("recordings: %s is gone; its marker is removed", rel);
        done = true;
        goto out;
    }
    if (tc_media_recording_read(file, MEASURE_TIMEOUT_S, &f, &why) < 0) {
        g_warning("recordings: %s cut short cannot be read (%s); left for "
                  "the next start",
                  rel, why);
        goto out;
    }
    r.duration_ms = f.duration_us / 1000;
    r.size_bytes = (int64_t)f.bytes;
    g_strlcpy(r.sha256, f.sha256, sizeof(r.sha256));
    r.media_type = (char *)tc_srv__recording_media_type(
        file, strcmp(r.track, "video") == 0);
    rc = r.rehab_session_id ? tc_rec_rehab_live_recording_add(srv->db, &r, &id)
                            : tc_rec_recording_add(srv->db, &r, &id);
    if (rc == -EEXIST) {
        done = true; /* recorded before the stop */
    } else if (rc < 0) {
        g_warning("recordings: %s not recorded: %s; left for the next start",
                  rel, tc_rec_errmsg(srv->db));
    } else {
        g_message("recordings: recording %lld recovered after a stop "
                  "(%s, %lld ms, %lld bytes)",
                  (long long)id, r.track, (long long)r.duration_ms,
                  (long long)r.size_bytes);
        done = true;
    }
out:
    json_decref(doc);
    return done;
}

/* Every marker in recordings/<room>/<start>/ (rel_dir; dir: absolute). */
static void
recover_dir(struct tc_srv *srv, const char *dir, const char *rel_dir,
            unsigned *n)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *marker = NULL, *stem = NULL, *rel = NULL;

        if (!g_str_has_suffix(name, PENDING_SUFFIX)) {
            continue;
        }
        marker = g_build_filename(dir, name, NULL);
        stem = g_strndup(name, strlen(name) - strlen(PENDING_SUFFIX));
        rel = g_build_filename(rel_dir, stem, NULL);
        if (recover_one(srv, marker, rel)) {
            g_unlink(marker);
            (*n)++;
        }
    }
}

void
tc_srv__recordings_recover(struct tc_srv *srv)
{
    g_autofree char *root =
        g_build_filename(srv->cfg->data_dir, "recordings", NULL);
    g_autoptr(GDir) rooms = g_dir_open(root, 0, NULL);
    const char *room;
    unsigned n = 0;

    while (rooms && (room = g_dir_read_name(rooms))) {
        g_autofree char *rdir = g_build_filename(root, room, NULL);
        g_autoptr(GDir) starts = g_dir_open(rdir, 0, NULL);
        const char *start;

        while (starts && (start = g_dir_read_name(starts))) {
            g_autofree char *sdir = g_build_filename(rdir, start, NULL);
            g_autofree char *rel =
                g_build_filename("recordings", room, start, NULL);

            recover_dir(srv, sdir, rel, &n);
        }
    }
    if (n) {
        g_message("recordings: %u marker(s) of recordings cut short taken up",
                  n);
    }
}
