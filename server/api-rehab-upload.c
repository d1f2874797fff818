// SPDX-License-Identifier: Apache-2.0
/*
 * api-rehab-upload.c - resumable uploads of self-guided session
 * recordings (and, through api-rehab-library.c, demo videos), the
 * recording served for review with Range requests, and the therapists'
 * review queue.
 *
 * The upload protocol (docs/api.md), made for poor connections:
 *
 *   POST /rehab-sessions/{id}/recording {size, sha256}   -> 201 upload
 *        (the same size and sha256 again while it is open -> 200, the
 *        same upload: a client that lost everything but the file resumes)
 *   GET  /rehab-uploads/{id}              -> {offset, ...}: resume there
 *   PUT  /rehab-uploads/{id}  body: the bytes from Upload-Offset,
 *        X-Chunk-SHA256: hex of this chunk
 *        -> 200 {offset}; the last chunk -> verified, then 200 complete
 *           or 422 (checksum of the whole file, not a video)
 *
 * A chunk is written only when it starts exactly at the bytes received
 * so far (409 with the offset otherwise), fits the declared size and
 * matches its own checksum (422 otherwise, nothing written): a chunk
 * that broke off or was corrupted in flight is sent again, never counted
 * twice. A chunk is synced to disk before the records count it. Only
 * the upload's owner sends its chunks.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>

#include "rehab-int.h"
#include "tc-records.h"

#define UPLOAD  "rehab_upload"
#define SESSION "rehab_session"

static enum tc_srv__action
report_action(const struct tc_srv__call *call)
{
    return call->req.who->practitioner_id > 0 ? TC_SRV__ACT_WRITE
                                              : TC_SRV__ACT_SELF_REPORT;
}

static bool
session_load(struct tc_srv *srv, struct tc_srv__call *call,
             struct tc_rec_rehab_session **out)
{
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "session id", &id)) {
        return false;
    }
    rc = tc_rec_rehab_session_get(srv->db, id, out);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    return true;
}

static void
answer_upload(struct tc_srv *srv, struct tc_srv__call *call, int status,
              int64_t id)
{
    struct tc_rec_rehab_upload *u = NULL;
    int rc = tc_rec_rehab_upload_get(srv->db, id, &u);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_ok(call, status, tc_srv__rehab_upload_json(u));
    tc_rec_rehab_upload_free(u);
}

/* An open upload of the session with the same file and owner: resume. */
static bool
resume_existing(struct tc_srv *srv, struct tc_srv__call *call, int64_t sid,
                const struct tc_rec_rehab_upload_new *in)
{
    struct tc_rec_rehab_upload *u = NULL;
    int64_t id = 0;
    bool same;

    if (tc_rec_rehab_upload_open_of_session(srv->db, sid, &id) < 0 ||
        tc_rec_rehab_upload_get(srv->db, id, &u) < 0) {
        return false;
    }
    same = u->owner_user_id == in->owner_user_id &&
           u->size_bytes == in->size_bytes &&
           strcmp(u->sha256, in->sha256) == 0;
    if (same) {
        tc_srv__resp_ok(call, 200, tc_srv__rehab_upload_json(u));
    }
    tc_rec_rehab_upload_free(u);
    return same;
}

static void
recording_open(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"size", "sha256", NULL};
    struct tc_rec_rehab_upload_new in = {
        .owner_user_id = call->req.who->user_id, .at_us = g_get_real_time()};
    struct tc_rec_rehab_session *s = NULL;
    json_t *body = NULL;
    int64_t id = 0;

    if (session_load(srv, call, &s) &&
        tc_srv__policy_check_record(srv, call, report_action(call),
                                    s->resident_id, SESSION, s->id) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_int(call, body, "size", true, 1,
                         srv->cfg->rehab_max_video_bytes, &in.size_bytes) &&
        tc_srv__json_string(call, body, "sha256", true, 64, &in.sha256) &&
        !resume_existing(srv, call, s->id, &in)) {
        in.session_id = s->id;
        if (tc_srv__rehab_dirs(srv) < 0) {
            tc_srv__resp_error(&call->resp, 500,
                               "recording: cannot store uploads");
        } else if (tc_srv__audit_outcome(
                       srv, call,
                       tc_rec_rehab_upload_create(srv->db, &in, &id),
                       TC_REC_AUDIT_CREATE, UPLOAD, id, s->resident_id)) {
            answer_upload(srv, call, 201, id);
        }
    }
    json_decref(body);
    tc_rec_rehab_session_free(s);
}

/* POST (give) or DELETE (withdraw) .../recording-consent: the resident,
 * or a carer acting for them, for the plan's sessions. */
