/* harness/cli/cmd_model.c: the commands that need the model only: `explain`,
 * `coverage`, `profiles`, `fmt`. */
#include "cmd_model.h"

#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report/coverage.h"
#include "report/explain.h"
#include "util/fsutil.h"
#include "lang/parse.h"
#include "lang/print.h"
#include "run/backend_model.h"

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
    r.backend[LQ_ROLE_REFERENCE] = m;
    lq_result_init(res);
    int rc = lq_run_scenario(&r, sc, res, &err);
    lq_backend_destroy(m);
    lq_runner_free(&r);
    if (rc) {
        fprintf(stderr, "listenq: %s\n", err.msg);
        return LQ_EXIT_ERROR;
    }
    return 0;
}

int lq_cmd_explain(int argc, char **argv)
{
    const char *kernel_opt;
    int rc =
        lq_cli_kernel_opts(argc, argv,
                           "usage: listenq explain [--kernel VERSION] FILE\n"
                           "Prints the model's trace of a scenario as a client/kernel ladder: the\n"
                           "decision points taken (with their kernel function), the packets, the\n"
                           "queues and the counter changes after every event.\n",
                           &kernel_opt);
    if (rc >= 0)
        return rc;
    if (optind != argc - 1) {
        fprintf(stderr, "usage: listenq explain [--kernel VERSION] FILE\n");
        return LQ_EXIT_BADINPUT;
    }
    struct lq_profile profile;
    if (lq_cli_profile(kernel_opt, &profile))
        return LQ_EXIT_BADINPUT;
    struct lq_scenario sc;
    struct lq_result res;
    rc = lq_model_run_one(argv[optind], &profile, &sc, &res);
    if (rc)
        return rc;
    struct lq_strbuf out;
    lq_sb_init(&out);
    /* the user's locale says whether the terminal takes UTF-8 (LC_ALL=C: no) */
    setlocale(LC_CTYPE, "");
    bool utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    setlocale(LC_CTYPE, "C");
    lq_explain(&sc, &res, &profile, utf8, &out);
    fputs(lq_sb_str(&out), stdout);
    lq_sb_free(&out);
    rc = res.nexp_failed ? LQ_EXIT_FAIL : 0;
    lq_result_free(&res);
    lq_scenario_free(&sc);
    return rc;
}

int lq_cmd_coverage(int argc, char **argv)
{
    const char *kernel_opt;
    int rc = lq_cli_kernel_opts(
        argc, argv,
        "usage: listenq coverage [--kernel VERSION] FILE|DIR...\n"
        "Runs the scenarios on the model (the family-neutral ones over IPv4 and over\n"
        "IPv6) and lists the decision points they reach and miss; the last line is\n"
        "covered/total for the profile.\n",
        &kernel_opt);
    if (rc >= 0)
        return rc;
    if (optind >= argc) {
        fprintf(stderr, "usage: listenq coverage [--kernel VERSION] FILE|DIR...\n");
        return LQ_EXIT_BADINPUT;
    }
    struct lq_profile profile;
    if (lq_cli_profile(kernel_opt, &profile))
        return LQ_EXIT_BADINPUT;
    struct lq_corpus corpus;
    struct lq_err err = {0};
    if ((rc = lq_cli_load_corpus(&corpus, argv + optind, argc - optind)))
        return rc;
    /* the IPv6 decision points are reached by the IPv6 runs */
    if (lq_corpus_expand_families(&corpus, LQ_CORPUS_FAM_4 | LQ_CORPUS_FAM_6)) {
        lq_corpus_free(&corpus);
        return LQ_EXIT_ERROR;
    }
    struct lq_runner r;
    lq_runner_init(&r, &profile);
    struct lq_backend *m = lq_backend_model_new(&profile, &err);
    if (!m)
        return LQ_EXIT_ERROR;
    r.backend[LQ_ROLE_REFERENCE] = m;
    struct lq_coverage cov;
    memset(&cov, 0, sizeof(cov));
    for (size_t i = 0; i < corpus.n; i++) {
        struct lq_result res;
        lq_result_init(&res);
        if (lq_run_scenario(&r, &corpus.sc[i], &res, &err) == 0)
            lq_coverage_add(&cov, &res.trace[LQ_ROLE_REFERENCE]);
        lq_result_free(&res);
    }
    struct lq_strbuf out;
    lq_sb_init(&out);
    lq_coverage_report(&cov, &profile, &out);
    fputs(lq_sb_str(&out), stdout);
    lq_sb_free(&out);
    lq_backend_destroy(m);
    lq_runner_free(&r);
    lq_corpus_free(&corpus);
    return 0;
}

int lq_cmd_profiles(int argc, char **argv)
{
    if (argc > 1) {
        /* --help is the only thing profiles takes */
        bool help = argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
        if (!help)
            fprintf(stderr, "listenq profiles: unexpected argument '%s'\n", argv[1]);
        fprintf(help ? stdout : stderr,
                "usage: listenq profiles\n"
                "Lists the listen-path changes the model knows, where each landed, and\n"
                "which of them each named profile has.\n");
        return help ? 0 : LQ_EXIT_BADINPUT;
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
    /* A rule is verified live only where a kernel runs it: the kernels
     * listenq is checked against are the last rows above (this machine's and
     * the matrix's, docs/matrix.md). A change all of them have leaves the
     * rule before it (the older profiles') unverified live; one none of them
     * has is itself unverified. */
    printf("\nVerified live on %s, %s and %s (this machine and make matrix):\n\n", extra[0],
           extra[1], extra[2]);
    printf("| change | the rule before it | the change |\n|---|---|---|\n");
    for (int c = 0; c < LQ_CHG_COUNT; c++) {
        int have = 0, n = 0;
        for (int i = 0; extra[i]; i++) {
            struct lq_profile p;
            char err[128];
            if (lq_profile_resolve(extra[i], &p, err, sizeof(err)))
                continue;
            n++;
            have += lq_profile_has(&p, (enum lq_change)c);
        }
        printf("| `%s` | %s | %s |\n", lq_change_info((enum lq_change)c)->id,
               have < n ? "verified live" : "**unverified live** (model only)",
               have > 0 ? "verified live" : "**unverified live** (model only)");
    }
    printf("\nThe legacy profile (3.12 to 4.3) runs on none of these kernels: the rules it "
           "differs by\n(the pre-4.4 SYN-queue size, the pre-4.10 \"young > 1\" rule) are "
           "unverified live.\n");
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
            bool help = strcmp(argv[first], "--help") == 0 || strcmp(argv[first], "-h") == 0;
            fprintf(
                help ? stdout : stderr,
                "usage: listenq fmt [-w | --check] FILE...\n"
                "Prints each scenario in canonical form (docs/scenario-format.md); -w rewrites\n"
                "the files (atomically), --check exits 1 when one is not canonical.\n");
            return help ? 0 : LQ_EXIT_BADINPUT;
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
