/* harness/lang/scenario.h: a scenario is plain data (docs/scenario-format.md).
 *
 * The parser (parse.c) and the fuzzers' decoder produce it; the printer
 * (print.c) writes it back as canonical text; the runner drives backends with
 * it. A scenario is a list of directives in file order: set-up (sysctl,
 * listen, sockopt, seed), events (syn, ack, rst, fin, accept, wait) and
 * expectations, plus comments and blank lines kept for the printer.
 */
#ifndef LISTENQ_HARNESS_SCENARIO_H
#define LISTENQ_HARNESS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/counters.h"
#include "model/model.h"

enum lq_dir_kind {
    LQ_D_BLANK,    /* an empty line (kept for printing) */
    LQ_D_COMMENT,  /* a line that is only a comment */
    LQ_D_SEED,     /* seed N */
    LQ_D_SYSCTL,   /* sysctl net.ipv4.tcp_syncookies=0 */
    LQ_D_LISTEN,   /* listen N */
    LQ_D_SOCKOPT,  /* sockopt TCP_DEFER_ACCEPT=3 */
    LQ_D_SYN,      /* syn c1 mss=1460 ts sack wscale=7 [newisn[=N]] [len=N] [fin] */
    LQ_D_ACK,      /* ack c1 [ack=bad] [seq=bad|+N|-N] [len=N] [tsval=old|+N] [tsecr=bad] */
    LQ_D_RST,      /* rst c1 [seq=bad|+N|-N] [ack] [ack=bad] [tsval=old|+N] [tsecr=bad] */
    LQ_D_FIN,      /* fin c1 [ack=bad] [seq=...] [len=N] [noack] [tsval=old|+N] [tsecr=bad] */
    LQ_D_ACCEPT,   /* accept */
    LQ_D_WAIT,     /* wait 1500ms | wait 2s */
    LQ_D_EXPECT,   /* expect ... */
    LQ_D_FAMILY,   /* family ipv4|ipv6|dual (before the first event) */
    LQ_D_SEG,      /* seg c1 flags=SYN|ACK [seq=...] [ack=...] [len=N] [win=N] [tsval=...] */
    LQ_D_LISTENER, /* listener NAME [reuseport] (before the first event) */
    LQ_D_CLOSE,    /* close (the listener) | close c1 (an accepted connection) */
    LQ_D_SHUTDOWN, /* shutdown SHUT_RD|SHUT_WR|SHUT_RDWR (the listener) */
    LQ_D_ICMP,     /* icmp c1 port-unreach|frag-needed mtu=N|... [seq=+N|-N] */
    LQ_D_KIND_COUNT
};

/* How a segment's sequence number relates to the right one. */
/* The address family a scenario declares (`family`); without one it is
 * family-neutral and runs on whichever family it is run with. */
enum lq_scn_family { LQ_SCN_NEUTRAL, LQ_SCN_IPV4, LQ_SCN_IPV6, LQ_SCN_DUAL };

/* A segment (or icmp) event's `ipv4` / `ipv6`: the family of a dual scenario's
 * connection, chosen on its first event (default IPv6). */
enum lq_via { LQ_VIA_DEFAULT, LQ_VIA_IPV4, LQ_VIA_IPV6 };

/* close / shutdown: a call on the listener or on an accepted connection. */
enum lq_sockcall_kind {
    LQ_CALL_CLOSE,      /* close(listener) */
    LQ_CALL_SHUTDOWN,   /* shutdown(listener, how) */
    LQ_CALL_CLOSE_CONN, /* close() of an accepted connection's socket */
};
/* shutdown's how, as SHUT_RD, SHUT_WR, SHUT_RDWR */
enum { LQ_SHUT_RD, LQ_SHUT_WR, LQ_SHUT_RDWR };

struct lq_sockcall {
    uint8_t kind; /* enum lq_sockcall_kind */
    uint8_t how;  /* LQ_SHUT_* */
    uint8_t lsn;  /* the listener of close / shutdown (0: the first) */
    uint16_t conn;
};

