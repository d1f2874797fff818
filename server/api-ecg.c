// SPDX-License-Identifier: Apache-2.0
/*
 * api-ecg.c - remote ECG over HTTP (/api/v1):
 *
 *   PUT    /api/v1/ecg-devices/{device}/residents/{id}  assign a device
 *   DELETE /api/v1/ecg-devices/{device}/residents/{id}  unassign it
 *   POST   /api/v1/ecg-studies/import                   a stored WFDB record,
 *                                                       or (application/dicom)
 *                                                       a DICOM ECG waveform
 *   GET    /api/v1/ecg-studies/{id}/waveform            FHIR R4 Observation
 *
 * An import is checked whole before anything is written: the header
 * (formats 16 and 212, several signal files), every file the header names,
 * their lengths and every checksum, and the lead names; a refusal is 400
 * (415 for a valid record this reader does not read) naming the file,
 * line or signal. Then the record is archived like a live stream
 * (<data_dir>/ecg/<name>, format 16, checksums kept) and becomes an ECG
 * study awaiting reading; if the study cannot be created the files are
 * removed again. A DICOM 12-lead or general ECG waveform object (the body
 * itself, Part-10; the other fields as query parameters) is read through
 * DCMTK (tc-dicom.h), its first multiplex group mapped to the same upload
 * and archived the same way (docs/ecg-rtp.md §6 has the mapping).
 *
 * The waveform is the archive read back: one Observation component per
 * lead with valueSampledData (R4: origin, period in ms, factor, data;
 * "E" for an invalid sample), for a window of at most 60 s.
 *
 * Access: assignments follow the policy for writing the resident's
 * record; imports and waveforms the policy for studies, as
 * api-studies.c. Every decision is audited there.
 *
 * Thread: main.
 */
#define G_LOG_DOMAIN "api"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <sodium.h>

#include "server-int.h"
#include "tc-dicom.h"
#include "tc-media.h"
#include "tc-records.h"

#define ECG          "ecg_study"
#define MAX_WINDOW_S 60

/* ---- device assignments ---- */

static bool
device_param(struct tc_srv__call *call, const char **device)
{
    const char *d = call->req.params[0];
    size_t n = strlen(d);

    if (n < 1 || n > 64) {
        tc_srv__resp_error_field(&call->resp, 400, "device",
                                 "device: 1..64 bytes");
        return false;
    }
    *device = d;
    return true;
}

static bool
record_write_allowed(struct tc_srv *srv, struct tc_srv__call *call,
                     int64_t resident_id)
{
    struct tc_srv__target t = {
        .action = TC_SRV__ACT_WRITE,
        .kind = TC_SRV__KIND_RECORD,
        .resident_id = resident_id,
        .entity_type = "ecg_device",
        .purpose = "ECG device assignment",
    };

    return tc_srv__policy_check(srv, call, &t);
}

static void
device_assign(struct tc_srv *srv, struct tc_srv__call *call)
{
    const char *device = NULL;
    int64_t resident = 0;

    if (!device_param(call, &device) ||
        !tc_srv__param_id(call, 1, "resident id", &resident) ||
        !record_write_allowed(srv, call, resident)) {
        return;
    }
    if (tc_srv__audit_outcome(srv, call,
                              tc_rec_ecg_device_assign(
                                  srv->db, device, resident,
                                  call->req.who->user_id, g_get_real_time()),
                              TC_REC_AUDIT_UPDATE, "ecg_device", 0,
                              resident)) {
        tc_srv__resp_ok(call, 200,
                        json_pack("{s:s,s:I}", "device_id", device,
                                  "resident_id", (json_int_t)resident));
    }
}

static void
device_unassign(struct tc_srv *srv, struct tc_srv__call *call)
{
    const char *device = NULL;
    int64_t resident = 0;

    if (!device_param(call, &device) ||
        !tc_srv__param_id(call, 1, "resident id", &resident) ||
        !record_write_allowed(srv, call, resident)) {
        return;
    }
    if (tc_srv__audit_outcome(
            srv, call, tc_rec_ecg_device_unassign(srv->db, device, resident),
            TC_REC_AUDIT_UPDATE, "ecg_device", 0, resident)) {
        tc_srv__resp_no_content(call);
    }
}

/* ---- import ---- */

struct upload {
    struct tc_media_wfdb_header h;
    int64_t n_frames;
    int16_t *samples;
    char leads[TC_MEDIA_ECG_MAX_LEADS][16];
};

