/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tc-records.h - the clinical and administrative store of telecare.
 *
 * One handle, struct tc_rec_db, owns one SQLite connection to one database
 * file (WAL mode, foreign keys on, a busy timeout). It is not thread-safe:
 * use a handle from one thread at a time (the server uses it on its main
 * loop only). Several handles, in several processes, may open one file.
 *
 * Conventions for the whole API:
 * - A function that can fail returns 0 or a negative errno:
 *     -EINVAL  a value is invalid (the error text names the field and rule)
 *     -ENOENT  the record does not exist
 *     -EEXIST  a conflict with an existing record (a unique rule)
 *     -EPERM   a lifecycle transition that is not allowed
 *     -ENOMEM, -EIO, -EBUSY (database locked past the busy timeout)
 *   After a failure, tc_rec_errmsg() names the field or the rule, and
 *   nothing was written: every mutating call is one transaction.
 * - Out-params are written only on success.
 * - Pointer arguments are borrowed for the call. A non-const pointer
 *   returned through an out-param belongs to the caller, who frees it with
 *   the one free function named for its type (NULL is ignored).
 * - Calendar dates are "YYYY-MM-DD" strings; instants are int64_t
 *   microseconds since the Unix epoch (UTC), named *_at_us. Ids are int64_t
 *   row ids, > 0.
 * - Records never log; they return codes and text.
 */
#ifndef TC_RECORDS_H
#define TC_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tc_rec_db;

/*
 * Open (creating if needed) the store at `path` and migrate its schema to
 * the version this library writes. On success *out owns a new handle; on
 * failure *out is untouched.
 * Errors: -ENOMEM, -EACCES, -EIO, -EBADMSG (not a telecare database),
 * -EPROTONOSUPPORT (written by a newer telecare; never migrated down).
 */
int tc_rec_open(const char *path, struct tc_rec_db **out);

/*
 * Like tc_rec_open(), and on failure writes a malloc'd description of the
 * failure into *errmsg (the caller frees it). On success *errmsg is
 * untouched.
 */
int tc_rec_open_error(const char *path, struct tc_rec_db **out, char **errmsg);

/*
 * Close a handle: finalizes statements and closes the connection; the
 * last connection to a file checkpoints the WAL into the database file.
 * NULL is ignored.
 */
void tc_rec_close(struct tc_rec_db *db);

/* The text of the last error on this handle, for people. Borrowed until the
 * next call on the handle. Never NULL ("" after success). */
const char *tc_rec_errmsg(const struct tc_rec_db *db);

/* The schema version this library writes, and the version of the file. */
int tc_rec_schema_version_latest(void);
int tc_rec_schema_version(struct tc_rec_db *db, int *out);

/* A cheap read that proves the database answers (for health checks). */
int tc_rec_ping(struct tc_rec_db *db);

/*
 * Copy the whole database, while it is in use, into a new file at
 * `dest_path` (SQLite's online backup). The file must not exist yet.
 * Errors: -EEXIST, -EACCES, -EIO, -EBUSY.
 */
int tc_rec_backup(struct tc_rec_db *db, const char *dest_path);

/*
 * How a commit survives: TC_REC_SYNC_FULL (the default) flushes the
 * write-ahead log to disk at every commit, so a commit survives a power
 * cut; TC_REC_SYNC_NORMAL flushes it only at checkpoints, so a commit
 * survives a crash of the process but the last ones may be lost (never
 * half-written) if the machine loses power. Errors: -EINVAL, -EIO.
 */
enum tc_rec_sync {
    TC_REC_SYNC_FULL = 1,
    TC_REC_SYNC_NORMAL,
};
int tc_rec_set_sync(struct tc_rec_db *db, enum tc_rec_sync sync);

/*
 * Checkpoints: copy the write-ahead log back into the database file. By
 * default SQLite does it inside a commit once the log passes 1000 pages,
 * on the committing thread. tc_rec_set_autocheckpoint(db, 0) turns that
 * off for a handle, so that another handle (on another thread) can call
 * tc_rec_checkpoint() periodically: a PASSIVE checkpoint that never waits
 * for readers or writers. *log_pages and *done_pages (may be NULL) say
 * how long the log is and how much of it is now in the database.
 * Errors: -EBUSY (another checkpoint runs), -EIO.
 */
int tc_rec_set_autocheckpoint(struct tc_rec_db *db, int pages);
int tc_rec_checkpoint(struct tc_rec_db *db, int *log_pages, int *done_pages);

/*
 * Group several calls into one transaction: all of them are written, or
 * none. Nesting is allowed (savepoints). A failed call inside a group
 * leaves the group open; the caller decides to commit or roll back.
 */
int tc_rec_tx_begin(struct tc_rec_db *db);
int tc_rec_tx_commit(struct tc_rec_db *db);
int tc_rec_tx_rollback(struct tc_rec_db *db);

/*
 * A 64-bit digest of every row of every table (values and their types),
 * seen from this handle, open transaction included: for tests that check
 * a refused call wrote nothing. Reads the whole database. (checksum.c)
 */
int tc_rec_checksum(struct tc_rec_db *db, uint64_t *out);
/* Rows inserted, updated or deleted through this handle so far, rolled
 * back ones included (sqlite3_total_changes64): unchanged means nothing
 * was written; changed, compare tc_rec_checksum(). */
int64_t tc_rec_total_changes(struct tc_rec_db *db);

/* == Organizations, people, residents, contracts, follow-ups, audit == */
/* (core: organization.c, practitioner.c, team.c, resident.c, carer.c,
 *  contract.c, followup.c, panel.c, audit.c) */

/*
 * Codes. Each enum has a to_string (NULL for a value outside the enum) and
 * a from_string (-EINVAL for an unknown code, *out untouched) that speak
 * the codes stored in the database and used on the wire.
 */
enum tc_rec_org_kind {
    TC_REC_ORG_COUNTY_HOSPITAL = 1,
    TC_REC_ORG_TOWNSHIP_CLINIC,
    TC_REC_ORG_CITY_HOSPITAL,
    TC_REC_ORG_REHAB_POINT,
};
const char *tc_rec_org_kind_to_string(enum tc_rec_org_kind kind);
int tc_rec_org_kind_from_string(const char *s, enum tc_rec_org_kind *out);

/* ---- Organizations ---- */

/*
 * An organization: the county hospital, a township clinic, a partner city
 * hospital or a rehab service point. part_of (0: none) builds a hierarchy
 * that never has a cycle. township and village may be NULL.
 */
struct tc_rec_organization {
    int64_t id;
    enum tc_rec_org_kind kind;
    char *name;
    int64_t part_of;
    char *township;
    char *village;
    int64_t created_at_us;
};

/*
 * Create an organization from `org` (its id is ignored; created_at_us is
 * required). On success *id_out is the new id.
 * Errors: -EINVAL (kind, name, township, village, created_at_us), -ENOENT
 * (part_of names no organization).
 */
int tc_rec_organization_create(struct tc_rec_db *db,
                               const struct tc_rec_organization *org,
                               int64_t *id_out);

/* Read one organization. Errors: -ENOENT. Free with _free(). */
int tc_rec_organization_get(struct tc_rec_db *db, int64_t id,
                            struct tc_rec_organization **out);
void tc_rec_organization_free(struct tc_rec_organization *org);

/*
 * Move organization `id` under `part_of` (0 makes it top-level).
 * Errors: -ENOENT (either id), -EINVAL (part_of: the move would make a
 * cycle).
 */
int tc_rec_organization_set_part_of(struct tc_rec_db *db, int64_t id,
                                    int64_t part_of);

struct tc_rec_organization_list {
    size_t count;
    struct tc_rec_organization *items;
};

/* The organizations directly part of `part_of` (0: the top-level ones),
 * by name. Errors: -ENOENT (part_of names no organization). */
int tc_rec_organization_list_children(struct tc_rec_db *db, int64_t part_of,
                                      struct tc_rec_organization_list **out);
void tc_rec_organization_list_free(struct tc_rec_organization_list *list);

/* ---- Practitioners and their roles per organization ---- */

enum tc_rec_role {
    TC_REC_ROLE_DOCTOR = 1,
    TC_REC_ROLE_SPECIALIST,
    TC_REC_ROLE_TOWNSHIP_DOCTOR,
    TC_REC_ROLE_FAMILY_DOCTOR,
    TC_REC_ROLE_THERAPIST,
    TC_REC_ROLE_ECG_READER,
    TC_REC_ROLE_RADIOLOGIST,
    TC_REC_ROLE_NURSE,
    TC_REC_ROLE_PUBLIC_HEALTH,
};
const char *tc_rec_role_to_string(enum tc_rec_role role);
int tc_rec_role_from_string(const char *s, enum tc_rec_role *out);

/* A practitioner. phone and qualification may be NULL. */
struct tc_rec_practitioner {
    int64_t id;
    char *name;
    char *phone;
    char *qualification;
    bool active;
    int64_t created_at_us;
};

/* Create a practitioner (id and active ignored: a new practitioner is
 * active; created_at_us required).
 * Errors: -EINVAL (name, phone, qualification, created_at_us). */
int tc_rec_practitioner_create(struct tc_rec_db *db,
                               const struct tc_rec_practitioner *p,
                               int64_t *id_out);
/* Errors: -ENOENT. Free with _free(). */
int tc_rec_practitioner_get(struct tc_rec_db *db, int64_t id,
                            struct tc_rec_practitioner **out);
void tc_rec_practitioner_free(struct tc_rec_practitioner *p);

/*
 * A practitioner's role at one organization (PractitionerRole).
 * department may be NULL. practitioner_name is filled by the list
 * functions and ignored by _add().
 */
struct tc_rec_practitioner_role {
    int64_t id;
    int64_t practitioner_id;
    int64_t organization_id;
    enum tc_rec_role role;
    char *department;
    char *practitioner_name;
};

/* Give a practitioner a role at an organization.
 * Errors: -ENOENT (practitioner_id, organization_id), -EINVAL (role,
 * department), -EEXIST (the same role at the same organization). */
int tc_rec_practitioner_role_add(struct tc_rec_db *db,
                                 const struct tc_rec_practitioner_role *r,
                                 int64_t *id_out);
/* Remove a role by its id. Errors: -ENOENT. */
int tc_rec_practitioner_role_remove(struct tc_rec_db *db, int64_t role_id);

struct tc_rec_practitioner_role_list {
    size_t count;
    struct tc_rec_practitioner_role *items;
};

/* The roles at an organization, optionally only one role (0: any), by
 * practitioner name. Errors: -ENOENT (organization), -EINVAL (role). */
int tc_rec_practitioner_role_list_for_organization(
    struct tc_rec_db *db, int64_t organization_id, enum tc_rec_role role,
    struct tc_rec_practitioner_role_list **out);
/* The roles of one practitioner. Errors: -ENOENT (practitioner). */
int tc_rec_practitioner_role_list_for_practitioner(
    struct tc_rec_db *db, int64_t practitioner_id,
    struct tc_rec_practitioner_role_list **out);
void
tc_rec_practitioner_role_list_free(struct tc_rec_practitioner_role_list *list);

/* ---- Family-doctor teams ---- */

enum tc_rec_member_role {
    TC_REC_MEMBER_DOCTOR = 1,
    TC_REC_MEMBER_NURSE,
    TC_REC_MEMBER_PUBLIC_HEALTH,
    TC_REC_MEMBER_THERAPIST,
};
const char *tc_rec_member_role_to_string(enum tc_rec_member_role role);
int tc_rec_member_role_from_string(const char *s,
                                   enum tc_rec_member_role *out);

/* A family-doctor team; it belongs to a township clinic. */
struct tc_rec_team {
    int64_t id;
    int64_t organization_id;
    char *name;
    int64_t created_at_us;
};

/* Create a team (id ignored, created_at_us required).
 * Errors: -ENOENT (organization_id), -EINVAL (organization_id: not a
 * township clinic; name; created_at_us). */
int tc_rec_team_create(struct tc_rec_db *db, const struct tc_rec_team *team,
                       int64_t *id_out);
/* Errors: -ENOENT. Free with _free(). */
int tc_rec_team_get(struct tc_rec_db *db, int64_t id,
                    struct tc_rec_team **out);
void tc_rec_team_free(struct tc_rec_team *team);

struct tc_rec_team_list {
    size_t count;
    struct tc_rec_team *items;
};

/* The teams of an organization, by name. Errors: -ENOENT. */
int tc_rec_team_list_for_organization(struct tc_rec_db *db,
                                      int64_t organization_id,
                                      struct tc_rec_team_list **out);
void tc_rec_team_list_free(struct tc_rec_team_list *list);

/* A member of a team; practitioner_name is filled by the list. */
struct tc_rec_team_member {
    int64_t team_id;
    int64_t practitioner_id;
    enum tc_rec_member_role role;
    char *practitioner_name;
};

/* Add a practitioner to a team. Errors: -ENOENT (team_id,
 * practitioner_id), -EINVAL (member_role), -EEXIST (already a member). */
int tc_rec_team_member_add(struct tc_rec_db *db, int64_t team_id,
                           int64_t practitioner_id,
                           enum tc_rec_member_role role);
/* Errors: -ENOENT (not a member). */
int tc_rec_team_member_remove(struct tc_rec_db *db, int64_t team_id,
                              int64_t practitioner_id);

struct tc_rec_team_member_list {
    size_t count;
    struct tc_rec_team_member *items;
};

/* The members of a team, by role then name. Errors: -ENOENT (team). */
int tc_rec_team_member_list_for_team(struct tc_rec_db *db, int64_t team_id,
                                     struct tc_rec_team_member_list **out);
void tc_rec_team_member_list_free(struct tc_rec_team_member_list *list);

/* Whether practitioner_id is a member of team_id (false for an unknown
 * team or practitioner). */
int tc_rec_team_has_member(struct tc_rec_db *db, int64_t team_id,
                           int64_t practitioner_id, bool *out);

/* ---- Residents ---- */

enum tc_rec_sex {
    TC_REC_SEX_MALE = 1,
    TC_REC_SEX_FEMALE,
};
const char *tc_rec_sex_to_string(enum tc_rec_sex sex);
int tc_rec_sex_from_string(const char *s, enum tc_rec_sex *out);

/* Disability certificate categories; NONE: no certificate. */
enum tc_rec_disability {
    TC_REC_DISABILITY_NONE = 0,
    TC_REC_DISABILITY_VISUAL,
    TC_REC_DISABILITY_HEARING,
    TC_REC_DISABILITY_SPEECH,
    TC_REC_DISABILITY_PHYSICAL,
    TC_REC_DISABILITY_INTELLECTUAL,
    TC_REC_DISABILITY_MENTAL,
    TC_REC_DISABILITY_MULTIPLE,
};
const char *tc_rec_disability_to_string(enum tc_rec_disability category);
int tc_rec_disability_from_string(const char *s, enum tc_rec_disability *out);

#define TC_REC_RESIDENT_ID_LEN 18

/*
 * Validate an 18-character PRC resident ID number (GB 11643-1999): 17
 * digits and a check digit (0-9 or an upper-case X) computed with the
 * ISO 7064 MOD 11-2 weights; characters 7-14 are a real birth date
 * (YYYYMMDD, year 1850 or later). Pure: no database, any thread.
 * Returns 0, or -EINVAL with the reason in `why` (at most why_len bytes,
 * always terminated; why may be NULL).
 */
int tc_rec_resident_id_check(const char *id_number, char *why, size_t why_len);

/*
 * The birth date ("YYYY-MM-DD", into birth_date[11]) and sex (the 17th
 * character: odd male, even female) written in a valid ID number.
 * Errors: -EINVAL (not a valid ID number); the out-params are untouched.
 */
int tc_rec_resident_id_decode(const char *id_number, char birth_date[11],
                              enum tc_rec_sex *sex);

/*
 * A resident. id_number, name, sex, birth_date and township are required;
 * village, phone, health_card_no may be NULL. The disability certificate
 * is all or nothing: disability_cert_no with a category and a grade 1-4,
 * or NULL with TC_REC_DISABILITY_NONE and grade 0.
 */
struct tc_rec_resident {
    int64_t id;
    char *id_number;
    char *name;
    enum tc_rec_sex sex;
    char *birth_date;
    char *township;
    char *village;
    char *phone;
    char *health_card_no;
    char *disability_cert_no;
    enum tc_rec_disability disability_category;
    int disability_grade;
    int64_t created_at_us;
};

/*
 * Register a resident (id ignored; created_at_us required). The ID number
 * must be valid and agree with birth_date and sex.
 * Errors: -EINVAL (the field and rule), -EEXIST (id_number or
 * health_card_no already registered).
 */
int tc_rec_resident_create(struct tc_rec_db *db,
                           const struct tc_rec_resident *r, int64_t *id_out);

/* Read one resident by id, by ID number or by health-card number.
 * Errors: -ENOENT. Free with _free(). */
int tc_rec_resident_get(struct tc_rec_db *db, int64_t id,
                        struct tc_rec_resident **out);
int tc_rec_resident_get_by_id_number(struct tc_rec_db *db,
                                     const char *id_number,
                                     struct tc_rec_resident **out);
int tc_rec_resident_get_by_health_card(struct tc_rec_db *db,
                                       const char *health_card_no,
                                       struct tc_rec_resident **out);
void tc_rec_resident_free(struct tc_rec_resident *r);

/*
 * Update the demographics of resident r->id to the values in *r (every
 * field but id and created_at_us). The ID number cannot change: r->id_number
 * must equal the stored one (-EPERM otherwise).
 * Errors: -ENOENT, -EPERM (id_number), -EINVAL, -EEXIST (health_card_no).
 */
int tc_rec_resident_update(struct tc_rec_db *db,
                           const struct tc_rec_resident *r);

struct tc_rec_resident_list {
    size_t count;
    struct tc_rec_resident *items;
};

#define TC_REC_RESIDENT_PAGE_MAX 200

/*
 * The residents of a township (and of one village in it, unless village
 * is NULL), by id, after_id excluded (0: from the start), at most `limit`
 * (1..TC_REC_RESIDENT_PAGE_MAX). The next page starts after the last id.
 * Errors: -EINVAL (township, limit).
 */
int tc_rec_resident_search(struct tc_rec_db *db, const char *township,
                           const char *village, int64_t after_id, int limit,
                           struct tc_rec_resident_list **out);
