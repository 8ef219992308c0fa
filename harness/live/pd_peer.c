/* harness/live/pd_peer.c: see pd_peer.h. */
#include "pd_peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"
#include "util/fsutil.h"
#include "wire/frame.h"
#include "wire/tfo_cookie.h"

#define LQ_PDP_SRC      "192.0.2.2"   /* in packetdrill's remote prefix, not its own address */
#define LQ_PDP_SRC6     "2001:db8::2" /* in its IPv6 remote prefix (2001:db8::/32) */
#define LQ_PDP_MAX_PORT 4096

struct lq_pdp_state {
    bool known[LQ_PDP_MAX_PORT], has_ts[LQ_PDP_MAX_PORT];
    uint32_t isn[LQ_PDP_MAX_PORT], tsval[LQ_PDP_MAX_PORT];
    uint16_t port[LQ_PDP_MAX_PORT];
    int n;
};

int lq_pdp_expect_parse(struct lq_pdp_args *a, const char *s)
{
    if (a->nexpect == LQ_PDP_MAX_EXPECT)
        return -1;
    int i = a->nexpect;
    size_t n = strcspn(s, "/");
    if (n == 6 && strncmp(s, "synack", 6) == 0)
        a->expect[i] = LQ_PDP_SYNACK;
    else if (n == 3 && strncmp(s, "ack", 3) == 0)
        a->expect[i] = LQ_PDP_ACK;
    else if (n == 3 && strncmp(s, "rst", 3) == 0)
        a->expect[i] = LQ_PDP_RST;
    else
        return -1;
    a->expect_opts[i] = s[n] == '/';
    a->opts[i].mss = a->opts[i].wscale = -1;
    a->opts[i].sack = a->opts[i].ts = a->opts[i].fo = false;
    for (s += n; *s == '/';) {
        s++;
        unsigned v;
        n = strcspn(s, "/");
        if (sscanf(s, "mss=%u", &v) == 1 && v <= 65535)
            a->opts[i].mss = (int32_t)v;
        else if (sscanf(s, "ws=%u", &v) == 1 && v <= 255)
            a->opts[i].wscale = (int32_t)v;
        else if (n == 4 && strncmp(s, "sack", 4) == 0)
            a->opts[i].sack = true;
        else if (n == 2 && strncmp(s, "ts", 2) == 0)
            a->opts[i].ts = true;
        else if (n == 2 && strncmp(s, "fo", 2) == 0)
            a->opts[i].fo = true;
        else if (n != 0 || s[n]) /* "synack/": no option at all */
            return -1;
        s += n;
    }
    if (*s || (a->expect_opts[i] && a->expect[i] != LQ_PDP_SYNACK))
        return -1;
    a->nexpect++;
    return 0;
}

/* "mss=1460 ws=7 sack ts fo" for a report */
static void lq_pdp_opts_str(int32_t mss, int32_t ws, bool sack, bool ts, const char *fo, char *buf,
                            size_t len)
{
    int n = snprintf(buf, len, "mss=%s", mss < 0 ? "none" : "");
    if (mss >= 0)
        n += snprintf(buf + n, len - (size_t)n, "%d", mss);
    n += snprintf(buf + n, len - (size_t)n, " ws=%s", ws < 0 ? "none" : "");
    if (ws >= 0)
        n += snprintf(buf + n, len - (size_t)n, "%d", ws);
    snprintf(buf + n, len - (size_t)n, " %s %s %s", sack ? "sack" : "nosack", ts ? "ts" : "nots",
             fo);
}

/* The kernel's cookie for the segment's addresses (wire/tfo_cookie.h). */
static void lq_pdp_kernel_cookie(const struct lq_frame_ends *e, bool v6, uint8_t out[8])
{
    if (v6)
        lq_tfo_cookie(true, e->src_ip6, e->dst_ip6, out);
    else /* src_ip, dst_ip: network order, the header's bytes */
        lq_tfo_cookie(false, (const uint8_t *)&e->src_ip, (const uint8_t *)&e->dst_ip, out);
}

