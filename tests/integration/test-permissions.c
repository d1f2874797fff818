// SPDX-License-Identifier: Apache-2.0
/*
 * test-permissions.c - the access policy end to end, on the demo county
 * (`telecare-admin seed-demo`): every role's account reads each kind of
 * record of a related and of an unrelated resident, and the status code is
 * what docs/security.md says; every refusal is on the resident's audit
 * trail. Then the consultation closes and its specialist loses access.
 *
 * The demo county: residents 1 王秀英 (team 1, rehab plan with lin.jing,
 * carer li.mei), 2 李建国 (team 1), 3 张桂兰 (team 2, consultation 1 by
 * huang.xiaoyan accepted by zhou.ming, ECG study 1 assigned to sun.lihua),
 * 4 陈淑珍 (team 2), 5 刘伟 (no contract). Teams: 1 at 城关镇 (chen.jianping,
 * a nurse, lin.jing), 2 at 河口乡 (ma.yumei, a nurse).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>

#include "harness.h"
#include "tc-test.h"

#define MAX_USERS 16

struct account {
    char username[32];
    char password[64];
    char *token;
};

static struct account accounts[MAX_USERS];
static int n_accounts;

static int
seed_demo(const char *data_dir)
{
    const char *admin = getenv("TC_ADMIN_BIN");
    char *accounts_file;
    pid_t pid;
    int status;
    FILE *f;

    if (!admin || asprintf(&accounts_file, "%s/accounts.txt", data_dir) < 0) {
        return -1;
    }
    pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        execl(admin, admin, "--data-dir", data_dir, "seed-demo",
              "--accounts-file", accounts_file, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    f = fopen(accounts_file, "r");
    free(accounts_file);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !f) {
        return -1;
    }
    while (n_accounts < MAX_USERS &&
           fscanf(f, "%31s %63s %*s", accounts[n_accounts].username,
                  accounts[n_accounts].password) == 2) {
        n_accounts++;
    }
    fclose(f);
    return n_accounts >= 12 ? 0 : -1;
}

static struct account *
account(const char *username)
{
    for (int i = 0; i < n_accounts; i++) {
        if (strcmp(accounts[i].username, username) == 0) {
            return &accounts[i];
        }
    }
    return NULL;
}

static int
login_all(struct tc_harness *h)
{
    for (int i = 0; i < n_accounts; i++) {
        struct tc_http_reply r;
        char *body;
        json_t *doc;

        if (asprintf(&body, "{\"username\":\"%s\",\"password\":\"%s\"}",
                     accounts[i].username, accounts[i].password) < 0 ||
            tc_http(h, "POST", "/api/v1/login", body, strlen(body),
                    "application/json", &r) < 0) {
            return -1;
        }
        free(body);
        doc = json_loads(r.body, 0, NULL);
        if (r.status != 200 ||
            !json_is_string(json_object_get(doc, "token"))) {
            printf("# login %s: %ld\n", accounts[i].username, r.status);
            json_decref(doc);
            tc_http_reply_fini(&r);
            return -1;
        }
        accounts[i].token =
            strdup(json_string_value(json_object_get(doc, "token")));
        json_decref(doc);
        tc_http_reply_fini(&r);
    }
    return 0;
}

/* GET path as `user`; the status. */
static long
get_as(struct tc_harness *h, const char *user, const char *path)
{
    struct account *a = account(user);
    struct tc_http_reply r;
    long status;

    if (!a) {
        return -1;
    }
    h->bearer = a->token;
    if (tc_http(h, "GET", path, NULL, 0, NULL, &r) < 0) {
        h->bearer = NULL;
        return -1;
    }
    h->bearer = NULL;
    status = r.status;
    tc_http_reply_fini(&r);
    return status;
}

struct cell {
    const char *user;
    const char *path;
    long status;
};

