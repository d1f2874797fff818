// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-resident-id.c - the resident ID number validator on arbitrary
 * bytes, given as a NUL-terminated string (bytes after an embedded NUL
 * are not seen, as for any C string from the network). It must never
 * crash; a refusal always says why, in a terminated string that fits its
 * buffer; an acceptance means 18 characters that decode to a real birth
 * date and a sex, and decoding agrees with the check.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tc-records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A refusal's text: terminated inside a small buffer, and not empty. */
static void
check_refusal(const char *id)
{
    char why[24];
    char birth[11] = "unchanged";
    enum tc_rec_sex sex = 0;

    memset(why, 'x', sizeof(why));
    if (tc_rec_resident_id_check(id, why, sizeof(why)) != -EINVAL ||
        memchr(why, '\0', sizeof(why)) == NULL || why[0] == '\0') {
        abort();
    }
    /* Decoding refuses too, and leaves its out-params alone. */
    if (tc_rec_resident_id_decode(id, birth, &sex) != -EINVAL ||
        strcmp(birth, "unchanged") != 0 || sex != 0) {
        abort();
    }
}

static void
check_accepted(const char *id)
{
    char birth[11];
    enum tc_rec_sex sex = 0;

    if (strlen(id) != TC_REC_RESIDENT_ID_LEN ||
        tc_rec_resident_id_decode(id, birth, &sex) != 0 ||
        strlen(birth) != 10 || birth[4] != '-' || birth[7] != '-' ||
        (sex != TC_REC_SEX_MALE && sex != TC_REC_SEX_FEMALE) ||
        memcmp(birth, id + 6, 4) != 0) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *id = malloc(size + 1);
    int rc;

    if (!id) {
        return 0;
    }
    memcpy(id, data, size);
    id[size] = '\0';
    rc = tc_rec_resident_id_check(id, NULL, 0);
    if (rc == 0) {
        check_accepted(id);
    } else if (rc == -EINVAL) {
        check_refusal(id);
    } else {
        abort();
    }
    free(id);
    return 0;
}
