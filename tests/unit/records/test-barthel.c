// SPDX-License-Identifier: Apache-2.0
/*
 * test-barthel.c - Barthel index: every item's allowed and disallowed
 * scores, the bounds 0 and 100, the dependency bands, and stored
 * assessments (total computed by the library, refusals write nothing).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "clinical-fixture.h"
#include "tc-test.h"

static const struct {
    const char *name;
    size_t offset;
    int allowed[4];
    int n_allowed;
    const char *list;
} items[] = {
    {"feeding",
     offsetof(struct tc_rec_barthel_items, feeding),
     {0, 5, 10},
     3,
     "(0, 5, 10)"},
    {"bathing",
     offsetof(struct tc_rec_barthel_items, bathing),
     {0, 5},
     2,
     "(0, 5)"},
    {"grooming",
     offsetof(struct tc_rec_barthel_items, grooming),
     {0, 5},
     2,
     "(0, 5)"},
    {"dressing",
     offsetof(struct tc_rec_barthel_items, dressing),
     {0, 5, 10},
     3,
     "(0, 5, 10)"},
    {"bowels",
     offsetof(struct tc_rec_barthel_items, bowels),
     {0, 5, 10},
     3,
     "(0, 5, 10)"},
    {"bladder",
     offsetof(struct tc_rec_barthel_items, bladder),
     {0, 5, 10},
     3,
     "(0, 5, 10)"},
    {"toilet_use",
     offsetof(struct tc_rec_barthel_items, toilet_use),
     {0, 5, 10},
     3,
     "(0, 5, 10)"},
    {"transfers",
     offsetof(struct tc_rec_barthel_items, transfers),
     {0, 5, 10, 15},
     4,
     "(0, 5, 10, 15)"},
    {"mobility",
     offsetof(struct tc_rec_barthel_items, mobility),
     {0, 5, 10, 15},
     4,
     "(0, 5, 10, 15)"},
    {"stairs",
     offsetof(struct tc_rec_barthel_items, stairs),
     {0, 5, 10},
     3,
     "(0, 5, 10)"},
};

static const struct tc_rec_barthel_items all_max = {10, 5,  5,  10, 10,
                                                    10, 10, 15, 15, 10};

static int *
item_of(struct tc_rec_barthel_items *it, size_t i)
{
    return (int *)((char *)it + items[i].offset);
}

static void
test_every_allowed_score_of_every_item_counts(void)
{
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        for (int k = 0; k < items[i].n_allowed; k++) {
            struct tc_rec_barthel_items it = {0};
            int total = -1;
            *item_of(&it, i) = items[i].allowed[k];
            TC_CHECK_EQ(tc_rec_barthel_score(&it, &total, NULL, NULL, 0), 0);
            TC_CHECK_EQ(total, items[i].allowed[k]);
        }
    }
}

static void
test_every_item_refuses_a_disallowed_score_naming_it(void)
{
    static const int bad[] = {-5, 1, 7, 20};

    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
            struct tc_rec_barthel_items it = all_max;
            char why[128] = "", expect[128];
            int total = -1;
            enum tc_rec_barthel_band band = 0;
            *item_of(&it, i) = bad[k];
            TC_CHECK_EQ(
                tc_rec_barthel_score(&it, &total, &band, why, sizeof(why)),
                -EINVAL);
            snprintf(expect, sizeof(expect),
                     "barthel.%s: %d is not an allowed score %s",
                     items[i].name, bad[k], items[i].list);
            TC_CHECK_STR_EQ(why, expect);
            TC_CHECK_EQ(total, -1); /* out-params untouched */
            TC_CHECK_EQ(band, 0);
        }
        /* One step past the item's maximum. */
        struct tc_rec_barthel_items it = all_max;
        *item_of(&it, i) += 5;
        TC_CHECK_EQ(tc_rec_barthel_score(&it, NULL, NULL, NULL, 0), -EINVAL);
    }
}

static void
test_totals_are_bounded_by_0_and_100(void)
{
    struct tc_rec_barthel_items none = {0};
    enum tc_rec_barthel_band band;
    int total = -1;

    TC_CHECK_EQ(tc_rec_barthel_score(&none, &total, &band, NULL, 0), 0);
    TC_CHECK_EQ(total, 0);
    TC_CHECK_EQ(band, TC_REC_BARTHEL_TOTAL);
    TC_CHECK_EQ(tc_rec_barthel_score(&all_max, &total, &band, NULL, 0), 0);
    TC_CHECK_EQ(total, 100);
    TC_CHECK_EQ(band, TC_REC_BARTHEL_INDEPENDENT);
    TC_CHECK_STR_EQ(tc_rec_barthel_band_to_string(band), "independent");
}

