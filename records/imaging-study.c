// SPDX-License-Identifier: Apache-2.0
/*
 * imaging-study.c - the reading of imaging studies: reconciliation (match
 * a study to a resident), the assigned radiologist, the signed report and
 * its amendments.
 *
 *   RECEIVED --assign--> ASSIGNED --report--> REPORTED --amend--> AMENDED
 *                         |    ^                         AMENDED --amend-->
 *                         +----+ (reassign)
 *
 * Only imaging_step() changes a status; an event with no arrow out of the
 * current status is refused with -EPERM and changes nothing.
 *
 * Invariants: only a study matched to a resident is assigned; only the
 * assigned radiologist signs its report; reports are versioned like ECG
 * reports (see amendment.c): version 1 is the signed report, each
 * amendment appends a version with its author, time and reason.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdlib.h>

#include "records-int.h"

#define MAX_FINDINGS   50000
#define MAX_IMPRESSION 20000
#define MAX_REASON     1000

static const char *const status_codes[] = {
    [TC_REC_IMAGING_RECEIVED] = "received",
    [TC_REC_IMAGING_ASSIGNED] = "assigned",
    [TC_REC_IMAGING_REPORTED] = "reported",
    [TC_REC_IMAGING_AMENDED] = "amended",
};
#define N_STATUS (int)(sizeof(status_codes) / sizeof(status_codes[0]))

const char *
tc_rec_imaging_status_to_string(enum tc_rec_imaging_status s)
{
    return tc_rec__code_name(status_codes, N_STATUS, (int)s);
}

int
tc_rec_imaging_status_from_string(const char *s,
                                  enum tc_rec_imaging_status *out)
{
    int i;
    int rc = tc_rec__code_parse(status_codes, N_STATUS, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_imaging_status)i;
    }
    return rc;
}

/* ---- the lifecycle ---- */

enum imaging_event { ASSIGN, REPORT, AMEND };

static const char *const event_names[] = {
    [ASSIGN] = "assign",
    [REPORT] = "report",
    [AMEND] = "amend",
};

static const struct {
    enum tc_rec_imaging_status from;
    enum imaging_event event;
    enum tc_rec_imaging_status to;
} transitions[] = {
    {TC_REC_IMAGING_RECEIVED, ASSIGN, TC_REC_IMAGING_ASSIGNED},
    {TC_REC_IMAGING_ASSIGNED, ASSIGN, TC_REC_IMAGING_ASSIGNED},
    {TC_REC_IMAGING_ASSIGNED, REPORT, TC_REC_IMAGING_REPORTED},
    {TC_REC_IMAGING_REPORTED, AMEND, TC_REC_IMAGING_AMENDED},
    {TC_REC_IMAGING_AMENDED, AMEND, TC_REC_IMAGING_AMENDED},
};

struct study_facts {
    enum tc_rec_imaging_status status;
    int64_t resident_id;
    int64_t radiologist_id;
};

static int
study_facts(struct tc_rec_db *db, int64_t id, struct study_facts *f)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT status, resident_id, radiologist_id FROM imaging_studies"
            " WHERE id = ?");
    int rc, i;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? tc_rec__fail(db, -ENOENT, "study: no imaging study %lld",
                                  (long long)id)
                   : tc_rec__fail_sql(db, rc, "imaging study");
    }
    i = tc_rec__code_find(status_codes, N_STATUS,
                          (const char *)sqlite3_column_text(st, 0));
    f->resident_id = sqlite3_column_int64(st, 1);
    f->radiologist_id = sqlite3_column_int64(st, 2);
    sqlite3_reset(st);
    if (i < 0) {
        return tc_rec__fail(db, -EBADMSG,
                            "imaging study %lld: unknown "
                            "status",
                            (long long)id);
    }
    f->status = (enum tc_rec_imaging_status)i;
    return 0;
}

/* Move study `id` along `ev`; ASSIGN also records the radiologist. */
static int
imaging_step(struct tc_rec_db *db, int64_t id, enum imaging_event ev,
             int64_t radiologist, int64_t at_us)
{
    struct study_facts f;
    sqlite3_stmt *st;
    size_t i, n = sizeof(transitions) / sizeof(transitions[0]);
    int rc = study_facts(db, id, &f);

    if (rc < 0) {
        return rc;
    }
    for (i = 0; i < n; i++) {
        if (transitions[i].from == f.status && transitions[i].event == ev) {
            break;
        }
    }
    if (i == n) {
        return tc_rec__fail(db, -EPERM, "%s: not allowed from status %s",
                            event_names[ev], status_codes[f.status]);
    }
    st = tc_rec__stmt(db, "UPDATE imaging_studies SET status = ?1,"
                          " radiologist_id = coalesce(?2, radiologist_id),"
                          " assigned_at_us = coalesce(?3, assigned_at_us)"
                          " WHERE id = ?4");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, status_codes[transitions[i].to]);
    if (ev == ASSIGN) {
        sqlite3_bind_int64(st, 2, radiologist);
        sqlite3_bind_int64(st, 3, at_us);
    }
    sqlite3_bind_int64(st, 4, id);
    return tc_rec__step_done(db, st, "imaging study");
}

