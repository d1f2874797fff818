// SPDX-License-Identifier: Apache-2.0
/*
 * core-util.c - small helpers shared by the core files of records/
 * (organizations, people, residents, contracts, follow-ups, audit): ending
 * a call's transaction, code tables, one-statement writes, existence
 * checks and text validation.
 *
 * Invariant: every helper that fails leaves its reason in db->errmsg and
 * returns a negative errno; none opens a transaction of its own.
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

int
tc_rec__tx_end(struct tc_rec_db *db, int rc)
{
    if (rc < 0) {
        tc_rec__tx_rollback(db);
        return rc;
    }
    return tc_rec__tx_commit(db);
}

int
tc_rec__code_find(const char *const *codes, int n, const char *s)
{
    if (!s) {
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (codes[i] && strcmp(codes[i], s) == 0) {
            return i;
        }
    }
    return -1;
}

const char *
tc_rec__code_name(const char *const *codes, int n, int value)
{
    return value >= 0 && value < n ? codes[value] : NULL;
}

int
tc_rec__code_parse(const char *const *codes, int n, const char *s, int *out)
{
    int i = tc_rec__code_find(codes, n, s);

    if (i < 0) {
        return -EINVAL;
    }
    *out = i;
    return 0;
}

int
tc_rec__step_done(struct tc_rec_db *db, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        return tc_rec__fail_sql(db, rc, what);
    }
    return 0;
}

int
tc_rec__exists(struct tc_rec_db *db, const char *sql, int64_t id, bool *out)
{
    sqlite3_stmt *st = tc_rec__stmt(db, sql);
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return tc_rec__fail_sql(db, rc, "lookup");
    }
    *out = rc == SQLITE_ROW;
    return 0;
}

int
tc_rec__exists2(struct tc_rec_db *db, const char *sql, int64_t a, int64_t b,
                const char *what, bool *out)
{
    sqlite3_stmt *st = tc_rec__stmt(db, sql);
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return tc_rec__fail_sql(db, rc, what);
    }
    *out = rc == SQLITE_ROW;
    return 0;
}

int
tc_rec__text_check(struct tc_rec_db *db, const char *field, const char *s,
                   size_t max_len, bool required)
{
    size_t len;

    if (!s) {
        return required ? tc_rec__fail(db, -EINVAL, "%s: required", field) : 0;
    }
    len = strlen(s);
    if (len == 0) {
        return tc_rec__fail(db, -EINVAL, "%s: empty", field);
    }
    if (len > max_len) {
        return tc_rec__fail(db, -EINVAL, "%s: longer than %zu bytes", field,
                            max_len);
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            return tc_rec__fail(db, -EINVAL,
                                "%s: contains a control character", field);
        }
    }
    return 0;
}

int
tc_rec__collect(struct tc_rec_db *db, sqlite3_stmt *st, size_t elem_size,
                int (*row)(sqlite3_stmt *st, void *item), void **items,
                size_t *count)
{
    size_t cap = *count;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char *item;
        if (*count == cap) {
            void *grown;
            cap = cap ? cap * 2 : 16;
            grown = realloc(*items, cap * elem_size);
            if (!grown) {
                sqlite3_reset(st);
                return tc_rec__fail(db, -ENOMEM, "out of memory");
            }
            *items = grown;
        }
        item = (char *)*items + *count * elem_size;
        memset(item, 0, elem_size);
        (*count)++;
        if (row(st, item) < 0) {
            sqlite3_reset(st);
            return tc_rec__fail(db, -ENOMEM, "out of memory");
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        return tc_rec__fail_sql(db, rc, "query");
    }
    return 0;
}

int
tc_rec__fetch(struct tc_rec_db *db, sqlite3_stmt *st, size_t elem_size,
              int (*row)(sqlite3_stmt *st, void *item),
              void (*item_free)(void *item), void **out)
{
    void *item;
    int rc = sqlite3_step(st);

    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? -ENOENT : tc_rec__fail_sql(db, rc, "get");
    }
    item = calloc(1, elem_size);
    rc = item ? row(st, item) : -ENOMEM;
    sqlite3_reset(st);
    if (rc < 0) {
        item_free(item);
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    *out = item;
    return 0;
}
