/* harness/findings/packetdrill.c: see packetdrill.h. */
#include "packetdrill.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/print.h"
#include "run/backend_model.h"
#include "run/runner.h"
#include "util/grow.h"

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
static void lq_pd_outbound(struct lq_pd *p, const struct lq_obs_pkt *r, uint64_t at_ms)
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
    bool deferred = r->timing == LQ_PKT_DEFERRED || lq_pkt_timer_fired(r->timing);
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

/* The trace's packets of observation o. */
static const struct lq_obs_pkt *lq_pd_pkts(const struct lq_trace *t, const struct lq_obs *o)
{
    return o->npkts ? &t->pkts[o->first_pkt] : NULL;
}

static void lq_pd_dps(struct lq_pd *p, const struct lq_trace *t, const struct lq_obs *o)
{
    bool first = true;
    for (uint32_t i = 0; i < o->ndps; i++) {
        uint16_t dp = t->dps[o->first_dp + i];
        if (dp == LQ_DP_RCV_REQUEST || dp == LQ_DP_RCV_CHILD || dp == LQ_DP_RCV_LISTENER)
            continue;
        const struct lq_dp_info *info = lq_dp_info((enum lq_dp)dp);
        lq_sb_addf(&p->body, "%s%s", first ? "  // model: " : ", ", info ? info->name : "?");
        first = false;
    }
}

/* The replies to the exported connection that an event drew. */
static void lq_pd_replies(struct lq_pd *p, const struct lq_trace *t, const struct lq_obs *o)
{
    const struct lq_obs_pkt *pk = lq_pd_pkts(t, o);
    uint64_t last = 0;
    for (uint32_t i = 0; i < o->npkts; i++) {
        const struct lq_obs_pkt *r = &pk[i];
        if (r->conn != p->conn || lq_pkt_timer_fired(r->timing))
            continue; /* a fired delayed ACK was written where it was scheduled */
        uint64_t at = r->t_us > 0 ? (uint64_t)r->t_us / 1000 : 0;
        bool deferred = r->timing == LQ_PKT_DEFERRED;
        if (deferred || at < last) {
            lq_pd_outbound(p, r, at);
        } else {
            lq_pd_outbound(p, r, at - last);
            last = at;
        }
    }
}

/* A wait: timer packets at their due times, the rest of the wait after. */
static void lq_pd_wait(struct lq_pd *p, const struct lq_trace *t, const struct lq_obs *o,
                       uint64_t wait_ms)
{
    const struct lq_obs_pkt *pk = lq_pd_pkts(t, o);
    uint64_t last = 0;
    p->any_wait = true;
    for (uint32_t k = 0; k < o->npkts; k++) {
        const struct lq_obs_pkt *r = &pk[k];
        if (r->conn != p->conn || lq_pkt_timer_fired(r->timing))
            continue;
        uint64_t at = (uint64_t)(r->t_us > 0 ? r->t_us : 0) / 1000;
        if (r->timing == LQ_PKT_DEFERRED) {
            lq_pd_outbound(p, r, at);
            continue;
        }
        lq_pd_outbound(p, r, at >= last ? at - last : 0);
        if (at > last)
            last = at;
    }
    p->pending_ms += wait_ms > last ? wait_ms - last : 0;
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

/* The connection to export: asked for, else the first one a segment uses. */
static int lq_pd_pick_conn(const struct lq_scenario *sc, const struct lq_pd_opts *o, uint16_t *conn,
                           bool *found, struct lq_err *err)
{
    *found = false;
    if (o && o->conn) {
        for (size_t i = 0; i < sc->nconns; i++)
            if (strcmp(sc->conns[i], o->conn) == 0) {
                *conn = (uint16_t)i;
                *found = true;
            }
        if (!*found)
            return lq_errf(err, LQ_EXIT_BADINPUT, "no connection named %s in the scenario",
                           o->conn);
        return 0;
    }
    for (size_t i = 0; i < sc->n && !*found; i++)
        if (lq_dir_is_segment(sc->d[i].kind)) {
            *conn = sc->d[i].conn;
            *found = true;
        }
    return 0;
}

size_t lq_pd_conns(const struct lq_scenario *sc, uint16_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < sc->n; i++) {
        if (!lq_dir_is_segment(sc->d[i].kind))
            continue;
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = out[k] == sc->d[i].conn;
        if (!seen && n < cap)
            out[n++] = sc->d[i].conn;
    }
    return n;
}

/* One directive of sc into the script body; `obs` is its observation in
 * the trace (NULL for a directive without one). */
