/* harness/live/exchange.c: frames to and from the kernel under test over
 * the veth (exchange.h). After every event an ICMP echo goes through the
 * same veth: its reply is the ordering barrier that proves the kernel has
 * answered everything sent before it, so "the kernel sent nothing" is never
 * concluded from a sleep. Each event's jiffy comes from the kernel's clock
 * (clock.c), and SYN-ACKs that left no request sock behind are marked as
 * cookies (inet_diag, diag.c). */
#include "exchange.h"

#include <stdlib.h>
#include <string.h>

#include "util/grow.h"
#include "wire/frame.h"

/* ---- The clock ----
 * The kernel's jiffies, exactly: the tick is aligned to multiples of
 * TICK_NSEC of CLOCK_MONOTONIC (tick_init_jiffy_update(), kernel/time/
 * tick-sched.c), so jiffies_64 = base + CLOCK_MONOTONIC / TICK_NSEC, and
 * lq_kclock_calibrate() (clock.c) finds the base. A frame is never injected within
 * LQ_LIVE_TICK_GUARD_NS of a jiffy boundary: the kernel handles it in the
 * jiffy read just before the write (the write runs the receive path), and
 * the tick that began that jiffy, with the timers due then, has run. */

uint64_t lq_live_jiffies_of(const struct lq_live *lv, uint64_t mono_ns)
{
    return (uint64_t)(lv->clk.jiffies_base + (int64_t)(mono_ns / lv->clk.tick_ns));
}

/* Waits until the clock is clear of a jiffy boundary and returns the jiffy
 * the next write will be handled in (0 when the phase is not known). */
uint64_t lq_live_tick_guard(const struct lq_live *lv)
{
    if (!lv->clk.exact)
        return 0;
    uint64_t now = lq_mono_ns();
    for (int i = 0; i < 8; i++) {
        uint64_t r = now % lv->clk.tick_ns;
        if (r >= LQ_LIVE_TICK_GUARD_NS && lv->clk.tick_ns - r >= LQ_LIVE_TICK_GUARD_NS)
            break;
        uint64_t target =
            now - r + LQ_LIVE_TICK_GUARD_NS + (r < LQ_LIVE_TICK_GUARD_NS ? 0 : lv->clk.tick_ns);
        /* at most twice the guard: spun, not slept, as a sleep this short
         * costs milliseconds of scheduling on a loaded machine (measured:
         * 30-55 us per event on average over a suite, against ~1 us) */
        while ((now = lq_mono_ns()) < target)
            ;
    }
    return lq_live_jiffies_of(lv, now);
}

/* inject's before_write hook: the guard, right before the write. */
void lq_live_before_write(void *arg)
{
    (void)lq_live_tick_guard(arg);
}

/* The jiffy the kernel handled the last injected frame in: the one read
 * right before its write, after the guard kept it clear of a boundary (0
 * when the phase is not known). Not the guard's own reading taken before
 * the frame was built: a loaded machine can preempt the harness between the
 * two for milliseconds, and the event then happens jiffies later than that
 * reading says. */
static uint64_t lq_live_write_jiffies(struct lq_live *lv)
{
    if (!lv->clk.exact)
        return 0;
    uint64_t before, after;
    lq_inject_last_mono(lv->inj, &before, &after);
    return lq_live_jiffies_of(lv, before);
}

static void lq_live_record(struct lq_live *lv, uint64_t ts_ns, const uint8_t *data, uint32_t len,
                           uint32_t orig_len)
{
    lv->frames = lq_grow(lv->frames, &lv->frames_cap, lv->nframes + 1, sizeof(*lv->frames));
    struct lq_live_frame *fr = lq_xmalloc(sizeof(*fr) + len);
    fr->ts_ns = ts_ns;
    fr->len = len;
    fr->orig_len = orig_len;
    memcpy(fr->data, data, len);
    lv->frames[lv->nframes++] = fr;
}

