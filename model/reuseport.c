/* model/reuseport.c: SO_REUSEPORT groups of listeners.
 *
 * Mirrors net/core/sock_reuseport.c: reuseport_alloc(), reuseport_add_sock()
 * (through inet_reuseport_add_sock() in net/ipv4/inet_hashtables.c, at
 * listen() time: inet_csk_listen_start -> inet_hash -> __inet_hash),
 * reuseport_attach_prog() (sk_reuseport_attach_filter, SO_ATTACH_REUSEPORT_CBPF)
 * and reuseport_select_sock() with run_bpf_filter() and
 * reuseport_select_sock_by_hash(), as inet_lhash2_lookup() /
 * inet_lookup_reuseport() call it for a segment to the listeners' port.
 *
 * The only program the harness attaches is the classic-BPF "return the TCP
 * source port modulo N" (docs/scenario-format.md): lq_reuseport.prog is N.
 * Every listener of a scenario is bound to the same address and port, so
 * with SO_REUSEPORT they all match one another in inet_reuseport_add_sock.
 */
#include "model_internal.h"

#include <errno.h>

/* __inet_hash() of a listener with sk_reuseport: inet_reuseport_add_sock()
 * finds a listening socket of the bucket that matches (the group's) and
 * calls reuseport_add_sock(), else reuseport_alloc(). */
void lq_reuseport_listen(struct lq_model *m, int lsn)
{
    struct lq_listener *l = &m->lsn[lsn];
    struct lq_reuseport *g = &m->group;
    if (g->num_socks == 0) {
        /* reuseport_alloc(): a group the socket already has (from
         * reuseport_attach_prog while unhashed) is kept, with its program;
         * else a new one, without */
        lq_model_dp(m, LQ_DP_REUSEPORT_ALLOC);
        uint32_t gen = g->gen + 1;
        *g = (struct lq_reuseport){.num_socks = 0, .gen = gen};
        if (l->own_group)
            g->prog = l->own_prog;
    } else {
        /* reuseport_add_sock(): the socket's own group (num_socks 1) is
         * freed after it joins (call_rcu(&old_reuse->rcu, ...)), and with it
         * a program attached there */
        lq_model_dp(m, LQ_DP_REUSEPORT_ADD_SOCK);
    }
    l->own_group = false;
    l->own_prog = 0;
    /* a socket of the closed section comes back (reuseport_resurrect): at
     * the end of the listening section, as __reuseport_add_sock puts it */
    l->closed_in_group = false;
    g->socks[g->num_socks++] = (uint8_t)lsn; /* __reuseport_add_sock: socks[num_socks++] */
}

/* inet_csk_get_port() -> inet_csk_bind_conflict() at listen(): a socket
 * that has a group of its own (reuseport_cb_ok is "!reuseport_cb ||
 * num_closed_socks") conflicts with every listening socket of its port
 * (inet_bind_conflict: sk2 in TCP_LISTEN and !reuseport_cb_ok), so a
 * listener given a program while unhashed cannot join a group that is
 * already listening. */
bool lq_reuseport_listen_conflict(struct lq_model *m, int lsn)
{
    for (int i = 0; i < m->nlsn; i++)
        if (i != lsn && m->lsn[i].listening) {
            lq_model_dp(m, LQ_DP_REUSEPORT_LISTEN_CONFLICT);
            return true;
        }
    return false;
}

/* sk_reuseport_attach_filter() -> reuseport_attach_prog(). */
int lq_reuseport_attach_prog(struct lq_model *m, int lsn, int value)
{
    struct lq_listener *l = &m->lsn[lsn];
    if (!lq_profile_has(&m->profile, LQ_CHG_REUSEPORT_CBPF)) {
        /* sk_setsockopt before 4.5: no such option */
        lq_model_dp(m, LQ_DP_REUSEPORT_ATTACH_UNKNOWN);
        return -ENOPROTOOPT;
    }
    if (value < 1 || value > 65535) /* the harness attaches only these */
        return -EINVAL;
    if (!l->listening) {
        /* sk_unhashed(sk): a group of its own, if SO_REUSEPORT was set */
        if (!l->reuseport) {
            lq_model_dp(m, LQ_DP_REUSEPORT_ATTACH_NO_REUSEPORT);
            return -EINVAL;
        }
        lq_model_dp(m, LQ_DP_REUSEPORT_ATTACH_UNHASHED);
        l->own_group = true;
        l->own_prog = (uint32_t)value;
        return 0;
    }
    if (!l->reuseport) {
        /* "The socket wasn't bound with SO_REUSEPORT": no sk_reuseport_cb */
        lq_model_dp(m, LQ_DP_REUSEPORT_ATTACH_NO_REUSEPORT);
        return -EINVAL;
    }
    lq_model_dp(m, LQ_DP_REUSEPORT_ATTACH_GROUP);
    m->group.prog = (uint32_t)value; /* rcu_assign_pointer(reuse->prog, prog) */
    return 0;
}