static const struct cell matrix[] = {
    /* family doctors: their team's residents only */
    {"chen.jianping", "/api/v1/residents/1", 200},
    {"chen.jianping", "/api/v1/residents/1/contracts", 200},
    {"chen.jianping", "/api/v1/residents/1/rehab-plans", 200},
    {"chen.jianping", "/api/v1/residents/3", 403},
    {"chen.jianping", "/api/v1/residents/3/contracts", 403},
    {"chen.jianping", "/api/v1/residents/5", 403},
    {"chen.jianping", "/api/v1/residents/1/audit", 403},
    {"ma.yumei", "/api/v1/residents/3", 200},
    {"ma.yumei", "/api/v1/residents/4/contracts", 200},
    {"ma.yumei", "/api/v1/residents/1", 403},
    {"ma.yumei", "/api/v1/residents/1/rehab-plans", 403},
    /* the therapist: the resident on their plan */
    {"lin.jing", "/api/v1/residents/1", 200},
    {"lin.jing", "/api/v1/residents/1/rehab-plans", 200},
    {"lin.jing", "/api/v1/residents/3", 403},
    {"lin.jing", "/api/v1/residents/4/rehab-plans", 403},
    /* consultation participants while it is open */
    {"zhou.ming", "/api/v1/residents/3", 200},
    {"zhou.ming", "/api/v1/consultations/1", 200},
    {"zhou.ming", "/api/v1/residents/1", 403},
    {"huang.xiaoyan", "/api/v1/consultations/1", 200},
    {"huang.xiaoyan", "/api/v1/residents/4", 200}, /* her township */
    {"huang.xiaoyan", "/api/v1/residents/1", 403},
    {"zheng.haitao", "/api/v1/residents/3", 403},
    {"zheng.haitao", "/api/v1/consultations/1", 403},
    /* readers: the study assigned to them, not the record */
    {"sun.lihua", "/api/v1/ecg-studies/1", 200},
    {"sun.lihua", "/api/v1/residents/3", 403},
    {"wu.gang", "/api/v1/ecg-studies/1", 403},
    {"ma.yumei", "/api/v1/ecg-studies/1", 200},
    {"chen.jianping", "/api/v1/ecg-studies/1", 403},
    /* the resident and their carer */
    {"wang.xiuying", "/api/v1/residents/1", 200},
    {"wang.xiuying", "/api/v1/residents/1/contracts", 200},
    {"wang.xiuying", "/api/v1/residents/1/audit", 200},
    {"wang.xiuying", "/api/v1/residents/2", 403},
    {"li.mei", "/api/v1/residents/1", 200},
    {"li.mei", "/api/v1/residents/1/audit", 200},
    {"li.mei", "/api/v1/residents/3", 403},
    /* auditor and admin: no clinical content */
    {"auditor", "/api/v1/residents/1/audit", 200},
    {"auditor", "/api/v1/residents/1", 403},
    {"admin", "/api/v1/residents/1", 403},
    {"admin", "/api/v1/organizations", 200},
    {"wang.xiuying", "/api/v1/organizations", 200},
};

/* The resident a path is about (the audit trail to look in), or 0. */
static int
resident_of(const char *path)
{
    if (strncmp(path, "/api/v1/residents/", 18) == 0) {
        return atoi(path + 18);
    }
    if (strcmp(path, "/api/v1/consultations/1") == 0 ||
        strcmp(path, "/api/v1/ecg-studies/1") == 0) {
        return 3;
    }
    return 0;
}

/* How many events on resident's audit trail (read by the auditor) are by
 * `user` with `outcome`, and, when not NULL, with `purpose` and `detail`;
 * -1 when the trail cannot be read. A count, not a yes/no: a check made
 * after a request compares it with the count before, so an older event
 * (an earlier refusal of the same user) cannot stand in for a missing one. */
static long
audit_count(struct tc_harness *h, const char *user, int resident,
            const char *outcome, const char *purpose, const char *detail)
{
    struct account *a = account("auditor");
    struct tc_http_reply r;
    char path[64];
    json_t *doc, *items, *ev;
    size_t i;
    long n = 0;

    snprintf(path, sizeof(path), "/api/v1/residents/%d/audit?limit=200",
             resident);
    h->bearer = a->token;
    if (tc_http(h, "GET", path, NULL, 0, NULL, &r) < 0) {
        h->bearer = NULL;
        return -1;
    }
    h->bearer = NULL;
    doc = json_loads(r.body, 0, NULL);
    items = json_object_get(doc, "items");
    if (r.status != 200 || !json_is_array(items) ||
        json_array_size(items) >= 200) {
        /* not readable, or a full page: older events may be cut off */
        printf("# audit trail of resident %d: %ld, %zu items\n", resident,
               r.status, json_array_size(items));
        n = -1;
    }
    json_array_foreach(items, i, ev)
    {
        const char *actor = json_string_value(json_object_get(ev, "actor"));
        const char *out = json_string_value(json_object_get(ev, "outcome"));
        const char *why = json_string_value(json_object_get(ev, "purpose"));
        const char *rule = json_string_value(json_object_get(ev, "detail"));
        if (n >= 0 && g_strcmp0(actor, user) == 0 &&
            g_strcmp0(out, outcome) == 0 &&
            (!purpose || g_strcmp0(why, purpose) == 0) &&
            (!detail || g_strcmp0(rule, detail) == 0)) {
            n++;
        }
    }
    json_decref(doc);
    tc_http_reply_fini(&r);
    return n;
}

static long
denials(struct tc_harness *h, const char *user, int resident)
{
    return audit_count(h, user, resident, "denied", NULL, NULL);
}

static struct tc_harness h;

