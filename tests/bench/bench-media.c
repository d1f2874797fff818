// SPDX-License-Identifier: Apache-2.0
/*
 * bench-media.c - the SFU benchmark (issue 6): how many forwarded 600-kbps
 * VP8 subscriber streams the media rooms (media/room.c, endpoint.c)
 * sustain on this machine with < 1% loss, the server's CPU per forwarded
 * stream, and the delay the server adds per packet (media/delay.c).
 *
 *   bench-media             (TC_BENCH_SIZES="2 4", TC_BENCH_STREAMS="12 24
 *                            36 ..." forwarded streams per step,
 *                            TC_BENCH_SECONDS window, default 10,
 *                            TC_BENCH_RUNS, default 3)
 *
 * Two processes, so their costs stay apart: a child is the server side
 * (tc_media rooms, exactly what telecare-server runs for a call; the
 * WebSocket signaling path, idle during a call, is left out) and the
 * parent is the load generator: synthetic participants (synth.c) that
 * publish one VP8 640x480 clip encoded once at start-up and replayed,
 * paced by the clock (no encoder per publisher), and receive their feeds
 * counting RTP only. Signaling between them is JSON lines over a
 * socketpair. ICE, DTLS and SRTP over loopback, as in production.
 *
 * Per step (rooms of `size`, enough rooms for the target number of
 * forwarded streams, size * (size - 1) per room): every feed must flow,
 * then after 3 s of warm-up a window of TC_BENCH_SECONDS measures
 *   - loss: 1 - packets received / sequence-number span, over all feeds
 *     (end to end: publisher -> server -> subscriber), and the worst feed;
 *   - CPU: the server process's utime + stime (/proc/<pid>/stat) and the
 *     load generator's (getrusage), per forwarded stream, in % of a core;
 *   - delay: the server's histogram (tc_media_delay_read) difference
 *     over the window, p50/p99 interpolated within buckets;
 *   - idle%: the whole machine's idle time in the window (/proc/stat), so
 *     a step starved by other work on this shared machine shows it.
 * A feed that never connects (ICE or DTLS failing under CPU starvation)
 * is left out of the loss and counted apart. A size stops at the first
 * step over 1% loss or with over 10% of its feeds not connected. Each
 * step runs TC_BENCH_RUNS times; the line shows medians.
 *
 * Prints figures; asserts nothing about time.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <gst/gst.h>
#include <jansson.h>

#include "synth.h"
#include "tc-media.h"

#define MAX_ROOMS 256
#define MAX_SIZE  6

/* ---- JSON lines over the socketpair (both processes) ---- */

typedef void (*msg_fn)(json_t *msg);

static GIOChannel *chan;
static GString *inbuf;
static msg_fn on_msg; /* this process's handler */

static void
send_msg(json_t *msg)
{
    char *text = json_dumps(msg, JSON_COMPACT);
    size_t len = strlen(text);
    size_t off = 0;

    json_decref(msg);
    text = g_realloc(text, len + 2);
    text[len++] = '\n';
    while (off < len) {
        ssize_t n =
            write(g_io_channel_unix_get_fd(chan), text + off, len - off);
        if (n < 0 && errno != EINTR) {
            break;
        }
        off += n > 0 ? (size_t)n : 0;
    }
    g_free(text);
}

/* Read what is there and hand each whole line to on_msg. */
static gboolean
on_readable(GIOChannel *c, GIOCondition cond, gpointer data)
{
    char buf[65536];
    ssize_t n = read(g_io_channel_unix_get_fd(c), buf, sizeof(buf));
    char *nl;

    if (n <= 0) {
        if (n == 0 || errno != EINTR) {
            exit(0); /* the other side went away */
        }
        return G_SOURCE_CONTINUE;
    }
    g_string_append_len(inbuf, buf, n);
    while ((nl = memchr(inbuf->str, '\n', inbuf->len))) {
        json_t *msg =
            json_loadb(inbuf->str, (size_t)(nl - inbuf->str), 0, NULL);
        g_string_erase(inbuf, 0, nl - inbuf->str + 1);
        if (msg) {
            on_msg(msg);
            json_decref(msg);
        }
    }
    return G_SOURCE_CONTINUE;
}

