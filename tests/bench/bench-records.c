// SPDX-License-Identifier: Apache-2.0
/*
 * bench-records.c - the records benchmark (issue 3): generate a county
 * through the records C API, then time what the family-doctor office and
 * the clinicians do most.
 *
 * At scale 1 the county has 1,000,000 residents in 20 townships, 300
 * family-doctor teams, 600,000 active contracts (a quarter of them
 * renewals of last year's) with their follow-ups and the outcomes of those
 * already due, 50,000 expired contracts, 50,000 rehab plans with 100
 * sessions each (5,000,000), two Barthel assessments per plan, 20,000
 * consultations, 20,000 ECG and 10,000 imaging studies, and 2,000,000
 * audit events. "Today" is 2026-06-30. Every row is written by the
 * public API, inside transactions of about 50,000 calls.
 *
 * Then it prints the bulk-load rate per table and overall, the database
 * size, and p50/p99 latencies (after a warm-up) of: a team's panel (a
 * random team, a random page of 50), one resident's timeline (first page
 * of 50; any contracted resident, and rehab residents alone), and every
 * township's statistics (a quarter and a year). It asserts nothing about
 * time (STYLE.md: bench).
 *
 *   TC_BENCH_SCALE=0.01 ./bench-records     a quick smoke run
 *   ./bench-records [scale]                 scale 1 unless told
 *   TC_BENCH_DB=/path/county.db             keep the database there; if
 *                                           it exists, skip the load
 *
 * The generator is here; bench-measure.c times the queries.
 *
 * Single-threaded.
 */
#include "bench-records.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tc-records.h"

#define N_TOWNSHIPS 20
#define TX_CALLS    50000
#define US_PER_DAY  (86400LL * 1000000LL)
#define US_PER_HOUR (3600LL * 1000000LL)
#define PLAN_WEEKS  25

#define BASIC    TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_BASIC)
#define REHAB    TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_DISABILITY_REHAB)
#define ELDERLY  TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_ELDERLY_CARE)
#define CHRONIC  TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_CHRONIC_DISEASE)
#define MATERNAL TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_MATERNAL_CHILD)

/* ---- small helpers ---- */

double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

uint64_t
rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A stable pseudo-random number for (i, salt): the same in every phase. */
static uint64_t
hash2(uint64_t i, uint64_t salt)
{
    uint64_t x = i * 0x9e3779b97f4a7c15ULL + salt * 0xbf58476d1ce4e5b9ULL;

    x ^= x >> 31;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 29;
    return x;
}

