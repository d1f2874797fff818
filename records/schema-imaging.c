// SPDX-License-Identifier: Apache-2.0
/*
 * schema-imaging.c - migration 10: DICOM store-and-forward on top of the
 * imaging index of migration 2.
 *
 * - imaging_studies gains the patient as the DICOM header names it (ID,
 *   name in UTF-8, birth date, sex) and the study time: QIDO-RS answers
 *   from the index, and reconciliation shows whom an unmatched study is
 *   about;
 * - imaging_instances gains its transfer syntax, instance number and the
 *   calling AE title (or "STOW-RS") it came from;
 * - imaging_instance_conflicts: a SOP Instance UID received again with
 *   other bytes. Both files are kept (content-addressed); the index keeps
 *   pointing at the first, the conflict row flags the second. Append-only.
 * - imaging_forwards: the forwarding queue, one row per (instance,
 *   destination): pending -> sent, or pending -> failed after the last
 *   retry. Survives restarts because it is a table.
 * - imaging_reading_requests: the township doctor's request for a reading
 *   (urgent or routine, with a reason); the worklist puts urgent first and
 *   the signed report goes back to the requester.
 */
#include "records-int.h"

const char tc_rec__schema_imaging[] =
    "ALTER TABLE imaging_studies ADD COLUMN patient_dicom_id TEXT;"
    "ALTER TABLE imaging_studies ADD COLUMN patient_name TEXT;"
    "ALTER TABLE imaging_studies ADD COLUMN patient_birth_date TEXT;"
    "ALTER TABLE imaging_studies ADD COLUMN patient_sex TEXT;"
    "ALTER TABLE imaging_studies ADD COLUMN study_time TEXT;"
    "CREATE INDEX imaging_studies_patient ON imaging_studies("
    "  patient_dicom_id) WHERE patient_dicom_id IS NOT NULL;"
    "CREATE INDEX imaging_studies_date ON imaging_studies(study_date);"
    "CREATE INDEX imaging_studies_unmatched ON imaging_studies("
    "  received_at_us) WHERE resident_id IS NULL;"

    "ALTER TABLE imaging_instances ADD COLUMN transfer_syntax TEXT;"
    "ALTER TABLE imaging_instances ADD COLUMN instance_number INTEGER;"
    "ALTER TABLE imaging_instances ADD COLUMN source TEXT;"

    "CREATE TABLE imaging_instance_conflicts ("
    "  id INTEGER PRIMARY KEY,"
    "  instance_id INTEGER NOT NULL REFERENCES imaging_instances(id),"
    "  storage_path TEXT NOT NULL,"
    "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"
    "  size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),"
    "  source TEXT,"
    "  received_at_us INTEGER NOT NULL,"
    "  UNIQUE (instance_id, sha256)"
    ");"
    "CREATE TRIGGER imaging_instance_conflicts_no_update BEFORE UPDATE ON"
    "  imaging_instance_conflicts"
    "  BEGIN SELECT RAISE(ABORT, 'conflicts are append-only'); END;"
    "CREATE TRIGGER imaging_instance_conflicts_no_delete BEFORE DELETE ON"
    "  imaging_instance_conflicts"
    "  BEGIN SELECT RAISE(ABORT, 'conflicts are append-only'); END;"

    "CREATE TABLE imaging_forwards ("
    "  instance_id INTEGER NOT NULL REFERENCES imaging_instances(id),"
    "  destination TEXT NOT NULL CHECK (length(destination) BETWEEN 1"
    "    AND 64),"
    "  status TEXT NOT NULL CHECK (status IN ('pending', 'sent',"
    "    'failed')),"
    "  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
    "  queued_at_us INTEGER NOT NULL,"
    "  next_attempt_at_us INTEGER NOT NULL,"
    "  sent_at_us INTEGER,"
    "  last_error TEXT,"
    "  CHECK ((status = 'sent') = (sent_at_us IS NOT NULL)),"
    "  PRIMARY KEY (instance_id, destination)"
    ") WITHOUT ROWID;"
    "CREATE INDEX imaging_forwards_due ON imaging_forwards(status,"
    "  next_attempt_at_us);"

    "CREATE TABLE imaging_reading_requests ("
    "  study_id INTEGER PRIMARY KEY REFERENCES imaging_studies(id),"
    "  requested_by INTEGER NOT NULL REFERENCES practitioners(id),"
    "  urgent INTEGER NOT NULL CHECK (urgent IN (0, 1)),"
    "  reason TEXT CHECK (reason IS NULL OR length(reason) BETWEEN 1"
    "    AND 2000),"
    "  requested_at_us INTEGER NOT NULL"
    ");";
