// SPDX-License-Identifier: Apache-2.0
/*
 * test-fhir.c - FHIR R4 against the real telecare-server, on records
 * written through the records C API and users made by the real
 * telecare-admin before the server starts: the CapabilityStatement lists
 * what is served; searches answer searchset Bundles whose total and pages
 * hold only what the caller may read (a family doctor sees their team's
 * contracted residents, not the township), paged with _count and next
 * links until none is left; create answers 201 with Location and ETag;
 * update honours If-Match (412 on a stale version); every error is an
 * OperationOutcome with its status (400, 401, 403, 404, 405, 406, 412,
 * 422 with the FHIR path); reads and searches are audited.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>
#include <sqlite3.h>

#include "harness.h"
#include "tc-records.h"
#include "tc-test.h"

#define PASSWORD  "correct horse battery"
#define SYS_ID    "urn:oid:2.16.156.10011.1.3"
#define TOWNSHIP  "Qiaotou"
#define N_TEAM    3 /* residents contracted to the family doctor's team */
#define N_OTHER   1 /* contracted to another team */
#define N_NONE    2 /* registered, no contract */
#define N_RES     (N_TEAM + N_OTHER + N_NONE)
#define FHIR_JSON "application/fhir+json"

/* What the fixture made. */
struct fixture {
    struct tc_harness h;
    char *dir;      /* temporary directory; data in dir/data */
    char *data_dir; /* passed to the server with --data-dir */
    int64_t residents[N_RES];
    char id_numbers[N_RES][19];
    char *famdoc, *township_doc, *other_doc; /* bearer tokens */
};

/* A valid GB 11643 ID number for a birth date and a sequence (odd: male). */
static void
id_number(const char *yyyymmdd, int seq, char out[19])
{
    static const int w[] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                            3, 7, 9,  10, 5, 8, 4, 2};
    int sum = 0;

    snprintf(out, 19, "330102%s%03d", yyyymmdd, seq % 1000);
    for (int i = 0; i < 17; i++) {
        sum += (out[i] - '0') * w[i];
    }
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

/* telecare-admin on the data directory, `input` on its stdin. */
static int
admin(const char *data_dir, const char *input, const char *const *args)
{
    const char *bin = getenv("TC_ADMIN_BIN");
    const char *argv[16] = {bin, "--data-dir", data_dir};
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
        dup2(in_pipe[0], STDIN_FILENO);
        close(in_pipe[1]);
        if (!freopen("/dev/null", "w", stdout)) {
            _exit(126);
        }
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

static int
add_user(const char *data_dir, const char *name, const char *roles,
         int64_t practitioner_id)
{
    char id[24];
    const char *args[] = {"user-add", name, roles, "--practitioner", id, NULL};

    snprintf(id, sizeof(id), "%lld", (long long)practitioner_id);
    return admin(data_dir, PASSWORD "\n", args);
}

static int64_t
practitioner(struct tc_rec_db *db, const char *name)
{
    struct tc_rec_practitioner p = {.name = (char *)name,
                                    .created_at_us = g_get_real_time()};
    int64_t id = 0;

    return tc_rec_practitioner_create(db, &p, &id) == 0 ? id : 0;
}

static int64_t
team(struct tc_rec_db *db, int64_t org, const char *name, int64_t member)
{
    struct tc_rec_team t = {.organization_id = org,
                            .name = (char *)name,
                            .created_at_us = g_get_real_time()};
    int64_t id = 0;

    if (tc_rec_team_create(db, &t, &id) < 0 ||
        tc_rec_team_member_add(db, id, member, TC_REC_MEMBER_DOCTOR) < 0) {
        return 0;
    }
    return id;
}

/* An active contract of resident with team, signed by member. */
static int
contract(struct tc_rec_db *db, int64_t resident, int64_t team_id,
         int64_t member)
{
    int64_t now = g_get_real_time(), id = 0;
    g_autoptr(GDateTime) t = g_date_time_new_now_utc();
    g_autofree char *today = g_date_time_format(t, "%Y-%m-%d");
    struct tc_rec_contract_offer offer = {
        .resident_id = resident,
        .team_id = team_id,
        .packages = TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_BASIC),
        .period_start = today,
        .offered_by = member,
        .offered_at_us = now,
    };
    struct tc_rec_contract_signature sig = {.signed_by = member,
                                            .signed_at_us = now,
                                            .method = TC_REC_SIGN_IN_PERSON};

    if (tc_rec_contract_offer(db, &offer, &id) < 0) {
        return -1;
    }
    return tc_rec_contract_sign(db, id, &sig);
}

