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

/* The GStreamer version in use, e.g. "GStreamer 1.22.0". Static string. */
const char *tc_media_version(void);

#ifdef __cplusplus
}
#endif

#endif
