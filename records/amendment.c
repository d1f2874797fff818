// SPDX-License-Identifier: Apache-2.0
/*
 * amendment.c - the version history of free clinical text: therapist notes
 * on rehab sessions and signed consultation opinions.
 *
 * Clinical content is never overwritten. The design is one version table
 * per kind of content, each holding every version as its own row:
 *
 *   session_notes          (session_id, version, text, author, at, reason)
 *   consultation_opinions  (consultation_id, version, ...)
 *   ecg_reports            (study_id, version, rhythm, ..., reader, ...)
 *   imaging_reports        (study_id, version, findings, ..., radiologist)
 *
 * rather than one generic table, because reports are structured (an ECG
 * amendment may correct the QTc, not only the prose) and each table can
 * then keep real foreign keys and CHECKs. The current content is the
 * highest version. The schema (schema-clinical.c) makes the history
 * trustworthy by itself: triggers refuse UPDATE and DELETE of a stored
 * version and an insert whose number is not the previous one plus one;
 * version 1 has no reason, every amendment has one.
 *
 * This file serves the two free-text kinds; ecg-study.c and
 * imaging-study.c append and list their report versions the same way.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdlib.h>

#include "records-int.h"

#define MAX_TEXT   20000
#define MAX_REASON 1000

struct kind_sql {
    const char *name;
    const char *owner;    /* what the text belongs to */
    const char *next_sql; /* the next version number */
    const char *insert_sql;
    const char *list_sql; /* versions, oldest first */
    const char *latest_sql;
};

static const struct kind_sql kinds[] = {
    [TC_REC_TEXT_SESSION_NOTE] =
        {
            "note",
            "session",
            "SELECT coalesce(max(version), 0) + 1 FROM session_notes"
            " WHERE session_id = ?",
            "INSERT INTO session_notes (session_id, version, text,"
            " author_id, at_us, amend_reason) VALUES (?, ?, ?, ?, ?, ?)",
            "SELECT version, text, author_id, at_us, amend_reason"
            " FROM session_notes WHERE session_id = ? ORDER BY version",
            "SELECT version, text, author_id, at_us, amend_reason"
            " FROM session_notes WHERE session_id = ?"
            " ORDER BY version DESC LIMIT 1",
        },
    [TC_REC_TEXT_CONSULTATION_OPINION] =
        {
            "opinion",
            "consultation",
            "SELECT coalesce(max(version), 0) + 1"
            " FROM consultation_opinions WHERE consultation_id = ?",
            "INSERT INTO consultation_opinions (consultation_id, version,"
            " text, author_id, at_us, amend_reason)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            "SELECT version, text, author_id, at_us, amend_reason"
            " FROM consultation_opinions WHERE consultation_id = ?"
            " ORDER BY version",
            "SELECT version, text, author_id, at_us, amend_reason"
            " FROM consultation_opinions WHERE consultation_id = ?"
            " ORDER BY version DESC LIMIT 1",
        },
};

static const struct kind_sql *
kind_of(enum tc_rec_text_kind kind)
{
    if (kind != TC_REC_TEXT_SESSION_NOTE &&
        kind != TC_REC_TEXT_CONSULTATION_OPINION) {
        return NULL;
    }
    return &kinds[kind];
}

static int
next_version(struct tc_rec_db *db, const struct kind_sql *k, int64_t owner,
             int *out)
{
    sqlite3_stmt *st = tc_rec__stmt(db, k->next_sql);
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, owner);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return tc_rec__fail_sql(db, rc, k->name);
    }
    *out = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return 0;
}

