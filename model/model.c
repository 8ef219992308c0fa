/* model/model.c: the model's lifecycle and bookkeeping.
 *
 * The rules live in one file per kernel area (rcv.c, listen.c,
 * conn_request.c, check_req.c, syncookies.c, reqsk_timer.c, accept.c,
 * child.c, child_rcv.c, output.c); this file holds what they share: output
 * buffers, counters, made-up ISNs and timestamps, socket allocation, and
 * time passing (lq_model_advance).
 */
#include "model_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The model's growth helper: no error path for memory, so a fuzzer sees it. */
void *lq_model_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(p, n * elem);
    if (!q)
        abort(); /* the model has no error path for memory: a fuzzer must see it */
    *cap = n;
    return q;
}

int64_t lq_model_sysctl_default(const struct lq_profile *p, enum lq_sysctl s)
{
    switch (s) {
    case LQ_SYSCTL_SOMAXCONN: return p->somaxconn_default;
    case LQ_SYSCTL_MAX_SYN_BACKLOG: return 128; /* max(128, ehash entries / 128) */
    case LQ_SYSCTL_SYNCOOKIES: return 1;
    case LQ_SYSCTL_ABORT_ON_OVERFLOW: return 0;
    case LQ_SYSCTL_SYNACK_RETRIES: return 5; /* TCP_SYNACK_RETRIES */
    case LQ_SYSCTL_TIMESTAMPS: return 1;
    case LQ_SYSCTL_SACK: return 1;
    case LQ_SYSCTL_WINDOW_SCALING: return 1;
    case LQ_SYSCTL_ECN: return 2; /* tcp_sk_init: ECN when the peer asks for it */
    case LQ_SYSCTL_MIGRATE_REQ: return 0;
    case LQ_SYSCTL_FASTOPEN: return 1; /* TFO_CLIENT_ENABLE (tcp_sk_init) */
    case LQ_SYSCTL_COUNT: break;
    }
    return 0;
}

struct lq_model *lq_model_new(const struct lq_profile *profile)
{
    struct lq_model *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->profile = *profile;
    m->jiffies0 = 0x40000000u;
    m->hz = 1000;
    lq_model_reset(m);
    return m;
}

void lq_model_free(struct lq_model *m)
{
    if (!m)
        return;
    for (int i = 0; i < LQ_MAX_LISTENERS; i++) {
        free(m->lsn[i].acceptq);
        free(m->lsn[i].fo_rst);
    }
    free(m->conns);
    free(m->reqs);
    free(m->req_used);
    free(m->req_free);
    free(m->children);
    free(m->out);
    free(m->dps);
    free(m);
}

void lq_model_reset(struct lq_model *m)
{
    for (int s = 0; s < LQ_SYSCTL_COUNT; s++)
        m->sysctl[s] = lq_model_sysctl_default(&m->profile, (enum lq_sysctl)s);
    m->family = LQ_FAMILY_IPV4;
    m->lport = 0;
    for (int i = 0; i < LQ_MAX_LISTENERS; i++) {
        struct lq_listener *l = &m->lsn[i];
        int *q = l->acceptq;
        size_t cap = l->acceptq_cap;
        uint64_t *rst = l->fo_rst;
        size_t rst_cap = l->fo_rst_cap;
        *l = (struct lq_listener){
            .acceptq = q, .acceptq_cap = cap, .fo_rst = rst, .fo_rst_cap = rst_cap};
    }
    m->nlsn = 1;
    m->group = (struct lq_reuseport){.num_socks = 0};
    lq_model_use_listener(m, 0);
    m->txhash_next = 0;
    m->broken = NULL;
    m->beyond = NULL;
    for (size_t i = 0; i < m->nconns_cap; i++)
        m->conns[i] = (struct lq_conn_slot){.req = -1, .child = -1};
    if (m->nreqs_hw)
        memset(m->req_used, 0, m->nreqs_hw * sizeof(*m->req_used));
    m->nreqs_hw = 0;
    m->nreq_free = 0;
    m->nchildren = 0;
    m->next_jiffy_acks = 0;
    memset(m->route_pmtu, 0, sizeof(m->route_pmtu));
    memset(m->route_pmtu_locked, 0, sizeof(m->route_pmtu_locked));
    m->now_ms = 0;
    m->born_seq = 0;
    m->arm_seq = 0;
    m->isn_seq = 0;
    memset(m->counters, 0, sizeof(m->counters));
    m->nout = m->ndps = 0;
}

