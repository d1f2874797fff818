// SPDX-License-Identifier: Apache-2.0
/*
 * contract.c - family-doctor contract lifecycle.
 *
 *   OFFERED --sign--> ACTIVE --renew--> RENEWED (the next period is ACTIVE)
 *      |                 |
 *      +--withdraw--+    +--terminate--> TERMINATED
 *                   v    +--period ends--> EXPIRED
 *               WITHDRAWN
 *
 * Only contract_step() changes a status, following `transitions` below. An
 * event with no arrow out of the current status is refused with -EPERM
 * and changes nothing. Entering ACTIVE generates the follow-up schedule;
 * entering TERMINATED cancels the follow-ups still due, entering EXPIRED
 * marks them missed (followup.c).
 *
 * Invariants: a resident has at most one ACTIVE contract (a partial unique
 * index; its violation becomes -EEXIST "resident already has an active
 * contract"); every contract holds the basic package; a contract is signed
 * by a member of its team on or before the last day of its period; a
 * renewal's next contract starts the day after the renewed one ends and
 * names it in previous_id. Each public call is one transaction.
 *
 * Thread: the handle's thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define MAX_PERIOD_YEARS 5
#define REASON_MAX_LEN   500

static const char *const status_codes[] = {
    [TC_REC_CONTRACT_OFFERED] = "offered",
    [TC_REC_CONTRACT_ACTIVE] = "active",
    [TC_REC_CONTRACT_RENEWED] = "renewed",
    [TC_REC_CONTRACT_TERMINATED] = "terminated",
    [TC_REC_CONTRACT_EXPIRED] = "expired",
    [TC_REC_CONTRACT_WITHDRAWN] = "withdrawn",
};
#define N_STATUSES (int)(sizeof(status_codes) / sizeof(status_codes[0]))

static const char *const package_codes[] = {
    [TC_REC_PACKAGE_BASIC] = "basic",
    [TC_REC_PACKAGE_DISABILITY_REHAB] = "disability_rehab",
    [TC_REC_PACKAGE_ELDERLY_CARE] = "elderly_care",
    [TC_REC_PACKAGE_CHRONIC_DISEASE] = "chronic_disease",
    [TC_REC_PACKAGE_MATERNAL_CHILD] = "maternal_child",
};

static const char *const method_codes[] = {
    [TC_REC_SIGN_IN_PERSON] = "in_person",
    [TC_REC_SIGN_ONLINE] = "online",
};
#define N_METHODS (int)(sizeof(method_codes) / sizeof(method_codes[0]))

#define ALL_PACKAGES ((1u << TC_REC_PACKAGE_COUNT) - 1)

const char *
tc_rec_contract_status_to_string(enum tc_rec_contract_status status)
{
    return tc_rec__code_name(status_codes, N_STATUSES, (int)status);
}

int
tc_rec_contract_status_from_string(const char *s,
                                   enum tc_rec_contract_status *out)
{
    int i;
    int rc = tc_rec__code_parse(status_codes, N_STATUSES, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_contract_status)i;
    }
    return rc;
}

const char *
tc_rec_package_to_string(enum tc_rec_package package)
{
    return tc_rec__code_name(package_codes, TC_REC_PACKAGE_COUNT,
                             (int)package);
}

int
tc_rec_package_from_string(const char *s, enum tc_rec_package *out)
{
    int i;
    int rc = tc_rec__code_parse(package_codes, TC_REC_PACKAGE_COUNT, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_package)i;
    }
    return rc;
}

const char *
tc_rec_sign_method_to_string(enum tc_rec_sign_method method)
{
    return tc_rec__code_name(method_codes, N_METHODS, (int)method);
}

int
tc_rec_sign_method_from_string(const char *s, enum tc_rec_sign_method *out)
{
    int i;
    int rc = tc_rec__code_parse(method_codes, N_METHODS, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_sign_method)i;
    }
    return rc;
}

/* ---- The state machine ---- */

enum event { EV_SIGN, EV_WITHDRAW, EV_TERMINATE, EV_EXPIRE, EV_RENEW };

static const char *const event_names[] = {
    [EV_SIGN] = "sign",           [EV_WITHDRAW] = "withdraw",
    [EV_TERMINATE] = "terminate", [EV_EXPIRE] = "expire",
    [EV_RENEW] = "renew",
};

