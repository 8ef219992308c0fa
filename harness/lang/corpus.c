/* harness/lang/corpus.c: see corpus.h. */
#include "corpus.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "parse.h"
#include "util/fsutil.h"
#include "util/utf8.h"
#include "util/strbuf.h"

struct lq_paths {
    char **v;
    size_t n, cap;
};

static int lq_paths_add(struct lq_paths *p, const char *path)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        char **v = realloc(p->v, cap * sizeof(*v));
        if (!v)
            return -1;
        p->v = v;
        p->cap = cap;
    }
    if (!(p->v[p->n] = strdup(path)))
        return -1;
    p->n++;
    return 0;
}

static int lq_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int lq_collect_dir(struct lq_paths *p, const char *dir, int depth, struct lq_err *err)
{
    if (depth > 16)
        return lq_errf(err, LQ_EXIT_BADINPUT, "%s: directories nested too deep", dir);
    DIR *d = opendir(dir);
    if (!d)
        return lq_errno(err, LQ_EXIT_BADINPUT, "%s: cannot open directory", dir);
    struct lq_paths here = {0};
    struct dirent *e;
    /* "corpus/conformance/" (a shell completes it so) names the same files
     * as "corpus/conformance": no "//" in the paths, so no empty label part */
    size_t dl = strlen(dir);
    const char *sep = dl && dir[dl - 1] == '/' ? "" : "/";
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        if ((size_t)snprintf(path, sizeof(path), "%s%s%s", dir, sep, e->d_name) >= sizeof(path))
            continue;
        if (lq_paths_add(&here, path)) {
            closedir(d);
            return lq_errf(err, LQ_EXIT_ERROR, "out of memory");
        }
    }
    closedir(d);
    if (here.n > 1) /* qsort(NULL, 0) is undefined */
        qsort(here.v, here.n, sizeof(*here.v), lq_cmp_str);
    int rc = 0;
    for (size_t i = 0; i < here.n && !rc; i++) {
        size_t len = strlen(here.v[i]);
        bool lq = len > 3 && strcmp(here.v[i] + len - 3, ".lq") == 0;
        struct stat st;
        if (stat(here.v[i], &st)) {
            /* a scenario that cannot be read is bad input, not a smaller suite */
            if (lq)
                rc = errno == ENOENT ? lq_errf(err, LQ_EXIT_BADINPUT,
                                               "%s: a symbolic link to a missing file", here.v[i])
                                     : lq_errno(err, LQ_EXIT_BADINPUT, "%s", here.v[i]);
            continue;
        }
        if (S_ISDIR(st.st_mode))
            rc = lq_collect_dir(p, here.v[i], depth + 1, err);
        else if (lq && !S_ISREG(st.st_mode))
            rc = lq_errf(err, LQ_EXIT_BADINPUT, "%s: not a regular file (%s)", here.v[i],
                         lq_file_kind(st.st_mode));
        else if (lq && lq_paths_add(p, here.v[i]))
            rc = lq_errf(err, LQ_EXIT_ERROR, "out of memory");
    }
    for (size_t i = 0; i < here.n; i++)
        free(here.v[i]);
    free(here.v);
    return rc;
}

int lq_corpus_load(struct lq_corpus *c, char *const *args, int nargs, char **errs,
                   struct lq_err *err)
{
    memset(c, 0, sizeof(*c));
    *errs = NULL;
    struct lq_paths p = {0};
    int rc = 0;
    for (int i = 0; i < nargs && !rc; i++) {
        struct stat st;
        if (stat(args[i], &st)) {
            rc = lq_errno(err, LQ_EXIT_BADINPUT, "%s", args[i]);
            break;
        }
        if (S_ISDIR(st.st_mode))
            rc = lq_collect_dir(&p, args[i], 0, err);
        else if (!S_ISREG(st.st_mode))
            rc = lq_errf(err, LQ_EXIT_BADINPUT, "%s: not a regular file (%s)", args[i],
                         lq_file_kind(st.st_mode));
        else if (lq_paths_add(&p, args[i]))
            rc = lq_errf(err, LQ_EXIT_ERROR, "out of memory");
    }
    if (!rc && p.n == 0)
        rc = lq_errf(err, LQ_EXIT_BADINPUT, "no scenario (*.lq) found in the arguments");
    struct lq_strbuf errors;
    lq_sb_init(&errors);
    if (!rc) {
        c->sc = calloc(p.n, sizeof(*c->sc));
        if (!c->sc)
            rc = lq_errf(err, LQ_EXIT_ERROR, "out of memory");
    }
    for (size_t i = 0; !rc && i < p.n; i++) {
        struct lq_err e;
        if (lq_parse_file(p.v[i], &c->sc[c->n], &e)) {
            lq_sb_addf(&errors, "%s\n", e.msg);
            if (e.status != LQ_EXIT_BADINPUT)
                rc = lq_errf(err, e.status, "%s", e.msg);
            continue;
        }
        c->n++;
    }
    for (size_t i = 0; i < p.n; i++)
        free(p.v[i]);
    free(p.v);
    if (!rc && errors.len) {
        *errs = strdup(lq_sb_str(&errors));
        rc = lq_errf(err, LQ_EXIT_BADINPUT, "bad scenario input");
    }
    lq_sb_free(&errors);
    if (rc)
        lq_corpus_free(c);
    return rc;
}

