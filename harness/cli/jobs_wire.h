/* harness/cli/jobs_wire.h: what the command and a worker of `--jobs`
 * (jobs.h) say to each other over their socketpair.
 *
 * The command sends a scenario's index (4 bytes), the worker answers with a
 * message (a head, then its payload): READY once its kernel is set up,
 * SETUP_FAILED with the reason, or RESULT with the harness-failed flag, the
 * pcap it wrote (or why it could not), the end of what it printed on stderr
 * so far, and the result packed (run/result_pack.h). A worker's stdout and
 * stderr go to a memory file the command also holds, so what it printed is
 * read back per scenario, and even after it died. Both ends are processes
 * of the same executable: the heads are structs as they lie in memory.
 */
#ifndef LISTENQ_HARNESS_JOBS_WIRE_H
#define LISTENQ_HARNESS_JOBS_WIRE_H

#include <stddef.h>
#include <stdint.h>

enum { LQ_MSG_READY = 1, LQ_MSG_SETUP_FAILED, LQ_MSG_RESULT };

struct lq_msg_head {
    uint32_t type;
    uint32_t task;
    uint64_t len; /* payload bytes after the head */
};

/* The payload of RESULT: this head, the pcap path, the pcap error, the
 * packed result. */
struct lq_done_head {
    uint32_t fatal;
    uint32_t pcap_len, pcap_err_len;
    uint32_t pad;
    uint64_t err_end; /* the worker's stderr file offset after the scenario */
};

/* 0 once all n bytes are sent, -1 on error (no SIGPIPE). */
int lq_wire_write_full(int fd, const void *p, size_t n);
/* 1 with the bytes, 0 at the end of the stream before any, -1 on error. */
int lq_wire_read_full(int fd, void *p, size_t n);
/* A message: its head, then len bytes of payload. 0, or -1 on error. */
int lq_wire_send_msg(int fd, uint32_t type, uint32_t task, const void *payload, size_t len);
/* What errfd holds in [from, to), NUL-terminated, to free (NULL when empty). */
char *lq_wire_read_err(int errfd, uint64_t from, uint64_t to);
/* The size of errfd so far. */
uint64_t lq_wire_err_size(int errfd);

#endif