/* Days since 1970-01-01 of a civil date, and back (H. Hinnant). */
static int64_t
days_from_civil(int y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void
date_of_days(int64_t z, char out[11])
{
    int64_t era, doe, yoe, y, doy, mp, d, m;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp + (mp < 10 ? 3 : -9);
    snprintf(out, 11, "%04d-%02d-%02d", (int)(y + (m <= 2)), (int)m, (int)d);
}

static int64_t
days_of_date(const char *date)
{
    return days_from_civil(atoi(date), atoi(date + 5), atoi(date + 8));
}

void
die(struct tc_rec_db *db, const char *what, int rc)
{
    fprintf(stderr, "bench: %s failed: %d (%s)\n", what, rc,
            db ? tc_rec_errmsg(db) : "");
    exit(1);
}

/* ---- the county being built ---- */

struct county {
    struct tc_rec_db *db;
    double scale;
    int64_t n_residents, n_teams, n_plans_target;
    int64_t county_org, specialist, reader, radiologist;
    int64_t *team_ids, *team_doctor, *team_therapist;
    int64_t *resident_ids;    /* by resident index */
    int64_t *active_contract; /* by resident index, 0: none */
    int64_t *plan_ids;
    int64_t n_plans;
    int64_t *rehab_residents; /* resident index of each plan */
    uint8_t *rehab;           /* by resident index: has the package */
    int64_t n_rehab_contracts;
    int64_t calls;       /* API calls in the open transaction */
    int64_t phase_calls; /* API calls in the phase */
    sqlite3 *raw;        /* a read connection, to count rows */
};

/* Count one API call; commit and begin again every TX_CALLS. */
static void
tick(struct county *c)
{
    c->phase_calls++;
    if (++c->calls >= TX_CALLS) {
        MUST(c->db, tc_rec_tx_commit(c->db));
        MUST(c->db, tc_rec_tx_begin(c->db));
        c->calls = 0;
    }
}

#define MAX_TABLES 64

/* The row count of every table, to say what a phase wrote. */
struct snapshot {
    int n;
    char names[MAX_TABLES][48];
    int64_t rows[MAX_TABLES];
};

static void
snapshot_take(sqlite3 *raw, struct snapshot *snap)
{
    sqlite3_stmt *st, *cnt;

    snap->n = 0;
    if (sqlite3_prepare_v2(raw,
                           "SELECT name FROM sqlite_schema WHERE type ="
                           " 'table' AND name NOT LIKE 'sqlite_%'"
                           " ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK) {
        die(NULL, "snapshot", -EIO);
    }
    while (sqlite3_step(st) == SQLITE_ROW && snap->n < MAX_TABLES) {
        char sql[96];
        snprintf(snap->names[snap->n], sizeof(snap->names[0]), "%s",
                 sqlite3_column_text(st, 0));
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"",
                 snap->names[snap->n]);
        snap->rows[snap->n] = 0;
        if (sqlite3_prepare_v2(raw, sql, -1, &cnt, NULL) == SQLITE_OK &&
            sqlite3_step(cnt) == SQLITE_ROW) {
            snap->rows[snap->n] = sqlite3_column_int64(cnt, 0);
        }
        sqlite3_finalize(cnt);
        snap->n++;
    }
    sqlite3_finalize(st);
}

struct phase {
    const char *name;
    double start;
    struct snapshot before;
};

static struct phase *
phase_begin(struct county *c, const char *name)
{
    static struct phase p;

    p.name = name;
    snapshot_take(c->raw, &p.before);
    c->calls = 0;
    c->phase_calls = 0;
    p.start = now_s();
    MUST(c->db, tc_rec_tx_begin(c->db));
    return &p;
}

static double load_rows_total, load_s_total, load_calls_total;

/* Commit, then print the rows the phase inserted, per table, and the
 * rates (the counting is not timed). */
static void
phase_end(struct county *c, struct phase *p, const char *what)
{
    struct snapshot after;
    int64_t rows = 0;
    double s;

    MUST(c->db, tc_rec_tx_commit(c->db));
    s = now_s() - p->start;
    snapshot_take(c->raw, &after);
    for (int k = 0; k < after.n; k++) {
        rows += after.rows[k] - (k < p->before.n ? p->before.rows[k] : 0);
    }
    load_rows_total += (double)rows;
    load_calls_total += (double)c->phase_calls;
    load_s_total += s;
    printf("load %-22s %9" PRId64 " rows in %6.1f s = %7.0f rows/s;"
           " %9" PRId64 " API calls = %7.0f calls/s  (%s)\n      rows:",
           p->name, rows, s, (double)rows / s, c->phase_calls,
           (double)c->phase_calls / s, what);
    for (int k = 0; k < after.n; k++) {
        int64_t d = after.rows[k] - (k < p->before.n ? p->before.rows[k] : 0);
        if (d != 0) {
            printf(" %s +%" PRId64, after.names[k], d);
        }
    }
    printf("\n");
    fflush(stdout);
}

static int64_t
township_of(int64_t i)
{
    return (int64_t)(hash2((uint64_t)i, 2) % N_TOWNSHIPS);
}

/* The team index of resident i: one of the teams of its township. */
static int64_t
team_of(const struct county *c, int64_t i)
{
    int64_t t = township_of(i);
    int64_t per = (c->n_teams - t + N_TOWNSHIPS - 1) / N_TOWNSHIPS;

    return t + N_TOWNSHIPS * (int64_t)(hash2((uint64_t)i, 7) % (uint64_t)per);
}

/* Three residents in five have an active contract (60%); one in twenty,
 * among the others, had one that expired (5%). */
static bool
is_contracted(int64_t i)
{
    return hash2((uint64_t)i, 4) % 5 < 3;
}

static bool
is_expired(int64_t i)
{
    return hash2((uint64_t)i, 4) % 20 == 3;
}

/* The packages of resident i's active contract. The rehabilitation
 * package goes to about one contracted resident in eleven until the
 * county has its plans (c->rehab marks them, for the later phases). */
static unsigned
packages_of(struct county *c, int64_t i)
{
    uint64_t h = hash2((uint64_t)i, 10);
    unsigned p = BASIC;

    if (c->rehab[i] ||
        (h % 11 == 0 && c->n_rehab_contracts < c->n_plans_target)) {
        if (!c->rehab[i]) {
            c->rehab[i] = 1;
            c->n_rehab_contracts++;
        }
        p |= REHAB;
    }
    p |= (h >> 8) % 10 == 1 ? CHRONIC : 0;
    p |= (h >> 16) % 7 == 2 ? ELDERLY : 0;
    p |= (h >> 24) % 20 == 3 ? MATERNAL : 0;
    return p;
}

/* A quarter of the active contracts renew last year's. */
static bool
is_renewal(int64_t i)
{
    return hash2((uint64_t)i, 3) % 4 == 0;
}

/* The first day of resident i's active contract: within the year that
 * ends today, so every active contract is in force today. */
static int64_t
start_day(int64_t i)
{
    return days_of_date("2025-07-01") + (int64_t)(hash2((uint64_t)i, 5) % 365);
}

/* ---- organizations, teams and people ---- */

static int64_t
practitioner(struct county *c, const char *name)
{
    struct tc_rec_practitioner p = {
        .name = (char *)name,
        .created_at_us = days_of_date("2024-01-02") * US_PER_DAY,
    };
    int64_t id;

    MUST(c->db, tc_rec_practitioner_create(c->db, &p, &id));
    return id;
}

static int64_t
organization(struct county *c, enum tc_rec_org_kind kind, const char *name,
             const char *township, int64_t part_of)
{
    struct tc_rec_organization org = {
        .kind = kind,
        .name = (char *)name,
        .part_of = part_of,
        .township = (char *)township,
        .created_at_us = days_of_date("2024-01-01") * US_PER_DAY,
    };
    int64_t id;

    MUST(c->db, tc_rec_organization_create(c->db, &org, &id));
    return id;
}

static void
township_name(int64_t t, char out[32])
{
    snprintf(out, 32, "Township %02d", (int)t);
}

static void
load_teams(struct county *c)
{
    struct tc_rec_practitioner_role role = {0};
    int64_t clinics[N_TOWNSHIPS];
    char name[64], town[32];

    c->county_org = organization(c, TC_REC_ORG_COUNTY_HOSPITAL,
                                 "County Hospital", "Seat", 0);
    c->specialist = practitioner(c, "Specialist");
    c->reader = practitioner(c, "ECG Reader");
    c->radiologist = practitioner(c, "Radiologist");
    role = (struct tc_rec_practitioner_role){
        .practitioner_id = c->specialist,
        .organization_id = c->county_org,
        .role = TC_REC_ROLE_SPECIALIST,
    };
    MUST(c->db, tc_rec_practitioner_role_add(c->db, &role, &role.id));
    for (int t = 0; t < N_TOWNSHIPS; t++) {
        township_name(t, town);
        snprintf(name, sizeof(name), "%s Clinic", town);
        clinics[t] = organization(c, TC_REC_ORG_TOWNSHIP_CLINIC, name, town,
                                  c->county_org);
    }
    for (int64_t k = 0; k < c->n_teams; k++) {
        struct tc_rec_team team = {
            .organization_id = clinics[k % N_TOWNSHIPS],
            .name = name,
            .created_at_us = days_of_date("2024-01-02") * US_PER_DAY,
        };
        int64_t nurse;
        snprintf(name, sizeof(name), "Team %" PRId64, k);
        MUST(c->db, tc_rec_team_create(c->db, &team, &c->team_ids[k]));
        c->team_doctor[k] = practitioner(c, "Family Doctor");
        c->team_therapist[k] = practitioner(c, "Therapist");
        nurse = practitioner(c, "Nurse");
        MUST(c->db,
             tc_rec_team_member_add(c->db, c->team_ids[k], c->team_doctor[k],
                                    TC_REC_MEMBER_DOCTOR));
        MUST(c->db, tc_rec_team_member_add(c->db, c->team_ids[k], nurse,
                                           TC_REC_MEMBER_NURSE));
        MUST(c->db, tc_rec_team_member_add(c->db, c->team_ids[k],
                                           c->team_therapist[k],
                                           TC_REC_MEMBER_THERAPIST));
    }
}

/* ---- residents ---- */

/* A valid ID number unique to i: region, a birth date, a sequence. */
static void
id_number_of(int64_t i, char out[19], char birth[11])
{
    static const int weights[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                    3, 7, 9,  10, 5, 8, 4, 2};
    static const char checks[] = "10X98765432";
    int64_t day = days_of_date("1930-01-01") + (i * 7919) % 32000;
    int sum = 0;

    date_of_days(day, birth);
    snprintf(out, 19, "330723%.4s%.2s%.2s%03d0", birth, birth + 5, birth + 8,
             (int)(i / 32000));
    for (int k = 0; k < 17; k++) {
        sum += (out[k] - '0') * weights[k];
    }
    out[17] = checks[sum % 11];
    out[18] = '\0';
}

static void
load_residents(struct county *c)
{
    struct phase *p = phase_begin(c, "residents");
    char idn[19], birth[11], town[32], village[32];

    for (int64_t i = 0; i < c->n_residents; i++) {
        struct tc_rec_resident r = {
            .id_number = idn,
            .name = "Resident",
            .birth_date = birth,
            .township = town,
            .village = village,
            .created_at_us = days_of_date("2024-03-01") * US_PER_DAY +
                             (int64_t)(hash2((uint64_t)i, 1) % 1000000000),
        };
        id_number_of(i, idn, birth);
        MUST(c->db, tc_rec_resident_id_decode(idn, birth, &r.sex));
        township_name(township_of(i), town);
        snprintf(village, sizeof(village), "Village %02d",
                 (int)((i / N_TOWNSHIPS) % 12));
        MUST(c->db, tc_rec_resident_create(c->db, &r, &c->resident_ids[i]));
        tick(c);
    }
    phase_end(c, p, "tc_rec_resident_create");
}

/* ---- contracts ---- */

/* Offer and sign a contract from `day`; returns its id. */
static int64_t
contract_signed(struct county *c, int64_t i, unsigned packages, int64_t day)
{
    int64_t team = team_of(c, i);
    char start[11];
    struct tc_rec_contract_offer o = {
        .resident_id = c->resident_ids[i],
        .team_id = c->team_ids[team],
        .packages = packages,
        .period_start = start,
        .offered_by = c->team_doctor[team],
        .offered_at_us = day * US_PER_DAY + 9 * US_PER_HOUR,
    };
    struct tc_rec_contract_signature sig = {
        .signed_by = c->team_doctor[team],
        .signed_at_us = o.offered_at_us + US_PER_HOUR,
        .method = i % 3 ? TC_REC_SIGN_IN_PERSON : TC_REC_SIGN_ONLINE,
    };
    int64_t id;

    date_of_days(day, start);
    MUST(c->db, tc_rec_contract_offer(c->db, &o, &id));
    MUST(c->db, tc_rec_contract_sign(c->db, id, &sig));
    tick(c);
    tick(c);
    return id;
}

/* Record the outcome of every follow-up of `contract` due before today:
 * most done a few days early, some missed. Returns the count. */
static int64_t
followup_outcomes(struct county *c, int64_t i, int64_t contract)
{
    struct tc_rec_followup_list *list = NULL;
    int64_t team = team_of(c, i), n = 0;

    MUST(c->db, tc_rec_followup_list_for_contract(c->db, contract, &list));
    for (size_t k = 0; k < list->count; k++) {
        struct tc_rec_followup *f = &list->items[k];
        bool missed = hash2((uint64_t)f->id, 11) % 100 < 15;
        struct tc_rec_followup_outcome o = {
            .status = missed ? TC_REC_FOLLOWUP_MISSED : TC_REC_FOLLOWUP_DONE,
            .by = c->team_doctor[team],
            .at_us =
                (days_of_date(f->due_date) + (missed ? 1 : -5)) * US_PER_DAY +
                10 * US_PER_HOUR,
        };
        if (f->status != TC_REC_FOLLOWUP_DUE ||
            strcmp(f->due_date, TODAY) >= 0) {
            continue;
        }
        MUST(c->db, tc_rec_followup_record(c->db, f->id, &o));
        tick(c);
        n++;
    }
    tc_rec_followup_list_free(list);
    return n;
}

/* Last year's contract, its outcomes, and its renewal into this year's. */
static int64_t
contract_renewed(struct county *c, int64_t i, unsigned packages, int64_t day,
                 int64_t *n_outcomes)
{
    int64_t team = team_of(c, i);
    char prev_start[32], this_start[11];
    int64_t prev, id;
    struct tc_rec_contract_renewal r = {
        .packages = packages,
        .sig = {.signed_by = c->team_doctor[team],
                .signed_at_us = (day - 10) * US_PER_DAY + 10 * US_PER_HOUR,
                .method = TC_REC_SIGN_IN_PERSON},
    };

    date_of_days(day, this_start);
    snprintf(prev_start, sizeof(prev_start), "%04d%s", atoi(this_start) - 1,
             this_start + 4);
    if (strcmp(prev_start + 5, "02-29") == 0) {
        prev_start[9] = '8'; /* no 29 February last year */
    }
    prev = contract_signed(c, i, packages & ~REHAB, days_of_date(prev_start));
    *n_outcomes += followup_outcomes(c, i, prev);
    MUST(c->db, tc_rec_contract_renew(c->db, prev, &r, &id));
    tick(c);
    return id;
}

static void
load_contracts(struct county *c)
{
    struct phase *p = phase_begin(c, "contracts");
    int64_t n_outcomes = 0, n_contracts = 0;

    for (int64_t i = 0; i < c->n_residents; i++) {
        unsigned packages = is_contracted(i) ? packages_of(c, i) : BASIC;
        int64_t id;
        if (is_expired(i)) {
            id = contract_signed(c, i, BASIC, days_of_date("2024-09-01"));
            n_outcomes += followup_outcomes(c, i, id);
            n_contracts++;
        }
        if (!is_contracted(i)) {
            continue;
        }
        if (is_renewal(i)) {
            id = contract_renewed(c, i, packages, start_day(i), &n_outcomes);
            n_contracts += 2;
        } else {
            id = contract_signed(c, i, packages, start_day(i));
            n_contracts++;
        }
        c->active_contract[i] = id;
        n_outcomes += followup_outcomes(c, i, id);
    }
    phase_end(c, p,
              "offer + sign (and renew), which generates the follow-up "
              "schedules; then the outcomes of follow-ups already due");
    printf("      %" PRId64 " contracts, %" PRId64 " follow-up outcomes\n",
           n_contracts, n_outcomes);
}

static void
expire_contracts(struct county *c)
{
    struct phase *p = phase_begin(c, "expiry sweep");
    int n = 0;

    MUST(c->db, tc_rec_contract_expire_due(c->db, TODAY, &n));
    tick(c);
    phase_end(c, p, "tc_rec_contract_expire_due");
    printf("      %d contracts expired\n", n);
}

/* ---- rehabilitation ---- */

static void
barthel(struct county *c, int64_t i, int64_t plan, int64_t team, int64_t at_us,
        int level)
{
    struct tc_rec_barthel_new b = {
        .resident_id = c->resident_ids[i],
        .plan_id = plan,
        .assessor_id = c->team_therapist[team],
        .assessed_at_us = at_us,
        .items = {level ? 10 : 5, 5, 5, 5, 10, 10, 5, level ? 15 : 10,
                  level ? 10 : 5, 5},
    };
    int64_t id;

    MUST(c->db, tc_rec_barthel_record(c->db, &b, &id));
    tick(c);
}

/* A plan of resident i from `day` (PLAN_WEEKS weeks, 4 sessions a week),
 * active, with its first Barthel assessment (and a second one after 12
 * weeks when that is past). */
static int64_t
plan_for(struct county *c, int64_t i, int64_t day)
{
    int64_t team = team_of(c, i), id, ex_id;
    char start[11], end[11];
    int64_t t0 = (day - 2) * US_PER_DAY + 9 * US_PER_HOUR;
    struct tc_rec_rehab_plan_new in = {
        .resident_id = c->resident_ids[i],
        .contract_id = c->active_contract[i],
        .title = "Rehabilitation",
        .period_start = start,
        .period_end = end,
        .therapist_ids = &c->team_therapist[team],
        .n_therapists = 1,
        .created_by = c->team_therapist[team],
        .created_at_us = t0,
    };
    struct tc_rec_rehab_exercise_new ex = {
        .name = "Sit to stand",
        .sets = 3,
        .reps = 10,
        .sessions_per_week = 4,
    };

    date_of_days(day, start);
    date_of_days(day + PLAN_WEEKS * 7 - 1, end);
    MUST(c->db, tc_rec_rehab_plan_create(c->db, &in, &id));
    MUST(c->db, tc_rec_rehab_exercise_add(c->db, id, &ex, &ex_id));
    MUST(c->db, tc_rec_rehab_plan_activate(c->db, id, in.created_by, t0));
    tick(c);
    tick(c);
    tick(c);
    barthel(c, i, id, team, day * US_PER_DAY + 9 * US_PER_HOUR, 0);
    if (day + 84 < days_of_date(TODAY)) {
        barthel(c, i, id, team, (day + 84) * US_PER_DAY + 11 * US_PER_HOUR, 1);
    }
    return id;
}

static void
load_plans(struct county *c)
{
    struct phase *p = phase_begin(c, "rehab plans");

    for (int64_t i = 0; i < c->n_residents; i++) {
        if (!is_contracted(i) || !c->rehab[i]) {
            continue;
        }
        c->rehab_residents[c->n_plans] = i;
        c->plan_ids[c->n_plans++] = plan_for(c, i, start_day(i) + 7);
    }
    phase_end(c, p, "plan + exercise + activate + Barthel assessments");
}

/* The sessions of plan k: 4 a week on days 0, 2, 4, 6 at 10:00; those
 * already past are started and finished (90%) or missed. */
static int64_t
sessions_for(struct county *c, int64_t k)
{
    int64_t i = c->rehab_residents[k], team = team_of(c, i);
    int64_t day0 = start_day(i) + 7, today = days_of_date(TODAY), n = 0;

    for (int w = 0; w < PLAN_WEEKS; w++) {
        for (int d = 0; d < 4; d++) {
            int64_t day = day0 + w * 7 + d * 2, id;
            bool live = (w + d) % 4 == 0;
            struct tc_rec_rehab_session_new in = {
                .plan_id = c->plan_ids[k],
                .mode =
                    live ? TC_REC_REHAB_LIVE_GUIDED : TC_REC_REHAB_SELF_GUIDED,
                .scheduled_at_us = day * US_PER_DAY + 10 * US_PER_HOUR,
                .therapist_id = live ? c->team_therapist[team] : 0,
            };
            struct tc_rec_rehab_session_result res = {
                .ended_at_us = in.scheduled_at_us + US_PER_HOUR / 2,
                .attendance = TC_REC_REHAB_ATTENDANCE_ALONE,
                .completion_pct = 60 + (int)(hash2((uint64_t)day, 13) % 41),
                .pain_after = 2,
                .difficulty = 3,
            };
            MUST(c->db, tc_rec_rehab_session_schedule(c->db, &in, &id));
            tick(c);
            n++;
            if (day >= today) {
                continue;
            }
            if (hash2((uint64_t)id, 17) % 10 == 0) {
                MUST(c->db, tc_rec_rehab_session_miss(
                                c->db, id, in.scheduled_at_us + US_PER_DAY));
                tick(c);
                continue;
            }
            MUST(c->db,
                 tc_rec_rehab_session_start(c->db, id, in.scheduled_at_us, 3));
            MUST(c->db, tc_rec_rehab_session_finish(c->db, id, &res));
            tick(c);
            tick(c);
        }
    }
    return n;
}

static void
load_sessions(struct county *c)
{
    struct phase *p = phase_begin(c, "rehab sessions");
    int64_t n = 0;

    for (int64_t k = 0; k < c->n_plans; k++) {
        n += sessions_for(c, k);
    }
    phase_end(c, p, "schedule, then start + finish or miss when past");
}

/* ---- consultations, ECG and imaging ---- */

/* A resident index with an active contract, at random. */
static int64_t
random_contracted(const struct county *c)
{
    int64_t i;

    do {
        i = (int64_t)(rnd() % (uint64_t)c->n_residents);
    } while (!is_contracted(i));
    return i;
}

static void
load_consultations(struct county *c, int64_t n)
{
    struct phase *p = phase_begin(c, "consultations");

    for (int64_t k = 0; k < n; k++) {
        int64_t i = random_contracted(c), id;
        struct tc_rec_consultation_new in = {
            .requester_id = c->team_doctor[team_of(c, i)],
            .requested_org_id = c->county_org,
            .resident_id = c->resident_ids[i],
            .reason = "Second opinion",
            .priority = k % 10 ? TC_REC_CONSULTATION_ROUTINE
                               : TC_REC_CONSULTATION_URGENT,
            .requested_at_us =
                (days_of_date(TODAY) - 1 - k % 300) * US_PER_DAY,
        };
        MUST(c->db, tc_rec_consultation_request(c->db, &in, &id));
        tick(c);
        if (k % 2) {
            MUST(c->db,
                 tc_rec_consultation_accept(c->db, id, c->specialist,
                                            in.requested_at_us + US_PER_HOUR));
            tick(c);
        }
    }
    phase_end(c, p, "request, accept half");
}

static void
load_ecg(struct county *c, int64_t n)
{
    struct phase *p = phase_begin(c, "ECG studies");
    struct tc_rec_ecg_report_in rep = {
        .rhythm = "Sinus rhythm",
        .heart_rate_bpm = 72,
        .impression = "Normal ECG",
    };

    for (int64_t k = 0; k < n; k++) {
        int64_t i = random_contracted(c), id;
        struct tc_rec_ecg_study_new in = {
            .resident_id = c->resident_ids[i],
            .device_id = "ecg-1",
            .leads = "I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6",
            .sample_rate_hz = 500,
            .started_at_us = (days_of_date(TODAY) - 1 - k % 300) * US_PER_DAY,
            .duration_ms = 10000,
            .storage_path = "ecg/record",
        };
        MUST(c->db, tc_rec_ecg_study_create(c->db, &in, &id));
        tick(c);
        if (k % 2) {
            MUST(c->db,
                 tc_rec_ecg_report_sign(c->db, id, &rep, c->reader,
                                        in.started_at_us + US_PER_HOUR));
            tick(c);
        }
    }
    phase_end(c, p, "store, report half");
}

static void
load_imaging(struct county *c, int64_t n)
{
    struct phase *p = phase_begin(c, "imaging studies");
    struct tc_rec_imaging_report_in rep = {
        .findings = "No acute findings.",
        .impression = "Normal study",
    };
    char study[64], series[64], sop[64];

    for (int64_t k = 0; k < n; k++) {
        int64_t i = random_contracted(c), id;
        struct tc_rec_imaging_instance_in in = {
            .study_uid = study,
            .resident_id = c->resident_ids[i],
            .series_uid = series,
            .modality = k % 3 ? "DX" : "CT",
            .series_number = 1,
            .sop_instance_uid = sop,
            .sop_class_uid = "1.2.840.10008.5.1.4.1.1.1",
            .storage_path = "dicom/instance",
            .sha256 = "0123456789abcdef0123456789abcdef"
                      "0123456789abcdef0123456789abcdef",
            .size_bytes = 524288,
            .received_at_us = (days_of_date(TODAY) - 1 - k % 300) * US_PER_DAY,
        };
        snprintf(study, sizeof(study), "1.2.826.0.1.3680043.10.1.%" PRId64, k);
        snprintf(series, sizeof(series), "1.2.826.0.1.3680043.10.2.%" PRId64,
                 k);
        snprintf(sop, sizeof(sop), "1.2.826.0.1.3680043.10.3.%" PRId64, k);
        MUST(c->db, tc_rec_imaging_instance_store(c->db, &in, &id));
        tick(c);
        if (k % 2) {
            int64_t at = in.received_at_us + US_PER_HOUR;
            MUST(c->db,
                 tc_rec_imaging_study_assign(c->db, id, c->radiologist, at));
            MUST(c->db, tc_rec_imaging_report_sign(c->db, id, &rep,
                                                   c->radiologist, at));
            tick(c);
            tick(c);
        }
    }
    phase_end(c, p, "store an instance, assign and report half");
}

/* ---- audit ---- */

static void
load_audit(struct county *c, int64_t n)
{
    struct phase *p = phase_begin(c, "audit events");
    char actor[32];

    for (int64_t k = 0; k < n; k++) {
        int64_t i = (int64_t)(rnd() % (uint64_t)c->n_residents);
        struct tc_rec_audit_event ev = {
            .at_us = (days_of_date(TODAY) - 365) * US_PER_DAY +
                     k * (365 * US_PER_DAY / (n + 1)),
            .actor = actor,
            .actor_role = "family_doctor",
            .action = k % 10 ? TC_REC_AUDIT_READ : TC_REC_AUDIT_UPDATE,
            .entity_type = "Patient",
            .entity_id = c->resident_ids[i],
            .resident_id = c->resident_ids[i],
            .client_addr = "10.0.0.1",
            .purpose = "treatment",
            .outcome = TC_REC_AUDIT_SUCCESS,
        };
        snprintf(actor, sizeof(actor), "user:%d", (int)(k % 900));
        MUST(c->db, tc_rec_audit_append(c->db, &ev, NULL));
        tick(c);
    }
    phase_end(c, p, "tc_rec_audit_append");
}

/* ---- main ---- */

static void
county_init(struct county *c, struct tc_rec_db *db, double scale)
{
    memset(c, 0, sizeof(*c));
    c->db = db;
    c->scale = scale;
    c->n_residents = (int64_t)llround(1000000 * scale);
    c->n_teams = (int64_t)llround(300 * scale);
    c->n_teams = c->n_teams < N_TOWNSHIPS ? N_TOWNSHIPS : c->n_teams;
    c->n_plans_target = (int64_t)llround(50000 * scale);
    c->team_ids = calloc((size_t)c->n_teams, sizeof(int64_t));
    c->team_doctor = calloc((size_t)c->n_teams, sizeof(int64_t));
    c->team_therapist = calloc((size_t)c->n_teams, sizeof(int64_t));
    c->resident_ids = calloc((size_t)c->n_residents, sizeof(int64_t));
    c->active_contract = calloc((size_t)c->n_residents, sizeof(int64_t));
    c->plan_ids = calloc((size_t)c->n_plans_target + 1, sizeof(int64_t));
    c->rehab_residents =
        calloc((size_t)c->n_plans_target + 1, sizeof(int64_t));
    c->rehab = calloc((size_t)c->n_residents, 1);
    if (!c->rehab || !c->team_ids || !c->team_doctor || !c->team_therapist ||
        !c->resident_ids || !c->active_contract || !c->plan_ids ||
        !c->rehab_residents) {
        die(NULL, "calloc", -ENOMEM);
    }
}

static void
county_fini(struct county *c)
{
    free(c->team_ids);
    free(c->team_doctor);
    free(c->team_therapist);
    free(c->resident_ids);
    free(c->active_contract);
    free(c->plan_ids);
    free(c->rehab_residents);
    free(c->rehab);
}

static void
generate(const char *path, double scale)
{
    struct tc_rec_db *db = NULL;
    struct county c;
    struct phase *p;
    double t0 = now_s();

    MUST(NULL, tc_rec_open(path, &db));
    county_init(&c, db, scale);
    if (sqlite3_open_v2(path, &c.raw, SQLITE_OPEN_READONLY, NULL) !=
        SQLITE_OK) {
        die(NULL, "open a read connection", -EIO);
    }
    p = phase_begin(&c, "organizations, teams");
    load_teams(&c);
    phase_end(&c, p, "organizations, teams, practitioners");
    load_residents(&c);
    load_contracts(&c);
    expire_contracts(&c);
    load_plans(&c);
    load_sessions(&c);
    load_consultations(&c, (int64_t)llround(20000 * scale));
    load_ecg(&c, (int64_t)llround(20000 * scale));
    load_imaging(&c, (int64_t)llround(10000 * scale));
    load_audit(&c, (int64_t)llround(2000000 * scale));
    county_fini(&c);
    sqlite3_close(c.raw);
    tc_rec_close(db); /* checkpoints the WAL into the file */
    printf("load total: %.0f rows in %.1f s = %.0f rows/s; %.0f API calls"
           " = %.0f calls/s (wall, with row counting: %.1f s)\n",
           load_rows_total, load_s_total, load_rows_total / load_s_total,
           load_calls_total, load_calls_total / load_s_total, now_s() - t0);
}

static double
scale_of(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : getenv("TC_BENCH_SCALE");
    double v = s ? atof(s) : 1.0;

    if (!(v > 0 && v <= 10)) {
        fprintf(stderr, "bench: scale must be in (0, 10]\n");
        exit(2);
    }
    return v;
}

int
main(int argc, char **argv)
{
    double scale = scale_of(argc, argv);
    const char *keep = getenv("TC_BENCH_DB");
    char path[512], dir[] = "/tmp/tc-bench-XXXXXX";
    struct stat sb;

    if (keep) {
        snprintf(path, sizeof(path), "%s", keep);
    } else if (mkdtemp(dir)) {
        snprintf(path, sizeof(path), "%s/county.db", dir);
    } else {
        die(NULL, "mkdtemp", -errno);
    }
    printf("records benchmark: scale %g, database %s\n", scale, path);
    if (stat(path, &sb) == 0) {
        printf("reusing the existing database (no load)\n");
    } else {
        generate(path, scale);
    }
    if (stat(path, &sb) == 0) {
        printf("database size: %.1f MiB\n", (double)sb.st_size / 1048576.0);
    }
    bench_measure(path);
    if (!keep) {
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        return system(cmd) == 0 ? 0 : 1;
    }
    return 0;
}
