// SPDX-License-Identifier: Apache-2.0
/*
 * wfdb-read.c - read PhysioNet WFDB records: the header's text and the
 * signal files in formats 16 and 212, checked against the header's
 * checksums.
 *
 * The header and the signal files come from outside (an upload, a device
 * maker's files), so every field is parsed with a bound and a refusal
 * names the line and the field (fuzzed: tests/fuzz/fuzz-wfdb.c). Only
 * what this reader can read exactly is accepted: single-segment records,
 * one sample per signal per frame, no byte offsets, formats 16 and 212;
 * anything else is -ENOTSUP, never a guess.
 *
 * Pure functions, no thread of their own; tc_media_wfdb_record_read()
 * does blocking file I/O. Plain C (no GLib): the device tool links it too.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc-media.h"

#define MAX_LINE   1024
#define MAX_FIELDS 16

__attribute__((format(printf, 4, 5))) static int
fail(int rc, char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;

    if (err && err_len) {
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* Split a line at blanks into at most MAX_FIELDS fields; the last field
 * (a signal's description) keeps its inner blanks. */
static unsigned
split(char *line, char **fields, unsigned max_fields)
{
    unsigned n = 0;
    char *p = line;

    while (n < max_fields) {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (!*p) {
            break;
        }
        fields[n++] = p;
        if (n == max_fields) {
            break;
        }
        while (*p && *p != ' ' && *p != '\t') {
            p++;
        }
        if (*p) {
            *p++ = '\0';
        }
    }
    return n;
}

static bool
parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        return false;
    }
    *out = v;
    return true;
}

static bool
copy_field(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    if (n == 0 || n >= cap) {
        return false;
    }
    memcpy(dst, src, n + 1);
    return true;
}

static int
parse_record_line(char *line, struct tc_media_wfdb_header *h, char *err,
                  size_t err_len)
{
    char *f[6];
    unsigned n = split(line, f, 6);
    char *end;
    long v;

    if (n < 2) {
        return fail(-EINVAL, err, err_len,
                    "header line 1: needs a record name and a signal count");
    }
    if (strchr(f[0], '/')) {
        return fail(-ENOTSUP, err, err_len,
                    "header line 1: multi-segment records are not read");
    }
    if (!copy_field(h->name, sizeof(h->name), f[0])) {
        return fail(-EINVAL, err, err_len,
                    "header line 1: record name longer than 63 bytes");
    }
    if (!parse_long(f[1], 1, TC_MEDIA_WFDB_MAX_SIGNALS, &v)) {
        return fail(-EINVAL, err, err_len,
                    "header line 1: signal count must be 1..%d",
                    TC_MEDIA_WFDB_MAX_SIGNALS);
    }
    h->n_signals = (unsigned)v;
    h->sample_rate_hz = 250;
    h->n_frames = -1;
    if (n > 2) {
        errno = 0;
        h->sample_rate_hz = strtod(f[2], &end);
        if (errno || end == f[2] || (*end && *end != '/') ||
            !(h->sample_rate_hz >= 1 && h->sample_rate_hz <= 100000)) {
            return fail(-EINVAL, err, err_len,
                        "header line 1: sampling frequency must be "
                        "1..100000 Hz");
        }
    }
    if (n > 3) {
        if (!parse_long(f[3], 0, LONG_MAX, &v)) {
            return fail(-EINVAL, err, err_len,
                        "header line 1: number of samples is not a count");
        }
        h->n_frames = v;
    }
    if (n > 4 && !copy_field(h->base_time, sizeof(h->base_time), f[4])) {
        return fail(-EINVAL, err, err_len, "header line 1: base time");
    }
    if (n > 5 && !copy_field(h->base_date, sizeof(h->base_date), f[5])) {
        return fail(-EINVAL, err, err_len, "header line 1: base date");
    }
    return 0;
}

/* "200", "200(0)", "200/mV", "2000(-3)/uV"; 0 means the default 200. */
static bool
parse_gain(const char *s, struct tc_media_wfdb_signal *sig, bool *has_base)
{
    char *end;
    long base;

    errno = 0;
    sig->gain = strtod(s, &end);
    if (errno || end == s || !(sig->gain >= 0 && sig->gain < 1e9)) {
        return false;
    }
    if (sig->gain == 0) {
        sig->gain = 200;
    }
    if (*end == '(') {
        errno = 0;
        base = strtol(end + 1, &end, 10);
        if (errno || *end != ')' || base < -32768 || base > 32767) {
            return false;
        }
        sig->baseline = (int)base;
        *has_base = true;
        end++;
    }
    if (*end == '/') {
        return copy_field(sig->units, sizeof(sig->units), end + 1);
    }
    return *end == '\0';
}

