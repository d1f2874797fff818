/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ecg-demo.h - what the ECG integration tests share: the demo county's
 * ECG ids (the resident of stored study 1, recorded on HK-ECG-01 and
 * assigned to her, and the reader sun.lihua's practitioner id, read from
 * the data directory's database), a source record read from the shared
 * data, and the check that a study awaits its reading. Header-only, like
 * tc-test.h: each test program is one translation unit.
 */
#ifndef TC_ECG_DEMO_H
#define TC_ECG_DEMO_H

#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "tc-media.h"
#include "tc-records.h"
#include "tc-test.h"

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

/* Record `name` of the directory `ecg_dir` (the shared data's ecg/), or
 * NULL, saying why. */
static inline struct tc_media_wfdb_record *
ecg_demo_record(const char *ecg_dir, const char *name)
{
    struct tc_media_wfdb_record *rec = NULL;
    char err[256];

    if (tc_media_wfdb_record_read(ecg_dir, name, &rec, err, sizeof(err)) < 0) {
        printf("# %s: %s\n", name, err);
    }
    return rec;
}

/* Study `id` awaits reading by `reader`, for `patient`, n_frames long at
 * `rate`. */
static inline void
ecg_demo_check_awaiting(const char *data_dir, int64_t id, int64_t n_frames,
                        unsigned rate, int64_t reader, int64_t patient)
{
    g_autofree char *path = g_build_filename(data_dir, "telecare.db", NULL);
    struct tc_rec_db *db = NULL;
    struct tc_rec_ecg_study *s = NULL;

    TC_REQUIRE(tc_rec_open(path, &db) == 0);
    TC_CHECK_EQ(tc_rec_ecg_study_get(db, id, &s), 0);
    if (s) {
        TC_CHECK_EQ(s->status, TC_REC_ECG_AWAITING_READING);
        TC_CHECK_EQ(s->duration_ms, n_frames * 1000 / rate);
        TC_CHECK_EQ(s->reader_id, reader);
        TC_CHECK_EQ(s->resident_id, patient);
    }
    tc_rec_ecg_study_free(s);
    tc_rec_close(db);
}

#endif
