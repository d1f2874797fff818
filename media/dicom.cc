// SPDX-License-Identifier: Apache-2.0
/*
 * dicom.cc - DCMTK behind tc-dicom.h: reading a Part-10 file's index
 * attributes in UTF-8, its DICOM JSON model, a C-ECHO/C-STORE SCP and a
 * C-STORE SCU. The one C++ file of the project: everything DICOM goes
 * through DCMTK (dcmdata, dcmnet); no DICOM byte is parsed here.
 *
 * The SCP:
 *
 *   listener thread: poll (1 s) the listening socket and the accepted
 *        connections whose A-ASSOCIATE-RQ has not arrived (at most 64,
 *        each for at most timeout_s); when one's bytes arrive, DCMTK
 *        reads the request --> association limit?
 *        |                      full: reject "local limit exceeded", log
 *        v
 *   association thread (one each): negotiate (calling AE allow-list,
 *   presentation contexts) -> C-ECHO / C-STORE ... -> release or abort
 *
 *   C-STORE: each PDV of the data set, as it arrives, goes to an Intake:
 *   SHA-256 of the Part-10 bytes (a meta header made from the command,
 *   then the data set exactly as sent), DCMTK's parser (the data set is
 *   parsed once, while it arrives, as storescp does) and a buffer written
 *   to an anonymous file (O_TMPFILE) when full or complete -> checks
 *   (complete, parses, SOP class and instance equal to the command's and
 *   to the presentation context) -> store callback (links the file into
 *   place, journals; answers the status) -> C-STORE-RSP. The file is
 *   written once and never read back here.
 *
 * Invariants: a data set that did not arrive whole or does not parse is
 * never handed to the store callback (so nothing partial is indexed); a
 * failing association never stops the listener.
 *
 * Threads: the listener and association threads are DCMTK's blocking
 * network code on GLib threads; they call the callbacks and touch no
 * state but what this file's mutex protects. DCMTK's own log is switched
 * off (it can print attribute values): this file logs through the
 * callback, naming conditions and sizes only.
 */
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sstream>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include <glib/gstdio.h>

#include "dcmtk/config/osconfig.h" /* first, as DCMTK requires */
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcdict.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcistrmb.h"
#include "dcmtk/dcmdata/dcjson.h"
#include "dcmtk/dcmdata/dcostrma.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmnet/dimse.h"
#include "dcmtk/dcmnet/diutil.h"
#include "dcmtk/dcmnet/dul.h"
#include "dcmtk/dcmnet/scpthrd.h"
#include "dcmtk/dcmnet/scu.h"
#include "dcmtk/oflog/oflog.h"
#include "tc-dicom.h"

#define BULK_MAX_LEN 1024 /* binary values larger than this are bulk data */

/* ---- small helpers ---- */

static int fail(char **errmsg, int rc, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static int
fail(char **errmsg, int rc, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (errmsg) {
        *errmsg = strdup(msg);
    }
    g_free(msg);
    return rc;
}

static void
quiet_dcmtk(void)
{
    static gsize once;

    if (g_once_init_enter(&once)) {
        OFLog::configure(OFLogger::OFF_LOG_LEVEL);
        /* DCMTK's own sockets (the SCU's) set TCP_NODELAY only when this
         * is in the environment; set once, before any thread of ours. */
        setenv("TCP_NODELAY", "1", 0);
        g_once_init_leave(&once, 1);
    }
}

static void
copy_text(char *dst, size_t cap, const OFString &src)
{
    g_strlcpy(dst, src.c_str(), cap);
}

/* The whole value (all components, '\'-joined) of `tag`, or "". */
static void
get_text(DcmItem *ds, const DcmTagKey &tag, char *dst, size_t cap)
{
    OFString v;

    dst[0] = '\0';
    if (ds->findAndGetOFStringArray(tag, v).good()) {
        copy_text(dst, cap, v);
    }
}

static int
get_int(DcmItem *ds, const DcmTagKey &tag)
{
    Sint32 v = -1;

    if (ds->findAndGetSint32(tag, v).bad() || v < 0) {
        return -1;
    }
    return (int)v;
}

static bool
is_uid(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 64) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!g_ascii_isdigit(s[i]) && s[i] != '.') {
            return false;
        }
    }
    return true;
}

/* Load a Part-10 file completely (a truncated one fails here) and convert
 * its text to UTF-8. */
static int
load(const char *path, DcmFileFormat &ff, char **errmsg)
{
    OFCondition cond;

    quiet_dcmtk();
    if (access(path, R_OK) != 0) {
        return fail(errmsg, -ENOENT, "%s: %s", path, g_strerror(errno));
    }
    cond = ff.loadFile(path, EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                       ERM_fileOnly);
    if (cond.bad()) {
        return fail(errmsg, -EPROTO, "not a complete DICOM Part-10 file (%s)",
                    cond.text());
    }
    cond = ff.convertToUTF8();
    if (cond.bad()) {
        return fail(errmsg, -EILSEQ,
                    "Specific Character Set: text does not convert to "
                    "UTF-8 (%s)",
                    cond.text());
    }
    return 0;
}

/* ---- reading ---- */

