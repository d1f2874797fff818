// SPDX-License-Identifier: Apache-2.0
/*
 * test-ws-basic.c - what the server side of signaling does that the SDK
 * suites (test-signaling*.c) do not show, against the real server with
 * [signaling] heartbeat_s = 1 and resume_grace_s = 2: only /ws upgrades;
 * an unknown resume token gets bad-state and then a fresh welcome; chat
 * in a consultation room is kept with the consultation record, numbered;
 * a client that stops answering pings is dropped (room-mates see
 * reconnecting, then left by timeout); SIGTERM closes every WebSocket
 * with 1001 and the server exits 0 well within 2 s.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>

#include "sig-util.h"
#include "tc-records.h"
#include "tc-test.h"
#include "ws-raw.h"

#define ROOM "consultation:1"

static struct sig_fixture fx;
static char *zhou_token, *huang_token;

static const char *
jget(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* A raw session of `token` in ROOM; its peer id into peer (16 bytes). */
static int
session_in_room(struct ws_raw *w, const char *token, char *peer)
{
    json_t *welcome, *ok;

    if (ws_raw_open(w, fx.h.port, "telecare.v1", 0) != 0) {
        return -1;
    }
    welcome = ws_raw_hello(w, token);
    if (!welcome) {
        return -1;
    }
    g_strlcpy(peer, jget(welcome, "peer"), 16);
    json_decref(welcome);
    ws_raw_send_text(w,
                     "{\"type\":\"join\",\"id\":\"j\",\"room\":\"" ROOM "\"}");
    ok = ws_raw_expect(w, "ok", "j", 5000);
    json_decref(ok);
    return ok ? 0 : -1;
}

/* The next `type` event about `peer` within timeout_ms (others are
 * skipped), or NULL. */
static json_t *
expect_about(struct ws_raw *w, const char *type, const char *peer,
             int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    json_t *ev;

    while (g_get_monotonic_time() < end) {
        ev = ws_raw_expect(w, type, NULL,
                           (int)((end - g_get_monotonic_time()) / 1000) + 1);
        if (!ev || g_strcmp0(jget(ev, "peer"), peer) == 0) {
            return ev;
        }
        json_decref(ev);
    }
    return NULL;
}

/* The HTTP status line's code of an upgrade request for `path`. */
static int
upgrade_status(const char *path)
{
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)fx.h.port)};
    char req[512], resp[256] = "";
    int fd = socket(AF_INET, SOCK_STREAM, 0), code = -1;
    ssize_t n;

    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        return -1;
    }
    snprintf(req, sizeof(req),
             "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: "
             "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
             "Sec-WebSocket-Protocol: telecare.v1\r\n\r\n",
             path);
    if (write(fd, req, strlen(req)) == (ssize_t)strlen(req)) {
        n = read(fd, resp, sizeof(resp) - 1);
        if (n > 0 && sscanf(resp, "HTTP/1.1 %d", &code) != 1) {
            code = -1;
        }
        if (n == 0) {
            code = 0; /* closed without an answer: refused */
        }
    }
    close(fd);
    return code;
}

static void
test_only_ws_path_upgrades(void)
{
    TC_CHECK_EQ(upgrade_status("/ws"), 101);
    TC_CHECK(upgrade_status("/api/v1/ws") != 101);
    TC_CHECK(upgrade_status("/ws/x") != 101);
}

static void
test_unknown_resume_token_starts_afresh(void)
{
    struct ws_raw w;
    json_t *err, *welcome;
    g_autofree char *hello = g_strdup_printf(
        "{\"type\":\"hello\",\"id\":\"h\",\"token\":\"%s\","
        "\"resume\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}",
        zhou_token);

    TC_REQUIRE(ws_raw_open(&w, fx.h.port, "telecare.v1", 0) == 0);
    ws_raw_send_text(&w, hello);
    err = ws_raw_expect(&w, "error", "h", 3000);
    TC_CHECK(err);
    TC_CHECK_STR_EQ(jget(err, "code"), "bad-state");
    welcome = ws_raw_expect(&w, "welcome", "h", 3000);
    TC_CHECK(welcome);
    TC_CHECK(jget(welcome, "resume_token") != NULL);
    TC_CHECK_EQ(json_integer_value(json_object_get(welcome, "heartbeat_s")),
                1);
    TC_CHECK_EQ(json_integer_value(json_object_get(welcome, "resume_grace_s")),
                2);
    json_decref(err);
    json_decref(welcome);
    ws_raw_fini(&w);
}