void tc_rec_resident_list_free(struct tc_rec_resident_list *list);

/* ---- Carers ---- */

/* A carer: a person who may act for a resident. relationship is filled
 * by _list_for_resident() ("spouse", "daughter", ...), else NULL. */
struct tc_rec_carer {
    int64_t id;
    char *name;
    char *phone;
    int64_t created_at_us;
    char *relationship;
};

/* Errors: -EINVAL (name, phone, created_at_us). */
int tc_rec_carer_create(struct tc_rec_db *db, const struct tc_rec_carer *c,
                        int64_t *id_out);
/* Errors: -ENOENT. Free with _free(). */
int tc_rec_carer_get(struct tc_rec_db *db, int64_t id,
                     struct tc_rec_carer **out);
void tc_rec_carer_free(struct tc_rec_carer *c);

/* Let a carer act for a resident. Errors: -ENOENT (carer_id,
 * resident_id), -EINVAL (relationship: 1-50 bytes), -EEXIST. */
int tc_rec_carer_link(struct tc_rec_db *db, int64_t carer_id,
                      int64_t resident_id, const char *relationship);
/* Errors: -ENOENT (no such link). */
int tc_rec_carer_unlink(struct tc_rec_db *db, int64_t carer_id,
                        int64_t resident_id);

struct tc_rec_carer_list {
    size_t count;
    struct tc_rec_carer *items;
};

/* The carers of a resident, by name. Errors: -ENOENT (resident). */
int tc_rec_carer_list_for_resident(struct tc_rec_db *db, int64_t resident_id,
                                   struct tc_rec_carer_list **out);
void tc_rec_carer_list_free(struct tc_rec_carer_list *list);

/* Whether carer_id may act for resident_id. */
int tc_rec_carer_acts_for(struct tc_rec_db *db, int64_t carer_id,
                          int64_t resident_id, bool *out);

/* ---- Family-doctor contracts ---- */

/*
 *   OFFERED --sign--> ACTIVE --renew--> RENEWED (the next period is ACTIVE)
 *      |                 |
 *      +--withdraw--+    +--terminate--> TERMINATED
 *                   v    +--period ends--> EXPIRED
 *               WITHDRAWN
 *
 * A resident has at most one ACTIVE contract (the schema enforces it).
 * Periods are whole days, period_end included.
 */
enum tc_rec_contract_status {
    TC_REC_CONTRACT_OFFERED = 1,
    TC_REC_CONTRACT_ACTIVE,
    TC_REC_CONTRACT_RENEWED,
    TC_REC_CONTRACT_TERMINATED,
    TC_REC_CONTRACT_EXPIRED,
    TC_REC_CONTRACT_WITHDRAWN,
};
const char *
tc_rec_contract_status_to_string(enum tc_rec_contract_status status);
int tc_rec_contract_status_from_string(const char *s,
                                       enum tc_rec_contract_status *out);

/* Service packages; a contract holds a set of them as a bit mask of
 * TC_REC_PACKAGE_BIT(p), always including the basic package. Unlike the
 * other enums these start at 0: they are bit positions. */
enum tc_rec_package {
    TC_REC_PACKAGE_BASIC = 0,
    TC_REC_PACKAGE_DISABILITY_REHAB,
    TC_REC_PACKAGE_ELDERLY_CARE,
    TC_REC_PACKAGE_CHRONIC_DISEASE,
    TC_REC_PACKAGE_MATERNAL_CHILD,
    TC_REC_PACKAGE_COUNT,
};
#define TC_REC_PACKAGE_BIT(p) (1u << (p))
const char *tc_rec_package_to_string(enum tc_rec_package package);
int tc_rec_package_from_string(const char *s, enum tc_rec_package *out);

enum tc_rec_sign_method {
    TC_REC_SIGN_IN_PERSON = 1,
    TC_REC_SIGN_ONLINE,
};
const char *tc_rec_sign_method_to_string(enum tc_rec_sign_method method);
int tc_rec_sign_method_from_string(const char *s,
                                   enum tc_rec_sign_method *out);

/*
 * A contract. previous_id (the contract a renewal continues), offered_by,
 * signed_by (0), signed_at_us, ended_at_us (0), sign_method (0) and
 * end_reason (NULL) are set only when they apply.
 */
struct tc_rec_contract {
    int64_t id;
    int64_t resident_id;
    int64_t team_id;
    enum tc_rec_contract_status status;
    unsigned packages;
    char *period_start;
    char *period_end;
    int64_t previous_id;
    int64_t offered_by;
    int64_t offered_at_us;
    int64_t signed_by;
    int64_t signed_at_us;
    enum tc_rec_sign_method sign_method;
    int64_t ended_at_us;
    char *end_reason;
};

/*
 * An offer: resident and team, packages (must include basic), the period
 * (period_end NULL: one year, period_start + 1 year - 1 day; at most five
 * years), who offered it (0: nobody named) and when.
 */
struct tc_rec_contract_offer {
    int64_t resident_id;
    int64_t team_id;
    unsigned packages;
    const char *period_start;
    const char *period_end;
    int64_t offered_by;
    int64_t offered_at_us;
};

/* Offer a contract; it is OFFERED. Errors: -ENOENT (resident_id, team_id,
 * offered_by), -EINVAL (packages, period_start, period_end,
 * offered_at_us). */
int tc_rec_contract_offer(struct tc_rec_db *db,
                          const struct tc_rec_contract_offer *offer,
                          int64_t *id_out);

/* A signature: a member of the contract's team, when, how. The date of
 * signed_at_us is taken in UTC. */
struct tc_rec_contract_signature {
    int64_t signed_by;
    int64_t signed_at_us;
    enum tc_rec_sign_method method;
};

/*
 * Sign an offered contract: it becomes ACTIVE and its follow-up schedule
 * is generated (see tc_rec_followup_list_for_contract()).
 * Errors: -ENOENT, -EPERM (not OFFERED; the offer expired: signed after
 * period_end), -EINVAL (signed_by: not a member of the team; method;
 * signed_at_us), -EEXIST (the resident already has an active contract).
 */
int tc_rec_contract_sign(struct tc_rec_db *db, int64_t id,
                         const struct tc_rec_contract_signature *sig);

/* Withdraw an offer (OFFERED -> WITHDRAWN); reason may be NULL.
 * Errors: -ENOENT, -EPERM, -EINVAL (at_us, reason). */
int tc_rec_contract_withdraw(struct tc_rec_db *db, int64_t id, int64_t at_us,
                             const char *reason);

/* Terminate an active contract (ACTIVE -> TERMINATED) for a reason
 * (required); its follow-ups still due are cancelled.
 * Errors: -ENOENT, -EPERM, -EINVAL (at_us, reason). */
int tc_rec_contract_terminate(struct tc_rec_db *db, int64_t id, int64_t at_us,
                              const char *reason);

/*
 * Expire every active contract whose period ended before `today`
 * (ACTIVE -> EXPIRED); their follow-ups still due become missed. One
 * transaction. *n_expired (may be NULL) is the number expired.
 * Errors: -EINVAL (today).
 */
int tc_rec_contract_expire_due(struct tc_rec_db *db, const char *today,
                               int *n_expired);

/*
 * A renewal: the packages of the next period (0: the same), its end
 * (NULL: one year), and the signature of the team member renewing.
 */
struct tc_rec_contract_renewal {
    unsigned packages;
    const char *period_end;
    struct tc_rec_contract_signature sig;
};

/*
 * Renew an active contract: in one transaction it becomes RENEWED and a
 * new ACTIVE contract for the same resident and team begins the day after
 * its period ends, with previous_id naming it and a new follow-up
 * schedule. Follow-ups still due on the renewed contract stay due.
 * Errors: -ENOENT, -EPERM (not ACTIVE), -EINVAL (as offer and sign).
 */
int tc_rec_contract_renew(struct tc_rec_db *db, int64_t id,
                          const struct tc_rec_contract_renewal *renewal,
                          int64_t *new_id_out);

/* Read a contract with its packages. Errors: -ENOENT. */
int tc_rec_contract_get(struct tc_rec_db *db, int64_t id,
                        struct tc_rec_contract **out);
/* The resident's ACTIVE contract. Errors: -ENOENT (none). */
int tc_rec_contract_get_active(struct tc_rec_db *db, int64_t resident_id,
                               struct tc_rec_contract **out);
void tc_rec_contract_free(struct tc_rec_contract *c);

struct tc_rec_contract_list {
    size_t count;
    struct tc_rec_contract *items;
};

/* Every contract of a resident, newest period first. Errors: -ENOENT. */
int tc_rec_contract_list_for_resident(struct tc_rec_db *db,
                                      int64_t resident_id,
                                      struct tc_rec_contract_list **out);
void tc_rec_contract_list_free(struct tc_rec_contract_list *list);

/* The team (and contract) of the resident's ACTIVE contract.
 * Errors: -ENOENT (no active contract). Either out-param may be NULL. */
int tc_rec_resident_contract_team(struct tc_rec_db *db, int64_t resident_id,
                                  int64_t *contract_id, int64_t *team_id);

/* Whether practitioner_id is a member of the team of the resident's
 * ACTIVE contract (false when there is none): the family-doctor access
 * rule, answered with one indexed query. */
int tc_rec_resident_team_has_member(struct tc_rec_db *db, int64_t resident_id,
                                    int64_t practitioner_id, bool *out);

/* ---- Follow-ups ---- */

/*
 *   DUE --done--> DONE
 *    |--missed--> MISSED
 *    +--contract terminated--> CANCELLED
 *
 * Generated when a contract becomes ACTIVE (the schedule per package is in
 * followup.c); each is due by the last day of its window. When a contract
 * expires its follow-ups still due become MISSED.
 */
enum tc_rec_followup_status {
    TC_REC_FOLLOWUP_DUE = 1,
    TC_REC_FOLLOWUP_DONE,
    TC_REC_FOLLOWUP_MISSED,
    TC_REC_FOLLOWUP_CANCELLED,
};
const char *
tc_rec_followup_status_to_string(enum tc_rec_followup_status status);
int tc_rec_followup_status_from_string(const char *s,
                                       enum tc_rec_followup_status *out);

/* A follow-up. kind names the visit ("visit", "health_check", ...).
 * recorded_by/at (0) and note (NULL) are set once an outcome is. */
struct tc_rec_followup {
    int64_t id;
    int64_t contract_id;
    enum tc_rec_package package;
    char *kind;
    char *due_date;
    enum tc_rec_followup_status status;
    int64_t recorded_by;
    int64_t recorded_at_us;
    char *note;
};

/* Errors: -ENOENT. Free with _free(). */
int tc_rec_followup_get(struct tc_rec_db *db, int64_t id,
                        struct tc_rec_followup **out);
void tc_rec_followup_free(struct tc_rec_followup *f);

/* An outcome: DONE or MISSED, by a practitioner, when, an optional note. */
struct tc_rec_followup_outcome {
    enum tc_rec_followup_status status;
    int64_t by;
    int64_t at_us;
    const char *note;
};

/* Record the outcome of a DUE follow-up. Errors: -ENOENT (id, by), -EPERM
 * (not DUE), -EINVAL (status, at_us, note). */
int tc_rec_followup_record(struct tc_rec_db *db, int64_t id,
                           const struct tc_rec_followup_outcome *outcome);

struct tc_rec_followup_list {
    size_t count;
    struct tc_rec_followup *items;
};

/* The follow-ups of a contract by due date. Errors: -ENOENT. */
int tc_rec_followup_list_for_contract(struct tc_rec_db *db,
                                      int64_t contract_id,
                                      struct tc_rec_followup_list **out);
void tc_rec_followup_list_free(struct tc_rec_followup_list *list);

/* ---- A family doctor's panel ---- */

#define TC_REC_PANEL_PAGE_MAX 50

/*
 * One contracted resident: the ACTIVE contract, who, and the next
 * follow-up still due (next_due_date and next_kind NULL when none is);
 * overdue when that date is before today, n_overdue due ones are.
 */
struct tc_rec_panel_row {
    int64_t contract_id;
    int64_t resident_id;
    char *name;
    enum tc_rec_sex sex;
    char *birth_date;
    char *village;
    char *phone;
    char *next_due_date;
    char *next_kind;
    bool overdue;
    int n_overdue;
};

struct tc_rec_panel_page {
    size_t count;
    struct tc_rec_panel_row *rows;
};

/*
 * The residents with an ACTIVE contract with team_id, ordered by their
 * next due follow-up (those with none last, then by contract id): rows
 * [offset, offset + limit), limit 1..TC_REC_PANEL_PAGE_MAX.
 * Errors: -ENOENT (team), -EINVAL (today, offset, limit).
 */
int tc_rec_panel_list(struct tc_rec_db *db, int64_t team_id, const char *today,
                      int offset, int limit, struct tc_rec_panel_page **out);
void tc_rec_panel_page_free(struct tc_rec_panel_page *page);

/* ---- Audit trail (append-only) ---- */

enum tc_rec_audit_action {
    TC_REC_AUDIT_CREATE = 1,
    TC_REC_AUDIT_READ,
    TC_REC_AUDIT_UPDATE,
    TC_REC_AUDIT_DELETE,
    TC_REC_AUDIT_EXECUTE,
};
const char *tc_rec_audit_action_to_string(enum tc_rec_audit_action action);
int tc_rec_audit_action_from_string(const char *s,
                                    enum tc_rec_audit_action *out);

enum tc_rec_audit_outcome {
    TC_REC_AUDIT_SUCCESS = 1,
    TC_REC_AUDIT_DENIED,
    TC_REC_AUDIT_FAILURE,
};
const char *tc_rec_audit_outcome_to_string(enum tc_rec_audit_outcome o);
int tc_rec_audit_outcome_from_string(const char *s,
                                     enum tc_rec_audit_outcome *out);

/*
 * An audit event: who (actor, with actor_role), what (action on
 * entity_type/entity_id, about resident_id), when (at_us), from where
 * (client_addr), why (purpose), outcome and detail. actor, entity_type
 * and at_us are required; entity_id and resident_id may be 0 and the
 * other texts NULL. Never put patient data in detail.
 */
struct tc_rec_audit_event {
    int64_t id;
    int64_t at_us;
    char *actor;
    char *actor_role;
    enum tc_rec_audit_action action;
    char *entity_type;
    int64_t entity_id;
    int64_t resident_id;
    char *client_addr;
    char *purpose;
    enum tc_rec_audit_outcome outcome;
    char *detail;
};

/* Append an event (ev->id ignored); *id_out (may be NULL) is its id.
 * Events can never be changed or deleted. Errors: -EINVAL (the field:
 * missing, unknown code or too long). */
int tc_rec_audit_append(struct tc_rec_db *db,
                        const struct tc_rec_audit_event *ev, int64_t *id_out);

struct tc_rec_audit_event_list {
    size_t count;
    struct tc_rec_audit_event *items;
};

#define TC_REC_AUDIT_PAGE_MAX 200

/* The events about a resident, newest first, with id < before_id (0: from
 * the newest), at most limit (1..TC_REC_AUDIT_PAGE_MAX).
 * Errors: -EINVAL (limit). */
int tc_rec_audit_list_for_resident(struct tc_rec_db *db, int64_t resident_id,
                                   int64_t before_id, int limit,
                                   struct tc_rec_audit_event_list **out);
void tc_rec_audit_event_list_free(struct tc_rec_audit_event_list *list);

/* == Rehabilitation, consultations, ECG and imaging studies == */
/* (clinical: rehab-plan.c, rehab-session.c, barthel.c, consultation*.c,
 * ecg-study.c, imaging-*.c, amendment.c) */

/*
 * Codes: as in the core section, each enum starts at 1 and has its
 * to_string/from_string pair.
 * Who does a clinical action, and when: most mutating calls below take the
 * acting practitioner (`by`, an id) and the instant (`at_us`). Records has
 * no clock of its own. A code that is not in its list is -EINVAL naming
 * the field. Calendar checks on instants (is a session inside its plan's
 * period?) use the UTC date of the instant.
 */

/* -- Rehabilitation plans (rehab-plan.c) -- */

/*
 *   DRAFT --activate--> ACTIVE --complete--> COMPLETED
 *     |                 |    ^
 *     |           suspend    resume
 *     |                 v    |
 *     |               SUSPENDED
 *     +--cancel (from draft, active or suspended)--> CANCELLED
 */
enum tc_rec_rehab_plan_status {
    TC_REC_REHAB_PLAN_DRAFT = 1,
    TC_REC_REHAB_PLAN_ACTIVE,
    TC_REC_REHAB_PLAN_SUSPENDED,
    TC_REC_REHAB_PLAN_COMPLETED,
    TC_REC_REHAB_PLAN_CANCELLED,
};

enum tc_rec_rehab_goal_status {
    TC_REC_REHAB_GOAL_OPEN = 1,
    TC_REC_REHAB_GOAL_ACHIEVED,
    TC_REC_REHAB_GOAL_NOT_ACHIEVED,
};

/* Codes as stored and as the API speaks them ("draft", "achieved", ...).
 * to_string returns NULL for a value outside the enum; from_string
 * returns -EINVAL for an unknown code and leaves *out untouched. */
const char *
tc_rec_rehab_plan_status_to_string(enum tc_rec_rehab_plan_status s);
int tc_rec_rehab_plan_status_from_string(const char *s,
                                         enum tc_rec_rehab_plan_status *out);
const char *
tc_rec_rehab_goal_status_to_string(enum tc_rec_rehab_goal_status s);
int tc_rec_rehab_goal_status_from_string(const char *s,
                                         enum tc_rec_rehab_goal_status *out);

/* A new plan. The contract must be the resident's ACTIVE contract and
 * include the 'disability_rehab' package; the period lies within the
 * contract's period. therapist_ids names one or more practitioners. */
struct tc_rec_rehab_plan_new {
    int64_t resident_id;
    int64_t contract_id;
    const char *title;
    const char *period_start; /* YYYY-MM-DD */
    const char *period_end;   /* YYYY-MM-DD, >= period_start */
    const int64_t *therapist_ids;
    size_t n_therapists;
    int64_t created_by;
    int64_t created_at_us;
};

