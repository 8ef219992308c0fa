/* harness/findings/packetdrill.c: see packetdrill.h. */
#include "packetdrill.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/backend.h"
#include "run/client.h"
#include "lang/print.h"

#define LQ_PD_LPORT       8080u  /* packetdrill's default local port */
#define LQ_PD_CLI_TS_BASE 10000u /* the client's first TSval, as the script writes it */
#define LQ_PD_SRV_TS_BASE 1000u  /* the server's first TSval, as the script writes it */

/* The sysctls the listenq harness fixes in its namespaces (backend_live.c). */
static const char *const lq_pd_fixed[] = {"net.ipv4.tcp_no_metrics_save=1",
                                          "net.ipv4.tcp_rmem=\"4096 131072 6291456\"",
                                          "net.ipv4.tcp_challenge_ack_limit=2147483647",
                                          "net.ipv4.tcp_invalid_ratelimit=500",
                                          "net.ipv4.tcp_min_snd_mss=48",
                                          "net.ipv4.tcp_comp_sack_nr=0"};

struct lq_pd {
    const struct lq_scenario *sc;
    uint16_t conn; /* the exported connection */
    struct lq_strbuf body;
    /* what was left out, one entry per kind */
    struct lq_strbuf left_accepts, left_expects;
    bool any_wait, any_cookie, any_delack, any_new_isn;
    /* numbering */
    bool have_isn0, have_srv, have_cli_ts, have_srv_ts;
    uint32_t isn0, srv_isn0, cli_ts0, srv_ts0;
    int next_fd;
    uint64_t pending_ms; /* time to put before the next line */
    bool started;        /* the socket() line is out */
};

static uint32_t lq_pd_line(const struct lq_scenario *sc, size_t i)
{
    return sc->d[i].line ? sc->d[i].line : (uint32_t)(i + 1);
}

static void lq_pd_time(struct lq_pd *p)
{
    uint64_t ms = p->pending_ms;
    p->pending_ms = 0;
    if (ms % 1000 == 0)
        lq_sb_addf(&p->body, "+%" PRIu64 " ", ms / 1000);
    else
        lq_sb_addf(&p->body, "+%" PRIu64 ".%03" PRIu64 " ", ms / 1000, ms % 1000);
}

static void lq_pd_flags(uint8_t f, struct lq_strbuf *out)
{
    char s[8];
    size_t n = 0;
    if (f & LQ_TH_SYN)
        s[n++] = 'S';
    if (f & LQ_TH_FIN)
        s[n++] = 'F';
    if (f & LQ_TH_RST)
        s[n++] = 'R';
    if (f & LQ_TH_PSH)
        s[n++] = 'P';
    if (f & LQ_TH_ACK)
        s[n++] = '.';
    if (!n)
        s[n++] = '-';
    s[n] = '\0';
    lq_sb_add(out, s);
}

static uint32_t lq_pd_cli_ts(struct lq_pd *p, uint32_t v)
{
    return v - p->cli_ts0 + LQ_PD_CLI_TS_BASE;
}

static uint32_t lq_pd_srv_ts(struct lq_pd *p, uint32_t v)
{
    return v - p->srv_ts0 + LQ_PD_SRV_TS_BASE;
}

/* The options in the layout listenq's client and the kernel both use
 * (lq_frame_tcp_options, tcp_options_write). in: from the client. */
