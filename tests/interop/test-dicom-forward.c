// SPDX-License-Identifier: Apache-2.0
/*
 * test-dicom-forward.c - forwarding to a real PACS: Orthanc (Debian's
 * package, started here on free loopback ports with a temporary
 * configuration and storage, never its system service) is the county
 * PACS, and the route sends everything from the East clinic's AE there.
 *
 *   1. Orthanc up: an instance storescu sends to telecare arrives in
 *      Orthanc; its forwarding status says sent.
 *   2. Orthanc down: an instance is received and stays pending (attempts
 *      and the last error visible in the API); telecare is restarted
 *      (promptly, though an association is open and idle); Orthanc is
 *      started; the instance arrives, once.
 *   3. Killed right after answering: with indexing held back
 *      ([dicom] index_batch_ms), storescu is told "stored" for five
 *      instances, the server is killed (SIGKILL) before it indexed them;
 *      after the restart all five are indexed (from dicom/journal.log),
 *      queued for the PACS, and arrive there.
 */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <glib.h>
#include <jansson.h>

#include "county-fixture.h"
#include "dicom-raw.h"

static struct fx f;
static long long clinic;
static char port[8];
static char *orthanc_dir;
static int orthanc_http, orthanc_dicom;
static GPid orthanc = 0;

static int
free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), p = 0;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0) {
        p = ntohs(a.sin_port);
    }
    close(fd);
    return p;
}

/* The server's configuration; `extra` is appended to [dicom]. */
static bool
write_ini(const char *dir, const char *extra)
{
    g_autofree char *ini = g_build_filename(dir, "t.ini", NULL);
    g_autofree char *text = g_strdup_printf(
        "[http]\nrate_per_address = 0\nrate_per_account = 0\n"
        "[dicom]\nlisten = 127.0.0.1:0\nae_title = TELECARE\n"
        "peers = EAST_DR:%lld\ntimeout_s = 5\nretry_max_s = 1\n"
        "destinations = PACS=ORTHANC@127.0.0.1:%d\n"
        "routes = EAST_DR>PACS\n%s",
        clinic, orthanc_dicom, extra);

    return g_file_set_contents(ini, text, -1, NULL);
}

static void
setup(struct fx *fx, struct tc_rec_db *db)
{
    g_autofree char *path =
        g_build_filename(fx->data_dir, "telecare.db", NULL);
    g_autofree char *sql = g_strdup_printf(
        "UPDATE residents SET health_card_no = '1CT1' WHERE id = %lld",
        (long long)fx->resident);
    sqlite3 *raw = NULL;

    (void)db;
    orthanc_http = free_port();
    orthanc_dicom = free_port();
    clinic = (long long)fx->clinic;
    if (!write_ini(fx->dir, "") || sqlite3_open(path, &raw) != SQLITE_OK ||
        sqlite3_exec(raw, sql, NULL, NULL, NULL) != SQLITE_OK) {
        abort();
    }
    sqlite3_close(raw);
}

