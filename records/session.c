// SPDX-License-Identifier: Apache-2.0
/*
 * session.c - login sessions, keyed by the SHA-256 of their bearer token.
 *
 *   live --now >= expires_at--> expired (refused, -EKEYEXPIRED)
 *   live --revoke-----------> revoked (refused, -EKEYREVOKED)
 *   live --lookup-----------> live, expires_at = now + ttl (sliding)
 *
 * Invariants: the token itself never reaches this file, only its hash;
 * a session once revoked or expired never becomes live again; a user's
 * dead sessions are deleted when that user opens a new one, and everyone's
 * once they have been dead a while (tc_rec_session_purge, the server's
 * hourly sweep), so the table holds about one row per live session.
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define ADDR_MAX_LEN 64
#define SLIDE_MAX_US (60LL * 1000 * 1000)
#define TTL_MAX_US   (366LL * 24 * 3600 * 1000 * 1000)

static int
times_check(struct tc_rec_db *db, int64_t now_us, int64_t ttl_us)
{
    if (now_us <= 0) {
        return tc_rec__fail(db, -EINVAL, "now_us: required");
    }
    if (ttl_us <= 0 || ttl_us > TTL_MAX_US) {
        return tc_rec__fail(db, -EINVAL,
                            "ttl_us: must be > 0 and at most "
                            "a year");
    }
    return 0;
}

static int
forget_dead(struct tc_rec_db *db, int64_t user_id, int64_t now_us)
{
    sqlite3_stmt *st = tc_rec__stmt(db, "DELETE FROM sessions"
                                        " WHERE user_id = ? AND"
                                        " (expires_at_us <= ? OR"
                                        " revoked_at_us IS NOT NULL)");

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, now_us);
    return tc_rec__step_done(db, st, "session");
}

static int
insert(struct tc_rec_db *db, const unsigned char *hash, int64_t user_id,
       int64_t now_us, int64_t ttl_us, const char *client_addr)
{
    sqlite3_stmt *st;
    int rc = times_check(db, now_us, ttl_us);

    if (rc == 0) {
        rc = tc_rec__text_check(db, "client_addr", client_addr, ADDR_MAX_LEN,
                                false);
    }
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM users WHERE id = ?", user_id,
                              "user_id", "user");
    }
    if (rc == 0) {
        rc = forget_dead(db, user_id, now_us);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO sessions (token_hash, user_id,"
                          " created_at_us, last_used_at_us, expires_at_us,"
                          " client_addr) VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_blob(st, 1, hash, TC_REC_TOKEN_HASH_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, now_us);
    sqlite3_bind_int64(st, 4, now_us);
    sqlite3_bind_int64(st, 5, now_us + ttl_us);
    tc_rec__bind_text(st, 6, client_addr);
    rc = tc_rec__step_done(db, st, "session");
    if (rc == -EEXIST) {
        return tc_rec__fail(db, rc, "token_hash: already in use");
    }
    return rc;
}

int
tc_rec_session_create(struct tc_rec_db *db, const unsigned char token_hash[32],
                      int64_t user_id, int64_t now_us, int64_t ttl_us,
                      const char *client_addr)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(
        db, insert(db, token_hash, user_id, now_us, ttl_us, client_addr));
}

static void
session_fini(struct tc_rec_session *s)
{
    free(s->client_addr);
}

void
tc_rec_session_free(struct tc_rec_session *s)
{
    if (s) {
        session_fini(s);
        free(s);
    }
}

static int
session_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_session *s = item;
    const void *hash = sqlite3_column_blob(st, 0);
    bool oom = false;

    if (hash && sqlite3_column_bytes(st, 0) == TC_REC_TOKEN_HASH_LEN) {
        memcpy(s->token_hash, hash, TC_REC_TOKEN_HASH_LEN);
    }
    s->user_id = sqlite3_column_int64(st, 1);
    s->created_at_us = sqlite3_column_int64(st, 2);
    s->last_used_at_us = sqlite3_column_int64(st, 3);
    s->expires_at_us = sqlite3_column_int64(st, 4);
    s->revoked_at_us = sqlite3_column_int64(st, 5);
    s->client_addr = tc_rec__col_text(st, 6, &oom);
    return oom ? -ENOMEM : 0;
}

static void
session_free(void *item)
{
    tc_rec_session_free(item);
}

/* The session with `hash` into *out (heap); -ENOENT without text. */
static int
fetch(struct tc_rec_db *db, const unsigned char *hash,
      struct tc_rec_session **out)
{
    sqlite3_stmt *st;
    void *s = NULL;
    int rc;

    st = tc_rec__stmt(db, "SELECT token_hash, user_id, created_at_us,"
                          " last_used_at_us, expires_at_us, revoked_at_us,"
                          " client_addr FROM sessions WHERE token_hash = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_blob(st, 1, hash, TC_REC_TOKEN_HASH_LEN, SQLITE_TRANSIENT);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_session), session_row,
                       session_free, &s);
    if (rc == 0) {
        *out = s;
    }
    return rc;
}

