// SPDX-License-Identifier: Apache-2.0
/*
 * test-fhir-patient.c - Patient <-> resident: a full round trip, what is
 * read from the ID number, updates, and refusals that name the FHIR path
 * of the offending element and write nothing.
 */
#include "test-fhir-fixture.h"

#define PATIENT_FULL                                                          \
    "{\"resourceType\": \"Patient\","                                         \
    " \"identifier\": ["                                                      \
    "  {\"system\": \"https://telecare.example.org/fhir/sid/health-card\","   \
    "   \"value\": \"HC-1001\"},"                                             \
    "  {\"system\": \"urn:oid:2.16.156.10011.1.3\","                          \
    "   \"value\": \"110105198001010016\"}],"                                 \
    " \"name\": [{\"text\": \"Li Wei\"}],"                                    \
    " \"gender\": \"male\", \"birthDate\": \"1980-01-01\","                   \
    " \"telecom\": [{\"system\": \"phone\", \"value\": \"13800138000\"}],"    \
    " \"address\": [{\"district\": \"East\", \"line\": [\"Willow\"]}],"       \
    " \"extension\": [{\"url\": "                                             \
    "  \"https://telecare.example.org/fhir/StructureDefinition/disability\"," \
    "  \"extension\": ["                                                      \
    "   {\"url\": \"certificate\", \"valueString\": \"D-77\"},"               \
    "   {\"url\": \"category\", \"valueCoding\": {\"system\": "               \
    "    \"https://telecare.example.org/fhir/CodeSystem/"                     \
    "disability-category\", \"code\": \"physical\"}},"                        \
    "   {\"url\": \"grade\", \"valueInteger\": 2}]}]}"

/* A minimal Patient with `id_number` and extra members `more`. */
static char *
patient(const char *id_number, const char *more)
{
    char *s;

    if (asprintf(&s,
                 "{\"resourceType\": \"Patient\", \"identifier\": [{"
                 "\"system\": \"urn:oid:2.16.156.10011.1.3\", \"value\": "
                 "\"%s\"}], \"name\": [{\"text\": \"Zhao Min\"}], "
                 "\"address\": [{\"district\": \"East\"}]%s%s}",
                 id_number, more[0] ? ", " : "", more) < 0) {
        abort();
    }
    return s;
}

static void
test_patient_round_trip(void)
{
    struct fixture f;
    struct tc_rec_resident *r = NULL;
    json_t *res = NULL;
    int64_t id = 0;

    fixture_open(&f, "patient-round-trip.db");
    TC_REQUIRE(fhir_create_text(f.db, "Patient", PATIENT_FULL, &res, &id) ==
               0);
    TC_CHECK(reads_back(f.db, res));
    TC_CHECK_STR_EQ(jstr(res, "identifier[0].system"),
                    "urn:oid:2.16.156.10011.1.3");
    TC_CHECK_STR_EQ(jstr(res, "identifier[0].value"), "110105198001010016");
    TC_CHECK_STR_EQ(jstr(res, "identifier[1].value"), "HC-1001");
    TC_CHECK_STR_EQ(jstr(res, "name[0].text"), "Li Wei");
    TC_CHECK_STR_EQ(jstr(res, "gender"), "male");
    TC_CHECK_STR_EQ(jstr(res, "birthDate"), "1980-01-01");
    TC_CHECK_STR_EQ(jstr(res, "telecom[0].value"), "13800138000");
    TC_CHECK_STR_EQ(jstr(res, "address[0].district"), "East");
    TC_CHECK_STR_EQ(jstr(res, "address[0].line[0]"), "Willow");
    TC_CHECK_STR_EQ(jstr(res, "extension[0].extension[0].valueString"),
                    "D-77");
    TC_CHECK_STR_EQ(jstr(res, "extension[0].extension[1].valueCoding.code"),
                    "physical");
    TC_CHECK_EQ(jint(res, "extension[0].extension[2].valueInteger"), 2);
    /* The record itself, through the C API. */
    TC_REQUIRE(tc_rec_resident_get(f.db, id, &r) == 0);
    TC_CHECK_STR_EQ(r->id_number, "110105198001010016");
    TC_CHECK_STR_EQ(r->health_card_no, "HC-1001");
    TC_CHECK_EQ(r->sex, TC_REC_SEX_MALE);
    TC_CHECK_EQ(r->disability_category, TC_REC_DISABILITY_PHYSICAL);
    TC_CHECK_EQ(r->disability_grade, 2);
    TC_CHECK_STR_EQ(r->disability_cert_no, "D-77");
    TC_CHECK_EQ(r->created_at_us, NOW_US);
    tc_rec_resident_free(r);
    json_decref(res);
    fixture_close(&f);
}

