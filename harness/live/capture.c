/* harness/live/capture.c: see capture.h. */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

struct lq_capture {
    pcap_t *p;
    int fd;
    bool filtered; /* the kernel filter is installed */
    uint16_t port; /* the server port whose TCP frames are handed over */
    /* The current lq_capture_poll call, for the pcap handler. */
    lq_frame_cb cb;
    void *arg;
    int count;
};

struct lq_capture *lq_capture_open(const char *ifname, struct lq_err *err)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    struct lq_capture *c = calloc(1, sizeof(*c));
    if (!c) {
        lq_errf(err, LQ_EXIT_ERROR, "out of memory");
        return NULL;
    }
    c->fd = -1;
    c->p = pcap_create(ifname, ebuf);
    if (!c->p) {
        lq_errf(err, LQ_EXIT_ERROR, "pcap_create %s: %s", ifname, ebuf);
        free(c);
        return NULL;
    }
    if (pcap_set_snaplen(c->p, LQ_CAPTURE_SNAPLEN) != 0 || pcap_set_promisc(c->p, 0) != 0 ||
        pcap_set_immediate_mode(c->p, 1) != 0 ||
        pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_NANO) != 0) {
        lq_errf(err, LQ_EXIT_ERROR, "pcap options on %s: %s", ifname, pcap_geterr(c->p));
        goto fail;
    }
    int rc = pcap_activate(c->p);
    if (rc < 0) {
        int st = rc == PCAP_ERROR_PERM_DENIED ? LQ_EXIT_SKIP : LQ_EXIT_ERROR;
        lq_errf(err, st, "capturing on %s: %s%s", ifname, pcap_statustostr(rc),
                rc == PCAP_ERROR_PERM_DENIED ? " (needs CAP_NET_RAW)" : "");
        goto fail;
    }
    if (pcap_datalink(c->p) != DLT_EN10MB) {
        lq_errf(err, LQ_EXIT_ERROR, "%s is not an Ethernet device", ifname);
        goto fail;
    }
    if (pcap_setdirection(c->p, PCAP_D_IN) < 0 || pcap_setnonblock(c->p, 1, ebuf) < 0) {
        lq_errf(err, LQ_EXIT_ERROR, "pcap on %s: %s", ifname, pcap_geterr(c->p));
        goto fail;
    }
    c->fd = pcap_get_selectable_fd(c->p);
    if (c->fd < 0) {
        lq_errf(err, LQ_EXIT_ERROR, "pcap on %s has no selectable descriptor", ifname);
        goto fail;
    }
    return c;
fail:
    lq_capture_close(c);
    return NULL;
}

int lq_capture_set_port(struct lq_capture *c, uint16_t server_port, struct lq_err *err)
{
    c->port = server_port;
    if (c->filtered)
        return 0;
    /* ip6[40]: the ICMPv6 type right after a header without extensions */
    static const char text[] =
        "tcp or icmp[icmptype] == icmp-echoreply or (icmp6 and ip6[40] == 129)";
    struct bpf_program prog;
    if (pcap_compile(c->p, &prog, text, 1, PCAP_NETMASK_UNKNOWN) < 0)
        return lq_errf(err, LQ_EXIT_ERROR, "pcap_compile \"%s\": %s", text, pcap_geterr(c->p));
    int rc = pcap_setfilter(c->p, &prog);
    pcap_freecode(&prog);
    if (rc < 0)
        return lq_errf(err, LQ_EXIT_ERROR, "installing the capture filter: %s", pcap_geterr(c->p));
    c->filtered = true;
    return 0;
}

int lq_capture_fd(const struct lq_capture *c)
{
    return c->fd;
}

static void handler(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct lq_capture *c = (struct lq_capture *)user;
    struct lq_frame f = {
        /* With nanosecond precision, tv_usec holds nanoseconds. */
        .ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec,
        .data = bytes,
        .caplen = h->caplen,
        .len = h->len,
    };
    if (lq_frame_parse(bytes, h->caplen, &f.info) < 0)
        memset(&f.info, 0, sizeof(f.info));
    if (f.info.is_tcp && f.info.seg.sport != c->port)
        return; /* another port's: an earlier scenario's, or not ours */
    c->count++;
    if (c->cb(c->arg, &f) != 0)
        pcap_breakloop(c->p);
}

int lq_capture_poll(struct lq_capture *c, int timeout_ms, lq_frame_cb cb, void *arg,
                    struct lq_err *err)
{
    if (timeout_ms > 0) {
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        int r = poll(&pfd, 1, timeout_ms);
        if (r < 0 && errno != EINTR)
            return lq_errno(err, LQ_EXIT_ERROR, "poll on the capture");
    }
    c->cb = cb;
    c->arg = arg;
    c->count = 0;
    int r = pcap_dispatch(c->p, -1, handler, (u_char *)c);
    if (r == PCAP_ERROR)
        return lq_errf(err, LQ_EXIT_ERROR, "capture: %s", pcap_geterr(c->p));
    return c->count; /* also after PCAP_ERROR_BREAK */
}

int lq_capture_drops(struct lq_capture *c, uint64_t *drops, struct lq_err *err)
{
    struct pcap_stat st;
    if (pcap_stats(c->p, &st) < 0)
        return lq_errf(err, LQ_EXIT_ERROR, "pcap_stats: %s", pcap_geterr(c->p));
    *drops = st.ps_drop;
    return 0;
}

uint64_t lq_capture_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void lq_capture_close(struct lq_capture *c)
{
    if (!c)
        return;
    if (c->p)
        pcap_close(c->p);
    free(c);
}

void lq_capture_disown(struct lq_capture *c)
{
    if (!c)
        return;
    if (c->p) {
        /* /dev/null in the socket's place: pcap_close's setsockopt
         * (PACKET_RX_RING, no ring) then fails with ENOTSOCK and touches
         * nothing, its munmap drops this process's mapping, its close the
         * /dev/null (one descriptor number throughout: nothing else can
         * get it in between) */
        int fd = pcap_fileno(c->p);
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && null >= 0 && dup2(null, fd) == fd)
            pcap_close(c->p);
        /* else the copies stay until this process ends: no harm */
        if (null >= 0)
            close(null);
    }
    free(c);
}