static void lq_pd_options(struct lq_pd *p, const struct lq_tcpopt *o, bool in, bool syn,
                          struct lq_strbuf *out)
{
    bool any = o->has_mss || o->has_ts || o->has_wscale || o->sack_perm;
    if (!any)
        return;
    lq_sb_add(out, " <");
    bool first = true;
#define LQ_PD_OPT(...)                           \
    do {                                         \
        lq_sb_addf(out, "%s", first ? "" : ","); \
        lq_sb_addf(out, __VA_ARGS__);            \
        first = false;                           \
    } while (0)
    if (o->has_mss)
        LQ_PD_OPT("mss %u", o->mss);
    if (o->has_ts) {
        if (o->sack_perm)
            LQ_PD_OPT("sackOK");
        else
            LQ_PD_OPT("nop,nop");
        uint32_t val, ecr;
        if (in) {
            val = lq_pd_cli_ts(p, o->tsval);
            ecr = o->tsecr && p->have_srv_ts ? lq_pd_srv_ts(p, o->tsecr) : o->tsecr;
        } else {
            val = lq_pd_srv_ts(p, o->tsval);
            ecr = p->have_cli_ts ? lq_pd_cli_ts(p, o->tsecr) : o->tsecr;
        }
        LQ_PD_OPT("TS val %" PRIu32 " ecr %" PRIu32, val, ecr);
    }
    if (o->has_wscale)
        LQ_PD_OPT("nop,wscale %u", o->wscale);
    if (o->sack_perm && !o->has_ts)
        LQ_PD_OPT("nop,nop,sackOK");
#undef LQ_PD_OPT
    (void)syn;
    lq_sb_addc(out, '>');
}

/* "< S 0:0(0) win 65535 <...>" for a client segment of the exported connection. */
static void lq_pd_inbound(struct lq_pd *p, const struct lq_seg *s)
{
    if ((s->flags & LQ_TH_SYN) && !p->have_isn0) {
        p->have_isn0 = true;
        p->isn0 = s->seq;
    }
    if (s->opt.has_ts && !p->have_cli_ts && (s->flags & LQ_TH_SYN)) {
        p->have_cli_ts = true;
        p->cli_ts0 = s->opt.tsval;
    }
    if (s->opt.has_ts && !p->have_cli_ts) {
        p->have_cli_ts = true;
        p->cli_ts0 = s->opt.tsval;
    }
    uint32_t seq = p->have_isn0 ? s->seq - p->isn0 : s->seq;
    lq_pd_time(p);
    lq_sb_add(&p->body, "< ");
    lq_pd_flags(s->flags, &p->body);
    lq_sb_addf(&p->body, " %" PRIu32 ":%" PRIu32 "(%" PRIu32 ")", seq, seq + s->len, s->len);
    if (s->flags & LQ_TH_ACK)
        lq_sb_addf(&p->body, " ack %" PRIu32, p->have_srv ? s->ack - p->srv_isn0 : s->ack);
    lq_sb_addf(&p->body, " win %u", s->win);
    lq_pd_options(p, &s->opt, true, (s->flags & LQ_TH_SYN) != 0, &p->body);
}

/* "> S. 0:0(0) ack 1 <...>" for a reply to the exported connection. */
static void lq_pd_outbound(struct lq_pd *p, const struct lq_reply *r, uint64_t at_ms)
{
    const struct lq_seg *s = &r->seg;
    bool synack = (s->flags & (LQ_TH_SYN | LQ_TH_ACK)) == (LQ_TH_SYN | LQ_TH_ACK);
    bool new_isn = false;
    if (synack && !p->have_srv) {
        p->have_srv = true;
        p->srv_isn0 = s->seq;
    } else if (synack && s->seq != p->srv_isn0) {
        new_isn = true;
        p->any_new_isn = true;
    }
    if (s->opt.has_ts && !p->have_srv_ts) {
        p->have_srv_ts = true;
        p->srv_ts0 = s->opt.tsval;
    }
    uint32_t seq = p->have_srv ? s->seq - p->srv_isn0 : s->seq;
    if (synack && new_isn)
        seq = 0; /* as packetdrill writes a SYN-ACK; the comment says why it fails */
    bool deferred = r->timing == LQ_PKT_DEFERRED || r->timing == LQ_PKT_DEFERRED_FIRED;
    struct lq_strbuf *b = &p->body;
    if (deferred) {
        p->any_delack = true;
        lq_sb_addf(b, "// the model expects a delayed ACK by +%" PRIu64 ".%03" PRIu64 "s: ",
                   at_ms / 1000, at_ms % 1000);
    } else {
        p->pending_ms += at_ms;
        lq_pd_time(p);
    }
    lq_sb_add(b, "> ");
    lq_pd_flags(s->flags, b);
    lq_sb_addf(b, " %" PRIu32 ":%" PRIu32 "(%" PRIu32 ")", seq, seq + s->len, s->len);
    if (s->flags & LQ_TH_ACK)
        lq_sb_addf(b, " ack %" PRIu32, p->have_isn0 ? s->ack - p->isn0 : s->ack);
    lq_pd_options(p, &s->opt, false, synack, b);
    if (r->cookie)
        p->any_cookie = true;
    if (r->cookie && new_isn)
        lq_sb_add(b, "  // SYN cookie: ISN * and TS val * are the kernel's; another ISN than "
                     "the first SYN-ACK's");
    else if (r->cookie)
        lq_sb_add(b, "  // SYN cookie: ISN * and TS val * are the kernel's");
    else if (new_isn)
        lq_sb_add(b, "  // another server ISN than the first SYN-ACK's: packetdrill numbers "
                     "from the first");
    else if (r->timing == LQ_PKT_TIMER)
        lq_sb_add(b, "  // timer");
    lq_sb_addc(b, '\n');
}

