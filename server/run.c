// SPDX-License-Identifier: Apache-2.0
/*
 * run.c - the server's life: start, serve, stop.
 *
 *   start: media check -> bind check -> data dir -> database ->
 *          DICOM (store, forwarder, SCP) -> TLS certificate ->
 *          listener -> serve
 *          (any step failing undoes the steps before it and returns its
 *          own exit status: nothing is left half-created)
 *   serve: g_main_loop_run(); lws, timers and (later) GStreamer bus
 *          watches all run on this one loop
 *   stop:  SIGINT/SIGTERM -> refuse new connections and requests ->
 *          wait for in-flight responses, at most shutdown_timeout_ms ->
 *          destroy lws -> close the database (checkpointing its WAL) -> 0
 *
 * The listen address is checked before the data directory is touched, so
 * a port already in use never creates a data directory. Plain HTTP
 * ([tls] mode = off, --dev) is refused on anything but loopback.
 *
 * Thread: main; this file owns the main loop.
 */
#define G_LOG_DOMAIN "server"

#include <errno.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib.h>
#include <libwebsockets.h>
#include <sodium.h>

#include "server-int.h"
#include "tc-config.h"
#include "tc-loopstat.h"
#include "tc-media.h"
#include "tc-records.h"
#include "tc-uvglib.h"

#define DB_FILE "telecare.db"

/*
 * Try to bind the listen address ourselves first, to tell "address in use"
 * apart from other failures with a clear line (lws only logs them).
 */
static int
check_bindable(const char *host, int port, char **errmsg)
{
    g_autoptr(GSocketAddress) addr = NULL;
    g_autoptr(GSocket) sock = NULL;
    g_autoptr(GError) err = NULL;

    addr = g_inet_socket_address_new_from_string(host, (guint)port);
    if (!addr) {
        *errmsg = g_strdup_printf("listen %s:%d: not an address", host, port);
        return -EINVAL;
    }
    sock = g_socket_new(g_socket_address_get_family(addr),
                        G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &err);
    if (sock && g_socket_bind(sock, addr, TRUE, &err)) {
        return 0;
    }
    *errmsg = g_strdup_printf("listen %s:%d: %s", host, port,
                              err ? err->message : "cannot bind");
    return -EADDRINUSE;
}

/* lws destroys a context on a foreign loop in two calls: the first closes
 * its libuv handles, whose close callbacks run from the loop; the second
 * frees it (and clears srv->lws through info.pcontext). */
static void
destroy_lws(struct tc_srv *srv)
{
    if (srv->lws) {
        lws_context_destroy(srv->lws);
    }
    if (srv->uv && tc_uvglib_drain(srv->uv, 5000) < 0) {
        g_warning("libwebsockets: libuv handles still open after 5 s");
    }
    if (srv->lws) {
        lws_context_destroy(srv->lws);
        srv->lws = NULL;
    }
    if (srv->uv && tc_uvglib_free(srv->uv) < 0) {
        g_warning("libwebsockets left libuv handles open at exit");
    }
    srv->uv = NULL;
}

/*
 * Headers on every response, static files included. The CSP lets the web
 * app load only its own scripts and styles and talk only to this server;
 * camera and microphone are for this origin only (calls).
 */
#define CSP                                                                   \
    "default-src 'self'; script-src 'self'; style-src 'self'; "               \
    "img-src 'self' data: blob:; media-src 'self' blob:; "                    \
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "           \
    "form-action 'self'; object-src 'none'"

static const struct lws_protocol_vhost_options permissions = {
    NULL, NULL,
    "permissions-policy:", "camera=(self), microphone=(self), geolocation=()"};
static const struct lws_protocol_vhost_options referrer = {
    &permissions, NULL, "referrer-policy:", "no-referrer"};
static const struct lws_protocol_vhost_options frame = {
    &referrer, NULL, "x-frame-options:", "DENY"};
static const struct lws_protocol_vhost_options csp = {
    &frame, NULL, "content-security-policy:", CSP};
static const struct lws_protocol_vhost_options hsts = {
    &csp, NULL, "strict-transport-security:", "max-age=31536000"};

static const lws_retry_bo_t no_validity = {.secs_since_valid_ping = 0,
                                           .secs_since_valid_hangup = 0};