struct tc_rec_rehab_goal_new {
    const char *description; /* 1..1000 characters */
    const char *target;      /* measurable target, may be NULL */
    const char *due_date;    /* YYYY-MM-DD within the plan, may be NULL */
};

/* Ranges: sets 1..20, reps 1..200, sessions_per_week 1..14. */
struct tc_rec_rehab_exercise_new {
    const char *name; /* 1..200 characters */
    const char *instructions;
    const char *video_ref; /* demo video reference, may be NULL */
    int sets;
    int reps;
    int sessions_per_week;
    int64_t library_id; /* the library exercise it follows, 0: none */
};

struct tc_rec_rehab_goal {
    int64_t id;
    char *description;
    char *target;   /* may be NULL */
    char *due_date; /* may be NULL */
    enum tc_rec_rehab_goal_status status;
    int64_t status_at_us; /* 0 while open */
};

struct tc_rec_rehab_exercise {
    int64_t id;
    char *name;
    char *instructions; /* may be NULL */
    char *video_ref;    /* may be NULL */
    int sets;
    int reps;
    int sessions_per_week;
    int64_t library_id; /* 0: none */
};

struct tc_rec_rehab_plan {
    int64_t id;
    int64_t resident_id;
    int64_t contract_id;
    char *title;
    char period_start[11];
    char period_end[11];
    enum tc_rec_rehab_plan_status status;
    int64_t created_by;
    int64_t created_at_us;
    int64_t status_by; /* 0 until the first transition */
    int64_t status_at_us;
    char *status_reason; /* suspend or cancel reason, may be NULL */
    int64_t *therapist_ids;
    size_t n_therapists;
    struct tc_rec_rehab_goal *goals;
    size_t n_goals;
    struct tc_rec_rehab_exercise *exercises;
    size_t n_exercises;
};

struct tc_rec_rehab_plan_list {
    size_t count;
    struct tc_rec_rehab_plan *items;
};

/*
 * Create a plan in status draft. *id_out receives its id.
 * Errors: -EINVAL (a field; the contract belongs to another resident; the
 * period is outside the contract's), -ENOENT (resident, contract or a
 * practitioner does not exist), -EPERM (the contract is not active, or
 * lacks the disability_rehab package).
 */
int tc_rec_rehab_plan_create(struct tc_rec_db *db,
                             const struct tc_rec_rehab_plan_new *in,
                             int64_t *id_out);

/* Add a therapist; -EEXIST when already on the plan. Remove one; refused
 * (-EPERM) for the last therapist. Both -EPERM on a completed or
 * cancelled plan. */
int tc_rec_rehab_plan_therapist_add(struct tc_rec_db *db, int64_t plan_id,
                                    int64_t practitioner_id);
int tc_rec_rehab_plan_therapist_remove(struct tc_rec_db *db, int64_t plan_id,
                                       int64_t practitioner_id);

/* Add a goal or an exercise to a draft, active or suspended plan (-EPERM
 * otherwise). *id_out receives the new id. */
int tc_rec_rehab_goal_add(struct tc_rec_db *db, int64_t plan_id,
                          const struct tc_rec_rehab_goal_new *in,
                          int64_t *id_out);
int tc_rec_rehab_exercise_add(struct tc_rec_db *db, int64_t plan_id,
                              const struct tc_rec_rehab_exercise_new *in,
                              int64_t *id_out);

/* Mark a goal achieved or not achieved (or open again) at `at_us`. */
int tc_rec_rehab_goal_set_status(struct tc_rec_db *db, int64_t goal_id,
                                 enum tc_rec_rehab_goal_status status,
                                 int64_t at_us);

/*
 * The plan's transitions (see the diagram above); each refused with -EPERM
 * ("activate: not allowed from status completed") when the plan's status
 * has no such arrow. Activation also needs at least one exercise and the
 * contract still active. Suspend and cancel need a reason.
 */
int tc_rec_rehab_plan_activate(struct tc_rec_db *db, int64_t plan_id,
                               int64_t by, int64_t at_us);
int tc_rec_rehab_plan_suspend(struct tc_rec_db *db, int64_t plan_id,
                              int64_t by, int64_t at_us, const char *reason);
int tc_rec_rehab_plan_resume(struct tc_rec_db *db, int64_t plan_id, int64_t by,
                             int64_t at_us);
int tc_rec_rehab_plan_complete(struct tc_rec_db *db, int64_t plan_id,
                               int64_t by, int64_t at_us);
int tc_rec_rehab_plan_cancel(struct tc_rec_db *db, int64_t plan_id, int64_t by,
                             int64_t at_us, const char *reason);

/* One plan with its therapists, goals and exercises. */
int tc_rec_rehab_plan_get(struct tc_rec_db *db, int64_t plan_id,
                          struct tc_rec_rehab_plan **out);
void tc_rec_rehab_plan_free(struct tc_rec_rehab_plan *plan);

/* Every plan of a resident, newest period first. */
int tc_rec_rehab_plan_list(struct tc_rec_db *db, int64_t resident_id,
                           struct tc_rec_rehab_plan_list **out);
void tc_rec_rehab_plan_list_free(struct tc_rec_rehab_plan_list *list);

/* For the access policy: *out is true when `practitioner_id` is a
 * therapist on an open (draft, active or suspended) plan of
 * `resident_id`. */
int tc_rec_rehab_is_therapist_of(struct tc_rec_db *db, int64_t practitioner_id,
                                 int64_t resident_id, bool *out);

/* -- Rehabilitation sessions (rehab-session.c) -- */

/*
 *   SCHEDULED --start--> IN_PROGRESS --finish--> COMPLETED
 *      |  |
 *      |  +--miss--> MISSED
 *      +--cancel--> CANCELLED
 */
enum tc_rec_rehab_session_status {
    TC_REC_REHAB_SESSION_SCHEDULED = 1,
    TC_REC_REHAB_SESSION_IN_PROGRESS,
    TC_REC_REHAB_SESSION_COMPLETED,
    TC_REC_REHAB_SESSION_MISSED,
    TC_REC_REHAB_SESSION_CANCELLED,
};

enum tc_rec_rehab_session_mode {
    TC_REC_REHAB_LIVE_GUIDED = 1,
    TC_REC_REHAB_SELF_GUIDED,
    TC_REC_REHAB_HOME_VISIT,
};

/* Who was there: the resident alone, or helped by a carer. */
enum tc_rec_rehab_attendance {
    TC_REC_REHAB_ATTENDANCE_ALONE = 1, /* 0: not recorded yet */
    TC_REC_REHAB_ATTENDANCE_WITH_CARER,
};

const char *
tc_rec_rehab_session_status_to_string(enum tc_rec_rehab_session_status s);
int
tc_rec_rehab_session_status_from_string(const char *s,
                                        enum tc_rec_rehab_session_status *out);
const char *
tc_rec_rehab_session_mode_to_string(enum tc_rec_rehab_session_mode m);
int tc_rec_rehab_session_mode_from_string(const char *s,
                                          enum tc_rec_rehab_session_mode *out);

/* A new session. Live-guided sessions and home visits name their
 * therapist (one of the plan's); a self-guided one may leave it 0. */
struct tc_rec_rehab_session_new {
    int64_t plan_id;
    enum tc_rec_rehab_session_mode mode;
    int64_t scheduled_at_us;
    int64_t therapist_id;
};

/* What the resident reports when a session ends. -1 means "not reported"
 * for pain_after (else 0..10) and difficulty (else 1..5, the picture
 * scale); completion_pct is 0..100. */
struct tc_rec_rehab_session_result {
    int64_t ended_at_us;
    enum tc_rec_rehab_attendance attendance; /* ALONE or WITH_CARER */
    int completion_pct;
    int pain_after;
    int difficulty;
    const char *recording_ref; /* may be NULL */
};

struct tc_rec_rehab_session {
    int64_t id;
    int64_t plan_id;
    int64_t resident_id;
    enum tc_rec_rehab_session_mode mode;
    int64_t therapist_id; /* 0 when none */
    int64_t scheduled_at_us;
    enum tc_rec_rehab_session_status status;
    int64_t status_at_us;                    /* 0 while scheduled */
    char *status_reason;                     /* cancel reason, may be NULL */
    int64_t started_at_us;                   /* 0 until started */
    int64_t ended_at_us;                     /* 0 until finished */
    enum tc_rec_rehab_attendance attendance; /* 0 until finished */
    int completion_pct;                      /* -1 until finished */
    int pain_before;                         /* -1 when not reported */
    int pain_after;                          /* -1 when not reported */
    int difficulty;                          /* -1 when not reported */
    char *recording_ref;
    int review_score; /* 1..5, 0 when not reviewed */
    int64_t reviewed_by;
    int64_t reviewed_at_us;
    char *note;       /* the latest version of the therapist note, or NULL */
    int note_version; /* 0 when there is no note */
};

struct tc_rec_rehab_session_list {
    size_t count;
    struct tc_rec_rehab_session *items;
};

/*
 * Schedule a session of a draft or active plan. A session whose scheduled
 * date is outside the plan's period is refused with -EINVAL ("session:
 * scheduled 2027-03-01 is outside plan 4's period 2026-01-01..2026-12-31").
 * Errors also: -ENOENT (plan), -EPERM (plan not draft or active).
 */
int tc_rec_rehab_session_schedule(struct tc_rec_db *db,
                                  const struct tc_rec_rehab_session_new *in,
                                  int64_t *id_out);

/* Start (the plan must be active); pain_before is 0..10 or -1. */
int tc_rec_rehab_session_start(struct tc_rec_db *db, int64_t session_id,
                               int64_t started_at_us, int pain_before);
/* Finish an in-progress session with what the resident reported. */
int
tc_rec_rehab_session_finish(struct tc_rec_db *db, int64_t session_id,
                            const struct tc_rec_rehab_session_result *result);
/* The resident did not come; or the session is called off (reason). */
int tc_rec_rehab_session_miss(struct tc_rec_db *db, int64_t session_id,
                              int64_t at_us);
int tc_rec_rehab_session_cancel(struct tc_rec_db *db, int64_t session_id,
                                int64_t at_us, const char *reason);

/* A therapist of the plan scores a completed self-guided session (1..5)
 * from its recording. -EPERM for another mode or status; -EEXIST when it
 * was reviewed already. */
int tc_rec_rehab_session_review(struct tc_rec_db *db, int64_t session_id,
                                int64_t reviewer_id, int score, int64_t at_us);

/* The therapist note: write the first version (-EEXIST if there is one),
 * then amend it (-ENOENT if there is none); every version is kept (see
 * tc_rec_text_versions). */
int tc_rec_rehab_session_note_write(struct tc_rec_db *db, int64_t session_id,
                                    int64_t author_id, int64_t at_us,
                                    const char *text);
int tc_rec_rehab_session_note_amend(struct tc_rec_db *db, int64_t session_id,
                                    int64_t author_id, int64_t at_us,
                                    const char *text, const char *reason);

int tc_rec_rehab_session_get(struct tc_rec_db *db, int64_t session_id,
                             struct tc_rec_rehab_session **out);
void tc_rec_rehab_session_free(struct tc_rec_rehab_session *session);

/* The sessions of a plan in scheduled order. */
int tc_rec_rehab_session_list(struct tc_rec_db *db, int64_t plan_id,
                              struct tc_rec_rehab_session_list **out);
void tc_rec_rehab_session_list_free(struct tc_rec_rehab_session_list *list);

/*
 * Adherence of a plan over the days from..to (inclusive), clipped to the
 * plan's period. prescribed = the plan's sessions per week (the largest
 * sessions_per_week of its exercises: one session does every exercise
 * due) times the number of days / 7, rounded to the nearest session. The
 * session counts are by scheduled date.
 */
struct tc_rec_rehab_adherence {
    int prescribed;
    int completed;
    int missed;
    int cancelled;
    int pending; /* scheduled or in progress */
};

int tc_rec_rehab_plan_adherence(struct tc_rec_db *db, int64_t plan_id,
                                const char *from, const char *to,
                                struct tc_rec_rehab_adherence *out);

/* -- Barthel index outcome assessments (barthel.c) -- */

/* The ten items; allowed scores: feeding 0/5/10, bathing 0/5, grooming
 * 0/5, dressing 0/5/10, bowels 0/5/10, bladder 0/5/10, toilet_use 0/5/10,
 * transfers (bed to chair) 0/5/10/15, mobility (on level surfaces)
 * 0/5/10/15, stairs 0/5/10. */
struct tc_rec_barthel_items {
    int feeding;
    int bathing;
    int grooming;
    int dressing;
    int bowels;
    int bladder;
    int toilet_use;
    int transfers;
    int mobility;
    int stairs;
};

/* Dependency by total: 0-20 total, 21-60 severe, 61-90 moderate, 91-99
 * slight, 100 independent. */
enum tc_rec_barthel_band {
    TC_REC_BARTHEL_TOTAL = 1,
    TC_REC_BARTHEL_SEVERE,
    TC_REC_BARTHEL_MODERATE,
    TC_REC_BARTHEL_SLIGHT,
    TC_REC_BARTHEL_INDEPENDENT,
};

const char *tc_rec_barthel_band_to_string(enum tc_rec_barthel_band b);

/*
 * Score the items: the total 0..100 and its band. Pure: no database.
 * Returns -EINVAL for a score an item does not allow and then, when `why`
 * is not NULL, writes a sentence such as "barthel.transfers: 7 is not an
 * allowed score (0, 5, 10, 15)" into it (truncated to why_len).
 */
int tc_rec_barthel_score(const struct tc_rec_barthel_items *items,
                         int *total_out, enum tc_rec_barthel_band *band_out,
                         char *why, size_t why_len);

struct tc_rec_barthel_new {
    int64_t resident_id;
    int64_t plan_id; /* 0 when not part of a plan; else the resident's */
    int64_t assessor_id;
    int64_t assessed_at_us;
    struct tc_rec_barthel_items items;
    const char *note; /* may be NULL */
};

struct tc_rec_barthel {
    int64_t id;
    int64_t resident_id;
    int64_t plan_id; /* 0 when none */
    int64_t assessor_id;
    int64_t assessed_at_us;
    struct tc_rec_barthel_items items;
    int total;
    enum tc_rec_barthel_band band;
    char *note;
};

struct tc_rec_barthel_list {
    size_t count;
    struct tc_rec_barthel *items;
};

/* Store an assessment; the library computes total and band. */
int tc_rec_barthel_record(struct tc_rec_db *db,
                          const struct tc_rec_barthel_new *in,
                          int64_t *id_out);
int tc_rec_barthel_get(struct tc_rec_db *db, int64_t id,
                       struct tc_rec_barthel **out);
void tc_rec_barthel_free(struct tc_rec_barthel *b);
/* A resident's assessments, oldest first (a trend). */
int tc_rec_barthel_list(struct tc_rec_db *db, int64_t resident_id,
                        struct tc_rec_barthel_list **out);
void tc_rec_barthel_list_free(struct tc_rec_barthel_list *list);

/* -- Consultations (consultation.c, consultation-party.c) -- */

/*
 *   REQUESTED --accept--> ACCEPTED --schedule--> SCHEDULED --start-->
 *      |                     |                   |  ^  |
 *      +--decline--> DECLINED|                   +--+  |  (reschedule)
 *      |                     +------start--------------+  (no appointment:
 *      |                                               v   emergencies)
 *      |                                          IN_PROGRESS --complete-->
 *      +--cancel (from requested, accepted, scheduled)--> CANCELLED
 *                                                       COMPLETED (opinion)
 */
enum tc_rec_consultation_status {
    TC_REC_CONSULTATION_REQUESTED = 1,
    TC_REC_CONSULTATION_ACCEPTED,
    TC_REC_CONSULTATION_DECLINED,
    TC_REC_CONSULTATION_SCHEDULED,
    TC_REC_CONSULTATION_IN_PROGRESS,
    TC_REC_CONSULTATION_COMPLETED,
    TC_REC_CONSULTATION_CANCELLED,
};

enum tc_rec_consultation_priority {
    TC_REC_CONSULTATION_ROUTINE = 1,
    TC_REC_CONSULTATION_URGENT,
    TC_REC_CONSULTATION_EMERGENCY,
};

/* Who a participant is. */
enum tc_rec_party_kind {
    TC_REC_PARTY_PRACTITIONER = 1,
    TC_REC_PARTY_RESIDENT, /* the patient */
    TC_REC_PARTY_CARER,    /* a carer acting for the patient */
};

enum tc_rec_consent_kind {
    TC_REC_CONSENT_TELECONSULTATION = 1,
    TC_REC_CONSENT_RECORDING,
};

const char *
tc_rec_consultation_status_to_string(enum tc_rec_consultation_status s);
int
tc_rec_consultation_status_from_string(const char *s,
                                       enum tc_rec_consultation_status *out);
const char *
tc_rec_consultation_priority_to_string(enum tc_rec_consultation_priority p);
int tc_rec_consultation_priority_from_string(
    const char *s, enum tc_rec_consultation_priority *out);

/* A request; names the requested organization, the specialist, or both. */
struct tc_rec_consultation_new {
    int64_t requester_id;
    int64_t requested_org_id;        /* 0 when a specialist is named */
    int64_t requested_specialist_id; /* 0 when an organization is named */
    int64_t resident_id;
    const char *reason;
    enum tc_rec_consultation_priority priority;
    int64_t requested_at_us;
};

struct tc_rec_consultation_participant {
    int64_t id;
    enum tc_rec_party_kind kind;
    int64_t party_id; /* practitioner, resident or carer id */
    int64_t added_at_us;
};

/* One join of one participant; left_at_us 0 while still in the call. */
struct tc_rec_consultation_attendance {
    int64_t participant_id;
    int64_t joined_at_us;
    int64_t left_at_us;
};

struct tc_rec_consultation_consent {
    int64_t id;
    enum tc_rec_consent_kind kind;
    int64_t carer_id; /* 0: given by the patient */
    int64_t recorded_by;
    int64_t given_at_us;
    int64_t withdrawn_at_us; /* 0 unless withdrawn */
};

