/* harness/replay/backend_replay.c: see backend_replay.h. */
#include "backend_replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/client.h"
#include "run/runner.h"
#include "util/grow.h"
#include "wire/frame.h"

struct lq_replay {
    struct lq_recording *recs;
    size_t nrecs;
    struct lq_recording *cur;  /* the recording of the scenario being run */
    size_t next_obs;           /* the observation the next event answers */
    size_t next_frame;         /* where to look for the next client segment in the pcap */
    const struct lq_obs *last; /* the last answered, for state() */
    struct lq_pcap_rec *view;  /* the pcap as lq_pcap_rec, for frames() */
    size_t view_cap;
};

static struct lq_replay *lq_rp(struct lq_backend *b)
{
    return b->priv;
}

static int lq_rp_begin(struct lq_backend *b, const struct lq_begin *bg, struct lq_err *err)
{
    struct lq_replay *rp = lq_rp(b);
    rp->cur = NULL;
    for (size_t i = 0; i < rp->nrecs && !rp->cur; i++)
        if (&rp->recs[i].sc == bg->sc)
            rp->cur = &rp->recs[i];
    if (!rp->cur)
        return lq_errf(err, LQ_EXIT_ERROR, "no recording of scenario %s",
                       bg->sc->path ? bg->sc->path : "(unnamed)");
    rp->next_obs = 0;
    rp->next_frame = 0;
    rp->last = NULL;
    snprintf(b->release, sizeof(b->release), "%s", rp->cur->release);
    return 0;
}

/* The recorded observation of the next event, which must be of kind `kind`. */
static const struct lq_obs *lq_rp_next(struct lq_replay *rp, uint8_t kind, struct lq_err *err)
{
    const struct lq_recording *rec = rp->cur;
    if (rp->next_obs >= rec->trace.nobs) {
        lq_errf(err, LQ_EXIT_BADINPUT, "%s: the recording has no observation for event %zu",
                rec->json_path, rp->next_obs + 1);
        return NULL;
    }
    const struct lq_obs *o = &rec->trace.obs[rp->next_obs];
    uint8_t have = rec->sc.d[o->dir].kind;
    bool seg = lq_dir_is_segment(kind) && lq_dir_is_segment(have);
    if (have != kind && !seg) {
        lq_errf(err, LQ_EXIT_BADINPUT,
                "%s: trace.observations[%zu] is of line %u, not of the event being run",
                rec->json_path, rp->next_obs, rec->sc.d[o->dir].line);
        return NULL;
    }
    rp->next_obs++;
    rp->last = o;
    return o;
}

/* What the recorded kernel sent at o: each packet's frame, as parsed. */
static int lq_rp_answer(struct lq_replay *rp, const struct lq_obs *o, struct lq_replies *out,
                        struct lq_err *err)
{
    const struct lq_recording *rec = rp->cur;
    out->at_us = o->t_us;
    for (uint32_t k = 0; k < o->npkts; k++) {
        const struct lq_obs_pkt *p = &rec->trace.pkts[o->first_pkt + k];
        const struct lq_pcap_frame *f = &rec->pcap.f[p->frame]; /* checked at load */
        struct lq_frame_info fi;
        if (lq_frame_parse(f->data, f->caplen, &fi) || !fi.is_tcp)
            return lq_errf(err, LQ_EXIT_BADINPUT, "%s: frame %d is no TCP segment", rec->pcap_file,
                           p->frame);
        struct lq_reply *r = lq_replies_add(out);
        r->seg = fi.seg;
        r->seg.conn = p->conn;
        r->cookie = p->cookie;
        r->timing = p->timing;
        r->t_us = p->t_us;
        r->frame = p->frame;
    }
    return 0;
}

/* The next client segment in the pcap (a TCP frame from a client port to
 * the listener) must be seg: the recording is of this scenario. */
