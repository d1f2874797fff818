// SPDX-License-Identifier: Apache-2.0
/*
 * emergency-read.c - reading emergencies (one whole, with its log; the
 * open ones, for a restarted server; the one of a consultation) and the
 * time from raised to specialist joined per department code, computed
 * from the log's timestamps.
 *
 * Thread: the handle's thread. Nothing here writes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

static int
emergency_row(sqlite3_stmt *st, void *item)
{
    static const char *const codes[] = {
        NULL,    "ringing",    "accepted",  "joined",
        "ended", "unanswered", "cancelled",
    };
    struct tc_rec_emergency *e = item;
    bool oom = false;
    int status = 0;

    tc_rec__code_parse(codes, 7, (const char *)sqlite3_column_text(st, 6),
                       &status);
    e->id = sqlite3_column_int64(st, 0);
    e->resident_id = sqlite3_column_int64(st, 1);
    e->requester_id = sqlite3_column_int64(st, 2);
    e->department_id = sqlite3_column_int64(st, 3);
    e->code = tc_rec__col_text(st, 4, &oom);
    e->reason = tc_rec__col_text(st, 5, &oom);
    e->status = (enum tc_rec_emergency_status)status;
    e->tier = sqlite3_column_int(st, 7);
    e->raised_at_us = sqlite3_column_int64(st, 8);
    e->ring_deadline_us = sqlite3_column_int64(st, 9);
    e->accepted_by = sqlite3_column_int64(st, 10);
    e->accepted_at_us = sqlite3_column_int64(st, 11);
    e->joined_at_us = sqlite3_column_int64(st, 12);
    e->ended_at_us = sqlite3_column_int64(st, 13);
    e->consultation_id = sqlite3_column_int64(st, 14);
    e->referral_id = sqlite3_column_int64(st, 15);
    return oom ? -ENOMEM : 0;
}

static int
event_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_emergency_event *v = item;
    const unsigned char *kind = sqlite3_column_text(st, 2);

    v->seq = sqlite3_column_int64(st, 0);
    v->at_us = sqlite3_column_int64(st, 1);
    snprintf(v->kind, sizeof(v->kind), "%s", kind ? (const char *)kind : "");
    v->tier = sqlite3_column_int(st, 3);
    v->practitioner_id = sqlite3_column_int64(st, 4);
    return 0;
}

void
tc_rec_emergency_free(struct tc_rec_emergency *e)
{
    if (e) {
        free(e->code);
        free(e->reason);
        free(e->events);
        free(e);
    }
}

static void
emergency_free(void *item)
{
    tc_rec_emergency_free(item);
}

int
tc_rec_emergency_get(struct tc_rec_db *db, int64_t id,
                     struct tc_rec_emergency **out)
{
    struct tc_rec_emergency *e;
    sqlite3_stmt *st;
    void *item = NULL, *events = NULL;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT e.id, e.resident_id, e.requester_id,"
                          " e.department_id, d.code, e.reason, e.status,"
                          " e.tier, e.raised_at_us, e.ring_deadline_us,"
                          " e.accepted_by, e.accepted_at_us, e.joined_at_us,"
                          " e.ended_at_us, e.consultation_id, e.referral_id"
                          " FROM emergencies e JOIN departments d"
                          " ON d.id = e.department_id WHERE e.id = ?");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__fetch(db, st, sizeof(struct tc_rec_emergency), emergency_row,
                       emergency_free, &item);
    if (rc == -ENOENT) {
        return tc_rec__fail(db, rc, "no emergency %lld", (long long)id);
    }
    if (rc < 0) {
        return rc;
    }
    e = item;
    st = tc_rec__stmt(db, "SELECT seq, at_us, kind, tier, practitioner_id"
                          " FROM emergency_events WHERE emergency_id = ?"
                          " ORDER BY seq");
    if (!st) {
        tc_rec_emergency_free(e);
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = tc_rec__collect(db, st, sizeof(*e->events), event_row, &events,
                         &e->n_events);
    e->events = events;
    if (rc < 0) {
        tc_rec_emergency_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

int
tc_rec_emergency_open_ids(struct tc_rec_db *db, int64_t **ids_out,
                          size_t *n_out)
{
    sqlite3_stmt *st;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT id FROM emergencies WHERE status IN"
                          " ('ringing', 'accepted', 'joined') ORDER BY id");
    if (!st) {
        return -EIO;
    }
    return tc_rec__ids_collect(db, st, ids_out, n_out);
}

int
tc_rec_emergency_by_consultation(struct tc_rec_db *db, int64_t consultation_id,
                                 int64_t *out)
{
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    st = tc_rec__stmt(db, "SELECT id FROM emergencies WHERE"
                          " consultation_id = ? AND status IN"
                          " ('ringing', 'accepted', 'joined')"
                          " ORDER BY id DESC LIMIT 1");
    if (!st) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, consultation_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        return -ENOENT;
    }
    return rc == SQLITE_ROW ? 0 : tc_rec__fail_sql(db, rc, "emergency");
}

/* ---- statistics ---- */

