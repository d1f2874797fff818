// SPDX-License-Identifier: Apache-2.0
/*
 * schema-ecg.c - migration 11: remote ECG (issue 7).
 *
 * - ecg_device_assignments: which residents a recording device may send
 *   ECG streams for (a home device: its resident; a clinic's machine:
 *   each resident it is set up for). A stream announced for a resident
 *   the device is not assigned to is refused.
 * - ecg_studies.urgent: a reading request marked urgent comes first on
 *   the reader's worklist (then oldest first); the worklist index
 *   follows that order.
 */
#include "records-int.h"

const char tc_rec__schema_ecg[] =
    "CREATE TABLE ecg_device_assignments ("
    "  device_id TEXT NOT NULL CHECK (length(device_id) BETWEEN 1 AND 64),"
    "  resident_id INTEGER NOT NULL REFERENCES residents(id),"
    "  assigned_by INTEGER REFERENCES users(id),"
    "  assigned_at_us INTEGER NOT NULL,"
    "  PRIMARY KEY (device_id, resident_id)"
    ") WITHOUT ROWID;"
    "ALTER TABLE ecg_studies ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0"
    "  CHECK (urgent IN (0, 1));"
    "CREATE INDEX ecg_studies_worklist_urgent ON ecg_studies(status,"
    "  reader_id, urgent DESC, started_at_us, id);";
