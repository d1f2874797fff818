// SPDX-License-Identifier: Apache-2.0
/*
 * ecg.c - ECG streaming in libtelecare-client (docs/ecg-rtp.md): the
 * subscriber side (SRTP over UDP, or binary WebSocket frames), the ECG
 * requests and their answers, and what the device side (ecg-device.c)
 * shares with it (ecg-int.h).
 *
 * Thread: the client's context, like every SDK object.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib.h>
#include <jansson.h>
#include <srtp2/srtp.h>

#include "ecg-int.h"
#include "tc-be.h"

#define GRO_MAX   65536 /* a UDP_GRO read: one GSO run at most */
#define EARLY_MAX TC_SDK__ECG_EARLY_MAX
#define WS_HEADER 20
#define WS_MAX    (256 * 1024)

struct tc_sdk_ecg_sub {
    struct tc_sdk_client *c;
    struct tc_sdk_ecg_sub_callbacks cb;
    void *data;
    char stream[STREAM_NAME_MAX];
    int64_t study;
    bool websocket, ready;
    bool answered; /* the server's answer (or refusal) is in */
    int subscription;
    unsigned n_leads, fpp;
    uint32_t ssrc, first_ts;
    uint16_t first_seq;
    uint8_t pt;
    srtp_t srtp;
    int fd;         /* a socket of its own, or -1 (shared or WebSocket) */
    bool shared;    /* on the client's shared socket */
    uint16_t port;  /* where its packets arrive; 0 over WebSocket */
    GSource *watch; /* on fd */
    bool reading;   /* in on_readable or sub_ready: a free waits */
    bool doomed;    /* freed from a callback meanwhile */
    uint64_t refused, coalesced;
};

/* One tracked ECG request: its id -> the object it is for. */
struct ecg_req {
    struct tc_sdk_ecg_stream *stream;
    struct tc_sdk_ecg_sub *sub;
};

struct tc_sdk__ecg {
    GHashTable *requests; /* id -> struct ecg_req */
    GPtrArray *subs;      /* struct tc_sdk_ecg_sub *, borrowed */
    GByteArray *rx;       /* a binary message arriving in fragments */
    bool rx_too_big;      /* ... past WS_MAX: dropped until its end */
    unsigned next_id;
    /* the UDP socket the client's SRTP subscriptions share (-1: none yet) */
    int udp_fd;
    uint16_t udp_port;
    GSource *udp_watch;
    /* Packets on the shared socket that no answered subscription takes,
     * while one is waiting for its answer: the relay sends a late
     * subscriber's history as it subscribes, and the answer with the keys
     * comes over the WebSocket, often after it. Each is a 2-byte length
     * and the packet; at most EARLY_MAX bytes. */
    GByteArray *early;
    bool test_udp_first; /* tc_sdk_ecg_test_udp_first */
};

static gsize srtp_ready;

/* libsrtp is initialised once per process, by whoever comes first: when
 * another library did (GStreamer's srtp elements, the application), the
 * second srtp_init() returns srtp_err_status_fail (Debian's libsrtp2 2.5)
 * although sessions work. So its result is not trusted either way:
 * srtp_create() says whether a session can be made. */
static void
srtp_once(void)
{
    if (g_once_init_enter(&srtp_ready)) {
        (void)srtp_init();
        g_once_init_leave(&srtp_ready, 1);
    }
}

static struct tc_sdk__ecg *
ecg_of(struct tc_sdk_client *c)
{
    if (!c->ecg) {
        c->ecg = g_new0(struct tc_sdk__ecg, 1);
        c->ecg->requests =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        c->ecg->subs = g_ptr_array_new();
        c->ecg->rx = g_byte_array_new();
        c->ecg->udp_fd = -1;
        c->ecg->early = g_byte_array_new();
    }
    return c->ecg;
}

bool
tc_sdk__ecg_stream_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;

    return n > 4 && n < STREAM_NAME_MAX && strncmp(name, "ecg:", 4) == 0 &&
           strspn(name + 4, "0123456789") == n - 4;
}

