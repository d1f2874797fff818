// SPDX-License-Identifier: Apache-2.0
/*
 * sig-proto.c - the wire format of telecare.v1 (docs/protocol.md): one
 * client text frame in, validated into a struct tc_srv__sig_msg; server
 * messages out, serialised once into reference-counted frames that every
 * recipient shares.
 *
 * Parsing is pure (no I/O, no globals) and is the fuzz target
 * (tests/fuzz/fuzz-sig-proto.c). Validation order, so a client gets the
 * most useful error: JSON (bad-json: invalid, not an object, duplicate
 * keys, nested deeper than 32) -> `id` (bad-field) -> `type`
 * (missing-field, bad-field, unknown-type) -> the type's members in the
 * order of the protocol's examples (missing-field, bad-field, too-large).
 * Unknown members are ignored. The id is read first so that every later
 * error can echo it.
 *
 * Thread: any (pure); the server calls it on the main thread.
 */
#define G_LOG_DOMAIN "signaling"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "sig-int.h"

#define MAX_DEPTH 32

static const char *const err_names[TC_SRV__SIG_N_ERRS] = {
    [TC_SRV__SIG_OK] = "ok",
    [TC_SRV__SIG_BAD_JSON] = "bad-json",
    [TC_SRV__SIG_UNKNOWN_TYPE] = "unknown-type",
    [TC_SRV__SIG_MISSING_FIELD] = "missing-field",
    [TC_SRV__SIG_BAD_FIELD] = "bad-field",
    [TC_SRV__SIG_NOT_AUTHENTICATED] = "not-authenticated",
    [TC_SRV__SIG_FORBIDDEN] = "forbidden",
    [TC_SRV__SIG_NOT_FOUND] = "not-found",
    [TC_SRV__SIG_NOT_IN_ROOM] = "not-in-room",
    [TC_SRV__SIG_BAD_STATE] = "bad-state",
    [TC_SRV__SIG_RATE_LIMITED] = "rate-limited",
    [TC_SRV__SIG_TOO_LARGE] = "too-large",
    [TC_SRV__SIG_INTERNAL] = "internal",
};

static const char *const type_names[TC_SRV__SIG_N_TYPES] = {
    [TC_SRV__SIG_HELLO] = "hello",
    [TC_SRV__SIG_JOIN] = "join",
    [TC_SRV__SIG_LEAVE] = "leave",
    [TC_SRV__SIG_ADMIT] = "admit",
    [TC_SRV__SIG_REMOVE] = "remove",
    [TC_SRV__SIG_OFFER] = "offer",
    [TC_SRV__SIG_ANSWER] = "answer",
    [TC_SRV__SIG_CANDIDATE] = "candidate",
    [TC_SRV__SIG_CHAT] = "chat",
    [TC_SRV__SIG_PING] = "ping",
    [TC_SRV__SIG_ECG_ANNOUNCE] = "ecg-announce",
    [TC_SRV__SIG_ECG_STOP] = "ecg-stop",
    [TC_SRV__SIG_ECG_SUBSCRIBE] = "ecg-subscribe",
    [TC_SRV__SIG_ECG_UNSUBSCRIBE] = "ecg-unsubscribe",
    [TC_SRV__SIG_MEDIA_MODE] = "media-mode",
    [TC_SRV__SIG_MEDIA_PROFILE] = "media-profile",
    [TC_SRV__SIG_FEED_ERROR] = "feed-error",
};

const char *
tc_srv__sig_err_name(enum tc_srv__sig_err code)
{
    return (int)code >= 0 && code < TC_SRV__SIG_N_ERRS ? err_names[code]
                                                       : NULL;
}

const char *
tc_srv__sig_type_name(enum tc_srv__sig_type type)
{
    return (int)type >= 0 && type < TC_SRV__SIG_N_TYPES ? type_names[type]
                                                        : NULL;
}

enum tc_srv__sig_err
tc_srv__sig_fail(struct tc_srv__sig_error *err, enum tc_srv__sig_err code,
                 const char *fmt, ...)
{
    va_list ap;

    err->code = code;
    va_start(ap, fmt);
    g_vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return code;
}

/* ---- parsing ---- */

