/* harness/wire/pcapin.c: see pcapin.h. */
#include "pcapin.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsutil.h"
#include "util/grow.h"

int lq_pcap_read(const char *path, struct lq_pcap_file *out, struct lq_err *err)
{
    memset(out, 0, sizeof(*out));
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    /* a FIFO would block the reader: only a regular file is read */
    FILE *file = lq_fopen_regular(path, err);
    if (!file)
        return -1;
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if (!p) {
        fclose(file);
        return lq_errf(err, LQ_EXIT_BADINPUT, "%s: not a readable pcap: %s", path, ebuf);
    }
    int rc = 0;
    if (pcap_datalink(p) != DLT_EN10MB) {
        rc = lq_errf(err, LQ_EXIT_BADINPUT, "%s: link type %d, not Ethernet", path,
                     pcap_datalink(p));
        goto out;
    }
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int r = pcap_next_ex(p, &h, &data);
        if (r == PCAP_ERROR_BREAK)
            break; /* the end of the file */
        if (r != 1) {
            rc = lq_errf(err, LQ_EXIT_BADINPUT, "%s: frame %zu: %s", path, out->n,
                         r == PCAP_ERROR ? pcap_geterr(p) : "unreadable");
            goto out;
        }
        if (h->caplen > h->len) {
            rc = lq_errf(err, LQ_EXIT_BADINPUT,
                         "%s: frame %zu: captured length %u exceeds its length %u", path, out->n,
                         h->caplen, h->len);
            goto out;
        }
        out->f = lq_grow(out->f, &out->cap, out->n + 1, sizeof(*out->f));
        struct lq_pcap_frame *f = &out->f[out->n++];
        f->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
        f->caplen = h->caplen;
        f->len = h->len;
        f->data = lq_xmalloc(h->caplen);
        memcpy(f->data, data, h->caplen);
    }
out:
    pcap_close(p);
    if (rc)
        lq_pcap_file_free(out);
    return rc;
}

void lq_pcap_file_free(struct lq_pcap_file *pf)
{
    for (size_t i = 0; i < pf->n; i++)
        free(pf->f[i].data);
    free(pf->f);
    memset(pf, 0, sizeof(*pf));
}