/* The index attributes of data set `ds`, whose transfer syntax is ts. */
static int
info_from(DcmItem *ds, const char *ts, struct tc_media_dicom_info *out,
          char **errmsg)
{
    struct tc_media_dicom_info in;
    static const struct {
        const char *name;
        size_t offset;
    } uids[] = {
        {"SOP Class UID", offsetof(struct tc_media_dicom_info, sop_class_uid)},
        {"SOP Instance UID",
         offsetof(struct tc_media_dicom_info, sop_instance_uid)},
        {"Study Instance UID",
         offsetof(struct tc_media_dicom_info, study_uid)},
        {"Series Instance UID",
         offsetof(struct tc_media_dicom_info, series_uid)},
        {"Transfer Syntax UID",
         offsetof(struct tc_media_dicom_info, transfer_syntax_uid)},
    };

    memset(&in, 0, sizeof(in));
    get_text(ds, DCM_SOPClassUID, in.sop_class_uid, sizeof(in.sop_class_uid));
    get_text(ds, DCM_SOPInstanceUID, in.sop_instance_uid,
             sizeof(in.sop_instance_uid));
    get_text(ds, DCM_StudyInstanceUID, in.study_uid, sizeof(in.study_uid));
    get_text(ds, DCM_SeriesInstanceUID, in.series_uid, sizeof(in.series_uid));
    g_strlcpy(in.transfer_syntax_uid, ts, sizeof(in.transfer_syntax_uid));
    for (size_t i = 0; i < G_N_ELEMENTS(uids); i++) {
        const char *v = (const char *)&in + uids[i].offset;
        if (!is_uid(v)) {
            return fail(errmsg, -EPROTO, "%s: %s", uids[i].name,
                        v[0] ? "not a UID" : "missing");
        }
    }
    get_text(ds, DCM_Modality, in.modality, sizeof(in.modality));
    get_text(ds, DCM_PatientID, in.patient_id, sizeof(in.patient_id));
    get_text(ds, DCM_PatientName, in.patient_name, sizeof(in.patient_name));
    get_text(ds, DCM_PatientBirthDate, in.patient_birth_date,
             sizeof(in.patient_birth_date));
    get_text(ds, DCM_PatientSex, in.patient_sex, sizeof(in.patient_sex));
    get_text(ds, DCM_StudyDate, in.study_date, sizeof(in.study_date));
    get_text(ds, DCM_StudyTime, in.study_time, sizeof(in.study_time));
    get_text(ds, DCM_AccessionNumber, in.accession, sizeof(in.accession));
    get_text(ds, DCM_StudyDescription, in.study_description,
             sizeof(in.study_description));
    get_text(ds, DCM_SeriesDescription, in.series_description,
             sizeof(in.series_description));
    in.series_number = get_int(ds, DCM_SeriesNumber);
    in.instance_number = get_int(ds, DCM_InstanceNumber);
    *out = in;
    return 0;
}

extern "C" int
tc_media_dicom_info_read(const char *path, struct tc_media_dicom_info *out,
                         char **errmsg)
{
    DcmFileFormat ff;
    char ts[TC_MEDIA_DICOM_UID_LEN];
    int rc = load(path, ff, errmsg);

    if (rc < 0) {
        return rc;
    }
    get_text(ff.getMetaInfo(), DCM_TransferSyntaxUID, ts, sizeof(ts));
    return info_from(ff.getDataset(), ts, out, errmsg);
}

/* Drop bulk data from the top level: metadata is what is left. */
static void
drop_bulk(DcmDataset *ds)
{
    for (unsigned long i = ds->card(); i > 0; i--) {
        DcmElement *e = ds->getElement(i - 1);
        DcmEVR vr = e->ident();
        bool binary = vr == EVR_OB || vr == EVR_OW || vr == EVR_OF ||
                      vr == EVR_OD || vr == EVR_OL || vr == EVR_UN ||
                      vr == EVR_pixelSQ || vr == EVR_ox;
        if (e->getTag() == DCM_PixelData ||
            (binary && e->getLength() > BULK_MAX_LEN)) {
            delete ds->remove(e);
        }
    }
}

extern "C" int
tc_media_dicom_json(const char *path, char **json_out, char **errmsg)
{
    DcmFileFormat ff;
    std::ostringstream os;
    DcmJsonFormatCompact fmt(OFFalse);
    OFCondition cond;
    int rc = load(path, ff, errmsg);

    if (rc < 0) {
        return rc;
    }
    drop_bulk(ff.getDataset());
    os << "{";
    cond = ff.getDataset()->writeJson(os, fmt);
    os << "}";
    if (cond.bad()) {
        return fail(errmsg, -EPROTO, "DICOM JSON: %s", cond.text());
    }
    *json_out = strdup(os.str().c_str());
    return *json_out ? 0 : -ENOMEM;
}

/* ---- waveforms ---- */

static double
get_ds(DcmItem *item, const DcmTagKey &tag, double def)
{
    Float64 v = def;

    return item->findAndGetFloat64(tag, v).good() ? v : def;
}

static void
channel_of(DcmItem *ch, struct tc_media_dicom_waveform *w, int c)
{
    DcmItem *src = NULL, *unit = NULL;
    OFString v;

    if (ch->findAndGetSequenceItem(DCM_ChannelSourceSequence, src, 0).good() &&
        src->findAndGetOFString(DCM_CodeMeaning, v).good()) {
        copy_text(w->labels[c], sizeof(w->labels[c]), v);
    }
    if (ch->findAndGetSequenceItem(DCM_ChannelSensitivityUnitsSequence, unit,
                                   0)
            .good() &&
        unit->findAndGetOFString(DCM_CodeValue, v).good()) {
        copy_text(w->units[c], sizeof(w->units[c]), v);
    }
    w->sensitivity[c] = get_ds(ch, DCM_ChannelSensitivity, 1.0);
    w->correction[c] = get_ds(ch, DCM_ChannelSensitivityCorrectionFactor, 1.0);
    w->baseline[c] = get_ds(ch, DCM_ChannelBaseline, 0.0);
}

static int
waveform_from(DcmItem *g, struct tc_media_dicom_waveform *w, char **errmsg)
{
    Uint16 channels = 0, bits = 0;
    Uint32 samples = 0;
    const Uint16 *data = NULL;
    unsigned long count = 0;
    OFString interp;

    if (g->findAndGetUint16(DCM_NumberOfWaveformChannels, channels).bad() ||
        g->findAndGetUint32(DCM_NumberOfWaveformSamples, samples).bad() ||
        channels < 1 || channels > TC_MEDIA_DICOM_MAX_CHANNELS ||
        samples < 1) {
        return fail(errmsg, -EPROTO,
                    "waveform: channels 1..64 and samples are required");
    }
    if (g->findAndGetUint16(DCM_WaveformBitsAllocated, bits).bad() ||
        bits != 16 ||
        g->findAndGetOFString(DCM_WaveformSampleInterpretation, interp)
            .bad() ||
        (interp != "SS" && interp != "US")) {
        return fail(errmsg, -EPROTO,
                    "waveform: only 16-bit samples (SS, US) are read");
    }
    if (g->findAndGetUint16Array(DCM_WaveformData, data, &count).bad() ||
        count < (unsigned long)channels * samples) {
        return fail(errmsg, -EPROTO,
                    "waveform: Waveform Data is shorter than channels x "
                    "samples");
    }
    w->n_channels = channels;
    w->n_samples = samples;
    w->unsigned_samples = interp == "US";
    w->sample_rate_hz = get_ds(g, DCM_SamplingFrequency, 0.0);
    for (int c = 0; c < channels; c++) {
        DcmItem *ch = NULL;
        w->sensitivity[c] = w->correction[c] = 1.0;
        if (g->findAndGetSequenceItem(DCM_ChannelDefinitionSequence, ch, c)
                .good()) {
            channel_of(ch, w, c);
        }
    }
    w->samples = (int16_t *)g_malloc((gsize)channels * samples * 2);
    memcpy(w->samples, data, (size_t)channels * samples * 2);
    return 0;
}

