/* model/model.h: the reference model of the Linux TCP listen queues.
 *
 * Deterministic: no syscalls, no clock, no randomness. The caller feeds it
 * the listener's set-up and then events (a segment arrives, accept() is
 * called, time passes); after each call the model's output holds the
 * segments the kernel would send, the decision points it took, and the
 * state (queues, counters) can be read. Time is virtual, in milliseconds,
 * and only moves in lq_model_advance().
 *
 * Server-side random values (ISNs, cookies, timestamp offsets) are made up
 * deterministically; callers compare them by relation, never by value.
 */
#ifndef LISTENQ_MODEL_MODEL_H
#define LISTENQ_MODEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "decision.h"
#include "profile.h"
#include "segment.h"
#include "sysctl.h"

struct lq_model;

/* When a predicted segment leaves. */
enum lq_pkt_timing {
    LQ_PKT_NOW,            /* synchronously, while the kernel handles the event */
    LQ_PKT_TIMER,          /* from a timer, at t_ms, during lq_model_advance() */
    LQ_PKT_DEFERRED,       /* a delayed ACK scheduled by this event, due at t_ms (the
                            * earliest it may leave: the event's own time when it
                            * may go at once); a later ACK may supersede it, so it
                            * is optional until... */
    LQ_PKT_DEFERRED_FIRED, /* ...its timer fires in lq_model_advance(): by then
                            * it must have been sent (possibly earlier) */
    LQ_PKT_NEXT_JIFFY,     /* a DEFERRED_FIRED one whose timer was due at the next
                            * jiffy after the last call: it fires at the start of
                            * this call, before its event (on a kernel: between the
                            * two events) */
};

/* A delayed ACK whose timer fired (in a wait, or at the next jiffy). */
static inline bool lq_pkt_timer_fired(uint8_t timing)
{
    return timing == LQ_PKT_DEFERRED_FIRED || timing == LQ_PKT_NEXT_JIFFY;
}

/* A segment the model predicts the kernel sends. */
struct lq_model_pkt {
    struct lq_seg seg;
    bool cookie;    /* a SYN-ACK whose ISN is a SYN cookie */
    uint8_t timing; /* enum lq_pkt_timing */
    uint64_t t_ms;  /* virtual time of sending (the earliest due time when deferred) */
    uint16_t dp;    /* the decision point that sent it (enum lq_dp) */
};

/* What the last call produced. Valid until the next call. */
struct lq_model_out {
    size_t npkts;
    const struct lq_model_pkt *pkts;
    size_t ndps;
    const uint16_t *dps; /* decision points taken, in order (enum lq_dp) */
};

struct lq_model_queues {
    int acceptq;     /* sk_ack_backlog */
    int acceptq_max; /* sk_max_ack_backlog (N) */
    int synq;        /* request socks (qlen) */
    int young;       /* requests that never timed out */
};

enum lq_sockopt {
    LQ_SOCKOPT_DEFER_ACCEPT,
    LQ_SOCKOPT_SYNCNT,
    LQ_SOCKOPT_MAXSEG, /* TCP_MAXSEG: tp->rx_opt.user_mss */
    LQ_SOCKOPT_V6ONLY, /* IPV6_V6ONLY (IPPROTO_IPV6) */
    /* SO_ATTACH_REUSEPORT_CBPF (SOL_SOCKET) with the program "return the TCP
     * source port modulo value" (value 1 .. 65535) */
    LQ_SOCKOPT_REUSEPORT_CBPF,
    /* TCP_FASTOPEN: the listener's Fast Open queue limit (fastopenq.max_qlen) */
    LQ_SOCKOPT_FASTOPEN,
    LQ_SOCKOPT_COUNT
};

/* The listener's address family: an AF_INET socket, an AF_INET6 socket with
 * IPV6_V6ONLY set before bind, or one with IPV6_V6ONLY off (dual stack: an
 * IPv4 SYN is handed to tcp_v4_conn_request, the child is an IPv6 socket
 * with an IPv4 peer). */
enum lq_family { LQ_FAMILY_IPV4, LQ_FAMILY_IPV6, LQ_FAMILY_DUAL, LQ_FAMILY_COUNT };
/* "ipv4", "ipv6", "dual" */
const char *lq_family_name(enum lq_family f);

/* Fault injection for tests of the harness itself: a deliberately wrong
 * rule, so that the differential runner and fuzzer can be shown to catch it
 * (model/test_seams.c). */
enum lq_model_bug {
    LQ_BUG_NONE = 0,
    LQ_BUG_SYNQ_FULL_GE,  /* use qlen >= N even where the profile says qlen > N */
    LQ_BUG_ACCEPTQ_N,     /* accept queue full at acceptq >= N instead of > N */
    LQ_BUG_V6_COOKIE_MSS, /* the IPv6 cookie MSS table has 1460 where the kernel has 1440 */
    LQ_BUG_MIGRATE_FULL,  /* a migrating child is refused by a full accept queue (reset) */
    LQ_BUG_COUNT
};
/* The names the command line and $LISTENQ_MODEL_BUG use, in one table. */
#define LQ_MODEL_BUG_NAMES "synq_full_ge, acceptq_n, v6_cookie_mss, migrate_full"
/* "none", "synq_full_ge", "acceptq_n", "v6_cookie_mss": 0 with *bug, or -1 for an unknown name. */
int lq_model_bug_by_name(const char *name, enum lq_model_bug *bug);
const char *lq_model_bug_name(enum lq_model_bug bug);

/* Listeners a scenario may have on its port. */
#define LQ_MAX_LISTENERS 8

struct lq_model *lq_model_new(const struct lq_profile *profile);
void lq_model_free(struct lq_model *m);
/* Back to a fresh, unconfigured listener socket with the profile's defaults
 * (cheap: keeps the allocations). */
