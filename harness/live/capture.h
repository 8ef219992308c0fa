/* harness/live/capture.h: frames the server sends, captured on the client end.
 *
 * libpcap on the client end of the veth, opened while the calling thread is
 * in the client namespace: immediate mode (no batching delay), non-blocking,
 * nanosecond timestamps, incoming direction only (the injected frames are
 * outgoing there), snap length 256.
 */
#ifndef LISTENQ_HARNESS_CAPTURE_H
#define LISTENQ_HARNESS_CAPTURE_H

#include <stdint.h>

#include "util/err.h"
#include "wire/frame.h"

enum { LQ_CAPTURE_SNAPLEN = 256 };

struct lq_capture;

struct lq_capture *lq_capture_open(const char *ifname, struct lq_err *err);
/* Hands over only TCP frames (over IPv4 or IPv6) from server_port and echo
 * replies of either family. The kernel's filter, "tcp or icmp[icmptype] ==
 * icmp-echoreply or (icmp6 and ip6[40] == 129)", is installed at the first
 * call and never changed (installing one costs about 40 us and makes
 * libpcap filter the ring again in user space); the port is checked as
 * frames are handed over, so none of an old port slips through. */
int lq_capture_set_port(struct lq_capture *c, uint16_t server_port, struct lq_err *err);
/* For poll() alongside other descriptors. */
int lq_capture_fd(const struct lq_capture *c);

struct lq_frame {
    uint64_t ts_ns;      /* CLOCK_REALTIME, stamped by the kernel */
    const uint8_t *data; /* valid during the callback only */
    uint32_t caplen, len;
    struct lq_frame_info info; /* parse result; all false when not TCP/ICMP */
};
typedef int (*lq_frame_cb)(void *arg, const struct lq_frame *f); /* non-zero: stop early */

/* Waits up to timeout_ms (0: no wait) for frames with poll(), then hands every
 * frame available to cb. Returns the number of frames handed over (frames
 * after an early stop stay queued for the next call), -1 on error. */
int lq_capture_poll(struct lq_capture *c, int timeout_ms, lq_frame_cb cb, void *arg,
                    struct lq_err *err);
/* Frames the kernel dropped because the ring was full (pcap_stats ps_drop). */
int lq_capture_drops(struct lq_capture *c, uint64_t *drops, struct lq_err *err);
/* The clock of lq_frame.ts_ns (see also lq_inject_last_ns). */
uint64_t lq_capture_now_ns(void);
void lq_capture_close(struct lq_capture *c);
/* In a process forked from the one that opened c: lets go of this process's
 * copies (the descriptor, the ring's mapping) and frees c, leaving the
 * socket as it is to the processes that still hold it. lq_capture_close
 * asks the kernel to take the ring down first (pcap_close: setsockopt
 * PACKET_RX_RING, no ring): 6.12 and 6.18 refuse at once while another
 * mapping exists (packet_set_ring: EBUSY), but a kernel that detached the
 * socket before that check would stop the others' capture for an RCU grace
 * period; this never asks. */
void lq_capture_disown(struct lq_capture *c);

#endif
