/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tc-media.h - real-time media for telecare: WebRTC rooms, recording, ECG
 * relay, DICOM store-and-forward. It knows nothing of SQL or HTTP and
 * reports what happens through callbacks. GStreamer types never appear
 * here.
 *
 * Thread: tc_media_init() is called once, from the main thread, before any
 * other tc_media_ call.
 */
#ifndef TC_MEDIA_H
#define TC_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Initialise GStreamer and check that every element the media pipelines
 * need is installed. Returns 0, or -ENOENT with a malloc'd sentence naming
 * the missing element (and its Debian package) in *errmsg, which the caller
 * frees with free(). Calling it again after success does nothing.
 */
int tc_media_init(char **errmsg);

/*
 * tc_media_init starts generating the process's DTLS certificate on a
 * thread of its own (every WebRTC connection uses it; the first call
 * would wait for it otherwise). Wait for that thread to end: before the
 * process exits, so nothing runs during teardown. Main thread.
 */
void tc_media_warm_wait(void);

/* What a probe found in a video file. */
struct tc_media_video_info {
    char mime[32]; /* "video/webm", "video/x-matroska", "video/mp4" */
    int64_t duration_ms;
    int width;
    int height;
};

/*
 * Check that the file at `path` is a video a browser can play: a WebM,
 * Matroska or MP4 container with a video stream and a duration, read
 * within timeout_s. Returns 0 with *out filled; -EPROTO when it is not
 * (a sentence for people in why, e.g. "video: has no video stream"), or
 * -EIO. Blocks: call it off the main loop. Any thread, after
 * tc_media_init().
 */
int tc_media_probe_video(const char *path, int timeout_s,
                         struct tc_media_video_info *out, char *why,
                         size_t why_len);

/* The GStreamer version in use, e.g. "GStreamer 1.22.0". Static string. */
const char *tc_media_version(void);

/* == ECG over RTP (ecg-rtp.c; the format is docs/ecg-rtp.md) == */

#define TC_MEDIA_ECG_MAX_LEADS   16
#define TC_MEDIA_ECG_MAX_PAYLOAD 1400 /* bytes of samples in one packet */
#define TC_MEDIA_ECG_RTP_HEADER  12
#define TC_MEDIA_ECG_INVALID     (-32768) /* WFDB's "no valid sample" */
/* A packet buffer: header with CSRCs and an extension, the payload, and
 * room for libsrtp's trailer (it may write up to SRTP_MAX_TRAILER_LEN,
 * 144 bytes, past the packet while protecting). */
#define TC_MEDIA_ECG_MAX_PACKET 1664

/*
 * What a stream's announcement fixes for every packet of the stream: lead
 * count, frames (one sample per lead) per packet, payload type, SSRC and
 * the first packet's sequence number and timestamp. Packet k of the
 * stream (k = 0, 1, ...) has sequence first_seq + k (mod 2^16) and
 * timestamp first_timestamp + k * frames_per_packet (mod 2^32).
 */
struct tc_media_ecg_format {
    unsigned n_leads;           /* 1..TC_MEDIA_ECG_MAX_LEADS */
    unsigned sample_rate_hz;    /* 50..20000, the RTP clock rate */
    unsigned frames_per_packet; /* n_leads * 2 * frames <= MAX_PAYLOAD */
    uint8_t payload_type;       /* 96..127 */
    uint32_t ssrc;
    uint16_t first_seq;
    uint32_t first_timestamp;
};

/* Checks a format's ranges: 0 or -EINVAL. */
int tc_media_ecg_format_check(const struct tc_media_ecg_format *fmt);

/* One parsed packet. `payload` points into the parsed buffer. */
struct tc_media_ecg_packet {
    uint16_t seq;
    uint32_t timestamp;
    bool marker;            /* the stream's last packet */
    unsigned frames;        /* 1..frames_per_packet; fewer only with marker */
    const uint8_t *payload; /* frames * n_leads big-endian int16 */
};

/*
 * Parse an (unprotected) RTP packet of the stream `fmt`. CSRCs, a header
 * extension and padding are skipped as RFC 3550 says. Nothing is copied.
 * Errors (out untouched): -EPROTO not RTP version 2, another payload type
 * or SSRC, or lengths that do not add up; -EMSGSIZE a payload that is
 * empty, not whole frames of n_leads samples, longer than
 * frames_per_packet frames, or shorter without the marker bit.
 */
int tc_media_ecg_rtp_parse(const struct tc_media_ecg_format *fmt,
                           const uint8_t *pkt, size_t len,
                           struct tc_media_ecg_packet *out);

