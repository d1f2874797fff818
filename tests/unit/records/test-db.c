// SPDX-License-Identifier: Apache-2.0
/*
 * test-db.c - the records handle: open and migrate, refusals of foreign and
 * newer files, transactions, online backup.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tc-records.h"
#include "tc-test.h"

static char dir[] = "/tmp/tc-test-db-XXXXXX";

static char *
path_in_dir(const char *name)
{
    char *p;

    if (asprintf(&p, "%s/%s", dir, name) < 0) {
        abort();
    }
    unlink(p);
    return p;
}

static void
test_open_creates_latest_schema(void)
{
    char *path = path_in_dir("new.db");
    struct tc_rec_db *db = NULL;
    int version = -1;

    TC_CHECK_EQ(tc_rec_open(path, &db), 0);
    TC_REQUIRE(db);
    TC_CHECK_EQ(tc_rec_schema_version(db, &version), 0);
    TC_CHECK_EQ(version, tc_rec_schema_version_latest());
    TC_CHECK_EQ(tc_rec_ping(db), 0);
    tc_rec_close(db);

    /* A second open of a migrated file changes nothing and succeeds. */
    db = NULL;
    TC_CHECK_EQ(tc_rec_open(path, &db), 0);
    TC_CHECK_EQ(tc_rec_schema_version(db, &version), 0);
    TC_CHECK_EQ(version, tc_rec_schema_version_latest());
    tc_rec_close(db);
    free(path);
}

static void
test_newer_schema_is_refused(void)
{
    char *path = path_in_dir("newer.db");
    struct tc_rec_db *db = NULL, *untouched = (struct tc_rec_db *)0x1;
    sqlite3 *raw;
    char *err = NULL;
    char pragma[64];

    TC_CHECK_EQ(tc_rec_open(path, &db), 0);
    tc_rec_close(db);
    TC_REQUIRE(sqlite3_open(path, &raw) == SQLITE_OK);
    snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
             tc_rec_schema_version_latest() + 1);
    TC_CHECK_EQ(sqlite3_exec(raw, pragma, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);

    TC_CHECK_EQ(tc_rec_open_error(path, &untouched, &err), -EPROTONOSUPPORT);
    TC_CHECK(untouched == (struct tc_rec_db *)0x1);
    TC_CHECK_STR_CONTAINS(err, "newer than this telecare");
    free(err);
    free(path);
}

static void
test_foreign_database_is_refused(void)
{
    char *path = path_in_dir("foreign.db");
    struct tc_rec_db *db = NULL;
    sqlite3 *raw;
    char *err = NULL;

    TC_REQUIRE(sqlite3_open(path, &raw) == SQLITE_OK);
    TC_CHECK_EQ(sqlite3_exec(raw, "CREATE TABLE t(x)", NULL, NULL, NULL),
                SQLITE_OK);
    sqlite3_close(raw);
    TC_CHECK_EQ(tc_rec_open_error(path, &db, &err), -EBADMSG);
    TC_CHECK(db == NULL);
    TC_CHECK_STR_CONTAINS(err, "not a telecare database");
    free(err);
    free(path);
}

static void
test_garbage_file_is_refused(void)
{
    char *path = path_in_dir("garbage.db");
    struct tc_rec_db *db = NULL;
    FILE *f = fopen(path, "w");

    TC_REQUIRE(f);
    for (int i = 0; i < 512; i++) {
        fputs("this is not sqlite ", f);
    }
    fclose(f);
    TC_CHECK_EQ(tc_rec_open(path, &db), -EBADMSG);
    TC_CHECK(db == NULL);
    free(path);
}

