// SPDX-License-Identifier: Apache-2.0
/*
 * test-sig-room.c - rooms and peers without a network (server/sig-room.c,
 * server/sig-peer.c): the hub sends into recording connections, so each
 * test reads exactly what each client would have received. The waiting
 * room and admission, who hears which presence event, relay checks, the
 * observer, remove, drop and resume (missed messages in order, bounded,
 * single-use tokens), the grace period's end.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "sig-int.h"
#include "tc-test.h"

/* A client: every frame it was sent, parsed. */
struct tconn {
    GPtrArray *got; /* json_t * */
};

static GPtrArray *attendance; /* "room peer in|out" */

static void
rec_send(void *ctx, void *conn, struct tc_srv__sig_frame *frame)
{
    struct tconn *c = conn;

    g_ptr_array_add(c->got,
                    json_loads(tc_srv__sig_frame_text(frame), 0, NULL));
}

static void
rec_attend(void *ctx, const struct tc_srv__sig_room *room,
           const struct tc_srv__sig_peer *peer, bool present)
{
    g_ptr_array_add(attendance,
                    g_strdup_printf("%s %s %s", room->name, peer->id,
                                    present ? "in" : "out"));
}

static const struct tc_srv__sig_ops ops = {.send = rec_send,
                                           .attend = rec_attend};

static struct tc_srv__sig_hub *hub;

static void
conn_init(struct tconn *c)
{
    c->got = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
}

static void
conn_fini(struct tconn *c)
{
    g_ptr_array_unref(c->got);
}

/* The first message of `type` c got (borrowed), or NULL. */
static json_t *
first(struct tconn *c, const char *type)
{
    for (guint i = 0; i < c->got->len; i++) {
        json_t *m = g_ptr_array_index(c->got, i);
        if (strcmp(json_string_value(json_object_get(m, "type")), type) == 0) {
            return m;
        }
    }
    return NULL;
}

static int
count(struct tconn *c, const char *type)
{
    int n = 0;

    for (guint i = 0; i < c->got->len; i++) {
        json_t *m = g_ptr_array_index(c->got, i);
        n += strcmp(json_string_value(json_object_get(m, "type")), type) == 0;
    }
    return n;
}

static const char *
str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

struct tpeer {
    struct tconn conn;
    struct tc_srv__sig_peer *peer;
    char token[TC_SRV__TOKEN_TEXT_LEN + 1];
};

static void
tpeer_new(struct tpeer *t, int64_t user_id, const char *username)
{
    struct tc_srv__who who = {.user_id = user_id};

    g_strlcpy(who.username, username, sizeof(who.username));
    conn_init(&t->conn);
    tc_srv__sig_peer_new(hub, &who, username, &t->conn, "1", &t->peer);
    g_strlcpy(t->token, str(first(&t->conn, "welcome"), "resume_token"),
              sizeof(t->token));
}

static enum tc_srv__sig_err
send_text(struct tpeer *t, const char *text, struct tc_srv__sig_error *err)
{
    struct tc_srv__sig_msg m = {0};
    enum tc_srv__sig_err rc = tc_srv__sig_parse(text, strlen(text), &m, err);

    if (rc != TC_SRV__SIG_OK) {
        return rc;
    }
    switch (m.type) {
    case TC_SRV__SIG_LEAVE:
        rc = tc_srv__sig_room_leave(hub, t->peer, &m, err);
        break;
    case TC_SRV__SIG_ADMIT:
        rc = tc_srv__sig_room_admit(hub, t->peer, &m, err);
        break;
    case TC_SRV__SIG_REMOVE:
        rc = tc_srv__sig_room_remove(hub, t->peer, &m, err);
        break;
    case TC_SRV__SIG_CHAT: {
        struct tc_srv__sig_room *room;
        rc = tc_srv__sig_room_chat_check(hub, t->peer, &m, &room, err);
        if (rc == TC_SRV__SIG_OK) {
            tc_srv__sig_room_chat(hub, room, t->peer, &m, ++room->chat_seq,
                                  1764408600123000);
        }
        break;
    }
    default:
        rc = tc_srv__sig_room_relay(hub, t->peer, &m, err);
        break;
    }
    tc_srv__sig_msg_fini(&m);
    return rc;
}

