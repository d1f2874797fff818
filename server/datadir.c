// SPDX-License-Identifier: Apache-2.0
/*
 * datadir.c - create the data directory and prove it is writable, or
 * leave nothing behind.
 *
 * Every directory this code creates is remembered, so a start-up that
 * fails later (database, certificate, listener) removes exactly what it
 * made and no more. A directory is only removed when empty.
 *
 * Thread: main, at start-up.
 */
#define G_LOG_DOMAIN "server"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "server-int.h"

void
tc_srv__datadir_undo(GPtrArray *created)
{
    if (!created) {
        return;
    }
    for (guint i = created->len; i > 0; i--) {
        g_remove(g_ptr_array_index(created, i - 1));
    }
}

/* mkdir -p, remembering what was made, shallowest first. */
static int
make_dirs(const char *path, GPtrArray *created, char **errmsg)
{
    g_autofree char *parent = g_path_get_dirname(path);
    struct stat sb;
    int rc;

    if (stat(path, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) {
            *errmsg = g_strdup_printf("data_dir %s: exists and is not a "
                                      "directory",
                                      path);
            return -ENOTDIR;
        }
        return 0;
    }
    if (strcmp(parent, path) != 0) {
        rc = make_dirs(parent, created, errmsg);
        if (rc < 0) {
            return rc;
        }
    }
    if (mkdir(path, 0750) < 0 && errno != EEXIST) {
        rc = -errno;
        *errmsg = g_strdup_printf("data_dir %s: cannot create: %s", path,
                                  g_strerror(errno));
        return rc;
    }
    g_ptr_array_add(created, g_strdup(path));
    return 0;
}

static int
probe_writable(const char *path, char **errmsg)
{
    g_autofree char *probe =
        g_build_filename(path, ".write-probe-XXXXXX", NULL);
    int fd = g_mkstemp(probe);
    int rc;

    if (fd < 0) {
        rc = -errno;
        *errmsg = g_strdup_printf("data_dir %s: not writable: %s", path,
                                  g_strerror(errno));
        return rc;
    }
    close(fd);
    g_unlink(probe);
    return 0;
}

int
tc_srv__datadir_prepare(const char *path, GPtrArray *created, char **errmsg)
{
    g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func(g_free);
    int rc;

    rc = make_dirs(path, made, errmsg);
    if (rc == 0) {
        rc = probe_writable(path, errmsg);
    }
    if (rc < 0) {
        tc_srv__datadir_undo(made);
        return rc;
    }
    for (guint i = 0; i < made->len; i++) {
        g_ptr_array_add(created, g_strdup(g_ptr_array_index(made, i)));
    }
    return 0;
}
