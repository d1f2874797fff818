// SPDX-License-Identifier: Apache-2.0
/*
 * http.c - the HTTP side of libwebsockets: one request in, one response
 * out, for the dynamic routes (routes.c); static files are served by an
 * lws file mount.
 *
 * A request's life on one connection (keep-alive reuses the same pss):
 *
 *   HTTP (headers) --no body--> dispatch --> headers written
 *        |                                       |
 *        +--body--> HTTP_BODY* --> BODY_COMPLETION --> dispatch
 *                                                    |
 *                           HTTP_WRITEABLE* (16 KiB chunks) --> done
 *
 * A body larger than [http] max_body_bytes is refused with 413 and the
 * connection is closed after the answer. Once the server is stopping, new
 * connections are closed at once and a new request on a kept-alive one
 * gets 503 and a close. A request is "in flight" from
 * its headers until its last byte is written or its connection closes;
 * shutdown waits for in-flight requests (run.c).
 *
 * Thread: main (lws on the GLib loop).
 */
#define G_LOG_DOMAIN "http"

#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>
#include <libwebsockets.h>

#include "server-int.h"

#define WRITE_CHUNK 16384
#define MAX_URI     2048

struct http_pss {
    char method[8];
    char *path;
    char *query;
    GString *body_in;
    bool body_too_large;
    bool in_flight;
    bool close_after;
    bool refuse_stopping;
    const char *route_name;
    struct tc_srv__resp resp;
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

void
tc_srv__resp_json(struct tc_srv__resp *resp, int status, const char *json)
{
    resp->status = status;
    resp->content_type = "application/json";
    g_string_assign(resp->body, json);
}

void
tc_srv__resp_error(struct tc_srv__resp *resp, int status, const char *message)
{
    json_t *doc = json_pack("{s:{s:i,s:s}}", "error", "status", status,
                            "message", message);
    char *text = json_dumps(doc, JSON_COMPACT);

    tc_srv__resp_json(resp, status, text ? text : "{}");
    free(text);
    json_decref(doc);
}

static void
pss_reset(struct http_pss *pss)
{
    g_free(pss->path);
    g_free(pss->query);
    if (pss->body_in) {
        g_string_free(pss->body_in, TRUE);
    }
    if (pss->resp.body) {
        g_string_free(pss->resp.body, TRUE);
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
                         pss->resp.status,
                         g_get_monotonic_time() - pss->started_us);
    tc_srv__request_done(srv);
}

static void
dispatch(struct tc_srv *srv, struct lws *wsi, struct http_pss *pss)
{
    char addr[64] = "";
    bool path_known = false;
    struct tc_srv__req req;
    tc_srv__handler_fn handler;

    pss->resp.body = g_string_new(NULL);
    if (pss->refuse_stopping) {
        tc_srv__resp_error(&pss->resp, 503, "server is stopping");
        return;
    }
    if (pss->body_too_large) {
        tc_srv__resp_error(&pss->resp, 413,
                           "body: larger than [http] max_body_bytes");
        pss->close_after = true;
        return;
    }
    handler = tc_srv__route_find(pss->method, pss->path, &pss->route_name,
                                 &path_known);
    if (!handler) {
        tc_srv__resp_error(&pss->resp, path_known ? 405 : 404,
                           path_known ? "method not allowed on this path"
                                      : "no such resource");
        return;
    }
    lws_get_peer_simple(wsi, addr, sizeof(addr));
    req = (struct tc_srv__req){
        .method = pss->method,
        .path = pss->path,
        .query = pss->query,
        .body = pss->body_in ? pss->body_in->str : "",
        .body_len = pss->body_in ? pss->body_in->len : 0,
        .client_addr = addr,
    };
    handler(srv, &req, &pss->resp);
}

/* Write the status line and headers; the body follows when writable. */
static int
write_headers(struct lws *wsi, struct http_pss *pss)
{
    unsigned char buf[LWS_PRE + 1024];
    unsigned char *start = buf + LWS_PRE, *p = start;
    unsigned char *end = buf + sizeof(buf) - 1;
    static const char no_store[] = "no-store";
    static const char nosniff[] = "nosniff";

    if (lws_add_http_common_headers(wsi, (unsigned)pss->resp.status,
                                    pss->resp.content_type,
                                    pss->resp.body->len, &p, end) ||
        lws_add_http_header_by_name(
            wsi, (const unsigned char *)"cache-control:",
            (const unsigned char *)no_store, sizeof(no_store) - 1, &p, end) ||
        lws_add_http_header_by_name(
            wsi, (const unsigned char *)"x-content-type-options:",
            (const unsigned char *)nosniff, sizeof(nosniff) - 1, &p, end)) {
        return -1;
    }
    if (pss->close_after && lws_add_http_header_by_token(
                                wsi, WSI_TOKEN_CONNECTION,
                                (const unsigned char *)"close", 5, &p, end)) {
        return -1;
    }
    if (lws_finalize_write_http_header(wsi, start, &p, end)) {
        return -1;
    }
    lws_callback_on_writable(wsi);
    return 0;
}

static int
respond(struct lws *wsi, struct http_pss *pss)
{
    dispatch(srv_of(wsi), wsi, pss);
    if (strcmp(pss->method, "HEAD") == 0) {
        g_string_truncate(pss->resp.body, 0);
    }
    return write_headers(wsi, pss);
}

/* Write the next chunk of the body; complete the transaction at the end. */
static int
write_body(struct lws *wsi, struct http_pss *pss)
{
    unsigned char buf[LWS_PRE + WRITE_CHUNK];
    size_t left = pss->resp.body->len - pss->sent;
    size_t n = left < WRITE_CHUNK ? left : WRITE_CHUNK;
    bool last = n == left;

    if (n > 0) {
        memcpy(buf + LWS_PRE, pss->resp.body->str + pss->sent, n);
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
    case LWS_CALLBACK_HTTP:
        return on_headers(wsi, pss);
    case LWS_CALLBACK_HTTP_BODY:
        return on_body(wsi, pss, in, len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        return respond(wsi, pss);
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (!pss || !pss->resp.body) {
            break;
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
    };
    return mounts;
}
