// SPDX-License-Identifier: Apache-2.0
/*
 * schema-rehab-media.c - migration 13: recordings of live-guided rehab
 * sessions (one row per track file), kept with the session they belong
 * to. The same rules as consultation recordings (schema-recordings.c):
 * relative path without '..', known track and media type, non-negative
 * duration and size, a SHA-256 in lowercase hex, append-only.
 */
#include "records-int.h"

const char tc_rec__schema_rehab_media[] =
    "CREATE TABLE rehab_live_recordings ("
    "  id INTEGER PRIMARY KEY,"
    "  session_id INTEGER NOT NULL REFERENCES rehab_sessions(id),"
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
    "CREATE INDEX rehab_live_recordings_by_session ON"
    "  rehab_live_recordings(session_id, started_at_us);"
    "CREATE TRIGGER rehab_live_recordings_no_update BEFORE UPDATE ON"
    "  rehab_live_recordings"
    "  BEGIN SELECT RAISE(ABORT, 'recordings are append-only'); END;"
    "CREATE TRIGGER rehab_live_recordings_no_delete BEFORE DELETE ON"
    "  rehab_live_recordings"
    "  BEGIN SELECT RAISE(ABORT, 'recordings are append-only'); END;";
