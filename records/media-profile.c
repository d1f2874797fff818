// SPDX-License-Identifier: Apache-2.0
/*
 * media-profile.c - the low-bandwidth media profile chosen for a live
 * call (normal, low, audio), one row per consultation or rehab session,
 * replaced when someone chooses again (it is a setting of the call, not
 * a clinical fact: who set it last and when is kept, earlier choices are
 * not). Without a row the server's configured default applies.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

static const char *const profile_codes[] = {
    [TC_REC_MEDIA_PROFILE_NORMAL] = "normal",
    [TC_REC_MEDIA_PROFILE_LOW] = "low",
    [TC_REC_MEDIA_PROFILE_AUDIO] = "audio",
};
#define N_PROFILE (int)(sizeof(profile_codes) / sizeof(profile_codes[0]))

const char *
tc_rec_media_profile_to_string(enum tc_rec_media_profile p)
{
    return tc_rec__code_name(profile_codes, N_PROFILE, (int)p);
}

int
tc_rec_media_profile_from_string(const char *s, enum tc_rec_media_profile *out)
{
    int i;
    int rc = tc_rec__code_parse(profile_codes, N_PROFILE, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_media_profile)i;
    }
    return rc;
}

/* The record must exist: 0, or -ENOENT / -EINVAL with the error set. */
static int
owner_check(struct tc_rec_db *db, enum tc_rec_media_profile_owner owner,
            int64_t id)
{
    switch (owner) {
    case TC_REC_MEDIA_PROFILE_CONSULTATION:
        return tc_rec__need_row(db, "SELECT 1 FROM consultations WHERE id = ?",
                                id, "consultation", "consultation");
    case TC_REC_MEDIA_PROFILE_REHAB_SESSION:
        return tc_rec__need_row(db,
                                "SELECT 1 FROM rehab_sessions WHERE id = ?",
                                id, "rehab_session", "rehab session");
    }
    return tc_rec__fail(db, -EINVAL,
                        "owner: a consultation or a rehab session");
}

int
tc_rec_media_profile_set(struct tc_rec_db *db,
                         enum tc_rec_media_profile_owner owner, int64_t id,
                         enum tc_rec_media_profile profile, int64_t set_by,
                         int64_t at_us)
{
    static const char *const sql[] = {
        [TC_REC_MEDIA_PROFILE_CONSULTATION] =
            "INSERT INTO media_profiles (consultation_id, profile, set_by,"
            " set_at_us) VALUES (?1, ?2, ?3, ?4)"
            " ON CONFLICT (consultation_id) DO UPDATE SET"
            " profile = ?2, set_by = ?3, set_at_us = ?4",
        [TC_REC_MEDIA_PROFILE_REHAB_SESSION] =
            "INSERT INTO media_profiles (rehab_session_id, profile, set_by,"
            " set_at_us) VALUES (?1, ?2, ?3, ?4)"
            " ON CONFLICT (rehab_session_id) DO UPDATE SET"
            " profile = ?2, set_by = ?3, set_at_us = ?4",
    };
    const char *name = tc_rec_media_profile_to_string(profile);
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    if (!name) {
        return tc_rec__fail(db, -EINVAL,
                            "profile: must be normal, low or audio");
    }
    rc = owner_check(db, owner, id);
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM users WHERE id = ?", set_by,
                              "set_by", "user");
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, sql[owner]);
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, set_by);
    sqlite3_bind_int64(st, 4, at_us);
    return tc_rec__step_done(db, st, "set the media profile");
}

int
tc_rec_media_profile_get(struct tc_rec_db *db,
                         enum tc_rec_media_profile_owner owner, int64_t id,
                         struct tc_rec_media_profile_row *out)
{
    static const char *const sql[] = {
        [TC_REC_MEDIA_PROFILE_CONSULTATION] =
            "SELECT profile, set_by, set_at_us FROM media_profiles"
            " WHERE consultation_id = ?",
        [TC_REC_MEDIA_PROFILE_REHAB_SESSION] =
            "SELECT profile, set_by, set_at_us FROM media_profiles"
            " WHERE rehab_session_id = ?",
    };
    struct tc_rec_media_profile_row row = {0};
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    rc = owner_check(db, owner, id);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, sql[owner]);
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return tc_rec__fail(db, -ENOENT, "no media profile chosen");
    }
    if (rc != SQLITE_ROW) {
        rc = tc_rec__fail_sql(db, rc, "read the media profile");
        sqlite3_reset(st);
        return rc;
    }
    rc = tc_rec_media_profile_from_string(
        (const char *)sqlite3_column_text(st, 0), &row.profile);
    row.set_by = sqlite3_column_int64(st, 1);
    row.set_at_us = sqlite3_column_int64(st, 2);
    sqlite3_reset(st);
    if (rc < 0) {
        return tc_rec__fail(db, -EIO, "media profile: unknown value stored");
    }
    *out = row;
    return 0;
}
