/* harness/findings/pd_body.c: the body of a packetdrill script, one
 * directive of the scenario at a time (pd_body.h): the listener's socket
 * lines, the calls and the flow's segments with the replies the model
 * predicts, the other connections' lines (pd_peer_lines.c), and each expect
 * line and the model's state after each event as a backtick check. */
#include "pd_body.h"

#include <errno.h>
#include <netinet/in.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lang/counter_names.h"
#include "pd_checks.h"

uint32_t lq_pd_line(const struct lq_scenario *sc, size_t i)
{
    return sc->d[i].line ? sc->d[i].line : (uint32_t)(i + 1);
}

/* One "left out" line of the header, once. */
void lq_pd_left(struct lq_pd *p, const char *fmt, ...)
{
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (!strstr(lq_sb_str(&p->left), line))
        lq_sb_add(&p->left, line);
}

static void lq_pd_dps(struct lq_pd *p, const struct lq_obs *o)
{
    bool first = true;
    for (uint32_t i = 0; i < o->ndps; i++) {
        uint16_t dp = p->t->dps[o->first_dp + i];
        if (dp == LQ_DP_RCV_REQUEST || dp == LQ_DP_RCV_CHILD || dp == LQ_DP_RCV_LISTENER)
            continue;
        const struct lq_dp_info *info = lq_dp_info((enum lq_dp)dp);
        lq_sb_addf(&p->body, "%s%s", first ? "  // model: " : ", ", info ? info->name : "?");
        first = false;
    }
}

/* When the model's delayed ACK of observation oi, packet r, fires: ms after
 * the event began, or 0 when a later ACK supersedes it. */
static uint64_t lq_pd_fired_ms(const struct lq_pd *p, size_t oi, const struct lq_obs_pkt *r)
{
    const struct lq_obs *o = &p->t->obs[oi];
    for (size_t k = oi + 1; k < p->t->nobs; k++) {
        const struct lq_obs *q = &p->t->obs[k];
        const struct lq_obs_pkt *pk = lq_pd_pkts(p->t, q);
        for (uint32_t j = 0; j < q->npkts; j++) {
            if (pk[j].conn != r->conn)
                continue;
            if (!lq_pkt_timer_fired(pk[j].timing))
                return 0; /* another packet to it first: superseded */
            int64_t at = q->t_us + (pk[j].t_us > 0 ? pk[j].t_us : 0) - o->t_us;
            return at > 0 ? (uint64_t)at / 1000 : 1;
        }
    }
    return 0;
}

/* The flow's replies to an event: at once, then the delayed ACKs whose
 * timers fire (as timed lines), then the ones a later ACK supersedes (a
 * comment: packetdrill need not see them). */
static void lq_pd_replies(struct lq_pd *p, const struct lq_obs *o, size_t oi)
{
    const struct lq_obs_pkt *pk = lq_pd_pkts(p->t, o);
    uint64_t last = 0;
    for (uint32_t i = 0; i < o->npkts; i++) {
        const struct lq_obs_pkt *r = &pk[i];
        if (r->conn != p->conn || lq_pkt_timer_fired(r->timing) || r->timing == LQ_PKT_DEFERRED)
            continue; /* a fired delayed ACK was written where it was scheduled */
        uint64_t at = r->t_us > 0 ? (uint64_t)r->t_us / 1000 : 0;
        lq_pd_outbound(p, r, at >= last ? at - last : 0, r->timing == LQ_PKT_TIMER);
        if (at > last)
            last = at;
    }
    for (uint32_t i = 0; i < o->npkts; i++) {
        const struct lq_obs_pkt *r = &pk[i];
        if (r->conn != p->conn || r->timing != LQ_PKT_DEFERRED)
            continue;
        uint64_t due = lq_pd_fired_ms(p, oi, r);
        if (due) {
            lq_pd_outbound(p, r, due >= last ? due - last : 0, true);
            last = due;
        } else {
            p->any_superseded = true;
            lq_sb_add(&p->body, "// the model's delayed ACK, superseded by a later ACK: ");
            struct lq_obs_pkt c = *r;
            uint64_t keep = p->pending_ms;
            p->commenting = true;
            lq_pd_outbound(p, &c, 0, false);
            p->commenting = false;
            p->pending_ms = keep;
            /* a later segment of the flow must find it pending: no check
             * may take real time until then */
            if (lq_pd_superseder_later(p, oi))
                lq_pd_quiet_begin(p, lq_pd_line(p->sc, o->dir));
        }
    }
}

