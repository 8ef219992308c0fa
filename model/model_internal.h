/* model/model_internal.h: the model's state, shared by its rule files.
 *
 * The structures shadow the kernel's: struct lq_req is a request_sock
 * (tcp_request_sock), struct lq_child a full tcp_sock created from one, and
 * struct lq_model holds the listener's request_sock_queue, accept queue and
 * the namespace's sysctls and SNMP counters. Nothing outside model/ includes
 * this header except tests and fuzzers that check invariants.
 */
#ifndef LISTENQ_MODEL_INTERNAL_H
#define LISTENQ_MODEL_INTERNAL_H

#include "model.h"

/* Constants from include/net/tcp.h and friends, in milliseconds (the model's
 * time unit; the kernel counts jiffies). */
#define LQ_TCP_TIMEOUT_INIT_MS     1000u   /* TCP_TIMEOUT_INIT */
#define LQ_TCP_RTO_MAX_MS          120000u /* TCP_RTO_MAX */
#define LQ_TCP_SYNCOOKIE_PERIOD_MS 60000u  /* TCP_SYNCOOKIE_PERIOD */
#define LQ_MAX_SYNCOOKIE_AGE       2u      /* MAX_SYNCOOKIE_AGE */
#define LQ_TCP_MSS_DEFAULT         536u    /* TCP_MSS_DEFAULT: mss_clamp without an MSS option */
#define LQ_TCP_MIN_SND_MSS         48u     /* net.ipv4.tcp_min_snd_mss default */
#define LQ_TCPOLEN_TSTAMP_ALIGNED  12u
#define LQ_ROUTE_ADVMSS            1460u /* dst advmss of the 1500-byte veth: the SYN-ACK's MSS */
/* IPv6: ip6_default_advmss() is the MTU less sizeof(ipv6hdr) + sizeof(tcphdr) */
#define LQ_ROUTE_ADVMSS6 1440u
/* tcp_request_sock_ipv6_ops.mss_clamp: IPV6_MIN_MTU - sizeof(tcphdr) - sizeof(ipv6hdr) */
#define LQ_TCP_V6_MSS_CLAMP 1220u
/* tcp_select_initial_window() with tcp_rmem[2] = 6 MiB (the harness sets it) */
#define LQ_RCV_WSCALE         7u
#define LQ_SYNACK_WINDOW      65535u /* min(rsk_rcv_wnd, 65535) as tcp_synack_window() */
#define LQ_FULL_SPACE         65536u /* tcp_full_space(listener): tcp_rmem[1] = 131072 scaled by 1/2 */
#define LQ_TCP_ATO_MIN_MS     40u    /* TCP_ATO_MIN: delayed ACK after the first data */
#define LQ_TCP_DELACK_TICK_MS 4u     /* an ato of 0 fires at the next tick (HZ=250 at most 4 ms) */

/* A listening socket: struct sock in TCP_LISTEN with its
 * inet_connection_sock (icsk_accept_queue: the request and accept queues). */
struct lq_listener {
    bool reuseport; /* SO_REUSEPORT, set before bind */
    bool listening;
    bool fd_closed; /* close(): every later call on it is EBADF */
    bool detached;  /* shutdown() took it out of its SO_REUSEPORT group */
    /* close()/shutdown() with tcp_migrate_req 1 moved it to its group's
     * closed section (reuseport_stop_listen_sock: __reuseport_add_closed_sock):
     * it keeps sk_reuseport_cb, so its children and requests can migrate */
    bool closed_in_group;
    uint32_t closed_gen;        /* ... the group (lq_reuseport.gen) whose closed section */
    uint8_t shutdown;           /* sk_shutdown bits a shutdown() of the unconnected socket left */
    uint32_t max_ack_backlog;   /* sk_max_ack_backlog (N) */
    uint32_t legacy_qlen_limit; /* 1 << max_qlen_log, legacy profile only */
    int defer_accept;           /* rskq_defer_accept (a retransmission count) */
    int syn_retries;            /* icsk_syn_retries (TCP_SYNCNT), 0 = sysctl */
    uint16_t user_mss;          /* tp->rx_opt.user_mss (TCP_MAXSEG), 0 = none */
    int qlen, young;            /* reqsk_queue_len, reqsk_queue_len_young */
    bool overflow_seen;         /* rx_opt.ts_recent_stamp was ever written */
    uint32_t last_overflow;     /* ... and its value (tcp_synq_overflow) */
    bool synflood_warned;
    /* A group of its own (reuseport_alloc from reuseport_attach_prog on an
     * unhashed socket), holding a program: its modulus, 0 = none. */
    bool own_group;
    uint32_t own_prog;
    /* icsk_accept_queue.fastopenq: max_qlen (0: TFO off on this listener)
     * and qlen, the TFO children still in SYN_RECV and the requests on the
     * RST list (rskq_rst_head: FIFO, each one's rsk_timer.expires in
     * jiffies_64, reqsk_fastopen_remove) */
    int fo_max_qlen, fo_qlen;
    /* for the invariant: fo_qlen is the Fast Open children in SYN_RECV (and
     * the RST list) plus this, the (negative) count listen() forgot */
    int fo_qlen_offset;
    uint64_t *fo_rst;
    size_t fo_rst_head, fo_rst_len, fo_rst_cap;
    /* The accept queue: child indexes, FIFO. */
    int *acceptq;
    size_t acceptq_head, acceptq_len, acceptq_cap;
};

