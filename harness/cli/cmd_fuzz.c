/* harness/cli/cmd_fuzz.c: `listenq fuzz`: the differential fuzzer in
 * libFuzzer's fork mode, then its crash inputs as findings, one per first
 * differing decision point (docs/fuzzing.md). decode, minimize and export
 * are in cmd_finding.c. */
#include "cmd_fuzz.h"

#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "findings/finding.h"
#include "util/fsutil.h"
#include "util/spawn.h"
#include "findings/minimize.h"
#include "lang/decode.h"
#include "lang/print.h"
#include "report/report.h"
#include "report/result_json.h"
#include "run/runner.h"
#include "util/datadir.h"
#include "util/grow.h"
#include "util/json.h"

static void lq_fuzz_usage(FILE *f)
{
    fprintf(f,
            "usage: listenq fuzz [options] [-- LIBFUZZER_FLAGS...]\n"
            "Runs the differential fuzzer (model vs this kernel) with libFuzzer's fork mode,\n"
            "then turns every crash input into a finding: decoded to .lq, minimized, with a\n"
            "pcap, a packetdrill script and a JSON line; findings with the same first\n"
            "differing decision point are one finding (counted). Needs root (namespaces).\n"
            "Exit: 0 no finding, 1 findings, 3 harness error, 4 cannot run here.\n"
            "  --jobs N       parallel fuzzing processes (-fork=N; default: 1)\n"
            "  --time S       seconds to fuzz (default 60)\n"
            "  --out DIR      corpus/, artifacts/, findings/ and fuzzer.log (default: fuzz-out)\n"
            "  --fuzzer PATH  listenq_diff_fuzzer (default: next to this program, fuzz/)\n"
            "  --seeds DIR    seed corpus (default: corpus/seeds/diff when it exists)\n"
            "  --kernel VERSION  model profile (default: the running kernel's)\n"
            "  --max-runs N   minimization runs per finding (default 2000)\n"
            "  --family LIST  only these scenario families (neutral,ipv4,ipv6,dual; default:\n"
            "                 all): sets LISTENQ_FUZZ_FAMILY for the fuzzer and the findings\n");
#ifdef LQ_TEST_SWITCHES
    fprintf(f,
            "  --model-bug NAME  test build only: plant a wrong model rule in the fuzzer\n"
            "                    and the minimizer (%s)\n",
            LQ_MODEL_BUG_NAMES);
#endif
}

static char *lq_fz_exe_dir(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
    return strdup(buf);
}

static bool lq_fz_is_exec(const char *p)
{
    return access(p, X_OK) == 0;
}

/* The fuzzer: --fuzzer, $LISTENQ_FUZZER, DIR/fuzz/listenq_diff_fuzzer or
 * DIR/listenq_diff_fuzzer (DIR: where this program is). */
static int lq_fz_find_fuzzer(const char *opt, char *out, size_t cap)
{
    const char *env = getenv("LISTENQ_FUZZER");
    if (opt || (env && *env)) {
        snprintf(out, cap, "%s", opt ? opt : env);
        return lq_fz_is_exec(out) ? 0 : -1;
    }
    char *dir = lq_fz_exe_dir();
    if (!dir)
        return -1;
    snprintf(out, cap, "%s/fuzz/listenq_diff_fuzzer", dir);
    if (!lq_fz_is_exec(out))
        snprintf(out, cap, "%s/listenq_diff_fuzzer", dir);
    free(dir);
    return lq_fz_is_exec(out) ? 0 : -1;
}

struct lq_fz_progress {
    uint64_t execs, corpus, rate, crashes, secs;
    uint64_t findings; /* divergence reports seen */
};

static const char *lq_fz_after(const char *line, const char *key)
{
    const char *p = strstr(line, key);
    return p ? p + strlen(key) : NULL;
}

