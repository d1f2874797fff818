// SPDX-License-Identifier: Apache-2.0
/*
 * test-http.c - the HTTP surface every endpoint shares, on the real
 * server: TLS with the self-signed certificate made at first start (and
 * reused), security headers, per-address rate limits with Retry-After,
 * path traversal, that plain HTTP is refused off loopback, and that a
 * request sent on a kept-alive connection the moment an answer without
 * a body arrives is answered as itself.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "harness.h"
#include "tc-server.h"
#include "tc-test.h"

static void
test_tls_with_self_signed_certificate(void)
{
    struct tc_harness h;
    struct tc_http_reply r;
    char *hsts, *key_path;
    struct stat sb;

    TC_REQUIRE(tc_harness_start_tls(&h, NULL) == 0);
    TC_CHECK_STR_CONTAINS(h.log, "made a self-signed certificate");
    /* curl verifies the chain against the server's own cert.pem and the
     * name 127.0.0.1 against its subjectAltName. */
    TC_CHECK_EQ(tc_http(&h, "GET", "/healthz", NULL, 0, NULL, &r), 0);
    TC_CHECK_EQ(r.status, 200);
    hsts = tc_http_reply_header(&r, "strict-transport-security");
    TC_CHECK_STR_CONTAINS(hsts, "max-age=");
    free(hsts);
    tc_http_reply_fini(&r);
    TC_REQUIRE(asprintf(&key_path, "%s/tls/key.pem", h.data_dir) > 0);
    TC_CHECK(stat(key_path, &sb) == 0 && (sb.st_mode & 077) == 0);
    free(key_path);
    tc_harness_fini(&h);
}

static void
test_security_headers_on_api_and_files(void)
{
    struct tc_harness h;
    struct tc_http_reply r;
    const char *paths[] = {"/healthz", "/"};

    TC_REQUIRE(tc_harness_start(&h, NULL) == 0);
    for (size_t i = 0; i < 2; i++) {
        char *csp, *nosniff, *frame, *hsts;
        TC_CHECK_EQ(tc_http(&h, "GET", paths[i], NULL, 0, NULL, &r), 0);
        TC_CHECK_EQ(r.status, 200);
        csp = tc_http_reply_header(&r, "content-security-policy");
        nosniff = tc_http_reply_header(&r, "x-content-type-options");
        frame = tc_http_reply_header(&r, "x-frame-options");
        hsts = tc_http_reply_header(&r, "strict-transport-security");
        TC_CHECK_STR_CONTAINS(csp, "default-src 'self'");
        TC_CHECK_STR_CONTAINS(csp, "frame-ancestors 'none'");
        TC_CHECK_STR_EQ(frame, "DENY");
        if (i == 0) {
            TC_CHECK_STR_EQ(nosniff, "nosniff");
        }
        TC_CHECK(hsts == NULL); /* no HSTS over plain loopback HTTP */
        free(csp);
        free(nosniff);
        free(frame);
        free(hsts);
        tc_http_reply_fini(&r);
    }
    tc_harness_fini(&h);
}

/* Start a server on a config file of `ini` in a new directory (*dir, to
 * remove and free); -1 if it cannot be written or the server not started. */
static int
start_with_ini(struct tc_harness *h, const char *ini, char **dir)
{
    char *cfg = NULL;
    const char *args[] = {"--config", NULL, NULL};
    int rc = -1;

    *dir = tc_tmp_dir("cfg");
    if (asprintf(&cfg, "%s/server.ini", *dir) > 0 &&
        g_file_set_contents(cfg, ini, -1, NULL)) {
        args[1] = cfg;
        rc = tc_harness_start(h, args);
    }
    free(cfg);
    return rc;
}

/* Send n GETs of /healthz as fast as they go; the number answered 200,
 * the index of the first 429 (n if none) in *first_429, the seconds they
 * took in *took_s. Every answer is a 200 or a 429 with Retry-After. */
static int
burst(struct tc_harness *h, int n, int *first_429, double *took_s)
{
    struct tc_http_reply r;
    int64_t t0 = g_get_monotonic_time();
    int ok = 0;

    *first_429 = n;
    for (int i = 0; i < n; i++) {
        TC_CHECK_EQ(tc_http(h, "GET", "/healthz", NULL, 0, NULL, &r), 0);
        if (r.status == 200) {
            ok++;
        } else if (r.status == 429) {
            char *retry = tc_http_reply_header(&r, "retry-after");
            TC_CHECK(retry && atoi(retry) >= 1);
            TC_CHECK_STR_CONTAINS(r.body, "too many requests");
            free(retry);
            if (*first_429 == n) {
                *first_429 = i;
            }
        } else {
            TC_FAIL_("request %d: status %ld", i, r.status);
        }
        tc_http_reply_fini(&r);
    }
    *took_s = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
    return ok;
}

/*
 * rate_per_address = 5: a burst of 10 (twice the rate) in a row, then
 * 429s; no more than the burst plus what 5 a second refilled while the
 * requests were being sent. After a second's pause, 5 more (the rate),
 * again no more than the refill allows.
 */
