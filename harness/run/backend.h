/* harness/run/backend.h: one interface for the model, the live kernel and a
 * recording (a table of function pointers, as packetdrill's netdev_ops).
 *
 * The runner drives a backend with concrete segments and calls; the backend
 * answers with the segments the kernel (or model) sent and the state it can
 * observe. A backend knows nothing of the others, nor of expectations.
 */
#ifndef LISTENQ_HARNESS_BACKEND_H
#define LISTENQ_HARNESS_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "model/model.h"
#include "lang/scenario.h"

/* A segment the backend sent (or predicts). */
struct lq_reply {
    struct lq_seg seg;
    bool cookie;     /* a SYN-ACK carrying a SYN cookie */
    uint8_t timing;  /* enum lq_pkt_timing */
    int64_t t_us;    /* since the call began; the due time for deferred ones */
    uint16_t dp;     /* model: decision point that sent it; others LQ_DP_UNKNOWN */
    int32_t frame;   /* live: index of the captured frame in the scenario's pcap record */
    bool next_jiffy; /* model: fired at the next jiffy, before this event */
};

struct lq_replies {
    struct lq_reply *r;
    size_t n, cap;
    uint16_t *dps; /* decision points taken (model) */
    size_t ndps, dps_cap;
    const char *beyond; /* model: from this call on it cannot predict, and why */
};

void lq_replies_clear(struct lq_replies *rs);
void lq_replies_free(struct lq_replies *rs);
struct lq_reply *lq_replies_add(struct lq_replies *rs);
void lq_replies_add_dp(struct lq_replies *rs, uint16_t dp);

struct lq_state {
    int32_t acceptq, backlog, synq;
    bool ctr_valid;
    uint64_t ctr[LQ_CTR_COUNT];     /* absolute values (the runner takes deltas) */
    bool ctr_present[LQ_CTR_COUNT]; /* this kernel has the counter */
    uint16_t synq_ports[64];        /* client ports of request socks (live; first 64) */
    int nsynq_ports;
};

struct lq_backend;

struct lq_backend_ops {
    const char *name;
    /* A new scenario; the listener (not yet listening) is bound to lport. */
    int (*begin)(struct lq_backend *b, const struct lq_scenario *sc, uint16_t lport,
                 struct lq_err *err);
    int (*sysctl)(struct lq_backend *b, enum lq_sysctl s, int64_t value, struct lq_err *err);
    /* *rc: 0 or -errno of listen() / setsockopt() */
    int (*listen)(struct lq_backend *b, int backlog, int *rc, struct lq_replies *out,
                  struct lq_err *err);
    int (*sockopt)(struct lq_backend *b, enum lq_sockopt opt, int value, int *rc,
                   struct lq_replies *out, struct lq_err *err);
    /* Sends seg; returns what came back before the ordering barrier. */
    int (*segment)(struct lq_backend *b, const struct lq_seg *seg, struct lq_replies *out,
                   struct lq_err *err);
    /* Non-blocking accept(): *result is a connection (>= 0) or -errno. */
    int (*accept)(struct lq_backend *b, int *result, uint16_t *mss, struct lq_replies *out,
                  struct lq_err *err);
    /* Lets time pass; *waited_us: how long it really took. */
    int (*wait)(struct lq_backend *b, uint64_t ms, struct lq_replies *out, int64_t *waited_us,
                struct lq_err *err);
    /* Queue lengths, and the counters when with_counters (reading them is
     * the costly part of a live observation). */
    int (*state)(struct lq_backend *b, struct lq_state *st, bool with_counters, struct lq_err *err);
    /* Any TcpExt/Tcp counter by name, absolute; LQ_EXIT_SKIP when this
     * backend cannot observe it. May be NULL. */
    int (*counter)(struct lq_backend *b, const char *name, int64_t *value, struct lq_err *err);
    /* Waits up to max_ms for a packet to connection conn (a delayed ACK an
     * expect line asks for), collecting everything that arrives. May be NULL. */
    int (*settle)(struct lq_backend *b, uint64_t max_ms, uint16_t conn, struct lq_replies *out,
                  struct lq_err *err);
    /* A reference side that mirrors a kernel takes its clock (jiffies_64,
     * HZ) from the kernel side: see lq_model_set_clock(). May be NULL. */
    void (*set_clock)(struct lq_backend *b, uint64_t jiffies64, uint32_t hz);
    /* The kernel's clock for the model (jiffies_64, HZ). May be NULL. */
    int (*clock)(struct lq_backend *b, uint64_t *jiffies64, uint32_t *hz, struct lq_err *err);
    /* The scenario is over: leave nothing behind that a later one could see. */
    int (*end)(struct lq_backend *b, struct lq_err *err);
    void (*destroy)(struct lq_backend *b);
};

struct lq_backend {
    const struct lq_backend_ops *ops;
    void *priv;
    char release[128];      /* kernel release the backend stands for */
    uint64_t segments_sent; /* client segments handed to the backend (for benchmarks) */
    uint64_t frames_sent;   /* live: every injected frame, barriers included */
};

/* backend_model.c */
struct lq_backend *lq_backend_model_new(const struct lq_profile *profile, struct lq_err *err);
void lq_backend_model_set_clock(struct lq_backend *b, uint64_t jiffies64, uint32_t hz);
void lq_backend_model_set_bug(struct lq_backend *b, enum lq_model_bug bug);
/* The model behind a model backend (for explain and invariant checks). */
struct lq_model *lq_backend_model_get(struct lq_backend *b);

/* backend_live.c: the running kernel, in private network namespaces.
 * LQ_EXIT_SKIP when this process lacks the privileges (the message says which). */
struct lq_backend *lq_backend_live_new(struct lq_err *err);
/* Where the live backend keeps the frames of the current scenario: the
 * runner asks for them to write a pcap of a failure. */
struct lq_pcap_rec;
size_t lq_backend_live_frames(struct lq_backend *b, const struct lq_pcap_rec **recs);

#endif
