/* fuzz/mkseeds.c: writes the byte-level seed corpora (corpus/seeds/).
 *
 *   listenq-mkseeds MODEL_DIR DIFF_DIR FILE|DIR...
 *
 * Every scenario named (.lq files, directories of them) is encoded into the
 * bytes the decoder turns back into it, or into its nearest decodable
 * scenario (harness/lang/decode.h): MODEL_DIR gets the listenq_model_fuzzer
 * encoding (waits kept), DIFF_DIR the listenq_diff_fuzzer one (no waits, at
 * most LQ_DECODE_DIFF_MAX_EVENTS events). One file per scenario, named after
 * it; a file whose bytes are unchanged is not rewritten.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/corpus.h"
#include "lang/decode.h"
#include "util/fsutil.h"

static int lq_write_seed(const char *dir, const char *label, const struct lq_scenario *sc,
                         const struct lq_decode_opts *o)
{
    uint8_t *b = NULL;
    size_t n = 0;
    if (lq_encode(sc, o, &b, &n))
        return -1;
    char name[512], path[4096];
    size_t k = 0;
    for (const char *p = label; *p && k < sizeof(name) - 1; p++)
        name[k++] = *p == '/' ? '-' : *p;
    name[k] = '\0';
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    /* unchanged: leave the file (and its time stamp) alone */
    FILE *f = fopen(path, "rb");
    if (f) {
        uint8_t *old = malloc(n + 1);
        size_t got = old ? fread(old, 1, n + 1, f) : 0;
        fclose(f);
        bool same = old && got == n && memcmp(old, b, n) == 0;
        free(old);
        if (same) {
            free(b);
            return 0;
        }
    }
    struct lq_err err;
    int rc = lq_write_file_atomic(path, b, n, &err);
    if (rc)
        fprintf(stderr, "listenq-mkseeds: %s\n", err.msg);
    free(b);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: listenq-mkseeds MODEL_DIR DIFF_DIR FILE|DIR...\n");
        return 2;
    }
    struct lq_corpus c;
    struct lq_err err = {0};
    char *errs = NULL;
    if (lq_corpus_load(&c, argv + 3, argc - 3, &errs, &err)) {
        fputs(errs ? errs : err.msg, stderr);
        free(errs);
        return 2;
    }
    if (lq_mkdir_p(argv[1], &err) || lq_mkdir_p(argv[2], &err)) {
        fprintf(stderr, "listenq-mkseeds: %s\n", err.msg);
        return 3;
    }
    struct lq_decode_opts model, diff;
    lq_decode_opts_model(&model);
    lq_decode_opts_diff(&diff);
    int rc = 0;
    for (size_t i = 0; i < c.n; i++) {
        const char *label = lq_corpus_label(&c.sc[i]);
        if (lq_write_seed(argv[1], label, &c.sc[i], &model) ||
            lq_write_seed(argv[2], label, &c.sc[i], &diff))
            rc = 3;
    }
    printf("listenq-mkseeds: %zu scenarios encoded into %s and %s\n", c.n, argv[1], argv[2]);
    lq_corpus_free(&c);
    return rc;
}
