// SPDX-License-Identifier: Apache-2.0
/*
 * api-residents.c - residents under /api/v1: search, read, register,
 * update demographics; their carers; and their audit trail.
 *
 * Search never tells the caller about residents they may not read: each
 * candidate is decided by the policy without breaking glass
 * (tc_srv__policy_peek) and only readable ones are returned, each audited
 * as a read; how many were left out is not said. A township search can
 * narrow by village and by a part of the name; the name is matched here,
 * page by page of the township's residents, at most SCAN_MAX of them per
 * request, so an answer may hold fewer than `limit` rows while
 * `next_after` says where to go on.
 *
 * Every other request goes through tc_srv__policy_check() (which audits
 * the decision) before it touches the record; each write's outcome is
 * audited after the records call. Nothing here logs a name or an ID
 * number: only ids and error names.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-records.h"

#define NAME_MAX_LEN   100
#define PLACE_MAX_LEN  100
#define SEARCH_DEFAULT 50
#define SCAN_MAX       2000 /* township rows examined per search request */
#define AUDIT_DEFAULT  50

#define SEXES "male, female"
#define DISABILITIES                                                          \
    "visual, hearing, speech, physical, intellectual, mental, multiple"

static json_t *
resident_json(const struct tc_rec_resident *r)
{
    return json_pack(
        "{s:I,s:s,s:s,s:s?,s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:s?,s:i,s:o}", "id",
        (json_int_t)r->id, "id_number", r->id_number, "name", r->name, "sex",
        tc_rec_sex_to_string(r->sex), "birth_date", r->birth_date, "township",
        r->township, "village", r->village, "phone", r->phone,
        "health_card_no", r->health_card_no, "disability_cert_no",
        r->disability_cert_no, "disability_category",
        tc_rec_disability_to_string(r->disability_category),
        "disability_grade", r->disability_grade, "created_at",
        tc_srv__json_time(r->created_at_us));
}

static json_t *
carer_json(const struct tc_rec_carer *c)
{
    return json_pack("{s:I,s:s,s:s?,s:s?,s:o}", "id", (json_int_t)c->id,
                     "name", c->name, "phone", c->phone, "relationship",
                     c->relationship, "created_at",
                     tc_srv__json_time(c->created_at_us));
}

/* Check the caller may `action` resident `id`'s record (audited). */
static bool
allowed(struct tc_srv *srv, struct tc_srv__call *call,
        enum tc_srv__action action, enum tc_srv__kind kind,
        const char *entity_type, int64_t entity_id, int64_t resident_id)
{
    struct tc_srv__target t = {
        .action = action,
        .kind = kind,
        .resident_id = resident_id,
        .entity_type = entity_type,
        .entity_id = entity_id,
    };

    return tc_srv__policy_check(srv, call, &t);
}

/* ---- search ---- */

struct search {
    const char *name; /* a part of the name, or NULL */
    json_t *items;
    long limit;
    bool failed;
};

/* Add r to the answer when it matches and the caller may read it. */
static void
search_consider(struct tc_srv *srv, struct tc_srv__call *call,
                struct search *s, const struct tc_rec_resident *r)
{
    struct tc_srv__target t = {
        .action = TC_SRV__ACT_READ,
        .kind = TC_SRV__KIND_RECORD,
        .resident_id = r->id,
        .entity_type = "resident",
        .entity_id = r->id,
    };
    struct tc_srv__decision d;
    int rc;

    if (s->name && !strstr(r->name, s->name)) {
        return;
    }
    rc = tc_srv__policy_peek(srv, call, &t, &d);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        s->failed = true;
        return;
    }
    if (!d.allow) {
        return;
    }
    tc_srv__audit(srv, call, TC_REC_AUDIT_READ, "resident", r->id, r->id,
                  TC_REC_AUDIT_SUCCESS, "search", d.rule);
    json_array_append_new(s->items, resident_json(r));
}

/* One resident by a unique number: found and readable, or nothing. */
static void
search_exact(struct tc_srv *srv, struct tc_srv__call *call, struct search *s,
             const char *id_number, const char *card)
{
    struct tc_rec_resident *r = NULL;
    int rc = id_number
                 ? tc_rec_resident_get_by_id_number(srv->db, id_number, &r)
                 : tc_rec_resident_get_by_health_card(srv->db, card, &r);

    if (rc == -ENOENT) {
        return;
    }
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        s->failed = true;
        return;
    }
    search_consider(srv, call, s, r);
    tc_rec_resident_free(r);
}

