/* harness/run/backend.h: one interface for the model, the live kernel and a
 * recording (a table of function pointers, as packetdrill's netdev_ops).
 *
 * The runner drives a backend with concrete segments and calls; the backend
 * answers with the segments the kernel sent (or the model predicts, or the
 * recording holds) and the state it can observe. A backend knows nothing of
 * the others, nor of expectations, nor of the role it plays in a run.
 *
 * What a backend can do beyond the required ops it declares: capabilities
 * (LQ_CAP_*) and optional ops. Callers go through the inline wrappers at
 * the end of this file, which hold the NULL checks and the defaults; what
 * belongs to one backend alone is in its own header (backend_model.h,
 * live/backend_live.h, replay/backend_replay.h).
 */
#ifndef LISTENQ_HARNESS_BACKEND_H
#define LISTENQ_HARNESS_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/scenario.h"
#include "model/model.h"
#include "util/err.h"

/* A segment the backend sent (or predicts, or recorded). */
struct lq_reply {
    struct lq_seg seg;
    bool cookie;    /* a SYN-ACK carrying a SYN cookie */
    uint8_t timing; /* enum lq_pkt_timing */
    int64_t t_us;   /* since the call began; the due time for deferred ones */
    int32_t frame;  /* the frame that shows it, an index into lq_backend_frames(); -1: none */
};

/* What one call drew. */
struct lq_replies {
    struct lq_reply *r;
    size_t n, cap;
    /* When the call began by the backend's own record, in µs from where
     * the runner starts counting (after the set-up): a recording says when
     * the recorded call began. -1: the backend does not say; the runner
     * then stamps a real-time backend's calls with the real time and the
     * others' with 0. */
    int64_t at_us;
    /* The backend's jiffies_64 when it handled the call and when the barrier
     * that closed the call's window went through (0: it cannot say). The
     * live backend's are exact (live/exchange.c, "The clock"). */
    uint64_t jiffies_at, jiffies_end;
    /* Other jiffies the handling may have run in (0: none): a later one
     * (the live backend saw the answer stamped there), an earlier one (the
     * call came so soon after a jiffy boundary that the tick may not have
     * run yet). The kernel's clock rules ran in one of jiffies_early,
     * jiffies_at, jiffies_late; the runner holds the subject to the
     * reference at any (runner.c, lq_refollow, refollow.c). */
    uint64_t jiffies_early, jiffies_late;
};

void lq_replies_clear(struct lq_replies *rs);
void lq_replies_free(struct lq_replies *rs);
struct lq_reply *lq_replies_add(struct lq_replies *rs);

struct lq_state {
    int32_t acceptq, backlog, synq; /* the first listener's (the only one's) */
    /* Per listener (lq_begin.nlsn of them; [0] is the one above). */
    int32_t lacceptq[LQ_MAX_LISTENERS], lbacklog[LQ_MAX_LISTENERS], lsynq[LQ_MAX_LISTENERS];
    bool ctr_valid;
    uint64_t ctr[LQ_CTR_COUNT];     /* absolute values (the runner takes deltas) */
    bool ctr_present[LQ_CTR_COUNT]; /* this backend can observe the counter */
};

/* The clock a kernel runs on: jiffies_64 and HZ. Rules that compare jiffies
 * stamps depend on where jiffies is (lq_model_set_clock). */
struct lq_clock {
    uint64_t jiffies64;
    uint32_t hz;
};

/* What every backend is told when a scenario begins: after begin() the
 * listener is bound, not yet listening, and every sysctl has its set-up
 * value; every later call is one of the scenario's events. */
struct lq_begin {
    const struct lq_scenario *sc;
    uint16_t lport;                  /* the listener's port */
    uint8_t family;                  /* enum lq_family: the listener's socket (sc->run_family) */
    struct lq_clock clock;           /* the scenario's clock: the one a backend with a clock
                                      * of its own reports (lq_backend_clock), else a default */
    int64_t sysctl[LQ_SYSCTL_COUNT]; /* the set-up (the profile's defaults) */
    /* The listeners, bound in index order to lport: 1 unless the scenario
     * declares several; reuseport[i]: SO_REUSEPORT set before bind. */
    int nlsn;
    bool reuseport[LQ_MAX_LISTENERS];
    /* LQ_CAP_FOLLOWS: clock is another backend's, and lq_backend_clock_at()
     * will say before and after each call where that clock stood. */
    bool follows;
};

/* Capabilities (lq_backend_ops.caps). The runner asks these, never a name. */
enum {
    /* Its answers are predictions (a model), not observations: reports say
     * what it "predicts", not what it "has". */
    LQ_CAP_PREDICTS = 1u << 0,
    /* It marks the packets a timer due at the next jiffy sends before an
     * event (LQ_PKT_NEXT_JIFFY): its trace can pace a real-time backend. */
    LQ_CAP_PACES = 1u << 1,
    /* Its timers run in real time: it is paced where another backend's
     * trace says a timer due at the next jiffy fires, its events are
     * stamped with the real time, and a packet an expectation asks for may
     * come a little after the event (settle). */
    LQ_CAP_REALTIME = 1u << 2,
    /* It can run at another backend's clock (a model at a kernel's:
     * docs/harness.md, "Real time"): lq_begin.follows, then clock_at(). */
    LQ_CAP_FOLLOWS = 1u << 3,
};

