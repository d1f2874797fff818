// SPDX-License-Identifier: Apache-2.0
/*
 * test-wfdb.c - WFDB records: the real PhysioNet records 100 (format 212)
 * and s0010_re (format 16, two signal files) read and checked against
 * their headers; refusals that name the line and field; the writer's
 * record read back equal to its source, with reordering, loss, and a
 * writer killed with SIGKILL mid-stream.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc-media.h"
#include "tc-test.h"

static char data_dir[4096];
static char tmp_dir[] = "/tmp/tc-test-wfdb-XXXXXX";
static char err[256];

static struct tc_media_wfdb_record *
read_source(const char *name)
{
    struct tc_media_wfdb_record *rec = NULL;
    int rc = tc_media_wfdb_record_read(data_dir, name, &rec, err, sizeof(err));
    if (rc != 0) {
        printf("# %s: %d %s\n", name, rc, err);
    }
    return rec;
}

static void
test_record_100_format_212(void)
{
    struct tc_media_wfdb_record *rec = read_source("100");
    const struct tc_media_wfdb_header *h;

    TC_REQUIRE(rec);
    h = &rec->header;
    TC_CHECK_EQ(h->n_signals, 2);
    TC_CHECK_EQ(rec->n_frames, 650000);
    TC_CHECK_EQ(h->n_frames, 650000);
    TC_CHECK(h->sample_rate_hz == 360);
    TC_CHECK_EQ(h->signals[0].format, 212);
    TC_CHECK_STR_EQ(h->signals[0].description, "MLII");
    TC_CHECK_STR_EQ(h->signals[1].description, "V5");
    TC_CHECK(h->signals[0].gain == 200);
    TC_CHECK_EQ(h->signals[0].adc_zero, 1024);
    TC_CHECK_EQ(h->signals[0].baseline, 1024);
    TC_CHECK_EQ(h->signals[0].adc_resolution, 11);
    /* checksums were verified by the read; the initial values too: */
    TC_CHECK_EQ(rec->samples[0], h->signals[0].init_value);
    TC_CHECK_EQ(rec->samples[1], h->signals[1].init_value);
    tc_media_wfdb_record_free(rec);
}

static void
test_record_s0010_re_two_files(void)
{
    struct tc_media_wfdb_record *rec = read_source("s0010_re");
    const struct tc_media_wfdb_header *h;

    TC_REQUIRE(rec);
    h = &rec->header;
    TC_CHECK_EQ(h->n_signals, 15);
    TC_CHECK_EQ(h->n_files, 2);
    TC_CHECK_STR_EQ(h->files[1], "s0010_re.xyz");
    TC_CHECK_EQ(h->signals[12].file_index, 1);
    TC_CHECK_STR_EQ(h->signals[14].description, "vz");
    TC_CHECK_EQ(rec->n_frames, 38400);
    for (unsigned s = 0; s < 15; s++) {
        TC_CHECK_EQ(rec->samples[s], h->signals[s].init_value);
    }
    tc_media_wfdb_record_free(rec);
}

static int
parse(const char *text, struct tc_media_wfdb_header *h)
{
    return tc_media_wfdb_header_parse(text, strlen(text), h, err, sizeof(err));
}

static void
test_header_refusals_name_line_and_field(void)
{
    struct tc_media_wfdb_header h = {.n_signals = 99};

    TC_CHECK_EQ(parse("r 1 250 10\nr.dat 80 200\n", &h), -ENOTSUP);
    TC_CHECK_STR_CONTAINS(err, "line 2: format 80");
    TC_CHECK_EQ(parse("r/2 1 250\n", &h), -ENOTSUP);
    TC_CHECK_STR_CONTAINS(err, "multi-segment");
    TC_CHECK_EQ(parse("r 2 250 10\nr.dat 16\n", &h), -EINVAL);
    TC_CHECK_STR_CONTAINS(err, "1 signal lines, the record line says 2");
    TC_CHECK_EQ(parse("r 1 250 10\nr.dat 16 abc\n", &h), -EINVAL);
    TC_CHECK_STR_CONTAINS(err, "line 2: gain");
    TC_CHECK_EQ(parse("r 1 250 10\n../etc/passwd 16\n", &h), -EINVAL);
    TC_CHECK_STR_CONTAINS(err, "plain file name");
    TC_CHECK_EQ(parse("r 1 250 -3\n", &h), -EINVAL);
    TC_CHECK_STR_CONTAINS(err, "number of samples");
    TC_CHECK_EQ(parse("r 40 250\n", &h), -EINVAL);
    TC_CHECK_STR_CONTAINS(err, "signal count");
    TC_CHECK_EQ(parse("r 1 250 10\nr.dat 16x2\n", &h), -ENOTSUP);
    TC_CHECK_EQ(parse("r 2 250 10\na.dat 16\nb.dat 16\n", &h), 0);
    TC_CHECK_EQ(parse("r 3 250\na.dat 16\nb.dat 16\na.dat 16\n", &h), -EINVAL);
    TC_CHECK_STR_CONTAINS(err, "not consecutive");
    /* comments and blank lines anywhere, a CRLF header */
    TC_CHECK_EQ(parse("# hi\r\n\r\nr 1 500 4 10:00:00 01/02/2026\r\n"
                      "# x\r\nr.dat 16 2000(5)/uV 12 3 7 -2 0 lead II\r\n",
                      &h),
                0);
    TC_CHECK_EQ(h.n_frames, 4);
    TC_CHECK(h.signals[0].gain == 2000);
    TC_CHECK_EQ(h.signals[0].baseline, 5);
    TC_CHECK_STR_EQ(h.signals[0].units, "uV");
    TC_CHECK_EQ(h.signals[0].checksum, -2);
    TC_CHECK_STR_EQ(h.signals[0].description, "lead II");
    TC_CHECK_STR_EQ(h.base_date, "01/02/2026");
}

