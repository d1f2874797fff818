// SPDX-License-Identifier: Apache-2.0
/*
 * rehab-recording.c - recordings of a live-guided rehab session's call:
 * one row per finished track file, kept with the session (migration 13),
 * added once and never changed; listed per session and read one by one
 * for streaming. Field rules and the row layout are recording.c's.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define COLUMNS                                                               \
    "SELECT id, session_id, user_id, track, path, media_type,"                \
    " started_at_us, duration_ms, size_bytes, sha256"                         \
    " FROM rehab_live_recordings"

int
tc_rec_rehab_live_recording_add(struct tc_rec_db *db,
                                const struct tc_rec_recording *r,
                                int64_t *id_out)
{
    return tc_rec__recording_insert(
        db, r,
        "INSERT INTO rehab_live_recordings"
        " (session_id, user_id, track, path, media_type, started_at_us,"
        " duration_ms, size_bytes, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "SELECT 1 FROM rehab_sessions WHERE id = ?", r->rehab_session_id,
        "rehab_session_id", "rehab session", id_out);
}

/* recording.c's row, with the owner column as the session. */
static int
read_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_recording *r = item;
    int rc = tc_rec__recording_row(st, item);

    r->rehab_session_id = r->consultation_id;
    r->consultation_id = 0;
    return rc;
}

static int
collect(struct tc_rec_db *db, sqlite3_stmt *st,
        struct tc_rec_recording_list **out)
{
    struct tc_rec_recording_list *list = calloc(1, sizeof(*list));
    int rc;

    if (!list) {
        sqlite3_reset(st);
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    rc = tc_rec__collect(db, st, sizeof(*list->items), read_row,
                         (void **)&list->items, &list->count);
    if (rc < 0) {
        tc_rec_recording_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

int
tc_rec_rehab_live_recording_list(struct tc_rec_db *db, int64_t session_id,
                                 struct tc_rec_recording_list **out)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__need_row(db, "SELECT 1 FROM rehab_sessions WHERE id = ?",
                          session_id, "session_id", "rehab session");
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, COLUMNS " WHERE session_id = ?"
                                  " ORDER BY started_at_us, id LIMIT 1000");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, session_id);
    return collect(db, st, out);
}

int
tc_rec_rehab_live_recording_get(struct tc_rec_db *db, int64_t id,
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
    sqlite3_bind_int64(st, 1, id);
    rc = collect(db, st, &list);
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
