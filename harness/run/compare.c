/* harness/run/compare.c: see compare.h. */
#include "compare.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/grow.h"
#include "model/model.h"
#include "lang/print.h"
#include "util/strbuf.h"

/* The window of a SYN-ACK (tcp_make_synack: min(rsk_rcv_wnd, 65535),
 * never scaled) is exact on both sides. A pure ACK's is compared only
 * by scale: a child's right window edge depends on receive-buffer space,
 * which a reference may know only as a range (from the initial 64240 to
 * tcp_rmem[2] = 6291456 once accepted: a factor under 98), while a field
 * scaled or not by rcv_wscale 7 differs by a factor of 128. */
#define LQ_WIN_RANGE_FACTOR 100
static bool lq_obs_win_same(const struct lq_obs_pkt *x, const struct lq_obs_pkt *y)
{
    if (x->win < 0 || y->win < 0)
        return true;
    if (x->flags & LQ_TH_SYN)
        return x->win == y->win;
    if (x->flags & (LQ_TH_RST | LQ_TH_FIN))
        return true; /* an RST's window means nothing (RFC 9293) */
    if ((x->win == 0) != (y->win == 0))
        return false;
    int64_t lo = x->win < y->win ? x->win : y->win, hi = x->win < y->win ? y->win : x->win;
    return hi < lo * LQ_WIN_RANGE_FACTOR;
}

static bool lq_obs_lbl_same(const struct lq_obs_pkt *x, const struct lq_obs_pkt *y)
{
    return x->lbl == y->lbl || x->lbl == LQ_LBL_UNKNOWN || y->lbl == LQ_LBL_UNKNOWN;
}

bool lq_obs_pkt_same(const struct lq_obs_pkt *x, const struct lq_obs_pkt *y)
{
    return x->conn == y->conn && x->flags == y->flags && x->seq_rel == y->seq_rel &&
           x->seq_off == y->seq_off && x->ack_rel == y->ack_rel && x->ack_off == y->ack_off &&
           x->ack_isn == y->ack_isn && x->len == y->len && x->mss == y->mss &&
           x->wscale == y->wscale && x->sack == y->sack && x->ts == y->ts &&
           x->cookie == y->cookie && x->tfo == y->tfo && lq_obs_lbl_same(x, y) &&
           lq_obs_win_same(x, y) && (x->tsecr < 0 || y->tsecr < 0 || x->tsecr == y->tsecr);
}

static const char *lq_conn_name(const struct lq_scenario *sc, uint16_t c)
{
    return c < sc->nconns ? sc->conns[c] : "?";
}

static void lq_fmt_pkt(const struct lq_scenario *sc, const struct lq_obs_pkt *p,
                       struct lq_strbuf *b)
{
    lq_obs_pkt_format(p, lq_conn_name(sc, p->conn), b);
    if (p->timing == LQ_PKT_TIMER || p->timing == LQ_PKT_DEFERRED || lq_pkt_timer_fired(p->timing))
        lq_sb_addf(b, " @%" PRId64 "ms", p->t_us / 1000);
}

static void lq_fmt_pkts(const struct lq_scenario *sc, const struct lq_trace *t,
                        const struct lq_obs *o, struct lq_strbuf *b)
{
    if (!o->npkts) {
        lq_sb_add(b, "no packet");
        return;
    }
    for (uint32_t i = 0; i < o->npkts; i++) {
        if (i)
            lq_sb_add(b, "; ");
        lq_fmt_pkt(sc, &t->pkts[o->first_pkt + i], b);
    }
}

struct lq_cmp {
    const struct lq_scenario *sc;
    const struct lq_trace *a, *b;
    struct lq_divergence *div;
    /* deferred predictions of a still outstanding; times on the subject's
     * clock (since its scenario began) */
    struct {
        const struct lq_obs_pkt *p;
        bool matched;   /* a packet of the subject was seen for it */
        bool consumed;  /* its timer fired in the reference and it was accounted for */
        int64_t arm_us; /* the event that scheduled it began */
        int64_t due_us; /* the earliest it may leave (its due time, or the event's
                         * own time when the reference does not know) */
        int64_t got_us; /* when the subject's packet came */
    } * pool;
    size_t npool, pool_cap;
    bool *used; /* per packet of the subject at the event being compared */
    size_t used_cap;
};

static int lq_slow_factor = 1;

void lq_compare_set_slow_factor(int factor)
{
    lq_slow_factor = factor < 1 ? 1 : factor;
}

