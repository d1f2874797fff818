// SPDX-License-Identifier: Apache-2.0
/*
 * tc-be.h - 16- and 32-bit big-endian (network order) reads and writes at
 * any alignment, for the RTP headers and ECG samples that the relay, the
 * SDK and the server's WebSocket viewer frames build and read. Header
 * only.
 */
#ifndef TC_BE_H
#define TC_BE_H

#include <stdint.h>

static inline uint16_t
tc_be_rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
tc_be_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static inline void
tc_be_wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void
tc_be_wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

#endif
