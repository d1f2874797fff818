// SPDX-License-Identifier: Apache-2.0
/*
 * test-lifecycle.c - the real telecare-server on a loopback port: health
 * and metrics answer, unknown paths and oversized bodies get clear errors,
 * SIGTERM stops it cleanly (exit 0, WAL checkpointed, database intact),
 * and each start-up refusal gives its message and exit status and leaves
 * nothing behind.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "harness.h"
#include "tc-records.h"
#include "tc-server.h"
#include "tc-test.h"

static bool
exists(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0;
}

static void
test_healthz_answers_with_database_state(void)
{
    struct tc_harness h;
    struct tc_http_reply r;
    json_t *doc;

    TC_REQUIRE(tc_harness_start(&h, NULL) == 0);
    TC_CHECK_EQ(tc_http(&h, "GET", "/healthz", NULL, 0, NULL, &r), 0);
    TC_CHECK_EQ(r.status, 200);
    TC_CHECK_STR_EQ(r.content_type, "application/json");
    doc = json_loads(r.body, 0, NULL);
    TC_CHECK(doc != NULL);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "status")), "ok");
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "database")), "ok");
    TC_CHECK(json_is_string(json_object_get(doc, "version")));
    TC_CHECK(json_is_integer(json_object_get(doc, "uptime_s")));
    json_decref(doc);
    tc_http_reply_fini(&r);
    tc_harness_fini(&h);
}

static void
test_metrics_count_requests_and_latency(void)
{
    struct tc_harness h;
    struct tc_http_reply r;

    TC_REQUIRE(tc_harness_start(&h, NULL) == 0);
    for (int i = 0; i < 3; i++) {
        TC_CHECK_EQ(tc_http(&h, "GET", "/healthz", NULL, 0, NULL, &r), 0);
        tc_http_reply_fini(&r);
    }
    TC_CHECK_EQ(tc_http(&h, "GET", "/api/v1/nothing-here", NULL, 0, NULL, &r),
                0);
    tc_http_reply_fini(&r);
    TC_CHECK_EQ(tc_http(&h, "GET", "/metrics", NULL, 0, NULL, &r), 0);
    TC_CHECK_EQ(r.status, 200);
    TC_CHECK_STR_CONTAINS(r.content_type, "text/plain");
    TC_CHECK_STR_CONTAINS(r.body, "telecare_http_requests_total{method="
                                  "\"GET\",route=\"/healthz\",status="
                                  "\"200\"} 3\n");
    TC_CHECK_STR_CONTAINS(r.body, "route=\"unmatched\",status=\"404\"} 1");
    TC_CHECK_STR_CONTAINS(r.body,
                          "telecare_http_request_duration_seconds_count{"
                          "route=\"/healthz\"} 3");
    TC_CHECK_STR_CONTAINS(r.body, "le=\"+Inf\"} 3");
    TC_CHECK_STR_CONTAINS(r.body, "process_resident_memory_bytes ");
    TC_CHECK_STR_CONTAINS(r.body, "process_cpu_seconds_total ");
    /* The raw path of an unmatched request never becomes a label. */
    TC_CHECK(strstr(r.body, "nothing-here") == NULL);
    tc_http_reply_fini(&r);
    tc_harness_fini(&h);
}

static void
test_bad_requests_get_clear_errors(void)
{
    struct tc_harness h;
    struct tc_http_reply r;
    const char *args[] = {"--config", NULL, NULL};
    char *dir = tc_tmp_dir("cfg"), *cfg_path, *big;
    FILE *f;

    TC_REQUIRE(asprintf(&cfg_path, "%s/t.ini", dir) > 0);
    f = fopen(cfg_path, "w");
    TC_REQUIRE(f);
    fputs("[http]\nmax_body_bytes = 4096\n", f);
    fclose(f);
    args[1] = cfg_path;
    TC_REQUIRE(tc_harness_start(&h, args) == 0);

    TC_CHECK_EQ(tc_http(&h, "GET", "/api/v1/none", NULL, 0, NULL, &r), 0);
    TC_CHECK_EQ(r.status, 404);
    TC_CHECK_STR_CONTAINS(r.body, "\"message\":\"no such resource\"");
    tc_http_reply_fini(&r);

    TC_CHECK_EQ(tc_http(&h, "DELETE", "/healthz", NULL, 0, NULL, &r), 0);
    TC_CHECK_EQ(r.status, 405);
    tc_http_reply_fini(&r);

    big = calloc(1, 8192);
    memset(big, 'x', 8191);
    TC_CHECK_EQ(
        tc_http(&h, "POST", "/api/v1/none", big, 8191, "application/json", &r),
        0);
    TC_CHECK_EQ(r.status, 413);
    TC_CHECK_STR_CONTAINS(r.body, "max_body_bytes");
    tc_http_reply_fini(&r);
    free(big);

    /* Everyone else is still served. */
    TC_CHECK_EQ(tc_http(&h, "GET", "/healthz", NULL, 0, NULL, &r), 0);
    TC_CHECK_EQ(r.status, 200);
    tc_http_reply_fini(&r);
    tc_harness_fini(&h);
    tc_rm_rf(dir);
    free(cfg_path);
    free(dir);
}

