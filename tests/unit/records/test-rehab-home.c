// SPDX-License-Identifier: Apache-2.0
/*
 * test-rehab-home.c - migration 9's records: durations worked out from a
 * live session's attendance log (media time kept apart), the alert rules
 * on their exact boundaries (a third miss and not a second, +3 pain and
 * not +2, 14 quiet days and not 13 days 23 hours), raised once however
 * often they are evaluated, and the upload bookkeeping (offsets in order
 * only, never past the declared size, the recording linked on accept).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical-fixture.h"

#define SEC_US  1000000LL
#define DAY_US  (86400LL * SEC_US)
#define PLAN_D0 us_at("2026-03-01", 0) /* the plan's first day, 00:00 */

static int64_t
user_for(struct fixture *f, const char *name, const char *link, int64_t id)
{
    char sql[256];

    snprintf(sql, sizeof(sql),
             "INSERT INTO users (username, password_hash, %s, created_at_us)"
             " VALUES ('%s', 'x', %lld, 1)",
             link, name, (long long)id);
    return raw_insert(f, sql);
}

static int64_t
session(struct fixture *f, int64_t plan, enum tc_rec_rehab_session_mode mode,
        int64_t at_us)
{
    struct tc_rec_rehab_session_new in = {
        .plan_id = plan,
        .mode = mode,
        .scheduled_at_us = at_us,
        .therapist_id = mode == TC_REC_REHAB_SELF_GUIDED ? 0 : f->therapist,
    };
    int64_t id = 0;

    if (tc_rec_rehab_session_schedule(f->db, &in, &id) != 0) {
        printf("# session: %s\n", tc_rec_errmsg(f->db));
        abort();
    }
    return id;
}

static void
done_with_pain(struct fixture *f, int64_t id, int64_t at_us, int before,
               int after)
{
    struct tc_rec_rehab_session_result r = {
        .ended_at_us = at_us + 1800 * SEC_US,
        .attendance = TC_REC_REHAB_ATTENDANCE_ALONE,
        .completion_pct = 100,
        .pain_after = after,
        .difficulty = -1,
    };

    if (tc_rec_rehab_session_start(f->db, id, at_us, before) != 0 ||
        tc_rec_rehab_session_finish(f->db, id, &r) != 0) {
        printf("# done: %s\n", tc_rec_errmsg(f->db));
        abort();
    }
}

static size_t
raised_now(struct fixture *f, int64_t plan, int64_t now_us,
           enum tc_rec_rehab_alert_kind kind)
{
    struct tc_rec_rehab_alert_list *l = NULL;
    size_t n = 0;

    if (tc_rec_rehab_alerts_evaluate(f->db, plan, now_us, &l) != 0) {
        printf("# evaluate: %s\n", tc_rec_errmsg(f->db));
        abort();
    }
    for (size_t i = 0; i < l->count; i++) {
        n += l->items[i].kind == kind;
    }
    tc_rec_rehab_alert_list_free(l);
    return n;
}

static void
test_durations_come_from_the_attendance_log(void)
{
    struct fixture f;
    struct tc_rec_rehab_presence *a = NULL;
    int64_t plan, s, ther, res, carer, t0 = PLAN_T0;

    fixture_open(&f, "attend.db");
    plan = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE);
    s = session(&f, plan, TC_REC_REHAB_LIVE_GUIDED, t0);
    ther = user_for(&f, "ther", "practitioner_id", f.therapist);
    res = user_for(&f, "res", "resident_id", f.resident);
    carer = user_for(&f, "carer", "carer_id", f.carer);
