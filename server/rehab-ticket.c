// SPDX-License-Identifier: Apache-2.0
/*
 * rehab-ticket.c - short-lived tickets that let a browser's <video src>
 * (which sends no Authorization header) stream a session recording.
 *
 * A ticket names a session, the account it was issued to and its expiry,
 * sealed with a MAC (libsodium crypto_auth, HMAC-SHA-512-256) under a key
 * made at server start: "<session>.<user>.<expiry_s>.<mac hex>". It is
 * issued after the access policy allowed the caller to read the session
 * (audited); when it is used, the account is loaded again (a disabled
 * account's tickets stop working) and the policy decides again, audited as
 * that account's read. Tickets die with the server (the key is not kept).
 *
 * Thread: main; tc_srv__rehab_ticket_parse() is pure (fuzzed).
 */
#define G_LOG_DOMAIN "rehab"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <sodium.h>

#include "rehab-int.h"

G_STATIC_ASSERT(TC_SRV__REHAB_TICKET_KEY_LEN == crypto_auth_KEYBYTES);
G_STATIC_ASSERT(TC_SRV__REHAB_TICKET_MAC_LEN == crypto_auth_BYTES);

/* Digits into *out (1..18 of them, no sign); advances *p. */
static bool
number(const char **p, int64_t *out)
{
    int64_t v = 0;
    int n = 0;

    while (**p >= '0' && **p <= '9') {
        if (++n > 18) {
            return false;
        }
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return n > 0;
}

int
tc_srv__rehab_ticket_parse(const char *text, struct tc_srv__rehab_ticket *out)
{
    struct tc_srv__rehab_ticket t = {0};
    const char *p = text;
    size_t hex_len;

    if (!text || !number(&p, &t.session_id) || *p++ != '.' ||
        !number(&p, &t.user_id) || *p++ != '.' || !number(&p, &t.expires_s) ||
        *p++ != '.') {
        return -EINVAL;
    }
    hex_len = strlen(p);
    if (hex_len != 2 * TC_SRV__REHAB_TICKET_MAC_LEN || t.session_id <= 0 ||
        t.user_id <= 0) {
        return -EINVAL;
    }
    for (size_t i = 0; i < TC_SRV__REHAB_TICKET_MAC_LEN; i++) {
        int hi = g_ascii_xdigit_value(p[2 * i]);
        int lo = g_ascii_xdigit_value(p[2 * i + 1]);
        if (hi < 0 || lo < 0 || g_ascii_isupper(p[2 * i]) ||
            g_ascii_isupper(p[2 * i + 1])) {
            return -EINVAL;
        }
        t.mac[i] = (unsigned char)(hi * 16 + lo);
    }
    *out = t;
    return 0;
}

static void
sealed_text(const struct tc_srv__rehab_ticket *t, char *buf, size_t len)
{
    g_snprintf(buf, len,
               "rehab-recording:%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT
               ".%" G_GINT64_FORMAT,
               t->session_id, t->user_id, t->expires_s);
}

char *
tc_srv__rehab_ticket_issue(struct tc_srv *srv, int64_t session_id,
                           int64_t user_id, int64_t expires_s)
{
    struct tc_srv__rehab_ticket t = {session_id, user_id, expires_s, {0}};
    char msg[96], hex[2 * TC_SRV__REHAB_TICKET_MAC_LEN + 1];

    sealed_text(&t, msg, sizeof(msg));
    crypto_auth(t.mac, (const unsigned char *)msg, strlen(msg),
                srv->rehab->ticket_key);
    sodium_bin2hex(hex, sizeof(hex), t.mac, sizeof(t.mac));
    return g_strdup_printf("%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT
                           ".%" G_GINT64_FORMAT ".%s",
                           session_id, user_id, expires_s, hex);
}

int
tc_srv__rehab_ticket_check(struct tc_srv *srv, const char *text, int64_t now_s,
                           struct tc_srv__rehab_ticket *out)
{
    struct tc_srv__rehab_ticket t;
    char msg[96];

    if (!srv->rehab || tc_srv__rehab_ticket_parse(text, &t) < 0) {
        return -EINVAL;
    }
    sealed_text(&t, msg, sizeof(msg));
    if (crypto_auth_verify(t.mac, (const unsigned char *)msg, strlen(msg),
                           srv->rehab->ticket_key) != 0) {
        return -EACCES;
    }
    if (t.expires_s < now_s) {
        return -ETIMEDOUT;
    }
    *out = t;
    return 0;
}

void
tc_srv__rehab_ticket_key_init(struct tc_srv__rehab *rehab)
{
    crypto_auth_keygen(rehab->ticket_key);
}