/* A wait: timer packets to the flow at their due times, the rest of the
 * wait after. */
static void lq_pd_wait(struct lq_pd *p, const struct lq_obs *o, uint64_t wait_ms)
{
    const struct lq_obs_pkt *pk = lq_pd_pkts(p->t, o);
    uint64_t last = 0;
    p->any_wait = true;
    for (uint32_t k = 0; k < o->npkts; k++) {
        const struct lq_obs_pkt *r = &pk[k];
        if (r->conn != p->conn) {
            p->any_peer_timer = true;
            continue;
        }
        if (lq_pkt_timer_fired(r->timing))
            continue;
        uint64_t at = (uint64_t)(r->t_us > 0 ? r->t_us : 0) / 1000;
        lq_pd_outbound(p, r, at >= last ? at - last : 0, true);
        if (at > last)
            last = at;
    }
    p->pending_ms += wait_ms > last ? wait_ms - last : 0;
}

static void lq_pd_errno_line(struct lq_strbuf *b, int rc)
{
    if (!rc) {
        lq_sb_add(b, " = 0");
        return;
    }
    /* the errno values the model returns, by packetdrill's symbol names */
    static const struct {
        int e;
        const char *name;
    } names[] = {{EINVAL, "EINVAL"},
                 {EAGAIN, "EAGAIN"},
                 {ENOPROTOOPT, "ENOPROTOOPT"},
                 {EOPNOTSUPP, "EOPNOTSUPP"},
                 {EPERM, "EPERM"},
                 {EBADF, "EBADF"},
                 {ENOTCONN, "ENOTCONN"},
                 {EISCONN, "EISCONN"},
                 {EADDRINUSE, "EADDRINUSE"},
                 {EDESTADDRREQ, "EDESTADDRREQ"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (-rc == names[i].e) {
            lq_sb_addf(b, " = -1 %s (%s)", names[i].name, strerror(-rc));
            return;
        }
    lq_sb_addf(b, " = -1 %d (%s)", -rc, strerror(-rc)); /* packetdrill takes a number */
}

/* The listener as listenq's harness makes it (backend_live.c): an IPv6 one
 * with IPV6_V6ONLY 1; a dual-stack one bound to [::] with IPV6_V6ONLY 0,
 * which packetdrill's bind() cannot say (it binds packetdrill's own
 * address): pd-peer binds it first, and the tun device gets an address and
 * a route of the other family for the connections pd-peer sends in it. */
void lq_pd_socket(struct lq_pd *p)
{
    if (p->started)
        return;
    p->started = true;
    lq_sb_add(&p->body, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                        "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
                        "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n");
    if (p->sc->run_family == LQ_FAMILY_IPV6) {
        lq_sb_addf(&p->body, "+0 setsockopt(3, SOL_IPV6, %d, [1], 4) = 0  // IPV6_V6ONLY\n",
                   IPV6_V6ONLY);
    } else if (p->sc->run_family == LQ_FAMILY_DUAL) {
        bool v6 = lq_scenario_conn_ipv6(p->sc, p->conn);
        lq_sb_addf(&p->body,
                   "+0 `%s && listenq pd-peer bind --lport %u --v6only 0`\n"
                   "+0 bind(3, ..., ...) = -1 EINVAL (Invalid argument)  // bound to [::]:%u "
                   "above: a dual-stack listener\n",
                   v6 ? "ip -4 addr add " LQ_PD_OTHER_V4 " dev tun0 && ip -4 route add "
                        "192.0.2.0/24 dev tun0"
                      : "ip -6 addr add " LQ_PD_OTHER_V6 " dev tun0 nodad && ip -6 route add "
                        "2001:db8::/32 dev tun0",
                   LQ_PD_LPORT, LQ_PD_LPORT);
        p->nchecks++;
        p->any_dual = true;
        return;
    }
    lq_sb_add(&p->body, "+0 bind(3, ..., ...) = 0\n");
}

/* ---- checks ---- */

/* What the expect lines after event i need from just before the event:
 * expect none (what it sent), a cookie check of a SYN-ACK; or the flow's
 * RSTs at sequence number 0 (counted, as packetdrill cannot write them). */
static bool lq_pd_needs_mark(const struct lq_pd *p, size_t i, const struct lq_obs *o)
{
    const struct lq_scenario *sc = p->sc;
    for (size_t k = i + 1; k < sc->n && !lq_dir_is_event(sc->d[k].kind); k++) {
        const struct lq_directive *d = &sc->d[k];
        if (d->kind != LQ_D_EXPECT)
            continue;
        if (d->u.expect.kind == LQ_X_NONE ||
            (d->u.expect.kind == LQ_X_PKT && d->u.expect.cookie_tri != LQ_TRI_ANY))
            return true;
    }
    const struct lq_obs_pkt *pk = lq_pd_pkts(p->t, o);
    for (uint32_t k = 0; k < o->npkts; k++)
        if (p->flow && pk[k].conn == p->conn && p->have_srv && pk[k].seq_rel == LQ_REL_ZERO)
            return true;
    return false;
}

/* The RSTs at sequence number 0 the flow's event drew, counted: those
 * lq_pd_outbound could not write (once the server's ISN numbers the flow;
 * before, a "> R. 0:0(0)" line checks the RST itself). */
static void lq_pd_zero_rsts(struct lq_pd *p, const struct lq_obs *o, uint32_t line)
{
    const struct lq_obs_pkt *pk = lq_pd_pkts(p->t, o);
    int n = 0;
    for (uint32_t k = 0; p->have_srv && k < o->npkts; k++)
        n += pk[k].conn == p->conn && pk[k].seq_rel == LQ_REL_ZERO && (pk[k].seg.flags & LQ_TH_RST);
    if (!n)
        return;
    if (p->quiet) {
        lq_pd_left(p,
                   "//   - the RST at sequence number 0 after line %u (inside a delayed-ACK\n"
                   "//     stretch, no count from before it)\n",
                   line);
        return;
    }
    char what[96];
    snprintf(what, sizeof(what), "the RST the model predicts after line %u: TcpOutRsts", line);
    lq_pd_cmd_begin(p);
    lq_pdc_counter(&p->body, "ev", "Tcp", "OutRsts", n, n, what, line);
    lq_pd_cmd_end(p);
}

/* The deferred packets of observation o (expect none leaves them aside). */
static int lq_pd_deferred(const struct lq_pd *p, const struct lq_obs *o)
{
    int n = 0;
    const struct lq_obs_pkt *pk = lq_pd_pkts(p->t, o);
    for (uint32_t k = 0; k < o->npkts; k++)
        n += pk[k].timing == LQ_PKT_DEFERRED;
    return n;
}

/* An expect line as a backtick check, or as what the lines before it
 * already check (a > line, a pd-peer reply, an accept() result). */
static void lq_pd_expect(struct lq_pd *p, const struct lq_directive *d, uint32_t line)
{
    const struct lq_expect *e = &d->u.expect;
    const struct lq_scenario *sc = p->sc;
    char what[160];
    if (!p->started || !p->last) {
        lq_pd_left(p, "//   - line %u: an expect line before any event\n", line);
        return;
    }
    if (p->quiet && e->kind != LQ_X_NONE && e->kind != LQ_X_ACCEPT &&
        (e->kind != LQ_X_PKT || e->cookie_tri != LQ_TRI_ANY)) {
        if (e->kind == LQ_X_PKT)
            lq_pd_left(p,
                       "//   - line %u: a cookie check inside a delayed-ACK stretch (it needs a\n"
                       "//     count from just before its event)\n",
                       line);
        else
            lq_pd_quiet_hold(p, (size_t)(d - sc->d), line);
        return;
    }
    switch (e->kind) {
    case LQ_X_COUNTER: {
        const char *bare, *group = lq_counter_name_group(sc->counter_names[e->counter], &bare);
        snprintf(what, sizeof(what), "expect counter %s %" PRId64, sc->counter_names[e->counter],
                 e->value);
        lq_pd_cmd_begin(p);
        lq_pdc_counter(&p->body, NULL, group, bare, e->value, e->value, what, line);
        lq_pd_cmd_end(p);
        return;
    }
    case LQ_X_SYNQ:
    case LQ_X_ACCEPTQ:
    case LQ_X_BACKLOG:
        lq_pd_cmd_begin(p);
        lq_pdc_queue(&p->body, e->kind, e->value, LQ_PD_LPORT, line);
        lq_pd_cmd_end(p);
        return;
    case LQ_X_NONE:
        if (p->quiet) {
            /* after the flow's segment, or a wait with no other connection */
            bool own = p->flow &&
                       (p->last->sent_valid ? p->last->sent.conn == p->conn : p->sc->nconns <= 1);
            lq_sb_addf(&p->body,
                       "// line %u: expect none: not counted here (the delayed-ACK stretch); "
                       "%s\n",
                       line,
                       own ? "a packet to the flow would not match packetdrill's next > line"
                           : "not checked");
            if (!own)
                lq_pd_left(p,
                           "//   - line %u: expect none inside a delayed-ACK stretch, after an "
                           "event\n//     packetdrill does not see the replies to\n",
                           line);
            return;
        }
        lq_pd_cmd_begin(p);
        /* the deferred packets the model allows, and the delayed ACKs it
         * has pending: on a kernel their timers fire while checks run */
        lq_pdc_sent(&p->body, lq_pd_deferred(p, p->last) + lq_pd_pending_acks(p, p->last_i), line);
        lq_pd_cmd_end(p);
        return;
    case LQ_X_PKT:
        /* the packet is a > line or a pd-peer reply; a cookie is not in
         * the packet: SyncookiesSent says whether the event made one */
        if (e->cookie_tri == LQ_TRI_ANY)
            return;
        snprintf(what, sizeof(what), "expect %s synack %scookie: SyncookiesSent",
                 sc->conns[e->conn], e->cookie_tri == LQ_TRI_YES ? "" : "no");
        lq_pd_cmd_begin(p);
        lq_pdc_counter(&p->body, "ev", "TcpExt", "SyncookiesSent",
                       e->cookie_tri == LQ_TRI_YES ? 1 : 0, e->cookie_tri == LQ_TRI_YES ? -1 : 0,
                       what, line);
        lq_pd_cmd_end(p);
        return;
    default: return; /* accept: the accept() line's result and TCP_MAXSEG */
    }
}

/* A check held back from inside a delayed-ACK stretch (pd_timing.c): the
 * state check after the stretch's last event is the same check. */
static void lq_pd_held_emit(struct lq_pd *p, size_t dir, uint32_t line)
{
    if (dir == SIZE_MAX)
        return;
    lq_sb_addf(&p->body,
               "// line %u's check, held back to here (nothing it looks at changed\n"
               "// since in the model):\n",
               line);
    lq_pd_expect(p, &p->sc->d[dir], line);
}

/* The model's state after an event, as the runner compares it: queue
 * lengths and every counter it tracks (those not named are 0). */
static void lq_pd_state(struct lq_pd *p, const struct lq_obs *o, uint32_t line)
{
    struct lq_strbuf *b = &p->body;
    lq_pd_cmd_begin(p);
    lq_pdc_state_call(b, line);
    lq_sb_addf(b, " synq=%d acceptq=%d backlog=%d", o->synq, o->acceptq, o->backlog);
    for (int k = 0; o->ctr_valid && k < LQ_CTR_COUNT; k++)
        if (p->t->ctr_present[k] && o->ctr[k])
            lq_sb_addf(b, " %s%s=%" PRId64, lq_counter_group((enum lq_counter)k),
                       lq_counter_name((enum lq_counter)k), o->ctr[k]);
    lq_pd_cmd_end(p);
}

/* ---- events ---- */

static void lq_pd_segment(struct lq_pd *p, const struct lq_obs *o, size_t oi)
{
    const struct lq_seg *s = &o->sent;
    const char *why;
    if (s->conn != p->conn || !p->flow) {
        lq_pd_peer_send(p, o);
        /* what it drew to the flow, if anything, came during the backtick */
        const struct lq_obs_pkt *pk = lq_pd_pkts(p->t, o);
        for (uint32_t k = 0; k < o->npkts; k++)
            if (p->flow && pk[k].conn == p->conn && pk[k].timing == LQ_PKT_NOW) {
                lq_sb_add(&p->body, "// drawn by the segment above, any time: ");
                lq_pd_outbound(p, &pk[k], 0, false);
            }
        return;
    }
    if (!lq_pd_inbound_ok(p, s, &why)) {
        /* cannot happen: lq_pd_flow_ok decided the flow */
        lq_pd_peer_send(p, o);
        return;
    }
    lq_pd_inbound(p, s);
    lq_pd_dps(p, o);
    lq_sb_addc(&p->body, '\n');
    lq_pd_replies(p, o, oi);
}

static void lq_pd_accept(struct lq_pd *p, const struct lq_obs *o, uint32_t line)
{
    int res = o->accept;
    (void)line;
    if (res >= 0 && (res != p->conn || !p->flow)) {
        p->any_peer = true;
        p->any_peer_accept = true;
        lq_pd_cmd_begin(p);
        lq_sb_addf(&p->body, "listenq pd-peer accept --sport %u --mss %d", (unsigned)(20000 + res),
                   o->accept_mss);
        lq_pd_cmd_end(p);
        return;
    }
    lq_pd_time(p);
    if (res >= 0) {
        int fd = p->next_fd++;
        if (p->flow)
            p->flow_fd = fd;
        lq_sb_addf(&p->body, "accept(3, ..., ...) = %d\n", fd);
        lq_sb_addf(&p->body, "+0 getsockopt(%d, SOL_TCP, TCP_MAXSEG, [%d], [4]) = 0\n", fd,
                   o->accept_mss);
    } else {
        lq_sb_add(&p->body, "accept(3, ..., ...)");
        lq_pd_errno_line(&p->body, res);
        lq_sb_addc(&p->body, '\n');
    }
}

/* close / shutdown: the listener is descriptor 3, the flow's accepted
 * connection flow_fd; what the call drew to the flow follows as packets. A
 * close of a connection pd-peer holds makes the script not runnable
 * (lq_pd_runnable), written here as a comment. */
static void lq_pd_sockcall(struct lq_pd *p, const struct lq_directive *d, const struct lq_obs *o,
                           size_t oi)
{
    struct lq_sockcall c = lq_directive_sockcall(d);
    if (c.kind == LQ_CALL_CLOSE_CONN && (!p->flow || c.conn != p->conn || !p->flow_fd)) {
        lq_sb_addf(&p->body, "// close of %s, a connection listenq pd-peer holds: not written\n",
                   p->sc->conns[c.conn]);
        return;
    }
    lq_pd_time(p);
    if (c.kind == LQ_CALL_SHUTDOWN)
        lq_sb_addf(&p->body, "shutdown(3, %s)", lq_shut_how_name(c.how));
    else
        lq_sb_addf(&p->body, "close(%d)", c.kind == LQ_CALL_CLOSE ? 3 : p->flow_fd);
    lq_pd_errno_line(&p->body, o->rc);
    lq_pd_dps(p, o);
    lq_sb_addc(&p->body, '\n');
    if (c.kind == LQ_CALL_CLOSE_CONN)
        p->flow_fd = 0;
    lq_pd_replies(p, o, oi);
}

/* One directive of sc into the script body; obs is its observation in the
 * trace (index oi; NULL for a directive without one). */
void lq_pd_directive(struct lq_pd *p, size_t i, const struct lq_obs *obs, size_t oi, bool *leading,
                     int64_t *setup)
{
    const struct lq_scenario *sc = p->sc;
    const struct lq_directive *d = &sc->d[i];
    uint32_t line = lq_pd_line(sc, i);
    switch (d->kind) {
    case LQ_D_SYSCTL:
        if (*leading && d->u.sysctl.id < LQ_SYSCTL_COUNT) {
            setup[d->u.sysctl.id] = d->u.sysctl.value;
        } else {
            lq_pd_cmd_begin(p);
            lq_sb_addf(&p->body, "sysctl -q %s=%" PRId64,
                       lq_sysctl_name((enum lq_sysctl)d->u.sysctl.id), d->u.sysctl.value);
            lq_pd_cmd_end(p);
        }
        return;
    case LQ_D_SEED:
    case LQ_D_FAMILY: /* the listener's family: lq_pd_socket, the header */
    case LQ_D_BLANK:
    case LQ_D_COMMENT: return;
    case LQ_D_EXPECT:
        if (p->last)
            lq_pd_expect(p, d, line);
        return;
    default: break;
    }
    *leading = false;
    lq_pd_socket(p);
    if (!obs) {
        p->last = NULL; /* the run stopped before it */
        return;
    }
    if (p->t->beyond && obs->dir >= p->t->beyond_dir && !p->any_beyond_note) {
        p->any_beyond_note = true;
        lq_pd_left(p,
                   "//   - from line %u on the model's answers are not a prediction (%s): the\n"
                   "//     replies below are what it computes, the expect lines still hold\n",
                   line, p->t->beyond_why);
    }
    p->last = obs;
    p->last_i = oi;
    if (!p->quiet && lq_pd_needs_mark(p, i, obs)) {
        lq_pd_cmd_begin(p);
        lq_pdc_mark(&p->body, "ev");
        lq_pd_cmd_end(p);
    }
    switch (d->kind) {
    case LQ_D_LISTEN:
        lq_pd_time(p);
        lq_sb_addf(&p->body, "listen(3, %" PRId32 ")", d->u.backlog);
        lq_pd_errno_line(&p->body, obs->rc);
        lq_pd_dps(p, obs);
        lq_sb_addc(&p->body, '\n');
        if (obs->rc == 0)
            p->listening = true;
        break;
    case LQ_D_SOCKOPT:
        lq_pd_time(p);
        if (d->u.sockopt.opt == LQ_SOCKOPT_V6ONLY)
            /* packetdrill's symbols have no IPV6_V6ONLY: its number (in.h) */
            lq_sb_addf(&p->body, "setsockopt(3, SOL_IPV6, %d, [%" PRId32 "], 4)", IPV6_V6ONLY,
                       d->u.sockopt.value);
        else
            lq_sb_addf(&p->body, "setsockopt(3, SOL_TCP, %s, [%" PRId32 "], 4)",
                       lq_sockopt_name((enum lq_sockopt)d->u.sockopt.opt), d->u.sockopt.value);
        lq_pd_errno_line(&p->body, obs->rc);
        if (d->u.sockopt.opt == LQ_SOCKOPT_V6ONLY)
            lq_sb_add(&p->body, "  // IPV6_V6ONLY");
        lq_sb_addc(&p->body, '\n');
        break;
    case LQ_D_SYN:
    case LQ_D_ACK:
    case LQ_D_RST:
    case LQ_D_FIN:
    case LQ_D_SEG:
    case LQ_D_ICMP:
        if (obs->sent_valid)
            lq_pd_segment(p, obs, oi);
        if (p->flow && obs->sent_valid && obs->sent.conn == p->conn)
            lq_pd_zero_rsts(p, obs, line);
        break;
    case LQ_D_ACCEPT: lq_pd_accept(p, obs, line); break;
    case LQ_D_WAIT: lq_pd_wait(p, obs, d->u.wait_ms); break;
    case LQ_D_CLOSE:
    case LQ_D_SHUTDOWN: lq_pd_sockcall(p, d, obs, oi); break;
    default: break;
    }
    lq_pd_track(p, obs);
    if (p->state_checks && !(p->t->beyond && obs->dir >= p->t->beyond_dir)) {
        if (p->quiet)
            lq_pd_quiet_hold(p, SIZE_MAX, line);
        else
            lq_pd_state(p, obs, line);
    }
    lq_pd_quiet_end(p, lq_pd_held_emit);
}
