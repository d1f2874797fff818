// SPDX-License-Identifier: Apache-2.0
/*
 * test-organization.c - organizations and their part-of hierarchy (no
 * cycles), practitioners with roles per organization, and family-doctor
 * teams (township clinics only) with their members.
 */
#include <errno.h>

#include "core-fixture.h"

static void
test_organizations_form_a_hierarchy(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_organization_list *list = NULL;
    struct tc_rec_organization *org = NULL;
    int64_t county, east, west, point;

    county = fx_org(db, TC_REC_ORG_COUNTY_HOSPITAL, "County Hospital", 0);
    west = fx_org(db, TC_REC_ORG_TOWNSHIP_CLINIC, "West Clinic", county);
    east = fx_org(db, TC_REC_ORG_TOWNSHIP_CLINIC, "East Clinic", county);
    point = fx_org(db, TC_REC_ORG_REHAB_POINT, "East Rehab Point", east);
    fx_org(db, TC_REC_ORG_CITY_HOSPITAL, "City Hospital", 0);

    TC_REQUIRE(tc_rec_organization_get(db, point, &org) == 0);
    TC_CHECK_EQ(org->kind, TC_REC_ORG_REHAB_POINT);
    TC_CHECK_STR_EQ(org->name, "East Rehab Point");
    TC_CHECK_EQ(org->part_of, east);
    TC_CHECK_STR_EQ(org->township, "Qiaotou");
    TC_CHECK(org->village == NULL);
    tc_rec_organization_free(org);

    TC_REQUIRE(tc_rec_organization_list_children(db, county, &list) == 0);
    TC_REQUIRE(list->count == 2);
    TC_CHECK_EQ(list->items[0].id, east); /* by name */
    TC_CHECK_EQ(list->items[1].id, west);
    tc_rec_organization_list_free(list);
    TC_REQUIRE(tc_rec_organization_list_children(db, 0, &list) == 0);
    TC_CHECK_EQ(list->count, 2); /* the county and the city hospital */
    tc_rec_organization_list_free(list);
    TC_CHECK_EQ(tc_rec_organization_list_children(db, 999, &list), -ENOENT);
    TC_CHECK_EQ(tc_rec_organization_get(db, 999, &org), -ENOENT);
    tc_rec_close(db);
}

static void
test_part_of_never_makes_a_cycle(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_organization *org = NULL;
    int64_t county, clinic, point, city;
    char *before, *after;

    county = fx_org(db, TC_REC_ORG_COUNTY_HOSPITAL, "County", 0);
    clinic = fx_org(db, TC_REC_ORG_TOWNSHIP_CLINIC, "Clinic", county);
    point = fx_org(db, TC_REC_ORG_REHAB_POINT, "Point", clinic);
    city = fx_org(db, TC_REC_ORG_CITY_HOSPITAL, "City", 0);
    before = fx_dump();
    TC_CHECK_EQ(tc_rec_organization_set_part_of(db, county, point), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "cycle");
    TC_CHECK_EQ(tc_rec_organization_set_part_of(db, clinic, clinic), -EINVAL);
    TC_CHECK_EQ(tc_rec_organization_set_part_of(db, clinic, 999), -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "part_of");
    after = fx_dump();
    TC_CHECK_STR_EQ(before, after);
    /* A move that keeps it a tree is fine, and so is detaching. */
    TC_CHECK_EQ(tc_rec_organization_set_part_of(db, county, city), 0);
    TC_CHECK_EQ(tc_rec_organization_set_part_of(db, point, 0), 0);
    TC_REQUIRE(tc_rec_organization_get(db, point, &org) == 0);
    TC_CHECK_EQ(org->part_of, 0);
    tc_rec_organization_free(org);
    free(before);
    free(after);
    tc_rec_close(db);
}

