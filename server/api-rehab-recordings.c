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

static void
recordings_list(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_recording_list *list = NULL;
    int64_t id;
    int rc;

    if (tc_srv__param_id(call, 0, "session id", &id) &&
        may_read(srv, call, id)) {
        rc = tc_rec_rehab_live_recording_list(srv->db, id, &list);
        tc_srv__recordings_list_send(srv, call, rc, list);
    }
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
