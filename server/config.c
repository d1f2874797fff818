// SPDX-License-Identifier: Apache-2.0
/*
 * config.c - the server's configuration: defaults, an INI file (GKeyFile)
 * and command-line overrides, every key validated in one table.
 *
 * Invariant: a struct tc_srv_config only ever holds valid values. Every
 * change goes through a staged copy: the text is parsed into the copy and
 * the copy replaces the original only when every key was accepted, so a
 * failed load or set changes nothing.
 *
 * Thread: any; a configuration is not shared between threads.
 */
#define G_LOG_DOMAIN "config"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "server-int.h"
#include "tc-config.h"

typedef int (*key_parse_fn)(struct tc_srv_config *cfg, const char *value,
                            GString *why);

struct key_def {
    const char *group;
    const char *key;
    key_parse_fn parse;
};

static int
parse_int_range(const char *value, long min, long max, long *out, GString *why)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(value, &end, 10);
    if (errno || end == value || *end != '\0' || v < min || v > max) {
        g_string_printf(why, "'%s' is not an integer in %ld..%ld", value, min,
                        max);
        return -EINVAL;
    }
    *out = v;
    return 0;
}

static int
parse_listen(struct tc_srv_config *cfg, const char *value, GString *why)
{
    g_autofree char *host = NULL;
    const char *colon = strrchr(value, ':');
    long port;

    if (!colon || colon == value) {
        g_string_printf(why, "'%s' is not HOST:PORT", value);
        return -EINVAL;
    }
    if (value[0] == '[') { /* [IPv6]:port */
        if (colon[-1] != ']' || colon - value < 3) {
            g_string_printf(why, "'%s' is not [IPV6]:PORT", value);
            return -EINVAL;
        }
        host = g_strndup(value + 1, (gsize)(colon - value - 2));
    } else {
        host = g_strndup(value, (gsize)(colon - value));
    }
    if (!g_hostname_is_ip_address(host)) {
        g_string_printf(why,
                        "'%s' is not an IP address (use 127.0.0.1, "
                        "0.0.0.0, ::1 or an interface address)",
                        host);
        return -EINVAL;
    }
    if (parse_int_range(colon + 1, 0, 65535, &port, why) < 0) {
        g_string_prepend(why, "port: ");
        return -EINVAL;
    }
    g_free(cfg->listen_host);
    cfg->listen_host = g_steal_pointer(&host);
    cfg->listen_port = (int)port;
    return 0;
}

/* [ecg] listen: the relay's UDP HOST:PORT, parsed like [server] listen. */
static int
parse_ecg_listen(struct tc_srv_config *cfg, const char *value, GString *why)
{
    char *host = cfg->listen_host;
    int port = cfg->listen_port;
    int rc;

    cfg->listen_host = NULL;
    rc = parse_listen(cfg, value, why);
    if (rc == 0) {
        g_free(cfg->ecg_host);
        cfg->ecg_host = cfg->listen_host;
        cfg->ecg_port = cfg->listen_port;
    }
    cfg->listen_host = host;
    cfg->listen_port = port;
    return rc;
}

static int
parse_dir(char **field, const char *value, GString *why)
{
    if (!value[0]) {
        g_string_assign(why, "must not be empty");
        return -EINVAL;
    }
    if (strlen(value) > 1024) {
        g_string_assign(why, "longer than 1024 bytes");
        return -EINVAL;
    }
    g_free(*field);
    *field = g_strdup(value);
    return 0;
}

static int
parse_data_dir(struct tc_srv_config *cfg, const char *value, GString *why)
{
    return parse_dir(&cfg->data_dir, value, why);
}

static int
parse_web_root(struct tc_srv_config *cfg, const char *value, GString *why)
{
    return parse_dir(&cfg->web_root, value, why);
}

static int
parse_shutdown_timeout(struct tc_srv_config *cfg, const char *value,
                       GString *why)
{
    long v;

    if (parse_int_range(value, 100, 60000, &v, why) < 0) {
        return -EINVAL;
    }
    cfg->shutdown_timeout_ms = (int)v;
    return 0;
}

