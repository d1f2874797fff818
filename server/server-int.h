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
#include <libwebsockets.h>

#include "tc-records.h"
#include "tc-server.h"

struct lws;
struct lws_context;
struct lws_vhost;
struct tc_rec_db;
struct tc_rec_user;
struct tc_srv__metrics;
struct tc_srv__ratelimit;
struct tc_srv__checkpointer;
struct tc_srv__sig;
struct tc_srv__rehab;

struct tc_uvglib;
struct tc_srv__media;
struct tc_loopstat;

#define TC_SRV__TOTP_KEY_LEN 32 /* totp-seal.c's key */

struct tc_srv {
    const struct tc_srv_config *cfg;              /* borrowed for the run */
    unsigned char totp_key[TC_SRV__TOTP_KEY_LEN]; /* totp-seal.c */
    guint session_sweep;                          /* auth.c: next sweep */
    GMainLoop *loop;
    struct lws_context *lws;
    struct tc_uvglib *uv; /* lws's libuv loop, a source of the GLib loop */
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
    GThreadPool *workers;    /* worker.c: CPU-bound jobs */
    int jobs_pending;        /* submitted jobs whose done() has not run */
    GList *login_waits;      /* api-auth.c: failed logins waiting to answer */
    struct tc_srv__sig *sig; /* signaling.c: peers, rooms, connections */
    struct tc_srv__media *media; /* sig-media.c: media rooms, or NULL */
    struct tc_srv__checkpointer *checkpointer; /* checkpoint.c */
    GArray *audit_queue;          /* audit.c: events not yet committed */
    GPtrArray *audit_waiters;     /* audit.c: calls waiting for that commit */
    guint audit_flush;            /* audit.c: the commit timer, 0 when idle */
    struct tc_srv__rehab *rehab;  /* rehab-alerts.c: timer, jobs */
    GHashTable *emergency_timers; /* api-emergency.c: id -> ring timer */
    struct tc_srv__dicom *dicom;  /* dicom.c: store, SCP, forwarder */
    struct tc_srv__ecg *ecg;      /* ecg-live.c: the relay, live streams */
    struct tc_loopstat *loopstat; /* run.c: TC_LOOP_STATS only, else NULL */
    guint loopstat_timer;         /* run.c: logs them periodically */
    int loopstat_period_s;
};

/* == ecg-live.c: live ECG streams (docs/ecg-rtp.md) == */

/* Bind the ECG relay ([ecg] listen) and prepare <data_dir>/ecg; on
 * failure *err is a g_malloc'd sentence. */
int tc_srv__ecg_start(struct tc_srv *srv, char **err);
/* Finish every live stream's archive and close the relay. */
void tc_srv__ecg_stop(struct tc_srv *srv);
/* The relay's UDP port (0 before start). */
uint16_t tc_srv__ecg_port(struct tc_srv *srv);

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

/* == totp-seal.c: TOTP secrets sealed under <data_dir>/totp.key == */

/* Read <data_dir>/totp.key into key, or make it (mode 0600) when it is
 * missing and no secret in db is sealed; then *made (if not NULL) is its
 * path (g_free), else NULL. Errors, with *why (g_free): -ENOKEY (missing
 * while sealed secrets exist), -EINVAL (not a 32-byte file), or an errno
 * reading or making it. */
int tc_srv__totp_key_load(const char *data_dir, struct tc_rec_db *db,
                          unsigned char *key, char **made, char **why);

/* A base32 secret sealed for the users table (g_free); NULL if it is
 * empty or longer than 128 characters. */
char *tc_srv__totp_seal(const unsigned char *key, const char *secret);

/* The base32 secret of a stored one, sealed or still in the clear, in
 * *out (wipe with tc_srv__password_wipe). Errors: -EBADMSG (not sealed
 * under this key, or altered). */
int tc_srv__totp_open(const unsigned char *key, const char *stored,
                      char **out);

/* Seal every secret in db still in the clear, keeping each account's last
 * accepted step; *sealed_out says how many. Errors: from records. */
