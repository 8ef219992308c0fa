/* harness/live/scenario_end.h: what a scenario left in the kernel,
 * removed before the next one (the kernel backend's end operation). */
#ifndef LISTENQ_LIVE_SCENARIO_END_H
#define LISTENQ_LIVE_SCENARIO_END_H

#include "backend_live_state.h"

/* Accepted sockets and listeners closed with an RST, orphaned connections
 * reset, request socks purged, a lowered PMTU flushed, leftover sockets of
 * the port destroyed. */
int lq_live_end_scenario(struct lq_live *lv, struct lq_err *err);

#endif
