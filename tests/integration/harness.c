// SPDX-License-Identifier: Apache-2.0
/*
 * harness.c - see harness.h.
 */
#include "harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 32

static long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *
tc_tmp_dir(const char *tag)
{
    char *path;

    if (asprintf(&path, "/tmp/tc-%s-XXXXXX", tag) < 0) {
        abort();
    }
    if (!mkdtemp(path)) {
        perror("mkdtemp");
        abort();
    }
    return path;
}

void
tc_rm_rf(const char *path)
{
    pid_t pid = fork();

    if (pid == 0) {
        execlp("rm", "rm", "-rf", "--", path, (char *)NULL);
        _exit(127);
    }
    if (pid > 0) {
        waitpid(pid, NULL, 0);
    }
}

static const char *
server_bin(void)
{
    const char *bin = getenv("TC_SERVER_BIN");

    return bin ? bin : "telecare-server";
}

/* fork+exec with stderr on a pipe; stdout to /dev/null. */
static pid_t
spawn(const char *const *args, int *err_fd)
{
    const char *argv[MAX_ARGS + 2];
    int pipefd[2];
    size_t n = 0;
    pid_t pid;

    argv[n++] = server_bin();
    for (size_t i = 0; args[i] && n < MAX_ARGS; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        return -1;
    }
    pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, STDOUT_FILENO);
        dup2(pipefd[1], STDERR_FILENO);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
    *err_fd = pipefd[0];
    return pid;
}

static void
log_append(struct tc_harness *h, const char *buf, size_t n)
{
    h->log = realloc(h->log, h->log_len + n + 1);
    memcpy(h->log + h->log_len, buf, n);
    h->log_len += n;
    h->log[h->log_len] = '\0';
}

void
tc_harness_drain_log(struct tc_harness *h)
{
    char buf[4096];
    ssize_t n;

    while (h->err_fd >= 0 && (n = read(h->err_fd, buf, sizeof(buf))) > 0) {
        log_append(h, buf, (size_t)n);
    }
}

static void
print_log(const char *log)
{
    const char *p = log;

    while (p && *p) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        printf("#   | %.*s\n", len, p);
        p = nl ? nl + 1 : NULL;
    }
}

static int
wait_listening(struct tc_harness *h)
{
    long deadline = now_ms() + 20000;
    const char *mark = h->tls ? "listening on https://127.0.0.1:"
                              : "listening on http://127.0.0.1:";

    while (now_ms() < deadline) {
        struct pollfd pfd = {.fd = h->err_fd, .events = POLLIN};
        const char *at;

        poll(&pfd, 1, 100);
        tc_harness_drain_log(h);
        at = h->log ? strstr(h->log, mark) : NULL;
        if (at) {
            h->port = atoi(at + strlen(mark));
            return h->port > 0 ? 0 : -1;
        }
        if (waitpid(h->pid, NULL, WNOHANG) == h->pid) {
            h->pid = 0;
            break;
        }
    }
    printf("# server did not start; its log:\n");
    print_log(h->log);
    return -1;
}

static int
start(struct tc_harness *h, const char *const *extra_args, bool tls)
{
    const char *args[MAX_ARGS];
    size_t n = 0;

    memset(h, 0, sizeof(*h));
    h->err_fd = -1;
    h->tls = tls;
    h->tmp_dir = tc_tmp_dir("srv");
    if (asprintf(&h->data_dir, "%s/data", h->tmp_dir) < 0) {
        abort();
    }
    if (!tls) {
        args[n++] = "--dev";
    }
    args[n++] = "--listen";
    args[n++] = "127.0.0.1:0";
    args[n++] = "--data-dir";
    args[n++] = h->data_dir;
    for (size_t i = 0; extra_args && extra_args[i] && n < MAX_ARGS - 1; i++) {
        args[n++] = extra_args[i];
    }
    args[n] = NULL;
    h->pid = spawn(args, &h->err_fd);
    if (h->pid < 0) {
        return -1;
    }
    return wait_listening(h);
}

int
tc_harness_start(struct tc_harness *h, const char *const *extra_args)
{
    return start(h, extra_args, false);
}

int
tc_harness_start_tls(struct tc_harness *h, const char *const *extra_args)
{
    return start(h, extra_args, true);
}

static int
wait_exit(pid_t pid, int timeout_ms, int *exit_status)
{
    long deadline = now_ms() + timeout_ms;
    int status;

    while (now_ms() < deadline) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            *exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            return 0;
        }
        usleep(5000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    *exit_status = -1;
    return -1;
}

