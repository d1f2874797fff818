// SPDX-License-Identifier: Apache-2.0
/*
 * test-auth.c - accounts against the real telecare-server, with users
 * made by the real telecare-admin: login gives a token that works on
 * /api/v1/me; wrong passwords and unknown users get the same 401 and are
 * audited; failures slow down, then lock the account (423, Retry-After)
 * until the lock ends; tokens expire, slide with use, and are revoked by
 * logout and by disabling the account; TOTP is required and checked (the
 * code computed here from the secret, independently of the server);
 * malformed login bodies get a 400 naming the field; the server keeps
 * answering others while passwords are being hashed; and one account's
 * requests are rate-limited apart from another's.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>
#include <sqlite3.h>

#include "harness.h"
#include "tc-records.h"
#include "tc-test.h"

#define PASSWORD "correct horse battery"

static long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run telecare-admin on the server's data directory with `input` on its
 * stdin; returns its exit status, its stdout in *out (free). */
static int
admin(struct tc_harness *h, const char *input, char **out,
      const char *const *args)
{
    const char *bin = getenv("TC_ADMIN_BIN");
    const char *argv[16] = {bin, "--data-dir", h->data_dir};
    int in_pipe[2], out_pipe[2], status = -1;
    GString *text = g_string_new(NULL);
    size_t n = 3;
    char buf[512];
    ssize_t got;
    pid_t pid;

    for (size_t i = 0; args[i] && n < 15; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    if (!bin || pipe(in_pipe) < 0 || pipe(out_pipe) < 0) {
        abort();
    }
    pid = fork();
    if (pid == 0) {
        dup2(in_pipe[0], STDIN_FILENO);
        dup2(out_pipe[1], STDOUT_FILENO);
        close(in_pipe[1]);
        close(out_pipe[0]);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    if (input && write(in_pipe[1], input, strlen(input)) < 0) {
        perror("write");
    }
    close(in_pipe[1]);
    while ((got = read(out_pipe[0], buf, sizeof(buf))) > 0) {
        g_string_append_len(text, buf, got);
    }
    close(out_pipe[0]);
    waitpid(pid, &status, 0);
    *out = g_string_free(text, FALSE);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
add_user(struct tc_harness *h, const char *name, const char *roles,
         const char *link_opt, const char *link_id)
{
    const char *args[] = {"user-add", name, roles, link_opt, link_id, NULL};
    char *out = NULL;
    int rc = admin(h, PASSWORD "\n", &out, args);

    if (rc != 0) {
        printf("# user-add %s: exit %d: %s\n", name, rc, out);
    }
    g_free(out);
    return rc;
}

/* A server with `config` (INI text, may be NULL). */
static int
start(struct tc_harness *h, const char *config, char **dir)
{
    const char *args[] = {"--config", NULL, NULL};
    char *path;

    *dir = tc_tmp_dir("auth");
    path = g_build_filename(*dir, "t.ini", NULL);
    g_file_set_contents(path, config ? config : "", -1, NULL);
    args[1] = path;
    int rc = tc_harness_start(h, args);
    g_free(path);
    return rc;
}

static void
finish(struct tc_harness *h, char *dir)
{
    tc_harness_fini(h);
    tc_rm_rf(dir);
    free(dir);
}

static int
login(struct tc_harness *h, const char *user, const char *password,
      const char *totp, struct tc_http_reply *r)
{
    json_t *body =
        json_pack("{s:s,s:s}", "username", user, "password", password);
    char *text;
    int rc;

    if (totp) {
        json_object_set_new(body, "totp", json_string(totp));
    }
    text = json_dumps(body, JSON_COMPACT);
    h->bearer = NULL;
    rc = tc_http(h, "POST", "/api/v1/login", text, strlen(text),
                 "application/json", r);
    free(text);
    json_decref(body);
    return rc;
}

/* The token of a 200 login answer (g_free), or NULL. */
static char *
login_token(struct tc_harness *h, const char *user, const char *totp)
{
    struct tc_http_reply r;
    char *token = NULL;

    if (login(h, user, PASSWORD, totp, &r) == 0 && r.status == 200) {
        json_t *doc = json_loads(r.body, 0, NULL);
        token = g_strdup(json_string_value(json_object_get(doc, "token")));
        json_decref(doc);
    } else {
        printf("# login %s: %ld %s\n", user, r.status, r.body);
    }
    tc_http_reply_fini(&r);
    return token;
}

/* GET /api/v1/me with `token`: the status, and the body in *body. */
static long
me(struct tc_harness *h, const char *token, char **body)
{
    struct tc_http_reply r;
    long status = -1;

    h->bearer = token;
    if (tc_http(h, "GET", "/api/v1/me", NULL, 0, NULL, &r) == 0) {
        status = r.status;
        if (body) {
            *body = g_strdup(r.body);
        }
    }
    h->bearer = NULL;
    tc_http_reply_fini(&r);
    return status;
}

/* The number of audit events about sessions matching actor and outcome. */
static long long
audited(struct tc_harness *h, const char *actor, const char *outcome)
{
    g_autofree char *path = g_build_filename(h->data_dir, "telecare.db", NULL);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM audit_events WHERE"
                           " entity_type = 'session' AND action = 'execute'"
                           " AND actor = ? AND outcome = ?"
                           " AND client_addr LIKE '%127.0.0.1'",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, actor, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, outcome, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            n = sqlite3_column_int64(st, 0);
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* A practitioner made through records, on the running server's file. */
static int64_t
add_practitioner(struct tc_harness *h)
{
    g_autofree char *path = g_build_filename(h->data_dir, "telecare.db", NULL);
    struct tc_rec_practitioner p = {.name = "Dr Wang",
                                    .created_at_us = g_get_real_time()};
    struct tc_rec_db *db = NULL;
    int64_t id = 0;

    if (tc_rec_open(path, &db) == 0) {
        tc_rec_practitioner_create(db, &p, &id);
    }
    tc_rec_close(db);
    return id;
}

static void
test_login_token_works_on_me_and_logout_revokes(void)
{
    struct tc_harness h;
    struct tc_http_reply r;
    char *dir, *body = NULL, pid_text[24];
    json_t *doc, *user;
    char *token;
    int64_t pid;
    int status = -2;
    long elapsed;

    TC_REQUIRE(start(&h, NULL, &dir) == 0);
    pid = add_practitioner(&h);
    TC_REQUIRE(pid > 0);
    snprintf(pid_text, sizeof(pid_text), "%lld", (long long)pid);
    TC_REQUIRE(add_user(&h, "alice", "doctor,ecg_reader", "--practitioner",
                        pid_text) == 0);

    TC_REQUIRE(login(&h, "Alice", PASSWORD, NULL, &r) == 0);
    TC_CHECK_EQ(r.status, 200);
    doc = json_loads(r.body, 0, NULL);
    token = g_strdup(json_string_value(json_object_get(doc, "token")));
    TC_CHECK(token && strlen(token) == 43);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "token_type")),
                    "Bearer");
    TC_CHECK(json_is_string(json_object_get(doc, "expires_at")));
    user = json_object_get(doc, "user");
    TC_CHECK_STR_EQ(json_string_value(json_object_get(user, "username")),
                    "alice");
    TC_CHECK_EQ(json_integer_value(json_object_get(user, "practitioner_id")),
                pid);
    TC_CHECK_STR_EQ(
        json_string_value(json_array_get(json_object_get(user, "roles"), 0)),
        "doctor");
    TC_CHECK_EQ(json_array_size(json_object_get(user, "roles")), 2);
    json_decref(doc);
    tc_http_reply_fini(&r);

    TC_CHECK_EQ(me(&h, token, &body), 200);
    TC_CHECK_STR_CONTAINS(body, "\"username\":\"alice\"");
    TC_CHECK_STR_CONTAINS(body, "\"roles\":[\"doctor\",\"ecg_reader\"]");
    g_free(body);
    TC_CHECK_EQ(me(&h, NULL, &body), 401);
    g_free(body);
    TC_CHECK_EQ(me(&h, "not-a-token", &body), 401);
    TC_CHECK_STR_CONTAINS(body, "malformed bearer token");
    g_free(body);
    TC_CHECK_EQ(me(&h, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &body),
                401);
    TC_CHECK_STR_CONTAINS(body, "unknown bearer token");
    g_free(body);
    TC_CHECK_EQ(audited(&h, "alice", "success"), 1); /* as stored */

    h.bearer = token;
    TC_CHECK_EQ(tc_http(&h, "POST", "/api/v1/logout", NULL, 0, NULL, &r), 0);
    TC_CHECK_EQ(r.status, 204);
    tc_http_reply_fini(&r);
    TC_CHECK_EQ(tc_http(&h, "POST", "/api/v1/logout", NULL, 0, NULL, &r), 0);
    TC_CHECK_EQ(r.status, 401);
    tc_http_reply_fini(&r);
    TC_CHECK_EQ(me(&h, token, &body), 401);
    TC_CHECK_STR_CONTAINS(body, "revoked bearer token");
    g_free(body);
    g_free(token);

    /* Stops cleanly (and, under ASan, without leaks) after logins. */
    TC_CHECK_EQ(tc_harness_stop(&h, SIGTERM, 10000, &status, &elapsed), 0);
    TC_CHECK_EQ(status, 0);
    finish(&h, dir);
}

static void
test_wrong_password_and_unknown_user_get_the_same_401_audited(void)
{
    struct tc_harness h;
    struct tc_http_reply r1, r2;
    char *dir;

    TC_REQUIRE(start(&h, NULL, &dir) == 0);
    TC_REQUIRE(add_user(&h, "bob", "admin", NULL, NULL) == 0);
    TC_REQUIRE(login(&h, "bob", "guess-7Kq-1", NULL, &r1) == 0);
    TC_REQUIRE(login(&h, "nobody", "guess-7Kq-2", NULL, &r2) == 0);
    TC_CHECK_EQ(r1.status, 401);
    TC_CHECK_EQ(r2.status, 401);
    TC_CHECK_STR_EQ(r1.body, r2.body);
    TC_CHECK_STR_CONTAINS(r1.body, "invalid username, password or code");
    TC_CHECK_EQ(audited(&h, "bob", "failure"), 1);
    TC_CHECK_EQ(audited(&h, "nobody", "failure"), 1);
    tc_http_reply_fini(&r1);
    tc_http_reply_fini(&r2);
    /* No password reaches the audit trail or the log. The passwords tried
     * share a prefix found nowhere else (the trail's own detail says
     * "wrong password"). The database is in WAL mode: the events just
     * written may be in telecare.db-wal only, so both files are searched,
     * and the search must find the failed login's actor "nobody" (only in
     * those events) to count. */
    {
        static const char *const files[] = {"telecare.db", "telecare.db-wal"};
        bool actor_seen = false;
        for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
            g_autofree char *path =
                g_build_filename(h.data_dir, files[i], NULL);
            g_autofree char *data = NULL;
            gsize len = 0;
            if (!g_file_get_contents(path, &data, &len, NULL)) {
                TC_CHECK(i > 0); /* no WAL file is fine, no database not */
                continue;
            }
            /* memmem, not g_strstr_len: that one stops at the first NUL,
             * byte 16 of an SQLite file */
            actor_seen |= memmem(data, len, "nobody", 6) != NULL;
            if (memmem(data, len, "guess-7Kq", 9)) {
                TC_FAIL_("a password is in %s", files[i]);
            }
        }
        TC_CHECK(actor_seen);
    }
    tc_harness_drain_log(&h);
    TC_CHECK(strstr(h.log, "guess-7Kq") == NULL);
    finish(&h, dir);
}