struct tc_rec_consultation {
    int64_t id;
    int64_t requester_id;
    int64_t requested_org_id;
    int64_t requested_specialist_id;
    int64_t resident_id;
    char *reason;
    enum tc_rec_consultation_priority priority;
    int64_t requested_at_us;
    enum tc_rec_consultation_status status;
    int64_t status_by;
    int64_t status_at_us;
    char *status_reason; /* decline or cancel reason, may be NULL */
    int64_t accepted_by;
    int64_t scheduled_for_us;
    int64_t started_at_us;
    int64_t ended_at_us;
    struct tc_rec_consultation_participant *participants;
    size_t n_participants;
    struct tc_rec_consultation_attendance *attendance; /* by join time */
    size_t n_attendance;
    struct tc_rec_consultation_consent *consents;
    size_t n_consents;
    int64_t *ecg_study_ids;
    size_t n_ecg_studies;
    int64_t *imaging_study_ids;
    size_t n_imaging_studies;
    char *opinion; /* the latest version of the signed opinion, or NULL */
    int opinion_version;
    int64_t opinion_author_id;
    int64_t opinion_signed_at_us;
};

/* Request a consultation; the requester becomes its first participant. */
int tc_rec_consultation_request(struct tc_rec_db *db,
                                const struct tc_rec_consultation_new *in,
                                int64_t *id_out);

/*
 * The transitions (diagram above); each -EPERM from a status with no such
 * arrow ("accept: not allowed from status completed"). accept: `by` is the
 * requested specialist, or holds a role at the requested organization; it
 * becomes a participant. decline and cancel need a reason. schedule takes
 * the appointment time. start needs the teleconsultation consent.
 * complete signs the opinion (version 1): its author must be a
 * practitioner participant.
 */
int tc_rec_consultation_accept(struct tc_rec_db *db, int64_t id, int64_t by,
                               int64_t at_us);
int tc_rec_consultation_decline(struct tc_rec_db *db, int64_t id, int64_t by,
                                int64_t at_us, const char *reason);
int tc_rec_consultation_schedule(struct tc_rec_db *db, int64_t id, int64_t by,
                                 int64_t at_us, int64_t scheduled_for_us);
int tc_rec_consultation_start(struct tc_rec_db *db, int64_t id, int64_t by,
                              int64_t at_us);
int tc_rec_consultation_complete(struct tc_rec_db *db, int64_t id,
                                 int64_t author_id, int64_t at_us,
                                 const char *opinion);
int tc_rec_consultation_cancel(struct tc_rec_db *db, int64_t id, int64_t by,
                               int64_t at_us, const char *reason);

/* Amend the signed opinion of a completed consultation: a new version;
 * the earlier ones are kept (tc_rec_text_versions). */
int tc_rec_consultation_opinion_amend(struct tc_rec_db *db, int64_t id,
                                      int64_t author_id, int64_t at_us,
                                      const char *text, const char *reason);

/*
 * Participants and their attendance log. A resident participant must be
 * the patient; a carer must act for the patient. Adding is allowed while
 * the consultation is open (requested, accepted, scheduled, in progress);
 * -EEXIST when already a participant. join is allowed in progress only
 * and -EEXIST while the participant is still joined; leave closes the
 * open join (-EPERM when not joined). A participant may join many times.
 */
int tc_rec_consultation_participant_add(struct tc_rec_db *db, int64_t id,
                                        enum tc_rec_party_kind kind,
                                        int64_t party_id, int64_t at_us,
                                        int64_t *participant_id_out);
int tc_rec_consultation_join(struct tc_rec_db *db, int64_t id,
                             enum tc_rec_party_kind kind, int64_t party_id,
                             int64_t at_us);
int tc_rec_consultation_leave(struct tc_rec_db *db, int64_t id,
                              enum tc_rec_party_kind kind, int64_t party_id,
                              int64_t at_us);

/*
 * Consent, given by the patient (carer_id 0) or a carer acting for them,
 * recorded by a practitioner. Only recording consent can be withdrawn
 * (-EPERM for teleconsultation: cancel the consultation instead; -ENOENT
 * when there is no standing recording consent).
 */
int tc_rec_consultation_consent_give(struct tc_rec_db *db, int64_t id,
                                     enum tc_rec_consent_kind kind,
                                     int64_t carer_id, int64_t recorded_by,
                                     int64_t at_us, int64_t *consent_id_out);
int tc_rec_consultation_consent_withdraw(struct tc_rec_db *db, int64_t id,
                                         enum tc_rec_consent_kind kind,
                                         int64_t at_us);
/* *out is true when a recording consent stands (given, not withdrawn). */
int tc_rec_consultation_recording_allowed(struct tc_rec_db *db, int64_t id,
                                          bool *out);

/* Attach a study of the same patient to an open consultation; -EEXIST
 * when attached already. */
int tc_rec_consultation_attach_ecg(struct tc_rec_db *db, int64_t id,
                                   int64_t ecg_study_id);
int tc_rec_consultation_attach_imaging(struct tc_rec_db *db, int64_t id,
                                       int64_t imaging_study_id);

int tc_rec_consultation_get(struct tc_rec_db *db, int64_t id,
                            struct tc_rec_consultation **out);
void tc_rec_consultation_free(struct tc_rec_consultation *c);

/* Which consultations of a practitioner a list holds. */
enum tc_rec_consultation_box {
    TC_REC_CONSULTATION_INCOMING = 1, /* requested of them, or of an
                                         organization they hold a role at */
    TC_REC_CONSULTATION_OUTGOING,     /* requested by them */
};

struct tc_rec_consultation_list {
    size_t count;
    struct tc_rec_consultation *items;
};

#define TC_REC_CONSULTATION_PAGE_MAX 200

/*
 * The consultations in `box` of practitioner_id, newest first, with id <
 * before_id (0: from the newest), at most limit
 * (1..TC_REC_CONSULTATION_PAGE_MAX); only open ones (requested, accepted,
 * scheduled, in progress) when open_only. Items hold the consultation's
 * own fields; participants, attendance, consents, studies and the
 * opinion are left empty (read one with tc_rec_consultation_get()).
 * Errors: -EINVAL (box, limit).
 */
int tc_rec_consultation_list_for_practitioner(
    struct tc_rec_db *db, int64_t practitioner_id,
    enum tc_rec_consultation_box box, bool open_only, int64_t before_id,
    int limit, struct tc_rec_consultation_list **out);
void tc_rec_consultation_list_free(struct tc_rec_consultation_list *list);

/* For the access policy: *out is true when `practitioner_id` is a
 * participant of an open consultation about `resident_id`. */
int tc_rec_consultation_is_participant(struct tc_rec_db *db,
                                       int64_t practitioner_id,
                                       int64_t resident_id, bool *out);

/* -- ECG studies and reports (ecg-study.c) -- */

/*
 *   LIVE --finish--> AWAITING_READING --report--> REPORTED --amend-->
 *                                                  AMENDED --amend--> AMENDED
 * A stored (not live) recording starts in AWAITING_READING.
 */
enum tc_rec_ecg_status {
    TC_REC_ECG_LIVE = 1,
    TC_REC_ECG_AWAITING_READING,
    TC_REC_ECG_REPORTED,
    TC_REC_ECG_AMENDED,
};

const char *tc_rec_ecg_status_to_string(enum tc_rec_ecg_status s);
int tc_rec_ecg_status_from_string(const char *s, enum tc_rec_ecg_status *out);

/* leads: a comma-separated list of distinct standard leads (I, II, III,
 * aVR, aVL, aVF, V1..V9, V3R..V6R). sample_rate_hz 50..20000. A stored
 * recording (live false) has its duration and storage path now. */
struct tc_rec_ecg_study_new {
    int64_t resident_id;
    const char *device_id;
    const char *leads;
    int sample_rate_hz;
    int64_t started_at_us;
    bool live;
    int64_t duration_ms;      /* > 0 when !live, else 0 */
    const char *storage_path; /* when !live, else NULL */
    int64_t organization_id;  /* where recorded; 0 when unknown */
    int64_t ordered_by;       /* practitioner; 0 when none */
    bool urgent;              /* first on the worklist */
};

/* Measurements in plausible ranges; 0 means "not measured": heart rate
 * 15..350 bpm, PR 50..600 ms, QRS 30..300 ms, QT 150..800 ms, QTc 200..800
 * ms. rhythm and impression are required. */
struct tc_rec_ecg_report_in {
    const char *rhythm;
    int heart_rate_bpm;
    int pr_ms;
    int qrs_ms;
    int qt_ms;
    int qtc_ms;
    const char *impression;
};

/* One version of a report (version 1 is the signed original). */
struct tc_rec_ecg_report {
    int version;
    char *rhythm;
    int heart_rate_bpm;
    int pr_ms;
    int qrs_ms;
    int qt_ms;
    int qtc_ms;
    char *impression;
    int64_t reader_id; /* who signed this version */
    int64_t signed_at_us;
    char *amend_reason; /* NULL for version 1 */
};

struct tc_rec_ecg_report_list {
    size_t count;
    struct tc_rec_ecg_report *items; /* oldest version first */
};

struct tc_rec_ecg_study {
    int64_t id;
    int64_t resident_id;
    char *device_id;
    char *leads;
    int sample_rate_hz;
    int64_t started_at_us;
    int64_t duration_ms; /* 0 while live */
    char *storage_path;  /* NULL while live */
    int64_t organization_id;
    int64_t ordered_by;
    enum tc_rec_ecg_status status;
    int64_t reader_id;                /* assigned reader, 0 when none */
    struct tc_rec_ecg_report *report; /* the latest version, or NULL */
    bool urgent;
};

struct tc_rec_ecg_study_list {
    size_t count;
    struct tc_rec_ecg_study *items;
};

int tc_rec_ecg_study_create(struct tc_rec_db *db,
                            const struct tc_rec_ecg_study_new *in,
                            int64_t *id_out);
/* The ids of every LIVE study (malloc'd), oldest first. */
int tc_rec_ecg_study_live_ids(struct tc_rec_db *db, int64_t **ids_out,
                              size_t *n_out);
/* A live recording ends: it now awaits reading. */
int tc_rec_ecg_study_finish(struct tc_rec_db *db, int64_t id,
                            int64_t duration_ms, const char *storage_path);
/* Assign (or reassign) the reader of a study not yet reported. */
int tc_rec_ecg_study_assign(struct tc_rec_db *db, int64_t id,
                            int64_t reader_id);
/* Sign the report of a study awaiting reading. The reader must be the
 * assigned one, or becomes it when none was assigned. */
int tc_rec_ecg_report_sign(struct tc_rec_db *db, int64_t study_id,
                           const struct tc_rec_ecg_report_in *in,
                           int64_t reader_id, int64_t signed_at_us);
/* Amend a signed report: a new version with its author, time and reason. */
int tc_rec_ecg_report_amend(struct tc_rec_db *db, int64_t study_id,
                            const struct tc_rec_ecg_report_in *in,
                            int64_t author_id, int64_t signed_at_us,
                            const char *reason);
int tc_rec_ecg_study_get(struct tc_rec_db *db, int64_t id,
                         struct tc_rec_ecg_study **out);
void tc_rec_ecg_study_free(struct tc_rec_ecg_study *study);
/* Every version of a study's report (-ENOENT when there is none). */
int tc_rec_ecg_report_versions(struct tc_rec_db *db, int64_t study_id,
                               struct tc_rec_ecg_report_list **out);
void tc_rec_ecg_report_list_free(struct tc_rec_ecg_report_list *list);
/* The reading worklist: studies awaiting reading assigned to reader_id,
 * plus unassigned ones when include_unassigned; urgent ones first, then
 * oldest first. */
int tc_rec_ecg_worklist(struct tc_rec_db *db, int64_t reader_id,
                        bool include_unassigned,
                        struct tc_rec_ecg_study_list **out);
void tc_rec_ecg_study_list_free(struct tc_rec_ecg_study_list *list);

/* -- ECG devices (ecg-device.c, migration 11) -- */

/*
 * Which residents a recording device may stream for. assign is idempotent
 * (an existing assignment stays as it was); unassign of a missing one is
 * -ENOENT. device_id: 1..64 bytes, no control characters.
 */
int tc_rec_ecg_device_assign(struct tc_rec_db *db, const char *device_id,
                             int64_t resident_id, int64_t assigned_by,
                             int64_t at_us);
int tc_rec_ecg_device_unassign(struct tc_rec_db *db, const char *device_id,
                               int64_t resident_id);
int tc_rec_ecg_device_assigned(struct tc_rec_db *db, const char *device_id,
                               int64_t resident_id, bool *out);

/*
 * A lead name as devices and WFDB files write it ("ii", "avr", "v1",
 * "MLII", "vx") -> the standard spelling ("II", "aVR", "V1", "MLII", "X")
 * into out (16 bytes). -EINVAL when it is no lead this system knows.
 */
int tc_rec_ecg_lead_normalize(const char *name, char *out, size_t out_len);

/* -- Imaging studies and reports (imaging-study.c, imaging-index.c) -- */

/*
 *   RECEIVED --assign--> ASSIGNED --report--> REPORTED --amend--> AMENDED
 *                         |    ^                          AMENDED --amend-->
 *                         +----+ (reassign)
 */
enum tc_rec_imaging_status {
    TC_REC_IMAGING_RECEIVED = 1,
    TC_REC_IMAGING_ASSIGNED,
    TC_REC_IMAGING_REPORTED,
    TC_REC_IMAGING_AMENDED,
};

const char *tc_rec_imaging_status_to_string(enum tc_rec_imaging_status s);
int tc_rec_imaging_status_from_string(const char *s,
                                      enum tc_rec_imaging_status *out);

/*
 * One received DICOM instance with its series and study attributes. UIDs
 * are DICOM UIDs (digits and dots, at most 64); modality a DICOM code
 * (2..16 capitals/digits, "CT"); sha256 64 lowercase hex digits.
 */
struct tc_rec_imaging_instance_in {
    const char *study_uid;
    const char *accession;         /* may be NULL */
    const char *study_description; /* may be NULL */
    const char *study_date;        /* YYYY-MM-DD, may be NULL */
    int64_t resident_id;           /* 0: unmatched, reconciled later */
    int64_t sending_org_id;        /* 0 when unknown */
    const char *series_uid;
    const char *modality;
    int series_number; /* -1 when absent */
    const char *series_description;
    const char *sop_instance_uid;
    const char *sop_class_uid;
    const char *storage_path;
    const char *sha256;
    int64_t size_bytes;
    int64_t received_at_us;
};

struct tc_rec_imaging_series {
    int64_t id;
    char *series_uid;
    char *modality;
    int number; /* -1 when absent */
    char *description;
    int n_instances;
};

struct tc_rec_imaging_instance {
    int64_t id;
    char *sop_instance_uid;
    char *sop_class_uid;
    char *storage_path;
    char *sha256;
    int64_t size_bytes;
    int64_t received_at_us;
    char *transfer_syntax; /* NULL before migration 10 */
    int instance_number;   /* 0 when absent */
};

struct tc_rec_imaging_instance_list {
    size_t count;
    struct tc_rec_imaging_instance *items;
};

struct tc_rec_imaging_report_in {
    const char *findings;
    const char *impression;
};

struct tc_rec_imaging_report {
    int version;
    char *findings;
    char *impression;
    int64_t radiologist_id; /* who signed this version */
    int64_t signed_at_us;
    char *amend_reason; /* NULL for version 1 */
};

struct tc_rec_imaging_report_list {
    size_t count;
    struct tc_rec_imaging_report *items; /* oldest version first */
};

struct tc_rec_imaging_study {
    int64_t id;
    int64_t resident_id; /* 0 while unmatched */
    char *study_uid;
    char *accession;
    char *modality;
    char *description;
    char *study_date;
    int64_t sending_org_id;
    int64_t received_at_us;
    enum tc_rec_imaging_status status;
    int64_t radiologist_id; /* 0 when unassigned */
    int n_series;
    int n_instances;
    struct tc_rec_imaging_series *series; /* by series number; NULL in
                                             worklists */
    struct tc_rec_imaging_report *report; /* the latest version, or NULL */
    /* Migration 6: the DICOM patient (NULL when not sent), the study
     * time, the modalities of its series ("CT\\MR", DICOM's separator),
     * and the reading request (requested_by 0: none). */
    char *patient_dicom_id;
    char *patient_name;
    char *patient_birth_date;
    char *patient_sex;
    char *study_time;
    char *modalities;
    int64_t requested_by;
    bool urgent;
    int n_conflicts; /* instances received again with other bytes */
};

struct tc_rec_imaging_study_list {
    size_t count;
    struct tc_rec_imaging_study *items;
};

/*
 * Index one received instance: creates its study (status received) and
 * series when they are new. Storing the same instance again with the same
 * sha256 is a no-op (0); a different sha256 is -EEXIST. A series already
 * under another study, or a study matched to another resident, is
 * -EEXIST. *study_id_out (may be NULL) receives the study's id.
 */
int tc_rec_imaging_instance_store(struct tc_rec_db *db,
                                  const struct tc_rec_imaging_instance_in *in,
                                  int64_t *study_id_out);
/*
 * What a DICOM header adds (migration 10), all optional (NULL / 0): the
 * patient as the header names them (UTF-8), the study time (DICOM TM),
 * the transfer syntax UID, the instance number and where the instance
 * came from (the calling AE title, or "STOW-RS"). The patient and study
 * time are kept from the first instance of a study.
 */
struct tc_rec_imaging_dicom_in {
    const char *patient_dicom_id;
    const char *patient_name;
    const char *patient_birth_date; /* YYYY-MM-DD */
    const char *patient_sex;
    const char *study_time;
    const char *transfer_syntax;
    int instance_number; /* 0 when absent */
    const char *source;
};

/* tc_rec_imaging_instance_store() with the DICOM header's extras (`d` may
 * be NULL). */
int tc_rec_imaging_instance_store_dicom(
    struct tc_rec_db *db, const struct tc_rec_imaging_instance_in *in,
    const struct tc_rec_imaging_dicom_in *d, int64_t *study_id_out);
/* Find a study by its Study Instance UID (-ENOENT). */
int tc_rec_imaging_study_find(struct tc_rec_db *db, const char *study_uid,
                              int64_t *id_out);
/* Reconciliation: match an unmatched study to a resident (-EEXIST when it
 * is matched already). */
int tc_rec_imaging_study_match(struct tc_rec_db *db, int64_t id,
                               int64_t resident_id);
