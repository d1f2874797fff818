// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-dicom-intake.c - the SCP's intake (media/dicom.cc): a data set as
 * it arrives over the network, parsed by DCMTK piece by piece, then its
 * index attributes. Input: one byte choosing the transfer syntax, one
 * choosing the size of the pieces, then the data set's bytes (no meta
 * header). What parses must have its four UIDs and the transfer syntax
 * it came in; what does not must say why; nothing may crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tc-dicom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const syntaxes[] = {
    "1.2.840.10008.1.2",      /* Implicit VR Little Endian */
    "1.2.840.10008.1.2.1",    /* Explicit VR Little Endian */
    "1.2.840.10008.1.2.2",    /* Explicit VR Big Endian */
    "1.2.840.10008.1.2.1.99", /* Deflated Explicit VR Little Endian */
    "1.2.840.10008.1.2.4.70", /* JPEG Lossless (pixel data encapsulated) */
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tc_media_dicom_info info;
    const char *ts;
    size_t chunk;
    char *err = NULL;

    if (size < 2) {
        return 0;
    }
    ts = syntaxes[data[0] % (sizeof(syntaxes) / sizeof(syntaxes[0]))];
    chunk = 1 + (size_t)data[1] * 97; /* 1 .. 24,736 bytes a piece */
    if (tc_media_dicom_intake_parse(ts, data + 2, size - 2, chunk, &info,
                                    &err) < 0) {
        if (!err) {
            abort();
        }
        free(err);
        return 0;
    }
    if (!info.study_uid[0] || !info.series_uid[0] ||
        !info.sop_instance_uid[0] || !info.sop_class_uid[0] ||
        strcmp(info.transfer_syntax_uid, ts) != 0) {
        abort();
    }
    return 0;
}
