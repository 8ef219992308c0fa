/* harness/live/pd_run.h: running a packetdrill script in a private network
 * namespace (`listenq export --packetdrill --check`, docs/packetdrill.md).
 *
 * packetdrill is not part of listenq (Debian does not package it): the binary
 * is the one LISTENQ_PACKETDRILL names, else the first on PATH.
 */
#ifndef LISTENQ_HARNESS_PD_RUN_H
#define LISTENQ_HARNESS_PD_RUN_H

#include <stddef.h>

#include "util/err.h"
#include "util/strbuf.h"

/* The packetdrill binary into buf: 0, or -1 with err (LQ_EXIT_SKIP: none). */
int lq_pd_find(char *buf, size_t len, struct lq_err *err);

/* Runs `packetdrill --ip_version=IPV SCRIPT` in a new network namespace
 * (lo up), on one CPU (its request timers fire in turn), with bindir first
 * on PATH (where `listenq pd-peer` is), for at
 * most timeout_s seconds. Its output goes to out; *passed says whether it
 * exited 0. 0, or -1 with err when it could not be run at all. */
int lq_pd_run(const char *packetdrill, const char *ipv, const char *script, const char *bindir,
              int timeout_s, struct lq_strbuf *out, int *passed, struct lq_err *err);

#endif
