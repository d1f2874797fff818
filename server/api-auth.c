// SPDX-License-Identifier: Apache-2.0
/*
 * api-auth.c - POST /api/v1/login, POST /api/v1/logout, GET /api/v1/me.
 *
 * A login, from request to answer:
 *
 *   parse body --bad--> 400 (names the field)
 *       |
 *   look the user up (main) --locked--> 423 + Retry-After (no hashing)
 *       |
 *   defer; verify the password on a worker (worker.c, ~0.1 s; an unknown
 *   user is verified against a dummy hash, so both take as long)
 *       |
 *   back on main: --wrong password or code--> count the failure; the
 *       |          failure that reaches [auth] lockout_threshold locks the
 *       |          account for [auth] lockout_s: 423 + Retry-After; any
 *       |          other failure answers 401 after a delay that doubles
 *       |          with each failure in a row (a timer, never a sleep)
 *       +--disabled--> 403
 *       +--TOTP needed (the account has a secret, or one of its roles is
 *       |   in [auth] totp_required_roles), none given--> 401 "totp
 *       |   required" (403 when the account has no secret to check)
 *       +--ok--> 200 {token, expires_at, user}: a new session
 *
 * Every outcome of a login that got past parsing writes one audit event
 * (action execute, entity session, actor = the username as stored, or as
 * given for an unknown one, the client's address, the reason in detail). The
 * 401 message is the same whether the user exists or not. A lock does show
 * that an account exists to someone who has failed lockout_threshold times in
 * a row; the per-address rate limit (http.c) bounds how fast names can be
 * tried.
 *
 * Never logged or stored: passwords, codes, tokens. The password's copy
 * here is wiped as soon as the worker has verified it.
 *
 * Thread: main, except verify_work() (a worker).
 */
#define G_LOG_DOMAIN "auth"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>
#include <sodium.h>

#include "server-int.h"
#include "tc-records.h"

#define DELAY_FIRST_MS    200  /* the answer to a first failure */
#define DELAY_MAX_MS      3200 /* doubling stops here */
#define MAX_QUEUED_HASHES 32   /* more logins in flight get 503 */
#define BAD_CREDENTIALS   "invalid username, password or code"

struct login {
    struct tc_srv *srv;
    struct tc_srv__call *call; /* deferred, referenced */
    char *username;            /* as given: the audit's actor */
    char *password;            /* wiped by the worker */
    char *totp;                /* NULL: none given */
    char *hash;                /* the stored hash; NULL: unknown user */
    int64_t user_id;           /* 0: unknown user */
    bool matched;              /* the worker's verdict */
    char client_addr[64];
    guint timer; /* a delayed 401 (in srv->login_waits) */
};

static void
login_free(struct login *l)
{
    if (!l) {
        return;
    }
    g_free(l->username);
    tc_srv__password_wipe(l->password);
    tc_srv__password_wipe(l->totp);
    g_free(l->hash);
    g_free(l);
}

static int64_t
now_us(void)
{
    return g_get_real_time();
}

/* ---- answers ---- */

static json_t *
user_json(const struct tc_srv__who *who)
{
    json_t *roles = json_array();
    json_t *doc;

    for (int r = 0; r < TC_SRV__N_ROLES; r++) {
        if (who->roles & (1u << r)) {
            json_array_append_new(roles, json_string(tc_srv__role_name(r)));
        }
    }
    doc = json_pack("{s:I,s:s,s:o}", "id", (json_int_t)who->user_id,
                    "username", who->username, "roles", roles);
    if (who->practitioner_id) {
        json_object_set_new(doc, "practitioner_id",
                            json_integer(who->practitioner_id));
    }
    if (who->resident_id) {
        json_object_set_new(doc, "resident_id",
                            json_integer(who->resident_id));
    }
    if (who->carer_id) {
        json_object_set_new(doc, "carer_id", json_integer(who->carer_id));
    }
    return doc;
}

