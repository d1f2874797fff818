// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-range.c - the HTTP Range header parser (server/range.c) on
 * arbitrary bytes, as a NUL-terminated header value, against several
 * representation sizes. It must never crash; an accepted range lies
 * inside the representation (first <= last < size); a refusal is -EINVAL
 * (serve it whole) or -ERANGE (416) and leaves the out-params alone.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t sizes[] = {0, 1, 1000, INT64_C(1) << 40};
    char *text = malloc(size + 1);

    if (!text) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        int64_t first = -7, last = -7;
        int rc = tc_srv__range_parse(text, sizes[i], &first, &last);
        if (rc == 0) {
            if (first < 0 || first > last || last >= sizes[i]) {
                abort();
            }
        } else if ((rc != -EINVAL && rc != -ERANGE) || first != -7 ||
                   last != -7) {
            abort();
        }
    }
    free(text);
    return 0;
}
