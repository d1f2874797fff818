// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-practitioner.c - Practitioner <-> practitioner and PractitionerRole
 * <-> a practitioner's role at an organization (read, create).
 *
 *   Practitioner                      practitioner
 *   id, active                        id, active
 *   name[0].text                      name
 *   telecom[system=phone].value       phone
 *   qualification[0].code.text        qualification
 *
 *   PractitionerRole                  practitioner role
 *   id                                id
 *   practitioner                      practitioner_id (+ display: name)
 *   organization                      organization_id
 *   code[0].coding[system=<base>/CodeSystem/practitioner-role].code
 *       doctor | specialist | township_doctor | family_doctor | therapist
 *       | ecg_reader | radiologist | nurse | public_health       role
 *   specialty[0].text                 department
 *
 * Neither can be updated through FHIR (the C API has no update for them).
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fhir-int.h"

#define CS_ROLE TC_FHIR_CS("practitioner-role")

static const char *const role_codes[] = {
    [TC_REC_ROLE_DOCTOR] = "doctor",
    [TC_REC_ROLE_SPECIALIST] = "specialist",
    [TC_REC_ROLE_TOWNSHIP_DOCTOR] = "township_doctor",
    [TC_REC_ROLE_FAMILY_DOCTOR] = "family_doctor",
    [TC_REC_ROLE_THERAPIST] = "therapist",
    [TC_REC_ROLE_ECG_READER] = "ecg_reader",
    [TC_REC_ROLE_RADIOLOGIST] = "radiologist",
    [TC_REC_ROLE_NURSE] = "nurse",
    [TC_REC_ROLE_PUBLIC_HEALTH] = "public_health",
};

/* ---- Practitioner ---- */

static int
practitioner_read(struct tc_rec_db *db, const char *id, json_t **out)
{
    struct tc_rec_practitioner *p = NULL;
    json_t *res;
    int64_t pid;
    bool ok;
    int rc = tc_rec__fhir_id(db, "Practitioner", id, "", &pid);

    rc = rc ? rc : tc_rec_practitioner_get(db, pid, &p);
    if (rc < 0) {
        return rc;
    }
    res = tc_rec__fhir_resource_new("Practitioner", "", p->id);
    ok = res && tc_rec__fhir_put(res, "active", json_boolean(p->active));
    ok &= tc_rec__fhir_push(res, "name", json_pack("{s:s}", "text", p->name));
    if (p->phone) {
        ok &= tc_rec__fhir_push(
            res, "telecom",
            json_pack("{s:s,s:s}", "system", "phone", "value", p->phone));
    }
    if (p->qualification) {
        ok &= tc_rec__fhir_push(
            res, "qualification",
            json_pack("{s:{s:s}}", "code", "text", p->qualification));
    }
    tc_rec_practitioner_free(p);
    return tc_rec__fhir_done(db, res, ok, out);
}

/* The only element of the array res.key, an object, at *path_out. */
static int
only_object(struct tc_rec_db *db, const json_t *res, const char *type,
            const char *key, const json_t **out, char path_out[TC_FHIR_PATH])
{
    const json_t *arr;
    int rc = tc_rec__fhir_array(db, res, type, key, false, &arr);

    *out = NULL;
    if (rc < 0 || !arr) {
        return rc;
    }
    tc_rec__fhir_path(path_out, type, key, json_array_size(arr) > 1 ? 1 : 0);
    if (json_array_size(arr) > 1) {
        return tc_rec__fhir_fail(db, -EINVAL, path_out, "one only");
    }
    *out = json_array_get(arr, 0);
    return json_is_object(*out)
               ? 0
               : tc_rec__fhir_fail(db, -EINVAL, path_out, "must be an object");
}

static int
parse_practitioner(struct tc_rec__fhir_in *in, const json_t *res,
                   struct tc_rec_practitioner *p)
{
    static const char *const keys[] = {"active", "name", "telecom",
                                       "qualification", NULL};
    static const char *const phone[] = {"phone"};
    const json_t *name, *tel, *qual, *code;
    char np[TC_FHIR_PATH], tp[TC_FHIR_PATH], qp[TC_FHIR_PATH];
    char vp[TC_FHIR_PATH];
    int sys;
    int rc = tc_rec__fhir_only(in->db, res, "Practitioner", keys);

    rc = rc ? rc : only_object(in->db, res, "Practitioner", "name", &name, np);
    rc = rc ? rc
            : tc_rec__fhir_str(in->db, name, np, "text", true,
                               (const char **)&p->name);
    rc = rc ? rc
            : only_object(in->db, res, "Practitioner", "telecom", &tel, tp);
    if (rc == 0 && tel) {
        rc =
            tc_rec__fhir_code(in->db, tel, tp, "system", true, phone, 1, &sys);
        rc = rc ? rc
                : tc_rec__fhir_str(in->db, tel, tp, "value", true,
                                   (const char **)&p->phone);
        tc_rec__fhir_path(vp, tp, "value", -1);
        tc_rec__fhir_origin(in, "phone", vp);
    }
    rc = rc ? rc
            : only_object(in->db, res, "Practitioner", "qualification", &qual,
                          qp);
    if (rc == 0 && qual) {
        rc = tc_rec__fhir_get(in->db, qual, qp, "code", JSON_OBJECT, true,
                              &code);
        tc_rec__fhir_path(vp, qp, "code", -1);
        rc = rc ? rc
                : tc_rec__fhir_str(in->db, code, vp, "text", true,
                                   (const char **)&p->qualification);
        tc_rec__fhir_origin(in, "qualification", vp);
    }
    tc_rec__fhir_origin(in, "name", np);
    p->created_at_us = in->ctx->now_us;
    return rc;
}

