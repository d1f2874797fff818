// SPDX-License-Identifier: Apache-2.0
/*
 * ecg-study.c - ECG studies (a live or stored recording from a device) and
 * their reading: the assigned reader, the signed report and its
 * amendments, and the reading worklist.
 *
 *   LIVE --finish--> AWAITING_READING --report--> REPORTED --amend-->
 *                                                 AMENDED --amend--> AMENDED
 *
 * A stored recording is created in AWAITING_READING. Only ecg_step()
 * changes a status; an event with no arrow out of the current status is
 * refused with -EPERM and changes nothing.
 *
 * Reports are versioned (see amendment.c): the signed report is version 1
 * of ecg_reports and each amendment appends the next version with its
 * author, time and reason; nothing is ever updated in place.
 *
 * Invariants: leads are distinct standard leads; measurements are in
 * plausible ranges or "not measured"; only the assigned reader signs
 * (signing an unassigned study assigns it to the signer).
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define MAX_LEADS_TEXT 128
#define MAX_PATH_LEN   1024
#define MAX_RHYTHM     200
#define MAX_IMPRESSION 20000
#define MAX_REASON     1000

static const char *const status_codes[] = {
    [TC_REC_ECG_LIVE] = "live",
    [TC_REC_ECG_AWAITING_READING] = "awaiting_reading",
    [TC_REC_ECG_REPORTED] = "reported",
    [TC_REC_ECG_AMENDED] = "amended",
};
#define N_STATUS (int)(sizeof(status_codes) / sizeof(status_codes[0]))

const char *
tc_rec_ecg_status_to_string(enum tc_rec_ecg_status s)
{
    return tc_rec__code_name(status_codes, N_STATUS, (int)s);
}

int
tc_rec_ecg_status_from_string(const char *s, enum tc_rec_ecg_status *out)
{
    int i;
    int rc = tc_rec__code_parse(status_codes, N_STATUS, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_ecg_status)i;
    }
    return rc;
}

/* ---- the lifecycle ---- */

enum ecg_event { FINISH, REPORT, AMEND };

static const char *const event_names[] = {
    [FINISH] = "finish",
    [REPORT] = "report",
    [AMEND] = "amend",
};

static const struct {
    enum tc_rec_ecg_status from;
    enum ecg_event event;
    enum tc_rec_ecg_status to;
} transitions[] = {
    {TC_REC_ECG_LIVE, FINISH, TC_REC_ECG_AWAITING_READING},
    {TC_REC_ECG_AWAITING_READING, REPORT, TC_REC_ECG_REPORTED},
    {TC_REC_ECG_REPORTED, AMEND, TC_REC_ECG_AMENDED},
    {TC_REC_ECG_AMENDED, AMEND, TC_REC_ECG_AMENDED},
};

static int
study_status(struct tc_rec_db *db, int64_t id, enum tc_rec_ecg_status *out,
             int64_t *reader_out)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT status, reader_id FROM ecg_studies WHERE id = ?");
    int rc, i;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? tc_rec__fail(db, -ENOENT, "study: no ECG study %lld",
                                  (long long)id)
                   : tc_rec__fail_sql(db, rc, "ECG study");
    }
    i = tc_rec__code_find(status_codes, N_STATUS,
                          (const char *)sqlite3_column_text(st, 0));
    if (reader_out) {
        *reader_out = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (i < 0) {
        return tc_rec__fail(db, -EBADMSG, "ECG study %lld: unknown status",
                            (long long)id);
    }
    *out = (enum tc_rec_ecg_status)i;
    return 0;
}