static void
test_sigterm_stops_cleanly_and_checkpoints(void)
{
    struct tc_harness h;
    struct tc_http_reply r;
    struct tc_rec_db *db = NULL;
    char *db_path, *wal_path;
    int status = -2;
    long elapsed = 0;
    struct stat sb;

    TC_REQUIRE(tc_harness_start(&h, NULL) == 0);
    TC_CHECK_EQ(tc_http(&h, "GET", "/healthz", NULL, 0, NULL, &r), 0);
    tc_http_reply_fini(&r);
    TC_REQUIRE(asprintf(&db_path, "%s/telecare.db", h.data_dir) > 0);
    TC_REQUIRE(asprintf(&wal_path, "%s-wal", db_path) > 0);
    TC_CHECK(exists(db_path));

    TC_CHECK_EQ(tc_harness_stop(&h, SIGTERM, 2000, &status, &elapsed), 0);
    printf("# stopped in %ld ms\n", elapsed);
    TC_CHECK_EQ(status, 0);
    TC_CHECK_STR_CONTAINS(h.log, "stopped");
    /* The last connection checkpointed the WAL into the database. */
    TC_CHECK(stat(wal_path, &sb) != 0 || sb.st_size == 0);
    TC_CHECK_EQ(tc_rec_open(db_path, &db), 0);
    TC_CHECK_EQ(tc_rec_ping(db), 0);
    tc_rec_close(db);
    free(db_path);
    free(wal_path);
    tc_harness_fini(&h);
}

static void
test_sigint_stops_too(void)
{
    struct tc_harness h;
    int status = -2;
    long elapsed = 0;

    TC_REQUIRE(tc_harness_start(&h, NULL) == 0);
    TC_CHECK_EQ(tc_harness_stop(&h, SIGINT, 2000, &status, &elapsed), 0);
    TC_CHECK_EQ(status, 0);
    tc_harness_fini(&h);
}

/* Run a refused start: check status, message, and that data_dir was not
 * created. */
static void
check_refusal(const char *const *args, const char *data_dir, int want,
              const char *must_say)
{
    char *err = NULL;
    int status = -2;

    TC_CHECK_EQ(tc_harness_run_to_exit(args, 20000, &status, &err), 0);
    TC_CHECK_EQ(status, want);
    TC_CHECK_STR_CONTAINS(err, must_say);
    if (data_dir) {
        TC_CHECK(!exists(data_dir));
    }
    if (status != want) {
        printf("# stderr: %s\n", err);
    }
    free(err);
}

static void
test_unknown_config_key_is_refused(void)
{
    char *dir = tc_tmp_dir("refuse"), *cfg, *data;
    FILE *f;

    TC_REQUIRE(asprintf(&cfg, "%s/bad.ini", dir) > 0);
    TC_REQUIRE(asprintf(&data, "%s/data", dir) > 0);
    f = fopen(cfg, "w");
    TC_REQUIRE(f);
    fputs("[server]\nlisen = 127.0.0.1:0\n", f);
    fclose(f);
    {
        const char *args[] = {"--config", cfg, "--data-dir", data, NULL};
        check_refusal(args, data, TC_SRV_EXIT_CONFIG,
                      "[server] lisen: unknown key");
    }
    f = fopen(cfg, "w");
    TC_REQUIRE(f);
    fputs("[server]\nshutdown_timeout_ms = soon\n", f);
    fclose(f);
    {
        const char *args[] = {"--config", cfg, "--data-dir", data, NULL};
        check_refusal(args, data, TC_SRV_EXIT_CONFIG,
                      "[server] shutdown_timeout_ms");
    }
    {
        const char *args[] = {"--listen", "127.0.0.1:99999", "--data-dir",
                              data, NULL};
        check_refusal(args, data, TC_SRV_EXIT_CONFIG, "[server] listen: port");
    }
    tc_rm_rf(dir);
    free(cfg);
    free(data);
    free(dir);
}

