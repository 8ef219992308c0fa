/* model/counters.h: the SNMP counters listenq predicts and reads.
 *
 * The list is ../shared/spec/linux-listen-path.md section 7, plus the
 * challenge-ACK and reset counters the listen path also moves. Each counter has
 * the name the kernel prints in /proc/net/netstat (TcpExt) or /proc/net/snmp
 * (Tcp); the harness reads them by name because their positions differ
 * between kernel versions.
 */
#ifndef LISTENQ_MODEL_COUNTERS_H
#define LISTENQ_MODEL_COUNTERS_H

#include <stdint.h>

#define LQ_COUNTERS(X)                                               \
    X(LISTEN_OVERFLOWS, "TcpExt", "ListenOverflows")                 \
    X(LISTEN_DROPS, "TcpExt", "ListenDrops")                         \
    X(REQQ_FULL_DROP, "TcpExt", "TCPReqQFullDrop")                   \
    X(REQQ_FULL_DO_COOKIES, "TcpExt", "TCPReqQFullDoCookies")        \
    X(SYNCOOKIES_SENT, "TcpExt", "SyncookiesSent")                   \
    X(SYNCOOKIES_RECV, "TcpExt", "SyncookiesRecv")                   \
    X(SYNCOOKIES_FAILED, "TcpExt", "SyncookiesFailed")               \
    X(EMBRYONIC_RSTS, "TcpExt", "EmbryonicRsts")                     \
    X(TCP_SYN_RETRANS, "TcpExt", "TCPSynRetrans")                    \
    X(TCP_TIMEOUTS, "TcpExt", "TCPTimeouts")                         \
    X(TCP_ACK_SKIPPED_SYN_RECV, "TcpExt", "TCPACKSkippedSynRecv")    \
    X(TCP_DEFER_ACCEPT_DROP, "TcpExt", "TCPDeferAcceptDrop")         \
    X(PAWS_ESTAB, "TcpExt", "PAWSEstab")                             \
    X(TSECR_REJECTED, "TcpExt", "TSEcrRejected")                     \
    X(TCP_CHALLENGE_ACK, "TcpExt", "TCPChallengeACK")                \
    X(TCP_ACK_SKIPPED_CHALLENGE, "TcpExt", "TCPACKSkippedChallenge") \
    X(TCP_ACK_SKIPPED_SEQ, "TcpExt", "TCPACKSkippedSeq")             \
    X(TCP_SYN_CHALLENGE, "TcpExt", "TCPSYNChallenge")                \
    X(TCP_ABORT_ON_DATA, "TcpExt", "TCPAbortOnData")                 \
    X(PASSIVE_OPENS, "Tcp", "PassiveOpens")                          \
    X(ATTEMPT_FAILS, "Tcp", "AttemptFails")                          \
    X(OUT_RSTS, "Tcp", "OutRsts")                                    \
    X(RETRANS_SEGS, "Tcp", "RetransSegs")                            \
    X(ESTAB_RESETS, "Tcp", "EstabResets")                            \
    X(OUT_OF_WINDOW_ICMPS, "TcpExt", "OutOfWindowIcmps")             \
    X(MIGRATE_REQ_SUCCESS, "TcpExt", "TCPMigrateReqSuccess")         \
    X(MIGRATE_REQ_FAILURE, "TcpExt", "TCPMigrateReqFailure")         \
    X(TFO_PASSIVE, "TcpExt", "TCPFastOpenPassive")                   \
    X(TFO_PASSIVE_FAIL, "TcpExt", "TCPFastOpenPassiveFail")          \
    X(TFO_LISTEN_OVERFLOW, "TcpExt", "TCPFastOpenListenOverflow")    \
    X(TFO_COOKIE_REQD, "TcpExt", "TCPFastOpenCookieReqd")            \
    X(TCP_ABORT_ON_TIMEOUT, "TcpExt", "TCPAbortOnTimeout")           \
    X(BEYOND_WINDOW, "TcpExt", "BeyondWindow")

enum lq_counter {
#define LQ_COUNTER_ENUM(id, group, name) LQ_CTR_##id,
    LQ_COUNTERS(LQ_COUNTER_ENUM)
#undef LQ_COUNTER_ENUM
        LQ_CTR_COUNT
};

/* "ListenOverflows" for LQ_CTR_LISTEN_OVERFLOWS. */
const char *lq_counter_name(enum lq_counter c);
/* "TcpExt" or "Tcp". */
const char *lq_counter_group(enum lq_counter c);
/* The counter with that kernel name, or -1. */
int lq_counter_by_name(const char *name);

#endif