/* Stop and drop a source (NULL: nothing). */
void
tc_sdk__ecg_drop_source(GSource *src)
{
    if (src) {
        g_source_destroy(src);
        g_source_unref(src);
    }
}

/* A source on the client's loop calling fn(fd, cond, data) when fd is
 * readable. */
static GSource *
watch_fd(struct tc_sdk_client *c, int fd, GUnixFDSourceFunc fn, void *data)
{
    GSource *src = g_unix_fd_source_new(fd, G_IO_IN);

    g_source_set_callback(src, G_SOURCE_FUNC(fn), data, NULL);
    g_source_attach(src, tc_sdk__loop_context(c));
    return src;
}

void
tc_sdk__ecg_free_all(struct tc_sdk_client *c)
{
    if (c->ecg) {
        tc_sdk__ecg_drop_source(c->ecg->udp_watch);
        if (c->ecg->udp_fd >= 0) {
            close(c->ecg->udp_fd);
        }
        g_hash_table_destroy(c->ecg->requests);
        g_ptr_array_unref(c->ecg->subs);
        g_byte_array_unref(c->ecg->rx);
        g_byte_array_unref(c->ecg->early);
        g_free(c->ecg);
        c->ecg = NULL;
    }
}

/* Send `msg` (consumed) with a fresh "ecg-<n>" id tracked for obj. */
int
tc_sdk__ecg_request(struct tc_sdk_client *c, json_t *msg,
                    struct tc_sdk_ecg_stream *st, struct tc_sdk_ecg_sub *sub)
{
    struct tc_sdk__ecg *e = ecg_of(c);
    struct ecg_req *r;
    char id[32];
    int rc;

    if (c->state != TC_SDK_STATE_READY) {
        json_decref(msg);
        return tc_sdk__fail(c, -ENOTCONN, "no session");
    }
    g_snprintf(id, sizeof(id), "ecg-%u", ++e->next_id);
    json_object_set_new(msg, "id", json_string(id));
    rc = tc_sdk__send_take(c, msg);
    if (rc == 0) {
        r = g_new0(struct ecg_req, 1);
        r->stream = st;
        r->sub = sub;
        g_hash_table_insert(e->requests, g_strdup(id), r);
    }
    return rc;
}

void
tc_sdk__ecg_forget_requests(struct tc_sdk_client *c, const void *obj)
{
    GHashTableIter it;
    gpointer v;

    if (!c->ecg) {
        return;
    }
    g_hash_table_iter_init(&it, c->ecg->requests);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        struct ecg_req *r = v;
        if ((const void *)r->stream == obj || (const void *)r->sub == obj) {
            g_hash_table_iter_remove(&it);
        }
    }
}

int
tc_sdk__ecg_srtp_session(const char *profile, const char *key_b64,
                         uint32_t ssrc, srtp_t *out)
{
    srtp_policy_t policy;
    guchar *key;
    gsize key_len = 0;
    bool gcm = g_strcmp0(profile, "AEAD_AES_128_GCM") == 0;
    srtp_err_status_t st;

    if (!gcm && g_strcmp0(profile, "AES_CM_128_HMAC_SHA1_80") != 0) {
        return -EPROTO;
    }
    if (!key_b64) {
        return -EPROTO;
    }
    srtp_once();
    key = g_base64_decode(key_b64, &key_len);
    if (key_len != (gcm ? 28u : 30u)) {
        g_free(key);
        return -EPROTO;
    }
    memset(&policy, 0, sizeof(policy));
    if (gcm) {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    }
    policy.ssrc.type = ssrc_specific;
    policy.ssrc.value = ssrc;
    policy.key = key;
    policy.window_size = 128;
    st = srtp_create(out, &policy);
    memset(key, 0, key_len);
    g_free(key);
    return st == srtp_err_status_ok ? 0 : -EIO;
}

