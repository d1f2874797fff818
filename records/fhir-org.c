// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-org.c - Organization <-> organization (read, create, update).
 *
 *   Organization                           organization
 *   id                                     id
 *   active (always true)
 *   type[0].coding[system=<base>/CodeSystem/organization-kind].code
 *       county_hospital | township_clinic | city_hospital | rehab_point
 *                                          kind
 *   type[0].coding[terminology.hl7.org/CodeSystem/organization-type] prov
 *                                          (written for other readers)
 *   name                                   name
 *   partOf                                 part_of
 *   address[0].district, .line[0]          township, village
 *
 * An update may only move the organization (partOf); a different kind,
 * name or address is refused with -EPERM naming the element (the records
 * keep organizations' identity stable).
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fhir-int.h"

#define CS_ORG_KIND TC_FHIR_CS("organization-kind")
#define CS_HL7_ORG  "http://terminology.hl7.org/CodeSystem/organization-type"

static const char *const kind_codes[] = {
    [TC_REC_ORG_COUNTY_HOSPITAL] = "county_hospital",
    [TC_REC_ORG_TOWNSHIP_CLINIC] = "township_clinic",
    [TC_REC_ORG_CITY_HOSPITAL] = "city_hospital",
    [TC_REC_ORG_REHAB_POINT] = "rehab_point",
};

static json_t *
org_json(const struct tc_rec_organization *o)
{
    json_t *res = tc_rec__fhir_resource_new("Organization", "", o->id);
    json_t *type =
        json_pack("{s:[{s:s,s:s},{s:s,s:s}]}", "coding", "system", CS_ORG_KIND,
                  "code", TC_FHIR_MAP(kind_codes, o->kind), "system",
                  CS_HL7_ORG, "code", "prov");
    bool ok = res != NULL;

    ok &= tc_rec__fhir_put(res, "active", json_true());
    ok &= tc_rec__fhir_push(res, "type", type);
    ok &= tc_rec__fhir_put_str(res, "name", o->name);
    ok &= tc_rec__fhir_put_ref(res, "partOf", "Organization", o->part_of);
    if (o->township || o->village) {
        json_t *addr = json_object();
        ok &= addr && tc_rec__fhir_put_str(addr, "district", o->township);
        if (addr && o->village) {
            ok &= tc_rec__fhir_put(addr, "line", json_pack("[s]", o->village));
        }
        ok &= tc_rec__fhir_push(res, "address", addr);
    }
    return ok ? res : (json_decref(res), NULL);
}

static int
org_read(struct tc_rec_db *db, const char *id, json_t **out)
{
    struct tc_rec_organization *o = NULL;
    int64_t oid;
    int rc = tc_rec__fhir_id(db, "Organization", id, "", &oid);

    rc = rc ? rc : tc_rec_organization_get(db, oid, &o);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__fhir_done(db, org_json(o), true, out);
    tc_rec_organization_free(o);
    return rc;
}

static int
parse_address(struct tc_rec__fhir_in *in, const json_t *res,
              struct tc_rec_organization *o)
{
    const json_t *list, *a, *lines = NULL;
    const char *p = "Organization.address[0]";
    int rc = tc_rec__fhir_array(in->db, res, "Organization", "address", false,
                                &list);

    if (rc < 0 || !list) {
        return rc;
    }
    a = json_array_get(list, 0);
    if (json_array_size(list) > 1 || !json_is_object(a)) {
        return tc_rec__fhir_fail(in->db, -EINVAL, "Organization.address",
                                 "one Address only");
    }
    rc = tc_rec__fhir_only(
        in->db, a, p, (const char *const[]){"use", "district", "line", NULL});
    rc = rc ? rc
            : tc_rec__fhir_str(in->db, a, p, "district", false,
                               (const char **)&o->township);
    rc = rc ? rc : tc_rec__fhir_array(in->db, a, p, "line", false, &lines);
    if (rc == 0 && lines) {
        o->village = (char *)json_string_value(json_array_get(lines, 0));
        if (!o->village || json_array_size(lines) > 1) {
            rc = tc_rec__fhir_fail(in->db, -EINVAL,
                                   "Organization.address[0]"
                                   ".line[0]",
                                   "one line, a string: the village");
        }
    }
    tc_rec__fhir_origin(in, "township", "Organization.address[0].district");
    tc_rec__fhir_origin(in, "village", "Organization.address[0].line[0]");
    return rc;
}

static int
parse_org(struct tc_rec__fhir_in *in, const json_t *res,
          struct tc_rec_organization *o)
{
    static const char *const keys[] = {"active", "type",    "name",
                                       "partOf", "address", NULL};
    const json_t *types;
    int kind = 0;
    int rc = tc_rec__fhir_only(in->db, res, "Organization", keys);

    rc = rc ? rc
            : tc_rec__fhir_array(in->db, res, "Organization", "type", true,
                                 &types);
    if (rc == 0 && json_array_size(types) > 1) {
        rc = tc_rec__fhir_fail(in->db, -EINVAL, "Organization.type[1]",
                               "one type only");
    }
    rc = rc ? rc
            : tc_rec__fhir_cc_value(in->db, json_array_get(types, 0),
                                    "Organization.type[0]", CS_ORG_KIND,
                                    kind_codes, TC_FHIR_N(kind_codes), &kind);
    rc = rc ? rc
            : tc_rec__fhir_str(in->db, res, "Organization", "name", true,
                               (const char **)&o->name);
    rc = rc ? rc
            : tc_rec__fhir_ref(in->db, res, "Organization", "partOf",
                               "Organization", false, &o->part_of);
    rc = rc ? rc : parse_address(in, res, o);
    o->kind = (enum tc_rec_org_kind)kind;
    o->created_at_us = in->ctx->now_us;
    tc_rec__fhir_origin(in, "name", "Organization.name");
    tc_rec__fhir_origin(in, "part_of", "Organization.partOf");
    return rc;
}

static int
org_create(struct tc_rec__fhir_in *in, const json_t *res,
           char id_out[TC_REC_FHIR_ID_MAX + 1])
{
    struct tc_rec_organization o = {0};
    int64_t id = 0;
    int rc = parse_org(in, res, &o);

    if (rc == 0) {
        rc = tc_rec__fhir_api(in, tc_rec_organization_create(in->db, &o, &id));
    }
    if (rc == 0) {
        snprintf(id_out, TC_REC_FHIR_ID_MAX + 1, "%lld", (long long)id);
    }
    return rc;
}

static bool
same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int
org_update(struct tc_rec__fhir_in *in, const char *id, const json_t *res)
{
    struct tc_rec_organization o = {0}, *cur = NULL;
    const char *path = NULL;
    int rc = tc_rec__fhir_id(in->db, "Organization", id, "", &o.id);

    rc = rc ? rc : parse_org(in, res, &o);
    rc = rc ? rc : tc_rec_organization_get(in->db, o.id, &cur);
    if (rc < 0) {
        return rc;
    }
    if (o.kind != cur->kind) {
        path = "Organization.type";
    } else if (!same(o.name, cur->name)) {
        path = "Organization.name";
    } else if (!same(o.township, cur->township) ||
               !same(o.village, cur->village)) {
        path = "Organization.address";
    }
    if (path) {
        rc = tc_rec__fhir_fail(in->db, -EPERM, path,
                               "cannot change; only partOf can");
    } else if (o.part_of != cur->part_of) {
        rc = tc_rec__fhir_api(
            in, tc_rec_organization_set_part_of(in->db, o.id, o.part_of));
    }
    tc_rec_organization_free(cur);
    return rc;
}

const struct tc_rec__fhir_type tc_rec__fhir_organization = {
    .name = "Organization",
    .read = org_read,
    .create = org_create,
    .update = org_update,
};