enum lq_seq_mode {
    LQ_SEQ_OK,     /* the client's next sequence number */
    LQ_SEQ_BAD,    /* far outside any window (+2^28) */
    LQ_SEQ_OFFSET, /* the right one plus seq_off (in or near the window) */
};

/* How a SYN's ISN relates to the connection's previous one. */
enum lq_isn_mode {
    LQ_ISN_SAME,   /* a retransmitted SYN */
    LQ_ISN_NEW,    /* newisn: another ISN, far from the old (out of window) */
    LQ_ISN_OFFSET, /* newisn=N: the old ISN plus N */
};

struct lq_ev_seg {
    /* syn */
    bool has_mss;
    uint16_t mss;
    int16_t wscale; /* -1: no window-scale option */
    bool sack;
    bool ts;
    uint8_t isn_mode; /* enum lq_isn_mode */
    int64_t isn_off;
    /* ack / rst / fin */
    bool ack_bad;
    bool ack_old;     /* ack=old: below the right one (an ACK of old data) */
    uint8_t seq_mode; /* enum lq_seq_mode */
    int32_t seq_off;
    uint32_t len; /* payload bytes (syn, ack, fin) */
    bool rst_ack; /* rst ... ack: RST|ACK */
    /* extensions */
    bool syn_fin;    /* syn ... fin: SYN|FIN */
    bool no_ack;     /* fin ... noack: a bare FIN */
    bool tsval_old;  /* tsval=old: a timestamp older than the SYN's (PAWS) */
    bool tsecr_bad;  /* tsecr=bad: an echo of no TSval the server sent */
    bool tsval_syn;  /* tsval=syn: the TSval of the connection's last syn ts (PAWS: equal) */
    bool tsval_zero; /* syn ... tsval=0: a SYN timestamp of TSval 0 (implies ts) */
    bool syn_ack;    /* syn ... ack: SYN|ACK acknowledging the server's ISN + 1 */
    bool syn_ecn;    /* syn ... ecn: SYN|ECE|CWR, asking for ECN (RFC 3168) */
    /* tsval=+N: the client's TS clock plus N, a TSval ahead of what follows
     * (0: none); the later segments' TSvals look old next to it. */
    uint32_t tsval_ahead;
    uint8_t via; /* enum lq_via */
    /* seg ... flags=F|G: the segment's TCP flags (LQ_TH_*), any combination */
    uint8_t flags;
    /* ack=+N: the right acknowledgement number plus N (0: none), an ACK of
     * N bytes the server never sent */
    uint32_t ack_ahead;
    /* ack ... win=N: the segment's window field (else 65535) */
    bool has_win;
    uint16_t win;
    /* icmp: the error (enum lq_icmp_kind) and frag-needed's mtu=N; the
     * quoted sequence number is the server's ISN plus seq_off (seq=+N) */
    uint8_t icmp;
    uint16_t mtu;
    /* syn ... tfo|tfo=echo|tfo=bad: a TCP Fast Open option (enum lq_tfo_mode) */
    uint8_t tfo;
};

/* A SYN's Fast Open option. */
enum lq_tfo_mode {
    LQ_TFO_NONE,
    LQ_TFO_REQUEST, /* tfo: an empty option, a cookie request */
    LQ_TFO_ECHO,    /* tfo=echo: the cookie the connection's last SYN-ACK carried */
    LQ_TFO_BAD,     /* tfo=bad: an 8-byte cookie that is not that one */
};

enum lq_expect_kind {
    LQ_X_PKT,     /* expect c1 synack|ack|rst [options] */
    LQ_X_NONE,    /* expect none */
    LQ_X_ACCEPT,  /* expect accept c1 [mss=N] | expect accept EAGAIN */
    LQ_X_ACCEPTQ, /* expect acceptq N */
    LQ_X_SYNQ,    /* expect synq N */
    LQ_X_COUNTER, /* expect counter Name N */
    LQ_X_BACKLOG, /* expect backlog N: sk_max_ack_backlog (extension) */
};