/* The listener of the port a segment finds: inet_lhash2_lookup() scores the
 * listening sockets; the first with sk_reuseport returns what
 * inet_lookup_reuseport() -> reuseport_select_sock() selects. */
int lq_inet_lookup_listener(struct lq_model *m, const struct lq_seg *in)
{
    int plain = -1;
    bool any_reuseport = false;
    for (int i = 0; i < m->nlsn; i++) {
        if (!m->lsn[i].listening)
            continue;
        if (m->lsn[i].reuseport)
            any_reuseport = true;
        else if (plain < 0)
            plain = i;
    }
    if (!any_reuseport)
        return plain;
    struct lq_reuseport *g = &m->group;
    if (!lq_profile_has(&m->profile, LQ_CHG_REUSEPORT_TCP_STEER)) {
        /* before 4.6 __inet_lookup_listener picked among the matching
         * sockets by phash (inet_ehashfn's boot-random secret) */
        if (g->num_socks == 1)
            return g->socks[0];
        lq_model_dp(m, LQ_DP_REUSEPORT_SELECT_HASH);
        lq_model_beyond(m, "a SYN to an SO_REUSEPORT group: this kernel picks the listener by a "
                           "hash with a boot-random secret (no steering program before 4.6)");
        return g->socks[0];
    }
    if (g->prog) {
        /* run_bpf_filter(): the program's answer indexes socks[] */
        uint32_t index = (uint32_t)in->sport % g->prog;
        if (index < (uint32_t)g->num_socks) {
            lq_model_dp(m, LQ_DP_REUSEPORT_SELECT_BPF);
            return g->socks[index];
        }
        /* index >= socks: NULL, "no bpf or invalid bpf result: fall back to
         * hash usage" */
        lq_model_dp(m, LQ_DP_REUSEPORT_SELECT_BPF_OUT_OF_RANGE);
    } else {
        lq_model_dp(m, LQ_DP_REUSEPORT_SELECT_HASH);
    }
    /* reuseport_select_sock_by_hash(): reciprocal_scale(hash, num_socks),
     * the first socket not TCP_ESTABLISHED from there (every listener) */
    if (g->num_socks == 1)
        return g->socks[0];
    lq_model_beyond(m, "reuseport_select_sock fell back to the group's hash (inet_ehashfn, a "
                       "boot-random secret): which listener got the segment is the kernel's to "
                       "say");
    return g->socks[0];
}

int lq_reuseport_migrate_sock(struct lq_model *m, int lsn)
{
    struct lq_reuseport *g = &m->group;
    /* reuse = sk->sk_reuseport_cb: NULL once detached (tcp_migrate_req 0
     * at close), "goto out" without a count */
    if (!m->lsn[lsn].closed_in_group)
        return LQ_MIGRATE_NONE;
    /* no listening member (also: the socket sits in an older group's closed
     * section, every member of which left; a later listen() made a new
     * group, inet_reuseport_add_sock finding no listening member); or no
     * SELECT_OR_MIGRATE program (the harness's classic-BPF one is not) and
     * tcp_migrate_req 0 by now */
    if (g->num_socks == 0 || !m->sysctl[LQ_SYSCTL_MIGRATE_REQ] ||
        m->lsn[lsn].closed_gen != g->gen) {
        lq_model_dp(m, LQ_DP_MIGRATE_FAILURE);
        lq_model_count(m, LQ_CTR_MIGRATE_REQ_FAILURE);
        return LQ_MIGRATE_NONE;
    }
    /* select_by_hash: reuseport_select_sock_by_hash(reuse, child's sk_hash,
     * num_socks), the first listening member from reciprocal_scale() on */
    lq_model_dp(m, LQ_DP_MIGRATE_SELECT);
    if (g->num_socks == 1)
        return g->socks[0];
    lq_model_beyond(m, "a closing listener's child or request migrates to a member the group's "
                       "hash chooses (reuseport_select_sock_by_hash: sk_hash, a boot-random "
                       "secret)");
    return LQ_MIGRATE_BEYOND;
}