/*
 * Write packet `index` (0-based) of the stream into buf: the 12-byte
 * header and `frames` frames of samples (n_leads values each, host
 * order). Returns the packet length, or -EMSGSIZE when frames is 0, over
 * frames_per_packet, or the packet does not fit cap.
 */
int tc_media_ecg_rtp_write(const struct tc_media_ecg_format *fmt,
                           uint64_t index, bool marker, const int16_t *samples,
                           unsigned frames, uint8_t *buf, size_t cap);

/*
 * Where a packet belongs in its stream. Sequence numbers are extended to
 * 64 bits against the highest seen so far; the packet index is the
 * extended number minus first_seq, and its timestamp must be
 * first_timestamp + index * frames_per_packet. init/fini: caller storage.
 */
struct tc_media_ecg_seq {
    struct tc_media_ecg_format fmt;
    int64_t highest; /* highest packet index accepted, -1 before any */
};

void tc_media_ecg_seq_init(struct tc_media_ecg_seq *s,
                           const struct tc_media_ecg_format *fmt);
/*
 * The packet index of (seq, timestamp); *index written only on success.
 * Errors: -ERANGE the index would be before the stream's first packet;
 * -EPROTO the timestamp does not match the index (a jump).
 */
int tc_media_ecg_seq_index(struct tc_media_ecg_seq *s, uint16_t seq,
                           uint32_t timestamp, int64_t *index);

/* == WFDB records (wfdb-read.c, wfdb-write.c) == */

/*
 * PhysioNet WFDB: a text header `<name>.hea` and one or more signal files.
 * Read: formats 16 and 212, single-segment records, several signal files
 * (s0010_re: .dat and .xyz), one sample per signal per frame. Written:
 * format 16, one file. Sample values are ADC units; TC_MEDIA_ECG_INVALID
 * (-32768) marks a missing sample (212's -2048 reads as it).
 */
#define TC_MEDIA_WFDB_MAX_SIGNALS 32
#define TC_MEDIA_WFDB_MAX_FILES   8
#define TC_MEDIA_WFDB_MAX_HEADER  (256 * 1024)
#define TC_MEDIA_WFDB_MAX_SAMPLES (64 * 1024 * 1024) /* all signals */

struct tc_media_wfdb_signal {
    char file[64];   /* signal file name, no directory part */
    unsigned format; /* 16 or 212 */
    double gain;     /* ADC units per physical unit (200 when absent) */
    int baseline;    /* ADC value of 0 physical units */
    char units[16];  /* "mV" when absent */
    unsigned adc_resolution; /* bits */
    int adc_zero;
    int init_value;
    int16_t checksum;
    bool has_checksum;
    char description[32]; /* the lead name, e.g. "MLII", "v1" */
    unsigned file_index;  /* which of header.files */
};

struct tc_media_wfdb_header {
    char name[64];
    unsigned n_signals;
    double sample_rate_hz;
    int64_t n_frames;   /* -1 when the header does not say */
    char base_time[16]; /* "HH:MM:SS[.mmm]" or "" */
    char base_date[16]; /* "DD/MM/YYYY" or "" */
    unsigned n_files;
    char files[TC_MEDIA_WFDB_MAX_FILES][64];
    struct tc_media_wfdb_signal signals[TC_MEDIA_WFDB_MAX_SIGNALS];
};

/*
 * Parse a header's text (len bytes, not necessarily NUL-terminated). On
 * failure returns -EINVAL (or -ENOTSUP for a valid header this reader
 * does not read: multi-segment, another format, several samples per frame,
 * byte offsets) with a sentence naming the line and field in err.
 */
int tc_media_wfdb_header_parse(const char *text, size_t len,
                               struct tc_media_wfdb_header *out, char *err,
                               size_t err_len);

/*
 * Decode the signal file `file_index` of `h` (its bytes in data/len) into
 * `samples`, which holds n_frames * h->n_signals values, frame-major, all
 * signals of the record: this file's columns are written, others left.
 * n_frames is h->n_frames, or the file's length when that is -1 (the
 * caller sizes `samples` with tc_media_wfdb_frames_in()).
 * Errors: -EINVAL the file is shorter than n_frames (err says so).
 */
int tc_media_wfdb_decode(const struct tc_media_wfdb_header *h,
                         unsigned file_index, const uint8_t *data, size_t len,
                         int64_t n_frames, int16_t *samples, char *err,
                         size_t err_len);

