// SPDX-License-Identifier: Apache-2.0
/*
 * api-rehab-library.c - the exercise library under /api/v1/rehab-library:
 * exercises with instructions in Chinese and English, default sets and
 * reps, precautions per disability category, and a demo video.
 *
 * Anyone signed in reads the library (no patient data; each read is
 * audited like the directory). A therapist adds their own exercises; an
 * administrator adds built-in ones (no author). The demo video is
 * uploaded like a recording (resumable, api-rehab-upload.c) by the
 * exercise's author (an administrator for built-in ones), verified by
 * media's probe, and served to anyone with Range requests: the route is
 * public so that a browser's <video src> plays it without a token.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "rehab-int.h"
#include "tc-records.h"

#define LIBRARY         "rehab_library"
#define MAX_PRECAUTIONS 7

static bool
audit_read(struct tc_srv *srv, struct tc_srv__call *call, int64_t id)
{
    const struct tc_srv__target t = {
        .action = TC_SRV__ACT_READ,
        .kind = TC_SRV__KIND_DIRECTORY,
        .entity_type = LIBRARY,
        .entity_id = id,
    };

    return tc_srv__policy_check(srv, call, &t);
}

static json_t *
video_json(struct tc_srv *srv, const struct tc_rec_rehab_library_item *it)
{
    struct tc_rec_rehab_upload *u = NULL;
    json_t *doc;
    char url[96];

    if (it->video_upload_id <= 0 ||
        tc_rec_rehab_upload_get(srv->db, it->video_upload_id, &u) < 0) {
        return json_null();
    }
    g_snprintf(url, sizeof(url),
               "/api/v1/rehab-library/%" G_GINT64_FORMAT "/video", it->id);
    doc = json_pack("{s:s,s:s?,s:I,s:I}", "url", url, "mime", u->mime, "size",
                    (json_int_t)u->size_bytes, "duration_ms",
                    (json_int_t)u->duration_ms);
    tc_rec_rehab_upload_free(u);
    return doc;
}

static json_t *
item_json(struct tc_srv *srv, const struct tc_rec_rehab_library_item *it,
          bool whole)
{
    json_t *doc = json_pack(
        "{s:I,s:s,s:i,s:i,s:o,s:o,s:o}", "id", (json_int_t)it->id, "name",
        it->name, "default_sets", it->default_sets, "default_reps",
        it->default_reps, "created_by", tc_srv__id_json(it->created_by),
        "created_at", tc_srv__instant_json(it->created_at_us), "video",
        video_json(srv, it));

    if (whole) {
        json_t *prec = json_array();
        for (size_t i = 0; i < it->n_precautions; i++) {
            json_array_append_new(prec,
                                  json_pack("{s:s,s:s}", "category",
                                            tc_rec_disability_to_string(
                                                it->precautions[i].category),
                                            "text", it->precautions[i].text));
        }
        json_object_set_new(doc, "instructions_zh",
                            json_string(it->instructions_zh));
        json_object_set_new(doc, "instructions_en",
                            json_string(it->instructions_en));
        json_object_set_new(doc, "precautions", prec);
    }
    return doc;
}

static void
answer_item(struct tc_srv *srv, struct tc_srv__call *call, int status,
            int64_t id)
{
    struct tc_rec_rehab_library_item *it = NULL;
    int rc = tc_rec_rehab_library_get(srv->db, id, &it);

    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    tc_srv__resp_ok(call, status, item_json(srv, it, true));
    tc_rec_rehab_library_item_free(it);
}

static void
library_list(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_library_list *list = NULL;
    json_t *items;
    int rc;

    if (!audit_read(srv, call, 0)) {
        return;
    }
    rc = tc_rec_rehab_library_list(srv->db, &list);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    items = json_array();
    for (size_t i = 0; i < list->count; i++) {
        json_array_append_new(items, item_json(srv, &list->items[i], false));
    }
    tc_rec_rehab_library_list_free(list);
    tc_srv__resp_ok(call, 200, json_pack("{s:o}", "items", items));
}

static void
library_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    int64_t id;

    if (tc_srv__param_id(call, 0, "exercise id", &id) &&
        audit_read(srv, call, id)) {
        answer_item(srv, call, 200, id);
    }
}

/* The author a new exercise gets: the calling therapist, or none (built
 * in) for an administrator; false after a 403 for anyone else. */
