/* harness/wire/tfo_cookie.c: see tfo_cookie.h. */
#include "tfo_cookie.h"

#include <string.h>

#include "util/siphash.h"

void lq_tfo_cookie(bool ipv6, const uint8_t *saddr, const uint8_t *daddr, uint8_t out[8])
{
    static const uint8_t key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    uint8_t msg[32];
    size_t alen = ipv6 ? 16 : 4;
    memcpy(msg, saddr, alen);
    memcpy(msg + alen, daddr, alen);
    uint64_t h = lq_siphash24(key, msg, 2 * alen);
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(h >> (8 * i)); /* cpu_to_le64: the wire's bytes */
}
