// SPDX-License-Identifier: Apache-2.0
/*
 * schema-media-profile.c - migration 14: the low-bandwidth media profile
 * of a live call (docs/api.md, "Media profile"), kept with the
 * consultation or rehab session whose room it is. A row exists only when
 * someone chose a profile for that record; without one the room starts
 * with the server's [media] default_profile.
 *
 * Rules the schema itself enforces:
 * - one row per record (a consultation or a rehab session, not both);
 * - the profile is normal, low or audio;
 * - who set it is a user, and when.
 */
#include "records-int.h"

const char tc_rec__schema_media_profile[] =
    "CREATE TABLE media_profiles ("
    "  id INTEGER PRIMARY KEY,"
    "  consultation_id INTEGER UNIQUE REFERENCES consultations(id),"
    "  rehab_session_id INTEGER UNIQUE REFERENCES rehab_sessions(id),"
    "  profile TEXT NOT NULL CHECK (profile IN ('normal', 'low', 'audio')),"
    "  set_by INTEGER NOT NULL REFERENCES users(id),"
    "  set_at_us INTEGER NOT NULL,"
    "  CHECK ((consultation_id IS NULL) <> (rehab_session_id IS NULL))"
    ");";