const struct lq_profile *lq_model_profile(const struct lq_model *m)
{
    return &m->profile;
}

int lq_model_set_listeners(struct lq_model *m, int n, const bool *reuseport)
{
    if (n < 1 || n > LQ_MAX_LISTENERS)
        return -1;
    m->nlsn = n;
    for (int i = 0; i < n; i++)
        m->lsn[i].reuseport = reuseport && reuseport[i];
    return 0;
}

int lq_model_nlisteners(const struct lq_model *m)
{
    return m->nlsn;
}

void lq_model_set_family(struct lq_model *m, enum lq_family f)
{
    if ((unsigned)f < LQ_FAMILY_COUNT)
        m->family = f;
}

const char *lq_family_name(enum lq_family f)
{
    static const char *const names[LQ_FAMILY_COUNT] = {"ipv4", "ipv6", "dual"};
    return (unsigned)f < LQ_FAMILY_COUNT ? names[f] : "?";
}

void lq_model_set_sysctl(struct lq_model *m, enum lq_sysctl s, int64_t value)
{
    if ((unsigned)s < LQ_SYSCTL_COUNT)
        m->sysctl[s] = value;
}

int64_t lq_model_sysctl(const struct lq_model *m, enum lq_sysctl s)
{
    return (unsigned)s < LQ_SYSCTL_COUNT ? m->sysctl[s] : 0;
}

/* ---- output ---- */

/* Every call starts a new output. */
void lq_model_begin(struct lq_model *m)
{
    m->nout = 0;
    m->ndps = 0;
    lq_child_fire_next_jiffy(m);
}

/* A call on listener lsn's descriptor: sockfd_lookup_light() finds no
 * file once it is closed (-EBADF); from here the listener's rules run
 * on it (the kernel's sk). The index comes from a declared listener name
 * (the scenario language, the fuzz decoder): out of range is an API
 * misuse, refused the same way. */
int lq_model_call_on(struct lq_model *m, int lsn)
{
    if (lsn < 0 || lsn >= m->nlsn)
        return -EBADF;
    lq_model_use_listener(m, lsn);
    if (m->lsk->fd_closed) {
        lq_model_dp(m, LQ_DP_CALL_EBADF);
        return -EBADF;
    }
    return 0;
}

void lq_model_dp(struct lq_model *m, enum lq_dp dp)
{
    m->dps = lq_model_grow(m->dps, &m->dps_cap, m->ndps + 1, sizeof(*m->dps));
    m->dps[m->ndps++] = (uint16_t)dp;
}

struct lq_model_pkt *lq_model_emit(struct lq_model *m, enum lq_dp dp)
{
    m->out = lq_model_grow(m->out, &m->out_cap, m->nout + 1, sizeof(*m->out));
    struct lq_model_pkt *p = &m->out[m->nout++];
    memset(p, 0, sizeof(*p));
    p->t_ms = m->now_ms;
    p->dp = (uint16_t)dp;
    return p;
}

const struct lq_model_out *lq_model_output(const struct lq_model *m)
{
    static __thread struct lq_model_out out;
    out.npkts = m->nout;
    out.pkts = m->out;
    out.ndps = m->ndps;
    out.dps = m->dps;
    return &out;
}

void lq_model_count(struct lq_model *m, enum lq_counter c)
{
    m->counters[c]++;
}

const uint64_t *lq_model_counters(const struct lq_model *m)
{
    return m->counters;
}