/* The records: a township clinic with two family-doctor teams and a
 * township doctor, residents of the township, some contracted. */
static int
seed(struct fixture *fx, int64_t *famdoc, int64_t *township_doc,
     int64_t *other_doc)
{
    g_autofree char *path =
        g_build_filename(fx->data_dir, "telecare.db", NULL);
    struct tc_rec_organization org = {.kind = TC_REC_ORG_TOWNSHIP_CLINIC,
                                      .name = "Qiaotou Clinic",
                                      .township = TOWNSHIP,
                                      .created_at_us = g_get_real_time()};
    struct tc_rec_practitioner_role role = {.role =
                                                TC_REC_ROLE_TOWNSHIP_DOCTOR};
    struct tc_rec_db *db = NULL;
    int64_t org_id = 0, t1, t2, role_id;
    int rc = -1;

    if (g_mkdir_with_parents(fx->data_dir, 0750) < 0 ||
        tc_rec_open(path, &db) < 0) {
        return -1;
    }
    if (tc_rec_organization_create(db, &org, &org_id) < 0) {
        goto out;
    }
    *famdoc = practitioner(db, "Dr Family");
    *other_doc = practitioner(db, "Dr Other");
    *township_doc = practitioner(db, "Dr Township");
    role.practitioner_id = *township_doc;
    role.organization_id = org_id;
    t1 = team(db, org_id, "Team One", *famdoc);
    t2 = team(db, org_id, "Team Two", *other_doc);
    if (!t1 || !t2 || tc_rec_practitioner_role_add(db, &role, &role_id) < 0) {
        goto out;
    }
    for (int i = 0; i < N_RES; i++) {
        char name[32];
        struct tc_rec_resident r = {.name = name,
                                    .township = TOWNSHIP,
                                    .created_at_us = g_get_real_time()};
        char birth[11], digits8[9];
        snprintf(name, sizeof(name), "Resident %c", 'A' + i);
        snprintf(digits8, sizeof(digits8), "1950030%d", i + 1);
        snprintf(birth, sizeof(birth), "1950-03-0%d", i + 1);
        id_number(digits8, 11 + 2 * i, fx->id_numbers[i]); /* odd: male */
        r.id_number = fx->id_numbers[i];
        r.birth_date = birth;
        r.sex = TC_REC_SEX_MALE;
        if (tc_rec_resident_create(db, &r, &fx->residents[i]) < 0) {
            printf("# resident: %s\n", tc_rec_errmsg(db));
            goto out;
        }
        if ((i < N_TEAM && contract(db, fx->residents[i], t1, *famdoc) < 0) ||
            (i >= N_TEAM && i < N_TEAM + N_OTHER &&
             contract(db, fx->residents[i], t2, *other_doc) < 0)) {
            printf("# contract: %s\n", tc_rec_errmsg(db));
            goto out;
        }
    }
    rc = 0;
out:
    tc_rec_close(db);
    return rc;
}

/* ---- HTTP ---- */

static size_t
collect(char *data, size_t size, size_t n, void *user)
{
    g_string_append_len(user, data, (gssize)(size * n));
    return size * n;
}

/*
 * One request with extra headers (NULL-terminated "Name: value" list),
 * the bearer token `token` (may be NULL). Returns the status; the body
 * as JSON in *doc (may be NULL) and the ETag / Location / Content-Type in
 * the optional out strings (g_free).
 */
