// SPDX-License-Identifier: Apache-2.0
/*
 * chat.c - the chat of a consultation's live room, kept with the record:
 * append one message (numbered after the last one of its consultation),
 * list them in order.
 *
 * Invariants: numbers run 1, 2, ... without gaps within a consultation
 * (the next is computed and inserted in one transaction; the primary key
 * refuses a duplicate); messages are never changed or deleted (schema
 * triggers). Text is prose: 1..4000 bytes, no control characters but
 * newline, carriage return and tab.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdlib.h>

#include "records-int.h"

static int
next_seq(struct tc_rec_db *db, int64_t consultation_id, int64_t *out)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT coalesce(max(seq), 0) + 1 FROM consultation_chat"
            " WHERE consultation_id = ?");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, consultation_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : tc_rec__fail_sql(db, rc, "chat: seq");
}

static int
append(struct tc_rec_db *db, int64_t consultation_id, int64_t user_id,
       int64_t at_us, const char *text, int64_t *seq)
{
    sqlite3_stmt *st;
    int rc =
        tc_rec__need_row(db, "SELECT 1 FROM consultations WHERE id = ?",
                         consultation_id, "consultation_id", "consultation");

    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM users WHERE id = ?", user_id,
                              "user_id", "user");
    }
    if (rc == 0) {
        rc = tc_rec__prose_check(db, "text", text, TC_REC_CHAT_TEXT_MAX, true);
    }
    if (rc == 0) {
        rc = next_seq(db, consultation_id, seq);
    }
    if (rc < 0) {
        return rc;
    }
    st =
        tc_rec__stmt(db, "INSERT INTO consultation_chat (consultation_id,"
                         " seq, user_id, at_us, text) VALUES (?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, consultation_id);
    sqlite3_bind_int64(st, 2, *seq);
    sqlite3_bind_int64(st, 3, user_id);
    sqlite3_bind_int64(st, 4, at_us);
    tc_rec__bind_text(st, 5, text);
    return tc_rec__step_done(db, st, "chat");
}

int
tc_rec_consultation_chat_append(struct tc_rec_db *db, int64_t consultation_id,
                                int64_t user_id, int64_t at_us,
                                const char *text, int64_t *seq_out)
{
    int64_t seq = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(
        db, append(db, consultation_id, user_id, at_us, text, &seq));
    if (rc == 0 && seq_out) {
        *seq_out = seq;
    }
    return rc;
}

static int
read_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_chat_message *m = item;
    bool oom = false;

    m->consultation_id = sqlite3_column_int64(st, 0);
    m->seq = sqlite3_column_int64(st, 1);
    m->user_id = sqlite3_column_int64(st, 2);
    m->at_us = sqlite3_column_int64(st, 3);
    m->text = tc_rec__col_text(st, 4, &oom);
    return oom ? -ENOMEM : 0;
}

int
tc_rec_consultation_chat_list(struct tc_rec_db *db, int64_t consultation_id,
                              int64_t after_seq, int limit,
                              struct tc_rec_chat_list **out)
{
    struct tc_rec_chat_list *list;
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    if (limit < 1 || limit > TC_REC_CHAT_PAGE_MAX) {
        return tc_rec__fail(db, -EINVAL, "limit: must be 1..%d",
                            TC_REC_CHAT_PAGE_MAX);
    }
    rc = tc_rec__need_row(db, "SELECT 1 FROM consultations WHERE id = ?",
                          consultation_id, "consultation_id", "consultation");
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "SELECT consultation_id, seq, user_id, at_us, text"
                          " FROM consultation_chat WHERE consultation_id = ?"
                          " AND seq > ? ORDER BY seq LIMIT ?");
    if (!st) {
        return -EIO;
    }
    list = calloc(1, sizeof(*list));
    if (!list) {
        return -ENOMEM;
    }
    sqlite3_bind_int64(st, 1, consultation_id);
    sqlite3_bind_int64(st, 2, after_seq);
    sqlite3_bind_int(st, 3, limit);
    rc = tc_rec__collect(db, st, sizeof(*list->items), read_row,
                         (void **)&list->items, &list->count);
    if (rc < 0) {
        tc_rec_consultation_chat_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

void
tc_rec_consultation_chat_list_free(struct tc_rec_chat_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].text);
    }
    free(list->items);
    free(list);
}
