// SPDX-License-Identifier: Apache-2.0
/*
 * bench-signaling.c - the signaling benchmark (issue 5): telecare-loadgen
 * against a real telecare-server on loopback.
 *
 *   bench-signaling <telecare-loadgen> [--smoke]
 *                                          (TC_SERVER_BIN, TC_ADMIN_BIN set)
 *
 * Fixture: the demo county (telecare-admin seed-demo), plus one accepted
 * consultation per room - requested by huang.xiaoyan, accepted by
 * zhou.ming, with zheng.haitao and chen.jianping added as participants -
 * so that rooms of 2-4 hold four different accounts. The server runs
 * with the HTTP rate limits off ([http] rate_per_address = 0: every
 * WebSocket handshake comes from 127.0.0.1).
 *
 * Runs (TC_BENCH_SCALE scales the 10,000 connections; TC_BENCH_RUNS the
 * repetitions, default 3; TC_BENCH_RATE, messages/s per client, skips
 * runs A and measures B at that rate, for comparing builds at one load;
 * TC_BENCH_COALESCE_US sets both programs' batching window, 0 to serve
 * every event at once - server [signaling] coalesce_us and
 * telecare-loadgen --coalesce-us, both 0 (off) by default; TC_LOOP_STATS=N
 * prints both programs' loop iteration statistics, the server's every N
 * seconds; TC_BENCH_PIN=1 puts every server thread on CPU 0 and the
 * loadgen on CPU 1, as if the load came from another machine;
 * TC_BENCH_LOADGEN_THREADS the loadgen's threads, default 2;
 * TC_BENCH_INI, lines added to the server's configuration, e.g.
 * "[signaling]\nheartbeat_s = 300"):
 *   A: N connections in rooms of 2-4, idle 5 s (the server's VmRSS per
 *      idle connection), then relayed `candidate` messages at stepped
 *      rates: the peak relayed msgs/s received;
 *   B: the same at half the median peak: p50/p99/p999 relay latency.
 * Prints every loadgen line and a summary of medians; asserts nothing
 * about time.
 *
 * --smoke (the integration suite's loadgen-smoke): 40 clients,
 * one short run A, then checks what does not depend on the machine's
 * speed - every client joined, every message offered in the first step
 * relayed (within 10 %), no errors or closes - and exits 1 if not.
 *
 * Thread: main.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "harness.h"
#include "tc-records.h"

#define MAX_RUNS 9

static bool pin; /* TC_BENCH_PIN: server on CPU 0, loadgen on CPU 1 */

/* Every thread of `pid` (or this process, pid 0) on CPU `cpu`. */
static void
pin_to(pid_t pid, int cpu)
{
    g_autofree char *dir_path = g_strdup_printf("/proc/%d/task", (int)pid);
    cpu_set_t set;
    DIR *dir;
    struct dirent *e;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (pid == 0) {
        sched_setaffinity(0, sizeof(set), &set);
        return;
    }
    if (!(dir = opendir(dir_path))) {
        return;
    }
    while ((e = readdir(dir))) {
        if (e->d_name[0] != '.' &&
            sched_setaffinity(atoi(e->d_name), sizeof(set), &set) < 0) {
            printf("# pinning thread %s: %s\n", e->d_name, strerror(errno));
        }
    }
    closedir(dir);
}

