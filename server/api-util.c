// SPDX-License-Identifier: Apache-2.0
/*
 * api-util.c - what every /api/v1 handler needs, written once: path ids,
 * query parameters, JSON body fields with errors that name the field, and
 * the mapping of a records error to an HTTP answer.
 *
 * Every reader here returns false after filling a 4xx answer naming the
 * field and the rule, so a handler reads:
 *
 *     if (!tc_srv__param_id(call, 0, "resident id", &id) ||
 *         !tc_srv__json_string(call, body, "reason", true, 500, &reason)) {
 *         return;
 *     }
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-records.h"

static bool bad(struct tc_srv__call *call, int status, const char *field,
                const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static bool
bad(struct tc_srv__call *call, int status, const char *field, const char *fmt,
    ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    tc_srv__resp_error_field(&call->resp, status, field, msg);
    return false;
}

static bool
parse_id(const char *text, int64_t *out)
{
    char *end = NULL;
    long long v;

    if (!text || !g_ascii_isdigit(text[0])) {
        return false;
    }
    errno = 0;
    v = strtoll(text, &end, 10);
    if (errno || *end != '\0' || v <= 0) {
        return false;
    }
    *out = v;
    return true;
}

bool
tc_srv__param_id(struct tc_srv__call *call, int index, const char *name,
                 int64_t *out)
{
    if (index >= call->req.n_params ||
        !parse_id(call->req.params[index], out)) {
        return bad(call, 400, name, "%s: must be a positive integer id", name);
    }
    return true;
}

bool
tc_srv__query_get(const struct tc_srv__req *req, const char *key, char *buf,
                  size_t len)
{
    size_t klen = strlen(key);
    const char *p = req->query;

    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t plen = amp ? (size_t)(amp - p) : strlen(p);
        if (plen > klen && p[klen] == '=' && strncmp(p, key, klen) == 0) {
            g_autofree char *raw = g_strndup(p + klen + 1, plen - klen - 1);
            g_autofree char *val = g_uri_unescape_string(raw, NULL);
            if (!val || strlen(val) >= len) {
                return false;
            }
            g_strlcpy(buf, val, len);
            return true;
        }
        p = amp ? amp + 1 : NULL;
    }
    return false;
}

bool
tc_srv__query_int(struct tc_srv__call *call, const char *key, long def,
                  long min, long max, long *out)
{
    char buf[32];
    char *end = NULL;
    long v;

    if (!tc_srv__query_get(&call->req, key, buf, sizeof(buf))) {
        *out = def;
        return true;
    }
    errno = 0;
    v = strtol(buf, &end, 10);
    if (errno || end == buf || *end != '\0' || v < min || v > max) {
        return bad(call, 400, key, "%s: must be an integer in %ld..%ld", key,
                   min, max);
    }
    *out = v;
    return true;
}

bool
tc_srv__query_date(struct tc_srv__call *call, const char *key, const char *def,
                   char out[11])
{
    char buf[16];
    GDate date;

    if (!tc_srv__query_get(&call->req, key, buf, sizeof(buf))) {
        if (!def) {
            return bad(call, 400, key, "%s: required (YYYY-MM-DD)", key);
        }
        g_strlcpy(out, def, 11);
        return true;
    }
    g_date_clear(&date, 1);
    if (strlen(buf) != 10 || buf[4] != '-' || buf[7] != '-' ||
        (g_date_set_parse(&date, buf), !g_date_valid(&date))) {
        return bad(call, 400, key, "%s: must be a date YYYY-MM-DD", key);
    }
    g_strlcpy(out, buf, 11);
    return true;
}

bool
tc_srv__json_only(struct tc_srv__call *call, json_t *obj,
                  const char *const *allowed)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v)
    {
        bool known = false;
        for (size_t i = 0; allowed[i]; i++) {
            known = known || strcmp(allowed[i], key) == 0;
        }
        if (!known) {
            return bad(call, 400, key, "%s: unknown field", key);
        }
    }
    return true;
}

bool
tc_srv__json_string(struct tc_srv__call *call, json_t *obj, const char *field,
                    bool required, size_t max_len, const char **out)
{
    json_t *v = json_object_get(obj, field);

    if (!v || json_is_null(v)) {
        if (required) {
            return bad(call, 400, field, "%s: required", field);
        }
        *out = NULL;
        return true;
    }
    if (!json_is_string(v)) {
        return bad(call, 400, field, "%s: must be a string", field);
    }
    if (json_string_length(v) == 0 || json_string_length(v) > max_len) {
        return bad(call, 400, field, "%s: must be 1..%zu bytes", field,
                   max_len);
    }
    *out = json_string_value(v);
    return true;
}

bool
tc_srv__json_int(struct tc_srv__call *call, json_t *obj, const char *field,
                 bool required, int64_t min, int64_t max, int64_t *out)
{
    json_t *v = json_object_get(obj, field);

    if (!v || json_is_null(v)) {
        if (required) {
            return bad(call, 400, field, "%s: required", field);
        }
        return true; /* *out keeps the caller's default */
    }
    if (!json_is_integer(v)) {
        return bad(call, 400, field, "%s: must be an integer", field);
    }
    if (json_integer_value(v) < min || json_integer_value(v) > max) {
        return bad(call, 400, field,
                   "%s: must be in %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT,
                   field, min, max);
    }
    *out = json_integer_value(v);
    return true;
}

bool
tc_srv__json_bool(struct tc_srv__call *call, json_t *obj, const char *field,
                  bool *out)
{
    json_t *v = json_object_get(obj, field);

    if (!v || json_is_null(v)) {
        return true;
    }
    if (!json_is_boolean(v)) {
        return bad(call, 400, field, "%s: must be true or false", field);
    }
    *out = json_is_true(v);
    return true;
}

/* The field a records error text names: the words before the first ':'
 * when they look like a field name. */
static char *
field_of(const char *msg)
{
    const char *colon = strchr(msg, ':');
    size_t n = colon ? (size_t)(colon - msg) : 0;

    for (size_t i = 0; i < n; i++) {
        if (!g_ascii_isalnum(msg[i]) && msg[i] != '_' && msg[i] != '.') {
            return NULL;
        }
    }
    return n > 0 ? g_strndup(msg, n) : NULL;
}

void
tc_srv__resp_records_error(struct tc_srv *srv, struct tc_srv__call *call,
                           int rc)
{
    const char *msg = tc_rec_errmsg(srv->db);
    g_autofree char *field = field_of(msg);

    switch (rc) {
    case -EINVAL:
        tc_srv__resp_error_field(&call->resp, 422, field, msg);
        break;
    case -ENOENT:
        tc_srv__resp_error_field(&call->resp, 404, field, msg);
        break;
    case -EEXIST:
    case -EPERM:
        tc_srv__resp_error_field(&call->resp, 409, field, msg);
        break;
    case -EBUSY:
        tc_srv__resp_error(&call->resp, 503, "records busy; try again");
        tc_srv__resp_header(&call->resp, "retry-after", "1");
        break;
    default:
        g_warning("records: %s (%d)", g_strerror(-rc), rc);
        tc_srv__resp_error(&call->resp, 500, "records unavailable");
        break;
    }
}

void
tc_srv__resp_ok(struct tc_srv__call *call, int status, json_t *doc)
{
    tc_srv__resp_doc(&call->resp, status, "application/json", doc);
    json_decref(doc);
}