static const struct transition {
    enum tc_rec_contract_status from;
    enum event event;
    enum tc_rec_contract_status to;
} transitions[] = {
    {TC_REC_CONTRACT_OFFERED, EV_SIGN, TC_REC_CONTRACT_ACTIVE},
    {TC_REC_CONTRACT_OFFERED, EV_WITHDRAW, TC_REC_CONTRACT_WITHDRAWN},
    {TC_REC_CONTRACT_ACTIVE, EV_TERMINATE, TC_REC_CONTRACT_TERMINATED},
    {TC_REC_CONTRACT_ACTIVE, EV_EXPIRE, TC_REC_CONTRACT_EXPIRED},
    {TC_REC_CONTRACT_ACTIVE, EV_RENEW, TC_REC_CONTRACT_RENEWED},
};

/* The transition for `event` out of `from`, or NULL. */
static const struct transition *
find_transition(enum tc_rec_contract_status from, enum event event)
{
    for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++) {
        if (transitions[i].from == from && transitions[i].event == event) {
            return &transitions[i];
        }
    }
    return NULL;
}

static int
check_allowed(struct tc_rec_db *db, const struct tc_rec_contract *c,
              enum event event)
{
    if (!find_transition(c->status, event)) {
        return tc_rec__fail(db, -EPERM, "%s: not allowed from status %s",
                            event_names[event], status_codes[c->status]);
    }
    return 0;
}

/* What entering a status does besides the status itself. */
static int
on_enter(struct tc_rec_db *db, const struct tc_rec_contract *c,
         enum tc_rec_contract_status to)
{
    switch (to) {
    case TC_REC_CONTRACT_ACTIVE:
        return tc_rec__followups_generate(db, c->id, c->packages,
                                          c->period_start, c->period_end);
    case TC_REC_CONTRACT_TERMINATED:
        return tc_rec__followups_close(db, c->id, TC_REC_FOLLOWUP_CANCELLED,
                                       "contract terminated");
    case TC_REC_CONTRACT_EXPIRED:
        return tc_rec__followups_close(db, c->id, TC_REC_FOLLOWUP_MISSED,
                                       "contract expired");
    default:
        return 0;
    }
}

/*
 * The only function that changes a contract's status. ended_at_us (0:
 * none) and reason (NULL: none) are recorded when given.
 */
static int
contract_step(struct tc_rec_db *db, const struct tc_rec_contract *c,
              enum event event, int64_t ended_at_us, const char *reason)
{
    const struct transition *t = find_transition(c->status, event);
    sqlite3_stmt *st;
    int rc;

    if (!t) {
        return check_allowed(db, c, event);
    }
    st = tc_rec__stmt(db, "UPDATE contracts SET status = ?2,"
                          " ended_at_us = coalesce(?3, ended_at_us),"
                          " end_reason = coalesce(?4, end_reason)"
                          " WHERE id = ?1 AND status = ?5");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, c->id);
    tc_rec__bind_text(st, 2, status_codes[t->to]);
    tc_rec__bind_id(st, 3, ended_at_us);
    tc_rec__bind_text(st, 4, reason);
    tc_rec__bind_text(st, 5, status_codes[t->from]);
    rc = tc_rec__step_done(db, st, event_names[event]);
    if (rc == -EEXIST) {
        return tc_rec__fail(db, rc,
                            "contract %lld: resident already has an active "
                            "contract",
                            (long long)c->id);
    }
    if (rc == 0 && sqlite3_changes(db->conn) != 1) {
        rc = tc_rec__fail(db, -EPERM, "%s: contract %lld changed status",
                          event_names[event], (long long)c->id);
    }
    return rc == 0 ? on_enter(db, c, t->to) : rc;
}

/* ---- Reading ---- */

static void
contract_fini(struct tc_rec_contract *c)
{
    free(c->period_start);
    free(c->period_end);
    free(c->end_reason);
}

void
tc_rec_contract_free(struct tc_rec_contract *c)
{
    if (c) {
        contract_fini(c);
        free(c);
    }
}

void
tc_rec_contract_list_free(struct tc_rec_contract_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        contract_fini(&list->items[i]);
    }
    free(list->items);
    free(list);
}

#define CONTRACT_SELECT                                                       \
    "SELECT c.id, c.resident_id, c.team_id, c.status, c.period_start,"        \
    " c.period_end, c.previous_id, c.offered_by, c.offered_at_us,"            \
    " c.signed_by, c.signed_at_us, c.sign_method, c.ended_at_us,"             \
    " c.end_reason, (SELECT group_concat(package) FROM contract_packages"     \
    " WHERE contract_id = c.id) FROM contracts c"