/* Decode and check the record in `body`; false after a 4xx. */
static bool
upload_read(struct tc_srv__call *call, json_t *body, struct upload *u)
{
    const char *text = NULL;
    json_t *files = json_object_get(body, "files");
    char err[256];
    int rc;

    if (!tc_srv__json_string(call, body, "header", true, 256 * 1024, &text)) {
        return false;
    }
    rc = tc_media_wfdb_header_parse(text, strlen(text), &u->h, err,
                                    sizeof(err));
    if (rc < 0) {
        tc_srv__resp_error_field(&call->resp, rc == -ENOTSUP ? 415 : 400,
                                 "header", err);
        return false;
    }
    if (!json_is_object(files)) {
        tc_srv__resp_error_field(&call->resp, 400, "files",
                                 "files: an object of file name -> base64");
        return false;
    }
    for (unsigned fi = 0; fi < u->h.n_files; fi++) {
        const char *b64 =
            json_string_value(json_object_get(files, u->h.files[fi]));
        g_autofree guchar *data = NULL;
        gsize len = 0;
        int64_t n;

        if (!b64) {
            g_snprintf(err, sizeof(err),
                       "files: %s (named by the header) is missing",
                       u->h.files[fi]);
            tc_srv__resp_error_field(&call->resp, 400, "files", err);
            return false;
        }
        data = g_base64_decode(b64, &len);
        n = u->h.n_frames >= 0 ? u->h.n_frames
                               : tc_media_wfdb_frames_in(&u->h, fi, len);
        if (fi == 0) {
            u->n_frames = n;
            if (n <= 0 || n * u->h.n_signals > TC_MEDIA_WFDB_MAX_SAMPLES) {
                tc_srv__resp_error_field(&call->resp, 400, "files",
                                         "files: no samples, or over 64 Mi "
                                         "samples");
                return false;
            }
            u->samples = g_new0(int16_t, (gsize)n * u->h.n_signals);
        }
        if (tc_media_wfdb_decode(&u->h, fi, data, len, u->n_frames, u->samples,
                                 err, sizeof(err)) < 0) {
            tc_srv__resp_error_field(&call->resp, 400, "files", err);
            return false;
        }
    }
    if (tc_media_wfdb_checksums_verify(&u->h, u->samples, u->n_frames, err,
                                       sizeof(err)) < 0) {
        tc_srv__resp_error_field(&call->resp, 400, "files", err);
        return false;
    }
    if (u->h.n_signals > TC_MEDIA_ECG_MAX_LEADS || u->h.sample_rate_hz < 50 ||
        u->h.sample_rate_hz > 20000 ||
        u->h.sample_rate_hz != floor(u->h.sample_rate_hz)) {
        tc_srv__resp_error_field(&call->resp, 400, "header",
                                 "header: at most 16 signals, at a whole "
                                 "50..20000 Hz");
        return false;
    }
    for (unsigned s = 0; s < u->h.n_signals; s++) {
        if (tc_rec_ecg_lead_normalize(u->h.signals[s].description, u->leads[s],
                                      sizeof(u->leads[s])) < 0) {
            g_snprintf(err, sizeof(err),
                       "header: signal %u is not an ECG lead this system "
                       "knows",
                       s + 1);
            tc_srv__resp_error_field(&call->resp, 400, "header", err);
            return false;
        }
    }
    return true;
}

