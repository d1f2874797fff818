/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tc-media.h - real-time media for telecare: WebRTC rooms, recording, ECG
 * relay, DICOM store-and-forward. It knows nothing of SQL or HTTP and
 * reports what happens through callbacks. GStreamer types never appear
 * here.
 *
 * Thread: tc_media_init() is called once, from the main thread, before any
 * other tc_media_ call.
 */
#ifndef TC_MEDIA_H
#define TC_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Initialise GStreamer and check that every element the media pipelines
 * need is installed. Returns 0, or -ENOENT with a malloc'd sentence naming
 * the missing element (and its Debian package) in *errmsg, which the caller
 * frees with free(). Calling it again after success does nothing.
 */
int tc_media_init(char **errmsg);

/* What a probe found in a video file. */
struct tc_media_video_info {
    char mime[32]; /* "video/webm", "video/x-matroska", "video/mp4" */
    int64_t duration_ms;
    int width;
    int height;
};

/*
 * Check that the file at `path` is a video a browser can play: a WebM,
 * Matroska or MP4 container with a video stream and a duration, read
 * within timeout_s. Returns 0 with *out filled; -EPROTO when it is not
 * (a sentence for people in why, e.g. "video: has no video stream"), or
 * -EIO. Blocks: call it off the main loop. Any thread, after
 * tc_media_init().
 */
int tc_media_probe_video(const char *path, int timeout_s,
                         struct tc_media_video_info *out, char *why,
                         size_t why_len);

/* The GStreamer version in use, e.g. "GStreamer 1.22.0". Static string. */
const char *tc_media_version(void);

#ifdef __cplusplus
}
#endif

#endif
