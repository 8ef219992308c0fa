/* harness/util/spawn.c: running a helper (qemu, apt-get, a script) for a bounded
 * time, in its own process group that a signal to listenq takes down too
 * (the kernel matrix, harness/matrix/matrix.c). */
#ifndef LISTENQ_HARNESS_SPAWN_H
#define LISTENQ_HARNESS_SPAWN_H

/* Runs argv in its own process group with stdout and stderr to files (NULL:
 * inherited); kills the group after timeout_s. Returns the exit status, 124
 * on timeout, 127 when it could not start. */
int lq_spawn(char *const argv[], const char *out, const char *errf, int timeout_s);
/* From now on SIGINT, SIGTERM and SIGHUP also end the running helper's
 * process group before listenq dies of them. */
void lq_spawn_forward_signals(void);
/* Runs argv (execv) with stdout and stderr on out_fd, in a process group of
 * its own under a guard process (a fork of the caller), which makes sure
 * that nothing of that group outlives the caller, even one killed by
 * SIGKILL: when the caller dies (PR_SET_PDEATHSIG) or signals the guard
 * (SIGTERM, SIGINT, SIGHUP), and when argv's process has exited, the guard
 * sends the group SIGTERM, then SIGKILL after grace_ms, waits for it and
 * removes tmpdir (argv's TMPDIR; NULL: none, TMPDIR unchanged). The guard
 * then exits with argv's status (128 + the signal when killed, 127 when it
 * could not start). Returns the guard's pid, or -1. */
int lq_spawn_guarded(char *const argv[], int out_fd, const char *tmpdir, int grace_ms);
/* Removes dir and everything below it (no symbolic link is followed). */
int lq_rm_rf(const char *dir);

/* Appends the arguments up to NULL to av (at most cap - 1 in all). */
void lq_argv_push(char **av, int *n, int cap, ...);

#endif
