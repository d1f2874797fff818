// SPDX-License-Identifier: Apache-2.0
/*
 * recording.c - recordings of a consultation's live call: one row per
 * finished track file (path relative to the data directory, duration,
 * size, SHA-256), added once and never changed; listed per consultation
 * and read one by one for streaming.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

void
tc_rec_recording_free(struct tc_rec_recording *r)
{
    if (r) {
        free(r->path);
        free(r->media_type);
        free(r->track);
    }
}

void
tc_rec_recording_list_free(struct tc_rec_recording_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        tc_rec_recording_free(&list->items[i]);
    }
    free(list->items);
    free(list);
}

int
tc_rec__recording_check(struct tc_rec_db *db, const struct tc_rec_recording *r)
{
    static const char *const types[] = {"video/webm", "audio/webm",
                                        "video/x-matroska"};
    bool type_ok = false;

    for (size_t i = 0; r->media_type && i < 3; i++) {
        type_ok |= strcmp(r->media_type, types[i]) == 0;
    }
    if (!r->track ||
        (strcmp(r->track, "audio") != 0 && strcmp(r->track, "video") != 0)) {
        return tc_rec__fail(db, -EINVAL, "track: must be audio or video");
    }
    if (!type_ok) {
        return tc_rec__fail(db, -EINVAL,
                            "media_type: must be video/webm, audio/webm or "
                            "video/x-matroska");
    }
    if (!r->path || !r->path[0] || r->path[0] == '/' ||
        strstr(r->path, "..") || strlen(r->path) > 512) {
        return tc_rec__fail(db, -EINVAL,
                            "path: 1..512 bytes, relative, without '..'");
    }
    if (strlen(r->sha256) != 64 ||
        strspn(r->sha256, "0123456789abcdef") != 64) {
        return tc_rec__fail(db, -EINVAL, "sha256: 64 lowercase hex digits");
    }
    if (r->duration_ms < 0 || r->size_bytes < 0) {
        return tc_rec__fail(db, -EINVAL,
                            "duration_ms, size_bytes: must not be negative");
    }
    return 0;
}

/*
 * Insert `r` (checked) with `owner_id` as the first column of `insert_sql`
 * (the consultation's or the rehab session's table, nine placeholders in
 * recording order), after `owner_sql` finds the owner (`owner_field`,
 * `owner_what` name it in the error). Shared by both recording tables.
 */
int
tc_rec__recording_insert(struct tc_rec_db *db,
                         const struct tc_rec_recording *r,
                         const char *insert_sql, const char *owner_sql,
                         int64_t owner_id, const char *owner_field,
                         const char *owner_what, int64_t *id_out)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__recording_check(db, r);
    if (rc == 0) {
        rc =
            tc_rec__need_row(db, owner_sql, owner_id, owner_field, owner_what);
    }
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM users WHERE id = ?",
                              r->user_id, "user_id", "user");
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, insert_sql);
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, owner_id);
    sqlite3_bind_int64(st, 2, r->user_id);
    tc_rec__bind_text(st, 3, r->track);
    tc_rec__bind_text(st, 4, r->path);
    tc_rec__bind_text(st, 5, r->media_type);
    sqlite3_bind_int64(st, 6, r->started_at_us);
    sqlite3_bind_int64(st, 7, r->duration_ms);
    sqlite3_bind_int64(st, 8, r->size_bytes);
    tc_rec__bind_text(st, 9, r->sha256);
    rc = tc_rec__step_done(db, st, "recording");
    if (rc == 0 && id_out) {
        *id_out = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

int
tc_rec_recording_add(struct tc_rec_db *db, const struct tc_rec_recording *r,
                     int64_t *id_out)
{
    return tc_rec__recording_insert(
        db, r,
        "INSERT INTO consultation_recordings"
        " (consultation_id, user_id, track, path, media_type, started_at_us,"
        " duration_ms, size_bytes, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "SELECT 1 FROM consultations WHERE id = ?", r->consultation_id,
        "consultation_id", "consultation", id_out);
}

#define COLUMNS                                                               \
    "SELECT id, consultation_id, user_id, track, path, media_type,"           \
    " started_at_us, duration_ms, size_bytes, sha256"                         \
    " FROM consultation_recordings"

int
tc_rec__recording_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_recording *r = item;
    bool oom = false;
    const unsigned char *sha;

    r->id = sqlite3_column_int64(st, 0);
    r->consultation_id = sqlite3_column_int64(st, 1);
    r->user_id = sqlite3_column_int64(st, 2);
    r->track = tc_rec__col_text(st, 3, &oom);
    r->path = tc_rec__col_text(st, 4, &oom);
    r->media_type = tc_rec__col_text(st, 5, &oom);
    r->started_at_us = sqlite3_column_int64(st, 6);
    r->duration_ms = sqlite3_column_int64(st, 7);
    r->size_bytes = sqlite3_column_int64(st, 8);
    sha = sqlite3_column_text(st, 9);
    snprintf(r->sha256, sizeof(r->sha256), "%s", sha ? (const char *)sha : "");
    return oom ? -ENOMEM : 0;
}

int
tc_rec_recording_list(struct tc_rec_db *db, int64_t consultation_id,
                      struct tc_rec_recording_list **out)
{
    struct tc_rec_recording_list *list;
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__need_row(db, "SELECT 1 FROM consultations WHERE id = ?",
                          consultation_id, "consultation_id", "consultation");
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, COLUMNS " WHERE consultation_id = ?"
                                  " ORDER BY started_at_us, id LIMIT 1000");
    if (!st) {
        return -EIO;
    }
    list = calloc(1, sizeof(*list));
    if (!list) {
        return -ENOMEM;
    }
    sqlite3_bind_int64(st, 1, consultation_id);
    rc = tc_rec__collect(db, st, sizeof(*list->items), tc_rec__recording_row,
                         (void **)&list->items, &list->count);
    if (rc < 0) {
        tc_rec_recording_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

int
tc_rec_recording_get(struct tc_rec_db *db, int64_t id,
                     struct tc_rec_recording *out)
{
    struct tc_rec_recording_list *list = NULL;
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, COLUMNS " WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    list = calloc(1, sizeof(*list));
    if (!list) {
        return -ENOMEM;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__collect(db, st, sizeof(*list->items), tc_rec__recording_row,
                         (void **)&list->items, &list->count);
    if (rc == 0 && list->count == 0) {
        rc = tc_rec__fail(db, -ENOENT, "recording %lld: no such recording",
                          (long long)id);
    }
    if (rc == 0) {
        *out = list->items[0];
        list->count = 0; /* moved out */
    }
    tc_rec_recording_list_free(list);
    return rc;
}