static long
fhir(struct fixture *fx, const char *token, const char *method,
     const char *path, const char *body, const char *const *headers,
     json_t **doc, char **etag, char **location, char **ctype)
{
    long status = -1;
    CURL *c = curl_easy_init();
    struct curl_slist *hl = NULL;
    GString *in = g_string_new(NULL), *hdr = g_string_new(NULL);
    g_autofree char *url =
        g_strdup_printf("http://127.0.0.1:%d%s", fx->h.port, path);
    g_autofree char *auth =
        token ? g_strdup_printf("Authorization: Bearer %s", token) : NULL;

    for (size_t i = 0; headers && headers[i]; i++) {
        hl = curl_slist_append(hl, headers[i]);
    }
    if (auth) {
        hl = curl_slist_append(hl, auth);
    }
    if (body) {
        hl = curl_slist_append(hl, "Content-Type: application/fhir+json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, in);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, hdr);
    if (curl_easy_perform(c) == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    if (doc) {
        *doc = json_loads(in->str, 0, NULL);
    }
    {
        struct tc_http_reply fake = {.headers = hdr->str,
                                     .headers_len = hdr->len};
        if (etag) {
            *etag = tc_http_reply_header(&fake, "etag");
        }
        if (location) {
            *location = tc_http_reply_header(&fake, "location");
        }
        if (ctype) {
            *ctype = tc_http_reply_header(&fake, "content-type");
        }
    }
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    g_string_free(in, TRUE);
    g_string_free(hdr, TRUE);
    return status;
}

static char *
login(struct fixture *fx, const char *user)
{
    g_autofree char *body = g_strdup_printf(
        "{\"username\":\"%s\",\"password\":\"" PASSWORD "\"}", user);
    struct tc_http_reply r;
    char *token = NULL;

    fx->h.bearer = NULL;
    if (tc_http(&fx->h, "POST", "/api/v1/login", body, strlen(body),
                "application/json", &r) == 0 &&
        r.status == 200) {
        json_t *doc = json_loads(r.body, 0, NULL);
        token = g_strdup(json_string_value(json_object_get(doc, "token")));
        json_decref(doc);
    }
    tc_http_reply_fini(&r);
    return token;
}

static bool
fixture_start(struct fixture *fx)
{
    int64_t famdoc = 0, township_doc = 0, other_doc = 0;
    const char *args[] = {"--data-dir", NULL, NULL};

    memset(fx, 0, sizeof(*fx));
    fx->dir = tc_tmp_dir("fhir");
    fx->data_dir = g_build_filename(fx->dir, "data", NULL);
    if (seed(fx, &famdoc, &township_doc, &other_doc) < 0 ||
        add_user(fx->data_dir, "famdoc", "family_doctor", famdoc) != 0 ||
        add_user(fx->data_dir, "towndoc", "township_doctor", township_doc) !=
            0 ||
        add_user(fx->data_dir, "otherdoc", "family_doctor", other_doc) != 0) {
        printf("# seeding failed\n");
        return false;
    }
    args[1] = fx->data_dir;
    if (tc_harness_start(&fx->h, args) < 0) {
        return false;
    }
    fx->famdoc = login(fx, "famdoc");
    fx->township_doc = login(fx, "towndoc");
    fx->other_doc = login(fx, "otherdoc");
    return fx->famdoc && fx->township_doc && fx->other_doc;
}

static void
fixture_stop(struct fixture *fx)
{
    tc_harness_fini(&fx->h);
    tc_rm_rf(fx->dir);
    free(fx->dir);
    g_free(fx->data_dir);
    g_free(fx->famdoc);
    g_free(fx->township_doc);
    g_free(fx->other_doc);
}

/* The audit events about resident `rid` with `outcome` and `purpose`. */
static long long
audited(struct fixture *fx, int64_t rid, const char *outcome,
        const char *purpose)
{
    g_autofree char *path =
        g_build_filename(fx->data_dir, "telecare.db", NULL);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM audit_events WHERE"
                           " resident_id = ? AND outcome = ?"
                           " AND (?3 IS NULL OR purpose = ?3)",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, rid);
        sqlite3_bind_text(st, 2, outcome, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, purpose, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            n = sqlite3_column_int64(st, 0);
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* An OperationOutcome's first issue: code and expression[0]. */
static void
check_outcome(json_t *doc, const char *code, const char *expression)
{
    json_t *issue = json_array_get(json_object_get(doc, "issue"), 0);

    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "resourceType")),
                    "OperationOutcome");
    TC_CHECK_STR_EQ(json_string_value(json_object_get(issue, "severity")),
                    "error");
    TC_CHECK_STR_EQ(json_string_value(json_object_get(issue, "code")), code);
    TC_CHECK(json_is_string(json_object_get(issue, "diagnostics")));
    if (!doc || !json_object_get(issue, "code")) {
        printf("# not an OperationOutcome\n");
    } else {
        g_autofree char *text = json_dumps(doc, JSON_COMPACT);
        printf("# %s\n", text);
    }
    if (expression) {
        TC_CHECK_STR_EQ(json_string_value(json_array_get(
                            json_object_get(issue, "expression"), 0)),
                        expression);
    }
}

/* ---- tests ---- */

static void
test_metadata_lists_what_is_served(void)
{
    struct fixture fx;
    json_t *doc = NULL, *res, *r;
    g_autofree char *ctype = NULL;
    bool patient = false, audit = false, contract = false;
    size_t i;

    TC_REQUIRE(fixture_start(&fx));
    TC_CHECK_EQ(fhir(&fx, NULL, "GET", "/fhir/metadata", NULL, NULL, &doc,
                     NULL, NULL, &ctype),
                200);
    TC_CHECK_STR_CONTAINS(ctype, FHIR_JSON);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "resourceType")),
                    "CapabilityStatement");
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "fhirVersion")),
                    "4.0.1");
    res = json_object_get(json_array_get(json_object_get(doc, "rest"), 0),
                          "resource");
    TC_CHECK_EQ(json_array_size(res), 16);
    json_array_foreach(res, i, r)
    {
        const char *type = json_string_value(json_object_get(r, "type"));
        g_autofree char *text = json_dumps(r, JSON_COMPACT);
        if (strcmp(type, "Patient") == 0) {
            patient = true;
            TC_CHECK_STR_CONTAINS(text, "\"code\":\"update\"");
            TC_CHECK_STR_CONTAINS(text, "\"code\":\"create\"");
            TC_CHECK_STR_CONTAINS(text, "\"name\":\"identifier\"");
            TC_CHECK_STR_CONTAINS(text, "\"name\":\"address-district\"");
        } else if (strcmp(type, "Contract") == 0) {
            contract = true;
            TC_CHECK_STR_CONTAINS(text, "\"code\":\"create\"");
            TC_CHECK(!strstr(text, "\"code\":\"update\""));
        } else if (strcmp(type, "AuditEvent") == 0) {
            audit = true;
            TC_CHECK_STR_CONTAINS(text, "\"code\":\"search-type\"");
            TC_CHECK(!strstr(text, "\"code\":\"create\""));
            TC_CHECK_STR_CONTAINS(text, "\"name\":\"date\"");
        }
    }
    TC_CHECK(patient && contract && audit);
    json_decref(doc);

    /* Only JSON is served. */
    TC_CHECK_EQ(fhir(&fx, NULL, "GET", "/fhir/metadata?_format=xml", NULL,
                     NULL, &doc, NULL, NULL, NULL),
                406);
    check_outcome(doc, "not-supported", NULL);
    json_decref(doc);
    TC_CHECK_EQ(fhir(&fx, NULL, "GET", "/fhir/metadata?_format=json", NULL,
                     NULL, NULL, NULL, NULL, NULL),
                200);
    fixture_stop(&fx);
}

