/* tests/unit/test_compare_slow.c: the timer tolerance and its slow-machine
 * factor (compare.h). A SYN-ACK retransmission due 1 s into a wait may come
 * at most 13% of the due time + 60 ms late (LQ_TIMER_SLACK_PCT/_MS, written
 * out here as arithmetic: 1000 ms * 13 / 100 + 60 ms = 190 ms), and with the
 * slow-machine factor 4 that many times as late (760 ms).
 */
#include <string.h>

#include "lang/parse.h"
#include "run/compare.h"
#include "run/trace.h"
#include "tap.h"

/* Both traces: one observation of the wait (directive 2) with one SYN-ACK
 * from a timer; the subject's comes late_ms after the reference's. */
static bool agree(const struct lq_scenario *sc, int64_t late_ms)
{
    struct lq_trace a, b;
    lq_trace_init(&a, LQ_ROLE_REFERENCE);
    lq_trace_init(&b, LQ_ROLE_SUBJECT);
    lq_trace_reset(&a, LQ_ROLE_REFERENCE, "model", true);
    lq_trace_reset(&b, LQ_ROLE_SUBJECT, "kernel", false);
    struct lq_trace *t[2] = {&a, &b};
    for (int k = 0; k < 2; k++) {
        for (uint32_t d = 0; d < sc->n; d++) {
            struct lq_obs *o = lq_trace_add_obs(t[k]);
            o->dir = d;
            if (d != 2)
                continue;
            struct lq_obs_pkt *p = lq_trace_add_pkt(t[k], o);
            p->flags = 0x12; /* SYN|ACK */
            p->seq_rel = LQ_REL_SRV;
            p->ack_rel = LQ_REL_CLI;
            p->ack_off = 1;
            p->timing = LQ_PKT_TIMER;
            p->t_us = 1000000 + (k ? late_ms * 1000 : 0);
        }
    }
    struct lq_divergence div;
    bool same = lq_compare_traces(sc, &a, &b, &div);
    lq_trace_free(&a);
    lq_trace_free(&b);
    return same;
}

int main(void)
{
    const char *text = "listen 1\nsyn a\nwait 1500ms\n";
    struct lq_scenario sc;
    struct lq_err e;
    if (!ok(lq_parse_text(text, strlen(text), "slow.lq", &sc, &e) == 0, "the scenario parses"))
        return tap_done();
    ok(agree(&sc, 0), "on time: the traces agree");
    ok(agree(&sc, 180), "180 ms late: within 1000 * 13%% + 60 = 190 ms");
    ok(!agree(&sc, 250), "250 ms late: beyond 190 ms, a divergence");
    ok(!agree(&sc, -30), "30 ms early: beyond the 5 ms allowed, a divergence");
    lq_compare_set_slow_factor(4);
    ok(agree(&sc, 250), "slow machine (factor 4): 250 ms late is within 760 ms");
    ok(agree(&sc, 700), "slow machine: 700 ms late is within 760 ms");
    ok(!agree(&sc, 800), "slow machine: 800 ms late is still a divergence");
    ok(agree(&sc, -15), "slow machine: 15 ms early is within 4 * 5 ms");
    lq_compare_set_slow_factor(1);
    ok(!agree(&sc, 250), "factor 1 again: 250 ms late diverges");
    lq_scenario_free(&sc);
    return tap_done();
}
