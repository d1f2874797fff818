// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-api-body.c - the HTTP API's JSON write handlers on arbitrary
 * bodies: the real route handlers of server/api-*.c, called in-process
 * the way http.c's dispatch() calls them, on a seeded county.
 *
 * Input: the first byte picks a row of `routes` below (byte % the number
 * of rows): a method, a path (with the id of an entity seeded in the
 * state that route acts on) and the acting user. The remaining bytes are
 * the request body, sent as Content-Type: application/json. An empty
 * input is ignored; a one-byte input sends no body.
 *
 * Once per process: an in-memory records database, migrated, with a
 * county written through records (county and city hospitals, a township
 * clinic and its family-doctor team, a family doctor, therapist,
 * specialists, ECG reader, radiologist, an administrator, a resident
 * with an active contract with rehab, a second resident, a third with
 * such a contract too, a carer), then
 * the rest made through the handlers themselves as the integration tests
 * do: a department, consultations requested / in progress / completed,
 * ECG studies live / awaiting reading / reported, imaging studies
 * unmatched / assigned / reported, a draft and an active rehab plan with
 * sessions scheduled / in progress / completed (one with a note), a
 * library exercise, an offered contract, up-referrals requested and
 * accepted, a ringing emergency, an on-call shift. Each user is a real
 * account; `who` is filled from it as auth.c does for a bearer token.
 *
 * Each input runs like http.c's dispatch_in_transaction(): one records
 * transaction around the handler; here it is always rolled back, so
 * every input sees the seeded state and the database never grows.
 *
 * Invariants, each an abort() when broken:
 *  1. no crash, leak or sanitizer report (the sanitizers' own);
 *  2. the answer is 2xx or 4xx, never 5xx, and never deferred (the
 *     routes that defer are left out below);
 *  3. a 4xx body is {"error": {"status": <the status>, "message":
 *     "<non-empty>", "field"?: "<non-empty>"}} (tc_srv__resp_error_field);
 *  4. nothing half-written: after a 4xx, tc_rec_checksum() of the whole
 *     database (inside the still open transaction) equals the seeded
 *     state's (compared only when tc_rec_total_changes() moved: a
 *     records call may write and roll its savepoint back, which is
 *     fine). Audit events are not rows yet at that point: handlers queue
 *     them (audit.c) and the queue is dropped after each input; a refused
 *     request's events are audited on purpose (denied outcomes), so they
 *     are not checked here;
 *  5. a 2xx body is valid JSON (or empty: 204).
 *  ECG imports write files: data_dir is a temporary directory, its ecg/
 *  must be empty after a 4xx (invariant 4 for files), and is emptied
 *  after every input.
 *
 * Routes left out (not JSON write handlers, or needing state that is
 * NULL here):
 *  - POST /login (defers to a worker thread for Argon2id), POST /logout
 *    (needs the Authorization header's token);
 *  - POST /rehab-library/{id}/video, POST /rehab-sessions/{id}/recording,
 *    POST .../recording/ticket, PUT /rehab-uploads/{id} (upload files,
 *    worker-thread verification, srv->rehab's ticket key);
 *  - POST /dicom-web/studies (STOW-RS: multipart, DICOM store, worker);
 *  - /fhir/ (its own target, fuzz-fhir);
 *  - every DELETE (no body).
 *  Signaling (srv->sig), media rooms and the ECG relay are NULL: their
 *  notify calls are NULL-safe and answer nobody. So an emergency finds
 *  nobody online and is unanswered at once: its accept and end rows
 *  reach only their refusals, as does the rehab alert row (no alert is
 *  raised in the seed).
 *
 * The seed corpus (corpus/api-body/) holds, per row, a valid body named
 * NN-<method>-<path>-valid and one malformed variant (wrong type, missing,
 * unknown field, huge number, non-UTF-8, out of range, null), a few
 * body-level ones (not JSON, an array, too deep, a duplicate key), and
 * the crashers fuzzing found (-crash-). FUZZ_API_TRACE=1 prints each
 * answer and the seeded ids.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HOUR_US (3600LL * G_USEC_PER_SEC)
#define DAY_US  (24 * HOUR_US)

enum user {
    U_ADMIN,
    U_FAM,
    U_THER,
    U_SPEC,
    U_SPEC2,
    U_READER,
    U_RAD,
    U_RES,
    U_CARER,
    N_USERS
};

/* Ids of the seeded entities, by what the routes act on. */
static struct {
    int64_t county, clinic, city, team, resident, resident2, resident3, carer;
    int64_t contract, contract3, contract_offered, followup;
    int64_t pid[N_USERS];
    int64_t department, shift;
    int64_t consult_requested, consult_accepted, consult_open, consult_done;
    int64_t ecg_live, ecg_awaiting, ecg_reported;
    int64_t img_unmatched, img_assigned, img_reported;
    int64_t plan_draft, plan_active, plan_suspended, plan3, goal, exercise;
    int64_t session_scheduled, session_open, session_done, session_noted;
    int64_t session_startable; /* of resident 3, who has none in progress */
    int64_t library, referral_requested, referral_accepted, emergency;
    int64_t alert;
} ids;

struct route {
    const char *method;
    const char *path; /* printf format with up to two %lld */
    const int64_t *a, *b;
    enum user user;
};

#define P1(x) &ids.x, NULL
#define P0    NULL, NULL

static const struct route routes[] = {
    /* residents and carers */
    {"POST", "/api/v1/residents", P0, U_FAM},
    {"PATCH", "/api/v1/residents/%lld", P1(resident), U_FAM},
    {"POST", "/api/v1/residents/%lld/carers", P1(resident), U_FAM},
    /* directory (administrators) */
    {"POST", "/api/v1/organizations", P0, U_ADMIN},
    {"PATCH", "/api/v1/organizations/%lld", P1(clinic), U_ADMIN},
    {"POST", "/api/v1/practitioners", P0, U_ADMIN},
    {"POST", "/api/v1/practitioners/%lld/roles", &ids.pid[U_THER], NULL,
     U_ADMIN},
    {"POST", "/api/v1/teams", P0, U_ADMIN},
    {"POST", "/api/v1/teams/%lld/members", P1(team), U_ADMIN},
    /* contracts and follow-ups */
    {"POST", "/api/v1/contracts", P0, U_FAM},
    {"POST", "/api/v1/contracts/%lld/sign", P1(contract_offered), U_FAM},
    {"POST", "/api/v1/contracts/%lld/renew", P1(contract), U_FAM},
    {"POST", "/api/v1/contracts/%lld/terminate", P1(contract), U_FAM},
    {"POST", "/api/v1/contracts/%lld/withdraw", P1(contract_offered), U_FAM},
    {"POST", "/api/v1/followups/%lld/record", P1(followup), U_FAM},
    /* consultations */
    {"POST", "/api/v1/consultations", P0, U_FAM},
    {"POST", "/api/v1/consultations/%lld/accept", P1(consult_requested),
     U_SPEC},
    {"POST", "/api/v1/consultations/%lld/decline", P1(consult_requested),
     U_SPEC},
    {"POST", "/api/v1/consultations/%lld/schedule", P1(consult_accepted),
     U_SPEC},
    {"POST", "/api/v1/consultations/%lld/start", P1(consult_accepted), U_SPEC},
    {"POST", "/api/v1/consultations/%lld/complete", P1(consult_open), U_SPEC},
    {"POST", "/api/v1/consultations/%lld/cancel", P1(consult_requested),
     U_FAM},
    {"POST", "/api/v1/consultations/%lld/opinion/amend", P1(consult_done),
     U_SPEC},
    {"POST", "/api/v1/consultations/%lld/participants", P1(consult_open),
     U_SPEC},
    {"POST", "/api/v1/consultations/%lld/join", P1(consult_open), U_FAM},
    {"POST", "/api/v1/consultations/%lld/leave", P1(consult_open), U_SPEC},
    {"POST", "/api/v1/consultations/%lld/consents", P1(consult_accepted),
     U_FAM},
    {"POST", "/api/v1/consultations/%lld/consents/withdraw", P1(consult_open),
     U_FAM},
    {"POST", "/api/v1/consultations/%lld/ecg-studies", P1(consult_open),
     U_FAM},
    {"POST", "/api/v1/consultations/%lld/imaging-studies", P1(consult_open),
     U_FAM},
    {"PUT", "/api/v1/consultations/%lld/media-profile", P1(consult_open),
     U_SPEC},
    /* ECG and imaging studies */
    {"POST", "/api/v1/ecg-studies", P0, U_FAM},
    {"POST", "/api/v1/ecg-studies/%lld/finish", P1(ecg_live), U_FAM},
    {"POST", "/api/v1/ecg-studies/%lld/assign", P1(ecg_awaiting), U_FAM},
    {"POST", "/api/v1/ecg-studies/%lld/report", P1(ecg_awaiting), U_READER},
    {"POST", "/api/v1/ecg-studies/%lld/report/amend", P1(ecg_reported),
     U_READER},
    {"PUT", "/api/v1/ecg-devices/ecg-7/residents/%lld", P1(resident), U_FAM},
    {"POST", "/api/v1/imaging-studies/%lld/match", P1(img_unmatched), U_FAM},
    {"POST", "/api/v1/imaging-studies/%lld/assign", P1(img_assigned), U_FAM},
    {"POST", "/api/v1/imaging-studies/%lld/report", P1(img_assigned), U_RAD},
    {"POST", "/api/v1/imaging-studies/%lld/report/amend", P1(img_reported),
     U_RAD},
    {"POST", "/api/v1/imaging-studies/%lld/reading-request", P1(img_assigned),
     U_FAM},
    /* rehabilitation plans */
    {"POST", "/api/v1/residents/%lld/rehab-plans", P1(resident), U_FAM},
    {"POST", "/api/v1/residents/%lld/barthel", P1(resident), U_THER},
    {"POST", "/api/v1/rehab-plans/%lld/activate", P1(plan_draft), U_FAM},
    {"POST", "/api/v1/rehab-plans/%lld/suspend", P1(plan_active), U_FAM},
    {"POST", "/api/v1/rehab-plans/%lld/resume", P1(plan_suspended), U_FAM},
    {"POST", "/api/v1/rehab-plans/%lld/complete", P1(plan_active), U_FAM},
    {"POST", "/api/v1/rehab-plans/%lld/cancel", P1(plan_draft), U_FAM},
    {"POST", "/api/v1/rehab-plans/%lld/therapists", P1(plan_active), U_FAM},
    {"POST", "/api/v1/rehab-plans/%lld/goals", P1(plan_active), U_THER},
    {"POST", "/api/v1/rehab-plans/%lld/goals/%lld/status", &ids.plan_active,
     &ids.goal, U_THER},
    {"POST", "/api/v1/rehab-plans/%lld/exercises", P1(plan_active), U_THER},
    {"PUT", "/api/v1/rehab-plans/%lld/schedule", P1(plan_active), U_THER},
    {"POST", "/api/v1/rehab-plans/%lld/schedule/generate", P1(plan_active),
     U_THER},
    {"POST", "/api/v1/rehab-plans/%lld/recording-consent", P1(plan_active),
     U_RES},
    {"POST", "/api/v1/rehab-library", P0, U_THER},
    /* rehabilitation sessions */
    {"POST", "/api/v1/rehab-plans/%lld/sessions", P1(plan_active), U_THER},
    {"POST", "/api/v1/rehab-sessions/%lld/start", P1(session_startable),
     U_THER},
    {"POST", "/api/v1/rehab-sessions/%lld/finish", P1(session_open), U_RES},
    {"POST", "/api/v1/rehab-sessions/%lld/finish", P1(session_open), U_CARER},
    {"POST", "/api/v1/rehab-sessions/%lld/miss", P1(session_scheduled),
     U_THER},
    {"POST", "/api/v1/rehab-sessions/%lld/cancel", P1(session_scheduled),
     U_THER},
    {"POST", "/api/v1/rehab-sessions/%lld/review", P1(session_done), U_THER},
    {"POST", "/api/v1/rehab-sessions/%lld/note", P1(session_done), U_THER},
    {"POST", "/api/v1/rehab-sessions/%lld/note/amend", P1(session_noted),
     U_THER},
    {"POST", "/api/v1/rehab-sessions/%lld/sets", P1(session_open), U_THER},
    {"POST", "/api/v1/rehab-alerts/%lld/acknowledge", P1(alert), U_THER},
    /* tiered care */
    {"POST", "/api/v1/departments", P0, U_ADMIN},
    {"PATCH", "/api/v1/departments/%lld", P1(department), U_ADMIN},
    {"POST", "/api/v1/departments/%lld/oncall", P1(department), U_SPEC2},
    {"POST", "/api/v1/referrals", P0, U_FAM},
    {"POST", "/api/v1/referrals", P0, U_SPEC2},
    {"POST", "/api/v1/referrals/%lld/accept", P1(referral_requested), U_SPEC2},
    {"POST", "/api/v1/referrals/%lld/decline", P1(referral_requested),
     U_SPEC2},
    {"POST", "/api/v1/referrals/%lld/cancel", P1(referral_requested), U_FAM},
    {"POST", "/api/v1/emergencies", P0, U_FAM},
    {"POST", "/api/v1/emergencies/%lld/accept", P1(emergency), U_SPEC2},
    {"POST", "/api/v1/emergencies/%lld/end", P1(emergency), U_FAM},
    /* a stored WFDB record: files under data_dir/ecg */
    {"POST", "/api/v1/ecg-studies/import", P0, U_FAM},
};

#define N_ROUTES G_N_ELEMENTS(routes)

static struct tc_srv srv;
static char *ecg_dir; /* <the temporary data_dir>/ecg */
static struct tc_srv_config *cfg;
static struct tc_srv__who who[N_USERS];
static uint64_t seeded_sum;
static bool trace; /* FUZZ_API_TRACE set: each answer on stderr */

/* ---- one request, as http.c's dispatch() makes it ---- */

static const char *const json_headers[] = {"content-type", "application/json",
                                           NULL};

struct answer {
    int status;
    GString *body;
};

/* Route, build the call, run the handler; the answer in *out (g_string
 * free out->body). Aborts on an unknown route or a deferral. */
static void
request(enum user u, const char *method, const char *path, const char *body,
        size_t body_len, struct answer *out)
{
    struct tc_srv__call *call = g_new0(struct tc_srv__call, 1);
    const struct tc_srv__route *route;
    bool path_known = false;
    char *copy = g_strndup(body ? body : "", body_len);

    call->refs = 1;
    call->resp.body = g_string_new(NULL);
    call->resp.headers = g_ptr_array_new_with_free_func(g_free);
    call->resp.file_fd = -1;
    call->fake_headers = json_headers;
    route = tc_srv__route_find(method, path, call->params_buf,
                               &call->req.n_params, &path_known);
    if (!route || (route->flags & TC_SRV__PUBLIC)) {
        fprintf(stderr, "no private route %s %s\n", method, path);
        abort();
    }
    call->req = (struct tc_srv__req){
        .method = method,
        .path = path,
        .query = "",
        .body = copy,
        .body_len = body_len,
        .client_addr = "127.0.0.1",
        .n_params = call->req.n_params,
        .who = &call->who_buf,
    };
    for (int i = 0; i < call->req.n_params; i++) {
        call->req.params[i] = call->params_buf[i];
    }
    call->who_buf = who[u];
    route->handler(&srv, call);
    if (call->refs != 1 || call->resp.status == 0 || call->resp.file_fd >= 0) {
        fprintf(stderr, "%s %s: deferred or a file answer\n", method, path);
        abort();
    }
    /* Audit events wait in srv.audit_queue; they are not checked here. */
    tc_srv__audit_fini(&srv);
    out->status = call->resp.status;
    out->body = g_steal_pointer(&call->resp.body);
    for (int i = 0; i < TC_SRV__MAX_PARAMS; i++) {
        g_free(call->params_buf[i]);
    }
    g_ptr_array_unref(call->resp.headers);
    g_free(call);
    g_free(copy);
}

/* ---- the seeded county ---- */

#define OK(x)                                                                 \
    do {                                                                      \
        if ((x) != 0) {                                                       \
            fprintf(stderr, "seed: %s: %s\n", #x, tc_rec_errmsg(srv.db));     \
            abort();                                                          \
        }                                                                     \
    } while (0)

/* A seeding request that must succeed, committed; returns the answer's
 * "id" (0 when none). */
G_GNUC_PRINTF(4, 5)
static int64_t
seed_call(enum user u, const char *method, const char *body, const char *fmt,
          ...)
{
    g_autofree char *path = NULL;
    struct answer a;
    json_t *doc;
    int64_t id;
    va_list ap;

    va_start(ap, fmt);
    path = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    OK(tc_rec_tx_begin(srv.db));
    request(u, method, path, body, body ? strlen(body) : 0, &a);
    OK(tc_rec_tx_commit(srv.db));
    if (a.status < 200 || a.status > 299) {
        fprintf(stderr, "seed: %s %s: %d %s\n", method, path, a.status,
                a.body->str);
        abort();
    }
    doc = json_loads(a.body->str, 0, NULL);
    id = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    g_string_free(a.body, TRUE);
    return id;
}

static int64_t
practitioner(const char *name, int64_t org, enum tc_rec_role role,
             const char *department)
{
    struct tc_rec_practitioner p = {.name = (char *)name,
                                    .created_at_us = g_get_real_time()};
    struct tc_rec_practitioner_role r = {.organization_id = org,
                                         .role = role,
                                         .department = (char *)department};
    int64_t id = 0, role_id = 0;

    OK(tc_rec_practitioner_create(srv.db, &p, &id));
    r.practitioner_id = id;
    OK(tc_rec_practitioner_role_add(srv.db, &r, &role_id));
    return id;
}

/* A valid GB 11643 ID number born 1950-03-01 with sequence `seq`. */
static int64_t
resident(const char *name, const char *seq)
{
    static const int w[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                              3, 7, 9,  10, 5, 8, 4, 2};
    char idn[19];
    struct tc_rec_resident r = {.name = (char *)name,
                                .id_number = idn,
                                .sex = TC_REC_SEX_MALE,
                                .birth_date = "1950-03-01",
                                .township = "East",
                                .created_at_us = g_get_real_time()};
    int64_t id = 0;
    int sum = 0;

    snprintf(idn, sizeof(idn), "11010119500301%s", seq);
    for (int i = 0; i < 17; i++) {
        sum += (idn[i] - '0') * w[i];
    }
    idn[17] = "10X98765432"[sum % 11];
    idn[18] = '\0';
    OK(tc_rec_resident_create(srv.db, &r, &id));
    return id;
}

static void
user(enum user u, const char *name, enum tc_rec_user_role role)
{
    struct tc_rec_user in = {
        .username = (char *)name,
        .password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
        .roles = TC_REC_USER_ROLE_BIT(role),
        .created_at_us = g_get_real_time(),
    };
    struct tc_rec_user *got = NULL;
    int64_t id = 0;

    if (role == TC_REC_USER_RESIDENT) {
        in.resident_id = ids.resident;
    } else if (role == TC_REC_USER_CARER) {
        in.carer_id = ids.carer;
    } else {
        in.practitioner_id = ids.pid[u];
    }
    OK(tc_rec_user_create(srv.db, &in, &id));
    OK(tc_rec_user_get(srv.db, id, &got));
    tc_srv__who_fill(&who[u], got);
    tc_rec_user_free(got);
}

static void
date_at(char out[11], int64_t at_us)
{
    g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(at_us / 1000000);
    g_autofree char *s = g_date_time_format(t, "%Y-%m-%d");

    g_strlcpy(out, s, 11);
}

static void
instant_at(char out[32], int64_t at_us)
{
    g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(at_us / 1000000);
    g_autofree char *s = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");

    g_strlcpy(out, s, 32);
}

static void
imaging_study(const char *n, int64_t *id)
{
    g_autofree char *study = g_strdup_printf("1.2.826.0.1.3680043.2.%s", n);
    g_autofree char *series = g_strdup_printf("%s.1", study);
    g_autofree char *sop = g_strdup_printf("%s.1.1", study);
    struct tc_rec_imaging_instance_in in = {
        .study_uid = study,
        .accession = "A-17",
        .study_description = "CT chest",
        .study_date = "2026-03-01",
        .series_uid = series,
        .modality = "CT",
        .series_number = 1,
        .series_description = "Axial",
        .sop_instance_uid = sop,
        .sop_class_uid = "1.2.840.10008.5.1.4.1.1.2",
        .storage_path = "dicom/ab/abcdef",
        .sha256 = "0123456789abcdef0123456789abcdef"
                  "0123456789abcdef0123456789abcdef",
        .size_bytes = 524288,
        .received_at_us = g_get_real_time(),
    };

    OK(tc_rec_imaging_instance_store(srv.db, &in, id));
}

/* The county through records: organizations, people, accounts, R's
 * active contract. */
static void
seed_county(void)
{
    int64_t now = g_get_real_time();
    struct tc_rec_organization org = {.created_at_us = now};
    struct tc_rec_team team = {.name = "East 1", .created_at_us = now};
    struct tc_rec_carer carer = {
        .name = "Carer Li", .phone = "13800000000", .created_at_us = now};
    struct tc_rec_contract_offer offer = {0};
    struct tc_rec_contract_signature sig = {0};
    struct tc_rec_followup_list *fl = NULL;
    char start[11];

    org.kind = TC_REC_ORG_COUNTY_HOSPITAL;
    org.name = "County Hospital";
    OK(tc_rec_organization_create(srv.db, &org, &ids.county));
    org.kind = TC_REC_ORG_TOWNSHIP_CLINIC;
    org.name = "East Clinic";
    org.township = "East";
    org.part_of = ids.county;
    OK(tc_rec_organization_create(srv.db, &org, &ids.clinic));
    org.kind = TC_REC_ORG_CITY_HOSPITAL;
    org.name = "City Hospital";
    org.township = NULL;
    org.part_of = 0;
    OK(tc_rec_organization_create(srv.db, &org, &ids.city));
    team.organization_id = ids.clinic;
    OK(tc_rec_team_create(srv.db, &team, &ids.team));

    ids.pid[U_FAM] =
        practitioner("Dr Fam", ids.clinic, TC_REC_ROLE_FAMILY_DOCTOR, NULL);
    ids.pid[U_THER] =
        practitioner("Ther A", ids.county, TC_REC_ROLE_THERAPIST, NULL);
    ids.pid[U_SPEC] =
        practitioner("Dr Heart", ids.city, TC_REC_ROLE_SPECIALIST, NULL);
    ids.pid[U_SPEC2] = practitioner("Dr Lung", ids.county,
                                    TC_REC_ROLE_SPECIALIST, "cardiology");
    ids.pid[U_READER] =
        practitioner("Reader A", ids.county, TC_REC_ROLE_ECG_READER, NULL);
    ids.pid[U_RAD] =
        practitioner("Dr Ray", ids.county, TC_REC_ROLE_RADIOLOGIST, NULL);
    OK(tc_rec_team_member_add(srv.db, ids.team, ids.pid[U_FAM],
                              TC_REC_MEMBER_DOCTOR));
    ids.resident = resident("Resident R", "013");
    ids.resident2 = resident("Resident S", "015");
    ids.resident3 = resident("Resident T", "017");
    OK(tc_rec_carer_create(srv.db, &carer, &ids.carer));
    OK(tc_rec_carer_link(srv.db, ids.carer, ids.resident, "daughter"));

    date_at(start, now - 30 * DAY_US);
    offer.resident_id = ids.resident;
    offer.team_id = ids.team;
    offer.packages = TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_BASIC) |
                     TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_DISABILITY_REHAB);
    offer.period_start = start;
    offer.offered_by = ids.pid[U_FAM];
    offer.offered_at_us = now - 31 * DAY_US;
    OK(tc_rec_contract_offer(srv.db, &offer, &ids.contract));
    sig.signed_by = ids.pid[U_FAM];
    sig.signed_at_us = now - 30 * DAY_US;
    sig.method = TC_REC_SIGN_IN_PERSON;
    OK(tc_rec_contract_sign(srv.db, ids.contract, &sig));
    offer.resident_id = ids.resident3;
    OK(tc_rec_contract_offer(srv.db, &offer, &ids.contract3));
    OK(tc_rec_contract_sign(srv.db, ids.contract3, &sig));
    OK(tc_rec_followup_list_for_contract(srv.db, ids.contract, &fl));
    ids.followup = fl->count > 0 ? fl->items[0].id : 1;
    tc_rec_followup_list_free(fl);

    user(U_ADMIN, "admin", TC_REC_USER_ADMIN);
    user(U_FAM, "fam", TC_REC_USER_FAMILY_DOCTOR);
    user(U_THER, "ther", TC_REC_USER_THERAPIST);
    user(U_SPEC, "spec", TC_REC_USER_SPECIALIST);
    user(U_SPEC2, "spec2", TC_REC_USER_SPECIALIST);
    user(U_READER, "reader", TC_REC_USER_ECG_READER);
    user(U_RAD, "rad", TC_REC_USER_RADIOLOGIST);
    user(U_RES, "res", TC_REC_USER_RESIDENT);
    user(U_CARER, "carer", TC_REC_USER_CARER);

    imaging_study("1", &ids.img_unmatched);
    imaging_study("2", &ids.img_assigned);
    imaging_study("3", &ids.img_reported);
}

static int64_t
consultation(void)
{
    g_autofree char *body = g_strdup_printf(
        "{\"resident_id\":%lld,\"requested_specialist_id\":%lld,"
        "\"reason\":\"Palpitations\",\"priority\":\"routine\"}",
        (long long)ids.resident, (long long)ids.pid[U_SPEC]);

    return seed_call(U_FAM, "POST", body, "/api/v1/consultations");
}

/* A consultation accepted, with the patient's consent to it. */
static int64_t
consultation_accepted(void)
{
    int64_t id = consultation();

    seed_call(U_SPEC, "POST", NULL, "/api/v1/consultations/%lld/accept",
              (long long)id);
    seed_call(U_FAM, "POST", "{\"kind\":\"teleconsultation\"}",
              "/api/v1/consultations/%lld/consents", (long long)id);
    return id;
}

/* An open consultation: accepted, consented, started. */
static int64_t
consultation_open(void)
{
    int64_t id = consultation_accepted();

    seed_call(U_SPEC, "POST", NULL, "/api/v1/consultations/%lld/start",
              (long long)id);
    return id;
}

static int64_t
ecg_study(bool finished)
{
    g_autofree char *body = g_strdup_printf(
        "{\"resident_id\":%lld,\"device_id\":\"ecg-7\",\"leads\":\"I,II\","
        "\"sample_rate_hz\":500,\"live\":true}",
        (long long)ids.resident);
    g_autofree char *assign =
        g_strdup_printf("{\"reader_id\":%lld}", (long long)ids.pid[U_READER]);
    int64_t id = seed_call(U_FAM, "POST", body, "/api/v1/ecg-studies");

    if (finished) {
        seed_call(U_FAM, "POST",
                  "{\"duration_ms\":60000,\"storage_path\":\"ecg/7\"}",
                  "/api/v1/ecg-studies/%lld/finish", (long long)id);
        seed_call(U_FAM, "POST", assign, "/api/v1/ecg-studies/%lld/assign",
                  (long long)id);
    }
    return id;
}

static void
imaging_assigned(int64_t id)
{
    g_autofree char *match =
        g_strdup_printf("{\"resident_id\":%lld}", (long long)ids.resident);
    g_autofree char *assign = g_strdup_printf("{\"radiologist_id\":%lld}",
                                              (long long)ids.pid[U_RAD]);

    seed_call(U_FAM, "POST", match, "/api/v1/imaging-studies/%lld/match",
              (long long)id);
    seed_call(U_FAM, "POST", assign, "/api/v1/imaging-studies/%lld/assign",
              (long long)id);
}

static int64_t
plan(int64_t resident_id, const char *start, const char *end)
{
    g_autofree char *body = g_strdup_printf(
        "{\"title\":\"Walking again\",\"period_start\":\"%s\","
        "\"period_end\":\"%s\",\"therapist_ids\":[%lld],"
        "\"goals\":[{\"description\":\"Walk 100 m\",\"target\":\"100 m\"}],"
        "\"exercises\":[{\"name\":\"Sit to stand\",\"sets\":3,\"reps\":10,"
        "\"sessions_per_week\":3}]}",
        start, end, (long long)ids.pid[U_THER]);

    return seed_call(U_FAM, "POST", body, "/api/v1/residents/%lld/rehab-plans",
                     (long long)resident_id);
}

static int64_t
session(int64_t plan_id, const char *mode, int64_t at_us)
{
    char at[32];
    g_autofree char *body = NULL;

    instant_at(at, at_us);
    body = g_strdup_printf(
        "{\"mode\":\"%s\",\"scheduled_at\":\"%s\",\"therapist_id\":%lld}",
        mode, at, (long long)ids.pid[U_THER]);
    return seed_call(U_THER, "POST", body, "/api/v1/rehab-plans/%lld/sessions",
                     (long long)plan_id);
}

static void
session_complete(int64_t id)
{
    seed_call(U_RES, "POST", NULL, "/api/v1/rehab-sessions/%lld/start",
              (long long)id);
    seed_call(U_RES, "POST", "{\"completion_pct\":80,\"pain_after\":2}",
              "/api/v1/rehab-sessions/%lld/finish", (long long)id);
}

/* The rest through the handlers, as the integration tests make it. */
static void
seed_workflows(void)
{
    int64_t now = g_get_real_time();
    char today[11], in_60_days[11], soon[32], later[32];
    g_autofree char *body = NULL;
    json_t *doc;
    struct answer a;

    date_at(today, now);
    date_at(in_60_days, now + 60 * DAY_US);
    instant_at(soon, now + DAY_US);
    instant_at(later, now + DAY_US + 8 * HOUR_US);

    body = g_strdup_printf("{\"organization_id\":%lld,\"code\":\"cardiology\","
                           "\"name\":\"Cardiology\",\"head_id\":%lld}",
                           (long long)ids.county, (long long)ids.pid[U_SPEC2]);
    ids.department = seed_call(U_ADMIN, "POST", body, "/api/v1/departments");
    g_clear_pointer(&body, g_free);
    body = g_strdup_printf(
        "{\"practitioner_id\":%lld,\"starts_at\":\"%s\",\"ends_at\":\"%s\"}",
        (long long)ids.pid[U_SPEC2], soon, later);
    ids.shift =
        seed_call(U_SPEC2, "POST", body, "/api/v1/departments/%lld/oncall",
                  (long long)ids.department);
    g_clear_pointer(&body, g_free);

    body =
        g_strdup_printf("{\"resident_id\":%lld,\"team_id\":%lld,"
                        "\"period_start\":\"%s\"}",
                        (long long)ids.resident2, (long long)ids.team, today);
    ids.contract_offered = seed_call(U_FAM, "POST", body, "/api/v1/contracts");
    g_clear_pointer(&body, g_free);

    ids.consult_requested = consultation();
    ids.consult_accepted = consultation_accepted();
    ids.consult_open = consultation_open();
    seed_call(U_FAM, "POST", "{\"kind\":\"recording\"}",
              "/api/v1/consultations/%lld/consents",
              (long long)ids.consult_open);
    ids.consult_done = consultation_open();
    seed_call(U_SPEC, "POST", NULL, "/api/v1/consultations/%lld/join",
              (long long)ids.consult_open);
    seed_call(U_SPEC, "POST", "{\"opinion\":\"Sick sinus syndrome likely.\"}",
              "/api/v1/consultations/%lld/complete",
              (long long)ids.consult_done);

    ids.ecg_live = ecg_study(false);
    ids.ecg_awaiting = ecg_study(true);
    ids.ecg_reported = ecg_study(true);
    seed_call(U_READER, "POST",
              "{\"rhythm\":\"sinus\",\"heart_rate_bpm\":48,"
              "\"impression\":\"Sinus bradycardia.\"}",
              "/api/v1/ecg-studies/%lld/report", (long long)ids.ecg_reported);

    imaging_assigned(ids.img_assigned);
    imaging_assigned(ids.img_reported);
    seed_call(U_RAD, "POST",
              "{\"findings\":\"No focal consolidation.\","
              "\"impression\":\"Normal chest CT.\"}",
              "/api/v1/imaging-studies/%lld/report",
              (long long)ids.img_reported);

    ids.plan_draft = plan(ids.resident, today, in_60_days);
    ids.plan_active = plan(ids.resident, today, in_60_days);
    seed_call(U_FAM, "POST", NULL, "/api/v1/rehab-plans/%lld/activate",
              (long long)ids.plan_active);
    ids.plan_suspended = plan(ids.resident, today, in_60_days);
    seed_call(U_FAM, "POST", NULL, "/api/v1/rehab-plans/%lld/activate",
              (long long)ids.plan_suspended);
    seed_call(U_FAM, "POST", "{\"reason\":\"fever\"}",
              "/api/v1/rehab-plans/%lld/suspend",
              (long long)ids.plan_suspended);
    OK(tc_rec_tx_begin(srv.db));
    g_clear_pointer(&body, g_free);
    body = g_strdup_printf("/api/v1/rehab-plans/%lld",
                           (long long)ids.plan_active);
    request(U_THER, "GET", body, NULL, 0, &a);
    OK(tc_rec_tx_commit(srv.db));
    doc = json_loads(a.body->str, 0, NULL);
    ids.goal = json_integer_value(json_object_get(
        json_array_get(json_object_get(doc, "goals"), 0), "id"));
    ids.exercise = json_integer_value(json_object_get(
        json_array_get(json_object_get(doc, "exercises"), 0), "id"));
    json_decref(doc);
    g_string_free(a.body, TRUE);
    if (ids.goal <= 0 || ids.exercise <= 0) {
        abort();
    }

    ids.session_done = session(ids.plan_active, "self_guided", now + HOUR_US);
    session_complete(ids.session_done);
    ids.session_noted = session(ids.plan_active, "self_guided", now + HOUR_US);
    session_complete(ids.session_noted);
    seed_call(U_THER, "POST", "{\"text\":\"Good form.\"}",
              "/api/v1/rehab-sessions/%lld/note",
              (long long)ids.session_noted);
    ids.session_scheduled =
        session(ids.plan_active, "live_guided", now + 2 * DAY_US);
    ids.session_open = session(ids.plan_active, "live_guided", now + HOUR_US);
    seed_call(U_RES, "POST", "{\"pain_before\":3}",
              "/api/v1/rehab-sessions/%lld/start",
              (long long)ids.session_open);
    ids.plan3 = plan(ids.resident3, today, in_60_days);
    seed_call(U_FAM, "POST", NULL, "/api/v1/rehab-plans/%lld/activate",
              (long long)ids.plan3);
    ids.session_startable =
        session(ids.plan3, "live_guided", now + 2 * DAY_US);
    ids.library = seed_call(
        U_THER, "POST",
        "{\"name\":\"Sit to stand\",\"instructions_zh\":\"站起来。\","
        "\"instructions_en\":\"Stand up.\",\"default_sets\":3,"
        "\"default_reps\":8}",
        "/api/v1/rehab-library");
    ids.alert = 1; /* none is raised: the route answers 404 */

    g_clear_pointer(&body, g_free);
    body = g_strdup_printf("{\"direction\":\"up\",\"resident_id\":%lld,"
                           "\"department_id\":%lld,\"urgency\":\"routine\","
                           "\"reason\":\"Chest pain\"}",
                           (long long)ids.resident, (long long)ids.department);
    ids.referral_requested =
        seed_call(U_FAM, "POST", body, "/api/v1/referrals");
    ids.referral_accepted =
        seed_call(U_FAM, "POST", body, "/api/v1/referrals");
    g_clear_pointer(&body, g_free);
    body = g_strdup_printf("{\"appointment_at\":\"%s\"}", soon);
    seed_call(U_SPEC2, "POST", body, "/api/v1/referrals/%lld/accept",
              (long long)ids.referral_accepted);
    g_clear_pointer(&body, g_free);
    body = g_strdup_printf("{\"resident_id\":%lld,\"department_id\":%lld,"
                           "\"reason\":\"Collapse\"}",
                           (long long)ids.resident, (long long)ids.department);
    ids.emergency = seed_call(U_FAM, "POST", body, "/api/v1/emergencies");
}

/* Only warnings and worse, and never a handler's info lines. */
static GLogWriterOutput
quiet_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
             gpointer data)
{
    (void)data;
    if (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG)) {
        return G_LOG_WRITER_HANDLED;
    }
    return g_log_writer_standard_streams(level, fields, n_fields, data);
}