static int lq_rp_check_sent(struct lq_replay *rp, const struct lq_seg *seg, struct lq_err *err)
{
    const struct lq_recording *rec = rp->cur;
    const struct lq_pcap_file *pf = &rec->pcap;
    for (; rp->next_frame < pf->n; rp->next_frame++) {
        const struct lq_pcap_frame *f = &pf->f[rp->next_frame];
        struct lq_frame_info fi;
        if (lq_frame_parse(f->data, f->caplen, &fi) || !fi.is_tcp ||
            fi.seg.sport < LQ_CLIENT_PORT_BASE ||
            fi.seg.sport >= LQ_CLIENT_PORT_BASE + rec->sc.nconns || fi.seg.dport != rec->lport)
            continue;
        const struct lq_seg *s = &fi.seg;
        const char *why =
            s->sport != seg->sport                         ? "source port"
            : s->ipv6 != seg->ipv6                         ? "address family"
            : s->flags != seg->flags                       ? "flags"
            : s->seq != seg->seq                           ? "sequence number"
            : (s->flags & LQ_TH_ACK) && s->ack != seg->ack ? "acknowledgement number"
            : s->len != seg->len                           ? "length"
            : s->opt.has_mss != seg->opt.has_mss || (s->opt.has_mss && s->opt.mss != seg->opt.mss)
                ? "MSS option"
            : s->opt.has_ts != seg->opt.has_ts ||
                    (s->opt.has_ts &&
                     (s->opt.tsval != seg->opt.tsval || s->opt.tsecr != seg->opt.tsecr))
                ? "timestamp option"
            : s->opt.has_wscale != seg->opt.has_wscale || s->opt.sack_perm != seg->opt.sack_perm
                ? "window scale or SACK option"
                : NULL;
        if (why)
            return lq_errf(err, LQ_EXIT_BADINPUT,
                           "%s: frame %zu: the client's segment differs from the scenario's "
                           "(%s): the pcap does not match the recording",
                           rec->pcap_file, rp->next_frame, why);
        rp->next_frame++;
        return 0;
    }
    return lq_errf(err, LQ_EXIT_BADINPUT,
                   "%s: no frame of the client's segment %zu: the pcap does not match the "
                   "recording",
                   rec->pcap_file, rp->next_obs);
}

static int lq_rp_sysctl(struct lq_backend *b, enum lq_sysctl s, int64_t value, struct lq_err *err)
{
    (void)s;
    (void)value;
    return lq_rp_next(lq_rp(b), LQ_D_SYSCTL, err) ? 0 : -1;
}

static int lq_rp_listen(struct lq_backend *b, int lsn, int backlog, int *rc, struct lq_replies *out,
                        struct lq_err *err)
{
    (void)lsn; /* the recording is checked against the scenario as a whole */
    (void)backlog;
    const struct lq_obs *o = lq_rp_next(lq_rp(b), LQ_D_LISTEN, err);
    if (!o)
        return -1;
    *rc = o->rc;
    return lq_rp_answer(lq_rp(b), o, out, err);
}

static int lq_rp_sockopt(struct lq_backend *b, int lsn, enum lq_sockopt opt, int value, int *rc,
                         struct lq_replies *out, struct lq_err *err)
{
    (void)lsn;
    (void)opt;
    (void)value;
    const struct lq_obs *o = lq_rp_next(lq_rp(b), LQ_D_SOCKOPT, err);
    if (!o)
        return -1;
    *rc = o->rc;
    return lq_rp_answer(lq_rp(b), o, out, err);
}

static int lq_rp_segment(struct lq_backend *b, const struct lq_seg *seg, struct lq_replies *out,
                         struct lq_err *err)
{
    struct lq_replay *rp = lq_rp(b);
    const struct lq_obs *o = lq_rp_next(rp, LQ_D_SYN, err);
    /* an ICMP error is not a TCP frame: the check looks at the TCP ones */
    if (!o || (!seg->icmp && lq_rp_check_sent(rp, seg, err)))
        return -1;
    return lq_rp_answer(rp, o, out, err);
}

static int lq_rp_sockcall(struct lq_backend *b, const struct lq_sockcall *c, int *rc,
                          struct lq_replies *out, struct lq_err *err)
{
    const struct lq_obs *o =
        lq_rp_next(lq_rp(b), c->kind == LQ_CALL_SHUTDOWN ? LQ_D_SHUTDOWN : LQ_D_CLOSE, err);
    if (!o)
        return -1;
    *rc = o->rc;
    return lq_rp_answer(lq_rp(b), o, out, err);
}

static int lq_rp_accept(struct lq_backend *b, int lsn, int *result, uint16_t *mss,
                        struct lq_replies *out, struct lq_err *err)
{
    (void)lsn;
    const struct lq_obs *o = lq_rp_next(lq_rp(b), LQ_D_ACCEPT, err);
    if (!o)
        return -1;
    *result = o->accept;
    *mss = o->accept >= 0 ? (uint16_t)o->accept_mss : 0;
    return lq_rp_answer(lq_rp(b), o, out, err);
}

static int lq_rp_wait(struct lq_backend *b, uint64_t ms, struct lq_replies *out, int64_t *waited_us,
                      struct lq_err *err)
{
    (void)ms;
    const struct lq_obs *o = lq_rp_next(lq_rp(b), LQ_D_WAIT, err);
    if (!o)
        return -1;
    *waited_us = o->wait_us;
    return lq_rp_answer(lq_rp(b), o, out, err);
}

