// SPDX-License-Identifier: Apache-2.0
/*
 * auth.c - bearer tokens to callers.
 *
 * A token is 32 random bytes, handed to the client once as unpadded
 * base64url (43 characters) and stored only as its SHA-256
 * (records/session.c). Resolving a request's token: decode, hash, look
 * the session up (checks expiry and revocation, slides the expiry), read
 * the user, refuse a disabled one, and fill struct tc_srv__who with the
 * user's roles and person link. All of it is on the main thread: SQLite
 * answers these in microseconds.
 *
 * Tokens never reach a log; neither does their hash.
 *
 * Sessions that expired or were revoked more than SWEEP_KEEP_S ago are
 * deleted every SWEEP_EVERY_S, and once just after start (a token that
 * old is then "unknown" rather than "expired": either is 401). Their rows
 * hold no token, but a table of dead sessions grows with every login.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "auth"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <sodium.h>

#include "server-int.h"
#include "tc-records.h"

#define BEARER        "Bearer "
#define SWEEP_EVERY_S 3600
#define SWEEP_FIRST_S 60
#define SWEEP_KEEP_S  (7 * 24 * 3600)

/* In enum tc_srv__role order; the same codes as records' user roles. */
static const char *const role_names[TC_SRV__N_ROLES] = {
    [TC_SRV__ROLE_ADMIN] = "admin",
    [TC_SRV__ROLE_AUDITOR] = "auditor",
    [TC_SRV__ROLE_DOCTOR] = "doctor",
    [TC_SRV__ROLE_SPECIALIST] = "specialist",
    [TC_SRV__ROLE_TOWNSHIP_DOCTOR] = "township_doctor",
    [TC_SRV__ROLE_FAMILY_DOCTOR] = "family_doctor",
    [TC_SRV__ROLE_THERAPIST] = "therapist",
    [TC_SRV__ROLE_ECG_READER] = "ecg_reader",
    [TC_SRV__ROLE_RADIOLOGIST] = "radiologist",
    [TC_SRV__ROLE_RESIDENT] = "resident",
    [TC_SRV__ROLE_CARER] = "carer",
};

const char *
tc_srv__role_name(enum tc_srv__role role)
{
    return (int)role >= 0 && role < TC_SRV__N_ROLES ? role_names[role] : NULL;
}

int
tc_srv__role_from_name(const char *name, enum tc_srv__role *out)
{
    for (int r = 0; r < TC_SRV__N_ROLES; r++) {
        if (strcmp(role_names[r], name) == 0) {
            *out = (enum tc_srv__role)r;
            return 0;
        }
    }
    return -EINVAL;
}

unsigned
tc_srv__roles_from_records(unsigned rec_roles)
{
    unsigned roles = 0;

    for (int r = 0; r < TC_SRV__N_ROLES; r++) {
        enum tc_rec_user_role rr;
        if (tc_rec_user_role_from_string(role_names[r], &rr) == 0 &&
            (rec_roles & TC_REC_USER_ROLE_BIT(rr))) {
            roles |= 1u << r;
        }
    }
    return roles;
}

int
tc_srv__roles_parse(const char *list, bool for_records, unsigned *out,
                    char **bad)
{
    g_auto(GStrv) names = g_strsplit(list, ",", -1);
    unsigned roles = 0;

    for (size_t i = 0; names[i]; i++) {
        enum tc_srv__role r;
        char *name = g_strstrip(names[i]);
        if (!name[0]) {
            continue;
        }
        if (tc_srv__role_from_name(name, &r) < 0) {
            *bad = g_strdup(name);
            return -EINVAL;
        }
        if (for_records) {
            enum tc_rec_user_role rr;
            tc_rec_user_role_from_string(name, &rr);
            roles |= TC_REC_USER_ROLE_BIT(rr);
        } else {
            roles |= 1u << r;
        }
    }
    *out = roles;
    return 0;
}