/* Assign or reassign the radiologist of a matched, unreported study. */
int tc_rec_imaging_study_assign(struct tc_rec_db *db, int64_t id,
                                int64_t radiologist_id, int64_t at_us);
/* The assigned radiologist signs the report. */
int tc_rec_imaging_report_sign(struct tc_rec_db *db, int64_t study_id,
                               const struct tc_rec_imaging_report_in *in,
                               int64_t radiologist_id, int64_t signed_at_us);
/* Amend a signed report: a new version with author, time and reason. */
int tc_rec_imaging_report_amend(struct tc_rec_db *db, int64_t study_id,
                                const struct tc_rec_imaging_report_in *in,
                                int64_t author_id, int64_t signed_at_us,
                                const char *reason);
int tc_rec_imaging_study_get(struct tc_rec_db *db, int64_t id,
                             struct tc_rec_imaging_study **out);
void tc_rec_imaging_study_free(struct tc_rec_imaging_study *study);
/* The instances of one series, by SOP instance UID. */
int tc_rec_imaging_instance_list(struct tc_rec_db *db, int64_t series_id,
                                 struct tc_rec_imaging_instance_list **out);
void
tc_rec_imaging_instance_list_free(struct tc_rec_imaging_instance_list *list);
int tc_rec_imaging_report_versions(struct tc_rec_db *db, int64_t study_id,
                                   struct tc_rec_imaging_report_list **out);
void tc_rec_imaging_report_list_free(struct tc_rec_imaging_report_list *list);
/* The reporting worklist: assigned to radiologist_id, plus matched but
 * unassigned studies when include_unassigned, oldest first. */
int tc_rec_imaging_worklist(struct tc_rec_db *db, int64_t radiologist_id,
                            bool include_unassigned,
                            struct tc_rec_imaging_study_list **out);
void tc_rec_imaging_study_list_free(struct tc_rec_imaging_study_list *list);

/* -- DICOM store-and-forward (imaging-dicom.c, imaging-forward.c) -- */

/*
 * The resident whose resident ID number or health-card number is
 * `patient_id` (a DICOM Patient ID); -ENOENT when none is.
 */
int tc_rec_imaging_patient_match(struct tc_rec_db *db, const char *patient_id,
                                 int64_t *resident_id_out);

/*
 * Flag a SOP instance received again with other bytes (the index keeps
 * the first): in->sop_instance_uid must be indexed. The same bytes
 * flagged twice are one row. Errors: -ENOENT (no such instance).
 */
int tc_rec_imaging_conflict_add(struct tc_rec_db *db,
                                const struct tc_rec_imaging_instance_in *in,
                                const char *source);

/* Studies not matched to a resident yet (the reconciliation list), oldest
 * first, at most `limit`. */
int tc_rec_imaging_unmatched(struct tc_rec_db *db, int limit,
                             struct tc_rec_imaging_study_list **out);

/* A QIDO-RS study search; NULL/0 members do not filter. */
struct tc_rec_imaging_query {
    const char *study_uid;
    const char *patient_dicom_id;
    const char *date_from; /* YYYY-MM-DD, inclusive */
    const char *date_to;   /* YYYY-MM-DD, inclusive */
    const char *modality;  /* any series of the study has it */
    int limit;             /* 1..1000 */
    int offset;
};

/* Matching studies, newest received first (series not filled in). */
int tc_rec_imaging_query(struct tc_rec_db *db,
                         const struct tc_rec_imaging_query *q,
                         struct tc_rec_imaging_study_list **out);

/* The series of a study by Series Instance UID (-ENOENT). */
int tc_rec_imaging_series_find(struct tc_rec_db *db, int64_t study_id,
                               const char *series_uid, int64_t *id_out);

/* One instance by SOP Instance UID within a series (-ENOENT). */
int tc_rec_imaging_instance_get(struct tc_rec_db *db, int64_t series_id,
                                const char *sop_instance_uid,
                                struct tc_rec_imaging_instance **out);
void tc_rec_imaging_instance_free(struct tc_rec_imaging_instance *i);

/*
 * The township doctor asks for a reading of a study (one request per
 * study; asking again is -EEXIST). Errors: -ENOENT, -EINVAL (reason).
 */
int tc_rec_imaging_reading_request(struct tc_rec_db *db, int64_t study_id,
                                   int64_t requested_by, bool urgent,
                                   const char *reason, int64_t at_us);

/* Studies whose reading `practitioner_id` requested, newest first: the
 * reports coming back. */
int tc_rec_imaging_requested_by(struct tc_rec_db *db, int64_t practitioner_id,
                                struct tc_rec_imaging_study_list **out);

/*
 * The forwarding queue (imaging-forward.c): one row per (instance,
 * destination), PENDING -> SENT, retried with backoff while the
 * destination is down. Rows are never deleted: a row's status is the
 * per-instance forwarding status the API shows.
 */
struct tc_rec_imaging_forward {
    int64_t instance_id;
    char *sop_instance_uid;
    char *storage_path;
    char *destination;
    char *status; /* "pending", "sent", "failed" */
    int attempts;
    int64_t queued_at_us;
    int64_t next_attempt_at_us;
    int64_t sent_at_us; /* 0 until sent */
    char *last_error;   /* NULL when none */
};

struct tc_rec_imaging_forward_list {
    size_t count;
    struct tc_rec_imaging_forward *items;
};

/* Queue the instance `sop_instance_uid` for `destination` (1..64 bytes),
 * due at at_us. Queued already: a no-op. Errors: -ENOENT, -EINVAL. */
int tc_rec_imaging_forward_queue(struct tc_rec_db *db,
                                 const char *sop_instance_uid,
                                 const char *destination, int64_t at_us);
/* Pending rows due at now_us, oldest queued first, at most `limit`. */
int tc_rec_imaging_forward_due(struct tc_rec_db *db, int64_t now_us, int limit,
                               struct tc_rec_imaging_forward_list **out);
/* The result of one attempt: sent, or retry at next_at_us with `error`. */
int tc_rec_imaging_forward_sent(struct tc_rec_db *db, int64_t instance_id,
                                const char *destination, int64_t at_us);
int tc_rec_imaging_forward_retry(struct tc_rec_db *db, int64_t instance_id,
                                 const char *destination, int64_t next_at_us,
                                 const char *error);
/* Every forwarding row of a study's instances, by instance then
 * destination. */
int tc_rec_imaging_forward_list(struct tc_rec_db *db, int64_t study_id,
                                struct tc_rec_imaging_forward_list **out);
void tc_rec_imaging_forward_list_free(struct tc_rec_imaging_forward_list *l);

/* -- Amendment history of free clinical text (amendment.c) -- */

/* The free-text kinds; reports have their own *_report_versions(). */
enum tc_rec_text_kind {
    TC_REC_TEXT_SESSION_NOTE = 1,     /* owner: a rehab session */
    TC_REC_TEXT_CONSULTATION_OPINION, /* owner: a consultation */
};

struct tc_rec_text_version {
    int version; /* 1 is the original */
    char *text;
    int64_t author_id;
    int64_t at_us;
    char *amend_reason; /* NULL for version 1 */
};

struct tc_rec_text_version_list {
    size_t count;
    struct tc_rec_text_version *items; /* oldest first */
};

/* Every version of a note or an opinion (-ENOENT when there is none). */
int tc_rec_text_versions(struct tc_rec_db *db, enum tc_rec_text_kind kind,
                         int64_t owner_id,
                         struct tc_rec_text_version_list **out);
void tc_rec_text_version_list_free(struct tc_rec_text_version_list *list);

/* == Care relationships, for the server's access policy == */

/*
 * The relationships between a practitioner and a resident, now:
 *   team          a member of the team holding the resident's ACTIVE
 *                 family-doctor contract
 *   therapist     a therapist on an open rehab plan of the resident
 *   consultation  a participant of an open consultation about the resident
 *   township      holds a role at the township clinic of the resident's
 *                 township
 */
struct tc_rec_access_facts {
    bool team;
    bool therapist;
    bool consultation;
    bool township;
};

/* Which facts to look up (each is one query): the caller asks only for
 * those its rules can use. */
#define TC_REC_FACT_TEAM         0x1u
#define TC_REC_FACT_THERAPIST    0x2u
#define TC_REC_FACT_CONSULTATION 0x4u
#define TC_REC_FACT_TOWNSHIP     0x8u
#define TC_REC_FACT_ALL          0xfu

/*
 * Gather the `wanted` facts for (practitioner_id, resident_id); the others,
 * and all of them for practitioner_id 0, are false. Errors: -ENOENT (no
 * such resident).
 */
int tc_rec_access_facts_get(struct tc_rec_db *db, int64_t practitioner_id,
                            int64_t resident_id, unsigned wanted,
                            struct tc_rec_access_facts *out);

/* == FHIR R4 mapping == */
/* (fhir.c, fhir-*.c; the mapping tables are in those files' headers) */

/*
 * FHIR R4 JSON (application/fhir+json) for the records: Patient,
 * Practitioner, PractitionerRole, Organization, CareTeam, Contract,
 * AuditEvent, CarePlan, Goal, Encounter, ServiceRequest, Task,
 * Observation, DiagnosticReport, ImagingStudy and Consent.
 *
 * Logical ids are strings. A type mapped from one kind of record uses the
 * record's id ("Patient/12"); a type mapped from several kinds prefixes it
 * ("Encounter/session-7", "Encounter/consultation-3",
 * "Observation/barthel-4", "DiagnosticReport/ecg-9").
 *
 * After a failed call, tc_rec_errmsg() names the rule and
 * tc_rec_fhir_errpath() the FHIR path of the offending element
 * ("Patient.identifier[0].value", "Contract.term[0].applies.start"), ready
 * for OperationOutcome.issue.expression; the path is the resource type
 * alone when the rule concerns the whole resource. Errors:
 *   -EINVAL   the resource (or type, or id) is invalid
 *   -ENOENT   no such resource; or a reference names no record (the path
 *             names the reference)
 *   -EEXIST   a conflict with a stored record (a unique rule)
 *   -EPERM    the type cannot be created or updated through FHIR (use the
 *             workflow API), or a field cannot change
 *   -ENOMEM, -EIO, -EBUSY
 */

#define TC_REC_FHIR_ID_MAX   64  /* the longest FHIR logical id */
#define TC_REC_FHIR_PATH_MAX 160 /* the longest error path, with its NUL */

/* Who writes, and when: records has no clock of its own. */
struct tc_rec_fhir_ctx {
    int64_t now_us;   /* created_at_us, offered_at_us, ...; required */
    int64_t actor_id; /* the acting practitioner, 0 when none (a CarePlan
                         create needs one) */
};

/*
 * The resource `type` with logical id `id` as JSON. On success *out owns a
 * new JSON object (json_decref). Errors: -EINVAL (type not supported, id
 * malformed), -ENOENT.
 */
int tc_rec_fhir_read(struct tc_rec_db *db, const char *type, const char *id,
                     json_t **out);

/*
 * Validate `resource` and store it as new records, in one transaction.
 * `type` is the type the request names; NULL accepts any supported type.
 * Any "id" in the resource is ignored (the store assigns it). On success
 * *out (may be NULL) owns the stored resource as tc_rec_fhir_read() gives
 * it, with its id. Creatable: Patient, Practitioner, PractitionerRole,
 * Organization, CareTeam, Contract (offered, or executed with its
 * signer), CarePlan, Goal, Observation (a Barthel index); the others
 * are -EPERM.
 */
int tc_rec_fhir_create(struct tc_rec_db *db, const char *type,
                       const json_t *resource,
                       const struct tc_rec_fhir_ctx *ctx, json_t **out);

/*
 * Replace the stored resource `type`/`id` with `resource` (whose "id", when
 * present, must be `id`). Updatable: Patient (demographics; the resident
 * ID number cannot change: -EPERM) and Organization (partOf; the other
 * elements cannot change: -EPERM); the others are -EPERM. *out (may be
 * NULL) as for create.
 */
int tc_rec_fhir_update(struct tc_rec_db *db, const char *type, const char *id,
                       const json_t *resource,
                       const struct tc_rec_fhir_ctx *ctx, json_t **out);

/* The FHIR path of the last error on this handle; "" when the last call
 * succeeded or its error concerned no element. Borrowed like errmsg. */
const char *tc_rec_fhir_errpath(const struct tc_rec_db *db);

/* -- FHIR search (fhir-search.c) -- */

/* What FHIR may do with a type: tc_rec_fhir_interactions() bits. */
#define TC_REC_FHIR_READ     0x1u
#define TC_REC_FHIR_SEARCH   0x2u
#define TC_REC_FHIR_CREATE   0x4u
#define TC_REC_FHIR_UPDATE   0x8u
#define TC_REC_FHIR_PAGE_MAX 500 /* the most hits one search returns */

/* The supported types, in a fixed order (static); *n their count. */
const char *const *tc_rec_fhir_types(size_t *n);

/* The interactions the mapping supports for `type`; 0: not a type. */
unsigned tc_rec_fhir_interactions(const char *type);

/* A search parameter of a type (for a CapabilityStatement). */
struct tc_rec_fhir_search_param {
    const char *name; /* "patient", "_lastUpdated" */
    const char *type; /* FHIR: "token", "reference", "date", "string" */
    const char *doc;  /* what it matches */
};

/* The i-th search parameter of `type` (static), or NULL past the last. */
const struct tc_rec_fhir_search_param *
tc_rec_fhir_search_param(const char *type, size_t i);

/*
 * Whose resources a search may return; the server fills it from its
 * access policy. all: anyone's (directory types, an auditor's audit
 * trail). Otherwise the union of: the residents related to
 * practitioner_id by each relationship flagged (as in struct
 * tc_rec_access_facts), resident_id (own record), the residents carer_id
 * acts for, and, with reader, studies assigned to practitioner_id.
 * Empty: nothing.
 */
struct tc_rec_fhir_scope {
    bool all;
    int64_t practitioner_id;
    bool team, therapist, consultation, township;
    bool reader;
    int64_t resident_id;
    int64_t carer_id;
};

/* One search parameter as given: "name[:modifier]" and its value (a
 * comma-separated list is ORed). Borrowed. */
struct tc_rec_fhir_param {
    const char *name;
    const char *value;
};

/* A resource a search found, and what the access policy needs of it. */
struct tc_rec_fhir_hit {
    char id[TC_REC_FHIR_ID_MAX + 1]; /* its logical id */
    const char *entity;    /* static: its record kind ("resident", ...) */
    int64_t row_id;        /* that record's id */
    int64_t resident_id;   /* 0: about no resident */
    int64_t reader_id;     /* a study's assigned reader; 0: none */
    bool study;            /* an ECG or imaging study, or its report */
    int64_t updated_at_us; /* its last change; 0: not known */
};

struct tc_rec_fhir_hits {
    int64_t total; /* all matches within the scope */
    size_t count;  /* in items: the page */
    struct tc_rec_fhir_hit *items;
};

/*
 * Search `type` with `params` (ANDed) within `scope`: the page of at most
 * `count` (0..TC_REC_FHIR_PAGE_MAX) hits from `offset`, ordered by id
 * (AuditEvent newest first), and the total. On success *out owns the hits
 * (tc_rec_fhir_hits_free). Errors: -EINVAL (type, an unknown parameter, a
 * modifier, a malformed value; tc_rec_fhir_errpath() is the parameter's
 * name). A well-formed value that names nothing (an unknown code, another
 * type's reference) matches nothing.
 */
int tc_rec_fhir_search(struct tc_rec_db *db, const char *type,
                       const struct tc_rec_fhir_param *params, size_t n_params,
                       const struct tc_rec_fhir_scope *scope, int64_t offset,
                       int count, struct tc_rec_fhir_hits **out);
void tc_rec_fhir_hits_free(struct tc_rec_fhir_hits *hits);

/* The hit of `type`/`id`, whoever may read it. Errors: -EINVAL,
 * -ENOENT. */
int tc_rec_fhir_locate(struct tc_rec_db *db, const char *type, const char *id,
                       struct tc_rec_fhir_hit *out);

/* == Statistics == */
/* (stats.c, timeline.c) */

/*
 * What the family-doctor office reports, per team and per township, over
 * the days from..to (inclusive, "YYYY-MM-DD"):
 *
 * - registered: residents registered now. For a township, those whose
 *   address is in it; for a team, those of its clinic's township (the
 *   catchment its teams share).
 * - contracted: ACTIVE contracts now (a resident has at most one), with
 *   the team, or with a team of a clinic in the township: the office
 *   counts residents by the team that serves them. Run
 *   tc_rec_contract_expire_due() first so that periods that have ended
 *   are not counted. signing_rate = contracted / registered.
 * - followups_due: follow-ups due in the range (cancelled ones, of
 *   terminated contracts, are not counted); followups_done: of those, the
 *   ones done.
 * - contracts_ended: signed contracts (active, renewed or expired; not
 *   terminated) whose period ends in the range; contracts_renewed: of
 *   those, the renewed ones. renewal_rate = renewed / ended.
 * - rehab_prescribed and rehab_completed: tc_rec_rehab_plan_adherence()'s
 *   prescribed and completed, summed over the plans of the contracts that
 *   count (active, suspended or completed plans; draft and cancelled ones
 *   prescribe nothing). rehab_adherence = completed / prescribed.
 *
 * A rate is 0 when its denominator is 0. Every figure but the two
 * headcounts depends on the range.
 */
struct tc_rec_stats {
    int64_t registered;
    int64_t contracted;
    double signing_rate;
    int64_t followups_due;
    int64_t followups_done;
    int64_t contracts_ended;
    int64_t contracts_renewed;
    double renewal_rate;
    int64_t rehab_prescribed;
    int64_t rehab_completed;
    double rehab_adherence;
};

/* One team's figures. Errors: -EINVAL (from, to: not dates, to before
 * from), -ENOENT (team_id). */
int tc_rec_stats_team(struct tc_rec_db *db, int64_t team_id, const char *from,
                      const char *to, struct tc_rec_stats *out);

/* One township's figures: its residents and the teams of the township
 * clinics whose township it is (an unknown township has zeros).
 * Errors: -EINVAL (township, from, to). */
int tc_rec_stats_township(struct tc_rec_db *db, const char *township,
                          const char *from, const char *to,
                          struct tc_rec_stats *out);

