// SPDX-License-Identifier: Apache-2.0
/*
 * api-rehab-recordings.c - recordings of live-guided rehab sessions over
 * HTTP (docs/api.md, "Rehab session recordings"):
 *
 *   GET /api/v1/rehab-sessions/{id}/recordings   the list (JSON)
 *   GET /api/v1/rehab-live-recordings/{id}/media      the file, Range requests
 *
 * The media server records a live-guided session's call when the plan
 * has a standing recording consent (sig-media.c); each finished track
 * file is a row of migration 13. Who may: whoever may read the session
 * (the access policy: its therapists, the resident's family-doctor team,
 * the resident and carers), audited as a read of the session. The file
 * is sent by api-recordings.c's sender: pieces of at most 8 MiB, Range.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <stdio.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "tc-records.h"

#define SESSION "rehab_session"

static bool
may_read(struct tc_srv *srv, struct tc_srv__call *call, int64_t session_id)
{
    struct tc_rec_rehab_session *s = NULL;
    int rc = tc_rec_rehab_session_get(srv->db, session_id, &s);
    bool ok;

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    ok = tc_srv__policy_check_record(srv, call, TC_SRV__ACT_READ,
                                     s->resident_id, SESSION, s->id);
    tc_rec_rehab_session_free(s);
    return ok;
}

static json_t *
recording_json(const struct tc_rec_recording *r)
{
    char url[64];

    snprintf(url, sizeof(url), "/api/v1/rehab-live-recordings/%lld/media",
             (long long)r->id);
    return json_pack(
        "{s:I,s:I,s:I,s:s,s:s,s:o,s:I,s:I,s:s,s:s}", "id", (json_int_t)r->id,
        "session_id", (json_int_t)r->rehab_session_id, "user_id",
        (json_int_t)r->user_id, "track", r->track, "media_type", r->media_type,
        "started_at", tc_srv__instant_json(r->started_at_us), "duration_ms",
        (json_int_t)r->duration_ms, "size_bytes", (json_int_t)r->size_bytes,
        "sha256", r->sha256, "media_url", url);
}

static void
recordings_list(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_recording_list *list = NULL;
    json_t *items, *doc;
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "session id", &id) ||
        !may_read(srv, call, id)) {
        return;
    }
    rc = tc_rec_rehab_live_recording_list(srv->db, id, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    items = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(items, recording_json(&list->items[i]));
    }
    doc = json_pack("{s:o}", "items", items);
    tc_srv__resp_doc(&call->resp, 200, "application/json", doc);
    json_decref(doc);
    tc_rec_recording_list_free(list);
}

static void
recording_media(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_recording r = {0};
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "recording id", &id)) {
        return;
    }
    rc = tc_rec_rehab_live_recording_get(srv->db, id, &r);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    if (may_read(srv, call, r.rehab_session_id)) {
        tc_srv__recording_send(srv, call, &r);
    }
    tc_rec_recording_free(&r);
}

const struct tc_srv__route tc_srv__routes_rehab_recordings[] = {
    {"GET", "/api/v1/rehab-sessions/{id}/recordings", recordings_list, 0},
    {"GET", "/api/v1/rehab-live-recordings/{id}/media", recording_media, 0},
    {NULL, NULL, NULL, 0},
};
