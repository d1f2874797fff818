// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-sig-proto.c - the signaling message parser (server/sig-proto.c) on
 * arbitrary bytes: it must accept or refuse with a code and a message,
 * never crash; an accepted message has the members its type requires, and
 * its error frame and a re-serialisation of it always build, and its
 * relayed copy spliced from the text is the tree's object. The four ECG
 * types pass the envelope with only `type` and `id` checked; their members
 * are read by sig-ecg.c when the message is handled, so here an accepted
 * ECG message goes on through that parser (fuzz-ecg-announce holds the
 * announcement to its documented ranges).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecg-int.h"
#include "sig-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The members of an accepted ECG message, as sig-ecg.c reads them. */
static void
check_ecg(struct tc_srv__sig_msg *m)
{
    struct tc_srv__sig_error err = {0};
    enum tc_srv__sig_err rc;

    if (m->type == TC_SRV__SIG_ECG_ANNOUNCE) {
        struct tc_srv__ecg_announce a;
        rc = tc_srv__ecg_announce_parse(m->doc, &a, &err);
        if (rc == TC_SRV__SIG_OK && (a.patient < 1 || !a.device[0])) {
            abort();
        }
    } else {
        int64_t study = 0;
        rc = tc_srv__ecg_stream_parse(m->doc, &study, &err);
        if (rc == TC_SRV__SIG_OK && study < 1) {
            abort();
        }
    }
    if (rc != TC_SRV__SIG_OK && (err.code != rc || !err.message[0])) {
        abort();
    }
}

/* The relayed copy spliced from the accepted text is the object the tree
 * gives with "id" and "to" removed and "from" set. It is refused only for
 * a text with a backslash (a key written with an escape) or a NUL byte
 * (which jansson takes between tokens) in it. */
static void
check_relayed(const struct tc_srv__sig_msg *m)
{
    struct tc_srv__sig_frame *f =
        tc_srv__sig_frame_relayed(m->raw, m->raw_len, "p0123456789abcdef");
    json_t *want, *got;

    if (!f) {
        if (!memchr(m->raw, '\\', m->raw_len) &&
            !memchr(m->raw, '\0', m->raw_len)) {
            abort();
        }
        return;
    }
    want = json_deep_copy(m->doc);
    json_object_del(want, "id");
    json_object_del(want, "to");
    json_object_set_new(want, "from", json_string("p0123456789abcdef"));
    got = json_loadb(tc_srv__sig_frame_text(f), f->len, JSON_REJECT_DUPLICATES,
                     NULL);
    if (!got || !json_equal(got, want) ||
        strlen(tc_srv__sig_frame_text(f)) != f->len) {
        abort();
    }
    json_decref(got);
    json_decref(want);
    tc_srv__sig_frame_unref(f);
}

static void
check_accepted(struct tc_srv__sig_msg *m)
{
    struct tc_srv__sig_frame *f;

    if (!m->doc || !tc_srv__sig_type_name(m->type)) {
        abort();
    }
    switch (m->type) {
    case TC_SRV__SIG_HELLO:
        if (!m->token || !m->token[0]) {
            abort();
        }
        break;
    case TC_SRV__SIG_PING:
        break;
    case TC_SRV__SIG_ECG_ANNOUNCE:
    case TC_SRV__SIG_ECG_STOP:
    case TC_SRV__SIG_ECG_SUBSCRIBE:
    case TC_SRV__SIG_ECG_UNSUBSCRIBE:
        check_ecg(m);
        break;
    default:
        if (!m->room || m->record_id <= 0 ||
            strlen(m->room) >= TC_SRV__SIG_ROOM_NAME_MAX) {
            abort();
        }
        break;
    }
    if ((m->type == TC_SRV__SIG_CHAT &&
         (!m->text || strlen(m->text) > TC_SRV__SIG_MAX_CHAT)) ||
        ((m->type == TC_SRV__SIG_ADMIT || m->type == TC_SRV__SIG_REMOVE) &&
         !m->peer)) {
        abort();
    }
    f = tc_srv__sig_frame_new(m->doc);
    if (!f || strlen(tc_srv__sig_frame_text(f)) != f->len) {
        abort();
    }
    tc_srv__sig_frame_unref(f);
    check_relayed(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tc_srv__sig_msg m = {0};
    struct tc_srv__sig_error err = {0};
    struct tc_srv__sig_frame *f;
    enum tc_srv__sig_err rc =
        tc_srv__sig_parse((const char *)data, size, &m, &err);

    if (rc == TC_SRV__SIG_OK) {
        check_accepted(&m);
        tc_srv__sig_msg_fini(&m);
        return 0;
    }
    /* A refusal names its code and says why; its answer builds. */
    if (!tc_srv__sig_err_name(rc) || err.code != rc || !err.message[0] ||
        m.doc) {
        abort();
    }
    f = tc_srv__sig_error_frame(&err);
    if (!f) {
        abort();
    }
    tc_srv__sig_frame_unref(f);
    return 0;
}