static void
chan_open(int fd, msg_fn fn)
{
    int big = 8 << 20;

    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
    inbuf = g_string_new(NULL);
    on_msg = fn;
    chan = g_io_channel_unix_new(fd);
    g_io_add_watch(chan, G_IO_IN | G_IO_HUP, on_readable, NULL);
}

static const char *
str(json_t *msg, const char *key)
{
    return json_string_value(json_object_get(msg, key));
}

static int
num(json_t *msg, const char *key)
{
    return (int)json_integer_value(json_object_get(msg, key));
}

/* ---- the server side (child) ---- */

static struct tc_media_room *srv_rooms[MAX_ROOMS];

static void
on_media_event(const struct tc_media_event *ev, void *data)
{
    int r = GPOINTER_TO_INT(data);
    json_t *m = json_pack("{s:i, s:s, s:s?}", "room", r, "id", ev->participant,
                          "feed", ev->feed);

    switch (ev->kind) {
    case TC_MEDIA_EV_SDP:
        json_object_set_new(m, "ev", json_string("sdp"));
        json_object_set_new(m, "type", json_string(ev->sdp_type));
        json_object_set_new(m, "sdp", json_string(ev->sdp));
        break;
    case TC_MEDIA_EV_CANDIDATE:
        json_object_set_new(m, "ev", json_string("cand"));
        json_object_set_new(m, "mline", json_integer(ev->mline));
        json_object_set_new(m, "cand", json_string(ev->candidate));
        break;
    case TC_MEDIA_EV_FEED_ENDED:
        json_object_set_new(m, "ev", json_string("ended"));
        break;
    case TC_MEDIA_EV_ERROR:
        fprintf(stderr, "# server: %s (feed %s): %s\n", ev->participant,
                ev->feed ? ev->feed : "-", ev->error);
        json_decref(m);
        return;
    default:
        json_decref(m);
        return;
    }
    send_msg(m);
}

static const char *const loopback[] = {"127.0.0.1", NULL};

static void
on_server_msg(json_t *msg)
{
    const char *op = str(msg, "op");
    int r = num(msg, "room");
    struct tc_media_room *room = r >= 0 && r < MAX_ROOMS ? srv_rooms[r] : NULL;
    const char *id = str(msg, "id");
    const char *sdp = str(msg, "sdp");

    if (strcmp(op, "new") == 0 && r >= 0 && r < MAX_ROOMS && !room) {
        struct tc_media_config cfg = {.ice_addresses = loopback};
        char name[16];

        g_snprintf(name, sizeof(name), "bench%d", r);
        tc_media_room_new(name, &cfg, NULL, on_media_event, GINT_TO_POINTER(r),
                          &srv_rooms[r]);
    } else if (strcmp(op, "delay") == 0) {
        struct tc_media_delay_hist h;
        json_t *b = json_array();

        tc_media_delay_read(&h);
        for (unsigned i = 0; i < TC_MEDIA_DELAY_BUCKETS; i++) {
            json_array_append_new(b, json_integer((json_int_t)h.buckets[i]));
        }
        send_msg(json_pack("{s:s, s:o, s:I}", "ev", "delay", "buckets", b,
                           "over", (json_int_t)h.over));
    } else if (!room) {
        return;
    } else if (strcmp(op, "offer") == 0) {
        tc_media_room_offer(room, id, sdp, strlen(sdp));
    } else if (strcmp(op, "answer") == 0) {
        tc_media_room_answer(room, id, str(msg, "feed"), sdp, strlen(sdp));
    } else if (strcmp(op, "cand") == 0) {
        tc_media_room_candidate(room, id, str(msg, "feed"),
                                (unsigned)num(msg, "mline"), str(msg, "cand"));
    } else if (strcmp(op, "free") == 0) {
        tc_media_room_free(room);
        srv_rooms[r] = NULL;
    }
}