static void
join(struct tpeer *t, enum tc_srv__sig_role role)
{
    const char *text = "{\"type\":\"join\",\"id\":\"j\",\"room\":"
                       "\"consultation:12\"}";
    struct tc_srv__sig_msg m = {0};
    struct tc_srv__sig_error err = {0};

    tc_srv__sig_parse(text, strlen(text), &m, &err);
    TC_CHECK_EQ(tc_srv__sig_room_join(hub, t->peer, &m, 5, role, &err),
                TC_SRV__SIG_OK);
    tc_srv__sig_msg_fini(&m);
}

static struct tpeer host, doctor, patient, host2;

static void
setup(void)
{
    hub = tc_srv__sig_hub_new(&ops, NULL, 20, 30);
    attendance = g_ptr_array_new_with_free_func(g_free);
    tpeer_new(&host, 1, "zhou");
    tpeer_new(&doctor, 2, "huang");
    tpeer_new(&patient, 3, "wang");
    tpeer_new(&host2, 4, "zheng");
}

static void
teardown(void)
{
    tc_srv__sig_hub_free(hub);
    conn_fini(&host.conn);
    conn_fini(&doctor.conn);
    conn_fini(&patient.conn);
    conn_fini(&host2.conn);
    g_ptr_array_unref(attendance);
}

static void
clear_all(void)
{
    g_ptr_array_set_size(host.conn.got, 0);
    g_ptr_array_set_size(doctor.conn.got, 0);
    g_ptr_array_set_size(patient.conn.got, 0);
    g_ptr_array_set_size(host2.conn.got, 0);
    g_ptr_array_set_size(attendance, 0);
}

static void
test_patient_waits_until_a_host_admits(void)
{
    struct tc_srv__sig_error err = {0};
    json_t *ok, *ev;
    g_autofree char *admit = NULL;

    setup();
    join(&doctor, TC_SRV__SIG_PARTICIPANT);
    join(&patient, TC_SRV__SIG_PATIENT);
    ok = first(&patient.conn, "ok");
    TC_CHECK_STR_EQ(str(ok, "state"), "waiting");
    TC_CHECK_STR_EQ(str(ok, "role"), "patient");
    TC_CHECK_EQ(json_array_size(json_object_get(ok, "peers")), 0);
    TC_CHECK_EQ(count(&doctor.conn, "waiting"), 0); /* not a host */
    TC_CHECK_EQ(count(&doctor.conn, "peer-joined"), 0);
    /* a host who joins later hears of every waiting patient */
    join(&host, TC_SRV__SIG_HOST);
    ev = first(&host.conn, "waiting");
    TC_REQUIRE(ev);
    TC_CHECK_STR_EQ(str(json_object_get(ev, "peer"), "peer"),
                    patient.peer->id);
    TC_CHECK_EQ(count(&patient.conn, "peer-joined"), 0); /* still waiting */
    /* a waiting patient may not relay, and a participant may not admit */
    TC_CHECK_EQ(send_text(&patient,
                          "{\"type\":\"chat\",\"room\":\"consultation:12\","
                          "\"text\":\"hi\"}",
                          &err),
                TC_SRV__SIG_BAD_STATE);
    admit = g_strdup_printf("{\"type\":\"admit\",\"id\":\"a\",\"room\":"
                            "\"consultation:12\",\"peer\":\"%s\"}",
                            patient.peer->id);
    TC_CHECK_EQ(send_text(&doctor, admit, &err), TC_SRV__SIG_FORBIDDEN);
    clear_all();
    TC_CHECK_EQ(send_text(&host, admit, &err), TC_SRV__SIG_OK);
    TC_CHECK_STR_EQ(str(first(&host.conn, "ok"), "id"), "a");
    ev = first(&patient.conn, "admitted");
    TC_REQUIRE(ev);
    TC_CHECK_EQ(json_array_size(json_object_get(ev, "peers")), 2);
    TC_CHECK_EQ(count(&doctor.conn, "peer-joined"), 1);
    TC_CHECK_EQ(count(&host.conn, "peer-joined"), 1);
    TC_CHECK_EQ(attendance->len, 1); /* the patient entered the call */
    TC_CHECK_EQ(send_text(&host, admit, &err), TC_SRV__SIG_BAD_STATE);
    teardown();
}