static void
consent_put(struct tc_srv *srv, struct tc_srv__call *call, bool give)
{
    static const char *const none[] = {NULL};
    const struct tc_srv__who *who = call->req.who;
    struct tc_rec_rehab_plan *p = NULL;
    json_t *body = NULL;

    if (!tc_srv__rehab_plan_load(srv, call, &p)) {
        return;
    }
    if (who->practitioner_id > 0) {
        tc_srv__deny(srv, call, TC_REC_AUDIT_UPDATE, "rehab_plan", p->id,
                     p->resident_id,
                     "only the resident or their carer consents to "
                     "recording");
    } else if (tc_srv__policy_check_record(srv, call, TC_SRV__ACT_SELF_REPORT,
                                           p->resident_id, "rehab_plan",
                                           p->id) &&
               tc_srv__call_body(call, none, &body) &&
               tc_srv__audit_outcome(
                   srv, call,
                   tc_rec_rehab_recording_consent_set(
                       srv->db, p->id, who->user_id, g_get_real_time(), give),
                   TC_REC_AUDIT_UPDATE, "rehab_plan", p->id, p->resident_id)) {
        tc_srv__resp_ok(call, give ? 201 : 200,
                        json_pack("{s:I,s:b}", "plan_id", (json_int_t)p->id,
                                  "recording_consent", give));
    }
    json_decref(body);
    tc_rec_rehab_plan_free(p);
}

static void
consent_give(struct tc_srv *srv, struct tc_srv__call *call)
{
    consent_put(srv, call, true);
}

static void
consent_withdraw(struct tc_srv *srv, struct tc_srv__call *call)
{
    consent_put(srv, call, false);
}

/* The upload named by path parameter 0, when the caller owns it. */
static bool
own_upload(struct tc_srv *srv, struct tc_srv__call *call,
           struct tc_rec_rehab_upload **out)
{
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "upload id", &id)) {
        return false;
    }
    rc = tc_rec_rehab_upload_get(srv->db, id, out);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    if ((*out)->owner_user_id != call->req.who->user_id) {
        tc_srv__deny(srv, call, TC_REC_AUDIT_UPDATE, UPLOAD, id, 0,
                     "only the upload's owner sends or reads it");
        return false;
    }
    return true;
}

static void
upload_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_upload *u = NULL;

    if (own_upload(srv, call, &u)) {
        tc_srv__resp_ok(call, 200, tc_srv__rehab_upload_json(u));
    }
    tc_rec_rehab_upload_free(u);
}

/* The chunk's headers: Upload-Offset and X-Chunk-SHA256. */
static bool
chunk_headers(struct tc_srv__call *call, int64_t *offset, char sha[65])
{
    char text[80], ctype[64] = "";
    char *end = NULL;

    tc_srv__call_header(call, "content-type", ctype, sizeof(ctype));
    if (strcmp(ctype, "application/octet-stream") != 0 &&
        strcmp(ctype, "application/offset+octet-stream") != 0) {
        tc_srv__resp_error(&call->resp, 415,
                           "content-type: must be "
                           "application/octet-stream");
        return false;
    }
    if (tc_srv__call_header(call, "upload-offset", text, sizeof(text)) <= 0 ||
        !g_ascii_isdigit(text[0]) ||
        (*offset = g_ascii_strtoll(text, &end, 10), *end != '\0') ||
        *offset < 0) {
        tc_srv__resp_error_field(&call->resp, 400, "upload-offset",
                                 "upload-offset: required, a byte offset");
        return false;
    }
    if (tc_srv__call_header(call, "x-chunk-sha256", text, sizeof(text)) !=
        64) {
        tc_srv__resp_error_field(&call->resp, 400, "x-chunk-sha256",
                                 "x-chunk-sha256: required, the chunk's "
                                 "SHA-256 in hex");
        return false;
    }
    g_strlcpy(sha, text, 65);
    for (int i = 0; i < 64; i++) {
        sha[i] = g_ascii_tolower(sha[i]);
    }
    return true;
}

/* Write the chunk at `offset` and sync it; the file ends right after. */
static int
chunk_write(struct tc_srv *srv, int64_t id, int64_t offset, const char *data,
            size_t len)
{
    g_autofree char *path = tc_srv__rehab_part_path(srv, id);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
    size_t done = 0;
    int rc = 0;

    if (fd < 0) {
        return -errno;
    }
    while (done < len && rc == 0) {
        ssize_t n = pwrite(fd, data + done, len - done,
                           (off_t)(offset + (int64_t)done));
        if (n < 0) {
            rc = -errno;
        } else {
            done += (size_t)n;
        }
    }
    if (rc == 0 && (ftruncate(fd, (off_t)(offset + (int64_t)len)) < 0 ||
                    fdatasync(fd) < 0)) {
        rc = -errno;
    }
    close(fd);
    return rc;
}