static void lq_pd_directive(struct lq_pd *p, const struct lq_trace *t, size_t i,
                            const struct lq_obs *obs, bool *leading, int64_t *setup,
                            struct lq_strbuf *other)
{
    const struct lq_scenario *sc = p->sc;
    const struct lq_directive *d = &sc->d[i];
    uint32_t line = lq_pd_line(sc, i);
    switch (d->kind) {
    case LQ_D_SYSCTL:
        if (*leading && d->u.sysctl.id < LQ_SYSCTL_COUNT) {
            setup[d->u.sysctl.id] = d->u.sysctl.value;
        } else {
            lq_pd_time(p);
            lq_sb_addf(&p->body, "`sysctl -q %s=%" PRId64 "`\n",
                       lq_sysctl_name((enum lq_sysctl)d->u.sysctl.id), d->u.sysctl.value);
        }
        return;
    case LQ_D_SEED:
    case LQ_D_BLANK:
    case LQ_D_COMMENT: return;
    case LQ_D_EXPECT: lq_pd_note_line(&p->left_expects, line); return;
    default: break;
    }
    *leading = false;
    lq_pd_socket(p);
    if (!obs)
        return; /* the run stopped before it */
    switch (d->kind) {
    case LQ_D_LISTEN:
        lq_pd_time(p);
        lq_sb_addf(&p->body, "listen(3, %" PRId32 ")", d->u.backlog);
        lq_pd_errno_line(&p->body, obs->rc);
        lq_pd_dps(p, t, obs);
        lq_sb_addc(&p->body, '\n');
        break;
    case LQ_D_SOCKOPT:
        lq_pd_time(p);
        lq_sb_addf(&p->body, "setsockopt(3, SOL_TCP, %s, [%" PRId32 "], 4)",
                   lq_sockopt_name((enum lq_sockopt)d->u.sockopt.opt), d->u.sockopt.value);
        lq_pd_errno_line(&p->body, obs->rc);
        lq_sb_addc(&p->body, '\n');
        break;
    case LQ_D_SYN:
    case LQ_D_ACK:
    case LQ_D_RST:
    case LQ_D_FIN:
        if (d->conn != p->conn) {
            lq_pd_note_line(&other[d->conn], line);
            break;
        }
        lq_pd_inbound(p, &obs->sent);
        lq_pd_dps(p, t, obs);
        lq_sb_addc(&p->body, '\n');
        lq_pd_replies(p, t, obs);
        break;
    case LQ_D_ACCEPT: {
        int res = obs->accept;
        if (res >= 0 && res != p->conn) {
            lq_sb_addf(&p->left_accepts, "%sline %u (%s)", p->left_accepts.len ? ", " : "", line,
                       sc->conns[res]);
            break;
        }
        lq_pd_time(p);
        if (res >= 0) {
            int fd = p->next_fd++;
            lq_sb_addf(&p->body, "accept(3, ..., ...) = %d\n", fd);
            lq_sb_addf(&p->body, "+0 getsockopt(%d, SOL_TCP, TCP_MAXSEG, [%d], [4]) = 0\n", fd,
                       obs->accept_mss);
        } else {
            lq_sb_add(&p->body, "accept(3, ..., ...)");
            lq_pd_errno_line(&p->body, res);
            lq_sb_addc(&p->body, '\n');
        }
        break;
    }
    case LQ_D_WAIT: lq_pd_wait(p, t, obs, d->u.wait_ms); break;
    default: break;
    }
}

/* The header's list of what the script leaves out; returns how many. */
static size_t lq_pd_left_out(const struct lq_pd *p, const struct lq_strbuf *other,
                             struct lq_strbuf *l)
{
    const struct lq_scenario *sc = p->sc;
    size_t left = 0;
    for (size_t i = 0; i < sc->nconns; i++)
        if (other[i].len) {
            lq_sb_addf(l, "//   - connection %s (lines %s): packetdrill scripts have one\n",
                       sc->conns[i], lq_sb_str(&other[i]));
            left++;
        }
    if (p->left_accepts.len) {
        lq_sb_addf(l, "//   - accept() calls that return another connection: %s\n",
                   lq_sb_str(&p->left_accepts));
        left++;
    }
    if (p->left_expects.len) {
        lq_sb_addf(l, "//   - expect lines (%s): the replies written here stand for them\n",
                   lq_sb_str(&p->left_expects));
        left++;
    }
    if (p->any_delack) {
        lq_sb_add(l, "//   - delayed ACKs: packetdrill cannot time them as the model does;\n"
                     "//     they are comments where the model expects them\n");
        left++;
    }
    if (p->any_cookie) {
        lq_sb_add(l, "//   - SYN cookie values (ISN, TS val): the kernel makes them, shown as *\n");
        left++;
    }
    if (p->any_new_isn) {
        lq_sb_add(l, "//   - a second server ISN on the same 4-tuple: packetdrill numbers every\n"
                     "//     SYN-ACK from the first\n");
        left++;
    }
    if (p->any_wait) {
        lq_sb_add(l, "//   - exact timer times: waits are kept as time and timer packets are\n"
                     "//     written at the model's due times; the kernel's timer wheel is\n"
                     "//     up to 12.5% late (run with --tolerance_usecs=200000 or more)\n");
        left++;
    }
    return left;
}

