// SPDX-License-Identifier: Apache-2.0
/*
 * ws.c - libwebsockets under the SDK.
 *
 * One lws context per GMainContext, shared by every client on it (10,000
 * clients in one process must not mean 10,000 contexts): created with
 * LWS_SERVER_OPTION_LIBUV on a libuv loop that is itself one GSource of
 * the application's context (common/tc-uvglib.h: epoll, so an iteration
 * costs what is ready, not what is open), and its callbacks run on that
 * context's thread.
 * The loop (struct tc_sdk__loop) is reference-counted by its clients and
 * found through a registry keyed by the GMainContext; the registry is the
 * only state shared between threads (protected by registry_lock). A loop
 * also keeps one vhost per CA file (wss verification), and a 1 s tick
 * that drives the clients' heartbeats.
 *
 * Per connection: the lws user pointer is the client. Freeing a client
 * with its connection still open sets the user pointer to NULL and lets
 * lws kill the socket; every callback tolerates a NULL user.
 *
 * Outgoing frames wait in the client's queue (bounded in client.c) and are
 * written from LWS_CALLBACK_CLIENT_WRITEABLE, up to WRITE_BURST at a time
 * while the socket takes them (lws_send_pipe_choked); a frame sent while
 * nothing waits is written at once. Incoming fragments are
 * reassembled up to TC_SDK__MAX_RX; a longer message closes the
 * connection (1009).
 *
 * Thread: a client's context thread; the registry from any thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <glib.h>
#include <libwebsockets.h>

#include "client-int.h"
#include "tc-uvglib.h"
#include "tc-wsclose.h"

struct vhost_entry {
    bool tls;
    char *ca_file; /* "" for the system store */
    struct lws_vhost *vhost;
};

struct tc_sdk__loop {
    GMainContext *ctx;
    struct tc_uvglib *uv; /* lws's libuv loop, one source of ctx */
    struct lws_context *lws;
    GPtrArray *vhosts; /* struct vhost_entry * */
    struct tc_sdk_client *clients;
    GSource *tick;
    int refs;
};

static GMutex registry_lock;
static GHashTable *registry; /* GMainContext * -> struct tc_sdk__loop * */

static tc_sdk_log_fn lws_log_fn;
static void *lws_log_data;
static GMutex lws_log_lock;

static int callback(struct lws *wsi, enum lws_callback_reasons reason,
                    void *user, void *in, size_t len);

