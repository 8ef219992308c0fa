/* tests/unit/test_jobs_order.c: which scenarios of a run with workers start
 * first (cli/jobs_order.c). The heap pops the longest wait first and keeps
 * the suite's order among equal ones. The estimate of a fast scenario's
 * timer wait: a FIN after data on an established child is acknowledged by
 * a delayed ACK (tcp_fin -> inet_csk_schedule_ack; __tcp_ack_snd_check:
 * less than a full segment and no quickack left -> tcp_send_delayed_ack,
 * ato TCP_ATO_MIN = HZ/25 = 40 ms), which an expect line then waits for:
 * 40 ms and a jiffy at HZ 250 (4 ms) = 44000 us. Without the expect line the
 * run does not wait for it (0), nor for a handshake's replies (0).
 */
#include <string.h>

#include "cli/jobs_order.h"
#include "lang/parse.h"
#include "model/profile.h"
#include "tap.h"

static void test_heap(void)
{
    struct lq_waiter v[5];
    struct lq_wait_heap h = {.v = v, .n = 0};
    lq_wait_push(&h, (struct lq_waiter){.wait_us = 5, .k = 3});
    lq_wait_push(&h, (struct lq_waiter){.wait_us = 40, .k = 1});
    lq_wait_push(&h, (struct lq_waiter){.wait_us = 5, .k = 0});
    lq_wait_push(&h, (struct lq_waiter){.wait_us = 0, .k = 2});
    lq_wait_push(&h, (struct lq_waiter){.wait_us = 7, .k = 4});
    size_t want[] = {1, 4, 0, 3, 2};
    bool same = true;
    for (size_t i = 0; i < 5; i++)
        same = same && lq_wait_pop(&h) == want[i];
    ok(same && h.n == 0, "the heap pops 40, 7, then the two 5s in the suite's order, then 0");
}

/* The estimator keys what it knows by scenario: each one stays until the
 * estimator is freed (as a suite's do through its run). */
static struct lq_scenario kept[4];
static size_t nkept;

static uint64_t estimate(struct lq_jobs_estimator *e, const char *text, const char *what)
{
    struct lq_scenario *sc = &kept[nkept];
    struct lq_err err = {0};
    if (!ok(lq_parse_text(text, strlen(text), what, sc, &err) == 0, "%s parses", what)) {
        tap_diag("%s", err.msg);
        return (uint64_t)-1;
    }
    nkept++;
    uint64_t us = lq_jobs_timer_wait_us(e, sc);
    uint64_t again = lq_jobs_timer_wait_us(e, sc);
    is_int((long long)again, (long long)us, "%s: asked again, the same estimate", what);
    return us;
}

int main(void)
{
    test_heap();
    struct lq_profile p;
    char perr[128];
    if (!ok(lq_profile_resolve("6.18.44", &p, perr, (int)sizeof(perr)) == 0, "6.18.44 resolves"))
        return tap_done();
    struct lq_jobs_estimator *e = lq_jobs_estimator_new(&p);
    ok(e != NULL, "an estimator of the profile");
    const char *awaited = "listen 8\nsyn c1 mss=1460\nack c1\nack c1 len=10\nfin c1\n"
                          "expect c1 ack\n";
    is_int((long long)estimate(e, awaited, "fin-then-expect.lq"), 40000 + 4000,
           "a delayed ACK an expect line waits for: TCP_ATO_MIN and a jiffy");
    const char *unawaited = "listen 8\nsyn c1 mss=1460\nack c1\nack c1 len=10\nfin c1\naccept\n";
    is_int((long long)estimate(e, unawaited, "fin-then-accept.lq"), 0,
           "the same ACK with no expect line after its event: not waited for");
    const char *handshake = "listen 8\nsyn c1 mss=1460\nexpect c1 synack\nack c1\n"
                            "expect acceptq 1\n";
    is_int((long long)estimate(e, handshake, "handshake.lq"), 0,
           "a handshake: its replies come at once");
    lq_jobs_estimator_free(e);
    for (size_t i = 0; i < nkept; i++)
        lq_scenario_free(&kept[i]);
    struct lq_scenario sc;
    struct lq_err err = {0};
    if (lq_parse_text(awaited, strlen(awaited), "x.lq", &sc, &err) == 0) {
        is_int((long long)lq_jobs_timer_wait_us(NULL, &sc), 0, "no estimator: 0");
        lq_scenario_free(&sc);
    }
    return tap_done();
}
