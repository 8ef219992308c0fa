/* harness/matrix/matrix.h: `listenq matrix`, the conformance suite on several kernels.
 *
 * Each kernel (a Debian kernel line such as "6.1", the running kernel, or a
 * bzImage) boots in a VM (ci/matrix/run-vm.sh: qemu, KVM or TCG) with an
 * initramfs the project builds (ci/matrix/mkinitramfs.sh: busybox, this
 * listenq binary and its libraries, the corpus, the modules it needs), runs
 * `listenq run --fast` and `listenq record` there and brings the results back
 * on a second disk. The running kernel runs on the host when its image cannot
 * be read. The command then prints one table, scenario x kernel, of the
 * model's verdict with each kernel's profile, the scenarios whose kernel
 * behaviour differs between kernels with the profile changes that explain it,
 * and every kernel where the model and the kernel disagree (a wrong profile).
 * docs/matrix.md describes it.
 *
 * matrix.c runs the kernels and reads their results back; matrix_report.c
 * judges them and prints the table. The types below are what they share.
 */
#ifndef LISTENQ_HARNESS_MATRIX_H
#define LISTENQ_HARNESS_MATRIX_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/utsname.h>

#include "lang/corpus.h"
#include "util/err.h"
#include "model/profile.h"
#include "replay/recording.h"
#include "util/strbuf.h"

enum { LQ_MX_MAX_K = 12, LQ_MX_LINES = 24 };
enum lq_mx_kind { LQ_MX_DEBIAN, LQ_MX_HOST, LQ_MX_IMAGE };
enum lq_mx_state {
    LQ_MX_PENDING,
    LQ_MX_DONE,
    LQ_MX_FAILED = LQ_EXIT_ERROR,
    LQ_MX_CANNOT = LQ_EXIT_SKIP
};

/* One scenario on one kernel, from the run's JSON line. */
struct lq_mx_cell {
    bool present, diverged;
    char status[8], reason[200];
    uint32_t div_line;
    char div_what[160], div_event[200], div_model[600], div_kernel[600], div_dps[600];
    char div_dp[64]; /* the deciding (last) decision point of the model at that event */
    uint32_t kfail[LQ_MX_LINES], mfail[LQ_MX_LINES];
    size_t nk, nm;
    char kwhy[400]; /* the first failure the kernel shows and the model does not */
};

struct lq_mx_kernel {
    const char *spec, *modules, *profile_opt;
    enum lq_mx_kind kind;
    enum lq_mx_state state;
    bool in_vm;
    char why[700];
    char id[200], dir[PATH_MAX], vmlinuz[PATH_MAX], modroot[PATH_MAX];
    char release[128], kversion[256], package[160], debver[80], suite[40], accel[8];
    double boot_s, suite_s, record_s, wall_s;
    struct lq_profile prof;
    char col[32];
    struct lq_mx_cell *cells;  /* per corpus scenario */
    struct lq_recording *recs; /* per corpus scenario, when recorded */
    bool *has_rec;
};

struct lq_mx_opts {
    const char *cache, *corpus, *scripts, *accel;
    char self[PATH_MAX];
    int timeout, mem;
    bool record, slow, reuse;
};

static inline bool lq_mx_has_line(const uint32_t *v, size_t n, uint32_t line)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == line)
            return true;
    return false;
}

/* What a matrix run holds besides its kernels (lq_mx_open .. lq_mx_close). */
struct lq_mx_run {
    struct lq_corpus corpus;
    bool have_corpus;
    char **labels; /* per corpus scenario */
    int lockfd;    /* one matrix per cache */
    struct utsname host;
    char kvmf[PATH_MAX + 32]; /* where an unusable KVM is remembered */
    char scripts[PATH_MAX + 32], cache[PATH_MAX], corpus_abs[PATH_MAX];
    char corpus_def[PATH_MAX], cache_def[PATH_MAX]; /* the defaults, here or installed */
};

/* Finds this binary, the scripts and the cache (locked), copies the binary,
 * loads the corpus: 0, or an exit status with the error printed. o's paths
 * then point into run. */
int lq_mx_open(struct lq_mx_run *run, struct lq_mx_opts *o);
/* Prepares, runs (or with --reuse finds) and reads back one kernel. */
void lq_mx_run_kernel(struct lq_mx_run *run, struct lq_mx_opts *o, struct lq_mx_kernel *k);
/* Prints the table and returns the exit status the kernels call for. */
int lq_mx_finish(struct lq_mx_run *run, const struct lq_mx_opts *o, struct lq_mx_kernel *ks,
                 int nk);
void lq_mx_close(struct lq_mx_run *run, struct lq_mx_kernel *ks, int nk);

/* A scenario's verdict on one kernel (matrix_report.c). */
enum lq_mx_verdict {
    LQ_MX_V_NONE,        /* no result */
    LQ_MX_V_PASS,        /* model and kernel agree, every expectation holds */
    LQ_MX_V_PASS_EXP,    /* they agree and miss the same expectations */
    LQ_MX_V_DISAGREE,    /* they disagree, and the recording confirms it */
    LQ_MX_V_UNCONFIRMED, /* they disagreed in the run, the recording agrees */
    LQ_MX_V_SKIP,
    LQ_MX_V_ERROR
};
enum lq_mx_verdict lq_mx_verdict(const struct lq_mx_kernel *k, size_t i,
                                 const struct lq_scenario *sc);
/* Whether kernel k's recording of scenario i (a second run on the same
 * kernel) agrees with the model under profile prof: 1 yes, 0 no, -1 no
 * recording. */
int lq_mx_rec_agrees_with(const struct lq_mx_kernel *k, size_t i, const struct lq_scenario *sc,
                          const struct lq_profile *prof);

/* Which profile change explains a kernel's disagreements (attribution.c):
 * each change toggled alone in the kernel's profile, the model re-run
 * against the kernel's recordings. A change explains the kernel when the
 * model then agrees with every confirmed disagreement and still with every
 * scenario that agreed. */
struct lq_mx_attribution {
    size_t ndis;        /* confirmed disagreements */
    size_t nunrecorded; /* of them, without a recording (nothing to re-run against) */
    size_t nagreed;     /* scenarios that agreed, with a recording: the collateral check */
    uint32_t explains;  /* bit (1u << enum lq_change): the changes that explain all */
    /* Without a full explanation: the change that fixes the most, and how
     * many it fixes and how many agreeing ones it breaks (-1: none fixes any). */
    int closest;
    size_t closest_fixed, closest_broken;
};
void lq_mx_attribute(const struct lq_mx_kernel *k, const struct lq_corpus *corpus,
                     struct lq_mx_attribution *a);
/* The "which profile change explains ..." section for every kernel with
 * confirmed disagreements; pre: the label prefix the table strips. */
void lq_mx_print_attribution(const struct lq_mx_kernel *ks, int nk, const struct lq_corpus *corpus,
                             char **labels, size_t pre, struct lq_strbuf *out);

/* Prints the table, the kernel behaviour differences and the disagreements;
 * *disagreements: how many confirmed model/kernel disagreements there are. */
void lq_mx_print(struct lq_mx_kernel *ks, int nk, const struct lq_corpus *corpus, char **labels,
                 const struct lq_mx_opts *o, int *disagreements);

#endif
