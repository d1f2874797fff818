// SPDX-License-Identifier: Apache-2.0
/*
 * db.c - the records handle: open, close, errors, statements, transactions
 * and online backup.
 *
 * Invariants: a handle's connection runs in WAL mode with foreign keys on
 * and a busy timeout; its schema is at tc_rec_schema_version_latest() once
 * tc_rec_open() returned 0. Statements are prepared once per handle and
 * kept in a small cache keyed by the address of their SQL literal.
 * Transactions are savepoints, so a public call that wraps itself in one
 * composes with a caller's tc_rec_tx_begin().
 *
 * Thread: whichever thread uses the handle; one at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "records-int.h"

#define BUSY_TIMEOUT_MS 5000

int
tc_rec__errno(int sqlite_rc)
{
    switch (sqlite_rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return 0;
    case SQLITE_NOMEM:
        return -ENOMEM;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return -EBUSY;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_AUTH:
        return -EACCES;
    case SQLITE_CONSTRAINT:
        if (sqlite_rc == SQLITE_CONSTRAINT_UNIQUE ||
            sqlite_rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
            return -EEXIST;
        }
        if (sqlite_rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
            return -ENOENT;
        }
        return -EINVAL;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return -EBADMSG;
    case SQLITE_TOOBIG:
        return -EMSGSIZE;
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
        return -EINVAL;
    default:
        return -EIO;
    }
}

void
tc_rec__ok(struct tc_rec_db *db)
{
    db->errmsg[0] = '\0';
    db->errpath[0] = '\0';
}

int
tc_rec__fail(struct tc_rec_db *db, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(db->errmsg, sizeof(db->errmsg), fmt, ap);
    va_end(ap);
    return rc;
}

int
tc_rec__fail_sql(struct tc_rec_db *db, int sqlite_rc, const char *what)
{
    int rc = tc_rec__errno(sqlite_rc);

    /* A statement that ended without the row its caller needed
     * (SQLITE_DONE) is a failure too, never 0. */
    return tc_rec__fail(db, rc < 0 ? rc : -EIO, "%s: %s", what,
                        rc < 0 ? sqlite3_errmsg(db->conn) : "no row");
}

const char *
tc_rec_errmsg(const struct tc_rec_db *db)
{
    return db ? db->errmsg : "no database handle";
}

sqlite3_stmt *
tc_rec__stmt(struct tc_rec_db *db, const char *sql)
{
    size_t h = ((uintptr_t)sql >> 3) % TC_REC_STMT_CACHE;
    sqlite3_stmt *st;
    int rc;

    for (size_t i = 0; i < TC_REC_STMT_CACHE; i++) {
        struct tc_rec__stmt_slot *slot =
            &db->stmts[(h + i) % TC_REC_STMT_CACHE];
        if (slot->sql == sql) {
            sqlite3_reset(slot->stmt);
            sqlite3_clear_bindings(slot->stmt);
            return slot->stmt;
        }
        if (!slot->sql) {
            rc = sqlite3_prepare_v3(db->conn, sql, -1,
                                    SQLITE_PREPARE_PERSISTENT, &st, NULL);
            if (rc != SQLITE_OK) {
                tc_rec__fail_sql(db, rc, "prepare");
                return NULL;
            }
            slot->sql = sql;
            slot->stmt = st;
            return st;
        }
    }
    /* Cache full: a programming error (more distinct statements than
     * TC_REC_STMT_CACHE); report it rather than leak. */
    tc_rec__fail(db, -ENOMEM, "statement cache full (%d)", TC_REC_STMT_CACHE);
    return NULL;
}

int
tc_rec__exec(struct tc_rec_db *db, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(db->conn, sql, NULL, NULL, &err);

    if (rc != SQLITE_OK) {
        tc_rec__fail(db, tc_rec__errno(rc), "%s", err ? err : "exec");
        sqlite3_free(err);
        return tc_rec__errno(rc);
    }
    return 0;
}

/* Run one cached statement without results (every public call opens and
 * closes a savepoint: parsing them each time was a visible cost). */
static int
run_cached(struct tc_rec_db *db, const char *sql)
{
    sqlite3_stmt *st = tc_rec__stmt(db, sql);
    int rc;

    if (!st) {
        return -EIO;
    }
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        return tc_rec__fail_sql(db, rc, sql);
    }
    return 0;
}