static int
ecg_step(struct tc_rec_db *db, int64_t id, enum ecg_event ev)
{
    enum tc_rec_ecg_status from;
    sqlite3_stmt *st;
    size_t i, n = sizeof(transitions) / sizeof(transitions[0]);
    int rc = study_status(db, id, &from, NULL);

    if (rc < 0) {
        return rc;
    }
    for (i = 0; i < n; i++) {
        if (transitions[i].from == from && transitions[i].event == ev) {
            break;
        }
    }
    if (i == n) {
        return tc_rec__fail(db, -EPERM, "%s: not allowed from status %s",
                            event_names[ev], status_codes[from]);
    }
    st = tc_rec__stmt(db, "UPDATE ecg_studies SET status = ? WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, status_codes[transitions[i].to]);
    sqlite3_bind_int64(st, 2, id);
    return tc_rec__step_done(db, st, "ECG study");
}

/* ---- creating and finishing a recording ---- */

static bool
lead_known(const char *lead, size_t len)
{
    static const char *const leads[] = {
        "I",    "II",    "III", "aVR", "aVL", "aVF", "V1",  "V2",
        "V3",   "V4",    "V5",  "V6",  "V7",  "V8",  "V9",  "V3R",
        "V4R",  "V5R",   "V6R", "CM5", "ML1", "ML2", "ML3", "MLI",
        "MLII", "MLIII", "X",   "Y",   "Z"};

    for (size_t i = 0; i < sizeof(leads) / sizeof(leads[0]); i++) {
        if (strlen(leads[i]) == len && memcmp(leads[i], lead, len) == 0) {
            return true;
        }
    }
    return false;
}

static int
check_leads(struct tc_rec_db *db, const char *leads)
{
    const char *p = leads, *comma;
    int rc = tc_rec__text_check(db, "leads", leads, MAX_LEADS_TEXT, true);

    while (rc == 0) {
        size_t len;
        comma = strchr(p, ',');
        len = comma ? (size_t)(comma - p) : strlen(p);
        if (!lead_known(p, len)) {
            return tc_rec__fail(db, -EINVAL,
                                "leads: \"%.*s\" is not a "
                                "standard lead",
                                (int)len, p);
        }
        /* Distinct: the same lead must not occur before this one. */
        for (const char *q = leads; q < p;) {
            const char *qc = strchr(q, ',');
            if ((size_t)(qc - q) == len && memcmp(q, p, len) == 0) {
                return tc_rec__fail(db, -EINVAL, "leads: %.*s twice", (int)len,
                                    p);
            }
            q = qc + 1;
        }
        if (!comma) {
            break;
        }
        p = comma + 1;
    }
    return rc;
}

static int
check_new(struct tc_rec_db *db, const struct tc_rec_ecg_study_new *in)
{
    int rc = tc_rec__need_row(db, "SELECT 1 FROM residents WHERE id = ?",
                              in->resident_id, "resident_id", "resident");

    if (rc == 0) {
        rc = tc_rec__text_check(db, "device_id", in->device_id, 64, true);
    }
    if (rc == 0) {
        rc = check_leads(db, in->leads);
    }
    if (rc == 0 && (in->sample_rate_hz < 50 || in->sample_rate_hz > 20000)) {
        rc = tc_rec__fail(db, -EINVAL, "sample_rate_hz: must be 50..20000");
    }
    if (rc == 0 && in->started_at_us <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "started_at_us: required");
    }
    if (rc == 0 && in->live && (in->duration_ms || in->storage_path)) {
        rc = tc_rec__fail(db, -EINVAL,
                          "duration_ms: a live study has no "
                          "duration or storage path yet");
    }
    if (rc == 0 && !in->live && in->duration_ms <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "duration_ms: must be > 0");
    }
    if (rc == 0 && !in->live) {
        rc = tc_rec__text_check(db, "storage_path", in->storage_path,
                                MAX_PATH_LEN, true);
    }
    if (rc == 0 && in->organization_id) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM organizations WHERE id = ?",
                              in->organization_id, "organization_id",
                              "organization");
    }
    if (rc == 0 && in->ordered_by) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              in->ordered_by, "ordered_by", "practitioner");
    }
    return rc;
}

