// SPDX-License-Identifier: Apache-2.0
/*
 * test-sig-proto.c - the signaling parser (server/sig-proto.c), message
 * type by message type: each good form is accepted with its members read,
 * each bad one refused with the code docs/protocol.md names, echoing the
 * request id whenever one could be read.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "sig-int.h"
#include "tc-test.h"

struct row {
    const char *what;
    const char *text;
    enum tc_srv__sig_err code;
    const char *id; /* the id an error echoes ("" for none) */
};

#define OK        TC_SRV__SIG_OK
#define BAD_JSON  TC_SRV__SIG_BAD_JSON
#define UNKNOWN   TC_SRV__SIG_UNKNOWN_TYPE
#define MISSING   TC_SRV__SIG_MISSING_FIELD
#define BAD_FIELD TC_SRV__SIG_BAD_FIELD
#define TOO_LARGE TC_SRV__SIG_TOO_LARGE

static const struct row rows[] = {
    /* hello */
    {"hello", "{\"type\":\"hello\",\"id\":\"1\",\"token\":\"t\"}", OK, ""},
    {"hello with resume",
     "{\"type\":\"hello\",\"id\":\"1\",\"token\":\"t\",\"resume\":\"r\"}", OK,
     ""},
    {"hello without token", "{\"type\":\"hello\",\"id\":\"1\"}", MISSING, "1"},
    {"hello with a numeric token", "{\"type\":\"hello\",\"token\":5}",
     BAD_FIELD, ""},
    {"hello with an empty resume",
     "{\"type\":\"hello\",\"token\":\"t\",\"resume\":\"\"}", BAD_FIELD, ""},
    /* join and leave */
    {"join a consultation",
     "{\"type\":\"join\",\"id\":\"2\",\"room\":"
     "\"consultation:12\"}",
     OK, ""},
    {"join a rehab session with a reason",
     "{\"type\":\"join\",\"room\":\"rehab-session:7\",\"reason\":\"r\"}", OK,
     ""},
    {"join without room", "{\"type\":\"join\",\"id\":\"2\"}", MISSING, "2"},
    {"join a numeric room", "{\"type\":\"join\",\"id\":\"2\",\"room\":12}",
     BAD_FIELD, "2"},
    {"join an unknown room kind",
     "{\"type\":\"join\",\"id\":\"2\",\"room\":\"ward:3\"}", BAD_FIELD, "2"},
    {"join room id 0", "{\"type\":\"join\",\"room\":\"consultation:0\"}",
     BAD_FIELD, ""},
    {"join room id with a leading zero",
     "{\"type\":\"join\",\"room\":\"consultation:012\"}", BAD_FIELD, ""},
    {"join room id with a sign",
     "{\"type\":\"join\",\"room\":\"consultation:-1\"}", BAD_FIELD, ""},
    {"join room id too long",
     "{\"type\":\"join\",\"room\":\"consultation:1234567890123456789\"}",
     BAD_FIELD, ""},
    {"leave", "{\"type\":\"leave\",\"id\":\"3\",\"room\":\"consultation:12\"}",
     OK, ""},
    {"leave without room", "{\"type\":\"leave\",\"id\":\"3\"}", MISSING, "3"},
    /* admit and remove */
    {"admit",
     "{\"type\":\"admit\",\"id\":\"4\",\"room\":\"consultation:12\","
     "\"peer\":\"p3be1\"}",
     OK, ""},
    {"admit without peer",
     "{\"type\":\"admit\",\"id\":\"4\",\"room\":\"consultation:12\"}", MISSING,
     "4"},
    {"admit a malformed peer",
     "{\"type\":\"admit\",\"room\":\"consultation:12\",\"peer\":\"X\"}",
     BAD_FIELD, ""},
    {"admit the media endpoint",
     "{\"type\":\"admit\",\"room\":\"consultation:12\",\"peer\":\"media\"}",
     BAD_FIELD, ""},
    {"remove with a reason",
     "{\"type\":\"remove\",\"id\":\"5\",\"room\":\"consultation:12\","
     "\"peer\":\"p3be1\",\"reason\":\"wrong patient\"}",
     OK, ""},
    {"remove with a numeric reason",
     "{\"type\":\"remove\",\"room\":\"consultation:12\",\"peer\":\"p3\","
     "\"reason\":1}",
     BAD_FIELD, ""},
    /* negotiation relay */
    {"offer",
     "{\"type\":\"offer\",\"room\":\"consultation:12\",\"to\":"
     "\"p77a0\",\"sdp\":\"v=0\"}",
     OK, ""},
    {"offer to the media endpoint",
     "{\"type\":\"offer\",\"room\":\"consultation:12\",\"to\":\"media\","
     "\"sdp\":\"v=0\"}",
     OK, ""},
    {"offer without sdp",
     "{\"type\":\"offer\",\"id\":\"o\",\"room\":\"consultation:12\","
     "\"to\":\"p1\"}",
     MISSING, "o"},
    {"offer without to",
     "{\"type\":\"offer\",\"room\":\"consultation:12\",\"sdp\":\"v=0\"}",
     MISSING, ""},
    {"offer with a forged from",
     "{\"type\":\"offer\",\"room\":\"consultation:12\",\"to\":\"p1\","
     "\"from\":\"p2\",\"sdp\":\"v=0\"}",
     BAD_FIELD, ""},
    {"answer with an empty sdp",
     "{\"type\":\"answer\",\"room\":\"consultation:12\",\"to\":\"p1\","
     "\"sdp\":\"\"}",
     BAD_FIELD, ""},
    {"candidate",
     "{\"type\":\"candidate\",\"room\":\"consultation:12\","
     "\"to\":\"p77a0\",\"candidate\":\"candidate:1 1 UDP\","
     "\"sdpMid\":\"0\",\"sdpMLineIndex\":0}",
     OK, ""},
    {"end of candidates (empty, nulls)",
     "{\"type\":\"candidate\",\"room\":\"consultation:12\",\"to\":\"p7\","
     "\"candidate\":\"\",\"sdpMid\":null,\"sdpMLineIndex\":null}",
     OK, ""},
    {"candidate without candidate",
     "{\"type\":\"candidate\",\"room\":\"consultation:12\",\"to\":\"p7\"}",
     MISSING, ""},
    {"candidate with a negative line index",
     "{\"type\":\"candidate\",\"room\":\"consultation:12\",\"to\":\"p7\","
     "\"candidate\":\"\",\"sdpMLineIndex\":-1}",
     BAD_FIELD, ""},
    {"candidate with a numeric mid",
     "{\"type\":\"candidate\",\"room\":\"consultation:12\",\"to\":\"p7\","
     "\"candidate\":\"\",\"sdpMid\":0}",
     BAD_FIELD, ""},
    /* chat and ping */
    {"chat",
     "{\"type\":\"chat\",\"id\":\"8\",\"room\":\"consultation:12\","
     "\"text\":\"\\u8bf7\\u770b\"}",
     OK, ""},
    {"chat with empty text",
     "{\"type\":\"chat\",\"id\":\"8\",\"room\":\"consultation:12\","
     "\"text\":\"\"}",
     BAD_FIELD, "8"},
    {"chat with a NUL inside (jansson refuses \\u0000)",
     "{\"type\":\"chat\",\"room\":\"consultation:12\",\"text\":\"a\\u0000b\"}",
     BAD_JSON, ""},
    {"chat without text",
     "{\"type\":\"chat\",\"id\":\"8\",\"room\":\"consultation:12\"}", MISSING,
     "8"},
    {"ping", "{\"type\":\"ping\"}", OK, ""},
    {"ping with unknown members", "{\"type\":\"ping\",\"x\":[1,{}]}", OK, ""},
    /* the envelope */
    {"truncated JSON", "{\"type\":\"join\",", BAD_JSON, ""},
    {"not an object", "[\"ping\"]", BAD_JSON, ""},
    {"duplicate keys", "{\"type\":\"ping\",\"type\":\"hello\"}", BAD_JSON, ""},
    {"unknown type", "{\"type\":\"teleport\",\"id\":\"u1\"}", UNKNOWN, "u1"},
    {"no type", "{\"id\":\"nt\"}", MISSING, "nt"},
    /* feed-error: a feed's offer the browser could not apply */
    {"feed-error",
     "{\"type\":\"feed-error\",\"room\":\"consultation:12\","
     "\"to\":\"media\",\"feed\":\"p77a0\",\"message\":\"refused\"}",
     OK, ""},
    {"feed-error without message",
     "{\"type\":\"feed-error\",\"room\":\"consultation:12\","
     "\"to\":\"media\",\"feed\":\"p77a0\"}",
     OK, ""},
    {"feed-error without feed",
     "{\"type\":\"feed-error\",\"id\":\"f\",\"room\":\"consultation:12\","
     "\"to\":\"media\"}",
     MISSING, "f"},
    {"feed-error to a peer",
     "{\"type\":\"feed-error\",\"room\":\"consultation:12\","
     "\"to\":\"p1\",\"feed\":\"p77a0\"}",
     BAD_FIELD, ""},
    {"feed-error naming media as the feed",
     "{\"type\":\"feed-error\",\"room\":\"consultation:12\","
     "\"to\":\"media\",\"feed\":\"media\"}",
     BAD_FIELD, ""},
    {"feed-error with a numeric message",
     "{\"type\":\"feed-error\",\"room\":\"consultation:12\","
     "\"to\":\"media\",\"feed\":\"p7\",\"message\":3}",
     BAD_FIELD, ""},
    {"numeric type", "{\"type\":7,\"id\":\"n\"}", BAD_FIELD, "n"},
    {"numeric id", "{\"type\":\"ping\",\"id\":7}", BAD_FIELD, ""},
    {"empty id", "{\"type\":\"ping\",\"id\":\"\"}", BAD_FIELD, ""},
};

