// SPDX-License-Identifier: Apache-2.0
/*
 * bench-ecg.c - the ECG relay benchmark (issue 7): streams of 12 leads at
 * 500 Hz (10 frames, 240 bytes of samples, 50 packets/s each), each
 * relayed to 2 SRTP subscribers, through the real relay
 * (media/ecg-relay.c) over loopback UDP.
 *
 *   bench-ecg [scale]   scale multiplies the stream counts (or
 *                       TC_BENCH_SCALE); environment:
 *     TC_BENCH_SECONDS  measured seconds per run (5), after 1 s to settle
 *     TC_BENCH_RUNS     runs per stream count, medians quoted (3)
 *     TC_BENCH_PROFILE  gcm (AEAD_AES_128_GCM, default) or hmac
 *                       (AES_CM_128_HMAC_SHA1_80)
 *     TC_BENCH_CRYPTO   openssl (default) or libsrtp: the ciphers under
 *                       libsrtp2 (tc_media_srtp_set_crypto)
 *     TC_BENCH_PIN      1 (default): the relay thread on CPU 0, the load
 *                       generator on CPU 1; 0: the scheduler decides
 *     TC_BENCH_ARCHIVE  1: archive every stream (WFDB) as well
 *     TC_BENCH_MAX      go on to this stream count even past a failing
 *                       one (default: stop at the first that fails)
 *     TC_BENCH_COUNTS   the stream counts to run, "1500,2000" (default:
 *                       250, 500, 1000, 1500, 2000, 2500, ... up to 8000)
 *     TC_BENCH_TABLE    0: leave out the bare crypto table at the end
 *     TC_BENCH_TIMELINE a file to append, per run and 10 ms of send time,
 *                       the packets received and their largest latency
 *     TC_BENCH_NET      loopback (default) or veth: devices and
 *                       subscribers in a network namespace behind a veth
 *                       pair, each side's receive on the core a NIC's
 *                       would use (root; see bench-ecg-net.c)
 *     TC_BENCH_GSO      on (default), off, or ab: each run once with the
 *                       relay's UDP GSO off and once on, alternating, a
 *                       line for each (tc_media_ecg_relay_set_gso)
 *     TC_BENCH_SUBSCRIBERS  shared (default): both subscriber sockets
 *                       take every stream (many streams to one address:
 *                       GSO runs up to the batch); per-stream: each
 *                       stream's two subscribers at addresses of their
 *                       own (127.1.x.y, still read by the same two
 *                       sockets bound to any address; loopback only), so
 *                       no two packets of a batch share an address
 *     TC_BENCH_GRO      on (default): the subscriber sockets read with
 *                       UDP_GRO, as the SDK's do, so a GSO run from the
 *                       relay reaches them as one buffer (on loopback,
 *                       not cut into datagrams in the relay's system
 *                       call); off: datagram by datagram
 *     TC_BENCH_STAMP    app (default): a packet's latency ends when the
 *                       load generator reads it; kernel: when the kernel
 *                       put it in the subscriber's socket (SO_TIMESTAMPNS),
 *                       so the generator's own delays are not counted
 *
 * Threads: the relay on its own thread and GMainContext (as it runs on
 * the server's main loop); the load generator on the main thread: the
 * devices (SRTP protect + sendmmsg, paced every 0.5 ms, each stream at its
 * own phase) and both subscriber sockets (recvmmsg; latency from the
 * clear RTP header against the send time of that packet). The machine
 * has two cores: pinned, the relay has one core and the load generator
 * the other, so the figures are per relay core.
 *
 * Stream counts step up (250, 500, 1000, 1500, ... times the scale) until
 * one fails: a run passes when no packet is lost (both subscribers got
 * every packet sent in the measured window) and p99 relay latency (send
 * to subscriber receive) is at most 5 ms. Per count, medians of the
 * runs: loss, p50/p99, the relay thread's CPU time per packet it took in
 * (one in, two out: everything, system calls included), the load
 * generator's, and, in the same run, bare libsrtp on the same packets
 * (srtp_unprotect + 2 x srtp_protect, one thread on the relay's core, as
 * many sessions as
 * the relay holds) and the ratio relay / bare (ratioU: the relay's user
 * time alone / bare, a side figure); pk/msg: packets per message the
 * relay's sendmmsg calls carried (1 without GSO); ksoft: ksoftirqd/0's
 * CPU time per packet (softirq work the kernel deferred from the relay's
 * system calls to that thread: not in relay_us); cpu0_us and ratio0 the
 * same with all of CPU 0's busy time instead of the relay thread's (the
 * softirqs that ran there in any context, and anything else that ran on
 * CPU 0: meaningful on a quiet machine only). Last, bare libsrtp under
 * both cipher implementations and both profiles against the number of
 * sessions: what the crypto alone allows per core.
 *
 * What the relay thread's time holds on loopback: its user time, its
 * recvmmsg, and its sendmmsg including each subscriber's receive path
 * (IP, UDP, socket queue: loopback delivers in the sender's system call),
 * but not its own socket's receive path, which runs in the generator's
 * send on CPU 1. TC_BENCH_NET=veth counts the other way round, as on a
 * NIC: the relay's receive path on CPU 0, the subscribers' on CPU 1.
 *
 * Prints figures; asserts nothing about time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "bench-ecg-bare.h"
#include "bench-ecg-net.h"
#include "tc-media.h"

#define BATCH   64
#define HIST_US 2000000 /* latency histogram: 1 us buckets up to 2 s */
#define MAX_N   20000
#define P99_MAX 5.0  /* ms */
#define TL_N    6000 /* timeline: 10 ms slots, 60 s */

