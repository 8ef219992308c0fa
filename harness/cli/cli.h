/* harness/cli/cli.h: what the listenq commands share.
 *
 * Only the command layer prints; these helpers print their errors to stderr
 * and return the exit status the command should use.
 */
#ifndef LISTENQ_HARNESS_CLI_H
#define LISTENQ_HARNESS_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/corpus.h"
#include "model/model.h"
#include "report/report.h"
#include "run/backend.h"
#include "run/runner.h"

/* 1 in the test builds of a command (-DLQ_TEST_SWITCHES: --model-bug and
 * the like), 0 in the listenq users get. */
#ifdef LQ_TEST_SWITCHES
#define LQ_TEST_BUILD 1
#else
#define LQ_TEST_BUILD 0
#endif

/* --model-bug NAME of command cmd: 0 with *bug (the model's table,
 * lq_model_bug_by_name), or -1 with the error printed (an unknown name, or
 * not a test build). */
int lq_cli_model_bug(const char *cmd, const char *name, bool test_build, enum lq_model_bug *bug);

/* Resolves --kernel VERSION, or the running kernel's profile; prints an
 * error and returns -1 when the version is unknown. */
int lq_cli_profile(const char *kernel_opt, struct lq_profile *out);

/* Loads FILE|DIR arguments; prints every parse error. 0, or the exit status. */
int lq_cli_load_corpus(struct lq_corpus *c, char *const *args, int nargs);

/* Parses the options of a command that takes only --kernel VERSION and
 * --help; usage is its help text (first line: the synopsis). Returns -1 to
 * go on (with *kernel_opt set and optind at the first argument), else the
 * exit status (0 after --help). */
int lq_cli_kernel_opts(int argc, char **argv, const char *usage, const char **kernel_opt);

/* A numeric option value, parsed strictly (util/num.h: the whole text, in
 * [min, max]). 0 with *out set; otherwise prints "listenq CMD: --OPT takes
 * MIN..MAX, not 'TEXT'" and returns -1 (the command exits 2). */
int lq_cli_int_opt(const char *cmd, const char *opt, const char *text, long min, long max,
                   long *out);
/* --family 4|6|both: the LQ_CORPUS_FAM_* bits; -1 with the error printed. */
int lq_cli_family_opt(const char *cmd, const char *text, unsigned *fams);
/* "ipv4", "ipv6", "ipv4+ipv6" for those bits (0: "ipv4", a run without --family). */
const char *lq_cli_families_name(unsigned fams);
/* The same for an unsigned 64-bit value (decimal or 0x hexadecimal). */
int lq_cli_u64_opt(const char *cmd, const char *opt, const char *text, uint64_t *out);

/* Whether a scenario is to be reported as skipped or not run instead of
 * running: no live backend where one is needed (live_err says why), --fast
 * on a slow scenario, or the harness failed earlier. Fills res when so. */
bool lq_cli_not_run(const struct lq_scenario *sc, bool need_live, const struct lq_backend *live,
                    const char *live_err, bool fast, bool fatal, struct lq_result *res);

/* Writes the frames backend b kept of the last scenario (lq_backend_frames)
 * as OUTDIR/<label>.<run_id>.<place>.pcap (OUTDIR/<label>.pcap without a
 * run id); returns the path (to free), or NULL when it kept none or writing
 * failed (err). */
char *lq_cli_failure_pcap(struct lq_backend *b, const struct lq_scenario *sc, const char *outdir,
                          const char *run_id, size_t place, struct lq_err *err);

/* Before a run, that its output paths can be written: dir (NULL: none; made
 * when first needed) is a writable directory or can be made under one; each
 * file (NULL entries skipped) is a regular file or absent, in a writable
 * directory (a link's target's), or a character device or a FIFO (written
 * in place, util/fsutil.h). Prints every problem ("listenq CMD: --OPT PATH: why") and
 * returns LQ_EXIT_BADINPUT, or 0. Also removes the temporary files that
 * killed runs left in these directories (util/cleanup.h). */
int lq_cli_check_outputs(const char *cmd, const char *dir_opt, const char *dir,
                         const char *const *file_opts, const char *const *files, size_t nfiles);

