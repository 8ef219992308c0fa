/* harness/findings/packetdrill.h: a scenario as a packetdrill script
 * (`listenq export --packetdrill FILE`, docs/fuzzing.md).
 *
 * packetdrill scripts drive one connection, so the script holds one
 * connection's part of the scenario (the first, or the one asked for) and a
 * comment at the top lists what was left out: the other connections and
 * their accept() calls, delayed ACKs packetdrill cannot time, SYN cookie
 * values (shown as *: the kernel makes them). The expected replies are the
 * model's (the script says so): the scenario runs on the model while the
 * script is written, with the same client listenq injects (sequence numbers,
 * options in the same layout, timestamps), numbered as packetdrill numbers
 * them (relative to the ISNs). The sysctls are set as packetdrill scripts
 * do, with `sysctl -q ...` commands; the listenq harness's fixed ones come
 * first, so that the script sees the kernel the way listenq does.
 */
#ifndef LISTENQ_HARNESS_PACKETDRILL_H
#define LISTENQ_HARNESS_PACKETDRILL_H

#include "util/err.h"
#include "model/model.h"
#include "lang/scenario.h"
#include "util/strbuf.h"

struct lq_pd_opts {
    const char *conn;      /* the connection to export; NULL: the first one used */
    const char *source;    /* named in the header comment ("x.lq"), or NULL */
    enum lq_model_bug bug; /* test builds: the model's planted bug (said in the header) */
};

/* Writes the script for sc to out. 0, or -1 with err (an unknown --conn). */
int lq_export_packetdrill(const struct lq_scenario *sc, const struct lq_profile *profile,
                          const struct lq_pd_opts *o, struct lq_strbuf *out, struct lq_err *err);

#endif