static enum tc_media_srtp_crypto crypto = TC_MEDIA_SRTP_CRYPTO_OPENSSL;
static bool pin = true;

/* TC_BENCH_NET=veth: the devices and subscribers in a network namespace
 * of their own, joined to the relay's by a veth pair (see veth_up) */
static bool veth;
/* TC_BENCH_SUBSCRIBERS=per-stream: stream s's subscribers at 127.1.x.y */
static bool subs_per_stream;
/* TC_BENCH_STAMP=kernel: a packet's latency ends when the kernel put it in
 * the subscriber's socket (SO_TIMESTAMPNS), not when the load generator
 * read it: the generator's own delays (it shares CPU 1 with its sending)
 * are then not counted as the relay's */
static bool kernel_stamp;
/* TC_BENCH_GRO (default on): the subscriber sockets read with UDP_GRO */
static bool sub_gro;
#define RX_BUF 65536               /* a UDP_GRO read: up to one GSO run */
static int64_t real_minus_mono_ns; /* SO_TIMESTAMPNS is CLOCK_REALTIME */
static uint32_t relay_ip = INADDR_LOOPBACK, peer_ip = INADDR_LOOPBACK;

/* TC_BENCH_PROFILE=hmac: AES_CM_128_HMAC_SHA1_80 instead of GCM */
static enum tc_media_srtp_profile profile = TC_MEDIA_SRTP_AEAD_AES_128_GCM;

struct dev {
    struct tc_media_srtp *srtp;
    struct tc_media_ecg_format fmt;
    uint64_t next;        /* next packet index */
    int64_t sent_at[PPS]; /* send time (us) by index % PPS */
};

struct bench {
    unsigned n;
    double seconds;
    bool archive;
    bool gso;                              /* the relay's UDP GSO */
    struct tc_media_ecg_relay_tx_stats tx; /* the relay's, whole run */
    char archive_dir[256];
    /* relay thread */
    GThread *relay_thread;
    GMainContext *relay_ctx;
    GMainLoop *relay_loop;
    struct tc_media_ecg_relay *relay;
    uint16_t relay_port;
    atomic_int relay_ready;
    int64_t cpu0, relay_cpu_ns;    /* of the relay thread, measured part */
    int64_t sys0, relay_sys_ns;    /* of which in the kernel */
    int64_t cpu0_0, cpu0_ns;       /* all of CPU 0, the same part */
    int64_t ksoft0, ksoft_ns;      /* ksoftirqd/0, the same part */
    uint64_t in0, relay_window_in; /* packets it took in, measured part */
    int64_t gen_cpu_ns;            /* of the load generator, the same part */
    atomic_int measure;            /* 1: measuring; 2: measured; 3: stop */
    /* devices and subscribers */
    struct dev *devs;
    int dev_fd, sub_fd[2];
    uint16_t sub_port[2];
    uint64_t sent, received;
    uint64_t sent_all, received_all; /* the whole run: where loss happens */
    uint32_t *hist;
    uint32_t *tl_max, *tl_n; /* TC_BENCH_TIMELINE: per 10 ms of send time */
    int64_t t0;
    int64_t warm_end, end; /* packets sent in [warm_end, end) count */
    struct tc_media_ecg_stream **streams;
    uint64_t relay_in, relay_out, relay_failed; /* relay's own counts */
    uint64_t relay_read;                        /* read from its socket */
};

static int64_t
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* This thread on one CPU (when pinning and the machine has it). */
static void
pin_to(int cpu)
{
    cpu_set_t set;

    if (!pin || cpu >= sysconf(_SC_NPROCESSORS_ONLN)) {
        return;
    }
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0) {
        fprintf(stderr, "could not pin to CPU %d\n", cpu);
    }
}

static int
udp_bound(uint16_t *port, uint32_t ip)
{
    struct sockaddr_in in = {.sin_family = AF_INET};
    socklen_t len = sizeof(in);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), buf = 8 << 20;

    in.sin_addr.s_addr = htonl(ip);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
    }
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) < 0) {
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
    }
    bind(fd, (struct sockaddr *)&in, sizeof(in));
    getsockname(fd, (struct sockaddr *)&in, &len);
    *port = ntohs(in.sin_port);
    return fd;
}

/* ---- TC_BENCH_NET=veth ----
 *
 * On loopback every packet the relay sends is also received (IP, UDP,
 * the subscriber's socket) in the relay's own system call, on the
 * relay's core: a cost a relay sending out of a NIC does not have. In
 * veth mode the devices and subscribers are in a network namespace of
 * their own (tc-bench-ecg-PID, created here, deleted at exit), joined to
 * the relay's by a veth pair, and RPS puts each side's receive processing
 * where a NIC's would be: packets to the relay on CPU 0 (the relay's
 * core: its own receive path counts), packets to the subscribers on
 * CPU 1 (the load generator's core: another host's work). Needs root.
 * A namespace left by a killed bench is removed by the next one.
 */
/* CPU 0's busy time, all of it (the relay thread, the softirqs that
 * ran on it whoever was current, and anything else that ran there), in
 * ns; from /proc/stat, at 10 ms resolution. */
