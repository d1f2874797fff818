// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-contract.c - Contract <-> family-doctor contract (read, create).
 *
 *   Contract                                   contract
 *   id                                         id
 *   status, expirationType (below)             status, end_reason
 *   subject[0] (Patient)                       resident_id
 *   extension[<base>/StructureDefinition/contract-team].valueReference
 *                                              team_id (CareTeam)
 *   extension[.../contract-previous].valueReference  previous_id (Contract)
 *   extension[.../contract-ended].valueDateTime      ended_at_us
 *   issued                                     offered_at_us
 *   author (Practitioner)                      offered_by
 *   term[i].type.coding[system=<base>/CodeSystem/service-package].code
 *       basic | disability_rehab | elderly_care | chronic_disease
 *       | maternal_child                       one term per package
 *   term[i].applies.start / .end               period_start / period_end
 *                                              (the same in every term)
 *   signer[0].type = <base>/CodeSystem/contract-signer#family-doctor-team
 *   signer[0].party (Practitioner)             signed_by
 *   signer[0].signature[0].when                signed_at_us
 *   signer[0].signature[0].type[0]
 *       (<base>/CodeSystem/sign-method) in_person | online   sign_method
 *
 * Status (FHIR contract-status; expirationType, a CodeableConcept of
 * <base>/CodeSystem/contract-end, says why a contract ended and carries
 * the end reason as its text):
 *
 *   records      FHIR status   expirationType
 *   offered      offered       -
 *   active       executed      -
 *   renewed      renewed       -       (its successor names it previous)
 *   terminated   terminated    terminated
 *   expired      terminated    expired (FHIR: "reaches its expiry date")
 *   withdrawn    revoked       withdrawn
 *
 * A create accepts status offered (an offer) or executed (an offer signed
 * at once, which needs signer[0]); any other status is -EPERM: contracts
 * move through the workflow API. No update through FHIR.
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fhir-int.h"

#define EXT_TEAM       TC_FHIR_EXT("contract-team")
#define EXT_PREVIOUS   TC_FHIR_EXT("contract-previous")
#define EXT_ENDED      TC_FHIR_EXT("contract-ended")
#define CS_PACKAGE     TC_FHIR_CS("service-package")
#define CS_END         TC_FHIR_CS("contract-end")
#define CS_SIGNER      TC_FHIR_CS("contract-signer")
#define CS_SIGN_METHOD TC_FHIR_CS("sign-method")
#define TERM_MAX       16

static const char *const status_fhir[] = {
    [TC_REC_CONTRACT_OFFERED] = "offered",
    [TC_REC_CONTRACT_ACTIVE] = "executed",
    [TC_REC_CONTRACT_RENEWED] = "renewed",
    [TC_REC_CONTRACT_TERMINATED] = "terminated",
    [TC_REC_CONTRACT_EXPIRED] = "terminated",
    [TC_REC_CONTRACT_WITHDRAWN] = "revoked",
};

static const char *const end_codes[] = {
    [TC_REC_CONTRACT_TERMINATED] = "terminated",
    [TC_REC_CONTRACT_EXPIRED] = "expired",
    [TC_REC_CONTRACT_WITHDRAWN] = "withdrawn",
};

/* Every code of FHIR R4 contract-status; only the first two can create. */
static const char *const status_any[] = {
    "offered",  "executed",         "amended",    "appended",   "cancelled",
    "disputed", "entered-in-error", "executable", "negotiable", "policy",
    "rejected", "renewed",          "resolved",   "revoked",    "terminated",
};

static const char *const package_codes[] = {
    [TC_REC_PACKAGE_BASIC] = "basic",
    [TC_REC_PACKAGE_DISABILITY_REHAB] = "disability_rehab",
    [TC_REC_PACKAGE_ELDERLY_CARE] = "elderly_care",
    [TC_REC_PACKAGE_CHRONIC_DISEASE] = "chronic_disease",
    [TC_REC_PACKAGE_MATERNAL_CHILD] = "maternal_child",
};

static const char *const method_codes[] = {
    [TC_REC_SIGN_IN_PERSON] = "in_person",
    [TC_REC_SIGN_ONLINE] = "online",
};

/* ---- Record to JSON ---- */

