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
 * Also a carer, a home-rehabilitation plan with guided sessions, an
 * accepted consultation, an ECG awaiting its reader, hospital departments
 * with this week's on-call rota, a referral chain up to cardiology and
 * back down (with its follow-up plan) and one awaiting an answer, and one
 * login per role
 * with a generated password (printed, and saved with mode 0600 where
 * --accounts-file says).
 *
 * Names and ID numbers are invented; ID numbers carry a valid check digit
 * computed here. Refuses to run on a database that already holds
 * organizations, so running scripts/demo again reuses the county.
 */
#include <stddef.h>
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
    int64_t cardiologist2, cardiologist3, city_cardiologist; /* on call */
    int64_t ecg_study;
    int64_t resident[8];
    int64_t carer;
    int64_t now_us;
    char today[11];
    GString *accounts; /* "username password role" lines */
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

/* 王秀英's daughter acts for her. */
static int
seed_carer(struct tc_rec_db *db, struct county *c)
{
    struct tc_rec_carer carer = {
        .name = "李梅", .phone = "13900000000", .created_at_us = c->now_us};

    if (tc_rec_carer_create(db, &carer, &c->carer) < 0 ||
        tc_rec_carer_link(db, c->carer, c->resident[0], "daughter") < 0) {
        return fail(db, "carer");
    }
    return 0;
}

static void
date_shift(const char *today, int days, char out[11])
{
    g_autoptr(GDate) date = g_date_new();

    g_date_set_parse(date, today);
    if (days >= 0) {
        g_date_add_days(date, (guint)days);
    } else {
        g_date_subtract_days(date, (guint)-days);
    }
    g_date_strftime(out, 11, "%Y-%m-%d", date);
}

/* A home-rehabilitation plan for 王秀英 (physical disability): goals,
 * exercises, and guided sessions over the coming days. */
static int
seed_rehab(struct tc_rec_db *db, struct county *c)
{
    static const struct tc_rec_rehab_exercise_new exercises[] = {
        {"坐位抬腿 Seated leg raise",
         "坐直，慢慢抬起一条腿保持5秒。Sit upright, lift one leg slowly, "
         "hold 5 s.",
         "/media/exercises/seated-leg-raise.webm", 3, 10, 5, 0},
        {"扶椅站立 Supported sit-to-stand",
         "双手扶椅背，慢慢站起再坐下。Hold the chair back, stand up and "
         "sit down slowly.",
         "/media/exercises/sit-to-stand.webm", 2, 8, 3, 0},
    };
    struct tc_rec_rehab_goal_new goal = {
        .description = "独立从床转移到椅子 Transfer bed to chair alone",
        .target = "Barthel transfers 15",
    };
    char start[11], end[11];
    int64_t contract, team, plan, id;
    struct tc_rec_rehab_plan_new in = {
        .resident_id = c->resident[0],
        .title = "下肢功能康复 Lower-limb rehabilitation",
        .period_start = start,
        .period_end = end,
        .therapist_ids = &c->therapist,
        .n_therapists = 1,
        .created_by = c->therapist,
        .created_at_us = c->now_us,
    };

    date_shift(c->today, -14, start);
    date_shift(c->today, 60, end);
    if (tc_rec_resident_contract_team(db, c->resident[0], &contract, &team) <
        0) {
        return fail(db, "rehab contract");
    }
    in.contract_id = contract;
    if (tc_rec_rehab_plan_create(db, &in, &plan) < 0 ||
        tc_rec_rehab_goal_add(db, plan, &goal, &id) < 0) {
        return fail(db, "rehab plan");
    }
    for (size_t i = 0; i < G_N_ELEMENTS(exercises); i++) {
        if (tc_rec_rehab_exercise_add(db, plan, &exercises[i], &id) < 0) {
            return fail(db, "rehab exercise");
        }
    }
    if (tc_rec_rehab_plan_activate(db, plan, c->therapist, c->now_us) < 0) {
        return fail(db, "rehab activate");
    }
    for (int day = 1; day <= 3; day++) {
        struct tc_rec_rehab_session_new session = {
            .plan_id = plan,
            .mode = TC_REC_REHAB_LIVE_GUIDED,
            .scheduled_at_us =
                c->now_us + (int64_t)day * 86400 * G_USEC_PER_SEC,
            .therapist_id = c->therapist,
        };
        if (tc_rec_rehab_session_schedule(db, &session, &id) < 0) {
            return fail(db, "rehab session");
        }
    }
    return 0;
}

