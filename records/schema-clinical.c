// SPDX-License-Identifier: Apache-2.0
/*
 * schema-clinical.c - migration 2: rehabilitation plans and sessions,
 * Barthel outcome assessments, consultations, ECG and imaging studies,
 * reports and their amendment history.
 *
 * Rules the schema itself enforces (so no code path can break them):
 * - codes and ranges are CHECK constraints (statuses, modes, pain 0..10,
 *   completion 0..100, Barthel item scores and their sum), and every
 *   reference is a foreign key;
 * - clinical text is versioned, never overwritten: ecg_reports,
 *   imaging_reports, consultation_opinions and session_notes hold one row
 *   per version, numbered 1, 2, 3 ... without gaps (a trigger checks the
 *   number on insert), an amendment (version > 1) carries its reason, and
 *   triggers refuse UPDATE and DELETE of any stored version;
 * - a DICOM study, series or instance UID is stored once (UNIQUE).
 * Lifecycle rules (which transition is allowed) live in the C code, one
 * transition table per lifecycle (rehab-plan.c, rehab-session.c,
 * consultation.c, ecg-study.c, imaging-study.c).
 */
#include "records-int.h"

/* Append-only triggers and gap-free version numbering for one version
 * table `t` whose rows belong to `owner`. */
#define VERSIONED(t, owner)                                                   \
    "CREATE TRIGGER " t "_no_update BEFORE UPDATE ON " t                      \
    "  BEGIN SELECT RAISE(ABORT, '" t " versions are append-only'); END;"     \
    "CREATE TRIGGER " t "_no_delete BEFORE DELETE ON " t                      \
    "  BEGIN SELECT RAISE(ABORT, '" t " versions are append-only'); END;"     \
    "CREATE TRIGGER " t "_next_version BEFORE INSERT ON " t                   \
    "  WHEN NEW.version IS NOT (SELECT coalesce(max(version), 0) + 1"         \
    "    FROM " t " WHERE " owner " = NEW." owner ")"                         \
    "  BEGIN SELECT RAISE(ABORT, '" t ": versions are numbered without "      \
    "gaps'); END;"