static void
test_failures_slow_down_then_lock_until_the_lock_ends(void)
{
    struct tc_harness h;
    struct tc_http_reply r;
    char *dir, *retry, *token;
    long t0, first_ms, second_ms;

    TC_REQUIRE(start(&h, "[auth]\nlockout_threshold = 3\nlockout_s = 2\n",
                     &dir) == 0);
    TC_REQUIRE(add_user(&h, "carol", "auditor", NULL, NULL) == 0);
    t0 = now_ms();
    TC_REQUIRE(login(&h, "carol", "nope nope", NULL, &r) == 0);
    first_ms = now_ms() - t0;
    TC_CHECK_EQ(r.status, 401);
    tc_http_reply_fini(&r);
    t0 = now_ms();
    TC_REQUIRE(login(&h, "carol", "nope nope", NULL, &r) == 0);
    second_ms = now_ms() - t0;
    TC_CHECK_EQ(r.status, 401);
    tc_http_reply_fini(&r);
    printf("# failed logins answered after %ld ms, then %ld ms\n", first_ms,
           second_ms);
    TC_CHECK(first_ms >= 200);
    TC_CHECK(second_ms >= 400);

    TC_REQUIRE(login(&h, "carol", "nope nope", NULL, &r) == 0);
    TC_CHECK_EQ(r.status, 423);
    retry = tc_http_reply_header(&r, "retry-after");
    TC_CHECK(retry && atoi(retry) >= 1 && atoi(retry) <= 2);
    free(retry);
    tc_http_reply_fini(&r);
    /* The right password does not open a locked account. */
    TC_REQUIRE(login(&h, "carol", PASSWORD, NULL, &r) == 0);
    TC_CHECK_EQ(r.status, 423);
    retry = tc_http_reply_header(&r, "retry-after");
    TC_CHECK(retry != NULL);
    free(retry);
    tc_http_reply_fini(&r);
    TC_CHECK_EQ(audited(&h, "carol", "failure"), 4);

    usleep(2100 * 1000);
    token = login_token(&h, "carol", NULL);
    TC_CHECK(token != NULL);
    g_free(token);
    finish(&h, dir);
}

