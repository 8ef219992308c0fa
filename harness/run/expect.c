/* harness/run/expect.c: see expect.h. */
#include "expect.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "model/model.h"
#include "util/strbuf.h"

bool lq_expect_is_packet(const struct lq_expect *x)
{
    return x->kind == LQ_X_PKT || x->kind == LQ_X_NONE;
}

static bool lq_pkt_kind_is(const struct lq_obs_pkt *p, uint8_t kind)
{
    switch (kind) {
    case LQ_PK_SYNACK: return (p->flags & (LQ_TH_SYN | LQ_TH_ACK)) == (LQ_TH_SYN | LQ_TH_ACK);
    case LQ_PK_RST: return (p->flags & LQ_TH_RST) != 0;
    case LQ_PK_FIN: return (p->flags & (LQ_TH_FIN | LQ_TH_RST | LQ_TH_SYN)) == LQ_TH_FIN;
    case LQ_PK_ACK:
        return (p->flags & (LQ_TH_SYN | LQ_TH_RST | LQ_TH_FIN)) == 0 && (p->flags & LQ_TH_ACK);
    }
    return false;
}

static bool lq_tri_ok(uint8_t tri, bool v)
{
    return tri == LQ_TRI_ANY || (tri == LQ_TRI_YES) == v;
}

static bool lq_pkt_matches(const struct lq_scenario *sc, const struct lq_expect *x,
                           const struct lq_obs_pkt *p)
{
    if (p->conn != x->conn || !lq_pkt_kind_is(p, x->pkt))
        return false;
    /* an IPv4 packet has no flow label: the check is for IPv6 connections */
    if (x->label_tri != LQ_TRI_ANY && p->lbl >= 0 &&
        (p->lbl_prev == LQ_LBL_NO_PRIOR ||
         (x->label_tri == LQ_TRI_YES) != (p->lbl_prev == LQ_LBL_SAME)))
        return false;
    if (x->pkt != LQ_PK_SYNACK)
        return true;
    int32_t mss = lq_expect_mss_for(sc, x, x->conn);
    if (mss >= 0 && p->mss != mss)
        return false;
    if (x->wscale_tri == LQ_TRI_YES && p->wscale != x->wscale)
        return false;
    if (x->wscale_tri == LQ_TRI_NO && p->wscale >= 0)
        return false;
    return lq_tri_ok(x->sack_tri, p->sack) && lq_tri_ok(x->ts_tri, p->ts) &&
           lq_tri_ok(x->cookie_tri, p->cookie) && lq_tri_ok(x->tfo_tri, p->tfo > 0) &&
           lq_tri_ok(x->ecn_tri, (p->flags & LQ_TH_ECE) != 0);
}

static void lq_describe_pkts(const struct lq_scenario *sc, const struct lq_trace *t,
                             const struct lq_obs *o, char *why, size_t whylen, const char *prefix)
{
    struct lq_strbuf b;
    lq_sb_init(&b);
    lq_sb_add(&b, prefix);
    if (!o || !o->npkts)
        lq_sb_add(&b, "nothing");
    for (uint32_t i = 0; o && i < o->npkts; i++) {
        const struct lq_obs_pkt *p = &t->pkts[o->first_pkt + i];
        if (i)
            lq_sb_add(&b, "; ");
        lq_obs_pkt_format(p, p->conn < sc->nconns ? sc->conns[p->conn] : "?", &b);
    }
    snprintf(why, whylen, "%s", lq_sb_str(&b));
    lq_sb_free(&b);
}

