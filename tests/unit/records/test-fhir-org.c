// SPDX-License-Identifier: Apache-2.0
/*
 * test-fhir-org.c - Organization, Practitioner, PractitionerRole and
 * CareTeam: round trips through the C API's records, the Organization
 * update rule, and path-specific refusals that write nothing.
 */
#include "test-fhir-fixture.h"

#define ORG_KIND                                                              \
    "https://telecare.example.org/fhir/CodeSystem/organization-kind"
#define ROLE_CS                                                               \
    "https://telecare.example.org/fhir/CodeSystem/practitioner-role"
#define TEAM_CS "https://telecare.example.org/fhir/CodeSystem/team-role"

static char *
org_text(const char *kind, const char *more)
{
    char *s;

    if (asprintf(&s,
                 "{\"resourceType\": \"Organization\", \"type\": [{\"coding\":"
                 " [{\"system\": \"" ORG_KIND "\", \"code\": \"%s\"}]}], "
                 "\"name\": \"West Clinic\"%s%s}",
                 kind, more[0] ? ", " : "", more) < 0) {
        abort();
    }
    return s;
}

static void
test_organization_round_trip(void)
{
    struct fixture f;
    struct tc_rec_organization *o = NULL;
    char more[256], *text;
    json_t *res = NULL;
    int64_t id = 0;

    fixture_open(&f, "org-round-trip.db");
    snprintf(more, sizeof(more),
             "\"partOf\": {\"reference\": \"Organization/%lld\"}, "
             "\"address\": [{\"district\": \"West\", \"line\": [\"Elm\"]}]",
             (long long)f.county);
    text = org_text("township_clinic", more);
    TC_REQUIRE(fhir_create_text(f.db, "Organization", text, &res, &id) == 0);
    TC_CHECK(reads_back(f.db, res));
    TC_CHECK_STR_EQ(jstr(res, "type[0].coding[0].code"), "township_clinic");
    TC_CHECK_STR_EQ(jstr(res, "name"), "West Clinic");
    TC_CHECK_STR_EQ(jstr(res, "address[0].district"), "West");
    TC_CHECK_STR_EQ(jstr(res, "address[0].line[0]"), "Elm");
    TC_REQUIRE(tc_rec_organization_get(f.db, id, &o) == 0);
    TC_CHECK_EQ(o->kind, TC_REC_ORG_TOWNSHIP_CLINIC);
    TC_CHECK_EQ(o->part_of, f.county);
    TC_CHECK_STR_EQ(o->village, "Elm");
    tc_rec_organization_free(o);
    json_decref(res);
    free(text);
    fixture_close(&f);
}

static void
test_organization_refusals(void)
{
    struct fixture f;
    char *t1 = org_text("spaceport", "");
    char *t2 = org_text("rehab_point", "\"partOf\": {\"reference\": "
                                       "\"Organization/999\"}");
    char *t3 = org_text("rehab_point", "\"partOf\": {\"reference\": "
                                       "\"Patient/1\"}");
    char *t4 = org_text("rehab_point", "\"name\": 7");

    fixture_open(&f, "org-refusals.db");
    TC_CHECK_REFUSED(&f, "Organization", t1, -EINVAL,
                     "Organization.type[0].coding[0].code", "unknown code");
    TC_CHECK_REFUSED(&f, "Organization", t2, -ENOENT, "Organization.partOf",
                     "no organization");
    TC_CHECK_REFUSED(&f, "Organization", t3, -EINVAL,
                     "Organization.partOf.reference", "Organization/<id>");
    /* A repeated key: jansson keeps the last, a number. */
    TC_CHECK_REFUSED(&f, "Organization", t4, -EINVAL, "Organization.name",
                     "must be a string");
    free(t1);
    free(t2);
    free(t3);
    free(t4);
    fixture_close(&f);
}