/* struct sock_reuseport: the listening members in socks[] order (the order
 * they listened in), the program (SO_ATTACH_REUSEPORT_CBPF "return the TCP
 * source port modulo prog", 0 = none) and the group's synq_overflow_ts. */
struct lq_reuseport {
    uint8_t socks[LQ_MAX_LISTENERS];
    int num_socks;
    uint32_t prog;
    bool overflow_seen;
    uint32_t synq_overflow_ts;
    /* which group this is: reuseport_alloc() makes a new one whenever a
     * listener listens with no member listening, and a socket left in an
     * older group's closed section stays there, with no member to migrate
     * to (listener.closed_gen) */
    uint32_t gen;
};

/* A request sock: struct tcp_request_sock. */
struct lq_req {
    uint16_t conn;
    uint8_t lsn;           /* rsk_listener: index into lsn[] */
    uint16_t rport, lport; /* client (remote) and listener (local) ports */
    uint32_t rcv_isn, rcv_nxt;
    uint32_t snt_isn;
    uint16_t mss; /* req->mss: the client's MSS clamp */
    bool ipv6;    /* an IPv6 request (not one of a v4-mapped SYN) */
    uint8_t snd_wscale, rcv_wscale;
    bool wscale_ok, sack_ok, tstamp_ok;
    bool acked;       /* inet_rsk(req)->acked */
    bool ecn_ok;      /* inet_rsk(req)->ecn_ok: the SYN-ACK carries ECE */
    uint32_t rcv_wnd; /* rsk_rcv_wnd */
    uint32_t ts_recent;
    uint32_t ts_off;
    uint32_t snt_tsval_first, snt_tsval_last;
    uint8_t num_timeout, num_retrans;
    uint32_t last_oow_ack; /* tcp_jiffies32 stamp, 0 = never (as the kernel) */
    uint64_t expires_ms;   /* rsk_timer */
    uint64_t born;         /* creation order */
    uint64_t armed;        /* when (in arming order) the timer was last armed */
    uint64_t synack_ms;    /* tcp_rsk(req)->snt_synack: when the last SYN-ACK left */
    uint32_t txhash;       /* tcp_rsk(req)->txhash, a token (lq_net_tx_rndhash) */
};

/* SYN_RECV: only a TCP Fast Open child is a full socket there (fastopen) */
enum lq_child_state {
    LQ_CHILD_ESTABLISHED,
    LQ_CHILD_CLOSE_WAIT,
    LQ_CHILD_CLOSED,
    LQ_CHILD_SYN_RECV
};

#define LQ_TCP_MIN_MSS       88u /* TCP_MIN_MSS */
#define LQ_TCP_NUM_SACKS     4   /* TCP_NUM_SACKS */
#define LQ_TCP_MAX_QUICKACKS 16u
/* The model follows a child's receive path while its queues hold little:
 * an estimate of their memory (lq_rcv_truesize, at least the kernel's skb
 * truesize for a frame the harness injects) stays below this, half of what
 * makes tcp_select_window() reset the quick-ACK credit (free space below
 * half the buffer) and far from pruning. Further on, the receive buffer's
 * memory accounting decides, which the model does not mirror
 * (docs/model.md, "Scope"). */
