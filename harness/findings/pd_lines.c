/* harness/findings/pd_lines.c: the packet lines of a packetdrill script
 * (pd_script.h). */
#include "pd_script.h"

#include <inttypes.h>

void lq_pd_time(struct lq_pd *p)
{
    uint64_t ms = p->pending_ms;
    p->pending_ms = 0;
    if (ms % 1000 == 0)
        lq_sb_addf(&p->body, "+%" PRIu64 " ", ms / 1000);
    else
        lq_sb_addf(&p->body, "+%" PRIu64 ".%03" PRIu64 " ", ms / 1000, ms % 1000);
}

void lq_pd_cmd_begin(struct lq_pd *p)
{
    lq_pd_time(p);
    lq_sb_addc(&p->body, '`');
}

void lq_pd_cmd_end(struct lq_pd *p)
{
    lq_sb_add(&p->body, "`\n");
    p->nchecks++;
}

static void lq_pd_ms(struct lq_strbuf *b, uint64_t ms)
{
    lq_sb_addf(b, "+%" PRIu64 ".%03" PRIu64, ms / 1000, ms % 1000);
}

/* "+LO~+HI ": the window of a packet a timer sends at_ms after the line
 * before (the time pending included). */
static void lq_pd_window(struct lq_pd *p, uint64_t at_ms)
{
    uint64_t due = p->pending_ms + at_ms;
    p->pending_ms = 0;
    uint64_t slack = (uint64_t)p->nchecks * LQ_PD_CHECK_SLACK_MS;
    lq_pd_ms(&p->body, due > slack ? due - slack : 0);
    lq_sb_addc(&p->body, '~');
    lq_pd_ms(&p->body, due + LQ_PD_LATE_MS);
    lq_sb_addc(&p->body, ' ');
}

static void lq_pd_flags(uint8_t f, struct lq_strbuf *out)
{
    char s[12];
    size_t n = 0;
    if (f & LQ_TH_SYN)
        s[n++] = 'S';
    if (f & LQ_TH_FIN)
        s[n++] = 'F';
    if (f & LQ_TH_RST)
        s[n++] = 'R';
    if (f & LQ_TH_PSH)
        s[n++] = 'P';
    if (f & LQ_TH_URG)
        s[n++] = 'U';
    if (f & LQ_TH_ECE)
        s[n++] = 'E';
    if (f & LQ_TH_CWR)
        s[n++] = 'W';
    /* packetdrill's grammar: the letters, then the ACK's '.' (flags: WORD opt_ack_flag) */
    if (f & LQ_TH_ACK)
        s[n++] = '.';
    if (!n)
        s[n++] = '-';
    s[n] = '\0';
    lq_sb_add(out, s);
}

static uint32_t lq_pd_srv_ts(const struct lq_pd *p, uint32_t v)
{
    return v - p->srv_ts0 + LQ_PD_SRV_TS_BASE;
}

/* An outbound TSval as the script writes it (pd_script.h). */
static uint32_t lq_pd_srv_ts_out(struct lq_pd *p, uint32_t v)
{
    for (unsigned k = 0; k < p->nts; k++)
        if (p->ts_model[k] == v)
            return LQ_PD_TS_DUP_BASE + p->ts_dups++;
    if (p->nts < LQ_PD_TS_MAX) {
        p->ts_model[p->nts] = v;
        p->ts_script[p->nts++] = lq_pd_srv_ts(p, v);
    }
    return lq_pd_srv_ts(p, v);
}

/* An echo of the server's TSval v: the script value of the first packet
 * that carried it, else the offset from the first (--tcp_ts_ecr_scaled). */
static uint32_t lq_pd_srv_ts_echo(const struct lq_pd *p, uint32_t v)
{
    for (unsigned k = 0; k < p->nts; k++)
        if (p->ts_model[k] == v)
            return p->ts_script[k];
    return lq_pd_srv_ts(p, v);
}

/* The options in the layout listenq's client and the kernel both use
 * (lq_frame_tcp_options, tcp_options_write). The client's TSvals are its
 * own (packetdrill sends them as written); the server's are numbered from
 * LQ_PD_SRV_TS_BASE, which packetdrill maps to the kernel's. in: from the
 * client. */
