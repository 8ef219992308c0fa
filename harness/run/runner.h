/* harness/run/runner.h: runs a scenario through one or two backends.
 *
 * The runner owns the scripted client (client.c): it turns each directive into
 * calls on the backends, classifies what comes back into a trace (trace.h),
 * checks `expect` lines on every trace as it goes, and finally compares the
 * traces (compare.c). It never asks which backend it holds.
 */
#ifndef LISTENQ_HARNESS_RUNNER_H
#define LISTENQ_HARNESS_RUNNER_H

#include "backend.h"
#include "client.h"
#include "compare.h"
#include "expect.h"
#include "lang/scenario.h"
#include "trace.h"

enum lq_side { LQ_SIDE_MODEL, LQ_SIDE_KERNEL, LQ_SIDE_COUNT };
enum lq_status { LQ_ST_PASS, LQ_ST_FAIL, LQ_ST_SKIP, LQ_ST_ERROR };

struct lq_exp_result {
    uint32_t dir;
    uint8_t side;    /* enum lq_side */
    uint8_t outcome; /* enum lq_expect_outcome */
    char why[256];
};

struct lq_result {
    enum lq_status status;
    struct lq_trace trace[LQ_SIDE_COUNT];
    bool ran[LQ_SIDE_COUNT];
    struct lq_exp_result *exps;
    size_t nexps, exps_cap;
    size_t nexp_failed;
    struct lq_divergence div;
    char reason[512]; /* why it was skipped or failed to run */
    int64_t elapsed_us;
    uint16_t lport;
};

struct lq_runner {
    struct lq_backend *side[LQ_SIDE_COUNT]; /* NULL: that side does not run */
    struct lq_profile profile;              /* for the sysctl defaults */
    uint16_t port_next;                     /* listener ports, one per scenario */
    struct lq_replies replies;
    struct lq_client client;
    int settle_ms; /* how long to wait for a delayed packet an expect line asks for */
    /* Counters after every event (slow on a kernel). Off: read at the start,
     * where an expect line needs them and at the end; a scenario whose
     * counters end up different is run again with them on, to find the
     * first event where they part. */
    bool counters_every_event;
    size_t reruns; /* scenarios run again for that */
    /* A model run only to pace the kernel when side[LQ_SIDE_MODEL] is NULL
     * (record, replay): NULL or a model backend, not owned. */
    struct lq_backend *pacer;
    /* Per directive (an event): the delayed ACK the model fires at the next
     * jiffy, before the following event (a packet of the model's trace, or
     * NULL). The kernel run waits for it after this event and hands it to
     * the next one (tick_stash). */
    const struct lq_obs_pkt **tick_ack;
    size_t tick_ack_cap;
    bool tick_ack_ready; /* filled for the scenario being run */
    struct lq_obs_pkt tick_stash[4];
    size_t ntick_stash;
    uint32_t kernel_hz; /* the kernel's HZ, when its backend says */
    struct lq_result pace_res;
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

#endif
