/* tests/unit/test_model_tables.c: the model's name tables (model/counters.c,
 * model/decision.c).
 *
 * Counter names are the columns of /proc/net/netstat as the kernel prints
 * them (net/ipv4/proc.c, snmp4_net_list: "ListenOverflows" and the others
 * below are TcpExt fields, matched case-sensitively); the releases that can
 * and cannot reach a decision come from the kernel history: tcp_check_req's
 * TSecr check arrived in 6.15 and 6.14.9 (commit 3ba075278c11),
 * net.ipv4.tcp_migrate_req in 5.14 (f9ac779f881c).
 */
#include <string.h>

#include "model/counters.h"
#include "model/decision.h"
#include "model/profile.h"
#include "tap.h"

static void test_counter_names(void)
{
    size_t bad = 0;
    for (int c = 0; c < LQ_CTR_COUNT; c++)
        if (lq_counter_by_name(lq_counter_name((enum lq_counter)c)) != c)
            bad++;
    ok(bad == 0, "every counter is found by its name (%zu of %d are not)", bad, (int)LQ_CTR_COUNT);
    static const char *const tcpext[] = {
        "ListenOverflows", "ListenDrops",    "TCPReqQFullDrop",  "TCPReqQFullDoCookies",
        "SyncookiesSent",  "SyncookiesRecv", "SyncookiesFailed", "EmbryonicRsts"};
    for (size_t i = 0; i < sizeof(tcpext) / sizeof(tcpext[0]); i++) {
        int c = lq_counter_by_name(tcpext[i]);
        ok(c >= 0 && strcmp(lq_counter_group((enum lq_counter)c), "TcpExt") == 0,
           "%s is a TcpExt counter of the model", tcpext[i]);
    }
    is_int(lq_counter_by_name("listenoverflows"), -1, "names match case-sensitively, as netstat's");
    is_int(lq_counter_by_name("NoSuchCounter"), -1, "an unknown name is -1");
}

static bool reachable(const char *version, enum lq_dp dp)
{
    struct lq_profile p;
    char err[256];
    if (lq_profile_resolve(version, &p, err, (int)sizeof(err)) != 0)
        return false;
    return lq_dp_unreachable(&p, dp) == NULL;
}

static void test_decision_points(void)
{
    size_t bad = 0;
    for (int dp = 0; dp < LQ_DP_COUNT; dp++) {
        const struct lq_dp_info *info = lq_dp_info((enum lq_dp)dp);
        if (!info || lq_dp_by_name(info->name) != dp)
            bad++;
    }
    ok(bad == 0, "every decision point is found by its name (%zu are not)", bad);
    ok(lq_dp_info(LQ_DP_COUNT) == NULL, "no decision point past the table");
    ok(!reachable("6.14.0", LQ_DP_CHECKREQ_TSECR), "6.14.0 cannot reject a TSecr (no check yet)");
    ok(reachable("6.14.9", LQ_DP_CHECKREQ_TSECR), "6.14.9 can (the stable backport)");
    ok(reachable("6.15.0", LQ_DP_CHECKREQ_TSECR), "6.15.0 can (mainline)");
    ok(reachable("6.18.44", LQ_DP_CHECKREQ_TSECR), "6.18.44 can");
    ok(!reachable("5.13.0", LQ_DP_MIGRATE_SELECT), "5.13 cannot migrate requests");
    ok(reachable("5.14.0", LQ_DP_MIGRATE_SELECT), "5.14 can (net.ipv4.tcp_migrate_req)");
}

int main(void)
{
    test_counter_names();
    test_decision_points();
    return tap_done();
}