static void lq_live_learn_port(struct lq_live *lv, uint16_t port, uint16_t conn, bool ipv6)
{
    for (size_t i = 0; i < lv->nports; i++)
        if (lv->ports[i].port == port)
            return;
    lv->ports = lq_grow(lv->ports, &lv->ports_cap, lv->nports + 1, sizeof(*lv->ports));
    lv->ports[lv->nports].port = port;
    lv->ports[lv->nports].conn = conn;
    lv->ports[lv->nports].ipv6 = ipv6;
    lv->ports[lv->nports].fin_closed = false;
    lv->ports[lv->nports].srv_ack = 0;
    lv->nports++;
}

/* The family a client port's segments had (the listener's for one never seen). */
bool lq_live_port_ipv6(const struct lq_live *lv, uint16_t port)
{
    for (size_t i = 0; i < lv->nports; i++)
        if (lv->ports[i].port == port)
            return lv->ports[i].ipv6;
    return lv->family != LQ_FAMILY_IPV4;
}

int lq_live_conn_of_port(const struct lq_live *lv, uint16_t port)
{
    for (size_t i = 0; i < lv->nports; i++)
        if (lv->ports[i].port == port)
            return lv->ports[i].conn;
    return -1;
}

int lq_live_port_of_conn(const struct lq_live *lv, uint16_t conn)
{
    for (size_t i = 0; i < lv->nports; i++)
        if (lv->ports[i].conn == conn)
            return lv->ports[i].port;
    return -1;
}

void lq_live_clear_frames(struct lq_live *lv)
{
    for (size_t i = 0; i < lv->nframes; i++)
        free(lv->frames[i]);
    lv->nframes = 0;
}

/* Capture callback: TCP frames from the listener port become replies; the
 * echo reply with the barrier's sequence number ends the wait. */
static int lq_live_on_frame(void *arg, const struct lq_frame *f)
{
    struct lq_live *lv = arg;
    const struct lq_frame_info *fi = &f->info;
    if (fi->is_echo_reply) {
        lq_live_record(lv, f->ts_ns, f->data, f->caplen, f->len);
        if (fi->echo_id == LQ_LIVE_ECHO_ID && fi->echo_seq == lv->barrier_seq) {
            lv->barrier_seen = true;
            return 1;
        }
        return 0;
    }
    if (!fi->is_tcp || fi->seg.sport != lv->lport)
        return 0;
    lq_live_record(lv, f->ts_ns, f->data, f->caplen, f->len);
    for (size_t i = 0; i < lv->nports && (fi->seg.flags & LQ_TH_ACK); i++)
        if (lv->ports[i].port == fi->seg.dport)
            lv->ports[i].srv_ack = fi->seg.ack;
    if (lv->out) {
        struct lq_reply *r = lq_replies_add(lv->out);
        r->seg = fi->seg;
        r->seg.conn = 0;
        r->timing = LQ_PKT_NOW;
        r->t_us = (int64_t)(f->ts_ns - lv->call_ns) / 1000;
        r->frame = (int32_t)lv->nframes - 1;
    }
    if (lv->want_conn >= 0 && fi->seg.dport == (uint16_t)lv->want_conn) {
        lv->want_seen = true;
        return 1;
    }
    return 0;
}

/* Collects frames until deadline_ns (CLOCK_MONOTONIC) or until the callback
 * says stop. */
static int lq_live_collect_until(struct lq_live *lv, uint64_t deadline_ns, bool stop_on_want,
                                 struct lq_err *err)
{
    /* The ring first, without poll(): the veth hands a frame to the
     * server's stack in the write, so the replies are usually there. */
    bool first = true;
    for (;;) {
        uint64_t now = lq_mono_ns();
        if (lv->barrier_seen || (stop_on_want && lv->want_seen))
            return 0;
        if (now >= deadline_ns)
            return 1; /* timed out */
        int ms = first ? 0 : (int)((deadline_ns - now + 999999) / 1000000);
        first = false;
        if (lq_capture_poll(lv->cap, ms, lq_live_on_frame, lv, err) < 0)
            return -1;
    }
}

/* The ordering barrier: an echo request through the veth after everything
 * sent so far; its reply comes after every frame the kernel produced before
 * handling it. */
static int lq_live_barrier_wait(struct lq_live *lv, struct lq_err *err);

