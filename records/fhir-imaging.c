// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-imaging.c - ImagingStudy <- imaging study with its series and
 * instances (read only: studies arrive over DICOM).
 *
 *   ImagingStudy                          imaging study
 *   id                                    id
 *   status = available (every indexed study has instances)
 *   identifier[0] urn:dicom:uid "urn:oid:<uid>"   study_uid
 *   identifier[1] (type v2-0203#ACSN)     accession
 *   subject (Patient)                     resident_id; an unmatched study
 *                                         has {"display": "unmatched"} or,
 *                                         when the DICOM header named the
 *                                         patient, {identifier: {value:
 *                                         Patient ID}, display: the name
 *                                         in UTF-8: the ideographic group
 *                                         when there is one ("王小东"),
 *                                         else the alphabetic one}
 *   started                               study_date
 *   modality[] (DICOM DCM)                every modality of its series
 *                                         (modality when none recorded)
 *   referrer                              who requested the reading
 *   description, numberOfSeries, numberOfInstances
 *   interpreter[0]                        radiologist_id
 *   series[i]: uid, number, modality, description, numberOfInstances,
 *     instance[j]: uid, sopClass (urn:ietf:rfc:3986 "urn:oid:<uid>"),
 *     number
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fhir-int.h"

#define CS_DCM     "http://dicom.nema.org/resources/ontology/DCM"
#define CS_V2_0203 "http://terminology.hl7.org/CodeSystem/v2-0203"

static json_t *
oid(const char *uid)
{
    char s[80];

    snprintf(s, sizeof(s), "urn:oid:%s", uid);
    return json_string(s);
}

static json_t *
series_json(struct tc_rec_db *db, const struct tc_rec_imaging_series *se,
            int *rc)
{
    struct tc_rec_imaging_instance_list *list = NULL;
    json_t *j = json_pack("{s:s,s:{s:s,s:s},s:i}", "uid", se->series_uid,
                          "modality", "system", CS_DCM, "code", se->modality,
                          "numberOfInstances", se->n_instances);
    bool ok = j != NULL;

    *rc = tc_rec_imaging_instance_list(db, se->id, &list);
    if (*rc < 0) {
        json_decref(j);
        return NULL;
    }
    if (j && se->number >= 0) {
        ok &= tc_rec__fhir_put(j, "number", json_integer(se->number));
    }
    ok &= !j || tc_rec__fhir_put_str(j, "description", se->description);
    for (size_t i = 0; j && i < list->count; i++) {
        json_t *in = json_pack("{s:s,s:{s:s,s:o}}", "uid",
                               list->items[i].sop_instance_uid, "sopClass",
                               "system", "urn:ietf:rfc:3986", "code",
                               oid(list->items[i].sop_class_uid));
        if (in && list->items[i].instance_number > 0) {
            ok &= tc_rec__fhir_put(
                in, "number", json_integer(list->items[i].instance_number));
        }
        ok &= tc_rec__fhir_push(j, "instance", in);
    }
    tc_rec_imaging_instance_list_free(list);
    return ok ? j : (json_decref(j), NULL);
}

/* A DICOM PN "alpha=ideo=phon" for people: the ideographic group with
 * its '^' dropped (Chinese names are written family-given without a
 * space), else the alphabetic one with '^' as a space. */
static json_t *
pn_display(const char *pn)
{
    const char *eq = strchr(pn, '='), *from = pn;
    size_t len = eq ? (size_t)(eq - pn) : strlen(pn);
    char buf[800];
    size_t n = 0;
    bool ideo = false;

    if (eq && eq[1] && eq[1] != '=') {
        const char *end = strchr(eq + 1, '=');
        from = eq + 1;
        len = end ? (size_t)(end - from) : strlen(from);
        ideo = true;
    }
    for (size_t i = 0; i < len && n + 1 < sizeof(buf); i++) {
        if (from[i] != '^') {
            buf[n++] = from[i];
        } else if (!ideo && n > 0) {
            buf[n++] = ' ';
        }
    }
    buf[n] = '\0';
    return json_string(buf);
}

static json_t *
unmatched_subject(const struct tc_rec_imaging_study *s)
{
    json_t *j = json_object();

    if (s->patient_dicom_id) {
        json_object_set_new(j, "identifier",
                            json_pack("{s:s}", "value", s->patient_dicom_id));
    }
    json_object_set_new(j, "display",
                        s->patient_name ? pn_display(s->patient_name)
                                        : json_string("unmatched"));
    return j;
}

static bool
put_modalities(json_t *res, const struct tc_rec_imaging_study *s)
{
    const char *list = s->modalities ? s->modalities : s->modality;
    bool ok = true;

    while (list && *list) {
        size_t n = strcspn(list, "\\");
        char code[17];
        snprintf(code, sizeof(code), "%.*s", (int)(n < 16 ? n : 16), list);
        ok &= tc_rec__fhir_push(
            res, "modality",
            json_pack("{s:s,s:s}", "system", CS_DCM, "code", code));
        list += n + (list[n] ? 1 : 0);
    }
    return ok;
}

static json_t *
study_json(struct tc_rec_db *db, const struct tc_rec_imaging_study *s, int *rc)
{
    json_t *res = tc_rec__fhir_resource_new("ImagingStudy", "", s->id);
    bool ok = res != NULL;

    ok &= tc_rec__fhir_put_str(res, "status", "available");
    ok &= tc_rec__fhir_push(res, "identifier",
                            json_pack("{s:s,s:o}", "system", "urn:dicom:uid",
                                      "value", oid(s->study_uid)));
    if (s->accession) {
        ok &= tc_rec__fhir_push(
            res, "identifier",
            json_pack("{s:o,s:s}", "type",
                      tc_rec__fhir_cc_new(CS_V2_0203, "ACSN", NULL), "value",
                      s->accession));
    }
    ok &= s->resident_id
              ? tc_rec__fhir_put_ref(res, "subject", "Patient", s->resident_id)
              : tc_rec__fhir_put(res, "subject", unmatched_subject(s));
    ok &= tc_rec__fhir_put_str(res, "started", s->study_date);
    ok &= put_modalities(res, s);
    if (s->requested_by) {
        ok &= tc_rec__fhir_put(
            res, "referrer",
            tc_rec__fhir_ref_new("Practitioner", "", s->requested_by));
    }
    ok &= tc_rec__fhir_put_str(res, "description", s->description);
    ok &= tc_rec__fhir_put(res, "numberOfSeries", json_integer(s->n_series));
    ok &= tc_rec__fhir_put(res, "numberOfInstances",
                           json_integer(s->n_instances));
    if (s->radiologist_id) {
        ok &= tc_rec__fhir_push(
            res, "interpreter",
            tc_rec__fhir_ref_new("Practitioner", "", s->radiologist_id));
    }
    for (int i = 0; ok && s->series && i < s->n_series; i++) {
        ok &= tc_rec__fhir_push(res, "series",
                                series_json(db, &s->series[i], rc));
    }
    return ok ? res : (json_decref(res), NULL);
}

static int
imaging_read(struct tc_rec_db *db, const char *id, json_t **out)
{
    struct tc_rec_imaging_study *s = NULL;
    json_t *res = NULL;
    int64_t sid;
    int rc = tc_rec__fhir_id(db, "ImagingStudy", id, "", &sid);

    rc = rc ? rc : tc_rec_imaging_study_get(db, sid, &s);
    if (rc == 0) {
        res = study_json(db, s, &rc);
    }
    tc_rec_imaging_study_free(s);
    if (rc < 0) {
        json_decref(res);
        return rc;
    }
    return tc_rec__fhir_done(db, res, true, out);
}

const struct tc_rec__fhir_type tc_rec__fhir_imaging = {
    .name = "ImagingStudy",
    .read = imaging_read,
};