struct tc_rec_township_stats {
    char *township;
    struct tc_rec_stats stats;
};

struct tc_rec_township_stats_list {
    size_t count;
    struct tc_rec_township_stats *items; /* by township name */
};

/*
 * Every township's figures in one call: each township that has residents
 * or a team, by name (a team of a clinic that names no township is in
 * none). Errors: -EINVAL (from, to).
 */
int tc_rec_stats_townships(struct tc_rec_db *db, const char *from,
                           const char *to,
                           struct tc_rec_township_stats_list **out);
void tc_rec_township_stats_list_free(struct tc_rec_township_stats_list *list);

/* == Timeline == */

/*
 * One resident's whole record as events, newest first. What each event
 * is, and when:
 *
 *   kind                 entity_id        at
 *   contract_offered     contract         offered_at_us
 *   contract_signed      contract         signed_at_us
 *   contract_ended       contract         ended_at_us; an expired one on
 *                                         the day after its period (date)
 *   followup             follow-up        when its outcome was recorded;
 *                                         else its due date (date)
 *   rehab_plan           plan             created_at_us
 *   rehab_session        session          scheduled_at_us
 *   barthel              assessment       assessed_at_us
 *   consultation         consultation     requested_at_us
 *   ecg_study            ECG study        started_at_us
 *   ecg_report           ECG study        signed_at_us (one per version)
 *   imaging_study        imaging study    received_at_us
 *   imaging_report       imaging study    signed_at_us (one per version)
 *   referral             referral         requested_at_us ("up cardiology,
 *                                         urgent")
 *   referral_answer      referral         answered_at_us (accepted or
 *                                         declined)
 *   emergency            emergency        raised_at_us ("cardiology, tier
 *                                         2, joined after 95 s")
 *
 * status is the entity's status code now ("active", "done", "completed",
 * ...; for a Barthel assessment its band; for a report version "signed"
 * or "amended"). Cancelled follow-ups are left out. summary is a short
 * line of codes and numbers ("visit (basic) due 2026-03-31", "live_guided,
 * 80% completed"): never free text (no reasons, notes, opinions, findings
 * or impressions).
 */
enum tc_rec_timeline_kind {
    TC_REC_TIMELINE_CONTRACT_OFFERED = 1,
    TC_REC_TIMELINE_CONTRACT_SIGNED,
    TC_REC_TIMELINE_CONTRACT_ENDED,
    TC_REC_TIMELINE_FOLLOWUP,
    TC_REC_TIMELINE_REHAB_PLAN,
    TC_REC_TIMELINE_REHAB_SESSION,
    TC_REC_TIMELINE_BARTHEL,
    TC_REC_TIMELINE_CONSULTATION,
    TC_REC_TIMELINE_ECG_STUDY,
    TC_REC_TIMELINE_ECG_REPORT,
    TC_REC_TIMELINE_IMAGING_STUDY,
    TC_REC_TIMELINE_IMAGING_REPORT,
    TC_REC_TIMELINE_REFERRAL,
    TC_REC_TIMELINE_REFERRAL_ANSWER,
    TC_REC_TIMELINE_EMERGENCY,
};
const char *tc_rec_timeline_kind_to_string(enum tc_rec_timeline_kind kind);
int tc_rec_timeline_kind_from_string(const char *s,
                                     enum tc_rec_timeline_kind *out);

/*
 * One event. at_us orders the timeline; an event known by its date only
 * has that date in `date` and at_us at 00:00 UTC of it (else date is "").
 */
struct tc_rec_timeline_entry {
    int64_t at_us;
    char date[11];
    enum tc_rec_timeline_kind kind;
    int64_t entity_id;
    char status[20];
    char *summary;
};

/* A position in a timeline: events sort by at_us, then kind, then
 * entity_id, all descending. {at_us = T} (kind and entity_id 0) means
 * "everything before T". */
struct tc_rec_timeline_cursor {
    int64_t at_us;
    enum tc_rec_timeline_kind kind;
    int64_t entity_id;
};

struct tc_rec_timeline_page {
    size_t count;
    struct tc_rec_timeline_entry *items; /* newest first */
    bool more;                           /* older events follow */
    struct tc_rec_timeline_cursor next;  /* pass as `before` for them */
};

#define TC_REC_TIMELINE_PAGE_MAX 200

/*
 * The events of resident_id that sort after `before` (NULL: from the
 * newest), at most limit (1..TC_REC_TIMELINE_PAGE_MAX). Paging with
 * page->next visits every event once.
 * Errors: -ENOENT (resident_id), -EINVAL (limit).
 */
int tc_rec_timeline_list(struct tc_rec_db *db, int64_t resident_id,
                         const struct tc_rec_timeline_cursor *before,
                         int limit, struct tc_rec_timeline_page **out);
void tc_rec_timeline_page_free(struct tc_rec_timeline_page *page);

/* == Consultation chat == */
/* (schema-chat.c, chat.c) */

#define TC_REC_CHAT_TEXT_MAX 4000
#define TC_REC_CHAT_PAGE_MAX 500

/* One message said in a consultation's live room. */
struct tc_rec_chat_message {
    int64_t consultation_id;
    int64_t seq;     /* 1, 2, ... within the consultation */
    int64_t user_id; /* the author's login */
    int64_t at_us;
    char *text;
};

struct tc_rec_chat_list {
    size_t count;
    struct tc_rec_chat_message *items;
};

/*
 * Keep a chat message with the consultation record; *seq_out (may be
 * NULL) receives its number, one more than the consultation's last. The
 * chat is append-only. Errors: -ENOENT (consultation_id, user_id),
 * -EINVAL (text: 1..4000 bytes, no control characters but newline,
 * carriage return and tab).
 */
int tc_rec_consultation_chat_append(struct tc_rec_db *db,
                                    int64_t consultation_id, int64_t user_id,
                                    int64_t at_us, const char *text,
                                    int64_t *seq_out);

/* The messages of a consultation numbered after `after_seq`, in order, at
 * most `limit` (1..TC_REC_CHAT_PAGE_MAX). Errors: -ENOENT (consultation),
 * -EINVAL (limit). */
int tc_rec_consultation_chat_list(struct tc_rec_db *db,
                                  int64_t consultation_id, int64_t after_seq,
                                  int limit, struct tc_rec_chat_list **out);
void tc_rec_consultation_chat_list_free(struct tc_rec_chat_list *list);

/* == Recordings of live calls == */
/* (schema-recordings.c, recording.c) */

/* One recorded track of a consultation's call. */
struct tc_rec_recording {
    int64_t id;
    int64_t consultation_id;  /* 0 for a rehab session's */
    int64_t rehab_session_id; /* 0 for a consultation's */
    int64_t user_id;          /* whose media */
    char *track;              /* "audio" or "video" */
    char *path;               /* relative to the data directory */
    char *media_type; /* "video/webm", "audio/webm", "video/x-matroska" */
    int64_t started_at_us;
    int64_t duration_ms;
    int64_t size_bytes;
    char sha256[65]; /* lowercase hex */
};

struct tc_rec_recording_list {
    size_t count;
    struct tc_rec_recording *items;
};

/*
 * Keep a finished recording with its consultation; *id_out (may be NULL)
 * receives its id. Recordings are append-only. Errors: -ENOENT
 * (consultation_id, user_id), -EINVAL (the field named), -EEXIST (path).
 */
int tc_rec_recording_add(struct tc_rec_db *db,
                         const struct tc_rec_recording *r, int64_t *id_out);

/* A consultation's recordings by start time (at most 1000). Errors:
 * -ENOENT (consultation). */
int tc_rec_recording_list(struct tc_rec_db *db, int64_t consultation_id,
                          struct tc_rec_recording_list **out);
void tc_rec_recording_list_free(struct tc_rec_recording_list *list);

/* One recording; free its strings with tc_rec_recording_free (not the
 * struct). Errors: -ENOENT. */
int tc_rec_recording_get(struct tc_rec_db *db, int64_t id,
                         struct tc_rec_recording *out);
void tc_rec_recording_free(struct tc_rec_recording *r);

/* Recordings of a live-guided rehab session's call (migration 13,
 * rehab-recording.c): the same rows, kept with the session
 * (r->rehab_session_id; consultation_id is 0). Errors as above, -ENOENT
 * for the session. */
int tc_rec_rehab_live_recording_add(struct tc_rec_db *db,
                                    const struct tc_rec_recording *r,
                                    int64_t *id_out);
int tc_rec_rehab_live_recording_list(struct tc_rec_db *db, int64_t session_id,
                                     struct tc_rec_recording_list **out);
int tc_rec_rehab_live_recording_get(struct tc_rec_db *db, int64_t id,
                                    struct tc_rec_recording *out);

/* == Accounts and sessions == */
/* (account.c, session.c) */

/*
 * Login roles, as in DESIGN.md's security model (distinct from the
 * practitioner roles above: these say what a login may do). Codes as in
 * the core section: from 1, with a to_string/from_string pair.
 */
enum tc_rec_user_role {
    TC_REC_USER_ADMIN = 1,
    TC_REC_USER_AUDITOR,
    TC_REC_USER_DOCTOR,
    TC_REC_USER_SPECIALIST,
    TC_REC_USER_TOWNSHIP_DOCTOR,
    TC_REC_USER_FAMILY_DOCTOR,
    TC_REC_USER_THERAPIST,
    TC_REC_USER_ECG_READER,
    TC_REC_USER_RADIOLOGIST,
    TC_REC_USER_RESIDENT,
    TC_REC_USER_CARER,
};
#define TC_REC_USER_ROLE_MAX    TC_REC_USER_CARER
#define TC_REC_USER_ROLE_BIT(r) (1u << (r))
const char *tc_rec_user_role_to_string(enum tc_rec_user_role role);
int tc_rec_user_role_from_string(const char *s, enum tc_rec_user_role *out);

#define TC_REC_USERNAME_MIN 3
#define TC_REC_USERNAME_MAX 64

/*
 * A login account. username: 3..64 characters of [a-z0-9._-], unique
 * without regard to case. password_hash: a libsodium crypto_pwhash_str
 * string of Argon2id ("$argon2id$..."); records stores it as given and
 * never hashes. The user stands for at most one person: a practitioner,
 * a resident or a carer (the other ids 0). roles: a bit
 * TC_REC_USER_ROLE_BIT(r) per role, at least one; the resident role
 * needs resident_id, the carer role carer_id, and the clinical roles
 * (doctor .. radiologist) practitioner_id. totp_secret: base32 (A-Z2-7,
 * 16..128 characters), sealed (see tc_rec_user_set_totp_secret) or NULL
 * for no second factor. locked_until_us: 0 when not locked.
 */
struct tc_rec_user {
    int64_t id;
    char *username;
    char *password_hash;
    int64_t practitioner_id;
    int64_t resident_id;
    int64_t carer_id;
    unsigned roles;
    bool disabled;
    int failed_logins;
    int64_t locked_until_us;
    char *totp_secret;
    int64_t totp_last_step; /* the last TOTP time step accepted, 0: none */
    int64_t created_at_us;
};

/*
 * Create a user from `u` (username, password_hash, the person link, roles
 * and created_at_us; the other fields are ignored: a new user is enabled,
 * unlocked and has no TOTP secret). On success *id_out is the new id.
 * Errors: -EINVAL (username, password_hash, roles, the link rules,
 * created_at_us), -EEXIST (username taken, in any case), -ENOENT
 * (practitioner_id, resident_id or carer_id names no such person).
 */
int tc_rec_user_create(struct tc_rec_db *db, const struct tc_rec_user *u,
                       int64_t *id_out);

/* Read a user by id, or by username (compared without regard to case).
 * Errors: -ENOENT. Free with tc_rec_user_free(). */
int tc_rec_user_get(struct tc_rec_db *db, int64_t id,
                    struct tc_rec_user **out);
int tc_rec_user_get_by_username(struct tc_rec_db *db, const char *username,
                                struct tc_rec_user **out);
void tc_rec_user_free(struct tc_rec_user *u);

struct tc_rec_user_list {
    size_t count;
    struct tc_rec_user *items;
};

#define TC_REC_USER_PAGE_MAX 500

/* Users by id, id > after_id, at most limit (1..TC_REC_USER_PAGE_MAX).
 * Errors: -EINVAL (limit). */
int tc_rec_user_list(struct tc_rec_db *db, int64_t after_id, int limit,
                     struct tc_rec_user_list **out);
void tc_rec_user_list_free(struct tc_rec_user_list *list);

/* Replace a user's password hash (an Argon2id string, as for create).
 * Sessions are not touched: revoke them with
 * tc_rec_session_revoke_all_for_user() when the change calls for it.
 * Errors: -ENOENT, -EINVAL (password_hash). */
int tc_rec_user_set_password_hash(struct tc_rec_db *db, int64_t id,
                                  const char *password_hash);

/* Replace a user's roles (a bit set as in struct tc_rec_user), checked
 * against the user's person link. Errors: -ENOENT, -EINVAL (roles). */
int tc_rec_user_set_roles(struct tc_rec_db *db, int64_t id, unsigned roles);

/* A TOTP secret sealed by the server (its totp-seal.c) starts with this
 * prefix and goes on in base64; records keeps it as it is given. */
#define TC_REC_TOTP_SEALED_PREFIX "sealed1:"

/* Set or clear (NULL) a user's TOTP secret: base32 (16..128 characters
 * of A-Z2-7), or sealed (TC_REC_TOTP_SEALED_PREFIX then base64, at most
 * 256 characters in all); either forgets the last accepted step.
 * Errors: -ENOENT, -EINVAL (totp_secret). */
int tc_rec_user_set_totp_secret(struct tc_rec_db *db, int64_t id,
                                const char *totp_secret);

/* Replace user id's TOTP secret `old` by `sealed` (the same secret,
 * sealed), keeping the last accepted step. Errors: -ENOENT (no such user,
 * or its secret is no longer `old`), -EINVAL (sealed). */
int tc_rec_user_totp_reseal(struct tc_rec_db *db, int64_t id, const char *old,
                            const char *sealed);

struct tc_rec_totp_secret {
    int64_t id;   /* the user's */
    char *secret; /* as stored: base32 or sealed */
};

struct tc_rec_totp_secret_list {
    size_t count;
    struct tc_rec_totp_secret *items;
};

/* Every user's TOTP secret, by user id (users without one left out).
 * Errors: -EIO, -ENOMEM. Free with tc_rec_totp_secret_list_free(), which
 * overwrites the secrets first. */
int tc_rec_user_totp_secrets(struct tc_rec_db *db,
                             struct tc_rec_totp_secret_list **out);
void tc_rec_totp_secret_list_free(struct tc_rec_totp_secret_list *list);

/*
 * Remember that TOTP step `step` (> 0) was used to log in, so the same
 * code cannot be replayed. Errors: -ENOENT, -EINVAL (step), -EALREADY
 * (step is not later than the last accepted one: a replay).
 */
int tc_rec_user_totp_step_use(struct tc_rec_db *db, int64_t id, int64_t step);

/* Disable or enable a user. A disabled user cannot log in and their
 * sessions are refused. Errors: -ENOENT. */
int tc_rec_user_set_disabled(struct tc_rec_db *db, int64_t id, bool disabled);

/*
 * Count one failed login at now_us. When the count reaches `threshold`
 * (>= 1) the account is locked until now_us + lock_us (lock_us > 0) and
 * the count starts again from 0. *locked_until (may be NULL) is the end of
 * the lock this failure started, or 0. Errors: -ENOENT, -EINVAL
 * (threshold, lock_us, now_us).
 */
int tc_rec_user_login_failed(struct tc_rec_db *db, int64_t id, int64_t now_us,
                             int threshold, int64_t lock_us,
                             int64_t *locked_until);

/* A successful login: forget failed logins and any lock.
 * Errors: -ENOENT. */
int tc_rec_user_login_succeeded(struct tc_rec_db *db, int64_t id);

#define TC_REC_TOKEN_HASH_LEN 32

/*
 * A login session. Only the SHA-256 of its bearer token is stored (the
 * token itself never reaches the database). expires_at_us slides with
 * use; revoked_at_us is 0 while not revoked; client_addr may be NULL.
 */
struct tc_rec_session {
    unsigned char token_hash[TC_REC_TOKEN_HASH_LEN];
    int64_t user_id;
    int64_t created_at_us;
    int64_t last_used_at_us;
    int64_t expires_at_us;
    int64_t revoked_at_us;
    char *client_addr;
};

/*
 * Open a session for user_id at now_us, expiring at now_us + ttl_us
 * unless used. The same call forgets the user's sessions that have
 * expired or been revoked (they can never be used again).
 * Errors: -EINVAL (now_us, ttl_us, client_addr), -ENOENT (user_id),
 * -EEXIST (token_hash already in use).
 */
int tc_rec_session_create(struct tc_rec_db *db,
                          const unsigned char token_hash[32], int64_t user_id,
                          int64_t now_us, int64_t ttl_us,
                          const char *client_addr);

/*
 * Find the live session with `token_hash` at now_us and slide its expiry
 * to now_us + ttl_us. To spare a write per request, the stored times move
 * only when the last one is older than ttl_us / 20 (at most 60 s), so a
 * session may expire up to that much before now_us + ttl_us. On success
 * *user_id is the session's user.
 * Errors: -ENOENT (unknown), -EKEYEXPIRED (expired), -EKEYREVOKED
 * (revoked), -EINVAL (now_us, ttl_us).
 */
int tc_rec_session_lookup(struct tc_rec_db *db,
                          const unsigned char token_hash[32], int64_t now_us,
                          int64_t ttl_us, int64_t *user_id);

/* Read a session (for its times). Errors: -ENOENT. Free with _free(). */
int tc_rec_session_get(struct tc_rec_db *db,
                       const unsigned char token_hash[32],
                       struct tc_rec_session **out);
void tc_rec_session_free(struct tc_rec_session *s);

/* Revoke one session at now_us (revoking twice keeps the first time).
 * Errors: -ENOENT. */
int tc_rec_session_revoke(struct tc_rec_db *db,
                          const unsigned char token_hash[32], int64_t now_us);

/* Revoke every live session of a user at now_us; *n_out (may be NULL)
 * counts them. Errors: -ENOENT (user_id). */
