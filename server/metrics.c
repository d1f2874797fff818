// SPDX-License-Identifier: Apache-2.0
/*
 * metrics.c - counters and histograms for GET /metrics, in Prometheus text
 * exposition format 0.0.4.
 *
 * HTTP requests are counted by (method, route, status) and timed into one
 * latency histogram per route. Labels are route patterns chosen by the
 * server, never raw paths, so no id or name from a request reaches a
 * label. Process figures come from /proc/self and getrusage at render
 * time.
 *
 * Thread: main thread only (no locks).
 */
#define G_LOG_DOMAIN "metrics"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib.h>

#include "server-int.h"
#include "tc-config.h"
#include "tc-media.h"

/* Upper bounds of the latency buckets, in seconds. */
static const double buckets_s[] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                   0.025,  0.05,  0.1,    0.25,  0.5,
                                   1.0,    2.5,   5.0};
#define N_BUCKETS G_N_ELEMENTS(buckets_s)

struct histogram {
    guint64 counts[N_BUCKETS]; /* non-cumulative; summed when rendered */
    guint64 count;
    double sum_s;
};

/* A gauge or one labelled series of a counter (names are static). */
struct series {
    const char *name;
    const char *help;
    const char *label; /* NULL for a gauge */
    const char *value;
    int64_t n;
};

struct tc_srv__metrics {
    GHashTable *series;   /* "name\tlabel\tvalue" -> struct series * */
    GHashTable *requests; /* "method\troute\tstatus" -> guint64 * */
    GHashTable *latency;  /* route -> struct histogram * */
    double start_time_s;  /* since the epoch */
};

struct tc_srv__metrics *
tc_srv__metrics_new(void)
{
    struct tc_srv__metrics *m = g_new0(struct tc_srv__metrics, 1);

    m->requests =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    m->series = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    m->latency =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    m->start_time_s = (double)g_get_real_time() / 1e6;
    return m;
}

void
tc_srv__metrics_free(struct tc_srv__metrics *m)
{
    if (!m) {
        return;
    }
    g_hash_table_unref(m->requests);
    g_hash_table_unref(m->series);
    g_hash_table_unref(m->latency);
    g_free(m);
}

void
tc_srv__metrics_http(struct tc_srv__metrics *m, const char *method,
                     const char *route, int status, int64_t duration_us)
{
    g_autofree char *key =
        g_strdup_printf("%s\t%s\t%d", method, route, status);
    guint64 *count = g_hash_table_lookup(m->requests, key);
    struct histogram *h = g_hash_table_lookup(m->latency, route);
    double s = (double)duration_us / 1e6;

    if (!count) {
        count = g_new0(guint64, 1);
        g_hash_table_insert(m->requests, g_steal_pointer(&key), count);
    }
    (*count)++;
    if (!h) {
        h = g_new0(struct histogram, 1);
        g_hash_table_insert(m->latency, g_strdup(route), h);
    }
    for (size_t i = 0; i < N_BUCKETS; i++) {
        if (s <= buckets_s[i]) {
            h->counts[i]++;
            break;
        }
    }
    h->count++;
    h->sum_s += s;
}

/* The series (name, label, value), made on first use. The key is built on
 * the stack, so counting an existing series allocates nothing. */
static struct series *
series_get(struct tc_srv__metrics *m, const char *name, const char *help,
           const char *label, const char *value)
{
    char key[256];
    struct series *s;

    g_snprintf(key, sizeof(key), "%s\t%s\t%s", name, label ? label : "",
               value ? value : "");
    s = g_hash_table_lookup(m->series, key);
    if (!s) {
        s = g_new0(struct series, 1);
        *s = (struct series){name, help, label, value, 0};
        g_hash_table_insert(m->series, g_strdup(key), s);
    }
    return s;
}

void
tc_srv__metrics_gauge_add(struct tc_srv__metrics *m, const char *name,
                          const char *help, int64_t delta)
{
    series_get(m, name, help, NULL, NULL)->n += delta;
}