static int
insert_study(struct tc_rec_db *db, const struct tc_rec_ecg_study_new *in,
             int64_t *id_out)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "INSERT INTO ecg_studies (resident_id, device_id, leads,"
            " sample_rate_hz, started_at_us, duration_ms, storage_path,"
            " organization_id, ordered_by, status, urgent)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, in->resident_id);
    tc_rec__bind_text(st, 2, in->device_id);
    tc_rec__bind_text(st, 3, in->leads);
    sqlite3_bind_int(st, 4, in->sample_rate_hz);
    sqlite3_bind_int64(st, 5, in->started_at_us);
    tc_rec__bind_id(st, 6, in->duration_ms);
    tc_rec__bind_text(st, 7, in->storage_path);
    tc_rec__bind_id(st, 8, in->organization_id);
    tc_rec__bind_id(st, 9, in->ordered_by);
    tc_rec__bind_text(st, 10,
                      status_codes[in->live ? TC_REC_ECG_LIVE
                                            : TC_REC_ECG_AWAITING_READING]);
    sqlite3_bind_int(st, 11, in->urgent);
    rc = tc_rec__step_done(db, st, "ECG study");
    if (rc == 0) {
        *id_out = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

int
tc_rec_ecg_study_create(struct tc_rec_db *db,
                        const struct tc_rec_ecg_study_new *in, int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = check_new(db, in);
    if (rc == 0) {
        rc = insert_study(db, in, &id);
    }
    rc = tc_rec__tx_end(db, rc);
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

static int
record_finish(struct tc_rec_db *db, int64_t id, int64_t duration_ms,
              const char *storage_path)
{
    sqlite3_stmt *st;
    int rc;

    /* The recording's extent first: the schema wants it on every study
     * that is no longer live. A refused step rolls it back. */
    st = tc_rec__stmt(db, "UPDATE ecg_studies SET duration_ms = ?,"
                          " storage_path = ? WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, duration_ms);
    tc_rec__bind_text(st, 2, storage_path);
    sqlite3_bind_int64(st, 3, id);
    rc = tc_rec__step_done(db, st, "ECG study");
    return rc == 0 ? ecg_step(db, id, FINISH) : rc;
}

int
tc_rec_ecg_study_finish(struct tc_rec_db *db, int64_t id, int64_t duration_ms,
                        const char *storage_path)
{
    int rc;

    tc_rec__ok(db);
    if (duration_ms <= 0) {
        return tc_rec__fail(db, -EINVAL, "duration_ms: must be > 0");
    }
    rc = tc_rec__text_check(db, "storage_path", storage_path, MAX_PATH_LEN,
                            true);
    if (rc == 0) {
        rc = tc_rec__tx_begin(db);
    }
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db,
                          record_finish(db, id, duration_ms, storage_path));
}

static int
record_assign(struct tc_rec_db *db, int64_t id, int64_t reader_id)
{
    enum tc_rec_ecg_status s;
    sqlite3_stmt *st;
    int rc = study_status(db, id, &s, NULL);

    if (rc == 0 && s != TC_REC_ECG_LIVE && s != TC_REC_ECG_AWAITING_READING) {
        rc = tc_rec__fail(db, -EPERM, "assign: not allowed from status %s",
                          status_codes[s]);
    }
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              reader_id, "reader_id", "practitioner");
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "UPDATE ecg_studies SET reader_id = ? WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, reader_id);
    sqlite3_bind_int64(st, 2, id);
    return tc_rec__step_done(db, st, "ECG study");
}

int
tc_rec_ecg_study_assign(struct tc_rec_db *db, int64_t id, int64_t reader_id)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, record_assign(db, id, reader_id));
}

/* ---- reports ---- */

static int
check_measure(struct tc_rec_db *db, const char *field, int v, int lo, int hi,
              const char *unit)
{
    if (v == 0 || (v >= lo && v <= hi)) {
        return 0;
    }
    return tc_rec__fail(db, -EINVAL,
                        "%s: %d is outside the plausible %d..%d %s "
                        "(0: not measured)",
                        field, v, lo, hi, unit);
}