#define LQ_RCV_RMEM_SCOPE 32768u
#define LQ_OFO_MAX        32 /* LQ_RCV_RMEM_SCOPE / lq_rcv_truesize(0) */

/* icsk_ack.pending bits (enum inet_csk_ack_state_t) */
enum {
    LQ_ACK_SCHED = 1,
    LQ_ACK_TIMER = 2,
    LQ_ACK_PUSHED = 4,
    LQ_ACK_PUSHED2 = 8,
    LQ_ACK_NOW = 16,
};

/* An skb of the out-of-order queue, [seq, end) with FIN counted in end. */
struct lq_ofo_skb {
    uint32_t seq, end;
    bool fin;
};

struct lq_sack_block {
    uint32_t start, end;
};

/* A full socket created from a request or a cookie: struct tcp_sock. */
struct lq_child {
    uint16_t conn;
    uint8_t lsn; /* the listener whose accept queue it joins */
    bool ipv6;   /* IPv6 peer (a dual-stack listener's IPv4 peer is not) */
    uint16_t rport, lport;
    uint32_t txhash; /* sk_txhash = treq->txhash (tcp_create_openreq_child) */
    enum lq_child_state state;
    bool hashed;     /* in the established hash: segments for its 4-tuple reach it */
    bool queued;     /* in the listener's accept queue */
    bool accepted;   /* returned by accept(); the harness holds it open */
    bool app_closed; /* close() of its descriptor: FIN_WAIT1 / LAST_ACK, or reset */
    bool forgotten;  /* inet_child_forget(): its listener closed with it queued */
    uint32_t snt_isn, snd_nxt, snd_una;
    uint32_t rcv_nxt, rcv_wup;
    uint32_t rcv_wnd; /* the window last advertised (its lower bound once uncertain) */
    /* The right edge rcv_wup + rcv_wnd as a range: exact until the child
     * first selects a window (tcp_select_window), which depends on memory
     * accounting; it never moves left. */
    uint32_t edge_lo, edge_hi;
    bool fin_received;
    bool tstamp_ok, sack_ok, wscale_ok;
    bool ecn_ok; /* TCP_ECN_OK (tcp_ecn_openreq_child): classic ECN negotiated */
    uint8_t snd_wscale, rcv_wscale;
    uint32_t ts_recent, ts_off;
    uint32_t tsval_max;                    /* the newest TSval the client sent this socket */
    uint16_t mss_cache;                    /* getsockopt(TCP_MAXSEG) */
    uint16_t pmtu_cookie;                  /* icsk_pmtu_cookie: the MTU mss_cache was synced to */
    uint16_t mss_clamp;                    /* rx_opt.mss_clamp: the request's MSS */
    uint32_t snd_wnd, max_window, snd_wl1; /* the peer's window (tcp_ack_update_window) */
    uint16_t advmss;                       /* tp->advmss */
    uint16_t rcv_mss;                      /* icsk_ack.rcv_mss */
    uint16_t last_seg_size;
    uint32_t last_oow_ack;
    bool srtt_known; /* the handshake gave an RTT sample (tcp_synack_rtt_meas) */
    uint32_t rtt_ms; /* ...of this many ms (0: under a millisecond of the clock) */
    /* icsk_ack */
    uint8_t ack_pending; /* LQ_ACK_* */
    /* icsk_ack.quick and .ato in two worlds: without tcp_grow_window()'s
     * "quick |= 1" (which depends on buffer space) and with it wherever it
     * may have happened; a decision the two worlds disagree on is beyond the
     * model. */
    uint8_t quick, quick_hi;
    uint32_t ato, ato_hi; /* jiffies */
    bool pingpong;
    uint32_t lrcvtime;       /* icsk_ack.lrcvtime, jiffies */
    uint32_t delack_timeout; /* icsk_ack.timeout, jiffies */
    uint64_t delack_due;     /* ... in model time */
    uint32_t delack_ack;     /* the rcv_nxt it was last predicted with */
    bool delack_next_jiffy;  /* ato 0: it fires before the next call */
    uint16_t delack_dp;      /* the decision point that scheduled it */
    /* An ACK went out now or from the delayed-ACK timer, depending on what
     * the model does not mirror: later segments to this child are beyond it. */
    bool ack_timing_unknown;
    bool urg_data;    /* tp->urg_data: an urgent pointer was taken (tcp_check_urg) */
    uint32_t urg_seq; /* ... tp->urg_seq */
    /* tp->fastopen_rsk: a TFO child (tcp_fastopen_create_child) stays in
     * SYN_RECV with its request until the handshake completes; the request
     * is not hashed (nor counted in the SYN queue), only kept here */
    bool fastopen;
    struct lq_req fo_rsk;
    uint64_t fo_rto_due; /* the child's retransmission timer (its SYN-ACK's), model time */
    int fo_syn_retries;  /* icsk_syn_retries, cloned from the listener (TCP_SYNCNT) */
    bool syn_recv; /* the segment that created it had SYN: tcp_validate_incoming left it in SYN_RECV
                    */
    /* Receive queues (nobody ever reads). */
    uint16_t rcvq_skbs;
    uint32_t rcvq_bytes;
    uint32_t rmem_est; /* estimated sk_rmem_alloc of both queues */
    bool data_seen;    /* a payload byte was ever queued */
    struct lq_ofo_skb ofo[LQ_OFO_MAX];
    uint8_t nofo;
    struct lq_sack_block sacks[LQ_TCP_NUM_SACKS]; /* selective_acks[] */
    uint8_t num_sacks;
};