enum lq_pkt_kind { LQ_PK_SYNACK, LQ_PK_ACK, LQ_PK_RST, LQ_PK_FIN, LQ_PK_KIND_COUNT };

/* Tri-state option checks: absent from the line, must be present, must be absent. */
enum lq_tri { LQ_TRI_ANY, LQ_TRI_YES, LQ_TRI_NO };

struct lq_expect {
    uint8_t kind;   /* enum lq_expect_kind */
    uint8_t pkt;    /* enum lq_pkt_kind */
    uint16_t conn;  /* LQ_X_PKT, LQ_X_ACCEPT with a connection */
    int32_t mss;    /* -1: not checked; over IPv4 (mss=N, mss=N@ipv4) */
    int32_t mss6;   /* -1: not checked; over IPv6 (mss=N, mss=N@ipv6) */
    int16_t wscale; /* -1: not checked */
    uint8_t wscale_tri, sack_tri, ts_tri, cookie_tri; /* enum lq_tri */
    uint8_t ecn_tri; /* synack ecn|noecn: ECE set (ECN accepted, tcp_ecn_make_synack) */
    /* flowlabel=same (YES) / flowlabel=differs (NO): the packet's IPv6 flow
     * label against the connection's last SYN-ACK before it; IPv4: not checked */
    uint8_t label_tri;
    /* synack tfo-cookie (YES) / notfo-cookie (NO): a Fast Open cookie option */
    uint8_t tfo_tri;
    int32_t accept_errno; /* LQ_X_ACCEPT: 0 = a connection, else EAGAIN/EINVAL */
    int64_t value;        /* acceptq, synq, counter, backlog */
    uint8_t lsn;          /* acceptq, synq, backlog: the listener (index into lsn_names) */
    uint32_t counter;     /* index into lq_scenario.counter_names */
};

struct lq_directive {
    uint8_t kind; /* enum lq_dir_kind */
    uint32_t line;
    uint16_t col;
    uint16_t conn; /* segment events */
    uint8_t lsn;   /* listen, sockopt, accept: the listener (0: the only one, or the first) */
    union {
        struct {
            uint8_t id; /* enum lq_sysctl */
            int64_t value;
        } sysctl;
        int32_t backlog;
        struct {
            uint8_t opt; /* enum lq_sockopt */
            int32_t value;
        } sockopt;
        uint64_t seed;
        struct lq_ev_seg seg;
        uint64_t wait_ms;
        struct lq_expect expect;
        uint8_t family; /* enum lq_scn_family */
        struct {
            uint8_t idx;    /* index into lsn_names */
            bool reuseport; /* SO_REUSEPORT before bind */
        } listener;
        /* close / shutdown: what the call is on (enum lq_sockcall_kind) and
         * shutdown's how (SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2); close CONN's
         * connection is in conn */
        struct {
            uint8_t kind;
            uint8_t how;
        } call;
    } u;
    char *comment; /* LQ_D_COMMENT text, or a trailing comment ("# ..."); owned */
};

struct lq_scenario {
    char *path; /* where it was read from, or NULL */
    char *name; /* file name without directory and .lq */
    struct lq_directive *d;
    size_t n, cap;
    char **conns; /* connection names, index = conn */
    size_t nconns;
    char **counter_names; /* names in expect counter lines */
    size_t ncounter_names;
    uint64_t seed;      /* the last seed directive, or LQ_DEFAULT_SEED */
    uint8_t family;     /* enum lq_scn_family: what the `family` line declares */
    uint8_t run_family; /* enum lq_family: what it runs as (a suite sets it when neutral) */
    /* [conn]: the connection is IPv4 in a dual scenario (its first event
     * said `ipv4`); NULL when none is (lq_scenario_index_families). */
    bool *conn_ipv4;
    /* Listeners the `listener` lines declare, in order (listener i is
     * bound i-th); none: the one unnamed listener. */
    char **lsn_names;
    size_t nlsn;
    bool lsn_reuseport[LQ_MAX_LISTENERS];
    /* Reports name it NAME@ipv4 / NAME@ipv6 / NAME@dual (a --family run). */
    bool family_label;
};