/* 河口乡's township doctor asks the county's cardiology for a
 * consultation about 张桂兰; accepted and scheduled for tomorrow. */
static int
seed_consultation(struct tc_rec_db *db, struct county *c)
{
    struct tc_rec_consultation_new in = {
        .requester_id = c->township_doc,
        .requested_org_id = c->county_hospital,
        .resident_id = c->resident[2],
        .reason = "反复胸闷，心电图 ST 段改变 Recurrent chest tightness, ST "
                  "changes on ECG",
        .priority = TC_REC_CONSULTATION_URGENT,
        .requested_at_us = c->now_us,
    };
    int64_t id, consent;

    if (tc_rec_consultation_request(db, &in, &id) < 0 ||
        tc_rec_consultation_accept(db, id, c->cardiologist, c->now_us) < 0 ||
        tc_rec_consultation_schedule(db, id, c->cardiologist, c->now_us,
                                     c->now_us + 86400LL * G_USEC_PER_SEC) <
            0 ||
        tc_rec_consultation_consent_give(
            db, id, TC_REC_CONSENT_TELECONSULTATION, 0, c->township_doc,
            c->now_us, &consent) < 0) {
        return fail(db, "consultation");
    }
    return 0;
}

/* 河口乡's clinic recorded a 12-lead ECG of 张桂兰; it awaits the county
 * ECG reader. */
static int
seed_ecg(struct tc_rec_db *db, struct county *c)
{
    struct tc_rec_ecg_study_new in = {
        .resident_id = c->resident[2],
        .device_id = "HK-ECG-01",
        .leads = "I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6",
        .sample_rate_hz = 500,
        .started_at_us = c->now_us - 3600LL * G_USEC_PER_SEC,
        .duration_ms = 10000,
        .storage_path = "ecg/demo-zhang-guilan",
        .organization_id = c->clinic[1],
        .ordered_by = c->township_doc,
    };
    int64_t id;

    if (tc_rec_ecg_study_create(db, &in, &id) < 0 ||
        tc_rec_ecg_study_assign(db, id, c->ecg_reader) < 0 ||
        tc_rec_ecg_device_assign(db, in.device_id, in.resident_id, 0,
                                 c->now_us) < 0) {
        return fail(db, "ecg study");
    }
    c->ecg_study = id;
    return 0;
}

/* ---- tiered care: departments, the on-call rota, referrals ---- */

static int
department(struct tc_rec_db *db, struct county *c, int64_t org,
           const char *code, const char *name, int64_t head, int64_t *id)
{
    struct tc_rec_department d = {.organization_id = org,
                                  .code = (char *)code,
                                  .name = (char *)name,
                                  .head_id = head,
                                  .created_at_us = c->now_us};

    return tc_rec_department_create(db, &d, id) < 0 ? fail(db, code) : 0;
}

static int
on_call(struct tc_rec_db *db, struct county *c, int64_t dept, int64_t who)
{
    struct tc_rec_oncall_shift s = {
        .department_id = dept,
        .practitioner_id = who,
        .starts_at_us = c->now_us - 3600LL * G_USEC_PER_SEC,
        .ends_at_us = c->now_us + 7 * 86400LL * G_USEC_PER_SEC,
        .created_at_us = c->now_us,
    };
    int64_t id;

    return tc_rec_oncall_add(db, &s, &id) < 0 ? fail(db, "on-call shift") : 0;
}

/* County departments (cardiology headed by 周明; neurology and the
 * emergency department with nobody on call), the city hospital's
 * cardiology and neurology; this week's rota: three county cardiologists
 * and one at the city hospital, 郑海涛 for neurology at the city. */
