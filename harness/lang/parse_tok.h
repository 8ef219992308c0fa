/* harness/lang/parse_tok.h: the parser's state and the word-level tools
 * the directive parsers share (parse.c, parse_event.c). A line arrives here
 * already split into words, each with its column. The int functions return
 * 0, or -1 with "where:line:col: ..." in p->err; the bool ones only answer,
 * and leave any message to their caller. */
#ifndef LISTENQ_HARNESS_PARSE_TOK_H
#define LISTENQ_HARNESS_PARSE_TOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "scenario.h"

#define LQ_MAX_TOKENS 32
#define LQ_MAX_NAME   64

struct lq_tok {
    const char *s;
    size_t len;
    uint16_t col;
};

struct lq_parser {
    const char *where;
    uint32_t line;
    struct lq_scenario *sc;
    struct lq_err *err;
    struct lq_tok tok[LQ_MAX_TOKENS];
    int ntok;
    bool seen_event;
    uint32_t family_line;      /* the line of the `family` directive, 0: none yet */
    uint32_t unnamed_lsn_line; /* the first line that took the unnamed listener, 0: none */
    uint8_t *via;              /* dual: [conn] the family its first event chose (enum lq_via) */
};

/* Sets p->err to "where:line:col: what" (LQ_EXIT_BADINPUT); returns -1. */
int lq_perr(struct lq_parser *p, uint16_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Memory ran out: the harness failed, not the input. */
int lq_poom(struct lq_parser *p, uint16_t col);
/* Whether the word is exactly word. */
bool lq_tok_is(const struct lq_tok *t, const char *word);
/* Copies a token into buf for messages and lookups (truncated, NUL-terminated). */
const char *lq_tok_str(const struct lq_tok *t, char *buf, size_t cap);
/* Splits "key=value": returns the length of key, and value/vlen (NULL if no '='). */
size_t lq_tok_kv(const struct lq_tok *t, const char **value, size_t *vlen);
/* Whether the key of a key=value word (klen from lq_tok_kv) is key. */
bool lq_key_is(const struct lq_tok *t, size_t klen, const char *key);
/* Strict decimal integer: optional sign (when allowed), digits only, in [lo, hi]. */
bool lq_parse_decimal(const char *s, size_t len, bool allow_sign, int64_t lo, int64_t hi,
                      int64_t *out);
/* A connection or listener name: a letter or '_', then letters, digits,
 * '_', '-' or '.'; at most LQ_MAX_NAME; not a keyword. */
bool lq_valid_name(const struct lq_tok *t);
/* Word 1 as a connection name (verb: the directive, for messages): with
 * must_exist one an earlier event named, else it is added on first use.
 * Its index in *conn. */
int lq_conn_arg(struct lq_parser *p, const char *verb, bool must_exist, uint16_t *conn);
/* Whether word pos is a declared listener's name; if so its index into
 * lsn, and the word taken out of the line (the words after it keep their
 * columns). */
bool lq_take_listener_name(struct lq_parser *p, int pos, uint8_t *lsn);
/* The listener a directive names at word pos, taken out of the line. In a
 * scenario with `listener` lines the name is required; in one without, a
 * name there is an undeclared listener. */
int lq_take_listener(struct lq_parser *p, int pos, const char *verb, uint8_t *lsn);
/* An error at word from, if the line has one (usage: the directive's form). */
int lq_no_more(struct lq_parser *p, int from, const char *usage);
/* "VERB N": usage names the number ("listen BACKLOG"). */
int lq_parse_number_arg(struct lq_parser *p, const char *verb, const char *usage, bool sign,
                        int64_t lo, int64_t hi, int64_t *out);

#endif
