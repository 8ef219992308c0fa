/* harness/findings/packetdrill.h: a scenario as a packetdrill script
 * (`listenq export --packetdrill FILE`, docs/packetdrill.md).
 *
 * packetdrill drives one flow per script: the script's flow is one
 * connection (the first, or the one asked for); the other connections are
 * driven from backtick lines by `listenq pd-peer` (live/pd_peer.h), and so
 * is the flow when packetdrill cannot send one of its segments. The
 * expected replies are the model's (the script says so): the script is
 * written from the trace of a model run through the runner, which keeps
 * the client's concrete segments and the model's replies, numbered here as
 * packetdrill numbers them. The expect lines are backtick checks (nstat,
 * ss: pd_checks.h) where they stand. The sysctls are set with `sysctl -q`
 * commands; the listenq harness's fixed ones come first, so that the script
 * sees the kernel the way listenq does. The header lists what packetdrill
 * cannot say.
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

/* packetdrill's --ip_version for the script of connection conn: "ipv4",
 * "ipv6", or "ipv4-mapped-ipv6" (an IPv4 connection to a dual-stack
 * listener). */
const char *lq_pd_ip_version(const struct lq_scenario *sc, uint16_t conn);

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
