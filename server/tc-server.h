/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tc-server.h - the telecare server as a library: configuration and one
 * blocking run. server/main.c parses arguments and calls tc_srv_run(); a
 * test can do the same in-process.
 *
 * Thread: all of it runs on the calling thread, which becomes the main
 * GLib loop's thread for the life of tc_srv_run().
 */
#ifndef TC_SERVER_H
#define TC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Process exit statuses of tc_srv_run() (and so of telecare-server). */
enum tc_srv_exit {
    TC_SRV_EXIT_OK = 0,       /* stopped by SIGINT/SIGTERM, cleanly */
    TC_SRV_EXIT_FAILURE = 1,  /* an unexpected failure while running */
    TC_SRV_EXIT_CONFIG = 2,   /* bad command line or configuration */
    TC_SRV_EXIT_DATA_DIR = 3, /* data directory or database unusable */
    TC_SRV_EXIT_LISTEN = 4,   /* the listen address cannot be bound */
    TC_SRV_EXIT_MEDIA = 5,    /* GStreamer or one of its plugins missing */
};

enum tc_srv_log_level {
    TC_SRV_LOG_ERROR,
    TC_SRV_LOG_WARNING,
    TC_SRV_LOG_INFO,
    TC_SRV_LOG_DEBUG,
};

/*
 * The configuration, every key with its default. Fields are read-only for
 * users of the struct; change them through tc_srv_config_set() so each
 * value is validated in one place. docs/operations.md lists every key.
 */
/* [dicom]: the DICOM SCP and forwarding (docs/operations.md). The list
 * keys hold their validated text; the server parses them at start. */
struct tc_srv_dicom_config {
    char *listen_host;    /* [dicom] listen, host part; NULL: no SCP */
    int listen_port;      /* [dicom] listen, port part; 0 = any */
    char *ae_title;       /* [dicom] ae_title */
    char *peers;          /* [dicom] peers: "AE:ORG_ID, ..." */
    int max_associations; /* [dicom] max_associations */
    int max_pdu_bytes;    /* [dicom] max_pdu_bytes */
    int timeout_s;        /* [dicom] timeout_s */
    char *destinations;   /* [dicom] destinations: "NAME=AE@HOST:PORT, ..." */
    char *routes;         /* [dicom] routes: "SOURCE>NAME, ..." */
    int retry_max_s;      /* [dicom] retry_max_s: the longest backoff */
    int index_batch_ms;   /* [dicom] index_batch_ms: C-STORE index batch */
};

