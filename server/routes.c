// SPDX-License-Identifier: Apache-2.0
/*
 * routes.c - the table of dynamic HTTP routes: (method, path) -> handler.
 * The path string is also the route's name in metrics and logs, so it
 * must never contain request data.
 *
 * Thread: main.
 */
#include <string.h>

#include "server-int.h"

static const struct tc_srv__route routes[] = {
    {"GET", "/healthz", tc_srv__health_get},
    {"HEAD", "/healthz", tc_srv__health_get},
    {"GET", "/metrics", tc_srv__metrics_get},
};

tc_srv__handler_fn
tc_srv__route_find(const char *method, const char *path,
                   const char **route_name, bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < G_N_ELEMENTS(routes); i++) {
        if (strcmp(routes[i].path, path) != 0) {
            continue;
        }
        *path_known = true;
        *route_name = routes[i].path;
        if (strcmp(routes[i].method, method) == 0) {
            return routes[i].handler;
        }
    }
    return NULL;
}