/* libFuzzer's status lines: "#1234: cov: 5 ft: 6 corp: 7 exec/s: 8
 * oom/timeout/crash: 0/0/1 time: 9s ..." (fork mode) or "#1234 NEW cov: ...
 * corp: 7/96b ... exec/s: 8 ..." (one process). */
static void lq_fz_parse_line(const char *line, struct lq_fz_progress *p)
{
    const char *v;
    if (strstr(line, "DIVERGENCE") || strstr(line, "INVARIANT BROKEN"))
        p->findings++;
    if (line[0] != '#')
        return;
    p->execs = strtoull(line + 1, NULL, 10);
    if ((v = lq_fz_after(line, "corp: ")))
        p->corpus = strtoull(v, NULL, 10);
    if ((v = lq_fz_after(line, "exec/s: ")) || (v = lq_fz_after(line, "exec/s ")))
        p->rate = strtoull(v, NULL, 10);
    if ((v = lq_fz_after(line, "oom/timeout/crash: "))) {
        const char *slash = strrchr(v, '/');
        const char *end = strchr(v, ' ');
        if (slash && (!end || slash < end))
            p->crashes = strtoull(slash + 1, NULL, 10);
    }
    if ((v = lq_fz_after(line, "time: ")))
        p->secs = strtoull(v, NULL, 10);
}

static int64_t lq_fz_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void lq_fz_show(const struct lq_fz_progress *p, long total, int64_t elapsed_ms, bool tty,
                       bool final)
{
    uint64_t f = p->findings > p->crashes ? p->findings : p->crashes;
    /* fork mode's own exec/s counts only the jobs that ended normally */
    uint64_t rate = elapsed_ms > 0 ? p->execs * 1000 / (uint64_t)elapsed_ms : p->rate;
    fprintf(stderr,
            "%sfuzz: %" PRId64 "/%lds  execs %" PRIu64 " (%" PRIu64 "/s)  corpus %" PRIu64
            "  findings %" PRIu64 "%s",
            tty ? "\r\033[K" : "", elapsed_ms / 1000, total, p->execs, rate, p->corpus, f,
            tty && !final ? "" : "\n");
    fflush(stderr);
}

/* The fuzzer's TMPDIR (libFuzzer's fork mode keeps its jobs' files there):
 * TMPDIR/listenq-fuzz.PID.XXXXXX. Those of listenq processes that are gone
 * (a guard killed with them) are removed first. */
static int lq_fz_tmpdir(char *buf, size_t len)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    DIR *d = opendir(base);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        long pid = 0;
        if (sscanf(e->d_name, "listenq-fuzz.%ld.", &pid) != 1 || pid <= 0 ||
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char path[PATH_MAX];
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", base, e->d_name) < sizeof(path))
            lq_rm_rf(path);
    }
    if (d)
        closedir(d);
    if ((size_t)snprintf(buf, len, "%s/listenq-fuzz.%ld.XXXXXX", base, (long)getpid()) >= len)
        return -1;
    return mkdtemp(buf) ? 0 : -1;
}

/* Runs argv with its output through a pipe into log and the progress line.
 * The fuzzer, its fork-mode jobs and what they start run under a guard
 * (util/spawn.h): none outlives listenq, however it ends, and the guard
 * removes their temporary directory. */
