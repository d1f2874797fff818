// SPDX-License-Identifier: Apache-2.0
/*
 * test-signaling.c - signaling (docs/protocol.md) against the real
 * telecare-server with libtelecare-client peers, on the demo county:
 * two practitioners negotiate through consultation 1 (offer, answer and
 * candidates relayed with `from` set and `to` gone; a client's `frame`
 * callback takes a message raw, unparsed, and the rest still arrive); a
 * resident waits in a rehab session's waiting room until the therapist admits
 * her, a carer is removed, a patient cannot admit; users outside a room are
 * refused (forbidden) and the refusal is audited; a peer whose network drops
 * resumes and receives the 100 chat messages sent meanwhile, exactly
 * once and in order, with the same peer id; a slow consumer (a raw
 * client that stops reading) is closed with 4008 while its room-mates'
 * chat keeps flowing without delay.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <jansson.h>

#include "sig-util.h"
#include "tc-client.h"
#include "tc-test.h"
#include "ws-raw.h"

static struct sig_fixture fx;

static long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
jget(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static bool
has_peer(json_t *peers, const char *peer)
{
    size_t i;
    json_t *v;

    json_array_foreach(peers, i, v)
    {
        if (g_strcmp0(jget(v, "peer"), peer) == 0) {
            return true;
        }
    }
    return false;
}

static void
test_two_peers_negotiate_through_a_room(void)
{
    struct tpeer *huang = tpeer_new(&fx, "huang.xiaoyan", 0);
    struct tpeer *zhou = tpeer_new(&fx, "zhou.ming", 0);
    json_t *ok, *ev;

    TC_REQUIRE(huang && zhou);
    TC_CHECK(strcmp(tpeer_id(huang), tpeer_id(zhou)) != 0);

    ok = tpeer_join(huang, "consultation:1");
    TC_REQUIRE(ok);
    TC_CHECK_STR_EQ(jget(ok, "role"), "participant");
    TC_CHECK_STR_EQ(jget(ok, "state"), "joined");
    TC_CHECK_STR_EQ(jget(ok, "room"), "consultation:1");
    TC_CHECK_EQ(json_array_size(json_object_get(ok, "peers")), 0);
    json_decref(ok);

    ok = tpeer_join(zhou, "consultation:1");
    TC_REQUIRE(ok);
    TC_CHECK_STR_EQ(jget(ok, "role"), "host");
    TC_CHECK(has_peer(json_object_get(ok, "peers"), tpeer_id(huang)));
    json_decref(ok);

    ev = tpeer_wait(huang, "peer-joined", "peer", tpeer_id(zhou), 3000);
    TC_CHECK(ev);
    TC_CHECK_STR_EQ(jget(ev, "role"), "host");
    json_decref(ev);

    /* offer huang -> zhou, answer zhou -> huang */
    TC_CHECK_EQ(tc_sdk_client_send_offer(huang->c, "consultation:1",
                                         tpeer_id(zhou), "v=0 offer-sdp",
                                         NULL),
                0);
    ev = tpeer_wait(zhou, "offer", NULL, NULL, 3000);
    TC_REQUIRE(ev);
    TC_CHECK_STR_EQ(jget(ev, "from"), tpeer_id(huang));
    TC_CHECK_STR_EQ(jget(ev, "room"), "consultation:1");
    TC_CHECK_STR_EQ(jget(ev, "sdp"), "v=0 offer-sdp");
    TC_CHECK(json_is_false(json_object_get(ev, "has_to")));
    json_decref(ev);

    TC_CHECK_EQ(tc_sdk_client_send_answer(zhou->c, "consultation:1",
                                          tpeer_id(huang), "v=0 answer-sdp",
                                          NULL),
                0);
    ev = tpeer_wait(huang, "answer", NULL, NULL, 3000);
    TC_REQUIRE(ev);
    TC_CHECK_STR_EQ(jget(ev, "from"), tpeer_id(zhou));
    TC_CHECK_STR_EQ(jget(ev, "sdp"), "v=0 answer-sdp");
    json_decref(ev);

    /* candidates both ways, then end-of-candidates */
    TC_CHECK_EQ(tc_sdk_client_send_candidate(
                    huang->c, "consultation:1", tpeer_id(zhou),
                    "candidate:1 1 UDP 2122260223 127.0.0.1 50000 typ host",
                    "0", 0, NULL),
                0);
    TC_CHECK_EQ(tc_sdk_client_send_candidate(
                    zhou->c, "consultation:1", tpeer_id(huang),
                    "candidate:2 1 UDP 2122260223 127.0.0.1 50002 typ host",
                    "1", 1, NULL),
                0);
    TC_CHECK_EQ(tc_sdk_client_send_candidate(huang->c, "consultation:1",
                                             tpeer_id(zhou), "", "0", 0, NULL),
                0);
    ev = tpeer_wait(zhou, "candidate", NULL, NULL, 3000);
    TC_REQUIRE(ev);
    TC_CHECK_STR_EQ(jget(ev, "from"), tpeer_id(huang));
    TC_CHECK_STR_CONTAINS(jget(ev, "candidate"), "50000 typ host");
    TC_CHECK_STR_EQ(jget(ev, "sdpMid"), "0");
    TC_CHECK_EQ(json_integer_value(json_object_get(ev, "sdpMLineIndex")), 0);
    json_decref(ev);
    ev = tpeer_wait(zhou, "candidate", NULL, NULL, 3000);
    TC_REQUIRE(ev);
    TC_CHECK_STR_EQ(jget(ev, "candidate"), "");
    json_decref(ev);
    ev = tpeer_wait(huang, "candidate", NULL, NULL, 3000);
    TC_REQUIRE(ev);
    TC_CHECK_STR_EQ(jget(ev, "from"), tpeer_id(zhou));
    TC_CHECK_STR_EQ(jget(ev, "sdpMid"), "1");
    TC_CHECK_EQ(json_integer_value(json_object_get(ev, "sdpMLineIndex")), 1);
    json_decref(ev);

    /* nothing was relayed back to its sender */
    TC_CHECK(tpeer_absent(huang, "offer", NULL, NULL, 200));
    TC_CHECK(tpeer_absent(zhou, "answer", NULL, NULL, 0));

    /* a chat reaches both, the sender too */
    TC_CHECK_EQ(tc_sdk_client_send_chat(zhou->c, "consultation:1",
                                        "请看一下这份心电图", "chat-1"),
                0);
    ev = tpeer_wait(huang, "chat", NULL, NULL, 3000);
    TC_CHECK(ev && g_strcmp0(jget(ev, "from"), tpeer_id(zhou)) == 0 &&
             g_strcmp0(jget(ev, "text"), "请看一下这份心电图") == 0);
    json_decref(ev);
    ev = tpeer_wait(zhou, "chat", NULL, NULL, 3000);
    TC_CHECK(ev);
    json_decref(ev);

    /* a client may take a message raw, before the SDK parses it: the
     * candidate it takes reaches no typed callback; what it leaves does */
    huang->take_prefix = "{\"type\":\"candidate\"";
    TC_CHECK_EQ(tc_sdk_client_send_candidate(zhou->c, "consultation:1",
                                             tpeer_id(huang), "candidate:3",
                                             "0", 0, NULL),
                0);
    TC_CHECK_EQ(
        tc_sdk_client_send_chat(zhou->c, "consultation:1", "taken?", NULL), 0);
    ev = tpeer_wait(huang, "_frame", NULL, NULL, 3000);
    TC_REQUIRE(ev);
    TC_CHECK_STR_CONTAINS(jget(ev, "text"), "\"candidate\":\"candidate:3\"");
    TC_CHECK_STR_CONTAINS(jget(ev, "text"), tpeer_id(zhou));
    json_decref(ev);
    ev = tpeer_wait(huang, "chat", "text", "taken?", 3000);
    TC_CHECK(ev);
    json_decref(ev);
    TC_CHECK(tpeer_absent(huang, "candidate", NULL, NULL, 0));
    huang->take_prefix = NULL;

    /* leaving is seen as `left` */
    TC_CHECK_EQ(tc_sdk_client_leave(huang->c, "consultation:1", NULL), 0);
    ev = tpeer_wait(zhou, "peer-left", "peer", tpeer_id(huang), 3000);
    TC_CHECK(ev && g_strcmp0(jget(ev, "reason"), "left") == 0);
    json_decref(ev);
    tpeer_free(huang);
    tpeer_free(zhou);
}

