// SPDX-License-Identifier: Apache-2.0
/*
 * config-dicom.c - the [dicom] keys: the SCP's listen address, AE title,
 * calling-AE allow-list (each AE title belongs to one organization,
 * typically a township clinic), limits, forwarding destinations and
 * routing rules. The list keys are parsed twice: here to refuse a bad
 * value when the configuration is read, and at start (dicom.c) into the
 * tables the SCP and the forwarder use, with the same functions.
 *
 * Thread: any; a configuration is not shared between threads.
 */
#define G_LOG_DOMAIN "config"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "server-int.h"

void
tc_srv__dicom_config_defaults(struct tc_srv_dicom_config *d)
{
    memset(d, 0, sizeof(*d));
    d->ae_title = g_strdup("TELECARE");
    d->peers = g_strdup("");
    d->destinations = g_strdup("");
    d->routes = g_strdup("");
    d->max_associations = 8;
    d->max_pdu_bytes = 65536;
    d->timeout_s = 30;
    d->retry_max_s = 300;
    d->index_batch_ms = 5;
}

void
tc_srv__dicom_config_copy(struct tc_srv_dicom_config *to,
                          const struct tc_srv_dicom_config *from)
{
    *to = *from;
    to->listen_host = g_strdup(from->listen_host);
    to->ae_title = g_strdup(from->ae_title);
    to->peers = g_strdup(from->peers);
    to->destinations = g_strdup(from->destinations);
    to->routes = g_strdup(from->routes);
}

void
tc_srv__dicom_config_fini(struct tc_srv_dicom_config *d)
{
    g_free(d->listen_host);
    g_free(d->ae_title);
    g_free(d->peers);
    g_free(d->destinations);
    g_free(d->routes);
}

/* An AE title: 1..16 characters of printable ASCII but '\' and spaces
 * (DICOM allows inner spaces; peers here never use them). */
bool
tc_srv__dicom_ae_valid(const char *ae, size_t len)
{
    if (len == 0 || len > 16) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (ae[i] <= ' ' || ae[i] > '~' || ae[i] == '\\' || ae[i] == ',') {
            return false;
        }
    }
    return true;
}

static bool
name_valid(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 64) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!g_ascii_isalnum(s[i]) && s[i] != '_' && s[i] != '-') {
            return false;
        }
    }
    return true;
}

/* Split "a, b ,c" into stripped, non-empty items (g_strfreev). */
static char **
items(const char *text)
{
    char **v = g_strsplit(text, ",", -1);
    size_t n = 0;

    for (size_t i = 0; v[i]; i++) {
        g_strstrip(v[i]);
        if (v[i][0]) {
            v[n++] = v[i];
        } else {
            g_free(v[i]);
        }
    }
    v[n] = NULL;
    return v;
}

int
tc_srv__dicom_peers_parse(const char *text, GArray **out, GString *why)
{
    g_auto(GStrv) v = items(text);
    GArray *a = g_array_new(FALSE, TRUE, sizeof(struct tc_srv__dicom_peer));

    for (size_t i = 0; v[i]; i++) {
        struct tc_srv__dicom_peer p = {0};
        const char *colon = strrchr(v[i], ':');
        char *end = NULL;
        long long org;

        if (!colon || !tc_srv__dicom_ae_valid(v[i], (size_t)(colon - v[i]))) {
            g_string_printf(why, "'%s' is not AE_TITLE:ORGANIZATION_ID", v[i]);
            g_array_free(a, TRUE);
            return -EINVAL;
        }
        errno = 0;
        org = strtoll(colon + 1, &end, 10);
        if (errno || end == colon + 1 || *end || org < 1) {
            g_string_printf(why,
                            "'%s': the organization id is a positive "
                            "integer",
                            v[i]);
            g_array_free(a, TRUE);
            return -EINVAL;
        }
        memcpy(p.ae, v[i], (size_t)(colon - v[i]));
        p.org_id = org;
        g_array_append_val(a, p);
    }
    *out = a;
    return 0;
}

int
tc_srv__dicom_dests_parse(const char *text, GArray **out, GString *why)
{
    g_auto(GStrv) v = items(text);
    GArray *a = g_array_new(FALSE, TRUE, sizeof(struct tc_srv__dicom_dest));

    for (size_t i = 0; v[i]; i++) {
        struct tc_srv__dicom_dest d = {0};
        char *eq = strchr(v[i], '='), *at = strchr(v[i], '@');
        char *colon = strrchr(v[i], ':'), *end = NULL;
        long port;

        if (!eq || !at || !colon || !(eq < at && at < colon)) {
            g_string_printf(why, "'%s' is not NAME=AE_TITLE@HOST:PORT", v[i]);
            goto fail;
        }
        *eq = *at = *colon = '\0';
        errno = 0;
        port = strtol(colon + 1, &end, 10);
        if (!name_valid(v[i]) ||
            !tc_srv__dicom_ae_valid(eq + 1, strlen(eq + 1)) ||
            !g_hostname_is_ip_address(at + 1) || errno || *end || port < 1 ||
            port > 65535) {
            g_string_printf(why,
                            "'%s': NAME (letters, digits, _ -), AE title "
                            "(1..16), IP address and port 1..65535",
                            v[i]);
            goto fail;
        }
        g_strlcpy(d.name, v[i], sizeof(d.name));
        g_strlcpy(d.ae, eq + 1, sizeof(d.ae));
        g_strlcpy(d.host, at + 1, sizeof(d.host));
        d.port = (int)port;
        g_array_append_val(a, d);
    }
    *out = a;
    return 0;
fail:
    g_array_free(a, TRUE);
    return -EINVAL;
}

