// SPDX-License-Identifier: Apache-2.0
/*
 * fhir-json.c - reading and writing the FHIR R4 datatypes the mappings
 * share: typed members with their paths, codes, dates and instants,
 * References, CodeableConcepts and extensions.
 *
 * Readers refuse what FHIR refuses: null values, empty strings and empty
 * arrays, strings with NUL, dates without a day, instants without a zone.
 * Every refusal names path.key (or deeper) and never echoes the value
 * (it may be patient data).
 *
 * Thread: the handle's thread; the writers are pure.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fhir-int.h"

static const char *const always_allowed[] = {"resourceType", "id", "meta",
                                             "text", "language"};

static bool
listed(const char *key, const char *const *keys)
{
    for (size_t i = 0; i < TC_FHIR_N(always_allowed); i++) {
        if (strcmp(key, always_allowed[i]) == 0) {
            return true;
        }
    }
    for (; *keys; keys++) {
        if (strcmp(key, *keys) == 0) {
            return true;
        }
    }
    return false;
}

int
tc_rec__fhir_only(struct tc_rec_db *db, const json_t *obj, const char *path,
                  const char *const *keys)
{
    const char *key;
    json_t *v;
    char p[TC_FHIR_PATH];

    json_object_foreach((json_t *)obj, key, v)
    {
        if (!listed(key, keys)) {
            /* A peer's key may be long or odd: name it only if tame. */
            bool tame =
                strlen(key) < 40 &&
                strspn(key, "abcdefghijklmnopqrstuvwxyz"
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == strlen(key);
            tc_rec__fhir_path(p, path, tame ? key : "?", -1);
            return tc_rec__fhir_fail(db, -EINVAL, tame ? p : path,
                                     "element not supported here");
        }
    }
    return 0;
}

static const char *
type_name(json_type type)
{
    switch (type) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "a number";
    }
}

int
tc_rec__fhir_get(struct tc_rec_db *db, const json_t *obj, const char *path,
                 const char *key, json_type type, bool required,
                 const json_t **out)
{
    const json_t *v = json_object_get(obj, key);
    char p[TC_FHIR_PATH];
    bool ok;

    *out = NULL; /* also on failure: callers iterate what they got */
    tc_rec__fhir_path(p, path, key, -1);
    if (!v) {
        return required ? tc_rec__fhir_fail(db, -EINVAL, p, "required") : 0;
    }
    ok = json_typeof(v) == type ||
         (type == JSON_TRUE && json_typeof(v) == JSON_FALSE);
    if (!ok) {
        return tc_rec__fhir_fail(db, -EINVAL, p, "must be %s",
                                 type_name(type));
    }
    *out = v;
    return 0;
}

int
tc_rec__fhir_array(struct tc_rec_db *db, const json_t *obj, const char *path,
                   const char *key, bool required, const json_t **out)
{
    char p[TC_FHIR_PATH];
    int rc = tc_rec__fhir_get(db, obj, path, key, JSON_ARRAY, required, out);

    if (rc == 0 && *out && json_array_size(*out) == 0) {
        tc_rec__fhir_path(p, path, key, -1);
        return tc_rec__fhir_fail(db, -EINVAL, p, "must not be empty");
    }
    return rc;
}

int
tc_rec__fhir_str(struct tc_rec_db *db, const json_t *obj, const char *path,
                 const char *key, bool required, const char **out)
{
    const json_t *v;
    char p[TC_FHIR_PATH];
    int rc = tc_rec__fhir_get(db, obj, path, key, JSON_STRING, required, &v);

    *out = NULL;
    if (rc < 0 || !v) {
        return rc;
    }
    tc_rec__fhir_path(p, path, key, -1);
    if (json_string_length(v) == 0) {
        return tc_rec__fhir_fail(db, -EINVAL, p, "must not be empty");
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        return tc_rec__fhir_fail(db, -EINVAL, p, "contains a NUL");
    }
    *out = json_string_value(v);
    return 0;
}

int
tc_rec__fhir_int(struct tc_rec_db *db, const json_t *obj, const char *path,
                 const char *key, bool required, int64_t min, int64_t max,
                 int64_t *out)
{
    const json_t *v;
    char p[TC_FHIR_PATH];
    int rc = tc_rec__fhir_get(db, obj, path, key, JSON_INTEGER, required, &v);

    if (rc < 0 || !v) {
        return rc;
    }
    if (json_integer_value(v) < min || json_integer_value(v) > max) {
        tc_rec__fhir_path(p, path, key, -1);
        return tc_rec__fhir_fail(db, -EINVAL, p,
                                 "must be %" PRId64 " to %" PRId64, min, max);
    }
    *out = json_integer_value(v);
    return 0;
}

