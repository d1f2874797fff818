// SPDX-License-Identifier: Apache-2.0
/*
 * test-config.c - the server configuration: defaults, every key with good
 * and bad values, unknown groups and keys, and that a failed load changes
 * nothing. Every error names its key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tc-server.h"
#include "tc-test.h"

static int
load(struct tc_srv_config *cfg, const char *text, char **err)
{
    return tc_srv_config_load_data(cfg, text, strlen(text), err);
}

static void
test_defaults(void)
{
    struct tc_srv_config *cfg = tc_srv_config_new();

    TC_CHECK_STR_EQ(cfg->listen_host, "127.0.0.1");
    TC_CHECK_EQ(cfg->listen_port, 8080);
    TC_CHECK_STR_EQ(cfg->data_dir, "./var");
    TC_CHECK(cfg->web_root && cfg->web_root[0] == '/');
    TC_CHECK_EQ(cfg->shutdown_timeout_ms, 2000);
    TC_CHECK_EQ(cfg->max_body_bytes, 1024 * 1024);
    TC_CHECK_EQ(cfg->log_level, TC_SRV_LOG_INFO);
    tc_srv_config_free(cfg);
}

static void
test_every_key_accepts_a_good_value(void)
{
    struct tc_srv_config *cfg = tc_srv_config_new();
    char *err = NULL;

    TC_CHECK_EQ(load(cfg,
                     "# a comment\n"
                     "[server]\n"
                     "listen = 0.0.0.0:9443\n"
                     "data_dir = /srv/telecare\n"
                     "web_root = /usr/share/telecare/web\n"
                     "shutdown_timeout_ms = 5000\n"
                     "[http]\n"
                     "max_body_bytes = 65536\n"
                     "[log]\n"
                     "level = debug\n",
                     &err),
                0);
    TC_CHECK(err == NULL);
    TC_CHECK_STR_EQ(cfg->listen_host, "0.0.0.0");
    TC_CHECK_EQ(cfg->listen_port, 9443);
    TC_CHECK_STR_EQ(cfg->data_dir, "/srv/telecare");
    TC_CHECK_STR_EQ(cfg->web_root, "/usr/share/telecare/web");
    TC_CHECK_EQ(cfg->shutdown_timeout_ms, 5000);
    TC_CHECK_EQ(cfg->max_body_bytes, 65536);
    TC_CHECK_EQ(cfg->log_level, TC_SRV_LOG_DEBUG);
    tc_srv_config_free(cfg);
}

static void
test_listen_forms(void)
{
    struct tc_srv_config *cfg = tc_srv_config_new();

    TC_CHECK_EQ(tc_srv_config_set(cfg, "server", "listen", "[::1]:8443", NULL),
                0);
    TC_CHECK_STR_EQ(cfg->listen_host, "::1");
    TC_CHECK_EQ(cfg->listen_port, 8443);
    TC_CHECK_EQ(
        tc_srv_config_set(cfg, "server", "listen", "127.0.0.1:0", NULL), 0);
    TC_CHECK_EQ(cfg->listen_port, 0);
    tc_srv_config_free(cfg);
}

struct bad_case {
    const char *text;
    const char *must_say;
};

static void
test_bad_values_name_their_key(void)
{
    static const struct bad_case cases[] = {
        {"[server]\nlisten = 127.0.0.1\n", "[server] listen"},
        {"[server]\nlisten = localhost:80\n", "not an IP address"},
        {"[server]\nlisten = 127.0.0.1:65536\n", "[server] listen: port"},
        {"[server]\nlisten = 127.0.0.1:-1\n", "[server] listen"},
        {"[server]\nlisten = [::1:80\n", "[server] listen"},
        {"[server]\ndata_dir =\n", "[server] data_dir: must not be empty"},
        {"[server]\nweb_root =\n", "[server] web_root"},
        {"[server]\nshutdown_timeout_ms = 99\n",
         "[server] shutdown_timeout_ms: '99' is not an integer in"},
        {"[server]\nshutdown_timeout_ms = 2s\n",
         "[server] shutdown_timeout_ms"},
        {"[http]\nmax_body_bytes = 12\n", "[http] max_body_bytes"},
        {"[http]\nmax_body_bytes = lots\n", "[http] max_body_bytes"},
        {"[log]\nlevel = loud\n",
         "[log] level: 'loud' is not one of error, warning, info, debug"},
        {"[server]\nlsten = 127.0.0.1:80\n", "[server] lsten: unknown key"},
        {"[srver]\nlisten = 127.0.0.1:80\n", "unknown group [srver]"},
        {"listen = 127.0.0.1:80\n", "config:"},
        {"[server\n", "config:"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_srv_config *cfg = tc_srv_config_new();
        char *err = NULL;
        int rc = load(cfg, cases[i].text, &err);

        if (rc != -EINVAL) {
            printf("# case %zu: rc %d\n", i, rc);
        }
        TC_CHECK_EQ(rc, -EINVAL);
        TC_CHECK_STR_CONTAINS(err, cases[i].must_say);
        free(err);
        tc_srv_config_free(cfg);
    }
}

static void
test_failed_load_changes_nothing(void)
{
    struct tc_srv_config *cfg = tc_srv_config_new();
    char *err = NULL;

    /* The first key is good, the second bad: neither is applied. */
    TC_CHECK_EQ(load(cfg,
                     "[server]\nlisten = 10.0.0.1:9000\n"
                     "shutdown_timeout_ms = 0\n",
                     &err),
                -EINVAL);
    TC_CHECK_STR_EQ(cfg->listen_host, "127.0.0.1");
    TC_CHECK_EQ(cfg->listen_port, 8080);
    TC_CHECK_EQ(cfg->shutdown_timeout_ms, 2000);
    free(err);
    err = NULL;
    TC_CHECK_EQ(tc_srv_config_set(cfg, "log", "level", "shout", &err),
                -EINVAL);
    TC_CHECK_EQ(cfg->log_level, TC_SRV_LOG_INFO);
    TC_CHECK_STR_CONTAINS(err, "[log] level");
    free(err);
    tc_srv_config_free(cfg);
}

