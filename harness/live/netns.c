/* harness/live/netns.c: see netns.h. */
#include "netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/capability.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/veth.h>

enum {
    NL_BUF = 8192,
    NL_MAX_RECVS = 64, /* one request gets at most a reply and an ACK */
    NL_TIMEOUT_S = 2,
    OPER_WAIT_MS = 2000,
};

static const char SERVER_IF[] = "lqs0", CLIENT_IF[] = "lqc0";
/* Fixed, locally administered MACs ("lq"), so pcaps of two runs compare equal. */
static const uint8_t SERVER_MAC[6] = {0x02, 0x6c, 0x71, 0x00, 0x00, 0x01};
static const uint8_t CLIENT_MAC[6] = {0x02, 0x6c, 0x71, 0x00, 0x00, 0x02};
static const char SERVER_IP[] = "198.18.0.1", CLIENT_IP[] = "198.18.0.2";
static const char SERVER_IP6[] = "2001:db8::1", CLIENT_IP6[] = "2001:db8::2";
enum {
    PREFIX_LEN = 24,
    PREFIX_LEN6 = 64,
    OPER_UP = 6, /* IF_OPER_UP: <linux/if.h> clashes with <net/if.h> */
};

/* ---- sysctl ---- */

static int sysctl_path(const char *name, char *path, size_t cap, struct lq_err *err)
{
    int n = snprintf(path, cap, "/proc/sys/%s", name);
    if (n < 0 || (size_t)n >= cap)
        return lq_errf(err, LQ_EXIT_ERROR, "sysctl name too long: %s", name);
    for (char *p = path + strlen("/proc/sys/"); *p; p++)
        if (*p == '.')
            *p = '/';
    return 0;
}

bool lq_sysctl_exists(const char *name)
{
    char path[256];
    return sysctl_path(name, path, sizeof(path), NULL) == 0 && access(path, F_OK) == 0;
}

/* The namespaces a sysctl must never be written in: the initial one (pid
 * 1's) and the one lq_netns_setup() started from. */
static struct {
    bool known;
    dev_t dev;
    ino_t ino;
} lq_orig_ns;

static int refuse_foreign_ns(const char *what, struct lq_err *err);

int lq_sysctl_write(const char *name, const char *value, struct lq_err *err)
{
    char path[256];
    if (sysctl_path(name, path, sizeof(path), err) < 0)
        return -1;
    /* the last line of defence: whatever the caller did, never the host's */
    if (refuse_foreign_ns(name, err) < 0)
        return -1;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return lq_errno(err, errno == EACCES ? LQ_EXIT_SKIP : LQ_EXIT_ERROR, "cannot open %s",
                        path);
    size_t len = strlen(value);
    ssize_t w = write(fd, value, len);
    int saved = errno;
    close(fd);
    errno = saved;
    if (w < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot write \"%s\" to %s", value, path);
    if ((size_t)w != len)
        return lq_errf(err, LQ_EXIT_ERROR, "short write of \"%s\" to %s", value, path);
    return 0;
}

int lq_sysctl_read(const char *name, char *buf, size_t len, struct lq_err *err)
{
    char path[256];
    if (len == 0 || sysctl_path(name, path, sizeof(path), err) < 0)
        return lq_errf(err, LQ_EXIT_ERROR, "cannot read sysctl %s", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot open %s", path);
    ssize_t r = read(fd, buf, len);
    int saved = errno;
    close(fd);
    errno = saved;
    if (r < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot read %s", path);
    if ((size_t)r == len)
        return lq_errf(err, LQ_EXIT_ERROR, "%s does not fit in %zu bytes", path, len);
    while (r > 0 && buf[r - 1] == '\n')
        r--;
    buf[r] = '\0';
    return 0;
}

static int sysctl_write_if_present(const char *name, const char *value, struct lq_err *err)
{
    return lq_sysctl_exists(name) ? lq_sysctl_write(name, value, err) : 0;
}

/* ---- privileges and namespace identity ---- */

static int check_caps(struct lq_err *err)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &hdr, data) < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "capget");
    static const struct {
        int cap;
        const char *name;
    } need[] = {{CAP_SYS_ADMIN, "CAP_SYS_ADMIN (unshare/setns)"},
                {CAP_NET_ADMIN, "CAP_NET_ADMIN"},
                {CAP_NET_RAW, "CAP_NET_RAW"}};
    char missing[128] = "";
    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
        int c = need[i].cap;
        if (data[c / 32].effective & (1u << (c % 32)))
            continue;
        size_t used = strlen(missing);
        snprintf(missing + used, sizeof(missing) - used, "%s%s", used ? ", " : "", need[i].name);
    }
    if (missing[0])
        return lq_errf(err, LQ_EXIT_SKIP,
                       "live backend needs %s (run as root, or with these capabilities)", missing);
    return 0;
}