static void
test_chat_is_kept_with_the_consultation(void)
{
    struct ws_raw zhou, huang;
    char zp[16], hp[16];
    g_autofree char *path = g_build_filename(fx.data_dir, "telecare.db", NULL);
    struct tc_rec_chat_list *list = NULL;
    struct tc_rec_db *db = NULL;
    json_t *ok, *chat;

    TC_REQUIRE(session_in_room(&zhou, zhou_token, zp) == 0);
    TC_REQUIRE(session_in_room(&huang, huang_token, hp) == 0);
    ws_raw_send_text(&zhou, "{\"type\":\"chat\",\"id\":\"c\",\"room\":\"" ROOM
                            "\",\"text\":\"请看一下这份心电图\"}");
    ok = ws_raw_expect(&zhou, "ok", "c", 3000);
    chat = ws_raw_expect(&huang, "chat", NULL, 3000);
    TC_CHECK(ok && chat);
    if (ok && chat) {
        TC_CHECK_EQ(json_integer_value(json_object_get(ok, "seq")),
                    json_integer_value(json_object_get(chat, "seq")));
        TC_CHECK_STR_EQ(jget(chat, "from"), zp);
        TC_CHECK_STR_EQ(jget(chat, "text"), "请看一下这份心电图");
    }
    TC_REQUIRE(tc_rec_open(path, &db) == 0);
    TC_CHECK_EQ(tc_rec_consultation_chat_list(db, 1, 0, 100, &list), 0);
    TC_CHECK(list && list->count >= 1);
    if (list && list->count >= 1 && chat) {
        struct tc_rec_chat_message *m = &list->items[list->count - 1];
        TC_CHECK_STR_EQ(m->text, "请看一下这份心电图");
        TC_CHECK_EQ(m->seq, json_integer_value(json_object_get(chat, "seq")));
        TC_CHECK_EQ(m->user_id,
                    json_integer_value(json_object_get(chat, "user")));
    }
    tc_rec_consultation_chat_list_free(list);
    tc_rec_close(db);
    json_decref(ok);
    json_decref(chat);
    ws_raw_fini(&zhou);
    ws_raw_fini(&huang);
}

static void
test_silent_client_is_dropped_by_heartbeat(void)
{
    struct ws_raw zhou, huang;
    char zp[16], hp[16];
    json_t *ev;

    TC_REQUIRE(session_in_room(&zhou, zhou_token, zp) == 0);
    TC_REQUIRE(session_in_room(&huang, huang_token, hp) == 0);
    /* huang stops reading, so answers no ping; zhou answers them all */
    ev = expect_about(&zhou, "peer-reconnecting", hp, 6000);
    TC_CHECK(ev);
    json_decref(ev);
    ev = expect_about(&zhou, "peer-left", hp, 5000);
    TC_CHECK(ev);
    TC_CHECK_STR_EQ(jget(ev, "reason"), "timeout");
    json_decref(ev);
    ws_raw_fini(&zhou);
    ws_raw_fini(&huang);
}

static void
test_sigterm_closes_websockets_with_1001(void)
{
    struct ws_raw a, b;
    char ap[16], bp[16];
    int status = -1;
    long ms = 0;

    TC_REQUIRE(session_in_room(&a, zhou_token, ap) == 0);
    TC_REQUIRE(session_in_room(&b, huang_token, bp) == 0);
    TC_CHECK_EQ(tc_harness_stop(&fx.h, SIGTERM, 5000, &status, &ms), 0);
    TC_CHECK_EQ(status, 0);
    TC_CHECK(ms < 2000);
    printf("# stopped in %ld ms with two WebSockets open\n", ms);
    TC_CHECK_EQ(ws_raw_wait_close(&a, 2000), 1001);
    TC_CHECK_EQ(ws_raw_wait_close(&b, 2000), 1001);
    ws_raw_fini(&a);
    ws_raw_fini(&b);
}

int
main(void)
{
    if (sig_fixture_start(&fx, "[signaling]\nheartbeat_s = 1\n"
                               "resume_grace_s = 2\n") < 0) {
        printf("not ok 1 - fixture\n1..1\n");
        return 1;
    }
    zhou_token = sig_token(&fx, "zhou.ming");
    huang_token = sig_token(&fx, "huang.xiaoyan");
    if (zhou_token && huang_token) {
        TC_RUN(test_only_ws_path_upgrades);
        TC_RUN(test_unknown_resume_token_starts_afresh);
        TC_RUN(test_chat_is_kept_with_the_consultation);
        TC_RUN(test_silent_client_is_dropped_by_heartbeat);
        TC_RUN(test_sigterm_closes_websockets_with_1001);
    }
    tc_sdk_token_free(zhou_token);
    tc_sdk_token_free(huang_token);
    sig_fixture_fini(&fx);
    return tc_done();
}
