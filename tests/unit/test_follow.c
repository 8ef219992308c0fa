/* tests/unit/test_follow.c: verdicts that depend neither on uptime nor on load.
 *
 * The subject here is the model standing for a kernel whose clock the test
 * chooses: jiffies32 inside or outside the window where a fresh listener
 * counts as having overflowed recently, or a machine so loaded that every
 * event comes 600 ms after the one before. The runner must compare the
 * subject with the reference at the subject's own clock (no divergence), and
 * leave the expectations that the clock decided unchecked, with the reason,
 * instead of failing them (runner follow.h).
 *
 * Expectations from the kernel source: tcp_synq_no_recent_overflow()
 * (include/net/tcp.h) says "recent overflow" while jiffies32 is within
 * [last - HZ, last + TCP_SYNCOOKIE_VALID] (TCP_SYNCOOKIE_VALID =
 * MAX_SYNCOOKIE_AGE * TCP_SYNCOOKIE_PERIOD = 2 * 60 * HZ), and a fresh
 * listener's last overflow stamp is 0; __tcp_oow_rate_limited()
 * (net/ipv4/tcp_input.c) answers once per tcp_invalid_ratelimit (500 ms).
 */
#include <stdlib.h>
#include <string.h>

#include "lang/parse.h"
#include "model/model.h"
#include "run/backend.h"
#include "run/backend_model.h"
#include "run/follow.h"
#include "run/runner.h"
#include "kernel_dress.h"
#include "tap.h"

#define HZ 250u

static struct lq_profile prof(void)
{
    struct lq_profile p;
    char err[256];
    if (lq_profile_resolve("6.18.44", &p, err, (int)sizeof(err))) {
        printf("Bail out! %s\n", err);
        exit(1);
    }
    return p;
}

/* ---- the model alone at clocks inside and outside the window ---- */

/* A listener that never sent a cookie gets a bare ACK: is it tried as a
 * cookie (SyncookiesFailed counts it) at this clock? */
static bool cookie_tried_at(uint64_t jiffies64, uint32_t hz)
{
    struct lq_profile p = prof();
    struct lq_model *m = lq_model_new(&p);
    lq_model_set_clock(m, jiffies64, hz);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 1);
    lq_model_listen(m, 8080, 10);
    struct lq_seg s;
    memset(&s, 0, sizeof(s));
    s.sport = 20000;
    s.dport = 8080;
    s.flags = LQ_TH_ACK;
    s.seq = 1001;
    s.ack = 5001;
    s.win = 64240;
    lq_model_input(m, &s);
    bool tried = lq_model_counters(m)[LQ_CTR_SYNCOOKIES_FAILED] == 1;
    lq_model_free(m);
    return tried;
}