static int
seed_departments(struct tc_rec_db *db, struct county *c, int64_t *cardio,
                 int64_t *neuro)
{
    int64_t emergency, city_cardio, city_neuro, radiology;

    if (person(db, c, "李强", c->county_hospital, TC_REC_ROLE_DOCTOR,
               "cardiology", &c->cardiologist2) < 0 ||
        person(db, c, "王芳", c->county_hospital, TC_REC_ROLE_DOCTOR,
               "cardiology", &c->cardiologist3) < 0 ||
        person(db, c, "赵磊", c->city_hospital, TC_REC_ROLE_SPECIALIST,
               "cardiology", &c->city_cardiologist) < 0 ||
        department(db, c, c->county_hospital, "cardiology", "心内科",
                   c->cardiologist, cardio) < 0 ||
        department(db, c, c->county_hospital, "neurology", "神经内科", 0,
                   neuro) < 0 ||
        department(db, c, c->county_hospital, "emergency", "急诊科", 0,
                   &emergency) < 0 ||
        department(db, c, c->county_hospital, "radiology", "放射科",
                   c->radiologist, &radiology) < 0 ||
        department(db, c, c->city_hospital, "cardiology", "心血管内科",
                   c->city_cardiologist, &city_cardio) < 0 ||
        department(db, c, c->city_hospital, "neurology", "神经内科",
                   c->specialist, &city_neuro) < 0) {
        return -1;
    }
    if (on_call(db, c, *cardio, c->cardiologist) < 0 ||
        on_call(db, c, *cardio, c->cardiologist2) < 0 ||
        on_call(db, c, *cardio, c->cardiologist3) < 0 ||
        on_call(db, c, city_cardio, c->city_cardiologist) < 0 ||
        on_call(db, c, city_neuro, c->specialist) < 0) {
        return -1;
    }
    return 0;
}

/* 河口乡's clinic sent a chest CT of 张桂兰; it awaits the county
 * radiologist. Only its index is seeded (the demo stores no DICOM file, as
 * it stores no ECG recording); UIDs, size and SHA-256 are those of the
 * test file CT_small.dcm (../shared/data/dicom), so storing that file later
 * completes this study rather than conflicting with it. */
static int
seed_imaging(struct tc_rec_db *db, struct county *c)
{
    struct tc_rec_imaging_instance_in in = {
        .study_uid = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322",
        .accession = "HK-CT-0001",
        .study_description = "胸部 CT 平扫 Chest CT",
        .study_date = "2004-01-19",
        .resident_id = c->resident[2],
        .sending_org_id = c->clinic[1],
        .series_uid = "1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322",
        .modality = "CT",
        .series_number = 1,
        .series_description = "Axial",
        .sop_instance_uid = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322",
        .sop_class_uid = "1.2.840.10008.5.1.4.1.1.2",
        .storage_path = "dicom/demo-zhang-guilan-ct",
        .sha256 = "3dd31e5cc835b3f2cdd46c9da1982f59"
                  "251e78518fefa8163d914631c66437d6",
        .size_bytes = 39206,
        .received_at_us = c->now_us - 1800LL * G_USEC_PER_SEC,
    };
    int64_t id;

    if (tc_rec_imaging_instance_store(db, &in, &id) < 0 ||
        tc_rec_imaging_study_assign(db, id, c->radiologist, c->now_us) < 0) {
        return fail(db, "imaging study");
    }
    return 0;
}

/* 河口乡's township doctor refers 张桂兰 up to cardiology with her ECG;
 * 周明 accepts, and after the stay sends her back down with a follow-up
 * plan (awaiting 河口乡's acknowledgement); 陈建平 refers 李建国 to
 * neurology (awaiting an answer). */
