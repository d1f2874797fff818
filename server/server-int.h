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
#include <jansson.h>

#include "tc-server.h"

struct lws;
struct lws_context;
struct lws_vhost;
struct tc_rec_db;
struct tc_srv__metrics;
struct tc_srv__ratelimit;

struct tc_srv {
    const struct tc_srv_config *cfg; /* borrowed for the run */
    GMainLoop *loop;
    struct lws_context *lws;
    struct lws_vhost *vhost;
    int port; /* the port actually bound (cfg may say 0) */
    struct tc_rec_db *db;
    struct tc_srv__metrics *metrics;
    struct tc_srv__ratelimit *rate_address; /* per client address */
    struct tc_srv__ratelimit *rate_account; /* per user id */
    int64_t started_at_us; /* g_get_monotonic_time() at start */
    int in_flight;         /* HTTP responses not yet completely written */
    bool stopping;
    guint shutdown_timer;
};

/* == log.c == */

/* Route GLib structured logging and libwebsockets' log to stderr as one
 * line per message: time, level, component, message. */
void tc_srv__log_init(enum tc_srv_log_level level);

/* == auth.c: who is calling == */

/* Roles, as in DESIGN.md; a user holds a set of them (a bit per role). */
enum tc_srv__role {
    TC_SRV__ROLE_ADMIN = 0,
    TC_SRV__ROLE_AUDITOR,
    TC_SRV__ROLE_DOCTOR,
    TC_SRV__ROLE_SPECIALIST,
    TC_SRV__ROLE_TOWNSHIP_DOCTOR,
    TC_SRV__ROLE_FAMILY_DOCTOR,
    TC_SRV__ROLE_THERAPIST,
    TC_SRV__ROLE_ECG_READER,
    TC_SRV__ROLE_RADIOLOGIST,
    TC_SRV__ROLE_RESIDENT,
    TC_SRV__ROLE_CARER,
    TC_SRV__N_ROLES
};

/* An authenticated caller, resolved from a bearer token for one request. */
struct tc_srv__who {
    int64_t user_id;
    char username[72];
    unsigned roles;          /* bit (1u << enum tc_srv__role) per role */
    int64_t practitioner_id; /* 0: not a practitioner */
    int64_t resident_id;     /* 0: not a resident */
    int64_t carer_id;        /* 0: not a carer */
};

/*
 * Resolve "Authorization: Bearer <token>" (the header's value, or NULL)
 * into *who. Returns 0, or -EACCES with a reason for the 401 answer in
 * *why (static string): missing, malformed, unknown, expired or revoked.
 * Slides the session's expiry on success.
 */
int tc_srv__auth_resolve(struct tc_srv *srv, const char *authorization,
                         const char *client_addr, struct tc_srv__who *who,
                         const char **why);

/* == http.c: one request and its response == */

#define TC_SRV__MAX_PARAMS 4

struct tc_srv__req {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* without the query string, URL-decoded */
    const char *query;  /* after '?', fragments joined by '&', or "" */
    const char *body;   /* NUL-terminated, may be "" */
    size_t body_len;
    const char *client_addr;
    /* The {name} segments of the matched route pattern, in order. */
    const char *params[TC_SRV__MAX_PARAMS];
    int n_params;
    /* The caller; NULL on public routes. Lives as long as the call. */
    const struct tc_srv__who *who;
};

struct tc_srv__resp {
    int status;               /* 0 while the call is deferred */
    const char *content_type; /* static string */
    GString *body;
    GPtrArray *headers; /* alternating "name:" and value strings */
};

/*
 * One request being answered. The handler reads call->req and fills
 * call->resp; or it calls tc_srv__call_defer() and, later, on the main
 * thread, fills resp and calls tc_srv__call_resume(). If the client went
 * away meanwhile, resume only frees.
 */
struct tc_srv__call {
    struct tc_srv__req req;
    struct tc_srv__resp resp;
    /* private to http.c */
    struct lws *wsi; /* NULL once the connection is gone */
    int refs;
    char *params_buf[TC_SRV__MAX_PARAMS];
    struct tc_srv__who who_buf;
};

typedef void (*tc_srv__handler_fn)(struct tc_srv *srv,
                                   struct tc_srv__call *call);

/* Route flags. */
#define TC_SRV__PUBLIC 0x1 /* no bearer token needed */

struct tc_srv__route {
    const char *method;
    const char *pattern; /* "/api/v1/residents/{id}": {x} is one segment */
    tc_srv__handler_fn handler;
    unsigned flags;
};

/* The protocols and mounts handed to lws (http.c). */
const struct lws_protocols *tc_srv__http_protocols(void);
const struct lws_http_mount *tc_srv__http_mounts(const char *web_root);