/* The acquisition time and patient of a waveform object (see tc-dicom.h):
 * the first of AcquisitionDateTime, ContentDate+Time, StudyDate+Time. */
static void
acquired_from(DcmItem *ds, struct tc_media_dicom_waveform *w)
{
    static const DcmTagKey dates[][2] = {
        {DCM_ContentDate, DCM_ContentTime},
        {DCM_StudyDate, DCM_StudyTime},
    };
    char date[9], time[17];

    get_text(ds, DCM_AcquisitionDateTime, w->acquired, sizeof(w->acquired));
    for (size_t i = 0; !w->acquired[0] && i < G_N_ELEMENTS(dates); i++) {
        get_text(ds, dates[i][0], date, sizeof(date));
        get_text(ds, dates[i][1], time, sizeof(time));
        if (strlen(date) == 8) {
            g_snprintf(w->acquired, sizeof(w->acquired), "%s%s", date, time);
        }
    }
    get_text(ds, DCM_TimezoneOffsetFromUTC, w->tz_offset,
             sizeof(w->tz_offset));
    get_text(ds, DCM_PatientID, w->patient_id, sizeof(w->patient_id));
}

extern "C" int
tc_media_dicom_waveform_read(const char *path, int group,
                             struct tc_media_dicom_waveform **out,
                             char **errmsg)
{
    DcmFileFormat ff;
    DcmItem *g = NULL;
    struct tc_media_dicom_waveform *w;
    int rc = load(path, ff, errmsg);

    if (rc < 0) {
        return rc;
    }
    if (ff.getDataset()
            ->findAndGetSequenceItem(DCM_WaveformSequence, g, group)
            .bad()) {
        return fail(errmsg, group == 0 ? -EPROTO : -ENOENT,
                    "waveform: no multiplex group %d", group);
    }
    w = (struct tc_media_dicom_waveform *)g_malloc0(sizeof(*w));
    acquired_from(ff.getDataset(), w);
    rc = waveform_from(g, w, errmsg);
    if (rc < 0) {
        tc_media_dicom_waveform_free(w);
        return rc;
    }
    *out = w;
    return 0;
}

extern "C" void
tc_media_dicom_waveform_free(struct tc_media_dicom_waveform *w)
{
    if (w) {
        g_free(w->samples);
        g_free(w);
    }
}

bool
tc_media_dicom_status_stored(uint16_t status)
{
    return status == 0x0000 || (status & 0xF000) == 0xB000;
}

/* ---- receiving a data set: parsed, hashed and written once ---- */

#define INTAKE_BUF (256 * 1024) /* written to the file whenever this full */

/*
 * Where the bytes of one received data set go as DIMSE hands over each
 * PDV (it writes them to a DcmOutputStream of ours): the Part-10 file's
 * bytes (the meta header, then the data set exactly as sent) are hashed
 * and collected in a buffer that is written to an anonymous file
 * (O_TMPFILE in tmp_dir; a named one where the file system has none)
 * whenever it fills and at the end; the data set's bytes also go to
 * DCMTK's parser, which reads them as they come (as
 * DIMSE_receiveDataSetInMemory does), one piece behind: the last piece
 * is parsed only in finish(), together with the end of the stream, as
 * DCMTK takes a read that finds the stream ended and nothing left for a
 * complete data set, even inside an element cut short. Once a parse
 * failed, the rest is only counted: the peer is answered a refusal when
 * its data set ends.
 * A write that fails makes good() false: DIMSE then drops the rest of
 * the data set and reports "out of resources".
 *
 * Without tmp_dir nothing is written (the fuzz target's way in).
 */
class Intake : public DcmConsumer
{
  public:
    Intake(const char *tmp_dir, E_TransferSyntax xfer)
        : dir(tmp_dir), xfer(xfer), md(EVP_MD_CTX_new()), parsing(false),
          parse_cond(EC_Normal), werr(0), fd(-1), path(NULL), size(0)
    {
        buf.reserve(64 * 1024);
        if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
            werr = ENOMEM;
        }
        sha256[0] = '\0';
    }
    ~Intake() override
    {
        if (fd >= 0) {
            close(fd);
        }
        if (path) {
            unlink(path);
            g_free(path);
        }
        EVP_MD_CTX_free(md);
    }
    OFBool good() const override
    {
        return werr == 0;
    }
    OFCondition status() const override
    {
        return werr == 0 ? EC_Normal : EC_InvalidStream;
    }
    OFBool isFlushed() const override
    {
        return OFTrue;
    }
    offile_off_t avail() const override
    {
        return werr == 0 ? (offile_off_t)1 << 30 : 0;
    }
    void flush() override
    {
    }
    offile_off_t write(const void *data, offile_off_t len) override;

    /* What was written so far is the meta header; the data set follows. */
    void begin_dataset()
    {
        parsing = true;
        ds.transferInit();
    }
    int finish(const char *ts, struct tc_media_dicom_info *info,
               char **errmsg);

    /* After finish(): the complete file, its SHA-256 and size. */
    int file_fd() const
    {
        return fd;
    }
    const char *file_path() const
    {
        return path;
    }
    const char *sha256_hex() const
    {
        return sha256;
    }
    size_t file_size() const
    {
        return size;
    }
    int write_error() const
    {
        return werr;
    }

  private:
    bool spill();
    void parse(const void *data, size_t len, bool eos);

    const char *dir;
    E_TransferSyntax xfer;
    EVP_MD_CTX *md;
    DcmDataset ds;
    DcmInputBufferStream in;
    bool parsing;
    OFCondition parse_cond;
    int werr; /* errno of a failed write, 0 */
    std::string buf;
    std::string held; /* the last piece, not parsed yet */
    int fd;
    char *path; /* when the file has a name (no O_TMPFILE) */
    size_t size;
    char sha256[65];
};

