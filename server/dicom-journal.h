/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dicom-journal.h - dicom/journal.log: one line per instance the SCP
 * answered "stored" that the index has not committed yet (dicom.c says
 * what a line holds and replays them at start-up).
 *
 * The journal only appends while instances arrive; after each commit
 * its owner says which entries are still pending, and the journal is
 * emptied (none pending) or, once it has grown past its compaction size
 * while entries keep arriving, replaced by a file holding only the
 * pending ones (written whole, then renamed over it): under a stream that
 * never pauses it stays bounded, and at every moment it holds at least
 * every entry not committed.
 *
 * Thread: the caller serialises every call (dicom.c: under its lock).
 */
#ifndef TC_SRV_DICOM_JOURNAL_H
#define TC_SRV_DICOM_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

struct tc_srv__dicom_journal;

/*
 * Open (create) `path` for appending. durable: each append is
 * fdatasync'd, and the directory fsync'd when the file is created or
 * replaced. compact_bytes: the size past which a journal whose entries
 * are not all committed is rewritten with just the pending ones.
 * Errors: -EIO (*errmsg says why; g_free it).
 */
int tc_srv__dicom_journal_open(const char *path, bool durable,
                               size_t compact_bytes,
                               struct tc_srv__dicom_journal **out,
                               char **errmsg);
void tc_srv__dicom_journal_close(struct tc_srv__dicom_journal *j);

/* The journal's size in bytes now. */
size_t tc_srv__dicom_journal_size(const struct tc_srv__dicom_journal *j);

/* Append `line` (no '\n'; one is added) in one write: all of it or, on
 * failure, none (a partial write is cut off again). 0 or -errno. */
int tc_srv__dicom_journal_append(struct tc_srv__dicom_journal *j,
                                 const char *line);

/*
 * After a commit, with n_pending entries still not committed: whether
 * tc_srv__dicom_journal_keep() has anything to do (the journal is not
 * empty and none is pending, or it has grown past compact_bytes). Lets
 * the caller skip formatting the pending lines.
 */
bool tc_srv__dicom_journal_due(const struct tc_srv__dicom_journal *j,
                               guint n_pending);

/*
 * Make the journal hold exactly `pending` (lines without '\n', in
 * order; NULL or empty: truncate it). The replacement is written whole
 * (and synced when durable) before it is renamed over the journal, so a
 * crash at any point leaves either the old journal or the new one.
 * 0 or -errno (the old journal is then kept as it was).
 */
int tc_srv__dicom_journal_keep(struct tc_srv__dicom_journal *j,
                               GPtrArray *pending);

#endif