static int run(char **out, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static int
run(char **out, const char *fmt, ...)
{
    g_autofree char *cmd = NULL, *o = NULL, *e = NULL;
    int status = -1;
    va_list ap;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (!g_spawn_command_line_sync(cmd, &o, &e, &status, NULL)) {
        return -1;
    }
    if (out) {
        *out = g_strdup(o);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Orthanc's instance count over its REST API; -1 when it does not
 * answer. */
static int
orthanc_instances(void)
{
    g_autofree char *out = NULL;
    json_t *doc;
    int n = -1;

    if (run(&out, "curl -s -m 2 http://127.0.0.1:%d/statistics",
            orthanc_http) != 0) {
        return -1;
    }
    doc = json_loads(out, 0, NULL);
    if (doc) {
        n = (int)json_integer_value(json_object_get(doc, "CountInstances"));
        json_decref(doc);
    }
    return n;
}

static bool
orthanc_start(void)
{
    g_autofree char *cfg = g_build_filename(orthanc_dir, "orthanc.json", NULL);
    g_autofree char *db = g_build_filename(orthanc_dir, "db", NULL);
    g_autofree char *text = g_strdup_printf(
        "{\"Name\": \"county-pacs\", \"StorageDirectory\": \"%s\","
        " \"IndexDirectory\": \"%s\", \"HttpPort\": %d, \"DicomPort\": %d,"
        " \"DicomAet\": \"ORTHANC\", \"RemoteAccessAllowed\": false,"
        " \"AuthenticationEnabled\": false, \"Plugins\": []}",
        db, db, orthanc_http, orthanc_dicom);
    char *argv[] = {"Orthanc", cfg, NULL};

    if (!g_file_set_contents(cfg, text, -1, NULL) ||
        !g_spawn_async(NULL, argv, NULL,
                       G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                           G_SPAWN_STDOUT_TO_DEV_NULL |
                           G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, &orthanc, NULL)) {
        return false;
    }
    for (int i = 0; i < 100; i++) {
        if (orthanc_instances() >= 0) {
            return true;
        }
        g_usleep(100000);
    }
    return false;
}

static void
orthanc_stop(void)
{
    if (orthanc > 0) {
        kill(orthanc, SIGTERM);
        waitpid(orthanc, NULL, 0);
        orthanc = 0;
    }
}

static void
find_port(void)
{
    static const char key[] = "dicom SCP listening on 127.0.0.1:";

    port[0] = '\0';
    for (int i = 0; i < 50 && !port[0]; i++) {
        const char *p;
        tc_harness_drain_log(&f.h);
        p = f.h.log ? g_strrstr(f.h.log, key) : NULL;
        if (p) {
            p += strlen(key);
            g_strlcpy(port, p, MIN(sizeof(port), strspn(p, "0123456789") + 1));
        } else {
            g_usleep(100000);
        }
    }
}

/* Wait up to timeout_s for Orthanc to hold n instances. */
static bool
wait_orthanc(int n, int timeout_s)
{
    for (int i = 0; i < timeout_s * 10; i++) {
        if (orthanc_instances() == n) {
            return true;
        }
        g_usleep(100000);
    }
    return false;
}

/* The forwarding row of the only instance of the study with Patient ID
 * pid, straight from the database: status into buf, attempts. */
static void
db_forward(const char *pid, char buf[16], int *attempts)
{
    g_autofree char *path = g_build_filename(f.data_dir, "telecare.db", NULL);
    sqlite3 *raw = NULL;
    sqlite3_stmt *st = NULL;

    buf[0] = '\0';
    *attempts = -1;
    if (sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(raw,
                           "SELECT f.status, f.attempts FROM"
                           " imaging_forwards f JOIN imaging_instances i"
                           " ON i.id = f.instance_id JOIN imaging_series r"
                           " ON r.id = i.series_id JOIN imaging_studies s"
                           " ON s.id = r.study_id"
                           " WHERE s.patient_dicom_id = ?",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_bind_text(st, 1, pid, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        g_strlcpy(buf, (const char *)sqlite3_column_text(st, 0), 16);
        *attempts = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
    sqlite3_close(raw);
}

/* The forwarding rows of the study with Patient ID pid, through the API
 * (as the family doctor of the resident it matched). */
static json_t *
forwards_of(const char *pid)
{
    int64_t id;

    if (fx_call(&f, FX_FAM, "GET",
                fx_path("/dicom-web/studies?PatientID=%s", pid),
                NULL) != 200 ||
        json_array_size(f.doc) != 1) {
        return NULL;
    }
    /* The study's id, which DICOMweb does not show. */
    {
        g_autofree char *path =
            g_build_filename(f.data_dir, "telecare.db", NULL);
        g_autofree char *sql = g_strdup_printf(
            "SELECT id FROM imaging_studies WHERE patient_dicom_id = '%s'",
            pid);
        sqlite3 *raw = NULL;
        sqlite3_stmt *st = NULL;
        id = 0;
        if (sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL) ==
                SQLITE_OK &&
            sqlite3_prepare_v2(raw, sql, -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW) {
            id = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
        sqlite3_close(raw);
    }
    if (fx_call(
            &f, FX_FAM, "GET",
            fx_path("/api/v1/imaging-studies/%lld/forwards", (long long)id),
            NULL) != 200) {
        return NULL;
    }
    return json_object_get(f.doc, "items");
}

static void
test_forwarded_while_the_pacs_is_up(void)
{
    g_autofree char *ct = g_build_filename(getenv("TC_SHARED_DATA"), "dicom",
                                           "CT_small.dcm", NULL);
    json_t *items;

    TC_REQUIRE(orthanc_start());
    TC_CHECK_EQ(orthanc_instances(), 0);
    TC_REQUIRE(run(NULL, "storescu -aet EAST_DR -aec TELECARE 127.0.0.1 %s %s",
                   port, ct) == 0);
    TC_CHECK(wait_orthanc(1, 15));
    g_usleep(300000); /* the answer is recorded after Orthanc stored it */
    items = forwards_of("1CT1");
    TC_REQUIRE(items && json_array_size(items) == 1);
    TC_CHECK_STR_EQ(
        json_string_value(json_object_get(json_array_get(items, 0), "status")),
        "sent");
    TC_CHECK_STR_EQ(json_string_value(json_object_get(json_array_get(items, 0),
                                                      "destination")),
                    "PACS");
    orthanc_stop();
}

static void
test_queued_across_a_restart_until_the_pacs_is_up(void)
{
    g_autofree char *mr = g_build_filename(getenv("TC_SHARED_DATA"), "dicom",
                                           "MR_small.dcm", NULL);
    g_autofree char *ini = g_build_filename(f.dir, "t.ini", NULL);
    const char *args[] = {"--config", ini, "--data-dir", f.data_dir, NULL};
    json_t *items, *row;
    char state[16];
    int status = -1, attempts = -1, idle;
    long ms = 0;

    TC_REQUIRE(run(NULL, "storescu -aet EAST_DR -aec TELECARE 127.0.0.1 %s %s",
                   port, mr) == 0);
    g_usleep(2500000); /* a few attempts against the closed port */
    db_forward("4MR1", state, &attempts);
    TC_CHECK_STR_EQ(state, "pending");
    TC_CHECK(attempts >= 1);

    /* Restart telecare with the instance still pending, and with an
     * association open and idle: the stop aborts it rather than waiting
     * out its DIMSE timeout. */
    idle = dr_connect(atoi(port));
    TC_CHECK(idle >= 0 &&
             dr_associate(idle, "EAST_DR", "TELECARE", DR_CT) == 2);
    TC_CHECK_EQ(tc_harness_stop(&f.h, SIGTERM, 10000, &status, &ms), 0);
    TC_CHECK_EQ(status, 0);
    TC_CHECK(ms < 4000);
    if (status != 0 || ms >= 4000) {
        tc_harness_drain_log(&f.h);
        printf("# stop took %ld ms; the first server's log:\n", ms);
        for (char *line = strtok(f.h.log, "\n"); line;
             line = strtok(NULL, "\n")) {
            printf("#   1| %s\n", line);
        }
    }
    if (idle >= 0) {
        close(idle);
    }
    tc_harness_fini(&f.h);
    TC_REQUIRE(tc_harness_start(&f.h, args) == 0);
    find_port();

    /* The PACS comes up: the instance arrives, and only once. */
    TC_REQUIRE(orthanc_start());
    TC_CHECK(wait_orthanc(2, 20));
    g_usleep(1500000);
    TC_CHECK_EQ(orthanc_instances(), 2);
    items = forwards_of("1CT1");
    TC_REQUIRE(items && json_array_size(items) == 1);
    row = json_array_get(items, 0);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(row, "status")), "sent");
    db_forward("4MR1", state, &attempts);
    TC_CHECK_STR_EQ(state, "sent");
    orthanc_stop();
}

/* One number from the database (read-only), -1 on error. */
static long long
db_int(const char *sql)
{
    g_autofree char *path = g_build_filename(f.data_dir, "telecare.db", NULL);
    sqlite3 *raw = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;

    if (sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(raw, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(raw);
    return v;
}

/* Stop the server (sig), start it again on the configuration `extra`. */
static bool
restart(int sig, const char *extra)
{
    g_autofree char *ini = g_build_filename(f.dir, "t.ini", NULL);
    const char *args[] = {"--config", ini, "--data-dir", f.data_dir, NULL};
    int status = -1;
    long ms = 0;

    tc_harness_stop(&f.h, sig, 10000, &status, &ms);
    tc_harness_fini(&f.h);
    if (!write_ini(f.dir, extra) || tc_harness_start(&f.h, args) != 0) {
        return false;
    }
    find_port();
    return port[0] != '\0';
}

static void
test_nothing_lost_when_killed_after_the_answer(void)
{
    g_autofree char *ct = g_build_filename(getenv("TC_SHARED_DATA"), "dicom",
                                           "CT_small.dcm", NULL);
    g_autofree char *dir = g_build_filename(f.dir, "crash", NULL);
    g_autofree char *journal =
        g_build_filename(f.data_dir, "dicom", "journal.log", NULL);
    g_autofree char *lines = NULL;
    g_autoptr(GString) files = g_string_new(NULL);
    long long before, forwards_before;
    int status = -1, n_lines = 0;
    long ms = 0;

    /* Five CT instances with fresh UIDs (Patient ID 1CT1: the resident). */
    TC_REQUIRE(g_mkdir_with_parents(dir, 0700) == 0);
    for (int i = 0; i < 5; i++) {
        g_autofree char *to = g_strdup_printf("%s/ct%d.dcm", dir, i);
        g_autofree char *bytes = NULL;
        gsize len = 0;
        TC_REQUIRE(g_file_get_contents(ct, &bytes, &len, NULL) &&
                   g_file_set_contents(to, bytes, (gssize)len, NULL));
        g_string_append_printf(files, " %s", to);
    }
    TC_REQUIRE(run(NULL, "dcmodify -q -nb -gin -gse -gst%s", files->str) == 0);

    /* Indexing held back for ten minutes: "stored" is answered, nothing
     * is indexed yet when the server is killed. */
    TC_REQUIRE(restart(SIGTERM, "index_batch_ms = 600000\n"));
    before = db_int("SELECT count(*) FROM imaging_instances");
    forwards_before = db_int("SELECT count(*) FROM imaging_forwards");
    TC_REQUIRE(before >= 0);
    TC_REQUIRE(run(NULL, "storescu -aet EAST_DR -aec TELECARE 127.0.0.1 %s%s",
                   port, files->str) == 0);
    TC_CHECK_EQ(tc_harness_stop(&f.h, SIGKILL, 10000, &status, &ms), 0);
    TC_CHECK_EQ(db_int("SELECT count(*) FROM imaging_instances"), before);
    TC_REQUIRE(g_file_get_contents(journal, &lines, NULL, NULL));
    for (const char *c = lines; *c; c++) {
        n_lines += *c == '\n';
    }
    TC_CHECK_EQ(n_lines, 5);

    /* The restart indexes the journal before it listens. */
    TC_REQUIRE(restart(SIGKILL, ""));
    TC_CHECK_EQ(db_int("SELECT count(*) FROM imaging_instances"), before + 5);
    TC_CHECK_EQ(db_int("SELECT count(*) FROM imaging_forwards"),
                forwards_before + 5);
    g_free(lines);
    lines = NULL;
    TC_REQUIRE(g_file_get_contents(journal, &lines, NULL, NULL));
    TC_CHECK_STR_EQ(lines, "");
    tc_harness_drain_log(&f.h);
    TC_CHECK(f.h.log && strstr(f.h.log, "indexing 5 instances from the "
                                        "journal") != NULL);

    /* And they reach the PACS, once. */
    TC_REQUIRE(orthanc_start());
    TC_CHECK(wait_orthanc(7, 30));
    TC_CHECK_EQ(db_int("SELECT count(*) FROM imaging_forwards"),
                forwards_before + 5);
    orthanc_stop();
}

int
main(void)
{
    if (fx_open(&f, setup) != 0) {
        printf("Bail out! fixture\n");
        return 1;
    }
    orthanc_dir = g_build_filename(f.dir, "orthanc", NULL);
    g_mkdir_with_parents(orthanc_dir, 0700);
    find_port();
    if (!port[0]) {
        printf("Bail out! no DICOM port in the log\n");
        return 1;
    }
    TC_RUN(test_forwarded_while_the_pacs_is_up);
    TC_RUN(test_queued_across_a_restart_until_the_pacs_is_up);
    orthanc_stop();
    TC_RUN(test_nothing_lost_when_killed_after_the_answer);
    fx_close(&f);
    g_free(orthanc_dir);
    return tc_done();
}
