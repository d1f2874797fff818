// SPDX-License-Identifier: Apache-2.0
/*
 * ecg-live.c - live ECG streams on the server: the relay (media/) bound
 * at start, and for each announced stream its ECG study, its WFDB
 * archive under <data_dir>/ecg, its keys and its browser viewers.
 *
 *   announce (sig-ecg.c) -> study LIVE, stream added to the relay
 *   packets              -> relay: archive, SRTP subscribers; here:
 *                           one binary WebSocket frame per packet, shared
 *                           by every viewer's send queue
 *   ecg-stop             -> archive finished, study AWAITING_READING
 *                           (duration and storage path), viewers told
 *                           `ecg-ended`, stream removed
 *
 * A viewer joining late gets the relay's last 10 s first, merged into
 * frames of at most 32 KiB so its bounded send queue is never flooded.
 * The relay's per-packet path allocates nothing; the WebSocket side
 * allocates one frame per packet for all its viewers (only when there are
 * viewers).
 *
 * Logs carry study ids and counts, never patient data.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "ecg"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "ecg-int.h"
#include "tc-be.h"
#include "tc-records.h"

struct tc_srv__ecg {
    struct tc_srv *srv;
    struct tc_media_ecg_relay *relay;
    guint ws_timer;
    guint metrics_timer;
    struct tc_media_ecg_relay_tx_stats shown; /* on /metrics */
    GHashTable *live; /* study id (int64 key) -> struct tc_srv__ecg_live */
    char *dir;        /* <data_dir>/ecg */
};

/* ---- WebSocket frames (docs/ecg-rtp.md, "Browser viewers") ---- */

static struct tc_srv__sig_frame *
ws_frame_new(const struct tc_srv__ecg_live *live, int64_t first_frame,
             unsigned frames)
{
    size_t n = (size_t)frames * live->desc.n_leads * 2;
    struct tc_srv__sig_frame *f =
        g_malloc(sizeof(*f) + TC_SRV__SIG_PRE + TC_SRV__ECG_WS_HEADER + n);
    uint8_t *h = f->bytes + TC_SRV__SIG_PRE;

    f->refs = 1;
    f->binary = true;
    f->len = TC_SRV__ECG_WS_HEADER + n;
    h[0] = 1; /* version */
    h[1] = 1; /* kind: samples */
    h[2] = 0;
    h[3] = (uint8_t)live->desc.n_leads;
    tc_be_wr32(h + 4, (uint32_t)live->study_id);
    tc_be_wr32(h + 8, (uint32_t)((uint64_t)first_frame >> 32));
    tc_be_wr32(h + 12, (uint32_t)first_frame);
    tc_be_wr32(h + 16, frames);
    return f;
}

static void
send_to_viewers(struct tc_srv__ecg_live *live, struct tc_srv__sig_frame *f)
{
    struct tc_srv__sig_hub *hub = tc_srv__sig_hub_of(live->srv);

    for (guint i = 0; i < live->viewers->len;) {
        struct tc_srv__sig_peer *peer =
            tc_srv__sig_peer_find(hub, g_ptr_array_index(live->viewers, i));
        if (!peer) { /* gone for good: no longer a viewer */
            g_ptr_array_remove_index_fast(live->viewers, i);
            continue;
        }
        tc_srv__sig_deliver(hub, peer, f);
        i++;
    }
}

/* Frame what is pending: one frame shared by every viewer. */
static void
pending_flush(struct tc_srv__ecg_live *live)
{
    struct tc_srv__sig_frame *f;

    if (live->pending_len == 0) {
        return;
    }
    f = ws_frame_new(live, live->pending_first,
                     (unsigned)(live->pending_len / (live->desc.n_leads * 2)));
    memcpy(f->bytes + TC_SRV__SIG_PRE + TC_SRV__ECG_WS_HEADER, live->pending,
           live->pending_len);
    live->pending_len = 0;
    send_to_viewers(live, f);
    tc_srv__sig_frame_unref(f);
}