static void
test_tokens_slide_with_use_and_expire_when_idle(void)
{
    struct tc_harness h;
    char *dir, *token, *body = NULL;

    TC_REQUIRE(start(&h, "[auth]\nsession_ttl_s = 2\n", &dir) == 0);
    TC_REQUIRE(add_user(&h, "dave", "auditor", NULL, NULL) == 0);
    token = login_token(&h, "dave", NULL);
    TC_REQUIRE(token);
    usleep(1200 * 1000);
    TC_CHECK_EQ(me(&h, token, NULL), 200);
    usleep(1200 * 1000); /* 2.4 s after login: alive only if it slid */
    TC_CHECK_EQ(me(&h, token, NULL), 200);
    usleep(2300 * 1000);
    TC_CHECK_EQ(me(&h, token, &body), 401);
    TC_CHECK_STR_CONTAINS(body, "expired bearer token");
    g_free(body);
    g_free(token);
    finish(&h, dir);
}

static void
test_disabling_an_account_ends_its_sessions(void)
{
    struct tc_harness h;
    struct tc_http_reply r;
    const char *disable[] = {"user-disable", "erin", NULL};
    const char *enable[] = {"user-enable", "erin", NULL};
    char *dir, *token, *out = NULL;

    TC_REQUIRE(start(&h, NULL, &dir) == 0);
    TC_REQUIRE(add_user(&h, "erin", "auditor", NULL, NULL) == 0);
    token = login_token(&h, "erin", NULL);
    TC_REQUIRE(token);
    TC_CHECK_EQ(admin(&h, NULL, &out, disable), 0);
    g_free(out);
    TC_CHECK_EQ(me(&h, token, NULL), 401);
    TC_REQUIRE(login(&h, "erin", PASSWORD, NULL, &r) == 0);
    TC_CHECK_EQ(r.status, 403);
    TC_CHECK_STR_CONTAINS(r.body, "account disabled");
    tc_http_reply_fini(&r);
    TC_CHECK_EQ(admin(&h, NULL, &out, enable), 0);
    g_free(out);
    g_free(token);
    token = login_token(&h, "erin", NULL);
    TC_CHECK(token != NULL);
    g_free(token);
    finish(&h, dir);
}

