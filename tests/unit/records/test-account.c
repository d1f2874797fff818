// SPDX-License-Identifier: Apache-2.0
/*
 * test-account.c - login accounts and sessions in records: usernames
 * (rules, case-insensitive uniqueness), which role needs which person
 * link, password hashes only as Argon2id strings, TOTP secrets and replay,
 * failed-login counting and locking, and sessions (sliding expiry,
 * expiry, revocation, one user's dead sessions forgotten).
 */
#include "core-fixture.h"

#define HASH    "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"
#define HASH2   "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$b3RoZXJoYXNo"
#define ROLE(r) TC_REC_USER_ROLE_BIT(TC_REC_USER_##r)
#define T0      1700000000000000LL /* an instant, in microseconds */
#define S       1000000LL

static int64_t
add_user(struct tc_rec_db *db, const char *name, unsigned roles,
         int64_t practitioner_id)
{
    struct tc_rec_user u = {
        .username = (char *)name,
        .password_hash = HASH,
        .practitioner_id = practitioner_id,
        .roles = roles,
        .created_at_us = T0,
    };
    int64_t id = 0;

    if (tc_rec_user_create(db, &u, &id) != 0) {
        printf("# add_user %s: %s\n", name, tc_rec_errmsg(db));
    }
    return id;
}

static void
test_create_and_read_back_by_id_and_any_case_name(void)
{
    struct tc_rec_db *db = fx_open();
    int64_t doc = fx_practitioner(db, "Dr Wang");
    int64_t id = add_user(db, "dr.wang", ROLE(DOCTOR) | ROLE(ECG_READER), doc);
    struct tc_rec_user *u = NULL;

    TC_REQUIRE(id > 0);
    TC_REQUIRE(tc_rec_user_get(db, id, &u) == 0);
    TC_CHECK_STR_EQ(u->username, "dr.wang");
    TC_CHECK_STR_EQ(u->password_hash, HASH);
    TC_CHECK_EQ(u->practitioner_id, doc);
    TC_CHECK_EQ(u->resident_id, 0);
    TC_CHECK_EQ(u->roles, ROLE(DOCTOR) | ROLE(ECG_READER));
    TC_CHECK(!u->disabled);
    TC_CHECK_EQ(u->failed_logins, 0);
    TC_CHECK_EQ(u->locked_until_us, 0);
    TC_CHECK(u->totp_secret == NULL);
    TC_CHECK_EQ(u->created_at_us, T0);
    tc_rec_user_free(u);
    u = NULL;
    TC_REQUIRE(tc_rec_user_get_by_username(db, "Dr.Wang", &u) == 0);
    TC_CHECK_EQ(u->id, id);
    tc_rec_user_free(u);
    u = NULL;
    TC_CHECK_EQ(tc_rec_user_get_by_username(db, "nobody", &u), -ENOENT);
    TC_CHECK(u == NULL);
    TC_CHECK_EQ(tc_rec_user_get(db, id + 1, &u), -ENOENT);
    tc_rec_close(db);
}

static void
test_username_rules_and_case_insensitive_uniqueness(void)
{
    struct tc_rec_db *db = fx_open();
    static const char *const bad[] = {"ab",     "Alice", "al ice",
                                      "al/ice", "ałice", ""};
    struct tc_rec_user u = {
        .password_hash = HASH, .roles = ROLE(ADMIN), .created_at_us = T0};
    char longname[70];
    int64_t id = 42;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        u.username = (char *)bad[i];
        TC_CHECK_EQ(tc_rec_user_create(db, &u, &id), -EINVAL);
        TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "username");
    }
    memset(longname, 'a', 65);
    longname[65] = '\0';
    u.username = longname;
    TC_CHECK_EQ(tc_rec_user_create(db, &u, &id), -EINVAL);
    longname[64] = '\0';
    TC_CHECK_EQ(tc_rec_user_create(db, &u, &id), 0);
    TC_CHECK(add_user(db, "a-b_c.9", ROLE(ADMIN), 0) > 0);
    id = 42;
    u.username = "a-b_c.9";
    TC_CHECK_EQ(tc_rec_user_create(db, &u, &id), -EEXIST);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "taken");
    TC_CHECK_EQ(id, 42); /* out-param untouched */
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM users"), 2);
    tc_rec_close(db);
}

