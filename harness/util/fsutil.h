/* harness/util/fsutil.h: file writes that a killed run never leaves half done. */
#ifndef LISTENQ_HARNESS_FSUTIL_H
#define LISTENQ_HARNESS_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "err.h"

/* What an output path is. A regular file (or a new one) is replaced
 * atomically; a character device or a FIFO (/dev/null, /dev/stdout on a
 * pipe, a shell's process substitution) is a stream, written in place: a
 * temporary file renamed over it would replace the device itself. A block
 * device or a socket is refused (a directory: the rename fails). target gets the path to
 * replace: path, or the file a symbolic link names (a rename over the link
 * would replace the link). */
enum lq_output_kind { LQ_OUT_FILE, LQ_OUT_STREAM, LQ_OUT_REFUSED };
enum lq_output_kind lq_output_kind(const char *path, char *target, size_t cap);
bool lq_output_is_stream(const char *path);
/* A stream output opened for writing (a FIFO that nobody reads is an error,
 * not a writer blocked forever), and whole writes to it. */
int lq_stream_open(const char *path, struct lq_err *err);
int lq_stream_write(int fd, const char *path, const void *data, size_t len, struct lq_err *err);

/* Replaces path with data: a temporary file in the same directory, fsync,
 * rename over path, fsync of the directory. On failure path is untouched and
 * the temporary file is removed. The new file's mode is 0666 minus umask.
 * A stream output (lq_output_kind) is written in place instead. */
int lq_write_file_atomic(const char *path, const void *data, size_t len, struct lq_err *err);
/* The same without the fsyncs: as atomic for a process that is killed, not
 * for a machine that loses power. For a file replaced over and over. */
int lq_write_file_atomic_nosync(const char *path, const void *data, size_t len, struct lq_err *err);

/* Replaces n files together: every one is written to a temporary file and
 * synced first, then they are renamed into place in order, so that a killed
 * process leaves either all of them, or the first ones and none after
 * (never a later one without the earlier); SIGINT, SIGTERM and SIGHUP wait
 * for the last rename, so only SIGKILL can stop it between two. On failure nothing new is in
 * place but what was renamed already; the temporary files are removed. */
int lq_write_files_atomic(size_t n, const char *const *paths, const void *const *data,
                          const size_t *lens, struct lq_err *err);

/* Appends line to path (created when missing) with one writev() on an O_APPEND
 * descriptor, so concurrent appenders never interleave inside a line, then
 * fdatasync. A '\n' is added when line does not end with one. */
int lq_append_line_durable(const char *path, const char *line, struct lq_err *err);

/* Opens path for reading, refusing anything but a regular file: a FIFO, a
 * socket or a device would block the reader or never end. The open itself
 * does not block (O_NONBLOCK, cleared once the file is known to be regular).
 * NULL with err (status LQ_EXIT_BADINPUT, "PATH: not a regular file (a FIFO)"
 * or "PATH: cannot open: ...") otherwise. */
FILE *lq_fopen_regular(const char *path, struct lq_err *err);
/* What kind of file a st_mode is, for messages: "a directory", "a FIFO"... */
const char *lq_file_kind(unsigned mode);

/* mkdir -p: creates path and its missing parents (mode 0777 minus umask).
 * An existing directory is fine; an existing non-directory is an error. */
int lq_mkdir_p(const char *path, struct lq_err *err);

#endif