/* Per connection: at most one socket is hashed for its 4-tuple. */
struct lq_conn_slot {
    int req;   /* index into reqs, -1 */
    int child; /* index into children of the hashed child, -1 */
    /* Not kernel state: the last cookie SYN-ACK's TSval, whose low bits a
     * TSecr must carry for the model to decode it as the kernel does. */
    bool has_cookie_tsval;
    uint32_t cookie_tsval;
};

struct lq_model {
    struct lq_profile profile;
    enum lq_model_bug bug;
    int64_t sysctl[LQ_SYSCTL_COUNT];

    /* The listeners: sockets bound to the scenario's port (one unless the
     * scenario declares several), each with its own queues; lsk is the one
     * the rule in progress runs on (the kernel's sk). */
    enum lq_family family;
    uint16_t lport;
    struct lq_listener lsn[LQ_MAX_LISTENERS];
    int nlsn;
    struct lq_listener *lsk;
    struct lq_reuseport group; /* the SO_REUSEPORT group of the listening ones */
    uint32_t txhash_next;      /* the next token lq_net_tx_rndhash hands out */

    /* Sockets. */
    struct lq_conn_slot *conns;
    size_t nconns_cap;
    struct lq_req *reqs;
    bool *req_used;
    size_t nreqs_cap;
    size_t nreqs_hw; /* slots in use or freed since the reset: iterate up to here */
    int *req_free;   /* freed slots, reused first */
    size_t nreq_free, req_free_cap;
    struct lq_child *children;
    size_t nchildren, nchildren_cap;

    /* The route to the client's address of each family ([ipv6]): a PMTU
     * exception (fib_nh_exception, an RTF_CACHE rt6_info) learnt from an
     * ICMP error, 0 for none (the veth's 1500); locked: below ip_rt_min_pmtu */
    uint16_t route_pmtu[2];
    bool route_pmtu_locked[2];

    uint64_t now_ms;
    size_t next_jiffy_acks; /* children whose delayed ACK fires before the next call (or 0) */
    uint64_t jiffies0;      /* jiffies_64 when the scenario started */
    uint32_t hz;            /* CONFIG_HZ of the kernel being mirrored */
    bool wheel;             /* timers fire as the kernel's timer wheel runs them */
    uint64_t born_seq;
    uint64_t arm_seq; /* timer arming order (see lq_reqsk_timers) */
    uint32_t isn_seq; /* feeds the made-up ISNs */
    uint64_t counters[LQ_CTR_COUNT];
    const char *broken; /* first bookkeeping rule a rule file saw broken */
    const char *beyond; /* why the model cannot predict this scenario further */

    /* Output of the last call. */
    struct lq_model_pkt *out;
    size_t nout, out_cap;
    uint16_t *dps;
    size_t ndps, dps_cap;
};

