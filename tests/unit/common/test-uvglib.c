// SPDX-License-Identifier: Apache-2.0
/*
 * test-uvglib.c - a libuv loop driven from a GLib main context
 * (common/tc-uvglib.h): libuv timers and descriptors fire while only the
 * GLib loop runs, on the GLib thread, on time; drain and free close
 * cleanly; with coalescing, the first event after idle is served at once
 * and the ones that follow within the hold together, after it.
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
    /* a timer starts from the loop's cached clock: refresh it first, or a
     * loaded machine's time since tc_uvglib_new() makes it look early */
    uv_update_time(tc_uvglib_loop(u));
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

struct batches {
    int calls;    /* readable callbacks */
    int bytes[4]; /* bytes read by each */
    int64_t at_us[4];
    int fd_w;
    int64_t t0_us;
    int timer_fired;
    int64_t timer_at_us;
    GMainLoop *loop;
};

static void
on_readable_all(uv_poll_t *p, int status, int events)
{
    struct batches *b = p->data;
    char buf[16];
    ssize_t n;

    if (status != 0 || !(events & UV_READABLE)) {
        return;
    }
    n = read(p->io_watcher.fd, buf, sizeof(buf));
    if (n > 0 && b->calls < 4) {
        b->bytes[b->calls] = (int)n;
        b->at_us[b->calls] = g_get_monotonic_time();
        b->calls++;
    }
    if (b->calls == 2 || b->calls == 4) {
        g_main_loop_quit(b->loop);
    }
}

static void
on_batch_timer(uv_timer_t *t)
{
    struct batches *b = t->data;

    b->timer_fired++;
    b->timer_at_us = g_get_monotonic_time();
}

/* GLib timeouts (not held: only libuv's descriptor is) write the bytes
 * that arrive during the hold, one each. */
static gboolean
write_b(gpointer data)
{
    struct batches *b = data;

    if (write(b->fd_w, "b", 1) != 1) {
        g_main_loop_quit(b->loop);
    }
    return G_SOURCE_REMOVE;
}

static gboolean
write_c(gpointer data)
{
    struct batches *b = data;

    if (write(b->fd_w, "c", 1) != 1) {
        g_main_loop_quit(b->loop);
    }
    return G_SOURCE_REMOVE;
}

#define HOLD_US 300000 /* long, so that a loaded machine cannot blur it */

/* With a hold of 300 ms: "a" written to an idle loop, then "b" 20 ms and
 * "c" 40 ms later. With `timer_ms` > 0 a libuv timer is due then. */
static void
run_batch(struct batches *b, int timer_ms)
{
    GMainContext *ctx = g_main_context_new();
    struct tc_uvglib *u = tc_uvglib_new(ctx);
    GSource *guard = g_timeout_source_new(10000), *wb, *wc;
    uv_poll_t poll;
    uv_timer_t timer;
    int fds[2];

    b->loop = g_main_loop_new(ctx, FALSE);
    TC_REQUIRE(u != NULL);
    TC_CHECK_EQ(tc_uvglib_set_coalesce(u, 0), -EINVAL);
    TC_CHECK_EQ(tc_uvglib_set_coalesce(u, 1000000), -EINVAL);
    TC_REQUIRE(tc_uvglib_set_coalesce(u, HOLD_US) == 0);
    TC_REQUIRE(pipe(fds) == 0);
    b->fd_w = fds[1];
    g_source_set_callback(guard, give_up, b->loop, NULL);
    g_source_attach(guard, ctx);
    uv_poll_init(tc_uvglib_loop(u), &poll, fds[0]);
    poll.data = b;
    uv_poll_start(&poll, UV_READABLE, on_readable_all);
    uv_timer_init(tc_uvglib_loop(u), &timer);
    timer.data = b;
    uv_update_time(tc_uvglib_loop(u)); /* timers start from the cached clock */
    b->t0_us = g_get_monotonic_time();
    TC_REQUIRE(write(fds[1], "a", 1) == 1);
    wb = g_timeout_source_new(20);
    g_source_set_callback(wb, write_b, b, NULL);
    g_source_attach(wb, ctx);
    wc = g_timeout_source_new(40);
    g_source_set_callback(wc, write_c, b, NULL);
    g_source_attach(wc, ctx);
    if (timer_ms > 0) {
        uv_timer_start(&timer, on_batch_timer, (uint64_t)timer_ms, 0);
    }
    g_main_loop_run(b->loop);
    printf("# first byte after %.1f ms, then %d byte(s) %.1f ms after it "
           "(hold %d ms)\n",
           (double)(b->at_us[0] - b->t0_us) / 1000, b->bytes[1],
           (double)(b->at_us[1] - b->at_us[0]) / 1000, HOLD_US / 1000);
    uv_poll_stop(&poll);
    uv_close((uv_handle_t *)&poll, NULL);
    uv_close((uv_handle_t *)&timer, NULL);
    TC_CHECK_EQ(tc_uvglib_drain(u, 1000), 0);
    TC_CHECK_EQ(tc_uvglib_free(u), 0);
    close(fds[0]);
    close(fds[1]);
    g_source_destroy(wb);
    g_source_unref(wb);
    g_source_destroy(wc);
    g_source_unref(wc);
    g_source_destroy(guard);
    g_source_unref(guard);
    g_main_loop_unref(b->loop);
    g_main_context_unref(ctx);
}

/* Coalescing: the first byte after idle is read at once; "b" and "c",
 * written 20 ms apart during the hold, are read together by one
 * callback (without a hold: two), not before the hold is over. */
static void
test_coalesce_serves_a_batch_after_the_hold(void)
{
    struct batches b = {0};

    run_batch(&b, 0);
    TC_CHECK_EQ(b.calls, 2);
    TC_CHECK_EQ(b.bytes[0], 1);
    TC_CHECK_EQ(b.bytes[1], 2);
    TC_CHECK(b.at_us[0] - b.t0_us < HOLD_US);
    TC_CHECK(b.at_us[1] - b.at_us[0] >= HOLD_US - 1000);
}

/* A libuv timer due during a hold fires on time (not held back), and the
 * bytes that waited are served with it. */
static void
test_coalesce_does_not_hold_timers(void)
{
    struct batches b = {0};

    run_batch(&b, 100);
    TC_CHECK_EQ(b.timer_fired, 1);
    TC_CHECK(b.timer_at_us - b.t0_us >= 99000);
    TC_CHECK(b.timer_at_us - b.at_us[0] < HOLD_US - 1000);
    TC_CHECK_EQ(b.calls, 2);
    TC_CHECK_EQ(b.bytes[1], 2);
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
    TC_RUN(test_coalesce_serves_a_batch_after_the_hold);
    TC_RUN(test_coalesce_does_not_hold_timers);
    TC_RUN(test_open_handle_is_reported);
    return tc_done();
}