/* Whether `v` nests deeper than `limit` levels. */
static bool
too_deep(const json_t *v, int limit)
{
    if (limit < 0) {
        return true;
    }
    if (json_is_object(v)) {
        const char *key;
        json_t *child;
        json_object_foreach((json_t *)v, key, child)
        {
            if (too_deep(child, limit - 1)) {
                return true;
            }
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child)
        {
            if (too_deep(child, limit - 1)) {
                return true;
            }
        }
    }
    return false;
}

/*
 * A string member: required or not, its byte length within min..max
 * (over max: too-large when `large`, else bad-field). Absent optional
 * members and JSON null leave *out NULL.
 */
static enum tc_srv__sig_err
string_member(json_t *doc, const char *name, bool required, size_t min,
              size_t max, bool large, const char **out,
              struct tc_srv__sig_error *err)
{
    json_t *v = json_object_get(doc, name);
    size_t len;

    *out = NULL;
    if (!v || (json_is_null(v) && !required)) {
        return required ? tc_srv__sig_fail(err, TC_SRV__SIG_MISSING_FIELD,
                                           "%s: missing", name)
                        : TC_SRV__SIG_OK;
    }
    if (!json_is_string(v)) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "%s: must be a string", name);
    }
    len = json_string_length(v);
    if (len > max) {
        return tc_srv__sig_fail(
            err, large ? TC_SRV__SIG_TOO_LARGE : TC_SRV__SIG_BAD_FIELD,
            "%s: longer than %zu bytes", name, max);
    }
    if (len < min) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "%s: shorter than %zu bytes", name, min);
    }
    if (strlen(json_string_value(v)) != len) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "%s: contains a NUL character", name);
    }
    *out = json_string_value(v);
    return TC_SRV__SIG_OK;
}

/* A positive decimal id without sign or leading zero, at most 18 digits
 * (always fits int64_t). */
static bool
parse_id(const char *s, int64_t *out)
{
    int64_t v = 0;
    size_t n = strlen(s);

    if (n == 0 || n > 18 || s[0] == '0') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!g_ascii_isdigit(s[i])) {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

int
tc_srv__sig_room_name_parse(const char *name, enum tc_srv__sig_room_kind *kind,
                            int64_t *record_id)
{
    static const struct {
        const char *prefix;
        enum tc_srv__sig_room_kind kind;
    } kinds[] = {
        {"consultation:", TC_SRV__SIG_ROOM_CONSULTATION},
        {"rehab-session:", TC_SRV__SIG_ROOM_REHAB_SESSION},
    };
    int64_t id;

    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
        size_t n = strlen(kinds[i].prefix);
        if (strncmp(name, kinds[i].prefix, n) == 0 &&
            parse_id(name + n, &id)) {
            *kind = kinds[i].kind;
            *record_id = id;
            return 0;
        }
    }
    return -EINVAL;
}

/* A peer id as the server makes them: 'p' and 1..14 lower-case hex. */
static bool
peer_id_valid(const char *s)
{
    size_t n = strlen(s);

    if (n < 2 || n >= TC_SRV__SIG_PEER_ID_MAX || s[0] != 'p') {
        return false;
    }
    for (size_t i = 1; i < n; i++) {
        if (!g_ascii_isdigit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f')) {
            return false;
        }
    }
    return true;
}

static enum tc_srv__sig_err
room_member(struct tc_srv__sig_msg *m, struct tc_srv__sig_error *err)
{
    enum tc_srv__sig_err rc =
        string_member(m->doc, "room", true, 1, TC_SRV__SIG_ROOM_NAME_MAX - 1,
                      false, &m->room, err);

    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    if (tc_srv__sig_room_name_parse(m->room, &m->kind, &m->record_id) < 0) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "room: must be consultation:<id> or "
                                "rehab-session:<id>");
    }
    return TC_SRV__SIG_OK;
}

static enum tc_srv__sig_err
peer_member(struct tc_srv__sig_msg *m, const char *name, bool media_ok,
            const char **out, struct tc_srv__sig_error *err)
{
    enum tc_srv__sig_err rc = string_member(
        m->doc, name, true, 1, TC_SRV__SIG_PEER_ID_MAX, false, out, err);

    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    if (!peer_id_valid(*out) && !(media_ok && strcmp(*out, "media") == 0)) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "%s: not a peer id", name);
    }
    return TC_SRV__SIG_OK;
}