/* What a reply's Fast Open option is: "nofo", "fo" (the kernel's cookie for
 * the addresses), "fo-other" (another option). */
static const char *lq_pdp_fo_str(const struct lq_tcpopt *o, const uint8_t want[8])
{
    if (!o->has_fo)
        return "nofo";
    return !o->fo_exp && o->fo_len == 8 && !memcmp(o->fo, want, 8) ? "fo" : "fo-other";
}

static const char *lq_pdp_kind_name(int k)
{
    static const char *const names[] = {"a SYN-ACK", "an ACK", "a RST", "another segment"};
    return names[k];
}

static int lq_pdp_kind_of(uint8_t flags)
{
    if (flags & LQ_TH_RST)
        return LQ_PDP_RST;
    if ((flags & (LQ_TH_SYN | LQ_TH_ACK)) == (LQ_TH_SYN | LQ_TH_ACK))
        return LQ_PDP_SYNACK;
    if ((flags & (LQ_TH_SYN | LQ_TH_FIN | LQ_TH_ACK)) == LQ_TH_ACK)
        return LQ_PDP_ACK;
    return LQ_PDP_OTHER;
}

/* The state file of this namespace: /tmp/listenq-pd-peer.<netns inode>. */
static void lq_pdp_state_path(const struct lq_pdp_args *a, char *buf, size_t len)
{
    struct stat st;
    if (a->state)
        snprintf(buf, len, "%s", a->state);
    else if (stat("/proc/thread-self/ns/net", &st) == 0)
        snprintf(buf, len, "/tmp/listenq-pd-peer.%lu", (unsigned long)st.st_ino);
    else
        snprintf(buf, len, "/tmp/listenq-pd-peer.unknown");
}

static int lq_pdp_slot(struct lq_pdp_state *s, uint16_t port)
{
    for (int i = 0; i < s->n; i++)
        if (s->port[i] == port)
            return i;
    if (s->n == LQ_PDP_MAX_PORT)
        return -1;
    s->port[s->n] = port;
    s->known[s->n] = s->has_ts[s->n] = false;
    return s->n++;
}

static void lq_pdp_state_load(const char *path, struct lq_pdp_state *s)
{
    s->n = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    unsigned port, known, has_ts;
    uint32_t isn, tsval;
    while (fscanf(f, "%u %u %" SCNu32 " %u %" SCNu32, &port, &known, &isn, &has_ts, &tsval) == 5) {
        int i = lq_pdp_slot(s, (uint16_t)port);
        if (i < 0)
            break;
        s->known[i] = known != 0;
        s->isn[i] = isn;
        s->has_ts[i] = has_ts != 0;
        s->tsval[i] = tsval;
    }
    fclose(f);
}

static int lq_pdp_state_save(const char *path, const struct lq_pdp_state *s, struct lq_err *err)
{
    char *buf = malloc((size_t)s->n * 48 + 1);
    if (!buf)
        return lq_errf(err, LQ_EXIT_ERROR, "out of memory");
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < s->n; i++)
        len += (size_t)sprintf(buf + len, "%u %d %" PRIu32 " %d %" PRIu32 "\n", s->port[i],
                               s->known[i], s->isn[i], s->has_ts[i], s->tsval[i]);
    int rc = lq_write_file_atomic_nosync(path, buf, len, err);
    free(buf);
    return rc;
}

/* The IPv4 address (out4) or the IPv6 one that is not link-local (out6) of
 * ifname (packetdrill's tun device: the listener's). */
