/* harness/lang/counter_names.h: the TcpExt and Tcp counter names Linux prints. */
#ifndef LISTENQ_HARNESS_COUNTER_NAMES_H
#define LISTENQ_HARNESS_COUNTER_NAMES_H

#include <stdbool.h>

/* "ListenOverflows", or with its group "TcpExt:ListenOverflows" / "Tcp:InSegs". */
bool lq_counter_name_known(const char *name);

#endif
