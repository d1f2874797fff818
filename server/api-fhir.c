// SPDX-License-Identifier: Apache-2.0
/*
 * api-fhir.c - FHIR R4 under /fhir: format negotiation, the caller,
 * OperationOutcome errors, versions, and the instance interactions read
 * (GET /fhir/{type}/{id}), create (POST /fhir/{type}) and update
 * (PUT /fhir/{type}/{id}). Search and the CapabilityStatement are in
 * api-fhir-search.c. The mapping itself is records' (tc_rec_fhir_*).
 *
 * Every answer under /fhir, errors included, is FHIR JSON: the routes are
 * public to http.c, which would answer a missing token with its own JSON
 * error, and tc_srv__fhir_begin() authenticates instead (the same
 * tc_srv__auth_resolve() and per-account rate limit) so a 401 is an
 * OperationOutcome too.
 *
 * Versions. The records keep no version counter, so a resource's version
 * is derived from its content: the first 16 hex digits of the SHA-256 of
 * its canonical JSON (keys sorted, compact) without "meta". It is
 * deterministic and changes whenever the content does; it is
 * meta.versionId, the ETag W/"<version>", and what If-Match is compared
 * with (412 on a mismatch). No history is kept, so there is no vread.
 *
 * Access. A read locates the resource first (its resident, its assigned
 * reader), asks tc_srv__policy_check() (which audits), and only then reads
 * it. A create of a resident's resource is first written and rolled back
 * inside a transaction (a dry run that validates it and tells whose it
 * is), then checked against the policy as the records stood before it,
 * then written for real: so a plan naming its author as therapist cannot
 * grant its author access to the resident.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "fhir"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-records.h"

#define FHIR_JSON "application/fhir+json"
#define EXT_TEAM                                                              \
    "https://telecare.example.org/fhir/StructureDefinition/"                  \
    "contract-team"

/* ---- OperationOutcome ---- */

void
tc_srv__fhir_outcome(struct tc_srv__call *call, int status, const char *code,
                     const char *diagnostics, const char *expression)
{
    json_t *issue = json_pack("{s:s,s:s,s:s}", "severity", "error", "code",
                              code, "diagnostics", diagnostics);
    json_t *doc;
    const char *ctype = call->resp.content_type;

    if (expression && expression[0]) {
        json_object_set_new(issue, "expression", json_pack("[s]", expression));
    }
    doc = json_pack("{s:s,s:[o]}", "resourceType", "OperationOutcome", "issue",
                    issue);
    /* Keep a negotiated application/json; anything else is FHIR's. */
    tc_srv__resp_doc(
        &call->resp, status,
        ctype && strcmp(ctype, "application/json") == 0 ? ctype : FHIR_JSON,
        doc);
    json_decref(doc);
}

/* The issue code for an HTTP status. */
static const char *
issue_code(int status)
{
    switch (status) {
    case 400:
        return "invalid";
    case 401:
        return "login";
    case 403:
        return "forbidden";
    case 404:
        return "not-found";
    case 405:
    case 406:
    case 415:
        return "not-supported";
    case 409:
    case 412:
        return "conflict";
    case 413:
        return "too-costly";
    case 422:
        return "processing";
    case 429:
        return "throttled";
    case 503:
        return "transient";
    default:
        return "exception";
    }
}

void
tc_srv__fhir_outcome_from_error(struct tc_srv__call *call)
{
    json_t *doc = json_loads(call->resp.body->str, 0, NULL);
    json_t *err = json_object_get(doc, "error");
    const char *msg = json_string_value(json_object_get(err, "message"));
    g_autofree char *text = g_strdup(msg ? msg : "request refused");
    int status = call->resp.status ? call->resp.status : 500;

    json_decref(doc);
    tc_srv__fhir_outcome(call, status, issue_code(status), text, NULL);
}

/* A failed records call on a FHIR resource. In a write (`writing`), a
 * reference to nothing (-ENOENT with a path) is the body's fault: 422. */