static int
run_admin_seed(const char *data_dir, const char *accounts)
{
    const char *bin = getenv("TC_ADMIN_BIN");
    int status = -1;
    pid_t pid = fork();

    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        execl(bin, bin, "--data-dir", data_dir, "seed-demo", "--accounts-file",
              accounts, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int64_t
practitioner(struct tc_rec_db *db, const char *username)
{
    struct tc_rec_user *u = NULL;
    int64_t id = 0;

    if (tc_rec_user_get_by_username(db, username, &u) == 0) {
        id = u->practitioner_id;
    }
    tc_rec_user_free(u);
    return id;
}

/* `rooms` accepted consultations like the demo's; the first one's id. */
static int64_t
make_rooms(const char *data_dir, int rooms)
{
    g_autofree char *path = g_build_filename(data_dir, "telecare.db", NULL);
    struct tc_rec_db *db = NULL;
    struct tc_rec_consultation *demo = NULL;
    int64_t first = 0, id, now = g_get_real_time();
    int64_t huang, zhou, zheng, chen;

    if (tc_rec_open(path, &db) < 0 ||
        tc_rec_consultation_get(db, 1, &demo) < 0) {
        goto done;
    }
    huang = practitioner(db, "huang.xiaoyan");
    zhou = practitioner(db, "zhou.ming");
    zheng = practitioner(db, "zheng.haitao");
    chen = practitioner(db, "chen.jianping");
    tc_rec_tx_begin(db);
    for (int i = 0; i < rooms; i++) {
        struct tc_rec_consultation_new in = {
            .requester_id = huang,
            .requested_org_id = demo->requested_org_id,
            .resident_id = demo->resident_id,
            .reason = "benchmark room",
            .priority = TC_REC_CONSULTATION_ROUTINE,
            .requested_at_us = now,
        };
        if (tc_rec_consultation_request(db, &in, &id) < 0 ||
            tc_rec_consultation_accept(db, id, zhou, now) < 0 ||
            tc_rec_consultation_participant_add(
                db, id, TC_REC_PARTY_PRACTITIONER, zheng, now, NULL) < 0 ||
            tc_rec_consultation_participant_add(
                db, id, TC_REC_PARTY_PRACTITIONER, chen, now, NULL) < 0) {
            printf("# fixture: %s\n", tc_rec_errmsg(db));
            tc_rec_tx_rollback(db);
            first = 0;
            goto done;
        }
        if (!first) {
            first = id;
        }
    }
    tc_rec_tx_commit(db);
done:
    tc_rec_consultation_free(demo);
    tc_rec_close(db);
    return first;
}

/* Read (and drop) what the server logged: a full stderr pipe would stop
 * it (it logs every join and leave at info level). Its loop statistics
 * (TC_LOOP_STATS=1) are echoed. */
static void
drain_server_log(struct tc_harness *h)
{
    tc_harness_drain_log(h);
    for (const char *p = h->log; p && *p;) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        const char *at = strstr(p, " loop: ");
        if (at && at - p < len) {
            printf("  server loop:%.*s\n", len - (int)(at - p) - 6, at + 6);
        }
        p = nl ? nl + 1 : NULL;
    }
    free(h->log);
    h->log = NULL;
    h->log_len = 0;
}

/* The server's CPU time so far (user + system, clock ticks). */
static long long
server_ticks(pid_t pid)
{
    char path[64], *text = NULL, *p;
    unsigned long long ut = 0, st = 0;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if (!g_file_get_contents(path, &text, NULL, NULL) ||
        !(p = strrchr(text, ')')) ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
               &ut, &st) != 2) {
        ut = st = 0;
    }
    g_free(text);
    return (long long)(ut + st);
}

/* Wait (at most 60 s) until the server used under 5 % of a core over a
 * second: what a run left in its sockets is read and dropped before the
 * next run starts measuring. */
static void
wait_server_idle(pid_t pid)
{
    long hz = sysconf(_SC_CLK_TCK);

    for (int i = 0; i < 60; i++) {
        long long t0 = server_ticks(pid);
        g_usleep(G_USEC_PER_SEC);
        if ((server_ticks(pid) - t0) * 20 < hz) {
            return;
        }
    }
    printf("# the server was still busy after 60 s\n");
}

