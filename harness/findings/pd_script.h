/* harness/findings/pd_script.h: the state of one packetdrill script being
 * written (packetdrill.c: the script; pd_body.c: its body; pd_lines.c: its
 * packet lines). Private to the exporter. */
#ifndef LISTENQ_HARNESS_PD_SCRIPT_H
#define LISTENQ_HARNESS_PD_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/scenario.h"
#include "run/trace.h"
#include "util/strbuf.h"

#define LQ_PD_LPORT       8080u       /* packetdrill's default local port */
#define LQ_PD_SRV_TS_BASE 1000u       /* the server's first TSval, as the script writes it */
#define LQ_PD_TS_DUP_BASE 2000000000u /* a repeated TSval, as the script writes it */
#define LQ_PD_TS_MAX      256u
/* How much earlier than the model's due time a timed line's window starts,
 * per backtick line since the packet line that anchors the timer: relative
 * times count from the end of the previous line, and a backtick takes real
 * time the kernel's timer does not wait for (docs/packetdrill.md). */
#define LQ_PD_CHECK_SLACK_MS 50u
/* How much later: a few jiffies of timer softirq latency on a loaded machine
 * (packetdrill adds its own tolerance). */
#define LQ_PD_LATE_MS 25u
/* A dual-stack script's address on the tun device of the family
 * packetdrill's flow is not (pd-peer sends the other connections to it). */
#define LQ_PD_OTHER_V4 "192.168.0.1/32"
#define LQ_PD_OTHER_V6 "fd3d:fa7b:d17d::1/48"
/* At most this many checks held back inside one delayed-ACK stretch. */
#define LQ_PD_HELD_MAX 32

struct lq_pd {
    const struct lq_scenario *sc;
    const struct lq_trace *t;
    uint16_t conn;     /* the connection whose flow packetdrill drives */
    bool flow;         /* false: packetdrill cannot send all of its segments; pd-peer drives it */
    bool state_checks; /* the model's queue lengths and counters after every event */
    struct lq_strbuf body;
    struct lq_strbuf left; /* the header's "left out" lines */
    /* what the header says once */
    bool any_cookie, any_new_isn, any_wait, any_sack_wild, any_superseded, any_zero_rst, any_peer,
        any_peer_timer, any_beyond_note, any_dual, any_peer_accept;
    /* the flow's numbering, as packetdrill numbers it */
    bool have_isn0, have_srv, have_srv_ts;
    uint32_t isn0, srv_isn0, srv_ts0;
    bool sack_ok; /* the flow's SYN-ACK granted SACK: its ACKs may carry SACK blocks */
    /* the server's TSvals as the script writes them: the first packet with
     * a value gets base + its offset, a later one with the same value a
     * number of its own, so that an echo of the value maps to the first
     * (what the model's same instant means; a later one is a later ms on a
     * kernel whose checks take time) */
    uint32_t ts_model[LQ_PD_TS_MAX], ts_script[LQ_PD_TS_MAX];
    unsigned nts, ts_dups;
    /* the model's server, per connection: the last SYN-ACK's ISN, its TSval */
    bool *srv_known, *srv_ts_known;
    uint32_t *srv_isn, *srv_ts;
    int next_fd;
    int flow_fd;               /* the descriptor accept() gave the flow's connection (0: none) */
    uint64_t pending_ms;       /* time to put before the next line */
    bool started;              /* the socket() line is out */
    bool listening;            /* a listen() succeeded */
    const struct lq_obs *last; /* the last event's observation */
    size_t last_i;             /* its index in t->obs */
    unsigned nchecks;          /* backtick lines since the flow's last packet line */
    size_t peer_end;           /* where the last pd-peer send line ends in body */
    /* The delayed-ACK stretch (pd_timing.c): the flow's delayed ACK is
     * pending and a later segment of the flow finds it so; no check runs
     * in it, the ones that fall there are held back to its end. */
    bool quiet, quiet_over, commenting;
    uint32_t quiet_line;
    size_t held_dir[LQ_PD_HELD_MAX], held_obs[LQ_PD_HELD_MAX];
    uint32_t held_line[LQ_PD_HELD_MAX];
    unsigned nheld;
    bool held_lost;
    struct lq_strbuf quiet_lines; /* the header's list of the stretches */
    /* the Fast Open cookie the model's SYN-ACKs last carried, per family
     * (the client's cookie cache: IPv4 0, IPv6 1) */
    uint8_t fo_model_len[2];
    uint8_t fo_model[2][LQ_TFO_COOKIE_MAX];
};

