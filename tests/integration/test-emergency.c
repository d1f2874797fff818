// SPDX-License-Identifier: Apache-2.0
/*
 * test-emergency.c - emergency consultations on the demo county, with SDK
 * signaling clients as the doctors: 河口乡's township doctor
 * (huang.xiaoyan) raises emergencies for 张桂兰; the county's three
 * on-call cardiologists (zhou.ming, li.qiang, wang.fang) are rung at
 * once, the city's on-call cardiologist (zhao.lei) only on escalation.
 *
 * - three rung, the second accepts: the others see it taken, the
 *   requester sees who is rung and then who accepted; both join the room;
 *   the specialist leaves before the end and the ringing starts again;
 *   another takes over; the requester ends it;
 * - two accept at once: exactly one wins, the other is told;
 * - nobody accepts within ring_timeout_s (2 s here): the city tier is
 *   rung; nobody there either: unanswered;
 * - nobody on call (the emergency department): unanswered at once;
 * - accepted but the room never entered: rung again after the timeout;
 * - time from raised to joined per department equals what the log says;
 * - a ringing emergency survives a restart: its timer resumes;
 * - bad input: named fields, nothing written.
 */
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <jansson.h>
#include <sqlite3.h>

#include "sig-util.h"
#include "tc-client.h"
#include "tc-test.h"

#define CONFIG                                                                \
    "[emergency]\nring_timeout_s = 2\n"                                       \
    "[http]\nrate_per_address = 0\nrate_per_account = 0\n"

enum { HUANG, ZHOU, LI, WANG, ZHAO, N_DOCS };
static const char *const names[N_DOCS] = {"huang.xiaoyan", "zhou.ming",
                                          "li.qiang", "wang.fang", "zhao.lei"};

static struct sig_fixture fx;
static struct tpeer *doc[N_DOCS];
static char *token[N_DOCS];
static int64_t pid[N_DOCS];
static int64_t cardio, emergency_dept, resident = 3;

/* ---- HTTP ---- */

static long status;
static json_t *reply;

static long
http(int who, const char *method, const char *path, const char *body)
{
    struct tc_http_reply r;

    json_decref(reply);
    reply = NULL;
    fx.h.bearer = token[who];
    if (tc_http(&fx.h, method, path, body, body ? strlen(body) : 0,
                body ? "application/json" : NULL, &r) != 0) {
        tc_http_reply_fini(&r);
        return status = -1;
    }
    status = r.status;
    reply = json_loads(r.body, 0, NULL);
    if (status >= 400) {
        printf("#   (%s %s -> %ld %s)\n", method, path, status, r.body);
    }
    tc_http_reply_fini(&r);
    return status;
}

