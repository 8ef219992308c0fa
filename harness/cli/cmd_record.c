/* harness/cli/cmd_record.c: `listenq record` stores a kernel's answers to
 * scenarios (recording.h): `run --kernel-only` that writes, per scenario, the
 * kernel's trace as JSON and its frames as a pcap. `listenq replay` is in
 * cmd_replay.c. */
#include "cmd_record.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli.h"
#include "lang/corpus.h"
#include "replay/recording.h"
#include "report/report.h"
#include "run/backend_model.h"
#include "util/grow.h"

static void lq_record_usage(FILE *f)
{
    fprintf(f,
            "usage: listenq record [--fast] [--tap] [--jobs N] [--family 4|6|both] --out DIR "
            "FILE|DIR...\n"
            "Runs scenarios on this machine's kernel and stores, per scenario, the pcap and a\n"
            "JSON file (kernel release, family, sysctls, scenario text, every event's\n"
            "observation). --family as run's, default both: NAME@ipv4 and NAME@ipv6 for each\n"
            "family-neutral scenario. Exit statuses as `run` (expectations are checked on\n"
            "the kernel). --jobs N as for `run` (default: the CPUs, %u here).\n",
            lq_cli_default_jobs());
}

struct lq_record_ctx {
    const char *outdir;
    struct lq_runner *runner; /* its subject: the kernel of the process that ran it */
    const char *kversion, *profile;
};

/* After a scenario: its recording, when the kernel ran it to the end. */
static void lq_record_write(void *arg, const struct lq_scenario *sc, const struct lq_result *res,
                            int *fatal)
{
    struct lq_record_ctx *c = arg;
    if (!res->ran[LQ_ROLE_SUBJECT])
        return;
    struct lq_backend *live = c->runner->backend[LQ_ROLE_SUBJECT];
    const struct lq_pcap_rec *recs;
    size_t n = lq_backend_frames(live, &recs);
    struct lq_err e = {0};
    if (lq_recording_write(c->outdir, sc, res, LQ_ROLE_SUBJECT, live->release, c->kversion,
                           c->profile, recs, n, &e)) {
        fprintf(stderr, "listenq: %s\n", e.msg);
        *fatal = 1;
    }
}

int lq_cmd_record(int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, 0, 'o'},
                                         {"fast", no_argument, 0, 'f'},
                                         {"tap", no_argument, 0, 't'},
                                         {"kernel", required_argument, 0, 'k'},
                                         {"no-progress", no_argument, 0, 'n'},
                                         {"jobs", required_argument, 0, 'j'},
                                         {"family", required_argument, 0, 'F'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *outdir = NULL, *kernel_opt = NULL;
    bool fast = false, tap = false;
    unsigned jobs = lq_cli_default_jobs();
    unsigned families = LQ_CORPUS_FAM_4 | LQ_CORPUS_FAM_6;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': outdir = optarg; break;
        case 'f': fast = true; break;
        case 't': tap = true; break;
        case 'k': kernel_opt = optarg; break;
        case 'n': break;
        case 'j':
            if (lq_cli_jobs_opt("record", optarg, &jobs))
                return LQ_EXIT_BADINPUT;
            break;
        case 'F':
            if (lq_cli_family_opt("record", optarg, &families))
                return LQ_EXIT_BADINPUT;
            break;
        case 'h': lq_record_usage(stdout); return 0;
        default: lq_record_usage(stderr); return LQ_EXIT_BADINPUT;
        }
    }
    if (!outdir || optind >= argc) {
        lq_record_usage(stderr);
        return LQ_EXIT_BADINPUT;
    }
    /* where the recordings go, before anything runs (exit 2, named) */
    if (lq_cli_check_outputs("record", "out", outdir, NULL, NULL, 0))
        return LQ_EXIT_BADINPUT;
    struct lq_profile profile;
    if (lq_cli_profile(kernel_opt, &profile))
        return LQ_EXIT_BADINPUT;
    struct lq_corpus corpus;
    struct lq_err err = {0};
    int rc = lq_cli_load_corpus(&corpus, argv + optind, argc - optind);
    if (rc)
        return rc;
    if (lq_corpus_expand_families(&corpus, families)) {
        lq_corpus_free(&corpus);
        fprintf(stderr, "listenq record: out of memory\n");
        return LQ_EXIT_ERROR;
    }
    struct utsname u;
    uname(&u);
    /* the kernel alone, paced by a model (runner.h: pacer) */
    struct lq_backend *pacer = lq_backend_model_new(&profile, &err);
    if (!pacer) {
        fprintf(stderr, "listenq record: %s\n", err.msg);
        lq_corpus_free(&corpus);
        return LQ_EXIT_ERROR;
    }
    struct lq_runner r;
    lq_runner_init(&r, &profile);
    r.pacer = pacer;
    r.counters_every_event = true; /* a recording keeps every observation */

    struct lq_report rep = {0};
    rep.out = stdout;
    rep.tap = tap;
    rep.profile_name = profile.name;
    rep.profile = &profile;
    rep.mode = "kernel, recorded";
    rep.families = lq_cli_families_name(families);
    lq_report_pick_run_id(&rep); /* workers started before it begins use it */
    const struct lq_scenario **scs = lq_xcalloc(corpus.n, sizeof(*scs));
    for (size_t i = 0; i < corpus.n; i++)
        scs[i] = &corpus.sc[i];
    struct lq_record_ctx ctx = {
        .outdir = outdir, .runner = &r, .kversion = u.version, .profile = profile.name};
    struct lq_cli_suite suite = {.runner = &r,
                                 .report = &rep,
                                 .sc = scs,
                                 .n = corpus.n,
                                 .fast = fast,
                                 .need_live = true,
                                 .live_err = err.msg,
                                 .profile = &profile,
                                 .after = lq_record_write,
                                 .arg = &ctx,
                                 .jobs = jobs};
    /* the kernel last: the workers' kernels are set up beside it (jobs.h);
     * none here: every scenario is skipped, err says why */
    struct lq_backend *live = lq_cli_open_live(&suite, &err);
    rep.kernel_release = live ? live->release : u.release;
    lq_report_begin(&rep, corpus.n);
    int status = lq_cli_run_suite(&suite);
    free(scs);
    lq_backend_destroy(live);
    lq_backend_destroy(pacer);
    lq_runner_free(&r);
    lq_corpus_free(&corpus);
    return status;
}