static void
test_override_after_file(void)
{
    char path[] = "/tmp/tc-test-config-XXXXXX";
    int fd = mkstemp(path);
    struct tc_srv_config *cfg = tc_srv_config_new();
    const char text[] = "[server]\nlisten = 127.0.0.1:9000\n";
    char *err = NULL;

    TC_REQUIRE(fd >= 0);
    TC_REQUIRE(write(fd, text, sizeof(text) - 1) == sizeof(text) - 1);
    close(fd);
    TC_CHECK_EQ(tc_srv_config_load_file(cfg, path, &err), 0);
    TC_CHECK_EQ(cfg->listen_port, 9000);
    TC_CHECK_EQ(
        tc_srv_config_set(cfg, "server", "listen", "127.0.0.1:9001", &err), 0);
    TC_CHECK_EQ(cfg->listen_port, 9001);
    unlink(path);
    TC_CHECK_EQ(tc_srv_config_load_file(cfg, path, &err), -ENOENT);
    TC_CHECK_STR_CONTAINS(err, "config:");
    free(err);
    tc_srv_config_free(cfg);
}

static void
test_auth_keys(void)
{
    struct tc_srv_config *cfg = tc_srv_config_new();
    char *err = NULL;

    TC_CHECK_EQ(cfg->session_ttl_s, 1800);
    TC_CHECK_EQ(cfg->lockout_threshold, 5);
    TC_CHECK_EQ(cfg->lockout_s, 900);
    TC_CHECK_EQ(cfg->totp_required_roles, 0);
    TC_CHECK_EQ(load(cfg,
                     "[auth]\n"
                     "session_ttl_s = 2\n"
                     "lockout_threshold = 3\n"
                     "lockout_s = 60\n"
                     "totp_required_roles = admin, township_doctor,carer\n",
                     &err),
                0);
    TC_CHECK_EQ(cfg->session_ttl_s, 2);
    TC_CHECK_EQ(cfg->lockout_threshold, 3);
    TC_CHECK_EQ(cfg->lockout_s, 60);
    TC_CHECK_EQ(cfg->totp_required_roles, (1u << 0) | (1u << 4) | (1u << 10));
    TC_CHECK_EQ(load(cfg, "[auth]\ntotp_required_roles = admin,nurse\n", &err),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(err, "[auth] totp_required_roles: 'nurse' is not a "
                               "role");
    free(err);
    err = NULL;
    TC_CHECK_EQ(load(cfg, "[auth]\nsession_ttl_s = 0\n", &err), -EINVAL);
    TC_CHECK_STR_CONTAINS(err, "[auth] session_ttl_s");
    free(err);
    err = NULL;
    TC_CHECK_EQ(load(cfg, "[auth]\nlockout_threshold = many\n", &err),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(err, "[auth] lockout_threshold");
    free(err);
    TC_CHECK_EQ(cfg->totp_required_roles, (1u << 0) | (1u << 4) | (1u << 10));
    TC_CHECK_EQ(load(cfg, "[auth]\ntotp_required_roles =\n", &err), 0);
    TC_CHECK_EQ(cfg->totp_required_roles, 0);
    tc_srv_config_free(cfg);
}

/* [signaling] coalesce_us: 0 (off) by default, 0..10000; a bad value
 * leaves the last good one. */
static void
test_signaling_coalesce(void)
{
    struct tc_srv_config *cfg = tc_srv_config_new();
    char *err = NULL;

    TC_CHECK_EQ(cfg->coalesce_us, 0);
    TC_CHECK_EQ(load(cfg, "[signaling]\ncoalesce_us = 0\n", &err), 0);
    TC_CHECK_EQ(cfg->coalesce_us, 0);
    TC_CHECK_EQ(load(cfg, "[signaling]\ncoalesce_us = 500\n", &err), 0);
    TC_CHECK_EQ(cfg->coalesce_us, 500);
    TC_CHECK_EQ(load(cfg, "[signaling]\ncoalesce_us = 10001\n", &err),
                -EINVAL);
    TC_CHECK_STR_CONTAINS(err, "[signaling] coalesce_us");
    TC_CHECK_EQ(cfg->coalesce_us, 500);
    free(err);
    err = NULL;
    TC_CHECK_EQ(load(cfg, "[signaling]\ncoalesce_us = -1\n", &err), -EINVAL);
    free(err);
    tc_srv_config_free(cfg);
}

/* [media] low_remb: on by default; true or false, nothing else (a bad
 * value leaves the last good one). */
static void
test_media_low_remb(void)
{
    struct tc_srv_config *cfg = tc_srv_config_new();
    char *err = NULL;

    TC_CHECK(cfg->media_low_remb);
    TC_CHECK_EQ(load(cfg, "[media]\nlow_remb = false\n", &err), 0);
    TC_CHECK(!cfg->media_low_remb);
    TC_CHECK_EQ(load(cfg, "[media]\nlow_remb = off\n", &err), -EINVAL);
    TC_CHECK_STR_CONTAINS(err, "[media] low_remb: 'off' is not true or false");
    TC_CHECK(!cfg->media_low_remb);
    free(err);
    err = NULL;
    TC_CHECK_EQ(load(cfg, "[media]\nlow_remb = true\n", &err), 0);
    TC_CHECK(cfg->media_low_remb);
    tc_srv_config_free(cfg);
}

/* [ecg] udp_gso: on by default; true or false, nothing else. */
static void
test_ecg_udp_gso(void)
{
    struct tc_srv_config *cfg = tc_srv_config_new();
    char *err = NULL;

    TC_CHECK(cfg->ecg_udp_gso);
    TC_CHECK_EQ(load(cfg, "[ecg]\nudp_gso = false\n", &err), 0);
    TC_CHECK(!cfg->ecg_udp_gso);
    TC_CHECK_EQ(load(cfg, "[ecg]\nudp_gso = 0\n", &err), -EINVAL);
    TC_CHECK_STR_CONTAINS(err, "[ecg] udp_gso: '0' is not true or false");
    TC_CHECK(!cfg->ecg_udp_gso);
    free(err);
    err = NULL;
    TC_CHECK_EQ(load(cfg, "[ecg]\nudp_gso = true\n", &err), 0);
    TC_CHECK(cfg->ecg_udp_gso);
    tc_srv_config_free(cfg);
}

int
main(void)
{
    TC_RUN(test_defaults);
    TC_RUN(test_every_key_accepts_a_good_value);
    TC_RUN(test_listen_forms);
    TC_RUN(test_bad_values_name_their_key);
    TC_RUN(test_failed_load_changes_nothing);
    TC_RUN(test_override_after_file);
    TC_RUN(test_auth_keys);
    TC_RUN(test_signaling_coalesce);
    TC_RUN(test_media_low_remb);
    TC_RUN(test_ecg_udp_gso);
    return tc_done();
}
