// SPDX-License-Identifier: Apache-2.0
/*
 * link.c - low-bandwidth mode on the receiving side: a subscriber gets
 * audio only (the server stops forwarding video to it; the publishers'
 * video goes on for everyone else) when it asks, or automatically when
 * its receiver reports show sustained loss, and gets video back when its
 * link recovers. The server cannot transcode, so this is all it can do
 * for a weak downlink; capping what a publisher sends is the client's
 * (the JS SDK's setLowBandwidth).
 *
 * Each round of statistics (tc_media_room_stats: the server asks every
 * few seconds) sums, per subscriber, the packets its feeds sent and the
 * packets its RTCP receiver reports say were lost since the previous
 * round, audio and video apart. Receiver reports come every few seconds,
 * not every round, so the loss is judged over the last WINDOW rounds,
 * and only once a whole window has passed in the current state:
 *
 *            loss >= loss_pct over the window
 *   VIDEO  ------------------------------------------->  AUDIO
 *          <-------------------------------------------  ONLY
 *            audio loss < loss_pct / 3 over the window
 *            (a window without audio counts as recovered: video is
 *            tried again, and stopped again if the loss persists)
 *
 * Audio and video share one transport (BUNDLE), so either one's loss is
 * the link's; the audio's is the one to trust: webrtcbin 1.22 matches no
 * receiver report to a bundled video stream it sends (its remote-inbound
 * statistics are missing), so the video's loss reads 0.
 *
 * A subscriber that asked for audio only (tc_media_room_audio_only) stays
 * so whatever its link, and so does everyone while the room's profile is
 * AUDIO (profile.c). Each change of what a subscriber receives is an
 * AUDIO_ONLY event (the server tells the room); video resumes with a
 * keyframe request to each publisher.
 *
 * Thread: the room's context.
 */
#include <errno.h>
#include <string.h>

#include "media-int.h"

#define MIN_VIDEO_SENT 50 /* packets in a window to judge video loss */
#define MIN_AUDIO_SENT 20

void
tc_media__link_row(struct tc_media__endpoint *ep, bool video, uint64_t sent,
                   int64_t lost)
{
    struct tc_media__link *l = &ep->owner->link;
    unsigned k = video ? 1 : 0;

    if (!ep->feed) {
        return; /* publishing: nothing is sent to the participant */
    }
    if (sent >= ep->link_sent[k]) {
        l->sent[k] += sent - ep->link_sent[k];
    }
    if (lost > ep->link_lost[k]) {
        l->lost[k] += (uint64_t)(lost - ep->link_lost[k]);
    }
    ep->link_sent[k] = sent;
    ep->link_lost[k] = lost;
}

void
tc_media__link_apply(struct tc_media__part *p, const char *reason)
{
    bool off = p->link.asked || p->link.auto_off ||
               p->room->profile == TC_MEDIA_PROFILE_AUDIO;
    struct tc_media_event ev = {0};

    if (off == p->link.video_off) {
        return;
    }
    p->link.video_off = off;
    for (guint i = 0; i < p->feeds->len; i++) {
        struct tc_media__endpoint *ep = g_ptr_array_index(p->feeds, i);

        g_atomic_int_set(ep->video_gate, off);
        if (!off) {
            tc_media__endpoint_ask_keyframe(ep);
        }
    }
    GST_INFO("%s: %s (%s)", p->id, off ? "audio only" : "video again", reason);
    ev.kind = TC_MEDIA_EV_AUDIO_ONLY;
    ev.up = off;
    ev.reason = reason;
    if (!p->room->quiet) {
        ev.participant = p->id;
        p->room->fn(&ev, p->room->data);
    }
}

/* Whether `lost` of `sent` packets is at least pct %, with enough sent. */
static bool
over(uint64_t sent, uint64_t lost, uint64_t min_sent, unsigned pct)
{
    return sent >= min_sent && lost * 100 >= (uint64_t)pct * sent;
}

static void
judge(struct tc_media__part *p, unsigned loss_pct)
{
    struct tc_media__link *l = &p->link;
    uint64_t sent[2] = {0, 0}, lost[2] = {0, 0};
    unsigned slot = l->round++ % TC_MEDIA__LINK_WINDOW;

    memcpy(l->win_sent[slot], l->sent, sizeof(l->sent));
    memcpy(l->win_lost[slot], l->lost, sizeof(l->lost));
    memset(l->sent, 0, sizeof(l->sent));
    memset(l->lost, 0, sizeof(l->lost));
    if (++l->since < TC_MEDIA__LINK_WINDOW) {
        return;
    }
    for (unsigned i = 0; i < TC_MEDIA__LINK_WINDOW; i++) {
        for (unsigned k = 0; k < 2; k++) {
            sent[k] += l->win_sent[i][k];
            lost[k] += l->win_lost[i][k];
        }
    }
    if (!l->auto_off && (over(sent[1], lost[1], MIN_VIDEO_SENT, loss_pct) ||
                         over(sent[0], lost[0], MIN_AUDIO_SENT, loss_pct))) {
        l->auto_off = true;
    } else if (l->auto_off && (sent[0] < MIN_AUDIO_SENT ||
                               lost[0] * 300 < (uint64_t)loss_pct * sent[0])) {
        l->auto_off = false;
    } else {
        return;
    }
    /* A new state: a whole new window before the next judgement. */
    l->since = 0;
    memset(l->win_sent, 0, sizeof(l->win_sent));
    memset(l->win_lost, 0, sizeof(l->win_lost));
    tc_media__link_apply(p, l->auto_off ? "loss" : "recovered");
}

void
tc_media__link_round(struct tc_media_room *room)
{
    unsigned pct = room->cfg.audio_only_loss_pct;

    for (guint i = 0; pct < 100 && i < room->parts->len; i++) {
        judge(g_ptr_array_index(room->parts, i), pct);
    }
}

int
tc_media_room_audio_only(struct tc_media_room *room, const char *id, bool on)
{
    struct tc_media__part *p = NULL;

    for (guint i = 0; id && i < room->parts->len; i++) {
        struct tc_media__part *x = g_ptr_array_index(room->parts, i);
        if (strcmp(x->id, id) == 0) {
            p = x;
        }
    }
    if (!p) {
        g_snprintf(room->errmsg, sizeof(room->errmsg),
                   "no participant %s with media", id ? id : "(null)");
        return -ENOENT;
    }
    p->link.asked = on;
    tc_media__link_apply(p, "asked");
    return 0;
}