#define EV(u, r, e, t)                                                        \
    TC_CHECK_EQ(tc_rec_rehab_attendance_add(f.db, s, u, TC_REC_REHAB_##r,     \
                                            TC_REC_REHAB_##e,                 \
                                            t0 + (t)*SEC_US),                 \
                0)
    EV(ther, ROLE_THERAPIST, PRESENT, 0);
    EV(res, ROLE_RESIDENT, PRESENT, 10);
    EV(res, ROLE_RESIDENT, MEDIA_START, 12);
    EV(carer, ROLE_CARER, PRESENT, 20);
    EV(res, ROLE_RESIDENT, MEDIA_STOP, 25);
    EV(res, ROLE_RESIDENT, ABSENT, 30);
    EV(carer, ROLE_CARER, ABSENT, 40);
    EV(ther, ROLE_THERAPIST, ABSENT, 60);
    EV(res, ROLE_RESIDENT, PRESENT, 70); /* back alone; still there */
#undef EV
    TC_REQUIRE(tc_rec_rehab_attendance_get(f.db, s, t0 + 100 * SEC_US, &a) ==
               0);
    TC_CHECK_EQ(a->n_entries, 9);
    TC_CHECK_EQ(a->therapist_us, 60 * SEC_US);
    TC_CHECK_EQ(a->resident_us, (30 + 30) * SEC_US); /* 10..40, 70..now */
    TC_CHECK_EQ(a->together_us, 30 * SEC_US);
    TC_CHECK_EQ(a->media_us, 13 * SEC_US);
    TC_CHECK_EQ(a->first_at_us, t0);
    /* each user's own share, in order of first appearance: media time is
     * only the resident's (the carer was there and sent nothing) */
    TC_REQUIRE(a->n_people == 3);
    TC_CHECK_EQ(a->people[0].user_id, ther);
    TC_CHECK_EQ(a->people[0].present_us, 60 * SEC_US);
    TC_CHECK_EQ(a->people[0].media_us, 0);
    TC_CHECK_EQ(a->people[1].user_id, res);
    TC_CHECK_EQ(a->people[1].role, TC_REC_REHAB_ROLE_RESIDENT);
    TC_CHECK_EQ(a->people[1].present_us, (20 + 30) * SEC_US);
    TC_CHECK_EQ(a->people[1].media_us, 13 * SEC_US);
    TC_CHECK_EQ(a->people[2].user_id, carer);
    TC_CHECK_EQ(a->people[2].present_us, 20 * SEC_US);
    TC_CHECK_EQ(a->people[2].media_us, 0);
    tc_rec_rehab_attendance_free(a);

    /* a self-guided session has no call to attend */
    s = session(&f, plan, TC_REC_REHAB_SELF_GUIDED, t0 + DAY_US);
    TC_CHECK_EQ(tc_rec_rehab_attendance_add(f.db, s, res,
                                            TC_REC_REHAB_ROLE_RESIDENT,
                                            TC_REC_REHAB_PRESENT, t0),
                -EPERM);
    fixture_close(&f);
}

