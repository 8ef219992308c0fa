/* harness/live/diag.c: see diag.h. */
#include "diag.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

enum {
    DUMP_BUF = 32768,    /* the kernel fills up to the reader's buffer */
    MAX_RECVS = 1 << 16, /* bound on one dump: far above any namespace we build */
    RECV_TIMEOUT_S = 2,
    REQ_BUF = 256, /* a header and struct inet_diag_req_v2 */
};

int lq_diag_open(struct lq_diag *d, struct lq_err *err)
{
    memset(d, 0, sizeof(*d));
    d->family = AF_INET;
    d->nl = mnl_socket_open(NETLINK_SOCK_DIAG);
    if (!d->nl)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot open a sock_diag netlink socket");
    if (mnl_socket_bind(d->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        lq_errno(err, LQ_EXIT_ERROR, "cannot bind the sock_diag socket");
        goto fail;
    }
    struct timeval tv = {.tv_sec = RECV_TIMEOUT_S};
    if (setsockopt(mnl_socket_get_fd(d->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
        lq_errno(err, LQ_EXIT_ERROR, "cannot set a receive timeout on the sock_diag socket");
        goto fail;
    }
    d->portid = mnl_socket_get_portid(d->nl);
    d->buf = malloc(DUMP_BUF);
    if (!d->buf) {
        lq_errf(err, LQ_EXIT_ERROR, "out of memory");
        goto fail;
    }
    return 0;
fail:
    lq_diag_close(d);
    return -1;
}

/* Handles one message of the current dump: 1 done, 0 more, -1 error. */
static int handle_msg(const struct nlmsghdr *nlh, lq_diag_cb cb, void *arg, bool *stopped,
                      struct lq_err *err)
{
    if (nlh->nlmsg_type == NLMSG_DONE)
        return 1;
    if (nlh->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
        if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
            return lq_errf(err, LQ_EXIT_ERROR, "inet_diag: truncated error message");
        if (e->error == 0)
            return 1;
        errno = -e->error;
        return lq_errno(err, LQ_EXIT_ERROR, "inet_diag dump refused");
    }
    if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || *stopped)
        return 0;
    const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
        return lq_errf(err, LQ_EXIT_ERROR, "inet_diag: truncated socket message");
    struct lq_diag_sock s = {
        .state = m->idiag_state,
        .timer = m->idiag_timer,
        .retrans = m->idiag_retrans,
        .lport = ntohs(m->id.idiag_sport),
        .rport = ntohs(m->id.idiag_dport),
        .expires_ms = m->idiag_expires,
        .rqueue = m->idiag_rqueue,
        .wqueue = m->idiag_wqueue,
        .inode = m->idiag_inode,
        .family = m->idiag_family,
        .cookie = {m->id.idiag_cookie[0], m->id.idiag_cookie[1]},
    };
    memcpy(s.src, m->id.idiag_src, sizeof(s.src));
    memcpy(s.dst, m->id.idiag_dst, sizeof(s.dst));
    /* INET_DIAG_MARK: sk_mark, or a request's ir_mark (inet_request_mark():
     * the listener's sk_mark), sent to a CAP_NET_ADMIN dumper */
    const struct nlattr *a;
    mnl_attr_for_each(a, nlh, sizeof(*m))
    {
        if (mnl_attr_get_type(a) == INET_DIAG_MARK && mnl_attr_get_payload_len(a) >= 4)
            s.mark = mnl_attr_get_u32(a);
    }
    /* After the callback says stop, the rest is still read, so the next
     * request does not find this dump's tail in the socket. */
    if (cb(arg, &s) != 0)
        *stopped = true;
    return 0;
}

static int lq_diag_dump_family(struct lq_diag *d, int family, uint16_t lport, uint32_t states,
                               lq_diag_cb cb, void *arg, struct lq_err *err);

int lq_diag_dump(struct lq_diag *d, uint16_t lport, uint32_t states, lq_diag_cb cb, void *arg,
                 struct lq_err *err)
{
    if (d->dual && lq_diag_dump_family(d, AF_INET, lport, states, cb, arg, err) < 0)
        return -1;
    return lq_diag_dump_family(d, d->dual ? AF_INET6 : d->family, lport, states, cb, arg, err);
}

static int lq_diag_dump_family(struct lq_diag *d, int family, uint16_t lport, uint32_t states,
                               lq_diag_cb cb, void *arg, struct lq_err *err)
{
    char req[REQ_BUF] __attribute__((aligned(4)));
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = ++d->seq;
    struct inet_diag_req_v2 *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
    r->sdiag_family = (uint8_t)family;
    r->sdiag_protocol = IPPROTO_TCP;
    r->idiag_states = states;
    r->id.idiag_sport = htons(lport); /* the kernel skips other local ports */
    if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot send the inet_diag request");

    bool stopped = false;
    for (int i = 0; i < MAX_RECVS; i++) {
        ssize_t n = mnl_socket_recvfrom(d->nl, d->buf, DUMP_BUF);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return lq_errf(err, LQ_EXIT_ERROR, "inet_diag dump: no answer within %d s",
                           RECV_TIMEOUT_S);
        if (n < 0)
            return lq_errno(err, LQ_EXIT_ERROR, "inet_diag dump");
        int len = (int)n;
        for (const struct nlmsghdr *m = (const struct nlmsghdr *)d->buf; mnl_nlmsg_ok(m, len);
             m = mnl_nlmsg_next(m, &len)) {
            /* Messages of an earlier dump that failed half way are skipped. */
            if (m->nlmsg_seq != d->seq || (m->nlmsg_pid != 0 && m->nlmsg_pid != d->portid))
                continue;
            int rc = handle_msg(m, cb, arg, &stopped, err);
            if (rc != 0)
                return rc < 0 ? -1 : 0;
        }
    }
    return lq_errf(err, LQ_EXIT_ERROR, "inet_diag dump did not end after %d reads", MAX_RECVS);
}

struct synq_ctx {
    uint16_t *rports;
    int max, n;
    int *per_mark;
    int nmarks;
};

static int synq_cb(void *arg, const struct lq_diag_sock *s)
{
    struct synq_ctx *c = arg;
    if (c->n < c->max)
        c->rports[c->n] = s->rport;
    c->n++;
    if (c->per_mark && s->mark < (uint32_t)c->nmarks)
        c->per_mark[s->mark]++;
    return 0;
}

int lq_diag_synq(struct lq_diag *d, uint16_t lport, uint16_t *rports, int max, int *n,
                 struct lq_err *err)
{
    return lq_diag_synq_marks(d, lport, rports, max, n, NULL, 0, err);
}

int lq_diag_synq_marks(struct lq_diag *d, uint16_t lport, uint16_t *rports, int max, int *n,
                       int *per_mark, int nmarks, struct lq_err *err)
{
    struct synq_ctx c = {rports, max, 0, per_mark, nmarks};
    if (per_mark)
        memset(per_mark, 0, (size_t)nmarks * sizeof(*per_mark));
    if (lq_diag_dump(d, lport, 1u << LQ_DIAG_STATE_NEW_SYN_RECV, synq_cb, &c, err) < 0)
        return -1;
    *n = c.n;
    return 0;
}

static int count_cb(void *arg, const struct lq_diag_sock *s)
{
    (void)s;
    (*(int *)arg)++;
    return 0;
}

int lq_diag_count_port(struct lq_diag *d, uint16_t lport, int *n, struct lq_err *err)
{
    int c = 0;
    if (lq_diag_dump(d, lport, LQ_DIAG_STATES_ALL, count_cb, &c, err) < 0)
        return -1;
    *n = c;
    return 0;
}

int lq_diag_request_exists(struct lq_diag *d, bool ipv6, const void *laddr, uint16_t lport,
                           const void *raddr, uint16_t rport, bool *exists, struct lq_err *err)
{
    char req[REQ_BUF] __attribute__((aligned(4)));
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_REQUEST; /* not a dump: the one socket of the 4-tuple */
    nlh->nlmsg_seq = ++d->seq;
    struct inet_diag_req_v2 *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
    r->sdiag_family = ipv6 ? AF_INET6 : AF_INET;
    r->sdiag_protocol = IPPROTO_TCP;
    r->idiag_states = LQ_DIAG_STATES_ALL;
    r->id.idiag_sport = htons(lport);
    r->id.idiag_dport = htons(rport);
    size_t alen = ipv6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);
    memcpy(r->id.idiag_src, laddr, alen);
    memcpy(r->id.idiag_dst, raddr, alen);
    r->id.idiag_cookie[0] = r->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot send the inet_diag lookup");
    for (int i = 0; i < MAX_RECVS; i++) {
        ssize_t n = mnl_socket_recvfrom(d->nl, d->buf, DUMP_BUF);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return lq_errf(err, LQ_EXIT_ERROR, "inet_diag lookup: no answer within %d s",
                           RECV_TIMEOUT_S);
        if (n < 0)
            return lq_errno(err, LQ_EXIT_ERROR, "inet_diag lookup");
        int len = (int)n;
        for (const struct nlmsghdr *m = (const struct nlmsghdr *)d->buf; mnl_nlmsg_ok(m, len);
             m = mnl_nlmsg_next(m, &len)) {
            /* what is left of an earlier request that failed half way */
            if (m->nlmsg_seq != d->seq || (m->nlmsg_pid != 0 && m->nlmsg_pid != d->portid))
                continue;
            if (m->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);
                if (mnl_nlmsg_get_payload_len(m) < sizeof(*e))
                    return lq_errf(err, LQ_EXIT_ERROR, "inet_diag: truncated error message");
                if (e->error == -ENOENT) {
                    *exists = false;
                    return 0;
                }
                errno = -e->error;
                return lq_errno(err, LQ_EXIT_ERROR, "inet_diag lookup refused");
            }
            if (m->nlmsg_type != SOCK_DIAG_BY_FAMILY)
                continue;
            const struct inet_diag_msg *dm = mnl_nlmsg_get_payload(m);
            if (mnl_nlmsg_get_payload_len(m) < sizeof(*dm))
                return lq_errf(err, LQ_EXIT_ERROR, "inet_diag: truncated socket message");
            /* a request says TCP_SYN_RECV (inet_req_diag_fill); the listener
             * LISTEN, a time-wait socket TIME_WAIT */
            *exists = dm->idiag_state == LQ_DIAG_STATE_SYN_RECV;
            return 0;
        }
    }
    return lq_errf(err, LQ_EXIT_ERROR, "inet_diag lookup: no answer after %d reads", MAX_RECVS);
}

