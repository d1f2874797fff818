// SPDX-License-Identifier: Apache-2.0
/*
 * imaging-study-read.c - reading imaging studies: one study with its series
 * (and their instance counts) and latest report, the instances of a
 * series, every version of a report, and the reporting worklist.
 *
 * Split from imaging-study.c and imaging-index.c (which write); nothing
 * here writes.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <stdlib.h>

#include "records-int.h"

#define SELECT_STUDY                                                          \
    "SELECT s.id, s.resident_id, s.study_uid, s.accession, s.modality,"       \
    " s.description, s.study_date, s.sending_org_id, s.received_at_us,"       \
    " s.status, s.radiologist_id,"                                            \
    " (SELECT count(*) FROM imaging_series WHERE study_id = s.id),"           \
    " (SELECT count(*) FROM imaging_instances i JOIN imaging_series r"        \
    " ON r.id = i.series_id WHERE r.study_id = s.id)"                         \
    " FROM imaging_studies s"

#define SELECT_REPORT                                                         \
    "SELECT version, findings, impression, radiologist_id, signed_at_us,"     \
    " amend_reason FROM imaging_reports"

static int
read_study(sqlite3_stmt *st, void *item)
{
    struct tc_rec_imaging_study *s = item;
    enum tc_rec_imaging_status status = TC_REC_IMAGING_RECEIVED;
    bool oom = false;

    s->id = sqlite3_column_int64(st, 0);
    s->resident_id = sqlite3_column_int64(st, 1);
    s->study_uid = tc_rec__col_text(st, 2, &oom);
    s->accession = tc_rec__col_text(st, 3, &oom);
    s->modality = tc_rec__col_text(st, 4, &oom);
    s->description = tc_rec__col_text(st, 5, &oom);
    s->study_date = tc_rec__col_text(st, 6, &oom);
    s->sending_org_id = sqlite3_column_int64(st, 7);
    s->received_at_us = sqlite3_column_int64(st, 8);
    tc_rec_imaging_status_from_string((const char *)sqlite3_column_text(st, 9),
                                      &status);
    s->status = status;
    s->radiologist_id = sqlite3_column_int64(st, 10);
    s->n_series = sqlite3_column_int(st, 11);
    s->n_instances = sqlite3_column_int(st, 12);
    return oom ? -ENOMEM : 0;
}

static int
read_series(sqlite3_stmt *st, void *item)
{
    struct tc_rec_imaging_series *s = item;
    bool oom = false;

    s->id = sqlite3_column_int64(st, 0);
    s->series_uid = tc_rec__col_text(st, 1, &oom);
    s->modality = tc_rec__col_text(st, 2, &oom);
    s->number = sqlite3_column_type(st, 3) == SQLITE_NULL
                    ? -1
                    : sqlite3_column_int(st, 3);
    s->description = tc_rec__col_text(st, 4, &oom);
    s->n_instances = sqlite3_column_int(st, 5);
    return oom ? -ENOMEM : 0;
}

static int
read_instance(sqlite3_stmt *st, void *item)
{
    struct tc_rec_imaging_instance *i = item;
    bool oom = false;

    i->id = sqlite3_column_int64(st, 0);
    i->sop_instance_uid = tc_rec__col_text(st, 1, &oom);
    i->sop_class_uid = tc_rec__col_text(st, 2, &oom);
    i->storage_path = tc_rec__col_text(st, 3, &oom);
    i->sha256 = tc_rec__col_text(st, 4, &oom);
    i->size_bytes = sqlite3_column_int64(st, 5);
    i->received_at_us = sqlite3_column_int64(st, 6);
    return oom ? -ENOMEM : 0;
}

static int
read_report(sqlite3_stmt *st, void *item)
{
    struct tc_rec_imaging_report *r = item;
    bool oom = false;

    r->version = sqlite3_column_int(st, 0);
    r->findings = tc_rec__col_text(st, 1, &oom);
    r->impression = tc_rec__col_text(st, 2, &oom);
    r->radiologist_id = sqlite3_column_int64(st, 3);
    r->signed_at_us = sqlite3_column_int64(st, 4);
    r->amend_reason = tc_rec__col_text(st, 5, &oom);
    return oom ? -ENOMEM : 0;
}

static void
report_fini(struct tc_rec_imaging_report *r)
{
    free(r->findings);
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
study_fini(struct tc_rec_imaging_study *s)
{
    free(s->study_uid);
    free(s->accession);
    free(s->modality);
    free(s->description);
    free(s->study_date);
    if (s->series) {
        for (int i = 0; i < s->n_series; i++) {
            free(s->series[i].series_uid);
            free(s->series[i].modality);
            free(s->series[i].description);
        }
        free(s->series);
    }
    report_free(s->report);
}

void
tc_rec_imaging_study_free(struct tc_rec_imaging_study *study)
{
    if (study) {
        study_fini(study);
        free(study);
    }
}

static void
study_free(void *item)
{
    tc_rec_imaging_study_free(item);
}

void
tc_rec_imaging_study_list_free(struct tc_rec_imaging_study_list *list)
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
tc_rec_imaging_instance_list_free(struct tc_rec_imaging_instance_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].sop_instance_uid);
        free(list->items[i].sop_class_uid);
        free(list->items[i].storage_path);
        free(list->items[i].sha256);
    }
    free(list->items);
    free(list);
}

void
tc_rec_imaging_report_list_free(struct tc_rec_imaging_report_list *list)
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

/* The series of study `s` and its latest report, into `s`. */
static int
study_details(struct tc_rec_db *db, struct tc_rec_imaging_study *s)
{
    sqlite3_stmt *st = tc_rec__stmt(
        db, "SELECT r.id, r.series_uid, r.modality, r.number, r.description,"
            " (SELECT count(*) FROM imaging_instances WHERE series_id = r.id)"
            " FROM imaging_series r WHERE r.study_id = ?"
            " ORDER BY r.number IS NULL, r.number, r.id");
    void *items = NULL, *report = NULL;
    size_t n = 0;
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, s->id);
    rc = tc_rec__collect(db, st, sizeof(struct tc_rec_imaging_series),
                         read_series, &items, &n);
    s->series = items;
    s->n_series = (int)n;
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, SELECT_REPORT " WHERE study_id = ?"
                                        " ORDER BY version DESC LIMIT 1");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, s->id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_imaging_report),
                       read_report, report_free, &report);
    s->report = report;
    return rc == -ENOENT ? 0 : rc;
}

