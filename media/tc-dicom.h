/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tc-dicom.h - DICOM for telecare, through DCMTK, in plain C types:
 * reading the attributes the index needs from a Part-10 file (text
 * decoded to UTF-8 from its Specific Character Set), the DICOM JSON model
 * of a data set (WADO-RS metadata), content-addressed storage of Part-10
 * files, and a C-ECHO / C-STORE SCP that runs on threads of its own.
 *
 * Nothing here parses DICOM or speaks the network by hand: media/dicom.cc
 * (the one C++ file of the project) wraps DCMTK's dcmdata and dcmnet.
 * Nothing here knows SQL or HTTP; the SCP reports what it receives
 * through callbacks.
 *
 * Errors: 0 or a negative errno; the functions that take `char **errmsg`
 * store a malloc'd sentence there on failure (free it with free()), which
 * names the rule that was broken and never patient data.
 */
#ifndef TC_DICOM_H
#define TC_DICOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TC_MEDIA_DICOM_UID_LEN  65 /* 64 characters and the NUL */
#define TC_MEDIA_DICOM_CODE_LEN 17 /* CS: 16 characters and the NUL */
#define TC_MEDIA_DICOM_TEXT_LEN                                               \
    776 /* a PN of three 64-character groups in                               \
           UTF-8 (up to 4 bytes a character) */

/*
 * The attributes of one instance that the index and QIDO-RS use. Every
 * string is NUL-terminated UTF-8, "" when the attribute is absent; dates
 * are DICOM DA "YYYYMMDD", times TM "HHMMSS.FFFFFF".
 */
struct tc_media_dicom_info {
    char sop_class_uid[TC_MEDIA_DICOM_UID_LEN];
    char sop_instance_uid[TC_MEDIA_DICOM_UID_LEN];
    char study_uid[TC_MEDIA_DICOM_UID_LEN];
    char series_uid[TC_MEDIA_DICOM_UID_LEN];
    char transfer_syntax_uid[TC_MEDIA_DICOM_UID_LEN];
    char modality[TC_MEDIA_DICOM_CODE_LEN];
    char patient_id[TC_MEDIA_DICOM_TEXT_LEN];
    char patient_name[TC_MEDIA_DICOM_TEXT_LEN];
    char patient_birth_date[9];
    char patient_sex[TC_MEDIA_DICOM_CODE_LEN];
    char study_date[9];
    char study_time[TC_MEDIA_DICOM_CODE_LEN];
    char accession[TC_MEDIA_DICOM_TEXT_LEN];
    char study_description[TC_MEDIA_DICOM_TEXT_LEN];
    char series_description[TC_MEDIA_DICOM_TEXT_LEN];
    int series_number;   /* -1 when absent */
    int instance_number; /* -1 when absent */
};

/*
 * Read the Part-10 file at `path` into *out. The file must have a meta
 * header, and SOP Class, SOP Instance, Study and Series Instance UIDs.
 * Errors: -ENOENT, -EPROTO (not DICOM, truncated, or a required UID
 * missing or not a UID), -EILSEQ (text in a character set that does not
 * convert to UTF-8).
 */
int tc_media_dicom_info_read(const char *path, struct tc_media_dicom_info *out,
                             char **errmsg);

/*
 * The DICOM JSON model (PS3.18 F.2) of the data set in the Part-10 file
 * at `path`, text in UTF-8, without bulk data (Pixel Data, Waveform Data,
 * Encapsulated Document and other binary values over 1 KiB are left out).
 * *json_out is malloc'd (free()). Errors as tc_media_dicom_info_read().
 */
int tc_media_dicom_json(const char *path, char **json_out, char **errmsg);

/*
 * Content-addressed storage. Move the complete Part-10 file `tmp_path`
 * (on the same file system as `dicom_dir`) to
 * dicom_dir/<first two hex digits>/<sha256>.dcm; when `durable`, the file
 * and its directory are fsync'd first (it then survives a power cut;
 * without, a crash of the process loses nothing but a power cut may lose
 * the last seconds, as with SQLite's synchronous=NORMAL). When that file
 * exists already (same bytes) the temporary file is removed instead.
 * Out: the SHA-256 in lowercase hex, the path relative to dicom_dir's
 * parent ("dicom/ab/ab...cd.dcm", malloc'd) and whether it existed.
 * Errors: -EIO, -ENOENT.
 */