static unsigned
parse_packages(const char *list)
{
    unsigned bits = 0;

    for (int i = 0; list && i < TC_REC_PACKAGE_COUNT; i++) {
        size_t n = strlen(package_codes[i]);
        for (const char *p = list; (p = strstr(p, package_codes[i])); p++) {
            if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n])) {
                bits |= TC_REC_PACKAGE_BIT(i);
            }
        }
    }
    return bits;
}

static int
contract_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_contract *c = item;
    enum tc_rec_contract_status status = 0;
    enum tc_rec_sign_method method = 0;
    bool oom = false;

    tc_rec_contract_status_from_string(
        (const char *)sqlite3_column_text(st, 3), &status);
    tc_rec_sign_method_from_string((const char *)sqlite3_column_text(st, 11),
                                   &method);
    c->id = sqlite3_column_int64(st, 0);
    c->resident_id = sqlite3_column_int64(st, 1);
    c->team_id = sqlite3_column_int64(st, 2);
    c->status = status;
    c->period_start = tc_rec__col_text(st, 4, &oom);
    c->period_end = tc_rec__col_text(st, 5, &oom);
    c->previous_id = sqlite3_column_int64(st, 6);
    c->offered_by = sqlite3_column_int64(st, 7);
    c->offered_at_us = sqlite3_column_int64(st, 8);
    c->signed_by = sqlite3_column_int64(st, 9);
    c->signed_at_us = sqlite3_column_int64(st, 10);
    c->sign_method = method;
    c->ended_at_us = sqlite3_column_int64(st, 12);
    c->end_reason = tc_rec__col_text(st, 13, &oom);
    c->packages = parse_packages((const char *)sqlite3_column_text(st, 14));
    return oom ? -ENOMEM : 0;
}

static void
contract_free(void *item)
{
    tc_rec_contract_free(item);
}

static int
load(struct tc_rec_db *db, int64_t id, struct tc_rec_contract **out)
{
    sqlite3_stmt *st = tc_rec__stmt(db, CONTRACT_SELECT " WHERE c.id = ?");
    void *c = NULL;
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_contract), contract_row,
                       contract_free, &c);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "no contract %lld", (long long)id);
    }
    if (rc == 0) {
        *out = c;
    }
    return rc;
}

int
tc_rec_contract_get(struct tc_rec_db *db, int64_t id,
                    struct tc_rec_contract **out)
{
    tc_rec__ok(db);
    return load(db, id, out);
}

int
tc_rec_contract_get_active(struct tc_rec_db *db, int64_t resident_id,
                           struct tc_rec_contract **out)
{
    sqlite3_stmt *st;
    void *c = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, CONTRACT_SELECT " WHERE c.resident_id = ?"
                                          " AND c.status = 'active'");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, resident_id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_contract), contract_row,
                       contract_free, &c);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "resident %lld has no active contract",
                            (long long)resident_id);
    }
    if (rc == 0) {
        *out = c;
    }
    return rc;
}