static void
retry_after(struct tc_srv__resp *resp, int64_t wait_us)
{
    char text[24];

    g_snprintf(text, sizeof(text), "%" G_GINT64_FORMAT,
               (wait_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
    tc_srv__resp_header(resp, "retry-after", text);
}

static void
locked_answer(struct tc_srv__resp *resp, int64_t until_us)
{
    tc_srv__resp_error(resp, 423,
                       "account locked after repeated failed logins; "
                       "try again later");
    retry_after(resp, until_us - now_us());
}

/* ---- audit ---- */

static int
audit(struct tc_srv *srv, const char *actor, const char *addr,
      enum tc_rec_audit_outcome outcome, const char *detail)
{
    struct tc_rec_audit_event ev = {
        .at_us = now_us(),
        .actor = (char *)actor,
        .action = TC_REC_AUDIT_EXECUTE,
        .entity_type = "session",
        .client_addr = (char *)addr,
        .outcome = outcome,
        .detail = (char *)detail,
    };
    int64_t id;
    int rc = tc_rec_audit_append(srv->db, &ev, &id);

    if (rc < 0) {
        g_warning("audit of a login from %s: %s", addr,
                  tc_rec_errmsg(srv->db));
    }
    return rc;
}

/* ---- failure ---- */

static gboolean
answer_later(gpointer data)
{
    struct login *l = data;

    l->srv->login_waits = g_list_remove(l->srv->login_waits, l);
    l->timer = 0;
    tc_srv__call_resume(l->call);
    login_free(l);
    return G_SOURCE_REMOVE;
}

/* Send the answer in l->call->resp now (delay_ms 0) or later; either way
 * l is freed once it is sent. */
static void
finish(struct login *l, guint delay_ms)
{
    if (delay_ms == 0) {
        tc_srv__call_resume(l->call);
        login_free(l);
        return;
    }
    l->timer = g_timeout_add(delay_ms, answer_later, l);
    l->srv->login_waits = g_list_prepend(l->srv->login_waits, l);
}

void
tc_srv__auth_stop(struct tc_srv *srv)
{
    while (srv->login_waits) {
        struct login *l = srv->login_waits->data;
        g_source_remove(l->timer);
        answer_later(l);
    }
}

static guint
failure_delay_ms(int failures)
{
    guint ms = DELAY_FIRST_MS;

    for (int i = 1; i < failures && ms < DELAY_MAX_MS; i++) {
        ms *= 2;
    }
    return ms < DELAY_MAX_MS ? ms : DELAY_MAX_MS;
}

/*
 * A wrong password or code: count it, audit it, and fill a 423 (this
 * failure locked the account) or a 401. Returns how long to hold the
 * answer back. `failures` is the count before this one.
 */
static guint
login_failed(struct login *l, int failures, const char *why)
{
    struct tc_srv *srv = l->srv;
    const struct tc_srv_config *cfg = srv->cfg;
    int64_t until = 0;

    if (l->user_id &&
        tc_rec_user_login_failed(
            srv->db, l->user_id, now_us(), cfg->lockout_threshold,
            (int64_t)cfg->lockout_s * G_USEC_PER_SEC, &until) < 0) {
        g_warning("counting a failed login of user %" G_GINT64_FORMAT ": %s",
                  l->user_id, tc_rec_errmsg(srv->db));
    }
    if (until > 0) {
        g_message("user %" G_GINT64_FORMAT " locked for %d s after %d "
                  "failed logins",
                  l->user_id, cfg->lockout_s, cfg->lockout_threshold);
        audit(srv, l->username, l->client_addr, TC_REC_AUDIT_FAILURE,
              "login: account locked");
        locked_answer(&l->call->resp, until);
        return 0;
    }
    audit(srv, l->username, l->client_addr, TC_REC_AUDIT_FAILURE, why);
    tc_srv__resp_error(&l->call->resp, 401, BAD_CREDENTIALS);
    return failure_delay_ms(failures + 1);
}

/* ---- success ---- */

/* Open the session and audit it in one transaction; fill the 200. */
static int
open_session(struct login *l, const struct tc_rec_user *u)
{
    struct tc_srv *srv = l->srv;
    int64_t now = now_us(),
            ttl = (int64_t)srv->cfg->session_ttl_s * G_USEC_PER_SEC;
    char token[TC_SRV__TOKEN_TEXT_LEN + 1];
    unsigned char hash[TC_SRV__TOKEN_HASH_LEN];
    g_autofree char *expires = tc_srv__rfc3339(now + ttl);
    struct tc_srv__who who;
    json_t *doc;
    int rc;

    tc_srv__token_new(token, hash);
    rc = tc_rec_tx_begin(srv->db);
    if (rc == 0) {
        rc = tc_rec_user_login_succeeded(srv->db, u->id);
        if (rc == 0) {
            rc = tc_rec_session_create(srv->db, hash, u->id, now, ttl,
                                       l->client_addr);
        }
        if (rc == 0) {
            rc = audit(srv, l->username, l->client_addr, TC_REC_AUDIT_SUCCESS,
                       "login");
        }
        rc = rc == 0 ? tc_rec_tx_commit(srv->db)
                     : (tc_rec_tx_rollback(srv->db), rc);
    }
    if (rc < 0) {
        g_warning("opening a session for user %" G_GINT64_FORMAT ": %s", u->id,
                  tc_rec_errmsg(srv->db));
        return rc;
    }
    tc_srv__who_fill(&who, u);
    doc = json_pack("{s:s,s:s,s:s,s:o}", "token", token, "token_type",
                    "Bearer", "expires_at", expires, "user", user_json(&who));
    tc_srv__resp_doc(&l->call->resp, 200, "application/json", doc);
    json_decref(doc);
    sodium_memzero(token, sizeof(token));
    g_info("user %" G_GINT64_FORMAT " logged in", u->id);
    return 0;
}

/*
 * The second factor, once the password matched. Returns true when the
 * login may go on; otherwise the answer is filled and *delay_ms says when
 * to send it.
 */
static bool
second_factor(struct login *l, const struct tc_rec_user *u, guint *delay_ms)
{
    struct tc_srv *srv = l->srv;
    bool required = u->totp_secret || (tc_srv__roles_from_records(u->roles) &
                                       srv->cfg->totp_required_roles);
    int64_t step = 0;
    char *secret = NULL;
    int rc;

    if (!required) {
        return true;
    }
    if (!u->totp_secret) {
        audit(srv, l->username, l->client_addr, TC_REC_AUDIT_FAILURE,
              "login: totp required but not enrolled");
        tc_srv__resp_error_field(&l->call->resp, 403, "totp",
                                 "totp required for this account's roles "
                                 "but not enrolled (telecare-admin "
                                 "user-totp)");
        return false;
    }
    if (!l->totp) {
        audit(srv, l->username, l->client_addr, TC_REC_AUDIT_FAILURE,
              "login: totp required");
        tc_srv__resp_error_field(&l->call->resp, 401, "totp", "totp required");
        return false;
    }
    if (tc_srv__totp_open(srv->totp_key, u->totp_secret, &secret) < 0) {
        g_warning("user %" G_GINT64_FORMAT ": TOTP secret not sealed under "
                  "this data directory's totp.key",
                  u->id);
        audit(srv, l->username, l->client_addr, TC_REC_AUDIT_FAILURE,
              "login: totp secret unreadable");
        tc_srv__resp_error_field(&l->call->resp, 500, "totp",
                                 "this account's TOTP secret cannot be read "
                                 "on the server; an administrator can "
                                 "enrol it again (telecare-admin "
                                 "user-totp)");
        return false;
    }
    rc = tc_srv__totp_check(secret, l->totp, now_us() / G_USEC_PER_SEC, &step);
    tc_srv__password_wipe(secret);
    if (rc < 0) {
        *delay_ms = login_failed(l, u->failed_logins, "login: wrong totp");
        return false;
    }
    if (tc_rec_user_totp_step_use(srv->db, u->id, step) < 0) {
        *delay_ms =
            login_failed(l, u->failed_logins, "login: totp code replayed");
        return false;
    }
    return true;
}

/* Main thread, after the worker: decide, answer, free. */
static void
verify_done(void *data)
{
    struct login *l = data;
    struct tc_srv *srv = l->srv;
    struct tc_rec_user *u = NULL;
    guint delay = 0;

    if (l->user_id && tc_rec_user_get(srv->db, l->user_id, &u) < 0) {
        u = NULL;
    }
    if (!l->matched || !u) {
        delay =
            login_failed(l, u ? u->failed_logins : 0,
                         u ? "login: wrong password" : "login: unknown user");
    } else if (u->disabled) {
        audit(srv, l->username, l->client_addr, TC_REC_AUDIT_FAILURE,
              "login: account disabled");
        tc_srv__resp_error(&l->call->resp, 403, "account disabled");
    } else if (u->locked_until_us > now_us()) { /* locked meanwhile */
        audit(srv, l->username, l->client_addr, TC_REC_AUDIT_FAILURE,
              "login: account locked");
        locked_answer(&l->call->resp, u->locked_until_us);
    } else if (second_factor(l, u, &delay) && open_session(l, u) < 0) {
        tc_srv__resp_error(&l->call->resp, 503,
                           "cannot open a session now; try again");
    }
    tc_rec_user_free(u);
    finish(l, delay);
}

/* Worker thread: only the password and the hash, nothing shared. */
static void
verify_work(void *data)
{
    struct login *l = data;

    l->matched = tc_srv__password_verify(l->hash, l->password) == 0;
    tc_srv__password_wipe(l->password);
    l->password = NULL;
}

/* ---- the requests ---- */

/* Parse {username, password, totp?} into a new struct login. */
static struct login *
login_parse(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"username", "password", "totp", NULL};
    const char *username, *password, *totp;
    json_t *body = NULL;
    struct login *l = NULL;

    if (tc_srv__call_json(call, &body) < 0) {
        return NULL;
    }
    if (!tc_srv__json_only(call, body, known) ||
        !tc_srv__json_string(call, body, "username", true, TC_REC_USERNAME_MAX,
                             &username) ||
        !tc_srv__json_string(call, body, "password", true,
                             TC_SRV__PASSWORD_MAX, &password) ||
        !tc_srv__json_string(call, body, "totp", false, 8, &totp)) {
        goto out;
    }
    for (const char *p = username; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            tc_srv__resp_error_field(&call->resp, 400, "username",
                                     "username: contains a control "
                                     "character");
            goto out;
        }
    }
    l = g_new0(struct login, 1);
    l->srv = srv;
    l->username = g_strdup(username);
    l->password = g_strdup(password);
    l->totp = g_strdup(totp);
    g_strlcpy(l->client_addr, call->req.client_addr, sizeof(l->client_addr));
out:
    json_decref(body); /* jansson keeps no copy of the password after */
    return l;
}