static bool lq_diverge(struct lq_cmp *c, const struct lq_obs *oa, const struct lq_obs *ob,
                       const char *what, const char *a_text, const char *b_text)
{
    struct lq_divergence *d = c->div;
    d->found = true;
    d->dir = oa->dir;
    snprintf(d->what, sizeof(d->what), "%s", what);
    lq_trace_side_name(c->a, c->b, d->a_name, sizeof(d->a_name));
    lq_trace_side_name(c->b, c->a, d->b_name, sizeof(d->b_name));
    snprintf(d->a_side, sizeof(d->a_side), "%s", a_text);
    snprintf(d->b_side, sizeof(d->b_side), "%s", b_text);
    d->ndps = 0;
    d->label_collision = false;
    d->label_earlier = 0;
    for (uint32_t i = 0; i < oa->ndps && d->ndps < sizeof(d->dps) / sizeof(d->dps[0]); i++)
        d->dps[d->ndps++] = c->a->dps[oa->first_dp + i];
    d->frame = -1;
    for (uint32_t i = 0; ob && i < ob->npkts; i++)
        if (c->b->pkts[ob->first_pkt + i].frame >= 0) {
            d->frame = c->b->pkts[ob->first_pkt + i].frame;
            break;
        }
    return false;
}

enum lq_pkt_diff { LQ_MISSING, LQ_MISSING_DELACK, LQ_EXTRA, LQ_EARLY_DELACK, LQ_LATE_DELACK };

static bool lq_diverge_pkts(struct lq_cmp *c, const struct lq_obs *oa, const struct lq_obs *ob,
                            enum lq_pkt_diff kind)
{
    char what[160], a[32], b[32];
    lq_trace_side_name(c->a, c->b, a, sizeof(a));
    lq_trace_side_name(c->b, c->a, b, sizeof(b));
    bool predicts = c->a->predicts;
    switch (kind) {
    case LQ_MISSING:
        snprintf(what, sizeof(what), "the %s did not send a packet the %s %s", b, a,
                 predicts ? "predicts" : "has");
        break;
    case LQ_MISSING_DELACK:
        snprintf(what, sizeof(what), "the %s did not send the delayed ACK the %s %s", b, a,
                 predicts ? "predicts" : "has");
        break;
    case LQ_EXTRA:
        snprintf(what, sizeof(what), "the %s sent a packet the %s %s", b, a,
                 predicts ? "does not predict" : "does not have");
        break;
    case LQ_EARLY_DELACK:
        snprintf(what, sizeof(what), "the %s sent a delayed ACK the %s predicts before its timer",
                 b, a);
        break;
    case LQ_LATE_DELACK:
        snprintf(what, sizeof(what), "the %s sent a delayed ACK the %s predicts after its timer", b,
                 a);
        break;
    }
    struct lq_strbuf x, y;
    lq_sb_init(&x);
    lq_sb_init(&y);
    lq_fmt_pkts(c->sc, c->a, oa, &x);
    lq_fmt_pkts(c->sc, c->b, ob, &y);
    lq_diverge(c, oa, ob, what, lq_sb_str(&x), lq_sb_str(&y));
    lq_sb_free(&x);
    lq_sb_free(&y);
    return false;
}

/* A delayed ACK's timer (tcp_send_delayed_ack: sk_reset_timer at jiffies +
 * ato) never fires early, but it counts from the jiffy the event came in,
 * which began up to one jiffy before the event (10 ms at HZ 100, the lowest
 * HZ), and the reference's clock starts the event at that jiffy: so the
 * subject's ACK may come up to a jiffy before the reference's due time,
 * plus the LQ_TIMER_EARLY_MS of clock skew timers get. The shortest delayed
 * ACK after data, TCP_ATO_MIN (40 ms), stays apart from an ACK at once. */
#define LQ_DELACK_EARLY_US(slow) ((LQ_TIMER_EARLY_MS * 1000 + 10000) * (slow))

/* Reports a delayed ACK the subject sent too early (or too late): the
 * reference's due time and the subject's, since the event that scheduled it. */
static bool lq_diverge_delack(struct lq_cmp *c, const struct lq_obs *oa, const struct lq_obs *ob,
                              enum lq_pkt_diff kind, const struct lq_obs_pkt *p, int64_t due_us,
                              int64_t got_us, int64_t arm_us)
{
    lq_diverge_pkts(c, oa, ob, kind);
    struct lq_strbuf x, y;
    lq_sb_init(&x);
    lq_sb_init(&y);
    lq_obs_pkt_format(p, lq_conn_name(c->sc, p->conn), &x);
    lq_obs_pkt_format(p, lq_conn_name(c->sc, p->conn), &y);
    lq_sb_addf(&x, " %s %" PRId64 " ms after the event that scheduled it",
               kind == LQ_EARLY_DELACK ? "due" : "fired", (due_us - arm_us) / 1000);
    lq_sb_addf(&y, " sent %" PRId64 " ms after it", (got_us - arm_us) / 1000);
    snprintf(c->div->a_side, sizeof(c->div->a_side), "%s", lq_sb_str(&x));
    snprintf(c->div->b_side, sizeof(c->div->b_side), "%s", lq_sb_str(&y));
    lq_sb_free(&x);
    lq_sb_free(&y);
    return false;
}