/* Write the upload as <dir>/<name> in format 16. */
static int
upload_archive(const struct upload *u, const char *dir, const char *name,
               int64_t started_at_us)
{
    const char *names[TC_MEDIA_ECG_MAX_LEADS];
    double gains[TC_MEDIA_ECG_MAX_LEADS];
    int bases[TC_MEDIA_ECG_MAX_LEADS], zeros[TC_MEDIA_ECG_MAX_LEADS];
    unsigned n = u->h.n_signals, fpp = 32;
    struct tc_media_wfdb_writer *w = NULL;
    g_autofree uint8_t *be = g_malloc((gsize)fpp * n * 2);
    int rc;

    for (unsigned s = 0; s < n; s++) {
        names[s] = u->leads[s];
        gains[s] = u->h.signals[s].gain;
        bases[s] = u->h.signals[s].baseline;
        zeros[s] = u->h.signals[s].adc_zero;
    }
    struct tc_media_wfdb_writer_params p = {
        .dir = dir,
        .name = name,
        .n_leads = n,
        .sample_rate_hz = (unsigned)u->h.sample_rate_hz,
        .frames_per_packet = fpp,
        .reorder_packets = 1,
        .lead_names = names,
        .gains = gains,
        .baselines = bases,
        .adc_zeros = zeros,
        .adc_resolution = MAX(8u, u->h.signals[0].adc_resolution),
        .started_at_us = started_at_us,
    };
    rc = tc_media_wfdb_writer_open(&p, &w);
    for (int64_t t = 0; rc == 0 && t < u->n_frames; t += fpp) {
        unsigned frames = (unsigned)MIN((int64_t)fpp, u->n_frames - t);
        for (size_t i = 0; i < (size_t)frames * n; i++) {
            uint16_t v = (uint16_t)u->samples[t * n + (int64_t)i];
            be[2 * i] = (uint8_t)(v >> 8);
            be[2 * i + 1] = (uint8_t)v;
        }
        rc = tc_media_wfdb_writer_put(w, t / fpp, be, frames);
    }
    if (rc == 0) {
        rc = tc_media_wfdb_writer_finish(w, u->n_frames);
    }
    tc_media_wfdb_writer_free(w);
    return rc;
}

static void
remove_archive(const char *dir, const char *name)
{
    g_autofree char *dat = g_strdup_printf("%s/%s.dat", dir, name);
    g_autofree char *hea = g_strdup_printf("%s/%s.hea", dir, name);

    g_unlink(dat);
    g_unlink(hea);
}

/* Archive `u` and create its study; answers 201 or an error. */
static void
import_commit(struct tc_srv *srv, struct tc_srv__call *call,
              struct tc_rec_ecg_study_new *in, int64_t reader,
              const struct upload *u)
{
    char leads[TC_MEDIA_ECG_MAX_LEADS * 16] = "", name[48], path[64];
    g_autofree char *dir = g_build_filename(srv->cfg->data_dir, "ecg", NULL);
    int64_t id = 0;
    int rc;

    for (unsigned s = 0; s < u->h.n_signals; s++) {
        if (s) {
            g_strlcat(leads, ",", sizeof(leads));
        }
        g_strlcat(leads, u->leads[s], sizeof(leads));
    }
    g_snprintf(name, sizeof(name), "import-%" G_GINT64_FORMAT "-%08x",
               g_get_real_time() / 1000000, randombytes_random());
    g_snprintf(path, sizeof(path), "ecg/%s", name);
    if (g_mkdir_with_parents(dir, 0750) < 0 ||
        upload_archive(u, dir, name, in->started_at_us) < 0) {
        remove_archive(dir, name);
        tc_srv__resp_error(&call->resp, 500,
                           "the archive could not be "
                           "written");
        return;
    }
    in->leads = leads;
    in->sample_rate_hz = (int)u->h.sample_rate_hz;
    in->duration_ms =
        MAX(1, u->n_frames * 1000 / (int64_t)u->h.sample_rate_hz);
    in->storage_path = path;
    /* The study and its reader together: a reader the records refuse must
     * not leave a study behind whose archive is removed below. */
    rc = tc_rec_tx_begin(srv->db);
    if (rc == 0) {
        rc = tc_rec_ecg_study_create(srv->db, in, &id);
        if (rc == 0 && reader) {
            rc = tc_rec_ecg_study_assign(srv->db, id, reader);
        }
        if (rc == 0) {
            rc = tc_rec_tx_commit(srv->db);
        } else {
            tc_rec_tx_rollback(srv->db); /* keeps the error text */
        }
    }
    if (!tc_srv__audit_outcome(srv, call, rc, TC_REC_AUDIT_CREATE, ECG, id,
                               in->resident_id)) {
        remove_archive(dir, name);
        return;
    }
    g_message("ECG study %" G_GINT64_FORMAT ": imported, %" G_GINT64_FORMAT
              " frames of %u signals",
              id, u->n_frames, u->h.n_signals);
    tc_srv__resp_ok(call, 201,
                    json_pack("{s:I,s:s,s:I,s:I,s:s}", "id", (json_int_t)id,
                              "status", "awaiting_reading", "frames",
                              (json_int_t)u->n_frames, "duration_ms",
                              (json_int_t)in->duration_ms, "leads", leads));
}

static void ecg_import_dicom(struct tc_srv *srv, struct tc_srv__call *call);

