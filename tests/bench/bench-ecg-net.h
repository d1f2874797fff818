/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-ecg-net.h - bench-ecg's veth model (TC_BENCH_NET=veth): the
 * devices and subscribers in a network namespace of their own, joined to
 * the relay's by a veth pair, with the receive processing steered by RPS
 * where a NIC's would be (packets to the relay on CPU 0, to the
 * subscribers on CPU 1). Needs root and iproute2. The namespace is
 * tc-bench-ecg-<pid>, deleted at exit (and by the next bench if this one
 * was killed).
 */
#ifndef TC_BENCH_ECG_NET_H
#define TC_BENCH_ECG_NET_H

#include <stdint.h>

/* Make the namespace and the pair; the relay's and the peers' IPv4
 * addresses (host order). 0, or -1 with the failed command printed. */
int bench_net_veth_up(uint32_t *relay_ip, uint32_t *peer_ip);

/* The calling thread into the namespace (sockets made then stay in it),
 * and back. 0 or -1. */
int bench_net_enter(void);
int bench_net_leave(void);

#endif
