/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rehab-int.h - shared by the home-rehabilitation files of server/:
 *
 *   api-rehab-library.c  the exercise library and its demo videos
 *   api-rehab-upload.c   resumable uploads, recordings, the review queue
 *   api-rehab-live.c     schedules, attendance, sets done, outcomes,
 *                        alerts
 *   rehab-files.c        where videos live on disk; serving them with
 *                        Range; the verification job (media's probe)
 *   rehab-alerts.c       the alert timer and evaluation after writes
 *   sig-rehab.c          signaling: rehab-session attendance, pushes to
 *                        a room or to every connection of an account
 *
 * Thread: main (a verification job's work runs on a worker thread and
 * touches only its own struct).
 */
#ifndef TC_REHAB_INT_H
#define TC_REHAB_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "server-int.h"

struct tc_srv__sig_room;
struct tc_srv__sig_peer;

#define TC_SRV__REHAB_TICKET_KEY_LEN 32
#define TC_SRV__REHAB_TICKET_MAC_LEN 32
#define TC_SRV__REHAB_TICKET_TTL_S   600

/* The state of the rehab part of a running server (srv->rehab). */
struct tc_srv__rehab {
    unsigned char ticket_key[TC_SRV__REHAB_TICKET_KEY_LEN];
    guint alert_timer;
    guint first_sweep; /* the sweep right after start, 0 once run */
    int jobs;          /* verification jobs whose done() has not run */
};

/* == rehab-ticket.c: tickets for <video src> == */

struct tc_srv__rehab_ticket {
    int64_t session_id;
    int64_t user_id;
    int64_t expires_s; /* Unix time */
    unsigned char mac[TC_SRV__REHAB_TICKET_MAC_LEN];
};

/* "<session>.<user>.<expiry>.<64 lower-case hex>" into *out; -EINVAL
 * when malformed (*out untouched). Pure. */
int tc_srv__rehab_ticket_parse(const char *text,
                               struct tc_srv__rehab_ticket *out);

/* A new ticket's text (g_free). */
char *tc_srv__rehab_ticket_issue(struct tc_srv *srv, int64_t session_id,
                                 int64_t user_id, int64_t expires_s);

/* Parse and verify a ticket: -EINVAL malformed, -EACCES forged,
 * -ETIMEDOUT expired; 0 with *out filled. */
int tc_srv__rehab_ticket_check(struct tc_srv *srv, const char *text,
                               int64_t now_s,
                               struct tc_srv__rehab_ticket *out);

/* A fresh random key (at start). */
void tc_srv__rehab_ticket_key_init(struct tc_srv__rehab *rehab);

/* == rehab-files.c == */

/* data_dir/rehab/uploads/<id>.part (being received) and
 * data_dir/rehab/videos/<id>.video (verified); g_free. */
char *tc_srv__rehab_part_path(struct tc_srv *srv, int64_t upload_id);
char *tc_srv__rehab_video_path(struct tc_srv *srv, int64_t upload_id);

/* Create data_dir/rehab/uploads and videos (mode 0750) if missing. */
int tc_srv__rehab_dirs(struct tc_srv *srv);

/* Answer a GET of the verified video of `upload` (mime and size from
 * the records): 200 whole, or 206 for a Range (416 unsatisfiable), with
 * Accept-Ranges and Content-Range; the body streams from the file. */
void tc_srv__rehab_video_send(struct tc_srv *srv, struct tc_srv__call *call,
                              const struct tc_rec_rehab_upload *upload);

/* Check a completely received upload off the main loop: its SHA-256
 * against the declared one, then that it is a video container with a
 * video stream (media's probe); move it into videos/ and accept it, or
 * reject it (the part file removed). The deferred `call` is answered when
 * done: 200 with the upload, or 422 naming the rule. */
void tc_srv__rehab_verify_start(struct tc_srv *srv, struct tc_srv__call *call,
                                int64_t upload_id);

/* {id, session_id, library_id, size, offset, status, ...} of an upload. */
json_t *tc_srv__rehab_upload_json(const struct tc_rec_rehab_upload *u);

/* == rehab-alerts.c == */

/* After a write to a plan's sessions: evaluate its alerts now and push
 * what was raised. */
void tc_srv__rehab_alerts_after_write(struct tc_srv *srv, int64_t plan_id);

/* One sweep: overdue sessions missed, every active plan evaluated. */
void tc_srv__rehab_alerts_sweep(struct tc_srv *srv);

json_t *tc_srv__rehab_alert_json(const struct tc_rec_rehab_alert *a);

/* == sig-rehab.c == */

/* The attendance of a rehab-session room (the hub's attend hook routes
 * rehab rooms here): PRESENT or ABSENT in the session's log. */
void tc_srv__sig_rehab_attend(struct tc_srv *srv,
                              const struct tc_srv__sig_room *room,
                              const struct tc_srv__sig_peer *peer,
                              bool present);

/* Who `peer` is in rehab-session `room`, for the attendance log: its
 * user and side. False for observers and peers not in the room. */
bool tc_srv__sig_rehab_who(const struct tc_srv__sig_room *room,
                           const struct tc_srv__sig_peer *peer,
                           int64_t *user_id,
                           enum tc_rec_rehab_attend_role *role);

/* The media server's report for a rehab session (sig-media.c, on its
 * TRACK events): the user's media started (`flowing`) or stopped at
 * at_us: MEDIA_START / MEDIA_STOP in the session's log. */
void tc_srv__sig_rehab_media(struct tc_srv *srv, int64_t session_id,
                             int64_t user_id,
                             enum tc_rec_rehab_attend_role role, bool flowing,
                             int64_t at_us);

/* Send `doc` (borrowed) to every member of room "rehab-session:<id>"
 * (waiting ones too when `waiting`): nothing when the room is empty. */
void tc_srv__sig_rehab_room_send(struct tc_srv *srv, int64_t session_id,
                                 const json_t *doc);

/* Alerts go out with tc_srv__sig_notify_user() (sig-notify.c). */

#endif
