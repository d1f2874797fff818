/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fhir-int.h - shared by fhir.c and the fhir-<resource>.c mappings.
 *
 * One mapping per resource type, as a struct tc_rec__fhir_type: read (a
 * logical id to JSON), and optionally create and update (JSON to records
 * through the public C API, inside the transaction fhir.c opens).
 *
 * Paths. Every reader of JSON knows the FHIR path of the object it reads
 * ("Patient.identifier[0]") and passes it down; a rule broken in the JSON
 * itself is reported with tc_rec__fhir_fail(), which sets both the text
 * and db->errpath. A rule the C API enforces (a check digit, a period) is
 * reported by that API naming its own field ("id_number: ..."); before the
 * call the mapping records which element each field came from
 * (tc_rec__fhir_origin) and tc_rec__fhir_api() turns the field into the
 * element's path after the call fails.
 *
 * Thread: the handle's thread.
 */
#ifndef TC_FHIR_INT_H
#define TC_FHIR_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "records-int.h"

/* The telecare code systems, identifier systems and extensions. */
#define TC_FHIR_BASE   "https://telecare.example.org/fhir"
#define TC_FHIR_CS(x)  TC_FHIR_BASE "/CodeSystem/" x
#define TC_FHIR_SID(x) TC_FHIR_BASE "/sid/" x
#define TC_FHIR_EXT(x) TC_FHIR_BASE "/StructureDefinition/" x

/* The PRC resident identity card number (GB 11643). */
#define TC_FHIR_SYS_RESIDENT_ID "urn:oid:2.16.156.10011.1.3"
#define TC_FHIR_SYS_LOINC       "http://loinc.org"

#define TC_FHIR_ORIGINS 24
#define TC_FHIR_PATH    TC_REC_FHIR_PATH_MAX

struct tc_rec__fhir_origin {
    const char *field; /* the C API's field name, as in its error text */
    char path[TC_FHIR_PATH];
};

/* One create or update in progress. */
struct tc_rec__fhir_in {
    struct tc_rec_db *db;
    const struct tc_rec_fhir_ctx *ctx;
    const char *type; /* the resource type, the root of every path */
    struct tc_rec__fhir_origin origin[TC_FHIR_ORIGINS];
    size_t n_origin;
};

struct tc_rec__fhir_type {
    const char *name;
    /* The record behind `id` (a valid FHIR id) as JSON. */
    int (*read)(struct tc_rec_db *db, const char *id, json_t **out);
    /* Store `res` (an object whose resourceType is checked); write the new
     * logical id into id_out. NULL: not creatable. */
    int (*create)(struct tc_rec__fhir_in *in, const json_t *res,
                  char id_out[TC_REC_FHIR_ID_MAX + 1]);
    /* Apply `res` to the record behind `id`. NULL: not updatable. */
    int (*update)(struct tc_rec__fhir_in *in, const char *id,
                  const json_t *res);
};

extern const struct tc_rec__fhir_type tc_rec__fhir_patient;
extern const struct tc_rec__fhir_type tc_rec__fhir_organization;
extern const struct tc_rec__fhir_type tc_rec__fhir_practitioner;
extern const struct tc_rec__fhir_type tc_rec__fhir_practitioner_role;
extern const struct tc_rec__fhir_type tc_rec__fhir_careteam;
extern const struct tc_rec__fhir_type tc_rec__fhir_contract;
extern const struct tc_rec__fhir_type tc_rec__fhir_audit_event;
extern const struct tc_rec__fhir_type tc_rec__fhir_careplan;
extern const struct tc_rec__fhir_type tc_rec__fhir_goal;
extern const struct tc_rec__fhir_type tc_rec__fhir_encounter;
extern const struct tc_rec__fhir_type tc_rec__fhir_observation;
extern const struct tc_rec__fhir_type tc_rec__fhir_report;
extern const struct tc_rec__fhir_type tc_rec__fhir_imaging;
extern const struct tc_rec__fhir_type tc_rec__fhir_service_request;
extern const struct tc_rec__fhir_type tc_rec__fhir_task;

/* ServiceRequest or Task "referral-<id>" (fhir-referral.c). */
int tc_rec__fhir_referral_read(struct tc_rec_db *db, const char *type,
                               const char *id, json_t **out);
extern const struct tc_rec__fhir_type tc_rec__fhir_consent;

/* ---- Errors and paths ---- */

/* Record an error at FHIR path `path` ("" for none): the text is "<path>:
 * <rule>". Returns rc. */