/* Search as `token` and check the Bundle's shape; *ids gets the entries'
 * ids (g_ptr_array of g_strdup'd strings). Returns the Bundle (decref). */
static json_t *
search(struct fixture *fx, const char *token, const char *path, long *total,
       GPtrArray *ids, char **next)
{
    json_t *doc = NULL, *e;
    size_t i;

    *next = NULL;
    TC_CHECK_EQ(
        fhir(fx, token, "GET", path, NULL, NULL, &doc, NULL, NULL, NULL), 200);
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "resourceType")),
                    "Bundle");
    TC_CHECK_STR_EQ(json_string_value(json_object_get(doc, "type")),
                    "searchset");
    TC_CHECK(json_is_integer(json_object_get(doc, "total")));
    *total = (long)json_integer_value(json_object_get(doc, "total"));
    json_array_foreach(json_object_get(doc, "link"), i, e)
    {
        const char *rel = json_string_value(json_object_get(e, "relation"));
        const char *url = json_string_value(json_object_get(e, "url"));
        TC_CHECK(url && g_str_has_prefix(url, "http://127.0.0.1:"));
        if (rel && strcmp(rel, "next") == 0) {
            *next = g_strdup(strstr(url, "/fhir/"));
        }
        if (i == 0) {
            TC_CHECK_STR_EQ(rel, "self");
        }
    }
    json_array_foreach(json_object_get(doc, "entry"), i, e)
    {
        json_t *res = json_object_get(e, "resource");
        const char *id = json_string_value(json_object_get(res, "id"));
        const char *full = json_string_value(json_object_get(e, "fullUrl"));
        TC_CHECK(id && full && g_str_has_suffix(full, id));
        TC_CHECK(json_is_string(
            json_object_get(json_object_get(res, "meta"), "versionId")));
        if (ids && id) {
            g_ptr_array_add(ids, g_strdup(id));
        }
    }
    return doc;
}