/* Whole frames a signal file of `len` bytes holds. */
int64_t tc_media_wfdb_frames_in(const struct tc_media_wfdb_header *h,
                                unsigned file_index, size_t len);

/*
 * Each signal's checksum (sum of its samples mod 2^16, as int16) against
 * its header's. -EBADMSG with the signal named in err on a mismatch.
 */
int tc_media_wfdb_checksums_verify(const struct tc_media_wfdb_header *h,
                                   const int16_t *samples, int64_t n_frames,
                                   char *err, size_t err_len);

/* A record read whole: its header and samples (n_frames * n_signals). */
struct tc_media_wfdb_record {
    struct tc_media_wfdb_header header;
    int64_t n_frames;
    int16_t *samples;
};

/*
 * Read `<dir>/<name>.hea` and its signal files, checking every checksum
 * the header gives. *out owns a new record (tc_media_wfdb_record_free).
 * Errors: -ENOENT, -EIO, -EINVAL, -ENOTSUP, -EBADMSG, -EFBIG (over
 * TC_MEDIA_WFDB_MAX_SAMPLES), -ENOMEM; err says which file and why.
 */
int tc_media_wfdb_record_read(const char *dir, const char *name,
                              struct tc_media_wfdb_record **out, char *err,
                              size_t err_len);
void tc_media_wfdb_record_free(struct tc_media_wfdb_record *rec);

/*
 * Writing a record while it arrives. The samples go to <dir>/<name>.dat
 * (format 16) as they come; <dir>/<name>.hea is replaced atomically
 * (written aside, then renamed) at open and at every sync, and always
 * describes exactly the frames already written to .dat, with their
 * checksums: a reader finds a valid record even after the writer was
 * killed, missing at most what came after its last sync.
 *
 * Packets are placed by index (0-based, each frames_per_packet frames).
 * Up to `reorder_packets` packets may arrive out of order and are put back
 * in place; a packet that never came is written as invalid samples
 * (TC_MEDIA_ECG_INVALID) once it is that far behind, so time stays
 * aligned. Thread: one thread at a time (the relay's).
 */
struct tc_media_wfdb_writer;

struct tc_media_wfdb_writer_params {
    const char *dir;
    const char *name;
    unsigned n_leads;
    unsigned sample_rate_hz;
    unsigned frames_per_packet;
    unsigned reorder_packets;      /* 1..64 */
    const char *const *lead_names; /* n_leads names, no blanks */
    const double *gains;           /* adu per mV, per lead */
    const int *baselines;          /* per lead */
    const int *adc_zeros;          /* per lead, or NULL for all 0 */
    unsigned adc_resolution;       /* bits, 8..16 */
    int64_t started_at_us;         /* wall clock, UTC: base time/date */
};

int tc_media_wfdb_writer_open(const struct tc_media_wfdb_writer_params *p,
                              struct tc_media_wfdb_writer **out);
/*
 * Put one packet: `frames` frames of big-endian samples (the RTP payload).
 * Returns 0, or -EALREADY (counted, not an error for the stream) for a
 * packet already written or given up as lost, -EIO on a write failure.
 */
int tc_media_wfdb_writer_put(struct tc_media_wfdb_writer *w, int64_t index,
                             const uint8_t *payload, unsigned frames);
/* Write what is due and replace the header. 0 or -EIO. */
int tc_media_wfdb_writer_sync(struct tc_media_wfdb_writer *w);
/*
 * End the record at `total_frames` (or, when < 0, after the last frame
 * received): missing packets become invalid samples, then a final sync.
 * 0 or -EIO. The writer stays to be freed.
 */
int tc_media_wfdb_writer_finish(struct tc_media_wfdb_writer *w,
                                int64_t total_frames);
/* Frames written so far (after reordering and gap filling). */
int64_t tc_media_wfdb_writer_frames(const struct tc_media_wfdb_writer *w);
/* Frames written as invalid because their packet never came. */
int64_t tc_media_wfdb_writer_lost_frames(const struct tc_media_wfdb_writer *w);
void tc_media_wfdb_writer_free(struct tc_media_wfdb_writer *w);

/* == SRTP for ECG streams (ecg-srtp.c, libsrtp2) == */

enum tc_media_srtp_profile {
    TC_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80 = 1,
    TC_MEDIA_SRTP_AEAD_AES_128_GCM,
};

#define TC_MEDIA_SRTP_MAX_KEY 30 /* master key + salt, bytes */

/* "AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM" (RFC 4568/7714 names). */
const char *tc_media_srtp_profile_name(enum tc_media_srtp_profile p);
int tc_media_srtp_profile_from_name(const char *name,
                                    enum tc_media_srtp_profile *out);
