/* harness/util/cleanup.h: what an interrupted command leaves behind.
 *
 * SIGINT, SIGTERM and SIGHUP end a command at once, wherever it is (a slow
 * scenario may wait a minute): the handler removes the temporary files of
 * the atomic writes in progress (lq_write_file_atomic registers them),
 * writes the message the command set last (a partial summary and the paths
 * written so far), and ends the process by the same signal, so the caller
 * sees it. The harness's namespaces die with the process. A SIGKILL gives
 * no chance to clean: lq_cleanup_stale_temps() removes the temporary files
 * of dead processes on a later run.
 */
#ifndef LISTENQ_HARNESS_CLEANUP_H
#define LISTENQ_HARNESS_CLEANUP_H

#include <stddef.h>

/* Installs the handlers (once), except for signals ignored on entry. */
void lq_cleanup_on_signals(void);
/* In a worker process of a command (cli/jobs.h): a signal removes its
 * temporary files and ends it without a message (the command prints the
 * summary); SIGTERM, the signal it gets when the command dies, is handled
 * even when the command ignores it. */
void lq_cleanup_worker(void);
/* The message a signal prints (copied; up to 4 KiB; NULL: none). */
void lq_cleanup_set_message(const char *msg);
/* A temporary file that must not outlive a signal: a slot, or -1 when all
 * are taken (the file is then only cleaned by a later run). */
int lq_cleanup_temp_begin(const char *path);
void lq_cleanup_temp_end(int slot);
/* Removes dir's temporary files of atomic writes (NAME.tmp.PID.HEX, the
 * names lq_write_file_atomic gives) whose process is dead. Returns how many. */
size_t lq_cleanup_stale_temps(const char *dir);

#endif