static const struct lws_protocols protocols[] = {
    {"telecare.v1", callback, 0, 16384, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* ---- lws's log --------------------------------------------------------- */

static void
lws_emit(int level, const char *line)
{
    char buf[512];
    size_t n;

    g_mutex_lock(&lws_log_lock);
    if (lws_log_fn) {
        g_strlcpy(buf, line, sizeof(buf));
        n = strlen(buf);
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
            buf[--n] = '\0';
        }
        lws_log_fn(level == LLL_ERR ? TC_SDK_LOG_ERROR : TC_SDK_LOG_WARNING,
                   buf, lws_log_data);
    }
    g_mutex_unlock(&lws_log_lock);
}

void
tc_sdk__lws_log_setup(void)
{
    static gsize once;

    if (g_once_init_enter(&once)) {
        lws_set_log_level(LLL_ERR | LLL_WARN, lws_emit);
        g_once_init_leave(&once, 1);
    }
}

void
tc_sdk_set_lws_log(tc_sdk_log_fn fn, void *data)
{
    g_mutex_lock(&lws_log_lock);
    lws_log_fn = fn;
    lws_log_data = data;
    g_mutex_unlock(&lws_log_lock);
    tc_sdk__lws_log_setup();
}

/* ---- loops ------------------------------------------------------------- */

static gboolean
on_tick(gpointer data)
{
    struct tc_sdk__loop *loop = data;
    int64_t now = g_get_monotonic_time();
    struct tc_sdk_client *c, *next;

    for (c = loop->clients; c; c = next) {
        next = c->loop_next;
        tc_sdk__tick(c, now);
    }
    return G_SOURCE_CONTINUE;
}

static void
loop_destroy(struct tc_sdk__loop *loop)
{
    if (loop->tick) {
        g_source_destroy(loop->tick);
        g_source_unref(loop->tick);
    }
    /* lws destroys a context on a foreign loop in two calls: the first
     * closes its libuv handles (their callbacks run from the loop), the
     * second frees it (and clears loop->lws through info.pcontext). */
    if (loop->lws) {
        lws_context_destroy(loop->lws);
    }
    if (loop->uv) {
        tc_uvglib_drain(loop->uv, 5000);
    }
    if (loop->lws) {
        lws_context_destroy(loop->lws);
        loop->lws = NULL;
    }
    if (loop->uv) {
        tc_uvglib_free(loop->uv);
    }
    for (guint i = 0; loop->vhosts && i < loop->vhosts->len; i++) {
        struct vhost_entry *v = loop->vhosts->pdata[i];
        g_free(v->ca_file);
        g_free(v);
    }
    if (loop->vhosts) {
        g_ptr_array_free(loop->vhosts, TRUE);
    }
    if (loop->ctx) {
        g_main_context_unref(loop->ctx);
    }
    g_free(loop);
}

static struct tc_sdk__loop *
loop_new(GMainContext *ctx, int coalesce_us)
{
    struct lws_context_creation_info info;
    struct tc_sdk__loop *loop = g_new0(struct tc_sdk__loop, 1);
    void *foreign_loops[1];

    loop->ctx = g_main_context_ref(ctx);
    loop->vhosts = g_ptr_array_new();
    loop->uv = tc_uvglib_new(ctx);
    if (!loop->uv || (coalesce_us > 0 &&
                      tc_uvglib_set_coalesce(loop->uv, coalesce_us) < 0)) {
        loop_destroy(loop);
        return NULL;
    }
    foreign_loops[0] = tc_uvglib_loop(loop->uv);
    memset(&info, 0, sizeof(info));
    info.options = LWS_SERVER_OPTION_LIBUV |
                   LWS_SERVER_OPTION_EXPLICIT_VHOSTS |
                   LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.foreign_loops = foreign_loops;
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.pcontext = &loop->lws;
    info.timeout_secs = 20;
    tc_sdk__lws_log_setup();
    loop->lws = lws_create_context(&info);
    if (!loop->lws) {
        loop_destroy(loop);
        return NULL;
    }
    loop->tick = g_timeout_source_new_seconds(1);
    g_source_set_callback(loop->tick, on_tick, loop, NULL);
    g_source_attach(loop->tick, ctx);
    return loop;
}

int
tc_sdk__loop_ref(struct tc_sdk_client *c, GMainContext *ctx, int coalesce_us)
{
    struct tc_sdk__loop *loop;

    g_mutex_lock(&registry_lock);
    if (!registry) {
        registry = g_hash_table_new(NULL, NULL);
    }
    loop = g_hash_table_lookup(registry, ctx);
    if (!loop) {
        loop = loop_new(ctx, coalesce_us);
        if (!loop) {
            g_mutex_unlock(&registry_lock);
            return -EIO;
        }
        g_hash_table_insert(registry, ctx, loop);
    }
    loop->refs++;
    c->loop = loop;
    c->loop_next = loop->clients;
    if (loop->clients) {
        loop->clients->loop_prev = c;
    }
    loop->clients = c;
    g_mutex_unlock(&registry_lock);
    return 0;
}

void
tc_sdk__loop_unref(struct tc_sdk_client *c)
{
    struct tc_sdk__loop *loop = c->loop;
    bool last;

    if (!loop) {
        return;
    }
    g_mutex_lock(&registry_lock);
    if (c->loop_prev) {
        c->loop_prev->loop_next = c->loop_next;
    } else {
        loop->clients = c->loop_next;
    }
    if (c->loop_next) {
        c->loop_next->loop_prev = c->loop_prev;
    }
    c->loop = NULL;
    last = --loop->refs == 0;
    if (last) {
        g_hash_table_remove(registry, loop->ctx);
        if (g_hash_table_size(registry) == 0) {
            g_hash_table_destroy(registry);
            registry = NULL;
        }
    }
    g_mutex_unlock(&registry_lock);
    if (last) {
        loop_destroy(loop);
    }
}

GMainContext *
tc_sdk__loop_context(const struct tc_sdk_client *c)
{
    return c->loop->ctx;
}

/* The vhost for plain ws, or for wss trusting `ca_file` (NULL: the
 * system's store). A plain vhost loads no certificates. */
static struct lws_vhost *
loop_vhost(struct tc_sdk__loop *loop, bool tls, const char *ca_file)
{
    struct lws_context_creation_info info;
    const char *key = ca_file ? ca_file : "";
    struct vhost_entry *v;
    char name[32];

    for (guint i = 0; i < loop->vhosts->len; i++) {
        v = loop->vhosts->pdata[i];
        if (v->tls == tls && (!tls || strcmp(v->ca_file, key) == 0)) {
            return v->vhost;
        }
    }
    snprintf(name, sizeof(name), "tc-sdk-%u", loop->vhosts->len);
    memset(&info, 0, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.vhost_name = name;
    if (tls) {
        info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.client_ssl_ca_filepath = ca_file;
    }
    v = g_new0(struct vhost_entry, 1);
    v->tls = tls;
    v->vhost = lws_create_vhost(loop->lws, &info);
    if (!v->vhost) {
        g_free(v);
        return NULL;
    }
    v->ca_file = g_strdup(key);
    g_ptr_array_add(loop->vhosts, v);
    return v->vhost;
}

/* ---- connections ------------------------------------------------------- */

int
tc_sdk__ws_connect(struct tc_sdk_client *c)
{
    struct lws_client_connect_info i;
    struct lws_vhost *vhost = loop_vhost(c->loop, c->url.tls, c->ca_file);
    struct lws *wsi;

    if (!vhost) {
        return tc_sdk__fail(c, -EIO, "cannot set up TLS with CA file %s",
                            c->ca_file ? c->ca_file : "(system)");
    }
    memset(&i, 0, sizeof(i));
    i.context = c->loop->lws;
    i.vhost = vhost;
    i.address = c->url.host;
    i.port = c->url.port;
    i.path = c->url.path;
    i.host = c->url.host;
    i.origin = c->url.host;
    i.protocol = "telecare.v1";
    i.local_protocol_name = "telecare.v1";
    i.ssl_connection = c->url.tls ? LCCSCF_USE_SSL : 0;
    i.userdata = c;
    c->wsi = NULL;
    c->close_code = 0;
    c->close_reason[0] = '\0';
    c->rx_len = 0;
    c->rx_too_big = false;
    wsi = lws_client_connect_via_info(&i);
    if (!wsi) {
        /* lws may have reported CONNECTION_ERROR already (state moved) */
        if (c->state == TC_SDK_STATE_CONNECTING) {
            tc_sdk__on_closed(c, 1006, "cannot start a connection");
        }
        return 0;
    }
    if (c->state == TC_SDK_STATE_CONNECTING) {
        c->wsi = wsi;
    }
    return 0;
}

void
tc_sdk__ws_abandon(struct tc_sdk_client *c)
{
    if (c->wsi) {
        lws_set_wsi_user(c->wsi, NULL);
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
        c->wsi = NULL;
    }
}

static struct tc_sdk__frame *
frame_new(const char *text, size_t len)
{
    struct tc_sdk__frame *f = malloc(sizeof(*f) + LWS_PRE + len);

    if (f) {
        f->len = len;
        memcpy(f->buf + LWS_PRE, text, len);
    }
    return f;
}

int
tc_sdk__ws_hello(struct tc_sdk_client *c, const char *text, size_t len)
{
    free(c->hello);
    c->hello = frame_new(text, len);
    if (!c->hello) {
        return -ENOMEM;
    }
    if (c->wsi) {
        lws_callback_on_writable(c->wsi);
    }
    return 0;
}

#define DIRECT_MAX 2048 /* frames written at once from the stack, at most */

int
tc_sdk__ws_queue(struct tc_sdk_client *c, const char *text, size_t len)
{
    struct tc_sdk__frame *f;

    if (c->queued_bytes + len > c->max_queue_bytes ||
        c->queue.length >= TC_SDK__MAX_QUEUE_N) {
        return tc_sdk__fail(c, -ENOBUFS,
                            "outgoing queue full (%zu bytes, %u messages)",
                            c->queued_bytes, c->queue.length);
    }
    if (c->wsi && c->state == TC_SDK_STATE_READY && !c->stopping &&
        !c->hello && c->queue.length == 0 && !lws_partial_buffered(c->wsi) &&
        len <= DIRECT_MAX) {
        /* Nothing waits and the socket took everything so far: write now
         * rather than after a round of the loop (two epoll changes and a
         * wake-up per frame), from the stack. lws keeps what the socket
         * does not take and writes it at the next POLLOUT; later frames
         * then queue. */
        unsigned char buf[LWS_PRE + DIRECT_MAX];
        int n;

        memcpy(buf + LWS_PRE, text, len);
        n = lws_write(c->wsi, buf + LWS_PRE, len, LWS_WRITE_TEXT);
        if (n < 0) {
            tc_sdk__log(c, TC_SDK_LOG_WARNING, "write failed");
            lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND,
                            LWS_TO_KILL_ASYNC); /* a drop: reconnects */
        }
        return 0;
    }
    f = frame_new(text, len);
    if (!f) {
        return -ENOMEM;
    }
    g_queue_push_tail(&c->queue, f);
    c->queued_bytes += len;
    if (c->wsi) {
        lws_callback_on_writable(c->wsi);
    }
    return 0;
}

void
tc_sdk__ws_flush(struct tc_sdk_client *c)
{
    if (c->wsi && c->queue.length > 0) {
        lws_callback_on_writable(c->wsi);
    }
}

void
tc_sdk__ws_queue_clear(struct tc_sdk_client *c)
{
    struct tc_sdk__frame *f;

    while ((f = g_queue_pop_head(&c->queue))) {
        free(f);
    }
    c->queued_bytes = 0;
    free(c->hello);
    c->hello = NULL;
}

void
tc_sdk__ws_close(struct tc_sdk_client *c)
{
    if (c->wsi) {
        lws_callback_on_writable(c->wsi);
    }
}

int
tc_sdk__ws_shutdown(struct tc_sdk_client *c)
{
    lws_sockfd_type fd;

    if (!c->wsi) {
        return -ENOTCONN;
    }
    fd = lws_get_socket_fd(c->wsi);
    if (fd < 0 || shutdown(fd, SHUT_RDWR) < 0) {
        return -ENOTCONN;
    }
    return 0;
}

#define WRITE_BURST 32 /* frames per writable callback, at most */

static int
write_one(struct tc_sdk_client *c, struct lws *wsi)
{
    struct tc_sdk__frame *f;
    int n;

    if (c->stopping) {
        /* our own close frame (common/tc-wsclose.h); the server's answer
         * or 5 s end the connection */
        if (c->close_sent) {
            return 0;
        }
        c->close_sent = true;
        return tc_ws_write_close(wsi, LWS_CLOSE_STATUS_NORMAL, "bye", 5);
    }
    /* Until the session is up only hello goes; the rest waits. */
    if (c->hello) {
        f = c->hello;
        c->hello = NULL;
    } else if (c->state == TC_SDK_STATE_READY) {
        f = g_queue_pop_head(&c->queue);
        if (!f) {
            return 0;
        }
        c->queued_bytes -= f->len;
    } else {
        return 0;
    }
    for (int burst = 0;; burst++) {
        n = lws_write(wsi, f->buf + LWS_PRE, f->len, LWS_WRITE_TEXT);
        free(f);
        if (n < 0) {
            tc_sdk__log(c, TC_SDK_LOG_WARNING, "write failed");
            return -1;
        }
        /* more while the socket takes them: a round of the loop per
         * frame would cost more than the frame */
        if (c->state != TC_SDK_STATE_READY || burst + 1 >= WRITE_BURST ||
            c->queue.length == 0 || lws_send_pipe_choked(wsi)) {
            break;
        }
        f = g_queue_pop_head(&c->queue);
        c->queued_bytes -= f->len;
    }
    if (c->state == TC_SDK_STATE_READY && c->queue.length > 0) {
        lws_callback_on_writable(wsi);
    }
    return 0;
}

static int
receive(struct tc_sdk_client *c, struct lws *wsi, const void *in, size_t len)
{
    if (lws_frame_is_binary(wsi)) { /* ECG samples (docs/ecg-rtp.md) */
        tc_sdk__ecg_binary(c, in, len,
                           lws_is_final_fragment(wsi) &&
                               !lws_remaining_packet_payload(wsi));
        return 0;
    }
    if (c->rx_too_big || c->rx_len + len > TC_SDK__MAX_RX) {
        c->rx_too_big = true;
        tc_sdk__log(c, TC_SDK_LOG_ERROR,
                    "message from the server over %d bytes; closing",
                    TC_SDK__MAX_RX);
        lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, NULL, 0);
        return -1;
    }
    if (c->rx_len + len + 1 > c->rx_cap) {
        size_t cap = MAX(c->rx_cap * 2, c->rx_len + len + 1);
        char *p = realloc(c->rx, cap);
        if (!p) {
            return -1;
        }
        c->rx = p;
        c->rx_cap = cap;
    }
    memcpy(c->rx + c->rx_len, in, len);
    c->rx_len += len;
    if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
        size_t n = c->rx_len;
        c->rx[n] = '\0';
        c->rx_len = 0;
        tc_sdk__on_message(c, c->rx, n);
    }
    return 0;
}

