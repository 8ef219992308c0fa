/* harness/util/thread.h: a helper thread that takes no signal. */
#ifndef LISTENQ_HARNESS_THREAD_H
#define LISTENQ_HARNESS_THREAD_H

#include <pthread.h>

/* pthread_create() with every signal blocked in the new thread (it is
 * created with that mask, and the caller's is as it was): SIGINT, SIGTERM
 * and SIGHUP go to the thread that installed the handlers (util/cleanup.c),
 * never to a helper calibrating the clock or closing a socket. Returns
 * pthread_create's result (0: started). */
int lq_thread_start_quiet(pthread_t *th, void *(*fn)(void *), void *arg);

#endif
