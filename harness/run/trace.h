/* harness/run/trace.h: what a backend observed while running a scenario.
 *
 * Every event directive yields one observation: the packets it drew
 * (abstracted by the client into relations: "seq = the SYN-ACK's ISN + 1",
 * never raw values), the accept() result, queue lengths and counter deltas.
 * Two traces of the same scenario (model, kernel, recording) are compared
 * observation by observation (compare.c).
 */
#ifndef LISTENQ_HARNESS_TRACE_H
#define LISTENQ_HARNESS_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/counters.h"

/* How a sequence or acknowledgement number relates to what the client knows. */
enum lq_rel {
    LQ_REL_NONE,     /* no ACK flag (ack) */
    LQ_REL_SRV_NEW,  /* SYN-ACK: an ISN the client has not seen before */
    LQ_REL_SRV,      /* server ISN (the last SYN-ACK's) + off */
    LQ_REL_COOKIE,   /* SYN-ACK whose ISN is a SYN cookie */
    LQ_REL_TRIG_ACK, /* equals the ack field of the segment that drew it (+ off) */
    LQ_REL_ZERO,     /* 0 */
    LQ_REL_CLI,      /* one of the client's ISNs (ack_isn: 0 = the first) + off */
    LQ_REL_OTHER,    /* none of the above */
};

struct lq_obs_pkt {
    uint16_t conn;
    uint8_t flags;
    uint8_t seq_rel, ack_rel; /* enum lq_rel */
    uint8_t ack_isn;          /* LQ_REL_CLI: which of the connection's ISNs, 0 = the first */
    int32_t seq_off, ack_off;
    uint32_t len;
    int32_t mss;    /* MSS option value, -1 when absent */
    int16_t wscale; /* -1 when absent */
    bool sack, ts;
    bool cookie;
    uint8_t timing;  /* enum lq_pkt_timing */
    int64_t t_us;    /* since the event began (the due time for deferred ones) */
    uint16_t dp;     /* model: decision point that sent it; others: 0xffff */
    int32_t frame;   /* kernel: index of the frame in the scenario's capture, else -1 */
    bool next_jiffy; /* model: a delayed ACK fired at the next jiffy, before this event */
};

#define LQ_ACCEPT_NONE INT32_MIN
#define LQ_DP_UNKNOWN  0xffffu

struct lq_obs {
    uint32_t dir;       /* directive index in the scenario */
    uint32_t first_pkt; /* into lq_trace.pkts */
    uint32_t npkts;
    int32_t accept;     /* LQ_ACCEPT_NONE, a connection (>= 0), or -errno */
    int32_t accept_mss; /* getsockopt(TCP_MAXSEG) of the accepted socket */
    int32_t rc;         /* listen / setsockopt result: 0 or -errno */
    int32_t acceptq, backlog, synq;
    bool ctr_valid;
    int64_t ctr[LQ_CTR_COUNT]; /* change since the scenario started */
    uint32_t first_dp, ndps;   /* model decision points, into lq_trace.dps */
    int64_t t_us;              /* when the event began, since the scenario began */
    int64_t wait_us;           /* wait: how long the backend really waited */
};

struct lq_trace {
    char backend[16];
    struct lq_obs *obs;
    size_t nobs, obs_cap;
    struct lq_obs_pkt *pkts;
    size_t npkts, pkts_cap;
    uint16_t *dps;
    size_t ndps, dps_cap;
    bool ctr_present[LQ_CTR_COUNT]; /* the backend can observe this counter */
    bool failed;                    /* the backend stopped with an error */
    /* The model: from directive beyond_dir on, it makes no prediction
     * (docs/model.md, "Scope"), and why. */
    bool beyond;
    uint32_t beyond_dir;
    char beyond_why[200];
};

void lq_trace_init(struct lq_trace *t, const char *backend);
void lq_trace_reset(struct lq_trace *t, const char *backend);
void lq_trace_free(struct lq_trace *t);
struct lq_obs *lq_trace_add_obs(struct lq_trace *t);
struct lq_obs_pkt *lq_trace_add_pkt(struct lq_trace *t, struct lq_obs *o);
void lq_trace_add_dp(struct lq_trace *t, struct lq_obs *o, uint16_t dp);
/* The observation of directive dir, or NULL. */
const struct lq_obs *lq_trace_find(const struct lq_trace *t, uint32_t dir);

/* "SYN-ACK c1 seq=isn' ack=isn+1 <mss 1460 ws 7 sack ts> cookie" for reports. */
struct lq_strbuf;
void lq_obs_pkt_format(const struct lq_obs_pkt *p, const char *conn_name, struct lq_strbuf *out);

#endif
