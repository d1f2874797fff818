/* SPDX-License-Identifier: Apache-2.0 */
/*
 * county-fixture.h - a small county for the workflow API tests, written
 * through the records C API into a data directory before the real
 * telecare-server starts on it, with one login per person made by the real
 * telecare-admin:
 *
 *   county hospital, township clinic "East" (team "East 1"), city hospital
 *   fam      family doctor, member of East 1 (holds R's contract)
 *   ther     therapist (put on plans by the tests)
 *   ther2    therapist with no relation to R
 *   ther3    therapist, member of East 1, on no plan
 *   spec     specialist at the city hospital
 *   spec2    specialist at the county hospital
 *   reader, reader2   ECG readers        rad, rad2   radiologists
 *   res      resident R (active contract with disability_rehab)
 *   res2     resident R2 (no relation to anyone here)
 *   carer    carer acting for R
 *
 * Then HTTP helpers that log in once per user and send JSON, and a count
 * of audit events. Header-only, like tc-test.h: each test program is one
 * translation unit. Single-threaded.
 */
#ifndef TC_COUNTY_FIXTURE_H
#define TC_COUNTY_FIXTURE_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>
#include <sqlite3.h>

#include "harness.h"
#include "tc-records.h"
#include "tc-test.h"

#define FX_PASSWORD "correct horse battery"
#define FX_DAY_US   (86400LL * 1000000LL)

enum fx_user {
    FX_FAM,
    FX_THER,
    FX_THER2,
    FX_THER3,
    FX_SPEC,
    FX_SPEC2,
    FX_READER,
    FX_READER2,
    FX_RAD,
    FX_RAD2,
    FX_RES,
    FX_RES2,
    FX_CARER,
    FX_N_USERS
};

static const struct {
    const char *name;
    const char *roles;
} fx_users[FX_N_USERS] = {
    [FX_FAM] = {"fam", "family_doctor"},
    [FX_THER] = {"ther", "therapist"},
    [FX_THER2] = {"ther2", "therapist"},
    [FX_THER3] = {"ther3", "therapist"},
    [FX_SPEC] = {"spec", "specialist"},
    [FX_SPEC2] = {"spec2", "specialist"},
    [FX_READER] = {"reader", "ecg_reader"},
    [FX_READER2] = {"reader2", "ecg_reader"},
    [FX_RAD] = {"rad", "radiologist"},
    [FX_RAD2] = {"rad2", "radiologist"},
    [FX_RES] = {"res", "resident"},
    [FX_RES2] = {"res2", "resident"},
    [FX_CARER] = {"carer", "carer"},
};

struct fx {
    struct tc_harness h;
    char *dir;      /* our temporary directory */
    char *data_dir; /* dir/data: the server's */
    int64_t county, clinic, city, team;
    int64_t pid[FX_N_USERS]; /* practitioner ids (0 for non-practitioners) */
    int64_t resident, resident2, carer, contract;
    char today[11], in_30_days[11];
    char *token[FX_N_USERS];
    /* Set by fx_call(): the last answer. */
    long status;
    json_t *doc;
    char *body;
};

/* A valid 18-character resident ID number (GB 11643) born on `birth`
 * (YYYYMMDD) with sequence `seq` (3 digits; odd: male). */
