// SPDX-License-Identifier: Apache-2.0
/*
 * fhir.c - the FHIR R4 entry points: find the mapping of a resource type,
 * check what every resource shares (resourceType, id), run a create or an
 * update in one transaction and read the stored result back inside it,
 * and carry errors with the FHIR path of the offending element.
 *
 * The mappings themselves live in fhir-<resource>.c (each file's header
 * holds its mapping table); the JSON helpers in fhir-json.c.
 *
 * Invariant: a failed call writes nothing (the transaction is rolled
 * back) and leaves both errmsg and errpath; a successful one clears them.
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fhir-int.h"

static const struct tc_rec__fhir_type *const types[] = {
    &tc_rec__fhir_patient,      &tc_rec__fhir_organization,
    &tc_rec__fhir_practitioner, &tc_rec__fhir_practitioner_role,
    &tc_rec__fhir_careteam,     &tc_rec__fhir_contract,
    &tc_rec__fhir_audit_event,  &tc_rec__fhir_careplan,
    &tc_rec__fhir_goal,         &tc_rec__fhir_encounter,
    &tc_rec__fhir_observation,  &tc_rec__fhir_report,
    &tc_rec__fhir_imaging,      &tc_rec__fhir_service_request,
    &tc_rec__fhir_task,         &tc_rec__fhir_consent,
};

/* ---- Errors and paths ---- */

int
tc_rec__fhir_fail(struct tc_rec_db *db, int rc, const char *path,
                  const char *fmt, ...)
{
    size_t n = 0;
    va_list ap;

    snprintf(db->errpath, sizeof(db->errpath), "%s", path);
    if (path[0]) {
        n = (size_t)snprintf(db->errmsg, sizeof(db->errmsg), "%s: ", path);
    }
    va_start(ap, fmt);
    vsnprintf(db->errmsg + n, sizeof(db->errmsg) - n, fmt, ap);
    va_end(ap);
    return rc;
}

void
tc_rec__fhir_path(char out[TC_FHIR_PATH], const char *parent, const char *key,
                  int i)
{
    if (i >= 0) {
        snprintf(out, TC_FHIR_PATH, "%s.%s[%d]", parent, key, i);
    } else {
        snprintf(out, TC_FHIR_PATH, "%s.%s", parent, key);
    }
}

void
tc_rec__fhir_origin(struct tc_rec__fhir_in *in, const char *field,
                    const char *path)
{
    struct tc_rec__fhir_origin *o;

    for (size_t i = 0; i < in->n_origin; i++) {
        if (strcmp(in->origin[i].field, field) == 0) {
            snprintf(in->origin[i].path, TC_FHIR_PATH, "%s", path);
            return;
        }
    }
    if (in->n_origin == TC_FHIR_ORIGINS) {
        return; /* the error then points at the resource root */
    }
    o = &in->origin[in->n_origin++];
    o->field = field;
    snprintf(o->path, TC_FHIR_PATH, "%s", path);
}

int
tc_rec__fhir_api(struct tc_rec__fhir_in *in, int rc)
{
    struct tc_rec_db *db = in->db;
    char rule[TC_REC_ERRMSG_MAX];
    const char *colon = strstr(db->errmsg, ": ");
    size_t len = colon ? (size_t)(colon - db->errmsg) : 0;

    if (rc >= 0 || db->errpath[0]) {
        return rc;
    }
    for (size_t i = 0; colon && i < in->n_origin; i++) {
        if (strlen(in->origin[i].field) == len &&
            strncmp(in->origin[i].field, db->errmsg, len) == 0) {
            snprintf(rule, sizeof(rule), "%s", colon + 2);
            return tc_rec__fhir_fail(db, rc, in->origin[i].path, "%s", rule);
        }
    }
    snprintf(db->errpath, sizeof(db->errpath), "%s", in->type);
    return rc;
}

int
tc_rec__fhir_lookup(struct tc_rec_db *db, const char *sql, int64_t id,
                    int64_t *out)
{
    sqlite3_stmt *st = tc_rec__stmt(db, sql);
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        return -ENOENT;
    }
    return rc == SQLITE_ROW ? 0 : tc_rec__fail_sql(db, rc, "lookup");
}

const char *
tc_rec_fhir_errpath(const struct tc_rec_db *db)
{
    return db ? db->errpath : "";
}

/* ---- Dispatch ---- */

static const struct tc_rec__fhir_type *
find_type(const char *name)
{
    for (size_t i = 0; name && i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(types[i]->name, name) == 0) {
            return types[i];
        }
    }
    return NULL;
}

/* A FHIR id: [A-Za-z0-9-.]{1,64}. */
static bool
id_valid(const char *id)
{
    size_t n = id ? strnlen(id, TC_REC_FHIR_ID_MAX + 1) : 0;

    if (n == 0 || n > TC_REC_FHIR_ID_MAX) {
        return false;
    }
    return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                      "0123456789-.") == n;
}