int
tc_srv__token_new(char token[TC_SRV__TOKEN_TEXT_LEN + 1],
                  unsigned char hash[TC_SRV__TOKEN_HASH_LEN])
{
    unsigned char raw[TC_SRV__TOKEN_LEN];

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(token, TC_SRV__TOKEN_TEXT_LEN + 1, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_hash_sha256(hash, raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    return 0;
}

int
tc_srv__token_hash(const char *authorization,
                   unsigned char hash[TC_SRV__TOKEN_HASH_LEN])
{
    unsigned char raw[TC_SRV__TOKEN_LEN];
    const char *text, *end = NULL;
    size_t len = 0;

    if (!authorization ||
        g_ascii_strncasecmp(authorization, BEARER, strlen(BEARER)) != 0) {
        return -EINVAL;
    }
    text = authorization + strlen(BEARER);
    if (strlen(text) != TC_SRV__TOKEN_TEXT_LEN ||
        sodium_base642bin(raw, sizeof(raw), text, TC_SRV__TOKEN_TEXT_LEN, NULL,
                          &len, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len != sizeof(raw) || *end != '\0') {
        return -EINVAL;
    }
    crypto_hash_sha256(hash, raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    return 0;
}

static const char *
session_refusal(int rc)
{
    switch (rc) {
    case -ENOENT:
        return "unknown bearer token";
    case -EKEYEXPIRED:
        return "expired bearer token";
    case -EKEYREVOKED:
        return "revoked bearer token";
    default:
        return "bearer token cannot be checked now";
    }
}

void
tc_srv__who_fill(struct tc_srv__who *who, const struct tc_rec_user *u)
{
    memset(who, 0, sizeof(*who));
    who->user_id = u->id;
    g_strlcpy(who->username, u->username, sizeof(who->username));
    who->roles = tc_srv__roles_from_records(u->roles);
    who->practitioner_id = u->practitioner_id;
    who->resident_id = u->resident_id;
    who->carer_id = u->carer_id;
}

int
tc_srv__auth_resolve(struct tc_srv *srv, const char *authorization,
                     const char *client_addr, struct tc_srv__who *who,
                     const char **why)
{
    unsigned char hash[TC_SRV__TOKEN_HASH_LEN];
    struct tc_rec_user *u = NULL;
    int64_t user_id = 0;
    int rc;

    if (tc_srv__token_hash(authorization, hash) < 0) {
        *why = "malformed bearer token";
        return -EACCES;
    }
    rc = tc_rec_session_lookup(
        srv->db, hash, g_get_real_time(),
        (int64_t)srv->cfg->session_ttl_s * G_USEC_PER_SEC, &user_id);
    if (rc == 0) {
        rc = tc_rec_user_get(srv->db, user_id, &u);
    }
    if (rc < 0) {
        if (rc != -ENOENT && rc != -EKEYEXPIRED && rc != -EKEYREVOKED) {
            g_warning("session lookup from %s: %s", client_addr,
                      g_strerror(-rc));
        }
        *why = session_refusal(rc);
        return -EACCES;
    }
    if (u->disabled) {
        tc_rec_user_free(u);
        *why = "account disabled";
        return -EACCES;
    }
    tc_srv__who_fill(who, u);
    tc_rec_user_free(u);
    return 0;
}

/* ---- the sweep of dead sessions ---- */

static gboolean
sweep(gpointer data)
{
    struct tc_srv *srv = data;
    int64_t before_us = g_get_real_time() - (int64_t)SWEEP_KEEP_S * 1000000;
    size_t n = 0;

    if (tc_rec_session_purge(srv->db, before_us, &n) < 0) {
        g_warning("sessions: sweep failed: %s", tc_rec_errmsg(srv->db));
    } else if (n > 0) {
        g_info("sessions: forgot %zu expired or revoked over %d days ago", n,
               SWEEP_KEEP_S / 86400);
    }
    /* the next in an hour (the first came SWEEP_FIRST_S after start) */
    srv->session_sweep = g_timeout_add_seconds(SWEEP_EVERY_S, sweep, srv);
    return G_SOURCE_REMOVE;
}

void
tc_srv__auth_sweep_start(struct tc_srv *srv)
{
    srv->session_sweep = g_timeout_add_seconds(SWEEP_FIRST_S, sweep, srv);
}

void
tc_srv__auth_sweep_stop(struct tc_srv *srv)
{
    if (srv->session_sweep) {
        g_source_remove(srv->session_sweep);
        srv->session_sweep = 0;
    }
}