void
tc_rec_emergency_stats_free(struct tc_rec_emergency_stats *s)
{
    if (!s) {
        return;
    }
    for (size_t i = 0; i < s->count; i++) {
        free(s->items[i].code);
    }
    free(s->items);
    free(s);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Close the tally of one code: the figures from its join times. */
static void
tally_finish(struct tc_rec_emergency_tally *t, double *secs, size_t n)
{
    double sum = 0;

    if (n == 0) {
        return;
    }
    qsort(secs, n, sizeof(*secs), cmp_double);
    for (size_t i = 0; i < n; i++) {
        sum += secs[i];
    }
    t->join_s_avg = sum / (double)n;
    t->join_s_median =
        n % 2 ? secs[n / 2] : (secs[n / 2 - 1] + secs[n / 2]) / 2;
    t->join_s_max = secs[n - 1];
}

static int
stats_collect(struct tc_rec_db *db, sqlite3_stmt *st,
              struct tc_rec_emergency_stats *s)
{
    double *secs = NULL;
    size_t n = 0, cap = 0;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        struct tc_rec_emergency_tally *t =
            s->count ? &s->items[s->count - 1] : NULL;
        if (!t || strcmp(t->code, code) != 0) {
            void *grown;
            if (t) {
                tally_finish(t, secs, n);
            }
            n = 0;
            grown = realloc(s->items, (s->count + 1) * sizeof(*s->items));
            if (!grown) {
                rc = SQLITE_NOMEM;
                break;
            }
            s->items = grown;
            t = &s->items[s->count++];
            memset(t, 0, sizeof(*t));
            t->code = tc_rec__strdup(code);
        }
        t->raised++;
        t->unanswered += strcmp((const char *)sqlite3_column_text(st, 1),
                                "unanswered") == 0;
        if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
            if (n == cap) {
                void *grown =
                    realloc(secs, (cap = cap ? 2 * cap : 16) * sizeof(*secs));
                if (!grown) {
                    rc = SQLITE_NOMEM;
                    break;
                }
                secs = grown;
            }
            t->joined++;
            secs[n++] = (double)(sqlite3_column_int64(st, 3) -
                                 sqlite3_column_int64(st, 2)) /
                        1e6;
        }
    }
    if (rc == SQLITE_DONE && s->count) {
        tally_finish(&s->items[s->count - 1], secs, n);
    }
    sqlite3_reset(st);
    free(secs);
    return rc == SQLITE_DONE ? 0 : tc_rec__fail_sql(db, rc, "statistics");
}

int
tc_rec_emergency_stats_get(struct tc_rec_db *db, const char *from,
                           const char *to, struct tc_rec_emergency_stats **out)
{
    struct tc_rec_emergency_stats *s;
    int64_t from_us, to_us;
    sqlite3_stmt *st;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__range_us(db, from, to, &from_us, &to_us);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, "SELECT d.code, e.status, e.raised_at_us,"
                          " (SELECT min(v.at_us) FROM emergency_events v"
                          "  WHERE v.emergency_id = e.id AND v.kind ="
                          "  'joined')"
                          " FROM emergencies e JOIN departments d"
                          " ON d.id = e.department_id"
                          " WHERE e.raised_at_us >= ? AND e.raised_at_us < ?"
                          " ORDER BY d.code");
    s = calloc(1, sizeof(*s));
    if (!st || !s) {
        free(s);
        return st ? tc_rec__fail(db, -ENOMEM, "out of memory") : -EIO;
    }
    sqlite3_bind_int64(st, 1, from_us);
    sqlite3_bind_int64(st, 2, to_us);
    rc = stats_collect(db, st, s);
    if (rc < 0) {
        tc_rec_emergency_stats_free(s);
        return rc;
    }
    *out = s;
    return 0;
}
