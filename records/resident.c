// SPDX-License-Identifier: Apache-2.0
/*
 * resident.c - residents: the PRC resident ID number validator,
 * registration, demographic updates, look-ups and a township search.
 *
 * The resident ID number (GB 11643-1999) is 18 characters:
 *
 *   RRRRRR YYYYMMDD SSS C
 *   region birth    seq check: ISO 7064 MOD 11-2 over the first 17 digits
 *                    \-- the last digit of SSS: odd male, even female
 *
 * Invariants: a stored resident's id_number is valid, agrees with its
 * birth_date and sex, is unique and never changes; the disability
 * certificate is complete (number, category, grade) or absent (the schema
 * checks it too); health_card_no is unique when present.
 * Error texts name the field and the rule, never the value (an ID number
 * is patient data and error texts may reach a log).
 *
 * Thread: the handle's thread; tc_rec_resident_id_check() and
 * tc_rec_resident_id_decode() are pure and run on any thread.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

#define NAME_MAX_LEN  100
#define PLACE_MAX_LEN 100
#define CARD_MAX_LEN  32
#define PHONE_MIN_DIG 7
#define PHONE_MAX_DIG 15

static const char *const sex_codes[] = {
    [TC_REC_SEX_MALE] = "male",
    [TC_REC_SEX_FEMALE] = "female",
};
#define N_SEXES (int)(sizeof(sex_codes) / sizeof(sex_codes[0]))

static const char *const disability_codes[] = {
    [TC_REC_DISABILITY_VISUAL] = "visual",
    [TC_REC_DISABILITY_HEARING] = "hearing",
    [TC_REC_DISABILITY_SPEECH] = "speech",
    [TC_REC_DISABILITY_PHYSICAL] = "physical",
    [TC_REC_DISABILITY_INTELLECTUAL] = "intellectual",
    [TC_REC_DISABILITY_MENTAL] = "mental",
    [TC_REC_DISABILITY_MULTIPLE] = "multiple",
};
#define N_DISABILITIES                                                        \
    (int)(sizeof(disability_codes) / sizeof(disability_codes[0]))

const char *
tc_rec_sex_to_string(enum tc_rec_sex sex)
{
    return tc_rec__code_name(sex_codes, N_SEXES, (int)sex);
}

int
tc_rec_sex_from_string(const char *s, enum tc_rec_sex *out)
{
    int i;
    int rc = tc_rec__code_parse(sex_codes, N_SEXES, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_sex)i;
    }
    return rc;
}

const char *
tc_rec_disability_to_string(enum tc_rec_disability category)
{
    return tc_rec__code_name(disability_codes, N_DISABILITIES, (int)category);
}

int
tc_rec_disability_from_string(const char *s, enum tc_rec_disability *out)
{
    int i;
    int rc = tc_rec__code_parse(disability_codes, N_DISABILITIES, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_disability)i;
    }
    return rc;
}

/* ---- The resident ID number ---- */

