// SPDX-License-Identifier: Apache-2.0
/*
 * ecg-device.c - which residents an ECG recording device may stream for
 * (migration 11), and lead names as devices spell them.
 *
 * The relay asks tc_rec_ecg_device_assigned() before it creates a study
 * for an announced stream: a device that is not assigned to the resident
 * is refused, whoever signed in on it.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "records-int.h"

int
tc_rec_ecg_device_assign(struct tc_rec_db *db, const char *device_id,
                         int64_t resident_id, int64_t assigned_by,
                         int64_t at_us)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__text_check(db, "device_id", device_id, 64, true);
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM residents WHERE id = ?",
                              resident_id, "resident_id", "resident");
    }
    if (rc == 0) {
        st = tc_rec__stmt(db, "INSERT OR IGNORE INTO ecg_device_assignments"
                              " (device_id, resident_id, assigned_by,"
                              " assigned_at_us) VALUES (?, ?, ?, ?)");
        if (!st) {
            rc = -EIO;
        } else {
            tc_rec__bind_text(st, 1, device_id);
            sqlite3_bind_int64(st, 2, resident_id);
            tc_rec__bind_id(st, 3, assigned_by);
            sqlite3_bind_int64(st, 4, at_us);
            rc = tc_rec__step_done(db, st, "ECG device assignment");
        }
    }
    return tc_rec__tx_end(db, rc);
}

int
tc_rec_ecg_device_unassign(struct tc_rec_db *db, const char *device_id,
                           int64_t resident_id)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "DELETE FROM ecg_device_assignments"
                          " WHERE device_id = ? AND resident_id = ?");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, device_id);
    sqlite3_bind_int64(st, 2, resident_id);
    rc = tc_rec__step_done(db, st, "ECG device assignment");
    if (rc == 0 && sqlite3_changes(db->conn) == 0) {
        rc = tc_rec__fail(db, -ENOENT,
                          "device_id: not assigned to resident %lld",
                          (long long)resident_id);
    }
    return rc;
}

int
tc_rec_ecg_device_assigned(struct tc_rec_db *db, const char *device_id,
                           int64_t resident_id, bool *out)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    if (!device_id) {
        return tc_rec__fail(db, -EINVAL, "device_id: required");
    }
    st = tc_rec__stmt(db, "SELECT 1 FROM ecg_device_assignments"
                          " WHERE device_id = ? AND resident_id = ?");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, device_id);
    sqlite3_bind_int64(st, 2, resident_id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return tc_rec__fail_sql(db, rc, "ECG device assignment");
    }
    *out = rc == SQLITE_ROW;
    return 0;
}

int
tc_rec_ecg_lead_normalize(const char *name, char *out, size_t out_len)
{
    static const char *const leads[] = {
        "I",    "II",    "III", "aVR", "aVL", "aVF", "V1",  "V2",
        "V3",   "V4",    "V5",  "V6",  "V7",  "V8",  "V9",  "V3R",
        "V4R",  "V5R",   "V6R", "CM5", "ML1", "ML2", "ML3", "MLI",
        "MLII", "MLIII", "X",   "Y",   "Z"};
    /* Frank leads as PhysioNet's PTB records name them */
    static const char *const frank[][2] = {
        {"vx", "X"}, {"vy", "Y"}, {"vz", "Z"}};

    for (size_t i = 0; i < sizeof(frank) / sizeof(frank[0]); i++) {
        if (strcasecmp(name, frank[i][0]) == 0) {
            name = frank[i][1];
        }
    }
    for (size_t i = 0; i < sizeof(leads) / sizeof(leads[0]); i++) {
        if (strcasecmp(name, leads[i]) == 0 && strlen(leads[i]) < out_len) {
            strcpy(out, leads[i]);
            return 0;
        }
    }
    return -EINVAL;
}
