/* harness/cli/cmd_run.c: `listenq run`, `listenq explain`, `listenq coverage`. */
#include "cmd_run.h"

#include "cli.h"
#include "jobs.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lang/corpus.h"
#include "live/backend_live.h"
#include "report/report.h"
#include "run/backend_model.h"
#include "run/runner.h"
#include "util/datadir.h"
#include "util/grow.h"

static void lq_run_usage(FILE *f)
{
    fprintf(f,
            "usage: listenq run [options] [FILE|DIR...]\n"
            "Runs scenarios on the model and on this machine's kernel, compares them and checks\n"
            "their expectations. Exit: 0 all conform, 1 a divergence or failed expectation,\n"
            "2 bad input, 4 cannot run here (skipped). Without FILE|DIR: the conformance\n"
            "suite (corpus/conformance here, else the installed one).\n"
            "  --model-only        run on the model only (no privileges needed)\n"
            "  --kernel-only       run on the kernel only (expectations only)\n"
            "  --kernel VERSION    model profile (default: the running kernel's)\n"
            "  --fast              leave out slow scenarios (those with wait)\n"
            "  --family 4|6|both   run family-neutral scenarios over IPv4, IPv6 or both,\n"
            "                      reported as NAME@ipv4 / NAME@ipv6 (default: IPv4, plain names)\n"
            "  --tap               KTAP output (TAP version 13) instead of the human report\n"
            "  --junit FILE        also write a JUnit XML report\n"
            "  --json FILE         also write one JSON object per scenario per line\n"
            "  --out DIR           where divergence pcaps and divergences.jsonl go (default: out)\n"
            "  --shuffle SEED      run the scenarios in a seeded random order\n"
            "  --repeat N          run every scenario N times\n"
            "  --jobs N            scenarios at once, each with its own namespaces, reported\n"
            "                      in order (default: the CPUs, %u here; 1: one after another)\n"
            "  -v, --verbose       details for passing scenarios too\n"
            "  --no-progress       no progress line on a terminal\n",
            lq_cli_default_jobs());
#ifdef LQ_TEST_SWITCHES
    fprintf(f, "  --model-bug NAME    test build only: plant a wrong model rule (%s)\n",
            LQ_MODEL_BUG_NAMES);
    fprintf(f, "  --preempt-us N      test build only: hold every injected frame N us once built\n"
               "                      (a loaded machine preempting the harness before a write)\n"
               "  --late-writes       test build only: hold every other write a jiffy after its\n"
               "                      clock is read (the kernel handles it a jiffy later)\n");
#endif
}

