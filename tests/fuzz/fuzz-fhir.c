// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-fhir.c - the FHIR R4 mapping on arbitrary bytes: json_loadb, then
 * tc_rec_fhir_create() of whatever type the JSON names. It must accept or
 * refuse with a message, never crash or leak, and a stored resource must
 * read back as it was returned.
 *
 * One database for the whole run, in memory, opened and seeded (a county
 * hospital, a clinic, a practitioner who is a team member, a resident
 * with an active contract) on the first input. Each input runs inside a
 * transaction that is rolled back, so every input sees the same state.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tc-records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW_US INT64_C(1772352000000000)

static struct tc_rec_db *db;

static void
seed(void)
{
    struct tc_rec_organization county = {.kind = TC_REC_ORG_COUNTY_HOSPITAL,
                                         .name = "County",
                                         .created_at_us = 1};
    struct tc_rec_organization clinic = {.kind = TC_REC_ORG_TOWNSHIP_CLINIC,
                                         .name = "Clinic",
                                         .township = "East",
                                         .created_at_us = 1};
    struct tc_rec_practitioner doc = {.name = "Doc", .created_at_us = 1};
    struct tc_rec_team team = {.name = "Team", .created_at_us = 1};
    struct tc_rec_resident r = {.id_number = "110105198001010016",
                                .name = "R",
                                .sex = TC_REC_SEX_MALE,
                                .birth_date = "1980-01-01",
                                .township = "East",
                                .created_at_us = 1};
    struct tc_rec_contract_offer offer = {
        .packages = TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_BASIC) |
                    TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_DISABILITY_REHAB),
        .period_start = "2026-01-01",
        .offered_at_us = 1};
    struct tc_rec_contract_signature sig = {.signed_at_us = 2,
                                            .method = TC_REC_SIGN_ONLINE};
    int64_t id, contract;

    if (tc_rec_open(":memory:", &db) < 0 ||
        tc_rec_organization_create(db, &county, &id) < 0 ||
        tc_rec_organization_create(db, &clinic, &team.organization_id) < 0 ||
        tc_rec_practitioner_create(db, &doc, &sig.signed_by) < 0 ||
        tc_rec_team_create(db, &team, &offer.team_id) < 0 ||
        tc_rec_team_member_add(db, offer.team_id, sig.signed_by,
                               TC_REC_MEMBER_DOCTOR) < 0 ||
        tc_rec_resident_create(db, &r, &offer.resident_id) < 0 ||
        tc_rec_contract_offer(db, &offer, &contract) < 0 ||
        tc_rec_contract_sign(db, contract, &sig) < 0) {
        abort();
    }
}

static void
check_stored(json_t *res)
{
    const char *type = json_string_value(json_object_get(res, "resourceType"));
    const char *id = json_string_value(json_object_get(res, "id"));
    json_t *again = NULL;

    if (!type || !id || tc_rec_fhir_read(db, type, id, &again) < 0 ||
        !json_equal(again, res)) {
        abort();
    }
    json_decref(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct tc_rec_fhir_ctx ctx = {.now_us = NOW_US,
                                               .actor_id = 1};
    json_t *in, *res = NULL;
    int rc;

    if (!db) {
        seed();
    }
    in = json_loadb((const char *)data, size, JSON_ALLOW_NUL, NULL);
    if (!in) {
        return 0;
    }
    if (tc_rec_tx_begin(db) < 0) {
        abort();
    }
    rc = tc_rec_fhir_create(db, NULL, in, &ctx, &res);
    /* A refusal always says why and touches no out-param; a success
     * clears the error and returns what reads back. */
    if ((rc < 0) != (tc_rec_errmsg(db)[0] != '\0') || (rc < 0 && res)) {
        abort();
    }
    if (rc == 0) {
        check_stored(res);
        if (tc_rec_fhir_errpath(db)[0]) {
            abort();
        }
    }
    json_decref(res);
    json_decref(in);
    if (tc_rec_tx_rollback(db) < 0) {
        abort();
    }
    return 0;
}