int
tc_rec__fhir_code(struct tc_rec_db *db, const json_t *obj, const char *path,
                  const char *key, bool required, const char *const *codes,
                  int n, int *out)
{
    const char *s;
    char p[TC_FHIR_PATH];
    int rc = tc_rec__fhir_str(db, obj, path, key, required, &s);
    int i;

    if (rc < 0 || !s) {
        return rc;
    }
    i = tc_rec__code_find(codes, n, s);
    if (i < 0) {
        tc_rec__fhir_path(p, path, key, -1);
        return tc_rec__fhir_fail(db, -EINVAL, p, "unknown code");
    }
    *out = i;
    return 0;
}

int
tc_rec__fhir_date(struct tc_rec_db *db, const json_t *obj, const char *path,
                  const char *key, bool required, const char **out)
{
    const char *s;
    char p[TC_FHIR_PATH];
    int rc = tc_rec__fhir_str(db, obj, path, key, required, &s);

    if (rc < 0) {
        return rc;
    }
    if (s && !tc_rec__date_valid(s)) {
        tc_rec__fhir_path(p, path, key, -1);
        return tc_rec__fhir_fail(db, -EINVAL, p,
                                 "must be a full date YYYY-MM-DD");
    }
    *out = s;
    return 0;
}

/* Digits s[0..n) as a number, or -1 when one is not a digit. */
static int
digits(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* The zone suffix at s ("Z", "+08:00") in seconds east of UTC. */
static bool
parse_zone(const char *s, int *offset_s)
{
    int h, m;

    if (strcmp(s, "Z") == 0) {
        *offset_s = 0;
        return true;
    }
    if ((s[0] != '+' && s[0] != '-') || strlen(s) != 6 || s[3] != ':') {
        return false;
    }
    h = digits(s + 1, 2);
    m = digits(s + 4, 2);
    if (h < 0 || h > 14 || m < 0 || m > 59) {
        return false;
    }
    *offset_s = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return true;
}

static bool
parse_instant(const char *s, int64_t *out)
{
    char date[11];
    int hh, mm, ss, zone, frac_digits = 0;
    int64_t frac_us = 0;
    const char *p = s + 19;

    if (strlen(s) < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':') {
        return false;
    }
    snprintf(date, sizeof(date), "%.10s", s);
    hh = digits(s + 11, 2);
    mm = digits(s + 14, 2);
    ss = digits(s + 17, 2);
    if (!tc_rec__date_valid(date) || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
        ss < 0 || ss > 59) {
        return false;
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, frac_digits++) {
            if (frac_digits < 6) {
                frac_us = frac_us * 10 + (*p - '0');
            }
        }
        if (frac_digits == 0 || frac_digits > 9) {
            return false;
        }
        for (int i = frac_digits; i < 6; i++) {
            frac_us *= 10;
        }
    }
    if (!parse_zone(p, &zone)) {
        return false;
    }
    *out =
        (tc_rec__date_days(date) * 86400 + hh * 3600 + mm * 60 + ss - zone) *
            1000000 +
        frac_us;
    return *out > 0;
}

int
tc_rec__fhir_instant(struct tc_rec_db *db, const json_t *obj, const char *path,
                     const char *key, bool required, int64_t *out)
{
    const char *s;
    char p[TC_FHIR_PATH];
    int rc = tc_rec__fhir_str(db, obj, path, key, required, &s);
    int64_t us;

    if (rc < 0 || !s) {
        return rc;
    }
    if (!parse_instant(s, &us)) {
        tc_rec__fhir_path(p, path, key, -1);
        return tc_rec__fhir_fail(db, -EINVAL, p,
                                 "must be a dateTime with seconds and a "
                                 "zone, after 1970");
    }
    *out = us;
    return 0;
}