/* Master key + salt length of a profile: 30 or 28. */
size_t tc_media_srtp_key_len(enum tc_media_srtp_profile p);

/*
 * One direction of one stream: an SRTP session for a single SSRC with
 * replay protection (a 128-packet window). Thread: one at a time.
 * `key` holds tc_media_srtp_key_len(profile) bytes and is copied.
 * Errors: -EINVAL, -ENOMEM, -EIO (libsrtp refused).
 */
struct tc_media_srtp;

int tc_media_srtp_new(enum tc_media_srtp_profile profile, const uint8_t *key,
                      uint32_t ssrc, struct tc_media_srtp **out);
void tc_media_srtp_free(struct tc_media_srtp *s);

/*
 * Protect in place: buf holds *len bytes of RTP in a buffer of
 * TC_MEDIA_ECG_MAX_PACKET bytes (libsrtp may write its largest trailer).
 * 0, or -EIO (also when *len leaves no such room). Allocates nothing.
 */
int tc_media_srtp_protect(struct tc_media_srtp *s, uint8_t *buf, size_t *len);
/*
 * Unprotect in place; *len becomes the RTP length. Errors: -EACCES
 * authentication failed (wrong key or altered), -EALREADY a replay (or too
 * old for the window), -EPROTO not SRTP of this stream. Allocates nothing.
 */
int tc_media_srtp_unprotect(struct tc_media_srtp *s, uint8_t *buf,
                            size_t *len);

/*
 * The AES and HMAC under libsrtp2 for sessions made from now on: OpenSSL's
 * (the default) or the libsrtp2 build's own (Debian: NSS), to measure or
 * compare them. Process wide; not while another thread makes sessions.
 * 0, or -EIO (libsrtp refused the implementation: its self-test failed).
 */
enum tc_media_srtp_crypto {
    TC_MEDIA_SRTP_CRYPTO_OPENSSL,
    TC_MEDIA_SRTP_CRYPTO_LIBSRTP,
};
int tc_media_srtp_set_crypto(enum tc_media_srtp_crypto crypto);

/* == The ECG relay (ecg-relay.c) == */

/*
 * One UDP socket receiving SRTP from ECG devices for many streams, told
 * apart by SSRC. Each packet is unprotected with its stream's key,
 * validated (RTP of the stream, whole frames of n_leads samples, sequence
 * number and timestamp agreeing), written to the stream's WFDB archive,
 * kept in a ring of the last `history_ms`, protected again for each SRTP
 * subscriber with that subscriber's key and sent (sendmmsg), and handed to
 * the stream's `packet` callback (the server turns it into WebSocket
 * frames for browser viewers). Whatever fails is dropped and counted on
 * its stream; the stream and every other go on.
 *
 * Thread: the relay lives on the thread-default GMainContext of the thread
 * that creates it (the server's main loop); every call and callback is on
 * that thread. The per-packet path allocates nothing.
 */
struct tc_media_ecg_relay;
struct tc_media_ecg_stream;

/*
 * Bind a UDP socket to `addr` ("127.0.0.1", "::", ...) and `port` (0: any)
 * and watch it. Errors: -EINVAL (address), -EADDRINUSE, -errno, -ENOMEM.
 */
int tc_media_ecg_relay_new(const char *addr, uint16_t port,
                           struct tc_media_ecg_relay **out);
/* Remove every stream (their archives finished as they are) and close. */
void tc_media_ecg_relay_free(struct tc_media_ecg_relay *relay);
/* The bound port. */
uint16_t tc_media_ecg_relay_port(const struct tc_media_ecg_relay *relay);
/* Packets whose SSRC matches no stream (dropped). */
uint64_t tc_media_ecg_relay_unknown(const struct tc_media_ecg_relay *relay);

/*
 * An accepted packet (in arrival order): its index in the stream and its
 * payload (frames * n_leads big-endian samples), borrowed for the call.
 * Also used to replay history (tc_media_ecg_stream_history).
 */
typedef void (*tc_media_ecg_packet_fn)(void *data, int64_t index,
                                       const uint8_t *payload,
                                       unsigned frames);

struct tc_media_ecg_stream_params {
    struct tc_media_ecg_format format;
    enum tc_media_srtp_profile profile;
    const uint8_t *key;  /* the device's master key + salt, copied */
    unsigned history_ms; /* 0: 10,000 */
    /* The archive, or archive.dir NULL for none. Its n_leads, rate and
     * frames_per_packet are taken from `format`. */
    struct tc_media_wfdb_writer_params archive;
    tc_media_ecg_packet_fn packet; /* may be NULL */
    void *data;
};

