// SPDX-License-Identifier: Apache-2.0
/*
 * schema-recordings.c - migration 7: recordings of live calls (one row per
 * track file), kept with the consultation record they belong to.
 *
 * Rules the schema itself enforces:
 * - a recording belongs to a consultation and to the login whose media it
 *   is; its track is audio or video;
 * - path is relative to the data directory (no leading '/', no '..');
 * - duration and size are not negative; sha256 is 64 lowercase hex digits;
 * - append-only, like the rest of the clinical record: triggers refuse
 *   UPDATE and DELETE.
 */
#include "records-int.h"

const char tc_rec__schema_recordings[] =
    "CREATE TABLE consultation_recordings ("
    "  id INTEGER PRIMARY KEY,"
    "  consultation_id INTEGER NOT NULL REFERENCES consultations(id),"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  track TEXT NOT NULL CHECK (track IN ('audio', 'video')),"
    "  path TEXT NOT NULL UNIQUE CHECK (length(path) BETWEEN 1 AND 512"
    "    AND substr(path, 1, 1) <> '/' AND instr(path, '..') = 0),"
    "  media_type TEXT NOT NULL CHECK (media_type IN ('video/webm',"
    "    'audio/webm', 'video/x-matroska')),"
    "  started_at_us INTEGER NOT NULL,"
    "  duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),"
    "  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),"
    "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64"
    "    AND sha256 NOT GLOB '*[^0-9a-f]*')"
    ");"
    "CREATE INDEX consultation_recordings_by_consultation ON"
    "  consultation_recordings(consultation_id, started_at_us);"
    "CREATE TRIGGER consultation_recordings_no_update BEFORE UPDATE ON"
    "  consultation_recordings"
    "  BEGIN SELECT RAISE(ABORT, 'recordings are append-only'); END;"
    "CREATE TRIGGER consultation_recordings_no_delete BEFORE DELETE ON"
    "  consultation_recordings"
    "  BEGIN SELECT RAISE(ABORT, 'recordings are append-only'); END;";