static void lq_shuffle(size_t *idx, size_t n, uint64_t seed)
{
    uint64_t x = seed ? seed : 1;
    for (size_t i = n; i > 1; i--) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t j = (size_t)(x % i);
        size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

/* The backends of `run`: the model as the reference (with a planted bug in
 * test builds) unless --kernel-only, the kernel as the subject unless
 * --model-only; with --kernel-only a model paces the kernel (runner.h). */
struct lq_run_backends {
    struct lq_runner runner;
    struct lq_backend *model, *live, *pacer;
    char skip_all[512]; /* why the kernel cannot run here */
};

/* The model's backends (0, or the exit status with the error printed): the
 * reference unless --kernel-only, the pacer with it. */
static int lq_run_open_models(struct lq_run_backends *bk, const struct lq_profile *profile,
                              bool kernel_only, enum lq_model_bug bug)
{
    memset(bk, 0, sizeof(*bk));
    struct lq_err err = {0};
    lq_runner_init(&bk->runner, profile);
    if (!kernel_only) {
        bk->model = lq_backend_model_new(profile, &err);
        if (!bk->model)
            goto fail;
        lq_backend_model_set_bug(bk->model, bug);
        bk->runner.backend[LQ_ROLE_REFERENCE] = bk->model;
    } else if (!(bk->pacer = lq_backend_model_new(profile, &err))) {
        goto fail;
    }
    bk->runner.pacer = bk->pacer;
    return 0;
fail:
    fprintf(stderr, "listenq: %s\n", err.msg);
    lq_runner_free(&bk->runner);
    return LQ_EXIT_ERROR;
}

static void lq_run_close_backends(struct lq_run_backends *bk)
{
    lq_backend_destroy(bk->model);
    lq_backend_destroy(bk->live);
    lq_backend_destroy(bk->pacer);
    lq_runner_free(&bk->runner);
}

int lq_cmd_run(int argc, char **argv)
{
    enum {
        O_MODEL_ONLY = 1000,
        O_KERNEL_ONLY,
        O_KERNEL,
        O_FAST,
        O_TAP,
        O_JUNIT,
        O_JSON,
        O_OUT,
        O_SHUFFLE,
        O_REPEAT,
        O_NOPROGRESS,
        O_BUG,
        O_FAMILY,
        O_JOBS,
        O_PREEMPT,
        O_LATE_WRITES
    };
    static const struct option opts[] = {{"model-only", no_argument, 0, O_MODEL_ONLY},
                                         {"kernel-only", no_argument, 0, O_KERNEL_ONLY},
                                         {"kernel", required_argument, 0, O_KERNEL},
                                         {"fast", no_argument, 0, O_FAST},
                                         {"tap", no_argument, 0, O_TAP},
                                         {"junit", required_argument, 0, O_JUNIT},
                                         {"json", required_argument, 0, O_JSON},
                                         {"out", required_argument, 0, O_OUT},
                                         {"shuffle", required_argument, 0, O_SHUFFLE},
                                         {"repeat", required_argument, 0, O_REPEAT},
                                         {"verbose", no_argument, 0, 'v'},
                                         {"no-progress", no_argument, 0, O_NOPROGRESS},
                                         {"model-bug", required_argument, 0, O_BUG},
                                         {"family", required_argument, 0, O_FAMILY},
                                         {"jobs", required_argument, 0, O_JOBS},
                                         {"preempt-us", required_argument, 0, O_PREEMPT},
                                         {"late-writes", no_argument, 0, O_LATE_WRITES},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    bool model_only = false, kernel_only = false, fast = false, tap = false, verbose = false;
    bool progress = true, shuffle = false;
    const char *kernel_opt = NULL, *junit = NULL, *json = NULL, *outdir = "out";
    uint64_t shuffle_seed = 0;
    long repeat = 1;
    unsigned jobs = lq_cli_default_jobs();
    enum lq_model_bug bug = LQ_BUG_NONE;
    unsigned families = 0;
    long preempt_us = 0;
    bool late_writes = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        switch (c) {
        case O_MODEL_ONLY: model_only = true; break;
        case O_KERNEL_ONLY: kernel_only = true; break;
        case O_KERNEL: kernel_opt = optarg; break;
        case O_FAST: fast = true; break;
        case O_TAP: tap = true; break;
        case O_JUNIT: junit = optarg; break;
        case O_JSON: json = optarg; break;
        case O_OUT: outdir = optarg; break;
        case O_SHUFFLE:
            shuffle = true;
            if (lq_cli_u64_opt("run", "shuffle", optarg, &shuffle_seed))
                return LQ_EXIT_BADINPUT;
            break;
        case O_REPEAT:
            if (lq_cli_int_opt("run", "repeat", optarg, 1, 1000000, &repeat))
                return LQ_EXIT_BADINPUT;
            break;
        case O_JOBS:
            if (lq_cli_jobs_opt("run", optarg, &jobs))
                return LQ_EXIT_BADINPUT;
            break;
        case 'v': verbose = true; break;
        case O_NOPROGRESS: progress = false; break;
        case O_BUG:
            if (lq_cli_model_bug("run", optarg, LQ_TEST_BUILD, &bug))
                return LQ_EXIT_BADINPUT;
            break;
        case O_FAMILY:
            if (lq_cli_family_opt("run", optarg, &families))
                return LQ_EXIT_BADINPUT;
            break;
        case O_PREEMPT:
            if (!LQ_TEST_BUILD) {
                fprintf(stderr, "listenq run: --preempt-us exists only in test builds "
                                "(build/listenq-test)\n");
                return LQ_EXIT_BADINPUT;
            }
            if (lq_cli_int_opt("run", "preempt-us", optarg, 0, 1000000, &preempt_us))
                return LQ_EXIT_BADINPUT;
            break;
        case O_LATE_WRITES:
            if (!LQ_TEST_BUILD) {
                fprintf(stderr, "listenq run: --late-writes exists only in test builds "
                                "(build/listenq-test)\n");
                return LQ_EXIT_BADINPUT;
            }
            late_writes = true;
            break;
        case 'h': lq_run_usage(stdout); return 0;
        default: lq_run_usage(stderr); return LQ_EXIT_BADINPUT;
        }
    }
    /* no FILE|DIR: the conformance suite, in this tree or installed */
    static char conformance[4096];
    char *def_args[] = {conformance};
    char **args = argv + optind;
    int nargs = argc - optind;
    if (!nargs) {
        if (lq_data_path("corpus/conformance", conformance, sizeof(conformance))) {
            fprintf(stderr, "listenq run: no FILE|DIR given and no corpus/conformance here "
                            "or installed (LISTENQ_DATADIR)\n");
            lq_run_usage(stderr);
            return LQ_EXIT_BADINPUT;
        }
        args = def_args;
        nargs = 1;
    }
    if (model_only && kernel_only) {
        fprintf(stderr, "listenq run: --model-only and --kernel-only exclude each other\n");
        return LQ_EXIT_BADINPUT;
    }
    struct lq_profile profile;
    if (lq_cli_profile(kernel_opt, &profile))
        return LQ_EXIT_BADINPUT;
    /* the outputs, before anything runs: a run that cannot report is bad input */
    static const char *const file_opts[] = {"junit", "json"};
    const char *files[] = {junit, json};
    if (lq_cli_check_outputs("run", "out", NULL, file_opts, files, 2))
        return LQ_EXIT_BADINPUT;

    if (!model_only)
        lq_backend_live_share_clock(); /* beside the parsing and the workers' set-ups */
    struct lq_corpus corpus;
    int rc = lq_cli_load_corpus(&corpus, args, nargs);
    if (rc)
        return rc;
    if (families && lq_corpus_expand_families(&corpus, families)) {
        fprintf(stderr, "listenq run: out of memory\n");
        lq_corpus_free(&corpus);
        return LQ_EXIT_ERROR;
    }

    struct lq_run_backends bk;
    lq_backend_live_set_preempt((unsigned)preempt_us); /* before any live backend is made */
    lq_backend_live_set_late_writes(late_writes);
    rc = lq_run_open_models(&bk, &profile, kernel_only, bug);
    if (rc) {
        lq_corpus_free(&corpus);
        return rc;
    }
    size_t total = corpus.n * (size_t)repeat;
    const struct lq_scenario **order = lq_xcalloc(total, sizeof(*order));
    size_t *idx = lq_xcalloc(total, sizeof(*idx));
    for (size_t i = 0; i < total; i++)
        idx[i] = i % corpus.n;
    if (shuffle)
        lq_shuffle(idx, total, shuffle_seed);
    for (size_t i = 0; i < total; i++)
        order[i] = &corpus.sc[idx[i]];
    free(idx);

    struct lq_report rep = {0};
    rep.out = stdout;
    rep.tap = tap;
    rep.verbose = verbose;
    rep.progress = progress && isatty(STDERR_FILENO) && !tap;
    rep.junit_path = junit;
    rep.json_path = json;
    rep.profile_name = profile.name;
    rep.profile = &profile;
    rep.mode = model_only ? "model" : kernel_only ? "kernel" : "model vs kernel";
    rep.families = lq_cli_families_name(families);
    lq_report_pick_run_id(&rep); /* workers started now name pcaps with it */
    struct lq_cli_suite suite = {.runner = &bk.runner,
                                 .report = &rep,
                                 .sc = order,
                                 .n = total,
                                 .fast = fast,
                                 .need_live = !model_only,
                                 .live_err = bk.skip_all,
                                 .outdir = outdir,
                                 .profile = &profile,
                                 .jobs = jobs};
    /* the kernel last: the workers' kernels are set up beside it (jobs.h) */
    if (!model_only) {
        struct lq_err err = {0};
        bk.live = lq_cli_open_live(&suite, &err);
        if (!bk.live && err.status != LQ_EXIT_SKIP) {
            fprintf(stderr, "listenq: cannot set up the live kernel harness: %s\n", err.msg);
            rc = LQ_EXIT_ERROR;
        } else if (!bk.live) {
            snprintf(bk.skip_all, sizeof(bk.skip_all), "%.500s", err.msg);
        } else if (lq_cli_check_outputs("run", "out", outdir, NULL, NULL, 0)) {
            /* divergence pcaps need a kernel: --out matters only with one */
            rc = LQ_EXIT_BADINPUT;
        }
        if (rc) {
            lq_jobs_cancel(suite.pool);
            free(order);
            lq_run_close_backends(&bk);
            lq_corpus_free(&corpus);
            return rc;
        }
    }
    rep.kernel_release = bk.live ? bk.live->release : "";
    lq_report_begin(&rep, total);
    int status = lq_cli_run_suite(&suite);
    free(order);
    lq_run_close_backends(&bk);
    lq_corpus_free(&corpus);
    return status;
}