/* RFC 6238 with SHA-1 and 6 digits, written again here from the RFC. */
static void
totp_code(const char *secret_b32, int64_t unix_s, char out[7])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    unsigned char key[64], msg[8], mac[20];
    gsize mac_len = sizeof(mac);
    size_t n = 0;
    unsigned buffer = 0, bits = 0, offset;
    uint64_t step = (uint64_t)unix_s / 30;
    GHmac *hmac;
    uint32_t bin;

    for (const char *p = secret_b32; *p; p++) {
        buffer = (buffer << 5) | (unsigned)(strchr(alphabet, *p) - alphabet);
        bits += 5;
        if (bits >= 8) {
            key[n++] = (unsigned char)(buffer >> (bits - 8));
            bits -= 8;
        }
    }
    for (int i = 7; i >= 0; i--, step >>= 8) {
        msg[i] = (unsigned char)step;
    }
    hmac = g_hmac_new(G_CHECKSUM_SHA1, key, n);
    g_hmac_update(hmac, msg, 8);
    g_hmac_get_digest(hmac, mac, &mac_len);
    g_hmac_unref(hmac);
    offset = mac[19] & 0xf;
    bin = ((uint32_t)(mac[offset] & 0x7f) << 24) |
          ((uint32_t)mac[offset + 1] << 16) |
          ((uint32_t)mac[offset + 2] << 8) | mac[offset + 3];
    snprintf(out, 7, "%06u", bin % 1000000);
}