/* The recorded state after the last answered event; before any, a fresh
 * listener, counters at 0 (the recording holds changes since the start). */
static int lq_rp_state(struct lq_backend *b, struct lq_state *st, bool with_counters,
                       struct lq_err *err)
{
    (void)with_counters;
    (void)err;
    struct lq_replay *rp = lq_rp(b);
    const struct lq_obs *o = rp->last;
    memset(st, 0, sizeof(*st));
    memcpy(st->ctr_present, rp->cur->trace.ctr_present, sizeof(st->ctr_present));
    st->ctr_valid = !o || o->ctr_valid;
    if (!o)
        return 0;
    st->acceptq = o->acceptq;
    st->backlog = o->backlog;
    st->synq = o->synq;
    memcpy(st->lacceptq, o->lacceptq, sizeof(st->lacceptq));
    memcpy(st->lbacklog, o->lbacklog, sizeof(st->lbacklog));
    memcpy(st->lsynq, o->lsynq, sizeof(st->lsynq));
    for (int k = 0; k < LQ_CTR_COUNT && o->ctr_valid; k++)
        st->ctr[k] = (uint64_t)o->ctr[k];
    return 0;
}

static int lq_rp_end(struct lq_backend *b, struct lq_err *err)
{
    (void)b;
    (void)err;
    return 0;
}

static size_t lq_rp_frames(struct lq_backend *b, const struct lq_pcap_rec **recs)
{
    struct lq_replay *rp = lq_rp(b);
    if (!rp->cur)
        return 0;
    const struct lq_pcap_file *pf = &rp->cur->pcap;
    rp->view = lq_grow(rp->view, &rp->view_cap, pf->n, sizeof(*rp->view));
    for (size_t i = 0; i < pf->n; i++)
        rp->view[i] = (struct lq_pcap_rec){.ts_ns = pf->f[i].ts_ns,
                                           .len = pf->f[i].caplen,
                                           .data = pf->f[i].data,
                                           .orig_len = pf->f[i].len};
    *recs = rp->view;
    return pf->n;
}

static void lq_rp_destroy(struct lq_backend *b)
{
    free(lq_rp(b)->view);
    free(b->priv);
    free(b);
}

static const struct lq_backend_ops lq_replay_ops = {
    .name = "recording",
    .caps = 0,
    .begin = lq_rp_begin,
    .sysctl = lq_rp_sysctl,
    .listen = lq_rp_listen,
    .sockopt = lq_rp_sockopt,
    .segment = lq_rp_segment,
    .sockcall = lq_rp_sockcall,
    .accept = lq_rp_accept,
    .wait = lq_rp_wait,
    .state = lq_rp_state,
    .end = lq_rp_end,
    .destroy = lq_rp_destroy,
    .frames = lq_rp_frames,
};

struct lq_backend *lq_backend_replay_new(struct lq_recording *recs, size_t n, struct lq_err *err)
{
    (void)err;
    struct lq_backend *b = lq_xcalloc(1, sizeof(*b));
    struct lq_replay *rp = lq_xcalloc(1, sizeof(*rp));
    rp->recs = recs;
    rp->nrecs = n;
    b->ops = &lq_replay_ops;
    b->priv = rp;
    snprintf(b->release, sizeof(b->release), "%s", n ? recs[0].release : "");
    return b;
}

int lq_backend_replay_verify(struct lq_backend *b, const struct lq_profile *profile,
                             struct lq_err *err)
{
    struct lq_replay *rp = lq_rp(b);
    struct lq_runner r;
    lq_runner_init(&r, profile);
    r.backend[LQ_ROLE_REFERENCE] = b;
    r.expect_off[LQ_ROLE_REFERENCE] = true;
    r.counters_every_event = true;
    int rc = 0;
    for (size_t i = 0; i < rp->nrecs && !rc; i++) {
        struct lq_result res;
        lq_result_init(&res);
        struct lq_err e = {0};
        if (lq_run_scenario(&r, &rp->recs[i].sc, &res, &e) || !res.ran[LQ_ROLE_REFERENCE]) {
            /* the backend's message names the file; the runner's prefix goes */
            *err = e;
            if (!err->msg[0])
                lq_errf(err, LQ_EXIT_BADINPUT, "%s: %s", rp->recs[i].json_path, res.reason);
            if (err->status != LQ_EXIT_ERROR)
                err->status = LQ_EXIT_BADINPUT;
            rc = -1;
        } else {
            rc = lq_recording_check_trace(&rp->recs[i], &res.trace[LQ_ROLE_REFERENCE], err);
        }
        lq_result_free(&res);
    }
    lq_runner_free(&r);
    rp->cur = NULL;
    return rc;
}