static int lq_fz_run_fuzzer(char *const *args, const char *logpath, long total_secs,
                            struct lq_fz_progress *p)
{
    int pfd[2];
    char tmpdir[PATH_MAX];
    if (lq_fz_tmpdir(tmpdir, sizeof(tmpdir))) {
        fprintf(stderr, "listenq fuzz: cannot make a temporary directory: %s\n", strerror(errno));
        return -1;
    }
    if (pipe(pfd)) {
        lq_rm_rf(tmpdir);
        return -1;
    }
    if (access(args[0], X_OK)) {
        fprintf(stderr, "listenq fuzz: cannot run %s: %s\n", args[0], strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        lq_rm_rf(tmpdir);
        return 127;
    }
    FILE *log = fopen(logpath, "w");
    pid_t pid = lq_spawn_guarded(args, pfd[1], tmpdir, 2000);
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        if (log)
            fclose(log);
        lq_rm_rf(tmpdir);
        return -1;
    }
    close(pfd[1]);
    FILE *in = fdopen(pfd[0], "r");
    bool tty = isatty(STDERR_FILENO);
    int64_t t0 = lq_fz_now_ms(), last = 0;
    char line[8192];
    while (in && fgets(line, sizeof(line), in)) {
        if (log)
            fputs(line, log);
        lq_fz_parse_line(line, p);
        int64_t now = lq_fz_now_ms();
        if ((tty && now - last >= 250) || now - last >= 10000) {
            lq_fz_show(p, total_secs, now - t0, tty, false);
            last = now;
        }
        /* a fuzzer that overruns its time by a minute is stopped */
        if (now - t0 > (total_secs + 60) * 1000) {
            kill(pid, SIGTERM);
        }
    }
    if (in)
        fclose(in);
    if (log)
        fclose(log);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    lq_fz_show(p, total_secs, lq_fz_now_ms() - t0, tty, true);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int lq_fz_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The crash inputs in dir (crash-*, not the .lq/.pcap the fuzzer writes beside them). */
static char **lq_fz_crashes(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **v = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *nm = e->d_name;
        size_t len = strlen(nm);
        if (strncmp(nm, "crash-", 6) != 0 || (len > 3 && strcmp(nm + len - 3, ".lq") == 0) ||
            (len > 5 && strcmp(nm + len - 5, ".pcap") == 0))
            continue;
        v = lq_grow(v, &cap, *n + 1, sizeof(*v));
        size_t plen = strlen(dir) + len + 2;
        v[*n] = lq_xmalloc(plen);
        snprintf(v[*n], plen, "%s/%s", dir, nm);
        (*n)++;
    }
    closedir(d);
    if (v)
        qsort(v, *n, sizeof(*v), lq_fz_name_cmp);
    return v;
}

struct lq_fz_opts {
    long jobs, secs, max_runs;
    const char *outdir, *fuzzer_opt, *seeds, *kernel_opt;
    enum lq_model_bug bug;
    int first_extra; /* argv index of the libFuzzer flags after "--" */
};

struct lq_fz_dirs {
    char corpus[PATH_MAX], artifacts[PATH_MAX], findings[PATH_MAX], log[PATH_MAX];
};

/* Runs the fuzzer in fork mode until its time is up; its exit status, 127
 * when it could not be started. */
static int lq_fz_fuzz(const struct lq_fz_opts *o, const char *fuzzer, const struct lq_fz_dirs *d,
                      int argc, char **argv, struct lq_fz_progress *prog)
{
    char a_fork[32], a_time[48], a_prefix[PATH_MAX + 32], a_dict[PATH_MAX + 16];
    snprintf(a_fork, sizeof(a_fork), "-fork=%ld", o->jobs);
    snprintf(a_time, sizeof(a_time), "-max_total_time=%ld", o->secs);
    snprintf(a_prefix, sizeof(a_prefix), "-artifact_prefix=%s/", d->artifacts);
    snprintf(a_dict, sizeof(a_dict), "-dict=%s.dict", fuzzer);
    size_t nextra = (size_t)(argc - o->first_extra); /* libFuzzer flags after "--" */
    char **args = lq_xcalloc(16 + nextra, sizeof(*args));
    size_t na = 0;
    args[na++] = (char *)fuzzer;
    args[na++] = a_fork;
    args[na++] = "-ignore_crashes=1";
    args[na++] = "-ignore_timeouts=1";
    args[na++] = "-ignore_ooms=1";
    args[na++] = a_time;
    args[na++] = a_prefix;
    args[na++] = "-print_final_stats=1";
    if (access(a_dict + 6, R_OK) == 0)
        args[na++] = a_dict;
    for (int i = o->first_extra; i < argc; i++)
        args[na++] = argv[i];
    args[na++] = (char *)d->corpus;
    if (o->seeds)
        args[na++] = (char *)o->seeds;
    args[na] = NULL;

    if (o->bug)
        setenv("LISTENQ_MODEL_BUG", lq_model_bug_name(o->bug), 1);
    if (o->kernel_opt)
        setenv("LISTENQ_KERNEL", o->kernel_opt, 1);
    fprintf(stderr, "listenq fuzz: %s, %ld job%s, %lds, output in %s (log: %s)\n", fuzzer, o->jobs,
            o->jobs == 1 ? "" : "s", o->secs, o->outdir, d->log);
    memset(prog, 0, sizeof(*prog));
    int rc = lq_fz_run_fuzzer(args, d->log, o->secs, prog);
    free(args);
    return rc;
}

