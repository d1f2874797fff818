// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-dicom-dt.c - the DICOM date-time parser (tc_srv__dicom_dt_us in
 * server/api-ecg.c: Acquisition DateTime of an imported ECG) on arbitrary
 * bytes: the input's first line is the DT, the rest the Timezone Offset
 * From UTC. It must never crash or read past either string; a refusal is
 * -EINVAL and leaves the out-param alone; an accepted value lies in the
 * years 0001..9999.
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
    char *text = malloc(size + 1);
    char *tz;
    int64_t at = -7;
    int rc;

    if (!text) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    tz = strchr(text, '\n');
    if (tz) {
        *tz++ = '\0';
    }
    rc = tc_srv__dicom_dt_us(text, tz, &at);
    if (rc == 0) {
        /* 0001-01-01 .. 9999-12-31, UTC -14 h .. +14 h */
        if (at < INT64_C(-62135596800000000) - INT64_C(50400000000) ||
            at > INT64_C(253402300800000000) + INT64_C(50400000000)) {
            abort();
        }
    } else if (rc != -EINVAL || at != -7) {
        abort();
    }
    free(text);
    return 0;
}