/* Run the loadgen; its output lines are echoed and returned (g_free). */
static char *
loadgen(struct tc_harness *h, const char *bin, const char *const *args)
{
    const char *argv[40] = {bin};
    g_autoptr(GString) out = g_string_new(NULL);
    int pipefd[2], n = 1;
    char buf[4096];
    ssize_t got;
    pid_t pid;

    for (int i = 0; args[i] && n < 39; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    printf("$");
    for (int i = 0; argv[i]; i++) {
        printf(" %s", argv[i]);
    }
    printf("\n");
    fflush(stdout);
    if (pipe(pipefd) < 0) {
        return NULL;
    }
    pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        if (pin) {
            pin_to(0, 1);
        }
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    for (;;) {
        struct pollfd pfd[2] = {{.fd = pipefd[0], .events = POLLIN},
                                {.fd = h->err_fd, .events = POLLIN}};
        poll(pfd, 2, 1000);
        if (pfd[1].revents) {
            drain_server_log(h);
        }
        if (pfd[0].revents) {
            got = read(pipefd[0], buf, sizeof(buf));
            if (got <= 0) {
                break;
            }
            fwrite(buf, 1, (size_t)got, stdout);
            fflush(stdout);
            g_string_append_len(out, buf, got);
        }
    }
    close(pipefd[0]);
    waitpid(pid, NULL, 0);
    return g_strdup(out->str);
}

/* The number after `key=` in the last line starting with `tag`. */
static double
field(const char *out, const char *tag, const char *key, int nth)
{
    g_auto(GStrv) lines = g_strsplit(out ? out : "", "\n", -1);
    g_autofree char *k = g_strconcat(" ", key, "=", NULL);
    int seen = 0;

    for (char **l = lines; *l; l++) {
        const char *at;
        if (g_str_has_prefix(*l, tag) && (at = strstr(*l, k))) {
            if (seen++ == nth) {
                return g_ascii_strtod(at + strlen(k), NULL);
            }
        }
    }
    return -1;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The loadgen's own account of one smoke run: 0 if it holds up. */
static int
smoke_check(const char *out, int clients)
{
    double joined = field(out, "RESULT-SETUP", "joined", 0);
    double offered = field(out, "RESULT-STEP", "offered_per_s", 0);
    double got = field(out, "RESULT-STEP", "msgs_per_s", 0);
    int bad = 0;

    if (joined != clients) {
        printf("not ok - %.0f of %d clients joined\n", joined, clients);
        bad++;
    }
    if (offered <= 0 || got < 0.9 * offered || got > 1.1 * offered) {
        printf("not ok - step 1 relayed %.0f msgs/s of %.0f offered\n", got,
               offered);
        bad++;
    }
    if (!out || !strstr(out, "errors 0, rate-limited 0, closes 0")) {
        printf("not ok - the loadgen saw errors or closes\n");
        bad++;
    }
    printf("%s - loadgen smoke\n", bad ? "not ok" : "ok");
    return bad ? 1 : 0;
}

static double
median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n ? v[n / 2] : -1;
}

/* What every loadgen run of this bench shares. */
struct bench {
    struct tc_harness h;
    const char *loadgen; /* its path */
    char *server, *accounts, *clients, *first_room, *pid;
    const char *threads;     /* the loadgen's */
    const char *coalesce_us; /* NULL: the programs' defaults */
};

/* One loadgen run against the bench's server: `idle` s, then `duration`
 * s at each of `rates` (messages/s per client, comma-separated). */
static char *
bench_run(struct bench *b, const char *idle, const char *duration,
          const char *rates)
{
    const char *args[] = {"--server",
                          b->server,
                          "--accounts",
                          b->accounts,
                          "--users",
                          "zhou.ming,huang.xiaoyan,zheng.haitao,chen.jianping",
                          "--room-prefix",
                          "consultation:",
                          "--first-room",
                          b->first_room,
                          "--clients",
                          b->clients,
                          "--room-size",
                          "2-4",
                          "--threads",
                          b->threads,
                          "--idle",
                          idle,
                          "--duration",
                          duration,
                          "--rate",
                          rates,
                          "--server-pid",
                          b->pid,
                          b->coalesce_us ? "--coalesce-us" : NULL,
                          b->coalesce_us,
                          NULL};

    wait_server_idle(b->h.pid);
    return loadgen(&b->h, b->loadgen, args);
}

/* The server's configuration: both rate limits off, TC_BENCH_COALESCE_US
 * and TC_BENCH_INI as given. */
static char *
bench_ini(const char *dir, const char *coalesce_us)
{
    char *ini = g_build_filename(dir, "bench.ini", NULL);
    g_autofree char *text = g_strdup_printf(
        "[http]\nrate_per_address = 0\nrate_per_account = 0\n%s%s\n%s\n",
        coalesce_us ? "[signaling]\ncoalesce_us = " : "",
        coalesce_us ? coalesce_us : "",
        getenv("TC_BENCH_INI") ? getenv("TC_BENCH_INI") : "");

    g_file_set_contents(ini, text, -1, NULL);
    return ini;
}

/* Seed the county and its rooms, start the server (pinned with
 * TC_BENCH_PIN). Returns -1 when any of it failed. */
static int
bench_start(struct bench *b, const char *dir, int clients)
{
    g_autofree char *data = g_build_filename(dir, "data", NULL);
    g_autofree char *ini = NULL;
    const char *sargs[] = {"--data-dir", data, "--config", NULL, NULL};
    int64_t first;

    b->accounts = g_build_filename(dir, "accounts", NULL);
    if (run_admin_seed(data, b->accounts) < 0 ||
        !(first = make_rooms(data, clients / 2 + 1))) {
        printf("# fixture failed\n");
        return -1;
    }
    ini = bench_ini(dir, b->coalesce_us);
    sargs[3] = ini;
    if (tc_harness_start(&b->h, sargs) < 0) {
        tc_harness_fini(&b->h);
        return -1;
    }
    pin = getenv("TC_BENCH_PIN") && atoi(getenv("TC_BENCH_PIN")) > 0;
    if (pin) {
        pin_to(b->h.pid, 0);
        printf("# pinned: server on CPU 0, loadgen on CPU 1\n");
    }
    b->server = g_strdup_printf("http://127.0.0.1:%d", b->h.port);
    b->clients = g_strdup_printf("%d", clients);
    b->first_room = g_strdup_printf("%" G_GINT64_FORMAT, first);
    b->pid = g_strdup_printf("%d", (int)b->h.pid);
    printf("# %d clients, rooms from consultation:%s, server pid %s\n",
           clients, b->first_room, b->pid);
    return 0;
}

static void
bench_fini(struct bench *b)
{
    tc_harness_fini(&b->h);
    g_free(b->server);
    g_free(b->accounts);
    g_free(b->clients);
    g_free(b->first_room);
    g_free(b->pid);
}

/* The figures of the runs: A (stepped) and B (half load). */
struct figures {
    double setup[MAX_RUNS], rss[MAX_RUNS], peak[MAX_RUNS];
    double got[MAX_RUNS], p50[MAX_RUNS], p99[MAX_RUNS], p999[MAX_RUNS];
    double scpu[MAX_RUNS], lcpu[MAX_RUNS];
};

static void
read_stepped(struct figures *f, int r, const char *out)
{
    f->setup[r] = field(out, "RESULT-SETUP", "setup_per_s", 0);
    f->rss[r] = field(out, "RESULT-SETUP", "rss_kib_per_conn", 0);
    f->peak[r] = 0;
    for (int s = 0; s < 6; s++) {
        f->peak[r] =
            MAX(f->peak[r], field(out, "RESULT-STEP", "msgs_per_s", s));
    }
}

static void
read_half(struct figures *f, int r, const char *out)
{
    f->got[r] = field(out, "RESULT-STEP", "msgs_per_s", 0);
    f->p50[r] = field(out, "RESULT-STEP", "p50_us", 0);
    f->p99[r] = field(out, "RESULT-STEP", "p99_us", 0);
    f->p999[r] = field(out, "RESULT-STEP", "p999_us", 0);
    f->scpu[r] = field(out, "RESULT-STEP", "server_cpu_us_per_msg", 0);
    f->lcpu[r] = field(out, "RESULT-STEP", "loadgen_cpu_us_per_msg", 0);
}

static void
print_summary(struct figures *f, int runs, int clients, const char *half)
{
    printf("\nsummary (medians of %d runs, %d connections, rooms of 2-4):\n",
           runs, clients);
    /* later runs reuse the memory the first one's connections freed */
    printf("  server rss per idle connection (first run): %.2f KiB\n",
           f->rss[0]);
    printf("  connection setup: %.0f connections/s\n", median(f->setup, runs));
    printf("  peak relay throughput: %.0f msgs/s\n", median(f->peak, runs));
    printf("  at half of it (%s msgs/s per client, %.0f msgs/s received): "
           "p50 %.0f us, p99 %.0f us, p999 %.0f us\n",
           half, median(f->got, runs), median(f->p50, runs),
           median(f->p99, runs), median(f->p999, runs));
    printf("  cpu per relayed message at half load: server %.1f us, "
           "loadgen %.1f us\n",
           median(f->scpu, runs), median(f->lcpu, runs));
}

int
main(int argc, char **argv)
{
    const char *scale_env = getenv("TC_BENCH_SCALE");
    const char *runs_env = getenv("TC_BENCH_RUNS");
    const char *rate_env = getenv("TC_BENCH_RATE");
    const char *threads_env = getenv("TC_BENCH_LOADGEN_THREADS");
    double scale = scale_env ? g_ascii_strtod(scale_env, NULL) : 1.0;
    int runs = runs_env ? atoi(runs_env) : 3;
    bool smoke = argc == 3 && strcmp(argv[2], "--smoke") == 0;
    int clients = smoke ? 40 : MAX(8, (int)(10000 * scale));
    struct bench b = {.loadgen = argv[1],
                      .threads = threads_env ? threads_env : "2",
                      .coalesce_us = getenv("TC_BENCH_COALESCE_US")};
    g_autofree char *dir = NULL, *half = NULL;
    struct figures f = {0};
    double sorted[MAX_RUNS];
    struct rlimit rl;

    if (argc != 2 && !smoke) {
        fprintf(stderr, "usage: bench-signaling <telecare-loadgen> "
                        "[--smoke]\n");
        return 2;
    }
    runs = smoke ? 1 : CLAMP(runs, 1, MAX_RUNS);
    /* the server inherits this: it holds `clients` sockets too */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    dir = tc_tmp_dir("bench-sig");
    if (bench_start(&b, dir, clients) < 0) {
        tc_rm_rf(dir);
        return 1;
    }
    for (int r = 0; r < runs && !(rate_env && !smoke); r++) {
        g_autofree char *out =
            bench_run(&b, smoke ? "1" : "5", smoke ? "3" : "6",
                      smoke ? "2,4" : "2,4,6,8,10,12");
        if (smoke) {
            int rc = smoke_check(out, clients);
            bench_fini(&b);
            tc_rm_rf(dir);
            return rc;
        }
        read_stepped(&f, r, out);
    }
    memcpy(sorted, f.peak, sizeof(sorted));
    half = rate_env
               ? g_strdup(rate_env)
               : g_strdup_printf("%.2f", median(sorted, runs) / 2 / clients);
    for (int r = 0; r < runs; r++) {
        g_autofree char *out = bench_run(&b, "2", "10", half);
        read_half(&f, r, out);
    }
    print_summary(&f, runs, clients, half);
    bench_fini(&b);
    tc_rm_rf(dir);
    return 0;
}
