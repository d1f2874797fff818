// SPDX-License-Identifier: Apache-2.0
/*
 * test-http.c - the HTTP surface every endpoint shares, on the real
 * server: TLS with the self-signed certificate made at first start (and
 * reused), security headers, per-address rate limits with Retry-After,
 * path traversal, and that plain HTTP is refused off loopback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static void
test_rate_limit_per_address_answers_429(void)
{
    struct tc_harness h;
    struct tc_http_reply r;
    char *dir = tc_tmp_dir("cfg"), *cfg;
    const char *args[] = {"--config", NULL, NULL};
    int ok = 0, limited = 0;
    FILE *f;

    TC_REQUIRE(asprintf(&cfg, "%s/rate.ini", dir) > 0);
    f = fopen(cfg, "w");
    TC_REQUIRE(f);
    fputs("[http]\nrate_per_address = 5\n", f);
    fclose(f);
    args[1] = cfg;
    TC_REQUIRE(tc_harness_start(&h, args) == 0);
    /* A burst of 10 is allowed (twice the rate); then 429s. */
    for (int i = 0; i < 30; i++) {
        TC_CHECK_EQ(tc_http(&h, "GET", "/healthz", NULL, 0, NULL, &r), 0);
        if (r.status == 200) {
            ok++;
        } else if (r.status == 429) {
            char *retry = tc_http_reply_header(&r, "retry-after");
            TC_CHECK(retry && atoi(retry) >= 1);
            TC_CHECK_STR_CONTAINS(r.body, "too many requests");
            free(retry);
            limited++;
        }
        tc_http_reply_fini(&r);
    }
    printf("# %d allowed, %d limited\n", ok, limited);
    TC_CHECK(ok >= 10 && ok < 30);
    TC_CHECK_EQ(ok + limited, 30);
    tc_harness_fini(&h);
    tc_rm_rf(dir);
    free(cfg);
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

int
main(void)
{
    TC_RUN(test_tls_with_self_signed_certificate);
    TC_RUN(test_security_headers_on_api_and_files);
    TC_RUN(test_rate_limit_per_address_answers_429);
    TC_RUN(test_path_traversal_serves_nothing);
    TC_RUN(test_plain_http_off_loopback_is_refused);
    return tc_done();
}
