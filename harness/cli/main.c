/* harness/cli/main.c: the listenq command line. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "cmd_export.h"
#include "cmd_fuzz.h"
#include "cmd_kcidb.h"
#include "cmd_matrix.h"
#include "cmd_record.h"
#include "cmd_model.h"
#include "cmd_run.h"
#include "util/err.h"
#include "run/compare.h"

#define LISTENQ_VERSION "0.2.0"
/* Timer tolerances on a slow machine: a debug kernel runs several times
 * slower, so its timers are served that much later. */
#define LQ_SLOW_MACHINE_FACTOR 4

/* In a sanitizer build (make SANITIZE=address,undefined) a report ends the
 * process with the sanitizer's exit code, 1 by default: the status of a
 * divergence. It is a harness failure (3). The user's ASAN_OPTIONS and
 * UBSAN_OPTIONS still override this. Unused in other builds. */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__asan_default_options(void)
{
    return "exitcode=3";
}
const char *__ubsan_default_options(void)
{
    return "exitcode=3";
}

static void lq_usage(FILE *f)
{
    fprintf(f, "usage: listenq COMMAND [options] [args]\n"
               "A conformance and fuzzing harness for the Linux TCP listen queues.\n\n"
               "commands:\n"
               "  run FILE|DIR...       run scenarios on the model and the kernel, compare\n"
               "  explain FILE          the model's trace of a scenario, event by event\n"
               "  coverage FILE|DIR...  which model decision points scenarios reach\n"
               "  record --out DIR FILE|DIR...  store the kernel's answers (pcap + JSON trace)\n"
               "  replay DIR|FILE.json...       compare this kernel with a recording\n"
               "  matrix [--kernel SPEC]...     the fast suite on kernels in VMs, one table\n"
               "  fmt [-w|--check] FILE...  print (or rewrite) scenarios in canonical form\n"
               "  profiles              the kernel profiles and the changes they differ by\n"
               "  decode [--no-wait] INPUT  a fuzzer input as the .lq scenario it runs\n"
               "  minimize FILE         shrink a diverging scenario (writes FILE.min.lq, pcap)\n"
               "  export --packetdrill FILE  a packetdrill script for a scenario\n"
               "  pd-peer                    the other connections of such a script\n"
               "  fuzz [--jobs N] [--time S] [--out DIR]  differential fuzzing, findings\n"
               "  kcidb RESULTS.jsonl... results as a KCIDB submission (KernelCI)\n"
               "  bench                 performance figures (name: value lines)\n"
               "  version               print the version\n"
               "`listenq COMMAND --help` describes a command. Exit status: 0 ok, 1 divergence or\n"
               "failed expectation, 2 bad input, 3 harness error, 4 cannot run here (skip).\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        lq_usage(stderr);
        return LQ_EXIT_BADINPUT;
    }
    const char *cmd = argv[1];
    /* kselftest's convention for debug kernels (KASAN, lockdep): timers
     * fire later there; LISTENQ_SLOW_MACHINE=1 says the same outside it */
    const char *ksft_slow = getenv("KSFT_MACHINE_SLOW"), *lq_slow = getenv("LISTENQ_SLOW_MACHINE");
    if ((ksft_slow && strcmp(ksft_slow, "yes") == 0) || (lq_slow && strcmp(lq_slow, "1") == 0))
        lq_compare_set_slow_factor(LQ_SLOW_MACHINE_FACTOR);
    if (strcmp(cmd, "run") == 0)
        return lq_cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "explain") == 0)
        return lq_cmd_explain(argc - 1, argv + 1);
    if (strcmp(cmd, "coverage") == 0)
        return lq_cmd_coverage(argc - 1, argv + 1);
    if (strcmp(cmd, "record") == 0)
        return lq_cmd_record(argc - 1, argv + 1);
    if (strcmp(cmd, "replay") == 0)
        return lq_cmd_replay(argc - 1, argv + 1);
    if (strcmp(cmd, "matrix") == 0)
        return lq_cmd_matrix(argc - 1, argv + 1);
    if (strcmp(cmd, "fmt") == 0)
        return lq_cmd_fmt(argc - 1, argv + 1);
    if (strcmp(cmd, "profiles") == 0)
        return lq_cmd_profiles(argc - 1, argv + 1);
    if (strcmp(cmd, "decode") == 0)
        return lq_cmd_decode(argc - 1, argv + 1);
    if (strcmp(cmd, "minimize") == 0)
        return lq_cmd_minimize(argc - 1, argv + 1);
    if (strcmp(cmd, "export") == 0)
        return lq_cmd_export(argc - 1, argv + 1);
    if (strcmp(cmd, "pd-peer") == 0)
        return lq_cmd_pd_peer(argc - 1, argv + 1);
    if (strcmp(cmd, "fuzz") == 0)
        return lq_cmd_fuzz(argc - 1, argv + 1);
    if (strcmp(cmd, "kcidb") == 0)
        return lq_cmd_kcidb(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0)
        return lq_cmd_bench(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        if (argc > 2) {
            bool help = argc == 3 && strcmp(cmd, "version") == 0 &&
                        (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0);
            if (!help)
                fprintf(stderr, "listenq version: unexpected argument '%s'\n", argv[2]);
            fputs("usage: listenq version\nPrints the version.\n", help ? stdout : stderr);
            return help ? 0 : LQ_EXIT_BADINPUT;
        }
        printf("listenq %s\n", LISTENQ_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 && argc > 2) {
        /* listenq help COMMAND: that command's own help */
        static char help_opt[] = "--help";
        char *sub[] = {argv[0], argv[2], help_opt, NULL};
        return main(3, sub);
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        lq_usage(stdout);
        return 0;
    }
    fprintf(stderr, "listenq: unknown command '%s'\n", cmd);
    lq_usage(stderr);
    return LQ_EXIT_BADINPUT;
}
