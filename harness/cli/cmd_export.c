/* harness/cli/cmd_export.c: `listenq export --packetdrill` (a scenario as
 * packetdrill scripts, checked with packetdrill on request) and `listenq
 * pd-peer` (the other connections of such a script): docs/packetdrill.md. */
#include "cmd_export.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "findings/finding.h"
#include "findings/packetdrill.h"
#include "lang/parse.h"
#include "live/pd_run.h"
#include "util/datadir.h"
#include "util/fsutil.h"
#include "util/spawn.h"

static void lq_export_usage(FILE *f)
{
    fprintf(f,
            "usage: listenq export --packetdrill [--conn NAME] [--kernel VERSION] [-o FILE] FILE\n"
            "       listenq export --packetdrill --check [--conn NAME] [--kernel VERSION] "
            "FILE...\n"
            "Writes a packetdrill script for a scenario: the flow of one connection (the\n"
            "first, or --conn), the other connections through `listenq pd-peer`, the\n"
            "replies the model expects, the expect lines as checks, and a comment listing\n"
            "what was left out. --check writes the script of every connection of each FILE\n"
            "(or of --conn) and runs it with packetdrill (LISTENQ_PACKETDRILL, else PATH)\n"
            "in a private network namespace, as TAP; exit 0 when every script passed.\n"
            "  --packetdrill     the format (the only one)\n"
            "  --conn NAME       the connection whose flow packetdrill drives\n"
            "  --kernel VERSION  model profile (default: the running kernel's)\n"
            "  -o, --out FILE    write to FILE (atomically) instead of standard output\n"
            "  --check           run the scripts with packetdrill\n"
            "  --keep DIR        with --check: keep the scripts and packetdrill's output in DIR\n");
}

/* --check: one script, run; prints its TAP line. 1 when it passed. */
static int lq_export_check_one(const struct lq_scenario *sc, const struct lq_profile *profile,
                               const char *file, const char *conn, const char *pd, const char *dir,
                               int n, int *skip, struct lq_err *err)
{
    struct lq_strbuf t, out;
    lq_sb_init(&t);
    lq_sb_init(&out);
    struct lq_pd_opts po = {.conn = conn, .source = file};
    int passed = 0;
    char script[4200];
    snprintf(script, sizeof(script), "%s/%s.%s.pkt", dir, sc->name ? sc->name : "scenario", conn);
    if (lq_export_packetdrill(sc, profile, &po, &t, err) ||
        lq_write_file_atomic_nosync(script, lq_sb_str(&t), t.len, err)) {
        printf("not ok %d - %s %s # cannot export: %s\n", n, file, conn, err->msg);
        goto out;
    }
    char bindir[4096];
    lq_self_dir(bindir, sizeof(bindir));
    int timeout = (int)(lq_scenario_wait_ms(sc) / 1000) + 60;
    if (lq_pd_run(pd, script, bindir, timeout, &out, &passed, err)) {
        if (err->status == LQ_EXIT_SKIP)
            *skip = 1;
        printf("not ok %d - %s %s # %s\n", n, file, conn, err->msg);
        goto out;
    }
    printf("%s %d - %s %s\n", passed ? "ok" : "not ok", n, file, conn);
    if (!passed) {
        const char *s = lq_sb_str(&out);
        while (*s) {
            size_t l = strcspn(s, "\n");
            printf("# %.*s\n", (int)l, s);
            s += l + (s[l] == '\n');
        }
    }
    char outpath[4300];
    snprintf(outpath, sizeof(outpath), "%s.out", script);
    lq_write_file_atomic_nosync(outpath, lq_sb_str(&out), out.len, &(struct lq_err){0});
out:
    fflush(stdout);
    lq_sb_free(&t);
    lq_sb_free(&out);
    return passed;
}

static int lq_export_check(int nfiles, char **files, const struct lq_profile *profile,
                           const char *conn, const char *keep)
{
    char pd[4096];
    struct lq_err err = {0};
    if (lq_pd_find(pd, sizeof(pd), &err)) {
        printf("1..0 # SKIP %s\n", err.msg);
        return LQ_EXIT_SKIP;
    }
    char dir[4096];
    if (keep) {
        if (lq_mkdir_p(keep, &err)) {
            fprintf(stderr, "listenq export: %s\n", err.msg);
            return LQ_EXIT_ERROR;
        }
        snprintf(dir, sizeof(dir), "%s", keep);
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof(dir), "%s/listenq-pd.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) {
            perror("listenq export: mkdtemp");
            return LQ_EXIT_ERROR;
        }
    }
    int n = 0, passed = 0, skip = 0, bad = 0;
    for (int f = 0; f < nfiles && !skip; f++) {
        struct lq_scenario sc;
        if (lq_parse_file(files[f], &sc, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            bad = 1;
            continue;
        }
        uint16_t idx[LQ_PD_MAX_SCRIPTS];
        size_t k = conn ? 1 : lq_pd_conns(&sc, idx, LQ_PD_MAX_SCRIPTS);
        for (size_t i = 0; i < k && !skip; i++)
            passed += lq_export_check_one(&sc, profile, files[f], conn ? conn : sc.conns[idx[i]],
                                          pd, dir, ++n, &skip, &err);
        lq_scenario_free(&sc);
    }
    printf("1..%d\n# packetdrill passed %d of %d scripts (%s)\n", n, passed, n, pd);
    if (!keep)
        lq_rm_rf(dir);
    if (bad)
        return LQ_EXIT_BADINPUT;
    if (skip)
        return LQ_EXIT_SKIP;
    return passed == n ? 0 : LQ_EXIT_FAIL;
}

int lq_cmd_export(int argc, char **argv)
{
    enum { O_PD = 1000, O_CONN, O_KERNEL, O_CHECK, O_KEEP };
    static const struct option opts[] = {{"packetdrill", no_argument, 0, O_PD},
                                         {"conn", required_argument, 0, O_CONN},
                                         {"kernel", required_argument, 0, O_KERNEL},
                                         {"check", no_argument, 0, O_CHECK},
                                         {"keep", required_argument, 0, O_KEEP},
                                         {"out", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    bool pd = false, check = false;
    const char *conn = NULL, *kernel_opt = NULL, *out = NULL, *keep = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case O_PD: pd = true; break;
        case O_CONN: conn = optarg; break;
        case O_KERNEL: kernel_opt = optarg; break;
        case O_CHECK: check = true; break;
        case O_KEEP: keep = optarg; break;
        case 'o': out = optarg; break;
        case 'h': lq_export_usage(stdout); return 0;
        default: lq_export_usage(stderr); return LQ_EXIT_BADINPUT;
        }
    }
    if (!pd || (check ? optind >= argc || out : optind != argc - 1) || (keep && !check)) {
        if (!pd)
            fprintf(stderr, "listenq export: say which format (--packetdrill)\n");
        lq_export_usage(stderr);
        return LQ_EXIT_BADINPUT;
    }
    struct lq_profile profile;
    if (lq_finding_profile(kernel_opt, &profile, "export"))
        return LQ_EXIT_BADINPUT;
    if (check)
        return lq_export_check(argc - optind, argv + optind, &profile, conn, keep);
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
