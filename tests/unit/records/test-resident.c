// SPDX-License-Identifier: Apache-2.0
/*
 * test-resident.c - residents: the resident ID number validator (valid
 * real-format numbers and each way one can be wrong), registration and its
 * refusals, demographic updates (the ID number never changes), look-ups,
 * the township search with paging, and carers.
 *
 * The valid ID numbers below were computed outside this code base
 * (GB 11643-1999 weights and check characters), 11010519491231002X being
 * the standard's own example.
 */
#include <errno.h>

#include "core-fixture.h"

static const char *const valid_ids[] = {
    "11010519491231002X", /* female, 1949-12-31, check character X */
    "440524188001010014", /* male, 1880-01-01 */
    "320106200002290035", /* male, 2000-02-29: a leap day */
    "410102196503171250", /* male */
    "410102196503171269", /* female */
};

static void
test_valid_id_numbers_pass(void)
{
    char why[128] = "";

    for (size_t i = 0; i < sizeof(valid_ids) / sizeof(valid_ids[0]); i++) {
        TC_CHECK_EQ(tc_rec_resident_id_check(valid_ids[i], why, sizeof(why)),
                    0);
    }
    TC_CHECK_STR_EQ(why, "");
}

static void
test_id_number_decodes_birth_date_and_sex(void)
{
    char birth[11];
    enum tc_rec_sex sex = 0;

    TC_CHECK_EQ(tc_rec_resident_id_decode("11010519491231002X", birth, &sex),
                0);
    TC_CHECK_STR_EQ(birth, "1949-12-31");
    TC_CHECK_EQ(sex, TC_REC_SEX_FEMALE);
    TC_CHECK_EQ(tc_rec_resident_id_decode("320106200002290035", birth, &sex),
                0);
    TC_CHECK_STR_EQ(birth, "2000-02-29");
    TC_CHECK_EQ(sex, TC_REC_SEX_MALE);
    memcpy(birth, "untouched!", 11);
    TC_CHECK_EQ(tc_rec_resident_id_decode("110105194912310021", birth, &sex),
                -EINVAL);
    TC_CHECK_STR_EQ(birth, "untouched!");
}

static void
check_refused(const char *id, const char *reason)
{
    char why[128] = "";

    TC_CHECK_EQ(tc_rec_resident_id_check(id, why, sizeof(why)), -EINVAL);
    TC_CHECK_STR_CONTAINS(why, reason);
}

static void
test_id_number_of_wrong_length_is_refused(void)
{
    check_refused("11010519491231002", "must be 18 characters");
    check_refused("11010519491231002X0", "must be 18 characters");
    check_refused("", "must be 18 characters");
    check_refused(NULL, "required");
}

static void
test_id_number_with_non_digit_is_refused(void)
{
    check_refused("1101A519491231002X", "character 5 is not a digit");
    check_refused("11010519491231002 ", "character 18 must be a digit or X");
    /* The check character is an upper-case X only. */
    check_refused("11010519491231002x", "character 18 must be a digit or X");
}

static void
test_id_number_with_bad_check_digit_is_refused(void)
{
    check_refused("110105194912310021", "check digit does not match");
    check_refused("440524188001010015", "check digit does not match");
    /* Two digits swapped: the weights catch it. */
    check_refused("11010519492131002X", "check digit does not match");
}

static void
test_id_number_with_impossible_birth_date_is_refused(void)
{
    /* Check digits are right; the dates are not days. */
    check_refused("320106194902300042", "not a real birth date");
    check_refused("320106190002290055", "not a real birth date");
}

static void
test_id_check_tolerates_small_or_no_reason_buffer(void)
{
    char tiny[8];

    TC_CHECK_EQ(tc_rec_resident_id_check("123", NULL, 0), -EINVAL);
    TC_CHECK_EQ(tc_rec_resident_id_check("123", tiny, sizeof(tiny)), -EINVAL);
    TC_CHECK_EQ(strlen(tiny), sizeof(tiny) - 1);
}

