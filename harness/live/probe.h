/* harness/live/probe.h: the kernel's own cost of an event, for `listenq
 * bench` (live_raw_roundtrip_us beside live_event_us).
 *
 * Private namespaces and a veth as the live backend makes them (netns.h), a
 * listener in the server namespace, and on the client end nothing but a
 * bare AF_PACKET socket: a SYN is written, the SYN-ACK read (the veth hands
 * the frame to the server's stack in the same system call, so the reply is
 * normally queued when the write returns), then an RST frees the request.
 * One SYN -> SYN-ACK + RST pair is the round trip: no capture library, no
 * filter, no barrier, no queue or counter read. */
#ifndef LISTENQ_HARNESS_PROBE_H
#define LISTENQ_HARNESS_PROBE_H

#include <stddef.h>

#include "util/err.h"

struct lq_probe;

/* Makes the namespaces, the listener and the packet socket; the calling
 * thread ends in the namespace it started in. NULL with err (LQ_EXIT_SKIP
 * without the privileges). */
struct lq_probe *lq_probe_open(struct lq_err *err);
/* Times n round trips into us[0..n) (microseconds each). *late counts the
 * SYN-ACKs that were not queued yet when the SYN's write returned (they
 * were waited for, bounded by 1 s). 0, or -1 with err. */
int lq_probe_roundtrips(struct lq_probe *p, size_t n, double *us, size_t *late, struct lq_err *err);
/* The same over IPv6 (2001:db8::2 -> an IPv6-only listener on 2001:db8::1).
 * -1 with err (LQ_EXIT_SKIP when the namespaces have no IPv6). */
int lq_probe_roundtrips6(struct lq_probe *p, size_t n, double *us, size_t *late,
                         struct lq_err *err);
/* Closes everything; the namespaces die with their descriptors. The calling
 * thread stays where it is. */
void lq_probe_close(struct lq_probe *p);

#endif