/* A UDP socket connected (device) or bound (subscriber) for host. */
int
tc_sdk__ecg_udp_socket(const char *host, int port, bool connect_it,
                       uint16_t *bound)
{
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai = NULL;
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char service[8];
    int fd, buf = 1 << 20;

    g_snprintf(service, sizeof(service), "%d", port);
    if (getaddrinfo(host, service, &hints, &ai) != 0 || !ai) {
        return -EHOSTUNREACH;
    }
    fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) <
            0) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
        }
        if (!connect_it) {
            /* without it (before Linux 5.0): datagram by datagram */
            int on = 1;
            setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof(on));
        }
        if (connect_it) {
            if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
                close(fd);
                fd = -1;
            }
        } else {
            memset(&ss, 0, sizeof(ss));
            ss.ss_family = (sa_family_t)ai->ai_family;
            if (bind(fd, (struct sockaddr *)&ss,
                     ai->ai_family == AF_INET6
                         ? sizeof(struct sockaddr_in6)
                         : sizeof(struct sockaddr_in)) < 0 ||
                getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
                close(fd);
                fd = -1;
            } else {
                *bound = ntohs(ss.ss_family == AF_INET6
                                   ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                   : ((struct sockaddr_in *)&ss)->sin_port);
            }
        }
    }
    freeaddrinfo(ai);
    return fd < 0 ? -EIO : fd;
}

/* ---- the subscriber side ---- */

static void
deliver(struct tc_sdk_ecg_sub *s, int64_t first_frame, const uint8_t *be,
        unsigned frames)
{
    int16_t x[MAX_PAYLOAD / 2];
    int16_t *buf = frames * s->n_leads <= G_N_ELEMENTS(x)
                       ? x
                       : g_new(int16_t, (gsize)frames * s->n_leads);
    struct tc_sdk_ecg_samples out = {
        .stream = s->stream,
        .first_frame = first_frame,
        .frames = frames,
        .n_leads = s->n_leads,
        .samples = buf,
    };

    for (size_t i = 0; i < (size_t)frames * s->n_leads; i++) {
        buf[i] = (int16_t)(be[2 * i] << 8 | be[2 * i + 1]);
    }
    if (s->cb.samples) {
        s->cb.samples(s, &out, s->data);
    }
    if (buf != x) {
        g_free(buf);
    }
}

/* One SRTP packet: unprotect, check it is this stream's, deliver. */
static void
on_datagram(struct tc_sdk_ecg_sub *s, uint8_t *buf, size_t n)
{
    int len = (int)n;
    size_t off = 12, bytes;
    uint16_t seq;
    uint32_t ts;

    if (n < 12 || srtp_unprotect(s->srtp, buf, &len) != srtp_err_status_ok ||
        (buf[0] >> 6) != 2 || (buf[1] & 0x7f) != s->pt) {
        s->refused++;
        return;
    }
    off += 4u * (buf[0] & 0x0f);
    if (buf[0] & 0x10) {
        if (off + 4 > (size_t)len) {
            s->refused++;
            return;
        }
        off += 4 + 4u * (uint16_t)(buf[off + 2] << 8 | buf[off + 3]);
    }
    if (buf[0] & 0x20) {
        len -= buf[len - 1];
    }
    if (off > (size_t)len) {
        s->refused++;
        return;
    }
    bytes = (size_t)len - off;
    if (bytes == 0 || bytes % (2u * s->n_leads) != 0 ||
        bytes / (2u * s->n_leads) > s->fpp) {
        s->refused++;
        return;
    }
    seq = (uint16_t)(buf[2] << 8 | buf[3]);
    ts = tc_be_rd32(buf + 4);
    (void)seq;
    deliver(s, (int64_t)(uint32_t)(ts - s->first_ts), buf + off,
            (unsigned)(bytes / (2u * s->n_leads)));
}

typedef void (*packet_fn)(void *ctx, uint8_t *p, size_t n, bool several);

/* Calls `fn` for each packet of a buffer that one read returned: packets
 * of `seg` bytes, the last maybe shorter (seg 0 or >= n: one packet),
 * with whether they came several to the read. */