/* The TOTP secret as the running server's database holds it (g_free). */
static char *
stored_totp(struct tc_harness *h, const char *username)
{
    g_autofree char *path = g_build_filename(h->data_dir, "telecare.db", NULL);
    struct tc_rec_db *db = NULL;
    struct tc_rec_user *u = NULL;
    char *secret = NULL;

    if (tc_rec_open(path, &db) == 0 &&
        tc_rec_user_get_by_username(db, username, &u) == 0) {
        secret = g_strdup(u->totp_secret);
    }
    tc_rec_user_free(u);
    tc_rec_close(db);
    return secret;
}

static void
test_totp_is_required_and_checked(void)
{
    struct tc_harness h;
    struct tc_http_reply r;
    const char *enrol[] = {"user-totp", "frank", NULL};
    char *dir, *out = NULL, secret[64] = "", code[7], wrong[12], *token;
    const char *at;

    TC_REQUIRE(start(&h, "[auth]\ntotp_required_roles = admin\n", &dir) == 0);
    TC_REQUIRE(add_user(&h, "frank", "auditor", NULL, NULL) == 0);
    TC_REQUIRE(add_user(&h, "root", "admin", NULL, NULL) == 0);
    TC_REQUIRE(admin(&h, NULL, &out, enrol) == 0);
    TC_CHECK_STR_CONTAINS(out, "otpauth://totp/telecare:frank?secret=");
    at = strstr(out, "secret: ");
    TC_REQUIRE(at && sscanf(at, "secret: %63s", secret) == 1);
    g_free(out);
    /* The database holds it sealed, under a key file beside it. */
    out = stored_totp(&h, "frank");
    TC_CHECK(out && g_str_has_prefix(out, TC_REC_TOTP_SEALED_PREFIX));
    TC_CHECK(out && !strstr(out, secret));
    g_free(out);
    out = g_build_filename(h.data_dir, "totp.key", NULL);
    TC_CHECK(g_file_test(out, G_FILE_TEST_IS_REGULAR));
    g_free(out);

    TC_REQUIRE(login(&h, "frank", PASSWORD, NULL, &r) == 0);
    TC_CHECK_EQ(r.status, 401);
    TC_CHECK_STR_CONTAINS(r.body, "\"message\":\"totp required\"");
    TC_CHECK_STR_CONTAINS(r.body, "\"field\":\"totp\"");
    tc_http_reply_fini(&r);

    totp_code(secret, g_get_real_time() / G_USEC_PER_SEC, code);
    snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 500000) % 1000000);
    TC_REQUIRE(login(&h, "frank", PASSWORD, wrong, &r) == 0);
    TC_CHECK_EQ(r.status, 401);
    TC_CHECK_STR_CONTAINS(r.body, "invalid username, password or code");
    tc_http_reply_fini(&r);
    /* The wrong code cost a delay; a fresh code may be a step later. */
    totp_code(secret, g_get_real_time() / G_USEC_PER_SEC, code);
    token = login_token(&h, "frank", code);
    TC_CHECK(token != NULL);
    g_free(token);
    /* The same code again is a replay. */
    TC_REQUIRE(login(&h, "frank", PASSWORD, code, &r) == 0);
    TC_CHECK_EQ(r.status, 401);
    tc_http_reply_fini(&r);

    /* Required by role, but no secret enrolled: refused, saying why. */
    TC_REQUIRE(login(&h, "root", PASSWORD, NULL, &r) == 0);
    TC_CHECK_EQ(r.status, 403);
    TC_CHECK_STR_CONTAINS(r.body, "not enrolled");
    tc_http_reply_fini(&r);
    finish(&h, dir);
}

