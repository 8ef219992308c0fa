/* fuzz/fuzz_common.c: see fuzz_common.h. */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "run/runner.h"

void lq_fuzz_result_reuse(struct lq_result *res)
{
    free(res->exps);
    res->exps = NULL;
    res->nexps = res->exps_cap = res->nexp_failed = 0;
    res->status = LQ_ST_PASS;
    for (int k = 0; k < LQ_ROLE_COUNT; k++)
        res->ran[k] = false;
    memset(&res->div, 0, sizeof(res->div));
    res->div.frame = -1;
    res->reason[0] = '\0';
    res->elapsed_us = 0;
    res->lport = 0;
}

void lq_fuzz_profile(const char *fallback, struct lq_profile *out, const char *label)
{
    char err[256] = "";
    const char *env = getenv("LISTENQ_KERNEL");
    const char *want = env && *env ? env : fallback;
    if (want) {
        if (lq_profile_resolve(want, out, err, sizeof(err)) == 0)
            return;
        fprintf(stderr, "%s: LISTENQ_KERNEL=%s: %s\n", label, want, err);
        exit(2);
    }
    struct utsname u;
    if (uname(&u) == 0 && lq_profile_from_uname(u.release, u.version, out, err, sizeof(err)) == 0)
        return;
    fprintf(stderr, "%s: no model profile for this kernel (%s); set LISTENQ_KERNEL\n", label, err);
    exit(2);
}

const char *lq_fuzz_artifact_prefix(int argc, char **argv)
{
    static const char flag[] = "-artifact_prefix=";
    const char *prefix = "./";
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], flag, sizeof(flag) - 1) == 0)
            prefix = argv[i] + sizeof(flag) - 1;
    return prefix;
}

enum lq_model_bug lq_fuzz_env_bug(const char *label)
{
    const char *s = getenv("LISTENQ_MODEL_BUG");
    enum lq_model_bug bug = LQ_BUG_NONE;
    if (!s || !*s || lq_model_bug_by_name(s, &bug) == 0)
        return bug;
    fprintf(stderr, "%s: unknown LISTENQ_MODEL_BUG=%s (%s)\n", label, s, LQ_MODEL_BUG_NAMES);
    exit(2);
}

/* ---- SHA-1 (FIPS 180-4), for artifact names ---- */

struct lq_sha1 {
    uint32_t h[5];
    uint64_t len;
    uint8_t buf[64];
    size_t nbuf;
};

static uint32_t lq_rol(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static void lq_sha1_block(struct lq_sha1 *s, const uint8_t *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = lq_rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5a827999u;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1u;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdcu;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6u;
        }
        uint32_t t = lq_rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = lq_rol(b, 30);
        b = a;
        a = t;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
}

static void lq_sha1_update(struct lq_sha1 *s, const uint8_t *p, size_t n)
{
    s->len += n;
    while (n) {
        size_t take = 64 - s->nbuf < n ? 64 - s->nbuf : n;
        memcpy(s->buf + s->nbuf, p, take);
        s->nbuf += take;
        p += take;
        n -= take;
        if (s->nbuf == 64) {
            lq_sha1_block(s, s->buf);
            s->nbuf = 0;
        }
    }
}

void lq_fuzz_sha1_hex(const uint8_t *data, size_t len, char out[41])
{
    struct lq_sha1 s = {
        {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u, 0xc3d2e1f0u}, 0, {0}, 0};
    lq_sha1_update(&s, data, len);
    uint64_t bits = s.len * 8;
    uint8_t pad = 0x80;
    lq_sha1_update(&s, &pad, 1);
    pad = 0;
    while (s.nbuf != 56)
        lq_sha1_update(&s, &pad, 1);
    uint8_t lenb[8];
    for (int i = 0; i < 8; i++)
        lenb[i] = (uint8_t)(bits >> (56 - 8 * i));
    lq_sha1_update(&s, lenb, 8);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 8; k++)
            out[i * 8 + k] = hex[(s.h[i] >> (28 - 4 * k)) & 15];
    out[40] = '\0';
}
