// SPDX-License-Identifier: Apache-2.0
/*
 * loadgen.c - telecare-loadgen: N signaling clients on the SDK, in rooms
 * of k, each sending r relayed messages per second to its room-mates;
 * prints connection setup rate, relay throughput, relay latency
 * percentiles and the server's memory per connection.
 *
 *   telecare-loadgen --server http://127.0.0.1:8080 --accounts FILE \
 *       --users zhou.ming,huang.xiaoyan,zheng.haitao,chen.jianping \
 *       --room-prefix consultation: --first-room 2 \
 *       --clients 10000 --room-size 2-4 --rate 2,4,8 --duration 6 \
 *       [--mode candidate|chat] [--threads 2] [--server-pid PID] \
 *       [--coalesce-us 0]
 *
 * Accounts: lines "username password ..." (telecare-admin seed-demo
 * --accounts-file writes them). Each user signs in once; its token is
 * shared by all its connections. Room i (--first-room + i) gets k clients
 * (k cycles through --room-size), the j-th of them signed in as the j-th
 * of --users, so every member of a room is a different account (the
 * rooms must exist with those users as participants: the benchmark makes
 * them).
 *
 * Phases: connect (paced by --connect-rate) and join, then idle
 * (--idle seconds: heartbeats only; the server's VmRSS is read before
 * the first connection and at the end of idle), then one load step of
 * --duration seconds per --rate value (messages/s per client), then every
 * client leaves normally. Relay latency: every message carries its send
 * time (CLOCK_MONOTONIC, microseconds) - in the candidate string for
 * `candidate`, as the text for `chat` - and the receiver records now -
 * then. The first second of each step is warm-up: throughput counts what
 * arrives after it, latency what is sent after it (wherever it arrives,
 * up to the end of the second the step drains for). Lines starting
 * RESULT-SETUP and RESULT-STEP are for scripts.
 *
 * Threads: --threads worker threads, each with its own GMainContext, SDK
 * clients and latency histogram (whole rooms per thread); the main thread
 * paces the phases and prints. Counters are atomics. Each worker serves
 * its sockets in batches if asked (--coalesce-us,
 * tc_sdk_client_opts.coalesce_us; off by default: measured, it did not
 * lower the CPU per message and lengthened the tail; docs/performance.md,
 * issue 5).
 *
 * TC_LOOP_STATS=1: after each step, each worker's loop iterations
 * (tc-loopstat.h): a long one delays every message that thread receives,
 * which shows as relay latency; the longest says whether the thread was
 * working (on cpu) or waiting for a core. TC_LOADGEN_SLOW=file: every
 * counted message of 1 ms or more (receive time, latency, step) written
 * to file at the end, to tell periodic stalls from queueing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "tc-client.h"
#include "tc-loopstat.h"

#define MAX_USERS      4
#define BUCKET_US      10     /* latency histogram resolution */
#define N_BUCKETS      100000 /* up to 1 s */
#define TICK_MS        1
#define ROUND_US       100000 /* the pacer visits every member once per round */
#define CATCH_UP_TICKS 4 /* a late tick makes up at most this many ticks */
#define MAX_STEPS      16

struct options {
    char *server;
    char *ws_url;
    char *accounts;
    char *users;
    char *room_prefix;
    int first_room;
    int clients;
    int size_min, size_max;
    double rates[MAX_STEPS]; /* per client, one load step each */
    int n_steps;
    int duration_s;
    int idle_s;
    int connect_rate;
    int threads;
    int server_pid;
    bool chat;
    char *ca_file;
    int coalesce_us;
};

struct worker;

struct member {
    struct worker *w;
    struct tc_sdk_client *c;
    const char *room; /* borrowed from the worker's room table */
    char *mates[MAX_USERS];
    int n_mates;
    int next_mate;
    bool joined;
    double credit;         /* messages owed at --rate */
    int64_t last_visit_us; /* by the pacer, while loading */
    int user;
};

struct worker {
    int index;
    GThread *thread;
    GMainContext *ctx;
    GMainLoop *loop;
    struct member *members;
    int n_members;
    int started;
    int64_t stop_at_us;
    int64_t last_tick_us;  /* while loading */
    int64_t connect_t0_us; /* the first connection */
    int cursor;            /* the next member the pacer visits */
    double pos;            /* members owed a visit */
    char **rooms;
    int n_rooms;
    guint64 *hist[MAX_STEPS]; /* N_BUCKETS + 1 each */
    struct tc_loopstat *ls;   /* TC_LOOP_STATS: its loop's iterations */
    int64_t (*slow)[3];       /* TC_LOADGEN_SLOW: (received, latency, step) */
    size_t n_slow;
};
#define MAX_SLOW  400000
#define WARMUP_US 1000000 /* the first second of a step: not measured */
#define DRAIN_US  1000000 /* after a step: the last messages arrive */