int
tc_rec__text_version_add(struct tc_rec_db *db, enum tc_rec_text_kind kind,
                         int64_t owner_id, const char *text, int64_t author_id,
                         int64_t at_us, const char *reason, int *version_out)
{
    const struct kind_sql *k = kind_of(kind);
    sqlite3_stmt *st;
    int version = 0, rc;

    if (!k) {
        return tc_rec__fail(db, -EINVAL, "kind: unknown text kind %d",
                            (int)kind);
    }
    rc = tc_rec__prose_check(db, "text", text, MAX_TEXT, true);
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              author_id, "author_id", "practitioner");
    }
    if (rc == 0) {
        rc = next_version(db, k, owner_id, &version);
    }
    if (rc < 0) {
        return rc;
    }
    if (version > 1) {
        rc = tc_rec__prose_check(db, "reason", reason, MAX_REASON, true);
    } else if (reason) {
        rc = tc_rec__fail(db, -EINVAL,
                          "reason: the first version of a %s "
                          "is not an amendment",
                          k->name);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, k->insert_sql);
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, owner_id);
    sqlite3_bind_int(st, 2, version);
    tc_rec__bind_text(st, 3, text);
    sqlite3_bind_int64(st, 4, author_id);
    sqlite3_bind_int64(st, 5, at_us);
    tc_rec__bind_text(st, 6, reason);
    rc = tc_rec__step_done(db, st, k->name);
    if (rc == 0 && version_out) {
        *version_out = version;
    }
    return rc;
}

static int
read_version(sqlite3_stmt *st, struct tc_rec_text_version *v)
{
    bool oom = false;

    v->version = sqlite3_column_int(st, 0);
    v->text = tc_rec__col_text(st, 1, &oom);
    v->author_id = sqlite3_column_int64(st, 2);
    v->at_us = sqlite3_column_int64(st, 3);
    v->amend_reason = tc_rec__col_text(st, 4, &oom);
    return oom ? -ENOMEM : 0;
}

int
tc_rec__text_version_latest(struct tc_rec_db *db, enum tc_rec_text_kind kind,
                            int64_t owner_id, struct tc_rec_text_version *out)
{
    const struct kind_sql *k = kind_of(kind);
    struct tc_rec_text_version v = {0};
    sqlite3_stmt *st;
    int rc;

    if (!k) {
        return tc_rec__fail(db, -EINVAL, "kind: unknown text kind %d",
                            (int)kind);
    }
    st = tc_rec__stmt(db, k->latest_sql);
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, owner_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return -ENOENT;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return tc_rec__fail_sql(db, rc, k->name);
    }
    rc = read_version(st, &v);
    sqlite3_reset(st);
    if (rc < 0) {
        free(v.text);
        free(v.amend_reason);
        return tc_rec__fail(db, rc, "out of memory");
    }
    *out = v;
    return 0;
}

void
tc_rec_text_version_list_free(struct tc_rec_text_version_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].text);
        free(list->items[i].amend_reason);
    }
    free(list->items);
    free(list);
}

static int
collect_versions(struct tc_rec_db *db, sqlite3_stmt *st,
                 struct tc_rec_text_version_list *list)
{
    struct tc_rec_text_version *grown;
    size_t cap = 0;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (list->count == cap) {
            cap = cap ? cap * 2 : 4;
            grown = realloc(list->items, cap * sizeof(*grown));
            if (!grown) {
                return tc_rec__fail(db, -ENOMEM, "out of memory");
            }
            list->items = grown;
        }
        rc = read_version(st, &list->items[list->count]);
        list->count++;
        if (rc < 0) {
            return tc_rec__fail(db, rc, "out of memory");
        }
    }
    return rc == SQLITE_DONE ? 0 : tc_rec__fail_sql(db, rc, "versions");
}

int
tc_rec_text_versions(struct tc_rec_db *db, enum tc_rec_text_kind kind,
                     int64_t owner_id, struct tc_rec_text_version_list **out)
{
    const struct kind_sql *k = kind_of(kind);
    struct tc_rec_text_version_list *list;
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    if (!k) {
        return tc_rec__fail(db, -EINVAL, "kind: unknown text kind %d",
                            (int)kind);
    }
    st = tc_rec__stmt(db, k->list_sql);
    if (!st) {
        return -EIO;
    }
    list = calloc(1, sizeof(*list));
    if (!list) {
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    sqlite3_bind_int64(st, 1, owner_id);
    rc = collect_versions(db, st, list);
    sqlite3_reset(st);
    if (rc == 0 && list->count == 0) {
        rc = tc_rec__fail(db, -ENOENT, "%s: %s %lld has none", k->name,
                          k->owner, (long long)owner_id);
    }
    if (rc < 0) {
        tc_rec_text_version_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}