static inline void
fx_id_number(char out[19], const char *birth, const char *seq)
{
    static const int w[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                              3, 7, 9,  10, 5, 8, 4, 2};
    int sum = 0;

    snprintf(out, 19, "110101%s%s", birth, seq);
    for (int i = 0; i < 17; i++) {
        sum += (out[i] - '0') * w[i];
    }
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

static inline void
fx_date(char out[11], int64_t at_us)
{
    GDateTime *t = g_date_time_new_from_unix_utc(at_us / 1000000);
    char *s = g_date_time_format(t, "%Y-%m-%d");

    g_strlcpy(out, s, 11);
    g_free(s);
    g_date_time_unref(t);
}

#define FX_OK(call)                                                           \
    do {                                                                      \
        if ((call) != 0) {                                                    \
            printf("# fixture: %s: %s\n", #call, tc_rec_errmsg(db));          \
            abort();                                                          \
        }                                                                     \
    } while (0)

static inline int64_t
fx_practitioner(struct tc_rec_db *db, const char *name, int64_t org,
                enum tc_rec_role role)
{
    struct tc_rec_practitioner p = {.name = (char *)name,
                                    .created_at_us = g_get_real_time()};
    struct tc_rec_practitioner_role r = {.organization_id = org, .role = role};
    int64_t id = 0, role_id = 0;

    FX_OK(tc_rec_practitioner_create(db, &p, &id));
    r.practitioner_id = id;
    FX_OK(tc_rec_practitioner_role_add(db, &r, &role_id));
    return id;
}

static inline int64_t
fx_resident(struct tc_rec_db *db, const char *name, const char *seq)
{
    char idn[19];
    struct tc_rec_resident r = {
        .name = (char *)name,
        .sex = TC_REC_SEX_MALE,
        .birth_date = "1950-03-01",
        .township = "East",
        .created_at_us = g_get_real_time(),
    };
    int64_t id = 0;

    fx_id_number(idn, "19500301", seq);
    r.id_number = idn;
    FX_OK(tc_rec_resident_create(db, &r, &id));
    return id;
}

/* The practitioners, each with one role, and the team's members. */
static inline void
fx_practitioners(struct fx *f, struct tc_rec_db *db)
{
    f->pid[FX_FAM] =
        fx_practitioner(db, "Dr Fam", f->clinic, TC_REC_ROLE_FAMILY_DOCTOR);
    f->pid[FX_THER] =
        fx_practitioner(db, "Ther A", f->county, TC_REC_ROLE_THERAPIST);
    f->pid[FX_THER2] =
        fx_practitioner(db, "Ther B", f->county, TC_REC_ROLE_THERAPIST);
    f->pid[FX_THER3] =
        fx_practitioner(db, "Ther C", f->clinic, TC_REC_ROLE_THERAPIST);
    f->pid[FX_SPEC] =
        fx_practitioner(db, "Dr Heart", f->city, TC_REC_ROLE_SPECIALIST);
    f->pid[FX_SPEC2] =
        fx_practitioner(db, "Dr Lung", f->county, TC_REC_ROLE_SPECIALIST);
    f->pid[FX_READER] =
        fx_practitioner(db, "Reader A", f->county, TC_REC_ROLE_ECG_READER);
    f->pid[FX_READER2] =
        fx_practitioner(db, "Reader B", f->county, TC_REC_ROLE_ECG_READER);
    f->pid[FX_RAD] =
        fx_practitioner(db, "Dr Ray", f->county, TC_REC_ROLE_RADIOLOGIST);
    f->pid[FX_RAD2] =
        fx_practitioner(db, "Dr Xie", f->county, TC_REC_ROLE_RADIOLOGIST);
    FX_OK(tc_rec_team_member_add(db, f->team, f->pid[FX_FAM],
                                 TC_REC_MEMBER_DOCTOR));
    FX_OK(tc_rec_team_member_add(db, f->team, f->pid[FX_THER3],
                                 TC_REC_MEMBER_THERAPIST));
}

/* The county, written through records into f->data_dir/telecare.db. */
static inline void
fx_county(struct fx *f)
{
    g_autofree char *path = g_build_filename(f->data_dir, "telecare.db", NULL);
    int64_t now = g_get_real_time();
    struct tc_rec_organization org = {.created_at_us = now};
    struct tc_rec_team team = {.name = "East 1", .created_at_us = now};
    struct tc_rec_carer carer = {
        .name = "Carer Li", .phone = "13800000000", .created_at_us = now};
    struct tc_rec_contract_offer offer = {0};
    struct tc_rec_contract_signature sig = {0};
    struct tc_rec_db *db = NULL;
    char start[11];

    if (tc_rec_open(path, &db) != 0) {
        abort();
    }
    org.kind = TC_REC_ORG_COUNTY_HOSPITAL;
    org.name = "County Hospital";
    FX_OK(tc_rec_organization_create(db, &org, &f->county));
    org.kind = TC_REC_ORG_TOWNSHIP_CLINIC;
    org.name = "East Clinic";
    org.township = "East";
    org.part_of = f->county;
    FX_OK(tc_rec_organization_create(db, &org, &f->clinic));
    org.kind = TC_REC_ORG_CITY_HOSPITAL;
    org.name = "City Hospital";
    org.township = NULL;
    org.part_of = 0;
    FX_OK(tc_rec_organization_create(db, &org, &f->city));
    team.organization_id = f->clinic;
    FX_OK(tc_rec_team_create(db, &team, &f->team));

    fx_practitioners(f, db);
    f->resident = fx_resident(db, "Resident R", "013");
    f->resident2 = fx_resident(db, "Resident S", "015");
    FX_OK(tc_rec_carer_create(db, &carer, &f->carer));
    FX_OK(tc_rec_carer_link(db, f->carer, f->resident, "daughter"));

    fx_date(start, now - 30 * FX_DAY_US);
    offer.resident_id = f->resident;
    offer.team_id = f->team;
    offer.packages = TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_BASIC) |
                     TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_DISABILITY_REHAB);
    offer.period_start = start;
    offer.offered_by = f->pid[FX_FAM];
    offer.offered_at_us = now - 31 * FX_DAY_US;
    FX_OK(tc_rec_contract_offer(db, &offer, &f->contract));
    sig.signed_by = f->pid[FX_FAM];
    sig.signed_at_us = now - 30 * FX_DAY_US;
    sig.method = TC_REC_SIGN_IN_PERSON;
    FX_OK(tc_rec_contract_sign(db, f->contract, &sig));
    fx_date(f->today, now);
    fx_date(f->in_30_days, now + 30 * FX_DAY_US);
    tc_rec_close(db);
}

