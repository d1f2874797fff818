// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-request-line.c - what the server makes of a request's path and
 * query string before any handler runs: the route table's matching (path
 * segments into {x} parameters) and the query parameter reader (URL
 * decoding, bounded copies). Input: "METHOD PATH?QUERY" (bytes up to the
 * first NUL). A match must give each parameter as one non-empty segment;
 * nothing may crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "server-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_route(const char *method, const char *path)
{
    char *params[TC_SRV__MAX_PARAMS] = {0};
    int n = 0;
    bool known = false;
    const struct tc_srv__route *r =
        tc_srv__route_find(method, path, params, &n, &known);

    if (r && (!known || n < 0 || n > TC_SRV__MAX_PARAMS)) {
        abort();
    }
    for (int i = 0; r && i < n; i++) {
        if (!params[i] || !params[i][0] || strchr(params[i], '/')) {
            abort(); /* a parameter is exactly one non-empty segment */
        }
    }
    for (int i = 0; i < TC_SRV__MAX_PARAMS; i++) {
        g_free(params[i]);
    }
}

static void
check_query(const char *query)
{
    static const char *const keys[] = {
        "limit", "_count", "patient", "name", "identifier", "today", ""};
    struct tc_srv__req req = {.query = query};
    char small[8], big[256];

    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (tc_srv__query_get(&req, keys[i], small, sizeof(small)) &&
            strlen(small) >= sizeof(small)) {
            abort();
        }
        if (tc_srv__query_get(&req, keys[i], big, sizeof(big)) &&
            strlen(big) >= sizeof(big)) {
            abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *text = g_strndup((const char *)data, size);
    char *space = strchr(text, ' ');
    char *question;
    const char *method = "GET", *path = text;

    if (space) {
        *space = '\0';
        method = text;
        path = space + 1;
    }
    question = strchr(path, '?');
    if (question) {
        *question = '\0';
        check_query(question + 1);
    }
    check_route(method, path);
    return 0;
}