int
tc_rec_contract_list_for_resident(struct tc_rec_db *db, int64_t resident_id,
                                  struct tc_rec_contract_list **out)
{
    struct tc_rec_contract_list *list;
    sqlite3_stmt *st;
    void *items = NULL;
    bool found = false;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__exists(db, "SELECT 1 FROM residents WHERE id = ?",
                        resident_id, &found);
    if (rc == 0 && !found) {
        rc = tc_rec__fail(db, -ENOENT, "no resident %lld",
                          (long long)resident_id);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, CONTRACT_SELECT " WHERE c.resident_id = ?"
                                          " ORDER BY c.period_start DESC,"
                                          " c.id DESC");
    list = calloc(1, sizeof(*list));
    if (!st || !list) {
        free(list);
        return st ? tc_rec__fail(db, -ENOMEM, "out of memory") : -EIO;
    }
    sqlite3_bind_int64(st, 1, resident_id);
    rc = tc_rec__collect(db, st, sizeof(*list->items), contract_row, &items,
                         &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_contract_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

/* ---- Validation ---- */

static int
check_exists(struct tc_rec_db *db, const char *sql, const char *field,
             const char *noun, int64_t id)
{
    bool found = false;
    int rc = tc_rec__exists(db, sql, id, &found);

    if (rc == 0 && !found) {
        rc = tc_rec__fail(db, -ENOENT, "%s: no %s %lld", field, noun,
                          (long long)id);
    }
    return rc;
}

static int
check_packages(struct tc_rec_db *db, unsigned packages)
{
    if (packages & ~ALL_PACKAGES) {
        return tc_rec__fail(db, -EINVAL, "packages: unknown package");
    }
    if (!(packages & TC_REC_PACKAGE_BIT(TC_REC_PACKAGE_BASIC))) {
        return tc_rec__fail(db, -EINVAL, "packages: must include basic");
    }
    return 0;
}

/* Fills end[11] with the period's end: the given one, or one year. */
static int
check_period(struct tc_rec_db *db, const char *start, const char *end_in,
             char *end)
{
    char latest[11];

    if (!tc_rec__date_valid(start)) {
        return tc_rec__fail(db, -EINVAL,
                            "period_start: not a YYYY-MM-DD date");
    }
    if (end_in && !tc_rec__date_valid(end_in)) {
        return tc_rec__fail(db, -EINVAL, "period_end: not a YYYY-MM-DD date");
    }
    if (end_in) {
        memcpy(end, end_in, 11);
    } else {
        tc_rec__date_add_months(start, 12, end);
        tc_rec__date_add_days(end, -1, end);
    }
    tc_rec__date_add_months(start, 12 * MAX_PERIOD_YEARS, latest);
    if (strcmp(end, start) <= 0) {
        return tc_rec__fail(db, -EINVAL,
                            "period_end: must be after period_start");
    }
    if (strcmp(end, latest) >= 0) {
        return tc_rec__fail(db, -EINVAL,
                            "period_end: a period lasts at most %d years",
                            MAX_PERIOD_YEARS);
    }
    return 0;
}

static int
check_signature(struct tc_rec_db *db, const struct tc_rec_contract *c,
                const struct tc_rec_contract_signature *sig)
{
    bool member = false;
    int rc;

    if (sig->signed_at_us <= 0) {
        return tc_rec__fail(db, -EINVAL, "signed_at_us: required");
    }
    if (!tc_rec_sign_method_to_string(sig->method)) {
        return tc_rec__fail(db, -EINVAL,
                            "method: must be in_person or online");
    }
    rc = tc_rec_team_has_member(db, c->team_id, sig->signed_by, &member);
    if (rc == 0 && !member) {
        rc = tc_rec__fail(db, -EINVAL,
                          "signed_by: practitioner %lld is not a member of "
                          "team %lld",
                          (long long)sig->signed_by, (long long)c->team_id);
    }
    return rc;
}

/* ---- Offer ---- */

static int
insert_packages(struct tc_rec_db *db, int64_t id, unsigned packages)
{
    int rc = 0;

    for (int i = 0; rc == 0 && i < TC_REC_PACKAGE_COUNT; i++) {
        sqlite3_stmt *st;
        if (!(packages & TC_REC_PACKAGE_BIT(i))) {
            continue;
        }
        st = tc_rec__stmt(db, "INSERT INTO contract_packages (contract_id,"
                              " package) VALUES (?, ?)");
        if (!st) {
            return -EIO;
        }
        sqlite3_bind_int64(st, 1, id);
        tc_rec__bind_text(st, 2, package_codes[i]);
        rc = tc_rec__step_done(db, st, "packages");
    }
    return rc;
}

static int
validate_offer(struct tc_rec_db *db, const struct tc_rec_contract_offer *o,
               char *end)
{
    int rc = check_packages(db, o->packages);

    if (rc == 0) {
        rc = check_period(db, o->period_start, o->period_end, end);
    }
    if (rc == 0 && o->offered_at_us <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "offered_at_us: required");
    }
    if (rc == 0) {
        rc = check_exists(db, "SELECT 1 FROM residents WHERE id = ?",
                          "resident_id", "resident", o->resident_id);
    }
    if (rc == 0) {
        rc = check_exists(db, "SELECT 1 FROM teams WHERE id = ?", "team_id",
                          "team", o->team_id);
    }
    if (rc == 0 && o->offered_by != 0) {
        rc = check_exists(db, "SELECT 1 FROM practitioners WHERE id = ?",
                          "offered_by", "practitioner", o->offered_by);
    }
    return rc;
}

static int
insert_offer(struct tc_rec_db *db, const struct tc_rec_contract_offer *o,
             int64_t previous_id, int64_t *id_out)
{
    char end[11];
    sqlite3_stmt *st;
    int64_t id;
    int rc = validate_offer(db, o, end);

    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO contracts (resident_id, team_id,"
                          " status, period_start, period_end, previous_id,"
                          " offered_by, offered_at_us)"
                          " VALUES (?, ?, 'offered', ?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, o->resident_id);
    sqlite3_bind_int64(st, 2, o->team_id);
    tc_rec__bind_text(st, 3, o->period_start);
    tc_rec__bind_text(st, 4, end);
    tc_rec__bind_id(st, 5, previous_id);
    tc_rec__bind_id(st, 6, o->offered_by);
    sqlite3_bind_int64(st, 7, o->offered_at_us);
    rc = tc_rec__step_done(db, st, "offer");
    if (rc < 0) {
        return rc;
    }
    id = sqlite3_last_insert_rowid(db->conn);
    rc = insert_packages(db, id, o->packages);
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

int
tc_rec_contract_offer(struct tc_rec_db *db,
                      const struct tc_rec_contract_offer *offer,
                      int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, insert_offer(db, offer, 0, &id));
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

/* ---- Sign, withdraw, terminate ---- */

static int
sign_loaded(struct tc_rec_db *db, const struct tc_rec_contract *c,
            const struct tc_rec_contract_signature *sig)
{
    char signed_on[11];
    sqlite3_stmt *st;
    int rc = check_allowed(db, c, EV_SIGN);

    if (rc == 0) {
        rc = check_signature(db, c, sig);
    }
    if (rc < 0) {
        return rc;
    }
    tc_rec__date_of_us(sig->signed_at_us, signed_on);
    if (strcmp(signed_on, c->period_end) > 0) {
        return tc_rec__fail(db, -EPERM,
                            "sign: the offer expired, its period ended on %s",
                            c->period_end);
    }
    st = tc_rec__stmt(db, "UPDATE contracts SET signed_by = ?,"
                          " signed_at_us = ?, sign_method = ? WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, sig->signed_by);
    sqlite3_bind_int64(st, 2, sig->signed_at_us);
    tc_rec__bind_text(st, 3, method_codes[sig->method]);
    sqlite3_bind_int64(st, 4, c->id);
    rc = tc_rec__step_done(db, st, "sign");
    return rc == 0 ? contract_step(db, c, EV_SIGN, 0, NULL) : rc;
}

static int
sign(struct tc_rec_db *db, int64_t id,
     const struct tc_rec_contract_signature *sig)
{
    struct tc_rec_contract *c = NULL;
    int rc = load(db, id, &c);

    if (rc == 0) {
        rc = sign_loaded(db, c, sig);
    }
    tc_rec_contract_free(c);
    return rc;
}

int
tc_rec_contract_sign(struct tc_rec_db *db, int64_t id,
                     const struct tc_rec_contract_signature *sig)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, sign(db, id, sig));
}

/* Withdraw or terminate: one event, an instant and a reason. */
static int
end_contract(struct tc_rec_db *db, int64_t id, enum event event, int64_t at_us,
             const char *reason, bool reason_required)
{
    struct tc_rec_contract *c = NULL;
    int rc = tc_rec__text_check(db, "reason", reason, REASON_MAX_LEN,
                                reason_required);

    if (rc == 0 && at_us <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "at_us: required");
    }
    if (rc == 0) {
        rc = load(db, id, &c);
    }
    if (rc == 0) {
        rc = contract_step(db, c, event, at_us, reason);
    }
    tc_rec_contract_free(c);
    return rc;
}

int
tc_rec_contract_withdraw(struct tc_rec_db *db, int64_t id, int64_t at_us,
                         const char *reason)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(
        db, end_contract(db, id, EV_WITHDRAW, at_us, reason, false));
}

