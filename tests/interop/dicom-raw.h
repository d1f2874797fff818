/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dicom-raw.h - a deliberately bad DICOM peer for the bad-input table:
 * builds the few PDUs it needs (PS3.8 9.3: A-ASSOCIATE-RQ with one
 * presentation context, P-DATA-TF) and C-STORE command sets (PS3.7 9.3.1,
 * implicit VR little endian) byte by byte, so that it can also send what
 * no well-behaved toolkit would: a data set that does not match its
 * presentation context, a PDU longer than the SCP accepts, half a data
 * set and then silence or a reset.
 *
 * Test code only: the server itself never builds or parses DICOM bytes
 * (DCMTK does). Header-only, like the other test helpers. Blocking I/O
 * with a receive timeout.
 */
#ifndef TC_DICOM_RAW_H
#define TC_DICOM_RAW_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <glib.h>

#define DR_IMPLICIT_LE "1.2.840.10008.1.2"
#define DR_CT          "1.2.840.10008.5.1.4.1.1.2"
#define DR_MR          "1.2.840.10008.5.1.4.1.1.4"

static inline int
dr_connect(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port)};
    struct timeval tv = {.tv_sec = 8};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

static inline void
dr_u16(GByteArray *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    g_byte_array_append(b, x, 2);
}

static inline void
dr_u32(GByteArray *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
                    (uint8_t)v};
    g_byte_array_append(b, x, 4);
}

/* An item: type, reserved, 16-bit length, value. */
static inline void
dr_item(GByteArray *b, uint8_t type, const void *v, size_t len)
{
    uint8_t h[2] = {type, 0};
    g_byte_array_append(b, h, 2);
    dr_u16(b, (uint16_t)len);
    g_byte_array_append(b, v, (guint)len);
}

static inline void
dr_ae(GByteArray *b, const char *ae)
{
    char pad[16];
    memset(pad, ' ', 16);
    memcpy(pad, ae, strlen(ae) < 16 ? strlen(ae) : 16);
    g_byte_array_append(b, (const uint8_t *)pad, 16);
}

static inline bool
dr_write(int fd, const void *p, size_t n)
{
    return send(fd, p, n, MSG_NOSIGNAL) == (ssize_t)n;
}

/* Read one PDU's type and length (skipping its body); -1 on close or
 * timeout. */
static inline int
dr_read_pdu(int fd, GByteArray *body)
{
    uint8_t h[6];
    uint32_t len;
    size_t got = 0;

    while (got < 6) {
        ssize_t n = recv(fd, h + got, 6 - got, 0);
        if (n <= 0) {
            return -1;
        }
        got += (size_t)n;
    }
    len = (uint32_t)h[2] << 24 | (uint32_t)h[3] << 16 | (uint32_t)h[4] << 8 |
          h[5];
    if (len > (1u << 20)) {
        return -1;
    }
    if (body) {
        g_byte_array_set_size(body, len);
    }
    for (got = 0; got < len;) {
        uint8_t tmp[4096];
        size_t want = len - got < sizeof(tmp) ? len - got : sizeof(tmp);
        ssize_t n = recv(fd, body ? body->data + got : tmp, want, 0);
        if (n <= 0) {
            return -1;
        }
        got += (size_t)n;
    }
    return h[0];
}

/* A-ASSOCIATE-RQ with one presentation context (id 1); the PDU type of
 * the answer (2 accepted, 3 rejected, 7 aborted) or -1. */
static inline int
dr_associate(int fd, const char *calling, const char *called,
             const char *abstract)
{
    static const char app[] = "1.2.840.10008.3.1.1.1";
    GByteArray *v = g_byte_array_new(), *pc = g_byte_array_new();
    GByteArray *pdu = g_byte_array_new(), *ui = g_byte_array_new();
    uint8_t h[2] = {0x01, 0}, pcid[4] = {1, 0, 0, 0};
    uint8_t maxlen[4] = {0, 0, 0x40, 0};
    int type;

    dr_u16(v, 1); /* protocol version */
    dr_u16(v, 0);
    dr_ae(v, called);
    dr_ae(v, calling);
    for (int i = 0; i < 32; i++) {
        g_byte_array_append(v, (const uint8_t *)"", 1);
    }
    dr_item(v, 0x10, app, strlen(app));
    g_byte_array_append(pc, pcid, 4);
    dr_item(pc, 0x30, abstract, strlen(abstract));
    dr_item(pc, 0x40, DR_IMPLICIT_LE, strlen(DR_IMPLICIT_LE));
    dr_item(v, 0x20, pc->data, pc->len);
    dr_item(ui, 0x51, maxlen, 4);
    dr_item(v, 0x50, ui->data, ui->len);
    g_byte_array_append(pdu, h, 2);
    dr_u32(pdu, v->len);
    g_byte_array_append(pdu, v->data, v->len);
    type = dr_write(fd, pdu->data, pdu->len) ? dr_read_pdu(fd, NULL) : -1;
    g_byte_array_free(v, TRUE);
    g_byte_array_free(pc, TRUE);
    g_byte_array_free(pdu, TRUE);
    g_byte_array_free(ui, TRUE);
    return type;
}

