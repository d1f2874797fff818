// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-observation.c - Observation <- Barthel assessment ("barthel-<id>",
 * read and create) and ECG measurements ("ecg-<study id>", read, once the
 * study is reported).
 *
 *   Observation (barthel-<id>)            Barthel assessment
 *   status = final; category survey (observation-category)
 *   code <base>/CodeSystem/barthel#total  (a telecare code: we are not
 *        sure of the LOINC code for the Barthel total, so none is sent)
 *   subject (Patient)                     resident_id
 *   basedOn[0] (CarePlan)                 plan_id
 *   effectiveDateTime                     assessed_at_us
 *   performer[0] (Practitioner)           assessor_id
 *   valueInteger                          total (computed; on create it
 *                                         may be given and must agree)
 *   interpretation[0] (<base>/CodeSystem/barthel-band)
 *       total | severe | moderate | slight | independent      band
 *   component[i].code (<base>/CodeSystem/barthel) feeding, bathing,
 *       grooming, dressing, bowels, bladder, toilet_use, transfers,
 *       mobility, stairs; component[i].valueInteger           items
 *   note[0].text                          note
 *
 *   Observation (ecg-<id>)                ECG report, latest version
 *   status final | amended; category procedure
 *   code LOINC 11524-6 (EKG study)
 *   effectiveDateTime = study start; issued = signed time
 *   performer[0] = reader; subject
 *   component: LOINC 8867-4 heart rate (/min), 8625-6 PR interval,
 *     8633-0 QRS duration, 8634-8 QT interval, 8636-3 QTc interval (ms);
 *     a measurement of 0 ("not measured") is left out.
 *     (The interval codes are from memory of LOINC: check before relying
 *     on them.)
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "fhir-int.h"

#define CS_BARTHEL TC_FHIR_CS("barthel")
#define CS_BAND    TC_FHIR_CS("barthel-band")
#define CS_OBS_CAT "http://terminology.hl7.org/CodeSystem/observation-category"
#define UCUM       "http://unitsofmeasure.org"
#define N_ITEMS    10

static const char *const item_codes[N_ITEMS] = {
    "feeding", "bathing",    "grooming",  "dressing", "bowels",
    "bladder", "toilet_use", "transfers", "mobility", "stairs"};

static const size_t item_offsets[N_ITEMS] = {
    offsetof(struct tc_rec_barthel_items, feeding),
    offsetof(struct tc_rec_barthel_items, bathing),
    offsetof(struct tc_rec_barthel_items, grooming),
    offsetof(struct tc_rec_barthel_items, dressing),
    offsetof(struct tc_rec_barthel_items, bowels),
    offsetof(struct tc_rec_barthel_items, bladder),
    offsetof(struct tc_rec_barthel_items, toilet_use),
    offsetof(struct tc_rec_barthel_items, transfers),
    offsetof(struct tc_rec_barthel_items, mobility),
    offsetof(struct tc_rec_barthel_items, stairs),
};

static const char *const status_codes[] = {"final"};

static int *
item(struct tc_rec_barthel_items *items, int i)
{
    return (int *)((char *)items + item_offsets[i]);
}

/* ---- Barthel: record to JSON ---- */

static json_t *
barthel_json(const struct tc_rec_barthel *b)
{
    json_t *res = tc_rec__fhir_resource_new("Observation", "barthel-", b->id);
    struct tc_rec_barthel_items items = b->items;
    bool ok = res != NULL;

    ok &= tc_rec__fhir_put_str(res, "status", "final");
    ok &= tc_rec__fhir_push(res, "category",
                            tc_rec__fhir_cc_new(CS_OBS_CAT, "survey", NULL));
    ok &= tc_rec__fhir_put(
        res, "code",
        tc_rec__fhir_cc_new(CS_BARTHEL, "total", "Barthel index"));
    ok &= tc_rec__fhir_put_ref(res, "subject", "Patient", b->resident_id);
    if (b->plan_id) {
        ok &= tc_rec__fhir_push(
            res, "basedOn", tc_rec__fhir_ref_new("CarePlan", "", b->plan_id));
    }
    ok &=
        tc_rec__fhir_put_instant(res, "effectiveDateTime", b->assessed_at_us);
    ok &= tc_rec__fhir_push(
        res, "performer",
        tc_rec__fhir_ref_new("Practitioner", "", b->assessor_id));
    ok &= tc_rec__fhir_put(res, "valueInteger", json_integer(b->total));
    ok &= tc_rec__fhir_push(
        res, "interpretation",
        tc_rec__fhir_cc_new(CS_BAND, tc_rec_barthel_band_to_string(b->band),
                            NULL));
    for (int i = 0; i < N_ITEMS; i++) {
        ok &= tc_rec__fhir_push(
            res, "component",
            json_pack("{s:o,s:i}", "code",
                      tc_rec__fhir_cc_new(CS_BARTHEL, item_codes[i], NULL),
                      "valueInteger", *item(&items, i)));
    }
    if (b->note) {
        ok &= tc_rec__fhir_push(res, "note",
                                json_pack("{s:s}", "text", b->note));
    }
    return ok ? res : (json_decref(res), NULL);
}

