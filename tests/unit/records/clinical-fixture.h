/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clinical-fixture.h - the parent rows the clinical tests need, written with
 * raw SQL on a second connection to the same file (so these tests do not
 * depend on the core C API), and a dump of every table to show that a
 * refused call wrote nothing.
 *
 * Header-only, like tc-test.h: each test program is one translation unit.
 * Single-threaded.
 */
#ifndef TC_CLINICAL_FIXTURE_H
#define TC_CLINICAL_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tc-records.h"
#include "tc-test.h"

/* The people and places of a small county. */
struct fixture {
    struct tc_rec_db *db;
    sqlite3 *raw;
    char *path;
    int64_t county;    /* county hospital */
    int64_t clinic;    /* township clinic */
    int64_t city;      /* partner city hospital */
    int64_t doctor;    /* family doctor at the clinic */
    int64_t therapist; /* therapist at the county hospital */
    int64_t therapist2;
    int64_t specialist; /* cardiologist at the city hospital */
    int64_t reader;     /* ECG reader */
    int64_t radiologist;
    int64_t resident;         /* active contract with disability_rehab */
    int64_t resident_basic;   /* active contract, basic package only */
    int64_t resident_offered; /* contract offered, not signed */
    int64_t carer;            /* acts for `resident` */
    int64_t stranger_carer;   /* acts for nobody here */
    int64_t team;
    int64_t contract; /* resident's: 2026-01-01..2026-12-31 */
    int64_t contract_basic;
    int64_t contract_offered;
};

static char fixture_dir[] = "/tmp/tc-test-clinical-XXXXXX";

/* Microseconds at hh:00 UTC of a YYYY-MM-DD day. */
static inline int64_t
us_at(const char *date, int hour)
{
    struct tm tm = {0};

    tm.tm_year = atoi(date) - 1900;
    tm.tm_mon = atoi(date + 5) - 1;
    tm.tm_mday = atoi(date + 8);
    tm.tm_hour = hour;
    return (int64_t)timegm(&tm) * 1000000;
}

static inline void
raw_exec(struct fixture *f, const char *sql)
{
    char *err = NULL;

    if (sqlite3_exec(f->raw, sql, NULL, NULL, &err) != SQLITE_OK) {
        printf("# fixture SQL failed: %s\n# %s\n", err, sql);
        sqlite3_free(err);
        abort();
    }
}

/* Run one INSERT and return its row id. */
static inline int64_t
raw_insert(struct fixture *f, const char *sql)
{
    raw_exec(f, sql);
    return sqlite3_last_insert_rowid(f->raw);
}

