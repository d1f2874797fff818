// SPDX-License-Identifier: Apache-2.0
/*
 * uvglib.c - a libuv loop driven from a GLib main context (tc-uvglib.h).
 *
 * The GSource: prepare asks libuv how long it may sleep
 * (uv_backend_timeout: 0 when idle handles or pending callbacks want to
 * run, -1 with nothing scheduled); check says ready when the epoll
 * descriptor is readable or that time has come; dispatch runs
 * uv_run(UV_RUN_NOWAIT): due timers, every ready descriptor (one
 * epoll_wait), idle and close callbacks. libuv's clock is refreshed before
 * each question (uv_update_time), or a timer would look late forever.
 *
 * Thread: the context's thread.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "tc-uvglib.h"

struct tc_uvglib {
    GSource base;
    uv_loop_t loop;
    gpointer fd_tag;
    int coalesce_us; /* 0: every ready descriptor is served at once */
    int timer_fd;    /* ends a hold; -1 without coalescing */
    gpointer timer_tag;
    bool holding;           /* the epoll descriptor is not polled now */
    tc_uvglib_hook_fn hook; /* NULL: dispatch is not observed */
    void *hook_data;
};

static gboolean
uv_prepare(GSource *source, gint *timeout)
{
    struct tc_uvglib *u = (struct tc_uvglib *)source;

    uv_update_time(&u->loop);
    *timeout = uv_backend_timeout(&u->loop);
    return *timeout == 0;
}

static gboolean
uv_check(GSource *source)
{
    struct tc_uvglib *u = (struct tc_uvglib *)source;

    if (g_source_query_unix_fd(source, u->fd_tag) & (G_IO_IN | G_IO_ERR)) {
        return TRUE;
    }
    if (u->holding &&
        (g_source_query_unix_fd(source, u->timer_tag) & G_IO_IN)) {
        return TRUE;
    }
    uv_update_time(&u->loop);
    return uv_backend_timeout(&u->loop) == 0;
}

/* Stop polling the epoll descriptor for coalesce_us: what arrives
 * meanwhile is served together at the end of the hold. */
static void
hold_start(struct tc_uvglib *u)
{
    struct itimerspec its = {.it_value.tv_nsec = u->coalesce_us * 1000L};

    if (timerfd_settime(u->timer_fd, 0, &its, NULL) < 0) {
        return; /* no hold: served at once, as without coalescing */
    }
    g_source_modify_unix_fd(&u->base, u->fd_tag, 0);
    u->holding = true;
}

/* The hold is over (its timer, or a libuv timer came due): poll the epoll
 * descriptor again. Returns whether it has events waiting. */
static bool
hold_end(struct tc_uvglib *u)
{
    struct itimerspec off = {0};
    struct pollfd pfd = {.fd = uv_backend_fd(&u->loop), .events = POLLIN};
    uint64_t expirations;

    timerfd_settime(u->timer_fd, 0, &off, NULL);
    while (read(u->timer_fd, &expirations, sizeof(expirations)) > 0) {
    }
    g_source_modify_unix_fd(&u->base, u->fd_tag, G_IO_IN);
    u->holding = false;
    return poll(&pfd, 1, 0) > 0;
}

static gboolean
uv_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    struct tc_uvglib *u = (struct tc_uvglib *)source;
    bool io;

    /* After a wake-up from idle, hold (what follows a message is likely
     * another); after a hold, hold again only while events keep coming. */
    io = u->holding ? hold_end(u) : true;
    if (u->hook) {
        u->hook(u->hook_data, false);
    }
    uv_run(&u->loop, UV_RUN_NOWAIT);
    if (u->hook) {
        u->hook(u->hook_data, true);
    }
    if (io && u->coalesce_us > 0) {
        hold_start(u);
    }
    return G_SOURCE_CONTINUE;
}

static void
uv_finalize(GSource *source)
{
    struct tc_uvglib *u = (struct tc_uvglib *)source;

    if (u->timer_fd >= 0) {
        close(u->timer_fd);
    }
}

static const GSourceFuncs uv_source_funcs = {
    .prepare = uv_prepare,
    .check = uv_check,
    .dispatch = uv_dispatch,
    .finalize = uv_finalize,
};

struct tc_uvglib *
tc_uvglib_new(GMainContext *ctx)
{
    GSource *source = g_source_new((GSourceFuncs *)&uv_source_funcs,
                                   sizeof(struct tc_uvglib));
    struct tc_uvglib *u = (struct tc_uvglib *)source;

    u->timer_fd = -1;
    if (uv_loop_init(&u->loop) != 0) {
        g_source_unref(source);
        return NULL;
    }
    g_source_set_name(source, "libuv");
    u->fd_tag = g_source_add_unix_fd(source, uv_backend_fd(&u->loop), G_IO_IN);
    g_source_attach(source, ctx);
    return u;
}

int
tc_uvglib_set_coalesce(struct tc_uvglib *u, int coalesce_us)
{
    if (coalesce_us <= 0 || coalesce_us >= 1000000) {
        return -EINVAL;
    }
    if (u->timer_fd < 0) {
        u->timer_fd =
            timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (u->timer_fd < 0) {
            return -errno;
        }
        u->timer_tag = g_source_add_unix_fd(&u->base, u->timer_fd, G_IO_IN);
    }
    u->coalesce_us = coalesce_us;
    return 0;
}

uv_loop_t *
tc_uvglib_loop(struct tc_uvglib *u)
{
    return &u->loop;
}

void
tc_uvglib_set_hook(struct tc_uvglib *u, tc_uvglib_hook_fn fn, void *data)
{
    u->hook = fn;
    u->hook_data = data;
}

int
tc_uvglib_drain(struct tc_uvglib *u, int max_ms)
{
    int64_t until = g_get_monotonic_time() + (int64_t)max_ms * 1000;

    if (!g_source_is_destroyed(&u->base)) {
        g_source_destroy(&u->base);
    }
    while (uv_run(&u->loop, UV_RUN_NOWAIT) != 0) {
        if (g_get_monotonic_time() >= until) {
            return -EBUSY;
        }
        g_usleep(1000);
    }
    return 0;
}

int
tc_uvglib_free(struct tc_uvglib *u)
{
    if (!g_source_is_destroyed(&u->base)) {
        g_source_destroy(&u->base);
    }
    uv_run(&u->loop, UV_RUN_NOWAIT); /* close callbacks still due */
    if (uv_loop_close(&u->loop) != 0) {
        return -EBUSY; /* handles still open: leak, never free under them */
    }
    g_source_unref(&u->base);
    return 0;
}