static int open_current_ns(struct lq_err *err)
{
    int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot open /proc/thread-self/ns/net");
    return fd;
}

/* unshare(CLONE_NEWNET) and a descriptor for the new namespace. */
static int new_ns(struct lq_err *err)
{
    if (unshare(CLONE_NEWNET) < 0)
        return lq_errno(err, errno == EPERM ? LQ_EXIT_SKIP : LQ_EXIT_ERROR,
                        "unshare(CLONE_NEWNET)%s", errno == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
    return open_current_ns(err);
}

/* init_net's fixed inode number: NET_NS_INIT_INO in <linux/nsfs.h> of recent
 * kernels (6.18 has it). Older ones number init_net like any other namespace. */
#define NET_INIT_INO 0xEFFFFFF9u

/* The harness must never configure the initial namespace nor the caller's.
 * pid 1's namespace is the reference. When /proc/1/ns/net may not be read
 * (ptrace access to pid 1 denied, as in some sandboxes) init_net's fixed
 * inode number stands in for it, which only works where it is fixed. Each
 * namespace is checked as soon as it exists, before anything is configured
 * in it: unshare() never returns an existing namespace, but an unshare()
 * that did nothing (a sandbox, an LD_PRELOAD shim) must not let the first
 * write reach the host. */
static int is_init_ns(const struct stat *st, bool *is_init, struct lq_err *err)
{
    struct stat init;
    if (stat("/proc/1/ns/net", &init) == 0) {
        *is_init = st->st_dev == init.st_dev && st->st_ino == init.st_ino;
        return 0;
    }
    if (errno != EACCES && errno != EPERM)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot stat /proc/1/ns/net");
    *is_init = st->st_ino == NET_INIT_INO;
    return 0;
}

/* enum lq_ns_which, as the error messages name them */
static const char *const lq_ns_names[] = {"ORIG", "PARENT", "SERVER", "CLIENT"};

static int check_private(const struct lq_netns *ns, enum lq_ns_which upto, struct lq_err *err)
{
    struct stat orig;
    if (fstat(ns->fd[LQ_NS_ORIG], &orig) < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot stat the original namespace");
    for (int w = LQ_NS_PARENT; w <= (int)upto; w++) {
        struct stat st;
        bool is_init;
        if (fstat(ns->fd[w], &st) < 0)
            return lq_errno(err, LQ_EXIT_ERROR, "cannot stat the %s namespace", lq_ns_names[w]);
        if (is_init_ns(&st, &is_init, err) < 0)
            return -1;
        bool is_orig = st.st_dev == orig.st_dev && st.st_ino == orig.st_ino;
        for (int o = LQ_NS_PARENT; o < w; o++) {
            struct stat other;
            if (fstat(ns->fd[o], &other) == 0 && other.st_dev == st.st_dev &&
                other.st_ino == st.st_ino)
                return lq_errf(err, LQ_EXIT_ERROR, "refusing to run: %s and %s are one namespace",
                               lq_ns_names[o], lq_ns_names[w]);
        }
        if (is_init || is_orig)
            return lq_errf(err, LQ_EXIT_ERROR,
                           "refusing to run: the %s namespace is the %s namespace", lq_ns_names[w],
                           is_init ? "initial (pid 1's)" : "caller's");
    }
    return 0;
}

static int refuse_foreign_ns(const char *what, struct lq_err *err)
{
    struct stat st;
    bool is_init;
    if (stat("/proc/thread-self/ns/net", &st) < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot stat /proc/thread-self/ns/net");
    if (is_init_ns(&st, &is_init, err) < 0)
        return -1;
    if (is_init || (lq_orig_ns.known && st.st_dev == lq_orig_ns.dev && st.st_ino == lq_orig_ns.ino))
        return lq_errf(err, LQ_EXIT_ERROR,
                       "refusing to write %s: this thread is in the %s network namespace", what,
                       is_init ? "initial (pid 1's)" : "caller's");
    return 0;
}

int lq_netns_refuse_initial(const char *what, struct lq_err *err)
{
    return refuse_foreign_ns(what, err);
}

/* ---- rtnetlink ---- */

struct rtnl {
    struct mnl_socket *nl;
    unsigned int seq, portid;
};

static int err_status(int e)
{
    return e == EPERM || e == EACCES ? LQ_EXIT_SKIP : LQ_EXIT_ERROR;
}

/* A route netlink socket in the current namespace. */
static int rtnl_open(struct rtnl *r, struct lq_err *err)
{
    r->nl = mnl_socket_open(NETLINK_ROUTE);
    if (!r->nl)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot open a rtnetlink socket");
    struct timeval tv = {.tv_sec = NL_TIMEOUT_S};
    if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
        setsockopt(mnl_socket_get_fd(r->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
        lq_errno(err, LQ_EXIT_ERROR, "cannot set up a rtnetlink socket");
        mnl_socket_close(r->nl);
        r->nl = NULL;
        return -1;
    }
    r->portid = mnl_socket_get_portid(r->nl);
    r->seq = (unsigned int)time(NULL);
    return 0;
}

static void rtnl_close(struct rtnl *r)
{
    if (r->nl)
        mnl_socket_close(r->nl);
    r->nl = NULL;
}

/* Sends nlh with NLM_F_ACK; replies go to cb (may be NULL) until the ACK. */
static int rtnl_talk(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *arg, const char *what,
                     struct lq_err *err)
{
    char buf[NL_BUF] __attribute__((aligned(4)));
    nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    nlh->nlmsg_seq = ++r->seq;
    if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "%s: send", what);
    for (int i = 0; i < NL_MAX_RECVS; i++) {
        ssize_t n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return lq_errf(err, LQ_EXIT_ERROR, "%s: no answer within %d s", what, NL_TIMEOUT_S);
        if (n < 0)
            return lq_errno(err, LQ_EXIT_ERROR, "%s: receive", what);
        int rc = mnl_cb_run(buf, (size_t)n, r->seq, r->portid, cb, arg);
        if (rc == MNL_CB_STOP)
            return 0;
        if (rc < 0)
            return lq_errno(err, err_status(errno), "%s", what);
    }
    return lq_errf(err, LQ_EXIT_ERROR, "%s: no ACK after %d messages", what, NL_MAX_RECVS);
}

static struct nlmsghdr *link_msg(char *buf, uint16_t type, uint16_t flags, int ifindex)
{
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = flags;
    struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = ifindex;
    return nlh;
}

static int link_up(struct rtnl *r, int ifindex, const char *name, struct lq_err *err)
{
    char buf[NL_BUF] __attribute__((aligned(4)));
    struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);
    struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    char what[64];
    snprintf(what, sizeof(what), "setting %s up", name);
    return rtnl_talk(r, nlh, NULL, NULL, what, err);
}

/* lqs0 here, its peer lqc0 created directly in the namespace of peer_ns_fd. */
static int create_veth(struct rtnl *r, int peer_ns_fd, struct lq_err *err)
{
    char buf[NL_BUF] __attribute__((aligned(4)));
    struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, SERVER_IF);
    mnl_attr_put(nlh, IFLA_ADDRESS, 6, SERVER_MAC);
    struct nlattr *linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
    struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
    struct nlattr *peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
    /* The peer nest starts with its own struct ifinfomsg. */
    struct ifinfomsg *pifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifi));
    memset(pifi, 0, sizeof(*pifi));
    pifi->ifi_family = AF_UNSPEC;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, CLIENT_IF);
    mnl_attr_put(nlh, IFLA_ADDRESS, 6, CLIENT_MAC);
    mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_ns_fd);
    mnl_attr_nest_end(nlh, peer);
    mnl_attr_nest_end(nlh, data);
    mnl_attr_nest_end(nlh, linkinfo);
    return rtnl_talk(r, nlh, NULL, NULL, "creating veth lqs0/lqc0", err);
}

