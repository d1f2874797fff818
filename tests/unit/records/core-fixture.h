/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core-fixture.h - shared by the unit tests of the core records modules
 * (organizations, residents, contracts, audit): a fresh database per test
 * in one temp directory, a raw SQLite view of it for counting and dumping
 * rows, and builders for the records most tests need.
 *
 * Header-only like tc-test.h; single-threaded.
 */
#ifndef TC_CORE_FIXTURE_H
#define TC_CORE_FIXTURE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tc-records.h"
#include "tc-test.h"

static char fx_dir[] = "/tmp/tc-test-core-XXXXXX";
static int fx_n_dbs;
static char fx_path[512];

/* Copy the migrated, empty template (made once by fx_init) to `path`:
 * much faster than migrating a new file for every test. */
static inline void
fx_copy_template(const char *path)
{
    char tmpl[512], buf[65536];
    FILE *in, *out;
    size_t n;

    snprintf(tmpl, sizeof(tmpl), "%s/template.db", fx_dir);
    in = fopen(tmpl, "rb");
    out = fopen(path, "wb");
    if (!in || !out) {
        abort();
    }
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        if (fwrite(buf, 1, n, out) != n) {
            abort();
        }
    }
    fclose(in);
    fclose(out);
}

/* Open a new, empty database; fx_path names its file. */
static inline struct tc_rec_db *
fx_open(void)
{
    struct tc_rec_db *db = NULL;

    snprintf(fx_path, sizeof(fx_path), "%s/%d.db", fx_dir, ++fx_n_dbs);
    fx_copy_template(fx_path);
    if (tc_rec_open(fx_path, &db) != 0) {
        printf("# cannot open %s\n", fx_path);
        abort();
    }
    return db;
}

/* The single integer the query `sql` answers, read over a raw
 * connection to the current database. */
