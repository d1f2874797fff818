// SPDX-License-Identifier: Apache-2.0
/*
 * admin-base.c - telecare-admin subcommands for the data itself: online
 * backup.
 */
#include <stdio.h>

#include <glib.h>

#include "server-int.h"
#include "tc-records.h"

static int
cmd_backup(struct tc_rec_db *db, int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: telecare-admin backup DEST_FILE\n");
        return 2;
    }
    if (tc_rec_backup(db, argv[0]) < 0) {
        fprintf(stderr, "telecare-admin: backup: %s\n", tc_rec_errmsg(db));
        return 1;
    }
    printf("backup written to %s\n", argv[0]);
    return 0;
}

const struct tc_srv__admin_cmd tc_srv__admin_cmds_base[] = {
    {"backup", "DEST_FILE",
     "copy the database, while in use, into a new file (SQLite online "
     "backup)",
     cmd_backup},
    {NULL, NULL, NULL, NULL},
};
