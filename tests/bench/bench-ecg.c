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
 * (srtp_unprotect + 2 x srtp_protect, one thread, as many sessions as
 * the relay holds) and the ratio relay / bare. Last, bare libsrtp under
 * both cipher implementations and both profiles against the number of
 * sessions: what the crypto alone allows per core.
 *
 * Prints figures; asserts nothing about time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "tc-media.h"

#define LEADS   12
#define RATE    500
#define FPP     10
#define PPS     (RATE / FPP)
#define BATCH   64
#define HIST_US 2000000 /* latency histogram: 1 us buckets up to 2 s */
#define MAX_N   20000
#define P99_MAX 5.0 /* ms */

static enum tc_media_srtp_crypto crypto = TC_MEDIA_SRTP_CRYPTO_OPENSSL;
static bool pin = true;

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

static int64_t
thread_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
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

static void
key_for(uint8_t *key, uint32_t stream, uint8_t dir)
{
    for (int i = 0; i < TC_MEDIA_SRTP_MAX_KEY; i++) {
        key[i] = (uint8_t)(stream * 7 + i * 13 + dir * 101);
    }
}

static int
udp_bound(uint16_t *port)
{
    struct sockaddr_in in = {.sin_family = AF_INET};
    socklen_t len = sizeof(in);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), buf = 8 << 20;

    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
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
        b->cpu0 = thread_cpu_ns();
        b->sys0 = thread_sys_ns();
        b->in0 = relay_accepted(b);
    }
    if (m >= 2 && b->relay_cpu_ns == 0) {
        b->relay_cpu_ns = thread_cpu_ns() - b->cpu0;
        b->relay_sys_ns = thread_sys_ns() - b->sys0;
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

    for (int i = 0; i < LEADS; i++) {
        gains[i] = 200;
    }
    pin_to(0);
    g_main_context_push_thread_default(b->relay_ctx);
    if (tc_media_ecg_relay_new("127.0.0.1", 0, &b->relay) < 0) {
        atomic_store(&b->relay_ready, -1);
        return NULL;
    }
    b->relay_port = tc_media_ecg_relay_port(b->relay);
    sub.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
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

        key_for(key, i, 0);
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
        for (int k = 0; k < 2; k++) {
            key_for(key, i, (uint8_t)(1 + k));
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
    tc_media_ecg_relay_free(b->relay);
    g_main_context_pop_thread_default(b->relay_ctx);
    return NULL;
}

/* ---- devices and subscribers (this thread) ---- */

static void
receive_all(struct bench *b, int64_t now)
{
    static uint8_t bufs[BATCH][TC_MEDIA_ECG_MAX_PACKET];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];

    for (int k = 0; k < 2; k++) {
        int n;
        do {
            for (int i = 0; i < BATCH; i++) {
                iov[i] = (struct iovec){bufs[i], sizeof(bufs[i])};
                msgs[i].msg_hdr =
                    (struct msghdr){.msg_iov = &iov[i], .msg_iovlen = 1};
            }
            n = recvmmsg(b->sub_fd[k], msgs, BATCH, MSG_DONTWAIT, NULL);
            for (int i = 0; i < n; i++) {
                const uint8_t *p = bufs[i];
                uint32_t ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
                                (uint32_t)p[10] << 8 | p[11];
                uint16_t seq = (uint16_t)(p[2] << 8 | p[3]);
                unsigned s = ssrc - 0x10000u;
                struct dev *d;
                uint64_t idx;
                int64_t lat;

                if (s >= b->n) {
                    continue;
                }
                b->received_all++;
                d = &b->devs[s];
                idx = (uint16_t)(seq - d->fmt.first_seq);
                lat = now - d->sent_at[idx % PPS];
                if (d->sent_at[idx % PPS] >= b->warm_end &&
                    d->sent_at[idx % PPS] < b->end) {
                    b->received++;
                    b->hist[lat < 0          ? 0
                            : lat >= HIST_US ? HIST_US - 1
                                             : lat]++;
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

    relay.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
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
    uint64_t sent, received;
    double p50_ms, p99_ms, relay_ns_per_pkt, relay_sys_per_pkt;
    double gen_ns_per_pkt, relay_busy;
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
run_once(unsigned n, double seconds, bool archive, struct result *out)
{
    struct bench b = {.n = n, .seconds = seconds, .archive = archive};
    int64_t t0, warm_end, end, now;
    uint16_t dev_port;
    int rc = 0;

    b.devs = g_new0(struct dev, n);
    b.streams = g_new0(struct tc_media_ecg_stream *, n);
    b.hist = g_new0(uint32_t, HIST_US);
    b.dev_fd = udp_bound(&dev_port);
    b.sub_fd[0] = udp_bound(&b.sub_port[0]);
    b.sub_fd[1] = udp_bound(&b.sub_port[1]);
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
        key_for(key, i, 0);
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
        warm_end = t0 + 1000000; /* one second to settle */
        end = warm_end + (int64_t)(seconds * 1e6);
        b.warm_end = warm_end;
        b.end = end;
        int64_t gen0 = 0;
        while ((now = now_us()) < end + 200000) {
            bool measuring = now >= warm_end && now < end;
            if (measuring && atomic_load(&b.measure) == 0) {
                atomic_store(&b.measure, 1);
                gen0 = thread_cpu_ns();
            }
            if (now >= end && b.gen_cpu_ns == 0 && gen0) {
                /* (a starved generator may see this late: then more) */
                b.gen_cpu_ns = thread_cpu_ns() - gen0;
                atomic_store(&b.measure, 2);
            }
            if (now < end) {
                send_due(&b, t0, now, measuring);
            }
            receive_all(&b, now_us());
            g_usleep(500);
        }
        if (b.gen_cpu_ns == 0 && gen0) { /* starved past the drain */
            b.gen_cpu_ns = thread_cpu_ns() - gen0;
        }
        atomic_store(&b.measure, 3);
    }
    g_thread_join(b.relay_thread);
    out->n = n;
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
    return rc;
}

/*
 * Bare libsrtp on the same packets as the relay sees them: n streams,
 * each with its device session and two subscriber sessions (as many
 * libsrtp sessions as the relay holds), packets taken round-robin across
 * the streams; per packet srtp_unprotect + 2 x srtp_protect. Single
 * thread, no sockets.
 */
static double
bare_crypto_ns(unsigned n, unsigned per_stream,
               enum tc_media_srtp_profile prof, enum tc_media_srtp_crypto impl)
{
    struct tc_media_srtp **tx = g_new0(struct tc_media_srtp *, n);
    struct tc_media_srtp **rx = g_new0(struct tc_media_srtp *, n);
    struct tc_media_srtp **out = g_new0(struct tc_media_srtp *, 2 * n);
    uint8_t key[TC_MEDIA_SRTP_MAX_KEY], copy[TC_MEDIA_ECG_MAX_PACKET];
    static int16_t samples[FPP * LEADS];
    size_t total = (size_t)n * per_stream;
    uint8_t(*pkts)[TC_MEDIA_ECG_MAX_PACKET] =
        g_malloc(total * TC_MEDIA_ECG_MAX_PACKET);
    size_t *lens = g_new(size_t, total);
    int64_t c0, c1;

    tc_media_srtp_set_crypto(impl);
    for (unsigned s = 0; s < n; s++) {
        uint32_t ssrc = 0x10000u + s;
        key_for(key, s, 0);
        tc_media_srtp_new(prof, key, ssrc, &tx[s]);
        tc_media_srtp_new(prof, key, ssrc, &rx[s]);
        for (int k = 0; k < 2; k++) {
            key_for(key, s, (uint8_t)(1 + k));
            tc_media_srtp_new(prof, key, ssrc, &out[2 * s + (unsigned)k]);
        }
    }
    /* packet i is stream i % n's packet i / n */
    for (size_t i = 0; i < total; i++) {
        unsigned s = (unsigned)(i % n);
        struct tc_media_ecg_format fmt = {
            .n_leads = LEADS,
            .sample_rate_hz = RATE,
            .frames_per_packet = FPP,
            .payload_type = 96,
            .ssrc = 0x10000u + s,
        };
        int len = tc_media_ecg_rtp_write(&fmt, i / n, false, samples, FPP,
                                         pkts[i], TC_MEDIA_ECG_MAX_PACKET);
        lens[i] = (size_t)len;
        tc_media_srtp_protect(tx[s], pkts[i], &lens[i]);
    }
    /* the first packet of each stream untimed: first use of a key */
    c0 = 0;
    for (size_t i = 0; i < total; i++) {
        unsigned s = (unsigned)(i % n);
        if (i == n) {
            c0 = thread_cpu_ns();
        }
        size_t len = lens[i];
        tc_media_srtp_unprotect(rx[s], pkts[i], &len);
        for (unsigned k = 0; k < 2; k++) {
            size_t l2 = len;
            memcpy(copy, pkts[i], len);
            tc_media_srtp_protect(out[2 * s + k], copy, &l2);
        }
    }
    c1 = thread_cpu_ns();
    tc_media_srtp_set_crypto(crypto);
    for (unsigned s = 0; s < n; s++) {
        tc_media_srtp_free(tx[s]);
        tc_media_srtp_free(rx[s]);
        tc_media_srtp_free(out[2 * s]);
        tc_media_srtp_free(out[2 * s + 1]);
    }
    g_free(tx);
    g_free(rx);
    g_free(out);
    g_free(pkts);
    g_free(lens);
    return (double)(c1 - c0) / (double)(total - n);
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

static const char *
impl_name(enum tc_media_srtp_crypto c)
{
    return c == TC_MEDIA_SRTP_CRYPTO_OPENSSL ? "openssl" : "libsrtp";
}

/* Bare libsrtp (unprotect + 2 x protect a packet) against the number of
 * streams, both implementations, both profiles: what crypto alone allows
 * a core (1 s / (cost x 50 packets/s) streams). */
static void
crypto_table(void)
{
    static const unsigned ns[] = {1, 100, 1000, 2000};
    static const enum tc_media_srtp_profile profs[] = {
        TC_MEDIA_SRTP_AEAD_AES_128_GCM, TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80};

    printf("\nbare libsrtp, unprotect + 2 x protect per packet, us "
           "(streams/core the crypto alone allows):\n");
    printf("%-24s %-8s", "profile", "ciphers");
    for (size_t i = 0; i < G_N_ELEMENTS(ns); i++) {
        printf(" %7u str", ns[i]);
    }
    printf("\n");
    for (size_t p = 0; p < G_N_ELEMENTS(profs); p++) {
        for (int c = 0; c < 2; c++) {
            enum tc_media_srtp_crypto impl = c ? TC_MEDIA_SRTP_CRYPTO_LIBSRTP
                                               : TC_MEDIA_SRTP_CRYPTO_OPENSSL;
            printf("%-24s %-8s", tc_media_srtp_profile_name(profs[p]),
                   impl_name(impl));
            for (size_t i = 0; i < G_N_ELEMENTS(ns); i++) {
                double ns_pk = bare_crypto_ns(ns[i], MAX(4u, 20000 / ns[i]),
                                              profs[p], impl);
                printf(" %5.1f (%5.0f)", ns_pk / 1000, 1e9 / (ns_pk * PPS));
                fflush(stdout);
            }
            printf("\n");
        }
    }
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
    double scale = s ? atof(s) : 1, seconds = secs ? atof(secs) : 5;
    int runs = runs_s ? atoi(runs_s) : 3;
    static const unsigned counts[] = {250,  500,  1000, 1500, 2000, 2500,
                                      3000, 3500, 4000, 5000, 6000, 8000};
    unsigned max_n = max_s ? (unsigned)atoi(max_s) : MAX_N, best = 0;
    unsigned fails_at = 0;
    bool archive = arch && atoi(arch) == 1;

    runs = runs < 1 ? 1 : runs > 9 ? 9 : runs;
    pin = !pin_s || atoi(pin_s) != 0;
    if (g_strcmp0(getenv("TC_BENCH_PROFILE"), "hmac") == 0) {
        profile = TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80;
    }
    if (g_strcmp0(getenv("TC_BENCH_CRYPTO"), "libsrtp") == 0) {
        crypto = TC_MEDIA_SRTP_CRYPTO_LIBSRTP;
    }
    if (tc_media_srtp_set_crypto(crypto) < 0) {
        fprintf(stderr, "libsrtp refused the %s ciphers\n", impl_name(crypto));
        return 1;
    }
    pin_to(1);
    printf("ECG relay: 12 leads x 500 Hz (10 frames, 240 B samples), 50 "
           "pkt/s per stream, 2 SRTP subscribers each, %s under libsrtp2 with "
           "%s ciphers, %s, %s, %.0f s per run, median of %d\n",
           tc_media_srtp_profile_name(profile), impl_name(crypto),
           archive ? "archived" : "not archived",
           pin ? "relay pinned to CPU 0 and load generator to CPU 1"
               : "not pinned",
           seconds, runs);
    printf("%7s %8s %7s %6s %7s %8s %6s %6s %7s %7s %6s %5s %s\n", "streams",
           "sent/s", "loss%", "p50ms", "p99ms", "relay_us", "kernel", "relay%",
           "gen_us", "bare_us", "ratio", "load", "pass");
    for (size_t c = 0; c < G_N_ELEMENTS(counts); c++) {
        unsigned n = (unsigned)(counts[c] * scale);
        double loss_v[9], p50_v[9], p99_v[9], relay_v[9], sent_v[9];
        double gen_v[9], busy_v[9], ratio_v[9], bare_v[9], sys_v[9], loss, p99;
        double in_v[9], out_v[9];
        int lossy = 0;
        bool pass;

        if (n < 1 || n > MAX_N || n > max_n) {
            continue;
        }
        for (int r = 0; r < runs; r++) {
            struct result res = {0};
            if (run_once(n, seconds, archive, &res) < 0) {
                return 1;
            }
            sent_v[r] = (double)res.sent / seconds;
            loss_v[r] = res.sent ? 100.0 * (1.0 - (double)res.received /
                                                      (2.0 * (double)res.sent))
                                 : 100;
            lossy += loss_v[r] > 0;
            p50_v[r] = res.p50_ms;
            p99_v[r] = res.p99_ms;
            relay_v[r] = res.relay_ns_per_pkt;
            sys_v[r] = res.relay_sys_per_pkt;
            in_v[r] = res.lost_in;
            out_v[r] = res.lost_out;
            gen_v[r] = res.gen_ns_per_pkt;
            busy_v[r] = res.relay_busy;
            bare_v[r] = bare_crypto_ns(n, MAX(4u, 40000 / n), profile, crypto);
            ratio_v[r] = relay_v[r] / bare_v[r];
        }
        loss = median(loss_v, runs);
        p99 = median(p99_v, runs);
        pass = loss <= 0 && p99 <= P99_MAX;
        printf("%7u %8.0f %7.3f %6.2f %7.2f %8.2f %6.2f %5.0f%% %7.2f %7.2f "
               "%6.2f %5.1f %s (%d/%d runs lost packets; lost into the relay "
               "%.2f%%, out of it %.2f%%)\n",
               n, median(sent_v, runs), loss, median(p50_v, runs), p99,
               median(relay_v, runs) / 1000, median(sys_v, runs) / 1000,
               100 * median(busy_v, runs), median(gen_v, runs) / 1000,
               median(bare_v, runs) / 1000, median(ratio_v, runs), loadavg(),
               pass ? "yes" : "NO", lossy, runs, median(in_v, runs),
               median(out_v, runs));
        fflush(stdout);
        if (pass && !fails_at) {
            best = n;
        } else if (!pass && !fails_at) {
            fails_at = n;
        }
        if (!pass && !max_s) {
            break; /* TC_BENCH_MAX: on to it, for the costs */
        }
    }
    printf("streams relayed with no loss and p99 <= %.0f ms: %u\n", P99_MAX,
           best);
    crypto_table();
    return 0;
}
