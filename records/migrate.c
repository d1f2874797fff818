// SPDX-License-Identifier: Apache-2.0
/*
 * migrate.c - numbered schema migrations, applied at open.
 *
 * The schema version lives in PRAGMA user_version; PRAGMA application_id
 * marks a file as telecare's. At open:
 *
 *   empty file          -> stamp application_id, apply 1..latest
 *   ours, version < N   -> apply version+1..latest, each in its own
 *                          transaction together with its user_version
 *   ours, version == N  -> nothing
 *   ours, version > N   -> refuse (-EPROTONOSUPPORT): never migrate down
 *   someone else's file -> refuse (-EBADMSG)
 *
 * A migration that fails rolls back whole: the file stays at the last
 * version that applied completely.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "records-int.h"

#define TC_APPLICATION_ID 0x54434152 /* "TCAR" */

static const struct tc_rec__migration migrations[] = {
    {1, "core: organizations, people, residents, contracts, audit",
     tc_rec__schema_core},
    {2, "clinical: rehabilitation, consultations, ECG and imaging",
     tc_rec__schema_clinical},
    {3, "accounts: users, roles, sessions", tc_rec__schema_accounts},
    {4, "signaling: consultation chat", tc_rec__schema_chat},
    {8, "tiered care: departments, referrals, on-call rota, emergencies",
     tc_rec__schema_referral},
    {9, "rehab: exercise library, schedules, attendance, uploads, alerts",
     tc_rec__schema_rehab},
    {10, "imaging: DICOM store-and-forward, reading requests",
     tc_rec__schema_imaging},
    {11, "ecg: device assignments, urgent reading requests",
     tc_rec__schema_ecg},
    {12, "media: recordings of live calls", tc_rec__schema_recordings},
    {13, "rehab: recordings of live-guided sessions",
     tc_rec__schema_rehab_media},
    {14, "media: low-bandwidth profile of live calls",
     tc_rec__schema_media_profile},
};

#define N_MIGRATIONS (int)(sizeof(migrations) / sizeof(migrations[0]))

int
tc_rec_schema_version_latest(void)
{
    return migrations[N_MIGRATIONS - 1].version;
}

static int
pragma_int(struct tc_rec_db *db, const char *sql, int *out)
{
    sqlite3_stmt *st;
    int rc;

    rc = sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        return tc_rec__fail_sql(db, rc, sql);
    }
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = tc_rec__fail_sql(db, rc, sql);
        sqlite3_finalize(st);
        return rc;
    }
    *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return 0;
}

int
tc_rec_schema_version(struct tc_rec_db *db, int *out)
{
    tc_rec__ok(db);
    return pragma_int(db, "PRAGMA user_version", out);
}

static int
apply(struct tc_rec_db *db, const struct tc_rec__migration *m)
{
    char pragma[64];
    int rc;

    rc = tc_rec__exec(db, "BEGIN IMMEDIATE");
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__exec(db, m->sql);
    if (rc == 0) {
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
                 m->version);
        rc = tc_rec__exec(db, pragma);
    }
    if (rc == 0) {
        rc = tc_rec__exec(db, "COMMIT");
    }
    if (rc < 0) {
        char saved[TC_REC_ERRMSG_MAX];
        snprintf(saved, sizeof(saved), "%s", db->errmsg);
        sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
        tc_rec__fail(db, rc, "migration %d (%s): %s", m->version, m->name,
                     saved);
    }
    return rc;
}

static int
stamp_if_empty(struct tc_rec_db *db, int app_id, int version)
{
    char pragma[64];
    int tables, rc;

    if (app_id == TC_APPLICATION_ID) {
        return 0;
    }
    rc = pragma_int(db, "SELECT count(*) FROM sqlite_schema", &tables);
    if (rc < 0) {
        return rc;
    }
    if (app_id != 0 || version != 0 || tables != 0) {
        return tc_rec__fail(db, -EBADMSG,
                            "not a telecare database (application_id %#x)",
                            (unsigned)app_id);
    }
    snprintf(pragma, sizeof(pragma), "PRAGMA application_id = %d",
             TC_APPLICATION_ID);
    return tc_rec__exec(db, pragma);
}

int
tc_rec__migrate(struct tc_rec_db *db)
{
    int app_id = 0, version = 0, rc;

    rc = pragma_int(db, "PRAGMA application_id", &app_id);
    if (rc < 0) {
        return rc;
    }
    rc = pragma_int(db, "PRAGMA user_version", &version);
    if (rc < 0) {
        return rc;
    }
    rc = stamp_if_empty(db, app_id, version);
    if (rc < 0) {
        return rc;
    }
    if (version > tc_rec_schema_version_latest()) {
        return tc_rec__fail(db, -EPROTONOSUPPORT,
                            "database schema version %d is newer than this "
                            "telecare writes (%d): refusing to open it",
                            version, tc_rec_schema_version_latest());
    }
    for (int i = 0; i < N_MIGRATIONS; i++) {
        if (migrations[i].version <= version) {
            continue;
        }
        rc = apply(db, &migrations[i]);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}