int
tc_rec_imaging_study_get(struct tc_rec_db *db, int64_t id,
                         struct tc_rec_imaging_study **out)
{
    sqlite3_stmt *st;
    void *item = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, SELECT_STUDY " WHERE s.id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_imaging_study), read_study,
                       study_free, &item);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "study: no imaging study %lld",
                            (long long)id);
    }
    if (rc == 0) {
        rc = study_details(db, item);
    }
    if (rc < 0) {
        tc_rec_imaging_study_free(item);
        return rc;
    }
    *out = item;
    return 0;
}

int
tc_rec_imaging_instance_list(struct tc_rec_db *db, int64_t series_id,
                             struct tc_rec_imaging_instance_list **out)
{
    struct tc_rec_imaging_instance_list *list;
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__need_row(db, "SELECT 1 FROM imaging_series WHERE id = ?",
                          series_id, "series_id", "series");
    st = rc == 0 ? tc_rec__stmt(db, "SELECT id, sop_instance_uid,"
                                    " sop_class_uid, storage_path, sha256,"
                                    " size_bytes, received_at_us"
                                    " FROM imaging_instances"
                                    " WHERE series_id = ?"
                                    " ORDER BY sop_instance_uid")
                 : NULL;
    list = st ? calloc(1, sizeof(*list)) : NULL;
    if (!list) {
        return rc < 0 ? rc
               : st   ? tc_rec__fail(db, -ENOMEM, "out of memory")
                      : -EIO;
    }
    sqlite3_bind_int64(st, 1, series_id);
    rc = tc_rec__collect(db, st, sizeof(struct tc_rec_imaging_instance),
                         read_instance, &items, &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_imaging_instance_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

int
tc_rec_imaging_report_versions(struct tc_rec_db *db, int64_t study_id,
                               struct tc_rec_imaging_report_list **out)
{
    struct tc_rec_imaging_report_list *list;
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
    rc = tc_rec__collect(db, st, sizeof(struct tc_rec_imaging_report),
                         read_report, &items, &list->count);
    list->items = items;
    if (rc == 0 && list->count == 0) {
        rc = tc_rec__fail(db, -ENOENT, "report: imaging study %lld has none",
                          (long long)study_id);
    }
    if (rc < 0) {
        tc_rec_imaging_report_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

int
tc_rec_imaging_worklist(struct tc_rec_db *db, int64_t radiologist_id,
                        bool include_unassigned,
                        struct tc_rec_imaging_study_list **out)
{
    struct tc_rec_imaging_study_list *list;
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    tc_rec__ok(db);
    st =
        tc_rec__stmt(db, SELECT_STUDY
                     " WHERE (s.status = 'assigned' AND s.radiologist_id = ?1)"
                     " OR (?2 AND s.status = 'received'"
                     " AND s.resident_id IS NOT NULL)"
                     " ORDER BY s.received_at_us, s.id");
    list = calloc(1, sizeof(*list));
    if (!st || !list) {
        free(list);
        return st ? tc_rec__fail(db, -ENOMEM, "out of memory") : -EIO;
    }
    sqlite3_bind_int64(st, 1, radiologist_id);
    sqlite3_bind_int(st, 2, include_unassigned);
    rc = tc_rec__collect(db, st, sizeof(struct tc_rec_imaging_study),
                         read_study, &items, &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_imaging_study_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}