void
tc_srv__metrics_count(struct tc_srv__metrics *m, const char *name,
                      const char *help, const char *label, const char *value)
{
    series_get(m, name, help, label, value)->n++;
}

int64_t *
tc_srv__metrics_counter(struct tc_srv__metrics *m, const char *name,
                        const char *help, const char *label, const char *value)
{
    return &series_get(m, name, help, label, value)->n;
}

static void
render_process(struct tc_srv__metrics *m, GString *out)
{
    struct rusage ru;
    long pages_total = 0, pages_rss = 0;
    long page = sysconf(_SC_PAGESIZE);
    unsigned fds = 0;
    FILE *f;
    DIR *d;

    getrusage(RUSAGE_SELF, &ru);
    g_string_append_printf(
        out,
        "# HELP process_cpu_seconds_total User and system CPU time.\n"
        "# TYPE process_cpu_seconds_total counter\n"
        "process_cpu_seconds_total %.6f\n",
        (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
    f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages_total, &pages_rss) != 2) {
            pages_total = pages_rss = 0;
        }
        fclose(f);
    }
    g_string_append_printf(
        out,
        "# HELP process_resident_memory_bytes Resident memory size.\n"
        "# TYPE process_resident_memory_bytes gauge\n"
        "process_resident_memory_bytes %ld\n"
        "# HELP process_virtual_memory_bytes Virtual memory size.\n"
        "# TYPE process_virtual_memory_bytes gauge\n"
        "process_virtual_memory_bytes %ld\n",
        pages_rss * page, pages_total * page);
    d = opendir("/proc/self/fd");
    if (d) {
        while (readdir(d)) {
            fds++;
        }
        closedir(d);
        fds = fds > 2 ? fds - 3 : 0; /* ".", ".." and the DIR's own fd */
    }
    g_string_append_printf(
        out,
        "# HELP process_open_fds Open file descriptors.\n"
        "# TYPE process_open_fds gauge\n"
        "process_open_fds %u\n"
        "# HELP process_start_time_seconds Start time since the epoch.\n"
        "# TYPE process_start_time_seconds gauge\n"
        "process_start_time_seconds %.3f\n",
        fds, m->start_time_s);
}

