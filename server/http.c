// SPDX-License-Identifier: Apache-2.0
/*
 * http.c - the HTTP side of libwebsockets: one request in, one response
 * out, for the dynamic routes (routes.c); static files are served by an
 * lws file mount.
 *
 * A request's life on one connection (keep-alive reuses the same pss):
 *
 *   HTTP (headers) --no body--> dispatch --> handler
 *        |                                     |            \
 *        +--body--> HTTP_BODY* --> BODY_COMPLETION        deferred
 *                                                          |
 *                       headers written <---- resumed -----+
 *                             |
 *           HTTP_WRITEABLE* (16 KiB chunks) --> done
 *
 * dispatch: route lookup (404/405), then the bearer token for non-public
 * routes (401), then the handler. A body larger than [http] max_body_bytes
 * is refused with 413 and the connection is closed after the answer. Once
 * the server is stopping, new connections are closed at once and a new
 * request on a kept-alive one gets 503 and a close.
 *
 * A request is "in flight" from its headers until its last byte is
 * written or its connection closes; shutdown waits for in-flight requests
 * (run.c). A struct tc_srv__call is reference-counted between the
 * connection and a deferring handler, so a client that goes away while its
 * answer is being computed costs nothing but a free.
 *
 * Thread: main (lws on the GLib loop).
 */
#define G_LOG_DOMAIN "http"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>
#include <libwebsockets.h>

#include "server-int.h"
#include "tc-records.h"

#define WRITE_CHUNK    16384
#define MAX_URI        2048
#define MAX_JSON_DEPTH 32

struct http_pss {
    char method[8];
    char *path;
    char *query;
    char addr[64];
    GString *body_in;
    bool body_too_large;
    bool in_flight;
    bool close_after;
    bool refuse_stopping;
    bool headers_sent;
    bool answer_ready; /* nothing follows the headers: written when writable */
    bool head;         /* HEAD: headers only, a file body is not sent */
    const char *route_name;
    struct tc_srv__call *call;
    size_t sent;
    int64_t started_us;
};

static const struct {
    enum lws_token_indexes token;
    const char *name;
} methods[] = {
    {WSI_TOKEN_GET_URI, "GET"},       {WSI_TOKEN_POST_URI, "POST"},
    {WSI_TOKEN_PUT_URI, "PUT"},       {WSI_TOKEN_PATCH_URI, "PATCH"},
    {WSI_TOKEN_DELETE_URI, "DELETE"}, {WSI_TOKEN_OPTIONS_URI, "OPTIONS"},
    {WSI_TOKEN_HEAD_URI, "HEAD"},
};

static struct tc_srv *
srv_of(struct lws *wsi)
{
    return lws_context_user(lws_get_context(wsi));
}

/* ---- responses ---- */

void
tc_srv__resp_json(struct tc_srv__resp *resp, int status, const char *json)
{
    resp->status = status;
    resp->content_type = "application/json";
    g_string_assign(resp->body, json);
}

void
tc_srv__resp_doc(struct tc_srv__resp *resp, int status,
                 const char *content_type, const json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);

    resp->status = status;
    resp->content_type = content_type;
    g_string_assign(resp->body, text ? text : "{}");
    free(text);
}

void
tc_srv__resp_error_field(struct tc_srv__resp *resp, int status,
                         const char *field, const char *message)
{
    /* A message may quote the client's bytes (jansson's parse errors do,
     * invalid UTF-8 included), which json_string() refuses: U+FFFD them. */
    g_autofree char *msg = g_utf8_make_valid(message, -1);
    json_t *err = json_pack("{s:i,s:s}", "status", status, "message", msg);
    json_t *doc;

    if (field) {
        g_autofree char *name = g_utf8_make_valid(field, -1);
        json_object_set_new(err, "field", json_string(name));
    }
    doc = json_pack("{s:o}", "error", err);
    tc_srv__resp_doc(resp, status, "application/json", doc);
    json_decref(doc);
}

void
tc_srv__resp_error(struct tc_srv__resp *resp, int status, const char *message)
{
    tc_srv__resp_error_field(resp, status, NULL, message);
}

