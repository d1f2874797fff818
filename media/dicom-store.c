// SPDX-License-Identifier: Apache-2.0
/*
 * dicom-store.c - content-addressed storage of Part-10 files: a file is
 * named by the SHA-256 of its bytes, dicom/<aa>/<sha256>.dcm.
 *
 * Why: the same instance sent twice (store-and-forward peers retry) is
 * the same file, kept once; the same SOP Instance UID with other bytes is
 * another file, so both versions survive for the index to flag. A file
 * is complete before it gets its name (fsync, then rename in the same
 * directory tree, or linkat of an anonymous O_TMPFILE file the SCP
 * wrote and hashed as it received it), so a crash leaves at worst a
 * temporary file, never a half-written stored one. The fsyncs (file and
 * directory) are the caller's choice: they cost far more than the rest of
 * storing an instance on a busy disk (docs/performance.md).
 *
 * The SHA-256 is OpenSSL's (already a dependency of the server and of
 * DCMTK): it uses the CPU's SHA extensions where there are some, about
 * five times GLib's GChecksum on a 39 KB CT slice here, which showed in
 * the C-STORE ingest benchmark.
 *
 * Thread: any; no shared state.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "tc-dicom.h"

#define CHUNK (64 * 1024)

static int fail(char **errmsg, int rc, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static int
fail(char **errmsg, int rc, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (errmsg) {
        *errmsg = strdup(msg);
    }
    g_free(msg);
    return rc;
}

/* SHA-256 of the file, and fsync it when durable (it is about to be
 * named). */
static int
hash_and_sync(const char *path, bool durable, char hex[65], char **errmsg)
{
    EVP_MD_CTX *md;
    unsigned char *buf, sum[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    ssize_t n;
    int fd, rc = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return fail(errmsg, errno == ENOENT ? -ENOENT : -EIO,
                    "dicom store: %s", g_strerror(errno));
    }
    md = EVP_MD_CTX_new();
    buf = g_malloc(CHUNK);
    if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
        n = -1;
        errno = ENOMEM;
    } else {
        while ((n = read(fd, buf, CHUNK)) > 0) {
            EVP_DigestUpdate(md, buf, (size_t)n);
        }
    }
    if (n < 0 || (durable && fsync(fd) < 0) ||
        !EVP_DigestFinal_ex(md, sum, &len) || len != 32) {
        rc = fail(errmsg, -EIO, "dicom store: %s", g_strerror(errno));
    } else {
        for (unsigned int i = 0; i < len; i++) {
            g_snprintf(hex + 2 * i, 3, "%02x", sum[i]);
        }
    }
    g_free(buf);
    EVP_MD_CTX_free(md);
    close(fd);
    return rc;
}

static void
sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/*
 * Name the complete file `tmp_path` (rename), or the anonymous file `fd`
 * when tmp_path is NULL (linkat through /proc/self/fd: the file appears
 * whole under its name or not at all), dicom_dir/<aa>/<hex>.dcm.
 */
static int
place(const char *dicom_dir, const char *tmp_path, int fd, const char *hex,
      bool durable, char **rel_path_out, bool *existed_out, char **errmsg)
{
    g_autofree char *sub = NULL, *name = NULL, *dest = NULL, *base = NULL;
    g_autofree char *dir = NULL;
    char proc[64];
    bool existed;
    int rc2;

    sub = g_strndup(hex, 2);
    name = g_strconcat(hex, ".dcm", NULL);
    dest = g_build_filename(dicom_dir, sub, name, NULL);
    base = g_path_get_basename(dicom_dir);
    dir = g_build_filename(dicom_dir, sub, NULL);
    if (tmp_path) {
        existed = g_file_test(dest, G_FILE_TEST_EXISTS);
        if (existed) {
            g_unlink(tmp_path);
        }
    } else {
        existed = false;
        g_snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        if (durable && fsync(fd) < 0) {
            return fail(errmsg, -EIO, "dicom store: %s", g_strerror(errno));
        }
    }
    /* The directory exists but for the first file of its kind (the
     * server makes all 256 at start): mkdir only when naming the file
     * says it is missing. */
    for (int tries = 0; !existed && tries < 2; tries++) {
        if (tmp_path) {
            rc2 = g_rename(tmp_path, dest);
        } else {
            rc2 = linkat(AT_FDCWD, proc, AT_FDCWD, dest, AT_SYMLINK_FOLLOW);
            existed = rc2 < 0 && errno == EEXIST;
            rc2 = existed ? 0 : rc2;
        }
        if (rc2 == 0) {
            break;
        }
        if (errno != ENOENT || tries > 0 ||
            (tmp_path && !g_file_test(tmp_path, G_FILE_TEST_EXISTS)) ||
            g_mkdir_with_parents(dir, 0750) < 0) {
            return fail(errmsg, -EIO, "dicom store: %s", g_strerror(errno));
        }
    }
    if (!existed && durable) {
        sync_dir(dir);
    }
    *rel_path_out = g_strdup_printf("%s/%s/%s", base, sub, name);
    *existed_out = existed;
    return 0;
}

int
tc_media_dicom_store(const char *dicom_dir, const char *tmp_path, bool durable,
                     char sha256_out[65], char **rel_path_out,
                     bool *existed_out, char **errmsg)
{
    char hex[65];
    int rc = hash_and_sync(tmp_path, durable, hex, errmsg);

    if (rc < 0) {
        return rc;
    }
    rc = place(dicom_dir, tmp_path, -1, hex, durable, rel_path_out,
               existed_out, errmsg);
    if (rc == 0) {
        memcpy(sha256_out, hex, 65);
    }
    return rc;
}

int
tc_media_dicom_store_received(const char *dicom_dir,
                              const struct tc_media_dicom_received *r,
                              bool durable, char **rel_path_out,
                              bool *existed_out, char **errmsg)
{
    if (!r->sha256 || strlen(r->sha256) != 64 || (!r->tmp_path && r->fd < 0)) {
        return fail(errmsg, -EINVAL, "dicom store: no complete file");
    }
    if (r->tmp_path && durable && fsync(r->fd) < 0) {
        return fail(errmsg, -EIO, "dicom store: %s", g_strerror(errno));
    }
    return place(dicom_dir, r->tmp_path, r->fd, r->sha256, durable,
                 rel_path_out, existed_out, errmsg);
}