static void
test_unwritable_data_dir_is_refused(void)
{
    char *dir = tc_tmp_dir("refuse"), *file, *data;
    FILE *f;

    /* A regular file where a parent directory should be: cannot be made
     * writable, even by root. */
    TC_REQUIRE(asprintf(&file, "%s/not-a-dir", dir) > 0);
    TC_REQUIRE(asprintf(&data, "%s/data", file) > 0);
    f = fopen(file, "w");
    TC_REQUIRE(f);
    fclose(f);
    {
        const char *args[] = {"--listen", "127.0.0.1:0", "--data-dir", data,
                              NULL};
        check_refusal(args, data, TC_SRV_EXIT_DATA_DIR, "data_dir");
    }
    /* A directory under /proc cannot be created. */
    {
        const char *args[] = {"--listen", "127.0.0.1:0", "--data-dir",
                              "/proc/telecare-test/data", NULL};
        check_refusal(args, NULL, TC_SRV_EXIT_DATA_DIR,
                      "data_dir /proc/telecare-test");
    }
    /* Read-only for a non-root user. */
    if (geteuid() != 0) {
        char *ro;
        TC_REQUIRE(asprintf(&ro, "%s/ro", dir) > 0);
        TC_REQUIRE(mkdir(ro, 0500) == 0);
        const char *args[] = {"--listen", "127.0.0.1:0", "--data-dir", ro,
                              NULL};
        check_refusal(args, NULL, TC_SRV_EXIT_DATA_DIR, "not writable");
        chmod(ro, 0700);
        free(ro);
    }
    tc_rm_rf(dir);
    free(file);
    free(data);
    free(dir);
}

static void
test_port_in_use_is_refused_before_data_dir(void)
{
    char *dir = tc_tmp_dir("refuse"), *data, listen_arg[64];
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    TC_REQUIRE(fd >= 0);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    TC_REQUIRE(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    TC_REQUIRE(listen(fd, 1) == 0);
    TC_REQUIRE(getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
    snprintf(listen_arg, sizeof(listen_arg), "127.0.0.1:%d",
             ntohs(sa.sin_port));
    TC_REQUIRE(asprintf(&data, "%s/data", dir) > 0);
    {
        const char *args[] = {"--listen", listen_arg, "--data-dir", data,
                              NULL};
        check_refusal(args, data, TC_SRV_EXIT_LISTEN, listen_arg);
    }
    close(fd);
    tc_rm_rf(dir);
    free(data);
    free(dir);
}

static void
test_newer_database_is_refused_and_kept(void)
{
    char *dir = tc_tmp_dir("refuse"), *db_path;
    struct tc_rec_db *db = NULL;
    struct stat before, after;

    TC_REQUIRE(asprintf(&db_path, "%s/telecare.db", dir) > 0);
    TC_REQUIRE(tc_rec_open(db_path, &db) == 0);
    tc_rec_close(db);
    {
        char *cmd;
        TC_REQUIRE(asprintf(&cmd, "sqlite3 %s 'PRAGMA user_version = 999'",
                            db_path) > 0);
        TC_REQUIRE(system(cmd) == 0);
        free(cmd);
    }
    TC_REQUIRE(stat(db_path, &before) == 0);
    {
        const char *args[] = {"--listen", "127.0.0.1:0", "--data-dir", dir,
                              NULL};
        check_refusal(args, NULL, TC_SRV_EXIT_DATA_DIR,
                      "newer than this telecare");
    }
    /* The operator's database is left exactly as it was. */
    TC_CHECK(stat(db_path, &after) == 0);
    TC_CHECK_EQ(after.st_size, before.st_size);
    tc_rm_rf(dir);
    free(db_path);
    free(dir);
}

int
main(void)
{
    TC_RUN(test_healthz_answers_with_database_state);
    TC_RUN(test_metrics_count_requests_and_latency);
    TC_RUN(test_bad_requests_get_clear_errors);
    TC_RUN(test_sigterm_stops_cleanly_and_checkpoints);
    TC_RUN(test_sigint_stops_too);
    TC_RUN(test_unknown_config_key_is_refused);
    TC_RUN(test_unwritable_data_dir_is_refused);
    TC_RUN(test_port_in_use_is_refused_before_data_dir);
    TC_RUN(test_newer_database_is_refused_and_kept);
    return tc_done();
}
