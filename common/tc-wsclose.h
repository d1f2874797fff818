// SPDX-License-Identifier: Apache-2.0
/*
 * tc-wsclose.h - send a WebSocket close frame ourselves.
 *
 * The usual lws way to close with a code - lws_close_reason() and -1 from
 * a callback - loses the close frame with Debian's libwebsockets 4.1.6 on
 * libuv: that build has _DEBUG, under which lws_service_fd_tsi() closes a
 * connection a second time right after the first ("uv repeat test"), and
 * the second close finds it waiting to send its close frame and kills the
 * socket instead. So the close frame is written from a writable callback
 * with tc_ws_write_close(); the connection is then dropped when the
 * peer's close arrives (return -1 from LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
 * no echo is needed, ours went first) or after `grace_s`.
 *
 * Thread: the lws service thread, inside a WRITEABLE callback.
 */
#ifndef TC_WSCLOSE_H
#define TC_WSCLOSE_H

#include <libwebsockets.h>

/* Write a close frame with `code` and `reason` (at most 123 bytes; NULL:
 * none) and let lws drop the connection after `grace_s` if the peer never
 * answers. Returns 0, or -1 if the write failed (drop the connection). */
int tc_ws_write_close(struct lws *wsi, int code, const char *reason,
                      int grace_s);

#endif