static int
parse_max_body(struct tc_srv_config *cfg, const char *value, GString *why)
{
    long v;

    if (parse_int_range(value, 1024, 256L * 1024 * 1024, &v, why) < 0) {
        return -EINVAL;
    }
    cfg->max_body_bytes = (size_t)v;
    return 0;
}

static int
parse_rate(int *field, const char *value, GString *why)
{
    long v;

    if (parse_int_range(value, 0, 100000, &v, why) < 0) {
        return -EINVAL;
    }
    *field = (int)v;
    return 0;
}

static int
parse_rate_address(struct tc_srv_config *cfg, const char *value, GString *why)
{
    return parse_rate(&cfg->rate_per_address, value, why);
}

static int
parse_rate_account(struct tc_srv_config *cfg, const char *value, GString *why)
{
    return parse_rate(&cfg->rate_per_account, value, why);
}

static int
parse_tls_mode(struct tc_srv_config *cfg, const char *value, GString *why)
{
    if (strcmp(value, "on") == 0 || strcmp(value, "off") == 0) {
        cfg->tls = strcmp(value, "on") == 0;
        return 0;
    }
    g_string_printf(why, "'%s' is not on or off", value);
    return -EINVAL;
}

static int
parse_tls_cert(struct tc_srv_config *cfg, const char *value, GString *why)
{
    return parse_dir(&cfg->tls_cert_file, value, why);
}

static int
parse_tls_key(struct tc_srv_config *cfg, const char *value, GString *why)
{
    return parse_dir(&cfg->tls_key_file, value, why);
}

static int
parse_synchronous(struct tc_srv_config *cfg, const char *value, GString *why)
{
    if (strcmp(value, "full") == 0 || strcmp(value, "normal") == 0) {
        cfg->sync_full = strcmp(value, "full") == 0;
        return 0;
    }
    g_string_printf(why, "'%s' is not full or normal", value);
    return -EINVAL;
}

static const char *const level_names[] = {
    [TC_SRV_LOG_ERROR] = "error",
    [TC_SRV_LOG_WARNING] = "warning",
    [TC_SRV_LOG_INFO] = "info",
    [TC_SRV_LOG_DEBUG] = "debug",
};

const char *
tc_srv_log_level_name(enum tc_srv_log_level level)
{
    return level_names[level];
}

static int
parse_log_level(struct tc_srv_config *cfg, const char *value, GString *why)
{
    for (size_t i = 0; i < G_N_ELEMENTS(level_names); i++) {
        if (strcmp(value, level_names[i]) == 0) {
            cfg->log_level = (enum tc_srv_log_level)i;
            return 0;
        }
    }
    g_string_printf(why, "'%s' is not one of error, warning, info, debug",
                    value);
    return -EINVAL;
}

static int
parse_session_ttl(struct tc_srv_config *cfg, const char *value, GString *why)
{
    long v;

    if (parse_int_range(value, 1, 30L * 24 * 3600, &v, why) < 0) {
        return -EINVAL;
    }
    cfg->session_ttl_s = (int)v;
    return 0;
}

static int
parse_lockout_threshold(struct tc_srv_config *cfg, const char *value,
                        GString *why)
{
    long v;

    if (parse_int_range(value, 1, 100, &v, why) < 0) {
        return -EINVAL;
    }
    cfg->lockout_threshold = (int)v;
    return 0;
}

static int
parse_lockout_s(struct tc_srv_config *cfg, const char *value, GString *why)
{
    long v;

    if (parse_int_range(value, 1, 7L * 24 * 3600, &v, why) < 0) {
        return -EINVAL;
    }
    cfg->lockout_s = (int)v;
    return 0;
}

static int
parse_totp_roles(struct tc_srv_config *cfg, const char *value, GString *why)
{
    g_autofree char *bad = NULL;
    unsigned roles = 0;

    if (tc_srv__roles_parse(value, false, &roles, &bad) < 0) {
        g_string_printf(why,
                        "'%s' is not a role (admin, auditor, doctor, "
                        "specialist, township_doctor, family_doctor, "
                        "therapist, ecg_reader, radiologist, resident, "
                        "carer)",
                        bad);
        return -EINVAL;
    }
    cfg->totp_required_roles = roles;
    return 0;
}

