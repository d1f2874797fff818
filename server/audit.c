// SPDX-License-Identifier: Apache-2.0
/*
 * audit.c - the audit trail's group commit.
 *
 * Every read of patient data writes an audit event. With the database in
 * synchronous = FULL, one commit per event would cost one disk flush per
 * request and cap the API at a few hundred reads a second. So events are
 * queued in memory and committed together, in one transaction, by a
 * timer that fires at most FLUSH_MS after the first queued event:
 *
 *   handler --tc_srv__audit--> queue (+ call->audit_pending)
 *      |
 *   http.c: tc_srv__audit_hold() parks the answer of a call with pending
 *      events (deferred)
 *      |
 *   timer: BEGIN; append every queued event; COMMIT --> resume the parked
 *      answers
 *
 * Invariant: no answer leaves the server before the audit events of its
 * request are durable, so a client can never hold data whose access is
 * not on the trail. A commit that fails is logged as critical and the
 * answers are released anyway: the access happened, and refusing it now
 * would not undo it.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "audit"

#include <glib.h>

#include "server-int.h"
#include "tc-records.h"

#define FLUSH_MS 1

static const char *
first_role(const struct tc_srv__who *who)
{
    for (int r = 0; r < TC_SRV__N_ROLES; r++) {
        if ((who->roles >> r) & 1u) {
            return tc_srv__role_name((enum tc_srv__role)r);
        }
    }
    return "none";
}

static void
event_clear(gpointer data)
{
    struct tc_rec_audit_event *ev = data;

    g_free(ev->actor);
    g_free(ev->actor_role);
    g_free(ev->entity_type);
    g_free(ev->client_addr);
    g_free(ev->purpose);
    g_free(ev->detail);
}

static gboolean
flush_cb(gpointer data)
{
    struct tc_srv *srv = data;

    srv->audit_flush = 0;
    tc_srv__audit_flush(srv);
    return G_SOURCE_REMOVE;
}

void
tc_srv__audit(struct tc_srv *srv, struct tc_srv__call *call,
              enum tc_rec_audit_action action, const char *entity_type,
              int64_t entity_id, int64_t resident_id,
              enum tc_rec_audit_outcome outcome, const char *purpose,
              const char *detail)
{
    const struct tc_srv__who *who = call->req.who;
    struct tc_rec_audit_event ev = {
        .at_us = g_get_real_time(),
        .actor = g_strdup(who ? who->username : "anonymous"),
        .actor_role = who ? g_strdup(first_role(who)) : NULL,
        .action = action,
        .entity_type = g_strdup(entity_type),
        .entity_id = entity_id,
        .resident_id = resident_id,
        .client_addr = g_strdup(call->req.client_addr),
        .purpose = g_strdup(purpose),
        .outcome = outcome,
        .detail = g_strdup(detail),
    };

    if (!srv->audit_queue) {
        srv->audit_queue =
            g_array_new(FALSE, FALSE, sizeof(struct tc_rec_audit_event));
        g_array_set_clear_func(srv->audit_queue, event_clear);
        srv->audit_waiters = g_ptr_array_new();
    }
    g_array_append_val(srv->audit_queue, ev);
    call->audit_pending = true;
    if (!srv->audit_flush) {
        srv->audit_flush = g_timeout_add(FLUSH_MS, flush_cb, srv);
    }
}

bool
tc_srv__audit_hold(struct tc_srv *srv, struct tc_srv__call *call)
{
    if (!call->audit_pending || !srv->audit_queue ||
        srv->audit_queue->len == 0) {
        call->audit_pending = false;
        return false;
    }
    g_ptr_array_add(srv->audit_waiters, tc_srv__call_defer(call));
    return true;
}

static void
commit_queue(struct tc_srv *srv)
{
    GArray *q = srv->audit_queue;
    int rc = tc_rec_tx_begin(srv->db);

    for (guint i = 0; rc == 0 && i < q->len; i++) {
        rc = tc_rec_audit_append(
            srv->db, &g_array_index(q, struct tc_rec_audit_event, i), NULL);
    }
    if (rc == 0) {
        rc = tc_rec_tx_commit(srv->db);
    }
    if (rc < 0) {
        g_critical("audit: cannot commit %u event(s): %s", q->len,
                   tc_rec_errmsg(srv->db));
        tc_rec_tx_rollback(srv->db);
    }
    g_array_set_size(q, 0);
}

void
tc_srv__audit_flush(struct tc_srv *srv)
{
    g_autoptr(GPtrArray) waiters = NULL;

    if (!srv->audit_queue) {
        return;
    }
    if (srv->audit_flush) {
        g_source_remove(srv->audit_flush);
        srv->audit_flush = 0;
    }
    if (srv->audit_queue->len > 0) {
        commit_queue(srv);
    }
    /* Resuming may queue nothing new, but take the list first anyway. */
    waiters = g_steal_pointer(&srv->audit_waiters);
    srv->audit_waiters = g_ptr_array_new();
    for (guint i = 0; i < waiters->len; i++) {
        struct tc_srv__call *call = g_ptr_array_index(waiters, i);
        call->audit_pending = false;
        tc_srv__call_resume(call);
    }
}

void
tc_srv__audit_fini(struct tc_srv *srv)
{
    if (srv->audit_flush) {
        g_source_remove(srv->audit_flush);
        srv->audit_flush = 0;
    }
    if (srv->audit_queue) {
        g_array_unref(srv->audit_queue);
        g_ptr_array_unref(srv->audit_waiters);
        srv->audit_queue = NULL;
        srv->audit_waiters = NULL;
    }
}