/* One implicit-VR little-endian element. */
static inline void
dr_elem(GByteArray *b, uint16_t g, uint16_t e, const void *v, uint32_t len)
{
    uint8_t h[8] = {(uint8_t)g,           (uint8_t)(g >> 8),
                    (uint8_t)e,           (uint8_t)(e >> 8),
                    (uint8_t)len,         (uint8_t)(len >> 8),
                    (uint8_t)(len >> 16), (uint8_t)(len >> 24)};
    g_byte_array_append(b, h, 8);
    g_byte_array_append(b, v, len);
}

static inline void
dr_uid(GByteArray *b, uint16_t g, uint16_t e, const char *uid)
{
    char buf[66];
    size_t n = strlen(uid);
    memcpy(buf, uid, n);
    buf[n] = '\0';
    dr_elem(b, g, e, buf, (uint32_t)(n + (n & 1)));
}

static inline void
dr_us(GByteArray *b, uint16_t e, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    dr_elem(b, 0, e, x, 2);
}

/* A C-STORE-RQ command set. */
static inline GByteArray *
dr_store_command(const char *sop_class, const char *sop_instance)
{
    GByteArray *rest = g_byte_array_new(), *cmd = g_byte_array_new();
    uint8_t gl[4];

    dr_uid(rest, 0, 0x0002, sop_class);
    dr_us(rest, 0x0100, 0x0001); /* C-STORE-RQ */
    dr_us(rest, 0x0110, 1);      /* message id */
    dr_us(rest, 0x0700, 0);      /* priority */
    dr_us(rest, 0x0800, 0);      /* a data set follows */
    dr_uid(rest, 0, 0x1000, sop_instance);
    gl[0] = (uint8_t)rest->len;
    gl[1] = (uint8_t)(rest->len >> 8);
    gl[2] = gl[3] = 0;
    dr_elem(cmd, 0, 0x0000, gl, 4);
    g_byte_array_append(cmd, rest->data, rest->len);
    g_byte_array_free(rest, TRUE);
    return cmd;
}

/* A small data set: SOP class and instance, study and series UIDs. */
static inline GByteArray *
dr_dataset(const char *sop_class, const char *sop_instance, const char *study)
{
    GByteArray *d = g_byte_array_new();
    char series[70];

    g_snprintf(series, sizeof(series), "%s.2", study);
    dr_uid(d, 0x0008, 0x0016, sop_class);
    dr_uid(d, 0x0008, 0x0018, sop_instance);
    dr_elem(d, 0x0008, 0x0060, "OT", 2);
    dr_uid(d, 0x0020, 0x000D, study);
    dr_uid(d, 0x0020, 0x000E, series);
    return d;
}

/* One P-DATA-TF PDU with one PDV on context 1 (control: bit 0 command,
 * bit 1 last fragment). */
static inline bool
dr_pdata(int fd, uint8_t control, const void *data, size_t len)
{
    GByteArray *p = g_byte_array_new();
    uint8_t h[2] = {0x04, 0}, pdv[2] = {1, control};
    bool ok;

    g_byte_array_append(p, h, 2);
    dr_u32(p, (uint32_t)(len + 6));
    dr_u32(p, (uint32_t)(len + 2));
    g_byte_array_append(p, pdv, 2);
    g_byte_array_append(p, data, (guint)len);
    ok = dr_write(fd, p->data, p->len);
    g_byte_array_free(p, TRUE);
    return ok;
}

/* The Status (0000,0900) of the C-STORE-RSP in the next P-DATA, or -1. */
static inline int
dr_store_status(int fd)
{
    GByteArray *b = g_byte_array_new();
    static const uint8_t tag[] = {0x00, 0x00, 0x00, 0x09, 0x02, 0, 0, 0};
    int status = -1;

    if (dr_read_pdu(fd, b) == 0x04) {
        for (guint i = 0; i + sizeof(tag) + 2 <= b->len; i++) {
            if (memcmp(b->data + i, tag, sizeof(tag)) == 0) {
                status = b->data[i + 8] | b->data[i + 9] << 8;
                break;
            }
        }
    }
    g_byte_array_free(b, TRUE);
    return status;
}

#endif