/* Per-backend counts for benchmarks (lq_backend_stats). */
struct lq_backend_stats {
    uint64_t segments;  /* client segments handed to the backend */
    uint64_t frames;    /* frames it injected, barriers and purges included */
    uint64_t leftovers; /* sockets a scenario left on its port, destroyed at its end */
};

struct lq_backend;
struct lq_pcap_rec; /* wire/pcapout.h */

struct lq_backend_ops {
    const char *name; /* "model", "kernel", "recording": for reports only */
    unsigned caps;    /* LQ_CAP_* */

    /* -- required -- */
    /* A new scenario. */
    int (*begin)(struct lq_backend *b, const struct lq_begin *bg, struct lq_err *err);
    int (*sysctl)(struct lq_backend *b, enum lq_sysctl s, int64_t value, struct lq_err *err);
    /* *rc: 0 or -errno of listen() / setsockopt() on listener lsn */
    int (*listen)(struct lq_backend *b, int lsn, int backlog, int *rc, struct lq_replies *out,
                  struct lq_err *err);
    int (*sockopt)(struct lq_backend *b, int lsn, enum lq_sockopt opt, int value, int *rc,
                   struct lq_replies *out, struct lq_err *err);
    /* Sends seg; returns what came back before the ordering barrier. */
    int (*segment)(struct lq_backend *b, const struct lq_seg *seg, struct lq_replies *out,
                   struct lq_err *err);
    /* close() or shutdown() of the listener, close() of an accepted
     * connection (lang/scenario.h): *rc is 0 or -errno. */
    int (*sockcall)(struct lq_backend *b, const struct lq_sockcall *c, int *rc,
                    struct lq_replies *out, struct lq_err *err);
    /* Non-blocking accept() on listener lsn: *result is a connection (>= 0) or -errno. */
    int (*accept)(struct lq_backend *b, int lsn, int *result, uint16_t *mss, struct lq_replies *out,
                  struct lq_err *err);
    /* Lets time pass; *waited_us: how long it really took. */
    int (*wait)(struct lq_backend *b, uint64_t ms, struct lq_replies *out, int64_t *waited_us,
                struct lq_err *err);
    /* Queue lengths, and the counters when with_counters (reading them is
     * the costly part of a live observation). */
    int (*state)(struct lq_backend *b, struct lq_state *st, bool with_counters, struct lq_err *err);
    /* The scenario is over: leave nothing behind that a later one could see. */
    int (*end)(struct lq_backend *b, struct lq_err *err);
    void (*destroy)(struct lq_backend *b);

    /* -- optional (NULL: the wrapper's default) -- */
    /* Any TcpExt/Tcp counter by name, absolute; LQ_EXIT_SKIP when this
     * backend cannot observe it. */
    int (*counter)(struct lq_backend *b, const char *name, int64_t *value, struct lq_err *err);
    /* Waits up to max_ms for a packet to connection conn (a delayed packet
     * an expect line asks for, or a paced timer's), collecting everything
     * that arrives (LQ_CAP_REALTIME backends). */
    int (*settle)(struct lq_backend *b, uint64_t max_ms, uint16_t conn, struct lq_replies *out,
                  struct lq_err *err);
    /* The clock this backend runs on now, when it has one of its own (a
     * kernel); 1 when it does not know. */
    int (*clock)(struct lq_backend *b, struct lq_clock *clock, struct lq_err *err);
    /* The decision points the last call took (a model), valid until the
     * next call. */
    size_t (*decisions)(struct lq_backend *b, const uint16_t **dps);
    /* NULL while the backend's answers can be held against another's; else
     * why they cannot from the last call on (a model past its scope). */
    const char *(*scope_end)(struct lq_backend *b);
    /* The frames of the current (or last) scenario, as pcap records: what
     * a failure's pcap holds. Valid until the next call. */
    size_t (*frames)(struct lq_backend *b, const struct lq_pcap_rec **recs);
    void (*stats)(struct lq_backend *b, struct lq_backend_stats *st);
    /* LQ_CAP_FOLLOWS: the other backend's clock stood at jiffies64 before the
     * next call (after_call false: its jiffies_at) or after the last one (its
     * jiffies_end): the time passes up to there, timers firing as the
     * kernel's timer wheel fires them, and what they send goes to out. 1
     * when time passed (lq_backend_decisions then has what the timers
     * decided), 0 when none did, -1 on error. */
    int (*clock_at)(struct lq_backend *b, uint64_t jiffies64, bool after_call,
                    struct lq_replies *out, struct lq_err *err);
};