int lq_diag_destroy(struct lq_diag *d, const struct lq_diag_sock *s, struct lq_err *err)
{
    char req[REQ_BUF] __attribute__((aligned(4)));
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
    nlh->nlmsg_type = SOCK_DESTROY;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    nlh->nlmsg_seq = ++d->seq;
    struct inet_diag_req_v2 *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
    r->sdiag_family = s->family;
    r->sdiag_protocol = IPPROTO_TCP;
    r->idiag_states = LQ_DIAG_STATES_ALL;
    r->id.idiag_sport = htons(s->lport);
    r->id.idiag_dport = htons(s->rport);
    memcpy(r->id.idiag_src, s->src, sizeof(r->id.idiag_src));
    memcpy(r->id.idiag_dst, s->dst, sizeof(r->id.idiag_dst));
    r->id.idiag_cookie[0] = s->cookie[0];
    r->id.idiag_cookie[1] = s->cookie[1];
    if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot send SOCK_DESTROY");
    for (int i = 0; i < MAX_RECVS; i++) {
        ssize_t n = mnl_socket_recvfrom(d->nl, d->buf, DUMP_BUF);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return lq_errno(err, LQ_EXIT_ERROR, "SOCK_DESTROY: no answer");
        int len = (int)n;
        for (const struct nlmsghdr *m = (const struct nlmsghdr *)d->buf; mnl_nlmsg_ok(m, len);
             m = mnl_nlmsg_next(m, &len)) {
            if (m->nlmsg_seq != d->seq || m->nlmsg_type != NLMSG_ERROR)
                continue;
            const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);
            if (mnl_nlmsg_get_payload_len(m) < sizeof(*e))
                return lq_errf(err, LQ_EXIT_ERROR, "SOCK_DESTROY: truncated answer");
            if (e->error == 0 || e->error == -ENOENT)
                return 0;
            errno = -e->error;
            return lq_errno(err, e->error == -EOPNOTSUPP ? LQ_EXIT_SKIP : LQ_EXIT_ERROR,
                            "SOCK_DESTROY of a socket of port %u", s->lport);
        }
    }
    return lq_errf(err, LQ_EXIT_ERROR, "SOCK_DESTROY: no answer after %d reads", MAX_RECVS);
}

void lq_diag_close(struct lq_diag *d)
{
    if (d->nl)
        mnl_socket_close(d->nl);
    free(d->buf);
    d->nl = NULL;
    d->buf = NULL;
}
