/* harness/util/siphash.h: SipHash-2-4 (Aumasson and Bernstein, "SipHash: a
 * fast short-input PRF", 2012), the function the kernel's siphash() is
 * (lib/siphash.c). */
#ifndef LQ_UTIL_SIPHASH_H
#define LQ_UTIL_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of len bytes under the 16-byte key (k0, k1 little-endian, as
 * the paper's and the kernel's siphash_key_t read from bytes). */
uint64_t lq_siphash24(const uint8_t key[16], const void *msg, size_t len);

#endif
