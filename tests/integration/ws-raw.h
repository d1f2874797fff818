/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ws-raw.h - a deliberately crude WebSocket client for the signaling
 * tests: it sends exactly the frames a test asks for (malformed JSON,
 * binary, oversize, floods) and can stop reading altogether (a slow
 * consumer), which no well-behaved client library would do. Blocking
 * socket, frames written by hand (RFC 6455), masked as a client must.
 *
 * Thread: the test's main thread.
 */
#ifndef TC_WS_RAW_H
#define TC_WS_RAW_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define WS_TEXT   1
#define WS_BINARY 2
#define WS_CLOSE  8
#define WS_PING   9
#define WS_PONG   10

struct ws_raw {
    int fd;
    char *buf; /* bytes read, not yet parsed */
    size_t len, cap;
    int close_code; /* from the server's close frame; 1006 on EOF */
};

/*
 * Connect to 127.0.0.1:port/ws and do the opening handshake offering
 * `protocol` (NULL: none). `rcvbuf` > 0 sets SO_RCVBUF first (small
 * buffers make a slow consumer quickly). Returns 0, or the HTTP status
 * when the server refused the upgrade, or -1 on a transport error.
 */
int ws_raw_open(struct ws_raw *w, int port, const char *protocol, int rcvbuf);

/* One frame with FIN set and a random mask. Returns 0 or -1. */
int ws_raw_send(struct ws_raw *w, int opcode, const void *data, size_t len);
int ws_raw_send_text(struct ws_raw *w, const char *text);

/*
 * The next frame within timeout_ms: its opcode, the payload (malloc'd,
 * NUL-terminated) in *payload. -1 on timeout, 0 on EOF. A close frame
 * sets w->close_code.
 */
int ws_raw_recv(struct ws_raw *w, int timeout_ms, char **payload, size_t *len);

/*
 * Read text messages (answering pings) until one has "type" == `type`
 * and, when `id` is not NULL, "id" == id: returns it parsed (json_decref).
 * Other messages are skipped. NULL on timeout or close (w->close_code).
 */
json_t *ws_raw_expect(struct ws_raw *w, const char *type, const char *id,
                      int timeout_ms);

/* Read and discard until the server closes: its close code (1006 when the
 * TCP connection ended without a close frame), or -1 on timeout. */
int ws_raw_wait_close(struct ws_raw *w, int timeout_ms);

/* `hello` with `token`; returns the parsed welcome, or NULL. */
json_t *ws_raw_hello(struct ws_raw *w, const char *token);

void ws_raw_fini(struct ws_raw *w);

#endif
