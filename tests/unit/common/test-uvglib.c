// SPDX-License-Identifier: Apache-2.0
/*
 * test-uvglib.c - a libuv loop driven from a GLib main context
 * (common/tc-uvglib.h): libuv timers and descriptors fire while only the
 * GLib loop runs, on the GLib thread, on time; drain and free close
 * cleanly.
 */
#include <errno.h>
#include <unistd.h>
#include <uv.h>

#include <glib.h>

#include "tc-test.h"
#include "tc-uvglib.h"

struct fired {
    int count;
    int64_t at_us;
    GThread *thread;
    GMainLoop *loop;
};

static void
on_timer(uv_timer_t *t)
{
    struct fired *f = t->data;

    f->count++;
    f->at_us = g_get_monotonic_time();
    f->thread = g_thread_self();
    g_main_loop_quit(f->loop);
}

static gboolean
give_up(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

/* A 50 ms libuv timer fires from the GLib loop, not early, not much late,
 * on the loop's thread. */
static void
test_timer_fires_from_the_glib_loop(void)
{
    GMainContext *ctx = g_main_context_new();
    struct tc_uvglib *u = tc_uvglib_new(ctx);
    struct fired f = {.loop = g_main_loop_new(ctx, FALSE)};
    uv_timer_t timer;
    GSource *guard = g_timeout_source_new(5000);
    int64_t t0;

    TC_REQUIRE(u != NULL);
    g_source_set_callback(guard, give_up, f.loop, NULL);
    g_source_attach(guard, ctx);
    uv_timer_init(tc_uvglib_loop(u), &timer);
    timer.data = &f;
    t0 = g_get_monotonic_time();
    uv_timer_start(&timer, on_timer, 50, 0);
    g_main_loop_run(f.loop);
    TC_CHECK_EQ(f.count, 1);
    TC_CHECK(f.at_us - t0 >= 49000);
    printf("# timer of 50 ms fired after %.1f ms\n",
           (double)(f.at_us - t0) / 1000);
    TC_CHECK(f.at_us - t0 < 2000000);
    TC_CHECK(f.thread == g_thread_self());
    uv_close((uv_handle_t *)&timer, NULL);
    TC_CHECK_EQ(tc_uvglib_drain(u, 1000), 0);
    TC_CHECK_EQ(tc_uvglib_free(u), 0);
    g_source_destroy(guard);
    g_source_unref(guard);
    g_main_loop_unref(f.loop);
    g_main_context_unref(ctx);
}

static void
on_readable(uv_poll_t *p, int status, int events)
{
    struct fired *f = p->data;
    char c;

    if (status == 0 && (events & UV_READABLE) &&
        read(p->io_watcher.fd, &c, 1) == 1) {
        f->count++;
    }
    if (f->count == 3) {
        g_main_loop_quit(f->loop);
    }
}

static gboolean
write_one(gpointer data)
{
    int *fd = data;

    return write(*fd, "x", 1) == 1 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* A descriptor watched by libuv (epoll) wakes the GLib loop: three
 * bytes written by a GLib timer are read by the libuv callback. */
static void
test_descriptor_wakes_the_glib_loop(void)
{
    GMainContext *ctx = g_main_context_new();
    struct tc_uvglib *u = tc_uvglib_new(ctx);
    struct fired f = {.loop = g_main_loop_new(ctx, FALSE)};
    GSource *guard = g_timeout_source_new(5000), *writer;
    uv_poll_t poll;
    int fds[2];

    TC_REQUIRE(u != NULL);
    TC_REQUIRE(pipe(fds) == 0);
    g_source_set_callback(guard, give_up, f.loop, NULL);
    g_source_attach(guard, ctx);
    writer = g_timeout_source_new(10);
    g_source_set_callback(writer, write_one, &fds[1], NULL);
    g_source_attach(writer, ctx);
    uv_poll_init(tc_uvglib_loop(u), &poll, fds[0]);
    poll.data = &f;
    uv_poll_start(&poll, UV_READABLE, on_readable);
    g_main_loop_run(f.loop);
    TC_CHECK_EQ(f.count, 3);
    uv_poll_stop(&poll);
    uv_close((uv_handle_t *)&poll, NULL);
    TC_CHECK_EQ(tc_uvglib_drain(u, 1000), 0);
    TC_CHECK_EQ(tc_uvglib_free(u), 0);
    close(fds[0]);
    close(fds[1]);
    g_source_destroy(writer);
    g_source_unref(writer);
    g_source_destroy(guard);
    g_source_unref(guard);
    g_main_loop_unref(f.loop);
    g_main_context_unref(ctx);
}

/* A handle left open: drain gives up after its time, free refuses to
 * close the loop under it; after the handle is closed, free works. */
static void
test_open_handle_is_reported(void)
{
    struct tc_uvglib *u = tc_uvglib_new(NULL);
    uv_timer_t timer;

    TC_REQUIRE(u != NULL);
    uv_timer_init(tc_uvglib_loop(u), &timer);
    uv_timer_start(&timer, on_timer, 60000, 0);
    TC_CHECK_EQ(tc_uvglib_drain(u, 50), -EBUSY);
    TC_CHECK_EQ(tc_uvglib_free(u), -EBUSY);
    /* once the handle is closed, freeing succeeds */
    uv_close((uv_handle_t *)&timer, NULL);
    TC_CHECK_EQ(tc_uvglib_free(u), 0);
}

int
main(void)
{
    TC_RUN(test_timer_fires_from_the_glib_loop);
    TC_RUN(test_descriptor_wakes_the_glib_loop);
    TC_RUN(test_open_handle_is_reported);
    return tc_done();
}
