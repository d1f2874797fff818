// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-media-sdp.c - the wrapper of media/sdp.c around GStreamer's
 * gst_sdp_message parser, on arbitrary bytes, as an offer to publish and
 * as an answer: it accepts or refuses with a reason, never crashes; an
 * accepted offer has 1..4 tracks, each with non-empty codec preferences
 * naming VP8, H.264 or Opus, and every track's caps turn back into SDP
 * media text. The same bytes as an ICE candidate line: the mDNS check
 * (tc_media__candidate_mdns) reads only within them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_offer(const struct tc_media__offer *o)
{
    if (o->n_tracks == 0 || o->n_tracks > TC_MEDIA__MAX_TRACKS) {
        abort();
    }
    for (unsigned i = 0; i < o->n_tracks; i++) {
        const GstCaps *prefs = o->tracks[i].prefs;

        if (!prefs || gst_caps_is_empty(prefs)) {
            abort();
        }
        for (guint k = 0; k < gst_caps_get_size(prefs); k++) {
            const char *enc = gst_structure_get_string(
                gst_caps_get_structure(prefs, k), "encoding-name");
            if (!enc || (g_ascii_strcasecmp(enc, "VP8") &&
                         g_ascii_strcasecmp(enc, "H264") &&
                         g_ascii_strcasecmp(enc, "OPUS"))) {
                abort();
            }
        }
        GstCaps *caps = tc_media__sdp_track_caps(o->sdp, o->tracks[i].mline);
        gst_clear_caps(&caps);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    struct tc_media__offer o = {0};
    char why[256] = "";
    int rc;

    if (!ready) {
        gst_init(NULL, NULL);
        ready = true;
    }
    (void)tc_media__candidate_mdns((const char *)data, size);
    for (int kind_offer = 0; kind_offer < 2; kind_offer++) {
        rc = tc_media__sdp_check((const char *)data, size, kind_offer, &o, why,
                                 sizeof(why));
        if (rc == 0) {
            if (!o.sdp || (kind_offer && (check_offer(&o), false))) {
                abort();
            }
            tc_media__offer_fini(&o);
        } else if (!why[0] || (rc != -EINVAL && rc != -EMSGSIZE &&
                               rc != -EPROTONOSUPPORT)) {
            abort();
        } else if (o.sdp || o.n_tracks) {
            abort(); /* a refusal leaves the out-parameter untouched */
        }
    }
    return 0;
}