/* "123" (no sign, no leading zero, fits int64) as a row id. */
static bool
parse_row_id(const char *s, int64_t *out)
{
    int64_t v = 0;

    if (!s[0] || s[0] == '0' || strlen(s) > 18) {
        return false;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return true;
}

int
tc_rec__fhir_ref_value(struct tc_rec_db *db, const json_t *ref,
                       const char *path, const char *type, int64_t *id_out)
{
    const char *s;
    char p[TC_FHIR_PATH];
    size_t tlen = strlen(type);
    int rc;

    if (!json_is_object(ref)) {
        return tc_rec__fhir_fail(db, -EINVAL, path,
                                 "must be a Reference object");
    }
    rc = tc_rec__fhir_str(db, ref, path, "reference", true, &s);
    if (rc < 0) {
        return rc;
    }
    tc_rec__fhir_path(p, path, "reference", -1);
    if (strncmp(s, type, tlen) != 0 || s[tlen] != '/' ||
        !parse_row_id(s + tlen + 1, id_out)) {
        return tc_rec__fhir_fail(db, -EINVAL, p,
                                 "must be a relative reference %s/<id>", type);
    }
    return 0;
}

int
tc_rec__fhir_ref(struct tc_rec_db *db, const json_t *obj, const char *path,
                 const char *key, const char *type, bool required,
                 int64_t *id_out)
{
    const json_t *v;
    char p[TC_FHIR_PATH];
    int rc = tc_rec__fhir_get(db, obj, path, key, JSON_OBJECT, required, &v);

    if (rc < 0 || !v) {
        return rc;
    }
    tc_rec__fhir_path(p, path, key, -1);
    return tc_rec__fhir_ref_value(db, v, p, type, id_out);
}

/* The code of the coding with `system` in the array codings at path p. */
static int
coding_in(struct tc_rec_db *db, const json_t *codings, const char *p,
          const char *system, const char *const *codes, int n, int *out)
{
    char cp[TC_FHIR_PATH];
    size_t i;
    const json_t *c;
    int rc;

    json_array_foreach(codings, i, c)
    {
        const char *sys;
        tc_rec__fhir_path(cp, p, "coding", (int)i);
        if (!json_is_object(c)) {
            return tc_rec__fhir_fail(db, -EINVAL, cp, "must be a Coding");
        }
        rc = tc_rec__fhir_str(db, c, cp, "system", false, &sys);
        if (rc < 0) {
            return rc;
        }
        if (sys && strcmp(sys, system) == 0) {
            return tc_rec__fhir_code(db, c, cp, "code", true, codes, n, out);
        }
    }
    return tc_rec__fhir_fail(db, -EINVAL, p, "needs a coding from %s", system);
}

int
tc_rec__fhir_cc(struct tc_rec_db *db, const json_t *obj, const char *path,
                const char *key, bool coding_only, const char *system,
                bool required, const char *const *codes, int n, int *out)
{
    const json_t *v;
    char p[TC_FHIR_PATH];
    int rc = tc_rec__fhir_get(db, obj, path, key, JSON_OBJECT, required, &v);

    if (rc < 0 || !v) {
        return rc;
    }
    tc_rec__fhir_path(p, path, key, -1);
    if (coding_only) {
        const char *sys;
        rc = tc_rec__fhir_str(db, v, p, "system", true, &sys);
        if (rc == 0 && strcmp(sys, system) != 0) {
            char sp[TC_FHIR_PATH];
            tc_rec__fhir_path(sp, p, "system", -1);
            return tc_rec__fhir_fail(db, -EINVAL, sp, "must be %s", system);
        }
        return rc < 0
                   ? rc
                   : tc_rec__fhir_code(db, v, p, "code", true, codes, n, out);
    }
    return tc_rec__fhir_cc_value(db, v, p, system, codes, n, out);
}

int
tc_rec__fhir_cc_value(struct tc_rec_db *db, const json_t *cc, const char *path,
                      const char *system, const char *const *codes, int n,
                      int *out)
{
    const json_t *codings;
    int rc;

    if (!json_is_object(cc)) {
        return tc_rec__fhir_fail(db, -EINVAL, path,
                                 "must be a CodeableConcept");
    }
    rc = tc_rec__fhir_array(db, cc, path, "coding", true, &codings);
    if (rc < 0) {
        return rc;
    }
    /* coding_in() adds ".coding[i]" to the path. */
    return coding_in(db, codings, path, system, codes, n, out);
}

int
tc_rec__fhir_ext(struct tc_rec_db *db, const json_t *obj, const char *path,
                 const char *url, const json_t **out, int *index)
{
    const json_t *exts, *e;
    char p[TC_FHIR_PATH];
    size_t i;
    int rc = tc_rec__fhir_array(db, obj, path, "extension", false, &exts);

    *out = NULL;
    if (rc < 0 || !exts) {
        return rc;
    }
    json_array_foreach(exts, i, e)
    {
        const char *u;
        tc_rec__fhir_path(p, path, "extension", (int)i);
        if (!json_is_object(e)) {
            return tc_rec__fhir_fail(db, -EINVAL, p, "must be an object");
        }
        rc = tc_rec__fhir_str(db, e, p, "url", true, &u);
        if (rc < 0) {
            return rc;
        }
        if (strcmp(u, url) != 0) {
            continue;
        }
        if (*out) {
            return tc_rec__fhir_fail(db, -EINVAL, p, "repeats %s", url);
        }
        *out = e;
        *index = (int)i;
    }
    return 0;
}

int
tc_rec__fhir_id(struct tc_rec_db *db, const char *type, const char *id,
                const char *prefix, int64_t *out)
{
    size_t n = strlen(prefix);

    if (strncmp(id, prefix, n) != 0 || !parse_row_id(id + n, out)) {
        return tc_rec__fhir_fail(db, -ENOENT, "", "no %s with id %s", type,
                                 id);
    }
    return 0;
}

/* ---- Writing ---- */

json_t *
tc_rec__fhir_ref_new(const char *type, const char *prefix, int64_t id)
{
    char s[TC_REC_FHIR_ID_MAX + 64];

    snprintf(s, sizeof(s), "%s/%s%" PRId64, type, prefix, id);
    return json_pack("{s:s}", "reference", s);
}

json_t *
tc_rec__fhir_instant_new(int64_t at_us)
{
    char date[11], s[48];
    int64_t secs = at_us / 1000000, frac = at_us % 1000000;
    int64_t days = secs / 86400, rem = secs % 86400;

    if (at_us < 0) {
        return NULL;
    }
    tc_rec__date_from_days(days, date);
    if (frac) {
        snprintf(s, sizeof(s), "%sT%02d:%02d:%02d.%06dZ", date,
                 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60),
                 (int)frac);
    } else {
        snprintf(s, sizeof(s), "%sT%02d:%02d:%02dZ", date, (int)(rem / 3600),
                 (int)(rem / 60 % 60), (int)(rem % 60));
    }
    return json_string(s);
}