const char tc_rec__schema_clinical[] =
    /* Rehabilitation plans. status: draft, active, suspended, completed,
     * cancelled (rehab-plan.c). */
    "CREATE TABLE rehab_plans ("
    "  id INTEGER PRIMARY KEY,"
    "  resident_id INTEGER NOT NULL REFERENCES residents(id),"
    "  contract_id INTEGER NOT NULL REFERENCES contracts(id),"
    "  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),"
    "  period_start TEXT NOT NULL,"
    "  period_end TEXT NOT NULL CHECK (period_end >= period_start),"
    "  status TEXT NOT NULL CHECK (status IN ('draft', 'active',"
    "    'suspended', 'completed', 'cancelled')),"
    "  created_by INTEGER NOT NULL REFERENCES practitioners(id),"
    "  created_at_us INTEGER NOT NULL,"
    "  status_by INTEGER REFERENCES practitioners(id),"
    "  status_at_us INTEGER NOT NULL,"
    "  status_reason TEXT"
    ");"
    "CREATE INDEX rehab_plans_resident ON rehab_plans(resident_id, status);"
    "CREATE INDEX rehab_plans_contract ON rehab_plans(contract_id);"

    "CREATE TABLE rehab_plan_therapists ("
    "  plan_id INTEGER NOT NULL REFERENCES rehab_plans(id),"
    "  practitioner_id INTEGER NOT NULL REFERENCES practitioners(id),"
    "  PRIMARY KEY (plan_id, practitioner_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX rehab_plan_therapists_practitioner ON"
    "  rehab_plan_therapists(practitioner_id);"

    "CREATE TABLE rehab_goals ("
    "  id INTEGER PRIMARY KEY,"
    "  plan_id INTEGER NOT NULL REFERENCES rehab_plans(id),"
    "  description TEXT NOT NULL CHECK (length(description)"
    "    BETWEEN 1 AND 1000),"
    "  target TEXT,"
    "  due_date TEXT,"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open',"
    "    'achieved', 'not_achieved')),"
    "  status_at_us INTEGER"
    ");"
    "CREATE INDEX rehab_goals_plan ON rehab_goals(plan_id);"

    "CREATE TABLE rehab_exercises ("
    "  id INTEGER PRIMARY KEY,"
    "  plan_id INTEGER NOT NULL REFERENCES rehab_plans(id),"
    "  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),"
    "  instructions TEXT,"
    "  video_ref TEXT,"
    "  sets INTEGER NOT NULL CHECK (sets BETWEEN 1 AND 20),"
    "  reps INTEGER NOT NULL CHECK (reps BETWEEN 1 AND 200),"
    "  sessions_per_week INTEGER NOT NULL CHECK (sessions_per_week"
    "    BETWEEN 1 AND 14)"
    ");"
    "CREATE INDEX rehab_exercises_plan ON rehab_exercises(plan_id);"

    /* Rehabilitation sessions. status: scheduled, in_progress, completed,
     * missed, cancelled (rehab-session.c). */
    "CREATE TABLE rehab_sessions ("
    "  id INTEGER PRIMARY KEY,"
    "  plan_id INTEGER NOT NULL REFERENCES rehab_plans(id),"
    "  mode TEXT NOT NULL CHECK (mode IN ('live_guided', 'self_guided',"
    "    'home_visit')),"
    "  therapist_id INTEGER REFERENCES practitioners(id),"
    "  scheduled_at_us INTEGER NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('scheduled', 'in_progress',"
    "    'completed', 'missed', 'cancelled')),"
    "  status_at_us INTEGER,"
    "  status_reason TEXT,"
    "  started_at_us INTEGER,"
    "  ended_at_us INTEGER CHECK (ended_at_us >= started_at_us),"
    "  attendance TEXT CHECK (attendance IN ('alone', 'with_carer')),"
    "  completion_pct INTEGER CHECK (completion_pct BETWEEN 0 AND 100),"
    "  pain_before INTEGER CHECK (pain_before BETWEEN 0 AND 10),"
    "  pain_after INTEGER CHECK (pain_after BETWEEN 0 AND 10),"
    "  difficulty INTEGER CHECK (difficulty BETWEEN 1 AND 5),"
    "  recording_ref TEXT,"
    "  review_score INTEGER CHECK (review_score BETWEEN 1 AND 5),"
    "  reviewed_by INTEGER REFERENCES practitioners(id),"
    "  reviewed_at_us INTEGER,"
    "  CHECK ((review_score IS NULL) = (reviewed_by IS NULL))"
    ");"
    /* status makes the index cover adherence counts (stats.c). */
    "CREATE INDEX rehab_sessions_plan ON rehab_sessions(plan_id,"
    "  scheduled_at_us, status);"

    /* Therapist notes on a session, one row per version. */
    "CREATE TABLE session_notes ("
    "  session_id INTEGER NOT NULL REFERENCES rehab_sessions(id),"
    "  version INTEGER NOT NULL CHECK (version >= 1),"
    "  text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 20000),"
    "  author_id INTEGER NOT NULL REFERENCES practitioners(id),"
    "  at_us INTEGER NOT NULL,"
    "  amend_reason TEXT,"
    "  CHECK ((version = 1) = (amend_reason IS NULL)),"
    "  PRIMARY KEY (session_id, version)"
    ") WITHOUT ROWID;" VERSIONED("session_notes", "session_id")

    /* Barthel index: the ten items with their allowed scores; the total
     * is their sum and the band follows the total. */
    "CREATE TABLE barthel_assessments ("
    "  id INTEGER PRIMARY KEY,"
    "  resident_id INTEGER NOT NULL REFERENCES residents(id),"
    "  plan_id INTEGER REFERENCES rehab_plans(id),"
    "  assessor_id INTEGER NOT NULL REFERENCES practitioners(id),"
    "  assessed_at_us INTEGER NOT NULL,"
    "  feeding INTEGER NOT NULL CHECK (feeding IN (0, 5, 10)),"
    "  bathing INTEGER NOT NULL CHECK (bathing IN (0, 5)),"
    "  grooming INTEGER NOT NULL CHECK (grooming IN (0, 5)),"
    "  dressing INTEGER NOT NULL CHECK (dressing IN (0, 5, 10)),"
    "  bowels INTEGER NOT NULL CHECK (bowels IN (0, 5, 10)),"
    "  bladder INTEGER NOT NULL CHECK (bladder IN (0, 5, 10)),"
    "  toilet_use INTEGER NOT NULL CHECK (toilet_use IN (0, 5, 10)),"
    "  transfers INTEGER NOT NULL CHECK (transfers IN (0, 5, 10, 15)),"
    "  mobility INTEGER NOT NULL CHECK (mobility IN (0, 5, 10, 15)),"
    "  stairs INTEGER NOT NULL CHECK (stairs IN (0, 5, 10)),"
    "  total INTEGER NOT NULL CHECK (total = feeding + bathing + grooming"
    "    + dressing + bowels + bladder + toilet_use + transfers + mobility"
    "    + stairs),"
    "  band TEXT NOT NULL CHECK (band = CASE WHEN total <= 20 THEN 'total'"
    "    WHEN total <= 60 THEN 'severe' WHEN total <= 90 THEN 'moderate'"
    "    WHEN total <= 99 THEN 'slight' ELSE 'independent' END),"
    "  note TEXT"
    ");"
    "CREATE INDEX barthel_resident ON barthel_assessments(resident_id,"
    "  assessed_at_us);"
    "CREATE INDEX barthel_plan ON barthel_assessments(plan_id)"
    "  WHERE plan_id IS NOT NULL;"

    /* ECG studies. status: live, awaiting_reading, reported, amended
     * (ecg-study.c). */
    "CREATE TABLE ecg_studies ("
    "  id INTEGER PRIMARY KEY,"
    "  resident_id INTEGER NOT NULL REFERENCES residents(id),"
    "  device_id TEXT NOT NULL CHECK (length(device_id) BETWEEN 1 AND 64),"
    "  leads TEXT NOT NULL,"
    "  sample_rate_hz INTEGER NOT NULL CHECK (sample_rate_hz"
    "    BETWEEN 50 AND 20000),"
    "  started_at_us INTEGER NOT NULL,"
    "  duration_ms INTEGER CHECK (duration_ms > 0),"
    "  storage_path TEXT,"
    "  organization_id INTEGER REFERENCES organizations(id),"
    "  ordered_by INTEGER REFERENCES practitioners(id),"
    "  status TEXT NOT NULL CHECK (status IN ('live', 'awaiting_reading',"
    "    'reported', 'amended')),"
    "  reader_id INTEGER REFERENCES practitioners(id),"
    "  CHECK (status = 'live' OR (duration_ms IS NOT NULL"
    "    AND storage_path IS NOT NULL))"
    ");"
    "CREATE INDEX ecg_studies_resident ON ecg_studies(resident_id,"
    "  started_at_us);"
    "CREATE INDEX ecg_studies_worklist ON ecg_studies(status, reader_id,"
    "  started_at_us);"

    "CREATE TABLE ecg_reports ("
    "  study_id INTEGER NOT NULL REFERENCES ecg_studies(id),"
    "  version INTEGER NOT NULL CHECK (version >= 1),"
    "  rhythm TEXT NOT NULL CHECK (length(rhythm) BETWEEN 1 AND 200),"
    "  heart_rate_bpm INTEGER CHECK (heart_rate_bpm BETWEEN 15 AND 350),"
    "  pr_ms INTEGER CHECK (pr_ms BETWEEN 50 AND 600),"
    "  qrs_ms INTEGER CHECK (qrs_ms BETWEEN 30 AND 300),"
    "  qt_ms INTEGER CHECK (qt_ms BETWEEN 150 AND 800),"
    "  qtc_ms INTEGER CHECK (qtc_ms BETWEEN 200 AND 800),"
    "  impression TEXT NOT NULL CHECK (length(impression)"
    "    BETWEEN 1 AND 20000),"
    "  reader_id INTEGER NOT NULL REFERENCES practitioners(id),"
    "  signed_at_us INTEGER NOT NULL,"
    "  amend_reason TEXT,"
    "  CHECK ((version = 1) = (amend_reason IS NULL)),"
    "  PRIMARY KEY (study_id, version)"
    ") WITHOUT ROWID;" VERSIONED("ecg_reports", "study_id")

    /* Imaging studies (DICOM index). status: received, assigned, reported,
     * amended (imaging-study.c). resident_id is NULL until the study is
     * matched to a resident. */
    "CREATE TABLE imaging_studies ("
    "  id INTEGER PRIMARY KEY,"
    "  resident_id INTEGER REFERENCES residents(id),"
    "  study_uid TEXT NOT NULL UNIQUE CHECK (length(study_uid)"
    "    BETWEEN 1 AND 64),"
    "  accession TEXT,"
    "  modality TEXT NOT NULL,"
    "  description TEXT,"
    "  study_date TEXT,"
    "  sending_org_id INTEGER REFERENCES organizations(id),"
    "  received_at_us INTEGER NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('received', 'assigned',"
    "    'reported', 'amended')),"
    "  radiologist_id INTEGER REFERENCES practitioners(id),"
    "  assigned_at_us INTEGER,"
    "  CHECK (status = 'received' OR radiologist_id IS NOT NULL)"
    ");"
    "CREATE INDEX imaging_studies_resident ON imaging_studies(resident_id)"
    "  WHERE resident_id IS NOT NULL;"
    "CREATE INDEX imaging_studies_worklist ON imaging_studies(status,"
    "  radiologist_id, received_at_us);"

    "CREATE TABLE imaging_series ("
    "  id INTEGER PRIMARY KEY,"
    "  study_id INTEGER NOT NULL REFERENCES imaging_studies(id),"
    "  series_uid TEXT NOT NULL UNIQUE CHECK (length(series_uid)"
    "    BETWEEN 1 AND 64),"
    "  modality TEXT NOT NULL,"
    "  number INTEGER,"
    "  description TEXT"
    ");"
    "CREATE INDEX imaging_series_study ON imaging_series(study_id);"

    "CREATE TABLE imaging_instances ("
    "  id INTEGER PRIMARY KEY,"
    "  series_id INTEGER NOT NULL REFERENCES imaging_series(id),"
    "  sop_instance_uid TEXT NOT NULL UNIQUE CHECK"
    "    (length(sop_instance_uid) BETWEEN 1 AND 64),"
    "  sop_class_uid TEXT NOT NULL,"
    "  storage_path TEXT NOT NULL,"
    "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"
    "  size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),"
    "  received_at_us INTEGER NOT NULL"
    ");"
    "CREATE INDEX imaging_instances_series ON imaging_instances(series_id);"

    "CREATE TABLE imaging_reports ("
    "  study_id INTEGER NOT NULL REFERENCES imaging_studies(id),"
    "  version INTEGER NOT NULL CHECK (version >= 1),"
    "  findings TEXT NOT NULL CHECK (length(findings) BETWEEN 1 AND 50000),"
    "  impression TEXT NOT NULL CHECK (length(impression)"
    "    BETWEEN 1 AND 20000),"
    "  radiologist_id INTEGER NOT NULL REFERENCES practitioners(id),"
    "  signed_at_us INTEGER NOT NULL,"
    "  amend_reason TEXT,"
    "  CHECK ((version = 1) = (amend_reason IS NULL)),"
    "  PRIMARY KEY (study_id, version)"
    ") WITHOUT ROWID;" VERSIONED("imaging_reports", "study_id")

    /* Consultations. status: requested, accepted, declined, scheduled,
     * in_progress, completed, cancelled (consultation.c). */
    "CREATE TABLE consultations ("
    "  id INTEGER PRIMARY KEY,"
    "  requester_id INTEGER NOT NULL REFERENCES practitioners(id),"
    "  requested_org_id INTEGER REFERENCES organizations(id),"
    "  requested_specialist_id INTEGER REFERENCES practitioners(id),"
    "  resident_id INTEGER NOT NULL REFERENCES residents(id),"
    "  reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 4000),"
    "  priority TEXT NOT NULL CHECK (priority IN ('routine', 'urgent',"
    "    'emergency')),"
    "  requested_at_us INTEGER NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('requested', 'accepted',"
    "    'declined', 'scheduled', 'in_progress', 'completed',"
    "    'cancelled')),"
    "  status_by INTEGER REFERENCES practitioners(id),"
    "  status_at_us INTEGER NOT NULL,"
    "  status_reason TEXT,"
    "  accepted_by INTEGER REFERENCES practitioners(id),"
    "  scheduled_for_us INTEGER,"
    "  started_at_us INTEGER,"
    "  ended_at_us INTEGER,"
    "  CHECK (requested_org_id IS NOT NULL"
    "    OR requested_specialist_id IS NOT NULL)"
    ");"
    "CREATE INDEX consultations_resident ON consultations(resident_id,"
    "  status);"

    /* Who takes part: a practitioner, the patient, or a carer acting for
     * the patient (exactly one of the three). */
    "CREATE TABLE consultation_participants ("
    "  id INTEGER PRIMARY KEY,"
    "  consultation_id INTEGER NOT NULL REFERENCES consultations(id),"
    "  practitioner_id INTEGER REFERENCES practitioners(id),"
    "  resident_id INTEGER REFERENCES residents(id),"
    "  carer_id INTEGER REFERENCES carers(id),"
    "  added_at_us INTEGER NOT NULL,"
    "  CHECK ((practitioner_id IS NOT NULL) + (resident_id IS NOT NULL)"
    "    + (carer_id IS NOT NULL) = 1)"
    ");"
    "CREATE UNIQUE INDEX consultation_participants_practitioner ON"
    "  consultation_participants(consultation_id, practitioner_id)"
    "  WHERE practitioner_id IS NOT NULL;"
    "CREATE UNIQUE INDEX consultation_participants_resident ON"
    "  consultation_participants(consultation_id, resident_id)"
    "  WHERE resident_id IS NOT NULL;"
    "CREATE UNIQUE INDEX consultation_participants_carer ON"
    "  consultation_participants(consultation_id, carer_id)"
    "  WHERE carer_id IS NOT NULL;"
    "CREATE INDEX consultation_participants_by ON"
    "  consultation_participants(practitioner_id)"
    "  WHERE practitioner_id IS NOT NULL;"

    /* The attendance log: one row per join, closed by the leave. */
    "CREATE TABLE consultation_attendance ("
    "  id INTEGER PRIMARY KEY,"
    "  participant_id INTEGER NOT NULL REFERENCES"
    "    consultation_participants(id),"
    "  joined_at_us INTEGER NOT NULL,"
    "  left_at_us INTEGER CHECK (left_at_us >= joined_at_us)"
    ");"
    "CREATE UNIQUE INDEX consultation_attendance_open ON"
    "  consultation_attendance(participant_id) WHERE left_at_us IS NULL;"
    "CREATE INDEX consultation_attendance_participant ON"
    "  consultation_attendance(participant_id, joined_at_us);"

    /* Consent to the teleconsultation and to its recording, given by the
     * patient (carer_id NULL) or a carer acting for them. */
    "CREATE TABLE consultation_consents ("
    "  id INTEGER PRIMARY KEY,"
    "  consultation_id INTEGER NOT NULL REFERENCES consultations(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('teleconsultation',"
    "    'recording')),"
    "  carer_id INTEGER REFERENCES carers(id),"
    "  recorded_by INTEGER NOT NULL REFERENCES practitioners(id),"
    "  given_at_us INTEGER NOT NULL,"
    "  withdrawn_at_us INTEGER CHECK (withdrawn_at_us >= given_at_us),"
    "  CHECK (kind = 'recording' OR withdrawn_at_us IS NULL)"
    ");"
    "CREATE INDEX consultation_consents_consultation ON"
    "  consultation_consents(consultation_id, kind);"

    "CREATE TABLE consultation_ecg_studies ("
    "  consultation_id INTEGER NOT NULL REFERENCES consultations(id),"
    "  ecg_study_id INTEGER NOT NULL REFERENCES ecg_studies(id),"
    "  PRIMARY KEY (consultation_id, ecg_study_id)"
    ") WITHOUT ROWID;"
    "CREATE TABLE consultation_imaging_studies ("
    "  consultation_id INTEGER NOT NULL REFERENCES consultations(id),"
    "  imaging_study_id INTEGER NOT NULL REFERENCES imaging_studies(id),"
    "  PRIMARY KEY (consultation_id, imaging_study_id)"
    ") WITHOUT ROWID;"

    /* The signed opinion, one row per version. */
    "CREATE TABLE consultation_opinions ("
    "  consultation_id INTEGER NOT NULL REFERENCES consultations(id),"
    "  version INTEGER NOT NULL CHECK (version >= 1),"
    "  text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 50000),"
    "  author_id INTEGER NOT NULL REFERENCES practitioners(id),"
    "  at_us INTEGER NOT NULL,"
    "  amend_reason TEXT,"
    "  CHECK ((version = 1) = (amend_reason IS NULL)),"
    "  PRIMARY KEY (consultation_id, version)"
    ") WITHOUT ROWID;" VERSIONED("consultation_opinions", "consultation_id");
