// SPDX-License-Identifier: Apache-2.0
/*
 * login.c - tc_sdk_login(): POST /api/v1/login (docs/api.md) with
 * libwebsockets' HTTP client, so the SDK has one network stack and one TLS
 * configuration, not lws plus libcurl.
 *
 * Each call makes a private lws context on lws's own poll loop and serves
 * it until the answer is complete, the connection fails or the timeout
 * passes. That keeps the call synchronous and independent of any
 * GMainContext (a device signs in once, before it connects), at the price
 * of a context per login (about a millisecond).
 *
 *   connect --APPEND_HANDSHAKE_HEADER--> headers + body pending
 *           --CLIENT_HTTP_WRITEABLE----> body (HTTP_FINAL)
 *           --ESTABLISHED_CLIENT_HTTP--> status
 *           --RECEIVE_CLIENT_HTTP(_READ)-> body, at most MAX_BODY bytes
 *           --COMPLETED/CLOSED_CLIENT_HTTP, CONNECTION_ERROR--> done
 *
 * The request body (it holds the password) is wiped once sent.
 *
 * Thread: the caller's, any.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>
#include <libwebsockets.h>

#include "client-int.h"

#define MAX_BODY (64 * 1024)

struct login {
    char *body; /* the JSON request */
    size_t body_len;
    bool sent;
    int status;
    GString *answer;
    bool too_big;
    bool done;
    int rc;
    char why[160];
};

static int
add_headers(struct lws *wsi, struct login *l, void *in, size_t len)
{
    unsigned char **p = in, *end = (*p) + len;
    char clen[24];

    snprintf(clen, sizeof(clen), "%zu", l->body_len);
    if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
                                     (const unsigned char *)"application/json",
                                     16, p, end) ||
        lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH,
                                     (const unsigned char *)clen,
                                     (int)strlen(clen), p, end)) {
        return -1;
    }
    lws_client_http_body_pending(wsi, 1);
    lws_callback_on_writable(wsi);
    return 0;
}

static int
send_body(struct lws *wsi, struct login *l)
{
    unsigned char *buf;
    int n;

    if (l->sent) {
        return 0;
    }
    buf = malloc(LWS_PRE + l->body_len);
    if (!buf) {
        return -1;
    }
    memcpy(buf + LWS_PRE, l->body, l->body_len);
    n = lws_write(wsi, buf + LWS_PRE, l->body_len, LWS_WRITE_HTTP_FINAL);
    memset(buf, 0, LWS_PRE + l->body_len);
    free(buf);
    l->sent = true;
    lws_client_http_body_pending(wsi, 0);
    return n < 0 ? -1 : 0;
}

static void
finish(struct login *l, int rc, const char *why)
{
    if (l->done) {
        return;
    }
    l->done = true;
    l->rc = rc;
    g_strlcpy(l->why, why ? why : "", sizeof(l->why));
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
         void *in, size_t len)
{
    struct login *l = lws_get_opaque_user_data(wsi);
    char buf[LWS_PRE + 4096], *p = buf + LWS_PRE;
    int n = sizeof(buf) - LWS_PRE;

    if (!l) {
        return 0;
    }
    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
        return add_headers(wsi, l, in, len);
    case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
        return send_body(wsi, l);
    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
        l->status = (int)lws_http_client_http_response(wsi);
        return 0;
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
        return lws_http_client_read(wsi, &p, &n) < 0 ? -1 : 0;
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
        if (l->answer->len + len > MAX_BODY) {
            l->too_big = true;
            return -1;
        }
        g_string_append_len(l->answer, in, (gssize)len);
        return 0;
    case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
        finish(l, 0, NULL);
        return 0;
    case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
        finish(l, l->status ? 0 : -ECONNRESET, "connection closed");
        return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        finish(l, -ECONNREFUSED, in ? in : "connection failed");
        return 0;
    default:
        return 0;
    }
}

