/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ecg-int.h - shared by the remote-ECG files of server/:
 *
 *   ecg-live.c  live streams: the relay (media/), each stream's archive,
 *               study and viewers; WebSocket sample frames
 *   sig-ecg.c   the signaling messages ecg-announce, ecg-stop,
 *               ecg-subscribe, ecg-unsubscribe (docs/ecg-rtp.md)
 *   api-ecg.c   HTTP: device assignments, WFDB import
 *
 * Thread: main.
 */
#ifndef TC_ECG_INT_H
#define TC_ECG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "server-int.h"
#include "sig-int.h"
#include "tc-media.h"

#define TC_SRV__ECG_PT           96
#define TC_SRV__ECG_LEAD_MAX     16 /* bytes of a lead name */
#define TC_SRV__ECG_DEVICE_MAX   64
#define TC_SRV__ECG_WS_HEADER    20 /* docs/ecg-rtp.md, browser frames */
#define TC_SRV__ECG_WS_MAX       (32 * 1024)
#define TC_SRV__ECG_WS_PERIOD_MS 40

/* What every packet of a stream is, as announced. */
struct tc_srv__ecg_desc {
    unsigned n_leads;
    char leads[TC_MEDIA_ECG_MAX_LEADS][TC_SRV__ECG_LEAD_MAX];
    double gains[TC_MEDIA_ECG_MAX_LEADS]; /* adu per mV */
    int baselines[TC_MEDIA_ECG_MAX_LEADS];
    int adc_zeros[TC_MEDIA_ECG_MAX_LEADS];
    unsigned adc_resolution;
    unsigned sample_rate_hz;
    unsigned frames_per_packet;
};

struct tc_srv__ecg_announce {
    int64_t patient;
    char device[TC_SRV__ECG_DEVICE_MAX + 1];
    struct tc_srv__ecg_desc desc;
    enum tc_media_srtp_profile profile;
    bool urgent;
    int64_t consultation; /* 0: none */
    int64_t reader;       /* practitioner asked to read it; 0: none */
};

/* The members of ecg-announce (pure; fuzzed with the protocol). */
enum tc_srv__sig_err
tc_srv__ecg_announce_parse(json_t *doc, struct tc_srv__ecg_announce *out,
                           struct tc_srv__sig_error *err);

/* "stream": "ecg:<study id>" */
enum tc_srv__sig_err tc_srv__ecg_stream_parse(json_t *doc, int64_t *study_id,
                                              struct tc_srv__sig_error *err);

/* The description as JSON (leads, rate, span, gains, baselines, ...). */
json_t *tc_srv__ecg_desc_json(const struct tc_srv__ecg_desc *d);

/* == ecg-live.c == */

struct tc_srv__ecg_live {
    struct tc_srv *srv;
    int64_t study_id;
    int64_t resident_id;
    int64_t owner_user;
    struct tc_srv__ecg_desc desc;
    struct tc_media_ecg_format fmt;
    struct tc_media_ecg_stream *stream;
    int64_t started_at_us;
    char storage_path[64];
    GPtrArray *viewers; /* peer ids (g_free'd) of WebSocket viewers */
    /* samples for the viewers not yet framed: consecutive frames from
     * pending_first on, sent every TC_SRV__ECG_WS_PERIOD_MS */
    uint8_t *pending; /* TC_SRV__ECG_WS_MAX bytes */
    size_t pending_len;
    int64_t pending_first;
};

/*
 * A new live stream for an ECG study just created: a fresh SSRC, sequence
 * and timestamp origin, and device key (key_out: TC_MEDIA_SRTP_MAX_KEY
 * bytes); its archive opened under <data_dir>/ecg. *out is borrowed from
 * the server. Errors: -errno from the relay or the archive.
 */
int tc_srv__ecg_live_open(struct tc_srv *srv, int64_t study_id,
                          int64_t resident_id, int64_t owner_user,
                          const struct tc_srv__ecg_desc *desc,
                          enum tc_media_srtp_profile profile,
                          int64_t started_at_us, uint8_t *key_out,
                          struct tc_srv__ecg_live **out);
struct tc_srv__ecg_live *tc_srv__ecg_live_find(struct tc_srv *srv,
                                               int64_t study_id);
/*
 * End a stream: archive finished at total_frames (< 0: what arrived),
 * the study moved to awaiting reading, viewers told `ecg-ended`, the
 * stream freed. *st gets its last figures.
 */
int tc_srv__ecg_live_close(struct tc_srv__ecg_live *live, int64_t total_frames,
                           struct tc_media_ecg_stream_stats *st);
/* WebSocket viewers: the last 10 s now, then every packet. */
void tc_srv__ecg_live_view(struct tc_srv__ecg_live *live, const char *peer_id);
int tc_srv__ecg_live_unview(struct tc_srv__ecg_live *live,
                            const char *peer_id);

#endif
