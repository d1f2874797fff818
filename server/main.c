// SPDX-License-Identifier: Apache-2.0
/*
 * main.c - telecare-server: parse the command line, load the
 * configuration, run. The only file that exits.
 *
 *   telecare-server [--config FILE] [--data-dir DIR] [--listen HOST:PORT]
 *                   [--log-level LEVEL] [--dev] [--version]
 *
 * Command-line values override the file's. Exit statuses: enum
 * tc_srv_exit in tc-server.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "tc-config.h"
#include "tc-server.h"

struct overrides {
    char *config;
    char *data_dir;
    char *listen;
    char *log_level;
    gboolean dev;
    gboolean version;
};

static int
apply(struct tc_srv_config *cfg, const struct overrides *o)
{
    const struct {
        const char *group, *key, *value;
    } sets[] = {
        {"server", "data_dir", o->data_dir},
        {"server", "listen", o->listen},
        {"log", "level", o->log_level},
        {"tls", "mode", o->dev ? "off" : NULL},
    };
    char *err = NULL;

    if (o->config && tc_srv_config_load_file(cfg, o->config, &err) < 0) {
        fprintf(stderr, "telecare-server: %s\n", err);
        free(err);
        return -1;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(sets); i++) {
        if (sets[i].value && tc_srv_config_set(cfg, sets[i].group, sets[i].key,
                                               sets[i].value, &err) < 0) {
            fprintf(stderr, "telecare-server: %s\n", err);
            free(err);
            return -1;
        }
    }
    return 0;
}

int
main(int argc, char **argv)
{
    struct overrides o = {0};
    GOptionEntry entries[] = {
        {"config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config,
         "INI configuration file", "FILE"},
        {"data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &o.data_dir,
         "data directory (overrides [server] data_dir)", "DIR"},
        {"listen", 'l', 0, G_OPTION_ARG_STRING, &o.listen,
         "listen address (overrides [server] listen)", "HOST:PORT"},
        {"log-level", 0, 0, G_OPTION_ARG_STRING, &o.log_level,
         "error, warning, info or debug (overrides [log] level)", "LEVEL"},
        {"dev", 0, 0, G_OPTION_ARG_NONE, &o.dev,
         "development mode: plain HTTP, loopback only ([tls] mode = off)",
         NULL},
        {"version", 'V', 0, G_OPTION_ARG_NONE, &o.version,
         "print the version and exit", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- telecare server");
    GError *err = NULL;
    struct tc_srv_config *cfg;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "telecare-server: %s\n", err->message);
        return TC_SRV_EXIT_CONFIG;
    }
    g_option_context_free(ctx);
    if (o.version) {
        printf("telecare-server %s\n", TC_VERSION);
        return TC_SRV_EXIT_OK;
    }
    if (argc > 1) {
        fprintf(stderr, "telecare-server: unexpected argument '%s'\n",
                argv[1]);
        return TC_SRV_EXIT_CONFIG;
    }
    cfg = tc_srv_config_new();
    rc = apply(cfg, &o) < 0 ? TC_SRV_EXIT_CONFIG : tc_srv_run(cfg);
    tc_srv_config_free(cfg);
    g_free(o.config);
    g_free(o.data_dir);
    g_free(o.listen);
    g_free(o.log_level);
    return rc;
}