static int lq_pdp_if_addr(const char *ifname, bool ipv6, struct in_addr *out4,
                          struct in6_addr *out6, struct lq_err *err)
{
    struct ifaddrs *ifa0;
    if (getifaddrs(&ifa0) < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "getifaddrs");
    bool found = false;
    for (struct ifaddrs *ifa = ifa0; ifa && !found; ifa = ifa->ifa_next) {
        if (!ifa->ifa_addr || strcmp(ifa->ifa_name, ifname) != 0)
            continue;
        if (!ipv6 && ifa->ifa_addr->sa_family == AF_INET) {
            *out4 = ((struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
            found = true;
        } else if (ipv6 && ifa->ifa_addr->sa_family == AF_INET6 &&
                   !IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr)) {
            *out6 = ((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr;
            found = true;
        }
    }
    freeifaddrs(ifa0);
    if (!found)
        return lq_errf(err, LQ_EXIT_ERROR,
                       "no %s address on %s (run from a packetdrill script, or give --dst)",
                       ipv6 ? "IPv6" : "IPv4", ifname);
    return 0;
}

static int64_t lq_pdp_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the replies to (dst:dport -> src:sport) until every expected kind
 * came, in order, or the time is up. */
static int lq_pdp_replies(int ps, const struct lq_pdp_args *a, const struct lq_frame_ends *e,
                          struct lq_pdp_state *st, int slot, struct lq_err *err)
{
    int got = 0;
    int64_t end = lq_pdp_now_ms() + a->timeout_ms;
    uint8_t cookie[8]; /* what a SYN-ACK's /fo must carry */
    lq_pdp_kernel_cookie(e, a->seg.ipv6, cookie);
    while (got < a->nexpect) {
        int64_t left = end - lq_pdp_now_ms();
        if (left <= 0)
            return lq_errf(err, LQ_EXIT_FAIL,
                           "port %u: no %s from the listener within %d ms (the model predicts "
                           "one)",
                           a->seg.sport, lq_pdp_kind_name(a->expect[got]) + 2, a->timeout_ms);
        struct pollfd pfd = {.fd = ps, .events = POLLIN};
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr < 0)
            return lq_errno(err, LQ_EXIT_ERROR, "poll");
        if (pr == 0)
            continue;
        uint8_t frame[2048];
        memset(frame, 0, LQ_FRAME_ETH_LEN);
        /* an Ethernet header in front, for the frame parser */
        frame[12] = a->seg.ipv6 ? 0x86 : 0x08;
        frame[13] = a->seg.ipv6 ? 0xdd : 0x00;
        ssize_t n = recv(ps, frame + LQ_FRAME_ETH_LEN, sizeof(frame) - LQ_FRAME_ETH_LEN, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return lq_errno(err, LQ_EXIT_ERROR, "recv on the packet socket");
        struct lq_frame_info fi;
        if (lq_frame_parse(frame, (size_t)n + LQ_FRAME_ETH_LEN, &fi) || !fi.is_tcp ||
            fi.seg.ipv6 != a->seg.ipv6 || fi.seg.sport != a->seg.dport ||
            fi.seg.dport != a->seg.sport)
            continue;
        if (a->seg.ipv6 ? memcmp(fi.src_ip6, e->dst_ip6, 16) || memcmp(fi.dst_ip6, e->src_ip6, 16)
                        : fi.src_ip != e->dst_ip || fi.dst_ip != e->src_ip)
            continue;
        int kind = lq_pdp_kind_of(fi.seg.flags);
        if (kind == LQ_PDP_SYNACK && (!st->known[slot] || st->isn[slot] != fi.seg.seq)) {
            /* a new server ISN: its TSval is the one echoes count from */
            st->known[slot] = true;
            st->isn[slot] = fi.seg.seq;
            st->has_ts[slot] = fi.seg.opt.has_ts;
            st->tsval[slot] = fi.seg.opt.tsval;
        } else if (fi.seg.opt.has_ts && !st->has_ts[slot]) {
            st->has_ts[slot] = true;
            st->tsval[slot] = fi.seg.opt.tsval;
        }
        if (kind != a->expect[got])
            return lq_errf(err, LQ_EXIT_FAIL,
                           "port %u: the listener sent %s (flags 0x%02x), the model predicts %s",
                           a->seg.sport, lq_pdp_kind_name(kind), fi.seg.flags,
                           lq_pdp_kind_name(a->expect[got]));
        const struct lq_tcpopt *o = &fi.seg.opt;
        int32_t mss = o->has_mss ? o->mss : -1, ws = o->has_wscale ? o->wscale : -1;
        const char *fo = lq_pdp_fo_str(o, cookie), *want_fo = a->opts[got].fo ? "fo" : "nofo";
        if (a->expect_opts[got] && (mss != a->opts[got].mss || ws != a->opts[got].wscale ||
                                    o->sack_perm != a->opts[got].sack ||
                                    o->has_ts != a->opts[got].ts || strcmp(fo, want_fo) != 0)) {
            char have[96], want[96];
            lq_pdp_opts_str(mss, ws, o->sack_perm, o->has_ts, fo, have, sizeof(have));
            lq_pdp_opts_str(a->opts[got].mss, a->opts[got].wscale, a->opts[got].sack,
                            a->opts[got].ts, want_fo, want, sizeof(want));
            return lq_errf(err, LQ_EXIT_FAIL,
                           "port %u: the listener's SYN-ACK has %s; the model's, %s", a->seg.sport,
                           have, want);
        }
        got++;
    }
    return 0;
}

int lq_pdp_run(const struct lq_pdp_args *a, struct lq_err *err)
{
    if (lq_netns_refuse_initial("a raw segment", err) < 0)
        return -1;
    bool v6 = a->seg.ipv6;
    struct in_addr dst = {0}, src;
    struct in6_addr dst6 = IN6ADDR_ANY_INIT, src6;
    inet_pton(AF_INET, LQ_PDP_SRC, &src);
    inet_pton(AF_INET6, LQ_PDP_SRC6, &src6);
    if (a->dst) {
        if (inet_pton(v6 ? AF_INET6 : AF_INET, a->dst, v6 ? (void *)&dst6 : (void *)&dst) != 1)
            return lq_errf(err, LQ_EXIT_BADINPUT, "--dst %s is not an %s address", a->dst,
                           v6 ? "IPv6" : "IPv4");
    } else if (lq_pdp_if_addr(a->ifname, v6, &dst, &dst6, err) < 0) {
        return -1;
    }
    char path[256];
    lq_pdp_state_path(a, path, sizeof(path));
    static struct lq_pdp_state st;
    lq_pdp_state_load(path, &st);
    int slot = lq_pdp_slot(&st, a->seg.sport);
    if (slot < 0)
        return lq_errf(err, LQ_EXIT_ERROR, "%s: too many ports", path);

    struct lq_seg seg = a->seg;
    if (a->ack_srv) {
        if (!st.known[slot])
            return lq_errf(err, LQ_EXIT_FAIL,
                           "port %u: no SYN-ACK seen yet, so no ISN to acknowledge", seg.sport);
        seg.ack += st.isn[slot];
    }
    if (a->tsecr_srv && seg.opt.has_ts) {
        if (!st.has_ts[slot])
            return lq_errf(err, LQ_EXIT_FAIL, "port %u: no server TSval seen yet to echo",
                           seg.sport);
        seg.opt.tsecr += st.tsval[slot];
    }

    int ps = -1, rs = -1, rc = -1;
    if (a->nexpect) {
        /* ETH_P_ALL: a tap of one protocol sees only what comes in */
        ps = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));
        unsigned idx = if_nametoindex(a->ifname);
        struct sockaddr_ll ll = {
            .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)idx};
        if (ps < 0 || !idx || bind(ps, (struct sockaddr *)&ll, sizeof(ll)) < 0) {
            lq_errno(err, errno == EPERM ? LQ_EXIT_SKIP : LQ_EXIT_ERROR, "a packet socket on %s",
                     a->ifname);
            goto out;
        }
    }
    /* IPPROTO_RAW: the IP header is ours (IPv6 too: inet6_create sets hdrincl) */
    rs = socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    if (rs < 0) {
        lq_errno(err, errno == EPERM ? LQ_EXIT_SKIP : LQ_EXIT_ERROR, "a raw socket%s",
                 errno == EPERM ? " (needs CAP_NET_RAW)" : "");
        goto out;
    }
    uint8_t frame[2048];
    struct lq_frame_ends e = {.src_ip = src.s_addr, .dst_ip = dst.s_addr};
    memcpy(e.src_ip6, &src6, 16);
    memcpy(e.dst_ip6, &dst6, 16);
    if (a->fo_kernel) {
        lq_pdp_kernel_cookie(&e, v6, seg.opt.fo);
        seg.opt.fo_len = LQ_TFO_COOKIE_SIZE;
        for (unsigned i = 0; a->fo_flip && i < LQ_TFO_COOKIE_SIZE; i++)
            seg.opt.fo[i] = (uint8_t)~seg.opt.fo[i];
    }
    int n = lq_frame_build_tcp(frame, sizeof(frame), &e, (uint16_t)(seg.sport ^ seg.seq), &seg);
    if (n < 0) {
        lq_errf(err, LQ_EXIT_ERROR, "the segment does not fit");
        goto out;
    }
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = dst};
    struct sockaddr_in6 to6 = {.sin6_family = AF_INET6, .sin6_addr = dst6};
    if (sendto(rs, frame + LQ_FRAME_ETH_LEN, (size_t)n - LQ_FRAME_ETH_LEN, 0,
               v6 ? (struct sockaddr *)&to6 : (struct sockaddr *)&to,
               v6 ? sizeof(to6) : sizeof(to)) < 0) {
        char d[INET6_ADDRSTRLEN];
        inet_ntop(v6 ? AF_INET6 : AF_INET, v6 ? (void *)&dst6 : (void *)&dst, d, sizeof(d));
        lq_errno(err, LQ_EXIT_ERROR, "sendto %s", d);
        goto out;
    }
    if (a->nexpect && lq_pdp_replies(ps, a, &e, &st, slot, err) < 0) {
        lq_pdp_state_save(path, &st, &(struct lq_err){0});
        goto out;
    }
    rc = lq_pdp_state_save(path, &st, err);