static void
test_malformed_login_bodies_name_the_field(void)
{
    static const struct {
        const char *body, *ctype;
        long status;
        const char *message;
    } cases[] = {
        {"not json", "application/json", 400, "invalid JSON"},
        {"[1,2]", "application/json", 400, "must be a JSON object"},
        {"{}", "application/json", 400, "username: required"},
        {"{\"username\":\"a\"}", "application/json", 400,
         "password: required"},
        {"{\"username\":1,\"password\":\"x\"}", "application/json", 400,
         "username: must be a string"},
        {"{\"username\":\"a\",\"password\":[]}", "application/json", 400,
         "password: must be a string"},
        {"{\"username\":\"a\",\"password\":\"x\",\"totp\":123456}",
         "application/json", 400, "totp: must be a string"},
        {"{\"username\":\"a\",\"password\":\"x\",\"admin\":true}",
         "application/json", 400, "admin: unknown field"},
        {"{\"username\":\"\",\"password\":\"x\"}", "application/json", 400,
         "username: must be 1..64 bytes"},
        {"{\"username\":\"a\\u0000b\",\"password\":\"x\"}", "application/json",
         400, "invalid JSON"},
        {"{\"username\":\"a\\nb\",\"password\":\"x\"}", "application/json",
         400, "control character"},
        {"{\"username\":\"a\",\"password\":\"x\"}", "text/plain", 415,
         "Content-Type"},
    };
    struct tc_harness h;
    struct tc_http_reply r;
    char *dir;

    TC_REQUIRE(start(&h, NULL, &dir) == 0);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        TC_REQUIRE(tc_http(&h, "POST", "/api/v1/login", cases[i].body,
                           strlen(cases[i].body), cases[i].ctype, &r) == 0);
        if (r.status != cases[i].status || !strstr(r.body, cases[i].message)) {
            TC_FAIL_("%s: got %ld %s", cases[i].body, r.status, r.body);
        }
        tc_http_reply_fini(&r);
    }
    TC_REQUIRE(tc_http(&h, "GET", "/api/v1/login", NULL, 0, NULL, &r) == 0);
    TC_CHECK_EQ(r.status, 405);
    tc_http_reply_fini(&r);
    TC_CHECK_EQ(audited(&h, "a", "failure"), 0); /* nothing got that far */
    finish(&h, dir);
}

struct bg_login {
    struct tc_harness h; /* a copy: its own bearer */
    long done_at_ms;
    long status;
};

static void *
bg_login_run(void *data)
{
    struct bg_login *b = data;
    struct tc_http_reply r;

    if (login(&b->h, "grace", PASSWORD, NULL, &r) == 0) {
        b->status = r.status;
    }
    b->done_at_ms = now_ms();
    tc_http_reply_fini(&r);
    return NULL;
}

static void
test_server_answers_others_while_hashing(void)
{
    struct tc_harness h;
    struct tc_http_reply r;
    /* Six logins keep the worker(s) hashing for well over half a second
     * (about 0.1 s each on this machine, more under sanitizers); if
     * hashing ran on the main loop, a /healthz queued behind them would
     * wait several hashes. The bound is relative to one login timed alone
     * in the same run, so a loaded machine slows both sides alike: a
     * /healthz must take under two logins' time, where a blocked loop
     * would cost it up to six. */
    struct bg_login bg[6];
    pthread_t threads[6];
    long last_login = 0, worst_health = 0, health_before_last = 0, one;
    char *dir;

    TC_REQUIRE(start(&h, NULL, &dir) == 0);
    TC_REQUIRE(add_user(&h, "grace", "auditor", NULL, NULL) == 0);
    TC_REQUIRE(tc_http(&h, "GET", "/healthz", NULL, 0, NULL, &r) == 0);
    tc_http_reply_fini(&r);
    one = now_ms();
    TC_REQUIRE(login(&h, "grace", PASSWORD, NULL, &r) == 0);
    TC_CHECK_EQ(r.status, 200);
    tc_http_reply_fini(&r);
    one = now_ms() - one;
    for (int i = 0; i < 6; i++) {
        bg[i] = (struct bg_login){.h = h};
        pthread_create(&threads[i], NULL, bg_login_run, &bg[i]);
    }
    usleep(20 * 1000);
    for (int i = 0; i < 3; i++) {
        long t0 = now_ms(), took;
        TC_CHECK_EQ(tc_http(&h, "GET", "/healthz", NULL, 0, NULL, &r), 0);
        TC_CHECK_EQ(r.status, 200);
        tc_http_reply_fini(&r);
        took = now_ms() - t0;
        worst_health = took > worst_health ? took : worst_health;
        health_before_last = now_ms();
        usleep(10 * 1000);
    }
    for (int i = 0; i < 6; i++) {
        pthread_join(threads[i], NULL);
        TC_CHECK_EQ(bg[i].status, 200);
        last_login =
            bg[i].done_at_ms > last_login ? bg[i].done_at_ms : last_login;
    }
    printf("# one login alone took %ld ms; /healthz took at most %ld ms "
           "while 6 logins hashed; the last login ended %ld ms after it\n",
           one, worst_health, last_login - health_before_last);
    TC_CHECK(health_before_last < last_login);
    TC_CHECK(worst_health < 2 * one);
    finish(&h, dir);
}