static void
records_error(struct tc_srv *srv, struct tc_srv__call *call, int rc,
              const char *type, bool writing)
{
    const char *msg = tc_rec_errmsg(srv->db);
    const char *path = tc_rec_fhir_errpath(srv->db);

    switch (rc) {
    case -EINVAL:
        tc_srv__fhir_outcome(call, writing ? 422 : 400,
                             writing ? "invalid" : "value", msg, path);
        break;
    case -ENOENT:
        if (writing && path[0]) {
            tc_srv__fhir_outcome(call, 422, "invalid", msg, path);
        } else {
            tc_srv__fhir_outcome(call, 404, "not-found", msg, NULL);
        }
        break;
    case -EEXIST:
        tc_srv__fhir_outcome(call, 409, "duplicate", msg, path);
        break;
    case -EPERM:
        if (strcmp(path, type) == 0) { /* the whole type: not through FHIR */
            tc_srv__fhir_outcome(call, 405, "not-supported", msg, path);
        } else {
            tc_srv__fhir_outcome(call, 422, "business-rule", msg, path);
        }
        break;
    case -EBUSY:
        tc_srv__fhir_outcome(call, 503, "transient", "records busy; try again",
                             NULL);
        tc_srv__resp_header(&call->resp, "retry-after", "1");
        break;
    default:
        g_warning("records: %s (%d)", g_strerror(-rc), rc);
        tc_srv__fhir_outcome(call, 500, "exception", "records unavailable",
                             NULL);
        break;
    }
}

/* A write the policy allowed failed in records: answer, then audit the
 * failure with the records' text (which names fields, never values). */
static void
write_failed(struct tc_srv *srv, struct tc_srv__call *call, int rc,
             const char *type, enum tc_rec_audit_action action,
             const struct tc_srv__target *t)
{
    g_autofree char *why = g_strdup(tc_rec_errmsg(srv->db));

    records_error(srv, call, rc, type, true);
    tc_srv__audit(srv, call, action, t->entity_type, t->entity_id,
                  t->resident_id, TC_REC_AUDIT_FAILURE, t->purpose,
                  why[0] ? why : NULL);
}

/* ---- Starting a request ---- */

/* The answers' content type for the request, or NULL: not acceptable. */
static const char *
negotiate(struct tc_srv__call *call, bool *bad_format)
{
    static const char *const formats[] = {"json", "application/json",
                                          "application/fhir+json"};
    const char *q = call->req.query;
    char fmt[64], accept[256];

    *bad_format = false;
    if (g_str_has_prefix(q, "_format=") || strstr(q, "&_format=")) {
        if (tc_srv__query_get(&call->req, "_format", fmt, sizeof(fmt))) {
            for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
                if (g_ascii_strcasecmp(fmt, formats[i]) == 0) {
                    return i == 1 ? "application/json" : FHIR_JSON;
                }
            }
        }
        *bad_format = true;
        return NULL;
    }
    if (tc_srv__call_header(call, "accept", accept, sizeof(accept)) <= 0) {
        return FHIR_JSON;
    }
    if (strstr(accept, "application/fhir+json") || strstr(accept, "*/*") ||
        strstr(accept, "application/*")) {
        return FHIR_JSON;
    }
    return strstr(accept, "application/json") ? "application/json" : NULL;
}

