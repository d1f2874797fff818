// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-dicom-info.c - what the server reads from a received Part-10 file
 * (media/dicom.cc over DCMTK): the index attributes and the DICOM JSON
 * model, and a waveform object's multiplex groups (the ECG import).
 * Input: the file's bytes. A file that reads must have its four UIDs; one
 * that does not must say why; a waveform that reads has 1..64 channels and
 * its samples; nothing may crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "tc-dicom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[] = "/tmp/tc-fuzz-dicom-XXXXXX";
    static int fd = -1;
    struct tc_media_dicom_info info;
    struct tc_media_dicom_waveform *w = NULL;
    char *err = NULL, *json = NULL;

    if (fd < 0) {
        fd = g_mkstemp(path);
        if (fd < 0) {
            abort();
        }
    }
    if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size) {
        abort();
    }
    if (tc_media_dicom_info_read(path, &info, &err) < 0) {
        if (!err) {
            abort();
        }
        free(err);
        return 0;
    }
    if (!info.study_uid[0] || !info.series_uid[0] ||
        !info.sop_instance_uid[0] || !info.sop_class_uid[0]) {
        abort();
    }
    if (tc_media_dicom_json(path, &json, &err) == 0) {
        free(json);
    } else {
        free(err);
    }
    for (int g = 0; g < 2; g++) {
        err = NULL;
        if (tc_media_dicom_waveform_read(path, g, &w, &err) == 0) {
            if (w->n_channels < 1 ||
                w->n_channels > TC_MEDIA_DICOM_MAX_CHANNELS ||
                w->n_samples < 1 || !w->samples) {
                abort();
            }
            /* every sample is there (read each; ASan checks the reads,
             * the empty asm keeps the compiler from dropping them) */
            int64_t sum = 0;
            for (size_t i = 0; i < (size_t)w->n_samples * w->n_channels; i++) {
                sum += w->samples[i];
            }
            __asm__ volatile("" : : "g"(sum));
            tc_media_dicom_waveform_free(w);
        } else if (!err) {
            abort();
        }
        free(err);
    }
    return 0;
}