static inline int64_t
raw_int(struct fixture *f, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;

    if (sqlite3_prepare_v2(f->raw, sql, -1, &st, NULL) != SQLITE_OK) {
        printf("# fixture query failed: %s\n", sqlite3_errmsg(f->raw));
        abort();
    }
    if (sqlite3_step(st) == SQLITE_ROW) {
        v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return v;
}

static inline void
fixture_people(struct fixture *f)
{
    char sql[256];

    f->county = raw_insert(f, "INSERT INTO organizations (kind, name, "
                              "created_at_us) VALUES ('county_hospital', "
                              "'County Hospital', 1)");
    f->clinic = raw_insert(f, "INSERT INTO organizations (kind, name, "
                              "township, created_at_us) VALUES "
                              "('township_clinic', 'East Clinic', 'East', 1)");
    f->city = raw_insert(f, "INSERT INTO organizations (kind, name, "
                            "created_at_us) VALUES ('city_hospital', "
                            "'City Hospital', 1)");
    f->doctor = raw_insert(f, "INSERT INTO practitioners (name, "
                              "created_at_us) VALUES ('Dr Family', 1)");
    f->therapist = raw_insert(f, "INSERT INTO practitioners (name, "
                                 "created_at_us) VALUES ('Therapist A', 1)");
    f->therapist2 = raw_insert(f, "INSERT INTO practitioners (name, "
                                  "created_at_us) VALUES ('Therapist B', 1)");
    f->specialist = raw_insert(f, "INSERT INTO practitioners (name, "
                                  "created_at_us) VALUES ('Dr Heart', 1)");
    f->reader = raw_insert(f, "INSERT INTO practitioners (name, "
                              "created_at_us) VALUES ('ECG Reader', 1)");
    f->radiologist = raw_insert(f, "INSERT INTO practitioners (name, "
                                   "created_at_us) VALUES ('Dr Ray', 1)");
    snprintf(sql, sizeof(sql),
             "INSERT INTO practitioner_roles (practitioner_id, "
             "organization_id, role) VALUES (%lld, %lld, 'specialist')",
             (long long)f->specialist, (long long)f->city);
    raw_exec(f, sql);
    snprintf(sql, sizeof(sql),
             "INSERT INTO teams (organization_id, name, created_at_us) "
             "VALUES (%lld, 'East team 1', 1)",
             (long long)f->clinic);
    f->team = raw_insert(f, sql);
}

static inline int64_t
fixture_resident(struct fixture *f, const char *id_number)
{
    char sql[512];

    snprintf(sql, sizeof(sql),
             "INSERT INTO residents (id_number, name, sex, birth_date, "
             "township, created_at_us) VALUES ('%s', 'Resident', 'female', "
             "'1949-12-31', 'East', 1)",
             id_number);
    return raw_insert(f, sql);
}

static inline int64_t
fixture_contract(struct fixture *f, int64_t resident, const char *status,
                 const char *packages)
{
    char sql[512];
    int64_t id;

    snprintf(sql, sizeof(sql),
             "INSERT INTO contracts (resident_id, team_id, status, "
             "period_start, period_end, offered_by, offered_at_us) VALUES "
             "(%lld, %lld, '%s', '2026-01-01', '2026-12-31', %lld, 1)",
             (long long)resident, (long long)f->team, status,
             (long long)f->doctor);
    id = raw_insert(f, sql);
    snprintf(sql, sizeof(sql),
             "INSERT INTO contract_packages (contract_id, package) "
             "SELECT %lld, value FROM json_each('[%s]')",
             (long long)id, packages);
    raw_exec(f, sql);
    return id;
}

static inline void
fixture_link_carer(struct fixture *f)
{
    char sql[256];

    snprintf(sql, sizeof(sql),
             "INSERT INTO resident_carers (resident_id, carer_id, "
             "relationship) VALUES (%lld, %lld, 'daughter')",
             (long long)f->resident, (long long)f->carer);
    raw_exec(f, sql);
}

/* Open a fresh database `name` in the test directory with every parent
 * row; aborts on failure (nothing can be tested without it). */
static inline void
fixture_open(struct fixture *f, const char *name)
{
    memset(f, 0, sizeof(*f));
    if (asprintf(&f->path, "%s/%s", fixture_dir, name) < 0) {
        abort();
    }
    unlink(f->path);
    if (tc_rec_open(f->path, &f->db) != 0 ||
        sqlite3_open(f->path, &f->raw) != SQLITE_OK) {
        printf("# cannot open %s\n", f->path);
        abort();
    }
    sqlite3_busy_timeout(f->raw, 5000);
    fixture_people(f);
    f->resident = fixture_resident(f, "11010519491231002X");
    f->resident_basic = fixture_resident(f, "110105194912310029");
    f->resident_offered = fixture_resident(f, "110105194912310037");
    f->carer = raw_insert(f, "INSERT INTO carers (name, created_at_us) "
                             "VALUES ('Daughter', 1)");
    f->stranger_carer = raw_insert(f, "INSERT INTO carers (name, "
                                      "created_at_us) VALUES ('Other', 1)");
    fixture_link_carer(f);
    f->contract = fixture_contract(f, f->resident, "active",
                                   "\"basic\",\"disability_rehab\"");
    f->contract_basic =
        fixture_contract(f, f->resident_basic, "active", "\"basic\"");
    f->contract_offered = fixture_contract(f, f->resident_offered, "offered",
                                           "\"basic\",\"disability_rehab\"");
}

static inline void
fixture_close(struct fixture *f)
{
    tc_rec_close(f->db);
    sqlite3_close(f->raw);
    free(f->path);
}

/* Every row of every table, as text: equal dumps mean nothing was
 * written. The caller frees the result. */
static inline char *
fixture_dump(struct fixture *f)
{
    sqlite3_stmt *tables, *rows;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);

    sqlite3_prepare_v2(f->raw,
                       "SELECT name FROM sqlite_schema WHERE type = 'table'"
                       " AND name NOT LIKE 'sqlite_%' ORDER BY name",
                       -1, &tables, NULL);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        char sql[256];
        const char *name = (const char *)sqlite3_column_text(tables, 0);
        snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", name);
        fprintf(out, "[%s]\n", name);
        sqlite3_prepare_v2(f->raw, sql, -1, &rows, NULL);
        while (sqlite3_step(rows) == SQLITE_ROW) {
            for (int i = 0; i < sqlite3_column_count(rows); i++) {
                const unsigned char *v = sqlite3_column_text(rows, i);
                fprintf(out, "%s|", v ? (const char *)v : "NULL");
            }
            fputc('\n', out);
        }
        sqlite3_finalize(rows);
    }
    sqlite3_finalize(tables);
    fclose(out);
    return buf;
}

