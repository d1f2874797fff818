// SPDX-License-Identifier: Apache-2.0
/*
 * admin-base.c - telecare-admin subcommands for the data itself:
 *
 *   backup DEST_FILE
 *   org-add KIND NAME [--part-of ID] [--township T] [--village V]
 *   audit RESIDENT_ID --reason TEXT [--limit N]
 *
 * Reading a resident's audit trail is itself an access to patient data:
 * it needs a stated reason and leaves an audit event of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The value after option `name` in argv[from..argc), or NULL. */
static const char *
option(int argc, char **argv, int from, const char *name)
{
    for (int i = from; i + 1 < argc; i++) {
        if (strcmp(argv[i], name) == 0) {
            return argv[i + 1];
        }
    }
    return NULL;
}

/* Every argument from `from` on must be a known "--opt value" pair. */
static bool
options_known(int argc, char **argv, int from, const char *const *known)
{
    for (int i = from; i < argc; i += 2) {
        bool ok = i + 1 < argc;
        for (size_t k = 0; ok && known[k]; k++) {
            if (strcmp(argv[i], known[k]) == 0) {
                break;
            }
            ok = known[k + 1] != NULL;
        }
        if (!ok) {
            fprintf(stderr, "telecare-admin: unexpected argument '%s'\n",
                    argv[i]);
            return false;
        }
    }
    return true;
}

static int
cmd_org_add(struct tc_rec_db *db, int argc, char **argv)
{
    static const char *const known[] = {"--part-of", "--township", "--village",
                                        NULL};
    struct tc_rec_organization org = {.created_at_us = g_get_real_time()};
    const char *part_of;
    int64_t id;

    if (argc < 2 || !options_known(argc, argv, 2, known)) {
        fprintf(stderr, "usage: telecare-admin org-add KIND NAME "
                        "[--part-of ID] [--township T] [--village V]\n"
                        "KIND: county_hospital, township_clinic, "
                        "city_hospital, rehab_point\n");
        return 2;
    }
    if (tc_rec_org_kind_from_string(argv[0], &org.kind) < 0) {
        fprintf(stderr,
                "telecare-admin: kind: '%s' is not county_hospital, "
                "township_clinic, city_hospital or rehab_point\n",
                argv[0]);
        return 2;
    }
    org.name = argv[1];
    part_of = option(argc, argv, 2, "--part-of");
    org.part_of = part_of ? atoll(part_of) : 0;
    org.township = (char *)option(argc, argv, 2, "--township");
    org.village = (char *)option(argc, argv, 2, "--village");
    if (tc_rec_organization_create(db, &org, &id) < 0) {
        fprintf(stderr, "telecare-admin: org-add: %s\n", tc_rec_errmsg(db));
        return 1;
    }
    tc_srv__admin_audit(db, TC_REC_AUDIT_CREATE, "organization", id, 0, NULL,
                        "org-add");
    printf("organization %" G_GINT64_FORMAT " created\n", id);
    return 0;
}

static void
print_event(const struct tc_rec_audit_event *ev)
{
    g_autoptr(GDateTime) at =
        g_date_time_new_from_unix_utc(ev->at_us / G_USEC_PER_SEC);
    g_autofree char *when = g_date_time_format(at, "%Y-%m-%dT%H:%M:%SZ");

    printf("%-8" G_GINT64_FORMAT
           " %s %-24s %-16s %-8s %-14s %-8" G_GINT64_FORMAT " %-8s %s%s%s\n",
           ev->id, when, ev->actor, ev->actor_role ? ev->actor_role : "-",
           tc_rec_audit_action_to_string(ev->action), ev->entity_type,
           ev->entity_id, tc_rec_audit_outcome_to_string(ev->outcome),
           ev->client_addr ? ev->client_addr : "-",
           ev->purpose ? " purpose: " : "", ev->purpose ? ev->purpose : "");
}

static int
cmd_audit(struct tc_rec_db *db, int argc, char **argv)
{
    static const char *const known[] = {"--reason", "--limit", NULL};
    struct tc_rec_audit_event_list *list = NULL;
    const char *reason, *limit_text;
    int64_t resident = argc > 0 ? atoll(argv[0]) : 0;
    int limit;

    reason = option(argc, argv, 1, "--reason");
    limit_text = option(argc, argv, 1, "--limit");
    limit = limit_text ? atoi(limit_text) : 50;
    if (resident <= 0 || !reason || !reason[0] ||
        !options_known(argc, argv, 1, known)) {
        fprintf(stderr, "usage: telecare-admin audit RESIDENT_ID --reason "
                        "TEXT [--limit N]\n");
        return 2;
    }
    if (tc_rec_audit_list_for_resident(db, resident, 0, limit, &list) < 0) {
        fprintf(stderr, "telecare-admin: audit: %s\n", tc_rec_errmsg(db));
        return 1;
    }
    tc_srv__admin_audit(db, TC_REC_AUDIT_READ, "audit_trail", resident,
                        resident, reason, "audit");
    printf("id       at                   actor                    role"
           "             action   entity         id       outcome  from\n");
    for (size_t i = 0; i < list->count; i++) {
        print_event(&list->items[i]);
    }
    tc_rec_audit_event_list_free(list);
    return 0;
}

const struct tc_srv__admin_cmd tc_srv__admin_cmds_base[] = {
    {"backup", "DEST_FILE",
     "copy the database, while in use, into a new file (SQLite online "
     "backup)",
     cmd_backup},
    {"org-add", "KIND NAME [--part-of ID] [--township T] [--village V]",
     "create an organization (county_hospital, township_clinic, "
     "city_hospital, rehab_point)",
     cmd_org_add},
    {"audit", "RESIDENT_ID --reason TEXT [--limit N]",
     "print a resident's audit trail, newest first (itself audited with "
     "the reason)",
     cmd_audit},
    {NULL, NULL, NULL, NULL},
};