static void
ecg_import(struct tc_srv *srv, struct tc_srv__call *call)
{
    static const char *const known[] = {
        "resident_id", "device_id", "header",     "files",
        "urgent",      "reader_id", "started_at", NULL};
    struct tc_rec_ecg_study_new in = {.started_at_us = g_get_real_time()};
    struct upload u = {0};
    int64_t reader = 0;
    json_t *body = NULL;
    char ct[128] = "";

    tc_srv__call_header(call, "content-type", ct, sizeof(ct));
    if (g_ascii_strncasecmp(ct, "application/dicom", 17) == 0) {
        ecg_import_dicom(srv, call);
        return;
    }
    if (!tc_srv__call_body(call, known, &body)) {
        return;
    }
    if (!tc_srv__json_int(call, body, "resident_id", true, 1, INT64_MAX,
                          &in.resident_id) ||
        !tc_srv__policy_check_record(srv, call, TC_SRV__ACT_WRITE,
                                     in.resident_id, ECG, 0) ||
        !tc_srv__who_practitioner(call, "import an ECG", &in.ordered_by) ||
        !tc_srv__json_string(call, body, "device_id", true, 64,
                             &in.device_id) ||
        !tc_srv__json_bool(call, body, "urgent", &in.urgent) ||
        !tc_srv__json_int(call, body, "reader_id", false, 1, INT64_MAX,
                          &reader) ||
        !tc_srv__json_instant(call, body, "started_at", false,
                              &in.started_at_us) ||
        !upload_read(call, body, &u)) {
        goto out;
    }
    import_commit(srv, call, &in, reader, &u);
out:
    g_free(u.samples);
    json_decref(body);
}

/* ---- import of a DICOM waveform object ---- */

/* A channel's units (UCUM) per mV: uV, mV or V; 0 for others. */
static double
units_per_mv(const char *unit)
{
    return strcmp(unit, "uV") == 0   ? 1000.0
           : strcmp(unit, "mV") == 0 ? 1.0
           : strcmp(unit, "V") == 0  ? 0.001
                                     : 0;
}

/* ADC units per mV for channel c: 1 / (sensitivity x correction, in mV
 * per ADC unit); 0 when that is not a positive number in known units. */
static double
dicom_gain(const struct tc_media_dicom_waveform *w, int c)
{
    double per_adu = w->sensitivity[c] * w->correction[c];
    double g = units_per_mv(w->units[c]) / per_adu;

    return per_adu > 0 && isfinite(g) ? g : 0;
}

/* "Lead I (Einthoven)", "Lead aVR", "V1" -> the lead name; -EINVAL when
 * it names no lead this system knows. */
static int
dicom_lead(const char *label, char *out, size_t out_len)
{
    char name[65];
    char *paren;

    g_strlcpy(name, label, sizeof(name));
    if (g_ascii_strncasecmp(name, "Lead ", 5) == 0) {
        memmove(name, name + 5, strlen(name + 5) + 1);
    }
    paren = strchr(name, '(');
    if (paren) {
        *paren = '\0';
    }
    g_strstrip(name);
    return tc_rec_ecg_lead_normalize(name, out, out_len);
}

/*
 * A DICOM DT ("YYYYMMDDHHMMSS.FFFFFF&ZZXX", components optional from the
 * right, at least the date) as microseconds since the epoch. The offset is
 * the DT's own, else `tz` (Timezone Offset From UTC, "+0800"), else the
 * server's local time zone (devices record local time: run the server
 * with the county's TZ). -EINVAL when it is not such a value.
 */