__attribute__((format(printf, 3, 4))) static int
id_invalid(char *why, size_t why_len, const char *fmt, ...)
{
    va_list ap;

    if (why && why_len > 0) {
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

int
tc_rec_resident_id_check(const char *id_number, char *why, size_t why_len)
{
    static const int weights[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                    3, 7, 9,  10, 5, 8, 4, 2};
    static const char checks[] = "10X98765432";
    char date[11];
    size_t len;
    int sum = 0;

    if (!id_number) {
        return id_invalid(why, why_len, "id_number: required");
    }
    len = strnlen(id_number, TC_REC_RESIDENT_ID_LEN + 1);
    if (len != TC_REC_RESIDENT_ID_LEN) {
        return id_invalid(why, why_len, "id_number: must be 18 characters");
    }
    for (int i = 0; i < 17; i++) {
        if (id_number[i] < '0' || id_number[i] > '9') {
            return id_invalid(why, why_len,
                              "id_number: character %d is not a digit", i + 1);
        }
        sum += (id_number[i] - '0') * weights[i];
    }
    if ((id_number[17] < '0' || id_number[17] > '9') && id_number[17] != 'X') {
        return id_invalid(why, why_len,
                          "id_number: character 18 must be a digit or X");
    }
    if (id_number[17] != checks[sum % 11]) {
        return id_invalid(why, why_len,
                          "id_number: check digit does not match");
    }
    snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", id_number + 6,
             id_number + 10, id_number + 12);
    if (!tc_rec__date_valid(date)) {
        return id_invalid(why, why_len,
                          "id_number: characters 7-14 are not a real "
                          "birth date");
    }
    return 0;
}

int
tc_rec_resident_id_decode(const char *id_number, char birth_date[11],
                          enum tc_rec_sex *sex)
{
    if (tc_rec_resident_id_check(id_number, NULL, 0) < 0) {
        return -EINVAL;
    }
    snprintf(birth_date, 11, "%.4s-%.2s-%.2s", id_number + 6, id_number + 10,
             id_number + 12);
    *sex = (id_number[16] - '0') % 2 ? TC_REC_SEX_MALE : TC_REC_SEX_FEMALE;
    return 0;
}

/* ---- Validation ---- */

static int
check_phone(struct tc_rec_db *db, const char *phone)
{
    int digits = 0;

    if (!phone) {
        return 0;
    }
    for (const char *p = phone; *p; p++) {
        bool digit = *p >= '0' && *p <= '9';
        bool plus_first = *p == '+' && p == phone;
        bool dash_between = *p == '-' && p > phone && p[-1] >= '0' &&
                            p[-1] <= '9' && p[1] >= '0' && p[1] <= '9';
        if (!digit && !plus_first && !dash_between) {
            return tc_rec__fail(db, -EINVAL,
                                "phone: only digits, a leading + and - "
                                "between digits");
        }
        digits += digit;
    }
    if (digits < PHONE_MIN_DIG || digits > PHONE_MAX_DIG) {
        return tc_rec__fail(db, -EINVAL, "phone: must have %d to %d digits",
                            PHONE_MIN_DIG, PHONE_MAX_DIG);
    }
    return 0;
}

static int
check_card(struct tc_rec_db *db, const char *field, const char *s)
{
    int rc = tc_rec__text_check(db, field, s, CARD_MAX_LEN, false);

    for (const char *p = s; rc == 0 && p && *p; p++) {
        if (!(*p >= '0' && *p <= '9') && !(*p >= 'A' && *p <= 'Z') &&
            !(*p >= 'a' && *p <= 'z') && *p != '-') {
            rc = tc_rec__fail(db, -EINVAL, "%s: only letters, digits and -",
                              field);
        }
    }
    return rc;
}

static int
check_disability(struct tc_rec_db *db, const struct tc_rec_resident *r)
{
    bool any = r->disability_cert_no ||
               r->disability_category != TC_REC_DISABILITY_NONE ||
               r->disability_grade != 0;
    int rc;

    if (!any) {
        return 0;
    }
    if (!r->disability_cert_no ||
        r->disability_category == TC_REC_DISABILITY_NONE ||
        r->disability_grade == 0) {
        return tc_rec__fail(db, -EINVAL,
                            "disability: certificate number, category and "
                            "grade go together");
    }
    rc = check_card(db, "disability_cert_no", r->disability_cert_no);
    if (rc == 0 && !tc_rec_disability_to_string(r->disability_category)) {
        rc =
            tc_rec__fail(db, -EINVAL, "disability_category: unknown category");
    }
    if (rc == 0 && (r->disability_grade < 1 || r->disability_grade > 4)) {
        rc = tc_rec__fail(db, -EINVAL, "disability_grade: must be 1 to 4");
    }
    return rc;
}

/* The ID number is valid and agrees with the birth date and the sex. */
static int
check_identity(struct tc_rec_db *db, const struct tc_rec_resident *r)
{
    char why[TC_REC_ERRMSG_MAX], birth[11];
    enum tc_rec_sex sex;

    if (tc_rec_resident_id_check(r->id_number, why, sizeof(why)) < 0) {
        return tc_rec__fail(db, -EINVAL, "%s", why);
    }
    if (!tc_rec_sex_to_string(r->sex)) {
        return tc_rec__fail(db, -EINVAL, "sex: must be male or female");
    }
    if (!tc_rec__date_valid(r->birth_date)) {
        return tc_rec__fail(db, -EINVAL, "birth_date: not a YYYY-MM-DD date");
    }
    tc_rec_resident_id_decode(r->id_number, birth, &sex);
    if (strcmp(birth, r->birth_date) != 0) {
        return tc_rec__fail(db, -EINVAL,
                            "birth_date: does not match the birth date in "
                            "id_number");
    }
    if (sex != r->sex) {
        return tc_rec__fail(db, -EINVAL,
                            "sex: does not match the sex in id_number");
    }
    return 0;
}

static int
validate(struct tc_rec_db *db, const struct tc_rec_resident *r)
{
    int rc = check_identity(db, r);

    if (rc == 0) {
        rc = tc_rec__text_check(db, "name", r->name, NAME_MAX_LEN, true);
    }
    if (rc == 0) {
        rc = tc_rec__text_check(db, "township", r->township, PLACE_MAX_LEN,
                                true);
    }
    if (rc == 0) {
        rc = tc_rec__text_check(db, "village", r->village, PLACE_MAX_LEN,
                                false);
    }
    if (rc == 0) {
        rc = check_phone(db, r->phone);
    }
    if (rc == 0) {
        rc = check_card(db, "health_card_no", r->health_card_no);
    }
    return rc == 0 ? check_disability(db, r) : rc;
}

/* Name the unique rule an -EEXIST broke (the SQLite text names it). */
static int
unique_failed(struct tc_rec_db *db, int rc)
{
    if (rc != -EEXIST) {
        return rc;
    }
    if (strstr(db->errmsg, "health_card_no")) {
        return tc_rec__fail(db, rc,
                            "health_card_no: already registered to "
                            "another resident");
    }
    return tc_rec__fail(db, rc,
                        "id_number: a resident with this ID "
                        "number is already registered");
}

/* Binds the demographic fields to parameters 1..11 of st. */
static void
bind_fields(sqlite3_stmt *st, const struct tc_rec_resident *r)
{
    tc_rec__bind_text(st, 1, r->name);
    tc_rec__bind_text(st, 2, sex_codes[r->sex]);
    tc_rec__bind_text(st, 3, r->birth_date);
    tc_rec__bind_text(st, 4, r->township);
    tc_rec__bind_text(st, 5, r->village);
    tc_rec__bind_text(st, 6, r->phone);
    tc_rec__bind_text(st, 7, r->health_card_no);
    tc_rec__bind_text(st, 8, r->disability_cert_no);
    tc_rec__bind_text(st, 9,
                      tc_rec_disability_to_string(r->disability_category));
    if (r->disability_grade) {
        sqlite3_bind_int(st, 10, r->disability_grade);
    }
    tc_rec__bind_text(st, 11, r->id_number);
}

static int
insert(struct tc_rec_db *db, const struct tc_rec_resident *r, int64_t *id_out)
{
    sqlite3_stmt *st;
    int rc = validate(db, r);

    if (rc == 0 && r->created_at_us <= 0) {
        rc = tc_rec__fail(db, -EINVAL, "created_at_us: required");
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "INSERT INTO residents (name, sex, birth_date,"
                          " township, village, phone, health_card_no,"
                          " disability_cert_no, disability_category,"
                          " disability_grade, id_number, created_at_us)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) {
        return -EIO;
    }
    bind_fields(st, r);
    sqlite3_bind_int64(st, 12, r->created_at_us);
    rc = unique_failed(db, tc_rec__step_done(db, st, "resident"));
    if (rc == 0) {
        *id_out = sqlite3_last_insert_rowid(db->conn);
    }
    return rc;
}

int
tc_rec_resident_create(struct tc_rec_db *db, const struct tc_rec_resident *r,
                       int64_t *id_out)
{
    int64_t id = 0;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    rc = tc_rec__tx_end(db, insert(db, r, &id));
    if (rc == 0) {
        *id_out = id;
    }
    return rc;
}

/* ---- Reading ---- */

static void
resident_fini(struct tc_rec_resident *r)
{
    free(r->id_number);
    free(r->name);
    free(r->birth_date);
    free(r->township);
    free(r->village);
    free(r->phone);
    free(r->health_card_no);
    free(r->disability_cert_no);
}

void
tc_rec_resident_free(struct tc_rec_resident *r)
{
    if (r) {
        resident_fini(r);
        free(r);
    }
}

void
tc_rec_resident_list_free(struct tc_rec_resident_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        resident_fini(&list->items[i]);
    }
    free(list->items);
    free(list);
}