/* The Host header when it is a plain host[:port], else the listener. */
static void
base_url(struct tc_srv *srv, struct tc_srv__call *call, char *out, size_t len)
{
    char host[256];
    int n = tc_srv__call_header(call, "host", host, sizeof(host));
    const char *scheme = srv->cfg->tls ? "https" : "http";

    if (n > 0 && (size_t)n == strspn(host, "abcdefghijklmnopqrstuvwxyz"
                                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789.-:[]")) {
        g_snprintf(out, len, "%s://%s/fhir", scheme, host);
    } else {
        g_snprintf(out, len, "%s://%s:%d/fhir", scheme, srv->cfg->listen_host,
                   srv->port);
    }
}

bool
tc_srv__fhir_begin(struct tc_srv *srv, struct tc_srv__call *call,
                   struct tc_srv__fhir *fx, bool authenticate)
{
    char auth[512] = "", key[24];
    const char *why = "missing bearer token";
    bool bad_format;
    int wait_s;

    memset(fx, 0, sizeof(*fx));
    fx->content_type = negotiate(call, &bad_format);
    call->resp.content_type = fx->content_type;
    if (!fx->content_type) {
        tc_srv__fhir_outcome(call, 406, "not-supported",
                             bad_format ? "_format: only json is supported"
                                        : "Accept: only application/fhir+json "
                                          "and application/json are served",
                             NULL);
        return false;
    }
    base_url(srv, call, fx->base, sizeof(fx->base));
    if (!authenticate) {
        return true;
    }
    if (tc_srv__call_header(call, "authorization", auth, sizeof(auth)) <= 0 ||
        tc_srv__auth_resolve(srv, auth, call->req.client_addr, &fx->who,
                             &why) < 0) {
        tc_srv__fhir_outcome(call, 401, "login", why, NULL);
        tc_srv__resp_header(&call->resp, "www-authenticate",
                            "Bearer realm=\"telecare\"");
        return false;
    }
    g_snprintf(key, sizeof(key), "%" G_GINT64_FORMAT, fx->who.user_id);
    wait_s =
        tc_srv__ratelimit_take(srv->rate_account, key, g_get_monotonic_time());
    if (wait_s > 0) {
        char retry[16];
        g_snprintf(retry, sizeof(retry), "%d", wait_s);
        tc_srv__fhir_outcome(call, 429, "throttled",
                             "too many requests: slow down", NULL);
        tc_srv__resp_header(&call->resp, "retry-after", retry);
        return false;
    }
    call->req.who = &fx->who;
    return true;
}

/* The type named by path parameter 0 when it supports `interaction`;
 * otherwise false after a 404 (no such type) or 405. */
static bool
fhir_type(struct tc_srv__call *call, unsigned interaction, const char *verb)
{
    const char *type = call->req.params[0];
    unsigned can = tc_rec_fhir_interactions(type);
    g_autofree char *msg = NULL;

    if (!can) {
        tc_srv__fhir_outcome(call, 404, "not-supported",
                             "not a supported resource type", NULL);
        return false;
    }
    if (!(can & interaction)) {
        msg = g_strdup_printf(
            "%s cannot be %s through FHIR: %s", type, verb,
            strcmp(type, "ServiceRequest") == 0
                ? "request a consultation with POST /api/v1/consultations"
                : "use the workflow API under /api/v1 (docs/api.md)");
        tc_srv__fhir_outcome(call, 405, "not-supported", msg, type);
        return false;
    }
    return true;
}

/* ---- Kinds and versions ---- */

enum tc_srv__kind
tc_srv__fhir_kind(const char *type, const struct tc_rec_fhir_hit *hit)
{
    static const char *const directory[] = {"Organization", "Practitioner",
                                            "PractitionerRole", "CareTeam"};

    for (size_t i = 0; i < G_N_ELEMENTS(directory); i++) {
        if (strcmp(type, directory[i]) == 0) {
            return TC_SRV__KIND_DIRECTORY;
        }
    }
    if (strcmp(type, "AuditEvent") == 0) {
        return TC_SRV__KIND_AUDIT;
    }
    return hit && hit->study ? TC_SRV__KIND_STUDY : TC_SRV__KIND_RECORD;
}

/* The version of a resource: SHA-256 of its canonical JSON without meta,
 * first 16 hex digits. */
static void
version_of(const json_t *res, char out[17])
{
    json_t *copy = json_deep_copy(res);
    char *text;
    g_autofree char *sum = NULL;

    json_object_del(copy, "meta");
    text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    sum =
        g_compute_checksum_for_string(G_CHECKSUM_SHA256, text ? text : "", -1);
    g_strlcpy(out, sum, 17);
    free(text);
    json_decref(copy);
}

int
tc_srv__fhir_read(struct tc_srv *srv, const char *type,
                  const struct tc_rec_fhir_hit *hit, json_t **out,
                  char version[17])
{
    json_t *res = NULL, *meta;
    int rc = tc_rec_fhir_read(srv->db, type, hit->id, &res);

    if (rc < 0) {
        return rc;
    }
    version_of(res, version);
    meta = json_pack("{s:s}", "versionId", version);
    if (hit->updated_at_us > 0) {
        g_autofree char *at = tc_srv__rfc3339(hit->updated_at_us);
        json_object_set_new(meta, "lastUpdated", json_string(at));
    }
    json_object_set_new(res, "meta", meta);
    *out = res;
    return 0;
}

static void
etag(struct tc_srv__call *call, const char *version)
{
    g_autofree char *tag = g_strdup_printf("W/\"%s\"", version);

    tc_srv__resp_header(&call->resp, "etag", tag);
}

/* If-Match: true when absent or naming `version` (weak or strong). */
static bool
if_match(struct tc_srv__call *call, const char *version)
{
    char given[128];
    const char *v = given;
    size_t n;

    if (tc_srv__call_header(call, "if-match", given, sizeof(given)) <= 0) {
        return true;
    }
    if (g_str_has_prefix(v, "W/")) {
        v += 2;
    }
    n = strlen(v);
    if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        return n - 2 == strlen(version) && strncmp(v + 1, version, n - 2) == 0;
    }
    return strcmp(v, "*") == 0;
}