static void
test_resident_waits_and_is_admitted(void)
{
    struct tpeer *wang = tpeer_new(&fx, "wang.xiuying", 0);
    struct tpeer *lin = tpeer_new(&fx, "lin.jing", 0);
    struct tpeer *li = tpeer_new(&fx, "li.mei", 0);
    json_t *ok, *ev;

    TC_REQUIRE(wang && lin && li);

    /* the patient arrives first: she waits, and nobody is there */
    ok = tpeer_join(wang, "rehab-session:1");
    TC_REQUIRE(ok);
    TC_CHECK_STR_EQ(jget(ok, "role"), "patient");
    TC_CHECK_STR_EQ(jget(ok, "state"), "waiting");
    TC_CHECK_EQ(json_array_size(json_object_get(ok, "peers")), 0);
    json_decref(ok);

    /* the therapist joins later and is told who waits */
    ok = tpeer_join(lin, "rehab-session:1");
    TC_REQUIRE(ok);
    TC_CHECK_STR_EQ(jget(ok, "role"), "host");
    TC_CHECK_STR_EQ(jget(ok, "state"), "joined");
    TC_CHECK(!has_peer(json_object_get(ok, "peers"), tpeer_id(wang)));
    json_decref(ok);
    ev = tpeer_wait(lin, "waiting", "peer", tpeer_id(wang), 3000);
    TC_REQUIRE(ev);
    TC_CHECK_STR_EQ(jget(ev, "role"), "patient");
    json_decref(ev);

    /* a waiting patient cannot negotiate yet */
    TC_CHECK_EQ(tc_sdk_client_send_offer(wang->c, "rehab-session:1",
                                         tpeer_id(lin), "v=0", "early-offer"),
                0);
    ev = tpeer_wait(wang, "error", "id", "early-offer", 3000);
    TC_CHECK(ev && g_strcmp0(jget(ev, "code"), "ok") != 0);
    json_decref(ev);
    TC_CHECK(tpeer_absent(lin, "offer", NULL, NULL, 200));

    /* admitted: she sees the host, the host sees her join */
    TC_CHECK_EQ(tc_sdk_client_admit(lin->c, "rehab-session:1", tpeer_id(wang),
                                    "admit-1"),
                0);
    ev = tpeer_wait(lin, "ok", "id", "admit-1", 3000);
    TC_CHECK(ev);
    json_decref(ev);
    ev = tpeer_wait(wang, "admitted", "room", "rehab-session:1", 3000);
    TC_REQUIRE(ev);
    TC_CHECK(has_peer(json_object_get(ev, "peers"), tpeer_id(lin)));
    json_decref(ev);
    ev = tpeer_wait(lin, "peer-joined", "peer", tpeer_id(wang), 3000);
    TC_CHECK(ev);
    json_decref(ev);

    /* now they negotiate */
    TC_CHECK_EQ(tc_sdk_client_send_offer(wang->c, "rehab-session:1",
                                         tpeer_id(lin), "v=0 home", NULL),
                0);
    ev = tpeer_wait(lin, "offer", NULL, NULL, 3000);
    TC_CHECK(ev && g_strcmp0(jget(ev, "from"), tpeer_id(wang)) == 0);
    json_decref(ev);

    /* the carer waits too; a patient may not admit her */
    ok = tpeer_join(li, "rehab-session:1");
    TC_REQUIRE(ok);
    TC_CHECK_STR_EQ(jget(ok, "role"), "patient");
    TC_CHECK_STR_EQ(jget(ok, "state"), "waiting");
    json_decref(ok);
    ev = tpeer_wait(lin, "waiting", "peer", tpeer_id(li), 3000);
    TC_CHECK(ev);
    json_decref(ev);
    TC_CHECK_EQ(tc_sdk_client_admit(wang->c, "rehab-session:1", tpeer_id(li),
                                    "admit-by-patient"),
                0);
    ev = tpeer_wait(wang, "error", "id", "admit-by-patient", 3000);
    TC_CHECK(ev && g_strcmp0(jget(ev, "code"), "forbidden") == 0);
    json_decref(ev);

    /* the host admits and then removes the carer */
    TC_CHECK_EQ(
        tc_sdk_client_admit(lin->c, "rehab-session:1", tpeer_id(li), NULL), 0);
    ev = tpeer_wait(li, "admitted", NULL, NULL, 3000);
    TC_CHECK(ev);
    json_decref(ev);
    TC_CHECK_EQ(tc_sdk_client_remove(lin->c, "rehab-session:1", tpeer_id(li),
                                     "wrong patient", "remove-1"),
                0);
    ev = tpeer_wait(li, "removed", NULL, NULL, 3000);
    TC_CHECK(ev && g_strcmp0(jget(ev, "reason"), "wrong patient") == 0);
    json_decref(ev);
    ev = tpeer_wait(wang, "peer-left", "peer", tpeer_id(li), 3000);
    TC_CHECK(ev && g_strcmp0(jget(ev, "reason"), "removed") == 0);
    json_decref(ev);
    /* removed means out: she cannot chat there any more */
    TC_CHECK_EQ(tc_sdk_client_send_chat(li->c, "rehab-session:1", "hello?",
                                        "chat-after-remove"),
                0);
    ev = tpeer_wait(li, "error", "id", "chat-after-remove", 3000);
    TC_CHECK(ev && g_strcmp0(jget(ev, "code"), "not-in-room") == 0);
    json_decref(ev);

    tpeer_free(li);
    tpeer_free(wang);
    tpeer_free(lin);
}