/* Shared between threads (atomics) or fixed before the threads start. */
static struct options opt;
static char *tokens[MAX_USERS];
static int n_users;
static atomic_int phase; /* 0 connect, 1 idle, 2 load, 3 drain, 4 stop */
static atomic_int step;  /* the load step running */
static atomic_int n_ready, n_joined, n_errors, n_closed, n_refused;
static atomic_llong n_sent, n_received, n_blocked;
static atomic_llong n_counted[MAX_STEPS], n_step_sent[MAX_STEPS];
static atomic_llong step_started_us;

static int64_t
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- events ------------------------------------------------------------ */

static void
on_welcome(struct tc_sdk_client *c, const struct tc_sdk_welcome *w, void *data)
{
    struct member *m = data;

    atomic_fetch_add(&n_ready, 1);
    if (!w->after_failed_resume) {
        tc_sdk_client_join(c, m->room, NULL);
    }
}

static void
add_mate(struct member *m, const char *peer)
{
    const char *self = tc_sdk_client_peer(m->c);

    if (self && strcmp(self, peer) == 0) {
        return;
    }
    for (int i = 0; i < m->n_mates; i++) {
        if (strcmp(m->mates[i], peer) == 0) {
            return;
        }
    }
    if (m->n_mates < MAX_USERS) {
        m->mates[m->n_mates++] = g_strdup(peer);
    }
}

static void
drop_mate(struct member *m, const char *peer)
{
    for (int i = 0; i < m->n_mates; i++) {
        if (strcmp(m->mates[i], peer) == 0) {
            g_free(m->mates[i]);
            m->mates[i] = m->mates[--m->n_mates];
            return;
        }
    }
}

static void
on_reply(struct tc_sdk_client *c, const struct tc_sdk_reply *r, void *data)
{
    struct member *m = data;

    if (r->request != TC_SDK_REQ_JOIN) {
        return;
    }
    for (size_t i = 0; i < r->n_peers; i++) {
        add_mate(m, r->peers[i].peer);
    }
    if (!m->joined) {
        m->joined = true;
        atomic_fetch_add(&n_joined, 1);
    }
}

static void
on_error(struct tc_sdk_client *c, const struct tc_sdk_error *e, void *data)
{
    if (strcmp(e->code, "rate-limited") == 0) {
        atomic_fetch_add(&n_refused, 1);
        return;
    }
    if (atomic_fetch_add(&n_errors, 1) < 5) {
        fprintf(stderr, "loadgen: error %s (%s)\n", e->code,
                e->message ? e->message : "");
    }
}

static void
on_peer(struct tc_sdk_client *c, const struct tc_sdk_peer_event *e, void *data)
{
    struct member *m = data;

    if (e->kind == TC_SDK_PEER_JOINED) {
        add_mate(m, e->peer->peer);
    } else if (e->kind == TC_SDK_PEER_LEFT) {
        drop_mate(m, e->peer->peer);
    }
}

static void
record(struct member *m, const char *stamp)
{
    int64_t sent = g_ascii_strtoll(stamp, NULL, 10), lat;
    int64_t t = now_us();
    int s = atomic_load(&step);
    int ph = atomic_load(&phase);
    int64_t start = atomic_load(&step_started_us);

    atomic_fetch_add(&n_received, 1);
    if (sent <= 0 || ph < 2 || ph > 3 || sent < start) {
        return; /* not loading, or sent during the step before */
    }
    /* throughput: what arrived in the window (after the first second) */
    if (ph == 2 && t >= start + WARMUP_US) {
        atomic_fetch_add(&n_counted[s], 1);
    }
    /* latency: what was sent in the window, wherever it arrived up to the
     * end of the drain; a message sent in the warm-up second is part of
     * the warm-up even when it arrives after it */
    if (sent < start + WARMUP_US) {
        return;
    }
    lat = t - sent;
    if (m->w->slow && lat >= 1000 && m->w->n_slow < MAX_SLOW) {
        int64_t *e = m->w->slow[m->w->n_slow++];
        e[0] = t;
        e[1] = lat;
        e[2] = s;
    }
    m->w->hist[s][MIN(MAX(lat, 0) / BUCKET_US, N_BUCKETS)]++;
}

static void
on_relay(struct tc_sdk_client *c, const struct tc_sdk_relay *r, void *data)
{
    if (r->kind == TC_SDK_RELAY_CANDIDATE &&
        g_str_has_prefix(r->candidate, "candidate:")) {
        record(data, r->candidate + strlen("candidate:"));
    }
}

/* A relayed candidate of ours is taken as received: its send time is all
 * that is needed, and parsing 30,000 messages a second into JSON trees
 * costs this thread more than a quarter of its CPU (perf), time in which
 * its receives wait and count as relay latency. The server writes the
 * type first; anything else goes to the SDK. */
