/* harness/findings/finding.c: see finding.h. */
#include "finding.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lang/decode.h"
#include "util/fsutil.h"
#include "minimize.h"
#include "packetdrill.h"
#include "lang/parse.h"
#include "wire/pcapout.h"
#include "lang/print.h"
#include "report/report.h"
#include "run/runner.h"

#define LQ_FZ_MAX_INPUT (1u << 20)

int lq_finding_profile(const char *kernel_opt, struct lq_profile *out, const char *cmd)
{
    char err[256] = "";
    if (kernel_opt) {
        if (lq_profile_resolve(kernel_opt, out, err, sizeof(err)) == 0)
            return 0;
        fprintf(stderr, "listenq %s: %s\n", cmd, err);
        return -1;
    }
    struct utsname u;
    if (uname(&u) == 0 && lq_profile_from_uname(u.release, u.version, out, err, sizeof(err)) == 0)
        return 0;
    fprintf(stderr, "listenq %s: cannot choose a kernel profile (%s); use --kernel VERSION\n", cmd,
            err);
    return -1;
}

int lq_finding_read(const char *path, uint8_t **data, size_t *len, struct lq_err *err)
{
    FILE *f = lq_fopen_regular(path, err);
    if (!f)
        return -1;
    uint8_t *buf = malloc(LQ_FZ_MAX_INPUT + 1);
    if (!buf) {
        fclose(f);
        return lq_errf(err, LQ_EXIT_ERROR, "out of memory");
    }
    size_t n = fread(buf, 1, LQ_FZ_MAX_INPUT + 1, f);
    bool bad = ferror(f);
    fclose(f);
    if (bad || n > LQ_FZ_MAX_INPUT) {
        free(buf);
        return lq_errf(err, LQ_EXIT_BADINPUT, "%s: %s", path,
                       bad ? "read error" : "larger than 1 MiB");
    }
    *data = buf;
    *len = n;
    return 0;
}

/* path without a trailing ".lq" (malloc'ed). */
char *lq_finding_base(const char *path)
{
    size_t n = strlen(path);
    if (n > 3 && strcmp(path + n - 3, ".lq") == 0)
        n -= 3;
    return strndup(path, n);
}

static void lq_finding_set_name(struct lq_scenario *sc, const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    free(sc->name);
    sc->name = lq_finding_base(b);
    free(sc->path);
    sc->path = strdup(path);
}

/* Reads FILE as a scenario: .lq text, or a fuzzer input decoded as
 * listenq_diff_fuzzer decodes it when decode is set. */
int lq_finding_load(const char *path, bool decode, struct lq_scenario *sc, struct lq_err *err)
{
    if (!decode)
        return lq_parse_file(path, sc, err);
    uint8_t *data;
    size_t len;
    if (lq_finding_read(path, &data, &len, err))
        return -1;
    struct lq_decode_opts o;
    lq_decode_opts_diff(&o);
    int rc = lq_decode(data, len, &o, sc);
    free(data);
    if (rc)
        return lq_errf(err, LQ_EXIT_ERROR, "out of memory");
    lq_finding_set_name(sc, path);
    return 0;
}

/* ---- minimizing a finding ---- */

void lq_finding_min_free(struct lq_finding_min *m)
{
    lq_scenario_free(&m->min);
    lq_result_free(&m->res);
}

/* Minimizes sc, runs the result once more and writes BASE.min.lq (with a
 * header saying where it came from), BASE.min.pcap and BASE.min.pkt.
 * 0, 1 when sc does not diverge, -1 on a harness error. */
int lq_finding_minimize_to(struct lq_runner *r, const struct lq_profile *profile,
                           enum lq_model_bug bug, const struct lq_scenario *sc, const char *source,
                           const char *base, FILE *progress, size_t max_runs,
                           struct lq_finding_min *m, struct lq_err *err)
{
    memset(m, 0, sizeof(*m));
    lq_scenario_init(&m->min);
    lq_result_init(&m->res);
    struct lq_min_opts mo = {.max_runs = max_runs, .progress = progress};
    int rc = lq_minimize(r, sc, &mo, &m->min, &m->sig, &m->st, err);
    if (rc)
        return rc;
    /* the minimal scenario once more: its result, its frames */
    lq_finding_set_name(&m->min, source);
    free(m->min.name);
    const char *b = strrchr(base, '/');
    m->min.name = strdup(b ? b + 1 : base);
    struct lq_err e = {0};
    if (lq_run_scenario(r, &m->min, &m->res, &e))
        return lq_errf(err, LQ_EXIT_ERROR, "%s", e.msg);
    struct lq_min_sig again;
    lq_min_signature(&m->min, &m->res, &again);
    m->reproduced = lq_min_sig_same(&again, &m->sig);
    /* report the divergence findings count (minimize.h), not a delayed ACK
     * the comparator missed before it */
    struct lq_divergence dv;
    if (lq_min_divergence(&m->min, &m->res, &dv))
        m->res.div = dv;

    snprintf(m->pcap, sizeof(m->pcap), "%s.min.pcap", base);
    struct lq_backend *subject = r->backend[LQ_ROLE_SUBJECT];
    const struct lq_pcap_rec *recs = NULL;
    size_t n = subject ? lq_backend_frames(subject, &recs) : 0;
    if (!n || lq_pcap_write_atomic(m->pcap, recs, n, &e))
        m->pcap[0] = '\0';

    struct lq_strbuf t, sigtext;
    lq_sb_init(&t);
    lq_sb_init(&sigtext);
    lq_min_sig_format(&m->sig, &sigtext);
    lq_sb_addf(&t, "# minimized by listenq minimize from %s (%zu -> %zu directives, %zu runs)\n",
               source, m->st.before, m->st.after, m->st.runs);
    lq_sb_addf(&t, "# diverges at %s\n", lq_sb_str(&sigtext));
    lq_sb_addf(&t, "# first differing decision point: %s\n", lq_min_sig_dp_name(&m->sig));
    /* what the subject stands for: "kernel 6.18.44-...", or "the model" */
    char who[200];
    if (!subject)
        snprintf(who, sizeof(who), "nothing");
    else if (lq_backend_has(subject, LQ_CAP_PREDICTS))
        snprintf(who, sizeof(who), "the %s", lq_backend_name(subject));
    else
        snprintf(who, sizeof(who), "%s %.128s", lq_backend_name(subject), subject->release);
    lq_sb_addf(&t, "# model profile %s vs %s%s\n", profile->name, who,
               bug ? " (test build: planted model bug)" : "");
    if (!m->reproduced)
        lq_sb_add(&t,
                  "# note: the last run of this scenario did not diverge the same way (flaky?)\n");
    lq_print_scenario(&m->min, &t);
    snprintf(m->lq, sizeof(m->lq), "%s.min.lq", base);
    if (lq_write_file_atomic(m->lq, lq_sb_str(&t), t.len, err)) {
        lq_sb_free(&t);
        lq_sb_free(&sigtext);
        return -1;
    }
    lq_sb_reset(&t);
    struct lq_pd_opts po = {
        .conn = m->sig.conn[0] ? m->sig.conn : NULL, .source = m->lq, .bug = bug};
    snprintf(m->pkt, sizeof(m->pkt), "%s.min.pkt", base);
    if (lq_export_packetdrill(&m->min, profile, &po, &t, &e) ||
        lq_write_file_atomic(m->pkt, lq_sb_str(&t), t.len, &e))
        m->pkt[0] = '\0';
    lq_sb_free(&t);
    lq_sb_free(&sigtext);
    return 0;
}
