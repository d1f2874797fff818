/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harness.h - run the real telecare-server binary for integration tests:
 * start it on a free loopback port with a temporary data directory, talk
 * HTTP to it with libcurl, stop it with a signal and collect its exit
 * status and log.
 *
 * The server binary is $TC_SERVER_BIN (set by meson). The port is chosen
 * by the server itself (--listen 127.0.0.1:0) and read from its
 * "listening on" log line, so parallel tests never race for a port.
 *
 * Thread: the test's main thread.
 */
#ifndef TC_HARNESS_H
#define TC_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct tc_harness {
    pid_t pid;
    int port;
    bool tls;       /* https, verified against the server's own cert */
    char *tmp_dir;  /* removed by tc_harness_free */
    char *data_dir; /* tmp_dir/data unless the caller chose one */
    char *log;      /* everything the server wrote on stderr so far */
    size_t log_len;
    int err_fd;
    /* When set, tc_http() sends "Authorization: Bearer <bearer>". */
    const char *bearer;
    /* When set, tc_http() sends "X-Access-Reason: <access_reason>"
     * (break-glass). */
    const char *access_reason;
    /* When set, tc_http() sends these "Name: value" headers too
     * (NULL-terminated). */
    const char *const *headers;
};

struct tc_http_reply {
    long status;
    char *body;
    size_t body_len;
    char *content_type;
    char *headers; /* the raw response header block */
    size_t headers_len;
};

/* The value of response header `name` (case-insensitive), malloc'd, or
 * NULL when absent. */
char *tc_http_reply_header(const struct tc_http_reply *reply,
                           const char *name);

/*
 * Start a server. `extra_args` is a NULL-terminated list appended to
 * "--dev --listen 127.0.0.1:0 --data-dir <tmp>/data" (a later --data-dir
 * or --listen wins). Returns 0 once the server logs that it listens, or -1
 * (its log is printed as TAP diagnostics) when it exits or takes over 20 s.
 */
int tc_harness_start(struct tc_harness *h, const char *const *extra_args);

/* As tc_harness_start, but with TLS on (no --dev): the server makes its
 * self-signed certificate and tc_http() speaks https, trusting exactly
 * that certificate. */
int tc_harness_start_tls(struct tc_harness *h, const char *const *extra_args);

/*
 * Run the server with exactly `args` (NULL-terminated, after the program
 * name) until it exits by itself, at most `timeout_ms`. Out: the exit
 * status (or -1 on timeout, after killing it) and its stderr (malloc'd).
 */
int tc_harness_run_to_exit(const char *const *args, int timeout_ms,
                           int *exit_status, char **stderr_text);

/* Send `sig` and wait for the exit, at most timeout_ms. Out: the exit
 * status (-1 on timeout or death by signal) and the milliseconds it took. */
int tc_harness_stop(struct tc_harness *h, int sig, int timeout_ms,
                    int *exit_status, long *elapsed_ms);

/* Read whatever the server has logged since (non-blocking). */
void tc_harness_drain_log(struct tc_harness *h);

/* Kill if still running, remove the temporary directory, free. */
void tc_harness_fini(struct tc_harness *h);

/*
 * One HTTP request to the server: method, path (with query), optional body
 * and content type. Returns 0 with *reply filled (free with
 * tc_http_reply_fini), or -1 on a transport error.
 */
int tc_http(struct tc_harness *h, const char *method, const char *path,
            const char *body, size_t body_len, const char *content_type,
            struct tc_http_reply *reply);

void tc_http_reply_fini(struct tc_http_reply *reply);

/* A fresh temporary directory (mkdtemp under /tmp); the caller frees and
 * removes it (tc_rm_rf). */
char *tc_tmp_dir(const char *tag);
void tc_rm_rf(const char *path);

#endif