void
tc_srv__resp_file_take(struct tc_srv__resp *resp, int status,
                       const char *content_type, int fd, int64_t offset,
                       int64_t len)
{
    if (resp->file_fd >= 0) {
        close(resp->file_fd);
    }
    resp->status = status;
    resp->content_type = content_type;
    g_string_truncate(resp->body, 0);
    resp->file_fd = fd;
    resp->file_offset = offset;
    resp->file_len = len;
}

void
tc_srv__resp_header(struct tc_srv__resp *resp, const char *name,
                    const char *value)
{
    g_ptr_array_add(resp->headers, g_strconcat(name, ":", NULL));
    g_ptr_array_add(resp->headers, g_strdup(value));
}

/* ---- calls ---- */

static struct tc_srv__call *
call_new(struct lws *wsi)
{
    struct tc_srv__call *call = g_new0(struct tc_srv__call, 1);

    call->wsi = wsi;
    call->refs = 1;
    call->resp.body = g_string_new(NULL);
    call->resp.headers = g_ptr_array_new_with_free_func(g_free);
    call->resp.file_fd = -1;
    return call;
}

static void
call_unref(struct tc_srv__call *call)
{
    if (!call || --call->refs > 0) {
        return;
    }
    for (int i = 0; i < TC_SRV__MAX_PARAMS; i++) {
        g_free(call->params_buf[i]);
    }
    g_string_free(call->resp.body, TRUE);
    g_ptr_array_unref(call->resp.headers);
    if (call->resp.file_fd >= 0) {
        close(call->resp.file_fd);
    }
    g_free(call);
}

struct tc_srv__call *
tc_srv__call_defer(struct tc_srv__call *call)
{
    call->refs++;
    return call;
}

int
tc_srv__call_header(struct tc_srv__call *call, const char *name, char *buf,
                    size_t len)
{
    static const struct {
        const char *name;
        enum lws_token_indexes token;
    } known[] = {
        {"authorization", WSI_TOKEN_HTTP_AUTHORIZATION},
        {"content-type", WSI_TOKEN_HTTP_CONTENT_TYPE},
        {"if-match", WSI_TOKEN_HTTP_IF_MATCH},
        {"if-none-match", WSI_TOKEN_HTTP_IF_NONE_MATCH},
        {"accept", WSI_TOKEN_HTTP_ACCEPT},
        {"host", WSI_TOKEN_HOST},
        {"range", WSI_TOKEN_HTTP_RANGE},
    };
    char custom[64];
    int n;

    if (len == 0) {
        return -1;
    }
    if (!call->wsi) {
        for (const char *const *h = call->fake_headers; h && h[0] && h[1];
             h += 2) {
            if (strcmp(h[0], name) == 0 && strlen(h[1]) < len) {
                return (int)g_strlcpy(buf, h[1], len);
            }
        }
        return -1;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(known); i++) {
        if (strcmp(known[i].name, name) == 0) {
            n = lws_hdr_total_length(call->wsi, known[i].token);
            if (n <= 0 || (size_t)n >= len) {
                return -1;
            }
            return lws_hdr_copy(call->wsi, buf, (int)len, known[i].token);
        }
    }
    snprintf(custom, sizeof(custom), "%s:", name);
    n = lws_hdr_custom_length(call->wsi, custom, (int)strlen(custom));
    if (n <= 0 || (size_t)n >= len) {
        return -1;
    }
    return lws_hdr_custom_copy(call->wsi, buf, (int)len, custom,
                               (int)strlen(custom));
}

static int
json_depth(const json_t *v)
{
    int deepest = 0;

    if (json_is_object(v)) {
        const char *key;
        json_t *child;
        json_object_foreach((json_t *)v, key, child)
        {
            int d = json_depth(child);
            deepest = d > deepest ? d : deepest;
            if (deepest > MAX_JSON_DEPTH) {
                break;
            }
        }
        return deepest + 1;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child)
        {
            int d = json_depth(child);
            deepest = d > deepest ? d : deepest;
            if (deepest > MAX_JSON_DEPTH) {
                break;
            }
        }
        return deepest + 1;
    }
    return 0;
}