static int
file_index(struct tc_media_wfdb_header *h, const char *file, unsigned line,
           char *err, size_t err_len)
{
    if (strchr(file, '/') || strcmp(file, "-") == 0 || file[0] == '.') {
        return fail(-EINVAL, err, err_len,
                    "header line %u: signal file name must be a plain "
                    "file name",
                    line);
    }
    if (h->n_files > 0 && strcmp(h->files[h->n_files - 1], file) == 0) {
        return (int)h->n_files - 1;
    }
    for (unsigned i = 0; i < h->n_files; i++) {
        if (strcmp(h->files[i], file) == 0) {
            return fail(-EINVAL, err, err_len,
                        "header line %u: signals of file %s are not "
                        "consecutive",
                        line, file);
        }
    }
    if (h->n_files == TC_MEDIA_WFDB_MAX_FILES ||
        !copy_field(h->files[h->n_files], sizeof(h->files[0]), file)) {
        return fail(-EINVAL, err, err_len,
                    "header line %u: too many signal files or a name "
                    "over 63 bytes",
                    line);
    }
    return (int)h->n_files++;
}

static int
parse_signal_line(char *line, unsigned lineno, struct tc_media_wfdb_header *h,
                  struct tc_media_wfdb_signal *sig, char *err, size_t err_len)
{
    char *f[9];
    unsigned n = split(line, f, 9);
    bool has_base = false;
    char *end;
    long v;
    int fi;

    if (n < 2) {
        return fail(-EINVAL, err, err_len,
                    "header line %u: a signal needs a file name and a "
                    "format",
                    lineno);
    }
    fi = file_index(h, f[0], lineno, err, err_len);
    if (fi < 0) {
        return fi;
    }
    memcpy(sig->file, h->files[fi], sizeof(sig->file));
    sig->file_index = (unsigned)fi;
    errno = 0;
    v = strtol(f[1], &end, 10);
    if (errno || end == f[1]) {
        return fail(-EINVAL, err, err_len,
                    "header line %u: format is not a number", lineno);
    }
    if (*end || (v != 16 && v != 212)) {
        return fail(-ENOTSUP, err, err_len,
                    "header line %u: format %s is not read (16 and 212 "
                    "are, without samples-per-frame, skew or offset)",
                    lineno, f[1]);
    }
    sig->format = (unsigned)v;
    if (fi >= 0 && sig != h->signals) {
        const struct tc_media_wfdb_signal *prev = sig - 1;
        if (prev->file_index == (unsigned)fi && prev->format != sig->format) {
            return fail(-ENOTSUP, err, err_len,
                        "header line %u: one file in two formats", lineno);
        }
    }
    sig->gain = 200;
    strcpy(sig->units, "mV");
    sig->adc_resolution = sig->format == 212 ? 12 : 16;
    if (n > 2 && !parse_gain(f[2], sig, &has_base)) {
        return fail(-EINVAL, err, err_len,
                    "header line %u: gain must be like 200, 200(0) or "
                    "200(0)/mV",
                    lineno);
    }
    if (n > 3) {
        if (!parse_long(f[3], 0, 16, &v)) {
            return fail(-EINVAL, err, err_len,
                        "header line %u: ADC resolution must be 0..16 bits",
                        lineno);
        }
        sig->adc_resolution = v ? (unsigned)v : sig->adc_resolution;
    }
    if (n > 4 && !parse_long(f[4], -32768, 32767, &v)) {
        return fail(-EINVAL, err, err_len,
                    "header line %u: ADC zero must be a 16-bit value", lineno);
    }
    sig->adc_zero = n > 4 ? (int)v : 0;
    if (!has_base) {
        sig->baseline = sig->adc_zero;
    }
    if (n > 5 && !parse_long(f[5], -32768, 32767, &v)) {
        return fail(-EINVAL, err, err_len,
                    "header line %u: initial value must be a 16-bit value",
                    lineno);
    }
    sig->init_value = n > 5 ? (int)v : 0;
    if (n > 6) {
        if (!parse_long(f[6], -32768, 32767, &v)) {
            return fail(-EINVAL, err, err_len,
                        "header line %u: checksum must be a 16-bit value",
                        lineno);
        }
        sig->checksum = (int16_t)v;
        sig->has_checksum = true;
    }
    if (n > 7 && !parse_long(f[7], 0, 0, &v)) {
        return fail(-ENOTSUP, err, err_len,
                    "header line %u: block size must be 0", lineno);
    }
    if (n > 8) {
        size_t len = strcspn(f[8], "\r");
        snprintf(sig->description, sizeof(sig->description), "%.*s", (int)len,
                 f[8]);
    }
    return 0;
}