static void lq_pd_options(struct lq_pd *p, const struct lq_tcpopt *o, bool in,
                          struct lq_strbuf *out)
{
    if (!(o->has_mss || o->has_ts || o->has_wscale || o->sack_perm || o->has_fo))
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
            val = o->tsval;
            ecr = o->tsecr && p->have_srv_ts ? lq_pd_srv_ts_echo(p, o->tsecr) : o->tsecr;
        } else {
            val = p->have_srv_ts ? lq_pd_srv_ts_out(p, o->tsval) : o->tsval;
            ecr = o->tsecr;
        }
        LQ_PD_OPT("TS val %" PRIu32 " ecr %" PRIu32, val, ecr);
    }
    if (o->has_wscale)
        LQ_PD_OPT("nop,wscale %u", o->wscale);
    if (o->sack_perm && !o->has_ts)
        LQ_PD_OPT("nop,nop,sackOK");
    if (o->has_fo) {
        lq_pd_fo_option(p, p->conn, o, in, out, first);
        first = false;
    }
#undef LQ_PD_OPT
    lq_sb_addc(out, '>');
}

bool lq_pd_inbound_ok(const struct lq_pd *p, const struct lq_seg *s, const char **why)
{
    if (!p->listening) {
        *why = "packetdrill has no flow before listen()";
        return false;
    }
    if (s->icmp) {
        /* packetdrill adds the server's live ISN to the quoted sequence
         * number (map_inbound_icmp_tcp_packet): it must have seen one */
        if (!p->have_srv) {
            *why = "an ICMP error before the server's SYN-ACK";
            return false;
        }
        return true;
    }
    /* packetdrill writes a segment's sequence numbers as offsets from the
     * ISN, each in 0..2^32-1: one that runs across the ISN cannot be written */
    uint32_t rel = p->have_isn0 ? s->seq - p->isn0 : 0;
    if (!(s->flags & LQ_TH_SYN) && s->len && (uint64_t)rel + s->len > UINT32_MAX) {
        *why = "a segment across the ISN, which packetdrill's numbering cannot write";
        return false;
    }
    if (!s->opt.has_ts)
        return true;
    if ((s->flags & LQ_TH_ACK) && !p->have_srv_ts) {
        /* packetdrill maps an ACK's TS echo from the TSvals the server sent */
        *why = "a TS echo on an ACK before the server sent a TSval";
        return false;
    }
    if (!(s->flags & LQ_TH_ACK) && s->opt.tsecr != 0) {
        /* without ACK packetdrill sends the echo as written */
        *why = "a TS echo of the server's TSval on a segment without ACK";
        return false;
    }
    return true;
}

/* packetdrill's names (icmp_packet.c) of an ICMP error kind: type, code. */
static void lq_pd_icmp_names(uint8_t kind, bool ipv6, const char **type, const char **code)
{
    static const char *const v4[LQ_ICMP_KIND_COUNT][2] = {
        [LQ_ICMP_NET_UNREACH] = {"unreachable", "net_unreachable"},
        [LQ_ICMP_HOST_UNREACH] = {"unreachable", "host_unreachable"},
        [LQ_ICMP_PROTO_UNREACH] = {"unreachable", "protocol_unreachable"},
        [LQ_ICMP_PORT_UNREACH] = {"unreachable", "port_unreachable"},
        [LQ_ICMP_FRAG_NEEDED] = {"unreachable", "frag_needed"},
        [LQ_ICMP_ADMIN_PROHIBITED] = {"unreachable", "packet_filtered"},
        [LQ_ICMP_TTL_EXCEEDED] = {"time_exceeded", NULL},
        [LQ_ICMP_PARAM_PROBLEM] = {"parameter_problem", NULL},
    };
    static const char *const v6[LQ_ICMP_KIND_COUNT][2] = {
        [LQ_ICMP_NET_UNREACH] = {"unreachable", "no_route"},
        [LQ_ICMP_HOST_UNREACH] = {"unreachable", "address_unreachable"},
        [LQ_ICMP_PROTO_UNREACH] = {"parameter_problem", "unknown_next_header"},
        [LQ_ICMP_PORT_UNREACH] = {"unreachable", "port_unreachable"},
        [LQ_ICMP_FRAG_NEEDED] = {"packet_too_big", NULL},
        [LQ_ICMP_ADMIN_PROHIBITED] = {"unreachable", "admin_prohibited"},
        [LQ_ICMP_TTL_EXCEEDED] = {"time_exceeded", "exceeded_hop_limit"},
        [LQ_ICMP_PARAM_PROBLEM] = {"parameter_problem", "header_field"},
    };
    const char *const(*t)[2] = ipv6 ? v6 : v4;
    *type = kind < LQ_ICMP_KIND_COUNT && t[kind][0] ? t[kind][0] : "unreachable";
    *code = kind < LQ_ICMP_KIND_COUNT ? t[kind][1] : NULL;
}

