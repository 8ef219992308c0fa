/* harness/cli/cmd_finding.c: `listenq decode`, `minimize`: what
 * turns a fuzzer input or a diverging scenario into a finding a kernel
 * developer can use (docs/fuzzing.md). */
#include "cmd_fuzz.h"

#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings/finding.h"
#include "findings/minimize.h"
#include "findings/packetdrill.h"
#include "lang/decode.h"
#include "lang/parse.h"
#include "lang/print.h"
#include "report/report.h"
#include "util/fsutil.h"

/* ---- listenq decode ---- */

static void lq_decode_usage(FILE *f)
{
    fprintf(f,
            "usage: listenq decode [--no-wait] [-o FILE] INPUT\n"
            "Writes the scenario a fuzzer input (bytes) runs as canonical .lq text, so a\n"
            "crash input becomes a scenario for listenq run, explain and minimize.\n"
            "  --no-wait       decode as listenq_diff_fuzzer does (no waits, at most %d\n"
            "                  events); default: as listenq_model_fuzzer (waits, %d events)\n"
            "  -o, --out FILE  write to FILE (atomically) instead of standard output\n",
            LQ_DECODE_DIFF_MAX_EVENTS, LQ_DECODE_MAX_EVENTS);
}

int lq_cmd_decode(int argc, char **argv)
{
    static const struct option opts[] = {{"no-wait", no_argument, 0, 'W'},
                                         {"out", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    bool no_wait = false;
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'W': no_wait = true; break;
        case 'o': out = optarg; break;
        case 'h': lq_decode_usage(stdout); return 0;
        default: lq_decode_usage(stderr); return LQ_EXIT_BADINPUT;
        }
    }
    if (optind != argc - 1) {
        lq_decode_usage(stderr);
        return LQ_EXIT_BADINPUT;
    }
    struct lq_err err = {0};
    uint8_t *data;
    size_t len;
    if (lq_finding_read(argv[optind], &data, &len, &err)) {
        fprintf(stderr, "listenq decode: %s\n", err.msg);
        return err.status;
    }
    struct lq_decode_opts o;
    if (no_wait)
        lq_decode_opts_diff(&o);
    else
        lq_decode_opts_model(&o);
    struct lq_scenario sc;
    int rc = lq_decode(data, len, &o, &sc);
    free(data);
    if (rc) {
        fprintf(stderr, "listenq decode: out of memory\n");
        return LQ_EXIT_ERROR;
    }
    struct lq_strbuf t;
    lq_sb_init(&t);
    lq_print_scenario(&sc, &t);
    int status = 0;
    if (out) {
        if (lq_write_file_atomic(out, lq_sb_str(&t), t.len, &err)) {
            fprintf(stderr, "listenq decode: %s\n", err.msg);
            status = err.status ? err.status : LQ_EXIT_ERROR;
        }
    } else {
        fputs(lq_sb_str(&t), stdout);
    }
    lq_sb_free(&t);
    lq_scenario_free(&sc);
    return status;
}

/* ---- listenq minimize ---- */

static void lq_minimize_usage(FILE *f)
{
    fprintf(f, "usage: listenq minimize [options] FILE\n"
               "Shrinks a scenario where the model and this kernel diverge to a minimal one that\n"
               "diverges the same way (same event kind and connection, same kind of difference,\n"
               "same first differing decision point): directives are removed (delta debugging),\n"
               "options simplified, connections renamed c1, c2, ... Writes FILE.min.lq (FILE\n"
               "without .lq), its pcap FILE.min.pcap and a packetdrill script FILE.min.pkt.\n"
               "Exit: 0 minimized, 1 FILE does not diverge here, 2 bad input, 3 harness error,\n"
               "4 cannot run on the kernel here.\n"
               "  --kernel VERSION  model profile (default: the running kernel's)\n"
               "  --decode          FILE is a listenq_diff_fuzzer input (bytes), not .lq text\n"
               "  --out BASE        write BASE.min.lq, BASE.min.pcap, BASE.min.pkt\n"
               "  --max-runs N      run at most N scenarios (default 2000)\n"
               "  -q, --quiet       no progress lines\n");
#ifdef LQ_TEST_SWITCHES
    fprintf(f,
            "  --model-bug NAME  test build only: plant a wrong model rule (%s)\n"
            "  --against-model   test build only: the correct model stands for the kernel\n",
            LQ_MODEL_BUG_NAMES);
#endif
}