/* Run telecare-admin on the data directory; exit status. */
static inline int
fx_admin(struct fx *f, const char *input, const char *const *args)
{
    const char *bin = getenv("TC_ADMIN_BIN");
    const char *argv[16] = {bin, "--data-dir", f->data_dir};
    int in_pipe[2], status = -1;
    size_t n = 3;
    pid_t pid;

    for (size_t i = 0; args[i] && n < 15; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    if (!bin || pipe(in_pipe) < 0) {
        abort();
    }
    pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(in_pipe[0], STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        close(in_pipe[1]);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(in_pipe[0]);
    if (input && write(in_pipe[1], input, strlen(input)) < 0) {
        perror("write");
    }
    close(in_pipe[1]);
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static inline void
fx_users_add(struct fx *f)
{
    for (int u = 0; u < FX_N_USERS; u++) {
        char id[24];
        const char *link = "--practitioner";
        int64_t link_id = f->pid[u];
        if (u == FX_RES || u == FX_RES2) {
            link = "--resident";
            link_id = u == FX_RES ? f->resident : f->resident2;
        } else if (u == FX_CARER) {
            link = "--carer";
            link_id = f->carer;
        }
        snprintf(id, sizeof(id), "%lld", (long long)link_id);
        const char *args[] = {
            "user-add", fx_users[u].name, fx_users[u].roles, link, id, NULL};
        if (fx_admin(f, FX_PASSWORD "\n", args) != 0) {
            printf("# user-add %s failed\n", fx_users[u].name);
            abort();
        }
    }
}

/* One request as `user` (-1: no token). The answer lands in f->status,
 * f->doc (parsed JSON or NULL) and f->body. Returns f->status. */
static inline long
fx_send(struct fx *f, int user, const char *method, const char *path,
        const char *body, const char *ctype)
{
    struct tc_http_reply r;

    json_decref(f->doc);
    f->doc = NULL;
    g_free(f->body);
    f->body = NULL;
    f->h.bearer = user >= 0 ? f->token[user] : NULL;
    if (tc_http(&f->h, method, path, body, body ? strlen(body) : 0, ctype,
                &r) != 0) {
        tc_http_reply_fini(&r);
        f->status = -1;
        return -1;
    }
    f->status = r.status;
    f->body = g_strdup(r.body);
    f->doc = json_loads(r.body, 0, NULL);
    tc_http_reply_fini(&r);
    return f->status;
}

/* As fx_send with a JSON body built by json_pack (NULL fmt: no body). */
static inline long
fx_call(struct fx *f, int user, const char *method, const char *path,
        const char *fmt, ...)
{
    char *text = NULL;
    long status;

    if (fmt) {
        va_list ap;
        json_error_t err;
        json_t *body;
        va_start(ap, fmt);
        body = json_vpack_ex(&err, 0, fmt, ap);
        va_end(ap);
        if (!body) {
            printf("# json_pack: %s\n", err.text);
            abort();
        }
        text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
    }
    status =
        fx_send(f, user, method, path, text, text ? "application/json" : NULL);
    free(text);
    return status;
}

/* A path built with printf. */
static inline const char *fx_path(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static inline const char *
fx_path(const char *fmt, ...)
{
    static char bufs[4][256]; /* a few may be in use at once */
    static int next;
    char *buf = bufs[next++ % 4];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(bufs[0]), fmt, ap);
    va_end(ap);
    return buf;
}

/* Members of the last answer. */
static inline int64_t
fx_int(struct fx *f, const char *key)
{
    return json_integer_value(json_object_get(f->doc, key));
}

static inline const char *
fx_str(struct fx *f, const char *key)
{
    return json_string_value(json_object_get(f->doc, key));
}

/* The "field" of the last error answer. */
static inline const char *
fx_error_field(struct fx *f)
{
    return json_string_value(
        json_object_get(json_object_get(f->doc, "error"), "field"));
}

static inline const char *
fx_error_message(struct fx *f)
{
    const char *m = json_string_value(
        json_object_get(json_object_get(f->doc, "error"), "message"));
    return m ? m : "";
}

/* Audit events by `actor` on `entity_type` with `outcome`. */
static inline long long
fx_audited(struct fx *f, const char *actor, const char *entity_type,
           const char *outcome)
{
    g_autofree char *path = g_build_filename(f->data_dir, "telecare.db", NULL);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM audit_events WHERE"
                           " actor = ? AND entity_type = ? AND outcome = ?",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, actor, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, entity_type, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, outcome, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            n = sqlite3_column_int64(st, 0);
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* More configuration (INI text) for the next fx_open(), or NULL. */
static const char *fx_ini_extra;

/*
 * Set up the county, its users and a server on it, and log everyone in.
 * `setup` (may be NULL) adds more records before the server starts.
 */
static inline int
fx_open(struct fx *f, void (*setup)(struct fx *f, struct tc_rec_db *db))
{
    const char *args[] = {"--config", NULL, "--data-dir", NULL, NULL};
    g_autofree char *ini = NULL;

    memset(f, 0, sizeof(*f));
    f->dir = tc_tmp_dir("api");
    f->data_dir = g_build_filename(f->dir, "data", NULL);
    ini = g_build_filename(f->dir, "t.ini", NULL);
    if (mkdir(f->data_dir, 0750) < 0 ||
        !g_file_set_contents(ini,
                             fx_ini_extra ? fx_ini_extra
                                          : "[http]\nrate_per_address = 0\n"
                                            "rate_per_account = 0\n",
                             -1, NULL)) {
        return -1;
    }
    fx_county(f);
    if (setup) {
        g_autofree char *path =
            g_build_filename(f->data_dir, "telecare.db", NULL);
        struct tc_rec_db *db = NULL;
        if (tc_rec_open(path, &db) != 0) {
            return -1;
        }
        setup(f, db);
        tc_rec_close(db);
    }
    fx_users_add(f);
    args[1] = ini;
    args[3] = f->data_dir;
    if (tc_harness_start(&f->h, args) != 0) {
        return -1;
    }
    for (int u = 0; u < FX_N_USERS; u++) {
        if (fx_call(f, -1, "POST", "/api/v1/login", "{s:s,s:s}", "username",
                    fx_users[u].name, "password", FX_PASSWORD) != 200) {
            printf("# login %s: %ld %s\n", fx_users[u].name, f->status,
                   f->body);
            return -1;
        }
        f->token[u] = g_strdup(fx_str(f, "token"));
    }
    return 0;
}

static inline void
fx_close(struct fx *f)
{
    tc_harness_drain_log(&f->h);
    if (tc_test_failed_total > 0 && f->h.log) {
        /* The server's own account of what went wrong. */
        for (char *line = strtok(f->h.log, "\n"); line;
             line = strtok(NULL, "\n")) {
            printf("#   | %s\n", line);
        }
    }
    tc_harness_fini(&f->h);
    for (int u = 0; u < FX_N_USERS; u++) {
        g_free(f->token[u]);
    }
    json_decref(f->doc);
    g_free(f->body);
    tc_rm_rf(f->dir);
    free(f->dir);
    g_free(f->data_dir);
}

/*
 * A table of bad requests: each row is sent as `user` and must get
 * `status`, with `field` named in the error when given.
 */
struct fx_bad {
    const char *what;
    int user;
    const char *method;
    const char *path; /* "{id}" in it stands for the table's id */
    const char *body; /* raw text ("{id}" too); NULL: none */
    long status;
    const char *field;
};

static inline void
fx_bad_requests(struct fx *f, const struct fx_bad *rows, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++) {
        const struct fx_bad *b = &rows[i];
        char id_text[24];
        g_autofree char *path = NULL;
        g_autofree char *body = NULL;
        g_auto(GStrv) parts = g_strsplit(b->path, "{id}", -1);
        g_auto(GStrv) body_parts =
            b->body ? g_strsplit(b->body, "{id}", -1) : NULL;
        snprintf(id_text, sizeof(id_text), "%lld", (long long)id);
        path = g_strjoinv(id_text, parts);
        body = body_parts ? g_strjoinv(id_text, body_parts) : NULL;
        fx_send(f, b->user, b->method, path, body,
                body ? "application/json" : NULL);
        if (f->status != b->status ||
            (b->field && g_strcmp0(fx_error_field(f), b->field) != 0)) {
            printf("# %s: %s %s: got %ld %s\n", b->what, b->method, path,
                   f->status, f->body);
        }
        TC_CHECK_EQ(f->status, b->status);
        if (b->field) {
            TC_CHECK_STR_EQ(fx_error_field(f), b->field);
        }
        TC_CHECK(json_is_object(json_object_get(f->doc, "error")));
    }
}

#endif
