// SPDX-License-Identifier: Apache-2.0
/*
 * imaging-index.c - the DICOM index: every received instance is recorded
 * under its series and study (created on first sight), with its storage
 * path, SHA-256 and size.
 *
 * Why an index in records: the DICOM files live content-addressed on disk
 * (media/), but worklists, reports, consultations and the access policy
 * need to know which studies exist, whose they are and what they hold.
 *
 * Invariants: a study, series or SOP instance UID is stored once; a series
 * belongs to one study; an instance received again with the same SHA-256
 * is a no-op (store-and-forward peers retry), with another SHA-256 a
 * conflict. A study arrives unmatched (resident_id NULL) when its patient
 * could not be identified; reconciliation matches it later
 * (tc_rec_imaging_study_match in imaging-study.c).
 *
 * Thread: the handle's (the DICOM worker thread hands finished instances
 * to the main thread, which calls in here).
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "records-int.h"

#define MAX_PATH_LEN 1024
#define MAX_TEXT     1024

/* A DICOM UID: 1..64 characters, digits and dots, components not empty
 * and without leading zeros. */
static int
check_uid(struct tc_rec_db *db, const char *field, const char *uid)
{
    size_t len = uid ? strlen(uid) : 0;
    bool start = true;

    if (len == 0 || len > 64) {
        return tc_rec__fail(db, -EINVAL, "%s: a UID has 1..64 characters",
                            field);
    }
    for (size_t i = 0; i < len; i++) {
        char c = uid[i];
        bool bad = c == '.' ? start
                            : !isdigit((unsigned char)c) ||
                                  (start && c == '0' && i + 1 < len &&
                                   uid[i + 1] != '.');
        if (bad) {
            return tc_rec__fail(db, -EINVAL,
                                "%s: \"%s\" is not a DICOM UID (digits and "
                                "dots)",
                                field, uid);
        }
        start = c == '.';
    }
    if (start) {
        return tc_rec__fail(db, -EINVAL, "%s: ends with a dot", field);
    }
    return 0;
}

static int
check_modality(struct tc_rec_db *db, const char *m)
{
    size_t len = m ? strlen(m) : 0;

    for (size_t i = 0; i < len; i++) {
        if (!isupper((unsigned char)m[i]) && !isdigit((unsigned char)m[i])) {
            len = 0;
        }
    }
    if (len < 2 || len > 16) {
        return tc_rec__fail(db, -EINVAL,
                            "modality: a DICOM modality code "
                            "(2..16 capitals, e.g. CT)");
    }
    return 0;
}

static int
check_sha256(struct tc_rec_db *db, const char *hex)
{
    size_t len = hex ? strlen(hex) : 0;

    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)hex[i]) &&
            (hex[i] < 'a' || hex[i] > 'f')) {
            len = 0;
        }
    }
    if (len != 64) {
        return tc_rec__fail(db, -EINVAL, "sha256: 64 lowercase hex digits");
    }
    return 0;
}

static int
check_ids(struct tc_rec_db *db, const struct tc_rec_imaging_instance_in *in)
{
    int rc = 0;

    if (in->resident_id) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM residents WHERE id = ?",
                              in->resident_id, "resident_id", "resident");
    }
    if (rc == 0 && in->sending_org_id) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM organizations WHERE id = ?",
                              in->sending_org_id, "sending_org_id",
                              "organization");
    }
    if (rc == 0 && in->study_date && !tc_rec__date_valid(in->study_date)) {
        rc = tc_rec__fail(db, -EINVAL, "study_date: not a YYYY-MM-DD date");
    }
    if (rc == 0 && in->size_bytes <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "size_bytes: must be > 0");
    }
    if (rc == 0 && in->received_at_us <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "received_at_us: required");
    }
    return rc;
}

/* The migration-6 members: what the DICOM header said. */
static int
check_patient(struct tc_rec_db *db,
              const struct tc_rec_imaging_instance_in *instance,
              const struct tc_rec_imaging_dicom_in *in)
{
    static const struct {
        const char *field;
        size_t offset;
        size_t max;
    } texts[] = {
        {"patient_dicom_id",
         offsetof(struct tc_rec_imaging_dicom_in, patient_dicom_id), 256},
        {"patient_name",
         offsetof(struct tc_rec_imaging_dicom_in, patient_name), 800},
        {"patient_sex", offsetof(struct tc_rec_imaging_dicom_in, patient_sex),
         16},
        {"study_time", offsetof(struct tc_rec_imaging_dicom_in, study_time),
         16},
        {"transfer_syntax",
         offsetof(struct tc_rec_imaging_dicom_in, transfer_syntax), 64},
        {"source", offsetof(struct tc_rec_imaging_dicom_in, source), 64},
    };
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < sizeof(texts) / sizeof(texts[0]); i++) {
        const char *v =
            *(const char *const *)((const char *)in + texts[i].offset);
        rc = tc_rec__text_check(db, texts[i].field, v, texts[i].max, false);
    }
    if (rc == 0 && in->patient_birth_date &&
        !tc_rec__date_valid(in->patient_birth_date)) {
        rc = tc_rec__fail(db, -EINVAL,
                          "patient_birth_date: not a YYYY-MM-DD date");
    }
    return rc == 0 ? check_ids(db, instance) : rc;
}