int
tc_rec__tx_begin(struct tc_rec_db *db)
{
    int rc = run_cached(db, "SAVEPOINT tc");

    if (rc == 0) {
        db->tx_depth++;
    }
    return rc;
}

int
tc_rec__tx_commit(struct tc_rec_db *db)
{
    int rc;

    if (db->tx_depth <= 0) {
        return tc_rec__fail(db, -EINVAL, "commit: no open transaction");
    }
    rc = run_cached(db, "RELEASE tc");
    if (rc == 0) {
        db->tx_depth--;
    }
    return rc;
}

int
tc_rec__tx_rollback(struct tc_rec_db *db)
{
    char saved[TC_REC_ERRMSG_MAX];
    int rc;

    if (db->tx_depth <= 0) {
        return tc_rec__fail(db, -EINVAL, "rollback: no open transaction");
    }
    /* Keep the error text that caused the rollback. */
    memcpy(saved, db->errmsg, sizeof(saved));
    rc = tc_rec__exec(db, "ROLLBACK TO tc; RELEASE tc");
    if (rc == 0) {
        db->tx_depth--;
        memcpy(db->errmsg, saved, sizeof(saved));
    }
    return rc;
}

int
tc_rec_tx_begin(struct tc_rec_db *db)
{
    tc_rec__ok(db);
    return tc_rec__tx_begin(db);
}

int
tc_rec_tx_commit(struct tc_rec_db *db)
{
    tc_rec__ok(db);
    return tc_rec__tx_commit(db);
}

int
tc_rec_tx_rollback(struct tc_rec_db *db)
{
    return tc_rec__tx_rollback(db);
}

int
tc_rec__bind_text(sqlite3_stmt *st, int idx, const char *s)
{
    int rc = s ? sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT)
               : sqlite3_bind_null(st, idx);
    return tc_rec__errno(rc);
}

int
tc_rec__bind_id(sqlite3_stmt *st, int idx, int64_t id)
{
    int rc =
        id > 0 ? sqlite3_bind_int64(st, idx, id) : sqlite3_bind_null(st, idx);
    return tc_rec__errno(rc);
}

char *
tc_rec__col_text(sqlite3_stmt *st, int col, bool *oom)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    char *copy;

    if (!t) {
        return NULL;
    }
    copy = strdup((const char *)t);
    if (!copy) {
        *oom = true;
    }
    return copy;
}

char *
tc_rec__strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

bool
tc_rec__date_valid(const char *date)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    int y, m, d;

    if (!date || strlen(date) != 10 || date[4] != '-' || date[7] != '-') {
        return false;
    }
    for (int i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && (date[i] < '0' || date[i] > '9')) {
            return false;
        }
    }
    y = atoi(date);
    m = atoi(date + 5);
    d = atoi(date + 8);
    if (y < 1850 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) {
        return false;
    }
    if (m == 2 && d == 29) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    }
    return true;
}