/* Sends the echo request lv->barrier_seq (the next one) into buf. */
static int lq_live_send_echo(struct lq_live *lv, bool ipv6, uint8_t *buf, size_t cap, size_t *flen,
                             struct lq_err *err)
{
    lv->barrier_seq = ++lv->echo_seq;
    lv->barrier_seen = false;
    if (lq_inject_echo(lv->inj, ipv6, LQ_LIVE_ECHO_ID, lv->barrier_seq, buf, cap, flen, err))
        return -1;
    lv->stats.frames++;
    return 0;
}

int lq_live_barrier(struct lq_live *lv, struct lq_err *err)
{
    uint8_t buf[128];
    size_t flen;
    if (lq_live_send_echo(lv, lv->echo_ipv6, buf, sizeof(buf), &flen, err))
        return -1;
    lv->barrier_jiffies = lq_live_write_jiffies(lv);
    lq_live_record(lv, lq_inject_last_ns(lv->inj), buf, (uint32_t)flen, 0);
    return lq_live_barrier_wait(lv, err);
}

/* Collects until the reply to the echo request lv->barrier_seq, sent. */
static int lq_live_barrier_wait(struct lq_live *lv, struct lq_err *err)
{
    int rc = lq_live_collect_until(lv, lq_mono_ns() + LQ_LIVE_BARRIER_MS * 1000000ull, false, err);
    if (rc < 0)
        return -1;
    if (!lv->barrier_seen)
        return lq_errf(err, LQ_EXIT_ERROR,
                       "the ordering barrier (ICMP echo %u) got no reply within %d ms",
                       lv->barrier_seq, LQ_LIVE_BARRIER_MS);
    lv->barrier_seen = false;
    return 0;
}

/* A fresh namespace delivers to its IPv6 address only once addrconf's DAD
 * work has run, even with IFA_F_NODAD: addrconf_dad_work ->
 * addrconf_dad_completed -> __ipv6_ifa_notify inserts the address's local
 * route, and that work takes the RTNL, which namespace cleanup can hold for
 * over a second on a loaded machine (seen: a scenario's first barrier got no
 * reply). IPv4's local route is inserted with the address. So, before the
 * first scenario, each family's path is proven by an answered echo; the
 * retries wait for that positive answer, bounded in count and time. */
#define LQ_LIVE_READY_TRIES  200
#define LQ_LIVE_READY_TRY_MS 50
int lq_live_wait_reachable(struct lq_live *lv, bool ipv6, struct lq_err *err)
{
    for (int k = 0; k < LQ_LIVE_READY_TRIES; k++) {
        uint8_t buf[128];
        size_t flen;
        if (lq_live_send_echo(lv, ipv6, buf, sizeof(buf), &flen, err))
            return -1;
        if (lq_live_collect_until(lv, lq_mono_ns() + LQ_LIVE_READY_TRY_MS * 1000000ull, false,
                                  err) < 0)
            return -1;
        if (lv->barrier_seen) {
            lv->barrier_seen = false;
            lq_live_clear_frames(lv);
            return 0;
        }
    }
    return lq_errf(err, LQ_EXIT_ERROR,
                   "the server's %s address answered no echo within %d ms of setting it up",
                   ipv6 ? "IPv6" : "IPv4", LQ_LIVE_READY_TRIES * LQ_LIVE_READY_TRY_MS);
}

int lq_live_refresh_synq(struct lq_live *lv, struct lq_err *err)
{
    int n = 0;
    if (lq_diag_synq_marks(&lv->diag, lv->lport, lv->synq_ports, 256, &n,
                           lv->marked ? lv->synq_mark : NULL, LQ_MAX_LISTENERS + 1, err))
        return -1;
    lv->nsynq = n;
    return 0;
}

/* Marks SYN-ACKs of this call that left no request sock behind: cookies.
 * Each is looked up by its 4-tuple (an exact inet_diag lookup, O(1)); an
 * event that drew no SYN-ACK asks the kernel nothing, nor one with
 * net.ipv4.tcp_syncookies at 0: tcp_conn_request then drops a SYN rather
 * than answer it with a cookie (tcp_syn_flood_action is false), so every
 * SYN-ACK is a request's. */
