/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sig-util.h - what the signaling tests share: a real server on the demo
 * county (telecare-admin seed-demo, so its users, consultation 1 and
 * live-guided rehab sessions 1..3 exist; zheng.haitao is added as a third
 * practitioner of consultation 1), SDK clients that record every event
 * they receive, and readers for /metrics and the audit trail.
 *
 * Events are recorded as JSON objects built from the SDK's typed
 * structures (so the tests check the SDK's parsing too): {"type": ...}
 * with the fields of the event; a close is {"type": "_closed", "code",
 * "reconnecting"}.
 *
 * Thread: the test's main thread; SDK clients run on the default
 * GMainContext, which sig_spin() and tpeer_wait() iterate.
 */
#ifndef TC_SIG_UTIL_H
#define TC_SIG_UTIL_H

#include <stdbool.h>

#include <glib.h>
#include <jansson.h>

#include "harness.h"
#include "tc-client.h"

struct sig_fixture {
    struct tc_harness h;
    char *dir;      /* removed by sig_fixture_fini */
    char *data_dir; /* dir/data: the server's */
    char *accounts; /* "username password role" lines */
    char *http_url; /* http://127.0.0.1:<port> */
    char *ws_url;   /* ws://127.0.0.1:<port>/ws */
};

/* Seed, then start the server with `config` (INI text, may be NULL). */
int sig_fixture_start(struct sig_fixture *f, const char *config);
void sig_fixture_fini(struct sig_fixture *f);
/* Stop the server with signal `sig` and start it again on the same data
 * directory and configuration (a new port: the URLs change). */
int sig_fixture_restart(struct sig_fixture *f, int sig);

/* A demo user's password (borrowed), or NULL. */
const char *sig_password(struct sig_fixture *f, const char *user);

/* A bearer token for a demo user (tc_sdk_token_free), or NULL. */
char *sig_token(struct sig_fixture *f, const char *user);

/* Audit events with this actor (username) and outcome. */
long long sig_audit_count(struct sig_fixture *f, const char *actor,
                          const char *outcome);

/* The value of the /metrics sample named exactly `sample` (with its
 * labels, e.g. `telecare_ws_errors_total{code="bad-json"}`), 0 when
 * absent, -1 when /metrics cannot be read. */
double sig_metric(struct sig_fixture *f, const char *sample);

/* The whole /metrics text (g_free), or NULL. */
char *sig_metrics_text(struct sig_fixture *f);

/* Run the default main context for `ms` milliseconds. */
void sig_spin(int ms);

/* An SDK client that records its events. */
struct tpeer {
    struct tc_sdk_client *c;
    char *user;
    GQueue events; /* json_t * in arrival order */
    /* Set: messages whose text starts with it are taken raw through the
     * SDK's `frame` callback and recorded as {"type":"_frame","text"} */
    const char *take_prefix;
};

/* Sign in as `user`, connect, wait for welcome (5 s). NULL on failure.
 * `reconnect_min_ms` 0: the SDK's default. */
struct tpeer *tpeer_new(struct sig_fixture *f, const char *user,
                        int reconnect_min_ms);
void tpeer_free(struct tpeer *p);

/* As tpeer_new, for a token the caller got itself (borrowed). */
struct tpeer *tpeer_new_token(const char *ws_url, const char *user,
                              const char *token, int reconnect_min_ms);

/* This peer's id (borrowed). */
const char *tpeer_id(const struct tpeer *p);

/*
 * The first recorded event of `type` whose member `key` (may be NULL)
 * equals `value`, waiting up to timeout_ms: removed from the queue and
 * returned (json_decref), or NULL.
 */
json_t *tpeer_wait(struct tpeer *p, const char *type, const char *key,
                   const char *value, int timeout_ms);

/* True when no such event arrives within timeout_ms (one that does is
 * consumed). */
bool tpeer_absent(struct tpeer *p, const char *type, const char *key,
                  const char *value, int timeout_ms);

/* Join `room` and wait for the answer: the `ok` event (json_decref) or
 * NULL (an `error` event is left in the queue). */
json_t *tpeer_join(struct tpeer *p, const char *room);

/* Drop every recorded event. */
void tpeer_clear(struct tpeer *p);

#endif
