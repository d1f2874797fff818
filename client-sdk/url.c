// SPDX-License-Identifier: Apache-2.0
/*
 * url.c - the few URLs the SDK takes: ws://, wss:// (signaling) and
 * http://, https:// (REST). scheme://host[:port][/path]; an IPv6 host in
 * brackets. No user info, no query parsing: the path is kept as given.
 *
 * Thread: any (pure).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "client-int.h"

static int
parse_port(const char *s, size_t n, int *port)
{
    long v = 0;

    if (n == 0 || n > 5) {
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -EINVAL;
        }
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > 65535) {
        return -EINVAL;
    }
    *port = (int)v;
    return 0;
}

static int
parse_scheme(const char *url, const char *schemes, bool *tls,
             const char **rest)
{
    const char *plain = strcmp(schemes, "ws") == 0 ? "ws://" : "http://";
    const char *secure = strcmp(schemes, "ws") == 0 ? "wss://" : "https://";

    if (g_ascii_strncasecmp(url, plain, strlen(plain)) == 0) {
        *tls = false;
        *rest = url + strlen(plain);
        return 0;
    }
    if (g_ascii_strncasecmp(url, secure, strlen(secure)) == 0) {
        *tls = true;
        *rest = url + strlen(secure);
        return 0;
    }
    return -EINVAL;
}

int
tc_sdk__url_parse(const char *url, const char *schemes,
                  struct tc_sdk__url *out)
{
    const char *p, *host, *host_end, *port_at = NULL, *path;
    struct tc_sdk__url u = {0};

    if (!url || parse_scheme(url, schemes, &u.tls, &p) < 0) {
        return -EINVAL;
    }
    path = p + strcspn(p, "/?#");
    if (*p == '[') {
        host = p + 1;
        host_end = memchr(host, ']', (size_t)(path - host));
        if (!host_end) {
            return -EINVAL;
        }
        if (host_end + 1 < path) {
            if (host_end[1] != ':') {
                return -EINVAL;
            }
            port_at = host_end + 2;
        }
    } else {
        host = p;
        host_end = memchr(host, ':', (size_t)(path - host));
        if (host_end) {
            port_at = host_end + 1;
        } else {
            host_end = path;
        }
    }
    if (host_end == host) {
        return -EINVAL;
    }
    u.port = u.tls ? 443 : 80;
    if (port_at &&
        parse_port(port_at, (size_t)(path - port_at), &u.port) < 0) {
        return -EINVAL;
    }
    u.host = g_strndup(host, (gsize)(host_end - host));
    u.path = *path == '/' ? g_strdup(path) : g_strconcat("/", path, NULL);
    *out = u;
    return 0;
}

void
tc_sdk__url_fini(struct tc_sdk__url *u)
{
    g_free(u->host);
    g_free(u->path);
    memset(u, 0, sizeof(*u));
}