static void
test_relay_reaches_only_its_addressee(void)
{
    struct tc_srv__sig_error err = {0};
    g_autofree char *offer = NULL, *to_waiting = NULL;
    json_t *got;

    setup();
    join(&host, TC_SRV__SIG_HOST);
    join(&doctor, TC_SRV__SIG_PARTICIPANT);
    join(&patient, TC_SRV__SIG_PATIENT);
    clear_all();
    offer = g_strdup_printf("{\"type\":\"offer\",\"id\":\"o1\",\"room\":"
                            "\"consultation:12\",\"to\":\"%s\","
                            "\"sdp\":\"v=0\",\"x\":1}",
                            doctor.peer->id);
    TC_CHECK_EQ(send_text(&host, offer, &err), TC_SRV__SIG_OK);
    got = first(&doctor.conn, "offer");
    TC_REQUIRE(got);
    TC_CHECK_STR_EQ(str(got, "from"), host.peer->id);
    TC_CHECK_STR_EQ(str(got, "sdp"), "v=0");
    TC_CHECK(json_object_get(got, "to") == NULL);
    TC_CHECK(json_object_get(got, "id") == NULL);
    TC_CHECK_EQ(json_integer_value(json_object_get(got, "x")), 1);
    TC_CHECK_EQ(patient.conn.got->len, 0);
    to_waiting = g_strdup_printf("{\"type\":\"offer\",\"room\":"
                                 "\"consultation:12\",\"to\":\"%s\","
                                 "\"sdp\":\"v=0\"}",
                                 patient.peer->id);
    TC_CHECK_EQ(send_text(&host, to_waiting, &err), TC_SRV__SIG_BAD_STATE);
    TC_CHECK_EQ(send_text(&host,
                          "{\"type\":\"offer\",\"room\":\"consultation:12\","
                          "\"to\":\"pabc\",\"sdp\":\"v=0\"}",
                          &err),
                TC_SRV__SIG_NOT_FOUND);
    TC_CHECK_EQ(send_text(&host,
                          "{\"type\":\"offer\",\"room\":\"consultation:12\","
                          "\"to\":\"media\",\"sdp\":\"v=0\"}",
                          &err),
                TC_SRV__SIG_NOT_FOUND);
    TC_CHECK_EQ(send_text(&host2, offer, &err), TC_SRV__SIG_NOT_IN_ROOM);
    teardown();
}

static void
test_observer_hears_but_only_leaves(void)
{
    struct tc_srv__sig_error err = {0};

    setup();
    join(&host, TC_SRV__SIG_HOST);
    join(&host2, TC_SRV__SIG_OBSERVER);
    TC_CHECK_STR_EQ(str(first(&host2.conn, "ok"), "role"), "observer");
    TC_CHECK_EQ(send_text(&host,
                          "{\"type\":\"chat\",\"id\":\"c\",\"room\":"
                          "\"consultation:12\",\"text\":\"hello\"}",
                          &err),
                TC_SRV__SIG_OK);
    TC_CHECK_STR_EQ(str(first(&host2.conn, "chat"), "text"), "hello");
    TC_CHECK_STR_EQ(str(first(&host.conn, "chat"), "at"),
                    "2025-11-29T09:30:00.123Z");
    TC_CHECK_EQ(send_text(&host2,
                          "{\"type\":\"chat\",\"room\":\"consultation:12\","
                          "\"text\":\"x\"}",
                          &err),
                TC_SRV__SIG_FORBIDDEN);
    TC_CHECK_EQ(send_text(&host2,
                          "{\"type\":\"leave\",\"id\":\"l\",\"room\":"
                          "\"consultation:12\"}",
                          &err),
                TC_SRV__SIG_OK);
    TC_CHECK_STR_EQ(str(first(&host.conn, "peer-left"), "reason"), "left");
    teardown();
}