/* The relay's packet callback. Packets in order are gathered and framed
 * every 40 ms (or at 32 KiB), so a viewer gets about 25 frames a second
 * whatever the rate, and its bounded queue holds seconds of signal. A
 * packet out of order flushes what is pending and starts anew. */
static void
on_packet(void *data, int64_t index, const uint8_t *payload, unsigned frames)
{
    struct tc_srv__ecg_live *live = data;
    int64_t first = index * live->fmt.frames_per_packet;
    size_t n = (size_t)frames * live->desc.n_leads * 2;
    size_t have = live->pending_len / (live->desc.n_leads * 2);

    if (live->viewers->len == 0) {
        return;
    }
    if (live->pending_len > 0 &&
        (first != live->pending_first + (int64_t)have ||
         live->pending_len + n > TC_SRV__ECG_WS_MAX)) {
        pending_flush(live);
    }
    if (live->pending_len == 0) {
        live->pending_first = first;
    }
    memcpy(live->pending + live->pending_len, payload, n);
    live->pending_len += n;
}

static gboolean
on_ws_timer(gpointer data)
{
    struct tc_srv__ecg *ecg = data;
    GHashTableIter it;
    gpointer v;

    g_hash_table_iter_init(&it, ecg->live);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        pending_flush(v);
    }
    return G_SOURCE_CONTINUE;
}

/* Every second: the relay's sends on /metrics (is GSO carrying them?). */
static gboolean
on_metrics_timer(gpointer data)
{
    struct tc_srv__ecg *ecg = data;
    struct tc_srv__metrics *m = ecg->srv->metrics;
    struct tc_media_ecg_relay_tx_stats now;

    tc_media_ecg_relay_tx_stats(ecg->relay, &now);
    tc_srv__metrics_gauge_add(
        m, "telecare_ecg_relay_datagrams",
        "ECG packets the relay sent to SRTP subscribers since start.",
        (int64_t)(now.datagrams - ecg->shown.datagrams));
    tc_srv__metrics_gauge_add(
        m, "telecare_ecg_relay_gso_segments",
        "Of them, packets sent within UDP GSO sends ([ecg] udp_gso).",
        (int64_t)(now.gso_segments - ecg->shown.gso_segments));
    tc_srv__metrics_gauge_add(
        m, "telecare_ecg_relay_gso",
        "1 while the relay sends with UDP GSO, 0 when off or refused.",
        (int64_t)now.gso - (int64_t)ecg->shown.gso);
    ecg->shown = now;
    return G_SOURCE_CONTINUE;
}

/* History for one new viewer, consecutive packets merged. */
struct history {
    struct tc_srv__ecg_live *live;
    struct tc_srv__sig_peer *peer;
    GByteArray *buf;
    int64_t first_frame, next_frame;
};

static void
history_flush(struct history *h)
{
    struct tc_srv__sig_frame *f;
    unsigned frames;

    if (h->buf->len == 0) {
        return;
    }
    frames = h->buf->len / (h->live->desc.n_leads * 2);
    f = ws_frame_new(h->live, h->first_frame, frames);
    memcpy(f->bytes + TC_SRV__SIG_PRE + TC_SRV__ECG_WS_HEADER, h->buf->data,
           h->buf->len);
    tc_srv__sig_deliver(tc_srv__sig_hub_of(h->live->srv), h->peer, f);
    tc_srv__sig_frame_unref(f);
    g_byte_array_set_size(h->buf, 0);
}

static void
on_history(void *data, int64_t index, const uint8_t *payload, unsigned frames)
{
    struct history *h = data;
    int64_t first = index * h->live->fmt.frames_per_packet;
    size_t n = (size_t)frames * h->live->desc.n_leads * 2;

    if (h->buf->len > 0 &&
        (first != h->next_frame || h->buf->len + n > TC_SRV__ECG_WS_MAX)) {
        history_flush(h);
    }
    if (h->buf->len == 0) {
        h->first_frame = first;
    }
    g_byte_array_append(h->buf, payload, (guint)n);
    h->next_frame = first + frames;
}

