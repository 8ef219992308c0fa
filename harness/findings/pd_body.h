/* harness/findings/pd_body.h: the body of a packetdrill script, written one
 * directive of the scenario at a time into the script's state (pd_script.h):
 * the listener's socket lines, the calls and the flow's segments with the
 * replies the model predicts, the other connections' pd-peer lines, the
 * expect lines as backtick checks (pd_checks.h) where they stand, and the
 * model's state after each event. packetdrill.c writes the header and the
 * set-up around it. Private to the exporter.
 */
#ifndef LISTENQ_HARNESS_PD_BODY_H
#define LISTENQ_HARNESS_PD_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/scenario.h"
#include "pd_script.h"
#include "run/trace.h"

/* The scenario's line of directive i (its index + 1 where it has none). */
uint32_t lq_pd_line(const struct lq_scenario *sc, size_t i);
/* One "left out" line of the header (p->left), once. */
void lq_pd_left(struct lq_pd *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The socket() and bind() lines of the listener, once (before the first
 * event, or at the end for a scenario without one). */
void lq_pd_socket(struct lq_pd *p);
/* Directive i of the scenario into p->body; obs is its observation in the
 * trace (index oi; NULL for a directive without one). A leading sysctl
 * (*leading: no event yet) goes into setup, the set-up backtick's values;
 * the first event clears *leading. */
void lq_pd_directive(struct lq_pd *p, size_t i, const struct lq_obs *obs, size_t oi, bool *leading,
                     int64_t *setup);

#endif
