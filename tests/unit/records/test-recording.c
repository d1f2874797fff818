// SPDX-License-Identifier: Apache-2.0
/*
 * test-recording.c - recordings of consultation calls (records/recording.c,
 * migration 7): a finished recording is kept and read back whole; every
 * bad field is refused by name with nothing written; rows are append-only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical-fixture.h"
#include "tc-test.h"

#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct ctx {
    struct fixture f;
    int64_t consultation, user;
};

static void
setup(struct ctx *c, const char *name)
{
    struct tc_rec_consultation_new in = {
        .requested_org_id = 0,
        .reason = "Palpitations.",
        .priority = TC_REC_CONSULTATION_URGENT,
        .requested_at_us = 1,
    };

    fixture_open(&c->f, name);
    in.requester_id = c->f.doctor;
    in.requested_org_id = c->f.city;
    in.resident_id = c->f.resident;
    if (tc_rec_consultation_request(c->f.db, &in, &c->consultation) != 0) {
        printf("# %s\n", tc_rec_errmsg(c->f.db));
        abort();
    }
    c->user = raw_insert(&c->f, "INSERT INTO users (username, password_hash,"
                                " created_at_us) VALUES ('zhou', 'x', 1)");
}

static struct tc_rec_recording
good(const struct ctx *c)
{
    struct tc_rec_recording r = {
        .consultation_id = c->consultation,
        .user_id = c->user,
        .track = "video",
        .path = "recordings/consultation-1/20261129T100000Z/p1-video.webm",
        .media_type = "video/webm",
        .started_at_us = 1000,
        .duration_ms = 12345,
        .size_bytes = 678901,
        .sha256 = SHA,
    };
    return r;
}

static void
test_a_recording_is_kept_and_read_back(void)
{
    struct ctx c;
    struct tc_rec_recording r, got = {0};
    struct tc_rec_recording_list *list = NULL;
    int64_t id = 0;

    setup(&c, "kept.db");
    r = good(&c);
    TC_CHECK_EQ(tc_rec_recording_add(c.f.db, &r, &id), 0);
    TC_CHECK(id > 0);
    TC_CHECK_EQ(tc_rec_recording_get(c.f.db, id, &got), 0);
    TC_CHECK_STR_EQ(got.path, r.path);
    TC_CHECK_STR_EQ(got.track, "video");
    TC_CHECK_STR_EQ(got.media_type, "video/webm");
    TC_CHECK_STR_EQ(got.sha256, SHA);
    TC_CHECK_EQ(got.duration_ms, 12345);
    TC_CHECK_EQ(got.size_bytes, 678901);
    TC_CHECK_EQ(got.user_id, c.user);
    tc_rec_recording_free(&got);
    TC_CHECK_EQ(tc_rec_recording_list(c.f.db, c.consultation, &list), 0);
    TC_CHECK_EQ(list ? list->count : 0, 1);
    tc_rec_recording_list_free(list);
    TC_CHECK_EQ(tc_rec_recording_get(c.f.db, id + 1, &got), -ENOENT);
    TC_CHECK_EQ(tc_rec_recording_list(c.f.db, c.consultation + 99, &list),
                -ENOENT);
    fixture_close(&c.f);
}

static void
test_bad_fields_are_refused_by_name_and_nothing_is_written(void)
{
    struct ctx c;
    struct tc_rec_recording r;
    char *before, *after;

    setup(&c, "bad.db");
    before = fixture_dump(&c.f);
    r = good(&c);
    r.path = "/etc/passwd";
    TC_CHECK_EQ(tc_rec_recording_add(c.f.db, &r, NULL), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(c.f.db), "path");
    r.path = "recordings/../../x.webm";
    TC_CHECK_EQ(tc_rec_recording_add(c.f.db, &r, NULL), -EINVAL);
    r = good(&c);
    snprintf(r.sha256, sizeof(r.sha256), "ABC");
    TC_CHECK_EQ(tc_rec_recording_add(c.f.db, &r, NULL), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(c.f.db), "sha256");
    r = good(&c);
    r.track = "screen";
    TC_CHECK_EQ(tc_rec_recording_add(c.f.db, &r, NULL), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(c.f.db), "track");
    r = good(&c);
    r.media_type = "video/mp4";
    TC_CHECK_EQ(tc_rec_recording_add(c.f.db, &r, NULL), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(c.f.db), "media_type");
    r = good(&c);
    r.duration_ms = -1;
    TC_CHECK_EQ(tc_rec_recording_add(c.f.db, &r, NULL), -EINVAL);
    r = good(&c);
    r.consultation_id = 999;
    TC_CHECK_EQ(tc_rec_recording_add(c.f.db, &r, NULL), -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(c.f.db), "consultation");
    after = fixture_dump(&c.f);
    TC_CHECK_STR_EQ(after, before);
    free(before);
    free(after);
    fixture_close(&c.f);
}

static void
test_recordings_are_append_only(void)
{
    struct ctx c;
    struct tc_rec_recording r;
    int64_t id = 0;
    char *err = NULL;

    setup(&c, "append.db");
    r = good(&c);
    TC_CHECK_EQ(tc_rec_recording_add(c.f.db, &r, &id), 0);
    TC_CHECK(tc_rec_recording_add(c.f.db, &r, NULL) < 0); /* same path */
    TC_CHECK(sqlite3_exec(c.f.raw,
                          "UPDATE consultation_recordings SET size_bytes = 1",
                          NULL, NULL, &err) != SQLITE_OK);
    TC_CHECK(err && strstr(err, "append-only"));
    sqlite3_free(err);
    err = NULL;
    TC_CHECK(sqlite3_exec(c.f.raw, "DELETE FROM consultation_recordings", NULL,
                          NULL, &err) != SQLITE_OK);
    sqlite3_free(err);
    TC_CHECK_EQ(raw_int(&c.f, "SELECT count(*) FROM consultation_recordings"),
                1);
    fixture_close(&c.f);
}

int
main(void)
{
    if (fixture_main_begin() < 0) {
        return 1;
    }
    TC_RUN(test_a_recording_is_kept_and_read_back);
    TC_RUN(test_bad_fields_are_refused_by_name_and_nothing_is_written);
    TC_RUN(test_recordings_are_append_only);
    return fixture_main_end();
}