struct tc_srv_config {
    char *listen_host;       /* [server] listen, host part */
    int listen_port;         /* [server] listen, port part; 0 = any */
    char *data_dir;          /* [server] data_dir */
    char *web_root;          /* [server] web_root */
    int shutdown_timeout_ms; /* [server] shutdown_timeout_ms */
    size_t max_body_bytes;   /* [http] max_body_bytes */
    int rate_per_address;    /* [http] rate_per_address, req/s, 0 = off */
    int rate_per_account;    /* [http] rate_per_account, req/s, 0 = off */
    bool tls;                /* [tls] mode: on (true) or off */
    char *tls_cert_file;     /* [tls] cert_file, NULL: self-signed */
    char *tls_key_file;      /* [tls] key_file */
    enum tc_srv_log_level log_level; /* [log] level */
    int session_ttl_s;               /* [auth] session_ttl_s */
    int lockout_threshold;           /* [auth] lockout_threshold */
    int lockout_s;                   /* [auth] lockout_s */
    /* [auth] totp_required_roles: a bit (1u << role) per role, in the
     * order of DESIGN.md's list (admin = bit 0 ... carer = bit 10). */
    unsigned totp_required_roles;
    int heartbeat_s;    /* [signaling] heartbeat_s: WebSocket ping period */
    int resume_grace_s; /* [signaling] resume_grace_s */
    int coalesce_us;    /* [signaling] coalesce_us: 0 = off (tc-uvglib.h) */
    bool sync_full;     /* [database] synchronous: full (true) or normal */
    int rehab_alert_interval_s;    /* [rehab] alert_interval_s */
    int rehab_miss_grace_s;        /* [rehab] miss_grace_s */
    int64_t rehab_max_video_bytes; /* [rehab] max_video_bytes */
    int emergency_ring_s;          /* [emergency] ring_timeout_s: per tier */
    struct tc_srv_dicom_config dicom; /* [dicom] */
    char *ecg_host; /* [ecg] listen, host part: the ECG relay (UDP) */
    int ecg_port;   /* [ecg] listen, port part; 0 = any */
    /* [ecg] udp_gso: runs of packets to one subscriber address leave as
     * one UDP GSO send (tc_media_ecg_relay_set_gso); false to compare. */
    bool ecg_udp_gso;
    /* [media] ice_addresses: comma-separated IP addresses for host
     * candidates; NULL: every interface but loopback. */
    char *media_ice_addresses;
    char *media_stun_server;       /* [media] stun_server, NULL: none */
    char *media_turn_server;       /* [media] turn_server, NULL: none */
    int media_latency_ms;          /* [media] latency_ms: jitter buffer */
    int media_audio_only_loss_pct; /* [media] audio_only_loss_pct */
    /* [media] default_profile: a room's profile until someone chooses
     * one: 1 normal, 2 low, 3 audio (enum tc_rec_media_profile). */
    int media_default_profile;
    int media_low_max_kbps; /* [media] low_max_kbps: video cap of "low" */
    /* [media] stats_interval_s: a statistics round (the /metrics gauges,
     * the automatic audio-only watch judges 3 rounds). */
    int media_stats_interval_s;
    /* [media] low_remb: the server's REMB cap under "low" (media/profile.c);
     * false only to measure what it does (tests/interop/media-remb.mjs). */
    bool media_low_remb;
};

/* A configuration holding every default. Returns NULL only out of
 * memory. Free with tc_srv_config_free(). */
struct tc_srv_config *tc_srv_config_new(void);

/* Free a configuration. NULL is ignored. */
void tc_srv_config_free(struct tc_srv_config *cfg);

/*
 * Set one key from its text form, e.g. ("server", "listen",
 * "127.0.0.1:8080"). On failure returns -EINVAL (unknown key or bad value)
 * or -ENOMEM, leaves cfg unchanged and, when errmsg is not NULL, stores a
 * malloc'd one-line message naming the key and the rule in *errmsg (free
 * it with free()).
 */
int tc_srv_config_set(struct tc_srv_config *cfg, const char *group,
                      const char *key, const char *value, char **errmsg);

/*
 * Apply an INI text (GKeyFile syntax) of `len` bytes, key by key. Every
 * group and key must be known and every value valid; on the first error
 * nothing at all is applied (cfg is unchanged) and *errmsg names the group
 * and key. Errors: -EINVAL, -ENOMEM.
 */
int tc_srv_config_load_data(struct tc_srv_config *cfg, const char *data,
                            size_t len, char **errmsg);

/* As tc_srv_config_load_data() for a file; -ENOENT/-EACCES/-EIO when it
 * cannot be read. */
int tc_srv_config_load_file(struct tc_srv_config *cfg, const char *path,
                            char **errmsg);

/* The name of a log level ("error", ...). */
const char *tc_srv_log_level_name(enum tc_srv_log_level level);

/*
 * Run a server with `cfg` until SIGINT or SIGTERM: bind the listener,
 * create the data directory and open the database, serve, then stop
 * accepting, finish in-flight responses (at most shutdown_timeout_ms),
 * close the database and return TC_SRV_EXIT_OK. A start-up refusal logs
 * one clear line, leaves nothing half-created and returns the matching
 * enum tc_srv_exit value. cfg is borrowed for the call.
 */
int tc_srv_run(const struct tc_srv_config *cfg);

#ifdef __cplusplus
}
#endif

#endif