static void
write_file(const char *name, const void *data, size_t len)
{
    char path[4200];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
    f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
}

static void
test_checksum_mismatch_and_short_file(void)
{
    struct tc_media_wfdb_record *rec = NULL;
    const int16_t v[4] = {1, 2, 3, 4};

    write_file("bad.dat", v, sizeof(v));
    write_file("bad.hea", "bad 1 250 4\nbad.dat 16 200 16 0 1 11 0 I\n", 41);
    TC_CHECK_EQ(
        tc_media_wfdb_record_read(tmp_dir, "bad", &rec, err, sizeof(err)),
        -EBADMSG);
    TC_CHECK_STR_CONTAINS(err, "signal 1 (I): checksum 10");
    write_file("bad.hea", "bad 1 250 5\nbad.dat 16 200 16 0 1 10 0 I\n", 41);
    TC_CHECK_EQ(
        tc_media_wfdb_record_read(tmp_dir, "bad", &rec, err, sizeof(err)),
        -EINVAL);
    TC_CHECK_STR_CONTAINS(err, "holds 4 frames, the header says 5");
    TC_CHECK(rec == NULL);
    write_file("bad.hea", "bad 1 250 4\nbad.dat 16 200 16 0 1 10 0 I\n", 41);
    TC_CHECK_EQ(
        tc_media_wfdb_record_read(tmp_dir, "bad", &rec, err, sizeof(err)), 0);
    tc_media_wfdb_record_free(rec);
}

/* Packet k of `src` as a big-endian payload of n_leads leads. */
static unsigned
payload_of(const struct tc_media_wfdb_record *src, unsigned n_leads,
           unsigned fpp, int64_t k, uint8_t *out)
{
    int64_t t0 = k * fpp;
    unsigned frames =
        (unsigned)(src->n_frames - t0 < fpp ? src->n_frames - t0 : fpp);
    size_t n = 0;

    for (unsigned f = 0; f < frames; f++) {
        for (unsigned l = 0; l < n_leads; l++) {
            uint16_t v =
                (uint16_t)src->samples[(t0 + f) * src->header.n_signals + l];
            out[n++] = (uint8_t)(v >> 8);
            out[n++] = (uint8_t)v;
        }
    }
    return frames;
}

static struct tc_media_wfdb_writer *
writer_for(const struct tc_media_wfdb_record *src, const char *name,
           unsigned fpp)
{
    const struct tc_media_wfdb_header *h = &src->header;
    const char *names[TC_MEDIA_WFDB_MAX_SIGNALS];
    double gains[TC_MEDIA_WFDB_MAX_SIGNALS];
    int bases[TC_MEDIA_WFDB_MAX_SIGNALS], zeros[TC_MEDIA_WFDB_MAX_SIGNALS];
    struct tc_media_wfdb_writer *w = NULL;
    unsigned n = h->n_signals;

    for (unsigned l = 0; l < n; l++) {
        names[l] = h->signals[l].description;
        gains[l] = h->signals[l].gain;
        bases[l] = h->signals[l].baseline;
        zeros[l] = h->signals[l].adc_zero;
    }
    struct tc_media_wfdb_writer_params p = {
        .dir = tmp_dir,
        .name = name,
        .n_leads = n,
        .sample_rate_hz = (unsigned)h->sample_rate_hz,
        .frames_per_packet = fpp,
        .reorder_packets = 8,
        .lead_names = names,
        .gains = gains,
        .baselines = bases,
        .adc_zeros = zeros,
        .adc_resolution = h->signals[0].adc_resolution,
        .started_at_us = 1795000000000000,
    };
    if (tc_media_wfdb_writer_open(&p, &w) != 0) {
        return NULL;
    }
    return w;
}