static void
peer_close(struct tc_sdk_client *c, const unsigned char *in, size_t len)
{
    size_t n;

    if (len < 2) {
        return;
    }
    c->close_code = (in[0] << 8) | in[1];
    n = MIN(len - 2, sizeof(c->close_reason) - 1);
    memcpy(c->close_reason, in + 2, n);
    c->close_reason[n] = '\0';
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
         void *in, size_t len)
{
    struct tc_sdk_client *c = user;

    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (!c) {
            return -1;
        }
        c->wsi = wsi;
        tc_sdk__on_open(c);
        return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        return c ? receive(c, wsi, in, len) : -1;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return c ? write_one(c, wsi) : -1;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (c) {
            peer_close(c, in, len);
        }
        /* the answer to our close frame: done, no echo */
        return c && c->close_sent ? -1 : 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (c && (c->wsi == wsi || !c->wsi)) {
            char why[160];
            g_strlcpy(why, in ? (const char *)in : "connection failed",
                      sizeof(why));
            c->wsi = NULL;
            tc_sdk__on_closed(c, 1006, why);
        }
        return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (c && c->wsi == wsi) {
            c->wsi = NULL;
            tc_sdk__on_closed(c, c->close_code ? c->close_code : 1006,
                              c->close_reason);
        }
        return 0;
    default:
        return 0;
    }
}
