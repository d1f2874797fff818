// SPDX-License-Identifier: Apache-2.0
/*
 * ecg-device.c - telecare-ecg-device: replay a WFDB record (formats 16 and
 * 212, several signal files) as a live ECG stream, in real time or N times
 * faster, through libtelecare-client: sign in, announce the stream for a
 * patient, push every frame, stop, print the server's figures.
 *
 *   telecare-ecg-device --server http://127.0.0.1:8080 --user NAME
 *       --password-file FILE --record DIR/NAME --patient ID --device ID
 *       [--speed N] [--leads N] [--urgent] [--reader ID] [--gcm|--hmac]
 *
 * Exit: 0 when the server closed the stream, 1 on a refusal, 2 on usage.
 * Logs nothing about the patient.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "tc-client.h"
#include "tc-media.h"

struct run {
    GMainLoop *loop;
    struct tc_media_wfdb_record *rec;
    unsigned n_leads;
    int16_t *frames; /* n_frames * n_leads, the leads used */
    int64_t pushed;  /* frames handed to the SDK so far */
    struct tc_sdk_ecg_stream *stream;
    struct tc_sdk_ecg_announce a;
    const char *names[TC_MEDIA_ECG_MAX_LEADS];
    double gains[TC_MEDIA_ECG_MAX_LEADS];
    int bases[TC_MEDIA_ECG_MAX_LEADS], zeros[TC_MEDIA_ECG_MAX_LEADS];
    int status;
};

static void
on_stopped(struct tc_sdk_ecg_stream *s, int error, const char *json,
           void *data)
{
    struct run *r = data;

    printf("%s\n", error == 0 && json ? json : "stream refused at stop");
    r->status = error == 0 ? 0 : 1;
    g_main_loop_quit(r->loop);
}

static void
on_ready(struct tc_sdk_ecg_stream *s, int error, const char *msg, void *data)
{
    struct run *r = data;

    if (error < 0) {
        fprintf(stderr, "telecare-ecg-device: refused: %s\n", msg ? msg : "?");
        r->status = 1;
        g_main_loop_quit(r->loop);
        return;
    }
    fprintf(stderr, "telecare-ecg-device: streaming %s\n", msg);
}

/* Keep about a minute of frames queued in the SDK (it holds at most ten),
 * then stop once everything is pushed. */