static bool
author_of_new(struct tc_srv *srv, struct tc_srv__call *call, int64_t *out)
{
    const struct tc_srv__who *who = call->req.who;

    if ((who->roles & (1u << TC_SRV__ROLE_THERAPIST)) &&
        who->practitioner_id > 0) {
        *out = who->practitioner_id;
        return true;
    }
    if (who->roles & (1u << TC_SRV__ROLE_ADMIN)) {
        *out = 0;
        return true;
    }
    tc_srv__deny(srv, call, TC_REC_AUDIT_CREATE, LIBRARY, 0, 0,
                 "only therapists (and administrators, for built-in "
                 "exercises) add to the library");
    return false;
}

static bool
precautions_parse(struct tc_srv__call *call, json_t *body,
                  struct tc_rec_rehab_precaution_new *out, size_t *n)
{
    static const char *const known[] = {"category", "text", NULL};
    json_t *arr = json_object_get(body, "precautions");
    size_t i;
    json_t *el;

    *n = 0;
    if (!arr || json_is_null(arr)) {
        return true;
    }
    if (!json_is_array(arr) || json_array_size(arr) > MAX_PRECAUTIONS) {
        tc_srv__resp_error_field(&call->resp, 400, "precautions",
                                 "precautions: must be an array of at most "
                                 "7 {category, text}");
        return false;
    }
    json_array_foreach(arr, i, el)
    {
        const char *cat = NULL, *text = NULL;
        char prefix[32];
        enum tc_rec_disability d;
        g_snprintf(prefix, sizeof(prefix), "precautions[%zu].", i);
        if (!json_is_object(el)) {
            tc_srv__resp_error_field(&call->resp, 400, "precautions",
                                     "precautions: each must be an object");
            return false;
        }
        if (!tc_srv__json_only(call, el, known) ||
            !tc_srv__json_string(call, el, "category", true, 32, &cat) ||
            !tc_srv__json_string(call, el, "text", true, 2000, &text)) {
            tc_srv__resp_error_prefix(call, prefix);
            return false;
        }
        if (tc_rec_disability_from_string(cat, &d) < 0 ||
            d == TC_REC_DISABILITY_NONE) {
            tc_srv__bad_code(call, "category",
                             "visual, hearing, speech, physical, "
                             "intellectual, mental, multiple");
            tc_srv__resp_error_prefix(call, prefix);
            return false;
        }
        out[(*n)++] = (struct tc_rec_rehab_precaution_new){d, text};
    }
    return true;
}

static void
library_add(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"name",
                                        "instructions_zh",
                                        "instructions_en",
                                        "default_sets",
                                        "default_reps",
                                        "precautions",
                                        NULL};
    struct tc_rec_rehab_precaution_new prec[MAX_PRECAUTIONS];
    struct tc_rec_rehab_library_new in = {.created_at_us = g_get_real_time()};
    json_t *body = NULL;
    int64_t id = 0;

    if (author_of_new(srv, call, &in.created_by) &&
        tc_srv__call_body(call, known, &body) &&
        tc_srv__json_string(call, body, "name", true, 200, &in.name) &&
        tc_srv__json_string(call, body, "instructions_zh", true, 4000,
                            &in.instructions_zh) &&
        tc_srv__json_string(call, body, "instructions_en", true, 4000,
                            &in.instructions_en) &&
        tc_srv__json_int32(call, body, "default_sets", true,
                           &in.default_sets) &&
        tc_srv__json_int32(call, body, "default_reps", true,
                           &in.default_reps) &&
        precautions_parse(call, body, prec, &in.n_precautions)) {
        in.precautions = prec;
        if (tc_srv__audit_outcome(srv, call,
                                  tc_rec_rehab_library_add(srv->db, &in, &id),
                                  TC_REC_AUDIT_CREATE, LIBRARY, id, 0)) {
            answer_item(srv, call, 201, id);
        }
    }
    json_decref(body);
}