static int lq_live_mark_cookies(struct lq_live *lv, struct lq_replies *out, size_t from,
                                struct lq_err *err)
{
    if (lv->sysctl_known[LQ_SYSCTL_SYNCOOKIES] && lv->sysctl[LQ_SYSCTL_SYNCOOKIES] == 0)
        return 0;
    for (size_t i = from; i < out->n; i++) {
        struct lq_reply *r = &out->r[i];
        if ((r->seg.flags & (LQ_TH_SYN | LQ_TH_ACK)) != (LQ_TH_SYN | LQ_TH_ACK) ||
            r->timing != LQ_PKT_NOW)
            continue;
        bool request = false;
        bool v6 = r->seg.ipv6;
        const void *sip = v6 ? (const void *)&lv->ns.server_ip6 : (const void *)&lv->ns.server_ip;
        const void *cip = v6 ? (const void *)&lv->ns.client_ip6 : (const void *)&lv->ns.client_ip;
        if (lq_diag_request_exists(&lv->diag, v6, sip, lv->lport, cip, r->seg.dport, &request, err))
            return -1;
        r->cookie = !request;
    }
    return 0;
}

/* The jiffy the kernel handled a segment in, seen afterwards. The write
 * runs the receive path, so that is the jiffy read right before the write
 * (lq_live_write_jiffies), unless the handling crossed a jiffy boundary
 * anyway: the vCPU of a virtual machine is stopped by its host for a while
 * at any instruction, and softirq work is deferred to ksoftirqd on a loaded
 * machine (seen in CI, once in a flood of 20,001 SYNs: the kernel answered
 * a retransmitted SYN where the write's jiffy put it 1 ms inside
 * tcp_oow_rate_limited()'s window). The first answer to the segment's own
 * port is stamped (CLOCK_REALTIME, mapped to CLOCK_MONOTONIC with the
 * offset of the two clocks read at the write) after the kernel's rule read
 * the clock, a few microseconds later in the same softirq run (measured
 * over the fast suite: median 6 us, 99th percentile 59 us). An answer
 * stamped in a later jiffy than the write's says the rule ran in one of the
 * two, not which: that jiffy is jiffies_late. And a tick comes late (a
 * host delays a guest's timer interrupt by hundreds of microseconds: seen
 * here, a segment written 0.4 ms into a jiffy was handled at the jiffy
 * before): a write within LQ_LIVE_TICK_SLOP_NS of a boundary may have run
 * in the jiffy before it, jiffies_early. The runner tries them where the
 * traces part (runner.c, lq_refollow, refollow.c). A capture stamp is
 * an upper bound only: the client's end of the veth takes the reply in its
 * own softirq run, which a loaded machine defers (to ksoftirqd) by tens of
 * milliseconds. So it never moves the window's end (jiffies_end, after
 * which the reference runs its timers): a bound taken from it ran the
 * model's delayed-ACK and SYN-ACK timers 8 jiffies early in a CI run
 * under load. */
#define LQ_LIVE_TICK_SLOP_NS 500000u
static void lq_live_seen_jiffies(struct lq_live *lv, uint16_t cport, struct lq_replies *out,
                                 size_t from)
{
    if (!lv->clk.exact || !out->jiffies_at)
        return;
    uint64_t mono_before, mono_after;
    lq_inject_last_mono(lv->inj, &mono_before, &mono_after);
    int64_t offset = (int64_t)(lq_inject_last_ns(lv->inj) - mono_before);
    uint64_t first = 0;
    for (size_t i = from; i < out->n; i++) {
        const struct lq_reply *r = &out->r[i];
        if (r->frame < 0 || r->seg.dport != cport)
            continue;
        uint64_t ts = lv->frames[r->frame]->ts_ns;
        if (!first || ts < first)
            first = ts;
    }
    if (first) {
        uint64_t j = lq_live_jiffies_of(lv, (uint64_t)((int64_t)first - offset));
        if (j > out->jiffies_at)
            out->jiffies_late = j;
    }
    uint64_t slop =
        LQ_LIVE_TICK_SLOP_NS < lv->clk.tick_ns / 2 ? LQ_LIVE_TICK_SLOP_NS : lv->clk.tick_ns / 2;
    if (mono_before % lv->clk.tick_ns < slop)
        out->jiffies_early = out->jiffies_at - 1;
}