static int
server_main(int fd)
{
    char *why = NULL;
    GMainLoop *loop;

    if (tc_media_init(&why) < 0) {
        fprintf(stderr, "# server: %s\n", why);
        return 1;
    }
    chan_open(fd, on_server_msg);
    loop = g_main_loop_new(NULL, FALSE);
    g_main_loop_run(loop);
    return 0;
}

/* ---- the load generator (parent) ---- */

struct who {
    int room;
    char id[8];
    struct synth *s;
};

static struct who *whos[MAX_ROOMS * MAX_SIZE];
static unsigned n_whos;
static json_t *delay_reply;

static struct who *
who_find(int room, const char *id)
{
    for (unsigned i = 0; id && i < n_whos; i++) {
        if (whos[i]->room == room && strcmp(whos[i]->id, id) == 0) {
            return whos[i];
        }
    }
    return NULL;
}

static void
on_loadgen_msg(json_t *msg)
{
    const char *ev = str(msg, "ev");
    struct who *w = who_find(num(msg, "room"), str(msg, "id"));

    if (strcmp(ev, "delay") == 0) {
        json_decref(delay_reply);
        delay_reply = json_incref(msg);
    } else if (!w) {
        return;
    } else if (strcmp(ev, "sdp") == 0) {
        synth_on_sdp(w->s, str(msg, "feed"), str(msg, "type"),
                     str(msg, "sdp"));
    } else if (strcmp(ev, "cand") == 0) {
        synth_on_candidate(w->s, str(msg, "feed"), (unsigned)num(msg, "mline"),
                           str(msg, "cand"));
    } else if (strcmp(ev, "ended") == 0) {
        synth_feed_end(w->s, str(msg, "feed"));
    }
}

static void
syn_sdp(void *data, const char *feed, const char *type, const char *sdp)
{
    struct who *w = data;

    send_msg(json_pack("{s:s, s:i, s:s, s:s?, s:s}", "op",
                       feed ? "answer" : "offer", "room", w->room, "id", w->id,
                       "feed", feed, "sdp", sdp));
}

static void
syn_cand(void *data, const char *feed, unsigned mline, const char *cand)
{
    struct who *w = data;

    send_msg(json_pack("{s:s, s:i, s:s, s:s?, s:i, s:s}", "op", "cand", "room",
                       w->room, "id", w->id, "feed", feed, "mline", (int)mline,
                       "cand", cand));
}

static const struct synth_ops ops = {syn_sdp, syn_cand};

static void
spin(int ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

    while (g_get_monotonic_time() < end) {
        while (g_main_context_iteration(NULL, FALSE)) {
        }
        g_usleep(2000);
    }
}

static double
server_cpu_s(pid_t pid)
{
    char path[64], buf[1024];
    unsigned long ut = 0, st = 0;
    FILE *f;
    char *p;

    g_snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (!f) {
        return 0;
    }
    if (!fgets(buf, sizeof(buf), f)) {
        buf[0] = 0;
    }
    fclose(f);
    p = strrchr(buf, ')'); /* fields after the command name */
    if (p &&
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
               &ut, &st) == 2) {
        return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
    }
    return 0;
}

static int
server_threads(pid_t pid)
{
    char path[64], line[256];
    int n = 0;
    FILE *f;

    g_snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    while (f && fgets(line, sizeof(line), f)) {
        sscanf(line, "Threads: %d", &n);
    }
    if (f) {
        fclose(f);
    }
    return n;
}

/* Idle and total jiffies of the whole machine (/proc/stat). */
static void
machine_jiffies(double *idle, double *total)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");

    *idle = *total = 0;
    if (f && fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
                    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
        for (int i = 0; i < 8; i++) {
            *total += (double)v[i];
        }
        *idle = (double)(v[3] + v[4]);
    }
    if (f) {
        fclose(f);
    }
}

