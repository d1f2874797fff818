// SPDX-License-Identifier: Apache-2.0
/*
 * test-candidate.c - which browser ICE candidates carry an mDNS name
 * (media/sdp.c, tc_media__candidate_mdns): the rooms skip those and
 * connect through peer-reflexive candidates instead (docs/architecture.md,
 * "Browser mDNS candidates"). Real lines as Chromium sends them.
 */
#include <string.h>

#include "media-int.h"
#include "tc-test.h"

static bool
mdns(const char *line)
{
    return tc_media__candidate_mdns(line, strlen(line));
}

static void
test_mdns_names_are_found(void)
{
    TC_CHECK(mdns("candidate:3348147413 1 udp 2122260223 "
                  "0b4f6c3a-88c1-4a4e-9a52-1d8e6e1b1a55.local 54321 typ host "
                  "generation 0 ufrag abcd network-id 1"));
    TC_CHECK(mdns("candidate:1 1 tcp 1518280447 a.LOCAL 9 typ host tcptype "
                  "active"));
    TC_CHECK(mdns("candidate:1  1  udp  1  x.local  9  typ  host"));
}

static void
test_addresses_are_not(void)
{
    TC_CHECK(!mdns("candidate:842163049 1 udp 1677729535 203.0.113.7 3478 "
                   "typ srflx raddr 0.0.0.0 rport 0 generation 0"));
    TC_CHECK(!mdns("candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host"));
    TC_CHECK(!mdns("candidate:1 1 udp 2122260223 fe80::1 40000 typ host"));
    /* .local elsewhere than the address, or the whole address */
    TC_CHECK(!mdns("candidate:1 1 udp 2 10.0.0.1 9 typ srflx raddr x.local"));
    TC_CHECK(!mdns("candidate:1 1 udp 2 .local 9 typ host"));
    TC_CHECK(!mdns(""));
    TC_CHECK(!mdns("candidate:1 1 udp"));
    TC_CHECK(!mdns("candidate:1 1 udp 2 "));
}

static void
test_reads_only_its_bytes(void)
{
    static const char line[] = "candidate:1 1 udp 2 x.local 9 typ host";
    char *copy = g_memdup2(line, strlen(line)); /* no NUL */

    TC_CHECK(tc_media__candidate_mdns(copy, strlen(line)));
    /* cut inside the address: "x.loc" */
    TC_CHECK(
        !tc_media__candidate_mdns(copy, strlen("candidate:1 1 udp 2 x.loc")));
    g_free(copy);
}

int
main(void)
{
    TC_RUN(test_mdns_names_are_found);
    TC_RUN(test_addresses_are_not);
    TC_RUN(test_reads_only_its_bytes);
    return tc_done();
}
