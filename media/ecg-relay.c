// SPDX-License-Identifier: Apache-2.0
/*
 * ecg-relay.c - the ECG relay: SRTP from devices in, archived, kept for
 * late viewers, and out again to every subscriber under its own key.
 *
 * One UDP socket serves every stream; a packet finds its stream by the
 * SSRC in its (clear) RTP header, then goes through, in this order:
 *
 *   unprotect (device key)  -> auth_failed / replayed
 *   parse (ecg-rtp.c)       -> bad_payload: not the stream's RTP, a
 *                              payload that is not whole frames of
 *                              n_leads samples, too long, short unmarked
 *   place (seq, timestamp)  -> bad_timing: before the stream, or a
 *                              timestamp that disagrees with its number
 *   archive (wfdb-write.c)  -> late: behind the reorder window (still
 *                              relayed live: a viewer places by index)
 *   history ring, then protect for each subscriber (its key) and send,
 *   then the stream's packet callback (WebSocket viewers).
 *
 * A refused packet changes nothing but its counter. Packets are read in
 * batches with recvmmsg and the protected copies leave in batches from
 * the same socket (ecg-tx.c: sendmmsg, and UDP GSO for runs of packets
 * to one subscriber address). Every buffer (receive and send batches,
 * history ring, archive ring) is allocated, and the history ring's pages
 * touched, when the relay or stream is made: the per-packet path
 * allocates nothing, takes no page fault for the history and takes no
 * lock. A stream's subscribers are packed at the front of its array, so
 * a packet reads only the slots it sends to.
 *
 * Thread: the thread-default GMainContext of the creating thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "media-int.h"
#include "tc-be.h"

#define RX_BATCH    32
#define MAX_SUBS    64
#define RX_ROUNDS   8 /* batches per wakeup, so other sources run too */
#define SOCK_BUF    (4 * 1024 * 1024)
#define HISTORY_DEF 10000

struct sub {
    int id; /* 0: free slot */
    struct tc_media_srtp *srtp;
    struct tc_media__ecg_dest dest;
};

struct hist_slot {
    int64_t index; /* -1: empty */
    unsigned frames;
};

struct tc_media_ecg_stream {
    struct tc_media_ecg_relay *relay;
    struct tc_media_ecg_format fmt;
    struct tc_media_srtp *srtp_in;
    struct tc_media_ecg_seq seq;
    struct tc_media_wfdb_writer *archive;
    bool archive_done;
    struct sub subs[MAX_SUBS]; /* [0, n_subs) in use, packed */
    unsigned n_subs;
    int next_sub_id;
    size_t span; /* payload bytes of a full packet */
    unsigned hist_n;
    struct hist_slot *hist;
    uint8_t *hist_buf; /* hist_n * span */
    struct tc_media_ecg_stream_stats st;
    tc_media_ecg_packet_fn packet;
    void *data;
};

struct tc_media_ecg_relay {
    int fd;
    uint16_t port;
    GSource *watch;
    GSource *sync_timer;
    GHashTable *streams; /* GUINT_TO_POINTER(ssrc) -> stream (owned) */
    uint64_t unknown;
    struct mmsghdr rx_msgs[RX_BATCH];
    struct iovec rx_iov[RX_BATCH];
    uint8_t rx_buf[RX_BATCH][TC_MEDIA_ECG_MAX_PACKET];
    struct tc_media_ecg_stream *rx_stream[RX_BATCH]; /* per rx_buf, or NULL */
    unsigned removals; /* streams removed: rx_stream may be stale */
    struct tc_media__ecg_tx tx;
};

/* ---- sending ---- */

/* Queue a protected copy of the clear packet pkt for sub. */
static void
tx_queue(struct tc_media_ecg_stream *s, struct sub *sub, const uint8_t *pkt,
         size_t len)
{
    struct tc_media__ecg_tx *tx = &s->relay->tx;
    uint8_t *buf = tc_media__ecg_tx_next(tx);

    memcpy(buf, pkt, len);
    if (tc_media_srtp_protect(sub->srtp, buf, &len) < 0) {
        s->st.send_failed++;
        return;
    }
    tc_media__ecg_tx_commit(tx, len, &sub->dest, &s->st);
}

/* ---- one packet ---- */

static void
history_put(struct tc_media_ecg_stream *s, int64_t index,
            const uint8_t *payload, unsigned frames)
{
    unsigned k = (unsigned)(index % s->hist_n);

    if (s->hist[k].index > index) {
        return; /* a late packet older than the ring */
    }
    s->hist[k].index = index;
    s->hist[k].frames = frames;
    memcpy(s->hist_buf + k * s->span, payload,
           (size_t)frames * s->fmt.n_leads * 2);
}