static int
practitioner_create(struct tc_rec__fhir_in *in, const json_t *res,
                    char id_out[TC_REC_FHIR_ID_MAX + 1])
{
    struct tc_rec_practitioner p = {0};
    int64_t id = 0;
    int rc = parse_practitioner(in, res, &p);

    if (rc == 0) {
        rc = tc_rec__fhir_api(in, tc_rec_practitioner_create(in->db, &p, &id));
    }
    if (rc == 0) {
        snprintf(id_out, TC_REC_FHIR_ID_MAX + 1, "%lld", (long long)id);
    }
    return rc;
}

const struct tc_rec__fhir_type tc_rec__fhir_practitioner = {
    .name = "Practitioner",
    .read = practitioner_read,
    .create = practitioner_create,
};

/* ---- PractitionerRole ---- */

static json_t *
role_json(const struct tc_rec_practitioner_role *r)
{
    json_t *res = tc_rec__fhir_resource_new("PractitionerRole", "", r->id);
    json_t *who = tc_rec__fhir_ref_new("Practitioner", "", r->practitioner_id);
    bool ok = res && who;

    ok &= tc_rec__fhir_put(res, "active", json_true());
    ok &= !who || tc_rec__fhir_put_str(who, "display", r->practitioner_name);
    ok &= tc_rec__fhir_put(res, "practitioner", who);
    ok &= tc_rec__fhir_put_ref(res, "organization", "Organization",
                               r->organization_id);
    ok &= tc_rec__fhir_push(
        res, "code",
        tc_rec__fhir_cc_new(CS_ROLE, TC_FHIR_MAP(role_codes, r->role), NULL));
    if (r->department) {
        ok &= tc_rec__fhir_push(res, "specialty",
                                json_pack("{s:s}", "text", r->department));
    }
    return ok ? res : (json_decref(res), NULL);
}

static int
role_read(struct tc_rec_db *db, const char *id, json_t **out)
{
    struct tc_rec_practitioner_role_list *list = NULL;
    int64_t rid, pid = 0;
    int rc = tc_rec__fhir_id(db, "PractitionerRole", id, "", &rid);

    rc = rc ? rc
            : tc_rec__fhir_lookup(db,
                                  "SELECT practitioner_id FROM "
                                  "practitioner_roles WHERE id = ?",
                                  rid, &pid);
    if (rc == -ENOENT && !db->errmsg[0]) {
        return tc_rec__fhir_fail(db, rc, "", "no PractitionerRole %s", id);
    }
    rc = rc ? rc
            : tc_rec_practitioner_role_list_for_practitioner(db, pid, &list);
    for (size_t i = 0; rc == 0 && i < list->count; i++) {
        if (list->items[i].id == rid) {
            rc = tc_rec__fhir_done(db, role_json(&list->items[i]), true, out);
            tc_rec_practitioner_role_list_free(list);
            return rc;
        }
    }
    tc_rec_practitioner_role_list_free(list);
    return rc < 0 ? rc : tc_rec__fhir_fail(db, -ENOENT, "", "no role");
}

static int
role_create(struct tc_rec__fhir_in *in, const json_t *res,
            char id_out[TC_REC_FHIR_ID_MAX + 1])
{
    static const char *const keys[] = {
        "active", "practitioner", "organization", "code", "specialty", NULL};
    struct tc_rec_practitioner_role r = {0};
    const char *t = "PractitionerRole";
    const json_t *code, *spec;
    char cp[TC_FHIR_PATH], sp[TC_FHIR_PATH];
    int role = 0;
    int64_t id = 0;
    int rc = tc_rec__fhir_only(in->db, res, t, keys);

    rc = rc ? rc
            : tc_rec__fhir_ref(in->db, res, t, "practitioner", "Practitioner",
                               true, &r.practitioner_id);
    rc = rc ? rc
            : tc_rec__fhir_ref(in->db, res, t, "organization", "Organization",
                               true, &r.organization_id);
    rc = rc ? rc : only_object(in->db, res, t, "code", &code, cp);
    if (rc == 0 && !code) {
        rc = tc_rec__fhir_fail(in->db, -EINVAL, "PractitionerRole.code",
                               "required");
    }
    rc = rc ? rc
            : tc_rec__fhir_cc_value(in->db, code, cp, CS_ROLE, role_codes,
                                    TC_FHIR_N(role_codes), &role);
    rc = rc ? rc : only_object(in->db, res, t, "specialty", &spec, sp);
    if (rc == 0 && spec) {
        rc = tc_rec__fhir_str(in->db, spec, sp, "text", true,
                              (const char **)&r.department);
        tc_rec__fhir_path(cp, sp, "text", -1);
        tc_rec__fhir_origin(in, "department", cp);
    }
    r.role = (enum tc_rec_role)role;
    tc_rec__fhir_origin(in, "practitioner_id",
                        "PractitionerRole.practitioner");
    tc_rec__fhir_origin(in, "organization_id",
                        "PractitionerRole.organization");
    tc_rec__fhir_origin(in, "role", "PractitionerRole.code");
    rc = rc ? rc
            : tc_rec__fhir_api(in,
                               tc_rec_practitioner_role_add(in->db, &r, &id));
    if (rc == 0) {
        snprintf(id_out, TC_REC_FHIR_ID_MAX + 1, "%lld", (long long)id);
    }
    return rc;
}

const struct tc_rec__fhir_type tc_rec__fhir_practitioner_role = {
    .name = "PractitionerRole",
    .read = role_read,
    .create = role_create,
};
