// SPDX-License-Identifier: Apache-2.0
/*
 * rehab-upload.c - resumable uploads of a self-guided session's recording
 * or a library exercise's demo video: the bookkeeping (the bytes live in
 * files the server writes; records never touches them).
 *
 *   OPEN --(received == size) verify--> VERIFYING --accept--> COMPLETE
 *                                           |
 *                                           +--reject--> REJECTED
 *
 * An upload declares its size and the SHA-256 of the whole file up
 * front. Chunks are appended in order only: a chunk must start exactly
 * where the received bytes end (-ERANGE otherwise, naming the offset to
 * resume from), so a client that lost its connection asks for the offset
 * and carries on; a chunk past the declared size is refused. Accepting a
 * recording sets its session's recording_ref to "upload:<id>"; accepting
 * a demo video makes it the library exercise's video.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define MAX_REASON 500

static const char *const status_codes[] = {
    [TC_REC_REHAB_UPLOAD_OPEN] = "open",
    [TC_REC_REHAB_UPLOAD_VERIFYING] = "verifying",
    [TC_REC_REHAB_UPLOAD_COMPLETE] = "complete",
    [TC_REC_REHAB_UPLOAD_REJECTED] = "rejected",
};
#define N_STATUS (int)(sizeof(status_codes) / sizeof(status_codes[0]))

const char *
tc_rec_rehab_upload_status_to_string(enum tc_rec_rehab_upload_status s)
{
    return tc_rec__code_name(status_codes, N_STATUS, (int)s);
}

static bool
hex64(const char *s)
{
    if (!s || strlen(s) != 64) {
        return false;
    }
    for (size_t i = 0; i < 64; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

/* A recording's session: self-guided, in progress or completed, with no
 * complete recording. */
static int
check_session(struct tc_rec_db *db, int64_t id)
{
    sqlite3_stmt *st =
        tc_rec__stmt(db, "SELECT mode, status, recording_ref LIKE 'upload:%',"
                         " EXISTS (SELECT 1 FROM rehab_recording_consents c"
                         " WHERE c.plan_id = s.plan_id AND"
                         " c.withdrawn_at_us IS NULL)"
                         " FROM rehab_sessions s WHERE id = ?");
    char mode[16], status[16];
    bool has_recording, consent;
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? tc_rec__fail(db, -ENOENT, "session: no session %lld",
                                  (long long)id)
                   : tc_rec__fail_sql(db, rc, "session");
    }
    snprintf(mode, sizeof(mode), "%s", sqlite3_column_text(st, 0));
    snprintf(status, sizeof(status), "%s", sqlite3_column_text(st, 1));
    has_recording = sqlite3_column_int(st, 2) == 1;
    consent = sqlite3_column_int(st, 3) == 1;
    sqlite3_reset(st);
    if (strcmp(mode, "self_guided") != 0) {
        return tc_rec__fail(db, -EPERM,
                            "recording: session %lld is %s, not self-guided",
                            (long long)id, mode);
    }
    if (strcmp(status, "in_progress") != 0 &&
        strcmp(status, "completed") != 0) {
        return tc_rec__fail(db, -EPERM,
                            "recording: session %lld is %s (start it first)",
                            (long long)id, status);
    }
    if (!consent) {
        return tc_rec__fail(db, -EPERM,
                            "recording: no recording consent on file for "
                            "the plan");
    }
    if (has_recording) {
        return tc_rec__fail(db, -EEXIST,
                            "recording: session %lld has its recording",
                            (long long)id);
    }
    return 0;
}

