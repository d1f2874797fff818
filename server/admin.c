// SPDX-License-Identifier: Apache-2.0
/*
 * admin.c - telecare-admin: the operator's command line. Opens the data
 * directory's database (as the server does, migrating it) and runs one
 * subcommand from the tables of the admin-*.c files.
 *
 *   telecare-admin [--data-dir DIR] COMMAND [ARGS...]
 *   telecare-admin help
 *
 * It may run while the server runs: SQLite's WAL lets both write, each
 * in short transactions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#include "server-int.h"
#include "tc-config.h"
#include "tc-records.h"

static const struct tc_srv__admin_cmd *const tables[] = {
    tc_srv__admin_cmds_base,
    tc_srv__admin_cmds_users,
    tc_srv__admin_cmds_demo,
};

void
tc_srv__admin_audit(struct tc_rec_db *db, enum tc_rec_audit_action action,
                    const char *entity_type, int64_t entity_id,
                    int64_t resident_id, const char *purpose,
                    const char *detail)
{
    g_autofree char *actor =
        g_strdup_printf("telecare-admin:%s", g_get_user_name());
    struct tc_rec_audit_event ev = {
        .at_us = g_get_real_time(),
        .actor = actor,
        .actor_role = "admin",
        .action = action,
        .entity_type = (char *)entity_type,
        .entity_id = entity_id,
        .resident_id = resident_id,
        .purpose = (char *)purpose,
        .outcome = TC_REC_AUDIT_SUCCESS,
        .detail = (char *)detail,
    };

    if (tc_rec_audit_append(db, &ev, NULL) < 0) {
        fprintf(stderr, "telecare-admin: warning: audit: %s\n",
                tc_rec_errmsg(db));
    }
}

static void
usage(FILE *out)
{
    fprintf(out, "usage: telecare-admin [--data-dir DIR] COMMAND [ARGS]\n"
                 "commands:\n");
    for (size_t t = 0; t < G_N_ELEMENTS(tables); t++) {
        for (const struct tc_srv__admin_cmd *c = tables[t]; c->name; c++) {
            fprintf(out, "  %s %s\n      %s\n", c->name, c->usage, c->summary);
        }
    }
}

static const struct tc_srv__admin_cmd *
find(const char *name)
{
    for (size_t t = 0; t < G_N_ELEMENTS(tables); t++) {
        for (const struct tc_srv__admin_cmd *c = tables[t]; c->name; c++) {
            if (strcmp(c->name, name) == 0) {
                return c;
            }
        }
    }
    return NULL;
}

static int
open_db(const char *data_dir, struct tc_rec_db **db)
{
    g_autofree char *path = g_build_filename(data_dir, "telecare.db", NULL);
    char *err = NULL;

    if (g_mkdir_with_parents(data_dir, 0750) < 0) {
        fprintf(stderr, "telecare-admin: data_dir %s: %s\n", data_dir,
                g_strerror(errno));
        return -1;
    }
    if (tc_rec_open_error(path, db, &err) < 0) {
        fprintf(stderr, "telecare-admin: database %s: %s\n", path, err);
        free(err);
        return -1;
    }
    return 0;
}

const char *tc_srv__admin_data_dir = "./var";

int
main(int argc, char **argv)
{
    const char *data_dir = "./var";
    const struct tc_srv__admin_cmd *cmd;
    struct tc_rec_db *db = NULL;
    int i = 1, rc;

    if (i + 1 < argc && strcmp(argv[i], "--data-dir") == 0) {
        data_dir = argv[i + 1];
        i += 2;
    }
    if (i >= argc || strcmp(argv[i], "help") == 0 ||
        strcmp(argv[i], "--help") == 0) {
        usage(i >= argc ? stderr : stdout);
        return i >= argc ? 2 : 0;
    }
    cmd = find(argv[i]);
    if (!cmd) {
        fprintf(stderr, "telecare-admin: unknown command '%s'\n", argv[i]);
        usage(stderr);
        return 2;
    }
    tc_srv__admin_data_dir = data_dir;
    if (open_db(data_dir, &db) < 0) {
        return 1;
    }
    rc = cmd->run(db, argc - i - 1, argv + i + 1);
    tc_rec_close(db);
    return rc;
}
