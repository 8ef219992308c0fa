/* tests/unit/test_siphash.c: SipHash-2-4 (harness/util/siphash.c) and the
 * kernel's TCP Fast Open cookie (harness/wire/tfo_cookie.c).
 *
 * The SipHash values are the paper's (Aumasson and Bernstein, "SipHash: a
 * fast short-input PRF", appendix A: key 00..0f, message 00..0e) and the
 * first entry of its test-vector table (the empty message). The cookies are
 * the live kernel's: Linux 6.18.44 with net.ipv4.tcp_fastopen_key
 * 03020100-07060504-0b0a0908-0f0e0d0c answered fastopen_cookie_request.lq
 * from the live backend's addresses (client 198.18.0.2 / 2001:db8::2,
 * server 198.18.0.1 / 2001:db8::1) with these cookies (`listenq record`,
 * then tshark -e tcp.options.tfo.cookie).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "util/siphash.h"
#include "wire/tfo_cookie.h"

static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

int main(void)
{
    uint8_t key[16], msg[15];
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
    for (int i = 0; i < 15; i++)
        msg[i] = (uint8_t)i;
    is_int((long long)(lq_siphash24(key, msg, 15) == 0xa129ca6149be45e5ull), 1,
           "the paper's example: 15 bytes 00..0e under key 00..0f -> a129ca6149be45e5");
    is_int((long long)(lq_siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ull), 1,
           "the empty message -> 726fdb47dd0e0e31 (the vector table's first entry)");

    uint8_t c4[4], s4[4], c6[16], s6[16], out[8];
    char got[17];
    inet_pton(AF_INET, "198.18.0.2", c4);
    inet_pton(AF_INET, "198.18.0.1", s4);
    inet_pton(AF_INET6, "2001:db8::2", c6);
    inet_pton(AF_INET6, "2001:db8::1", s6);
    lq_tfo_cookie(false, c4, s4, out);
    hex(out, 8, got);
    is_str(got, "9837447bb6f2be02", "IPv4 cookie: the live kernel's for 198.18.0.2 -> 198.18.0.1");
    lq_tfo_cookie(true, c6, s6, out);
    hex(out, 8, got);
    is_str(got, "25c707fd23427c87",
           "IPv6 cookie: the live kernel's for 2001:db8::2 -> 2001:db8::1");
    lq_tfo_cookie(false, s4, c4, out);
    hex(out, 8, got);
    ok(strcmp(got, "9837447bb6f2be02") != 0, "the addresses' order matters (saddr first)");
    ok(strcmp(LQ_TFO_KEY_SYSCTL, "03020100-07060504-0b0a0908-0f0e0d0c") == 0,
       "the key the namespaces get is the one the cookies were observed under");
    return tap_done();
}
