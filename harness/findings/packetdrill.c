/* harness/findings/packetdrill.c: see packetdrill.h. */
#include "packetdrill.h"

#include <errno.h>
#include <netinet/in.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/counter_names.h"
#include "lang/print.h"
#include "pd_checks.h"
#include "pd_script.h"
#include "run/backend_model.h"
#include "run/runner.h"
#include "util/grow.h"
#include "wire/tfo_cookie.h"

/* The sysctls the listenq harness fixes in its namespaces (backend_live.c). */
static const char *const lq_pd_fixed[] = {"net.ipv4.tcp_no_metrics_save=1",
                                          "net.ipv4.tcp_rmem=\"4096 131072 6291456\"",
                                          "net.ipv4.tcp_challenge_ack_limit=2147483647",
                                          "net.ipv4.tcp_invalid_ratelimit=500",
                                          "net.ipv4.tcp_min_snd_mss=48",
                                          "net.ipv4.tcp_comp_sack_nr=0",
                                          ("net.ipv4.tcp_fastopen_key=" LQ_TFO_KEY_SYSCTL)};

static uint32_t lq_pd_line(const struct lq_scenario *sc, size_t i)
{
    return sc->d[i].line ? sc->d[i].line : (uint32_t)(i + 1);
}

/* One "left out" line of the header, once. */
static void lq_pd_left(struct lq_pd *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lq_pd_left(struct lq_pd *p, const char *fmt, ...)
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
static void lq_pd_socket(struct lq_pd *p)
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

const char *lq_pd_ip_version(const struct lq_scenario *sc, uint16_t conn)
{
    /* an IPv6 scenario's: also when it has no connection at all */
    if (sc->run_family == LQ_FAMILY_IPV6 || (conn < sc->nconns && lq_scenario_conn_ipv6(sc, conn)))
        return "ipv6";
    return sc->run_family == LQ_FAMILY_DUAL ? "ipv4-mapped-ipv6" : "ipv4";
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
    uint16_t first;
    if (lq_pd_conns(sc, &first, 1)) {
        *conn = first;
        *found = true;
    }
    return 0;
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
static void lq_pd_directive(struct lq_pd *p, size_t i, const struct lq_obs *obs, size_t oi,
                            bool *leading, int64_t *setup)
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

/* Whether packetdrill can send every segment of the flow; else the line
 * and why into line/why. A dry run of the numbering the script will use. */
static bool lq_pd_flow_ok(const struct lq_pd *p0, uint32_t *line, const char **why)
{
    struct lq_pd p = *p0;
    for (size_t k = 0; k < p.t->nobs; k++) {
        const struct lq_obs *o = &p.t->obs[k];
        const struct lq_directive *d = &p.sc->d[o->dir];
        if (d->kind == LQ_D_LISTEN && o->rc == 0)
            p.listening = true;
        if (o->sent_valid && o->sent.conn == p.conn && !lq_pd_inbound_ok(&p, &o->sent, why)) {
            *line = lq_pd_line(p.sc, o->dir);
            return false;
        }
        if (o->sent_valid && o->sent.conn == p.conn && (o->sent.flags & LQ_TH_SYN) &&
            !p.have_isn0) {
            p.have_isn0 = true;
            p.isn0 = o->sent.seq;
        }
        const struct lq_obs_pkt *pk = lq_pd_pkts(p.t, o);
        for (uint32_t j = 0; j < o->npkts; j++) {
            if (pk[j].conn == p.conn && pk[j].seg.opt.has_ts)
                p.have_srv_ts = true;
            if (pk[j].conn == p.conn &&
                (pk[j].seg.flags & (LQ_TH_SYN | LQ_TH_ACK)) == (LQ_TH_SYN | LQ_TH_ACK))
                p.have_srv = true;
        }
    }
    return true;
}

/* The header's list of what the script leaves out or checks otherwise. */
static void lq_pd_left_out(struct lq_pd *p)
{
    if (p->any_peer)
        lq_pd_left(p,
                   "//   - the other connections%s are driven by `listenq pd-peer` from\n"
                   "//     192.0.2.2 (their client ports as in listenq): their replies are\n"
                   "//     checked by kind (SYN-ACK, ACK, RST), not field by field\n",
                   p->flow ? "" : " (this one too)");
    if (p->any_peer_timer)
        lq_pd_left(p, "//   - the other connections' timer packets during waits\n");
    if (p->any_sack_wild)
        lq_pd_left(p, "//   - the options of the child's ACKs (<...>): the model does not\n"
                      "//     predict SACK blocks\n");
    if (p->any_superseded)
        lq_pd_left(p, "//   - delayed ACKs a later ACK supersedes (comments)\n");
    if (p->any_zero_rst)
        lq_pd_left(p, "//   - RSTs at sequence number 0 (packetdrill numbers outbound segments\n"
                      "//     from the server's ISN): counted by TcpOutRsts instead\n");
    if (p->any_cookie)
        lq_pd_left(p,
                   "//   - SYN cookie values (ISN, TS val): the kernel makes them, shown as *\n");
    if (p->any_new_isn)
        lq_pd_left(p, "//   - a second server ISN on the same 4-tuple: packetdrill numbers every\n"
                      "//     SYN-ACK from the first\n");
    if (p->quiet_lines.len)
        lq_pd_left(p,
                   "//   - no check runs while the flow's delayed ACK is pending and a later\n"
                   "//     segment of the flow must find it so (lines %s): a check takes\n"
                   "//     real time the kernel's timer does not wait for. Its checks are\n"
                   "//     held back to the end where what they look at did not change;\n"
                   "//     an expect none of the flow is packetdrill's next > line\n",
                   lq_sb_str(&p->quiet_lines));
    if (p->any_dual)
        lq_pd_left(p,
                   "//   - packetdrill's bind(): the dual-stack listener is bound to [::] by\n"
                   "//     `listenq pd-peer bind` (packetdrill binds its own address), so its\n"
                   "//     bind() fails with EINVAL; the tun device gets an address and a\n"
                   "//     route of the other family (%s, 2001:db8::/32 or 192.0.2.0/24)\n",
                   lq_scenario_conn_ipv6(p->sc, p->conn) ? LQ_PD_OTHER_V4 : LQ_PD_OTHER_V6);
    if (p->any_wait)
        lq_pd_left(p,
                   "//   - exact timer times: a timer's packet is a window from the model's\n"
                   "//     due time less %ums per backtick line since the packet line before\n"
                   "//     (backticks take real time) to %ums after it\n",
                   LQ_PD_CHECK_SLACK_MS, LQ_PD_LATE_MS);
}

/* What lq_export_packetdrill_trace allocated in p, on either way out. */
static void lq_pd_free(struct lq_pd *p)
{
    free(p->srv_known);
    free(p->srv_ts_known);
    free(p->srv_isn);
    free(p->srv_ts);
    lq_sb_free(&p->body);
    lq_sb_free(&p->left);
    lq_sb_free(&p->quiet_lines);
}

int lq_export_packetdrill_trace(const struct lq_scenario *sc, const struct lq_trace *t,
                                const struct lq_profile *profile, const struct lq_pd_opts *o,
                                struct lq_strbuf *out, struct lq_err *err)
{
    if (sc->nlsn)
        return lq_errf(err, LQ_EXIT_SKIP,
                       "a scenario with listener lines: a packetdrill script has one listening "
                       "socket (its socket under test)");
    struct lq_pd p;
    memset(&p, 0, sizeof(p));
    p.sc = sc;
    p.t = t;
    p.next_fd = 4;
    bool found;
    if (lq_pd_pick_conn(sc, o, &p.conn, &found, err))
        return -1;
    /* an ICMP error goes out as packetdrill's own inbound packet, for the
     * connection it drives; `listenq pd-peer` sends TCP only, and from
     * another address, which a frag needed's PMTU exception (the flow's
     * address's route) does not reach */
    bool pmtu = false;
    for (size_t k = 0; k < t->nobs; k++) {
        const struct lq_obs *ob = &t->obs[k];
        if (pmtu && ob->sent_valid && found && ob->sent.conn != p.conn)
            return lq_errf(err, LQ_EXIT_SKIP,
                           "line %u: %s after a frag-needed error: its route is the flow's "
                           "address's in listenq, not pd-peer's (another address)",
                           lq_pd_line(sc, ob->dir), sc->conns[ob->sent.conn]);
        /* a frag needed the model took for a child: the route's MTU */
        for (uint32_t i = 0; ob->sent_valid && ob->sent.icmp && i < ob->ndps; i++)
            pmtu = pmtu || t->dps[ob->first_dp + i] == LQ_DP_ICMP_CHILD_PMTU;
        if (ob->sent_valid && ob->sent.icmp && (!found || ob->sent.conn != p.conn))
            return lq_errf(err, LQ_EXIT_SKIP,
                           "line %u: an ICMP error about %s, a connection packetdrill does not "
                           "drive (export --conn %s, or a scenario with one connection)",
                           lq_pd_line(sc, ob->dir), sc->conns[ob->sent.conn],
                           sc->conns[ob->sent.conn]);
    }
    lq_sb_init(&p.body);
    lq_sb_init(&p.left);
    lq_sb_init(&p.quiet_lines);
    size_t nc = sc->nconns ? sc->nconns : 1;
    p.srv_known = lq_xcalloc(nc, sizeof(bool));
    p.srv_ts_known = lq_xcalloc(nc, sizeof(bool));
    p.srv_isn = lq_xcalloc(nc, sizeof(uint32_t));
    p.srv_ts = lq_xcalloc(nc, sizeof(uint32_t));
    uint32_t bad_line = 0;
    const char *why = NULL;
    p.flow = found && lq_pd_flow_ok(&p, &bad_line, &why);
    uint32_t refuse_line = 0;
    const char *refuse = NULL;
    for (size_t k = 0; !p.flow && k < t->nobs && !refuse; k++)
        if (t->obs[k].sent_valid && t->obs[k].sent.icmp) {
            refuse_line = bad_line;
            refuse = "packetdrill cannot drive the connection, and an ICMP error about it goes "
                     "out as packetdrill's own packet";
        }
    /* what a script cannot say after close(): the listener's script fd 3
     * is gone (packetdrill: "unable to find fd"), and pd-peer's connections
     * are pd-peer's to close (the model's RST and counters would be missing) */
    bool closed = false;
    for (size_t i = 0; i < sc->n && !refuse; i++) {
        const struct lq_directive *d = &sc->d[i];
        bool on_listener = d->kind == LQ_D_LISTEN || d->kind == LQ_D_SOCKOPT ||
                           d->kind == LQ_D_ACCEPT || d->kind == LQ_D_SHUTDOWN ||
                           (d->kind == LQ_D_CLOSE && d->u.call.kind == LQ_CALL_CLOSE);
        if (closed && on_listener) {
            refuse_line = d->line;
            refuse = "a call on the listener after its close(): the script's fd 3 is gone (the "
                     "call is EBADF in listenq)";
        } else if (d->kind == LQ_D_CLOSE && d->u.call.kind == LQ_CALL_CLOSE_CONN &&
                   (!p.flow || d->conn != p.conn)) {
            refuse_line = d->line;
            refuse = "close of a connection listenq pd-peer holds, which packetdrill cannot "
                     "close (export --conn NAME for it)";
        }
        if (!refuse && d->kind == LQ_D_SOCKOPT && d->u.sockopt.opt == LQ_SOCKOPT_REUSEPORT_CBPF) {
            refuse_line = d->line;
            refuse = "SO_ATTACH_REUSEPORT_CBPF takes a classic-BPF program (struct sock_fprog), "
                     "which a packetdrill script cannot write";
        }
        if (!refuse && d->kind == LQ_D_SYN && d->u.seg.tfo &&
            !lq_profile_has(profile, LQ_CHG_TFO_SIPHASH_COOKIE)) {
            refuse_line = d->line;
            refuse = "a Fast Open option (tfo) for a kernel before 5.3 (profile entry "
                     "tfo_siphash_cookie): its cookie is AES-128 of the addresses, and listenq "
                     "writes the SipHash cookie only";
        }
        if (d->kind == LQ_D_CLOSE && d->u.call.kind == LQ_CALL_CLOSE)
            closed = true;
    }
    if (refuse) {
        lq_errf(err, LQ_EXIT_SKIP, "line %u: %s", refuse_line, refuse);
        lq_pd_free(&p);
        return -1;
    }
    /* the model's state after every event; not where timers run (a check
     * takes real time the scenario's close events do not have) */
    p.state_checks = !lq_scenario_is_slow(sc);
    if (found && !p.flow)
        lq_pd_left(&p, "//   - packetdrill's own flow: it cannot send line %u (%s)\n", bad_line,
                   why);

    /* the set-up sysctls: the harness's, the profile's defaults as the
     * runner sets them, then the scenario's leading ones */
    int64_t setup[LQ_SYSCTL_COUNT];
    for (int s = 0; s < LQ_SYSCTL_COUNT; s++)
        setup[s] = lq_model_sysctl_default(profile, (enum lq_sysctl)s);
    bool leading = true;
    size_t oi = 0;
    for (size_t i = 0; i < sc->n; i++) {
        while (oi < t->nobs && t->obs[oi].dir < i)
            oi++;
        const struct lq_obs *obs = oi < t->nobs && t->obs[oi].dir == i ? &t->obs[oi] : NULL;
        lq_pd_directive(&p, i, obs, oi, &leading, setup);
    }
    struct lq_strbuf init;
    lq_sb_init(&init);
    lq_sb_add(&init, "`");
    for (size_t i = 0; i < sizeof(lq_pd_fixed) / sizeof(lq_pd_fixed[0]); i++)
        lq_sb_addf(&init, "%ssysctl -q %s", i ? "\n" : "", lq_pd_fixed[i]);
    for (int s = 0; s < LQ_SYSCTL_COUNT; s++)
        lq_sb_addf(&init, "\nsysctl -q %s=%" PRId64, lq_sysctl_name((enum lq_sysctl)s), setup[s]);
    lq_sb_addc(&init, '\n');
    if (found && lq_scenario_conn_ipv6(sc, p.conn))
        /* the tun device's IPv6 address is tentative until DAD's work
         * (a workqueue) ran: a SYN to it before then is dropped */
        lq_sb_add(&init,
                  "n=0; while [ $n -lt 200 ] && ip -6 addr show dev tun0 tentative | grep -q "
                  "inet6; do sleep 0.01; n=$((n+1)); done\n");
    lq_pdc_reset(&init);
    if (p.state_checks) {
        struct lq_strbuf tracked;
        lq_sb_init(&tracked);
        for (int k = 0; k < LQ_CTR_COUNT; k++)
            if (t->ctr_present[k])
                lq_sb_addf(&tracked, "%s%s%s", tracked.len ? " " : "",
                           lq_counter_group((enum lq_counter)k),
                           lq_counter_name((enum lq_counter)k));
        lq_pdc_state_helper(&init, LQ_PD_LPORT, lq_sb_str(&tracked));
        lq_sb_free(&tracked);
    }
    lq_sb_add(&init, "`\n");

    /* the header: where it comes from and what it leaves out */
    const char *cname = found ? sc->conns[p.conn] : "(none)";
    lq_sb_addf(out, "// packetdrill script exported by listenq from %s: connection %s\n",
               o && o->source ? o->source : (sc->name ? sc->name : "a scenario"), cname);
    lq_sb_addf(out,
               "// The expected replies (>) are the %s's (listenq profile %s), not a kernel\n"
               "// run's: a kernel that diverges from the %s fails this script there.\n"
               "// The expect lines are backtick checks (nstat, ss) where they stand.\n",
               t->backend, profile->name, t->backend);
    if (o && o->bug)
        lq_sb_add(out, "// (Test build: the model has a planted bug, on purpose.)\n");
    lq_sb_addf(out,
               "// Run as root in a new network namespace (the sysctls are per namespace),\n"
               "// on one CPU (request timers are per CPU):\n"
               "//   unshare -n sh -c 'ip link set lo up && taskset -c 0 packetdrill "
               "--ip_version=%s SCRIPT.pkt'\n",
               lq_pd_ip_version(sc, found ? p.conn : 0));
    if (p.any_peer)
        lq_sb_add(out, "// with listenq on PATH (listenq pd-peer); or listenq export --packetdrill "
                       "--check.\n");
    lq_pd_left_out(&p);
    if (p.left.len) {
        lq_sb_add(out, "// Left out, or checked otherwise:\n");
        lq_sb_add(out, lq_sb_str(&p.left));
    } else {
        lq_sb_add(out, "// Nothing was left out.\n");
    }
    if (p.have_srv_ts)
        lq_sb_add(out, "// The server's TS vals are numbered from 1000 (packetdrill checks the\n"
                       "// echo, not an outbound TS val), one the model repeats from 2000000000\n"
                       "// (an echo of it is of the first); the client's are listenq's.\n");
    /* a TS echo that matches no TSval the server sent is read as an offset
     * from the first (tsecr=bad) */
    lq_sb_add(out, "--tcp_ts_ecr_scaled\n");
    /* the flow's cookie is SipHash of its addresses: fixed (pd_fastopen.c) */
    if (lq_pd_fo_used(sc))
        lq_sb_addf(out, "--local_ip=%s\n", lq_pd_fo_local_ip(lq_scenario_conn_ipv6(sc, p.conn)));
    lq_sb_addc(out, '\n');
    lq_sb_add(out, lq_sb_str(&init));
    lq_sb_addc(out, '\n');
    lq_pd_socket(&p);
    lq_sb_add(out, lq_sb_str(&p.body));
    if (p.any_peer_accept)
        /* packetdrill's cleanup command (a last backtick without a time):
         * run at the end and when the script fails */
        lq_sb_add(out, "// the connections pd-peer accepted, reset (packetdrill then ends)\n"
                       "`listenq pd-peer release`\n");

    lq_sb_free(&init);
    lq_pd_free(&p);
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