static void
test_family_doctor_sees_only_contracted_residents(void)
{
    struct fixture fx;
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
    char *next = NULL, want[24];
    long total = -1;
    json_t *doc;

    TC_REQUIRE(fixture_start(&fx));
    doc = search(&fx, fx.famdoc, "/fhir/Patient", &total, ids, &next);
    TC_CHECK_EQ(total, N_TEAM);
    TC_CHECK_EQ(ids->len, N_TEAM);
    for (int i = 0; i < N_TEAM && i < (int)ids->len; i++) {
        snprintf(want, sizeof(want), "%lld", (long long)fx.residents[i]);
        TC_CHECK_STR_EQ(g_ptr_array_index(ids, i), want);
    }
    TC_CHECK(next == NULL);
    json_decref(doc);
    /* Every resource returned was audited as read by the search. */
    TC_CHECK_EQ(audited(&fx, fx.residents[0], "success", "FHIR search"), 1);
    TC_CHECK_EQ(audited(&fx, fx.residents[N_TEAM], "success", NULL), 0);

    /* The township doctor sees the whole township. */
    doc = search(&fx, fx.township_doc, "/fhir/Patient?address-district=Qiao",
                 &total, NULL, &next);
    TC_CHECK_EQ(total, N_RES);
    json_decref(doc);
    g_free(next);

    /* By identifier: the family doctor finds their resident, not another
     * team's (total 0, no hint it exists). */
    {
        g_autofree char *mine = g_strdup_printf(
            "/fhir/Patient?identifier=" SYS_ID "%%7C%s", fx.id_numbers[1]);
        g_autofree char *theirs =
            g_strdup_printf("/fhir/Patient?identifier=" SYS_ID "%%7C%s",
                            fx.id_numbers[N_TEAM]);
        doc = search(&fx, fx.famdoc, mine, &total, NULL, &next);
        TC_CHECK_EQ(total, 1);
        json_decref(doc);
        doc = search(&fx, fx.famdoc, theirs, &total, NULL, &next);
        TC_CHECK_EQ(total, 0);
        json_decref(doc);
    }

    /* Reading another team's resident: 403, an OperationOutcome, audited
     * as denied. */
    {
        g_autofree char *path = g_strdup_printf(
            "/fhir/Patient/%lld", (long long)fx.residents[N_TEAM]);
        TC_CHECK_EQ(fhir(&fx, fx.famdoc, "GET", path, NULL, NULL, &doc, NULL,
                         NULL, NULL),
                    403);
        check_outcome(doc, "forbidden", NULL);
        json_decref(doc);
        TC_CHECK_EQ(audited(&fx, fx.residents[N_TEAM], "denied", NULL), 1);
    }

    /* Contracts by patient and status. */
    {
        g_autofree char *path = g_strdup_printf(
            "/fhir/Contract?patient=Patient/%lld&status=executed",
            (long long)fx.residents[0]);
        doc = search(&fx, fx.famdoc, path, &total, NULL, &next);
        TC_CHECK_EQ(total, 1);
        json_decref(doc);
        doc = search(&fx, fx.famdoc, "/fhir/Contract?status=offered", &total,
                     NULL, &next);
        TC_CHECK_EQ(total, 0);
        json_decref(doc);
    }
    fixture_stop(&fx);
}

static void
test_paging_with_count_2_reaches_every_match_once(void)
{
    struct fixture fx;
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *path = g_strdup("/fhir/Patient?_count=2");
    long total = -1, first_total = -1;
    int pages = 0;

    TC_REQUIRE(fixture_start(&fx));
    while (path && pages < 10) {
        char *next = NULL;
        guint before = ids->len;
        json_t *doc = search(&fx, fx.township_doc, path, &total, ids, &next);
        TC_CHECK(ids->len - before <= 2);
        first_total = first_total < 0 ? total : first_total;
        TC_CHECK_EQ(total, first_total);
        json_decref(doc);
        g_free(path);
        path = next;
        pages++;
    }
    TC_CHECK_EQ(first_total, N_RES);
    TC_CHECK_EQ(pages, (N_RES + 1) / 2);
    TC_CHECK_EQ(ids->len, N_RES);
    for (guint i = 1; i < ids->len; i++) { /* ascending: no repeats */
        TC_CHECK(atoll(g_ptr_array_index(ids, i - 1)) <
                 atoll(g_ptr_array_index(ids, i)));
    }
    fixture_stop(&fx);
}