/* Write the buffer to the file (opened on first use). */
bool
Intake::spill()
{
    const char *p = buf.data();
    size_t left = buf.size();

    if (!dir) {
        buf.clear();
        return true;
    }
    if (fd < 0) {
        fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0640);
        if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR ||
                       errno == EINVAL || errno == ENOENT)) {
            path = g_strdup_printf("%s/rx-XXXXXX.part", dir);
            fd = g_mkstemp_full(path, O_WRONLY | O_CLOEXEC, 0640);
            if (fd < 0) {
                g_free(path);
                path = NULL;
            }
        }
        if (fd < 0) {
            werr = errno;
            return false;
        }
    }
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            werr = n < 0 ? errno : EIO;
            return false;
        }
        p += n;
        left -= (size_t)n;
    }
    buf.clear();
    return true;
}

offile_off_t
Intake::write(const void *data, offile_off_t len)
{
    if (werr != 0) {
        return 0;
    }
    if (parse_cond.bad()) {
        return len; /* refused already: only let the transfer end */
    }
    if (parsing && len > 0) {
        if (!held.empty()) {
            parse(held.data(), held.size(), false);
            if (parse_cond.bad()) {
                return len;
            }
        }
        held.assign((const char *)data, (size_t)len);
    }
    EVP_DigestUpdate(md, data, (size_t)len);
    buf.append((const char *)data, (size_t)len);
    size += (size_t)len;
    if (buf.size() >= INTAKE_BUF && !spill()) {
        return 0;
    }
    return len;
}

/* Parse a piece; `eos`: the last one. A data set is complete when the
 * read that was told the stream ends says EC_Normal. */
void
Intake::parse(const void *data, size_t len, bool eos)
{
    OFCondition c;

    if (len > 0) {
        in.setBuffer(data, (offile_off_t)len);
    }
    if (eos) {
        in.setEos();
    }
    c = ds.read(in, xfer);
    in.releaseBuffer();
    if (eos && c == EC_StreamNotifyClient) {
        parse_cond = makeOFCondition(OFM_dcmdata, 1000, OF_error,
                                     "it ends inside an element");
    } else if (c.bad() && c != EC_StreamNotifyClient) {
        parse_cond = c;
    }
}

/* The data set ended: it must have parsed completely; then its index
 * attributes, and the file complete on disk. */
int
Intake::finish(const char *ts, struct tc_media_dicom_info *info, char **errmsg)
{
    unsigned char sum[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    OFCondition c;
    int rc;

    if (parse_cond.good()) {
        parse(held.data(), held.size(), true);
        held.clear();
    }
    ds.transferEnd();
    if (parse_cond.bad()) {
        return fail(errmsg, -EPROTO, "not a complete DICOM data set (%s)",
                    parse_cond.text());
    }
    c = ds.convertToUTF8();
    if (c.bad()) {
        return fail(errmsg, -EILSEQ,
                    "Specific Character Set: text does not convert to "
                    "UTF-8 (%s)",
                    c.text());
    }
    rc = info_from(&ds, ts, info, errmsg);
    if (rc < 0) {
        return rc;
    }
    if (werr != 0 || !spill() || !EVP_DigestFinal_ex(md, sum, &len) ||
        len != 32) {
        return fail(errmsg, -EIO, "dicom: receiving to %s: %s",
                    dir ? dir : "memory", g_strerror(werr ? werr : EIO));
    }
    for (unsigned int i = 0; i < len; i++) {
        g_snprintf(sha256 + 2 * i, 3, "%02x", sum[i]);
    }
    return 0;
}

/* A DcmOutputStream that hands everything to an Intake. */
class IntakeStream : public DcmOutputStream
{
  public:
    explicit IntakeStream(Intake *to) : DcmOutputStream(to)
    {
    }
};

extern "C" int
tc_media_dicom_intake_parse(const char *ts_uid, const void *data, size_t len,
                            size_t chunk, struct tc_media_dicom_info *out,
                            char **errmsg)
{
    DcmXfer x(ts_uid);
    const char *p = (const char *)data;

    quiet_dcmtk();
    if (x.getXfer() == EXS_Unknown || chunk == 0) {
        return fail(errmsg, -EINVAL, "not a transfer syntax DCMTK knows");
    }
    Intake intake(NULL, x.getXfer());
    IntakeStream stream(&intake);
    intake.begin_dataset();
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = MIN(chunk, len - off);
        if (stream.write(p + off, (offile_off_t)n) != (offile_off_t)n) {
            return fail(errmsg, -EIO, "intake refused bytes");
        }
    }
    return intake.finish(ts_uid, out, errmsg);
}

/* ---- the SCP ---- */

struct assoc_thread;

struct tc_media_dicom_scp {
    struct tc_media_dicom_scp_config cfg; /* strings owned below */
    char *ae_title, *host, *tmp_dir;
    T_ASC_Network *net;
    DcmSharedSCPConfig *shared;
    int fd; /* our listening socket */
    GThread *listener;
    gint stopping; /* atomic */
    GMutex lock;
    GList *threads; /* of struct assoc_thread; protected by lock */
    int active;     /* associations running; protected by lock */
};