int
tc_rec_fhir_read(struct tc_rec_db *db, const char *type, const char *id,
                 json_t **out)
{
    const struct tc_rec__fhir_type *t = find_type(type);
    json_t *res = NULL;
    int rc;

    tc_rec__ok(db);
    if (!t) {
        return tc_rec__fhir_fail(db, -EINVAL, "",
                                 "type: not a supported "
                                 "FHIR resource type");
    }
    if (!id_valid(id)) {
        return tc_rec__fhir_fail(db, -EINVAL, "", "id: not a FHIR id");
    }
    rc = t->read(db, id, &res);
    if (rc == 0) {
        *out = res;
    }
    return rc;
}

/* The checks every incoming resource shares; *t_out its mapping. */
static int
check_resource(struct tc_rec_db *db, const char *type, const json_t *res,
               const struct tc_rec_fhir_ctx *ctx,
               const struct tc_rec__fhir_type **t_out)
{
    const char *rt;

    if (!json_is_object(res)) {
        return tc_rec__fhir_fail(db, -EINVAL, "",
                                 "resource: must be a JSON object");
    }
    rt = json_string_value(json_object_get(res, "resourceType"));
    if (!rt) {
        return tc_rec__fhir_fail(db, -EINVAL, "resourceType",
                                 "required: a string");
    }
    *t_out = find_type(rt);
    if (!*t_out) {
        return tc_rec__fhir_fail(db, -EINVAL, "resourceType",
                                 "not a supported resource type");
    }
    if (type && strcmp(type, rt) != 0) {
        return tc_rec__fhir_fail(db, -EINVAL, "resourceType", "must be %s",
                                 find_type(type) ? find_type(type)->name
                                                 : "a supported type");
    }
    if (!ctx || ctx->now_us <= 0) {
        return tc_rec__fhir_fail(db, -EINVAL, "", "ctx.now_us: required");
    }
    return 0;
}

/* Inside the open transaction: the write, then the read-back. */
static int
write_and_read(struct tc_rec__fhir_in *in, const struct tc_rec__fhir_type *t,
               const char *id, const json_t *res, json_t **out)
{
    char new_id[TC_REC_FHIR_ID_MAX + 1];
    int rc;

    if (id) {
        rc = t->update(in, id, res);
        snprintf(new_id, sizeof(new_id), "%s", id);
    } else {
        rc = t->create(in, res, new_id);
    }
    if (rc == 0 && out) {
        rc = t->read(in->db, new_id, out);
    }
    return rc;
}

static int
write_resource(struct tc_rec_db *db, const char *type, const char *id,
               const json_t *res, const struct tc_rec_fhir_ctx *ctx,
               json_t **out)
{
    struct tc_rec__fhir_in in = {.db = db, .ctx = ctx};
    const struct tc_rec__fhir_type *t = NULL;
    json_t *result = NULL;
    int rc;

    tc_rec__ok(db);
    rc = check_resource(db, type, res, ctx, &t);
    if (rc < 0) {
        return rc;
    }
    in.type = t->name;
    if ((id && !t->update) || (!id && !t->create)) {
        return tc_rec__fhir_fail(db, -EPERM, t->name,
                                 "cannot be %s through FHIR; use the "
                                 "workflow API",
                                 id ? "updated" : "created");
    }
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db,
                        write_and_read(&in, t, id, res, out ? &result : NULL));
    if (rc < 0) {
        json_decref(result);
        return rc;
    }
    if (out) {
        *out = result;
    }
    return 0;
}

int
tc_rec_fhir_create(struct tc_rec_db *db, const char *type,
                   const json_t *resource, const struct tc_rec_fhir_ctx *ctx,
                   json_t **out)
{
    return write_resource(db, type, NULL, resource, ctx, out);
}

int
tc_rec_fhir_update(struct tc_rec_db *db, const char *type, const char *id,
                   const json_t *resource, const struct tc_rec_fhir_ctx *ctx,
                   json_t **out)
{
    const json_t *rid;

    tc_rec__ok(db);
    if (!type || !id_valid(id)) {
        return tc_rec__fhir_fail(db, -EINVAL, "",
                                 "update: needs a type "
                                 "and a FHIR id");
    }
    rid = json_is_object(resource) ? json_object_get(resource, "id") : NULL;
    if (rid &&
        (!json_is_string(rid) || strcmp(json_string_value(rid), id) != 0)) {
        char path[TC_FHIR_PATH];
        tc_rec__fhir_path(path, find_type(type) ? type : "Resource", "id", -1);
        return tc_rec__fhir_fail(db, -EINVAL, path,
                                 "must be the id being updated");
    }
    return write_resource(db, type, id, resource, ctx, out);
}