void lq_pd_inbound(struct lq_pd *p, const struct lq_seg *s)
{
    if (s->icmp) {
        /* < icmp TYPE [CODE] [mtu N] [seq:seq(0)]: the quoted sequence
         * number counted from the server's ISN, as packetdrill numbers its
         * outbound segments */
        const char *type, *code;
        lq_pd_icmp_names(s->icmp, s->ipv6, &type, &code);
        lq_pd_time(p);
        lq_sb_addf(&p->body, "< icmp %s", type);
        if (code)
            lq_sb_addf(&p->body, " %s", code);
        if (s->icmp == LQ_ICMP_FRAG_NEEDED)
            lq_sb_addf(&p->body, " mtu %u", s->mtu);
        uint32_t rel = s->seq - p->srv_isn0;
        lq_sb_addf(&p->body, " [%" PRIu32 ":%" PRIu32 "(0)]", rel, rel);
        p->nchecks = 0;
        return;
    }
    if ((s->flags & LQ_TH_SYN) && !p->have_isn0) {
        p->have_isn0 = true;
        p->isn0 = s->seq;
    }
    uint32_t seq = p->have_isn0 && !(s->flags & LQ_TH_SYN) ? s->seq - p->isn0 : s->seq;
    if (p->have_isn0 && (s->flags & LQ_TH_SYN))
        seq = s->seq - p->isn0; /* a SYN's number is as written: 0 is the first ISN */
    lq_pd_time(p);
    lq_sb_add(&p->body, "< ");
    lq_pd_flags(s->flags, &p->body);
    lq_sb_addf(&p->body, " %" PRIu32 ":%" PRIu32 "(%" PRIu32 ")", seq, seq + s->len, s->len);
    if (s->flags & LQ_TH_ACK)
        lq_sb_addf(&p->body, " ack %" PRIu32, p->have_srv ? s->ack - p->srv_isn0 : s->ack);
    lq_sb_addf(&p->body, " win %u", s->win);
    lq_pd_options(p, &s->opt, true, &p->body);
    p->nchecks = 0;
}

void lq_pd_outbound(struct lq_pd *p, const struct lq_obs_pkt *r, uint64_t at_ms, bool timed)
{
    const struct lq_seg *s = &r->seg;
    struct lq_strbuf *b = &p->body;
    bool synack = (s->flags & (LQ_TH_SYN | LQ_TH_ACK)) == (LQ_TH_SYN | LQ_TH_ACK);
    if (p->have_srv && r->seq_rel == LQ_REL_ZERO) {
        /* packetdrill numbers every outbound sequence number from the
         * server's ISN: a RST at sequence number 0 cannot be written */
        p->any_zero_rst = true;
        lq_sb_add(b, "// the model predicts > ");
        lq_pd_flags(s->flags, b);
        lq_sb_addf(b, " at sequence number 0 (counted by TcpOutRsts below)\n");
        return;
    }
    bool new_isn = false;
    if (synack && !p->have_srv) {
        p->have_srv = true;
        p->srv_isn0 = s->seq;
        p->sack_ok = s->opt.sack_perm;
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
    if (timed)
        lq_pd_window(p, at_ms);
    else {
        p->pending_ms += at_ms;
        lq_pd_time(p);
    }
    lq_sb_add(b, "> ");
    lq_pd_flags(s->flags, b);
    lq_sb_addf(b, " %" PRIu32 ":%" PRIu32 "(%" PRIu32 ")", seq, seq + s->len, s->len);
    if (s->flags & LQ_TH_ACK)
        lq_sb_addf(b, " ack %" PRIu32, p->have_isn0 ? s->ack - p->isn0 : s->ack);
    bool wild = !synack && p->sack_ok && !(s->flags & LQ_TH_RST);
    if (wild) {
        /* the model does not predict SACK blocks: any options */
        p->any_sack_wild = true;
        lq_sb_add(b, " <...>");
    } else {
        lq_pd_options(p, &s->opt, false, b);
    }
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
    else if (r->timing == LQ_PKT_DEFERRED)
        lq_sb_add(b, "  // delayed ACK");
    lq_sb_addc(b, '\n');
    p->nchecks = 0;
    if (p->quiet && !p->commenting) {
        /* the packet that ends the delayed-ACK stretch */
        p->quiet = false;
        p->quiet_over = true;
        uint32_t end = p->last ? p->sc->d[p->last->dir].line : 0;
        lq_sb_addf(&p->quiet_lines, "%s%" PRIu32 "-%" PRIu32, p->quiet_lines.len ? ", " : "",
                   p->quiet_line, end);
    }
}