/* What happened to a stream's packets. */
struct tc_media_ecg_stream_stats {
    uint64_t received;    /* with this stream's SSRC */
    uint64_t accepted;    /* authentic and valid */
    uint64_t auth_failed; /* wrong key or altered */
    uint64_t replayed;    /* SRTP replay window */
    uint64_t bad_payload; /* not RTP of the stream, length vs leads */
    uint64_t bad_timing;  /* sequence number or timestamp implausible */
    uint64_t late;        /* too late (or duplicate) for the archive */
    uint64_t sent;        /* packets sent to SRTP subscribers */
    uint64_t send_failed;
    int64_t frames;      /* archived so far */
    int64_t lost_frames; /* archived as invalid */
};

/*
 * Add a stream. Its SSRC must be new to the relay (-EEXIST); the archive
 * is created now (its errors: see tc_media_wfdb_writer_open). The stream
 * belongs to the relay; *out is borrowed until stream_remove.
 */
int tc_media_ecg_relay_stream_add(struct tc_media_ecg_relay *relay,
                                  const struct tc_media_ecg_stream_params *p,
                                  struct tc_media_ecg_stream **out);

/*
 * A subscriber receiving the stream as SRTP at `addr` (a struct sockaddr
 * of addr_len bytes) with its own key. The last history_ms are sent to it
 * first, then every packet live. *sub_id names it for unsubscribe.
 * Errors: -EINVAL, -ENOSPC (over 64 subscribers), -ENOMEM.
 */
int tc_media_ecg_stream_subscribe(struct tc_media_ecg_stream *s,
                                  enum tc_media_srtp_profile profile,
                                  const uint8_t *key, const void *addr,
                                  size_t addr_len, int *sub_id);
/* -ENOENT when there is no such subscriber. */
int tc_media_ecg_stream_unsubscribe(struct tc_media_ecg_stream *s, int sub_id);
/* Call fn for each packet of the last history_ms, oldest first. */
void tc_media_ecg_stream_history(struct tc_media_ecg_stream *s,
                                 tc_media_ecg_packet_fn fn, void *data);
void tc_media_ecg_stream_stats(const struct tc_media_ecg_stream *s,
                               struct tc_media_ecg_stream_stats *out);
/*
 * Finish the archive at total_frames (< 0: after the last frame
 * received); see tc_media_wfdb_writer_finish. Packets arriving later are
 * still relayed but no longer archived. 0 or -EIO.
 */
int tc_media_ecg_stream_finish(struct tc_media_ecg_stream *s,
                               int64_t total_frames);
/* Remove and free a stream (its archive synced as it is). */
void tc_media_ecg_stream_remove(struct tc_media_ecg_stream *s);
/* Sync every stream's archive header (the relay does so every second). */
void tc_media_ecg_relay_sync(struct tc_media_ecg_relay *relay);

/*
 * UDP GSO on the relay's sends (on by default where the kernel has it):
 * in a send batch, packets to one subscriber address and of one length
 * (the last of a run may be shorter), up to 64, leave in one system call
 * and one skb that the kernel cuts into the same datagrams (UDP_SEGMENT,
 * man 7 udp). It pays when several streams go to one address (a reading
 * station or monitor on one socket) and for a late subscriber's history.
 * If the kernel refuses it before any GSO send went through, the relay
 * sends one by one from then on. 0, or -EOPNOTSUPP (no UDP GSO in this
 * kernel: off).
 */
int tc_media_ecg_relay_set_gso(struct tc_media_ecg_relay *relay, bool on);

/* What the relay's sends did, all streams together. */
struct tc_media_ecg_relay_tx_stats {
    uint64_t send_calls;   /* sendmmsg calls */
    uint64_t datagrams;    /* packets sent (a GSO send counts each) */
    uint64_t gso_sends;    /* GSO sends: several packets, one address */
    uint64_t gso_segments; /* packets that went out in them */
    uint64_t gso_refused;  /* GSO sends the kernel refused (sent again) */
    bool gso;              /* GSO in use now */
};
void tc_media_ecg_relay_tx_stats(const struct tc_media_ecg_relay *relay,
                                 struct tc_media_ecg_relay_tx_stats *out);
