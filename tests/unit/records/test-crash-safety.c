// SPDX-License-Identifier: Apache-2.0
/*
 * test-crash-safety.c - a child process registers residents, each with a
 * carer and the link between them, one transaction per resident, and
 * reports each commit on a pipe. The parent kills it with SIGKILL at a
 * random point. The database must then open cleanly, pass SQLite's
 * integrity check, and hold exactly the committed transactions: every
 * reported one, at most one more (committed, killed before it could
 * report), and never part of one.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tc-records.h"
#include "tc-test.h"

#define ROUNDS 12

static char dir[] = "/tmp/tc-test-crash-XXXXXX";

/* A valid resident ID number for sequence number n (GB 11643). */
static void
make_id_number(int n, char out[32], char birth[32], enum tc_rec_sex *sex)
{
    static const int weights[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                    3, 7, 9,  10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    int year = 1930 + n % 70, month = 1 + n / 70 % 12, day = 1 + n % 28;
    int sum = 0;

    snprintf(out, 32, "110105%04d%02d%02d%03d", year, month, day, n % 1000);
    for (int i = 0; i < 17; i++) {
        sum += (out[i] - '0') * weights[i];
    }
    out[17] = check[sum % 11];
    out[18] = '\0';
    snprintf(birth, 32, "%04d-%02d-%02d", year, month, day);
    *sex = (n % 1000) % 2 ? TC_REC_SEX_MALE : TC_REC_SEX_FEMALE;
}

static int
write_one(struct tc_rec_db *db, int n)
{
    char id_number[32], birth[32];
    struct tc_rec_resident r = {0};
    struct tc_rec_carer c = {0};
    int64_t rid, cid;
    int rc;

    make_id_number(n, id_number, birth, &r.sex);
    r.id_number = id_number;
    r.name = "Crash Test";
    r.birth_date = birth;
    r.township = "Town";
    r.created_at_us = 1;
    c.name = "Carer";
    c.created_at_us = 1;
    rc = tc_rec_tx_begin(db);
    if (rc == 0) {
        rc = tc_rec_resident_create(db, &r, &rid);
    }
    if (rc == 0) {
        rc = tc_rec_carer_create(db, &c, &cid);
    }
    if (rc == 0) {
        rc = tc_rec_carer_link(db, cid, rid, "son");
    }
    if (rc == 0) {
        return tc_rec_tx_commit(db);
    }
    tc_rec_tx_rollback(db);
    return rc;
}

/* The child: write until killed, reporting each committed n. */
static void
child(const char *path, int report_fd, int first)
{
    struct tc_rec_db *db = NULL;

    if (tc_rec_open(path, &db) < 0) {
        _exit(2);
    }
    for (int n = first;; n++) {
        if (write_one(db, n) < 0) {
            _exit(3);
        }
        if (write(report_fd, &n, sizeof(n)) != sizeof(n)) {
            _exit(4);
        }
    }
}

static long
count(sqlite3 *raw, const char *sql)
{
    sqlite3_stmt *st;
    long n = -1;

    if (sqlite3_prepare_v2(raw, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return n;
}

/* One round: run the child from `first`, kill it after `wait_us`. Returns
 * the last reported n (first-1 when none); the child's wait status in
 * *status. */
static int
run_round(const char *path, int first, long wait_us, int *status)
{
    int fds[2], last = first - 1, n;
    pid_t pid;

    if (pipe(fds) < 0) {
        abort();
    }
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child(path, fds[1], first);
    }
    close(fds[1]);
    usleep((useconds_t)wait_us);
    kill(pid, SIGKILL);
    if (waitpid(pid, status, 0) != pid) {
        *status = -1;
    }
    while (read(fds[0], &n, sizeof(n)) == sizeof(n)) {
        last = n;
    }
    close(fds[0]);
    return last;
}

static void
test_killed_writer_leaves_exactly_committed_transactions(void)
{
    char path[64];
    int next = 1;

    snprintf(path, sizeof(path), "%s/crash.db", dir);
    srand((unsigned)time(NULL));
    for (int round = 0; round < ROUNDS; round++) {
        long wait_us = 20000 + rand() % 150000;
        int status = 0;
        int reported = run_round(path, next, wait_us, &status);
        struct tc_rec_db *db = NULL;
        sqlite3 *raw = NULL;
        long residents, carers, links, max_seen;

        /* The kill ended the writer: it did not stop by itself (exit 2:
         * open failed, 3: a write or commit failed, 4: the pipe). */
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
            TC_FAIL_("round %d: the writer was not killed: wait status "
                     "0x%x (exit %d)",
                     round, status,
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        }

        /* Opens cleanly (recovering the WAL) and is intact. */
        TC_REQUIRE(tc_rec_open(path, &db) == 0);
        tc_rec_close(db);
        TC_REQUIRE(sqlite3_open(path, &raw) == SQLITE_OK);
        TC_CHECK_EQ(count(raw, "SELECT count(*) FROM pragma_integrity_check"
                               " WHERE integrity_check != 'ok'"),
                    0);
        residents = count(raw, "SELECT count(*) FROM residents");
        carers = count(raw, "SELECT count(*) FROM carers");
        links = count(raw, "SELECT count(*) FROM resident_carers");
        sqlite3_close(raw);

        /* Whole transactions only. */
        TC_CHECK_EQ(residents, carers);
        TC_CHECK_EQ(residents, links);
        /* Every reported commit is there, and at most one unreported. */
        max_seen = residents;
        TC_CHECK(max_seen >= reported);
        TC_CHECK(max_seen <= reported + 1);
        if (max_seen < reported || max_seen > reported + 1) {
            printf("# round %d: %ld rows, %d reported\n", round, max_seen,
                   reported);
        }
        next = (int)max_seen + 1;
    }
    printf("# %d transactions over %d kills\n", next - 1, ROUNDS);
    TC_CHECK(next > ROUNDS); /* the writer did make progress */
}

int
main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    TC_RUN(test_killed_writer_leaves_exactly_committed_transactions);
    if (tc_done() == 0) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        return system(cmd) == 0 ? 0 : 1;
    }
    return 1;
}
