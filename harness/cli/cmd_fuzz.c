/* harness/cli/cmd_fuzz.c: `listenq decode`, `minimize`, `export`, `fuzz`. */
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
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run/backend.h"
#include "lang/decode.h"
#include "findings/finding.h"
#include "util/datadir.h"
#include "util/fsutil.h"
#include "findings/minimize.h"
#include "findings/packetdrill.h"
#include "lang/parse.h"
#include "wire/pcapout.h"
#include "lang/print.h"
#include "report/report.h"
#include "report/result_json.h"
#include "util/json.h"
#include "run/runner.h"
#include "util/grow.h"

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
            max_runs = strtol(optarg, NULL, 10);
            if (max_runs < 1 || max_runs > 1000000) {
                fprintf(stderr, "listenq minimize: --max-runs takes 1..1000000\n");
                return LQ_EXIT_BADINPUT;
            }
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
    struct lq_finding_sides s;
    int status = lq_finding_sides_open(&s, &profile, bug, against, "minimize");
    if (status) {
        lq_scenario_free(&sc);
        return status;
    }
    char *base = lq_finding_base(out ? out : path);
    struct lq_finding_min m;
    int rc = lq_finding_minimize_to(&s.runner, s.live, &profile, bug, &sc, path, base,
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
    lq_finding_sides_close(&s);
    lq_scenario_free(&sc);
    return status;
}

/* ---- listenq export ---- */

static void lq_export_usage(FILE *f)
{
    fprintf(f,
            "usage: listenq export --packetdrill [--conn NAME] [--kernel VERSION] [-o FILE] FILE\n"
            "Writes a packetdrill script for a scenario: one connection's part (the first, or\n"
            "--conn), the replies the model expects, and a comment listing what was left out.\n"
            "  --packetdrill     the format (the only one)\n"
            "  --conn NAME       the connection to export\n"
            "  --kernel VERSION  model profile (default: the running kernel's)\n"
            "  -o, --out FILE    write to FILE (atomically) instead of standard output\n");
}

int lq_cmd_export(int argc, char **argv)
{
    enum { O_PD = 1000, O_CONN, O_KERNEL };
    static const struct option opts[] = {{"packetdrill", no_argument, 0, O_PD},
                                         {"conn", required_argument, 0, O_CONN},
                                         {"kernel", required_argument, 0, O_KERNEL},
                                         {"out", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    bool pd = false;
    const char *conn = NULL, *kernel_opt = NULL, *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case O_PD: pd = true; break;
        case O_CONN: conn = optarg; break;
        case O_KERNEL: kernel_opt = optarg; break;
        case 'o': out = optarg; break;
        case 'h': lq_export_usage(stdout); return 0;
        default: lq_export_usage(stderr); return LQ_EXIT_BADINPUT;
        }
    }
    if (!pd || optind != argc - 1) {
        if (!pd)
            fprintf(stderr, "listenq export: say which format (--packetdrill)\n");
        lq_export_usage(stderr);
        return LQ_EXIT_BADINPUT;
    }
    struct lq_profile profile;
    if (lq_finding_profile(kernel_opt, &profile, "export"))
        return LQ_EXIT_BADINPUT;
    struct lq_scenario sc;
    struct lq_err err = {0};
    if (lq_parse_file(argv[optind], &sc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return err.status ? err.status : LQ_EXIT_BADINPUT;
    }
    struct lq_strbuf t;
    lq_sb_init(&t);
    struct lq_pd_opts po = {.conn = conn, .source = argv[optind]};
    int status = 0;
    if (lq_export_packetdrill(&sc, &profile, &po, &t, &err)) {
        fprintf(stderr, "listenq export: %s\n", err.msg);
        status = err.status ? err.status : LQ_EXIT_BADINPUT;
    } else if (out) {
        if (lq_write_file_atomic(out, lq_sb_str(&t), t.len, &err)) {
            fprintf(stderr, "listenq export: %s\n", err.msg);
            status = LQ_EXIT_ERROR;
        }
    } else {
        fputs(lq_sb_str(&t), stdout);
    }
    lq_sb_free(&t);
    lq_scenario_free(&sc);
    return status;
}

/* ---- listenq fuzz ---- */

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
            "  --max-runs N   minimization runs per finding (default 2000)\n");
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

