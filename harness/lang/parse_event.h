/* harness/lang/parse_event.h: the event directives' parsers, for parse.c's
 * dispatch. Each parses the line in p (its verb is word 0) into d: 0, or -1
 * with the error in p->err. */
#ifndef LISTENQ_HARNESS_PARSE_EVENT_H
#define LISTENQ_HARNESS_PARSE_EVENT_H

#include "parse_tok.h"

/* sysctl NAME=VALUE */
int lq_parse_sysctl(struct lq_parser *p, struct lq_directive *d);
/* sockopt OPTION=N (the listener is already taken out of the line) */
int lq_parse_sockopt(struct lq_parser *p, struct lq_directive *d);
/* syn, ack, rst, fin and seg CONN [options] (d->kind says which, verb names it) */
int lq_parse_segment(struct lq_parser *p, struct lq_directive *d, const char *verb);
/* wait DURATION (1500ms, 2s) */
int lq_parse_wait(struct lq_parser *p, struct lq_directive *d);
/* close | close LISTENER | close CONN: a listener, or an accepted
 * connection (one an earlier event named). */
int lq_parse_close(struct lq_parser *p, struct lq_directive *d);
/* shutdown SHUT_RD|SHUT_WR|SHUT_RDWR: the listener. */
int lq_parse_shutdown(struct lq_parser *p, struct lq_directive *d);
/* icmp CONN KIND [mtu=N] [seq=+N|-N|bad]: an ICMP error about a segment
 * the server sent to a connection an earlier event named. */
int lq_parse_icmp(struct lq_parser *p, struct lq_directive *d);

#endif
