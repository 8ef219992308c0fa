/* harness/util/siphash.c: SipHash-2-4, written from the paper's
 * definition (section 2): c = 2 compression rounds per 8-byte word, d = 4
 * finalization rounds, the last word holding the length's low byte in its
 * top byte. */
#include "siphash.h"

static uint64_t lq_rotl64(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

static uint64_t lq_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

struct lq_sip {
    uint64_t v0, v1, v2, v3;
};

static void lq_sipround(struct lq_sip *s)
{
    s->v0 += s->v1;
    s->v1 = lq_rotl64(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = lq_rotl64(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = lq_rotl64(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = lq_rotl64(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = lq_rotl64(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = lq_rotl64(s->v2, 32);
}

static void lq_sip_word(struct lq_sip *s, uint64_t m)
{
    s->v3 ^= m;
    lq_sipround(s);
    lq_sipround(s);
    s->v0 ^= m;
}

uint64_t lq_siphash24(const uint8_t key[16], const void *msg, size_t len)
{
    const uint8_t *p = msg;
    uint64_t k0 = lq_le64(key), k1 = lq_le64(key + 8);
    struct lq_sip s = {k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
                       k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull};
    size_t full = len - len % 8;
    for (size_t i = 0; i < full; i += 8)
        lq_sip_word(&s, lq_le64(p + i));
    uint64_t last = (uint64_t)(len & 0xff) << 56;
    for (size_t i = 0; i < len % 8; i++)
        last |= (uint64_t)p[full + i] << (8 * i);
    lq_sip_word(&s, last);
    s.v2 ^= 0xff;
    for (int i = 0; i < 4; i++)
        lq_sipround(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