static int
parse_seconds(int *field, const char *value, GString *why)
{
    long v;

    if (parse_int_range(value, 1, 3600, &v, why) < 0) {
        return -EINVAL;
    }
    *field = (int)v;
    return 0;
}

static int
parse_heartbeat(struct tc_srv_config *cfg, const char *value, GString *why)
{
    return parse_seconds(&cfg->heartbeat_s, value, why);
}

static int
parse_resume_grace(struct tc_srv_config *cfg, const char *value, GString *why)
{
    return parse_seconds(&cfg->resume_grace_s, value, why);
}

static int
parse_coalesce(struct tc_srv_config *cfg, const char *value, GString *why)
{
    long v;

    if (parse_int_range(value, 0, 10000, &v, why) < 0) {
        return -EINVAL;
    }
    cfg->coalesce_us = (int)v;
    return 0;
}

static int
parse_rehab_alert_interval(struct tc_srv_config *cfg, const char *value,
                           GString *why)
{
    long v;

    if (parse_int_range(value, 1, 86400, &v, why) < 0) {
        return -EINVAL;
    }
    cfg->rehab_alert_interval_s = (int)v;
    return 0;
}

/* [media] ice_addresses: "127.0.0.1" or "10.0.0.5,192.168.1.2". */
static int
parse_ice_addresses(struct tc_srv_config *cfg, const char *value, GString *why)
{
    g_auto(GStrv) parts = g_strsplit(value, ",", -1);

    if (!parts[0]) {
        g_string_printf(why, "empty: list one IP address or more");
        return -EINVAL;
    }
    for (char **p = parts; *p; p++) {
        if (!g_hostname_is_ip_address(*p)) {
            g_string_printf(why,
                            "'%s' is not an IP address (a comma-separated "
                            "list, no spaces)",
                            *p);
            return -EINVAL;
        }
    }
    g_free(cfg->media_ice_addresses);
    cfg->media_ice_addresses = g_strdup(value);
    return 0;
}

static int
parse_rehab_miss_grace(struct tc_srv_config *cfg, const char *value,
                       GString *why)
{
    long v;

    if (parse_int_range(value, 0, 7 * 86400, &v, why) < 0) {
        return -EINVAL;
    }
    cfg->rehab_miss_grace_s = (int)v;
    return 0;
}

static int
parse_rehab_max_video(struct tc_srv_config *cfg, const char *value,
                      GString *why)
{
    long v;

    if (parse_int_range(value, 1024, 16L * 1024 * 1024 * 1024, &v, why) < 0) {
        return -EINVAL;
    }
    cfg->rehab_max_video_bytes = v;
    return 0;
}

static int
parse_emergency_ring(struct tc_srv_config *cfg, const char *value,
                     GString *why)
{
    return parse_seconds(&cfg->emergency_ring_s, value, why);
}

static int
parse_ice_server(char **field, const char *value, const char *const *schemes,
                 GString *why)
{
    for (const char *const *s = schemes; *s; s++) {
        if (g_str_has_prefix(value, *s) && value[strlen(*s)]) {
            g_free(*field);
            *field = g_strdup(value);
            return 0;
        }
    }
    g_string_printf(why, "'%s' must start with %s", value, schemes[0]);
    return -EINVAL;
}

static int
parse_stun(struct tc_srv_config *cfg, const char *value, GString *why)
{
    static const char *const schemes[] = {"stun://", NULL};

    return parse_ice_server(&cfg->media_stun_server, value, schemes, why);
}

static int
parse_turn(struct tc_srv_config *cfg, const char *value, GString *why)
{
    static const char *const schemes[] = {"turn://", "turns://", NULL};

    return parse_ice_server(&cfg->media_turn_server, value, schemes, why);
}

static int
parse_media_latency(struct tc_srv_config *cfg, const char *value, GString *why)
{
    long v;

    if (parse_int_range(value, 10, 2000, &v, why) < 0) {
        return -EINVAL;
    }
    cfg->media_latency_ms = (int)v;
    return 0;
}