/* ---- reconciliation and assignment ---- */

static int
record_match(struct tc_rec_db *db, int64_t id, int64_t resident_id)
{
    struct study_facts f;
    sqlite3_stmt *st;
    int rc = study_facts(db, id, &f);

    if (rc == 0 && f.resident_id) {
        rc = tc_rec__fail(db, -EEXIST,
                          "resident_id: study %lld is matched "
                          "to a resident already",
                          (long long)id);
    }
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM residents WHERE id = ?",
                              resident_id, "resident_id", "resident");
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "UPDATE imaging_studies SET resident_id = ?"
                          " WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, resident_id);
    sqlite3_bind_int64(st, 2, id);
    return tc_rec__step_done(db, st, "imaging study");
}

int
tc_rec_imaging_study_match(struct tc_rec_db *db, int64_t id,
                           int64_t resident_id)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, record_match(db, id, resident_id));
}

static int
record_assign(struct tc_rec_db *db, int64_t id, int64_t radiologist,
              int64_t at_us)
{
    struct study_facts f;
    int rc = study_facts(db, id, &f);

    if (rc == 0 && !f.resident_id &&
        (f.status == TC_REC_IMAGING_RECEIVED ||
         f.status == TC_REC_IMAGING_ASSIGNED)) {
        rc = tc_rec__fail(db, -EPERM,
                          "assign: study %lld is not matched to "
                          "a resident yet (reconcile first)",
                          (long long)id);
    }
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              radiologist, "radiologist_id", "practitioner");
    }
    return rc == 0 ? imaging_step(db, id, ASSIGN, radiologist, at_us) : rc;
}

int
tc_rec_imaging_study_assign(struct tc_rec_db *db, int64_t id,
                            int64_t radiologist_id, int64_t at_us)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, record_assign(db, id, radiologist_id, at_us));
}

/* ---- reports ---- */

static int
check_report(struct tc_rec_db *db, const struct tc_rec_imaging_report_in *in)
{
    int rc =
        tc_rec__prose_check(db, "findings", in->findings, MAX_FINDINGS, true);

    return rc == 0 ? tc_rec__prose_check(db, "impression", in->impression,
                                         MAX_IMPRESSION, true)
                   : rc;
}

static int
insert_report(struct tc_rec_db *db, int64_t study_id,
              const struct tc_rec_imaging_report_in *in, int64_t author,
              int64_t at_us, const char *reason)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "INSERT INTO imaging_reports (study_id, version, findings,"
            " impression, radiologist_id, signed_at_us, amend_reason)"
            " SELECT ?1, coalesce(max(version), 0) + 1, ?2, ?3, ?4, ?5, ?6"
            " FROM imaging_reports WHERE study_id = ?1");

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, study_id);
    tc_rec__bind_text(st, 2, in->findings);
    tc_rec__bind_text(st, 3, in->impression);
    sqlite3_bind_int64(st, 4, author);
    sqlite3_bind_int64(st, 5, at_us);
    tc_rec__bind_text(st, 6, reason);
    return tc_rec__step_done(db, st, "imaging report");
}

static int
record_report(struct tc_rec_db *db, int64_t study_id,
              const struct tc_rec_imaging_report_in *in, int64_t radiologist,
              int64_t at_us)
{
    struct study_facts f;
    int rc = study_facts(db, study_id, &f);

    if (rc == 0 && f.status == TC_REC_IMAGING_ASSIGNED &&
        f.radiologist_id != radiologist) {
        rc = tc_rec__fail(db, -EPERM,
                          "radiologist_id: study %lld is assigned to "
                          "radiologist %lld",
                          (long long)study_id, (long long)f.radiologist_id);
    }
    if (rc == 0) {
        rc = imaging_step(db, study_id, REPORT, 0, 0);
    }
    return rc == 0 ? insert_report(db, study_id, in, radiologist, at_us, NULL)
                   : rc;
}

int
tc_rec_imaging_report_sign(struct tc_rec_db *db, int64_t study_id,
                           const struct tc_rec_imaging_report_in *in,
                           int64_t radiologist_id, int64_t signed_at_us)
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
        db, record_report(db, study_id, in, radiologist_id, signed_at_us));
}

int
tc_rec_imaging_report_amend(struct tc_rec_db *db, int64_t study_id,
                            const struct tc_rec_imaging_report_in *in,
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
    rc = imaging_step(db, study_id, AMEND, 0, 0);
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              author_id, "author_id", "practitioner");
    }
    if (rc == 0) {
        rc = insert_report(db, study_id, in, author_id, signed_at_us, reason);
    }
    return tc_rec__tx_end(db, rc);
}