static int64_t
cpu0_busy_ns(void)
{
    unsigned long long v[8] = {0};
    char line[256];
    int64_t busy = 0;
    FILE *f = fopen("/proc/stat", "r");

    while (f && fgets(line, sizeof(line), f)) {
        if (sscanf(line, "cpu0 %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
                   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
            /* user nice system (idle iowait) irq softirq */
            busy = (int64_t)(v[0] + v[1] + v[2] + v[5] + v[6]) *
                   (1000000000 / sysconf(_SC_CLK_TCK));
            break;
        }
    }
    if (f) {
        fclose(f);
    }
    return busy;
}

/* ksoftirqd/0's CPU time in ns (10 ms resolution), or 0. Softirq work
 * the kernel defers (a softirq that ran over 2 ms or restarted 10 times)
 * runs there, not in the relay's system calls: on loopback, subscribers'
 * receive paths for the relay's sends. */
static int ksoftirqd0_pid;

static int64_t
ksoftirqd0_ns(void)
{
    g_autofree char *path = NULL, *text = NULL;
    unsigned long long ut = 0, st = 0;
    const char *p;

    if (ksoftirqd0_pid == 0) {
        g_autoptr(GDir) dir = g_dir_open("/proc", 0, NULL);
        const char *name;
        ksoftirqd0_pid = -1;
        while (dir && (name = g_dir_read_name(dir))) {
            g_autofree char *cpath = g_strdup_printf("/proc/%s/comm", name);
            g_autofree char *comm = NULL;
            if (g_ascii_isdigit(name[0]) &&
                g_file_get_contents(cpath, &comm, NULL, NULL) &&
                strcmp(g_strstrip(comm), "ksoftirqd/0") == 0) {
                ksoftirqd0_pid = atoi(name);
                break;
            }
        }
    }
    if (ksoftirqd0_pid < 0) {
        return 0;
    }
    path = g_strdup_printf("/proc/%d/stat", ksoftirqd0_pid);
    if (!g_file_get_contents(path, &text, NULL, NULL) ||
        !(p = strrchr(text, ')')) ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
               &ut, &st) != 2) {
        return 0;
    }
    return (int64_t)(ut + st) * (1000000000 / sysconf(_SC_CLK_TCK));
}

/* ---- the relay thread ---- */

/* This thread's CPU time in the kernel (system calls, and the loopback
 * deliveries they run). */
static int64_t
thread_sys_ns(void)
{
    struct rusage ru;

    getrusage(RUSAGE_THREAD, &ru);
    return (int64_t)ru.ru_stime.tv_sec * 1000000000 +
           (int64_t)ru.ru_stime.tv_usec * 1000;
}

static uint64_t
relay_accepted(struct bench *b)
{
    uint64_t sum = 0;

    for (unsigned i = 0; i < b->n; i++) {
        struct tc_media_ecg_stream_stats st;
        tc_media_ecg_stream_stats(b->streams[i], &st);
        sum += st.accepted;
    }
    return sum;
}

/* Every 20 ms on the relay thread: its CPU time and the packets it took
 * in, read together when the measured window opens (measure 1) and closes
 * (2); 3: stop. */
