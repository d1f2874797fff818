// SPDX-License-Identifier: Apache-2.0
/*
 * clinical-util.c - small helpers shared by the clinical files of records/
 * (rehab, Barthel, consultations, ECG and imaging studies): prose checks,
 * "does this row exist" with an error naming the field, and collecting a
 * column of ids.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

int
tc_rec__prose_check(struct tc_rec_db *db, const char *field, const char *s,
                    size_t max_len, bool required)
{
    size_t len;

    if (!s) {
        return required ? tc_rec__fail(db, -EINVAL, "%s: required", field) : 0;
    }
    len = strlen(s);
    if (len == 0 || len > max_len) {
        return tc_rec__fail(db, -EINVAL, "%s: must be 1..%zu bytes", field,
                            max_len);
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) {
            return tc_rec__fail(db, -EINVAL,
                                "%s: control character at byte %zu", field, i);
        }
    }
    return 0;
}

int
tc_rec__need_row(struct tc_rec_db *db, const char *sql, int64_t id,
                 const char *field, const char *noun)
{
    bool found = false;
    int rc;

    if (id <= 0) {
        return tc_rec__fail(db, -EINVAL, "%s: required", field);
    }
    rc = tc_rec__exists(db, sql, id, &found);
    if (rc < 0) {
        return rc;
    }
    if (!found) {
        return tc_rec__fail(db, -ENOENT, "%s: no %s %lld", field, noun,
                            (long long)id);
    }
    return 0;
}

int
tc_rec__ids_collect(struct tc_rec_db *db, sqlite3_stmt *st, int64_t **ids_out,
                    size_t *n_out)
{
    int64_t *ids = NULL, *grown;
    size_t n = 0, cap = 0;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            grown = realloc(ids, cap * sizeof(*ids));
            if (!grown) {
                free(ids);
                sqlite3_reset(st);
                return tc_rec__fail(db, -ENOMEM, "out of memory");
            }
            ids = grown;
        }
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(ids);
        return tc_rec__fail_sql(db, rc, "read ids");
    }
    *ids_out = ids;
    *n_out = n;
    return 0;
}
