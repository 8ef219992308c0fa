/* harness/findings/pd_timing.c: the real time a script's checks take, held
 * against the kernel's delayed-ACK timers (pd_script.h, docs/packetdrill.md
 * "Checks and real time").
 *
 * A listenq run's events are microseconds apart; a backtick check takes
 * milliseconds (10-30, more under load). Where the model has a delayed ACK
 * pending (40 ms and up), that time can let the kernel's timer fire before
 * the event the model answers it at. Two consequences are written here: the
 * flow's checks are held back while its own delayed ACK is pending and a
 * later segment of the flow will find it so (the stretch), and an
 * `expect none` count allows the other connections' pending delayed ACKs
 * (each can fire once while checks run). */
#include "pd_script.h"

#include <stdio.h>
#include <string.h>

static const struct lq_obs_pkt *lq_pdt_pkts(const struct lq_trace *t, const struct lq_obs *o)
{
    return o->npkts ? &t->pkts[o->first_pkt] : NULL;
}

/* The first observation after oi with a packet to conn (t->nobs: none), and
 * that packet into *pk. */
static size_t lq_pdt_next_to(const struct lq_trace *t, size_t oi, uint16_t conn,
                             const struct lq_obs_pkt **pk)
{
    for (size_t k = oi + 1; k < t->nobs; k++) {
        const struct lq_obs_pkt *q = lq_pdt_pkts(t, &t->obs[k]);
        for (uint32_t j = 0; j < t->obs[k].npkts; j++)
            if (q[j].conn == conn) {
                *pk = &q[j];
                return k;
            }
    }
    *pk = NULL;
    return t->nobs;
}

bool lq_pd_superseder_later(const struct lq_pd *p, size_t oi)
{
    const struct lq_obs_pkt *pk;
    size_t k = lq_pdt_next_to(p->t, oi, p->conn, &pk);
    return k < p->t->nobs && !lq_pkt_timer_fired(pk->timing);
}

int lq_pd_pending_acks(const struct lq_pd *p, size_t oi)
{
    int n = 0;
    for (size_t j = 0; j < oi && j < p->t->nobs; j++) {
        const struct lq_obs *o = &p->t->obs[j];
        const struct lq_obs_pkt *pk = lq_pdt_pkts(p->t, o);
        for (uint32_t i = 0; i < o->npkts; i++) {
            if (pk[i].timing != LQ_PKT_DEFERRED)
                continue;
            const struct lq_obs_pkt *q;
            size_t k = lq_pdt_next_to(p->t, j, pk[i].conn, &q);
            /* the flow's own: a > line packetdrill waited for, or held
             * back checks until the segment that supersedes it (the
             * stretch); one never superseded is pending like another's */
            if (p->flow && pk[i].conn == p->conn && k < p->t->nobs)
                continue;
            if (k > oi || (k == oi && lq_pkt_timer_fired(q->timing)))
                n++;
        }
    }
    return n;
}

/* Whether the model's state after a and after b is the same: queue lengths
 * and every counter. */
static bool lq_pdt_same_state(const struct lq_obs *a, const struct lq_obs *b)
{
    if (a->synq != b->synq || a->acceptq != b->acceptq || a->backlog != b->backlog)
        return false;
    for (int k = 0; k < LQ_CTR_COUNT; k++)
        if (a->ctr[k] != b->ctr[k])
            return false;
    return true;
}

void lq_pd_quiet_begin(struct lq_pd *p, uint32_t line)
{
    if (!p->quiet) {
        p->quiet = true;
        p->quiet_line = line;
    }
}

void lq_pd_quiet_hold(struct lq_pd *p, size_t dir, uint32_t line)
{
    if (p->nheld < LQ_PD_HELD_MAX) {
        p->held_dir[p->nheld] = dir;
        p->held_line[p->nheld] = line;
        p->held_obs[p->nheld] = p->last_i;
        p->nheld++;
    } else {
        p->held_lost = true;
    }
}

void lq_pd_quiet_end(struct lq_pd *p, void (*emit)(struct lq_pd *, size_t dir, uint32_t line))
{
    if (!p->quiet_over)
        return;
    p->quiet_over = false;
    const struct lq_obs *now = &p->t->obs[p->last_i];
    for (unsigned i = 0; i < p->nheld; i++) {
        const struct lq_obs *then = &p->t->obs[p->held_obs[i]];
        if (lq_pdt_same_state(then, now)) {
            emit(p, p->held_dir[i], p->held_line[i]);
        } else {
            char l[300];
            snprintf(l, sizeof(l),
                     "//   - line %u's check, inside the delayed-ACK stretch from line %u:\n"
                     "//     the model's state changed before it could be held back to\n",
                     p->held_line[i], p->quiet_line);
            if (!strstr(lq_sb_str(&p->left), l))
                lq_sb_add(&p->left, l);
        }
    }
    if (p->held_lost)
        lq_sb_add(&p->left, "//   - more checks inside a delayed-ACK stretch than are held back\n");
    p->nheld = 0;
    p->held_lost = false;
}