out:
    if (ps >= 0)
        close(ps);
    if (rs >= 0)
        close(rs);
    return rc;
}

/* ---- accept() on packetdrill's listener ---- */

static pid_t lq_pdp_parent_of(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *rp = strrchr(buf, ')'); /* after the command name */
    int ppid;
    if (!rp || sscanf(rp + 1, " %*c %d", &ppid) != 1)
        return -1;
    return (pid_t)ppid;
}

/* A descriptor of the listener on lport held by process pid (or -1). */
static int lq_pdp_listener_of(pid_t pid, int pidfd, uint16_t lport)
{
    for (int fd = 0; fd < 1024; fd++) {
        char path[64], link[64];
        snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
        ssize_t n = readlink(path, link, sizeof(link) - 1);
        if (n <= 0)
            continue;
        link[n] = '\0';
        if (strncmp(link, "socket:", 7) != 0)
            continue;
        int s = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
        if (s < 0)
            continue;
        int type = 0, dom = 0;
        socklen_t tl = sizeof(type), dl = sizeof(dom);
        struct sockaddr_storage a;
        socklen_t sl = sizeof(a);
        /* the port is at the same place in sockaddr_in and sockaddr_in6 */
        const struct sockaddr_in *a4 = (const struct sockaddr_in *)&a;
        if (getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_STREAM &&
            getsockopt(s, SOL_SOCKET, SO_DOMAIN, &dom, &dl) == 0 &&
            (dom == AF_INET || dom == AF_INET6) &&
            getsockname(s, (struct sockaddr *)&a, &sl) == 0 && ntohs(a4->sin_port) == lport &&
            (lport || dom == AF_INET6))
            return s; /* listening or not yet (accept() says EINVAL); lport 0: unbound */
        close(s);
    }
    return -1;
}

