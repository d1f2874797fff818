// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-search-types.c - the tables FHIR search runs on: the supported
 * types and what FHIR may do with each, the search parameters of each
 * type (also the CapabilityStatement's list), and the sources answering
 * them (fhir-search-int.h). fhir-search.c turns them into SQL.
 *
 * A token's FHIR codes map onto the stored codes as the mapping files
 * (fhir-<resource>.c) write them; a change there is a change here.
 *
 * Thread: any (constant tables).
 */
#include <string.h>

#include "fhir-search-int.h"

#define SYS_HEALTH TC_FHIR_SYS_HEALTH

struct param_doc {
    const char *type;
    struct tc_rec_fhir_search_param p;
};

/* ---- The types and their parameters ---- */

static const char *const type_names[] = {
    "Patient",          "Practitioner", "PractitionerRole", "Organization",
    "CareTeam",         "Contract",     "CarePlan",         "Goal",
    "ServiceRequest",   "Task",         "Encounter",        "Observation",
    "DiagnosticReport", "ImagingStudy", "Consent",          "AuditEvent",
};

const struct tc_rec__fhir_type *
tc_rec__fhir_mapping(const char *type)
{
    static const struct tc_rec__fhir_type *const all[] = {
        &tc_rec__fhir_patient,      &tc_rec__fhir_organization,
        &tc_rec__fhir_practitioner, &tc_rec__fhir_practitioner_role,
        &tc_rec__fhir_careteam,     &tc_rec__fhir_contract,
        &tc_rec__fhir_audit_event,  &tc_rec__fhir_careplan,
        &tc_rec__fhir_goal,         &tc_rec__fhir_encounter,
        &tc_rec__fhir_observation,  &tc_rec__fhir_report,
        &tc_rec__fhir_imaging,      &tc_rec__fhir_service_request,
        &tc_rec__fhir_task,         &tc_rec__fhir_consent,
    };

    for (size_t i = 0; type && i < TC_FHIR_N(all); i++) {
        if (strcmp(all[i]->name, type) == 0) {
            return all[i];
        }
    }
    return NULL;
}

#define ID_DOC      "the logical id"
#define PATIENT_DOC "Patient/<id> (or the id alone) of the resident"
#define P_ID(t)                                                               \
    {                                                                         \
        t,                                                                    \
        {                                                                     \
            "_id", "token", ID_DOC                                            \
        }                                                                     \
    }
#define P_PAT(t, n)                                                           \
    {                                                                         \
        t,                                                                    \
        {                                                                     \
            n, "reference", PATIENT_DOC                                       \
        }                                                                     \
    }

static const struct param_doc docs[] = {
    P_ID("Patient"),
    {"Patient",
     {"identifier", "token",
      TC_FHIR_SYS_RESIDENT_ID "|<ID number> or " SYS_HEALTH
                              "|<card number>; a value alone matches either"}},
    {"Patient",
     {"name", "string", "the name starts with the value (:contains, :exact)"}},
    {"Patient", {"gender", "token", "male | female"}},
    {"Patient", {"birthdate", "date", "the birth date"}},
    {"Patient",
     {"address-district", "string",
      "the township starts with the value (:contains, :exact)"}},
    P_ID("Practitioner"),
    {"Practitioner", {"name", "string", "the name starts with the value"}},
    {"Practitioner", {"active", "token", "true | false"}},
    P_ID("PractitionerRole"),
    {"PractitionerRole", {"practitioner", "reference", "Practitioner/<id>"}},
    {"PractitionerRole", {"organization", "reference", "Organization/<id>"}},
    {"PractitionerRole",
     {"role", "token", TC_FHIR_CS("practitioner-role") " codes"}},
    P_ID("Organization"),
    {"Organization", {"name", "string", "the name starts with the value"}},
    {"Organization",
     {"type", "token", TC_FHIR_CS("organization-kind") " codes"}},
    {"Organization", {"partof", "reference", "Organization/<id>"}},
    {"Organization",
     {"address-district", "string", "the township starts with the value"}},
    P_ID("CareTeam"),
    {"CareTeam",
     {"participant", "reference", "Practitioner/<id> of a member"}},
    P_ID("Contract"),
    P_PAT("Contract", "patient"),
    P_PAT("Contract", "subject"),
    {"Contract",
     {"status", "token",
      "offered | executed | renewed | terminated | revoked"}},
    {"Contract", {"issued", "date", "when the contract was offered"}},
    P_ID("CarePlan"),
    P_PAT("CarePlan", "patient"),
    P_PAT("CarePlan", "subject"),
    {"CarePlan",
     {"status", "token", "draft | active | on-hold | completed | revoked"}},
    P_ID("Goal"),
    P_PAT("Goal", "patient"),
    P_PAT("Goal", "subject"),
    {"Goal", {"lifecycle-status", "token", "active | completed"}},
    P_ID("ServiceRequest"),
    P_PAT("ServiceRequest", "patient"),
    P_PAT("ServiceRequest", "subject"),
    {"ServiceRequest", {"status", "token", "active | completed | revoked"}},
    {"ServiceRequest", {"priority", "token", "routine | urgent | stat"}},
    {"ServiceRequest", {"authored", "date", "when it was requested"}},
    P_ID("Task"),
    P_PAT("Task", "patient"),
    {"Task",
     {"status", "token",
      "requested | accepted | rejected | in-progress | completed | "
      "cancelled"}},
    {"Task", {"authored-on", "date", "when it was requested"}},
    P_ID("Encounter"),
    P_PAT("Encounter", "patient"),
    P_PAT("Encounter", "subject"),
    {"Encounter",
     {"status", "token", "planned | in-progress | finished | cancelled"}},
    {"Encounter",
     {"date", "date",
      "the start of the encounter, or its scheduled (a session) or "
      "requested (a consultation) time before it starts"}},
    P_ID("Observation"),
    P_PAT("Observation", "patient"),
    P_PAT("Observation", "subject"),
    {"Observation",
     {"code", "token",
      TC_FHIR_CS("barthel") "|total (Barthel index) or "
                            "http://loinc.org|11524-6 (ECG)"}},
    {"Observation", {"date", "date", "effectiveDateTime"}},
    {"Observation",
     {"_lastUpdated", "date",
      "when the assessment was made or the ECG report last signed"}},
    P_ID("DiagnosticReport"),
    P_PAT("DiagnosticReport", "patient"),
    P_PAT("DiagnosticReport", "subject"),
    {"DiagnosticReport", {"status", "token", "registered | final | amended"}},
    {"DiagnosticReport",
     {"date", "date", "an ECG's start; an imaging report's study date"}},
    P_ID("ImagingStudy"),
    P_PAT("ImagingStudy", "patient"),
    P_PAT("ImagingStudy", "subject"),
    {"ImagingStudy", {"started", "date", "the study date"}},
    {"ImagingStudy", {"modality", "token", "a DICOM modality (CT, MR, ...)"}},
    P_ID("Consent"),
    P_PAT("Consent", "patient"),
    {"Consent", {"status", "token", "active | inactive"}},
    P_ID("AuditEvent"),
    P_PAT("AuditEvent", "patient"),
    {"AuditEvent", {"entity", "reference", "Patient/<id>: as patient"}},
    {"AuditEvent", {"date", "date", "when the event was recorded"}},
    {"AuditEvent", {"action", "token", "C | R | U | D | E"}},
    {"AuditEvent", {"outcome", "token", "0 | 4 | 8"}},
    {"AuditEvent",
     {"_lastUpdated", "date", "when the event was recorded (as date)"}},
};

/* ---- The sources ---- */

static const struct tc_rec__fhir_code contract_status[] = {
    {"offered", "'offered'"},   {"executed", "'active'"},
    {"renewed", "'renewed'"},   {"terminated", "'terminated', 'expired'"},
    {"revoked", "'withdrawn'"}, {NULL, NULL},
};
static const struct tc_rec__fhir_code plan_status[] = {
    {"draft", "'draft'"},       {"active", "'active'"},
    {"on-hold", "'suspended'"}, {"completed", "'completed'"},
    {"revoked", "'cancelled'"}, {NULL, NULL},
};
static const struct tc_rec__fhir_code goal_status[] = {
    {"active", "'open'"},
    {"completed", "'achieved', 'not_achieved'"},
    {NULL, NULL},
};
static const struct tc_rec__fhir_code request_status[] = {
    {"active", "'requested', 'accepted', 'scheduled', 'in_progress'"},
    {"completed", "'completed'"},
    {"revoked", "'declined', 'cancelled'"},
    {NULL, NULL},
};
static const struct tc_rec__fhir_code priority_codes[] = {
    {"routine", "'routine'"},
    {"urgent", "'urgent'"},
    {"stat", "'emergency'"},
    {NULL, NULL},
};
static const struct tc_rec__fhir_code task_status[] = {
    {"requested", "'requested'"},
    {"accepted", "'accepted', 'scheduled'"},
    {"rejected", "'declined'"},
    {"in-progress", "'in_progress'"},
    {"completed", "'completed'"},
    {"cancelled", "'cancelled'"},
    {NULL, NULL},
};
static const struct tc_rec__fhir_code session_status[] = {
    {"planned", "'scheduled'"},
    {"in-progress", "'in_progress'"},
    {"finished", "'completed'"},
    {"cancelled", "'missed', 'cancelled'"},
    {NULL, NULL},
};
static const struct tc_rec__fhir_code consult_status[] = {
    {"planned", "'requested', 'accepted', 'scheduled'"},
    {"in-progress", "'in_progress'"},
    {"finished", "'completed'"},
    {"cancelled", "'declined', 'cancelled'"},
    {NULL, NULL},
};
static const struct tc_rec__fhir_code ecg_status[] = {
    {"registered", "'live', 'awaiting_reading'"},
    {"final", "'reported'"},
    {"amended", "'amended'"},
    {NULL, NULL},
};
static const struct tc_rec__fhir_code imaging_status[] = {
    {"registered", "'received', 'assigned'"},
    {"final", "'reported'"},
    {"amended", "'amended'"},
    {NULL, NULL},
};
static const struct tc_rec__fhir_code consent_status[] = {
    {"active", "'active'"},
    {"inactive", "'inactive'"},
    {NULL, NULL},
};
static const struct tc_rec__fhir_code gender_codes[] = {
    {"male", "'male'"},
    {"female", "'female'"},
    {NULL, NULL},
};
static const struct tc_rec__fhir_code bool_codes[] = {
    {"true", "1"},
    {"false", "0"},
    {NULL, NULL},
};
static const struct tc_rec__fhir_code org_kinds[] = {
    {"county_hospital", "'county_hospital'"},
    {"township_clinic", "'township_clinic'"},
    {"city_hospital", "'city_hospital'"},
    {"rehab_point", "'rehab_point'"},
    {NULL, NULL},
};
static const struct tc_rec__fhir_code role_codes[] = {
    {"doctor", "'doctor'"},
    {"specialist", "'specialist'"},
    {"township_doctor", "'township_doctor'"},
    {"family_doctor", "'family_doctor'"},
    {"therapist", "'therapist'"},
    {"ecg_reader", "'ecg_reader'"},
    {"radiologist", "'radiologist'"},
    {"nurse", "'nurse'"},
    {"public_health", "'public_health'"},
    {NULL, NULL},
};
static const struct tc_rec__fhir_code audit_actions[] = {
    {"C", "'create'"}, {"R", "'read'"},    {"U", "'update'"},
    {"D", "'delete'"}, {"E", "'execute'"}, {NULL, NULL},
};
static const struct tc_rec__fhir_code audit_outcomes[] = {
    {"0", "'success'"},
    {"4", "'denied'"},
    {"8", "'failure'"},
    {NULL, NULL},
};

#define COL_STATUS(codes)                                                     \
    {                                                                         \
        "status", TC_FHIR_H_CODES, "t.status", NULL, NULL, codes              \
    }
#define COL_STR(name, expr)                                                   \
    {                                                                         \
        name, TC_FHIR_H_STRING, expr, NULL, NULL, NULL                        \
    }
#define COL_DATE(name, expr)                                                  \
    {                                                                         \
        name, TC_FHIR_H_DATE_US, expr, NULL, NULL, NULL                       \
    }

const struct tc_rec__fhir_source tc_rec__fhir_sources[] = {
    {.type = "Patient",
     .entity = "resident",
     .from = "residents t",
     .resident = "t.id",
     .cols = {{"identifier", TC_FHIR_H_IDENT, NULL, NULL, NULL, NULL},
              COL_STR("name", "t.name"),
              {"gender", TC_FHIR_H_CODES, "t.sex", NULL, NULL, gender_codes},
              {"birthdate", TC_FHIR_H_DATE_DAY, "t.birth_date", NULL, NULL,
               NULL},
              COL_STR("address-district", "t.township")}},
    {.type = "Practitioner",
     .entity = "practitioner",
     .from = "practitioners t",
     .cols = {COL_STR("name", "t.name"),
              {"active", TC_FHIR_H_CODES, "t.active", NULL, NULL,
               bool_codes}}},
    {.type = "PractitionerRole",
     .entity = "practitioner_role",
     .from = "practitioner_roles t",
     .cols = {{"practitioner", TC_FHIR_H_REF, "t.practitioner_id",
               "Practitioner", NULL, NULL},
              {"organization", TC_FHIR_H_REF, "t.organization_id",
               "Organization", NULL, NULL},
              {"role", TC_FHIR_H_CODES, "t.role", NULL,
               TC_FHIR_CS("practitioner-role"), role_codes}}},
    {.type = "Organization",
     .entity = "organization",
     .from = "organizations t",
     .cols = {COL_STR("name", "t.name"),
              {"type", TC_FHIR_H_CODES, "t.kind", NULL,
               TC_FHIR_CS("organization-kind"), org_kinds},
              {"partof", TC_FHIR_H_REF, "t.part_of", "Organization", NULL,
               NULL},
              COL_STR("address-district", "t.township")}},
    {.type = "CareTeam",
     .entity = "team",
     .from = "teams t",
     .cols = {{"participant", TC_FHIR_H_REF,
               "EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.id"
               " AND m.practitioner_id = ?)",
               "Practitioner", NULL, NULL}}},
    {.type = "Contract",
     .entity = "contract",
     .from = "contracts t",
     .resident = "t.resident_id",
     .cols = {COL_STATUS(contract_status),
              COL_DATE("issued", "t.offered_at_us")}},
    {.type = "CarePlan",
     .entity = "rehab_plan",
     .from = "rehab_plans t",
     .resident = "t.resident_id",
     .cols = {COL_STATUS(plan_status)}},
    {.type = "Goal",
     .entity = "rehab_goal",
     .from = "rehab_goals t JOIN rehab_plans p ON p.id = t.plan_id",
     .resident = "p.resident_id",
     .cols = {{"lifecycle-status", TC_FHIR_H_CODES, "t.status", NULL, NULL,
               goal_status}}},
    {.type = "ServiceRequest",
     .entity = "consultation",
     .from = "consultations t",
     .resident = "t.resident_id",
     .cols = {COL_STATUS(request_status),
              {"priority", TC_FHIR_H_CODES, "t.priority", NULL, NULL,
               priority_codes},
              COL_DATE("authored", "t.requested_at_us")}},
    {.type = "Task",
     .entity = "consultation",
     .from = "consultations t",
     .resident = "t.resident_id",
     .cols = {COL_STATUS(task_status),
              COL_DATE("authored-on", "t.requested_at_us")}},
    /* Referrals (fhir-referral.c): their status codes are a subset of
     * the consultations', mapped alike. */
    {.type = "ServiceRequest",
     .prefix = "referral-",
     .entity = "referral",
     .from = "referrals t",
     .resident = "t.resident_id",
     .cols = {COL_STATUS(request_status),
              {"priority", TC_FHIR_H_CODES, "t.urgency", NULL, NULL,
               priority_codes},
              COL_DATE("authored", "t.requested_at_us")}},
    {.type = "Task",
     .prefix = "referral-",
     .entity = "referral",
     .from = "referrals t",
     .resident = "t.resident_id",
     .cols = {COL_STATUS(task_status),
              COL_DATE("authored-on", "t.requested_at_us")}},
    {.type = "Encounter",
     .prefix = "session-",
     .entity = "rehab_session",
     .from = "rehab_sessions t JOIN rehab_plans p ON p.id = t.plan_id",
     .resident = "p.resident_id",
     .cols = {COL_STATUS(session_status),
              COL_DATE("date", "coalesce(t.started_at_us,"
                               " t.scheduled_at_us)")}},
    {.type = "Encounter",
     .prefix = "consultation-",
     .entity = "consultation",
     .from = "consultations t",
     .resident = "t.resident_id",
     .cols = {COL_STATUS(consult_status),
              COL_DATE("date", "coalesce(t.started_at_us,"
                               " t.requested_at_us)")}},
    {.type = "Observation",
     .prefix = "barthel-",
     .entity = "barthel",
     .from = "barthel_assessments t",
     .resident = "t.resident_id",
     .updated = "t.assessed_at_us",
     .system = TC_FHIR_CS("barthel"),
     .code = "total",
     .cols = {{"code", TC_FHIR_H_CODE, NULL, NULL, NULL, NULL},
              COL_DATE("date", "t.assessed_at_us")}},
    {.type = "Observation",
     .prefix = "ecg-",
     .entity = "ecg_study",
     .from = "ecg_studies t",
     .base = "EXISTS (SELECT 1 FROM ecg_reports r WHERE r.study_id = t.id)",
     .resident = "t.resident_id",
     .reader = "t.reader_id",
     .updated = "(SELECT max(r.signed_at_us) FROM ecg_reports r"
                " WHERE r.study_id = t.id)",
     .system = TC_FHIR_SYS_LOINC,
     .code = "11524-6",
     .study = true,
     .cols = {{"code", TC_FHIR_H_CODE, NULL, NULL, NULL, NULL},
              COL_DATE("date", "t.started_at_us")}},
    {.type = "DiagnosticReport",
     .prefix = "ecg-",
     .entity = "ecg_study",
     .from = "ecg_studies t",
     .resident = "t.resident_id",
     .reader = "t.reader_id",
     .study = true,
     .cols = {COL_STATUS(ecg_status), COL_DATE("date", "t.started_at_us")}},
    {.type = "DiagnosticReport",
     .prefix = "imaging-",
     .entity = "imaging_study",
     .from = "imaging_studies t",
     .resident = "t.resident_id",
     .reader = "t.radiologist_id",
     .study = true,
     .cols = {COL_STATUS(imaging_status),
              {"date", TC_FHIR_H_DATE_DAY, "t.study_date", NULL, NULL, NULL}}},
    {.type = "ImagingStudy",
     .entity = "imaging_study",
     .from = "imaging_studies t",
     .resident = "t.resident_id",
     .reader = "t.radiologist_id",
     .study = true,
     .cols = {{"started", TC_FHIR_H_DATE_DAY, "t.study_date", NULL, NULL,
               NULL},
              {"modality", TC_FHIR_H_TEXT, "t.modality", NULL, NULL, NULL}}},
    {.type = "Consent",
     .entity = "consultation_consent",
     .from = "consultation_consents t JOIN consultations c"
             " ON c.id = t.consultation_id",
     .resident = "c.resident_id",
     .cols = {{"status", TC_FHIR_H_CODES,
               "CASE WHEN t.withdrawn_at_us IS NULL THEN 'active'"
               " ELSE 'inactive' END",
               NULL, NULL, consent_status}}},
    {.type = "AuditEvent",
     .entity = "audit_event",
     .from = "audit_events t",
     .resident = "t.resident_id",
     .updated = "t.at_us",
     .newest_first = true,
     .cols = {{"entity", TC_FHIR_H_PATIENT, NULL, NULL, NULL, NULL},
              COL_DATE("date", "t.at_us"),
              {"action", TC_FHIR_H_CODES, "t.action", NULL, NULL,
               audit_actions},
              {"outcome", TC_FHIR_H_CODES, "t.outcome", NULL, NULL,
               audit_outcomes}}},
};

const size_t tc_rec__fhir_n_sources = TC_FHIR_N(tc_rec__fhir_sources);

/* ---- Types ---- */

const char *const *
tc_rec_fhir_types(size_t *n)
{
    *n = TC_FHIR_N(type_names);
    return type_names;
}

unsigned
tc_rec_fhir_interactions(const char *type)
{
    const struct tc_rec__fhir_type *t = tc_rec__fhir_mapping(type);

    if (!t) {
        return 0;
    }
    return TC_REC_FHIR_READ | TC_REC_FHIR_SEARCH |
           (t->create ? TC_REC_FHIR_CREATE : 0) |
           (t->update ? TC_REC_FHIR_UPDATE : 0);
}

const struct tc_rec_fhir_search_param *
tc_rec_fhir_search_param(const char *type, size_t i)
{
    for (size_t k = 0; type && k < TC_FHIR_N(docs); k++) {
        if (strcmp(docs[k].type, type) == 0) {
            if (i == 0) {
                return &docs[k].p;
            }
            i--;
        }
    }
    return NULL;
}