uint64_t lq_model_now(const struct lq_model *m)
{
    return m->now_ms;
}

void lq_model_set_clock(struct lq_model *m, uint64_t jiffies64, uint32_t hz)
{
    m->jiffies0 = jiffies64;
    m->hz = hz ? hz : 1000;
}

void lq_model_set_wheel(struct lq_model *m, bool on)
{
    m->wheel = on;
}

/* The model time (ms) at which jiffies_64 becomes j. */
static uint64_t lq_model_ms_of_jiffy(const struct lq_model *m, uint64_t j)
{
    return j <= m->jiffies0 ? 0 : ((j - m->jiffies0) * 1000u + m->hz - 1u) / m->hz;
}

/* Timer wheel geometry (kernel/time/timer.c): LVL_CLK_SHIFT 3, LVL_BITS 6,
 * LVL_DEPTH 9 when HZ > 100, else 8. */
#define LQ_LVL_SHIFT(n) ((n)*3u)
#define LQ_LVL_START(n) (63ull << (((n)-1u) * 3u))

/* When a timer armed now to expire at expires_ms runs: mod_timer() ->
 * __mod_timer() -> calc_wheel_index(expires, base->clk) with base->clk the
 * jiffies of now (forward_timer_base), then calc_index() rounds the expiry
 * up to its bucket: ((expires >> LVL_SHIFT(lvl)) + 1) << LVL_SHIFT(lvl).
 * Without the kernel's clock (lq_model_set_wheel) a timer runs at expiry. */
uint64_t lq_model_timer_fire_ms(const struct lq_model *m, uint64_t expires_ms)
{
    if (!m->wheel)
        return expires_ms;
    uint64_t clk = lq_model_jiffies64(m);
    uint64_t expires = m->jiffies0 + expires_ms * m->hz / 1000u;
    unsigned depth = m->hz > 100 ? 9u : 8u;
    uint64_t delta = expires - clk;
    unsigned lvl = 0;
    if (expires < clk) {
        /* "(long) delta < 0": the bucket of now */
        return lq_model_ms_of_jiffy(m, clk);
    }
    while (lvl + 1u < depth && delta >= LQ_LVL_START(lvl + 1u))
        lvl++;
    if (lvl + 1u == depth && delta >= LQ_LVL_START(depth)) /* WHEEL_TIMEOUT_CUTOFF */
        expires = clk + LQ_LVL_START(depth) - (1ull << LQ_LVL_SHIFT(depth - 1u));
    uint64_t bucket = ((expires >> LQ_LVL_SHIFT(lvl)) + 1u) << LQ_LVL_SHIFT(lvl);
    return lq_model_ms_of_jiffy(m, bucket);
}

/* get_jiffies_64() now. */
uint64_t lq_model_jiffies64(const struct lq_model *m)
{
    return m->jiffies0 + m->now_ms * m->hz / 1000u;
}

/* tcp_jiffies32 now. */
uint32_t lq_model_jiffies(const struct lq_model *m)
{
    return (uint32_t)lq_model_jiffies64(m);
}

/* Made-up ISNs: distinct, far apart, deterministic. The kernel's come from
 * secure_tcp_seq(); only their relations are ever compared. */
uint32_t lq_model_new_isn(struct lq_model *m, uint16_t conn)
{
    m->isn_seq++;
    uint32_t x = (uint32_t)conn * 0x9e3779b1u ^ m->isn_seq * 0x85ebca6bu;
    x ^= x >> 15;
    x *= 0x2c1b3c6du;
    x ^= x >> 12;
    return x;
}

uint32_t lq_model_ts_off(const struct lq_model *m, uint16_t conn)
{
    /* tcp_timestamps=2 has no per-connection offset (secure_tcp_ts_off). */
    if (m->sysctl[LQ_SYSCTL_TIMESTAMPS] == 2)
        return 0;
    return 0x10000000u + (uint32_t)conn * 0x01000193u;
}

