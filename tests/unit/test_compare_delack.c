/* tests/unit/test_compare_delack.c: the timing of delayed ACKs in the
 * comparison (compare.c). The model predicts, for the data segment at
 * directive 2, a delayed ACK due 40 ms later (TCP_ATO_MIN), and fires it
 * 40 ms into the wait that follows (directive 3, which starts 1 ms after
 * directive 2). A kernel's ACK may come at most one jiffy at HZ 100 plus
 * LQ_TIMER_EARLY_MS before the due time (10 + 5 = 15 ms: at 25 ms, not at
 * once), and at most 40 ms * 13% + 60 ms = 65.2 ms after the timer fired
 * (LQ_TIMER_SLACK_PCT/_MS: at 105 ms, not at 110 ms). A prediction the
 * model marks as possibly immediate (due at the event) takes an ACK at once.
 * The model backend stamps each event with its model time (the waits before
 * it), so that a subject's lateness allowance counts only its real time
 * past that (the "drift"), not the whole scenario's.
 */
#include <string.h>

#include "lang/parse.h"
#include "model/profile.h"
#include "run/backend_model.h"
#include "run/runner.h"
#include "run/compare.h"
#include "run/trace.h"
#include "tap.h"

static void ack_pkt(struct lq_trace *t, struct lq_obs *o, uint8_t timing, int64_t t_us)
{
    struct lq_obs_pkt *p = lq_trace_add_pkt(t, o);
    p->flags = 0x10; /* ACK */
    p->seq_rel = LQ_REL_SRV;
    p->seq_off = 1;
    p->ack_rel = LQ_REL_CLI;
    p->ack_off = 11;
    p->timing = timing;
    p->t_us = t_us;
}

/* The subject's ACK comes at sent_ms after directive 2 began (in directive
 * 2's window when below 1 ms, else in the wait's); the model's prediction
 * is due at due_ms (40, or 0 for "may go at once"). */
static bool agree(const struct lq_scenario *sc, int64_t due_ms, int64_t sent_ms)
{
    struct lq_trace a, b;
    lq_trace_init(&a, LQ_ROLE_REFERENCE);
    lq_trace_init(&b, LQ_ROLE_SUBJECT);
    lq_trace_reset(&a, LQ_ROLE_REFERENCE, "model", true);
    lq_trace_reset(&b, LQ_ROLE_SUBJECT, "kernel", false);
    for (uint32_t d = 0; d < sc->n; d++) {
        struct lq_obs *oa = lq_trace_add_obs(&a);
        oa->dir = d;
        oa->t_us = d == 3 ? 1000 : 0;
        if (d == 2)
            ack_pkt(&a, oa, LQ_PKT_DEFERRED, due_ms * 1000);
        if (d == 3)
            ack_pkt(&a, oa, LQ_PKT_DEFERRED_FIRED, 40000 - 1000);
        struct lq_obs *ob = lq_trace_add_obs(&b);
        ob->dir = d;
        ob->t_us = d == 3 ? 1000 : 0;
        if (d == 2 && sent_ms < 1)
            ack_pkt(&b, ob, LQ_PKT_NOW, 100);
        if (d == 3 && sent_ms >= 1)
            ack_pkt(&b, ob, LQ_PKT_TIMER, (sent_ms - 1) * 1000);
    }
    struct lq_divergence div;
    bool same = lq_compare_traces(sc, &a, &b, &div);
    lq_trace_free(&a);
    lq_trace_free(&b);
    return same;
}

/* Both sides model backends: the event after "wait 100ms" and "wait 250ms"
 * begins 350 ms into the scenario by the model's clock, the one before the
 * waits at 0. */
static void test_model_event_times(void)
{
    struct lq_profile p;
    char perr[128];
    struct lq_err err;
    if (!ok(lq_profile_resolve("6.18.44", &p, perr, (int)sizeof(perr)) == 0, "6.18.44 resolves"))
        return;
    struct lq_runner r;
    lq_runner_init(&r, &p);
    struct lq_backend *a = lq_backend_model_new(&p, &err), *b = lq_backend_model_new(&p, &err);
    r.backend[LQ_ROLE_REFERENCE] = a;
    r.backend[LQ_ROLE_SUBJECT] = b;
    const char *text = "listen 4\nsyn c1\nwait 100ms\nwait 250ms\nsyn c2\n";
    struct lq_scenario sc;
    struct lq_result res;
    lq_result_init(&res);
    if (ok(lq_parse_text(text, strlen(text), "times.lq", &sc, &err) == 0, "times.lq parses")) {
        lq_run_scenario(&r, &sc, &res, &err);
        const struct lq_trace *t = &res.trace[LQ_ROLE_REFERENCE];
        int64_t syn1 = -1, syn2 = -1;
        for (size_t i = 0; i < t->nobs; i++) {
            if (t->obs[i].dir == 1)
                syn1 = t->obs[i].t_us;
            if (t->obs[i].dir == 4)
                syn2 = t->obs[i].t_us;
        }
        is_int((int)syn1, 0, "the first SYN begins at model time 0");
        is_int((int)syn2, 350000, "the SYN after the waits begins at 100 + 250 ms of model time");
        lq_scenario_free(&sc);
    }
    lq_result_free(&res);
    lq_backend_destroy(a);
    lq_backend_destroy(b);
    lq_runner_free(&r);
}

int main(void)
{
    test_model_event_times();
    const char *text = "listen 1\nsyn a\nack a len=10\nwait 500ms\n";
    struct lq_scenario sc;
    struct lq_err e;
    if (!ok(lq_parse_text(text, strlen(text), "delack.lq", &sc, &e) == 0, "the scenario parses"))
        return tap_done();
    ok(agree(&sc, 40, 40), "sent when due: the traces agree");
    ok(!agree(&sc, 40, 0), "sent at once, due in 40 ms: a divergence");
    ok(!agree(&sc, 40, 20), "sent 20 ms early: beyond 15 ms, a divergence");
    ok(agree(&sc, 40, 26), "sent 14 ms early: within a jiffy at HZ 100 + 5 ms");
    ok(agree(&sc, 40, 105), "65 ms after the timer fired: within 40 * 13%% + 60 = 65.2 ms");
    ok(!agree(&sc, 40, 110), "70 ms after it: a divergence");
    ok(agree(&sc, 0, 0), "a prediction that may go at once takes an ACK at once");
    lq_compare_set_slow_factor(4);
    ok(agree(&sc, 40, 0), "slow machine (factor 4): 40 ms early is within 4 * 15 ms");
    ok(agree(&sc, 40, 280), "slow machine: 240 ms late is within 4 * 65.2 ms");
    lq_compare_set_slow_factor(1);
    lq_scenario_free(&sc);
    return tap_done();
}
