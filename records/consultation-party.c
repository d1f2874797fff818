// SPDX-License-Identifier: Apache-2.0
/*
 * consultation-party.c - who takes part in a consultation and what they
 * agreed to: participants (practitioners, the patient, carers acting for
 * the patient), the attendance log (every join and leave), consent to the
 * teleconsultation and to its recording, and the ECG and imaging studies
 * attached for discussion.
 *
 * Invariants: participants are added while the consultation is open
 * (requested, accepted, scheduled, in progress) and join only while it is
 * in progress; a participant has at most one open join (the schema's
 * partial unique index), and may join again after leaving; a resident
 * participant is the patient and a carer acts for the patient; consent is
 * given by the patient or such a carer and recorded by a practitioner;
 * recording consent may be withdrawn (a timestamp; the row stays); an
 * attached study is of the same patient.
 *
 * Lifecycle changes are consultation.c's; nothing here changes a status.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "records-int.h"

/* The consultation's status code and patient; -EPERM unless open (and,
 * when `running`, in progress). */
static int
need_open(struct tc_rec_db *db, int64_t id, bool running, const char *what,
          int64_t *resident_out)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT status, resident_id FROM consultations WHERE id = ?");
    char status[16] = "";
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(status, sizeof(status), "%s", sqlite3_column_text(st, 0));
        *resident_out = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        return tc_rec__fail(db, -ENOENT, "consultation: no consultation %lld",
                            (long long)id);
    }
    if (running ? strcmp(status, "in_progress") != 0
                : (strcmp(status, "requested") != 0 &&
                   strcmp(status, "accepted") != 0 &&
                   strcmp(status, "scheduled") != 0 &&
                   strcmp(status, "in_progress") != 0)) {
        return tc_rec__fail(db, -EPERM, "%s: not allowed from status %s", what,
                            status);
    }
    return 0;
}

static int
need_carer_of(struct tc_rec_db *db, int64_t carer, int64_t resident,
              const char *field)
{
    bool found = false;
    int rc = tc_rec__exists2(db,
                             "SELECT 1 FROM resident_carers WHERE carer_id = ?"
                             " AND resident_id = ?",
                             carer, resident, "carer", &found);

    if (rc == 0 && !found) {
        rc = tc_rec__fail(db, -EINVAL,
                          "%s: carer %lld does not act for resident %lld",
                          field, (long long)carer, (long long)resident);
    }
    return rc;
}

static int
check_party(struct tc_rec_db *db, enum tc_rec_party_kind kind, int64_t party,
            int64_t resident)
{
    switch (kind) {
    case TC_REC_PARTY_PRACTITIONER:
        return tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                                party, "party_id", "practitioner");
    case TC_REC_PARTY_RESIDENT:
        return party == resident ? 0
                                 : tc_rec__fail(db, -EINVAL,
                                                "party_id: a resident "
                                                "participant is the patient");
    case TC_REC_PARTY_CARER:
        return need_carer_of(db, party, resident, "party_id");
    }
    return tc_rec__fail(db, -EINVAL, "kind: unknown participant kind %d",
                        (int)kind);
}

static int
insert_participant(struct tc_rec_db *db, int64_t id,
                   enum tc_rec_party_kind kind, int64_t party, int64_t at_us,
                   int64_t *out)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "INSERT INTO consultation_participants (consultation_id,"
            " practitioner_id, resident_id, carer_id, added_at_us)"
            " VALUES (?, ?, ?, ?, ?)");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    tc_rec__bind_id(st, 2, kind == TC_REC_PARTY_PRACTITIONER ? party : 0);
    tc_rec__bind_id(st, 3, kind == TC_REC_PARTY_RESIDENT ? party : 0);
    tc_rec__bind_id(st, 4, kind == TC_REC_PARTY_CARER ? party : 0);
    sqlite3_bind_int64(st, 5, at_us);
    rc = tc_rec__step_done(db, st, "participant");
    if (rc == -EEXIST) {
        return tc_rec__fail(db, rc, "participant: %lld takes part already",
                            (long long)party);
    }
    if (rc == 0) {
        *out = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

int
tc_rec_consultation_participant_add(struct tc_rec_db *db, int64_t id,
                                    enum tc_rec_party_kind kind,
                                    int64_t party_id, int64_t at_us,
                                    int64_t *participant_id_out)
{
    int64_t resident = 0, pid = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = need_open(db, id, false, "participant", &resident);
    if (rc == 0) {
        rc = check_party(db, kind, party_id, resident);
    }
    if (rc == 0) {
        rc = insert_participant(db, id, kind, party_id, at_us, &pid);
    }
    rc = tc_rec__tx_end(db, rc);
    if (rc == 0 && participant_id_out) {
        *participant_id_out = pid;
    }
    return rc;
}

static int
find_participant(struct tc_rec_db *db, int64_t id, enum tc_rec_party_kind kind,
                 int64_t party, int64_t *out)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db,
        "SELECT id FROM consultation_participants"
        " WHERE consultation_id = ?1 AND ((?2 = 1 AND practitioner_id = ?3)"
        " OR (?2 = 2 AND resident_id = ?3) OR (?2 = 3 AND carer_id = ?3))");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, (int)kind);
    sqlite3_bind_int64(st, 3, party);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW
               ? 0
               : tc_rec__fail(db, -ENOENT,
                              "participant: %lld is not a participant of "
                              "consultation %lld",
                              (long long)party, (long long)id);
}

