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
#define TC_REC_STMT_CACHE 1024

struct tc_rec__stmt_slot {
    const char *sql; /* the literal the statement was prepared from */
    sqlite3_stmt *stmt;
};

struct tc_rec_db {
    sqlite3 *conn;
    int tx_depth;
    char errmsg[TC_REC_ERRMSG_MAX];
    char errpath[TC_REC_FHIR_PATH_MAX]; /* of the error (fhir.c) */
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
extern const char tc_rec__schema_accounts[];
extern const char tc_rec__schema_chat[];
extern const char tc_rec__schema_rehab[];
extern const char tc_rec__schema_referral[];
extern const char tc_rec__schema_imaging[];
extern const char tc_rec__schema_ecg[];
extern const char tc_rec__schema_recordings[];    /* 7 */
extern const char tc_rec__schema_rehab_media[];   /* 13 */
extern const char tc_rec__schema_media_profile[]; /* 14 */

/* recording.c's field checks and row reader (id, owner id, user_id,
 * track, path, media_type, started_at_us, duration_ms, size_bytes,
 * sha256; the owner id goes to consultation_id), shared with
 * rehab-recording.c. */
int tc_rec__recording_check(struct tc_rec_db *db,
                            const struct tc_rec_recording *r);
int tc_rec__recording_row(sqlite3_stmt *st, void *item);
int tc_rec__recording_insert(struct tc_rec_db *db,
                             const struct tc_rec_recording *r,
                             const char *insert_sql, const char *owner_sql,
                             int64_t owner_id, const char *owner_field,
                             const char *owner_what, int64_t *id_out);

int tc_rec__migrate(struct tc_rec_db *db);

/* -- core helpers (core-util.c, calendar.c, followup.c) -- */

/* End a call's transaction: commit when rc == 0, else roll back keeping
 * the error text. Returns rc, or the commit's error. */
int tc_rec__tx_end(struct tc_rec_db *db, int rc);

/* The index i with codes[i] equal to s (NULL entries skipped), or -1. */
int tc_rec__code_find(const char *const *codes, int n, const char *s);

/* codes[value] when 0 <= value < n, else NULL (a NULL entry, such as
 * codes[0] of an enum that starts at 1, also gives NULL). */
const char *tc_rec__code_name(const char *const *codes, int n, int value);

/* *out = the index of s in codes (as tc_rec__code_find); -EINVAL, *out
 * untouched, when s is NULL or not a code. */
int tc_rec__code_parse(const char *const *codes, int n, const char *s,
                       int *out);

/* Step a statement that returns no row and reset it; `what` names the
 * operation in the error text. */
int tc_rec__step_done(struct tc_rec_db *db, sqlite3_stmt *st,
                      const char *what);

/*
 * Step `st` to its end, appending one zeroed element of elem_size bytes to
 * *items (grown with realloc; *count counts them) per row and filling it
 * with row(st, item). Resets st. On failure the elements built so far stay
 * in *items for the caller's list destructor.
 */
int tc_rec__collect(struct tc_rec_db *db, sqlite3_stmt *st, size_t elem_size,
                    int (*row)(sqlite3_stmt *st, void *item), void **items,
                    size_t *count);

/*
 * Step `st` (bound by the caller) once and reset it; on a row, *out is a
 * new calloc'd element of elem_size bytes filled by row(st, item). Returns
 * -ENOENT, with no error text, when there is no row: the caller names
 * what was missing. On -ENOMEM nothing is kept.
 */
int tc_rec__fetch(struct tc_rec_db *db, sqlite3_stmt *st, size_t elem_size,
                  int (*row)(sqlite3_stmt *st, void *item),
                  void (*item_free)(void *item), void **out);

/* Whether the one-parameter query `sql` (a literal) returns a row for id. */
int tc_rec__exists(struct tc_rec_db *db, const char *sql, int64_t id,
                   bool *out);

/* Whether the two-parameter query `sql` (a literal; ?1 = a, ?2 = b)
 * returns a row; `what` names the lookup in the error text. */
int tc_rec__exists2(struct tc_rec_db *db, const char *sql, int64_t a,
                    int64_t b, const char *what, bool *out);

/* -EINVAL naming `field` unless s is NULL-or-(1..max_len bytes, no control
 * characters); NULL is refused when required. */
int tc_rec__text_check(struct tc_rec_db *db, const char *field, const char *s,
                       size_t max_len, bool required);

/* Calendar arithmetic on valid "YYYY-MM-DD" dates; out has 11 bytes. */
int64_t tc_rec__date_days(const char *date); /* days since 1970-01-01 */
void tc_rec__date_from_days(int64_t days, char *out);
void tc_rec__date_add_days(const char *date, int64_t days, char *out);
/* Adds months, clamping the day to the month's last (01-31 + 1 = 02-28). */
void tc_rec__date_add_months(const char *date, int months, char *out);
/* The UTC calendar date of an instant. */
void tc_rec__date_of_us(int64_t at_us, char *out);

/* The panel query (panel.c), exported so its unit test can check that
 * its plan stays one index range. */
extern const char tc_rec__sql_panel[];

/* Follow-ups of a contract entering or leaving ACTIVE (contract.c). */
int tc_rec__followups_generate(struct tc_rec_db *db, int64_t contract_id,
                               unsigned packages, const char *start,
                               const char *end);
int tc_rec__followups_close(struct tc_rec_db *db, int64_t contract_id,
                            enum tc_rec_followup_status to, const char *note);

/* -- clinical helpers (clinical-util.c, amendment.c) -- */

/* Like tc_rec__text_check, for clinical prose: also allows newlines and
 * tabs (notes, findings, opinions span lines). */
int tc_rec__prose_check(struct tc_rec_db *db, const char *field, const char *s,
                        size_t max_len, bool required);

/* -ENOENT "field: no <noun> <id>" unless the one-parameter query `sql`
 * (a literal) returns a row for id. */
int tc_rec__need_row(struct tc_rec_db *db, const char *sql, int64_t id,
                     const char *field, const char *noun);

/* Step `st` to its end collecting column 0 of every row into a malloc'd
 * array (*ids_out, may be NULL when *n_out is 0). */
int tc_rec__ids_collect(struct tc_rec_db *db, sqlite3_stmt *st,
                        int64_t **ids_out, size_t *n_out);

/* Append version N+1 of a note or an opinion (reason NULL for version 1,
 * required after) inside the caller's transaction. */
int tc_rec__text_version_add(struct tc_rec_db *db, enum tc_rec_text_kind kind,
                             int64_t owner_id, const char *text,
                             int64_t author_id, int64_t at_us,
                             const char *reason, int *version_out);

/* The latest version of a note or an opinion into caller storage (its text
 * and reason are malloc'd); -ENOENT when there is none. */
int tc_rec__text_version_latest(struct tc_rec_db *db,
                                enum tc_rec_text_kind kind, int64_t owner_id,
                                struct tc_rec_text_version *out);

/* -- accounts helpers (account.c) -- */

/* Run the one-row UPDATE `sql` on user `id` (?1 is the id; bind() binds
 * the rest from arg) in its own transaction; -ENOENT "no user <id>" when
 * no row changed. */
int tc_rec__user_update(struct tc_rec_db *db, int64_t id, const char *sql,
                        int (*bind)(sqlite3_stmt *st, const void *arg),
                        const void *arg);

/* -- tiered care helpers (department.c, referral.c) -- */

/* -EINVAL naming `field` unless code is 1..40 characters of a-z and _. */
int tc_rec__department_code_check(struct tc_rec_db *db, const char *field,
                                  const char *code);

/* A range of days from..to (inclusive, UTC) as [from_us, to_us);
 * -EINVAL naming from or to (referral-stats.c). */
int tc_rec__range_us(struct tc_rec_db *db, const char *from, const char *to,
                     int64_t *from_us, int64_t *to_us);

/* Append step `kind` to emergency `id`'s log inside the caller's
 * transaction (emergency.c). */
int tc_rec__emergency_log(struct tc_rec_db *db, int64_t id, const char *kind,
                          int tier, int64_t practitioner_id, int64_t at_us);

#endif
