/* harness/wire/pcapin.h: a pcap file read back whole (a recording's
 * evidence, tests), through libpcap's offline reader. */
#ifndef LISTENQ_HARNESS_PCAPIN_H
#define LISTENQ_HARNESS_PCAPIN_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct lq_pcap_frame {
    uint64_t ts_ns;
    uint32_t caplen, len; /* captured and on-the-wire lengths */
    uint8_t *data;        /* caplen bytes */
};

struct lq_pcap_file {
    struct lq_pcap_frame *f;
    size_t n, cap;
};

/* Reads every frame of path, which must be an Ethernet pcap. A file that
 * is not one, is cut short (a truncated record) or holds a record longer
 * than its capture length is LQ_EXIT_BADINPUT, the message naming the file
 * and the frame (counted from 0). */
int lq_pcap_read(const char *path, struct lq_pcap_file *out, struct lq_err *err);
void lq_pcap_file_free(struct lq_pcap_file *pf);

#endif
