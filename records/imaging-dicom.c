// SPDX-License-Identifier: Apache-2.0
/*
 * imaging-dicom.c - what DICOM store-and-forward writes besides the index
 * (imaging-index.c): matching a DICOM Patient ID to a resident, flagging
 * an instance received again with other bytes, and the township doctor's
 * request for a reading.
 *
 * Why matching here: a DICOM Patient ID is whatever the modality was
 * given at the township clinic, by local practice the resident ID number
 * or the health-card number; anything else leaves the study unmatched for
 * reconciliation (never a guess by name).
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <string.h>

#include "records-int.h"

int
tc_rec_imaging_patient_match(struct tc_rec_db *db, const char *patient_id,
                             int64_t *resident_id_out)
{
    sqlite3_stmt *st;
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    if (!patient_id || !patient_id[0]) {
        return tc_rec__fail(db, -ENOENT, "patient_id: empty");
    }
    st = tc_rec__stmt(db, "SELECT id FROM residents WHERE id_number = ?1"
                          " OR health_card_no = ?1 LIMIT 2");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, patient_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        /* One resident's ID number and another's card number: no guess. */
        rc = sqlite3_step(st) == SQLITE_ROW ? SQLITE_DONE : SQLITE_ROW;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        return tc_rec__fail(db, -ENOENT,
                            "patient_id: no resident has it as ID number or "
                            "health-card number");
    }
    if (rc != SQLITE_ROW) {
        return tc_rec__fail_sql(db, rc, "patient match");
    }
    *resident_id_out = id;
    return 0;
}

int
tc_rec_imaging_conflict_add(struct tc_rec_db *db,
                            const struct tc_rec_imaging_instance_in *in,
                            const char *source)
{
    sqlite3_stmt *st;
    int64_t instance = 0;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT id FROM imaging_instances"
                          " WHERE sop_instance_uid = ?");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, in->sop_instance_uid);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        instance = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (!instance) {
        return tc_rec__fail(db, -ENOENT,
                            "sop_instance_uid: not indexed, nothing to "
                            "conflict with");
    }
    if (!in->sha256 || strlen(in->sha256) != 64 || !in->storage_path ||
        in->size_bytes <= 0 || in->received_at_us <= 0) {
        return tc_rec__fail(db, -EINVAL,
                            "conflict: sha256, storage_path, size_bytes and "
                            "received_at_us are required");
    }
    st = tc_rec__stmt(db, "INSERT OR IGNORE INTO imaging_instance_conflicts"
                          " (instance_id, storage_path, sha256, size_bytes,"
                          " source, received_at_us)"
                          " VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, instance);
    tc_rec__bind_text(st, 2, in->storage_path);
    tc_rec__bind_text(st, 3, in->sha256);
    sqlite3_bind_int64(st, 4, in->size_bytes);
    tc_rec__bind_text(st, 5, source);
    sqlite3_bind_int64(st, 6, in->received_at_us);
    return tc_rec__step_done(db, st, "imaging conflict");
}

int
tc_rec_imaging_reading_request(struct tc_rec_db *db, int64_t study_id,
                               int64_t requested_by, bool urgent,
                               const char *reason, int64_t at_us)
{
    sqlite3_stmt *st;
    bool known = false;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__need_row(db, "SELECT 1 FROM imaging_studies WHERE id = ?",
                          study_id, "study_id", "imaging study");
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              requested_by, "requested_by", "practitioner");
    }
    if (rc == 0) {
        rc = tc_rec__prose_check(db, "reason", reason, 2000, false);
    }
    if (rc == 0) {
        rc = tc_rec__exists(db,
                            "SELECT 1 FROM imaging_reading_requests"
                            " WHERE study_id = ?",
                            study_id, &known);
    }
    if (rc < 0) {
        return rc;
    }
    if (known) {
        return tc_rec__fail(db, -EEXIST,
                            "study_id: a reading of this study was requested "
                            "already");
    }
    st = tc_rec__stmt(db, "INSERT INTO imaging_reading_requests (study_id,"
                          " requested_by, urgent, reason, requested_at_us)"
                          " VALUES (?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, study_id);
    sqlite3_bind_int64(st, 2, requested_by);
    sqlite3_bind_int(st, 3, urgent ? 1 : 0);
    tc_rec__bind_text(st, 4, reason);
    sqlite3_bind_int64(st, 5, at_us);
    return tc_rec__step_done(db, st, "reading request");
}