static void
test_backup_copies_a_database_in_use(void)
{
    char *path = path_in_dir("live.db");
    char *copy = path_in_dir("copy.db");
    struct tc_rec_db *db = NULL, *db2 = NULL;
    int version = 0;

    sqlite3 *other = NULL, *check = NULL;

    TC_REQUIRE(tc_rec_open(path, &db) == 0);
    /* Several times the backup's 256-page step (about 3 MB), written and
     * held open by another connection: the copy must hold all of it. */
    TC_REQUIRE(sqlite3_open(path, &other) == SQLITE_OK);
    TC_REQUIRE(sqlite3_exec(other,
                            "CREATE TABLE bulk(n INTEGER PRIMARY KEY, b BLOB);"
                            "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL"
                            " SELECT n + 1 FROM k WHERE n < 3000)"
                            " INSERT INTO bulk SELECT n, randomblob(1000)"
                            " FROM k;",
                            NULL, NULL, NULL) == SQLITE_OK);
    TC_CHECK_EQ(tc_rec_backup(db, copy), 0);
    /* The destination must not exist: a backup never overwrites. */
    TC_CHECK_EQ(tc_rec_backup(db, copy), -EEXIST);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "already exists");
    TC_CHECK_EQ(tc_rec_open(copy, &db2), 0);
    TC_CHECK_EQ(tc_rec_schema_version(db2, &version), 0);
    TC_CHECK_EQ(version, tc_rec_schema_version_latest());
    tc_rec_close(db2);
    /* the same rows, byte for byte, and an intact file */
    TC_REQUIRE(sqlite3_open(copy, &check) == SQLITE_OK);
    {
        char *sql = sqlite3_mprintf(
            "ATTACH DATABASE %Q AS live;"
            "CREATE TEMP TABLE diff AS SELECT * FROM main.bulk EXCEPT"
            " SELECT * FROM live.bulk;"
            "INSERT INTO temp.diff SELECT * FROM live.bulk EXCEPT"
            " SELECT * FROM main.bulk;",
            path);
        sqlite3_stmt *st = NULL;
        TC_CHECK_EQ(sqlite3_exec(check, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_free(sql);
        TC_CHECK_EQ(
            sqlite3_prepare_v2(check,
                               "SELECT (SELECT count(*) FROM temp.diff),"
                               " (SELECT count(*) FROM main.bulk),"
                               " (SELECT integrity_check FROM"
                               "  pragma_integrity_check)",
                               -1, &st, NULL),
            SQLITE_OK);
        if (st && sqlite3_step(st) == SQLITE_ROW) {
            TC_CHECK_EQ(sqlite3_column_int64(st, 0), 0);
            TC_CHECK_EQ(sqlite3_column_int64(st, 1), 3000);
            TC_CHECK_STR_EQ((const char *)sqlite3_column_text(st, 2), "ok");
        } else {
            TC_FAIL_("the copy cannot be compared: %s", sqlite3_errmsg(check));
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(check);
    sqlite3_close(other);
    tc_rec_close(db);
    free(path);
    free(copy);
}

static void
test_transactions_nest_and_roll_back(void)
{
    char *path = path_in_dir("tx.db");
    struct tc_rec_db *db = NULL;

    TC_REQUIRE(tc_rec_open(path, &db) == 0);
    TC_CHECK_EQ(tc_rec_tx_commit(db), -EINVAL);
    TC_CHECK_EQ(tc_rec_tx_begin(db), 0);
    TC_CHECK_EQ(tc_rec_tx_begin(db), 0);
    TC_CHECK_EQ(tc_rec_tx_rollback(db), 0);
    TC_CHECK_EQ(tc_rec_tx_commit(db), 0);
    TC_CHECK_EQ(tc_rec_tx_rollback(db), -EINVAL);
    tc_rec_close(db);
    free(path);
}

/* tc_rec_checksum() sees every row and value, and nothing a rollback
 * undid; tc_rec_total_changes() counts rolled-back writes too. */
static void
test_checksum_sees_rows_not_rolled_back_ones(void)
{
    struct tc_rec_db *db = NULL;
    struct tc_rec_organization org = {.kind = TC_REC_ORG_COUNTY_HOSPITAL,
                                      .name = "County",
                                      .created_at_us = 1};
    uint64_t empty = 0, county = 0, sum = 0;
    int64_t id = 0, changes;

    TC_REQUIRE(tc_rec_open(":memory:", &db) == 0);
    TC_CHECK_EQ(tc_rec_checksum(db, &empty), 0);
    changes = tc_rec_total_changes(db);
    TC_CHECK_EQ(tc_rec_tx_begin(db), 0);
    TC_CHECK_EQ(tc_rec_organization_create(db, &org, &id), 0);
    TC_CHECK_EQ(tc_rec_checksum(db, &county), 0);
    TC_CHECK(county != empty);
    TC_CHECK_EQ(tc_rec_tx_rollback(db), 0);
    TC_CHECK(tc_rec_total_changes(db) > changes);
    TC_CHECK_EQ(tc_rec_checksum(db, &sum), 0);
    TC_CHECK(sum == empty);
    /* The same row with another value is another digest. */
    org.name = "Countz";
    TC_CHECK_EQ(tc_rec_organization_create(db, &org, &id), 0);
    TC_CHECK_EQ(tc_rec_checksum(db, &sum), 0);
    TC_CHECK(sum != empty && sum != county);
    tc_rec_close(db);
}

int
main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    TC_RUN(test_open_creates_latest_schema);
    TC_RUN(test_newer_schema_is_refused);
    TC_RUN(test_foreign_database_is_refused);
    TC_RUN(test_garbage_file_is_refused);
    TC_RUN(test_backup_copies_a_database_in_use);
    TC_RUN(test_transactions_nest_and_roll_back);
    TC_RUN(test_checksum_sees_rows_not_rolled_back_ones);
    /* Leave the directory for inspection only when something failed. */
    if (tc_done() == 0) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        return system(cmd) == 0 ? 0 : 1;
    }
    return 1;
}
