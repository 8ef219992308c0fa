/* harness/live/netns.h: hermetic network namespaces joined by a veth pair.
 *
 *   ORIG      the caller's namespace, left untouched
 *   PARENT    private, created from ORIG; only sets tcp_child_ehash_entries
 *   SERVER    created from PARENT: lo, lqs0 198.18.0.1/24 and 2001:db8::1/64
 *             (the kernel under test)
 *   CLIENT    created from PARENT: lqc0 without any IP address and with IPv6
 *             off (the harness injects and captures here; its kernel never
 *             answers the server)
 *
 * IPv6 in SERVER (when the kernel has it): the documentation prefix
 * 2001:db8::/32 only, no duplicate address detection (accept_dad 0,
 * dad_transmits 0 and the address added with IFA_F_NODAD, so the first SYN is
 * not lost to a tentative address), no router advertisements or
 * solicitations, no autoconfiguration and no link-local address
 * (addr_gen_mode 1), and a permanent neighbour entry for the client as for
 * IPv4: nothing is ever solicited.
 *
 * The namespaces are never named (no bind mount under /run/netns): they live
 * as long as the descriptors in struct lq_netns and the thread inside them,
 * so a killed run leaves nothing behind. Everything is configured over
 * rtnetlink and ioctls from inside the namespaces; the host's interfaces and
 * sysctls are never touched. setns() moves only the calling thread.
 *
 * A socket or /proc/.../net file opened inside a namespace holds a reference
 * to it: the namespaces (and the veth) go away once lq_netns_teardown has run
 * AND every such descriptor is closed, or at once when the process dies.
 *
 * Namespaces created from PARENT get a private established hash of 1024
 * buckets (net.ipv4.tcp_child_ehash_entries, 6.1+), which also fixes the
 * per-namespace defaults derived from it: tcp_max_syn_backlog =
 * max(128, 1024 / 128) = 128 and tcp_max_tw_buckets = 512 (tcp_set_hashinfo).
 */
#ifndef LISTENQ_HARNESS_NETNS_H
#define LISTENQ_HARNESS_NETNS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

enum lq_ns_which { LQ_NS_ORIG, LQ_NS_PARENT, LQ_NS_SERVER, LQ_NS_CLIENT };

struct lq_netns {
    int fd[4];                                 /* indexed by enum lq_ns_which; -1 when closed */
    int server_ifindex, client_ifindex;        /* each in its own namespace */
    char server_ifname[16], client_ifname[16]; /* "lqs0", "lqc0" */
    uint8_t server_mac[6], client_mac[6];      /* read back from the kernel */
    struct in_addr server_ip, client_ip;       /* 198.18.0.1 and 198.18.0.2 (RFC 2544) */
    struct in6_addr server_ip6, client_ip6;    /* 2001:db8::1 and 2001:db8::2 (RFC 3849) */
    bool ipv6;                                 /* SERVER has IPv6 (the kernel was built with it) */
    int ehash_entries; /* SERVER's net.ipv4.tcp_ehash_entries: > 0 private, < 0 shared */
};

/* A struct lq_netns that lq_netns_teardown accepts before any setup. */
/* clang-format off */
#define LQ_NETNS_INIT {.fd = {-1, -1, -1, -1}}
/* clang-format on */

/* Builds the namespaces and the veth pair; on success the calling thread is
 * in SERVER. Missing privileges: LQ_EXIT_SKIP naming the capability. On
 * failure everything built so far is undone and the thread is back in ORIG. */
int lq_netns_setup(struct lq_netns *ns, struct lq_err *err);
/* Moves the calling thread into one of the namespaces (setns). */
int lq_netns_enter(const struct lq_netns *ns, enum lq_ns_which which, struct lq_err *err);
/* Whether the calling thread is in namespace which of ns: 0, or -1 with
 * err (another thread made ns and this one never entered it). */
int lq_netns_check_in(const struct lq_netns *ns, enum lq_ns_which which, struct lq_err *err);
/* Back to ORIG and closes the descriptors: the namespaces die with their last
 * reference. Idempotent. */
void lq_netns_teardown(struct lq_netns *ns);
/* Closes the descriptors only, the thread left where it is: a process
 * forked from the one that set ns up lets go of its copies. Idempotent. */
void lq_netns_disown(struct lq_netns *ns);

/* Forgets what ICMP errors taught the server's routes (the thread is in
 * SERVER): IPv4's PMTU exceptions through net.ipv4.route.flush
 * (ipv4_sysctl_rtcache_flush bumps fnhe_genid, and rt_bind_exception then
 * resets a stale exception's PMTU), IPv6's by deleting the cached route to
 * the client (RTM_DELROUTE with RTM_F_CLONED: ip6_del_cached_rt), which
 * net.ipv6.route.flush would not do: a PMTU exception ages only when it
 * expires (rt6_age_examine_exception). */
int lq_netns_flush_pmtu(const struct lq_netns *ns, bool ipv4, bool ipv6, struct lq_err *err);

/* sysctls of the CURRENT thread's namespace: "net.ipv4.tcp_syncookies" is
 * /proc/sys/net/ipv4/tcp_syncookies. */
int lq_sysctl_write(const char *name, const char *value, struct lq_err *err);
/* The value without its trailing newline; an error when it does not fit. */
int lq_sysctl_read(const char *name, char *buf, size_t len, struct lq_err *err);
/* -1 with err when the calling thread is in the initial network namespace
 * (`what` names what it was about to do there). */
int lq_netns_refuse_initial(const char *what, struct lq_err *err);
/* Moves the calling process (single-threaded: unshare) into a new network
 * namespace of its own, checked not to be the initial one, with lo up.
 * Missing privileges: LQ_EXIT_SKIP. */
int lq_netns_private_enter(struct lq_err *err);
/* Whether this kernel has that sysctl. */
bool lq_sysctl_exists(const char *name);

#endif