int tc_srv__totp_seal_clear(struct tc_rec_db *db, const unsigned char *key,
                            int *sealed_out);

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
    /* A body read from a file instead (tc_srv__resp_file_take): -1 when
     * none; else file_len bytes from file_offset, sent in chunks. */
    int file_fd;
    int64_t file_offset;
    int64_t file_len;
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
    /* Without a wsi (a harness driving handlers in-process): the request
     * headers as "name", "value", ... NULL (lower-case names), or NULL. */
    const char *const *fake_headers;
    int refs;
    char *params_buf[TC_SRV__MAX_PARAMS];
    struct tc_srv__who who_buf;
    bool audit_pending; /* audit events of this call await their commit */
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

/* Answer `status` with file_len bytes of `fd` from `offset` as the body
 * (sent in 16 KiB chunks as the client reads; nothing is held in memory).
 * Takes ownership of fd (closed with the call). */
void tc_srv__resp_file_take(struct tc_srv__resp *resp, int status,
                            const char *content_type, int fd, int64_t offset,
                            int64_t len);

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

/* == range.c: the Range header of a GET == */

/*
 * One byte range "bytes=a-b", "bytes=a-" or "bytes=-n" of a
 * representation of `size` bytes into first..last (inclusive, clipped to
 * the size). -EINVAL: malformed or several ranges (serve it whole);
 * -ERANGE: not satisfiable (416). Pure.
 */
int tc_srv__range_parse(const char *header, int64_t size, int64_t *first,
                        int64_t *last);

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
extern const struct tc_srv__route tc_srv__routes_fhir[];
extern const struct tc_srv__route tc_srv__routes_rehab[];
extern const struct tc_srv__route tc_srv__routes_rehab_sessions[];
extern const struct tc_srv__route tc_srv__routes_consult[];
extern const struct tc_srv__route tc_srv__routes_recordings[];
extern const struct tc_srv__route tc_srv__routes_media_profile[];

extern const struct tc_srv__route tc_srv__routes_studies[];
extern const struct tc_srv__route tc_srv__routes_ecg[]; /* api-ecg.c */
extern const struct tc_srv__route tc_srv__routes_directory[];
extern const struct tc_srv__route tc_srv__routes_residents[];
extern const struct tc_srv__route tc_srv__routes_contracts[];
extern const struct tc_srv__route tc_srv__routes_stats[];
extern const struct tc_srv__route tc_srv__routes_auth[];
extern const struct tc_srv__route tc_srv__routes_rehab_library[];
extern const struct tc_srv__route tc_srv__routes_rehab_upload[];
extern const struct tc_srv__route tc_srv__routes_rehab_live[];
extern const struct tc_srv__route tc_srv__routes_rehab_recordings[];

/* Answer `call` with recording `r`'s file (under the data directory) or
 * the piece its Range header asks for: 200/206, 404 when the file is
 * missing, 416 for a bad range (api-recordings.c). The caller checked
 * who may read it. */
void tc_srv__recording_send(struct tc_srv *srv, struct tc_srv__call *call,
                            const struct tc_rec_recording *r);
/* Answer `call` with `list` (consumed) as {items: [...]}, each with its
 * media_url, or with the records error when rc < 0. */
void tc_srv__recordings_list_send(struct tc_srv *srv,
                                  struct tc_srv__call *call, int rc,
                                  struct tc_rec_recording_list *list);
extern const struct tc_srv__route tc_srv__routes_referrals[];
extern const struct tc_srv__route tc_srv__routes_oncall[];
extern const struct tc_srv__route tc_srv__routes_emergency[];
extern const struct tc_srv__route tc_srv__routes_dicomweb[];
extern const struct tc_srv__route tc_srv__routes_imaging[];

/* == api-ecg.c == */

/* A DICOM DT ("YYYYMMDDHHMMSS.FFFFFF&ZZXX", components optional from the
 * right, at least the date) as microseconds since the epoch; the offset
 * is the DT's own, else `tz` ("+0800", may be NULL), else the server's
 * local time zone. -EINVAL when it is not such a value. */
int tc_srv__dicom_dt_us(const char *dt, const char *tz, int64_t *out);

/* == api-stow.c: STOW-RS (POST /dicom-web/studies) == */
void tc_srv__stow(struct tc_srv *srv, struct tc_srv__call *call);