static gboolean
top_up(gpointer data)
{
    struct run *r = data;
    int64_t minute = (int64_t)r->rec->header.sample_rate_hz * 60;
    int64_t n = MIN(minute, r->rec->n_frames - r->pushed);

    if (!r->stream) {
        return G_SOURCE_CONTINUE;
    }
    if ((int64_t)tc_sdk_ecg_stream_queued(r->stream) < minute && n > 0) {
        if (tc_sdk_ecg_stream_push(r->stream,
                                   r->frames + r->pushed * r->n_leads,
                                   (size_t)n) < 0) {
            r->status = 1;
            g_main_loop_quit(r->loop);
            return G_SOURCE_REMOVE;
        }
        r->pushed += n;
    }
    if (r->pushed == r->rec->n_frames) {
        tc_sdk_ecg_stream_stop(r->stream);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void
on_welcome(struct tc_sdk_client *c, const struct tc_sdk_welcome *w, void *data)
{
    struct run *r = data;
    struct tc_sdk_ecg_stream_callbacks cb = {on_ready, on_stopped};

    if (r->stream) {
        return;
    }
    if (tc_sdk_ecg_stream_announce(c, &r->a, &cb, r, &r->stream) == 0) {
        top_up(r);
        g_timeout_add(50, top_up, r);
    } else {
        fprintf(stderr, "telecare-ecg-device: %s\n", tc_sdk_client_errmsg(c));
        r->status = 1;
        g_main_loop_quit(r->loop);
    }
}

static void
on_closed(struct tc_sdk_client *c, const struct tc_sdk_close *e, void *data)
{
    struct run *r = data;

    if (!e->reconnecting) {
        fprintf(stderr, "telecare-ecg-device: connection closed (%d)\n",
                e->code);
        r->status = 1;
        g_main_loop_quit(r->loop);
    }
}

static int
load(struct run *r, const char *path, unsigned max_leads)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *name = g_path_get_basename(path);
    char err[256];
    const struct tc_media_wfdb_header *h;
    int rc = tc_media_wfdb_record_read(dir, name, &r->rec, err, sizeof(err));

    if (rc < 0) {
        fprintf(stderr, "telecare-ecg-device: %s\n", err);
        return rc;
    }
    h = &r->rec->header;
    r->n_leads = MIN(h->n_signals, max_leads ? max_leads : 16);
    r->n_leads = MIN(r->n_leads, TC_MEDIA_ECG_MAX_LEADS);
    r->frames = g_new(int16_t, (gsize)r->rec->n_frames * r->n_leads);
    for (int64_t t = 0; t < r->rec->n_frames; t++) {
        for (unsigned l = 0; l < r->n_leads; l++) {
            r->frames[t * r->n_leads + l] =
                r->rec->samples[t * h->n_signals + l];
        }
    }
    for (unsigned l = 0; l < r->n_leads; l++) {
        r->names[l] = h->signals[l].description;
        r->gains[l] = h->signals[l].gain;
        r->bases[l] = h->signals[l].baseline;
        r->zeros[l] = h->signals[l].adc_zero;
    }
    r->a.desc = (struct tc_sdk_ecg_desc){
        .n_leads = r->n_leads,
        .leads = r->names,
        .sample_rate_hz = (unsigned)h->sample_rate_hz,
        .gains = r->gains,
        .baselines = r->bases,
        .adc_zeros = r->zeros,
        .adc_resolution_bits = h->signals[0].adc_resolution,
    };
    return 0;
}

int
main(int argc, char **argv)
{
    g_autofree char *server = NULL, *user = NULL, *pw_file = NULL,
                    *record = NULL, *device = NULL, *password = NULL;
    gint64 patient = 0, reader = 0;
    gint max_leads = 0;
    gdouble speed = 1;
    gboolean urgent = FALSE, hmac = FALSE;
    GOptionEntry entries[] = {
        {"server", 0, 0, G_OPTION_ARG_STRING, &server, "http(s)://host:port",
         NULL},
        {"user", 0, 0, G_OPTION_ARG_STRING, &user, "account", NULL},
        {"password-file", 0, 0, G_OPTION_ARG_FILENAME, &pw_file,
         "file holding the password", NULL},
        {"record", 0, 0, G_OPTION_ARG_FILENAME, &record,
         "DIR/NAME of a WFDB "
         "record",
         NULL},
        {"patient", 0, 0, G_OPTION_ARG_INT64, &patient, "resident id", NULL},
        {"device", 0, 0, G_OPTION_ARG_STRING, &device, "device id", NULL},
        {"speed", 0, 0, G_OPTION_ARG_DOUBLE, &speed, "N times real time",
         NULL},
        {"leads", 0, 0, G_OPTION_ARG_INT, &max_leads,
         "send the first N "
         "signals",
         NULL},
        {"reader", 0, 0, G_OPTION_ARG_INT64, &reader,
         "practitioner to read "
         "it",
         NULL},
        {"urgent", 0, 0, G_OPTION_ARG_NONE, &urgent, "urgent reading", NULL},
        {"hmac", 0, 0, G_OPTION_ARG_NONE, &hmac,
         "AES_CM_128_HMAC_SHA1_80 "
         "instead of AEAD_AES_128_GCM",
         NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- replay a WFDB "
                                                         "record as live ECG");
    g_autoptr(GError) gerr = NULL;
    struct tc_sdk_callbacks cb = {.welcome = on_welcome, .closed = on_closed};
    struct tc_sdk_client *c = NULL;
    struct run r = {.status = 1};
    g_autofree char *ws_url = NULL, *base = NULL;
    char *token = NULL;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &gerr) || !server ||
        !user || !pw_file || !record || patient <= 0 || !device ||
        speed <= 0 || !g_file_get_contents(pw_file, &password, NULL, NULL)) {
        fprintf(stderr, "%s\n",
                gerr ? gerr->message
                     : "usage: --server --user --password-file --record "
                       "--patient --device are required");
        return 2;
    }
    g_strchomp(password);
    if (load(&r, record, (unsigned)max_leads) < 0) {
        return 1;
    }
    r.a.patient = patient;
    r.a.device = device;
    r.a.speed = speed;
    r.a.urgent = urgent;
    r.a.reader = reader;
    r.a.profile = hmac ? "AES_CM_128_HMAC_SHA1_80" : "AEAD_AES_128_GCM";
    if (tc_sdk_login(server, user, password, NULL, &token) < 0) {
        fprintf(stderr, "telecare-ecg-device: login failed\n");
        return 1;
    }
    base = g_str_has_prefix(server, "https")
               ? g_strconcat("wss", server + 5, NULL)
               : g_strconcat("ws", server + 4, NULL);
    ws_url = g_strdup_printf("%s/ws", base);
    r.loop = g_main_loop_new(NULL, FALSE);
    struct tc_sdk_client_opts opts = {.url = ws_url, .token = token};
    if (tc_sdk_client_new(&opts, &cb, &r, &c) == 0 &&
        tc_sdk_client_start(c) == 0) {
        g_main_loop_run(r.loop);
    }
    tc_sdk_ecg_stream_free(r.stream);
    tc_sdk_client_free(c);
    tc_sdk_token_free(token);
    g_main_loop_unref(r.loop);
    tc_media_wfdb_record_free(r.rec);
    g_free(r.frames);
    return r.status;
}