static void
test_gender_and_birth_date_come_from_the_id_number(void)
{
    struct fixture f;
    char *text = patient("110105198001010024", "");
    json_t *res = NULL;

    fixture_open(&f, "patient-derived.db");
    TC_REQUIRE(fhir_create_text(f.db, "Patient", text, &res, NULL) == 0);
    TC_CHECK_STR_EQ(jstr(res, "gender"), "female");
    TC_CHECK_STR_EQ(jstr(res, "birthDate"), "1980-01-01");
    TC_CHECK(jget(res, "extension") == NULL);
    json_decref(res);
    free(text);
    fixture_close(&f);
}

static void
test_family_and_given_make_the_name(void)
{
    struct fixture f;
    char *text = patient("110105198001010024", "");
    json_t *in = jparse(text), *res = NULL;

    fixture_open(&f, "patient-family-given.db");
    json_object_set_new(in, "name",
                        jparse("[{\"family\": \"Wang\", \"given\": "
                               "[\"Xiao\", \"Hong\"]}]"));
    TC_CHECK_EQ(tc_rec_fhir_create(f.db, "Patient", in, &fhir_ctx, &res), 0);
    TC_CHECK_STR_EQ(jstr(res, "name[0].text"), "WangXiaoHong");
    json_decref(res);
    json_decref(in);
    free(text);
    fixture_close(&f);
}

static void
test_bad_check_digit_names_the_identifier(void)
{
    struct fixture f;
    char *text;

    fixture_open(&f, "patient-check-digit.db");
    /* The resident ID is identifier[1]: the path follows the input. */
    TC_CHECK_REFUSED(
        &f, "Patient",
        "{\"resourceType\": \"Patient\", \"identifier\": [{\"system\": "
        "\"https://telecare.example.org/fhir/sid/health-card\", \"value\": "
        "\"HC-9\"}, {\"system\": \"urn:oid:2.16.156.10011.1.3\", \"value\": "
        "\"110105198001010017\"}], \"name\": [{\"text\": \"X\"}], "
        "\"address\": [{\"district\": \"East\"}]}",
        -EINVAL, "Patient.identifier[1].value", "check digit");
    text = patient("11010519800101001", "");
    TC_CHECK_REFUSED(&f, "Patient", text, -EINVAL,
                     "Patient.identifier[0].value", "18 characters");
    free(text);
    fixture_close(&f);
}

static void
test_identity_refusals_name_their_element(void)
{
    struct fixture f;
    char *t1 = patient("110105198001010016", "\"gender\": \"unknown\"");
    char *t2 = patient("110105198001010016", "\"birthDate\": \"1980-01-02\"");
    char *t3 = patient("110105198001010016", "\"gender\": \"female\"");
    char *t4 = patient("110105198001010016", "\"birthDate\": 19800101");
    char *t5 = patient("110105198001010016", "\"birthDate\": \"1980-01\"");

    fixture_open(&f, "patient-identity.db");
    TC_CHECK_REFUSED(&f, "Patient", t1, -EINVAL, "Patient.gender",
                     "male or female");
    TC_CHECK_REFUSED(&f, "Patient", t2, -EINVAL, "Patient.birthDate",
                     "does not match");
    TC_CHECK_REFUSED(&f, "Patient", t3, -EINVAL, "Patient.gender",
                     "does not match");
    TC_CHECK_REFUSED(&f, "Patient", t4, -EINVAL, "Patient.birthDate",
                     "must be a string");
    TC_CHECK_REFUSED(&f, "Patient", t5, -EINVAL, "Patient.birthDate",
                     "full date");
    free(t1);
    free(t2);
    free(t3);
    free(t4);
    free(t5);
    fixture_close(&f);
}