static int
insert_upload(struct tc_rec_db *db, const struct tc_rec_rehab_upload_new *in,
              int64_t *id_out)
{
    sqlite3_stmt *st;
    int rc;

    rc = in->session_id > 0
             ? check_session(db, in->session_id)
             : tc_rec__need_row(db, "SELECT 1 FROM rehab_library WHERE id = ?",
                                in->library_id, "library_id",
                                "library exercise");
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM users WHERE id = ?",
                              in->owner_user_id, "owner_user_id", "user");
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO rehab_uploads (session_id, library_id,"
                          " owner_user_id, size_bytes, sha256, status,"
                          " created_at_us, updated_at_us)"
                          " VALUES (?, ?, ?, ?, ?, 'open', ?, ?)");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_id(st, 1, in->session_id);
    tc_rec__bind_id(st, 2, in->library_id);
    sqlite3_bind_int64(st, 3, in->owner_user_id);
    sqlite3_bind_int64(st, 4, in->size_bytes);
    tc_rec__bind_text(st, 5, in->sha256);
    sqlite3_bind_int64(st, 6, in->at_us);
    sqlite3_bind_int64(st, 7, in->at_us);
    rc = tc_rec__step_done(db, st, "upload");
    if (rc == -EEXIST) {
        return tc_rec__fail(db, -EEXIST,
                            "upload: an upload of session %lld is open "
                            "already (resume it)",
                            (long long)in->session_id);
    }
    if (rc == 0) {
        *id_out = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

int
tc_rec_rehab_upload_create(struct tc_rec_db *db,
                           const struct tc_rec_rehab_upload_new *in,
                           int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    if ((in->session_id > 0) == (in->library_id > 0)) {
        return tc_rec__fail(db, -EINVAL,
                            "upload: exactly one of session_id and "
                            "library_id");
    }
    if (in->size_bytes <= 0) {
        return tc_rec__fail(db, -EINVAL, "size: must be positive");
    }
    if (!hex64(in->sha256)) {
        return tc_rec__fail(db, -EINVAL,
                            "sha256: must be 64 lower-case hex digits");
    }
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, insert_upload(db, in, &id));
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

static int
upload_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_rehab_upload *u = item;
    bool oom = false;

    u->id = sqlite3_column_int64(st, 0);
    u->session_id = sqlite3_column_int64(st, 1);
    u->library_id = sqlite3_column_int64(st, 2);
    u->owner_user_id = sqlite3_column_int64(st, 3);
    u->size_bytes = sqlite3_column_int64(st, 4);
    snprintf(u->sha256, sizeof(u->sha256), "%s", sqlite3_column_text(st, 5));
    u->received_bytes = sqlite3_column_int64(st, 6);
    u->n_chunks = sqlite3_column_int(st, 7);
    u->status = (enum tc_rec_rehab_upload_status)tc_rec__code_find(
        status_codes, N_STATUS, (const char *)sqlite3_column_text(st, 8));
    u->status_reason = tc_rec__col_text(st, 9, &oom);
    u->mime = tc_rec__col_text(st, 10, &oom);
    u->duration_ms = sqlite3_column_int64(st, 11);
    u->created_at_us = sqlite3_column_int64(st, 12);
    u->updated_at_us = sqlite3_column_int64(st, 13);
    return oom ? -ENOMEM : 0;
}

void
tc_rec_rehab_upload_free(struct tc_rec_rehab_upload *u)
{
    if (u) {
        free(u->status_reason);
        free(u->mime);
        free(u);
    }
}

static void
upload_free_cb(void *item)
{
    tc_rec_rehab_upload_free(item);
}

int
tc_rec_rehab_upload_get(struct tc_rec_db *db, int64_t id,
                        struct tc_rec_rehab_upload **out)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT id, session_id, library_id, owner_user_id, size_bytes,"
            " sha256, received_bytes, n_chunks, status, status_reason, mime,"
            " duration_ms, created_at_us, updated_at_us FROM rehab_uploads"
            " WHERE id = ?");
    int rc;

    tc_rec__ok(db);
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_rehab_upload), upload_row,
                       upload_free_cb, (void **)out);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "upload: no upload %lld", (long long)id);
    }
    return rc;
}

/* The upload's status and received bytes; -ENOENT when there is none. */
static int
upload_state(struct tc_rec_db *db, int64_t id, char status[16],
             int64_t *received, int64_t *size)
{
    sqlite3_stmt *st = tc_rec__stmt(db, "SELECT status, received_bytes,"
                                        " size_bytes FROM rehab_uploads"
                                        " WHERE id = ?");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? tc_rec__fail(db, -ENOENT, "upload: no upload %lld",
                                  (long long)id)
                   : tc_rec__fail_sql(db, rc, "upload");
    }
    snprintf(status, 16, "%s", sqlite3_column_text(st, 0));
    *received = sqlite3_column_int64(st, 1);
    *size = sqlite3_column_int64(st, 2);
    sqlite3_reset(st);
    return 0;
}

