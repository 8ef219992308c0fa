/* harness/run/runner.h: runs a scenario through a reference and a subject.
 *
 * The runner owns the scripted client (client.c): it turns each directive
 * into calls on a backend, classifies what comes back into a trace
 * (trace.h), checks `expect` lines on every trace as it goes, and finally
 * compares the subject's trace with the reference's (compare.c). It holds a
 * reference and a subject, any two backends (model and kernel, recording
 * and kernel, model and model), and never asks which ones: what it needs to
 * know a backend declares (backend.h: capabilities, optional ops).
 *
 * A runner keeps no global state: one runner with its backends per thread
 * or process can run beside others.
 */
#ifndef LISTENQ_HARNESS_RUNNER_H
#define LISTENQ_HARNESS_RUNNER_H

#include "backend.h"
#include "client.h"
#include "compare.h"
#include "expect.h"
#include "lang/scenario.h"
#include "refollow.h"
#include "trace.h"

enum lq_status { LQ_ST_PASS, LQ_ST_FAIL, LQ_ST_SKIP, LQ_ST_ERROR };

struct lq_exp_result {
    uint32_t dir;
    uint8_t role;    /* enum lq_role: whose trace it was checked on */
    uint8_t outcome; /* enum lq_expect_outcome */
    /* LQ_EXP_UNCHECKED because the subject's clock, not the scenario's
     * timing, decided it (follow.h) */
    bool by_clock;
    char why[512];
};

struct lq_result {
    enum lq_status status;
    struct lq_trace trace[LQ_ROLE_COUNT];
    bool ran[LQ_ROLE_COUNT];
    struct lq_exp_result *exps;
    size_t nexps, exps_cap;
    size_t nexp_failed;
    struct lq_divergence div;
    char reason[512]; /* why it was skipped or failed to run */
    int64_t elapsed_us;
    uint16_t lport;
};

/* Pacing (docs/harness.md, "Timers due at the next jiffy"): per directive,
 * the packet that a timer due at the next jiffy sends before the following
 * event, as a backend that can pace (LQ_CAP_PACES) has it; a real-time
 * subject waits for it after that directive and files it under the next
 * event. */
struct lq_pacing {
    const struct lq_obs_pkt **after; /* [directive]: a packet of the pacing trace, or NULL */
    size_t cap;
    bool ready; /* filled for the scenario being run */
    uint32_t hz;
};

struct lq_runner {
    /* The backends by role: the subject is held to the reference. Either
     * may be NULL; with one, only its expectations are checked. Not owned. */
    struct lq_backend *backend[LQ_ROLE_COUNT];
    /* A backend that can pace (LQ_CAP_PACES), run first, for pacing only,
     * when the subject runs in real time and the reference cannot pace
     * (none, or a recording). NULL: such a subject runs unpaced. Not owned. */
    struct lq_backend *pacer;
    struct lq_profile profile; /* for the sysctl defaults */
    uint16_t port_next;        /* listener ports, one per scenario */
    int settle_ms;             /* how long to wait for a delayed packet an expect line asks for */
    /* Counters after every event (slow on a kernel). Off: read at the start,
     * where an expect line needs them and at the end; a scenario whose
     * counters end up different is run again with them on, to find the
     * first event where they part. */
    bool counters_every_event;
    /* A role whose expectations are not checked (a recording's were, when
     * it was made: its JSON holds their outcomes). */
    bool expect_off[LQ_ROLE_COUNT];
    size_t reruns; /* scenarios run again for that */
    /* scratch, kept across scenarios */
    struct lq_replies replies;
    struct lq_client client;
    struct lq_pacing pacing;
    struct lq_result pace_res;
    /* The reference run again at the subject's clock (follow.h): while
     * `follow` is set, a following run lets the time pass as this trace says
     * it passed. */
    const struct lq_trace *follow;
    size_t follow_next; /* cursor into follow->obs */
    struct lq_result follow_res;
    /* The events whose clock rules the following run places at another of
     * their jiffies (refollow.h). */
    struct lq_alt_set alt;
    size_t late_refollows; /* following runs made again for that */
    bool clock_rerun;      /* running a scenario again for that */
    size_t clock_reruns;   /* scenarios run again for that */
    bool label_rerun;      /* running a scenario again after a flow label collision */
    size_t label_reruns;   /* runs made again for that */
};

void lq_runner_init(struct lq_runner *r, const struct lq_profile *profile);
void lq_runner_free(struct lq_runner *r);
void lq_result_init(struct lq_result *res);
void lq_result_free(struct lq_result *res);
/* Runs sc; res->status says how it went. Returns -1 only when a backend
 * failed in a way that makes further scenarios pointless (err set). */
int lq_run_scenario(struct lq_runner *r, const struct lq_scenario *sc, struct lq_result *res,
                    struct lq_err *err);
/* The listener port the next scenario gets. */
uint16_t lq_runner_next_port(struct lq_runner *r);
/* The outcome of expectation directive dir on role's trace in res, or NULL
 * when it was not checked there. */
const struct lq_exp_result *lq_result_exp_find(const struct lq_result *res, uint32_t dir,
                                               enum lq_role role);
/* How reports name a side of res: lq_trace_side_name of its trace. */
void lq_result_side_name(const struct lq_result *res, enum lq_role role, char *buf, size_t len);

#endif
