/* fuzz/invariants.h: a model backend that checks the model's bookkeeping
 * after every step the runner takes (docs/fuzzing.md, "Invariants").
 *
 * lq_inv_wrap() returns a backend that forwards every call to a model
 * backend and, after each event (sysctl, listen, sockopt, segment, accept,
 * wait), checks:
 *   - lq_model_check_invariants() holds;
 *   - every counter is monotonic; SyncookiesSent <= TCPReqQFullDoCookies;
 *     ListenOverflows <= ListenDrops, and no step raises the first more than
 *     the second; PassiveOpens equals the children created;
 *   - request socks are conserved: qlen changes by the requests queued minus
 *     those the step's decision points say left (child created, embryonic
 *     reset, overflow abort, timer expiry); at most one is queued per segment
 *     and none by other calls; 0 <= young <= qlen;
 *   - at an insert the SYN queue is within its limit (N + 1 with the 6.13+
 *     "qlen > N" rule, N before it, the legacy table size before 4.4), and
 *     with cookies off the quarter rule of tcp_max_syn_backlog held;
 *   - children are conserved: the accept queue changes by the children
 *     created minus those accept() returned; at an enqueue it holds at most
 *     N + 1; every child is either queued or accepted (never both, never
 *     neither); one hashed socket per 4-tuple;
 *   - a cookie SYN-ACK only with tcp_syncookies on; no decision point the
 *     profile cannot reach (lq_dp_unreachable); virtual time never goes back.
 * A broken invariant prints what broke, after which directive, and the
 * scenario, then abort()s: libFuzzer keeps the input as a crash.
 *
 * Read-only on the model (model_internal.h); needs no privileges.
 */
#ifndef LISTENQ_FUZZ_INVARIANTS_H
#define LISTENQ_FUZZ_INVARIANTS_H

#include "run/backend_model.h"

/* Wraps a model backend (taking ownership: destroying the wrapper destroys
 * it); NULL when memory ran out or `model` is no model backend. */
struct lq_backend *lq_inv_wrap(struct lq_backend *model);
/* The wrapped model backend (to plant a test bug, read its model). */
struct lq_backend *lq_inv_inner(struct lq_backend *b);
/* Steps checked since the wrapper was made. */
uint64_t lq_inv_steps(const struct lq_backend *b);
/* The label printed with a broken invariant ("listenq_model_fuzzer"). */
void lq_inv_set_label(struct lq_backend *b, const char *label);

/* The checks alone, for tests: NULL or what broke. The wrapper calls it. */
const char *lq_inv_check_model(const struct lq_model *m);

#endif