static struct tc_rec_resident
zhang(void)
{
    return (struct tc_rec_resident){
        .id_number = "11010519491231002X",
        .name = "Zhang Guilan",
        .sex = TC_REC_SEX_FEMALE,
        .birth_date = "1949-12-31",
        .township = "Qiaotou",
        .village = "Dongcun",
        .phone = "13812345678",
        .health_card_no = "HC-000123",
        .disability_cert_no = "DC33072300001",
        .disability_category = TC_REC_DISABILITY_PHYSICAL,
        .disability_grade = 2,
        .created_at_us = fx_us("2025-01-01"),
    };
}

static void
test_create_and_read_back_by_each_key(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_resident in = zhang(), *r = NULL;
    int64_t id = 0;

    TC_CHECK_EQ(tc_rec_resident_create(db, &in, &id), 0);
    TC_REQUIRE(id > 0);
    TC_REQUIRE(tc_rec_resident_get(db, id, &r) == 0);
    TC_CHECK_STR_EQ(r->id_number, "11010519491231002X");
    TC_CHECK_STR_EQ(r->name, "Zhang Guilan");
    TC_CHECK_EQ(r->sex, TC_REC_SEX_FEMALE);
    TC_CHECK_STR_EQ(r->birth_date, "1949-12-31");
    TC_CHECK_STR_EQ(r->township, "Qiaotou");
    TC_CHECK_STR_EQ(r->village, "Dongcun");
    TC_CHECK_STR_EQ(r->phone, "13812345678");
    TC_CHECK_STR_EQ(r->health_card_no, "HC-000123");
    TC_CHECK_STR_EQ(r->disability_cert_no, "DC33072300001");
    TC_CHECK_EQ(r->disability_category, TC_REC_DISABILITY_PHYSICAL);
    TC_CHECK_EQ(r->disability_grade, 2);
    TC_CHECK_EQ(r->created_at_us, fx_us("2025-01-01"));
    tc_rec_resident_free(r);
    r = NULL;
    TC_REQUIRE(
        tc_rec_resident_get_by_id_number(db, "11010519491231002X", &r) == 0);
    TC_CHECK_EQ(r->id, id);
    tc_rec_resident_free(r);
    r = NULL;
    TC_REQUIRE(tc_rec_resident_get_by_health_card(db, "HC-000123", &r) == 0);
    TC_CHECK_EQ(r->id, id);
    tc_rec_resident_free(r);
    r = NULL;
    TC_CHECK_EQ(tc_rec_resident_get(db, id + 1, &r), -ENOENT);
    TC_CHECK_EQ(tc_rec_resident_get_by_health_card(db, "HC-9", &r), -ENOENT);
    TC_CHECK(r == NULL);
    tc_rec_close(db);
}

/* Create `in`, expect `rc` naming `field`, and prove nothing was written. */
static void
check_create_refused(struct tc_rec_db *db, const struct tc_rec_resident *in,
                     int rc, const char *reason)
{
    char *before = fx_dump(), *after;
    int64_t id = -1;

    TC_CHECK_EQ(tc_rec_resident_create(db, in, &id), rc);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), reason);
    TC_CHECK_EQ(id, -1);
    after = fx_dump();
    TC_CHECK_STR_EQ(before, after);
    free(before);
    free(after);
}

static void
test_create_refuses_identity_that_disagrees(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_resident in = zhang();

    in.birth_date = "1949-12-30";
    check_create_refused(db, &in, -EINVAL,
                         "birth_date: does not match the birth date in "
                         "id_number");
    in = zhang();
    in.sex = TC_REC_SEX_MALE;
    check_create_refused(db, &in, -EINVAL,
                         "sex: does not match the sex in id_number");
    in = zhang();
    in.id_number = "110105194912310021";
    check_create_refused(db, &in, -EINVAL,
                         "id_number: check digit does not match");
    in = zhang();
    in.sex = 0;
    check_create_refused(db, &in, -EINVAL, "sex: must be male or female");
    in = zhang();
    in.birth_date = "31/12/1949";
    check_create_refused(db, &in, -EINVAL, "birth_date: not a YYYY-MM-DD");
    tc_rec_close(db);
}

