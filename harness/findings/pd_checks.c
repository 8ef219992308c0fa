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
    lq_pdc_fail(b, line,
                upto ? "expect none (the model's delayed ACKs aside): TcpOutSegs" : "expect none");
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

void lq_pdc_state_helper(struct lq_strbuf *b, uint16_t lport, const char *tracked)
{
    lq_sb_addf(
        b,
        "\ncat >%s.state <<'EOF'\n"
        "# the model's state after line $1: queue lengths and counters\n"
        "F=%s; line=$1; shift\n"
        "S=$(ss -Htni state syn-recv 'sport = :%u' | awk '/^[ \\t]+$/{n++} END{print n+0}')\n"
        "L=$(ss -Hltn 'sport = :%u' | awk '{print $2, $3}')\n"
        "NSTAT_HISTORY=$F.nstat nstat -sz | awk -v line=\"$line\" -v S=\"$S\" -v L=\"$L\" "
        "-v want=\"$*\" -v tracked='%s' '\n"
        "NR > 1 { have[$1] = $2 }\n"
        "END {\n"
        "  split(L, l, \" \"); have[\"synq\"] = S; have[\"acceptq\"] = l[1]; "
        "have[\"backlog\"] = l[2]\n"
        "  n = split(tracked, t, \" \"); for (i = 1; i <= n; i++) w[t[i]] = 0\n"
        "  n = split(want, x, \" \"); for (i = 1; i <= n; i++) { split(x[i], kv, \"=\"); "
        "w[kv[1]] = kv[2] }\n"
        "  for (k in w) if (have[k] + 0 != w[k] + 0) bad = bad \" \" k \"=\" (have[k] + 0) "
        "\" (the model: \" w[k] \")\"\n"
        "  if (bad != \"\") { print \"line \" line \": the kernel has\" bad > "
        "\"/dev/stderr\"; exit 1 }\n"
        "}'\n"
        "EOF",
        LQ_PDC_FILES, LQ_PDC_FILES, lport, lport, tracked);
}

void lq_pdc_state_call(struct lq_strbuf *b, uint32_t line)
{
    lq_sb_addf(b, "sh %s.state %u", LQ_PDC_FILES, line);
}