int tc_media_dicom_store(const char *dicom_dir, const char *tmp_path,
                         bool durable, char sha256_out[65],
                         char **rel_path_out, bool *existed_out,
                         char **errmsg);

/* ---- the SCP's intake ---- */

/*
 * Parse a data set (no meta header) in transfer syntax ts_uid handed over
 * in pieces of `chunk` bytes, as the SCP parses what arrives over the
 * network (the same code; no file is written), into *out. For the fuzz
 * target and tests. Errors: -EINVAL (unknown transfer syntax), -EPROTO
 * (incomplete, does not parse, a required UID missing), -EILSEQ.
 */
int tc_media_dicom_intake_parse(const char *ts_uid, const void *data,
                                size_t len, size_t chunk,
                                struct tc_media_dicom_info *out,
                                char **errmsg);

/* ---- waveforms (12-lead ECG, general ECG) ---- */

#define TC_MEDIA_DICOM_MAX_CHANNELS 64

/*
 * One multiplex group of a waveform object: n_channels channels of
 * n_samples samples at sample_rate_hz, interleaved (sample i of channel c
 * is samples[i * n_channels + c]), as stored: 16-bit signed ("SS") or
 * unsigned ("US") values. A channel's value in its units is
 * sample * sensitivity * correction + baseline (PS3.3 C.10.9.1.4.2: the
 * baseline is in the channel's units); the labels are the
 * channel sources' code meanings ("Lead I (Einthoven)", "Lead II").
 */
struct tc_media_dicom_waveform {
    int n_channels;
    uint32_t n_samples;
    double sample_rate_hz;
    char labels[TC_MEDIA_DICOM_MAX_CHANNELS][65];
    char units[TC_MEDIA_DICOM_MAX_CHANNELS][17]; /* UCUM, e.g. "uV" */
    double sensitivity[TC_MEDIA_DICOM_MAX_CHANNELS];
    double correction[TC_MEDIA_DICOM_MAX_CHANNELS];
    double baseline[TC_MEDIA_DICOM_MAX_CHANNELS];
    bool unsigned_samples; /* "US": read samples[] as uint16_t */
    int16_t *samples;      /* n_samples * n_channels */
    /* When and whose, from the object (not the group): Acquisition
     * DateTime, else Content Date + Time, else Study Date + Time, as a
     * DICOM DT ("YYYYMMDDHHMMSS.FFFFFF&ZZXX", components optional from the
     * right); Timezone Offset From UTC ("+0800"); Patient ID. "" when the
     * object has none. */
    char acquired[27];
    char tz_offset[6];
    char patient_id[65];
};

/*
 * Read multiplex group `group` (0: the first, the rhythm; a 12-lead ECG
 * often has the median beats as 1) of the waveform object at `path`.
 * *out is malloc'd; free it with tc_media_dicom_waveform_free(). Errors:
 * -ENOENT (no file, or no such group), -EPROTO (not DICOM, no waveform,
 * or a group that is not 16-bit, more than 64 channels, or whose data is
 * shorter than channels x samples).
 */
int tc_media_dicom_waveform_read(const char *path, int group,
                                 struct tc_media_dicom_waveform **out,
                                 char **errmsg);
void tc_media_dicom_waveform_free(struct tc_media_dicom_waveform *w);

/* ---- the SCP ---- */

/* DIMSE status codes the store callback may answer. */
#define TC_MEDIA_DICOM_STATUS_SUCCESS           0x0000
#define TC_MEDIA_DICOM_STATUS_OUT_OF_RES        0xA700 /* refused: resources */
#define TC_MEDIA_DICOM_STATUS_MISMATCH          0xA900 /* not the SOP class */
#define TC_MEDIA_DICOM_STATUS_CANNOT_UNDERSTAND 0xC000