/* Check that the database is byte-for-byte the dump `before`, then free
 * it. */
#define TC_CHECK_UNCHANGED(f, before)                                         \
    do {                                                                      \
        char *tc_after_ = fixture_dump(f);                                    \
        if (strcmp((before), tc_after_) != 0) {                               \
            TC_FAIL_("a refused call wrote to the database");                 \
        }                                                                     \
        free(tc_after_);                                                      \
        free(before);                                                         \
    } while (0)

/* ---- rehab plans for the rehab tests ---- */

#define PLAN_T0 us_at("2026-03-02", 9)

/* A plan of f->resident, 2026-03-01..2026-08-31, under its contract. */
static inline struct tc_rec_rehab_plan_new
plan_new(struct fixture *f, const int64_t *therapists)
{
    struct tc_rec_rehab_plan_new in = {
        .resident_id = f->resident,
        .contract_id = f->contract,
        .title = "Walking after stroke",
        .period_start = "2026-03-01",
        .period_end = "2026-08-31",
        .therapist_ids = therapists,
        .n_therapists = 1,
        .created_by = f->therapist,
        .created_at_us = PLAN_T0,
    };
    return in;
}

/* Three sets of ten, three times a week. */
static inline struct tc_rec_rehab_exercise_new
sit_to_stand(void)
{
    struct tc_rec_rehab_exercise_new ex = {
        .name = "Sit to stand",
        .instructions = "Stand up from a chair without using the arms.\n"
                        "Sit down slowly.",
        .video_ref = "videos/sit-to-stand.webm",
        .sets = 3,
        .reps = 10,
        .sessions_per_week = 3,
    };
    return ex;
}

/* A plan of f->resident with one exercise, in status `status`. */
static inline int64_t
plan_in(struct fixture *f, enum tc_rec_rehab_plan_status status)
{
    struct tc_rec_rehab_plan_new in = plan_new(f, &f->therapist);
    struct tc_rec_rehab_exercise_new ex = sit_to_stand();
    int64_t id = 0, ex_id;

    if (tc_rec_rehab_plan_create(f->db, &in, &id) != 0 ||
        tc_rec_rehab_exercise_add(f->db, id, &ex, &ex_id) != 0) {
        printf("# plan_in: %s\n", tc_rec_errmsg(f->db));
        abort();
    }
    switch (status) {
    case TC_REC_REHAB_PLAN_DRAFT:
        break;
    case TC_REC_REHAB_PLAN_CANCELLED:
        tc_rec_rehab_plan_cancel(f->db, id, f->therapist, PLAN_T0,
                                 "moved away");
        break;
    default:
        tc_rec_rehab_plan_activate(f->db, id, f->therapist, PLAN_T0);
        if (status == TC_REC_REHAB_PLAN_SUSPENDED) {
            tc_rec_rehab_plan_suspend(f->db, id, f->therapist, PLAN_T0,
                                      "in hospital");
        } else if (status == TC_REC_REHAB_PLAN_COMPLETED) {
            tc_rec_rehab_plan_complete(f->db, id, f->therapist, PLAN_T0);
        }
    }
    return id;
}

static inline int
fixture_main_begin(void)
{
    if (!mkdtemp(fixture_dir)) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

/* Print the plan; remove the directory only when everything passed. */
static inline int
fixture_main_end(void)
{
    if (tc_done() == 0) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", fixture_dir);
        return system(cmd) == 0 ? 0 : 1;
    }
    return 1;
}

#endif