int
tc_media_wfdb_header_parse(const char *text, size_t len,
                           struct tc_media_wfdb_header *out, char *err,
                           size_t err_len)
{
    struct tc_media_wfdb_header *h;
    char line[MAX_LINE];
    unsigned lineno = 0, n_sig = 0;
    bool have_record = false;
    size_t pos = 0;
    int rc;

    if (len > TC_MEDIA_WFDB_MAX_HEADER) {
        return fail(-EINVAL, err, err_len, "header is over %d bytes",
                    TC_MEDIA_WFDB_MAX_HEADER);
    }
    h = calloc(1, sizeof(*h));
    if (!h) {
        return -ENOMEM;
    }
    while (pos < len && (!have_record || n_sig < h->n_signals)) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

        lineno++;
        if (n >= MAX_LINE || memchr(text + pos, '\0', n)) {
            rc = fail(-EINVAL, err, err_len,
                      "header line %u: longer than %d bytes or holds a NUL",
                      lineno, MAX_LINE - 1);
            goto out;
        }
        memcpy(line, text + pos, n);
        line[n] = '\0';
        line[strcspn(line, "\r#")] = '\0';
        pos += n + 1;
        if (line[strspn(line, " \t")] == '\0') {
            continue; /* blank or comment */
        }
        if (!have_record) {
            rc = parse_record_line(line, h, err, err_len);
            have_record = true;
        } else {
            rc = parse_signal_line(line, lineno, h, &h->signals[n_sig], err,
                                   err_len);
            n_sig++;
        }
        if (rc < 0) {
            goto out;
        }
    }
    if (!have_record || n_sig < h->n_signals) {
        rc = fail(-EINVAL, err, err_len,
                  "header: %u signal lines, the record line says %u", n_sig,
                  h->n_signals);
        goto out;
    }
    *out = *h;
    rc = 0;
out:
    free(h);
    return rc;
}

/* How many signals file `fi` holds, and the first one's index. */
static unsigned
file_signals(const struct tc_media_wfdb_header *h, unsigned fi,
             unsigned *first)
{
    unsigned n = 0;

    for (unsigned s = h->n_signals; s-- > 0;) {
        if (h->signals[s].file_index == fi) {
            n++;
            *first = s;
        }
    }
    return n;
}

int64_t
tc_media_wfdb_frames_in(const struct tc_media_wfdb_header *h,
                        unsigned file_index, size_t len)
{
    unsigned first = 0, n = file_signals(h, file_index, &first);

    if (n == 0) {
        return 0;
    }
    if (h->signals[first].format == 212) {
        return (int64_t)(len / 3 * 2 + (len % 3 >= 2 ? 1 : 0)) / n;
    }
    return (int64_t)(len / 2) / n;
}

static int16_t
sample_212(const uint8_t *data, uint64_t k)
{
    const uint8_t *p = data + k / 2 * 3;
    int v;

    if (k % 2 == 0) {
        v = p[0] | (p[1] & 0x0f) << 8;
    } else {
        v = p[2] | (p[1] & 0xf0) << 4;
    }
    if (v & 0x800) {
        v -= 0x1000;
    }
    return v == -2048 ? TC_MEDIA_ECG_INVALID : (int16_t)v;
}

int
tc_media_wfdb_decode(const struct tc_media_wfdb_header *h, unsigned file_index,
                     const uint8_t *data, size_t len, int64_t n_frames,
                     int16_t *samples, char *err, size_t err_len)
{
    unsigned first = 0, nf = file_signals(h, file_index, &first);
    int64_t have = tc_media_wfdb_frames_in(h, file_index, len);
    bool f212;

    if (nf == 0 || n_frames < 0 || have < n_frames) {
        return fail(-EINVAL, err, err_len,
                    "signal file %s holds %lld frames, the header says "
                    "%lld",
                    file_index < h->n_files ? h->files[file_index] : "?",
                    (long long)have, (long long)n_frames);
    }
    f212 = h->signals[first].format == 212;
    for (int64_t t = 0; t < n_frames; t++) {
        int16_t *frame = samples + t * h->n_signals + first;
        for (unsigned c = 0; c < nf; c++) {
            uint64_t k = (uint64_t)t * nf + c;
            if (f212) {
                frame[c] = sample_212(data, k);
            } else {
                frame[c] = (int16_t)(data[2 * k] | data[2 * k + 1] << 8);
            }
        }
    }
    return 0;
}