struct link_info {
    int ifindex;
    bool has_mac;
    uint8_t mac[6];
    uint8_t operstate;
    char qdisc[16];
};

static int link_attr_cb(const struct nlattr *a, void *arg)
{
    struct link_info *li = arg;
    switch (mnl_attr_get_type(a)) {
    case IFLA_ADDRESS:
        if (mnl_attr_get_payload_len(a) == 6) {
            memcpy(li->mac, mnl_attr_get_payload(a), 6);
            li->has_mac = true;
        }
        break;
    case IFLA_OPERSTATE:
        if (mnl_attr_validate(a, MNL_TYPE_U8) == 0)
            li->operstate = mnl_attr_get_u8(a);
        break;
    case IFLA_QDISC:
        if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
            snprintf(li->qdisc, sizeof(li->qdisc), "%s", mnl_attr_get_str(a));
        break;
    default: break;
    }
    return MNL_CB_OK;
}

static int link_msg_cb(const struct nlmsghdr *nlh, void *arg)
{
    struct link_info *li = arg;
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    li->ifindex = ifi->ifi_index;
    return mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, li);
}

static int get_link(struct rtnl *r, const char *name, struct link_info *li, struct lq_err *err)
{
    char buf[NL_BUF] __attribute__((aligned(4)));
    struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, 0, 0);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
    memset(li, 0, sizeof(*li));
    char what[64];
    snprintf(what, sizeof(what), "reading link %s", name);
    if (rtnl_talk(r, nlh, link_msg_cb, li, what, err) < 0)
        return -1;
    if (li->ifindex <= 0 || !li->has_mac)
        return lq_errf(err, LQ_EXIT_ERROR, "%s: no index or MAC in the kernel's answer", what);
    return 0;
}