static gboolean
relay_tick(gpointer data)
{
    struct bench *b = data;
    int m = atomic_load(&b->measure);

    if (m >= 1 && b->cpu0 == 0) {
        b->cpu0 = bench_thread_cpu_ns();
        b->sys0 = thread_sys_ns();
        b->cpu0_0 = cpu0_busy_ns();
        b->ksoft0 = ksoftirqd0_ns();
        b->in0 = relay_accepted(b);
    }
    if (m >= 2 && b->relay_cpu_ns == 0) {
        b->relay_cpu_ns = bench_thread_cpu_ns() - b->cpu0;
        b->relay_sys_ns = thread_sys_ns() - b->sys0;
        b->cpu0_ns = cpu0_busy_ns() - b->cpu0_0;
        b->ksoft_ns = ksoftirqd0_ns() - b->ksoft0;
        b->relay_window_in = relay_accepted(b) - b->in0;
    }
    if (m == 3) {
        g_main_loop_quit(b->relay_loop);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gpointer
relay_main(gpointer data)
{
    struct bench *b = data;
    struct sockaddr_in sub = {.sin_family = AF_INET};
    const char *names[LEADS] = {"I",  "II", "III", "aVR", "aVL", "aVF",
                                "V1", "V2", "V3",  "V4",  "V5",  "V6"};
    double gains[LEADS];
    int bases[LEADS] = {0};
    GSource *tick;
    char addr[INET_ADDRSTRLEN]; /* the relay's: 127.0.0.1, or veth's */

    for (int i = 0; i < LEADS; i++) {
        gains[i] = 200;
    }
    pin_to(0);
    g_main_context_push_thread_default(b->relay_ctx);
    inet_ntop(AF_INET, &(struct in_addr){htonl(relay_ip)}, addr, sizeof(addr));
    if (tc_media_ecg_relay_new(addr, 0, &b->relay) < 0) {
        atomic_store(&b->relay_ready, -1);
        return NULL;
    }
    b->relay_port = tc_media_ecg_relay_port(b->relay);
    if (tc_media_ecg_relay_set_gso(b->relay, b->gso) < 0) {
        fprintf(stderr, "this kernel has no UDP GSO: measuring without\n");
    }
    sub.sin_addr.s_addr = htonl(peer_ip);
    for (unsigned i = 0; i < b->n; i++) {
        struct tc_media_ecg_stream *s = NULL;
        uint8_t key[TC_MEDIA_SRTP_MAX_KEY];
        char name[32];
        int id;
        struct tc_media_ecg_stream_params p = {
            .format = b->devs[i].fmt,
            .profile = profile,
            .key = key,
        };

        bench_key_for(key, i, 0);
        if (b->archive) {
            g_snprintf(name, sizeof(name), "s%u", i);
            p.archive = (struct tc_media_wfdb_writer_params){
                .dir = b->archive_dir,
                .name = name,
                .reorder_packets = 16,
                .lead_names = names,
                .gains = gains,
                .baselines = bases,
                .adc_resolution = 16,
                .started_at_us = g_get_real_time(),
            };
        }
        if (tc_media_ecg_relay_stream_add(b->relay, &p, &s) < 0) {
            atomic_store(&b->relay_ready, -1);
            return NULL;
        }
        b->streams[i] = s;
        if (subs_per_stream) { /* 127.1.0.0 + i: an address each */
            sub.sin_addr.s_addr = htonl(0x7f010000u + i);
        }
        for (int k = 0; k < 2; k++) {
            bench_key_for(key, i, (uint8_t)(1 + k));
            sub.sin_port = htons(b->sub_port[k]);
            tc_media_ecg_stream_subscribe(s, profile, key, &sub, sizeof(sub),
                                          &id);
        }
    }
    tick = g_timeout_source_new(20);
    g_source_set_callback(tick, relay_tick, b, NULL);
    g_source_attach(tick, b->relay_ctx);
    g_source_unref(tick);
    atomic_store(&b->relay_ready, 1);
    g_main_loop_run(b->relay_loop);
    for (unsigned i = 0; i < b->n; i++) {
        struct tc_media_ecg_stream_stats st;
        tc_media_ecg_stream_stats(b->streams[i], &st);
        b->relay_in += st.accepted;
        b->relay_read += st.received;
        b->relay_out += st.sent;
        b->relay_failed += st.send_failed + st.auth_failed + st.replayed +
                           st.bad_payload + st.bad_timing;
    }
    tc_media_ecg_relay_tx_stats(b->relay, &b->tx);
    tc_media_ecg_relay_free(b->relay);
    g_main_context_pop_thread_default(b->relay_ctx);
    return NULL;
}

/* ---- devices and subscribers (this thread) ---- */

/* When the kernel put the packet of `msg` in the socket (monotonic us),
 * or `now` without a timestamp. */
static int64_t
arrival_us(struct msghdr *msg, int64_t now)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof(ts));
            return ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec -
                    real_minus_mono_ns) /
                   1000;
        }
    }
    return now;
}

/* The UDP_GRO segment size of `msg`'s buffer, or 0 if it holds one packet. */
static int
gro_size(struct msghdr *msg)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
            int g;
            memcpy(&g, CMSG_DATA(c), sizeof(g));
            return g;
        }
    }
    return 0;
}

/* One relayed packet (its clear RTP header) read at `at` (us). */
static void
count_packet(struct bench *b, const uint8_t *p, int64_t at)
{
    uint32_t ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
                    (uint32_t)p[10] << 8 | p[11];
    uint16_t seq = (uint16_t)(p[2] << 8 | p[3]);
    unsigned s = ssrc - 0x10000u;
    struct dev *d;
    int64_t sent, lat;

    if (s >= b->n) {
        return;
    }
    b->received_all++;
    d = &b->devs[s];
    sent = d->sent_at[(uint16_t)(seq - d->fmt.first_seq) % PPS];
    lat = at - sent;
    if (b->tl_max) {
        int64_t slot = (sent - b->t0) / 10000;
        if (slot >= 0 && slot < TL_N) {
            b->tl_n[slot]++;
            b->tl_max[slot] = MAX(b->tl_max[slot], (uint32_t)MAX(lat, 0));
        }
    }
    if (sent >= b->warm_end && sent < b->end) {
        b->received++;
        b->hist[lat < 0 ? 0 : lat >= HIST_US ? HIST_US - 1 : lat]++;
    }
}

/* Reads both subscriber sockets dry. With TC_BENCH_GRO a buffer may hold
 * a run of packets of one size (the last may be shorter), each counted. */
static void
receive_all(struct bench *b, int64_t now)
{
    static uint8_t bufs[BATCH][RX_BUF];
    static char ctl[BATCH][CMSG_SPACE(sizeof(struct timespec)) +
                           CMSG_SPACE(sizeof(int))];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    size_t bufsz = sub_gro ? RX_BUF : TC_MEDIA_ECG_MAX_PACKET;
    bool want_ctl = kernel_stamp || sub_gro;

    for (int k = 0; k < 2; k++) {
        int n;
        do {
            for (int i = 0; i < BATCH; i++) {
                iov[i] = (struct iovec){bufs[i], bufsz};
                msgs[i].msg_hdr = (struct msghdr){
                    .msg_iov = &iov[i],
                    .msg_iovlen = 1,
                    .msg_control = want_ctl ? ctl[i] : NULL,
                    .msg_controllen = want_ctl ? sizeof(ctl[i]) : 0};
            }
            n = recvmmsg(b->sub_fd[k], msgs, BATCH, MSG_DONTWAIT, NULL);
            for (int i = 0; i < n; i++) {
                struct msghdr *h = &msgs[i].msg_hdr;
                int64_t at = kernel_stamp ? arrival_us(h, now) : now;
                size_t len = msgs[i].msg_len;
                size_t seg =
                    sub_gro && gro_size(h) > 0 ? (size_t)gro_size(h) : len;

                for (size_t off = 0; off + 12 <= len; off += seg) {
                    count_packet(b, bufs[i] + off, at);
                }
            }
        } while (n == BATCH);
    }
}