static void
test_live_recordings_kept_with_the_session(void)
{
    struct fixture f;
    struct tc_rec_recording_list *list = NULL;
    struct tc_rec_recording got = {0};
    int64_t plan, s, res, id = 0, t0 = PLAN_T0;
    struct tc_rec_recording r = {
        .track = "video",
        .path = "recordings/rehab-session-1/x/res-video.webm",
        .media_type = "video/webm",
        .started_at_us = t0,
        .duration_ms = 4000,
        .size_bytes = 123456,
        .sha256 = "00112233445566778899aabbccddeeff"
                  "00112233445566778899aabbccddeeff",
    };

    fixture_open(&f, "live-rec.db");
    plan = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE);
    s = session(&f, plan, TC_REC_REHAB_LIVE_GUIDED, t0);
    res = user_for(&f, "res", "resident_id", f.resident);
    r.rehab_session_id = s;
    r.user_id = res;
    TC_CHECK_EQ(tc_rec_rehab_live_recording_add(f.db, &r, &id), 0);
    TC_CHECK(id > 0);
    /* the same path twice, a path out of the data directory, no session */
    TC_CHECK_EQ(tc_rec_rehab_live_recording_add(f.db, &r, NULL), -EEXIST);
    r.path = "../etc/passwd";
    TC_CHECK_EQ(tc_rec_rehab_live_recording_add(f.db, &r, NULL), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "path");
    r.path = "recordings/other.webm";
    r.rehab_session_id = s + 100;
    TC_CHECK_EQ(tc_rec_rehab_live_recording_add(f.db, &r, NULL), -ENOENT);

    TC_REQUIRE(tc_rec_rehab_live_recording_list(f.db, s, &list) == 0);
    TC_REQUIRE(list->count == 1);
    TC_CHECK_EQ(list->items[0].rehab_session_id, s);
    TC_CHECK_EQ(list->items[0].consultation_id, 0);
    TC_CHECK_EQ(list->items[0].duration_ms, 4000);
    tc_rec_recording_list_free(list);
    TC_CHECK_EQ(tc_rec_rehab_live_recording_get(f.db, id, &got), 0);
    TC_CHECK_STR_EQ(got.path, "recordings/rehab-session-1/x/res-video.webm");
    tc_rec_recording_free(&got);
    TC_CHECK_EQ(tc_rec_rehab_live_recording_get(f.db, id + 1, &got), -ENOENT);
    fixture_close(&f);
}

static void
test_three_misses_in_a_row_and_not_two(void)
{
    struct fixture f;
    int64_t plan, s[4], now = PLAN_D0 + 10 * DAY_US;

    fixture_open(&f, "missed.db");
    plan = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE);
    for (int i = 0; i < 4; i++) {
        s[i] = session(&f, plan, TC_REC_REHAB_SELF_GUIDED,
                       PLAN_D0 + (i + 1) * DAY_US);
    }
    done_with_pain(&f, s[0], PLAN_D0 + DAY_US, -1, -1);
    TC_CHECK_EQ(tc_rec_rehab_session_miss(f.db, s[1], now), 0);
    TC_CHECK_EQ(tc_rec_rehab_session_miss(f.db, s[2], now), 0);
    TC_CHECK_EQ(raised_now(&f, plan, now, TC_REC_REHAB_ALERT_MISSED_IN_A_ROW),
                0);
    TC_CHECK_EQ(tc_rec_rehab_session_miss(f.db, s[3], now), 0);
    TC_CHECK_EQ(raised_now(&f, plan, now, TC_REC_REHAB_ALERT_MISSED_IN_A_ROW),
                1);
    /* again, and later: the same run raises nothing more */
    TC_CHECK_EQ(raised_now(&f, plan, now, TC_REC_REHAB_ALERT_MISSED_IN_A_ROW),
                0);
    TC_CHECK_EQ(raw_int(&f, "SELECT count(*) FROM rehab_alerts WHERE kind ="
                            " 'missed_in_a_row'"),
                1);
    TC_CHECK_EQ(raw_int(&f, "SELECT session_id FROM rehab_alerts WHERE kind ="
                            " 'missed_in_a_row'"),
                s[1]);
    fixture_close(&f);
}

static void
test_pain_up_three_and_not_two(void)
{
    struct fixture f;
    int64_t plan, a, b, c, now = PLAN_D0 + 5 * DAY_US;

    fixture_open(&f, "pain.db");
    plan = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE);
    a = session(&f, plan, TC_REC_REHAB_SELF_GUIDED, PLAN_D0 + DAY_US);
    b = session(&f, plan, TC_REC_REHAB_SELF_GUIDED, PLAN_D0 + 2 * DAY_US);
    c = session(&f, plan, TC_REC_REHAB_SELF_GUIDED, PLAN_D0 + 3 * DAY_US);
    done_with_pain(&f, a, PLAN_D0 + DAY_US, 2, 3);
    done_with_pain(&f, b, PLAN_D0 + 2 * DAY_US, -1, 5); /* +2 */
    TC_CHECK_EQ(raised_now(&f, plan, now, TC_REC_REHAB_ALERT_PAIN_UP), 0);
    done_with_pain(&f, c, PLAN_D0 + 3 * DAY_US, 5, 8); /* +3 */
    TC_CHECK_EQ(raised_now(&f, plan, now, TC_REC_REHAB_ALERT_PAIN_UP), 1);
    TC_CHECK_EQ(raised_now(&f, plan, now, TC_REC_REHAB_ALERT_PAIN_UP), 0);
    TC_CHECK_EQ(raw_int(&f, "SELECT value FROM rehab_alerts"), 3);
    fixture_close(&f);
}