/* model.c */
void *lq_model_grow(void *p, size_t *cap, size_t need, size_t elem);
void lq_model_begin(struct lq_model *m);
int lq_model_call_on(struct lq_model *m, int lsn);
void lq_model_dp(struct lq_model *m, enum lq_dp dp);
struct lq_model_pkt *lq_model_emit(struct lq_model *m, enum lq_dp dp);
void lq_model_count(struct lq_model *m, enum lq_counter c);
uint32_t lq_model_jiffies(const struct lq_model *m);
uint64_t lq_model_timer_fire_ms(const struct lq_model *m, uint64_t expires_ms);
uint64_t lq_model_jiffies64(const struct lq_model *m);
uint32_t lq_model_new_isn(struct lq_model *m, uint16_t conn);
uint32_t lq_model_ts_off(const struct lq_model *m, uint16_t conn);
uint32_t lq_model_tsval(const struct lq_model *m, uint32_t ts_off);
struct lq_conn_slot *lq_model_slot(struct lq_model *m, uint16_t conn);
int lq_model_req_alloc(struct lq_model *m);
void lq_req_arm_timer(struct lq_model *m, struct lq_req *req, uint64_t expires_ms);
void lq_model_req_free(struct lq_model *m, int r);
int lq_model_child_alloc(struct lq_model *m);
void lq_tcp_listendrop(struct lq_model *m);
void lq_model_beyond(struct lq_model *m, const char *why);

/* The listener rules run on from here (the kernel's sk). */
static inline void lq_model_use_listener(struct lq_model *m, int lsn)
{
    m->lsk = &m->lsn[lsn];
}

/* reuseport.c: reuseport_select_sock() and the group's bookkeeping */
/* The listener a segment's lookup finds (__inet_lookup_listener with
 * inet_lookup_reuseport), or -1: none listens. */
int lq_inet_lookup_listener(struct lq_model *m, const struct lq_seg *in);
void lq_reuseport_listen(struct lq_model *m, int lsn);
bool lq_reuseport_listen_conflict(struct lq_model *m, int lsn);
int lq_reuseport_attach_prog(struct lq_model *m, int lsn, int value);
/* reuseport_migrate_sock(): the listener a closed listener's child or
 * request moves to, or LQ_MIGRATE_NONE (counted as TCPMigrateReqFailure
 * when the listener was still in a group's closed section), or
 * LQ_MIGRATE_BEYOND (the group's hash would choose). */
enum { LQ_MIGRATE_NONE = -1, LQ_MIGRATE_BEYOND = -2 };
int lq_reuseport_migrate_sock(struct lq_model *m, int lsn);

/* accept.c: the accept queue (inet_csk_accept() is lq_model_accept) */
void lq_inet_csk_reqsk_queue_add(struct lq_model *m, int child);
void lq_inet_csk_reqsk_queue_add_migrated(struct lq_model *m, int child);
bool lq_sk_acceptq_is_full(const struct lq_model *m);

/* rcv.c: tcp_v4_rcv() is lq_model_input(); the listener's tcp_v4_do_rcv()
 * is static there. */

/* output.c: the segments the kernel builds */
void lq_tcp_v4_send_synack(struct lq_model *m, struct lq_req *req, bool cookie, enum lq_dp dp);
/* txhash: the hash of the socket that answers (tcp_v6_send_reset: a full
 * socket's sk_txhash), 0 for none (no socket, the listener, a request) */
void lq_tcp_v4_send_reset(struct lq_model *m, const struct lq_seg *in, uint32_t txhash,
                          enum lq_dp dp);
/* inet_rtx_syn_ack() -> tcp_rtx_synack(): a request's SYN-ACK again (the
 * txhash redrawn, the counters, num_retrans); returns the packet, whose
 * timing a timer's caller sets */
struct lq_model_pkt *lq_inet_rtx_syn_ack(struct lq_model *m, struct lq_req *req, enum lq_dp dp);
/* net_tx_rndhash(): a fresh random txhash; the model's are tokens (1, 2, ...) */
uint32_t lq_net_tx_rndhash(struct lq_model *m);
/* ip6_make_flowlabel(): the label of an IPv6 segment to client port cport
 * sent with skb hash txhash (0: none, the flow's own hash) */
uint32_t lq_ip6_flowlabel(uint32_t txhash, uint16_t cport);
void lq_tcp_v4_reqsk_send_ack(struct lq_model *m, struct lq_req *req, enum lq_dp dp);
void lq_child_ack_seg(const struct lq_model *m, const struct lq_child *c, struct lq_seg *s);
bool lq_tcp_oow_rate_limited(struct lq_model *m, const struct lq_seg *in, uint32_t *last_oow_ack,
                             enum lq_counter mib);