/* ---- ECG measurements ---- */

static bool
push_measure(json_t *res, const char *loinc, const char *text, int v,
             const char *unit)
{
    if (v <= 0) {
        return true;
    }
    return tc_rec__fhir_push(
        res, "component",
        json_pack("{s:o,s:{s:i,s:s,s:s,s:s}}", "code",
                  tc_rec__fhir_cc_new(TC_FHIR_SYS_LOINC, loinc, text),
                  "valueQuantity", "value", v, "unit", unit, "system", UCUM,
                  "code", unit));
}

static json_t *
ecg_json(const struct tc_rec_ecg_study *s)
{
    const struct tc_rec_ecg_report *r = s->report;
    json_t *res = tc_rec__fhir_resource_new("Observation", "ecg-", s->id);
    bool ok = res != NULL;

    ok &= tc_rec__fhir_put_str(res, "status",
                               r->version > 1 ? "amended" : "final");
    ok &= tc_rec__fhir_push(
        res, "category", tc_rec__fhir_cc_new(CS_OBS_CAT, "procedure", NULL));
    ok &= tc_rec__fhir_put(
        res, "code",
        tc_rec__fhir_cc_new(TC_FHIR_SYS_LOINC, "11524-6", "EKG study"));
    ok &= tc_rec__fhir_put_ref(res, "subject", "Patient", s->resident_id);
    ok &= tc_rec__fhir_put_instant(res, "effectiveDateTime", s->started_at_us);
    ok &= tc_rec__fhir_put_instant(res, "issued", r->signed_at_us);
    ok &= tc_rec__fhir_push(
        res, "performer",
        tc_rec__fhir_ref_new("Practitioner", "", r->reader_id));
    ok &= push_measure(res, "8867-4", "Heart rate", r->heart_rate_bpm, "/min");
    ok &= push_measure(res, "8625-6", "PR interval", r->pr_ms, "ms");
    ok &= push_measure(res, "8633-0", "QRS duration", r->qrs_ms, "ms");
    ok &= push_measure(res, "8634-8", "QT interval", r->qt_ms, "ms");
    ok &= push_measure(res, "8636-3", "QTc interval", r->qtc_ms, "ms");
    return ok ? res : (json_decref(res), NULL);
}

static int
observation_read(struct tc_rec_db *db, const char *id, json_t **out)
{
    struct tc_rec_barthel *b = NULL;
    struct tc_rec_ecg_study *s = NULL;
    int64_t rid;
    int rc;

    if (strncmp(id, "ecg-", 4) == 0) {
        rc = tc_rec__fhir_id(db, "Observation", id, "ecg-", &rid);
        rc = rc ? rc : tc_rec_ecg_study_get(db, rid, &s);
        if (rc == 0 && !s->report) {
            rc = tc_rec__fhir_fail(db, -ENOENT, "",
                                   "ECG study %s is not reported yet", id);
        }
        rc = rc ? rc : tc_rec__fhir_done(db, ecg_json(s), true, out);
        tc_rec_ecg_study_free(s);
        return rc;
    }
    rc = tc_rec__fhir_id(db, "Observation", id, "barthel-", &rid);
    rc = rc ? rc : tc_rec_barthel_get(db, rid, &b);
    rc = rc ? rc : tc_rec__fhir_done(db, barthel_json(b), true, out);
    tc_rec_barthel_free(b);
    return rc;
}

/* ---- Barthel: JSON to record ---- */

static int
parse_components(struct tc_rec__fhir_in *in, const json_t *res,
                 struct tc_rec_barthel_items *items)
{
    const json_t *comps, *c;
    char p[TC_FHIR_PATH], vp[TC_FHIR_PATH];
    static const char *const fields[N_ITEMS] = {
        "barthel.feeding",    "barthel.bathing",   "barthel.grooming",
        "barthel.dressing",   "barthel.bowels",    "barthel.bladder",
        "barthel.toilet_use", "barthel.transfers", "barthel.mobility",
        "barthel.stairs"};
    unsigned seen = 0;
    size_t i;
    int rc = tc_rec__fhir_array(in->db, res, "Observation", "component", true,
                                &comps);

