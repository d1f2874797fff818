// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-careteam.c - CareTeam <-> family-doctor team (read, create).
 *
 *   CareTeam                              team
 *   id                                    id
 *   status (always active)
 *   name                                  name
 *   managingOrganization[0]               organization_id (a township
 *                                         clinic)
 *   participant[i].member (Practitioner)  team member practitioner_id
 *   participant[i].role[0].coding[system=<base>/CodeSystem/team-role].code
 *       doctor | nurse | public_health | therapist     member role
 *
 * A create writes the team and every participant in one transaction; a
 * bad participant leaves no team behind. No update through FHIR (members
 * change through the workflow API).
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fhir-int.h"

#define CS_TEAM_ROLE TC_FHIR_CS("team-role")

static const char *const member_codes[] = {
    [TC_REC_MEMBER_DOCTOR] = "doctor",
    [TC_REC_MEMBER_NURSE] = "nurse",
    [TC_REC_MEMBER_PUBLIC_HEALTH] = "public_health",
    [TC_REC_MEMBER_THERAPIST] = "therapist",
};

static json_t *
member_json(const struct tc_rec_team_member *m)
{
    json_t *who = tc_rec__fhir_ref_new("Practitioner", "", m->practitioner_id);
    json_t *role = tc_rec__fhir_cc_new(
        CS_TEAM_ROLE, TC_FHIR_MAP(member_codes, m->role), NULL);

    if (who && m->practitioner_name) {
        json_object_set_new(who, "display", json_string(m->practitioner_name));
    }
    return json_pack("{s:[o],s:o}", "role", role, "member", who);
}

static int
careteam_read(struct tc_rec_db *db, const char *id, json_t **out)
{
    struct tc_rec_team *t = NULL;
    struct tc_rec_team_member_list *members = NULL;
    json_t *res = NULL;
    int64_t tid;
    bool ok;
    int rc = tc_rec__fhir_id(db, "CareTeam", id, "", &tid);

    rc = rc ? rc : tc_rec_team_get(db, tid, &t);
    rc = rc ? rc : tc_rec_team_member_list_for_team(db, tid, &members);
    if (rc < 0) {
        tc_rec_team_free(t);
        return rc;
    }
    res = tc_rec__fhir_resource_new("CareTeam", "", t->id);
    ok = res && tc_rec__fhir_put_str(res, "status", "active");
    ok &= tc_rec__fhir_put_str(res, "name", t->name);
    ok &= tc_rec__fhir_push(
        res, "managingOrganization",
        tc_rec__fhir_ref_new("Organization", "", t->organization_id));
    for (size_t i = 0; i < members->count; i++) {
        ok &= tc_rec__fhir_push(res, "participant",
                                member_json(&members->items[i]));
    }
    tc_rec_team_free(t);
    tc_rec_team_member_list_free(members);
    return tc_rec__fhir_done(db, res, ok, out);
}

/* participant[i]: its member and role, added to team_id. */
static int
add_participant(struct tc_rec__fhir_in *in, const json_t *part, const char *p,
                int64_t team_id)
{
    const json_t *roles;
    char rp[TC_FHIR_PATH], mp[TC_FHIR_PATH];
    int64_t who = 0;
    int role = 0;
    int rc = tc_rec__fhir_only(in->db, part, p,
                               (const char *const[]){"role", "member", NULL});

    rc = rc ? rc
            : tc_rec__fhir_ref(in->db, part, p, "member", "Practitioner", true,
                               &who);
    rc = rc ? rc : tc_rec__fhir_array(in->db, part, p, "role", true, &roles);
    tc_rec__fhir_path(rp, p, "role", 0);
    if (rc == 0 && json_array_size(roles) > 1) {
        tc_rec__fhir_path(rp, p, "role", 1);
        rc = tc_rec__fhir_fail(in->db, -EINVAL, rp, "one role only");
    }
    rc = rc ? rc
            : tc_rec__fhir_cc_value(in->db, json_array_get(roles, 0), rp,
                                    CS_TEAM_ROLE, member_codes,
                                    TC_FHIR_N(member_codes), &role);
    if (rc < 0) {
        return rc;
    }
    tc_rec__fhir_path(mp, p, "member", -1);
    tc_rec__fhir_origin(in, "practitioner_id", mp);
    tc_rec__fhir_origin(in, "member_role", rp);
    return tc_rec__fhir_api(
        in, tc_rec_team_member_add(in->db, team_id, who,
                                   (enum tc_rec_member_role)role));
}

static int
parse_team(struct tc_rec__fhir_in *in, const json_t *res,
           struct tc_rec_team *t)
{
    static const char *const keys[] = {
        "status", "name", "managingOrganization", "participant", NULL};
    static const char *const statuses[] = {"active"};
    const json_t *orgs;
    int status = 0;
    int rc = tc_rec__fhir_only(in->db, res, "CareTeam", keys);

    rc = rc ? rc
            : tc_rec__fhir_code(in->db, res, "CareTeam", "status", false,
                                statuses, 1, &status);
    rc = rc ? rc
            : tc_rec__fhir_str(in->db, res, "CareTeam", "name", true,
                               (const char **)&t->name);
    rc = rc ? rc
            : tc_rec__fhir_array(in->db, res, "CareTeam",
                                 "managingOrganization", true, &orgs);
    if (rc == 0 && json_array_size(orgs) > 1) {
        rc = tc_rec__fhir_fail(in->db, -EINVAL,
                               "CareTeam.managingOrganization[1]",
                               "one organization only");
    }
    rc = rc ? rc
            : tc_rec__fhir_ref_value(in->db, json_array_get(orgs, 0),
                                     "CareTeam.managingOrganization[0]",
                                     "Organization", &t->organization_id);
    tc_rec__fhir_origin(in, "name", "CareTeam.name");
    tc_rec__fhir_origin(in, "organization_id",
                        "CareTeam.managingOrganization[0]");
    t->created_at_us = in->ctx->now_us;
    return rc;
}

static int
careteam_create(struct tc_rec__fhir_in *in, const json_t *res,
                char id_out[TC_REC_FHIR_ID_MAX + 1])
{
    struct tc_rec_team t = {0};
    const json_t *parts = NULL, *part;
    char p[TC_FHIR_PATH];
    int64_t id = 0;
    size_t i;
    int rc = parse_team(in, res, &t);

    rc = rc ? rc
            : tc_rec__fhir_array(in->db, res, "CareTeam", "participant", false,
                                 &parts);
    rc = rc ? rc : tc_rec__fhir_api(in, tc_rec_team_create(in->db, &t, &id));
    json_array_foreach(parts, i, part)
    {
        tc_rec__fhir_path(p, "CareTeam", "participant", (int)i);
        rc = rc ? rc : add_participant(in, part, p, id);
    }
    if (rc == 0) {
        snprintf(id_out, TC_REC_FHIR_ID_MAX + 1, "%lld", (long long)id);
    }
    return rc;
}

const struct tc_rec__fhir_type tc_rec__fhir_careteam = {
    .name = "CareTeam",
    .read = careteam_read,
    .create = careteam_create,
};