static int
start_lws(struct tc_srv *srv, const char *cert, const char *key, char **errmsg)
{
    struct lws_context_creation_info info;
    void *foreign_loops[1];

    srv->uv = tc_uvglib_new(NULL);
    if (!srv->uv) {
        *errmsg = g_strdup("libuv: cannot make an event loop");
        return -EIO;
    }
    if (srv->cfg->coalesce_us > 0 &&
        tc_uvglib_set_coalesce(srv->uv, srv->cfg->coalesce_us) < 0) {
        g_warning("[signaling] coalesce_us: cannot make a timerfd; every "
                  "event is served at once");
    }
    foreign_loops[0] = tc_uvglib_loop(srv->uv);
    memset(&info, 0, sizeof(info));
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    if (cert) {
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    }
    info.max_http_header_data = 8192;
    info.foreign_loops = foreign_loops;
    info.user = srv;
    info.pcontext = &srv->lws;
    info.port = CONTEXT_PORT_NO_LISTEN;
    srv->lws = lws_create_context(&info);
    if (!srv->lws) {
        *errmsg = g_strdup("libwebsockets: cannot create a context on the "
                           "libuv loop (is libwebsockets-evlib-uv there?)");
        return -EIO;
    }
    memset(&info, 0, sizeof(info));
    info.port = srv->cfg->listen_port;
    info.iface = srv->cfg->listen_host;
    info.protocols = tc_srv__http_protocols();
    info.mounts = tc_srv__http_mounts(srv->cfg->web_root);
    info.vhost_name = "telecare";
    info.keepalive_timeout = 30;
    info.timeout_secs = 30;
    /* no lws validity pings: signaling sends its own heartbeats, and lws
     * would re-sort its timer list (O(connections)) at every pong */
    info.retry_and_idle_policy = &no_validity;
    info.headers = cert ? &hsts : &csp; /* HSTS only over TLS */
    if (cert) {
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.ssl_cert_filepath = cert;
        info.ssl_private_key_filepath = key;
    }
    srv->vhost = lws_create_vhost(srv->lws, &info);
    if (!srv->vhost) {
        *errmsg =
            g_strdup_printf("listen %s:%d: cannot listen",
                            srv->cfg->listen_host, srv->cfg->listen_port);
        destroy_lws(srv);
        return -EADDRINUSE;
    }
    srv->port = lws_get_vhost_listen_port(srv->vhost);
    return 0;
}

/* The TOTP secrets' key; one made now goes if the start fails (nothing is
 * sealed under it before the start succeeds: totp_seal_clear). */
static int
totp_start(struct tc_srv *srv, GPtrArray *created, char **errmsg)
{
    char *made = NULL;
    int rc = tc_srv__totp_key_load(srv->cfg->data_dir, srv->db, srv->totp_key,
                                   &made, errmsg);

    if (made) {
        g_ptr_array_add(created, made);
    }
    return rc;
}

/* The TOTP secrets still in the clear, sealed once the server runs. */
static void
totp_seal_clear(struct tc_srv *srv)
{
    int sealed = 0;

    if (tc_srv__totp_seal_clear(srv->db, srv->totp_key, &sealed) < 0) {
        g_warning("TOTP secrets: %s; those left in the clear are sealed "
                  "at the next start",
                  tc_rec_errmsg(srv->db));
    }
    if (sealed > 0) {
        g_message("sealed %d TOTP secret(s) kept in the clear", sealed);
    }
}

static int
open_database(struct tc_srv *srv, GPtrArray *created, char **errmsg)
{
    g_autofree char *path =
        g_build_filename(srv->cfg->data_dir, DB_FILE, NULL);
    char *why = NULL;
    int rc;

    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        /* A failed start removes the new file and its WAL. */
        g_ptr_array_add(created, g_strdup(path));
        g_ptr_array_add(created, g_strconcat(path, "-wal", NULL));
        g_ptr_array_add(created, g_strconcat(path, "-shm", NULL));
    }
    rc = tc_rec_open_error(path, &srv->db, &why);
    if (rc < 0) {
        *errmsg = g_strdup_printf("database %s: %s", path,
                                  why ? why : g_strerror(-rc));
        free(why);
        return rc;
    }
    rc = tc_rec_set_sync(srv->db, srv->cfg->sync_full ? TC_REC_SYNC_FULL
                                                      : TC_REC_SYNC_NORMAL);
    if (rc < 0) {
        *errmsg =
            g_strdup_printf("database %s: %s", path, tc_rec_errmsg(srv->db));
        return rc;
    }
    srv->checkpointer = tc_srv__checkpointer_start(srv->db, path);
    return 0;
}

static gboolean
shutdown_timeout(gpointer data)
{
    struct tc_srv *srv = data;

    g_warning("shutdown: %d request(s) still in flight after %d ms; "
              "closing them",
              srv->in_flight, srv->cfg->shutdown_timeout_ms);
    srv->shutdown_timer = 0;
    g_main_loop_quit(srv->loop);
    return G_SOURCE_REMOVE;
}