/* A crash input, run once more on the finding's sides. */
struct lq_fz_input {
    const char *path;
    struct lq_scenario sc;
    struct lq_min_sig sig; /* found = false: it did not diverge again */
    uint32_t div_dir;      /* where it diverged */
    bool counters;         /* the divergence is in the counters only */
};

/* Which input of a finding becomes its minimal scenario: one whose traces
 * part in packets rather than only in counters (a counter difference needs
 * more set-up to show: it is the rarer, longer reproducer of the same
 * decision point), then the one that parts earliest, then the shortest. */
static bool lq_fz_better(const struct lq_fz_input *a, const struct lq_fz_input *b)
{
    if (a->counters != b->counters)
        return !a->counters;
    if (a->div_dir != b->div_dir)
        return a->div_dir < b->div_dir;
    return a->sc.n < b->sc.n;
}

/* Decodes and runs every crash input; 0 of them diverging again is no error. */
static struct lq_fz_input *lq_fz_classify(struct lq_cli_sides *s, char **crashes, size_t n,
                                          size_t *flaky)
{
    struct lq_fz_input *in = lq_xcalloc(n, sizeof(*in));
    for (size_t i = 0; i < n; i++) {
        struct lq_err err = {0};
        in[i].path = crashes[i];
        lq_scenario_init(&in[i].sc);
        if (lq_finding_load(crashes[i], true, &in[i].sc, &err)) {
            fprintf(stderr, "listenq fuzz: %s\n", err.msg);
            continue;
        }
        struct lq_result res;
        lq_result_init(&res);
        if (lq_run_scenario(&s->runner, &in[i].sc, &res, &err) == 0)
            lq_min_signature(&in[i].sc, &res, &in[i].sig);
        in[i].div_dir = res.div.dir;
        in[i].counters = res.div.counters;
        lq_result_free(&res);
        if (!in[i].sig.found) {
            fprintf(stderr,
                    "listenq fuzz: %s does not diverge again (flaky, or an invariant "
                    "failure of the model checks): kept as it is\n",
                    crashes[i]);
            (*flaky)++;
        }
    }
    return in;
}

struct lq_fz_group {
    int dp;
    size_t count, best; /* inputs, and the index of the one minimized */
    json_t *inputs;     /* the crash inputs that led to it */
    json_t *json;       /* the finding's JSON object */
    char *summary;      /* one line for the list */
};

/* Minimizes the group's best input into BASE.min.lq (.pcap, .pkt) and
 * builds its JSON line and summary; -1 when it did not diverge again. */
