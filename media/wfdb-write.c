// SPDX-License-Identifier: Apache-2.0
/*
 * wfdb-write.c - write a WFDB record (format 16) while its packets arrive.
 *
 * Packets wait in a ring of `reorder_packets` slots until every earlier
 * packet is in, or is so far behind that it is given up: then it is
 * written as a span of invalid samples (-32768), so sample k of the file
 * is always the stream's sample k. Written frames collect in a buffer of
 * about two seconds, flushed to .dat at each sync (and when full); the
 * header is then rewritten aside and renamed over <name>.hea, so the
 * header on disk always describes a prefix of .dat that is already
 * written, with the checksums of exactly that prefix. A writer killed
 * between syncs leaves a valid, slightly shorter record.
 *
 *   put(index): index < next          -> -EALREADY (late or duplicate)
 *               index >= next + ring  -> give up next.. index-ring (lost)
 *               store; write every consecutive packet from next on
 *
 * All memory is allocated at open: put() allocates nothing.
 * Thread: one at a time (the relay's thread).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tc-media.h"

#define MAX_NAME 64

struct slot {
    int64_t index; /* -1 when empty */
    unsigned frames;
    uint8_t *payload; /* frames_per_packet * n_leads * 2 bytes, BE */
};

struct tc_media_wfdb_writer {
    char dat_path[4096], hea_path[4096], tmp_path[4096];
    char name[MAX_NAME];
    unsigned n_leads, rate, fpp, ring;
    char lead_names[TC_MEDIA_ECG_MAX_LEADS][32];
    double gains[TC_MEDIA_ECG_MAX_LEADS];
    int baselines[TC_MEDIA_ECG_MAX_LEADS];
    int adc_zeros[TC_MEDIA_ECG_MAX_LEADS];
    unsigned adc_resolution;
    int64_t started_at_us;
    int fd;
    struct slot *slots;
    int64_t next; /* next packet index to write */
    bool ended;   /* a short (last) packet was written */
    uint8_t *out; /* frames waiting for .dat, little-endian */
    size_t out_len, out_cap;
    int64_t frames_buffered, frames_synced, lost_frames;
    uint16_t sums[TC_MEDIA_ECG_MAX_LEADS]; /* of every buffered frame */
    uint16_t synced_sums[TC_MEDIA_ECG_MAX_LEADS];
    int16_t first[TC_MEDIA_ECG_MAX_LEADS];
};

void
tc_media_wfdb_writer_free(struct tc_media_wfdb_writer *w)
{
    if (!w) {
        return;
    }
    if (w->fd >= 0) {
        close(w->fd);
    }
    if (w->slots) {
        for (unsigned i = 0; i < w->ring; i++) {
            free(w->slots[i].payload);
        }
    }
    free(w->slots);
    free(w->out);
    free(w);
}

static int
check_params(const struct tc_media_wfdb_writer_params *p)
{
    if (!p->dir || !p->name || strchr(p->name, '/') || strlen(p->name) == 0 ||
        strlen(p->name) >= MAX_NAME || p->n_leads < 1 ||
        p->n_leads > TC_MEDIA_ECG_MAX_LEADS || p->sample_rate_hz < 1 ||
        p->frames_per_packet < 1 || p->frames_per_packet > 20000 ||
        p->reorder_packets < 1 || p->reorder_packets > 64 ||
        p->adc_resolution < 8 || p->adc_resolution > 16 || !p->lead_names ||
        !p->gains || !p->baselines) {
        return -EINVAL;
    }
    for (unsigned i = 0; i < p->n_leads; i++) {
        const char *n = p->lead_names[i];
        if (!n || !*n || strlen(n) >= 32 || strpbrk(n, " \t\r\n") ||
            !(p->gains[i] > 0)) {
            return -EINVAL;
        }
    }
    return 0;
}

int
tc_media_wfdb_writer_open(const struct tc_media_wfdb_writer_params *p,
                          struct tc_media_wfdb_writer **out)
{
    struct tc_media_wfdb_writer *w;
    size_t span;
    int rc = check_params(p);

