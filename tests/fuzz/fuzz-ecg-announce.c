// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-ecg-announce.c - the members of ecg-announce and the `stream`
 * member of the other ECG messages (server/sig-ecg.c) on arbitrary JSON.
 * It must never crash; a refusal carries a code and a message; an
 * accepted announcement is within every documented range (lead count,
 * rate, span vs the payload limit, normalised lead names, gains).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ecg-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct tc_srv__ecg_announce *a)
{
    const struct tc_srv__ecg_desc *d = &a->desc;

    if (a->patient < 1 || !a->device[0] || d->n_leads < 1 ||
        d->n_leads > TC_MEDIA_ECG_MAX_LEADS || d->sample_rate_hz < 50 ||
        d->sample_rate_hz > 20000 || d->frames_per_packet < 1 ||
        d->frames_per_packet * d->n_leads * 2 > TC_MEDIA_ECG_MAX_PAYLOAD ||
        d->adc_resolution < 8 || d->adc_resolution > 16) {
        abort();
    }
    for (unsigned i = 0; i < d->n_leads; i++) {
        if (!memchr(d->leads[i], '\0', sizeof(d->leads[i])) ||
            !(d->gains[i] > 0)) {
            abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = json_loadb((const char *)data, size, 0, NULL);
    struct tc_srv__ecg_announce a;
    struct tc_srv__sig_error err = {0};
    int64_t study = 0;

    if (!json_is_object(doc)) {
        json_decref(doc);
        return 0;
    }
    memset(&a, 0x5a, sizeof(a));
    if (tc_srv__ecg_announce_parse(doc, &a, &err) == TC_SRV__SIG_OK) {
        check(&a);
    } else if (err.code == TC_SRV__SIG_OK || !err.message[0]) {
        abort();
    }
    memset(&err, 0, sizeof(err));
    if (tc_srv__ecg_stream_parse(doc, &study, &err) == TC_SRV__SIG_OK) {
        if (study < 1) {
            abort();
        }
    } else if (!err.message[0]) {
        abort();
    }
    json_decref(doc);
    return 0;
}
