// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-wfdb.c - the WFDB header parser and signal decoder on arbitrary
 * bytes. The input is a header, a NUL byte, then the bytes of the first
 * signal file (every file of the header gets them). It must never crash;
 * a refusal says why; an accepted header's fields are in their ranges and
 * decoding reads only the bytes given.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tc-media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_header(const struct tc_media_wfdb_header *h)
{
    if (h->n_signals < 1 || h->n_signals > TC_MEDIA_WFDB_MAX_SIGNALS ||
        h->n_files < 1 || h->n_files > TC_MEDIA_WFDB_MAX_FILES ||
        !memchr(h->name, '\0', sizeof(h->name))) {
        abort();
    }
    for (unsigned s = 0; s < h->n_signals; s++) {
        const struct tc_media_wfdb_signal *g = &h->signals[s];
        if ((g->format != 16 && g->format != 212) ||
            g->file_index >= h->n_files || !(g->gain > 0) ||
            !memchr(g->description, '\0', sizeof(g->description))) {
            abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t hlen = nul ? (size_t)(nul - data) : size;
    const uint8_t *body = nul ? nul + 1 : data + size;
    size_t blen = nul ? size - hlen - 1 : 0;
    struct tc_media_wfdb_header *h = calloc(1, sizeof(*h));
    char err[128] = "";
    uint8_t *file;
    int rc;

    if (!h) {
        return 0;
    }
    rc = tc_media_wfdb_header_parse((const char *)data, hlen, h, err,
                                    sizeof(err));
    if (rc != 0) {
        if ((rc != -EINVAL && rc != -ENOTSUP) || err[0] == '\0') {
            abort();
        }
        free(h);
        return 0;
    }
    check_header(h);
    file = malloc(blen ? blen : 1);
    if (file) {
        memcpy(file, body, blen);
        for (unsigned fi = 0; fi < h->n_files; fi++) {
            int64_t n = tc_media_wfdb_frames_in(h, fi, blen);
            int16_t *samples;
            if (h->n_frames >= 0 && h->n_frames < n) {
                n = h->n_frames;
            }
            samples = calloc((size_t)(n ? n : 1) * h->n_signals, 2);
            if (samples && tc_media_wfdb_decode(h, fi, file, blen, n, samples,
                                                err, sizeof(err)) == 0) {
                tc_media_wfdb_checksums_verify(h, samples, n, err,
                                               sizeof(err));
            }
            free(samples);
        }
        free(file);
    }
    free(h);
    return 0;
}