int lq_cmd_minimize(int argc, char **argv)
{
    enum { O_KERNEL = 1000, O_DECODE, O_OUT, O_MAXRUNS, O_BUG, O_AGAINST };
    static const struct option opts[] = {{"kernel", required_argument, 0, O_KERNEL},
                                         {"decode", no_argument, 0, O_DECODE},
                                         {"out", required_argument, 0, O_OUT},
                                         {"max-runs", required_argument, 0, O_MAXRUNS},
                                         {"model-bug", required_argument, 0, O_BUG},
                                         {"against-model", no_argument, 0, O_AGAINST},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *kernel_opt = NULL, *out = NULL;
    bool decode = false, quiet = false, against = false;
    long max_runs = 0;
    enum lq_model_bug bug = LQ_BUG_NONE;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case O_KERNEL: kernel_opt = optarg; break;
        case O_DECODE: decode = true; break;
        case O_OUT: out = optarg; break;
        case O_MAXRUNS:
            if (lq_cli_int_opt("minimize", "max-runs", optarg, 1, 1000000, &max_runs))
                return LQ_EXIT_BADINPUT;
            break;
        case O_BUG:
            if (lq_cli_model_bug("minimize", optarg, LQ_TEST_BUILD, &bug))
                return LQ_EXIT_BADINPUT;
            break;
        case O_AGAINST:
#ifdef LQ_TEST_SWITCHES
            against = true;
            break;
#else
            fprintf(stderr, "listenq minimize: --against-model exists only in test builds\n");
            return LQ_EXIT_BADINPUT;
#endif
        case 'q': quiet = true; break;
        case 'h': lq_minimize_usage(stdout); return 0;
        default: lq_minimize_usage(stderr); return LQ_EXIT_BADINPUT;
        }
    }
    if (optind != argc - 1) {
        lq_minimize_usage(stderr);
        return LQ_EXIT_BADINPUT;
    }
    const char *path = argv[optind];
    struct lq_profile profile;
    if (lq_finding_profile(kernel_opt, &profile, "minimize"))
        return LQ_EXIT_BADINPUT;
    struct lq_scenario sc;
    struct lq_err err = {0};
    if (lq_finding_load(path, decode, &sc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return err.status ? err.status : LQ_EXIT_BADINPUT;
    }
    struct lq_cli_sides s;
    int status = lq_cli_sides_open(&s, &profile, bug, against, "minimize");
    if (status) {
        lq_scenario_free(&sc);
        return status;
    }
    char *base = lq_finding_base(out ? out : path);
    struct lq_finding_min m;
    int rc = lq_finding_minimize_to(&s.runner, &profile, bug, &sc, path, base,
                                    quiet ? NULL : stderr, (size_t)max_runs, &m, &err);
    if (rc < 0) {
        fprintf(stderr, "listenq minimize: %s\n", err.msg);
        status = err.status == LQ_EXIT_SKIP ? LQ_EXIT_SKIP : LQ_EXIT_ERROR;
    } else if (rc > 0) {
        fprintf(stderr, "listenq minimize: %s does not diverge here: nothing to minimize\n", path);
        status = LQ_EXIT_FAIL;
    } else {
        struct lq_strbuf t;
        lq_sb_init(&t);
        lq_min_sig_format(&m.sig, &t);
        printf("%s: %zu -> %zu directives in %zu runs; diverges at %s\n", path, m.st.before,
               m.st.after, m.st.runs, lq_sb_str(&t));
        lq_sb_reset(&t);
        lq_print_scenario(&m.min, &t);
        printf("%s", lq_sb_str(&t));
        lq_sb_reset(&t);
        lq_report_details(&m.min, &m.res, m.pcap[0] ? m.pcap : NULL, "  ", &t);
        printf("%s", lq_sb_str(&t));
        printf("wrote %s%s%s%s%s\n", m.lq, m.pcap[0] ? ", " : "", m.pcap, m.pkt[0] ? ", " : "",
               m.pkt);
        if (!m.reproduced)
            printf("note: the final run did not diverge the same way (a flaky divergence?)\n");
        lq_sb_free(&t);
    }
    lq_finding_min_free(&m);
    free(base);
    lq_cli_sides_close(&s);
    lq_scenario_free(&sc);
    return status;
}