static void
test_create_refuses_invalid_fields(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_resident in = zhang();

    in.township = NULL;
    check_create_refused(db, &in, -EINVAL, "township: required");
    in = zhang();
    in.name = "";
    check_create_refused(db, &in, -EINVAL, "name: empty");
    in = zhang();
    in.phone = "138-1234x678";
    check_create_refused(db, &in, -EINVAL, "phone: only digits");
    in = zhang();
    in.phone = "12345";
    check_create_refused(db, &in, -EINVAL, "phone: must have 7 to 15 digits");
    in = zhang();
    in.phone = "1381234567890123";
    check_create_refused(db, &in, -EINVAL, "phone: must have 7 to 15 digits");
    in = zhang();
    in.phone = "--13812345678";
    check_create_refused(db, &in, -EINVAL, "phone: only digits");
    in = zhang();
    in.health_card_no = "HC 1";
    check_create_refused(db, &in, -EINVAL, "health_card_no");
    in = zhang();
    in.created_at_us = 0;
    check_create_refused(db, &in, -EINVAL, "created_at_us");
    tc_rec_close(db);
}

static void
test_disability_certificate_is_all_or_none(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_resident in = zhang(), *r = NULL;
    int64_t id = 0;

    in.disability_grade = 0;
    check_create_refused(db, &in, -EINVAL,
                         "certificate number, category and grade go "
                         "together");
    in = zhang();
    in.disability_cert_no = NULL;
    check_create_refused(db, &in, -EINVAL, "go together");
    in = zhang();
    in.disability_grade = 5;
    check_create_refused(db, &in, -EINVAL, "disability_grade: must be 1 to 4");
    in = zhang();
    in.disability_category = 42;
    check_create_refused(db, &in, -EINVAL, "disability_category: unknown");
    /* None at all is fine. */
    in = zhang();
    in.disability_cert_no = NULL;
    in.disability_category = TC_REC_DISABILITY_NONE;
    in.disability_grade = 0;
    TC_CHECK_EQ(tc_rec_resident_create(db, &in, &id), 0);
    TC_REQUIRE(tc_rec_resident_get(db, id, &r) == 0);
    TC_CHECK(r->disability_cert_no == NULL);
    TC_CHECK_EQ(r->disability_category, TC_REC_DISABILITY_NONE);
    TC_CHECK_EQ(r->disability_grade, 0);
    tc_rec_resident_free(r);
    tc_rec_close(db);
}

static void
test_duplicate_id_number_or_health_card_is_refused(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_resident in = zhang();
    int64_t id = 0;

    TC_REQUIRE(tc_rec_resident_create(db, &in, &id) == 0);
    in.health_card_no = "HC-000999";
    check_create_refused(db, &in, -EEXIST,
                         "id_number: a resident with this ID number is "
                         "already registered");
    in = zhang();
    in.id_number = "410102196503171269";
    in.birth_date = "1965-03-17";
    check_create_refused(db, &in, -EEXIST,
                         "health_card_no: already registered");
    in.health_card_no = NULL;
    TC_CHECK_EQ(tc_rec_resident_create(db, &in, &id), 0);
    tc_rec_close(db);
}

