/* model/decision.c: the table behind model/decision.h. */
#include "decision.h"

#include "profile.h"

#include <string.h>

static const struct lq_dp_info lq_dp_table[LQ_DP_COUNT] = {
#define DP(id, name, func, what) [LQ_DP_##id] = {name, func, what},
#include "decisions.def"
#undef DP
};

const struct lq_dp_info *lq_dp_info(enum lq_dp dp)
{
    return (unsigned)dp < LQ_DP_COUNT ? &lq_dp_table[dp] : NULL;
}

int lq_dp_by_name(const char *name)
{
    for (int i = 0; i < LQ_DP_COUNT; i++)
        if (strcmp(lq_dp_table[i].name, name) == 0)
            return i;
    return -1;
}

const char *lq_dp_not_a_decision(enum lq_dp dp)
{
    if (dp == LQ_DP_CHILD_BEYOND_MODEL)
        return "not a kernel decision: where the model stops predicting (docs/model.md, Scope); "
               "conformance scenarios stay inside";
    if (dp == LQ_DP_COOKIE_ACCECN)
        return "the model stops here (an AccECN child, 6.18); conformance scenarios stay inside "
               "(tests/unit/test_model_ecn.c reaches it)";
    return NULL;
}

const char *lq_dp_long_only(enum lq_dp dp)
{
    if (dp == LQ_DP_FASTOPEN_QUEUE_RST_EXPIRED)
        return "the RST list's 60 s (corpus/long/fastopen_rst_list_expires.lq; "
               "tests/unit/test_model_fastopen.c)";
    return NULL;
}

const char *lq_dp_unreachable(const struct lq_profile *p, enum lq_dp dp)
{
    switch (dp) {
    case LQ_DP_LISTEN_LEGACY_QLEN:
        return lq_profile_has(p, LQ_CHG_SYNQ_LIMIT_IS_BACKLOG)
                   ? "only kernels before 4.4 size the SYN queue as a power of two"
                   : NULL;
    case LQ_DP_CONNREQ_ACCEPTQ_FULL_YOUNG:
        return lq_profile_has(p, LQ_CHG_ACCEPTQ_FULL_ALWAYS_DROPS)
                   ? "since 4.10 a full accept queue drops every SYN"
                   : NULL;
    case LQ_DP_CHECKREQ_TSECR:
        return lq_profile_has(p, LQ_CHG_TSECR_CHECK) ? NULL
                                                     : "the TSecr check arrived in 6.15 (6.14.9)";
    case LQ_DP_CHECKREQ_RST_CHALLENGE:
    case LQ_DP_CHECKREQ_RST_CHALLENGE_LIMITED:
        return lq_profile_has(p, LQ_CHG_SYNRECV_RST_CHALLENGE)
                   ? NULL
                   : "the SYN-RECV challenge ACK arrived in 7.2 (6.18.42, 6.12.105, 6.6.153, "
                     "6.1.191)";
    case LQ_DP_MIGRATE_CLOSED_SECTION:
    case LQ_DP_MIGRATE_SELECT:
    case LQ_DP_MIGRATE_FAILURE:
    case LQ_DP_MIGRATE_CHILD:
    case LQ_DP_MIGRATE_REQ_RCV:
    case LQ_DP_MIGRATE_REQ_HASHDANCE:
        return lq_profile_has(p, LQ_CHG_MIGRATE_REQ)
                   ? NULL
                   : "net.ipv4.tcp_migrate_req arrived in 5.14 (f9ac779f881c)";
    case LQ_DP_CONNREQ_V6_NOT_UNICAST:
    case LQ_DP_CONNREQ_V6_SRC_V4MAPPED:
        return "the scripted client sends from its one unicast address to the server's (the "
               "model takes these refusals from the segment's addr bits, tests/unit)";
    case LQ_DP_CHILD_SEQ_INVALID_END:
        return lq_profile_has(p, LQ_CHG_BEYOND_WINDOW_DROP)
                   ? NULL
                   : "tcp_sequence checks a segment's end since 6.17 only";
    case LQ_DP_V6_LABEL_RTX_SAME:
        return lq_profile_has(p, LQ_CHG_SYNACK_RTX_REHASH)
                   ? "since 5.18 a retransmitted SYN-ACK draws a new txhash"
                   : NULL;
    case LQ_DP_V6_LABEL_REQSK_ACK:
    case LQ_DP_V6_LABEL_RST_SOCK:
        return lq_profile_has(p, LQ_CHG_V6_CONSISTENT_FLOWLABEL)
                   ? NULL
                   : "before 6.1 tcp_v6_send_response took no txhash";
    case LQ_DP_V6_LABEL_RTX_REHASH:
        return lq_profile_has(p, LQ_CHG_SYNACK_RTX_REHASH)
                   ? NULL
                   : "before 5.18 a retransmitted SYN-ACK keeps its txhash";
    case LQ_DP_FASTOPEN_CHILD_OVERFLOW:
        return lq_profile_has(p, LQ_CHG_ACCEPTQ_FULL_ALWAYS_DROPS)
                   ? "since 4.10 tcp_conn_request has dropped a SYN to a full accept queue "
                     "before tcp_try_fastopen, so syn_recv_sock finds it full only before"
                   : NULL;
    case LQ_DP_REUSEPORT_ATTACH_UNKNOWN:
        return lq_profile_has(p, LQ_CHG_REUSEPORT_CBPF)
                   ? "SO_ATTACH_REUSEPORT_CBPF exists since 4.5"
                   : NULL;
    default: return NULL;
    }
}