static bool
on_frame(struct tc_sdk_client *c, const char *text, size_t len, void *data)
{
    static const char type[] = "{\"type\":\"candidate\",";
    static const char key[] = "\"candidate\":\"candidate:";
    const char *at;

    if (opt.chat || len < sizeof(type) ||
        memcmp(text, type, sizeof(type) - 1) != 0) {
        return false;
    }
    at = memmem(text, len, key, sizeof(key) - 1);
    if (!at || (size_t)(at - text) + sizeof(key) + 20 > len) {
        return false; /* a stamp is followed by more than 20 bytes */
    }
    record(data, at + sizeof(key) - 1);
    return true;
}

static void
on_chat(struct tc_sdk_client *c, const struct tc_sdk_chat *m, void *data)
{
    record(data, m->text);
}

static void
on_closed(struct tc_sdk_client *c, const struct tc_sdk_close *e, void *data)
{
    if (atomic_fetch_add(&n_closed, 1) < 5) {
        fprintf(stderr, "loadgen: connection closed %d %s%s\n", e->code,
                e->reason, e->reconnecting ? " (reconnecting)" : "");
    }
}

static const struct tc_sdk_callbacks callbacks = {
    .welcome = on_welcome,
    .reply = on_reply,
    .error = on_error,
    .peer = on_peer,
    .relay = on_relay,
    .chat = on_chat,
    .closed = on_closed,
    .frame = on_frame,
};

/* ---- sending ----------------------------------------------------------- */

static void
send_one(struct member *m)
{
    char text[96];
    int rc;

    if (opt.chat) {
        snprintf(text, sizeof(text), "%" PRId64, now_us());
        rc = tc_sdk_client_send_chat(m->c, m->room, text, NULL);
    } else {
        const char *to = m->mates[m->next_mate++ % m->n_mates];
        snprintf(text, sizeof(text),
                 "candidate:%" PRId64 " 1 udp 2122260223 127.0.0.1 9 typ "
                 "host",
                 now_us());
        rc = tc_sdk_client_send_candidate(m->c, m->room, to, text, "0", 0,
                                          NULL);
    }
    if (rc == 0) {
        atomic_fetch_add(&n_sent, 1);
        atomic_fetch_add(&n_step_sent[atomic_load(&step)], 1);
    } else {
        atomic_fetch_add(&n_blocked, 1);
    }
}

static gboolean tick_run(struct worker *w);

static gboolean
on_tick(gpointer data)
{
    int64_t t0 = tc_loopstat_now();
    gboolean rc = tick_run(data);

    if (t0) {
        tc_loopstat_note("loadgen tick", tc_loopstat_now() - t0);
    }
    return rc;
}

/* Connecting: start connect_rate clients a second over all threads, by
 * the clock (all at once without a rate). */
static void
tick_connect(struct worker *w)
{
    int64_t t = now_us();
    int per_tick;

    if (!w->connect_t0_us) {
        w->connect_t0_us = t;
    }
    per_tick = opt.connect_rate > 0
                   ? (int)((t - w->connect_t0_us) * opt.connect_rate /
                           opt.threads / 1000000) +
                         1 - w->started
                   : w->n_members;
    for (int i = 0; i < per_tick && w->started < w->n_members; i++) {
        tc_sdk_client_start(w->members[w->started++].c);
    }
}

/* One pacer visit: the member's credit grows with the time since its
 * last visit; a whole credit is a message. */
static void
visit(struct member *m, int64_t t, double rate)
{
    if (!m->joined || m->n_mates == 0 ||
        tc_sdk_client_state(m->c) != TC_SDK_STATE_READY) {
        return;
    }
    if (m->last_visit_us == 0) {
        m->credit = g_random_double();
    } else {
        /* After a stall (this thread waited for a core), at most two
         * rounds' worth: a burst of everything owed would delay this
         * thread's receives (counted as latency); what is skipped is not
         * counted as sent. */
        m->credit =
            MIN(m->credit + rate * (double)(t - m->last_visit_us) / 1e6,
                1.0 + rate * 2 * ROUND_US / 1e6);
    }
    m->last_visit_us = t;
    while (m->credit >= 1.0) {
        m->credit -= 1.0;
        send_one(m);
    }
}

/* Loading: paced, not in bursts. Each tick visits the slice of members
 * that falls in it, so every member is visited once per ROUND_US and the
 * sends spread evenly over time. Timers run late under load: credit by
 * the clock, not the tick. A member's first credit is random, so members
 * at the same rate do not send in step. */