/* Whether packet `at` of trace t carries a flow label new to its connection:
 * the client numbers a connection's labels as they first appear
 * (client.c), so a new one's number is above every earlier one's. */
static bool lq_lbl_fresh(const struct lq_trace *t, size_t at)
{
    const struct lq_obs_pkt *p = &t->pkts[at];
    if (p->lbl < 0 || p->lbl >= LQ_LBL_HISTORY)
        return false; /* IPv4, unknown, or past the history kept */
    for (size_t k = 0; k < at; k++)
        if (t->pkts[k].conn == p->conn && t->pkts[k].lbl >= p->lbl)
            return false;
    return true;
}

/* The reference's packet ai had no match in the subject's event ob: notes
 * a label collision (compare.h) when a subject packet not matched yet is
 * the same but for an earlier label where ai's is fresh. */
static void lq_note_label_collision(struct lq_cmp *c, size_t ai, const struct lq_obs *ob,
                                    const bool *used)
{
    const struct lq_obs_pkt *p = &c->a->pkts[ai];
    if (!lq_lbl_fresh(c->a, ai))
        return;
    for (uint32_t j = 0; j < ob->npkts; j++) {
        size_t bi = ob->first_pkt + j;
        struct lq_obs_pkt q = c->b->pkts[bi];
        if (used[j] || q.lbl < 0 || q.lbl >= LQ_LBL_HISTORY || lq_lbl_fresh(c->b, bi))
            continue;
        q.lbl = p->lbl;
        if (lq_obs_pkt_same(p, &q)) {
            c->div->label_collision = true;
            c->div->label_earlier = (uint8_t)p->lbl;
            return;
        }
    }
}