static void scp_log(struct tc_media_dicom_scp *scp, bool warning,
                    const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
scp_log(struct tc_media_dicom_scp *scp, bool warning, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    if (!scp->cfg.log) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_strdelimit(msg, "\r\n", ' '); /* DCMTK's texts span lines */
    scp->cfg.log(warning, msg, scp->cfg.user);
    g_free(msg);
}

/* One association's SCP. Thread: its association thread. */
class StoreSCP : public DcmThreadSCP
{
  public:
    StoreSCP(struct tc_media_dicom_scp *owner, T_ASC_Association *a)
        : scp(owner), assoc(a), n(0)
    {
    }
    unsigned stored() const
    {
        return n;
    }

  protected:
    OFBool checkCallingAETitleAccepted(const OFString &ae) override
    {
        calling = ae;
        if (scp->cfg.accept && !scp->cfg.accept(ae.c_str(), scp->cfg.user)) {
            scp_log(scp, true,
                    "dicom: association from AE \"%s\" refused: calling AE "
                    "title not on the allow-list",
                    ae.c_str());
            return OFFalse;
        }
        return OFTrue;
    }

    OFBool checkCalledAETitleAccepted(const OFString &ae) override
    {
        if (ae != scp->ae_title) {
            scp_log(scp, true,
                    "dicom: association refused: called AE title \"%s\" is "
                    "not ours",
                    ae.c_str());
            return OFFalse;
        }
        return OFTrue;
    }

    void notifyAbortRequest() override
    {
        scp_log(scp, true, "dicom: AE \"%s\" aborted the association",
                calling.c_str());
    }

    void notifyDIMSEError(const OFCondition &cond) override
    {
        scp_log(scp, true, "dicom: association with AE \"%s\": %s",
                calling.c_str(), cond.text());
    }

    OFCondition
    handleIncomingCommand(T_DIMSE_Message *msg,
                          const DcmPresentationContextInfo &pc) override
    {
        if (msg->CommandField == DIMSE_C_STORE_RQ) {
            return handle_store(msg->msg.CStoreRQ, pc);
        }
        return DcmThreadSCP::handleIncomingCommand(msg, pc);
    }

  private:
    OFCondition handle_store(T_DIMSE_C_StoreRQ &rq,
                             const DcmPresentationContextInfo &pc);
    OFCondition receive(T_DIMSE_C_StoreRQ &rq,
                        const DcmPresentationContextInfo &pc, Intake &intake,
                        bool &other_pc);
    uint16_t check_and_store(T_DIMSE_C_StoreRQ &rq,
                             const DcmPresentationContextInfo &pc,
                             Intake &intake);

    struct tc_media_dicom_scp *scp;
    T_ASC_Association *assoc; /* the one run() serves */
    OFString calling;
    unsigned n;
};

/* The meta header DCMTK's bit-preserving receive writes (as
 * DIMSE_createFilestream), then the data set's PDVs as they arrive. */
OFCondition
StoreSCP::receive(T_DIMSE_C_StoreRQ &rq, const DcmPresentationContextInfo &pc,
                  Intake &intake, bool &other_pc)
{
    IntakeStream stream(&intake);
    DcmMetaInfo meta;
    Uint8 version[2] = {0, 1};
    T_ASC_PresentationContextID pid = pc.presentationContextID;
    OFCondition cond;

    meta.putAndInsertUint32(DCM_FileMetaInformationGroupLength, 0);
    meta.putAndInsertUint8Array(DCM_FileMetaInformationVersion, version, 2);
    meta.putAndInsertString(DCM_MediaStorageSOPClassUID,
                            rq.AffectedSOPClassUID);
    meta.putAndInsertString(DCM_MediaStorageSOPInstanceUID,
                            rq.AffectedSOPInstanceUID);
    meta.putAndInsertOFStringArray(DCM_TransferSyntaxUID,
                                   pc.acceptedTransferSyntax);
    meta.putAndInsertString(DCM_ImplementationClassUID,
                            OFFIS_IMPLEMENTATION_CLASS_UID);
    meta.putAndInsertString(DCM_ImplementationVersionName,
                            OFFIS_DTK_IMPLEMENTATION_VERSION_NAME2);
    meta.putAndInsertString(DCM_SourceApplicationEntityTitle, calling.c_str());
    cond = meta.computeGroupLengthAndPadding(
        EGL_withGL, EPD_noChange, META_HEADER_DEFAULT_TRANSFERSYNTAX,
        EET_UndefinedLength);
    if (cond.good()) {
        meta.transferInit();
        cond = meta.write(stream, META_HEADER_DEFAULT_TRANSFERSYNTAX,
                          EET_ExplicitLength, NULL);
        meta.transferEnd();
    }
    if (cond.bad()) {
        return cond;
    }
    intake.begin_dataset();
    cond = DIMSE_receiveDataSetInFile(assoc, getDIMSEBlockingMode(),
                                      (int)getDIMSETimeout(), &pid, &stream,
                                      NULL, NULL);
    other_pc = cond.good() && pid != pc.presentationContextID;
    return cond;
}

uint16_t
StoreSCP::check_and_store(T_DIMSE_C_StoreRQ &rq,
                          const DcmPresentationContextInfo &pc, Intake &intake)
{
    struct tc_media_dicom_info info;
    struct tc_media_dicom_received r;
    char *why = NULL;
    int rc = intake.finish(pc.acceptedTransferSyntax.c_str(), &info, &why);

    if (rc == -EIO) {
        scp_log(scp, true, "dicom: C-STORE from AE \"%s\" not kept: %s",
                calling.c_str(), why);
        free(why);
        return TC_MEDIA_DICOM_STATUS_OUT_OF_RES;
    }
    if (rc < 0) {
        scp_log(scp, true, "dicom: C-STORE from AE \"%s\" refused: %s",
                calling.c_str(), why);
        free(why);
        return TC_MEDIA_DICOM_STATUS_CANNOT_UNDERSTAND;
    }
    if (strcmp(info.sop_class_uid, rq.AffectedSOPClassUID) != 0 ||
        strcmp(info.sop_class_uid, pc.abstractSyntax.c_str()) != 0 ||
        strcmp(info.sop_instance_uid, rq.AffectedSOPInstanceUID) != 0) {
        scp_log(scp, true,
                "dicom: C-STORE from AE \"%s\" refused: the data set's SOP "
                "class or instance differs from the command's and the "
                "presentation context's",
                calling.c_str());
        return TC_MEDIA_DICOM_STATUS_MISMATCH;
    }
    r.calling_ae = calling.c_str();
    r.tmp_path = intake.file_path();
    r.fd = intake.file_fd();
    r.sha256 = intake.sha256_hex();
    r.info = &info;
    r.size_bytes = intake.file_size();
    return scp->cfg.store(&r, scp->cfg.user);
}

OFCondition
StoreSCP::handle_store(T_DIMSE_C_StoreRQ &rq,
                       const DcmPresentationContextInfo &pc)
{
    DcmXfer xfer(pc.acceptedTransferSyntax.c_str());
    Intake intake(scp->tmp_dir, xfer.getXfer());
    bool other_pc = false;
    OFCondition cond = receive(rq, pc, intake, other_pc);
    uint16_t status;

    if (cond.bad() && intake.write_error() != 0 &&
        cond.code() == DIMSEC_OUTOFRESOURCES) {
        /* DIMSE read the rest of the data set: the peer can be told. */
        scp_log(scp, true,
                "dicom: C-STORE from AE \"%s\" not kept: writing to %s: %s",
                calling.c_str(), scp->tmp_dir,
                g_strerror(intake.write_error()));
        return sendSTOREResponse(pc.presentationContextID, rq,
                                 TC_MEDIA_DICOM_STATUS_OUT_OF_RES);
    }
    if (cond.bad()) {
        /* The association is gone or broken: nothing to answer. The
         * anonymous file (if any) goes with the Intake. */
        scp_log(scp, true,
                "dicom: C-STORE from AE \"%s\" not received whole (%s); "
                "nothing kept",
                calling.c_str(), cond.text());
        return cond;
    }
    if (other_pc) {
        scp_log(scp, true,
                "dicom: C-STORE from AE \"%s\" refused: its data set came "
                "on another presentation context than its command",
                calling.c_str());
        status = TC_MEDIA_DICOM_STATUS_MISMATCH;
    } else {
        status = check_and_store(rq, pc, intake);
    }
    if (tc_media_dicom_status_stored(status)) {
        n++;
    }
    return sendSTOREResponse(pc.presentationContextID, rq, status);
}

struct assoc_thread {
    struct tc_media_dicom_scp *scp;
    T_ASC_Association *assoc;
    int watch; /* a dup of the connection: stop shuts it down */
    GThread *thread;
    gint done; /* atomic */
};

static gpointer
assoc_main(gpointer data)
{
    struct assoc_thread *t = (struct assoc_thread *)data;
    struct tc_media_dicom_scp *scp = t->scp;
    StoreSCP *worker = new StoreSCP(scp, t->assoc);
    OFCondition cond;

    worker->setSharedConfig(*scp->shared);
    cond = worker->run(t->assoc); /* takes the association */
    if (cond.bad()) {
        scp_log(scp, true, "dicom: association ended: %s", cond.text());
    }
    delete worker;
    g_mutex_lock(&scp->lock);
    scp->active--;
    close(t->watch); /* under the lock: stop never shuts a reused number */
    t->watch = -1;
    g_mutex_unlock(&scp->lock);
    g_atomic_int_set(&t->done, 1);
    return NULL;
}

/* Join the association threads that ended (listener thread, or stop). */
static void
reap(struct tc_media_dicom_scp *scp, bool all)
{
    GList *l, *next;

    g_mutex_lock(&scp->lock);
    for (l = scp->threads; l; l = next) {
        struct assoc_thread *t = (struct assoc_thread *)l->data;
        next = l->next;
        if (!all && !g_atomic_int_get(&t->done)) {
            continue;
        }
        scp->threads = g_list_delete_link(scp->threads, l);
        g_mutex_unlock(&scp->lock);
        g_thread_join(t->thread);
        g_free(t);
        g_mutex_lock(&scp->lock);
    }
    g_mutex_unlock(&scp->lock);
}

static void
refuse_busy(struct tc_media_dicom_scp *scp, T_ASC_Association *assoc)
{
    T_ASC_RejectParameters rej = {
        ASC_RESULT_REJECTEDTRANSIENT,
        ASC_SOURCE_SERVICEPROVIDER_PRESENTATION_RELATED,
        ASC_REASON_SP_PRES_LOCALLIMITEXCEEDED};

    scp_log(scp, true,
            "dicom: association refused: %d at once already (the limit)",
            scp->cfg.max_associations);
    ASC_rejectAssociation(assoc, &rej);
    ASC_dropAssociation(assoc);
    ASC_destroyAssociation(&assoc);
}

/* Connections accepted whose A-ASSOCIATE-RQ has not started to arrive:
 * the listener polls them all at once, so idle connections (a flood, a
 * port scan) cost a slot each, never the listener's time. */
#define MAX_WAITING    64
#define RQ_TIMEOUT_MAX 5 /* s: reading one A-ASSOCIATE-RQ, once it began */

struct waiting {
    int fd;
    gint64 since_us;
};

/* DCMTK reads the A-ASSOCIATE-RQ from an accepted socket handed over
 * through dcmExternalSocketHandle (only this thread receives
 * associations), then an association thread takes it. */
static void
receive_one(struct tc_media_dicom_scp *scp, int conn)
{
    T_ASC_Association *assoc = NULL;
    struct assoc_thread *t;
    OFCondition cond;
    bool full;
    int watch;

    dcmExternalSocketHandle.set(conn);
    cond = ASC_receiveAssociation(scp->net, &assoc, scp->cfg.max_pdu_len, NULL,
                                  NULL, OFFalse, DUL_NOBLOCK,
                                  MIN(scp->cfg.timeout_s, RQ_TIMEOUT_MAX));
    dcmExternalSocketHandle.set(DCMNET_INVALID_SOCKET);
    if (cond.bad()) {
        scp_log(scp, true, "dicom: association request refused: %s",
                cond.text());
        if (assoc) {
            ASC_dropAssociation(assoc);
            ASC_destroyAssociation(&assoc);
        } else {
            close(conn);
        }
        return;
    }
    /* DCMTK reports a connection closed before any byte as a "good"
     * request with empty parameters: that is no association. */
    if (!assoc->params->DULparams.applicationContextName[0]) {
        ASC_dropAssociation(assoc);
        ASC_destroyAssociation(&assoc);
        return;
    }
    g_mutex_lock(&scp->lock);
    full = scp->active >= scp->cfg.max_associations;
    if (!full) {
        scp->active++;
    }
    g_mutex_unlock(&scp->lock);
    if (full) {
        refuse_busy(scp, assoc);
        return;
    }
    /* Our own descriptor of the socket: shutdown() through it at stop
     * wakes the association's blocking read. The thread closes it when
     * the association is over (under the lock, like stop's shutdown). */
    watch = dup(conn);
    t = g_new0(struct assoc_thread, 1);
    t->scp = scp;
    t->assoc = assoc;
    t->watch = watch;
    g_mutex_lock(&scp->lock);
    scp->threads = g_list_prepend(scp->threads, t);
    t->thread = g_thread_new("dicom-assoc", assoc_main, t);
    g_mutex_unlock(&scp->lock);
}

/* One round: wait up to a second for a new connection or for data on a
 * waiting one; expire those idle longer than the timeout. */
static void
listen_round(struct tc_media_dicom_scp *scp, GArray *waiting)
{
    struct pollfd pfd[MAX_WAITING + 1];
    int one = 1;
    gint64 now;
    guint n = waiting->len;

    pfd[0].fd = scp->fd;
    for (guint i = 0; i < n; i++) {
        pfd[i + 1].fd = g_array_index(waiting, struct waiting, i).fd;
    }
    for (guint i = 0; i <= n; i++) {
        pfd[i].events = POLLIN;
        pfd[i].revents = 0;
    }
    if (poll(pfd, n + 1, 1000) < 0) {
        return;
    }
    now = g_get_monotonic_time();
    for (guint i = n; i > 0; i--) {
        struct waiting w = g_array_index(waiting, struct waiting, i - 1);
        bool ready = pfd[i].revents != 0;
        if (!ready && now - w.since_us < scp->cfg.timeout_s * G_USEC_PER_SEC) {
            continue;
        }
        g_array_remove_index(waiting, i - 1);
        if (ready) {
            receive_one(scp, w.fd);
        } else {
            scp_log(scp, true,
                    "dicom: connection closed: no association request "
                    "within %d s",
                    scp->cfg.timeout_s);
            close(w.fd);
        }
    }
    if (pfd[0].revents) {
        struct waiting w = {-1, now};
        w.fd = accept4(scp->fd, NULL, NULL, SOCK_CLOEXEC);
        if (w.fd < 0) {
            return;
        }
        /* Small PDUs (a command, a response) must not wait for Nagle:
         * with it each C-STORE round trip took ~100 ms on loopback. */
        setsockopt(w.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (waiting->len >= MAX_WAITING) {
            scp_log(scp, true,
                    "dicom: connection refused: %d connections already "
                    "wait for their association request",
                    MAX_WAITING);
            close(w.fd);
            return;
        }
        g_array_append_val(waiting, w);
    }
}

static gpointer
listener_main(gpointer data)
{
    struct tc_media_dicom_scp *scp = (struct tc_media_dicom_scp *)data;
    GArray *waiting = g_array_new(FALSE, FALSE, sizeof(struct waiting));

    while (!g_atomic_int_get(&scp->stopping)) {
        listen_round(scp, waiting);
        reap(scp, false);
    }
    for (guint i = 0; i < waiting->len; i++) {
        close(g_array_index(waiting, struct waiting, i).fd);
    }
    g_array_free(waiting, TRUE);
    return NULL;
}

/* The storage SOP classes a county sees, and Verification. */
static const char *const sop_classes[] = {
    UID_VerificationSOPClass,
    UID_ComputedRadiographyImageStorage,
    UID_DigitalXRayImageStorageForPresentation,
    UID_DigitalXRayImageStorageForProcessing,
    UID_DigitalMammographyXRayImageStorageForPresentation,
    UID_CTImageStorage,
    UID_EnhancedCTImageStorage,
    UID_MRImageStorage,
    UID_EnhancedMRImageStorage,
    UID_UltrasoundImageStorage,
    UID_UltrasoundMultiframeImageStorage,
    UID_SecondaryCaptureImageStorage,
    UID_MultiframeSingleBitSecondaryCaptureImageStorage,
    UID_MultiframeGrayscaleByteSecondaryCaptureImageStorage,
    UID_MultiframeGrayscaleWordSecondaryCaptureImageStorage,
    UID_MultiframeTrueColorSecondaryCaptureImageStorage,
    UID_TwelveLeadECGWaveformStorage,
    UID_GeneralECGWaveformStorage,
    UID_BasicTextSRStorage,
    UID_EnhancedSRStorage,
    UID_ComprehensiveSRStorage,
    UID_KeyObjectSelectionDocumentStorage,
    UID_EncapsulatedPDFStorage,
};

/* Accepted as received, uncompressed first. */
static const char *const transfer_syntaxes[] = {
    UID_LittleEndianExplicitTransferSyntax,
    UID_LittleEndianImplicitTransferSyntax,
    UID_BigEndianExplicitTransferSyntax,
    UID_DeflatedExplicitVRLittleEndianTransferSyntax,
    UID_JPEGProcess1TransferSyntax,
    UID_JPEGProcess2_4TransferSyntax,
    UID_JPEGProcess14TransferSyntax,
    UID_JPEGProcess14SV1TransferSyntax,
    UID_JPEGLSLosslessTransferSyntax,
    UID_JPEGLSLossyTransferSyntax,
    UID_JPEG2000LosslessOnlyTransferSyntax,
    UID_JPEG2000TransferSyntax,
    UID_RLELosslessTransferSyntax,
};

static DcmSharedSCPConfig *
shared_config(const struct tc_media_dicom_scp_config *cfg)
{
    DcmSCPConfig c;
    OFList<OFString> ts;

    for (size_t i = 0; i < G_N_ELEMENTS(transfer_syntaxes); i++) {
        ts.push_back(transfer_syntaxes[i]);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(sop_classes); i++) {
        c.addPresentationContext(sop_classes[i], ts);
    }
    c.setAETitle(cfg->ae_title);
    c.setMaxReceivePDULength(cfg->max_pdu_len);
    c.setACSETimeout((Uint32)cfg->timeout_s);
    c.setDIMSETimeout((Uint32)cfg->timeout_s);
    c.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    c.setHostLookupEnabled(OFFalse);
    return new DcmSharedSCPConfig(c);
}

/*
 * Listen on host:port with a socket of our own: DCMTK binds every
 * interface and cannot say which port it got. Its network is made as an
 * acceptor without a listening socket (dcmExternalSocketHandle set while
 * it initialises) and is handed each accepted connection.
 */
static int
open_listener(struct tc_media_dicom_scp *scp, int *port_out, char **errmsg)
{
    GInetAddress *ia = g_inet_address_new_from_string(scp->host);
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int fd, one = 1, rc = 0;
    OFCondition cond;
    GSocketAddress *sa;

    if (!ia) {
        return fail(errmsg, -EINVAL, "dicom: listen: %s is not an address",
                    scp->host);
    }
    sa = g_inet_socket_address_new(ia, (guint16)scp->cfg.port);
    g_object_unref(ia);
    g_socket_address_to_native(sa, &ss, sizeof(ss), NULL);
    len = (socklen_t)g_socket_address_get_native_size(sa);
    g_object_unref(sa);
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return fail(errmsg, -EIO, "dicom: socket: %s", g_strerror(errno));
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
        rc = fail(errmsg, -EADDRINUSE, "dicom: listen %s:%d: %s", scp->host,
                  scp->cfg.port, g_strerror(errno));
        close(fd);
        return rc;
    }
    len = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &len);
    *port_out = ntohs(ss.ss_family == AF_INET6
                          ? ((struct sockaddr_in6 *)&ss)->sin6_port
                          : ((struct sockaddr_in *)&ss)->sin_port);
    if (listen(fd, 64) < 0) {
        rc = fail(errmsg, -EIO, "dicom: listen: %s", g_strerror(errno));
        close(fd);
        return rc;
    }
    scp->fd = fd;
    dcmExternalSocketHandle.set(fd);
    cond = ASC_initializeNetwork(NET_ACCEPTOR, *port_out, scp->cfg.timeout_s,
                                 &scp->net);
    dcmExternalSocketHandle.set(DCMNET_INVALID_SOCKET);
    if (cond.bad()) {
        return fail(errmsg, -EIO, "dicom: network: %s", cond.text());
    }
    return 0;
}