static bool
quiet_has(struct fixture *f, int64_t now_us, int64_t plan)
{
    int64_t *ids = NULL;
    size_t n = 0;
    bool found = false;

    if (tc_rec_rehab_plans_quiet(f->db, now_us, &ids, &n) != 0) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        found |= ids[i] == plan;
    }
    free(ids);
    return found;
}

static void
test_fourteen_quiet_days_and_not_thirteen(void)
{
    struct fixture f;
    int64_t plan, draft, s;

    fixture_open(&f, "quiet.db");
    plan = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE);
    draft = plan_in(&f, TC_REC_REHAB_PLAN_DRAFT);
    /* the sweep's candidates agree with the rule */
    TC_CHECK_EQ(quiet_has(&f, PLAN_D0 + 14 * DAY_US - SEC_US, plan), false);
    TC_CHECK_EQ(quiet_has(&f, PLAN_D0 + 14 * DAY_US, plan), true);
    TC_CHECK_EQ(quiet_has(&f, PLAN_D0 + 14 * DAY_US, draft), false);
    TC_CHECK_EQ(raised_now(&f, plan, PLAN_D0 + 14 * DAY_US - SEC_US,
                           TC_REC_REHAB_ALERT_NO_SESSION),
                0);
    TC_CHECK_EQ(raised_now(&f, plan, PLAN_D0 + 14 * DAY_US,
                           TC_REC_REHAB_ALERT_NO_SESSION),
                1);
    TC_CHECK_EQ(raised_now(&f, plan, PLAN_D0 + 20 * DAY_US,
                           TC_REC_REHAB_ALERT_NO_SESSION),
                0); /* the same stretch */
    TC_CHECK_EQ(quiet_has(&f, PLAN_D0 + 20 * DAY_US, plan), false);
    /* a session done restarts the count; its stretch is a new alert */
    s = session(&f, plan, TC_REC_REHAB_SELF_GUIDED, PLAN_D0 + 21 * DAY_US);
    done_with_pain(&f, s, PLAN_D0 + 21 * DAY_US, -1, -1);
    TC_CHECK_EQ(raised_now(&f, plan, PLAN_D0 + 34 * DAY_US,
                           TC_REC_REHAB_ALERT_NO_SESSION),
                0);
    TC_CHECK_EQ(quiet_has(&f, PLAN_D0 + 34 * DAY_US, plan), false);
    TC_CHECK_EQ(raised_now(&f, plan, PLAN_D0 + 35 * DAY_US,
                           TC_REC_REHAB_ALERT_NO_SESSION),
                1);
    /* a plan that is not active raises nothing */
    TC_CHECK_EQ(raised_now(&f, draft, PLAN_D0 + 60 * DAY_US,
                           TC_REC_REHAB_ALERT_NO_SESSION),
                0);
    fixture_close(&f);
}

