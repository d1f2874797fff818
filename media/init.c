// SPDX-License-Identifier: Apache-2.0
/*
 * init.c - GStreamer start-up for media/: initialise once and check that
 * the elements the pipelines are built from are installed, so a machine
 * missing a plugin package fails at server start with the package's name,
 * not in the middle of a call.
 *
 * It also warms up DTLS: GStreamer's DTLS elements generate one
 * certificate (an RSA key) per process, the first time one is made, and
 * every WebRTC connection of the process reuses it. Making that first
 * element on a thread of its own at start-up keeps the key generation
 * (0.1-0.9 s on this machine) out of the first call's set-up.
 *
 * Thread: main thread, before any other media call.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "media-int.h"

GST_DEBUG_CATEGORY(tc_media_debug);

struct needed_element {
    const char *name;
    const char *package;
};

static const struct needed_element needed[] = {
    {"webrtcbin", "gstreamer1.0-plugins-bad"},
    {"dtlssrtpenc", "gstreamer1.0-plugins-bad"},
    {"srtpenc", "gstreamer1.0-plugins-bad"},
    {"dtlsdec", "gstreamer1.0-plugins-bad"},
    {"nicesrc", "gstreamer1.0-nice"},
    {"rtpbin", "gstreamer1.0-plugins-good"},
    {"webmmux", "gstreamer1.0-plugins-good"},
    {"matroskamux", "gstreamer1.0-plugins-good"},
    {"rtpvp8depay", "gstreamer1.0-plugins-good"},
    {"rtpopusdepay", "gstreamer1.0-plugins-good"},
    {"rtph264depay", "gstreamer1.0-plugins-good"},
    {"h264parse", "gstreamer1.0-plugins-bad"},
    {"opusparse", "gstreamer1.0-plugins-bad"},
    {"appsrc", "gstreamer1.0-plugins-base"},
    {"appsink", "gstreamer1.0-plugins-base"},
    {"sctpenc", "gstreamer1.0-plugins-bad"},
    {"tee", "libgstreamer1.0-0"},
    {"queue", "libgstreamer1.0-0"},
};

static bool initialised;
static GThread *warm_thread;

/* Its own thread: the process's DTLS certificate. */
static gpointer
warm_dtls(gpointer data)
{
    GstElement *dec = gst_element_factory_make("dtlsdec", NULL);
    gint64 t0 = g_get_monotonic_time();

    if (dec) {
        gst_object_unref(gst_object_ref_sink(dec));
    }
    GST_INFO("DTLS certificate ready (%.0f ms)",
             (double)(g_get_monotonic_time() - t0) / 1000);
    return NULL;
}
static char version[64];

/*
 * Chromium's MediaRecorder writes VP8/VP9 WebM whose track claims alpha
 * (AlphaMode 1) while no block carries alpha data. gst-plugins-bad 1.22's
 * vp8alphadecodebin / vp9alphadecodebin, which decodebin then prefers,
 * fail such a file ("Cannot handle streams without an initial alpha
 * buffer"), and so did the probe of every VP8 recording from chromium.
 * media/ never shows decoded video with alpha (rooms and the recorder
 * forward and mux without decoding; the probe decodes a frame only to
 * read the stream), so the alpha bins are demoted: decodebin uses
 * vp8dec / vp9dec, which leave the alpha side data alone.
 */
static void
alpha_decoders_demote(void)
{
    static const char *const names[] = {"vp8alphadecodebin",
                                        "vp9alphadecodebin"};

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autoptr(GstElementFactory) f = gst_element_factory_find(names[i]);

        if (f) {
            gst_plugin_feature_set_rank(GST_PLUGIN_FEATURE(f), GST_RANK_NONE);
        }
    }
}

int
tc_media_init(char **errmsg)
{
    g_autoptr(GError) err = NULL;

    if (initialised) {
        return 0;
    }
    if (!gst_init_check(NULL, NULL, &err)) {
        *errmsg = strdup(err ? err->message : "gst_init failed");
        return -EIO;
    }
    GST_DEBUG_CATEGORY_INIT(tc_media_debug, "telecare-media", 0,
                            "telecare media");
    for (size_t i = 0; i < G_N_ELEMENTS(needed); i++) {
        g_autoptr(GstElementFactory) f =
            gst_element_factory_find(needed[i].name);
        if (!f) {
            char *msg =
                g_strdup_printf("GStreamer element %s is missing (install %s)",
                                needed[i].name, needed[i].package);
            *errmsg = strdup(msg);
            g_free(msg);
            return -ENOENT;
        }
    }
    alpha_decoders_demote();
    initialised = true;
    warm_thread = g_thread_new("tc-dtls-warm", warm_dtls, NULL);
    return 0;
}

void
tc_media_warm_wait(void)
{
    g_clear_pointer(&warm_thread, g_thread_join);
}

const char *
tc_media_version(void)
{
    guint major, minor, micro, nano;

    if (!version[0]) {
        gst_version(&major, &minor, &micro, &nano);
        g_snprintf(version, sizeof(version), "GStreamer %u.%u.%u", major,
                   minor, micro);
    }
    return version;
}
