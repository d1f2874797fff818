// SPDX-License-Identifier: Apache-2.0
/*
 * rehab-files.c - the bytes of rehab videos: where they live, how they
 * are served, and how a completely received upload is verified.
 *
 *   data_dir/rehab/uploads/<id>.part   being received (chunks appended)
 *   data_dir/rehab/videos/<id>.video   verified; served with Range
 *
 * Verification runs on a worker thread (hashing a few hundred MB and
 * GStreamer's probe must not stall the loop): the SHA-256 of the whole
 * file against the one declared when the upload was opened, then media's
 * probe (a WebM, Matroska or MP4 container with a video stream). Its
 * done() on the main thread moves the file into videos/ and accepts the
 * upload, or removes it and rejects the upload with the reason, then
 * answers the deferred request. Nothing else writes these files.
 *
 * Thread: main; verify_work() on a worker, touching only its job.
 */
#define G_LOG_DOMAIN "rehab"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>

#include "rehab-int.h"
#include "tc-media.h"
#include "tc-records.h"

#define PROBE_TIMEOUT_S 20
#define READ_BUF        (256 * 1024)

char *
tc_srv__rehab_part_path(struct tc_srv *srv, int64_t upload_id)
{
    g_autofree char *name =
        g_strdup_printf("%" G_GINT64_FORMAT ".part", upload_id);

    return g_build_filename(srv->cfg->data_dir, "rehab", "uploads", name,
                            NULL);
}

char *
tc_srv__rehab_video_path(struct tc_srv *srv, int64_t upload_id)
{
    g_autofree char *name =
        g_strdup_printf("%" G_GINT64_FORMAT ".video", upload_id);

    return g_build_filename(srv->cfg->data_dir, "rehab", "videos", name, NULL);
}

int
tc_srv__rehab_dirs(struct tc_srv *srv)
{
    static const char *const subdirs[] = {"uploads", "videos"};

    for (size_t i = 0; i < G_N_ELEMENTS(subdirs); i++) {
        g_autofree char *dir =
            g_build_filename(srv->cfg->data_dir, "rehab", subdirs[i], NULL);
        if (g_mkdir_with_parents(dir, 0750) < 0) {
            int rc = -errno;
            g_warning("rehab: cannot create %s: %s", subdirs[i],
                      g_strerror(errno));
            return rc;
        }
    }
    return 0;
}

json_t *
tc_srv__rehab_upload_json(const struct tc_rec_rehab_upload *u)
{
    return json_pack(
        "{s:I,s:o,s:o,s:I,s:I,s:I,s:i,s:s,s:o,s:o,s:o,s:o,s:o}", "id",
        (json_int_t)u->id, "session_id", tc_srv__id_json(u->session_id),
        "library_id", tc_srv__id_json(u->library_id), "size",
        (json_int_t)u->size_bytes, "offset", (json_int_t)u->received_bytes,
        "owner_user_id", (json_int_t)u->owner_user_id, "chunks", u->n_chunks,
        "status", tc_rec_rehab_upload_status_to_string(u->status),
        "status_reason", tc_srv__string_json(u->status_reason), "mime",
        tc_srv__string_json(u->mime), "duration_ms",
        u->duration_ms > 0 ? json_integer(u->duration_ms) : json_null(),
        "created_at", tc_srv__instant_json(u->created_at_us), "updated_at",
        tc_srv__instant_json(u->updated_at_us));
}

/* ---- serving ---- */

void
tc_srv__rehab_video_send(struct tc_srv *srv, struct tc_srv__call *call,
                         const struct tc_rec_rehab_upload *upload)
{
    g_autofree char *path = tc_srv__rehab_video_path(srv, upload->id);
    char range[128], text[96];
    int64_t first = 0, last = upload->size_bytes - 1;
    bool partial = false;
    struct stat stbuf;
    int fd, rc;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &stbuf) < 0 ||
        stbuf.st_size != upload->size_bytes) {
        g_warning("rehab video %" G_GINT64_FORMAT ": file missing or "
                  "changed",
                  upload->id);
        if (fd >= 0) {
            close(fd);
        }
        tc_srv__resp_error(&call->resp, 500, "video: file unavailable");
        return;
    }
    if (tc_srv__call_header(call, "range", range, sizeof(range)) > 0) {
        rc = tc_srv__range_parse(range, upload->size_bytes, &first, &last);
        if (rc == -ERANGE) {
            close(fd);
            g_snprintf(text, sizeof(text), "bytes */%" G_GINT64_FORMAT,
                       upload->size_bytes);
            tc_srv__resp_error(&call->resp, 416,
                               "range: outside the video's size");
            tc_srv__resp_header(&call->resp, "content-range", text);
            return;
        }
        partial = rc == 0;
        if (!partial) {
            first = 0;
            last = upload->size_bytes - 1;
        }
    }
    tc_srv__resp_file_take(&call->resp, partial ? 206 : 200, "video/webm", fd,
                           first, last - first + 1);
    /* The records' mime is one of a fixed set (media's probe). */
    if (upload->mime && strcmp(upload->mime, "video/mp4") == 0) {
        call->resp.content_type = "video/mp4";
    } else if (upload->mime && strcmp(upload->mime, "video/x-matroska") == 0) {
        call->resp.content_type = "video/x-matroska";
    }
    tc_srv__resp_header(&call->resp, "accept-ranges", "bytes");
    if (partial) {
        g_snprintf(text, sizeof(text),
                   "bytes %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT
                   "/%" G_GINT64_FORMAT,
                   first, last, upload->size_bytes);
        tc_srv__resp_header(&call->resp, "content-range", text);
    }
}

