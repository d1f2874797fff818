// SPDX-License-Identifier: Apache-2.0
/*
 * rehab-alerts.c - when rehab alerts are evaluated, and who hears of
 * them.
 *
 * Evaluation (records decides what is due, and raises each alert once)
 * runs on two occasions:
 * - a timer every [rehab] alert_interval_s (and once at start): scheduled
 *   sessions of active plans more than [rehab] miss_grace_s past their
 *   time are marked missed and their plans evaluated, and so are the
 *   plans quiet for 14 days (one indexed query finds them), so "no
 *   session for 14 days" fires on the day it is due even when nothing is
 *   written; a sweep never visits every plan;
 * - right after a write to a plan's sessions (finish, miss, ...), so an
 *   alert on pain or a third miss reaches the team at once.
 * Each alert a call raises is pushed over signaling as
 * {"type":"rehab-alert","alert":{...}} to every connection of each
 * recipient account (the plan's therapists and the contract team's
 * members) that is online; the others see it in GET /rehab-alerts.
 * A sweep's writes are audited once as a system action.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "rehab"

#include <stdlib.h>

#include <glib.h>
#include <jansson.h>

#include "rehab-int.h"
#include "tc-records.h"

json_t *
tc_srv__rehab_alert_json(const struct tc_rec_rehab_alert *a)
{
    return json_pack("{s:I,s:I,s:I,s:s,s:o,s:i,s:o,s:o,s:o}", "id",
                     (json_int_t)a->id, "plan_id", (json_int_t)a->plan_id,
                     "resident_id", (json_int_t)a->resident_id, "kind",
                     tc_rec_rehab_alert_kind_to_string(a->kind), "session_id",
                     tc_srv__id_json(a->session_id), "value", a->value,
                     "raised_at", tc_srv__instant_json(a->raised_at_us),
                     "acknowledged_by", tc_srv__id_json(a->acknowledged_by),
                     "acknowledged_at",
                     tc_srv__instant_json(a->acknowledged_at_us));
}

static void
push(struct tc_srv *srv, const struct tc_rec_rehab_alert *a)
{
    int64_t *users = NULL;
    size_t n = 0;
    int reached = 0;
    json_t *doc;

    if (tc_rec_rehab_alert_recipients(srv->db, a->plan_id, &users, &n) < 0) {
        g_warning("alert %" G_GINT64_FORMAT ": recipients unknown: %s", a->id,
                  tc_rec_errmsg(srv->db));
        return;
    }
    doc = json_pack("{s:s,s:o}", "type", "rehab-alert", "alert",
                    tc_srv__rehab_alert_json(a));
    for (size_t i = 0; i < n; i++) {
        reached += tc_srv__sig_notify_user(srv, users[i], doc);
    }
    json_decref(doc);
    free(users);
    g_message("alert %" G_GINT64_FORMAT " (%s) on plan %" G_GINT64_FORMAT
              ": %zu recipients, %d online",
              a->id, tc_rec_rehab_alert_kind_to_string(a->kind), a->plan_id, n,
              reached);
    tc_srv__metrics_count(srv->metrics, "telecare_rehab_alerts_total",
                          "Rehab alerts raised, by kind.", "kind",
                          tc_rec_rehab_alert_kind_to_string(a->kind));
}

static int
evaluate(struct tc_srv *srv, int64_t plan_id, int64_t now_us)
{
    struct tc_rec_rehab_alert_list *raised = NULL;
    int rc = tc_rec_rehab_alerts_evaluate(srv->db, plan_id, now_us, &raised);

    if (rc < 0) {
        g_warning("alerts of plan %" G_GINT64_FORMAT ": %s", plan_id,
                  tc_rec_errmsg(srv->db));
        return 0;
    }
    for (size_t i = 0; i < raised->count; i++) {
        push(srv, &raised->items[i]);
    }
    rc = (int)raised->count;
    tc_rec_rehab_alert_list_free(raised);
    return rc;
}

void
tc_srv__rehab_alerts_after_write(struct tc_srv *srv, int64_t plan_id)
{
    evaluate(srv, plan_id, g_get_real_time());
}

/* Evaluate each plan of ids[0..n) once (the lists are sorted). */
static int
evaluate_each(struct tc_srv *srv, const int64_t *ids, size_t n, int64_t now)
{
    int raised = 0;

    for (size_t i = 0; i < n; i++) {
        if (i == 0 || ids[i] != ids[i - 1]) {
            raised += evaluate(srv, ids[i], now);
        }
    }
    return raised;
}