static int lq_fz_minimize_group(struct lq_cli_sides *s, const struct lq_profile *profile,
                                const struct lq_fz_opts *o, const char *findings, size_t number,
                                struct lq_fz_input *in, struct lq_fz_group *g)
{
    char base[PATH_MAX];
    if (snprintf(base, sizeof(base), "%s/%02zu-%s", findings, number,
                 lq_min_sig_dp_name(&in->sig)) >= (int)sizeof(base))
        return -1;
    /* the decoded input beside the minimal one */
    char orig[PATH_MAX + 8];
    snprintf(orig, sizeof(orig), "%s.lq", base);
    struct lq_strbuf t;
    lq_sb_init(&t);
    lq_sb_addf(&t, "# decoded from %s (listenq decode --no-wait)\n", in->path);
    lq_print_scenario(&in->sc, &t);
    struct lq_err err = {0};
    lq_write_file_atomic(orig, lq_sb_str(&t), t.len, &err);
    lq_sb_reset(&t);
    fprintf(stderr, "listenq fuzz: minimizing %s ...\n", in->path);
    struct lq_finding_min m;
    int rc = lq_finding_minimize_to(&s->runner, profile, o->bug, &in->sc, orig, base, NULL,
                                    (size_t)o->max_runs, &m, &err);
    if (rc) {
        fprintf(stderr, "listenq fuzz: %s: %s\n", in->path,
                rc < 0 ? err.msg : "does not diverge again");
        lq_finding_min_free(&m);
        lq_sb_free(&t);
        return -1;
    }
    g->json =
        lq_result_json(&m.min, &m.res, m.pcap[0] ? m.pcap : NULL, s->subject->release, profile);
    struct lq_strbuf sg;
    lq_sb_init(&sg);
    lq_min_sig_format(&m.sig, &sg);
    json_object_set_new(g->json, "decision_point", lq_json_text(lq_min_sig_dp_name(&m.sig)));
    json_object_set_new(g->json, "signature", lq_json_text(lq_sb_str(&sg)));
    json_object_set_new(g->json, "minimized", lq_json_text(m.lq));
    json_object_set_new(g->json, "packetdrill", lq_json_text(m.pkt));
    json_object_set_new(g->json, "original", lq_json_text(orig));
    lq_sb_reset(&t);
    lq_sb_addf(&t, "%s: %s (%zu directives)\n       %s%s%s%s", lq_sb_str(&sg), m.lq, m.st.after,
               m.pcap[0] ? m.pcap : "", m.pcap[0] ? "  " : "", m.pkt,
               m.reproduced ? ""
                            : "\n       (the minimal scenario diverged only some of the time)");
    g->summary = lq_xstrdup(lq_sb_str(&t));
    lq_sb_free(&sg);
    lq_sb_free(&t);
    lq_finding_min_free(&m);
    return 0;
}

/* Groups the inputs that diverged by first differing decision point, in
 * the order the groups first appear; returns how many. */
static size_t lq_fz_group(const struct lq_fz_input *in, size_t n, struct lq_fz_group *groups)
{
    size_t ngroups = 0;
    for (size_t i = 0; i < n; i++) {
        if (!in[i].sig.found)
            continue;
        struct lq_fz_group *g = NULL;
        for (size_t k = 0; k < ngroups && !g; k++)
            if (groups[k].dp == in[i].sig.dp)
                g = &groups[k];
        if (!g) {
            g = &groups[ngroups++];
            g->dp = in[i].sig.dp;
            g->best = i;
            g->inputs = json_array();
        } else if (lq_fz_better(&in[i], &in[g->best])) {
            g->best = i;
        }
        g->count++;
        json_array_append_new(g->inputs, lq_json_text(in[i].path));
    }
    return ngroups;
}

