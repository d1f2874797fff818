// SPDX-License-Identifier: Apache-2.0
/*
 * api-fhir-search.c - GET /fhir/{type}?... (search-type, answered with a
 * searchset Bundle) and GET /fhir/metadata (the CapabilityStatement).
 *
 * A search, from request to Bundle:
 *
 *   query string --malformed, unknown parameter--> 400 OperationOutcome
 *       |
 *   scope: which residents' resources the caller may read, worked out
 *   by asking the access policy (tc_srv__policy_decide, pure) about each
 *   relationship alone: "would being on the resident's team let this
 *   caller read?" and so on. records turns the scope into SQL, so the
 *   total and the pages count only what the caller may see.
 *       |
 *   records: total + one page (tc_rec_fhir_search)
 *       |
 *   each hit: the policy again with the real facts (tc_srv__policy_peek;
 *   a hit it refuses is dropped and logged: the scope and the policy
 *   disagree), an audit event (read, "FHIR search") per returned
 *   resource, all in one transaction; then the resource itself.
 *
 * Paging is by offset: _count (default 20, at most 100; 0 gives the total
 * alone) and _offset; the Bundle links self, first, previous and next
 * carry both. The parameters' semantics are records' (fhir-search.c) and
 * are listed, type by type, in the CapabilityStatement.
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

#define COUNT_DEFAULT 20
#define COUNT_MAX     100
#define OFFSET_MAX    10000000L
#define MAX_PARAMS    32

struct search {
    const char *type;
    struct tc_rec_fhir_param params[MAX_PARAMS];
    size_t n_params;
    GPtrArray *strings; /* the decoded names and values */
    long count, offset;
};

static void
search_fini(struct search *s)
{
    if (s->strings) {
        g_ptr_array_unref(s->strings);
    }
}

static bool
bad_query(struct tc_srv__call *call, const char *msg)
{
    tc_srv__fhir_outcome(call, 400, "invalid", msg, NULL);
    return false;
}

/* A non-negative integer parameter in 0..max. */
static bool
number(struct tc_srv__call *call, const char *name, const char *v, long max,
       long *out)
{
    char *end = NULL;
    long n;
    g_autofree char *msg = NULL;

    errno = 0;
    n = strtol(v, &end, 10);
    if (!g_ascii_isdigit(v[0]) || errno || *end || n < 0 || n > max) {
        msg = g_strdup_printf("%s: must be an integer in 0..%ld", name, max);
        return bad_query(call, msg);
    }
    *out = n;
    return true;
}

/* Split and decode the query string. */
static bool
parse_query(struct tc_srv__call *call, struct search *s)
{
    g_auto(GStrv) pieces = g_strsplit(call->req.query, "&", -1);

    s->strings = g_ptr_array_new_with_free_func(g_free);
    s->count = COUNT_DEFAULT;
    for (size_t i = 0; pieces[i]; i++) {
        char *eq = strchr(pieces[i], '=');
        char *name, *value;

        if (!pieces[i][0]) {
            continue;
        }
        if (!eq || eq == pieces[i]) {
            return bad_query(call, "query: every parameter needs a name "
                                   "and '=' (name=value)");
        }
        *eq = '\0';
        name = g_uri_unescape_string(pieces[i], NULL);
        value = g_uri_unescape_string(eq + 1, NULL);
        if (name) {
            g_ptr_array_add(s->strings, name);
        }
        if (value) {
            g_ptr_array_add(s->strings, value);
        }
        if (!name || !value) {
            return bad_query(call, "query: a malformed %-escape");
        }
        if (strcmp(name, "_format") == 0 || strcmp(name, "_pretty") == 0) {
            continue; /* negotiated already; answers are compact */
        }
        if (strcmp(name, "_count") == 0) {
            if (!number(call, "_count", value, 1000000, &s->count)) {
                return false;
            }
            s->count = s->count > COUNT_MAX ? COUNT_MAX : s->count;
            continue;
        }
        if (strcmp(name, "_offset") == 0) {
            if (!number(call, "_offset", value, OFFSET_MAX, &s->offset)) {
                return false;
            }
            continue;
        }
        if (s->n_params == MAX_PARAMS) {
            return bad_query(call, "query: too many parameters");
        }
        s->params[s->n_params++] = (struct tc_rec_fhir_param){name, value};
    }
    return true;
}

/* ---- scope ---- */

static bool
would_allow(const struct tc_srv__who *who, enum tc_srv__kind kind,
            const struct tc_srv__facts *f)
{
    return tc_srv__policy_decide(who, TC_SRV__ACT_READ, kind, f).allow;
}

/* Which relationships let the caller read resources of `kind`: each fact
 * put to the policy alone. */
static void
scope_for(const struct tc_srv__who *who, enum tc_srv__kind kind,
          struct tc_rec_fhir_scope *sc)
{
    struct tc_srv__facts none = {0}, f;