void
tc_srv__ecg_live_view(struct tc_srv__ecg_live *live, const char *peer_id)
{
    struct history h = {.live = live};

    h.peer = tc_srv__sig_peer_find(tc_srv__sig_hub_of(live->srv), peer_id);
    if (!h.peer) {
        return;
    }
    pending_flush(live); /* its samples are in the history too */
    h.buf = g_byte_array_new();
    tc_media_ecg_stream_history(live->stream, on_history, &h);
    history_flush(&h);
    g_byte_array_unref(h.buf);
    for (guint i = 0; i < live->viewers->len; i++) {
        if (strcmp(g_ptr_array_index(live->viewers, i), peer_id) == 0) {
            return;
        }
    }
    g_ptr_array_add(live->viewers, g_strdup(peer_id));
}

int
tc_srv__ecg_live_unview(struct tc_srv__ecg_live *live, const char *peer_id)
{
    for (guint i = 0; i < live->viewers->len; i++) {
        if (strcmp(g_ptr_array_index(live->viewers, i), peer_id) == 0) {
            g_ptr_array_remove_index_fast(live->viewers, i);
            return 0;
        }
    }
    return -ENOENT;
}

/* ---- streams ---- */

static void
live_free(gpointer data)
{
    struct tc_srv__ecg_live *live = data;

    if (live->stream) {
        tc_media_ecg_stream_remove(live->stream);
    }
    g_ptr_array_unref(live->viewers);
    g_free(live->pending);
    g_free(live);
}

int
tc_srv__ecg_live_open(struct tc_srv *srv, int64_t study_id,
                      int64_t resident_id, int64_t owner_user,
                      const struct tc_srv__ecg_desc *desc,
                      enum tc_media_srtp_profile profile,
                      int64_t started_at_us, uint8_t *key_out,
                      struct tc_srv__ecg_live **out)
{
    struct tc_srv__ecg *ecg = srv->ecg;
    struct tc_srv__ecg_live *live = g_new0(struct tc_srv__ecg_live, 1);
    const char *names[TC_MEDIA_ECG_MAX_LEADS];
    char name[32];
    int rc;

    live->srv = srv;
    live->study_id = study_id;
    live->resident_id = resident_id;
    live->owner_user = owner_user;
    live->desc = *desc;
    live->started_at_us = started_at_us;
    live->viewers = g_ptr_array_new_with_free_func(g_free);
    live->pending = g_malloc(TC_SRV__ECG_WS_MAX);
    g_snprintf(name, sizeof(name), "ecg-%" G_GINT64_FORMAT, study_id);
    g_snprintf(live->storage_path, sizeof(live->storage_path), "ecg/%s", name);
    for (unsigned i = 0; i < desc->n_leads; i++) {
        names[i] = desc->leads[i];
    }
    randombytes_buf(key_out, TC_MEDIA_SRTP_MAX_KEY);
    struct tc_media_ecg_stream_params p = {
        .format =
            {
                .n_leads = desc->n_leads,
                .sample_rate_hz = desc->sample_rate_hz,
                .frames_per_packet = desc->frames_per_packet,
                .payload_type = TC_SRV__ECG_PT,
                .first_seq = (uint16_t)randombytes_uniform(65536),
                .first_timestamp = randombytes_random(),
            },
        .profile = profile,
        .key = key_out,
        .archive =
            {
                .dir = ecg->dir,
                .name = name,
                .reorder_packets = 16,
                .lead_names = names,
                .gains = desc->gains,
                .baselines = desc->baselines,
                .adc_zeros = desc->adc_zeros,
                .adc_resolution = desc->adc_resolution,
                .started_at_us = started_at_us,
            },
        .packet = on_packet,
        .data = live,
    };
    do { /* a fresh SSRC, unique on this relay */
        p.format.ssrc = randombytes_random();
        rc = tc_media_ecg_relay_stream_add(ecg->relay, &p, &live->stream);
    } while (rc == -EEXIST);
    if (rc < 0) {
        live_free(live);
        return rc;
    }
    live->fmt = p.format;
    g_hash_table_insert(ecg->live, &live->study_id, live);
    g_message("ECG study %" G_GINT64_FORMAT ": live stream %08x, %u leads "
              "at %u Hz",
              study_id, live->fmt.ssrc, desc->n_leads, desc->sample_rate_hz);
    *out = live;
    return 0;
}

