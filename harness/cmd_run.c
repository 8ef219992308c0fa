/* harness/cmd_run.c: `listenq run`, `listenq explain`, `listenq coverage`. */
#include "cmd_run.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "backend.h"
#include "corpus.h"
#include "coverage.h"
#include "explain.h"
#include "fsutil.h"
#include "parse.h"
#include "print.h"
#include "pcapout.h"
#include "report.h"
#include "runner.h"

int lq_cli_profile(const char *kernel_opt, struct lq_profile *out)
{
    char err[256];
    if (kernel_opt) {
        if (lq_profile_resolve(kernel_opt, out, err, sizeof(err))) {
            fprintf(stderr, "listenq: %s\n", err);
            return -1;
        }
        return 0;
    }
    struct utsname u;
    if (uname(&u) || lq_profile_from_uname(u.release, u.version, out, err, sizeof(err))) {
        fprintf(stderr, "listenq: cannot choose a kernel profile (%s); use --kernel VERSION\n",
                err);
        return -1;
    }
    return 0;
}

static void lq_run_usage(FILE *f)
{
    fprintf(f,
            "usage: listenq run [options] FILE|DIR...\n"
            "Runs scenarios on the model and on this machine's kernel, compares them and checks\n"
            "their expectations. Exit: 0 all conform, 1 a divergence or failed expectation,\n"
            "2 bad input, 4 cannot run here (skipped).\n"
            "  --model-only        run on the model only (no privileges needed)\n"
            "  --kernel-only       run on the kernel only (expectations only)\n"
            "  --kernel VERSION    model profile (default: the running kernel's)\n"
            "  --fast              leave out slow scenarios (those with wait)\n"
            "  --tap               KTAP output (TAP version 13) instead of the human report\n"
            "  --junit FILE        also write a JUnit XML report\n"
            "  --json FILE         also write one JSON object per scenario per line\n"
            "  --out DIR           where divergence pcaps and divergences.jsonl go (default: out)\n"
            "  --shuffle SEED      run the scenarios in a seeded random order\n"
            "  --repeat N          run every scenario N times\n"
            "  -v, --verbose       details for passing scenarios too\n"
            "  --no-progress       no progress line on a terminal\n");
#ifdef LQ_TEST_SWITCHES
    fprintf(f, "  --model-bug NAME    test build only: plant a wrong model rule "
               "(synq_full_ge, acceptq_n)\n");
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

/* Writes the scenario's frames as a pcap in outdir; returns its path or NULL. */
static char *lq_write_failure_pcap(struct lq_backend *live, const struct lq_scenario *sc,
                                   const char *outdir, struct lq_err *err)
{
    const struct lq_pcap_rec *recs;
    size_t n = lq_backend_live_frames(live, &recs);
    if (!n)
        return NULL;
    if (lq_mkdir_p(outdir, err))
        return NULL;
    char path[4096];
    const char *label = lq_corpus_label(sc);
    char flat[256];
    size_t k = 0;
    for (const char *p = label; *p && k < sizeof(flat) - 1; p++)
        flat[k++] = *p == '/' ? '-' : *p;
    flat[k] = '\0';
    snprintf(path, sizeof(path), "%s/%s.pcap", outdir, flat);
    if (lq_pcap_write_atomic(path, recs, n, err))
        return NULL;
    return strdup(path);
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
        O_BUG
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
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    bool model_only = false, kernel_only = false, fast = false, tap = false, verbose = false;
    bool progress = true, shuffle = false;
    const char *kernel_opt = NULL, *junit = NULL, *json = NULL, *outdir = "out";
    uint64_t shuffle_seed = 0;
    long repeat = 1;
    enum lq_model_bug bug = LQ_BUG_NONE;
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
            shuffle_seed = strtoull(optarg, NULL, 0);
            break;
        case O_REPEAT:
            repeat = strtol(optarg, NULL, 10);
            if (repeat < 1 || repeat > 1000000) {
                fprintf(stderr, "listenq run: --repeat takes 1..1000000\n");
                return LQ_EXIT_BADINPUT;
            }
            break;
        case 'v': verbose = true; break;
        case O_NOPROGRESS: progress = false; break;
        case O_BUG:
#ifdef LQ_TEST_SWITCHES
            if (strcmp(optarg, "synq_full_ge") == 0)
                bug = LQ_BUG_SYNQ_FULL_GE;
            else if (strcmp(optarg, "acceptq_n") == 0)
                bug = LQ_BUG_ACCEPTQ_N;
            else {
                fprintf(stderr, "listenq run: unknown --model-bug %s\n", optarg);
                return LQ_EXIT_BADINPUT;
            }
            break;
#else
            fprintf(stderr, "listenq run: --model-bug exists only in test builds "
                            "(make build/listenq-test)\n");
            return LQ_EXIT_BADINPUT;
#endif
        case 'h': lq_run_usage(stdout); return 0;
        default: lq_run_usage(stderr); return LQ_EXIT_BADINPUT;
        }
    }
    if (optind >= argc) {
        lq_run_usage(stderr);
        return LQ_EXIT_BADINPUT;
    }
    if (model_only && kernel_only) {
        fprintf(stderr, "listenq run: --model-only and --kernel-only exclude each other\n");
        return LQ_EXIT_BADINPUT;
    }
    struct lq_profile profile;
    if (lq_cli_profile(kernel_opt, &profile))
        return LQ_EXIT_BADINPUT;

    struct lq_corpus corpus;
    struct lq_err err = {0};
    char *errs = NULL;
    if (lq_corpus_load(&corpus, argv + optind, argc - optind, &errs, &err)) {
        if (errs)
            fputs(errs, stderr);
        else
            fprintf(stderr, "listenq: %s\n", err.msg);
        free(errs);
        return err.status ? err.status : LQ_EXIT_BADINPUT;
    }

    struct lq_runner runner;
    lq_runner_init(&runner, &profile);
    struct lq_backend *model = NULL, *live = NULL;
    char skip_all[512] = "";
    if (!kernel_only) {
        model = lq_backend_model_new(&profile, &err);
        if (!model) {
            fprintf(stderr, "listenq: %s\n", err.msg);
            return LQ_EXIT_ERROR;
        }
        lq_backend_model_set_bug(model, bug);
        runner.side[LQ_SIDE_MODEL] = model;
    }
    if (!model_only) {
        live = lq_backend_live_new(&err);
        if (!live) {
            if (err.status != LQ_EXIT_SKIP) {
                fprintf(stderr, "listenq: cannot set up the live kernel harness: %s\n", err.msg);
                if (model)
                    model->ops->destroy(model);
                return LQ_EXIT_ERROR;
            }
            snprintf(skip_all, sizeof(skip_all), "cannot run on the kernel here: %.400s", err.msg);
        }
        runner.side[LQ_SIDE_KERNEL] = live;
    }

    size_t total = corpus.n * (size_t)repeat;
    size_t *order = calloc(total ? total : 1, sizeof(*order));
    if (!order)
        return LQ_EXIT_ERROR;
    for (size_t i = 0; i < total; i++)
        order[i] = i % corpus.n;
    if (shuffle)
        lq_shuffle(order, total, shuffle_seed);

    struct lq_report rep = {0};
    rep.out = stdout;
    rep.tap = tap;
    rep.verbose = verbose;
    rep.progress = progress && isatty(STDERR_FILENO) && !tap;
    rep.junit_path = junit;
    rep.json_path = json;
    rep.kernel_release = live ? live->release : "";
    rep.profile_name = profile.name;
    rep.profile = &profile;
    rep.mode = model_only ? "model" : kernel_only ? "kernel" : "model vs kernel";
    lq_report_begin(&rep, total);

    int fatal = 0;
    for (size_t k = 0; k < total; k++) {
        const struct lq_scenario *sc = &corpus.sc[order[k]];
        struct lq_result res;
        lq_result_init(&res);
        char *pcap = NULL;
        if (skip_all[0]) {
            res.status = LQ_ST_SKIP;
            snprintf(res.reason, sizeof(res.reason), "%s", skip_all);
        } else if (fast && lq_scenario_is_slow(sc)) {
            res.status = LQ_ST_SKIP;
            snprintf(res.reason, sizeof(res.reason),
                     "slow scenario (waits %.1f s), left out by --fast",
                     (double)lq_scenario_wait_ms(sc) / 1000.0);
        } else if (fatal) {
            res.status = LQ_ST_ERROR;
            snprintf(res.reason, sizeof(res.reason), "not run: the harness failed earlier");
        } else {
            struct lq_err e = {0};
            if (lq_run_scenario(&runner, sc, &res, &e)) {
                fprintf(stderr, "listenq: %s\n", e.msg);
                fatal = 1;
            }
            if (res.status == LQ_ST_FAIL && live) {
                struct lq_err pe;
                pcap = lq_write_failure_pcap(live, sc, outdir, &pe);
                struct lq_strbuf j;
                lq_sb_init(&j);
                lq_report_json(sc, &res, pcap, live->release, &profile, &j);
                char jpath[4096];
                snprintf(jpath, sizeof(jpath), "%s/divergences.jsonl", outdir);
                if (lq_mkdir_p(outdir, &pe) == 0)
                    lq_append_line_durable(jpath, lq_sb_str(&j), &pe);
                lq_sb_free(&j);
            }
        }
        lq_report_scenario(&rep, sc, &res, pcap);
        free(pcap);
        lq_result_free(&res);
    }
    lq_report_end(&rep);
    int status = lq_report_exit_status(&rep);
    if (fatal && status == LQ_EXIT_OK)
        status = LQ_EXIT_ERROR;
    free(order);
    if (model)
        model->ops->destroy(model);
    if (live)
        live->ops->destroy(live);
    lq_runner_free(&runner);
    lq_corpus_free(&corpus);
    return status;
}

