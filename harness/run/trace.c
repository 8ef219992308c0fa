/* harness/run/trace.c: see trace.h. */
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/grow.h"
#include "model/model.h"
#include "util/strbuf.h"

const char *lq_role_name(enum lq_role role)
{
    return role == LQ_ROLE_REFERENCE ? "reference" : "subject";
}

void lq_trace_init(struct lq_trace *t, enum lq_role role)
{
    memset(t, 0, sizeof(*t));
    t->role = (uint8_t)role;
}

void lq_trace_reset(struct lq_trace *t, enum lq_role role, const char *backend, bool predicts)
{
    t->role = (uint8_t)role;
    t->nobs = t->npkts = t->ndps = 0;
    t->failed = false;
    t->beyond = false;
    t->beyond_dir = 0;
    t->beyond_why[0] = 0;
    t->ncarry = 0;
    t->predicts = predicts;
    memset(t->ctr_present, 0, sizeof(t->ctr_present));
    snprintf(t->backend, sizeof(t->backend), "%s", backend);
}

void lq_trace_free(struct lq_trace *t)
{
    uint8_t role = t->role;
    free(t->obs);
    free(t->pkts);
    free(t->dps);
    lq_trace_init(t, (enum lq_role)role);
}

void lq_trace_side_name(const struct lq_trace *t, const struct lq_trace *other, char *buf,
                        size_t len)
{
    if (other && strcmp(t->backend, other->backend) == 0)
        snprintf(buf, len, "%s (%s)", t->backend, lq_role_name((enum lq_role)t->role));
    else
        snprintf(buf, len, "%s", t->backend[0] ? t->backend : "?");
}

struct lq_obs *lq_trace_add_obs(struct lq_trace *t)
{
    t->obs = lq_grow(t->obs, &t->obs_cap, t->nobs + 1, sizeof(*t->obs));
    struct lq_obs *o = &t->obs[t->nobs++];
    memset(o, 0, sizeof(*o));
    o->first_pkt = (uint32_t)t->npkts;
    o->first_dp = (uint32_t)t->ndps;
    o->accept = LQ_ACCEPT_NONE;
    o->accept_mss = -1;
    /* what came after the last event and belongs to this one comes first */
    for (size_t k = 0; k < t->ncarry; k++) {
        t->pkts = lq_grow(t->pkts, &t->pkts_cap, t->npkts + 1, sizeof(*t->pkts));
        t->pkts[t->npkts++] = t->carry[k];
        o->npkts++;
    }
    t->ncarry = 0;
    return o;
}

struct lq_obs_pkt *lq_trace_add_pkt(struct lq_trace *t, struct lq_obs *o)
{
    t->pkts = lq_grow(t->pkts, &t->pkts_cap, t->npkts + 1, sizeof(*t->pkts));
    struct lq_obs_pkt *p = &t->pkts[t->npkts++];
    memset(p, 0, sizeof(*p));
    p->mss = -1;
    p->wscale = -1;
    p->win = -1;
    p->tsecr = -1;
    p->lbl = -1;
    p->lbl_prev = LQ_LBL_NO_PRIOR;
    p->frame = -1;
    o->npkts++;
    return p;
}

void lq_trace_add_dp(struct lq_trace *t, struct lq_obs *o, uint16_t dp)
{
    t->dps = lq_grow(t->dps, &t->dps_cap, t->ndps + 1, sizeof(*t->dps));
    t->dps[t->ndps++] = dp;
    o->ndps++;
}

void lq_trace_carry(struct lq_trace *t, struct lq_obs *o, uint32_t k)
{
    if (t->ncarry == LQ_TRACE_CARRY_MAX || k >= o->npkts || o->first_pkt + o->npkts != t->npkts)
        return;
    t->carry[t->ncarry++] = t->pkts[o->first_pkt + k];
    /* the last packet takes its place (the order of the rest is kept but
     * for that one) */
    t->pkts[o->first_pkt + k] = t->pkts[o->first_pkt + o->npkts - 1];
    o->npkts--;
    t->npkts--;
}

const struct lq_obs *lq_trace_find(const struct lq_trace *t, uint32_t dir)
{
    for (size_t i = 0; i < t->nobs; i++)
        if (t->obs[i].dir == dir)
            return &t->obs[i];
    return NULL;
}

static void lq_rel_format(struct lq_strbuf *out, const char *field, uint8_t rel, int32_t off,
                          uint8_t isn)
{
    switch (rel) {
    case LQ_REL_NONE: return;
    case LQ_REL_SRV_NEW: lq_sb_addf(out, " %s=new-isn", field); return;
    case LQ_REL_COOKIE: lq_sb_addf(out, " %s=cookie", field); return;
    case LQ_REL_ZERO: lq_sb_addf(out, " %s=0", field); return;
    case LQ_REL_OTHER: lq_sb_addf(out, " %s=?", field); return;
    case LQ_REL_SRV: lq_sb_addf(out, " %s=srv_isn", field); break;
    case LQ_REL_TRIG_ACK: lq_sb_addf(out, " %s=its_ack", field); break;
    case LQ_REL_CLI:
        if (isn)
            lq_sb_addf(out, " %s=isn#%u", field, isn);
        else
            lq_sb_addf(out, " %s=isn", field);
        break;
    }
    if (off)
        lq_sb_addf(out, "%+d", off);
}

void lq_obs_pkt_format(const struct lq_obs_pkt *p, const char *conn_name, struct lq_strbuf *out)
{
    const char *kind;
    uint8_t f = p->flags;
    if ((f & (LQ_TH_SYN | LQ_TH_ACK)) == (LQ_TH_SYN | LQ_TH_ACK))
        kind = "SYN-ACK";
    else if (f & LQ_TH_RST)
        kind = (f & LQ_TH_ACK) ? "RST|ACK" : "RST";
    else if (f & LQ_TH_FIN)
        kind = "FIN|ACK";
    else if (f & LQ_TH_SYN)
        kind = "SYN";
    else if (f & LQ_TH_ACK)
        kind = "ACK";
    else
        kind = "segment";
    lq_sb_addf(out, "%s %s", kind, conn_name);
    lq_rel_format(out, "seq", p->seq_rel, p->seq_off, 0);
    if (f & LQ_TH_ACK)
        lq_rel_format(out, "ack", p->ack_rel, p->ack_off, p->ack_isn);
    if (p->len)
        lq_sb_addf(out, " len=%u", p->len);
    if ((f & LQ_TH_SYN) && p->win >= 0)
        lq_sb_addf(out, " win=%d", p->win);
    if (f & LQ_TH_SYN) {
        lq_sb_add(out, " <");
        if (p->mss >= 0)
            lq_sb_addf(out, "mss %d", p->mss);
        else
            lq_sb_add(out, "no mss");
        if (p->wscale >= 0)
            lq_sb_addf(out, ",wscale %d", p->wscale);
        if (p->sack)
            lq_sb_add(out, ",sack");
        if (p->ts)
            lq_sb_add(out, ",ts");
        lq_sb_add(out, ">");
    } else if (p->ts) {
        lq_sb_add(out, " <ts>");
    }
    if (p->cookie)
        lq_sb_add(out, " cookie");
    if (p->tfo >= 0)
        lq_sb_addf(out, " tfo-cookie/%d", p->tfo);
    if (p->lbl >= 0)
        lq_sb_addf(out, " label=L%d", p->lbl);
}