#define RESIDENT_COLUMNS                                                      \
    "id, id_number, name, sex, birth_date, township, village, phone,"         \
    " health_card_no, disability_cert_no, disability_category,"               \
    " disability_grade, created_at_us"

static int
resident_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_resident *r = item;
    enum tc_rec_disability category = TC_REC_DISABILITY_NONE;
    enum tc_rec_sex sex = 0;
    bool oom = false;

    tc_rec_sex_from_string((const char *)sqlite3_column_text(st, 3), &sex);
    tc_rec_disability_from_string((const char *)sqlite3_column_text(st, 10),
                                  &category);
    r->id = sqlite3_column_int64(st, 0);
    r->id_number = tc_rec__col_text(st, 1, &oom);
    r->name = tc_rec__col_text(st, 2, &oom);
    r->sex = sex;
    r->birth_date = tc_rec__col_text(st, 4, &oom);
    r->township = tc_rec__col_text(st, 5, &oom);
    r->village = tc_rec__col_text(st, 6, &oom);
    r->phone = tc_rec__col_text(st, 7, &oom);
    r->health_card_no = tc_rec__col_text(st, 8, &oom);
    r->disability_cert_no = tc_rec__col_text(st, 9, &oom);
    r->disability_category = category;
    r->disability_grade = sqlite3_column_int(st, 11);
    r->created_at_us = sqlite3_column_int64(st, 12);
    return oom ? -ENOMEM : 0;
}