static void
scp_free(struct tc_media_dicom_scp *scp)
{
    if (scp->net) {
        ASC_dropNetwork(&scp->net);
    }
    if (scp->fd >= 0) {
        close(scp->fd);
    }
    delete scp->shared;
    g_mutex_clear(&scp->lock);
    g_free(scp->ae_title);
    g_free(scp->host);
    g_free(scp->tmp_dir);
    g_free(scp);
}

extern "C" int
tc_media_dicom_scp_start(const struct tc_media_dicom_scp_config *cfg,
                         struct tc_media_dicom_scp **out, int *port_out,
                         char **errmsg)
{
    struct tc_media_dicom_scp *scp;
    int rc, port = 0;

    if (!cfg->ae_title || !cfg->ae_title[0] || strlen(cfg->ae_title) > 16 ||
        !cfg->host || !cfg->tmp_dir || !cfg->store ||
        cfg->max_associations < 1 || cfg->max_pdu_len < 4096 ||
        cfg->timeout_s < 1) {
        return fail(errmsg, -EINVAL, "dicom: invalid SCP configuration");
    }
    quiet_dcmtk();
    /* DCMTK loads its data dictionary on first use: now, rather than in
     * the first association's first C-STORE. */
    if (!dcmDataDict.isDictionaryLoaded()) {
        return fail(errmsg, -EIO, "dicom: DCMTK has no data dictionary");
    }
    scp = g_new0(struct tc_media_dicom_scp, 1);
    g_mutex_init(&scp->lock);
    scp->fd = -1;
    scp->cfg = *cfg;
    scp->ae_title = g_strdup(cfg->ae_title);
    scp->host = g_strdup(cfg->host);
    scp->tmp_dir = g_strdup(cfg->tmp_dir);
    rc = open_listener(scp, &port, errmsg);
    if (rc < 0) {
        scp_free(scp);
        return rc;
    }
    scp->shared = shared_config(cfg);
    scp->listener = g_thread_new("dicom-listen", listener_main, scp);
    *out = scp;
    *port_out = port;
    return 0;
}