static bool
search_full(const struct search *s)
{
    return (long)json_array_size(s->items) >= s->limit;
}

/* Township pages after `after` until the answer is full, the township
 * ends or SCAN_MAX rows were examined. *next: where to go on, or 0. */
static void
search_township(struct tc_srv *srv, struct tc_srv__call *call,
                struct search *s, const char *township, const char *village,
                int64_t after, int64_t *next)
{
    const int want = TC_REC_RESIDENT_PAGE_MAX;
    long scanned = 0;

    *next = 0;
    for (;;) {
        struct tc_rec_resident_list *page = NULL;
        bool last_page;
        size_t i;
        int rc;

        if (scanned >= SCAN_MAX) {
            *next = after;
            return;
        }
        rc = tc_rec_resident_search(srv->db, township, village, after, want,
                                    &page);
        if (rc < 0) {
            tc_srv__resp_records_error(srv, call, rc);
            s->failed = true;
            return;
        }
        for (i = 0; i < page->count && !search_full(s) && !s->failed; i++) {
            search_consider(srv, call, s, &page->items[i]);
            after = page->items[i].id;
            scanned++;
        }
        last_page = page->count < (size_t)want;
        if (i < page->count || (search_full(s) && !last_page)) {
            *next = after; /* stopped inside the township */
        }
        tc_rec_resident_list_free(page);
        if (s->failed || last_page || *next) {
            return;
        }
    }
}

/*
 * GET /residents?id_number= | ?health_card_no= |
 *     ?township=&village=&name=&after=&limit=
 */
static void
resident_search(struct tc_srv *srv, struct tc_srv__call *call)
{
    char id_number[40], card[40], township[PLACE_MAX_LEN * 4];
    char village[PLACE_MAX_LEN * 4], name[NAME_MAX_LEN * 4];
    struct search s = {0};
    bool by_id, by_card, by_place, in_village;
    long after;
    int64_t next = 0;
    json_t *doc;

    by_id = tc_srv__query_get(&call->req, "id_number", id_number,
                              sizeof(id_number));
    by_card =
        tc_srv__query_get(&call->req, "health_card_no", card, sizeof(card));
    by_place =
        tc_srv__query_get(&call->req, "township", township, sizeof(township));
    in_village =
        tc_srv__query_get(&call->req, "village", village, sizeof(village));
    if (tc_srv__query_get(&call->req, "name", name, sizeof(name))) {
        s.name = name;
    }
    if (by_id + by_card + by_place != 1) {
        tc_srv__resp_error_field(&call->resp, 400, "township",
                                 "township: give exactly one of township, "
                                 "id_number or health_card_no (each at most "
                                 "100 characters)");
        return;
    }
    if (!by_place && (in_village || s.name)) {
        tc_srv__resp_error_field(&call->resp, 400,
                                 in_village ? "village" : "name",
                                 in_village ? "village: only with township"
                                            : "name: only with township");
        return;
    }
    if (!tc_srv__query_int(call, "limit", SEARCH_DEFAULT, 1,
                           TC_REC_RESIDENT_PAGE_MAX, &s.limit) ||
        !tc_srv__query_int(call, "after", 0, 0, G_MAXLONG, &after)) {
        return;
    }
    s.items = json_array();
    if (by_place) {
        search_township(srv, call, &s, township, in_village ? village : NULL,
                        after, &next);
    } else {
        search_exact(srv, call, &s, by_id ? id_number : NULL, card);
    }
    if (s.failed) {
        json_decref(s.items);
        return;
    }
    doc = json_pack("{s:o,s:o}", "items", s.items, "next_after",
                    next > 0 ? json_integer(next) : json_null());
    tc_srv__resp_ok(call, 200, doc);
}

/* ---- one resident ---- */

static void
resident_answer(struct tc_srv *srv, struct tc_srv__call *call, int64_t id,
                int status)
{
    struct tc_rec_resident *r = NULL;
    int rc = tc_rec_resident_get(srv->db, id, &r);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_ok(call, status, resident_json(r));
    tc_rec_resident_free(r);
}

static void
resident_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    int64_t id;

    if (!tc_srv__param_id(call, 0, "resident id", &id) ||
        !allowed(srv, call, TC_SRV__ACT_READ, TC_SRV__KIND_RECORD, "resident",
                 id, id)) {
        return;
    }
    resident_answer(srv, call, id, 200);
}