struct lq_backend {
    const struct lq_backend_ops *ops;
    void *priv;
    char release[128]; /* what the backend stands for: a kernel release, "model 6.12" */
};

/* ---- the wrappers: callers use these, never b->ops directly ---- */

static inline const char *lq_backend_name(const struct lq_backend *b)
{
    return b->ops->name;
}

static inline bool lq_backend_has(const struct lq_backend *b, unsigned cap)
{
    return (b->ops->caps & cap) == cap;
}

static inline int lq_backend_begin(struct lq_backend *b, const struct lq_begin *bg,
                                   struct lq_err *err)
{
    return b->ops->begin(b, bg, err);
}

static inline int lq_backend_sysctl(struct lq_backend *b, enum lq_sysctl s, int64_t value,
                                    struct lq_err *err)
{
    return b->ops->sysctl(b, s, value, err);
}

static inline int lq_backend_listen(struct lq_backend *b, int lsn, int backlog, int *rc,
                                    struct lq_replies *out, struct lq_err *err)
{
    return b->ops->listen(b, lsn, backlog, rc, out, err);
}

static inline int lq_backend_sockopt(struct lq_backend *b, int lsn, enum lq_sockopt opt, int value,
                                     int *rc, struct lq_replies *out, struct lq_err *err)
{
    return b->ops->sockopt(b, lsn, opt, value, rc, out, err);
}

static inline int lq_backend_segment(struct lq_backend *b, const struct lq_seg *seg,
                                     struct lq_replies *out, struct lq_err *err)
{
    return b->ops->segment(b, seg, out, err);
}

static inline int lq_backend_sockcall(struct lq_backend *b, const struct lq_sockcall *c, int *rc,
                                      struct lq_replies *out, struct lq_err *err)
{
    return b->ops->sockcall(b, c, rc, out, err);
}

static inline int lq_backend_accept(struct lq_backend *b, int lsn, int *result, uint16_t *mss,
                                    struct lq_replies *out, struct lq_err *err)
{
    return b->ops->accept(b, lsn, result, mss, out, err);
}

static inline int lq_backend_wait(struct lq_backend *b, uint64_t ms, struct lq_replies *out,
                                  int64_t *waited_us, struct lq_err *err)
{
    return b->ops->wait(b, ms, out, waited_us, err);
}

static inline int lq_backend_state(struct lq_backend *b, struct lq_state *st, bool with_counters,
                                   struct lq_err *err)
{
    return b->ops->state(b, st, with_counters, err);
}

static inline int lq_backend_end(struct lq_backend *b, struct lq_err *err)
{
    return b->ops->end(b, err);
}

/* Also takes NULL. */
static inline void lq_backend_destroy(struct lq_backend *b)
{
    if (b)
        b->ops->destroy(b);
}

static inline int lq_backend_counter(struct lq_backend *b, const char *name, int64_t *value,
                                     struct lq_err *err)
{
    if (!b->ops->counter)
        return lq_errf(err, LQ_EXIT_SKIP, "the %s cannot observe counter %s", b->ops->name, name);
    return b->ops->counter(b, name, value, err);
}

static inline bool lq_backend_can_settle(const struct lq_backend *b)
{
    return b->ops->settle != NULL;
}

/* Without the op: nothing comes (0). */
static inline int lq_backend_settle(struct lq_backend *b, uint64_t max_ms, uint16_t conn,
                                    struct lq_replies *out, struct lq_err *err)
{
    return b->ops->settle ? b->ops->settle(b, max_ms, conn, out, err) : 0;
}

/* 0 with *clock, 1 when the backend has no clock of its own, -1 on error. */
static inline int lq_backend_clock(struct lq_backend *b, struct lq_clock *clock, struct lq_err *err)
{
    return b->ops->clock ? b->ops->clock(b, clock, err) : 1;
}

static inline size_t lq_backend_decisions(struct lq_backend *b, const uint16_t **dps)
{
    *dps = NULL;
    return b->ops->decisions ? b->ops->decisions(b, dps) : 0;
}

static inline const char *lq_backend_scope_end(struct lq_backend *b)
{
    return b->ops->scope_end ? b->ops->scope_end(b) : NULL;
}

/* 0 (and *recs NULL) for a backend that keeps no frames. */
static inline size_t lq_backend_frames(struct lq_backend *b, const struct lq_pcap_rec **recs)
{
    *recs = NULL;
    return b->ops->frames ? b->ops->frames(b, recs) : 0;
}

/* Without the op: no time passes (0). */
static inline int lq_backend_clock_at(struct lq_backend *b, uint64_t jiffies64, bool after_call,
                                      struct lq_replies *out, struct lq_err *err)
{
    return b->ops->clock_at ? b->ops->clock_at(b, jiffies64, after_call, out, err) : 0;
}

static inline void lq_backend_stats(struct lq_backend *b, struct lq_backend_stats *st)
{
    st->segments = st->frames = 0;
    if (b->ops->stats)
        b->ops->stats(b, st);
}

#endif
