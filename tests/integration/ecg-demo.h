/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ecg-demo.h - the demo county's ECG ids the ECG integration tests use:
 * the resident of stored study 1 (recorded on HK-ECG-01 and assigned to
 * her) and the reader sun.lihua's practitioner id, read from the data
 * directory's database. Header-only, like tc-test.h: each test program
 * is one translation unit.
 */
#ifndef TC_ECG_DEMO_H
#define TC_ECG_DEMO_H

#include <stdint.h>

#include <glib.h>

#include "tc-records.h"

/* 0, or a negative errno when the database or a row could not be read. */
static inline int
ecg_demo_ids(const char *data_dir, int64_t *patient, int64_t *reader)
{
    g_autofree char *path = g_build_filename(data_dir, "telecare.db", NULL);
    struct tc_rec_db *db = NULL;
    struct tc_rec_ecg_study *s = NULL;
    struct tc_rec_user *u = NULL;
    int rc = tc_rec_open(path, &db);

    if (rc == 0) {
        rc = tc_rec_ecg_study_get(db, 1, &s);
    }
    if (rc == 0) {
        *patient = s->resident_id;
        rc = tc_rec_user_get_by_username(db, "sun.lihua", &u);
    }
    if (rc == 0) {
        *reader = u->practitioner_id;
    }
    tc_rec_user_free(u);
    tc_rec_ecg_study_free(s);
    tc_rec_close(db);
    return rc;
}

#endif
