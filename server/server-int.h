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

#include "tc-records.h"
#include "tc-server.h"

struct lws;
struct lws_context;
struct lws_vhost;
struct tc_rec_db;
struct tc_rec_user;
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
    GThreadPool *workers; /* worker.c: CPU-bound jobs */
    int jobs_pending;     /* submitted jobs whose done() has not run */
    GList *login_waits;   /* api-auth.c: failed logins waiting to answer */
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

/* A role's name ("township_doctor"), or NULL outside the enum; and back
 * (-EINVAL for an unknown name). */
const char *tc_srv__role_name(enum tc_srv__role role);
int tc_srv__role_from_name(const char *name, enum tc_srv__role *out);

/*
 * Parse a comma-separated list of role names (spaces around names and
 * empty items ignored) into a bit set: of enum tc_srv__role bits, or of
 * TC_REC_USER_ROLE_BIT()s when for_records. On an unknown name returns
 * -EINVAL with the name in *bad (g_free it); *out untouched.
 */
int tc_srv__roles_parse(const char *list, bool for_records, unsigned *out,
                        char **bad);

/* enum tc_srv__role bits from records' user role bits. */
unsigned tc_srv__roles_from_records(unsigned rec_roles);

/* Fill *who from a user record. */
void tc_srv__who_fill(struct tc_srv__who *who, const struct tc_rec_user *u);

#define TC_SRV__TOKEN_LEN      32 /* random bytes in a bearer token */
#define TC_SRV__TOKEN_TEXT_LEN 43 /* as unpadded base64url */
#define TC_SRV__TOKEN_HASH_LEN 32 /* SHA-256 */

/* A new bearer token (text, NUL-terminated) and its SHA-256. */
int tc_srv__token_new(char token[TC_SRV__TOKEN_TEXT_LEN + 1],
                      unsigned char hash[TC_SRV__TOKEN_HASH_LEN]);

/* The SHA-256 of the token in an Authorization header value ("Bearer
 * <43 base64url characters>"). Errors: -EINVAL (malformed). */
int tc_srv__token_hash(const char *authorization,
                       unsigned char hash[TC_SRV__TOKEN_HASH_LEN]);

/* == password.c: Argon2id password hashes (blocking; see worker.c) == */

#define TC_SRV__PASSWORD_MAX       1024 /* bytes; longer is refused */
#define TC_SRV__PASSWORD_MIN       8    /* for new passwords */
#define TC_SRV__PASSWORD_GENERATED 20   /* characters of a generated one */

/* sodium_init(), once per process, before anything below. */
int tc_srv__crypto_init(char **errmsg);

/* Hash a password (about 0.1 s). *out: a "$argon2id$..." string
 * (g_free). Errors: -EINVAL (empty or longer than PASSWORD_MAX),
 * -ENOMEM. */
int tc_srv__password_hash(const char *password, char **out);

/* 0 when `password` matches `hash`, else -EACCES. A NULL hash verifies
 * against a dummy, taking the same time, and fails. */
int tc_srv__password_verify(const char *hash, const char *password);

/* A new random password of PASSWORD_GENERATED characters (g_free). */
char *tc_srv__password_generate(void);

/* Overwrite a password's bytes, then g_free it. NULL is ignored. */
void tc_srv__password_wipe(char *password);

/* == totp.c: one-time codes (RFC 6238) and base32 (RFC 4648) == */

#define TC_SRV__TOTP_DIGITS 6

enum tc_srv__totp_alg {
    TC_SRV__TOTP_SHA1,
    TC_SRV__TOTP_SHA256,
    TC_SRV__TOTP_SHA512,
};

/* The HOTP value (RFC 4226) of `key` at `counter`, `digits` (6..8) long:
 * format it with leading zeros. */
uint32_t tc_srv__hotp(const unsigned char *key, size_t key_len,
                      enum tc_srv__totp_alg alg, uint64_t counter, int digits);

/* The 30-second TOTP time step of a Unix time. */
int64_t tc_srv__totp_step(int64_t unix_s);

/*
 * Check a 6-digit SHA-1 code against a base32 secret at unix_s, accepting
 * one step either side. On success *step_out is the step that matched
 * (for replay protection). Errors: -EACCES (wrong or malformed code),
 * -EINVAL (the secret is not base32).
 */
int tc_srv__totp_check(const char *secret_b32, const char *code,
                       int64_t unix_s, int64_t *step_out);

/* A new random 160-bit secret as base32 (32 characters, g_free). */
char *tc_srv__totp_secret_new(void);

/* Base32 without padding (g_free); and back, ignoring case and any '='
 * padding. Decode errors: -EINVAL (not base32), -EMSGSIZE (over cap). */
char *tc_srv__base32_encode(const unsigned char *data, size_t len);
int tc_srv__base32_decode(const char *text, unsigned char *out, size_t cap,
                          size_t *len_out);

/* == worker.c: CPU-bound work off the main loop == */

typedef void (*tc_srv__work_fn)(void *data);

/* Start the worker pool: one thread per core but one, 1..4. */
int tc_srv__workers_start(struct tc_srv *srv, char **errmsg);

/* Run work(data) on a worker thread (it must not touch SQLite, lws or
 * srv), then done(data) on the main thread. Never fails. */
void tc_srv__work_submit(struct tc_srv *srv, tc_srv__work_fn work,
                         tc_srv__work_fn done, void *data);

/* Jobs submitted whose done() has not run yet. */
int tc_srv__work_queued(struct tc_srv *srv);

/* Wait for every job, run its done(), and free the pool. */
void tc_srv__workers_stop(struct tc_srv *srv);

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
extern const struct tc_srv__route tc_srv__routes_auth[];

/* == api-auth.c == */