/* candidate's optional sdpMid (string or null) and sdpMLineIndex
 * (0..65535 or null). */
static enum tc_srv__sig_err
candidate_members(struct tc_srv__sig_msg *m, struct tc_srv__sig_error *err)
{
    const char *mid = NULL;
    const char *candidate = NULL;
    json_t *index = json_object_get(m->doc, "sdpMLineIndex");
    enum tc_srv__sig_err rc;

    rc = string_member(m->doc, "candidate", true, 0, TC_SRV__SIG_MAX_CANDIDATE,
                       true, &candidate, err);
    if (rc == TC_SRV__SIG_OK) {
        rc = string_member(m->doc, "sdpMid", false, 0, TC_SRV__SIG_MAX_MID,
                           false, &mid, err);
    }
    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    if (index && !json_is_null(index) &&
        (!json_is_integer(index) || json_integer_value(index) < 0 ||
         json_integer_value(index) > 65535)) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "sdpMLineIndex: must be an integer in "
                                "0..65535");
    }
    return TC_SRV__SIG_OK;
}

/* offer, answer, candidate: room, to, then sdp or the candidate's. */
static enum tc_srv__sig_err
relay_members(struct tc_srv__sig_msg *m, struct tc_srv__sig_error *err)
{
    enum tc_srv__sig_err rc = room_member(m, err);
    const char *sdp = NULL;

    if (rc == TC_SRV__SIG_OK) {
        rc = peer_member(m, "to", true, &m->to, err);
    }
    if (rc == TC_SRV__SIG_OK && m->type != TC_SRV__SIG_CANDIDATE) {
        rc = string_member(m->doc, "sdp", true, 1, TC_SRV__SIG_MAX_SDP, true,
                           &sdp, err);
    }
    if (rc == TC_SRV__SIG_OK && m->type == TC_SRV__SIG_CANDIDATE) {
        rc = candidate_members(m, err);
    }
    if (rc == TC_SRV__SIG_OK && json_object_get(m->doc, "from")) {
        rc = tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                              "from: set by the server, not the client");
    }
    return rc;
}

/* A message for the server's media endpoint: room, and to "media"
 * (`what`: the type's name, for the error). */
static enum tc_srv__sig_err
to_media_members(struct tc_srv__sig_msg *m, const char *what,
                 struct tc_srv__sig_error *err)
{
    enum tc_srv__sig_err rc = room_member(m, err);

    if (rc == TC_SRV__SIG_OK) {
        rc = peer_member(m, "to", true, &m->to, err);
    }
    if (rc == TC_SRV__SIG_OK && strcmp(m->to, "media") != 0) {
        rc = tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                              "to: %s goes to \"media\"", what);
    }
    return rc;
}

static enum tc_srv__sig_err
media_mode_members(struct tc_srv__sig_msg *m, struct tc_srv__sig_error *err)
{
    enum tc_srv__sig_err rc = to_media_members(m, "media-mode", err);

    if (rc == TC_SRV__SIG_OK &&
        !json_is_boolean(json_object_get(m->doc, "audioOnly"))) {
        rc = tc_srv__sig_fail(err,
                              json_object_get(m->doc, "audioOnly")
                                  ? TC_SRV__SIG_BAD_FIELD
                                  : TC_SRV__SIG_MISSING_FIELD,
                              "audioOnly: must be true or false");
    }
    return rc;
}

static enum tc_srv__sig_err
feed_error_members(struct tc_srv__sig_msg *m, struct tc_srv__sig_error *err)
{
    enum tc_srv__sig_err rc = to_media_members(m, "feed-error", err);
    const char *why = NULL; /* the browser's; never logged */

    if (rc == TC_SRV__SIG_OK) {
        rc = peer_member(m, "feed", false, &m->feed, err);
    }
    if (rc == TC_SRV__SIG_OK) {
        rc = string_member(m->doc, "message", false, 0,
                           TC_SRV__SIG_MAX_FEED_ERROR, true, &why, err);
    }
    return rc;
}

static enum tc_srv__sig_err
media_profile_members(struct tc_srv__sig_msg *m, struct tc_srv__sig_error *err)
{
    enum tc_srv__sig_err rc = room_member(m, err);

    if (rc == TC_SRV__SIG_OK) {
        rc = string_member(m->doc, "profile", true, 1, 16, false, &m->profile,
                           err);
    }
    if (rc == TC_SRV__SIG_OK && strcmp(m->profile, "normal") != 0 &&
        strcmp(m->profile, "low") != 0 && strcmp(m->profile, "audio") != 0) {
        rc = tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                              "profile: must be normal, low or audio");
    }
    return rc;
}