int lq_live_segment(struct lq_backend *b, const struct lq_seg *seg, struct lq_replies *out,
                    struct lq_err *err)
{
    struct lq_live *lv = lq_lv(b);
    uint8_t buf[LQ_LIVE_FRAME_MAX + 128];
    size_t flen;
    size_t from = out->n;
    lv->out = out;
    lv->want_conn = -1;
    lq_live_learn_port(lv, seg->sport, seg->conn, seg->ipv6);
    lv->echo_ipv6 = seg->ipv6;
    /* the segment and its barrier in one write (inject.h): the echo request
     * follows the segment through the veth as it would in two */
    uint8_t ebuf[128];
    size_t eflen;
    lv->barrier_seq = ++lv->echo_seq;
    lv->barrier_seen = false;
    if (lq_inject_tcp_then_echo(lv->inj, seg, LQ_LIVE_ECHO_ID, lv->barrier_seq, buf, sizeof(buf),
                                &flen, ebuf, sizeof(ebuf), &eflen, err))
        goto fail;
    out->jiffies_at = lq_live_write_jiffies(lv);
    lv->call_ns = lq_inject_last_ns(lv->inj);
    /* both were handled by the time the write returned: in its jiffy at
     * the latest (the same as the segment's unless the write was held up) */
    uint64_t wrote, end = 0;
    lq_inject_last_mono(lv->inj, &wrote, &end);
    end = lv->clk.exact ? lq_live_jiffies_of(lv, end) : 0;
    lv->barrier_jiffies = end > out->jiffies_at ? end : out->jiffies_at;
    lv->stats.segments++;
    lv->stats.frames += 2;
    if (seg->icmp == LQ_ICMP_FRAG_NEEDED)
        lv->pmtu_sent[seg->ipv6] = true;
    lq_live_record(lv, lv->call_ns, buf, (uint32_t)flen, 0);
    lq_live_record(lv, lv->call_ns, ebuf, (uint32_t)eflen, 0);
    if (lq_live_barrier_wait(lv, err))
        goto fail;
    lq_live_seen_jiffies(lv, seg->sport, out, from);
    out->jiffies_end = lv->barrier_jiffies;
    if (lq_live_mark_cookies(lv, out, from, err))
        goto fail;
    lv->out = NULL;
    return 0;
fail:
    lv->out = NULL;
    return -1;
}

int lq_live_wait(struct lq_backend *b, uint64_t ms, struct lq_replies *out, int64_t *waited_us,
                 struct lq_err *err)
{
    struct lq_live *lv = lq_lv(b);
    lv->out = out;
    lv->want_conn = -1;
    lv->barrier_seen = false;
    lv->call_ns = lq_capture_now_ns();
    uint64_t start = lq_mono_ns();
    if (lv->clk.exact)
        out->jiffies_at = lq_live_jiffies_of(lv, start);
    size_t from = out->n;
    int rc = lq_live_collect_until(lv, start + ms * 1000000ull, false, err);
    if (rc >= 0)
        rc = lq_live_barrier(lv, err);
    out->jiffies_end = lv->barrier_jiffies;
    *waited_us = (int64_t)(lq_mono_ns() - start) / 1000;
    for (size_t i = from; i < out->n; i++)
        out->r[i].timing = LQ_PKT_TIMER;
    lv->out = NULL;
    if (rc < 0)
        return -1;
    return lq_live_refresh_synq(lv, err);
}

int lq_live_settle(struct lq_backend *b, uint64_t max_ms, uint16_t conn, struct lq_replies *out,
                   struct lq_err *err)
{
    struct lq_live *lv = lq_lv(b);
    lv->out = out;
    lv->want_conn = lq_live_port_of_conn(lv, conn);
    lv->want_seen = false;
    lv->barrier_seen = false;
    lv->call_ns = lq_capture_now_ns();
    size_t from = out->n;
    int rc = lq_live_collect_until(lv, lq_mono_ns() + max_ms * 1000000ull, true, err);
    lv->want_conn = -1;
    if (rc >= 0)
        rc = lq_live_barrier(lv, err);
    for (size_t i = from; i < out->n; i++)
        out->r[i].timing = LQ_PKT_DEFERRED;
    lv->out = NULL;
    return rc < 0 ? -1 : 0;
}