/* == api-contracts.c == */

/* Expire the contracts whose period ended before today (UTC, the real
 * date), auditing the sweep when it expired any; before a panel or
 * statistics. A failure is logged and leaves the figures as they are. */
void tc_srv__contracts_sweep(struct tc_srv *srv, struct tc_srv__call *call);

/* == api-auth.c == */

/* Answer every failed login still waiting out its delay (at stop). */
void tc_srv__auth_stop(struct tc_srv *srv);

/* auth.c: delete long-dead sessions after start and then hourly. */
void tc_srv__auth_sweep_start(struct tc_srv *srv);
void tc_srv__auth_sweep_stop(struct tc_srv *srv);

/* == metrics.c == */
struct tc_srv__metrics *tc_srv__metrics_new(void);
void tc_srv__metrics_free(struct tc_srv__metrics *m);

/* Count one finished HTTP request. `route` is the route's pattern, never
 * the raw path (paths can hold ids). */
void tc_srv__metrics_http(struct tc_srv__metrics *m, const char *method,
                          const char *route, int status, int64_t duration_us);

/* Add `delta` to gauge `name` (made at 0 on first use). `name` and `help`
 * are static strings. */
void tc_srv__metrics_gauge_add(struct tc_srv__metrics *m, const char *name,
                               const char *help, int64_t delta);

/* Count one event of counter `name` with label `label`="value". All four
 * are static strings the server chose from a fixed set, never request
 * data. */
void tc_srv__metrics_count(struct tc_srv__metrics *m, const char *name,
                           const char *help, const char *label,
                           const char *value);

/* The counter tc_srv__metrics_count() adds to, for callers that count
 * the same series often: the pointer stays valid as long as `m`. Thread:
 * the metrics' (main). */
int64_t *tc_srv__metrics_counter(struct tc_srv__metrics *m, const char *name,
                                 const char *help, const char *label,
                                 const char *value);

/* Append the Prometheus text exposition to `out`. */
void tc_srv__metrics_render(struct tc_srv__metrics *m, GString *out,
                            int64_t uptime_us);

/* == checkpoint.c == */

/* Raise main_db's automatic checkpoint threshold (a fallback under
 * sustained writes) and run PASSIVE checkpoints from a thread with its
 * own handle on `path`. NULL (logged) when a second handle cannot be
 * opened: SQLite then keeps checkpointing in commits. */
struct tc_srv__checkpointer *
tc_srv__checkpointer_start(struct tc_rec_db *main_db, const char *path);

/* Stop and join the thread, close its handle. NULL is ignored. */
void tc_srv__checkpointer_stop(struct tc_srv__checkpointer *cp);

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
void tc_srv__resp_records_error(struct tc_srv *srv, struct tc_srv__call *call,
                                int rc);

/* Answer `status` with `doc` as JSON, taking the reference. */
void tc_srv__resp_ok(struct tc_srv__call *call, int status, json_t *doc);

/* A date member "YYYY-MM-DD" (a real calendar day); absent or null gives
 * NULL unless required. *out is borrowed from obj. */
bool tc_srv__json_date(struct tc_srv__call *call, json_t *obj,
                       const char *field, bool required, const char **out);

/* An instant (microseconds since the epoch) as an RFC 3339 UTC string
 * "2026-03-01T08:30:00Z" (g_free), or NULL for 0 (not set). */
char *tc_srv__rfc3339(int64_t at_us);

/* Today's date in UTC, "YYYY-MM-DD", into out[11]. */
void tc_srv__today(char out[11]);

/* An instant as a new JSON string (tc_srv__rfc3339), or JSON null for 0. */
json_t *tc_srv__json_time(int64_t at_us);

/* Fill a 422 "<field>: must be one of <codes>" and return false: for a
 * code that its records from_string() refused. */
bool tc_srv__bad_code(struct tc_srv__call *call, const char *field,
                      const char *codes);

/* Answer 204 with no body. */
void tc_srv__resp_no_content(struct tc_srv__call *call);

