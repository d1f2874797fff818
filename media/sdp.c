// SPDX-License-Identifier: Apache-2.0
/*
 * sdp.c - SDP from outside: the participants' offers and answers. The
 * text is parsed by GStreamer's gst_sdp_message parser; this file is the
 * wrapper that bounds it and checks what the rooms rely on (fuzzed by
 * tests/fuzz/fuzz-media-sdp.c):
 *
 *   - at most 60,000 bytes, no NUL byte, at least one m-line;
 *   - ICE credentials and a DTLS fingerprint (media is always encrypted);
 *   - in an offer to publish: every audio or video m-line that sends
 *     offers a format the rooms forward (VP8 or H.264 with packetization
 *     mode 1 for video, Opus for audio), and those formats, with the
 *     offer's own payload types, become the answer's codec preferences
 *     (webrtcbin 1.22 does not remap payload types).
 *
 * Errors name the line or rule, never SDP content.
 *
 * Thread: any (pure).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "media-int.h"

static int fail(char *why, size_t why_len, int rc, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static int
fail(char *why, size_t why_len, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
    return rc;
}

void
tc_media__offer_fini(struct tc_media__offer *o)
{
    if (o->sdp) {
        gst_sdp_message_free(o->sdp);
    }
    for (unsigned i = 0; i < o->n_tracks; i++) {
        gst_clear_caps(&o->tracks[i].prefs);
    }
    memset(o, 0, sizeof(*o));
}

/* An attribute at session or media level. */
static const char *
attribute(const GstSDPMessage *sdp, const GstSDPMedia *m, const char *key)
{
    const char *v = m ? gst_sdp_media_get_attribute_val(m, key) : NULL;

    return v ? v : gst_sdp_message_get_attribute_val(sdp, key);
}

/* Port 0 rejects an m-line, unless it is bundle-only (max-bundle offers
 * carry their bundled m-lines so). */
static bool
rejected(const GstSDPMedia *m)
{
    return gst_sdp_media_get_port(m) == 0 &&
           !gst_sdp_media_get_attribute_val(m, "bundle-only");
}

static bool
sends(const GstSDPMedia *m)
{
    return !gst_sdp_media_get_attribute_val(m, "recvonly") &&
           !gst_sdp_media_get_attribute_val(m, "inactive");
}

/* Whether the format described by `s` is one rooms forward. */
static bool
forwarded(const GstStructure *s, bool video)
{
    const char *enc = gst_structure_get_string(s, "encoding-name");
    const char *pm;

    if (!enc) {
        return false;
    }
    if (!video) {
        return g_ascii_strcasecmp(enc, "OPUS") == 0;
    }
    if (g_ascii_strcasecmp(enc, "VP8") == 0) {
        return true;
    }
    pm = gst_structure_get_string(s, "packetization-mode");
    return g_ascii_strcasecmp(enc, "H264") == 0 && pm && strcmp(pm, "1") == 0;
}

/* gst_sdp_media_get_caps_from_media() names its caps application/x-unknown:
 * they describe RTP. */
static GstCaps *
rtp_caps(GstCaps *caps, const char *kind)
{
    GstStructure *s;

    caps = gst_caps_make_writable(caps);
    s = gst_caps_get_structure(caps, 0);
    gst_structure_set_name(s, "application/x-rtp");
    gst_structure_set(s, "media", G_TYPE_STRING, kind, NULL);
    return caps;
}

/* The forwarded formats of m-line `m`, in the offer's order, or NULL. */
static GstCaps *
kept_formats(const GstSDPMedia *m, bool video)
{
    GstCaps *kept = gst_caps_new_empty();

    for (guint f = 0; f < gst_sdp_media_formats_len(m); f++) {
        const char *fmt = gst_sdp_media_get_format(m, f);
        char *end = NULL;
        long pt = strtol(fmt, &end, 10);
        GstCaps *caps;

        if (end == fmt || *end || pt < 0 || pt > 127) {
            continue;
        }
        caps = gst_sdp_media_get_caps_from_media(m, (gint)pt);
        if (!caps) {
            continue;
        }
        if (gst_caps_get_size(caps) == 1 &&
            forwarded(gst_caps_get_structure(caps, 0), video)) {
            caps = rtp_caps(caps, video ? "video" : "audio");
            gst_caps_append(kept, caps);
        } else {
            gst_caps_unref(caps);
        }
    }
    if (gst_caps_is_empty(kept)) {
        gst_caps_unref(kept);
        return NULL;
    }
    return kept;
}

