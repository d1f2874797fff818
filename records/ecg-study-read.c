// SPDX-License-Identifier: Apache-2.0
/*
 * ecg-study-read.c - reading ECG studies: one study with its latest
 * report, every version of a report, and the reading worklist.
 *
 * Split from ecg-study.c (which writes studies and owns their lifecycle);
 * nothing here writes.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdlib.h>

#include "records-int.h"

#define SELECT_STUDY                                                          \
    "SELECT id, resident_id, device_id, leads, sample_rate_hz,"               \
    " started_at_us, duration_ms, storage_path, organization_id,"             \
    " ordered_by, status, reader_id, urgent FROM ecg_studies"

#define SELECT_REPORT                                                         \
    "SELECT version, rhythm, heart_rate_bpm, pr_ms, qrs_ms, qt_ms, qtc_ms,"   \
    " impression, reader_id, signed_at_us, amend_reason FROM ecg_reports"

static int
read_study(sqlite3_stmt *st, void *item)
{
    struct tc_rec_ecg_study *s = item;
    enum tc_rec_ecg_status status = TC_REC_ECG_LIVE;
    bool oom = false;

    s->id = sqlite3_column_int64(st, 0);
    s->resident_id = sqlite3_column_int64(st, 1);
    s->device_id = tc_rec__col_text(st, 2, &oom);
    s->leads = tc_rec__col_text(st, 3, &oom);
    s->sample_rate_hz = sqlite3_column_int(st, 4);
    s->started_at_us = sqlite3_column_int64(st, 5);
    s->duration_ms = sqlite3_column_int64(st, 6);
    s->storage_path = tc_rec__col_text(st, 7, &oom);
    s->organization_id = sqlite3_column_int64(st, 8);
    s->ordered_by = sqlite3_column_int64(st, 9);
    tc_rec_ecg_status_from_string((const char *)sqlite3_column_text(st, 10),
                                  &status);
    s->status = status;
    s->reader_id = sqlite3_column_int64(st, 11);
    s->urgent = sqlite3_column_int(st, 12) != 0;
    return oom ? -ENOMEM : 0;
}

static int
read_report(sqlite3_stmt *st, void *item)
{
    struct tc_rec_ecg_report *r = item;
    bool oom = false;

    r->version = sqlite3_column_int(st, 0);
    r->rhythm = tc_rec__col_text(st, 1, &oom);
    r->heart_rate_bpm = sqlite3_column_int(st, 2);
    r->pr_ms = sqlite3_column_int(st, 3);
    r->qrs_ms = sqlite3_column_int(st, 4);
    r->qt_ms = sqlite3_column_int(st, 5);
    r->qtc_ms = sqlite3_column_int(st, 6);
    r->impression = tc_rec__col_text(st, 7, &oom);
    r->reader_id = sqlite3_column_int64(st, 8);
    r->signed_at_us = sqlite3_column_int64(st, 9);
    r->amend_reason = tc_rec__col_text(st, 10, &oom);
    return oom ? -ENOMEM : 0;
}

static void
report_fini(struct tc_rec_ecg_report *r)
{
    free(r->rhythm);
    free(r->impression);
    free(r->amend_reason);
}

static void
report_free(void *item)
{
    if (item) {
        report_fini(item);
        free(item);
    }
}

static void
study_fini(struct tc_rec_ecg_study *s)
{
    free(s->device_id);
    free(s->leads);
    free(s->storage_path);
    report_free(s->report);
}

void
tc_rec_ecg_study_free(struct tc_rec_ecg_study *study)
{
    if (study) {
        study_fini(study);
        free(study);
    }
}

static void
study_free(void *item)
{
    tc_rec_ecg_study_free(item);
}

void
tc_rec_ecg_study_list_free(struct tc_rec_ecg_study_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        study_fini(&list->items[i]);
    }
    free(list->items);
    free(list);
}

void
tc_rec_ecg_report_list_free(struct tc_rec_ecg_report_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        report_fini(&list->items[i]);
    }
    free(list->items);
    free(list);
}

int
tc_rec_ecg_study_get(struct tc_rec_db *db, int64_t id,
                     struct tc_rec_ecg_study **out)
{
    struct tc_rec_ecg_study *s = NULL;
    sqlite3_stmt *st;
    void *item = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, SELECT_STUDY " WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__fetch(db, st, sizeof(*s), read_study, study_free, &item);
    if (rc < 0) {
        return rc == -ENOENT ? tc_rec__fail(db, rc,
                                            "study: no ECG study "
                                            "%lld",
                                            (long long)id)
                             : rc;
    }
    s = item;
    st = tc_rec__stmt(db, SELECT_REPORT " WHERE study_id = ?"
                                        " ORDER BY version DESC LIMIT 1");
    if (!st) {
        tc_rec_ecg_study_free(s);
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    item = NULL;
    rc = tc_rec__fetch(db, st, sizeof(*s->report), read_report, report_free,
                       &item);
    if (rc < 0 && rc != -ENOENT) {
        tc_rec_ecg_study_free(s);
        return rc;
    }
    s->report = item;
    *out = s;
    return 0;
}

int
tc_rec_ecg_report_versions(struct tc_rec_db *db, int64_t study_id,
                           struct tc_rec_ecg_report_list **out)
{
    struct tc_rec_ecg_report_list *list;
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, SELECT_REPORT " WHERE study_id = ? ORDER BY"
                                        " version");
    list = calloc(1, sizeof(*list));
    if (!st || !list) {
        free(list);
        return st ? tc_rec__fail(db, -ENOMEM, "out of memory") : -EIO;
    }
    sqlite3_bind_int64(st, 1, study_id);
    rc = tc_rec__collect(db, st, sizeof(struct tc_rec_ecg_report), read_report,
                         &items, &list->count);
    list->items = items;
    if (rc == 0 && list->count == 0) {
        rc = tc_rec__fail(db, -ENOENT, "report: ECG study %lld has none",
                          (long long)study_id);
    }
    if (rc < 0) {
        tc_rec_ecg_report_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

int
tc_rec_ecg_worklist(struct tc_rec_db *db, int64_t reader_id,
                    bool include_unassigned,
                    struct tc_rec_ecg_study_list **out)
{
    struct tc_rec_ecg_study_list *list;
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, SELECT_STUDY " WHERE status = 'awaiting_reading'"
                                       " AND (reader_id = ?1 OR (?2 AND"
                                       " reader_id IS NULL))"
                                       " ORDER BY urgent DESC,"
                                       " started_at_us, id");
    list = calloc(1, sizeof(*list));
    if (!st || !list) {
        free(list);
        return st ? tc_rec__fail(db, -ENOMEM, "out of memory") : -EIO;
    }
    sqlite3_bind_int64(st, 1, reader_id);
    sqlite3_bind_int(st, 2, include_unassigned);
    rc = tc_rec__collect(db, st, sizeof(struct tc_rec_ecg_study), read_study,
                         &items, &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_ecg_study_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

int
tc_rec_ecg_study_live_ids(struct tc_rec_db *db, int64_t **ids_out,
                          size_t *n_out)
{
    sqlite3_stmt *st;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT id FROM ecg_studies WHERE status = 'live'"
                          " ORDER BY id");
    if (!st) {
        return -EIO;
    }
    return tc_rec__ids_collect(db, st, ids_out, n_out);
}