int
tc_rec_session_get(struct tc_rec_db *db, const unsigned char token_hash[32],
                   struct tc_rec_session **out)
{
    int rc;

    tc_rec__ok(db);
    rc = fetch(db, token_hash, out);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "session: unknown token");
    }
    return rc;
}

static int
slide(struct tc_rec_db *db, const unsigned char *hash, int64_t now_us,
      int64_t ttl_us)
{
    sqlite3_stmt *st;
    int rc;

    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "UPDATE sessions SET last_used_at_us = ?,"
                          " expires_at_us = ? WHERE token_hash = ?");
    rc = st ? 0 : -EIO;
    if (rc == 0) {
        sqlite3_bind_int64(st, 1, now_us);
        sqlite3_bind_int64(st, 2, now_us + ttl_us);
        sqlite3_bind_blob(st, 3, hash, TC_REC_TOKEN_HASH_LEN,
                          SQLITE_TRANSIENT);
        rc = tc_rec__step_done(db, st, "session");
    }
    return tc_rec__tx_end(db, rc);
}

int
tc_rec_session_lookup(struct tc_rec_db *db, const unsigned char token_hash[32],
                      int64_t now_us, int64_t ttl_us, int64_t *user_id)
{
    struct tc_rec_session *s = NULL;
    int64_t step;
    int rc;

    tc_rec__ok(db);
    rc = times_check(db, now_us, ttl_us);
    if (rc < 0) {
        return rc;
    }
    rc = fetch(db, token_hash, &s);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "session: unknown token");
    }
    if (rc < 0) {
        return rc;
    }
    step = ttl_us / 20 < SLIDE_MAX_US ? ttl_us / 20 : SLIDE_MAX_US;
    if (s->revoked_at_us > 0) {
        rc = tc_rec__fail(db, -EKEYREVOKED, "session: revoked");
    } else if (now_us >= s->expires_at_us) {
        rc = tc_rec__fail(db, -EKEYEXPIRED, "session: expired");
    } else if (now_us - s->last_used_at_us >= step) {
        rc = slide(db, token_hash, now_us, ttl_us);
    }
    if (rc == 0) {
        *user_id = s->user_id;
    }
    tc_rec_session_free(s);
    return rc;
}

int
tc_rec_session_revoke(struct tc_rec_db *db, const unsigned char token_hash[32],
                      int64_t now_us)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    if (now_us <= 0) {
        return tc_rec__fail(db, -EINVAL, "now_us: required");
    }
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "UPDATE sessions SET revoked_at_us ="
                          " coalesce(revoked_at_us, ?) WHERE token_hash = ?");
    rc = st ? 0 : -EIO;
    if (rc == 0) {
        sqlite3_bind_int64(st, 1, now_us);
        sqlite3_bind_blob(st, 2, token_hash, TC_REC_TOKEN_HASH_LEN,
                          SQLITE_TRANSIENT);
        rc = tc_rec__step_done(db, st, "session");
    }
    if (rc == 0 && sqlite3_changes(db->conn) == 0) {
        rc = tc_rec__fail(db, -ENOENT, "session: unknown token");
    }
    return tc_rec__tx_end(db, rc);
}

static int
revoke_all(struct tc_rec_db *db, int64_t user_id, int64_t now_us, size_t *n)
{
    sqlite3_stmt *st;
    int rc = tc_rec__need_row(db, "SELECT 1 FROM users WHERE id = ?", user_id,
                              "user_id", "user");

    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "UPDATE sessions SET revoked_at_us = ?"
                          " WHERE user_id = ? AND revoked_at_us IS NULL"
                          " AND expires_at_us > ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, now_us);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, now_us);
    rc = tc_rec__step_done(db, st, "session");
    if (rc == 0) {
        *n = (size_t)sqlite3_changes(db->conn);
    }
    return rc;
}

int
tc_rec_session_revoke_all_for_user(struct tc_rec_db *db, int64_t user_id,
                                   int64_t now_us, size_t *n_out)
{
    size_t n = 0;
    int rc;

    tc_rec__ok(db);
    if (now_us <= 0) {
        return tc_rec__fail(db, -EINVAL, "now_us: required");
    }
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, revoke_all(db, user_id, now_us, &n));
    if (rc == 0 && n_out) {
        *n_out = n;
    }
    return rc;
}

int
tc_rec_session_purge(struct tc_rec_db *db, int64_t before_us, size_t *n_out)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    if (before_us <= 0) {
        return tc_rec__fail(db, -EINVAL, "before_us: required");
    }
    st = tc_rec__stmt(db, "DELETE FROM sessions WHERE expires_at_us <= ?1"
                          " OR revoked_at_us <= ?1");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, before_us);
    rc = tc_rec__step_done(db, st, "session");
    if (rc == 0 && n_out) {
        *n_out = (size_t)sqlite3_changes(db->conn);
    }
    return rc;
}