static int
record_join(struct tc_rec_db *db, int64_t id, enum tc_rec_party_kind kind,
            int64_t party, int64_t at_us)
{
    sqlite3_stmt *st;
    int64_t resident, pid = 0;
    int rc = need_open(db, id, true, "join", &resident);

    if (rc == 0) {
        rc = find_participant(db, id, kind, party, &pid);
    }
    st = rc == 0 ? tc_rec__stmt(db, "INSERT INTO consultation_attendance"
                                    " (participant_id, joined_at_us)"
                                    " VALUES (?, ?)")
                 : NULL;
    if (!st) {
        return rc < 0 ? rc : -EIO;
    }
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, at_us);
    rc = tc_rec__step_done(db, st, "join");
    return rc == -EEXIST ? tc_rec__fail(db, rc,
                                        "join: participant %lld is "
                                        "in the call already",
                                        (long long)party)
                         : rc;
}

int
tc_rec_consultation_join(struct tc_rec_db *db, int64_t id,
                         enum tc_rec_party_kind kind, int64_t party_id,
                         int64_t at_us)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, record_join(db, id, kind, party_id, at_us));
}

static int
record_leave(struct tc_rec_db *db, int64_t id, enum tc_rec_party_kind kind,
             int64_t party, int64_t at_us)
{
    sqlite3_stmt *st;
    int64_t pid = 0;
    int rc = find_participant(db, id, kind, party, &pid);

    st = rc == 0 ? tc_rec__stmt(db, "UPDATE consultation_attendance"
                                    " SET left_at_us = ?"
                                    " WHERE participant_id = ?"
                                    " AND left_at_us IS NULL")
                 : NULL;
    if (!st) {
        return rc < 0 ? rc : -EIO;
    }
    sqlite3_bind_int64(st, 1, at_us);
    sqlite3_bind_int64(st, 2, pid);
    rc = tc_rec__step_done(db, st, "leave");
    if (rc == 0 && sqlite3_changes(db->conn) == 0) {
        rc = tc_rec__fail(db, -EPERM,
                          "leave: participant %lld is not in the "
                          "call",
                          (long long)party);
    }
    return rc;
}

int
tc_rec_consultation_leave(struct tc_rec_db *db, int64_t id,
                          enum tc_rec_party_kind kind, int64_t party_id,
                          int64_t at_us)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, record_leave(db, id, kind, party_id, at_us));
}

/* ---- consent ---- */

static const char *const consent_codes[] = {
    [TC_REC_CONSENT_TELECONSULTATION] = "teleconsultation",
    [TC_REC_CONSENT_RECORDING] = "recording",
};