int
tc_srv__call_json(struct tc_srv__call *call, json_t **out)
{
    char ctype[128] = "";
    json_error_t err;
    json_t *doc;

    tc_srv__call_header(call, "content-type", ctype, sizeof(ctype));
    if (!g_str_has_prefix(ctype, "application/json") &&
        !g_str_has_prefix(ctype, "application/fhir+json")) {
        tc_srv__resp_error(&call->resp, 415,
                           "body: Content-Type must be application/json");
        return -EINVAL;
    }
    doc = json_loadb(call->req.body, call->req.body_len,
                     JSON_REJECT_DUPLICATES, &err);
    if (!doc) {
        g_autofree char *msg =
            g_strdup_printf("body: invalid JSON at line %d column %d: %s",
                            err.line, err.column, err.text);
        tc_srv__resp_error(&call->resp, 400, msg);
        return -EINVAL;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        tc_srv__resp_error(&call->resp, 400, "body: must be a JSON object");
        return -EINVAL;
    }
    if (json_depth(doc) > MAX_JSON_DEPTH) {
        json_decref(doc);
        tc_srv__resp_error(&call->resp, 400,
                           "body: nested deeper than 32 levels");
        return -EINVAL;
    }
    *out = doc;
    return 0;
}

/* ---- the request cycle ---- */

static void
pss_reset(struct http_pss *pss)
{
    g_free(pss->path);
    g_free(pss->query);
    if (pss->body_in) {
        g_string_free(pss->body_in, TRUE);
    }
    if (pss->call) {
        pss->call->wsi = NULL; /* a deferred handler may still hold it */
        call_unref(pss->call);
    }
    memset(pss, 0, sizeof(*pss));
}

/* Method, path and query of the request; false when unusable. */
static bool
read_request_line(struct lws *wsi, struct http_pss *pss)
{
    char uri[MAX_URI], frag[512];
    GString *query = g_string_new(NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(methods); i++) {
        int n = lws_hdr_total_length(wsi, methods[i].token);
        if (n > 0 && n < (int)sizeof(uri) &&
            lws_hdr_copy(wsi, uri, sizeof(uri), methods[i].token) > 0) {
            g_strlcpy(pss->method, methods[i].name, sizeof(pss->method));
            pss->path = g_strdup(uri);
            break;
        }
    }
    for (int i = 0; lws_hdr_copy_fragment(wsi, frag, sizeof(frag),
                                          WSI_TOKEN_HTTP_URI_ARGS, i) > 0;
         i++) {
        g_string_append_printf(query, "%s%s", i ? "&" : "", frag);
    }
    pss->query = g_string_free(query, FALSE);
    lws_get_peer_simple(wsi, pss->addr, sizeof(pss->addr));
    return pss->path != NULL;
}

static void
finish(struct tc_srv *srv, struct http_pss *pss)
{
    if (!pss->in_flight) {
        return;
    }
    pss->in_flight = false;
    tc_srv__metrics_http(srv->metrics, pss->method,
                         pss->route_name ? pss->route_name : "unmatched",
                         pss->call ? pss->call->resp.status : 0,
                         g_get_monotonic_time() - pss->started_us);
    tc_srv__request_done(srv);
}

/* Authenticate for a non-public route; false after filling a 401. */
static bool
authenticate(struct tc_srv *srv, struct tc_srv__call *call,
             struct tc_srv__who *who)
{
    char auth[512] = "";
    const char *why = "missing bearer token";

    if (tc_srv__call_header(call, "authorization", auth, sizeof(auth)) > 0 &&
        tc_srv__auth_resolve(srv, auth, call->req.client_addr, who, &why) ==
            0) {
        return true;
    }
    tc_srv__resp_error(&call->resp, 401, why);
    tc_srv__resp_header(&call->resp, "www-authenticate",
                        "Bearer realm=\"telecare\"");
    return false;
}

/* Rate limit by `key`; true after filling a 429. */
static bool
too_many(struct tc_srv *srv, struct tc_srv__call *call,
         struct tc_srv__ratelimit *rl, const char *key)
{
    int wait_s = tc_srv__ratelimit_take(rl, key, g_get_monotonic_time());
    char retry[16];

    if (wait_s == 0) {
        return false;
    }
    g_snprintf(retry, sizeof(retry), "%d", wait_s);
    tc_srv__resp_error(&call->resp, 429, "too many requests: slow down");
    tc_srv__resp_header(&call->resp, "retry-after", retry);
    return true;
}