/*
 * One instance received completely (borrowed for the callback): the
 * Part-10 file (a meta header, then the data set as sent) is written
 * whole to `fd`, an anonymous file in the SCP's tmp_dir (O_TMPFILE), or,
 * where the file system has none, to the named file tmp_path.
 */
struct tc_media_dicom_received {
    const char *calling_ae; /* the peer's AE title */
    const char *tmp_path;   /* NULL when fd is anonymous */
    int fd;                 /* the Part-10 file (read/write offset: end) */
    const char *sha256;     /* of its bytes, lowercase hex */
    const struct tc_media_dicom_info *info;
    size_t size_bytes;
};

/*
 * Content-addressed storage of a received instance: give r's file the
 * name dicom_dir/<aa>/<sha256>.dcm (linkat of the anonymous file, or
 * rename of the named one), fsync'd first when `durable` as
 * tc_media_dicom_store(); when that name exists already (same bytes) the
 * received file is left for the SCP to drop. Out and errors as
 * tc_media_dicom_store().
 */
int tc_media_dicom_store_received(const char *dicom_dir,
                                  const struct tc_media_dicom_received *r,
                                  bool durable, char **rel_path_out,
                                  bool *existed_out, char **errmsg);

/*
 * Called on an association's thread for each instance received: it
 * stores and indexes (it may block until the main thread has done so)
 * and returns the DIMSE status to answer. The received file is closed
 * (and, when it has a name, removed) after the call unless the callback
 * stored it.
 */
typedef uint16_t (*tc_media_dicom_store_fn)(
    const struct tc_media_dicom_received *r, void *user);

/* Whether a calling AE title may associate (any thread). */
typedef bool (*tc_media_dicom_accept_fn)(const char *calling_ae, void *user);

/* A line for the log: what happened and why, never patient data (any
 * thread). `warning` for refusals and failures. */
typedef void (*tc_media_dicom_log_fn)(bool warning, const char *msg,
                                      void *user);

struct tc_media_dicom_scp_config {
    const char *ae_title; /* called AE title (1..16 characters) */
    const char *host;     /* the address to listen on, e.g. 127.0.0.1 */
    int port;             /* 0: any free port */
    int max_associations; /* at once; more are rejected at association */
    uint32_t max_pdu_len; /* the largest PDU received (bytes) */
    int timeout_s;        /* ACSE and DIMSE timeout */
    const char *tmp_dir;  /* where instances are received to */
    tc_media_dicom_accept_fn accept;
    tc_media_dicom_store_fn store;
    tc_media_dicom_log_fn log;
    void *user;
};

struct tc_media_dicom_scp;

/*
 * Listen and serve on threads of its own: one listener, one thread per
 * association. The callbacks may run as soon as this returns; `cfg` is
 * copied. *port_out gets the port bound. Errors: -EADDRINUSE, -EINVAL,
 * -EIO; on error no thread runs and no callback is ever called.
 */
int tc_media_dicom_scp_start(const struct tc_media_dicom_scp_config *cfg,
                             struct tc_media_dicom_scp **out, int *port_out,
                             char **errmsg);

/* Stop listening, abort the associations still open, join every thread
 * and free. After it returns no callback runs. NULL is ignored. */
void tc_media_dicom_scp_stop(struct tc_media_dicom_scp *scp);

/* ---- the SCU (forwarding) ---- */

/*
 * Send the Part-10 files `paths` to the SCP ae_title@host:port over one
 * association from `calling_ae`, proposing each file's own transfer
 * syntax. status_out[i] gets each file's DIMSE status (0xFFFF when it was
 * not sent). Errors: -ECONNREFUSED / -EIO (no association: nothing sent),
 * -EPROTO (association refused).
 */
int tc_media_dicom_send(const char *calling_ae, const char *ae_title,
                        const char *host, int port, int timeout_s,
                        const char *const *paths, size_t n,
                        uint16_t *status_out, char **errmsg);

/* Whether a C-STORE response status means stored (success or warning). */
bool tc_media_dicom_status_stored(uint16_t status);

#ifdef __cplusplus
}
#endif

#endif
