/* harness/live/inject.h: sends client frames on the client end of the veth (libnet).
 *
 * Open it while the calling thread is in the client namespace: libnet's
 * packet socket is bound to that namespace for good. Frames are built by
 * libnet (checksums included), culled into the caller's buffer and written
 * as exactly those bytes, so what is recorded is what was sent.
 */
#ifndef LISTENQ_HARNESS_INJECT_H
#define LISTENQ_HARNESS_INJECT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "model/segment.h"

struct lq_inject;

/* src/dst: the client's and the server's MAC and IPv4 address. ifname must
 * be up (libnet checks). Not root: LQ_EXIT_SKIP. */
struct lq_inject *lq_inject_open(const char *ifname, const uint8_t src_mac[6],
                                 const uint8_t dst_mac[6], struct in_addr src, struct in_addr dst,
                                 struct lq_err *err);
/* The client's and the server's IPv6 addresses, for segments with seg->ipv6
 * and IPv6 echoes (libnet_build_ipv6: traffic class 0, flow label 0, hop
 * limit 64). */
void lq_inject_set_ipv6(struct lq_inject *in, const struct in6_addr *src,
                        const struct in6_addr *dst);
/* With seg->icmp, the frame is an ICMP error about the connection's
 * segment instead (wire/frame.h, lq_frame_build_icmp_error). */
/* Sends one TCP frame for seg: flags, seq, ack, win, the options of seg->opt
 * laid out as Linux does (see lq_frame_tcp_options), seg->len payload bytes
 * of lq_frame_payload_byte(). IP: DF, TTL 64, an id counting up from 1 per
 * frame of this handle. The frame goes into buf (cap bytes), its length into
 * *flen. */
int lq_inject_tcp(struct lq_inject *in, const struct lq_seg *seg, uint8_t *buf, size_t cap,
                  size_t *flen, struct lq_err *err);
/* Sends an ICMP echo request without payload (ipv6: an ICMPv6 one). */
int lq_inject_echo(struct lq_inject *in, bool ipv6, uint16_t id, uint16_t seq, uint8_t *buf,
                   size_t cap, size_t *flen, struct lq_err *err);
/* A TCP frame for seg (as lq_inject_tcp) and an echo request of the same
 * family (as lq_inject_echo) right after it, written by one sendmmsg(): the
 * frames go through the veth in this order, as two writes would send them,
 * for one system call. The frames go into buf and ebuf. */
int lq_inject_tcp_then_echo(struct lq_inject *in, const struct lq_seg *seg, uint16_t id,
                            uint16_t seq, uint8_t *buf, size_t cap, size_t *flen, uint8_t *ebuf,
                            size_t ecap, size_t *eflen, struct lq_err *err);
/* CLOCK_REALTIME (the clock of captured frames) read just before the last
 * frame was written: the server answers inside that write, so a stamp taken
 * after the call would sort the answer before the question in a pcap. */
uint64_t lq_inject_last_ns(const struct lq_inject *in);
/* CLOCK_MONOTONIC read right before and right after the last write (after
 * the before_write hook): the kernel handled the frame in between. */
void lq_inject_last_mono(const struct lq_inject *in, uint64_t *before_ns, uint64_t *after_ns);
/* fn(arg) runs right before every write, once the frame is built: the live
 * backend holds the write back there until the clock is clear of a jiffy
 * boundary, with no work left between that check and the write (building a
 * frame on a loaded machine can take the margin). NULL: none. */
void lq_inject_set_before_write(struct lq_inject *in, void (*fn)(void *arg), void *arg);
/* Tests: every frame is held us microseconds once it is built, before the
 * before_write hook, as a loaded machine preempts a writer there. */
void lq_inject_set_preempt(struct lq_inject *in, unsigned us);
/* Tests: every other write is held, once its clocks are read
 * (lq_inject_last_mono), until guard_ns past the next multiple of tick_ns
 * of CLOCK_MONOTONIC (the next jiffy), as a host stopping the vCPU right
 * there would: the kernel handles the frame a jiffy later than the clocks
 * say. tick_ns 0: none. */
void lq_inject_set_late_writes(struct lq_inject *in, uint64_t tick_ns, uint64_t guard_ns);
/* The IP id the next frame will carry. */
uint16_t lq_inject_next_ip_id(const struct lq_inject *in);
void lq_inject_close(struct lq_inject *in);

#endif