static void
test_organization_fields_are_validated(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_organization org = {
        .kind = 9,
        .name = "Nowhere",
        .created_at_us = fx_us("2025-01-01"),
    };
    int64_t id = -1;

    TC_CHECK_EQ(tc_rec_organization_create(db, &org, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "kind");
    org.kind = TC_REC_ORG_CITY_HOSPITAL;
    org.name = NULL;
    TC_CHECK_EQ(tc_rec_organization_create(db, &org, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "name: required");
    org.name = "City";
    org.part_of = 77;
    TC_CHECK_EQ(tc_rec_organization_create(db, &org, &id), -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "part_of: no organization 77");
    TC_CHECK_EQ(id, -1);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM organizations"), 0);
    tc_rec_close(db);
}

static void
test_practitioners_hold_roles_per_organization(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_practitioner_role_list *list = NULL;
    struct tc_rec_practitioner *p = NULL;
    struct tc_rec_practitioner_role role = {0};
    int64_t county, clinic, wang, li, r1 = 0, r2 = 0, r3 = 0;

    county = fx_org(db, TC_REC_ORG_COUNTY_HOSPITAL, "County", 0);
    clinic = fx_org(db, TC_REC_ORG_TOWNSHIP_CLINIC, "Clinic", county);
    wang = fx_practitioner(db, "Wang");
    li = fx_practitioner(db, "Li");
    TC_REQUIRE(tc_rec_practitioner_get(db, wang, &p) == 0);
    TC_CHECK_STR_EQ(p->name, "Wang");
    TC_CHECK(p->active);
    tc_rec_practitioner_free(p);

    role = (struct tc_rec_practitioner_role){
        .practitioner_id = wang,
        .organization_id = clinic,
        .role = TC_REC_ROLE_FAMILY_DOCTOR,
    };
    TC_CHECK_EQ(tc_rec_practitioner_role_add(db, &role, &r1), 0);
    role.organization_id = county;
    role.role = TC_REC_ROLE_ECG_READER;
    role.department = "Cardiology";
    TC_CHECK_EQ(tc_rec_practitioner_role_add(db, &role, &r2), 0);
    role = (struct tc_rec_practitioner_role){
        .practitioner_id = li,
        .organization_id = clinic,
        .role = TC_REC_ROLE_NURSE,
    };
    TC_CHECK_EQ(tc_rec_practitioner_role_add(db, &role, &r3), 0);

    TC_REQUIRE(tc_rec_practitioner_role_list_for_organization(db, clinic, 0,
                                                              &list) == 0);
    TC_REQUIRE(list->count == 2);
    TC_CHECK_STR_EQ(list->items[0].practitioner_name, "Li");
    TC_CHECK_EQ(list->items[0].role, TC_REC_ROLE_NURSE);
    TC_CHECK_STR_EQ(list->items[1].practitioner_name, "Wang");
    tc_rec_practitioner_role_list_free(list);
    TC_REQUIRE(tc_rec_practitioner_role_list_for_organization(
                   db, clinic, TC_REC_ROLE_FAMILY_DOCTOR, &list) == 0);
    TC_REQUIRE(list->count == 1);
    TC_CHECK_EQ(list->items[0].id, r1);
    tc_rec_practitioner_role_list_free(list);
    TC_REQUIRE(
        tc_rec_practitioner_role_list_for_practitioner(db, wang, &list) == 0);
    TC_REQUIRE(list->count == 2);
    TC_CHECK_EQ(list->items[0].organization_id, county);
    TC_CHECK_STR_EQ(list->items[0].department, "Cardiology");
    tc_rec_practitioner_role_list_free(list);

    role.practitioner_id = li;
    TC_CHECK_EQ(tc_rec_practitioner_role_add(db, &role, &r3), -EEXIST);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "already is nurse");
    role.role = 0;
    TC_CHECK_EQ(tc_rec_practitioner_role_add(db, &role, &r3), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "role: unknown");
    role.role = TC_REC_ROLE_THERAPIST;
    role.organization_id = 999;
    TC_CHECK_EQ(tc_rec_practitioner_role_add(db, &role, &r3), -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "organization_id");
    TC_CHECK_EQ(tc_rec_practitioner_role_remove(db, r2), 0);
    TC_CHECK_EQ(tc_rec_practitioner_role_remove(db, r2), -ENOENT);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM practitioner_roles"), 2);
    tc_rec_close(db);
}

static void
test_team_belongs_to_a_township_clinic(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_team team = {
        .name = "Team East",
        .created_at_us = fx_us("2025-01-01"),
    };
    struct tc_rec_team_list *list = NULL;
    struct tc_rec_team *got = NULL;
    int64_t county, clinic, id = -1;

    county = fx_org(db, TC_REC_ORG_COUNTY_HOSPITAL, "County", 0);
    clinic = fx_org(db, TC_REC_ORG_TOWNSHIP_CLINIC, "Clinic", county);
    team.organization_id = county;
    TC_CHECK_EQ(tc_rec_team_create(db, &team, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db),
                          "organization_id: a team belongs to a township "
                          "clinic");
    team.organization_id = 999;
    TC_CHECK_EQ(tc_rec_team_create(db, &team, &id), -ENOENT);
    TC_CHECK_EQ(id, -1);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM teams"), 0);

    team.organization_id = clinic;
    TC_CHECK_EQ(tc_rec_team_create(db, &team, &id), 0);
    TC_REQUIRE(tc_rec_team_get(db, id, &got) == 0);
    TC_CHECK_STR_EQ(got->name, "Team East");
    TC_CHECK_EQ(got->organization_id, clinic);
    tc_rec_team_free(got);
    TC_REQUIRE(tc_rec_team_list_for_organization(db, clinic, &list) == 0);
    TC_REQUIRE(list->count == 1);
    TC_CHECK_EQ(list->items[0].id, id);
    tc_rec_team_list_free(list);
    TC_REQUIRE(tc_rec_team_list_for_organization(db, county, &list) == 0);
    TC_CHECK_EQ(list->count, 0);
    tc_rec_team_list_free(list);
    tc_rec_close(db);
}

static void
test_team_members_join_and_leave(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_team_member_list *list = NULL;
    int64_t clinic, team, wang, li, zhao;
    bool yes = false;

    clinic = fx_org(db, TC_REC_ORG_TOWNSHIP_CLINIC, "Clinic", 0);
    team = fx_team(db, clinic, "Team");
    wang = fx_practitioner(db, "Wang");
    li = fx_practitioner(db, "Li");
    zhao = fx_practitioner(db, "Zhao");
    TC_CHECK_EQ(tc_rec_team_member_add(db, team, wang, TC_REC_MEMBER_DOCTOR),
                0);
    TC_CHECK_EQ(tc_rec_team_member_add(db, team, li, TC_REC_MEMBER_NURSE), 0);
    TC_CHECK_EQ(
        tc_rec_team_member_add(db, team, zhao, TC_REC_MEMBER_THERAPIST), 0);
    TC_CHECK_EQ(tc_rec_team_member_add(db, team, li, TC_REC_MEMBER_DOCTOR),
                -EEXIST);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "already is a member");
    TC_CHECK_EQ(tc_rec_team_member_add(db, team, 999, TC_REC_MEMBER_DOCTOR),
                -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "practitioner_id");
    TC_CHECK_EQ(tc_rec_team_member_add(db, team, wang, 0), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "member_role");

    TC_REQUIRE(tc_rec_team_member_list_for_team(db, team, &list) == 0);
    TC_REQUIRE(list->count == 3);
    TC_CHECK_EQ(list->items[0].practitioner_id, wang); /* doctor */
    TC_CHECK_EQ(list->items[0].role, TC_REC_MEMBER_DOCTOR);
    TC_CHECK_STR_EQ(list->items[0].practitioner_name, "Wang");
    TC_CHECK_EQ(list->items[1].role, TC_REC_MEMBER_NURSE);
    TC_CHECK_EQ(list->items[2].role, TC_REC_MEMBER_THERAPIST);
    tc_rec_team_member_list_free(list);

    TC_CHECK_EQ(tc_rec_team_has_member(db, team, li, &yes), 0);
    TC_CHECK(yes);
    TC_CHECK_EQ(tc_rec_team_member_remove(db, team, li), 0);
    TC_CHECK_EQ(tc_rec_team_has_member(db, team, li, &yes), 0);
    TC_CHECK(!yes);
    TC_CHECK_EQ(tc_rec_team_member_remove(db, team, li), -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "not a member");
    TC_CHECK_EQ(tc_rec_team_member_list_for_team(db, 999, &list), -ENOENT);
    tc_rec_close(db);
}