/* Answer every failed login still waiting out its delay (at stop). */
void tc_srv__auth_stop(struct tc_srv *srv);

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

/* == api-util.c: shared by the /api/v1 handlers == */

/*
 * Each reader returns true with its out-param written, or false after
 * filling a 4xx answer naming the field and the rule (the handler then
 * just returns).
 */

/* Path parameter `index` as a positive id; `name` is used in the error. */
bool tc_srv__param_id(struct tc_srv__call *call, int index, const char *name,
                      int64_t *out);

/* The URL-decoded value of query parameter `key` into buf; false when
 * absent or longer than len - 1 (no answer is filled). */
bool tc_srv__query_get(const struct tc_srv__req *req, const char *key,
                       char *buf, size_t len);

/* Query integer in min..max, `def` when absent. */
bool tc_srv__query_int(struct tc_srv__call *call, const char *key, long def,
                       long min, long max, long *out);

/* Query date "YYYY-MM-DD" into out[11]; `def` when absent (NULL:
 * required). */
bool tc_srv__query_date(struct tc_srv__call *call, const char *key,
                        const char *def, char out[11]);

/* Refuse any member of obj not in the NULL-terminated `allowed`. */
bool tc_srv__json_only(struct tc_srv__call *call, json_t *obj,
                       const char *const *allowed);

/* A string member of 1..max_len bytes; absent or null gives NULL unless
 * required. *out is borrowed from obj. */
bool tc_srv__json_string(struct tc_srv__call *call, json_t *obj,
                         const char *field, bool required, size_t max_len,
                         const char **out);

/* An integer member in min..max; absent leaves *out as it was unless
 * required. */
bool tc_srv__json_int(struct tc_srv__call *call, json_t *obj,
                      const char *field, bool required, int64_t min,
                      int64_t max, int64_t *out);

/* A boolean member; absent leaves *out as it was. */
bool tc_srv__json_bool(struct tc_srv__call *call, json_t *obj,
                       const char *field, bool *out);

/*
 * Answer a failed records call: -EINVAL 422, -ENOENT 404, -EEXIST and
 * -EPERM (a transition not allowed) 409, -EBUSY 503, else 500; the body
 * carries tc_rec_errmsg() and the field it names.
 */
void tc_srv__resp_records_error(struct tc_srv *srv,
                                struct tc_srv__call *call, int rc);

/* Answer `status` with `doc` as JSON, taking the reference. */
void tc_srv__resp_ok(struct tc_srv__call *call, int status, json_t *doc);

/* == policy.c: who may do what to whose record == */

enum tc_srv__action {
    TC_SRV__ACT_READ,
    TC_SRV__ACT_WRITE,       /* create, update, sign, schedule, ... */
    TC_SRV__ACT_SELF_REPORT, /* a resident's own pain/difficulty report */
    TC_SRV__ACT_EXPORT,      /* a copy leaving the system */
};

enum tc_srv__kind {
    TC_SRV__KIND_RECORD,    /* a resident's record, any part of it */
    TC_SRV__KIND_STUDY,     /* one ECG or imaging study and its report */
    TC_SRV__KIND_AUDIT,     /* a resident's audit trail */
    TC_SRV__KIND_DIRECTORY, /* organizations, practitioners, teams */
    TC_SRV__KIND_STATS,     /* aggregate figures, no patient rows */
};

/* What the policy knows about the caller and the resident. */
struct tc_srv__facts {
    bool own;                       /* the caller is the resident */
    bool carer;                     /* a carer acting for the resident */
    bool assigned_reader;           /* the study is assigned to the caller */
    struct tc_rec_access_facts rel; /* care relationships (records) */
    const char *reason;             /* break-glass reason, or NULL */
};

struct tc_srv__decision {
    bool allow;
    bool break_glass;
    const char *rule; /* static: the rule that allowed, or why not */
};

/* The whole policy: pure, no I/O (unit-tested rule by rule). */
struct tc_srv__decision tc_srv__policy_decide(const struct tc_srv__who *who,
                                              enum tc_srv__action action,
                                              enum tc_srv__kind kind,
                                              const struct tc_srv__facts *f);

const char *tc_srv__action_name(enum tc_srv__action action);

/* What a request wants to touch. */
struct tc_srv__target {
    enum tc_srv__action action;
    enum tc_srv__kind kind;
    int64_t resident_id;     /* 0: no resident (directory, stats) */
    const char *entity_type; /* for the audit trail: "resident", ... */
    int64_t entity_id;
    bool assigned_reader; /* for studies: assigned to the caller */
    const char *purpose;  /* for the audit trail, may be NULL */
};

/*
 * Decide for the caller of `call` (who must be set) on `t`: gather the
 * facts (a break-glass reason comes from the X-Access-Reason header),
 * decide, append the audit event (allowed or denied). Returns true when
 * allowed; otherwise fills a 403 (404 for an unknown resident) and
 * returns false.
 */
bool tc_srv__policy_check(struct tc_srv *srv, struct tc_srv__call *call,
                          const struct tc_srv__target *t);

/* Append an audit event for the caller of `call` (who may be NULL:
 * "anonymous"). Never fails the request; a failure to append is logged
 * as critical. */
void tc_srv__audit(struct tc_srv *srv, struct tc_srv__call *call,
                   enum tc_rec_audit_action action, const char *entity_type,
                   int64_t entity_id, int64_t resident_id,
                   enum tc_rec_audit_outcome outcome, const char *purpose,
                   const char *detail);

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
extern const struct tc_srv__admin_cmd tc_srv__admin_cmds_users[];
extern const struct tc_srv__admin_cmd tc_srv__admin_cmds_demo[];

/* == run.c == */

/* A response finished (or was abandoned): lets shutdown proceed. */
void tc_srv__request_done(struct tc_srv *srv);

#endif