json_t *
tc_rec__fhir_cc_new(const char *system, const char *code, const char *text)
{
    return json_pack("{s:[{s:s,s:s}],s:s*}", "coding", "system", system,
                     "code", code, "text", text);
}

json_t *
tc_rec__fhir_ext_new(const char *url, const char *value_key, json_t *value)
{
    return json_pack("{s:s,s:o}", "url", url, value_key, value);
}

json_t *
tc_rec__fhir_resource_new(const char *type, const char *prefix, int64_t id)
{
    char s[TC_REC_FHIR_ID_MAX + 1];

    snprintf(s, sizeof(s), "%s%" PRId64, prefix, id);
    return json_pack("{s:s,s:s}", "resourceType", type, "id", s);
}

bool
tc_rec__fhir_put(json_t *obj, const char *key, json_t *v)
{
    return v && json_object_set_new(obj, key, v) == 0;
}

bool
tc_rec__fhir_put_str(json_t *obj, const char *key, const char *s)
{
    return !s || tc_rec__fhir_put(obj, key, json_string(s));
}

bool
tc_rec__fhir_put_ref(json_t *obj, const char *key, const char *type,
                     int64_t id)
{
    return id <= 0 ||
           tc_rec__fhir_put(obj, key, tc_rec__fhir_ref_new(type, "", id));
}

bool
tc_rec__fhir_put_instant(json_t *obj, const char *key, int64_t at_us)
{
    return at_us <= 0 ||
           tc_rec__fhir_put(obj, key, tc_rec__fhir_instant_new(at_us));
}

bool
tc_rec__fhir_push(json_t *obj, const char *key, json_t *v)
{
    json_t *arr = json_object_get(obj, key);

    if (!v) {
        return false;
    }
    if (!arr) {
        arr = json_array();
        if (!arr || json_object_set_new(obj, key, arr) < 0) {
            json_decref(v);
            return false;
        }
    }
    return json_array_append_new(arr, v) == 0;
}

int
tc_rec__fhir_done(struct tc_rec_db *db, json_t *res, bool ok, json_t **out)
{
    if (!res || !ok) {
        json_decref(res);
        return tc_rec__fail(db, -ENOMEM, "out of memory");
    }
    *out = res;
    return 0;
}
