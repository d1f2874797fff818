// SPDX-License-Identifier: Apache-2.0
/*
 * api-stats.c - what the family-doctor office reports (per township, per
 * team, over a date range) and one resident's timeline, under /api/v1.
 *
 * Statistics are aggregates with no patient rows: the policy's STATS kind
 * lets staff read them. Before computing, contracts whose period has
 * ended are swept to EXPIRED (tc_srv__contracts_sweep) so that they are
 * not counted as active. A range defaults to the current year up to
 * today (UTC).
 *
 * The timeline is part of the resident's record (policy RECORD, read). It
 * pages newest first with an opaque cursor, "next_before", which is the
 * records cursor written as "AT_US.KIND.ENTITY_ID". Its summaries are
 * codes and numbers, never free text (records guarantees it).
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-records.h"

#define TIMELINE_DEFAULT 50

static json_t *
stats_json(const struct tc_rec_stats *s)
{
    return json_pack(
        "{s:I,s:I,s:f,s:I,s:I,s:I,s:I,s:f,s:I,s:I,s:f}", "registered",
        (json_int_t)s->registered, "contracted", (json_int_t)s->contracted,
        "signing_rate", s->signing_rate, "followups_due",
        (json_int_t)s->followups_due, "followups_done",
        (json_int_t)s->followups_done, "contracts_ended",
        (json_int_t)s->contracts_ended, "contracts_renewed",
        (json_int_t)s->contracts_renewed, "renewal_rate", s->renewal_rate,
        "rehab_prescribed", (json_int_t)s->rehab_prescribed, "rehab_completed",
        (json_int_t)s->rehab_completed, "rehab_adherence", s->rehab_adherence);
}

/* ?from=&to=, by default this year up to today (UTC). */
static bool
range_read(struct tc_srv__call *call, char from[11], char to[11])
{
    char today[11], year_start[11];

    tc_srv__today(today);
    g_snprintf(year_start, sizeof(year_start), "%.4s-01-01", today);
    if (!tc_srv__query_date(call, "from", year_start, from) ||
        !tc_srv__query_date(call, "to", today, to)) {
        return false;
    }
    if (g_strcmp0(from, to) > 0) {
        tc_srv__resp_error_field(&call->resp, 400, "to",
                                 "to: must not be before from");
        return false;
    }
    return true;
}

static bool
stats_allowed(struct tc_srv *srv, struct tc_srv__call *call,
              const char *entity_type, int64_t entity_id)
{
    struct tc_srv__target t = {
        .action = TC_SRV__ACT_READ,
        .kind = TC_SRV__KIND_STATS,
        .entity_type = entity_type,
        .entity_id = entity_id,
    };

    return tc_srv__policy_check(srv, call, &t);
}

/* GET /stats/townships?from=&to=: every township's figures, by name. */
static void
townships_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_township_stats_list *list = NULL;
    char from[11], to[11];
    json_t *array;
    int rc;

    if (!range_read(call, from, to) ||
        !stats_allowed(srv, call, "stats_townships", 0)) {
        return;
    }
    tc_srv__contracts_sweep(srv, call);
    rc = tc_rec_stats_townships(srv->db, from, to, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    array = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_t *row = stats_json(&list->items[i].stats);
        json_object_set_new(row, "township",
                            json_string(list->items[i].township));
        json_array_append_new(array, row);
    }
    tc_rec_township_stats_list_free(list);
    tc_srv__resp_ok(
        call, 200,
        json_pack("{s:s,s:s,s:o}", "from", from, "to", to, "items", array));
}