static void
archive_put(struct tc_media_ecg_stream *s, int64_t index,
            const uint8_t *payload, unsigned frames)
{
    int rc;

    if (!s->archive || s->archive_done) {
        return;
    }
    rc = tc_media_wfdb_writer_put(s->archive, index, payload, frames);
    if (rc == -EALREADY) {
        s->st.late++;
    } else if (rc < 0) {
        GST_ERROR("ECG stream %08x: archive write failed; archiving stops",
                  s->fmt.ssrc);
        s->archive_done = true;
    }
}

static void
handle_packet(struct tc_media_ecg_relay *r, struct tc_media_ecg_stream *s,
              uint8_t *buf, size_t len)
{
    struct tc_media_ecg_packet p;
    int64_t index;
    int rc;

    if (!s) {
        r->unknown++;
        return;
    }
    s->st.received++;
    rc = tc_media_srtp_unprotect(s->srtp_in, buf, &len);
    if (rc < 0) {
        if (rc == -EACCES) {
            s->st.auth_failed++;
        } else if (rc == -EALREADY) {
            s->st.replayed++;
        } else {
            s->st.bad_payload++;
        }
        return;
    }
    if (tc_media_ecg_rtp_parse(&s->fmt, buf, len, &p) < 0) {
        s->st.bad_payload++;
        return;
    }
    if (tc_media_ecg_seq_index(&s->seq, p.seq, p.timestamp, &index) < 0) {
        s->st.bad_timing++;
        return;
    }
    s->st.accepted++;
    archive_put(s, index, p.payload, p.frames);
    history_put(s, index, p.payload, p.frames);
    /* packed: the n_subs in use, not 64 slots of 152 bytes */
    for (unsigned i = 0; i < s->n_subs; i++) {
        tx_queue(s, &s->subs[i], buf, len);
    }
    if (s->packet) {
        s->packet(s->data, index, p.payload, p.frames);
    }
}

/* The stream of received packet i, or NULL. */
static struct tc_media_ecg_stream *
stream_of(struct tc_media_ecg_relay *r, int i)
{
    if (r->rx_msgs[i].msg_len < TC_MEDIA_ECG_RTP_HEADER) {
        return NULL;
    }
    return g_hash_table_lookup(r->streams,
                               GUINT_TO_POINTER(tc_be_rd32(r->rx_buf[i] + 8)));
}

/*
 * Each packet's stream, and what its packet will touch first, asked for
 * from memory for the whole batch before the first packet is handled:
 * over thousands of streams these are cache misses, and a packet's
 * crypto is too long for the CPU to reach the next packet's misses by
 * itself. In three rounds, each reading what the one before fetched.
 */
static void
prefetch_batch(struct tc_media_ecg_relay *r, int n)
{
    for (int i = 0; i < n; i++) {
        struct tc_media_ecg_stream *s = stream_of(r, i);
        r->rx_stream[i] = s;
        if (s) {
            __builtin_prefetch(s);
            __builtin_prefetch(&s->subs[0]);
            __builtin_prefetch(&s->subs[1]);
            __builtin_prefetch(&s->n_subs);
            __builtin_prefetch(&s->st);
        }
    }
    for (int i = 0; i < n; i++) {
        struct tc_media_ecg_stream *s = r->rx_stream[i];
        if (s) {
            unsigned k = (unsigned)((s->seq.highest + 1) % s->hist_n);
            __builtin_prefetch(s->srtp_in);
            for (unsigned j = 0; j < s->n_subs && j < 2; j++) {
                __builtin_prefetch(s->subs[j].srtp);
            }
            __builtin_prefetch(&s->hist[k], 1);
            __builtin_prefetch(s->hist_buf + k * s->span, 1);
        }
    }
    for (int i = 0; i < n; i++) {
        struct tc_media_ecg_stream *s = r->rx_stream[i];
        if (s) {
            tc_media__srtp_prefetch(s->srtp_in);
            for (unsigned j = 0; j < s->n_subs && j < 2; j++) {
                tc_media__srtp_prefetch(s->subs[j].srtp);
            }
        }
    }
}

