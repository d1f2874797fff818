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

#include "tc-uvglib.h"

struct tc_uvglib {
    GSource base;
    uv_loop_t loop;
    gpointer fd_tag;
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
    uv_update_time(&u->loop);
    return uv_backend_timeout(&u->loop) == 0;
}

static gboolean
uv_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    struct tc_uvglib *u = (struct tc_uvglib *)source;

    uv_run(&u->loop, UV_RUN_NOWAIT);
    return G_SOURCE_CONTINUE;
}

static const GSourceFuncs uv_source_funcs = {
    .prepare = uv_prepare,
    .check = uv_check,
    .dispatch = uv_dispatch,
};

struct tc_uvglib *
tc_uvglib_new(GMainContext *ctx)
{
    GSource *source = g_source_new((GSourceFuncs *)&uv_source_funcs,
                                   sizeof(struct tc_uvglib));
    struct tc_uvglib *u = (struct tc_uvglib *)source;

    if (uv_loop_init(&u->loop) != 0) {
        g_source_unref(source);
        return NULL;
    }
    g_source_set_name(source, "libuv");
    u->fd_tag = g_source_add_unix_fd(source, uv_backend_fd(&u->loop), G_IO_IN);
    g_source_attach(source, ctx);
    return u;
}

uv_loop_t *
tc_uvglib_loop(struct tc_uvglib *u)
{
    return &u->loop;
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