static void
answer_resource(struct tc_srv__fhir *fx, struct tc_srv__call *call, int status,
                json_t *res, const char *version)
{
    etag(call, version);
    tc_srv__resp_doc(&call->resp, status, fx->content_type, res);
    json_decref(res);
}

/* ---- read ---- */

static void
read_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    const char *type = call->req.params[0], *id = call->req.params[1];
    struct tc_srv__fhir fx;
    struct tc_rec_fhir_hit hit;
    struct tc_srv__target t;
    char version[17];
    json_t *res = NULL;
    int rc;

    if (!tc_srv__fhir_begin(srv, call, &fx, true) ||
        !fhir_type(call, TC_REC_FHIR_READ, "read")) {
        return;
    }
    rc = tc_rec_fhir_locate(srv->db, type, id, &hit);
    if (rc < 0) {
        records_error(srv, call, rc, type, false);
        return;
    }
    t = (struct tc_srv__target){
        .action = TC_SRV__ACT_READ,
        .kind = tc_srv__fhir_kind(type, &hit),
        .resident_id = hit.resident_id,
        .entity_type = hit.entity,
        .entity_id = hit.row_id,
        .assigned_reader =
            hit.reader_id > 0 && hit.reader_id == fx.who.practitioner_id,
        .purpose = "FHIR read",
    };
    if (!tc_srv__policy_check(srv, call, &t)) {
        tc_srv__fhir_outcome_from_error(call);
        return;
    }
    rc = tc_srv__fhir_read(srv, type, &hit, &res, version);
    if (rc < 0) {
        records_error(srv, call, rc, type, false);
        return;
    }
    answer_resource(&fx, call, 200, res, version);
}

/* ---- create ---- */

/* The body as a JSON object, or false after a 400/415 OperationOutcome. */
static bool
body_resource(struct tc_srv__call *call, json_t **out)
{
    if (tc_srv__call_json(call, out) < 0) {
        tc_srv__fhir_outcome_from_error(call);
        return false;
    }
    return true;
}

/* The CareTeam a stored Contract names (its contract-team extension). */
static int64_t
contract_team(const json_t *contract)
{
    size_t i;
    json_t *ext;

    json_array_foreach(json_object_get(contract, "extension"), i, ext)
    {
        const char *url = json_string_value(json_object_get(ext, "url"));
        const char *ref = json_string_value(json_object_get(
            json_object_get(ext, "valueReference"), "reference"));
        if (url && ref && strcmp(url, EXT_TEAM) == 0 &&
            g_str_has_prefix(ref, "CareTeam/")) {
            return g_ascii_strtoll(ref + 9, NULL, 10);
        }
    }
    return 0;
}

/*
 * Whose resource `res` would be: create it inside a transaction, locate
 * it, roll back. Fills *t for the policy; false after answering the
 * mapping's refusal.
 */
static bool
dry_run(struct tc_srv *srv, struct tc_srv__call *call,
        const struct tc_srv__fhir *fx, const char *type, const json_t *res,
        const struct tc_rec_fhir_ctx *ctx, struct tc_srv__target *t)
{
    struct tc_rec_fhir_hit hit = {0};
    json_t *stored = NULL;
    int64_t team = 0;
    bool member = false;
    int rc = tc_rec_tx_begin(srv->db);

    if (rc == 0) {
        rc = tc_rec_fhir_create(srv->db, type, res, ctx, &stored);
        if (rc == 0) {
            rc = tc_rec_fhir_locate(
                srv->db, type,
                json_string_value(json_object_get(stored, "id")), &hit);
            team = contract_team(stored);
        }
        if (rc < 0) {
            records_error(srv, call, rc, type, true);
        }
        json_decref(stored);
        tc_rec_tx_rollback(srv->db);
    } else {
        records_error(srv, call, rc, type, true);
    }
    if (rc < 0) {
        return false;
    }
    if (team > 0 && fx->who.practitioner_id > 0 &&
        tc_rec_team_has_member(srv->db, team, fx->who.practitioner_id,
                               &member) < 0) {
        member = false;
    }
    t->resident_id = hit.resident_id;
    t->entity_type = hit.entity;
    t->entity_id = hit.row_id;
    t->kind = tc_srv__fhir_kind(type, &hit);
    t->team_member = member;
    return true;
}