uint32_t lq_initial_rcv_wnd(const struct lq_model *m, uint16_t mss);
/* The route's advmss for a connection of that family (the SYN-ACK's MSS
 * before TCP_MAXSEG): 1460 over IPv4, 1440 over IPv6, less what a PMTU
 * exception took (ipv4_default_advmss, ip6_default_advmss). */
uint16_t lq_route_advmss(const struct lq_model *m, bool ipv6);
/* dst_mtu() of the route to the client: 1500, or its PMTU exception. */
uint32_t lq_route_mtu(const struct lq_model *m, bool ipv6);
/* tcp_mss_clamp(): the listener's TCP_MAXSEG caps an MSS (the route's advmss). */
uint16_t lq_mss_clamp(const struct lq_model *m, uint16_t mss);

/* listen.c */
bool lq_inet_csk_reqsk_queue_is_full(const struct lq_model *m);

/* test_seams.c: a rule's planted bug (enum lq_model_bug), for the tests of
 * the harness. LQ_TEST_SEAM(m, planted, wrong, right) is `wrong` when the test
 * planted that bug, else `right`: the rule as the kernel has it. */
#define LQ_TEST_SEAM(m, planted, wrong, right) ((m)->bug == (planted) ? (wrong) : (right))

/* conn_request.c */
void lq_tcp_conn_request(struct lq_model *m, const struct lq_seg *in);

/* check_req.c: returns what tcp_v4_rcv does next */
enum lq_check_req_result { LQ_CHECKREQ_DONE, LQ_CHECKREQ_LISTENER, LQ_CHECKREQ_CHILD };
enum lq_check_req_result lq_tcp_check_req(struct lq_model *m, int r, const struct lq_seg *in,
                                          int *child);
void lq_inet_csk_reqsk_queue_drop(struct lq_model *m, int r);
/* tcp_check_req(fastopen = true) for TFO child `child`: DONE (handled),
 * RESET (a valid RST: embryonic_reset's TFO branch is the caller's), or
 * CHILD ("return sk": on to the child's tcp_rcv_state_process). */
enum lq_check_req_fastopen {
    LQ_CHECKREQ_FASTOPEN_DONE,
    LQ_CHECKREQ_FASTOPEN_RESET,
    LQ_CHECKREQ_FASTOPEN_CHILD
};
enum lq_check_req_fastopen lq_tcp_check_req_fastopen(struct lq_model *m, int child,
                                                     const struct lq_seg *in);

/* syncookies.c: NULL-like results as tcp_v4_cookie_check */
enum lq_cookie_result { LQ_COOKIE_LISTENER, LQ_COOKIE_DROP, LQ_COOKIE_CHILD };
/* cookie_v4_check, or cookie_v6_check for an IPv6 segment */
enum lq_cookie_result lq_cookie_check(struct lq_model *m, const struct lq_seg *in, int *child);
/* cookie_v4_init_sequence, or cookie_v6_init_sequence for an IPv6 SYN */
uint32_t lq_cookie_init_sequence(struct lq_model *m, const struct lq_seg *syn, uint16_t *mss);
uint32_t lq_cookie_init_timestamp(const struct lq_model *m, const struct lq_req *req);
void lq_tcp_synq_overflow(struct lq_model *m);

/* child.c: the child socket, its ACKs and delayed-ACK timer */
/* tcp_sync_mss(sk, pmtu): mss_cache and icsk_pmtu_cookie */
void lq_tcp_sync_mss(struct lq_child *c, uint32_t pmtu);
/* tcp_mtu_to_mss(sk, pmtu) */
uint32_t lq_tcp_mtu_to_mss(const struct lq_child *c, uint32_t pmtu);
void lq_tcp_ack_update_window(struct lq_child *c, const struct lq_seg *in);
/* tcp_v4_syn_recv_sock, or tcp_v6_syn_recv_sock on an IPv6 listener */
int lq_tcp_syn_recv_sock(struct lq_model *m, const struct lq_req *req, const struct lq_seg *in,
                         bool cookie);
void lq_tcp_child_process(struct lq_model *m, int child, const struct lq_seg *in);
/* tcp_synack_rtt_meas(): the child's first RTT sample from its request */
void lq_child_synack_rtt(const struct lq_model *m, struct lq_child *ch, const struct lq_req *req,
                         const struct lq_seg *in, bool cookie);
