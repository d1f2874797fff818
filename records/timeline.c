// SPDX-License-Identifier: Apache-2.0
/*
 * timeline.c - one resident's whole record as events, newest first, paged
 * by a cursor (the events and their times are listed in tc-records.h).
 *
 * One statement: a UNION ALL of one arm per kind of event, each reading
 * the resident's rows on an index that starts with resident_id (or with
 * the id of a contract, plan or study reached from one), then one sort of
 * the resident's events. A resident has hundreds of events at most (a
 * year of rehab is about a hundred sessions), so the sort is small; the
 * cursor (at_us, kind, entity_id) is a total order, so paging never skips
 * or repeats an event even when several share an instant.
 *
 * Summaries are built from codes, dates and numbers only: no column of
 * free text (reasons, notes, opinions, findings, impressions, titles)
 * appears in the statement.
 *
 * Thread: the handle's thread. Nothing here writes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records-int.h"

static const char *const kind_codes[] = {
    [TC_REC_TIMELINE_CONTRACT_OFFERED] = "contract_offered",
    [TC_REC_TIMELINE_CONTRACT_SIGNED] = "contract_signed",
    [TC_REC_TIMELINE_CONTRACT_ENDED] = "contract_ended",
    [TC_REC_TIMELINE_FOLLOWUP] = "followup",
    [TC_REC_TIMELINE_REHAB_PLAN] = "rehab_plan",
    [TC_REC_TIMELINE_REHAB_SESSION] = "rehab_session",
    [TC_REC_TIMELINE_BARTHEL] = "barthel",
    [TC_REC_TIMELINE_CONSULTATION] = "consultation",
    [TC_REC_TIMELINE_ECG_STUDY] = "ecg_study",
    [TC_REC_TIMELINE_ECG_REPORT] = "ecg_report",
    [TC_REC_TIMELINE_IMAGING_STUDY] = "imaging_study",
    [TC_REC_TIMELINE_IMAGING_REPORT] = "imaging_report",
    [TC_REC_TIMELINE_REFERRAL] = "referral",
    [TC_REC_TIMELINE_REFERRAL_ANSWER] = "referral_answer",
    [TC_REC_TIMELINE_EMERGENCY] = "emergency",
};
#define N_KINDS (int)(sizeof(kind_codes) / sizeof(kind_codes[0]))

const char *
tc_rec_timeline_kind_to_string(enum tc_rec_timeline_kind kind)
{
    return tc_rec__code_name(kind_codes, N_KINDS, (int)kind);
}

int
tc_rec_timeline_kind_from_string(const char *s, enum tc_rec_timeline_kind *out)
{
    int i;
    int rc = tc_rec__code_parse(kind_codes, N_KINDS, s, &i);

    if (rc == 0) {
        *out = (enum tc_rec_timeline_kind)i;
    }
    return rc;
}

/* Columns of every arm: at_us, kind, id, status, date, summary. The kind
 * numbers are enum tc_rec_timeline_kind; unixepoch(day) * 1000000 is
 * 00:00 UTC of a day. */