/* The trace's packets of observation o. */
static inline const struct lq_obs_pkt *lq_pd_pkts(const struct lq_trace *t, const struct lq_obs *o)
{
    return o->npkts ? &t->pkts[o->first_pkt] : NULL;
}

/* A backtick line: "+T `" ... "`\n" (counted in nchecks). */
void lq_pd_cmd_begin(struct lq_pd *p);
void lq_pd_cmd_end(struct lq_pd *p);
/* The model's server as the other connections' segments are relative to
 * it (pd_peer_lines.c): per connection the last SYN-ACK's ISN and TSval. */
void lq_pd_track(struct lq_pd *p, const struct lq_obs *o);
/* "listenq pd-peer send ...": a segment the flow does not carry, and the
 * kinds of the replies the model predicts at once. */
void lq_pd_peer_send(struct lq_pd *p, const struct lq_obs *o);

/* "+1.500 " for the time pending (and nothing pending after it). */
void lq_pd_time(struct lq_pd *p);
/* "< S 0:0(0) win 65535 <...>" for a client segment of the flow. */
void lq_pd_inbound(struct lq_pd *p, const struct lq_seg *s);
/* "> S. 0:0(0) ack 1 <...>" for a reply to the flow, at_ms after the line
 * before it; timed: a window (timers, delayed ACKs) instead of one time. */
void lq_pd_outbound(struct lq_pd *p, const struct lq_obs_pkt *r, uint64_t at_ms, bool timed);
/* Whether packetdrill can send the flow's segment s as the model's client
 * does; why not into why. */
bool lq_pd_inbound_ok(const struct lq_pd *p, const struct lq_seg *s, const char **why);

/* Whether a later event draws a packet to the flow that supersedes the
 * flow's delayed ACK of observation oi (not its timer firing). */
bool lq_pd_superseder_later(const struct lq_pd *p, size_t oi);
/* How many delayed ACKs the model scheduled before observation oi and
 * sends after it (or never), not counting the flow's own that packetdrill
 * waits for: on a kernel each may fire while the checks around oi run. */
int lq_pd_pending_acks(const struct lq_pd *p, size_t oi);
/* The stretch begins after the event of line `line`. */
void lq_pd_quiet_begin(struct lq_pd *p, uint32_t line);
/* Holds back the check of directive dir (SIZE_MAX: the state check). */
void lq_pd_quiet_hold(struct lq_pd *p, size_t dir, uint32_t line);
/* After the event that ended the stretch: the held checks whose state did
 * not change since (emit writes one), the others into the header. */
void lq_pd_quiet_end(struct lq_pd *p, void (*emit)(struct lq_pd *, size_t dir, uint32_t line));

/* Fast Open options (pd_fastopen.c). What a SYN's cookie is, as the
 * script writes it: */
enum lq_pd_fo_kind {
    LQ_PD_FO_REQUEST,        /* an empty option */
    LQ_PD_FO_KERNEL,         /* the model's cookie: the kernel's, in the script */
    LQ_PD_FO_KERNEL_FLIPPED, /* the model's with every bit flipped (tfo=bad) */
    LQ_PD_FO_LITERAL,        /* other bytes (no cookie learnt yet), as they are */
};
/* Whether a SYN of the scenario carries a Fast Open option. */
bool lq_pd_fo_used(const struct lq_scenario *sc);
/* The flow's local address the header sets where Fast Open is used. */
const char *lq_pd_fo_local_ip(bool ipv6);
/* Learns the model's cookie from a SYN-ACK of the trace (lq_pd_track). */
void lq_pd_fo_learn(struct lq_pd *p, const struct lq_obs_pkt *r);
enum lq_pd_fo_kind lq_pd_fo_classify(const struct lq_pd *p, uint16_t conn,
                                     const struct lq_tcpopt *o);
/* The flow's FO option in a packet line's option list (first: no comma);
 * in: the client's (else the server's, whose cookie is the kernel's). */
void lq_pd_fo_option(const struct lq_pd *p, uint16_t conn, const struct lq_tcpopt *o, bool in,
                     struct lq_strbuf *out, bool first);
/* " --fo request|kernel|kernel-flipped|HEX" for a pd-peer send line. */
void lq_pd_fo_peer_arg(const struct lq_pd *p, uint16_t conn, const struct lq_tcpopt *o,
                       struct lq_strbuf *out);
#endif