int
tc_srv__dicom_dt_us(const char *dt, const char *tz, int64_t *out)
{
    int f[6] = {0, 1, 1, 0, 0, 0};
    static const int width[6] = {4, 2, 2, 2, 2, 2};
    const char *p = dt, *zone = tz && *tz ? tz : NULL;
    double frac = 0;
    GTimeZone *z;
    GDateTime *t;

    for (int i = 0; i < 6 && g_ascii_isdigit(*p); i++) {
        f[i] = 0;
        for (int k = 0; k < width[i]; k++, p++) {
            if (!g_ascii_isdigit(*p)) {
                return -EINVAL;
            }
            f[i] = f[i] * 10 + (*p - '0');
        }
        if (i == 2 && !g_ascii_isdigit(*p)) {
            break;
        }
    }
    if (p - dt < 8) {
        return -EINVAL; /* no whole date */
    }
    if (*p == '.' && p - dt == 14) {
        const char *q = ++p;
        while (g_ascii_isdigit(*p) && p - q < 6) {
            p++;
        }
        if (p == q) {
            return -EINVAL;
        }
        frac = g_ascii_strtod(q - 1, NULL);
    }
    if (*p == '+' || *p == '-') {
        zone = p;
        for (p++; g_ascii_isdigit(*p) && p - zone < 5; p++) {
        }
    }
    if (*p != '\0' && *p != ' ') {
        return -EINVAL;
    }
    if (zone) {
        int hh, mm;
        if (strlen(zone) < 5 || (zone[0] != '+' && zone[0] != '-') ||
            !g_ascii_isdigit(zone[1]) || !g_ascii_isdigit(zone[2]) ||
            !g_ascii_isdigit(zone[3]) || !g_ascii_isdigit(zone[4])) {
            return -EINVAL;
        }
        hh = (zone[1] - '0') * 10 + (zone[2] - '0');
        mm = (zone[3] - '0') * 10 + (zone[4] - '0');
        /* PS3.3 C.12.1.1.8: -1200 .. +1400 */
        if (mm > 59 || hh * 60 + mm > (zone[0] == '-' ? 720 : 840)) {
            return -EINVAL;
        }
        z = g_time_zone_new_offset((zone[0] == '-' ? -1 : 1) *
                                   (hh * 3600 + mm * 60));
    } else {
        z = g_time_zone_new_local();
    }
    t = g_date_time_new(z, f[0], f[1], f[2], f[3], f[4], f[5] + frac);
    g_time_zone_unref(z);
    if (!t) {
        return -EINVAL;
    }
    *out = g_date_time_to_unix(t) * G_USEC_PER_SEC +
           g_date_time_get_microsecond(t);
    g_date_time_unref(t);
    return 0;
}

/* What the object says of itself (tc_media_dicom_waveform). */
struct dicom_origin {
    int64_t acquired_us; /* 0: the object does not say */
    char patient_id[65];
};

/* The waveform's channels into `u`'s header (gain, baseline, lead names)
 * and its samples checked against WFDB format 16; false after a 4xx. */
static bool
dicom_channels(struct tc_srv__call *call,
               const struct tc_media_dicom_waveform *w, struct upload *u)
{
    char err[256];

    u->h.n_signals = (unsigned)w->n_channels;
    u->h.sample_rate_hz = w->sample_rate_hz;
    u->n_frames = w->n_samples;
    for (int c = 0; c < w->n_channels; c++) {
        double gain = dicom_gain(w, c);
        /* the ADC value of 0 mV: Channel Baseline is the value of sample
         * 0 in the channel's units (PS3.3 C.10.9.1.4.2) */
        double base =
            gain > 0 ? -w->baseline[c] / units_per_mv(w->units[c]) * gain : 0;

        if (gain <= 0) {
            g_snprintf(err, sizeof(err),
                       "body: channel %d: sensitivity must be positive, in "
                       "uV, mV or V",
                       c + 1);
            tc_srv__resp_error_field(&call->resp, 400, "body", err);
            return false;
        }
        if (!(fabs(base) <= 32767)) {
            g_snprintf(err, sizeof(err),
                       "body: channel %d: Channel Baseline out of range",
                       c + 1);
            tc_srv__resp_error_field(&call->resp, 400, "body", err);
            return false;
        }
        if (dicom_lead(w->labels[c], u->leads[c], sizeof(u->leads[c])) < 0) {
            g_snprintf(err, sizeof(err),
                       "body: channel %d is not an ECG lead this system knows",
                       c + 1);
            tc_srv__resp_error_field(&call->resp, 400, "body", err);
            return false;
        }
        u->h.signals[c].gain = gain;
        u->h.signals[c].baseline = (int)lround(base);
        u->h.signals[c].adc_resolution = 16;
    }
    /* WFDB format 16 holds -32767..32767 and -32768 (invalid) */
    for (size_t i = 0; i < (size_t)w->n_samples * w->n_channels; i++) {
        if (w->unsigned_samples ? (uint16_t)w->samples[i] > INT16_MAX
                                : w->samples[i] == INT16_MIN) {
            tc_srv__resp_error_field(&call->resp, 415, "body",
                                     "body: a sample outside -32767..32767 "
                                     "(WFDB format 16)");
            return false;
        }
    }
    return true;
}