static const char *path(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static const char *
path(const char *fmt, ...)
{
    static char buf[4][256];
    static int n;
    char *b = buf[n++ % 4];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(b, sizeof(buf[0]), fmt, ap);
    va_end(ap);
    return b;
}

static int64_t
jint(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static const char *
jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The department of `code` at the county hospital (tier 1). */
static int64_t
county_department(const char *code)
{
    size_t i;
    json_t *v;

    http(HUANG, "GET", path("/api/v1/departments?code=%s", code), NULL);
    json_array_foreach(json_object_get(reply, "items"), i, v)
    {
        if (jint(v, "tier") == 1) {
            return jint(v, "id");
        }
    }
    return 0;
}

static int64_t
raise_for(int64_t department)
{
    char body[256];

    g_snprintf(body, sizeof(body),
               "{\"resident_id\":%lld,\"department_id\":%lld,\"reason\":"
               "\"Crushing chest pain, ST elevation\"}",
               (long long)resident, (long long)department);
    return http(HUANG, "POST", "/api/v1/emergencies", body) == 201
               ? jint(reply, "id")
               : 0;
}

/* ---- signaling ---- */

/* The next event of `type` about emergency `id` within timeout_ms
 * (json_decref), or NULL. */
static json_t *
wait_ev(int who, const char *type, int64_t id, int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000LL;

    while (g_get_monotonic_time() < end) {
        json_t *ev = tpeer_wait(doc[who], type, NULL, NULL, 50);
        if (ev && jint(ev, "emergency") == id) {
            return ev;
        }
        json_decref(ev);
    }
    return NULL;
}

static bool
connect_all(void)
{
    for (int i = 0; i < N_DOCS; i++) {
        doc[i] = tpeer_new(&fx, names[i], 100);
        if (!doc[i]) {
            return false;
        }
    }
    return true;
}

static void
disconnect_all(void)
{
    for (int i = 0; i < N_DOCS; i++) {
        tpeer_free(doc[i]);
        doc[i] = NULL;
    }
}

static void
clear_all(void)
{
    sig_spin(50);
    for (int i = 0; i < N_DOCS; i++) {
        if (doc[i]) {
            tpeer_clear(doc[i]);
        }
    }
}

/* How many log entries of `kind` the emergency's answer holds. */
static int
logged(json_t *e, const char *kind)
{
    size_t i;
    json_t *v;
    int n = 0;

    json_array_foreach(json_object_get(e, "log"), i, v)
    {
        n += g_strcmp0(jstr(v, "kind"), kind) == 0;
    }
    return n;
}

/* The instant (µs) of the first log entry of `kind`, or 0. */
static int64_t
logged_at(json_t *e, const char *kind)
{
    size_t i;
    json_t *v;

    json_array_foreach(json_object_get(e, "log"), i, v)
    {
        if (g_strcmp0(jstr(v, "kind"), kind) == 0) {
            return jint(v, "at_us");
        }
    }
    return 0;
}

/* ---- tests ---- */

static int64_t joined_emergency;

static void
test_three_rung_the_second_accepts(void)
{
    json_t *ev, *ok;
    int64_t id, cid;
    const char *room;

    clear_all();
    id = raise_for(cardio);
    TC_CHECK(id > 0);
    TC_CHECK_STR_EQ(jstr(reply, "status"), "ringing");
    TC_CHECK_EQ(jint(reply, "tier"), 1);
    TC_CHECK_EQ(json_array_size(json_object_get(reply, "ringing")), 3);
    TC_CHECK(jint(reply, "ring_remaining_s") >= 1);
    for (int i = ZHOU; i <= WANG; i++) {
        ev = wait_ev(i, "emergency-ring", id, 3000);
        TC_CHECK(ev != NULL);
        TC_CHECK_STR_EQ(jstr(ev, "department"), "cardiology");
        TC_CHECK_EQ(jint(ev, "tier"), 1);
        TC_CHECK_EQ(jint(json_object_get(ev, "requester"), "id"), pid[HUANG]);
        json_decref(ev);
    }
    /* The city tier is not rung while the county is. */
    TC_CHECK(tpeer_absent(doc[ZHAO], "emergency-ring", NULL, NULL, 200));
    ev = wait_ev(HUANG, "emergency-status", id, 3000);
    TC_CHECK(ev != NULL);
    TC_CHECK_EQ(json_array_size(json_object_get(ev, "ringing")), 3);
    TC_CHECK(jstr(ev, "ring_until") != NULL);
    json_decref(ev);

    /* A reloaded page finds what rings it. */
    TC_CHECK_EQ(http(ZHOU, "GET", "/api/v1/emergencies", NULL), 200);
    TC_CHECK_EQ(json_array_size(json_object_get(reply, "items")), 1);
    TC_CHECK_EQ(jint(json_array_get(json_object_get(reply, "items"), 0), "id"),
                id);
    /* Who is on call now, and online: the county's three, the city's
     * one. */
    TC_CHECK_EQ(http(HUANG, "GET", "/api/v1/oncall/now?code=cardiology", NULL),
                200);
    {
        json_t *tiers = json_object_get(reply, "tiers");
        json_t *county = json_object_get(json_array_get(tiers, 0), "on_call");
        size_t i;
        json_t *v;
        int online = 0;
        json_array_foreach(county, i, v)
        {
            online += json_is_true(json_object_get(v, "online"));
        }
        TC_CHECK_EQ(json_array_size(county), 3);
        TC_CHECK_EQ(online, 3);
        TC_CHECK_EQ(json_array_size(
                        json_object_get(json_array_get(tiers, 1), "on_call")),
                    1);
    }
    /* The second accepts. */
    TC_CHECK_EQ(http(LI, "POST",
                     path("/api/v1/emergencies/%lld/accept", (long long)id),
                     NULL),
                200);
    TC_CHECK_STR_EQ(jstr(reply, "status"), "accepted");
    cid = jint(reply, "consultation_id");
    TC_CHECK(cid > 0);
    room = path("consultation:%lld", (long long)cid);
    TC_CHECK_STR_EQ(jstr(reply, "room"), room);
    for (int i = ZHOU; i <= WANG; i += 2) {
        ev = wait_ev(i, "emergency-taken", id, 3000);
        TC_CHECK(ev != NULL);
        TC_CHECK_EQ(jint(json_object_get(ev, "by"), "id"), pid[LI]);
        json_decref(ev);
    }
    ev = wait_ev(HUANG, "emergency-accepted", id, 3000);
    TC_CHECK(ev != NULL);
    TC_CHECK_STR_EQ(jstr(ev, "room"), room);
    json_decref(ev);
    /* Too late. */
    TC_CHECK_EQ(http(ZHOU, "POST",
                     path("/api/v1/emergencies/%lld/accept", (long long)id),
                     NULL),
                409);

    /* Both join the room; the specialist's entry is the "joined" step. */
    ok = tpeer_join(doc[HUANG], room);
    TC_CHECK(ok != NULL);
    json_decref(ok);
    ok = tpeer_join(doc[LI], room);
    TC_CHECK(ok != NULL);
    TC_CHECK_STR_EQ(jstr(ok, "role"), "host");
    json_decref(ok);
    ev = wait_ev(HUANG, "emergency-joined", id, 3000);
    TC_CHECK(ev != NULL);
    json_decref(ev);
    TC_CHECK_EQ(http(HUANG, "GET",
                     path("/api/v1/emergencies/%lld", (long long)id), NULL),
                200);
    TC_CHECK_STR_EQ(jstr(reply, "status"), "joined");
    TC_CHECK_EQ(logged(reply, "rung"), 3);
    TC_CHECK_EQ(logged(reply, "taken"), 2);
    TC_CHECK(logged_at(reply, "raised") <= logged_at(reply, "rung"));
    TC_CHECK(logged_at(reply, "rung") <= logged_at(reply, "accepted"));
    TC_CHECK(logged_at(reply, "accepted") <= logged_at(reply, "joined"));
    joined_emergency = id;
}

static void
test_a_specialist_who_drops_is_replaced(void)
{
    int64_t id = joined_emergency;
    const char *room;
    json_t *ev, *ok;

    clear_all();
    TC_CHECK_EQ(http(HUANG, "GET",
                     path("/api/v1/emergencies/%lld", (long long)id), NULL),
                200);
    room =
        path("consultation:%lld", (long long)jint(reply, "consultation_id"));
    TC_CHECK_EQ(tc_sdk_client_leave(doc[LI]->c, room, "l1"), 0);
    ev = wait_ev(HUANG, "emergency-dropped", id, 3000);
    TC_CHECK(ev != NULL);
    json_decref(ev);
    /* Rung again, all three (the one who left too). */
    for (int i = ZHOU; i <= WANG; i++) {
        ev = wait_ev(i, "emergency-ring", id, 3000);
        TC_CHECK(ev != NULL);
        json_decref(ev);
    }
    TC_CHECK_EQ(http(ZHOU, "POST",
                     path("/api/v1/emergencies/%lld/accept", (long long)id),
                     NULL),
                200);
    ok = tpeer_join(doc[ZHOU], room);
    TC_CHECK(ok != NULL);
    json_decref(ok);
    ev = wait_ev(HUANG, "emergency-joined", id, 3000);
    TC_CHECK(ev != NULL);
    TC_CHECK_EQ(jint(json_object_get(ev, "by"), "id"), pid[ZHOU]);
    json_decref(ev);
    /* The requester ends it; the specialist is told. */
    TC_CHECK_EQ(http(HUANG, "POST",
                     path("/api/v1/emergencies/%lld/end", (long long)id),
                     NULL),
                200);
    TC_CHECK_STR_EQ(jstr(reply, "status"), "ended");
    TC_CHECK_EQ(logged(reply, "dropped"), 1);
    ev = wait_ev(ZHOU, "emergency-ended", id, 3000);
    TC_CHECK(ev != NULL);
    json_decref(ev);
    /* The patient is transferred: the referral names the emergency, and
     * the emergency links to it. */
    TC_CHECK_EQ(
        http(HUANG, "POST", "/api/v1/referrals",
             path("{\"direction\":\"up\",\"resident_id\":%lld,"
                  "\"department_id\":%lld,\"urgency\":\"emergency\","
                  "\"reason\":\"Transfer for PCI\","
                  "\"emergency_id\":%lld}",
                  (long long)resident, (long long)cardio, (long long)id)),
        201);
    {
        int64_t referral = jint(reply, "id");
        http(HUANG, "GET", path("/api/v1/emergencies/%lld", (long long)id),
             NULL);
        TC_CHECK_EQ(jint(reply, "referral_id"), referral);
    }
    /* Leaving after the end rings nobody. */
    tc_sdk_client_leave(doc[ZHOU]->c, room, "l2");
    tc_sdk_client_leave(doc[HUANG]->c, room, "l3");
    TC_CHECK(tpeer_absent(doc[WANG], "emergency-ring", NULL, NULL, 300));
}

struct racer {
    struct tc_harness h;
    const char *path;
    long status;
};

static gpointer
race(gpointer data)
{
    struct racer *r = data;
    struct tc_http_reply rep;

    r->status = tc_http(&r->h, "POST", r->path, NULL, 0, NULL, &rep) == 0
                    ? rep.status
                    : -1;
    tc_http_reply_fini(&rep);
    return NULL;
}

static void
test_two_accept_at_once_one_wins(void)
{
    struct racer a = {.h = fx.h}, b = {.h = fx.h};
    GThread *ta, *tb;
    int64_t id;
    json_t *ev;
    int loser;

    clear_all();
    id = raise_for(cardio);
    TC_CHECK(id > 0);
    json_decref(wait_ev(ZHOU, "emergency-ring", id, 3000));
    json_decref(wait_ev(WANG, "emergency-ring", id, 3000));
    a.path = b.path = path("/api/v1/emergencies/%lld/accept", (long long)id);
    a.h.bearer = token[ZHOU];
    b.h.bearer = token[WANG];
    ta = g_thread_new("a", race, &a);
    tb = g_thread_new("b", race, &b);
    g_thread_join(ta);
    g_thread_join(tb);
    printf("# accepts: zhou %ld, wang %ld\n", a.status, b.status);
    TC_CHECK((a.status == 200 && b.status == 409) ||
             (a.status == 409 && b.status == 200));
    loser = a.status == 409 ? ZHOU : WANG;
    ev = wait_ev(loser, "emergency-taken", id, 3000);
    TC_CHECK(ev != NULL);
    TC_CHECK_EQ(jint(json_object_get(ev, "by"), "id"),
                pid[loser == ZHOU ? WANG : ZHOU]);
    json_decref(ev);
    TC_CHECK_EQ(http(HUANG, "GET",
                     path("/api/v1/emergencies/%lld", (long long)id), NULL),
                200);
    TC_CHECK_EQ(logged(reply, "accepted"), 1);
    TC_CHECK_EQ(jint(json_object_get(reply, "accepted_by"), "id"),
                pid[loser == ZHOU ? WANG : ZHOU]);
    TC_CHECK_EQ(http(loser == ZHOU ? WANG : ZHOU, "POST",
                     path("/api/v1/emergencies/%lld/end", (long long)id),
                     NULL),
                200);
}

static void
test_timeout_escalates_then_unanswered(void)
{
    gint64 t0 = g_get_monotonic_time();
    int64_t id;
    json_t *ev;

    clear_all();
    id = raise_for(cardio);
    TC_CHECK(id > 0);
    /* Nobody answers the county within 2 s: the ringing stops there ... */
    ev = wait_ev(ZHOU, "emergency-timeout", id, 5000);
    TC_CHECK(ev != NULL);
    TC_CHECK_EQ(jint(ev, "tier"), 1);
    json_decref(ev);
    TC_CHECK(g_get_monotonic_time() - t0 >= 1900 * 1000LL);
    /* ... and the city hospital's on-call cardiologist is rung. */
    ev = wait_ev(ZHAO, "emergency-ring", id, 3000);
    TC_CHECK(ev != NULL);
    TC_CHECK_EQ(jint(ev, "tier"), 2);
    json_decref(ev);
    ev = wait_ev(HUANG, "emergency-status", id, 3000);
    while (ev && jint(ev, "tier") != 2) {
        json_decref(ev);
        ev = wait_ev(HUANG, "emergency-status", id, 3000);
    }
    TC_CHECK(ev != NULL);
    TC_CHECK_EQ(json_array_size(json_object_get(ev, "ringing")), 1);
    json_decref(ev);
    /* A county cardiologist can no longer take it (409 when li.qiang's
     * part in an open consultation of the resident lets the policy
     * through, and records refuse one not rung). */
    http(LI, "POST", path("/api/v1/emergencies/%lld/accept", (long long)id),
         NULL);
    TC_CHECK(status == 403 || status == 409);
    /* Nobody at the city either: unanswered. */
    ev = wait_ev(HUANG, "emergency-unanswered", id, 5000);
    TC_CHECK(ev != NULL);
    json_decref(ev);
    TC_CHECK_EQ(http(HUANG, "GET",
                     path("/api/v1/emergencies/%lld", (long long)id), NULL),
                200);
    TC_CHECK_STR_EQ(jstr(reply, "status"), "unanswered");
    TC_CHECK_EQ(logged(reply, "timeout"), 2);
    TC_CHECK_EQ(logged(reply, "escalated"), 1);
    http(ZHAO, "POST", path("/api/v1/emergencies/%lld/accept", (long long)id),
         NULL);
    TC_CHECK(status == 403 || status == 409);
}

static void
test_nobody_on_call_says_so_at_once(void)
{
    int64_t id;
    json_t *ev;

    clear_all();
    id = raise_for(emergency_dept);
    TC_CHECK(id > 0);
    TC_CHECK_STR_EQ(jstr(reply, "status"), "unanswered");
    TC_CHECK_EQ(logged(reply, "no_one_on_call"), 2);
    TC_CHECK_EQ(logged(reply, "escalated"), 1);
    ev = wait_ev(HUANG, "emergency-unanswered", id, 3000);
    TC_CHECK(ev != NULL);
    json_decref(ev);
}

static void
test_time_to_join_from_the_log(void)
{
    double expect;
    size_t i;
    json_t *v, *row = NULL;

    TC_CHECK_EQ(
        http(HUANG, "GET",
             path("/api/v1/emergencies/%lld", (long long)joined_emergency),
             NULL),
        200);
    expect =
        (double)(logged_at(reply, "joined") - logged_at(reply, "raised")) /
        1e6;
    TC_CHECK(expect > 0 && expect < 30);
    TC_CHECK_EQ(http(HUANG, "GET", "/api/v1/stats/emergencies", NULL), 200);
    json_array_foreach(json_object_get(reply, "departments"), i, v)
    {
        if (g_strcmp0(jstr(v, "department"), "cardiology") == 0) {
            row = v;
        }
    }
    TC_CHECK(row != NULL);
    if (!row) {
        return;
    }
    printf("# cardiology: raised %lld, joined %lld, median %.3f s "
           "(log: %.3f s)\n",
           (long long)jint(row, "raised"), (long long)jint(row, "joined"),
           json_real_value(json_object_get(row, "join_s_median")), expect);
    TC_CHECK_EQ(jint(row, "raised"), 3);
    TC_CHECK_EQ(jint(row, "joined"), 1); /* the race's winner never joined */
    TC_CHECK_EQ(jint(row, "unanswered"), 1);
    TC_CHECK(fabs(json_real_value(json_object_get(row, "join_s_median")) -
                  expect) < 1e-3);
    TC_CHECK(fabs(json_real_value(json_object_get(row, "join_s_max")) -
                  expect) < 1e-3);
}

static void
test_ringing_survives_a_restart(void)
{
    g_autofree char *ini = g_build_filename(fx.dir, "t.ini", NULL);
    const char *args[] = {"--data-dir", fx.data_dir, "--config", ini, NULL};
    int exit_status = -1;
    long elapsed;
    int64_t id;

    clear_all();
    id = raise_for(cardio);
    TC_CHECK(id > 0);
    disconnect_all();
    TC_CHECK_EQ(tc_harness_stop(&fx.h, SIGTERM, 5000, &exit_status, &elapsed),
                0);
    TC_CHECK_EQ(exit_status, 0);
    tc_harness_fini(&fx.h);
    if (tc_harness_start(&fx.h, args) != 0) {
        TC_CHECK(!"restarted");
        return;
    }
    g_free(fx.http_url);
    g_free(fx.ws_url);
    fx.http_url = g_strdup_printf("http://127.0.0.1:%d", fx.h.port);
    fx.ws_url = g_strdup_printf("ws://127.0.0.1:%d/ws", fx.h.port);
    /* Nobody is connected: when the county tier's deadline passes, the
     * restarted server's own timer times it out, escalates, finds nobody
     * reachable at the city tier, and closes it unanswered. Without a
     * resumed timer it would ring forever. */
    for (int i = 0; i < 60; i++) {
        http(HUANG, "GET", path("/api/v1/emergencies/%lld", (long long)id),
             NULL);
        if (g_strcmp0(jstr(reply, "status"), "ringing") != 0) {
            break;
        }
        g_usleep(100 * 1000);
    }
    TC_CHECK_STR_EQ(jstr(reply, "status"), "unanswered");
    TC_CHECK_EQ(logged(reply, "rung"), 3);
    TC_CHECK_EQ(logged(reply, "timeout"), 1);
    TC_CHECK_EQ(logged(reply, "escalated"), 1);
    printf(
        "# rung -> timeout across the restart: %lld us\n",
        (long long)(logged_at(reply, "timeout") - logged_at(reply, "rung")));
    TC_CHECK(logged_at(reply, "timeout") - logged_at(reply, "rung") >=
             1999000);
    tc_harness_drain_log(&fx.h);
    TC_CHECK(fx.h.log && strstr(fx.h.log, "ringing resumed at tier 1"));
}

static void
test_accepted_but_never_joined_rings_again(void)
{
    int64_t id;
    json_t *ev;

    clear_all();
    id = raise_for(cardio);
    TC_CHECK(id > 0);
    json_decref(wait_ev(WANG, "emergency-ring", id, 3000));
    TC_CHECK_EQ(http(WANG, "POST",
                     path("/api/v1/emergencies/%lld/accept", (long long)id),
                     NULL),
                200);
    tpeer_clear(doc[ZHOU]);
    /* wang.fang never enters the room: after ring_timeout_s both sides
     * are told, and the county tier is rung again. */
    ev = wait_ev(HUANG, "emergency-dropped", id, 5000);
    TC_CHECK(ev != NULL);
    TC_CHECK_STR_EQ(jstr(ev, "reason"), "not-joined");
    json_decref(ev);
    ev = wait_ev(WANG, "emergency-dropped", id, 3000);
    TC_CHECK(ev != NULL);
    json_decref(ev);
    ev = wait_ev(ZHOU, "emergency-ring", id, 3000);
    TC_CHECK(ev != NULL);
    json_decref(ev);
    TC_CHECK_EQ(http(HUANG, "POST",
                     path("/api/v1/emergencies/%lld/end", (long long)id),
                     NULL),
                200);
    TC_CHECK_STR_EQ(jstr(reply, "status"), "cancelled");
    TC_CHECK_EQ(logged(reply, "dropped"), 1);
    ev = wait_ev(ZHOU, "emergency-cancelled", id, 3000);
    TC_CHECK(ev != NULL);
    json_decref(ev);
}

static long long
rows(const char *table)
{
    g_autofree char *p = g_build_filename(fx.data_dir, "telecare.db", NULL);
    g_autofree char *sql = g_strdup_printf("SELECT count(*) FROM %s", table);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;

    if (sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void
test_bad_input_names_the_field(void)
{
    long long before = rows("emergencies");
    static const struct {
        int who;
        const char *body;
        long status;
        const char *field;
    } bad[] = {
        {HUANG, "{\"resident_id\":3,\"department_id\":999,\"reason\":\"x\"}",
         404, "department_id"},
        {HUANG, "{\"resident_id\":3,\"department_id\":1}", 400, "reason"},
        {HUANG,
         "{\"resident_id\":3,\"department_id\":\"one\",\"reason\":"
         "\"x\"}",
         400, "department_id"},
        {HUANG,
         "{\"resident_id\":3,\"department_id\":1,\"reason\":\"x\","
         "\"colour\":1}",
         400, "colour"},
        /* Not the resident's care team: refused. */
        {ZHAO, "{\"resident_id\":3,\"department_id\":1,\"reason\":\"x\"}", 403,
         NULL},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        http(bad[i].who, "POST", "/api/v1/emergencies", bad[i].body);
        TC_CHECK_EQ(status, bad[i].status);
        if (bad[i].field) {
            TC_CHECK_STR_EQ(jstr(json_object_get(reply, "error"), "field"),
                            bad[i].field);
        }
    }
    TC_CHECK_EQ(http(HUANG, "POST", "/api/v1/emergencies/999/accept", NULL),
                404);
    TC_CHECK_EQ(rows("emergencies"), before);
}

int
main(void)
{
    if (sig_fixture_start(&fx, CONFIG) < 0) {
        printf("Bail out! fixture\n");
        return 1;
    }
    for (int i = 0; i < N_DOCS; i++) {
        token[i] = sig_token(&fx, names[i]);
        http(i, "GET", "/api/v1/me", NULL);
        pid[i] = jint(reply, "practitioner_id");
    }
    cardio = county_department("cardiology");
    emergency_dept = county_department("emergency");
    if (!connect_all() || !cardio || !emergency_dept) {
        printf("Bail out! doctors\n");
        return 1;
    }
    TC_RUN(test_three_rung_the_second_accepts);
    TC_RUN(test_a_specialist_who_drops_is_replaced);
    TC_RUN(test_two_accept_at_once_one_wins);
    TC_RUN(test_timeout_escalates_then_unanswered);
    TC_RUN(test_nobody_on_call_says_so_at_once);
    TC_RUN(test_time_to_join_from_the_log);
    TC_RUN(test_accepted_but_never_joined_rings_again);
    TC_RUN(test_bad_input_names_the_field);
    TC_RUN(test_ringing_survives_a_restart);
    disconnect_all();
    for (int i = 0; i < N_DOCS; i++) {
        tc_sdk_token_free(token[i]);
    }
    json_decref(reply);
    sig_fixture_fini(&fx);
    return tc_done();
}
