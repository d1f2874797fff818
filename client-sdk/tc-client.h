/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tc-client.h - libtelecare-client: the C SDK for devices and gateways
 * (signaling, REST calls, ECG streaming).
 *
 * Only symbols marked TC_SDK_API are exported from the shared library.
 * The SDK never logs on its own: it returns codes and takes an optional log
 * callback. Thread: each SDK object is used from one thread at a time.
 */
#ifndef TC_CLIENT_H
#define TC_CLIENT_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TC_SDK_BUILDING)
#define TC_SDK_API __attribute__((visibility("default")))
#else
#define TC_SDK_API
#endif

/* The SDK's version, e.g. "0.1.0". A static string. */
TC_SDK_API const char *tc_sdk_version(void);

/* The signaling subprotocol this SDK speaks ("telecare.v1"). */
TC_SDK_API const char *tc_sdk_protocol(void);

#ifdef __cplusplus
}
#endif

#endif