int lq_export_packetdrill_trace(const struct lq_scenario *sc, const struct lq_trace *t,
                                const struct lq_profile *profile, const struct lq_pd_opts *o,
                                struct lq_strbuf *out, struct lq_err *err)
{
    struct lq_pd p;
    memset(&p, 0, sizeof(p));
    p.sc = sc;
    p.next_fd = 4;
    bool found;
    if (lq_pd_pick_conn(sc, o, &p.conn, &found, err))
        return -1;

    lq_sb_init(&p.body);
    lq_sb_init(&p.left_accepts);
    lq_sb_init(&p.left_expects);
    /* the set-up sysctls: the harness's, the profile's defaults as the
     * runner sets them, then the scenario's leading ones */
    int64_t setup[LQ_SYSCTL_COUNT];
    for (int s = 0; s < LQ_SYSCTL_COUNT; s++)
        setup[s] = lq_model_sysctl_default(profile, (enum lq_sysctl)s);

    /* other connections: their lines, by name */
    struct lq_strbuf *other = lq_xcalloc(sc->nconns, sizeof(*other));
    for (size_t i = 0; i < sc->nconns; i++)
        lq_sb_init(&other[i]);
    bool leading = true;
    size_t oi = 0;
    for (size_t i = 0; i < sc->n; i++) {
        while (oi < t->nobs && t->obs[oi].dir < i)
            oi++;
        const struct lq_obs *obs = oi < t->nobs && t->obs[oi].dir == i ? &t->obs[oi] : NULL;
        lq_pd_directive(&p, t, i, obs, &leading, setup, other);
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
               "// The expected replies (>) are the %s's (listenq profile %s), not a kernel\n"
               "// run's: a kernel that diverges from the %s fails this script there.\n",
               t->backend, profile->name, t->backend);
    if (o && o->bug)
        lq_sb_add(out, "// (Test build: the model has a planted bug, on purpose.)\n");
    /* packetdrill's --ip_version: the connection's family; an IPv4
     * connection to a dual-stack listener is packetdrill's v4-mapped mode */
    const char *ipv = !found || !lq_scenario_conn_ipv6(sc, p.conn)
                          ? (sc->run_family == LQ_FAMILY_DUAL ? "ipv4-mapped-ipv6" : "ipv4")
                          : "ipv6";
    lq_sb_addf(out,
               "// Run as root in a new network namespace (the sysctls are per namespace):\n"
               "//   unshare -n packetdrill --ip_version=%s SCRIPT.pkt\n",
               ipv);
    struct lq_strbuf l;
    lq_sb_init(&l);
    size_t left = lq_pd_left_out(&p, other, &l);
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
    return 0;
}

int lq_export_packetdrill(const struct lq_scenario *sc, const struct lq_profile *profile,
                          const struct lq_pd_opts *o, struct lq_strbuf *out, struct lq_err *err)
{
    uint16_t conn;
    bool found;
    if (lq_pd_pick_conn(sc, o, &conn, &found, err))
        return -1;
    struct lq_backend *m = lq_backend_model_new(profile, err);
    if (!m)
        return -1;
    lq_backend_model_set_bug(m, o ? o->bug : LQ_BUG_NONE);
    struct lq_runner r;
    lq_runner_init(&r, profile);
    r.backend[LQ_ROLE_REFERENCE] = m;
    r.port_next = LQ_PD_LPORT;
    struct lq_result res;
    lq_result_init(&res);
    int rc = lq_run_scenario(&r, sc, &res, err);
    if (rc == 0 && !res.ran[LQ_ROLE_REFERENCE])
        rc = lq_errf(err, LQ_EXIT_ERROR, "%s", res.reason);
    if (rc == 0)
        rc = lq_export_packetdrill_trace(sc, &res.trace[LQ_ROLE_REFERENCE], profile, o, out, err);
    lq_result_free(&res);
    lq_runner_free(&r);
    lq_backend_destroy(m);
    return rc;
}
