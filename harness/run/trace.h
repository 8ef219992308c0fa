/* harness/run/trace.h: what a backend observed while running a scenario.
 *
 * Every event directive yields one observation: the packets it drew
 * (abstracted by the client into relations: "seq = the SYN-ACK's ISN + 1",
 * never raw values), the accept() result, queue lengths and counter deltas.
 * Two traces of the same scenario (model, kernel, recording) are compared
 * observation by observation (compare.c). A trace knows its role in the run
 * (the reference or the subject) and its backend's name, as data.
 *
 * Beside the relations a trace keeps the concrete segments (the client's,
 * and each reply as it came), so that what is built on a run (the
 * packetdrill exporter) needs no run of its own.
 */
#ifndef LISTENQ_HARNESS_TRACE_H
#define LISTENQ_HARNESS_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/counters.h"
#include "model/model.h"
#include "model/segment.h"

/* A trace's role in a run: what the other is held to, or what is held to it. */
enum lq_role { LQ_ROLE_REFERENCE, LQ_ROLE_SUBJECT, LQ_ROLE_COUNT };

/* "reference", "subject" */
const char *lq_role_name(enum lq_role role);

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
    int32_t win;   /* the window field as sent, -1 when unknown (a recording without it) */
    int64_t tsecr; /* the TSecr echoed (a number the client sent), -1 when unknown or no TS */
    bool cookie;
    int8_t tfo; /* the Fast Open option's cookie length, -1 without one */
    /* IPv6 flow label by relation: the k-th distinct label the connection's
     * replies carried (0 = the first), -1 for IPv4; and against the last
     * SYN-ACK before it (LQ_LBL_*) */
    int8_t lbl;
    int8_t lbl_prev;
    uint8_t timing;    /* enum lq_pkt_timing */
    int64_t t_us;      /* since the event began (the due time for deferred ones) */
    int32_t frame;     /* the frame that shows it in its backend's frames, else -1 */
    struct lq_seg seg; /* the segment as it came (numbers the backend's own) */
};

enum { LQ_LBL_NO_PRIOR = -1, LQ_LBL_DIFFERS = 0, LQ_LBL_SAME = 1 };
/* lbl of a packet whose label nobody can say (a recording made before labels
 * were kept): compares equal to any */
#define LQ_LBL_UNKNOWN (-2)
/* distinct labels a connection keeps; later new ones all read as this index */
#define LQ_LBL_HISTORY 15

#define LQ_ACCEPT_NONE INT32_MIN

struct lq_obs {
    uint32_t dir;       /* directive index in the scenario */
    uint32_t first_pkt; /* into lq_trace.pkts */
    uint32_t npkts;
    int32_t accept;                 /* LQ_ACCEPT_NONE, a connection (>= 0), or -errno */
    int32_t accept_mss;             /* getsockopt(TCP_MAXSEG) of the accepted socket */
    int32_t rc;                     /* listen / setsockopt result: 0 or -errno */
    int32_t acceptq, backlog, synq; /* the first listener's (the only one's) */
    /* Per listener, [0] the one above; the scenario's listeners only
     * (lq_scenario_nlisteners), the rest 0. */
    int32_t lacceptq[LQ_MAX_LISTENERS], lbacklog[LQ_MAX_LISTENERS], lsynq[LQ_MAX_LISTENERS];
    bool ctr_valid;
    int64_t ctr[LQ_CTR_COUNT]; /* change since the scenario started */
    uint32_t first_dp, ndps;   /* decision points (a model's), into lq_trace.dps */
    int64_t t_us;              /* when the event began, since the scenario began */
    int64_t wait_us;           /* wait: how long the backend really waited */
    bool sent_valid;           /* a segment event: */
    struct lq_seg sent;        /* the client's segment */
    /* The backend's jiffies_64 when it handled the event and when the
     * barrier closing its window went through (0: unknown). */
    uint64_t jiffies_at, jiffies_end;
    uint64_t jiffies_early,
        jiffies_late; /* as in lq_replies: 0, or another jiffy it may have run in */
};

/* Packets that came after an event but belong to the next one (a delayed
 * ACK due at the next jiffy, paced: docs/harness.md): lq_trace_add_obs puts
 * them first in the next observation. */
#define LQ_TRACE_CARRY_MAX 4

struct lq_trace {
    uint8_t role;     /* enum lq_role */
    char backend[16]; /* the backend's name (lq_backend_name), for reports */
    bool predicts;    /* its packets are predictions (LQ_CAP_PREDICTS) */
    struct lq_obs *obs;
    size_t nobs, obs_cap;
    struct lq_obs_pkt *pkts;
    size_t npkts, pkts_cap;
    uint16_t *dps;
    size_t ndps, dps_cap;
    bool ctr_present[LQ_CTR_COUNT]; /* the backend can observe this counter */
    bool failed;                    /* the backend stopped with an error */
    /* From directive beyond_dir on its answers are no longer to be held
     * against another's (the model past its scope: docs/model.md, "Scope"),
     * and why (lq_backend_scope_end). */
    bool beyond;
    uint32_t beyond_dir;
    char beyond_why[200];
    struct lq_obs_pkt carry[LQ_TRACE_CARRY_MAX];
    size_t ncarry;
};

void lq_trace_init(struct lq_trace *t, enum lq_role role);
/* Empties t for a new run of the backend named `backend`, keeping its memory. */
void lq_trace_reset(struct lq_trace *t, enum lq_role role, const char *backend, bool predicts);
void lq_trace_free(struct lq_trace *t);
struct lq_obs *lq_trace_add_obs(struct lq_trace *t);
struct lq_obs_pkt *lq_trace_add_pkt(struct lq_trace *t, struct lq_obs *o);
void lq_trace_add_dp(struct lq_trace *t, struct lq_obs *o, uint16_t dp);
/* The observation of directive dir, or NULL. */
const struct lq_obs *lq_trace_find(const struct lq_trace *t, uint32_t dir);
/* Moves packet k of observation o (the last of the trace) to the carry. */
void lq_trace_carry(struct lq_trace *t, struct lq_obs *o, uint32_t k);

/* How reports name the side of trace t, whose other side is `other` (or
 * NULL): its backend's name, with its role when both name the same
 * backend ("model (reference)"). */
void lq_trace_side_name(const struct lq_trace *t, const struct lq_trace *other, char *buf,
                        size_t len);

/* "SYN-ACK c1 seq=isn' ack=isn+1 <mss 1460 ws 7 sack ts> cookie" for reports. */
struct lq_strbuf;
void lq_obs_pkt_format(const struct lq_obs_pkt *p, const char *conn_name, struct lq_strbuf *out);

#endif
