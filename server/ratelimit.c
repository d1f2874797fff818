// SPDX-License-Identifier: Apache-2.0
/*
 * ratelimit.c - token buckets per key (a client address, an account):
 * `rate` requests per second sustained, bursts up to twice that. A
 * request that finds its bucket empty is told how many whole seconds to
 * wait (the Retry-After header of a 429).
 *
 * Buckets idle for a minute are dropped, at most once every ten seconds,
 * so memory follows the number of active clients, not of all clients
 * ever seen. A rate of 0 turns the limiter off.
 *
 * Thread: main.
 */
#include <math.h>

#include <glib.h>

#include "server-int.h"

#define IDLE_US        (60 * G_USEC_PER_SEC)
#define PRUNE_EVERY_US (10 * G_USEC_PER_SEC)

struct bucket {
    double tokens;
    int64_t at_us; /* last refill */
};

struct tc_srv__ratelimit {
    double rate;         /* tokens per second */
    double burst;        /* bucket size */
    GHashTable *buckets; /* key -> struct bucket */
    int64_t pruned_at_us;
};

struct tc_srv__ratelimit *
tc_srv__ratelimit_new(int per_second)
{
    struct tc_srv__ratelimit *rl = g_new0(struct tc_srv__ratelimit, 1);

    rl->rate = per_second;
    rl->burst = 2.0 * per_second;
    rl->buckets =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return rl;
}

void
tc_srv__ratelimit_free(struct tc_srv__ratelimit *rl)
{
    if (!rl) {
        return;
    }
    g_hash_table_unref(rl->buckets);
    g_free(rl);
}

static gboolean
idle(gpointer key, gpointer value, gpointer now)
{
    const struct bucket *b = value;

    return *(const int64_t *)now - b->at_us > IDLE_US;
}

int
tc_srv__ratelimit_take(struct tc_srv__ratelimit *rl, const char *key,
                       int64_t now_us)
{
    struct bucket *b;

    if (rl->rate <= 0) {
        return 0;
    }
    if (now_us - rl->pruned_at_us > PRUNE_EVERY_US) {
        g_hash_table_foreach_remove(rl->buckets, idle, &now_us);
        rl->pruned_at_us = now_us;
    }
    b = g_hash_table_lookup(rl->buckets, key);
    if (!b) {
        b = g_new0(struct bucket, 1);
        b->tokens = rl->burst;
        b->at_us = now_us;
        g_hash_table_insert(rl->buckets, g_strdup(key), b);
    }
    b->tokens += (double)(now_us - b->at_us) / 1e6 * rl->rate;
    if (b->tokens > rl->burst) {
        b->tokens = rl->burst;
    }
    b->at_us = now_us;
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
        return 0;
    }
    return (int)ceil((1.0 - b->tokens) / rl->rate);
}
