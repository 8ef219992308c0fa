/* harness/lang/parse_tok.c: the words every .lq directive parser works
 * with (see parse_tok.h): the error that names source:line:column, keywords
 * and key=value words, strict decimal integers, names, and the connection or
 * listener a directive names. Nothing here knows a directive's own options.
 */
#include "parse_tok.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lq_perr(struct lq_parser *p, uint16_t col, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return lq_errf(p->err, LQ_EXIT_BADINPUT, "%s:%u:%u: %s", p->where, p->line, col, what);
}

int lq_poom(struct lq_parser *p, uint16_t col)
{
    lq_perr(p, col, "out of memory");
    if (p->err)
        p->err->status = LQ_EXIT_ERROR;
    return -1;
}

bool lq_tok_is(const struct lq_tok *t, const char *word)
{
    return t->len == strlen(word) && memcmp(t->s, word, t->len) == 0;
}

const char *lq_tok_str(const struct lq_tok *t, char *buf, size_t cap)
{
    size_t n = t->len < cap - 1 ? t->len : cap - 1;
    memcpy(buf, t->s, n);
    buf[n] = '\0';
    return buf;
}

size_t lq_tok_kv(const struct lq_tok *t, const char **value, size_t *vlen)
{
    const char *eq = memchr(t->s, '=', t->len);
    if (!eq) {
        *value = NULL;
        *vlen = 0;
        return t->len;
    }
    *value = eq + 1;
    *vlen = t->len - (size_t)(eq + 1 - t->s);
    return (size_t)(eq - t->s);
}

bool lq_key_is(const struct lq_tok *t, size_t klen, const char *key)
{
    return klen == strlen(key) && memcmp(t->s, key, klen) == 0;
}

bool lq_parse_decimal(const char *s, size_t len, bool allow_sign, int64_t lo, int64_t hi,
                      int64_t *out)
{
    char buf[32];
    if (len == 0 || len >= sizeof(buf))
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    size_t i = 0;
    if (buf[0] == '+' || buf[0] == '-') {
        if (!allow_sign)
            return false;
        i = 1;
    }
    if (!buf[i])
        return false;
    for (size_t k = i; buf[k]; k++)
        if (!isdigit((unsigned char)buf[k]))
            return false;
    errno = 0;
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

bool lq_valid_name(const struct lq_tok *t)
{
    static const char *const reserved[] = {"none",    "accept", "acceptq", "synq",  "counter",
                                           "backlog", "EAGAIN", "EINVAL",  "EBADF", NULL};
    if (!t->len || t->len > LQ_MAX_NAME || !(isalpha((unsigned char)t->s[0]) || t->s[0] == '_'))
        return false;
    for (size_t i = 1; i < t->len; i++) {
        char c = t->s[i];
        if (!(isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.'))
            return false;
    }
    for (int i = 0; reserved[i]; i++)
        if (lq_tok_is(t, reserved[i]))
            return false;
    return true;
}

int lq_conn_arg(struct lq_parser *p, const char *verb, bool must_exist, uint16_t *conn)
{
    char buf[80];
    if (p->ntok < 2)
        return lq_perr(p, (uint16_t)(p->tok[0].col + p->tok[0].len),
                       "'%s' needs a connection name (for example: %s c1)", verb, verb);
    const struct lq_tok *t = &p->tok[1];
    if (!lq_valid_name(t))
        return lq_perr(p, t->col,
                       "'%s' is not a connection name (expected a letter followed by letters, "
                       "digits, '_', '-' or '.'; not a keyword)",
                       lq_tok_str(t, buf, sizeof(buf)));
    lq_tok_str(t, buf, sizeof(buf));
    for (size_t i = 0; i < p->sc->nlsn; i++)
        if (strcmp(p->sc->lsn_names[i], buf) == 0)
            return lq_perr(p, t->col, "'%s' is a listener, not a connection", buf);
    if (must_exist) {
        for (size_t i = 0; i < p->sc->nconns; i++)
            if (strcmp(p->sc->conns[i], buf) == 0) {
                *conn = (uint16_t)i;
                return 0;
            }
        return lq_perr(p, t->col, "unknown connection '%s': no event before this line uses it",
                       buf);
    }
    int c = lq_scenario_conn(p->sc, buf);
    if (c < 0 && p->sc->nconns < LQ_MAX_CONNS)
        return lq_poom(p, t->col);
    if (c < 0)
        return lq_perr(p, t->col, "too many connections (at most %u)", LQ_MAX_CONNS);
    *conn = (uint16_t)c;
    return 0;
}

bool lq_take_listener_name(struct lq_parser *p, int pos, uint8_t *lsn)
{
    for (size_t i = 0; pos < p->ntok && i < p->sc->nlsn; i++)
        if (lq_tok_is(&p->tok[pos], p->sc->lsn_names[i])) {
            *lsn = (uint8_t)i;
            memmove(&p->tok[pos], &p->tok[pos + 1],
                    (size_t)(p->ntok - pos - 1) * sizeof(p->tok[0]));
            p->ntok--;
            return true;
        }
    return false;
}

int lq_take_listener(struct lq_parser *p, int pos, const char *verb, uint8_t *lsn)
{
    char buf[80];
    *lsn = 0;
    if (lq_take_listener_name(p, pos, lsn))
        return 0;
    const struct lq_tok *t = pos < p->ntok ? &p->tok[pos] : NULL;
    if (p->sc->nlsn) {
        uint16_t col = t ? t->col : (uint16_t)(p->tok[p->ntok - 1].col + p->tok[p->ntok - 1].len);
        return lq_perr(p, col,
                       "%s%s%s'%s' needs a listener name here: this scenario declares listeners "
                       "(the first is '%s')",
                       t ? "'" : "", t ? lq_tok_str(t, buf, sizeof(buf)) : "",
                       t ? "' is not a listener: " : "", verb, p->sc->lsn_names[0]);
    }
    /* a name with more after it (listen L1 4, sockopt L1 X=1, expect acceptq L1 1) */
    if (t && pos + 1 < p->ntok && lq_valid_name(t) && strcmp(verb, "accept") != 0)
        return lq_perr(p, t->col, "unknown listener '%s' (declare it first: listener %s reuseport)",
                       lq_tok_str(t, buf, sizeof(buf)), buf);
    if (!p->unnamed_lsn_line)
        p->unnamed_lsn_line = p->line;
    return 0;
}

int lq_no_more(struct lq_parser *p, int from, const char *usage)
{
    if (p->ntok > from) {
        char buf[80];
        return lq_perr(p, p->tok[from].col,
                       "unexpected '%s' at the end of the line (the form is: %s)",
                       lq_tok_str(&p->tok[from], buf, sizeof(buf)), usage);
    }
    return 0;
}

int lq_parse_number_arg(struct lq_parser *p, const char *verb, const char *usage, bool sign,
                        int64_t lo, int64_t hi, int64_t *out)
{
    char buf[80];
    if (p->ntok < 2)
        return lq_perr(p, (uint16_t)(p->tok[0].col + p->tok[0].len), "'%s' needs a number", verb);
    if (!lq_parse_decimal(p->tok[1].s, p->tok[1].len, sign, lo, hi, out))
        return lq_perr(p, p->tok[1].col,
                       "expected an integer in %" PRId64 "..%" PRId64 " after '%s', found '%s'", lo,
                       hi, verb, lq_tok_str(&p->tok[1], buf, sizeof(buf)));
    return lq_no_more(p, 2, usage);
}