    *sc = (struct tc_rec_fhir_scope){.practitioner_id = who->practitioner_id};
    if (would_allow(who, kind, &none)) {
        sc->all = true;
        return;
    }
    f = none;
    f.own = true;
    if (who->resident_id > 0 && would_allow(who, kind, &f)) {
        sc->resident_id = who->resident_id;
    }
    f = none;
    f.carer = true;
    if (who->carer_id > 0 && would_allow(who, kind, &f)) {
        sc->carer_id = who->carer_id;
    }
    if (who->practitioner_id <= 0) {
        return;
    }
    f = none;
    f.rel.team = true;
    sc->team = would_allow(who, kind, &f);
    f = none;
    f.rel.therapist = true;
    sc->therapist = would_allow(who, kind, &f);
    f = none;
    f.rel.consultation = true;
    sc->consultation = would_allow(who, kind, &f);
    f = none;
    f.rel.township = true;
    sc->township = would_allow(who, kind, &f);
    f = none;
    f.assigned_reader = true;
    sc->reader = would_allow(who, TC_SRV__KIND_STUDY, &f);
}

/* ---- the Bundle ---- */

/* "<base>/<type>?<params>&_count=N&_offset=O" */
static json_t *
link_json(const struct tc_srv__fhir *fx, const struct search *s,
          const char *relation, long offset)
{
    GString *url = g_string_new(NULL);
    json_t *l;

    g_string_append_printf(url, "%s/%s?", fx->base, s->type);
    for (size_t i = 0; i < s->n_params; i++) {
        g_autofree char *name =
            g_uri_escape_string(s->params[i].name, ":", TRUE);
        g_autofree char *value =
            g_uri_escape_string(s->params[i].value, ":/|,", TRUE);
        g_string_append_printf(url, "%s=%s&", name, value);
    }
    g_string_append_printf(url, "_count=%ld&_offset=%ld", s->count, offset);
    l = json_pack("{s:s,s:s}", "relation", relation, "url", url->str);
    g_string_free(url, TRUE);
    return l;
}

static json_t *
links(const struct tc_srv__fhir *fx, const struct search *s, int64_t total)
{
    json_t *arr = json_array();

    json_array_append_new(arr, link_json(fx, s, "self", s->offset));
    json_array_append_new(arr, link_json(fx, s, "first", 0));
    if (s->offset > 0 && s->count > 0) {
        long prev = s->offset - s->count;
        json_array_append_new(
            arr, link_json(fx, s, "previous", prev > 0 ? prev : 0));
    }
    if (s->count > 0 && s->offset + s->count < total) {
        json_array_append_new(arr,
                              link_json(fx, s, "next", s->offset + s->count));
    }
    return arr;
}

/* Check each hit with the policy, audit it, and add it to `entries`.
 * Returns how many were dropped. */
static int
add_entries(struct tc_srv *srv, struct tc_srv__call *call,
            const struct tc_srv__fhir *fx, const struct search *s,
            const struct tc_rec_fhir_hits *hits, json_t *entries)
{
    int dropped = 0;
    bool tx = tc_rec_tx_begin(srv->db) == 0;

    for (size_t i = 0; i < hits->count; i++) {
        const struct tc_rec_fhir_hit *h = &hits->items[i];
        struct tc_srv__target t = {
            .action = TC_SRV__ACT_READ,
            .kind = tc_srv__fhir_kind(s->type, h),
            .resident_id = h->resident_id,
            .entity_type = h->entity,
            .entity_id = h->row_id,
            .assigned_reader =
                h->reader_id > 0 && h->reader_id == fx->who.practitioner_id,
            .purpose = "FHIR search",
        };
        struct tc_srv__decision d = {0};
        json_t *res = NULL;
        char version[17];
        g_autofree char *full = NULL;

        if (tc_srv__policy_peek(srv, call, &t, &d) < 0 || !d.allow) {
            g_warning("FHIR search: %s %s left out: the scope and the "
                      "policy disagree",
                      s->type, h->id);
            dropped++;
            continue;
        }
        if (tc_srv__fhir_read(srv, s->type, h, &res, version) < 0) {
            g_warning("FHIR search: %s %s found but unreadable: %s", s->type,
                      h->id, tc_rec_errmsg(srv->db));
            dropped++;
            continue;
        }
        tc_srv__audit(srv, call, TC_REC_AUDIT_READ, h->entity, h->row_id,
                      h->resident_id, TC_REC_AUDIT_SUCCESS, "FHIR search",
                      d.rule);
        full = g_strdup_printf("%s/%s/%s", fx->base, s->type, h->id);
        json_array_append_new(
            entries, json_pack("{s:s,s:o,s:{s:s}}", "fullUrl", full,
                               "resource", res, "search", "mode", "match"));
    }
    if (tx && tc_rec_tx_commit(srv->db) < 0) {
        g_critical("FHIR search: cannot commit the audit events: %s",
                   tc_rec_errmsg(srv->db));
        tc_rec_tx_rollback(srv->db);
    }
    return dropped;
}