/* The listener of lport (0: the unbound IPv6 socket) held by the ancestors of this process, and a
 * pidfd of the furthest one that holds it: the packetdrill process (the shell of its backtick,
 * under it, holds the socket too, and ends at once). */
static int lq_pdp_find_listener(uint16_t lport, int *anchor, struct lq_err *err)
{
    pid_t pid = getppid();
    int s = -1;
    *anchor = -1;
    for (int depth = 0; depth < 6 && pid > 1; depth++) {
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        int l = pidfd >= 0 ? lq_pdp_listener_of(pid, pidfd, lport) : -1;
        if (l < 0) {
            if (pidfd >= 0)
                close(pidfd);
            if (s >= 0)
                break; /* above the packetdrill process */
        } else {
            if (s >= 0)
                close(s);
            if (*anchor >= 0)
                close(*anchor);
            s = l;
            *anchor = pidfd;
        }
        pid = lq_pdp_parent_of(pid);
    }
    if (s >= 0)
        return s;
    if (!lport)
        return lq_errf(err, LQ_EXIT_ERROR,
                       "no process above this one holds an unbound IPv6 TCP socket (run from a "
                       "packetdrill script, before its bind())");
    return lq_errf(err, LQ_EXIT_ERROR,
                   "no process above this one holds a socket bound to port %u (run from a "
                   "packetdrill script)",
                   lport);
}