/* Remove every file of ecg_dir; returns how many there were. */
static int
ecg_files_remove(void)
{
    GDir *dir = g_dir_open(ecg_dir, 0, NULL);
    const char *name;
    int n = 0;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(ecg_dir, name, NULL);
        if (remove(path) < 0) {
            abort();
        }
        n++;
    }
    if (dir) {
        g_dir_close(dir);
    }
    return n;
}

static void
remove_data_dir(void)
{
    g_autofree char *parent = g_path_get_dirname(ecg_dir);

    ecg_files_remove();
    rmdir(ecg_dir);
    rmdir(parent);
}

static void
setup(void)
{
    g_autofree char *data_dir = NULL;
    char *err = NULL;

    g_log_set_writer_func(quiet_writer, NULL, NULL);
    if (tc_srv__crypto_init(&err) < 0) {
        abort();
    }
    cfg = tc_srv_config_new();
    data_dir = g_dir_make_tmp("fuzz-api-body-XXXXXX", NULL);
    if (!data_dir ||
        tc_srv_config_set(cfg, "server", "data_dir", data_dir, NULL) < 0) {
        abort();
    }
    ecg_dir = g_build_filename(data_dir, "ecg", NULL);
    atexit(remove_data_dir);
    srv.cfg = cfg;
    srv.metrics = tc_srv__metrics_new();
    OK(tc_rec_open(":memory:", &srv.db));
    OK(tc_rec_tx_begin(srv.db));
    seed_county();
    OK(tc_rec_tx_commit(srv.db));
    tc_srv__emergency_start(&srv);
    seed_workflows();
    OK(tc_rec_checksum(srv.db, &seeded_sum));
    trace = getenv("FUZZ_API_TRACE") != NULL;
    if (trace) {
        fprintf(stderr,
                "ids: county %lld clinic %lld city %lld team %lld resident "
                "%lld resident2 %lld carer %lld practitioners fam %lld ther "
                "%lld spec %lld spec2 %lld reader %lld rad %lld department "
                "%lld ecg %lld/%lld/%lld imaging %lld/%lld/%lld exercise "
                "%lld library %lld referral %lld/%lld\n",
                (long long)ids.county, (long long)ids.clinic,
                (long long)ids.city, (long long)ids.team,
                (long long)ids.resident, (long long)ids.resident2,
                (long long)ids.carer, (long long)ids.pid[U_FAM],
                (long long)ids.pid[U_THER], (long long)ids.pid[U_SPEC],
                (long long)ids.pid[U_SPEC2], (long long)ids.pid[U_READER],
                (long long)ids.pid[U_RAD], (long long)ids.department,
                (long long)ids.ecg_live, (long long)ids.ecg_awaiting,
                (long long)ids.ecg_reported, (long long)ids.img_unmatched,
                (long long)ids.img_assigned, (long long)ids.img_reported,
                (long long)ids.exercise, (long long)ids.library,
                (long long)ids.referral_requested,
                (long long)ids.referral_accepted);
    }
}

