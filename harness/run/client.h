/* harness/run/client.h: the scripted client of a scenario.
 *
 * It turns segment events into concrete segments (ports, ISNs, sequence
 * and acknowledgement numbers, options, timestamp echo) and learns from the
 * replies (the server's ISN, its TSval), exactly like a TCP client would.
 * Each backend run gets its own client, so ISNs learned from the kernel and
 * from the model never mix; the same code classifies both backends' replies
 * into relations (trace.h), which is what makes their traces comparable.
 */
#ifndef LISTENQ_HARNESS_CLIENT_H
#define LISTENQ_HARNESS_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/scenario.h"
#include "trace.h"

#define LQ_CLIENT_ISN_HISTORY 32
#define LQ_CLIENT_PORT_BASE   20000u /* connection i uses port 20000 + i */

struct lq_client_conn {
    uint16_t port;
    uint32_t isns[LQ_CLIENT_ISN_HISTORY];   /* most recent last; the first is always kept */
    uint8_t isn_idx[LQ_CLIENT_ISN_HISTORY]; /* each one's number: 0 = the connection's first */
    uint8_t nisns;
    uint8_t isn_total; /* ISNs used so far (saturates) */
    uint32_t snd_nxt;
    bool syn_sent; /* a SYN was sent for the current ISN */
    bool fin_sent;
    uint32_t fin_seq;
    bool has_srv;
    uint32_t srv_isn;
    bool syn_ts; /* the last SYN carried a timestamp: later segments echo one */
    uint32_t syn_tsval;
    bool has_srv_ts;
    uint32_t srv_tsval;
    bool in_synq;                    /* the backend reported a request sock (used to purge) */
    bool ipv6;                       /* its segments are IPv6 (lq_scenario_conn_ipv6) */
    uint32_t labels[LQ_LBL_HISTORY]; /* the distinct flow labels of its replies, in order */
    uint8_t nlabels;
    int8_t synack_lbl; /* the last SYN-ACK's (an index into labels), -1: none yet */
    uint32_t syn_len;  /* the payload of the last SYN (a Fast Open SYN-ACK may ack it) */
};

struct lq_client {
    uint64_t seed;
    uint16_t lport;
    struct lq_client_conn *c;
    size_t n;
    uint32_t tsclock;
    /* The Fast Open cookie a SYN-ACK last carried, per family ([ipv6]): all
     * connections come from one address, and a server's cookie is of the
     * addresses only, so the client keeps one per server address, as a
     * kernel client's cookie cache (tcp_fastopen_cache_set) does */
    uint8_t tfo_len[2];
    uint8_t tfo_cookie[2][LQ_TFO_COOKIE_MAX];
};

int lq_client_init(struct lq_client *cl, const struct lq_scenario *sc, uint16_t lport);
void lq_client_free(struct lq_client *cl);
/* The segment a syn/ack/rst/fin directive sends; updates the client state. */
void lq_client_build(struct lq_client *cl, const struct lq_directive *d, struct lq_seg *out);
/* Classifies one reply: trigger is the segment that drew it, NULL for timer
 * packets. Learns the server ISN and TSval from SYN-ACKs. optional: a
 * prediction that may never be sent (a delayed ACK not yet due): a new flow
 * label of it gets the next label index without taking it, so that the
 * indexes of later labels do not depend on whether it was sent. */
void lq_client_classify(struct lq_client *cl, const struct lq_seg *trigger,
                        const struct lq_seg *reply, bool cookie, bool optional,
                        struct lq_obs_pkt *out);
/* The connection of a client port, -1 if none. */
int lq_client_conn_of_port(const struct lq_client *cl, uint16_t port);

#endif