static void
cut_packets(uint8_t *buf, size_t n, size_t seg, packet_fn fn, void *ctx)
{
    if (seg == 0 || seg > n) {
        seg = n;
    }
    for (size_t off = 0; off < n; off += seg) {
        fn(ctx, buf + off, MIN(seg, n - off), seg < n);
    }
}

/* One read: its length (0: nothing more) and *seg, the UDP_GRO segment
 * size (the length itself without the control message). */
static size_t
recv_gro(int fd, uint8_t *buf, size_t cap, size_t *seg)
{
    char ctl[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {buf, cap};
    struct msghdr h = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = ctl,
                       .msg_controllen = sizeof(ctl)};
    ssize_t n = recvmsg(fd, &h, 0);

    if (n <= 0) {
        return 0;
    }
    *seg = (size_t)n;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
            int g;
            memcpy(&g, CMSG_DATA(c), sizeof(g));
            *seg = g > 0 ? (size_t)g : *seg;
        }
    }
    return (size_t)n;
}

/*
 * The sockets read with UDP_GRO where the kernel has it: a run of packets
 * the relay sent as one GSO message (a late subscriber's 10 s of history,
 * a backlog, or on the shared socket a batch's packets of several
 * streams) arrives as one buffer of equal-sized packets, the last maybe
 * shorter, and is cut here instead of datagram by datagram in the kernel.
 * Calls `fn` for each packet with whether it came several to a read.
 */
static void
read_packets(int fd, packet_fn fn, void *ctx)
{
    static _Thread_local uint8_t buf[GRO_MAX];
    size_t n, seg;

    while ((n = recv_gro(fd, buf, sizeof(buf), &seg)) > 0) {
        cut_packets(buf, n, seg, fn, ctx);
    }
}

/* A packet on a subscription's own socket. */
static void
own_packet(void *ctx, uint8_t *p, size_t n, bool several)
{
    struct tc_sdk_ecg_sub *s = ctx;

    if (s->ready) {
        s->coalesced += several;
        on_datagram(s, p, n);
    }
}

static void sub_release(struct tc_sdk_ecg_sub *s);

/* A subscription's own socket. Its samples callback may free it: the
 * rest of what was read is then dropped and it is released here. */
static gboolean
on_readable(gint fd, GIOCondition cond, gpointer data)
{
    struct tc_sdk_ecg_sub *s = data;

    s->reading = true;
    read_packets(fd, own_packet, s);
    s->reading = false;
    if (s->doomed) {
        sub_release(s);
    }
    return G_SOURCE_CONTINUE;
}

/* A packet on the shared socket: the subscription is the one of its SSRC
 * (one per stream there; packets of a subscription not yet answered are
 * dropped, as on a socket of its own). */
static void
shared_packet(void *ctx, uint8_t *p, size_t n, bool several)
{
    struct tc_sdk__ecg *e = ctx;
    bool waiting = false;
    uint32_t ssrc;

    if (n < 12) {
        return;
    }
    ssrc = tc_be_rd32(p + 8);
    for (guint i = 0; i < e->subs->len; i++) {
        struct tc_sdk_ecg_sub *s = g_ptr_array_index(e->subs, i);
        if (s->shared && s->ready && s->ssrc == ssrc) {
            s->coalesced += several;
            on_datagram(s, p, n);
            return;
        }
        waiting = waiting || (s->shared && !s->answered);
    }
    if (waiting && n <= G_MAXUINT16 && e->early->len + 2 + n <= EARLY_MAX) {
        uint8_t len[2] = {(uint8_t)(n >> 8), (uint8_t)n};
        g_byte_array_append(e->early, len, 2);
        g_byte_array_append(e->early, p, (guint)n);
    }
}

static gboolean
on_shared_readable(gint fd, GIOCondition cond, gpointer data)
{
    read_packets(fd, shared_packet, data);
    return G_SOURCE_CONTINUE;
}

void
tc_sdk__ecg_rx(struct tc_sdk_client *c, struct tc_sdk_ecg_sub *s, uint8_t *buf,
               size_t n, size_t seg)
{
    if (!s) {
        cut_packets(buf, n, seg, shared_packet, ecg_of(c));
        return;
    }
    s->reading = true;
    cut_packets(buf, n, seg, own_packet, s);
    s->reading = false;
    if (s->doomed) {
        sub_release(s);
    }
}