static char *
patient_json(const char *id_number, const char *name)
{
    return g_strdup_printf(
        "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" SYS_ID
        "\",\"value\":\"%s\"}],\"name\":[{\"text\":\"%s\"}],"
        "\"address\":[{\"district\":\"" TOWNSHIP "\"}]}",
        id_number, name);
}

static void
test_create_read_update_with_versions(void)
{
    struct fixture fx;
    json_t *doc = NULL;
    char idn[19], bad[19];
    g_autofree char *etag = NULL, *location = NULL, *etag2 = NULL;
    g_autofree char *body = NULL, *body2 = NULL, *path = NULL;
    g_autofree char *if_match = NULL, *stale = NULL;
    const char *id;

    TC_REQUIRE(fixture_start(&fx));
    id_number("19800704", 123, idn);
    body = patient_json(idn, "New Resident");
    TC_CHECK_EQ(fhir(&fx, fx.township_doc, "POST", "/fhir/Patient", body, NULL,
                     &doc, &etag, &location, NULL),
                201);
    TC_REQUIRE(doc && etag && location);
    id = json_string_value(json_object_get(doc, "id"));
    TC_REQUIRE(id);
    path = g_strdup_printf("/fhir/Patient/%s", id);
    TC_CHECK_STR_CONTAINS(location, path);
    TC_CHECK_STR_CONTAINS(location, "/_history/");
    TC_CHECK(g_str_has_prefix(etag, "W/\""));
    TC_CHECK_STR_CONTAINS(
        etag, json_string_value(
                  json_object_get(json_object_get(doc, "meta"), "versionId")));
    json_decref(doc);

    /* Read back: the same version. */
    g_free(etag2);
    etag2 = NULL;
    TC_CHECK_EQ(fhir(&fx, fx.township_doc, "GET", path, NULL, NULL, &doc,
                     &etag2, NULL, NULL),
                200);
    TC_CHECK_STR_EQ(etag2, etag);
    TC_CHECK_STR_EQ(
        json_string_value(json_object_get(
            json_array_get(json_object_get(doc, "name"), 0), "text")),
        "New Resident");
    json_decref(doc);

    /* Update with the right If-Match: 200 and a new version. */
    body2 = patient_json(idn, "Renamed Resident");
    if_match = g_strdup_printf("If-Match: %s", etag);
    {
        const char *h[] = {if_match, NULL};
        g_free(etag2);
        etag2 = NULL;
        TC_CHECK_EQ(fhir(&fx, fx.township_doc, "PUT", path, body2, h, &doc,
                         &etag2, NULL, NULL),
                    200);
        TC_CHECK(etag2 && strcmp(etag2, etag) != 0);
        TC_CHECK_STR_EQ(
            json_string_value(json_object_get(
                json_array_get(json_object_get(doc, "name"), 0), "text")),
            "Renamed Resident");
        json_decref(doc);
    }
    /* The old version is stale now: 412, an OperationOutcome. */
    {
        const char *h[] = {if_match, NULL};
        TC_CHECK_EQ(fhir(&fx, fx.township_doc, "PUT", path, body, h, &doc,
                         NULL, NULL, NULL),
                    412);
        check_outcome(doc, "conflict", NULL);
        json_decref(doc);
    }
    /* A bad check digit: 422 naming the element. */
    memcpy(bad, idn, sizeof(bad));
    bad[17] = bad[17] == '1' ? '2' : '1';
    g_free(body);
    body = patient_json(bad, "Bad Digit");
    TC_CHECK_EQ(fhir(&fx, fx.township_doc, "POST", "/fhir/Patient", body, NULL,
                     &doc, NULL, NULL, NULL),
                422);
    check_outcome(doc, "invalid", "Patient.identifier[0].value");
    json_decref(doc);
    /* A family doctor may not update a resident outside their team. */
    stale =
        g_strdup_printf("/fhir/Patient/%lld", (long long)fx.residents[N_TEAM]);
    TC_CHECK_EQ(fhir(&fx, fx.famdoc, "PUT", stale, body2, NULL, &doc, NULL,
                     NULL, NULL),
                403);
    check_outcome(doc, "forbidden", NULL);
    json_decref(doc);
    fixture_stop(&fx);
}

