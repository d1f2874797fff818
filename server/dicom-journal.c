// SPDX-License-Identifier: Apache-2.0
/*
 * dicom-journal.c - dicom/journal.log, appended before each C-STORE
 * answer and emptied or compacted after each index commit (see
 * dicom-journal.h).
 *
 * Why compact: the journal used to be truncated only when every entry
 * in it was committed. A stream of instances that never pauses (several
 * associations, a commit always finding newer entries queued) never gets
 * there, and the file grew without bound: every start-up would then
 * re-read all of it. Compaction rewrites the few pending lines into
 * journal.log.new and renames it over the journal, once per
 * compact_bytes of appends, not per commit.
 *
 * Thread: whatever thread the caller serialises the calls on.
 */
#define G_LOG_DOMAIN "dicom"

#include "dicom-journal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

struct tc_srv__dicom_journal {
    char *path, *new_path, *dir;
    int fd;
    bool durable;
    size_t size, compact_bytes;
};

static void
sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static int
open_append(const char *path, int extra)
{
    return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | extra, 0640);
}

int
tc_srv__dicom_journal_open(const char *path, bool durable,
                           size_t compact_bytes,
                           struct tc_srv__dicom_journal **out, char **errmsg)
{
    struct tc_srv__dicom_journal *j = g_new0(struct tc_srv__dicom_journal, 1);
    struct stat st;

    j->path = g_strdup(path);
    j->new_path = g_strconcat(path, ".new", NULL);
    j->dir = g_path_get_dirname(path);
    j->durable = durable;
    j->compact_bytes = compact_bytes;
    g_unlink(j->new_path); /* a compaction cut short: the journal is whole */
    j->fd = open_append(path, 0);
    if (j->fd < 0 || fstat(j->fd, &st) < 0) {
        *errmsg = g_strdup_printf("dicom: %s: %s", path, g_strerror(errno));
        tc_srv__dicom_journal_close(j);
        return -EIO;
    }
    j->size = (size_t)st.st_size;
    if (durable) {
        sync_dir(j->dir);
    }
    *out = j;
    return 0;
}

void
tc_srv__dicom_journal_close(struct tc_srv__dicom_journal *j)
{
    if (!j) {
        return;
    }
    if (j->fd >= 0) {
        close(j->fd);
    }
    g_free(j->path);
    g_free(j->new_path);
    g_free(j->dir);
    g_free(j);
}

size_t
tc_srv__dicom_journal_size(const struct tc_srv__dicom_journal *j)
{
    return j->size;
}

/* All of buf at the end of fd, or -errno. */
static int
write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return n < 0 ? -errno : -EIO;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int
tc_srv__dicom_journal_append(struct tc_srv__dicom_journal *j, const char *line)
{
    g_autofree char *text = g_strconcat(line, "\n", NULL);
    size_t len = strlen(text);
    int rc = write_all(j->fd, text, len);

    if (rc == 0 && j->durable && fdatasync(j->fd) < 0) {
        rc = -errno;
    }
    if (rc < 0) {
        /* The next line must start on a line of its own. */
        if (ftruncate(j->fd, (off_t)j->size) < 0) {
            g_warning("dicom: journal: %s", g_strerror(errno));
        }
        return rc;
    }
    j->size += len;
    return 0;
}

bool
tc_srv__dicom_journal_due(const struct tc_srv__dicom_journal *j,
                          guint n_pending)
{
    return n_pending == 0 ? j->size > 0 : j->size > j->compact_bytes;
}

int
tc_srv__dicom_journal_keep(struct tc_srv__dicom_journal *j, GPtrArray *pending)
{
    g_autoptr(GString) text = g_string_new(NULL);
    int fd, rc;

    if (!pending || pending->len == 0) {
        if (ftruncate(j->fd, 0) < 0) {
            return -errno;
        }
        j->size = 0;
        return 0;
    }
    for (guint i = 0; i < pending->len; i++) {
        g_string_append(text, g_ptr_array_index(pending, i));
        g_string_append_c(text, '\n');
    }
    fd = open_append(j->new_path, O_TRUNC);
    if (fd < 0) {
        return -errno;
    }
    rc = write_all(fd, text->str, text->len);
    if (rc == 0 && j->durable && fdatasync(fd) < 0) {
        rc = -errno;
    }
    if (rc == 0 && g_rename(j->new_path, j->path) < 0) {
        rc = -errno;
    }
    if (rc < 0) {
        close(fd);
        g_unlink(j->new_path);
        return rc;
    }
    if (j->durable) {
        sync_dir(j->dir);
    }
    close(j->fd);
    j->fd = fd;
    j->size = text->len;
    return 0;
}
