// SPDX-License-Identifier: Apache-2.0
/*
 * bench-emergency.c - how fast an emergency consultation rings its
 * specialists (issue 11): a real server on the demo county with
 * MAX_ONLINE more on-call cardiologists at the county hospital, each a
 * real SDK signaling client; the township doctor raises an emergency over
 * HTTP and the clock stops when the last online specialist has the
 * `emergency-ring` event. Rounds with 1, 10 and MAX_ONLINE of them
 * online, and, in the same run, a plain authenticated GET /api/v1/me as
 * the baseline the ratios are taken against. Medians; asserts nothing.
 *
 *   meson test -C build --benchmark --suite bench emergency
 *
 * The extra specialists' sessions are written straight into the records
 * (a random token, its SHA-256 stored as a login would), so the bench
 * spends no time hashing passwords.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>

#include "harness.h"
#include "tc-client.h"
#include "tc-records.h"

#define MAX_ONLINE 100
#define ROUNDS     15

struct doctor {
    char token[64];
    struct tc_sdk_client *c;
    int64_t last_ring; /* emergency id of the last ring seen */
    bool ready;
};

static struct doctor doctors[MAX_ONLINE];
static char huang_token[64];

static int
seed_demo(const char *data_dir)
{
    const char *bin = getenv("TC_ADMIN_BIN");
    int status = -1;
    pid_t pid = fork();

    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        execl(bin, bin, "--data-dir", data_dir, "seed-demo", (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* A session for `user_id` whose bearer token goes into token[64]. */
static int
session(struct tc_rec_db *db, int64_t user_id, char token[64])
{
    guint8 raw[32], hash[32];
    gsize hash_len = sizeof(hash);
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_autofree char *b64 = NULL;
    size_t n = 0;

    for (size_t i = 0; i < sizeof(raw); i++) {
        raw[i] = (guint8)g_random_int_range(0, 256);
    }
    b64 = g_base64_encode(raw, sizeof(raw));
    for (char *p = b64; *p && *p != '='; p++) {
        token[n++] = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    }
    token[n] = '\0';
    g_checksum_update(sum, raw, sizeof(raw));
    g_checksum_get_digest(sum, hash, &hash_len);
    return tc_rec_session_create(db, hash, user_id, g_get_real_time(),
                                 3600LL * G_USEC_PER_SEC, "127.0.0.1");
}

/* MAX_ONLINE cardiologists on call this hour at the county's
 * cardiology, each with a login and a session; and huang.xiaoyan's. */
static int
seed_doctors(const char *data_dir)
{
    g_autofree char *path = g_build_filename(data_dir, "telecare.db", NULL);
    struct tc_rec_department_list *depts = NULL;
    struct tc_rec_user *zhou = NULL, *huang = NULL;
    struct tc_rec_db *db = NULL;
    int64_t now = g_get_real_time(), cardio = 0, county = 0;
    int rc = tc_rec_open(path, &db);

    rc = rc ? rc : tc_rec_user_get_by_username(db, "zhou.ming", &zhou);
    rc = rc ? rc : tc_rec_user_get_by_username(db, "huang.xiaoyan", &huang);
    rc = rc ? rc : tc_rec_department_list(db, 0, "cardiology", &depts);
    for (size_t i = 0; rc == 0 && i < depts->count; i++) {
        if (depts->items[i].org_kind == TC_REC_ORG_COUNTY_HOSPITAL) {
            cardio = depts->items[i].id;
            county = depts->items[i].organization_id;
        }
    }
    rc = rc ? rc : tc_rec_tx_begin(db);
    for (int i = 0; rc == 0 && i < MAX_ONLINE; i++) {
        char name[32], username[32];
        struct tc_rec_practitioner p = {.name = name, .created_at_us = now};
        struct tc_rec_practitioner_role r = {.organization_id = county,
                                             .role = TC_REC_ROLE_DOCTOR,
                                             .department = "cardiology"};
        struct tc_rec_oncall_shift s = {.department_id = cardio,
                                        .starts_at_us = now - G_USEC_PER_SEC,
                                        .ends_at_us =
                                            now + 3600LL * G_USEC_PER_SEC,
                                        .created_at_us = now};
        struct tc_rec_user u = {.username = username,
                                .password_hash = zhou->password_hash,
                                .roles =
                                    TC_REC_USER_ROLE_BIT(TC_REC_USER_DOCTOR),
                                .created_at_us = now};
        int64_t id, uid;
        g_snprintf(name, sizeof(name), "Bench %d", i);
        g_snprintf(username, sizeof(username), "bench.%d", i);
        rc = tc_rec_practitioner_create(db, &p, &id);
        r.practitioner_id = s.practitioner_id = u.practitioner_id = id;
        rc = rc ? rc : tc_rec_practitioner_role_add(db, &r, &id);
        rc = rc ? rc : tc_rec_oncall_add(db, &s, &id);
        rc = rc ? rc : tc_rec_user_create(db, &u, &uid);
        rc = rc ? rc : session(db, uid, doctors[i].token);
    }
    rc = rc ? rc : session(db, huang->id, huang_token);
    rc = rc ? rc : tc_rec_tx_commit(db);
    if (rc < 0) {
        fprintf(stderr, "bench-emergency: %s\n",
                db ? tc_rec_errmsg(db) : "open");
    }
    tc_rec_department_list_free(depts);
    tc_rec_user_free(zhou);
    tc_rec_user_free(huang);
    tc_rec_close(db);
    return rc;
}

static void
on_welcome(struct tc_sdk_client *c, const struct tc_sdk_welcome *w, void *d)
{
    ((struct doctor *)d)->ready = true;
}

static void
on_message(struct tc_sdk_client *c, const char *type, const char *json,
           void *d)
{
    json_t *msg;

    if (strcmp(type, "emergency-ring") != 0) {
        return;
    }
    msg = json_loads(json, 0, NULL);
    ((struct doctor *)d)->last_ring =
        json_integer_value(json_object_get(msg, "emergency"));
    json_decref(msg);
}

static const struct tc_sdk_callbacks callbacks = {
    .welcome = on_welcome,
    .message = on_message,
};

static bool
spin_until(bool (*done)(int), int arg, int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000LL;

    while (!done(arg) && g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
    }
    return done(arg);
}

static bool
all_ready(int n)
{
    for (int i = 0; i < n; i++) {
        if (!doctors[i].ready) {
            return false;
        }
    }
    return true;
}

static int64_t ringing_id;

static bool
all_rung(int n)
{
    for (int i = 0; i < n; i++) {
        if (doctors[i].last_ring != ringing_id) {
            return false;
        }
    }
    return true;
}

static int
cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static long
post(struct tc_harness *h, const char *path, const char *body, json_t **out)
{
    struct tc_http_reply r;
    long status = -1;

    h->bearer = huang_token;
    if (tc_http(h, body ? "POST" : "GET", path, body, body ? strlen(body) : 0,
                body ? "application/json" : NULL, &r) == 0) {
        status = r.status;
        if (out) {
            *out = json_loads(r.body, 0, NULL);
        }
    }
    tc_http_reply_fini(&r);
    return status;
}

/* One round: raise, wait for every online doctor's ring, end it.
 * Milliseconds from before the POST to the last ring. */
static double
round_ms(struct tc_harness *h, int online, int64_t cardio)
{
    char body[160], path[64];
    gint64 t0 = g_get_monotonic_time();
    json_t *doc = NULL;
    double ms;

    g_snprintf(body, sizeof(body),
               "{\"resident_id\":3,\"department_id\":%lld,"
               "\"reason\":\"bench\"}",
               (long long)cardio);
    if (post(h, "/api/v1/emergencies", body, &doc) != 201) {
        json_decref(doc);
        return -1;
    }
    ringing_id = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    if (!spin_until(all_rung, online, 10000)) {
        return -1;
    }
    ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
    g_snprintf(path, sizeof(path), "/api/v1/emergencies/%lld/end",
               (long long)ringing_id);
    post(h, path, "{}", NULL);
    return ms;
}

static double
baseline_ms(struct tc_harness *h)
{
    double v[ROUNDS];

    for (int r = 0; r < ROUNDS; r++) {
        gint64 t0 = g_get_monotonic_time();
        post(h, "/api/v1/me", NULL, NULL);
        v[r] = (double)(g_get_monotonic_time() - t0) / 1000.0;
    }
    return median(v, ROUNDS);
}

int
main(void)
{
    g_autofree char *dir = tc_tmp_dir("bench-emergency");
    g_autofree char *data = g_build_filename(dir, "data", NULL);
    g_autofree char *ini = g_build_filename(dir, "t.ini", NULL);
    g_autofree char *ws = NULL;
    const char *args[] = {"--data-dir", data, "--config", ini, NULL};
    static const int online[] = {1, 10, MAX_ONLINE};
    struct tc_harness h = {.err_fd = -1};
    int64_t cardio = 1; /* the demo's first department */
    int rc = 1;

    g_file_set_contents(ini,
                        "[emergency]\nring_timeout_s = 600\n"
                        "[http]\nrate_per_address = 0\nrate_per_account = 0\n",
                        -1, NULL);
    if (seed_demo(data) < 0 || seed_doctors(data) < 0 ||
        tc_harness_start(&h, args) < 0) {
        fprintf(stderr, "bench-emergency: fixture failed\n");
        tc_harness_fini(&h);
        tc_rm_rf(dir);
        return 1;
    }
    ws = g_strdup_printf("ws://127.0.0.1:%d/ws", h.port);
    for (int i = 0; i < MAX_ONLINE; i++) {
        struct tc_sdk_client_opts o = {.url = ws, .token = doctors[i].token};
        if (tc_sdk_client_new(&o, &callbacks, &doctors[i], &doctors[i].c) <
            0) {
            goto out;
        }
    }
    printf("emergency ringing: median of %d rounds, ms from raising (HTTP "
           "POST) to the last online specialist's emergency-ring\n",
           ROUNDS);
    for (size_t k = 0; k < G_N_ELEMENTS(online); k++) {
        double v[ROUNDS], base;
        for (int i = 0; i < online[k]; i++) {
            if (!doctors[i].ready) {
                tc_sdk_client_start(doctors[i].c);
            }
        }
        if (!spin_until(all_ready, online[k], 20000)) {
            fprintf(stderr, "bench-emergency: clients not ready\n");
            goto out;
        }
        for (int r = 0; r < ROUNDS; r++) {
            v[r] = round_ms(&h, online[k], cardio);
            if (v[r] < 0) {
                fprintf(stderr, "bench-emergency: round failed\n");
                goto out;
            }
        }
        base = baseline_ms(&h);
        printf("  online %3d: raise->last ring %.2f ms; GET /me %.2f ms; "
               "ratio %.1f\n",
               online[k], median(v, ROUNDS), base, median(v, ROUNDS) / base);
    }
    rc = 0;
out:
    for (int i = 0; i < MAX_ONLINE; i++) {
        tc_sdk_client_free(doctors[i].c);
    }
    tc_harness_fini(&h);
    tc_rm_rf(dir);
    return rc;
}
