/* harness/live/diag.h: a namespace's TCP sockets over inet_diag (sock_diag netlink).
 *
 * The netlink socket is opened while the calling thread is in the namespace to
 * watch (the server's) and stays bound to it. The kernel filters by local port
 * (inet_diag_req_v2.id.idiag_sport) and by state bits, so a dump only copies
 * the sockets asked for; it still walks every bucket of the namespace's
 * established hash, which lq_netns_setup makes small (tcp_child_ehash_entries).
 *
 * Request sockets (TCP_NEW_SYN_RECV in the ehash) are reported with
 * idiag_state TCP_SYN_RECV. They are dumped when idiag_states has the
 * TCPF_NEW_SYN_RECV bit or the TCPF_SYN_RECV bit (tcp_diag_dump, formerly
 * inet_diag_dump_icsk, widens SYN_RECV to NEW_SYN_RECV); the SYN_RECV bit
 * also matches full sockets in SYN_RECV (Fast Open children), so
 * lq_diag_synq asks for NEW_SYN_RECV only.
 */
#ifndef LISTENQ_HARNESS_DIAG_H
#define LISTENQ_HARNESS_DIAG_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

struct mnl_socket;

struct lq_diag {
    /* AF_INET, or AF_INET6 for an IPv6 listener's sockets; dual: both (a
     * dual-stack listener's requests of v4-mapped SYNs are AF_INET ones) */
    int family;
    bool dual;
    struct mnl_socket *nl;
    unsigned int seq;
    unsigned int portid;
    char *buf; /* receive buffer for dumps */
};

/* One socket of a dump, from struct inet_diag_msg. */
struct lq_diag_sock {
    uint8_t state;          /* TCP_* as reported: request sockets say TCP_SYN_RECV (3) */
    uint8_t timer, retrans; /* for a request: SYN-ACK retransmissions so far */
    uint16_t lport, rport;  /* host order */
    uint32_t expires_ms;
    uint32_t rqueue, wqueue; /* a listener: accept queue length and its limit */
    uint32_t inode;          /* 0 for requests, time-wait and unaccepted children */
    uint32_t mark;           /* INET_DIAG_MARK: sk_mark; a request's is its listener's */
    /* the socket's identity as the kernel reported it, for lq_diag_destroy:
     * its family, the addresses (network order, IPv4 in the first four
     * bytes) and the cookie */
    uint8_t family;
    uint8_t src[16], dst[16];
    uint32_t cookie[2];
};

/* Return non-zero to stop the walk early (the rest of the dump is drained). */
typedef int (*lq_diag_cb)(void *arg, const struct lq_diag_sock *s);

/* State numbers of include/net/tcp_states.h that matter here. */
enum {
    LQ_DIAG_STATE_SYN_RECV = 3,        /* TCP_SYN_RECV */
    LQ_DIAG_STATE_LISTEN = 10,         /* TCP_LISTEN */
    LQ_DIAG_STATE_NEW_SYN_RECV = 12,   /* TCP_NEW_SYN_RECV */
    LQ_DIAG_STATE_BOUND_INACTIVE = 13, /* bound, not listening (6.12 has it, 6.1 not) */
};
/* Every state. What a dump costs depends on the tables the bits make the
 * kernel walk (measured on 6.18, 2 vCPUs): the namespace's private ehash
 * (any bit but these two) ~4 us; LISTEN adds the host-wide listener hash,
 * ~10 us; BOUND_INACTIVE adds the host-wide bind hash, ~60 us. */
#define LQ_DIAG_STATES_ALL 0xffffffffu

int lq_diag_open(struct lq_diag *d, struct lq_err *err);
/* Dumps the TCP sockets of d->family (both families when d->dual) with local port lport (0: any)
 * whose state bit (1 << state, time-wait by its substate) is in states; cb sees each one. */
int lq_diag_dump(struct lq_diag *d, uint16_t lport, uint32_t states, lq_diag_cb cb, void *arg,
                 struct lq_err *err);
/* Request sockets with local port lport: their remote ports into rports (up
 * to max, dump order), the full count into *n even when it exceeds max. */
int lq_diag_synq(struct lq_diag *d, uint16_t lport, uint16_t *rports, int max, int *n,
                 struct lq_err *err);
/* ... and per_mark[k] (k < nmarks): how many of them carry mark k (a
 * request's ir_mark is its listener's SO_MARK: inet_request_mark). */
int lq_diag_synq_marks(struct lq_diag *d, uint16_t lport, uint16_t *rports, int max, int *n,
                       int *per_mark, int nmarks, struct lq_err *err);
/* Whether a request socket exists for one 4-tuple (laddr and raddr: a
 * struct in_addr, or a struct in6_addr with ipv6; ports in host order;
 * local = the server's), by an exact lookup
 * rather than a dump: the kernel looks the 4-tuple up in the established
 * hash as tcp_v4_rcv does (inet_diag_find_one_icsk), O(1) however many
 * requests there are. A lookup that finds no request finds the listener
 * (or nothing: ENOENT); both mean no request. */
int lq_diag_request_exists(struct lq_diag *d, bool ipv6, const void *laddr, uint16_t lport,
                           const void *raddr, uint16_t rport, bool *exists, struct lq_err *err);
/* Every socket of any state (listen, request, established, time-wait, bound
 * but inactive...) with local port lport. The slow dump (~70 us, see
 * LQ_DIAG_STATES_ALL): for per-event use, lq_diag_dump with the bits needed. */
int lq_diag_count_port(struct lq_diag *d, uint16_t lport, int *n, struct lq_err *err);
/* SOCK_DESTROY of the socket s (a dump's; tcp_diag_destroy -> tcp_abort:
 * a full socket is reset without a segment, a time-wait one descheduled).
 * 0 also when it is gone already; LQ_EXIT_SKIP when the kernel has no
 * CONFIG_INET_DIAG_DESTROY (EOPNOTSUPP). */
int lq_diag_destroy(struct lq_diag *d, const struct lq_diag_sock *s, struct lq_err *err);
/* Safe after a failed lq_diag_open and when called twice. */
void lq_diag_close(struct lq_diag *d);

#endif