static int
check_instance(struct tc_rec_db *db,
               const struct tc_rec_imaging_instance_in *in,
               const struct tc_rec_imaging_dicom_in *d)
{
    int rc = check_uid(db, "study_uid", in->study_uid);

    if (rc == 0) {
        rc = check_uid(db, "series_uid", in->series_uid);
    }
    if (rc == 0) {
        rc = check_uid(db, "sop_instance_uid", in->sop_instance_uid);
    }
    if (rc == 0) {
        rc = check_uid(db, "sop_class_uid", in->sop_class_uid);
    }
    if (rc == 0) {
        rc = check_modality(db, in->modality);
    }
    if (rc == 0) {
        rc = check_sha256(db, in->sha256);
    }
    if (rc == 0) {
        rc = tc_rec__text_check(db, "storage_path", in->storage_path,
                                MAX_PATH_LEN, true);
    }
    if (rc == 0) {
        rc = tc_rec__text_check(db, "accession", in->accession, 64, false);
    }
    if (rc == 0) {
        rc = tc_rec__text_check(db, "study_description", in->study_description,
                                MAX_TEXT, false);
    }
    if (rc == 0) {
        rc = tc_rec__text_check(db, "series_description",
                                in->series_description, MAX_TEXT, false);
    }
    return rc == 0 ? check_patient(db, in, d) : rc;
}

/* The study of in->study_uid, created when new; a known study matched to
 * another resident is a conflict. */
static int
find_or_add_study(struct tc_rec_db *db,
                  const struct tc_rec_imaging_instance_in *in,
                  const struct tc_rec_imaging_dicom_in *d, int64_t *out)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT id, resident_id FROM imaging_studies WHERE study_uid = ?");
    int64_t id = 0, owner = 0;
    int rc;

    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, in->study_uid);
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        owner = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (id && in->resident_id && owner && owner != in->resident_id) {
        return tc_rec__fail(db, -EEXIST,
                            "resident_id: study %s belongs to another "
                            "resident",
                            in->study_uid);
    }
    if (id) {
        *out = id;
        return 0;
    }
    st = tc_rec__stmt(db, "INSERT INTO imaging_studies (resident_id,"
                          " study_uid, accession, modality, description,"
                          " study_date, sending_org_id, received_at_us,"
                          " status, patient_dicom_id, patient_name,"
                          " patient_birth_date, patient_sex, study_time)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'received',"
                          " ?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_id(st, 1, in->resident_id);
    tc_rec__bind_text(st, 2, in->study_uid);
    tc_rec__bind_text(st, 3, in->accession);
    tc_rec__bind_text(st, 4, in->modality);
    tc_rec__bind_text(st, 5, in->study_description);
    tc_rec__bind_text(st, 6, in->study_date);
    tc_rec__bind_id(st, 7, in->sending_org_id);
    sqlite3_bind_int64(st, 8, in->received_at_us);
    tc_rec__bind_text(st, 9, d->patient_dicom_id);
    tc_rec__bind_text(st, 10, d->patient_name);
    tc_rec__bind_text(st, 11, d->patient_birth_date);
    tc_rec__bind_text(st, 12, d->patient_sex);
    tc_rec__bind_text(st, 13, d->study_time);
    rc = tc_rec__step_done(db, st, "imaging study");
    *out = sqlite3_last_insert_rowid(db->conn);
    return rc;
}

