// SPDX-License-Identifier: Apache-2.0
/*
 * test-media-profile.c - the media profile of a call (records/
 * media-profile.c, migration 14): none until chosen; chosen, read back
 * with who and when; chosen again, replaced; kept apart per record; bad
 * values and missing records refused by name with nothing written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical-fixture.h"
#include "tc-test.h"

struct ctx {
    struct fixture f;
    int64_t consultation, other, user;
};

static void
setup(struct ctx *c, const char *name)
{
    struct tc_rec_consultation_new in = {
        .reason = "Palpitations.",
        .priority = TC_REC_CONSULTATION_URGENT,
        .requested_at_us = 1,
    };

    fixture_open(&c->f, name);
    in.requester_id = c->f.doctor;
    in.requested_org_id = c->f.city;
    in.resident_id = c->f.resident;
    if (tc_rec_consultation_request(c->f.db, &in, &c->consultation) != 0 ||
        tc_rec_consultation_request(c->f.db, &in, &c->other) != 0) {
        printf("# %s\n", tc_rec_errmsg(c->f.db));
        abort();
    }
    c->user = raw_insert(&c->f, "INSERT INTO users (username, password_hash,"
                                " created_at_us) VALUES ('zhou', 'x', 1)");
}

static void
test_names_round_trip(void)
{
    enum tc_rec_media_profile p;

    TC_CHECK_EQ(tc_rec_media_profile_from_string("low", &p), 0);
    TC_CHECK_EQ(p, TC_REC_MEDIA_PROFILE_LOW);
    TC_CHECK_STR_EQ(tc_rec_media_profile_to_string(TC_REC_MEDIA_PROFILE_AUDIO),
                    "audio");
    TC_CHECK_EQ(tc_rec_media_profile_from_string("LOW", &p), -EINVAL);
    TC_CHECK_EQ(tc_rec_media_profile_from_string(NULL, &p), -EINVAL);
    TC_CHECK(tc_rec_media_profile_to_string(0) == NULL);
}

static void
test_chosen_replaced_and_kept_per_record(void)
{
    struct ctx c;
    struct tc_rec_media_profile_row row = {0};
    const enum tc_rec_media_profile_owner cons =
        TC_REC_MEDIA_PROFILE_CONSULTATION;

    setup(&c, "profile.db");
    TC_CHECK_EQ(tc_rec_media_profile_get(c.f.db, cons, c.consultation, &row),
                -ENOENT);
    TC_CHECK_EQ(tc_rec_media_profile_set(c.f.db, cons, c.consultation,
                                         TC_REC_MEDIA_PROFILE_LOW, c.user,
                                         100),
                0);
    TC_CHECK_EQ(tc_rec_media_profile_get(c.f.db, cons, c.consultation, &row),
                0);
    TC_CHECK_EQ(row.profile, TC_REC_MEDIA_PROFILE_LOW);
    TC_CHECK_EQ(row.set_by, c.user);
    TC_CHECK_EQ(row.set_at_us, 100);
    TC_CHECK_EQ(tc_rec_media_profile_set(c.f.db, cons, c.consultation,
                                         TC_REC_MEDIA_PROFILE_AUDIO, c.user,
                                         200),
                0);
    TC_CHECK_EQ(tc_rec_media_profile_get(c.f.db, cons, c.consultation, &row),
                0);
    TC_CHECK_EQ(row.profile, TC_REC_MEDIA_PROFILE_AUDIO);
    TC_CHECK_EQ(row.set_at_us, 200);
    /* Another consultation has none. */
    TC_CHECK_EQ(tc_rec_media_profile_get(c.f.db, cons, c.other, &row),
                -ENOENT);
    fixture_close(&c.f);
}

static void
test_bad_input_is_refused_by_name(void)
{
    struct ctx c;
    struct tc_rec_media_profile_row row = {0};
    const enum tc_rec_media_profile_owner cons =
        TC_REC_MEDIA_PROFILE_CONSULTATION;

    setup(&c, "bad.db");
    TC_CHECK_EQ(tc_rec_media_profile_set(c.f.db, cons, c.consultation,
                                         (enum tc_rec_media_profile)9, c.user,
                                         1),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(c.f.db), "profile");
    TC_CHECK_EQ(tc_rec_media_profile_set(c.f.db, cons, 999,
                                         TC_REC_MEDIA_PROFILE_LOW, c.user, 1),
                -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(c.f.db), "consultation");
    TC_CHECK_EQ(tc_rec_media_profile_set(c.f.db, cons, c.consultation,
                                         TC_REC_MEDIA_PROFILE_LOW, 999, 1),
                -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(c.f.db), "set_by");
    TC_CHECK_EQ(
        tc_rec_media_profile_set(c.f.db, TC_REC_MEDIA_PROFILE_REHAB_SESSION,
                                 999, TC_REC_MEDIA_PROFILE_LOW, c.user, 1),
        -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(c.f.db), "rehab_session");
    TC_CHECK_EQ(tc_rec_media_profile_get(c.f.db,
                                         (enum tc_rec_media_profile_owner)7,
                                         c.consultation, &row),
                -EINVAL);
    /* Nothing was written. */
    TC_CHECK_EQ(tc_rec_media_profile_get(c.f.db, cons, c.consultation, &row),
                -ENOENT);
    fixture_close(&c.f);
}

int
main(void)
{
    if (fixture_main_begin() < 0) {
        return 1;
    }
    TC_RUN(test_names_round_trip);
    TC_RUN(test_chosen_replaced_and_kept_per_record);
    TC_RUN(test_bad_input_is_refused_by_name);
    return fixture_main_end();
}
