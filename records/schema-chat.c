// SPDX-License-Identifier: Apache-2.0
/*
 * schema-chat.c - migration 4: the chat of a consultation's live room,
 * kept with the consultation record (docs/protocol.md, chat).
 *
 * Rules the schema itself enforces:
 * - a message belongs to a consultation and is written by a login;
 * - messages are numbered 1, 2, ... within their consultation (the
 *   primary key), which is the `seq` the room shows;
 * - text is 1..4000 bytes;
 * - the chat is append-only, like the rest of the clinical record:
 *   triggers refuse UPDATE and DELETE.
 */
#include "records-int.h"

const char tc_rec__schema_chat[] =
    "CREATE TABLE consultation_chat ("
    "  consultation_id INTEGER NOT NULL REFERENCES consultations(id),"
    "  seq INTEGER NOT NULL CHECK (seq >= 1),"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  at_us INTEGER NOT NULL,"
    "  text TEXT NOT NULL"
    "    CHECK (length(CAST(text AS BLOB)) BETWEEN 1 AND 4000),"
    "  PRIMARY KEY (consultation_id, seq)"
    ") WITHOUT ROWID;"
    "CREATE TRIGGER consultation_chat_no_update BEFORE UPDATE ON"
    "  consultation_chat"
    "  BEGIN SELECT RAISE(ABORT, 'consultation chat is append-only'); END;"
    "CREATE TRIGGER consultation_chat_no_delete BEFORE DELETE ON"
    "  consultation_chat"
    "  BEGIN SELECT RAISE(ABORT, 'consultation chat is append-only'); END;";