static json_t *
signer_json(const struct tc_rec_contract *c)
{
    json_t *sig = json_pack(
        "{s:[{s:s,s:s}],s:o,s:o}", "type", "system", CS_SIGN_METHOD, "code",
        TC_FHIR_MAP(method_codes, c->sign_method)
            ? TC_FHIR_MAP(method_codes, c->sign_method)
            : "in_person",
        "when", tc_rec__fhir_instant_new(c->signed_at_us), "who",
        tc_rec__fhir_ref_new("Practitioner", "", c->signed_by));

    return json_pack("{s:{s:s,s:s},s:o,s:[o]}", "type", "system", CS_SIGNER,
                     "code", "family-doctor-team", "party",
                     tc_rec__fhir_ref_new("Practitioner", "", c->signed_by),
                     "signature", sig);
}

static bool
put_extensions(json_t *res, const struct tc_rec_contract *c)
{
    bool ok = tc_rec__fhir_push(
        res, "extension",
        tc_rec__fhir_ext_new(
            EXT_TEAM, "valueReference",
            tc_rec__fhir_ref_new("CareTeam", "", c->team_id)));

    if (c->previous_id) {
        ok &= tc_rec__fhir_push(
            res, "extension",
            tc_rec__fhir_ext_new(
                EXT_PREVIOUS, "valueReference",
                tc_rec__fhir_ref_new("Contract", "", c->previous_id)));
    }
    if (c->ended_at_us) {
        ok &= tc_rec__fhir_push(
            res, "extension",
            tc_rec__fhir_ext_new(EXT_ENDED, "valueDateTime",
                                 tc_rec__fhir_instant_new(c->ended_at_us)));
    }
    return ok;
}

static json_t *
contract_json(const struct tc_rec_contract *c)
{
    json_t *res = tc_rec__fhir_resource_new("Contract", "", c->id);
    bool ok = res && put_extensions(res, c);

    ok &= tc_rec__fhir_put_str(res, "status",
                               TC_FHIR_MAP(status_fhir, c->status));
    if (TC_FHIR_MAP(end_codes, c->status)) {
        ok &= tc_rec__fhir_put(
            res, "expirationType",
            tc_rec__fhir_cc_new(CS_END, end_codes[c->status], c->end_reason));
    }
    ok &= tc_rec__fhir_put_instant(res, "issued", c->offered_at_us);
    ok &= tc_rec__fhir_push(
        res, "subject", tc_rec__fhir_ref_new("Patient", "", c->resident_id));
    ok &= tc_rec__fhir_put_ref(res, "author", "Practitioner", c->offered_by);
    for (int p = 0; p < TC_REC_PACKAGE_COUNT; p++) {
        if (c->packages & TC_REC_PACKAGE_BIT(p)) {
            ok &= tc_rec__fhir_push(
                res, "term",
                json_pack(
                    "{s:o,s:{s:s,s:s}}", "type",
                    tc_rec__fhir_cc_new(CS_PACKAGE, package_codes[p], NULL),
                    "applies", "start", c->period_start, "end",
                    c->period_end));
        }
    }
    if (c->signed_by) {
        ok &= tc_rec__fhir_push(res, "signer", signer_json(c));
    }
    return ok ? res : (json_decref(res), NULL);
}

static int
contract_read(struct tc_rec_db *db, const char *id, json_t **out)
{
    struct tc_rec_contract *c = NULL;
    int64_t cid;
    int rc = tc_rec__fhir_id(db, "Contract", id, "", &cid);

    rc = rc ? rc : tc_rec_contract_get(db, cid, &c);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__fhir_done(db, contract_json(c), true, out);
    tc_rec_contract_free(c);
    return rc;
}

/* ---- JSON to record ---- */

struct contract_in {
    struct tc_rec_contract_offer offer;
    struct tc_rec_contract_signature sig;
    bool executed;
};

/* term[i]: its package, and the period (term[0]'s, repeated). */
static int
parse_term(struct tc_rec__fhir_in *in, const json_t *term, int i,
           struct contract_in *ci)
{
    const json_t *applies;
    const char *start = NULL, *end = NULL;
    char p[TC_FHIR_PATH], ap[TC_FHIR_PATH];
    int pkg = 0;
    int rc;

