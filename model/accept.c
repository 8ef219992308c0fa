/* model/accept.c: the accept queue.
 *
 * Mirrors sk_acceptq_is_full() (include/net/sock.h), inet_csk_reqsk_queue_add()
 * and inet_csk_accept() (net/ipv4/inet_connection_sock.c), non-blocking.
 */
#include "model_internal.h"

#include <errno.h>
#include <string.h>

/* sk_acceptq_is_full(): sk_ack_backlog > sk_max_ack_backlog, so N + 1 fit. */
bool lq_sk_acceptq_is_full(const struct lq_model *m)
{
    return LQ_TEST_SEAM(m, LQ_BUG_ACCEPTQ_N, m->lsk->acceptq_len >= m->lsk->max_ack_backlog,
                        m->lsk->acceptq_len > m->lsk->max_ack_backlog);
}

/* The child joins the tail of the accept queue. */
static void lq_acceptq_append(struct lq_model *m, int child)
{
    if (m->lsk->acceptq_head + m->lsk->acceptq_len + 1 > m->lsk->acceptq_cap &&
        m->lsk->acceptq_head) {
        memmove(m->lsk->acceptq, m->lsk->acceptq + m->lsk->acceptq_head,
                m->lsk->acceptq_len * sizeof(*m->lsk->acceptq));
        m->lsk->acceptq_head = 0;
    }
    m->lsk->acceptq =
        lq_model_grow(m->lsk->acceptq, &m->lsk->acceptq_cap,
                      m->lsk->acceptq_head + m->lsk->acceptq_len + 1, sizeof(*m->lsk->acceptq));
    m->lsk->acceptq[m->lsk->acceptq_head + m->lsk->acceptq_len++] = child;
    m->children[child].queued = true;
}

/* inet_csk_reqsk_queue_add(): the child joins the accept queue. */
void lq_inet_csk_reqsk_queue_add(struct lq_model *m, int child)
{
    /* Every caller checked sk_acceptq_is_full() first: N + 1 at most, until a
     * re-listen lowers N under a queue that is already longer. */
    if (lq_sk_acceptq_is_full(m) && !m->broken)
        m->broken = "a child was queued while the accept queue was full";
    lq_acceptq_append(m, child);
}

/* inet_csk_reqsk_queue_add() of a migrating child: no caller checks the
 * new listener's sk_acceptq_is_full(), so its queue may grow past N + 1. */
void lq_inet_csk_reqsk_queue_add_migrated(struct lq_model *m, int child)
{
    lq_acceptq_append(m, child);
}

/* inet_csk_accept(), non-blocking. */
int lq_model_accept(struct lq_model *m, uint16_t *conn, uint16_t *mss)
{
    return lq_model_accept_on(m, 0, conn, mss);
}

int lq_model_accept_on(struct lq_model *m, int lsn, uint16_t *conn, uint16_t *mss)
{
    lq_model_begin(m);
    int rc = lq_model_call_on(m, lsn);
    if (rc)
        return rc;
    if (!m->lsk->listening) {
        lq_model_dp(m, LQ_DP_ACCEPT_NOT_LISTENING);
        return -EINVAL;
    }
    if (!m->lsk->acceptq_len) {
        lq_model_dp(m, LQ_DP_ACCEPT_EMPTY);
        return -EAGAIN;
    }
    lq_model_dp(m, LQ_DP_ACCEPT_FIFO);
    int c = m->lsk->acceptq[m->lsk->acceptq_head++];
    m->lsk->acceptq_len--;
    if (!m->lsk->acceptq_len)
        m->lsk->acceptq_head = 0;
    struct lq_child *ch = &m->children[c];
    ch->queued = false;
    ch->accepted = true;
    *conn = ch->conn;
    *mss = ch->mss_cache;
    return 0;
}