extern "C" void
tc_media_dicom_scp_stop(struct tc_media_dicom_scp *scp)
{
    if (!scp) {
        return;
    }
    g_atomic_int_set(&scp->stopping, 1);
    g_thread_join(scp->listener);
    g_mutex_lock(&scp->lock);
    for (GList *l = scp->threads; l; l = l->next) {
        struct assoc_thread *t = (struct assoc_thread *)l->data;
        if (t->watch >= 0) {
            /* The association's read wakes up to a closed connection. */
            int rc = shutdown(t->watch, SHUT_RDWR);
            scp_log(scp, false, "dicom: stopping: association aborted (%s)",
                    rc == 0 ? "ok" : g_strerror(errno));
        }
    }
    g_mutex_unlock(&scp->lock);
    reap(scp, true);
    scp_free(scp);
}

/* ---- the SCU ---- */

extern "C" int
tc_media_dicom_send(const char *calling_ae, const char *ae_title,
                    const char *host, int port, int timeout_s,
                    const char *const *paths, size_t n, uint16_t *status_out,
                    char **errmsg)
{
    DcmSCU scu;
    OFCondition cond;
    std::vector<std::string> sop(n), ts(n);

    quiet_dcmtk();
    for (size_t i = 0; i < n; i++) {
        /* The presentation context from the meta header alone (SOP class
         * and transfer syntax): the whole file is read once, to send it,
         * not also here, nor on every retry while the peer is down. */
        DcmFileFormat ff;
        OFString cls, syn;
        status_out[i] = 0xFFFF;
        if (ff.loadFile(paths[i], EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                        ERM_metaOnly)
                .bad() ||
            ff.getMetaInfo()
                ->findAndGetOFString(DCM_MediaStorageSOPClassUID, cls)
                .bad() ||
            ff.getMetaInfo()
                ->findAndGetOFString(DCM_TransferSyntaxUID, syn)
                .bad() ||
            !is_uid(cls.c_str()) || !is_uid(syn.c_str())) {
            return fail(errmsg, -EPROTO,
                        "dicom: %s: no meta header with a SOP class and "
                        "transfer syntax",
                        paths[i]);
        }
        sop[i] = cls.c_str();
        ts[i] = syn.c_str();
        OFList<OFString> one;
        one.push_back(syn);
        scu.addPresentationContext(cls, one);
    }
    scu.setAETitle(calling_ae);
    scu.setPeerAETitle(ae_title);
    scu.setPeerHostName(host);
    scu.setPeerPort((Uint16)port);
    scu.setACSETimeout((Uint32)timeout_s);
    scu.setDIMSETimeout((Uint32)timeout_s);
    scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    scu.setConnectionTimeout(timeout_s);
    cond = scu.initNetwork();
    if (cond.good()) {
        cond = scu.negotiateAssociation();
    }
    if (cond.bad()) {
        return fail(errmsg,
                    cond == DUL_ASSOCIATIONREJECTED ? -EPROTO : -ECONNREFUSED,
                    "dicom: association with %s@%s:%d: %s", ae_title, host,
                    port, cond.text());
    }
    for (size_t i = 0; i < n; i++) {
        T_ASC_PresentationContextID pc =
            scu.findPresentationContextID(sop[i].c_str(), ts[i].c_str());
        Uint16 st = 0xFFFF;
        if (pc == 0) {
            continue; /* the peer did not accept this class or syntax */
        }
        cond = scu.sendSTORERequest(pc, OFFilename(paths[i]), NULL, st);
        if (cond.bad()) {
            break;
        }
        status_out[i] = st;
    }
    if (cond.good()) {
        scu.releaseAssociation();
        return 0;
    }
    scu.abortAssociation();
    return fail(errmsg, -EIO, "dicom: C-STORE to %s@%s:%d: %s", ae_title, host,
                port, cond.text());
}