/* A suite of scenarios through a runner, reported as it goes: what `run`,
 * `record` and `replay` share. */
struct lq_jobs_pool;

struct lq_cli_suite {
    struct lq_runner *runner;
    struct lq_report *report; /* begun by the caller */
    const struct lq_scenario *const *sc;
    size_t n;
    bool fast;               /* slow scenarios are reported as skipped */
    bool need_live;          /* a live kernel is one of the backends: */
    struct lq_backend *live; /* NULL: every scenario is skipped, live_err says why */
    const char *live_err;
    /* Where a failure's pcap (the subject's frames) and divergences.jsonl
     * go when a live kernel ran; NULL: none are written. */
    const char *outdir;
    const struct lq_profile *profile;
    /* Called before each scenario (NULL: nothing), in the process that
     * runs it (a worker with --jobs: cli/jobs.h). */
    void (*before)(void *arg, const struct lq_scenario *sc);
    /* Called after each scenario that ran, in the process that ran it, with
     * the runner's backends still holding its frames; sets *fatal on a
     * harness error. It finds the live kernel as the runner's subject
     * (a worker has a kernel of its own). */
    void (*after)(void *arg, const struct lq_scenario *sc, const struct lq_result *res, int *fatal);
    void *arg;
    /* How many scenarios run at once (cli/jobs.h); 0 or 1: one after
     * another in this process. */
    unsigned jobs;
    /* Workers started before live was made (lq_jobs_start), or NULL. */
    struct lq_jobs_pool *pool;
};

/* Runs the suite and ends the report; returns the exit status. */
int lq_cli_run_suite(const struct lq_cli_suite *s);
/* The suite's live kernel, made last: s complete but for live and pool,
 * need_live, the report's run id picked (lq_report_pick_run_id), the
 * report not begun. The workers that will run beside it are started first
 * (jobs.h: lq_jobs_start), so that their set-ups overlap its own. Sets
 * s->live (the caller's to destroy), the runner's subject and s->pool;
 * NULL with err when it cannot be made (no worker is left then). A caller
 * that gives up after it stops the workers with lq_jobs_cancel(s->pool). */
struct lq_backend *lq_cli_open_live(struct lq_cli_suite *s, struct lq_err *err);

/* One scenario of the suite, the way both the sequential loop and a worker
 * run it: the runner, a failure's pcap (place: the scenario's place in the
 * run, from 1; *pcap the path to free, or NULL with pcap_err when it could
 * not be written) and the suite's after(). Returns true when the harness
 * failed (further scenarios are not run). */
bool lq_cli_run_one(const struct lq_cli_suite *s, const struct lq_scenario *sc, size_t place,
                    struct lq_result *res, char **pcap, struct lq_err *pcap_err);
/* A failure's pcap, the subject's frames, as lq_cli_failure_pcap names it. */
char *lq_cli_evidence_pcap(const struct lq_cli_suite *s, const struct lq_scenario *sc, size_t place,
                           struct lq_err *err);
/* A failure's evidence, reported: the pcap written (or pcap_err, the reason
 * it was not) and its JSON record appended to OUTDIR/divergences.jsonl, in
 * the order scenarios are reported. */
void lq_cli_evidence_report(const struct lq_cli_suite *s, const struct lq_scenario *sc,
                            const struct lq_result *res, const char *pcap, const char *pcap_err);

/* --jobs N of command cmd (1..LQ_JOBS_MAX), or -1 with the error printed. */
int lq_cli_jobs_opt(const char *cmd, const char *text, unsigned *jobs);
/* The default of --jobs: the CPUs this process may run on. */
unsigned lq_cli_default_jobs(void);

/* The runner's backends for a finding: the model (with a planted bug in
 * test builds) as the reference, the kernel as the subject, or the correct
 * model (--against-model: tests that need no privileges). */
struct lq_cli_sides {
    struct lq_runner runner;
    struct lq_backend *model, *subject;
};

/* 0, or an exit status with the reason printed for cmd. */
int lq_cli_sides_open(struct lq_cli_sides *s, const struct lq_profile *profile,
                      enum lq_model_bug bug, bool against_model, const char *cmd);
void lq_cli_sides_close(struct lq_cli_sides *s);

#endif