static const char *const resident_fields[] = {
    "id_number",
    "name",
    "sex",
    "birth_date",
    "township",
    "village",
    "phone",
    "health_card_no",
    "disability_cert_no",
    "disability_category",
    "disability_grade",
    NULL,
};

/*
 * A string member for a PATCH: absent keeps *slot; null clears it when
 * `nullable`; a string replaces it (borrowed from obj).
 */
static bool
patch_string(struct tc_srv__call *call, json_t *obj, const char *field,
             bool nullable, size_t max_len, char **slot)
{
    json_t *v = json_object_get(obj, field);
    const char *s;

    if (!v) {
        return true;
    }
    if (json_is_null(v) && !nullable) {
        g_autofree char *msg = g_strdup_printf("%s: cannot be null", field);
        tc_srv__resp_error_field(&call->resp, 400, field, msg);
        return false;
    }
    if (!tc_srv__json_string(call, obj, field, false, max_len, &s)) {
        return false;
    }
    *slot = (char *)s;
    return true;
}

/*
 * The demographic fields of `body` into *r, over what *r holds: every
 * field for a registration (r zeroed), the given ones for an update.
 * Strings are borrowed from body. False after filling a 4xx.
 */
static bool
resident_fields_read(struct tc_srv__call *call, json_t *body,
                     struct tc_rec_resident *r)
{
    json_t *sex = json_object_get(body, "sex");
    json_t *category = json_object_get(body, "disability_category");
    int64_t grade = r->disability_grade;

    if (!tc_srv__json_only(call, body, resident_fields) ||
        !patch_string(call, body, "id_number", false, 32, &r->id_number) ||
        !patch_string(call, body, "name", false, NAME_MAX_LEN, &r->name) ||
        !patch_string(call, body, "township", false, PLACE_MAX_LEN,
                      &r->township) ||
        !patch_string(call, body, "village", true, PLACE_MAX_LEN,
                      &r->village) ||
        !patch_string(call, body, "phone", true, 32, &r->phone) ||
        !patch_string(call, body, "health_card_no", true, 32,
                      &r->health_card_no) ||
        !patch_string(call, body, "disability_cert_no", true, 64,
                      &r->disability_cert_no) ||
        !tc_srv__json_int(call, body, "disability_grade", false, 0, 4,
                          &grade)) {
        return false;
    }
    r->disability_grade = (int)grade;
    if (json_object_get(body, "birth_date")) {
        const char *date;
        if (!tc_srv__json_date(call, body, "birth_date", true, &date)) {
            return false;
        }
        r->birth_date = (char *)date;
    }
    if (sex && (!json_is_string(sex) ||
                tc_rec_sex_from_string(json_string_value(sex), &r->sex) < 0)) {
        return tc_srv__bad_code(call, "sex", SEXES);
    }
    if (category && json_is_null(category)) {
        r->disability_category = TC_REC_DISABILITY_NONE;
    } else if (category &&
               (!json_is_string(category) ||
                tc_rec_disability_from_string(json_string_value(category),
                                              &r->disability_category) < 0)) {
        return tc_srv__bad_code(call, "disability_category", DISABILITIES);
    }
    return true;
}

/* The ID number's own rules, before anything else: a 422 naming it. */
static bool
id_number_valid(struct tc_srv__call *call, const char *id_number)
{
    char why[160];

    if (tc_rec_resident_id_check(id_number, why, sizeof(why)) < 0) {
        tc_srv__resp_error_field(&call->resp, 422, "id_number", why);
        return false;
    }
    return true;
}

/* POST /residents: register. sex and birth_date default to what the ID
 * number says. */
static void
resident_post(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const struct tc_srv__target register_target = {
        .action = TC_SRV__ACT_WRITE,
        .kind = TC_SRV__KIND_RECORD,
        .entity_type = "resident",
        .registering = true,
    };
    struct tc_rec_resident r = {.created_at_us = g_get_real_time()};
    char birth[11];
    enum tc_rec_sex sex;
    json_t *body = NULL;
    int64_t id = 0;
    int rc;

    if (!tc_srv__policy_check(srv, call, &register_target) ||
        tc_srv__call_json(call, &body) < 0) {
        return;
    }
    if (!resident_fields_read(call, body, &r)) {
        goto out;
    }
    if (!r.id_number || !r.name || !r.township) {
        const char *field = !r.id_number ? "id_number"
                            : !r.name    ? "name"
                                         : "township";
        g_autofree char *msg = g_strdup_printf("%s: required", field);
        tc_srv__resp_error_field(&call->resp, 400, field, msg);
        goto out;
    }
    if (!id_number_valid(call, r.id_number)) {
        goto out;
    }
    tc_rec_resident_id_decode(r.id_number, birth, &sex);
    if (!r.birth_date) {
        r.birth_date = birth;
    }
    if (!r.sex) {
        r.sex = sex;
    }
    rc = tc_rec_resident_create(srv->db, &r, &id);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_CREATE, "resident",
                              id, id)) {
        g_info("resident %" G_GINT64_FORMAT " registered", id);
        resident_answer(srv, call, id, 201);
    }