int
tc_harness_run_to_exit(const char *const *args, int timeout_ms,
                       int *exit_status, char **stderr_text)
{
    struct tc_harness h = {.err_fd = -1};
    int rc;

    h.pid = spawn(args, &h.err_fd);
    if (h.pid < 0) {
        return -1;
    }
    rc = wait_exit(h.pid, timeout_ms, exit_status);
    tc_harness_drain_log(&h);
    close(h.err_fd);
    *stderr_text = h.log ? h.log : strdup("");
    return rc;
}

int
tc_harness_stop(struct tc_harness *h, int sig, int timeout_ms,
                int *exit_status, long *elapsed_ms)
{
    long start = now_ms();
    int rc;

    if (h->pid <= 0) {
        return -1;
    }
    kill(h->pid, sig);
    rc = wait_exit(h->pid, timeout_ms, exit_status);
    *elapsed_ms = now_ms() - start;
    h->pid = 0;
    tc_harness_drain_log(h);
    return rc;
}

void
tc_harness_fini(struct tc_harness *h)
{
    if (h->pid > 0) {
        kill(h->pid, SIGKILL);
        waitpid(h->pid, NULL, 0);
    }
    if (h->err_fd >= 0) {
        close(h->err_fd);
    }
    if (h->tmp_dir) {
        tc_rm_rf(h->tmp_dir);
    }
    free(h->tmp_dir);
    free(h->data_dir);
    free(h->log);
    memset(h, 0, sizeof(*h));
}

static size_t
collect(char *data, size_t size, size_t nmemb, void *user)
{
    struct tc_http_reply *r = user;
    size_t n = size * nmemb;

    r->body = realloc(r->body, r->body_len + n + 1);
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return n;
}

static size_t
collect_header(char *data, size_t size, size_t nmemb, void *user)
{
    struct tc_http_reply *r = user;
    size_t n = size * nmemb;

    r->headers = realloc(r->headers, r->headers_len + n + 1);
    memcpy(r->headers + r->headers_len, data, n);
    r->headers_len += n;
    r->headers[r->headers_len] = '\0';
    return n;
}

char *
tc_http_reply_header(const struct tc_http_reply *reply, const char *name)
{
    size_t nlen = strlen(name);
    const char *line = reply->headers;

    while (line && *line) {
        const char *end = strstr(line, "\r\n");
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > nlen && line[nlen] == ':' &&
            strncasecmp(line, name, nlen) == 0) {
            const char *v = line + nlen + 1;
            while (*v == ' ') {
                v++;
            }
            return strndup(v, len - (size_t)(v - line));
        }
        line = end ? end + 2 : NULL;
    }
    return NULL;
}

int
tc_http(struct tc_harness *h, const char *method, const char *path,
        const char *body, size_t body_len, const char *content_type,
        struct tc_http_reply *reply)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = NULL;
    char url[512], ctype_header[256], cafile[600], auth_header[256];
    char *ctype = NULL;
    CURLcode rc;

    memset(reply, 0, sizeof(*reply));
    reply->body = calloc(1, 1);
    snprintf(url, sizeof(url), "%s://127.0.0.1:%d%s",
             h->tls ? "https" : "http", h->port, path);
    if (h->tls) {
        snprintf(cafile, sizeof(cafile), "%s/tls/cert.pem", h->data_dir);
        curl_easy_setopt(curl, CURLOPT_CAINFO, cafile);
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, reply);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, reply);
    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    }
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)body_len);
    }
    if (content_type) {
        snprintf(ctype_header, sizeof(ctype_header), "Content-Type: %s",
                 content_type);
        headers = curl_slist_append(headers, ctype_header);
    }
    if (h->bearer) {
        snprintf(auth_header, sizeof(auth_header), "Authorization: Bearer %s",
                 h->bearer);
        headers = curl_slist_append(headers, auth_header);
    }
    for (size_t i = 0; h->headers && h->headers[i]; i++) {
        headers = curl_slist_append(headers, h->headers[i]);
    }
    if (h->access_reason) {
        char *reason_header;
        if (asprintf(&reason_header, "X-Access-Reason: %s", h->access_reason) >
            0) {
            headers = curl_slist_append(headers, reason_header);
            free(reason_header);
        }
    }
    if (headers) {
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    }
    rc = curl_easy_perform(curl);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
        curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ctype);
        reply->content_type = ctype ? strdup(ctype) : NULL;
    } else {
        printf("# %s %s: %s\n", method, path, curl_easy_strerror(rc));
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return rc == CURLE_OK ? 0 : -1;
}

void
tc_http_reply_fini(struct tc_http_reply *reply)
{
    free(reply->body);
    free(reply->content_type);
    free(reply->headers);
    memset(reply, 0, sizeof(*reply));
}
