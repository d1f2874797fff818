// SPDX-License-Identifier: Apache-2.0
/*
 * multipart.c - split a multipart/related body (RFC 2046 section 5.1,
 * RFC 2387) into its parts, for STOW-RS. A parser of outside bytes: every
 * length is checked against the body's end, nothing is copied (parts
 * point into the body), and the limits are hard (boundary 1..70
 * characters as RFC 2046 says, part headers 8 KiB, MAX_PARTS parts).
 *
 *   [preamble] "--" B [padding] CRLF headers CRLF CRLF data
 *              CRLF "--" B [padding] CRLF headers ... data
 *              CRLF "--" B "--" [epilogue]
 *
 * Fuzzed by tests/fuzz/fuzz-multipart.c.
 *
 * Thread: any; no state.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "server-int.h"

#define MAX_BOUNDARY     70
#define MAX_HEADER_BYTES 8192

/* The boundary parameter of a Content-Type value, unquoted, into out. */
static int
boundary_of(const char *ct, char out[MAX_BOUNDARY + 1], const char **why)
{
    const char *p = ct;
    size_t n = 0;

    while ((p = strchr(p, ';'))) {
        p++;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (g_ascii_strncasecmp(p, "boundary=", 9) != 0) {
            continue;
        }
        p += 9;
        if (*p == '"') {
            const char *end = strchr(++p, '"');
            n = end ? (size_t)(end - p) : 0;
        } else {
            n = strcspn(p, "; \t");
        }
        if (n == 0 || n > MAX_BOUNDARY) {
            *why = "Content-Type: the boundary has 1..70 characters";
            return -EINVAL;
        }
        memcpy(out, p, n);
        out[n] = '\0';
        return 0;
    }
    *why = "Content-Type: no boundary parameter";
    return -EINVAL;
}

/* The Content-Type of a part's header block [h, end), lower case. */
static void
part_type(const char *h, const char *end, char *out, size_t cap)
{
    out[0] = '\0';
    while (h < end) {
        const char *eol = memchr(h, '\n', (size_t)(end - h));
        size_t len = eol ? (size_t)(eol - h) : (size_t)(end - h);
        if (len > 13 && g_ascii_strncasecmp(h, "content-type:", 13) == 0) {
            const char *v = h + 13;
            size_t vn = len - 13;
            while (vn && (*v == ' ' || *v == '\t')) {
                v++;
                vn--;
            }
            while (vn && (v[vn - 1] == '\r' || v[vn - 1] == ' ')) {
                vn--;
            }
            if (vn >= cap) {
                vn = cap - 1;
            }
            for (size_t i = 0; i < vn; i++) {
                out[i] = g_ascii_tolower(v[i]);
            }
            out[vn] = '\0';
        }
        h += len + (eol ? 1 : 0);
    }
}

/* After a delimiter: "--" closes; else optional padding and CRLF. Returns
 * the position after it, NULL when malformed; *closed on the close. */
static const char *
after_delimiter(const char *p, const char *end, bool *closed)
{
    *closed = false;
    if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
        *closed = true;
        return p + 2;
    }
    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }
    if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
        return p + 2;
    }
    return NULL;
}

int
tc_srv__multipart_parse(const char *content_type, const char *body, size_t len,
                        GArray **out, const char **why)
{
    char boundary[MAX_BOUNDARY + 1], delim[MAX_BOUNDARY + 5];
    const char *end = body + len, *p;
    size_t dlen;
    bool closed = false;
    GArray *parts;

    if (!content_type || boundary_of(content_type, boundary, why) < 0) {
        if (!content_type) {
            *why = "Content-Type: missing";
        }
        return -EINVAL;
    }
    /* The first delimiter has no CRLF before it at the very start. */
    dlen = (size_t)g_snprintf(delim, sizeof(delim), "--%s", boundary);
    if (len >= dlen && memcmp(body, delim, dlen) == 0) {
        p = body + dlen;
    } else {
        dlen = (size_t)g_snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
        p = memmem(body, len, delim, dlen);
        if (!p) {
            *why = "body: no multipart delimiter";
            return -EINVAL;
        }
        p += dlen;
    }
    dlen = (size_t)g_snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
    parts = g_array_new(FALSE, TRUE, sizeof(struct tc_srv__part));
    for (;;) {
        struct tc_srv__part part = {0};
        const char *hdr_end, *next;

        p = after_delimiter(p, end, &closed);
        if (!p) {
            *why = "body: a delimiter is not followed by CRLF";
            goto fail;
        }
        if (closed) {
            break;
        }
        if (parts->len >= TC_SRV__MULTIPART_MAX_PARTS) {
            *why = "body: more than 1000 parts";
            goto fail;
        }
        if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
            hdr_end = p; /* no headers */
        } else {
            hdr_end = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
            if (!hdr_end || hdr_end - p > MAX_HEADER_BYTES) {
                *why = "body: a part's headers do not end (or exceed "
                       "8 KiB)";
                goto fail;
            }
            part_type(p, hdr_end, part.content_type,
                      sizeof(part.content_type));
            hdr_end += 2;
        }
        part.data = hdr_end + 2;
        next = memmem(part.data, (size_t)(end - part.data), delim, dlen);
        if (!next) {
            *why = "body: the last part is not closed by its delimiter";
            goto fail;
        }
        part.len = (size_t)(next - part.data);
        g_array_append_val(parts, part);
        p = next + dlen;
    }
    *out = parts;
    return 0;
fail:
    g_array_free(parts, TRUE);
    return -EINVAL;
}
