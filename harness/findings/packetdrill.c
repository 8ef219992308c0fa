/* harness/findings/packetdrill.c: see packetdrill.h. The script as a
 * whole: the connection it drives, what makes a scenario one a script
 * cannot say, the header and the set-up backtick around the body (pd_body.c),
 * and the model run it is written from. */
#include "packetdrill.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pd_body.h"
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

/* What a script cannot say, given the flow (p->flow; bad_line: the flow's
 * segment packetdrill cannot send): the reason, its line into *line; NULL
 * when the script can be written. */
static const char *lq_pd_refusal(const struct lq_pd *p, const struct lq_profile *profile,
                                 uint32_t bad_line, uint32_t *line)
{
    const struct lq_scenario *sc = p->sc;
    const struct lq_trace *t = p->t;
    uint32_t refuse_line = 0;
    const char *refuse = NULL;
    for (size_t k = 0; !p->flow && k < t->nobs && !refuse; k++)
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
                   (!p->flow || d->conn != p->conn)) {
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
    *line = refuse_line;
    return refuse;
}

/* The set-up backtick: the harness's sysctls, then setup (the profile's
 * defaults as the runner sets them, the scenario's leading ones), nstat's
 * history reset, and the state check's script. found: p->conn is the
 * flow's connection. */
static void lq_pd_setup(const struct lq_pd *p, bool found, const int64_t *setup,
                        struct lq_strbuf *out)
{
    lq_sb_add(out, "`");
    for (size_t i = 0; i < sizeof(lq_pd_fixed) / sizeof(lq_pd_fixed[0]); i++)
        lq_sb_addf(out, "%ssysctl -q %s", i ? "\n" : "", lq_pd_fixed[i]);
    for (int s = 0; s < LQ_SYSCTL_COUNT; s++)
        lq_sb_addf(out, "\nsysctl -q %s=%" PRId64, lq_sysctl_name((enum lq_sysctl)s), setup[s]);
    lq_sb_addc(out, '\n');
    if (found && lq_scenario_conn_ipv6(p->sc, p->conn))
        /* the tun device's IPv6 address is tentative until DAD's work
         * (a workqueue) ran: a SYN to it before then is dropped */
        lq_sb_add(out, "n=0; while [ $n -lt 200 ] && ip -6 addr show dev tun0 tentative | grep -q "
                       "inet6; do sleep 0.01; n=$((n+1)); done\n");
    lq_pdc_reset(out);
    if (p->state_checks) {
        struct lq_strbuf tracked;
        lq_sb_init(&tracked);
        for (int k = 0; k < LQ_CTR_COUNT; k++)
            if (p->t->ctr_present[k])
                lq_sb_addf(&tracked, "%s%s%s", tracked.len ? " " : "",
                           lq_counter_group((enum lq_counter)k),
                           lq_counter_name((enum lq_counter)k));
        lq_pdc_state_helper(out, LQ_PD_LPORT, lq_sb_str(&tracked));
        lq_sb_free(&tracked);
    }
    lq_sb_add(out, "`\n");
}

/* The header: where the script comes from, how to run it, what it leaves
 * out (p->left, completed by lq_pd_left_out), and packetdrill's options.
 * After the body is written: it says what the body needed. */
static void lq_pd_header(struct lq_pd *p, bool found, const struct lq_profile *profile,
                         const struct lq_pd_opts *o, struct lq_strbuf *out)
{
    const struct lq_scenario *sc = p->sc;
    const struct lq_trace *t = p->t;
    const char *cname = found ? sc->conns[p->conn] : "(none)";
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
               lq_pd_ip_version(sc, found ? p->conn : 0));
    if (p->any_peer)
        lq_sb_add(out, "// with listenq on PATH (listenq pd-peer); or listenq export --packetdrill "
                       "--check.\n");
    lq_pd_left_out(p);
    if (p->left.len) {
        lq_sb_add(out, "// Left out, or checked otherwise:\n");
        lq_sb_add(out, lq_sb_str(&p->left));
    } else {
        lq_sb_add(out, "// Nothing was left out.\n");
    }
    if (p->have_srv_ts)
        lq_sb_add(out, "// The server's TS vals are numbered from 1000 (packetdrill checks the\n"
                       "// echo, not an outbound TS val), one the model repeats from 2000000000\n"
                       "// (an echo of it is of the first); the client's are listenq's.\n");
    /* a TS echo that matches no TSval the server sent is read as an offset
     * from the first (tsecr=bad) */
    lq_sb_add(out, "--tcp_ts_ecr_scaled\n");
    /* the flow's cookie is SipHash of its addresses: fixed (pd_fastopen.c) */
    if (lq_pd_fo_used(sc))
        lq_sb_addf(out, "--local_ip=%s\n", lq_pd_fo_local_ip(lq_scenario_conn_ipv6(sc, p->conn)));
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
    uint32_t refuse_line;
    const char *refuse = lq_pd_refusal(&p, profile, bad_line, &refuse_line);
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

    /* the body first (the header says what it needed); a leading sysctl
     * goes into the set-up values, from the profile's defaults */
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

    lq_pd_header(&p, found, profile, o, out);
    lq_sb_addc(out, '\n');
    lq_pd_setup(&p, found, setup, out);
    lq_sb_addc(out, '\n');
    lq_pd_socket(&p);
    lq_sb_add(out, lq_sb_str(&p.body));
    if (p.any_peer_accept)
        /* packetdrill's cleanup command (a last backtick without a time):
         * run at the end and when the script fails */
        lq_sb_add(out, "// the connections pd-peer accepted, reset (packetdrill then ends)\n"
                       "`listenq pd-peer release`\n");

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
