/* harness/live/backend_live_state.h: the kernel backend's state, shared by
 * its three modules: backend_live.c (the backend's operations, its set-up
 * and release), exchange.c (frames to and from the kernel over the veth,
 * the ordering barrier, the kernel's jiffy of each event) and
 * scenario_end.c (what a scenario left in the kernel, removed before the
 * next one). Nothing outside harness/live/ includes it. */
#ifndef LISTENQ_LIVE_BACKEND_LIVE_STATE_H
#define LISTENQ_LIVE_BACKEND_LIVE_STATE_H

#include <sched.h>

#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "clock.h"
#include "diag.h"
#include "inject.h"
#include "netns.h"
#include "run/backend.h"
#include "snmp.h"
#include "wire/pcapout.h"

#define LQ_LIVE_BARRIER_MS 1000 /* an echo reply later than this: the veth is broken */
#define LQ_LIVE_ECHO_ID    0x4c51
#define LQ_LIVE_FRAME_MAX  1600

struct lq_live_frame {
    uint64_t ts_ns;
    uint32_t len, orig_len;
    uint8_t data[]; /* len bytes */
};

struct lq_live {
    struct lq_netns ns;
    struct lq_inject *inj;
    struct lq_capture *cap;
    struct lq_diag diag;
    struct lq_snmp snmp;
    bool diag_open, snmp_open;
    int listener; /* listeners[0] */
    /* The scenario's listeners, bound in index order to lport; with more
     * than one (or a declared one), listener i has SO_MARK i + 1, which its
     * requests carry (inet_request_mark), so inet_diag tells their queues
     * apart. */
    int listeners[LQ_MAX_LISTENERS];
    int nlsn;
    bool marked;
    uint16_t lport;
    uint8_t family; /* enum lq_family of the listener */
    bool echo_ipv6; /* the family of the next barrier: the last segment's */
    struct {
        int fd;        /* a descriptor accept() returned, -1 once closed */
        uint16_t conn; /* its connection, UINT16_MAX for a peer no segment came from */
    } * accepted;
    size_t naccepted, accepted_cap;
    int64_t sysctl[LQ_SYSCTL_COUNT];
    bool sysctl_known[LQ_SYSCTL_COUNT];
    uint16_t echo_seq;
    /* the scenario's frames, for a pcap */
    struct lq_live_frame **frames;
    struct lq_pcap_rec *recs;
    size_t nframes, frames_cap, recs_cap;
    /* the call in progress */
    uint64_t call_ns;
    struct lq_replies *out;
    bool barrier_seen;
    uint16_t barrier_seq;
    int want_conn; /* settle(): stop at the first frame to this client port */
    bool want_seen;
    /* request socks after the last event: their client ports */
    uint16_t synq_ports[256];
    int nsynq;
    int synq_mark[LQ_MAX_LISTENERS + 1]; /* ... per listener mark (marked) */
    /* client port <-> connection, learned from the injected segments */
    struct {
        uint16_t port, conn;
        bool ipv6;
        bool fin_closed;  /* close CONN left its socket orphaned (FIN_WAIT1, LAST_ACK) */
        uint32_t srv_ack; /* the last acknowledgement number the server sent it */
    } * ports;
    size_t nports, ports_cap;
    struct lq_backend_stats stats;
    struct lq_kclock clk;     /* the kernel's jiffies (clock.h) */
    uint64_t barrier_jiffies; /* when the last barrier's echo went out */
    bool released;            /* lq_backend_live_disown: nothing of it left here */
    /* the CPUs the process may run on outside a scenario (lq_live_pin) */
    cpu_set_t cpus;
    bool cpus_saved, pinned;
    /* a frag-needed ICMP error went out in this scenario, IPv4 / IPv6 */
    bool pmtu_sent[2];
    bool destroy_ok; /* SOCK_DESTROY works (until it says EOPNOTSUPP) */
};

static inline struct lq_live *lq_lv(struct lq_backend *b)
{
    return b->priv;
}

#endif