static void
send_due(struct bench *b, int64_t t0, int64_t now, bool measuring)
{
    static uint8_t bufs[BATCH][TC_MEDIA_ECG_MAX_PACKET];
    static int16_t samples[FPP * LEADS];
    struct sockaddr_in relay = {.sin_family = AF_INET};
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    int n = 0;

    relay.sin_addr.s_addr = htonl(relay_ip);
    relay.sin_port = htons(b->relay_port);
    for (unsigned s = 0; s < b->n; s++) {
        struct dev *d = &b->devs[s];
        /* stream s is due at t0 + its phase + k * 20 ms */
        int64_t phase = (int64_t)s * (1000000 / PPS) / b->n;
        while (t0 + phase + (int64_t)d->next * (1000000 / PPS) <= now) {
            int len;
            size_t slen;
            for (int i = 0; i < FPP * LEADS; i++) {
                samples[i] = (int16_t)((d->next * FPP + i) * 37 % 4000 - 2000);
            }
            len = tc_media_ecg_rtp_write(&d->fmt, d->next, false, samples, FPP,
                                         bufs[n], sizeof(bufs[n]));
            slen = (size_t)len;
            tc_media_srtp_protect(d->srtp, bufs[n], &slen);
            d->sent_at[d->next % PPS] = now;
            iov[n] = (struct iovec){bufs[n], slen};
            msgs[n].msg_hdr = (struct msghdr){
                .msg_name = &relay,
                .msg_namelen = sizeof(relay),
                .msg_iov = &iov[n],
                .msg_iovlen = 1,
            };
            d->next++;
            b->sent_all++;
            if (measuring) {
                b->sent++;
            }
            if (++n == BATCH) {
                sendmmsg(b->dev_fd, msgs, (unsigned)n, 0);
                n = 0;
            }
        }
    }
    if (n > 0) {
        sendmmsg(b->dev_fd, msgs, (unsigned)n, 0);
    }
}

struct result {
    unsigned n;
    double pkts_per_msg; /* packets per sendmmsg message (GSO: > 1) */
    uint64_t sent, received;
    double p50_ms, p99_ms, relay_ns_per_pkt, relay_sys_per_pkt;
    double gen_ns_per_pkt, relay_busy, cpu0_per_pkt, cpu0_busy;
    double ksoft_per_pkt;     /* ksoftirqd/0 */
    double lost_in, lost_out; /* % lost into the relay, out of it */
};

static double
percentile(const uint32_t *hist, uint64_t total, double q)
{
    uint64_t want = (uint64_t)(q * (double)total), seen = 0;

    for (int i = 0; i < HIST_US; i++) {
        seen += hist[i];
        if (seen > want) {
            return i / 1000.0;
        }
    }
    return HIST_US / 1000.0;
}

static int
run_once(unsigned n, double seconds, bool archive, bool gso,
         struct result *out)
{
    struct bench b = {
        .n = n, .seconds = seconds, .archive = archive, .gso = gso};
    int64_t t0, warm_end, end, now;
    uint16_t dev_port;
    uint32_t sub_ip;
    int rc = 0;