static void
test_roles_need_their_person_link(void)
{
    struct tc_rec_db *db = fx_open();
    int64_t doc = fx_practitioner(db, "Dr Wang");
    int64_t res = fx_resident(db, fx_id(0), "Resident", "Dongcun");
    struct tc_rec_carer c = {.name = "Carer", .created_at_us = T0};
    struct tc_rec_user u = {
        .username = "someone", .password_hash = HASH, .created_at_us = T0};
    int64_t carer = 0, id = 0;

    TC_REQUIRE(tc_rec_carer_create(db, &c, &carer) == 0);
    u.roles = ROLE(FAMILY_DOCTOR);
    TC_CHECK_EQ(tc_rec_user_create(db, &u, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db),
                          "family_doctor needs a practitioner_id");
    u.roles = ROLE(RESIDENT);
    u.practitioner_id = doc;
    TC_CHECK_EQ(tc_rec_user_create(db, &u, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "resident needs a resident_id");
    u.roles = ROLE(CARER);
    u.practitioner_id = 0;
    u.resident_id = res;
    TC_CHECK_EQ(tc_rec_user_create(db, &u, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "carer needs a carer_id");
    u.roles = 0;
    TC_CHECK_EQ(tc_rec_user_create(db, &u, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "roles: at least one");
    u.roles = ROLE(RESIDENT);
    u.carer_id = carer;
    TC_CHECK_EQ(tc_rec_user_create(db, &u, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "at most one person");
    u.carer_id = 0;
    u.resident_id = res + 100;
    TC_CHECK_EQ(tc_rec_user_create(db, &u, &id), -ENOENT);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "resident_id");
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM users"), 0);

    u.resident_id = res;
    TC_CHECK_EQ(tc_rec_user_create(db, &u, &id), 0);
    u.username = "the-carer";
    u.resident_id = 0;
    u.carer_id = carer;
    u.roles = ROLE(CARER);
    TC_CHECK_EQ(tc_rec_user_create(db, &u, &id), 0);
    /* An admin or auditor needs no person. */
    TC_CHECK(add_user(db, "root", ROLE(ADMIN) | ROLE(AUDITOR), 0) > 0);
    /* set_roles checks against the stored link, and writes nothing on
     * failure. */
    TC_CHECK_EQ(tc_rec_user_set_roles(db, id, ROLE(DOCTOR)), -EINVAL);
    TC_CHECK_EQ(tc_rec_user_set_roles(db, id, ROLE(CARER) | ROLE(AUDITOR)), 0);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM user_roles WHERE user_id = 2"),
                2);
    TC_CHECK_EQ(tc_rec_user_set_roles(db, 99, ROLE(ADMIN)), -ENOENT);
    tc_rec_close(db);
}

static void
test_only_argon2id_hashes_are_stored(void)
{
    struct tc_rec_db *db = fx_open();
    struct tc_rec_user u = {.username = "plain",
                            .password_hash = "hunter22",
                            .roles = ROLE(ADMIN),
                            .created_at_us = T0};
    struct tc_rec_user *got = NULL;
    int64_t id = 0;

    TC_CHECK_EQ(tc_rec_user_create(db, &u, &id), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "password_hash");
    id = add_user(db, "someone", ROLE(ADMIN), 0);
    TC_CHECK_EQ(tc_rec_user_set_password_hash(db, id, "$2y$10$bcrypt"),
                -EINVAL);
    TC_CHECK_EQ(tc_rec_user_set_password_hash(db, id, HASH2), 0);
    TC_CHECK_EQ(tc_rec_user_set_password_hash(db, id + 1, HASH2), -ENOENT);
    TC_REQUIRE(tc_rec_user_get(db, id, &got) == 0);
    TC_CHECK_STR_EQ(got->password_hash, HASH2);
    tc_rec_user_free(got);
    tc_rec_close(db);
}

static void
test_totp_secret_rules_and_replay(void)
{
    struct tc_rec_db *db = fx_open();
    int64_t id = add_user(db, "someone", ROLE(ADMIN), 0);
    struct tc_rec_user *u = NULL;

    TC_CHECK_EQ(tc_rec_user_set_totp_secret(db, id, "SHORT"), -EINVAL);
    TC_CHECK_EQ(tc_rec_user_set_totp_secret(db, id, "abcdefghijklmnop"),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "totp_secret");
    TC_CHECK_EQ(tc_rec_user_set_totp_secret(db, id, "GEZDGNBVGY3TQOJQ"), 0);
    TC_CHECK_EQ(tc_rec_user_totp_step_use(db, id, 100), 0);
    TC_CHECK_EQ(tc_rec_user_totp_step_use(db, id, 100), -EALREADY);
    TC_CHECK_EQ(tc_rec_user_totp_step_use(db, id, 99), -EALREADY);
    TC_CHECK_EQ(tc_rec_user_totp_step_use(db, id, 101), 0);
    TC_CHECK_EQ(tc_rec_user_totp_step_use(db, id + 1, 200), -ENOENT);
    TC_REQUIRE(tc_rec_user_get(db, id, &u) == 0);
    TC_CHECK_STR_EQ(u->totp_secret, "GEZDGNBVGY3TQOJQ");
    TC_CHECK_EQ(u->totp_last_step, 101);
    tc_rec_user_free(u);
    u = NULL;
    /* A new secret (or none) forgets the last step. */
    TC_CHECK_EQ(tc_rec_user_set_totp_secret(db, id, NULL), 0);
    TC_REQUIRE(tc_rec_user_get(db, id, &u) == 0);
    TC_CHECK(u->totp_secret == NULL);
    TC_CHECK_EQ(u->totp_last_step, 0);
    tc_rec_user_free(u);
    tc_rec_close(db);
}

static void
test_failed_logins_lock_at_threshold_and_success_clears(void)
{
    struct tc_rec_db *db = fx_open();
    int64_t id = add_user(db, "someone", ROLE(ADMIN), 0);
    int64_t until = -1;
    struct tc_rec_user *u = NULL;

    TC_CHECK_EQ(tc_rec_user_login_failed(db, id, T0, 3, 900 * S, &until), 0);
    TC_CHECK_EQ(until, 0);
    TC_CHECK_EQ(tc_rec_user_login_failed(db, id, T0, 3, 900 * S, &until), 0);
    TC_CHECK_EQ(until, 0);
    TC_CHECK_EQ(tc_rec_user_login_failed(db, id, T0 + S, 3, 900 * S, &until),
                0);
    TC_CHECK_EQ(until, T0 + S + 900 * S);
    TC_REQUIRE(tc_rec_user_get(db, id, &u) == 0);
    TC_CHECK_EQ(u->locked_until_us, T0 + 901 * S);
    TC_CHECK_EQ(u->failed_logins, 0); /* counting starts again */
    tc_rec_user_free(u);
    u = NULL;
    TC_CHECK_EQ(tc_rec_user_login_failed(db, id, T0, 3, 900 * S, &until), 0);
    TC_CHECK_EQ(tc_rec_user_login_succeeded(db, id), 0);
    TC_REQUIRE(tc_rec_user_get(db, id, &u) == 0);
    TC_CHECK_EQ(u->locked_until_us, 0);
    TC_CHECK_EQ(u->failed_logins, 0);
    tc_rec_user_free(u);
    until = 5;
    TC_CHECK_EQ(tc_rec_user_login_failed(db, id, T0, 0, 900 * S, &until),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "threshold");
    TC_CHECK_EQ(tc_rec_user_login_failed(db, id + 1, T0, 3, S, &until),
                -ENOENT);
    TC_CHECK_EQ(until, 5);
    TC_CHECK_EQ(tc_rec_user_login_succeeded(db, id + 1), -ENOENT);
    tc_rec_close(db);
}

static void
test_disable_and_list(void)
{
    struct tc_rec_db *db = fx_open();
    int64_t a = add_user(db, "alpha", ROLE(ADMIN), 0);
    struct tc_rec_user_list *list = NULL;
    struct tc_rec_user *u = NULL;

    add_user(db, "bravo", ROLE(AUDITOR), 0);
    add_user(db, "charlie", ROLE(AUDITOR), 0);
    TC_CHECK_EQ(tc_rec_user_set_disabled(db, a, true), 0);
    TC_REQUIRE(tc_rec_user_get(db, a, &u) == 0);
    TC_CHECK(u->disabled);
    tc_rec_user_free(u);
    TC_CHECK_EQ(tc_rec_user_set_disabled(db, 99, true), -ENOENT);
    TC_REQUIRE(tc_rec_user_list(db, a, 1, &list) == 0);
    TC_CHECK_EQ(list->count, 1);
    TC_CHECK_STR_EQ(list->items[0].username, "bravo");
    TC_CHECK_EQ(list->items[0].roles, ROLE(AUDITOR));
    tc_rec_user_list_free(list);
    list = NULL;
    TC_CHECK_EQ(tc_rec_user_list(db, 0, 0, &list), -EINVAL);
    TC_CHECK(list == NULL);
    tc_rec_close(db);
}

static void
hash_of(int n, unsigned char hash[32])
{
    memset(hash, 0, 32);
    hash[0] = (unsigned char)n;
}

static void
test_session_slides_then_expires(void)
{
    struct tc_rec_db *db = fx_open();
    int64_t id = add_user(db, "someone", ROLE(ADMIN), 0);
    int64_t ttl = 20 * S, user = 0;
    struct tc_rec_session *s = NULL;
    unsigned char h[32];

    hash_of(1, h);
    TC_REQUIRE(tc_rec_session_create(db, h, id, T0, ttl, "127.0.0.1") == 0);
    TC_CHECK_EQ(tc_rec_session_create(db, h, id, T0, ttl, NULL), -EEXIST);
    TC_CHECK_EQ(tc_rec_session_lookup(db, h, T0 + 15 * S, ttl, &user), 0);
    TC_CHECK_EQ(user, id);
    /* Slid: alive at T0 + 30 s, past the first expiry. */
    TC_CHECK_EQ(tc_rec_session_lookup(db, h, T0 + 30 * S, ttl, &user), 0);
    TC_REQUIRE(tc_rec_session_get(db, h, &s) == 0);
    TC_CHECK_EQ(s->expires_at_us, T0 + 50 * S);
    TC_CHECK_EQ(s->last_used_at_us, T0 + 30 * S);
    TC_CHECK_EQ(s->created_at_us, T0);
    TC_CHECK_STR_EQ(s->client_addr, "127.0.0.1");
    tc_rec_session_free(s);
    /* Within ttl/20 of the last use nothing is written. */
    TC_CHECK_EQ(tc_rec_session_lookup(db, h, T0 + 30 * S + 1, ttl, &user), 0);
    TC_CHECK_EQ(fx_count("SELECT expires_at_us FROM sessions"), T0 + 50 * S);
    user = 0;
    TC_CHECK_EQ(tc_rec_session_lookup(db, h, T0 + 50 * S, ttl, &user),
                -EKEYEXPIRED);
    TC_CHECK_EQ(user, 0);
    /* Expired stays expired. */
    TC_CHECK_EQ(tc_rec_session_lookup(db, h, T0 + 51 * S, ttl, &user),
                -EKEYEXPIRED);
    hash_of(2, h);
    TC_CHECK_EQ(tc_rec_session_lookup(db, h, T0, ttl, &user), -ENOENT);
    TC_CHECK_EQ(tc_rec_session_create(db, h, id + 1, T0, ttl, NULL), -ENOENT);
    TC_CHECK_EQ(tc_rec_session_create(db, h, id, T0, 0, NULL), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "ttl_us");
    tc_rec_close(db);
}

static void
test_the_purge_forgets_sessions_dead_before_its_instant_only(void)
{
    struct tc_rec_db *db = fx_open();
    int64_t a = add_user(db, "alpha", ROLE(ADMIN), 0);
    int64_t b = add_user(db, "bravo", ROLE(ADMIN), 0);
    unsigned char h[5][32];
    size_t n = 99;

    /* 1: expired at T0+10s; 2: revoked at T0+5s; 3: expires at T0+100s;
     * 4: revoked at T0+50s; 5 (another user): live until T0+1000s */
    for (int i = 0; i < 5; i++) {
        hash_of(i + 1, h[i]);
    }
    TC_REQUIRE(tc_rec_session_create(db, h[0], a, T0, 10 * S, NULL) == 0);
    TC_REQUIRE(tc_rec_session_create(db, h[1], a, T0, 1000 * S, NULL) == 0);
    TC_REQUIRE(tc_rec_session_create(db, h[2], a, T0, 100 * S, NULL) == 0);
    TC_REQUIRE(tc_rec_session_create(db, h[3], a, T0, 1000 * S, NULL) == 0);
    TC_REQUIRE(tc_rec_session_create(db, h[4], b, T0, 1000 * S, NULL) == 0);
    TC_REQUIRE(tc_rec_session_revoke(db, h[1], T0 + 5 * S) == 0);
    TC_REQUIRE(tc_rec_session_revoke(db, h[3], T0 + 50 * S) == 0);

    TC_CHECK_EQ(tc_rec_session_purge(db, T0 + 20 * S, &n), 0);
    TC_CHECK_EQ(n, 2); /* 1 and 2 */
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM sessions"), 3);
    TC_CHECK_EQ(tc_rec_session_lookup(db, h[3], T0 + 60 * S, 1000 * S, &b),
                -EKEYREVOKED); /* dead, but not before the instant: kept */
    TC_CHECK_EQ(tc_rec_session_purge(db, T0 + 200 * S, &n), 0);
    TC_CHECK_EQ(n, 2); /* 3 and 4 */
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM sessions"), 1);
    TC_CHECK_EQ(tc_rec_session_lookup(db, h[4], T0 + 200 * S, 1000 * S, &a),
                0); /* live: never purged */
    TC_CHECK_EQ(tc_rec_session_purge(db, 0, NULL), -EINVAL);
    TC_CHECK_STR_CONTAINS(tc_rec_errmsg(db), "before_us");
    tc_rec_close(db);
}

static void
test_revocation_one_and_all(void)
{
    struct tc_rec_db *db = fx_open();
    int64_t a = add_user(db, "alpha", ROLE(ADMIN), 0);
    int64_t b = add_user(db, "bravo", ROLE(ADMIN), 0);
    int64_t ttl = 60 * S, user = 0;
    unsigned char h[4][32];
    size_t n = 0;

    for (int i = 0; i < 4; i++) {
        hash_of(i + 1, h[i]);
        TC_REQUIRE(tc_rec_session_create(db, h[i], i < 3 ? a : b, T0, ttl,
                                         NULL) == 0);
    }
    TC_CHECK_EQ(tc_rec_session_revoke(db, h[0], T0 + S), 0);
    TC_CHECK_EQ(tc_rec_session_revoke(db, h[0], T0 + 2 * S), 0);
    TC_CHECK_EQ(fx_count("SELECT revoked_at_us FROM sessions"
                         " WHERE user_id = 1 AND revoked_at_us IS NOT NULL"),
                T0 + S);
    TC_CHECK_EQ(tc_rec_session_lookup(db, h[0], T0 + 2 * S, ttl, &user),
                -EKEYREVOKED);
    TC_CHECK_EQ(tc_rec_session_revoke_all_for_user(db, a, T0 + 3 * S, &n), 0);
    TC_CHECK_EQ(n, 2);
    TC_CHECK_EQ(tc_rec_session_lookup(db, h[1], T0 + 4 * S, ttl, &user),
                -EKEYREVOKED);
    TC_CHECK_EQ(tc_rec_session_lookup(db, h[3], T0 + 4 * S, ttl, &user), 0);
    TC_CHECK_EQ(user, b);
    TC_CHECK_EQ(tc_rec_session_revoke_all_for_user(db, 99, T0, &n), -ENOENT);
    TC_CHECK_EQ(tc_rec_session_revoke(db, (unsigned char[32]){9}, T0),
                -ENOENT);
    /* A new session forgets the user's dead ones (not other users'). */
    hash_of(9, h[0]);
    TC_CHECK_EQ(tc_rec_session_create(db, h[0], a, T0 + 5 * S, ttl, NULL), 0);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM sessions WHERE user_id = 1"),
                1);
    TC_CHECK_EQ(fx_count("SELECT count(*) FROM sessions WHERE user_id = 2"),
                1);
    tc_rec_close(db);
}

static void
test_role_codes_round_trip(void)
{
    for (int r = TC_REC_USER_ADMIN; r <= TC_REC_USER_ROLE_MAX; r++) {
        enum tc_rec_user_role back = 0;
        const char *s = tc_rec_user_role_to_string(r);
        TC_CHECK(s != NULL);
        TC_CHECK_EQ(tc_rec_user_role_from_string(s, &back), 0);
        TC_CHECK_EQ(back, r);
    }
    TC_CHECK(tc_rec_user_role_to_string(0) == NULL);
    TC_CHECK(tc_rec_user_role_to_string(TC_REC_USER_ROLE_MAX + 1) == NULL);
    TC_CHECK_STR_EQ(tc_rec_user_role_to_string(TC_REC_USER_TOWNSHIP_DOCTOR),
                    "township_doctor");
}

int
main(void)
{
    if (fx_init() < 0) {
        return 1;
    }
    TC_RUN(test_create_and_read_back_by_id_and_any_case_name);
    TC_RUN(test_username_rules_and_case_insensitive_uniqueness);
    TC_RUN(test_roles_need_their_person_link);
    TC_RUN(test_only_argon2id_hashes_are_stored);
    TC_RUN(test_totp_secret_rules_and_replay);
    TC_RUN(test_failed_logins_lock_at_threshold_and_success_clears);
    TC_RUN(test_disable_and_list);
    TC_RUN(test_session_slides_then_expires);
    TC_RUN(test_revocation_one_and_all);
    TC_RUN(test_the_purge_forgets_sessions_dead_before_its_instant_only);
    TC_RUN(test_role_codes_round_trip);
    return fx_done();
}
