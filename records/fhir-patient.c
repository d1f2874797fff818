// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-patient.c - Patient <-> resident (read, create, update).
 *
 *   Patient                          resident
 *   id                               id
 *   identifier[system=urn:oid:2.16.156.10011.1.3].value
 *                                    id_number (required, validated)
 *   identifier[system=<base>/sid/health-card].value
 *                                    health_card_no
 *   name[0].text (or family+given)   name
 *   gender   male | female           sex (other, unknown: refused)
 *   birthDate                        birth_date
 *     (gender and birthDate may be left out: they are read from the ID
 *     number; given, they must agree with it)
 *   telecom[system=phone].value      phone
 *   address[0].district              township (required)
 *   address[0].line[0]               village
 *   extension[<base>/StructureDefinition/disability]
 *     .extension[certificate].valueString             disability_cert_no
 *     .extension[category].valueCoding
 *        (<base>/CodeSystem/disability-category)       disability_category
 *     .extension[grade].valueInteger (1-4)             disability_grade
 *
 * <base> is TC_FHIR_BASE. The county is implicit (one server per county),
 * so the township takes Address.district and the village the first line.
 * An update replaces the demographics; the ID number cannot change.
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir-int.h"

#define SYS_HEALTH_CARD TC_FHIR_SID("health-card")
#define EXT_DISABILITY  TC_FHIR_EXT("disability")
#define CS_DISABILITY   TC_FHIR_CS("disability-category")
#define NAME_BUF        256

static const char *const disability_codes[] = {
    [TC_REC_DISABILITY_VISUAL] = "visual",
    [TC_REC_DISABILITY_HEARING] = "hearing",
    [TC_REC_DISABILITY_SPEECH] = "speech",
    [TC_REC_DISABILITY_PHYSICAL] = "physical",
    [TC_REC_DISABILITY_INTELLECTUAL] = "intellectual",
    [TC_REC_DISABILITY_MENTAL] = "mental",
    [TC_REC_DISABILITY_MULTIPLE] = "multiple",
};

static const char *const gender_codes[] = {
    [TC_REC_SEX_MALE] = "male",
    [TC_REC_SEX_FEMALE] = "female",
};

/* ---- Record to JSON ---- */

static json_t *
disability_json(const struct tc_rec_resident *r)
{
    json_t *cat =
        json_pack("{s:s,s:s}", "system", CS_DISABILITY, "code",
                  TC_FHIR_MAP(disability_codes, r->disability_category));

    return json_pack("{s:s,s:[o,o,o]}", "url", EXT_DISABILITY, "extension",
                     tc_rec__fhir_ext_new("certificate", "valueString",
                                          json_string(r->disability_cert_no)),
                     tc_rec__fhir_ext_new("category", "valueCoding", cat),
                     tc_rec__fhir_ext_new("grade", "valueInteger",
                                          json_integer(r->disability_grade)));
}

static json_t *
patient_json(const struct tc_rec_resident *r)
{
    json_t *p = tc_rec__fhir_resource_new("Patient", "", r->id);
    json_t *addr =
        json_pack("{s:s,s:s}", "use", "home", "district", r->township);
    bool ok = p && addr;

    ok &= tc_rec__fhir_push(p, "identifier",
                            json_pack("{s:s,s:s,s:s}", "use", "official",
                                      "system", TC_FHIR_SYS_RESIDENT_ID,
                                      "value", r->id_number));
    if (r->health_card_no) {
        ok &=
            tc_rec__fhir_push(p, "identifier",
                              json_pack("{s:s,s:s}", "system", SYS_HEALTH_CARD,
                                        "value", r->health_card_no));
    }
    ok &= tc_rec__fhir_push(p, "name", json_pack("{s:s}", "text", r->name));
    if (r->phone) {
        ok &= tc_rec__fhir_push(
            p, "telecom",
            json_pack("{s:s,s:s}", "system", "phone", "value", r->phone));
    }
    ok &= tc_rec__fhir_put_str(p, "gender", TC_FHIR_MAP(gender_codes, r->sex));
    ok &= tc_rec__fhir_put_str(p, "birthDate", r->birth_date);
    if (addr && r->village) {
        ok &= tc_rec__fhir_put(addr, "line", json_pack("[s]", r->village));
    }
    ok &= tc_rec__fhir_push(p, "address", addr);
    if (r->disability_category != TC_REC_DISABILITY_NONE) {
        ok &= tc_rec__fhir_push(p, "extension", disability_json(r));
    }
    return ok ? p : (json_decref(p), NULL);
}