    b.devs = g_new0(struct dev, n);
    b.streams = g_new0(struct tc_media_ecg_stream *, n);
    b.hist = g_new0(uint32_t, HIST_US);
    if (getenv("TC_BENCH_TIMELINE")) {
        b.tl_max = g_new0(uint32_t, TL_N);
        b.tl_n = g_new0(uint32_t, TL_N);
    }
    if (veth && bench_net_enter() < 0) {
        return -1;
    }
    b.dev_fd = udp_bound(&dev_port, peer_ip);
    /* per stream: bound to any address, so 127.1.x.y reach them too */
    sub_ip = subs_per_stream ? INADDR_ANY : peer_ip;
    b.sub_fd[0] = udp_bound(&b.sub_port[0], sub_ip);
    b.sub_fd[1] = udp_bound(&b.sub_port[1], sub_ip);
    for (int k = 0; k < 2; k++) {
        int on = 1;
        if (kernel_stamp) {
            setsockopt(b.sub_fd[k], SOL_SOCKET, SO_TIMESTAMPNS, &on,
                       sizeof(on));
        }
        if (sub_gro &&
            setsockopt(b.sub_fd[k], SOL_UDP, UDP_GRO, &on, sizeof(on)) < 0) {
            perror("UDP_GRO");
            return -1;
        }
    }
    if (veth && bench_net_leave() < 0) {
        return -1;
    }
    if (archive) {
        g_strlcpy(b.archive_dir, "/tmp/tc-bench-ecg-XXXXXX",
                  sizeof(b.archive_dir));
        g_mkdtemp(b.archive_dir);
    }
    for (unsigned i = 0; i < n; i++) {
        uint8_t key[TC_MEDIA_SRTP_MAX_KEY];
        b.devs[i].fmt = (struct tc_media_ecg_format){
            .n_leads = LEADS,
            .sample_rate_hz = RATE,
            .frames_per_packet = FPP,
            .payload_type = 96,
            .ssrc = 0x10000u + i,
            .first_seq = (uint16_t)(i * 977),
            .first_timestamp = i * 65537u,
        };
        bench_key_for(key, i, 0);
        tc_media_srtp_new(profile, key, b.devs[i].fmt.ssrc, &b.devs[i].srtp);
    }
    b.relay_ctx = g_main_context_new();
    b.relay_loop = g_main_loop_new(b.relay_ctx, FALSE);
    b.relay_thread = g_thread_new("relay", relay_main, &b);
    while (atomic_load(&b.relay_ready) == 0) {
        g_usleep(1000);
    }
    if (atomic_load(&b.relay_ready) < 0) {
        fprintf(stderr, "relay set-up failed\n");
        rc = -1;
        atomic_store(&b.measure, 3);
    } else {
        t0 = now_us();
        b.t0 = t0;
        warm_end = t0 + 1000000; /* one second to settle */
        end = warm_end + (int64_t)(seconds * 1e6);
        b.warm_end = warm_end;
        b.end = end;
        int64_t gen0 = 0;
        while ((now = now_us()) < end + 200000) {
            bool measuring = now >= warm_end && now < end;
            if (measuring && atomic_load(&b.measure) == 0) {
                atomic_store(&b.measure, 1);
                gen0 = bench_thread_cpu_ns();
            }
            if (now >= end && b.gen_cpu_ns == 0 && gen0) {
                /* (a starved generator may see this late: then more) */
                b.gen_cpu_ns = bench_thread_cpu_ns() - gen0;
                atomic_store(&b.measure, 2);
            }
            if (now < end) {
                send_due(&b, t0, now, measuring);
            }
            receive_all(&b, now_us());
            g_usleep(500);
        }
        if (b.gen_cpu_ns == 0 && gen0) { /* starved past the drain */
            b.gen_cpu_ns = bench_thread_cpu_ns() - gen0;
        }
        atomic_store(&b.measure, 3);
    }
    g_thread_join(b.relay_thread);
    out->n = n;
    out->pkts_per_msg =
        (double)b.tx.datagrams /
        (double)MAX(1, b.tx.gso_sends + b.tx.datagrams - b.tx.gso_segments);
    out->sent = b.sent;
    out->received = b.received;
    out->p50_ms = percentile(b.hist, b.received, 0.50);
    out->p99_ms = percentile(b.hist, b.received, 0.99);
    /* per packet the relay took in (those the kernel dropped before
     * the relay read them cost it nothing) */
    out->relay_ns_per_pkt =
        b.relay_window_in ? (double)b.relay_cpu_ns / (double)b.relay_window_in
                          : 0;
    /* the relay reads what reached its socket; what it sent and the
     * subscribers did not read was dropped at theirs */
    out->lost_in = b.sent_all
                       ? 100.0 * ((double)b.sent_all - (double)b.relay_read) /
                             (double)b.sent_all
                       : 0;
    out->lost_out =
        b.relay_in
            ? 100.0 * (2.0 * (double)b.relay_in - (double)b.received_all) /
                  (2.0 * (double)b.relay_in)
            : 0;
    out->relay_sys_per_pkt =
        b.relay_window_in ? (double)b.relay_sys_ns / (double)b.relay_window_in
                          : 0;
    out->cpu0_per_pkt =
        b.relay_window_in ? (double)b.cpu0_ns / (double)b.relay_window_in : 0;
    out->cpu0_busy = (double)b.cpu0_ns / (seconds * 1e9);
    out->ksoft_per_pkt =
        b.relay_window_in ? (double)b.ksoft_ns / (double)b.relay_window_in : 0;
    out->gen_ns_per_pkt = b.sent ? (double)b.gen_cpu_ns / (double)b.sent : 0;
    out->relay_busy = (double)b.relay_cpu_ns / (seconds * 1e9);
    for (unsigned i = 0; i < n; i++) {
        tc_media_srtp_free(b.devs[i].srtp);
    }
    g_main_loop_unref(b.relay_loop);
    g_main_context_unref(b.relay_ctx);
    close(b.dev_fd);
    close(b.sub_fd[0]);
    close(b.sub_fd[1]);
    if (archive) {
        g_autofree char *cmd = g_strdup_printf("rm -rf %s", b.archive_dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "could not remove %s\n", b.archive_dir);
        }
    }
    if (getenv("TC_BENCH_DEBUG")) {
        fprintf(stderr, "n=%u relay accepted %llu sent %llu failed %llu\n", n,
                (unsigned long long)b.relay_in,
                (unsigned long long)b.relay_out,
                (unsigned long long)b.relay_failed);
    }
    g_free(b.devs);
    g_free(b.streams);
    g_free(b.hist);
    if (b.tl_max) {
        /* appended: run, n, ms since start, packets received, max
         * latency us */
        static int run_no;
        FILE *f = fopen(getenv("TC_BENCH_TIMELINE"), "a");
        run_no++;
        for (int k = 0; f && k < TL_N; k++) {
            if (b.tl_n[k]) {
                fprintf(f, "%d %u %d %u %u\n", run_no, n, k * 10, b.tl_n[k],
                        b.tl_max[k]);
            }
        }
        if (f) {
            fclose(f);
        }
        g_free(b.tl_max);
        g_free(b.tl_n);
    }
    return rc;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return v[n / 2];
}