static int
parse_media_audio_only_loss(struct tc_srv_config *cfg, const char *value,
                            GString *why)
{
    long v;

    if (parse_int_range(value, 1, 100, &v, why) < 0) {
        return -EINVAL;
    }
    cfg->media_audio_only_loss_pct = (int)v;
    return 0;
}

static int
parse_media_default_profile(struct tc_srv_config *cfg, const char *value,
                            GString *why)
{
    static const char *const names[] = {"normal", "low", "audio"};

    for (int i = 0; i < 3; i++) {
        if (strcmp(value, names[i]) == 0) {
            cfg->media_default_profile = i + 1;
            return 0;
        }
    }
    g_string_printf(why, "'%s' is not normal, low or audio", value);
    return -EINVAL;
}

static int
parse_media_low_max(struct tc_srv_config *cfg, const char *value, GString *why)
{
    long v;

    if (parse_int_range(value, 30, 5000, &v, why) < 0) {
        return -EINVAL;
    }
    cfg->media_low_max_kbps = (int)v;
    return 0;
}

static int
parse_media_stats_interval(struct tc_srv_config *cfg, const char *value,
                           GString *why)
{
    long v;

    if (parse_int_range(value, 1, 60, &v, why) < 0) {
        return -EINVAL;
    }
    cfg->media_stats_interval_s = (int)v;
    return 0;
}

/* "true" or "false" into *out, or -EINVAL saying why. */
static int
parse_bool(const char *value, bool *out, GString *why)
{
    if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
        g_string_printf(why, "'%s' is not true or false", value);
        return -EINVAL;
    }
    *out = strcmp(value, "true") == 0;
    return 0;
}

static int
parse_media_low_remb(struct tc_srv_config *cfg, const char *value,
                     GString *why)
{
    return parse_bool(value, &cfg->media_low_remb, why);
}

/* [ecg] udp_gso: the relay's UDP GSO sends (media/ecg-tx.c). */
static int
parse_ecg_udp_gso(struct tc_srv_config *cfg, const char *value, GString *why)
{
    return parse_bool(value, &cfg->ecg_udp_gso, why);
}

/* Every key. docs/operations.md documents each one with its default. */
static const struct key_def keys[] = {
    {"server", "listen", parse_listen},
    {"server", "data_dir", parse_data_dir},
    {"server", "web_root", parse_web_root},
    {"server", "shutdown_timeout_ms", parse_shutdown_timeout},
    {"http", "max_body_bytes", parse_max_body},
    {"http", "rate_per_address", parse_rate_address},
    {"http", "rate_per_account", parse_rate_account},
    {"tls", "mode", parse_tls_mode},
    {"tls", "cert_file", parse_tls_cert},
    {"tls", "key_file", parse_tls_key},
    {"log", "level", parse_log_level},
    {"auth", "session_ttl_s", parse_session_ttl},
    {"auth", "lockout_threshold", parse_lockout_threshold},
    {"auth", "lockout_s", parse_lockout_s},
    {"auth", "totp_required_roles", parse_totp_roles},
    {"signaling", "heartbeat_s", parse_heartbeat},
    {"signaling", "resume_grace_s", parse_resume_grace},
    {"signaling", "coalesce_us", parse_coalesce},
    {"database", "synchronous", parse_synchronous},
    {"rehab", "alert_interval_s", parse_rehab_alert_interval},
    {"rehab", "miss_grace_s", parse_rehab_miss_grace},
    {"rehab", "max_video_bytes", parse_rehab_max_video},
    {"emergency", "ring_timeout_s", parse_emergency_ring},
    {"dicom", "listen", tc_srv__cfg_dicom_listen},
    {"dicom", "ae_title", tc_srv__cfg_dicom_ae_title},
    {"dicom", "peers", tc_srv__cfg_dicom_peers},
    {"dicom", "max_associations", tc_srv__cfg_dicom_max_associations},
    {"dicom", "max_pdu_bytes", tc_srv__cfg_dicom_max_pdu},
    {"dicom", "timeout_s", tc_srv__cfg_dicom_timeout},
    {"dicom", "destinations", tc_srv__cfg_dicom_destinations},
    {"dicom", "routes", tc_srv__cfg_dicom_routes},
    {"dicom", "retry_max_s", tc_srv__cfg_dicom_retry_max},
    {"dicom", "index_batch_ms", tc_srv__cfg_dicom_index_batch},
    {"ecg", "listen", parse_ecg_listen},
    {"ecg", "udp_gso", parse_ecg_udp_gso},
    {"media", "ice_addresses", parse_ice_addresses},
    {"media", "stun_server", parse_stun},
    {"media", "turn_server", parse_turn},
    {"media", "latency_ms", parse_media_latency},
    {"media", "audio_only_loss_pct", parse_media_audio_only_loss},
    {"media", "default_profile", parse_media_default_profile},
    {"media", "low_max_kbps", parse_media_low_max},
    {"media", "stats_interval_s", parse_media_stats_interval},
    {"media", "low_remb", parse_media_low_remb},
};

