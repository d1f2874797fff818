// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-search.c - FHIR R4 search over the records: one search answers a
 * page of matching ids with the total, run on the tables of
 * fhir-search-types.c (which types, which parameters, which sources).
 *
 * Each source of the type gets its own count and page queries; a
 * parameter a source cannot answer makes it contribute nothing, and the
 * sources' pages are laid end to end. The SQL is built from the literals
 * in the tables; every value that comes from a request is bound, never
 * written into the text. Parameters are ANDed; the comma-separated
 * values of one parameter are ORed (FHIR's rule). Results are ordered by
 * row id (AuditEvent: newest first), so paging by offset is stable while
 * nothing is added.
 *
 * Scope. A search returns only rows of residents the caller may see: the
 * server derives a struct tc_rec_fhir_scope from its access policy and
 * this file turns it into a set of residents (a CTE, "vis"), whose
 * queries are the set-wise forms of access.c's relationship questions:
 * a change to one must be made to the other. The server checks each
 * returned row with its policy again, so a mismatch can only hide rows,
 * never show them.
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir-search-int.h"

#define MAX_PARAMS    32 /* parameters in one search */
#define MAX_VALUES    16 /* comma-separated values of one parameter */
#define MAX_VALUE_LEN 256
#define DAY_US        86400000000LL
#define SEC_US        1000000LL

/* ---- Building one statement ---- */

struct bind {
    bool is_text;
    int64_t i;
    char *s;
};

/* The WITH clause, the condition and their values, in bind order. */
struct query {
    struct tc_rec_db *db;
    sqlite3_str *cte;
    sqlite3_str *where;
    struct bind *binds;
    size_t n_binds, cap;
    bool oom;
};

static void
query_fini(struct query *q)
{
    sqlite3_free(sqlite3_str_finish(q->cte));
    sqlite3_free(sqlite3_str_finish(q->where));
    for (size_t i = 0; i < q->n_binds; i++) {
        free(q->binds[i].s);
    }
    free(q->binds);
}

static struct bind *
bind_new(struct query *q)
{
    if (q->n_binds == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        struct bind *b = realloc(q->binds, cap * sizeof(*b));
        if (!b) {
            q->oom = true;
            return NULL;
        }
        q->binds = b;
        q->cap = cap;
    }
    q->binds[q->n_binds] = (struct bind){0};
    return &q->binds[q->n_binds++];
}

static void
bind_int(struct query *q, int64_t v)
{
    struct bind *b = bind_new(q);

    if (b) {
        b->i = v;
    }
}

/* Bind a copy of the first len bytes of s, between pre and post. */
static void
bind_text(struct query *q, const char *pre, const char *s, size_t len,
          const char *post)
{
    struct bind *b = bind_new(q);
    size_t n = strlen(pre) + len + strlen(post) + 1;

    if (!b) {
        return;
    }
    b->is_text = true;
    b->s = malloc(n);
    if (!b->s) {
        q->oom = true;
        return;
    }
    snprintf(b->s, n, "%s%.*s%s", pre, (int)len, s, post);
}

/* `expr` compared with one value: "expr = ?" unless it holds its '?'. */
static void
cond_eq(struct query *q, const char *expr)
{
    sqlite3_str_appendf(q->where, strchr(expr, '?') ? "%s" : "%s = ?", expr);
}

/* ---- Values ---- */

/* A row id: digits without a leading zero, at most 18 of them. */
static bool
row_id(const char *s, int64_t *out)
{
    int64_t v = 0;
    size_t n = strlen(s);

    if (n == 0 || n > 18 || s[0] == '0' || strspn(s, "0123456789") != n) {
        return false;
    }
    for (; *s; s++) {
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return true;
}

/* "<id>", "<type>/<id>" or "<base>/<type>/<id>" naming a row of `type`. */
static bool
reference(const char *v, const char *type, int64_t *out)
{
    const char *slash = strrchr(v, '/');
    size_t tl = strlen(type);

    if (slash) {
        size_t before = (size_t)(slash - v);
        if (before < tl || strncmp(slash - tl, type, tl) != 0 ||
            (before > tl && slash[-(ptrdiff_t)tl - 1] != '/')) {
            return false;
        }
        v = slash + 1;
    }
    return row_id(v, out);
}

/* Split a token "[system|]code": *system NULL when there is no '|'. */
static const char *
token(const char *v, char *system, size_t cap, bool *has_system)
{
    const char *bar = strchr(v, '|');

    *has_system = bar != NULL;
    system[0] = '\0';
    if (!bar) {
        return v;
    }
    snprintf(system, cap, "%.*s", (int)(bar - v), v);
    return bar + 1;
}

static bool
digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

/* A time "hh:mm[:ss[.fff]]" and a zone "Z" or "+hh:mm": seconds of the
 * day minus the zone offset, and the precision in microseconds. */
static bool
time_of_day(const char *t, int64_t *secs, int64_t *unit_us)
{
    int h, m, s = 0, zh = 0, zm = 0, sign = 1;
    size_t i = 5;

    if (strlen(t) < 6 || !digits(t, 2) || t[2] != ':' || !digits(t + 3, 2)) {
        return false;
    }
    h = atoi(t);
    m = atoi(t + 3);
    *unit_us = 60 * SEC_US;
    if (t[i] == ':') {
        if (!digits(t + i + 1, 2)) {
            return false;
        }
        s = atoi(t + i + 1);
        i += 3;
        *unit_us = SEC_US;
        if (t[i] == '.') {
            size_t n = strspn(t + i + 1, "0123456789");
            if (n == 0) {
                return false;
            }
            i += 1 + n; /* sub-second digits: matched at whole seconds */
        }
    }
    if (strcmp(t + i, "Z") != 0) {
        if ((t[i] != '+' && t[i] != '-') || strlen(t + i) != 6 ||
            !digits(t + i + 1, 2) || t[i + 3] != ':' ||
            !digits(t + i + 4, 2)) {
            return false;
        }
        sign = t[i] == '-' ? -1 : 1;
        zh = atoi(t + i + 1);
        zm = atoi(t + i + 4);
    }
    if (h > 23 || m > 59 || s > 60 || zh > 14 || zm > 59) {
        return false;
    }
    *secs = h * 3600 + m * 60 + s - sign * (zh * 3600 + zm * 60);
    return true;
}

/* A FHIR date or dateTime as the range [lo, hi) of microseconds. */
static bool
when(const char *v, int64_t *lo, int64_t *hi)
{
    size_t n = strlen(v);
    char d[16], next[16];
    int64_t secs, unit;

    if (n == 4 && digits(v, 4)) {
        snprintf(d, sizeof(d), "%.4s-01-01", v);
        snprintf(next, sizeof(next), "%04d-01-01", (atoi(v) + 1) % 10000);
    } else if (n == 7 && digits(v, 4) && v[4] == '-' && digits(v + 5, 2)) {
        snprintf(d, sizeof(d), "%.7s-01", v);
        if (!tc_rec__date_valid(d)) {
            return false;
        }
        tc_rec__date_add_months(d, 1, next);
    } else if (n >= 10) {
        snprintf(d, sizeof(d), "%.10s", v);
        if (!tc_rec__date_valid(d) || (n > 10 && v[10] != 'T')) {
            return false;
        }
        if (n == 10) {
            tc_rec__date_add_days(d, 1, next);
        } else {
            if (!time_of_day(v + 11, &secs, &unit)) {
                return false;
            }
            *lo = tc_rec__date_days(d) * DAY_US + secs * SEC_US;
            *hi = *lo + unit;
            return true;
        }
    } else {
        return false;
    }
    if (!tc_rec__date_valid(d) || !tc_rec__date_valid(next)) {
        return false;
    }
    *lo = tc_rec__date_days(d) * DAY_US;
    *hi = tc_rec__date_days(next) * DAY_US;
    return true;
}

/* Whole days of an instant, rounded down or up. */
static int64_t
day_floor(int64_t us)
{
    return us >= 0 ? us / DAY_US : -((-us + DAY_US - 1) / DAY_US);
}

static int64_t
day_ceil(int64_t us)
{
    return -day_floor(-us);
}

static void
bind_day(struct query *q, int64_t days)
{
    char d[11];

    tc_rec__date_from_days(days, d);
    bind_text(q, "", d, strlen(d), "");
}

/*
 * A date parameter ("ge2026-01-01") against expr. FHIR's ranges: the
 * target matches eq when the value's range holds it, ge when it reaches
 * the value's start, gt past its end, le before its end, lt before its
 * start. A "YYYY-MM-DD" column is the range of its whole day.
 */
static int
cond_date(struct query *q, const char *pname, const char *expr, bool day,
          const char *v)
{
    static const char *const prefixes[] = {"eq", "ne", "ge", "gt", "le", "lt"};
    int64_t lo, hi;
    int p = 0;

    if (strlen(v) > 2 && v[0] >= 'a' && v[0] <= 'z') {
        p = tc_rec__code_find(prefixes, TC_FHIR_N(prefixes),
                              (char[3]){v[0], v[1], '\0'});
        if (p < 0) {
            return tc_rec__fhir_fail(q->db, -EINVAL, pname,
                                     "prefix not supported (eq, ne, ge, "
                                     "gt, le, lt)");
        }
        v += 2;
    }
    if (!when(v, &lo, &hi)) {
        return tc_rec__fhir_fail(q->db, -EINVAL, pname,
                                 "not a date (YYYY, YYYY-MM, YYYY-MM-DD or "
                                 "YYYY-MM-DDThh:mm:ss with a zone)");
    }
    switch (p) {
    case 0: /* eq */
    case 1: /* ne */
        sqlite3_str_appendf(
            q->where, p == 0 ? "(%s >= ? AND %s < ?)" : "(%s < ? OR %s >= ?)",
            expr, expr);
        if (day) {
            bind_day(q, day_ceil(lo));
            bind_day(q, day_floor(hi));
        } else {
            bind_int(q, lo);
            bind_int(q, hi);
        }
        return 0;
    case 2: /* ge */
    case 3: /* gt */
        sqlite3_str_appendf(q->where, "%s >= ?", expr);
        if (day) {
            bind_day(q, day_floor(p == 2 ? lo : hi));
        } else {
            bind_int(q, p == 2 ? lo : hi);
        }
        return 0;
    default: /* le, lt */
        sqlite3_str_appendf(q->where, "%s < ?", expr);
        if (day) {
            bind_day(q, day_ceil(p == 4 ? hi : lo));
        } else {
            bind_int(q, p == 4 ? hi : lo);
        }
        return 0;
    }
}

/* A string parameter: starts with (case-insensitive for ASCII), or
 * :contains, or :exact. */
static void
cond_string(struct query *q, const char *expr, const char *modifier,
            const char *v)
{
    char esc[2 * MAX_VALUE_LEN + 1];
    size_t n = 0;

    if (strcmp(modifier, "exact") == 0) {
        sqlite3_str_appendf(q->where, "%s = ?", expr);
        bind_text(q, "", v, strlen(v), "");
        return;
    }
    for (; *v && n + 2 < sizeof(esc); v++) {
        if (*v == '%' || *v == '_' || *v == '\\') {
            esc[n++] = '\\';
        }
        esc[n++] = *v;
    }
    sqlite3_str_appendf(q->where, "%s LIKE ? ESCAPE '\\'", expr);
    bind_text(q, strcmp(modifier, "contains") == 0 ? "%" : "", esc, n, "%");
}

static void
cond_codes(struct query *q, const struct tc_rec__fhir_column *col,
           const char *v)
{
    char system[MAX_VALUE_LEN + 1];
    bool has_system;
    const char *code = token(v, system, sizeof(system), &has_system);

    if (has_system && system[0] && col->system &&
        strcmp(system, col->system) != 0) {
        sqlite3_str_appendall(q->where, "0");
        return;
    }
    for (const struct tc_rec__fhir_code *c = col->codes; c->fhir; c++) {
        if (strcmp(c->fhir, code) == 0) {
            sqlite3_str_appendf(q->where, "%s IN (%s)", col->expr, c->sql);
            return;
        }
    }
    sqlite3_str_appendall(q->where, "0"); /* an unknown code matches none */
}

static void
cond_identifier(struct query *q, const char *v)
{
    char system[MAX_VALUE_LEN + 1];
    bool has_system;
    const char *value = token(v, system, sizeof(system), &has_system);
    size_t n = strlen(value);

    if (!has_system) {
        sqlite3_str_appendall(q->where,
                              "(t.id_number = ? OR t.health_card_no = ?)");
        bind_text(q, "", value, n, "");
        bind_text(q, "", value, n, "");
    } else if (strcmp(system, TC_FHIR_SYS_RESIDENT_ID) == 0) {
        sqlite3_str_appendall(q->where, n ? "t.id_number = ?" : "1");
        if (n) {
            bind_text(q, "", value, n, "");
        }
    } else if (strcmp(system, TC_FHIR_SYS_HEALTH) == 0) {
        sqlite3_str_appendall(q->where, n ? "t.health_card_no = ?"
                                          : "t.health_card_no IS NOT NULL");
        if (n) {
            bind_text(q, "", value, n, "");
        }
    } else {
        sqlite3_str_appendall(q->where, "0");
    }
}

/* The condition of one value of a parameter on source s. */
static int
cond_value(struct query *q, const struct tc_rec__fhir_source *s,
           const struct tc_rec__fhir_column *col, const char *pname,
           const char *modifier, const char *v)
{
    char system[MAX_VALUE_LEN + 1];
    const char *code;
    bool has_system;
    int64_t id;

    switch (col->how) {
    case TC_FHIR_H_ID:
        if (!strncmp(v, s->prefix ? s->prefix : "",
                     s->prefix ? strlen(s->prefix) : 0) &&
            row_id(v + (s->prefix ? strlen(s->prefix) : 0), &id)) {
            sqlite3_str_appendall(q->where, "t.id = ?");
            bind_int(q, id);
        } else {
            sqlite3_str_appendall(q->where, "0");
        }
        return 0;
    case TC_FHIR_H_PATIENT:
    case TC_FHIR_H_REF:
        if (reference(v, col->how == TC_FHIR_H_REF ? col->ref_type : "Patient",
                      &id)) {
            cond_eq(q, col->how == TC_FHIR_H_REF ? col->expr : s->resident);
            bind_int(q, id);
        } else {
            sqlite3_str_appendall(q->where, "0");
        }
        return 0;
    case TC_FHIR_H_UPDATED:
        return cond_date(q, pname, s->updated, false, v);
    case TC_FHIR_H_DATE_US:
    case TC_FHIR_H_DATE_DAY:
        return cond_date(q, pname, col->expr, col->how == TC_FHIR_H_DATE_DAY,
                         v);
    case TC_FHIR_H_STRING:
        cond_string(q, col->expr, modifier, v);
        return 0;
    case TC_FHIR_H_CODES:
        cond_codes(q, col, v);
        return 0;
    case TC_FHIR_H_TEXT:
        code = token(v, system, sizeof(system), &has_system);
        cond_eq(q, col->expr);
        bind_text(q, "", code, strlen(code), "");
        return 0;
    case TC_FHIR_H_CODE:
        code = token(v, system, sizeof(system), &has_system);
        sqlite3_str_appendall(q->where,
                              (!system[0] || strcmp(system, s->system) == 0) &&
                                      strcmp(code, s->code) == 0
                                  ? "1"
                                  : "0");
        return 0;
    case TC_FHIR_H_IDENT:
        cond_identifier(q, v);
        return 0;
    case TC_FHIR_H_NONE:
        break;
    }
    return 0;
}

/* ---- Parameters ---- */

/* A parameter "name[:modifier]" split into buffers. */
struct pname {
    char name[64];
    char modifier[16];
};

static int
split_name(struct tc_rec_db *db, const char *type, const char *full,
           struct pname *out, enum tc_rec__fhir_how *generic)
{
    const char *colon = strchr(full, ':');
    size_t n = colon ? (size_t)(colon - full) : strlen(full);
    bool known = false;

    if (n == 0 || n >= sizeof(out->name) ||
        (colon && strlen(colon + 1) >= sizeof(out->modifier))) {
        return tc_rec__fhir_fail(db, -EINVAL, "", "%s: not a parameter",
                                 "search");
    }
    snprintf(out->name, sizeof(out->name), "%.*s", (int)n, full);
    snprintf(out->modifier, sizeof(out->modifier), "%s",
             colon ? colon + 1 : "");
    for (size_t i = 0; tc_rec_fhir_search_param(type, i); i++) {
        known = known || strcmp(tc_rec_fhir_search_param(type, i)->name,
                                out->name) == 0;
    }
    if (!known) {
        return tc_rec__fhir_fail(db, -EINVAL, out->name,
                                 "not a search parameter of %s", type);
    }
    *generic = strcmp(out->name, "_id") == 0 ? TC_FHIR_H_ID
               : strcmp(out->name, "patient") == 0 ||
                       strcmp(out->name, "subject") == 0
                   ? TC_FHIR_H_PATIENT
               : strcmp(out->name, "_lastUpdated") == 0 ? TC_FHIR_H_UPDATED
                                                        : TC_FHIR_H_NONE;
    return 0;
}

/* How source s answers parameter `name`; NULL: it cannot. */
static const struct tc_rec__fhir_column *
column_of(const struct tc_rec__fhir_source *s, const char *name,
          enum tc_rec__fhir_how generic, struct tc_rec__fhir_column *tmp)
{
    if (generic != TC_FHIR_H_NONE) { /* _id, patient, subject, _lastUpdated */
        bool can = generic == TC_FHIR_H_ID ||
                   (generic == TC_FHIR_H_PATIENT && s->resident) ||
                   (generic == TC_FHIR_H_UPDATED && s->updated);
        *tmp = (struct tc_rec__fhir_column){.param = name, .how = generic};
        return can ? tmp : NULL;
    }
    for (size_t i = 0; i < TC_FHIR_N(s->cols) && s->cols[i].param; i++) {
        if (strcmp(s->cols[i].param, name) == 0) {
            if (s->cols[i].how == TC_FHIR_H_PATIENT && !s->resident) {
                return NULL;
            }
            return &s->cols[i];
        }
    }
    return NULL;
}

/* One parameter on source s: its values ORed. */
static int
cond_param(struct query *q, const struct tc_rec__fhir_source *s,
           const char *type, const struct tc_rec_fhir_param *p)
{
    const struct tc_rec__fhir_column *col;
    struct tc_rec__fhir_column tmp;
    struct pname pn;
    enum tc_rec__fhir_how generic = TC_FHIR_H_NONE;
    char value[MAX_VALUE_LEN + 1];
    const char *v = p->value, *comma;
    int rc = split_name(q->db, type, p->name, &pn, &generic), n = 0;

    if (rc < 0) {
        return rc;
    }
    if (!v || !v[0] || strlen(v) > MAX_VALUE_LEN) {
        return tc_rec__fhir_fail(q->db, -EINVAL, pn.name,
                                 "needs a value of 1..%d bytes",
                                 MAX_VALUE_LEN);
    }
    col = column_of(s, pn.name, generic, &tmp);
    if (pn.modifier[0] &&
        (!col || col->how != TC_FHIR_H_STRING ||
         (strcmp(pn.modifier, "exact") && strcmp(pn.modifier, "contains")))) {
        return tc_rec__fhir_fail(
            q->db, -EINVAL, pn.name, "modifier :%s not supported",
            strspn(pn.modifier, "abcdefghijklmnopqrstu"
                                "vwxyz-") == strlen(pn.modifier)
                ? pn.modifier
                : "?");
    }
    if (!col) {
        sqlite3_str_appendall(q->where, " AND 0");
        return 0;
    }
    sqlite3_str_appendall(q->where, " AND (");
    for (; v; v = comma ? comma + 1 : NULL, n++) {
        comma = strchr(v, ',');
        if (n == MAX_VALUES) {
            return tc_rec__fhir_fail(q->db, -EINVAL, pn.name,
                                     "more than %d values", MAX_VALUES);
        }
        snprintf(value, sizeof(value), "%.*s",
                 (int)(comma ? (size_t)(comma - v) : strlen(v)), v);
        if (!value[0]) {
            return tc_rec__fhir_fail(q->db, -EINVAL, pn.name,
                                     "an empty value in the list");
        }
        sqlite3_str_appendall(q->where, n ? " OR " : "");
        rc = cond_value(q, s, col, pn.name, pn.modifier, value);
        if (rc < 0) {
            return rc;
        }
    }
    sqlite3_str_appendall(q->where, ")");
    return 0;
}

/* ---- Scope ---- */

static bool
needs_vis(const struct tc_rec_fhir_scope *sc)
{
    return (sc->practitioner_id > 0 &&
            (sc->team || sc->therapist || sc->consultation || sc->township)) ||
           sc->resident_id > 0 || sc->carer_id > 0;
}

/* The residents the scope reaches: the set-wise access.c questions. */
static void
scope_cte(struct query *q, const struct tc_rec_fhir_scope *sc)
{
    static const char *const rel_sql[] = {
        "SELECT c.resident_id FROM team_members m JOIN contracts c"
        " ON c.team_id = m.team_id WHERE m.practitioner_id = ?"
        " AND c.status = 'active'",
        "SELECT p.resident_id FROM rehab_plan_therapists x JOIN rehab_plans"
        " p ON p.id = x.plan_id WHERE x.practitioner_id = ?"
        " AND p.status IN ('draft', 'active', 'suspended')",
        "SELECT c.resident_id FROM consultation_participants x"
        " JOIN consultations c ON c.id = x.consultation_id"
        " WHERE x.practitioner_id = ? AND c.status IN ('requested',"
        " 'accepted', 'scheduled', 'in_progress')",
        "SELECT r.id FROM practitioner_roles pr JOIN organizations o"
        " ON o.id = pr.organization_id AND o.kind = 'township_clinic'"
        " JOIN residents r ON r.township = o.township"
        " WHERE pr.practitioner_id = ?",
    };
    bool rel[] = {sc->team, sc->therapist, sc->consultation, sc->township};
    const char *sep = "WITH vis(rid) AS (";

    for (size_t i = 0; i < TC_FHIR_N(rel_sql); i++) {
        if (rel[i] && sc->practitioner_id > 0) {
            sqlite3_str_appendf(q->cte, "%s%s", sep, rel_sql[i]);
            bind_int(q, sc->practitioner_id);
            sep = " UNION ";
        }
    }
    if (sc->resident_id > 0) {
        sqlite3_str_appendf(q->cte, "%sSELECT ?", sep);
        bind_int(q, sc->resident_id);
        sep = " UNION ";
    }
    if (sc->carer_id > 0) {
        sqlite3_str_appendf(q->cte,
                            "%sSELECT resident_id FROM resident_carers"
                            " WHERE carer_id = ?",
                            sep);
        bind_int(q, sc->carer_id);
    }
    sqlite3_str_appendall(q->cte, ") ");
}

static void
scope_cond(struct query *q, const struct tc_rec__fhir_source *s,
           const struct tc_rec_fhir_scope *sc)
{
    bool vis = s->resident && needs_vis(sc);
    bool reader = s->reader && sc->reader && sc->practitioner_id > 0;

    if (sc->all) {
        return;
    }
    if (!vis && !reader) {
        sqlite3_str_appendall(q->where, " AND 0");
        return;
    }
    sqlite3_str_appendall(q->where, " AND (");
    if (vis) {
        sqlite3_str_appendf(q->where, "%s IN (SELECT rid FROM vis)",
                            s->resident);
    }
    if (reader) {
        sqlite3_str_appendf(q->where, "%s%s = ?", vis ? " OR " : "",
                            s->reader);
        bind_int(q, sc->practitioner_id);
    }
    sqlite3_str_appendall(q->where, ")");
}

/* ---- Running ---- */

/* Build the query of source s: scope first (its CTE binds lead). */
static int
query_build(struct query *q, const struct tc_rec__fhir_source *s,
            const char *type, const struct tc_rec_fhir_param *params,
            size_t n_params, const struct tc_rec_fhir_scope *sc)
{
    int rc;

    q->cte = sqlite3_str_new(NULL);
    q->where = sqlite3_str_new(NULL);
    if (!sc->all && s->resident && needs_vis(sc)) {
        scope_cte(q, sc);
    }
    sqlite3_str_appendall(q->where, s->base ? s->base : "1");
    for (size_t i = 0; i < n_params; i++) {
        rc = cond_param(q, s, type, &params[i]);
        if (rc < 0) {
            return rc;
        }
    }
    /* The scope's reader id binds after the parameters' values. */
    scope_cond(q, s, sc);
    if (q->oom || sqlite3_str_errcode(q->cte) ||
        sqlite3_str_errcode(q->where)) {
        return tc_rec__fail(q->db, -ENOMEM, "out of memory");
    }
    return 0;
}

static int
prepare(struct query *q, const char *sql, sqlite3_stmt **out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(q->db->conn, sql, -1, &st, NULL);

    if (rc != SQLITE_OK) {
        return tc_rec__fail_sql(q->db, rc, "search");
    }
    for (size_t i = 0; i < q->n_binds; i++) {
        const struct bind *b = &q->binds[i];
        if (b->is_text) {
            sqlite3_bind_text(st, (int)i + 1, b->s, -1, SQLITE_STATIC);
        } else {
            sqlite3_bind_int64(st, (int)i + 1, b->i);
        }
    }
    *out = st;
    return 0;
}

static int
run_count(struct query *q, const struct tc_rec__fhir_source *s, int64_t *out)
{
    char *sql = sqlite3_mprintf(
        "%sSELECT count(*) FROM %s WHERE %s",
        sqlite3_str_value(q->cte) ? sqlite3_str_value(q->cte) : "", s->from,
        sqlite3_str_value(q->where));
    sqlite3_stmt *st = NULL;
    int rc;

    if (!sql) {
        return tc_rec__fail(q->db, -ENOMEM, "out of memory");
    }
    rc = prepare(q, sql, &st);
    sqlite3_free(sql);
    if (rc < 0) {
        return rc;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = 0;
    } else {
        rc = tc_rec__fail_sql(q->db, rc, "search count");
    }
    sqlite3_finalize(st);
    return rc;
}

static int
run_page(struct query *q, const struct tc_rec__fhir_source *s, int64_t offset,
         int64_t limit, struct tc_rec_fhir_hits *hits)
{
    char *sql = sqlite3_mprintf(
        "%sSELECT t.id, %s, %s, %s FROM %s WHERE %s ORDER BY t.id %s"
        " LIMIT %lld OFFSET %lld",
        sqlite3_str_value(q->cte) ? sqlite3_str_value(q->cte) : "",
        s->resident ? s->resident : "0", s->reader ? s->reader : "0",
        s->updated ? s->updated : "0", s->from, sqlite3_str_value(q->where),
        s->newest_first ? "DESC" : "ASC", (long long)limit, (long long)offset);
    sqlite3_stmt *st = NULL;
    int rc;

    if (!sql) {
        return tc_rec__fail(q->db, -ENOMEM, "out of memory");
    }
    rc = prepare(q, sql, &st);
    sqlite3_free(sql);
    if (rc < 0) {
        return rc;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct tc_rec_fhir_hit *h = &hits->items[hits->count++];
        h->row_id = sqlite3_column_int64(st, 0);
        snprintf(h->id, sizeof(h->id), "%s%" PRId64,
                 s->prefix ? s->prefix : "", h->row_id);
        h->entity = s->entity;
        h->resident_id = sqlite3_column_int64(st, 1);
        h->reader_id = sqlite3_column_int64(st, 2);
        h->updated_at_us = sqlite3_column_int64(st, 3);
        h->study = s->study;
    }
    rc = rc == SQLITE_DONE ? 0 : tc_rec__fail_sql(q->db, rc, "search");
    sqlite3_finalize(st);
    return rc;
}

void
tc_rec_fhir_hits_free(struct tc_rec_fhir_hits *hits)
{
    if (!hits) {
        return;
    }
    free(hits->items);
    free(hits);
}

int
tc_rec_fhir_search(struct tc_rec_db *db, const char *type,
                   const struct tc_rec_fhir_param *params, size_t n_params,
                   const struct tc_rec_fhir_scope *scope, int64_t offset,
                   int count, struct tc_rec_fhir_hits **out)
{
    struct tc_rec_fhir_hits *hits;
    int rc = 0;

    tc_rec__ok(db);
    if (!tc_rec__fhir_mapping(type)) {
        return tc_rec__fhir_fail(db, -EINVAL, "",
                                 "type: not a supported FHIR resource type");
    }
    if (n_params > MAX_PARAMS || offset < 0 || count < 0 ||
        count > TC_REC_FHIR_PAGE_MAX || !scope) {
        return tc_rec__fhir_fail(db, -EINVAL, "",
                                 "search: at most %d parameters, a page of "
                                 "0..%d from an offset >= 0",
                                 MAX_PARAMS, TC_REC_FHIR_PAGE_MAX);
    }
    hits = calloc(1, sizeof(*hits));
    if (!hits ||
        !(hits->items = calloc((size_t)count + 1, sizeof(*hits->items)))) {
        free(hits);
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < tc_rec__fhir_n_sources; i++) {
        const struct tc_rec__fhir_source *s = &tc_rec__fhir_sources[i];
        struct query q = {.db = db};
        int64_t n = 0;

        if (strcmp(s->type, type) != 0) {
            continue;
        }
        rc = query_build(&q, s, type, params, n_params, scope);
        rc = rc ? rc : run_count(&q, s, &n);
        if (rc == 0 && (int64_t)hits->count < count && offset < n) {
            rc = run_page(&q, s, offset, count - (int64_t)hits->count, hits);
        }
        offset = offset > n ? offset - n : 0;
        hits->total += n;
        query_fini(&q);
    }
    if (rc < 0) {
        tc_rec_fhir_hits_free(hits);
        return rc;
    }
    *out = hits;
    return 0;
}

int
tc_rec_fhir_locate(struct tc_rec_db *db, const char *type, const char *id,
                   struct tc_rec_fhir_hit *out)
{
    const struct tc_rec_fhir_param p = {"_id", id};
    const struct tc_rec_fhir_scope all = {.all = true};
    struct tc_rec_fhir_hits *hits = NULL;
    int rc;

    if (!id || !id[0] || strlen(id) > TC_REC_FHIR_ID_MAX || strchr(id, ',')) {
        return tc_rec__fhir_fail(db, -EINVAL, "", "id: not a FHIR id");
    }
    rc = tc_rec_fhir_search(db, type, &p, 1, &all, 0, 1, &hits);
    if (rc < 0) {
        return rc;
    }
    if (hits->count == 0) {
        tc_rec_fhir_hits_free(hits);
        return tc_rec__fhir_fail(db, -ENOENT, "", "no %s with id %s", type,
                                 id);
    }
    *out = hits->items[0];
    tc_rec_fhir_hits_free(hits);
    return 0;
}