static void
dispatch(struct tc_srv *srv, struct http_pss *pss)
{
    struct tc_srv__call *call = pss->call;
    const struct tc_srv__route *route;
    bool path_known = false;

    if (pss->refuse_stopping) {
        tc_srv__resp_error(&call->resp, 503, "server is stopping");
        return;
    }
    if (pss->body_too_large) {
        tc_srv__resp_error(&call->resp, 413,
                           "body: larger than [http] max_body_bytes");
        pss->close_after = true;
        return;
    }
    if (too_many(srv, call, srv->rate_address, pss->addr)) {
        return;
    }
    route = tc_srv__route_find(pss->method, pss->path, call->params_buf,
                               &call->req.n_params, &path_known);
    if (!route) {
        tc_srv__resp_error(&call->resp, path_known ? 405 : 404,
                           path_known ? "method not allowed on this path"
                                      : "no such resource");
        return;
    }
    pss->route_name = route->pattern;
    call->req = (struct tc_srv__req){
        .method = pss->method,
        .path = pss->path,
        .query = pss->query,
        .body = pss->body_in ? pss->body_in->str : "",
        .body_len = pss->body_in ? pss->body_in->len : 0,
        .client_addr = pss->addr,
        .n_params = call->req.n_params,
    };
    for (int i = 0; i < call->req.n_params; i++) {
        call->req.params[i] = call->params_buf[i];
    }
    if (!(route->flags & TC_SRV__PUBLIC)) {
        char key[24];
        if (!authenticate(srv, call, &call->who_buf)) {
            return;
        }
        g_snprintf(key, sizeof(key), "%" G_GINT64_FORMAT,
                   call->who_buf.user_id);
        if (too_many(srv, call, srv->rate_account, key)) {
            return;
        }
        call->req.who = &call->who_buf;
    }
    route->handler(srv, call);
}

/*
 * One request, one transaction: the token lookup, the policy's facts and
 * the handler's reads see one snapshot and take SQLite's file locks once
 * instead of once per statement. Handlers' own transactions nest inside
 * (savepoints); a handler's failed write rolls back only its own part.
 */
static void
dispatch_in_transaction(struct tc_srv *srv, struct http_pss *pss)
{
    bool tx;

    tc_srv__dicom_flush(srv); /* C-STORE answered before: visible now */
    tx = srv->db && tc_rec_tx_begin(srv->db) == 0;
    dispatch(srv, pss);
    if (tx && tc_rec_tx_commit(srv->db) < 0) {
        g_warning("request transaction: %s", tc_rec_errmsg(srv->db));
        tc_rec_tx_rollback(srv->db);
    }
}

/* Write the status line and headers; the body follows when writable. */
static int
write_headers(struct lws *wsi, struct http_pss *pss)
{
    struct tc_srv__resp *resp = &pss->call->resp;
    unsigned char buf[LWS_PRE + 2048];
    unsigned char *start = buf + LWS_PRE, *p = start;
    unsigned char *end = buf + sizeof(buf) - 1;

    tc_srv__resp_header(resp, "cache-control", "no-store");
    tc_srv__resp_header(resp, "x-content-type-options", "nosniff");
    if (pss->close_after) {
        tc_srv__resp_header(resp, "connection", "close");
    }
    if (lws_add_http_common_headers(
            wsi, (unsigned)resp->status, resp->content_type,
            resp->file_fd >= 0 ? (lws_filepos_t)resp->file_len
                               : resp->body->len,
            &p, end)) {
        return -1;
    }
    for (guint i = 0; i + 1 < resp->headers->len; i += 2) {
        const char *name = g_ptr_array_index(resp->headers, i);
        const char *value = g_ptr_array_index(resp->headers, i + 1);
        if (lws_add_http_header_by_name(wsi, (const unsigned char *)name,
                                        (const unsigned char *)value,
                                        (int)strlen(value), &p, end)) {
            return -1;
        }
    }
    if (lws_finalize_write_http_header(wsi, start, &p, end)) {
        return -1;
    }
    pss->headers_sent = true;
    lws_callback_on_writable(wsi);
    return 0;
}

/*
 * Whether no body follows the headers (204, an empty body, HEAD). The
 * client may then send its next request on the connection as soon as it
 * has the headers, so the transaction must be complete by the time they
 * leave: such headers are written in a writable callback that completes
 * the transaction at once. (Written outside one - an answer resumed after
 * its audit commit - the next request reached lws before
 * lws_http_transaction_completed, and lws took it for the old request's
 * headers again: DELETE's 204 followed by a second DELETE and a lost GET.)
 */
