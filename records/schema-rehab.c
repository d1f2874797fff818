// SPDX-License-Identifier: Apache-2.0
/*
 * schema-rehab.c - migration 9: home rehabilitation beyond plans and
 * sessions: the exercise library (with precautions per disability
 * category and a demo video), plan exercises linked to it, a plan's
 * weekly schedule, the attendance log of live rooms, sets marked done,
 * resumable uploads (recordings and demo videos) and alerts.
 *
 * Rules the schema enforces itself:
 * - ranges and codes are CHECKs (sets, reps, weekdays, minutes, codes);
 * - an upload belongs to exactly one session or one library exercise, at
 *   most one upload of a session is open or verifying at a time, and its
 *   received bytes never pass its declared size;
 * - a set is marked done once (primary key), so nothing is counted twice;
 * - an alert is raised once per (plan, kind, trigger): evaluating again
 *   inserts nothing (UNIQUE), which makes evaluation idempotent.
 */
#include "records-int.h"

const char tc_rec__schema_rehab[] =
    "CREATE TABLE rehab_library ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),"
    "  instructions_zh TEXT NOT NULL CHECK (length(instructions_zh)"
    "    BETWEEN 1 AND 4000),"
    "  instructions_en TEXT NOT NULL CHECK (length(instructions_en)"
    "    BETWEEN 1 AND 4000),"
    "  default_sets INTEGER NOT NULL CHECK (default_sets BETWEEN 1 AND 20),"
    "  default_reps INTEGER NOT NULL CHECK (default_reps BETWEEN 1 AND 200),"
    "  video_upload_id INTEGER REFERENCES rehab_uploads(id),"
    "  created_by INTEGER REFERENCES practitioners(id)," /* NULL: built in */
    "  created_at_us INTEGER NOT NULL"
    ");"
    "CREATE TABLE rehab_library_precautions ("
    "  exercise_id INTEGER NOT NULL REFERENCES rehab_library(id),"
    "  category TEXT NOT NULL CHECK (category IN ('visual', 'hearing',"
    "    'speech', 'physical', 'intellectual', 'mental', 'multiple')),"
    "  text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),"
    "  PRIMARY KEY (exercise_id, category)"
    ") WITHOUT ROWID;"

    "ALTER TABLE rehab_exercises ADD COLUMN library_id INTEGER"
    "  REFERENCES rehab_library(id);"

    /* A plan's week: each slot is a weekday (ISO, Monday 1) and a local
     * time with its UTC offset; sessions are generated from it. */
    "CREATE TABLE rehab_plan_slots ("
    "  id INTEGER PRIMARY KEY,"
    "  plan_id INTEGER NOT NULL REFERENCES rehab_plans(id),"
    "  weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),"
    "  minute_of_day INTEGER NOT NULL CHECK (minute_of_day BETWEEN 0"
    "    AND 1439),"
    "  utc_offset_min INTEGER NOT NULL CHECK (utc_offset_min BETWEEN -720"
    "    AND 840),"
    "  mode TEXT NOT NULL CHECK (mode IN ('live_guided', 'self_guided',"
    "    'home_visit')),"
    "  therapist_id INTEGER REFERENCES practitioners(id),"
    "  UNIQUE (plan_id, weekday, minute_of_day)"
    ");"

    /* Who was in a live session's room, when: 'present' and 'absent'
     * from signaling; 'media_start' and 'media_stop' from the media
     * server (when it reports them). */
    "CREATE TABLE rehab_attendance ("
    "  id INTEGER PRIMARY KEY,"
    "  session_id INTEGER NOT NULL REFERENCES rehab_sessions(id),"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  role TEXT NOT NULL CHECK (role IN ('therapist', 'resident',"
    "    'carer')),"
    "  event TEXT NOT NULL CHECK (event IN ('present', 'absent',"
    "    'media_start', 'media_stop')),"
    "  at_us INTEGER NOT NULL"
    ");"
    "CREATE INDEX rehab_attendance_session ON rehab_attendance(session_id,"
    "  at_us);"

    "CREATE TABLE rehab_set_marks ("
    "  session_id INTEGER NOT NULL REFERENCES rehab_sessions(id),"
    "  exercise_id INTEGER NOT NULL REFERENCES rehab_exercises(id),"
    "  set_no INTEGER NOT NULL CHECK (set_no BETWEEN 1 AND 20),"
    "  marked_by INTEGER NOT NULL REFERENCES practitioners(id),"
    "  at_us INTEGER NOT NULL,"
    "  PRIMARY KEY (session_id, exercise_id, set_no)"
    ") WITHOUT ROWID;"

    "CREATE TABLE rehab_uploads ("
    "  id INTEGER PRIMARY KEY,"
    "  session_id INTEGER REFERENCES rehab_sessions(id),"
    "  library_id INTEGER REFERENCES rehab_library(id),"
    "  owner_user_id INTEGER NOT NULL REFERENCES users(id),"
    "  size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),"
    "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"
    "  received_bytes INTEGER NOT NULL DEFAULT 0"
    "    CHECK (received_bytes BETWEEN 0 AND size_bytes),"
    "  n_chunks INTEGER NOT NULL DEFAULT 0,"
    "  status TEXT NOT NULL CHECK (status IN ('open', 'verifying',"
    "    'complete', 'rejected')),"
    "  status_reason TEXT,"
    "  mime TEXT,"
    "  duration_ms INTEGER,"
    "  created_at_us INTEGER NOT NULL,"
    "  updated_at_us INTEGER NOT NULL,"
    "  CHECK ((session_id IS NULL) != (library_id IS NULL)),"
    "  CHECK (status != 'complete' OR received_bytes = size_bytes)"
    ");"
    "CREATE UNIQUE INDEX rehab_uploads_session_open ON"
    "  rehab_uploads(session_id) WHERE session_id IS NOT NULL AND"
    "  status IN ('open', 'verifying');"
    "CREATE INDEX rehab_uploads_library ON rehab_uploads(library_id)"
    "  WHERE library_id IS NOT NULL;"

    /* The resident's consent to be recorded in a plan's sessions: given
     * and withdrawn by the resident or a carer; one standing at a time. */
    "CREATE TABLE rehab_recording_consents ("
    "  id INTEGER PRIMARY KEY,"
    "  plan_id INTEGER NOT NULL REFERENCES rehab_plans(id),"
    "  given_by INTEGER NOT NULL REFERENCES users(id),"
    "  given_at_us INTEGER NOT NULL,"
    "  withdrawn_by INTEGER REFERENCES users(id),"
    "  withdrawn_at_us INTEGER,"
    "  CHECK ((withdrawn_by IS NULL) = (withdrawn_at_us IS NULL))"
    ");"
    "CREATE UNIQUE INDEX rehab_recording_consents_standing ON"
    "  rehab_recording_consents(plan_id) WHERE withdrawn_at_us IS NULL;"

    "CREATE TABLE rehab_alerts ("
    "  id INTEGER PRIMARY KEY,"
    "  plan_id INTEGER NOT NULL REFERENCES rehab_plans(id),"
    "  resident_id INTEGER NOT NULL REFERENCES residents(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('missed_in_a_row', 'pain_up',"
    "    'no_session')),"
    "  trigger_key TEXT NOT NULL,"
    "  session_id INTEGER REFERENCES rehab_sessions(id),"
    "  value INTEGER NOT NULL,"
    "  raised_at_us INTEGER NOT NULL,"
    "  acknowledged_by INTEGER REFERENCES practitioners(id),"
    "  acknowledged_at_us INTEGER,"
    "  UNIQUE (plan_id, kind, trigger_key)"
    ");"
    "CREATE INDEX rehab_alerts_resident ON rehab_alerts(resident_id,"
    "  raised_at_us);";
