/* harness/replay/recording_check.c: a recording's pcap against its JSON.
 *
 * The JSON says which frames the kernel sent at which event and what the
 * client made of them; the pcap is what was captured. A recorded packet
 * whose frame is not in the pcap, is no TCP segment from the listener to
 * its connection's client port, or differs from the JSON in flags, length
 * or options is refused, naming the file, the packet and the frame. (The
 * client's own segments are checked when the recording is replayed: they
 * follow from the scenario, backend_replay.c.)
 */
#include "recording.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/client.h"
#include "run/compare.h"
#include "util/strbuf.h"
#include "util/grow.h"
#include "wire/frame.h"

static int lq_chk_bad(const struct lq_recording *rec, size_t oi, uint32_t k, int32_t frame,
                      const char *what, struct lq_err *err)
{
    return lq_errf(err, LQ_EXIT_BADINPUT,
                   "%s: trace.observations[%zu].packets[%u].frame: %d: %s (%s)", rec->json_path, oi,
                   k, frame, what, rec->pcap_file);
}

/* Which field of the recorded packet the frame disagrees with, or NULL. */
static const char *lq_chk_differs(const struct lq_obs_pkt *p, const struct lq_seg *s)
{
    if (s->flags != p->flags)
        return "its TCP flags differ from the recorded flags";
    if (s->len != p->len)
        return "its payload length differs from the recorded len";
    if ((s->opt.has_mss ? (int32_t)s->opt.mss : -1) != p->mss)
        return "its MSS option differs from the recorded mss";
    if ((s->opt.has_wscale ? (int16_t)s->opt.wscale : -1) != p->wscale)
        return "its window scale option differs from the recorded wscale";
    if (s->opt.sack_perm != p->sack)
        return "its SACK-permitted option differs from the recorded sack";
    if (s->opt.has_ts != p->ts)
        return "its timestamp option differs from the recorded ts";
    return NULL;
}

/* Whether the scenario sends the listener anything. */
static bool lq_trace_segments(const struct lq_recording *rec)
{
    for (size_t i = 0; i < rec->sc.n; i++)
        if (lq_dir_is_segment(rec->sc.d[i].kind))
            return true;
    return false;
}

/* The listener's port: where the client's first segment went. */
static bool lq_chk_lport(const struct lq_recording *rec, uint16_t *lport)
{
    const struct lq_pcap_file *pf = &rec->pcap;
    for (size_t i = 0; i < pf->n; i++) {
        struct lq_frame_info fi;
        if (lq_frame_parse(pf->f[i].data, pf->f[i].caplen, &fi) == 0 && fi.is_tcp &&
            fi.seg.sport >= LQ_CLIENT_PORT_BASE &&
            fi.seg.sport < LQ_CLIENT_PORT_BASE + rec->sc.nconns) {
            *lport = fi.seg.dport;
            return true;
        }
    }
    return false;
}

/* Why frame f cannot be recorded packet p, or NULL when it can be. */
static const char *lq_chk_frame(const struct lq_recording *rec, const struct lq_obs_pkt *p,
                                const struct lq_pcap_frame *f)
{
    struct lq_frame_info fi;
    if (lq_frame_parse(f->data, f->caplen, &fi) || !fi.is_tcp)
        return "it is no TCP segment";
    if (fi.seg.sport != rec->lport)
        return "it comes from another port than the listener's";
    if (fi.seg.dport != LQ_CLIENT_PORT_BASE + p->conn)
        return "it goes to another client port than its connection's";
    return lq_chk_differs(p, &fi.seg);
}

/* Each packet is the frame its index names. */
static int lq_chk_by_index(const struct lq_recording *rec, bool *used, struct lq_err *err)
{
    const struct lq_trace *t = &rec->trace;
    const struct lq_pcap_file *pf = &rec->pcap;
    for (size_t oi = 0; oi < t->nobs; oi++) {
        const struct lq_obs *o = &t->obs[oi];
        for (uint32_t k = 0; k < o->npkts; k++) {
            const struct lq_obs_pkt *p = &t->pkts[o->first_pkt + k];
            if ((size_t)p->frame >= pf->n) {
                char what[96];
                snprintf(what, sizeof(what), "the pcap has %zu frames", pf->n);
                return lq_chk_bad(rec, oi, k, p->frame, what, err);
            }
            if (used[p->frame])
                return lq_chk_bad(rec, oi, k, p->frame, "another packet is recorded as that frame",
                                  err);
            used[p->frame] = true;
            const char *why = lq_chk_frame(rec, p, &pf->f[p->frame]);
            if (why)
                return lq_chk_bad(rec, oi, k, p->frame, why, err);
        }
    }
    return 0;
}

