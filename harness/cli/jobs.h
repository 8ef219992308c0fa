/* harness/cli/jobs.h: a suite's scenarios in worker processes, reported in
 * order (`listenq run --jobs N`, also record and replay).
 *
 * Each worker is a process forked from the command, with a live kernel of
 * its own: its own private namespaces and veth (the first worker takes over
 * the command's, which the command then lets go of), its own runner and
 * model. The command hands out scenarios one at a time and reports each
 * result in the suite's order as soon as every result before it is in, so
 * the report (KTAP numbering, JUnit, JSON lines, pcap names,
 * divergences.jsonl, --shuffle and --repeat orders) is the one a
 * sequential run gives; what a worker prints on stderr is kept with its
 * scenario and printed before it is reported.
 *
 * Scenarios that wait for the kernel's timers (slow ones, and fast ones
 * that wait for a delayed ACK or the next jiffy: jobs_order.h) start first,
 * longest first: they sleep most of their time, so they run in workers of
 * their own beside the N that run the others (enough for every wait to
 * overlap the longest, at most LQ_JOBS_SLEEPERS_MAX_PER_JOB per job and,
 * with slow ones, at least LQ_JOBS_SLEEPERS_PER_JOB), and their waits
 * overlap everything else.
 *
 * The harness failing in a worker (lq_run_scenario returns -1, or the suite's
 * after() says so; a worker that dies) stops the run as it stops a
 * sequential one: the scenarios after it in the suite's order are reported
 * as not run. Workers die with the command (PR_SET_PDEATHSIG).
 */
#ifndef LISTENQ_HARNESS_JOBS_H
#define LISTENQ_HARNESS_JOBS_H

#include <stdbool.h>

#include "cli.h"

#define LQ_JOBS_MAX                  256
#define LQ_JOBS_SLEEPERS_PER_JOB     4
#define LQ_JOBS_SLEEPERS_MAX_PER_JOB 16

/* Whether the suite runs in workers: jobs > 1, a live kernel, and at least
 * two scenarios to run on it. */
bool lq_jobs_wanted(const struct lq_cli_suite *s);
/* Runs and reports every scenario of the suite (not its end); returns 1
 * when the harness failed. With s->pool, the workers lq_jobs_start forked
 * run it beside the first (forked now, with s->live); s->pool is freed. */
int lq_jobs_run(const struct lq_cli_suite *s);

/* A kernel's set-up is mostly RCU grace periods (the capture ring's), so
 * the workers' set-ups are worth overlapping the command's own. For a suite
 * whose live kernel is yet to be made (s->live NULL, s->need_live) and
 * that would run in workers once it is, lq_jobs_start forks every worker
 * but the first at once; each sets up a kernel of its own, which takes the
 * runner's role live_role. The suite is then complete but for live and
 * live_err (the workers have copies of the rest), and it is the same
 * object that lq_cli_run_suite gets, with pool set, once s->live is made;
 * when it cannot be, lq_jobs_cancel stops and waits for the workers. NULL:
 * the suite would not run in workers. */
struct lq_jobs_pool *lq_jobs_start(const struct lq_cli_suite *s, enum lq_role live_role);
/* While another thread of this process makes s->live (lq_cli_open_live):
 * hands the early workers their first scenarios as they get their kernels
 * and takes their results (reported later, in order, by lq_jobs_run),
 * until ready_fd is readable (the other thread is done). Scenarios are
 * admitted as they will be with the kernel there. */
void lq_jobs_run_early(struct lq_jobs_pool *pool, int ready_fd);
void lq_jobs_cancel(struct lq_jobs_pool *pool);

#endif
