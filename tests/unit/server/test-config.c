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

/*
 * The keys test_every_key_accepts_a_good_value and the tests after it do
 * not set: each with a good value other than its default, and each value
 * read back from the field the key documents (a parser writing another
 * key's field fails here).
 */
static void
test_every_other_key_reaches_its_field(void)
{
    struct tc_srv_config *cfg = tc_srv_config_new();
    char *err = NULL;

    TC_CHECK_EQ(load(cfg,
                     "[http]\n"
                     "rate_per_address = 7\n"
                     "rate_per_account = 3\n"
                     "[tls]\n"
                     "mode = off\n"
                     "cert_file = /etc/telecare/cert.pem\n"
                     "key_file = /etc/telecare/key.pem\n"
                     "[signaling]\n"
                     "heartbeat_s = 11\n"
                     "resume_grace_s = 13\n"
                     "[database]\n"
                     "synchronous = full\n"
                     "[rehab]\n"
                     "alert_interval_s = 17\n"
                     "miss_grace_s = 19\n"
                     "max_video_bytes = 2048\n"
                     "[emergency]\n"
                     "ring_timeout_s = 23\n"
                     "[dicom]\n"
                     "listen = 127.0.0.1:11112\n"
                     "ae_title = COUNTY_SCP\n"
                     "peers = EAST_DR:3\n"
                     "max_associations = 5\n"
                     "max_pdu_bytes = 32768\n"
                     "timeout_s = 29\n"
                     "destinations = PACS=ORTHANC@127.0.0.1:4242\n"
                     "routes = EAST_DR>PACS\n"
                     "retry_max_s = 31\n"
                     "index_batch_ms = 37\n"
                     "[ecg]\n"
                     "listen = 127.0.0.1:5004\n"
                     "[media]\n"
                     "ice_addresses = 10.0.0.5,192.168.1.2\n"
                     "stun_server = stun://127.0.0.1:3478\n"
                     "turn_server = turn://u:p@127.0.0.1:3478\n"
                     "latency_ms = 41\n"
                     "audio_only_loss_pct = 43\n"
                     "default_profile = low\n"
                     "low_max_kbps = 47\n"
                     "stats_interval_s = 53\n",
                     &err),
                0);
    if (err) {
        printf("# %s\n", err);
    }
    TC_CHECK_EQ(cfg->rate_per_address, 7);
    TC_CHECK_EQ(cfg->rate_per_account, 3);
    TC_CHECK(!cfg->tls);
    TC_CHECK_STR_EQ(cfg->tls_cert_file, "/etc/telecare/cert.pem");
    TC_CHECK_STR_EQ(cfg->tls_key_file, "/etc/telecare/key.pem");
    TC_CHECK_EQ(cfg->heartbeat_s, 11);
    TC_CHECK_EQ(cfg->resume_grace_s, 13);
    TC_CHECK(cfg->sync_full);
    TC_CHECK_EQ(cfg->rehab_alert_interval_s, 17);
    TC_CHECK_EQ(cfg->rehab_miss_grace_s, 19);
    TC_CHECK_EQ(cfg->rehab_max_video_bytes, 2048);
    TC_CHECK_EQ(cfg->emergency_ring_s, 23);
    TC_CHECK_STR_EQ(cfg->dicom.listen_host, "127.0.0.1");
    TC_CHECK_EQ(cfg->dicom.listen_port, 11112);
    TC_CHECK_STR_EQ(cfg->dicom.ae_title, "COUNTY_SCP");
    TC_CHECK_STR_EQ(cfg->dicom.peers, "EAST_DR:3");
    TC_CHECK_EQ(cfg->dicom.max_associations, 5);
    TC_CHECK_EQ(cfg->dicom.max_pdu_bytes, 32768);
    TC_CHECK_EQ(cfg->dicom.timeout_s, 29);
    TC_CHECK_STR_EQ(cfg->dicom.destinations, "PACS=ORTHANC@127.0.0.1:4242");
    TC_CHECK_STR_EQ(cfg->dicom.routes, "EAST_DR>PACS");
    TC_CHECK_EQ(cfg->dicom.retry_max_s, 31);
    TC_CHECK_EQ(cfg->dicom.index_batch_ms, 37);
    TC_CHECK_STR_EQ(cfg->ecg_host, "127.0.0.1");
    TC_CHECK_EQ(cfg->ecg_port, 5004);
    TC_CHECK_STR_EQ(cfg->media_ice_addresses, "10.0.0.5,192.168.1.2");
    TC_CHECK_STR_EQ(cfg->media_stun_server, "stun://127.0.0.1:3478");
    TC_CHECK_STR_EQ(cfg->media_turn_server, "turn://u:p@127.0.0.1:3478");
    TC_CHECK_EQ(cfg->media_latency_ms, 41);
    TC_CHECK_EQ(cfg->media_audio_only_loss_pct, 43);
    TC_CHECK_EQ(cfg->media_default_profile, 2); /* low */
    TC_CHECK_EQ(cfg->media_low_max_kbps, 47);
    TC_CHECK_EQ(cfg->media_stats_interval_s, 53);
    /* untouched by all of it */
    TC_CHECK_EQ(cfg->listen_port, 8080);
    TC_CHECK_EQ(cfg->session_ttl_s, 1800);
    free(err);
    tc_srv_config_free(cfg);
}

int
main(void)
{
    TC_RUN(test_defaults);
    TC_RUN(test_every_key_accepts_a_good_value);
    TC_RUN(test_every_other_key_reaches_its_field);
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