int tc_rec_session_revoke_all_for_user(struct tc_rec_db *db, int64_t user_id,
                                       int64_t now_us, size_t *n_out);

/* Delete every session that expired or was revoked at or before
 * before_us (live ones stay); *n_out (may be NULL) counts them.
 * Errors: -EINVAL (before_us). */
int tc_rec_session_purge(struct tc_rec_db *db, int64_t before_us,
                         size_t *n_out);

/* == Home rehabilitation: library, schedule, attendance, uploads, alerts ==
 * (rehab-library.c, rehab-schedule.c, rehab-attend.c, rehab-upload.c,
 * rehab-alert.c; migration 9) */

/* -- The exercise library (rehab-library.c) -- */

/* A precaution for residents of one disability category. */
struct tc_rec_rehab_precaution_new {
    enum tc_rec_disability category; /* not NONE */
    const char *text;                /* 1..2000 characters */
};

/* A library exercise. created_by 0 makes a built-in one (the county's);
 * a therapist's own names them. Ranges: default_sets 1..20, default_reps
 * 1..200; name 1..200 characters, each instruction text 1..4000. */
struct tc_rec_rehab_library_new {
    const char *name;
    const char *instructions_zh;
    const char *instructions_en;
    int default_sets;
    int default_reps;
    const struct tc_rec_rehab_precaution_new *precautions;
    size_t n_precautions; /* at most one per category */
    int64_t created_by;
    int64_t created_at_us;
};

struct tc_rec_rehab_precaution {
    enum tc_rec_disability category;
    char *text;
};

struct tc_rec_rehab_library_item {
    int64_t id;
    char *name;
    char *instructions_zh;
    char *instructions_en;
    int default_sets;
    int default_reps;
    int64_t created_by; /* 0: built in */
    int64_t created_at_us;
    int64_t video_upload_id; /* the complete demo video's upload, 0: none */
    struct tc_rec_rehab_precaution *precautions;
    size_t n_precautions;
};

struct tc_rec_rehab_library_list {
    size_t count;
    struct tc_rec_rehab_library_item *items; /* without precautions */
};

/* Errors: -EINVAL (a field, a category twice), -ENOENT (created_by). */
int tc_rec_rehab_library_add(struct tc_rec_db *db,
                             const struct tc_rec_rehab_library_new *in,
                             int64_t *id_out);
int tc_rec_rehab_library_get(struct tc_rec_db *db, int64_t id,
                             struct tc_rec_rehab_library_item **out);
void tc_rec_rehab_library_item_free(struct tc_rec_rehab_library_item *item);
/* The whole library by name. */
int tc_rec_rehab_library_list(struct tc_rec_db *db,
                              struct tc_rec_rehab_library_list **out);
void tc_rec_rehab_library_list_free(struct tc_rec_rehab_library_list *list);

/* -- A plan's weekly schedule (rehab-schedule.c) -- */

/* One weekly slot: ISO weekday (1 Monday .. 7 Sunday), local time as
 * minutes after midnight (0..1439) at UTC offset utc_offset_min
 * (-720..840), the session mode and, for live-guided sessions and home
 * visits, the therapist (one of the plan's). */
struct tc_rec_rehab_slot {
    int weekday;
    int minute_of_day;
    int utc_offset_min;
    enum tc_rec_rehab_session_mode mode;
    int64_t therapist_id;
};

/* Replace the plan's schedule (draft or active plans; -EPERM otherwise).
 * Errors: -EINVAL naming "slots[i].field" (a range, a therapist not on
 * the plan, the same weekday and time twice), -ENOENT (plan). */
int tc_rec_rehab_plan_slots_set(struct tc_rec_db *db, int64_t plan_id,
                                const struct tc_rec_rehab_slot *slots,
                                size_t n);
/* The schedule, by weekday and time; *out is malloc'd (free()), NULL
 * when *n_out is 0. */
int tc_rec_rehab_plan_slots_get(struct tc_rec_db *db, int64_t plan_id,
                                struct tc_rec_rehab_slot **out, size_t *n_out);
/* Schedule a session for every slot occurrence on the local days from..to
 * (inclusive, clipped to the plan's period) that has none yet: running it
 * twice schedules nothing new. *n_created counts the new sessions. */
int tc_rec_rehab_plan_sessions_generate(struct tc_rec_db *db, int64_t plan_id,
                                        const char *from, const char *to,
                                        int *n_created);

/* -- Who was in a live session, when (rehab-attend.c) -- */

enum tc_rec_rehab_attend_role {
    TC_REC_REHAB_ROLE_THERAPIST = 1,
    TC_REC_REHAB_ROLE_RESIDENT,
    TC_REC_REHAB_ROLE_CARER,
};

/* PRESENT/ABSENT come from signaling (entered or left the call);
 * MEDIA_START/MEDIA_STOP from the media server (the user's media flowed
 * or stopped): the hook for actual media time. */
enum tc_rec_rehab_attend_event {
    TC_REC_REHAB_PRESENT = 1,
    TC_REC_REHAB_ABSENT,
    TC_REC_REHAB_MEDIA_START,
    TC_REC_REHAB_MEDIA_STOP,
};

const char *
tc_rec_rehab_attend_role_to_string(enum tc_rec_rehab_attend_role r);
const char *
tc_rec_rehab_attend_event_to_string(enum tc_rec_rehab_attend_event e);

/* Append one event of a live-guided session. Errors: -ENOENT (session,
 * user), -EPERM (not a live-guided session), -EINVAL (a code). */
int tc_rec_rehab_attendance_add(struct tc_rec_db *db, int64_t session_id,
                                int64_t user_id,
                                enum tc_rec_rehab_attend_role role,
                                enum tc_rec_rehab_attend_event event,
                                int64_t at_us);

struct tc_rec_rehab_attend_entry {
    int64_t user_id;
    enum tc_rec_rehab_attend_role role;
    enum tc_rec_rehab_attend_event event;
    int64_t at_us;
};

/* Durations worked out from the events: a user's time runs from PRESENT
 * to the next ABSENT (an interval still open ends at the session's end,
 * or at now_us while it runs); media time likewise from MEDIA_START to
 * MEDIA_STOP. together_us is the time a therapist and the resident's
 * side (resident or carer) were both present. */
/* One user's share of a live session: time present (signaling) and
 * time their own media flowed into the server (the media server's
 * MEDIA_START/MEDIA_STOP): 0 for someone who joined but never sent. */
struct tc_rec_rehab_person {
    int64_t user_id;
    enum tc_rec_rehab_attend_role role;
    int64_t present_us;
    int64_t media_us;
};

struct tc_rec_rehab_presence {
    int64_t therapist_us;
    int64_t resident_us; /* the resident or a carer present */
    int64_t together_us;
    int64_t media_us;    /* any media flowing; 0 until media reports */
    int64_t first_at_us; /* first PRESENT, 0: nobody came */
    int64_t last_at_us;  /* last event */
    size_t n_entries;
    struct tc_rec_rehab_attend_entry *entries; /* in time order */
    size_t n_people;
    struct tc_rec_rehab_person *people; /* by first appearance */
};

int tc_rec_rehab_attendance_get(struct tc_rec_db *db, int64_t session_id,
                                int64_t now_us,
                                struct tc_rec_rehab_presence **out);
void tc_rec_rehab_attendance_free(struct tc_rec_rehab_presence *a);

/* A therapist marks set `set_no` (1..the exercise's sets) of a plan
 * exercise done in an in-progress session. Errors: -EEXIST (marked
 * already: nothing is counted twice), -EPERM (session not in progress),
 * -EINVAL (exercise of another plan, set_no out of range). */
int tc_rec_rehab_set_mark(struct tc_rec_db *db, int64_t session_id,
                          int64_t exercise_id, int set_no, int64_t by,
                          int64_t at_us);
/* Sets marked done in a session, and the sets its plan prescribes. */
int tc_rec_rehab_set_count(struct tc_rec_db *db, int64_t session_id, int *done,
                           int *prescribed);

/* -- Resumable uploads: recordings, demo videos (rehab-upload.c) -- */

/*
 *   OPEN --(received == size) verify--> VERIFYING --accept--> COMPLETE
 *                                           |
 *                                           +--reject--> REJECTED
 */
enum tc_rec_rehab_upload_status {
    TC_REC_REHAB_UPLOAD_OPEN = 1,
    TC_REC_REHAB_UPLOAD_VERIFYING,
    TC_REC_REHAB_UPLOAD_COMPLETE,
    TC_REC_REHAB_UPLOAD_REJECTED,
};

const char *
tc_rec_rehab_upload_status_to_string(enum tc_rec_rehab_upload_status s);

/* An upload for a self-guided session's recording (session_id) or a
 * library exercise's demo video (library_id): exactly one of them. */
struct tc_rec_rehab_upload_new {
    int64_t session_id;
    int64_t library_id;
    int64_t owner_user_id;
    int64_t size_bytes;
    const char *sha256; /* 64 lower-case hex digits of the whole file */
    int64_t at_us;
};

struct tc_rec_rehab_upload {
    int64_t id;
    int64_t session_id; /* 0 for a demo video */
    int64_t library_id; /* 0 for a recording */
    int64_t owner_user_id;
    int64_t size_bytes;
    char sha256[65];
    int64_t received_bytes;
    int n_chunks;
    enum tc_rec_rehab_upload_status status;
    char *status_reason; /* why it was rejected, or NULL */
    char *mime;          /* once complete */
    int64_t duration_ms; /* once complete */
    int64_t created_at_us;
    int64_t updated_at_us;
};

/*
 * Open an upload. A recording needs a self-guided session in progress or
 * completed without a complete recording, and a standing recording
 * consent on its plan. Errors: -EINVAL (size, sha256), -ENOENT (session,
 * exercise, user), -EPERM (another mode; a session scheduled, missed or
 * cancelled; no consent), -EEXIST (an upload of the session is open
 * already, or its recording is complete).
 */
int tc_rec_rehab_upload_create(struct tc_rec_db *db,
                               const struct tc_rec_rehab_upload_new *in,
                               int64_t *id_out);
int tc_rec_rehab_upload_get(struct tc_rec_db *db, int64_t id,
                            struct tc_rec_rehab_upload **out);
void tc_rec_rehab_upload_free(struct tc_rec_rehab_upload *u);

/* Record `len` bytes written at `offset`. Errors: -ERANGE (offset is not
 * the bytes received so far: the message says how many), -EMSGSIZE (past
 * the declared size), -EPERM (not open). */
int tc_rec_rehab_upload_advance(struct tc_rec_db *db, int64_t id,
                                int64_t offset, int64_t len, int64_t at_us);
/* OPEN with every byte received -> VERIFYING (-EPERM otherwise). */
int tc_rec_rehab_upload_verify(struct tc_rec_db *db, int64_t id,
                               int64_t at_us);
/* VERIFYING -> COMPLETE: the session's recording_ref becomes
 * "upload:<id>", or the library exercise's video this upload. */
int tc_rec_rehab_upload_accept(struct tc_rec_db *db, int64_t id,
                               const char *mime, int64_t duration_ms,
                               int64_t at_us);
/* VERIFYING -> REJECTED with a reason (checksum, not a video). */
int tc_rec_rehab_upload_reject(struct tc_rec_db *db, int64_t id,
                               const char *reason, int64_t at_us);
/* The complete recording of a session: -ENOENT when there is none. */
int tc_rec_rehab_upload_of_session(struct tc_rec_db *db, int64_t session_id,
                                   int64_t *upload_id);

/* The upload of a session that is open or verifying: -ENOENT (no error
 * text) when there is none. */
int tc_rec_rehab_upload_open_of_session(struct tc_rec_db *db,
                                        int64_t session_id,
                                        int64_t *upload_id);

/* After a restart: uploads left VERIFYING (their check died with the
 * old process) go back to OPEN with every byte received, so the client's
 * finishing request verifies them again. *n_out counts them. */
int tc_rec_rehab_uploads_reopen_verifying(struct tc_rec_db *db, int *n_out);

/* The resident's consent to be recorded in a plan's sessions (given or
 * withdrawn by `user_id`, the resident or a carer; the caller checks
 * who). Give: -EEXIST when one stands; withdraw: -ENOENT when none.
 * Recordings (uploads of a session) need a standing consent. */
int tc_rec_rehab_recording_consent_set(struct tc_rec_db *db, int64_t plan_id,
                                       int64_t user_id, int64_t at_us,
                                       bool give);
int tc_rec_rehab_recording_consent(struct tc_rec_db *db, int64_t plan_id,
                                   bool *out);

/* Completed self-guided sessions awaiting review on the plans where
 * `practitioner_id` is a therapist, oldest first (ids; free()). */
int tc_rec_rehab_review_queue(struct tc_rec_db *db, int64_t practitioner_id,
                              int64_t **ids_out, size_t *n_out);

/* -- Alerts (rehab-alert.c) -- */

enum tc_rec_rehab_alert_kind {
    TC_REC_REHAB_ALERT_MISSED_IN_A_ROW = 1, /* 3 scheduled ones missed */
    TC_REC_REHAB_ALERT_PAIN_UP,             /* +3 over the last report */
    TC_REC_REHAB_ALERT_NO_SESSION,          /* 14 days in an active plan */
};

#define TC_REC_REHAB_ALERT_MISSED_RUN 3
#define TC_REC_REHAB_ALERT_PAIN_DELTA 3
#define TC_REC_REHAB_ALERT_QUIET_DAYS 14

const char *tc_rec_rehab_alert_kind_to_string(enum tc_rec_rehab_alert_kind k);

struct tc_rec_rehab_alert {
    int64_t id;
    int64_t plan_id;
    int64_t resident_id;
    enum tc_rec_rehab_alert_kind kind;
    int64_t session_id; /* the session that raised it, 0: none */
    int value;          /* misses in the run, pain increase, or quiet days */
    int64_t raised_at_us;
    int64_t acknowledged_by; /* 0: open */
    int64_t acknowledged_at_us;
};

struct tc_rec_rehab_alert_list {
    size_t count;
    struct tc_rec_rehab_alert *items;
};

/*
 * Evaluate the rules on an active plan at now_us and store what is due
 * and not raised before (each alert has a trigger: the first session of
 * a missed run, the session whose pain rose, the day the quiet stretch
 * began), so evaluating again raises nothing twice. *raised (may be NULL)
 * lists the alerts this call stored. A plan that is not active raises
 * nothing.
 *   missed_in_a_row: the latest sessions that are not cancelled, by
 *     scheduled time, end in >= 3 missed ones;
 *   pain_up: a completed session's pain_after is >= 3 above the pain
 *     reported before it (that session's pain_before, else the previous
 *     session's pain_after);
 *   no_session: no session completed for >= 14 days (counted from the
 *     last completed session's start, else the plan's first day).
 */
int tc_rec_rehab_alerts_evaluate(struct tc_rec_db *db, int64_t plan_id,
                                 int64_t now_us,
                                 struct tc_rec_rehab_alert_list **raised);

/* Mark missed every scheduled session of an active plan whose scheduled
 * time is more than grace_us before now_us; the ids of the plans touched
 * into *plan_ids (free(); NULL when none). */
int tc_rec_rehab_sessions_miss_overdue(struct tc_rec_db *db, int64_t now_us,
                                       int64_t grace_us, int64_t **plan_ids,
                                       size_t *n_plans);
/* The active plans with no completed session for 14 days or more at
 * now_us whose quiet stretch has no alert yet (the no_session rule's
 * candidates; free()). */
int tc_rec_rehab_plans_quiet(struct tc_rec_db *db, int64_t now_us,
                             int64_t **ids_out, size_t *n_out);
/* The ids of every active plan (free()). */
int tc_rec_rehab_plans_active(struct tc_rec_db *db, int64_t **ids_out,
                              size_t *n_out);

/* A plan's alerts, newest first; or those of every plan on which
 * `practitioner_id` is a therapist or a member of the contract's team
 * (open_only: not acknowledged). */
int tc_rec_rehab_alert_list_plan(struct tc_rec_db *db, int64_t plan_id,
                                 struct tc_rec_rehab_alert_list **out);
int tc_rec_rehab_alert_list_for(struct tc_rec_db *db, int64_t practitioner_id,
                                bool open_only,
                                struct tc_rec_rehab_alert_list **out);
void tc_rec_rehab_alert_list_free(struct tc_rec_rehab_alert_list *list);
int tc_rec_rehab_alert_get(struct tc_rec_db *db, int64_t id,
                           struct tc_rec_rehab_alert *out);
/* Acknowledge an open alert (-EEXIST when acknowledged already). */
int tc_rec_rehab_alert_acknowledge(struct tc_rec_db *db, int64_t id,
                                   int64_t by, int64_t at_us);
/* Whether `practitioner_id` receives the plan's alerts: a therapist on
 * it, or a member of its contract's team. */
int tc_rec_rehab_alert_is_recipient(struct tc_rec_db *db, int64_t plan_id,
                                    int64_t practitioner_id, bool *out);
/* The user accounts that receive a plan's alerts (free()). */
int tc_rec_rehab_alert_recipients(struct tc_rec_db *db, int64_t plan_id,
                                  int64_t **user_ids, size_t *n_out);
/* == Tiered care: departments, referrals, on-call rota, emergencies == */
/* (schema-referral.c, department.c, referral.c, referral-read.c,
 *  referral-stats.c, oncall.c, emergency.c, emergency-read.c,
 *  fhir-referral.c) */

/* ---- Departments ---- */

/*
 * A hospital department: a specialty code ("cardiology": [a-z_], 1..40
 * bytes) unique within its organization, a name, and optionally its head
 * (who edits its on-call rota). A practitioner works in a department when
 * they hold a role at its organization whose department is the code, or
 * head it. org_kind is filled by the readers.
 */
struct tc_rec_department {
    int64_t id;
    int64_t organization_id;
    char *code;
    char *name;
    int64_t head_id; /* 0: none */
    enum tc_rec_org_kind org_kind;
    int64_t created_at_us;
};

/* Errors: -ENOENT (organization_id, head_id), -EINVAL (code, name,
 * created_at_us), -EEXIST (the code at that organization). */
int tc_rec_department_create(struct tc_rec_db *db,
                             const struct tc_rec_department *d,
                             int64_t *id_out);
/* Errors: -ENOENT. */
int tc_rec_department_get(struct tc_rec_db *db, int64_t id,
                          struct tc_rec_department **out);