static int
seed_referrals(struct tc_rec_db *db, struct county *c)
{
    char in_2_weeks[11], in_6_weeks[11];
    int64_t cardio, neuro, up, down, pending;
    struct tc_rec_followup_plan_item plan[2] = {
        {"post_discharge_visit", in_2_weeks},
        {"ecg_recheck", in_6_weeks},
    };
    struct tc_rec_referral_new r = {
        .direction = TC_REC_REFERRAL_UP,
        .resident_id = c->resident[2],
        .from_id = c->township_doc,
        .urgency = TC_REC_CONSULTATION_URGENT,
        .reason = "反复胸闷 Recurrent chest tightness",
        .summary = "ST 段压低 V4-V6；阿司匹林 ST depression V4-V6; aspirin",
        .ecg_study_ids = &c->ecg_study,
        .n_ecg_studies = 1,
        .at_us = c->now_us - 3 * 86400LL * G_USEC_PER_SEC,
    };

    date_shift(c->today, 14, in_2_weeks);
    date_shift(c->today, 42, in_6_weeks);
    if (seed_departments(db, c, &cardio, &neuro) < 0) {
        return -1;
    }
    r.department_id = cardio;
    if (tc_rec_referral_create(db, &r, &up) < 0 ||
        tc_rec_referral_accept(db, up, c->cardiologist,
                               r.at_us + 2 * 3600LL * G_USEC_PER_SEC, 0,
                               c->today) < 0) {
        return fail(db, "referral up");
    }
    r = (struct tc_rec_referral_new){
        .direction = TC_REC_REFERRAL_DOWN,
        .resident_id = c->resident[2],
        .from_id = c->cardiologist,
        .parent_id = up,
        .urgency = TC_REC_CONSULTATION_ROUTINE,
        .reason = "出院 Discharged",
        .summary = "冠脉造影未见狭窄；继续阿司匹林 Angiography clear; "
                   "continue aspirin",
        .plan = plan,
        .n_plan = 2,
        .at_us = c->now_us,
    };
    if (tc_rec_referral_create(db, &r, &down) < 0) {
        return fail(db, "referral down");
    }
    r = (struct tc_rec_referral_new){
        .direction = TC_REC_REFERRAL_UP,
        .resident_id = c->resident[1],
        .from_id = c->family_doctor[0],
        .department_id = neuro,
        .urgency = TC_REC_CONSULTATION_ROUTINE,
        .reason = "头晕 Dizziness, two months",
        .at_us = c->now_us - 3600LL * G_USEC_PER_SEC,
    };
    return tc_rec_referral_create(db, &r, &pending) < 0
               ? fail(db, "referral pending")
               : 0;
}

struct demo_user {
    const char *username;
    enum tc_rec_user_role role;
    size_t person; /* offset of the linked id in struct county, or 0 */
    enum { LINK_NONE, LINK_PRACTITIONER, LINK_RESIDENT, LINK_CARER } link;
};

#define AT(field) offsetof(struct county, field)

static const struct demo_user users[] = {
    {"admin", TC_REC_USER_ADMIN, 0, LINK_NONE},
    {"auditor", TC_REC_USER_AUDITOR, 0, LINK_NONE},
    {"zhou.ming", TC_REC_USER_DOCTOR, AT(cardiologist), LINK_PRACTITIONER},
    {"zheng.haitao", TC_REC_USER_SPECIALIST, AT(specialist),
     LINK_PRACTITIONER},
    {"huang.xiaoyan", TC_REC_USER_TOWNSHIP_DOCTOR, AT(township_doc),
     LINK_PRACTITIONER},
    {"chen.jianping", TC_REC_USER_FAMILY_DOCTOR, AT(family_doctor[0]),
     LINK_PRACTITIONER},
    {"ma.yumei", TC_REC_USER_FAMILY_DOCTOR, AT(family_doctor[1]),
     LINK_PRACTITIONER},
    {"lin.jing", TC_REC_USER_THERAPIST, AT(therapist), LINK_PRACTITIONER},
    {"sun.lihua", TC_REC_USER_ECG_READER, AT(ecg_reader), LINK_PRACTITIONER},
    {"wu.gang", TC_REC_USER_RADIOLOGIST, AT(radiologist), LINK_PRACTITIONER},
    {"wang.xiuying", TC_REC_USER_RESIDENT, AT(resident[0]), LINK_RESIDENT},
    {"li.mei", TC_REC_USER_CARER, AT(carer), LINK_CARER},
    /* the on-call cardiologists (after the others: their ids stay) */
    {"li.qiang", TC_REC_USER_DOCTOR, AT(cardiologist2), LINK_PRACTITIONER},
    {"wang.fang", TC_REC_USER_DOCTOR, AT(cardiologist3), LINK_PRACTITIONER},
    {"zhao.lei", TC_REC_USER_SPECIALIST, AT(city_cardiologist),
     LINK_PRACTITIONER},
};