/* Packets of one event. */
static bool lq_cmp_pkts(struct lq_cmp *c, const struct lq_obs *oa, const struct lq_obs *ob,
                        int64_t drift_us)
{
    /* timing of delayed ACKs only against a reference that predicts them */
    bool timed = c->a->predicts;
    uint32_t nb = ob->npkts;
    /* no arithmetic on a trace without packets (its array may be NULL) */
    const struct lq_obs_pkt *B = nb ? &c->b->pkts[ob->first_pkt] : NULL;
    const struct lq_obs_pkt *A = oa->npkts ? &c->a->pkts[oa->first_pkt] : NULL;
    c->used = lq_grow(c->used, &c->used_cap, nb ? nb : 1, sizeof(*c->used));
    bool *used = c->used;
    memset(used, 0, (nb ? nb : 1) * sizeof(*used));

    for (uint32_t i = 0; i < oa->npkts; i++) {
        const struct lq_obs_pkt *p = &A[i];
        if (p->timing == LQ_PKT_DEFERRED) {
            c->pool = lq_grow(c->pool, &c->pool_cap, c->npool + 1, sizeof(*c->pool));
            c->pool[c->npool].p = p;
            c->pool[c->npool].matched = false;
            c->pool[c->npool].consumed = false;
            c->pool[c->npool].arm_us = ob->t_us;
            c->pool[c->npool].due_us = ob->t_us + (p->t_us > 0 ? p->t_us : 0);
            c->pool[c->npool].got_us = 0;
            c->npool++;
            continue;
        }
        if (lq_pkt_timer_fired(p->timing))
            continue;
        bool found = false;
        for (uint32_t j = 0; j < nb && !found; j++) {
            if (used[j] || !lq_obs_pkt_same(p, &B[j]))
                continue;
            /* a packet sent while the kernel handled the event came before
             * the barrier; one that came only while the runner waited for
             * it after the barrier (an `expect ack`) was sent later, from a
             * timer */
            if (timed && p->timing == LQ_PKT_NOW && B[j].timing == LQ_PKT_DEFERRED)
                continue;
            if (p->timing == LQ_PKT_TIMER) {
                /* since the start of the event (the wait) */
                int64_t due = p->t_us, got = B[j].t_us;
                int64_t late =
                    ((oa->t_us + due) * LQ_TIMER_SLACK_PCT / 100 + LQ_TIMER_SLACK_MS * 1000) *
                        lq_slow_factor +
                    (drift_us > 0 ? drift_us : 0);
                if (got < due - LQ_TIMER_EARLY_MS * 1000 * lq_slow_factor -
                              (drift_us > 0 ? drift_us : 0) ||
                    got > due + late)
                    continue;
            }
            used[j] = found = true;
        }
        if (!found) {
            lq_diverge_pkts(c, oa, ob, LQ_MISSING);
            lq_note_label_collision(c, oa->first_pkt + i, ob, used);
            return false;
        }
    }
    /* The subject's packets left: delayed ACKs the reference scheduled at
     * this or an earlier event (a kernel's timer runs in real time, so one
     * may show up in any later event's window, or never when a later ACK
     * supersedes it). */
    int64_t early = LQ_DELACK_EARLY_US(lq_slow_factor);
    for (uint32_t j = 0; j < nb; j++) {
        if (used[j])
            continue;
        int64_t got = ob->t_us + B[j].t_us;
        size_t too_early = c->npool;
        for (size_t k = 0; k < c->npool; k++) {
            if (c->pool[k].matched || c->pool[k].consumed || !lq_obs_pkt_same(c->pool[k].p, &B[j]))
                continue;
            if (timed && got < c->pool[k].due_us - early) {
                too_early = k;
                continue;
            }
            c->pool[k].matched = used[j] = true;
            c->pool[k].got_us = got;
            break;
        }
        if (!used[j] && too_early < c->npool)
            return lq_diverge_delack(c, oa, ob, LQ_EARLY_DELACK, &B[j], c->pool[too_early].due_us,
                                     got, c->pool[too_early].arm_us);
    }
    /* A delayed ACK whose timer fired in the reference (in a wait, or at the
     * next jiffy) must have been sent by now; one fired in a wait no later
     * than a timer may come (LQ_TIMER_SLACK_PCT of its delay plus
     * LQ_TIMER_SLACK_MS). A next-jiffy one is paced (docs/harness.md). */
    for (uint32_t i = 0; i < oa->npkts; i++) {
        if (!lq_pkt_timer_fired(A[i].timing))
            continue;
        size_t at = c->npool;
        for (size_t k = 0; k < c->npool; k++) {
            if (c->pool[k].consumed || !lq_obs_pkt_same(c->pool[k].p, &A[i]))
                continue;
            if (at == c->npool || (c->pool[k].matched && !c->pool[at].matched))
                at = k; /* the first one the subject sent, else the first */
        }
        if (at == c->npool || !c->pool[at].matched)
            return lq_diverge_pkts(c, oa, ob, LQ_MISSING_DELACK);
        c->pool[at].consumed = true;
        if (timed && A[i].timing == LQ_PKT_DEFERRED_FIRED) {
            int64_t fired = ob->t_us + A[i].t_us, arm = c->pool[at].arm_us;
            int64_t late = ((fired - arm) * LQ_TIMER_SLACK_PCT / 100 + LQ_TIMER_SLACK_MS * 1000) *
                               lq_slow_factor +
                           (drift_us > 0 ? drift_us : 0);
            if (c->pool[at].got_us > fired + late)
                return lq_diverge_delack(c, oa, ob, LQ_LATE_DELACK, &A[i], fired,
                                         c->pool[at].got_us, arm);
        }
    }
    for (uint32_t j = 0; j < nb; j++)
        if (!used[j])
            return lq_diverge_pkts(c, oa, ob, LQ_EXTRA);
    return true;
}

static void lq_fmt_accept(const struct lq_scenario *sc, const struct lq_obs *o, char *buf, size_t n)
{
    if (o->accept >= 0)
        snprintf(buf, n, "accept() = %s, TCP_MAXSEG %d", lq_conn_name(sc, (uint16_t)o->accept),
                 o->accept_mss);
    else if (o->accept == -EAGAIN)
        snprintf(buf, n, "accept() = EAGAIN");
    else if (o->accept == LQ_ACCEPT_NONE)
        snprintf(buf, n, "no accept()");
    else
        snprintf(buf, n, "accept() = %s", strerror(-o->accept));
}