static const char sql_timeline[] =
    "SELECT at_us, kind, id, status, date, summary FROM ("
    /* contract offered */
    "SELECT c.offered_at_us AS at_us, 1 AS kind, c.id AS id,"
    " c.status AS status, NULL AS date,"
    " printf('team %d, %s..%s, %s', c.team_id, c.period_start,"
    " c.period_end, (SELECT group_concat(package, '+')"
    " FROM contract_packages WHERE contract_id = c.id)) AS summary"
    " FROM contracts c WHERE c.resident_id = ?1"
    /* contract signed */
    " UNION ALL SELECT c.signed_at_us, 2, c.id, c.status, NULL,"
    " printf('%s, %s..%s', c.sign_method, c.period_start, c.period_end)"
    " FROM contracts c WHERE c.resident_id = ?1"
    " AND c.signed_at_us IS NOT NULL"
    /* contract ended: an expiry has no instant, only the day */
    " UNION ALL SELECT coalesce(c.ended_at_us,"
    " unixepoch(date(c.period_end, '+1 day')) * 1000000), 3, c.id,"
    " c.status, CASE WHEN c.ended_at_us IS NULL"
    " THEN date(c.period_end, '+1 day') END,"
    " printf('%s, %s..%s', c.status, c.period_start, c.period_end)"
    " FROM contracts c WHERE c.resident_id = ?1"
    " AND c.status IN ('renewed', 'terminated', 'expired', 'withdrawn')"
    /* follow-ups: when recorded, else on the due date */
    " UNION ALL SELECT coalesce(f.done_at_us,"
    " unixepoch(f.due_date) * 1000000), 4, f.id, f.status,"
    " CASE WHEN f.done_at_us IS NULL THEN f.due_date END,"
    " printf('%s (%s) due %s', f.kind, f.package, f.due_date)"
    " FROM contracts c JOIN followups f ON f.contract_id = c.id"
    " WHERE c.resident_id = ?1 AND f.status <> 'cancelled'"
    /* rehab plans and sessions */
    " UNION ALL SELECT p.created_at_us, 5, p.id, p.status, NULL,"
    " printf('%s..%s', p.period_start, p.period_end)"
    " FROM rehab_plans p WHERE p.resident_id = ?1"
    " UNION ALL SELECT s.scheduled_at_us, 6, s.id, s.status, NULL,"
    " s.mode || CASE WHEN s.completion_pct IS NULL THEN ''"
    " ELSE printf(', %d%% completed', s.completion_pct) END"
    " FROM rehab_plans p JOIN rehab_sessions s ON s.plan_id = p.id"
    " WHERE p.resident_id = ?1"
    /* Barthel assessments */
    " UNION ALL SELECT b.assessed_at_us, 7, b.id, b.band, NULL,"
    " printf('Barthel %d', b.total)"
    " FROM barthel_assessments b WHERE b.resident_id = ?1"
    /* consultations */
    " UNION ALL SELECT k.requested_at_us, 8, k.id, k.status, NULL,"
    " k.priority FROM consultations k WHERE k.resident_id = ?1"
    /* ECG studies and report versions */
    " UNION ALL SELECT e.started_at_us, 9, e.id, e.status, NULL,"
    " printf('%d leads, %d Hz',"
    " length(e.leads) - length(replace(e.leads, ',', '')) + 1,"
    " e.sample_rate_hz)"
    " FROM ecg_studies e WHERE e.resident_id = ?1"
    " UNION ALL SELECT r.signed_at_us, 10, e.id,"
    " CASE r.version WHEN 1 THEN 'signed' ELSE 'amended' END, NULL,"
    " printf('report v%d', r.version) || CASE WHEN r.heart_rate_bpm IS NULL"
    " THEN '' ELSE printf(', %d bpm', r.heart_rate_bpm) END"
    " FROM ecg_studies e JOIN ecg_reports r ON r.study_id = e.id"
    " WHERE e.resident_id = ?1"
    /* imaging studies and report versions */
    " UNION ALL SELECT i.received_at_us, 11, i.id, i.status, NULL,"
    " i.modality FROM imaging_studies i WHERE i.resident_id = ?1"
    " UNION ALL SELECT r.signed_at_us, 12, i.id,"
    " CASE r.version WHEN 1 THEN 'signed' ELSE 'amended' END, NULL,"
    " printf('report v%d', r.version)"
    " FROM imaging_studies i JOIN imaging_reports r ON r.study_id = i.id"
    " WHERE i.resident_id = ?1"
    /* referrals, their answers, emergencies (referral-*.c,
     * emergency*.c) */
    " UNION ALL SELECT f.requested_at_us, 13, f.id, f.status, NULL,"
    " printf('%s %s, %s', f.direction, d.code, f.urgency)"
    " FROM referrals f JOIN departments d ON d.id = f.department_id"
    " WHERE f.resident_id = ?1"
    " UNION ALL SELECT f.answered_at_us, 14, f.id, f.status, NULL,"
    " printf('%s %s', f.direction, d.code)"
    " FROM referrals f JOIN departments d ON d.id = f.department_id"
    " WHERE f.resident_id = ?1 AND f.answered_at_us IS NOT NULL"
    " UNION ALL SELECT m.raised_at_us, 15, m.id, m.status, NULL,"
    " printf('%s, tier %d', d.code, m.tier) || CASE WHEN m.joined_at_us"
    " IS NULL THEN '' ELSE printf(', joined after %d s',"
    " (m.joined_at_us - m.raised_at_us) / 1000000) END"
    " FROM emergencies m JOIN departments d ON d.id = m.department_id"
    " WHERE m.resident_id = ?1"
    ") WHERE (at_us, kind, id) < (?2, ?3, ?4)"
    " ORDER BY at_us DESC, kind DESC, id DESC LIMIT ?5";

