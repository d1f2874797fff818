// SPDX-License-Identifier: Apache-2.0
/*
 * test-ecg-device.c - migration 5: device-to-resident assignments, urgent
 * reading requests first on the worklist, and lead names as devices and
 * WFDB files spell them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "clinical-fixture.h"
#include "tc-test.h"

#define T0 us_at("2026-03-02", 9)

static void
test_device_assignment(void)
{
    struct fixture f;
    bool yes = true;

    fixture_open(&f, "ecg-device.db");
    TC_CHECK_EQ(tc_rec_ecg_device_assigned(f.db, "ecg-7", f.resident, &yes),
                0);
    TC_CHECK(!yes);
    TC_CHECK_EQ(tc_rec_ecg_device_assign(f.db, "ecg-7", f.resident, 0, T0), 0);
    TC_CHECK_EQ(tc_rec_ecg_device_assign(f.db, "ecg-7", f.resident, 0, T0),
                0); /* idempotent */
    TC_CHECK_EQ(tc_rec_ecg_device_assigned(f.db, "ecg-7", f.resident, &yes),
                0);
    TC_CHECK(yes);
    TC_CHECK_EQ(
        tc_rec_ecg_device_assigned(f.db, "ecg-7", f.resident_basic, &yes), 0);
    TC_CHECK(!yes);
    TC_CHECK_EQ(tc_rec_ecg_device_assign(f.db, "ecg-7", 999, 0, T0), -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "resident_id");
    TC_CHECK_EQ(tc_rec_ecg_device_assign(f.db, "", f.resident, 0, T0),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "device_id");
    TC_CHECK_EQ(tc_rec_ecg_device_unassign(f.db, "ecg-7", f.resident), 0);
    TC_CHECK_EQ(tc_rec_ecg_device_unassign(f.db, "ecg-7", f.resident),
                -ENOENT);
    TC_CHECK_EQ(tc_rec_ecg_device_assigned(f.db, "ecg-7", f.resident, &yes),
                0);
    TC_CHECK(!yes);
    fixture_close(&f);
}

static int64_t
study(struct fixture *f, int64_t started_at_us, bool urgent)
{
    struct tc_rec_ecg_study_new in = {
        .resident_id = f->resident,
        .device_id = "ecg-7",
        .leads = "MLII,V5",
        .sample_rate_hz = 360,
        .started_at_us = started_at_us,
        .duration_ms = 1000,
        .storage_path = "ecg/x",
        .urgent = urgent,
    };
    int64_t id = 0;

    if (tc_rec_ecg_study_create(f->db, &in, &id) != 0) {
        printf("# %s\n", tc_rec_errmsg(f->db));
        abort();
    }
    return id;
}

static void
test_worklist_urgent_first_then_oldest(void)
{
    struct fixture f;
    struct tc_rec_ecg_study_list *w = NULL;
    struct tc_rec_ecg_study *s = NULL;
    int64_t old, newer, urgent_new, urgent_old;

    fixture_open(&f, "ecg-urgent.db");
    newer = study(&f, T0 + 3000000, false);
    old = study(&f, T0, false);
    urgent_new = study(&f, T0 + 5000000, true);
    urgent_old = study(&f, T0 + 1000000, true);
    TC_REQUIRE(tc_rec_ecg_worklist(f.db, f.reader, true, &w) == 0);
    TC_REQUIRE(w->count == 4);
    TC_CHECK_EQ(w->items[0].id, urgent_old);
    TC_CHECK_EQ(w->items[1].id, urgent_new);
    TC_CHECK_EQ(w->items[2].id, old);
    TC_CHECK_EQ(w->items[3].id, newer);
    TC_CHECK(w->items[0].urgent && !w->items[2].urgent);
    tc_rec_ecg_study_list_free(w);
    TC_REQUIRE(tc_rec_ecg_study_get(f.db, urgent_new, &s) == 0);
    TC_CHECK(s->urgent);
    TC_CHECK_STR_EQ(s->leads, "MLII,V5");
    tc_rec_ecg_study_free(s);
    fixture_close(&f);
}

static void
test_lead_names_normalised(void)
{
    static const char *const cases[][2] = {
        {"i", "I"},   {"ii", "II"},     {"avr", "aVR"}, {"AVF", "aVF"},
        {"v1", "V1"}, {"MLII", "MLII"}, {"V5", "V5"},   {"vx", "X"},
        {"vz", "Z"},  {"v4r", "V4R"},
    };
    char out[16];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        TC_CHECK_EQ(tc_rec_ecg_lead_normalize(cases[i][0], out, sizeof(out)),
                    0);
        TC_CHECK_STR_EQ(out, cases[i][1]);
    }
    TC_CHECK_EQ(tc_rec_ecg_lead_normalize("pleth", out, sizeof(out)), -EINVAL);
    TC_CHECK_EQ(tc_rec_ecg_lead_normalize("MLIII", out, 4), -EINVAL);
}

int
main(void)
{
    if (fixture_main_begin() < 0) {
        return 1;
    }
    TC_RUN(test_device_assignment);
    TC_RUN(test_worklist_urgent_first_then_oldest);
    TC_RUN(test_lead_names_normalised);
    return fixture_main_end();
}
