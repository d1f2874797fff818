// SPDX-License-Identifier: Apache-2.0
/*
 * range.c - the HTTP Range header of a GET (RFC 9110 section 14): one
 * byte range of a representation of known size, as browsers send for
 * <video> ("bytes=0-", "bytes=1000-1999", "bytes=-500"). Several ranges
 * in one header are not served (the whole representation is, which the
 * RFC allows). Pure: no I/O; fuzzed (tests/fuzz/fuzz-range.c).
 *
 * Thread: any.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "server-int.h"

/* Digits at *p into *out (no sign, at most 18 digits); advances *p. */
static bool
number(const char **p, int64_t *out)
{
    int64_t v = 0;
    int n = 0;

    while (**p >= '0' && **p <= '9') {
        if (++n > 18) {
            return false;
        }
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return n > 0;
}

int
tc_srv__range_parse(const char *header, int64_t size, int64_t *first,
                    int64_t *last)
{
    const char *p = header;
    int64_t a = -1, b = -1;

    if (!header || size < 0 || strncmp(p, "bytes=", 6) != 0) {
        return -EINVAL;
    }
    p += 6;
    while (*p == ' ') {
        p++;
    }
    if (*p != '-' && !number(&p, &a)) {
        return -EINVAL;
    }
    if (*p++ != '-') {
        return -EINVAL;
    }
    if (*p >= '0' && *p <= '9' && !number(&p, &b)) {
        return -EINVAL;
    }
    while (*p == ' ') {
        p++;
    }
    if (*p != '\0') {
        return -EINVAL; /* several ranges, or junk */
    }
    if (a < 0) { /* suffix: the last b bytes */
        if (b < 0) {
            return -EINVAL;
        }
        if (b == 0 || size == 0) {
            return -ERANGE;
        }
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
        return 0;
    }
    if (b >= 0 && b < a) {
        return -EINVAL;
    }
    if (a >= size) {
        return -ERANGE;
    }
    *first = a;
    *last = b < 0 || b >= size ? size - 1 : b;
    return 0;
}