static void
resident_free(void *item)
{
    tc_rec_resident_free(item);
}

static int
fetch(struct tc_rec_db *db, sqlite3_stmt *st, const char *what,
      struct tc_rec_resident **out)
{
    void *r = NULL;
    int rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_resident),
                           resident_row, resident_free, &r);

    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "no resident with this %s", what);
    }
    if (rc == 0) {
        *out = r;
    }
    return rc;
}

int
tc_rec_resident_get(struct tc_rec_db *db, int64_t id,
                    struct tc_rec_resident **out)
{
    sqlite3_stmt *st;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT " RESIDENT_COLUMNS
                          " FROM residents WHERE id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    return fetch(db, st, "id", out);
}

int
tc_rec_resident_get_by_id_number(struct tc_rec_db *db, const char *id_number,
                                 struct tc_rec_resident **out)
{
    sqlite3_stmt *st;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT " RESIDENT_COLUMNS
                          " FROM residents WHERE id_number = ?");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, id_number);
    return fetch(db, st, "id_number", out);
}

int
tc_rec_resident_get_by_health_card(struct tc_rec_db *db,
                                   const char *health_card_no,
                                   struct tc_rec_resident **out)
{
    sqlite3_stmt *st;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT " RESIDENT_COLUMNS
                          " FROM residents WHERE health_card_no = ?");
    if (!st) {
        return -EIO;
    }
    tc_rec__bind_text(st, 1, health_card_no);
    return fetch(db, st, "health_card_no", out);
}

