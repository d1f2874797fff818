// SPDX-License-Identifier: Apache-2.0
/*
 * bench-ecg-net.c - bench-ecg's veth model (bench-ecg-net.h).
 *
 * Thread: bench-ecg's main thread.
 */
#include "bench-ecg-net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

static char netns[64], veth_relay[16];

#define VETH_RELAY "10.213.7.1"
#define VETH_PEER  "10.213.7.2"

static int
sh(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *cmd = NULL;
    int rc;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    rc = system(cmd);
    if (rc != 0) {
        fprintf(stderr, "failed (%d): %s\n", rc, cmd);
        return -1;
    }
    return 0;
}

static void
veth_down(void)
{
    if (netns[0]) {
        sh("ip netns del %s", netns); /* takes the veth pair with it */
        netns[0] = 0;
    }
}

/* Namespaces left by a bench that was killed (its PID is gone). */
static void
veth_remove_stale(void)
{
    g_autoptr(GDir) dir = g_dir_open("/run/netns", 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        int pid;
        if (sscanf(name, "tc-bench-ecg-%d", &pid) == 1 && pid > 0 &&
            kill(pid, 0) < 0 && errno == ESRCH) {
            sh("ip netns del %s", name);
        }
    }
}

int
bench_net_veth_up(uint32_t *relay, uint32_t *peer_out)
{
    char peer[16];

    veth_remove_stale();

    g_snprintf(netns, sizeof(netns), "tc-bench-ecg-%d", (int)getpid());
    g_snprintf(veth_relay, sizeof(veth_relay), "tcbe%dr", (int)getpid());
    g_snprintf(peer, sizeof(peer), "tcbe%dp", (int)getpid());
    atexit(veth_down);
    if (sh("ip netns add %s", netns) < 0 ||
        sh("ip link add %s type veth peer name %s netns %s", veth_relay, peer,
           netns) < 0 ||
        sh("ip addr add " VETH_RELAY "/24 dev %s && ip link set %s up",
           veth_relay, veth_relay) < 0 ||
        sh("ip -n %s addr add " VETH_PEER "/24 dev %s && ip -n %s link set "
           "%s up",
           netns, peer, netns, peer) < 0 ||
        /* rps_cpus: hex CPU masks, 1 = CPU 0, 2 = CPU 1 */
        sh("echo 1 > /sys/class/net/%s/queues/rx-0/rps_cpus", veth_relay) <
            0 ||
        sh("ip netns exec %s sh -c 'echo 2 > "
           "/sys/class/net/%s/queues/rx-0/rps_cpus'",
           netns, peer) < 0) {
        return -1;
    }
    *relay = ntohl(inet_addr(VETH_RELAY));
    *peer_out = ntohl(inet_addr(VETH_PEER));
    return 0;
}

static int home_ns = -1;

/* This thread into the namespace (sockets made now stay in it). */
int
bench_net_enter(void)
{
    g_autofree char *path = g_strdup_printf("/run/netns/%s", netns);
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (home_ns < 0) {
        home_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0 || home_ns < 0 || setns(fd, CLONE_NEWNET) < 0) {
        fprintf(stderr, "cannot enter %s: %s\n", netns, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    close(fd);
    return 0;
}

int
bench_net_leave(void)
{
    if (setns(home_ns, CLONE_NEWNET) < 0) {
        fprintf(stderr, "cannot leave %s: %s\n", netns, strerror(errno));
        return -1;
    }
    return 0;
}