/*
 * After a write's records call: audit its outcome (action on entity_type
 * entity_id of resident_id; success, or failure with the records error
 * text, which names fields and rules, never values) and, when rc < 0,
 * answer with tc_srv__resp_records_error() first. Returns rc == 0.
 * Call it before any other records call so the error text is rc's.
 */
bool tc_srv__audit_outcome(struct tc_srv *srv, struct tc_srv__call *call,
                           int rc, enum tc_rec_audit_action action,
                           const char *entity_type, int64_t entity_id,
                           int64_t resident_id);

/* An instant member: an RFC 3339 string with a time zone
 * ("2026-03-01T08:30:00Z", "2026-03-01T16:30:00+08:00") into
 * microseconds since the epoch; absent or null leaves *out as it was
 * unless required. */
bool tc_srv__json_instant(struct tc_srv__call *call, json_t *obj,
                          const char *field, bool required, int64_t *out);

/* The body as a JSON object (tc_srv__call_json) whose members are all in
 * the NULL-terminated `allowed` (tc_srv__json_only); an empty body reads
 * as {}. On success *out owns the object. */
bool tc_srv__call_body(struct tc_srv__call *call, const char *const *allowed,
                       json_t **out);

/* Prefix the field and message of the error answer in call->resp with
 * `prefix` ("goals[2]."), after a reader failed on a member of a nested
 * object. */
void tc_srv__resp_error_prefix(struct tc_srv__call *call, const char *prefix);

/* An integer member that fits an int, for values whose range records
 * checks (422 naming the field): only its type here. Absent leaves *out
 * as it was unless required. */
bool tc_srv__json_int32(struct tc_srv__call *call, json_t *obj,
                        const char *field, bool required, int *out);

/* {"items": [...]} of the versions of a note or an opinion, oldest first:
 * {version, text, author_id, at, amend_reason}. */
json_t *tc_srv__text_versions_doc(const struct tc_rec_text_version_list *l);

/* JSON values for answers: an instant as RFC 3339 (null for 0), an id
 * (null for 0), a string (null for NULL). New references. */
json_t *tc_srv__instant_json(int64_t at_us);
json_t *tc_srv__id_json(int64_t id);
json_t *tc_srv__string_json(const char *s);

/* The caller's practitioner id; false after a 403 naming `what` (the act
 * only a practitioner does) when the caller is not a practitioner. */
bool tc_srv__who_practitioner(struct tc_srv__call *call, const char *what,
                              int64_t *out);

/* A refusal beyond the access policy (a domain rule: only the study's
 * reader signs, only a therapist of the plan reviews): audit it as
 * denied, with `why` (a static rule text, never patient data), and
 * answer 403. */
void tc_srv__deny(struct tc_srv *srv, struct tc_srv__call *call,
                  enum tc_rec_audit_action action, const char *entity_type,
                  int64_t entity_id, int64_t resident_id, const char *why);

/* == api-rehab.c, shared with api-rehab-session.c == */

/* The rehab plan named by path parameter 0 into *out (free with
 * tc_rec_rehab_plan_free); false after answering 400/404. */
bool tc_srv__rehab_plan_load(struct tc_srv *srv, struct tc_srv__call *call,
                             struct tc_rec_rehab_plan **out);

/* A session as the API answers it (api-rehab-session.c); `whole` adds
 * the free text (cancel reason, note). */
json_t *tc_srv__rehab_session_json(const struct tc_rec_rehab_session *s,
                                   bool whole);

/* == policy.c: who may do what to whose record == */

enum tc_srv__action {
    TC_SRV__ACT_READ,
    TC_SRV__ACT_WRITE,       /* create, update, sign, schedule, ... */
    TC_SRV__ACT_SELF_REPORT, /* a resident's own pain/difficulty report */
    TC_SRV__ACT_EXPORT,      /* a copy leaving the system */
};

enum tc_srv__kind {
    TC_SRV__KIND_RECORD,       /* a resident's record, any part of it */
    TC_SRV__KIND_STUDY,        /* one ECG or imaging study and its report */
    TC_SRV__KIND_AUDIT,        /* a resident's audit trail */
    TC_SRV__KIND_DIRECTORY,    /* organizations, practitioners, teams */
    TC_SRV__KIND_STATS,        /* aggregate figures, no patient rows */
    TC_SRV__KIND_CONSULTATION, /* one consultation: request and opinion */
    TC_SRV__KIND_ROOM, /* the live room of a consultation or rehab session */
    TC_SRV__KIND_REFERRAL, /* one referral up or down (api-referrals.c) */
    TC_SRV__KIND_ROTA,     /* a department's on-call rota (api-oncall.c) */
};