static gboolean
on_readable(gint fd, GIOCondition cond, gpointer data)
{
    struct tc_media_ecg_relay *r = data;

    for (int round = 0; round < RX_ROUNDS; round++) {
        unsigned removals;
        int n;

        for (unsigned i = 0; i < RX_BATCH; i++) {
            r->rx_iov[i].iov_base = r->rx_buf[i];
            r->rx_iov[i].iov_len = sizeof(r->rx_buf[i]);
            r->rx_msgs[i].msg_hdr = (struct msghdr){
                .msg_iov = &r->rx_iov[i],
                .msg_iovlen = 1,
            };
        }
        n = recvmmsg(fd, r->rx_msgs, RX_BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) {
            break;
        }
        prefetch_batch(r, n);
        removals = r->removals;
        for (int i = 0; i < n; i++) {
            if (r->removals != removals) {
                /* a callback removed a stream: look the rest up again */
                r->rx_stream[i] = stream_of(r, i);
            }
            handle_packet(r, r->rx_stream[i], r->rx_buf[i],
                          r->rx_msgs[i].msg_len);
        }
        tc_media__ecg_tx_flush(&r->tx);
        if (n < RX_BATCH) {
            break;
        }
    }
    return G_SOURCE_CONTINUE;
}

static gboolean
on_sync(gpointer data)
{
    tc_media_ecg_relay_sync(data);
    return G_SOURCE_CONTINUE;
}

/* ---- the relay ---- */

static void
stream_free(gpointer data)
{
    struct tc_media_ecg_stream *s = data;

    if (s->archive) {
        tc_media_wfdb_writer_sync(s->archive);
        tc_media_wfdb_writer_free(s->archive);
    }
    tc_media_srtp_free(s->srtp_in);
    for (unsigned i = 0; i < s->n_subs; i++) {
        tc_media_srtp_free(s->subs[i].srtp);
    }
    g_free(s->hist);
    g_free(s->hist_buf);
    g_free(s);
}

static int
bind_socket(const char *addr, uint16_t port, int *fd_out, uint16_t *bound)
{
    struct sockaddr_storage ss = {0};
    socklen_t ss_len;
    int fd, buf = SOCK_BUF;

    if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr)) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        ss_len = sizeof(*in);
    } else if (inet_pton(AF_INET6, addr,
                         &((struct sockaddr_in6 *)&ss)->sin6_addr)) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        ss_len = sizeof(*in6);
    } else {
        return -EINVAL;
    }
    fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    /* Bursts must not overflow the socket: net.core.rmem_max caps
     * SO_RCVBUF (docs/operations.md); with CAP_NET_ADMIN the FORCE
     * variants pass the cap. */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
    }
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) < 0) {
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
    }
    if (bind(fd, (struct sockaddr *)&ss, ss_len) < 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &ss_len) < 0) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    *bound = ntohs(ss.ss_family == AF_INET
                       ? ((struct sockaddr_in *)&ss)->sin_port
                       : ((struct sockaddr_in6 *)&ss)->sin6_port);
    *fd_out = fd;
    return 0;
}

int
tc_media_ecg_relay_new(const char *addr, uint16_t port,
                       struct tc_media_ecg_relay **out)
{
    g_autoptr(GMainContext) ctx = g_main_context_ref_thread_default();
    struct tc_media_ecg_relay *r;
    int rc;

    r = calloc(1, sizeof(*r));
    if (!r) {
        return -ENOMEM;
    }
    rc = bind_socket(addr, port, &r->fd, &r->port);
    if (rc < 0) {
        free(r);
        return rc;
    }
    tc_media__ecg_tx_init(&r->tx, r->fd);
    r->streams = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                       stream_free);
    r->watch = g_unix_fd_source_new(r->fd, G_IO_IN);
    g_source_set_callback(r->watch, G_SOURCE_FUNC(on_readable), r, NULL);
    g_source_attach(r->watch, ctx);
    r->sync_timer = g_timeout_source_new(1000);
    g_source_set_callback(r->sync_timer, on_sync, r, NULL);
    g_source_attach(r->sync_timer, ctx);
    *out = r;
    return 0;
}

void
tc_media_ecg_relay_free(struct tc_media_ecg_relay *r)
{
    if (!r) {
        return;
    }
    g_source_destroy(r->watch);
    g_source_unref(r->watch);
    g_source_destroy(r->sync_timer);
    g_source_unref(r->sync_timer);
    g_hash_table_destroy(r->streams);
    close(r->fd);
    free(r);
}

uint16_t
tc_media_ecg_relay_port(const struct tc_media_ecg_relay *r)
{
    return r->port;
}

uint64_t
tc_media_ecg_relay_unknown(const struct tc_media_ecg_relay *r)
{
    return r->unknown;
}