void lq_corpus_free(struct lq_corpus *c)
{
    for (size_t i = 0; i < c->n; i++)
        lq_scenario_free(&c->sc[i]);
    free(c->sc);
    free(c->label_root);
    memset(c, 0, sizeof(*c));
}

int lq_corpus_expand_families(struct lq_corpus *c, unsigned fams)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++)
        n += c->sc[i].family != LQ_SCN_NEUTRAL ? 1 : (fams & 1u) + ((fams >> 1) & 1u);
    struct lq_scenario *v = calloc(n ? n : 1, sizeof(*v));
    if (!v)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        const struct lq_scenario *s = &c->sc[i];
        for (unsigned f = 0; f < 2; f++) {
            if (s->family == LQ_SCN_NEUTRAL ? !(fams & (1u << f)) : f)
                continue;
            if (lq_scenario_copy(&v[k], s)) {
                while (k)
                    lq_scenario_free(&v[--k]);
                free(v);
                return -1;
            }
            if (s->family == LQ_SCN_NEUTRAL)
                v[k].run_family = f ? LQ_FAMILY_IPV6 : LQ_FAMILY_IPV4;
            v[k].family_label = true;
            k++;
        }
    }
    for (size_t i = 0; i < c->n; i++)
        lq_scenario_free(&c->sc[i]);
    free(c->sc);
    c->sc = v;
    c->n = c->cap = n;
    return 0;
}

/* The label with "@ipv4"/"@ipv6"/"@dual" for a --family run. */
static const char *lq_corpus_label_of(const struct lq_scenario *sc, const char *base)
{
    if (!sc->family_label)
        return base;
    static __thread char label[300];
    snprintf(label, sizeof(label), "%s@%s", base, lq_family_name((enum lq_family)sc->run_family));
    return label;
}

static const char *lq_corpus_label_base(const struct lq_scenario *sc);

const char *lq_corpus_label(const struct lq_scenario *sc)
{
    return lq_corpus_label_of(sc, lq_corpus_label_base(sc));
}

static const char *lq_corpus_label_base(const struct lq_scenario *sc)
{
    if (!sc->path)
        return sc->name ? sc->name : "scenario";
    /* The last two path components without .lq: "conformance/acceptq_full". */
    const char *end = sc->path + strlen(sc->path);
    const char *p = end;
    int slashes = 0;
    while (p > sc->path) {
        if (p[-1] == '/' && ++slashes == 2)
            break;
        p--;
    }
    static __thread char label[256];
    size_t len = (size_t)(end - p);
    if (len > 3 && strcmp(end - 3, ".lq") == 0)
        len -= 3;
    if (len >= sizeof(label))
        len = sizeof(label) - 1;
    memcpy(label, p, len);
    label[len] = '\0';
    return label;
}

void lq_corpus_file_name(const struct lq_scenario *sc, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)lq_corpus_label(sc);
    size_t n = strlen((const char *)p), k = 0;
    for (size_t i = 0; i < n && k + 4 < cap;) {
        uint32_t cp;
        size_t len = lq_utf8_seq(p + i, n - i, &cp);
        if (len && cp >= 0x20 && cp != 0x7f && cp != '%') {
            if (k + len >= cap)
                break;
            for (size_t j = 0; j < len; j++)
                out[k++] = cp == '/' ? '-' : (char)p[i + j];
            i += len;
            continue;
        }
        k += (size_t)snprintf(out + k, cap - k, "%%%02X", p[i]);
        i++;
    }
    out[k < cap ? k : cap - 1] = '\0';
}