int
tc_srv__dicom_routes_parse(const char *text, GArray **out, GString *why)
{
    g_auto(GStrv) v = items(text);
    GArray *a = g_array_new(FALSE, TRUE, sizeof(struct tc_srv__dicom_route));

    for (size_t i = 0; v[i]; i++) {
        struct tc_srv__dicom_route r = {0};
        char *gt = strchr(v[i], '>');

        if (!gt) {
            g_string_printf(why, "'%s' is not SOURCE>DESTINATION", v[i]);
            goto fail;
        }
        *gt = '\0';
        g_strstrip(v[i]);
        g_strstrip(gt + 1);
        if (!name_valid(gt + 1) ||
            !(strcmp(v[i], "*") == 0 || strcmp(v[i], "STOW-RS") == 0 ||
              (g_str_has_prefix(v[i], "org:") && strlen(v[i]) > 4 &&
               strspn(v[i] + 4, "0123456789") == strlen(v[i] + 4)) ||
              tc_srv__dicom_ae_valid(v[i], strlen(v[i])))) {
            g_string_printf(why,
                            "'%s>%s': SOURCE is a calling AE title, "
                            "org:ID, STOW-RS or *; DESTINATION a name",
                            v[i], gt + 1);
            goto fail;
        }
        g_strlcpy(r.source, v[i], sizeof(r.source));
        g_strlcpy(r.dest, gt + 1, sizeof(r.dest));
        g_array_append_val(a, r);
    }
    *out = a;
    return 0;
fail:
    g_array_free(a, TRUE);
    return -EINVAL;
}

/* ---- the keys ---- */

int
tc_srv__cfg_dicom_listen(struct tc_srv_config *cfg, const char *value,
                         GString *why)
{
    const char *colon = strrchr(value, ':');
    g_autofree char *host = NULL;
    char *end = NULL;
    long port;

    if (!value[0]) {
        g_clear_pointer(&cfg->dicom.listen_host, g_free);
        return 0;
    }
    if (!colon || colon == value) {
        g_string_printf(why, "'%s' is not HOST:PORT (or empty: no SCP)",
                        value);
        return -EINVAL;
    }
    host = g_strndup(value, (gsize)(colon - value));
    errno = 0;
    port = strtol(colon + 1, &end, 10);
    if (!g_hostname_is_ip_address(host) || errno || end == colon + 1 || *end ||
        port < 0 || port > 65535) {
        g_string_printf(why, "'%s': an IP address and a port 0..65535", value);
        return -EINVAL;
    }
    g_free(cfg->dicom.listen_host);
    cfg->dicom.listen_host = g_steal_pointer(&host);
    cfg->dicom.listen_port = (int)port;
    return 0;
}

int
tc_srv__cfg_dicom_ae_title(struct tc_srv_config *cfg, const char *value,
                           GString *why)
{
    if (!tc_srv__dicom_ae_valid(value, strlen(value))) {
        g_string_printf(why,
                        "'%s' is not an AE title (1..16 characters, "
                        "no spaces or backslashes)",
                        value);
        return -EINVAL;
    }
    g_free(cfg->dicom.ae_title);
    cfg->dicom.ae_title = g_strdup(value);
    return 0;
}

/* Validate a list key with its parser, then keep its text. */
static int
list_key(char **field, const char *value, GString *why,
         int (*parse)(const char *, GArray **, GString *))
{
    GArray *a = NULL;

    if (parse(value, &a, why) < 0) {
        return -EINVAL;
    }
    g_array_free(a, TRUE);
    g_free(*field);
    *field = g_strdup(value);
    return 0;
}

int
tc_srv__cfg_dicom_peers(struct tc_srv_config *cfg, const char *value,
                        GString *why)
{
    return list_key(&cfg->dicom.peers, value, why, tc_srv__dicom_peers_parse);
}

int
tc_srv__cfg_dicom_destinations(struct tc_srv_config *cfg, const char *value,
                               GString *why)
{
    return list_key(&cfg->dicom.destinations, value, why,
                    tc_srv__dicom_dests_parse);
}

int
tc_srv__cfg_dicom_routes(struct tc_srv_config *cfg, const char *value,
                         GString *why)
{
    return list_key(&cfg->dicom.routes, value, why,
                    tc_srv__dicom_routes_parse);
}

static int
int_key(int *field, const char *value, long min, long max, GString *why)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(value, &end, 10);
    if (errno || end == value || *end || v < min || v > max) {
        g_string_printf(why, "'%s' is not an integer in %ld..%ld", value, min,
                        max);
        return -EINVAL;
    }
    *field = (int)v;
    return 0;
}

int
tc_srv__cfg_dicom_max_associations(struct tc_srv_config *cfg,
                                   const char *value, GString *why)
{
    return int_key(&cfg->dicom.max_associations, value, 1, 256, why);
}

int
tc_srv__cfg_dicom_max_pdu(struct tc_srv_config *cfg, const char *value,
                          GString *why)
{
    return int_key(&cfg->dicom.max_pdu_bytes, value, 4096, 131072, why);
}

int
tc_srv__cfg_dicom_timeout(struct tc_srv_config *cfg, const char *value,
                          GString *why)
{
    return int_key(&cfg->dicom.timeout_s, value, 1, 600, why);
}

int
tc_srv__cfg_dicom_retry_max(struct tc_srv_config *cfg, const char *value,
                            GString *why)
{
    return int_key(&cfg->dicom.retry_max_s, value, 1, 86400, why);
}

int
tc_srv__cfg_dicom_index_batch(struct tc_srv_config *cfg, const char *value,
                              GString *why)
{
    return int_key(&cfg->dicom.index_batch_ms, value, 1, 600000, why);
}