static void
test_writer_reorders_and_matches_source_checksums(void)
{
    struct tc_media_wfdb_record *src = read_source("s0010_re"), *back = NULL;
    struct tc_media_wfdb_writer *w;
    uint8_t pl[TC_MEDIA_ECG_MAX_PAYLOAD * 2];
    unsigned fpp = 20;
    int64_t n_pkts;

    TC_REQUIRE(src);
    w = writer_for(src, "copy", fpp);
    TC_REQUIRE(w);
    n_pkts = (src->n_frames + fpp - 1) / fpp;
    /* swap every pair 4k+1, 4k+3: small reorderings */
    for (int64_t k = 0; k < n_pkts; k++) {
        int64_t j = k % 4 == 1 && k + 2 < n_pkts ? k + 2
                    : k % 4 == 3                 ? k - 2
                                                 : k;
        unsigned frames = payload_of(src, 15, fpp, j, pl);
        TC_CHECK_EQ(tc_media_wfdb_writer_put(w, j, pl, frames), 0);
        if (k % 100 == 0) {
            TC_CHECK_EQ(tc_media_wfdb_writer_sync(w), 0);
        }
    }
    /* a duplicate is refused */
    payload_of(src, 15, fpp, 0, pl);
    TC_CHECK_EQ(tc_media_wfdb_writer_put(w, 0, pl, fpp), -EALREADY);
    TC_CHECK_EQ(tc_media_wfdb_writer_finish(w, -1), 0);
    TC_CHECK_EQ(tc_media_wfdb_writer_frames(w), src->n_frames);
    TC_CHECK_EQ(tc_media_wfdb_writer_lost_frames(w), 0);
    tc_media_wfdb_writer_free(w);
    TC_REQUIRE(tc_media_wfdb_record_read(tmp_dir, "copy", &back, err,
                                         sizeof(err)) == 0);
    TC_CHECK_EQ(back->n_frames, src->n_frames);
    TC_CHECK(memcmp(back->samples, src->samples,
                    (size_t)src->n_frames * 15 * 2) == 0);
    for (unsigned s = 0; s < 15; s++) {
        TC_CHECK_EQ(back->header.signals[s].checksum,
                    src->header.signals[s].checksum);
        TC_CHECK(back->header.signals[s].gain == src->header.signals[s].gain);
        TC_CHECK_EQ(back->header.signals[s].baseline,
                    src->header.signals[s].baseline);
        /* each lead keeps its own name and ADC description */
        TC_CHECK_STR_EQ(back->header.signals[s].description,
                        src->header.signals[s].description);
        TC_CHECK_EQ(back->header.signals[s].adc_zero,
                    src->header.signals[s].adc_zero);
        TC_CHECK_EQ(back->header.signals[s].adc_resolution,
                    src->header.signals[s].adc_resolution);
        TC_CHECK_STR_EQ(back->header.signals[s].units,
                        src->header.signals[s].units);
        TC_CHECK_EQ(back->header.signals[s].format, 16);
    }
    /* started_at_us 1795000000 s: 2026-11-18 11:06:40 UTC, the date in
     * WFDB's DD/MM/YYYY */
    TC_CHECK_STR_EQ(back->header.base_time, "11:06:40.000");
    TC_CHECK_STR_EQ(back->header.base_date, "18/11/2026");
    tc_media_wfdb_record_free(back);
    tc_media_wfdb_record_free(src);
}

