// SPDX-License-Identifier: Apache-2.0
/*
 * profile.c - the room's low-bandwidth profile (tc_media_room_profile),
 * enforced without decoding anything:
 *
 *   NORMAL  nothing (a connection that was capped gets a REMB of 20 Mbit/s
 *           from then on: browsers keep the last REMB as their ceiling);
 *   LOW     a REMB (draft-alvestrand-rmcat-remb: payload-specific
 *           feedback, FMT 15, "REMB", the bitrate as exponent and
 *           mantissa, the publisher's SSRCs) is appended to every RTCP
 *           compound packet each publishing connection sends, through its
 *           RTP session's on-sending-rtcp signal. A browser takes it as
 *           the most its receiver can take and keeps its estimate (and so
 *           its video) under it. Setting LOW also asks every publisher for
 *           a keyframe: the PLI goes out as early RTCP, carrying the REMB
 *           without waiting for the next regular report;
 *   AUDIO   every feed's video gate is closed (link.c), for everyone.
 *
 * webrtcbin 1.22 has no API for sending REMB or TMMBR, and its RTP
 * session sends neither by itself; on-sending-rtcp is the documented way
 * to add packets to what it sends. TMMBR (RFC 5104) is not used: Chrome
 * ignores it.
 *
 * The REMB goes out with every RTCP packet of the publishing connection
 * (with NACK on, several a second) and at once with a keyframe request;
 * tests/integration/test-media-profile.c sees it arrive at a synthetic
 * publisher with the configured bitrate. Chromium obeys it:
 * tests/interop/media-remb.mjs has a publisher that ignores the profile
 * (sets no cap of its own) and sees its estimate (availableOutgoingBitrate)
 * fall to exactly the cap and the video reaching the other page fall
 * under it within one 2 s window, and rise again after NORMAL's lifting
 * REMB; a control run with the REMB off ([media] low_remb = false,
 * room->cfg.remb_off) stays far above (docs/performance.md). What that
 * showed about Chromium (webrtc's RTCPReceiver and GoogCC): it takes a
 * REMB that names no SSRC, on a connection whose answer has no goog-remb
 * rtcp-fb (webrtcbin's answers list nack, nack pli, ccm fir and
 * transport-cc, and no transport-wide-cc header extension, so its
 * estimate is loss-based and the REMB is its upper limit); the cap is on
 * the whole connection, so the video gets the cap less the audio (about
 * 90-110 kbit/s of 150).
 *
 * Thread: the room's context; the RTCP callback runs on the RTP session's
 * thread and reads only the endpoint's remb_bps atomic (its own
 * reference to the rc box).
 */
#define GST_USE_UNSTABLE_API

#include <errno.h>

#include <gst/rtp/gstrtcpbuffer.h>

#include "media-int.h"

/* The remote (publisher's) SSRCs the session lists, at most n. With
 * webrtcbin 1.22's bundle the session that sends the RTCP lists only its
 * own (internal) sources, so this is none: the REMB then names no SSRC,
 * which the draft allows and Chromium accepts (it applies a REMB to the
 * whole connection; media-remb.mjs measures it with 0 SSRCs). */
static unsigned
remote_ssrcs(GObject *session, guint32 *out, unsigned n)
{
    GValueArray *arr = NULL;
    unsigned k = 0;

    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    g_object_get(session, "sources", &arr, NULL);
    for (guint i = 0; arr && i < arr->n_values && k < n; i++) {
        GObject *src = g_value_get_object(g_value_array_get_nth(arr, i));
        gboolean internal = TRUE;
        guint ssrc = 0;

        g_object_get(src, "internal", &internal, "ssrc", &ssrc, NULL);
        if (!internal) {
            out[k++] = ssrc;
        }
    }
    if (arr) {
        g_value_array_free(arr);
    }
    G_GNUC_END_IGNORE_DEPRECATIONS
    return k;
}