static void
test_every_message_type(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        struct tc_srv__sig_msg m = {0};
        struct tc_srv__sig_error err = {0};
        enum tc_srv__sig_err rc =
            tc_srv__sig_parse(rows[i].text, strlen(rows[i].text), &m, &err);

        if (rc != rows[i].code) {
            printf("# %s: got %s (%s), want %s\n", rows[i].what,
                   tc_srv__sig_err_name(rc), rc ? err.message : "accepted",
                   tc_srv__sig_err_name(rows[i].code));
        }
        TC_CHECK_EQ(rc, rows[i].code);
        if (rc == OK) {
            TC_CHECK(m.doc != NULL);
            tc_srv__sig_msg_fini(&m);
        } else {
            TC_CHECK_STR_EQ(err.id, rows[i].id);
            TC_CHECK(err.message[0] != '\0');
            TC_CHECK(m.doc == NULL);
        }
    }
}

static void
test_members_are_read(void)
{
    const char *text = "{\"type\":\"remove\",\"id\":\"5\",\"room\":"
                       "\"rehab-session:7\",\"peer\":\"p3be1\","
                       "\"reason\":\"wrong patient\"}";
    struct tc_srv__sig_msg m = {0};
    struct tc_srv__sig_error err = {0};

    TC_REQUIRE(tc_srv__sig_parse(text, strlen(text), &m, &err) == OK);
    TC_CHECK_EQ(m.type, TC_SRV__SIG_REMOVE);
    TC_CHECK_STR_EQ(m.id, "5");
    TC_CHECK_STR_EQ(m.room, "rehab-session:7");
    TC_CHECK_EQ(m.kind, TC_SRV__SIG_ROOM_REHAB_SESSION);
    TC_CHECK_EQ(m.record_id, 7);
    TC_CHECK_STR_EQ(m.peer, "p3be1");
    TC_CHECK_STR_EQ(m.reason, "wrong patient");
    tc_srv__sig_msg_fini(&m);
}

