// SPDX-License-Identifier: Apache-2.0
/*
 * test-fhir-contract.c - Contract (offer and executed creates, the status
 * mapping of every lifecycle state, refusals with their paths) and
 * AuditEvent (read only, from events appended through the C API).
 */
#include "test-fhir-fixture.h"

#define CS_BASE "https://telecare.example.org/fhir/CodeSystem/"
#define EXT_TEAM                                                              \
    "https://telecare.example.org/fhir/StructureDefinition/contract-team"

/* A resident with no contract yet (ID 440306199010104215, male). */
static int64_t
free_resident(struct fixture *f)
{
    return fixture_resident(f, "440306199010104215");
}

/* A Contract for resident `who` with team, `status`, the terms `terms`
 * (JSON array text) and extra members `more`. */
static char *
contract_text(struct fixture *f, int64_t who, const char *status,
              const char *terms, const char *more)
{
    char *s;

    if (asprintf(&s,
                 "{\"resourceType\": \"Contract\", \"status\": \"%s\", "
                 "\"extension\": [{\"url\": \"" EXT_TEAM "\", "
                 "\"valueReference\": {\"reference\": \"CareTeam/%lld\"}}], "
                 "\"subject\": [{\"reference\": \"Patient/%lld\"}], "
                 "\"author\": {\"reference\": \"Practitioner/%lld\"}, "
                 "\"term\": %s%s%s}",
                 status, (long long)f->team, (long long)who,
                 (long long)f->doctor, terms, more[0] ? ", " : "", more) < 0) {
        abort();
    }
    return s;
}

#define TERMS_REHAB                                                           \
    "[{\"type\": {\"coding\": [{\"system\": \"" CS_BASE "service-package\", " \
    "\"code\": \"basic\"}]}, \"applies\": {\"start\": \"2026-03-01\"}}, "     \
    "{\"type\": {\"coding\": [{\"system\": \"" CS_BASE "service-package\", "  \
    "\"code\": \"disability_rehab\"}]}}]"

static void
test_offer_round_trip(void)
{
    struct fixture f;
    struct tc_rec_contract *c = NULL;
    char *text;
    json_t *res = NULL;
    int64_t id = 0;

    fixture_open(&f, "contract-offer.db");
    text = contract_text(&f, free_resident(&f), "offered", TERMS_REHAB, "");
    TC_REQUIRE(fhir_create_text(f.db, "Contract", text, &res, &id) == 0);
    TC_CHECK(reads_back(f.db, res));
    TC_CHECK_STR_EQ(jstr(res, "status"), "offered");
    TC_CHECK_STR_EQ(jstr(res, "term[0].type.coding[0].code"), "basic");
    TC_CHECK_STR_EQ(jstr(res, "term[1].type.coding[0].code"),
                    "disability_rehab");
    TC_CHECK_STR_EQ(jstr(res, "term[1].applies.start"), "2026-03-01");
    TC_CHECK_STR_EQ(jstr(res, "term[1].applies.end"), "2027-02-28");
    TC_CHECK_STR_EQ(jstr(res, "issued"), "2026-03-01T08:00:00Z");
    TC_CHECK(jget(res, "signer") == NULL);
    TC_REQUIRE(tc_rec_contract_get(f.db, id, &c) == 0);
    TC_CHECK_EQ(c->status, TC_REC_CONTRACT_OFFERED);
    TC_CHECK_EQ(c->team_id, f.team);
    TC_CHECK_EQ(c->offered_by, f.doctor);
    TC_CHECK_EQ(c->packages,
                TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_BASIC) |
                    TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_DISABILITY_REHAB));
    tc_rec_contract_free(c);
    json_decref(res);
    free(text);
    fixture_close(&f);
}

#define SIGNER                                                                \
    "\"signer\": [{\"type\": {\"system\": \"" CS_BASE "contract-signer\", "   \
    "\"code\": \"family-doctor-team\"}, \"party\": {\"reference\": "          \
    "\"Practitioner/%lld\"}, \"signature\": [{\"type\": [{\"system\": "       \
    "\"" CS_BASE "sign-method\", \"code\": \"%s\"}], \"when\": "              \
    "\"2026-03-02T10:00:00+08:00\", \"who\": {\"reference\": "                \
    "\"Practitioner/%lld\"}}]}]"

