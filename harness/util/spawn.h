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
/* Appends the arguments up to NULL to av (at most cap - 1 in all). */
void lq_argv_push(char **av, int *n, int cap, ...);

#endif