/* Until linkwatch has run, a device up with carrier still transmits through
 * noop_qdisc, which drops: the first SYN would vanish. Wait (bounded) for
 * operstate UP and the real qdisc; both are set by the same linkwatch pass. */
static int wait_running(struct rtnl *r, const char *name, struct lq_err *err)
{
    struct timespec start, now, pause = {0, 200 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        struct link_info li;
        if (get_link(r, name, &li, err) < 0)
            return -1;
        if (li.operstate == OPER_UP && strcmp(li.qdisc, "noop") != 0)
            return 0;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (ms > OPER_WAIT_MS)
            return lq_errf(err, LQ_EXIT_ERROR,
                           "%s not running after %d ms (operstate %u, qdisc %s)", name,
                           OPER_WAIT_MS, li.operstate, li.qdisc);
        nanosleep(&pause, NULL);
    }
}

/* One address on an interface: AF_INET (ip is a struct in_addr) or AF_INET6
 * (a struct in6_addr, added with IFA_F_NODAD: usable at once, never tentative). */
static int add_addr(struct rtnl *r, int ifindex, int family, const void *ip, const char *what,
                    struct lq_err *err)
{
    char buf[NL_BUF] __attribute__((aligned(4)));
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_NEWADDR;
    nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
    struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
    size_t len = family == AF_INET6 ? 16 : 4;
    ifa->ifa_family = (uint8_t)family;
    ifa->ifa_prefixlen = family == AF_INET6 ? PREFIX_LEN6 : PREFIX_LEN;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = (uint32_t)ifindex;
    if (family == AF_INET6)
        ifa->ifa_flags = IFA_F_NODAD | IFA_F_PERMANENT;
    mnl_attr_put(nlh, IFA_LOCAL, len, ip);
    mnl_attr_put(nlh, IFA_ADDRESS, len, ip);
    if (family == AF_INET6)
        mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD | IFA_F_PERMANENT);
    return rtnl_talk(r, nlh, NULL, NULL, what, err);
}

/* A permanent neighbour entry, so no ARP or neighbour discovery ever runs. */
static int add_neigh(struct rtnl *r, int ifindex, int family, const void *ip, const uint8_t mac[6],
                     const char *what, struct lq_err *err)
{
    char buf[NL_BUF] __attribute__((aligned(4)));
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_NEWNEIGH;
    nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
    struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
    nd->ndm_family = (uint8_t)family;
    nd->ndm_ifindex = ifindex;
    nd->ndm_state = NUD_PERMANENT;
    mnl_attr_put(nlh, NDA_DST, family == AF_INET6 ? 16 : 4, ip);
    mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
    return rtnl_talk(r, nlh, NULL, NULL, what, err);
}