struct tc_srv_config *
tc_srv_config_new(void)
{
    struct tc_srv_config *cfg = g_new0(struct tc_srv_config, 1);

    cfg->listen_host = g_strdup("127.0.0.1");
    cfg->listen_port = 8080;
    cfg->data_dir = g_strdup("./var");
    cfg->web_root = g_strdup(TC_WEB_ROOT);
    cfg->shutdown_timeout_ms = 2000;
    cfg->max_body_bytes = 1024 * 1024;
    cfg->rate_per_address = 100;
    cfg->rate_per_account = 30;
    cfg->tls = true;
    cfg->sync_full = false; /* WAL + NORMAL: see docs/operations.md */
    cfg->log_level = TC_SRV_LOG_INFO;
    cfg->session_ttl_s = 1800;
    cfg->lockout_threshold = 5;
    cfg->lockout_s = 900;
    cfg->totp_required_roles = 0;
    cfg->heartbeat_s = 20;
    cfg->resume_grace_s = 30;
    cfg->coalesce_us = 0;
    cfg->rehab_alert_interval_s = 300;
    cfg->rehab_miss_grace_s = 7200;
    cfg->rehab_max_video_bytes = 512LL * 1024 * 1024;
    cfg->emergency_ring_s = 120;
    tc_srv__dicom_config_defaults(&cfg->dicom);
    cfg->ecg_host = g_strdup("127.0.0.1");
    cfg->ecg_port = 0;
    cfg->ecg_udp_gso = true;
    cfg->media_latency_ms = 100;
    cfg->media_audio_only_loss_pct = 10;
    cfg->media_default_profile = 1; /* normal */
    cfg->media_low_max_kbps = 150;
    cfg->media_stats_interval_s = 5;
    cfg->media_low_remb = true;
    return cfg;
}

void
tc_srv_config_free(struct tc_srv_config *cfg)
{
    if (!cfg) {
        return;
    }
    g_free(cfg->listen_host);
    g_free(cfg->data_dir);
    g_free(cfg->web_root);
    g_free(cfg->tls_cert_file);
    g_free(cfg->tls_key_file);
    tc_srv__dicom_config_fini(&cfg->dicom);
    g_free(cfg->ecg_host);
    g_free(cfg->media_ice_addresses);
    g_free(cfg->media_stun_server);
    g_free(cfg->media_turn_server);
    g_free(cfg);
}

static struct tc_srv_config *
config_copy(const struct tc_srv_config *cfg)
{
    struct tc_srv_config *copy = g_memdup2(cfg, sizeof(*cfg));

    copy->listen_host = g_strdup(cfg->listen_host);
    copy->data_dir = g_strdup(cfg->data_dir);
    copy->web_root = g_strdup(cfg->web_root);
    copy->tls_cert_file = g_strdup(cfg->tls_cert_file);
    copy->tls_key_file = g_strdup(cfg->tls_key_file);
    tc_srv__dicom_config_copy(&copy->dicom, &cfg->dicom);
    copy->ecg_host = g_strdup(cfg->ecg_host);
    copy->media_ice_addresses = g_strdup(cfg->media_ice_addresses);
    copy->media_stun_server = g_strdup(cfg->media_stun_server);
    copy->media_turn_server = g_strdup(cfg->media_turn_server);
    return copy;
}