/* The members of each type, after `type` and `id`. */
static enum tc_srv__sig_err
type_members(struct tc_srv__sig_msg *m, struct tc_srv__sig_error *err)
{
    enum tc_srv__sig_err rc = TC_SRV__SIG_OK;

    switch (m->type) {
    case TC_SRV__SIG_HELLO:
        rc = string_member(m->doc, "token", true, 1, TC_SRV__SIG_MAX_TOKEN,
                           false, &m->token, err);
        if (rc == TC_SRV__SIG_OK) {
            rc = string_member(m->doc, "resume", false, 1,
                               TC_SRV__SIG_MAX_TOKEN, false, &m->resume, err);
        }
        return rc;
    case TC_SRV__SIG_JOIN:
        rc = room_member(m, err);
        if (rc == TC_SRV__SIG_OK) {
            rc = string_member(m->doc, "reason", false, 1,
                               TC_SRV__SIG_MAX_REASON, false, &m->reason, err);
        }
        return rc;
    case TC_SRV__SIG_LEAVE:
        return room_member(m, err);
    case TC_SRV__SIG_ADMIT:
    case TC_SRV__SIG_REMOVE:
        rc = room_member(m, err);
        if (rc == TC_SRV__SIG_OK) {
            rc = peer_member(m, "peer", false, &m->peer, err);
        }
        if (rc == TC_SRV__SIG_OK && m->type == TC_SRV__SIG_REMOVE) {
            rc = string_member(m->doc, "reason", false, 1,
                               TC_SRV__SIG_MAX_REASON, false, &m->reason, err);
        }
        return rc;
    case TC_SRV__SIG_OFFER:
    case TC_SRV__SIG_ANSWER:
    case TC_SRV__SIG_CANDIDATE:
        return relay_members(m, err);
    case TC_SRV__SIG_CHAT:
        rc = room_member(m, err);
        if (rc == TC_SRV__SIG_OK) {
            rc = string_member(m->doc, "text", true, 1, TC_SRV__SIG_MAX_CHAT,
                               true, &m->text, err);
        }
        return rc;
    case TC_SRV__SIG_MEDIA_MODE:
        return media_mode_members(m, err);
    case TC_SRV__SIG_FEED_ERROR:
        return feed_error_members(m, err);
    case TC_SRV__SIG_MEDIA_PROFILE:
        return media_profile_members(m, err);
    case TC_SRV__SIG_ECG_ANNOUNCE:
    case TC_SRV__SIG_ECG_STOP:
    case TC_SRV__SIG_ECG_SUBSCRIBE:
    case TC_SRV__SIG_ECG_UNSUBSCRIBE:
        break; /* their members: tc_srv__sig_ecg_parse (sig-ecg.c) */
    case TC_SRV__SIG_PING:
    case TC_SRV__SIG_N_TYPES:
        break;
    }
    return rc;
}

/* `id`: absent, or a string of 1..64 bytes. */
static enum tc_srv__sig_err
id_member(json_t *doc, char id[TC_SRV__SIG_MAX_ID + 1],
          struct tc_srv__sig_error *err)
{
    json_t *v = json_object_get(doc, "id");
    size_t len;

    if (!v) {
        return TC_SRV__SIG_OK;
    }
    if (!json_is_string(v)) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "id: must be a string");
    }
    len = json_string_length(v);
    if (len < 1 || len > TC_SRV__SIG_MAX_ID ||
        strlen(json_string_value(v)) != len) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "id: must be 1..64 bytes");
    }
    memcpy(id, json_string_value(v), len + 1);
    return TC_SRV__SIG_OK;
}

static enum tc_srv__sig_err
type_member(json_t *doc, enum tc_srv__sig_type *out,
            struct tc_srv__sig_error *err)
{
    json_t *v = json_object_get(doc, "type");

