/* SPDX-License-Identifier: Apache-2.0 */
/*
 * workflow-fixture.h - what the directory/residents/contracts API tests
 * share: one real server per test program (rate limits off, so a long
 * script of requests is never answered 429), users made by the real
 * telecare-admin and signed in through the real login, JSON requests
 * with their status checked, and valid resident ID numbers.
 *
 * Everything here goes through the server's API: the data a test needs
 * is built by the requests under test. Header-only (static functions),
 * like tc-test.h: each test program includes it once.
 *
 * Thread: the test's main thread.
 */
#ifndef TC_WORKFLOW_FIXTURE_H
#define TC_WORKFLOW_FIXTURE_H

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>

#include "harness.h"
#include "tc-test.h"

#define FX_PASSWORD "correct horse battery"

struct fx {
    struct tc_harness h;
    char *dir; /* holds the config file */
};

/* Start the server with rate limits off. */
G_GNUC_UNUSED static int
fx_start(struct fx *fx)
{
    const char *args[] = {"--config", NULL, NULL};
    g_autofree char *path = NULL;

    fx->dir = tc_tmp_dir("workflow");
    path = g_build_filename(fx->dir, "t.ini", NULL);
    g_file_set_contents(path,
                        "[http]\nrate_per_address = 0\n"
                        "rate_per_account = 0\n",
                        -1, NULL);
    args[1] = path;
    return tc_harness_start(&fx->h, args);
}

/*
 * Stop the server with SIGTERM and check it exited 0 (under the
 * sanitizers: no error, no leak) and that its log holds none of the
 * `secrets` (NULL-terminated: names, ID numbers the test used).
 */
G_GNUC_UNUSED static void
fx_check_clean_stop(struct fx *fx, const char *const *secrets)
{
    int status = -2;
    long elapsed = 0;

    TC_CHECK_EQ(tc_harness_stop(&fx->h, SIGTERM, 10000, &status, &elapsed), 0);
    TC_CHECK_EQ(status, 0);
    tc_harness_drain_log(&fx->h);
    TC_CHECK(fx->h.log != NULL);
    TC_CHECK(strstr(fx->h.log, "runtime error") == NULL);
    for (size_t i = 0; fx->h.log && secrets[i]; i++) {
        if (strstr(fx->h.log, secrets[i])) {
            TC_FAIL_("the server's log holds \"%s\"", secrets[i]);
        }
    }
}

G_GNUC_UNUSED static void
fx_stop(struct fx *fx)
{
    tc_harness_fini(&fx->h);
    tc_rm_rf(fx->dir);
    free(fx->dir);
}

/* Run telecare-admin on the server's data directory with `input` on its
 * stdin; returns its exit status. */
G_GNUC_UNUSED static int
fx_admin(struct fx *fx, const char *input, const char *const *args)
{
    const char *bin = getenv("TC_ADMIN_BIN");
    const char *argv[16] = {bin, "--data-dir", fx->h.data_dir};
    int in_pipe[2], out_pipe[2], status = -1;
    size_t n = 3;
    char buf[512];
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
    while (read(out_pipe[0], buf, sizeof(buf)) > 0) {
    }
    close(out_pipe[0]);
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Create user `name` with `roles` (linked with link_opt "--practitioner",
 * "--resident" or "--carer" to link_id, or unlinked when link_opt is
 * NULL), sign in, and return the bearer token (g_free), or NULL.
 */
G_GNUC_UNUSED static char *
fx_user(struct fx *fx, const char *name, const char *roles,
        const char *link_opt, int64_t link_id)
{
    char id_text[24];
    const char *args[] = {"user-add", name, roles, link_opt, id_text, NULL};
    g_autofree char *body = NULL;
    struct tc_http_reply r;
    char *token = NULL;
    json_t *doc;

    snprintf(id_text, sizeof(id_text), "%lld", (long long)link_id);
    if (fx_admin(fx, FX_PASSWORD "\n", args) != 0) {
        printf("# user-add %s failed\n", name);
        return NULL;
    }
    body = g_strdup_printf("{\"username\":\"%s\",\"password\":\"%s\"}", name,
                           FX_PASSWORD);
    fx->h.bearer = NULL;
    if (tc_http(&fx->h, "POST", "/api/v1/login", body, strlen(body),
                "application/json", &r) == 0 &&
        r.status == 200) {
        doc = json_loads(r.body, 0, NULL);
        token = g_strdup(json_string_value(json_object_get(doc, "token")));
        json_decref(doc);
    } else {
        printf("# login %s failed\n", name);
    }
    tc_http_reply_fini(&r);
    return token;
}

/*
 * One request as `token` (NULL: none) with a JSON body (NULL: none).
 * Returns the status (-1 on a transport error); *out (may be NULL) gets
 * the parsed answer (json_decref; NULL when not JSON), *text (may be
 * NULL) its raw body (g_free).
 */
G_GNUC_UNUSED static long
fx_req(struct fx *fx, const char *token, const char *method, const char *path,
       const char *body, json_t **out, char **text)
{
    struct tc_http_reply r;
    long status = -1;

    if (out) {
        *out = NULL;
    }
    if (text) {
        *text = NULL;
    }
    fx->h.bearer = token;
    if (tc_http(&fx->h, method, path, body, body ? strlen(body) : 0,
                body ? "application/json" : NULL, &r) == 0) {
        status = r.status;
        if (out && r.body) {
            *out = json_loads(r.body, 0, NULL);
        }
        if (text) {
            *text = g_strdup(r.body ? r.body : "");
        }
        tc_http_reply_fini(&r);
    }
    fx->h.bearer = NULL;
    return status;
}

/* fx_req() expecting `want`: the parsed answer (an empty object for a
 * 204), or NULL after a TAP diagnostic naming the request and what came
 * back. */
G_GNUC_UNUSED static json_t *
fx_expect(struct fx *fx, const char *token, long want, const char *method,
          const char *path, const char *body)
{
    json_t *doc = NULL;
    char *text = NULL;
    long got = fx_req(fx, token, method, path, body, &doc, &text);

    if (got != want) {
        TC_FAIL_("%s %s: want %ld, got %ld %s", method, path, want, got,
                 text ? text : "");
        json_decref(doc);
        doc = NULL;
    } else if (!doc) {
        doc = json_object();
    }
    g_free(text);
    return doc;
}

/* The id member of an answer, or 0 (the answer is released). */
G_GNUC_UNUSED static int64_t
fx_id(json_t *doc)
{
    int64_t id = json_integer_value(json_object_get(doc, "id"));

    json_decref(doc);
    return id;
}

/* A formatted string (g_free). */
G_GNUC_UNUSED G_GNUC_PRINTF(1, 2) static char *fx_fmt(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return s;
}

/* How many items of a {"items": [...]} answer (the answer is released);
 * -1 when there is no such array. */
G_GNUC_UNUSED static long
fx_count(json_t *doc)
{
    json_t *items = json_object_get(doc, "items");
    long n = json_is_array(items) ? (long)json_array_size(items) : -1;

    json_decref(doc);
    return n;
}

/* A valid 18-character resident ID number (GB 11643-1999) for region
 * "330100", birth date YYYYMMDD and sequence 000..999 (odd: male), into
 * out[19]. */
G_GNUC_UNUSED static void
fx_id_number(const char *birth, int seq, char out[19])
{
    static const int weights[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                    3, 7, 9,  10, 5, 8, 4, 2};
    int sum = 0;

    snprintf(out, 19, "330100%.8s%03d", birth, seq % 1000);
    for (int i = 0; i < 17; i++) {
        sum += (out[i] - '0') * weights[i];
    }
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

#endif
