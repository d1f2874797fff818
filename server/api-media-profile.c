// SPDX-License-Identifier: Apache-2.0
/*
 * api-media-profile.c - a consultation's low-bandwidth media profile over
 * HTTP (docs/api.md, "Media profile of a call"):
 *
 *   GET /api/v1/consultations/{id}/media-profile
 *   PUT /api/v1/consultations/{id}/media-profile   {"profile": "low"}
 *
 * GET: whoever may read the consultation (the access policy, audited with
 * purpose "media profile"); the answer says whether the profile was
 * chosen for the consultation or is the server's default. PUT: a host of
 * its calls (the accepting doctor or the named specialist), before or
 * during a call; a live room takes it at once (sig-profile.c), and the
 * next call starts with it.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "server-int.h"
#include "sig-int.h"
#include "tc-records.h"

/* The consultation of the path, checked for `action` by the policy. */
static bool
load(struct tc_srv *srv, struct tc_srv__call *call, enum tc_srv__action action,
     struct tc_rec_consultation **out)
{
    struct tc_rec_consultation *c = NULL;
    struct tc_srv__target t;
    int64_t id, me = call->req.who->practitioner_id;
    int rc;

    if (!tc_srv__param_id(call, 0, "consultation id", &id)) {
        return false;
    }
    rc = tc_rec_consultation_get(srv->db, id, &c);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return false;
    }
    t = (struct tc_srv__target){
        .action = action,
        .kind = TC_SRV__KIND_CONSULTATION,
        .resident_id = c->resident_id,
        .entity_type = "consultation",
        .entity_id = c->id,
        .requested_of = me > 0 && c->requested_specialist_id == me,
        .purpose = "media profile",
    };
    if (!tc_srv__policy_check(srv, call, &t)) {
        tc_rec_consultation_free(c);
        return false;
    }
    *out = c;
    return true;
}

static void
answer(struct tc_srv *srv, struct tc_srv__call *call, int64_t id)
{
    struct tc_rec_media_profile_row row = {0};
    int rc = tc_rec_media_profile_get(
        srv->db, TC_REC_MEDIA_PROFILE_CONSULTATION, id, &row);
    bool chosen = rc == 0;
    json_t *doc;

    if (rc < 0 && rc != -ENOENT) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    if (!chosen) {
        row.profile =
            (enum tc_rec_media_profile)srv->cfg->media_default_profile;
    }
    doc = json_pack("{s:I,s:s,s:s,s:i}", "consultation_id", (json_int_t)id,
                    "profile", tc_rec_media_profile_to_string(row.profile),
                    "source", chosen ? "consultation" : "default",
                    "video_max_kbps", srv->cfg->media_low_max_kbps);
    if (chosen) {
        json_object_set_new(doc, "set_by", json_integer(row.set_by));
        json_object_set_new(doc, "set_at",
                            tc_srv__instant_json(row.set_at_us));
    }
    tc_srv__resp_ok(call, 200, doc);
}

static void
profile_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_consultation *c = NULL;

    if (load(srv, call, TC_SRV__ACT_READ, &c)) {
        answer(srv, call, c->id);
        tc_rec_consultation_free(c);
    }
}

static void
profile_put(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const allowed[] = {"profile", NULL};
    struct tc_rec_consultation *c = NULL;
    enum tc_rec_media_profile p;
    const char *name = NULL;
    json_t *body = NULL;
    int64_t me = 0;
    int rc;

    if (!tc_srv__who_practitioner(call, "set a call's media profile", &me) ||
        !load(srv, call, TC_SRV__ACT_WRITE, &c)) {
        return;
    }
    if (me != c->accepted_by && me != c->requested_specialist_id) {
        tc_srv__deny(srv, call, TC_REC_AUDIT_UPDATE, "consultation", c->id,
                     c->resident_id,
                     "only a host of the consultation's calls sets its "
                     "media profile");
        goto out;
    }
    if (!tc_srv__call_body(call, allowed, &body) ||
        !tc_srv__json_string(call, body, "profile", true, 16, &name)) {
        goto out;
    }
    if (tc_rec_media_profile_from_string(name, &p) < 0) {
        tc_srv__bad_code(call, "profile", "normal, low or audio");
        goto out;
    }
    rc = tc_rec_media_profile_set(srv->db, TC_REC_MEDIA_PROFILE_CONSULTATION,
                                  c->id, p, call->req.who->user_id,
                                  g_get_real_time());
    if (!tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_UPDATE,
                               "consultation", c->id, c->resident_id)) {
        goto out;
    }
    tc_srv__sig_profile_changed(srv, TC_SRV__SIG_ROOM_CONSULTATION, c->id,
                                name);
    answer(srv, call, c->id);
out:
    json_decref(body);
    tc_rec_consultation_free(c);
}

const struct tc_srv__route tc_srv__routes_media_profile[] = {
    {"GET", "/api/v1/consultations/{id}/media-profile", profile_get, 0},
    {"PUT", "/api/v1/consultations/{id}/media-profile", profile_put, 0},
    {NULL, NULL, NULL, 0},
};