static bool
chunk_check(struct tc_srv__call *call, const struct tc_rec_rehab_upload *u,
            int64_t offset, const char *sha)
{
    size_t len = call->req.body_len;
    g_autofree char *actual = NULL;
    char msg[128];

    if (u->status != TC_REC_REHAB_UPLOAD_OPEN) {
        g_snprintf(msg, sizeof(msg), "upload: %s, not open",
                   tc_rec_rehab_upload_status_to_string(u->status));
        tc_srv__resp_error(&call->resp, 409, msg);
        return false;
    }
    if (offset != u->received_bytes) {
        g_snprintf(msg, sizeof(msg),
                   "upload-offset: %" G_GINT64_FORMAT
                   " bytes are received, resume there",
                   u->received_bytes);
        json_t *doc = json_pack("{s:{s:i,s:s,s:s},s:I}", "error", "status",
                                409, "message", msg, "field", "upload-offset",
                                "offset", (json_int_t)u->received_bytes);
        tc_srv__resp_doc(&call->resp, 409, "application/json", doc);
        json_decref(doc);
        return false;
    }
    if (len == 0 && u->received_bytes == u->size_bytes) {
        return true; /* finishing an upload whose check was interrupted */
    }
    if (len == 0 || (int64_t)len > u->size_bytes - u->received_bytes) {
        tc_srv__resp_error_field(&call->resp, 422, "body",
                                 "body: a chunk of 1 byte up to the rest of "
                                 "the declared size");
        return false;
    }
    actual = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
                                         (const guchar *)call->req.body, len);
    if (strcmp(actual, sha) != 0) {
        tc_srv__resp_error_field(&call->resp, 422, "x-chunk-sha256",
                                 "x-chunk-sha256: the chunk does not match "
                                 "its checksum (nothing written: send it "
                                 "again)");
        return false;
    }
    return true;
}

static void
upload_put(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_upload *u = NULL;
    char sha[65];
    int64_t offset = 0, len = (int64_t)call->req.body_len;
    int rc;

    if (!own_upload(srv, call, &u) || !chunk_headers(call, &offset, sha) ||
        !chunk_check(call, u, offset, sha)) {
        goto out;
    }
    if (len == 0) { /* every byte is there: check it again */
        tc_srv__rehab_verify_start(srv, call, u->id);
        goto out;
    }
    rc = tc_srv__rehab_dirs(srv);
    if (rc == 0) {
        rc = chunk_write(srv, u->id, offset, call->req.body, (size_t)len);
    }
    if (rc < 0) {
        g_warning("upload %" G_GINT64_FORMAT ": chunk not written: %s", u->id,
                  g_strerror(-rc));
        tc_srv__resp_error(&call->resp, 503, "chunk: not stored, send again");
        goto out;
    }
    rc = tc_rec_rehab_upload_advance(srv->db, u->id, offset, len,
                                     g_get_real_time());
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
    } else if (offset + len == u->size_bytes) {
        tc_srv__rehab_verify_start(srv, call, u->id);
    } else {
        answer_upload(srv, call, 200, u->id);
    }
out:
    tc_rec_rehab_upload_free(u);
}

static void
recording_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_session *s = NULL;
    struct tc_rec_rehab_upload *u = NULL;
    int64_t upload_id = 0;
    int rc;

    if (!session_load(srv, call, &s) ||
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_READ,
                                     s->resident_id, SESSION, s->id)) {
        goto out;
    }
    rc = tc_rec_rehab_upload_of_session(srv->db, s->id, &upload_id);
    if (rc == 0) {
        rc = tc_rec_rehab_upload_get(srv->db, upload_id, &u);
    }
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        goto out;
    }
    tc_srv__rehab_video_send(srv, call, u);
out:
    tc_rec_rehab_upload_free(u);
    tc_rec_rehab_session_free(s);
}

/* POST .../recording/ticket: a URL a <video src> can play for 10
 * minutes, for a caller the policy lets read the session. */
static void
recording_ticket(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_session *s = NULL;
    g_autofree char *ticket = NULL, *url = NULL;
    int64_t upload_id = 0, expires = g_get_real_time() / G_USEC_PER_SEC +
                                     TC_SRV__REHAB_TICKET_TTL_S;
    int rc;

    if (!session_load(srv, call, &s) ||
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_READ,
                                     s->resident_id, SESSION, s->id)) {
        goto out;
    }
    rc = tc_rec_rehab_upload_of_session(srv->db, s->id, &upload_id);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        goto out;
    }
    ticket = tc_srv__rehab_ticket_issue(srv, s->id, call->req.who->user_id,
                                        expires);
    url = g_strconcat("/api/v1/rehab-recordings/", ticket, NULL);
    tc_srv__resp_ok(call, 200,
                    json_pack("{s:s,s:o}", "url", url, "expires_at",
                              tc_srv__instant_json(expires * G_USEC_PER_SEC)));
