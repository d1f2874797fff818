// SPDX-License-Identifier: Apache-2.0
/*
 * routes.c - find the route for (method, path) across the route tables of
 * the api-*.c modules. A pattern is a path whose "{name}" segments match
 * any one non-empty segment; the matched segments become the call's
 * params, in order. The pattern is also the route's name in metrics and
 * logs, so no request data ever reaches a label.
 *
 * Matching is a linear scan: a few hundred routes at most, each compared
 * segment by segment without allocation until a match.
 *
 * Thread: main.
 */
#include <string.h>

#include <glib.h>

#include "server-int.h"

static const struct tc_srv__route *const tables[] = {
    tc_srv__routes_health,        tc_srv__routes_fhir,
    tc_srv__routes_rehab,         tc_srv__routes_rehab_sessions,
    tc_srv__routes_consult,       tc_srv__routes_studies,
    tc_srv__routes_directory,     tc_srv__routes_residents,
    tc_srv__routes_contracts,     tc_srv__routes_stats,
    tc_srv__routes_auth,          tc_srv__routes_rehab_library,
    tc_srv__routes_rehab_upload,  tc_srv__routes_rehab_live,
    tc_srv__routes_referrals,     tc_srv__routes_oncall,
    tc_srv__routes_emergency,     tc_srv__routes_dicomweb,
    tc_srv__routes_imaging,       tc_srv__routes_ecg,
    tc_srv__routes_recordings,    tc_srv__routes_rehab_recordings,
    tc_srv__routes_media_profile,
};

/* Length of the segment at s (up to '/' or the end). */
static size_t
segment_len(const char *s)
{
    const char *slash = strchr(s, '/');

    return slash ? (size_t)(slash - s) : strlen(s);
}

/* Whether `path` matches `pattern`; on a match the parameter segments'
 * starts and lengths are stored (at most TC_SRV__MAX_PARAMS). */
static bool
match(const char *pattern, const char *path, const char **starts, size_t *lens,
      int *n)
{
    *n = 0;
    while (*pattern && *path) {
        size_t plen = segment_len(pattern), slen = segment_len(path);

        if (pattern[0] == '{') {
            if (slen == 0 || *n == TC_SRV__MAX_PARAMS) {
                return false;
            }
            starts[*n] = path;
            lens[(*n)++] = slen;
        } else if (plen != slen || strncmp(pattern, path, plen) != 0) {
            return false;
        }
        pattern += plen;
        path += slen;
        if (*pattern != *path) { /* one at '/', the other at the end */
            return false;
        }
        if (*pattern == '/') {
            pattern++;
            path++;
        }
    }
    return *pattern == '\0' && *path == '\0';
}

const struct tc_srv__route *
tc_srv__route_find(const char *method, const char *path, char **params,
                   int *n_params, bool *path_known)
{
    const char *starts[TC_SRV__MAX_PARAMS];
    size_t lens[TC_SRV__MAX_PARAMS];
    int n;

    *path_known = false;
    for (size_t t = 0; t < G_N_ELEMENTS(tables); t++) {
        for (const struct tc_srv__route *r = tables[t]; r->method; r++) {
            if (!match(r->pattern, path, starts, lens, &n)) {
                continue;
            }
            *path_known = true;
            if (strcmp(r->method, method) != 0) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                params[i] = g_strndup(starts[i], lens[i]);
            }
            *n_params = n;
            return r;
        }
    }
    return NULL;
}