static void
test_unrelated_user_is_refused_and_audited(void)
{
    struct tpeer *wu = tpeer_new(&fx, "wu.gang", 0);
    struct tpeer *ma = tpeer_new(&fx, "ma.yumei", 0);
    long long wu_denied = sig_audit_count(&fx, "wu.gang", "denied");
    long long ma_denied = sig_audit_count(&fx, "ma.yumei", "denied");
    json_t *ev;

    TC_REQUIRE(wu && ma);
    TC_CHECK(!tpeer_join(wu, "consultation:1"));
    ev = tpeer_wait(wu, "error", "request", "join", 3000);
    TC_REQUIRE(ev);
    TC_CHECK_STR_EQ(jget(ev, "code"), "forbidden");
    TC_CHECK_STR_EQ(jget(ev, "room"), "consultation:1");
    json_decref(ev);

    TC_CHECK(!tpeer_join(ma, "rehab-session:2"));
    ev = tpeer_wait(ma, "error", "request", "join", 3000);
    TC_CHECK(ev && g_strcmp0(jget(ev, "code"), "forbidden") == 0);
    json_decref(ev);

    /* a room that does not exist is not-found, not forbidden */
    TC_CHECK(!tpeer_join(ma, "consultation:999"));
    ev = tpeer_wait(ma, "error", "request", "join", 3000);
    TC_CHECK(ev && g_strcmp0(jget(ev, "code"), "not-found") == 0);
    json_decref(ev);

    /* the connections stay usable after the refusals */
    TC_CHECK_EQ(tc_sdk_client_send_ping(wu->c, "still-there"), 0);
    ev = tpeer_wait(wu, "pong", NULL, NULL, 3000);
    TC_CHECK(ev);
    json_decref(ev);

    TC_CHECK(sig_audit_count(&fx, "wu.gang", "denied") > wu_denied);
    TC_CHECK(sig_audit_count(&fx, "ma.yumei", "denied") > ma_denied);
    tpeer_free(wu);
    tpeer_free(ma);
}

