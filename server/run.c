// SPDX-License-Identifier: Apache-2.0
/*
 * run.c - the server's life: start, serve, stop.
 *
 *   start: media check -> bind listener -> data dir -> database -> serve
 *          (any step failing undoes the steps before it and returns its
 *          own exit status: nothing is left half-created)
 *   serve: g_main_loop_run(); lws, timers and (later) GStreamer bus
 *          watches all run on this one loop
 *   stop:  SIGINT/SIGTERM -> refuse new connections and requests ->
 *          wait for in-flight responses, at most shutdown_timeout_ms ->
 *          destroy lws -> close the database (checkpointing its WAL) -> 0
 *
 * The listener is bound before the data directory is touched, so a port
 * already in use never creates a data directory.
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

#include "server-int.h"
#include "tc-config.h"
#include "tc-media.h"
#include "tc-records.h"

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

/* lws destroys a context on a foreign loop asynchronously. */
static void
destroy_lws(struct tc_srv *srv)
{
    if (!srv->lws) {
        return;
    }
    lws_context_destroy(srv->lws);
    for (int i = 0; srv->lws && i < 1000; i++) {
        g_main_context_iteration(NULL, FALSE);
    }
    srv->lws = NULL;
}

static int
start_lws(struct tc_srv *srv, char **errmsg)
{
    struct lws_context_creation_info info;
    void *foreign_loops[1] = {srv->loop};

    memset(&info, 0, sizeof(info));
    info.options = LWS_SERVER_OPTION_GLIB | LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    info.foreign_loops = foreign_loops;
    info.user = srv;
    info.pcontext = &srv->lws;
    info.port = CONTEXT_PORT_NO_LISTEN;
    srv->lws = lws_create_context(&info);
    if (!srv->lws) {
        *errmsg = g_strdup("libwebsockets: cannot create a context on the "
                           "GLib loop (is libwebsockets-evlib-glib there?)");
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

static int
open_database(struct tc_srv *srv, char **errmsg)
{
    g_autofree char *path =
        g_build_filename(srv->cfg->data_dir, DB_FILE, NULL);
    bool existed = g_file_test(path, G_FILE_TEST_EXISTS);
    char *why = NULL;
    int rc = tc_rec_open_error(path, &srv->db, &why);

    if (rc < 0) {
        *errmsg = g_strdup_printf("database %s: %s", path,
                                  why ? why : g_strerror(-rc));
        free(why);
        if (!existed) { /* leave no half-made file behind */
            g_autofree char *wal = g_strconcat(path, "-wal", NULL);
            g_autofree char *shm = g_strconcat(path, "-shm", NULL);
            unlink(path);
            unlink(wal);
            unlink(shm);
        }
    }
    return rc;
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

static void
stop(struct tc_srv *srv)
{
    if (srv->shutdown_timer) {
        g_source_remove(srv->shutdown_timer);
        srv->shutdown_timer = 0;
    }
    destroy_lws(srv);
    tc_rec_close(srv->db);
    srv->db = NULL;
    tc_srv__metrics_free(srv->metrics);
    g_main_loop_unref(srv->loop);
}

/* Start-up: each step's failure undoes the earlier ones. */
static int
start(struct tc_srv *srv, GPtrArray **created)
{
    g_autofree char *err = NULL;

    if (tc_media_init(&err) < 0) {
        g_critical("media: %s", err);
        return TC_SRV_EXIT_MEDIA;
    }
    if (check_bindable(srv->cfg->listen_host, srv->cfg->listen_port, &err) <
            0 ||
        start_lws(srv, &err) < 0) {
        g_critical("%s", err);
        return TC_SRV_EXIT_LISTEN;
    }
    if (tc_srv__datadir_prepare(srv->cfg->data_dir, created, &err) < 0) {
        g_critical("%s", err);
        destroy_lws(srv);
        return TC_SRV_EXIT_DATA_DIR;
    }
    if (open_database(srv, &err) < 0) {
        g_critical("%s", err);
        destroy_lws(srv);
        tc_srv__datadir_undo(*created);
        return TC_SRV_EXIT_DATA_DIR;
    }
    return TC_SRV_EXIT_OK;
}

int
tc_srv_run(const struct tc_srv_config *cfg)
{
    struct tc_srv srv = {.cfg = cfg};
    g_autoptr(GPtrArray) created = NULL;
    guint sig_int, sig_term;
    int rc;

    tc_srv__log_init(cfg->log_level);
    srv.started_at_us = g_get_monotonic_time();
    srv.loop = g_main_loop_new(NULL, FALSE);
    srv.metrics = tc_srv__metrics_new();
    rc = start(&srv, &created);
    if (rc != TC_SRV_EXIT_OK) {
        stop(&srv);
        return rc;
    }
    sig_int = g_unix_signal_add(SIGINT, on_signal, &srv);
    sig_term = g_unix_signal_add(SIGTERM, on_signal, &srv);
    g_message("telecare %s listening on http://%s:%d (data %s, %s)",
              TC_VERSION, cfg->listen_host, srv.port, cfg->data_dir,
              tc_media_version());
    g_main_loop_run(srv.loop);
    g_source_remove(sig_int);
    g_source_remove(sig_term);
    stop(&srv);
    g_message("stopped");
    return TC_SRV_EXIT_OK;
}