static void
test_executed_create_offers_and_signs(void)
{
    struct fixture f;
    struct tc_rec_contract *c = NULL;
    char signer[1024], *text;
    json_t *res = NULL;
    int64_t id = 0;

    fixture_open(&f, "contract-executed.db");
    TC_REQUIRE(tc_rec_team_member_add(f.db, f.team, f.doctor,
                                      TC_REC_MEMBER_DOCTOR) == 0);
    snprintf(signer, sizeof(signer), SIGNER, (long long)f.doctor, "online",
             (long long)f.doctor);
    text =
        contract_text(&f, free_resident(&f), "executed", TERMS_REHAB, signer);
    TC_REQUIRE(fhir_create_text(f.db, "Contract", text, &res, &id) == 0);
    TC_CHECK(reads_back(f.db, res));
    TC_CHECK_STR_EQ(jstr(res, "status"), "executed");
    TC_CHECK_STR_EQ(jstr(res, "signer[0].signature[0].when"),
                    "2026-03-02T02:00:00Z");
    TC_CHECK_STR_EQ(jstr(res, "signer[0].signature[0].type[0].code"),
                    "online");
    TC_REQUIRE(tc_rec_contract_get(f.db, id, &c) == 0);
    TC_CHECK_EQ(c->status, TC_REC_CONTRACT_ACTIVE);
    TC_CHECK_EQ(c->signed_by, f.doctor);
    TC_CHECK_EQ(c->sign_method, TC_REC_SIGN_ONLINE);
    tc_rec_contract_free(c);
    json_decref(res);
    free(text);
    fixture_close(&f);
}

/* The FHIR status and expirationType code of contract `id`. */
static void
check_status(struct tc_rec_db *db, int64_t id, const char *status,
             const char *end)
{
    char sid[32];
    json_t *res = NULL;

    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    TC_REQUIRE(tc_rec_fhir_read(db, "Contract", sid, &res) == 0);
    TC_CHECK_STR_EQ(jstr(res, "status"), status);
    if (end) {
        TC_CHECK_STR_EQ(jstr(res, "expirationType.coding[0].code"), end);
    } else {
        TC_CHECK(jget(res, "expirationType") == NULL);
    }
    json_decref(res);
}

static void
test_every_lifecycle_state_maps(void)
{
    struct fixture f;
    struct tc_rec_contract_signature sig = {0};
    struct tc_rec_contract_renewal renewal = {0};
    struct tc_rec_contract_offer offer = {0};
    int64_t withdrawn = 0, next = 0;
    json_t *res = NULL;
    char sid[32];

    fixture_open(&f, "contract-states.db");
    TC_REQUIRE(tc_rec_team_member_add(f.db, f.team, f.doctor,
                                      TC_REC_MEMBER_DOCTOR) == 0);
    check_status(f.db, f.contract_offered, "offered", NULL);
    check_status(f.db, f.contract, "executed", NULL);
    TC_REQUIRE(tc_rec_contract_terminate(f.db, f.contract, NOW_US,
                                         "moved away") == 0);
    check_status(f.db, f.contract, "terminated", "terminated");
    snprintf(sid, sizeof(sid), "%lld", (long long)f.contract);
    TC_REQUIRE(tc_rec_fhir_read(f.db, "Contract", sid, &res) == 0);
    TC_CHECK_STR_EQ(jstr(res, "expirationType.text"), "moved away");
    json_decref(res);
    sig = (struct tc_rec_contract_signature){f.doctor, NOW_US,
                                             TC_REC_SIGN_IN_PERSON};
    renewal.sig = sig;
    TC_REQUIRE(
        tc_rec_contract_renew(f.db, f.contract_basic, &renewal, &next) == 0);
    check_status(f.db, f.contract_basic, "renewed", NULL);
    TC_REQUIRE(tc_rec_contract_expire_due(f.db, "2028-01-01", NULL) == 0);
    check_status(f.db, next, "terminated", "expired");
    snprintf(sid, sizeof(sid), "%lld", (long long)next);
    TC_REQUIRE(tc_rec_fhir_read(f.db, "Contract", sid, &res) == 0);
    TC_CHECK(json_is_object(jget(res, "extension[1].valueReference")));
    json_decref(res);
    offer = (struct tc_rec_contract_offer){
        .resident_id = free_resident(&f),
        .team_id = f.team,
        .packages = TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_BASIC),
        .period_start = "2026-01-01",
        .offered_at_us = NOW_US};
    TC_REQUIRE(tc_rec_contract_offer(f.db, &offer, &withdrawn) == 0);
    TC_REQUIRE(tc_rec_contract_withdraw(f.db, withdrawn, NOW_US, NULL) == 0);
    check_status(f.db, withdrawn, "revoked", "withdrawn");
    fixture_close(&f);
}

