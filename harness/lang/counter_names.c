/* harness/lang/counter_names.c: every TcpExt and Tcp counter name Linux prints.
 *
 * The union of snmp4_net_list[] (TcpExt, /proc/net/netstat) and
 * snmp4_tcp_list[] (Tcp, /proc/net/snmp) of net/ipv4/proc.c in Linux 5.10,
 * 6.1, 6.12 and 7.2, so that `expect counter` can reject a misspelt name at
 * parse time instead of leaving it unchecked.
 */
#include "counter_names.h"

#include <stdlib.h>
#include <string.h>

static const char *const lq_tcpext_names[] = {
    "ArpFilter",
    "BeyondWindow",
    "BusyPollRxPackets",
    "DelayedACKLocked",
    "DelayedACKLost",
    "DelayedACKs",
    "EmbryonicRsts",
    "IPReversePathFilter",
    "ListenDrops",
    "ListenOverflows",
    "LockDroppedIcmps",
    "OfoPruned",
    "OutOfWindowIcmps",
    "PAWSActive",
    "PAWSEstab",
    "PAWSOldAck",
    "PAWSTimewait",
    "PFMemallocDrop",
    "PruneCalled",
    "RcvPruned",
    "SyncookiesFailed",
    "SyncookiesRecv",
    "SyncookiesSent",
    "TCPACKSkippedChallenge",
    "TCPACKSkippedFinWait2",
    "TCPACKSkippedPAWS",
    "TCPACKSkippedSeq",
    "TCPACKSkippedSynRecv",
    "TCPACKSkippedTimeWait",
    "TCPAOBad",
    "TCPAODroppedIcmps",
    "TCPAOGood",
    "TCPAOKeyNotFound",
    "TCPAORequired",
    "TCPAbortFailed",
    "TCPAbortOnClose",
    "TCPAbortOnData",
    "TCPAbortOnLinger",
    "TCPAbortOnMemory",
    "TCPAbortOnTimeout",
    "TCPAckCompressed",
    "TCPAutoCorking",
    "TCPBacklogCoalesce",
    "TCPBacklogDrop",
    "TCPChallengeACK",
    "TCPDSACKIgnoredDubious",
    "TCPDSACKIgnoredNoUndo",
    "TCPDSACKIgnoredOld",
    "TCPDSACKOfoRecv",
    "TCPDSACKOfoSent",
    "TCPDSACKOldSent",
    "TCPDSACKRecv",
    "TCPDSACKRecvSegs",
    "TCPDSACKUndo",
    "TCPDeferAcceptDrop",
    "TCPDelivered",
    "TCPDeliveredCE",
    "TCPFastOpenActive",
    "TCPFastOpenActiveFail",
    "TCPFastOpenBlackhole",
    "TCPFastOpenCookieReqd",
    "TCPFastOpenListenOverflow",
    "TCPFastOpenPassive",
    "TCPFastOpenPassiveAltKey",
    "TCPFastOpenPassiveFail",
    "TCPFastRetrans",
    "TCPFromZeroWindowAdv",
    "TCPFullUndo",
    "TCPHPAcks",
    "TCPHPHits",
    "TCPHystartDelayCwnd",
    "TCPHystartDelayDetect",
    "TCPHystartTrainCwnd",
    "TCPHystartTrainDetect",
    "TCPKeepAlive",
    "TCPLossFailures",
    "TCPLossProbeRecovery",
    "TCPLossProbes",
    "TCPLossUndo",
    "TCPLostRetransmit",
    "TCPMD5Failure",
    "TCPMD5NotFound",
    "TCPMD5Unexpected",
    "TCPMTUPFail",
    "TCPMTUPSuccess",
    "TCPMemoryPressures",
    "TCPMemoryPressuresChrono",
    "TCPMigrateReqFailure",
    "TCPMigrateReqSuccess",
    "TCPMinTTLDrop",
    "TCPOFODrop",
    "TCPOFOMerge",
    "TCPOFOQueue",
    "TCPOrigDataSent",
    "TCPPLBRehash",
    "TCPPartialUndo",
    "TCPPureAcks",
    "TCPRcvCoalesce",
    "TCPRcvCollapsed",
    "TCPRcvQDrop",
    "TCPRenoFailures",
    "TCPRenoRecovery",
    "TCPRenoRecoveryFail",
    "TCPRenoReorder",
    "TCPReqQFullDoCookies",
    "TCPReqQFullDrop",
    "TCPRetransFail",
    "TCPSACKDiscard",
    "TCPSACKReneging",
    "TCPSACKReorder",
    "TCPSYNChallenge",
    "TCPSackFailures",
    "TCPSackMerged",
    "TCPSackRecovery",
    "TCPSackRecoveryFail",
    "TCPSackShiftFallback",
    "TCPSackShifted",
    "TCPSlowStartRetrans",
    "TCPSpuriousRTOs",
    "TCPSpuriousRtxHostQueues",
    "TCPSynRetrans",
    "TCPTSReorder",
    "TCPTimeWaitOverflow",
    "TCPTimeouts",
    "TCPToZeroWindowAdv",
    "TCPWantZeroWindowAdv",
    "TCPWinProbe",
    "TCPWqueueTooBig",
    "TCPZeroWindowDrop",
    "TSEcrRejected",
    "TW",
    "TWKilled",
    "TWRecycled",
    "TcpDuplicateDataRehash",
    "TcpTimeoutRehash",
};

static const char *const lq_tcp_names[] = {
    "ActiveOpens",  "AttemptFails", "CurrEstab",    "EstabResets", "InCsumErrors",
    "InErrs",       "InSegs",       "MaxConn",      "OutRsts",     "OutSegs",
    "PassiveOpens", "RetransSegs",  "RtoAlgorithm", "RtoMax",      "RtoMin",
};

static int lq_cmp_name(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

static bool lq_in(const char *const *list, size_t n, const char *name)
{
    return bsearch(name, list, n, sizeof(*list), lq_cmp_name) != NULL;
}

bool lq_counter_name_known(const char *name)
{
    const char *colon = strchr(name, ':');
    if (colon) {
        size_t glen = (size_t)(colon - name);
        if (glen == 6 && strncmp(name, "TcpExt", 6) == 0)
            return lq_in(lq_tcpext_names, sizeof(lq_tcpext_names) / sizeof(*lq_tcpext_names),
                         colon + 1);
        if (glen == 3 && strncmp(name, "Tcp", 3) == 0)
            return lq_in(lq_tcp_names, sizeof(lq_tcp_names) / sizeof(*lq_tcp_names), colon + 1);
        return false;
    }
    return lq_in(lq_tcpext_names, sizeof(lq_tcpext_names) / sizeof(*lq_tcpext_names), name) ||
           lq_in(lq_tcp_names, sizeof(lq_tcp_names) / sizeof(*lq_tcp_names), name);
}

const char *lq_counter_name_group(const char *name, const char **bare)
{
    const char *colon = strchr(name, ':');
    if (colon) {
        *bare = colon + 1;
        return (size_t)(colon - name) == 6 ? "TcpExt" : "Tcp";
    }
    *bare = name;
    if (lq_in(lq_tcpext_names, sizeof(lq_tcpext_names) / sizeof(*lq_tcpext_names), name))
        return "TcpExt";
    return "Tcp";
}