int lq_pdp_bind(uint16_t lport, int v6only, struct lq_err *err)
{
    if (lq_netns_refuse_initial("bind()", err) < 0)
        return -1;
    int anchor = -1;
    int s = lq_pdp_find_listener(0, &anchor, err);
    if (s < 0)
        return -1;
    struct sockaddr_in6 a = {
        .sin6_family = AF_INET6, .sin6_port = htons(lport), .sin6_addr = IN6ADDR_ANY_INIT};
    int rc = 0;
    if (setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0)
        rc = lq_errno(err, LQ_EXIT_ERROR, "setsockopt(IPV6_V6ONLY, %d)", v6only);
    else if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
        rc = lq_errno(err, LQ_EXIT_ERROR, "bind([::]:%u)", lport);
    close(s);
    close(anchor);
    return rc;
}

/* The holders' pid file of this namespace: /tmp/listenq-pd-peer.<netns
 * inode>.hold. */
static void lq_pdp_hold_path(char *buf, size_t len)
{
    struct stat st;
    if (stat("/proc/thread-self/ns/net", &st) == 0)
        snprintf(buf, len, "/tmp/listenq-pd-peer.%lu.hold", (unsigned long)st.st_ino);
    else
        snprintf(buf, len, "/tmp/listenq-pd-peer.unknown.hold");
}

/* Keeps fd open in a process of its own until the anchor process ends (or
 * hold_s seconds, or `pd-peer release`), so that the accepted connection
 * stays as the scenario leaves it. Its close is a RST (SO_LINGER 0): a
 * connection closed with a FIN would stay (FIN_WAIT1, its peer gone) with
 * its route, and an IPv6 route keeps packetdrill's tun device from going
 * away, so packetdrill would never end. */
static void lq_pdp_hold(int fd, int anchor, int hold_s)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    pid_t pid = fork();
    if (pid != 0)
        return;
    setsid();
    char path[128], line[32];
    lq_pdp_hold_path(path, sizeof(path));
    int hf = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (hf >= 0) {
        int n = snprintf(line, sizeof(line), "%d\n", (int)getpid());
        if (write(hf, line, (size_t)n) != n) {
            /* without it only packetdrill's end or hold_s ends the hold */
        }
        close(hf);
    }
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
    }
    for (int i = 3; i < 1024; i++)
        if (i != fd && i != anchor)
            close(i);
    struct pollfd p = {.fd = anchor, .events = POLLIN};
    poll(&p, 1, hold_s * 1000); /* a pidfd is readable when its process ended */
    _exit(0);
}