/* ---- verification ---- */

struct verify_job {
    struct tc_srv *srv;
    struct tc_srv__call *call; /* deferred, referenced */
    int64_t upload_id;
    int64_t resident_id; /* for the audit trail, 0: none */
    char sha256[65];     /* declared */
    char *part_path;
    char *video_path;
    /* results, written by the worker */
    bool ok;
    char why[160];
    struct tc_media_video_info info;
};

static bool
file_sha256(const char *path, char out[65])
{
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_autofree unsigned char *buf = g_malloc(READ_BUF);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        return false;
    }
    while ((n = read(fd, buf, READ_BUF)) > 0) {
        g_checksum_update(sum, buf, (gssize)n);
    }
    close(fd);
    if (n < 0) {
        return false;
    }
    g_strlcpy(out, g_checksum_get_string(sum), 65);
    return true;
}

static void
verify_work(void *data)
{
    struct verify_job *job = data;
    char actual[65];
    int fd;

    if (!file_sha256(job->part_path, actual)) {
        g_strlcpy(job->why, "file: cannot be read back", sizeof(job->why));
        return;
    }
    if (strcmp(actual, job->sha256) != 0) {
        g_strlcpy(job->why,
                  "sha256: the received file does not match the declared "
                  "checksum",
                  sizeof(job->why));
        return;
    }
    if (tc_media_probe_video(job->part_path, PROBE_TIMEOUT_S, &job->info,
                             job->why, sizeof(job->why)) < 0) {
        return;
    }
    fd = open(job->part_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) < 0) {
        g_strlcpy(job->why, "file: cannot be synced", sizeof(job->why));
    } else {
        job->ok = true;
    }
    if (fd >= 0) {
        close(fd);
    }
}

/* Audit through the call while its connection (and so its client
 * address) is there; else through a stand-in carrying the caller. */
static void
audit_job(struct verify_job *job, enum tc_rec_audit_outcome outcome,
          const char *detail)
{
    struct tc_srv__call *call = job->call;
    struct tc_srv__call stand_in = {
        .req = {.who = call->req.who, .client_addr = "-"}};

    tc_srv__audit(job->srv, call->wsi ? call : &stand_in, TC_REC_AUDIT_UPDATE,
                  "rehab_upload", job->upload_id, job->resident_id, outcome,
                  NULL, detail);
}

static void
verify_done(void *data)
{
    struct verify_job *job = data;
    struct tc_srv *srv = job->srv;
    struct tc_srv__call *call = job->call;
    struct tc_rec_rehab_upload *u = NULL;
    int64_t now = g_get_real_time();
    int rc;

    if (job->ok && g_rename(job->part_path, job->video_path) < 0) {
        job->ok = false;
        g_strlcpy(job->why, "file: cannot be stored", sizeof(job->why));
    }
    rc = job->ok ? tc_rec_rehab_upload_accept(srv->db, job->upload_id,
                                              job->info.mime,
                                              job->info.duration_ms, now)
                 : tc_rec_rehab_upload_reject(srv->db, job->upload_id,
                                              job->why, now);
    if (!job->ok) {
        g_unlink(job->part_path);
    }
    if (rc < 0) {
        g_warning("upload %" G_GINT64_FORMAT ": %s", job->upload_id,
                  tc_rec_errmsg(srv->db));
        tc_srv__resp_records_error(srv, call, rc);
    } else if (!job->ok) {
        g_message("upload %" G_GINT64_FORMAT " rejected", job->upload_id);
        audit_job(job, TC_REC_AUDIT_FAILURE, job->why);
        tc_srv__resp_error_field(&call->resp, 422, "file", job->why);
    } else if (tc_rec_rehab_upload_get(srv->db, job->upload_id, &u) == 0) {
        audit_job(job, TC_REC_AUDIT_SUCCESS, NULL);
        tc_srv__resp_ok(call, 200, tc_srv__rehab_upload_json(u));
        tc_rec_rehab_upload_free(u);
    } else {
        tc_srv__resp_records_error(srv, call, -EIO);
    }
    if (srv->rehab) {
        srv->rehab->jobs--;
    }
    tc_srv__call_resume(call);
    g_free(job->part_path);
    g_free(job->video_path);
    g_free(job);
}

void
tc_srv__rehab_verify_start(struct tc_srv *srv, struct tc_srv__call *call,
                           int64_t upload_id)
{
    struct tc_rec_rehab_upload *u = NULL;
    struct tc_rec_rehab_session *s = NULL;
    struct verify_job *job;
    int rc = tc_rec_rehab_upload_get(srv->db, upload_id, &u);

    if (rc == 0) {
        rc = tc_rec_rehab_upload_verify(srv->db, upload_id, g_get_real_time());
    }
    if (rc < 0) {
        tc_rec_rehab_upload_free(u);
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    job = g_new0(struct verify_job, 1);
    job->srv = srv;
    job->upload_id = upload_id;
    g_strlcpy(job->sha256, u->sha256, sizeof(job->sha256));
    if (u->session_id > 0 &&
        tc_rec_rehab_session_get(srv->db, u->session_id, &s) == 0) {
        job->resident_id = s->resident_id;
        tc_rec_rehab_session_free(s);
    }
    job->part_path = tc_srv__rehab_part_path(srv, upload_id);
    job->video_path = tc_srv__rehab_video_path(srv, upload_id);
    job->call = tc_srv__call_defer(call);
    tc_rec_rehab_upload_free(u);
    if (srv->rehab) {
        srv->rehab->jobs++;
    }
    tc_srv__work_submit(srv, verify_work, verify_done, job);
}