static int
record_consent(struct tc_rec_db *db, int64_t id, enum tc_rec_consent_kind kind,
               int64_t carer, int64_t by, int64_t at_us, int64_t *out)
{
    sqlite3_stmt *st;
    int64_t resident = 0;
    int rc = need_open(db, id, false, "consent", &resident);

    if (rc == 0 && carer) {
        rc = need_carer_of(db, carer, resident, "carer_id");
    }
    if (rc == 0) {
        rc = tc_rec__need_row(db, "SELECT 1 FROM practitioners WHERE id = ?",
                              by, "recorded_by", "practitioner");
    }
    st = rc == 0 ? tc_rec__stmt(db, "INSERT INTO consultation_consents"
                                    " (consultation_id, kind, carer_id,"
                                    " recorded_by, given_at_us)"
                                    " VALUES (?, ?, ?, ?, ?)")
                 : NULL;
    if (!st) {
        return rc < 0 ? rc : -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    tc_rec__bind_text(st, 2, consent_codes[kind]);
    tc_rec__bind_id(st, 3, carer);
    sqlite3_bind_int64(st, 4, by);
    sqlite3_bind_int64(st, 5, at_us);
    rc = tc_rec__step_done(db, st, "consent");
    if (rc == 0) {
        *out = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

int
tc_rec_consultation_consent_give(struct tc_rec_db *db, int64_t id,
                                 enum tc_rec_consent_kind kind,
                                 int64_t carer_id, int64_t recorded_by,
                                 int64_t at_us, int64_t *consent_id_out)
{
    int64_t cid = 0;
    int rc;

    tc_rec__ok(db);
    if (kind != TC_REC_CONSENT_TELECONSULTATION &&
        kind != TC_REC_CONSENT_RECORDING) {
        return tc_rec__fail(db, -EINVAL, "kind: unknown consent kind %d",
                            (int)kind);
    }
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(
        db, record_consent(db, id, kind, carer_id, recorded_by, at_us, &cid));
    if (rc == 0 && consent_id_out) {
        *consent_id_out = cid;
    }
    return rc;
}

static int
record_withdrawal(struct tc_rec_db *db, int64_t id, int64_t at_us)
{
    sqlite3_stmt *st =
        tc_rec__stmt(db, "UPDATE consultation_consents SET withdrawn_at_us = ?"
                         " WHERE consultation_id = ? AND kind = 'recording'"
                         " AND withdrawn_at_us IS NULL");
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, at_us);
    sqlite3_bind_int64(st, 2, id);
    rc = tc_rec__step_done(db, st, "consent");
    if (rc == 0 && sqlite3_changes(db->conn) == 0) {
        rc = tc_rec__fail(db, -ENOENT,
                          "consent: consultation %lld has no "
                          "standing recording consent",
                          (long long)id);
    }
    return rc;
}

int
tc_rec_consultation_consent_withdraw(struct tc_rec_db *db, int64_t id,
                                     enum tc_rec_consent_kind kind,
                                     int64_t at_us)
{
    int rc;

    tc_rec__ok(db);
    if (kind == TC_REC_CONSENT_TELECONSULTATION) {
        return tc_rec__fail(db, -EPERM,
                            "consent: teleconsultation consent "
                            "is withdrawn by cancelling the "
                            "consultation");
    }
    if (kind != TC_REC_CONSENT_RECORDING) {
        return tc_rec__fail(db, -EINVAL, "kind: unknown consent kind %d",
                            (int)kind);
    }
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, record_withdrawal(db, id, at_us));
}

int
tc_rec_consultation_recording_allowed(struct tc_rec_db *db, int64_t id,
                                      bool *out)
{
    bool found = false;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__need_row(db, "SELECT 1 FROM consultations WHERE id = ?", id,
                          "consultation", "consultation");
    if (rc == 0) {
        rc = tc_rec__exists(db,
                            "SELECT 1 FROM consultation_consents"
                            " WHERE consultation_id = ? AND kind = 'recording'"
                            " AND withdrawn_at_us IS NULL",
                            id, &found);
    }
    if (rc == 0) {
        *out = found;
    }
    return rc;
}

/* ---- attached studies ---- */

/* Attach with the statements for one kind of study. */
static int
attach(struct tc_rec_db *db, int64_t id, int64_t study, const char *owner_sql,
       const char *insert_sql, const char *noun)
{
    sqlite3_stmt *st;
    int64_t resident = 0, owner = 0;
    int rc = need_open(db, id, false, "attach", &resident);

    st = rc == 0 ? tc_rec__stmt(db, owner_sql) : NULL;
    if (!st) {
        return rc < 0 ? rc : -EIO;
    }
    sqlite3_bind_int64(st, 1, study);
    rc = sqlite3_step(st);
    owner = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    if (owner < 0) {
        return tc_rec__fail(db, -ENOENT, "study: no %s %lld", noun,
                            (long long)study);
    }
    if (owner != resident) {
        return tc_rec__fail(db, -EINVAL,
                            "study: %s %lld is not of this "
                            "consultation's patient",
                            noun, (long long)study);
    }
    st = tc_rec__stmt(db, insert_sql);
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, study);
    rc = tc_rec__step_done(db, st, "attach");
    return rc == -EEXIST ? tc_rec__fail(db, rc,
                                        "study: %s %lld is attached "
                                        "already",
                                        noun, (long long)study)
                         : rc;
}

int
tc_rec_consultation_attach_ecg(struct tc_rec_db *db, int64_t id,
                               int64_t ecg_study_id)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(
        db, attach(db, id, ecg_study_id,
                   "SELECT resident_id FROM ecg_studies WHERE id = ?",
                   "INSERT INTO consultation_ecg_studies (consultation_id,"
                   " ecg_study_id) VALUES (?, ?)",
                   "ECG study"));
}

int
tc_rec_consultation_attach_imaging(struct tc_rec_db *db, int64_t id,
                                   int64_t imaging_study_id)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(
        db, attach(db, id, imaging_study_id,
                   "SELECT coalesce(resident_id, 0) FROM imaging_studies"
                   " WHERE id = ?",
                   "INSERT INTO consultation_imaging_studies"
                   " (consultation_id, imaging_study_id) VALUES (?, ?)",
                   "imaging study"));
}