out:
    json_decref(body);
}

/* PATCH /residents/{id}: the given demographic fields change, the others
 * stay; null clears an optional one. The ID number cannot change (409). */
static void
resident_patch(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_resident *cur = NULL, upd;
    json_t *body = NULL;
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "resident id", &id) ||
        !allowed(srv, call, TC_SRV__ACT_WRITE, TC_SRV__KIND_RECORD, "resident",
                 id, id) ||
        tc_srv__call_json(call, &body) < 0) {
        return;
    }
    rc = tc_rec_resident_get(srv->db, id, &cur);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        goto out;
    }
    upd = *cur; /* borrows cur's strings, then body's */
    if (!resident_fields_read(call, body, &upd)) {
        goto out;
    }
    rc = tc_rec_resident_update(srv->db, &upd);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_UPDATE, "resident",
                              id, id)) {
        resident_answer(srv, call, id, 200);
    }
out:
    tc_rec_resident_free(cur);
    json_decref(body);
}

/* ---- carers ---- */

/* Create a carer and link them, in one transaction. */
static int
carer_create_link(struct tc_srv *srv, const struct tc_rec_carer *c,
                  int64_t resident_id, const char *relationship,
                  int64_t *id_out)
{
    int64_t id = 0;
    int rc = tc_rec_tx_begin(srv->db);

    if (rc < 0) {
        return rc;
    }
    rc = tc_rec_carer_create(srv->db, c, &id);
    if (rc == 0) {
        rc = tc_rec_carer_link(srv->db, id, resident_id, relationship);
    }
    if (rc == 0) {
        rc = tc_rec_tx_commit(srv->db);
    }
    if (rc < 0) {
        tc_rec_tx_rollback(srv->db); /* keeps the error text */
        return rc;
    }
    *id_out = id;
    return 0;
}

/* The carer as linked to the resident (with the relationship). */
static void
carer_answer(struct tc_srv *srv, struct tc_srv__call *call,
             int64_t resident_id, int64_t carer_id)
{
    struct tc_rec_carer_list *list = NULL;
    int rc = tc_rec_carer_list_for_resident(srv->db, resident_id, &list);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_error(&call->resp, 500, "carer: linked but not listed");
    for (size_t i = 0; i < list->count; i++) {
        if (list->items[i].id == carer_id) {
            tc_srv__resp_ok(call, 201, carer_json(&list->items[i]));
        }
    }
    tc_rec_carer_list_free(list);
}

/* POST /residents/{id}/carers {relationship, carer_id} or {relationship,
 * name, phone?}: link an existing carer, or create one and link them. */
static void
carer_post(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"relationship", "carer_id", "name",
                                        "phone", NULL};
    struct tc_rec_carer c = {.created_at_us = g_get_real_time()};
    const char *relationship, *name, *phone;
    int64_t resident_id, carer_id = 0;
    json_t *body = NULL;
    int rc;

    if (!tc_srv__param_id(call, 0, "resident id", &resident_id) ||
        !allowed(srv, call, TC_SRV__ACT_WRITE, TC_SRV__KIND_RECORD, "carer", 0,
                 resident_id) ||
        tc_srv__call_json(call, &body) < 0) {
        return;
    }
    if (!tc_srv__json_only(call, body, known) ||
        !tc_srv__json_string(call, body, "relationship", true, 50,
                             &relationship) ||
        !tc_srv__json_int(call, body, "carer_id", false, 1, INT64_MAX,
                          &carer_id) ||
        !tc_srv__json_string(call, body, "name", carer_id == 0, NAME_MAX_LEN,
                             &name) ||
        !tc_srv__json_string(call, body, "phone", false, 32, &phone)) {
        goto out;
    }
    if (carer_id > 0 && (name || phone)) {
        tc_srv__resp_error_field(&call->resp, 400, "carer_id",
                                 "carer_id: give either carer_id or name "
                                 "and phone, not both");
        goto out;
    }
    if (carer_id > 0) {
        rc = tc_rec_carer_link(srv->db, carer_id, resident_id, relationship);
    } else {
        c.name = (char *)name;
        c.phone = (char *)phone;
        rc = carer_create_link(srv, &c, resident_id, relationship, &carer_id);
    }
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_CREATE, "carer",
                              carer_id, resident_id)) {
        carer_answer(srv, call, resident_id, carer_id);
    }