static void lq_pd_dps(struct lq_pd *p, const struct lq_replies *rs)
{
    bool first = true;
    for (size_t i = 0; i < rs->ndps; i++) {
        uint16_t dp = rs->dps[i];
        if (dp == LQ_DP_RCV_REQUEST || dp == LQ_DP_RCV_CHILD || dp == LQ_DP_RCV_LISTENER)
            continue;
        const struct lq_dp_info *info = lq_dp_info((enum lq_dp)dp);
        lq_sb_addf(&p->body, "%s%s", first ? "  // model: " : ", ", info ? info->name : "?");
        first = false;
    }
}

static void lq_pd_replies(struct lq_pd *p, const struct lq_replies *rs)
{
    uint64_t last = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const struct lq_reply *r = &rs->r[i];
        if (r->seg.conn != p->conn || r->timing == LQ_PKT_DEFERRED_FIRED)
            continue; /* a fired delayed ACK was written where it was scheduled */
        uint64_t at = r->t_us > 0 ? (uint64_t)r->t_us / 1000 : 0;
        bool deferred = r->timing == LQ_PKT_DEFERRED || r->timing == LQ_PKT_DEFERRED_FIRED;
        if (deferred || at < last) {
            lq_pd_outbound(p, r, at);
        } else {
            lq_pd_outbound(p, r, at - last);
            last = at;
        }
    }
}

/* "5, 7, 9" style lists of directive lines. */
static void lq_pd_note_line(struct lq_strbuf *b, uint32_t line)
{
    lq_sb_addf(b, "%s%u", b->len ? ", " : "", line);
}

static void lq_pd_errno_line(struct lq_strbuf *b, int rc)
{
    if (!rc) {
        lq_sb_add(b, " = 0");
        return;
    }
    const char *name = rc == -EINVAL ? "EINVAL" : rc == -EAGAIN ? "EAGAIN" : "EPERM";
    lq_sb_addf(b, " = -1 %s (%s)", name, strerror(-rc));
}

static void lq_pd_socket(struct lq_pd *p)
{
    if (p->started)
        return;
    p->started = true;
    lq_sb_add(&p->body, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                        "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
                        "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
                        "+0 bind(3, ..., ...) = 0\n");
}

