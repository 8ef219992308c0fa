/* harness/report/explain.c: see explain.h.
 *
 *   line 5  syn c1 mss=1460          ──────────────▶
 *           │ rcv.listener                  tcp_v4_rcv -> tcp_v4_do_rcv: TCP_LISTEN
 *           │ conn_request.request_queued   tcp_conn_request: inet_csk_reqsk_queue_hash_add
 *           ◀────────────── SYN-ACK c1 seq=new-isn ack=isn+1 <mss 1460>
 *           queues: accept 0/1, SYN 1 · counters: (no change)
 */
#include "explain.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lang/print.h"

static void lq_explain_counters(const struct lq_obs *o, const struct lq_obs *prev,
                                struct lq_strbuf *out)
{
    bool any = false;
    for (int k = 0; k < LQ_CTR_COUNT; k++) {
        int64_t before = prev ? prev->ctr[k] : 0;
        if (o->ctr[k] == before)
            continue;
        lq_sb_addf(out, "%s%s %+" PRId64, any ? ", " : "", lq_counter_name(k), o->ctr[k] - before);
        any = true;
    }
    if (!any)
        lq_sb_add(out, "no change");
}

void lq_explain(const struct lq_scenario *sc, const struct lq_result *res,
                const struct lq_profile *profile, bool utf8, struct lq_strbuf *out)
{
    /* box drawing only where the terminal's character set has it */
    const char *arrow = utf8 ? "──▶" : "-->",
               *to_kernel = utf8 ? "──────────────▶" : "-------------->",
               *to_client = utf8 ? "◀──────────────" : "<--------------", *bar = utf8 ? "│" : "|",
               *dot = utf8 ? "·" : ",";
    const struct lq_trace *t = &res->trace[LQ_ROLE_REFERENCE];
    lq_sb_addf(out, "scenario %s, model of Linux %s\n", sc->path ? sc->path : "(text)",
               profile->name);
    lq_sb_addf(out,
               "client %s kernel: what the scenario sends; kernel %s client: what the model "
               "predicts the kernel sends.\n",
               arrow, arrow);
    lq_sb_add(out, "Numbers are relations: isn = the client's ISN, srv_isn = the ISN of the "
                   "SYN-ACK the client last saw.\n\n");
    const struct lq_obs *prev = NULL;
    size_t oi = 0, ei = 0;
    for (uint32_t i = 0; i < sc->n; i++) {
        const struct lq_directive *d = &sc->d[i];
        if (d->kind == LQ_D_BLANK || d->kind == LQ_D_COMMENT || d->kind == LQ_D_SEED)
            continue;
        struct lq_strbuf line;
        lq_sb_init(&line);
        lq_print_directive(sc, d, &line);
        if (d->kind == LQ_D_EXPECT) {
            while (ei < res->nexps &&
                   (res->exps[ei].dir < i || res->exps[ei].role != LQ_ROLE_REFERENCE))
                ei++;
            const char *verdict = "?";
            const char *why = "";
            if (ei < res->nexps && res->exps[ei].dir == i) {
                verdict = res->exps[ei].outcome == LQ_EXP_HOLDS   ? "holds"
                          : res->exps[ei].outcome == LQ_EXP_FAILS ? "FAILS"
                                                                  : "not checked";
                why = res->exps[ei].why;
            }
            lq_sb_addf(out, "line %-4u %s  => %s%s%s\n", d->line, lq_sb_str(&line), verdict,
                       why[0] ? ": " : "", why);
            lq_sb_free(&line);
            continue;
        }
        while (oi < t->nobs && t->obs[oi].dir < i)
            oi++;
        if (oi >= t->nobs || t->obs[oi].dir != i) {
            lq_sb_free(&line);
            continue;
        }
        const struct lq_obs *o = &t->obs[oi];
        if (lq_dir_is_segment(d->kind))
            lq_sb_addf(out, "line %-4u %-34s %s\n", d->line, lq_sb_str(&line), to_kernel);
        else
            lq_sb_addf(out, "line %-4u %s\n", d->line, lq_sb_str(&line));
        for (uint32_t k = 0; k < o->ndps; k++) {
            const struct lq_dp_info *info = lq_dp_info((enum lq_dp)t->dps[o->first_dp + k]);
            if (info)
                lq_sb_addf(out, "          %s %-38s %s\n", bar, info->name, info->kfunc);
        }
        for (uint32_t k = 0; k < o->npkts; k++) {
            const struct lq_obs_pkt *p = &t->pkts[o->first_pkt + k];
            struct lq_strbuf pk;
            lq_sb_init(&pk);
            lq_obs_pkt_format(p, p->conn < sc->nconns ? sc->conns[p->conn] : "?", &pk);
            const char *when = "";
            char buf[64] = "";
            if (p->timing == LQ_PKT_TIMER) {
                snprintf(buf, sizeof(buf), "  (timer, at +%" PRId64 " ms)", p->t_us / 1000);
                when = buf;
            } else if (p->timing == LQ_PKT_DEFERRED) {
                snprintf(buf, sizeof(buf), "  (delayed ACK, due +%" PRId64 " ms)", p->t_us / 1000);
                when = buf;
            } else if (p->timing == LQ_PKT_DEFERRED_FIRED) {
                snprintf(buf, sizeof(buf), "  (delayed ACK timer fires at +%" PRId64 " ms)",
                         p->t_us / 1000);
                when = buf;
            }
            lq_sb_addf(out, "          %s %s%s\n", to_client, lq_sb_str(&pk), when);
            lq_sb_free(&pk);
        }
        if (o->accept != LQ_ACCEPT_NONE) {
            if (o->accept >= 0)
                lq_sb_addf(out, "          accept() = %s (TCP_MAXSEG %d)\n",
                           (size_t)o->accept < sc->nconns ? sc->conns[o->accept] : "?",
                           o->accept_mss);
            else
                lq_sb_addf(out, "          accept() = -1 %s\n",
                           o->accept == -11   ? "EAGAIN"
                           : o->accept == -22 ? "EINVAL"
                                              : "error");
        }
        if (o->rc)
            lq_sb_addf(out, "          returns -1 (errno %d)\n", -o->rc);
        if (!sc->nlsn) {
            lq_sb_addf(out, "          queues: accept %d/%d, SYN %d %s counters: ", o->acceptq,
                       o->backlog, o->synq, dot);
        } else {
            lq_sb_add(out, "          queues:");
            for (size_t l = 0; l < sc->nlsn && l < LQ_MAX_LISTENERS; l++)
                lq_sb_addf(out, "%s %s accept %d/%d, SYN %d", l ? ";" : "", sc->lsn_names[l],
                           o->lacceptq[l], o->lbacklog[l], o->lsynq[l]);
            lq_sb_addf(out, " %s counters: ", dot);
        }
        lq_explain_counters(o, prev, out);
        lq_sb_add(out, "\n");
        prev = o;
        lq_sb_free(&line);
    }
}