static int
patient_read(struct tc_rec_db *db, const char *id, json_t **out)
{
    struct tc_rec_resident *r = NULL;
    int64_t rid;
    int rc = tc_rec__fhir_id(db, "Patient", id, "", &rid);

    if (rc == 0) {
        rc = tc_rec_resident_get(db, rid, &r);
    }
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__fhir_done(db, patient_json(r), true, out);
    tc_rec_resident_free(r);
    return rc;
}

/* ---- JSON to record ---- */

/* What a Patient parses into; the strings borrow the JSON. */
struct patient_in {
    struct tc_rec_resident r;
    char name[NAME_BUF];
};

static int
parse_identifiers(struct tc_rec__fhir_in *in, const json_t *res,
                  struct patient_in *pi)
{
    const json_t *ids, *e;
    char p[TC_FHIR_PATH], vp[TC_FHIR_PATH];
    size_t i;
    int rc =
        tc_rec__fhir_array(in->db, res, "Patient", "identifier", true, &ids);

    json_array_foreach(ids, i, e)
    {
        const char *sys, *val, **slot;
        tc_rec__fhir_path(p, "Patient", "identifier", (int)i);
        rc = rc ? rc : tc_rec__fhir_str(in->db, e, p, "system", true, &sys);
        rc = rc ? rc : tc_rec__fhir_str(in->db, e, p, "value", true, &val);
        if (rc < 0) {
            return rc;
        }
        tc_rec__fhir_path(vp, p, "value", -1);
        if (strcmp(sys, TC_FHIR_SYS_RESIDENT_ID) == 0) {
            slot = (const char **)&pi->r.id_number;
            tc_rec__fhir_origin(in, "id_number", vp);
        } else if (strcmp(sys, SYS_HEALTH_CARD) == 0) {
            slot = (const char **)&pi->r.health_card_no;
            tc_rec__fhir_origin(in, "health_card_no", vp);
        } else {
            tc_rec__fhir_path(vp, p, "system", -1);
            return tc_rec__fhir_fail(in->db, -EINVAL, vp,
                                     "identifier system not supported");
        }
        if (*slot) {
            return tc_rec__fhir_fail(in->db, -EINVAL, p,
                                     "a second identifier of this system");
        }
        *slot = val;
    }
    if (rc == 0 && !pi->r.id_number) {
        return tc_rec__fhir_fail(in->db, -EINVAL, "Patient.identifier",
                                 "needs the resident ID number (system %s)",
                                 TC_FHIR_SYS_RESIDENT_ID);
    }
    return rc;
}

/* name[0]: text, or family followed by the given names. */
static int
parse_name(struct tc_rec__fhir_in *in, const json_t *res,
           struct patient_in *pi)
{
    const json_t *names, *n, *given, *g;
    const char *text, *family;
    char p[TC_FHIR_PATH] = "Patient.name[0]";
    size_t i, len;
    int rc = tc_rec__fhir_array(in->db, res, "Patient", "name", true, &names);

    if (rc < 0) {
        return rc;
    }
    if (json_array_size(names) > 1) {
        return tc_rec__fhir_fail(in->db, -EINVAL, "Patient.name[1]",
                                 "one name only");
    }
    n = json_array_get(names, 0);
    if (!json_is_object(n)) {
        return tc_rec__fhir_fail(in->db, -EINVAL, p, "must be a HumanName");
    }
    rc = tc_rec__fhir_only(
        in->db, n, p,
        (const char *const[]){"use", "text", "family", "given", NULL});
    rc = rc ? rc : tc_rec__fhir_str(in->db, n, p, "text", false, &text);
    rc = rc ? rc : tc_rec__fhir_str(in->db, n, p, "family", false, &family);
    rc = rc ? rc : tc_rec__fhir_array(in->db, n, p, "given", false, &given);
    if (rc < 0) {
        return rc;
    }
    tc_rec__fhir_origin(in, "name", p);
    if (text) {
        pi->r.name = (char *)text;
        return 0;
    }
    snprintf(pi->name, sizeof(pi->name), "%s", family ? family : "");
    json_array_foreach(given, i, g)
    {
        len = strlen(pi->name);
        if (!json_is_string(g) ||
            len + json_string_length(g) + 1 >= sizeof(pi->name)) {
            return tc_rec__fhir_fail(in->db, -EINVAL, p,
                                     "given: strings, %d bytes in all",
                                     NAME_BUF - 1);
        }
        snprintf(pi->name + len, sizeof(pi->name) - len, "%s",
                 json_string_value(g));
    }
    pi->r.name = pi->name[0] ? pi->name : NULL;
    return 0;
}