/* ---- Rooms: WebRTC forwarding (SFU) ------------------------------------
 *
 * A room is one GStreamer pipeline. Each participant publishes through one
 * WebRTC connection with the server (the participant offers, the server
 * answers) and receives each other publisher through one more connection
 * per publisher, a "feed" (the server offers, the participant answers).
 * Every connection is negotiated once (a new offer on the publishing
 * connection replaces it), so no renegotiation is ever needed. RTP (VP8,
 * H.264, Opus) is forwarded as it came, never decoded: publisher webrtcbin
 * -> tee -> queue -> the subscribers' webrtcbins. A subscriber's PLI/FIR
 * travels back up that path to the publisher, and a new feed asks the
 * publisher for a keyframe as soon as it is connected.
 *
 * Ids: a participant is named by the caller's string id (1..31 bytes),
 * a feed by its publisher's id.
 *
 * Thread: every tc_media_room_ call is made from the thread that runs the
 * room's GMainContext, and every event is delivered there (GStreamer's own
 * threads hand their work to it).
 */

struct tc_media_room;

#define TC_MEDIA_ID_MAX 32 /* bytes of a participant id, NUL included */

/* Network configuration of the server's WebRTC endpoints. The strings are
 * copied by tc_media_room_new. */
struct tc_media_config {
    /* Host addresses to gather candidates on, NULL-terminated; NULL or
     * empty: every interface but loopback (libnice's default). Loopback
     * works only when listed here ("127.0.0.1"). */
    const char *const *ice_addresses;
    const char *stun_server; /* "stun://host:port" or NULL */
    const char *turn_server; /* "turn://user:pass@host:port" or NULL */
    /* Jitter-buffer latency of the receiving side, ms: how long a gap is
     * waited for (NACK) before packets behind it move on. 0: 100. */
    unsigned latency_ms;
    /* Automatic audio only (low-bandwidth mode for a weak downlink): a
     * subscriber whose receiver reports show at least this % of its video
     * lost over the last 3 statistics rounds (tc_media_room_stats) gets
     * audio only, and video again once its audio loss stays under a third
     * of it for 3 rounds. 0: 10; 100 or more: never. */
    unsigned audio_only_loss_pct;
    /* true: the LOW profile sends the publishers no REMB, and only the
     * clients' own caps hold them down (a control for measuring the
     * REMB's effect; false, the default, sends it). */
    bool remb_off;
};

enum tc_media_event_kind {
    /* Send this SDP to the participant: an answer on its publishing
     * connection (feed NULL), or an offer for a feed. */
    TC_MEDIA_EV_SDP,
    /* Send this local ICE candidate to the participant. */
    TC_MEDIA_EV_CANDIDATE,
    /* A connection's state changed: `state` is one of "new", "checking",
     * "connecting", "connected", "disconnected", "failed", "closed". */
    TC_MEDIA_EV_STATE,
    /* A published track started flowing into the server (`up`), or its
     * publisher left (`up` false). `track` is "audio" or "video". */
    TC_MEDIA_EV_TRACK,
    /* A feed of the participant ended (its publisher left or failed):
     * the participant should close that connection. */
    TC_MEDIA_EV_FEED_ENDED,
    /* A connection failed and was dropped; `error` says why. Other
     * connections and participants go on. */
    TC_MEDIA_EV_ERROR,
    /* A recording of the participant's `track` is complete. */
    TC_MEDIA_EV_RECORDING,
    /* A recording of the participant's `track` has started: `recording`
     * gives its path and start (the rest 0). If the process dies before
     * TC_MEDIA_EV_RECORDING, the file is still there and plays
     * (tc_media_recording_measure gives its duration). */
    TC_MEDIA_EV_RECORDING_STARTED,
    /* The participant now receives audio only (`up` true) or video again
     * (`up` false); `reason` is "asked", "loss", "recovered" or
     * "profile" (the room's profile is or was AUDIO). */
    TC_MEDIA_EV_AUDIO_ONLY,
};

/* A finished recording file (tc_media_room_record). */
struct tc_media_recording {
    const char *path;      /* dir/<participant>-<track>-<time>.webm|.mkv */
    int64_t started_at_us; /* real time of the file's first frame */
    int64_t duration_us;   /* first frame to the end of the last */
    uint64_t bytes;
    char sha256[65]; /* hex */
};

/*
 * Describe a recording the recorder wrote (WebM or Matroska, one track):
 * out->duration_us from its first frame to the end of its last, read by
 * demuxing the whole file (so it serves a file cut short by a crash,
 * whose header has no duration), out->bytes and out->sha256; out->path is
 * `path`, out->started_at_us 0. Returns 0; -EPROTO when no frame could
 * be read, -EIO when the file cannot be mapped, -ETIMEDOUT after
 * timeout_s (*why: a sentence, g_free). Blocks; any thread, after
 * tc_media_init().
 */