static void
test_codes_round_trip(void)
{
    enum tc_rec_org_kind kind = 0;
    enum tc_rec_role role = 0;
    enum tc_rec_member_role member = 0;

    for (int i = TC_REC_ORG_COUNTY_HOSPITAL; i <= TC_REC_ORG_REHAB_POINT;
         i++) {
        TC_CHECK_EQ(
            tc_rec_org_kind_from_string(tc_rec_org_kind_to_string(i), &kind),
            0);
        TC_CHECK_EQ(kind, i);
    }
    for (int i = TC_REC_ROLE_DOCTOR; i <= TC_REC_ROLE_PUBLIC_HEALTH; i++) {
        TC_CHECK_EQ(tc_rec_role_from_string(tc_rec_role_to_string(i), &role),
                    0);
        TC_CHECK_EQ(role, i);
    }
    TC_CHECK_EQ(tc_rec_member_role_from_string("public_health", &member), 0);
    TC_CHECK_EQ(member, TC_REC_MEMBER_PUBLIC_HEALTH);
    TC_CHECK_EQ(tc_rec_org_kind_from_string("pharmacy", &kind), -EINVAL);
    TC_CHECK_EQ(tc_rec_role_from_string("Doctor", &role), -EINVAL);
    TC_CHECK(tc_rec_member_role_to_string(0) == NULL);
    TC_CHECK(tc_rec_org_kind_to_string(99) == NULL);
}

int
main(void)
{
    if (fx_init() < 0) {
        return 1;
    }
    TC_RUN(test_organizations_form_a_hierarchy);
    TC_RUN(test_part_of_never_makes_a_cycle);
    TC_RUN(test_organization_fields_are_validated);
    TC_RUN(test_practitioners_hold_roles_per_organization);
    TC_RUN(test_team_belongs_to_a_township_clinic);
    TC_RUN(test_team_members_join_and_leave);
    TC_RUN(test_codes_round_trip);
    return fx_done();
}