static int
set_status(struct tc_rec_db *db, int64_t id, const char *from, const char *to,
           const char *reason, int64_t at_us)
{
    char status[16];
    int64_t received, size;
    sqlite3_stmt *st;
    int rc = upload_state(db, id, status, &received, &size);

    if (rc < 0) {
        return rc;
    }
    if (strcmp(status, from) != 0) {
        return tc_rec__fail(db, -EPERM, "upload: %s, not %s", status, from);
    }
    if (strcmp(to, "verifying") == 0 && received != size) {
        return tc_rec__fail(db, -EPERM, "upload: %lld of %lld bytes received",
                            (long long)received, (long long)size);
    }
    st = tc_rec__stmt(db, "UPDATE rehab_uploads SET status = ?,"
                          " status_reason = ?, updated_at_us = ?"
                          " WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, to);
    tc_rec__bind_text(st, 2, reason);
    sqlite3_bind_int64(st, 3, at_us);
    sqlite3_bind_int64(st, 4, id);
    return tc_rec__step_done(db, st, "upload");
}

static int
advance(struct tc_rec_db *db, int64_t id, int64_t offset, int64_t len,
        int64_t at_us)
{
    char status[16];
    int64_t received, size;
    sqlite3_stmt *st;
    int rc = upload_state(db, id, status, &received, &size);

    if (rc < 0) {
        return rc;
    }
    if (strcmp(status, "open") != 0) {
        return tc_rec__fail(db, -EPERM, "upload: %s, not open", status);
    }
    if (offset != received) {
        return tc_rec__fail(db, -ERANGE,
                            "offset: %lld bytes are received, resume there",
                            (long long)received);
    }
    if (len <= 0 || len > size - received) {
        return tc_rec__fail(db, -EMSGSIZE,
                            "chunk: %lld bytes at %lld pass the declared "
                            "size %lld",
                            (long long)len, (long long)offset,
                            (long long)size);
    }
    st = tc_rec__stmt(db, "UPDATE rehab_uploads SET received_bytes ="
                          " received_bytes + ?, n_chunks = n_chunks + 1,"
                          " updated_at_us = ? WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, len);
    sqlite3_bind_int64(st, 2, at_us);
    sqlite3_bind_int64(st, 3, id);
    return tc_rec__step_done(db, st, "upload");
}

int
tc_rec_rehab_upload_advance(struct tc_rec_db *db, int64_t id, int64_t offset,
                            int64_t len, int64_t at_us)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, advance(db, id, offset, len, at_us));
}

int
tc_rec_rehab_upload_verify(struct tc_rec_db *db, int64_t id, int64_t at_us)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(
        db, set_status(db, id, "open", "verifying", NULL, at_us));
}

static int
accept(struct tc_rec_db *db, int64_t id, const char *mime, int64_t duration_ms,
       int64_t at_us)
{
    char ref[32];
    sqlite3_stmt *st;
    int rc = set_status(db, id, "verifying", "complete", NULL, at_us);

    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "UPDATE rehab_uploads SET mime = ?,"
                          " duration_ms = ? WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, mime);
    sqlite3_bind_int64(st, 2, duration_ms);
    sqlite3_bind_int64(st, 3, id);
    rc = tc_rec__step_done(db, st, "upload");
    if (rc < 0) {
        return rc;
    }
    snprintf(ref, sizeof(ref), "upload:%lld", (long long)id);
    st = tc_rec__stmt(db,
                      "UPDATE rehab_sessions SET recording_ref = ?1 WHERE id ="
                      " (SELECT session_id FROM rehab_uploads WHERE id = ?2)");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, ref);
    sqlite3_bind_int64(st, 2, id);
    rc = tc_rec__step_done(db, st, "session");
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(
        db, "UPDATE rehab_library SET video_upload_id = ?1 WHERE id ="
            " (SELECT library_id FROM rehab_uploads WHERE id = ?1)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    return tc_rec__step_done(db, st, "library exercise");
}

int
tc_rec_rehab_upload_accept(struct tc_rec_db *db, int64_t id, const char *mime,
                           int64_t duration_ms, int64_t at_us)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__text_check(db, "mime", mime, 100, true);
    if (rc == 0) {
        rc = tc_rec__tx_begin(db);
    }
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, accept(db, id, mime, duration_ms, at_us));
}

