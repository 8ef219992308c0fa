/* harness/cli/cmd_export.c: `listenq export --packetdrill` (a scenario as
 * packetdrill scripts, checked with packetdrill on request) and `listenq
 * pd-peer` (the other connections of such a script): docs/packetdrill.md. */
#include "cmd_export.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "findings/finding.h"
#include "findings/packetdrill.h"
#include "lang/parse.h"
#include "live/pd_peer.h"
#include "live/pd_run.h"
#include "util/datadir.h"
#include "util/fsutil.h"
#include "util/spawn.h"

static void lq_export_usage(FILE *f)
{
    fprintf(
        f,
        "usage: listenq export --packetdrill [--conn NAME] [--kernel VERSION] [--family 4|6] [-o "
        "FILE] FILE\n"
        "       listenq export --packetdrill --check [--conn NAME] [--kernel VERSION] "
        "[--family 4|6|both] FILE...\n"
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
        "  --keep DIR        with --check: keep the scripts and packetdrill's output in DIR\n"
        "  --family 4|6|both family-neutral scenarios over IPv4 (the default), IPv6, or\n"
        "                    both (--check only), as listenq run --family\n");
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
    const char *label = conn ? conn : "(no connection)";
    char script[4200], fam[16] = "";
    if (sc->family_label) /* a --family run: FILE@ipv6 */
        snprintf(fam, sizeof(fam), "@%s", lq_family_name((enum lq_family)sc->run_family));
    snprintf(script, sizeof(script), "%s/%s%s.%s.pkt", dir, sc->name ? sc->name : "scenario", fam,
             conn ? conn : "none");
    if (lq_export_packetdrill(sc, profile, &po, &t, err) ||
        lq_write_file_atomic_nosync(script, lq_sb_str(&t), t.len, err)) {
        /* a script packetdrill cannot say (LQ_EXIT_SKIP: several listeners,
         * an ICMP error through pd-peer) is a skip with its reason */
        if (err->status == LQ_EXIT_SKIP) {
            printf("ok %d - %s%s %s # SKIP cannot export: %s\n", n, file, fam, label, err->msg);
            passed = 1;
        } else {
            printf("not ok %d - %s%s %s # cannot export: %s\n", n, file, fam, label, err->msg);
        }
        goto out;
    }
    char bindir[4096];
    lq_self_dir(bindir, sizeof(bindir));
    int timeout = (int)(lq_scenario_wait_ms(sc) / 1000) + 60;
    uint16_t ci = 0;
    for (size_t k = 0; conn && k < sc->nconns; k++)
        if (strcmp(sc->conns[k], conn) == 0)
            ci = (uint16_t)k;
    if (lq_pd_run(pd, lq_pd_ip_version(sc, ci), script, bindir, timeout, &out, &passed, err)) {
        if (err->status == LQ_EXIT_SKIP)
            *skip = 1;
        printf("not ok %d - %s%s %s # %s\n", n, file, fam, label, err->msg);
        goto out;
    }
    printf("%s %d - %s%s %s\n", passed ? "ok" : "not ok", n, file, fam, label);
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
                           const char *conn, const char *keep, unsigned fams)
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
        if (sc.nlsn) {
            /* no script to run: a packetdrill script has one listening socket */
            printf("# %s: not exported (a scenario with listener lines: a packetdrill script "
                   "has one listening socket)\n",
                   files[f]);
            lq_scenario_free(&sc);
            continue;
        }
        uint16_t idx[LQ_PD_MAX_SCRIPTS];
        size_t k = conn ? 1 : lq_pd_conns(&sc, idx, LQ_PD_MAX_SCRIPTS);
        /* a scenario without a segment (listen and setsockopt calls only)
         * has one script, of no connection */
        bool none = k == 0;
        /* --family: a family-neutral scenario once per family asked for */
        sc.family_label = fams != 0;
        for (unsigned fb = 0; fb < 2 && !skip; fb++) {
            if (sc.family == LQ_SCN_NEUTRAL ? fams && !(fams & (1u << fb)) : fb)
                continue;
            if (sc.family == LQ_SCN_NEUTRAL && fams)
                sc.run_family = fb ? LQ_FAMILY_IPV6 : LQ_FAMILY_IPV4;
            for (size_t i = 0; i < (none ? 1 : k) && !skip; i++)
                passed += lq_export_check_one(&sc, profile, files[f],
                                              conn   ? conn
                                              : none ? NULL
                                                     : sc.conns[idx[i]],
                                              pd, dir, ++n, &skip, &err);
            if (!fams)
                break;
        }
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
    enum { O_PD = 1000, O_CONN, O_KERNEL, O_CHECK, O_KEEP, O_FAMILY };
    static const struct option opts[] = {{"packetdrill", no_argument, 0, O_PD},
                                         {"conn", required_argument, 0, O_CONN},
                                         {"kernel", required_argument, 0, O_KERNEL},
                                         {"check", no_argument, 0, O_CHECK},
                                         {"keep", required_argument, 0, O_KEEP},
                                         {"family", required_argument, 0, O_FAMILY},
                                         {"out", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    bool pd = false, check = false;
    unsigned fams = 0;
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
        case O_FAMILY:
            if (lq_cli_family_opt("export", optarg, &fams))
                return LQ_EXIT_BADINPUT;
            break;
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
        return lq_export_check(argc - optind, argv + optind, &profile, conn, keep, fams);
    if (fams == (LQ_CORPUS_FAM_4 | LQ_CORPUS_FAM_6)) {
        fprintf(stderr, "listenq export: --family both writes two scripts: with --check only\n");
        return LQ_EXIT_BADINPUT;
    }
    struct lq_scenario sc;
    struct lq_err err = {0};
    if (lq_parse_file(argv[optind], &sc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return err.status ? err.status : LQ_EXIT_BADINPUT;
    }
    if (fams && sc.family == LQ_SCN_NEUTRAL)
        sc.run_family = fams == LQ_CORPUS_FAM_6 ? LQ_FAMILY_IPV6 : LQ_FAMILY_IPV4;
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

/* ---- listenq pd-peer ---- */

static void lq_pd_peer_usage(FILE *f)
{
    fprintf(f, "usage: listenq pd-peer send --sport PORT --flags FLAGS --seq N [options] [-- ...]\n"
               "       listenq pd-peer accept --sport PORT [--mss N] | --errno EAGAIN|EINVAL\n"
               "       listenq pd-peer bind [--lport PORT] [--v6only N]\n"
               "       listenq pd-peer release\n"
               "The other connections of an exported packetdrill script (docs/packetdrill.md),\n"
               "run from its backtick lines, in packetdrill's namespace only.\n"
               "send: one segment from 192.0.2.2:PORT (--ipv6: 2001:db8::2) to the listener, then\n"
               "the replies the model\n"
               "predicts (--expect synack,ack,rst; none: do not wait), each within --timeout-ms;\n"
               "a SYN-ACK's options exactly: synack/mss=1460/ws=7/sack/ts/fo (the others absent;\n"
               "fo: the kernel's Fast Open cookie for these addresses);\n"
               "several segments, separated by --, are sent one after the other.\n"
               "  --flags FLAGS       S F R P . (ACK), as packetdrill writes them\n"
               "  --ack N | --ack-srv N     the ack field, or the server's ISN + N\n"
               "  --win N --len N --mss N --wscale N --sackok --ts VAL\n"
               "  --tsecr N | --tsecr-srv N the TS echo, or the server's first TSval + N\n"
               "  --fo request|kernel|kernel-flipped|HEX   a Fast Open option: a cookie\n"
               "                      request, the kernel's cookie for these addresses (under\n"
               "                      the key the script sets), it flipped, or these bytes\n"
               "  --lport PORT --dst ADDR --if DEV --state FILE   (defaults: 8080, tun0's, tun0)\n"
               "accept: accept() on packetdrill's listener; the connection from PORT (its\n"
               "TCP_MAXSEG is --mss N) or a failure with --errno; the socket stays open until\n"
               "packetdrill ends.\n"
               "bind: binds packetdrill's socket, before its bind(), to [::]:PORT with\n"
               "IPV6_V6ONLY N (default 0): a dual-stack listener.\n"
               "release: resets the connections accept held (the script's cleanup command).\n");
}

static int lq_pd_peer_num(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || *end || end == s || v < lo || v > hi) {
        fprintf(stderr, "listenq pd-peer: bad number '%s' (%lld..%lld)\n", s, (long long)lo,
                (long long)hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int lq_pd_peer_flags(const char *s, uint8_t *out)
{
    *out = 0;
    for (; *s; s++) {
        switch (*s) {
        case 'S': *out |= LQ_TH_SYN; break;
        case 'F': *out |= LQ_TH_FIN; break;
        case 'R': *out |= LQ_TH_RST; break;
        case 'P': *out |= LQ_TH_PSH; break;
        case '.': *out |= LQ_TH_ACK; break;
        case 'U': *out |= LQ_TH_URG; break;
        case 'E': *out |= LQ_TH_ECE; break;
        case 'W': *out |= LQ_TH_CWR; break;
        case '-': break; /* no flags */
        default: fprintf(stderr, "listenq pd-peer: bad flag '%c' in --flags\n", *s); return -1;
        }
    }
    return 0;
}

static int lq_pd_peer_expect(char *s, struct lq_pdp_args *a)
{
    if (strcmp(s, "none") == 0)
        return 0;
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
        if (lq_pdp_expect_parse(a, tok) < 0) {
            fprintf(stderr, "listenq pd-peer: bad --expect '%s'\n", tok);
            return -1;
        }
    }
    return 0;
}

/* --fo request|kernel|kernel-flipped|HEX (2 to 32 hex digits, even) */
static int lq_pd_peer_fo(const char *s, struct lq_pdp_args *a)
{
    struct lq_tcpopt *o = &a->seg.opt;
    o->has_fo = true;
    o->fo_exp = false;
    o->fo_len = 0;
    a->fo_kernel = strcmp(s, "kernel") == 0 || strcmp(s, "kernel-flipped") == 0;
    a->fo_flip = strcmp(s, "kernel-flipped") == 0;
    if (a->fo_kernel || strcmp(s, "request") == 0)
        return 0;
    size_t n = strlen(s);
    if (n < 2 || n > 2 * LQ_TFO_COOKIE_MAX || n % 2 || strspn(s, "0123456789abcdefABCDEF") != n) {
        fprintf(stderr,
                "listenq pd-peer: bad --fo '%s' (request, kernel, kernel-flipped or 2..32 hex "
                "digits)\n",
                s);
        return -1;
    }
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        sscanf(s + 2 * i, "%2x", &v);
        o->fo[i] = (uint8_t)v;
    }
    o->fo_len = (uint8_t)(n / 2);
    return 0;
}

struct lq_pd_peer_one {
    struct lq_pdp_args a;
    bool have_sport, have_flags, have_seq;
    int mss_accept, errno_want, hold, v6only;
};

/* One segment's (or the accept's) options: argv[1..argc), getopt style. */
static int lq_pd_peer_parse(int argc, char **argv, struct lq_pd_peer_one *o)
{
    enum {
        O_SPORT = 1000,
        O_FLAGS,
        O_SEQ,
        O_ACK,
        O_ACK_SRV,
        O_WIN,
        O_LEN,
        O_MSS,
        O_WSCALE,
        O_SACKOK,
        O_TS,
        O_TSECR,
        O_TSECR_SRV,
        O_EXPECT,
        O_TIMEOUT,
        O_LPORT,
        O_DST,
        O_IF,
        O_STATE,
        O_ERRNO,
        O_HOLD,
        O_IPV6,
        O_V6ONLY,
        O_FO
    };
    static const struct option opts[] = {{"sport", required_argument, 0, O_SPORT},
                                         {"flags", required_argument, 0, O_FLAGS},
                                         {"seq", required_argument, 0, O_SEQ},
                                         {"ack", required_argument, 0, O_ACK},
                                         {"ack-srv", required_argument, 0, O_ACK_SRV},
                                         {"win", required_argument, 0, O_WIN},
                                         {"len", required_argument, 0, O_LEN},
                                         {"mss", required_argument, 0, O_MSS},
                                         {"wscale", required_argument, 0, O_WSCALE},
                                         {"sackok", no_argument, 0, O_SACKOK},
                                         {"ts", required_argument, 0, O_TS},
                                         {"tsecr", required_argument, 0, O_TSECR},
                                         {"tsecr-srv", required_argument, 0, O_TSECR_SRV},
                                         {"expect", required_argument, 0, O_EXPECT},
                                         {"timeout-ms", required_argument, 0, O_TIMEOUT},
                                         {"lport", required_argument, 0, O_LPORT},
                                         {"dst", required_argument, 0, O_DST},
                                         {"if", required_argument, 0, O_IF},
                                         {"state", required_argument, 0, O_STATE},
                                         {"errno", required_argument, 0, O_ERRNO},
                                         {"hold", required_argument, 0, O_HOLD},
                                         {"ipv6", no_argument, 0, O_IPV6},
                                         {"v6only", required_argument, 0, O_V6ONLY},
                                         {"fo", required_argument, 0, O_FO},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct lq_pdp_args *a = &o->a;
    memset(o, 0, sizeof(*o));
    a->seg.dport = 8080;
    a->seg.win = 65535;
    a->ifname = "tun0";
    a->timeout_ms = 1000;
    o->mss_accept = -1;
    o->hold = 660;
    int64_t v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_SPORT:
            bad = lq_pd_peer_num(optarg, 1, 65535, &v);
            a->seg.sport = (uint16_t)v;
            o->have_sport = true;
            break;
        case O_FLAGS:
            bad = lq_pd_peer_flags(optarg, &a->seg.flags);
            o->have_flags = true;
            break;
        case O_SEQ:
            bad = lq_pd_peer_num(optarg, 0, UINT32_MAX, &v);
            a->seg.seq = (uint32_t)v;
            o->have_seq = true;
            break;
        case O_ACK:
        case O_ACK_SRV:
            bad = lq_pd_peer_num(optarg, INT32_MIN, UINT32_MAX, &v);
            a->seg.ack = (uint32_t)v;
            a->ack_srv = c == O_ACK_SRV;
            break;
        case O_WIN:
            bad = lq_pd_peer_num(optarg, 0, 65535, &v);
            a->seg.win = (uint16_t)v;
            break;
        case O_LEN:
            bad = lq_pd_peer_num(optarg, 0, 1400, &v);
            a->seg.len = (uint32_t)v;
            break;
        case O_MSS:
            bad = lq_pd_peer_num(optarg, 0, 65535, &v);
            a->seg.opt.has_mss = true;
            a->seg.opt.mss = (uint16_t)v;
            o->mss_accept = (int)v;
            break;
        case O_WSCALE:
            bad = lq_pd_peer_num(optarg, 0, 255, &v);
            a->seg.opt.has_wscale = true;
            a->seg.opt.wscale = (uint8_t)v;
            break;
        case O_SACKOK: a->seg.opt.sack_perm = true; break;
        case O_TS:
            bad = lq_pd_peer_num(optarg, 0, UINT32_MAX, &v);
            a->seg.opt.has_ts = true;
            a->seg.opt.tsval = (uint32_t)v;
            break;
        case O_TSECR:
        case O_TSECR_SRV:
            bad = lq_pd_peer_num(optarg, INT32_MIN, UINT32_MAX, &v);
            a->seg.opt.tsecr = (uint32_t)v;
            a->tsecr_srv = c == O_TSECR_SRV;
            break;
        case O_EXPECT: bad = lq_pd_peer_expect(optarg, a); break;
        case O_FO: bad = lq_pd_peer_fo(optarg, a); break;
        case O_TIMEOUT:
            bad = lq_pd_peer_num(optarg, 1, 60000, &v);
            a->timeout_ms = (int)v;
            break;
        case O_LPORT:
            bad = lq_pd_peer_num(optarg, 1, 65535, &v);
            a->seg.dport = (uint16_t)v;
            break;
        case O_DST: a->dst = optarg; break;
        case O_IF: a->ifname = optarg; break;
        case O_STATE: a->state = optarg; break;
        case O_ERRNO:
            if (strcmp(optarg, "EAGAIN") == 0)
                o->errno_want = EAGAIN;
            else if (strcmp(optarg, "EINVAL") == 0)
                o->errno_want = EINVAL;
            else
                bad = 1;
            break;
        case O_HOLD:
            bad = lq_pd_peer_num(optarg, 1, 3600, &v);
            o->hold = (int)v;
            break;
        case O_IPV6: a->seg.ipv6 = true; break;
        case O_V6ONLY:
            bad = lq_pd_peer_num(optarg, 0, 1, &v);
            o->v6only = (int)v;
            break;
        case 'h': return 1;
        default: bad = 1; break;
        }
        if (bad)
            return -1;
    }
    return optind == argc ? 0 : -1;
}

int lq_cmd_pd_peer(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        lq_pd_peer_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? LQ_EXIT_BADINPUT : 0;
    }
    bool is_send = strcmp(argv[1], "send") == 0, is_accept = strcmp(argv[1], "accept") == 0,
         is_bind = strcmp(argv[1], "bind") == 0;
    if (strcmp(argv[1], "release") == 0 && argc == 2) {
        struct lq_err err = {0};
        if (lq_pdp_release(&err)) {
            fprintf(stderr, "listenq pd-peer release: %s\n", err.msg);
            return err.status ? err.status : LQ_EXIT_ERROR;
        }
        return 0;
    }
    if (!is_send && !is_accept && !is_bind) {
        lq_pd_peer_usage(stderr);
        return LQ_EXIT_BADINPUT;
    }
    /* send: segments separated by "--", sent one after the other (events
     * of the scenario close together stay close together) */
    static struct lq_pd_peer_one one[64];
    int n = 0;
    for (int start = 2; start <= argc && n < 64;) {
        int end = start;
        while (end < argc && strcmp(argv[end], "--") != 0)
            end++;
        char *sub[512];
        int sn = 0;
        sub[sn++] = argv[0];
        for (int k = start; k < end && sn < 511; k++)
            sub[sn++] = argv[k];
        sub[sn] = NULL;
        struct lq_pd_peer_one *o = &one[n++];
        int rc = lq_pd_peer_parse(sn, sub, o);
        if (rc > 0) {
            lq_pd_peer_usage(stdout);
            return 0;
        }
        if (rc < 0 || (is_send && (!o->have_sport || !o->have_flags || !o->have_seq)) ||
            (is_accept && (!o->have_sport && !o->errno_want)) ||
            ((is_accept || is_bind) && end < argc)) {
            fprintf(stderr, "listenq pd-peer %s: missing, bad or extra arguments\n", argv[1]);
            lq_pd_peer_usage(stderr);
            return LQ_EXIT_BADINPUT;
        }
        start = end + 1;
        if (end == argc)
            break;
    }
    for (int k = 0; k < n; k++) {
        struct lq_err err = {0};
        const struct lq_pd_peer_one *o = &one[k];
        int rc = is_send   ? lq_pdp_run(&o->a, &err)
                 : is_bind ? lq_pdp_bind(o->a.seg.dport, o->v6only, &err)
                           : lq_pdp_accept(o->a.seg.dport, o->a.seg.sport, o->mss_accept,
                                           o->errno_want, o->hold, &err);
        if (rc) {
            fprintf(stderr, "listenq pd-peer %s: %s\n", argv[1], err.msg);
            return err.status ? err.status : LQ_EXIT_ERROR;
        }
    }
    return 0;
}
