// SPDX-License-Identifier: Apache-2.0
/*
 * log.c - one log format for the whole server: GLib structured logging to
 * stderr, libwebsockets' own log routed into it.
 *
 * A line reads: "2026-11-29T08:30:00.123Z INFO http: message". The
 * component is the GLib log domain (one per server file group) or "lws".
 * Messages never carry patient data; that is the caller's duty, this file
 * only formats.
 *
 * Thread: any (GLib serialises writer calls per message; lines are written
 * with one fputs each).
 */
#define G_LOG_DOMAIN "server"

#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <libwebsockets.h>

#include "server-int.h"

static enum tc_srv_log_level max_level = TC_SRV_LOG_INFO;

static enum tc_srv_log_level
level_of(GLogLevelFlags flags)
{
    if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) {
        return TC_SRV_LOG_ERROR;
    }
    if (flags & G_LOG_LEVEL_WARNING) {
        return TC_SRV_LOG_WARNING;
    }
    if (flags & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO)) {
        return TC_SRV_LOG_INFO;
    }
    return TC_SRV_LOG_DEBUG;
}

static GLogWriterOutput
writer(GLogLevelFlags flags, const GLogField *fields, gsize n_fields,
       gpointer user_data)
{
    static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    enum tc_srv_log_level level = level_of(flags);
    const char *domain = "telecare", *message = "";
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = NULL;
    g_autofree char *line = NULL;

    if (level > max_level) {
        return G_LOG_WRITER_HANDLED;
    }
    for (gsize i = 0; i < n_fields; i++) {
        if (strcmp(fields[i].key, "GLIB_DOMAIN") == 0 && fields[i].value) {
            domain = fields[i].value;
        } else if (strcmp(fields[i].key, "MESSAGE") == 0 && fields[i].value) {
            message = fields[i].value;
        }
    }
    stamp = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");
    line = g_strdup_printf("%s.%03dZ %s %s: %s\n", stamp,
                           g_date_time_get_microsecond(now) / 1000,
                           names[level], domain, message);
    fputs(line, stderr);
    fflush(stderr);
    return G_LOG_WRITER_HANDLED;
}

/* lws hands whole lines ending in '\n'; strip it and re-log. */
static void
lws_emit(int lws_level, const char *line)
{
    GLogLevelFlags flags = lws_level & LLL_ERR    ? G_LOG_LEVEL_WARNING
                           : lws_level & LLL_WARN ? G_LOG_LEVEL_WARNING
                                                  : G_LOG_LEVEL_DEBUG;
    size_t n = strlen(line);

    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
        n--;
    }
    g_log_structured("lws", flags, "MESSAGE", "%.*s", (int)n, line);
}

void
tc_srv__log_init(enum tc_srv_log_level level)
{
    int lws_levels = LLL_ERR | LLL_WARN;

    static gsize installed;

    max_level = level;
    /* GLib allows one writer per process; a test may run several
     * servers in one process. */
    if (g_once_init_enter(&installed)) {
        g_log_set_writer_func(writer, NULL, NULL);
        g_once_init_leave(&installed, 1);
    }
    if (level >= TC_SRV_LOG_DEBUG) {
        lws_levels |= LLL_NOTICE;
    }
    lws_set_log_level(lws_levels, lws_emit);
}