static void
login_post(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_user *u = NULL;
    struct login *l;

    if (tc_srv__work_queued(srv) >= MAX_QUEUED_HASHES) {
        tc_srv__resp_error(&call->resp, 503, "too many logins in progress");
        tc_srv__resp_header(&call->resp, "retry-after", "1");
        return;
    }
    l = login_parse(srv, call);
    if (!l) {
        return;
    }
    if (tc_rec_user_get_by_username(srv->db, l->username, &u) == 0) {
        g_free(l->username); /* audit the name as stored, not as typed */
        l->username = g_strdup(u->username);
        l->user_id = u->id;
        l->hash = g_strdup(u->password_hash);
        if (u->locked_until_us > now_us()) {
            audit(srv, l->username, l->client_addr, TC_REC_AUDIT_FAILURE,
                  "login: account locked");
            locked_answer(&call->resp, u->locked_until_us);
            tc_rec_user_free(u);
            login_free(l);
            return;
        }
        tc_rec_user_free(u);
    }
    l->call = tc_srv__call_defer(call);
    tc_srv__work_submit(srv, verify_work, verify_done, l);
}

static void
logout_post(struct tc_srv *srv, struct tc_srv__call *call)
{
    unsigned char hash[TC_SRV__TOKEN_HASH_LEN];
    char auth[128] = "";

    /* The route needed a valid token, so the header is there and good. */
    if (tc_srv__call_header(call, "authorization", auth, sizeof(auth)) < 0 ||
        tc_srv__token_hash(auth, hash) < 0 ||
        tc_rec_session_revoke(srv->db, hash, now_us()) < 0) {
        g_warning("logout of user %" G_GINT64_FORMAT ": %s",
                  call->req.who->user_id, tc_rec_errmsg(srv->db));
        tc_srv__resp_error(&call->resp, 503, "cannot log out now");
        return;
    }
    sodium_memzero(auth, sizeof(auth));
    audit(srv, call->req.who->username, call->req.client_addr,
          TC_REC_AUDIT_SUCCESS, "logout");
    call->resp.status = 204;
    call->resp.content_type = NULL;
}

static void
me_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    json_t *doc = user_json(call->req.who);

    tc_srv__resp_doc(&call->resp, 200, "application/json", doc);
    json_decref(doc);
}

const struct tc_srv__route tc_srv__routes_auth[] = {
    {"POST", "/api/v1/login", login_post, TC_SRV__PUBLIC},
    {"POST", "/api/v1/logout", logout_post, 0},
    {"GET", "/api/v1/me", me_get, 0},
    {NULL, NULL, NULL, 0},
};
