/* harness/replay/backend_replay.h: a recording as a backend.
 *
 * It stands for the kernel that was recorded: it answers each event with
 * what that kernel answered. The packets are read from the recording's
 * pcap (the evidence): the frame each recorded packet names, as the
 * client's segments to the listener; the JSON (the index) says which
 * frames belong to which event, with their timing, whether a SYN-ACK was a
 * cookie, and the kernel's state after the event (queues, counters,
 * accept() and call results). The client's segments the runner sends must
 * be the ones the pcap holds, in order: a recording of another scenario,
 * or a pcap that does not match it, is refused (LQ_EXIT_BADINPUT, naming
 * the file and the frame).
 *
 * It predicts nothing (no LQ_CAP_PREDICTS), cannot pace (the recording does
 * not say which packets a timer due at the next jiffy sent), has no clock
 * of its own and cannot settle; it keeps the recorded frames
 * (lq_backend_frames) and says when each recorded call began
 * (lq_replies.at_us).
 */
#ifndef LISTENQ_HARNESS_BACKEND_REPLAY_H
#define LISTENQ_HARNESS_BACKEND_REPLAY_H

#include "recording.h"
#include "run/backend.h"

/* A backend over recs[0..n) (loaded, not owned: they must outlive it). A
 * scenario begins on the recording whose scenario it is (&recs[i].sc). */
struct lq_backend *lq_backend_replay_new(struct lq_recording *recs, size_t n, struct lq_err *err);
/* Runs every recording through the runner on this backend alone and holds
 * the trace it gives to the JSON's (lq_recording_check_trace): before a
 * kernel is compared with a recording, the recording is shown consistent.
 * 0, or -1 with err (LQ_EXIT_BADINPUT naming the file). */
int lq_backend_replay_verify(struct lq_backend *b, const struct lq_profile *profile,
                             struct lq_err *err);

#endif
