// SPDX-License-Identifier: Apache-2.0
/*
 * ws-raw.c - see ws-raw.h.
 */
#include "ws-raw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

static long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read more bytes within timeout_ms: >0 read, 0 EOF, -1 timeout/error. */
static int
fill(struct ws_raw *w, int timeout_ms)
{
    struct pollfd pfd = {.fd = w->fd, .events = POLLIN};
    ssize_t n;

    if (poll(&pfd, 1, timeout_ms) <= 0) {
        return -1;
    }
    if (w->cap - w->len < 65536) {
        w->cap = w->cap * 2 + 65536;
        w->buf = realloc(w->buf, w->cap);
    }
    n = recv(w->fd, w->buf + w->len, w->cap - w->len, 0);
    if (n < 0) {
        return errno == EINTR || errno == EAGAIN ? -1 : 0;
    }
    w->len += (size_t)n;
    return (int)n;
}

static void
consume(struct ws_raw *w, size_t n)
{
    memmove(w->buf, w->buf + n, w->len - n);
    w->len -= n;
}

int
ws_raw_open(struct ws_raw *w, int port, const char *protocol, int rcvbuf)
{
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)port)};
    char req[512];
    long deadline = now_ms() + 5000;
    char *end;

    memset(w, 0, sizeof(*w));
    w->close_code = 0;
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    w->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (w->fd < 0) {
        return -1;
    }
    if (rcvbuf > 0) {
        setsockopt(w->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    }
    if (connect(w->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        return -1;
    }
    snprintf(req, sizeof(req),
             "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
             "Upgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\n%s%s%s\r\n",
             port, protocol ? "Sec-WebSocket-Protocol: " : "",
             protocol ? protocol : "", protocol ? "\r\n" : "");
    if (write_all(w->fd, req, strlen(req)) < 0) {
        return -1;
    }
    while (!(w->buf &&
             (end = g_strstr_len(w->buf, (gssize)w->len, "\r\n\r\n")))) {
        long left = deadline - now_ms();
        if (left <= 0 || fill(w, (int)left) <= 0) {
            return -1;
        }
    }
    /* "HTTP/1.1 101 ..." */
    int status = w->len > 12 ? atoi(w->buf + 9) : -1;
    consume(w, (size_t)(end + 4 - w->buf));
    return status == 101 ? 0 : status;
}

int
ws_raw_send(struct ws_raw *w, int opcode, const void *data, size_t len)
{
    unsigned char head[14], *frame;
    size_t h = 0;
    uint32_t mask = g_random_int();
    const unsigned char *m = (const unsigned char *)&mask;
    int rc;

    head[h++] = (unsigned char)(0x80 | opcode);
    if (len < 126) {
        head[h++] = (unsigned char)(0x80 | len);
    } else if (len < 65536) {
        head[h++] = 0x80 | 126;
        head[h++] = (unsigned char)(len >> 8);
        head[h++] = (unsigned char)len;
    } else {
        head[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--) {
            head[h++] = (unsigned char)((uint64_t)len >> (8 * i));
        }
    }
    memcpy(head + h, m, 4);
    h += 4;
    frame = malloc(h + len);
    memcpy(frame, head, h);
    for (size_t i = 0; i < len; i++) {
        frame[h + i] = ((const unsigned char *)data)[i] ^ m[i % 4];
    }
    rc = write_all(w->fd, frame, h + len);
    free(frame);
    return rc;
}

int
ws_raw_send_text(struct ws_raw *w, const char *text)
{
    return ws_raw_send(w, WS_TEXT, text, strlen(text));
}

/* A whole frame in the buffer: its header length and payload length. */
static bool
have_frame(const struct ws_raw *w, size_t *hlen, uint64_t *plen)
{
    const unsigned char *b = (const unsigned char *)w->buf;
    size_t h = 2;
    uint64_t n;

    if (w->len < 2) {
        return false;
    }
    n = b[1] & 0x7f;
    if (n == 126) {
        if (w->len < 4) {
            return false;
        }
        n = ((uint64_t)b[2] << 8) | b[3];
        h = 4;
    } else if (n == 127) {
        if (w->len < 10) {
            return false;
        }
        n = 0;
        for (int i = 0; i < 8; i++) {
            n = (n << 8) | b[2 + i];
        }
        h = 10;
    }
    if (b[1] & 0x80) {
        h += 4; /* servers do not mask, but be exact */
    }
    *hlen = h;
    *plen = n;
    return w->len >= h + n;
}

int
ws_raw_recv(struct ws_raw *w, int timeout_ms, char **payload, size_t *len)
{
    long deadline = now_ms() + timeout_ms;
    size_t hlen;
    uint64_t plen;
    int opcode;

    while (!have_frame(w, &hlen, &plen)) {
        long left = deadline - now_ms();
        int n;
        if (left <= 0) {
            return -1;
        }
        n = fill(w, (int)left);
        if (n == 0) {
            if (!w->close_code) {
                w->close_code = 1006;
            }
            return 0;
        }
    }
    opcode = w->buf[0] & 0x0f;
    *payload = malloc(plen + 1);
    memcpy(*payload, w->buf + hlen, plen);
    (*payload)[plen] = '\0';
    *len = plen;
    consume(w, hlen + plen);
    if (opcode == WS_CLOSE) {
        w->close_code = plen >= 2 ? ((unsigned char)(*payload)[0] << 8) |
                                        (unsigned char)(*payload)[1]
                                  : 1005;
    }
    return opcode;
}

json_t *
ws_raw_expect(struct ws_raw *w, const char *type, const char *id,
              int timeout_ms)
{
    long deadline = now_ms() + timeout_ms;

    for (;;) {
        long left = deadline - now_ms();
        char *p = NULL;
        size_t n = 0;
        int op;

        if (left <= 0) {
            return NULL;
        }
        op = ws_raw_recv(w, (int)left, &p, &n);
        if (op <= 0 || op == WS_CLOSE) {
            free(p);
            return NULL;
        }
        if (op == WS_PING) {
            ws_raw_send(w, WS_PONG, p, n);
        } else if (op == WS_TEXT) {
            json_t *msg = json_loads(p, 0, NULL);
            const char *t = json_string_value(json_object_get(msg, "type"));
            const char *i = json_string_value(json_object_get(msg, "id"));
            if (t && strcmp(t, type) == 0 &&
                (!id || (i && strcmp(i, id) == 0))) {
                free(p);
                return msg;
            }
            json_decref(msg);
        }
        free(p);
    }
}

int
ws_raw_wait_close(struct ws_raw *w, int timeout_ms)
{
    long deadline = now_ms() + timeout_ms;

    while (!w->close_code) {
        long left = deadline - now_ms();
        char *p = NULL;
        size_t n;
        int op;

        if (left <= 0) {
            return -1;
        }
        op = ws_raw_recv(w, (int)left, &p, &n);
        if (op == WS_PING) {
            ws_raw_send(w, WS_PONG, p, n);
        }
        free(p);
        if (op < 0) {
            return -1;
        }
    }
    return w->close_code;
}

json_t *
ws_raw_hello(struct ws_raw *w, const char *token)
{
    json_t *hello =
        json_pack("{s:s,s:s,s:s}", "type", "hello", "id", "1", "token", token);
    char *text = json_dumps(hello, JSON_COMPACT);

    json_decref(hello);
    ws_raw_send_text(w, text);
    free(text);
    return ws_raw_expect(w, "welcome", "1", 5000);
}

void
ws_raw_fini(struct ws_raw *w)
{
    if (w->fd >= 0) {
        close(w->fd);
    }
    free(w->buf);
    memset(w, 0, sizeof(*w));
    w->fd = -1;
}