static int
check_tracks(struct tc_media__offer *o, char *why, size_t why_len)
{
    for (guint i = 0; i < gst_sdp_message_medias_len(o->sdp); i++) {
        const GstSDPMedia *m = gst_sdp_message_get_media(o->sdp, i);
        const char *kind = gst_sdp_media_get_media(m);
        bool video = kind && strcmp(kind, "video") == 0;
        struct tc_media__offer_track *t;

        if (!kind || (!video && strcmp(kind, "audio") != 0) || !sends(m) ||
            rejected(m)) {
            continue; /* data channels, receive-only, rejected */
        }
        if (o->n_tracks == TC_MEDIA__MAX_TRACKS) {
            return fail(why, why_len, -EINVAL,
                        "sdp: more than %d audio and video m-lines",
                        TC_MEDIA__MAX_TRACKS);
        }
        t = &o->tracks[o->n_tracks];
        t->prefs = kept_formats(m, video);
        if (!t->prefs) {
            return fail(why, why_len, -EPROTONOSUPPORT,
                        "sdp: m-line %u (%s) offers none of %s", i, kind,
                        video ? "VP8, H.264 (packetization-mode 1)" : "Opus");
        }
        t->mline = i;
        t->video = video;
        o->n_tracks++;
    }
    if (o->n_tracks == 0) {
        return fail(why, why_len, -EPROTONOSUPPORT,
                    "sdp: no audio or video m-line sends media");
    }
    return 0;
}

static int
check_security(const GstSDPMessage *sdp, char *why, size_t why_len)
{
    for (guint i = 0; i < gst_sdp_message_medias_len(sdp); i++) {
        const GstSDPMedia *m = gst_sdp_message_get_media(sdp, i);

        if (rejected(m)) {
            continue;
        }
        if (!attribute(sdp, m, "ice-ufrag") || !attribute(sdp, m, "ice-pwd")) {
            return fail(why, why_len, -EINVAL,
                        "sdp: m-line %u has no ICE credentials", i);
        }
        if (!attribute(sdp, m, "fingerprint")) {
            return fail(why, why_len, -EINVAL,
                        "sdp: m-line %u has no DTLS fingerprint", i);
        }
    }
    return 0;
}

int
tc_media__sdp_check(const char *text, size_t len, bool kind_offer,
                    struct tc_media__offer *out, char *why, size_t why_len)
{
    struct tc_media__offer o = {0};
    int rc;

    if (len > TC_MEDIA__MAX_SDP) {
        return fail(why, why_len, -EMSGSIZE, "sdp: over %d bytes",
                    TC_MEDIA__MAX_SDP);
    }
    if (len < 3 || memchr(text, '\0', len) || strncmp(text, "v=", 2) != 0) {
        return fail(why, why_len, -EINVAL,
                    "sdp: not a session description (must start v=)");
    }
    if (gst_sdp_message_new(&o.sdp) != GST_SDP_OK ||
        gst_sdp_message_parse_buffer((const guint8 *)text, (guint)len,
                                     o.sdp) != GST_SDP_OK) {
        rc = fail(why, why_len, -EINVAL, "sdp: does not parse");
        goto fail;
    }
    if (gst_sdp_message_medias_len(o.sdp) == 0) {
        rc = fail(why, why_len, -EINVAL, "sdp: no m-line");
        goto fail;
    }
    rc = check_security(o.sdp, why, why_len);
    if (rc == 0 && kind_offer) {
        rc = check_tracks(&o, why, why_len);
    }
    if (rc < 0) {
        goto fail;
    }
    *out = o;
    return 0;

fail:
    tc_media__offer_fini(&o);
    return rc;
}

GstCaps *
tc_media__sdp_track_caps(const GstSDPMessage *sdp, unsigned i)
{
    const GstSDPMedia *m;
    const char *fmt, *kind;
    GstCaps *caps;

    if (i >= gst_sdp_message_medias_len(sdp)) {
        return NULL;
    }
    m = gst_sdp_message_get_media(sdp, i);
    kind = gst_sdp_media_get_media(m);
    if (gst_sdp_media_formats_len(m) == 0 || !kind) {
        return NULL;
    }
    fmt = gst_sdp_media_get_format(m, 0);
    caps = gst_sdp_media_get_caps_from_media(m, atoi(fmt));
    return caps ? rtp_caps(caps, kind) : NULL;
}

/* A candidate line's connection address is its fifth field:
 * "candidate:<foundation> <component> <transport> <priority> <address>
 * <port> typ <type> ...". */
bool
tc_media__candidate_mdns(const char *candidate, size_t len)
{
    static const char suffix[] = ".local";
    const size_t n_suffix = sizeof(suffix) - 1;
    size_t i = 0, start, end;

    for (unsigned field = 0; field < 4; field++) {
        while (i < len && candidate[i] != ' ') {
            i++;
        }
        while (i < len && candidate[i] == ' ') {
            i++;
        }
    }
    start = i;
    while (i < len && candidate[i] != ' ') {
        i++;
    }
    end = i;
    return end - start > n_suffix &&
           g_ascii_strncasecmp(candidate + end - n_suffix, suffix, n_suffix) ==
               0;
}