/* Runs argv with its output through a pipe into log and the progress line. */
static int lq_fz_run_fuzzer(char *const *args, const char *logpath, long total_secs,
                            struct lq_fz_progress *p)
{
    int pfd[2];
    if (pipe(pfd))
        return -1;
    FILE *log = fopen(logpath, "w");
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        if (log)
            fclose(log);
        return -1;
    }
    if (pid == 0) {
        dup2(pfd[1], STDOUT_FILENO);
        dup2(pfd[1], STDERR_FILENO);
        close(pfd[0]);
        close(pfd[1]);
        execv(args[0], args);
        fprintf(stderr, "listenq fuzz: cannot run %s: %s\n", args[0], strerror(errno));
        _exit(127);
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

struct lq_fz_group {
    int dp;
    size_t count;
    json_t *inputs; /* the crash inputs that led to it */
    json_t *json;   /* the finding's JSON object */
    char *summary;  /* one line for the list */
};

int lq_cmd_fuzz(int argc, char **argv)
{
    enum { O_JOBS = 1000, O_TIME, O_OUT, O_FUZZER, O_SEEDS, O_KERNEL, O_MAXRUNS, O_BUG };
    static const struct option opts[] = {{"jobs", required_argument, 0, O_JOBS},
                                         {"time", required_argument, 0, O_TIME},
                                         {"out", required_argument, 0, O_OUT},
                                         {"fuzzer", required_argument, 0, O_FUZZER},
                                         {"seeds", required_argument, 0, O_SEEDS},
                                         {"kernel", required_argument, 0, O_KERNEL},
                                         {"max-runs", required_argument, 0, O_MAXRUNS},
                                         {"model-bug", required_argument, 0, O_BUG},
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
            jobs = strtol(optarg, NULL, 10);
            if (jobs < 1 || jobs > 1024) {
                fprintf(stderr, "listenq fuzz: --jobs takes 1..1024\n");
                return LQ_EXIT_BADINPUT;
            }
            break;
        case O_TIME:
            secs = strtol(optarg, NULL, 10);
            if (secs < 1 || secs > 30L * 24 * 3600) {
                fprintf(stderr, "listenq fuzz: --time takes 1..2592000 seconds\n");
                return LQ_EXIT_BADINPUT;
            }
            break;
        case O_OUT: outdir = optarg; break;
        case O_FUZZER: fuzzer_opt = optarg; break;
        case O_SEEDS: seeds = optarg; break;
        case O_KERNEL: kernel_opt = optarg; break;
        case O_MAXRUNS: max_runs = strtol(optarg, NULL, 10); break;
        case O_BUG:
            if (lq_cli_model_bug("fuzz", optarg, LQ_TEST_BUILD, &bug))
                return LQ_EXIT_BADINPUT;
            break;
        case 'h': lq_fuzz_usage(stdout); return 0;
        default: lq_fuzz_usage(stderr); return LQ_EXIT_BADINPUT;
        }
    }
    char fuzzer[PATH_MAX];
    if (lq_fz_find_fuzzer(fuzzer_opt, fuzzer, sizeof(fuzzer))) {
        fprintf(stderr,
                "listenq fuzz: no listenq_diff_fuzzer (%s); build it with `make fuzz` (clang with "
                "libFuzzer) or give --fuzzer PATH\n",
                fuzzer);
        return LQ_EXIT_SKIP;
    }
    struct lq_profile profile;
    if (lq_finding_profile(kernel_opt, &profile, "fuzz"))
        return LQ_EXIT_BADINPUT;
    /* the kernel side first: without it there is nothing to compare */
    struct lq_finding_sides s;
    int status = lq_finding_sides_open(&s, &profile, bug, false, "fuzz");
    if (status)
        return status;

    char corpus[PATH_MAX], artifacts[PATH_MAX], findings[PATH_MAX], logpath[PATH_MAX];
    snprintf(corpus, sizeof(corpus), "%s/corpus", outdir);
    snprintf(artifacts, sizeof(artifacts), "%s/artifacts", outdir);
    snprintf(findings, sizeof(findings), "%s/findings", outdir);
    snprintf(logpath, sizeof(logpath), "%s/fuzzer.log", outdir);
    struct lq_err err = {0};
    if (lq_mkdir_p(corpus, &err) || lq_mkdir_p(artifacts, &err) || lq_mkdir_p(findings, &err)) {
        fprintf(stderr, "listenq fuzz: %s\n", err.msg);
        lq_finding_sides_close(&s);
        return LQ_EXIT_ERROR;
    }
    static char seeds_def[PATH_MAX];
    if (!seeds && lq_data_path("corpus/seeds/diff", seeds_def, sizeof(seeds_def)) == 0)
        seeds = seeds_def;

    /* the fuzzer's command line */
    char a_fork[32], a_time[48], a_prefix[PATH_MAX + 32], a_dict[PATH_MAX + 16];
    snprintf(a_fork, sizeof(a_fork), "-fork=%ld", jobs);
    snprintf(a_time, sizeof(a_time), "-max_total_time=%ld", secs);
    snprintf(a_prefix, sizeof(a_prefix), "-artifact_prefix=%s/", artifacts);
    snprintf(a_dict, sizeof(a_dict), "-dict=%s.dict", fuzzer);
    size_t nextra = (size_t)(argc - optind); /* libFuzzer flags after "--" */
    char **args = calloc(16 + nextra, sizeof(*args));
    if (!args) {
        lq_finding_sides_close(&s);
        return LQ_EXIT_ERROR;
    }
    size_t na = 0;
    args[na++] = fuzzer;
    args[na++] = a_fork;
    args[na++] = "-ignore_crashes=1";
    args[na++] = "-ignore_timeouts=1";
    args[na++] = "-ignore_ooms=1";
    args[na++] = a_time;
    args[na++] = a_prefix;
    args[na++] = "-print_final_stats=1";
    if (access(a_dict + 6, R_OK) == 0)
        args[na++] = a_dict;
    for (int i = optind; i < argc; i++)
        args[na++] = argv[i];
    args[na++] = corpus;
    if (seeds)
        args[na++] = (char *)seeds;
    args[na] = NULL;

    if (bug)
        setenv("LISTENQ_MODEL_BUG", lq_model_bug_name(bug), 1);
    if (kernel_opt)
        setenv("LISTENQ_KERNEL", kernel_opt, 1);
    fprintf(stderr, "listenq fuzz: %s, %ld job%s, %lds, output in %s (log: %s)\n", fuzzer, jobs,
            jobs == 1 ? "" : "s", secs, outdir, logpath);
    struct lq_fz_progress prog;
    memset(&prog, 0, sizeof(prog));
    int frc = lq_fz_run_fuzzer(args, logpath, secs, &prog);
    free(args);
    if (frc == 127) {
        lq_finding_sides_close(&s);
        return LQ_EXIT_ERROR;
    }

    /* findings */
    size_t ncrash = 0;
    char **crashes = lq_fz_crashes(artifacts, &ncrash);
    struct lq_fz_group *groups = calloc(ncrash ? ncrash : 1, sizeof(*groups));
    size_t ngroups = 0, flaky = 0;
    for (size_t i = 0; i < ncrash && groups; i++) {
        struct lq_scenario sc;
        if (lq_finding_load(crashes[i], true, &sc, &err)) {
            fprintf(stderr, "listenq fuzz: %s\n", err.msg);
            continue;
        }
        struct lq_result res;
        lq_result_init(&res);
        struct lq_min_sig sig;
        if (lq_run_scenario(&s.runner, &sc, &res, &err) == 0)
            lq_min_signature(&sc, &res, &sig);
        else
            sig.found = false;
        lq_result_free(&res);
        if (!sig.found) {
            fprintf(stderr,
                    "listenq fuzz: %s does not diverge again (flaky, or an invariant "
                    "failure of the model checks): kept as it is\n",
                    crashes[i]);
            flaky++;
            lq_scenario_free(&sc);
            continue;
        }
        struct lq_fz_group *g = NULL;
        for (size_t k = 0; k < ngroups; k++)
            if (groups[k].dp == sig.dp)
                g = &groups[k];
        if (!g) {
            g = &groups[ngroups];
            g->dp = sig.dp;
            g->inputs = json_array();
            char base[PATH_MAX];
            if (snprintf(base, sizeof(base), "%s/%02zu-%s", findings, ngroups + 1,
                         lq_min_sig_dp_name(&sig)) >= (int)sizeof(base)) {
                lq_scenario_free(&sc);
                continue;
            }
            /* the decoded input beside the minimal one */
            char orig[PATH_MAX + 8];
            snprintf(orig, sizeof(orig), "%s.lq", base);
            struct lq_strbuf t;
            lq_sb_init(&t);
            lq_sb_addf(&t, "# decoded from %s (listenq decode --no-wait)\n", crashes[i]);
            lq_print_scenario(&sc, &t);
            lq_write_file_atomic(orig, lq_sb_str(&t), t.len, &err);
            lq_sb_reset(&t);
            fprintf(stderr, "listenq fuzz: minimizing %s ...\n", crashes[i]);
            struct lq_finding_min m;
            int rc = lq_finding_minimize_to(&s.runner, s.live, &profile, bug, &sc, orig, base, NULL,
                                            (size_t)max_runs, &m, &err);
            if (rc) {
                fprintf(stderr, "listenq fuzz: %s: %s\n", crashes[i],
                        rc < 0 ? err.msg : "does not diverge again");
                lq_finding_min_free(&m);
                lq_sb_free(&t);
                json_decref(g->inputs);
                lq_scenario_free(&sc);
                flaky++;
                continue;
            }
            ngroups++;
            g->json = lq_result_json(&m.min, &m.res, m.pcap[0] ? m.pcap : NULL,
                                     s.live ? s.live->release : "", &profile);
            struct lq_strbuf sg;
            lq_sb_init(&sg);
            lq_min_sig_format(&m.sig, &sg);
            json_object_set_new(g->json, "decision_point",
                                lq_json_text(lq_min_sig_dp_name(&m.sig)));
            json_object_set_new(g->json, "signature", lq_json_text(lq_sb_str(&sg)));
            json_object_set_new(g->json, "minimized", lq_json_text(m.lq));
            json_object_set_new(g->json, "packetdrill", lq_json_text(m.pkt));
            json_object_set_new(g->json, "original", lq_json_text(orig));
            lq_sb_reset(&t);
            lq_sb_addf(&t, "%s: %s (%zu directives)\n       %s%s%s%s%s", lq_sb_str(&sg), m.lq,
                       m.st.after, m.pcap[0] ? m.pcap : "", m.pcap[0] ? "  " : "", m.pkt,
                       m.reproduced ? ""
                                    : "\n       (the minimal scenario diverged only some "
                                      "of the time)",
                       "");
            g->summary = strdup(lq_sb_str(&t));
            lq_sb_free(&sg);
            lq_sb_free(&t);
            lq_finding_min_free(&m);
        }
        g->count++;
        json_array_append_new(g->inputs, lq_json_text(crashes[i]));
        lq_scenario_free(&sc);
    }

    /* the JSON lines, one per finding */
    struct lq_strbuf j;
    lq_sb_init(&j);
    for (size_t k = 0; k < ngroups; k++) {
        json_t *o = groups[k].json ? groups[k].json : json_object();
        json_object_set_new(o, "count", json_integer((json_int_t)groups[k].count));
        json_object_set(o, "inputs", groups[k].inputs);
        char *line = lq_json_line(o);
        if (o != groups[k].json)
            json_decref(o);
        if (line)
            lq_sb_addf(&j, "%s\n", line);
        free(line);
    }
    char jpath[PATH_MAX + 32];
    snprintf(jpath, sizeof(jpath), "%s/findings.jsonl", findings);
    if (lq_write_file_atomic(jpath, lq_sb_str(&j), j.len, &err))
        fprintf(stderr, "listenq fuzz: %s\n", err.msg);
    lq_sb_free(&j);

    printf("listenq fuzz: %" PRIu64 " executions, corpus %" PRIu64 ", %zu crash input%s, %zu "
           "finding%s%s\n",
           prog.execs, prog.corpus, ncrash, ncrash == 1 ? "" : "s", ngroups,
           ngroups == 1 ? "" : "s", ngroups ? ":" : "");
    for (size_t k = 0; k < ngroups; k++)
        printf("  %zu. x%zu %s\n", k + 1, groups[k].count, groups[k].summary);
    if (ngroups)
        printf("JSON: %s\n", jpath);
    if (flaky)
        printf("%zu crash input%s did not diverge again (see %s)\n", flaky, flaky == 1 ? "" : "s",
               logpath);
    for (size_t k = 0; k < ngroups; k++) {
        json_decref(groups[k].json);
        free(groups[k].summary);
        json_decref(groups[k].inputs);
    }
    free(groups);
    for (size_t i = 0; i < ncrash; i++)
        free(crashes[i]);
    free(crashes);
    lq_finding_sides_close(&s);
    return ngroups ? LQ_EXIT_FAIL : 0;
}