/* TSval the server puts in a segment: tcp_clock_ms + ts_off. */
uint32_t lq_model_tsval(const struct lq_model *m, uint32_t ts_off)
{
    return (uint32_t)(m->now_ms + 1000000u) + ts_off;
}

/* ---- sockets ---- */

struct lq_conn_slot *lq_model_slot(struct lq_model *m, uint16_t conn)
{
    if (conn >= m->nconns_cap) {
        size_t old = m->nconns_cap;
        m->conns = lq_model_grow(m->conns, &m->nconns_cap, (size_t)conn + 1, sizeof(*m->conns));
        for (size_t i = old; i < m->nconns_cap; i++)
            m->conns[i] = (struct lq_conn_slot){.req = -1, .child = -1};
    }
    return &m->conns[conn];
}

int lq_model_req_alloc(struct lq_model *m)
{
    int r;
    if (m->nreq_free) {
        r = m->req_free[--m->nreq_free];
    } else {
        if (m->nreqs_hw == m->nreqs_cap) {
            size_t cap = m->nreqs_cap, cap2 = m->nreqs_cap;
            m->reqs = lq_model_grow(m->reqs, &cap, m->nreqs_hw + 1, sizeof(*m->reqs));
            m->req_used = lq_model_grow(m->req_used, &cap2, cap, sizeof(*m->req_used));
            m->nreqs_cap = cap;
        }
        r = (int)m->nreqs_hw++;
    }
    m->req_used[r] = true;
    memset(&m->reqs[r], 0, sizeof(m->reqs[r]));
    m->reqs[r].born = m->born_seq++;
    return r;
}

/* mod_timer(&req->rsk_timer, ...): remembers the arming order too. */
void lq_req_arm_timer(struct lq_model *m, struct lq_req *req, uint64_t expires_ms)
{
    req->expires_ms = lq_model_timer_fire_ms(m, expires_ms);
    req->armed = ++m->arm_seq;
}

void lq_model_req_free(struct lq_model *m, int r)
{
    m->req_used[r] = false;
    m->req_free =
        lq_model_grow(m->req_free, &m->req_free_cap, m->nreq_free + 1, sizeof(*m->req_free));
    m->req_free[m->nreq_free++] = r;
}

int lq_model_child_alloc(struct lq_model *m)
{
    m->children =
        lq_model_grow(m->children, &m->nchildren_cap, m->nchildren + 1, sizeof(*m->children));
    struct lq_child *c = &m->children[m->nchildren];
    memset(c, 0, sizeof(*c));
    return (int)m->nchildren++;
}

/* The model cannot say what happens next (docs/model.md, Scope): the first
 * reason stands; the comparison stops at this call. */
void lq_model_beyond(struct lq_model *m, const char *why)
{
    if (!m->beyond)
        m->beyond = why;
}

const char *lq_model_beyond_scope(const struct lq_model *m)
{
    return m->beyond;
}

/* tcp_listendrop() */
void lq_tcp_listendrop(struct lq_model *m)
{
    lq_model_count(m, LQ_CTR_LISTEN_DROPS);
}

void lq_model_queues_of(const struct lq_model *m, int lsn, struct lq_model_queues *q)
{
    const struct lq_listener *l = &m->lsn[lsn >= 0 && lsn < m->nlsn ? lsn : 0];
    q->acceptq = (int)l->acceptq_len;
    q->acceptq_max = l->listening ? (int)l->max_ack_backlog : 0; /* tcp_get_info: LISTEN only */
    q->synq = l->qlen;
    q->young = l->young;
}

void lq_model_queues(const struct lq_model *m, struct lq_model_queues *q)
{
    lq_model_queues_of(m, 0, q);
}

/* ---- time ---- */

/* Time passes: timers fire in time order (request timers, then delayed ACKs
 * of children due at the same instant). */