static inline long long
fx_count(const char *sql)
{
    sqlite3 *raw;
    sqlite3_stmt *st;
    long long n = -1;

    if (sqlite3_open(fx_path, &raw) != SQLITE_OK) {
        abort();
    }
    if (sqlite3_prepare_v2(raw, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(raw);
    return n;
}

/* Every row of the core tables as text, to prove a refused call wrote
 * nothing (compare a dump before and after). The caller frees it. */
static inline char *
fx_dump(void)
{
    static const char *const tables[] = {
        "organizations",
        "practitioners",
        "practitioner_roles",
        "teams",
        "team_members",
        "residents",
        "carers",
        "resident_carers",
        "contracts",
        "contract_packages",
        "followups",
        "audit_events",
    };
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    sqlite3 *raw;

    if (!f || sqlite3_open(fx_path, &raw) != SQLITE_OK) {
        abort();
    }
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        char sql[128];
        sqlite3_stmt *st;
        snprintf(sql, sizeof(sql), "SELECT * FROM %s", tables[t]);
        if (sqlite3_prepare_v2(raw, sql, -1, &st, NULL) != SQLITE_OK) {
            abort();
        }
        fprintf(f, "[%s]\n", tables[t]);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const unsigned char *v = sqlite3_column_text(st, c);
                fprintf(f, "%s|", v ? (const char *)v : "NULL");
            }
            fputc('\n', f);
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(raw);
    fclose(f);
    return buf;
}

/* Microseconds at noon UTC of a "YYYY-MM-DD" date. */
static inline int64_t
fx_us(const char *date)
{
    struct tm tm = {0};

    tm.tm_year = atoi(date) - 1900;
    tm.tm_mon = atoi(date + 5) - 1;
    tm.tm_mday = atoi(date + 8);
    tm.tm_hour = 12;
    return (int64_t)timegm(&tm) * 1000000;
}

static inline int64_t
fx_org(struct tc_rec_db *db, enum tc_rec_org_kind kind, const char *name,
       int64_t part_of)
{
    struct tc_rec_organization org = {
        .kind = kind,
        .name = (char *)name,
        .part_of = part_of,
        .township = "Qiaotou",
        .created_at_us = fx_us("2024-06-01"),
    };
    int64_t id = 0;

    if (tc_rec_organization_create(db, &org, &id) != 0) {
        printf("# fx_org: %s\n", tc_rec_errmsg(db));
        abort();
    }
    return id;
}

static inline int64_t
fx_practitioner(struct tc_rec_db *db, const char *name)
{
    struct tc_rec_practitioner p = {
        .name = (char *)name,
        .created_at_us = fx_us("2024-06-01"),
    };
    int64_t id = 0;

    if (tc_rec_practitioner_create(db, &p, &id) != 0) {
        printf("# fx_practitioner: %s\n", tc_rec_errmsg(db));
        abort();
    }
    return id;
}

static inline int64_t
fx_team(struct tc_rec_db *db, int64_t clinic_id, const char *name)
{
    struct tc_rec_team team = {
        .organization_id = clinic_id,
        .name = (char *)name,
        .created_at_us = fx_us("2024-06-01"),
    };
    int64_t id = 0;

    if (tc_rec_team_create(db, &team, &id) != 0) {
        printf("# fx_team: %s\n", tc_rec_errmsg(db));
        abort();
    }
    return id;
}

/* A resident whose birth date and sex are read from a valid ID number. */
static inline int64_t
fx_resident(struct tc_rec_db *db, const char *id_number, const char *name,
            const char *village)
{
    struct tc_rec_resident r = {
        .id_number = (char *)id_number,
        .name = (char *)name,
        .township = "Qiaotou",
        .village = (char *)village,
        .created_at_us = fx_us("2024-06-01"),
    };
    char birth[11];
    int64_t id = 0;

    if (tc_rec_resident_id_decode(id_number, birth, &r.sex) != 0) {
        printf("# fx_resident: invalid test ID number %s\n", id_number);
        abort();
    }
    r.birth_date = birth;
    if (tc_rec_resident_create(db, &r, &id) != 0) {
        printf("# fx_resident: %s\n", tc_rec_errmsg(db));
        abort();
    }
    return id;
}

/* ---- A small county for the contract and panel tests ---- */

#define BASIC    TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_BASIC)
#define REHAB    TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_DISABILITY_REHAB)
#define ELDERLY  TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_ELDERLY_CARE)
#define CHRONIC  TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_CHRONIC_DISEASE)
#define MATERNAL TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_MATERNAL_CHILD)

static inline const char *
fx_id(int i)
{
    static const char *const ids[] = {
        "330723195010181434", "330723195810166507", "33072319720220023X",
        "33072319880809574X", "330723194904234916", "33072319690916416X",
        "330723197503086602", "330723194409137692", "330723193511250750",
        "33072319451002318X", "330723198401278966", "330723195208207468",
    };

    return ids[i];
}

/* A county with one clinic, two teams, a doctor on team 1, a nurse on
 * team 2, and residents[i] registered from ids[i]. */
struct fx_world {
    struct tc_rec_db *db;
    int64_t team1, team2, doctor, nurse2, outsider;
    int64_t residents[12];
};

static inline void
fx_world_init(struct fx_world *w)
{
    int64_t county, clinic;

    w->db = fx_open();
    county = fx_org(w->db, TC_REC_ORG_COUNTY_HOSPITAL, "County Hospital", 0);
    clinic =
        fx_org(w->db, TC_REC_ORG_TOWNSHIP_CLINIC, "Qiaotou Clinic", county);
    w->team1 = fx_team(w->db, clinic, "Team East");
    w->team2 = fx_team(w->db, clinic, "Team West");
    w->doctor = fx_practitioner(w->db, "Dr Wang");
    w->nurse2 = fx_practitioner(w->db, "Nurse Li");
    w->outsider = fx_practitioner(w->db, "Dr Zhao");
    tc_rec_team_member_add(w->db, w->team1, w->doctor, TC_REC_MEMBER_DOCTOR);
    tc_rec_team_member_add(w->db, w->team2, w->nurse2, TC_REC_MEMBER_NURSE);
    for (int i = 0; i < 12; i++) {
        w->residents[i] = fx_resident(w->db, fx_id(i), "Resident", "Dongcun");
    }
}

static inline int64_t
fx_offer(struct fx_world *w, int r, int64_t team, unsigned packages,
         const char *start)
{
    struct tc_rec_contract_offer o = {
        .resident_id = w->residents[r],
        .team_id = team,
        .packages = packages,
        .period_start = start,
        .offered_by = w->doctor,
        .offered_at_us = fx_us(start),
    };
    int64_t id = 0;

    if (tc_rec_contract_offer(w->db, &o, &id) != 0) {
        printf("# offer: %s\n", tc_rec_errmsg(w->db));
    }
    return id;
}

static inline int
fx_sign(struct fx_world *w, int64_t contract, int64_t by, const char *on)
{
    struct tc_rec_contract_signature sig = {
        .signed_by = by,
        .signed_at_us = fx_us(on),
        .method = TC_REC_SIGN_IN_PERSON,
    };

    return tc_rec_contract_sign(w->db, contract, &sig);
}

/* An active basic contract for residents[r] with team 1 from `start`. */
static inline int64_t
fx_active(struct fx_world *w, int r, unsigned packages, const char *start)
{
    int64_t id = fx_offer(w, r, w->team1, packages, start);

    if (fx_sign(w, id, w->doctor, start) != 0) {
        printf("# sign: %s\n", tc_rec_errmsg(w->db));
    }
    return id;
}

static inline enum tc_rec_contract_status
fx_status_of(struct fx_world *w, int64_t id)
{
    struct tc_rec_contract *c = NULL;
    enum tc_rec_contract_status s = 0;

    if (tc_rec_contract_get(w->db, id, &c) == 0) {
        s = c->status;
    }
    tc_rec_contract_free(c);
    return s;
}

/* Print the plan, remove the temp directory when every test passed. */
static inline int
fx_done(void)
{
    char cmd[128];

    if (tc_done() != 0) {
        printf("# databases kept in %s\n", fx_dir);
        return 1;
    }
    snprintf(cmd, sizeof(cmd), "rm -rf %s", fx_dir);
    return system(cmd) == 0 ? 0 : 1;
}

static inline int
fx_init(void)
{
    struct tc_rec_db *db = NULL;
    char tmpl[512];

    if (!mkdtemp(fx_dir)) {
        perror("mkdtemp");
        return -1;
    }
    snprintf(tmpl, sizeof(tmpl), "%s/template.db", fx_dir);
    if (tc_rec_open(tmpl, &db) != 0) {
        printf("# cannot create %s\n", tmpl);
        return -1;
    }
    tc_rec_close(db); /* checkpoints: the file alone is the database */
    return 0;
}

#endif