void
tc_srv__fhir_search(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_srv__fhir fx;
    struct search s = {.type = call->req.params[0]};
    struct tc_rec_fhir_scope scope;
    struct tc_rec_fhir_hits *hits = NULL;
    json_t *bundle, *entries;
    int rc, dropped;

    if (!tc_srv__fhir_begin(srv, call, &fx, true)) {
        return;
    }
    if (!(tc_rec_fhir_interactions(s.type) & TC_REC_FHIR_SEARCH)) {
        tc_srv__fhir_outcome(call, 404, "not-supported",
                             "not a supported resource type", NULL);
        return;
    }
    if (!parse_query(call, &s)) {
        search_fini(&s);
        return;
    }
    scope_for(&fx.who, tc_srv__fhir_kind(s.type, NULL), &scope);
    rc = tc_rec_fhir_search(srv->db, s.type, s.params, s.n_params, &scope,
                            s.offset, (int)s.count, &hits);
    if (rc < 0) {
        tc_srv__fhir_outcome(call, rc == -EINVAL ? 400 : 500,
                             rc == -EINVAL ? "invalid" : "exception",
                             rc == -EINVAL ? tc_rec_errmsg(srv->db)
                                           : "records unavailable",
                             NULL);
        if (rc != -EINVAL) {
            g_warning("FHIR search %s: %s", s.type, tc_rec_errmsg(srv->db));
        }
        search_fini(&s);
        return;
    }
    entries = json_array();
    dropped = add_entries(srv, call, &fx, &s, hits, entries);
    bundle =
        json_pack("{s:s,s:s,s:I,s:o,s:o}", "resourceType", "Bundle", "type",
                  "searchset", "total", (json_int_t)(hits->total - dropped),
                  "link", links(&fx, &s, hits->total), "entry", entries);
    tc_srv__resp_doc(&call->resp, 200, fx.content_type, bundle);
    json_decref(bundle);
    tc_rec_fhir_hits_free(hits);
    search_fini(&s);
}

/* ---- the CapabilityStatement ---- */

static json_t *
resource_capability(const char *type)
{
    unsigned can = tc_rec_fhir_interactions(type);
    json_t *inter = json_array(), *params = json_array();
    const struct tc_rec_fhir_search_param *p;

    json_array_append_new(inter, json_pack("{s:s}", "code", "read"));
    json_array_append_new(inter, json_pack("{s:s}", "code", "search-type"));
    if (can & TC_REC_FHIR_CREATE) {
        json_array_append_new(inter, json_pack("{s:s}", "code", "create"));
    }
    if (can & TC_REC_FHIR_UPDATE) {
        json_array_append_new(inter, json_pack("{s:s}", "code", "update"));
    }
    for (size_t i = 0; (p = tc_rec_fhir_search_param(type, i)); i++) {
        json_array_append_new(params, json_pack("{s:s,s:s,s:s}", "name",
                                                p->name, "type", p->type,
                                                "documentation", p->doc));
    }
    return json_pack("{s:s,s:o,s:s,s:b,s:b,s:b,s:b,s:s,s:o}", "type", type,
                     "interaction", inter, "versioning",
                     can & TC_REC_FHIR_UPDATE ? "versioned-update"
                                              : "versioned",
                     "readHistory", 0, "updateCreate", 0, "conditionalCreate",
                     0, "conditionalUpdate", 0, "conditionalDelete",
                     "not-supported", "searchParam", params);
}

void
tc_srv__fhir_metadata(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_srv__fhir fx;
    json_t *resources = json_array(), *doc;
    g_autofree char *now = tc_srv__rfc3339(g_get_real_time());
    const char *const *types;
    size_t n;

    if (!tc_srv__fhir_begin(srv, call, &fx, false)) {
        return;
    }
    types = tc_rec_fhir_types(&n);
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(resources, resource_capability(types[i]));
    }
    doc = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:{s:s},s:{s:s,s:s},s:s,s:[s,s],"
        "s:[{s:s,s:{s:b,s:s},s:o,s:[{s:s,s:s,s:s},{s:s,s:s,s:s}]}]}",
        "resourceType", "CapabilityStatement", "status", "active", "date", now,
        "kind", "instance", "publisher", "telecare", "software", "name",
        "telecare", "implementation", "description",
        "telecare county telehealth: FHIR R4 over the clinical records", "url",
        fx.base, "fhirVersion", "4.0.1", "format", "json",
        "application/fhir+json", "rest", "mode", "server", "security", "cors",
        0, "description",
        "Authorization: Bearer <token> from POST /api/v1/login. Every "
        "read, search, create and update goes through the access policy "
        "and is audited; a search returns only what the caller may read.",
        "resource", resources, "searchParam", "name", "_count", "type",
        "number", "documentation", "page size: default 20, at most 100",
        "name", "_offset", "type", "number", "documentation",
        "the first match of the page, from 0 (the Bundle's links carry it)");
    tc_srv__resp_doc(&call->resp, 200, fx.content_type, doc);
    json_decref(doc);
    (void)srv;
}