static void
tick_load(struct worker *w)
{
    int64_t t = now_us();
    double dt_us =
        w->last_tick_us ? (double)(t - w->last_tick_us) : TICK_MS * 1000.0;
    double rate = opt.rates[atomic_load(&step)];
    int visits;

    w->last_tick_us = t;
    w->pos += w->n_members * dt_us / ROUND_US;
    /* A late tick (the thread waited for a core) catches up over the next
     * ticks, at most CATCH_UP_TICKS ticks' visits at a time: one tick
     * sending a whole round at once kept this thread from its receives
     * for up to ~100 ms, counted as relay latency. */
    visits = (int)MIN(w->pos, MAX(1.0, (double)w->n_members * CATCH_UP_TICKS *
                                           TICK_MS * 1000 / ROUND_US));
    w->pos = MIN(w->pos - visits, (double)w->n_members); /* a stall */
    for (int v = 0; v < visits; v++) {
        visit(&w->members[w->cursor], t, rate);
        w->cursor = (w->cursor + 1) % w->n_members;
    }
}

/* Stopping: every client leaves normally, so the server frees the
 * sessions at once; returns false once all are gone (or after 5 s). */
static bool
tick_stop(struct worker *w)
{
    int busy = 0;

    if (!w->stop_at_us) {
        w->stop_at_us = now_us();
        for (int i = 0; i < w->n_members; i++) {
            tc_sdk_client_stop(w->members[i].c);
        }
    }
    for (int i = 0; i < w->n_members; i++) {
        busy += tc_sdk_client_state(w->members[i].c) != TC_SDK_STATE_IDLE &&
                tc_sdk_client_state(w->members[i].c) != TC_SDK_STATE_CLOSED;
    }
    return busy > 0 && now_us() <= w->stop_at_us + 5000000;
}

static gboolean
tick_run(struct worker *w)
{
    int p = atomic_load(&phase);

    if (p == 0 && w->started < w->n_members) {
        tick_connect(w);
    }
    if (p == 2) {
        tick_load(w);
    } else {
        w->last_tick_us = 0;
        w->pos = 0;
        for (int i = 0; p == 3 && i < w->n_members; i++) {
            w->members[i].last_visit_us = 0;
        }
    }
    if (p == 4 && !tick_stop(w)) {
        g_main_loop_quit(w->loop);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gpointer
worker_main(gpointer data)
{
    struct worker *w = data;
    GSource *tick;

    g_main_context_push_thread_default(w->ctx);
    if (tc_loopstat_wanted()) {
        g_atomic_pointer_set(&w->ls, tc_loopstat_new(w->ctx));
    }
    for (int i = 0; i < w->n_members; i++) {
        struct member *m = &w->members[i];
        struct tc_sdk_client_opts o = {
            .url = opt.ws_url,
            .token = tokens[m->user],
            .ca_file = opt.ca_file,
            .context = w->ctx,
            .max_queue_bytes = 256 * 1024,
            .coalesce_us = opt.coalesce_us,
        };
        if (tc_sdk_client_new(&o, &callbacks, m, &m->c) < 0) {
            fprintf(stderr, "loadgen: cannot make client %d\n", i);
            abort();
        }
    }
    tick = g_timeout_source_new(TICK_MS);
    g_source_set_callback(tick, on_tick, w, NULL);
    g_source_attach(tick, w->ctx);
    g_main_loop_run(w->loop);
    tc_loopstat_free(g_atomic_pointer_exchange(&w->ls, NULL));
    g_source_destroy(tick);
    g_source_unref(tick);
    for (int i = 0; i < w->n_members; i++) {
        tc_sdk_client_free(w->members[i].c);
        for (int j = 0; j < w->members[i].n_mates; j++) {
            g_free(w->members[i].mates[j]);
        }
    }
    g_main_context_pop_thread_default(w->ctx);
    return NULL;
}

/* With TC_LOADGEN_SLOW=file: every counted message that took 1 ms or more,
 * "received_us latency_us step" a line (monotonic clock), for finding
 * what the slow ones have in common (a period, a moment). */
static void
slow_write(struct worker *w)
{
    FILE *f;

    if (!w->slow) {
        return;
    }
    f = fopen(getenv("TC_LOADGEN_SLOW"), w->index ? "a" : "w");
    for (size_t i = 0; f && i < w->n_slow; i++) {
        fprintf(f, "%" PRId64 " %" PRId64 " %" PRId64 "\n", w->slow[i][0],
                w->slow[i][1], w->slow[i][2]);
    }
    if (f) {
        fclose(f);
    }
    g_free(w->slow);
}

/* With TC_LOOP_STATS: each worker's loop iterations since the last call
 * (printed when `print`). A long iteration delays every message that
 * thread receives, and shows as relay latency. */
static void
loop_stats(struct worker *ws, bool print)
{
    for (int t = 0; t < opt.threads; t++) {
        struct tc_loopstat *ls = g_atomic_pointer_get(&ws[t].ls);
        struct tc_loopstat_report r;
        char line[400];
        if (!ls) {
            continue;
        }
        tc_loopstat_take(ls, &r);
        if (print) {
            tc_loopstat_format(&r, line, sizeof(line));
            printf("  loadgen thread %d loop: %s\n", t, line);
        }
    }
}

/* ---- set-up ------------------------------------------------------------ */

static void
raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
        rl.rlim_cur < (rlim_t)opt.clients + 64) {
        fprintf(stderr,
                "loadgen: warning: open files limited to %ju, below "
                "--clients + 64\n",
                (uintmax_t)rl.rlim_cur);
    }
}