static gboolean
on_signal(gpointer data)
{
    struct tc_srv *srv = data;

    if (srv->stopping) {
        return G_SOURCE_CONTINUE;
    }
    srv->stopping = true;
    g_message("stopping: no new connections, %d request(s) in flight",
              srv->in_flight);
    tc_srv__sig_stop(srv); /* 1001; each open WebSocket is in flight */
    /* lws 4.1's lws_context_deprecate() reads a freed wsi on the GLib
     * loop, so new connections are refused in http.c instead. */
    if (srv->in_flight == 0) {
        g_main_loop_quit(srv->loop);
    } else {
        srv->shutdown_timer = g_timeout_add(
            (guint)srv->cfg->shutdown_timeout_ms, shutdown_timeout, srv);
    }
    return G_SOURCE_CONTINUE;
}

void
tc_srv__request_done(struct tc_srv *srv)
{
    srv->in_flight--;
    if (srv->stopping && srv->in_flight == 0) {
        g_main_loop_quit(srv->loop);
    }
}

/* ---- loop statistics (TC_LOOP_STATS, tc-loopstat.h) ---- */

static void
note_libuv(void *data, bool after)
{
    static int64_t t0;

    if (!after) {
        t0 = tc_loopstat_now();
    } else if (t0) {
        tc_loopstat_note("libuv (lws)", tc_loopstat_now() - t0);
    }
}

static gboolean
loopstat_log(gpointer data)
{
    struct tc_srv *srv = data;
    struct tc_loopstat_report r;
    char line[400];

    tc_loopstat_take(srv->loopstat, &r);
    tc_loopstat_format(&r, line, sizeof(line));
    g_log("loop", G_LOG_LEVEL_MESSAGE, "last %d s: %s", srv->loopstat_period_s,
          line);
    return G_SOURCE_CONTINUE;
}

static void
loopstat_start(struct tc_srv *srv)
{
    if (!tc_loopstat_wanted()) {
        return;
    }
    srv->loopstat = tc_loopstat_new(NULL);
    if (!srv->loopstat) {
        return;
    }
    tc_uvglib_set_hook(srv->uv, note_libuv, NULL);
    /* TC_LOOP_STATS=N: every N seconds (a value that is not a number of
     * seconds from 1 to 3600: every 10) */
    srv->loopstat_period_s = atoi(getenv("TC_LOOP_STATS"));
    if (srv->loopstat_period_s < 1 || srv->loopstat_period_s > 3600) {
        srv->loopstat_period_s = 10;
    }
    srv->loopstat_timer = g_timeout_add_seconds((guint)srv->loopstat_period_s,
                                                loopstat_log, srv);
}

static void
loopstat_stop(struct tc_srv *srv)
{
    if (srv->loopstat_timer) {
        g_source_remove(srv->loopstat_timer);
        srv->loopstat_timer = 0;
    }
    tc_loopstat_free(srv->loopstat);
    srv->loopstat = NULL;
}

static void
stop(struct tc_srv *srv)
{
    loopstat_stop(srv);
    if (srv->shutdown_timer) {
        g_source_remove(srv->shutdown_timer);
        srv->shutdown_timer = 0;
    }
    /* Index what DICOM associations still hand over, finish the
     * forwarding job in flight, while the database is open. */
    tc_srv__dicom_stop(srv);
    /* Finish password jobs and delayed answers while the database and
     * lws are still there for them. */
    tc_srv__emergency_stop(srv);
    tc_srv__workers_stop(srv);
    tc_srv__rehab_stop(srv);
    tc_srv__auth_stop(srv);
    tc_srv__auth_sweep_stop(srv);
    tc_srv__audit_flush(srv); /* events still queued, answers waiting */
    destroy_lws(srv);
    tc_srv__sig_free(srv->sig);
    tc_srv__ecg_stop(srv);
    tc_srv__media_free(srv->media); /* after the hub: its members left */
    srv->media = NULL;
    tc_srv__audit_flush(srv); /* anything queued while lws closed */
    tc_srv__audit_fini(srv);
    tc_srv__checkpointer_stop(srv->checkpointer);
    srv->checkpointer = NULL;
    tc_rec_close(srv->db); /* the last handle: checkpoints the rest */
    srv->db = NULL;
    tc_srv__metrics_free(srv->metrics);
    tc_srv__ratelimit_free(srv->rate_address);
    tc_srv__ratelimit_free(srv->rate_account);
    g_main_loop_unref(srv->loop);
    sodium_memzero(srv->totp_key, sizeof(srv->totp_key));
}

static bool
is_loopback(const char *host)
{
    return g_str_has_prefix(host, "127.") || strcmp(host, "::1") == 0;
}

/* The certificate and key to serve: configured, or self-signed in the
 * data directory. Out: g_free'd paths. */
