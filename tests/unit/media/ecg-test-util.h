/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ecg-test-util.h - what the ECG relay's unit tests (test-ecg-relay.c,
 * test-ecg-gso.c) both need: a loopback UDP socket and a spin of the
 * default main context, where the relay runs.
 */
#ifndef TC_ECG_TEST_UTIL_H
#define TC_ECG_TEST_UTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <glib.h>

/* A non-blocking UDP socket bound to 127.0.0.1 on a free port, written
 * to *bound; its receive buffer forced to rcvbuf bytes unless 0. */
static inline int
ecg_test_udp_socket(struct sockaddr_in *bound, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    socklen_t len = sizeof(*bound);

    memset(bound, 0, sizeof(*bound));
    bound->sin_family = AF_INET;
    bound->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (rcvbuf > 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
    }
    bind(fd, (struct sockaddr *)bound, sizeof(*bound));
    getsockname(fd, (struct sockaddr *)bound, &len);
    return fd;
}

/* Run the default main context for about ms milliseconds. */
static inline void
ecg_test_spin(int ms)
{
    int64_t end = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(200);
    }
}

#endif
