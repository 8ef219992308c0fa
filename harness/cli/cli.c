/* harness/cli/cli.c: see cli.h. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "live/backend_live.h"
#include "run/backend_model.h"
#include "util/fsutil.h"
#include "util/num.h"
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

int lq_cli_int_opt(const char *cmd, const char *opt, const char *text, long min, long max,
                   long *out)
{
    long long v;
    if (lq_parse_int(text, min, max, &v) == 0) {
        *out = (long)v;
        return 0;
    }
    fprintf(stderr, "listenq %s: --%s takes an integer %ld..%ld, not '%s'\n", cmd, opt, min, max,
            text);
    return -1;
}

int lq_cli_u64_opt(const char *cmd, const char *opt, const char *text, uint64_t *out)
{
    if (lq_parse_u64(text, out) == 0)
        return 0;
    fprintf(stderr,
            "listenq %s: --%s takes an integer 0..18446744073709551615 (or 0x...), not '%s'\n", cmd,
            opt, text);
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

char *lq_cli_failure_pcap(struct lq_backend *b, const struct lq_scenario *sc, const char *outdir,
                          struct lq_err *err)
{
    const struct lq_pcap_rec *recs;
    size_t n = b ? lq_backend_frames(b, &recs) : 0;
    if (!n)
        return NULL;
    if (lq_mkdir_p(outdir, err))
        return NULL;
    char path[4096];
    char flat[256];
    lq_corpus_file_name(sc, flat, sizeof(flat));
    snprintf(path, sizeof(path), "%s/%s.pcap", outdir, flat);
    if (lq_pcap_write_atomic(path, recs, n, err))
        return NULL;
    return strdup(path);
}

/* A failed scenario's evidence: the subject's frames as a pcap and a line
 * in divergences.jsonl. Returns the pcap's path (to free) or NULL. */
static char *lq_cli_evidence(const struct lq_cli_suite *s, const struct lq_scenario *sc,
                             const struct lq_result *res)
{
    struct lq_backend *subject = s->runner->backend[LQ_ROLE_SUBJECT];
    struct lq_err pe;
    char *pcap = lq_cli_failure_pcap(subject, sc, s->outdir, &pe);
    struct lq_strbuf j;
    lq_sb_init(&j);
    lq_report_json(sc, res, pcap, subject ? subject->release : "", s->profile, &j);
    char jpath[4096];
    snprintf(jpath, sizeof(jpath), "%s/divergences.jsonl", s->outdir);
    if (lq_mkdir_p(s->outdir, &pe) == 0)
        lq_append_line_durable(jpath, lq_sb_str(&j), &pe);
    lq_sb_free(&j);
    return pcap;
}

int lq_cli_run_suite(const struct lq_cli_suite *s)
{
    int fatal = 0;
    for (size_t k = 0; k < s->n; k++) {
        const struct lq_scenario *sc = s->sc[k];
        struct lq_result res;
        lq_result_init(&res);
        char *pcap = NULL;
        if (s->before)
            s->before(s->arg, sc);
        if (!lq_cli_not_run(sc, s->need_live, s->live, s->live_err, s->fast, fatal, &res)) {
            struct lq_err e = {0};
            if (lq_run_scenario(s->runner, sc, &res, &e)) {
                fprintf(stderr, "listenq: %s\n", e.msg);
                fatal = 1;
            }
            if (res.status == LQ_ST_FAIL && s->outdir && s->live)
                pcap = lq_cli_evidence(s, sc, &res);
            if (s->after)
                s->after(s->arg, sc, &res, &fatal);
        }
        lq_report_scenario(s->report, sc, &res, pcap);
        free(pcap);
        lq_result_free(&res);
    }
    lq_report_end(s->report);
    int status = lq_report_exit_status(s->report);
    if (fatal && status == LQ_EXIT_OK)
        status = LQ_EXIT_ERROR;
    return status;
}

int lq_cli_sides_open(struct lq_cli_sides *s, const struct lq_profile *profile,
                      enum lq_model_bug bug, bool against_model, const char *cmd)
{
    memset(s, 0, sizeof(*s));
    struct lq_err err = {0};
    lq_runner_init(&s->runner, profile);
    s->model = lq_backend_model_new(profile, &err);
    if (!s->model) {
        fprintf(stderr, "listenq %s: %s\n", cmd, err.msg);
        lq_runner_free(&s->runner);
        return LQ_EXIT_ERROR;
    }
    lq_backend_model_set_bug(s->model, bug);
    if (against_model)
        s->subject = lq_backend_model_new(profile, &err);
    else
        s->subject = lq_backend_live_new(&err);
    if (!s->subject) {
        fprintf(stderr, "listenq %s: cannot run on the kernel here: %s\n", cmd, err.msg);
        lq_backend_destroy(s->model);
        lq_runner_free(&s->runner);
        memset(s, 0, sizeof(*s));
        return err.status == LQ_EXIT_SKIP ? LQ_EXIT_SKIP : LQ_EXIT_ERROR;
    }
    s->runner.backend[LQ_ROLE_REFERENCE] = s->model;
    s->runner.backend[LQ_ROLE_SUBJECT] = s->subject;
    return 0;
}

void lq_cli_sides_close(struct lq_cli_sides *s)
{
    lq_backend_destroy(s->model);
    lq_backend_destroy(s->subject);
    if (s->model || s->subject)
        lq_runner_free(&s->runner);
    memset(s, 0, sizeof(*s));
}