int
tc_media_ecg_relay_set_gso(struct tc_media_ecg_relay *r, bool on)
{
    return tc_media__ecg_tx_set_gso(&r->tx, on);
}

void
tc_media_ecg_relay_tx_stats(const struct tc_media_ecg_relay *r,
                            struct tc_media_ecg_relay_tx_stats *out)
{
    *out = r->tx.stats;
    out->gso = r->tx.gso;
}

int
tc_media__ecg_relay_fd(const struct tc_media_ecg_relay *r)
{
    return r->fd;
}

void
tc_media_ecg_relay_sync(struct tc_media_ecg_relay *r)
{
    GHashTableIter it;
    gpointer v;

    g_hash_table_iter_init(&it, r->streams);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        struct tc_media_ecg_stream *s = v;
        if (s->archive && !s->archive_done &&
            tc_media_wfdb_writer_sync(s->archive) < 0) {
            GST_ERROR("ECG stream %08x: archive sync failed; archiving "
                      "stops",
                      s->fmt.ssrc);
            s->archive_done = true;
        }
    }
}

/* ---- streams ---- */

int
tc_media_ecg_relay_stream_add(struct tc_media_ecg_relay *r,
                              const struct tc_media_ecg_stream_params *p,
                              struct tc_media_ecg_stream **out)
{
    struct tc_media_ecg_stream *s;
    unsigned history_ms = p->history_ms ? p->history_ms : HISTORY_DEF;
    int rc;

    if (tc_media_ecg_format_check(&p->format) < 0 || !p->key) {
        return -EINVAL;
    }
    if (g_hash_table_contains(r->streams, GUINT_TO_POINTER(p->format.ssrc))) {
        return -EEXIST;
    }
    s = g_new0(struct tc_media_ecg_stream, 1);
    s->relay = r;
    s->fmt = p->format;
    s->packet = p->packet;
    s->data = p->data;
    s->next_sub_id = 1;
    tc_media_ecg_seq_init(&s->seq, &s->fmt);
    s->span = (size_t)s->fmt.frames_per_packet * s->fmt.n_leads * 2;
    s->hist_n =
        (unsigned)(((uint64_t)history_ms * s->fmt.sample_rate_hz / 1000 +
                    s->fmt.frames_per_packet - 1) /
                   s->fmt.frames_per_packet);
    s->hist_n = s->hist_n ? s->hist_n : 1;
    s->hist = g_new(struct hist_slot, s->hist_n);
    s->hist_buf = g_malloc((size_t)s->hist_n * s->span);
    /* its pages now, not a fault every 4 KiB in the packet path for the
     * first history_ms of the stream (g_malloc, unlike calloc, cannot
     * skip this) */
    memset(s->hist_buf, 0, (size_t)s->hist_n * s->span);
    for (unsigned i = 0; i < s->hist_n; i++) {
        s->hist[i].index = -1;
    }
    rc = tc_media_srtp_new(p->profile, p->key, s->fmt.ssrc, &s->srtp_in);
    if (rc == 0 && p->archive.dir) {
        struct tc_media_wfdb_writer_params a = p->archive;
        a.n_leads = s->fmt.n_leads;
        a.sample_rate_hz = s->fmt.sample_rate_hz;
        a.frames_per_packet = s->fmt.frames_per_packet;
        rc = tc_media_wfdb_writer_open(&a, &s->archive);
    }
    if (rc < 0) {
        stream_free(s);
        return rc;
    }
    g_hash_table_insert(r->streams, GUINT_TO_POINTER(s->fmt.ssrc), s);
    *out = s;
    return 0;
}

/* Packet `index` from history as clear RTP into buf; its length. */
static size_t
history_packet(const struct tc_media_ecg_stream *s, unsigned k, uint8_t *buf)
{
    const struct hist_slot *h = &s->hist[k];
    size_t n = (size_t)h->frames * s->fmt.n_leads * 2;
    uint16_t seq = (uint16_t)(s->fmt.first_seq + h->index);
    uint32_t ts = (uint32_t)(s->fmt.first_timestamp +
                             (uint64_t)h->index * s->fmt.frames_per_packet);

    buf[0] = 0x80;
    buf[1] = (uint8_t)(s->fmt.payload_type |
                       (h->frames < s->fmt.frames_per_packet ? 0x80 : 0));
    buf[2] = (uint8_t)(seq >> 8);
    buf[3] = (uint8_t)seq;
    buf[4] = (uint8_t)(ts >> 24);
    buf[5] = (uint8_t)(ts >> 16);
    buf[6] = (uint8_t)(ts >> 8);
    buf[7] = (uint8_t)ts;
    buf[8] = (uint8_t)(s->fmt.ssrc >> 24);
    buf[9] = (uint8_t)(s->fmt.ssrc >> 16);
    buf[10] = (uint8_t)(s->fmt.ssrc >> 8);
    buf[11] = (uint8_t)s->fmt.ssrc;
    memcpy(buf + TC_MEDIA_ECG_RTP_HEADER, s->hist_buf + k * s->span, n);
    return TC_MEDIA_ECG_RTP_HEADER + n;
}

