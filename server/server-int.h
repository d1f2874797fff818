/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server-int.h - shared by the files of server/ only.
 *
 * struct tc_srv is the running server: the GLib main loop, the
 * libwebsockets context on it, the records handle and the metrics. All of
 * it lives on the main thread.
 */
#ifndef TC_SERVER_INT_H
#define TC_SERVER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "tc-server.h"

struct lws;
struct lws_context;
struct lws_vhost;
struct tc_rec_db;
struct tc_srv__metrics;

struct tc_srv {
    const struct tc_srv_config *cfg; /* borrowed for the run */
    GMainLoop *loop;
    struct lws_context *lws;
    struct lws_vhost *vhost;
    int port; /* the port actually bound (cfg may say 0) */
    struct tc_rec_db *db;
    struct tc_srv__metrics *metrics;
    int64_t started_at_us; /* g_get_monotonic_time() at start */
    int in_flight;         /* HTTP responses not yet completely written */
    bool stopping;
    guint shutdown_timer;
};

/* == log.c == */

/* Route GLib structured logging and libwebsockets' log to stderr as one
 * line per message: time, level, component, message. */
void tc_srv__log_init(enum tc_srv_log_level level);

/* == http.c: one request and its response == */

struct tc_srv__req {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* without the query string */
    const char *query;  /* after '?', or "" */
    const char *body;   /* NUL-terminated, may be "" */
    size_t body_len;
    const char *client_addr;
};

struct tc_srv__resp {
    int status;
    const char *content_type; /* static string */
    GString *body;
};

typedef void (*tc_srv__handler_fn)(struct tc_srv *srv,
                                   const struct tc_srv__req *req,
                                   struct tc_srv__resp *resp);

struct tc_srv__route {
    const char *method;
    const char *path;
    tc_srv__handler_fn handler;
};

/* The protocols and mounts handed to lws (http.c). */
const struct lws_protocols *tc_srv__http_protocols(void);
const struct lws_http_mount *tc_srv__http_mounts(const char *web_root);

/* Fill `resp` with a JSON error body {"error": {"status", "message"}}. */
void tc_srv__resp_error(struct tc_srv__resp *resp, int status,
                        const char *message);

/* Fill `resp` with a JSON body (takes nothing: `json` is copied). */
void tc_srv__resp_json(struct tc_srv__resp *resp, int status,
                       const char *json);

/* == routes.c: the table of dynamic routes == */

/* The handler for (method, path), or NULL. *path_known says whether the
 * path exists under another method (405 rather than 404). */
tc_srv__handler_fn tc_srv__route_find(const char *method, const char *path,
                                      const char **route_name,
                                      bool *path_known);

/* == health.c == */
void tc_srv__health_get(struct tc_srv *srv, const struct tc_srv__req *req,
                        struct tc_srv__resp *resp);
void tc_srv__metrics_get(struct tc_srv *srv, const struct tc_srv__req *req,
                         struct tc_srv__resp *resp);

/* == metrics.c == */
struct tc_srv__metrics *tc_srv__metrics_new(void);
void tc_srv__metrics_free(struct tc_srv__metrics *m);

/* Count one finished HTTP request. `route` is the route's pattern, never
 * the raw path (paths can hold ids). */
void tc_srv__metrics_http(struct tc_srv__metrics *m, const char *method,
                          const char *route, int status, int64_t duration_us);

/* Append the Prometheus text exposition to `out`. */
void tc_srv__metrics_render(struct tc_srv__metrics *m, GString *out,
                            int64_t uptime_us);

/* == datadir.c == */

/*
 * Create `path` (and missing parents) and prove it is writable. On
 * failure everything this call created is removed again and *errmsg says
 * why. Out: the list of directories created (for tc_srv__datadir_undo),
 * deepest last; free with g_ptr_array_unref.
 */
int tc_srv__datadir_prepare(const char *path, GPtrArray **created,
                            char **errmsg);

/* Remove the directories named in `created` (only if empty). */
void tc_srv__datadir_undo(GPtrArray *created);

/* == run.c == */

/* A response finished (or was abandoned): lets shutdown proceed. */
void tc_srv__request_done(struct tc_srv *srv);

#endif
