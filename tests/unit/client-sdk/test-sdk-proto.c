// SPDX-License-Identifier: Apache-2.0
/*
 * test-sdk-proto.c - the SDK's reading of the server's text messages
 * (client-sdk/proto.c through tc_sdk__on_message) on a client that never
 * connects: each event reaches its callback with the members tc-client.h
 * promises, or not at all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "client-int.h"
#include "tc-test.h"

struct got {
    int resumed;
    char resumed_peer[64];
    int chat;
    int message;
};

static void
on_resumed(struct tc_sdk_client *c, const struct tc_sdk_resumed *r, void *data)
{
    struct got *g = data;

    g->resumed++;
    g_strlcpy(g->resumed_peer, r->peer ? r->peer : "(null)",
              sizeof(g->resumed_peer));
}

static void
on_chat(struct tc_sdk_client *c, const struct tc_sdk_chat *m, void *data)
{
    struct got *g = data;

    g->chat += m->room && m->from && m->text && m->at ? 1 : 100;
}

static void
on_message(struct tc_sdk_client *c, const char *type, const char *json,
           void *data)
{
    struct got *g = data;

    g->message++;
}

static const struct tc_sdk_callbacks cb = {
    .message = on_message,
    .resumed = on_resumed,
    .chat = on_chat,
};

static struct tc_sdk_client *
new_client(GMainContext *ctx, struct got *g)
{
    struct tc_sdk_client_opts o = {
        .url = "ws://127.0.0.1:9/ws", .token = "t", .context = ctx};
    struct tc_sdk_client *c = NULL;

    return tc_sdk_client_new(&o, &cb, g, &c) < 0 ? NULL : c;
}

static void
message(struct tc_sdk_client *c, const char *text)
{
    tc_sdk__on_message(c, text, strlen(text));
}

/* `resumed` names the peer; without one it is the session's own, and
 * with no session yet it cannot be read at all. */
static void
test_resumed_without_peer(void)
{
    g_autoptr(GMainContext) ctx = g_main_context_new();
    struct got g = {0};
    struct tc_sdk_client *c = new_client(ctx, &g);

    TC_REQUIRE(c);
    message(c, "{\"type\":\"resumed\",\"rooms\":[\"r\"]}");
    TC_CHECK_EQ(g.resumed, 0);
    message(c, "{\"type\":\"welcome\",\"peer\":\"p1\"}");
    message(c, "{\"type\":\"resumed\",\"rooms\":[\"r\"],\"missed\":2}");
    TC_CHECK_EQ(g.resumed, 1);
    TC_CHECK_STR_EQ(g.resumed_peer, "p1");
    message(c, "{\"type\":\"resumed\",\"peer\":\"p2\"}");
    TC_CHECK_EQ(g.resumed, 2);
    TC_CHECK_STR_EQ(g.resumed_peer, "p2");
    TC_CHECK_STR_EQ(tc_sdk_client_peer(c), "p2");
    tc_sdk_client_free(c);
}

/* A chat names its room, sender, text and time (docs/protocol.md); one
 * without any of them is not delivered half-filled. */
static void
test_chat_members(void)
{
    g_autoptr(GMainContext) ctx = g_main_context_new();
    struct got g = {0};
    struct tc_sdk_client *c = new_client(ctx, &g);

    TC_REQUIRE(c);
    message(c, "{\"type\":\"chat\",\"room\":\"r\",\"from\":\"p1\","
               "\"text\":\"hi\",\"at\":\"2026-11-29T09:30:00Z\"}");
    TC_CHECK_EQ(g.chat, 1);
    message(c, "{\"type\":\"chat\",\"room\":\"r\",\"text\":\"hi\","
               "\"at\":\"2026-11-29T09:30:00Z\"}");
    message(c, "{\"type\":\"chat\",\"room\":\"r\",\"from\":\"p1\","
               "\"text\":\"hi\"}");
    message(c, "{\"type\":\"chat\",\"room\":\"r\",\"from\":7,"
               "\"text\":\"hi\",\"at\":\"x\"}");
    TC_CHECK_EQ(g.chat, 1);
    tc_sdk_client_free(c);
}

static void
on_log(enum tc_sdk_log_level level, const char *msg, void *data)
{
    int *bad = data;

    if (!g_utf8_validate(msg, -1, NULL) || strchr(msg, '\n') ||
        strchr(msg, '\r')) {
        (*bad)++;
    }
}

/* Log lines are one line of UTF-8 (tc-client.h) even when they quote a
 * server's string with a newline in it, or one too long for the line
 * that a bounded format cuts inside a character. So is the login
 * answer's sentence. */
static void
test_log_lines(void)
{
    g_autoptr(GMainContext) ctx = g_main_context_new();
    g_autoptr(GString) long_code = g_string_new("{\"type\":\"error\","
                                                "\"code\":\"x");
    struct got g = {0};
    struct tc_sdk_client *c = new_client(ctx, &g);
    char why[160], *token = NULL;
    int bad = 0;

    TC_REQUIRE(c);
    tc_sdk_client_set_log(c, on_log, &bad);
    message(c, "{\"type\":\"error\",\"code\":\"bad\\nfield\\r\"}");
    TC_CHECK_EQ(bad, 0);
    for (int i = 0; i < 200; i++) {
        g_string_append(long_code, "\xc3\xa9"); /* e acute, 2 bytes */
    }
    g_string_append(long_code, "\"}");
    for (int shift = 0; shift < 2; shift++) {
        message(c, long_code->str);
        g_string_insert(long_code, 25, "y");
    }
    TC_CHECK_EQ(bad, 0);
    TC_CHECK_EQ(tc_sdk__login_answer(401,
                                     "{\"error\":{\"message\":\"a\\nb\"}}",
                                     &token, why, sizeof(why)),
                -EACCES);
    TC_CHECK(!strchr(why, '\n'));
    TC_CHECK_STR_EQ(why, "HTTP 401: a b");
    tc_sdk_client_free(c);
}

/* A raw NUL byte is no JSON: the message is unreadable, not handed on
 * with a `json` that ends at the NUL. */
static void
test_nul_byte_unreadable(void)
{
    static const char text[] = "{\"type\":\"x\",\"a\":0\0}";
    g_autoptr(GMainContext) ctx = g_main_context_new();
    struct got g = {0};
    struct tc_sdk_client *c = new_client(ctx, &g);

    TC_REQUIRE(c);
    tc_sdk__on_message(c, text, sizeof(text) - 1);
    TC_CHECK_EQ(g.message, 0);
    tc_sdk__on_message(c, text, strlen(text));
    TC_CHECK_EQ(g.message, 0); /* cut at the NUL: no JSON either */
    message(c, "{\"type\":\"x\",\"a\":0}");
    TC_CHECK_EQ(g.message, 1);
    tc_sdk_client_free(c);
}

int
main(void)
{
    TC_RUN(test_resumed_without_peer);
    TC_RUN(test_chat_members);
    TC_RUN(test_log_lines);
    TC_RUN(test_nul_byte_unreadable);
    return tc_done();
}