/* Keep the call open after the handler returns; returns it, referenced. */
struct tc_srv__call *tc_srv__call_defer(struct tc_srv__call *call);

/* Send the deferred response (main thread) and drop the reference. */
void tc_srv__call_resume(struct tc_srv__call *call);

/*
 * Copy request header `name` (lower case, without ':', e.g. "if-match")
 * into buf. Returns its length, or -1 when absent or longer than len-1.
 * Only valid while the handler runs (not after a deferral).
 */
int tc_srv__call_header(struct tc_srv__call *call, const char *name, char *buf,
                        size_t len);

/*
 * Parse the request body as one JSON object: at most `max_depth` levels
 * of nesting, no duplicate keys. On failure fills a 400 (or 415 for a
 * wrong content type) and returns -EINVAL. On success *out owns the
 * object (json_decref it).
 */
int tc_srv__call_json(struct tc_srv__call *call, json_t **out);

/* Add a response header ("etag", "W/\"3\""): name without ':'. */
void tc_srv__resp_header(struct tc_srv__resp *resp, const char *name,
                         const char *value);

/* Fill `resp` with a JSON error body
 * {"error": {"status": 400, "message": "...", "field": "..."}};
 * field may be NULL. */
void tc_srv__resp_error(struct tc_srv__resp *resp, int status,
                        const char *message);
void tc_srv__resp_error_field(struct tc_srv__resp *resp, int status,
                              const char *field, const char *message);

/* Fill `resp` with a JSON body (`json` is copied). */
void tc_srv__resp_json(struct tc_srv__resp *resp, int status,
                       const char *json);

/* Fill `resp` with `doc` serialised (borrowed), with a content type. */
void tc_srv__resp_doc(struct tc_srv__resp *resp, int status,
                      const char *content_type, const json_t *doc);

/* == routes.c: the table of dynamic routes == */

/*
 * The route for (method, path), with its {x} parameters copied into
 * params (malloc'd, caller frees) and counted in *n_params; or NULL.
 * *path_known says whether the path exists under another method (405
 * rather than 404).
 */
const struct tc_srv__route *tc_srv__route_find(const char *method,
                                               const char *path, char **params,
                                               int *n_params,
                                               bool *path_known);

/* Route tables of the api-*.c modules, each ending with {NULL}. */
extern const struct tc_srv__route tc_srv__routes_health[];

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

/* == ratelimit.c == */

/* A limiter allowing `per_second` requests per key (bursts of twice
 * that); 0 allows everything. */
struct tc_srv__ratelimit *tc_srv__ratelimit_new(int per_second);
void tc_srv__ratelimit_free(struct tc_srv__ratelimit *rl);

/* Take one request for `key`: 0 when allowed, else the seconds to wait
 * before the next one would be (>= 1). */
int tc_srv__ratelimit_take(struct tc_srv__ratelimit *rl, const char *key,
                           int64_t now_us);

/* == tls.c == */

/*
 * The self-signed certificate and key in `dir` (cert.pem, key.pem),
 * made now if either is missing; what this call creates is appended to
 * `created` (for tc_srv__datadir_undo). Out: paths (g_free). Errors:
 * -EIO, -EACCES with *errmsg (g_free).
 */
int tc_srv__tls_self_signed(const char *dir, const char *listen_host,
                            GPtrArray *created, char **cert_path,
                            char **key_path, char **errmsg);

/* == datadir.c == */

/*
 * Create `path` (and missing parents) and prove it is writable. On
 * failure everything this call created is removed again and *errmsg says
 * why. Directories it creates are appended to `created`, shallowest
 * first; later start-up steps append the files they create, so one undo
 * removes a failed start's traces in reverse order.
 */
int tc_srv__datadir_prepare(const char *path, GPtrArray *created,
                            char **errmsg);

/* Remove what `created` names, last first (directories only if empty). */
void tc_srv__datadir_undo(GPtrArray *created);

/* == admin.c: the telecare-admin program's subcommands == */

/*
 * One subcommand: `telecare-admin [--data-dir DIR] NAME ARGS...`. run()
 * gets the opened database and the arguments after NAME; it prints
 * results on stdout and one error line on stderr, and returns the
 * process exit status (0 ok, 1 failed, 2 usage).
 */
struct tc_srv__admin_cmd {
    const char *name;
    const char *usage;
    const char *summary;
    int (*run)(struct tc_rec_db *db, int argc, char **argv);
};

/* Subcommand tables, each ending with {NULL}. */
extern const struct tc_srv__admin_cmd tc_srv__admin_cmds_base[];

/* == run.c == */

/* A response finished (or was abandoned): lets shutdown proceed. */
void tc_srv__request_done(struct tc_srv *srv);

#endif
