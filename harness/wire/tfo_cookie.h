/* harness/wire/tfo_cookie.h: the kernel's TCP Fast Open server cookie
 * under the fixed key listenq gives every namespace it runs a server in (the
 * live backend's, an exported packetdrill script's). */
#ifndef LQ_WIRE_TFO_COOKIE_H
#define LQ_WIRE_TFO_COOKIE_H

#include <stdbool.h>
#include <stdint.h>

/* net.ipv4.tcp_fastopen_key: four 32-bit words, each stored little-endian
 * (proc_tcp_fastopen_key: cpu_to_le32), so the key's bytes are 00..0f */
#define LQ_TFO_KEY_SYSCTL "03020100-07060504-0b0a0908-0f0e0d0c"

/* __tcp_fastopen_cookie_gen_cipher() (5.3 on): cpu_to_le64(siphash(saddr ||
 * daddr)) of the SYN's IP header, 8 bytes; saddr and daddr are 4 bytes
 * (IPv4, an IPv4 SYN to a dual-stack listener too) or 16 (IPv6). */
void lq_tfo_cookie(bool ipv6, const uint8_t *saddr, const uint8_t *daddr, uint8_t out[8]);

#endif