/* Check the object in `path` and turn its rhythm group into `u`, and its
 * acquisition time and Patient ID into `o`; false after a 4xx. */
static bool
dicom_read(struct tc_srv__call *call, const char *path, struct upload *u,
           struct dicom_origin *o)
{
    static const char *const classes[] = {
        "1.2.840.10008.5.1.4.1.1.9.1.1", /* 12-lead ECG */
        "1.2.840.10008.5.1.4.1.1.9.1.2", /* general ECG */
    };
    struct tc_media_dicom_info info;
    struct tc_media_dicom_waveform *w = NULL;
    char *why = NULL;
    char err[256];
    bool known = false, ok = false;

    if (tc_media_dicom_info_read(path, &info, &why) < 0) {
        g_snprintf(err, sizeof(err), "body: not a DICOM Part-10 object (%s)",
                   why ? why : "unreadable");
        tc_srv__resp_error_field(&call->resp, 400, "body", err);
        goto out;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(classes); i++) {
        known = known || strcmp(info.sop_class_uid, classes[i]) == 0;
    }
    if (!known) {
        g_snprintf(err, sizeof(err),
                   "body: SOP class %s is not a 12-lead or general ECG "
                   "waveform",
                   info.sop_class_uid);
        tc_srv__resp_error_field(&call->resp, 415, "body", err);
        goto out;
    }
    if (tc_media_dicom_waveform_read(path, 0, &w, &why) < 0) {
        g_snprintf(err, sizeof(err), "body: %s", why ? why : "no waveform");
        tc_srv__resp_error_field(&call->resp, 400, "body", err);
        goto out;
    }
    if (w->n_channels > TC_MEDIA_ECG_MAX_LEADS) {
        g_snprintf(err, sizeof(err),
                   "body: %d channels, at most %d leads are imported",
                   w->n_channels, TC_MEDIA_ECG_MAX_LEADS);
        tc_srv__resp_error_field(&call->resp, 400, "body", err);
        goto out;
    }
    if (!(w->sample_rate_hz >= 50 && w->sample_rate_hz <= 20000) ||
        w->sample_rate_hz != floor(w->sample_rate_hz)) {
        tc_srv__resp_error_field(&call->resp, 400, "body",
                                 "body: Sampling Frequency must be a whole "
                                 "50..20000 Hz");
        goto out;
    }
    if ((int64_t)w->n_samples * w->n_channels > TC_MEDIA_WFDB_MAX_SAMPLES) {
        tc_srv__resp_error_field(&call->resp, 400, "body",
                                 "body: over 64 Mi samples");
        goto out;
    }
    if (!dicom_channels(call, w, u)) {
        goto out;
    }
    if (w->acquired[0] &&
        (tc_srv__dicom_dt_us(w->acquired, w->tz_offset, &o->acquired_us) < 0 ||
         o->acquired_us >
             g_get_real_time() + (int64_t)3600 * G_USEC_PER_SEC)) {
        tc_srv__resp_error_field(&call->resp, 400, "body",
                                 "body: Acquisition DateTime (or Content or "
                                 "Study Date and Time) is not a valid DICOM "
                                 "date and time, or lies in the future");
        goto out;
    }
    g_strlcpy(o->patient_id, w->patient_id, sizeof(o->patient_id));
    g_strstrip(o->patient_id);
    u->samples = w->samples;
    w->samples = NULL;
    ok = true;
out:
    tc_media_dicom_waveform_free(w);
    free(why);
    return ok;
}

/* The resident an imported object is for: `given` (resident_id, 0 when
 * absent) checked against the resident its Patient ID matches (ID number
 * or health-card number, as for images). False after a 4xx. */
static bool
dicom_resident(struct tc_srv *srv, struct tc_srv__call *call, long given,
               const char *patient_id, int64_t *out)
{
    int64_t matched = 0;

    if (patient_id[0]) {
        tc_rec_imaging_patient_match(srv->db, patient_id, &matched);
    }
    if (given == 0 && matched == 0) {
        tc_srv__resp_error_field(&call->resp, 400, "resident_id",
                                 "resident_id: required: the object's Patient "
                                 "ID matches no resident's ID number or "
                                 "health-card number");
        return false;
    }
    if (given != 0 && matched != 0 && matched != given) {
        tc_srv__resp_error_field(&call->resp, 409, "resident_id",
                                 "resident_id: the object's Patient ID is "
                                 "another resident's");
        return false;
    }
    *out = given ? given : matched;
    return true;
}