static bool
nothing_follows(const struct http_pss *pss)
{
    const struct tc_srv__resp *resp = &pss->call->resp;

    return pss->head ||
           (resp->file_fd >= 0 ? resp->file_len == 0 : resp->body->len == 0);
}

/* Send the answer now, unless its audit events still await their commit
 * (audit.c resumes it then). */
static int
send_answer(struct lws *wsi, struct http_pss *pss)
{
    if (tc_srv__audit_hold(srv_of(wsi), pss->call)) {
        return 0;
    }
    if (strcmp(pss->method, "HEAD") == 0) {
        g_string_truncate(pss->call->resp.body, 0);
        pss->head = true;
    }
    if (nothing_follows(pss)) {
        pss->answer_ready = true;
        lws_callback_on_writable(wsi);
        return 0;
    }
    return write_headers(wsi, pss);
}

static int
respond(struct lws *wsi, struct http_pss *pss)
{
    dispatch_in_transaction(srv_of(wsi), pss);
    if (pss->call->resp.status == 0) {
        return 0; /* deferred: tc_srv__call_resume() sends */
    }
    return send_answer(wsi, pss);
}

void
tc_srv__call_resume(struct tc_srv__call *call)
{
    struct lws *wsi = call->wsi;

    if (wsi) {
        struct http_pss *pss = lws_wsi_user(wsi);
        if (pss && pss->call == call && send_answer(wsi, pss) < 0) {
            lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
        }
    }
    call_unref(call);
}

/* Read the next chunk of a file body into buf; false on a read error
 * (the file changed under us: the connection is dropped). */
static bool
read_file_chunk(const struct tc_srv__resp *resp, size_t sent,
                unsigned char *buf, size_t n)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = pread(resp->file_fd, buf + got, n - got,
                          (off_t)(resp->file_offset + (int64_t)(sent + got)));
        if (r <= 0) {
            return false;
        }
        got += (size_t)r;
    }
    return true;
}