static void
test_structure_refusals_name_their_element(void)
{
    struct fixture f;
    char *t1 = patient("110105198001010016", "\"name\": \"Zhao\"");
    char *t2 = patient("110105198001010016", "\"hobby\": \"chess\"");
    char *t3 =
        patient("110105198001010016", "\"telecom\": [{\"system\": \"phone\", "
                                      "\"value\": \"call me\"}]");

    fixture_open(&f, "patient-structure.db");
    TC_CHECK_REFUSED(&f, "Patient", "{\"resourceType\": \"Patient\"}", -EINVAL,
                     "Patient.identifier", "required");
    TC_CHECK_REFUSED(&f, "Patient",
                     "{\"resourceType\": \"Patient\", \"identifier\": [{"
                     "\"system\": \"urn:oid:2.16.156.10011.1.3\", \"value\":"
                     " \"110105198001010016\"}], \"name\": [{\"text\": "
                     "\"Z\"}]}",
                     -EINVAL, "Patient.address", "required");
    TC_CHECK_REFUSED(&f, "Patient", t1, -EINVAL, "Patient.name",
                     "must be an array");
    TC_CHECK_REFUSED(&f, "Patient", t2, -EINVAL, "Patient.hobby",
                     "not supported");
    TC_CHECK_REFUSED(&f, "Patient", t3, -EINVAL, "Patient.telecom[0].value",
                     "only digits");
    free(t1);
    free(t2);
    free(t3);
    fixture_close(&f);
}

static void
test_disability_refusals_name_their_element(void)
{
    struct fixture f;
#define EXT                                                                   \
    "\"extension\": [{\"url\": \"https://telecare.example"                    \
    ".org/fhir/StructureDefinition/disability\", "                            \
    "\"extension\": [{\"url\": \"certificate\", "                             \
    "\"valueString\": \"D-1\"}, {\"url\": \"category\", "                     \
    "\"valueCoding\": {\"system\": \"https://telecare."                       \
    "example.org/fhir/CodeSystem/disability-category\", "                     \
    "\"code\": \"%s\"}}, {\"url\": \"grade\", "                               \
    "\"valueInteger\": %d}]}]"
    char more[512], *t1, *t2, *t3;

    snprintf(more, sizeof(more), EXT, "flying", 2);
    t1 = patient("110105198001010016", more);
    snprintf(more, sizeof(more), EXT, "visual", 5);
    t2 = patient("110105198001010016", more);
    t3 = patient("110105198001010016",
                 "\"extension\": [{\"url\": \"https://telecare.example.org/"
                 "fhir/StructureDefinition/disability\", \"extension\": [{"
                 "\"url\": \"grade\", \"valueInteger\": 3}]}]");
    fixture_open(&f, "patient-disability.db");
    TC_CHECK_REFUSED(&f, "Patient", t1, -EINVAL,
                     "Patient.extension[0].extension[1].valueCoding.code",
                     "unknown code");
    TC_CHECK_REFUSED(&f, "Patient", t2, -EINVAL,
                     "Patient.extension[0].extension[2].valueInteger",
                     "1 to 4");
    TC_CHECK_REFUSED(&f, "Patient", t3, -EINVAL, "Patient.extension[0]",
                     "go together");
    free(t1);
    free(t2);
    free(t3);
    fixture_close(&f);
}

static void
test_resource_type_and_shape_are_checked(void)
{
    struct fixture f;
    char *text = patient("110105198001010016", "");

    fixture_open(&f, "patient-type.db");
    TC_CHECK_REFUSED(&f, "Practitioner", text, -EINVAL, "resourceType",
                     "must be Practitioner");
    TC_CHECK_REFUSED(&f, NULL, "{\"resourceType\": \"Spaceship\"}", -EINVAL,
                     "resourceType", "not a supported");
    TC_CHECK_REFUSED(&f, NULL, "{\"name\": []}", -EINVAL, "resourceType",
                     "required");
    TC_CHECK_REFUSED(&f, NULL, "[1, 2]", -EINVAL, "", "JSON object");
    TC_CHECK_REFUSED(&f, NULL,
                     "{\"resourceType\": \"AuditEvent\", \"action\": \"R\"}",
                     -EPERM, "AuditEvent", "cannot be created");
    free(text);
    fixture_close(&f);
}