/* Recordings made by listenq 0.2.0 numbered frames in the order the live
 * backend kept them, not in the pcap's (time) order: each packet is then the
 * first frame not yet taken that it can be, looked for from the last one
 * taken on (the pcap and the trace run in the same order). Every packet
 * must find one; its index is set to it. */
static bool lq_chk_by_content(struct lq_recording *rec, bool *used)
{
    struct lq_trace *t = &rec->trace;
    const struct lq_pcap_file *pf = &rec->pcap;
    memset(used, 0, pf->n * sizeof(*used));
    size_t from = 0;
    for (size_t i = 0; i < t->npkts; i++) {
        struct lq_obs_pkt *p = &t->pkts[i];
        size_t found = pf->n;
        for (size_t pass = 0; pass < 2 && found == pf->n; pass++)
            for (size_t j = pass ? 0 : from; j < pf->n && found == pf->n; j++)
                if (!used[j] && !lq_chk_frame(rec, p, &pf->f[j]))
                    found = j;
        if (found == pf->n)
            return false;
        used[found] = true;
        p->frame = (int32_t)found;
        from = found + 1;
    }
    return true;
}

int lq_recording_check_pcap(struct lq_recording *rec, struct lq_err *err)
{
    if (!lq_chk_lport(rec, &rec->lport)) {
        if (rec->trace.npkts || lq_trace_segments(rec))
            return lq_errf(err, LQ_EXIT_BADINPUT,
                           "%s: no segment of the client: the pcap does not match %s",
                           rec->pcap_file, rec->json_path);
        return 0; /* nothing was sent, nothing came */
    }
    bool *used = lq_xcalloc(rec->pcap.n, sizeof(*used));
    int rc = lq_chk_by_index(rec, used, err);
    if (rc && lq_chk_by_content(rec, used))
        rc = 0;
    free(used);
    return rc;
}

int lq_recording_check_trace(const struct lq_recording *rec, const struct lq_trace *t,
                             struct lq_err *err)
{
    const struct lq_trace *want = &rec->trace;
    if (t->nobs != want->nobs)
        return lq_errf(err, LQ_EXIT_BADINPUT,
                       "%s: the replay gave %zu observations where the JSON has %zu",
                       rec->json_path, t->nobs, want->nobs);
    for (size_t oi = 0; oi < t->nobs; oi++) {
        const struct lq_obs *a = &t->obs[oi], *b = &want->obs[oi];
        for (uint32_t k = 0; k < a->npkts && k < b->npkts; k++) {
            const struct lq_obs_pkt *x = &t->pkts[a->first_pkt + k];
            const struct lq_obs_pkt *y = &want->pkts[b->first_pkt + k];
            if (lq_obs_pkt_same(x, y) && x->timing == y->timing)
                continue;
            struct lq_strbuf got, rec_text;
            lq_sb_init(&got);
            lq_sb_init(&rec_text);
            const struct lq_scenario *sc = &rec->sc;
            lq_obs_pkt_format(x, x->conn < sc->nconns ? sc->conns[x->conn] : "?", &got);
            lq_obs_pkt_format(y, y->conn < sc->nconns ? sc->conns[y->conn] : "?", &rec_text);
            lq_errf(err, LQ_EXIT_BADINPUT,
                    "%s: trace.observations[%zu].packets[%u]: the pcap's frame %d reads as %s, "
                    "the JSON says %s (%s)",
                    rec->json_path, oi, k, y->frame, lq_sb_str(&got), lq_sb_str(&rec_text),
                    rec->pcap_file);
            lq_sb_free(&got);
            lq_sb_free(&rec_text);
            return -1;
        }
    }
    return 0;
}
