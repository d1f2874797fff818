/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fhir-search-int.h - shared by fhir-search.c (the engine) and
 * fhir-search-types.c (the tables): how each FHIR type is searched.
 *
 * A type is answered by one or more sources, each a table with its id
 * prefix; a source says, as SQL expressions over its row ("t"), where the
 * resident, the assigned reader and the last-updated time are, and how
 * each search parameter maps onto its columns.
 *
 * Thread: the handle's thread.
 */
#ifndef TC_FHIR_SEARCTC_FHIR_H_INT_H
#define TC_FHIR_SEARCTC_FHIR_H_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "fhir-int.h"

#define TC_FHIR_SYS_HEALTH TC_FHIR_SID("health-card")

/* How a parameter is answered by a source. */
enum tc_rec__fhir_how {
    TC_FHIR_H_ID,       /* _id: prefix + row id */
    TC_FHIR_H_PATIENT,  /* a Patient reference: the source's resident */
    TC_FHIR_H_UPDATED,  /* _lastUpdated: the source's updated instant */
    TC_FHIR_H_REF,      /* a reference to ref_type, matched by expr */
    TC_FHIR_H_CODES,    /* a token among codes, expr IN (their SQL list) */
    TC_FHIR_H_TEXT,     /* a token compared with expr as text */
    TC_FHIR_H_STRING,   /* a string: starts with, :contains, :exact */
    TC_FHIR_H_DATE_US,  /* a date range against an instant (microseconds) */
    TC_FHIR_H_DATE_DAY, /* a date range against a "YYYY-MM-DD" column */
    TC_FHIR_H_CODE,     /* a token against the source's constant code */
    TC_FHIR_H_IDENT,    /* Patient.identifier (ID number, health card) */
    TC_FHIR_H_NONE,     /* not one of the parameters every source answers */
};

struct tc_rec__fhir_code {
    const char *fhir;
    const char *sql; /* a list of SQL literals */
};

struct tc_rec__fhir_column {
    const char *param;
    enum tc_rec__fhir_how how;
    const char *expr; /* with '?' for the value, or "= ?" is appended */
    const char *ref_type;
    const char *system; /* a token's system, NULL: any */
    const struct tc_rec__fhir_code *codes;
};

struct tc_rec__fhir_source {
    const char *type;
    const char *prefix;
    const char *entity;        /* the record kind, for the audit trail */
    const char *from;          /* tables, the row is "t" */
    const char *base;          /* always true of the type's rows, or NULL */
    const char *resident;      /* NULL: a directory type */
    const char *reader;        /* a study's assigned reader, or NULL */
    const char *updated;       /* the row's last change, or NULL */
    const char *system, *code; /* the constant code of TC_FHIR_H_CODE */
    bool study;
    bool newest_first;
    struct tc_rec__fhir_column cols[8];
};

/* Every source, grouped by type in a fixed order (fhir-search-types.c). */
extern const struct tc_rec__fhir_source tc_rec__fhir_sources[];
extern const size_t tc_rec__fhir_n_sources;

/* The mapping of `type`, or NULL when it is not a supported type. */
const struct tc_rec__fhir_type *tc_rec__fhir_mapping(const char *type);

#endif