size_t
tc_sdk__ecg_early_bytes(const struct tc_sdk_client *c)
{
    return c->ecg ? c->ecg->early->len : 0;
}

/*
 * The socket for a new SRTP subscription to `stream`: the client's shared
 * one (made on first use), so that the relay sends the client's packets
 * of several streams to one address, in GSO runs; a socket of its own if
 * the client already watches this stream on the shared one (the copies
 * of one stream carry one SSRC). 0 or -EIO.
 */
static int
sub_socket(struct tc_sdk_client *c, struct tc_sdk_ecg_sub *s)
{
    struct tc_sdk__ecg *e = ecg_of(c);
    bool taken = false;

    for (guint i = 0; i < e->subs->len; i++) {
        struct tc_sdk_ecg_sub *o = g_ptr_array_index(e->subs, i);
        taken = taken || (o->shared && strcmp(o->stream, s->stream) == 0);
    }
    if (taken) {
        /* read once the answer brings the keys (sub_ready): what the
         * relay sends before waits in the socket */
        s->fd = tc_sdk__ecg_udp_socket(c->url.host, 0, false, &s->port);
        return s->fd < 0 ? -EIO : 0;
    }
    if (e->udp_fd < 0) {
        e->udp_fd =
            tc_sdk__ecg_udp_socket(c->url.host, 0, false, &e->udp_port);
        if (e->udp_fd < 0) {
            return -EIO;
        }
        e->udp_watch = watch_fd(c, e->udp_fd, on_shared_readable, e);
    }
    s->shared = true;
    s->port = e->udp_port;
    return 0;
}

int
tc_sdk_ecg_subscribe(struct tc_sdk_client *c, const char *stream,
                     bool websocket, const struct tc_sdk_ecg_sub_callbacks *cb,
                     void *data, struct tc_sdk_ecg_sub **out)
{
    struct tc_sdk_ecg_sub *s;
    json_t *msg;
    int rc;

    if (!tc_sdk__ecg_stream_name_ok(stream)) {
        return tc_sdk__fail(c, -EINVAL, "stream: must be ecg:<study id>");
    }
    s = g_new0(struct tc_sdk_ecg_sub, 1);
    s->c = c;
    if (cb) {
        s->cb = *cb;
    }
    s->data = data;
    s->fd = -1;
    s->websocket = websocket;
    g_strlcpy(s->stream, stream, sizeof(s->stream));
    s->study = g_ascii_strtoll(stream + 4, NULL, 10);
    msg = json_pack("{s:s,s:s,s:s}", "type", "ecg-subscribe", "stream", stream,
                    "transport", websocket ? "websocket" : "srtp");
    if (!websocket) {
        if (sub_socket(c, s) < 0) {
            json_decref(msg);
            g_free(s);
            return tc_sdk__fail(c, -EIO, "no UDP socket for the ECG stream");
        }
        json_object_set_new(msg, "port", json_integer(s->port));
    }
    rc = tc_sdk__ecg_request(c, msg, NULL, s);
    if (rc < 0) {
        tc_sdk_ecg_sub_free(s);
        return rc;
    }
    g_ptr_array_add(ecg_of(c)->subs, s);
    *out = s;
    return 0;
}

/* Whether a subscription on the shared socket waits for its answer. */
static bool
early_wanted(const struct tc_sdk__ecg *e)
{
    for (guint i = 0; i < e->subs->len; i++) {
        const struct tc_sdk_ecg_sub *o = g_ptr_array_index(e->subs, i);
        if (o->shared && !o->answered) {
            return true;
        }
    }
    return false;
}

/* Held packets are for subscriptions still waiting: none, none held. */
static void
early_trim(struct tc_sdk__ecg *e)
{
    if (!early_wanted(e)) {
        g_byte_array_set_size(e->early, 0);
    }
}

/* The held packets of s's SSRC to s, now answered; the others stay held
 * while another subscription waits. */