enum lq_expect_outcome lq_expect_check(const struct lq_scenario *sc, uint32_t dir,
                                       const struct lq_trace *t, const struct lq_obs *last,
                                       const struct lq_obs *now, const struct lq_obs *last_accept,
                                       bool named_ok, int64_t named_delta, char *why, size_t whylen)
{
    const struct lq_expect *x = &sc->d[dir].u.expect;
    why[0] = '\0';
    switch (x->kind) {
    case LQ_X_NONE: {
        /* "No packet" is what the ordering barrier proves: a delayed ACK the
         * event scheduled (deferred) comes later and is not counted. */
        uint32_t sent = 0;
        for (uint32_t i = 0; last && i < last->npkts; i++)
            if (t->pkts[last->first_pkt + i].timing != LQ_PKT_DEFERRED)
                sent++;
        if (sent == 0)
            return LQ_EXP_HOLDS;
        lq_describe_pkts(sc, t, last, why, whylen, "the last event drew: ");
        return LQ_EXP_FAILS;
    }
    case LQ_X_PKT:
        for (uint32_t i = 0; last && i < last->npkts; i++)
            if (lq_pkt_matches(sc, x, &t->pkts[last->first_pkt + i]))
                return LQ_EXP_HOLDS;
        /* a delayed ACK the last event drew, filed under the next event
         * (trace.h: carry) */
        for (size_t i = 0; i < t->ncarry; i++)
            if (lq_pkt_matches(sc, x, &t->carry[i]))
                return LQ_EXP_HOLDS;
        lq_describe_pkts(sc, t, last, why, whylen, "the last event drew: ");
        return LQ_EXP_FAILS;
    case LQ_X_ACCEPT: {
        if (!last_accept) {
            snprintf(why, whylen, "no accept before this line");
            return LQ_EXP_FAILS;
        }
        int32_t got = last_accept->accept;
        if (x->accept_errno) {
            if (got == -x->accept_errno)
                return LQ_EXP_HOLDS;
        } else if (got == (int32_t)x->conn &&
                   (lq_expect_mss_for(sc, x, x->conn) < 0 ||
                    last_accept->accept_mss == lq_expect_mss_for(sc, x, x->conn))) {
            return LQ_EXP_HOLDS;
        }
        if (got >= 0)
            snprintf(why, whylen, "accept returned %s (TCP_MAXSEG %d)",
                     (size_t)got < sc->nconns ? sc->conns[got] : "an unknown connection",
                     last_accept->accept_mss);
        else
            snprintf(why, whylen, "accept failed with %s",
                     got == -EAGAIN   ? "EAGAIN"
                     : got == -EINVAL ? "EINVAL"
                                      : strerror(-got));
        return LQ_EXP_FAILS;
    }
    case LQ_X_ACCEPTQ:
    case LQ_X_SYNQ:
    case LQ_X_BACKLOG: {
        /* before any event: a fresh, not yet listening socket */
        int l = x->lsn < LQ_MAX_LISTENERS ? x->lsn : 0;
        int64_t got = !now                      ? 0
                      : x->kind == LQ_X_ACCEPTQ ? now->lacceptq[l]
                      : x->kind == LQ_X_SYNQ    ? now->lsynq[l]
                                                : now->lbacklog[l];
        if (got == x->value)
            return LQ_EXP_HOLDS;
        snprintf(why, whylen, "%s%s%s is %" PRId64,
                 x->kind == LQ_X_ACCEPTQ ? "the accept queue"
                 : x->kind == LQ_X_SYNQ  ? "the SYN queue"
                                         : "the backlog",
                 sc->nlsn ? " of " : "", sc->nlsn ? sc->lsn_names[l] : "", got);
        return LQ_EXP_FAILS;
    }
    case LQ_X_COUNTER: {
        const char *name = sc->counter_names[x->counter];
        int c = lq_counter_by_name(name);
        int64_t got;
        if (c >= 0 && now && now->ctr_valid && t->ctr_present[c]) {
            got = now->ctr[c];
        } else if (named_ok) {
            got = named_delta;
        } else {
            snprintf(why, whylen, "%s cannot observe counter %s", t->backend, name);
            return LQ_EXP_UNCHECKED;
        }
        if (got == x->value)
            return LQ_EXP_HOLDS;
        snprintf(why, whylen, "%s rose by %" PRId64, name, got);
        return LQ_EXP_FAILS;
    }
    }
    return LQ_EXP_UNCHECKED;
}