/* Offloads off, so frames carry the checksums and sizes the wire would. */
static int offloads_off(const char *ifname, struct lq_err *err)
{
    static const struct {
        uint32_t cmd;
        const char *name;
    } cmds[] = {{ETHTOOL_SRXCSUM, "rx-checksum"},
                {ETHTOOL_STXCSUM, "tx-checksum"},
                {ETHTOOL_SSG, "scatter-gather"},
                {ETHTOOL_STSO, "tso"},
                {ETHTOOL_SGSO, "gso"},
                {ETHTOOL_SGRO, "gro"}};
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "socket for ethtool");
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        struct ethtool_value ev = {.cmd = cmds[i].cmd, .data = 0};
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
        ifr.ifr_data = (char *)&ev;
        if (ioctl(fd, SIOCETHTOOL, &ifr) < 0 && errno != EOPNOTSUPP) {
            lq_errno(err, err_status(errno), "ethtool: turning %s off on %s", cmds[i].name, ifname);
            close(fd);
            return -1;
        }
    }
    close(fd);
    return 0;
}

/* ---- setup ---- */

static int enter_fd(int fd, const char *name, struct lq_err *err)
{
    if (setns(fd, CLONE_NEWNET) < 0)
        return lq_errno(err, errno == EPERM ? LQ_EXIT_SKIP : LQ_EXIT_ERROR,
                        "setns into the %s namespace", name);
    return 0;
}

/* IPv6 off before any device appears: no DAD, no router solicitations. */
static int quiet_namespace(struct lq_err *err)
{
    if (sysctl_write_if_present("net.ipv6.conf.all.disable_ipv6", "1", err) < 0 ||
        sysctl_write_if_present("net.ipv6.conf.default.disable_ipv6", "1", err) < 0)
        return -1;
    /* ip_forward may be inherited from the host's settings; off, so the client
     * kernel never routes (nor answers for) frames meant for it. */
    return sysctl_write_if_present("net.ipv4.ip_forward", "0", err);
}

/* The server's IPv6, before lqs0 appears (it takes the defaults): no DAD,
 * no router advertisements, solicitations or autoconfiguration, no
 * link-local address; then IPv6 on. False in *has when the kernel has no
 * IPv6 (no net.ipv6.conf): IPv6 scenarios are then skipped. */
static int server_ipv6(bool *has, struct lq_err *err)
{
    *has = lq_sysctl_exists("net.ipv6.conf.default.disable_ipv6");
    if (!*has)
        return 0;
    static const struct {
        const char *name, *value;
    } quiet[] = {
        {"accept_dad", "0"},
        {"dad_transmits", "0"},
        {"accept_ra", "0"},
        {"autoconf", "0"},
        {"router_solicitations", "0"},
        {"addr_gen_mode", "1"}, /* IN6_ADDR_GEN_MODE_NONE: no fe80:: address */
        {"forwarding", "0"},
    };
    char name[96];
    for (int which = 0; which < 2; which++)
        for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
            snprintf(name, sizeof(name), "net.ipv6.conf.%s.%s", which ? "all" : "default",
                     quiet[i].name);
            if (sysctl_write_if_present(name, quiet[i].value, err) < 0)
                return -1;
        }
    if (lq_sysctl_write("net.ipv6.conf.default.disable_ipv6", "0", err) < 0 ||
        lq_sysctl_write("net.ipv6.conf.all.disable_ipv6", "0", err) < 0)
        return -1;
    return 0;
}

static int setup_client_link(struct lq_netns *ns, struct lq_err *err)
{
    struct rtnl r = {0};
    struct link_info li;
    if (rtnl_open(&r, err) < 0)
        return -1;
    int rc = -1;
    if (get_link(&r, CLIENT_IF, &li, err) < 0)
        goto out;
    ns->client_ifindex = li.ifindex;
    memcpy(ns->client_mac, li.mac, 6);
    /* lqs0 is already up, so this gives both ends carrier. */
    if (offloads_off(CLIENT_IF, err) < 0 || link_up(&r, li.ifindex, CLIENT_IF, err) < 0 ||
        wait_running(&r, CLIENT_IF, err) < 0)
        goto out;
    rc = 0;
out:
    rtnl_close(&r);
    return rc;
}