/* What the policy knows about the caller and the resident. */
struct tc_srv__facts {
    bool own;              /* the caller is the resident */
    bool carer;            /* a carer acting for the resident */
    bool assigned_reader;  /* the study is assigned to the caller */
    bool requested_of;     /* a consultation awaiting the caller's answer */
    bool opinion_author;   /* the caller signed the consultation's opinion */
    bool team_member;      /* a member of the team of the contract at hand */
    bool registering;      /* a write with no resident yet: registering one */
    bool room_host;        /* hosts the live room (signaling.c) */
    bool room_participant; /* a practitioner participant of the room */
    bool referral_party;   /* sends or receives the referral at hand */
    bool department_head;  /* heads the department whose rota it is */
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
    bool requested_of;    /* for consultations: see struct tc_srv__facts */
    bool opinion_author;
    bool team_member;     /* for contracts: the caller is on its team */
    bool registering;     /* registering a new resident (no id yet) */
    bool referral_party;  /* for referrals: sender or receiver */
    bool department_head; /* for a rota: the caller heads the department */
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

/* tc_srv__policy_check() on one entity of a resident's record. */
bool tc_srv__policy_check_record(struct tc_srv *srv, struct tc_srv__call *call,
                                 enum tc_srv__action action,
                                 int64_t resident_id, const char *entity_type,
                                 int64_t entity_id);

/*
 * Decide for the caller of `call` on `t` like tc_srv__policy_check(), but
 * audit nothing, answer nothing and never break glass: for filtering the
 * rows of a list (search results, a panel), each returned row then being
 * audited by the handler. Returns 0 with *out filled, or a records error
 * (-ENOENT: no such resident).
 */
int tc_srv__policy_peek(struct tc_srv *srv, struct tc_srv__call *call,
                        const struct tc_srv__target *t,
                        struct tc_srv__decision *out);

/* == audit.c: the audit trail's group commit == */

/*
 * Record an audit event for the caller of `call` (who may be NULL:
 * "anonymous"; call may be a stack-made one outside HTTP). Events are
 * queued and committed together at most 1 ms later, in one transaction;
 * an HTTP answer is not sent before its call's events are committed, so a
 * client never sees data whose access is not yet on the trail. Never
 * fails the request; a failed commit is logged as critical.
 */
void tc_srv__audit(struct tc_srv *srv, struct tc_srv__call *call,
                   enum tc_rec_audit_action action, const char *entity_type,
                   int64_t entity_id, int64_t resident_id,
                   enum tc_rec_audit_outcome outcome, const char *purpose,
                   const char *detail);

/* Whether `call`'s answer must wait for a commit; if so it is kept
 * (deferred) and resumed by the commit: the caller must not send it. */
bool tc_srv__audit_hold(struct tc_srv *srv, struct tc_srv__call *call);

/* Commit every queued event now and release the waiting answers (also
 * called at stop, before the database closes). */
void tc_srv__audit_flush(struct tc_srv *srv);

/* Free the queue (after the last flush). */
void tc_srv__audit_fini(struct tc_srv *srv);

/* == api-fhir.c, api-fhir-search.c: FHIR R4 under /fhir == */

/* One FHIR request: what the answers look like, and who asks. */
struct tc_srv__fhir {
    const char *content_type; /* of every answer, errors included */
    char base[320];           /* "http://host:port/fhir", for links */
    struct tc_srv__who who;   /* the caller (call->req.who points here) */
};

/*
 * Start a FHIR request: negotiate the format (_format, Accept), work out
 * the base URL and, when `authenticate`, resolve the bearer token (and
 * take the per-account rate). Returns false after filling an
 * OperationOutcome answer (401, 406, 429).
 */
bool tc_srv__fhir_begin(struct tc_srv *srv, struct tc_srv__call *call,
                        struct tc_srv__fhir *fx, bool authenticate);

/* Answer an OperationOutcome with one issue (expression may be NULL). */
void tc_srv__fhir_outcome(struct tc_srv__call *call, int status,
                          const char *code, const char *diagnostics,
                          const char *expression);

/* Turn an answer filled by tc_srv__resp_error() (policy, body parsing)
 * into an OperationOutcome with the same status and message. */
void tc_srv__fhir_outcome_from_error(struct tc_srv__call *call);

/* The access-policy kind of a hit of `type`. */
enum tc_srv__kind tc_srv__fhir_kind(const char *type,
                                    const struct tc_rec_fhir_hit *hit);

/* Read type/id as the hit says, with meta.versionId (and lastUpdated);
 * *version the version. Errors as tc_rec_fhir_read(). */
int tc_srv__fhir_read(struct tc_srv *srv, const char *type,
                      const struct tc_rec_fhir_hit *hit, json_t **out,
                      char version[17]);

/* GET /fhir/metadata and GET /fhir/{type} (api-fhir-search.c). */
void tc_srv__fhir_metadata(struct tc_srv *srv, struct tc_srv__call *call);
void tc_srv__fhir_search(struct tc_srv *srv, struct tc_srv__call *call);

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

/* Append an audit event for a telecare-admin action (actor
 * "telecare-admin:<unix user>", role admin, outcome success); a failure
 * is printed as a warning. */
void tc_srv__admin_audit(struct tc_rec_db *db, enum tc_rec_audit_action action,
                         const char *entity_type, int64_t entity_id,
                         int64_t resident_id, const char *purpose,
                         const char *detail);

/* telecare-admin's --data-dir (the commands get its database open). */
extern const char *tc_srv__admin_data_dir;

/* Subcommand tables, each ending with {NULL}. */
extern const struct tc_srv__admin_cmd tc_srv__admin_cmds_base[];
extern const struct tc_srv__admin_cmd tc_srv__admin_cmds_users[];
extern const struct tc_srv__admin_cmd tc_srv__admin_cmds_demo[];

/* == signaling.c: the WebSocket protocol "telecare.v1" (sig-int.h) == */

/* The signaling state: peers, rooms, open connections, the heartbeat
 * timer. Made before the lws context, freed after it. NULL is ignored. */
struct tc_srv__sig *tc_srv__sig_new(struct tc_srv *srv);
void tc_srv__sig_free(struct tc_srv__sig *sig);

/* == sig-media.c == */

/* Free the media rooms (made on the first offer to "media"), after the
 * signaling hub. NULL is ignored. */
void tc_srv__media_free(struct tc_srv__media *m);

/* Stopping: close every WebSocket with 1001 (each counts as in flight). */
void tc_srv__sig_stop(struct tc_srv *srv);

/* The lws callback of "telecare.v1"; its per-session data is a pointer. */
int tc_srv__sig_callback(struct lws *wsi, enum lws_callback_reasons reason,
                         void *user, void *in, size_t len);
#define TC_SRV__SIG_PSS_SIZE sizeof(void *)

/* == recording-recover.c: recordings cut short by a crash == */

/* "video/x-matroska" (.mkv), "video/webm" or "audio/webm". */
const char *tc_srv__recording_media_type(const char *path, bool video);
/* A recording of `file` (absolute) started: mark it with what its row will
 * say (r: ids, user, track, start). */
void tc_srv__recording_pending(const char *file,
                               const struct tc_rec_recording *r);
/* The user its mark names (whose media it was when it started), 0. */
int64_t tc_srv__recording_marked_user(const char *file);
/* Its row is written: remove the mark. */
void tc_srv__recording_recorded(const char *file);
/* At start: write the rows of the marked recordings a stop cut short. */
void tc_srv__recordings_recover(struct tc_srv *srv);

/* == rehab-alerts.c: the rehab alert timer (rehab-int.h has the rest) ==
 */

/* Start the alert timer; stop it (after the worker pool has stopped). */
void tc_srv__rehab_start(struct tc_srv *srv);
void tc_srv__rehab_stop(struct tc_srv *srv);
/* == sig-notify.c: events addressed to a person == */

/* Whether a practitioner has a signaling connection attached now. */
bool tc_srv__sig_online(struct tc_srv *srv, int64_t practitioner_id);

/* Send `doc` (borrowed) to every peer of the practitioner (queued for one
 * that is away in its grace period). Returns the number of peers. */
int tc_srv__sig_notify(struct tc_srv *srv, int64_t practitioner_id,
                       const json_t *doc);

/* Keep in ids[0..n) only the practitioners online now (order kept);
 * returns how many are left. One pass over the peers. */
size_t tc_srv__sig_online_filter(struct tc_srv *srv, int64_t *ids, size_t n);

/* The same to every peer of the account `user_id` (a resident or carer
 * has no practitioner id). */
int tc_srv__sig_notify_user(struct tc_srv *srv, int64_t user_id,
                            const json_t *doc);

/* tc_srv__sig_notify() to every practitioner of ids[0..n): one pass over
 * the peers, one serialisation. Returns the number of peers. */
int tc_srv__sig_notify_many(struct tc_srv *srv, const int64_t *ids, size_t n,
                            const json_t *doc);

/* == api-emergency.c: emergency consultations (timers, ringing) == */

/* Resume the open emergencies after a start (their ring timers), and
 * drop every timer at stop. */
void tc_srv__emergency_start(struct tc_srv *srv);
void tc_srv__emergency_stop(struct tc_srv *srv);

/* A practitioner entered (present) or left the live room of
 * consultation_id (sig-join.c's attendance hook). */
void tc_srv__emergency_attend(struct tc_srv *srv, int64_t consultation_id,
                              int64_t practitioner_id, bool present);
/* == config-dicom.c: the [dicom] keys == */

struct tc_srv__dicom_peer {
    char ae[17];
    int64_t org_id; /* the organization the AE title belongs to */
};

struct tc_srv__dicom_dest {
    char name[65];
    char ae[17];
    char host[64];
    int port;
};

struct tc_srv__dicom_route {
    char source[65]; /* a calling AE title, "org:ID", "STOW-RS" or "*" */
    char dest[65];   /* a destination's name */
};

void tc_srv__dicom_config_defaults(struct tc_srv_dicom_config *d);
void tc_srv__dicom_config_copy(struct tc_srv_dicom_config *to,
                               const struct tc_srv_dicom_config *from);
void tc_srv__dicom_config_fini(struct tc_srv_dicom_config *d);
bool tc_srv__dicom_ae_valid(const char *ae, size_t len);

/* Parse a list key into a GArray of the structs above (g_array_free);
 * -EINVAL with the offending item in `why`. */
int tc_srv__dicom_peers_parse(const char *text, GArray **out, GString *why);
int tc_srv__dicom_dests_parse(const char *text, GArray **out, GString *why);
int tc_srv__dicom_routes_parse(const char *text, GArray **out, GString *why);

/* The key parsers (config.c's table). */
int tc_srv__cfg_dicom_listen(struct tc_srv_config *cfg, const char *value,
                             GString *why);
int tc_srv__cfg_dicom_ae_title(struct tc_srv_config *cfg, const char *value,
                               GString *why);
int tc_srv__cfg_dicom_peers(struct tc_srv_config *cfg, const char *value,
                            GString *why);
int tc_srv__cfg_dicom_max_associations(struct tc_srv_config *cfg,
                                       const char *value, GString *why);
int tc_srv__cfg_dicom_max_pdu(struct tc_srv_config *cfg, const char *value,
                              GString *why);
int tc_srv__cfg_dicom_timeout(struct tc_srv_config *cfg, const char *value,
                              GString *why);
int tc_srv__cfg_dicom_destinations(struct tc_srv_config *cfg,
                                   const char *value, GString *why);
int tc_srv__cfg_dicom_routes(struct tc_srv_config *cfg, const char *value,
                             GString *why);
int tc_srv__cfg_dicom_index_batch(struct tc_srv_config *cfg, const char *value,
                                  GString *why);
int tc_srv__cfg_dicom_retry_max(struct tc_srv_config *cfg, const char *value,
                                GString *why);

/* == dicom.c: DICOM store-and-forward on the server's side == */

struct tc_media_dicom_info;

/*
 * Start: make data_dir/dicom (and its tmp/; what it creates is appended
 * to `created`, for tc_srv__datadir_undo), parse the [dicom] tables,
 * start the forwarder and, when [dicom] listen is set, the SCP. Logs
 * "dicom SCP listening on HOST:PORT (AE ...)". Errors with *errmsg
 * (g_free): -EINVAL (configuration), -EADDRINUSE, -EIO.
 */
int tc_srv__dicom_start(struct tc_srv *srv, GPtrArray *created, char **errmsg);

/* Stop the SCP and the forwarder, indexing what the associations still
 * hand over (iterates the main context meanwhile). Before the database
 * closes. NULL-safe on a server that never started DICOM. */
void tc_srv__dicom_stop(struct tc_srv *srv);

/* A Part-10 file already in the content-addressed store, to index. */
struct tc_srv__dicom_arrival {
    const struct tc_media_dicom_info *info;
    const char *sha256;
    const char *rel_path; /* relative to the data directory */
    int64_t size_bytes;
    const char *source;     /* calling AE title or "STOW-RS" */
    int64_t org_id;         /* sending organization, 0 when unknown */
    int64_t received_at_us; /* 0: now */
};

/* How an arrival ended up in the index. */
enum tc_srv__dicom_outcome {
    TC_SRV__DICOM_STORED = 1, /* new, or the same bytes again */
    TC_SRV__DICOM_CONFLICT,   /* same SOP instance, other bytes: flagged */
    TC_SRV__DICOM_REFUSED,    /* not indexed (the records rule in *why) */
};

/*
 * Index an arrival (main thread): match the patient, store the instance,
 * flag a conflict, queue it for the forwarding routes, audit it as done
 * by `who`. Out: the study id (0 when refused) and, when refused, the
 * records error text (borrowed until the next records call).
 */
enum tc_srv__dicom_outcome
tc_srv__dicom_index(struct tc_srv *srv, const struct tc_srv__who *who,
                    const struct tc_srv__dicom_arrival *a, int64_t *study_out,
                    const char **why);

/* Index now what the SCP answered "stored" and queued for indexing
 * (dicom.c batches it, a few ms): the HTTP API calls it before each
 * request, so that a query sees every instance answered before it. Main
 * thread; cheap when nothing is queued; NULL-safe. */
void tc_srv__dicom_flush(struct tc_srv *srv);

/* data_dir/dicom and its tmp/ (same file system, for renames). */
const char *tc_srv__dicom_dir(struct tc_srv *srv);
const char *tc_srv__dicom_tmp_dir(struct tc_srv *srv);

/* == dicom-forward.c: the forwarding queue's worker == */

struct tc_srv__forwarder;

/* Start sending what imaging_forwards holds as pending (after a restart
 * too). `dests` is borrowed for the forwarder's life. */
struct tc_srv__forwarder *tc_srv__forwarder_start(struct tc_srv *srv,
                                                  GArray *dests);
/* Wake it: new rows were queued. */
void tc_srv__forwarder_kick(struct tc_srv__forwarder *fw);
/* Stop and join. NULL is ignored. */
void tc_srv__forwarder_stop(struct tc_srv__forwarder *fw);

/* == multipart.c: multipart/related bodies (STOW-RS, RFC 2387) == */

#define TC_SRV__MULTIPART_MAX_PARTS 1000

struct tc_srv__part {
    const char *data; /* borrowed from the body */
    size_t len;
    char content_type[128]; /* lower case, "" when the part names none */
};

/*
 * Split `body` by the boundary given in the Content-Type header value
 * `content_type` ("multipart/related; type=...; boundary=..."). Out: a
 * GArray of struct tc_srv__part pointing into body. Errors: -EINVAL with
 * a sentence in *why (static): no boundary, a missing delimiter or close,
 * a part without its blank line, more than MAX_PARTS parts.
 */
int tc_srv__multipart_parse(const char *content_type, const char *body,
                            size_t len, GArray **out, const char **why);

/* == run.c == */

/* A response finished (or was abandoned): lets shutdown proceed. */
void tc_srv__request_done(struct tc_srv *srv);

#endif
