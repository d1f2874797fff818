// SPDX-License-Identifier: Apache-2.0
/*
 * imaging-forward.c - the forwarding queue of DICOM instances to other
 * AEs (the county PACS): one row per (instance, destination).
 *
 *   PENDING --sent--> SENT
 *      |  ^
 *      +--+ retry (attempts + 1, next_attempt_at_us later, last_error)
 *
 * Why a table: a queue in memory loses what a restart interrupts; a row
 * stays pending until its destination acknowledged it. SENT rows stay as
 * the per-instance status. Marking sent or retrying a row that is not
 * pending is -EPERM and changes nothing.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdlib.h>

#include "records-int.h"

#define SELECT_FORWARD                                                        \
    "SELECT f.instance_id, i.sop_instance_uid, i.storage_path,"               \
    " f.destination, f.status, f.attempts, f.queued_at_us,"                   \
    " f.next_attempt_at_us, f.sent_at_us, f.last_error"                       \
    " FROM imaging_forwards f JOIN imaging_instances i"                       \
    " ON i.id = f.instance_id"

static int
read_forward(sqlite3_stmt *st, void *item)
{
    struct tc_rec_imaging_forward *f = item;
    bool oom = false;

    f->instance_id = sqlite3_column_int64(st, 0);
    f->sop_instance_uid = tc_rec__col_text(st, 1, &oom);
    f->storage_path = tc_rec__col_text(st, 2, &oom);
    f->destination = tc_rec__col_text(st, 3, &oom);
    f->status = tc_rec__col_text(st, 4, &oom);
    f->attempts = sqlite3_column_int(st, 5);
    f->queued_at_us = sqlite3_column_int64(st, 6);
    f->next_attempt_at_us = sqlite3_column_int64(st, 7);
    f->sent_at_us = sqlite3_column_int64(st, 8);
    f->last_error = tc_rec__col_text(st, 9, &oom);
    return oom ? -ENOMEM : 0;
}

void
tc_rec_imaging_forward_list_free(struct tc_rec_imaging_forward_list *l)
{
    if (!l) {
        return;
    }
    for (size_t i = 0; i < l->count; i++) {
        free(l->items[i].sop_instance_uid);
        free(l->items[i].storage_path);
        free(l->items[i].destination);
        free(l->items[i].status);
        free(l->items[i].last_error);
    }
    free(l->items);
    free(l);
}

static int
forward_list(struct tc_rec_db *db, sqlite3_stmt *st,
             struct tc_rec_imaging_forward_list **out)
{
    struct tc_rec_imaging_forward_list *l = calloc(1, sizeof(*l));
    void *items = NULL;
    int rc;

    if (!l) {
        sqlite3_reset(st);
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    rc = tc_rec__collect(db, st, sizeof(struct tc_rec_imaging_forward),
                         read_forward, &items, &l->count);
    l->items = items;
    if (rc < 0) {
        tc_rec_imaging_forward_list_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

int
tc_rec_imaging_forward_queue(struct tc_rec_db *db,
                             const char *sop_instance_uid,
                             const char *destination, int64_t at_us)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__text_check(db, "destination", destination, 64, true);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT OR IGNORE INTO imaging_forwards"
                          " (instance_id, destination, status,"
                          " queued_at_us, next_attempt_at_us)"
                          " SELECT id, ?2, 'pending', ?3, ?3"
                          " FROM imaging_instances"
                          " WHERE sop_instance_uid = ?1");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, sop_instance_uid);
    tc_rec__bind_text(st, 2, destination);
    sqlite3_bind_int64(st, 3, at_us);
    rc = tc_rec__step_done(db, st, "forward queue");
    if (rc == 0 && sqlite3_changes(db->conn) == 0) {
        bool known = false;
        st = tc_rec__stmt(db, "SELECT 1 FROM imaging_instances"
                              " WHERE sop_instance_uid = ?");
        if (!st) {
            return -EIO;
        }
        tc_rec__bind_text(st, 1, sop_instance_uid);
        known = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_reset(st);
        if (!known) {
            return tc_rec__fail(db, -ENOENT, "sop_instance_uid: not indexed");
        }
    }
    return rc;
}

int
tc_rec_imaging_forward_due(struct tc_rec_db *db, int64_t now_us, int limit,
                           struct tc_rec_imaging_forward_list **out)
{
    sqlite3_stmt *st;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, SELECT_FORWARD
                      " WHERE f.status = 'pending'"
                      " AND f.next_attempt_at_us <= ?"
                      " ORDER BY f.queued_at_us, f.instance_id LIMIT ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, now_us);
    sqlite3_bind_int(st, 2, limit > 0 ? limit : 1);
    return forward_list(db, st, out);
}

int
tc_rec_imaging_forward_list(struct tc_rec_db *db, int64_t study_id,
                            struct tc_rec_imaging_forward_list **out)
{
    sqlite3_stmt *st;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, SELECT_FORWARD
                      " JOIN imaging_series r ON r.id = i.series_id"
                      " WHERE r.study_id = ?"
                      " ORDER BY i.sop_instance_uid, f.destination");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, study_id);
    return forward_list(db, st, out);
}

/* Change one pending row; -EPERM when it is not pending. */
static int
step_pending(struct tc_rec_db *db, sqlite3_stmt *st)
{
    int rc = tc_rec__step_done(db, st, "forward");

    if (rc == 0 && sqlite3_changes(db->conn) == 0) {
        return tc_rec__fail(db, -EPERM,
                            "forward: no pending row for this instance "
                            "and destination");
    }
    return rc;
}

int
tc_rec_imaging_forward_sent(struct tc_rec_db *db, int64_t instance_id,
                            const char *destination, int64_t at_us)
{
    sqlite3_stmt *st;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "UPDATE imaging_forwards SET status = 'sent',"
                          " attempts = attempts + 1, sent_at_us = ?3,"
                          " last_error = NULL"
                          " WHERE instance_id = ?1 AND destination = ?2"
                          " AND status = 'pending'");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, instance_id);
    tc_rec__bind_text(st, 2, destination);
    sqlite3_bind_int64(st, 3, at_us);
    return step_pending(db, st);
}

int
tc_rec_imaging_forward_retry(struct tc_rec_db *db, int64_t instance_id,
                             const char *destination, int64_t next_at_us,
                             const char *error)
{
    sqlite3_stmt *st;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "UPDATE imaging_forwards SET"
                          " attempts = attempts + 1,"
                          " next_attempt_at_us = ?3, last_error = ?4"
                          " WHERE instance_id = ?1 AND destination = ?2"
                          " AND status = 'pending'");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, instance_id);
    tc_rec__bind_text(st, 2, destination);
    sqlite3_bind_int64(st, 3, next_at_us);
    tc_rec__bind_text(st, 4, error);
    return step_pending(db, st);
}
