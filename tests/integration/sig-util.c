// SPDX-License-Identifier: Apache-2.0
/*
 * sig-util.c - see sig-util.h.
 */
#include "sig-util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tc-records.h"

static long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
run_admin(const char *data_dir, const char *accounts_file)
{
    const char *bin = getenv("TC_ADMIN_BIN");
    int status = -1;
    pid_t pid;

    if (!bin) {
        printf("# TC_ADMIN_BIN is not set\n");
        return -1;
    }
    pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        execl(bin, bin, "--data-dir", data_dir, "seed-demo", "--accounts-file",
              accounts_file, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* zheng.haitao (the city specialist) joins consultation 1 as a third
 * practitioner participant. */
static int
add_participant(const char *data_dir)
{
    g_autofree char *path = g_build_filename(data_dir, "telecare.db", NULL);
    struct tc_rec_db *db = NULL;
    struct tc_rec_user *u = NULL;
    int rc = tc_rec_open(path, &db);

    if (rc == 0) {
        rc = tc_rec_user_get_by_username(db, "zheng.haitao", &u);
    }
    if (rc == 0) {
        rc = tc_rec_consultation_participant_add(
            db, 1, TC_REC_PARTY_PRACTITIONER, u->practitioner_id,
            g_get_real_time(), NULL);
    }
    if (rc < 0) {
        printf("# fixture: %s\n", db ? tc_rec_errmsg(db) : strerror(-rc));
    }
    tc_rec_user_free(u);
    tc_rec_close(db);
    return rc;
}

/* The server on f's data directory and dir/t.ini; its URLs. */
static int
server_start(struct sig_fixture *f)
{
    g_autofree char *ini = g_build_filename(f->dir, "t.ini", NULL);
    const char *args[] = {"--data-dir", f->data_dir, "--config", ini, NULL};

    if (tc_harness_start(&f->h, args) < 0) {
        return -1;
    }
    f->http_url = g_strdup_printf("http://127.0.0.1:%d", f->h.port);
    f->ws_url = g_strdup_printf("ws://127.0.0.1:%d/ws", f->h.port);
    return 0;
}

int
sig_fixture_start(struct sig_fixture *f, const char *config)
{
    g_autofree char *acc = NULL, *ini = NULL;

    memset(f, 0, sizeof(*f));
    f->dir = tc_tmp_dir("sig");
    f->data_dir = g_build_filename(f->dir, "data", NULL);
    acc = g_build_filename(f->dir, "accounts", NULL);
    ini = g_build_filename(f->dir, "t.ini", NULL);
    if (run_admin(f->data_dir, acc) < 0 ||
        !g_file_get_contents(acc, &f->accounts, NULL, NULL) ||
        add_participant(f->data_dir) < 0) {
        printf("# fixture: seed-demo failed\n");
        return -1;
    }
    g_file_set_contents(ini, config ? config : "", -1, NULL);
    return server_start(f);
}

int
sig_fixture_restart(struct sig_fixture *f, int sig)
{
    int status;
    long ms;

    tc_harness_stop(&f->h, sig, 10000, &status, &ms);
    tc_harness_fini(&f->h);
    g_clear_pointer(&f->http_url, g_free);
    g_clear_pointer(&f->ws_url, g_free);
    return server_start(f);
}

void
sig_fixture_fini(struct sig_fixture *f)
{
    tc_harness_fini(&f->h);
    if (f->dir) {
        tc_rm_rf(f->dir);
    }
    free(f->dir);
    g_free(f->data_dir);
    g_free(f->accounts);
    g_free(f->http_url);
    g_free(f->ws_url);
    memset(f, 0, sizeof(*f));
}

const char *
sig_password(struct sig_fixture *f, const char *user)
{
    static char pw[128];
    g_auto(GStrv) lines = g_strsplit(f->accounts, "\n", -1);

    for (char **l = lines; *l; l++) {
        char name[64];
        if (sscanf(*l, "%63s %127s", name, pw) == 2 &&
            strcmp(name, user) == 0) {
            return pw;
        }
    }
    return NULL;
}

char *
sig_token(struct sig_fixture *f, const char *user)
{
    const char *pw = sig_password(f, user);
    char *token = NULL;
    int rc;

    if (!pw) {
        printf("# no demo account %s\n", user);
        return NULL;
    }
    rc = tc_sdk_login(f->http_url, user, pw, NULL, &token);
    if (rc < 0) {
        printf("# login %s: %s\n", user, strerror(-rc));
        return NULL;
    }
    return token;
}

long long
sig_audit_count(struct sig_fixture *f, const char *actor, const char *outcome)
{
    g_autofree char *path = g_build_filename(f->data_dir, "telecare.db", NULL);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM audit_events"
                           " WHERE actor = ? AND outcome = ?",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, actor, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, outcome, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            n = sqlite3_column_int64(st, 0);
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

char *
sig_metrics_text(struct sig_fixture *f)
{
    struct tc_http_reply r;
    char *text = NULL;

    f->h.bearer = NULL;
    if (tc_http(&f->h, "GET", "/metrics", NULL, 0, NULL, &r) == 0 &&
        r.status == 200) {
        text = g_strdup(r.body);
    }
    tc_http_reply_fini(&r);
    return text;
}

double
sig_metric(struct sig_fixture *f, const char *sample)
{
    g_autofree char *text = sig_metrics_text(f);
    size_t n = strlen(sample);

    if (!text) {
        return -1;
    }
    for (const char *l = text; l && *l;) {
        if (strncmp(l, sample, n) == 0 && l[n] == ' ') {
            return g_ascii_strtod(l + n + 1, NULL);
        }
        l = strchr(l, '\n');
        l = l ? l + 1 : NULL;
    }
    return 0;
}

void
sig_spin(int ms)
{
    long end = now_ms() + ms;

    while (now_ms() < end) {
        while (g_main_context_iteration(NULL, FALSE)) {
        }
        g_usleep(1000);
    }
}

/* ---- recording peers ---------------------------------------------------- */

static void
push(struct tpeer *p, json_t *ev)
{
    g_queue_push_tail(&p->events, ev);
}

static json_t *
jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *
peer_ids(const struct tc_sdk_peer *peers, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; i < n; i++) {
        json_array_append_new(
            a, json_pack("{s:s,s:I,s:o,s:o}", "peer", peers[i].peer, "user",
                         (json_int_t)peers[i].user, "role",
                         jstr(peers[i].role), "state", jstr(peers[i].state)));
    }
    return a;
}

static const char *const request_names[] = {
    "other",  "hello", "join",  "leave", "admit",
    "remove", "chat",  "relay", "ping",
};

static void
on_welcome(struct tc_sdk_client *c, const struct tc_sdk_welcome *w, void *d)
{
    push(d, json_pack("{s:s,s:s,s:I,s:b}", "type", "welcome", "peer", w->peer,
                      "user", (json_int_t)w->user_id, "after_failed_resume",
                      w->after_failed_resume));
}

static void
on_resumed(struct tc_sdk_client *c, const struct tc_sdk_resumed *r, void *d)
{
    push(d,
         json_pack("{s:s,s:o,s:i,s:i}", "type", "resumed", "peer",
                   jstr(r->peer), "missed", r->missed, "dropped", r->dropped));
}

static void
on_reply(struct tc_sdk_client *c, const struct tc_sdk_reply *r, void *d)
{
    push(d,
         json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "type", "ok", "request",
                   request_names[r->request], "id", jstr(r->id), "room",
                   jstr(r->room), "role", jstr(r->role), "state",
                   jstr(r->state), "peers", peer_ids(r->peers, r->n_peers)));
}

static void
on_error(struct tc_sdk_client *c, const struct tc_sdk_error *e, void *d)
{
    push(d, json_pack("{s:s,s:s,s:o,s:o,s:s,s:o}", "type", "error", "request",
                      request_names[e->request], "id", jstr(e->id), "room",
                      jstr(e->room), "code", e->code, "message",
                      jstr(e->message)));
}

static void
on_peer(struct tc_sdk_client *c, const struct tc_sdk_peer_event *e, void *d)
{
    static const char *const types[] = {"peer-joined", "peer-left",
                                        "peer-reconnecting", "peer-resumed",
                                        "waiting"};

    push(d, json_pack("{s:s,s:s,s:s,s:o,s:o,s:I}", "type", types[e->kind],
                      "room", e->room, "peer", e->peer->peer, "reason",
                      jstr(e->reason), "role", jstr(e->peer->role), "user",
                      (json_int_t)e->peer->user));
}

static void
on_room(struct tc_sdk_client *c, const struct tc_sdk_room_event *e, void *d)
{
    push(d, json_pack("{s:s,s:s,s:o,s:o}", "type",
                      e->kind == TC_SDK_ROOM_ADMITTED ? "admitted" : "removed",
                      "room", e->room, "reason", jstr(e->reason), "peers",
                      peer_ids(e->peers, e->n_peers)));
}

static void
on_relay(struct tc_sdk_client *c, const struct tc_sdk_relay *r, void *d)
{
    static const char *const types[] = {"offer", "answer", "candidate"};
    json_t *raw = json_loads(r->json, 0, NULL);

    push(d, json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:i,s:b}", "type",
                      types[r->kind], "room", r->room, "from", r->from, "sdp",
                      jstr(r->sdp), "candidate", jstr(r->candidate), "sdpMid",
                      jstr(r->sdp_mid), "sdpMLineIndex", r->sdp_mline_index,
                      "has_to", json_object_get(raw, "to") != NULL));
    json_decref(raw);
}

