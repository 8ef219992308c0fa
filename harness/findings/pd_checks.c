/* harness/findings/pd_checks.c: see pd_checks.h. */
#include "pd_checks.h"

#include <inttypes.h>
#include <stdio.h>

/* The shell's failure branch: what the scenario says, what the kernel has. */
static void lq_pdc_fail(struct lq_strbuf *b, uint32_t line, const char *what)
{
    lq_sb_addf(b, " || { echo \"line %u: %s: the kernel has ${v:-0}\" >&2; exit 1; }", line, what);
}

void lq_pdc_reset(struct lq_strbuf *b)
{
    lq_sb_add(b, "rm -f " LQ_PDC_FILES ".*\n"
                 "NSTAT_HISTORY=" LQ_PDC_FILES ".nstat nstat -n");
}

void lq_pdc_mark(struct lq_strbuf *b, const char *tag)
{
    lq_sb_addf(b, "NSTAT_HISTORY=%s.%s nstat -n", LQ_PDC_FILES, tag);
}

/* v=<the counter's change since the history `tag`> */
static void lq_pdc_read(struct lq_strbuf *b, const char *tag, const char *full)
{
    lq_sb_addf(b, "v=$(NSTAT_HISTORY=%s.%s nstat -sz %s | awk '$1==\"%s\"{print $2}'); ",
               LQ_PDC_FILES, tag ? tag : "nstat", full, full);
}

void lq_pdc_sent(struct lq_strbuf *b, int upto, uint32_t line)
{
    lq_pdc_read(b, "ev", "TcpOutSegs");
    if (upto)
        lq_sb_addf(b, "[ \"${v:-0}\" -le %d ]", upto);
    else
        lq_sb_add(b, "[ \"${v:-0}\" -eq 0 ]");
    lq_pdc_fail(b, line, upto ? "expect none (deferred packets aside): TcpOutSegs" : "expect none");
}

void lq_pdc_counter(struct lq_strbuf *b, const char *tag, const char *group, const char *name,
                    int64_t lo, int64_t hi, const char *what, uint32_t line)
{
    char full[96];
    snprintf(full, sizeof(full), "%s%s", group, name);
    lq_pdc_read(b, tag, full);
    if (lo == hi)
        lq_sb_addf(b, "[ \"${v:-0}\" -eq %" PRId64 " ]", lo);
    else
        lq_sb_addf(b, "[ \"${v:-0}\" -ge %" PRId64 " ]", lo);
    lq_pdc_fail(b, line, what);
}

void lq_pdc_queue(struct lq_strbuf *b, uint8_t kind, int64_t n, uint16_t lport, uint32_t line)
{
    const char *what;
    if (kind == LQ_X_SYNQ) {
        /* request sockets: state SYN_RECV, and an empty line of TCP info
         * (inet_diag has none for them; a child in SYN_RECV has some) */
        lq_sb_addf(b,
                   "v=$(ss -Htni state syn-recv 'sport = :%u' | awk '/^[ \\t]+$/{n++} "
                   "END{print n+0}'); ",
                   lport);
        what = "expect synq";
    } else {
        /* a listener's Recv-Q is its accept queue, its Send-Q the backlog */
        lq_sb_addf(b, "v=$(ss -Hltn 'sport = :%u' | awk '{print $%d}'); ", lport,
                   kind == LQ_X_ACCEPTQ ? 2 : 3);
        what = kind == LQ_X_ACCEPTQ ? "expect acceptq" : "expect backlog";
    }
    lq_sb_addf(b, "[ \"${v:-0}\" -eq %" PRId64 " ]", n);
    char w[64];
    snprintf(w, sizeof(w), "%s %" PRId64, what, n);
    lq_pdc_fail(b, line, w);
}
