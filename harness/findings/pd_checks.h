/* harness/findings/pd_checks.h: a scenario's expect lines as packetdrill
 * backtick checks (docs/packetdrill.md, "Checks").
 *
 * Each check is a shell command packetdrill runs at its place in the script
 * and that fails the script (at that line) when the kernel's value is not
 * the scenario's: counters through nstat (its history reset when the script
 * starts, so a value is the change since then), queue lengths and the
 * backlog through ss. What an event sent is counted by TcpOutSegs between a
 * mark written just before the event and the check after it. Files live
 * under /tmp, named by the network namespace's inode, so that scripts run at
 * once in different namespaces do not share them.
 */
#ifndef LISTENQ_HARNESS_PD_CHECKS_H
#define LISTENQ_HARNESS_PD_CHECKS_H

#include <stdint.h>

#include "lang/scenario.h"
#include "util/strbuf.h"

/* The shell prefix of this namespace's files: /tmp/listenq-pd.<inode>. */
#define LQ_PDC_FILES "/tmp/listenq-pd.$(stat -Lc %i /proc/self/ns/net)"

/* Commands for the set-up backtick: forget the files of an earlier run in
 * this namespace, reset nstat's history. */
void lq_pdc_reset(struct lq_strbuf *b);
/* A check line's command: remember the counters now under the name tag
 * ("ev": just before an event). */
void lq_pdc_mark(struct lq_strbuf *b, const char *tag);
/* The check of an event's segment count since the mark "ev": at most
 * `upto` (0 for expect none; the deferred packets the model allows). */
void lq_pdc_sent(struct lq_strbuf *b, int upto, uint32_t line);
/* The check of counter `nstat_name` since the mark tag (NULL: since the
 * script started) against a range. */
void lq_pdc_counter(struct lq_strbuf *b, const char *tag, const char *group, const char *name,
                    int64_t lo, int64_t hi, const char *what, uint32_t line);
/* Commands for the set-up backtick that write the state check: a shell
 * script that compares the listener's queue lengths and the counters named
 * in `tracked` (nstat names, blank-separated: those not given are 0) with
 * the values it is called with. */
void lq_pdc_state_helper(struct lq_strbuf *b, uint16_t lport, const char *tracked);
/* A call of the state check: "sh FILE.state LINE synq=N ... NAME=N". */
void lq_pdc_state_call(struct lq_strbuf *b, uint32_t line);

/* expect synq / acceptq / backlog N on the listener of port lport. */
void lq_pdc_queue(struct lq_strbuf *b, uint8_t kind, int64_t n, uint16_t lport, uint32_t line);

#endif
