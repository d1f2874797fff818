// SPDX-License-Identifier: Apache-2.0
/*
 * account-login.c - what logging in changes on an account: failed logins
 * are counted and, at a threshold, lock the account for a while; a
 * success clears both; a TOTP time step once accepted cannot be accepted
 * again (no replay of a code within its window).
 *
 *   unlocked, n failures --fail, n+1 < threshold--> n+1 failures
 *   unlocked, n failures --fail, n+1 = threshold--> locked until now+lock,
 *                                                   0 failures
 *   any --success--> unlocked, 0 failures
 *
 * Whether a lock is still running is the caller's comparison of
 * locked_until_us with its clock: records has no clock.
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdlib.h>

#include "records-int.h"

static int
read_failures(struct tc_rec_db *db, int64_t id, int *failed)
{
    sqlite3_stmt *st = tc_rec__stmt(db, "SELECT failed_logins FROM users"
                                        " WHERE id = ?");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *failed = sqlite3_column_int(st, 0);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        return tc_rec__fail(db, -ENOENT, "no user %lld", (long long)id);
    }
    return rc == SQLITE_ROW ? 0 : tc_rec__fail_sql(db, rc, "user");
}

static int
count_failure(struct tc_rec_db *db, int64_t id, int64_t now_us, int threshold,
              int64_t lock_us, int64_t *locked_until)
{
    sqlite3_stmt *st;
    int failed = 0;
    int rc = read_failures(db, id, &failed);

    if (rc < 0) {
        return rc;
    }
    failed++;
    *locked_until = 0;
    if (failed >= threshold) {
        failed = 0;
        *locked_until = now_us + lock_us;
    }
    st = tc_rec__stmt(db, "UPDATE users SET failed_logins = ?,"
                          " locked_until_us = CASE WHEN ? > 0 THEN ?"
                          " ELSE locked_until_us END WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int(st, 1, failed);
    sqlite3_bind_int64(st, 2, *locked_until);
    sqlite3_bind_int64(st, 3, *locked_until);
    sqlite3_bind_int64(st, 4, id);
    return tc_rec__step_done(db, st, "user");
}

int
tc_rec_user_login_failed(struct tc_rec_db *db, int64_t id, int64_t now_us,
                         int threshold, int64_t lock_us, int64_t *locked_until)
{
    int64_t until = 0;
    int rc;

    tc_rec__ok(db);
    if (now_us <= 0) {
        return tc_rec__fail(db, -EINVAL, "now_us: required");
    }
    if (threshold < 1) {
        return tc_rec__fail(db, -EINVAL, "threshold: must be >= 1");
    }
    if (lock_us <= 0) {
        return tc_rec__fail(db, -EINVAL, "lock_us: must be > 0");
    }
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(
        db, count_failure(db, id, now_us, threshold, lock_us, &until));
    if (rc == 0 && locked_until) {
        *locked_until = until;
    }
    return rc;
}

static int
bind_nothing(sqlite3_stmt *st, const void *arg)
{
    (void)st;
    (void)arg;
    return 0;
}

int
tc_rec_user_login_succeeded(struct tc_rec_db *db, int64_t id)
{
    tc_rec__ok(db);
    return tc_rec__user_update(db, id,
                               "UPDATE users SET failed_logins = 0,"
                               " locked_until_us = 0 WHERE id = ?1",
                               bind_nothing, NULL);
}

static int
bind_step(sqlite3_stmt *st, const void *arg)
{
    return tc_rec__errno(sqlite3_bind_int64(st, 2, *(const int64_t *)arg));
}

int
tc_rec_user_totp_step_use(struct tc_rec_db *db, int64_t id, int64_t step)
{
    int rc;

    tc_rec__ok(db);
    if (step <= 0) {
        return tc_rec__fail(db, -EINVAL, "step: must be > 0");
    }
    /* Only a later step changes the row; an unchanged row is either no
     * user or a replay, told apart by the lookup below. */
    rc = tc_rec__user_update(db, id,
                             "UPDATE users SET totp_last_step = ?2"
                             " WHERE id = ?1 AND totp_last_step < ?2",
                             bind_step, &step);
    if (rc == -ENOENT) {
        bool found = false;
        int rc2 =
            tc_rec__exists(db, "SELECT 1 FROM users WHERE id = ?", id, &found);
        if (rc2 < 0) {
            return rc2;
        }
        if (found) {
            return tc_rec__fail(db, -EALREADY,
                                "step: this TOTP code was already used");
        }
    }
    return rc;
}