int
tc_rec_rehab_upload_reject(struct tc_rec_db *db, int64_t id,
                           const char *reason, int64_t at_us)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__text_check(db, "reason", reason, MAX_REASON, true);
    if (rc == 0) {
        rc = tc_rec__tx_begin(db);
    }
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(
        db, set_status(db, id, "verifying", "rejected", reason, at_us));
}

int
tc_rec_rehab_upload_of_session(struct tc_rec_db *db, int64_t session_id,
                               int64_t *upload_id)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT id FROM rehab_uploads WHERE session_id = ? AND"
            " status = 'complete' ORDER BY id DESC LIMIT 1");
    int rc;

    tc_rec__ok(db);
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, session_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *upload_id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return 0;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE
               ? tc_rec__fail(db, -ENOENT, "recording: session %lld has none",
                              (long long)session_id)
               : tc_rec__fail_sql(db, rc, "upload");
}

int
tc_rec_rehab_review_queue(struct tc_rec_db *db, int64_t practitioner_id,
                          int64_t **ids_out, size_t *n_out)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT s.id FROM rehab_plan_therapists t"
            " JOIN rehab_sessions s ON s.plan_id = t.plan_id"
            " WHERE t.practitioner_id = ? AND s.mode = 'self_guided'"
            " AND s.status = 'completed' AND s.review_score IS NULL"
            " ORDER BY s.ended_at_us, s.id");

    tc_rec__ok(db);
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, practitioner_id);
    return tc_rec__ids_collect(db, st, ids_out, n_out);
}

int
tc_rec_rehab_upload_open_of_session(struct tc_rec_db *db, int64_t session_id,
                                    int64_t *upload_id)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT id FROM rehab_uploads WHERE session_id = ? AND"
            " status IN ('open', 'verifying')");
    int rc;

    tc_rec__ok(db);
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, session_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *upload_id = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        return -ENOENT;
    }
    return rc == SQLITE_ROW ? 0 : tc_rec__fail_sql(db, rc, "upload");
}

int
tc_rec_rehab_uploads_reopen_verifying(struct tc_rec_db *db, int *n_out)
{
    sqlite3_stmt *st =
        tc_rec__stmt(db, "UPDATE rehab_uploads SET status = 'open' WHERE"
                         " status = 'verifying'");
    int rc;

    tc_rec__ok(db);
    if (!st) {
        return -EIO;
    }
    rc = tc_rec__step_done(db, st, "upload");
    if (rc == 0) {
        *n_out = sqlite3_changes(db->conn);
    }
    return rc;
}

/* ---- recording consent ---- */

static int
consent_step(struct tc_rec_db *db, int64_t plan_id, int64_t user_id,
             int64_t at_us, bool give)
{
    bool standing = false;
    sqlite3_stmt *st;
    int rc = tc_rec__need_row(db, "SELECT 1 FROM rehab_plans WHERE id = ?",
                              plan_id, "plan_id", "plan");

    if (rc == 0) {
        rc = tc_rec_rehab_recording_consent(db, plan_id, &standing);
    }
    if (rc < 0) {
        return rc;
    }
    if (give && standing) {
        return tc_rec__fail(db, -EEXIST, "consent: given already");
    }
    if (!give && !standing) {
        return tc_rec__fail(db, -ENOENT, "consent: none standing");
    }
    st = give ? tc_rec__stmt(db, "INSERT INTO rehab_recording_consents"
                                 " (plan_id, given_by, given_at_us)"
                                 " VALUES (?1, ?2, ?3)")
              : tc_rec__stmt(db, "UPDATE rehab_recording_consents SET"
                                 " withdrawn_by = ?2, withdrawn_at_us = ?3"
                                 " WHERE plan_id = ?1 AND"
                                 " withdrawn_at_us IS NULL");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, plan_id);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, at_us);
    return tc_rec__step_done(db, st, "consent");
}

int
tc_rec_rehab_recording_consent_set(struct tc_rec_db *db, int64_t plan_id,
                                   int64_t user_id, int64_t at_us, bool give)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, consent_step(db, plan_id, user_id, at_us, give));
}

int
tc_rec_rehab_recording_consent(struct tc_rec_db *db, int64_t plan_id,
                               bool *out)
{
    return tc_rec__exists(db,
                          "SELECT 1 FROM rehab_recording_consents WHERE"
                          " plan_id = ? AND withdrawn_at_us IS NULL",
                          plan_id, out);
}