#define LQ_DEFAULT_SEED   1u
#define LQ_MAX_CONNS      4096u
#define LQ_MAX_DIRECTIVES 200000u
#define LQ_MAX_WAIT_MS    (600u * 1000u)
#define LQ_MAX_LEN        1400u
/* tsval=+N: at most 2^30, so that PAWS still reads it as newer (RFC 7323 5.2) */
#define LQ_MAX_TSVAL_AHEAD 1073741824u
#define LQ_MAX_ACK_AHEAD   1073741824u /* ack=+N */

bool lq_dir_is_event(uint8_t kind);

/* Fills conn_ipv4 from the segment events' `via` (the parser and the
 * decoder call it when a scenario is complete); 0, or -1 out of memory. */
int lq_scenario_index_families(struct lq_scenario *sc);
/* Whether connection conn sends IPv6 in the family sc runs as. */
bool lq_scenario_conn_ipv6(const struct lq_scenario *sc, uint16_t conn);
/* The MSS an expectation checks for conn (-1: none). */
int32_t lq_expect_mss_for(const struct lq_scenario *sc, const struct lq_expect *x, uint16_t conn);
/* "ipv4", "ipv6", "dual" (lq_family_name), or "" for a neutral scenario. */
const char *lq_scn_family_name(enum lq_scn_family f);
bool lq_dir_is_segment(uint8_t kind);

void lq_scenario_init(struct lq_scenario *sc);
void lq_scenario_free(struct lq_scenario *sc);
/* Appends a directive (zeroed except kind); returns it, NULL at LQ_MAX_DIRECTIVES. */
struct lq_directive *lq_scenario_add(struct lq_scenario *sc, uint8_t kind);
/* The index of a connection name, adding it; -1 past LQ_MAX_CONNS. */
int lq_scenario_conn(struct lq_scenario *sc, const char *name);
int lq_scenario_counter_name(struct lq_scenario *sc, const char *name);
/* Declares a listener (`listener NAME`); its index, or -1 (memory, or past
 * LQ_MAX_LISTENERS). */
int lq_scenario_listener(struct lq_scenario *sc, const char *name, bool reuseport);
/* How many listener sockets the scenario has: its declared ones, else 1. */
static inline int lq_scenario_nlisteners(const struct lq_scenario *sc)
{
    return sc->nlsn ? (int)sc->nlsn : 1;
}
/* Deep copy; 0 or -1 on memory failure. */
int lq_scenario_copy(struct lq_scenario *dst, const struct lq_scenario *src);
/* Total virtual time the waits of the scenario take. */
uint64_t lq_scenario_wait_ms(const struct lq_scenario *sc);
/* A scenario with a wait is slow: it takes real seconds on a kernel. */
bool lq_scenario_is_slow(const struct lq_scenario *sc);
/* "TCP_DEFER_ACCEPT", "TCP_SYNCNT", "TCP_MAXSEG": the option's name in a scenario. */
const char *lq_sockopt_name(enum lq_sockopt opt);
/* "port-unreach", "frag-needed", ...: an ICMP error's name (enum
 * lq_icmp_kind); NULL for LQ_ICMP_NONE or past the last. */
const char *lq_icmp_kind_name(unsigned kind);
/* "SHUT_RD", "SHUT_WR", "SHUT_RDWR" */
const char *lq_shut_how_name(unsigned how);
/* The call a close / shutdown directive makes. */
struct lq_sockcall lq_directive_sockcall(const struct lq_directive *d);
/* Structural equality (ignores line/column positions and comments). */
bool lq_scenario_equal(const struct lq_scenario *a, const struct lq_scenario *b);

#endif