/* findings.jsonl (one line per finding) and the summary on stdout. */
static void lq_fz_report(const struct lq_fz_dirs *d, const struct lq_fz_progress *prog,
                         size_t ncrash, const struct lq_fz_group *groups, size_t ngroups,
                         size_t flaky)
{
    struct lq_strbuf j;
    lq_sb_init(&j);
    size_t nfound = 0;
    for (size_t k = 0; k < ngroups; k++) {
        json_t *o = groups[k].json;
        if (!o)
            continue;
        json_object_set_new(o, "count", json_integer((json_int_t)groups[k].count));
        json_object_set(o, "inputs", groups[k].inputs);
        char *line = lq_json_line(o);
        if (line)
            lq_sb_addf(&j, "%s\n", line);
        free(line);
    }
    char jpath[PATH_MAX + 32];
    snprintf(jpath, sizeof(jpath), "%s/findings.jsonl", d->findings);
    struct lq_err err = {0};
    if (lq_write_file_atomic(jpath, lq_sb_str(&j), j.len, &err))
        fprintf(stderr, "listenq fuzz: %s\n", err.msg);
    lq_sb_free(&j);
    for (size_t k = 0; k < ngroups; k++)
        nfound += groups[k].json != NULL;

    printf("listenq fuzz: %" PRIu64 " executions, corpus %" PRIu64 ", %zu crash input%s, %zu "
           "finding%s%s\n",
           prog->execs, prog->corpus, ncrash, ncrash == 1 ? "" : "s", nfound,
           nfound == 1 ? "" : "s", nfound ? ":" : "");
    for (size_t k = 0, shown = 0; k < ngroups; k++)
        if (groups[k].json)
            printf("  %zu. x%zu %s\n", ++shown, groups[k].count, groups[k].summary);
    if (nfound)
        printf("JSON: %s\n", jpath);
    if (flaky)
        printf("%zu crash input%s did not diverge again (see %s)\n", flaky, flaky == 1 ? "" : "s",
               d->log);
}

