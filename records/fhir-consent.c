// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-consent.c - Consent <- consultation consent (read only: consent is
 * given and withdrawn through the workflow API).
 *
 *   Consent                               consultation consent
 *   id                                    id
 *   status  active | inactive             given | withdrawn
 *   scope = consentscope#treatment (teleconsultation) |
 *           consentscope#patient-privacy (recording)
 *   category[0] LOINC 59284-0 (Patient consent); category[1]
 *       <base>/CodeSystem/consent-kind teleconsultation | recording
 *   patient                               the consultation's resident
 *   dateTime                              given_at_us
 *   performer[0]                          Patient (carer_id 0), or
 *       {"display": "carer <id>"} (carers are no FHIR resource here)
 *   extension[<base>/StructureDefinition/consent-recorded-by]
 *       .valueReference (Practitioner)    recorded_by
 *   policyRule = v3-ActCode#OPTIN
 *   provision.type = permit; provision.period start/end  given/withdrawn
 *   provision.data[0] {meaning related, reference ServiceRequest/<c>}
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdio.h>

#include "fhir-int.h"

#define CS_SCOPE     "http://terminology.hl7.org/CodeSystem/consentscope"
#define CS_ACTCODE   "http://terminology.hl7.org/CodeSystem/v3-ActCode"
#define CS_KIND      TC_FHIR_CS("consent-kind")
#define EXT_RECORDER TC_FHIR_EXT("consent-recorded-by")

static json_t *
performer_json(const struct tc_rec_consultation *c,
               const struct tc_rec_consultation_consent *k)
{
    char s[64];

    if (!k->carer_id) {
        return tc_rec__fhir_ref_new("Patient", "", c->resident_id);
    }
    snprintf(s, sizeof(s), "carer %lld", (long long)k->carer_id);
    return json_pack("{s:s}", "display", s);
}

static json_t *
consent_json(const struct tc_rec_consultation *c,
             const struct tc_rec_consultation_consent *k)
{
    bool recording = k->kind == TC_REC_CONSENT_RECORDING;
    json_t *res = tc_rec__fhir_resource_new("Consent", "", k->id);
    json_t *period = json_object();
    bool ok = res && period;

    ok &= tc_rec__fhir_push(
        res, "extension",
        tc_rec__fhir_ext_new(
            EXT_RECORDER, "valueReference",
            tc_rec__fhir_ref_new("Practitioner", "", k->recorded_by)));
    ok &= tc_rec__fhir_put_str(res, "status",
                               k->withdrawn_at_us ? "inactive" : "active");
    ok &= tc_rec__fhir_put(
        res, "scope",
        tc_rec__fhir_cc_new(
            CS_SCOPE, recording ? "patient-privacy" : "treatment", NULL));
    ok &= tc_rec__fhir_push(
        res, "category",
        tc_rec__fhir_cc_new(TC_FHIR_SYS_LOINC, "59284-0", NULL));
    ok &= tc_rec__fhir_push(
        res, "category",
        tc_rec__fhir_cc_new(
            CS_KIND, recording ? "recording" : "teleconsultation", NULL));
    ok &= tc_rec__fhir_put_ref(res, "patient", "Patient", c->resident_id);
    ok &= tc_rec__fhir_put_instant(res, "dateTime", k->given_at_us);
    ok &= tc_rec__fhir_push(res, "performer", performer_json(c, k));
    ok &= tc_rec__fhir_put(res, "policyRule",
                           tc_rec__fhir_cc_new(CS_ACTCODE, "OPTIN", NULL));
    ok &= !period || tc_rec__fhir_put_instant(period, "start", k->given_at_us);
    ok &=
        !period || tc_rec__fhir_put_instant(period, "end", k->withdrawn_at_us);
    ok &= tc_rec__fhir_put(
        res, "provision",
        json_pack("{s:s,s:o,s:[{s:s,s:o}]}", "type", "permit", "period",
                  period, "data", "meaning", "related", "reference",
                  tc_rec__fhir_ref_new("ServiceRequest", "", c->id)));
    return ok ? res : (json_decref(res), NULL);
}

static int
consent_read(struct tc_rec_db *db, const char *id, json_t **out)
{
    struct tc_rec_consultation *c = NULL;
    int64_t kid, cid = 0;
    int rc = tc_rec__fhir_id(db, "Consent", id, "", &kid);

    rc = rc ? rc
            : tc_rec__fhir_lookup(db,
                                  "SELECT consultation_id FROM "
                                  "consultation_consents WHERE id = ?",
                                  kid, &cid);
    if (rc == -ENOENT && !db->errmsg[0]) {
        return tc_rec__fhir_fail(db, rc, "", "no Consent %s", id);
    }
    rc = rc ? rc : tc_rec_consultation_get(db, cid, &c);
    for (size_t i = 0; rc == 0 && i < c->n_consents; i++) {
        if (c->consents[i].id == kid) {
            rc = tc_rec__fhir_done(db, consent_json(c, &c->consents[i]), true,
                                   out);
            tc_rec_consultation_free(c);
            return rc;
        }
    }
    tc_rec_consultation_free(c);
    return rc < 0 ? rc : tc_rec__fhir_fail(db, -ENOENT, "", "no Consent");
}

const struct tc_rec__fhir_type tc_rec__fhir_consent = {
    .name = "Consent",
    .read = consent_read,
};
