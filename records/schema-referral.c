// SPDX-License-Identifier: Apache-2.0
/*
 * schema-referral.c - migration 8: tiered care. Hospital departments in
 * the directory, referrals up (township -> county department) and down
 * (county -> township clinic and family-doctor team), the on-call rota,
 * and emergency consultations with their ringing log.
 *
 * Rules the schema itself enforces:
 * - a department is a code unique within its organization ("cardiology"
 *   at the county hospital and at a city hospital are two departments of
 *   one specialty: escalation follows the code);
 * - codes are checked against their lists; every reference is a foreign
 *   key;
 * - a rota shift ends after it starts;
 * - the emergency log and the ring log are append-only (triggers), like
 *   the rest of the clinical record; an emergency's own row holds only
 *   its current state, which the log explains.
 * Lifecycle rules live in referral.c and emergency.c (one transition
 * table each).
 */
#include "records-int.h"

const char tc_rec__schema_referral[] =
    "CREATE TABLE departments ("
    "  id INTEGER PRIMARY KEY,"
    "  organization_id INTEGER NOT NULL REFERENCES organizations(id),"
    "  code TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 40"
    "    AND code NOT GLOB '*[^a-z_]*'),"
    "  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),"
    "  head_id INTEGER REFERENCES practitioners(id),"
    "  created_at_us INTEGER NOT NULL,"
    "  UNIQUE (organization_id, code)"
    ");"
    "CREATE INDEX departments_code ON departments(code);"

    /* direction up: clinic_id is the sending township clinic,
     * department_id the county department asked, to_practitioner_id a
     * named doctor (optional). direction down: department_id is the
     * county department sending, clinic_id the receiving clinic, team_id
     * the resident's family-doctor team, parent_id the up-referral it
     * closes (optional). */
    "CREATE TABLE referrals ("
    "  id INTEGER PRIMARY KEY,"
    "  direction TEXT NOT NULL CHECK (direction IN ('up', 'down')),"
    "  resident_id INTEGER NOT NULL REFERENCES residents(id),"
    "  from_id INTEGER NOT NULL REFERENCES practitioners(id),"
    "  department_id INTEGER NOT NULL REFERENCES departments(id),"
    "  clinic_id INTEGER NOT NULL REFERENCES organizations(id),"
    "  team_id INTEGER REFERENCES teams(id),"
    "  to_practitioner_id INTEGER REFERENCES practitioners(id),"
    "  parent_id INTEGER REFERENCES referrals(id),"
    "  urgency TEXT NOT NULL CHECK (urgency IN ('routine', 'urgent',"
    "    'emergency')),"
    "  reason TEXT NOT NULL,"
    "  summary TEXT,"
    "  status TEXT NOT NULL DEFAULT 'requested' CHECK (status IN"
    "    ('requested', 'accepted', 'declined', 'completed', 'cancelled')),"
    "  requested_at_us INTEGER NOT NULL,"
    "  answered_by INTEGER REFERENCES practitioners(id),"
    "  answered_at_us INTEGER,"
    "  appointment_at_us INTEGER,"
    "  admission_date TEXT,"
    "  decline_reason TEXT,"
    "  completed_at_us INTEGER"
    ");"
    "CREATE INDEX referrals_resident ON referrals(resident_id,"
    "  requested_at_us);"
    "CREATE INDEX referrals_department ON referrals(department_id,"
    "  requested_at_us);"
    "CREATE INDEX referrals_clinic ON referrals(clinic_id, requested_at_us);"
    "CREATE INDEX referrals_from ON referrals(from_id, id);"
    "CREATE INDEX referrals_parent ON referrals(parent_id)"
    "  WHERE parent_id IS NOT NULL;"
    "CREATE TABLE referral_studies ("
    "  referral_id INTEGER NOT NULL REFERENCES referrals(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('ecg', 'imaging')),"
    "  study_id INTEGER NOT NULL,"
    "  PRIMARY KEY (referral_id, kind, study_id)"
    ") WITHOUT ROWID;"
    "CREATE TABLE referral_followups ("
    "  referral_id INTEGER NOT NULL REFERENCES referrals(id),"
    "  followup_id INTEGER NOT NULL REFERENCES followups(id),"
    "  PRIMARY KEY (referral_id, followup_id)"
    ") WITHOUT ROWID;"

    /* The on-call rota: a practitioner on call for a department over
     * [starts_at_us, ends_at_us). */
    "CREATE TABLE oncall_shifts ("
    "  id INTEGER PRIMARY KEY,"
    "  department_id INTEGER NOT NULL REFERENCES departments(id),"
    "  practitioner_id INTEGER NOT NULL REFERENCES practitioners(id),"
    "  starts_at_us INTEGER NOT NULL,"
    "  ends_at_us INTEGER NOT NULL CHECK (ends_at_us > starts_at_us),"
    "  created_at_us INTEGER NOT NULL"
    ");"
    "CREATE INDEX oncall_shifts_department ON oncall_shifts(department_id,"
    "  ends_at_us);"

    /* Emergency consultations. tier 1: the county hospital's department
     * of `code`; tier 2: the partner city hospitals' departments of the
     * same code. ring_deadline_us: when the current tier's ringing
     * times out (state kept so a restarted server resumes its timer). */
    "CREATE TABLE emergencies ("
    "  id INTEGER PRIMARY KEY,"
    "  resident_id INTEGER NOT NULL REFERENCES residents(id),"
    "  requester_id INTEGER NOT NULL REFERENCES practitioners(id),"
    "  department_id INTEGER NOT NULL REFERENCES departments(id),"
    "  reason TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('ringing', 'accepted',"
    "    'joined', 'ended', 'unanswered', 'cancelled')),"
    "  tier INTEGER NOT NULL CHECK (tier BETWEEN 1 AND 2),"
    "  raised_at_us INTEGER NOT NULL,"
    "  ring_deadline_us INTEGER,"
    "  accepted_by INTEGER REFERENCES practitioners(id),"
    "  accepted_at_us INTEGER,"
    "  joined_at_us INTEGER,"
    "  ended_at_us INTEGER,"
    "  consultation_id INTEGER REFERENCES consultations(id),"
    "  referral_id INTEGER REFERENCES referrals(id)"
    ");"
    "CREATE INDEX emergencies_resident ON emergencies(resident_id,"
    "  raised_at_us);"
    "CREATE INDEX emergencies_open ON emergencies(status)"
    "  WHERE status IN ('ringing', 'accepted', 'joined');"
    "CREATE INDEX emergencies_consultation ON emergencies(consultation_id)"
    "  WHERE consultation_id IS NOT NULL;"
    "CREATE TABLE emergency_events ("
    "  emergency_id INTEGER NOT NULL REFERENCES emergencies(id),"
    "  seq INTEGER NOT NULL,"
    "  at_us INTEGER NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('raised', 'rung', 'no_one_on_call',"
    "    'escalated', 'accepted', 'taken', 'joined', 'dropped', 'ended',"
    "    'unanswered', 'cancelled', 'timeout')),"
    "  tier INTEGER NOT NULL,"
    "  practitioner_id INTEGER REFERENCES practitioners(id),"
    "  PRIMARY KEY (emergency_id, seq)"
    ") WITHOUT ROWID;"
    "CREATE TRIGGER emergency_events_no_update BEFORE UPDATE ON"
    "  emergency_events"
    "  BEGIN SELECT RAISE(ABORT, 'emergency events are append-only'); END;"
    "CREATE TRIGGER emergency_events_no_delete BEFORE DELETE ON"
    "  emergency_events"
    "  BEGIN SELECT RAISE(ABORT, 'emergency events are append-only'); END;";