static double
self_cpu_s(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* The server's delay histogram now, into b (TC_MEDIA_DELAY_BUCKETS + 1). */
static bool
delay_now(uint64_t *b)
{
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    g_clear_pointer(&delay_reply, json_decref);
    send_msg(json_pack("{s:s, s:i}", "op", "delay", "room", -1));
    while (!delay_reply && g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, TRUE);
    }
    if (!delay_reply) {
        return false;
    }
    for (unsigned i = 0; i < TC_MEDIA_DELAY_BUCKETS; i++) {
        b[i] = (uint64_t)json_integer_value(
            json_array_get(json_object_get(delay_reply, "buckets"), i));
    }
    b[TC_MEDIA_DELAY_BUCKETS] =
        (uint64_t)json_integer_value(json_object_get(delay_reply, "over"));
    return true;
}

/* Quantile q of a bucket difference, microseconds, geometric
 * interpolation inside the bucket. */
static double
quantile_us(const uint64_t *d, double q)
{
    uint64_t total = 0, seen = 0;

    for (unsigned i = 0; i <= TC_MEDIA_DELAY_BUCKETS; i++) {
        total += d[i];
    }
    if (total == 0) {
        return NAN;
    }
    for (unsigned i = 0; i < TC_MEDIA_DELAY_BUCKETS; i++) {
        if (seen + d[i] >= q * (double)total) {
            double lo = i ? (double)tc_media_delay_bound_us(i - 1) : 1;
            double hi = (double)tc_media_delay_bound_us(i);
            double f =
                d[i] ? (q * (double)total - (double)seen) / (double)d[i] : 0;
            return lo * pow(hi / lo, f);
        }
        seen += d[i];
    }
    return (double)tc_media_delay_bound_us(TC_MEDIA_DELAY_BUCKETS - 1);
}

struct result {
    unsigned flowing; /* feeds that carried video (loss is theirs) */
    unsigned feeds;
    double loss;       /* over all feeds */
    double worst_loss; /* of one feed */
    double srv_pct;    /* server CPU, % of one core, per forwarded stream */
    double gen_pct;    /* load generator's */
    double srv_total;  /* server CPU, % of one core */
    double p50_us, p99_us;
    double mbps;     /* forwarded */
    double idle_pct; /* of the whole machine during the window */
    int threads;
};

struct feed_ref {
    struct who *w;
    char feed[8];
};