static int
tls_files(const struct tc_srv_config *cfg, GPtrArray *created, char **cert,
          char **key, char **err)
{
    g_autofree char *dir = NULL;

    if (cfg->tls_cert_file || cfg->tls_key_file) {
        if (!cfg->tls_cert_file || !cfg->tls_key_file) {
            *err = g_strdup("config: [tls] cert_file and key_file go "
                            "together");
            return -EINVAL;
        }
        *cert = g_strdup(cfg->tls_cert_file);
        *key = g_strdup(cfg->tls_key_file);
        return 0;
    }
    dir = g_build_filename(cfg->data_dir, "tls", NULL);
    return tc_srv__tls_self_signed(dir, cfg->listen_host, created, cert, key,
                                   err);
}

/*
 * Start-up: each step's failure undoes the earlier ones (`created` lists
 * what this start made). The bind check comes before the data directory,
 * so a port in use creates nothing.
 */
static int
start(struct tc_srv *srv, GPtrArray *created)
{
    const struct tc_srv_config *cfg = srv->cfg;
    g_autofree char *err = NULL, *cert = NULL, *key = NULL;
    int rc;

    if (!cfg->tls && !is_loopback(cfg->listen_host)) {
        g_critical("config: [tls] mode = off (--dev) is allowed only on a "
                   "loopback address, not %s",
                   cfg->listen_host);
        return TC_SRV_EXIT_CONFIG;
    }
    if (tc_srv__crypto_init(&err) < 0 ||
        tc_srv__workers_start(srv, &err) < 0) {
        g_critical("%s", err);
        return TC_SRV_EXIT_FAILURE;
    }
    if (tc_media_init(&err) < 0) {
        g_critical("media: %s", err);
        return TC_SRV_EXIT_MEDIA;
    }
    if (check_bindable(cfg->listen_host, cfg->listen_port, &err) < 0) {
        g_critical("%s", err);
        return TC_SRV_EXIT_LISTEN;
    }
    if (tc_srv__datadir_prepare(cfg->data_dir, created, &err) < 0) {
        g_critical("%s", err);
        return TC_SRV_EXIT_DATA_DIR;
    }
    if (open_database(srv, created, &err) < 0 ||
        totp_start(srv, created, &err) < 0) {
        g_critical("%s", err);
        return TC_SRV_EXIT_DATA_DIR;
    }
    tc_srv__recordings_recover(srv);
    rc = tc_srv__dicom_start(srv, created, &err);
    if (rc < 0) {
        g_critical("%s", err);
        return rc == -EINVAL ? TC_SRV_EXIT_CONFIG : TC_SRV_EXIT_LISTEN;
    }
    if (tc_srv__ecg_start(srv, &err) < 0) {
        g_critical("%s", err);
        return TC_SRV_EXIT_LISTEN;
    }
    if (cfg->tls && tls_files(cfg, created, &cert, &key, &err) < 0) {
        g_critical("%s", err);
        return TC_SRV_EXIT_DATA_DIR;
    }
    if (start_lws(srv, cert, key, &err) < 0) {
        g_critical("%s", err);
        return TC_SRV_EXIT_LISTEN;
    }
    return TC_SRV_EXIT_OK;
}

int
tc_srv_run(const struct tc_srv_config *cfg)
{
    struct tc_srv srv = {.cfg = cfg};
    g_autoptr(GPtrArray) created = g_ptr_array_new_with_free_func(g_free);
    guint sig_int, sig_term;
    int rc;

    tc_srv__log_init(cfg->log_level);
    srv.started_at_us = g_get_monotonic_time();
    srv.loop = g_main_loop_new(NULL, FALSE);
    srv.metrics = tc_srv__metrics_new();
    srv.rate_address = tc_srv__ratelimit_new(cfg->rate_per_address);
    srv.rate_account = tc_srv__ratelimit_new(cfg->rate_per_account);
    srv.sig = tc_srv__sig_new(&srv);
    rc = start(&srv, created);
    if (rc != TC_SRV_EXIT_OK) {
        stop(&srv); /* closes what was opened */
        tc_media_warm_wait();
        tc_srv__datadir_undo(created);
        return rc;
    }
    totp_seal_clear(&srv);
    tc_srv__rehab_start(&srv);
    tc_srv__auth_sweep_start(&srv);
    tc_srv__emergency_start(&srv); /* ring timers of open emergencies */
    loopstat_start(&srv);
    sig_int = g_unix_signal_add(SIGINT, on_signal, &srv);
    sig_term = g_unix_signal_add(SIGTERM, on_signal, &srv);
    g_message("telecare %s listening on %s://%s:%d (data %s, %s)", TC_VERSION,
              cfg->tls ? "https" : "http", cfg->listen_host, srv.port,
              cfg->data_dir, tc_media_version());
    g_main_loop_run(srv.loop);
    g_source_remove(sig_int);
    g_source_remove(sig_term);
    stop(&srv);
    tc_media_warm_wait();
    g_message("stopped");
    return TC_SRV_EXIT_OK;
}