static void
test_remove_tells_the_removed_and_the_rest(void)
{
    struct tc_srv__sig_error err = {0};
    g_autofree char *remove = NULL;

    setup();
    join(&host, TC_SRV__SIG_HOST);
    join(&doctor, TC_SRV__SIG_PARTICIPANT);
    join(&host2, TC_SRV__SIG_HOST);
    clear_all();
    remove = g_strdup_printf("{\"type\":\"remove\",\"id\":\"r\",\"room\":"
                             "\"consultation:12\",\"peer\":\"%s\","
                             "\"reason\":\"wrong patient\"}",
                             doctor.peer->id);
    TC_CHECK_EQ(send_text(&doctor, remove, &err), TC_SRV__SIG_FORBIDDEN);
    TC_CHECK_EQ(send_text(&host, remove, &err), TC_SRV__SIG_OK);
    TC_CHECK_STR_EQ(str(first(&doctor.conn, "removed"), "reason"),
                    "wrong patient");
    TC_CHECK_STR_EQ(str(first(&host2.conn, "peer-left"), "reason"), "removed");
    TC_CHECK_EQ(doctor.peer->members->len, 0);
    TC_CHECK_EQ(send_text(&host, remove, &err), TC_SRV__SIG_NOT_FOUND);
    teardown();
}

static void
test_resume_delivers_missed_messages_in_order(void)
{
    struct tc_srv__sig_error err = {0};
    struct tc_srv__sig_peer *back = NULL;
    struct tconn fresh;
    void *replaced = (void *)1;
    char old_token[TC_SRV__TOKEN_TEXT_LEN + 1];
    json_t *resumed;

    setup();
    join(&host, TC_SRV__SIG_HOST);
    join(&doctor, TC_SRV__SIG_PARTICIPANT);
    clear_all();
    tc_srv__sig_peer_gone(hub, doctor.peer, TC_SRV__SIG_GONE_DROPPED);
    TC_CHECK_STR_EQ(str(first(&host.conn, "peer-reconnecting"), "peer"),
                    doctor.peer->id);
    TC_CHECK_EQ(count(&host.conn, "peer-left"), 0);
    for (int i = 1; i <= 3; i++) {
        char text[128];
        g_snprintf(text, sizeof(text),
                   "{\"type\":\"chat\",\"room\":\"consultation:12\","
                   "\"text\":\"m%d\"}",
                   i);
        TC_CHECK_EQ(send_text(&host, text, &err), TC_SRV__SIG_OK);
    }
    TC_CHECK_EQ(count(&doctor.conn, "chat"), 0); /* away: queued */
    conn_init(&fresh);
    TC_CHECK_EQ(tc_srv__sig_peer_resume(hub, doctor.token, 99, &fresh, "1",
                                        &back, &replaced),
                -ENOENT); /* another user's token */
    TC_CHECK_EQ(tc_srv__sig_peer_resume(hub, doctor.token, 2, &fresh, "1",
                                        &back, &replaced),
                0);
    TC_CHECK(back == doctor.peer);
    TC_CHECK(replaced == NULL);
    TC_REQUIRE(fresh.got->len == 4);
    resumed = g_ptr_array_index(fresh.got, 0);
    TC_CHECK_STR_EQ(str(resumed, "type"), "resumed");
    TC_CHECK_STR_EQ(str(resumed, "peer"), doctor.peer->id);
    TC_CHECK_EQ(json_integer_value(json_object_get(resumed, "missed")), 3);
    TC_CHECK_STR_EQ(json_string_value(
                        json_array_get(json_object_get(resumed, "rooms"), 0)),
                    "consultation:12");
    for (int i = 1; i <= 3; i++) {
        char want[8];
        g_snprintf(want, sizeof(want), "m%d", i);
        TC_CHECK_STR_EQ(str(g_ptr_array_index(fresh.got, i), "text"), want);
    }
    TC_CHECK(first(&host.conn, "peer-resumed") != NULL);
    /* the token was single-use; the new one works once */
    g_strlcpy(old_token, doctor.token, sizeof(old_token));
    TC_CHECK_EQ(tc_srv__sig_peer_resume(hub, old_token, 2, &fresh, "1", &back,
                                        &replaced),
                -ENOENT);
    TC_CHECK(strcmp(str(resumed, "resume_token"), old_token) != 0);
    TC_CHECK_EQ(tc_srv__sig_peer_resume(hub, str(resumed, "resume_token"), 2,
                                        &doctor.conn, "2", &back, &replaced),
                0);
    TC_CHECK(replaced == &fresh); /* moved while attached: 4010 there */
    teardown();
    conn_fini(&fresh);
}