static void
test_writer_marks_lost_packets_invalid(void)
{
    struct tc_media_wfdb_record *src = read_source("100"), *back = NULL;
    struct tc_media_wfdb_writer *w;
    uint8_t pl[TC_MEDIA_ECG_MAX_PAYLOAD];
    unsigned fpp = 7;
    int64_t n_pkts = 3000, lost = 0;
    bool bad = false;

    TC_REQUIRE(src);
    w = writer_for(src, "lossy", fpp);
    TC_REQUIRE(w);
    for (int64_t k = 0; k < n_pkts; k++) {
        if (k % 17 == 3 || k == n_pkts - 1) {
            lost++;
            continue; /* never sent, also the last one */
        }
        payload_of(src, 2, fpp, k, pl);
        TC_CHECK_EQ(tc_media_wfdb_writer_put(w, k, pl, fpp), 0);
    }
    /* a packet 8 behind is given up already */
    payload_of(src, 2, fpp, 3, pl);
    TC_CHECK_EQ(tc_media_wfdb_writer_put(w, 3, pl, fpp), -EALREADY);
    TC_CHECK_EQ(tc_media_wfdb_writer_finish(w, n_pkts * fpp), 0);
    TC_CHECK_EQ(tc_media_wfdb_writer_lost_frames(w), lost * fpp);
    tc_media_wfdb_writer_free(w);
    TC_REQUIRE(tc_media_wfdb_record_read(tmp_dir, "lossy", &back, err,
                                         sizeof(err)) == 0);
    TC_REQUIRE(back->n_frames == n_pkts * fpp);
    /* record 100's ADC zero is 1024, not the default 0 */
    for (unsigned l = 0; l < 2; l++) {
        TC_CHECK_STR_EQ(back->header.signals[l].description,
                        src->header.signals[l].description);
        TC_CHECK_EQ(back->header.signals[l].adc_zero,
                    src->header.signals[l].adc_zero);
        TC_CHECK_EQ(back->header.signals[l].adc_resolution,
                    src->header.signals[l].adc_resolution);
    }
    for (int64_t t = 0; t < back->n_frames && !bad; t++) {
        int64_t k = t / fpp;
        bool gone = k % 17 == 3 || k == n_pkts - 1;
        for (unsigned l = 0; l < 2; l++) {
            int16_t want =
                gone ? TC_MEDIA_ECG_INVALID : src->samples[t * 2 + l];
            if (back->samples[t * 2 + l] != want) {
                TC_FAIL_("frame %lld lead %u: %d, want %d", (long long)t, l,
                         back->samples[t * 2 + l], want);
                bad = true;
            }
        }
    }
    tc_media_wfdb_record_free(back);
    tc_media_wfdb_record_free(src);
}

static void
test_writer_killed_mid_stream_leaves_a_valid_record(void)
{
    struct tc_media_wfdb_record *src = read_source("s0010_re"), *back = NULL;
    int status = 0;
    pid_t pid;

    TC_REQUIRE(src);
    pid = fork();
    if (pid == 0) {
        struct tc_media_wfdb_writer *w = writer_for(src, "killed", 20);
        uint8_t pl[TC_MEDIA_ECG_MAX_PAYLOAD * 2];
        if (!w) {
            _exit(3);
        }
        for (int64_t k = 0; k < 1000; k++) {
            unsigned frames = payload_of(src, 15, 20, k, pl);
            tc_media_wfdb_writer_put(w, k, pl, frames);
            if (k % 50 == 49) {
                tc_media_wfdb_writer_sync(w);
            }
            if (k == 777) {
                raise(SIGKILL);
            }
        }
        _exit(4);
    }
    TC_REQUIRE(pid > 0);
    waitpid(pid, &status, 0);
    TC_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    TC_REQUIRE(tc_media_wfdb_record_read(tmp_dir, "killed", &back, err,
                                         sizeof(err)) == 0);
    /* synced after packet 749: 750 packets, minus those still in the
     * reorder ring (none: all arrived in order) */
    TC_CHECK_EQ(back->n_frames, 750 * 20);
    TC_CHECK(memcmp(back->samples, src->samples,
                    (size_t)back->n_frames * 15 * 2) == 0);
    tc_media_wfdb_record_free(back);
    tc_media_wfdb_record_free(src);
}

int
main(void)
{
    const char *shared = getenv("TC_SHARED_DATA");

    snprintf(data_dir, sizeof(data_dir), "%s/ecg",
             shared ? shared : "../shared/data");
    if (!mkdtemp(tmp_dir)) {
        return 1;
    }
    TC_RUN(test_record_100_format_212);
    TC_RUN(test_record_s0010_re_two_files);
    TC_RUN(test_header_refusals_name_line_and_field);
    TC_RUN(test_checksum_mismatch_and_short_file);
    TC_RUN(test_writer_reorders_and_matches_source_checksums);
    TC_RUN(test_writer_marks_lost_packets_invalid);
    TC_RUN(test_writer_killed_mid_stream_leaves_a_valid_record);
    {
        char cmd[4200];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp_dir);
        if (system(cmd) != 0) {
            printf("# could not remove %s\n", tmp_dir);
        }
    }
    return tc_done();
}
