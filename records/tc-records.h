/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tc-records.h - the clinical and administrative store of telecare.
 *
 * One handle, struct tc_rec_db, owns one SQLite connection to one database
 * file (WAL mode, foreign keys on, a busy timeout). It is not thread-safe:
 * use a handle from one thread at a time (the server uses it on its main
 * loop only). Several handles, in several processes, may open one file.
 *
 * Conventions for the whole API:
 * - A function that can fail returns 0 or a negative errno:
 *     -EINVAL  a value is invalid (the error text names the field and rule)
 *     -ENOENT  the record does not exist
 *     -EEXIST  a conflict with an existing record (a unique rule)
 *     -EPERM   a lifecycle transition that is not allowed
 *     -ENOMEM, -EIO, -EBUSY (database locked past the busy timeout)
 *   After a failure, tc_rec_errmsg() names the field or the rule, and
 *   nothing was written: every mutating call is one transaction.
 * - Out-params are written only on success.
 * - Pointer arguments are borrowed for the call. A non-const pointer
 *   returned through an out-param belongs to the caller, who frees it with
 *   the one free function named for its type (NULL is ignored).
 * - Calendar dates are "YYYY-MM-DD" strings; instants are int64_t
 *   microseconds since the Unix epoch (UTC), named *_at_us. Ids are int64_t
 *   row ids, > 0.
 * - Records never log; they return codes and text.
 */
#ifndef TC_RECORDS_H
#define TC_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tc_rec_db;

/*
 * Open (creating if needed) the store at `path` and migrate its schema to
 * the version this library writes. On success *out owns a new handle; on
 * failure *out is untouched.
 * Errors: -ENOMEM, -EACCES, -EIO, -EBADMSG (not a telecare database),
 * -EPROTONOSUPPORT (written by a newer telecare; never migrated down).
 */
int tc_rec_open(const char *path, struct tc_rec_db **out);

/*
 * Like tc_rec_open(), and on failure writes a malloc'd description of the
 * failure into *errmsg (the caller frees it). On success *errmsg is
 * untouched.
 */
int tc_rec_open_error(const char *path, struct tc_rec_db **out,
                      char **errmsg);

/*
 * Close a handle: finalizes statements and closes the connection; the
 * last connection to a file checkpoints the WAL into the database file.
 * NULL is ignored.
 */
void tc_rec_close(struct tc_rec_db *db);

/* The text of the last error on this handle, for people. Borrowed until the
 * next call on the handle. Never NULL ("" after success). */
const char *tc_rec_errmsg(const struct tc_rec_db *db);

/* The schema version this library writes, and the version of the file. */
int tc_rec_schema_version_latest(void);
int tc_rec_schema_version(struct tc_rec_db *db, int *out);

/* A cheap read that proves the database answers (for health checks). */
int tc_rec_ping(struct tc_rec_db *db);

/*
 * Copy the whole database, while it is in use, into a new file at
 * `dest_path` (SQLite's online backup). The file must not exist yet.
 * Errors: -EEXIST, -EACCES, -EIO, -EBUSY.
 */
int tc_rec_backup(struct tc_rec_db *db, const char *dest_path);

/*
 * Group several calls into one transaction: all of them are written, or
 * none. Nesting is allowed (savepoints). A failed call inside a group
 * leaves the group open; the caller decides to commit or roll back.
 */
int tc_rec_tx_begin(struct tc_rec_db *db);
int tc_rec_tx_commit(struct tc_rec_db *db);
int tc_rec_tx_rollback(struct tc_rec_db *db);

/* == Organizations, people, residents, contracts, follow-ups, audit == */
/* (core: organizations.c, practitioners.c, residents.c, contract.c, ...) */

/* == Rehabilitation, consultations, ECG and imaging studies == */
/* (clinical: rehab.c, consultation.c, ecg-study.c, imaging-study.c, ...) */

/* == FHIR R4 mapping == */

/* == Statistics == */

#ifdef __cplusplus
}
#endif

#endif
