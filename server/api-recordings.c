// SPDX-License-Identifier: Apache-2.0
/*
 * api-recordings.c - recordings of consultation calls over HTTP
 * (docs/api.md, "Recordings"):
 *
 *   GET /api/v1/consultations/{id}/recordings   the list (JSON)
 *   GET /api/v1/recordings/{id}/media           the file, Range requests
 *
 * Who may: whoever may read the consultation (the access policy, audited
 * as a read of the consultation with purpose "recording"). A file is sent
 * in pieces of at most 8 MiB: a request without Range for a larger file
 * gets the first piece as 206, like a request for "bytes=0-", which is
 * what browsers' <video> sends.
 *
 * tc_srv__range_parse (range.c) is the parser of the Range header (outside
 * bytes; fuzzed by tests/fuzz/fuzz-range.c).
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-records.h"

#define PIECE_MAX (8 * 1024 * 1024)

static bool
may_read(struct tc_srv *srv, struct tc_srv__call *call, int64_t consultation)
{
    struct tc_rec_consultation *c = NULL;
    struct tc_srv__target t;
    int64_t me = call->req.who->practitioner_id;
    int rc = tc_rec_consultation_get(srv->db, consultation, &c);
    bool ok;

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    t = (struct tc_srv__target){
        .action = TC_SRV__ACT_READ,
        .kind = TC_SRV__KIND_CONSULTATION,
        .resident_id = c->resident_id,
        .entity_type = "consultation",
        .entity_id = c->id,
        .requested_of = me > 0 && c->requested_specialist_id == me,
        .purpose = "recording",
    };
    ok = tc_srv__policy_check(srv, call, &t);
    tc_rec_consultation_free(c);
    return ok;
}

/* One recording as the API lists it: a consultation's or a rehab
 * session's, with the URL that serves its file. */
static json_t *
recording_json(const struct tc_rec_recording *r)
{
    bool rehab = r->rehab_session_id > 0;
    char url[64];

    snprintf(url, sizeof(url), "/api/v1/%s/%lld/media",
             rehab ? "rehab-live-recordings" : "recordings", (long long)r->id);
    return json_pack(
        "{s:I,s:I,s:I,s:s,s:s,s:o,s:I,s:I,s:s,s:s}", "id", (json_int_t)r->id,
        rehab ? "session_id" : "consultation_id",
        (json_int_t)(rehab ? r->rehab_session_id : r->consultation_id),
        "user_id", (json_int_t)r->user_id, "track", r->track, "media_type",
        r->media_type, "started_at", tc_srv__instant_json(r->started_at_us),
        "duration_ms", (json_int_t)r->duration_ms, "size_bytes",
        (json_int_t)r->size_bytes, "sha256", r->sha256, "media_url", url);
}

void
tc_srv__recordings_list_send(struct tc_srv *srv, struct tc_srv__call *call,
                             int rc, struct tc_rec_recording_list *list)
{
    json_t *items, *doc;

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    items = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(items, recording_json(&list->items[i]));
    }
    doc = json_pack("{s:o}", "items", items);
    tc_srv__resp_doc(&call->resp, 200, "application/json", doc);
    json_decref(doc);
    tc_rec_recording_list_free(list);
}

static void
recordings_list(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_recording_list *list = NULL;
    int64_t id;
    int rc;

    if (tc_srv__param_id(call, 0, "consultation id", &id) &&
        may_read(srv, call, id)) {
        rc = tc_rec_recording_list(srv->db, id, &list);
        tc_srv__recordings_list_send(srv, call, rc, list);
    }
}

static const char *
static_type(const char *media_type)
{
    static const char *const types[] = {"video/webm", "audio/webm",
                                        "video/x-matroska"};

    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        if (strcmp(types[i], media_type) == 0) {
            return types[i];
        }
    }
    return "application/octet-stream";
}

/* Read [start, end] of the file into the response body. */
static int
read_piece(const char *path, int64_t start, int64_t end, GString *body)
{
    size_t want = (size_t)(end - start + 1);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t got;

    if (fd < 0) {
        return -errno;
    }
    g_string_set_size(body, want);
    got = pread(fd, body->str, want, start);
    close(fd);
    if (got != (ssize_t)want) {
        g_string_truncate(body, 0);
        return -EIO;
    }
    return 0;
}

void
tc_srv__recording_send(struct tc_srv *srv, struct tc_srv__call *call,
                       const struct tc_rec_recording *r)
{
    g_autofree char *path = NULL;
    char range[128], value[96];
    int64_t start = 0, end;
    struct stat sb;
    bool ranged;
    int rc;

    path = g_build_filename(srv->cfg->data_dir, r->path, NULL);
    if (stat(path, &sb) < 0 || sb.st_size == 0) {
        tc_srv__resp_error(&call->resp, 404,
                           "the recording's file is missing");
        return;
    }
    ranged = tc_srv__call_header(call, "range", range, sizeof(range)) > 0;
    rc = ranged ? tc_srv__range_parse(range, sb.st_size, &start, &end) : 0;
    if (rc == -ERANGE || rc == -EINVAL) {
        snprintf(value, sizeof(value), "bytes */%lld", (long long)sb.st_size);
        tc_srv__resp_header(&call->resp, "content-range", value);
        tc_srv__resp_error_field(&call->resp, 416, "range",
                                 "range: one range \"bytes=a-b\" inside the "
                                 "file");
        return;
    }
    if (!ranged) {
        end = sb.st_size - 1;
    }
    if (end - start + 1 > PIECE_MAX) {
        end = start + PIECE_MAX - 1;
    }
    if (read_piece(path, start, end, call->resp.body) < 0) {
        tc_srv__resp_error(&call->resp, 500, "the recording cannot be read");
        return;
    }
    call->resp.content_type = static_type(r->media_type);
    tc_srv__resp_header(&call->resp, "accept-ranges", "bytes");
    if (ranged || end < sb.st_size - 1) {
        snprintf(value, sizeof(value), "bytes %lld-%lld/%lld",
                 (long long)start, (long long)end, (long long)sb.st_size);
        tc_srv__resp_header(&call->resp, "content-range", value);
        call->resp.status = 206;
    } else {
        call->resp.status = 200;
    }
}

static void
recording_media(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_recording r = {0};
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "recording id", &id)) {
        return;
    }
    rc = tc_rec_recording_get(srv->db, id, &r);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    if (may_read(srv, call, r.consultation_id)) {
        tc_srv__recording_send(srv, call, &r);
    }
    tc_rec_recording_free(&r);
}

const struct tc_srv__route tc_srv__routes_recordings[] = {
    {"GET", "/api/v1/consultations/{id}/recordings", recordings_list, 0},
    {"GET", "/api/v1/recordings/{id}/media", recording_media, 0},
    {NULL, NULL, NULL, 0},
};
