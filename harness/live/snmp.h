/* harness/live/snmp.h: TCP counters by name from one namespace's procfs.
 *
 * The files are opened once, while the calling thread is in the namespace to
 * watch; the descriptors stay bound to it wherever the thread goes later, and
 * each read is a pread from offset 0 (the seq_file regenerates the text).
 * Column positions differ between kernel versions, so they are resolved by
 * name at open.
 *
 * Cost (6.18, 2 vCPUs): lq_snmp_read ~42 us, of which the kernel spends ~30
 * formatting /proc/net/netstat and ~11 formatting /proc/net/snmp; parsing is
 * ~1 us. The kernel's part is the floor for reading both files.
 */
#ifndef LISTENQ_HARNESS_SNMP_H
#define LISTENQ_HARNESS_SNMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/counters.h"
#include "util/err.h"

/* One "Group: names" / "Group: values" line pair and the counters in it. */
struct lq_snmp_group {
    char prefix[16];       /* "TcpExt:" */
    int line;              /* 0-based index of its values line: a hint, lines move (IcmpMsg) */
    int ncols;             /* number of values on that line */
    int nwant;             /* entries used in want/col below */
    int col[LQ_CTR_COUNT]; /* ascending column indexes ... */
    enum lq_counter want[LQ_CTR_COUNT]; /* ... and the counter each one feeds */
};

struct lq_snmp {
    int netstat_fd, snmp_fd; /* /proc/thread-self/net/{netstat,snmp} */
    struct lq_snmp_group tcpext, tcp;
    bool has[LQ_CTR_COUNT];
    char *buf; /* one file's text; grows when a kernel prints more */
    size_t cap;
};

int lq_snmp_open(struct lq_snmp *s, struct lq_err *err);
/* Counters of model/counters.h; the ones this kernel does not print read as 0. */
int lq_snmp_read(struct lq_snmp *s, uint64_t out[LQ_CTR_COUNT], struct lq_err *err);
/* False when this kernel does not print c (e.g. TSEcrRejected before 6.15). */
bool lq_snmp_has(const struct lq_snmp *s, enum lq_counter c);
/* Any counter by name: "Name" is looked up in TcpExt then Tcp; "Group:Name"
 * may name any group of either file ("IpExt:InNoRoutes", "Icmp:InEchos").
 * Negative values (Tcp:MaxConn is -1) come back two's complement. An unknown
 * name is an error that names it. Slower than lq_snmp_read: it parses headers. */
int lq_snmp_read_named(struct lq_snmp *s, const char *name, uint64_t *out, struct lq_err *err);
/* Safe after a failed lq_snmp_open and when called twice. */
void lq_snmp_close(struct lq_snmp *s);

#endif