int lq_export_packetdrill(const struct lq_scenario *sc, const struct lq_profile *profile,
                          const struct lq_pd_opts *o, struct lq_strbuf *out, struct lq_err *err)
{
    struct lq_pd p;
    memset(&p, 0, sizeof(p));
    p.sc = sc;
    p.next_fd = 4;
    /* the exported connection: asked for, else the first one a segment uses */
    bool found = false;
    if (o && o->conn) {
        for (size_t i = 0; i < sc->nconns; i++)
            if (strcmp(sc->conns[i], o->conn) == 0) {
                p.conn = (uint16_t)i;
                found = true;
            }
        if (!found)
            return lq_errf(err, LQ_EXIT_BADINPUT, "no connection named %s in the scenario",
                           o->conn);
    } else {
        for (size_t i = 0; i < sc->n && !found; i++)
            if (lq_dir_is_segment(sc->d[i].kind)) {
                p.conn = sc->d[i].conn;
                found = true;
            }
    }

    struct lq_backend *m = lq_backend_model_new(profile, err);
    if (!m)
        return -1;
    if (o && o->bug)
        lq_backend_model_set_bug(m, o->bug);
    struct lq_client cl;
    if (lq_client_init(&cl, sc, LQ_PD_LPORT)) {
        m->ops->destroy(m);
        return lq_errf(err, LQ_EXIT_ERROR, "out of memory");
    }
    m->ops->begin(m, sc, LQ_PD_LPORT, err);
    for (int s = 0; s < LQ_SYSCTL_COUNT; s++)
        m->ops->sysctl(m, (enum lq_sysctl)s, lq_model_sysctl_default(profile, (enum lq_sysctl)s),
                       err);

    lq_sb_init(&p.body);
    lq_sb_init(&p.left_accepts);
    lq_sb_init(&p.left_expects);
    /* the set-up sysctls: the harness's, the profile's defaults as the
     * runner sets them, then the scenario's leading ones */
    int64_t setup[LQ_SYSCTL_COUNT];
    for (int s = 0; s < LQ_SYSCTL_COUNT; s++)
        setup[s] = lq_model_sysctl_default(profile, (enum lq_sysctl)s);

    /* other connections: their lines, by name */
    struct lq_strbuf *other = calloc(sc->nconns ? sc->nconns : 1, sizeof(*other));
    if (!other) {
        lq_client_free(&cl);
        m->ops->destroy(m);
        return lq_errf(err, LQ_EXIT_ERROR, "out of memory");
    }
    for (size_t i = 0; i < sc->nconns; i++)
        lq_sb_init(&other[i]);

    struct lq_replies rs;
    memset(&rs, 0, sizeof(rs));
    bool leading = true;
    for (size_t i = 0; i < sc->n; i++) {
        const struct lq_directive *d = &sc->d[i];
        uint32_t line = lq_pd_line(sc, i);
        lq_replies_clear(&rs);
        int rc = 0, res = 0;
        uint16_t mss = 0;
        switch (d->kind) {
        case LQ_D_SYSCTL:
            m->ops->sysctl(m, (enum lq_sysctl)d->u.sysctl.id, d->u.sysctl.value, err);
            if (leading && d->u.sysctl.id < LQ_SYSCTL_COUNT) {
                setup[d->u.sysctl.id] = d->u.sysctl.value;
            } else {
                lq_pd_time(&p);
                lq_sb_addf(&p.body, "`sysctl -q %s=%" PRId64 "`\n",
                           lq_sysctl_name((enum lq_sysctl)d->u.sysctl.id), d->u.sysctl.value);
            }
            continue;
        case LQ_D_SEED:
        case LQ_D_BLANK:
        case LQ_D_COMMENT: continue;
        case LQ_D_EXPECT: lq_pd_note_line(&p.left_expects, line); continue;
        default: break;
        }
        leading = false;
        lq_pd_socket(&p);
        switch (d->kind) {
        case LQ_D_LISTEN:
            m->ops->listen(m, d->u.backlog, &rc, &rs, err);
            lq_pd_time(&p);
            lq_sb_addf(&p.body, "listen(3, %" PRId32 ")", d->u.backlog);
            lq_pd_errno_line(&p.body, rc);
            lq_pd_dps(&p, &rs);
            lq_sb_addc(&p.body, '\n');
            break;
        case LQ_D_SOCKOPT:
            m->ops->sockopt(m, (enum lq_sockopt)d->u.sockopt.opt, d->u.sockopt.value, &rc, &rs,
                            err);
            lq_pd_time(&p);
            lq_sb_addf(&p.body, "setsockopt(3, SOL_TCP, %s, [%" PRId32 "], 4)",
                       d->u.sockopt.opt == LQ_SOCKOPT_DEFER_ACCEPT ? "TCP_DEFER_ACCEPT"
                                                                   : "TCP_SYNCNT",
                       d->u.sockopt.value);
            lq_pd_errno_line(&p.body, rc);
            lq_sb_addc(&p.body, '\n');
            break;
        case LQ_D_SYN:
        case LQ_D_ACK:
        case LQ_D_RST:
        case LQ_D_FIN: {
            struct lq_seg seg;
            lq_client_build(&cl, d, &seg);
            m->ops->segment(m, &seg, &rs, err);
            if (d->conn == p.conn) {
                lq_pd_inbound(&p, &seg);
                lq_pd_dps(&p, &rs);
                lq_sb_addc(&p.body, '\n');
            } else {
                lq_pd_note_line(&other[d->conn], line);
            }
            for (size_t k = 0; k < rs.n; k++) {
                struct lq_obs_pkt tmp;
                lq_client_classify(&cl, rs.r[k].timing == LQ_PKT_NOW ? &seg : NULL, &rs.r[k].seg,
                                   rs.r[k].cookie, &tmp);
            }
            if (d->conn == p.conn)
                lq_pd_replies(&p, &rs);
            break;
        }
        case LQ_D_ACCEPT:
            m->ops->accept(m, &res, &mss, &rs, err);
            if (res >= 0 && res != p.conn) {
                lq_sb_addf(&p.left_accepts, "%sline %u (%s)", p.left_accepts.len ? ", " : "", line,
                           sc->conns[res]);
                break;
            }
            lq_pd_time(&p);
            if (res >= 0) {
                int fd = p.next_fd++;
                lq_sb_addf(&p.body, "accept(3, ..., ...) = %d\n", fd);
                lq_sb_addf(&p.body, "+0 getsockopt(%d, SOL_TCP, TCP_MAXSEG, [%u], [4]) = 0\n", fd,
                           mss);
            } else {
                lq_sb_add(&p.body, "accept(3, ..., ...)");
                lq_pd_errno_line(&p.body, res);
                lq_sb_addc(&p.body, '\n');
            }
            break;
        case LQ_D_WAIT: {
            int64_t waited;
            p.any_wait = true;
            m->ops->wait(m, d->u.wait_ms, &rs, &waited, err);
            for (size_t k = 0; k < rs.n; k++) {
                struct lq_obs_pkt tmp;
                lq_client_classify(&cl, NULL, &rs.r[k].seg, rs.r[k].cookie, &tmp);
            }
            /* timer packets at their due times, the rest of the wait after */
            uint64_t last = 0;
            for (size_t k = 0; k < rs.n; k++) {
                const struct lq_reply *r = &rs.r[k];
                if (r->seg.conn != p.conn || r->timing == LQ_PKT_DEFERRED_FIRED)
                    continue;
                uint64_t at = (uint64_t)(r->t_us > 0 ? r->t_us : 0) / 1000;
                if (r->timing == LQ_PKT_DEFERRED) {
                    lq_pd_outbound(&p, r, at);
                    continue;
                }
                lq_pd_outbound(&p, r, at >= last ? at - last : 0);
                if (at > last)
                    last = at;
            }
            p.pending_ms += d->u.wait_ms > last ? d->u.wait_ms - last : 0;
            break;
        }
        default: break;
        }
    }
    struct lq_strbuf init;
    lq_sb_init(&init);
    lq_sb_add(&init, "`");
    for (size_t i = 0; i < sizeof(lq_pd_fixed) / sizeof(lq_pd_fixed[0]); i++)
        lq_sb_addf(&init, "%ssysctl -q %s", i ? "\n" : "", lq_pd_fixed[i]);
    for (int s = 0; s < LQ_SYSCTL_COUNT; s++)
        lq_sb_addf(&init, "\nsysctl -q %s=%" PRId64, lq_sysctl_name((enum lq_sysctl)s), setup[s]);
    lq_sb_add(&init, "`\n");

    /* the header: where it comes from and what it leaves out */
    const char *cname = found ? sc->conns[p.conn] : "(none)";
    lq_sb_addf(out, "// packetdrill script exported by listenq from %s: connection %s\n",
               o && o->source ? o->source : (sc->name ? sc->name : "a scenario"), cname);
    lq_sb_addf(out,
               "// The expected replies (>) are the model's (listenq profile %s), not a kernel\n"
               "// run's: a kernel that diverges from the model fails this script there.\n",
               profile->name);
    if (o && o->bug)
        lq_sb_add(out, "// (Test build: the model has a planted bug, on purpose.)\n");
    lq_sb_add(out, "// Run as root in a new network namespace (the sysctls are per namespace):\n"
                   "//   unshare -n packetdrill --ip_version=ipv4 SCRIPT.pkt\n");
    size_t left = 0;
    struct lq_strbuf l;
    lq_sb_init(&l);
    for (size_t i = 0; i < sc->nconns; i++)
        if (other[i].len) {
            lq_sb_addf(&l, "//   - connection %s (lines %s): packetdrill scripts have one\n",
                       sc->conns[i], lq_sb_str(&other[i]));
            left++;
        }
    if (p.left_accepts.len) {
        lq_sb_addf(&l, "//   - accept() calls that return another connection: %s\n",
                   lq_sb_str(&p.left_accepts));
        left++;
    }
    if (p.left_expects.len) {
        lq_sb_addf(&l, "//   - expect lines (%s): the replies written here stand for them\n",
                   lq_sb_str(&p.left_expects));
        left++;
    }
    if (p.any_delack) {
        lq_sb_add(&l, "//   - delayed ACKs: packetdrill cannot time them as the model does;\n"
                      "//     they are comments where the model expects them\n");
        left++;
    }
    if (p.any_cookie) {
        lq_sb_add(&l,
                  "//   - SYN cookie values (ISN, TS val): the kernel makes them, shown as *\n");
        left++;
    }
    if (p.any_new_isn) {
        lq_sb_add(&l, "//   - a second server ISN on the same 4-tuple: packetdrill numbers every\n"
                      "//     SYN-ACK from the first\n");
        left++;
    }
    if (p.any_wait) {
        lq_sb_add(&l, "//   - exact timer times: waits are kept as time and timer packets are\n"
                      "//     written at the model's due times; the kernel's timer wheel is\n"
                      "//     up to 12.5% late (run with --tolerance_usecs=200000 or more)\n");
        left++;
    }
    if (left) {
        lq_sb_add(out, "// Left out:\n");
        lq_sb_add(out, lq_sb_str(&l));
    } else {
        lq_sb_add(out, "// Nothing was left out.\n");
    }
    if (p.have_cli_ts || p.have_srv_ts)
        lq_sb_add(out, "// Client TS vals start at 10000, the server's at 1000 (packetdrill does\n"
                       "// not check an outbound TS val; it checks the echo).\n");
    lq_sb_addc(out, '\n');
    lq_sb_add(out, lq_sb_str(&init));
    lq_sb_addc(out, '\n');
    lq_pd_socket(&p);
    lq_sb_add(out, lq_sb_str(&p.body));

    lq_sb_free(&l);
    for (size_t i = 0; i < sc->nconns; i++)
        lq_sb_free(&other[i]);
    free(other);
    lq_sb_free(&init);
    lq_sb_free(&p.body);
    lq_sb_free(&p.left_accepts);
    lq_sb_free(&p.left_expects);
    lq_replies_free(&rs);
    lq_client_free(&cl);
    m->ops->end(m, err);
    m->ops->destroy(m);
    return 0;
}