int tc_media_recording_read(const char *path, int timeout_s,
                            struct tc_media_recording *out, char **why);

/* Borrowed for the callback. */
struct tc_media_event {
    enum tc_media_event_kind kind;
    const char *participant; /* whose connection */
    const char *feed;        /* the feed's publisher id, NULL: publishing */
    const char *sdp_type;    /* SDP: "offer" or "answer" */
    const char *sdp;         /* SDP */
    const char *candidate;   /* CANDIDATE: "candidate:..." */
    unsigned mline;          /* CANDIDATE */
    const char *state;       /* STATE */
    const char *track;       /* TRACK */
    bool up;                 /* TRACK */
    /* TRACK: the real time (UTC, us) of the change: the first packet's
     * arrival for up; the last packet's for a track that paused or whose
     * publisher left, so media time does not include the pause detection
     * delay (about 1.5 s). */
    int64_t at_us;
    const char *error;  /* ERROR */
    const char *reason; /* AUDIO_ONLY */
    /* RECORDING, RECORDING_STARTED (track set) */
    const struct tc_media_recording *recording;
};

typedef void (*tc_media_event_fn)(const struct tc_media_event *ev, void *data);

/*
 * A room named `name` (for logs) with its pipeline running, delivering
 * events to `fn` on `ctx` (NULL: the thread-default context). On success
 * *out owns the room (tc_media_room_free). Errors: -ENOMEM, -EIO (the
 * pipeline would not start).
 */
int tc_media_room_new(const char *name, const struct tc_media_config *cfg,
                      GMainContext *ctx, tc_media_event_fn fn, void *data,
                      struct tc_media_room **out);

/* Stop the pipeline and free everything, without events. NULL ignored. */
void tc_media_room_free(struct tc_media_room *room);

/*
 * Participant `id` offers to publish (`sdp`, `len` bytes of outside
 * text). The participant joins the room's media if new; an earlier
 * publishing connection of it is replaced (with the feeds others had of
 * it). The answer arrives as an SDP event; feeds of the other publishers
 * are offered to it, and feeds of it to the others once its media flows.
 * Errors (the room's errmsg names the rule; nothing changes): -EINVAL
 * (bad id, not SDP, no m-line), -EMSGSIZE (over 60,000 bytes),
 * -EPROTONOSUPPORT (no VP8, H.264 or Opus offered in any m-line).
 */
int tc_media_room_offer(struct tc_media_room *room, const char *id,
                        const char *sdp, size_t len);

/*
 * Participant `id` restarts ICE on its publishing connection: `sdp` is the
 * browser's re-offer of that connection with new ICE credentials
 * (createOffer({iceRestart: true})). It is answered on the same webrtcbin
 * (SDP event, type "answer"): the DTLS session, the tracks and the feeds
 * of them stay; only the ICE credentials and candidates change. Errors as
 * tc_media_room_offer, and -ENOENT (no negotiated publishing connection:
 * publish with an ordinary offer), -EBUSY (the previous negotiation of it
 * is not finished), -EINVAL (the offer's m-lines are not the
 * connection's, or its ICE credentials did not change).
 */
int tc_media_room_restart(struct tc_media_room *room, const char *id,
                          const char *sdp, size_t len);

/* The participant's answer to the offer of feed `feed`. Errors: -ENOENT
 * (no such participant or feed), -EINVAL, -EMSGSIZE, -EALREADY (already
 * answered). */
int tc_media_room_answer(struct tc_media_room *room, const char *id,
                         const char *feed, const char *sdp, size_t len);

/* Fresh offers of a feed whose offers its participant refused. */
#define TC_MEDIA_FEED_REOFFERS 3

/*
 * Participant `id` could not apply the offer of feed `feed` (its browser
 * refused it): the feed is offered afresh, on a new connection (an SDP
 * event with the new offer follows), up to TC_MEDIA_FEED_REOFFERS times;
 * the next refusal ends the feed with an ERROR event and sets *gave_up
 * (false otherwise). Errors: -ENOENT (no such participant or feed),
 * -EINVAL (feed NULL), -EALREADY (the feed was answered), -EBUSY (its
 * offer is not out yet: a refusal of an earlier one).
 */
int tc_media_room_feed_refused(struct tc_media_room *room, const char *id,
                               const char *feed, bool *gave_up);

/* A remote ICE candidate for a connection (feed NULL: publishing); an
 * empty candidate means the end of them. Errors: -ENOENT, -EINVAL. */