    tc_rec__fhir_path(p, "Contract", "term", i);
    rc = tc_rec__fhir_only(in->db, term, p,
                           (const char *const[]){"type", "applies", NULL});
    rc = rc ? rc
            : tc_rec__fhir_cc(in->db, term, p, "type", false, CS_PACKAGE, true,
                              package_codes, TC_FHIR_N(package_codes), &pkg);
    rc = rc ? rc
            : tc_rec__fhir_get(in->db, term, p, "applies", JSON_OBJECT, i == 0,
                               &applies);
    if (rc < 0) {
        return rc;
    }
    if (ci->offer.packages & TC_REC_PACKAGE_BIT(pkg)) {
        return tc_rec__fhir_fail(in->db, -EINVAL, p, "a package repeats");
    }
    ci->offer.packages |= TC_REC_PACKAGE_BIT(pkg);
    if (!applies) {
        return 0;
    }
    tc_rec__fhir_path(ap, p, "applies", -1);
    rc = tc_rec__fhir_date(in->db, applies, ap, "start", true, &start);
    rc = rc ? rc : tc_rec__fhir_date(in->db, applies, ap, "end", false, &end);
    if (rc == 0 && i == 0) {
        ci->offer.period_start = start;
        ci->offer.period_end = end;
    } else if (rc == 0 && (strcmp(start, ci->offer.period_start) != 0 ||
                           (!end) != (!ci->offer.period_end) ||
                           (end && strcmp(end, ci->offer.period_end) != 0))) {
        rc = tc_rec__fhir_fail(in->db, -EINVAL, ap,
                               "every term has the contract's period "
                               "(term[0].applies)");
    }
    return rc;
}

static int
parse_terms(struct tc_rec__fhir_in *in, const json_t *res,
            struct contract_in *ci)
{
    const json_t *terms, *t;
    size_t i;
    int rc = tc_rec__fhir_array(in->db, res, "Contract", "term", true, &terms);

    if (rc == 0 && json_array_size(terms) > TERM_MAX) {
        rc = tc_rec__fhir_fail(in->db, -EINVAL, "Contract.term",
                               "at most %d terms", TERM_MAX);
    }
    json_array_foreach(terms, i, t)
    {
        rc = rc ? rc : parse_term(in, t, (int)i, ci);
    }
    tc_rec__fhir_origin(in, "packages", "Contract.term");
    tc_rec__fhir_origin(in, "period_start", "Contract.term[0].applies.start");
    tc_rec__fhir_origin(in, "period_end", "Contract.term[0].applies.end");
    return rc;
}

/* signature[0].type[]: the Coding of the sign-method system. */
static int
parse_method(struct tc_rec__fhir_in *in, const json_t *types, int *method)
{
    const char *sp = "Contract.signer[0].signature[0]";
    char p[TC_FHIR_PATH];
    const json_t *t;
    const char *sys;
    size_t i;
    int rc;

    json_array_foreach(types, i, t)
    {
        tc_rec__fhir_path(p, sp, "type", (int)i);
        rc = tc_rec__fhir_str(in->db, t, p, "system", true, &sys);
        if (rc < 0) {
            return rc;
        }
        if (strcmp(sys, CS_SIGN_METHOD) == 0) {
            tc_rec__fhir_origin(in, "method", p);
            return tc_rec__fhir_code(in->db, t, p, "code", true, method_codes,
                                     TC_FHIR_N(method_codes), method);
        }
    }
    tc_rec__fhir_path(p, sp, "type", -1);
    return tc_rec__fhir_fail(in->db, -EINVAL, p, "needs a Coding from %s",
                             CS_SIGN_METHOD);
}

static int
parse_signer(struct tc_rec__fhir_in *in, const json_t *res,
             struct contract_in *ci)
{
    const char *p = "Contract.signer[0]";
    const char *sp = "Contract.signer[0].signature[0]";
    const json_t *signers, *signer, *sigs, *sig, *types;
    int method = 0;
    int rc =
        tc_rec__fhir_array(in->db, res, "Contract", "signer", true, &signers);

    signer = json_array_get(signers, 0);
    rc = rc ? rc
            : tc_rec__fhir_ref(in->db, signer, p, "party", "Practitioner",
                               true, &ci->sig.signed_by);
    rc = rc ? rc
            : tc_rec__fhir_array(in->db, signer, p, "signature", true, &sigs);
    sig = json_array_get(sigs, 0);
    rc = rc ? rc
            : tc_rec__fhir_instant(in->db, sig, sp, "when", true,
                                   &ci->sig.signed_at_us);
    rc = rc ? rc : tc_rec__fhir_array(in->db, sig, sp, "type", true, &types);
    rc = rc ? rc : parse_method(in, types, &method);
    ci->sig.method = (enum tc_rec_sign_method)method;
    tc_rec__fhir_origin(in, "signed_by", "Contract.signer[0].party");
    tc_rec__fhir_origin(in, "signed_at_us",
                        "Contract.signer[0].signature[0].when");
    tc_rec__fhir_origin(in, "sign", "Contract.signer[0]");
    return rc;
}