struct tc_srv__ecg_live *
tc_srv__ecg_live_find(struct tc_srv *srv, int64_t study_id)
{
    return srv->ecg ? g_hash_table_lookup(srv->ecg->live, &study_id) : NULL;
}

static void
tell_ended(struct tc_srv__ecg_live *live)
{
    struct tc_srv__sig_hub *hub = tc_srv__sig_hub_of(live->srv);
    char stream[32];
    json_t *doc;
    struct tc_srv__sig_frame *f;

    g_snprintf(stream, sizeof(stream), "ecg:%" G_GINT64_FORMAT,
               live->study_id);
    doc = json_pack("{s:s,s:s}", "type", "ecg-ended", "stream", stream);
    f = tc_srv__sig_frame_new(doc);
    json_decref(doc);
    if (f) {
        send_to_viewers(live, f);
        tc_srv__sig_frame_unref(f);
    }
    (void)hub;
}

int
tc_srv__ecg_live_close(struct tc_srv__ecg_live *live, int64_t total_frames,
                       struct tc_media_ecg_stream_stats *st)
{
    struct tc_srv *srv = live->srv;
    int64_t duration_ms;
    int rc = tc_media_ecg_stream_finish(live->stream, total_frames);

    tc_media_ecg_stream_stats(live->stream, st);
    duration_ms = st->frames * 1000 / live->desc.sample_rate_hz;
    if (rc == 0) {
        rc = tc_rec_ecg_study_finish(srv->db, live->study_id,
                                     duration_ms > 0 ? duration_ms : 1,
                                     live->storage_path);
    }
    g_message("ECG study %" G_GINT64_FORMAT ": stream ended, %" G_GINT64_FORMAT
              " frames (%" G_GINT64_FORMAT " lost), %" G_GUINT64_FORMAT
              " packets accepted, %" G_GUINT64_FORMAT " refused",
              live->study_id, st->frames, st->lost_frames, st->accepted,
              st->auth_failed + st->replayed + st->bad_payload +
                  st->bad_timing);
    pending_flush(live);
    tell_ended(live);
    g_hash_table_remove(srv->ecg->live, &live->study_id);
    return rc;
}

/* ---- studies a stop left live ---- */

/* A study still LIVE at start cannot be streaming (the relay's streams
 * end with the process): if the relay archived it (ecg/ecg-<id>.hea, kept
 * valid up to its last sync), it is finished with what the archive holds
 * and goes to the reading worklist. A LIVE study without such an archive
 * was made live through the API by another system, which finishes it. */