static void
test_resume_after_drop_loses_and_reorders_nothing(void)
{
    struct tpeer *huang = tpeer_new(&fx, "huang.xiaoyan", 0);
    struct tpeer *zhou = tpeer_new(&fx, "zhou.ming", 0);
    g_autofree char *huang_peer = NULL;
    json_t *ok, *ev;
    int got = 0, in_order = 0, sent = 0;
    char text[16];

    TC_REQUIRE(huang && zhou);
    huang_peer = g_strdup(tpeer_id(huang));
    ok = tpeer_join(huang, "consultation:1");
    TC_REQUIRE(ok);
    json_decref(ok);
    ok = tpeer_join(zhou, "consultation:1");
    TC_REQUIRE(ok);
    json_decref(ok);
    tpeer_clear(huang);

    /* huang's network drops; he returns after 5 s */
    TC_CHECK_EQ(tc_sdk_client_drop(huang->c, 5000), 0);
    ev = tpeer_wait(zhou, "peer-reconnecting", "peer", huang_peer, 5000);
    TC_REQUIRE(ev);
    json_decref(ev);
    TC_CHECK(tpeer_absent(zhou, "peer-left", "peer", huang_peer, 0));

    /* 100 numbered messages while he is away, under the rate limit */
    for (int i = 1; i <= 100; i++) {
        snprintf(text, sizeof(text), "%d", i);
        sent += tc_sdk_client_send_chat(zhou->c, "consultation:1", text,
                                        NULL) == 0;
        sig_spin(25);
    }
    TC_CHECK_EQ(sent, 100);
    TC_CHECK(tc_sdk_client_state(huang->c) != TC_SDK_STATE_READY);

    ev = tpeer_wait(huang, "resumed", NULL, NULL, 10000);
    TC_REQUIRE(ev);
    TC_CHECK_STR_EQ(jget(ev, "peer"), huang_peer);
    TC_CHECK(json_integer_value(json_object_get(ev, "missed")) >= 100);
    TC_CHECK_EQ(json_integer_value(json_object_get(ev, "dropped")), 0);
    json_decref(ev);
    TC_CHECK_STR_EQ(tpeer_id(huang), huang_peer);
    ev = tpeer_wait(zhou, "peer-resumed", "peer", huang_peer, 5000);
    TC_CHECK(ev);
    json_decref(ev);

    /* exactly 1..100, in order, once */
    for (long end = now_ms() + 5000; got < 100 && now_ms() < end;) {
        ev = tpeer_wait(huang, "chat", NULL, NULL, 100);
        if (ev) {
            got++;
            in_order += atoi(jget(ev, "text")) == got;
            json_decref(ev);
        }
    }
    TC_CHECK_EQ(got, 100);
    TC_CHECK_EQ(in_order, 100);
    TC_CHECK(tpeer_absent(huang, "chat", NULL, NULL, 500));
    TC_CHECK(tpeer_absent(huang, "welcome", NULL, NULL, 0));

    /* the resumed session works both ways */
    TC_CHECK_EQ(tc_sdk_client_send_offer(huang->c, "consultation:1",
                                         tpeer_id(zhou), "v=0 back", NULL),
                0);
    ev = tpeer_wait(zhou, "offer", "from", huang_peer, 3000);
    TC_CHECK(ev);
    json_decref(ev);
    tpeer_free(huang);
    tpeer_free(zhou);
}

