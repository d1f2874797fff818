// SPDX-License-Identifier: Apache-2.0
/*
 * checksum.c - a digest of every row of every table, for tests that must
 * show a refused request wrote nothing (tests/fuzz/fuzz-api-body.c).
 *
 * sqlite3_total_changes() is no use there: it also counts rows a
 * savepoint wrote and then rolled back, which is exactly what a refusal
 * is allowed to do. So this reads the tables themselves: each table by
 * name, each row in key order (a full scan walks the table's b-tree:
 * rowid, or the primary key WITHOUT ROWID), each value with its type, into one
 * 64-bit FNV-1a. Linear in the size of the database: for small test
 * databases only.
 */
#include <errno.h>
#include <string.h>

#include <sqlite3.h>

#include "records-int.h"
#include "tc-records.h"

#define FNV_OFFSET UINT64_C(14695981039346656037)
#define FNV_PRIME  UINT64_C(1099511628211)

static uint64_t
fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;

    for (size_t i = 0; i < len; i++) {
        h = (h ^ p[i]) * FNV_PRIME;
    }
    return h;
}

static uint64_t
hash_value(uint64_t h, sqlite3_stmt *st, int col)
{
    int type = sqlite3_column_type(st, col);
    unsigned char tag = (unsigned char)type;

    h = fnv(h, &tag, 1);
    switch (type) {
    case SQLITE_INTEGER: {
        sqlite3_int64 v = sqlite3_column_int64(st, col);
        return fnv(h, &v, sizeof(v));
    }
    case SQLITE_FLOAT: {
        double v = sqlite3_column_double(st, col);
        return fnv(h, &v, sizeof(v));
    }
    case SQLITE_NULL:
        return h;
    default: {
        const void *b = sqlite3_column_blob(st, col);
        int n = sqlite3_column_bytes(st, col);
        h = fnv(h, &n, sizeof(n));
        return b ? fnv(h, b, (size_t)n) : h;
    }
    }
}

static int
hash_table(struct tc_rec_db *db, const char *name, uint64_t *h)
{
    char *sql = sqlite3_mprintf("SELECT * FROM \"%w\"", name);
    sqlite3_stmt *st = NULL;
    int rc;

    if (!sql) {
        return -ENOMEM;
    }
    rc = sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        return tc_rec__fail(db, tc_rec__errno(rc), "checksum: %s: %s", name,
                            sqlite3_errmsg(db->conn));
    }
    *h = fnv(*h, name, strlen(name) + 1);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            *h = hash_value(*h, st, c);
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : tc_rec__errno(rc);
}

int
tc_rec_checksum(struct tc_rec_db *db, uint64_t *out)
{
    sqlite3_stmt *st = NULL;
    uint64_t h = FNV_OFFSET;
    int rc;

    rc = sqlite3_prepare_v2(db->conn,
                            "SELECT name FROM sqlite_schema WHERE type = "
                            "'table' AND name NOT LIKE 'sqlite_stat%' "
                            "ORDER BY name",
                            -1, &st, NULL);
    if (rc != SQLITE_OK) {
        return tc_rec__errno(rc);
    }
    rc = 0;
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        rc = name ? hash_table(db, name, &h) : 0;
    }
    sqlite3_finalize(st);
    if (rc == 0) {
        *out = h;
    }
    return rc;
}

int64_t
tc_rec_total_changes(struct tc_rec_db *db)
{
    return sqlite3_total_changes64(db->conn);
}
