// SPDX-License-Identifier: Apache-2.0
/*
 * wsclose.c - send a WebSocket close frame ourselves (tc-wsclose.h).
 *
 * Thread: the lws service thread.
 */
#include <string.h>

#include "tc-wsclose.h"

#define MAX_REASON 123 /* a control frame carries at most 125 bytes */

/* lws 4.1 handles LWS_WRITE_CLOSE (4) in lws_write() but keeps the name
 * private (roles/ws/private-lib-roles-ws.h). */
#define WRITE_CLOSE ((enum lws_write_protocol)4)

int
tc_ws_write_close(struct lws *wsi, int code, const char *reason, int grace_s)
{
    unsigned char buf[LWS_PRE + 2 + MAX_REASON];
    size_t n = reason ? strnlen(reason, MAX_REASON) : 0;

    buf[LWS_PRE] = (unsigned char)(code >> 8);
    buf[LWS_PRE + 1] = (unsigned char)(code & 0xff);
    if (n) {
        memcpy(buf + LWS_PRE + 2, reason, n);
    }
    if (lws_write(wsi, buf + LWS_PRE, 2 + n, WRITE_CLOSE) < 0) {
        return -1;
    }
    lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_ACK, grace_s);
    return 0;
}