/*
 * [http] rate_per_account (every other test turns it off): one account's
 * burst of twice the rate, then 429 with Retry-After, no more than burst
 * plus refill; another account from the same address is not held back;
 * the per-address limit is off, so the account's own bucket did it.
 */
static void
test_rate_limit_per_account_answers_429(void)
{
    struct tc_harness h;
    struct tc_http_reply r;
    char *dir, *a, *b;
    int ok = 0, limited = 0, first_429 = -1, most;
    long t0;
    double took;

    TC_REQUIRE(start(&h,
                     "[http]\nrate_per_address = 0\nrate_per_account = 2\n",
                     &dir) == 0);
    TC_REQUIRE(add_user(&h, "heidi", "auditor", NULL, NULL) == 0);
    TC_REQUIRE(add_user(&h, "ivan", "auditor", NULL, NULL) == 0);
    a = login_token(&h, "heidi", NULL);
    b = login_token(&h, "ivan", NULL);
    TC_REQUIRE(a && b);
    t0 = now_ms();
    for (int i = 0; i < 12; i++) {
        h.bearer = a;
        TC_CHECK_EQ(tc_http(&h, "GET", "/api/v1/me", NULL, 0, NULL, &r), 0);
        h.bearer = NULL;
        if (r.status == 200) {
            ok++;
        } else if (r.status == 429) {
            char *retry = tc_http_reply_header(&r, "retry-after");
            TC_CHECK(retry && atoi(retry) >= 1);
            free(retry);
            first_429 = first_429 < 0 ? i : first_429;
            limited++;
        } else {
            TC_FAIL_("request %d: status %ld", i, r.status);
        }
        tc_http_reply_fini(&r);
    }
    took = (double)(now_ms() - t0) / 1000;
    most = 4 + (int)(took * 2) + 1;
    printf("# heidi: %d of 12 allowed in %.2f s (at most %d), first 429 at "
           "%d\n",
           ok, took, most, first_429);
    TC_CHECK(first_429 >= 4);
    TC_CHECK(ok >= 4 && ok <= most);
    TC_CHECK_EQ(ok + limited, 12);
    /* ivan's bucket is his own */
    TC_CHECK_EQ(me(&h, b, NULL), 200);
    TC_CHECK_EQ(me(&h, b, NULL), 200);
    g_free(a);
    g_free(b);
    finish(&h, dir);
}

int
main(void)
{
    TC_RUN(test_login_token_works_on_me_and_logout_revokes);
    TC_RUN(test_wrong_password_and_unknown_user_get_the_same_401_audited);
    TC_RUN(test_failures_slow_down_then_lock_until_the_lock_ends);
    TC_RUN(test_tokens_slide_with_use_and_expire_when_idle);
    TC_RUN(test_disabling_an_account_ends_its_sessions);
    TC_RUN(test_totp_is_required_and_checked);
    TC_RUN(test_malformed_login_bodies_name_the_field);
    TC_RUN(test_server_answers_others_while_hashing);
    TC_RUN(test_rate_limit_per_account_answers_429);
    return tc_done();
}