static char *
member_json(const char *type, const char *member, size_t len, char fill)
{
    GString *s = g_string_new(NULL);

    g_string_printf(s,
                    "{\"type\":\"%s\",\"id\":\"L\",\"room\":"
                    "\"consultation:1\",\"to\":\"p1\",\"%s\":\"",
                    type, member);
    for (size_t i = 0; i < len; i++) {
        g_string_append_c(s, fill);
    }
    g_string_append(s, "\"}");
    return g_string_free(s, FALSE);
}

static void
test_size_limits(void)
{
    struct {
        const char *type, *member;
        size_t max;
    } limits[] = {
        {"offer", "sdp", TC_SRV__SIG_MAX_SDP},
        {"chat", "text", TC_SRV__SIG_MAX_CHAT},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(limits); i++) {
        for (size_t extra = 0; extra <= 1; extra++) {
            g_autofree char *text = member_json(
                limits[i].type, limits[i].member, limits[i].max + extra, 'a');
            struct tc_srv__sig_msg m = {0};
            struct tc_srv__sig_error err = {0};
            enum tc_srv__sig_err rc =
                tc_srv__sig_parse(text, strlen(text), &m, &err);
            TC_CHECK_EQ(rc, extra ? TOO_LARGE : OK);
            if (extra) {
                TC_CHECK_STR_EQ(err.id, "L");
                TC_CHECK_STR_CONTAINS(err.message, limits[i].member);
            }
            tc_srv__sig_msg_fini(&m);
        }
    }
}