    if (!v) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_MISSING_FIELD,
                                "type: missing");
    }
    if (!json_is_string(v)) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_FIELD,
                                "type: must be a string");
    }
    for (int t = 0; t < TC_SRV__SIG_N_TYPES; t++) {
        if (strcmp(json_string_value(v), type_names[t]) == 0) {
            *out = (enum tc_srv__sig_type)t;
            return TC_SRV__SIG_OK;
        }
    }
    return tc_srv__sig_fail(err, TC_SRV__SIG_UNKNOWN_TYPE,
                            "type: not a client message type");
}

enum tc_srv__sig_err
tc_srv__sig_parse(const char *data, size_t len, struct tc_srv__sig_msg *out,
                  struct tc_srv__sig_error *err)
{
    struct tc_srv__sig_msg m = {0};
    json_error_t jerr;
    enum tc_srv__sig_err rc;

    err->id[0] = '\0';
    if (len > TC_SRV__SIG_MAX_FRAME) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_TOO_LARGE,
                                "message: larger than %d bytes",
                                TC_SRV__SIG_MAX_FRAME);
    }
    m.doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!m.doc) {
        return tc_srv__sig_fail(err, TC_SRV__SIG_BAD_JSON,
                                "invalid JSON at byte %d", jerr.position);
    }
    if (!json_is_object(m.doc)) {
        rc = tc_srv__sig_fail(err, TC_SRV__SIG_BAD_JSON,
                              "message: must be a JSON object");
        goto fail;
    }
    if (too_deep(m.doc, MAX_DEPTH)) {
        rc = tc_srv__sig_fail(err, TC_SRV__SIG_BAD_JSON,
                              "message: nested deeper than %d levels",
                              MAX_DEPTH);
        goto fail;
    }
    rc = id_member(m.doc, m.id, err);
    if (rc == TC_SRV__SIG_OK) {
        memcpy(err->id, m.id, sizeof(err->id));
        rc = type_member(m.doc, &m.type, err);
    }
    if (rc == TC_SRV__SIG_OK) {
        rc = type_members(&m, err);
    }
    if (rc != TC_SRV__SIG_OK) {
        goto fail;
    }
    m.raw = data;
    m.raw_len = len;
    *out = m;
    return TC_SRV__SIG_OK;

fail:
    json_decref(m.doc);
    return rc;
}

void
tc_srv__sig_msg_fini(struct tc_srv__sig_msg *msg)
{
    if (msg) {
        json_decref(msg->doc);
        msg->doc = NULL;
    }
}

/* ---- frames ---- */

struct tc_srv__sig_frame *
tc_srv__sig_frame_new(const json_t *doc)
{
    struct tc_srv__sig_frame *f;
    char buf[2048]; /* nearly every message fits: serialised once */
    size_t len = json_dumpb(doc, buf, sizeof(buf), JSON_COMPACT);

    if (len == 0) {
        return NULL;
    }
    f = g_malloc(sizeof(*f) + TC_SRV__SIG_PRE + len + 1);
    f->refs = 1;
    f->binary = false;
    if (len <= sizeof(buf)) {
        memcpy(f->bytes + TC_SRV__SIG_PRE, buf, len);
        f->len = len;
    } else {
        f->len = json_dumpb(doc, (char *)f->bytes + TC_SRV__SIG_PRE, len,
                            JSON_COMPACT);
    }
    if (f->len != len) {
        g_free(f);
        return NULL;
    }
    f->bytes[TC_SRV__SIG_PRE + len] = '\0';
    return f;
}

/* ---- the relayed copy, spliced from the received text ---- */

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t
skip_space(const char *s, size_t i, size_t n)
{
    while (i < n && is_space(s[i])) {
        i++;
    }
    return i;
}

/* Just past the string that opens at s[i] ('"'); n + 1 when unclosed.
 * *escaped is set when it holds a backslash. */
static size_t
string_end(const char *s, size_t i, size_t n, bool *escaped)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\') {
            *escaped = true;
            i++;
        } else if (s[i] == '"') {
            return i + 1;
        }
    }
    return n + 1;
}

