/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-fhir-fixture.h - what the FHIR tests share: the clinical fixture's
 * small county (clinical-fixture.h), JSON from literals, a path getter for
 * comparing elements, and a create that reports the stored resource.
 *
 * Header-only, like tc-test.h: each test program is one translation unit.
 * Single-threaded.
 */
#ifndef TC_TEST_FHIR_FIXTURE_H
#define TC_TEST_FHIR_FIXTURE_H

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clinical-fixture.h"
#include "tc-records.h"
#include "tc-test.h"

/* 2026-03-01T08:00:00Z, the instant every create happens at. */
#define NOW_US INT64_C(1772352000000000)

static const struct tc_rec_fhir_ctx fhir_ctx = {.now_us = NOW_US};

/* JSON from a literal; aborts on a typo in the test. */
static inline json_t *
jparse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);

    if (!j) {
        printf("# test JSON does not parse: %s (line %d)\n", e.text, e.line);
        abort();
    }
    return j;
}

/* The element at a dotted path with [i] indexes ("identifier[0].value"),
 * or NULL. */
static inline json_t *
jget(json_t *j, const char *path)
{
    char key[128];

    while (j && *path) {
        size_t n = strcspn(path, ".[");
        if (n > 0) {
            snprintf(key, sizeof(key), "%.*s", (int)n, path);
            j = json_object_get(j, key);
            path += n;
        }
        if (*path == '[') {
            j = json_array_get(j, strtoul(path + 1, NULL, 10));
            path = strchr(path, ']') + 1;
        }
        if (*path == '.') {
            path++;
        }
    }
    return j;
}

static inline const char *
jstr(json_t *j, const char *path)
{
    const char *s = json_string_value(jget(j, path));

    return s ? s : "(missing)";
}

static inline int64_t
jint(json_t *j, const char *path)
{
    json_t *v = jget(j, path);

    return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* Create the resource in `text`; on success *out (may be NULL) holds the
 * stored resource and *id its row id (the digits of its logical id). */
static inline int
fhir_create_text(struct tc_rec_db *db, const char *type, const char *text,
                 json_t **out, int64_t *id)
{
    json_t *in = jparse(text), *res = NULL;
    int rc = tc_rec_fhir_create(db, type, in, &fhir_ctx, &res);

    json_decref(in);
    if (rc == 0 && id) {
        const char *s = json_string_value(json_object_get(res, "id"));
        while (s && *s && !isdigit((unsigned char)*s)) {
            s++;
        }
        *id = s ? strtoll(s, NULL, 10) : 0;
    }
    if (out) {
        *out = res;
    } else {
        json_decref(res);
    }
    return rc;
}

/* The create of `text` is refused with rc at `path`, its message
 * containing `why`, and nothing is written. */
#define TC_CHECK_REFUSED(f, type, text, rc, path, why)                        \
    do {                                                                      \
        char *tc_before_ = fixture_dump(f);                                   \
        TC_CHECK_EQ(fhir_create_text((f)->db, (type), (text), NULL, NULL),    \
                    (rc));                                                    \
        TC_CHECK_STR_EQ(tc_rec_fhir_errpath((f)->db), (path));                \
        TC_CHECK_STR_CONTAINS(tc_rec_errmsg((f)->db), (why));                 \
        TC_CHECK_UNCHANGED(f, tc_before_);                                    \
    } while (0)

/* The stored resource read back by type and id equals `res`. */
static inline bool
reads_back(struct tc_rec_db *db, json_t *res)
{
    json_t *again = NULL;
    const char *type = json_string_value(json_object_get(res, "resourceType"));
    const char *id = json_string_value(json_object_get(res, "id"));
    bool same =
        tc_rec_fhir_read(db, type, id, &again) == 0 && json_equal(again, res);

    json_decref(again);
    return same;
}

#endif
