/* harness/live/pd_peer.h: `listenq pd-peer`, the other connections of a
 * packetdrill script (docs/packetdrill.md).
 *
 * packetdrill drives one flow per script. An exported script drives the
 * scenario's other connections (the filler connections of the overflow
 * scenarios, among others) through this tool, called from a backtick line:
 * each call sends one raw segment from 192.0.2.2 (packetdrill's remote
 * prefix, routed out of its tun device; over IPv6 2001:db8::2) and a client
 * port to the listener on the tun device's address of that family, then waits, bounded, for the
 * replies the model predicts to that port and fails when the kernel sends another kind. The replies
 * leave through the tun device, where packetdrill ignores them (another 4-tuple) and this tool
 * reads them with a packet socket. The server's ISN and first TSval per client port (from the last
 * SYN-ACK) are kept in a state file of the namespace, so that a later segment can acknowledge and
 * echo them (as offsets from what the model's server sent).
 *
 * An accept() of another connection is done on packetdrill's listener, which
 * this tool borrows from the packetdrill process (pidfd_getfd): the accepted
 * socket is held open by a small process that ends with packetdrill, so that
 * closing it changes nothing the script checks.
 *
 * A dual-stack listener is bound to [::] by `pd-peer bind` before
 * packetdrill's bind() (which binds packetdrill's own address only): the
 * socket, borrowed the same way, is packetdrill's.
 *
 * It refuses to run in the initial network namespace.
 */
#ifndef LISTENQ_HARNESS_PD_PEER_H
#define LISTENQ_HARNESS_PD_PEER_H

#include <stdbool.h>
#include <stdint.h>

#include "model/segment.h"
#include "util/err.h"

/* The reply kinds a call may wait for. */
enum lq_pdp_kind { LQ_PDP_SYNACK, LQ_PDP_ACK, LQ_PDP_RST, LQ_PDP_OTHER };

#define LQ_PDP_MAX_EXPECT 8

struct lq_pdp_args {
    struct lq_seg seg; /* sport, dport, flags, seq, ack, win, len, options;
                        * seg.ipv6: over IPv6 */
    bool ack_srv;      /* seg.ack is an offset from the server's ISN */
    bool tsecr_srv;    /* seg.opt.tsecr is an offset from the server's last TSval */
    /* seg.opt's Fast Open cookie is the kernel's for these addresses
     * (fo_kernel), with every bit flipped too (fo_flip) */
    bool fo_kernel, fo_flip;
    const char *dst;                   /* the listener's address; NULL: the tun device's */
    const char *ifname;                /* the device the replies leave by (tun0) */
    const char *state;                 /* the state file; NULL: one per namespace under /tmp */
    int timeout_ms;                    /* for the expected replies */
    uint8_t expect[LQ_PDP_MAX_EXPECT]; /* enum lq_pdp_kind, in order */
    /* a SYN-ACK's options, when given: exactly these (mss/wscale -1: none) */
    bool expect_opts[LQ_PDP_MAX_EXPECT];
    struct {
        int32_t mss, wscale;
        bool sack, ts;
        bool fo; /* a Fast Open option with the kernel's cookie for these addresses */
    } opts[LQ_PDP_MAX_EXPECT];
    int nexpect;
};

/* accept() on the listener of port lport of the packetdrill process above
 * this one: the connection from port `port` (its TCP_MAXSEG is mss, unless
 * mss < 0), or with errno_want (EAGAIN, EINVAL) a failure with that errno.
 * 0, or -1 with err (another result: LQ_EXIT_FAIL). */
int lq_pdp_accept(uint16_t lport, uint16_t port, int mss, int errno_want, int hold_s,
                  struct lq_err *err);

/* Ends the processes that hold the connections accept() took in this
 * namespace (their sockets reset): a script's cleanup command, so that
 * packetdrill, which waits for its tun device to go, can end. 0, or -1. */
int lq_pdp_release(struct lq_err *err);

/* Binds the unbound TCP socket of the packetdrill process above this one
 * (AF_INET6) to [::]:lport with IPV6_V6ONLY v6only: a dual-stack listener.
 * 0, or -1 with err. */
int lq_pdp_bind(uint16_t lport, int v6only, struct lq_err *err);

/* Sends a's segment and waits for its expected replies: 0, or -1 with err
 * (a reply of another kind, none in time, no namespace of its own). */
int lq_pdp_run(const struct lq_pdp_args *a, struct lq_err *err);
/* "synack", "ack", "rst" into a->expect; a SYN-ACK may name its options
 * exactly: "synack/mss=1460/ws=7/sack/ts/fo" (those not named are absent;
 * "synack/": none; fo: the kernel's Fast Open cookie for the addresses).
 * 0, or -1 when s is none of these. */
int lq_pdp_expect_parse(struct lq_pdp_args *a, const char *s);

#endif
