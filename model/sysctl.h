/* model/sysctl.h: the sysctls a scenario may set, with the kernel's ranges. */
#ifndef LISTENQ_MODEL_SYSCTL_H
#define LISTENQ_MODEL_SYSCTL_H

#include <stdbool.h>
#include <stdint.h>

/* X(id, name, min, max): the range is what the kernel's proc handler accepts
 * (writes outside it fail with EINVAL), from net/core/sysctl_net_core.c and
 * net/ipv4/sysctl_net_ipv4.c. */
#define LQ_SYSCTLS(X)                                                               \
    X(SOMAXCONN, "net.core.somaxconn", 0, 2147483647)                               \
    X(MAX_SYN_BACKLOG, "net.ipv4.tcp_max_syn_backlog", -2147483647 - 1, 2147483647) \
    X(SYNCOOKIES, "net.ipv4.tcp_syncookies", 0, 2)                                  \
    X(ABORT_ON_OVERFLOW, "net.ipv4.tcp_abort_on_overflow", 0, 1)                    \
    X(SYNACK_RETRIES, "net.ipv4.tcp_synack_retries", 0, 255)                        \
    X(TIMESTAMPS, "net.ipv4.tcp_timestamps", 0, 2)                                  \
    X(SACK, "net.ipv4.tcp_sack", 0, 1)                                              \
    X(WINDOW_SCALING, "net.ipv4.tcp_window_scaling", 0, 1)                          \
    X(ECN, "net.ipv4.tcp_ecn", 0, 2)                                                \
    X(MIGRATE_REQ, "net.ipv4.tcp_migrate_req", 0, 1)                                \
    X(FASTOPEN, "net.ipv4.tcp_fastopen", -2147483647 - 1, 2147483647)

enum lq_sysctl {
#define LQ_SYSCTL_ENUM(id, name, lo, hi) LQ_SYSCTL_##id,
    LQ_SYSCTLS(LQ_SYSCTL_ENUM)
#undef LQ_SYSCTL_ENUM
        LQ_SYSCTL_COUNT
};

const char *lq_sysctl_name(enum lq_sysctl s);
int lq_sysctl_by_name(const char *name); /* -1 when unknown */
bool lq_sysctl_in_range(enum lq_sysctl s, int64_t value);
int64_t lq_sysctl_min(enum lq_sysctl s);
int64_t lq_sysctl_max(enum lq_sysctl s);

#endif