static bool lq_cmp_obs(struct lq_cmp *c, const struct lq_obs *oa, const struct lq_obs *ob)
{
    char x[256], y[256];
    int64_t drift = (ob->t_us - oa->t_us);
    if (!lq_cmp_pkts(c, oa, ob, drift))
        return false;
    if (oa->accept != ob->accept || (oa->accept >= 0 && oa->accept_mss != ob->accept_mss)) {
        lq_fmt_accept(c->sc, oa, x, sizeof(x));
        lq_fmt_accept(c->sc, ob, y, sizeof(y));
        return lq_diverge(c, oa, ob, "accept() differs", x, y);
    }
    if (oa->rc != ob->rc) {
        snprintf(x, sizeof(x), "returns %s", oa->rc ? strerror(-oa->rc) : "0");
        snprintf(y, sizeof(y), "returns %s", ob->rc ? strerror(-ob->rc) : "0");
        return lq_diverge(c, oa, ob, "the call's result differs", x, y);
    }
    if (oa->acceptq != ob->acceptq || oa->backlog != ob->backlog || oa->synq != ob->synq) {
        snprintf(x, sizeof(x), "accept queue %d/%d, SYN queue %d", oa->acceptq, oa->backlog,
                 oa->synq);
        snprintf(y, sizeof(y), "accept queue %d/%d, SYN queue %d", ob->acceptq, ob->backlog,
                 ob->synq);
        return lq_diverge(c, oa, ob, "queue lengths differ", x, y);
    }
    for (int l = 1; l < lq_scenario_nlisteners(c->sc) && l < LQ_MAX_LISTENERS; l++) {
        if (oa->lacceptq[l] == ob->lacceptq[l] && oa->lbacklog[l] == ob->lbacklog[l] &&
            oa->lsynq[l] == ob->lsynq[l])
            continue;
        snprintf(x, sizeof(x), "listener %s: accept queue %d/%d, SYN queue %d", c->sc->lsn_names[l],
                 oa->lacceptq[l], oa->lbacklog[l], oa->lsynq[l]);
        snprintf(y, sizeof(y), "listener %s: accept queue %d/%d, SYN queue %d", c->sc->lsn_names[l],
                 ob->lacceptq[l], ob->lbacklog[l], ob->lsynq[l]);
        return lq_diverge(c, oa, ob, "queue lengths differ", x, y);
    }
    if (oa->ctr_valid && ob->ctr_valid) {
        struct lq_strbuf sa, sb;
        lq_sb_init(&sa);
        lq_sb_init(&sb);
        for (int k = 0; k < LQ_CTR_COUNT; k++) {
            if (!c->a->ctr_present[k] || !c->b->ctr_present[k] || oa->ctr[k] == ob->ctr[k])
                continue;
            lq_sb_addf(&sa, "%s%s %+" PRId64, sa.len ? ", " : "", lq_counter_name(k), oa->ctr[k]);
            lq_sb_addf(&sb, "%s%s %+" PRId64, sb.len ? ", " : "", lq_counter_name(k), ob->ctr[k]);
        }
        if (sa.len) {
            lq_diverge(c, oa, ob, "counters differ (change since the scenario started)",
                       lq_sb_str(&sa), lq_sb_str(&sb));
            c->div->counters = true;
            lq_sb_free(&sa);
            lq_sb_free(&sb);
            return false;
        }
        lq_sb_free(&sa);
        lq_sb_free(&sb);
    }
    return true;
}

bool lq_compare_traces(const struct lq_scenario *sc, const struct lq_trace *a,
                       const struct lq_trace *b, struct lq_divergence *div)
{
    struct lq_cmp c = {.sc = sc, .a = a, .b = b, .div = div};
    memset(div, 0, sizeof(*div));
    div->frame = -1;
    bool ok = true;
    size_t n = a->nobs < b->nobs ? a->nobs : b->nobs;
    /* A reference that stops predicting (the model past its scope) is
     * compared up to that event. */
    const struct lq_trace *stops = a->beyond ? a : b->beyond ? b : NULL;
    if (stops) {
        size_t k = 0;
        while (k < n && a->obs[k].dir < stops->beyond_dir)
            k++;
        n = k;
    }
    for (size_t i = 0; i < n && ok; i++) {
        if (a->obs[i].dir != b->obs[i].dir) {
            ok =
                lq_diverge(&c, &a->obs[i], &b->obs[i], "the traces cover different events", "", "");
            break;
        }
        ok = lq_cmp_obs(&c, &a->obs[i], &b->obs[i]);
    }
    if (ok && stops) {
        div->beyond = true;
        div->beyond_dir = stops->beyond_dir;
        snprintf(div->beyond_why, sizeof(div->beyond_why), "%s", stops->beyond_why);
    } else if (ok && a->nobs != b->nobs) {
        const struct lq_obs *o = a->nobs > b->nobs ? &a->obs[n] : &b->obs[n];
        ok = lq_diverge(&c, o, NULL, "one trace stops early",
                        a->nobs > n ? "continues" : "stops here",
                        b->nobs > n ? "continues" : "stops here");
    }
    free(c.pool);
    free(c.used);
    return ok;
}