static void
create_post(struct tc_srv *srv, struct tc_srv__call *call)
{
    const char *type = call->req.params[0];
    struct tc_srv__fhir fx;
    struct tc_srv__target t = {.action = TC_SRV__ACT_WRITE,
                               .purpose = "FHIR create"};
    struct tc_rec_fhir_ctx ctx = {.now_us = g_get_real_time()};
    struct tc_rec_fhir_hit hit;
    json_t *res = NULL, *stored = NULL, *out = NULL;
    char version[17], skip[1024];
    g_autofree char *location = NULL;
    int rc;

    if (!tc_srv__fhir_begin(srv, call, &fx, true) ||
        !fhir_type(call, TC_REC_FHIR_CREATE, "created")) {
        return;
    }
    if (tc_srv__call_header(call, "if-none-exist", skip, sizeof(skip)) > 0) {
        tc_srv__fhir_outcome(call, 400, "not-supported",
                             "If-None-Exist: conditional create is not "
                             "supported",
                             NULL);
        return;
    }
    if (!body_resource(call, &res)) {
        return;
    }
    ctx.actor_id = fx.who.practitioner_id;
    t.kind = tc_srv__fhir_kind(type, NULL);
    t.entity_type = strcmp(type, "Patient") == 0 ? "resident" : type;
    /* A new Patient is a resident being registered. */
    t.registering = strcmp(type, "Patient") == 0;
    /* A new resident or directory entry concerns no stored resident: the
     * policy decides on the caller alone, before anything is tried. */
    if (t.kind == TC_SRV__KIND_RECORD && strcmp(type, "Patient") != 0 &&
        !dry_run(srv, call, &fx, type, res, &ctx, &t)) {
        goto out;
    }
    if (!tc_srv__policy_check(srv, call, &t)) {
        tc_srv__fhir_outcome_from_error(call);
        goto out;
    }
    rc = tc_rec_fhir_create(srv->db, type, res, &ctx, &stored);
    if (rc == 0) {
        rc = tc_rec_fhir_locate(
            srv->db, type, json_string_value(json_object_get(stored, "id")),
            &hit);
    }
    rc = rc ? rc : tc_srv__fhir_read(srv, type, &hit, &out, version);
    if (rc < 0) {
        write_failed(srv, call, rc, type, TC_REC_AUDIT_CREATE, &t);
        goto out;
    }
    tc_srv__audit(srv, call, TC_REC_AUDIT_CREATE, hit.entity, hit.row_id,
                  hit.resident_id, TC_REC_AUDIT_SUCCESS, "FHIR create", NULL);
    g_info("FHIR create %s/%s by user %" G_GINT64_FORMAT, type, hit.id,
           fx.who.user_id);
    location = g_strdup_printf("%s/%s/%s/_history/%s", fx.base, type, hit.id,
                               version);
    tc_srv__resp_header(&call->resp, "location", location);
    answer_resource(&fx, call, 201, out, version);
out:
    json_decref(stored);
    json_decref(res);
}

/* ---- update ---- */