static int
configure(struct tc_rec_db *db)
{
    int rc;

    sqlite3_busy_timeout(db->conn, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(db->conn, 1);
    /* synchronous = FULL: a committed clinical record survives a power
     * cut, not only a crash (NORMAL would lose the last commits). */
    /* cache_size: 64 MiB of pages (allocated as used). With SQLite's 2 MiB
     * default, an authenticated read on a 100,000-resident county went to
     * the OS for pages every few statements (docs/performance.md). */
    rc = tc_rec__exec(db, "PRAGMA foreign_keys = ON;"
                          "PRAGMA synchronous = FULL;"
                          "PRAGMA cache_size = -65536;");
    if (rc < 0) {
        return rc;
    }
    /* journal_mode answers with a row; WAL is persistent in the file. */
    return tc_rec__exec(db, "PRAGMA journal_mode = WAL;");
}

int
tc_rec_open_error(const char *path, struct tc_rec_db **out, char **errmsg)
{
    struct tc_rec_db *db;
    int rc;

    db = calloc(1, sizeof(*db));
    if (!db) {
        return -ENOMEM;
    }
    rc = sqlite3_open_v2(path, &db->conn,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                             SQLITE_OPEN_NOMUTEX,
                         NULL);
    if (rc != SQLITE_OK) {
        rc = tc_rec__fail_sql(db, rc, path);
        goto fail;
    }
    rc = configure(db);
    if (rc < 0) {
        goto fail;
    }
    rc = tc_rec__migrate(db);
    if (rc < 0) {
        goto fail;
    }
    *out = db;
    return 0;

fail:
    if (errmsg) {
        *errmsg = strdup(db->errmsg);
    }
    tc_rec_close(db); /* safe on a half-built handle */
    return rc;
}

int
tc_rec_open(const char *path, struct tc_rec_db **out)
{
    return tc_rec_open_error(path, out, NULL);
}

void
tc_rec_close(struct tc_rec_db *db)
{
    if (!db) {
        return;
    }
    for (size_t i = 0; i < TC_REC_STMT_CACHE; i++) {
        sqlite3_finalize(db->stmts[i].stmt);
    }
    sqlite3_close(db->conn);
    free(db);
}

int
tc_rec_set_sync(struct tc_rec_db *db, enum tc_rec_sync sync)
{
    tc_rec__ok(db);
    switch (sync) {
    case TC_REC_SYNC_FULL:
        return tc_rec__exec(db, "PRAGMA synchronous = FULL");
    case TC_REC_SYNC_NORMAL:
        return tc_rec__exec(db, "PRAGMA synchronous = NORMAL");
    }
    return tc_rec__fail(db, -EINVAL, "sync: unknown mode %d", (int)sync);
}

int
tc_rec_set_autocheckpoint(struct tc_rec_db *db, int pages)
{
    tc_rec__ok(db);
    if (pages < 0) {
        return tc_rec__fail(db, -EINVAL, "autocheckpoint: pages < 0");
    }
    return tc_rec__errno(sqlite3_wal_autocheckpoint(db->conn, pages));
}

int
tc_rec_checkpoint(struct tc_rec_db *db, int *log_pages, int *done_pages)
{
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(db->conn, NULL,
                                       SQLITE_CHECKPOINT_PASSIVE, &log, &done);

    tc_rec__ok(db);
    if (rc != SQLITE_OK) {
        return tc_rec__fail_sql(db, rc, "checkpoint");
    }
    if (log_pages) {
        *log_pages = log;
    }
    if (done_pages) {
        *done_pages = done;
    }
    return 0;
}

int
tc_rec_ping(struct tc_rec_db *db)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT count(*) FROM sqlite_schema");
    if (!st) {
        return -EIO;
    }
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        return tc_rec__fail_sql(db, rc, "ping");
    }
    return 0;
}

int
tc_rec_backup(struct tc_rec_db *db, const char *dest_path)
{
    sqlite3 *dest = NULL;
    sqlite3_backup *bk;
    struct stat sb;
    int rc;

    tc_rec__ok(db);
    if (stat(dest_path, &sb) == 0) {
        return tc_rec__fail(db, -EEXIST, "backup: %s already exists",
                            dest_path);
    }
    rc = sqlite3_open_v2(dest_path, &dest,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        rc = tc_rec__fail(db, tc_rec__errno(rc), "backup: %s: %s", dest_path,
                          sqlite3_errmsg(dest));
        sqlite3_close(dest);
        unlink(dest_path);
        return rc;
    }
    bk = sqlite3_backup_init(dest, "main", db->conn, "main");
    if (!bk) {
        rc = tc_rec__fail(db, tc_rec__errno(sqlite3_errcode(dest)),
                          "backup: %s", sqlite3_errmsg(dest));
        sqlite3_close(dest);
        unlink(dest_path);
        return rc;
    }
    /* Copy in steps so writers on other connections are not held up for
     * the whole copy; a change by another connection restarts it. */
    do {
        rc = sqlite3_backup_step(bk, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
            sqlite3_sleep(10);
        }
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(bk);
    if (rc != SQLITE_DONE) {
        rc = tc_rec__fail(db, tc_rec__errno(rc), "backup: %s",
                          sqlite3_errstr(rc));
        sqlite3_close(dest);
        unlink(dest_path);
        return rc;
    }
    sqlite3_close(dest);
    return 0;
}