static void
test_second_patient_with_the_same_id_number_is_refused(void)
{
    struct fixture f;
    char *text = patient("110105198001010016", "");

    fixture_open(&f, "patient-twice.db");
    TC_CHECK_EQ(fhir_create_text(f.db, "Patient", text, NULL, NULL), 0);
    TC_CHECK_REFUSED(&f, "Patient", text, -EEXIST,
                     "Patient.identifier[0].value", "already registered");
    free(text);
    fixture_close(&f);
}

static void
test_update_changes_demographics_not_the_id_number(void)
{
    struct fixture f;
    char *text = patient("110105198001010016", "");
    char *moved =
        patient("110105198001010016", "\"telecom\": [{\"system\": \"phone\", "
                                      "\"value\": \"13900139000\"}]");
    char *other = patient("110105198001010024", "");
    json_t *res = NULL, *in;
    char id[32];
    int64_t rid = 0;

    fixture_open(&f, "patient-update.db");
    TC_REQUIRE(fhir_create_text(f.db, "Patient", text, NULL, &rid) == 0);
    snprintf(id, sizeof(id), "%lld", (long long)rid);
    in = jparse(moved);
    TC_CHECK_EQ(tc_rec_fhir_update(f.db, "Patient", id, in, &fhir_ctx, &res),
                0);
    TC_CHECK_STR_EQ(jstr(res, "telecom[0].value"), "13900139000");
    TC_CHECK_STR_EQ(tc_rec_fhir_errpath(f.db), "");
    json_decref(in);
    json_decref(res);
    in = jparse(other);
    TC_CHECK_EQ(tc_rec_fhir_update(f.db, "Patient", id, in, &fhir_ctx, NULL),
                -EPERM);
    TC_CHECK_STR_EQ(tc_rec_fhir_errpath(f.db), "Patient.identifier[0].value");
    json_object_set_new(in, "id", json_string("999"));
    TC_CHECK_EQ(tc_rec_fhir_update(f.db, "Patient", id, in, &fhir_ctx, NULL),
                -EINVAL);
    TC_CHECK_STR_EQ(tc_rec_fhir_errpath(f.db), "Patient.id");
    json_decref(in);
    free(text);
    free(moved);
    free(other);
    fixture_close(&f);
}

static void
test_read_refusals(void)
{
    struct fixture f;
    json_t *res = (json_t *)0x1;

    fixture_open(&f, "patient-read.db");
    TC_CHECK_EQ(tc_rec_fhir_read(f.db, "Patient", "424242", &res), -ENOENT);
    TC_CHECK_EQ(tc_rec_fhir_read(f.db, "Patient", "abc", &res), -ENOENT);
    TC_CHECK_EQ(tc_rec_fhir_read(f.db, "Patient", "a/b", &res), -EINVAL);
    TC_CHECK_EQ(tc_rec_fhir_read(f.db, "Spaceship", "1", &res), -EINVAL);
    TC_CHECK(res == (json_t *)0x1);
    /* The fixture's resident reads as a Patient. */
    TC_CHECK_EQ(tc_rec_fhir_read(f.db, "Patient", "1", &res), 0);
    TC_CHECK_STR_EQ(jstr(res, "identifier[0].value"), "11010519491231002X");
    json_decref(res);
    fixture_close(&f);
}

int
main(void)
{
    if (fixture_main_begin() < 0) {
        return 1;
    }
    TC_RUN(test_patient_round_trip);
    TC_RUN(test_gender_and_birth_date_come_from_the_id_number);
    TC_RUN(test_family_and_given_make_the_name);
    TC_RUN(test_bad_check_digit_names_the_identifier);
    TC_RUN(test_identity_refusals_name_their_element);
    TC_RUN(test_structure_refusals_name_their_element);
    TC_RUN(test_disability_refusals_name_their_element);
    TC_RUN(test_resource_type_and_shape_are_checked);
    TC_RUN(test_second_patient_with_the_same_id_number_is_refused);
    TC_RUN(test_update_changes_demographics_not_the_id_number);
    TC_RUN(test_read_refusals);
    return fixture_main_end();
}