static void
test_oversize_and_deep_messages_are_refused(void)
{
    g_autofree char *big = g_malloc0(TC_SRV__SIG_MAX_FRAME + 2);
    GString *deep = g_string_new("{\"type\":\"ping\",\"x\":");
    struct tc_srv__sig_msg m = {0};
    struct tc_srv__sig_error err = {0};

    memset(big, ' ', TC_SRV__SIG_MAX_FRAME + 1);
    TC_CHECK_EQ(tc_srv__sig_parse(big, TC_SRV__SIG_MAX_FRAME + 1, &m, &err),
                TOO_LARGE);
    for (int i = 0; i < 40; i++) {
        g_string_append_c(deep, '[');
    }
    for (int i = 0; i < 40; i++) {
        g_string_append_c(deep, ']');
    }
    g_string_append_c(deep, '}');
    TC_CHECK_EQ(tc_srv__sig_parse(deep->str, deep->len, &m, &err), BAD_JSON);
    TC_CHECK_STR_CONTAINS(err.message, "nested deeper");
    g_string_free(deep, TRUE);
}

static void
test_invalid_utf8_is_bad_json(void)
{
    const char text[] = "{\"type\":\"chat\",\"room\":\"consultation:1\","
                        "\"text\":\"\xc3\x28\"}";
    struct tc_srv__sig_msg m = {0};
    struct tc_srv__sig_error err = {0};

    TC_CHECK_EQ(tc_srv__sig_parse(text, sizeof(text) - 1, &m, &err), BAD_JSON);
}

static void
test_error_frame_echoes_the_id(void)
{
    struct tc_srv__sig_error err = {.id = "7"};
    struct tc_srv__sig_frame *f;

    tc_srv__sig_fail(&err, TC_SRV__SIG_FORBIDDEN, "not a participant of %s",
                     "consultation 12");
    f = tc_srv__sig_error_frame(&err);
    TC_REQUIRE(f != NULL);
    TC_CHECK_STR_EQ(tc_srv__sig_frame_text(f),
                    "{\"type\":\"error\",\"id\":\"7\",\"code\":\"forbidden\","
                    "\"message\":\"not a participant of consultation 12\"}");
    TC_CHECK_EQ(f->len, strlen(tc_srv__sig_frame_text(f)));
    tc_srv__sig_frame_unref(f);
}

/* The relayed copy is spliced from the text: the members but id, to and
 * from, as written, then the sender's "from". */
static void
check_relayed(const char *text, const char *want)
{
    struct tc_srv__sig_frame *f =
        tc_srv__sig_frame_relayed(text, strlen(text), "pabc");

    if (!want) {
        TC_CHECK(f == NULL);
        tc_srv__sig_frame_unref(f);
        return;
    }
    TC_REQUIRE(f != NULL);
    TC_CHECK_STR_EQ(tc_srv__sig_frame_text(f), want);
    TC_CHECK_EQ(f->len, strlen(want));
    tc_srv__sig_frame_unref(f);
}