static void
take_early(struct tc_sdk__ecg *e, struct tc_sdk_ecg_sub *s)
{
    GByteArray *keep = g_byte_array_new();
    bool wanted = early_wanted(e);

    for (guint off = 0; off + 2 <= e->early->len;) {
        uint8_t *q = e->early->data + off;
        size_t n = (size_t)q[0] << 8 | q[1];
        uint8_t *p = q + 2;
        uint32_t ssrc = tc_be_rd32(p + 8);

        off += 2 + (guint)n;
        if (s->ready && ssrc == s->ssrc) {
            on_datagram(s, p, n); /* may free s: then not ready */
        } else if (wanted) {
            g_byte_array_append(keep, q, (guint)(2 + n));
        }
    }
    g_byte_array_unref(e->early);
    e->early = keep;
}

static void
sub_ready(struct tc_sdk_ecg_sub *s, json_t *msg, const char *json)
{
    json_t *d = json_object_get(msg, "description");
    int rc = 0;

    s->ssrc = (uint32_t)json_integer_value(json_object_get(msg, "ssrc"));
    s->first_seq =
        (uint16_t)json_integer_value(json_object_get(msg, "first_seq"));
    s->first_ts =
        (uint32_t)json_integer_value(json_object_get(msg, "first_timestamp"));
    s->pt = (uint8_t)json_integer_value(json_object_get(msg, "payload_type"));
    s->n_leads = (unsigned)json_array_size(json_object_get(d, "leads"));
    s->fpp =
        (unsigned)json_integer_value(json_object_get(d, "frames_per_packet"));
    s->subscription =
        (int)json_integer_value(json_object_get(msg, "subscription"));
    if (s->n_leads < 1 || s->n_leads > MAX_LEADS || s->fpp < 1) {
        rc = -EPROTO;
    }
    if (rc == 0 && !s->websocket) {
        rc = tc_sdk__ecg_srtp_session(
            json_string_value(json_object_get(msg, "profile")),
            json_string_value(json_object_get(msg, "key")), s->ssrc, &s->srtp);
    }
    s->answered = true;
    s->ready = rc == 0;
    s->reading = true;
    if (s->cb.ready) {
        s->cb.ready(s, rc, json, s->data);
    }
    if (s->ready && s->fd >= 0) {
        s->watch = watch_fd(s->c, s->fd, on_readable, s);
    } else if (s->ready && s->shared) {
        take_early(s->c->ecg, s);
    } else if (s->c->ecg) {
        early_trim(s->c->ecg); /* an answer it cannot use */
    }
    s->reading = false;
    if (s->doomed) {
        sub_release(s);
    }
}

uint64_t
tc_sdk_ecg_sub_refused(const struct tc_sdk_ecg_sub *s)
{
    return s->refused;
}

void
tc_sdk_ecg_test_udp_first(struct tc_sdk_client *c, bool on)
{
    ecg_of(c)->test_udp_first = on;
}

uint64_t
tc_sdk_ecg_sub_coalesced(const struct tc_sdk_ecg_sub *s)
{
    return s->coalesced;
}

uint16_t
tc_sdk_ecg_sub_port(const struct tc_sdk_ecg_sub *s)
{
    return s->port;
}