int
tc_media_wfdb_checksums_verify(const struct tc_media_wfdb_header *h,
                               const int16_t *samples, int64_t n_frames,
                               char *err, size_t err_len)
{
    for (unsigned s = 0; s < h->n_signals; s++) {
        uint16_t sum = 0;

        if (!h->signals[s].has_checksum) {
            continue;
        }
        for (int64_t t = 0; t < n_frames; t++) {
            sum = (uint16_t)(sum + (uint16_t)samples[t * h->n_signals + s]);
        }
        if ((int16_t)sum != h->signals[s].checksum) {
            return fail(-EBADMSG, err, err_len,
                        "signal %u (%s): checksum %d, the header says %d",
                        s + 1, h->signals[s].description, (int16_t)sum,
                        h->signals[s].checksum);
        }
    }
    return 0;
}

static int
slurp(const char *dir, const char *file, size_t max, uint8_t **data,
      size_t *len, char *err, size_t err_len)
{
    char path[4096];
    FILE *f;
    long size;
    int rc = 0;

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    f = fopen(path, "rb");
    if (!f) {
        rc = -errno;
        return fail(rc, err, err_len, "%s: cannot open", file);
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return fail(-EIO, err, err_len, "%s: cannot read", file);
    }
    if ((size_t)size > max) {
        fclose(f);
        return fail(-EFBIG, err, err_len, "%s: over %zu bytes", file, max);
    }
    *data = malloc((size_t)size + 1);
    if (!*data) {
        fclose(f);
        return -ENOMEM;
    }
    if (fread(*data, 1, (size_t)size, f) != (size_t)size) {
        rc = fail(-EIO, err, err_len, "%s: cannot read", file);
        free(*data);
        *data = NULL;
    }
    *len = (size_t)size;
    fclose(f);
    return rc;
}

void
tc_media_wfdb_record_free(struct tc_media_wfdb_record *rec)
{
    if (rec) {
        free(rec->samples);
        free(rec);
    }
}

static int
read_files(const char *dir, struct tc_media_wfdb_record *rec, char *err,
           size_t err_len)
{
    struct tc_media_wfdb_header *h = &rec->header;
    int64_t n = h->n_frames;
    uint8_t *data[TC_MEDIA_WFDB_MAX_FILES] = {0};
    size_t len[TC_MEDIA_WFDB_MAX_FILES] = {0};
    int rc = 0;

    for (unsigned fi = 0; fi < h->n_files && rc == 0; fi++) {
        rc = slurp(dir, h->files[fi], (size_t)TC_MEDIA_WFDB_MAX_SAMPLES * 2,
                   &data[fi], &len[fi], err, err_len);
        if (rc == 0 && h->n_frames < 0) {
            int64_t have = tc_media_wfdb_frames_in(h, fi, len[fi]);
            n = n < 0 || have < n ? have : n;
        }
    }
    if (rc == 0 && n * h->n_signals > TC_MEDIA_WFDB_MAX_SAMPLES) {
        rc = fail(-EFBIG, err, err_len, "record over %d samples",
                  TC_MEDIA_WFDB_MAX_SAMPLES);
    }
    if (rc == 0) {
        rec->samples =
            calloc((size_t)(n ? n : 1) * h->n_signals, sizeof(int16_t));
        rc = rec->samples ? 0 : -ENOMEM;
    }
    for (unsigned fi = 0; fi < h->n_files && rc == 0; fi++) {
        rc = tc_media_wfdb_decode(h, fi, data[fi], len[fi], n, rec->samples,
                                  err, err_len);
    }
    for (unsigned fi = 0; fi < h->n_files; fi++) {
        free(data[fi]);
    }
    rec->n_frames = n;
    return rc;
}

int
tc_media_wfdb_record_read(const char *dir, const char *name,
                          struct tc_media_wfdb_record **out, char *err,
                          size_t err_len)
{
    struct tc_media_wfdb_record *rec;
    char hea[300];
    uint8_t *text = NULL;
    size_t len = 0;
    int rc;

    if (strchr(name, '/') || strlen(name) > 255) {
        return fail(-EINVAL, err, err_len, "record name must be a file name");
    }
    rec = calloc(1, sizeof(*rec));
    if (!rec) {
        return -ENOMEM;
    }
    snprintf(hea, sizeof(hea), "%s.hea", name);
    rc = slurp(dir, hea, TC_MEDIA_WFDB_MAX_HEADER, &text, &len, err, err_len);
    if (rc == 0) {
        rc = tc_media_wfdb_header_parse((const char *)text, len, &rec->header,
                                        err, err_len);
    }
    free(text);
    if (rc == 0) {
        rc = read_files(dir, rec, err, err_len);
    }
    if (rc == 0) {
        rc = tc_media_wfdb_checksums_verify(&rec->header, rec->samples,
                                            rec->n_frames, err, err_len);
    }
    if (rc < 0) {
        tc_media_wfdb_record_free(rec);
        return rc;
    }
    *out = rec;
    return 0;
}
