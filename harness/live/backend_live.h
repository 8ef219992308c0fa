/* harness/live/backend_live.h: the running kernel as a backend, in private
 * network namespaces (docs/harness.md, "The live backend").
 *
 * Its timers run in real time (LQ_CAP_REALTIME): it can be paced and waits
 * for late packets (settle); it keeps the frames of the current scenario
 * (lq_backend_frames), reads the kernel's clock (lq_backend_clock) and
 * counts what it injects (lq_backend_stats).
 */
#ifndef LISTENQ_HARNESS_BACKEND_LIVE_H
#define LISTENQ_HARNESS_BACKEND_LIVE_H

#include <stdint.h>

#include "run/backend.h"

/* NULL with err: LQ_EXIT_SKIP when this process lacks the privileges (the
 * message says which), LQ_EXIT_ERROR when the namespaces cannot be made. */
struct lq_backend *lq_backend_live_new(struct lq_err *err);
/* The same, with the clock calibration of clock_of (a live backend of this
 * machine, made earlier; else calibrated anew): a worker's kernel beside the
 * command's (cli/jobs.c) starts without another ~8 ms of readings. */
struct lq_backend *lq_backend_live_new_beside(const struct lq_backend *clock_of,
                                              struct lq_err *err);
/* Made by another thread of this process (which lq_backend_live_new left
 * in b's server namespace, where b's calls expect to be): the calling
 * thread enters that namespace. */
int lq_backend_live_adopt(struct lq_backend *b, struct lq_err *err);
/* In a process forked from the one that made b: lets go of this process's
 * copies of what b holds (descriptors, the capture ring's mapping) and
 * leaves the kernel's objects as they are to the processes that still hold
 * them, and the calling thread in the namespace it is in; b stays (a
 * scenario begun on it fails) until lq_backend_destroy. The command of a
 * run with workers disowns its kernel once the first worker has it
 * (cli/jobs.c): else the command, the last to let go of it, would release
 * it after every worker had exited, its RCU grace periods one after the
 * other. */
void lq_backend_live_disown(struct lq_backend *b);
/* Tests (listenq-test run --preempt-us): every injected frame of the live
 * backends made after this call (in this process and the workers it forks
 * then) is held us microseconds after it is built, as a loaded machine
 * preempts the harness between building a frame and writing it. Verdicts
 * must not change. */
void lq_backend_live_set_preempt(unsigned us);
/* Tests (listenq-test run --late-writes): every other write of the live
 * backends made after this call is held a jiffy and the tick guard after
 * its clocks are read: the kernel handles that frame in a later jiffy than
 * the write's (a vCPU stopped there by its host). Verdicts must not
 * change. */
void lq_backend_live_set_late_writes(bool on);
/* The run's clock calibrated once, beginning now (live/clock.h): every
 * live backend made afterwards in this process and in the processes it
 * forks afterwards takes it, waiting for it after its own set-up, instead
 * of calibrating its own beside it. run, record and replay call it first,
 * before the workers of --jobs are forked. */
void lq_backend_live_share_clock(void);

#endif