static const char *
password_of(const char *accounts, const char *user)
{
    static char found[256];
    g_auto(GStrv) lines = g_strsplit(accounts, "\n", -1);

    for (char **l = lines; *l; l++) {
        g_auto(GStrv) f = g_strsplit_set(g_strstrip(*l), " \t", -1);
        char *cols[3] = {NULL};
        int n = 0;
        for (char **p = f; *p && n < 3; p++) {
            if (**p) {
                cols[n++] = *p;
            }
        }
        if (n >= 2 && strcmp(cols[0], user) == 0) {
            g_strlcpy(found, cols[1], sizeof(found));
            return found;
        }
    }
    return NULL;
}

static int
sign_in(void)
{
    g_autofree char *accounts = NULL;
    g_auto(GStrv) users = g_strsplit(opt.users, ",", MAX_USERS + 1);
    struct tc_sdk_login_opts lo = {.ca_file = opt.ca_file};

    if (!g_file_get_contents(opt.accounts, &accounts, NULL, NULL)) {
        fprintf(stderr, "loadgen: cannot read %s\n", opt.accounts);
        return -1;
    }
    for (n_users = 0; users[n_users] && n_users < MAX_USERS; n_users++) {
        const char *pw = password_of(accounts, users[n_users]);
        int rc = pw ? tc_sdk_login_with(opt.server, &lo, users[n_users], pw,
                                        NULL, &tokens[n_users])
                    : -ENOENT;
        if (rc < 0) {
            fprintf(stderr, "loadgen: login %s: %s\n", users[n_users],
                    strerror(-rc));
            return -1;
        }
    }
    if (n_users < opt.size_max) {
        fprintf(stderr, "loadgen: rooms of %d need %d --users\n", opt.size_max,
                opt.size_max);
        return -1;
    }
    return 0;
}

/* Rooms of size_min..size_max (cycling) until `clients` are placed;
 * whole rooms go to one worker, round robin. */
static struct worker *
plan(void)
{
    struct worker *ws = g_new0(struct worker, opt.threads);
    int placed = 0, room = 0;

    for (int t = 0; t < opt.threads; t++) {
        ws[t].index = t;
        ws[t].members = g_new0(struct member, opt.clients);
        ws[t].rooms = g_new0(char *, opt.clients);
        ws[t].ctx = g_main_context_new();
        ws[t].loop = g_main_loop_new(ws[t].ctx, FALSE);
        if (getenv("TC_LOADGEN_SLOW")) {
            ws[t].slow = g_malloc(sizeof(*ws[t].slow) * MAX_SLOW);
        }
        for (int s = 0; s < opt.n_steps; s++) {
            ws[t].hist[s] = g_new0(guint64, N_BUCKETS + 1);
        }
    }
    while (placed < opt.clients) {
        int span = opt.size_max - opt.size_min + 1;
        int k = MIN(opt.size_min + room % span, opt.clients - placed);
        struct worker *w = &ws[room % opt.threads];
        char *name =
            g_strdup_printf("%s%d", opt.room_prefix, opt.first_room + room);

        w->rooms[w->n_rooms++] = name;
        for (int j = 0; j < k; j++) {
            struct member *m = &w->members[w->n_members++];
            m->w = w;
            m->room = name;
            m->user = j;
            m->credit = g_random_double(); /* spread the sends */
        }
        placed += k;
        room++;
    }
    printf("plan: %d clients in %d rooms of %d-%d, %d thread(s)\n",
           opt.clients, room, opt.size_min, opt.size_max, opt.threads);
    return ws;
}

static long
server_rss_kib(void)
{
    char path[64], *text = NULL;
    const char *at;
    long kib = -1;

    if (opt.server_pid <= 0) {
        return -1;
    }
    snprintf(path, sizeof(path), "/proc/%d/status", opt.server_pid);
    if (g_file_get_contents(path, &text, NULL, NULL) &&
        (at = strstr(text, "VmRSS:"))) {
        kib = strtol(at + 6, NULL, 10);
    }
    g_free(text);
    return kib;
}

/* CPU time used so far (user + system, microseconds): the server's from
 * /proc (clock ticks), ours from getrusage. Per relayed message, these
 * say what a message costs even on a machine too busy to show it in
 * throughput. */