int
tc_rec_contract_terminate(struct tc_rec_db *db, int64_t id, int64_t at_us,
                          const char *reason)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(
        db, end_contract(db, id, EV_TERMINATE, at_us, reason, true));
}

/* ---- Expire ---- */

/* The ids of active contracts whose period ended before today. */
static int
due_for_expiry(struct tc_rec_db *db, const char *today, int64_t **ids,
               size_t *n)
{
    sqlite3_stmt *st = tc_rec__stmt(db, "SELECT id FROM contracts"
                                        " WHERE status = 'active'"
                                        " AND period_end < ?");
    size_t cap = 0;
    int rc;

    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, today);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            int64_t *grown;
            cap = cap ? cap * 2 : 64;
            grown = realloc(*ids, cap * sizeof(**ids));
            if (!grown) {
                sqlite3_reset(st);
                return tc_rec__fail(db, -ENOMEM, "out of memory");
            }
            *ids = grown;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : tc_rec__fail_sql(db, rc, "expire");
}

static int
expire_due(struct tc_rec_db *db, const char *today, int *n_expired)
{
    int64_t *ids = NULL;
    size_t n = 0;
    int rc = due_for_expiry(db, today, &ids, &n);

    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct tc_rec_contract *c = NULL;
        rc = load(db, ids[i], &c);
        if (rc == 0) {
            rc = contract_step(db, c, EV_EXPIRE, 0, "period ended");
        }
        tc_rec_contract_free(c);
    }
    free(ids);
    if (rc == 0) {
        *n_expired = (int)n;
    }
    return rc;
}

