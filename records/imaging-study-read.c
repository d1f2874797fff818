// SPDX-License-Identifier: Apache-2.0
/*
 * imaging-study-read.c - reading imaging studies: one study with its series
 * (and their instance counts) and latest report, the instances of a
 * series, every version of a report, the reporting worklist (urgent
 * reading requests first), the reconciliation list, QIDO-RS searches and
 * the studies whose reading a doctor requested.
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
    " ON r.id = i.series_id WHERE r.study_id = s.id),"                        \
    " s.patient_dicom_id, s.patient_name, s.patient_birth_date,"              \
    " s.patient_sex, s.study_time, replace((SELECT group_concat(DISTINCT"     \
    " modality) FROM imaging_series WHERE study_id = s.id), ',', '\\'),"      \
    " rr.requested_by, coalesce(rr.urgent, 0),"                               \
    " (SELECT count(*) FROM imaging_instance_conflicts c JOIN"                \
    " imaging_instances i ON i.id = c.instance_id JOIN imaging_series r"      \
    " ON r.id = i.series_id WHERE r.study_id = s.id)"                         \
    " FROM imaging_studies s LEFT JOIN imaging_reading_requests rr"           \
    " ON rr.study_id = s.id"

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
    s->patient_dicom_id = tc_rec__col_text(st, 13, &oom);
    s->patient_name = tc_rec__col_text(st, 14, &oom);
    s->patient_birth_date = tc_rec__col_text(st, 15, &oom);
    s->patient_sex = tc_rec__col_text(st, 16, &oom);
    s->study_time = tc_rec__col_text(st, 17, &oom);
    s->modalities = tc_rec__col_text(st, 18, &oom);
    s->requested_by = sqlite3_column_int64(st, 19);
    s->urgent = sqlite3_column_int(st, 20) != 0;
    s->n_conflicts = sqlite3_column_int(st, 21);
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
    i->transfer_syntax = tc_rec__col_text(st, 7, &oom);
    i->instance_number = sqlite3_column_int(st, 8);
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
    free(s->patient_dicom_id);
    free(s->patient_name);
    free(s->patient_birth_date);
    free(s->patient_sex);
    free(s->study_time);
    free(s->modalities);
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
        free(list->items[i].transfer_syntax);
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
                                    " size_bytes, received_at_us,"
                                    " transfer_syntax, instance_number"
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
                     " ORDER BY coalesce(rr.urgent, 0) DESC,"
                     " s.received_at_us, s.id");
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

/* A list of studies from a prepared, bound statement. */
static int
study_list(struct tc_rec_db *db, sqlite3_stmt *st,
           struct tc_rec_imaging_study_list **out)
{
    struct tc_rec_imaging_study_list *list = calloc(1, sizeof(*list));
    void *items = NULL;
    int rc;

    if (!list) {
        sqlite3_reset(st);
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
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

int
tc_rec_imaging_unmatched(struct tc_rec_db *db, int limit,
                         struct tc_rec_imaging_study_list **out)
{
    sqlite3_stmt *st;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, SELECT_STUDY " WHERE s.resident_id IS NULL"
                                       " ORDER BY s.received_at_us, s.id"
                                       " LIMIT ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int(st, 1, limit > 0 ? limit : 100);
    return study_list(db, st, out);
}

int
tc_rec_imaging_query(struct tc_rec_db *db,
                     const struct tc_rec_imaging_query *q,
                     struct tc_rec_imaging_study_list **out)
{
    sqlite3_stmt *st;

    tc_rec__ok(db);
    if (q->limit < 1 || q->limit > 1000 || q->offset < 0) {
        return tc_rec__fail(db, -EINVAL, "limit: 1..1000; offset: 0 or more");
    }
    if ((q->date_from && !tc_rec__date_valid(q->date_from)) ||
        (q->date_to && !tc_rec__date_valid(q->date_to))) {
        return tc_rec__fail(db, -EINVAL, "StudyDate: not a date range");
    }
    st = tc_rec__stmt(
        db, SELECT_STUDY
        " WHERE (?1 IS NULL OR s.study_uid = ?1)"
        " AND (?2 IS NULL OR s.patient_dicom_id = ?2)"
        " AND (?3 IS NULL OR s.study_date >= ?3)"
        " AND (?4 IS NULL OR s.study_date <= ?4)"
        " AND (?5 IS NULL OR EXISTS (SELECT 1 FROM imaging_series x"
        " WHERE x.study_id = s.id AND x.modality = ?5))"
        " ORDER BY s.received_at_us DESC, s.id DESC LIMIT ?6 OFFSET ?7");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, q->study_uid);
    tc_rec__bind_text(st, 2, q->patient_dicom_id);
    tc_rec__bind_text(st, 3, q->date_from);
    tc_rec__bind_text(st, 4, q->date_to);
    tc_rec__bind_text(st, 5, q->modality);
    sqlite3_bind_int(st, 6, q->limit);
    sqlite3_bind_int(st, 7, q->offset);
    return study_list(db, st, out);
}

int
tc_rec_imaging_requested_by(struct tc_rec_db *db, int64_t practitioner_id,
                            struct tc_rec_imaging_study_list **out)
{
    sqlite3_stmt *st;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, SELECT_STUDY " WHERE rr.requested_by = ?"
                                       " ORDER BY rr.requested_at_us DESC,"
                                       " s.id DESC");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, practitioner_id);
    return study_list(db, st, out);
}

int
tc_rec_imaging_series_find(struct tc_rec_db *db, int64_t study_id,
                           const char *series_uid, int64_t *id_out)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT id FROM imaging_series"
                          " WHERE study_id = ? AND series_uid = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, study_id);
    tc_rec__bind_text(st, 2, series_uid);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id_out = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        return tc_rec__fail(db, -ENOENT,
                            "series_uid: no such series in "
                            "the study");
    }
    return rc == SQLITE_ROW ? 0 : tc_rec__fail_sql(db, rc, "series");
}

static void
instance_free(void *item)
{
    struct tc_rec_imaging_instance *i = item;

    if (i) {
        free(i->sop_instance_uid);
        free(i->sop_class_uid);
        free(i->storage_path);
        free(i->sha256);
        free(i->transfer_syntax);
        free(i);
    }
}

void
tc_rec_imaging_instance_free(struct tc_rec_imaging_instance *i)
{
    instance_free(i);
}

int
tc_rec_imaging_instance_get(struct tc_rec_db *db, int64_t series_id,
                            const char *sop_instance_uid,
                            struct tc_rec_imaging_instance **out)
{
    sqlite3_stmt *st;
    void *item = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT id, sop_instance_uid, sop_class_uid,"
                          " storage_path, sha256, size_bytes,"
                          " received_at_us, transfer_syntax,"
                          " instance_number FROM imaging_instances"
                          " WHERE series_id = ? AND sop_instance_uid = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, series_id);
    tc_rec__bind_text(st, 2, sop_instance_uid);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_imaging_instance),
                       read_instance, instance_free, &item);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, -ENOENT,
                            "sop_instance_uid: no such "
                            "instance in the series");
    }
    if (rc == 0) {
        *out = item;
    }
    return rc;
}