static const struct lws_protocols protocols[] = {
    {"tc-login", callback, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* Serve a private context until the login is done or the time is up. */
static void
run(const struct tc_sdk__url *u, const struct tc_sdk_login_opts *opts,
    struct login *l)
{
    struct lws_context_creation_info info;
    struct lws_client_connect_info i;
    struct lws_context *ctx;
    int64_t deadline;

    memset(&info, 0, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    /* TLS only for https: a plain context loads no CA store. */
    if (u->tls) {
        info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.client_ssl_ca_filepath = opts->ca_file;
    }
    info.timeout_secs = (unsigned int)(opts->timeout_ms + 999) / 1000;
    info.fd_limit_per_thread = 16;
    tc_sdk__lws_log_setup();
    ctx = lws_create_context(&info);
    if (!ctx) {
        finish(l, -ENOMEM, "cannot create a libwebsockets context");
        return;
    }
    memset(&i, 0, sizeof(i));
    i.context = ctx;
    i.address = u->host;
    i.port = u->port;
    i.path = "/api/v1/login";
    i.host = u->host;
    i.origin = u->host;
    i.method = "POST";
    i.protocol = "tc-login";
    i.local_protocol_name = "tc-login";
    i.ssl_connection =
        (u->tls ? LCCSCF_USE_SSL : 0) | LCCSCF_HTTP_NO_FOLLOW_REDIRECT;
    i.opaque_user_data = l;
    deadline = g_get_monotonic_time() + (int64_t)opts->timeout_ms * 1000;
    if (!lws_client_connect_via_info(&i)) {
        finish(l, -ECONNREFUSED, "cannot connect");
    }
    while (!l->done && g_get_monotonic_time() < deadline) {
        lws_service(ctx, 100);
    }
    finish(l, -ETIMEDOUT, "no answer in time");
    lws_context_destroy(ctx);
}

int
tc_sdk__login_answer(int status, const char *body, char **token, char *why,
                     size_t why_size)
{
    json_t *doc = json_loads(body, 0, NULL);
    const char *tok = json_string_value(json_object_get(doc, "token"));
    const char *msg = json_string_value(
        json_object_get(json_object_get(doc, "error"), "message"));
    int rc;

    snprintf(why, why_size, "HTTP %d: %s", status, msg ? msg : "no message");
    tc_sdk__log_clean(why);
    if (status == 200 && tok && *tok) {
        *token = strdup(tok);
        rc = *token ? 0 : -ENOMEM;
    } else if (status == 401) {
        rc = -EACCES;
    } else if (status == 423 || status == 429 || status == 503) {
        rc = -EBUSY;
    } else {
        rc = -EPROTO;
    }
    json_decref(doc);
    return rc;
}

int
tc_sdk_login_with(const char *server_url,
                  const struct tc_sdk_login_opts *opts_in,
                  const char *username, const char *password, const char *totp,
                  char **token)
{
    struct tc_sdk_login_opts opts = {0};
    struct login l = {0};
    struct tc_sdk__url u;
    json_t *req;
    int rc;

    if (opts_in) {
        opts = *opts_in;
    }
    if (opts.timeout_ms <= 0) {
        opts.timeout_ms = 15000;
    }
    if (!username || !password || !token ||
        tc_sdk__url_parse(server_url, "http", &u) < 0) {
        return -EINVAL;
    }
    req = json_pack("{s:s,s:s}", "username", username, "password", password);
    if (req && totp) {
        json_object_set_new(req, "totp", json_string(totp));
    }
    l.body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!l.body) {
        tc_sdk__url_fini(&u);
        return -ENOMEM;
    }
    l.body_len = strlen(l.body);
    l.answer = g_string_new(NULL);
    run(&u, &opts, &l);
    if (l.rc == 0 && l.too_big) {
        l.rc = -EPROTO;
        g_strlcpy(l.why, "answer too large", sizeof(l.why));
    }
    rc = l.rc < 0 ? l.rc
                  : tc_sdk__login_answer(l.status, l.answer->str, token, l.why,
                                         sizeof(l.why));
    if (rc < 0 && opts.log) {
        char line[256];
        snprintf(line, sizeof(line), "login to %s:%d failed: %s", u.host,
                 u.port, l.why);
        tc_sdk__log_clean(line);
        opts.log(TC_SDK_LOG_ERROR, line, opts.log_data);
    }
    memset(l.body, 0, l.body_len);
    free(l.body);
    g_string_free(l.answer, TRUE);
    tc_sdk__url_fini(&u);
    return rc;
}

int
tc_sdk_login(const char *server_url, const char *username,
             const char *password, const char *totp, char **token)
{
    return tc_sdk_login_with(server_url, NULL, username, password, totp,
                             token);
}

void
tc_sdk_token_free(char *token)
{
    if (token) {
        memset(token, 0, strlen(token));
        free(token);
    }
}
