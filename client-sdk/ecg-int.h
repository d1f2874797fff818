// SPDX-License-Identifier: Apache-2.0
/*
 * ecg-int.h - what the two halves of the SDK's ECG streaming share:
 * ecg.c (the subscriber side, the ECG requests and their answers) and
 * ecg-device.c (the device side). Private to libtelecare-client.
 */
#ifndef TC_SDK_ECG_INT_H
#define TC_SDK_ECG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <jansson.h>
#include <srtp2/srtp.h>

#include "client-int.h"

#define MAX_LEADS       16
#define MAX_PAYLOAD     1400
#define MAX_PACKET      (12 + MAX_PAYLOAD + SRTP_MAX_TRAILER_LEN)
#define LEAD_NAME_MAX   16
#define STREAM_NAME_MAX 32 /* "ecg:<study id>" and its NUL */

/* Send `msg` (consumed) with a fresh "ecg-<n>" id tracked for the stream
 * `st` or the subscription `sub` (the other NULL); its answer goes to
 * tc_sdk__ecg_answer. */
int tc_sdk__ecg_request(struct tc_sdk_client *c, json_t *msg,
                        struct tc_sdk_ecg_stream *st,
                        struct tc_sdk_ecg_sub *sub);
/* Forget the tracked requests of `obj` (a stream or a subscription). */
void tc_sdk__ecg_forget_requests(struct tc_sdk_client *c, const void *obj);
/* An SRTP session for one SSRC from a profile name and a base64 key;
 * -EPROTO for a profile or key the protocol does not allow, -EIO when
 * libsrtp refuses. */
int tc_sdk__ecg_srtp_session(const char *profile, const char *key_b64,
                             uint32_t ssrc, srtp_t *out);
/* A UDP socket connected (device) or bound (subscriber, *bound its port)
 * for host; a file descriptor or -errno. */
int tc_sdk__ecg_udp_socket(const char *host, int port, bool connect_it,
                           uint16_t *bound);
/* Whether `name` is "ecg:<study id>" (docs/ecg-rtp.md) in fewer than
 * STREAM_NAME_MAX bytes. */
bool tc_sdk__ecg_stream_name_ok(const char *name);
/* Stop and drop a source (NULL: nothing). */
void tc_sdk__ecg_drop_source(GSource *src);

/* ecg-device.c: the answer to a stream's announcement or stop. */
void tc_sdk__ecg_stream_answer(struct tc_sdk_ecg_stream *st, json_t *msg,
                               const char *json, bool ok);

#endif
