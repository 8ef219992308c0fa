/* harness/wire/pcapout.c: see pcapout.h.
 *
 * The file is written by hand rather than with pcap_dump_open(): pcap_dump()
 * returns void and loses write errors (ENOSPC) until a flush, and the atomic
 * replace needs the whole file in our hands anyway (temporary file, fsync,
 * rename). The format is small and fixed: a 24-byte header with the
 * nanosecond magic 0xa1b23c4d in host byte order, then a 16-byte header per
 * record. Readers (libpcap, Wireshark) handle either byte order.
 */
#include "pcapout.h"

#include <stdlib.h>
#include <string.h>

#include "util/fsutil.h"
#include "util/grow.h"

enum {
    PCAP_MAGIC_NSEC = 0xa1b23c4d,
    PCAP_SNAPLEN = 262144, /* libpcap's MAXIMUM_SNAPLEN */
    LINKTYPE_ETHERNET = 1,
    FILE_HDR_LEN = 24,
    REC_HDR_LEN = 16,
};

struct order {
    uint64_t ts;
    size_t idx;
};

static int order_cmp(const void *a, const void *b)
{
    const struct order *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
    return p + 4;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
    return p + 2;
}

void lq_pcap_order(const struct lq_pcap_rec *recs, size_t n, size_t *pos)
{
    if (!n)
        return;
    struct order *ord = lq_xcalloc(n, sizeof(*ord));
    for (size_t i = 0; i < n; i++)
        ord[i] = (struct order){recs[i].ts_ns, i};
    qsort(ord, n, sizeof(*ord), order_cmp);
    for (size_t k = 0; k < n; k++)
        pos[ord[k].idx] = k;
    free(ord);
}

int lq_pcap_build(const struct lq_pcap_rec *recs, size_t n, uint8_t **bufp, size_t *lenp,
                  struct lq_err *err)
{
    size_t total = FILE_HDR_LEN;
    for (size_t i = 0; i < n; i++) {
        if (recs[i].len > PCAP_SNAPLEN || (recs[i].len > 0 && !recs[i].data))
            return lq_errf(err, LQ_EXIT_ERROR, "frame %zu has a bad length %u", i, recs[i].len);
        total += REC_HDR_LEN + recs[i].len;
    }
    struct order *ord = calloc(n ? n : 1, sizeof(*ord));
    uint8_t *buf = malloc(total);
    if (!ord || !buf) {
        free(ord);
        free(buf);
        return lq_errf(err, LQ_EXIT_ERROR, "out of memory for a pcap of %zu bytes", total);
    }
    for (size_t i = 0; i < n; i++)
        ord[i] = (struct order){recs[i].ts_ns, i};
    qsort(ord, n, sizeof(*ord), order_cmp);

    uint8_t *p = buf;
    p = put32(p, PCAP_MAGIC_NSEC);
    p = put16(p, 2); /* version 2.4 */
    p = put16(p, 4);
    p = put32(p, 0); /* thiszone */
    p = put32(p, 0); /* sigfigs */
    p = put32(p, PCAP_SNAPLEN);
    p = put32(p, LINKTYPE_ETHERNET);
    for (size_t k = 0; k < n; k++) {
        const struct lq_pcap_rec *r = &recs[ord[k].idx];
        uint32_t orig = r->orig_len > r->len ? r->orig_len : r->len;
        p = put32(p, (uint32_t)(r->ts_ns / 1000000000u));
        p = put32(p, (uint32_t)(r->ts_ns % 1000000000u));
        p = put32(p, r->len);
        p = put32(p, orig);
        if (r->len)
            memcpy(p, r->data, r->len);
        p += r->len;
    }
    free(ord);
    *bufp = buf;
    *lenp = total;
    return 0;
}

int lq_pcap_write_atomic(const char *path, const struct lq_pcap_rec *recs, size_t n,
                         struct lq_err *err)
{
    uint8_t *buf;
    size_t total;
    struct lq_err e;
    if (lq_pcap_build(recs, n, &buf, &total, &e))
        return lq_errf(err, e.status, "%s: %s", path, e.msg);
    int rc = lq_write_file_atomic(path, buf, total, err);
    free(buf);
    return rc;
}