/* The subscription's socket, session and memory. */
static void
sub_release(struct tc_sdk_ecg_sub *s)
{
    tc_sdk__ecg_drop_source(s->watch);
    if (s->srtp) {
        srtp_dealloc(s->srtp);
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    g_free(s);
}

void
tc_sdk_ecg_sub_free(struct tc_sdk_ecg_sub *s)
{
    if (!s || s->doomed) {
        return;
    }
    if (s->ready && s->c->state == TC_SDK_STATE_READY) {
        json_t *msg = json_pack("{s:s,s:s}", "type", "ecg-unsubscribe",
                                "stream", s->stream);
        if (!s->websocket) {
            json_object_set_new(msg, "subscription",
                                json_integer(s->subscription));
        }
        tc_sdk__send_take(s->c, msg);
    }
    tc_sdk__ecg_forget_requests(s->c, s);
    if (s->c->ecg) {
        g_ptr_array_remove(s->c->ecg->subs, s);
        early_trim(s->c->ecg);
    }
    if (s->reading) {
        /* from its own samples callback: on_readable finishes */
        s->ready = false;
        s->doomed = true;
        return;
    }
    sub_release(s);
}

/* ---- from proto.c and ws.c ---- */

bool
tc_sdk__ecg_answer(struct tc_sdk_client *c, const char *id, json_t *msg,
                   const char *json, bool ok)
{
    struct ecg_req *r;
    struct tc_sdk_ecg_stream *st;
    struct tc_sdk_ecg_sub *sub;
    const char *why = json_string_value(json_object_get(msg, "message"));

    if (!id || !c->ecg || !(r = g_hash_table_lookup(c->ecg->requests, id))) {
        return false;
    }
    st = r->stream;
    sub = r->sub;
    g_hash_table_remove(c->ecg->requests, id);
    if (st) {
        tc_sdk__ecg_stream_answer(st, msg, json, ok);
    } else if (sub) {
        if (c->ecg->test_udp_first && c->ecg->udp_fd >= 0) {
            read_packets(c->ecg->udp_fd, shared_packet, c->ecg);
        }
        if (ok) {
            sub_ready(sub, msg, json);
        } else {
            sub->answered = true;
            early_trim(c->ecg);
            if (sub->cb.ready) {
                sub->cb.ready(sub, -EPERM, why, sub->data);
            }
        }
    }
    return true;
}

void
tc_sdk__ecg_event(struct tc_sdk_client *c, json_t *msg)
{
    const char *stream = json_string_value(json_object_get(msg, "stream"));

    if (!stream || !c->ecg) {
        return;
    }
    for (guint i = 0; i < c->ecg->subs->len; i++) {
        struct tc_sdk_ecg_sub *s = g_ptr_array_index(c->ecg->subs, i);
        if (strcmp(s->stream, stream) == 0 && s->cb.ended) {
            s->cb.ended(s, s->data);
        }
    }
}

static void
on_ws_frame(struct tc_sdk_client *c, const uint8_t *p, size_t len)
{
    unsigned n_leads;
    uint32_t study, frames;
    uint64_t first;

    if (len < WS_HEADER || p[0] != 1 || p[1] != 1) {
        return;
    }
    n_leads = (unsigned)(p[2] << 8 | p[3]);
    study = tc_be_rd32(p + 4);
    first = (uint64_t)tc_be_rd32(p + 8) << 32 | tc_be_rd32(p + 12);
    frames = tc_be_rd32(p + 16);
    if (n_leads == 0 || frames == 0 ||
        (uint64_t)frames * n_leads * 2 != len - WS_HEADER) {
        tc_sdk__log(c, TC_SDK_LOG_WARNING, "malformed ECG frame");
        return;
    }
    for (guint i = 0; i < c->ecg->subs->len; i++) {
        struct tc_sdk_ecg_sub *s = g_ptr_array_index(c->ecg->subs, i);
        if (s->websocket && s->ready && s->study == (int64_t)study &&
            s->n_leads == n_leads) {
            deliver(s, (int64_t)first, p + WS_HEADER, frames);
        }
    }
}

void
tc_sdk__ecg_binary(struct tc_sdk_client *c, const void *in, size_t len,
                   bool final)
{
    struct tc_sdk__ecg *e = ecg_of(c);

    if (e->rx_too_big || e->rx->len + len > WS_MAX) {
        /* the whole message goes, its later fragments too */
        if (!e->rx_too_big) {
            tc_sdk__log(c, TC_SDK_LOG_WARNING, "ECG frame over %d bytes",
                        WS_MAX);
        }
        g_byte_array_set_size(e->rx, 0);
        e->rx_too_big = !final;
        return;
    }
    g_byte_array_append(e->rx, in, (guint)len);
    if (final) {
        on_ws_frame(c, e->rx->data, e->rx->len);
        g_byte_array_set_size(e->rx, 0);
    }
}
