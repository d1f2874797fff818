// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-rehab-ticket.c - the recording ticket parser (server/
 * rehab-ticket.c) on arbitrary bytes as a NUL-terminated path segment.
 * It must never crash; an accepted ticket has positive ids and a MAC of
 * exactly 32 bytes decoded from 64 lower-case hex digits; a refusal is
 * -EINVAL and leaves *out alone.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rehab-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tc_srv__rehab_ticket t;
    char *text = malloc(size + 1);
    int rc;

    if (!text) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&t, 0x5a, sizeof(t));
    rc = tc_srv__rehab_ticket_parse(text, &t);
    if (rc == 0) {
        if (t.session_id <= 0 || t.user_id <= 0 || t.expires_s < 0) {
            abort();
        }
    } else if (rc != -EINVAL || t.session_id != 0x5a5a5a5a5a5a5a5a) {
        abort();
    }
    free(text);
    return 0;
}