static int
parse_telecom(struct tc_rec__fhir_in *in, const json_t *res,
              struct patient_in *pi)
{
    static const char *const systems[] = {"phone"};
    const json_t *list, *t;
    char p[TC_FHIR_PATH], vp[TC_FHIR_PATH];
    size_t i;
    int sys, rc = tc_rec__fhir_array(in->db, res, "Patient", "telecom", false,
                                     &list);

    json_array_foreach(list, i, t)
    {
        tc_rec__fhir_path(p, "Patient", "telecom", (int)i);
        rc = rc ? rc
                : tc_rec__fhir_code(in->db, t, p, "system", true, systems, 1,
                                    &sys);
        rc = rc ? rc
                : tc_rec__fhir_str(in->db, t, p, "value", true,
                                   (const char **)&pi->r.phone);
        if (rc == 0 && i > 0) {
            rc = tc_rec__fhir_fail(in->db, -EINVAL, p, "one phone only");
        }
        tc_rec__fhir_path(vp, p, "value", -1);
        tc_rec__fhir_origin(in, "phone", vp);
    }
    return rc;
}

static int
parse_address(struct tc_rec__fhir_in *in, const json_t *res,
              struct patient_in *pi)
{
    const json_t *list, *a, *lines = NULL;
    char p[TC_FHIR_PATH] = "Patient.address[0]", lp[TC_FHIR_PATH];
    int rc =
        tc_rec__fhir_array(in->db, res, "Patient", "address", true, &list);

    if (rc < 0) {
        return rc;
    }
    if (json_array_size(list) > 1) {
        return tc_rec__fhir_fail(in->db, -EINVAL, "Patient.address[1]",
                                 "one address only");
    }
    a = json_array_get(list, 0);
    rc = json_is_object(a)
             ? 0
             : tc_rec__fhir_fail(in->db, -EINVAL, p, "must be an Address");
    rc = rc ? rc
            : tc_rec__fhir_only(
                  in->db, a, p,
                  (const char *const[]){"use", "district", "line", NULL});
    rc = rc ? rc
            : tc_rec__fhir_str(in->db, a, p, "district", true,
                               (const char **)&pi->r.township);
    rc = rc ? rc : tc_rec__fhir_array(in->db, a, p, "line", false, &lines);
    if (rc == 0 && lines) {
        tc_rec__fhir_path(lp, p, "line", 0);
        pi->r.village = (char *)json_string_value(json_array_get(lines, 0));
        if (!pi->r.village || json_array_size(lines) > 1) {
            rc = tc_rec__fhir_fail(in->db, -EINVAL, lp,
                                   "one line, a string: the village");
        }
        tc_rec__fhir_origin(in, "village", lp);
    }
    tc_rec__fhir_path(lp, p, "district", -1);
    tc_rec__fhir_origin(in, "township", lp);
    return rc;
}

/* The disability extension's sub-extension `url` at position i. */
static int
parse_disability_part(struct tc_rec__fhir_in *in, const json_t *e,
                      const char *p, struct patient_in *pi)
{
    static const char *const parts[] = {"certificate", "category", "grade"};
    char vp[TC_FHIR_PATH];
    int part, cat = 0, rc;
    int64_t grade = 0;

    rc = tc_rec__fhir_code(in->db, e, p, "url", true, parts, 3, &part);
    if (rc < 0) {
        return rc;
    }
    if (part == 0) {
        tc_rec__fhir_path(vp, p, "valueString", -1);
        tc_rec__fhir_origin(in, "disability_cert_no", vp);
        return tc_rec__fhir_str(in->db, e, p, "valueString", true,
                                (const char **)&pi->r.disability_cert_no);
    }
    if (part == 1) {
        rc = tc_rec__fhir_cc(in->db, e, p, "valueCoding", true, CS_DISABILITY,
                             true, disability_codes,
                             TC_FHIR_N(disability_codes), &cat);
        pi->r.disability_category = (enum tc_rec_disability)cat;
        return rc;
    }
    rc = tc_rec__fhir_int(in->db, e, p, "valueInteger", true, 1, 4, &grade);
    pi->r.disability_grade = (int)grade;
    return rc;
}