static void
test_upload_offsets_in_order_within_the_size(void)
{
    static const char sha[] =
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    struct fixture f;
    struct tc_rec_rehab_upload_new in = {
        .size_bytes = 100, .sha256 = sha, .at_us = PLAN_T0};
    struct tc_rec_rehab_upload *u = NULL;
    int64_t plan, s, up = 0, other = 0, t = PLAN_T0;
    int reopened = 0;
    char *before;

    fixture_open(&f, "upload.db");
    plan = plan_in(&f, TC_REC_REHAB_PLAN_ACTIVE);
    s = session(&f, plan, TC_REC_REHAB_SELF_GUIDED, t);
    in.owner_user_id = user_for(&f, "res", "resident_id", f.resident);
    in.session_id = s;
    TC_CHECK_EQ(tc_rec_rehab_upload_create(f.db, &in, &up), -EPERM);
    TC_CHECK_EQ(tc_rec_rehab_session_start(f.db, s, t, -1), 0);
    /* recorded only with the resident's consent */
    TC_CHECK_EQ(tc_rec_rehab_upload_create(f.db, &in, &up), -EPERM);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "consent");
    TC_CHECK_EQ(tc_rec_rehab_recording_consent_set(f.db, plan,
                                                   in.owner_user_id, t, true),
                0);
    TC_CHECK_EQ(tc_rec_rehab_recording_consent_set(f.db, plan,
                                                   in.owner_user_id, t, true),
                -EEXIST);
    TC_CHECK_EQ(tc_rec_rehab_upload_create(f.db, &in, &up), 0);
    TC_CHECK_EQ(tc_rec_rehab_upload_create(f.db, &in, &other), -EEXIST);

    TC_CHECK_EQ(tc_rec_rehab_upload_advance(f.db, up, 0, 40, t), 0);
    before = fixture_dump(&f);
    TC_CHECK_EQ(tc_rec_rehab_upload_advance(f.db, up, 0, 40, t), -ERANGE);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(f.db), "40 bytes are received");
    TC_CHECK_EQ(tc_rec_rehab_upload_advance(f.db, up, 40, 61, t), -EMSGSIZE);
    TC_CHECK_EQ(tc_rec_rehab_upload_verify(f.db, up, t), -EPERM);
    TC_CHECK_UNCHANGED(&f, before);
    TC_CHECK_EQ(tc_rec_rehab_upload_advance(f.db, up, 40, 60, t), 0);
    TC_CHECK_EQ(tc_rec_rehab_upload_verify(f.db, up, t), 0);
    /* the server stopped while checking it: open again, every byte kept */
    TC_CHECK_EQ(tc_rec_rehab_uploads_reopen_verifying(f.db, &reopened), 0);
    TC_CHECK_EQ(reopened, 1);
    TC_CHECK_EQ(raw_int(&f, "SELECT received_bytes FROM rehab_uploads WHERE"
                            " status = 'open'"),
                100);
    TC_CHECK_EQ(tc_rec_rehab_upload_verify(f.db, up, t), 0);
    TC_CHECK_EQ(tc_rec_rehab_upload_accept(f.db, up, "video/webm", 2000, t),
                0);
    TC_REQUIRE(tc_rec_rehab_upload_get(f.db, up, &u) == 0);
    TC_CHECK_EQ(u->status, TC_REC_REHAB_UPLOAD_COMPLETE);
    TC_CHECK_EQ(u->n_chunks, 2);
    tc_rec_rehab_upload_free(u);
    TC_CHECK_EQ(raw_int(&f, "SELECT count(*) FROM rehab_sessions WHERE"
                            " recording_ref = 'upload:1'"),
                1);
    /* the recording is there: no second one */
    TC_CHECK_EQ(tc_rec_rehab_upload_create(f.db, &in, &other), -EEXIST);
    fixture_close(&f);
}

int
main(void)
{
    if (fixture_main_begin() < 0) {
        return 1;
    }
    TC_RUN(test_durations_come_from_the_attendance_log);
    TC_RUN(test_live_recordings_kept_with_the_session);
    TC_RUN(test_three_misses_in_a_row_and_not_two);
    TC_RUN(test_pain_up_three_and_not_two);
    TC_RUN(test_fourteen_quiet_days_and_not_thirteen);
    TC_RUN(test_upload_offsets_in_order_within_the_size);
    return fixture_main_end();
}