int lq_cmd_fuzz(int argc, char **argv)
{
    enum { O_JOBS = 1000, O_TIME, O_OUT, O_FUZZER, O_SEEDS, O_KERNEL, O_MAXRUNS, O_BUG, O_FAMILY };
    static const struct option opts[] = {{"jobs", required_argument, 0, O_JOBS},
                                         {"time", required_argument, 0, O_TIME},
                                         {"out", required_argument, 0, O_OUT},
                                         {"fuzzer", required_argument, 0, O_FUZZER},
                                         {"seeds", required_argument, 0, O_SEEDS},
                                         {"kernel", required_argument, 0, O_KERNEL},
                                         {"max-runs", required_argument, 0, O_MAXRUNS},
                                         {"model-bug", required_argument, 0, O_BUG},
                                         {"family", required_argument, 0, O_FAMILY},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    long jobs = 1, secs = 60, max_runs = 0;
    const char *outdir = "fuzz-out", *fuzzer_opt = NULL, *seeds = NULL, *kernel_opt = NULL;
    enum lq_model_bug bug = LQ_BUG_NONE;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_JOBS:
            if (lq_cli_int_opt("fuzz", "jobs", optarg, 1, 1024, &jobs))
                return LQ_EXIT_BADINPUT;
            break;
        case O_TIME:
            if (lq_cli_int_opt("fuzz", "time", optarg, 1, 30L * 24 * 3600, &secs))
                return LQ_EXIT_BADINPUT;
            break;
        case O_OUT: outdir = optarg; break;
        case O_FUZZER: fuzzer_opt = optarg; break;
        case O_SEEDS: seeds = optarg; break;
        case O_KERNEL: kernel_opt = optarg; break;
        case O_MAXRUNS:
            if (lq_cli_int_opt("fuzz", "max-runs", optarg, 1, 1000000, &max_runs))
                return LQ_EXIT_BADINPUT;
            break;
        case O_BUG:
            if (lq_cli_model_bug("fuzz", optarg, LQ_TEST_BUILD, &bug))
                return LQ_EXIT_BADINPUT;
            break;
        case O_FAMILY:
            /* the decoder reads it (lq_decode_opts_diff): the fuzzer, and
             * this process when it decodes the crash inputs */
            if (!lq_decode_families_parse(optarg)) {
                fprintf(stderr,
                        "listenq fuzz: --family '%s': expected a comma-separated list of "
                        "neutral, ipv4, ipv6, dual\n",
                        optarg);
                return LQ_EXIT_BADINPUT;
            }
            setenv("LISTENQ_FUZZ_FAMILY", optarg, 1);
            break;
        case 'h': lq_fuzz_usage(stdout); return 0;
        default: lq_fuzz_usage(stderr); return LQ_EXIT_BADINPUT;
        }
    }
    struct lq_fz_opts o = {.jobs = jobs,
                           .secs = secs,
                           .max_runs = max_runs,
                           .outdir = outdir,
                           .fuzzer_opt = fuzzer_opt,
                           .seeds = seeds,
                           .kernel_opt = kernel_opt,
                           .bug = bug,
                           .first_extra = optind};
    char fuzzer[PATH_MAX];
    if (lq_fz_find_fuzzer(o.fuzzer_opt, fuzzer, sizeof(fuzzer))) {
        fprintf(stderr,
                "listenq fuzz: no listenq_diff_fuzzer (%s); build it with `make fuzz` (clang with "
                "libFuzzer) or give --fuzzer PATH\n",
                fuzzer);
        return LQ_EXIT_SKIP;
    }
    struct lq_profile profile;
    if (lq_finding_profile(o.kernel_opt, &profile, "fuzz"))
        return LQ_EXIT_BADINPUT;
    /* the kernel side first: without it there is nothing to compare */
    struct lq_cli_sides s;
    int status = lq_cli_sides_open(&s, &profile, o.bug, false, "fuzz");
    if (status)
        return status;

    struct lq_fz_dirs d;
    snprintf(d.corpus, sizeof(d.corpus), "%s/corpus", o.outdir);
    snprintf(d.artifacts, sizeof(d.artifacts), "%s/artifacts", o.outdir);
    snprintf(d.findings, sizeof(d.findings), "%s/findings", o.outdir);
    snprintf(d.log, sizeof(d.log), "%s/fuzzer.log", o.outdir);
    struct lq_err err = {0};
    if (lq_mkdir_p(d.corpus, &err) || lq_mkdir_p(d.artifacts, &err) ||
        lq_mkdir_p(d.findings, &err)) {
        fprintf(stderr, "listenq fuzz: %s\n", err.msg);
        lq_cli_sides_close(&s);
        return LQ_EXIT_ERROR;
    }
    static char seeds_def[PATH_MAX];
    if (!o.seeds && lq_data_path("corpus/seeds/diff", seeds_def, sizeof(seeds_def)) == 0)
        o.seeds = seeds_def;
    struct lq_fz_progress prog;
    if (lq_fz_fuzz(&o, fuzzer, &d, argc, argv, &prog) == 127) {
        lq_cli_sides_close(&s);
        return LQ_EXIT_ERROR;
    }

    /* the findings: every crash input run once more, grouped, the best of
     * each group minimized */
    size_t ncrash = 0, flaky = 0;
    char **crashes = lq_fz_crashes(d.artifacts, &ncrash);
    struct lq_fz_input *in = lq_fz_classify(&s, crashes, ncrash, &flaky);
    struct lq_fz_group *groups = lq_xcalloc(ncrash, sizeof(*groups));
    size_t ngroups = lq_fz_group(in, ncrash, groups), nfound = 0;
    for (size_t k = 0; k < ngroups; k++) {
        if (lq_fz_minimize_group(&s, &profile, &o, d.findings, nfound + 1, &in[groups[k].best],
                                 &groups[k]) == 0)
            nfound++;
        else
            flaky += groups[k].count;
    }
    lq_fz_report(&d, &prog, ncrash, groups, ngroups, flaky);

    for (size_t k = 0; k < ngroups; k++) {
        json_decref(groups[k].json);
        free(groups[k].summary);
        json_decref(groups[k].inputs);
    }
    free(groups);
    for (size_t i = 0; i < ncrash; i++) {
        lq_scenario_free(&in[i].sc);
        free(crashes[i]);
    }
    free(in);
    free(crashes);
    lq_cli_sides_close(&s);
    return nfound ? LQ_EXIT_FAIL : 0;
}