static void
test_update_changes_demographics_but_never_the_id_number(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_resident in = zhang(), *r = NULL;
    int64_t id = 0;
    char *before, *after;

    TC_REQUIRE(tc_rec_resident_create(db, &in, &id) == 0);
    in.id = id;
    in.name = "Zhang Gui-lan";
    in.village = "Xicun";
    in.phone = "0571-88001234";
    in.disability_grade = 1;
    TC_CHECK_EQ(tc_rec_resident_update(db, &in), 0);
    TC_REQUIRE(tc_rec_resident_get(db, id, &r) == 0);
    TC_CHECK_STR_EQ(r->name, "Zhang Gui-lan");
    TC_CHECK_STR_EQ(r->village, "Xicun");
    TC_CHECK_STR_EQ(r->phone, "0571-88001234");
    TC_CHECK_EQ(r->disability_grade, 1);
    TC_CHECK_EQ(r->created_at_us, fx_us("2025-01-01"));
    tc_rec_resident_free(r);

    before = fx_dump();
    in.id_number = "410102196503171269";
    in.birth_date = "1965-03-17";
    TC_CHECK_EQ(tc_rec_resident_update(db, &in), -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "id_number: cannot be changed");
    in = zhang();
    in.id = id;
    in.sex = TC_REC_SEX_MALE;
    TC_CHECK_EQ(tc_rec_resident_update(db, &in), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "sex: does not match");
    in.id = id + 100;
    TC_CHECK_EQ(tc_rec_resident_update(db, &in), -ENOENT);
    after = fx_dump();
    TC_CHECK_STR_EQ(before, after);
    free(before);
    free(after);
    tc_rec_close(db);
}

static void
test_search_pages_through_a_township(void)
{
    static const char *const ids[] = {
        "330723195010181434", "330723195810166507", "33072319720220023X",
        "33072319880809574X", "330723194904234916", "33072319690916416X",
        "330723197503086602",
    };
    struct tc_rec_db *db = fx_open();
    struct tc_rec_resident_list *page = NULL;
    int64_t made[7], after = 0;
    size_t seen = 0;

    for (int i = 0; i < 7; i++) {
        made[i] =
            fx_resident(db, ids[i], "Resident", i % 2 ? "Xicun" : "Dongcun");
    }
    /* The whole township, three at a time, in id order. */
    do {
        TC_REQUIRE(
            tc_rec_resident_search(db, "Qiaotou", NULL, after, 3, &page) == 0);
        for (size_t i = 0; i < page->count; i++) {
            TC_CHECK_EQ(page->items[i].id, made[seen + i]);
        }
        seen += page->count;
        after = page->count ? page->items[page->count - 1].id : after;
        TC_CHECK(page->count == 3 || seen == 7);
        tc_rec_resident_list_free(page);
    } while (seen < 7 && after);
    TC_CHECK_EQ(seen, 7);
    /* One village. */
    TC_REQUIRE(tc_rec_resident_search(db, "Qiaotou", "Xicun", 0, 50, &page) ==
               0);
    TC_REQUIRE(page->count == 3);
    TC_CHECK_EQ(page->items[0].id, made[1]);
    TC_CHECK_EQ(page->items[2].id, made[5]);
    tc_rec_resident_list_free(page);
    TC_REQUIRE(tc_rec_resident_search(db, "Qiaotou", "Xicun", made[1], 1,
                                      &page) == 0);
    TC_REQUIRE(page->count == 1);
    TC_CHECK_EQ(page->items[0].id, made[3]);
    tc_rec_resident_list_free(page);
    TC_REQUIRE(tc_rec_resident_search(db, "Elsewhere", NULL, 0, 50, &page) ==
               0);
    TC_CHECK_EQ(page->count, 0);
    tc_rec_resident_list_free(page);
    TC_CHECK_EQ(tc_rec_resident_search(db, NULL, NULL, 0, 50, &page), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "township: required");
    TC_CHECK_EQ(tc_rec_resident_search(db, "Qiaotou", NULL, 0, 201, &page),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "limit");
    tc_rec_close(db);
}