out:
    json_decref(body);
}

static void
carer_list(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_carer_list *list = NULL;
    int64_t id;
    json_t *array;
    int rc;

    if (!tc_srv__param_id(call, 0, "resident id", &id) ||
        !allowed(srv, call, TC_SRV__ACT_READ, TC_SRV__KIND_RECORD, "carer", 0,
                 id)) {
        return;
    }
    rc = tc_rec_carer_list_for_resident(srv->db, id, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    array = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(array, carer_json(&list->items[i]));
    }
    tc_rec_carer_list_free(list);
    tc_srv__resp_ok(call, 200, json_pack("{s:o}", "items", array));
}

/* DELETE /residents/{id}/carers/{carer_id}: the carer no longer acts for
 * the resident. */
static void
carer_delete(struct tc_srv *srv, struct tc_srv__call *call)
{
    int64_t id, carer_id;
    int rc;

    if (!tc_srv__param_id(call, 0, "resident id", &id) ||
        !tc_srv__param_id(call, 1, "carer id", &carer_id) ||
        !allowed(srv, call, TC_SRV__ACT_WRITE, TC_SRV__KIND_RECORD, "carer",
                 carer_id, id)) {
        return;
    }
    rc = tc_rec_carer_unlink(srv->db, carer_id, id);
    if (tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_DELETE, "carer",
                              carer_id, id)) {
        tc_srv__resp_no_content(call);
    }
}

/* ---- the audit trail ---- */

static json_t *
event_json(const struct tc_rec_audit_event *e)
{
    return json_pack(
        "{s:I,s:o,s:s,s:s?,s:s?,s:s,s:o,s:o,s:s?,s:s?,s:s?,s:s?}", "id",
        (json_int_t)e->id, "at", tc_srv__json_time(e->at_us), "actor",
        e->actor, "actor_role", e->actor_role, "action",
        tc_rec_audit_action_to_string(e->action), "entity_type",
        e->entity_type, "entity_id",
        e->entity_id > 0 ? json_integer(e->entity_id) : json_null(),
        "resident_id",
        e->resident_id > 0 ? json_integer(e->resident_id) : json_null(),
        "client_addr", e->client_addr, "purpose", e->purpose, "outcome",
        tc_rec_audit_outcome_to_string(e->outcome), "detail", e->detail);
}

/* GET /residents/{id}/audit?before=&limit=: newest first. */
static void
audit_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_audit_event_list *list = NULL;
    long before, limit;
    json_t *array, *next = NULL;
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "resident id", &id) ||
        !tc_srv__query_int(call, "before", 0, 0, G_MAXLONG, &before) ||
        !tc_srv__query_int(call, "limit", AUDIT_DEFAULT, 1,
                           TC_REC_AUDIT_PAGE_MAX, &limit) ||
        !allowed(srv, call, TC_SRV__ACT_READ, TC_SRV__KIND_AUDIT,
                 "audit_trail", id, id)) {
        return;
    }
    rc =
        tc_rec_audit_list_for_resident(srv->db, id, before, (int)limit, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    array = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(array, event_json(&list->items[i]));
    }
    if (list->count == (size_t)limit) {
        next = json_integer(list->items[list->count - 1].id);
    }
    tc_rec_audit_event_list_free(list);
    tc_srv__resp_ok(call, 200,
                    json_pack("{s:o,s:o}", "items", array, "next_before",
                              next ? next : json_null()));
}

const struct tc_srv__route tc_srv__routes_residents[] = {
    {"GET", "/api/v1/residents", resident_search, 0},
    {"POST", "/api/v1/residents", resident_post, 0},
    {"GET", "/api/v1/residents/{id}", resident_get, 0},
    {"PATCH", "/api/v1/residents/{id}", resident_patch, 0},
    {"GET", "/api/v1/residents/{id}/carers", carer_list, 0},
    {"POST", "/api/v1/residents/{id}/carers", carer_post, 0},
    {"DELETE", "/api/v1/residents/{id}/carers/{carer_id}", carer_delete, 0},
    {"GET", "/api/v1/residents/{id}/audit", audit_get, 0},
    {NULL, NULL, NULL, 0},
};