void tc_rec_department_free(struct tc_rec_department *d);
/* Name the head (0: none). Errors: -ENOENT (id, head_id). */
int tc_rec_department_set_head(struct tc_rec_db *db, int64_t id,
                               int64_t head_id);

struct tc_rec_department_list {
    size_t count;
    struct tc_rec_department *items; /* by organization, then code */
};

/* The departments of an organization (0: every one), optionally of one
 * code (NULL: any). */
int tc_rec_department_list(struct tc_rec_db *db, int64_t organization_id,
                           const char *code,
                           struct tc_rec_department_list **out);
void tc_rec_department_list_free(struct tc_rec_department_list *list);

/* Whether practitioner_id works in department_id (see above). */
int tc_rec_department_has_member(struct tc_rec_db *db, int64_t department_id,
                                 int64_t practitioner_id, bool *out);

/* ---- Referrals ---- */

/*
 * Up: a township (or family) doctor refers a resident to a county
 * department, or a named doctor of it. Down: the county department sends
 * the resident back to the township clinic and their family-doctor team,
 * with a discharge summary and a follow-up plan that is added to the
 * resident's active contract's follow-up schedule; a down-referral that
 * names its up-referral (parent_id) completes it.
 *
 *   REQUESTED --accept (up: appointment or admission date)--> ACCEPTED
 *      |  +--decline (reason)--> DECLINED           |
 *      +--cancel (the sender)--> CANCELLED           +--down-referral-->
 *                                                         COMPLETED
 */
enum tc_rec_referral_direction {
    TC_REC_REFERRAL_UP = 1,
    TC_REC_REFERRAL_DOWN,
};
enum tc_rec_referral_status {
    TC_REC_REFERRAL_REQUESTED = 1,
    TC_REC_REFERRAL_ACCEPTED,
    TC_REC_REFERRAL_DECLINED,
    TC_REC_REFERRAL_COMPLETED,
    TC_REC_REFERRAL_CANCELLED,
};
const char *
tc_rec_referral_direction_to_string(enum tc_rec_referral_direction d);
int tc_rec_referral_direction_from_string(const char *s,
                                          enum tc_rec_referral_direction *out);
const char *tc_rec_referral_status_to_string(enum tc_rec_referral_status s);
int tc_rec_referral_status_from_string(const char *s,
                                       enum tc_rec_referral_status *out);

/* One item of a down-referral's follow-up plan: a kind ([a-z_], 1..40)
 * due by a date inside the active contract's period. */
struct tc_rec_followup_plan_item {
    const char *kind;
    const char *due_date;
};

#define TC_REC_REFERRAL_STUDIES_MAX 20
#define TC_REC_REFERRAL_PLAN_MAX    24

/*
 * A new referral. Up: department_id (asked) is required; clinic_id 0
 * means the township clinic where from_id holds a role (required when
 * several); to_practitioner_id (optional) must work in the department.
 * Down: parent_id (an accepted up-referral) or department_id (the
 * department sending: from_id must work in it) is required; clinic_id 0
 * means the parent's clinic, else the clinic of the resident's team;
 * team_id is the team of the resident's active contract (none: the plan
 * must be empty). Studies must be the resident's. summary: the clinical
 * summary (up) or the discharge summary (down, required). emergency_id
 * (optional, up only): the emergency consultation of the same resident
 * after which the patient is transferred; the emergency then links to
 * the referral.
 */
struct tc_rec_referral_new {
    enum tc_rec_referral_direction direction;
    int64_t resident_id;
    int64_t from_id;
    int64_t department_id;
    int64_t clinic_id;
    int64_t to_practitioner_id;
    int64_t parent_id;
    enum tc_rec_consultation_priority urgency;
    const char *reason;
    const char *summary;
    const int64_t *ecg_study_ids;
    size_t n_ecg_studies;
    const int64_t *imaging_study_ids;
    size_t n_imaging_studies;
    const struct tc_rec_followup_plan_item *plan;
    size_t n_plan;
    int64_t emergency_id;
    int64_t at_us;
};

struct tc_rec_referral {
    int64_t id;
    enum tc_rec_referral_direction direction;
    int64_t resident_id;
    int64_t from_id;
    int64_t department_id;
    int64_t clinic_id;
    int64_t team_id;            /* 0: none */
    int64_t to_practitioner_id; /* 0: none */
    int64_t parent_id;          /* 0: none */
    enum tc_rec_consultation_priority urgency;
    char *reason;
    char *summary; /* may be NULL */
    enum tc_rec_referral_status status;
    int64_t requested_at_us;
    int64_t answered_by; /* 0 until accepted or declined */
    int64_t answered_at_us;
    int64_t appointment_at_us; /* 0: none */
    char *admission_date;      /* NULL: none */
    char *decline_reason;      /* NULL: none */
    int64_t completed_at_us;
    int64_t child_id; /* the down-referral that completed it, 0: none */
    int64_t *ecg_study_ids;
    size_t n_ecg_studies;
    int64_t *imaging_study_ids;
    size_t n_imaging_studies;
    int64_t *followup_ids; /* the follow-ups a down-referral scheduled */
    size_t n_followups;
};

/* Errors: -EINVAL (a field, named), -ENOENT (a referenced record),
 * -EPERM (parent not accepted). */
int tc_rec_referral_create(struct tc_rec_db *db,
                           const struct tc_rec_referral_new *in,
                           int64_t *id_out);
/* Accept: `by` must be a receiver (tc_rec_referral_is_receiver); an
 * up-referral needs an appointment (instant) or an admission date.
 * Errors: -ENOENT, -EPERM (status; not a receiver), -EINVAL. */
int tc_rec_referral_accept(struct tc_rec_db *db, int64_t id, int64_t by,
                           int64_t at_us, int64_t appointment_at_us,
                           const char *admission_date);
/* Decline with a reason (required). Errors as accept. */
int tc_rec_referral_decline(struct tc_rec_db *db, int64_t id, int64_t by,
                            int64_t at_us, const char *reason);
/* Cancel a requested referral: only its sender. */
int tc_rec_referral_cancel(struct tc_rec_db *db, int64_t id, int64_t by,
                           int64_t at_us);
int tc_rec_referral_get(struct tc_rec_db *db, int64_t id,
                        struct tc_rec_referral **out);
void tc_rec_referral_free(struct tc_rec_referral *r);

/* Whether practitioner_id receives `r`: up, the named doctor or one who
 * works in the department; down, a member of the team or one holding a
 * role at the clinic. */
int tc_rec_referral_is_receiver(struct tc_rec_db *db,
                                const struct tc_rec_referral *r,
                                int64_t practitioner_id, bool *out);

enum tc_rec_referral_box {
    TC_REC_REFERRAL_INCOMING = 1, /* the practitioner receives them */
    TC_REC_REFERRAL_OUTGOING,     /* the practitioner sent them */
    TC_REC_REFERRAL_OF_RESIDENT,  /* every referral of a resident */
    TC_REC_REFERRAL_OF_TEAMS,     /* of the residents of the family-doctor
                                     teams the practitioner is on */
};

struct tc_rec_referral_list {
    size_t count;
    struct tc_rec_referral *items; /* newest first; no study/plan lists */
};

#define TC_REC_REFERRAL_PAGE_MAX 200

/* The referrals in `box` of `who` (a practitioner, or the resident for
 * OF_RESIDENT), newest first, id < before_id (0: from the newest), at
 * most limit. Errors: -EINVAL (box, limit). */
int tc_rec_referral_list(struct tc_rec_db *db, enum tc_rec_referral_box box,
                         int64_t who, int64_t before_id, int limit,
                         struct tc_rec_referral_list **out);
void tc_rec_referral_list_free(struct tc_rec_referral_list *list);

/*
 * Statistics over referrals requested from..to (dates, inclusive, UTC):
 * per township (of the township clinic) and per department. up, down:
 * referrals sent; accepted, declined: of those, answered so; accept_s_*:
 * seconds from request to acceptance over the accepted ones (0 when
 * none).
 */
struct tc_rec_referral_tally {
    char *township;        /* township rows */
    int64_t department_id; /* department rows */
    char *code;            /* department rows */
    int64_t organization_id;
    int64_t up, down, accepted, declined;
    double accept_s_avg;
    double accept_s_max;
};
struct tc_rec_referral_stats {
    size_t n_townships;
    struct tc_rec_referral_tally *townships; /* by name */
    size_t n_departments;
    struct tc_rec_referral_tally *departments; /* by id */
};
int tc_rec_referral_stats_get(struct tc_rec_db *db, const char *from,
                              const char *to,
                              struct tc_rec_referral_stats **out);
void tc_rec_referral_stats_free(struct tc_rec_referral_stats *s);

/* ---- On-call rota ---- */

struct tc_rec_oncall_shift {
    int64_t id;
    int64_t department_id;
    int64_t practitioner_id;
    int64_t starts_at_us;
    int64_t ends_at_us; /* exclusive */
    int64_t created_at_us;
};

/* Add a shift: the practitioner must work in the department.
 * Errors: -ENOENT (department, practitioner), -EINVAL (practitioner_id:
 * not of the department; ends_at_us: not after starts_at_us;
 * created_at_us). */
int tc_rec_oncall_add(struct tc_rec_db *db,
                      const struct tc_rec_oncall_shift *s, int64_t *id_out);
/* Errors: -ENOENT. */
int tc_rec_oncall_get(struct tc_rec_db *db, int64_t id,
                      struct tc_rec_oncall_shift *out);
int tc_rec_oncall_remove(struct tc_rec_db *db, int64_t id);

struct tc_rec_oncall_list {
    size_t count;
    struct tc_rec_oncall_shift *items; /* by start */
};

/* The shifts of a department (0: all) overlapping [from_us, to_us). */
int tc_rec_oncall_list(struct tc_rec_db *db, int64_t department_id,
                       int64_t from_us, int64_t to_us,
                       struct tc_rec_oncall_list **out);
void tc_rec_oncall_list_free(struct tc_rec_oncall_list *list);

/* The practitioners on call at at_us for a department of `code` at an
 * organization of `kind`, without repeats, into a malloc'd array (NULL
 * when *n_out is 0). */
int tc_rec_oncall_now(struct tc_rec_db *db, const char *code,
                      enum tc_rec_org_kind kind, int64_t at_us,
                      int64_t **ids_out, size_t *n_out);

/* ---- Emergency consultations ---- */

/*
 * A township doctor raises an emergency for a resident and a department
 * (its code sets the specialty; tier 1 is the county hospital, tier 2
 * the partner city hospitals). The server rings the on-call specialists
 * who are online; the first to accept gets a consultation (requested of
 * them, accepted) whose room the requester and they join.
 *
 *   RINGING --accept--> ACCEPTED --joined--> JOINED --end--> ENDED
 *     |  ^                 |                   |
 *     |  +----dropped------+-------------------+   (ring again)
 *     +--no tier left--> UNANSWERED
 *     +--end (requester)--> CANCELLED          ACCEPTED --end--> ENDED
 *
 * Every step is appended to the emergency's log with its time.
 */
enum tc_rec_emergency_status {
    TC_REC_EMERGENCY_RINGING = 1,
    TC_REC_EMERGENCY_ACCEPTED,
    TC_REC_EMERGENCY_JOINED,
    TC_REC_EMERGENCY_ENDED,
    TC_REC_EMERGENCY_UNANSWERED,
    TC_REC_EMERGENCY_CANCELLED,
};
const char *tc_rec_emergency_status_to_string(enum tc_rec_emergency_status s);

#define TC_REC_EMERGENCY_TIERS 2

struct tc_rec_emergency_event {
    int64_t seq;
    int64_t at_us;
    char kind[16]; /* raised, rung, no_one_on_call, escalated, accepted,
                      taken, joined, dropped, ended, unanswered,
                      cancelled, timeout */
    int tier;
    int64_t practitioner_id; /* 0: none */
};

struct tc_rec_emergency {
    int64_t id;
    int64_t resident_id;
    int64_t requester_id;
    int64_t department_id;
    char *code; /* the department's */
    char *reason;
    enum tc_rec_emergency_status status;
    int tier;
    int64_t raised_at_us;
    int64_t ring_deadline_us; /* 0 unless ringing */
    int64_t accepted_by;
    int64_t accepted_at_us;
    int64_t joined_at_us;
    int64_t ended_at_us;
    int64_t consultation_id;
    int64_t referral_id; /* the transfer that followed it, 0: none */
    struct tc_rec_emergency_event *events; /* in order */
    size_t n_events;
};

/* Raise: RINGING at the department's tier, no one rung yet.
 * Errors: -ENOENT (resident, requester, department), -EINVAL (reason,
 * at_us; department_id: not at a county or city hospital). */
int tc_rec_emergency_raise(struct tc_rec_db *db, int64_t resident_id,
                           int64_t requester_id, int64_t department_id,
                           const char *reason, int64_t at_us, int64_t *id_out);
/*
 * Ring `n` practitioners at `tier` until deadline_us (a ringing
 * emergency; a tier above the current one logs `escalated`). Each is
 * logged `rung`; with n == 0, `no_one_on_call`. Errors: -ENOENT, -EPERM
 * (not ringing), -EINVAL (tier).
 */
int tc_rec_emergency_ring(struct tc_rec_db *db, int64_t id, int tier,
                          const int64_t *practitioner_ids, size_t n,
                          int64_t at_us, int64_t deadline_us);
/* Log a step that changes no state (`timeout`, `taken`). */
int tc_rec_emergency_note(struct tc_rec_db *db, int64_t id, const char *kind,
                          int64_t practitioner_id, int64_t at_us);
/*
 * Accept: the first practitioner rung at the current tier to call it
 * wins; a later one gets -EPERM ("already taken"). The winner gets a
 * consultation (emergency priority, requested of them and accepted) or,
 * after a drop, joins the existing one as a participant.
 * Errors: -ENOENT, -EPERM (not ringing; not rung).
 */
int tc_rec_emergency_accept(struct tc_rec_db *db, int64_t id, int64_t by,
                            int64_t at_us, int64_t *consultation_id_out);
/* The accepted specialist entered the room (ACCEPTED -> JOINED); left it
 * before the end (-> RINGING, ring again). -EPERM from other states. */
int tc_rec_emergency_joined(struct tc_rec_db *db, int64_t id, int64_t by,
                            int64_t at_us);
int tc_rec_emergency_dropped(struct tc_rec_db *db, int64_t id, int64_t by,
                             int64_t at_us);
/* No tier left: UNANSWERED. -EPERM unless ringing. */
int tc_rec_emergency_unanswered(struct tc_rec_db *db, int64_t id,
                                int64_t at_us);
/* End: the requester or the specialist; a ringing one is CANCELLED.
 * Errors: -EPERM (already over; `by` neither). */
int tc_rec_emergency_end(struct tc_rec_db *db, int64_t id, int64_t by,
                         int64_t at_us);
int tc_rec_emergency_get(struct tc_rec_db *db, int64_t id,
                         struct tc_rec_emergency **out);
void tc_rec_emergency_free(struct tc_rec_emergency *e);
/* The ids of every RINGING, ACCEPTED or JOINED emergency (malloc'd). */
int tc_rec_emergency_open_ids(struct tc_rec_db *db, int64_t **ids_out,
                              size_t *n_out);
/* The open emergency whose consultation is consultation_id: -ENOENT. */
int tc_rec_emergency_by_consultation(struct tc_rec_db *db,
                                     int64_t consultation_id, int64_t *out);

/* Per department code, over emergencies raised from..to (dates, UTC):
 * raised, joined (a specialist joined), unanswered; seconds from raised
 * to the first specialist joined (from the log): average, median, max. */
struct tc_rec_emergency_tally {
    char *code;
    int64_t raised, joined, unanswered;
    double join_s_avg, join_s_median, join_s_max;
};
struct tc_rec_emergency_stats {
    size_t count;
    struct tc_rec_emergency_tally *items; /* by code */
};
int tc_rec_emergency_stats_get(struct tc_rec_db *db, const char *from,
                               const char *to,
                               struct tc_rec_emergency_stats **out);
void tc_rec_emergency_stats_free(struct tc_rec_emergency_stats *s);

/* ---- The media profile of a live call (media-profile.c) ----
 *
 * How much a call's video may use on its links: normal (as the
 * publishers' browsers choose), low (video capped, e.g. 150 kbit/s at
 * half size, for rural links) or audio (no video). Kept per consultation
 * or rehab session once someone chose one; without a row the server's
 * configured default applies.
 */
enum tc_rec_media_profile {
    TC_REC_MEDIA_PROFILE_NORMAL = 1,
    TC_REC_MEDIA_PROFILE_LOW,
    TC_REC_MEDIA_PROFILE_AUDIO,
};
/* "normal", "low", "audio"; NULL outside the enum. */
const char *tc_rec_media_profile_to_string(enum tc_rec_media_profile p);
/* -EINVAL (and *out untouched) for anything but the three names. */
int tc_rec_media_profile_from_string(const char *s,
                                     enum tc_rec_media_profile *out);

/* Whose profile: a consultation's or a rehab session's. */
enum tc_rec_media_profile_owner {
    TC_REC_MEDIA_PROFILE_CONSULTATION = 1,
    TC_REC_MEDIA_PROFILE_REHAB_SESSION,
};

struct tc_rec_media_profile_row {
    enum tc_rec_media_profile profile;
    int64_t set_by; /* user id */
    int64_t set_at_us;
};

/*
 * Set (or replace) the profile of consultation or rehab session `id`.
 * Errors: -ENOENT (no such record, or set_by names no user), -EINVAL
 * (profile).
 */
int tc_rec_media_profile_set(struct tc_rec_db *db,
                             enum tc_rec_media_profile_owner owner, int64_t id,
                             enum tc_rec_media_profile profile, int64_t set_by,
                             int64_t at_us);
/*
 * The profile chosen for the record: 0 with *out filled; -ENOENT when
 * none was chosen (or the record does not exist: errmsg says which);
 * -EINVAL for an unknown owner.
 */
int tc_rec_media_profile_get(struct tc_rec_db *db,
                             enum tc_rec_media_profile_owner owner, int64_t id,
                             struct tc_rec_media_profile_row *out);

#ifdef __cplusplus
}
#endif

#endif