static void
on_chat(struct tc_sdk_client *c, const struct tc_sdk_chat *m, void *d)
{
    push(d, json_pack("{s:s,s:s,s:o,s:s,s:I,s:I}", "type", "chat", "room",
                      m->room, "from", jstr(m->from), "text", m->text, "seq",
                      (json_int_t)m->seq, "user", (json_int_t)m->user));
}

static void
on_closed(struct tc_sdk_client *c, const struct tc_sdk_close *e, void *d)
{
    push(d, json_pack("{s:s,s:i,s:s,s:b}", "type", "_closed", "code", e->code,
                      "reason", e->reason, "reconnecting", e->reconnecting));
}

static void
on_message(struct tc_sdk_client *c, const char *type, const char *json,
           void *d)
{
    json_t *msg = json_loads(json, 0, NULL);

    if (msg) {
        push(d, msg);
    }
}

static bool
on_frame(struct tc_sdk_client *c, const char *text, size_t len, void *d)
{
    struct tpeer *p = d;
    size_t n = p->take_prefix ? strlen(p->take_prefix) : 0;

    if (!n || len < n || memcmp(text, p->take_prefix, n) != 0) {
        return false;
    }
    push(d, json_pack("{s:s,s:s%}", "type", "_frame", "text", text, len));
    return true;
}