static void
test_every_role_against_related_and_unrelated_residents(void)
{
    for (size_t i = 0; i < sizeof(matrix) / sizeof(matrix[0]); i++) {
        const struct cell *c = &matrix[i];
        int resident = resident_of(c->path);
        bool audited = c->status == 403 && resident > 0;
        long before = audited ? denials(&h, c->user, resident) : 0;
        long got = get_as(&h, c->user, c->path);

        if (got != c->status) {
            printf("# %s GET %s: %ld, want %ld\n", c->user, c->path, got,
                   c->status);
        }
        TC_CHECK_EQ(got, c->status);
        if (audited) {
            long after = denials(&h, c->user, resident);
            if (before < 0 || after != before + 1) {
                printf("# %s GET %s: %ld denied events on resident %d's "
                       "trail before, %ld after (want one more)\n",
                       c->user, c->path, before, resident, after);
            }
            TC_CHECK(before >= 0 && after == before + 1);
        }
    }
}

static void
test_break_glass_needs_a_reason_and_is_audited(void)
{
    static const char reason[] = "patient unconscious in township clinic";
    struct account *a = account("zheng.haitao");
    struct tc_http_reply r;
    long before =
        audit_count(&h, "zheng.haitao", 3, "success", reason, "break-glass");

    /* Without a reason: refused (the matrix checks that). With one:
     * allowed, audited with the reason as its purpose and the break-glass
     * rule, and logged loudly. */
    TC_CHECK_EQ(before, 0);
    h.bearer = a->token;
    h.access_reason = reason;
    TC_CHECK_EQ(tc_http(&h, "GET", "/api/v1/residents/3", NULL, 0, NULL, &r),
                0);
    h.access_reason = NULL;
    h.bearer = NULL;
    TC_CHECK_EQ(r.status, 200);
    tc_http_reply_fini(&r);
    TC_CHECK_EQ(
        audit_count(&h, "zheng.haitao", 3, "success", reason, "break-glass"),
        1);
    tc_harness_drain_log(&h);
    TC_CHECK_STR_CONTAINS(h.log, "BREAK-GLASS");
}

static long
post_as(const char *user, const char *path, const char *body)
{
    struct tc_http_reply r;
    long status;

    h.bearer = account(user)->token;
    if (tc_http(&h, "POST", path, body, strlen(body), "application/json", &r) <
        0) {
        h.bearer = NULL;
        return -1;
    }
    h.bearer = NULL;
    status = r.status;
    if (status >= 300) {
        printf("# POST %s: %ld %s\n", path, status, r.body);
    }
    tc_http_reply_fini(&r);
    return status;
}

static void
test_specialist_loses_access_when_the_consultation_closes(void)
{
    long before;

    TC_CHECK_EQ(get_as(&h, "zhou.ming", "/api/v1/residents/3"), 200);
    TC_CHECK_EQ(post_as("zhou.ming", "/api/v1/consultations/1/start", "{}"),
                200);
    TC_CHECK_EQ(post_as("zhou.ming", "/api/v1/consultations/1/complete",
                        "{\"opinion\":\"Stable angina; outpatient "
                        "follow-up.\"}"),
                200);
    before = denials(&h, "zhou.ming", 3);
    TC_CHECK_EQ(get_as(&h, "zhou.ming", "/api/v1/residents/3"), 403);
    TC_CHECK(before >= 0);
    TC_CHECK_EQ(denials(&h, "zhou.ming", 3), before + 1);
    /* The township doctor keeps her township rule. */
    TC_CHECK_EQ(get_as(&h, "huang.xiaoyan", "/api/v1/residents/3"), 200);
}

int
main(void)
{
    char *dir = tc_tmp_dir("perm"), *data;
    const char *args[] = {"--data-dir", NULL, "--config", NULL, NULL};
    char *cfg;
    FILE *f;

    if (asprintf(&data, "%s/data", dir) < 0 ||
        asprintf(&cfg, "%s/perm.ini", dir) < 0 || seed_demo(data) < 0) {
        printf("Bail out! cannot seed the demo county\n");
        return 1;
    }
    f = fopen(cfg, "w");
    fputs("[http]\nrate_per_address = 0\nrate_per_account = 0\n", f);
    fclose(f);
    args[1] = data;
    args[3] = cfg;
    if (tc_harness_start(&h, args) < 0 || login_all(&h) < 0) {
        printf("Bail out! cannot start the server or log in\n");
        return 1;
    }
    TC_RUN(test_every_role_against_related_and_unrelated_residents);
    TC_RUN(test_break_glass_needs_a_reason_and_is_audited);
    TC_RUN(test_specialist_loses_access_when_the_consultation_closes);
    tc_harness_fini(&h);
    for (int i = 0; i < n_accounts; i++) {
        free(accounts[i].token);
    }
    tc_rm_rf(dir);
    free(data);
    free(cfg);
    free(dir);
    return tc_done();
}