void lq_model_reset(struct lq_model *m);
void lq_model_set_bug(struct lq_model *m, enum lq_model_bug bug);
/* The listener's family, before the first event (lq_model_reset: IPv4). */
void lq_model_set_family(struct lq_model *m, enum lq_family f);
const struct lq_profile *lq_model_profile(const struct lq_model *m);

/* Sysctls are read by the rules when they run, like the kernel's
 * READ_ONCE(net->ipv4.sysctl_*). */
void lq_model_set_sysctl(struct lq_model *m, enum lq_sysctl s, int64_t value);
int64_t lq_model_sysctl(const struct lq_model *m, enum lq_sysctl s);
/* Defaults of a fresh namespace (net.ipv4.tcp_max_syn_backlog as the
 * harness's 1024-entry private ehash gives it: 128). */
int64_t lq_model_sysctl_default(const struct lq_profile *p, enum lq_sysctl s);

/* The listeners, before the first event: n sockets (1 .. LQ_MAX_LISTENERS)
 * bound to the scenario's port in index order, reuseport[i] whether
 * listener i had SO_REUSEPORT set before bind (NULL: none). lq_model_reset:
 * one, without. 0, or -1 for an n out of range. */
int lq_model_set_listeners(struct lq_model *m, int n, const bool *reuseport);
int lq_model_nlisteners(const struct lq_model *m);

/* listen(fd, backlog): 0 or -errno. The listener is bound to port lport. */
int lq_model_listen(struct lq_model *m, uint16_t lport, int backlog);
/* setsockopt on the listener: 0 or -errno. */
int lq_model_setsockopt(struct lq_model *m, enum lq_sockopt opt, int value);
/* The same on listener lsn (0 .. lq_model_nlisteners - 1; the functions
 * above are listener 0's). */
int lq_model_listen_on(struct lq_model *m, int lsn, uint16_t lport, int backlog);
int lq_model_setsockopt_on(struct lq_model *m, int lsn, enum lq_sockopt opt, int value);
int lq_model_accept_on(struct lq_model *m, int lsn, uint16_t *conn, uint16_t *mss);
void lq_model_queues_of(const struct lq_model *m, int lsn, struct lq_model_queues *q);

/* close() of the listener (tcp_close: inet_csk_listen_stop): 0, or -EBADF
 * once it is closed (the descriptor is gone). */
int lq_model_close(struct lq_model *m);
/* ... of listener lsn (lq_model_close is listener 0's) */
int lq_model_close_on(struct lq_model *m, int lsn);
/* shutdown() of the listener, how SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2
 * (inet_shutdown): 0, -ENOTCONN, or -EBADF once closed. */
int lq_model_shutdown(struct lq_model *m, int how);
int lq_model_shutdown_on(struct lq_model *m, int lsn, int how);
/* close() of an accepted connection's socket (tcp_close): 0, or -EBADF when
 * accept() never returned it or it is closed already. */
int lq_model_close_conn(struct lq_model *m, uint16_t conn);

/* A segment from the client arrives now. */
void lq_model_input(struct lq_model *m, const struct lq_seg *seg);
/* Non-blocking accept(): 0 with *conn and *mss (getsockopt TCP_MAXSEG), or -errno. */
int lq_model_accept(struct lq_model *m, uint16_t *conn, uint16_t *mss);
/* Let ms milliseconds pass, running every timer that falls due. */
void lq_model_advance(struct lq_model *m, uint64_t ms);

/* The kernel's jiffies_64 when the scenario starts and its HZ. Rules that
 * compare 32-bit jiffies stamps with 0 ("never") depend on where jiffies is:
 * a fresh listener counts as having had a recent SYN-queue overflow while
 * jiffies32 is within [-HZ, 120 * HZ] (tcp_synq_no_recent_overflow), which a
 * machine passes 5 minutes after boot; SYN cookies count minutes of the full
 * 64-bit jiffies (tcp_cookie_time). Defaults: 0x40000000, HZ 1000. */
void lq_model_set_clock(struct lq_model *m, uint64_t jiffies64, uint32_t hz);

/* The caller keeps the model's jiffies equal to a kernel's (it was given the
 * kernel's jiffies_64 and advances the model as that kernel's clock moves).
 * Timers then fire when the kernel's timer wheel runs them rather than at
 * their expiry: calc_wheel_index() (kernel/time/timer.c) puts a timer in a
 * bucket of its level's granularity (8^level jiffies, the level chosen by
 * how far off the expiry is) and rounds up to the bucket's end, so a timer
 * runs at least a jiffy after it expires and a 1 s timer up to 8 jiffies
 * after. Off by default: on a clock of its own the model's position within a
 * jiffy is not the kernel's, and timers fire at their expiry. Kept across
 * lq_model_reset(). */
void lq_model_set_wheel(struct lq_model *m, bool on);

const struct lq_model_out *lq_model_output(const struct lq_model *m);
void lq_model_queues(const struct lq_model *m, struct lq_model_queues *q);
const uint64_t *lq_model_counters(const struct lq_model *m); /* [LQ_CTR_COUNT], since reset */
uint64_t lq_model_now(const struct lq_model *m);

/* NULL while the model can predict what the kernel does; else why it cannot
 * (a static string): from the call where this became non-NULL on, its
 * output is no prediction. docs/model.md, "Scope". */
const char *lq_model_beyond_scope(const struct lq_model *m);

/* For invariant checks (fuzzers, tests): every internal bookkeeping rule
 * holds. Returns NULL, or a static description of the first broken one. */
const char *lq_model_check_invariants(const struct lq_model *m);

#endif