/* POST .../video {size, sha256}: open the demo video's upload. */
static void
video_upload(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {"size", "sha256", NULL};
    const struct tc_srv__who *who = call->req.who;
    struct tc_rec_rehab_library_item *it = NULL;
    struct tc_rec_rehab_upload_new in = {.owner_user_id = who->user_id,
                                         .at_us = g_get_real_time()};
    struct tc_rec_rehab_upload *u = NULL;
    json_t *body = NULL;
    int64_t id, upload_id = 0;
    int rc;

    if (!tc_srv__param_id(call, 0, "exercise id", &id)) {
        return;
    }
    rc = tc_rec_rehab_library_get(srv->db, id, &it);
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
        return;
    }
    in.library_id = id;
    if (it->created_by > 0 ? it->created_by != who->practitioner_id
                           : !(who->roles & (1u << TC_SRV__ROLE_ADMIN))) {
        tc_srv__deny(srv, call, TC_REC_AUDIT_UPDATE, LIBRARY, id, 0,
                     "only the exercise's author uploads its video");
    } else if (tc_srv__call_body(call, known, &body) &&
               tc_srv__json_int(call, body, "size", true, 1,
                                srv->cfg->rehab_max_video_bytes,
                                &in.size_bytes) &&
               tc_srv__json_string(call, body, "sha256", true, 64,
                                   &in.sha256) &&
               tc_srv__rehab_dirs(srv) == 0 &&
               tc_srv__audit_outcome(
                   srv, call,
                   tc_rec_rehab_upload_create(srv->db, &in, &upload_id),
                   TC_REC_AUDIT_CREATE, "rehab_upload", upload_id, 0) &&
               tc_rec_rehab_upload_get(srv->db, upload_id, &u) == 0) {
        tc_srv__resp_ok(call, 201, tc_srv__rehab_upload_json(u));
    }
    if (call->resp.status == 0) {
        tc_srv__resp_error(&call->resp, 500, "video: cannot store uploads");
    }
    tc_rec_rehab_upload_free(u);
    tc_rec_rehab_library_item_free(it);
    json_decref(body);
}

/* GET .../video: public (a <video src> carries no token). */
static void
video_get(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_rehab_library_item *it = NULL;
    struct tc_rec_rehab_upload *u = NULL;
    int64_t id;
    int rc;

    if (!tc_srv__param_id(call, 0, "exercise id", &id)) {
        return;
    }
    rc = tc_rec_rehab_library_get(srv->db, id, &it);
    if (rc == 0 && it->video_upload_id <= 0) {
        tc_srv__resp_error(&call->resp, 404, "video: none uploaded yet");
    } else if (rc == 0) {
        rc = tc_rec_rehab_upload_get(srv->db, it->video_upload_id, &u);
        if (rc == 0) {
            tc_srv__rehab_video_send(srv, call, u);
        }
    }
    if (rc < 0) {
        tc_srv__resp_records_error(srv, call, rc);
    }
    tc_rec_rehab_upload_free(u);
    tc_rec_rehab_library_item_free(it);
}

const struct tc_srv__route tc_srv__routes_rehab_library[] = {
    {"GET", "/api/v1/rehab-library", library_list, 0},
    {"POST", "/api/v1/rehab-library", library_add, 0},
    {"GET", "/api/v1/rehab-library/{id}", library_get, 0},
    {"POST", "/api/v1/rehab-library/{id}/video", video_upload, 0},
    {"GET", "/api/v1/rehab-library/{id}/video", video_get, TC_SRV__PUBLIC},
    {NULL, NULL, NULL, 0},
};