static gint
compare_keys(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
render_requests(struct tc_srv__metrics *m, GString *out)
{
    g_autofree gpointer *keys = NULL;
    guint n = 0;

    g_string_append(out, "# HELP telecare_http_requests_total HTTP requests"
                         " answered, by method, route and status.\n"
                         "# TYPE telecare_http_requests_total counter\n");
    keys = g_hash_table_get_keys_as_array(m->requests, &n);
    qsort(keys, n, sizeof(*keys), compare_keys);
    for (guint i = 0; i < n; i++) {
        g_auto(GStrv) parts = g_strsplit(keys[i], "\t", 3);
        guint64 *count = g_hash_table_lookup(m->requests, keys[i]);
        g_string_append_printf(out,
                               "telecare_http_requests_total{method=\"%s\","
                               "route=\"%s\",status=\"%s\"} %" G_GUINT64_FORMAT
                               "\n",
                               parts[0], parts[1], parts[2], *count);
    }
}

static void
render_latency(struct tc_srv__metrics *m, GString *out)
{
    g_autofree gpointer *routes = NULL;
    guint n = 0;

    g_string_append(out, "# HELP telecare_http_request_duration_seconds Time "
                         "from request to the last byte written, by route.\n"
                         "# TYPE telecare_http_request_duration_seconds "
                         "histogram\n");
    routes = g_hash_table_get_keys_as_array(m->latency, &n);
    qsort(routes, n, sizeof(*routes), compare_keys);
    for (guint r = 0; r < n; r++) {
        const struct histogram *h = g_hash_table_lookup(m->latency, routes[r]);
        guint64 cumulative = 0;
        for (size_t i = 0; i < N_BUCKETS; i++) {
            cumulative += h->counts[i];
            g_string_append_printf(
                out,
                "telecare_http_request_duration_seconds_bucket{route=\"%s\","
                "le=\"%g\"} %" G_GUINT64_FORMAT "\n",
                (const char *)routes[r], buckets_s[i], cumulative);
        }
        g_string_append_printf(
            out,
            "telecare_http_request_duration_seconds_bucket{route=\"%s\","
            "le=\"+Inf\"} %" G_GUINT64_FORMAT "\n"
            "telecare_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
            "telecare_http_request_duration_seconds_count{route=\"%s\"} "
            "%" G_GUINT64_FORMAT "\n",
            (const char *)routes[r], h->count, (const char *)routes[r],
            h->sum_s, (const char *)routes[r], h->count);
    }
}

/* Gauges and labelled counters, sorted; one HELP and TYPE per name. */
static void
render_series(struct tc_srv__metrics *m, GString *out)
{
    g_autofree gpointer *keys = NULL;
    const char *last = NULL;
    guint n = 0;

    keys = g_hash_table_get_keys_as_array(m->series, &n);
    qsort(keys, n, sizeof(*keys), compare_keys);
    for (guint i = 0; i < n; i++) {
        const struct series *s = g_hash_table_lookup(m->series, keys[i]);
        if (!last || strcmp(last, s->name) != 0) {
            g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n",
                                   s->name, s->help, s->name,
                                   s->label ? "counter" : "gauge");
            last = s->name;
        }
        if (s->label) {
            g_string_append_printf(out, "%s{%s=\"%s\"} %" G_GINT64_FORMAT "\n",
                                   s->name, s->label, s->value, s->n);
        } else {
            g_string_append_printf(out, "%s %" G_GINT64_FORMAT "\n", s->name,
                                   s->n);
        }
    }
}

/* The media forwarding delay histogram (media/delay.c), process-wide. */
static void
render_media_delay(GString *out)
{
    struct tc_media_delay_hist h;
    uint64_t cumulative = 0;

    tc_media_delay_read(&h);
    g_string_append(out, "# HELP telecare_media_forward_delay_seconds Time a "
                         "forwarded RTP packet spends in the server, from "
                         "SRTP decryption to SRTP encryption, per "
                         "subscriber.\n"
                         "# TYPE telecare_media_forward_delay_seconds "
                         "histogram\n");
    for (unsigned i = 0; i < TC_MEDIA_DELAY_BUCKETS; i++) {
        cumulative += h.buckets[i];
        g_string_append_printf(
            out,
            "telecare_media_forward_delay_seconds_bucket{le=\"%g\"} "
            "%" G_GUINT64_FORMAT "\n",
            (double)tc_media_delay_bound_us(i) / 1e6, cumulative);
    }
    g_string_append_printf(
        out,
        "telecare_media_forward_delay_seconds_bucket{le=\"+Inf\"} "
        "%" G_GUINT64_FORMAT "\n"
        "telecare_media_forward_delay_seconds_sum %.6f\n"
        "telecare_media_forward_delay_seconds_count %" G_GUINT64_FORMAT "\n",
        h.count, (double)h.sum_us / 1e6, h.count);
}

void
tc_srv__metrics_render(struct tc_srv__metrics *m, GString *out,
                       int64_t uptime_us)
{
    g_string_append_printf(out,
                           "# HELP telecare_build_info Version of this "
                           "server.\n"
                           "# TYPE telecare_build_info gauge\n"
                           "telecare_build_info{version=\"%s\"} 1\n"
                           "# HELP telecare_uptime_seconds Seconds since "
                           "start.\n"
                           "# TYPE telecare_uptime_seconds gauge\n"
                           "telecare_uptime_seconds %.3f\n",
                           TC_VERSION, (double)uptime_us / 1e6);
    render_process(m, out);
    render_requests(m, out);
    render_latency(m, out);
    render_media_delay(out);
    render_series(m, out);
}