int tc_rec__fhir_fail(struct tc_rec_db *db, int rc, const char *path,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* out = parent.key, or parent.key[i] when i >= 0. */
void tc_rec__fhir_path(char out[TC_FHIR_PATH], const char *parent,
                       const char *key, int i);

/* Remember that C API field `field` (a literal) came from `path`. */
void tc_rec__fhir_origin(struct tc_rec__fhir_in *in, const char *field,
                         const char *path);

/* After a C API call returned rc < 0: point db->errpath at the element
 * the error text's field came from (the resource root when unknown) and
 * name that path in the text. Returns rc. */
int tc_rec__fhir_api(struct tc_rec__fhir_in *in, int rc);

/* Column 0 (an integer) of the first row of the one-parameter query `sql`
 * (a literal) for id; -ENOENT, without error text, when there is none. */
int tc_rec__fhir_lookup(struct tc_rec_db *db, const char *sql, int64_t id,
                        int64_t *out);

/* ---- Reading JSON: each returns 0, or -EINVAL naming path.key ---- */

/* Refuse a member of obj that is not in keys (NULL-terminated):
 * "resourceType", "id", "meta", "text" and "language" are always
 * allowed. */
int tc_rec__fhir_only(struct tc_rec_db *db, const json_t *obj,
                      const char *path, const char *const *keys);

/* obj.key of JSON type `type`; *out NULL when absent and not required. */
int tc_rec__fhir_get(struct tc_rec_db *db, const json_t *obj, const char *path,
                     const char *key, json_type type, bool required,
                     const json_t **out);
/* A non-empty array. */
int tc_rec__fhir_array(struct tc_rec_db *db, const json_t *obj,
                       const char *path, const char *key, bool required,
                       const json_t **out);
/* A non-empty string without NUL; *out NULL when absent. */
int tc_rec__fhir_str(struct tc_rec_db *db, const json_t *obj, const char *path,
                     const char *key, bool required, const char **out);
/* An integer in min..max; *out untouched when absent. */
int tc_rec__fhir_int(struct tc_rec_db *db, const json_t *obj, const char *path,
                     const char *key, bool required, int64_t min, int64_t max,
                     int64_t *out);
/* A code among codes[0..n) (NULL entries skipped): *out is its index;
 * untouched when absent. */
int tc_rec__fhir_code(struct tc_rec_db *db, const json_t *obj,
                      const char *path, const char *key, bool required,
                      const char *const *codes, int n, int *out);
/* A full date "YYYY-MM-DD"; *out NULL when absent. */
int tc_rec__fhir_date(struct tc_rec_db *db, const json_t *obj,
                      const char *path, const char *key, bool required,
                      const char **out);
/* A dateTime with a time and a zone, as microseconds; *out untouched
 * when absent. */
int tc_rec__fhir_instant(struct tc_rec_db *db, const json_t *obj,
                         const char *path, const char *key, bool required,
                         int64_t *out);
/* A Reference {"reference": "<type>/<id>"}; *id_out untouched when
 * absent. */
int tc_rec__fhir_ref(struct tc_rec_db *db, const json_t *obj, const char *path,
                     const char *key, const char *type, bool required,
                     int64_t *id_out);
/* The same for a Reference object itself (obj is the Reference). */
int tc_rec__fhir_ref_value(struct tc_rec_db *db, const json_t *ref,
                           const char *path, const char *type,
                           int64_t *id_out);
/* obj.key is a CodeableConcept (or, with `coding_only`, a Coding) whose
 * coding with `system` has a code in codes[0..n): *out is its index.
 * Codings of other systems are ignored. */
int tc_rec__fhir_cc(struct tc_rec_db *db, const json_t *obj, const char *path,
                    const char *key, bool coding_only, const char *system,
                    bool required, const char *const *codes, int n, int *out);
/* The same for a CodeableConcept object itself at `path`. */
int tc_rec__fhir_cc_value(struct tc_rec_db *db, const json_t *cc,
                          const char *path, const char *system,
                          const char *const *codes, int n, int *out);
/* The extension of obj whose url is `url`: *out the extension (NULL when
 * absent), *index its position in obj.extension. At most one. */
int tc_rec__fhir_ext(struct tc_rec_db *db, const json_t *obj, const char *path,
                     const char *url, const json_t **out, int *index);

/* A logical id "<prefix><digits>" (prefix "" for plain ids) as a row id.
 * -ENOENT (no error path) when id has another shape. */
int tc_rec__fhir_id(struct tc_rec_db *db, const char *type, const char *id,
                    const char *prefix, int64_t *out);

/* ---- Writing JSON: NULL on allocation failure ---- */

/* {"reference": "<type>/<prefix><id>"}. */
json_t *tc_rec__fhir_ref_new(const char *type, const char *prefix, int64_t id);
/* A FHIR instant ("2026-01-02T03:04:05Z", with .uuuuuu when needed). */
json_t *tc_rec__fhir_instant_new(int64_t at_us);
/* {"coding": [{"system", "code"}], "text"} (text may be NULL). */
json_t *tc_rec__fhir_cc_new(const char *system, const char *code,
                            const char *text);
/* {"url": url, <value_key>: value} (steals value). */
json_t *tc_rec__fhir_ext_new(const char *url, const char *value_key,
                             json_t *value);
/* A new resource {"resourceType": type, "id": "<prefix><id>"}. */
json_t *tc_rec__fhir_resource_new(const char *type, const char *prefix,
                                  int64_t id);

/* Set obj.key to v (stolen; NULL v is a failure). Returns false on
 * failure; use as ok &= tc_rec__fhir_put(...) so every v is consumed. */
bool tc_rec__fhir_put(json_t *obj, const char *key, json_t *v);
/* The same, skipping a NULL string or a zero id. */
bool tc_rec__fhir_put_str(json_t *obj, const char *key, const char *s);
bool tc_rec__fhir_put_ref(json_t *obj, const char *key, const char *type,
                          int64_t id);
bool tc_rec__fhir_put_instant(json_t *obj, const char *key, int64_t at_us);
/* Append v (stolen) to the array obj.key, creating it. */
bool tc_rec__fhir_push(json_t *obj, const char *key, json_t *v);

/* Finish a read: on ok *out = res, else free res. Returns 0 or -ENOMEM. */
int tc_rec__fhir_done(struct tc_rec_db *db, json_t *res, bool ok,
                      json_t **out);

/* Map an enum through a table of FHIR codes; NULL outside it. */
#define TC_FHIR_MAP(table, v)                                                 \
    ((int)(v) > 0 && (size_t)(v) < sizeof(table) / sizeof((table)[0])         \
         ? (table)[(v)]                                                       \
         : NULL)
#define TC_FHIR_N(table) ((int)(sizeof(table) / sizeof((table)[0])))

#endif
