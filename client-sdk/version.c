// SPDX-License-Identifier: Apache-2.0
/*
 * version.c - what the SDK is: its version and the protocol it speaks.
 */
#include "tc-client.h"
#include "tc-config.h"

const char *
tc_sdk_version(void)
{
    return TC_VERSION;
}

const char *
tc_sdk_protocol(void)
{
    return "telecare.v1";
}