static void
finish_left_live(struct tc_srv *srv, const char *dir)
{
    int64_t *ids = NULL;
    size_t n = 0;

    if (tc_rec_ecg_study_live_ids(srv->db, &ids, &n) < 0) {
        g_warning("ECG: cannot list live studies: %s", tc_rec_errmsg(srv->db));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        g_autofree char *hea =
            g_strdup_printf("%s/ecg-%" G_GINT64_FORMAT ".hea", dir, ids[i]);
        g_autofree char *text = NULL, *path = NULL;
        struct tc_media_wfdb_header h;
        gsize len;
        char err[160];
        int64_t ms = 1;

        if (!g_file_get_contents(hea, &text, &len, NULL)) {
            continue;
        }
        if (tc_media_wfdb_header_parse(text, len, &h, err, sizeof(err)) < 0) {
            /* err may quote the header: not logged */
            g_warning("ECG study %" G_GINT64_FORMAT ": archive header "
                      "unreadable; finished with 1 ms",
                      ids[i]);
        } else if (h.n_frames > 0 && h.sample_rate_hz > 0) {
            ms = (int64_t)((double)h.n_frames * 1000 / h.sample_rate_hz);
        }
        path = g_strdup_printf("ecg/ecg-%" G_GINT64_FORMAT, ids[i]);
        if (tc_rec_ecg_study_finish(srv->db, ids[i], ms > 0 ? ms : 1, path) <
            0) {
            g_warning("ECG study %" G_GINT64_FORMAT ": left live by a stop, "
                      "cannot be finished: %s",
                      ids[i], tc_rec_errmsg(srv->db));
            continue;
        }
        g_message("ECG study %" G_GINT64_FORMAT ": left live by a stop; "
                  "finished with its archive (%" G_GINT64_FORMAT " ms), now "
                  "awaiting reading",
                  ids[i], ms);
    }
    free(ids);
}

/* ---- the whole ---- */

int
tc_srv__ecg_start(struct tc_srv *srv, char **err)
{
    const struct tc_srv_config *cfg = srv->cfg;
    struct tc_srv__ecg *ecg = g_new0(struct tc_srv__ecg, 1);
    int rc;

    ecg->dir = g_build_filename(cfg->data_dir, "ecg", NULL);
    if (g_mkdir_with_parents(ecg->dir, 0750) < 0) {
        *err =
            g_strdup_printf("ECG archive %s: %s", ecg->dir, g_strerror(errno));
        g_free(ecg->dir);
        g_free(ecg);
        return -EIO;
    }
    rc = tc_media_ecg_relay_new(cfg->ecg_host, (uint16_t)cfg->ecg_port,
                                &ecg->relay);
    if (rc < 0) {
        *err = g_strdup_printf("[ecg] listen %s:%d: %s", cfg->ecg_host,
                               cfg->ecg_port, g_strerror(-rc));
        g_free(ecg->dir);
        g_free(ecg);
        return rc;
    }
    if (tc_media_ecg_relay_set_gso(ecg->relay, cfg->ecg_udp_gso) < 0) {
        g_message("ECG relay: this kernel has no UDP GSO; [ecg] udp_gso "
                  "is ignored");
    }
    ecg->live =
        g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, live_free);
    ecg->ws_timer = g_timeout_add(TC_SRV__ECG_WS_PERIOD_MS, on_ws_timer, ecg);
    ecg->srv = srv;
    ecg->metrics_timer = g_timeout_add_seconds(1, on_metrics_timer, ecg);
    srv->ecg = ecg;
    finish_left_live(srv, ecg->dir);
    g_message("ECG relay on udp %s:%u%s", cfg->ecg_host,
              tc_media_ecg_relay_port(ecg->relay),
              cfg->ecg_udp_gso ? "" : " (UDP GSO off)");
    return 0;
}

uint16_t
tc_srv__ecg_port(struct tc_srv *srv)
{
    return srv->ecg ? tc_media_ecg_relay_port(srv->ecg->relay) : 0;
}

void
tc_srv__ecg_stop(struct tc_srv *srv)
{
    struct tc_srv__ecg *ecg = srv->ecg;

    if (!ecg) {
        return;
    }
    /* Streams still live keep their archives as far as they got (synced
     * on removal); their studies stay LIVE until the next start finishes
     * them (finish_left_live). */
    g_source_remove(ecg->ws_timer);
    g_source_remove(ecg->metrics_timer);
    g_hash_table_destroy(ecg->live);
    tc_media_ecg_relay_free(ecg->relay);
    g_free(ecg->dir);
    g_free(ecg);
    srv->ecg = NULL;
}
