/* harness/cli/cli.c: see cli.h. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "util/fsutil.h"
#include "wire/pcapout.h"

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

int lq_cli_model_bug(const char *cmd, const char *name, bool test_build, enum lq_model_bug *bug)
{
    if (!test_build) {
        fprintf(stderr,
                "listenq %s: --model-bug exists only in test builds (build/listenq-test, "
                "build/fuzz/test/listenq)\n",
                cmd);
        return -1;
    }
    if (lq_model_bug_by_name(name, bug) == 0)
        return 0;
    fprintf(stderr, "listenq %s: unknown --model-bug %s (%s)\n", cmd, name, LQ_MODEL_BUG_NAMES);
    return -1;
}

int lq_cli_load_corpus(struct lq_corpus *c, char *const *args, int nargs)
{
    struct lq_err err = {0};
    char *errs = NULL;
    if (lq_corpus_load(c, args, nargs, &errs, &err) == 0)
        return 0;
    if (errs)
        fputs(errs, stderr);
    else
        fprintf(stderr, "listenq: %s\n", err.msg);
    free(errs);
    return err.status ? err.status : LQ_EXIT_BADINPUT;
}

int lq_cli_kernel_opts(int argc, char **argv, const char *usage, const char **kernel_opt)
{
    static const struct option opts[] = {
        {"kernel", required_argument, 0, 'k'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    *kernel_opt = NULL;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'k') {
            *kernel_opt = optarg;
            continue;
        }
        fputs(usage, c == 'h' ? stdout : stderr);
        return c == 'h' ? 0 : LQ_EXIT_BADINPUT;
    }
    return -1;
}

bool lq_cli_not_run(const struct lq_scenario *sc, bool need_live, const struct lq_backend *live,
                    const char *live_err, bool fast, bool fatal, struct lq_result *res)
{
    if (need_live && !live) {
        res->status = LQ_ST_SKIP;
        snprintf(res->reason, sizeof(res->reason), "cannot run on the kernel here: %.400s",
                 live_err);
    } else if (fast && lq_scenario_is_slow(sc)) {
        res->status = LQ_ST_SKIP;
        snprintf(res->reason, sizeof(res->reason),
                 "slow scenario (waits %.1f s), left out by --fast",
                 (double)lq_scenario_wait_ms(sc) / 1000.0);
    } else if (fatal) {
        res->status = LQ_ST_ERROR;
        snprintf(res->reason, sizeof(res->reason), "not run: the harness failed earlier");
    } else {
        return false;
    }
    return true;
}

char *lq_cli_failure_pcap(struct lq_backend *live, const struct lq_scenario *sc, const char *outdir,
                          struct lq_err *err)
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
