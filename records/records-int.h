/* SPDX-License-Identifier: Apache-2.0 */
/*
 * records-int.h - shared by the files of records/ only.
 *
 * The handle, the statement cache, error helpers and transactions. Every
 * file of records/ reaches SQLite through these helpers so that errors are
 * mapped to errno codes once (tc_rec__errno) and every mutating public
 * call is wrapped in one savepoint (tc_rec__tx_*).
 */
#ifndef TC_RECORDS_INT_H
#define TC_RECORDS_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "tc-records.h"

#define TC_REC_ERRMSG_MAX 256
#define TC_REC_STMT_CACHE 256

struct tc_rec__stmt_slot {
    const char *sql; /* the literal the statement was prepared from */
    sqlite3_stmt *stmt;
};

struct tc_rec_db {
    sqlite3 *conn;
    int tx_depth;
    char errmsg[TC_REC_ERRMSG_MAX];
    struct tc_rec__stmt_slot stmts[TC_REC_STMT_CACHE];
};

/* Map an SQLite result code to a negative errno. */
int tc_rec__errno(int sqlite_rc);

/*
 * Record an error for people on `db` and return `rc` unchanged, so a
 * caller writes `return tc_rec__fail(db, -EINVAL, "sex: must be ...")`.
 */
int tc_rec__fail(struct tc_rec_db *db, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As tc_rec__fail, for an SQLite result code (adds SQLite's own text). */
int tc_rec__fail_sql(struct tc_rec_db *db, int sqlite_rc, const char *what);

/* Clear the error text at the start of a public call. */
void tc_rec__ok(struct tc_rec_db *db);

/*
 * A prepared statement for the string literal `sql`, reset and with its
 * bindings cleared, cached on the handle (keyed by the literal's address,
 * so pass literals, not built strings). Borrowed: never finalize it.
 * Returns NULL with the error recorded when preparation fails.
 */
sqlite3_stmt *tc_rec__stmt(struct tc_rec_db *db, const char *sql);

/* Run SQL with no results and no parameters (schema, pragmas). */
int tc_rec__exec(struct tc_rec_db *db, const char *sql);

/* Savepoint-based transactions: begin, then commit or rollback. */
int tc_rec__tx_begin(struct tc_rec_db *db);
int tc_rec__tx_commit(struct tc_rec_db *db);
int tc_rec__tx_rollback(struct tc_rec_db *db);

/* Bind helpers: a NULL string binds SQL NULL; an id <= 0 binds NULL. */
int tc_rec__bind_text(sqlite3_stmt *st, int idx, const char *s);
int tc_rec__bind_id(sqlite3_stmt *st, int idx, int64_t id);

/* A malloc'd copy of a text column, or NULL for SQL NULL. Sets *oom when
 * allocation fails. */
char *tc_rec__col_text(sqlite3_stmt *st, int col, bool *oom);

/* strdup that accepts NULL. */
char *tc_rec__strdup(const char *s);

/* Validate a "YYYY-MM-DD" calendar date (real day of a real month). */
bool tc_rec__date_valid(const char *date);

/* Schema migrations: applied in order at open. */
struct tc_rec__migration {
    int version;
    const char *name;
    const char *sql;
};

extern const char tc_rec__schema_core[];
extern const char tc_rec__schema_clinical[];

int tc_rec__migrate(struct tc_rec_db *db);

#endif
