// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-multipart.c - the STOW-RS body splitter (server/multipart.c).
 * Input: the Content-Type header value up to the first '\n', then the
 * body. Every part must lie inside the body and the part count must stay
 * within its limit; nothing may crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "server-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    const char *why = NULL;
    g_autofree char *ct = NULL;
    const char *body;
    size_t len;
    GArray *parts = NULL;

    if (!nl) {
        return 0;
    }
    ct = g_strndup((const char *)data, (gsize)(nl - (const char *)data));
    body = nl + 1;
    len = size - (size_t)(body - (const char *)data);
    if (tc_srv__multipart_parse(ct, body, len, &parts, &why) < 0) {
        if (!why || parts) {
            abort(); /* an error always says why and returns nothing */
        }
        return 0;
    }
    if (parts->len > TC_SRV__MULTIPART_MAX_PARTS) {
        abort();
    }
    for (guint i = 0; i < parts->len; i++) {
        const struct tc_srv__part *p =
            &g_array_index(parts, struct tc_srv__part, i);
        if (p->data < body || p->data + p->len > body + len ||
            strlen(p->content_type) >= sizeof(p->content_type)) {
            abort();
        }
    }
    g_array_free(parts, TRUE);
    return 0;
}