static int
find_or_add_series(struct tc_rec_db *db, int64_t study_id,
                   const struct tc_rec_imaging_instance_in *in, int64_t *out)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT id, study_id FROM imaging_series WHERE series_uid = ?");
    int64_t id = 0, owner = 0;
    int rc;

    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, in->series_uid);
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        owner = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (id && owner != study_id) {
        return tc_rec__fail(db, -EEXIST,
                            "series_uid: series %s belongs to another study",
                            in->series_uid);
    }
    if (id) {
        *out = id;
        return 0;
    }
    st = tc_rec__stmt(db, "INSERT INTO imaging_series (study_id, series_uid,"
                          " modality, number, description)"
                          " VALUES (?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, study_id);
    tc_rec__bind_text(st, 2, in->series_uid);
    tc_rec__bind_text(st, 3, in->modality);
    if (in->series_number >= 0) {
        sqlite3_bind_int(st, 4, in->series_number);
    }
    tc_rec__bind_text(st, 5, in->series_description);
    rc = tc_rec__step_done(db, st, "imaging series");
    *out = sqlite3_last_insert_rowid(db->conn);
    return rc;
}

/* 1 when the instance is stored already with this sha256 (a retry), 0
 * when new, -EEXIST when stored with other content. */
static int
known_instance(struct tc_rec_db *db,
               const struct tc_rec_imaging_instance_in *in)
{
    sqlite3_stmt *st =
        tc_rec__stmt(db, "SELECT sha256 = ? FROM imaging_instances"
                         " WHERE sop_instance_uid = ?");
    int rc, same = 0;

    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, in->sha256);
    tc_rec__bind_text(st, 2, in->sop_instance_uid);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        same = sqlite3_column_int(st, 0);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        return 0;
    }
    if (rc != SQLITE_ROW) {
        return tc_rec__fail_sql(db, rc, "imaging instance");
    }
    return same ? 1
                : tc_rec__fail(db, -EEXIST,
                               "sop_instance_uid: %s is stored already with "
                               "other content",
                               in->sop_instance_uid);
}

static int
add_instance(struct tc_rec_db *db, const struct tc_rec_imaging_instance_in *in,
             const struct tc_rec_imaging_dicom_in *d, int64_t *study_out)
{
    int64_t study = 0, series = 0;
    sqlite3_stmt *st;
    int rc = known_instance(db, in);

    if (rc == 0) {
        rc = find_or_add_study(db, in, d, &study);
    }
    if (rc == 0) {
        rc = find_or_add_series(db, study, in, &series);
    }
    if (rc != 0) {
        return rc < 0
                   ? rc
                   : tc_rec_imaging_study_find(db, in->study_uid, study_out);
    }
    st = tc_rec__stmt(db, "INSERT INTO imaging_instances (series_id,"
                          " sop_instance_uid, sop_class_uid, storage_path,"
                          " sha256, size_bytes, received_at_us,"
                          " transfer_syntax, instance_number, source)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, series);
    tc_rec__bind_text(st, 2, in->sop_instance_uid);
    tc_rec__bind_text(st, 3, in->sop_class_uid);
    tc_rec__bind_text(st, 4, in->storage_path);
    tc_rec__bind_text(st, 5, in->sha256);
    sqlite3_bind_int64(st, 6, in->size_bytes);
    sqlite3_bind_int64(st, 7, in->received_at_us);
    tc_rec__bind_text(st, 8, d->transfer_syntax);
    if (d->instance_number > 0) {
        sqlite3_bind_int(st, 9, d->instance_number);
    }
    tc_rec__bind_text(st, 10, d->source);
    *study_out = study;
    return tc_rec__step_done(db, st, "imaging instance");
}

int
tc_rec_imaging_instance_store(struct tc_rec_db *db,
                              const struct tc_rec_imaging_instance_in *in,
                              int64_t *study_id_out)
{
    return tc_rec_imaging_instance_store_dicom(db, in, NULL, study_id_out);
}

int
tc_rec_imaging_instance_store_dicom(
    struct tc_rec_db *db, const struct tc_rec_imaging_instance_in *in,
    const struct tc_rec_imaging_dicom_in *d, int64_t *study_id_out)
{
    static const struct tc_rec_imaging_dicom_in none;
    int64_t study = 0;
    int rc;

    tc_rec__ok(db);
    d = d ? d : &none;
    rc = check_instance(db, in, d);
    if (rc == 0) {
        rc = tc_rec__tx_begin(db);
    }
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, add_instance(db, in, d, &study));
    if (rc == 0 && study_id_out) {
        *study_id_out = study;
    }
    return rc;
}

int
tc_rec_imaging_study_find(struct tc_rec_db *db, const char *study_uid,
                          int64_t *id_out)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    st =
        tc_rec__stmt(db, "SELECT id FROM imaging_studies WHERE study_uid = ?");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, study_uid);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id_out = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        return tc_rec__fail(db, -ENOENT, "study_uid: no study %s",
                            study_uid ? study_uid : "(null)");
    }
    return rc == SQLITE_ROW ? 0 : tc_rec__fail_sql(db, rc, "imaging study");
}