static void
test_relayed_copy_is_spliced(void)
{
    check_relayed(
        "{\"type\":\"offer\",\"id\":\"o1\",\"room\":\"consultation:12\","
        "\"to\":\"p1\",\"sdp\":\"v=0\\n\\\"to\\\"\","
        "\"x\":[1,{\"a\":\"}\",\"to\":[]}],\"y\":-1.5e3}",
        "{\"type\":\"offer\",\"room\":\"consultation:12\","
        "\"sdp\":\"v=0\\n\\\"to\\\"\",\"x\":[1,{\"a\":\"}\",\"to\":[]}],"
        "\"y\":-1.5e3,\"from\":\"pabc\"}");
    /* spaces between members go, spaces inside one stay */
    check_relayed(" { \"type\" : \"candidate\" ,\n \"to\" : \"p1\" , "
                  "\"candidate\" : \"c\" , \"n\" : 0 } \n",
                  "{\"type\" : \"candidate\",\"candidate\" : \"c\",\"n\" : 0,"
                  "\"from\":\"pabc\"}");
    /* a "from" of the sender's own making is replaced */
    check_relayed(
        "{\"from\":\"pevil\",\"type\":\"answer\",\"to\":\"p1\",\"ok\":true}",
        "{\"type\":\"answer\",\"ok\":true,\"from\":\"pabc\"}");
    check_relayed("{\"to\":\"p1\"}", "{\"from\":\"pabc\"}");
    check_relayed("{}", "{\"from\":\"pabc\"}");
    /* a key written with an escape: the caller serialises the tree */
    check_relayed("{\"type\":\"offer\",\"\\u0074o\":\"p1\"}", NULL);
    /* not one whole object */
    check_relayed("[1]", NULL);
    check_relayed("{\"a\":1} x", NULL);
    check_relayed("{\"a\":1", NULL);
    check_relayed("{\"a\":\"1}", NULL);
    check_relayed("{\"a\":[1}", NULL);
    check_relayed("{\"a\":1,}", NULL);
    check_relayed("", NULL);
}

/* The same object as the tree's copy, for a message the parser took. */
static void
test_relayed_copy_equals_the_tree(void)
{
    const char text[] =
        "{\"type\":\"candidate\",\"id\":\"9\",\"room\":\"consultation:3\","
        "\"to\":\"p77\",\"candidate\":\"candidate:1 1 udp 1 127.0.0.1 9 typ "
        "host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"extra\":{\"k\":[null,"
        "\"\\u00e9\\t\"]}}";
    struct tc_srv__sig_msg m = {0};
    struct tc_srv__sig_error err = {0};
    struct tc_srv__sig_frame *f;
    json_t *got;

    TC_REQUIRE(tc_srv__sig_parse(text, sizeof(text) - 1, &m, &err) ==
               TC_SRV__SIG_OK);
    TC_CHECK(m.raw == text && m.raw_len == sizeof(text) - 1);
    f = tc_srv__sig_frame_relayed(m.raw, m.raw_len, "p12");
    TC_REQUIRE(f != NULL);
    got = json_loadb(tc_srv__sig_frame_text(f), f->len, JSON_REJECT_DUPLICATES,
                     NULL);
    json_object_del(m.doc, "id");
    json_object_del(m.doc, "to");
    json_object_set_new(m.doc, "from", json_string("p12"));
    TC_CHECK(got && json_equal(got, m.doc));
    json_decref(got);
    tc_srv__sig_frame_unref(f);
    tc_srv__sig_msg_fini(&m);
}

int
main(void)
{
    TC_RUN(test_every_message_type);
    TC_RUN(test_members_are_read);
    TC_RUN(test_size_limits);
    TC_RUN(test_oversize_and_deep_messages_are_refused);
    TC_RUN(test_invalid_utf8_is_bad_json);
    TC_RUN(test_error_frame_echoes_the_id);
    TC_RUN(test_relayed_copy_is_spliced);
    TC_RUN(test_relayed_copy_equals_the_tree);
    return tc_done();
}