static void
test_bands_change_at_20_60_90_and_99(void)
{
    /* {total, band}: edges of each band, built by removing points from
     * the maximum. */
    static const struct {
        int total;
        enum tc_rec_barthel_band band;
    } cases[] = {
        {20, TC_REC_BARTHEL_TOTAL},        {25, TC_REC_BARTHEL_SEVERE},
        {60, TC_REC_BARTHEL_SEVERE},       {65, TC_REC_BARTHEL_MODERATE},
        {90, TC_REC_BARTHEL_MODERATE},     {95, TC_REC_BARTHEL_SLIGHT},
        {100, TC_REC_BARTHEL_INDEPENDENT},
    };

    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct tc_rec_barthel_items it = all_max;
        int missing = 100 - cases[c].total, total = -1;
        enum tc_rec_barthel_band band = 0;
        for (size_t i = 0; i < 10 && missing > 0; i++) {
            int *v = item_of(&it, i);
            int take = *v < missing ? *v : missing;
            *v -= take;
            missing -= take;
        }
        TC_CHECK_EQ(tc_rec_barthel_score(&it, &total, &band, NULL, 0), 0);
        TC_CHECK_EQ(total, cases[c].total);
        TC_CHECK_EQ(band, cases[c].band);
    }
    TC_CHECK_STR_EQ(tc_rec_barthel_band_to_string(TC_REC_BARTHEL_SEVERE),
                    "severe");
    TC_CHECK(tc_rec_barthel_band_to_string(0) == NULL);
}

static void
test_assessment_is_stored_with_its_computed_total(void)
{
    struct fixture f;
    struct tc_rec_barthel_new in = {0};
    struct tc_rec_barthel *b = NULL;
    struct tc_rec_barthel_list *list = NULL;
    int64_t id = 0, id2 = 0;

    fixture_open(&f, "barthel-store.db");
    in.resident_id = f.resident;
    in.assessor_id = f.therapist;
    in.assessed_at_us = us_at("2026-03-02", 9);
    in.items = (struct tc_rec_barthel_items){5, 0, 5, 5, 10, 10, 5, 10, 10, 0};
    in.note = "Needs help in the bath.\nWalks with a frame.";
    TC_CHECK_EQ(tc_rec_barthel_record(f.db, &in, &id), 0);
    in.items.stairs = 5;
    in.assessed_at_us = us_at("2026-06-02", 9);
    TC_CHECK_EQ(tc_rec_barthel_record(f.db, &in, &id2), 0);
    TC_REQUIRE(tc_rec_barthel_get(f.db, id, &b) == 0);
    TC_CHECK_EQ(b->total, 60);
    TC_CHECK_EQ(b->band, TC_REC_BARTHEL_SEVERE);
    TC_CHECK_EQ(b->items.transfers, 10);
    TC_CHECK_EQ(b->plan_id, 0);
    TC_CHECK_STR_EQ(b->note, "Needs help in the bath.\nWalks with a frame.");
    tc_rec_barthel_free(b);
    TC_REQUIRE(tc_rec_barthel_list(f.db, f.resident, &list) == 0);
    TC_REQUIRE(list->count == 2);
    TC_CHECK_EQ(list->items[0].total, 60);
    TC_CHECK_EQ(list->items[1].total, 65);
    TC_CHECK_EQ(list->items[1].band, TC_REC_BARTHEL_MODERATE);
    tc_rec_barthel_list_free(list);
    TC_CHECK_EQ(tc_rec_barthel_get(f.db, 999, &b), -ENOENT);
    fixture_close(&f);
}

static void
test_refused_assessment_writes_nothing(void)
{
    struct fixture f;
    struct tc_rec_barthel_new in = {0};
    int64_t id = 0;
    char *before;

    fixture_open(&f, "barthel-refused.db");
    in.resident_id = f.resident;
    in.assessor_id = f.therapist;
    in.assessed_at_us = us_at("2026-03-02", 9);
    in.items = all_max;
    before = fixture_dump(&f);
    in.items.transfers = 7;
    TC_CHECK_EQ(tc_rec_barthel_record(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_EQ(tc_rec_errmsg(f.db), "barthel.transfers: 7 is not an "
                                         "allowed score (0, 5, 10, 15)");
    in.items = all_max;
    in.resident_id = 999;
    TC_CHECK_EQ(tc_rec_barthel_record(f.db, &in, &id), -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "resident_id");
    in.resident_id = f.resident;
    in.assessor_id = 0;
    TC_CHECK_EQ(tc_rec_barthel_record(f.db, &in, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "assessor_id");
    in.assessor_id = f.therapist;
    in.plan_id = 42;
    TC_CHECK_EQ(tc_rec_barthel_record(f.db, &in, &id), -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "plan_id");
    TC_CHECK_EQ(id, 0);
    TC_CHECK_UNCHANGED(&f, before);

    /* The schema refuses a total that is not the sum of the items. */
    TC_CHECK(sqlite3_exec(f.raw,
                          "INSERT INTO barthel_assessments (resident_id,"
                          " assessor_id, assessed_at_us, feeding, bathing,"
                          " grooming, dressing, bowels, bladder, toilet_use,"
                          " transfers, mobility, stairs, total, band)"
                          " VALUES (1, 2, 1, 10, 5, 5, 10, 10, 10, 10, 15,"
                          " 15, 10, 90, 'moderate')",
                          NULL, NULL, NULL) == SQLITE_CONSTRAINT);
    fixture_close(&f);
}

int
main(void)
{
    if (fixture_main_begin() < 0) {
        return 1;
    }
    TC_RUN(test_every_allowed_score_of_every_item_counts);
    TC_RUN(test_every_item_refuses_a_disallowed_score_naming_it);
    TC_RUN(test_totals_are_bounded_by_0_and_100);
    TC_RUN(test_bands_change_at_20_60_90_and_99);
    TC_RUN(test_assessment_is_stored_with_its_computed_total);
    TC_RUN(test_refused_assessment_writes_nothing);
    return fixture_main_end();
}