/* POST /api/v1/ecg-studies/import with Content-Type application/dicom:
 * the study's other fields are query parameters; the resident may come
 * from the object's Patient ID, the start from its acquisition time. */
static void
ecg_import_dicom(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_ecg_study_new in = {0};
    struct upload u = {0};
    struct dicom_origin o = {0};
    char device[65], urgent[8] = "false";
    g_autofree char *tmp = NULL;
    long resident = 0, reader = 0;
    int fd;

    if (!tc_srv__query_int(call, "resident_id", 0, 1, LONG_MAX, &resident) ||
        !tc_srv__query_int(call, "reader_id", 0, 0, LONG_MAX, &reader)) {
        return;
    }
    if (!tc_srv__query_get(&call->req, "device_id", device, sizeof(device)) ||
        !device[0]) {
        tc_srv__resp_error_field(&call->resp, 400, "device_id",
                                 "device_id: required, 1..64 bytes");
        return;
    }
    in.device_id = device;
    tc_srv__query_get(&call->req, "urgent", urgent, sizeof(urgent));
    if (strcmp(urgent, "true") != 0 && strcmp(urgent, "false") != 0) {
        tc_srv__resp_error_field(&call->resp, 400, "urgent",
                                 "urgent: true or false");
        return;
    }
    in.urgent = strcmp(urgent, "true") == 0;
    tmp = g_build_filename(tc_srv__dicom_tmp_dir(srv), "ecg-XXXXXX", NULL);
    fd = g_mkstemp(tmp);
    if (fd < 0 || write(fd, call->req.body, call->req.body_len) !=
                      (ssize_t)call->req.body_len) {
        if (fd >= 0) {
            close(fd);
            g_unlink(tmp);
        }
        tc_srv__resp_error(&call->resp, 500, "the upload could not be kept");
        return;
    }
    close(fd);
    if (dicom_read(call, tmp, &u, &o) &&
        dicom_resident(srv, call, resident, o.patient_id, &in.resident_id) &&
        tc_srv__policy_check_record(srv, call, TC_SRV__ACT_WRITE,
                                    in.resident_id, ECG, 0) &&
        tc_srv__who_practitioner(call, "import an ECG", &in.ordered_by)) {
        in.started_at_us = o.acquired_us ? o.acquired_us : g_get_real_time();
        import_commit(srv, call, &in, reader, &u);
    }
    g_unlink(tmp);
    g_free(u.samples);
}

/* ---- the waveform as FHIR ---- */

static json_t *
lead_code(const char *lead)
{
    g_autofree char *up = g_ascii_strup(lead, -1);
    g_autofree char *code = g_strdup_printf("MDC_ECG_LEAD_%s", up);

    return json_pack("{s:[{s:s,s:s,s:s}],s:s}", "coding", "system",
                     "urn:oid:2.16.840.1.113883.6.24", "code", code, "display",
                     lead, "text", lead);
}

static json_t *
component(const struct tc_media_wfdb_record *rec, unsigned s, int64_t from,
          int64_t to)
{
    const struct tc_media_wfdb_signal *g = &rec->header.signals[s];
    GString *data = g_string_sized_new((gsize)(to - from) * 6);
    json_t *sd;

    for (int64_t t = from; t < to; t++) {
        int16_t v = rec->samples[t * rec->header.n_signals + s];
        if (t > from) {
            g_string_append_c(data, ' ');
        }
        if (v == TC_MEDIA_ECG_INVALID) {
            g_string_append_c(data, 'E');
        } else {
            g_string_append_printf(data, "%d", v);
        }
    }
    /* value in mV = data * factor + origin = (x - baseline) / gain */
    sd = json_pack("{s:{s:f,s:s,s:s,s:s},s:f,s:f,s:i,s:s}", "origin", "value",
                   -(double)g->baseline / g->gain, "unit", "mV", "system",
                   "http://unitsofmeasure.org", "code", "mV", "period",
                   1000.0 / rec->header.sample_rate_hz, "factor",
                   1.0 / g->gain, "dimensions", 1, "data", data->str);
    g_string_free(data, TRUE);
    return json_pack("{s:o,s:o}", "code", lead_code(g->description),
                     "valueSampledData", sd);
}

