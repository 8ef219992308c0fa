/* harness/cli/cmd_matrix.c: `listenq matrix`, the conformance suite on
 * several kernels in VMs (harness/matrix/matrix.h, docs/matrix.md). */
#include "cmd_matrix.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "matrix/matrix.h"

static void mx_usage(FILE *f)
{
    fprintf(f,
            "usage: listenq matrix [options] [--kernel SPEC]...\n"
            "Boots each kernel in a VM (qemu; KVM when usable, else TCG), runs the fast\n"
            "conformance suite there with that kernel's profile, and prints one table:\n"
            "scenario x kernel, the kernel behaviour differences with the profile changes\n"
            "that explain them, and every model/kernel disagreement (exit 1). docs/matrix.md.\n"
            "  --kernel SPEC     6.1, 6.12, 6.1.176: Debian's linux-image of that line from\n"
            "                    this machine's apt sources (bookworm suites); running|host:\n"
            "                    this machine's kernel; a PATH: your bzImage\n"
            "                    (default: running 6.1 6.12)\n"
            "  --modules DIR     the lib/modules/<release> of the bzImage before it\n"
            "  --profile VERSION model profile for the kernel before it (default: its uname)\n"
            "  --corpus DIR      scenarios (default: corpus/conformance, here or installed)\n"
            "  --cache DIR       kernels, initramfs, logs, results (default: build/matrix-cache\n"
            "                    in a source tree, else ~/.cache/listenq/matrix-cache)\n"
            "  --timeout SECS    per VM, killed after it (default: 600)\n"
            "  --accel auto|kvm|tcg  (default: auto)\n"
            "  --mem MIB         VM memory (default: 1024)\n"
            "  --no-record       do not run `listenq record` in the VM\n"
            "  --slow            the slow (timer) scenarios too (the fast suite leaves them out)\n"
            "  --reuse           judge the results already in the cache, run only what is missing\n"
            "  --scripts DIR     the ci/matrix helpers (default: here, or installed)\n"
            "Exit: 0 every kernel agrees with its profile, 1 a disagreement, 2 bad input,\n"
            "3 a kernel could not be run, 4 none can run here.\n");
}

int lq_cmd_matrix(int argc, char **argv)
{
    static const struct option opts[] = {
        {"kernel", required_argument, 0, 'k'},  {"modules", required_argument, 0, 'm'},
        {"profile", required_argument, 0, 'p'}, {"corpus", required_argument, 0, 'c'},
        {"cache", required_argument, 0, 'C'},   {"timeout", required_argument, 0, 't'},
        {"accel", required_argument, 0, 'a'},   {"mem", required_argument, 0, 'M'},
        {"no-record", no_argument, 0, 'R'},     {"scripts", required_argument, 0, 's'},
        {"slow", no_argument, 0, 'S'},          {"reuse", no_argument, 0, 'U'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    static struct lq_mx_kernel ks[LQ_MX_MAX_K];
    memset(ks, 0, sizeof(ks));
    struct lq_mx_opts o = {.accel = "auto", .timeout = 600, .mem = 1024, .record = true};
    int nk = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            if (nk == LQ_MX_MAX_K) {
                fprintf(stderr, "listenq matrix: at most %d kernels\n", LQ_MX_MAX_K);
                return LQ_EXIT_BADINPUT;
            }
            ks[nk++].spec = optarg;
            break;
        case 'm':
        case 'p':
            if (!nk) {
                fprintf(stderr, "listenq matrix: --%s goes after the --kernel it is for\n",
                        c == 'm' ? "modules" : "profile");
                return LQ_EXIT_BADINPUT;
            }
            *(c == 'm' ? &ks[nk - 1].modules : &ks[nk - 1].profile_opt) = optarg;
            break;
        case 'c': o.corpus = optarg; break;
        case 'C': o.cache = optarg; break;
        case 't':
        case 'M': {
            /* strictly: "600x" or "-5" is bad input, not 600 or 0 */
            long v;
            if (lq_cli_int_opt("matrix", c == 't' ? "timeout" : "mem", optarg, c == 't' ? 10 : 256,
                               INT_MAX, &v))
                return LQ_EXIT_BADINPUT;
            *(c == 't' ? &o.timeout : &o.mem) = (int)v;
            break;
        }
        case 'a': o.accel = optarg; break;
        case 'R': o.record = false; break;
        case 'S': o.slow = true; break;
        case 'U': o.reuse = true; break;
        case 's': o.scripts = optarg; break;
        case 'h': mx_usage(stdout); return 0;
        default: mx_usage(stderr); return LQ_EXIT_BADINPUT;
        }
    }
    if (optind < argc || o.timeout < 10 || o.mem < 256 ||
        (strcmp(o.accel, "auto") && strcmp(o.accel, "kvm") && strcmp(o.accel, "tcg"))) {
        mx_usage(stderr);
        return LQ_EXIT_BADINPUT;
    }
    if (!nk) {
        static const char *const def[] = {"running", "6.1", "6.12"};
        for (; nk < 3; nk++)
            ks[nk].spec = def[nk];
    }
    struct lq_profile tmp;
    char perr[256];
    for (int j = 0; j < nk; j++)
        if (ks[j].profile_opt && lq_profile_resolve(ks[j].profile_opt, &tmp, perr, sizeof(perr))) {
            fprintf(stderr, "listenq matrix: %s\n", perr);
            return LQ_EXIT_BADINPUT;
        }
    struct lq_mx_run run;
    int status = lq_mx_open(&run, &o);
    if (status == 0) {
        for (int j = 0; j < nk; j++)
            lq_mx_run_kernel(&run, &o, &ks[j]);
        status = lq_mx_finish(&run, &o, ks, nk);
    }
    lq_mx_close(&run, ks, nk);
    return status;
}