static int
parse_contract(struct tc_rec__fhir_in *in, const json_t *res,
               struct contract_in *ci)
{
    static const char *const keys[] = {"status",  "extension", "issued",
                                       "subject", "author",    "term",
                                       "signer",  NULL};
    const json_t *team, *subjects;
    char tp[TC_FHIR_PATH] = "Contract.extension", vp[TC_FHIR_PATH];
    int status = 0, ti = 0;
    int rc = tc_rec__fhir_only(in->db, res, "Contract", keys);

    rc = rc ? rc
            : tc_rec__fhir_code(in->db, res, "Contract", "status", true,
                                status_any, TC_FHIR_N(status_any), &status);
    if (rc == 0 && status > 1) {
        return tc_rec__fhir_fail(in->db, -EPERM, "Contract.status",
                                 "a new contract is offered or executed; "
                                 "later states come from the workflow");
    }
    ci->executed = status == 1;
    rc = rc ? rc
            : tc_rec__fhir_ext(in->db, res, "Contract", EXT_TEAM, &team, &ti);
    if (rc == 0 && !team) {
        rc = tc_rec__fhir_fail(in->db, -EINVAL, tp, "needs %s (the team)",
                               EXT_TEAM);
    }
    tc_rec__fhir_path(tp, "Contract", "extension", ti);
    rc = rc ? rc
            : tc_rec__fhir_ref(in->db, team, tp, "valueReference", "CareTeam",
                               true, &ci->offer.team_id);
    rc = rc ? rc
            : tc_rec__fhir_array(in->db, res, "Contract", "subject", true,
                                 &subjects);
    if (rc == 0 && json_array_size(subjects) > 1) {
        rc = tc_rec__fhir_fail(in->db, -EINVAL, "Contract.subject[1]",
                               "one subject only: the resident");
    }
    rc = rc ? rc
            : tc_rec__fhir_ref_value(in->db, json_array_get(subjects, 0),
                                     "Contract.subject[0]", "Patient",
                                     &ci->offer.resident_id);
    rc = rc ? rc
            : tc_rec__fhir_ref(in->db, res, "Contract", "author",
                               "Practitioner", false, &ci->offer.offered_by);
    ci->offer.offered_at_us = in->ctx->now_us;
    rc = rc ? rc
            : tc_rec__fhir_instant(in->db, res, "Contract", "issued", false,
                                   &ci->offer.offered_at_us);
    rc = rc ? rc : parse_terms(in, res, ci);
    rc = rc || !ci->executed ? rc : parse_signer(in, res, ci);
    tc_rec__fhir_path(vp, tp, "valueReference", -1);
    tc_rec__fhir_origin(in, "team_id", vp);
    tc_rec__fhir_origin(in, "resident_id", "Contract.subject[0]");
    tc_rec__fhir_origin(in, "offered_by", "Contract.author");
    tc_rec__fhir_origin(in, "offered_at_us", "Contract.issued");
    return rc;
}

static int
contract_create(struct tc_rec__fhir_in *in, const json_t *res,
                char id_out[TC_REC_FHIR_ID_MAX + 1])
{
    struct contract_in ci = {0};
    int64_t id = 0;
    int rc = parse_contract(in, res, &ci);

    rc = rc ? rc
            : tc_rec__fhir_api(in,
                               tc_rec_contract_offer(in->db, &ci.offer, &id));
    if (rc == 0 && ci.executed) {
        rc = tc_rec__fhir_api(in, tc_rec_contract_sign(in->db, id, &ci.sig));
    }
    if (rc == 0) {
        snprintf(id_out, TC_REC_FHIR_ID_MAX + 1, "%lld", (long long)id);
    }
    return rc;
}

const struct tc_rec__fhir_type tc_rec__fhir_contract = {
    .name = "Contract",
    .read = contract_read,
    .create = contract_create,
};