void
tc_srv__rehab_alerts_sweep(struct tc_srv *srv)
{
    int64_t now = g_get_real_time(), *touched = NULL, *quiet = NULL;
    size_t n_touched = 0, n_quiet = 0;
    int raised = 0;
    struct tc_srv__call system = {.req = {.client_addr = "-"}};

    /* Session writes evaluate their plan at once; the sweep evaluates
     * what time alone makes due: plans whose overdue sessions it marks
     * missed, and plans quiet for 14 days. */
    if (tc_rec_rehab_sessions_miss_overdue(
            srv->db, now,
            (int64_t)srv->cfg->rehab_miss_grace_s * G_USEC_PER_SEC, &touched,
            &n_touched) < 0) {
        g_warning("overdue sessions: %s", tc_rec_errmsg(srv->db));
    }
    if (n_touched > 0) {
        tc_srv__audit(srv, &system, TC_REC_AUDIT_UPDATE, "rehab_session", 0, 0,
                      TC_REC_AUDIT_SUCCESS, "overdue sessions missed", NULL);
    }
    raised += evaluate_each(srv, touched, n_touched, now);
    if (tc_rec_rehab_plans_quiet(srv->db, now, &quiet, &n_quiet) < 0) {
        g_warning("quiet plans: %s", tc_rec_errmsg(srv->db));
    }
    raised += evaluate_each(srv, quiet, n_quiet, now);
    free(touched);
    free(quiet);
    if (raised > 0) {
        tc_srv__audit(srv, &system, TC_REC_AUDIT_CREATE, "rehab_alert", 0, 0,
                      TC_REC_AUDIT_SUCCESS, "alert sweep", NULL);
    }
    g_debug("rehab sweep: %zu plans touched, %zu quiet, %d alerts", n_touched,
            n_quiet, raised);
}

static gboolean
on_timer(gpointer data)
{
    struct tc_srv *srv = data;

    if (!srv->stopping) {
        tc_srv__rehab_alerts_sweep(srv);
    }
    return G_SOURCE_CONTINUE;
}

static gboolean
on_first(gpointer data)
{
    struct tc_srv *srv = data;

    srv->rehab->first_sweep = 0;
    on_timer(data);
    return G_SOURCE_REMOVE;
}

void
tc_srv__rehab_start(struct tc_srv *srv)
{
    int reopened = 0;

    srv->rehab = g_new0(struct tc_srv__rehab, 1);
    tc_srv__rehab_ticket_key_init(srv->rehab);
    if (tc_rec_rehab_uploads_reopen_verifying(srv->db, &reopened) < 0) {
        g_warning("rehab uploads: %s", tc_rec_errmsg(srv->db));
    } else if (reopened > 0) {
        g_message("%d rehab uploads were being checked at the last stop: "
                  "reopened for their finishing request",
                  reopened);
    }
    srv->rehab->alert_timer = g_timeout_add_seconds(
        (guint)srv->cfg->rehab_alert_interval_s, on_timer, srv);
    srv->rehab->first_sweep = g_idle_add(on_first, srv);
}

void
tc_srv__rehab_stop(struct tc_srv *srv)
{
    if (!srv->rehab) {
        return;
    }
    if (srv->rehab->alert_timer) {
        g_source_remove(srv->rehab->alert_timer);
    }
    if (srv->rehab->first_sweep) {
        g_source_remove(srv->rehab->first_sweep);
    }
    g_clear_pointer(&srv->rehab, g_free);
}