static void
test_organization_update_moves_it_only(void)
{
    struct fixture f;
    char *text = org_text("rehab_point", ""), more[128], *moved;
    json_t *in, *res = NULL;
    char id[32];
    int64_t oid = 0;

    fixture_open(&f, "org-update.db");
    TC_REQUIRE(fhir_create_text(f.db, "Organization", text, NULL, &oid) == 0);
    snprintf(id, sizeof(id), "%lld", (long long)oid);
    snprintf(more, sizeof(more),
             "\"partOf\": {\"reference\": \"Organization/%lld\"}",
             (long long)f.county);
    moved = org_text("rehab_point", more);
    in = jparse(moved);
    TC_CHECK_EQ(
        tc_rec_fhir_update(f.db, "Organization", id, in, &fhir_ctx, &res), 0);
    TC_CHECK_STR_EQ(jstr(res, "partOf.reference"),
                    json_string_value(jget(in, "partOf.reference")));
    json_object_set_new(in, "name", json_string("Renamed"));
    TC_CHECK_EQ(
        tc_rec_fhir_update(f.db, "Organization", id, in, &fhir_ctx, NULL),
        -EPERM);
    TC_CHECK_STR_EQ(tc_rec_fhir_errpath(f.db), "Organization.name");
    json_decref(in);
    json_decref(res);
    free(text);
    free(moved);
    fixture_close(&f);
}

static void
test_practitioner_round_trip_and_refusals(void)
{
    struct fixture f;
    struct tc_rec_practitioner *p = NULL;
    json_t *res = NULL;
    int64_t id = 0;

    fixture_open(&f, "practitioner.db");
    TC_REQUIRE(fhir_create_text(
                   f.db, "Practitioner",
                   "{\"resourceType\": \"Practitioner\", \"name\": [{\"text\":"
                   " \"Dr Sun\"}], \"telecom\": [{\"system\": \"phone\", "
                   "\"value\": \"0571-8888888\"}], \"qualification\": [{"
                   "\"code\": {\"text\": \"Licensed physician\"}}]}",
                   &res, &id) == 0);
    TC_CHECK(reads_back(f.db, res));
    TC_CHECK_STR_EQ(jstr(res, "name[0].text"), "Dr Sun");
    TC_CHECK(json_is_true(jget(res, "active")));
    TC_REQUIRE(tc_rec_practitioner_get(f.db, id, &p) == 0);
    TC_CHECK_STR_EQ(p->phone, "0571-8888888");
    TC_CHECK_STR_EQ(p->qualification, "Licensed physician");
    tc_rec_practitioner_free(p);
    json_decref(res);
    TC_CHECK_REFUSED(&f, "Practitioner",
                     "{\"resourceType\": \"Practitioner\", \"name\": [{}]}",
                     -EINVAL, "Practitioner.name[0].text", "required");
    TC_CHECK_REFUSED(&f, "Practitioner",
                     "{\"resourceType\": \"Practitioner\", \"name\": [{"
                     "\"text\": \"A\"}], \"telecom\": [{\"system\": "
                     "\"email\", \"value\": \"a@b\"}]}",
                     -EINVAL, "Practitioner.telecom[0].system",
                     "unknown code");
    fixture_close(&f);
}

static char *
role_text(int64_t practitioner, int64_t org, const char *role)
{
    char *s;

    if (asprintf(&s,
                 "{\"resourceType\": \"PractitionerRole\", \"practitioner\": "
                 "{\"reference\": \"Practitioner/%lld\"}, \"organization\": "
                 "{\"reference\": \"Organization/%lld\"}, \"code\": [{"
                 "\"coding\": [{\"system\": \"" ROLE_CS "\", \"code\": "
                 "\"%s\"}]}], \"specialty\": [{\"text\": \"Rehab\"}]}",
                 (long long)practitioner, (long long)org, role) < 0) {
        abort();
    }
    return s;
}

