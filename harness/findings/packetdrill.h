/* harness/findings/packetdrill.h: a scenario as a packetdrill script
 * (`listenq export --packetdrill FILE`, docs/fuzzing.md).
 *
 * packetdrill scripts drive one connection, so the script holds one
 * connection's part of the scenario (the first, or the one asked for) and a
 * comment at the top lists what was left out: the other connections and
 * their accept() calls, delayed ACKs packetdrill cannot time, SYN cookie
 * values (shown as *: the kernel makes them). The expected replies are the
 * model's (the script says so): the script is written from the trace of a
 * model run through the runner, which keeps the client's concrete segments
 * (sequence numbers, options in the same layout, timestamps) and the
 * model's, numbered here as packetdrill numbers them (relative to the ISNs). The sysctls are set as
 * packetdrill scripts do, with `sysctl -q ...` commands; the listenq harness's fixed ones come
 * first, so that the script sees the kernel the way listenq does.
 */
#ifndef LISTENQ_HARNESS_PACKETDRILL_H
#define LISTENQ_HARNESS_PACKETDRILL_H

#include "lang/scenario.h"
#include "model/model.h"
#include "run/trace.h"
#include "util/err.h"
#include "util/strbuf.h"

struct lq_pd_opts {
    const char *conn;      /* the connection to export; NULL: the first one used */
    const char *source;    /* named in the header comment ("x.lq"), or NULL */
    enum lq_model_bug bug; /* test builds: the model's planted bug (said in the header) */
};

/* At most this many scripts (connections) per scenario for --check. */
#define LQ_PD_MAX_SCRIPTS 64

/* The connections a script can be written for (those a segment event
 * names), in order of first use, at most cap; returns how many. */
size_t lq_pd_conns(const struct lq_scenario *sc, uint16_t *out, size_t cap);

/* Writes the script for sc to out from t, the trace of a run of sc whose
 * replies the script expects (a model's). 0, or -1 with err (an unknown
 * --conn). */
int lq_export_packetdrill_trace(const struct lq_scenario *sc, const struct lq_trace *t,
                                const struct lq_profile *profile, const struct lq_pd_opts *o,
                                struct lq_strbuf *out, struct lq_err *err);
/* Runs sc on the model of profile (with o->bug planted) through the runner,
 * then writes the script of that run as lq_export_packetdrill_trace does. */
int lq_export_packetdrill(const struct lq_scenario *sc, const struct lq_profile *profile,
                          const struct lq_pd_opts *o, struct lq_strbuf *out, struct lq_err *err);

#endif