static int
check_report(struct tc_rec_db *db, const struct tc_rec_ecg_report_in *in)
{
    int rc = tc_rec__text_check(db, "rhythm", in->rhythm, MAX_RHYTHM, true);

    if (rc == 0) {
        rc = check_measure(db, "heart_rate_bpm", in->heart_rate_bpm, 15, 350,
                           "bpm");
    }
    if (rc == 0) {
        rc = check_measure(db, "pr_ms", in->pr_ms, 50, 600, "ms");
    }
    if (rc == 0) {
        rc = check_measure(db, "qrs_ms", in->qrs_ms, 30, 300, "ms");
    }
    if (rc == 0) {
        rc = check_measure(db, "qt_ms", in->qt_ms, 150, 800, "ms");
    }
    if (rc == 0) {
        rc = check_measure(db, "qtc_ms", in->qtc_ms, 200, 800, "ms");
    }
    if (rc == 0) {
        rc = tc_rec__prose_check(db, "impression", in->impression,
                                 MAX_IMPRESSION, true);
    }
    return rc;
}

/* Append the next report version (the version number comes from the
 * schema's rule: previous + 1). */
static int
insert_report(struct tc_rec_db *db, int64_t study_id,
              const struct tc_rec_ecg_report_in *in, int64_t author,
              int64_t at_us, const char *reason)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "INSERT INTO ecg_reports (study_id, version, rhythm,"
            " heart_rate_bpm, pr_ms, qrs_ms, qt_ms, qtc_ms, impression,"
            " reader_id, signed_at_us, amend_reason) SELECT ?1,"
            " coalesce(max(version), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
            " ?10, ?11 FROM ecg_reports WHERE study_id = ?1");
    const int measures[] = {in->heart_rate_bpm, in->pr_ms, in->qrs_ms,
                            in->qt_ms, in->qtc_ms};

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, study_id);
    tc_rec__bind_text(st, 2, in->rhythm);
    for (int i = 0; i < 5; i++) {
        tc_rec__bind_id(st, 3 + i, measures[i]);
    }
    tc_rec__bind_text(st, 8, in->impression);
    sqlite3_bind_int64(st, 9, author);
    sqlite3_bind_int64(st, 10, at_us);
    tc_rec__bind_text(st, 11, reason);
    return tc_rec__step_done(db, st, "ECG report");
}

static int
record_report(struct tc_rec_db *db, int64_t study_id,
              const struct tc_rec_ecg_report_in *in, int64_t reader,
              int64_t at_us)
{
    enum tc_rec_ecg_status s;
    int64_t assigned = 0;
    int rc = study_status(db, study_id, &s, &assigned);

    if (rc == 0 && s == TC_REC_ECG_AWAITING_READING && assigned == 0) {
        rc = record_assign(db, study_id, reader);
        assigned = reader;
    }
    if (rc == 0 && s == TC_REC_ECG_AWAITING_READING && assigned != reader) {
        return tc_rec__fail(db, -EPERM,
                            "reader_id: study %lld is assigned to reader "
                            "%lld",
                            (long long)study_id, (long long)assigned);
    }
    if (rc == 0) {
        rc = ecg_step(db, study_id, REPORT);
    }
    if (rc == 0) {
        rc = insert_report(db, study_id, in, reader, at_us, NULL);
    }
    return rc;
}

int
tc_rec_ecg_report_sign(struct tc_rec_db *db, int64_t study_id,
                       const struct tc_rec_ecg_report_in *in,
                       int64_t reader_id, int64_t signed_at_us)
{
    int rc;

    tc_rec__ok(db);
    rc = check_report(db, in);
    if (rc == 0) {
        rc = tc_rec__tx_begin(db);
    }
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(
        db, record_report(db, study_id, in, reader_id, signed_at_us));
}

int
tc_rec_ecg_report_amend(struct tc_rec_db *db, int64_t study_id,
                        const struct tc_rec_ecg_report_in *in,
                        int64_t author_id, int64_t signed_at_us,
                        const char *reason)
{
    int rc;

    tc_rec__ok(db);
    rc = check_report(db, in);
    if (rc == 0) {
        rc = tc_rec__prose_check(db, "reason", reason, MAX_REASON, true);
    }
    if (rc == 0) {
        rc = tc_rec__tx_begin(db);
    }
    if (rc < 0) {
        return rc;
    }
    rc = ecg_step(db, study_id, AMEND);
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              author_id, "author_id", "practitioner");
    }
    if (rc == 0) {
        rc = insert_report(db, study_id, in, author_id, signed_at_us, reason);
    }
    return tc_rec__tx_end(db, rc);
}