static int setup_server(struct lq_netns *ns, struct lq_err *err)
{
    struct rtnl r = {0};
    struct link_info li;
    int rc = -1;
    if (quiet_namespace(err) < 0 || server_ipv6(&ns->ipv6, err) < 0 ||
        sysctl_write_if_present("net.ipv4.tcp_no_metrics_save", "1", err) < 0)
        return -1;
    if (rtnl_open(&r, err) < 0)
        return -1;
    if (link_up(&r, (int)if_nametoindex("lo"), "lo", err) < 0 ||
        create_veth(&r, ns->fd[LQ_NS_CLIENT], err) < 0 || get_link(&r, SERVER_IF, &li, err) < 0)
        goto out;
    ns->server_ifindex = li.ifindex;
    memcpy(ns->server_mac, li.mac, 6);
    if (offloads_off(SERVER_IF, err) < 0 ||
        add_addr(&r, li.ifindex, AF_INET, &ns->server_ip, "adding 198.18.0.1/24 to lqs0", err) <
            0 ||
        (ns->ipv6 && add_addr(&r, li.ifindex, AF_INET6, &ns->server_ip6,
                              "adding 2001:db8::1/64 (nodad) to lqs0", err) < 0) ||
        link_up(&r, li.ifindex, SERVER_IF, err) < 0)
        goto out;
    /* The client end comes up in its own namespace; then the neighbour. */
    if (enter_fd(ns->fd[LQ_NS_CLIENT], "CLIENT", err) < 0 || setup_client_link(ns, err) < 0 ||
        enter_fd(ns->fd[LQ_NS_SERVER], "SERVER", err) < 0)
        goto out;
    if (add_neigh(&r, li.ifindex, AF_INET, &ns->client_ip, ns->client_mac,
                  "adding the permanent neighbour 198.18.0.2", err) < 0 ||
        (ns->ipv6 && add_neigh(&r, li.ifindex, AF_INET6, &ns->client_ip6, ns->client_mac,
                               "adding the permanent neighbour 2001:db8::2", err) < 0) ||
        wait_running(&r, SERVER_IF, err) < 0)
        goto out;
    char v[32];
    if (lq_sysctl_exists("net.ipv4.tcp_ehash_entries") &&
        lq_sysctl_read("net.ipv4.tcp_ehash_entries", v, sizeof(v), NULL) == 0)
        ns->ehash_entries = atoi(v);
    rc = 0;
out:
    rtnl_close(&r);
    return rc;
}

int lq_netns_setup(struct lq_netns *ns, struct lq_err *err)
{
    memset(ns, 0, sizeof(*ns));
    for (int i = 0; i < 4; i++)
        ns->fd[i] = -1;
    snprintf(ns->server_ifname, sizeof(ns->server_ifname), "%s", SERVER_IF);
    snprintf(ns->client_ifname, sizeof(ns->client_ifname), "%s", CLIENT_IF);
    inet_pton(AF_INET, SERVER_IP, &ns->server_ip);
    inet_pton(AF_INET, CLIENT_IP, &ns->client_ip);
    inet_pton(AF_INET6, SERVER_IP6, &ns->server_ip6);
    inet_pton(AF_INET6, CLIENT_IP6, &ns->client_ip6);

    if (check_caps(err) < 0)
        return -1;
    if ((ns->fd[LQ_NS_ORIG] = open_current_ns(err)) < 0)
        return -1;
    struct stat orig;
    if (fstat(ns->fd[LQ_NS_ORIG], &orig) == 0) {
        lq_orig_ns.dev = orig.st_dev;
        lq_orig_ns.ino = orig.st_ino;
        lq_orig_ns.known = true;
    }
    if ((ns->fd[LQ_NS_PARENT] = new_ns(err)) < 0 || check_private(ns, LQ_NS_PARENT, err) < 0)
        goto fail;
    /* Namespaces created from PARENT get a small private established hash,
     * so inet_diag dumps walk 1024 buckets instead of the host's table. */
    if (sysctl_write_if_present("net.ipv4.tcp_child_ehash_entries", "1024", err) < 0)
        goto fail;
    if ((ns->fd[LQ_NS_SERVER] = new_ns(err)) < 0 || check_private(ns, LQ_NS_SERVER, err) < 0 ||
        enter_fd(ns->fd[LQ_NS_PARENT], "PARENT", err) < 0 ||
        (ns->fd[LQ_NS_CLIENT] = new_ns(err)) < 0 || check_private(ns, LQ_NS_CLIENT, err) < 0)
        goto fail;
    /* The thread is in CLIENT: quiet it before the veth end lands there. */
    if (quiet_namespace(err) < 0 || enter_fd(ns->fd[LQ_NS_SERVER], "SERVER", err) < 0 ||
        setup_server(ns, err) < 0)
        goto fail;
    return 0;
fail:
    lq_netns_teardown(ns);
    return -1;
}