static void
test_missed_queue_is_bounded_oldest_dropped(void)
{
    struct tc_srv__sig_error err = {0};
    struct tc_srv__sig_peer *back = NULL;
    struct tconn fresh;
    void *replaced = NULL;
    json_t *resumed;

    setup();
    join(&host, TC_SRV__SIG_HOST);
    join(&doctor, TC_SRV__SIG_PARTICIPANT);
    tc_srv__sig_peer_gone(hub, doctor.peer, TC_SRV__SIG_GONE_DROPPED);
    for (int i = 1; i <= 300; i++) {
        char text[128];
        g_snprintf(text, sizeof(text),
                   "{\"type\":\"chat\",\"room\":\"consultation:12\","
                   "\"text\":\"m%d\"}",
                   i);
        send_text(&host, text, &err);
    }
    conn_init(&fresh);
    TC_REQUIRE(tc_srv__sig_peer_resume(hub, doctor.token, 2, &fresh, NULL,
                                       &back, &replaced) == 0);
    resumed = g_ptr_array_index(fresh.got, 0);
    TC_CHECK_EQ(json_integer_value(json_object_get(resumed, "missed")),
                TC_SRV__SIG_QUEUE_MSGS);
    TC_CHECK_EQ(json_integer_value(json_object_get(resumed, "dropped")),
                300 - TC_SRV__SIG_QUEUE_MSGS);
    TC_CHECK_EQ(fresh.got->len, 1 + TC_SRV__SIG_QUEUE_MSGS);
    TC_CHECK_STR_EQ(str(g_ptr_array_index(fresh.got, 1), "text"), "m45");
    TC_CHECK_STR_EQ(
        str(g_ptr_array_index(fresh.got, TC_SRV__SIG_QUEUE_MSGS), "text"),
        "m300");
    teardown();
    conn_fini(&fresh);
}

static void
test_grace_over_means_left_by_timeout(void)
{
    struct tc_srv__sig_peer *back = NULL;
    void *replaced = NULL;
    char token[TC_SRV__TOKEN_TEXT_LEN + 1];

    setup();
    join(&host, TC_SRV__SIG_HOST);
    join(&doctor, TC_SRV__SIG_PARTICIPANT);
    g_strlcpy(token, doctor.token, sizeof(token));
    clear_all();
    tc_srv__sig_peer_gone(hub, doctor.peer, TC_SRV__SIG_GONE_DROPPED);
    TC_CHECK_EQ(attendance->len, 1); /* the drop ends attendance */
    tc_srv__sig_peer_expire(hub, doctor.peer);
    TC_CHECK_STR_EQ(str(first(&host.conn, "peer-left"), "reason"), "timeout");
    TC_CHECK_EQ(attendance->len, 1); /* not a second time */
    TC_CHECK_EQ(tc_srv__sig_peer_resume(hub, token, 2, &doctor.conn, NULL,
                                        &back, &replaced),
                -ENOENT);
    teardown();
}

static void
test_last_member_out_closes_the_room(void)
{
    struct tc_srv__sig_error err = {0};

    setup();
    join(&host, TC_SRV__SIG_HOST);
    TC_CHECK(tc_srv__sig_room_find(hub, "consultation:12") != NULL);
    TC_CHECK_EQ(send_text(&host,
                          "{\"type\":\"leave\",\"room\":\"consultation:12\"}",
                          &err),
                TC_SRV__SIG_OK);
    TC_CHECK(tc_srv__sig_room_find(hub, "consultation:12") == NULL);
    join(&host, TC_SRV__SIG_HOST);
    tc_srv__sig_peer_gone(hub, host.peer, TC_SRV__SIG_GONE_LEFT);
    TC_CHECK(tc_srv__sig_room_find(hub, "consultation:12") == NULL);
    TC_CHECK(tc_srv__sig_peer_find(hub, "p0") == NULL);
    teardown();
}

int
main(void)
{
    char *why = NULL;

    if (tc_srv__crypto_init(&why) < 0) {
        printf("# %s\n", why);
        return 1;
    }
    TC_RUN(test_patient_waits_until_a_host_admits);
    TC_RUN(test_relay_reaches_only_its_addressee);
    TC_RUN(test_observer_hears_but_only_leaves);
    TC_RUN(test_remove_tells_the_removed_and_the_rest);
    TC_RUN(test_resume_delivers_missed_messages_in_order);
    TC_RUN(test_missed_queue_is_bounded_oldest_dropped);
    TC_RUN(test_grace_over_means_left_by_timeout);
    TC_RUN(test_last_member_out_closes_the_room);
    return tc_done();
}