/* ---- the invariants ---- */

static void
fail(const struct route *r, const char *path, const struct answer *a,
     const char *why)
{
    fprintf(stderr, "fuzz-api-body: %s %s: %s: %d %.2000s\n", r->method, path,
            why, a->status, a->body->str);
    abort();
}

static void
check_error_body(const struct route *r, const char *path,
                 const struct answer *a)
{
    json_t *doc = json_loadb(a->body->str, a->body->len, 0, NULL);
    json_t *err = json_object_get(doc, "error");
    json_t *status = json_object_get(err, "status");
    const char *message = json_string_value(json_object_get(err, "message"));
    json_t *field = json_object_get(err, "field");

    if (!json_is_object(err) || json_integer_value(status) != a->status ||
        !message || !message[0] ||
        (field && (!json_is_string(field) || !json_string_value(field)[0]))) {
        fail(r, path, a,
             "4xx without an error object naming status and message");
    }
    json_decref(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct route *r;
    char path[160];
    struct answer a;
    uint64_t sum = 0;
    int64_t changes;

    if (!srv.db) {
        setup();
    }
    if (size == 0) {
        return 0;
    }
    r = &routes[data[0] % N_ROUTES];
    /* The table's formats are literals with at most two %lld. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(path, sizeof(path), r->path, r->a ? (long long)*r->a : 0LL,
             r->b ? (long long)*r->b : 0LL);
#pragma GCC diagnostic pop
    if (tc_rec_tx_begin(srv.db) < 0) {
        abort();
    }
    changes = tc_rec_total_changes(srv.db);
    request(r->user, r->method, path, (const char *)data + 1, size - 1, &a);
    if (trace) {
        fprintf(stderr, "%u %s %s: %d %.300s\n", data[0] % (unsigned)N_ROUTES,
                r->method, path, a.status, a.body->str);
    }
    if (a.status >= 400 && a.status <= 499) {
        check_error_body(r, path, &a);
        /* No statement changed a row: nothing to compare (the cheap
         * case); else the rows themselves must be as seeded. */
        if (tc_rec_total_changes(srv.db) != changes &&
            (tc_rec_checksum(srv.db, &sum) < 0 || sum != seeded_sum)) {
            fail(r, path, &a, "a refused request changed the database");
        }
        if (ecg_files_remove() > 0) {
            fail(r, path, &a, "a refused request left files in data_dir/ecg");
        }
    } else if (a.status >= 200 && a.status <= 299) {
        json_t *doc = json_loadb(a.body->str, a.body->len, 0, NULL);
        if (!doc && a.body->len > 0) {
            fail(r, path, &a, "2xx whose body is not JSON");
        }
        json_decref(doc);
    } else {
        fail(r, path, &a, "neither 2xx nor 4xx");
    }
    g_string_free(a.body, TRUE);
    ecg_files_remove(); /* a 2xx import's: its study is rolled back */
    if (tc_rec_tx_rollback(srv.db) < 0) {
        abort();
    }
    /* Timers armed for emergencies the rollback undid: never due here. */
    g_hash_table_remove_all(srv.emergency_timers);
    return 0;
}