static void
test_rate_limit_per_address_answers_429(void)
{
    struct tc_harness h;
    char *dir = NULL;
    int ok, first_429, most;
    double took;

    TC_REQUIRE(start_with_ini(&h, "[http]\nrate_per_address = 5\n", &dir) ==
               0);
    ok = burst(&h, 30, &first_429, &took);
    most = 10 + (int)(took * 5) + 1;
    printf("# %d of 30 allowed in %.2f s (at most %d), first 429 at %d\n", ok,
           took, most, first_429);
    TC_CHECK(first_429 >= 10);
    TC_CHECK(ok >= 10 && ok <= most);
    TC_CHECK(first_429 < 30);
    usleep(1000 * 1000);
    ok = burst(&h, 15, &first_429, &took);
    most = 5 + (int)(took * 5) + 1;
    printf("# after 1 s: %d of 15 allowed in %.2f s (at most %d)\n", ok, took,
           most);
    TC_CHECK(first_429 >= 5);
    TC_CHECK(ok >= 5 && ok <= most);
    tc_harness_fini(&h);
    tc_rm_rf(dir);
    free(dir);
}

static void
test_path_traversal_serves_nothing(void)
{
    struct tc_harness h;
    struct tc_http_reply r;
    const char *paths[] = {
        "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd", "/api/../../../etc/passwd"};

    TC_REQUIRE(tc_harness_start(&h, NULL) == 0);
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        TC_CHECK_EQ(tc_http(&h, "GET", paths[i], NULL, 0, NULL, &r), 0);
        TC_CHECK(r.status >= 400 && r.status < 500);
        TC_CHECK(strstr(r.body, "root:") == NULL);
        tc_http_reply_fini(&r);
    }
    TC_CHECK_EQ(tc_http(&h, "GET", "/healthz", NULL, 0, NULL, &r), 0);
    TC_CHECK_EQ(r.status, 200);
    tc_http_reply_fini(&r);
    tc_harness_fini(&h);
}

static void
test_plain_http_off_loopback_is_refused(void)
{
    const char *args[] = {"--dev",
                          "--listen",
                          "0.0.0.0:0",
                          "--data-dir",
                          "/tmp/tc-never-created",
                          NULL};
    char *err = NULL;
    int status = -2;
    struct stat sb;

    TC_CHECK_EQ(tc_harness_run_to_exit(args, 20000, &status, &err), 0);
    TC_CHECK_EQ(status, TC_SRV_EXIT_CONFIG);
    TC_CHECK_STR_CONTAINS(err, "allowed only on a loopback address");
    TC_CHECK(stat("/tmp/tc-never-created", &sb) != 0);
    free(err);
}

/* Read one answer from `fd` into buf (NUL-terminated): its headers and
 * as many body bytes as its content-length says (none for `head`); -1 on
 * timeout (2 s), close or a missing content-length. */
static int
read_answer(int fd, char *buf, size_t cap, bool head)
{
    size_t len = 0;

    for (;;) {
        char *end, *cl;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        ssize_t n;

        buf[len] = 0;
        end = strstr(buf, "\r\n\r\n");
        if (end) {
            if (!(cl = strcasestr(buf, "content-length:"))) {
                return -1;
            }
            if (head || len >= (size_t)(end + 4 - buf) +
                                   (size_t)strtoul(cl + 15, NULL, 10)) {
                return 0;
            }
        }
        if (len + 1 >= cap || poll(&pfd, 1, 2000) <= 0 ||
            (n = read(fd, buf + len, cap - 1 - len)) <= 0) {
            return -1;
        }
        len += (size_t)n;
    }
}

/* HEAD (no body follows its headers), then at once a GET on the same
 * connection, 200 times: each GET gets its own answer with its body. A
 * server that completes the HEAD only at its next writable callback took
 * the GET's bytes, arriving first, for the HEAD's headers again (lws
 * 4.1), and the GET never got an answer: seen as a DELETE's 204 followed
 * by a lost GET in the web app. */
static void
test_keepalive_request_right_after_an_empty_answer(void)
{
    struct tc_harness h;
    struct sockaddr_in sa = {.sin_family = AF_INET};
    const char head[] = "HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
    const char get[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
    char buf[8192], *dir = NULL;
    int fd, ok = 0;

    TC_REQUIRE(start_with_ini(&h, "[http]\nrate_per_address = 0\n", &dir) ==
               0);
    sa.sin_port = htons((uint16_t)h.port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    TC_REQUIRE(fd >= 0);
    TC_REQUIRE(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    for (int i = 0; i < 200; i++) {
        if (write(fd, head, sizeof(head) - 1) != sizeof(head) - 1 ||
            read_answer(fd, buf, sizeof(buf), true) < 0 ||
            strncmp(buf, "HTTP/1.1 200", 12) != 0) {
            TC_FAIL_("HEAD %d: %.40s", i, buf);
            break;
        }
        if (write(fd, get, sizeof(get) - 1) != sizeof(get) - 1 ||
            read_answer(fd, buf, sizeof(buf), false) < 0 ||
            strncmp(buf, "HTTP/1.1 200", 12) != 0 ||
            !strstr(buf, "\r\n\r\n{\"status\"")) {
            TC_FAIL_("GET %d after HEAD: no answer of its own: %.60s", i, buf);
            break;
        }
        ok++;
    }
    TC_CHECK_EQ(ok, 200);
    close(fd);
    tc_harness_fini(&h);
    tc_rm_rf(dir);
    free(dir);
}

int
main(void)
{
    TC_RUN(test_tls_with_self_signed_certificate);
    TC_RUN(test_security_headers_on_api_and_files);
    TC_RUN(test_rate_limit_per_address_answers_429);
    TC_RUN(test_path_traversal_serves_nothing);
    TC_RUN(test_plain_http_off_loopback_is_refused);
    TC_RUN(test_keepalive_request_right_after_an_empty_answer);
    return tc_done();
}
