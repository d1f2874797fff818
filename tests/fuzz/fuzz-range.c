// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-range.c - the Range header parser of the recordings API
 * (server/api-recordings.c) on arbitrary bytes against a few file sizes:
 * it accepts or refuses, never crashes, and an accepted range lies inside
 * the file with start <= end.
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
    static const int64_t sizes[] = {1, 100, 8 * 1024 * 1024, INT64_MAX / 2};
    char text[256];
    size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;

    memcpy(text, data, n);
    text[n] = '\0';
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        int64_t start = -1, end = -1;
        int rc = tc_srv__range_parse(text, sizes[i], &start, &end);

        if (rc == 0 && (start < 0 || end < start || end >= sizes[i])) {
            abort();
        }
        if (rc != 0 && rc != -EINVAL && rc != -ERANGE) {
            abort();
        }
    }
    return 0;
}