/* ---- Updating ---- */

static int
check_same_id_number(struct tc_rec_db *db, const struct tc_rec_resident *r)
{
    sqlite3_stmt *st =
        tc_rec__stmt(db, "SELECT id_number FROM residents WHERE id = ?");
    bool same;
    int rc;

    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, r->id);
    rc = sqlite3_step(st);
    same = rc == SQLITE_ROW && r->id_number &&
           strcmp((const char *)sqlite3_column_text(st, 0), r->id_number) == 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        return tc_rec__fail(db, -ENOENT, "no resident %lld", (long long)r->id);
    }
    if (rc != SQLITE_ROW) {
        return tc_rec__fail_sql(db, rc, "resident");
    }
    if (!same) {
        return tc_rec__fail(db, -EPERM, "id_number: cannot be changed");
    }
    return 0;
}

static int
update(struct tc_rec_db *db, const struct tc_rec_resident *r)
{
    sqlite3_stmt *st;
    int rc = check_same_id_number(db, r);

    if (rc == 0) {
        rc = validate(db, r);
    }
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "UPDATE residents SET name = ?1, sex = ?2,"
                          " birth_date = ?3, township = ?4, village = ?5,"
                          " phone = ?6, health_card_no = ?7,"
                          " disability_cert_no = ?8,"
                          " disability_category = ?9,"
                          " disability_grade = ?10"
                          " WHERE id_number = ?11 AND id = ?12");
    if (!st) {
        return -EIO;
    }
    bind_fields(st, r);
    sqlite3_bind_int64(st, 12, r->id);
    return unique_failed(db, tc_rec__step_done(db, st, "resident"));
}

int
tc_rec_resident_update(struct tc_rec_db *db, const struct tc_rec_resident *r)
{
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__tx_begin(db);
    if (rc < 0) {
        return rc;
    }
    return tc_rec__tx_end(db, update(db, r));
}

/* ---- Searching ---- */

int
tc_rec_resident_search(struct tc_rec_db *db, const char *township,
                       const char *village, int64_t after_id, int limit,
                       struct tc_rec_resident_list **out)
{
    struct tc_rec_resident_list *list;
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__text_check(db, "township", township, PLACE_MAX_LEN, true);
    if (rc < 0) {
        return rc;
    }
    if (limit < 1 || limit > TC_REC_RESIDENT_PAGE_MAX) {
        return tc_rec__fail(db, -EINVAL, "limit: must be 1 to %d",
                            TC_REC_RESIDENT_PAGE_MAX);
    }
    /* Two statements so each is one range of its own index. */
    st = village ? tc_rec__stmt(db, "SELECT " RESIDENT_COLUMNS
                                    " FROM residents WHERE township = ?1"
                                    " AND village = ?2 AND id > ?3"
                                    " ORDER BY id LIMIT ?4")
                 : tc_rec__stmt(db, "SELECT " RESIDENT_COLUMNS
                                    " FROM residents WHERE township = ?1"
                                    " AND id > ?3 ORDER BY id LIMIT ?4");
    list = calloc(1, sizeof(*list));
    if (!st || !list) {
        free(list);
        return st ? tc_rec__fail(db, -ENOMEM, "out of memory") : -EIO;
    }
    tc_rec__bind_text(st, 1, township);
    if (village) {
        tc_rec__bind_text(st, 2, village);
    }
    sqlite3_bind_int64(st, 3, after_id);
    sqlite3_bind_int(st, 4, limit);
    rc = tc_rec__collect(db, st, sizeof(*list->items), resident_row, &items,
                         &list->count);
    list->items = items;
    if (rc < 0) {
        tc_rec_resident_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}
