/* harness/live/exchange.h: frames to and from the kernel under test over
 * the veth, for the kernel backend's modules (backend_live_state.h): a
 * segment injected and its answers captured up to the ordering barrier, the
 * jiffy the kernel handled it in, waits for timers and late packets, the
 * client ports of the scenario's connections. */
#ifndef LISTENQ_LIVE_EXCHANGE_H
#define LISTENQ_LIVE_EXCHANGE_H

#include "backend_live_state.h"

/* A frame is never injected within this of a jiffy boundary (exchange.c,
 * the clock). */
#define LQ_LIVE_TICK_GUARD_NS 50000u

/* The kernel's jiffies_64 at CLOCK_MONOTONIC mono_ns (an exact clock). */
uint64_t lq_live_jiffies_of(const struct lq_live *lv, uint64_t mono_ns);

/* Waits until the clock is clear of a jiffy boundary; the jiffy the next
 * write is handled in (0 when the phase is not known). */
uint64_t lq_live_tick_guard(const struct lq_live *lv);

/* inject's before_write hook (arg: the struct lq_live): the guard. */
void lq_live_before_write(void *arg);

/* Whether a client port's segments were IPv6 (the listener's family for a
 * port never seen). */
bool lq_live_port_ipv6(const struct lq_live *lv, uint16_t port);

/* A client port's connection, or -1; and the other way round. */
int lq_live_conn_of_port(const struct lq_live *lv, uint16_t port);
int lq_live_port_of_conn(const struct lq_live *lv, uint16_t conn);

/* Drops the frames kept for the scenario's pcap. */
void lq_live_clear_frames(struct lq_live *lv);

/* The ordering barrier (an ICMP echo through the veth), sent and waited
 * for: its reply comes after every frame the kernel produced before it. */
int lq_live_barrier(struct lq_live *lv, struct lq_err *err);

/* Before the first scenario: an answered echo of this family, retried
 * (bounded) while the fresh namespace's routes come up. */
int lq_live_wait_reachable(struct lq_live *lv, bool ipv6, struct lq_err *err);

/* The request socks of the scenario's port (inet_diag), read again. */
int lq_live_refresh_synq(struct lq_live *lv, struct lq_err *err);

/* The backend's segment, wait and settle operations (backend.h). */
int lq_live_segment(struct lq_backend *b, const struct lq_seg *seg, struct lq_replies *out,
                    struct lq_err *err);
int lq_live_wait(struct lq_backend *b, uint64_t ms, struct lq_replies *out, int64_t *waited_us,
                 struct lq_err *err);
int lq_live_settle(struct lq_backend *b, uint64_t max_ms, uint16_t conn, struct lq_replies *out,
                   struct lq_err *err);

#endif
