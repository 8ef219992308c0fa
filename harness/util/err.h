/* harness/util/err.h: errors as a status plus a message, never printed deep inside.
 *
 * Functions that can fail fill a struct lq_err and return -1; the caller that
 * owns the user interface decides how to print it and which exit status to use.
 */
#ifndef LISTENQ_HARNESS_ERR_H
#define LISTENQ_HARNESS_ERR_H

/* Exit statuses of the listenq command (see docs/cli.md). */
enum lq_exit {
    LQ_EXIT_OK = 0,       /* everything conformed / held */
    LQ_EXIT_FAIL = 1,     /* a divergence or a failed expectation */
    LQ_EXIT_BADINPUT = 2, /* bad scenario, bad option */
    LQ_EXIT_ERROR = 3,    /* the harness itself failed (I/O, kernel refused) */
    LQ_EXIT_SKIP = 4,     /* cannot run here: missing privilege or feature */
};

struct lq_err {
    int status; /* enum lq_exit */
    char msg[512];
};

/* Sets e (when not NULL) and returns -1. */
int lq_errf(struct lq_err *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* As lq_errf, with ": strerror(errno)" appended (errno taken on entry). */
int lq_errno(struct lq_err *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