static int64_t
server_cpu_us(void)
{
    char path[64], *text = NULL, *p;
    unsigned long long ut = 0, st = 0;
    int64_t us = -1;

    if (opt.server_pid <= 0) {
        return -1;
    }
    snprintf(path, sizeof(path), "/proc/%d/stat", opt.server_pid);
    /* fields 14 and 15, counted after the ")" that ends the name */
    if (g_file_get_contents(path, &text, NULL, NULL) &&
        (p = strrchr(text, ')')) &&
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
               &ut, &st) == 2) {
        us = (int64_t)((ut + st) * 1000000ULL /
                       (unsigned long long)sysconf(_SC_CLK_TCK));
    }
    g_free(text);
    return us;
}

/* Time spent runnable but waiting for a core, from a schedstat file (its
 * second field, ns); -1 when unknown. */
static int64_t
schedstat_wait_us(const char *path)
{
    g_autofree char *text = NULL;
    unsigned long long run, wait;

    if (!g_file_get_contents(path, &text, NULL, NULL) ||
        sscanf(text, "%llu %llu", &run, &wait) != 2) {
        return -1;
    }
    return (int64_t)(wait / 1000);
}

/* How long the server's main thread (`pid` > 0), or every thread of ours
 * (pid 0), waited for a core so far. Per second of a step, this says how
 * starved each side was: on this 2-core machine the server, two workers
 * and anything else running share two cores. */
static int64_t
wait_us(int pid)
{
    g_autofree char *dir_path = NULL;
    g_autoptr(GDir) dir = NULL;
    const char *name;
    int64_t total = 0, w;

    if (pid > 0) {
        g_autofree char *path =
            g_strdup_printf("/proc/%d/task/%d/schedstat", pid, pid);
        return schedstat_wait_us(path);
    }
    dir_path = g_strdup_printf("/proc/%d/task", (int)getpid());
    dir = g_dir_open(dir_path, 0, NULL);
    if (!dir) {
        return -1;
    }
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *path =
            g_strdup_printf("%s/%s/schedstat", dir_path, name);
        if ((w = schedstat_wait_us(path)) > 0) {
            total += w;
        }
    }
    return total;
}