static void
test_carer_acts_only_for_linked_residents(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_carer c = {
        .name = "Li Ming",
        .phone = "13900001111",
        .created_at_us = fx_us("2025-01-01"),
    };
    struct tc_rec_carer_list *list = NULL;
    struct tc_rec_carer *got = NULL;
    int64_t mother, neighbour, carer = 0;
    bool yes = true;

    mother = fx_resident(db, "11010519491231002X", "Zhang", "Dongcun");
    neighbour = fx_resident(db, "440524188001010014", "Wu", "Dongcun");
    TC_REQUIRE(tc_rec_carer_create(db, &c, &carer) == 0);
    TC_REQUIRE(tc_rec_carer_get(db, carer, &got) == 0);
    TC_CHECK_STR_EQ(got->name, "Li Ming");
    TC_CHECK(got->relationship == NULL);
    tc_rec_carer_free(got);
    TC_CHECK_EQ(tc_rec_carer_link(db, carer, mother, "son"), 0);
    TC_CHECK_EQ(tc_rec_carer_acts_for(db, carer, mother, &yes), 0);
    TC_CHECK(yes);
    TC_CHECK_EQ(tc_rec_carer_acts_for(db, carer, neighbour, &yes), 0);
    TC_CHECK(!yes);
    TC_REQUIRE(tc_rec_carer_list_for_resident(db, mother, &list) == 0);
    TC_REQUIRE(list->count == 1);
    TC_CHECK_EQ(list->items[0].id, carer);
    TC_CHECK_STR_EQ(list->items[0].relationship, "son");
    tc_rec_carer_list_free(list);

    TC_CHECK_EQ(tc_rec_carer_link(db, carer, mother, "son"), -EEXIST);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "already acts for");
    TC_CHECK_EQ(tc_rec_carer_link(db, carer, 999, "son"), -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "resident_id");
    TC_CHECK_EQ(tc_rec_carer_link(db, carer, neighbour, NULL), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "relationship: required");
    TC_CHECK_EQ(tc_rec_carer_unlink(db, carer, mother), 0);
    TC_CHECK_EQ(tc_rec_carer_acts_for(db, carer, mother, &yes), 0);
    TC_CHECK(!yes);
    TC_CHECK_EQ(tc_rec_carer_unlink(db, carer, mother), -ENOENT);
    c.name = NULL;
    TC_CHECK_EQ(tc_rec_carer_create(db, &c, &carer), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "name: required");
    tc_rec_close(db);
}

static void
test_codes_round_trip(void)
{
    enum tc_rec_sex sex = 0;
    enum tc_rec_disability d = 0;

    TC_CHECK_EQ(tc_rec_sex_from_string("female", &sex), 0);
    TC_CHECK_EQ(sex, TC_REC_SEX_FEMALE);
    TC_CHECK_STR_EQ(tc_rec_sex_to_string(TC_REC_SEX_MALE), "male");
    TC_CHECK_EQ(tc_rec_sex_from_string("unknown", &sex), -EINVAL);
    for (int i = TC_REC_DISABILITY_VISUAL; i <= TC_REC_DISABILITY_MULTIPLE;
         i++) {
        TC_CHECK_EQ(
            tc_rec_disability_from_string(tc_rec_disability_to_string(i), &d),
            0);
        TC_CHECK_EQ(d, i);
    }
    TC_CHECK(tc_rec_disability_to_string(TC_REC_DISABILITY_NONE) == NULL);
    TC_CHECK_EQ(tc_rec_disability_from_string("blind", &d), -EINVAL);
}

int
main(void)
{
    if (fx_init() < 0) {
        return 1;
    }
    TC_RUN(test_valid_id_numbers_pass);
    TC_RUN(test_id_number_decodes_birth_date_and_sex);
    TC_RUN(test_id_number_of_wrong_length_is_refused);
    TC_RUN(test_id_number_with_non_digit_is_refused);
    TC_RUN(test_id_number_with_bad_check_digit_is_refused);
    TC_RUN(test_id_number_with_impossible_birth_date_is_refused);
    TC_RUN(test_id_check_tolerates_small_or_no_reason_buffer);
    TC_RUN(test_create_and_read_back_by_each_key);
    TC_RUN(test_create_refuses_identity_that_disagrees);
    TC_RUN(test_create_refuses_invalid_fields);
    TC_RUN(test_disability_certificate_is_all_or_none);
    TC_RUN(test_duplicate_id_number_or_health_card_is_refused);
    TC_RUN(test_update_changes_demographics_but_never_the_id_number);
    TC_RUN(test_search_pages_through_a_township);
    TC_RUN(test_carer_acts_only_for_linked_residents);
    TC_RUN(test_codes_round_trip);
    return fx_done();
}