/* RTP session thread: append the REMB to an RTCP compound packet. */
static gboolean
on_sending_rtcp(GObject *session, GstBuffer *buffer, gboolean early,
                gpointer data)
{
    guint bps = (guint)g_atomic_int_get((gint *)data);
    GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
    GstRTCPPacket packet;
    guint32 ssrcs[TC_MEDIA__MAX_TRACKS];
    unsigned n, exp = 0;
    guint own = 0;
    guint8 *fci;

    if (bps == 0) {
        return FALSE;
    }
    n = remote_ssrcs(session, ssrcs, TC_MEDIA__MAX_TRACKS);
    g_object_get(session, "internal-ssrc", &own, NULL);
    while ((bps >> exp) > 0x3ffff) { /* 18-bit mantissa */
        exp++;
    }
    if (!gst_rtcp_buffer_map(buffer, GST_MAP_READWRITE, &rtcp)) {
        return FALSE;
    }
    if (gst_rtcp_buffer_add_packet(&rtcp, GST_RTCP_TYPE_PSFB, &packet)) {
        gst_rtcp_packet_fb_set_type(&packet, GST_RTCP_PSFB_TYPE_AFB);
        gst_rtcp_packet_fb_set_sender_ssrc(&packet, own);
        gst_rtcp_packet_fb_set_media_ssrc(&packet, 0);
        if (gst_rtcp_packet_fb_set_fci_length(&packet, (guint16)(2 + n))) {
            guint32 mantissa = bps >> exp;

            fci = gst_rtcp_packet_fb_get_fci(&packet);
            fci[0] = 'R';
            fci[1] = 'E';
            fci[2] = 'M';
            fci[3] = 'B';
            fci[4] = (guint8)n;
            fci[5] = (guint8)((exp << 2) | (mantissa >> 16));
            fci[6] = (guint8)(mantissa >> 8);
            fci[7] = (guint8)mantissa;
            for (unsigned i = 0; i < n; i++) {
                GST_WRITE_UINT32_BE(fci + 8 + 4 * i, ssrcs[i]);
            }
        } else {
            gst_rtcp_packet_remove(&packet);
        }
    }
    gst_rtcp_buffer_unmap(&rtcp);
    GST_LOG("REMB %u bit/s for %u SSRCs%s", bps, n, early ? " (early)" : "");
    return TRUE;
}

/* The REMB that lifts a cap: more than any call here sends. */
#define LIFTED_BPS (20 * 1000 * 1000)

static void
box_release(gpointer data, GClosure *closure)
{
    g_atomic_rc_box_release(data);
}

void
tc_media__profile_hook(struct tc_media__endpoint *ep)
{
    g_autoptr(GstElement) rtpbin = NULL;
    GObject *session = NULL;

    if (ep->feed || ep->remb_hooked || ep->gone) {
        return;
    }
    rtpbin = gst_bin_get_by_name(GST_BIN(ep->webrtc), "rtpbin");
    if (!rtpbin) {
        return;
    }
    g_signal_emit_by_name(rtpbin, "get-internal-session", 0u, &session);
    if (!session) {
        return; /* not made yet: called again with the first packet */
    }
    g_signal_connect_data(
        session, "on-sending-rtcp", G_CALLBACK(on_sending_rtcp),
        g_atomic_rc_box_acquire(ep->remb_bps), box_release, 0);
    ep->remb_hooked = true;
    GST_INFO("%s: REMB hook on its RTP session", ep->owner_id);
    g_object_unref(session);
}

int
tc_media_room_profile(struct tc_media_room *room,
                      enum tc_media_profile profile, unsigned low_max_kbps)
{
    gint bps;

    if (profile > TC_MEDIA_PROFILE_AUDIO) {
        g_snprintf(room->errmsg, sizeof(room->errmsg),
                   "profile: normal, low or audio");
        return -EINVAL;
    }
    if (low_max_kbps < 30 || low_max_kbps > 5000) {
        g_snprintf(room->errmsg, sizeof(room->errmsg),
                   "low_max_kbps: 30..5000");
        return -EINVAL;
    }
    room->profile = profile;
    room->low_max_kbps = low_max_kbps;
    bps = profile == TC_MEDIA_PROFILE_LOW && !room->cfg.remb_off
              ? (gint)low_max_kbps * 1000
              : 0;
    GST_INFO("room %s: profile %d (REMB cap %d bit/s)", room->name, profile,
             bps);
    for (guint i = 0; i < room->parts->len; i++) {
        struct tc_media__part *p = g_ptr_array_index(room->parts, i);

        if (p->pub) {
            /* A browser keeps the last REMB as its ceiling: a connection
             * that was capped is told the cap is lifted, not left at it. */
            g_atomic_int_set(p->pub->remb_bps,
                             bps                                  ? bps
                             : g_atomic_int_get(p->pub->remb_bps) ? LIFTED_BPS
                                                                  : 0);
            tc_media__profile_hook(p->pub);
        }
        tc_media__link_apply(p, "profile");
        /* A keyframe request: early RTCP, which carries the REMB now. */
        for (guint k = 0; profile == TC_MEDIA_PROFILE_LOW && k < p->feeds->len;
             k++) {
            struct tc_media__endpoint *ep = g_ptr_array_index(p->feeds, k);

            if (ep->connected) {
                tc_media__endpoint_ask_keyframe(ep);
            }
        }
    }
    return 0;
}