static int64_t
own_cpu_us(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
           ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static int
parse_args(int argc, char **argv)
{
    g_autofree char *sizes = NULL, *mode = NULL, *rates = NULL;
    GOptionEntry entries[] = {
        {"server", 0, 0, G_OPTION_ARG_STRING, &opt.server,
         "http(s)://host:port", NULL},
        {"accounts", 0, 0, G_OPTION_ARG_FILENAME, &opt.accounts,
         "username password lines", NULL},
        {"users", 0, 0, G_OPTION_ARG_STRING, &opt.users,
         "u1,u2,..: the j-th member of each room", NULL},
        {"room-prefix", 0, 0, G_OPTION_ARG_STRING, &opt.room_prefix,
         "e.g. consultation:", NULL},
        {"first-room", 0, 0, G_OPTION_ARG_INT, &opt.first_room, "first id",
         NULL},
        {"clients", 0, 0, G_OPTION_ARG_INT, &opt.clients, "N", NULL},
        {"room-size", 0, 0, G_OPTION_ARG_STRING, &sizes, "k or kmin-kmax",
         NULL},
        {"rate", 0, 0, G_OPTION_ARG_STRING, &rates,
         "messages/s per client; r1,r2,..: one load step each", NULL},
        {"duration", 0, 0, G_OPTION_ARG_INT, &opt.duration_s, "load seconds",
         NULL},
        {"idle", 0, 0, G_OPTION_ARG_INT, &opt.idle_s, "idle seconds", NULL},
        {"connect-rate", 0, 0, G_OPTION_ARG_INT, &opt.connect_rate,
         "new connections/s (0: all at once)", NULL},
        {"threads", 0, 0, G_OPTION_ARG_INT, &opt.threads, "workers", NULL},
        {"server-pid", 0, 0, G_OPTION_ARG_INT, &opt.server_pid,
         "read its VmRSS", NULL},
        {"mode", 0, 0, G_OPTION_ARG_STRING, &mode, "candidate or chat", NULL},
        {"ca-file", 0, 0, G_OPTION_ARG_FILENAME, &opt.ca_file, "PEM", NULL},
        {"coalesce-us", 0, 0, G_OPTION_ARG_INT, &opt.coalesce_us,
         "serve sockets in batches: wait up to this after events (0: off)",
         NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- signaling load");
    g_autoptr(GError) err = NULL;

    opt.room_prefix = g_strdup("consultation:");
    opt.first_room = 1;
    opt.clients = 100;
    opt.duration_s = 10;
    opt.idle_s = 5;
    opt.connect_rate = 2000;
    opt.threads = 1;
    opt.coalesce_us = 0;
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "loadgen: %s\n", err->message);
        return -1;
    }
    if (!opt.server || !opt.accounts || !opt.users) {
        fprintf(stderr, "loadgen: needs --server, --accounts, --users\n");
        return -1;
    }
    opt.size_min = opt.size_max = 2;
    if (sizes && sscanf(sizes, "%d-%d", &opt.size_min, &opt.size_max) == 1) {
        opt.size_max = opt.size_min;
    }
    opt.chat = mode && strcmp(mode, "chat") == 0;
    {
        g_auto(GStrv) r = g_strsplit(rates ? rates : "1", ",", MAX_STEPS);
        for (opt.n_steps = 0; r[opt.n_steps]; opt.n_steps++) {
            opt.rates[opt.n_steps] = g_ascii_strtod(r[opt.n_steps], NULL);
            if (opt.rates[opt.n_steps] < 0) {
                opt.n_steps = 0;
                break;
            }
        }
    }
    if (opt.size_min < 2 || opt.size_max > MAX_USERS ||
        opt.size_min > opt.size_max || opt.clients < 2 || opt.threads < 1 ||
        opt.n_steps < 1 || opt.coalesce_us < 0 || opt.coalesce_us > 999999) {
        fprintf(stderr, "loadgen: bad --room-size, --clients, --threads, "
                        "--rate or --coalesce-us\n");
        return -1;
    }
    opt.ws_url =
        g_strconcat(g_str_has_prefix(opt.server, "https") ? "wss" : "ws",
                    strchr(opt.server, ':'), "/ws", NULL);
    return 0;
}

/* ---- the run ----------------------------------------------------------- */

static int64_t
percentile(guint64 *hist, guint64 total, double q)
{
    guint64 want = (guint64)(q * (double)total), seen = 0;

    for (int i = 0; i <= N_BUCKETS; i++) {
        seen += hist[i];
        if (seen > want) {
            return (int64_t)(i + 1) * BUCKET_US;
        }
    }
    return (int64_t)N_BUCKETS * BUCKET_US;
}

static void
wait_until(int64_t deadline_us, bool (*done)(void))
{
    while (now_us() < deadline_us && !(done && done())) {
        g_usleep(20000);
    }
}

static bool
all_joined(void)
{
    return atomic_load(&n_joined) >= opt.clients;
}

static void
report_setup(double setup_s, long rss0, long rss1)
{
    printf("connections: %d ready, %d joined of %d in %.2f s (%.0f/s)\n",
           atomic_load(&n_ready), atomic_load(&n_joined), opt.clients, setup_s,
           opt.clients / setup_s);
    if (rss0 > 0 && rss1 > 0) {
        printf("server rss: %ld KiB before, %ld KiB with %d idle "
               "connections: %.2f KiB per connection\n",
               rss0, rss1, opt.clients, (double)(rss1 - rss0) / opt.clients);
    }
    printf("RESULT-SETUP clients=%d joined=%d setup_per_s=%.0f "
           "rss_kib_per_conn=%.2f\n",
           opt.clients, atomic_load(&n_joined), opt.clients / setup_s,
           rss0 > 0 && rss1 > 0 ? (double)(rss1 - rss0) / opt.clients : -1);
    fflush(stdout);
}

/* One load step: throughput over its measured window, latency. */
static void
report_step(struct worker *ws, int s, int64_t window_us, int64_t srv_cpu_us,
            int64_t own_cpu, int64_t srv_wait, int64_t own_wait)
{
    g_autofree guint64 *hist = g_new0(guint64, N_BUCKETS + 1);
    guint64 total = 0;
    double secs = (double)window_us / 1e6;
    double per_s = (double)atomic_load(&n_counted[s]) / secs;
    int64_t p50, p99, p999;

    for (int t = 0; t < opt.threads; t++) {
        for (int i = 0; i <= N_BUCKETS; i++) {
            hist[i] += ws[t].hist[s][i];
            total += ws[t].hist[s][i];
        }
    }
    p50 = percentile(hist, total, 0.5);
    p99 = percentile(hist, total, 0.99);
    p999 = percentile(hist, total, 0.999);
    printf("step %d: %.1f msgs/s per client offered (%.0f/s): %" PRId64
           " sent, %.0f relayed msgs/s received; latency us p50 %" PRId64
           " p99 %" PRId64 " p999 %" PRId64 "\n",
           s + 1, opt.rates[s], opt.rates[s] * opt.clients,
           (int64_t)atomic_load(&n_step_sent[s]), per_s, p50, p99, p999);
    double n = (double)MAX(atomic_load(&n_counted[s]), 1);
    printf("  cpu per relayed message: server %.1f us, loadgen %.1f us\n",
           srv_cpu_us >= 0 ? (double)srv_cpu_us / n : -1.0,
           (double)own_cpu / n);
    printf("  waiting for a core (runnable, not running), ms per s: server "
           "main thread %.0f, loadgen threads %.0f\n",
           srv_wait >= 0 ? (double)srv_wait / secs / 1000 : -1.0,
           own_wait >= 0 ? (double)own_wait / secs / 1000 : -1.0);
    printf("RESULT-STEP step=%d rate=%.2f offered_per_s=%.0f msgs_per_s=%.0f "
           "p50_us=%" PRId64 " p99_us=%" PRId64 " p999_us=%" PRId64
           " server_cpu_us_per_msg=%.1f loadgen_cpu_us_per_msg=%.1f\n",
           s + 1, opt.rates[s], opt.rates[s] * opt.clients, per_s, p50, p99,
           p999, srv_cpu_us >= 0 ? (double)srv_cpu_us / n : -1.0,
           (double)own_cpu / n);
    fflush(stdout);
}

int
main(int argc, char **argv)
{
    struct worker *ws;
    int64_t t0, setup_end;
    long rss0, rss1;

    if (parse_args(argc, argv) < 0) {
        return 2;
    }
    raise_fd_limit();
    if (sign_in() < 0) {
        return 1;
    }
    ws = plan();
    rss0 = server_rss_kib();
    t0 = now_us();
    for (int t = 0; t < opt.threads; t++) {
        ws[t].thread = g_thread_new("loadgen", worker_main, &ws[t]);
    }
    wait_until(t0 + 120 * 1000000LL, all_joined);
    setup_end = now_us();
    atomic_store(&phase, 1);
    wait_until(setup_end + (int64_t)opt.idle_s * 1000000, NULL);
    rss1 = server_rss_kib();
    report_setup((double)(setup_end - t0) / 1e6, rss0, rss1);
    for (int s = 0; s < opt.n_steps; s++) {
        int64_t start = now_us(), srv0, own0, srv_wait0, own_wait0;
        int64_t window, srv_cpu, own_cpu, srv_wait, own_wait;
        atomic_store(&step, s);
        atomic_store(&step_started_us, start);
        atomic_store(&phase, 2);
        /* the window counted: after the first second (warm-up) */
        wait_until(start + WARMUP_US, NULL);
        srv0 = server_cpu_us();
        own0 = own_cpu_us();
        srv_wait0 = opt.server_pid > 0 ? wait_us(opt.server_pid) : -1;
        own_wait0 = wait_us(0);
        loop_stats(ws, false);
        wait_until(start + (int64_t)opt.duration_s * 1000000, NULL);
        atomic_store(&phase, 3); /* stop sending, let the last arrive */
        window = now_us() - start - WARMUP_US;
        srv_cpu = srv0 >= 0 ? server_cpu_us() - srv0 : -1;
        own_cpu = own_cpu_us() - own0;
        srv_wait = srv_wait0 >= 0 ? wait_us(opt.server_pid) - srv_wait0 : -1;
        own_wait = own_wait0 >= 0 ? wait_us(0) - own_wait0 : -1;
        wait_until(now_us() + DRAIN_US, NULL);
        report_step(ws, s, window, srv_cpu, own_cpu, srv_wait, own_wait);
        loop_stats(ws, true);
        /* Past the peak: received under half of what was offered. Higher
         * steps would only pile up messages that the server must still
         * read (and the next run would measure that backlog). */
        if ((double)atomic_load(&n_counted[s]) * 1e6 / (double)MAX(window, 1) <
            0.5 * opt.rates[s] * opt.clients) {
            printf("saturated at step %d: the later steps are skipped\n",
                   s + 1);
            break;
        }
    }
    printf("totals: sent %lld (%lld refused by the SDK queue), received "
           "%lld; errors %d, rate-limited %d, closes %d\n",
           (long long)atomic_load(&n_sent), (long long)atomic_load(&n_blocked),
           (long long)atomic_load(&n_received), atomic_load(&n_errors),
           atomic_load(&n_refused), atomic_load(&n_closed));
    atomic_store(&phase, 4);
    for (int t = 0; t < opt.threads; t++) {
        g_thread_join(ws[t].thread);
        slow_write(&ws[t]);
        for (int r = 0; r < ws[t].n_rooms; r++) {
            g_free(ws[t].rooms[r]);
        }
        for (int s = 0; s < opt.n_steps; s++) {
            g_free(ws[t].hist[s]);
        }
        g_free(ws[t].rooms);
        g_free(ws[t].members);
        g_main_loop_unref(ws[t].loop);
        g_main_context_unref(ws[t].ctx);
    }
    g_free(ws);
    for (int u = 0; u < n_users; u++) {
        tc_sdk_token_free(tokens[u]);
    }
    return atomic_load(&n_joined) >= opt.clients ? 0 : 1;
}