static void
step(const struct synth_clip *clip, pid_t server, unsigned size,
     unsigned rooms, unsigned seconds, struct result *res)
{
    struct synth_opts o = {.video = true, .count_only = true, .clip = clip};
    unsigned n_feeds = rooms * size * (size - 1);
    struct feed_ref *feeds = g_new0(struct feed_ref, n_feeds);
    uint64_t *pk0 = g_new0(uint64_t, n_feeds),
             *ex0 = g_new0(uint64_t, n_feeds);
    uint64_t b0[TC_MEDIA_DELAY_BUCKETS + 1], b1[TC_MEDIA_DELAY_BUCKETS + 1];
    uint64_t bytes0 = 0, bytes1 = 0, got = 0, want = 0;
    double s0, g0, s1, g1, wall, i0, j0, i1, j1;
    gint64 t0, deadline;
    unsigned k = 0, flowing = 0;

    memset(res, 0, sizeof(*res));
    for (unsigned r = 0; r < rooms; r++) {
        send_msg(json_pack("{s:s, s:i}", "op", "new", "room", (int)r));
        for (unsigned i = 0; i < size; i++) {
            struct who *w = g_new0(struct who, 1);

            w->room = (int)r;
            g_snprintf(w->id, sizeof(w->id), "p%u", i);
            whos[n_whos++] = w;
            w->s = synth_new(&o, &ops, w);
            synth_publish(w->s);
        }
        spin(100); /* let set-up proceed room by room */
    }
    for (unsigned i = 0; i < n_whos; i++) {
        for (unsigned j = 0; j < size; j++) {
            if (j != i % size) {
                feeds[k].w = whos[i];
                g_snprintf(feeds[k].feed, sizeof(feeds[k].feed), "p%u", j);
                k++;
            }
        }
    }
    deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    while (g_get_monotonic_time() < deadline && flowing < n_feeds) {
        spin(200);
        flowing = 0;
        for (k = 0; k < n_feeds; k++) {
            flowing +=
                synth_feed(feeds[k].w->s, feeds[k].feed).video_packets > 0;
        }
    }
    res->flowing = flowing;
    res->feeds = n_feeds;
    if (flowing < n_feeds) {
        printf("# size %u rooms %u: %u of %u feeds flowing after 30 s\n", size,
               rooms, flowing, n_feeds);
    }
    spin(3000);
    /* the window */
    for (k = 0; k < n_feeds; k++) {
        struct synth_feed_stats st = synth_feed(feeds[k].w->s, feeds[k].feed);
        pk0[k] = st.video_packets;
        ex0[k] = st.video_expected;
        bytes0 += st.rtp_bytes;
    }
    delay_now(b0);
    s0 = server_cpu_s(server);
    g0 = self_cpu_s();
    machine_jiffies(&i0, &j0);
    t0 = g_get_monotonic_time();
    spin((int)seconds * 1000);
    s1 = server_cpu_s(server);
    g1 = self_cpu_s();
    machine_jiffies(&i1, &j1);
    res->idle_pct = j1 > j0 ? 100.0 * (i1 - i0) / (j1 - j0) : 0;
    wall = (double)(g_get_monotonic_time() - t0) / 1e6;
    delay_now(b1);
    res->threads = server_threads(server);
    res->worst_loss = 0;
    for (k = 0; k < n_feeds; k++) {
        struct synth_feed_stats st = synth_feed(feeds[k].w->s, feeds[k].feed);
        uint64_t g = st.video_packets - pk0[k];
        uint64_t e = st.video_expected - ex0[k];
        double l = e ? 1.0 - (double)g / (double)e : 1.0;

        if (pk0[k] == 0) {
            continue; /* never connected: counted apart */
        }
        got += g;
        want += e;
        bytes1 += st.rtp_bytes;
        res->worst_loss = l > res->worst_loss ? l : res->worst_loss;
    }
    res->loss = want ? 1.0 - (double)got / (double)want : 1.0;
    res->srv_total = 100.0 * (s1 - s0) / wall;
    res->srv_pct = res->srv_total / n_feeds;
    res->gen_pct = 100.0 * (g1 - g0) / wall / n_feeds;
    res->mbps = (double)(bytes1 - bytes0) * 8 / wall / 1e6;
    for (unsigned i = 0; i <= TC_MEDIA_DELAY_BUCKETS; i++) {
        b1[i] -= b0[i];
    }
    res->p50_us = quantile_us(b1, 0.50);
    res->p99_us = quantile_us(b1, 0.99);
    /* tear down */
    for (unsigned i = 0; i < n_whos; i++) {
        synth_free(whos[i]->s);
        g_free(whos[i]);
    }
    n_whos = 0;
    for (unsigned r = 0; r < rooms; r++) {
        send_msg(json_pack("{s:s, s:i}", "op", "free", "room", (int)r));
    }
    spin(2000);
    g_free(feeds);
    g_free(pk0);
    g_free(ex0);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double
median(double *v, unsigned n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static unsigned
env_uint(const char *name, unsigned def)
{
    const char *v = getenv(name);

    return v && atoi(v) > 0 ? (unsigned)atoi(v) : def;
}

static void
run_size(const struct synth_clip *clip, pid_t server, unsigned size,
         char **targets, unsigned seconds, unsigned runs)
{
    unsigned per_room = size * (size - 1);

    printf("# rooms of %u (%u forwarded streams per room)\n", size, per_room);
    printf("# %5s %7s %7s %7s %9s %9s %9s %9s %8s %8s %7s %6s\n", "rooms",
           "streams", "Mbit/s", "loss%", "worst%", "srv%core", "srv%/str",
           "gen%/str", "p50_us", "p99_us", "thrds", "idle%");
    for (unsigned t = 0; targets[t]; t++) {
        unsigned rooms =
            ((unsigned)atoi(targets[t]) + per_room - 1) / per_room;
        double loss[16], worst[16], srv[16], gen[16], tot[16], p50[16],
            p99[16], mbps[16], idle[16];
        unsigned missing = 0;
        int threads = 0;

        if (rooms == 0 || rooms > MAX_ROOMS) {
            continue;
        }
        for (unsigned i = 0; i < runs; i++) {
            struct result r;

            step(clip, server, size, rooms, seconds, &r);
            missing = MAX(missing, r.feeds - r.flowing);
            loss[i] = r.loss * 100;
            worst[i] = r.worst_loss * 100;
            srv[i] = r.srv_pct;
            gen[i] = r.gen_pct;
            tot[i] = r.srv_total;
            p50[i] = r.p50_us;
            p99[i] = r.p99_us;
            mbps[i] = r.mbps;
            idle[i] = r.idle_pct;
            threads = r.threads;
        }
        printf("  %5u %7u %7.1f %7.2f %9.2f %9.1f %9.3f %9.3f %8.0f %8.0f "
               "%7d %6.1f\n",
               rooms, rooms * per_room, median(mbps, runs), median(loss, runs),
               median(worst, runs), median(tot, runs), median(srv, runs),
               median(gen, runs), median(p50, runs), median(p99, runs),
               threads, median(idle, runs));
        fflush(stdout);
        if (missing > 0) {
            printf("# (up to %u feeds of a run never connected: not counted "
                   "in loss)\n",
                   missing);
        }
        if (missing * 10 > rooms * per_room || median(loss, runs) >= 1.0) {
            printf("# rooms of %u: stop at %u streams (loss >= 1%% or over "
                   "10%% of feeds not connected)\n",
                   size, rooms * per_room);
            break;
        }
    }
}

int
main(int argc, char **argv)
{
    int sv[2];
    pid_t server;
    unsigned seconds = env_uint("TC_BENCH_SECONDS", 10);
    unsigned runs = env_uint("TC_BENCH_RUNS", 3);
    const char *sizes_env = getenv("TC_BENCH_SIZES");
    const char *streams_env = getenv("TC_BENCH_STREAMS");
    g_auto(GStrv) sizes = g_strsplit(sizes_env ? sizes_env : "2 4", " ", -1);
    g_auto(GStrv) targets = g_strsplit(
        streams_env ? streams_env : "12 24 36 48 60 72 96 120", " ", -1);
    struct synth_clip *clip;

    setvbuf(stdout, NULL, _IOLBF, 0);
    runs = runs > 15 ? 15 : runs;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        perror("socketpair");
        return 1;
    }
    /* Fork before either side starts threads. */
    server = fork();
    if (server == 0) {
        close(sv[0]);
        return server_main(sv[1]);
    }
    close(sv[1]);
    gst_init(&argc, &argv);
    chan_open(sv[0], on_loadgen_msg);
    clip = synth_clip_new(600, 10);
    if (!clip) {
        kill(server, SIGTERM);
        return 1;
    }
    printf("# bench-media: VP8 640x480 30 fps clip of %.0f kbit/s replayed; "
           "window %u s, medians of %u runs; GStreamer %s\n",
           synth_clip_bps(clip) / 1000, seconds, runs, gst_version_string());
    printf("# loss: end to end over all feeds (worst: one feed); srv/gen "
           "%%/str: server / load generator CPU per forwarded stream, %% of "
           "one core; p50/p99: delay the server adds (SRTP decrypt to SRTP "
           "encrypt); idle%%: the machine's (2 cores) during the window\n");
    for (unsigned i = 0; sizes[i]; i++) {
        unsigned size = (unsigned)atoi(sizes[i]);

        if (size >= 2 && size <= MAX_SIZE) {
            run_size(clip, server, size, targets, seconds, runs);
        }
    }
    synth_clip_free(clip);
    kill(server, SIGTERM);
    waitpid(server, NULL, 0);
    return 0;
}