int lq_pdp_release(struct lq_err *err)
{
    if (lq_netns_refuse_initial("release", err) < 0)
        return -1;
    char path[128];
    lq_pdp_hold_path(path, sizeof(path));
    FILE *f = fopen(path, "r");
    if (!f)
        return 0; /* nothing held */
    struct stat me;
    stat("/proc/thread-self/ns/net", &me);
    int pid, pids[256], n = 0;
    while (n < 256 && fscanf(f, "%d", &pid) == 1) {
        char ns[64];
        struct stat st;
        snprintf(ns, sizeof(ns), "/proc/%d/ns/net", pid);
        /* only a holder of this namespace (a pid may have been reused) */
        if (pid > 1 && stat(ns, &st) == 0 && st.st_ino == me.st_ino && kill(pid, SIGKILL) == 0)
            pids[n++] = pid;
    }
    fclose(f);
    unlink(path);
    /* bounded: until they are gone (their sockets reset), at most 1 s */
    int64_t end = lq_pdp_now_ms() + 1000;
    for (int i = 0; i < n && lq_pdp_now_ms() < end;) {
        char pp[64];
        struct stat st;
        snprintf(pp, sizeof(pp), "/proc/%d/ns/net", pids[i]);
        if (stat(pp, &st) != 0)
            i++;
        else
            usleep(1000);
    }
    return 0;
}

int lq_pdp_accept(uint16_t lport, uint16_t port, int mss, int errno_want, int hold_s,
                  struct lq_err *err)
{
    if (lq_netns_refuse_initial("accept()", err) < 0)
        return -1;
    int anchor = -1;
    int ls = lq_pdp_find_listener(lport, &anchor, err);
    if (ls < 0)
        return -1;
    struct sockaddr_storage ss;
    socklen_t al = sizeof(ss);
    struct sockaddr_in *sa = (struct sockaddr_in *)&ss; /* the port: same place in in6 */
    struct sockaddr_in a;
    int c = accept4(ls, (struct sockaddr *)&ss, &al, SOCK_NONBLOCK | SOCK_CLOEXEC);
    int e = errno;
    a.sin_port = c >= 0 ? sa->sin_port : 0;
    int rc = 0;
    if (c < 0 && !errno_want)
        rc = lq_errf(err, LQ_EXIT_FAIL, "accept() failed: %s; the model returns port %u",
                     strerror(e), port);
    else if (c < 0 && e != errno_want)
        rc = lq_errf(err, LQ_EXIT_FAIL, "accept() failed with %s; the model's fails with %s",
                     strerror(e), strerror(errno_want));
    else if (c >= 0 && errno_want)
        rc = lq_errf(err, LQ_EXIT_FAIL,
                     "accept() returned the connection from port %u; the model's fails with %s",
                     ntohs(a.sin_port), strerror(errno_want));
    else if (c >= 0 && ntohs(a.sin_port) != port)
        rc = lq_errf(err, LQ_EXIT_FAIL,
                     "accept() returned the connection from port %u; the model's, port %u",
                     ntohs(a.sin_port), port);
    if (!rc && c >= 0 && mss >= 0) {
        int v = 0;
        socklen_t vl = sizeof(v);
        if (getsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &v, &vl) < 0)
            rc = lq_errno(err, LQ_EXIT_ERROR, "getsockopt(TCP_MAXSEG)");
        else if (v != mss)
            rc = lq_errf(err, LQ_EXIT_FAIL,
                         "the accepted socket's TCP_MAXSEG is %d; the model's is %d", v, mss);
    }
    if (c >= 0) {
        lq_pdp_hold(c, anchor, hold_s);
        close(c);
    }
    close(ls);
    close(anchor);
    return rc;
}