/* Write the next chunk of the body; complete the transaction at the end. */
static int
write_body(struct lws *wsi, struct http_pss *pss)
{
    const struct tc_srv__resp *resp = &pss->call->resp;
    GString *body = pss->call->resp.body;
    unsigned char buf[LWS_PRE + WRITE_CHUNK];
    bool from_file = resp->file_fd >= 0 && !pss->head;
    size_t total = from_file ? (size_t)resp->file_len : body->len;
    size_t left = total - pss->sent;
    size_t n = left < WRITE_CHUNK ? left : WRITE_CHUNK;
    bool last = n == left;

    if (n > 0) {
        if (!from_file) {
            memcpy(buf + LWS_PRE, body->str + pss->sent, n);
        } else if (!read_file_chunk(resp, pss->sent, buf + LWS_PRE, n)) {
            return -1;
        }
        if (lws_write(wsi, buf + LWS_PRE, n,
                      last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) < (int)n) {
            return -1;
        }
        pss->sent += n;
    }
    if (!last) {
        lws_callback_on_writable(wsi);
        return 0;
    }
    finish(srv_of(wsi), pss);
    if (pss->close_after) {
        return -1;
    }
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int
on_headers(struct lws *wsi, struct http_pss *pss)
{
    struct tc_srv *srv = srv_of(wsi);
    char len_text[32] = "";
    long long content_length = 0;

    pss_reset(pss);
    pss->started_us = g_get_monotonic_time();
    pss->in_flight = true;
    pss->call = call_new(wsi);
    srv->in_flight++;
    if (!read_request_line(wsi, pss)) {
        return -1; /* lws already answers malformed requests */
    }
    if (srv->stopping) { /* a new request on a kept-alive connection */
        pss->refuse_stopping = true;
        pss->close_after = true;
        return respond(wsi, pss);
    }
    if (lws_hdr_copy(wsi, len_text, sizeof(len_text),
                     WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) {
        content_length = strtoll(len_text, NULL, 10);
    }
    if (content_length > (long long)srv->cfg->max_body_bytes) {
        pss->body_too_large = true;
        return respond(wsi, pss);
    }
    if (content_length > 0) {
        pss->body_in = g_string_sized_new((gsize)content_length + 1);
        return 0; /* wait for HTTP_BODY_COMPLETION */
    }
    return respond(wsi, pss);
}

static int
on_body(struct lws *wsi, struct http_pss *pss, const void *in, size_t len)
{
    if (!pss->body_in || pss->body_too_large) {
        return 0;
    }
    if (pss->body_in->len + len > srv_of(wsi)->cfg->max_body_bytes) {
        pss->body_too_large = true;
        return 0;
    }
    g_string_append_len(pss->body_in, in, (gssize)len);
    return 0;
}

static int
callback_http(struct lws *wsi, enum lws_callback_reasons reason, void *user,
              void *in, size_t len)
{
    struct http_pss *pss = user;

    switch (reason) {
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
        /* Stopping: accept nothing new (closed at once). */
        return srv_of(wsi)->stopping ? -1 : 0;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return -1; /* a WebSocket without subprotocol telecare.v1 */
    case LWS_CALLBACK_HTTP:
        return on_headers(wsi, pss);
    case LWS_CALLBACK_HTTP_BODY:
        return on_body(wsi, pss, in, len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        return respond(wsi, pss);
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (!pss || !pss->call) {
            break;
        }
        if (!pss->headers_sent) {
            if (!pss->answer_ready) {
                break;
            }
            /* headers, then the (empty) body completes the transaction */
            return write_headers(wsi, pss) < 0 ? -1 : write_body(wsi, pss);
        }
        return write_body(wsi, pss);
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL: /* user space is freed next */
        if (pss) {
            finish(srv_of(wsi), pss); /* abandoned mid-request */
            pss_reset(pss);
        }
        break;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {"http", callback_http, sizeof(struct http_pss), 0, 0, NULL, 0},
    {"telecare.v1", tc_srv__sig_callback, TC_SRV__SIG_PSS_SIZE, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

const struct lws_protocols *
tc_srv__http_protocols(void)
{
    return protocols;
}

#define CALLBACK_MOUNT(next, point)                                           \
    {                                                                         \
        .mount_next = (next), .mountpoint = (point), .origin = "http",        \
        .origin_protocol = LWSMPRO_CALLBACK,                                  \
        .mountpoint_len = sizeof(point) - 1,                                  \
    }

/*
 * The web app's files. libwebsockets knows .html, .js, .css, .svg, .png and
 * a few more; these are the types it does not know. A file whose type is
 * known to neither is refused (403), so nothing is served as an unknown
 * blob. Every file is sent with its ETag (mtime-based) and "private,
 * max-age=1, must-revalidate" (libwebsockets says no-store for 0): the app
 * has no bundler and no hashed names, so the browser asks again at once and
 * gets a 304 when nothing changed.
 * libwebsockets itself refuses a path that climbs out of the mount ("..",
 * also percent-encoded); tests/interop/web-static.mjs checks it.
 */
#define MIME(next, ext, type)                                                 \
    {                                                                         \
        (next), NULL, (ext), (type)                                           \
    }
static const struct lws_protocol_vhost_options mime_types[] = {
    MIME(&mime_types[1], ".mjs", "text/javascript"),
    MIME(&mime_types[2], ".json", "application/json"),
    MIME(&mime_types[3], ".map", "application/json"),
    MIME(&mime_types[4], ".webm", "video/webm"),
    MIME(&mime_types[5], ".woff2", "font/woff2"),
    MIME(&mime_types[6], ".wasm", "application/wasm"),
    MIME(NULL, ".webmanifest", "application/manifest+json"),
};

/* One server per process at a time: the mounts are static. */
static struct lws_http_mount file_mount;
static const struct lws_http_mount mounts[] = {
    CALLBACK_MOUNT(&mounts[1], "/healthz"),
    CALLBACK_MOUNT(&mounts[2], "/metrics"),
    CALLBACK_MOUNT(&mounts[3], "/api"),
    CALLBACK_MOUNT(&file_mount, "/fhir"),
};

const struct lws_http_mount *
tc_srv__http_mounts(const char *web_root)
{
    file_mount = (struct lws_http_mount){
        .mountpoint = "/",
        .origin = web_root,
        .def = "index.html",
        .origin_protocol = LWSMPRO_FILE,
        .mountpoint_len = 1,
        .extra_mimetypes = mime_types,
        .cache_max_age = 1,
        .cache_reusable = 1,
        .cache_revalidate = 1,
    };
    return mounts;
}
