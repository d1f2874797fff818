// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-report.c - DiagnosticReport <- ECG study and its report
 * ("ecg-<study id>") and imaging study report ("imaging-<study id>").
 * Read only: reports are signed and amended through the workflow API.
 *
 *   DiagnosticReport (ecg-<id>)           ECG study
 *   status  registered (live, awaiting reading) | final (reported) |
 *           amended (amended)
 *   category v2-0074#EC (electrocardiac); code LOINC 11524-6 (EKG study)
 *   subject, effectiveDateTime = started_at_us
 *   performer[0] (Organization)           organization_id
 *   resultsInterpreter[0] (Practitioner)  the report's reader
 *   issued                                signed_at_us (latest version)
 *   result[0] = Observation/ecg-<id>      the measurements
 *   conclusion / conclusionCode[0].text   impression / rhythm
 *
 *   DiagnosticReport (imaging-<id>)       imaging study
 *   status  registered (received, assigned) | final | amended
 *   category v2-0074#RAD; code LOINC 18748-4 (diagnostic imaging study)
 *   subject, imagingStudy[0] = ImagingStudy/<id>
 *   resultsInterpreter[0], issued, conclusion   radiologist, signed,
 *                                              impression
 *   presentedForm[0] text/plain (base64)  findings
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fhir-int.h"

#define CS_V2_0074 "http://terminology.hl7.org/CodeSystem/v2-0074"

static const char *const ecg_status[] = {
    [TC_REC_ECG_LIVE] = "registered",
    [TC_REC_ECG_AWAITING_READING] = "registered",
    [TC_REC_ECG_REPORTED] = "final",
    [TC_REC_ECG_AMENDED] = "amended",
};

static const char *const imaging_status[] = {
    [TC_REC_IMAGING_RECEIVED] = "registered",
    [TC_REC_IMAGING_ASSIGNED] = "registered",
    [TC_REC_IMAGING_REPORTED] = "final",
    [TC_REC_IMAGING_AMENDED] = "amended",
};

/* The base64 of s (RFC 4648, padded), as a JSON string. */
static json_t *
base64_json(const char *s)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s), o = 0;
    char *out = malloc((n + 2) / 3 * 4 + 1);
    json_t *j;

    if (!out) {
        return NULL;
    }
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)s[i] << 16;
        v |= i + 1 < n ? (unsigned char)s[i + 1] << 8 : 0;
        v |= i + 2 < n ? (unsigned char)s[i + 2] : 0;
        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? abc[v & 63] : '=';
    }
    out[o] = '\0';
    j = json_string(out);
    free(out);
    return j;
}

static json_t *
report_base(const char *prefix, int64_t id, const char *status,
            const char *section, const char *loinc, const char *text,
            int64_t resident_id)
{
    json_t *res = tc_rec__fhir_resource_new("DiagnosticReport", prefix, id);
    bool ok = res != NULL;

    ok &= tc_rec__fhir_put_str(res, "status", status);
    ok &= tc_rec__fhir_push(res, "category",
                            tc_rec__fhir_cc_new(CS_V2_0074, section, NULL));
    ok &= tc_rec__fhir_put(
        res, "code", tc_rec__fhir_cc_new(TC_FHIR_SYS_LOINC, loinc, text));
    ok &= tc_rec__fhir_put_ref(res, "subject", "Patient", resident_id);
    return ok ? res : (json_decref(res), NULL);
}

static json_t *
ecg_json(const struct tc_rec_ecg_study *s)
{
    const struct tc_rec_ecg_report *r = s->report;
    json_t *res =
        report_base("ecg-", s->id, TC_FHIR_MAP(ecg_status, s->status), "EC",
                    "11524-6", "EKG study", s->resident_id);
    bool ok = res != NULL;

    ok &= !res ||
          tc_rec__fhir_put_instant(res, "effectiveDateTime", s->started_at_us);
    if (res && s->organization_id) {
        ok &= tc_rec__fhir_push(
            res, "performer",
            tc_rec__fhir_ref_new("Organization", "", s->organization_id));
    }
    if (res && r) {
        ok &= tc_rec__fhir_put_instant(res, "issued", r->signed_at_us);
        ok &= tc_rec__fhir_push(
            res, "resultsInterpreter",
            tc_rec__fhir_ref_new("Practitioner", "", r->reader_id));
        ok &= tc_rec__fhir_push(
            res, "result", tc_rec__fhir_ref_new("Observation", "ecg-", s->id));
        ok &= tc_rec__fhir_put_str(res, "conclusion", r->impression);
        ok &= tc_rec__fhir_push(res, "conclusionCode",
                                json_pack("{s:s}", "text", r->rhythm));
    }
    return ok ? res : (json_decref(res), NULL);
}

static json_t *
imaging_json(const struct tc_rec_imaging_study *s)
{
    const struct tc_rec_imaging_report *r = s->report;
    json_t *res = report_base(
        "imaging-", s->id, TC_FHIR_MAP(imaging_status, s->status), "RAD",
        "18748-4", "Diagnostic imaging study", s->resident_id);
    bool ok = res != NULL;

    ok &= !res ||
          tc_rec__fhir_push(res, "imagingStudy",
                            tc_rec__fhir_ref_new("ImagingStudy", "", s->id));
    if (res && r) {
        ok &= tc_rec__fhir_put_instant(res, "issued", r->signed_at_us);
        ok &= tc_rec__fhir_push(
            res, "resultsInterpreter",
            tc_rec__fhir_ref_new("Practitioner", "", r->radiologist_id));
        ok &= tc_rec__fhir_put_str(res, "conclusion", r->impression);
        ok &= tc_rec__fhir_push(res, "presentedForm",
                                json_pack("{s:s,s:s,s:o}", "contentType",
                                          "text/plain; charset=utf-8", "title",
                                          "Findings", "data",
                                          base64_json(r->findings)));
    }
    return ok ? res : (json_decref(res), NULL);
}

static int
report_read(struct tc_rec_db *db, const char *id, json_t **out)
{
    struct tc_rec_ecg_study *e = NULL;
    struct tc_rec_imaging_study *im = NULL;
    int64_t rid;
    int rc;

    if (strncmp(id, "ecg-", 4) == 0) {
        rc = tc_rec__fhir_id(db, "DiagnosticReport", id, "ecg-", &rid);
        rc = rc ? rc : tc_rec_ecg_study_get(db, rid, &e);
        rc = rc ? rc : tc_rec__fhir_done(db, ecg_json(e), true, out);
        tc_rec_ecg_study_free(e);
        return rc;
    }
    rc = tc_rec__fhir_id(db, "DiagnosticReport", id, "imaging-", &rid);
    rc = rc ? rc : tc_rec_imaging_study_get(db, rid, &im);
    rc = rc ? rc : tc_rec__fhir_done(db, imaging_json(im), true, out);
    tc_rec_imaging_study_free(im);
    return rc;
}

const struct tc_rec__fhir_type tc_rec__fhir_report = {
    .name = "DiagnosticReport",
    .read = report_read,
};