/* The 1-minute load average: how much else wanted the two cores. */
static double
loadavg(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");

    if (f) {
        if (fscanf(f, "%lf", &l) != 1) {
            l = -1;
        }
        fclose(f);
    }
    return l;
}

/* One count under one GSO mode: the runs' medians as a line; whether
 * it passed. */
static bool
report(unsigned n, bool gso, const struct result *res, const double *bare,
       int runs, double seconds)
{
    double loss_v[9], p50_v[9], p99_v[9], relay_v[9], sent_v[9], user_v[9];
    double gen_v[9], busy_v[9], ratio_v[9], sys_v[9], ru_v[9], ppm_v[9];
    double in_v[9], out_v[9], c0_v[9], c0b_v[9], r0_v[9], bare_v[9], ks_v[9];
    double loss;
    double p99;
    g_autoptr(GString) p99s = g_string_new(NULL);
    int lossy = 0;
    bool pass;

    for (int r = 0; r < runs; r++) {
        sent_v[r] = (double)res[r].sent / seconds;
        loss_v[r] = res[r].sent
                        ? 100.0 * (1.0 - (double)res[r].received /
                                             (2.0 * (double)res[r].sent))
                        : 100;
        lossy += loss_v[r] > 0;
        p50_v[r] = res[r].p50_ms;
        p99_v[r] = res[r].p99_ms;
        relay_v[r] = res[r].relay_ns_per_pkt;
        sys_v[r] = res[r].relay_sys_per_pkt;
        user_v[r] = relay_v[r] - sys_v[r];
        in_v[r] = res[r].lost_in;
        out_v[r] = res[r].lost_out;
        gen_v[r] = res[r].gen_ns_per_pkt;
        busy_v[r] = res[r].relay_busy;
        ratio_v[r] = relay_v[r] / bare[r];
        ru_v[r] = user_v[r] / bare[r];
        c0_v[r] = res[r].cpu0_per_pkt;
        c0b_v[r] = res[r].cpu0_busy;
        r0_v[r] = c0_v[r] / bare[r];
        ppm_v[r] = res[r].pkts_per_msg;
        ks_v[r] = res[r].ksoft_per_pkt;
        bare_v[r] = bare[r];
        g_string_append_printf(p99s, "%s%.1f", r ? "/" : "", p99_v[r]);
    }
    loss = median(loss_v, runs);
    p99 = median(p99_v, runs);
    pass = loss <= 0 && p99 <= P99_MAX;
    printf("%7u %4s %8.0f %7.3f %6.2f %7.2f %8.2f %6.2f %6.2f %5.0f%% %7.2f "
           "%4.0f%% %6.2f %7.2f %7.2f %6.2f %6.2f %6.2f %6.1f %5.1f %s (%d/%d "
           "runs "
           "lost packets; lost into the relay %.2f%%, out of it %.2f%%; p99 "
           "of the runs %s ms)\n",
           n, gso ? "on" : "off", median(sent_v, runs), loss,
           median(p50_v, runs), p99, median(relay_v, runs) / 1000,
           median(sys_v, runs) / 1000, median(user_v, runs) / 1000,
           100 * median(busy_v, runs), median(c0_v, runs) / 1000,
           100 * median(c0b_v, runs), median(ks_v, runs) / 1000,
           median(gen_v, runs) / 1000, median(bare_v, runs) / 1000,
           median(ratio_v, runs), median(ru_v, runs), median(r0_v, runs),
           median(ppm_v, runs), loadavg(), pass ? "yes" : "NO", lossy, runs,
           median(in_v, runs), median(out_v, runs), p99s->str);
    fflush(stdout);
    return pass;
}