    if (rc < 0) {
        return rc;
    }
    w = calloc(1, sizeof(*w));
    if (!w) {
        return -ENOMEM;
    }
    w->fd = -1;
    snprintf(w->name, sizeof(w->name), "%s", p->name);
    snprintf(w->dat_path, sizeof(w->dat_path), "%s/%s.dat", p->dir, p->name);
    snprintf(w->hea_path, sizeof(w->hea_path), "%s/%s.hea", p->dir, p->name);
    snprintf(w->tmp_path, sizeof(w->tmp_path), "%s/.%s.hea.tmp", p->dir,
             p->name);
    w->n_leads = p->n_leads;
    w->rate = p->sample_rate_hz;
    w->fpp = p->frames_per_packet;
    w->ring = p->reorder_packets;
    w->adc_resolution = p->adc_resolution;
    w->started_at_us = p->started_at_us;
    for (unsigned i = 0; i < p->n_leads; i++) {
        snprintf(w->lead_names[i], sizeof(w->lead_names[i]), "%s",
                 p->lead_names[i]);
        w->gains[i] = p->gains[i];
        w->baselines[i] = p->baselines[i];
        w->adc_zeros[i] = p->adc_zeros ? p->adc_zeros[i] : 0;
    }
    span = (size_t)w->fpp * w->n_leads * 2;
    w->slots = calloc(w->ring, sizeof(*w->slots));
    /* two seconds of frames, and at least a ring's worth of packets */
    w->out_cap =
        (size_t)(2 * w->rate + (w->ring + 1) * w->fpp) * w->n_leads * 2;
    w->out = malloc(w->out_cap);
    if (!w->slots || !w->out) {
        rc = -ENOMEM;
        goto fail;
    }
    for (unsigned i = 0; i < w->ring; i++) {
        w->slots[i].index = -1;
        w->slots[i].payload = malloc(span);
        if (!w->slots[i].payload) {
            rc = -ENOMEM;
            goto fail;
        }
    }
    w->fd = open(w->dat_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (w->fd < 0) {
        rc = -errno;
        goto fail;
    }
    rc = tc_media_wfdb_writer_sync(w);
    if (rc < 0) {
        unlink(w->dat_path);
        goto fail;
    }
    *out = w;
    return 0;

fail:
    tc_media_wfdb_writer_free(w);
    return rc;
}

static int
write_all(int fd, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -EIO;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int
flush_dat(struct tc_media_wfdb_writer *w)
{
    int rc = write_all(w->fd, w->out, w->out_len);

    w->out_len = 0;
    return rc;
}

/* Append `frames` frames: from a big-endian payload, or invalid ones. */
static int
emit(struct tc_media_wfdb_writer *w, const uint8_t *payload, unsigned frames)
{
    size_t need = (size_t)frames * w->n_leads * 2;
    int rc;

    if (w->out_len + need > w->out_cap) {
        rc = flush_dat(w);
        if (rc < 0) {
            return rc;
        }
    }
    for (unsigned f = 0; f < frames; f++) {
        for (unsigned l = 0; l < w->n_leads; l++) {
            size_t k = (size_t)f * w->n_leads + l;
            uint16_t v =
                payload ? (uint16_t)(payload[2 * k] << 8 | payload[2 * k + 1])
                        : (uint16_t)TC_MEDIA_ECG_INVALID;
            if (w->frames_buffered == 0 && f == 0) {
                w->first[l] = (int16_t)v;
            }
            w->sums[l] = (uint16_t)(w->sums[l] + v);
            w->out[w->out_len++] = (uint8_t)v;
            w->out[w->out_len++] = (uint8_t)(v >> 8);
        }
    }
    w->frames_buffered += frames;
    if (!payload) {
        w->lost_frames += frames;
    }
    return 0;
}

/* Write packet `next` (from its slot, or lost) and move on. */
static int
advance(struct tc_media_wfdb_writer *w)
{
    struct slot *s = &w->slots[w->next % w->ring];
    int rc;

    if (s->index == w->next) {
        rc = emit(w, s->payload, s->frames);
        if (s->frames < w->fpp) {
            w->ended = true;
        }
        s->index = -1;
    } else {
        rc = emit(w, NULL, w->fpp);
    }
    w->next++;
    return rc;
}

int
tc_media_wfdb_writer_put(struct tc_media_wfdb_writer *w, int64_t index,
                         const uint8_t *payload, unsigned frames)
{
    struct slot *s;
    int rc;

    if (index < w->next || w->ended || frames == 0 || frames > w->fpp) {
        return -EALREADY;
    }
    while (index >= w->next + (int64_t)w->ring && !w->ended) {
        rc = advance(w);
        if (rc < 0) {
            return rc;
        }
    }
    if (w->ended) {
        return -EALREADY;
    }
    s = &w->slots[index % w->ring];
    if (s->index == index) {
        return -EALREADY;
    }
    s->index = index;
    s->frames = frames;
    memcpy(s->payload, payload, (size_t)frames * w->n_leads * 2);
    while (!w->ended && w->slots[w->next % w->ring].index == w->next) {
        rc = advance(w);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static void
base_time(int64_t us, char *t, size_t t_len, char *d, size_t d_len)
{
    time_t secs = (time_t)(us / 1000000);
    struct tm tm;

    gmtime_r(&secs, &tm);
    snprintf(t, t_len, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int)(us % 1000000 / 1000));
    snprintf(d, d_len, "%02d/%02d/%04d", tm.tm_mday, tm.tm_mon + 1,
             tm.tm_year + 1900);
}

static int
write_header(struct tc_media_wfdb_writer *w)
{
    char t[32], d[32];
    FILE *f;
    int rc = 0;

    f = fopen(w->tmp_path, "w");
    if (!f) {
        return -EIO;
    }
    base_time(w->started_at_us, t, sizeof(t), d, sizeof(d));
    fprintf(f, "%s %u %u %lld %s %s\n", w->name, w->n_leads, w->rate,
            (long long)w->frames_synced, t, d);
    for (unsigned l = 0; l < w->n_leads; l++) {
        fprintf(f, "%s.dat 16 %.12g(%d)/mV %u %d %d %d 0 %s\n", w->name,
                w->gains[l], w->baselines[l], w->adc_resolution,
                w->adc_zeros[l], w->frames_synced ? w->first[l] : 0,
                (int16_t)w->synced_sums[l], w->lead_names[l]);
    }
    if (fflush(f) != 0 || ferror(f)) {
        rc = -EIO;
    }
    if (fclose(f) != 0) {
        rc = -EIO;
    }
    if (rc == 0 && rename(w->tmp_path, w->hea_path) != 0) {
        rc = -EIO;
    }
    if (rc < 0) {
        unlink(w->tmp_path);
    }
    return rc;
}

int
tc_media_wfdb_writer_sync(struct tc_media_wfdb_writer *w)
{
    int rc = flush_dat(w);

    if (rc < 0) {
        return rc;
    }
    if (w->frames_synced == w->frames_buffered &&
        access(w->hea_path, F_OK) == 0) {
        return 0;
    }
    w->frames_synced = w->frames_buffered;
    memcpy(w->synced_sums, w->sums, sizeof(w->sums));
    return write_header(w);
}

int
tc_media_wfdb_writer_finish(struct tc_media_wfdb_writer *w,
                            int64_t total_frames)
{
    int64_t last = -1;
    int rc = 0;

    for (unsigned i = 0; i < w->ring; i++) {
        if (w->slots[i].index > last) {
            last = w->slots[i].index;
        }
    }
    while (rc == 0 && !w->ended && w->next <= last) {
        rc = advance(w);
    }
    while (rc == 0 && !w->ended && total_frames >= 0 &&
           w->frames_buffered < total_frames) {
        int64_t left = total_frames - w->frames_buffered;
        rc = emit(w, NULL, left < w->fpp ? (unsigned)left : w->fpp);
        w->next++;
    }
    w->ended = true;
    return rc < 0 ? rc : tc_media_wfdb_writer_sync(w);
}

int64_t
tc_media_wfdb_writer_frames(const struct tc_media_wfdb_writer *w)
{
    return w->frames_buffered;
}

int64_t
tc_media_wfdb_writer_lost_frames(const struct tc_media_wfdb_writer *w)
{
    return w->lost_frames;
}