/* Just past the value that starts at s[i]; n + 1 when it does not end. */
static size_t
value_end(const char *s, size_t i, size_t n)
{
    unsigned depth = 0;
    bool escaped = false;

    while (i < n) {
        char c = s[i];

        if (c == '"') {
            i = string_end(s, i, n, &escaped);
            if (depth == 0) {
                return i;
            }
        } else if (c == '{' || c == '[') {
            depth++;
            i++;
        } else if (c == '}' || c == ']') {
            if (depth == 0) {
                return i; /* a scalar, ended by its object's end */
            }
            if (--depth == 0) {
                return i + 1;
            }
            i++;
        } else if (depth == 0 && (c == ',' || is_space(c))) {
            return i;
        } else if (c == '\0' ||
                   !strchr(",:-+.0123456789eEtruefalsn \t\n\r", c)) {
            return n + 1; /* not JSON (jansson takes a NUL between tokens) */
        } else {
            i++;
        }
    }
    return depth == 0 && i == n ? n : n + 1;
}

static bool
dropped_key(const char *key, size_t len)
{
    return (len == 2 &&
            (memcmp(key, "id", 2) == 0 || memcmp(key, "to", 2) == 0)) ||
           (len == 4 && memcmp(key, "from", 4) == 0);
}

/* Copy the kept members of the object at raw[i] ('{') to out; returns
 * the bytes written, or -1. */
static ssize_t
kept_members(const char *raw, size_t i, size_t n, char *out)
{
    size_t w = 0;

    for (bool first = true;; first = false) {
        size_t key, key_end, end;
        bool escaped = false;

        i = skip_space(raw, i + 1, n); /* past '{' or ',' */
        if (first && i < n && raw[i] == '}') {
            return skip_space(raw, i + 1, n) == n ? 0 : -1; /* {} */
        }
        if (i >= n || raw[i] != '"') {
            return -1;
        }
        key = i;
        key_end = string_end(raw, i, n, &escaped);
        if (escaped || key_end > n) {
            return -1;
        }
        i = skip_space(raw, key_end, n);
        if (i >= n || raw[i] != ':') {
            return -1;
        }
        end = value_end(raw, skip_space(raw, i + 1, n), n);
        if (end > n) {
            return -1;
        }
        if (!dropped_key(raw + key + 1, key_end - key - 2)) {
            if (w > 0) {
                out[w++] = ',';
            }
            memcpy(out + w, raw + key, end - key);
            w += end - key;
        }
        i = skip_space(raw, end, n);
        if (i < n && raw[i] == '}') {
            return skip_space(raw, i + 1, n) == n ? (ssize_t)w : -1;
        }
        if (i >= n || raw[i] != ',') {
            return -1;
        }
    }
}

struct tc_srv__sig_frame *
tc_srv__sig_frame_relayed(const char *raw, size_t len, const char *from)
{
    size_t from_len = strlen(from);
    size_t i = skip_space(raw, 0, len);
    struct tc_srv__sig_frame *f;
    char *out;
    ssize_t w;

    if (i >= len || raw[i] != '{') {
        return NULL;
    }
    /* the members, ',"from":"' from '"}' and the NUL */
    f = g_malloc(sizeof(*f) + TC_SRV__SIG_PRE + len + from_len + 16);
    out = (char *)f->bytes + TC_SRV__SIG_PRE;
    out[0] = '{';
    w = kept_members(raw, i, len, out + 1);
    if (w < 0) {
        g_free(f);
        return NULL;
    }
    f->len = 1 + (size_t)w;
    f->len += (size_t)g_snprintf(out + f->len, from_len + 14,
                                 "%s\"from\":\"%s\"}", w > 0 ? "," : "", from);
    f->refs = 1;
    f->binary = false;
    return f;
}

struct tc_srv__sig_frame *
tc_srv__sig_frame_ref(struct tc_srv__sig_frame *frame)
{
    frame->refs++;
    return frame;
}

void
tc_srv__sig_frame_unref(struct tc_srv__sig_frame *frame)
{
    if (frame && --frame->refs == 0) {
        g_free(frame);
    }
}

struct tc_srv__sig_frame *
tc_srv__sig_error_frame(const struct tc_srv__sig_error *err)
{
    json_t *doc = json_pack("{s:s}", "type", "error");
    struct tc_srv__sig_frame *f;

    if (err->id[0]) {
        json_object_set_new(doc, "id", json_string(err->id));
    }
    json_object_set_new(doc, "code",
                        json_string(tc_srv__sig_err_name(err->code)));
    json_object_set_new(doc, "message", json_string(err->message));
    f = tc_srv__sig_frame_new(doc);
    json_decref(doc);
    return f;
}