int
main(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : getenv("TC_BENCH_SCALE");
    const char *secs = getenv("TC_BENCH_SECONDS");
    const char *runs_s = getenv("TC_BENCH_RUNS");
    const char *arch = getenv("TC_BENCH_ARCHIVE");
    const char *pin_s = getenv("TC_BENCH_PIN");
    const char *max_s = getenv("TC_BENCH_MAX");
    const char *gso_s = getenv("TC_BENCH_GSO");
    double scale = s ? atof(s) : 1, seconds = secs ? atof(secs) : 5;
    int runs = runs_s ? atoi(runs_s) : 3;
    unsigned counts[16] = {250,  500,  1000, 1500, 2000, 2500,
                           3000, 3500, 4000, 5000, 6000, 8000};
    size_t n_counts = 12;
    unsigned max_n = max_s ? (unsigned)atoi(max_s) : MAX_N, best = 0;
    unsigned fails_at = 0;
    bool archive = arch && atoi(arch) == 1;
    /* GSO modes, run alternately within each count: off then on for ab */
    bool modes[2] = {true, true};
    int n_modes = 1;

    runs = runs < 1 ? 1 : runs > 9 ? 9 : runs;
    pin = !pin_s || atoi(pin_s) != 0;
    if (g_strcmp0(getenv("TC_BENCH_PROFILE"), "hmac") == 0) {
        profile = TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80;
    }
    if (g_strcmp0(getenv("TC_BENCH_CRYPTO"), "libsrtp") == 0) {
        crypto = TC_MEDIA_SRTP_CRYPTO_LIBSRTP;
    }
    if (g_strcmp0(gso_s, "off") == 0) {
        modes[0] = false;
    } else if (g_strcmp0(gso_s, "ab") == 0) {
        modes[0] = false;
        n_modes = 2;
    } else if (gso_s && g_strcmp0(gso_s, "on") != 0) {
        fprintf(stderr, "TC_BENCH_GSO: on, off or ab\n");
        return 1;
    }
    veth = g_strcmp0(getenv("TC_BENCH_NET"), "veth") == 0;
    subs_per_stream =
        g_strcmp0(getenv("TC_BENCH_SUBSCRIBERS"), "per-stream") == 0;
    kernel_stamp = g_strcmp0(getenv("TC_BENCH_STAMP"), "kernel") == 0;
    sub_gro = g_strcmp0(getenv("TC_BENCH_GRO"), "off") != 0;
    if (kernel_stamp) {
        struct timespec r, m;
        clock_gettime(CLOCK_REALTIME, &r);
        clock_gettime(CLOCK_MONOTONIC, &m);
        real_minus_mono_ns = ((int64_t)r.tv_sec - m.tv_sec) * 1000000000 +
                             (r.tv_nsec - m.tv_nsec);
    }
    if (subs_per_stream && veth) {
        fprintf(stderr, "TC_BENCH_SUBSCRIBERS=per-stream: loopback only\n");
        return 1;
    }
    if (veth && bench_net_veth_up(&relay_ip, &peer_ip) < 0) {
        fprintf(stderr, "TC_BENCH_NET=veth: could not set up the namespace "
                        "(needs root, ip, netns)\n");
        return 1;
    }
    if (tc_media_srtp_set_crypto(crypto) < 0) {
        fprintf(stderr, "libsrtp refused the %s ciphers\n",
                bench_impl_name(crypto));
        return 1;
    }
    pin_to(1);
    printf("ECG relay: 12 leads x 500 Hz (10 frames, 240 B samples), 50 "
           "pkt/s per stream, 2 SRTP subscribers each (%s), %s under libsrtp2 "
           "with %s ciphers, %s, %s, %s, %.0f s per run, median of %d; "
           "latency to %s\n",
           subs_per_stream
               ? (sub_gro ? "at an address per stream, read with UDP_GRO"
                          : "at an address per stream")
               : (sub_gro ? "two sockets taking every stream, read with "
                            "UDP_GRO"
                          : "two sockets taking every stream"),
           tc_media_srtp_profile_name(profile), bench_impl_name(crypto),
           archive ? "archived" : "not archived",
           veth ? "veth (subscribers' receive on CPU 1, relay's on CPU 0)"
                : "loopback (subscribers' receive in the relay's sends)",
           pin ? "relay pinned to CPU 0 and load generator to CPU 1"
               : "not pinned",
           seconds, runs,
           kernel_stamp ? "the packet's arrival in the subscriber's socket "
                          "(kernel timestamp)"
                        : "the load generator's read");
    printf("%7s %4s %8s %7s %6s %7s %8s %6s %6s %6s %7s %5s %6s %7s %7s %6s "
           "%6s %6s %6s %5s %s\n",
           "streams", "gso", "sent/s", "loss%", "p50ms", "p99ms", "relay_us",
           "kernel", "user", "relay%", "cpu0_us", "cpu0%", "ksoft", "gen_us",
           "bare_us", "ratio", "ratioU", "ratio0", "pk/msg", "load", "pass");
    if (getenv("TC_BENCH_COUNTS")) {
        g_auto(GStrv) v = g_strsplit(getenv("TC_BENCH_COUNTS"), ",", 16);
        for (n_counts = 0; v[n_counts]; n_counts++) {
            counts[n_counts] = (unsigned)atoi(v[n_counts]);
        }
    }
    for (size_t c = 0; c < n_counts; c++) {
        unsigned n = (unsigned)(counts[c] * scale);
        struct result res[2][9];
        double bare[2][9];
        bool pass = true;

        if (n < 1 || n > MAX_N || n > max_n) {
            continue;
        }
        memset(res, 0, sizeof(res));
        for (int r = 0; r < runs; r++) {
            for (int m = 0; m < n_modes; m++) {
                if (run_once(n, seconds, archive, modes[m], &res[m][r]) < 0) {
                    return 1;
                }
                /* on the relay's core: the two vCPUs need not run
                 * equally fast (what shares their physical cores) */
                pin_to(0);
                bare[m][r] = bench_bare_crypto_ns(n, MAX(4u, 200000 / n),
                                                  profile, crypto, crypto);
                pin_to(1);
            }
        }
        for (int m = 0; m < n_modes; m++) {
            /* the last mode (GSO on under ab) decides the count */
            pass = report(n, modes[m], res[m], bare[m], runs, seconds);
        }
        if (pass && !fails_at) {
            best = n;
        } else if (!pass && !fails_at) {
            fails_at = n;
        }
        if (!pass && !max_s) {
            break; /* TC_BENCH_MAX: on to it, for the costs */
        }
    }
    printf("streams relayed with no loss and p99 <= %.0f ms (GSO %s): %u\n",
           P99_MAX, modes[n_modes - 1] ? "on" : "off", best);
    if (g_strcmp0(getenv("TC_BENCH_TABLE"), "0") != 0) {
        bench_crypto_table(crypto);
    }
    return 0;
}