static void
test_errors_are_operation_outcomes(void)
{
    struct fixture fx;
    json_t *doc = NULL;
    g_autofree char *ctype = NULL;
    g_autofree char *contract = NULL;

    TC_REQUIRE(fixture_start(&fx));
    /* Not signed in. */
    TC_CHECK_EQ(fhir(&fx, NULL, "GET", "/fhir/Patient", NULL, NULL, &doc, NULL,
                     NULL, &ctype),
                401);
    TC_CHECK_STR_CONTAINS(ctype, FHIR_JSON);
    check_outcome(doc, "login", NULL);
    json_decref(doc);
    /* An unknown type. */
    TC_CHECK_EQ(fhir(&fx, fx.famdoc, "GET", "/fhir/Spaceship", NULL, NULL,
                     &doc, NULL, NULL, NULL),
                404);
    check_outcome(doc, "not-supported", NULL);
    json_decref(doc);
    TC_CHECK_EQ(fhir(&fx, fx.famdoc, "GET", "/fhir/Spaceship/1", NULL, NULL,
                     &doc, NULL, NULL, NULL),
                404);
    check_outcome(doc, "not-supported", NULL);
    json_decref(doc);
    /* No such resource. */
    TC_CHECK_EQ(fhir(&fx, fx.famdoc, "GET", "/fhir/Patient/999999", NULL, NULL,
                     &doc, NULL, NULL, NULL),
                404);
    check_outcome(doc, "not-found", NULL);
    json_decref(doc);
    /* An unknown search parameter and a malformed date. */
    TC_CHECK_EQ(fhir(&fx, fx.famdoc, "GET", "/fhir/Patient?colour=blue", NULL,
                     NULL, &doc, NULL, NULL, NULL),
                400);
    check_outcome(doc, "invalid", NULL);
    json_decref(doc);
    TC_CHECK_EQ(fhir(&fx, fx.famdoc, "GET",
                     "/fhir/Encounter?date=ge2026-13-01", NULL, NULL, &doc,
                     NULL, NULL, NULL),
                400);
    check_outcome(doc, "invalid", NULL);
    json_decref(doc);
    /* Malformed JSON. */
    TC_CHECK_EQ(fhir(&fx, fx.township_doc, "POST", "/fhir/Patient", "{", NULL,
                     &doc, NULL, NULL, NULL),
                400);
    check_outcome(doc, "invalid", NULL);
    json_decref(doc);
    /* Workflow-only changes: 405 naming the way. */
    contract = g_strdup_printf(
        "{\"resourceType\":\"Contract\",\"subject\":[{\"reference\":"
        "\"Patient/%lld\"}]}",
        (long long)fx.residents[0]);
    TC_CHECK_EQ(fhir(&fx, fx.famdoc, "PUT", "/fhir/Contract/1", contract, NULL,
                     &doc, NULL, NULL, NULL),
                405);
    check_outcome(doc, "not-supported", NULL);
    json_decref(doc);
    TC_CHECK_EQ(fhir(&fx, fx.famdoc, "POST", "/fhir/ServiceRequest",
                     "{\"resourceType\":\"ServiceRequest\"}", NULL, &doc, NULL,
                     NULL, NULL),
                405);
    check_outcome(doc, "not-supported", NULL);
    json_decref(doc);
    TC_CHECK_EQ(fhir(&fx, fx.famdoc, "DELETE", "/fhir/Patient/1", NULL, NULL,
                     &doc, NULL, NULL, NULL),
                405);
    check_outcome(doc, "not-supported", NULL);
    json_decref(doc);
    fixture_stop(&fx);
}

int
main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    TC_RUN(test_metadata_lists_what_is_served);
    TC_RUN(test_family_doctor_sees_only_contracted_residents);
    TC_RUN(test_paging_with_count_2_reaches_every_match_once);
    TC_RUN(test_create_read_update_with_versions);
    TC_RUN(test_errors_are_operation_outcomes);
    curl_global_cleanup();
    return tc_done();
}