static void
entry_fini(struct tc_rec_timeline_entry *e)
{
    free(e->summary);
}

void
tc_rec_timeline_page_free(struct tc_rec_timeline_page *page)
{
    if (!page) {
        return;
    }
    for (size_t i = 0; i < page->count; i++) {
        entry_fini(&page->items[i]);
    }
    free(page->items);
    free(page);
}

static int
entry_row(sqlite3_stmt *st, void *item)
{
    struct tc_rec_timeline_entry *e = item;
    const unsigned char *status = sqlite3_column_text(st, 3);
    const unsigned char *date = sqlite3_column_text(st, 4);
    bool oom = false;

    e->at_us = sqlite3_column_int64(st, 0);
    e->kind = (enum tc_rec_timeline_kind)sqlite3_column_int(st, 1);
    e->entity_id = sqlite3_column_int64(st, 2);
    snprintf(e->status, sizeof(e->status), "%s",
             status ? (const char *)status : "");
    snprintf(e->date, sizeof(e->date), "%s", date ? (const char *)date : "");
    e->summary = tc_rec__col_text(st, 5, &oom);
    return oom ? -ENOMEM : 0;
}

static int
check_args(struct tc_rec_db *db, int64_t resident_id, int limit)
{
    bool found = false;
    int rc;

    if (limit < 1 || limit > TC_REC_TIMELINE_PAGE_MAX) {
        return tc_rec__fail(db, -EINVAL, "limit: must be 1 to %d",
                            TC_REC_TIMELINE_PAGE_MAX);
    }
    rc = tc_rec__exists(db, "SELECT 1 FROM residents WHERE id = ?",
                        resident_id, &found);
    if (rc == 0 && !found) {
        rc = tc_rec__fail(db, -ENOENT, "resident_id: no resident %lld",
                          (long long)resident_id);
    }
    return rc;
}

/* One row more than asked for says whether older events follow; it is
 * dropped, and the last row kept is the next cursor. */
static void
page_finish(struct tc_rec_timeline_page *page, int limit)
{
    if (page->count > (size_t)limit) {
        entry_fini(&page->items[limit]);
        page->count = (size_t)limit;
        page->more = true;
    }
    if (page->count > 0) {
        const struct tc_rec_timeline_entry *last =
            &page->items[page->count - 1];
        page->next.at_us = last->at_us;
        page->next.kind = last->kind;
        page->next.entity_id = last->entity_id;
    }
}

int
tc_rec_timeline_list(struct tc_rec_db *db, int64_t resident_id,
                     const struct tc_rec_timeline_cursor *before, int limit,
                     struct tc_rec_timeline_page **out)
{
    struct tc_rec_timeline_page *page;
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    tc_rec__ok(db);
    rc = check_args(db, resident_id, limit);
    if (rc < 0) {
        return rc;
    }
    st = tc_rec__stmt(db, sql_timeline);
    page = calloc(1, sizeof(*page));
    if (!st || !page) {
        free(page);
        return st ? tc_rec__fail(db, -ENOMEM, "out of memory") : -EIO;
    }
    sqlite3_bind_int64(st, 1, resident_id);
    sqlite3_bind_int64(st, 2, before ? before->at_us : INT64_MAX);
    sqlite3_bind_int(st, 3, before ? (int)before->kind : 0);
    sqlite3_bind_int64(st, 4, before ? before->entity_id : 0);
    sqlite3_bind_int(st, 5, limit + 1);
    rc = tc_rec__collect(db, st, sizeof(*page->items), entry_row, &items,
                         &page->count);
    page->items = items;
    if (rc < 0) {
        tc_rec_timeline_page_free(page);
        return rc;
    }
    page_finish(page, limit);
    *out = page;
    return 0;
}
