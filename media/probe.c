// SPDX-License-Identifier: Apache-2.0
/*
 * probe.c - is this file a video a browser can play? GStreamer's
 * discoverer typefinds the container, demuxes it and reads its streams;
 * an upload is accepted only when the container is WebM, Matroska or MP4
 * and it holds at least one video stream with a known duration. Anything
 * else (text, an image, audio only, a truncated or corrupted file) is
 * refused with a sentence saying why.
 *
 * Thread: any but the main loop's (it blocks for up to timeout_s); each
 * call has its own discoverer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>

#include "tc-media.h"

GST_DEBUG_CATEGORY_STATIC(probe_debug);
#define GST_CAT_DEFAULT probe_debug

static const struct {
    const char *caps_name; /* the container's caps */
    const char *mime;      /* as served to browsers */
} containers[] = {
    {"video/webm", "video/webm"},
    {"video/x-matroska", "video/x-matroska"},
    {"video/quicktime", "video/mp4"},
};

static const char *
container_mime(GstDiscovererInfo *info)
{
    g_autoptr(GstDiscovererStreamInfo) top =
        gst_discoverer_info_get_stream_info(info);
    g_autoptr(GstCaps) caps = NULL;
    const char *name;

    if (!top || !GST_IS_DISCOVERER_CONTAINER_INFO(top)) {
        return NULL;
    }
    caps = gst_discoverer_stream_info_get_caps(top);
    if (!caps || gst_caps_get_size(caps) == 0) {
        return NULL;
    }
    name = gst_structure_get_name(gst_caps_get_structure(caps, 0));
    for (size_t i = 0; i < G_N_ELEMENTS(containers); i++) {
        if (strcmp(name, containers[i].caps_name) == 0) {
            return containers[i].mime;
        }
    }
    return NULL;
}

static const char *
result_text(GstDiscovererResult r)
{
    switch (r) {
    case GST_DISCOVERER_URI_INVALID:
        return "not a readable file";
    case GST_DISCOVERER_TIMEOUT:
        return "took too long to read";
    case GST_DISCOVERER_MISSING_PLUGINS:
        return "uses a format this server cannot decode";
    default:
        return "not a media file GStreamer can read";
    }
}

int
tc_media_probe_video(const char *path, int timeout_s,
                     struct tc_media_video_info *out, char *why,
                     size_t why_len)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GstDiscoverer) disc = NULL;
    g_autoptr(GstDiscovererInfo) info = NULL;
    g_autofree char *uri = NULL;
    GList *videos;
    const char *mime;
    GstClockTime duration;
    GstDiscovererResult result;

    GST_DEBUG_CATEGORY_INIT(probe_debug, "tc-probe", 0, "video probe");
    uri = gst_filename_to_uri(path, &err);
    if (uri) {
        disc = gst_discoverer_new((GstClockTime)timeout_s * GST_SECOND, &err);
    }
    if (!disc) {
        snprintf(why, why_len, "video: cannot be probed");
        return -EIO;
    }
    info = gst_discoverer_discover_uri(disc, uri, &err);
    result =
        info ? gst_discoverer_info_get_result(info) : GST_DISCOVERER_ERROR;
    GST_DEBUG("probe result %d", (int)result);
    if (result != GST_DISCOVERER_OK) {
        snprintf(why, why_len, "video: %s", result_text(result));
        return -EPROTO;
    }
    mime = container_mime(info);
    if (!mime) {
        snprintf(why, why_len,
                 "video: the container must be WebM, Matroska or MP4");
        return -EPROTO;
    }
    videos = gst_discoverer_info_get_video_streams(info);
    if (!videos) {
        snprintf(why, why_len, "video: has no video stream");
        return -EPROTO;
    }
    out->width = (int)gst_discoverer_video_info_get_width(videos->data);
    out->height = (int)gst_discoverer_video_info_get_height(videos->data);
    gst_discoverer_stream_info_list_free(videos);
    duration = gst_discoverer_info_get_duration(info);
    if (!GST_CLOCK_TIME_IS_VALID(duration) || duration == 0) {
        snprintf(why, why_len, "video: has no duration (truncated?)");
        return -EPROTO;
    }
    snprintf(out->mime, sizeof(out->mime), "%s", mime);
    out->duration_ms = (int64_t)(duration / GST_MSECOND);
    return 0;
}
