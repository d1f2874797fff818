// SPDX-License-Identifier: Apache-2.0
/*
 * health.c - GET /healthz and GET /metrics: is the server up, is its
 * database answering, and the figures for Prometheus.
 *
 * /healthz answers 200 {"status":"ok", ...} when the database answers a
 * read, else 503 {"status":"degraded", "database":"unreachable"}. Neither
 * endpoint shows anything about patients.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "http"

#include <stdlib.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-config.h"
#include "tc-records.h"

static void
health_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_srv__resp *resp = &call->resp;
    bool db_ok = srv->db && tc_rec_ping(srv->db) == 0;
    int64_t uptime_s =
        (g_get_monotonic_time() - srv->started_at_us) / G_USEC_PER_SEC;
    json_t *doc;
    char *text;

    doc = json_pack("{s:s,s:s,s:I,s:s}", "status", db_ok ? "ok" : "degraded",
                    "version", TC_VERSION, "uptime_s", (json_int_t)uptime_s,
                    "database", db_ok ? "ok" : "unreachable");
    text = json_dumps(doc, JSON_COMPACT);
    tc_srv__resp_json(resp, db_ok ? 200 : 503, text ? text : "{}");
    free(text);
    json_decref(doc);
}

static void
metrics_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_srv__resp *resp = &call->resp;

    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4";
    tc_srv__metrics_render(srv->metrics, resp->body,
                           g_get_monotonic_time() - srv->started_at_us);
}

const struct tc_srv__route tc_srv__routes_health[] = {
    {"GET", "/healthz", health_get, TC_SRV__PUBLIC},
    {"HEAD", "/healthz", health_get, TC_SRV__PUBLIC},
    {"GET", "/metrics", metrics_get, TC_SRV__PUBLIC},
    {NULL, NULL, NULL, 0},
};