/* A single-file model run for explain; 0 or an exit status. */
static int lq_model_run_one(const char *path, const struct lq_profile *profile,
                            struct lq_scenario *sc, struct lq_result *res)
{
    struct lq_err err = {0};
    if (lq_parse_file(path, sc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return err.status;
    }
    struct lq_runner r;
    lq_runner_init(&r, profile);
    struct lq_backend *m = lq_backend_model_new(profile, &err);
    if (!m)
        return LQ_EXIT_ERROR;
    r.side[LQ_SIDE_MODEL] = m;
    lq_result_init(res);
    int rc = lq_run_scenario(&r, sc, res, &err);
    m->ops->destroy(m);
    lq_runner_free(&r);
    if (rc) {
        fprintf(stderr, "listenq: %s\n", err.msg);
        return LQ_EXIT_ERROR;
    }
    return 0;
}

int lq_cmd_explain(int argc, char **argv)
{
    static const struct option opts[] = {
        {"kernel", required_argument, 0, 'k'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *kernel_opt = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'k') {
            kernel_opt = optarg;
        } else {
            fprintf(c == 'h' ? stdout : stderr,
                    "usage: listenq explain [--kernel VERSION] FILE\n"
                    "Prints the model's trace of a scenario as a client/kernel ladder: the\n"
                    "decision points taken (with their kernel function), the packets, the\n"
                    "queues and the counter changes after every event.\n");
            return c == 'h' ? 0 : LQ_EXIT_BADINPUT;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "usage: listenq explain [--kernel VERSION] FILE\n");
        return LQ_EXIT_BADINPUT;
    }
    struct lq_profile profile;
    if (lq_cli_profile(kernel_opt, &profile))
        return LQ_EXIT_BADINPUT;
    struct lq_scenario sc;
    struct lq_result res;
    int rc = lq_model_run_one(argv[optind], &profile, &sc, &res);
    if (rc)
        return rc;
    struct lq_strbuf out;
    lq_sb_init(&out);
    lq_explain(&sc, &res, &profile, &out);
    fputs(lq_sb_str(&out), stdout);
    lq_sb_free(&out);
    rc = res.nexp_failed ? LQ_EXIT_FAIL : 0;
    lq_result_free(&res);
    lq_scenario_free(&sc);
    return rc;
}

int lq_cmd_coverage(int argc, char **argv)
{
    static const struct option opts[] = {
        {"kernel", required_argument, 0, 'k'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *kernel_opt = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'k') {
            kernel_opt = optarg;
        } else {
            fprintf(c == 'h' ? stdout : stderr,
                    "usage: listenq coverage [--kernel VERSION] FILE|DIR...\n"
                    "Runs the scenarios on the model and lists the decision points they reach\n"
                    "and miss; the last line is covered/total for the profile.\n");
            return c == 'h' ? 0 : LQ_EXIT_BADINPUT;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: listenq coverage [--kernel VERSION] FILE|DIR...\n");
        return LQ_EXIT_BADINPUT;
    }
    struct lq_profile profile;
    if (lq_cli_profile(kernel_opt, &profile))
        return LQ_EXIT_BADINPUT;
    struct lq_corpus corpus;
    struct lq_err err = {0};
    char *errs = NULL;
    if (lq_corpus_load(&corpus, argv + optind, argc - optind, &errs, &err)) {
        fputs(errs ? errs : err.msg, stderr);
        if (!errs)
            fputc('\n', stderr);
        free(errs);
        return err.status;
    }
    struct lq_runner r;
    lq_runner_init(&r, &profile);
    struct lq_backend *m = lq_backend_model_new(&profile, &err);
    if (!m)
        return LQ_EXIT_ERROR;
    r.side[LQ_SIDE_MODEL] = m;
    struct lq_coverage cov;
    memset(&cov, 0, sizeof(cov));
    for (size_t i = 0; i < corpus.n; i++) {
        struct lq_result res;
        lq_result_init(&res);
        if (lq_run_scenario(&r, &corpus.sc[i], &res, &err) == 0)
            lq_coverage_add(&cov, &res.trace[LQ_SIDE_MODEL]);
        lq_result_free(&res);
    }
    struct lq_strbuf out;
    lq_sb_init(&out);
    lq_coverage_report(&cov, &profile, &out);
    fputs(lq_sb_str(&out), stdout);
    lq_sb_free(&out);
    m->ops->destroy(m);
    lq_runner_free(&r);
    lq_corpus_free(&corpus);
    return 0;
}

int lq_cmd_profiles(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(stdout, "usage: listenq profiles\n"
                        "Lists the listen-path changes the model knows, where each landed, and\n"
                        "which of them each named profile has.\n");
        return 0;
    }
    printf("| change | what | mainline | stable backports |\n|---|---|---|---|\n");
    for (int c = 0; c < LQ_CHG_COUNT; c++) {
        const struct lq_change_info *ci = lq_change_info((enum lq_change)c);
        printf("| `%s` | %s | %s | %s |\n", ci->id, ci->summary, ci->mainline, ci->backports);
    }
    printf("\n| profile |");
    for (int c = 0; c < LQ_CHG_COUNT; c++)
        printf(" `%s` |", lq_change_info((enum lq_change)c)->id);
    printf(" somaxconn |\n|---|");
    for (int c = 0; c <= LQ_CHG_COUNT; c++)
        printf("---|");
    printf("\n");
    static const char *const extra[] = {"6.1.192", "6.12.117", "6.18.44", NULL};
    for (int pass = 0; pass < 2; pass++) {
        const char *const *names = pass ? extra : lq_profile_names;
        for (int i = 0; names[i]; i++) {
            struct lq_profile p;
            char err[128];
            if (lq_profile_resolve(names[i], &p, err, sizeof(err)))
                continue;
            printf("| %s |", p.name);
            for (int c = 0; c < LQ_CHG_COUNT; c++)
                printf(" %s |", lq_profile_has(&p, (enum lq_change)c) ? "yes" : "-");
            printf(" %d |\n", p.somaxconn_default);
        }
    }
    return 0;
}

int lq_cmd_fmt(int argc, char **argv)
{
    bool write = false, check = false;
    int first = 1;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (strcmp(argv[first], "-w") == 0)
            write = true;
        else if (strcmp(argv[first], "--check") == 0)
            check = true;
        else {
            fprintf(
                strcmp(argv[first], "--help") == 0 ? stdout : stderr,
                "usage: listenq fmt [-w | --check] FILE...\n"
                "Prints each scenario in canonical form (docs/scenario-format.md); -w rewrites\n"
                "the files (atomically), --check exits 1 when one is not canonical.\n");
            return strcmp(argv[first], "--help") == 0 ? 0 : LQ_EXIT_BADINPUT;
        }
    }
    if (first >= argc) {
        fprintf(stderr, "usage: listenq fmt [-w | --check] FILE...\n");
        return LQ_EXIT_BADINPUT;
    }
    int status = 0;
    for (int i = first; i < argc; i++) {
        struct lq_scenario sc;
        struct lq_err err = {0};
        if (lq_parse_file(argv[i], &sc, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            status = LQ_EXIT_BADINPUT;
            continue;
        }
        struct lq_strbuf out;
        lq_sb_init(&out);
        lq_print_scenario(&sc, &out);
        if (write || check) {
            FILE *f = fopen(argv[i], "rb");
            struct lq_strbuf old;
            lq_sb_init(&old);
            char buf[8192];
            size_t n;
            while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
                lq_sb_addn(&old, buf, n);
            if (f)
                fclose(f);
            bool same =
                old.len == out.len && memcmp(lq_sb_str(&old), lq_sb_str(&out), out.len) == 0;
            if (!same && check) {
                printf("%s: not canonical\n", argv[i]);
                if (!status)
                    status = LQ_EXIT_FAIL;
            }
            if (!same && write && lq_write_file_atomic(argv[i], out.s, out.len, &err)) {
                fprintf(stderr, "listenq: %s\n", err.msg);
                status = LQ_EXIT_ERROR;
            }
            lq_sb_free(&old);
        } else {
            fputs(lq_sb_str(&out), stdout);
        }
        lq_sb_free(&out);
        lq_scenario_free(&sc);
    }
    return status;
}