out:
    tc_rec_rehab_session_free(s);
}

/* GET /rehab-recordings/{ticket}: public; the ticket is the credential,
 * and the policy decides again for the account it names (audited). */
static void
recording_by_ticket(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_srv__rehab_ticket t;
    struct tc_rec_user *u = NULL;
    struct tc_srv__who who;
    struct tc_rec_rehab_session *s = NULL;
    struct tc_rec_rehab_upload *up = NULL;
    int64_t upload_id = 0;
    int rc;

    rc = tc_srv__rehab_ticket_check(srv, call->req.params[0],
                                    g_get_real_time() / G_USEC_PER_SEC, &t);
    if (rc == 0 &&
        (tc_rec_user_get(srv->db, t.user_id, &u) < 0 || u->disabled)) {
        rc = -EACCES;
    }
    if (rc < 0) {
        tc_srv__resp_error(&call->resp, rc == -ETIMEDOUT ? 410 : 403,
                           rc == -ETIMEDOUT ? "ticket: expired, ask again"
                                            : "ticket: not valid");
        goto out;
    }
    tc_srv__who_fill(&who, u);
    call->req.who = &who; /* for the policy and the audit trail */
    rc = tc_rec_rehab_session_get(srv->db, t.session_id, &s);
    if (rc == 0 &&
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_READ,
                                     s->resident_id, SESSION, s->id)) {
        goto out;
    }
    if (rc == 0) {
        rc = tc_rec_rehab_upload_of_session(srv->db, s->id, &upload_id);
    }
    if (rc == 0) {
        rc = tc_rec_rehab_upload_get(srv->db, upload_id, &up);
    }
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        goto out;
    }
    tc_srv__rehab_video_send(srv, call, up);
out:
    call->req.who = NULL;
    tc_rec_rehab_upload_free(up);
    tc_rec_rehab_session_free(s);
    tc_rec_user_free(u);
}

/* GET /rehab-reviews: the caller's queue of self-guided sessions to
 * review, each audited as a read of its resident's record. */
static void
review_queue(struct tc_srv *srv, struct tc_srv__call *call)
{
    const struct tc_srv__who *who = call->req.who;
    int64_t *ids = NULL;
    size_t n = 0;
    json_t *items;
    int rc;

    if (!(who->roles & (1u << TC_SRV__ROLE_THERAPIST)) ||
        who->practitioner_id <= 0) {
        tc_srv__deny(srv, call, TC_REC_AUDIT_READ, SESSION, 0, 0,
                     "only therapists have a review queue");
        return;
    }
    rc = tc_rec_rehab_review_queue(srv->db, who->practitioner_id, &ids, &n);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        struct tc_rec_rehab_session *s = NULL;
        int64_t up = 0;
        json_t *doc;
        if (tc_rec_rehab_session_get(srv->db, ids[i], &s) < 0) {
            continue;
        }
        tc_srv__audit(srv, call, TC_REC_AUDIT_READ, SESSION, s->id,
                      s->resident_id, TC_REC_AUDIT_SUCCESS, "review queue",
                      NULL);
        doc = tc_srv__rehab_session_json(s, false);
        if (tc_rec_rehab_upload_of_session(srv->db, s->id, &up) == 0) {
            g_autofree char *url = g_strdup_printf(
                "/api/v1/rehab-sessions/%" G_GINT64_FORMAT "/recording",
                s->id);
            json_object_set_new(doc, "recording_url", json_string(url));
        } else {
            json_object_set_new(doc, "recording_url", json_null());
        }
        json_array_append_new(items, doc);
        tc_rec_rehab_session_free(s);
    }
    free(ids);
    tc_srv__resp_ok(call, 200, json_pack("{s:o}", "items", items));
}

const struct tc_srv__route tc_srv__routes_rehab_upload[] = {
    {"POST", "/api/v1/rehab-sessions/{id}/recording", recording_open, 0},
    {"GET", "/api/v1/rehab-sessions/{id}/recording", recording_get, 0},
    {"POST", "/api/v1/rehab-sessions/{id}/recording/ticket", recording_ticket,
     0},
    {"GET", "/api/v1/rehab-recordings/{ticket}", recording_by_ticket,
     TC_SRV__PUBLIC},
    {"POST", "/api/v1/rehab-plans/{id}/recording-consent", consent_give, 0},
    {"DELETE", "/api/v1/rehab-plans/{id}/recording-consent", consent_withdraw,
     0},
    {"GET", "/api/v1/rehab-uploads/{id}", upload_get, 0},
    {"PUT", "/api/v1/rehab-uploads/{id}", upload_put, 0},
    {"GET", "/api/v1/rehab-reviews", review_queue, 0},
    {NULL, NULL, NULL, 0},
};