static void test_window_model(void)
{
    /* [last - HZ, last + 120 HZ] with last = 0, in 32-bit wrapping time; the
     * high word of jiffies_64 does not matter (jiffies32 is compared) */
    const struct {
        uint64_t j;
        bool tried;
        const char *what;
    } rows[] = {
        {0x40000000u, false, "jiffies32 0x40000000 (the model's own clock)"},
        {0x100000000ull + 60u * HZ, true, "jiffies32 60 s past 0 (5 min after boot)"},
        {0x100000000ull + 120u * HZ, true, "jiffies32 120 HZ: the window's last jiffy"},
        {0x100000000ull + 120u * HZ + 1u, false, "jiffies32 120 HZ + 1: past it"},
        {0x100000000ull - HZ, true, "jiffies32 -HZ: the window's first jiffy"},
        {0x100000000ull - HZ - 1u, false, "jiffies32 -HZ - 1: before it"},
        {0x200000000ull + 5u, true, "jiffies32 5 after the second wrap (the window recurs)"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        ok(cookie_tried_at(rows[i].j, HZ) == rows[i].tried, "%s: the ACK is %stried as a cookie",
           rows[i].what, rows[i].tried ? "" : "not ");
    /* HZ 1000: 60000 jiffies is 60 s in */
    ok(cookie_tried_at(0x100000000ull + 60000u, 1000), "HZ 1000, jiffies32 60000: tried");
}

/* ---- a subject with a clock of its own ---- */

/* The model as the "kernel": its clock is the test's; `delay_ms` passes
 * before each event of the first `slow_runs` runs (a loaded machine), as
 * real time passes between a kernel's events. */
struct subject {
    struct lq_backend *b;
    struct lq_backend_ops ops;
    const struct lq_backend_ops *inner;
    uint64_t j0, jnow;
    uint32_t delay_ms;
    int runs, slow_runs;
    bool start_clock_only; /* no jiffies per event (no exact clock) */
    /* a loaded kernel, paced (LQ_CAP_REALTIME): each event's barrier goes
     * out barrier_late jiffies after the event, and the next event then;
     * what its timers send before the barrier comes in the event's window,
     * unless timers_late (its timer softirq ran after the barrier) */
    uint32_t barrier_late;
    bool timers_late;
    /* a kernel whose jiffy the harness misreads (refollow.h): skew -1, its
     * segment's jiffy is reported one early, and the answer's stamp shows
     * the real one (jiffies_late); +1, one late (a late tick), the real one
     * being the earlier candidate (jiffies_early). On the segments whose
     * index (from 0) has skew_parity's parity, or only skew_only (>= 0). */
    int skew, skew_parity, skew_only;
    unsigned nseg;
};

static struct subject *subj_of(struct lq_backend *b)
{
    return (struct subject *)((char *)b->ops - offsetof(struct subject, ops));
}

static int subj_clock(struct lq_backend *b, struct lq_clock *clock, struct lq_err *err)
{
    (void)err;
    clock->jiffies64 = subj_of(b)->j0;
    clock->hz = HZ;
    return 0;
}

static int subj_begin(struct lq_backend *b, const struct lq_begin *bg, struct lq_err *err)
{
    struct subject *s = subj_of(b);
    s->runs++;
    s->jnow = s->j0;
    /* its jiffies are "real": its own clock, timers on the wheel (clock_at) */
    struct lq_begin own = *bg;
    own.clock.jiffies64 = s->j0;
    own.clock.hz = HZ;
    own.follows = true;
    return s->inner->begin(b, &own, err);
}

static int subj_segment(struct lq_backend *b, const struct lq_seg *seg, struct lq_replies *out,
                        struct lq_err *err)
{
    struct subject *s = subj_of(b);
    if (s->runs <= s->slow_runs) {
        s->jnow += (uint64_t)s->delay_ms * HZ / 1000u;
        if (s->inner->clock_at(b, s->jnow, false, out, err) < 0)
            return -1;
        out->jiffies_at = 0; /* the event's own clock, below */
    } else {
        /* its timers on the wheel from the start, as a kernel's */
        if (s->inner->clock_at(b, s->j0, false, out, err) < 0)
            return -1;
    }
    size_t from = out->n;
    int rc = s->inner->segment(b, seg, out, err);
    if (s->start_clock_only)
        out->jiffies_at = out->jiffies_end = 0;
    unsigned segk = s->nseg++;
    if (s->skew &&
        (s->skew_only >= 0 ? segk == (unsigned)s->skew_only : (int)(segk & 1u) == s->skew_parity)) {
        uint64_t real = out->jiffies_at;
        out->jiffies_at = (uint64_t)((int64_t)real + s->skew);
        if (s->skew < 0 && out->n > from)
            out->jiffies_late = real;
        if (s->skew > 0) {
            out->jiffies_early = real;
            if (out->jiffies_end < out->jiffies_at)
                out->jiffies_end = out->jiffies_at;
        }
    }
    if (rc || !s->barrier_late)
        return rc;
    /* the time passes up to the barrier, timers firing as a kernel's do */
    uint64_t at = out->jiffies_at;
    s->jnow = at + s->barrier_late;
    if (s->inner->clock_at(b, s->jnow, true, out, err) < 0)
        return -1;
    out->jiffies_at = at;
    out->jiffies_end = s->jnow;
    /* a kernel sends packets, not predictions */
    size_t k = from;
    for (size_t i = from; i < out->n; i++) {
        struct lq_reply r = out->r[i];
        if (r.timing == LQ_PKT_DEFERRED || (s->timers_late && r.timing != LQ_PKT_NOW))
            continue;
        r.timing = LQ_PKT_NOW;
        out->r[k++] = r;
    }
    out->n = k;
    return 0;
}

/* what the paced kernel sends after the barrier, waited for: nothing more */
static int subj_settle(struct lq_backend *b, uint64_t max_ms, uint16_t conn, struct lq_replies *out,
                       struct lq_err *err)
{
    (void)b, (void)max_ms, (void)conn, (void)out, (void)err;
    return 0;
}

static int subj_listen(struct lq_backend *b, int lsn, int backlog, int *rc, struct lq_replies *out,
                       struct lq_err *err)
{
    struct subject *s = subj_of(b);
    int r = s->inner->listen(b, lsn, backlog, rc, out, err);
    if (s->start_clock_only)
        out->jiffies_at = out->jiffies_end = 0;
    return r;
}

static struct subject *subject_new(const struct lq_profile *p, uint64_t j0, uint32_t delay_ms,
                                   int slow_runs)
{
    struct subject *s = calloc(1, sizeof(*s));
    s->b = lq_test_kernel_dress(p, &s->ops, &s->inner);
    s->ops.clock = subj_clock;
    s->ops.begin = subj_begin;
    s->ops.segment = subj_segment;
    s->ops.listen = subj_listen;
    s->j0 = j0;
    s->delay_ms = delay_ms;
    s->slow_runs = slow_runs;
    return s;
}

static void subject_free(struct subject *s)
{
    lq_test_kernel_undress(s->b, s->inner);
    free(s);
}

struct outcome {
    enum lq_status status;
    bool diverged;
    size_t failed, by_clock;
    size_t reruns;
    size_t refollows;
    char why[512];
};

static struct outcome run(const char *text, struct subject *s)
{
    struct lq_profile p = prof();
    struct lq_err err;
    struct lq_runner r;
    lq_runner_init(&r, &p);
    struct lq_backend *model = lq_backend_model_new(&p, &err);
    r.backend[LQ_ROLE_REFERENCE] = model;
    r.backend[LQ_ROLE_SUBJECT] = s->b;
    struct lq_scenario sc;
    struct outcome o;
    memset(&o, 0, sizeof(o));
    if (lq_parse_text(text, strlen(text), "test.lq", &sc, &err)) {
        printf("Bail out! %s\n", err.msg);
        exit(1);
    }
    struct lq_result res;
    lq_result_init(&res);
    if (lq_run_scenario(&r, &sc, &res, &err))
        tap_diag("run: %s", err.msg);
    o.status = res.status;
    o.diverged = res.div.found;
    o.failed = res.nexp_failed;
    o.by_clock = lq_result_clock_unchecked(&res);
    o.reruns = r.clock_reruns;
    o.refollows = r.late_refollows;
    for (size_t i = 0; i < res.nexps; i++)
        if (res.exps[i].by_clock)
            snprintf(o.why, sizeof(o.why), "%s", res.exps[i].why);
    if (res.div.found)
        tap_diag("divergence at directive %u: %s (%s | %s)", res.div.dir, res.div.what,
                 res.div.a_side, res.div.b_side);
    lq_result_free(&res);
    lq_scenario_free(&sc);
    model->ops->destroy(model);
    lq_runner_free(&r);
    return o;
}

/* corpus/conformance/cookie_not_tried_without_overflow.lq */
static const char cookie_scenario[] = "sysctl net.ipv4.tcp_syncookies=1\n"
                                      "listen 10\n"
                                      "ack c1\n"
                                      "expect c1 rst\n"
                                      "expect counter SyncookiesFailed 0\n"
                                      "expect counter OutRsts 1\n";

static void test_window_runner(void)
{
    struct lq_profile p = prof();
    /* outside the window: everything checked, everything holds */
    struct subject *s = subject_new(&p, 0x140000000ull, 0, 0);
    struct outcome o = run(cookie_scenario, s);
    ok(o.status == LQ_ST_PASS && !o.diverged && o.by_clock == 0 && o.reruns == 0,
       "kernel clock outside the window: pass, every expectation checked");
    subject_free(s);

    /* 60 s after jiffies32 wrapped (a machine 6 minutes up): the kernel tries
     * the cookie, SyncookiesFailed 1; the reference at that clock agrees */
    s = subject_new(&p, 0x100000000ull + 60u * HZ, 0, 0);
    o = run(cookie_scenario, s);
    ok(o.status == LQ_ST_PASS && !o.diverged,
       "kernel clock inside the window: no divergence, the verdict is pass (got status %d)",
       (int)o.status);
    ok(o.by_clock == 1 && o.failed == 0,
       "... SyncookiesFailed 0 is not checked on the kernel, not failed (%zu unchecked)",
       o.by_clock);
    ok(strstr(o.why, "the kernel's clock decided it (jiffies32 15000 at the start, HZ 250)") &&
           strstr(
               o.why,
               "takes cookie.invalid where the scenario's timing takes cookie.no_recent_overflow"),
       "... the reason names the clock and the decision points (%s)", o.why);
    is_int((long long)o.reruns, 2, "... the scenario ran twice more to try to check it");
    subject_free(s);

    /* the kernel's clock known at the start only (no exact clock): the
     * reference still runs at it, so the same holds */
    s = subject_new(&p, 0x100000000ull + 60u * HZ, 0, 0);
    s->start_clock_only = true;
    o = run(cookie_scenario, s);
    ok(o.status == LQ_ST_PASS && !o.diverged && o.by_clock == 1 && o.failed == 0,
       "inside the window, the clock known at the start only: pass, one not checked");
    subject_free(s);
}

/* corpus/conformance/out_of_window_ack.lq */
static const char oow_scenario[] = "sysctl net.ipv4.tcp_syncookies=0\n"
                                   "listen 4\n"
                                   "syn c1\n"
                                   "ack c1 seq=bad\n"
                                   "expect c1 ack\n"
                                   "expect synq 1\n"
                                   "ack c1 seq=bad\n"
                                   "expect none\n"
                                   "expect counter TCPACKSkippedSynRecv 1\n";

static void test_load(void)
{
    struct lq_profile p = prof();
    /* 100 ms between events: within the 500 ms of tcp_oow_rate_limited */
    struct subject *s = subject_new(&p, 0x140000000ull, 100, 100);
    struct outcome o = run(oow_scenario, s);
    ok(o.status == LQ_ST_PASS && o.by_clock == 0,
       "100 ms between events: pass, every expectation checked");
    subject_free(s);

    /* 600 ms between events: the second out-of-window ACK is answered again,
     * and the SYN-ACK timer (1 s) fires on the way; the reference at the
     * kernel's clock predicts both */
    s = subject_new(&p, 0x140000000ull, 600, 100);
    o = run(oow_scenario, s);
    ok(o.status == LQ_ST_PASS && !o.diverged,
       "600 ms between events: no divergence, pass (status %d)", (int)o.status);
    ok(o.by_clock == 2 && o.failed == 0,
       "... 'expect none' and TCPACKSkippedSynRecv 1 are not checked (%zu), not failed",
       o.by_clock);
    ok(strstr(o.why,
              "at line 7 (1800 ms in) it takes timer.resend, check_req.out_of_window_ack "
              "where the scenario's timing takes check_req.out_of_window_ratelimited") != NULL,
       "... the reason names the rate limit (%s)", o.why);
    subject_free(s);

    /* slow only the first time: the rerun checks everything */
    s = subject_new(&p, 0x140000000ull, 600, 1);
    o = run(oow_scenario, s);
    ok(o.status == LQ_ST_PASS && o.by_clock == 0 && o.reruns == 1,
       "slow once: the rerun checks every expectation (reruns %zu)", o.reruns);
    subject_free(s);

    /* the clock excuses nothing else: a kernel that breaks a rule still fails */
    s = subject_new(&p, 0x140000000ull, 600, 100);
    s->b->ops = s->inner; /* lq_backend_model_set_bug() knows the model's own table */
    lq_backend_model_set_bug(s->b, LQ_BUG_ACCEPTQ_N);
    s->b->ops = &s->ops;
    o = run("sysctl net.ipv4.tcp_syncookies=0\nlisten 1\nsyn c1\nack c1\nsyn c2\nack c2\n"
            "expect acceptq 2\n",
            s);
    ok(o.status == LQ_ST_FAIL && o.diverged, "a planted wrong rule on the slow kernel still fails");
    subject_free(s);
}

/* A loaded kernel whose barriers go out jiffies after their events. */
static struct subject *loaded_new(const struct lq_profile *p, uint32_t barrier_late,
                                  bool timers_late)
{
    struct subject *s = subject_new(p, 0x140000000ull, 0, 0);
    s->barrier_late = barrier_late;
    s->timers_late = timers_late;
    s->ops.caps |= LQ_CAP_REALTIME;
    s->ops.settle = subj_settle;
    return s;
}

/* A child that never saw data ACKs a FIN from its delayed-ACK timer at the
 * next jiffy (tcp_send_delayed_ack() with an ato of 0: timeout = jiffies,
 * run by the timer wheel's next tick). The scenario's timing fires it at
 * the start of the next event, and the runner files the kernel's under the
 * next event (pacing). When the kernel's barrier goes out 5 jiffies after
 * the FIN, its ACK comes before the barrier, in the FIN's window; the
 * reference at the kernel's clock fires it there too, and must file it
 * where the kernel's was filed. */
static const char fin_scenario[] = "sysctl net.ipv4.tcp_syncookies=0\n"
                                   "listen 4\n"
                                   "syn c1\n"
                                   "ack c1\n"
                                   "fin c1\n"
                                   "expect c1 ack\n"
                                   "syn c2\n"
                                   "ack c2\n";

static void test_next_jiffy_ack(void)
{
    struct lq_profile p = prof();
    struct subject *s = loaded_new(&p, 5, false);
    struct outcome o = run(fin_scenario, s);
    ok(o.status == LQ_ST_PASS && !o.diverged,
       "barriers 5 jiffies late: the FIN's next-jiffy ACK in its window, no divergence (status "
       "%d)",
       (int)o.status);
    subject_free(s);

    /* the FIN last: nothing to file it under. The barrier goes out at the
     * next jiffy, and the kernel's timer softirq, raised by that tick, runs
     * after it (a loaded machine): the ACK is not there yet, which the
     * reference, firing it at the jiffy of the barrier, must allow (the
     * last two jiffies before a clock it follows, backend_model.c) */
    s = loaded_new(&p, 1, true);
    o = run("sysctl net.ipv4.tcp_syncookies=0\nlisten 4\nsyn c1\nack c1\nfin c1\n", s);
    ok(o.status == LQ_ST_PASS && !o.diverged,
       "the FIN last, the barrier a jiffy later, the timer later still: no divergence (status "
       "%d)",
       (int)o.status);
    subject_free(s);

    /* but five jiffies after it was due the ACK must be out */
    s = loaded_new(&p, 5, true);
    o = run("sysctl net.ipv4.tcp_syncookies=0\nlisten 4\nsyn c1\nack c1\nfin c1\n", s);
    ok(o.status == LQ_ST_FAIL && o.diverged,
       "... a kernel that has not sent it 5 jiffies after it was due diverges");
    subject_free(s);
}

/* listen 1 and n retransmitted SYNs, one jiffy apart (HZ 250, 4 ms): the
 * kernel answers the second (jiffy j0 + 2) and then the first SYN at 125
 * jiffies (tcp_invalid_ratelimit 500 ms) or more after the last answer
 * (__tcp_oow_rate_limited: elapsed < 125 is limited), the 127th. */
static char *flood(int n)
{
    static const char head[] = "listen 1\n", line[] = "syn c1\n";
    char *t = malloc(sizeof(head) + (size_t)n * (sizeof(line) - 1));
    strcpy(t, head);
    for (int i = 0; i < n; i++)
        strcat(t, line);
    return t;
}

static void test_uncertain_jiffy(void)
{
    struct lq_profile p = prof();
    char *text = flood(131);
    /* the control: read right, no second following run */
    struct subject *s = subject_new(&p, 0x140000000ull, 4, 100);
    s->skew_only = -1;
    struct outcome o = run(text, s);
    ok(o.status == LQ_ST_PASS && o.refollows == 0,
       "131 SYNs a jiffy apart, every jiffy read right: pass without following again");
    subject_free(s);

    /* every even segment (the 127th among them) read a jiffy early: at the
     * jiffy read, the 127th is 124 jiffies after the answer to the 2nd and
     * the reference would not answer it; its answer's stamp gives the real
     * jiffy, at which the reference does */
    s = subject_new(&p, 0x140000000ull, 4, 100);
    s->skew = -1;
    s->skew_parity = 0;
    s->skew_only = -1;
    o = run(text, s);
    ok(o.status == LQ_ST_PASS && !o.diverged,
       "every other SYN read a jiffy early: no divergence (status %d)", (int)o.status);
    ok(o.refollows >= 1, "... the first comparison parted, a second following run agreed (%zu)",
       o.refollows);
    subject_free(s);

    /* the 126th read a jiffy late (a late tick): at the jiffy read it is
     * 125 after the 2nd's answer, and the reference would answer it; at the
     * earlier candidate it does not, as the kernel did not */
    s = subject_new(&p, 0x140000000ull, 4, 100);
    s->skew = 1;
    s->skew_only = 125;
    o = run(text, s);
    ok(o.status == LQ_ST_PASS && !o.diverged && o.refollows >= 1,
       "the 126th SYN read a jiffy late: no divergence once it runs at the jiffy before (status "
       "%d, %zu following runs again)",
       (int)o.status, o.refollows);
    subject_free(s);

    /* every odd segment read a jiffy late (a tick late for a long
     * stretch): the 2nd and the 126th among them. At the jiffies read, the
     * 127th is 124 after the 2nd's answer; with the 2nd at its earlier
     * jiffy alone the 126th is 125 after it and answered; both at their
     * earlier jiffies agree with the kernel */
    s = subject_new(&p, 0x140000000ull, 4, 100);
    s->skew = 1;
    s->skew_parity = 1;
    s->skew_only = -1;
    o = run(text, s);
    ok(o.status == LQ_ST_PASS && !o.diverged,
       "every other SYN read a jiffy late: no divergence (status %d, %zu following runs again)",
       (int)o.status, o.refollows);
    subject_free(s);

    /* the uncertainty excuses nothing else: a kernel that answers where no
     * jiffy it may have run at lets it (a planted wrong rule) still fails */
    s = subject_new(&p, 0x140000000ull, 4, 100);
    s->skew = -1;
    s->skew_parity = 0;
    s->skew_only = -1;
    s->b->ops = s->inner;
    lq_backend_model_set_bug(s->b, LQ_BUG_ACCEPTQ_N);
    s->b->ops = &s->ops;
    o = run("sysctl net.ipv4.tcp_syncookies=0\nlisten 1\nsyn c1\nack c1\nsyn c2\nack c2\n"
            "expect acceptq 2\n",
            s);
    ok(o.status == LQ_ST_FAIL && o.diverged,
       "a planted wrong rule on a kernel read a jiffy early still fails");
    subject_free(s);
    free(text);
}

int main(void)
{
    test_window_model();
    test_window_runner();
    test_load();
    test_next_jiffy_ack();
    test_uncertain_jiffy();
    return tap_done();
}
