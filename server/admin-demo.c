// SPDX-License-Identifier: Apache-2.0
/*
 * admin-demo.c - `telecare-admin seed-demo`: the demo county, so that
 * scripts/demo shows something real. One county hospital with its
 * departments' doctors, two township clinics each with a family-doctor
 * team, a partner city hospital with a specialist, a rehab service point,
 * and residents (elderly, disabled, chronically ill) with signed contracts
 * and their follow-up schedules. Everything goes through the records API,
 * so the demo data obeys every rule real data does.
 *
 * Names and ID numbers are invented; ID numbers carry a valid check digit
 * computed here. Refuses to run on a database that already holds
 * organizations, so running scripts/demo again reuses the county.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "server-int.h"
#include "tc-records.h"

struct county {
    int64_t county_hospital, city_hospital, rehab_point;
    int64_t clinic[2];
    int64_t team[2];
    int64_t family_doctor[2], nurse[2], therapist;
    int64_t cardiologist, specialist, radiologist, ecg_reader, township_doc;
    int64_t now_us;
    char today[11];
};

/* A valid 18-character ID number for a birth date and a sequence number
 * (odd: male). */
static void
make_id_number(const char *birth, int seq, char out[19])
{
    static const int weights[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                    3, 7, 9,  10, 5, 8, 4, 2};
    int sum = 0;

    g_snprintf(out, 19, "341122%.4s%.2s%.2s%03d", birth, birth + 5, birth + 8,
               seq % 1000);
    for (int i = 0; i < 17; i++) {
        sum += (out[i] - '0') * weights[i];
    }
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

static int
fail(struct tc_rec_db *db, const char *what)
{
    fprintf(stderr, "telecare-admin: seed-demo: %s: %s\n", what,
            tc_rec_errmsg(db));
    return -1;
}

static int
org(struct tc_rec_db *db, struct county *c, enum tc_rec_org_kind kind,
    const char *name, int64_t part_of, const char *township, int64_t *id)
{
    struct tc_rec_organization o = {
        .kind = kind,
        .name = (char *)name,
        .part_of = part_of,
        .township = (char *)township,
        .created_at_us = c->now_us,
    };

    return tc_rec_organization_create(db, &o, id) < 0 ? fail(db, name) : 0;
}

static int
person(struct tc_rec_db *db, struct county *c, const char *name,
       int64_t org_id, enum tc_rec_role role, const char *department,
       int64_t *id)
{
    struct tc_rec_practitioner p = {.name = (char *)name,
                                    .created_at_us = c->now_us};
    struct tc_rec_practitioner_role r = {
        .organization_id = org_id,
        .role = role,
        .department = (char *)department,
    };
    int64_t role_id;

    if (tc_rec_practitioner_create(db, &p, id) < 0) {
        return fail(db, name);
    }
    r.practitioner_id = *id;
    return tc_rec_practitioner_role_add(db, &r, &role_id) < 0 ? fail(db, name)
                                                              : 0;
}

static int
seed_organizations(struct tc_rec_db *db, struct county *c)
{
    if (org(db, c, TC_REC_ORG_COUNTY_HOSPITAL, "青山县人民医院", 0, NULL,
            &c->county_hospital) < 0 ||
        org(db, c, TC_REC_ORG_TOWNSHIP_CLINIC, "城关镇卫生院",
            c->county_hospital, "城关镇", &c->clinic[0]) < 0 ||
        org(db, c, TC_REC_ORG_TOWNSHIP_CLINIC, "河口乡卫生院",
            c->county_hospital, "河口乡", &c->clinic[1]) < 0 ||
        org(db, c, TC_REC_ORG_CITY_HOSPITAL, "江州市第一人民医院", 0, NULL,
            &c->city_hospital) < 0 ||
        org(db, c, TC_REC_ORG_REHAB_POINT, "城关镇康复服务站", c->clinic[0],
            "城关镇", &c->rehab_point) < 0) {
        return -1;
    }
    return 0;
}

static int
seed_people(struct tc_rec_db *db, struct county *c)
{
    if (person(db, c, "周明", c->county_hospital, TC_REC_ROLE_DOCTOR,
               "cardiology", &c->cardiologist) < 0 ||
        person(db, c, "孙丽华", c->county_hospital, TC_REC_ROLE_ECG_READER,
               "ecg", &c->ecg_reader) < 0 ||
        person(db, c, "吴刚", c->county_hospital, TC_REC_ROLE_RADIOLOGIST,
               "radiology", &c->radiologist) < 0 ||
        person(db, c, "郑海涛", c->city_hospital, TC_REC_ROLE_SPECIALIST,
               "neurology", &c->specialist) < 0 ||
        person(db, c, "黄晓燕", c->clinic[1], TC_REC_ROLE_TOWNSHIP_DOCTOR,
               "general", &c->township_doc) < 0 ||
        person(db, c, "林静", c->rehab_point, TC_REC_ROLE_THERAPIST,
               "rehabilitation", &c->therapist) < 0) {
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        static const char *const doctors[2] = {"陈建平", "马玉梅"};
        static const char *const nurses[2] = {"赵小红", "杨丽"};
        static const char *const teams[2] = {"城关镇第一家庭医生团队",
                                             "河口乡家庭医生团队"};
        struct tc_rec_team t = {.organization_id = c->clinic[i],
                                .name = (char *)teams[i],
                                .created_at_us = c->now_us};
        if (person(db, c, doctors[i], c->clinic[i], TC_REC_ROLE_FAMILY_DOCTOR,
                   "general", &c->family_doctor[i]) < 0 ||
            person(db, c, nurses[i], c->clinic[i], TC_REC_ROLE_NURSE, NULL,
                   &c->nurse[i]) < 0) {
            return -1;
        }
        if (tc_rec_team_create(db, &t, &c->team[i]) < 0 ||
            tc_rec_team_member_add(db, c->team[i], c->family_doctor[i],
                                   TC_REC_MEMBER_DOCTOR) < 0 ||
            tc_rec_team_member_add(db, c->team[i], c->nurse[i],
                                   TC_REC_MEMBER_NURSE) < 0) {
            return fail(db, teams[i]);
        }
    }
    if (tc_rec_team_member_add(db, c->team[0], c->therapist,
                               TC_REC_MEMBER_THERAPIST) < 0) {
        return fail(db, "therapist");
    }
    return 0;
}

struct demo_resident {
    const char *name;
    enum tc_rec_sex sex;
    const char *birth;
    int team; /* 0 or 1; -1: no contract */
    const char *village;
    enum tc_rec_disability disability;
    int grade;
    unsigned packages;
};

#define PKG(p) TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_##p)

static const struct demo_resident residents[] = {
    {"王秀英", TC_REC_SEX_FEMALE, "1948-03-12", 0, "东街村",
     TC_REC_DISABILITY_PHYSICAL, 2,
     PKG(BASIC) | PKG(DISABILITY_REHAB) | PKG(ELDERLY_CARE)},
    {"李建国", TC_REC_SEX_MALE, "1956-07-30", 0, "西关村",
     TC_REC_DISABILITY_NONE, 0, PKG(BASIC) | PKG(CHRONIC_DISEASE)},
    {"张桂兰", TC_REC_SEX_FEMALE, "1941-11-02", 1, "河口村",
     TC_REC_DISABILITY_HEARING, 3, PKG(BASIC) | PKG(ELDERLY_CARE)},
    {"陈淑珍", TC_REC_SEX_FEMALE, "1962-01-19", 1, "柳湾村",
     TC_REC_DISABILITY_VISUAL, 1, PKG(BASIC) | PKG(DISABILITY_REHAB)},
    {"刘伟", TC_REC_SEX_MALE, "1990-05-08", -1, "东街村",
     TC_REC_DISABILITY_NONE, 0, 0},
};

static int
seed_resident(struct tc_rec_db *db, struct county *c,
              const struct demo_resident *d, int seq, int64_t *id)
{
    char id_number[19], cert[32], card[32];
    struct tc_rec_resident r = {
        .name = (char *)d->name,
        .sex = d->sex,
        .birth_date = (char *)d->birth,
        .township = d->team == 1 ? "河口乡" : "城关镇",
        .village = (char *)d->village,
        .phone = "13800000000",
        .disability_category = d->disability,
        .disability_grade = d->grade,
        .created_at_us = c->now_us,
    };

    make_id_number(d->birth, seq * 2 + (d->sex == TC_REC_SEX_MALE), id_number);
    r.id_number = id_number;
    g_snprintf(card, sizeof(card), "HC%08d", 1000 + seq);
    r.health_card_no = card;
    if (d->disability != TC_REC_DISABILITY_NONE) {
        g_snprintf(cert, sizeof(cert), "%s%d%d", id_number, d->disability,
                   d->grade);
        r.disability_cert_no = cert;
    }
    return tc_rec_resident_create(db, &r, id) < 0 ? fail(db, "resident") : 0;
}

static int
seed_contract(struct tc_rec_db *db, struct county *c,
              const struct demo_resident *d, int64_t resident)
{
    char start[11];
    struct tc_rec_contract_offer offer = {
        .resident_id = resident,
        .team_id = c->team[d->team],
        .packages = d->packages,
        .period_start = start,
        .offered_by = c->family_doctor[d->team],
        .offered_at_us = c->now_us,
    };
    struct tc_rec_contract_signature sig = {
        .signed_by = c->family_doctor[d->team],
        .signed_at_us = c->now_us,
        .method = TC_REC_SIGN_IN_PERSON,
    };
    g_autoptr(GDate) date = g_date_new();
    int64_t contract;

    /* The period began four months ago: some follow-ups are done or
     * overdue, some due soon. */
    g_date_set_parse(date, c->today);
    g_date_subtract_months(date, 4);
    g_date_strftime(start, sizeof(start), "%Y-%m-%d", date);
    if (tc_rec_contract_offer(db, &offer, &contract) < 0 ||
        tc_rec_contract_sign(db, contract, &sig) < 0) {
        return fail(db, "contract");
    }
    return 0;
}

static int
seed(struct tc_rec_db *db, struct county *c)
{
    if (seed_organizations(db, c) < 0 || seed_people(db, c) < 0) {
        return -1;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(residents); i++) {
        int64_t id;
        if (seed_resident(db, c, &residents[i], (int)i + 1, &id) < 0 ||
            (residents[i].team >= 0 &&
             seed_contract(db, c, &residents[i], id) < 0)) {
            return -1;
        }
    }
    return 0;
}

static int
cmd_seed_demo(struct tc_rec_db *db, int argc, char **argv)
{
    struct tc_rec_organization_list *top = NULL;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *today = g_date_time_format(now, "%Y-%m-%d");
    struct county c = {.now_us = g_date_time_to_unix(now) * G_USEC_PER_SEC};
    int rc;

    if (argc != 0) {
        fprintf(stderr, "usage: telecare-admin seed-demo\n");
        return 2;
    }
    g_strlcpy(c.today, today, sizeof(c.today));
    if (tc_rec_organization_list_children(db, 0, &top) == 0 &&
        top->count > 0) {
        tc_rec_organization_list_free(top);
        fprintf(stderr, "telecare-admin: seed-demo: this database already "
                        "has organizations; not seeding\n");
        return 1;
    }
    tc_rec_organization_list_free(top);
    if (tc_rec_tx_begin(db) < 0) {
        return fail(db, "begin"), 1;
    }
    rc = seed(db, &c);
    if (rc < 0) {
        tc_rec_tx_rollback(db);
        return 1;
    }
    if (tc_rec_tx_commit(db) < 0) {
        return fail(db, "commit"), 1;
    }
    printf("demo county: 青山县 (county hospital, 2 township clinics, a "
           "city hospital, a rehab point), %zu residents\n",
           G_N_ELEMENTS(residents));
    return 0;
}

const struct tc_srv__admin_cmd tc_srv__admin_cmds_demo[] = {
    {"seed-demo", "",
     "fill an empty database with the demo county (scripts/demo)",
     cmd_seed_demo},
    {NULL, NULL, NULL, NULL},
};
