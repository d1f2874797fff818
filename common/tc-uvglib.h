// SPDX-License-Identifier: Apache-2.0
/*
 * tc-uvglib.h - a libuv loop driven from a GLib main context.
 *
 * libwebsockets on GLib (its glib event library) gives every socket its
 * own GSource: each main-loop iteration then prepares, polls and checks
 * every connection, so with thousands of connections the cost of one
 * iteration grows with the number of connections, not with the number
 * that have something to do; and lws's own deferred work (buffered input,
 * forced service) runs from an idle source that never gets its turn while
 * sockets are busy. Instead, lws runs on a libuv loop (its libuv event
 * library: epoll, O(ready) per iteration), and that loop is one GSource of
 * the GLib context: the source polls libuv's backend (epoll) descriptor,
 * waits no longer than libuv's next timer, and runs one non-blocking libuv
 * iteration when either is due. Every lws callback still runs on the GLib
 * context's thread, inside that source's dispatch.
 *
 * Shared by the server (server/run.c) and the client SDK (client-sdk/ws.c).
 *
 * Thread: the thread that runs `ctx`.
 */
#ifndef TC_UVGLIB_H
#define TC_UVGLIB_H

#include <stdbool.h>
#include <uv.h>

#include <glib.h>

struct tc_uvglib;

/* A libuv loop attached to `ctx` (NULL: the global default context). */
struct tc_uvglib *tc_uvglib_new(GMainContext *ctx);

uv_loop_t *tc_uvglib_loop(struct tc_uvglib *u);

/* Called before (after = false) and after each libuv iteration, for
 * loop statistics (tc-loopstat.h); NULL (the default): nothing. */
typedef void (*tc_uvglib_hook_fn)(void *data, bool after);
void tc_uvglib_set_hook(struct tc_uvglib *u, tc_uvglib_hook_fn fn, void *data);

/*
 * Serve descriptors in batches under load: after the loop woke and ran,
 * its epoll descriptor is not polled for `coalesce_us` (a timerfd ends
 * the hold; libuv's timers still run on time, and serve what waits with
 * them), and what arrived meanwhile is served in one iteration; while
 * events keep coming the holds continue, and a hold that finds nothing
 * ends them. A loop that was idle serves the first event at once; each
 * later one waits at most coalesce_us. At moderate load this turns one
 * wake-up per message into one per hold (docs/performance.md, issue 5).
 * Off by default. Errors: -EINVAL (not 1..999,999), or timerfd_create's.
 */
int tc_uvglib_set_coalesce(struct tc_uvglib *u, int coalesce_us);

/*
 * Run the loop, detached from the GLib context, until no handle on it is
 * active or closing, for at most `max_ms`. lws on a foreign libuv loop
 * destroys a context in two calls: lws_context_destroy() closes its
 * handles (their close callbacks run from the loop), this runs them out,
 * and a second lws_context_destroy() frees the context. Returns 0, or
 * -EBUSY if handles were left.
 */
int tc_uvglib_drain(struct tc_uvglib *u, int max_ms);

/* Close the loop and free. Returns 0, or -EBUSY if handles are still open
 * (the loop is then leaked rather than freed under them). */
int tc_uvglib_free(struct tc_uvglib *u);

#endif