    json_array_foreach(comps, i, c)
    {
        int k = 0;
        int64_t v = 0;
        tc_rec__fhir_path(p, "Observation", "component", (int)i);
        rc = rc ? rc
                : tc_rec__fhir_cc(in->db, c, p, "code", false, CS_BARTHEL,
                                  true, item_codes, N_ITEMS, &k);
        if (rc == 0 && (seen & (1u << k))) {
            rc = tc_rec__fhir_fail(in->db, -EINVAL, p, "an item repeats");
        }
        rc = rc ? rc
                : tc_rec__fhir_int(in->db, c, p, "valueInteger", true, 0, 100,
                                   &v);
        if (rc < 0) {
            return rc;
        }
        seen |= 1u << k;
        *item(items, k) = (int)v;
        tc_rec__fhir_path(vp, p, "valueInteger", -1);
        tc_rec__fhir_origin(in, fields[k], vp);
    }
    for (int k = 0; rc == 0 && k < N_ITEMS; k++) {
        if (!(seen & (1u << k))) {
            rc = tc_rec__fhir_fail(in->db, -EINVAL, "Observation.component",
                                   "needs every Barthel item: %s is missing",
                                   item_codes[k]);
        }
    }
    return rc;
}

static int
parse_barthel(struct tc_rec__fhir_in *in, const json_t *res,
              struct tc_rec_barthel_new *bn, int64_t *total)
{
    static const char *const keys[] = {
        "status",         "category",          "code",      "subject",
        "basedOn",        "effectiveDateTime", "performer", "valueInteger",
        "interpretation", "component",         "note",      NULL};
    static const char *const total_code[] = {"total"};
    const json_t *perf, *based, *notes;
    int st = 0, code = 0;
    int rc = tc_rec__fhir_only(in->db, res, "Observation", keys);

    rc = rc ? rc
            : tc_rec__fhir_code(in->db, res, "Observation", "status", true,
                                status_codes, 1, &st);
    rc = rc ? rc
            : tc_rec__fhir_cc(in->db, res, "Observation", "code", false,
                              CS_BARTHEL, true, total_code, 1, &code);
    rc = rc ? rc
            : tc_rec__fhir_ref(in->db, res, "Observation", "subject",
                               "Patient", true, &bn->resident_id);
    rc = rc ? rc
            : tc_rec__fhir_instant(in->db, res, "Observation",
                                   "effectiveDateTime", true,
                                   &bn->assessed_at_us);
    rc = rc ? rc
            : tc_rec__fhir_array(in->db, res, "Observation", "performer", true,
                                 &perf);
    rc = rc ? rc
            : tc_rec__fhir_ref_value(in->db, json_array_get(perf, 0),
                                     "Observation.performer[0]",
                                     "Practitioner", &bn->assessor_id);
    rc = rc ? rc
            : tc_rec__fhir_array(in->db, res, "Observation", "basedOn", false,
                                 &based);
    if (rc == 0 && based) {
        rc = tc_rec__fhir_ref_value(in->db, json_array_get(based, 0),
                                    "Observation.basedOn[0]", "CarePlan",
                                    &bn->plan_id);
    }
    rc = rc ? rc
            : tc_rec__fhir_array(in->db, res, "Observation", "note", false,
                                 &notes);
    if (rc == 0 && notes) {
        rc = tc_rec__fhir_str(in->db, json_array_get(notes, 0),
                              "Observation.note[0]", "text", true, &bn->note);
    }
    rc = rc ? rc
            : tc_rec__fhir_int(in->db, res, "Observation", "valueInteger",
                               false, 0, 100, total);
    rc = rc ? rc : parse_components(in, res, &bn->items);
    tc_rec__fhir_origin(in, "resident_id", "Observation.subject");
    tc_rec__fhir_origin(in, "assessor_id", "Observation.performer[0]");
    tc_rec__fhir_origin(in, "plan_id", "Observation.basedOn[0]");
    tc_rec__fhir_origin(in, "note", "Observation.note[0].text");
    return rc;
}

static int
observation_create(struct tc_rec__fhir_in *in, const json_t *res,
                   char id_out[TC_REC_FHIR_ID_MAX + 1])
{
    struct tc_rec_barthel_new bn = {0};
    struct tc_rec_barthel *b = NULL;
    int64_t total = -1, id = 0;
    int rc = parse_barthel(in, res, &bn, &total);

    rc = rc ? rc
            : tc_rec__fhir_api(in, tc_rec_barthel_record(in->db, &bn, &id));
    rc = rc ? rc : tc_rec_barthel_get(in->db, id, &b);
    if (rc == 0 && total >= 0 && total != b->total) {
        rc = tc_rec__fhir_fail(in->db, -EINVAL, "Observation.valueInteger",
                               "is not the sum of the items (%d)", b->total);
    }
    tc_rec_barthel_free(b);
    if (rc == 0) {
        snprintf(id_out, TC_REC_FHIR_ID_MAX + 1, "barthel-%lld",
                 (long long)id);
    }
    return rc;
}

const struct tc_rec__fhir_type tc_rec__fhir_observation = {
    .name = "Observation",
    .read = observation_read,
    .create = observation_create,
};