static void
ecg_waveform(struct tc_srv *srv, struct tc_srv__call *call)
{
    struct tc_rec_ecg_study *s = NULL;
    struct tc_media_wfdb_record *rec = NULL;
    g_autofree char *dir = NULL, *name = NULL, *res_id = NULL;
    g_autofree char *when = NULL, *subject = NULL;
    long start_ms = 0, dur_ms = 10000;
    int64_t me = call->req.who->practitioner_id, id = 0, from, to;
    json_t *doc, *comps;
    char err[256];

    if (!tc_srv__param_id(call, 0, "study id", &id) ||
        !tc_srv__query_int(call, "start_ms", 0, 0, 86400000, &start_ms) ||
        !tc_srv__query_int(call, "duration_ms", 10000, 1, MAX_WINDOW_S * 1000,
                           &dur_ms)) {
        return;
    }
    if (tc_rec_ecg_study_get(srv->db, id, &s) < 0) {
        tc_srv__resp_records_error(srv, call, -ENOENT);
        return;
    }
    {
        struct tc_srv__target t = {
            .action = TC_SRV__ACT_READ,
            .kind = TC_SRV__KIND_STUDY,
            .resident_id = s->resident_id,
            .entity_type = ECG,
            .entity_id = s->id,
            .assigned_reader = me > 0 && s->reader_id == me,
        };
        if (!tc_srv__policy_check(srv, call, &t)) {
            tc_rec_ecg_study_free(s);
            return;
        }
    }
    if (!s->storage_path || !g_str_has_prefix(s->storage_path, "ecg/")) {
        tc_srv__resp_error(&call->resp, 404,
                           "no stored waveform for this "
                           "study yet");
        tc_rec_ecg_study_free(s);
        return;
    }
    dir = g_build_filename(srv->cfg->data_dir, "ecg", NULL);
    name = g_strdup(s->storage_path + 4);
    if (tc_media_wfdb_record_read(dir, name, &rec, err, sizeof(err)) < 0) {
        g_warning("ECG study %" G_GINT64_FORMAT ": archive unreadable", id);
        tc_srv__resp_error(&call->resp, 404,
                           "the stored waveform could not "
                           "be read");
        tc_rec_ecg_study_free(s);
        return;
    }
    from = (int64_t)start_ms * (int64_t)rec->header.sample_rate_hz / 1000;
    to = from + (int64_t)dur_ms * (int64_t)rec->header.sample_rate_hz / 1000;
    from = MIN(from, rec->n_frames);
    to = MIN(to, rec->n_frames);
    comps = json_array();
    for (unsigned l = 0; l < rec->header.n_signals; l++) {
        json_array_append_new(comps, component(rec, l, from, to));
    }
    res_id = g_strdup_printf("ecg-waveform-%" G_GINT64_FORMAT, id);
    when = tc_srv__rfc3339(s->started_at_us + start_ms * 1000);
    subject = g_strdup_printf("Patient/%" G_GINT64_FORMAT, s->resident_id);
    doc = json_pack(
        "{s:s,s:s,s:s,s:[{s:[{s:s,s:s}]}],s:{s:[{s:s,s:s,s:s}],s:s},"
        "s:{s:s},s:s,s:o}",
        "resourceType", "Observation", "id", res_id, "status",
        s->status == TC_REC_ECG_LIVE ? "preliminary" : "final", "category",
        "coding", "system",
        "http://terminology.hl7.org/CodeSystem/observation-category", "code",
        "procedure", "code", "coding", "system", "http://loinc.org", "code",
        "11524-6", "display", "EKG study", "text", "ECG waveform", "subject",
        "reference", subject, "effectiveDateTime", when, "component", comps);
    tc_srv__resp_doc(&call->resp, 200, "application/fhir+json", doc);
    json_decref(doc);
    tc_media_wfdb_record_free(rec);
    tc_rec_ecg_study_free(s);
}

const struct tc_srv__route tc_srv__routes_ecg[] = {
    {"PUT", "/api/v1/ecg-devices/{device}/residents/{id}", device_assign, 0},
    {"DELETE", "/api/v1/ecg-devices/{device}/residents/{id}", device_unassign,
     0},
    {"POST", "/api/v1/ecg-studies/import", ecg_import, 0},
    {"GET", "/api/v1/ecg-studies/{id}/waveform", ecg_waveform, 0},
    {NULL, NULL, NULL, 0},
};