static int
parse_disability(struct tc_rec__fhir_in *in, const json_t *res,
                 struct patient_in *pi)
{
    const json_t *ext, *parts, *e;
    char p[TC_FHIR_PATH], sp[TC_FHIR_PATH];
    size_t i;
    int idx = 0;
    int rc =
        tc_rec__fhir_ext(in->db, res, "Patient", EXT_DISABILITY, &ext, &idx);

    if (rc < 0 || !ext) {
        return rc;
    }
    tc_rec__fhir_path(p, "Patient", "extension", idx);
    tc_rec__fhir_origin(in, "disability", p);
    tc_rec__fhir_origin(in, "disability_category", p);
    tc_rec__fhir_origin(in, "disability_grade", p);
    rc = tc_rec__fhir_array(in->db, ext, p, "extension", true, &parts);
    json_array_foreach(parts, i, e)
    {
        tc_rec__fhir_path(sp, p, "extension", (int)i);
        rc = rc                  ? rc
             : json_is_object(e) ? parse_disability_part(in, e, sp, pi)
                                 : tc_rec__fhir_fail(in->db, -EINVAL, sp,
                                                     "must be an extension");
    }
    return rc;
}

/* Gender and birth date: given, or read from the ID number. */
static int
parse_identity(struct tc_rec__fhir_in *in, const json_t *res,
               struct patient_in *pi, char birth[11])
{
    enum tc_rec_sex sex = 0;
    int g = 0;
    int rc = tc_rec__fhir_code(in->db, res, "Patient", "gender", false,
                               gender_codes, TC_FHIR_N(gender_codes), &g);

    if (rc == -EINVAL) {
        return tc_rec__fhir_fail(in->db, rc, "Patient.gender",
                                 "must be male or female (the resident ID "
                                 "number records one of them)");
    }
    rc = rc ? rc
            : tc_rec__fhir_date(in->db, res, "Patient", "birthDate", false,
                                (const char **)&pi->r.birth_date);
    if (rc < 0) {
        return rc;
    }
    tc_rec__fhir_origin(in, "sex", "Patient.gender");
    tc_rec__fhir_origin(in, "birth_date", "Patient.birthDate");
    pi->r.sex = (enum tc_rec_sex)g;
    if ((!g || !pi->r.birth_date) &&
        tc_rec_resident_id_decode(pi->r.id_number, birth, &sex) == 0) {
        pi->r.sex = g ? pi->r.sex : sex;
        pi->r.birth_date = pi->r.birth_date ? pi->r.birth_date : birth;
    }
    return 0;
}

static int
parse_patient(struct tc_rec__fhir_in *in, const json_t *res,
              struct patient_in *pi, char birth[11])
{
    static const char *const keys[] = {"identifier", "active",    "name",
                                       "telecom",    "gender",    "birthDate",
                                       "address",    "extension", NULL};
    int rc = tc_rec__fhir_only(in->db, res, "Patient", keys);

    rc = rc ? rc : parse_identifiers(in, res, pi);
    rc = rc ? rc : parse_name(in, res, pi);
    rc = rc ? rc : parse_identity(in, res, pi, birth);
    rc = rc ? rc : parse_telecom(in, res, pi);
    rc = rc ? rc : parse_address(in, res, pi);
    rc = rc ? rc : parse_disability(in, res, pi);
    pi->r.created_at_us = in->ctx->now_us;
    return rc;
}

static int
patient_create(struct tc_rec__fhir_in *in, const json_t *res,
               char id_out[TC_REC_FHIR_ID_MAX + 1])
{
    struct patient_in pi = {0};
    char birth[11];
    int64_t id = 0;
    int rc = parse_patient(in, res, &pi, birth);

    if (rc == 0) {
        rc = tc_rec__fhir_api(in, tc_rec_resident_create(in->db, &pi.r, &id));
    }
    if (rc == 0) {
        snprintf(id_out, TC_REC_FHIR_ID_MAX + 1, "%lld", (long long)id);
    }
    return rc;
}

static int
patient_update(struct tc_rec__fhir_in *in, const char *id, const json_t *res)
{
    struct patient_in pi = {0};
    char birth[11];
    int rc = tc_rec__fhir_id(in->db, "Patient", id, "", &pi.r.id);

    rc = rc ? rc : parse_patient(in, res, &pi, birth);
    if (rc == 0) {
        rc = tc_rec__fhir_api(in, tc_rec_resident_update(in->db, &pi.r));
    }
    return rc;
}

const struct tc_rec__fhir_type tc_rec__fhir_patient = {
    .name = "Patient",
    .read = patient_read,
    .create = patient_create,
    .update = patient_update,
};