/* Chat round trip zhou -> zheng, in ms (-1: not delivered in 2 s). */
static long
chat_latency(struct tpeer *from, struct tpeer *to, int n)
{
    char text[32];
    long t0 = now_ms();
    json_t *ev;

    snprintf(text, sizeof(text), "still here %d", n);
    if (tc_sdk_client_send_chat(from->c, "consultation:1", text, NULL) < 0) {
        return -1;
    }
    ev = tpeer_wait(to, "chat", "text", text, 2000);
    json_decref(ev);
    return ev ? now_ms() - t0 : -1;
}

static void
test_slow_consumer_is_closed_others_carry_on(void)
{
    struct tpeer *zhou = tpeer_new(&fx, "zhou.ming", 0);
    struct tpeer *huang = tpeer_new(&fx, "huang.xiaoyan", 0);
    char *token = sig_token(&fx, "zheng.haitao");
    g_autofree char *sdp = g_malloc(50001);
    g_autofree char *slow_peer = NULL;
    struct ws_raw slow;
    json_t *welcome, *ok, *ev;
    long worst = 0;
    int offers = 0, lost = 0, code;

    TC_REQUIRE(zhou && huang && token);
    TC_REQUIRE(ws_raw_open(&slow, fx.h.port, "telecare.v1", 4096) == 0);
    welcome = ws_raw_hello(&slow, token);
    tc_sdk_token_free(token);
    TC_REQUIRE(welcome);
    slow_peer = g_strdup(jget(welcome, "peer"));
    json_decref(welcome);
    ws_raw_send_text(&slow, "{\"type\":\"join\",\"id\":\"j\","
                            "\"room\":\"consultation:1\"}");
    ok = ws_raw_expect(&slow, "ok", "j", 5000);
    TC_REQUIRE(ok);
    json_decref(ok);
    json_decref(tpeer_join(zhou, "consultation:1"));
    json_decref(tpeer_join(huang, "consultation:1"));

    /* the raw client stops reading; zhou sends it 50 KB offers */
    memset(sdp, 'x', 50000);
    sdp[50000] = '\0';
    memcpy(sdp, "v=0 ", 4);
    for (long end = now_ms() + 30000; now_ms() < end; offers++) {
        ev = tpeer_wait(zhou, "peer-left", "peer", slow_peer, 0);
        if (ev) {
            TC_CHECK_STR_EQ(jget(ev, "reason"), "closed");
            json_decref(ev);
            break;
        }
        tc_sdk_client_send_offer(zhou->c, "consultation:1", slow_peer, sdp,
                                 NULL);
        if (offers % 10 == 0) {
            long ms = chat_latency(huang, zhou, offers);
            lost += ms < 0;
            worst = MAX(worst, ms);
        } else {
            sig_spin(25); /* under the 50/s rate limit */
        }
    }
    printf("# %d offers before the slow consumer was closed; worst chat "
           "latency meanwhile %ld ms\n",
           offers, worst);
    TC_CHECK(offers < 1000);
    TC_CHECK_EQ(lost, 0);
    TC_CHECK(worst < 500);

    /* room-mates saw it leave as `closed`; it gets 4008 once it reads */
    ev = tpeer_wait(huang, "peer-left", "peer", slow_peer, 5000);
    TC_CHECK(ev && g_strcmp0(jget(ev, "reason"), "closed") == 0);
    json_decref(ev);
    code = ws_raw_wait_close(&slow, 10000);
    TC_CHECK_EQ(code, 4008);
    ws_raw_fini(&slow);

    /* and the others carry on */
    TC_CHECK(chat_latency(zhou, huang, 9999) >= 0);
    tpeer_free(zhou);
    tpeer_free(huang);
}

int
main(void)
{
    if (sig_fixture_start(&fx, NULL) < 0) {
        printf("Bail out! the server did not start\n");
        return 1;
    }
    TC_RUN(test_two_peers_negotiate_through_a_room);
    TC_RUN(test_resident_waits_and_is_admitted);
    TC_RUN(test_unrelated_user_is_refused_and_audited);
    TC_RUN(test_resume_after_drop_loses_and_reorders_nothing);
    TC_RUN(test_slow_consumer_is_closed_others_carry_on);
    sig_fixture_fini(&fx);
    return tc_done();
}