static const struct tc_sdk_callbacks recorder = {
    .welcome = on_welcome,
    .resumed = on_resumed,
    .reply = on_reply,
    .error = on_error,
    .peer = on_peer,
    .room = on_room,
    .relay = on_relay,
    .chat = on_chat,
    .closed = on_closed,
    .message = on_message,
    .frame = on_frame,
};

struct tpeer *
tpeer_new(struct sig_fixture *f, const char *user, int reconnect_min_ms)
{
    char *token = sig_token(f, user);
    struct tpeer *p;

    if (!token) {
        return NULL;
    }
    p = tpeer_new_token(f->ws_url, user, token, reconnect_min_ms);
    tc_sdk_token_free(token);
    return p;
}

struct tpeer *
tpeer_new_token(const char *ws_url, const char *user, const char *token,
                int reconnect_min_ms)
{
    struct tpeer *p = g_new0(struct tpeer, 1);
    struct tc_sdk_client_opts o = {
        .url = ws_url,
        .token = token,
        .reconnect_min_ms = reconnect_min_ms,
    };
    json_t *w;

    g_queue_init(&p->events);
    p->user = g_strdup(user);
    if (tc_sdk_client_new(&o, &recorder, p, &p->c) < 0) {
        tpeer_free(p);
        return NULL;
    }
    tc_sdk_client_start(p->c);
    w = tpeer_wait(p, "welcome", NULL, NULL, 5000);
    if (!w) {
        printf("# %s: no welcome\n", user);
        tpeer_free(p);
        return NULL;
    }
    json_decref(w);
    return p;
}

void
tpeer_clear(struct tpeer *p)
{
    json_t *ev;

    while ((ev = g_queue_pop_head(&p->events))) {
        json_decref(ev);
    }
}

void
tpeer_free(struct tpeer *p)
{
    if (!p) {
        return;
    }
    /* Leave normally, so that the next test's rooms hold no peer of
     * this one in its grace period. */
    if (p->c && tc_sdk_client_state(p->c) == TC_SDK_STATE_READY) {
        tc_sdk_client_stop(p->c);
        json_decref(tpeer_wait(p, "_closed", NULL, NULL, 3000));
    }
    tc_sdk_client_free(p->c);
    tpeer_clear(p);
    g_free(p->user);
    g_free(p);
}

const char *
tpeer_id(const struct tpeer *p)
{
    return tc_sdk_client_peer(p->c);
}

static json_t *
take(struct tpeer *p, const char *type, const char *key, const char *value)
{
    for (GList *l = p->events.head; l; l = l->next) {
        json_t *ev = l->data;
        const char *t = json_string_value(json_object_get(ev, "type"));
        const char *v =
            key ? json_string_value(json_object_get(ev, key)) : NULL;
        if (t && strcmp(t, type) == 0 &&
            (!key || (v && value && strcmp(v, value) == 0))) {
            g_queue_delete_link(&p->events, l);
            return ev;
        }
    }
    return NULL;
}

json_t *
tpeer_wait(struct tpeer *p, const char *type, const char *key,
           const char *value, int timeout_ms)
{
    long end = now_ms() + timeout_ms;
    json_t *ev;

    while (!(ev = take(p, type, key, value)) && now_ms() < end) {
        while (g_main_context_iteration(NULL, FALSE)) {
        }
        g_usleep(500);
    }
    return ev;
}

bool
tpeer_absent(struct tpeer *p, const char *type, const char *key,
             const char *value, int timeout_ms)
{
    json_t *ev = tpeer_wait(p, type, key, value, timeout_ms);

    json_decref(ev);
    return ev == NULL;
}

json_t *
tpeer_join(struct tpeer *p, const char *room)
{
    char id[32];
    static int n;

    snprintf(id, sizeof(id), "join-%d", ++n);
    if (tc_sdk_client_join(p->c, room, id) < 0) {
        printf("# %s: join: %s\n", p->user, tc_sdk_client_errmsg(p->c));
        return NULL;
    }
    for (long end = now_ms() + 5000; now_ms() < end;) {
        json_t *ev = tpeer_wait(p, "ok", "id", id, 20);
        if (ev) {
            return ev;
        }
        for (GList *l = p->events.head; l; l = l->next) {
            const char *i = json_string_value(json_object_get(l->data, "id"));
            if (i && strcmp(i, id) == 0) {
                return NULL; /* an error answer: left in the queue */
            }
        }
    }
    return NULL;
}
