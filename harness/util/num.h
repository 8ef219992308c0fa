/* harness/util/num.h: numbers from text, strictly (command-line options). */
#ifndef LISTENQ_HARNESS_NUM_H
#define LISTENQ_HARNESS_NUM_H

#include <stdbool.h>
#include <stdint.h>

/* The whole of text as a decimal integer in [min, max]: no sign unless min
 * is negative, no leading space, nothing after the digits, no overflow.
 * Returns 0 with *out set, or -1 (out untouched). */
int lq_parse_int(const char *text, long long min, long long max, long long *out);
/* The whole of text as an unsigned 64-bit integer: decimal, or hexadecimal
 * after 0x. No sign, no space, nothing after, no overflow. 0 or -1. */
int lq_parse_u64(const char *text, uint64_t *out);

#endif