int tc_media_room_candidate(struct tc_media_room *room, const char *id,
                            const char *feed, unsigned mline,
                            const char *candidate);

/* Participant `id` leaves: its connections end, and the others' feeds of
 * it end (FEED_ENDED events). Unknown ids are ignored. */
void tc_media_room_leave(struct tc_media_room *room, const char *id);

/*
 * Record every published track of the room, now and later, into files in
 * `dir` (which exists), each written without transcoding: WebM for VP8
 * and Opus, Matroska for H.264, one file per track. A recording ends when
 * its publisher stops publishing or leaves (a RECORDING event follows) or
 * the room is freed. Errors: -EALREADY (recording already).
 */
int tc_media_room_record(struct tc_media_room *room, const char *dir);

/*
 * Stop (on) or resume forwarding video to participant `id`, on all its
 * feeds: audio only for a weak downlink, at its own request. The
 * publishers' video goes on for the others. An AUDIO_ONLY event follows
 * when what it receives changes. Errors: -ENOENT (no such participant).
 */
int tc_media_room_audio_only(struct tc_media_room *room, const char *id,
                             bool on);

/*
 * The room's low-bandwidth profile (docs/protocol.md, "media-profile").
 * The server cannot transcode; what it does without decoding:
 *   NORMAL  nothing (each publisher's browser chooses its bitrate);
 *   LOW     every publisher's RTCP from the server carries a REMB
 *           (receiver-estimated maximum bitrate) of low_max_kbps, so a
 *           browser that did not cap its video itself is told to (sent
 *           with each RTCP report, and at once with a keyframe request;
 *           none with the config's remb_off); Chromium obeys it;
 *   AUDIO   no video is forwarded to anyone (AUDIO_ONLY events with
 *           reason "profile" for each participant); audio goes on.
 * Applies to participants who join later too. Publishers are expected to
 * cap themselves as well (the JS SDK does). Errors: -EINVAL (profile, or
 * low_max_kbps outside 30..5000).
 */
enum tc_media_profile {
    TC_MEDIA_PROFILE_NORMAL = 0,
    TC_MEDIA_PROFILE_LOW,
    TC_MEDIA_PROFILE_AUDIO,
};

int tc_media_room_profile(struct tc_media_room *room,
                          enum tc_media_profile profile,
                          unsigned low_max_kbps);

/* Participants with media in the room. */
unsigned tc_media_room_count(const struct tc_media_room *room);

/* The reason for the last failed call (borrowed until the next call). */
const char *tc_media_room_errmsg(const struct tc_media_room *room);

/* Counters of one connection, as its webrtcbin reports them. */
struct tc_media_stats {
    const char *participant;
    const char *feed;  /* NULL: publishing (in), else a feed (out) */
    const char *track; /* "audio" or "video" */
    uint64_t packets;
    uint64_t bytes;
    int64_t packets_lost; /* reported by the far end for a feed */
    double jitter_s;
    double rtt_s;         /* 0 when not known yet */
    uint64_t bitrate_bps; /* since the previous collection */
};

typedef void (*tc_media_stats_fn)(const struct tc_media_stats *st, void *data);

/*
 * Ask every connection of the room for its statistics; each answer comes
 * to `fn` (once per connection and track) from `ctx` later. Each call
 * also ends a round of the automatic audio-only watch (see
 * tc_media_config): call it every few seconds. `fn` must
 * stay callable while the room lives.
 */
void tc_media_room_stats(struct tc_media_room *room, tc_media_stats_fn fn,
                         void *data);

/*
 * The delay the server adds to forwarded RTP: from a packet leaving SRTP
 * decryption on its publisher's connection to entering SRTP encryption on
 * a subscriber's (once per subscriber), over every room of the process
 * since it started. Bucket i counts delays in (bound(i-1), bound(i)],
 * bound(i) = tc_media_delay_bound_us(i) = 16 us * 2^(i/2); `over` those
 * above the last bound. Any thread.
 */
#define TC_MEDIA_DELAY_BUCKETS 36 /* 16 us .. about 3.7 s */

struct tc_media_delay_hist {
    uint64_t buckets[TC_MEDIA_DELAY_BUCKETS];
    uint64_t over;
    uint64_t count;
    uint64_t sum_us;
};

void tc_media_delay_read(struct tc_media_delay_hist *out);
int64_t tc_media_delay_bound_us(unsigned i);

/* Rooms whose pipeline exists in this process (a leak check for tests). */
unsigned tc_media_rooms_alive(void);

#ifdef __cplusplus
}
#endif

#endif
