// SPDX-License-Identifier: Apache-2.0
/*
 * bench-http-seed.c - the records behind the HTTP benchmark
 * (bench-http.sh), written through the records C API: a county of
 * `residents` (default 100,000) in 10 townships, each township with a
 * clinic and 10 family-doctor teams, and 60% of the residents under an
 * active contract with a team of their township (about 600 per team).
 *
 *   bench-http-seed DATA_DIR [residents]
 *
 * It creates DATA_DIR/telecare.db (DATA_DIR must not hold one yet) and
 * prints, one "key value" a line: the practitioner id of a doctor on the
 * first team (the benchmark's caller), and a resident contracted to that
 * team (the one the benchmark reads).
 *
 * Single-threaded.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tc-records.h"

#define TOWNSHIPS     10
#define TEAMS_PER     10
#define BATCH         20000
#define CONTRACT_FREQ 5                  /* 3 in 5 residents are contracted */
#define NOW_US        1782777600000000LL /* 2026-06-30T00:00:00Z */

static struct tc_rec_db *db;

static void
die(const char *what, int rc)
{
    fprintf(stderr, "bench-http-seed: %s: %s (%d)\n", what, tc_rec_errmsg(db),
            rc);
    exit(1);
}

/* A valid GB 11643 ID number for resident n (born 1940..1999). */
static void
id_number(long n, char out[19])
{
    static const int w[] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                            3, 7, 9,  10, 5, 8, 4, 2};
    int sum = 0;

    snprintf(out, 19, "3301%02ld%04ld%02ld%02ld%03ld", n % 100, 1940 + n % 60,
             1 + n / 60 % 12, 1 + n / 720 % 28, n / 20160 % 1000);
    for (int i = 0; i < 17; i++) {
        sum += (out[i] - '0') * w[i];
    }
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

int
main(int argc, char **argv)
{
    long n = argc > 2 ? atol(argv[2]) : 100000;
    int64_t teams[TOWNSHIPS][TEAMS_PER], doctors[TOWNSHIPS][TEAMS_PER];
    int64_t first_resident = 0;
    char path[4096];
    int rc;

    if (argc < 2 || n < TOWNSHIPS * TEAMS_PER) {
        fprintf(stderr, "usage: bench-http-seed DATA_DIR [residents >= %d]\n",
                TOWNSHIPS * TEAMS_PER);
        return 2;
    }
    mkdir(argv[1], 0750);
    snprintf(path, sizeof(path), "%s/telecare.db", argv[1]);
    rc = tc_rec_open(path, &db);
    if (rc < 0) {
        die("open", rc);
    }
    for (int t = 0; t < TOWNSHIPS; t++) {
        char town[32], name[64];
        struct tc_rec_organization org = {.kind = TC_REC_ORG_TOWNSHIP_CLINIC,
                                          .name = name,
                                          .township = town,
                                          .created_at_us = NOW_US};
        int64_t org_id;

        snprintf(town, sizeof(town), "Township %02d", t);
        snprintf(name, sizeof(name), "%s Clinic", town);
        if ((rc = tc_rec_organization_create(db, &org, &org_id)) < 0) {
            die("organization", rc);
        }
        for (int k = 0; k < TEAMS_PER; k++) {
            struct tc_rec_practitioner p = {.name = name,
                                            .created_at_us = NOW_US};
            struct tc_rec_team team = {.organization_id = org_id,
                                       .name = name,
                                       .created_at_us = NOW_US};
            snprintf(name, sizeof(name), "Team %02d-%02d", t, k);
            if ((rc = tc_rec_practitioner_create(db, &p, &doctors[t][k])) <
                    0 ||
                (rc = tc_rec_team_create(db, &team, &teams[t][k])) < 0 ||
                (rc = tc_rec_team_member_add(db, teams[t][k], doctors[t][k],
                                             TC_REC_MEMBER_DOCTOR)) < 0) {
                die("team", rc);
            }
        }
    }
    for (long i = 0; i < n; i++) {
        char idn[19], name[32], town[32], birth[11];
        struct tc_rec_resident r = {.id_number = idn,
                                    .name = name,
                                    .township = town,
                                    .birth_date = birth,
                                    .created_at_us = NOW_US};
        enum tc_rec_sex sex;
        int64_t rid, cid;
        int t = (int)(i % TOWNSHIPS), k = (int)(i / TOWNSHIPS % TEAMS_PER);

        if (i % BATCH == 0 && (rc = tc_rec_tx_begin(db)) < 0) {
            die("begin", rc);
        }
        id_number(i, idn);
        tc_rec_resident_id_decode(idn, birth, &sex);
        r.sex = sex;
        snprintf(name, sizeof(name), "Resident %ld", i);
        snprintf(town, sizeof(town), "Township %02d", t);
        if ((rc = tc_rec_resident_create(db, &r, &rid)) < 0) {
            die("resident", rc);
        }
        if (i % CONTRACT_FREQ < 3) {
            struct tc_rec_contract_offer offer = {
                .resident_id = rid,
                .team_id = teams[t][k],
                .packages = TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_BASIC),
                .period_start = "2026-01-01",
                .offered_by = doctors[t][k],
                .offered_at_us = NOW_US - 200LL * 86400000000LL,
            };
            struct tc_rec_contract_signature sig = {
                .signed_by = doctors[t][k],
                .signed_at_us = offer.offered_at_us,
                .method = TC_REC_SIGN_IN_PERSON,
            };
            if ((rc = tc_rec_contract_offer(db, &offer, &cid)) < 0 ||
                (rc = tc_rec_contract_sign(db, cid, &sig)) < 0) {
                die("contract", rc);
            }
            if (t == 0 && k == 0 && !first_resident) {
                first_resident = rid;
            }
        }
        if ((i + 1) % BATCH == 0 || i + 1 == n) {
            if ((rc = tc_rec_tx_commit(db)) < 0) {
                die("commit", rc);
            }
        }
    }
    printf("practitioner %" PRId64 "\nresident %" PRId64 "\n", doctors[0][0],
           first_resident);
    tc_rec_close(db);
    return 0;
}