/* The ring's slots in stream order: fn(k) for each held packet. */
static void
history_walk(struct tc_media_ecg_stream *s,
             void (*fn)(struct tc_media_ecg_stream *, unsigned, void *),
             void *data)
{
    int64_t last = s->seq.highest;
    int64_t first = last - (int64_t)s->hist_n + 1;

    for (int64_t i = first < 0 ? 0 : first; i <= last; i++) {
        unsigned k = (unsigned)(i % s->hist_n);
        if (s->hist[k].index == i) {
            fn(s, k, data);
        }
    }
}

static void
history_to_sub(struct tc_media_ecg_stream *s, unsigned k, void *data)
{
    uint8_t pkt[TC_MEDIA_ECG_MAX_PACKET];
    size_t len = history_packet(s, k, pkt);

    tx_queue(s, data, pkt, len);
}

int
tc_media_ecg_stream_subscribe(struct tc_media_ecg_stream *s,
                              enum tc_media_srtp_profile profile,
                              const uint8_t *key, const void *addr,
                              size_t addr_len, int *sub_id)
{
    struct sub *sub = NULL;
    int rc;

    if (!addr || addr_len > sizeof(sub->dest.addr) || addr_len == 0) {
        return -EINVAL;
    }
    if (s->n_subs == MAX_SUBS) {
        return -ENOSPC;
    }
    sub = &s->subs[s->n_subs];
    rc = tc_media_srtp_new(profile, key, s->fmt.ssrc, &sub->srtp);
    if (rc < 0) {
        return rc;
    }
    tc_media__ecg_tx_dest_init(&sub->dest, addr, addr_len);
    sub->id = s->next_sub_id++;
    s->n_subs++;
    history_walk(s, history_to_sub, sub);
    tc_media__ecg_tx_flush(&s->relay->tx);
    *sub_id = sub->id;
    return 0;
}

int
tc_media_ecg_stream_unsubscribe(struct tc_media_ecg_stream *s, int sub_id)
{
    for (unsigned i = 0; i < s->n_subs; i++) {
        if (sub_id > 0 && s->subs[i].id == sub_id) {
            /* queued sends point at subscribers' addresses: out first */
            tc_media__ecg_tx_flush(&s->relay->tx);
            tc_media_srtp_free(s->subs[i].srtp);
            s->subs[i] = s->subs[s->n_subs - 1]; /* keep them packed */
            memset(&s->subs[s->n_subs - 1], 0, sizeof(s->subs[0]));
            s->n_subs--;
            return 0;
        }
    }
    return -ENOENT;
}

struct history_call {
    tc_media_ecg_packet_fn fn;
    void *data;
};

static void
history_to_fn(struct tc_media_ecg_stream *s, unsigned k, void *data)
{
    struct history_call *c = data;

    c->fn(c->data, s->hist[k].index, s->hist_buf + k * s->span,
          s->hist[k].frames);
}

void
tc_media_ecg_stream_history(struct tc_media_ecg_stream *s,
                            tc_media_ecg_packet_fn fn, void *data)
{
    struct history_call c = {fn, data};

    history_walk(s, history_to_fn, &c);
}

void
tc_media_ecg_stream_stats(const struct tc_media_ecg_stream *s,
                          struct tc_media_ecg_stream_stats *out)
{
    *out = s->st;
    if (s->archive) {
        out->frames = tc_media_wfdb_writer_frames(s->archive);
        out->lost_frames = tc_media_wfdb_writer_lost_frames(s->archive);
    }
}

int
tc_media_ecg_stream_finish(struct tc_media_ecg_stream *s, int64_t total)
{
    int rc = 0;

    if (s->archive && !s->archive_done) {
        rc = tc_media_wfdb_writer_finish(s->archive, total);
        s->archive_done = true;
    }
    return rc;
}

void
tc_media_ecg_stream_remove(struct tc_media_ecg_stream *s)
{
    s->relay->removals++;
    g_hash_table_remove(s->relay->streams, GUINT_TO_POINTER(s->fmt.ssrc));
}