static void
test_contract_refusals_name_their_element(void)
{
    struct fixture f;
    int64_t who;
    char *t[8], signer[1024];

    fixture_open(&f, "contract-refusals.db");
    who = free_resident(&f);
    snprintf(signer, sizeof(signer), SIGNER, (long long)f.therapist,
             "in_person", (long long)f.therapist);
    t[0] = contract_text(&f, who, "bogus", TERMS_REHAB, "");
    t[1] = contract_text(&f, who, "terminated", TERMS_REHAB, "");
    t[2] = contract_text(
        &f, who, "offered",
        "[{\"type\": {\"coding\": [{\"system\": \"" CS_BASE
        "service-package\", \"code\": \"basic\"}]}, \"applies\": {\"start\": "
        "\"first of March\"}}]",
        "");
    t[3] = contract_text(
        &f, who, "offered",
        "[{\"type\": {\"coding\": [{\"system\": \"" CS_BASE
        "service-package\", \"code\": \"basic\"}]}, \"applies\": {\"start\": "
        "\"2026-03-01\", \"end\": \"2026-01-01\"}}]",
        "");
    t[4] = contract_text(
        &f, who, "offered",
        "[{\"type\": {\"coding\": [{\"system\": \"" CS_BASE
        "service-package\", \"code\": \"elderly_care\"}]}, \"applies\": "
        "{\"start\": \"2026-03-01\"}}]",
        "");
    t[5] = contract_text(&f, 999, "offered", TERMS_REHAB, "");
    t[6] = contract_text(&f, who, "executed", TERMS_REHAB, signer);
    t[7] = contract_text(&f, who, "offered", TERMS_REHAB,
                         "\"issued\": \"2026-03-01\"");
    TC_CHECK_REFUSED(&f, "Contract", t[0], -EINVAL, "Contract.status",
                     "unknown code");
    TC_CHECK_REFUSED(&f, "Contract", t[1], -EPERM, "Contract.status",
                     "offered or executed");
    TC_CHECK_REFUSED(&f, "Contract", t[2], -EINVAL,
                     "Contract.term[0].applies.start", "full date");
    TC_CHECK_REFUSED(&f, "Contract", t[3], -EINVAL,
                     "Contract.term[0].applies.end", "after period_start");
    TC_CHECK_REFUSED(&f, "Contract", t[4], -EINVAL, "Contract.term",
                     "must include basic");
    TC_CHECK_REFUSED(&f, "Contract", t[5], -ENOENT, "Contract.subject[0]",
                     "no resident");
    /* The therapist is no member of the team: offer and sign roll back. */
    TC_CHECK_REFUSED(&f, "Contract", t[6], -EINVAL, "Contract.signer[0].party",
                     "not a member");
    TC_CHECK_REFUSED(&f, "Contract", t[7], -EINVAL, "Contract.issued", "zone");
    for (int i = 0; i < 8; i++) {
        free(t[i]);
    }
    fixture_close(&f);
}

static void
test_audit_event_reads_from_the_trail(void)
{
    struct fixture f;
    struct tc_rec_audit_event ev = {
        .at_us = NOW_US + 123456,
        .actor = "dr.sun",
        .actor_role = "family_doctor",
        .action = TC_REC_AUDIT_READ,
        .entity_type = "resident",
        .client_addr = "10.0.0.7",
        .purpose = "follow-up visit",
        .outcome = TC_REC_AUDIT_DENIED,
        .detail = "not on the panel",
    };
    json_t *res = NULL;
    char sid[32];
    int64_t id = 0;

    fixture_open(&f, "audit.db");
    ev.entity_id = f.resident;
    ev.resident_id = f.resident;
    TC_REQUIRE(tc_rec_audit_append(f.db, &ev, &id) == 0);
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    TC_REQUIRE(tc_rec_fhir_read(f.db, "AuditEvent", sid, &res) == 0);
    TC_CHECK_STR_EQ(jstr(res, "action"), "R");
    TC_CHECK_STR_EQ(jstr(res, "outcome"), "4");
    TC_CHECK_STR_EQ(jstr(res, "outcomeDesc"), "not on the panel");
    TC_CHECK_STR_EQ(jstr(res, "recorded"), "2026-03-01T08:00:00.123456Z");
    TC_CHECK_STR_EQ(jstr(res, "agent[0].who.identifier.value"), "dr.sun");
    TC_CHECK_STR_EQ(jstr(res, "agent[0].network.address"), "10.0.0.7");
    TC_CHECK_STR_EQ(jstr(res, "purposeOfEvent[0].text"), "follow-up visit");
    TC_CHECK_STR_EQ(jstr(res, "entity[1].what.reference"), "Patient/1");
    json_decref(res);
    TC_CHECK_EQ(tc_rec_fhir_read(f.db, "AuditEvent", "999", &res), -ENOENT);
    TC_CHECK_REFUSED(&f, "AuditEvent",
                     "{\"resourceType\": \"AuditEvent\", \"action\": \"R\"}",
                     -EPERM, "AuditEvent", "workflow");
    fixture_close(&f);
}

int
main(void)
{
    if (fixture_main_begin() < 0) {
        return 1;
    }
    TC_RUN(test_offer_round_trip);
    TC_RUN(test_executed_create_offers_and_signs);
    TC_RUN(test_every_lifecycle_state_maps);
    TC_RUN(test_contract_refusals_name_their_element);
    TC_RUN(test_audit_event_reads_from_the_trail);
    return fixture_main_end();
}