static void
test_practitioner_role_round_trip_and_refusals(void)
{
    struct fixture f;
    char *ok_text, *bad_role, *no_org;
    json_t *res = NULL;

    fixture_open(&f, "role.db");
    ok_text = role_text(f.therapist, f.county, "therapist");
    bad_role = role_text(f.therapist, f.county, "wizard");
    no_org = role_text(f.therapist, 999, "therapist");
    TC_REQUIRE(
        fhir_create_text(f.db, "PractitionerRole", ok_text, &res, NULL) == 0);
    TC_CHECK(reads_back(f.db, res));
    TC_CHECK_STR_EQ(jstr(res, "code[0].coding[0].code"), "therapist");
    TC_CHECK_STR_EQ(jstr(res, "practitioner.display"), "Therapist A");
    TC_CHECK_STR_EQ(jstr(res, "specialty[0].text"), "Rehab");
    json_decref(res);
    TC_CHECK_REFUSED(&f, "PractitionerRole", ok_text, -EEXIST,
                     "PractitionerRole.code", "");
    TC_CHECK_REFUSED(&f, "PractitionerRole", bad_role, -EINVAL,
                     "PractitionerRole.code[0].coding[0].code",
                     "unknown code");
    TC_CHECK_REFUSED(&f, "PractitionerRole", no_org, -ENOENT,
                     "PractitionerRole.organization", "no organization");
    free(ok_text);
    free(bad_role);
    free(no_org);
    fixture_close(&f);
}

static char *
team_text(int64_t org, int64_t m1, const char *r1, int64_t m2, const char *r2)
{
    char *s;

    if (asprintf(&s,
                 "{\"resourceType\": \"CareTeam\", \"status\": \"active\", "
                 "\"name\": \"East team 2\", \"managingOrganization\": [{"
                 "\"reference\": \"Organization/%lld\"}], \"participant\": "
                 "[{\"role\": [{\"coding\": [{\"system\": \"" TEAM_CS "\", "
                 "\"code\": \"%s\"}]}], \"member\": {\"reference\": "
                 "\"Practitioner/%lld\"}}, {\"role\": [{\"coding\": [{"
                 "\"system\": \"" TEAM_CS "\", \"code\": \"%s\"}]}], "
                 "\"member\": {\"reference\": \"Practitioner/%lld\"}}]}",
                 (long long)org, r1, (long long)m1, r2, (long long)m2) < 0) {
        abort();
    }
    return s;
}

static void
test_careteam_round_trip(void)
{
    struct fixture f;
    char *text;
    json_t *res = NULL;
    bool member = false;
    int64_t id = 0;

    fixture_open(&f, "careteam.db");
    text = team_text(f.clinic, f.doctor, "doctor", f.therapist, "therapist");
    TC_REQUIRE(fhir_create_text(f.db, "CareTeam", text, &res, &id) == 0);
    TC_CHECK(reads_back(f.db, res));
    TC_CHECK_STR_EQ(jstr(res, "name"), "East team 2");
    TC_CHECK_EQ(json_array_size(jget(res, "participant")), 2);
    TC_CHECK_EQ(tc_rec_team_has_member(f.db, id, f.therapist, &member), 0);
    TC_CHECK(member);
    json_decref(res);
    free(text);
    fixture_close(&f);
}

static void
test_careteam_refusals_write_no_team(void)
{
    struct fixture f;
    char *not_clinic, *bad_role, *twice;

    fixture_open(&f, "careteam-refusals.db");
    not_clinic =
        team_text(f.county, f.doctor, "doctor", f.therapist, "therapist");
    bad_role = team_text(f.clinic, f.doctor, "doctor", f.therapist, "pilot");
    twice = team_text(f.clinic, f.doctor, "doctor", f.doctor, "nurse");
    TC_CHECK_REFUSED(&f, "CareTeam", not_clinic, -EINVAL,
                     "CareTeam.managingOrganization[0]", "township clinic");
    /* The team row was written before the bad participant: rolled back. */
    TC_CHECK_REFUSED(&f, "CareTeam", bad_role, -EINVAL,
                     "CareTeam.participant[1].role[0].coding[0].code",
                     "unknown code");
    TC_CHECK_REFUSED(&f, "CareTeam", twice, -EEXIST,
                     "CareTeam.participant[1].member", "already");
    free(not_clinic);
    free(bad_role);
    free(twice);
    fixture_close(&f);
}

int
main(void)
{
    if (fixture_main_begin() < 0) {
        return 1;
    }
    TC_RUN(test_organization_round_trip);
    TC_RUN(test_organization_refusals);
    TC_RUN(test_organization_update_moves_it_only);
    TC_RUN(test_practitioner_round_trip_and_refusals);
    TC_RUN(test_practitioner_role_round_trip_and_refusals);
    TC_RUN(test_careteam_round_trip);
    TC_RUN(test_careteam_refusals_write_no_team);
    return fixture_main_end();
}
