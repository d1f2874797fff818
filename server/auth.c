// SPDX-License-Identifier: Apache-2.0
/*
 * auth.c - bearer tokens to callers. Accounts and sessions arrive with
 * the API issue; until then no token is valid.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "auth"

#include <errno.h>

#include "server-int.h"

int
tc_srv__auth_resolve(struct tc_srv *srv, const char *authorization,
                     const char *client_addr, struct tc_srv__who *who,
                     const char **why)
{
    *why = "unknown bearer token";
    return -EACCES;
}
