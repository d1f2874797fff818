// SPDX-License-Identifier: Apache-2.0
/*
 * schema-accounts.c - migration 3: login accounts, their roles and their
 * sessions.
 *
 * Rules the schema itself enforces:
 * - usernames are unique without regard to case (COLLATE NOCASE) and
 *   3..64 characters long;
 * - a user stands for at most one person (practitioner, resident or
 *   carer), each a foreign key;
 * - roles are checked against their list;
 * - a session is keyed by the 32-byte SHA-256 of its token: the token
 *   itself is never stored.
 * Which role needs which person link is checked in account.c, where the
 * error can name the role.
 */
#include "records-int.h"

const char tc_rec__schema_accounts[] =
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  username TEXT NOT NULL COLLATE NOCASE UNIQUE"
    "    CHECK (length(username) BETWEEN 3 AND 64),"
    "  password_hash TEXT NOT NULL,"
    "  practitioner_id INTEGER REFERENCES practitioners(id),"
    "  resident_id INTEGER REFERENCES residents(id),"
    "  carer_id INTEGER REFERENCES carers(id),"
    "  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
    "  failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),"
    "  locked_until_us INTEGER NOT NULL DEFAULT 0,"
    "  totp_secret TEXT,"
    "  totp_last_step INTEGER NOT NULL DEFAULT 0,"
    "  created_at_us INTEGER NOT NULL,"
    "  CHECK ((practitioner_id IS NOT NULL) + (resident_id IS NOT NULL)"
    "    + (carer_id IS NOT NULL) <= 1)"
    ");"
    "CREATE INDEX users_practitioner ON users(practitioner_id)"
    "  WHERE practitioner_id IS NOT NULL;"
    "CREATE INDEX users_resident ON users(resident_id)"
    "  WHERE resident_id IS NOT NULL;"
    "CREATE INDEX users_carer ON users(carer_id)"
    "  WHERE carer_id IS NOT NULL;"

    "CREATE TABLE user_roles ("
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  role TEXT NOT NULL CHECK (role IN ('admin', 'auditor', 'doctor',"
    "    'specialist', 'township_doctor', 'family_doctor', 'therapist',"
    "    'ecg_reader', 'radiologist', 'resident', 'carer')),"
    "  PRIMARY KEY (user_id, role)"
    ") WITHOUT ROWID;"

    "CREATE TABLE sessions ("
    "  token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  created_at_us INTEGER NOT NULL,"
    "  last_used_at_us INTEGER NOT NULL,"
    "  expires_at_us INTEGER NOT NULL,"
    "  revoked_at_us INTEGER,"
    "  client_addr TEXT"
    ") WITHOUT ROWID;"
    "CREATE INDEX sessions_user ON sessions(user_id);";
