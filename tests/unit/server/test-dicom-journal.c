// SPDX-License-Identifier: Apache-2.0
/*
 * test-dicom-journal.c - dicom/journal.log (server/dicom-journal.c) on a
 * real file, driven as server/dicom.c drives it: a stream of instances
 * that never pauses (every commit finds newer entries still pending)
 * keeps the journal bounded, and the file always ends with every pending
 * entry, which is what a start-up replays; an idle moment empties it; a
 * compaction cut short by a crash leaves the old journal whole.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "dicom-journal.h"
#include "tc-test.h"

/* A line shaped like dicom.c's: sha256, org, time, AE in hex. */
static char *
line_of(int i)
{
    g_autofree char *sha = g_compute_checksum_for_data(
        G_CHECKSUM_SHA256, (const guchar *)&i, sizeof(i));

    return g_strdup_printf("%s 1 %d 4245_4e4348", sha, 1700000000 + i);
}

static char *
tmp_journal(char **dir)
{
    *dir = g_dir_make_tmp("tc-journal-XXXXXX", NULL);
    return g_build_filename(*dir, "journal.log", NULL);
}

static void
rm_dir(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        g_unlink(p);
    }
    g_rmdir(dir);
}

/* The file's text ends with exactly the pending lines, in order. */
static bool
ends_with_pending(const char *path, GPtrArray *pending)
{
    g_autofree char *text = NULL;
    g_autoptr(GString) tail = g_string_new(NULL);
    size_t n;

    if (!g_file_get_contents(path, &text, &n, NULL)) {
        return false;
    }
    for (guint i = 0; i < pending->len; i++) {
        g_string_append_printf(tail, "%s\n",
                               (char *)g_ptr_array_index(pending, i));
    }
    return n >= tail->len &&
           memcmp(text + n - tail->len, tail->str, tail->len) == 0;
}

static void
test_a_stream_that_never_pauses_stays_bounded(void)
{
    g_autofree char *dir = NULL;
    g_autofree char *path = tmp_journal(&dir);
    g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func(g_free);
    struct tc_srv__dicom_journal *j = NULL;
    char *err = NULL;
    size_t max = 0, appended = 0, compactions = 0;
    GStatBuf st;

    TC_REQUIRE(tc_srv__dicom_journal_open(path, false, 4096, &j, &err) == 0);
    for (int i = 0; i < 5000; i++) {
        char *line = line_of(i);
        TC_REQUIRE(tc_srv__dicom_journal_append(j, line) == 0);
        appended += strlen(line) + 1;
        g_ptr_array_add(pending, line);
        if (i % 7 == 6) {
            /* A commit of all but the three newest: never all of them. */
            g_ptr_array_remove_range(pending, 0, pending->len - 3);
            if (tc_srv__dicom_journal_due(j, pending->len)) {
                TC_REQUIRE(tc_srv__dicom_journal_keep(j, pending) == 0);
                compactions++;
                TC_CHECK(ends_with_pending(path, pending));
            }
        }
        TC_REQUIRE(g_stat(path, &st) == 0);
        TC_CHECK_EQ((size_t)st.st_size, tc_srv__dicom_journal_size(j));
        max = MAX(max, (size_t)st.st_size);
    }
    printf("# appended %zu bytes, largest journal %zu bytes, %zu "
           "compactions\n",
           appended, max, compactions);
    /* Bounded: the compaction size plus one commit's worth of lines,
     * while ~440 KB were appended. */
    TC_CHECK(appended > 400000);
    TC_CHECK(max <= 4096 + 10 * 100);
    TC_CHECK(compactions > 50 && compactions < 200);
    /* What a start-up replays: every entry not committed. */
    TC_CHECK(ends_with_pending(path, pending));
    tc_srv__dicom_journal_close(j);
    /* Reopened (a restart), it appends after what is there. */
    TC_REQUIRE(tc_srv__dicom_journal_open(path, true, 4096, &j, &err) == 0);
    TC_CHECK_EQ(tc_srv__dicom_journal_size(j), (size_t)st.st_size);
    TC_REQUIRE(tc_srv__dicom_journal_append(j, "x") == 0);
    g_ptr_array_add(pending, g_strdup("x"));
    TC_CHECK(ends_with_pending(path, pending));
    tc_srv__dicom_journal_close(j);
    rm_dir(dir);
}

static void
test_an_idle_moment_empties_it(void)
{
    g_autofree char *dir = NULL;
    g_autofree char *path = tmp_journal(&dir);
    struct tc_srv__dicom_journal *j = NULL;
    char *err = NULL;
    GStatBuf st;

    TC_REQUIRE(tc_srv__dicom_journal_open(path, true, 1 << 20, &j, &err) == 0);
    TC_CHECK(!tc_srv__dicom_journal_due(j, 0)); /* empty already */
    for (int i = 0; i < 3; i++) {
        g_autofree char *line = line_of(i);
        TC_REQUIRE(tc_srv__dicom_journal_append(j, line) == 0);
    }
    /* Small and entries pending: left alone. */
    TC_CHECK(!tc_srv__dicom_journal_due(j, 1));
    TC_CHECK(tc_srv__dicom_journal_due(j, 0));
    TC_REQUIRE(tc_srv__dicom_journal_keep(j, NULL) == 0);
    TC_REQUIRE(g_stat(path, &st) == 0);
    TC_CHECK_EQ(st.st_size, 0);
    TC_CHECK_EQ(tc_srv__dicom_journal_size(j), 0);
    /* Appends go on at the start of the emptied file. */
    TC_REQUIRE(tc_srv__dicom_journal_append(j, "next") == 0);
    TC_REQUIRE(g_stat(path, &st) == 0);
    TC_CHECK_EQ(st.st_size, 5);
    tc_srv__dicom_journal_close(j);
    rm_dir(dir);
}

static void
test_a_compaction_cut_short_leaves_the_journal_whole(void)
{
    g_autofree char *dir = NULL;
    g_autofree char *path = tmp_journal(&dir);
    g_autofree char *new_path = g_strconcat(path, ".new", NULL);
    g_autofree char *text = NULL;
    struct tc_srv__dicom_journal *j = NULL;
    char *err = NULL;

    /* A crash after journal.log.new was written, before the rename. */
    TC_REQUIRE(g_file_set_contents(path, "a\nb\n", -1, NULL));
    TC_REQUIRE(g_file_set_contents(new_path, "b\n", -1, NULL));
    TC_REQUIRE(tc_srv__dicom_journal_open(path, false, 1, &j, &err) == 0);
    TC_CHECK(!g_file_test(new_path, G_FILE_TEST_EXISTS));
    TC_REQUIRE(g_file_get_contents(path, &text, NULL, NULL));
    TC_CHECK_STR_EQ(text, "a\nb\n");
    tc_srv__dicom_journal_close(j);
    /* A directory where the journal should be: a clear error. */
    TC_REQUIRE(g_unlink(path) == 0 && g_mkdir(path, 0700) == 0);
    j = NULL;
    TC_CHECK_EQ(tc_srv__dicom_journal_open(path, false, 1, &j, &err), -EIO);
    TC_CHECK(j == NULL);
    TC_CHECK(err && strstr(err, "journal.log") != NULL);
    g_free(err);
    g_rmdir(path);
    rm_dir(dir);
}

int
main(void)
{
    TC_RUN(test_a_stream_that_never_pauses_stays_bounded);
    TC_RUN(test_an_idle_moment_empties_it);
    TC_RUN(test_a_compaction_cut_short_leaves_the_journal_whole);
    return tc_done();
}