int lq_netns_enter(const struct lq_netns *ns, enum lq_ns_which which, struct lq_err *err)
{
    if ((unsigned)which > LQ_NS_CLIENT || ns->fd[which] < 0)
        return lq_errf(err, LQ_EXIT_ERROR, "namespace %d is not open", (int)which);
    return enter_fd(ns->fd[which], lq_ns_names[which], err);
}

int lq_netns_check_in(const struct lq_netns *ns, enum lq_ns_which which, struct lq_err *err)
{
    struct stat want, here;
    if ((unsigned)which > LQ_NS_CLIENT || ns->fd[which] < 0)
        return lq_errf(err, LQ_EXIT_ERROR, "namespace %d is not open", (int)which);
    if (fstat(ns->fd[which], &want) < 0 || stat("/proc/thread-self/ns/net", &here) < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot stat the network namespaces");
    if (want.st_dev != here.st_dev || want.st_ino != here.st_ino)
        return lq_errf(err, LQ_EXIT_ERROR,
                       "this thread is not in the harness's %s network namespace (it was "
                       "made by another thread, and this one never entered it)",
                       lq_ns_names[which]);
    return 0;
}

void lq_netns_disown(struct lq_netns *ns)
{
    for (int i = 0; i < 4; i++) {
        if (ns->fd[i] >= 0)
            close(ns->fd[i]);
        ns->fd[i] = -1;
    }
}

void lq_netns_teardown(struct lq_netns *ns)
{
    /* Back home first: closing the descriptors would not move the thread. If
     * that fails the thread keeps the last namespace alive, nothing worse. */
    if (ns->fd[LQ_NS_ORIG] >= 0)
        (void)setns(ns->fd[LQ_NS_ORIG], CLONE_NEWNET);
    lq_netns_disown(ns);
}

int lq_netns_private_enter(struct lq_err *err)
{
    if (unshare(CLONE_NEWNET) < 0)
        return lq_errno(err, errno == EPERM ? LQ_EXIT_SKIP : LQ_EXIT_ERROR,
                        "unshare(CLONE_NEWNET)%s", errno == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
    if (refuse_foreign_ns("anything", err) < 0)
        return -1;
    struct rtnl r;
    if (rtnl_open(&r, err) < 0)
        return -1;
    int rc = link_up(&r, (int)if_nametoindex("lo"), "lo", err);
    rtnl_close(&r);
    return rc;
}

int lq_netns_flush_pmtu(const struct lq_netns *ns, bool ipv4, bool ipv6, struct lq_err *err)
{
    if (ipv4 && lq_sysctl_write("net.ipv4.route.flush", "1", err))
        return -1;
    if (!ipv6 || !ns->ipv6)
        return 0;
    struct rtnl r = {0};
    if (rtnl_open(&r, err))
        return -1;
    char buf[NL_BUF] __attribute__((aligned(4)));
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_DELROUTE;
    struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
    rtm->rtm_family = AF_INET6;
    rtm->rtm_dst_len = 128;
    rtm->rtm_table = RT_TABLE_MAIN;
    rtm->rtm_protocol = RTPROT_UNSPEC;
    rtm->rtm_scope = RT_SCOPE_NOWHERE;
    rtm->rtm_type = RTN_UNSPEC;
    rtm->rtm_flags = RTM_F_CLONED;
    mnl_attr_put(nlh, RTA_DST, sizeof(ns->client_ip6), &ns->client_ip6);
    mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ns->server_ifindex);
    struct lq_err e2 = {0};
    int rc = rtnl_talk(&r, nlh, NULL, NULL, "deleting the PMTU exception to the client", &e2);
    int e = errno;
    rtnl_close(&r);
    /* none to delete (ESRCH): no error lowered the route's MTU */
    if (rc && e != ESRCH) {
        *err = e2;
        return -1;
    }
    return 0;
}