static void
update_put(struct tc_srv *srv, struct tc_srv__call *call)
{
    const char *type = call->req.params[0], *id = call->req.params[1];
    struct tc_srv__fhir fx;
    struct tc_rec_fhir_hit hit;
    struct tc_rec_fhir_ctx ctx = {.now_us = g_get_real_time()};
    struct tc_srv__target t;
    char version[17], now_version[17];
    json_t *res = NULL, *current = NULL, *out = NULL;
    g_autofree char *msg = NULL;
    int rc;

    if (!tc_srv__fhir_begin(srv, call, &fx, true) ||
        !fhir_type(call, TC_REC_FHIR_UPDATE, "updated") ||
        !body_resource(call, &res)) {
        return;
    }
    ctx.actor_id = fx.who.practitioner_id;
    rc = tc_rec_fhir_locate(srv->db, type, id, &hit);
    if (rc < 0) {
        records_error(srv, call, rc, type, false);
        goto out;
    }
    t = (struct tc_srv__target){
        .action = TC_SRV__ACT_WRITE,
        .kind = tc_srv__fhir_kind(type, &hit),
        .resident_id = hit.resident_id,
        .entity_type = hit.entity,
        .entity_id = hit.row_id,
        .purpose = "FHIR update",
    };
    if (!tc_srv__policy_check(srv, call, &t)) {
        tc_srv__fhir_outcome_from_error(call);
        goto out;
    }
    rc = tc_srv__fhir_read(srv, type, &hit, &current, version);
    if (rc < 0) {
        records_error(srv, call, rc, type, false);
        goto out;
    }
    if (!if_match(call, version)) {
        msg = g_strdup_printf("If-Match: %s/%s is at version %s", type, id,
                              version);
        tc_srv__fhir_outcome(call, 412, "conflict", msg, NULL);
        etag(call, version);
        goto out;
    }
    rc = tc_rec_fhir_update(srv->db, type, id, res, &ctx, NULL);
    rc = rc ? rc : tc_srv__fhir_read(srv, type, &hit, &out, now_version);
    if (rc < 0) {
        write_failed(srv, call, rc, type, TC_REC_AUDIT_UPDATE, &t);
        goto out;
    }
    tc_srv__audit(srv, call, TC_REC_AUDIT_UPDATE, hit.entity, hit.row_id,
                  hit.resident_id, TC_REC_AUDIT_SUCCESS, "FHIR update", NULL);
    answer_resource(&fx, call, 200, out, now_version);
out:
    json_decref(current);
    json_decref(res);
}

/* ---- what is not supported ---- */

static void
not_allowed(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_srv__fhir fx;
    g_autofree char *msg = NULL;

    if (!tc_srv__fhir_begin(srv, call, &fx, false)) {
        return;
    }
    msg = g_strdup_printf("%s is not supported here: read, search-type, "
                          "create and update are (GET /fhir/metadata)",
                          call->req.method);
    tc_srv__fhir_outcome(call, 405, "not-supported", msg, NULL);
}

static void
not_found(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_srv__fhir fx;

    if (!tc_srv__fhir_begin(srv, call, &fx, false)) {
        return;
    }
    tc_srv__fhir_outcome(call, 404, "not-supported",
                         "no such FHIR endpoint: no history, operations or "
                         "compartments (GET /fhir/metadata)",
                         NULL);
}

const struct tc_srv__route tc_srv__routes_fhir[] = {
    {"GET", "/fhir/metadata", tc_srv__fhir_metadata, TC_SRV__PUBLIC},
    {"POST", "/fhir/metadata", not_allowed, TC_SRV__PUBLIC},
    {"GET", "/fhir/{type}", tc_srv__fhir_search, TC_SRV__PUBLIC},
    {"POST", "/fhir/{type}", create_post, TC_SRV__PUBLIC},
    {"PUT", "/fhir/{type}", not_allowed, TC_SRV__PUBLIC},
    {"DELETE", "/fhir/{type}", not_allowed, TC_SRV__PUBLIC},
    {"PATCH", "/fhir/{type}", not_allowed, TC_SRV__PUBLIC},
    {"GET", "/fhir/{type}/{id}", read_get, TC_SRV__PUBLIC},
    {"PUT", "/fhir/{type}/{id}", update_put, TC_SRV__PUBLIC},
    {"POST", "/fhir/{type}/{id}", not_allowed, TC_SRV__PUBLIC},
    {"DELETE", "/fhir/{type}/{id}", not_allowed, TC_SRV__PUBLIC},
    {"PATCH", "/fhir/{type}/{id}", not_allowed, TC_SRV__PUBLIC},
    {"GET", "/fhir/{type}/{id}/{op}", not_found, TC_SRV__PUBLIC},
    {"GET", "/fhir/{type}/{id}/{op}/{vid}", not_found, TC_SRV__PUBLIC},
    {NULL, NULL, NULL, 0},
};