/* One login per role, each with a generated password (kept in
 * c->accounts to print and to save beside the database). */
static int
seed_users(struct tc_rec_db *db, struct county *c)
{
    for (size_t i = 0; i < G_N_ELEMENTS(users); i++) {
        const struct demo_user *d = &users[i];
        int64_t person =
            d->person ? *(const int64_t *)((const char *)c + d->person) : 0;
        char *password = tc_srv__password_generate();
        g_autofree char *hash = NULL;
        struct tc_rec_user u = {
            .username = (char *)d->username,
            .roles = TC_REC_USER_ROLE_BIT(d->role),
            .practitioner_id = d->link == LINK_PRACTITIONER ? person : 0,
            .resident_id = d->link == LINK_RESIDENT ? person : 0,
            .carer_id = d->link == LINK_CARER ? person : 0,
            .created_at_us = c->now_us,
        };
        int64_t id;

        if (tc_srv__password_hash(password, &hash) < 0) {
            tc_srv__password_wipe(password);
            fprintf(stderr, "telecare-admin: seed-demo: cannot hash\n");
            return -1;
        }
        u.password_hash = hash;
        if (tc_rec_user_create(db, &u, &id) < 0) {
            tc_srv__password_wipe(password);
            return fail(db, d->username);
        }
        g_string_append_printf(c->accounts, "%-15s %-22s %s\n", d->username,
                               password, tc_rec_user_role_to_string(d->role));
        tc_srv__password_wipe(password);
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
        if (seed_resident(db, c, &residents[i], (int)i + 1, &c->resident[i]) <
                0 ||
            (residents[i].team >= 0 &&
             seed_contract(db, c, &residents[i], c->resident[i]) < 0)) {
            return -1;
        }
    }
    if (seed_carer(db, c) < 0 || seed_rehab(db, c) < 0 ||
        seed_consultation(db, c) < 0 || seed_ecg(db, c) < 0 ||
        seed_referrals(db, c) < 0 || seed_imaging(db, c) < 0 ||
        seed_users(db, c) < 0) {
        return -1;
    }
    return 0;
}

/* Write the demo accounts beside the database, readable by the owner
 * only: scripts/demo prints them on every run. */
static int
save_accounts(const char *path, const GString *accounts)
{
    g_autoptr(GError) err = NULL;

    if (!g_file_set_contents_full(path, accounts->str, (gssize)accounts->len,
                                  G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                  &err)) {
        fprintf(stderr, "telecare-admin: seed-demo: %s\n", err->message);
        return -1;
    }
    return 0;
}

static int
cmd_seed_demo(struct tc_rec_db *db, int argc, char **argv)
{
    struct tc_rec_organization_list *top = NULL;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *today = g_date_time_format(now, "%Y-%m-%d");
    g_autoptr(GString) accounts = g_string_new(NULL);
    struct county c = {.now_us = g_date_time_to_unix(now) * G_USEC_PER_SEC,
                       .accounts = accounts};
    const char *accounts_file = NULL;
    int rc;

    if (argc == 2 && strcmp(argv[0], "--accounts-file") == 0) {
        accounts_file = argv[1];
    } else if (argc != 0) {
        fprintf(stderr, "usage: telecare-admin seed-demo "
                        "[--accounts-file PATH]\n");
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
           "city hospital, a rehab point), %zu residents, a rehab plan, a "
           "consultation, an ECG awaiting reading, a CT awaiting its "
           "report, departments with an on-call rota, referrals up and "
           "down\n",
           G_N_ELEMENTS(residents));
    if (accounts_file && save_accounts(accounts_file, accounts) < 0) {
        return 1;
    }
    printf("accounts (username, password, role):\n%s", accounts->str);
    return 0;
}

const struct tc_srv__admin_cmd tc_srv__admin_cmds_demo[] = {
    {"seed-demo", "[--accounts-file PATH]",
     "fill an empty database with the demo county (scripts/demo)",
     cmd_seed_demo},
    {NULL, NULL, NULL, NULL},
};
