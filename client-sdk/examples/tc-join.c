// SPDX-License-Identifier: Apache-2.0
/*
 * tc-join.c - the SDK in one page: sign in, connect, join a room, print
 * every event, optionally say something in the chat; Ctrl-C leaves.
 *
 *   TC_PASSWORD=... tc-join --server http://127.0.0.1:8080 \
 *       --user zhou.ming --room consultation:1 [--chat "hello"] \
 *       [--ca-file data/tls/cert.pem] [--totp 123456] [--verbose]
 *
 * The WebSocket URL is the server URL with ws/wss and /ws. The password
 * comes from $TC_PASSWORD (never from the command line, where `ps` shows
 * it). Hosts admit waiting patients automatically, to show the waiting
 * room at work.
 *
 * Thread: main, on the default GMainContext.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <glib.h>

#include "tc-client.h"

struct app {
    GMainLoop *loop;
    const char *room;
    const char *chat;
    bool host;
    int status;
};

static void
on_log(enum tc_sdk_log_level level, const char *msg, void *data)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};

    fprintf(stderr, "[sdk %s] %s\n", names[level], msg);
}

static void
on_welcome(struct tc_sdk_client *c, const struct tc_sdk_welcome *w, void *data)
{
    struct app *app = data;

    printf("welcome: I am peer %s (user %" PRId64 " %s)\n", w->peer,
           w->user_id, w->username ? w->username : "?");
    if (!w->after_failed_resume) {
        tc_sdk_client_join(c, app->room, NULL);
    }
}

static void
on_resumed(struct tc_sdk_client *c, const struct tc_sdk_resumed *r, void *data)
{
    printf("resumed: %d missed message(s) follow\n", r->missed);
}

static void
print_peers(const struct tc_sdk_peer *peers, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        printf("  peer %s user %" PRId64 " role %s state %s\n", peers[i].peer,
               peers[i].user, peers[i].role ? peers[i].role : "?",
               peers[i].state ? peers[i].state : "?");
    }
}

static void
on_reply(struct tc_sdk_client *c, const struct tc_sdk_reply *r, void *data)
{
    struct app *app = data;

    if (r->request != TC_SDK_REQ_JOIN) {
        return;
    }
    printf("joined %s as %s (%s), %zu peer(s) there\n", r->room,
           r->role ? r->role : "?", r->state ? r->state : "?", r->n_peers);
    print_peers(r->peers, r->n_peers);
    app->host = r->role && strcmp(r->role, "host") == 0;
    if (app->chat && r->state && strcmp(r->state, "joined") == 0) {
        tc_sdk_client_send_chat(c, app->room, app->chat, NULL);
    }
}

static void
on_error(struct tc_sdk_client *c, const struct tc_sdk_error *e, void *data)
{
    printf("error %s: %s\n", e->code, e->message ? e->message : "");
}

static void
on_peer(struct tc_sdk_client *c, const struct tc_sdk_peer_event *e, void *data)
{
    static const char *const kinds[] = {"joined", "left", "reconnecting",
                                        "resumed", "waiting"};
    struct app *app = data;

    printf("%s: peer %s %s%s%s\n", e->room, e->peer->peer, kinds[e->kind],
           e->reason ? ": " : "", e->reason ? e->reason : "");
    if (e->kind == TC_SDK_PEER_WAITING && app->host) {
        tc_sdk_client_admit(c, e->room, e->peer->peer, NULL);
    }
}

static void
on_room(struct tc_sdk_client *c, const struct tc_sdk_room_event *e, void *data)
{
    if (e->kind == TC_SDK_ROOM_ADMITTED) {
        printf("%s: admitted\n", e->room);
        print_peers(e->peers, e->n_peers);
    } else {
        printf("%s: removed (%s)\n", e->room, e->reason ? e->reason : "");
    }
}

static void
on_relay(struct tc_sdk_client *c, const struct tc_sdk_relay *r, void *data)
{
    static const char *const kinds[] = {"offer", "answer", "candidate"};

    printf("%s: %s from %s (%zu bytes)\n", r->room, kinds[r->kind], r->from,
           strlen(r->sdp ? r->sdp : r->candidate));
}

static void
on_chat(struct tc_sdk_client *c, const struct tc_sdk_chat *m, void *data)
{
    printf("%s: #%" PRId64 " %s: %s\n", m->room, m->seq,
           m->from ? m->from : "?", m->text);
}

static void
on_closed(struct tc_sdk_client *c, const struct tc_sdk_close *e, void *data)
{
    struct app *app = data;

    printf("closed %d %s%s\n", e->code, e->reason,
           e->reconnecting ? " (reconnecting)" : "");
    if (!e->reconnecting) {
        app->status = e->code == 1000 ? 0 : 1;
        g_main_loop_quit(app->loop);
    }
}

static gboolean
on_sigint(gpointer data)
{
    tc_sdk_client_stop(data);
    return G_SOURCE_REMOVE;
}

int
main(int argc, char **argv)
{
    g_autofree char *server = NULL, *user = NULL, *room = NULL;
    g_autofree char *chat = NULL, *ca_file = NULL, *totp = NULL;
    g_autofree char *ws_url = NULL;
    gboolean verbose = FALSE;
    GOptionEntry entries[] = {
        {"server", 0, 0, G_OPTION_ARG_STRING, &server, "http(s)://host:port",
         NULL},
        {"user", 0, 0, G_OPTION_ARG_STRING, &user, "username", NULL},
        {"room", 0, 0, G_OPTION_ARG_STRING, &room, "e.g. consultation:1",
         NULL},
        {"chat", 0, 0, G_OPTION_ARG_STRING, &chat, "say this once in", NULL},
        {"ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file,
         "PEM to trust (https/wss)", NULL},
        {"totp", 0, 0, G_OPTION_ARG_STRING, &totp, "TOTP code", NULL},
        {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "SDK log", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) opt = g_option_context_new("- join a room");
    g_autoptr(GError) err = NULL;
    struct tc_sdk_login_opts lopts = {.log = on_log};
    struct tc_sdk_callbacks cb = {
        .welcome = on_welcome,
        .resumed = on_resumed,
        .reply = on_reply,
        .error = on_error,
        .peer = on_peer,
        .room = on_room,
        .relay = on_relay,
        .chat = on_chat,
        .closed = on_closed,
    };
    struct app app = {.status = 1};
    struct tc_sdk_client *c = NULL;
    const char *password = getenv("TC_PASSWORD");
    char *token = NULL;
    int rc;

    g_option_context_add_main_entries(opt, entries, NULL);
    if (!g_option_context_parse(opt, &argc, &argv, &err) || !server || !user ||
        !room || !password) {
        fprintf(stderr,
                "%s\nneeds --server, --user, --room and "
                "$TC_PASSWORD\n",
                err ? err->message : "");
        return 2;
    }
    lopts.ca_file = ca_file;
    rc = tc_sdk_login_with(server, &lopts, user, password, totp, &token);
    if (rc < 0) {
        fprintf(stderr, "login: %s\n", strerror(-rc));
        return 1;
    }
    /* http://h:p -> ws://h:p/ws, https -> wss */
    ws_url = g_strconcat(g_str_has_prefix(server, "https") ? "wss" : "ws",
                         strchr(server, ':'), "/ws", NULL);
    app.room = room;
    app.chat = chat;
    app.loop = g_main_loop_new(NULL, FALSE);
    rc = tc_sdk_client_new(&(struct tc_sdk_client_opts){.url = ws_url,
                                                        .token = token,
                                                        .ca_file = ca_file},
                           &cb, &app, &c);
    tc_sdk_token_free(token);
    if (rc < 0) {
        fprintf(stderr, "client: %s\n", strerror(-rc));
        g_main_loop_unref(app.loop);
        return 1;
    }
    if (verbose) {
        tc_sdk_client_set_log(c, on_log, NULL);
    }
    g_unix_signal_add(SIGINT, on_sigint, c);
    tc_sdk_client_start(c);
    g_main_loop_run(app.loop);
    tc_sdk_client_free(c);
    g_main_loop_unref(app.loop);
    return app.status;
}
