/* harness/wire/pcapout.h: a scenario's frames as one nanosecond pcap file. */
#ifndef LISTENQ_HARNESS_PCAPOUT_H
#define LISTENQ_HARNESS_PCAPOUT_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct lq_pcap_rec {
    uint64_t ts_ns; /* CLOCK_REALTIME nanoseconds, as capture timestamps */
    uint32_t len;   /* bytes at data (the captured length) */
    const uint8_t *data;
    uint32_t orig_len; /* length on the wire when the capture cut it; 0 = len */
};

/* Writes recs (in any order: they are sorted by ts_ns, ties keep their order)
 * as a LINKTYPE_ETHERNET pcap with nanosecond timestamps, replacing path
 * atomically (see lq_write_file_atomic). */
int lq_pcap_write_atomic(const char *path, const struct lq_pcap_rec *recs, size_t n,
                         struct lq_err *err);
/* The bytes lq_pcap_write_atomic writes, in *buf (to free). */
int lq_pcap_build(const struct lq_pcap_rec *recs, size_t n, uint8_t **buf, size_t *len,
                  struct lq_err *err);
/* Where each of recs goes in the file lq_pcap_write_atomic writes: pos[i]
 * is the index of recs[i] among the file's frames. */
void lq_pcap_order(const struct lq_pcap_rec *recs, size_t n, size_t *pos);

#endif