void lq_model_advance(struct lq_model *m, uint64_t ms)
{
    lq_model_begin(m);
    uint64_t until = m->now_ms + ms;
    for (size_t i = 0; i < m->nchildren && ms; i++)
        if (m->children[i].app_closed && m->children[i].state != LQ_CHILD_CLOSED)
            lq_model_beyond(m, "time passes after close() sent a FIN: its retransmission timer "
                               "(tcp_retransmit_timer, TCP_RTO_MIN 200 ms) is not modelled");
    lq_fastopen_timers(m, until); /* and lq_reqsk_timers between them */
    lq_reqsk_timers(m, until);
    lq_child_timers(m, until);
    m->now_ms = until;
}

const char *lq_model_check_invariants(const struct lq_model *m)
{
    int qlen[LQ_MAX_LISTENERS] = {0}, young[LQ_MAX_LISTENERS] = {0};
    for (size_t i = 0; i < m->nreqs_hw; i++) {
        if (!m->req_used[i])
            continue;
        const struct lq_req *r = &m->reqs[i];
        if (r->lsn >= m->nlsn)
            return "a request sock belongs to no listener";
        qlen[r->lsn]++;
        if (r->num_timeout == 0)
            young[r->lsn]++;
        if (r->conn >= m->nconns_cap || m->conns[r->conn].req != (int)i)
            return "a request sock is not hashed under its connection";
    }
    size_t queued[LQ_MAX_LISTENERS] = {0};
    int fo_qlen[LQ_MAX_LISTENERS] = {0};
    for (size_t i = 0; i < m->nchildren; i++) {
        if (m->children[i].lsn >= m->nlsn)
            return "a child belongs to no listener";
        if (m->children[i].queued)
            queued[m->children[i].lsn]++;
        if (m->children[i].fastopen) {
            if (m->children[i].state != LQ_CHILD_SYN_RECV)
                return "a Fast Open child with its request left SYN_RECV";
            fo_qlen[m->children[i].fo_rsk.lsn]++;
        }
    }
    for (int l = 0; l < m->nlsn; l++) {
        const struct lq_listener *L = &m->lsn[l];
        if (qlen[l] != L->qlen)
            return "qlen differs from the number of request socks";
        if (young[l] != L->young)
            return "young differs from the requests that never timed out";
        if (queued[l] != L->acceptq_len)
            return "accept queue length differs from the queued children";
        if (fo_qlen[l] + (int)L->fo_rst_len + L->fo_qlen_offset != L->fo_qlen)
            return "the Fast Open queue length differs from its children in SYN_RECV";
        for (size_t k = 0; k < L->acceptq_len; k++) {
            int c = L->acceptq[L->acceptq_head + k];
            if (c < 0 || (size_t)c >= m->nchildren || !m->children[c].queued ||
                m->children[c].lsn != l)
                return "accept queue holds a child that is not queued";
            for (size_t j = k + 1; j < L->acceptq_len; j++)
                if (L->acceptq[L->acceptq_head + j] == c)
                    return "a child is queued twice";
        }
    }
    for (int g = 0; g < m->group.num_socks; g++) {
        int l = m->group.socks[g];
        if (l >= m->nlsn || !m->lsn[l].listening || !m->lsn[l].reuseport)
            return "the reuseport group holds a socket that is not a listening SO_REUSEPORT one";
        for (int h = g + 1; h < m->group.num_socks; h++)
            if (m->group.socks[h] == l)
                return "a listener is twice in the reuseport group";
    }
    for (size_t i = 0; i < m->nconns_cap; i++) {
        const struct lq_conn_slot *s = &m->conns[i];
        if (s->req >= 0 && s->child >= 0)
            return "a 4-tuple has both a request sock and a child";
        if (s->req >= 0 && ((size_t)s->req >= m->nreqs_hw || !m->req_used[s->req]))
            return "a connection points at a freed request sock";
        if (s->child >= 0 && ((size_t)s->child >= m->nchildren || !m->children[s->child].hashed ||
                              m->children[s->child].conn != i))
            return "a connection points at a child that is not hashed for it";
    }
    return m->broken;
}