/* Move `from` into `to` and free what `to` held. */
static void
config_replace(struct tc_srv_config *to, struct tc_srv_config *from)
{
    struct tc_srv_config old = *to;

    *to = *from;
    g_free(from);
    g_free(old.listen_host);
    g_free(old.data_dir);
    g_free(old.web_root);
    g_free(old.tls_cert_file);
    g_free(old.tls_key_file);
    tc_srv__dicom_config_fini(&old.dicom);
    g_free(old.ecg_host);
    g_free(old.media_ice_addresses);
    g_free(old.media_stun_server);
    g_free(old.media_turn_server);
}

static int set_error(char **errmsg, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static int
set_error(char **errmsg, const char *fmt, ...)
{
    va_list ap;

    if (errmsg) {
        va_start(ap, fmt);
        *errmsg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

static const struct key_def *
find_key(const char *group, const char *key)
{
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (strcmp(keys[i].group, group) == 0 &&
            strcmp(keys[i].key, key) == 0) {
            return &keys[i];
        }
    }
    return NULL;
}

static bool
group_known(const char *group)
{
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (strcmp(keys[i].group, group) == 0) {
            return true;
        }
    }
    return false;
}

/* Apply one key to `cfg` (a staged copy). */
static int
apply_key(struct tc_srv_config *cfg, const char *group, const char *key,
          const char *value, char **errmsg)
{
    const struct key_def *def;
    g_autoptr(GString) why = g_string_new(NULL);

    if (!group_known(group)) {
        return set_error(errmsg, "config: unknown group [%s]", group);
    }
    def = find_key(group, key);
    if (!def) {
        return set_error(errmsg, "config: [%s] %s: unknown key", group, key);
    }
    if (!g_utf8_validate(value, -1, NULL)) {
        return set_error(errmsg, "config: [%s] %s: not valid UTF-8", group,
                         key);
    }
    if (def->parse(cfg, value, why) < 0) {
        return set_error(errmsg, "config: [%s] %s: %s", group, key, why->str);
    }
    return 0;
}

int
tc_srv_config_set(struct tc_srv_config *cfg, const char *group,
                  const char *key, const char *value, char **errmsg)
{
    struct tc_srv_config *staged = config_copy(cfg);
    int rc = apply_key(staged, group, key, value, errmsg);

    if (rc < 0) {
        tc_srv_config_free(staged);
        return rc;
    }
    config_replace(cfg, staged);
    return 0;
}

static int
apply_group(struct tc_srv_config *staged, GKeyFile *kf, const char *group,
            char **errmsg)
{
    g_auto(GStrv) names = g_key_file_get_keys(kf, group, NULL, NULL);

    if (!group_known(group)) {
        return set_error(errmsg, "config: unknown group [%s]", group);
    }
    for (size_t k = 0; names && names[k]; k++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *value =
            g_key_file_get_string(kf, group, names[k], &err);
        int rc;

        if (!value) {
            return set_error(errmsg, "config: [%s] %s: %s", group, names[k],
                             err->message);
        }
        rc = apply_key(staged, group, names[k], value, errmsg);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

int
tc_srv_config_load_data(struct tc_srv_config *cfg, const char *data,
                        size_t len, char **errmsg)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) groups = NULL;
    struct tc_srv_config *staged;

    if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &err)) {
        return set_error(errmsg, "config: %s", err->message);
    }
    staged = config_copy(cfg);
    groups = g_key_file_get_groups(kf, NULL);
    for (size_t g = 0; groups[g]; g++) {
        int rc = apply_group(staged, kf, groups[g], errmsg);
        if (rc < 0) {
            tc_srv_config_free(staged);
            return rc;
        }
    }
    config_replace(cfg, staged);
    return 0;
}

int
tc_srv_config_load_file(struct tc_srv_config *cfg, const char *path,
                        char **errmsg)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *data = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, &err)) {
        int rc = err->code == G_FILE_ERROR_NOENT   ? -ENOENT
                 : err->code == G_FILE_ERROR_ACCES ? -EACCES
                                                   : -EIO;
        set_error(errmsg, "config: %s", err->message);
        return rc;
    }
    return tc_srv_config_load_data(cfg, data, len, errmsg);
}