void lq_child_synrecv_done(struct lq_model *m, struct lq_child *c, const struct lq_seg *in);
void lq_tcp_reset(struct lq_model *m, struct lq_child *c);
void lq_tcp_ecn_accept_cwr(struct lq_model *m, struct lq_child *c, const struct lq_seg *in);
void lq_tcp_send_ack(struct lq_model *m, struct lq_child *c, enum lq_dp dp);
void lq_tcp_send_challenge_ack(struct lq_model *m, struct lq_child *c, enum lq_dp dp);
void lq_tcp_ack_snd_check(struct lq_model *m, struct lq_child *c, enum lq_dp dp);
void lq_tcp_enter_quickack_mode(struct lq_model *m, struct lq_child *c);
void lq_tcp_event_data_recv(struct lq_model *m, struct lq_child *c, uint32_t len);
bool lq_child_delack_about_to_expire(const struct lq_model *m, const struct lq_child *c);
void lq_child_fire_next_jiffy(struct lq_model *m);
void lq_child_timers(struct lq_model *m, uint64_t until);

/* child_rcv.c: a segment to the child (tcp_rcv_established, tcp_rcv_state_process) */
void lq_child_rcv(struct lq_model *m, int child, const struct lq_seg *in);
void lq_child_data_queue(struct lq_model *m, struct lq_child *c, const struct lq_seg *in);
/* Room for one more skb of len bytes within the model's scope; charges it. */
bool lq_child_charge_skb(struct lq_model *m, struct lq_child *c, uint32_t len);
/* tcp_validate_incoming()'s tcp_sequence() on a child with fastopen_rsk,
 * for a segment tcp_check_req(fastopen) passed: false when it stops here
 * (a dupack, rate-limited; or beyond the model). */
bool lq_child_fastopen_sequence(struct lq_model *m, struct lq_child *c, const struct lq_seg *in);

/* close.c */
void lq_tcp_send_active_reset(struct lq_model *m, struct lq_child *c, enum lq_dp dp);

/* icmp.c: tcp_v4_err(), tcp_v6_err() */
void lq_tcp_err(struct lq_model *m, const struct lq_seg *in);

/* fastopen.c: TCP Fast Open on the listener */
#define LQ_TFO_SERVER_ENABLE          0x2   /* TFO_SERVER_ENABLE */
#define LQ_TFO_SERVER_COOKIE_NOT_REQD 0x200 /* TFO_SERVER_COOKIE_NOT_REQD */
#define LQ_TFO_SERVER_WO_SOCKOPT1     0x400 /* TFO_SERVER_WO_SOCKOPT1 */
/* struct tcp_fastopen_cookie: len -1 none, 0 a request */
struct lq_foc {
    int8_t len;
    bool exp;
    uint8_t val[LQ_TFO_COOKIE_MAX];
};
/* The SYN's option as tcp_parse_options() left it in foc. */
void lq_fastopen_parse(const struct lq_seg *in, struct lq_foc *foc);
/* tcp_try_fastopen(): the TFO child (an index into children), or -1, with
 * foc the cookie the SYN-ACK carries (len -1: none). */
int lq_tcp_try_fastopen(struct lq_model *m, const struct lq_seg *in, const struct lq_req *req,
                        struct lq_foc *foc);
/* The FO option on the SYN-ACK just emitted (tcp_synack_options), if foc has one. */
void lq_fastopen_synack_option(struct lq_model *m, const struct lq_foc *foc);
void lq_fastopen_queue_tune(struct lq_model *m, int backlog);
/* A segment to a TFO child in SYN_RECV. */
void lq_fastopen_synrecv_rcv(struct lq_model *m, int child, const struct lq_seg *in);
/* How many TFO children of listener lsn are still in SYN_RECV, and the
 * requests on its RST list. */
int lq_fastopen_children_of(const struct lq_model *m, int lsn);
/* Time passes: the TFO children's SYN-ACK timers and the request timers, in
 * expiry order. */
void lq_fastopen_timers(struct lq_model *m, uint64_t until);

/* reqsk_timer.c */
/* reqsk_timeout(req, TCP_RTO_MAX): TCP_TIMEOUT_INIT << num_timeout, capped */
uint64_t lq_reqsk_timeout(const struct lq_req *req);
void lq_reqsk_timers(struct lq_model *m, uint64_t until);

#endif
