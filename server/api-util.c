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
        if (!key[0]) { /* no name to point at */
            return bad(call, 400, "body", "body: a member with an empty name");
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
 * when they look like a field name ("reason", "plan[1].due_date"). */
static char *
field_of(const char *msg)
{
    const char *colon = strchr(msg, ':');
    size_t n = colon ? (size_t)(colon - msg) : 0;

    for (size_t i = 0; i < n; i++) {
        if (!g_ascii_isalnum(msg[i]) && !strchr("_.[]", msg[i])) {
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

bool
tc_srv__json_instant(struct tc_srv__call *call, json_t *obj, const char *field,
                     bool required, int64_t *out)
{
    json_t *v = json_object_get(obj, field);
    g_autoptr(GDateTime) t = NULL;
    const char *s;

    if (!v || json_is_null(v)) {
        if (required) {
            return bad(call, 400, field, "%s: required", field);
        }
        return true;
    }
    if (!json_is_string(v)) {
        return bad(call, 400, field, "%s: must be a string", field);
    }
    s = json_string_value(v);
    /* RFC 3339's profile of ISO 8601 only: a calendar date, 'T', a time
     * and a zone; g_date_time_new_from_iso8601 alone takes more. */
    if (json_string_length(v) < 20 || json_string_length(v) > 40 ||
        s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':' ||
        !(t = g_date_time_new_from_iso8601(s, NULL)) ||
        g_date_time_get_year(t) < 1970) {
        return bad(call, 400, field,
                   "%s: must be an RFC 3339 instant with a time zone "
                   "(2026-03-01T08:30:00Z)",
                   field);
    }
    *out = g_date_time_to_unix(t) * G_USEC_PER_SEC +
           g_date_time_get_microsecond(t);
    return true;
}

bool
tc_srv__json_date(struct tc_srv__call *call, json_t *obj, const char *field,
                  bool required, const char **out)
{
    json_t *v = json_object_get(obj, field);
    const char *s;
    GDate date;

    if (!v || json_is_null(v)) {
        if (required) {
            return bad(call, 400, field, "%s: required (YYYY-MM-DD)", field);
        }
        *out = NULL;
        return true;
    }
    if (!json_is_string(v)) {
        return bad(call, 400, field, "%s: must be a date string YYYY-MM-DD",
                   field);
    }
    s = json_string_value(v);
    g_date_clear(&date, 1);
    if (json_string_length(v) != 10 || s[4] != '-' || s[7] != '-' ||
        !g_ascii_isdigit(s[0]) || !g_ascii_isdigit(s[9]) ||
        (g_date_set_parse(&date, s), !g_date_valid(&date))) {
        return bad(call, 400, field, "%s: must be a date YYYY-MM-DD", field);
    }
    *out = s;
    return true;
}

char *
tc_srv__rfc3339(int64_t at_us)
{
    g_autoptr(GDateTime) t = NULL;

    if (at_us == 0) {
        return NULL;
    }
    t = g_date_time_new_from_unix_utc(at_us / G_USEC_PER_SEC);
    return t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

void
tc_srv__today(char out[11])
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *text = g_date_time_format(now, "%Y-%m-%d");

    g_strlcpy(out, text, 11);
}

bool
tc_srv__audit_outcome(struct tc_srv *srv, struct tc_srv__call *call, int rc,
                      enum tc_rec_audit_action action, const char *entity_type,
                      int64_t entity_id, int64_t resident_id)
{
    g_autofree char *detail = NULL;

    if (rc < 0) {
        detail = g_strdup(tc_rec_errmsg(srv->db));
        tc_srv__resp_records_error(srv, call, rc);
    }
    tc_srv__audit(srv, call, action, entity_type, entity_id, resident_id,
                  rc < 0 ? TC_REC_AUDIT_FAILURE : TC_REC_AUDIT_SUCCESS, NULL,
                  detail);
    return rc == 0;
}

json_t *
tc_srv__instant_json(int64_t at_us)
{
    g_autofree char *text = tc_srv__rfc3339(at_us);

    return text ? json_string(text) : json_null();
}

json_t *
tc_srv__id_json(int64_t id)
{
    return id > 0 ? json_integer(id) : json_null();
}

json_t *
tc_srv__string_json(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;

    return v ? v : json_null();
}

bool
tc_srv__who_practitioner(struct tc_srv__call *call, const char *what,
                         int64_t *out)
{
    if (!call->req.who || call->req.who->practitioner_id <= 0) {
        return bad(call, 403, NULL, "only a practitioner may %s", what);
    }
    *out = call->req.who->practitioner_id;
    return true;
}

void
tc_srv__deny(struct tc_srv *srv, struct tc_srv__call *call,
             enum tc_rec_audit_action action, const char *entity_type,
             int64_t entity_id, int64_t resident_id, const char *why)
{
    tc_srv__audit(srv, call, action, entity_type, entity_id, resident_id,
                  TC_REC_AUDIT_DENIED, NULL, why);
    tc_srv__resp_error(&call->resp, 403, why);
}

json_t *
tc_srv__json_time(int64_t at_us)
{
    g_autofree char *text = tc_srv__rfc3339(at_us);

    return text ? json_string(text) : json_null();
}

bool
tc_srv__bad_code(struct tc_srv__call *call, const char *field,
                 const char *codes)
{
    return bad(call, 422, field, "%s: must be one of %s", field, codes);
}

void
tc_srv__resp_no_content(struct tc_srv__call *call)
{
    call->resp.status = 204;
    call->resp.content_type = NULL;
    g_string_truncate(call->resp.body, 0);
}

bool
tc_srv__call_body(struct tc_srv__call *call, const char *const *allowed,
                  json_t **out)
{
    json_t *doc = NULL;

    if (call->req.body_len == 0) {
        *out = json_object();
        return true;
    }
    if (tc_srv__call_json(call, &doc) < 0) {
        return false;
    }
    if (!tc_srv__json_only(call, doc, allowed)) {
        json_decref(doc);
        return false;
    }
    *out = doc;
    return true;
}

void
tc_srv__resp_error_prefix(struct tc_srv__call *call, const char *prefix)
{
    json_t *doc =
        json_loadb(call->resp.body->str, call->resp.body->len, 0, NULL);
    json_t *err = json_object_get(doc, "error");
    const char *field = json_string_value(json_object_get(err, "field"));
    const char *msg = json_string_value(json_object_get(err, "message"));

    if (field && msg) {
        json_object_set_new(err, "field", json_sprintf("%s%s", prefix, field));
        json_object_set_new(err, "message", json_sprintf("%s%s", prefix, msg));
        tc_srv__resp_doc(&call->resp, call->resp.status, "application/json",
                         doc);
    }
    json_decref(doc);
}

bool
tc_srv__json_int32(struct tc_srv__call *call, json_t *obj, const char *field,
                   bool required, int *out)
{
    int64_t v = *out;

    if (!tc_srv__json_int(call, obj, field, required, INT32_MIN, INT32_MAX,
                          &v)) {
        return false;
    }
    *out = (int)v;
    return true;
}

json_t *
tc_srv__text_versions_doc(const struct tc_rec_text_version_list *l)
{
    json_t *items = json_array();

    for (size_t i = 0; i < l->count; i++) {
        const struct tc_rec_text_version *v = &l->items[i];
        json_array_append_new(items,
                              json_pack("{s:i,s:s,s:I,s:o,s:s?}", "version",
                                        v->version, "text", v->text,
                                        "author_id", (json_int_t)v->author_id,
                                        "at", tc_srv__instant_json(v->at_us),
                                        "amend_reason", v->amend_reason));
    }
    return json_pack("{s:o}", "items", items);
}