/* GET /stats/teams/{id}?from=&to= */
static void
team_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_stats s;
    char from[11], to[11];
    json_t *doc;
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "team id", &id) ||
        !range_read(call, from, to) ||
        !stats_allowed(srv, call, "stats_team", id)) {
        return;
    }
    tc_srv__contracts_sweep(srv, call);
    rc = tc_rec_stats_team(srv->db, id, from, to, &s);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    doc = stats_json(&s);
    json_object_set_new(doc, "team_id", json_integer(id));
    json_object_set_new(doc, "from", json_string(from));
    json_object_set_new(doc, "to", json_string(to));
    tc_srv__resp_ok(call, 200, doc);
}

/* ---- the timeline ---- */

/* "AT_US.KIND.ENTITY_ID" (or "AT_US" alone) into *c. */
static bool
cursor_parse(const char *text, struct tc_rec_timeline_cursor *c)
{
    long long at = 0, kind = 0, entity = 0;
    int used = 0, n;

    n = sscanf(text, "%lld%n.%lld.%lld%n", &at, &used, &kind, &entity, &used);
    if ((n != 1 && n != 3) || text[used] != '\0' || at <= 0 || kind < 0 ||
        kind > TC_REC_TIMELINE_IMAGING_REPORT || entity < 0 ||
        (n == 1 && (kind || entity))) {
        return false;
    }
    *c = (struct tc_rec_timeline_cursor){
        .at_us = at,
        .kind = (enum tc_rec_timeline_kind)kind,
        .entity_id = entity,
    };
    return true;
}

static json_t *
entry_json(const struct tc_rec_timeline_entry *e)
{
    return json_pack(
        "{s:o,s:o,s:s?,s:I,s:s,s:s?}", "at", tc_srv__json_time(e->at_us),
        "date", e->date[0] ? json_string(e->date) : json_null(), "kind",
        tc_rec_timeline_kind_to_string(e->kind), "entity_id",
        (json_int_t)e->entity_id, "status", e->status, "summary", e->summary);
}

/* GET /residents/{id}/timeline?before=&limit=: newest first. */
static void
timeline_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_timeline_page *page = NULL;
    struct tc_rec_timeline_cursor before = {0};
    struct tc_srv__target t = {
        .action = TC_SRV__ACT_READ,
        .kind = TC_SRV__KIND_RECORD,
        .entity_type = "timeline",
    };
    char cursor[80], next[80];
    bool has_before;
    json_t *array;
    long limit;
    int rc;

    if (!tc_srv__param_id(call, 0, "resident id", &t.resident_id) ||
        !tc_srv__query_int(call, "limit", TIMELINE_DEFAULT, 1,
                           TC_REC_TIMELINE_PAGE_MAX, &limit)) {
        return;
    }
    has_before =
        tc_srv__query_get(&call->req, "before", cursor, sizeof(cursor));
    if (has_before && !cursor_parse(cursor, &before)) {
        tc_srv__resp_error_field(&call->resp, 400, "before",
                                 "before: must be a next_before value "
                                 "of an earlier page");
        return;
    }
    t.entity_id = t.resident_id;
    if (!tc_srv__policy_check(srv, call, &t)) {
        return;
    }
    rc = tc_rec_timeline_list(srv->db, t.resident_id,
                              has_before ? &before : NULL, (int)limit, &page);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    array = json_array();
    for (size_t i = 0; i < page->count; i++) {
        json_array_append_new(array, entry_json(&page->items[i]));
    }
    g_snprintf(next, sizeof(next), "%" PRId64 ".%d.%" PRId64, page->next.at_us,
               (int)page->next.kind, page->next.entity_id);
    tc_srv__resp_ok(call, 200,
                    json_pack("{s:o,s:o}", "items", array, "next_before",
                              page->more ? json_string(next) : json_null()));
    tc_rec_timeline_page_free(page);
}

const struct tc_srv__route tc_srv__routes_stats[] = {
    {"GET", "/api/v1/stats/townships", townships_get, 0},
    {"GET", "/api/v1/stats/teams/{id}", team_get, 0},
    {"GET", "/api/v1/residents/{id}/timeline", timeline_get, 0},
    {NULL, NULL, NULL, 0},
};