int
tc_rec_contract_expire_due(struct tc_rec_db *db, const char *today,
                           int *n_expired)
{
    int n = 0;
    int rc;

    tc_rec__ok(db);
    if (!tc_rec__date_valid(today)) {
        return tc_rec__fail(db, -EINVAL, "today: not a YYYY-MM-DD date");
    }
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, expire_due(db, today, &n));
    if (rc == 0 && n_expired) {
        *n_expired = n;
    }
    return rc;
}

/* ---- Renew ---- */

static int
renew_loaded(struct tc_rec_db *db, const struct tc_rec_contract *old,
             const struct tc_rec_contract_renewal *r, int64_t *new_id)
{
    struct tc_rec_contract *next = NULL;
    struct tc_rec_contract_offer offer = {
        .resident_id = old->resident_id,
        .team_id = old->team_id,
        .packages = r->packages ? r->packages : old->packages,
        .period_end = r->period_end,
        .offered_by = r->sig.signed_by,
        .offered_at_us = r->sig.signed_at_us,
    };
    char start[11];
    int rc = check_allowed(db, old, EV_RENEW);

    if (rc == 0) {
        rc = check_signature(db, old, &r->sig);
    }
    if (rc < 0) {
        return rc;
    }
    tc_rec__date_add_days(old->period_end, 1, start);
    offer.period_start = start;
    /* The old one leaves ACTIVE first: one active contract at a time. */
    rc = contract_step(db, old, EV_RENEW, r->sig.signed_at_us, NULL);
    if (rc == 0) {
        rc = insert_offer(db, &offer, old->id, new_id);
    }
    if (rc == 0) {
        rc = load(db, *new_id, &next);
    }
    if (rc == 0) {
        rc = sign_loaded(db, next, &r->sig);
    }
    tc_rec_contract_free(next);
    return rc;
}

int
tc_rec_contract_renew(struct tc_rec_db *db, int64_t id,
                      const struct tc_rec_contract_renewal *renewal,
                      int64_t *new_id_out)
{
    struct tc_rec_contract *old = NULL;
    int64_t new_id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = load(db, id, &old);
    if (rc == 0) {
        rc = renew_loaded(db, old, renewal, &new_id);
    }
    tc_rec_contract_free(old);
    rc = tc_rec__tx_end(db, rc);
    if (rc == 0) {
        *new_id_out = new_id;
    }
    return rc;
}

/* ---- Access helpers ---- */

int
tc_rec_resident_contract_team(struct tc_rec_db *db, int64_t resident_id,
                              int64_t *contract_id, int64_t *team_id)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT id, team_id FROM contracts"
                          " WHERE resident_id = ? AND status = 'active'");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, resident_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (contract_id) {
            *contract_id = sqlite3_column_int64(st, 0);
        }
        if (team_id) {
            *team_id = sqlite3_column_int64(st, 1);
        }
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        return tc_rec__fail(db, -ENOENT,
                            "resident %lld has no active "
                            "contract",
                            (long long)resident_id);
    }
    return rc == SQLITE_ROW ? 0 : tc_rec__fail_sql(db, rc, "contract");
}

int
tc_rec_resident_team_has_member(struct tc_rec_db *db, int64_t resident_id,
                                int64_t practitioner_id, bool *out)
{
    tc_rec__ok(db);
    return tc_rec__exists2(db,
                           "SELECT 1 FROM contracts c JOIN team_members m"
                           " ON m.team_id = c.team_id"
                           " AND m.practitioner_id = ?2"
                           " WHERE c.resident_id = ?1"
                           " AND c.status = 'active'",
                           resident_id, practitioner_id, "team member", out);
}
